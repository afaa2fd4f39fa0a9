// SPDX-License-Identifier: Apache-2.0
// The Device: what an SPDM responder needs from the integrator's device (spdm::responder<Config,
// Crypto, Device>). A small class with members the responder calls; only the members the
// configuration needs are required (a responder without MEAS_CAP never asks for measurements).
//
// Required with CERT_CAP:
//   bytes_view cert_chain(std::uint8_t slot)
//       The DER X.509 certificates of slot `slot`, concatenated root first, leaf last; empty when
//       the slot is not provisioned. The responder composes the SPDM certificate chain
//       (Length ‖ Reserved ‖ RootHash = Hash(root certificate) ‖ certificates, spdm.md §6.1)
//       on the fly for DIGESTS and each GET_CERTIFICATE portion: no RAM copy of the chain.
//       The bytes must stay valid and unchanged while the responder runs.
//
// Required when the responder signs (CHAL_CAP, signed MEAS_CAP), one of:
//   const Crypto::sign_key* sign_key(std::uint8_t slot)
//       The private key of the slot's leaf certificate, held by the crypto policy (a hardware
//       key handle, an OpenSSL EVP_PKEY, ...). The responder signs with Crypto::sign /
//       sign_digest (pmci/spdm/signing.hpp). nullptr = no key for that slot (ERROR Unspecified).
//   result<void> sign(std::uint8_t slot, const signing_request& req, bytes_span signature)
//       The device signs itself (secure element, remote HSM, slow hardware). May return
//       errc::not_ready: the responder answers ERROR ResponseNotReady and calls sign() again with
//       the same request each time RESPOND_IF_READY arrives, until it returns the signature.
//       errc::busy -> ERROR Busy (the requester retries the request). Other errors -> ERROR
//       Unspecified. pmci::spdm::sign(crypto, key, req, out) does the signing step for a device
//       that only wants to defer it.
//   If the device has both, sign() is used.
//
// Required with MEAS_CAP:
//   std::span<const std::uint8_t> measurement_indices()
//       The measurement indices the device has (1..0xFE), ascending.
//   result<void> write_measurement(std::uint8_t index, const measurement_request& req, writer& w)
//       Write the complete measurement block for `index` (Index ‖ MeasurementSpecification ‖
//       MeasurementSize ‖ Measurement, spdm.md §7.3; measurement_block::write_dmtf does it for DMTF
//       blocks): a digest of req.hash_size() bytes, or the raw bit stream when
//       req.raw_bit_stream_requested and the device has it. errc::out_of_range for an index the
//       device does not have (ERROR InvalidRequest); a full writer -> ResponseTooLarge.
//
// Optional (detected with `requires`; defaults in parentheses):
//   bool measurement_in_tcb(std::uint8_t index)       TCB component? for MeasurementSummaryHash
//                                                    type 0x01 (every measurement)
//   content_change measurements_changed()            MEASUREMENTS Param2 bits 5:4, 1.2+, signed
//                                                    (content_change::not_supported)
//   result<void> write_opaque_data(code response, writer& w)   OpaqueData of CHALLENGE_AUTH /
//                                                    MEASUREMENTS, in the negotiated format (none)
//   result<void> vendor_defined(const vendor_defined_request& req, writer& payload)
//                                                    VENDOR_DEFINED_REQUEST: write the response
//                                                    payload; errc::unsupported -> UnsupportedRequest,
//                                                    invalid_field -> InvalidRequest (unsupported)
//   slot_info slot_information(std::uint8_t slot)    1.3 multi-key DIGESTS / CERTIFICATE fields
//                                                    ({key_pair_id = slot, device cert, all usages})
//   std::uint8_t supported_slot_mask()               1.3 DIGESTS SupportedSlotMask
//                                                    (slots 0 .. Config::slot_count - 1)
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/spdm/digests.hpp"
#include "pmci/spdm/measurements.hpp"
#include "pmci/spdm/signing.hpp"
#include "pmci/spdm/types.hpp"
#include "pmci/spdm/vendor.hpp"

namespace pmci::spdm {

/// What Device::sign is asked to sign: pmci::spdm::sign(policy, key, req, out) turns it into the
/// policy call (prefix, prehashing) of spdm.md §16.
struct signing_request {
  signed_content content{};  ///< version, operation and TH = Hash(transcript)
  crypto::sig_alg alg = crypto::sig_alg::ecdsa_p384;
  crypto::hash_alg hash = crypto::hash_alg::sha384;
};

/// Sign a signing_request with a key of the crypto policy (the body of a simple Device::sign).
template <crypto::sign_policy P>
[[nodiscard]] result<void> sign(P& p, const typename P::sign_key& key, const signing_request& req, bytes_span out) noexcept {
  return sign(p, key, req.alg, req.hash, req.content, out);
}

/// What Device::write_measurement is asked for.
struct measurement_request {
  version ver = version::v1_0;
  meas_hash hash = meas_hash::none;        ///< negotiated MeasurementHashAlgo (digest form)
  bool raw_bit_stream_requested = false;   ///< GET_MEASUREMENTS attribute bit 1 (1.2+)
  bool new_measurement_requested = false;  ///< attribute bit 2 (1.3)
  [[nodiscard]] constexpr std::size_t hash_size() const noexcept { return spdm::hash_size(hash); }
};

/// 1.3 per-slot key information (DIGESTS with MultiKeyConnRsp, CERTIFICATE Param2).
struct slot_info {
  std::uint8_t key_pair_id = 0;
  cert_model model = cert_model::device;
  key_usage usage = key_usage::key_exchange | key_usage::challenge | key_usage::measurement | key_usage::endpoint_info;
};

namespace detail {
template <class D>
concept device_has_certs = requires(D& d, std::uint8_t slot) {
  { d.cert_chain(slot) } -> std::convertible_to<bytes_view>;
};
template <class D, class Crypto>
concept device_has_sign_key = requires(D& d, std::uint8_t slot) {
  { d.sign_key(slot) } -> std::convertible_to<const typename Crypto::sign_key*>;
};
template <class D>
concept device_signs = requires(D& d, std::uint8_t slot, const signing_request& r, bytes_span out) {
  { d.sign(slot, r, out) } -> std::same_as<result<void>>;
};
template <class D>
concept device_has_measurements = requires(D& d, std::uint8_t index, const measurement_request& r, writer& w) {
  { d.measurement_indices() } -> std::convertible_to<std::span<const std::uint8_t>>;
  { d.write_measurement(index, r, w) } -> std::same_as<result<void>>;
};
template <class D>
concept device_has_tcb = requires(D& d, std::uint8_t index) {
  { d.measurement_in_tcb(index) } -> std::convertible_to<bool>;
};
template <class D>
concept device_has_content_change = requires(D& d) {
  { d.measurements_changed() } -> std::convertible_to<content_change>;
};
template <class D>
concept device_has_opaque = requires(D& d, code c, writer& w) {
  { d.write_opaque_data(c, w) } -> std::same_as<result<void>>;
};
template <class D>
concept device_has_vendor = requires(D& d, const vendor_defined_request& r, writer& w) {
  { d.vendor_defined(r, w) } -> std::same_as<result<void>>;
};
template <class D>
concept device_has_slot_info = requires(D& d, std::uint8_t slot) {
  { d.slot_information(slot) } -> std::convertible_to<slot_info>;
};
template <class D>
concept device_has_supported_slots = requires(D& d) {
  { d.supported_slot_mask() } -> std::convertible_to<std::uint8_t>;
};
}  // namespace detail

/// Compile-time check of a Device for a responder configuration; sentences name what is missing.
template <class Device, class Config, class Crypto>
consteval bool check_device() {
  constexpr rsp_cap caps = Config::capabilities;
  constexpr bool signs = any(caps, rsp_cap::chal) || (caps & rsp_cap::meas_mask) == rsp_cap::meas_sig;
  static_assert(!has(caps, rsp_cap::cert) || detail::device_has_certs<Device>,
                "spdm::responder: CERT_CAP needs a Device member `bytes_view cert_chain(std::uint8_t slot)` "
                "returning the slot's DER certificates, root first");
  static_assert(!signs || detail::device_signs<Device> || detail::device_has_sign_key<Device, Crypto>,
                "spdm::responder: a signing responder needs a Device member `const Crypto::sign_key* "
                "sign_key(std::uint8_t slot)` or `result<void> sign(std::uint8_t slot, const "
                "spdm::signing_request&, bytes_span signature)`");
  static_assert((caps & rsp_cap::meas_mask) == rsp_cap::none || detail::device_has_measurements<Device>,
                "spdm::responder: MEAS_CAP needs Device members `std::span<const std::uint8_t> "
                "measurement_indices()` and `result<void> write_measurement(std::uint8_t index, const "
                "spdm::measurement_request&, writer&)`");
  return true;
}

}  // namespace pmci::spdm
