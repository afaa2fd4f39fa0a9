// SPDX-License-Identifier: Apache-2.0
// SPDM (DSP0274) vocabulary shared by codecs, engines and tools: versions, request/response
// codes, error codes, capability flags, algorithm bitmasks and the sizes that follow from a
// negotiated algorithm set. Facts: shared/spec/spdm.md §1, §2, §4.1, §5.3, §5.4, §8, §0 (sizes).
#pragma once
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "pmci/core/size_table.hpp"

namespace pmci::spdm {

// ---------------------------------------------------------------------------------------------
// Versions (spdm.md §1): the SPDMVersion byte is major<<4 | minor.
enum class version : std::uint8_t { v1_0 = 0x10, v1_1 = 0x11, v1_2 = 0x12, v1_3 = 0x13 };
inline constexpr version v1_0 = version::v1_0;
inline constexpr version v1_1 = version::v1_1;
inline constexpr version v1_2 = version::v1_2;
inline constexpr version v1_3 = version::v1_3;

constexpr std::uint8_t to_byte(version v) noexcept { return static_cast<std::uint8_t>(v); }
constexpr std::uint8_t major_of(version v) noexcept { return to_byte(v) >> 4; }
constexpr std::uint8_t minor_of(version v) noexcept { return to_byte(v) & 0x0F; }
/// True for the versions pmci implements (1.0-1.3).
constexpr bool is_known(std::uint8_t b) noexcept { return b >= 0x10 && b <= 0x13; }
constexpr bool operator<(version a, version b) noexcept { return to_byte(a) < to_byte(b); }
constexpr bool operator<=(version a, version b) noexcept { return to_byte(a) <= to_byte(b); }
constexpr bool operator>(version a, version b) noexcept { return to_byte(a) > to_byte(b); }
constexpr bool operator>=(version a, version b) noexcept { return to_byte(a) >= to_byte(b); }

/// 16-bit version number entry (VERSION response, secured-message version lists): bits 15:12
/// major, 11:8 minor, 7:4 update, 3:0 alpha; little-endian on the wire (1.2 -> bytes 00 12).
struct version_number {
  std::uint16_t raw = 0;
  constexpr std::uint8_t major() const noexcept { return static_cast<std::uint8_t>(raw >> 12); }
  constexpr std::uint8_t minor() const noexcept { return static_cast<std::uint8_t>((raw >> 8) & 0xF); }
  constexpr std::uint8_t update() const noexcept { return static_cast<std::uint8_t>((raw >> 4) & 0xF); }
  constexpr std::uint8_t alpha() const noexcept { return static_cast<std::uint8_t>(raw & 0xF); }
  /// The SPDMVersion byte this entry selects (major.minor).
  constexpr std::uint8_t version_byte() const noexcept { return static_cast<std::uint8_t>(raw >> 8); }
  static constexpr version_number of(version v) noexcept { return {static_cast<std::uint16_t>(to_byte(v) << 8)}; }
  friend constexpr bool operator==(version_number, version_number) = default;
};

/// A set of versions (bit i = 1.i), e.g. for a configuration: version_set{v1_2, v1_3}.
class version_set {
 public:
  constexpr version_set() noexcept = default;
  template <class... V>
    requires(std::is_same_v<V, version> && ...)
  constexpr version_set(V... vs) noexcept : bits_(static_cast<std::uint8_t>((0u | ... | bit(vs)))) {}  // NOLINT
  constexpr bool contains(version v) const noexcept { return (bits_ & bit(v)) != 0; }
  constexpr bool empty() const noexcept { return bits_ == 0; }
  constexpr version_set operator&(version_set o) const noexcept { return from_bits(bits_ & o.bits_); }
  constexpr version_set operator|(version_set o) const noexcept { return from_bits(bits_ | o.bits_); }
  constexpr void insert(version v) noexcept { bits_ = static_cast<std::uint8_t>(bits_ | bit(v)); }
  /// Highest version in the set; only valid when !empty().
  constexpr version highest() const noexcept {
    for (int m = 3; m >= 0; --m)
      if (bits_ & (1u << m)) return static_cast<version>(0x10 + m);
    return version::v1_0;
  }
  constexpr version lowest() const noexcept {
    for (int m = 0; m <= 3; ++m)
      if (bits_ & (1u << m)) return static_cast<version>(0x10 + m);
    return version::v1_0;
  }
  constexpr std::uint8_t bits() const noexcept { return bits_; }
  static constexpr version_set from_bits(unsigned b) noexcept { version_set s; s.bits_ = static_cast<std::uint8_t>(b & 0xF); return s; }
  friend constexpr bool operator==(version_set, version_set) = default;

 private:
  static constexpr unsigned bit(version v) noexcept { return 1u << (minor_of(v) & 0x3); }
  std::uint8_t bits_ = 0;
};
inline constexpr version_set all_versions{v1_0, v1_1, v1_2, v1_3};

// ---------------------------------------------------------------------------------------------
// Request and response codes (spdm.md §2). A response code is the request code with bit 7
// clear, except ERROR (0x7F) and RESPOND_IF_READY (answered with the original response).
enum class code : std::uint8_t {
  // responses
  digests = 0x01, certificate = 0x02, challenge_auth = 0x03, version = 0x04,
  chunk_send_ack = 0x05, chunk_response = 0x06, endpoint_info = 0x07,
  measurements = 0x60, capabilities = 0x61, supported_event_types = 0x62, algorithms = 0x63,
  key_exchange_rsp = 0x64, finish_rsp = 0x65, psk_exchange_rsp = 0x66, psk_finish_rsp = 0x67,
  heartbeat_ack = 0x68, key_update_ack = 0x69, encapsulated_request = 0x6A,
  encapsulated_response_ack = 0x6B, end_session_ack = 0x6C, csr = 0x6D, set_certificate_rsp = 0x6E,
  measurement_extension_log = 0x6F, subscribe_event_types_ack = 0x70, event_ack = 0x71,
  key_pair_info = 0x7C, set_key_pair_info_ack = 0x7D, vendor_defined_response = 0x7E, error = 0x7F,
  // requests
  get_digests = 0x81, get_certificate = 0x82, challenge = 0x83, get_version = 0x84,
  chunk_send = 0x85, chunk_get = 0x86, get_endpoint_info = 0x87,
  get_measurements = 0xE0, get_capabilities = 0xE1, get_supported_event_types = 0xE2,
  negotiate_algorithms = 0xE3, key_exchange = 0xE4, finish = 0xE5, psk_exchange = 0xE6,
  psk_finish = 0xE7, heartbeat = 0xE8, key_update = 0xE9, get_encapsulated_request = 0xEA,
  deliver_encapsulated_response = 0xEB, end_session = 0xEC, get_csr = 0xED, set_certificate = 0xEE,
  get_measurement_extension_log = 0xEF, subscribe_event_types = 0xF0, send_event = 0xF1,
  get_key_pair_info = 0xFC, set_key_pair_info = 0xFD, vendor_defined_request = 0xFE,
  respond_if_ready = 0xFF,
};

constexpr bool is_request(code c) noexcept { return (static_cast<std::uint8_t>(c) & 0x80) != 0; }
/// The response code that answers request c (meaningless for RESPOND_IF_READY).
constexpr code response_to(code c) noexcept { return static_cast<code>(static_cast<std::uint8_t>(c) & 0x7F); }

namespace detail {
/// introduced_in()'s rule, evaluated only at compile time (into introduced_table).
constexpr version introduced_in_rule(code c) noexcept {
  switch (c) {
    case code::get_digests: case code::digests: case code::get_certificate: case code::certificate:
    case code::challenge: case code::challenge_auth: case code::get_version: case code::version:
    case code::get_measurements: case code::measurements: case code::get_capabilities:
    case code::capabilities: case code::negotiate_algorithms: case code::algorithms:
    case code::vendor_defined_request: case code::vendor_defined_response: case code::respond_if_ready:
    case code::error:
      return version::v1_0;
    case code::key_exchange: case code::key_exchange_rsp: case code::finish: case code::finish_rsp:
    case code::psk_exchange: case code::psk_exchange_rsp: case code::psk_finish: case code::psk_finish_rsp:
    case code::heartbeat: case code::heartbeat_ack: case code::key_update: case code::key_update_ack:
    case code::get_encapsulated_request: case code::encapsulated_request:
    case code::deliver_encapsulated_response: case code::encapsulated_response_ack:
    case code::end_session: case code::end_session_ack:
      return version::v1_1;
    case code::chunk_send: case code::chunk_send_ack: case code::chunk_get: case code::chunk_response:
    case code::get_csr: case code::csr: case code::set_certificate: case code::set_certificate_rsp:
      return version::v1_2;
    default:
      return version::v1_3;
  }
}
/// introduced_in_rule() of every code byte, 2 bits each (version - 0x10): 64 bytes of table
/// instead of the switch's compare ladder in every image (issue 9 footprint).
inline constexpr std::array<std::uint8_t, 64> introduced_table = [] {
  std::array<std::uint8_t, 64> t{};
  for (unsigned c = 0; c < 256; ++c)
    t[c / 4] = static_cast<std::uint8_t>(t[c / 4] | (to_byte(introduced_in_rule(static_cast<code>(c))) - 0x10) << (2 * (c % 4)));
  return t;
}();
}  // namespace detail

/// The first SPDM version that defines request/response code c (spdm.md §2).
constexpr version introduced_in(code c) noexcept {
  const unsigned i = static_cast<std::uint8_t>(c);
  return static_cast<version>(0x10 + ((detail::introduced_table[i / 4] >> (2 * (i % 4))) & 3));
}

/// The name as DSP0274 spells it ("GET_VERSION", "KEY_EXCHANGE_RSP", ...); "UNKNOWN" otherwise.
constexpr const char* name(code c) noexcept {
  switch (c) {
    case code::digests: return "DIGESTS";
    case code::certificate: return "CERTIFICATE";
    case code::challenge_auth: return "CHALLENGE_AUTH";
    case code::version: return "VERSION";
    case code::chunk_send_ack: return "CHUNK_SEND_ACK";
    case code::chunk_response: return "CHUNK_RESPONSE";
    case code::endpoint_info: return "ENDPOINT_INFO";
    case code::measurements: return "MEASUREMENTS";
    case code::capabilities: return "CAPABILITIES";
    case code::supported_event_types: return "SUPPORTED_EVENT_TYPES";
    case code::algorithms: return "ALGORITHMS";
    case code::key_exchange_rsp: return "KEY_EXCHANGE_RSP";
    case code::finish_rsp: return "FINISH_RSP";
    case code::psk_exchange_rsp: return "PSK_EXCHANGE_RSP";
    case code::psk_finish_rsp: return "PSK_FINISH_RSP";
    case code::heartbeat_ack: return "HEARTBEAT_ACK";
    case code::key_update_ack: return "KEY_UPDATE_ACK";
    case code::encapsulated_request: return "ENCAPSULATED_REQUEST";
    case code::encapsulated_response_ack: return "ENCAPSULATED_RESPONSE_ACK";
    case code::end_session_ack: return "END_SESSION_ACK";
    case code::csr: return "CSR";
    case code::set_certificate_rsp: return "SET_CERTIFICATE_RSP";
    case code::measurement_extension_log: return "MEASUREMENT_EXTENSION_LOG";
    case code::subscribe_event_types_ack: return "SUBSCRIBE_EVENT_TYPES_ACK";
    case code::event_ack: return "EVENT_ACK";
    case code::key_pair_info: return "KEY_PAIR_INFO";
    case code::set_key_pair_info_ack: return "SET_KEY_PAIR_INFO_ACK";
    case code::vendor_defined_response: return "VENDOR_DEFINED_RESPONSE";
    case code::error: return "ERROR";
    case code::get_digests: return "GET_DIGESTS";
    case code::get_certificate: return "GET_CERTIFICATE";
    case code::challenge: return "CHALLENGE";
    case code::get_version: return "GET_VERSION";
    case code::chunk_send: return "CHUNK_SEND";
    case code::chunk_get: return "CHUNK_GET";
    case code::get_endpoint_info: return "GET_ENDPOINT_INFO";
    case code::get_measurements: return "GET_MEASUREMENTS";
    case code::get_capabilities: return "GET_CAPABILITIES";
    case code::get_supported_event_types: return "GET_SUPPORTED_EVENT_TYPES";
    case code::negotiate_algorithms: return "NEGOTIATE_ALGORITHMS";
    case code::key_exchange: return "KEY_EXCHANGE";
    case code::finish: return "FINISH";
    case code::psk_exchange: return "PSK_EXCHANGE";
    case code::psk_finish: return "PSK_FINISH";
    case code::heartbeat: return "HEARTBEAT";
    case code::key_update: return "KEY_UPDATE";
    case code::get_encapsulated_request: return "GET_ENCAPSULATED_REQUEST";
    case code::deliver_encapsulated_response: return "DELIVER_ENCAPSULATED_RESPONSE";
    case code::end_session: return "END_SESSION";
    case code::get_csr: return "GET_CSR";
    case code::set_certificate: return "SET_CERTIFICATE";
    case code::get_measurement_extension_log: return "GET_MEASUREMENT_EXTENSION_LOG";
    case code::subscribe_event_types: return "SUBSCRIBE_EVENT_TYPES";
    case code::send_event: return "SEND_EVENT";
    case code::get_key_pair_info: return "GET_KEY_PAIR_INFO";
    case code::set_key_pair_info: return "SET_KEY_PAIR_INFO";
    case code::vendor_defined_request: return "VENDOR_DEFINED_REQUEST";
    case code::respond_if_ready: return "RESPOND_IF_READY";
  }
  return "UNKNOWN";
}

// ---------------------------------------------------------------------------------------------
// ERROR codes (spdm.md §8).
enum class error_code : std::uint8_t {
  invalid_request = 0x01, invalid_session = 0x02, busy = 0x03, unexpected_request = 0x04,
  unspecified = 0x05, decrypt_error = 0x06, unsupported_request = 0x07, request_in_flight = 0x08,
  invalid_response_code = 0x09, session_limit_exceeded = 0x0A, session_required = 0x0B,
  reset_required = 0x0C, response_too_large = 0x0D, request_too_large = 0x0E,
  large_response = 0x0F, message_lost = 0x10, invalid_policy = 0x11,
  version_mismatch = 0x41, response_not_ready = 0x42, request_resynch = 0x43,
  operation_failed = 0x44, no_pending_requests = 0x45, vendor_defined = 0xFF,
};

constexpr const char* name(error_code e) noexcept {
  switch (e) {
    case error_code::invalid_request: return "InvalidRequest";
    case error_code::invalid_session: return "InvalidSession";
    case error_code::busy: return "Busy";
    case error_code::unexpected_request: return "UnexpectedRequest";
    case error_code::unspecified: return "Unspecified";
    case error_code::decrypt_error: return "DecryptError";
    case error_code::unsupported_request: return "UnsupportedRequest";
    case error_code::request_in_flight: return "RequestInFlight";
    case error_code::invalid_response_code: return "InvalidResponseCode";
    case error_code::session_limit_exceeded: return "SessionLimitExceeded";
    case error_code::session_required: return "SessionRequired";
    case error_code::reset_required: return "ResetRequired";
    case error_code::response_too_large: return "ResponseTooLarge";
    case error_code::request_too_large: return "RequestTooLarge";
    case error_code::large_response: return "LargeResponse";
    case error_code::message_lost: return "MessageLost";
    case error_code::invalid_policy: return "InvalidPolicy";
    case error_code::version_mismatch: return "VersionMismatch";
    case error_code::response_not_ready: return "ResponseNotReady";
    case error_code::request_resynch: return "RequestResynch";
    case error_code::operation_failed: return "OperationFailed";
    case error_code::no_pending_requests: return "NoPendingRequests";
    case error_code::vendor_defined: return "VendorDefined";
  }
  return "Reserved";
}

// ---------------------------------------------------------------------------------------------
// Bit-flag helper: enum class flags with |, &, ~ and has().
template <class E>
struct enable_flags : std::false_type {};
template <class E>
concept flag_enum = std::is_enum_v<E> && enable_flags<E>::value;

template <flag_enum E>
constexpr E operator|(E a, E b) noexcept {
  using U = std::underlying_type_t<E>;
  return static_cast<E>(static_cast<U>(static_cast<U>(a) | static_cast<U>(b)));
}
template <flag_enum E>
constexpr E operator&(E a, E b) noexcept {
  using U = std::underlying_type_t<E>;
  return static_cast<E>(static_cast<U>(static_cast<U>(a) & static_cast<U>(b)));
}
template <flag_enum E>
constexpr E operator~(E a) noexcept {
  using U = std::underlying_type_t<E>;
  return static_cast<E>(static_cast<U>(~static_cast<U>(a)));
}
template <flag_enum E>
constexpr E& operator|=(E& a, E b) noexcept { return a = a | b; }
template <flag_enum E>
constexpr E& operator&=(E& a, E b) noexcept { return a = a & b; }
/// True when every bit of `bits` is set in `value`.
template <flag_enum E>
constexpr bool has(E value, E bits) noexcept {
  using U = std::underlying_type_t<E>;
  return (static_cast<U>(value) & static_cast<U>(bits)) == static_cast<U>(bits);
}
/// True when any bit of `bits` is set in `value`.
template <flag_enum E>
constexpr bool any(E value, E bits) noexcept {
  using U = std::underlying_type_t<E>;
  return (static_cast<U>(value) & static_cast<U>(bits)) != 0;
}
template <flag_enum E>
constexpr auto raw(E e) noexcept { return static_cast<std::underlying_type_t<E>>(e); }

// ---------------------------------------------------------------------------------------------
// Capability flags (spdm.md §4.1). Multi-bit fields have one named value per encoding.
enum class rsp_cap : std::uint32_t {
  none = 0,
  cache = 1u << 0, cert = 1u << 1, chal = 1u << 2,
  meas_no_sig = 1u << 3, meas_sig = 2u << 3, meas_mask = 3u << 3,
  meas_fresh = 1u << 5, encrypt = 1u << 6, mac = 1u << 7, mut_auth = 1u << 8, key_ex = 1u << 9,
  psk = 1u << 10, psk_with_context = 2u << 10, psk_mask = 3u << 10,
  encap = 1u << 12, hbeat = 1u << 13, key_upd = 1u << 14, handshake_in_the_clear = 1u << 15,
  pub_key_id = 1u << 16, chunk = 1u << 17, alias_cert = 1u << 18, set_cert = 1u << 19,
  csr = 1u << 20, cert_install_reset = 1u << 21,
  ep_info_no_sig = 1u << 22, ep_info_sig = 2u << 22, ep_info_mask = 3u << 22,
  mel = 1u << 24, event = 1u << 25,
  multi_key_only = 1u << 26, multi_key_negotiated = 2u << 26, multi_key_mask = 3u << 26,
  get_key_pair_info = 1u << 28, set_key_pair_info = 1u << 29,
};
template <> struct enable_flags<rsp_cap> : std::true_type {};

enum class req_cap : std::uint32_t {
  none = 0,
  cert = 1u << 1, chal = 1u << 2, encrypt = 1u << 6, mac = 1u << 7, mut_auth = 1u << 8,
  key_ex = 1u << 9, psk = 1u << 10, psk_mask = 3u << 10, encap = 1u << 12, hbeat = 1u << 13,
  key_upd = 1u << 14, handshake_in_the_clear = 1u << 15, pub_key_id = 1u << 16, chunk = 1u << 17,
  ep_info_no_sig = 1u << 22, ep_info_sig = 2u << 22, ep_info_mask = 3u << 22, event = 1u << 25,
  multi_key_only = 1u << 26, multi_key_negotiated = 2u << 26, multi_key_mask = 3u << 26,
};
template <> struct enable_flags<req_cap> : std::true_type {};

// ---------------------------------------------------------------------------------------------
// Algorithms (spdm.md §5.3, §5.4). Wire bitmasks; one bit selected after negotiation.
enum class base_asym : std::uint32_t {
  none = 0,
  rsassa_2048 = 1u << 0, rsapss_2048 = 1u << 1, rsassa_3072 = 1u << 2, rsapss_3072 = 1u << 3,
  ecdsa_p256 = 1u << 4, rsassa_4096 = 1u << 5, rsapss_4096 = 1u << 6, ecdsa_p384 = 1u << 7,
  ecdsa_p521 = 1u << 8, sm2_p256 = 1u << 9, eddsa_ed25519 = 1u << 10, eddsa_ed448 = 1u << 11,
};
template <> struct enable_flags<base_asym> : std::true_type {};

enum class base_hash : std::uint32_t {
  none = 0,
  sha256 = 1u << 0, sha384 = 1u << 1, sha512 = 1u << 2,
  sha3_256 = 1u << 3, sha3_384 = 1u << 4, sha3_512 = 1u << 5, sm3_256 = 1u << 6,
};
template <> struct enable_flags<base_hash> : std::true_type {};

enum class meas_hash : std::uint32_t {
  none = 0,
  raw_bit_stream = 1u << 0, sha256 = 1u << 1, sha384 = 1u << 2, sha512 = 1u << 3,
  sha3_256 = 1u << 4, sha3_384 = 1u << 5, sha3_512 = 1u << 6, sm3_256 = 1u << 7,
};
template <> struct enable_flags<meas_hash> : std::true_type {};

enum class dhe_group : std::uint16_t {
  none = 0,
  ffdhe2048 = 1u << 0, ffdhe3072 = 1u << 1, ffdhe4096 = 1u << 2,
  secp256r1 = 1u << 3, secp384r1 = 1u << 4, secp521r1 = 1u << 5, sm2_p256 = 1u << 6,
};
template <> struct enable_flags<dhe_group> : std::true_type {};

enum class aead_suite : std::uint16_t {
  none = 0,
  aes_128_gcm = 1u << 0, aes_256_gcm = 1u << 1, chacha20_poly1305 = 1u << 2, sm4_gcm = 1u << 3,
};
template <> struct enable_flags<aead_suite> : std::true_type {};

enum class key_schedule : std::uint16_t { none = 0, spdm = 1u << 0 };
template <> struct enable_flags<key_schedule> : std::true_type {};

/// MeasurementSpecification / MELSpecification (bit 0 = DMTF).
enum class meas_spec : std::uint8_t { none = 0, dmtf = 1u << 0 };
template <> struct enable_flags<meas_spec> : std::true_type {};

/// AlgStruct AlgType values (spdm.md §5.4).
enum class alg_type : std::uint8_t { dhe = 2, aead = 3, req_base_asym = 4, key_schedule = 5 };

/// True when exactly one bit is set.
template <flag_enum E>
constexpr bool single(E e) noexcept {
  const auto v = raw(e);
  return v != 0 && (v & (v - 1)) == 0;
}

// Sizes (spdm.md §0). 0 means "none selected / unknown".
namespace detail {
/// The rule: BaseHashAlgo bit b (0 SHA-256, 1 SHA-384, 2 SHA-512, 3-5 SHA3-256/384/512, 6 SM3).
constexpr std::size_t hash_size_rule(std::size_t b) noexcept {
  switch (static_cast<base_hash>(std::uint32_t{1} << b)) {
    case base_hash::sha256: case base_hash::sha3_256: case base_hash::sm3_256: return 32;
    case base_hash::sha384: case base_hash::sha3_384: return 48;
    case base_hash::sha512: case base_hash::sha3_512: return 64;
    default: return 0;
  }
}
/// hash_size_rule(b) / 16 for b = 0..7, one nibble each (issue 9 footprint: a shift instead of a
/// compare ladder in every caller; tests/spdm/types_test.cpp holds it to the rule).
inline constexpr std::uint32_t hash_size_nibbles = [] {
  std::uint32_t t = 0;
  for (std::size_t b = 0; b < 8; ++b) t |= static_cast<std::uint32_t>(hash_size_rule(b) / 16) << (4 * b);
  return t;
}();
/// Size of the hash named by single bit b of v, 0 for several bits or none: nibble b of
/// `nibbles` x 16 (bits 0-7).
constexpr std::size_t hash_size_of_bits(std::uint32_t v, std::uint32_t nibbles) noexcept {
  if ((v & (v - 1)) != 0) return 0;
  const int b = std::countr_zero(v);  // 32 for none
  return b < 8 ? ((nibbles >> (4 * b)) & 0xFu) * 16 : 0;
}
}  // namespace detail
constexpr std::size_t hash_size(base_hash h) noexcept { return detail::hash_size_of_bits(raw(h), detail::hash_size_nibbles); }
namespace detail {
/// signature_size()'s rule for BaseAsymAlgo bit b; run by the compiler only (core/size_table.hpp).
constexpr std::size_t signature_size_rule(std::size_t b) noexcept {
  switch (static_cast<base_asym>(std::uint32_t{1} << b)) {
    case base_asym::rsassa_2048: case base_asym::rsapss_2048: return 256;
    case base_asym::rsassa_3072: case base_asym::rsapss_3072: return 384;
    case base_asym::rsassa_4096: case base_asym::rsapss_4096: return 512;
    case base_asym::ecdsa_p256: case base_asym::sm2_p256: case base_asym::eddsa_ed25519: return 64;
    case base_asym::ecdsa_p384: return 96;
    case base_asym::ecdsa_p521: return 132;
    case base_asym::eddsa_ed448: return 114;
    default: return 0;
  }
}
}  // namespace detail
/// A table lookup by bit number: BaseAsymAlgo names single bits, so any other value (none, or
/// several bits) has no size.
constexpr std::size_t signature_size(base_asym a) noexcept {
  const auto v = raw(a);
  if (v == 0 || (v & (v - 1)) != 0) return 0;
  return pmci::detail::table_size<32, detail::signature_size_rule>(static_cast<std::size_t>(std::countr_zero(v)));
}
/// Size of a measurement digest; raw bit stream has no fixed size (0). MeasurementHashAlgo bit
/// b + 1 names the hash of BaseHashAlgo bit b (spdm.md §5.4).
constexpr std::size_t hash_size(meas_hash h) noexcept {
  return detail::hash_size_of_bits(raw(h), detail::hash_size_nibbles << 4);  // bit 0: raw bit stream, 0
}
/// ExchangeData size (public key) of a DHE group.
constexpr std::size_t exchange_data_size(dhe_group g) noexcept {
  switch (g) {
    case dhe_group::ffdhe2048: return 256;
    case dhe_group::ffdhe3072: return 384;
    case dhe_group::ffdhe4096: return 512;
    case dhe_group::secp256r1: case dhe_group::sm2_p256: return 64;
    case dhe_group::secp384r1: return 96;
    case dhe_group::secp521r1: return 132;
    default: return 0;
  }
}
/// Shared secret size of a DHE group (ECDHE: the X coordinate).
constexpr std::size_t shared_secret_size(dhe_group g) noexcept {
  switch (g) {
    case dhe_group::ffdhe2048: return 256;
    case dhe_group::ffdhe3072: return 384;
    case dhe_group::ffdhe4096: return 512;
    case dhe_group::secp256r1: case dhe_group::sm2_p256: return 32;
    case dhe_group::secp384r1: return 48;
    case dhe_group::secp521r1: return 66;
    default: return 0;
  }
}
constexpr std::size_t aead_key_size(aead_suite a) noexcept {
  switch (a) {
    case aead_suite::aes_128_gcm: case aead_suite::sm4_gcm: return 16;
    case aead_suite::aes_256_gcm: case aead_suite::chacha20_poly1305: return 32;
    default: return 0;
  }
}
inline constexpr std::size_t aead_iv_size = 12;
inline constexpr std::size_t aead_tag_size = 16;
inline constexpr std::size_t nonce_size = 32;            // nonces and RandomData
inline constexpr std::size_t requester_context_size = 8;  // 1.3+

// ---------------------------------------------------------------------------------------------
/// What the codecs need to know about a connection to size algorithm-dependent fields. Filled
/// in by the engines after NEGOTIATE_ALGORITHMS (and by tools from the captured ALGORITHMS).
struct negotiated {
  version ver = version::v1_0;
  base_hash hash = base_hash::none;
  base_asym asym = base_asym::none;          // responder's signing algorithm
  base_asym req_asym = base_asym::none;      // requester's (mutual auth)
  meas_hash measurement_hash = meas_hash::none;
  dhe_group dhe = dhe_group::none;
  aead_suite aead = aead_suite::none;
  meas_spec measurement_spec = meas_spec::none;
  std::uint8_t other_params = 0;             // OtherParamsSelection (opaque data format, multi-key)
  rsp_cap rsp_caps = rsp_cap::none;
  req_cap req_caps = req_cap::none;
  bool multi_key_conn_rsp = false;           // responder DIGESTS carry KeyPairID/CertInfo/KeyUsage arrays
  bool multi_key_conn_req = false;           // requester's encapsulated DIGESTS do

  constexpr std::size_t h() const noexcept { return hash_size(hash); }
  constexpr std::size_t s() const noexcept { return signature_size(asym); }
  constexpr std::size_t req_s() const noexcept { return signature_size(req_asym); }
  constexpr std::size_t d() const noexcept { return exchange_data_size(dhe); }
  constexpr std::size_t mh() const noexcept { return hash_size(measurement_hash); }
  /// Both sides set HANDSHAKE_IN_THE_CLEAR_CAP (KEY_EXCHANGE_RSP then omits verify data).
  constexpr bool handshake_in_the_clear() const noexcept {
    return has(rsp_caps, rsp_cap::handshake_in_the_clear) && has(req_caps, req_cap::handshake_in_the_clear);
  }
  /// OpaqueDataFmt1 (1.2+ opaque header without SpecID) selected.
  constexpr bool opaque_fmt1() const noexcept { return ver >= version::v1_2 && (other_params & 0x0F) == 0x02; }
};

}  // namespace pmci::spdm
