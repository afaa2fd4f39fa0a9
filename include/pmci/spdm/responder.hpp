// SPDX-License-Identifier: Apache-2.0
// pmci::spdm::responder<Config, Crypto, Device> — the SPDM responder for attestation (DSP0274
// 1.0-1.3): GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS, GET_DIGESTS, GET_CERTIFICATE,
// CHALLENGE, GET_MEASUREMENTS, RESPOND_IF_READY, VENDOR_DEFINED_REQUEST.
//
//   static my_device device;
//   static pmci::crypto::psa crypto;
//   static pmci::spdm::responder<rot_config, pmci::crypto::psa, my_device> spdm{crypto, device};
//   auto rsp = spdm.handle(request, tx_buffer);   // sans-I/O: SPDM bytes in, SPDM bytes out
//
// Sans-I/O: handle() takes one whole SPDM request (no transport byte) and writes the response
// into the caller's buffer. Every request gets a response: a malformed request, one out of order,
// one with a version that was not negotiated, or one for a capability the configuration does not
// have is answered with the ERROR DSP0274 prescribes, and never changes the connection state
// (docs/spdm_engines.md has the full table). handle() itself fails only when the buffer cannot
// hold even an ERROR (errc::buffer_too_small).
//
// Slow signatures: a Device whose sign() returns errc::not_ready makes the responder answer
// ERROR ResponseNotReady (RDTExponent/RDTM from the configuration, a fresh token); the requester's
// RESPOND_IF_READY then rebuilds the response (same nonce, same transcript hash) and asks the
// device again. Any other request abandons the pending response.
//
// Transcripts (spdm.md §15) are running hash states (transcript.hpp); the reset rules follow
// libspdm's (checked against the captures): GET_DIGESTS drops B; GET_MEASUREMENTS before a
// successful CHALLENGE drops B and C; a successful CHALLENGE_AUTH drops B and C; any request but
// GET_MEASUREMENTS drops L1/L2, as do a signed MEASUREMENTS and a GET_MEASUREMENTS answered with
// ERROR.
//
// Extension points for the session layer: vca_transcript() (the hash state A to fork TH from),
// cert_chain_digest(slot) (Ct), negotiated_params(); dispatch() has one `if constexpr` block
// per capability where KEY_EXCHANGE & co. slot in.
#pragma once
#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>

#include "pmci/core/bytes.hpp"
#include "pmci/core/buffer.hpp"
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
#include "pmci/spdm/device.hpp"
#include "pmci/spdm/digests.hpp"
#include "pmci/spdm/error.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/measurements.hpp"
#include "pmci/spdm/request_frame.hpp"
#include "pmci/spdm/signing.hpp"
#include "pmci/spdm/transcript.hpp"
#include "pmci/spdm/types.hpp"
#include "pmci/spdm/vendor.hpp"
#include "pmci/spdm/version.hpp"

namespace pmci::spdm {

template <class Config, class Crypto, class Device>
class responder {
  static_assert(check_responder_config<Config, Crypto>());
  static_assert(check_device<Device, Config, Crypto>());

 public:
  static constexpr rsp_cap config_caps = Config::capabilities;
  static constexpr bool cert_enabled = has(config_caps, rsp_cap::cert);
  static constexpr bool chal_enabled = has(config_caps, rsp_cap::chal);
  static constexpr bool meas_enabled = (config_caps & rsp_cap::meas_mask) != rsp_cap::none;
  static constexpr bool meas_sig_enabled = (config_caps & rsp_cap::meas_mask) == rsp_cap::meas_sig;
  static constexpr bool signs = chal_enabled || meas_sig_enabled;
  static constexpr bool uses_asym = signs || any(config_caps, rsp_cap::key_ex);
  static constexpr bool uses_hash = uses_asym || any(config_caps, rsp_cap::psk_mask);
  static constexpr bool async_signing = detail::device_signs<Device>;
  static constexpr bool vendor_enabled = detail::device_has_vendor<Device>;
  static constexpr std::size_t max_hash = detail::max_hash_size(Config::hash_algs);
  /// Largest signature of the configured algorithms (0 for a responder that does not sign).
  static constexpr std::size_t max_signature = detail::max_signature_size(Config::asym_algs);
  /// VCA bytes before ALGORITHMS: GET_VERSION (4) + VERSION (6 + 2 x 4) + GET_CAPABILITIES (20)
  /// + CAPABILITIES (20, no supported-algorithms block: pmci has no CHUNK_CAP).
  static constexpr std::size_t vca_capacity = 4 + 14 + 20 + 20;
  using transcript_type = transcript<Crypto, vca_capacity>;

  /// The smallest response buffer handle() accepts: DSP0274's MinDataTransferSize (42, the
  /// smallest DataTransferSize either side may declare; check_responder_config() holds
  /// Config::max_message_size to it and a requester's smaller DataTransferSize is ignored). Every
  /// response therefore has room for its fixed part up to 42 bytes (ERROR with extended data,
  /// VERSION, CAPABILITIES, the ALGORITHMS base, the CERTIFICATE and MEASUREMENTS headers), and
  /// the handlers write those parts without a capacity check per field.
  static constexpr std::size_t min_response_size = 42;

  constexpr responder(Crypto& crypto, Device& device) noexcept : crypto_(crypto), dev_(device) {}
  responder(const responder&) = delete;
  responder& operator=(const responder&) = delete;

  /// Narrow the versions, algorithms and capability flags this responder offers and selects at
  /// run time; only with Config::runtime_limits (config.hpp offer_limits). Takes effect at the
  /// next GET_VERSION (call it between connections). errc::invalid_field when nothing of a
  /// required list would be left, or the narrowed flags break DSP0274's consistency rules.
  result<void> set_limits(const offer_limits& l) noexcept
    requires(detail::has_runtime_limits<Config>())
  {
    if ((Config::versions & l.versions).empty() || (detail::mask_of(Config::hash_algs) & l.hash) == 0)
      return errc::invalid_field;
    if constexpr (signs)
      if ((detail::mask_of(Config::asym_algs) & l.asym) == 0) return errc::invalid_field;
    if constexpr (meas_enabled)
      if ((detail::mask_of(Config::measurement_hash_algs) & l.meas_hash) == 0) return errc::invalid_field;
    const auto caps = static_cast<rsp_cap>(raw(config_caps) & l.capabilities);
    if (!detail::valid_at_every_version(Config::versions & l.versions, caps)) return errc::invalid_field;
    // The rules check_responder_config() enforces on the configuration hold for the narrowing.
    if ((has(caps, rsp_cap::chal) || (caps & rsp_cap::meas_mask) == rsp_cap::meas_sig) && !has(caps, rsp_cap::cert))
      return errc::invalid_field;
    limits_.value = l;
    return pmci::ok();
  }
  [[nodiscard]] constexpr const offer_limits& limits() const noexcept { return limits_.value; }

  /// Answer one SPDM request. Returns the response (a prefix of `response`), which is an ERROR
  /// message whenever the request cannot be served; errc::buffer_too_small only when `response`
  /// is shorter than min_response_size. Use a buffer of Config::max_message_size bytes: longer
  /// responses are clipped to that (CERTIFICATE portions) or answered with ResponseTooLarge.
  [[nodiscard]] result<bytes_span> handle(bytes_view request, bytes_span response) noexcept {
    if (response.size() < min_response_size) return errc::buffer_too_small;
    std::size_t cap = std::min<std::size_t>(response.size(), Config::max_message_size);
    if (state_ >= connection_state::after_capabilities && at_least(version::v1_2) && peer_data_transfer_size_ >= 42)
      cap = std::min<std::size_t>(cap, peer_data_transfer_size_);
    out_ = response.first(cap);
    return out_.first(dispatch(request));
  }

  // ---- state, for the integrator, tests and the session layer ---------------------------------
  [[nodiscard]] constexpr connection_state state() const noexcept { return state_; }
  /// Version, algorithms and both sides' flags (valid from the state they are negotiated in).
  [[nodiscard]] constexpr const negotiated& negotiated_params() const noexcept { return n_; }
  /// A CHALLENGE_AUTH was sent since the last GET_VERSION.
  [[nodiscard]] constexpr bool authenticated() const noexcept { return authenticated_; }
  /// A response is waiting for RESPOND_IF_READY.
  [[nodiscard]] constexpr bool response_pending() const noexcept {
    if constexpr (async_signing) return pending_.active;
    else return false;
  }
  /// The transcripts; vca() is A, the base of the session transcripts TH1/TH2.
  [[nodiscard]] constexpr const transcript_type& transcripts() const noexcept { return tr_; }
  [[nodiscard]] constexpr const typename transcript_type::hash_state& vca_transcript() const noexcept { return tr_.vca(); }
  /// The requester's DataTransferSize / MaxSPDMmsgSize / CTExponent (1.2+ / 1.1+).
  [[nodiscard]] constexpr std::uint32_t peer_data_transfer_size() const noexcept { return peer_data_transfer_size_; }
  [[nodiscard]] constexpr std::uint32_t peer_max_message_size() const noexcept { return peer_max_message_size_; }
  [[nodiscard]] constexpr std::uint8_t peer_ct_exponent() const noexcept { return peer_ct_exponent_; }

  /// Hash of the SPDM certificate chain of `slot` with the negotiated hash (DIGESTS entry, the
  /// session transcripts' Ct). errc::invalid_state before ALGORITHMS, errc::out_of_range for an
  /// unprovisioned slot, errc::invalid_field for a chain that is not DER.
  result<void> cert_chain_digest(std::uint8_t slot, bytes_span out) noexcept
    requires cert_enabled
  {
    if (state_ != connection_state::negotiated || hash_len() == 0) return errc::invalid_state;
    if (slot >= Config::slot_count) return errc::out_of_range;
    const bytes_view certs = dev_.cert_chain(slot);
    if (certs.empty()) return errc::out_of_range;
    return chain_digest(certs, out);
  }

 private:
  using hash_state = typename transcript_type::hash_state;

  // ============================================================================================
  // Dispatch
  // ============================================================================================
  std::size_t dispatch(bytes_view req) noexcept {
    if (req.size() < header::size) {
      drop_l();
      return error(error_code::invalid_request);
    }
    const auto c = static_cast<code>(std::to_integer<std::uint8_t>(req[1]));
    // Cut transport padding (request_frame.hpp; the handlers ignore reserved bits). The version that
    // sizes the request: 1.0 for GET_VERSION, its own for GET_CAPABILITIES, else the negotiated
    // one (a request of another version is answered VersionMismatch before it is decoded).
    const std::uint8_t vb = std::to_integer<std::uint8_t>(req[0]);
    const version fv = c == code::get_capabilities ? (is_known(vb) ? static_cast<version>(vb) : version::v1_0)
                       : c == code::get_version    ? version::v1_0
                                                   : n_.ver;
    const bytes_view m = cut_request<vendor_enabled>(req, fv);
    if (c == code::get_version) return on_get_version(m);

    if constexpr (async_signing)
      if (pending_.active && c != code::respond_if_ready) abandon_pending();
    // Any request but GET_MEASUREMENTS drops L1/L2 (spdm.md §15; RESPOND_IF_READY continues the
    // request it completes).
    if (c != code::get_measurements && c != code::respond_if_ready) drop_l();

    // What the transport delivered, padding included, is what DataTransferSize bounds.
    if (req.size() > Config::max_message_size)
      return error(at_least(version::v1_2) && state_ >= connection_state::after_capabilities
                       ? error_code::request_too_large : error_code::invalid_request);

    // The requests after ALGORITHMS that this configuration serves are checked here, once:
    // UnexpectedRequest before ALGORITHMS, VersionMismatch for another version byte (precheck).
    if (served_after_algorithms(c)) {
      if (const auto e = precheck(m); e != error_code{}) {
        if (c == code::get_measurements) drop_l();  // answered with ERROR: L1/L2 restarts
        return error(e);
      }
    }
    switch (c) {
      case code::get_capabilities: return on_get_capabilities(m);
      case code::negotiate_algorithms: return on_negotiate_algorithms(m);
      case code::get_digests:
        if constexpr (cert_enabled) return on_get_digests(m);
        break;
      case code::get_certificate:
        if constexpr (cert_enabled) return on_get_certificate(m);
        break;
      case code::challenge:
        if constexpr (chal_enabled) return on_challenge(m, nullptr);
        break;
      case code::get_measurements:
        if constexpr (meas_enabled) return on_get_measurements(m, nullptr);
        break;
      case code::respond_if_ready: return on_respond_if_ready(m);
      case code::vendor_defined_request:
        if constexpr (vendor_enabled) return on_vendor_defined(m);
        break;
      // Session layer (KEY_EXCHANGE, FINISH, PSK_*, HEARTBEAT, KEY_UPDATE, END_SESSION,
      // GET_ENCAPSULATED_REQUEST, ...): one `if constexpr` case per capability goes here.
      default: break;
    }
    if (c == code::get_measurements) drop_l();
    return error(error_code::unsupported_request, static_cast<std::uint8_t>(c));
  }

  /// The requests dispatch() hands to a handler that needs a negotiated connection.
  static constexpr bool served_after_algorithms(code c) noexcept {
    switch (c) {
      case code::get_digests:
      case code::get_certificate: return cert_enabled;
      case code::challenge: return chal_enabled;
      case code::get_measurements: return meas_enabled;
      case code::respond_if_ready: return true;
      case code::vendor_defined_request: return vendor_enabled;
      default: return false;
    }
  }
  /// Check that a post-negotiation request may be served now: UnexpectedRequest before
  /// ALGORITHMS, VersionMismatch for another version byte. Returns the ERROR to send, or 0.
  [[nodiscard]] constexpr error_code precheck(bytes_view req) const noexcept {
    if (state_ < connection_state::after_capabilities) return error_code::unexpected_request;
    if (std::to_integer<std::uint8_t>(req[0]) != to_byte(ver())) return error_code::version_mismatch;
    if (state_ != connection_state::negotiated) return error_code::unexpected_request;
    return static_cast<error_code>(0);
  }

  // ============================================================================================
  // VCA
  // ============================================================================================
  // Requests are read in place at fixed offsets (DSP0274 1.0-1.3 request tables; spdm.md §3-§8)
  // instead of through the codecs' decode(): cut_request() has cut each fixed-layout request to
  // its own length, dispatch() checked it holds a header, and precheck() its version byte, so
  // what decode() would still reject is a wrong length or an invalid field value, both
  // InvalidRequest. Reserved bits are ignored where they are read, without a cleaned copy of the
  // request: each handler masks the fields that share a byte with reserved bits (the rows of
  // detail::reserved_rules, request_frame.hpp) and never reads the other reserved fields; the
  // transcripts hash the request as received. Each handler checks req.size() once, and reads
  // only below it. tests/spdm_engines/lean_request_test.cpp holds them to decode() of the
  // cleaned frame.
  static constexpr std::uint8_t at(bytes_view m, std::size_t i) noexcept { return std::to_integer<std::uint8_t>(m[i]); }
  /// Little-endian fields at positions whose bounds the caller has checked: single unaligned
  /// loads / stores on a Cortex-M4, no span temporaries. get16/get32 always inline (GCC kept an
  /// out-of-line `ldr; bx lr` otherwise); put32 through memcpy on a little-endian target (GCC
  /// does not merge the four byte stores into one: -124 B responder_attest, issue 9).
  [[gnu::always_inline]] static constexpr std::uint32_t get16(const std::byte* p) noexcept {
    return std::to_integer<std::uint32_t>(p[0]) | std::to_integer<std::uint32_t>(p[1]) << 8;
  }
  [[gnu::always_inline]] static constexpr std::uint32_t get32(const std::byte* p) noexcept { return get16(p) | get16(p + 2) << 16; }
  static constexpr void put16(std::byte* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::byte>(v);
    p[1] = static_cast<std::byte>(v >> 8);
  }
  static constexpr void put32(std::byte* p, std::uint32_t v) noexcept {
    if (!std::is_constant_evaluated() && std::endian::native == std::endian::little) {
      __builtin_memcpy(p, &v, 4);
      return;
    }
    put16(p, v);
    put16(p + 2, v >> 16);
  }

  /// GET_VERSION (4 bytes, SPDMVersion 0x10) -> VERSION: | 10 04 00 00 | Reserved | Count |
  /// Count x VersionNumberEntry (2, LE) | (spdm.md §3): at most 14 bytes, within min_response_size.
  std::size_t on_get_version(bytes_view req) noexcept {
    const std::uint8_t vb = at(req, 0);
    if (vb != to_byte(version::v1_0))
      return error(is_known(vb) ? error_code::version_mismatch : error_code::invalid_request, 0, version::v1_0);
    // GET_VERSION resets the connection and every transcript (spdm.md §3), pending work too.
    reset_connection();
    const version_set vs = versions_now();
    std::byte* const o = out_.data();
    std::size_t n = 6;
    for (std::uint8_t b = 0x10; b <= 0x13; ++b) {
      if (!vs.contains(static_cast<version>(b))) continue;
      o[n++] = std::byte{0};
      o[n++] = std::byte{b};
    }
    put_header(code::version, version::v1_0);
    o[4] = std::byte{0};
    o[5] = std::byte{static_cast<std::uint8_t>((n - 6) / 2)};
    if (n == 6 || !tr_.append_vca(req) || !tr_.append_vca(bytes_view{out_}.first(n)))
      return error(error_code::unspecified, 0, version::v1_0);
    state_ = connection_state::after_version;
    return n;
  }

  /// GET_CAPABILITIES: | hdr | Reserved | CTExponent | Reserved(2) | Flags(4) | (1.2+)
  /// DataTransferSize(4) | MaxSPDMmsgSize(4) | : 4 / 12 / 20 bytes at 1.0 / 1.1 / 1.2+ (spdm.md §4).
  std::size_t on_get_capabilities(bytes_view req) noexcept {
    if (state_ != connection_state::after_version) return error(error_code::unexpected_request);
    const std::uint8_t vb = at(req, 0);
    if (!is_known(vb) || !versions_now().contains(static_cast<version>(vb)))
      return error(error_code::version_mismatch, 0, version::v1_0);
    const auto ver = static_cast<version>(vb);
    // cut_request() sized the request for `ver` (dispatch: fv); a shorter one is truncated.
    const std::size_t size = by_version<capabilities_request_size>(ver);
    if (req.size() != size) return error(error_code::invalid_request, 0, ver);
    const std::byte* const q = req.data();
    const std::uint8_t ct_exponent = size > 4 ? at(req, 5) : 0;
    // Flag bits the version does not define for a requester are reserved (spdm.md §4.1).
    const auto flags = static_cast<req_cap>(size > 4 ? get32(q + 8) & raw(defined_flags(req_cap{}, ver)) : 0);
    const std::uint32_t dts = size > 12 ? get32(q + 12) : 0;
    const std::uint32_t max = size > 12 ? get32(q + 16) : 0;
    // The flag rules, DataTransferSize rules (1.2+), and 1.3's supported-algorithms block, which
    // may only be asked for with CHUNK_CAP (pmci never sends one): get_capabilities::validate().
    if (!validate(flags, ver) || (size > 12 && !detail::transfer_sizes_valid(dts, max, has(flags, req_cap::chunk))) ||
        (version_at_least(ver, version::v1_3) && (at(req, 2) & 1) && !has(flags, req_cap::chunk)))
      return error(error_code::invalid_request, 0, ver);

    // CAPABILITIES: | hdr | Reserved | CTExponent | Reserved(2) | Flags(4) | (1.2+) DataTransferSize
    // | MaxSPDMmsgSize |: 12 or 20 bytes (no supported-algorithms block: pmci has no CHUNK_CAP).
    const rsp_cap ours = detail::masked(caps_now(), ver);
    const std::size_t n = size > 12 ? 20 : 12;
    std::byte* const o = out_.data();
    put_header(code::capabilities, ver);
    put32(o + 4, std::uint32_t{Config::ct_exponent} << 8);  // Reserved | CTExponent | Reserved(2)
    put32(o + 8, raw(ours));
    if (n > 12) {
      put32(o + 12, Config::max_message_size);
      put32(o + 16, Config::max_message_size);
    }
    if (!tr_.append_vca(req) || !tr_.append_vca(bytes_view{out_}.first(n)))
      return error(error_code::unspecified, 0, ver);

    // n_ is all defaults here: only GET_VERSION (reset_connection) leads to after_version, and
    // nothing else writes n_ before CAPABILITIES (no second reset of the 40-byte struct).
    n_.ver = ver;
    n_.req_caps = flags;
    n_.rsp_caps = ours;
    peer_ct_exponent_ = ct_exponent;
    peer_data_transfer_size_ = dts;
    peer_max_message_size_ = max;
    state_ = connection_state::after_capabilities;
    return n;
  }

  /// detail::select_first() over a configuration list, unrolled at compile time: the list's
  /// entries become immediates (a loop over a static array would read it from memory).
  template <const auto& List>
  static constexpr auto pick(std::uint32_t peer) noexcept {
    using E = typename std::remove_cvref_t<decltype(List)>::value_type;
    return [peer]<std::size_t... I>(std::index_sequence<I...>) {
      E r{};
      ((r == E{} && (raw(List[I]) & peer) != 0 ? (void)(r = std::integral_constant<E, List[I]>::value) : (void)0), ...);
      return r;
    }(std::make_index_sequence<std::tuple_size_v<std::remove_cvref_t<decltype(List)>>>{});
  }

  /// to_crypto() of a negotiated algorithm. The responder only ever selects entries of its
  /// configuration's lists (pick), so the mapping is one compile-time constant per entry.
  template <const auto& List, std::size_t I>
  static constexpr auto crypto_at = *to_crypto(List[I]);
  template <const auto& List, class E>
  static constexpr auto crypto_id(E e) noexcept {
    decltype(to_crypto(e)) r{};
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((e == std::integral_constant<E, List[I]>::value ? (void)(r = crypto_at<List, I>) : (void)0), ...);
    }(std::make_index_sequence<std::tuple_size_v<std::remove_cvref_t<decltype(List)>>>{});
    return r;
  }

  /// The sizes of the negotiated algorithms (H, S, the measurement hash). The responder only ever
  /// selects entries of its configuration's lists (pick), or none (size 0), so each size is one
  /// compile-time constant per entry instead of a switch over every algorithm DSP0274 defines.
  static constexpr std::size_t alg_size(base_hash a) noexcept { return hash_size(a); }
  static constexpr std::size_t alg_size(base_asym a) noexcept { return signature_size(a); }
  static constexpr std::size_t alg_size(meas_hash a) noexcept { return hash_size(a); }
  template <const auto& List, class E>
  static constexpr std::size_t size_in(E e) noexcept {
    std::size_t r = 0;
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((e == std::integral_constant<E, List[I]>::value
            ? (void)(r = std::integral_constant<std::size_t, alg_size(List[I])>::value)
            : (void)0),
       ...);
    }(std::make_index_sequence<std::tuple_size_v<std::remove_cvref_t<decltype(List)>>>{});
    return r;
  }
  /// A responder that cannot work without BaseHashSel and BaseAsymSel answers NEGOTIATE_ALGORITHMS
  /// with ERROR when nothing is common (on_negotiate_algorithms), so once negotiated its H and S
  /// are entries of its lists: with a one-entry list, that entry's constants (no look-up, no
  /// "none" case). Only after ALGORITHMS, as every caller is.
  static constexpr bool needs_hash_and_asym = cert_enabled || signs;
  static constexpr bool one_hash = needs_hash_and_asym && Config::hash_algs.size() == 1;
  static constexpr bool one_asym = signs && Config::asym_algs.size() == 1;
  [[nodiscard]] constexpr std::size_t hash_len() const noexcept {
    if constexpr (one_hash) return std::integral_constant<std::size_t, alg_size(Config::hash_algs[0])>::value;
    else return size_in<Config::hash_algs>(n_.hash);
  }
  [[nodiscard]] constexpr std::size_t sig_len() const noexcept {
    if constexpr (one_asym) return std::integral_constant<std::size_t, alg_size(Config::asym_algs[0])>::value;
    else return size_in<Config::asym_algs>(n_.asym);
  }
  /// MeasurementHashAlgo is selected together with MeasurementSpecificationSel (never none then:
  /// the responder picks from its own list, and set_limits() keeps one entry of it), so with a
  /// one-entry list its size follows from the specification alone.
  [[nodiscard]] constexpr std::size_t meas_hash_len() const noexcept {
    if constexpr (meas_enabled && Config::measurement_hash_algs.size() == 1)
      return n_.measurement_spec != meas_spec::none ? alg_size(Config::measurement_hash_algs[0]) : 0;
    else
      return size_in<Config::measurement_hash_algs>(n_.measurement_hash);
  }

  /// NEGOTIATE_ALGORITHMS (spdm.md §5.1) -> ALGORITHMS (§5.2), both read / written in place.
  std::size_t on_negotiate_algorithms(bytes_view req) noexcept {
    if (state_ < connection_state::after_capabilities) return error(error_code::unexpected_request);
    if (at(req, 0) != to_byte(ver())) return error(error_code::version_mismatch);
    if (state_ != connection_state::after_capabilities) return error(error_code::unexpected_request);
    // Every rule of negotiate_algorithms::decode() but the header and the reserved fields.
    // Param1 (the number of AlgStructs) is reserved at 1.0 (spdm.md §5.1).
    const std::size_t count = at_least(version::v1_1) ? at(req, 2) : 0;
    const std::size_t structs_at = negotiate_algorithms::structs_offset(req, ver(), count);
    if (structs_at == 0) return error(error_code::invalid_request);
    const auto req_spec = static_cast<meas_spec>(at(req, 6));
    // OtherParamsSupport: only its defined bits are read below (opaque formats, bits 1:0, at 1.2+;
    // MultiKeyConn, bit 4, at 1.3), so its reserved bits need no clearing.
    const std::uint8_t req_other = at(req, 7);

    // The selections are kept in locals and stored into n_ only on success (an ERROR leaves the
    // connection as it was), field by field rather than as a copy of the whole struct. In this
    // state n_ holds only CAPABILITIES' fields (on_get_capabilities), the rest are defaults.
    meas_spec mspec = meas_spec::none;
    meas_hash mhash = meas_hash::none;
    base_asym asym = base_asym::none;
    base_hash hash = base_hash::none;
    dhe_group dhe = dhe_group::none;
    aead_suite aead = aead_suite::none;
    base_asym req_asym = base_asym::none;
    bool mk_rsp = false, mk_req = false;
    // Measurements: the responder names its hash when the requester speaks the DMTF format.
    if constexpr (meas_enabled) {
      if (any(req_spec, Config::measurement_spec)) {
        mspec = meas_spec::dmtf;
        mhash = pick<Config::measurement_hash_algs>(limits_.value.meas_hash);
      }
    }
    // BaseAsymSel / BaseHashSel only when something uses them (the DMTF SPDM-Responder-Validator,
    // ALGORITHMS assertions 3.x.9/3.x.10: zero unless CHAL_CAP, signed MEAS_CAP, KEY_EX_CAP or
    // (hash) PSK_CAP); a responder with unsigned measurements only selects neither. The run-time
    // limits (Config::runtime_limits) narrow what may be selected.
    const std::byte* const q = req.data();
    if constexpr (uses_asym) asym = pick<Config::asym_algs>(get32(q + 8) & limits_.value.asym);
    if constexpr (uses_hash) hash = pick<Config::hash_algs>(get32(q + 12) & limits_.value.hash);
    std::uint8_t other = 0;
    if (at_least(version::v1_2)) {
      const std::uint8_t common = req_other & Config::opaque_data_formats;
      other = (common & opaque_data_fmt1) ? opaque_data_fmt1 : (common & opaque_data_fmt0);
    }
    meas_spec mel = meas_spec::none;
    // n_.rsp_caps holds only flags of the configuration: none of these unless it has them.
    const auto mk = any(config_caps, rsp_cap::multi_key_mask) ? n_.rsp_caps & rsp_cap::multi_key_mask : rsp_cap::none;
    if (at_least(version::v1_3)) {
      // RequesterMultiKeyConnSel (spdm.md §6.2): when the requester can only do multi-key, or
      // can negotiate it and this responder does multi-key itself.
      const auto rmk = n_.req_caps & req_cap::multi_key_mask;
      if (rmk == req_cap::multi_key_only || (rmk == req_cap::multi_key_negotiated && any(caps_now(), rsp_cap::multi_key_mask)))
        other = static_cast<std::uint8_t>(other | detail::multi_key_conn_bit);
      if (any(static_cast<meas_spec>(at(req, 31)), Config::mel_spec)) mel = meas_spec::dmtf;
      // MultiKeyConnRsp / MultiKeyConnReq (spdm.md §6.2; update(negotiated&, ...) in algorithms.hpp).
      mk_rsp = mk == rsp_cap::multi_key_only ||
                             (mk == rsp_cap::multi_key_negotiated && (req_other & detail::multi_key_conn_bit));
      mk_req = (other & detail::multi_key_conn_bit) != 0;
    }
    // AlgStructs: one per requested type, in the request's order (libspdm); each selects the
    // first of our list the requester supports, or nothing. An empty offer is invalid. The
    // selections go straight to their place in ALGORITHMS (36 + 4 i) when that is inside the
    // buffer; the size is checked once below.
    std::byte* const o = out_.data();
    std::size_t r = structs_at;
    for (std::size_t i = 0; i < count; ++i) {
      const std::uint8_t type = at(req, r);
      const std::uint16_t supported = static_cast<std::uint16_t>(get16(q + r + 2));
      r += 4 + 4 * (at(req, r + 1) & 0x0F);
      if (supported == 0) return error(error_code::invalid_request);
      std::uint16_t sel = 0;
      switch (static_cast<alg_type>(type)) {
        case alg_type::dhe:
          dhe = pick<Config::dhe_groups>(static_cast<std::uint16_t>(supported & limits_.value.dhe));
          sel = raw(dhe);
          break;
        case alg_type::aead:
          aead = pick<Config::aead_suites>(static_cast<std::uint16_t>(supported & limits_.value.aead));
          sel = raw(aead);
          break;
        case alg_type::req_base_asym:
          req_asym = pick<Config::req_asym_algs>(static_cast<std::uint32_t>(supported & limits_.value.req_asym));
          sel = static_cast<std::uint16_t>(raw(req_asym));
          break;
        case alg_type::key_schedule:
          sel = raw(pick<Config::key_schedules>(static_cast<std::uint16_t>(supported & limits_.value.key_schedule)));
          break;
      }
      const std::size_t w = algorithms::fixed_size + 4 * i;
      // AlgType | FixedAlgCount 2, no external algorithms | AlgSupported (the selection)
      if (w + 4 <= out_.size()) put32(o + w, type | 0x2000u | std::uint32_t{sel} << 16);
    }
    // What this responder cannot work without (libspdm: InvalidRequest when nothing is common).
    if constexpr (cert_enabled || signs)
      if (hash == base_hash::none || asym == base_asym::none) return error(error_code::invalid_request);
    if constexpr (meas_enabled)
      if (req_spec != meas_spec::none && mspec == meas_spec::none) return error(error_code::invalid_request);

    // ALGORITHMS: | hdr: Param1 #AlgStructs | Length(2) | MeasSpecSel | OtherParamsSelection |
    // MeasurementHashAlgo(4) | BaseAsymSel(4) | BaseHashSel(4) | Reserved(11) | MELSpecSel |
    // ExtAsymSelCount | ExtHashSelCount | Reserved(2) | AlgStructs (4 each) |: 36 bytes fit.
    const std::size_t len = algorithms::fixed_size + 4 * count;
    if (len > out_.size()) return error(error_code::unspecified);
    put_header(code::algorithms, ver(), static_cast<std::uint8_t>(count));
    put32(o + 4, static_cast<std::uint32_t>(len) | std::uint32_t{raw(mspec)} << 16 | std::uint32_t{other} << 24);
    put32(o + 8, raw(mhash));
    put32(o + 12, raw(asym));
    put32(o + 16, raw(hash));
    for (std::size_t i = 20; i < algorithms::fixed_size; ++i) o[i] = std::byte{0};
    o[31] = std::byte{raw(mel)};
    const bytes_span rsp = out_.first(len);

    if (hash != base_hash::none) {
      const auto h = crypto_id<Config::hash_algs>(hash);
      if (!h || !tr_.select(crypto_, *h, ver(), req, rsp)) return resynch();
    }
    n_.hash = hash;
    n_.asym = asym;
    n_.req_asym = req_asym;
    n_.measurement_hash = mhash;
    n_.dhe = dhe;
    n_.aead = aead;
    n_.measurement_spec = mspec;
    n_.other_params = other;
    n_.multi_key_conn_rsp = mk_rsp;
    n_.multi_key_conn_req = mk_req;
    state_ = connection_state::negotiated;
    return len;
  }

  // ============================================================================================
  // Certificates
  // ============================================================================================
  [[nodiscard]] std::uint8_t provisioned_slot_mask() noexcept {
    std::uint8_t m = 0;
    for (std::size_t s = 0; s < Config::slot_count; ++s)
      if (!dev_.cert_chain(static_cast<std::uint8_t>(s)).empty()) m = static_cast<std::uint8_t>(m | (1u << s));
    return m;
  }
  [[nodiscard]] slot_info info_of(std::uint8_t slot) noexcept {
    if constexpr (detail::device_has_slot_info<Device>) return dev_.slot_information(slot);
    else return slot_info{slot};
  }
  [[nodiscard]] std::uint8_t supported_slots() noexcept {
    if constexpr (detail::device_has_supported_slots<Device>) return dev_.supported_slot_mask();
    else return static_cast<std::uint8_t>((1u << Config::slot_count) - 1u);
  }

  /// Hash(a ‖ b) with the negotiated hash: the one hashing step of RootHash (b empty: one update,
  /// as before) and the chain digest.
  result<void> hash_of(bytes_view a, bytes_view b, bytes_span out) noexcept {
    PMCI_TRY_ASSIGN(const crypto::hash_alg h, negotiated_hash());
    hash_state s{};
    PMCI_TRY(crypto_.hash_init(s, h));
    PMCI_TRY(crypto_.hash_update(s, a));
    if (!b.empty()) PMCI_TRY(crypto_.hash_update(s, b));
    return crypto_.hash_final(s, out);
  }
  /// The first H + 4 bytes of the SPDM chain: Length(2) | Reserved(2) | RootHash, where
  /// RootHash = Hash(first DER certificate) (spdm.md §6.1). Returns the head's size.
  result<std::size_t> chain_head(bytes_view certs, std::span<std::byte, cert_chain::header_size + max_hash> head) noexcept {
    PMCI_TRY_ASSIGN(const std::size_t root_size, der_sequence_size(certs));
    const std::size_t size = cert_chain::header_size + hash_len();
    put32(head.data(), static_cast<std::uint16_t>(size + certs.size()));  // Length | Reserved(2)
    PMCI_TRY(hash_of(certs.first(root_size), {}, head.subspan(cert_chain::header_size, hash_len())));
    return size;
  }
  /// Total SPDM chain length: header + RootHash + certificates (16-bit at 1.0-1.3).
  [[nodiscard]] constexpr std::size_t chain_size(bytes_view certs) const noexcept {
    return cert_chain::header_size + hash_len() + certs.size();
  }
  /// Hash(SPDM chain) without materializing the chain.
  result<void> chain_digest(bytes_view certs, bytes_span out) noexcept {
    if (chain_size(certs) > cert_chain::max_size) return errc::out_of_range;
    std::array<std::byte, cert_chain::header_size + max_hash> head;
    PMCI_TRY_ASSIGN(const std::size_t head_size, chain_head(certs, head));
    return hash_of(bytes_view{head}.first(head_size), certs, out);
  }

  /// GET_DIGESTS is a bare header (spdm.md §6.2): cut_request() cut it to 4 bytes and its
  /// Param1/Param2 are reserved (never read), so precheck() is all decode() would check.
  /// DIGESTS: | hdr: Param1 SupportedSlotMask (1.3), Param2 ProvisionedSlotMask | H per slot |
  /// (1.3 MultiKeyConnRsp) KeyPairID[n] | CertificateInfo[n] | KeyUsageMask[n](2) |.
  std::size_t on_get_digests(bytes_view req) noexcept {
    tr_.reset_m();  // GET_DIGESTS drops B (libspdm)
    const std::uint8_t mask = provisioned_slot_mask();
    if (mask == 0) return error(error_code::unspecified);
    put_header(code::digests, ver(), at_least(version::v1_3) ? supported_slots() : std::uint8_t{0}, mask);
    const std::size_t h = hash_len();
    std::size_t n = header::size, k = 0;
    for (std::uint8_t s = 0; s < Config::slot_count; ++s) {
      if (!(mask & (1u << s))) continue;
      if (h > out_.size() - n) return error_too_large();
      if (!chain_digest(dev_.cert_chain(s), out_.subspan(n, h))) return error(error_code::unspecified);
      n += h;
      ++k;
    }
    if (multi_key_rsp()) {
      if (4 * k > out_.size() - n) return error_too_large();
      std::size_t i = 0;
      for (std::uint8_t s = 0; s < Config::slot_count; ++s) {
        if (!(mask & (1u << s))) continue;
        const slot_info si = info_of(s);
        std::byte* const o = out_.data() + n;
        o[i] = std::byte{si.key_pair_id};
        o[k + i] = std::byte{static_cast<std::uint8_t>(si.model)};
        put16(o + 2 * k + 2 * i, raw(si.usage));
        ++i;
      }
      n += 4 * k;
    }
    return commit_m(req, n);
  }

  /// GET_CERTIFICATE: | hdr: Param1 SlotID (bits 3:0), Param2 SlotSizeRequested (1.3, bit 0) |
  /// Offset(2) | Length(2) | (8 bytes, spdm.md §6.3). CERTIFICATE: | hdr: SlotID, CertificateInfo
  /// (1.3) | PortionLength(2) | RemainderLength(2) | portion |.
  std::size_t on_get_certificate(bytes_view req) noexcept {
    const std::uint8_t slot = at(req, 2) & 0x0F;  // bits 7:4 reserved (1.4: LargeCertChain)
    if (req.size() != get_certificate::size || slot >= max_slots) return error(error_code::invalid_request);
    const bool slot_size_requested = at_least(version::v1_3) && (at(req, 3) & 1) != 0;  // reserved before 1.3
    std::size_t offset = get16(req.data() + 4), length = get16(req.data() + 6);
    const bytes_view certs = slot < Config::slot_count ? dev_.cert_chain(slot) : bytes_view{};
    const std::size_t total = certs.empty() ? 0 : chain_size(certs);
    if (total > cert_chain::max_size) return error(error_code::unspecified);
    // An unprovisioned slot is InvalidRequest, also for SlotSizeRequested (1.3: there is no size).
    if (certs.empty()) return error(error_code::invalid_request);
    if (slot_size_requested) {
      // 1.3 SlotSizeRequested: Offset and Length are ignored; RemainderLength = the chain size.
      offset = 0;
      length = 0;
    } else if (offset >= total) {
      return error(error_code::invalid_request);
    }
    // The portion: what was asked for, clipped to the buffer (min_response_size > 8) and the chain.
    if (length > out_.size() - certificate::fixed_size) length = out_.size() - certificate::fixed_size;
    if (length > total - offset) length = total - offset;
    const std::size_t remainder = slot_size_requested ? total : total - offset - length;

    const std::uint8_t info =
        multi_key_rsp() ? static_cast<std::uint8_t>(info_of(slot).model) : 0;
    put_header(code::certificate, ver(), slot, info);
    put32(out_.data() + 4, static_cast<std::uint32_t>(length | remainder << 16));
    if (length != 0 && !copy_chain_portion(certs, offset, out_.subspan(certificate::fixed_size, length)))
      return error(error_code::unspecified);
    return commit_m(req, certificate::fixed_size + length);
  }

  /// Bytes [offset, offset + out.size()) of the virtual SPDM chain.
  result<void> copy_chain_portion(bytes_view certs, std::size_t offset, bytes_span out) noexcept {
    std::array<std::byte, cert_chain::header_size + max_hash> head;
    const std::size_t head_size = cert_chain::header_size + hash_len();
    if (offset < head_size) PMCI_TRY(chain_head(certs, head));
    for (std::size_t i = 0; i < out.size(); ++i) {
      const std::size_t pos = offset + i;
      out[i] = pos < head_size ? head[pos] : certs[pos - head_size];
    }
    return ok();
  }

  std::size_t commit_m(bytes_view req, std::size_t n) noexcept {
    if (!tr_.append_m(crypto_, req) || !tr_.append_m(crypto_, bytes_view{out_}.first(n))) return resynch();
    return n;
  }

  // ============================================================================================
  // Signing (CHALLENGE_AUTH, MEASUREMENTS)
  // ============================================================================================
  struct pending_state {
    bool active = false;
    code request_code = code::challenge;
    std::uint8_t token = 0;
    byte_buffer<48> request{};  // CHALLENGE (<= 44) or GET_MEASUREMENTS (<= 45)
    std::array<std::byte, nonce_size> nonce{};
    std::array<std::byte, max_hash> tbs{};
  };
  struct no_pending {};
  /// What a rebuilt response (RESPOND_IF_READY) must reproduce.
  struct resume_info {
    bytes_view nonce;
    bytes_view tbs;
  };

  enum class sign_outcome : std::uint8_t { done, not_ready, busy, failed };

  [[nodiscard]] result<crypto::hash_alg> negotiated_hash() const noexcept {
    if constexpr (one_hash) return crypto_at<Config::hash_algs, 0>;
    const auto h = crypto_id<Config::hash_algs>(n_.hash);
    if (!h) return errc::invalid_state;
    return *h;
  }

  /// context_string(c) for the two operations a responder signs (spdm.md §16.2), through
  /// context_view<C>() as the requester does: the blob of all seven strings (215 B) stays out of
  /// an image that signs only these.
  static constexpr std::string_view own_context(signing_context c) noexcept {
    if (c == signing_context::responder_challenge_auth) return context_view<signing_context::responder_challenge_auth>();
    return context_view<signing_context::responder_measurements>();
  }

  sign_outcome sign_tbs(std::uint8_t slot, signing_context ctx, bytes_view tbs, bytes_span signature) noexcept {
    std::optional<crypto::sig_alg> alg;
    std::optional<crypto::hash_alg> h;
    if constexpr (one_asym) alg = crypto_at<Config::asym_algs, 0>;
    else alg = crypto_id<Config::asym_algs>(n_.asym);
    if constexpr (one_hash) h = crypto_at<Config::hash_algs, 0>;
    else h = crypto_id<Config::hash_algs>(n_.hash);
    if (!alg || !h) return sign_outcome::failed;
    const signing_request r{signed_content{ver(), ctx, tbs}, *alg, *h};
    if constexpr (detail::device_signs<Device>) {
      const auto res = dev_.sign(slot, r, signature);
      if (res) return sign_outcome::done;
      if (res.error() == errc::not_ready) return sign_outcome::not_ready;
      if (res.error() == errc::busy) return sign_outcome::busy;
      return sign_outcome::failed;
    } else {
      const auto* key = dev_.sign_key(slot);
      if (key == nullptr) return sign_outcome::failed;
      // With KEY_EX_CAP the session layer signs KEY_EXCHANGE_RSP through spdm::sign(), whose
      // table of context strings is then in the image anyway: share it (and spdm::sign).
      result<void> res = errc::unsupported;
      if constexpr (any(config_caps, rsp_cap::key_ex)) res = spdm::sign(crypto_, *key, r, signature);
      else res = detail::sign_with(crypto_, *key, r.alg, r.hash, r.content, own_context(ctx), signature);
      return res ? sign_outcome::done : sign_outcome::failed;
    }
  }

  /// The tail every signed response shares (spdm.md §6.4, §7.2), behind its first n bytes:
  /// | OpaqueDataLength(2) | OpaqueData | RequesterContext (1.3; `context` is empty before) |
  /// Signature(S) |. TH is computed over a fork of `state` ‖ request ‖ the response without its
  /// signature; the outcome of signing becomes the response or an ERROR. `nonce_at`: where the
  /// response's nonce is (kept for RESPOND_IF_READY).
  /// `state` nullptr: an unsigned MEASUREMENTS, which ends before the signature and is appended
  /// to L1/L2 with its request.
  std::size_t sign_response(std::size_t n, std::size_t nonce_at, bytes_view context, code c, bytes_view req,
                            const hash_state* state, std::uint8_t slot, signing_context ctx,
                            const resume_info* resume) noexcept {
    n = put_opaque_and_context(n, c, context);
    if (n == 0) return error_too_large();
    if (state == nullptr) {
      if constexpr (meas_enabled)
        if (tr_.selected() && (!tr_.append_l(crypto_, req) || !tr_.append_l(crypto_, bytes_view{out_}.first(n))))
          return resynch();
      return n;
    }
    if constexpr (signs) return sign_tail(n, nonce_at, req, *state, slot, ctx, resume);
    else return error(error_code::unspecified);  // not reached: only a signing responder signs
  }
  [[gnu::always_inline]] std::size_t sign_tail(std::size_t n, std::size_t nonce_at, bytes_view req, const hash_state& state,
                        std::uint8_t slot, signing_context ctx, const resume_info* resume) noexcept
    requires signs
  {
    // One capacity check for the signature (put_opaque_and_context keeps n <= out_.size()).
    const std::size_t sig = sig_len();
    if (sig > out_.size() - n) return error_too_large();
    std::array<std::byte, max_hash> tbs;
    const bytes_span th = std::span{tbs}.first(hash_len());
    if (!tr_.fork_digest(crypto_, state, req, bytes_view{out_}.first(n), th)) return resynch();
    if (async_signing && resume != nullptr && !equal(th, resume->tbs)) {
      // The device's data changed under a pending response: it cannot be completed.
      return error(error_code::unspecified);
    }
    switch (sign_tbs(slot, ctx, th, bytes_span{out_.data() + n, sig})) {
      case sign_outcome::done:
        // Sent signed: CHALLENGE_AUTH drops B and C and authenticates the connection, a signed
        // MEASUREMENTS ends L1/L2 (spdm.md §15). Here once instead of a response-code test in
        // each handler (a signed response succeeds exactly when it gets here).
        if (ctx == signing_context::responder_challenge_auth) {
          tr_.reset_m();
          authenticated_ = true;
        } else {
          drop_l();
        }
        return n + sig;
      case sign_outcome::busy: return error(error_code::busy);
      case sign_outcome::failed: return error(error_code::unspecified);
      case sign_outcome::not_ready:
        if constexpr (async_signing) {
          if (resume == nullptr) {
            pending_.active = true;
            pending_.request_code = static_cast<code>(std::to_integer<std::uint8_t>(req[1]));
            pending_.token = next_token_++;
            (void)pending_.request.assign(req);
            std::copy_n(out_.begin() + static_cast<std::ptrdiff_t>(nonce_at), nonce_size, pending_.nonce.begin());
            std::copy(th.begin(), th.end(), pending_.tbs.begin());
          }
          return not_ready_error();
        } else {
          (void)nonce_at;
          return error(error_code::unspecified);
        }
    }
    return error(error_code::unspecified);
  }

  /// 32 random bytes, or the pending response's nonce when rebuilding it.
  result<void> fill_nonce(bytes_span n, const resume_info* resume) noexcept {
    if (async_signing && resume != nullptr) {  // only a Device that signs itself defers (resume)
      std::copy(resume->nonce.begin(), resume->nonce.end(), n.begin());
      return ok();
    }
    return crypto_.random(n);
  }

  /// | OpaqueDataLength(2) | OpaqueData | RequesterContext (1.3; `context` is empty before) |,
  /// the part of CHALLENGE_AUTH and MEASUREMENTS between the nonce / summary hash and the
  /// signature (spdm.md §6.4, §7.2), written in place behind the response's first n bytes
  /// (n <= out_.size()). Returns the new length, or 0 when it does not fit.
  std::size_t put_opaque_and_context(std::size_t n, code c, bytes_view context) noexcept {
    if constexpr (detail::device_has_opaque<Device>) {
      // The device writes its OpaqueData through a writer (device.hpp), over the tail only.
      writer w{out_.subspan(n)};
      const bytes_span len = w.reserve(2);
      // 1.2+: without a negotiated opaque format OpaqueDataLength must be 0 (spdm.md §14).
      const bool allowed = !at_least(version::v1_2) || (n_.other_params & 0x0F) != 0;
      if (allowed && w.ok() && !dev_.write_opaque_data(c, w)) return 0;
      const std::size_t opaque = w.size() - 2;
      w.bytes(context);
      if (!w.ok() || opaque > 0xFFFF) return 0;
      store_u16le(len, static_cast<std::uint16_t>(opaque));
      return n + w.size();
    } else {
      // No OpaqueData: OpaqueDataLength 0. One capacity check for both fields.
      (void)c;
      if (2 + context.size() > out_.size() - n) return 0;
      std::byte* const o = out_.data() + n;
      put16(o, 0);
      for (std::size_t i = 0; i < context.size(); ++i) o[2 + i] = context[i];  // a byte loop: no memmove
      return n + 2 + context.size();
    }
  }

  [[nodiscard]] bool slot_usable(std::uint8_t slot, key_usage usage) noexcept {
    if (slot >= Config::slot_count || dev_.cert_chain(slot).empty()) return false;
    // 1.3 multi-key: the slot's key must be allowed for this use (libspdm; spdm.md §6.2).
    if (multi_key_rsp() && !has(info_of(slot).usage, usage)) return false;
    return true;
  }

  [[nodiscard]] measurement_request meas_request(std::uint8_t attributes) const noexcept {
    return {ver(), n_.measurement_hash, at_least(version::v1_2) && (attributes & meas_attr_raw_bitstream) != 0,
            at_least(version::v1_3) && (attributes & meas_attr_new_measurement) != 0};
  }

  /// MeasurementSummaryHash: Hash of the concatenated measurement blocks (all, or the TCB ones)
  /// in digest form (spdm.md §6.4). Blocks are produced one by one into `scratch`.
  result<void> summary_hash(summary_hash_type t, bytes_span out, bytes_span scratch) noexcept
    requires meas_enabled
  {
    PMCI_TRY_ASSIGN(const crypto::hash_alg h, negotiated_hash());
    hash_state s{};
    PMCI_TRY(crypto_.hash_init(s, h));
    const measurement_request mr{ver(), n_.measurement_hash, false, false};
    for (const std::uint8_t idx : std::span<const std::uint8_t>(dev_.measurement_indices())) {
      if constexpr (detail::device_has_tcb<Device>)
        if (t == summary_hash_type::tcb && !dev_.measurement_in_tcb(idx)) continue;
      writer bw{scratch};
      PMCI_TRY(dev_.write_measurement(idx, mr, bw));
      PMCI_TRY(bw.status());
      PMCI_TRY(crypto_.hash_update(s, bw.written()));
    }
    return crypto_.hash_final(s, out);
  }

  /// CHALLENGE: | hdr: Param1 SlotID, Param2 MeasurementSummaryHashType | Nonce(32) |
  /// RequesterContext(8, 1.3) | (36 / 44 bytes, spdm.md §6.4; no reserved fields).
  /// Out of line: inlined into dispatch() it puts its frame on every request's stack (+64 B).
  [[gnu::noinline]] std::size_t on_challenge(bytes_view req, const resume_info* resume) noexcept {
    const std::uint8_t slot = at(req, 2);
    const auto summary_type = static_cast<summary_hash_type>(at(req, 3));
    if (req.size() != by_version<challenge::size>(n_.ver) || !valid_slot(slot) || !is_valid(summary_type))
      return error(error_code::invalid_request);
    if (summary_type != summary_hash_type::none) {
      if constexpr (meas_enabled) {
        if (n_.measurement_spec == meas_spec::none || meas_hash_len() == 0) return error(error_code::invalid_request);
      } else {
        return error(error_code::invalid_request);
      }
    }
    // slot_usable() spelled out, keeping the chain it fetches for CertChainHash below (one device
    // call instead of two). SlotID 0xFF (provisioned key) is >= slot_count: no chain is fetched.
    const bytes_view chain = slot < Config::slot_count ? dev_.cert_chain(slot) : bytes_view{};
    if (slot == provisioned_key_slot || chain.empty() || (multi_key_rsp() && !has(info_of(slot).usage, key_usage::challenge)))
      return error(error_code::invalid_request);

    // CHALLENGE_AUTH: | hdr: SlotID, slot mask | CertChainHash(H) | Nonce(32) |
    // MeasurementSummaryHash(H or 0) | OpaqueDataLength(2) | OpaqueData | RequesterContext | Signature |
    // Written in place: one capacity check for the fixed part (up to 4 + 2 H + 32 bytes).
    const std::size_t h = hash_len();
    const std::size_t nonce_at = header::size + h;
    const std::size_t summary_at = nonce_at + nonce_size;
    const std::size_t fixed =
        summary_at + (summary_type != summary_hash_type::none && offered<rsp_cap::meas_mask>() ? h : 0);
    if (fixed > out_.size()) return error_too_large();
    put_header(code::challenge_auth, ver(), slot, provisioned_slot_mask());
    if (!chain_digest(chain, out_.subspan(header::size, h))) return error(error_code::unspecified);
    if (!fill_nonce(out_.subspan(nonce_at, nonce_size), resume)) return error(error_code::unspecified);
    if constexpr (meas_enabled) {
      if (fixed != summary_at && !summary_hash(summary_type, out_.subspan(summary_at, h), out_.subspan(fixed)))
        return error(error_code::unspecified);
    }
    // sign_tail() drops B and C and sets authenticated_ once it is signed (spdm.md §15).
    return sign_response(fixed, nonce_at, req.subspan(challenge::size(version::v1_0)), code::challenge_auth, req,
                         &tr_.m(), slot, signing_context::responder_challenge_auth, resume);
  }

  std::size_t on_get_measurements(bytes_view req, const resume_info* resume) noexcept {
    const std::size_t r = measurements_response(req, resume);
    // The failed request and its ERROR are not kept: L1/L2 restarts (spdm.md §15).
    if (out_[1] != std::byte{static_cast<std::uint8_t>(code::measurements)}) {
      if (!response_pending()) drop_l();
    }
    return r;
  }

  /// GET_MEASUREMENTS: | hdr: Param1 attributes, Param2 operation | Nonce(32) SlotIDParam(1,
  /// 1.1+) when signed | RequesterContext(8, 1.3) | (spdm.md §7.1: 4 / 36 / 37 / 12 / 45 bytes).
  std::size_t measurements_response(bytes_view req, const resume_info* resume) noexcept
    requires meas_enabled
  {
    if (n_.measurement_spec == meas_spec::none || meas_hash_len() == 0) return error(error_code::unexpected_request);
    // Bits the version does not define are reserved (meas_attr_defined).
    const std::uint8_t attributes = at(req, 2) & meas_attr_defined(ver());
    const std::uint8_t operation = at(req, 3);
    const bool sign = (attributes & meas_attr_signature) != 0;
    std::size_t size;
    if constexpr (version_invariant<get_measurements_size> && version_invariant<signed_get_measurements_size>)
      size = sign ? signed_get_measurements_size(lowest_version) : get_measurements_size(lowest_version);
    else
      size = get_measurements::size(n_.ver, sign);
    if (req.size() != size) return error(error_code::invalid_request);
    // SlotIDParam bits 3:0 (bits 7:4 reserved): 0-7 or 0xF (provisioned key).
    const std::uint8_t slot = sign && at_least(version::v1_1) ? at(req, header::size + nonce_size) & 0x0F : 0;
    if (!valid_slot4(slot)) return error(error_code::invalid_request);
    const bytes_view context = req.subspan(size - (at_least(version::v1_3) ? requester_context_size : 0));
    if (sign) {
      if constexpr (meas_sig_enabled) {
        if (slot == 0x0F || !slot_usable(slot, key_usage::measurement)) return error(error_code::invalid_request);
      } else {
        return error(error_code::invalid_request);
      }
    }
    if (!authenticated_ && resume == nullptr) tr_.reset_m();  // B and C dropped (spdm.md §15)

    const auto indices = std::span<const std::uint8_t>(dev_.measurement_indices());
    const measurement_request mr = meas_request(attributes);
    // MEASUREMENTS: | hdr | NumberOfBlocks | MeasurementRecordLength(3) | record | Nonce(32) |
    // OpaqueDataLength(2) | OpaqueData | RequesterContext (1.3) | Signature (when asked) |.
    std::uint8_t p1 = 0, p2 = 0;
    if (operation == meas_op_count) p1 = static_cast<std::uint8_t>(indices.size() < 0xFF ? indices.size() : 0xFF);
    if (sign && at_least(version::v1_1)) {
      p2 = slot;
      if (at_least(version::v1_2)) {
        content_change cc = content_change::not_supported;
        if constexpr (detail::device_has_content_change<Device>) cc = dev_.measurements_changed();
        p2 = static_cast<std::uint8_t>(p2 | ((static_cast<std::uint8_t>(cc) & 0x03) << 4));
      }
    }
    writer w{out_};
    (void)w.reserve(header::size + 4);  // header, NumberOfBlocks, MeasurementRecordLength: min_response_size
    put_header(code::measurements, ver(), p1, p2);
    std::size_t blocks = 0;
    if (operation == meas_op_all) {
      for (const std::uint8_t idx : indices) {
        if (!dev_.write_measurement(idx, mr, w)) return error_too_large();
        ++blocks;
      }
    } else if (operation != meas_op_count) {
      // A plain loop: libstdc++'s std::find is unrolled four times (110 B of Thumb-2 for a list of
      // a few indices; docs/footprint.md).
      bool known = false;
      for (const std::uint8_t idx : indices) known = known || idx == operation;
      if (!known) return error(error_code::invalid_request);
      if (const auto res = dev_.write_measurement(operation, mr, w); !res)
        return error(res.error() == errc::out_of_range ? error_code::invalid_request : response_too_large());
      blocks = 1;
    }
    // The rest is written in place: | Nonce(32) | OpaqueDataLength(2) | OpaqueData |
    // RequesterContext | Signature |, behind the record (the writer keeps w.size() <= out_.size()).
    const std::size_t nonce_at = w.size();
    const std::size_t record = nonce_at - (header::size + 4);
    if (!w.ok() || blocks > 0xFF || record > 0xFFFFFF || nonce_size > out_.size() - nonce_at)
      return error_too_large();
    put32(out_.data() + header::size, static_cast<std::uint32_t>(blocks | record << 8));
    if (!fill_nonce(out_.subspan(nonce_at, nonce_size), resume)) return error(error_code::unspecified);
    // Unsigned: the request and the response go into L1/L2 (state nullptr). Signed: L1/L2 is
    // forked for TH, then dropped by sign_tail() once the response is signed (spdm.md §15).
    return sign_response(nonce_at + nonce_size, nonce_at, context, code::measurements, req, sign ? &tr_.l() : nullptr,
                         slot, signing_context::responder_measurements, resume);
  }
  std::size_t measurements_response(bytes_view, const resume_info*) noexcept
    requires(!meas_enabled)
  {
    return error(error_code::unsupported_request, static_cast<std::uint8_t>(code::get_measurements));
  }

  // ============================================================================================
  // RESPOND_IF_READY (spdm.md §8)
  // ============================================================================================
  /// RESPOND_IF_READY: | hdr: Param1 RequestCode, Param2 Token | (4 bytes, no reserved fields;
  /// cut_request() cut it to 4, so precheck() is all decode() would check).
  std::size_t on_respond_if_ready(bytes_view req) noexcept {
    if constexpr (async_signing) {
      if (!pending_.active) return error(error_code::unexpected_request);
      if (at(req, 2) != static_cast<std::uint8_t>(pending_.request_code) || at(req, 3) != pending_.token)
        return error(error_code::invalid_request);
      // Rebuild the response from the stored request (same nonce, same transcript hash).
      std::array<std::byte, 48> stored{};
      const std::size_t n = pending_.request.size();
      std::copy_n(pending_.request.data(), n, stored.begin());
      const bytes_view stored_req = bytes_view{stored}.first(n);
      const std::size_t h = hash_len();
      std::array<std::byte, max_hash> tbs = pending_.tbs;
      std::array<std::byte, nonce_size> nonce = pending_.nonce;
      const resume_info resume{nonce, bytes_view{tbs}.first(h)};
      std::size_t out = 0;
      if (pending_.request_code == code::challenge) {
        if constexpr (chal_enabled) out = on_challenge(stored_req, &resume);
      } else {
        if constexpr (meas_enabled) out = on_get_measurements(stored_req, &resume);
      }
      if (out == 0) out = error(error_code::unspecified);  // not reached: only those two are ever pending
      const bool still_pending = at(out_, 1) == static_cast<std::uint8_t>(code::error) &&
                                 at(out_, 2) == static_cast<std::uint8_t>(error_code::response_not_ready);
      if (!still_pending) {
        const code c = pending_.request_code;
        pending_ = pending_state{};
        if (c == code::get_measurements && at(out_, 1) != static_cast<std::uint8_t>(code::measurements)) drop_l();
      }
      return out;
    } else {
      return error(error_code::unexpected_request);
    }
  }

  /// ERROR ResponseNotReady: | ver | 7F | 42 | 0 | RDTExponent | RequestCode | Token | RDTM |.
  std::size_t not_ready_error() noexcept
    requires async_signing
  {
    (void)error(error_code::response_not_ready, 0, ver());
    out_[4] = std::byte{Config::rdt_exponent};
    out_[5] = std::byte{static_cast<std::uint8_t>(pending_.request_code)};
    out_[6] = std::byte{pending_.token};
    out_[7] = std::byte{Config::rdtm};
    return 8;
  }

  void abandon_pending() noexcept
    requires async_signing
  {
    // The abandoned request never completed: a CHALLENGE leaves B and C behind (like a successful
    // one would), a GET_MEASUREMENTS counts as answered with ERROR (L1/L2 restarts).
    if (pending_.request_code == code::challenge) tr_.reset_m();
    else drop_l();
    pending_ = pending_state{};
  }

  // ============================================================================================
  // VENDOR_DEFINED_REQUEST
  // ============================================================================================
  std::size_t on_vendor_defined(bytes_view req) noexcept
    requires vendor_enabled
  {
    // Decoded here rather than by vendor_defined_request::decode: Param1/Param2 are reserved and
    // ignored (request_frame.hpp), and a large request is not copied to clear them.
    reader rd{req};
    rd.skip(header::size);
    vendor_defined_request vr;
    vr.standard_id = static_cast<registry>(rd.u16le());
    vr.vendor_id = rd.bytes(rd.u8());
    vr.payload = rd.bytes(rd.u16le());
    if (!rd.finish() || !valid_vendor_id_size(vr.standard_id, vr.vendor_id.size()))
      return error(error_code::invalid_request);
    const vendor_defined_request* v = &vr;
    writer w{out_};
    write_header(w, code::vendor_defined_response, n_);
    w.u16le(static_cast<std::uint16_t>(v->standard_id)).u8(static_cast<std::uint8_t>(v->vendor_id.size())).bytes(v->vendor_id);
    const bytes_span len = w.reserve(2);
    const std::size_t start = w.size();
    if (!w.ok()) return error_too_large();
    if (const auto r = dev_.vendor_defined(*v, w); !r) {
      if (r.error() == errc::unsupported) return error(error_code::unsupported_request, static_cast<std::uint8_t>(code::vendor_defined_request));
      if (r.error() == errc::invalid_field) return error(error_code::invalid_request);
      if (r.error() == errc::busy) return error(error_code::busy);
      if (r.error() == errc::buffer_too_small) return error_too_large();
      return error(error_code::unspecified);
    }
    if (!w.ok() || w.size() - start > 0xFFFF) return error_too_large();
    store_u16le(len, static_cast<std::uint16_t>(w.size() - start));
    return w.size();
  }

  // ============================================================================================
  // ERROR
  // ============================================================================================
  [[nodiscard]] constexpr error_code response_too_large() const noexcept {
    return at_least(version::v1_2) ? error_code::response_too_large : error_code::unspecified;
  }
  /// ERROR ResponseTooLarge (Unspecified before 1.2), out of line: every response that can grow has
  /// one or more.
  [[gnu::noinline]] std::size_t error_too_large() noexcept { return error(response_too_large()); }
  /// The version an ERROR carries: the negotiated one once CAPABILITIES fixed it, else 1.0.
  [[nodiscard]] constexpr version error_version() const noexcept {
    return state_ >= connection_state::after_capabilities ? ver() : version::v1_0;
  }
  /// The 4-byte header of a response (spdm.md §1); out_ always has room (min_response_size).
  void put_header(code c, version v, std::uint8_t param1 = 0, std::uint8_t param2 = 0) noexcept {
    put32(out_.data(), to_byte(v) | std::uint32_t{static_cast<std::uint8_t>(c)} << 8 | std::uint32_t{param1} << 16 |
                           std::uint32_t{param2} << 24);
  }
  /// ERROR: | ver | 0x7F | ErrorCode | ErrorData | (spdm.md §8), out of line: every handler has
  /// several. Returns the response size. (Not `cold`: measured 20 B larger on the Cortex-M4.)
  [[gnu::noinline]] std::size_t error(error_code e, std::uint8_t data) noexcept { return error(e, data, error_version()); }
  /// ERROR with ErrorData 0, the common case: one argument fewer to set up at each call.
  [[gnu::noinline]] std::size_t error(error_code e) noexcept { return error(e, 0, error_version()); }
  [[gnu::noinline]] std::size_t error(error_code e, std::uint8_t data, version v) noexcept {
    put_header(code::error, v, static_cast<std::uint8_t>(e), data);
    return header::size;
  }
  /// A transcript operation failed: the connection state can no longer be trusted. Ask the
  /// requester to start over (RequestResynch; the next request must be GET_VERSION).
  std::size_t resynch() noexcept {
    const version v = error_version();
    reset_connection();
    return error(error_code::request_resynch, 0, v);
  }

  void drop_l() noexcept {
    if (tr_.selected()) (void)tr_.reset_l(crypto_);
  }

  /// The negotiated version once CAPABILITIES fixed it (n_.ver is then one of Config::versions),
  /// and comparisons with it, folded from the configuration: a constant when one version is
  /// configured, and `at_least(v)` a constant when every configured version is on the same side
  /// of v (firmware that drops 1.0/1.1 compiles none of their branches). Only for a connection
  /// past CAPABILITIES; before it n_.ver is not a configured version.
  static constexpr version lowest_version = Config::versions.lowest();
  static constexpr version highest_version = Config::versions.highest();
  [[nodiscard]] constexpr version ver() const noexcept {
    if constexpr (lowest_version == highest_version) return lowest_version;
    else return n_.ver;
  }
  [[nodiscard]] constexpr bool at_least(version v) const noexcept { return version_at_least(n_.ver, v); }
  /// x >= v for a version x of the configuration (the negotiated one, or a request's that was
  /// checked against Config::versions), folded as at_least() is.
  [[nodiscard]] static constexpr bool version_at_least(version x, version v) noexcept {
    if (lowest_version >= v) return true;
    if (highest_version < v) return false;
    return x >= v;
  }
  /// any(n_.rsp_caps, Mask) once CAPABILITIES was answered: n_.rsp_caps is the configuration's
  /// flags (narrowed by set_limits) as defined at the version, so this is a constant when the
  /// configuration has none of Mask, or (without run-time limits) has one at every version.
  template <rsp_cap Mask>
  [[nodiscard]] constexpr bool offered() const noexcept {
    if constexpr ((config_caps & Mask) == rsp_cap::none) {
      return false;
    } else {
      constexpr bool always = [] {
        if (detail::has_runtime_limits<Config>()) return false;
        for (std::uint8_t b = 0x10; b <= 0x13; ++b)
          if (Config::versions.contains(static_cast<version>(b)) &&
              (detail::masked(config_caps, static_cast<version>(b)) & Mask) == rsp_cap::none)
            return false;
        return true;
      }();
      if constexpr (always) return true;
      else return any(n_.rsp_caps, Mask);
    }
  }
  /// MultiKeyConnRsp (1.3), never set without MULTI_KEY_CAP in the configuration.
  [[nodiscard]] constexpr bool multi_key_rsp() const noexcept {
    if constexpr (!any(config_caps, rsp_cap::multi_key_mask)) return false;
    else return at_least(version::v1_3) && n_.multi_key_conn_rsp;
  }
  /// F(v) for a version v of the configuration (the negotiated one, or a request's that was
  /// checked against it): the constant when F has one value at every configured version (a
  /// request's fixed size, for instance).
  template <auto F>
  static constexpr bool version_invariant = [] {
    for (std::uint8_t b = 0x10; b <= 0x13; ++b)
      if (Config::versions.contains(static_cast<version>(b)) && F(static_cast<version>(b)) != F(lowest_version))
        return false;
    return true;
  }();
  template <auto F>
  [[nodiscard]] static constexpr auto by_version(version v) noexcept {
    if constexpr (version_invariant<F>) return std::integral_constant<decltype(F(lowest_version)), F(lowest_version)>::value;
    else return F(v);
  }
  static constexpr std::size_t capabilities_request_size(version v) noexcept { return detail::capabilities_size(v, true); }
  static constexpr std::size_t get_measurements_size(version v) noexcept { return get_measurements::size(v, false); }
  static constexpr std::size_t signed_get_measurements_size(version v) noexcept { return get_measurements::size(v, true); }

  /// The versions / capability flags offered now (the configuration's, narrowed by set_limits).
  [[nodiscard]] constexpr version_set versions_now() const noexcept { return Config::versions & limits_.value.versions; }
  [[nodiscard]] constexpr rsp_cap caps_now() const noexcept {
    return static_cast<rsp_cap>(raw(config_caps) & limits_.value.capabilities);
  }
  void reset_connection() noexcept {
    tr_.reset();
    // Value-initialized in place: `n_ = negotiated{}` zero-filled a 40-byte temporary on the
    // stack and copied it (GCC 12 -Os; -12 B responder_attest). No destructor is skipped:
    static_assert(std::is_trivially_destructible_v<negotiated>);
    std::construct_at(&n_);
    state_ = connection_state::not_started;
    authenticated_ = false;
    peer_data_transfer_size_ = 0;
    peer_max_message_size_ = 0;
    peer_ct_exponent_ = 0;
    if constexpr (async_signing) pending_ = pending_state{};
  }

  Crypto& crypto_;
  Device& dev_;
  bytes_span out_{};
  transcript_type tr_{};
  negotiated n_{};
  std::uint32_t peer_data_transfer_size_ = 0;
  std::uint32_t peer_max_message_size_ = 0;
  connection_state state_ = connection_state::not_started;
  std::uint8_t peer_ct_exponent_ = 0;
  bool authenticated_ = false;
  [[no_unique_address]] detail::limits_holder<detail::has_runtime_limits<Config>()> limits_{};
  [[no_unique_address]] std::conditional_t<async_signing, pending_state, no_pending> pending_{};
  [[no_unique_address]] std::conditional_t<async_signing, std::uint8_t, no_pending> next_token_{};
};

}  // namespace pmci::spdm
