// SPDX-License-Identifier: Apache-2.0
// KEY_EXCHANGE (0xE4) / KEY_EXCHANGE_RSP (0x64), SPDM 1.1+ (spdm.md §10.1, §10.2).
//
// KEY_EXCHANGE
//   hdr(P1 MeasurementSummaryHashType 0/1/0xFF, P2 SlotID 0-7/0xFF) | ReqSessionID(2) |
//   SessionPolicy(1; 1.2+, reserved in 1.1) | Reserved(1) | RandomData(32) | ExchangeData(D) |
//   OpaqueDataLength(2) | OpaqueData
// KEY_EXCHANGE_RSP
//   hdr(P1 HeartbeatPeriod, P2 reserved) | RspSessionID(2) | MutAuthRequested(1) |
//   ReqSlotIDParam(1) | RandomData(32) | ExchangeData(D) | MeasurementSummaryHash(0 or H) |
//   OpaqueDataLength(2) | OpaqueData | Signature(S) | ResponderVerifyData(H, absent when
//   n.handshake_in_the_clear())
//
// The summary hash is present iff the *request's* Param1 was not 0, which the response does not
// say: engines pass the request's header as a response_context (header.hpp). Without one (the
// two-argument decode, or a context whose request is not a KEY_EXCHANGE — e.g. the dispatcher's
// default) decode infers it from the message length; the only ambiguity needs the first two
// summary-hash bytes to equal OpaqueDataLength + H.
#pragma once
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/challenge.hpp"
#include "pmci/spdm/detail/message_codec.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

/// SessionPolicy bits (KEY_EXCHANGE byte 6, PSK_EXCHANGE Param2): bit0 TerminationPolicy
/// (1.2), bit1 EventAllPolicy (1.3). Bits not defined at the version must be zero.
inline constexpr std::uint8_t session_policy_termination = 0x01;
inline constexpr std::uint8_t session_policy_event_all = 0x02;
constexpr std::uint8_t session_policy_mask(version v) noexcept {
  return v >= v1_3 ? 0x03 : v >= v1_2 ? 0x01 : 0x00;
}

/// MutAuthRequested bits (KEY_EXCHANGE_RSP): 0 requested, 1 with encapsulated request, 2 with
/// implicit GET_DIGESTS; bits 7:3 reserved.
inline constexpr std::uint8_t mut_auth_requested = 0x01;
inline constexpr std::uint8_t mut_auth_with_encap_request = 0x02;
inline constexpr std::uint8_t mut_auth_with_get_digests = 0x04;

struct key_exchange {
  static constexpr code message_code = code::key_exchange;
  summary_hash_type summary = summary_hash_type::none;  ///< Param1 (challenge.hpp)
  std::uint8_t slot_id = 0;                        ///< Param2: 0-7, 0xFF = provisioned public key
  std::uint16_t req_session_id = 0;
  std::uint8_t session_policy = 0;                 ///< 1.2+; 0 in 1.1
  bytes_view random_data{};                        ///< 32
  bytes_view exchange_data{};                      ///< D = n.d()
  bytes_view opaque_data{};                        ///< secured-message SupportedVersion (opaque.hpp)

  /// Errors: truncated, trailing_data, version_mismatch, unsupported (version < 1.1),
  /// invalid_state (no DHE group negotiated), invalid_field (Param1 not 0/1/0xFF, SlotID not 0-7/0xFF),
  /// reserved_nonzero (Reserved byte, SessionPolicy bits undefined at the version).
  static constexpr result<key_exchange> decode(bytes_view m, const negotiated& n) noexcept {
    if (n.d() == 0) return errc::invalid_state;
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    key_exchange k;
    k.summary = static_cast<summary_hash_type>(h.param1);
    k.slot_id = h.param2;
    k.req_session_id = r.u16le();
    k.session_policy = r.u8();
    r.reserved(1);
    k.random_data = r.bytes(nonce_size);
    k.exchange_data = r.bytes(n.d());
    k.opaque_data = r.bytes(r.u16le());
    PMCI_TRY(detail::finish(r));
    if (!is_valid(k.summary) || !valid_slot(h.param2)) return errc::invalid_field;
    if ((k.session_policy & ~session_policy_mask(n.ver)) != 0) return errc::reserved_nonzero;
    return k;
  }

  /// Errors: unsupported, invalid_state, invalid_field (span sizes, Param values, policy bits), out_of_range
  /// (opaque data > 0xFFFF), buffer_too_small.
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (n.d() == 0) return errc::invalid_state;
    if (random_data.size() != nonce_size || exchange_data.size() != n.d() ||
        !is_valid(summary) || !valid_slot(slot_id) ||
        (session_policy & ~session_policy_mask(n.ver)) != 0)
      return errc::invalid_field;
    if (!detail::fits_u16(opaque_data)) return errc::out_of_range;
    PMCI_TRY(detail::begin(w, message_code, n, static_cast<std::uint8_t>(summary), slot_id));
    w.u16le(req_session_id).u8(session_policy).u8(0).bytes(random_data).bytes(exchange_data);
    w.u16le(static_cast<std::uint16_t>(opaque_data.size())).bytes(opaque_data);
    return detail::done(w);
  }
};

struct key_exchange_rsp {
  static constexpr code message_code = code::key_exchange_rsp;
  std::uint8_t heartbeat_period = 0;      ///< Param1; 0 = no heartbeat
  std::uint16_t rsp_session_id = 0;
  std::uint8_t mut_auth_requested = 0;    ///< mut_auth_* bits
  std::uint8_t req_slot_id_param = 0;     ///< bits 3:0: 0-7 or 0xF
  bytes_view random_data{};               ///< 32
  bytes_view exchange_data{};             ///< D
  bytes_view measurement_summary_hash{};  ///< 0 or H
  bytes_view opaque_data{};               ///< secured-message VersionSelection (opaque.hpp)
  bytes_view signature{};                 ///< S = n.s()
  bytes_view responder_verify_data{};     ///< H, or empty when n.handshake_in_the_clear()

  /// 1.1+ session id as a 32-bit value: (RspSessionID << 16) | ReqSessionID (spdm.md §10.2).
  static constexpr std::uint32_t session_id(std::uint16_t req, std::uint16_t rsp) noexcept {
    return (static_cast<std::uint32_t>(rsp) << 16) | req;
  }

  /// ctx.request is the KEY_EXCHANGE header this answers (its Param1 decides the summary hash);
  /// any other request in ctx means "unknown": the layout is inferred.
  /// Errors: truncated, trailing_data, version_mismatch, unsupported (version < 1.1),
  /// invalid_state (no DHE, hash or asym algorithm negotiated), reserved_nonzero (Param2, MutAuthRequested bits 7:3,
  /// ReqSlotIDParam bits 7:4), invalid_field (ReqSlotIDParam 8-14).
  static constexpr result<key_exchange_rsp> decode(bytes_view m, const negotiated& n,
                                                   const response_context& ctx) noexcept {
    if (ctx.request.request_response_code != code::key_exchange) return decode(m, n);
    return decode_with(m, n, ctx.request.param1 != 0);
  }
  /// Infers the summary hash from the length (see the file comment).
  static constexpr result<key_exchange_rsp> decode(bytes_view m, const negotiated& n) noexcept {
    auto r = decode_with(m, n, false);
    if (r.has_value()) return r;
    auto with = decode_with(m, n, true);
    return with.has_value() ? with : r;
  }

  /// Errors: unsupported, invalid_state, invalid_field (span sizes, reserved bits set in the fields),
  /// out_of_range (opaque data > 0xFFFF), buffer_too_small.
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (!algorithms_known(n)) return errc::invalid_state;
    if (random_data.size() != nonce_size || exchange_data.size() != n.d() ||
        (!measurement_summary_hash.empty() && measurement_summary_hash.size() != n.h()) ||
        signature.size() != n.s() || responder_verify_data.size() != verify_size(n) ||
        (mut_auth_requested & 0xF8) != 0 || !slot_param_valid(req_slot_id_param))
      return errc::invalid_field;
    if (!detail::fits_u16(opaque_data)) return errc::out_of_range;
    PMCI_TRY(detail::begin(w, message_code, n, heartbeat_period, 0));
    w.u16le(rsp_session_id).u8(mut_auth_requested).u8(req_slot_id_param).bytes(random_data).bytes(exchange_data);
    w.bytes(measurement_summary_hash).u16le(static_cast<std::uint16_t>(opaque_data.size())).bytes(opaque_data);
    w.bytes(signature).bytes(responder_verify_data);
    return detail::done(w);
  }

  /// Also checks the summary hash against the request, when ctx holds a KEY_EXCHANGE
  /// (errc::invalid_field).
  constexpr result<void> encode(writer& w, const negotiated& n, const response_context& ctx) const noexcept {
    if (ctx.request.request_response_code == code::key_exchange &&
        measurement_summary_hash.empty() != (ctx.request.param1 == 0))
      return errc::invalid_field;
    return encode(w, n);
  }

 private:
  static constexpr bool algorithms_known(const negotiated& n) noexcept { return n.d() && n.h() && n.s(); }
  static constexpr std::size_t verify_size(const negotiated& n) noexcept { return n.handshake_in_the_clear() ? 0 : n.h(); }
  static constexpr bool slot_param_valid(std::uint8_t p) noexcept { return (p & 0xF0) == 0 && valid_slot4(p); }

  static constexpr result<key_exchange_rsp> decode_with(bytes_view m, const negotiated& n, bool summary) noexcept {
    if (!algorithms_known(n)) return errc::invalid_state;
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    key_exchange_rsp k;
    k.heartbeat_period = h.param1;
    k.rsp_session_id = r.u16le();
    k.mut_auth_requested = r.u8();
    k.req_slot_id_param = r.u8();
    k.random_data = r.bytes(nonce_size);
    k.exchange_data = r.bytes(n.d());
    k.measurement_summary_hash = r.bytes(summary ? n.h() : 0);
    k.opaque_data = r.bytes(r.u16le());
    k.signature = r.bytes(n.s());
    k.responder_verify_data = r.bytes(verify_size(n));
    PMCI_TRY(detail::finish(r));
    if (h.param2 != 0 || (k.mut_auth_requested & 0xF8) != 0 || (k.req_slot_id_param & 0xF0) != 0)
      return errc::reserved_nonzero;
    if (!slot_param_valid(k.req_slot_id_param)) return errc::invalid_field;
    return k;
  }
};

}  // namespace pmci::spdm
