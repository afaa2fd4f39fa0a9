// SPDX-License-Identifier: Apache-2.0
// What both ends of a session handshake share: session configuration defaults, the mapping from
// the negotiated connection to session parameters, the secured-message version exchange carried
// in opaque data, and the session transcript TH (spdm.md §15).
//
// Session transcripts (spdm.md §15, checked against all 23 captured sessions upstream):
//
//   KEY_EXCHANGE_RSP signature   A ‖ [D] ‖ Ct ‖ KEY_EXCHANGE ‖ KEY_EXCHANGE_RSP up to Signature
//   TH1                          ... ‖ Signature                     (no ResponderVerifyData)
//   ResponderVerifyData          HMAC(response finished_key, Hash(TH1))
//   FINISH signature (mutual)    A ‖ [D] ‖ Ct ‖ K ‖ [EncapD] ‖ CM ‖ FINISH up to Signature
//   RequesterVerifyData          HMAC(request finished_key, Hash(... ‖ FINISH incl. Signature))
//   FINISH_RSP verify (clear)    HMAC(response finished_key, Hash(... ‖ FINISH ‖ FINISH_RSP hdr))
//   TH2                          A ‖ [D] ‖ Ct ‖ K ‖ [EncapD] ‖ [CM] ‖ FINISH ‖ FINISH_RSP
//   PSK: TH1                     A ‖ PSK_EXCHANGE ‖ PSK_EXCHANGE_RSP without verify data
//   PSK: TH2                     A ‖ K ‖ PSK_FINISH ‖ PSK_FINISH_RSP
//
//   A = VCA (the engines' transcript().vca()); D = the most recent DIGESTS response when
//   MultiKeyConnRsp (1.3); Ct = Hash(responder's SPDM certificate chain of the slot); K = the full
//   exchange request and response; EncapD = the requester's encapsulated DIGESTS when
//   MultiKeyConnReq; CM = Hash(requester's SPDM certificate chain). The encapsulated messages
//   themselves are not in TH.
//
// The transcript is a running hash (the session's transcript() state): forks give the
// intermediate values, so no message is ever stored.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/spdm/crypto_map.hpp"
#include "pmci/spdm/opaque.hpp"
#include "pmci/spdm/session/session.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

/// Mutual authentication a responder asks for in KEY_EXCHANGE_RSP (spdm.md §10.2).
enum class mut_auth_policy : std::uint8_t {
  none,           ///< never
  encapsulated,   ///< MutAuthRequested = 0x03: requested, with the encapsulated request flow
                  ///< (GET_DIGESTS, GET_CERTIFICATE for the requester's chain), then signed FINISH
};

/// Session-layer configuration. Inherit and override, as with the engines' configurations:
///   struct my_sessions : pmci::spdm::session_defaults { static constexpr std::size_t max_sessions = 2; };
struct session_defaults {
  /// Concurrent sessions (the session table's compile-time capacity; ERROR SessionLimitExceeded
  /// beyond it).
  static constexpr std::size_t max_sessions = 4;
  /// Largest hash the configuration uses (sizes every key schedule: 32, 48 or 64).
  static constexpr std::size_t max_hash = crypto::max_digest_size;
  /// HeartbeatPeriod a responder announces (seconds; 0 = no heartbeat). Sent only when both
  /// sides set HBEAT_CAP.
  static constexpr std::uint8_t heartbeat_period = 0;
  /// Responder: ask for mutual authentication (needs MUT_AUTH_CAP and ENCAP_CAP on both sides).
  static constexpr mut_auth_policy mut_auth = mut_auth_policy::none;
  /// Largest SPDM certificate chain accepted from the peer during mutual authentication.
  static constexpr std::size_t max_peer_cert_chain = 4096;
  /// Responder, mutual authentication: the Length of each encapsulated GET_CERTIFICATE (the
  /// requester answers with at most that many chain bytes per DELIVER_ENCAPSULATED_RESPONSE; keep
  /// it below the receive buffer minus 12 bytes of headers and the record overhead). libspdm asks
  /// for 0x11F4.
  static constexpr std::uint16_t encap_certificate_portion = 1024;
  /// RandomData appended to each record: a random count in [1, max_padding] (libspdm: 1..32);
  /// 0 = no padding (smallest records; DSP0276 bounds UNCONFIRMED).
  static constexpr std::size_t max_padding = 32;
  /// Records per key before the session must end (DSP0277 1.3 AEAD limit); 0 = unlimited but for
  /// the 64-bit counter.
  static constexpr std::uint64_t aead_limit = 0;
  /// PSK sessions: length of the ResponderContext / RequesterContext this side sends (libspdm:
  /// 64, as in the captures; at most 64). The responder sends one only with PSK_CAP = 10b.
  static constexpr std::size_t psk_context_size = 64;
};

/// DSP0277 versions pmci offers (requester) and accepts (responder), lowest first. libspdm
/// offers 1.0, 1.1, 1.2 and selects 1.2 (spdm.md §14); the record format is the same, the nonce
/// is little-endian for all of them (secured.md §2).
inline constexpr std::array<version_number, 3> secured_message_versions{
    version_number{0x1000}, version_number{0x1100}, version_number{0x1200}};

/// Session parameters that follow from the negotiated connection (spdm.md §4 session type,
/// §10.2 handshake in the clear). Errors: unsupported (no hash/AEAD negotiated, or one the crypto
/// layer has no identifier for; ENCRYPT without MAC; neither), invalid_state (version < 1.1).
constexpr result<session_params> session_params_of(const negotiated& n, bool psk, std::uint8_t heartbeat_period,
                                                   std::uint64_t aead_limit = 0) noexcept {
  if (n.ver < version::v1_1) return errc::invalid_state;
  const auto h = to_crypto(n.hash);
  const auto a = to_crypto(n.aead);
  if (!h || !a) return errc::unsupported;
  const bool enc = has(n.rsp_caps, rsp_cap::encrypt) && has(n.req_caps, req_cap::encrypt);
  const bool mac = has(n.rsp_caps, rsp_cap::mac) && has(n.req_caps, req_cap::mac);
  if (!mac) return errc::unsupported;  // ENCRYPT without MAC is invalid; neither: no session
  session_params p;
  p.hash = *h;
  p.aead = *a;
  p.version = to_byte(n.ver);
  p.protection = enc ? session_protection::encrypt_and_mac : session_protection::mac_only;
  p.psk = psk;
  p.handshake_in_the_clear = !psk && n.handshake_in_the_clear();
  p.heartbeat_period = heartbeat_period;
  if (aead_limit != 0) p.aead_limit = aead_limit;
  return p;
}

/// Both sides can do (PSK_)KEY_EXCHANGE sessions at all (1.1+, the capability and algorithms).
constexpr bool key_exchange_possible(const negotiated& n) noexcept {
  return n.ver >= version::v1_1 && has(n.rsp_caps, rsp_cap::key_ex) && has(n.req_caps, req_cap::key_ex) &&
         n.d() != 0 && n.h() != 0 && n.aead != aead_suite::none;
}
constexpr bool psk_possible(const negotiated& n) noexcept {
  return n.ver >= version::v1_1 && any(n.rsp_caps, rsp_cap::psk_mask) && has(n.req_caps, req_cap::psk) && n.h() != 0 &&
         n.aead != aead_suite::none;
}
constexpr bool heartbeat_possible(const negotiated& n) noexcept {
  return has(n.rsp_caps, rsp_cap::hbeat) && has(n.req_caps, req_cap::hbeat);
}
constexpr bool key_update_possible(const negotiated& n) noexcept {
  return has(n.rsp_caps, rsp_cap::key_upd) && has(n.req_caps, req_cap::key_upd);
}
constexpr bool mutual_auth_possible(const negotiated& n) noexcept {
  return has(n.rsp_caps, rsp_cap::mut_auth) && has(n.req_caps, req_cap::mut_auth) &&
         has(n.rsp_caps, rsp_cap::encap) && has(n.req_caps, req_cap::encap) && n.req_s() != 0;
}

// ---- secured-message version negotiation (secured.md §5, spdm.md §14) ----------------------------

/// The requester's opaque data for KEY_EXCHANGE / PSK_EXCHANGE: SupportedVersion with `versions`.
/// Writes nothing when the connection has no parseable opaque format (1.2+ without
/// OpaqueDataFmt1): OpaqueDataLength must then be 0. Returns the bytes written. Errors:
/// buffer_too_small.
constexpr result<std::size_t> write_supported_versions(const negotiated& n, bytes_span out,
                                                       std::span<const version_number> versions = secured_message_versions) noexcept {
  const opaque_format f = opaque_format_of(n);
  if (f != opaque_format::general && f != opaque_format::fmt1) return std::size_t{0};
  writer w{out};
  opaque_builder b{w, f};
  b.sm_supported_versions(versions);
  PMCI_TRY(b.finish());
  return w.size();
}

/// The responder's opaque data: VersionSelection. Same rules as write_supported_versions.
constexpr result<std::size_t> write_version_selection(const negotiated& n, version_number v, bytes_span out) noexcept {
  const opaque_format f = opaque_format_of(n);
  if (f != opaque_format::general && f != opaque_format::fmt1) return std::size_t{0};
  writer w{out};
  opaque_builder b{w, f};
  b.sm_version_selection(v);
  PMCI_TRY(b.finish());
  return w.size();
}

/// Responder: the highest of `ours` that the requester's opaque data lists (major.minor
/// compared; update/alpha ignored, as libspdm checks the major version only when framing).
/// A request without a SupportedVersion element (or without opaque data at all, as a connection
/// without an opaque format must send) gets DSP0277 1.0. Errors: invalid_field (no common
/// version), and opaque-data parse errors (secured_message_opaque::parse).
constexpr result<version_number> select_secured_version(const negotiated& n, bytes_view opaque,
                                                        std::span<const version_number> ours = secured_message_versions) noexcept {
  const opaque_format f = opaque_format_of(n);
  if (opaque.empty() || (f != opaque_format::general && f != opaque_format::fmt1)) return ours.front();
  PMCI_TRY_ASSIGN(const secured_message_opaque o, secured_message_opaque::parse(opaque, f));
  if (o.supported_count() == 0) return ours.front();
  for (std::size_t i = ours.size(); i-- > 0;)
    for (std::size_t j = 0; j < o.supported_count(); ++j)
      if (o.supported(j).version_byte() == ours[i].version_byte()) return ours[i];
  return errc::invalid_field;
}

/// Requester: the responder's VersionSelection must be one we offered. A response without one
/// (no opaque format) is accepted as DSP0277 1.0. Errors: invalid_field, parse errors.
constexpr result<version_number> check_version_selection(const negotiated& n, bytes_view opaque,
                                                         std::span<const version_number> offered = secured_message_versions) noexcept {
  const opaque_format f = opaque_format_of(n);
  if (opaque.empty() || (f != opaque_format::general && f != opaque_format::fmt1)) return offered.front();
  PMCI_TRY_ASSIGN(const secured_message_opaque o, secured_message_opaque::parse(opaque, f));
  if (!o.selected_version) return offered.front();
  for (const auto v : offered)
    if (v.version_byte() == o.selected_version->version_byte()) return *o.selected_version;
  return errc::invalid_field;
}

// ---- transcript hash helpers ---------------------------------------------------------------------

/// th ‖= data.
template <crypto::hash_policy P>
[[nodiscard]] result<void> th_append(P& p, typename P::hash_state& th, bytes_view data) noexcept {
  return p.hash_update(th, data);
}
/// Hash(th ‖ extra) into out (H bytes), leaving th as it was (a fork).
template <crypto::hash_policy P>
[[nodiscard]] result<void> th_digest(P& p, const typename P::hash_state& th, bytes_view extra, bytes_span out) noexcept {
  typename P::hash_state fork = th;
  PMCI_TRY(p.hash_update(fork, extra));
  return p.hash_final(fork, out);
}

/// Zeros used as placeholders when a codec encodes a message whose signature / verify data is
/// computed over the message itself (the caller overwrites them in place).
inline constexpr std::array<std::byte, crypto::max_signature_size> placeholder_zeros{};
/// The same, N bytes: an engine that knows its largest signature and hash at compile time keeps
/// only that many zeros in flash (the 512-byte array above is sized for RSA-4096).
template <std::size_t N>
inline constexpr std::array<std::byte, N> placeholder_zeros_n{};

/// The RandomData count for one record: uniform in [1, max] from the policy's RNG (libspdm:
/// (rand % max) + 1); 0 when max is 0. Errors: the policy's.
template <crypto::random_policy P>
[[nodiscard]] result<std::size_t> padding_length(P& p, std::size_t max) noexcept {
  if (max == 0) return std::size_t{0};
  std::array<std::byte, 1> r{};
  PMCI_TRY(p.random(r));
  return std::to_integer<std::size_t>(r[0]) % max + 1;
}

}  // namespace pmci::spdm
