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
#include <cstddef>
#include <cstdint>
#include <span>

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

  /// Stack copy of a request with its reserved fields cleared (request_frame.hpp): the largest
  /// request decoded from a copy is NEGOTIATE_ALGORITHMS (Length <= 0x80 at 1.1+).
  static constexpr std::size_t request_scratch_size = 0x80;

  /// The smallest response buffer handle() accepts (an ERROR with 4 bytes of extended data).
  static constexpr std::size_t min_response_size = 8;

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
    if (state_ >= connection_state::after_capabilities && n_.ver >= version::v1_2 && peer_data_transfer_size_ >= 42)
      cap = std::min<std::size_t>(cap, peer_data_transfer_size_);
    out_ = response.first(cap);
    return dispatch(request);
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
    if (state_ != connection_state::negotiated || n_.h() == 0) return errc::invalid_state;
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
  result<bytes_span> dispatch(bytes_view req) noexcept {
    if (req.size() < header::size) {
      drop_l();
      return error(error_code::invalid_request);
    }
    const auto c = static_cast<code>(std::to_integer<std::uint8_t>(req[1]));
    // Cut transport padding and ignore reserved fields (request_frame.hpp). The version that
    // sizes the request: 1.0 for GET_VERSION, its own for GET_CAPABILITIES, else the negotiated
    // one (a request of another version is answered VersionMismatch before it is decoded).
    const std::uint8_t vb = std::to_integer<std::uint8_t>(req[0]);
    const version fv = c == code::get_capabilities ? (is_known(vb) ? static_cast<version>(vb) : version::v1_0)
                       : c == code::get_version    ? version::v1_0
                                                   : n_.ver;
    std::array<std::byte, request_scratch_size> scratch;
    const request_frame f = frame_request(req, fv, scratch);
    if (c == code::get_version) return on_get_version(f);

    if constexpr (async_signing)
      if (pending_.active && c != code::respond_if_ready) abandon_pending();
    // Any request but GET_MEASUREMENTS drops L1/L2 (spdm.md §15; RESPOND_IF_READY continues the
    // request it completes).
    if (c != code::get_measurements && c != code::respond_if_ready) drop_l();

    // What the transport delivered, padding included, is what DataTransferSize bounds.
    if (req.size() > Config::max_message_size)
      return error(n_.ver >= version::v1_2 && state_ >= connection_state::after_capabilities
                       ? error_code::request_too_large : error_code::invalid_request);

    switch (c) {
      case code::get_capabilities: return on_get_capabilities(f);
      case code::negotiate_algorithms: return on_negotiate_algorithms(f);
      case code::get_digests:
        if constexpr (cert_enabled) return on_get_digests(f);
        break;
      case code::get_certificate:
        if constexpr (cert_enabled) return on_get_certificate(f);
        break;
      case code::challenge:
        if constexpr (chal_enabled) return on_challenge(f, nullptr);
        break;
      case code::get_measurements:
        if constexpr (meas_enabled) return on_get_measurements(f, nullptr);
        break;
      case code::respond_if_ready: return on_respond_if_ready(f);
      case code::vendor_defined_request:
        if constexpr (vendor_enabled) return on_vendor_defined(f);
        break;
      // Session layer (KEY_EXCHANGE, FINISH, PSK_*, HEARTBEAT, KEY_UPDATE, END_SESSION,
      // GET_ENCAPSULATED_REQUEST, ...): one `if constexpr` case per capability goes here.
      default: break;
    }
    if (c == code::get_measurements) drop_l();
    return error(error_code::unsupported_request, static_cast<std::uint8_t>(c));
  }

  /// Check that a post-negotiation request may be served now: UnexpectedRequest before
  /// ALGORITHMS, VersionMismatch for another version byte. Returns the ERROR to send, or 0.
  [[nodiscard]] constexpr error_code precheck(bytes_view req) const noexcept {
    if (state_ < connection_state::after_capabilities) return error_code::unexpected_request;
    if (std::to_integer<std::uint8_t>(req[0]) != to_byte(n_.ver)) return error_code::version_mismatch;
    if (state_ != connection_state::negotiated) return error_code::unexpected_request;
    return static_cast<error_code>(0);
  }

  /// Map a codec decode error to the ERROR code (spdm.md §8).
  static constexpr error_code decode_error(errc e) noexcept {
    return e == errc::version_mismatch ? error_code::version_mismatch : error_code::invalid_request;
  }

  // ============================================================================================
  // VCA
  // ============================================================================================
  result<bytes_span> on_get_version(const request_frame& f) noexcept {
    const bytes_view req = f.message;
    const auto g = get_version::decode(f.clean);
    if (!g) return error(decode_error(g.error()), 0, version::v1_0);
    // GET_VERSION resets the connection and every transcript (spdm.md §3), pending work too.
    reset_connection();
    std::array<std::byte, 8> entries{};
    const version_response v = version_response::of(versions_now(), entries);
    writer w{out_};
    if (!v.encode(w)) return error(error_code::unspecified, 0, version::v1_0);
    const bytes_span rsp = w.written();
    if (!tr_.append_vca(req) || !tr_.append_vca(rsp)) return error(error_code::unspecified, 0, version::v1_0);
    state_ = connection_state::after_version;
    return rsp;
  }

  result<bytes_span> on_get_capabilities(const request_frame& f) noexcept {
    const bytes_view req = f.message;
    if (state_ != connection_state::after_version) return error(error_code::unexpected_request);
    const std::uint8_t vb = std::to_integer<std::uint8_t>(req[0]);
    if (!is_known(vb) || !versions_now().contains(static_cast<version>(vb)))
      return error(error_code::version_mismatch, 0, version::v1_0);
    const auto ver = static_cast<version>(vb);
    const auto g = get_capabilities::decode(f.clean);
    if (!g) return error(error_code::invalid_request, 0, ver);
    if (!g->validate()) return error(error_code::invalid_request, 0, ver);
    // 1.3: a supported-algorithms block may only be asked for with CHUNK_CAP; pmci never sends one.
    if (g->supported_algorithms_requested && !has(g->flags, req_cap::chunk))
      return error(error_code::invalid_request, 0, ver);

    capabilities c;
    c.ver = ver;
    c.ct_exponent = Config::ct_exponent;
    c.flags = detail::masked(caps_now(), ver);
    c.data_transfer_size = Config::max_message_size;
    c.max_spdm_msg_size = Config::max_message_size;
    writer w{out_};
    if (!c.encode(w)) return error(error_code::unspecified, 0, ver);
    const bytes_span rsp = w.written();
    if (!tr_.append_vca(req) || !tr_.append_vca(rsp)) return error(error_code::unspecified, 0, ver);

    n_ = negotiated{};
    update(n_, *g);
    n_.rsp_caps = c.flags;
    peer_ct_exponent_ = g->ct_exponent;
    peer_data_transfer_size_ = ver >= version::v1_2 ? g->data_transfer_size : 0;
    peer_max_message_size_ = ver >= version::v1_2 ? g->max_spdm_msg_size : 0;
    state_ = connection_state::after_capabilities;
    return rsp;
  }

  result<bytes_span> on_negotiate_algorithms(const request_frame& f) noexcept {
    const bytes_view req = f.message;
    if (state_ < connection_state::after_capabilities) return error(error_code::unexpected_request);
    if (std::to_integer<std::uint8_t>(req[0]) != to_byte(n_.ver)) return error(error_code::version_mismatch);
    if (state_ != connection_state::after_capabilities) return error(error_code::unexpected_request);
    const auto na = negotiate_algorithms::decode(f.clean, n_);
    if (!na) return error(decode_error(na.error()));

    algorithms a;
    // Measurements: the responder names its hash when the requester speaks the DMTF format.
    if constexpr (meas_enabled) {
      if (any(na->measurement_spec, Config::measurement_spec)) {
        a.measurement_spec = meas_spec::dmtf;
        a.measurement_hash = detail::select_first(Config::measurement_hash_algs, limits_.value.meas_hash);
      }
    }
    // BaseAsymSel / BaseHashSel only when something uses them (the DMTF SPDM-Responder-Validator,
    // ALGORITHMS assertions 3.x.9/3.x.10: zero unless CHAL_CAP, signed MEAS_CAP, KEY_EX_CAP or
    // (hash) PSK_CAP); a responder with unsigned measurements only selects neither. The run-time
    // limits (Config::runtime_limits) narrow what may be selected.
    if constexpr (uses_asym) a.asym = detail::select_first(Config::asym_algs, raw(na->asym) & limits_.value.asym);
    if constexpr (uses_hash) a.hash = detail::select_first(Config::hash_algs, raw(na->hash) & limits_.value.hash);
    if (n_.ver >= version::v1_2) {
      const std::uint8_t common = na->other_params_support & Config::opaque_data_formats;
      a.other_params_selection = (common & opaque_data_fmt1) ? opaque_data_fmt1 : (common & opaque_data_fmt0);
    }
    if (n_.ver >= version::v1_3) {
      // RequesterMultiKeyConnSel (spdm.md §6.2): when the requester can only do multi-key, or
      // can negotiate it and this responder does multi-key itself.
      const auto mk = n_.req_caps & req_cap::multi_key_mask;
      if (mk == req_cap::multi_key_only ||
          (mk == req_cap::multi_key_negotiated && any(caps_now(), rsp_cap::multi_key_mask)))
        a.other_params_selection = static_cast<std::uint8_t>(a.other_params_selection | detail::multi_key_conn_bit);
      if (any(na->mel_spec, Config::mel_spec)) a.mel_spec = meas_spec::dmtf;
    }
    // AlgStructs: one per requested type, in the request's order (libspdm); each selects the
    // first of our list the requester supports, or nothing. An empty offer is invalid.
    for (const auto& s : na->structs) {
      if (s.supported == 0) return error(error_code::invalid_request);
      std::uint16_t sel = 0;
      switch (s.type) {
        case alg_type::dhe:
          sel = raw(detail::select_first(Config::dhe_groups, static_cast<std::uint16_t>(s.supported & limits_.value.dhe)));
          break;
        case alg_type::aead:
          sel = raw(detail::select_first(Config::aead_suites, static_cast<std::uint16_t>(s.supported & limits_.value.aead)));
          break;
        case alg_type::req_base_asym:
          sel = static_cast<std::uint16_t>(
              raw(detail::select_first(Config::req_asym_algs, static_cast<std::uint32_t>(s.supported & limits_.value.req_asym))));
          break;
        case alg_type::key_schedule:
          sel = raw(detail::select_first(Config::key_schedules,
                                         static_cast<std::uint16_t>(s.supported & limits_.value.key_schedule)));
          break;
      }
      if (!a.structs.add(s.type, sel)) return error(error_code::invalid_request);
    }
    // What this responder cannot work without (libspdm: InvalidRequest when nothing is common).
    if constexpr (cert_enabled || signs)
      if (a.hash == base_hash::none || a.asym == base_asym::none) return error(error_code::invalid_request);
    if constexpr (meas_enabled)
      if (na->measurement_spec != meas_spec::none && a.measurement_spec == meas_spec::none)
        return error(error_code::invalid_request);

    writer w{out_};
    if (!a.encode(w, n_)) return error(error_code::unspecified);
    const bytes_span rsp = w.written();

    negotiated n = n_;
    update(n, *na);
    update(n, a);
    if (a.hash != base_hash::none) {
      const auto h = to_crypto(a.hash);
      if (!h || !tr_.select(crypto_, *h, n.ver, req, rsp)) return resynch();
    }
    n_ = n;
    state_ = connection_state::negotiated;
    return rsp;
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

  /// RootHash = Hash(first DER certificate) (spdm.md §6.1).
  result<void> root_hash(bytes_view certs, bytes_span out) noexcept {
    PMCI_TRY_ASSIGN(const std::size_t root_size, der_sequence_size(certs));
    PMCI_TRY_ASSIGN(const crypto::hash_alg h, negotiated_hash());
    return crypto::compute_hash(crypto_, h, certs.first(root_size), out);
  }
  /// Total SPDM chain length: header + RootHash + certificates (16-bit at 1.0-1.3).
  [[nodiscard]] constexpr std::size_t chain_size(bytes_view certs) const noexcept {
    return cert_chain::header_size + n_.h() + certs.size();
  }
  /// Hash(SPDM chain) without materializing the chain.
  result<void> chain_digest(bytes_view certs, bytes_span out) noexcept {
    if (chain_size(certs) > cert_chain::max_size) return errc::out_of_range;
    std::array<std::byte, cert_chain::header_size + max_hash> head{};
    store_u16le(std::span{head}.first(2), static_cast<std::uint16_t>(chain_size(certs)));
    PMCI_TRY(root_hash(certs, std::span{head}.subspan(cert_chain::header_size, n_.h())));
    PMCI_TRY_ASSIGN(const crypto::hash_alg h, negotiated_hash());
    hash_state s{};
    PMCI_TRY(crypto_.hash_init(s, h));
    PMCI_TRY(crypto_.hash_update(s, bytes_view{head}.first(cert_chain::header_size + n_.h())));
    PMCI_TRY(crypto_.hash_update(s, certs));
    return crypto_.hash_final(s, out);
  }

  result<bytes_span> on_get_digests(const request_frame& f) noexcept {
    const bytes_view req = f.message;
    if (const auto e = precheck(req); e != error_code{}) return error(e);
    if (const auto g = get_digests::decode(f.clean, n_); !g) return error(decode_error(g.error()));
    tr_.reset_m();  // GET_DIGESTS drops B (libspdm)
    const std::uint8_t mask = provisioned_slot_mask();
    if (mask == 0) return error(error_code::unspecified);
    const bool mk = digests::multi_key_expected(n_, response_context{});
    writer w{out_};
    write_header(w, code::digests, n_, n_.ver >= version::v1_3 ? supported_slots() : std::uint8_t{0}, mask);
    for (std::uint8_t s = 0; s < Config::slot_count; ++s) {
      if (!(mask & (1u << s))) continue;
      const bytes_span d = w.reserve(n_.h());
      if (!w.ok()) return error(response_too_large());
      if (!chain_digest(dev_.cert_chain(s), d)) return error(error_code::unspecified);
    }
    if (mk) {
      for (std::uint8_t s = 0; s < Config::slot_count; ++s)
        if (mask & (1u << s)) w.u8(info_of(s).key_pair_id);
      for (std::uint8_t s = 0; s < Config::slot_count; ++s)
        if (mask & (1u << s)) w.u8(static_cast<std::uint8_t>(info_of(s).model));
      for (std::uint8_t s = 0; s < Config::slot_count; ++s)
        if (mask & (1u << s)) w.u16le(raw(info_of(s).usage));
    }
    if (!w.ok()) return error(response_too_large());
    return commit_m(req, w.written());
  }

  result<bytes_span> on_get_certificate(const request_frame& f) noexcept {
    const bytes_view req = f.message;
    if (const auto e = precheck(req); e != error_code{}) return error(e);
    const auto g = get_certificate::decode(f.clean, n_);
    if (!g) return error(decode_error(g.error()));
    const bytes_view certs = g->slot_id < Config::slot_count ? dev_.cert_chain(g->slot_id) : bytes_view{};
    const std::size_t total = certs.empty() ? 0 : chain_size(certs);
    if (total > cert_chain::max_size) return error(error_code::unspecified);
    // An unprovisioned slot is InvalidRequest, also for SlotSizeRequested (1.3: there is no size).
    if (certs.empty()) return error(error_code::invalid_request);
    std::size_t offset = g->offset, length = g->length;
    if (g->slot_size_requested) {
      // 1.3 SlotSizeRequested: Offset and Length are ignored; RemainderLength = the chain size.
      offset = 0;
      length = 0;
    } else if (offset >= total) {
      return error(error_code::invalid_request);
    }
    length = std::min({length, out_.size() - certificate::fixed_size, total - offset});
    const std::size_t remainder = g->slot_size_requested ? total : total - offset - length;

    writer w{out_};
    const std::uint8_t info =
        n_.ver >= version::v1_3 && n_.multi_key_conn_rsp ? static_cast<std::uint8_t>(info_of(g->slot_id).model) : 0;
    write_header(w, code::certificate, n_, g->slot_id, info);
    w.u16le(static_cast<std::uint16_t>(length)).u16le(static_cast<std::uint16_t>(remainder));
    const bytes_span portion = w.reserve(length);
    if (!w.ok()) return error(error_code::unspecified);
    if (length != 0 && !copy_chain_portion(certs, offset, portion)) return error(error_code::unspecified);
    return commit_m(req, w.written());
  }

  /// Bytes [offset, offset + out.size()) of the virtual SPDM chain.
  result<void> copy_chain_portion(bytes_view certs, std::size_t offset, bytes_span out) noexcept {
    std::array<std::byte, cert_chain::header_size + max_hash> head{};
    const std::size_t head_size = cert_chain::header_size + n_.h();
    store_u16le(std::span{head}.first(2), static_cast<std::uint16_t>(chain_size(certs)));
    if (offset < head_size) PMCI_TRY(root_hash(certs, std::span{head}.subspan(cert_chain::header_size, n_.h())));
    for (std::size_t i = 0; i < out.size(); ++i) {
      const std::size_t pos = offset + i;
      out[i] = pos < head_size ? head[pos] : certs[pos - head_size];
    }
    return ok();
  }

  result<bytes_span> commit_m(bytes_view req, bytes_span rsp) noexcept {
    if (!tr_.append_m(crypto_, req) || !tr_.append_m(crypto_, rsp)) return resynch();
    return rsp;
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
    const auto h = to_crypto(n_.hash);
    if (!h) return errc::invalid_state;
    return *h;
  }

  sign_outcome sign_tbs(std::uint8_t slot, signing_context ctx, bytes_view tbs, bytes_span signature) noexcept {
    const auto alg = to_crypto(n_.asym);
    const auto h = to_crypto(n_.hash);
    if (!alg || !h) return sign_outcome::failed;
    const signing_request r{signed_content{n_.ver, ctx, tbs}, *alg, *h};
    if constexpr (detail::device_signs<Device>) {
      const auto res = dev_.sign(slot, r, signature);
      if (res) return sign_outcome::done;
      if (res.error() == errc::not_ready) return sign_outcome::not_ready;
      if (res.error() == errc::busy) return sign_outcome::busy;
      return sign_outcome::failed;
    } else {
      const auto* key = dev_.sign_key(slot);
      if (key == nullptr) return sign_outcome::failed;
      return spdm::sign(crypto_, *key, r, signature) ? sign_outcome::done : sign_outcome::failed;
    }
  }

  /// The response is complete but for its signature: compute TH over a fork of `state`, sign,
  /// and turn the outcome into the response or an ERROR.
  result<bytes_span> finish_signed(const hash_state& state, bytes_view req, writer& w, bytes_span signature,
                                   std::uint8_t slot, signing_context ctx, const resume_info* resume) noexcept {
    const bytes_span whole = w.written();
    const bytes_view unsigned_part = bytes_view{whole}.first(whole.size() - signature.size());
    std::array<std::byte, max_hash> tbs{};
    const bytes_span th = std::span{tbs}.first(n_.h());
    if (!tr_.fork_digest(crypto_, state, req, unsigned_part, th)) return resynch();
    if (resume != nullptr && !equal(th, resume->tbs)) {
      // The device's data changed under a pending response: it cannot be completed.
      return error(error_code::unspecified);
    }
    switch (sign_tbs(slot, ctx, th, signature)) {
      case sign_outcome::done: return whole;
      case sign_outcome::busy: return error(error_code::busy);
      case sign_outcome::failed: return error(error_code::unspecified);
      case sign_outcome::not_ready:
        if constexpr (async_signing) {
          if (resume == nullptr) {
            pending_.active = true;
            pending_.request_code = static_cast<code>(std::to_integer<std::uint8_t>(req[1]));
            pending_.token = next_token_++;
            (void)pending_.request.assign(req);
            const std::size_t nonce_at = ctx == signing_context::responder_challenge_auth
                                             ? header::size + n_.h()
                                             : nonce_offset_in_measurements(whole);
            std::copy_n(whole.begin() + static_cast<std::ptrdiff_t>(nonce_at), nonce_size, pending_.nonce.begin());
            std::copy(th.begin(), th.end(), pending_.tbs.begin());
          }
          return not_ready_error();
        } else {
          return error(error_code::unspecified);
        }
    }
    return error(error_code::unspecified);
  }

  /// MEASUREMENTS: the nonce follows the record (spdm.md §7.2).
  static std::size_t nonce_offset_in_measurements(bytes_view rsp) noexcept {
    return header::size + 4 + load_u24le(rsp.subspan(5, 3));
  }

  /// 32 random bytes, or the pending response's nonce when rebuilding it.
  result<void> fill_nonce(bytes_span n, const resume_info* resume) noexcept {
    if (resume != nullptr) {
      std::copy(resume->nonce.begin(), resume->nonce.end(), n.begin());
      return ok();
    }
    return crypto_.random(n);
  }

  result<void> opaque_data(code c, writer& w) noexcept {
    const bytes_span len = w.reserve(2);
    const std::size_t start = w.size();
    // 1.2+: without a negotiated opaque format OpaqueDataLength must be 0 (spdm.md §14).
    const bool allowed = n_.ver < version::v1_2 || (n_.other_params & 0x0F) != 0;
    if constexpr (detail::device_has_opaque<Device>)
      if (allowed && w.ok()) PMCI_TRY(dev_.write_opaque_data(c, w));
    PMCI_TRY(w.status());
    const std::size_t n = w.size() - start;
    if (n > 0xFFFF) return errc::out_of_range;
    store_u16le(len, static_cast<std::uint16_t>(n));
    return ok();
  }

  [[nodiscard]] bool slot_usable(std::uint8_t slot, key_usage usage) noexcept {
    if (slot >= Config::slot_count || dev_.cert_chain(slot).empty()) return false;
    // 1.3 multi-key: the slot's key must be allowed for this use (libspdm; spdm.md §6.2).
    if (n_.ver >= version::v1_3 && n_.multi_key_conn_rsp && !has(info_of(slot).usage, usage)) return false;
    return true;
  }

  [[nodiscard]] measurement_request meas_request(std::uint8_t attributes) const noexcept {
    return {n_.ver, n_.measurement_hash, n_.ver >= version::v1_2 && (attributes & meas_attr_raw_bitstream) != 0,
            n_.ver >= version::v1_3 && (attributes & meas_attr_new_measurement) != 0};
  }

  /// MeasurementSummaryHash: Hash of the concatenated measurement blocks (all, or the TCB ones)
  /// in digest form (spdm.md §6.4). Blocks are produced one by one into `scratch`.
  result<void> summary_hash(summary_hash_type t, bytes_span out, bytes_span scratch) noexcept
    requires meas_enabled
  {
    PMCI_TRY_ASSIGN(const crypto::hash_alg h, negotiated_hash());
    hash_state s{};
    PMCI_TRY(crypto_.hash_init(s, h));
    const measurement_request mr{n_.ver, n_.measurement_hash, false, false};
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

  result<bytes_span> on_challenge(const request_frame& f, const resume_info* resume) noexcept {
    const bytes_view req = f.message;
    if (const auto e = precheck(req); e != error_code{}) return error(e);
    const auto ch = challenge::decode(f.clean, n_);
    if (!ch) return error(decode_error(ch.error()));
    if (ch->summary != summary_hash_type::none) {
      if constexpr (meas_enabled) {
        if (n_.measurement_spec == meas_spec::none || n_.mh() == 0) return error(error_code::invalid_request);
      } else {
        return error(error_code::invalid_request);
      }
    }
    if (ch->slot_id == provisioned_key_slot || !slot_usable(ch->slot_id, key_usage::challenge))
      return error(error_code::invalid_request);

    writer w{out_};
    write_header(w, code::challenge_auth, n_, ch->slot_id, provisioned_slot_mask());
    const bytes_span chain_hash = w.reserve(n_.h());
    const bytes_span nonce = w.reserve(nonce_size);
    const bytes_span summary = w.reserve(challenge_auth::summary_hash_size(n_, response_context::answering(*header::decode(req))));
    if (!w.ok()) return error(response_too_large());
    if (!chain_digest(dev_.cert_chain(ch->slot_id), chain_hash)) return error(error_code::unspecified);
    if (!fill_nonce(nonce, resume)) return error(error_code::unspecified);
    if constexpr (meas_enabled) {
      if (!summary.empty() && !summary_hash(ch->summary, summary, out_.subspan(w.size())))
        return error(error_code::unspecified);
    }
    if (!opaque_data(code::challenge_auth, w)) return error(response_too_large());
    w.bytes(ch->requester_context);
    const bytes_span signature = w.reserve(n_.s());
    if (!w.ok()) return error(response_too_large());

    auto r = finish_signed(tr_.m(), req, w, signature, ch->slot_id, signing_context::responder_challenge_auth, resume);
    if (r && std::to_integer<std::uint8_t>((*r)[1]) == static_cast<std::uint8_t>(code::challenge_auth)) {
      tr_.reset_m();  // B and C are dropped after CHALLENGE_AUTH (spdm.md §15)
      authenticated_ = true;
    }
    return r;
  }

  result<bytes_span> on_get_measurements(const request_frame& f, const resume_info* resume) noexcept {
    auto r = measurements_response(f, resume);
    // The failed request and its ERROR are not kept: L1/L2 restarts (spdm.md §15).
    if (!r || std::to_integer<std::uint8_t>((*r)[1]) != static_cast<std::uint8_t>(code::measurements)) {
      if (!response_pending()) drop_l();
    }
    return r;
  }

  result<bytes_span> measurements_response(const request_frame& f, const resume_info* resume) noexcept
    requires meas_enabled
  {
    const bytes_view req = f.message;
    if (const auto e = precheck(req); e != error_code{}) return error(e);
    if (n_.measurement_spec == meas_spec::none || n_.mh() == 0) return error(error_code::unexpected_request);
    const auto g = get_measurements::decode(f.clean, n_);
    if (!g) return error(decode_error(g.error()));
    const bool sign = g->signature_requested();
    if (sign) {
      if constexpr (meas_sig_enabled) {
        if (g->slot_id == 0x0F || !slot_usable(g->slot_id, key_usage::measurement)) return error(error_code::invalid_request);
      } else {
        return error(error_code::invalid_request);
      }
    }
    if (!authenticated_ && resume == nullptr) tr_.reset_m();  // B and C dropped (spdm.md §15)

    const auto indices = std::span<const std::uint8_t>(dev_.measurement_indices());
    const measurement_request mr = meas_request(g->attributes);
    writer w{out_};
    std::uint8_t p1 = 0, p2 = 0;
    if (g->operation == meas_op_count) p1 = static_cast<std::uint8_t>(std::min<std::size_t>(indices.size(), 0xFF));
    if (sign && n_.ver >= version::v1_1) {
      p2 = g->slot_id;
      if (n_.ver >= version::v1_2) {
        content_change cc = content_change::not_supported;
        if constexpr (detail::device_has_content_change<Device>) cc = dev_.measurements_changed();
        p2 = static_cast<std::uint8_t>(p2 | ((static_cast<std::uint8_t>(cc) & 0x03) << 4));
      }
    }
    write_header(w, code::measurements, n_, p1, p2);
    const bytes_span count_field = w.reserve(1);
    const bytes_span length_field = w.reserve(3);
    const std::size_t record_start = w.size();
    std::size_t blocks = 0;
    if (g->operation == meas_op_all) {
      for (const std::uint8_t idx : indices) {
        if (!dev_.write_measurement(idx, mr, w)) return error(response_too_large());
        ++blocks;
      }
    } else if (g->operation != meas_op_count) {
      // A plain loop: libstdc++'s std::find is unrolled four times (110 B of Thumb-2 for a list of
      // a few indices; docs/footprint.md).
      bool known = false;
      for (const std::uint8_t idx : indices) known = known || idx == g->operation;
      if (!known) return error(error_code::invalid_request);
      if (const auto res = dev_.write_measurement(g->operation, mr, w); !res)
        return error(res.error() == errc::out_of_range ? error_code::invalid_request : response_too_large());
      blocks = 1;
    }
    if (!w.ok() || blocks > 0xFF || w.size() - record_start > 0xFFFFFF) return error(response_too_large());
    count_field[0] = std::byte{static_cast<std::uint8_t>(blocks)};
    store_u24le(length_field, static_cast<std::uint32_t>(w.size() - record_start));
    const bytes_span nonce = w.reserve(nonce_size);
    if (!w.ok()) return error(response_too_large());
    if (!fill_nonce(nonce, resume)) return error(error_code::unspecified);
    if (!opaque_data(code::measurements, w)) return error(response_too_large());
    w.bytes(g->requester_context);
    if (!sign) {
      if (!w.ok()) return error(response_too_large());
      const bytes_span rsp = w.written();
      if (tr_.selected() && (!tr_.append_l(crypto_, req) || !tr_.append_l(crypto_, rsp))) return resynch();
      return rsp;
    }
    if constexpr (meas_sig_enabled) {
      const bytes_span signature = w.reserve(n_.s());
      if (!w.ok()) return error(response_too_large());
      auto r = finish_signed(tr_.l(), req, w, signature, g->slot_id, signing_context::responder_measurements, resume);
      if (r && std::to_integer<std::uint8_t>((*r)[1]) == static_cast<std::uint8_t>(code::measurements)) drop_l();
      return r;
    } else {
      return error(error_code::invalid_request);
    }
  }
  result<bytes_span> measurements_response(const request_frame&, const resume_info*) noexcept
    requires(!meas_enabled)
  {
    return error(error_code::unsupported_request, static_cast<std::uint8_t>(code::get_measurements));
  }

  // ============================================================================================
  // RESPOND_IF_READY (spdm.md §8)
  // ============================================================================================
  result<bytes_span> on_respond_if_ready(const request_frame& f) noexcept {
    const bytes_view req = f.message;
    if (const auto e = precheck(req); e != error_code{}) return error(e);
    const auto r = respond_if_ready::decode(f.clean, n_);
    if (!r) return error(decode_error(r.error()));
    if constexpr (async_signing) {
      if (!pending_.active) return error(error_code::unexpected_request);
      if (r->request_code != pending_.request_code || r->token != pending_.token)
        return error(error_code::invalid_request);
      // Rebuild the response from the stored request (same nonce, same transcript hash).
      std::array<std::byte, 48> stored{};
      const std::size_t n = pending_.request.size();
      std::copy_n(pending_.request.data(), n, stored.begin());
      const bytes_view stored_req = bytes_view{stored}.first(n);
      const std::size_t h = n_.h();
      std::array<std::byte, max_hash> tbs = pending_.tbs;
      std::array<std::byte, nonce_size> nonce = pending_.nonce;
      const resume_info resume{nonce, bytes_view{tbs}.first(h)};
      std::array<std::byte, request_scratch_size> scratch;
      const request_frame sf = frame_request(stored_req, n_.ver, scratch);
      result<bytes_span> out = errc::invalid_state;
      if (pending_.request_code == code::challenge) {
        if constexpr (chal_enabled) out = on_challenge(sf, &resume);
      } else {
        if constexpr (meas_enabled) out = on_get_measurements(sf, &resume);
      }
      const bool still_pending = out && std::to_integer<std::uint8_t>((*out)[1]) == static_cast<std::uint8_t>(code::error) &&
                                 std::to_integer<std::uint8_t>((*out)[2]) == static_cast<std::uint8_t>(error_code::response_not_ready);
      if (!still_pending) {
        const code c = pending_.request_code;
        pending_ = pending_state{};
        if (c == code::get_measurements && (!out || std::to_integer<std::uint8_t>((*out)[1]) != static_cast<std::uint8_t>(code::measurements)))
          drop_l();
      }
      return out;
    } else {
      return error(error_code::unexpected_request);
    }
  }

  result<bytes_span> not_ready_error() noexcept
    requires async_signing
  {
    error_response e;
    e.spdm_version = to_byte(n_.ver);
    e.error = error_code::response_not_ready;
    e.not_ready = {Config::rdt_exponent, pending_.request_code, pending_.token, Config::rdtm};
    writer w{out_};
    if (!e.encode(w)) return errc::buffer_too_small;
    return w.written();
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
  result<bytes_span> on_vendor_defined(const request_frame& f) noexcept
    requires vendor_enabled
  {
    const bytes_view req = f.message;
    if (const auto e = precheck(req); e != error_code{}) return error(e);
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
    if (!w.ok()) return error(response_too_large());
    if (const auto r = dev_.vendor_defined(*v, w); !r) {
      if (r.error() == errc::unsupported) return error(error_code::unsupported_request, static_cast<std::uint8_t>(code::vendor_defined_request));
      if (r.error() == errc::invalid_field) return error(error_code::invalid_request);
      if (r.error() == errc::busy) return error(error_code::busy);
      if (r.error() == errc::buffer_too_small) return error(response_too_large());
      return error(error_code::unspecified);
    }
    if (!w.ok() || w.size() - start > 0xFFFF) return error(response_too_large());
    store_u16le(len, static_cast<std::uint16_t>(w.size() - start));
    return w.written();
  }

  // ============================================================================================
  // ERROR
  // ============================================================================================
  [[nodiscard]] constexpr error_code response_too_large() const noexcept {
    return n_.ver >= version::v1_2 ? error_code::response_too_large : error_code::unspecified;
  }
  /// The version an ERROR carries: the negotiated one once CAPABILITIES fixed it, else 1.0.
  [[nodiscard]] constexpr version error_version() const noexcept {
    return state_ >= connection_state::after_capabilities ? n_.ver : version::v1_0;
  }
  result<bytes_span> error(error_code e, std::uint8_t data = 0) noexcept { return error(e, data, error_version()); }
  result<bytes_span> error(error_code e, std::uint8_t data, version v) noexcept {
    error_response r;
    r.spdm_version = to_byte(v);
    r.error = e;
    r.error_data = data;
    writer w{out_};
    if (!r.encode(w)) return errc::buffer_too_small;
    return w.written();
  }
  /// A transcript operation failed: the connection state can no longer be trusted. Ask the
  /// requester to start over (RequestResynch; the next request must be GET_VERSION).
  result<bytes_span> resynch() noexcept {
    const version v = error_version();
    reset_connection();
    return error(error_code::request_resynch, 0, v);
  }

  void drop_l() noexcept {
    if (tr_.selected()) (void)tr_.reset_l(crypto_);
  }

  /// The versions / capability flags offered now (the configuration's, narrowed by set_limits).
  [[nodiscard]] constexpr version_set versions_now() const noexcept { return Config::versions & limits_.value.versions; }
  [[nodiscard]] constexpr rsp_cap caps_now() const noexcept {
    return static_cast<rsp_cap>(raw(config_caps) & limits_.value.capabilities);
  }
  void reset_connection() noexcept {
    tr_.reset();
    n_ = negotiated{};
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
