// SPDX-License-Identifier: Apache-2.0
// PSK_EXCHANGE (0xE6) / PSK_EXCHANGE_RSP (0x66) / PSK_FINISH (0xE7) / PSK_FINISH_RSP (0x67),
// SPDM 1.1+ (spdm.md §10.4).
//
// PSK_EXCHANGE      hdr(P1 MeasurementSummaryHashType, P2 SessionPolicy (1.2+; reserved 1.1)) |
//                   ReqSessionID(2) | PSKHintLength(2) | RequesterContextLength(2) |
//                   OpaqueDataLength(2) | PSKHint | RequesterContext | OpaqueData
// PSK_EXCHANGE_RSP  hdr(P1 HeartbeatPeriod, P2 reserved) | RspSessionID(2) | Reserved(2) |
//                   ResponderContextLength(2) | OpaqueDataLength(2) |
//                   MeasurementSummaryHash(0 or H) | ResponderContext | OpaqueData |
//                   ResponderVerifyData(H)
// PSK_FINISH        hdr(reserved) | RequesterVerifyData(H)
// PSK_FINISH_RSP    hdr(reserved)
//
// As with KEY_EXCHANGE_RSP, the summary hash is present iff the request's Param1 != 0 (a
// response_context whose request is a PSK_EXCHANGE); without one the length fields make the
// inferring decode exact.
#pragma once
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/detail/message_codec.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/key_exchange.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

struct psk_exchange {
  static constexpr code message_code = code::psk_exchange;
  summary_hash_type summary = summary_hash_type::none;  ///< Param1 (challenge.hpp)
  std::uint8_t session_policy = 0;                 ///< Param2 (1.2+)
  std::uint16_t req_session_id = 0;
  bytes_view psk_hint{};
  bytes_view requester_context{};
  bytes_view opaque_data{};

  /// Errors: truncated, trailing_data, version_mismatch, unsupported (version < 1.1),
  /// invalid_field (Param1), reserved_nonzero (SessionPolicy bits undefined at the version).
  static constexpr result<psk_exchange> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    psk_exchange p;
    p.summary = static_cast<summary_hash_type>(h.param1);
    p.session_policy = h.param2;
    p.req_session_id = r.u16le();
    const std::size_t hint = r.u16le(), context = r.u16le(), opaque = r.u16le();
    p.psk_hint = r.bytes(hint);
    p.requester_context = r.bytes(context);
    p.opaque_data = r.bytes(opaque);
    PMCI_TRY(detail::finish(r));
    if (!is_valid(p.summary)) return errc::invalid_field;
    if ((h.param2 & ~session_policy_mask(n.ver)) != 0) return errc::reserved_nonzero;
    return p;
  }
  /// Errors: unsupported, invalid_field, out_of_range (a field > 0xFFFF), buffer_too_small.
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (!is_valid(summary) || (session_policy & ~session_policy_mask(n.ver)) != 0)
      return errc::invalid_field;
    if (!detail::fits_u16(psk_hint) || !detail::fits_u16(requester_context) || !detail::fits_u16(opaque_data))
      return errc::out_of_range;
    PMCI_TRY(detail::begin(w, message_code, n, static_cast<std::uint8_t>(summary), session_policy));
    w.u16le(req_session_id).u16le(static_cast<std::uint16_t>(psk_hint.size()));
    w.u16le(static_cast<std::uint16_t>(requester_context.size())).u16le(static_cast<std::uint16_t>(opaque_data.size()));
    w.bytes(psk_hint).bytes(requester_context).bytes(opaque_data);
    return detail::done(w);
  }
};

struct psk_exchange_rsp {
  static constexpr code message_code = code::psk_exchange_rsp;
  std::uint8_t heartbeat_period = 0;      ///< Param1
  std::uint16_t rsp_session_id = 0;
  bytes_view measurement_summary_hash{};  ///< 0 or H
  bytes_view responder_context{};
  bytes_view opaque_data{};
  bytes_view responder_verify_data{};     ///< H

  /// ctx.request is the PSK_EXCHANGE header this answers (its Param1 decides the summary hash).
  /// Errors: truncated, trailing_data, version_mismatch, unsupported (version < 1.1),
  /// invalid_state (no hash negotiated),
  /// reserved_nonzero (Param2, Reserved(2)).
  static constexpr result<psk_exchange_rsp> decode(bytes_view m, const negotiated& n,
                                                   const response_context& ctx) noexcept {
    if (ctx.request.request_response_code != code::psk_exchange) return decode_with(m, n, -1);
    return decode_with(m, n, ctx.request.param1 != 0 ? 1 : 0);
  }
  /// Summary-hash presence from the length fields (exact): any bytes beyond the no-hash size are
  /// taken as the hash, so a remainder short of H is errc::truncated, one beyond it trailing_data.
  static constexpr result<psk_exchange_rsp> decode(bytes_view m, const negotiated& n) noexcept {
    return decode_with(m, n, -1);
  }

  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (n.h() == 0) return errc::invalid_state;
    if ((!measurement_summary_hash.empty() && measurement_summary_hash.size() != n.h()) ||
        responder_verify_data.size() != n.h())
      return errc::invalid_field;
    if (!detail::fits_u16(responder_context) || !detail::fits_u16(opaque_data)) return errc::out_of_range;
    PMCI_TRY(detail::begin(w, message_code, n, heartbeat_period, 0));
    w.u16le(rsp_session_id).u16le(0).u16le(static_cast<std::uint16_t>(responder_context.size()));
    w.u16le(static_cast<std::uint16_t>(opaque_data.size())).bytes(measurement_summary_hash);
    w.bytes(responder_context).bytes(opaque_data).bytes(responder_verify_data);
    return detail::done(w);
  }

  /// Also checks the summary hash against the request, when ctx holds a PSK_EXCHANGE.
  constexpr result<void> encode(writer& w, const negotiated& n, const response_context& ctx) const noexcept {
    if (ctx.request.request_response_code == code::psk_exchange &&
        measurement_summary_hash.empty() != (ctx.request.param1 == 0))
      return errc::invalid_field;
    return encode(w, n);
  }

 private:
  // summary: 1 present, 0 absent, -1 infer from the lengths.
  static constexpr result<psk_exchange_rsp> decode_with(bytes_view m, const negotiated& n, int summary) noexcept {
    if (n.h() == 0) return errc::invalid_state;
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    psk_exchange_rsp p;
    p.heartbeat_period = h.param1;
    p.rsp_session_id = r.u16le();
    r.reserved(2);
    const std::size_t context = r.u16le(), opaque = r.u16le();
    if (summary < 0 && r.ok()) {
      const std::size_t fixed = context + opaque + n.h();
      summary = r.remaining() > fixed ? 1 : 0;
    }
    p.measurement_summary_hash = r.bytes(summary == 1 ? n.h() : 0);
    p.responder_context = r.bytes(context);
    p.opaque_data = r.bytes(opaque);
    p.responder_verify_data = r.bytes(n.h());
    PMCI_TRY(detail::finish(r));
    if (h.param2 != 0) return errc::reserved_nonzero;
    return p;
  }
};

struct psk_finish {
  static constexpr code message_code = code::psk_finish;
  bytes_view requester_verify_data{};  ///< H

  /// Errors: truncated, trailing_data, version_mismatch, unsupported, invalid_state (no hash),
  /// reserved_nonzero.
  static constexpr result<psk_finish> decode(bytes_view m, const negotiated& n) noexcept {
    if (n.h() == 0) return errc::invalid_state;
    reader r{m};
    PMCI_TRY(detail::open_reserved(r, message_code, n));
    psk_finish p;
    p.requester_verify_data = r.bytes(n.h());
    PMCI_TRY(detail::finish(r));
    return p;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (n.h() == 0) return errc::invalid_state;
    if (requester_verify_data.size() != n.h()) return errc::invalid_field;
    PMCI_TRY(detail::begin(w, message_code, n));
    w.bytes(requester_verify_data);
    return detail::done(w);
  }
};

using psk_finish_rsp = detail::header_only<code::psk_finish_rsp>;

}  // namespace pmci::spdm
