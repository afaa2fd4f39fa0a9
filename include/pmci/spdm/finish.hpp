// SPDX-License-Identifier: Apache-2.0
// FINISH (0xE5) / FINISH_RSP (0x65), SPDM 1.1+ (spdm.md §10.3).
//
// FINISH      hdr(P1 bit0 SignatureIncluded, P2 ReqSlotID) | Signature(req S, iff P1 bit0) |
//             RequesterVerifyData(H)
// FINISH_RSP  hdr(reserved) | ResponderVerifyData(H, only when n.handshake_in_the_clear():
//             otherwise the message travels inside the session and carries none)
// (1.4 adds OpaqueData to both; pmci's codecs stop at 1.3.)
#pragma once
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/challenge.hpp"
#include "pmci/spdm/detail/message_codec.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

struct finish {
  static constexpr code message_code = code::finish;
  bool signature_included = false;       ///< Param1 bit 0 (mutual authentication)
  std::uint8_t req_slot_id = 0;          ///< Param2: 0-7 or 0xFF; reserved (0) without signature
  bytes_view signature{};                ///< n.req_s() bytes when signature_included
  bytes_view requester_verify_data{};    ///< H

  /// Errors: truncated, trailing_data, version_mismatch, unsupported (version < 1.1),
  /// invalid_state (no hash negotiated, or a signature without a requester asym algorithm), reserved_nonzero (Param1
  /// bits 7:1, Param2 without signature), invalid_field (ReqSlotID 8-0xFE).
  static constexpr result<finish> decode(bytes_view m, const negotiated& n) noexcept {
    if (n.h() == 0) return errc::invalid_state;
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    finish f;
    f.signature_included = (h.param1 & 0x01) != 0;
    f.req_slot_id = h.param2;
    if (f.signature_included && n.req_s() == 0) return errc::invalid_state;
    f.signature = r.bytes(f.signature_included ? n.req_s() : 0);
    f.requester_verify_data = r.bytes(n.h());
    PMCI_TRY(detail::finish(r));
    if ((h.param1 & 0xFE) != 0 || (!f.signature_included && h.param2 != 0)) return errc::reserved_nonzero;
    if (f.signature_included && !valid_slot(h.param2)) return errc::invalid_field;
    return f;
  }

  /// Errors: unsupported, invalid_state, invalid_field (sizes, slot), buffer_too_small.
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (n.h() == 0 || (signature_included && n.req_s() == 0)) return errc::invalid_state;
    if (signature.size() != (signature_included ? n.req_s() : 0) || requester_verify_data.size() != n.h() ||
        (signature_included ? !valid_slot(req_slot_id) : req_slot_id != 0))
      return errc::invalid_field;
    PMCI_TRY(detail::begin(w, message_code, n, signature_included ? 1 : 0, req_slot_id));
    w.bytes(signature).bytes(requester_verify_data);
    return detail::done(w);
  }
};

struct finish_rsp {
  static constexpr code message_code = code::finish_rsp;
  bytes_view responder_verify_data{};  ///< H in the clear, else empty

  static constexpr std::size_t verify_size(const negotiated& n) noexcept { return n.handshake_in_the_clear() ? n.h() : 0; }

  /// Errors: truncated, trailing_data, version_mismatch, unsupported (version < 1.1),
  /// invalid_state (no hash negotiated),
  /// reserved_nonzero (params).
  static constexpr result<finish_rsp> decode(bytes_view m, const negotiated& n) noexcept {
    if (n.h() == 0) return errc::invalid_state;
    reader r{m};
    PMCI_TRY(detail::open_reserved(r, message_code, n));
    finish_rsp f;
    f.responder_verify_data = r.bytes(verify_size(n));
    PMCI_TRY(detail::finish(r));
    return f;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (n.h() == 0) return errc::invalid_state;
    if (responder_verify_data.size() != verify_size(n)) return errc::invalid_field;
    PMCI_TRY(detail::begin(w, message_code, n));
    w.bytes(responder_verify_data);
    return detail::done(w);
  }
};

}  // namespace pmci::spdm
