// SPDX-License-Identifier: Apache-2.0
// Encapsulated requests (the responder asks the requester; mutual authentication), SPDM 1.1+
// (spdm.md §10.6):
//
// GET_ENCAPSULATED_REQUEST (0xEA)       hdr(reserved)
// ENCAPSULATED_REQUEST (0x6A)           hdr(P1 RequestID, P2 reserved) | SPDM request
// DELIVER_ENCAPSULATED_RESPONSE (0xEB)  hdr(P1 RequestID, P2 reserved) | SPDM response
// ENCAPSULATED_RESPONSE_ACK (0x6B)      hdr(P1 RequestID, P2 PayloadType) |
//                                       [1.2+: AckRequestID(1) | Reserved(3)] | payload:
//     PayloadType 0 absent: nothing; 1 present: the next SPDM request;
//     2 ReqSlotNumber: ReqSlotID(1), 0-7 (the libspdm requester reads exactly this byte and
//     rejects >= 8; spdm.md lists the type-2 layout as UNCONFIRMED).
//
// The inner message is a span; decode checks that it is at least an SPDM header and that its
// code is a request (bit 7 set) or a response, as its position demands (errc::invalid_field).
// Decode it with the message's own codec (or the dispatcher).
#pragma once
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/detail/message_codec.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

using get_encapsulated_request = detail::header_only<code::get_encapsulated_request>;

namespace detail {
/// Check that `inner` is an SPDM request (want_request) or response header.
constexpr result<void> check_inner(bytes_view inner, bool want_request) noexcept {
  if (inner.size() < header::size) return errc::truncated;
  if (is_request(static_cast<code>(std::to_integer<std::uint8_t>(inner[1]))) != want_request) return errc::invalid_field;
  return ok();
}

/// ENCAPSULATED_REQUEST and DELIVER_ENCAPSULATED_RESPONSE share their layout.
template <code C, bool InnerIsRequest>
struct encapsulated_carrier {
  static constexpr code message_code = C;
  std::uint8_t request_id = 0;  ///< Param1
  bytes_view message{};         ///< the encapsulated SPDM request / response

  /// Errors: truncated (inner shorter than a header), version_mismatch, unsupported,
  /// reserved_nonzero (Param2), invalid_field (inner request/response kind).
  static constexpr result<encapsulated_carrier> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, open(r, C, n));
    encapsulated_carrier e;
    e.request_id = h.param1;
    e.message = r.rest();
    PMCI_TRY(check_inner(e.message, InnerIsRequest));
    if (h.param2 != 0) return errc::reserved_nonzero;
    return e;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    PMCI_TRY(check_inner(message, InnerIsRequest));
    PMCI_TRY(begin(w, C, n, request_id, 0));
    w.bytes(message);
    return done(w);
  }
};
}  // namespace detail

using encapsulated_request = detail::encapsulated_carrier<code::encapsulated_request, true>;
using deliver_encapsulated_response = detail::encapsulated_carrier<code::deliver_encapsulated_response, false>;

enum class encap_payload_type : std::uint8_t { absent = 0, present = 1, req_slot_number = 2 };

struct encapsulated_response_ack {
  static constexpr code message_code = code::encapsulated_response_ack;
  std::uint8_t request_id = 0;                               ///< Param1
  encap_payload_type payload_type = encap_payload_type::absent;  ///< Param2
  std::uint8_t ack_request_id = 0;                           ///< 1.2+: RequestID being acknowledged
  bytes_view request{};                                      ///< payload type 1
  std::uint8_t req_slot_id = 0;                              ///< payload type 2

  /// Size of the fixed part at a version (4, or 8 from 1.2).
  static constexpr std::size_t fixed_size(version v) noexcept { return v >= v1_2 ? 8 : 4; }

  /// Errors: truncated, trailing_data (bytes after a type 0/2 payload), version_mismatch,
  /// unsupported, invalid_field (PayloadType > 2, ReqSlotID >= 8, inner not a request),
  /// reserved_nonzero (Reserved(3)).
  static constexpr result<encapsulated_response_ack> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    encapsulated_response_ack a;
    a.request_id = h.param1;
    a.payload_type = static_cast<encap_payload_type>(h.param2);
    if (n.ver >= v1_2) {
      a.ack_request_id = r.u8();
      r.reserved(3);
    }
    switch (a.payload_type) {
      case encap_payload_type::absent:
        break;
      case encap_payload_type::present:
        PMCI_TRY(r.status());
        a.request = r.rest();
        PMCI_TRY(detail::check_inner(a.request, true));
        break;
      case encap_payload_type::req_slot_number:
        a.req_slot_id = r.u8();
        break;
      default:
        PMCI_TRY(r.status());
        return errc::invalid_field;
    }
    PMCI_TRY(detail::finish(r));
    if (a.req_slot_id >= 8) return errc::invalid_field;
    return a;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    const auto type = static_cast<std::uint8_t>(payload_type);
    if (type > 2 || (payload_type == encap_payload_type::req_slot_number && req_slot_id >= 8) ||
        (payload_type != encap_payload_type::present && !request.empty()) ||
        (payload_type != encap_payload_type::req_slot_number && req_slot_id != 0) ||
        (n.ver < v1_2 && ack_request_id != 0))
      return errc::invalid_field;
    if (payload_type == encap_payload_type::present) PMCI_TRY(detail::check_inner(request, true));
    PMCI_TRY(detail::begin(w, message_code, n, request_id, type));
    if (n.ver >= v1_2) w.u8(ack_request_id).zeros(3);
    if (payload_type == encap_payload_type::present) w.bytes(request);
    if (payload_type == encap_payload_type::req_slot_number) w.u8(req_slot_id);
    return detail::done(w);
  }
};

}  // namespace pmci::spdm
