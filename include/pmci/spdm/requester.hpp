// SPDX-License-Identifier: Apache-2.0
// pmci::spdm::requester<Config, Crypto> — the SPDM requester for attestation (DSP0274 1.0-1.3):
// version, capabilities and algorithm negotiation, digests, certificate retrieval and validation,
// CHALLENGE, and measurements, with ERROR Busy / ResponseNotReady handling and timeouts.
//
// Two ways to drive it:
//
//   1. Step-wise, sans-I/O (firmware, event loops, fuzzers):
//        req.start_get_version();
//        while (true) {
//          auto out = req.next_request(tx);           // SPDM request bytes to send
//          ... send, receive `rsp` (wait req.response_timeout_us() at most) ...
//          auto st = req.on_response(rsp);            // consume the response
//          if (!st) fail(st.error(), req.last_failure());
//          if (st->kind == step::done) break;
//          if (st->kind == step::wait) sleep_us(st->wait_us);   // Busy / ResponseNotReady
//        }
//
//   2. Blocking, over any pmci::transport::message_transport (MCTP messages: 0x05 ‖ SPDM):
//        pmci::spdm::requester<host_config, pmci::crypto::openssl> req{crypto};
//        auto report = req.attest(transport, {.trust_anchors = roots});
//
// Results (digests, measurement blocks) are views into the response bytes: with the step-wise
// API the caller's buffer, with the blocking API the requester's own receive buffer. They stay
// valid until the next request.
//
// Checks a response must pass (each failure is an errc plus a specific last_failure()):
// the version byte and response code; the codec's layout checks; ALGORITHMS selects only what was
// offered; the certificate chain's Length and RootHash, Hash(chain) against the DIGESTS entry,
// and the chain against the caller's trust anchors (crypto policy verify_cert_chain); the
// CHALLENGE_AUTH CertChainHash and signature over M1/M2; MEASUREMENTS' slot, index and
// RequesterContext, and its signature over L1/L2.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include "pmci/core/buffer.hpp"
#include "pmci/core/bytes.hpp"
#include "pmci/core/endian.hpp"
#include "pmci/core/result.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/spdm/algorithms.hpp"
#include "pmci/spdm/capabilities.hpp"
#include "pmci/spdm/cert_chain.hpp"
#include "pmci/spdm/certificate.hpp"
#include "pmci/spdm/challenge.hpp"
#include "pmci/spdm/config.hpp"
#include "pmci/spdm/crypto_map.hpp"
#include "pmci/spdm/digests.hpp"
#include "pmci/spdm/error.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/measurements.hpp"
#include "pmci/spdm/signing.hpp"
#include "pmci/spdm/transcript.hpp"
#include "pmci/spdm/types.hpp"
#include "pmci/spdm/vendor.hpp"
#include "pmci/spdm/version.hpp"
#include "pmci/transport/concepts.hpp"

namespace pmci::spdm {

/// What a requester operation needs next (on_response's answer).
struct step {
  enum kind_t : std::uint8_t {
    done,  ///< the operation completed; its result is available
    send,  ///< call next_request() and send it now
    wait,  ///< wait wait_us microseconds, then call next_request() and send it
  };
  kind_t kind = done;
  std::uint32_t wait_us = 0;
};

/// Why the last operation failed, more precisely than its errc.
enum class failure : std::uint8_t {
  none,
  peer_error,                  ///< the responder answered ERROR (see last_error())
  malformed_response,          ///< the response does not decode, or has the wrong code / version
  unexpected_response,         ///< well-formed, but not what the request asked for
  no_common_version,           ///< VERSION lists no version this requester speaks
  invalid_capabilities,        ///< CAPABILITIES flags or sizes break DSP0274's rules
  missing_capability,          ///< the responder lacks the capability the operation needs
  invalid_algorithms,          ///< ALGORITHMS selected something not offered, or nothing needed
  chain_too_large,             ///< the certificate chain exceeds Config::max_cert_chain_size
  chain_malformed,             ///< Length / DER structure of the chain is wrong
  root_hash_mismatch,          ///< RootHash != Hash(root certificate)
  chain_digest_mismatch,       ///< Hash(chain) differs from the DIGESTS entry of the slot
  chain_untrusted,             ///< the chain does not validate against the trust anchors
  cert_chain_hash_mismatch,    ///< CHALLENGE_AUTH CertChainHash != Hash(retrieved chain)
  requester_context_mismatch,  ///< 1.3 RequesterContext not echoed
  signature_invalid,           ///< CHALLENGE_AUTH / MEASUREMENTS signature does not verify
  busy_retries_exhausted,      ///< ERROR Busy too many times
  not_ready_retries_exhausted, ///< ERROR ResponseNotReady too many times
  timeout,                     ///< no response in time
  transport,                   ///< the transport failed
  crypto,                      ///< the crypto policy failed
  resynch,                     ///< ERROR RequestResynch: run the VCA again
};

constexpr const char* name(failure f) noexcept {
  switch (f) {
    case failure::none: return "none";
    case failure::peer_error: return "peer error";
    case failure::malformed_response: return "malformed response";
    case failure::unexpected_response: return "unexpected response";
    case failure::no_common_version: return "no common version";
    case failure::invalid_capabilities: return "invalid capabilities";
    case failure::missing_capability: return "missing capability";
    case failure::invalid_algorithms: return "invalid algorithms";
    case failure::chain_too_large: return "certificate chain too large";
    case failure::chain_malformed: return "certificate chain malformed";
    case failure::root_hash_mismatch: return "root hash mismatch";
    case failure::chain_digest_mismatch: return "certificate chain digest mismatch";
    case failure::chain_untrusted: return "certificate chain untrusted";
    case failure::cert_chain_hash_mismatch: return "CertChainHash mismatch";
    case failure::requester_context_mismatch: return "RequesterContext mismatch";
    case failure::signature_invalid: return "signature invalid";
    case failure::busy_retries_exhausted: return "busy retries exhausted";
    case failure::not_ready_retries_exhausted: return "not-ready retries exhausted";
    case failure::timeout: return "timeout";
    case failure::transport: return "transport";
    case failure::crypto: return "crypto";
    case failure::resynch: return "resynch requested";
  }
  return "?";
}

/// The last ERROR response received.
struct peer_error_info {
  error_code code = error_code::unspecified;
  std::uint8_t data = 0;
};

/// GET_MEASUREMENTS parameters.
struct measurement_options {
  std::uint8_t operation = meas_op_all;  ///< meas_op_count, an index 1..0xFE, or meas_op_all
  bool signature = true;                 ///< ask for a signature (needs a retrieved chain for slot)
  std::uint8_t slot = 0;                 ///< signing slot (1.1+)
  bool raw_bit_stream = false;           ///< 1.2+: ask for raw measurements
  bool new_measurement = false;          ///< 1.3
  bytes_view requester_context{};        ///< 1.3: 8 bytes; empty = random
};

/// A MEASUREMENTS response, decoded and (when signed) verified. Views into the response bytes.
struct measurement_result {
  measurements response{};
  bool signature_verified = false;  ///< signed and verified over L1/L2
  /// Operation 0x00: the number of measurement indices the responder has.
  [[nodiscard]] constexpr std::uint8_t total_indices() const noexcept { return response.total_indices; }
  [[nodiscard]] constexpr const measurement_record& record() const noexcept { return response.record; }
};

/// CHALLENGE_AUTH, verified.
struct challenge_result {
  std::uint8_t slot = 0;
  std::uint8_t slot_mask = 0;
  bool basic_mut_auth_requested = false;
  std::array<std::byte, 64> summary_hash{};  ///< MeasurementSummaryHash (summary_hash_size bytes)
  std::size_t summary_hash_size = 0;
  [[nodiscard]] constexpr bytes_view measurement_summary_hash() const noexcept {
    return bytes_view{summary_hash}.first(summary_hash_size);
  }
};

/// A clock for timeouts and waits: now() in ticks, ticks_per_second; optionally sleep(ticks).
template <class C>
concept clock = requires(const C& c) {
  { c.now() } -> std::convertible_to<std::uint64_t>;
  { C::ticks_per_second } -> std::convertible_to<std::uint64_t>;
};
/// No clock: nothing ever times out and nothing waits (retries are immediate).
struct no_clock {
  static constexpr std::uint64_t ticks_per_second = 1'000'000;
  [[nodiscard]] constexpr std::uint64_t now() const noexcept { return 0; }
};

/// attest() parameters.
struct attest_options {
  std::span<const bytes_view> trust_anchors{};  ///< DER root certificates
  std::uint8_t slot = 0;
  bool challenge = true;
  summary_hash_type summary = summary_hash_type::all;
  bool measure = true;
  measurement_options measurements{};
  std::int64_t now = 0;  ///< seconds since 1970 for certificate validity; 0 = not checked
  bytes_view challenge_requester_context{};  ///< 1.3: 8 bytes; empty = random
};
/// What attest() established.
struct attestation_report {
  negotiated params{};
  std::uint8_t slot = 0;
  bytes_view cert_chain{};           ///< the SPDM chain (requester buffer)
  bool challenged = false;
  challenge_result challenge{};
  bool measured = false;
  measurement_result measurements{};
};

namespace detail {
/// cert_chain::decode() of a reassembled chain (spdm.md §6.1: Length, Reserved, RootHash,
/// certificates) followed by root(), in one walk over the certificates that also keeps the first
/// one (decode() and root() walked them twice; issue 9 footprint). The same errc as decode(), in
/// its order; on success `root` is the root certificate. The RootHash is chain[4, 4 + h).
/// Held to decode() + root() by tests/spdm_engines/requester_chain_test.cpp.
constexpr result<void> check_chain(bytes_view chain, std::size_t h, bytes_view& root) noexcept {
  if (chain.size() < cert_chain::header_size) return errc::truncated;
  if (chain[2] != std::byte{0} || chain[3] != std::byte{0}) return errc::reserved_nonzero;
  if (h == 0) return errc::invalid_state;
  const std::size_t length = load_u16le(chain.first(2));
  if (length != chain.size()) return length > chain.size() ? errc::truncated : errc::trailing_data;
  if (length < cert_chain::header_size + h) return errc::invalid_field;
  bytes_view rest = chain.subspan(cert_chain::header_size + h);
  if (rest.empty()) return errc::invalid_field;  // no certificate
  root = {};
  while (!rest.empty()) {
    const auto n = der_sequence_size(rest);
    if (!n) return errc::invalid_field;  // a certificate overrunning the chain is a content error
    if (root.empty()) root = rest.first(*n);
    rest = rest.subspan(*n);
  }
  return ok();
}

/// The requester's state. A base whose default constructor is not user-provided, so that
/// the requester value-initializes it (`requester_state{}`): the object is zero-filled at once
/// and GCC drops the members' own zero fills after it, instead of one memset or store per member
/// (issue 9 footprint). Members whose defaults are not all zero come last, after every zero fill.
template <class Config, class Crypto>
struct requester_state {
  static constexpr std::size_t max_hash = max_hash_size(Config::hash_algs);
  static constexpr std::size_t vca_capacity = 4 + (6 + 2 * Config::max_version_entries) + 20 + 20;
  using transcript_type = transcript<Crypto, vca_capacity>;
  using verify_key = typename Crypto::verify_key;
  /// Largest request this requester builds (NEGOTIATE_ALGORITHMS with four AlgStructs).
  static constexpr std::size_t max_request_size = 48;

  requester_state() = default;  // user-declared: not an aggregate, so `{}` value-initializes

  enum class op_kind : std::uint8_t { none, version, capabilities, algorithms, digests, certificate, challenge, measurements, vendor };

  // All-zero defaults (rnr and meas are only read while their operation runs), so that resetting
  // it is one zero fill; clear_op() is the one place that does it.
  struct op_state {
    op_kind kind = op_kind::none;
    bool respond_if_ready = false;
    response_not_ready rnr{0, code{}, 0, 0};
    unsigned busy = 0;
    unsigned not_ready = 0;
    std::uint8_t slot = 0;
    std::uint32_t offset = 0;
    std::uint32_t total = 0;
    std::span<const bytes_view> anchors{};
    std::int64_t now = 0;
    summary_hash_type summary = summary_hash_type::none;
    measurement_options meas{.operation = 0, .signature = false};
    std::array<std::byte, nonce_size> nonce{};
    std::array<std::byte, requester_context_size> context{};
    vendor_defined_request vendor{};
  };

  // digest and chain_digest have no initializer of their own, and slots_ none: the zero fill of
  // requester_state{} covers them (a separate memset otherwise), and slot_state{} (in
  // reset_connection) still value-initializes them.
  struct slot_state {
    std::array<std::byte, max_hash> digest;        // from DIGESTS
    std::array<std::byte, max_hash> chain_digest;  // Hash(retrieved chain)
    verify_key key{};
    bool verified = false;
  };

  /// The NEGOTIATE_ALGORITHMS sent, with run-time limits only (see on_algorithms).
  struct no_offer {};
  [[no_unique_address]] std::conditional_t<detail::has_runtime_limits<Config>(), negotiate_algorithms, no_offer> offered_{};
  op_state op_{};
  byte_buffer<max_request_size> request_{};
  std::array<slot_state, Config::slot_count> slots_;
  byte_buffer<Config::max_cert_chain_size> chain_{};
  /// The blocking API's receive buffer (the step-wise API reads the caller's).
  struct no_rx_buffer {};
  [[no_unique_address]] std::conditional_t<Config::blocking_api, std::array<std::byte, 1 + Config::max_message_size>,
                                           no_rx_buffer> rx_{};
  challenge_result challenge_{};
  measurement_result measurements_{};
  vendor_defined_response vendor_rsp_{};
  std::uint32_t rsp_dts_ = 0;
  connection_state state_ = connection_state::not_started;
  version_set peer_versions_{};
  failure last_failure_ = failure::none;
  std::uint8_t rsp_ct_exponent_ = 0;
  std::uint8_t digest_mask_ = 0;
  bool authenticated_ = false;
  bool chain_complete_ = false;
  transcript_type tr_{};
  negotiated n_{};
  peer_error_info last_error_{};
  version chosen_ = version::v1_0;
  [[no_unique_address]] detail::limits_holder<detail::has_runtime_limits<Config>()> limits_{};
};
}  // namespace detail

template <class Config, class Crypto>
class requester : private detail::requester_state<Config, Crypto> {
  static_assert(check_requester_config<Config, Crypto>());
  using state_base = detail::requester_state<Config, Crypto>;

 public:
  static constexpr std::size_t max_hash = state_base::max_hash;
  static constexpr std::size_t vca_capacity = state_base::vca_capacity;
  using transcript_type = typename state_base::transcript_type;
  using verify_key = typename state_base::verify_key;
  /// Largest request this requester builds (NEGOTIATE_ALGORITHMS with four AlgStructs).
  static constexpr std::size_t max_request_size = state_base::max_request_size;
  /// ST1 (DSP0274): 100 ms for responses that need no cryptography (spdm.md §4).
  static constexpr std::uint32_t st1_us = 100'000;

  explicit requester(Crypto& crypto) noexcept : state_base{}, crypto_(crypto) {}
  requester(const requester&) = delete;
  requester& operator=(const requester&) = delete;

  /// Narrow what this requester offers (versions, algorithms, capability flags) at run time;
  /// only with Config::runtime_limits (config.hpp offer_limits). Takes effect at the next
  /// GET_VERSION. errc::invalid_field when nothing of a required list would be left, or the
  /// narrowed flags break DSP0274's consistency rules at an allowed version.
  result<void> set_limits(const offer_limits& l) noexcept
    requires(detail::has_runtime_limits<Config>())
  {
    if ((Config::versions & l.versions).empty() || (detail::mask_of(Config::hash_algs) & l.hash) == 0 ||
        (detail::mask_of(Config::asym_algs) & l.asym) == 0)
      return errc::invalid_field;
    const auto caps = static_cast<req_cap>(raw(Config::capabilities) & l.capabilities);
    if (!detail::valid_at_every_version(Config::versions & l.versions, caps)) return errc::invalid_field;
    limits_.value = l;
    return pmci::ok();
  }
  [[nodiscard]] constexpr const offer_limits& limits() const noexcept { return limits_.value; }

  // ============================================================================================
  // Step-wise core
  // ============================================================================================
  /// GET_VERSION (always allowed; restarts the connection).
  result<void> start_get_version() noexcept {
    reset_connection();
    begin(op_kind::version);
    // GET_VERSION is 1.0 at every version (spdm.md §1): the image keeps only that entry.
    static_assert(fixed_get_version.size == header::size);
    set_bytes(fixed_get_version.bytes.data(), header::size, nullptr, nullptr, 0);
    return ok();
  }
  /// GET_CAPABILITIES (after VERSION).
  result<void> start_get_capabilities() noexcept {
    if (state_ != connection_state::after_version) return errc::invalid_state;
    begin(op_kind::capabilities);
    if constexpr (!detail::has_runtime_limits<Config>())
      return set_fixed_request<fixed_get_capabilities>(chosen_);
    else
      return set_request(capabilities_request(chosen_, limits_.value));
  }
  /// NEGOTIATE_ALGORITHMS (after CAPABILITIES).
  result<void> start_negotiate_algorithms() noexcept {
    if (state_ != connection_state::after_capabilities) return errc::invalid_state;
    begin(op_kind::algorithms);
    if constexpr (!detail::has_runtime_limits<Config>()) {
      return set_fixed_request<fixed_negotiate_algorithms>(n_.ver);
    } else {
      offered_ = offer(n_.ver, limits_.value);
      return set_request(offered_);
    }
  }
  /// GET_DIGESTS (after ALGORITHMS; the responder must have CERT_CAP).
  result<void> start_get_digests() noexcept {
    PMCI_TRY(require_negotiated(rsp_cap::cert));
    begin(op_kind::digests);
    tr_.reset_m();  // GET_DIGESTS drops B (spdm.md §15; libspdm)
    return set_fixed_request<fixed_get_digests>(n_.ver);
  }
  /// GET_CERTIFICATE for `slot`, in portions, then validation against `trust_anchors` (the DER
  /// root certificates; the span and what it views must stay valid until the operation ends).
  result<void> start_get_certificate(std::uint8_t slot, std::span<const bytes_view> trust_anchors,
                                     std::int64_t now = 0) noexcept {
    PMCI_TRY(require_negotiated(rsp_cap::cert));
    if (slot >= Config::slot_count) return errc::out_of_range;
    begin(op_kind::certificate);
    op_.slot = slot;
    op_.anchors = trust_anchors;
    op_.now = now;
    op_.offset = 0;
    op_.total = 0;
    chain_.clear();
    slots_[slot].verified = false;
    encode_get_certificate();
    return ok();
  }
  /// CHALLENGE for `slot` (its chain must have been retrieved) with the given summary hash type.
  result<void> start_challenge(std::uint8_t slot, summary_hash_type summary = summary_hash_type::none,
                               bytes_view requester_context = {}) noexcept {
    PMCI_TRY(require_negotiated(rsp_cap::chal));
    if (slot >= Config::slot_count) return errc::out_of_range;
    if (!slots_[slot].verified) return fail_start(errc::invalid_state);
    if (summary != summary_hash_type::none && !any(n_.rsp_caps, rsp_cap::meas_mask)) {
      last_failure_ = failure::missing_capability;
      return errc::unsupported;
    }
    begin(op_kind::challenge);
    op_.slot = slot;
    op_.summary = summary;
    PMCI_TRY(fresh(op_.nonce));
    PMCI_TRY(context(requester_context));
    // Written in place (issue 9 footprint): of challenge::encode()'s checks only the summary type
    // can fail here (the slot is < slot_count <= 8, nonce and context have their sizes).
    // tests/spdm_engines/request_layout_test.cpp holds the bytes to encode().
    if (!is_valid(summary)) return fail_start(errc::invalid_field);
    std::byte* const q = request_header(code::challenge, slot, static_cast<std::uint8_t>(summary));
    std::copy(op_.nonce.begin(), op_.nonce.end(), q + header::size);
    return request_tail(header::size + nonce_size);
  }
  /// GET_MEASUREMENTS.
  result<void> start_get_measurements(const measurement_options& o = {}) noexcept {
    PMCI_TRY(require_negotiated(rsp_cap::none));
    if (!any(n_.rsp_caps, rsp_cap::meas_mask)) {
      last_failure_ = failure::missing_capability;
      return errc::unsupported;
    }
    if (o.signature) {
      if ((n_.rsp_caps & rsp_cap::meas_mask) != rsp_cap::meas_sig) {
        last_failure_ = failure::missing_capability;
        return errc::unsupported;
      }
      if (o.slot >= Config::slot_count || !slots_[o.slot].verified) return fail_start(errc::invalid_state);
    }
    begin(op_kind::measurements);
    op_.meas = o;
    if (!authenticated_) tr_.reset_m();  // B and C dropped (spdm.md §15)
    std::uint8_t attrs = o.signature ? meas_attr_signature : 0;
    if (o.raw_bit_stream && n_.ver >= version::v1_2) attrs |= meas_attr_raw_bitstream;
    if (o.new_measurement && n_.ver >= version::v1_3) attrs |= meas_attr_new_measurement;
    if (o.signature) PMCI_TRY(fresh(op_.nonce));
    PMCI_TRY(context(o.requester_context));
    // Written in place (issue 9 footprint): get_measurements::encode()'s checks cannot fail here
    // (attributes defined at n_.ver, slot < slot_count <= 8, nonce and context of their sizes).
    // tests/spdm_engines/request_layout_test.cpp holds the bytes to encode().
    std::byte* const q = request_header(code::get_measurements, attrs, o.operation);
    std::size_t len = header::size;
    if (o.signature) {
      std::copy(op_.nonce.begin(), op_.nonce.end(), q + len);
      len += nonce_size;
      if (n_.ver >= version::v1_1) q[len++] = std::byte{o.slot};
    }
    return request_tail(len);
  }
  /// VENDOR_DEFINED_REQUEST; the response payload is vendor_response() afterwards. The views
  /// must stay valid until the operation ends.
  result<void> start_vendor_defined(registry standard_id, bytes_view vendor_id, bytes_view payload) noexcept {
    static_assert(Config::vendor_defined, "spdm::requester: VENDOR_DEFINED_REQUEST needs Config::vendor_defined = true");
    PMCI_TRY(require_negotiated(rsp_cap::none));
    begin(op_kind::vendor);
    request_.clear();
    op_.vendor = {standard_id, vendor_id, payload};
    return ok();
  }

  /// The request to send now (a prefix of out): the operation's request, a resend after Busy, or
  /// RESPOND_IF_READY after ResponseNotReady. errc::invalid_state without an operation.
  result<bytes_span> next_request(bytes_span out) noexcept {
    if (op_.kind == op_kind::none) return errc::invalid_state;
    if constexpr (Config::vendor_defined) {
      if (!op_.respond_if_ready && op_.kind == op_kind::vendor) {
        writer w{out};
        PMCI_TRY(op_.vendor.encode(w, n_));
        PMCI_TRY(w.status());
        return w.written();
      }
    }
    // RESPOND_IF_READY is a bare header (DSP0274 RESPOND_IF_READY: Param1 = the original request
    // code, Param2 = the Token), as respond_if_ready::encode writes it; copy() fails with
    // buffer_too_small when out is too short, as the writer did.
    const std::array<std::byte, header::size> again{
        std::byte{to_byte(n_.ver)}, std::byte{static_cast<std::uint8_t>(code::respond_if_ready)},
        std::byte{static_cast<std::uint8_t>(op_.rnr.request_code)}, std::byte{op_.rnr.token}};
    return copy(op_.respond_if_ready ? bytes_view{again} : request_.view(), out);
  }

  /// How long to wait for the response to the request next_request() returned (µs): RTT + ST1,
  /// or RTT + CT (2^CTExponent of the responder) for CHALLENGE and signed GET_MEASUREMENTS.
  [[nodiscard]] std::uint64_t response_timeout_us() const noexcept {
    const bool crypto_op = !op_.respond_if_ready &&
                           (op_.kind == op_kind::challenge || (op_.kind == op_kind::measurements && op_.meas.signature));
    const std::uint64_t ct = rsp_ct_exponent_ >= 40 ? (1ull << 40) : (1ull << rsp_ct_exponent_);
    return Config::rtt_us + (crypto_op ? std::max<std::uint64_t>(ct, st1_us) : st1_us);
  }

  /// Consume the response to the last request. The operation then continues (step::send /
  /// step::wait) or is over (step::done, or an error: errc + last_failure()).
  result<step> on_response(bytes_view rsp) noexcept {
    if (op_.kind == op_kind::none) return errc::invalid_state;
    auto r = dispatch_response(rsp);
    if (!r || r->kind == step::done) {
      if (!r && op_.kind == op_kind::measurements) drop_l();  // a failed GET_MEASUREMENTS restarts L1/L2
      clear_op();
    }
    return r;
  }

  /// The operation failed because of (valid after an error from on_response / start_*).
  [[nodiscard]] constexpr failure last_failure() const noexcept { return last_failure_; }
  [[nodiscard]] constexpr const peer_error_info& last_error() const noexcept { return last_error_; }

  // ---- results and state ----------------------------------------------------------------------
  [[nodiscard]] constexpr connection_state state() const noexcept { return state_; }
  [[nodiscard]] constexpr const negotiated& negotiated_params() const noexcept { return n_; }
  [[nodiscard]] constexpr bool authenticated() const noexcept { return authenticated_; }
  [[nodiscard]] constexpr version_set responder_versions() const noexcept { return peer_versions_; }
  [[nodiscard]] constexpr std::uint8_t responder_ct_exponent() const noexcept { return rsp_ct_exponent_; }
  [[nodiscard]] constexpr std::uint32_t responder_data_transfer_size() const noexcept { return rsp_dts_; }
  /// DIGESTS: the slot mask and the digest of a slot (empty if not reported).
  [[nodiscard]] constexpr std::uint8_t digest_slot_mask() const noexcept { return digest_mask_; }
  [[nodiscard]] constexpr bytes_view slot_digest(std::uint8_t slot) const noexcept {
    return slot < Config::slot_count && (digest_mask_ & (1u << slot)) ? bytes_view{slots_[slot].digest}.first(n_.h()) : bytes_view{};
  }
  /// The last complete SPDM certificate chain retrieved (header + RootHash + certificates).
  [[nodiscard]] constexpr bytes_view cert_chain() const noexcept { return chain_complete_ ? chain_.view() : bytes_view{}; }
  [[nodiscard]] constexpr bool slot_verified(std::uint8_t slot) const noexcept { return slot < Config::slot_count && slots_[slot].verified; }
  /// The leaf public key of a verified slot (nullptr otherwise).
  [[nodiscard]] constexpr const verify_key* slot_key(std::uint8_t slot) const noexcept {
    return slot_verified(slot) ? &slots_[slot].key : nullptr;
  }
  /// Hash of the slot's verified SPDM chain (Ct for the session layer).
  [[nodiscard]] constexpr bytes_view slot_chain_digest(std::uint8_t slot) const noexcept {
    return slot_verified(slot) ? bytes_view{slots_[slot].chain_digest}.first(n_.h()) : bytes_view{};
  }
  [[nodiscard]] constexpr const challenge_result& last_challenge() const noexcept { return challenge_; }
  [[nodiscard]] constexpr const measurement_result& last_measurements() const noexcept { return measurements_; }
  [[nodiscard]] constexpr const vendor_defined_response& vendor_response() const noexcept { return vendor_rsp_; }
  [[nodiscard]] constexpr const transcript_type& transcripts() const noexcept { return tr_; }

  // ============================================================================================
  // Blocking API over a transport (MCTP messages: 0x05 ‖ SPDM)
  // ============================================================================================
  /// Run the started operation to its end over t.
  template <transport::message_transport T, clock C = no_clock>
  result<void> run(T& t, C clk = {}) noexcept {
    static_assert(Config::blocking_api,
                  "spdm::requester: the blocking API needs Config::blocking_api = true (its receive buffer)");
    while (true) {
      // Requests are small (<= max_request_size); vendor-defined ones up to 255 bytes here (the
      // step-wise API has no such limit).
      std::array<std::byte, 1 + 255> tx{};
      auto req = next_request(std::span{tx}.subspan(1));
      if (!req) return abandon(req.error(), failure::transport);
      tx[0] = std::byte{transport::mctp_type_spdm};
      const bytes_view msg = bytes_view{tx}.first(1 + req->size());
      const std::uint64_t start = clk.now();
      auto rsp = t.exchange(msg, std::span{rx_});
      if (!rsp) return abandon(rsp.error(), rsp.error() == errc::timeout ? failure::timeout : failure::transport);
      const std::uint64_t elapsed = clk.now() - start;
      if (elapsed * 1'000'000 / C::ticks_per_second > response_timeout_us()) return abandon(errc::timeout, failure::timeout);
      if (rsp->empty() || (*rsp)[0] != std::byte{transport::mctp_type_spdm}) return abandon(errc::invalid_field, failure::malformed_response);
      PMCI_TRY_ASSIGN(const step s, on_response(bytes_view{*rsp}.subspan(1)));
      if (s.kind == step::done) return ok();
      if (s.kind == step::wait) {
        if constexpr (requires { clk.sleep(std::uint64_t{}); })
          clk.sleep(static_cast<std::uint64_t>(s.wait_us) * C::ticks_per_second / 1'000'000);
      }
    }
  }

  /// GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS.
  template <transport::message_transport T, clock C = no_clock>
  result<void> connect(T& t, C clk = {}) noexcept {
    PMCI_TRY(start_get_version());
    PMCI_TRY(run(t, clk));
    PMCI_TRY(start_get_capabilities());
    PMCI_TRY(run(t, clk));
    PMCI_TRY(start_negotiate_algorithms());
    return run(t, clk);
  }
  template <transport::message_transport T, clock C = no_clock>
  result<void> get_digests(T& t, C clk = {}) noexcept {
    PMCI_TRY(start_get_digests());
    return run(t, clk);
  }
  template <transport::message_transport T, clock C = no_clock>
  result<void> get_certificate(T& t, std::uint8_t slot, std::span<const bytes_view> anchors, std::int64_t now = 0,
                               C clk = {}) noexcept {
    PMCI_TRY(start_get_certificate(slot, anchors, now));
    return run(t, clk);
  }
  template <transport::message_transport T, clock C = no_clock>
  result<challenge_result> challenge(T& t, std::uint8_t slot, summary_hash_type summary = summary_hash_type::none,
                                     bytes_view requester_context = {}, C clk = {}) noexcept {
    PMCI_TRY(start_challenge(slot, summary, requester_context));
    PMCI_TRY(run(t, clk));
    return challenge_;
  }
  /// The result views the requester's receive buffer: valid until the next request.
  template <transport::message_transport T, clock C = no_clock>
  result<measurement_result> get_measurements(T& t, const measurement_options& o = {}, C clk = {}) noexcept {
    PMCI_TRY(start_get_measurements(o));
    PMCI_TRY(run(t, clk));
    return measurements_;
  }
  /// The response payload views the receive buffer.
  template <transport::message_transport T, clock C = no_clock>
  result<vendor_defined_response> vendor_defined(T& t, registry standard_id, bytes_view vendor_id, bytes_view payload,
                                                 C clk = {}) noexcept {
    PMCI_TRY(start_vendor_defined(standard_id, vendor_id, payload));
    PMCI_TRY(run(t, clk));
    return vendor_rsp_;
  }

  /// The whole attestation: VCA, DIGESTS, CERTIFICATE (validated), CHALLENGE, MEASUREMENTS.
  template <transport::message_transport T, clock C = no_clock>
  result<attestation_report> attest(T& t, const attest_options& o, C clk = {}) noexcept {
    PMCI_TRY(connect(t, clk));
    PMCI_TRY(get_digests(t, clk));
    PMCI_TRY(get_certificate(t, o.slot, o.trust_anchors, o.now, clk));
    attestation_report rep;
    rep.slot = o.slot;
    if (o.challenge) {
      PMCI_TRY(challenge(t, o.slot, any(n_.rsp_caps, rsp_cap::meas_mask) ? o.summary : summary_hash_type::none,
                         o.challenge_requester_context, clk));
      rep.challenged = true;
      rep.challenge = challenge_;
    }
    if (o.measure && any(n_.rsp_caps, rsp_cap::meas_mask)) {
      measurement_options m = o.measurements;
      m.slot = o.slot;
      if ((n_.rsp_caps & rsp_cap::meas_mask) != rsp_cap::meas_sig) m.signature = false;
      PMCI_TRY(get_measurements(t, m, clk));
      rep.measured = true;
      rep.measurements = measurements_;
    }
    rep.params = n_;
    rep.cert_chain = cert_chain();
    return rep;
  }

 private:
  using op_kind = typename state_base::op_kind;
  using op_state = typename state_base::op_state;
  using slot_state = typename state_base::slot_state;
  using state_base::tr_;
  using state_base::n_;
  using state_base::offered_;
  using state_base::op_;
  using state_base::request_;
  using state_base::slots_;
  using state_base::chain_;
  using state_base::rx_;
  using state_base::challenge_;
  using state_base::measurements_;
  using state_base::vendor_rsp_;
  using state_base::last_error_;
  using state_base::rsp_dts_;
  using state_base::state_;
  using state_base::limits_;
  using state_base::chosen_;
  using state_base::peer_versions_;
  using state_base::last_failure_;
  using state_base::rsp_ct_exponent_;
  using state_base::digest_mask_;
  using state_base::authenticated_;
  using state_base::chain_complete_;

  /// crypto_map's to_crypto() for a selected algorithm. ALGORITHMS may only select what was
  /// offered (on_algorithms checks it), so when the configuration has one algorithm of the kind
  /// the answer is that one or none: a comparison instead of the mapping's switch.
  template <const auto& Configured, class Alg>
  static constexpr auto crypto_of(Alg a) noexcept {
    if constexpr (Configured.size() == 1) {
      constexpr auto only = to_crypto(Configured[0]);
      return a == Configured[0] ? only : decltype(only){};
    } else {
      return to_crypto(a);
    }
  }
  /// The header of a message the caller knows to hold header::size bytes (header::decode without
  /// its result: the length check is the caller's).
  static constexpr header header_of(bytes_view m) noexcept {
    return {std::to_integer<std::uint8_t>(m[0]), static_cast<code>(m[1]), std::to_integer<std::uint8_t>(m[2]),
            std::to_integer<std::uint8_t>(m[3])};
  }
  /// Whether NEGOTIATE_ALGORITHMS (1.1+) carries AlgStructs at all.
  static constexpr bool offers_alg_structs = !Config::dhe_groups.empty() || !Config::aead_suites.empty() ||
                                             !Config::req_asym_algs.empty() || !Config::key_schedules.empty();
  /// What NEGOTIATE_ALGORITHMS offers at version v under the limits l.
  static constexpr negotiate_algorithms offer(version v, const offer_limits& l) noexcept {
    negotiate_algorithms na;
    na.measurement_spec = Config::measurement_spec;
    na.asym = static_cast<base_asym>(detail::mask_of(Config::asym_algs) & l.asym);
    na.hash = static_cast<base_hash>(detail::mask_of(Config::hash_algs) & l.hash);
    if (v >= version::v1_2) na.other_params_support = Config::opaque_data_formats;
    if (v >= version::v1_3) {
      if (Config::multi_key_conn) na.other_params_support = static_cast<std::uint8_t>(na.other_params_support | detail::multi_key_conn_bit);
      na.mel_spec = Config::mel_spec;
    }
    if (v >= version::v1_1) {
      // An AlgStruct whose allowed set is empty is left out (an empty one is invalid, spdm.md §6.2).
      const auto add = [&na](alg_type t, std::uint16_t m) {
        if (m != 0) (void)na.structs.add(t, m);
      };
      if constexpr (!Config::dhe_groups.empty())
        add(alg_type::dhe, static_cast<std::uint16_t>(detail::mask_of(Config::dhe_groups) & l.dhe));
      if constexpr (!Config::aead_suites.empty())
        add(alg_type::aead, static_cast<std::uint16_t>(detail::mask_of(Config::aead_suites) & l.aead));
      if constexpr (!Config::req_asym_algs.empty())
        add(alg_type::req_base_asym, static_cast<std::uint16_t>(detail::mask_of(Config::req_asym_algs) & l.req_asym));
      if constexpr (!Config::key_schedules.empty())
        add(alg_type::key_schedule, static_cast<std::uint16_t>(detail::mask_of(Config::key_schedules) & l.key_schedule));
    }
    return na;
  }
  /// GET_CAPABILITIES at version v under the limits l.
  static constexpr get_capabilities capabilities_request(version v, const offer_limits& l) noexcept {
    get_capabilities g;
    g.ver = v;
    g.ct_exponent = Config::ct_exponent;
    g.flags = detail::masked(static_cast<req_cap>(raw(Config::capabilities) & l.capabilities), v);
    g.data_transfer_size = Config::max_message_size;
    g.max_spdm_msg_size = Config::max_message_size;
    return g;
  }

  // ---- requests fixed at compile time ---------------------------------------------------------
  // GET_VERSION and GET_DIGESTS, and without run-time limits GET_CAPABILITIES and
  // NEGOTIATE_ALGORITHMS, depend on the version only: they are encoded here at compile time, by
  // the same codecs, once per version 1.0-1.3 (index: version - 0x10), and the image carries
  // these bytes instead of the encoders.
  /// A request's bytes, or (size 0) the encoder's error.
  template <std::size_t N>
  struct fixed_request {
    std::array<std::byte, N> bytes{};
    std::uint8_t size = 0;
    errc error = errc::invalid_state;
  };
  struct make_capabilities {
    constexpr get_capabilities operator()(version v) const noexcept { return capabilities_request(v, offer_limits{}); }
  };
  struct make_offer {
    constexpr negotiate_algorithms operator()(version v) const noexcept { return offer(v, offer_limits{}); }
  };
  template <class Make>
  static constexpr fixed_request<max_request_size> encode_fixed(version v) noexcept {
    fixed_request<max_request_size> f;
    negotiated n;
    n.ver = v;
    writer w{f.bytes};
    if (const auto r = Make{}(v).encode(w, n); r)
      f.size = static_cast<std::uint8_t>(w.size());
    else
      f.error = r.error();
    return f;
  }
  template <class Make>
  static constexpr auto fixed_table() noexcept {
    constexpr std::size_t size = [] {
      std::size_t m = 0;
      for (std::uint8_t b = 0x10; b <= 0x13; ++b) m = std::max<std::size_t>(m, encode_fixed<Make>(static_cast<version>(b)).size);
      return m;
    }();
    std::array<fixed_request<size>, 4> t{};
    for (std::uint8_t i = 0; i < 4; ++i) {
      const auto f = encode_fixed<Make>(static_cast<version>(0x10 + i));
      std::copy_n(f.bytes.begin(), size, t[i].bytes.begin());
      t[i].size = f.size;
      t[i].error = f.error;
    }
    return t;
  }
  struct make_get_digests {
    constexpr spdm::get_digests operator()(version) const noexcept { return {}; }
  };
  static constexpr auto fixed_get_capabilities = fixed_table<make_capabilities>();
  static constexpr auto fixed_get_digests = fixed_table<make_get_digests>();
  struct make_get_version {
    constexpr get_version operator()(version) const noexcept { return {}; }
  };
  static constexpr auto fixed_get_version = fixed_table<make_get_version>()[0];
  static constexpr auto fixed_negotiate_algorithms = fixed_table<make_offer>();

  /// A fixed_table kept as one base message (the last version's) and, per version, its size
  /// and the bytes where it differs from the base: the four NEGOTIATE_ALGORITHMS or
  /// GET_CAPABILITIES share most of their bytes (issue 9 footprint). Built from the full table at
  /// compile time; packed_table_matches() checks that every entry unpacks to the table's.
  template <std::size_t N, std::size_t K>
  struct packed_table {
    struct entry {
      std::uint8_t size = 0;
      std::uint8_t count = 0;
      std::array<std::uint8_t, K> pos{};
      std::array<std::byte, K> value{};
    };
    std::array<std::byte, N> base{};
    std::array<entry, 4> entries{};
  };
  /// The most bytes any entry differs from the base in (within its own size).
  template <const auto& Table>
  static constexpr std::size_t max_patches() noexcept {
    std::size_t k = 0;
    for (const auto& e : Table) {
      std::size_t d = 0;
      for (std::size_t j = 0; j < e.size; ++j) d += e.bytes[j] != Table[3].bytes[j];
      k = std::max(k, d);
    }
    return k;
  }
  template <const auto& Table>
  static constexpr auto pack() noexcept {
    constexpr std::size_t n = Table[0].bytes.size(), k = max_patches<Table>();
    packed_table<n, (k == 0 ? 1 : k)> p;
    p.base = Table[3].bytes;
    for (std::size_t i = 0; i < 4; ++i) {
      auto& e = p.entries[i];
      e.size = Table[i].size;
      for (std::size_t j = 0; j < Table[i].size; ++j)
        if (Table[i].bytes[j] != p.base[j]) {
          e.pos[e.count] = static_cast<std::uint8_t>(j);
          e.value[e.count++] = Table[i].bytes[j];
        }
    }
    return p;
  }
  template <const auto& Table>
  static constexpr auto packed_of = pack<Table>();
  /// Every packed entry unpacks to the table's bytes and size.
  template <const auto& Table>
  static constexpr bool packed_table_matches() noexcept {
    const auto& p = packed_of<Table>;
    for (std::size_t i = 0; i < 4; ++i) {
      auto m = p.base;
      const auto& e = p.entries[i];
      for (std::size_t c = 0; c < e.count; ++c) m[e.pos[c]] = e.value[c];
      if (e.size != Table[i].size) return false;
      for (std::size_t j = 0; j < e.size; ++j)
        if (m[j] != Table[i].bytes[j]) return false;
    }
    return true;
  }
  /// Packed only where that is smaller than the table, and never a table with an encoder error.
  template <const auto& Table>
  static constexpr bool use_packed() noexcept {
    for (const auto& e : Table)
      if (e.size == 0) return false;
    return sizeof(decltype(pack<Table>())) < sizeof(Table);  // the type, not packed_of: clang 14 crashes on sizeof of the auto variable template
  }

  /// Make the table's entry for v the current request (set_request's counterpart).
  /// The check for an encoder's error is compiled only when one of the table's entries has one.
  template <const auto& Table>
  result<void> set_fixed_request(version v) noexcept {
    // v is 0x10-0x13 (chosen from VERSION among the versions pmci knows); & 3 keeps the index
    // inside the table whatever it holds.
    const std::size_t i = (to_byte(v) - 0x10) & 3;
    if constexpr (use_packed<Table>()) {
      static_assert(packed_table_matches<Table>());
      const auto& p = packed_of<Table>;
      const auto& e = p.entries[i];
      set_bytes(p.base.data(), e.size, e.pos.data(), e.value.data(), e.count);
      return ok();
    } else {
      const auto& f = Table[i];
      constexpr bool can_fail = [] {
        for (const auto& x : Table)
          if (x.size == 0) return true;
        return false;
      }();
      if constexpr (can_fail)
        if (f.size == 0) return fail_start(f.error);
      set_bytes(f.bytes.data(), f.size, nullptr, nullptr, 0);
      return ok();
    }
  }
  /// The request := size bytes of base with `count` bytes patched (every fixed request).
  [[gnu::noinline]] void set_bytes(const std::byte* base, std::size_t size, const std::uint8_t* pos,
                                   const std::byte* value, std::size_t count) noexcept {
    std::byte* const q = request_.storage().data();
    std::copy_n(base, size, q);
    for (std::size_t c = 0; c < count; ++c) q[pos[c]] = value[c];
    request_.resize(size);
  }


  // ---- request plumbing -----------------------------------------------------------------------
  /// Encode m as the current request (kept for resends and the transcript).
  template <class M>
  result<void> set_request(const M& m) noexcept {
    writer w{request_.storage()};
    result<void> r = errc::invalid_state;
    if constexpr (requires { m.encode(w, n_); })
      r = m.encode(w, n_);
    else
      r = m.encode(w);
    return keep_request(r, w.size());
  }
  /// set_request's non-template tail: keep the encoded request, or end the operation.
  [[gnu::noinline]] result<void> keep_request(result<void> encoded, std::size_t size) noexcept {
    if (!encoded) {
      clear_op();
      return encoded.error();
    }
    request_.resize(size);
    return ok();
  }
  [[gnu::noinline]] void clear_op() noexcept { op_ = op_state{}; }
  void begin(op_kind k) noexcept {
    clear_op();
    op_.kind = k;
    last_failure_ = failure::none;
    if (k != op_kind::measurements) drop_l();  // any request but GET_MEASUREMENTS drops L1/L2
  }
  result<void> require_negotiated(rsp_cap needed) noexcept {
    if (state_ != connection_state::negotiated) return errc::invalid_state;
    if (needed != rsp_cap::none && !has(n_.rsp_caps, needed)) {
      last_failure_ = failure::missing_capability;
      return errc::unsupported;
    }
    return ok();
  }
  result<void> fail_start(errc e) noexcept {
    clear_op();
    return e;
  }
  result<void> fresh(std::array<std::byte, nonce_size>& nonce) noexcept {
    if (!crypto_.random(nonce)) {
      last_failure_ = failure::crypto;
      clear_op();
      return errc::crypto_failure;
    }
    return ok();
  }
  /// 1.3 RequesterContext: the caller's 8 bytes, or random ones.
  result<void> context(bytes_view given) noexcept {
    if (n_.ver < version::v1_3) return ok();
    if (!given.empty()) {
      if (given.size() != requester_context_size) return fail_start(errc::invalid_field);
      std::copy(given.begin(), given.end(), op_.context.begin());
      return ok();
    }
    if (!crypto_.random(op_.context)) {
      last_failure_ = failure::crypto;
      return fail_start(errc::crypto_failure);
    }
    return ok();
  }
  /// Cannot fail (below): no result to test after each portion.
  void encode_get_certificate() noexcept {
    // Ask for as much as one response can carry (ours and, 1.2+, the responder's size limits).
    std::size_t len = Config::max_message_size - certificate::fixed_size;
    if (n_.ver >= version::v1_2 && rsp_dts_ >= 42) len = std::min<std::size_t>(len, rsp_dts_ - certificate::fixed_size);
    len = std::min<std::size_t>(len, 0xFFFF);
    // Written in place (issue 9 footprint): get_certificate::encode() cannot fail for a slot
    // < slot_count <= 8 without SlotSizeRequested. tests/spdm_engines/request_layout_test.cpp
    // holds the bytes to encode().
    std::byte* const q = request_header(code::get_certificate, op_.slot, 0);
    store_u16le({q + 4, 2}, static_cast<std::uint16_t>(op_.offset));
    store_u16le({q + 6, 2}, static_cast<std::uint16_t>(len));
    request_.resize(get_certificate::size);
  }
  /// The header of a request written in place (at the negotiated version); where its body goes.
  std::byte* request_header(code c, std::uint8_t param1, std::uint8_t param2) noexcept {
    std::byte* const q = request_.storage().data();
    q[0] = std::byte{to_byte(n_.ver)};
    q[1] = std::byte{static_cast<std::uint8_t>(c)};
    q[2] = std::byte{param1};
    q[3] = std::byte{param2};
    return q;
  }
  /// The 1.3 RequesterContext after `len` bytes written in place (CHALLENGE, GET_MEASUREMENTS),
  /// then the request's size.
  result<void> request_tail(std::size_t len) noexcept {
    static_assert(max_request_size >= get_measurements::size(version::v1_3, true) &&
                  max_request_size >= challenge::size(version::v1_3));
    if (n_.ver >= version::v1_3) {
      std::copy(op_.context.begin(), op_.context.end(), request_.storage().begin() + len);
      len += requester_context_size;
    }
    request_.resize(len);
    return ok();
  }

  result<void> abandon(errc e, failure f) noexcept {
    if (op_.kind == op_kind::measurements) drop_l();
    clear_op();
    last_failure_ = f;
    return e;
  }

  void drop_l() noexcept {
    if (tr_.selected()) (void)tr_.reset_l(crypto_);
  }
  [[nodiscard]] constexpr req_cap caps_now() const noexcept {
    return static_cast<req_cap>(raw(Config::capabilities) & limits_.value.capabilities);
  }
  void reset_connection() noexcept {
    tr_.reset();
    n_ = negotiated{};
    state_ = connection_state::not_started;
    authenticated_ = false;
    digest_mask_ = 0;
    chain_.clear();
    chain_complete_ = false;
    for (auto& s : slots_) s = slot_state{};
    rsp_ct_exponent_ = 0;
    rsp_dts_ = 0;
  }

  [[nodiscard]] constexpr std::uint8_t expected_version() const noexcept {
    return op_.kind == op_kind::version ? to_byte(version::v1_0) : op_.kind == op_kind::capabilities ? to_byte(chosen_) : to_byte(n_.ver);
  }
  /// The code of the running operation's request. Every operation but VENDOR_DEFINED keeps its
  /// request (at least a header: start_* ends the operation when it cannot write one) in
  /// request_; the callers answer for the vendor one, whose request_ is empty.
  [[nodiscard]] code request_code() noexcept {
    return static_cast<code>(std::to_integer<std::uint8_t>(request_.storage()[1]));
  }

  // A response handler's answer fits one register (issue 9 footprint): the operation is done,
  // continues with the next request, or failed with an errc and its failure record. Each of the
  // handlers' ~45 failure returns is then one constant, and outcome() is the one place that
  // stores the record and builds the result<step>.
  enum class verdict : std::uint16_t {
    done = 0,
    // Failures 0xFD-0xFF do not exist, so no failure verdict has these values.
    wait_busy = 0xFDFF,       // ERROR Busy: retry after Config::busy_retry_delay_us
    wait_not_ready = 0xFEFF,  // ERROR ResponseNotReady: RESPOND_IF_READY after op_.rnr's RDT
    send = 0xFFFF,
  };
  static constexpr verdict bad(errc e, failure f) noexcept {
    return static_cast<verdict>(static_cast<unsigned>(e) | static_cast<unsigned>(f) << 8);
  }
  result<step> outcome(verdict v) noexcept {
    if (v == verdict::done) return step{};
    if (v == verdict::send) return step{step::send, 0};
    if (v == verdict::wait_busy) return step{step::wait, Config::busy_retry_delay_us};
    if (v == verdict::wait_not_ready) {
      const unsigned x = op_.rnr.rd_exponent;
      return step{step::wait, x >= 31 ? 0x80000000u : (1u << x)};
    }
    const auto x = static_cast<std::uint16_t>(v);
    last_failure_ = static_cast<failure>(x >> 8);
    return static_cast<errc>(x & 0xFF);
  }

  // ---- responses ------------------------------------------------------------------------------
  result<step> dispatch_response(bytes_view rsp) noexcept { return outcome(route(rsp)); }
  verdict route(bytes_view rsp) noexcept {
    if (rsp.size() < header::size) return bad(errc::truncated, failure::malformed_response);
    const header hd = header_of(rsp);
    const header* const h = &hd;
    if (h->request_response_code == code::error) return on_error(rsp);
    if (h->version != expected_version()) return bad(errc::version_mismatch, failure::malformed_response);
    const code want = op_.kind == op_kind::vendor ? code::vendor_defined_response : response_to(request_code());
    if (h->request_response_code != want) return bad(errc::unexpected_message, failure::malformed_response);
    switch (op_.kind) {
      case op_kind::version: return on_version(rsp);
      case op_kind::capabilities: return on_capabilities(rsp);
      case op_kind::algorithms: return on_algorithms(rsp);
      case op_kind::digests: return on_digests(rsp);
      case op_kind::certificate: return on_certificate(rsp);
      case op_kind::challenge: return on_challenge_auth(rsp);
      case op_kind::measurements: return on_measurements(rsp);
      case op_kind::vendor:
        if constexpr (Config::vendor_defined) return on_vendor(rsp);
        break;
      case op_kind::none: break;
    }
    return bad(errc::invalid_state, failure::none);
  }

  verdict on_error(bytes_view rsp) noexcept {
    error_response got;
    // route() checked the length and the code: the codec's remaining checks, read in place.
    if (const auto d = error_response::read_checked(rsp, got); !d) return bad(d.error(), failure::malformed_response);
    const error_response* const e = &got;
    // An ERROR to GET_VERSION is 0x10 (spdm.md §1); later ones carry the negotiated version.
    if (op_.kind != op_kind::version && op_.kind != op_kind::capabilities && e->spdm_version != to_byte(n_.ver))
      return bad(errc::version_mismatch, failure::malformed_response);
    last_error_ = {e->error, e->error_data};
    // A GET_MEASUREMENTS answered with ERROR is not kept: L1/L2 restarts (spdm.md §15), also
    // when the same request is retried after Busy. ResponseNotReady continues the request.
    if (op_.kind == op_kind::measurements && e->error != error_code::response_not_ready) drop_l();
    switch (e->error) {
      case error_code::busy:
        if (op_.busy++ < Config::busy_retries) return verdict::wait_busy;
        return bad(errc::busy, failure::busy_retries_exhausted);
      case error_code::response_not_ready: {
        // The request being processed must be ours (not RESPOND_IF_READY itself).
        const code original = op_.kind == op_kind::vendor ? code::vendor_defined_request : request_code();
        if (e->not_ready.request_code != original) return bad(errc::invalid_field, failure::unexpected_response);
        if (op_.not_ready++ >= Config::not_ready_retries) return bad(errc::timeout, failure::not_ready_retries_exhausted);
        op_.respond_if_ready = true;
        op_.rnr = e->not_ready;
        return verdict::wait_not_ready;
      }
      case error_code::request_resynch:
        reset_connection();
        return bad(errc::peer_error, failure::resynch);
      default:
        return bad(errc::peer_error, failure::peer_error);
    }
  }

  verdict on_version(bytes_view rsp) noexcept {
    // route() checked the header: the codec's remaining checks, read in place.
    version_response got;
    if (const auto r = version_response::read_checked(rsp, got); !r) return bad(r.error(), failure::malformed_response);
    const version_response* const v = &got;
    peer_versions_ = v->versions();
    const version_set common = peer_versions_ & Config::versions & limits_.value.versions;
    if (common.empty()) return bad(errc::unsupported, failure::no_common_version);
    if (!commit_vca(rsp)) return bad(errc::no_resources, failure::malformed_response);
    chosen_ = common.highest();
    state_ = connection_state::after_version;
    return verdict::done;
  }

  verdict on_capabilities(bytes_view rsp) noexcept {
    // This requester never asks for the 1.3 supported-algorithms block (GET_CAPABILITIES Param1
    // bit 0 clear), so a CAPABILITIES carrying one is malformed: refused by the decoder.
    capabilities got;
    // route() checked the header: the codec's remaining checks, read in place.
    if (const auto d = capabilities::read_checked(rsp, got); !d) return bad(d.error(), failure::malformed_response);
    const capabilities* const c = &got;
    // c->ver == chosen_: route() checked the version byte read_checked() takes it from.
    if (!c->validate()) return bad(errc::invalid_field, failure::invalid_capabilities);
    if (!commit_vca(rsp)) return bad(errc::no_resources, failure::malformed_response);
    // n_ is still negotiated{} here: reset_connection() cleared it at GET_VERSION and nothing
    // writes it before ALGORITHMS (this handler only runs in state after_version).
    n_.ver = chosen_;
    n_.req_caps = detail::masked(caps_now(), chosen_);
    n_.rsp_caps = c->flags;
    rsp_ct_exponent_ = c->ct_exponent;
    rsp_dts_ = chosen_ >= version::v1_2 ? c->data_transfer_size : 0;
    state_ = connection_state::after_capabilities;
    return verdict::done;
  }

  verdict on_algorithms(bytes_view rsp) noexcept {
    algorithms got;
    // route() checked the header: the codec's remaining checks, read in place.
    if (const auto d = algorithms::read_checked(rsp, n_, got); !d) return bad(d.error(), failure::malformed_response);
    const algorithms* const a = &got;
    // What NEGOTIATE_ALGORITHMS offered: kept with run-time limits (they may change before the
    // next GET_VERSION); otherwise a function of the version alone, recomputed here so the
    // requester object neither stores nor constructs it (issue 9 footprint).
    negotiate_algorithms offered_now;
    if constexpr (detail::has_runtime_limits<Config>())
      offered_now = offered_;
    else
      offered_now = offer(n_.ver, limits_.value);
    const auto within = [](auto sel, auto offered) { return (raw(sel) & ~raw(offered)) == 0; };
    bool good = within(a->hash, offered_now.hash) && within(a->asym, offered_now.asym) &&
                within(a->measurement_spec, offered_now.measurement_spec) && a->ext_asym.empty() && a->ext_hash.empty() &&
                (a->other_params_selection & 0x0F & ~offered_now.other_params_support) == 0 &&
                within(a->mel_spec, offered_now.mel_spec) && a->structs.count <= offered_now.structs.count;
    if constexpr (offers_alg_structs) {
      for (const auto& s : a->structs) {
        const auto* o = offered_now.structs.find(s.type);
        good = good && o != nullptr && (s.supported & ~o->supported) == 0;
      }
    } else {
      // Nothing offered: a selection with AlgStructs is refused here (as by count <= 0 above), so
      // the compiler knows the table is empty when update() reads it.
      if (got.structs.count != 0) return bad(errc::invalid_field, failure::invalid_algorithms);
    }
    // What attestation needs from a responder that has certificates or signs.
    const bool signs = any(n_.rsp_caps, rsp_cap::cert | rsp_cap::chal) || (n_.rsp_caps & rsp_cap::meas_mask) == rsp_cap::meas_sig;
    if (signs) good = good && a->hash != base_hash::none && a->asym != base_asym::none;
    if (any(n_.rsp_caps, rsp_cap::meas_mask) && a->measurement_spec != meas_spec::none)
      good = good && a->measurement_hash != meas_hash::none;
    if (!good) return bad(errc::invalid_field, failure::invalid_algorithms);
    // The last checks first, so that n_ is updated in place only once the selection is accepted
    // (update() leaves the version alone: select() sees the same n_.ver either way).
    if (a->hash != base_hash::none) {
      const auto h = crypto_of<Config::hash_algs>(a->hash);
      if (!h) return bad(errc::unsupported, failure::invalid_algorithms);
      if (!tr_.select(crypto_, *h, n_.ver, request_.view(), rsp)) return bad(errc::crypto_failure, failure::crypto);
    }
    update(n_, offered_now);
    update(n_, *a);
    state_ = connection_state::negotiated;
    return verdict::done;
  }

  verdict on_digests(bytes_view rsp) noexcept {
    // route() checked the header: the codec's remaining checks, read in place.
    digests got;
    if (const auto r = digests::read_checked(rsp, n_, response_context{}, got); !r)
      return bad(r.error(), failure::malformed_response);
    const digests* const d = &got;
    if (!commit(false, rsp)) return bad(errc::crypto_failure, failure::crypto);
    // Digest i belongs to the i-th set bit of SlotMask (DSP0274 DIGESTS), and read_checked() made
    // digest_data count() x H bytes: one pass over the mask bits below slot_count (the digests of
    // higher slots come after theirs), instead of slot_of() and digest() per entry (issue 9
    // footprint; the same digests and mask as decode()'s accessors, engine tests).
    const std::size_t hs = n_.h();
    const std::byte* p = d->digest_data.data();
    std::uint8_t mask = 0;
    for (unsigned s = 0; s < Config::slot_count; ++s) {
      if (((d->slot_mask >> s) & 1u) == 0) continue;
      std::copy_n(p, hs, slots_[s].digest.begin());
      mask = static_cast<std::uint8_t>(mask | (1u << s));
      p += hs;
    }
    digest_mask_ = mask;
    return verdict::done;
  }

  /// VERSION / CAPABILITIES: request and response into VCA (one copy for both handlers).
  [[gnu::noinline]] bool commit_vca(bytes_view rsp) noexcept {
    return tr_.append_vca(request_.view()) && tr_.append_vca(rsp);
  }
  /// The request and rsp into M1/M2 (DIGESTS, CERTIFICATE) or L1/L2 (unsigned MEASUREMENTS).
  result<void> commit(bool to_l, bytes_view rsp) noexcept {
    return tr_.append_pair(crypto_, to_l, request_.view(), rsp);
  }

  verdict on_certificate(bytes_view rsp) noexcept {
    // route() checked the header: the codec's remaining checks, read in place.
    certificate got;
    if (const auto r = certificate::read_checked(rsp, n_, got); !r) return bad(r.error(), failure::malformed_response);
    const certificate* const c = &got;
    const auto asked = load_u16le(request_.view().subspan(6, 2));
    if (c->slot_id != op_.slot || c->portion.size() > asked || (c->portion.empty() && c->remainder_length != 0))
      return bad(errc::invalid_field, failure::unexpected_response);
    const std::uint32_t total = op_.offset + static_cast<std::uint32_t>(c->portion.size()) + c->remainder_length;
    if (op_.total == 0) op_.total = total;
    if (total != op_.total) return bad(errc::invalid_field, failure::unexpected_response);
    if (total > Config::max_cert_chain_size || !chain_.append(c->portion)) return bad(errc::no_resources, failure::chain_too_large);
    if (!commit(false, rsp)) return bad(errc::crypto_failure, failure::crypto);
    op_.offset += static_cast<std::uint32_t>(c->portion.size());
    if (c->remainder_length != 0) {
      encode_get_certificate();
      return verdict::send;
    }
    if (const verdict v = validate_chain(); v != verdict::done) return v;
    chain_complete_ = true;
    return verdict::done;
  }

  /// A complete chain: structure, RootHash, the DIGESTS entry, then the trust anchors.
  verdict validate_chain() noexcept {
    const bytes_view chain = chain_.view();
    const std::size_t hs = n_.h();
    bytes_view root;
    if (const auto r = detail::check_chain(chain, hs, root); !r) return bad(r.error(), failure::chain_malformed);
    const auto h = crypto_of<Config::hash_algs>(n_.hash);
    if (!h) return bad(errc::invalid_state, failure::crypto);
    // Hash(root) goes where Hash(chain) will: the slot is unverified until the end (its
    // chain_digest is read only then), so the slot's own array is the scratch space.
    slot_state& s = slots_[op_.slot];
    const bytes_span cd = std::span{s.chain_digest}.first(hs);
    if (!crypto::compute_hash(crypto_, *h, root, cd)) return bad(errc::crypto_failure, failure::crypto);
    if (!equal(cd, chain.subspan(cert_chain::header_size, hs))) return bad(errc::verify_failed, failure::root_hash_mismatch);
    if (!crypto::compute_hash(crypto_, *h, chain, cd)) return bad(errc::crypto_failure, failure::crypto);
    if ((digest_mask_ & (1u << op_.slot)) && !equal(cd, bytes_view{s.digest}.first(hs)))
      return bad(errc::verify_failed, failure::chain_digest_mismatch);
    const auto alg = crypto_of<Config::asym_algs>(n_.asym);
    if (!alg) return bad(errc::unsupported, failure::invalid_algorithms);
    auto key = crypto_.verify_cert_chain(chain.subspan(cert_chain::header_size + hs), op_.anchors,
                                         crypto::cert_chain_options{*alg, crypto::cert_role::responder, op_.now});
    if (!key) return bad(key.error() == errc::verify_failed ? errc::verify_failed : key.error(), failure::chain_untrusted);
    s.key = std::move(*key);
    s.verified = true;
    return verdict::done;
  }

  /// Verify the signature at the end of rsp (CHALLENGE_AUTH, MEASUREMENTS: without_signature()
  /// is the rest) over a fork of `state` ‖ request ‖ response-without-signature. The transcript
  /// hash is finalized into the signed message's buffer, behind the room for the 1.2+ prefix
  /// (verify_in_place); ctx is the operation's context string (context_view<C>()).
  verdict verify_signature(const typename transcript_type::hash_state& state, bytes_view rsp, bytes_view signature,
                           std::string_view ctx, std::uint8_t slot) noexcept {
    std::array<std::byte, signing_prefix_size + max_hash> m{};
    const std::size_t hs = n_.h();
    const bytes_view unsigned_rsp = rsp.first(rsp.size() - signature.size());
    if (!tr_.fork_digest(crypto_, state, request_.view(), unsigned_rsp, std::span{m}.subspan(signing_prefix_size, hs)))
      return bad(errc::crypto_failure, failure::crypto);
    const auto alg = crypto_of<Config::asym_algs>(n_.asym);
    const auto h = crypto_of<Config::hash_algs>(n_.hash);
    if (!alg || !h || !slots_[slot].verified) return bad(errc::invalid_state, failure::crypto);
    if (!spdm::verify_in_place(crypto_, slots_[slot].key, *alg, *h, n_.ver, ctx, m, hs, signature))
      return bad(errc::verify_failed, failure::signature_invalid);
    return verdict::done;
  }

  verdict on_challenge_auth(bytes_view rsp) noexcept {
    const header hdr = header_of(request_.view());  // our own request: at least 4 bytes
    challenge_auth got;
    if (const auto d = challenge_auth::read_checked(rsp, n_, response_context::answering(hdr), got); !d)
      return bad(d.error(), failure::malformed_response);
    const challenge_auth* const a = &got;
    const slot_state& s = slots_[op_.slot];
    if (a->slot_id != op_.slot || (a->slot_mask & (1u << op_.slot)) == 0) return bad(errc::invalid_field, failure::unexpected_response);
    if (a->basic_mut_auth_req) return bad(errc::unsupported, failure::unexpected_response);  // no mutual auth here
    // read_checked() made CertChainHash H bytes: the slot's first H bytes are compared.
    if (!equal(a->cert_chain_hash, bytes_view{s.chain_digest}.first(a->cert_chain_hash.size())))
      return bad(errc::verify_failed, failure::cert_chain_hash_mismatch);
    if (n_.ver >= version::v1_3 && !equal(a->requester_context, op_.context))
      return bad(errc::verify_failed, failure::requester_context_mismatch);
    const auto r = verify_signature(tr_.m(), rsp, a->signature,
                                    context_view<signing_context::responder_challenge_auth>(), op_.slot);
    tr_.reset_m();  // B and C are dropped after CHALLENGE_AUTH, verified or not
    if (r != verdict::done) return r;
    authenticated_ = true;
    challenge_ = challenge_result{};
    challenge_.slot = a->slot_id;
    challenge_.slot_mask = a->slot_mask;
    challenge_.basic_mut_auth_requested = a->basic_mut_auth_req;
    challenge_.summary_hash_size = a->measurement_summary_hash.size();
    std::copy(a->measurement_summary_hash.begin(), a->measurement_summary_hash.end(), challenge_.summary_hash.begin());
    return verdict::done;
  }

  verdict on_measurements(bytes_view rsp) noexcept {
    const header hdr = header_of(request_.view());  // our own request: at least 4 bytes
    measurements got;
    if (const auto d = measurements::read_checked(rsp, n_, response_context::answering(hdr), got); !d)
      return bad(d.error(), failure::malformed_response);
    const measurements* const m = &got;
    const measurement_options& o = op_.meas;
    if (o.operation != meas_op_count && o.operation != meas_op_all && (*m->record.begin()).index != o.operation)
      return bad(errc::invalid_field, failure::unexpected_response);
    if (n_.ver >= version::v1_3 && !equal(m->requester_context, op_.context))
      return bad(errc::verify_failed, failure::requester_context_mismatch);
    measurements_.response = *m;
    measurements_.signature_verified = false;
    if (!o.signature) {
      if (tr_.selected() && !commit(true, rsp))
        return bad(errc::crypto_failure, failure::crypto);
      return verdict::done;
    }
    if (n_.ver >= version::v1_1 && m->slot_id != o.slot) return bad(errc::invalid_field, failure::unexpected_response);
    const auto r = verify_signature(tr_.l(), rsp, m->signature,
                                    context_view<signing_context::responder_measurements>(), o.slot);
    drop_l();  // L1/L2 restarts after a signed MEASUREMENTS
    if (r != verdict::done) return r;
    measurements_.signature_verified = true;
    return verdict::done;
  }

  verdict on_vendor(bytes_view rsp) noexcept {
    const auto v = vendor_defined_response::decode(rsp, n_);
    if (!v) return bad(v.error(), failure::malformed_response);
    if (v->standard_id != op_.vendor.standard_id || !equal(v->vendor_id, op_.vendor.vendor_id))
      return bad(errc::invalid_field, failure::unexpected_response);
    vendor_rsp_ = *v;
    return verdict::done;
  }

  Crypto& crypto_;
};

}  // namespace pmci::spdm
