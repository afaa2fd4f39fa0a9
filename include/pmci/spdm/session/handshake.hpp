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

/// Mutual authentication a responder asks for in KEY_EXCHANGE_RSP (MutAuthRequested, spdm.md
/// §10.2). spdm-emu's responder option `--mut_auth NO|WO_ENCAP|W_ENCAP|DIGESTS` names the same
/// four choices.
enum class mut_auth_policy : std::uint8_t {
  none,                  ///< never (spdm-emu NO)
  encapsulated,          ///< MutAuthRequested bit 1 (0x02): the encapsulated request flow
                         ///< (GET_ENCAPSULATED_REQUEST -> GET_DIGESTS, GET_CERTIFICATE for the
                         ///< requester's chain), then a signed FINISH (spdm-emu W_ENCAP)
  without_encapsulated,  ///< bit 0 (0x01): no encapsulated flow; FINISH is signed with the key of
                         ///< the chain in ReqSlotIDParam, which the responder already knows
                         ///< (Device::requester_cert_chain, or an earlier flow on this
                         ///< connection); with no known chain the responder falls back to
                         ///< `encapsulated` (spdm-emu WO_ENCAP)
  implicit_digests,      ///< bit 2 (0x04): the encapsulated flow without GET_ENCAPSULATED_REQUEST:
                         ///< KEY_EXCHANGE_RSP stands for an encapsulated GET_DIGESTS and the
                         ///< requester's first message is DELIVER_ENCAPSULATED_RESPONSE(RequestID 0,
                         ///< DIGESTS) (spdm-emu DIGESTS)
};

/// The MutAuthRequested value for a policy (0 for none).
constexpr std::uint8_t mut_auth_bits(mut_auth_policy p) noexcept {
  switch (p) {
    case mut_auth_policy::encapsulated: return 0x02;
    case mut_auth_policy::without_encapsulated: return 0x01;
    case mut_auth_policy::implicit_digests: return 0x04;
    default: return 0;
  }
}

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
  /// Responder: ask for mutual authentication (needs MUT_AUTH_CAP on both sides, and ENCAP_CAP
  /// on both sides for the encapsulated modes). The initial value of the run-time policy
  /// (session_responder::set_mut_auth); anything but `none` compiles the machinery in.
  static constexpr mut_auth_policy mut_auth = mut_auth_policy::none;
  /// Responder: compile the mutual-authentication machinery even though `mut_auth` is `none`
  /// (a run-time policy picks the mode later: set_mut_auth).
  static constexpr bool mut_auth_support = false;
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
  /// Requester, blocking KEY_EXCHANGE / PSK_EXCHANGE: how often an ERROR Busy answer is retried
  /// with the same request (the responder answers Busy when its signer is occupied).
  static constexpr std::size_t busy_retries = 3;
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
/// Mutual authentication in a session: MUT_AUTH_CAP on both sides and a negotiated
/// ReqBaseAsymAlg; the encapsulated modes also need ENCAP_CAP on both sides (spdm.md §4.1: at
/// 1.1 MUT_AUTH implies ENCAP anyway).
constexpr bool mutual_auth_possible(const negotiated& n, bool encapsulated = true) noexcept {
  return has(n.rsp_caps, rsp_cap::mut_auth) && has(n.req_caps, req_cap::mut_auth) && n.req_s() != 0 &&
         (!encapsulated || (has(n.rsp_caps, rsp_cap::encap) && has(n.req_caps, req_cap::encap)));
}
/// Encapsulated requests inside an established session (responder-initiated KEY_UPDATE): ENCAP_CAP
/// on both sides.
constexpr bool encapsulated_possible(const negotiated& n) noexcept {
  return n.ver >= version::v1_1 && has(n.rsp_caps, rsp_cap::encap) && has(n.req_caps, req_cap::encap);
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

/// The responder's opaque data: VersionSelection. Same rules as write_supported_versions; the
/// bytes are those of opaque_builder{w, f}.sm_version_selection(v), written directly: the block
/// has a fixed layout (opaque.hpp file comment, secured.md §5) — the format's header with
/// TotalElements 1, then one DMTF element: ID 0, VendorLen 0, DataLen 4, SMDataVersion 1,
/// SMDataID 0, SelectedVersion (2, LE); 4 + 4 bytes, so no padding.
constexpr result<std::size_t> write_version_selection(const negotiated& n, version_number v, bytes_span out) noexcept {
  const opaque_format f = opaque_format_of(n);
  if (f != opaque_format::general && f != opaque_format::fmt1) return std::size_t{0};
  const std::size_t head = opaque_header_size(f);  // 8 general, 4 fmt1
  const std::size_t size = head + 8;
  if (out.size() < size) return errc::buffer_too_small;  // the one check for the stores below
  for (std::size_t i = 0; i < size; ++i) out[i] = std::byte{0};
  if (f == opaque_format::general) {  // SpecID ‖ OpaqueVersion ‖ TotalElements ‖ Reserved(2)
    store_u32le(out, opaque_spec_id_dmtf);
    out[4] = std::byte{opaque_version_1};
    out[5] = std::byte{1};
  } else {  // TotalElements ‖ Reserved(3)
    out[0] = std::byte{1};
  }
  out[head + 2] = std::byte{4};  // DataLen (LE; ID and VendorLen are 0)
  out[head + 4] = std::byte{sm_data_version_1};  // SMDataID 0 = VersionSelection follows
  store_u16le(out.subspan(head + 6), v.raw);
  return size;
}

/// Responder: the highest of `ours` that the requester's opaque data lists (major.minor
/// compared; update/alpha ignored, as libspdm checks the major version only when framing).
/// A request without a SupportedVersion element (or without opaque data at all, as a connection
/// without an opaque format must send) gets DSP0277 1.0. Errors: invalid_field, for opaque data
/// that secured_message_opaque::parse rejects (whatever its reason) and when no version is common.
///
/// The block is read in place, in one pass (the responder needs nothing else from it): the
/// format's header (opaque.hpp file comment), then TotalElements elements, each ID(1) ‖
/// VendorLen(1) ‖ VendorID ‖ DataLen(2) ‖ Data ‖ zero padding to 4 bytes, exactly filling the
/// block (spdm.md §14); DSP0277 elements (ID 0, VendorLen 0, Data >= 2 bytes) checked as parse()
/// checks them (secured.md §5). It accepts exactly the blocks parse() accepts and selects the
/// same version (tests/spdm_session/opaque_selection_test.cpp, fuzz/spdm_session_decode).
constexpr result<version_number> select_secured_version(const negotiated& n, bytes_view opaque,
                                                        std::span<const version_number> ours = secured_message_versions) noexcept {
  const opaque_format f = opaque_format_of(n);
  if (opaque.empty() || (f != opaque_format::general && f != opaque_format::fmt1)) return ours.front();
  const auto at = [&](std::size_t i) { return std::to_integer<unsigned>(opaque[i]); };
  const std::size_t size = opaque.size();
  const std::size_t head = opaque_header_size(f);  // 8 general, 4 fmt1
  if (size < head) return errc::invalid_field;      // bounds the header reads below
  // General: SpecID ‖ OpaqueVersion ‖ TotalElements ‖ Reserved(2); Fmt1: TotalElements ‖ Reserved(3).
  std::size_t count = 0;
  unsigned bad = 0;
  if (f == opaque_format::general) {
    if (load_u32le(opaque) != opaque_spec_id_dmtf || at(4) != opaque_version_1) return errc::invalid_field;
    bad = at(6) | at(7);
    count = at(5);
  } else {
    bad = at(1) | at(2) | at(3);
    count = at(0);
  }
  if (bad != 0) return errc::invalid_field;
  std::size_t o = head;      // the next element
  std::size_t list = 0;      // offset of the SupportedVersion entries (0: none)
  std::size_t versions = 0;  // their count
  unsigned seen = 0;         // bit i: SMDataID i met (each at most once)
  for (; count != 0; --count) {
    // Each length is checked against what is left before the bytes it covers are read.
    if (size - o < 4) return errc::invalid_field;  // ID, VendorLen, at least DataLen
    const std::size_t vendor = at(o + 1);
    if (size - o - 4 < vendor) return errc::invalid_field;
    const std::size_t d = o + 4 + vendor;  // Data
    const std::size_t len = at(d - 2) | at(d - 1) << 8;
    const std::size_t pad = (4 - (vendor + len) % 4) % 4;
    if (size - d < len + pad) return errc::invalid_field;
    for (std::size_t i = 0; i < pad; ++i) bad |= at(d + len + i);
    if (at(o) == 0 && vendor == 0 && len >= 2) {  // a DSP0277 element: SMDataVersion ‖ SMDataID ‖ payload
      const unsigned id = at(d + 1);
      const std::size_t payload = len - 2;
      const unsigned first = payload != 0 ? at(d + 2) : 0;
      if (at(d) != sm_data_version_1) return errc::invalid_field;
      if (id <= 2) {
        if ((seen >> id) & 1u) return errc::invalid_field;
        seen |= 1u << id;
      }
      if ((id == 0 && payload != 2) ||                                             // VersionSelection
          (id == 1 && (first == 0 || payload != 1 + 2 * std::size_t{first})) ||    // SupportedVersion
          (id == 2 && (payload != 1 || first > aead_limit_exponent_max)))           // AEAD limit
        return errc::invalid_field;
      if (id == 1) {
        list = d + 3;
        versions = first;
      }
    }
    o = d + len + pad;
  }
  if (bad != 0 || o != size) return errc::invalid_field;
  if (versions == 0) return ours.front();
  for (std::size_t i = ours.size(); i-- > 0;)
    for (std::size_t j = 0; j < versions; ++j)
      if (at(list + 2 * j + 1) == ours[i].version_byte()) return ours[i];
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
