// SPDX-License-Identifier: Apache-2.0
// Engine configuration is a type (DESIGN: "configuration is a type"). A configuration is a struct
// with static constexpr members; inherit the defaults and override what differs:
//
//   struct rot_config : pmci::spdm::responder_defaults {
//     static constexpr pmci::spdm::version_set versions{pmci::spdm::v1_2, pmci::spdm::v1_3};
//     static constexpr std::array hash_algs{pmci::spdm::base_hash::sha384};
//     static constexpr std::array asym_algs{pmci::spdm::base_asym::ecdsa_p384};
//     static constexpr auto capabilities = pmci::spdm::rsp_cap::cert | pmci::spdm::rsp_cap::chal
//                                        | pmci::spdm::rsp_cap::meas_sig;
//     static constexpr std::uint32_t max_message_size = 4096;
//   };
//
// Algorithm lists are in priority order: a responder selects, from what the requester offers,
// the first entry of its own list (DSP0274 leaves the choice to the responder; libspdm does the
// same with its priority tables); a requester offers every entry. What a configuration does not
// enable is not compiled: the engines branch on these constants with `if constexpr`.
//
// The engines check a configuration (and that the crypto policy can do what it lists) with
// static_asserts that read as sentences; see tests/compile_fail/ for each of them.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "pmci/crypto/concepts.hpp"
#include "pmci/spdm/capabilities.hpp"
#include "pmci/spdm/crypto_map.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

/// OtherParamsSupport / OtherParamsSelection opaque data format bits (1.2+, spdm.md §5.1).
inline constexpr std::uint8_t opaque_data_fmt0 = 0x01;  // vendor-defined format
inline constexpr std::uint8_t opaque_data_fmt1 = 0x02;  // DMTF general format (spdm.md §14)

/// Where a connection is (DSP0274 connection states as far as attestation needs them).
enum class connection_state : std::uint8_t {
  not_started,         ///< before GET_VERSION (or after RequestResynch)
  after_version,       ///< VERSION exchanged
  after_capabilities,  ///< CAPABILITIES exchanged: the version is fixed
  negotiated,          ///< ALGORITHMS exchanged: everything else may follow
};

/// Run-time narrowing of what an engine offers and accepts (host tools such as the spdm-emu
/// stand-ins in examples/spdm_emu take versions and algorithms from a command line). Only for a
/// configuration with `runtime_limits = true` (the engines then keep one of these; otherwise it
/// costs nothing). Each mask is ANDed with what the configuration lists, priorities stay the
/// configuration's: a responder still selects the first of its own list, now among the allowed
/// ones; a requester offers the allowed subset. Masks use the wire bit values (raw(e)).
struct offer_limits {
  version_set versions = all_versions;
  std::uint32_t hash = 0xFFFFFFFFu;       ///< BaseHashAlgo
  std::uint32_t asym = 0xFFFFFFFFu;       ///< BaseAsymAlgo
  std::uint32_t meas_hash = 0xFFFFFFFFu;  ///< MeasurementHashAlgo (responder)
  std::uint16_t dhe = 0xFFFF;
  std::uint16_t aead = 0xFFFF;
  std::uint16_t req_asym = 0xFFFF;
  std::uint16_t key_schedule = 0xFFFF;
  std::uint32_t capabilities = 0xFFFFFFFFu;  ///< raw rsp_cap (responder) / req_cap (requester) flags kept
};

/// What both engine configurations share.
struct engine_defaults {
  /// SPDM versions offered (VERSION) / accepted.
  static constexpr version_set versions = all_versions;
  /// CTExponent: 2^ct_exponent µs is the longest this side needs for a cryptographic operation.
  static constexpr std::uint8_t ct_exponent = 20;
  /// The largest SPDM message this side receives and sends (DataTransferSize = MaxSPDMmsgSize in
  /// CAPABILITIES 1.2+; pmci does not do CHUNK_SEND/CHUNK_GET). Sizes the engines' buffers.
  static constexpr std::uint32_t max_message_size = 4096;
  /// BaseHashAlgo and BaseAsymAlgo, in priority order.
  static constexpr std::array hash_algs{base_hash::sha384, base_hash::sha256};
  static constexpr std::array asym_algs{base_asym::ecdsa_p384, base_asym::ecdsa_p256};
  /// MeasurementSpecification offered / supported.
  static constexpr meas_spec measurement_spec = meas_spec::dmtf;
  /// Opaque data formats (1.2+), a bitmask of opaque_data_fmt0/1; a responder prefers format 1.
  static constexpr std::uint8_t opaque_data_formats = opaque_data_fmt1;
  /// MELSpecification (1.3).
  static constexpr meas_spec mel_spec = meas_spec::none;
  /// AlgStructs (1.1+), in priority order. Only the session layer uses them; an attestation-only
  /// engine leaves them empty (they are still negotiated on the wire when listed).
  static constexpr std::array<dhe_group, 0> dhe_groups{};
  static constexpr std::array<aead_suite, 0> aead_suites{};
  static constexpr std::array<base_asym, 0> req_asym_algs{};
  static constexpr std::array<key_schedule, 0> key_schedules{};
  /// Certificate slots this side keeps state for (1..8).
  static constexpr std::size_t slot_count = 1;
  /// Test / replay escape hatch: advertise capability flags that this engine does not implement
  /// (e.g. to reproduce the CAPABILITIES of a fuller implementation byte for byte). Requests for
  /// them are answered with ERROR UnsupportedRequest. Never set this in a product.
  static constexpr bool advertise_unimplemented_capabilities = false;
  /// The session layer (pmci/spdm/session/responder_session.hpp, requester_session.hpp) runs in
  /// front of this engine and serves KEY_EXCHANGE & co.: the session capability flags may be set.
  static constexpr bool session_layer = false;
  /// Keep an offer_limits that set_limits() narrows at run time (host tools; never needed in
  /// firmware, where the configuration is the policy).
  static constexpr bool runtime_limits = false;
};

/// Responder defaults: certificates, CHALLENGE and signed measurements, SPDM 1.0-1.3, P-384/P-256.
struct responder_defaults : engine_defaults {
  static constexpr rsp_cap capabilities = rsp_cap::cert | rsp_cap::chal | rsp_cap::meas_sig;
  /// MeasurementHashAlgo in priority order (the responder picks; the requester does not offer).
  static constexpr std::array measurement_hash_algs{meas_hash::sha384, meas_hash::sha256};
  /// ResponseNotReady timing (spdm.md §8): the requester waits 2^rdt_exponent µs, and the
  /// responder keeps the response for rdtm times that.
  static constexpr std::uint8_t rdt_exponent = 20;
  static constexpr std::uint8_t rdtm = 4;
};

/// Requester defaults: a verifier (no certificate of its own), SPDM 1.0-1.3, P-384/P-256.
struct requester_defaults : engine_defaults {
  static constexpr req_cap capabilities = req_cap::none;
  static constexpr std::uint8_t ct_exponent = 0;
  static constexpr std::size_t slot_count = 8;
  /// Largest SPDM certificate chain accepted (header + root hash + certificates); the requester
  /// keeps one chain buffer of this size to validate it.
  static constexpr std::size_t max_cert_chain_size = 4096;
  /// Most VERSION entries accepted from a responder (sizes the VCA buffer).
  static constexpr std::size_t max_version_entries = 16;
  /// 1.3: set MultiKeyConn in NEGOTIATE_ALGORITHMS (DIGESTS then carry key-pair information).
  static constexpr bool multi_key_conn = false;
  /// ERROR Busy: resend up to busy_retries times, busy_retry_delay_us apart.
  static constexpr unsigned busy_retries = 3;
  static constexpr std::uint32_t busy_retry_delay_us = 10'000;
  /// ERROR ResponseNotReady: at most this many RESPOND_IF_READY per request.
  static constexpr unsigned not_ready_retries = 8;
  /// Transport round-trip allowance added to ST1 / CT (DSP0274 "RTT"; DSP0275 value UNCONFIRMED).
  static constexpr std::uint32_t rtt_us = 100'000;
  /// The blocking API (run(), connect(), attest(), ... over a message_transport) keeps a receive
  /// buffer of 1 + max_message_size bytes in the requester. A requester driven only step-wise
  /// (next_request / on_response: firmware, event loops) sets this to false and saves it.
  static constexpr bool blocking_api = true;
  /// VENDOR_DEFINED_REQUEST (start_vendor_defined / vendor_defined()); false leaves its codec and
  /// response handling out of a requester that never sends one.
  static constexpr bool vendor_defined = true;
};

namespace detail {

template <class E>
using raw_t = std::underlying_type_t<E>;

/// OR of the listed algorithms (what a requester offers).
template <class E, std::size_t N>
constexpr raw_t<E> mask_of(const std::array<E, N>& list) noexcept {
  raw_t<E> m = 0;
  for (E e : list) m = static_cast<raw_t<E>>(m | raw(e));
  return m;
}

/// The first entry of `priority` that `peer` also has (a responder's selection), or E::none.
template <class E, std::size_t N>
constexpr E select_first(const std::array<E, N>& priority, raw_t<E> peer) noexcept {
  for (E e : priority)
    if ((raw(e) & peer) != 0) return e;
  return static_cast<E>(0);
}

template <class E, std::size_t N>
constexpr bool contains(const std::array<E, N>& list, E e) noexcept {
  for (E x : list)
    if (x == e) return true;
  return false;
}

/// The engines' storage for offer_limits: empty unless Config::runtime_limits.
template <bool Enabled>
struct limits_holder {
  static constexpr offer_limits value{};
};
template <>
struct limits_holder<true> {
  offer_limits value{};
};
template <class Config>
constexpr bool has_runtime_limits() noexcept {
  if constexpr (requires { Config::runtime_limits; }) return Config::runtime_limits;
  else return false;
}

template <std::size_t N>
constexpr std::size_t max_hash_size(const std::array<base_hash, N>& list) noexcept {
  std::size_t m = 0;
  for (auto h : list) m = hash_size(h) > m ? hash_size(h) : m;
  return m;
}
template <std::size_t N>
constexpr std::size_t max_signature_size(const std::array<base_asym, N>& list) noexcept {
  std::size_t m = 0;
  for (auto a : list) m = signature_size(a) > m ? signature_size(a) : m;
  return m;
}

template <class E, std::size_t N>
constexpr bool all_single(const std::array<E, N>& list) noexcept {
  for (E e : list)
    if (!single(e)) return false;
  return true;
}

/// Every listed hash / signature algorithm has a crypto identifier and is in the policy's sets.
template <class Crypto, std::size_t N>
constexpr bool policy_hashes(const std::array<base_hash, N>& list) noexcept {
  for (auto h : list) {
    const auto c = to_crypto(h);
    if (!c || !static_cast<crypto::hash_set>(Crypto::hashes).contains(*c)) return false;
  }
  return true;
}
template <class Crypto, std::size_t N>
constexpr bool policy_signs(const std::array<base_asym, N>& list) noexcept {
  for (auto a : list) {
    const auto c = to_crypto(a);
    if (!c || !static_cast<crypto::sig_set>(Crypto::sign_algs).contains(*c)) return false;
  }
  return true;
}
template <class Crypto, std::size_t N>
constexpr bool policy_verifies(const std::array<base_asym, N>& list) noexcept {
  for (auto a : list) {
    const auto c = to_crypto(a);
    if (!c || !static_cast<crypto::sig_set>(Crypto::verify_algs).contains(*c)) return false;
  }
  return true;
}
template <class Crypto, std::size_t N>
constexpr bool policy_dhe(const std::array<dhe_group, N>& list) noexcept {
  if constexpr (N == 0) {
    return true;
  } else {
    if constexpr (!requires { Crypto::dhe_groups; }) {
      return false;
    } else {
      for (auto g : list) {
        const auto c = to_crypto(g);
        if (!c || !static_cast<crypto::dhe_set>(Crypto::dhe_groups).contains(*c)) return false;
      }
      return true;
    }
  }
}
template <class Crypto, std::size_t N>
constexpr bool policy_aead(const std::array<aead_suite, N>& list) noexcept {
  if constexpr (N == 0) {
    return true;
  } else {
    if constexpr (!requires { Crypto::aeads; }) {
      return false;
    } else {
      for (auto a : list) {
        const auto c = to_crypto(a);
        if (!c || !static_cast<crypto::aead_set>(Crypto::aeads).contains(*c)) return false;
      }
      return true;
    }
  }
}

/// Capability bits the attestation engines implement (everything else belongs to the session
/// layer or to optional DSP0274 features pmci does not have yet).
inline constexpr rsp_cap rsp_implemented =
    rsp_cap::cert | rsp_cap::chal | rsp_cap::meas_mask | rsp_cap::meas_fresh;
inline constexpr req_cap req_implemented = req_cap::none;
/// What the session layer adds when Config::session_layer is set.
inline constexpr rsp_cap rsp_session_caps = rsp_cap::encrypt | rsp_cap::mac | rsp_cap::mut_auth | rsp_cap::key_ex |
                                            rsp_cap::psk_mask | rsp_cap::encap | rsp_cap::hbeat | rsp_cap::key_upd |
                                            rsp_cap::handshake_in_the_clear;
inline constexpr req_cap req_session_caps = req_cap::cert | req_cap::encrypt | req_cap::mac | req_cap::mut_auth |
                                            req_cap::key_ex | req_cap::psk | req_cap::encap | req_cap::hbeat |
                                            req_cap::key_upd | req_cap::handshake_in_the_clear;

/// Flags set in caps that DSP0274 version v defines (CAPABILITIES carries only those).
constexpr rsp_cap masked(rsp_cap caps, version v) noexcept { return caps & defined_flags(rsp_cap{}, v); }
constexpr req_cap masked(req_cap caps, version v) noexcept { return caps & defined_flags(req_cap{}, v); }

template <class F>
constexpr bool valid_at_every_version(version_set vs, F caps) noexcept {
  for (std::uint8_t b = 0x10; b <= 0x13; ++b) {
    const auto v = static_cast<version>(b);
    if (vs.contains(v) && !validate(masked(caps, v), v)) return false;
  }
  return true;
}

/// Largest CHALLENGE_AUTH for the configured algorithms (no opaque data): the smallest message
/// buffer a signing responder can live with.
template <class Config>
constexpr std::size_t challenge_auth_size() noexcept {
  return 4 + 2 * max_hash_size(Config::hash_algs) + nonce_size + 2 + requester_context_size +
         max_signature_size(Config::asym_algs);
}

}  // namespace detail

/// Compile-time checks of a responder configuration against DSP0274's rules and the crypto
/// policy; each failure is a static_assert with a sentence (tests/compile_fail/).
template <class Config, class Crypto>
consteval bool check_responder_config() {
  constexpr rsp_cap caps = Config::capabilities;
  constexpr bool signs = any(caps, rsp_cap::chal) || (caps & rsp_cap::meas_mask) == rsp_cap::meas_sig;
  static_assert(!Config::versions.empty() && (Config::versions.bits() & ~0x0Fu) == 0,
                "spdm::responder: Config::versions must name at least one of SPDM 1.0, 1.1, 1.2, 1.3");
  static_assert(Config::slot_count >= 1 && Config::slot_count <= 8,
                "spdm::responder: Config::slot_count must be between 1 and 8 (DSP0274 has 8 certificate slots)");
  static_assert(!has(caps, rsp_cap::chal) || has(caps, rsp_cap::cert),
                "spdm::responder: CHAL_CAP requires CERT_CAP (the requester needs the certificate chain to check CHALLENGE_AUTH)");
  static_assert((caps & rsp_cap::meas_mask) != rsp_cap::meas_mask,
                "spdm::responder: MEAS_CAP = 11b is illegal; use rsp_cap::meas_no_sig or rsp_cap::meas_sig");
  static_assert((caps & rsp_cap::meas_mask) != rsp_cap::meas_sig || has(caps, rsp_cap::cert),
                "spdm::responder: signed measurements (MEAS_CAP = 10b) require CERT_CAP");
  static_assert(!has(caps, rsp_cap::meas_fresh) || (caps & rsp_cap::meas_mask) != rsp_cap::none,
                "spdm::responder: MEAS_FRESH_CAP requires MEAS_CAP");
  static_assert(Config::advertise_unimplemented_capabilities ||
                    (raw(caps) & ~raw(detail::rsp_implemented |
                                      (Config::session_layer ? detail::rsp_session_caps : rsp_cap::none))) == 0,
                "spdm::responder: Config::capabilities lists a capability this responder does not implement "
                "(sessions, PSK, mutual authentication, chunking, certificate provisioning, events, ...); "
                "the attestation responder supports CERT_CAP, CHAL_CAP, MEAS_CAP and MEAS_FRESH_CAP");
  static_assert(detail::valid_at_every_version(Config::versions, caps),
                "spdm::responder: Config::capabilities break DSP0274's flag consistency rules at one of the "
                "configured versions (see pmci::spdm::validate(rsp_cap, version))");
  static_assert(!Config::hash_algs.empty() && detail::all_single(Config::hash_algs),
                "spdm::responder: Config::hash_algs must list at least one BaseHashAlgo, one algorithm per entry");
  static_assert(!signs || (!Config::asym_algs.empty() && detail::all_single(Config::asym_algs)),
                "spdm::responder: a responder that signs (CHAL_CAP or signed MEAS_CAP) needs Config::asym_algs");
  static_assert((caps & rsp_cap::meas_mask) == rsp_cap::none ||
                    (!Config::measurement_hash_algs.empty() && detail::all_single(Config::measurement_hash_algs) &&
                     Config::measurement_spec == meas_spec::dmtf),
                "spdm::responder: MEAS_CAP needs Config::measurement_hash_algs and measurement_spec = meas_spec::dmtf");
  static_assert(Config::max_message_size >= 42 && Config::max_message_size <= 0xFFFFFFu,
                "spdm::responder: Config::max_message_size must be at least 42 (DSP0274 minimum DataTransferSize)");
  static_assert(!signs || Config::max_message_size >= detail::challenge_auth_size<Config>(),
                "spdm::responder: Config::max_message_size is too small for a CHALLENGE_AUTH / MEASUREMENTS "
                "signature with the configured algorithms");
  static_assert((Config::opaque_data_formats & ~0x03u) == 0,
                "spdm::responder: Config::opaque_data_formats is a mask of opaque_data_fmt0 and opaque_data_fmt1");
  static_assert(crypto::hash_policy<Crypto>,
                "spdm::responder: the crypto policy must provide hashing (pmci::crypto::hash_policy)");
  if constexpr (crypto::hash_policy<Crypto>)
    static_assert(detail::policy_hashes<Crypto>(Config::hash_algs),
                  "spdm::responder: the crypto policy lacks a hash algorithm listed in Config::hash_algs");
  if constexpr (signs) {
    static_assert(crypto::sign_policy<Crypto>,
                  "spdm::responder: CHAL_CAP / signed MEAS_CAP need a crypto policy that signs (pmci::crypto::sign_policy)");
    if constexpr (crypto::sign_policy<Crypto>)
      static_assert(detail::policy_signs<Crypto>(Config::asym_algs),
                    "spdm::responder: the crypto policy cannot sign with an algorithm listed in Config::asym_algs");
    static_assert(crypto::random_policy<Crypto>,
                  "spdm::responder: CHAL_CAP / signed MEAS_CAP need a crypto policy with random(): nonces");
  }
  static_assert(detail::policy_dhe<Crypto>(Config::dhe_groups),
                "spdm::responder: the crypto policy lacks a DHE group listed in Config::dhe_groups");
  static_assert(detail::policy_aead<Crypto>(Config::aead_suites),
                "spdm::responder: the crypto policy lacks an AEAD listed in Config::aead_suites");
  return true;
}

/// Compile-time checks of a requester configuration (same style).
template <class Config, class Crypto>
consteval bool check_requester_config() {
  constexpr req_cap caps = Config::capabilities;
  static_assert(!Config::versions.empty() && (Config::versions.bits() & ~0x0Fu) == 0,
                "spdm::requester: Config::versions must name at least one of SPDM 1.0, 1.1, 1.2, 1.3");
  static_assert(Config::slot_count >= 1 && Config::slot_count <= 8,
                "spdm::requester: Config::slot_count must be between 1 and 8 (DSP0274 has 8 certificate slots)");
  static_assert(Config::advertise_unimplemented_capabilities ||
                    (raw(caps) & ~raw(detail::req_implemented |
                                      (Config::session_layer ? detail::req_session_caps : req_cap::none))) == 0,
                "spdm::requester: Config::capabilities lists a capability this requester does not implement "
                "(its own certificate, mutual authentication, sessions, chunking, ...); an attestation "
                "requester advertises req_cap::none");
  static_assert(detail::valid_at_every_version(Config::versions, caps),
                "spdm::requester: Config::capabilities break DSP0274's flag consistency rules at one of the "
                "configured versions (see pmci::spdm::validate(req_cap, version))");
  static_assert(!Config::hash_algs.empty() && detail::all_single(Config::hash_algs),
                "spdm::requester: Config::hash_algs must list at least one BaseHashAlgo, one algorithm per entry");
  static_assert(!Config::asym_algs.empty() && detail::all_single(Config::asym_algs),
                "spdm::requester: Config::asym_algs must list at least one BaseAsymAlgo to verify signatures with");
  static_assert(Config::max_message_size >= 42 && Config::max_message_size <= 0xFFFFFFu,
                "spdm::requester: Config::max_message_size must be at least 42 (DSP0274 minimum DataTransferSize)");
  static_assert(Config::max_cert_chain_size >= 4 + 32 && Config::max_cert_chain_size <= 0xFFFF,
                "spdm::requester: Config::max_cert_chain_size must be between 36 and 65535 bytes (16-bit chain Length)");
  static_assert((Config::opaque_data_formats & ~0x03u) == 0,
                "spdm::requester: Config::opaque_data_formats is a mask of opaque_data_fmt0 and opaque_data_fmt1");
  static_assert(crypto::hash_policy<Crypto>,
                "spdm::requester: the crypto policy must provide hashing (pmci::crypto::hash_policy)");
  static_assert(crypto::verify_policy<Crypto>,
                "spdm::requester: the crypto policy must verify signatures (pmci::crypto::verify_policy)");
  static_assert(crypto::cert_policy<Crypto>,
                "spdm::requester: the crypto policy must validate certificate chains (pmci::crypto::cert_policy)");
  static_assert(crypto::random_policy<Crypto>,
                "spdm::requester: the crypto policy must provide random() for nonces");
  if constexpr (crypto::hash_policy<Crypto>)
    static_assert(detail::policy_hashes<Crypto>(Config::hash_algs),
                  "spdm::requester: the crypto policy lacks a hash algorithm listed in Config::hash_algs");
  if constexpr (crypto::verify_policy<Crypto>)
    static_assert(detail::policy_verifies<Crypto>(Config::asym_algs),
                  "spdm::requester: the crypto policy cannot verify an algorithm listed in Config::asym_algs");
  static_assert(detail::policy_dhe<Crypto>(Config::dhe_groups),
                "spdm::requester: the crypto policy lacks a DHE group listed in Config::dhe_groups");
  static_assert(detail::policy_aead<Crypto>(Config::aead_suites),
                "spdm::requester: the crypto policy lacks an AEAD listed in Config::aead_suites");
  return true;
}

}  // namespace pmci::spdm
