// SPDX-License-Identifier: Apache-2.0
// In-session control messages, SPDM 1.1+ (spdm.md §10.5; semantics in secured.md §4):
//
// HEARTBEAT (0xE8) / HEARTBEAT_ACK (0x68)   hdr(reserved)
// KEY_UPDATE (0xE9) / KEY_UPDATE_ACK (0x69) hdr(P1 KeyOperation 1/2/3, P2 Tag); the ACK echoes both
// END_SESSION (0xEC)                        hdr(P1 bit0 NegotiatedStateClearing, P2 reserved)
// END_SESSION_ACK (0x6C)                    hdr(reserved)
#pragma once
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/detail/message_codec.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

using heartbeat = detail::header_only<code::heartbeat>;
using heartbeat_ack = detail::header_only<code::heartbeat_ack>;
using end_session_ack = detail::header_only<code::end_session_ack>;

enum class key_operation : std::uint8_t { update_key = 1, update_all_keys = 2, verify_new_key = 3 };

constexpr const char* name(key_operation op) noexcept {
  switch (op) {
    case key_operation::update_key: return "UpdateKey";
    case key_operation::update_all_keys: return "UpdateAllKeys";
    case key_operation::verify_new_key: return "VerifyNewKey";
  }
  return "Reserved";
}

namespace detail {
/// KEY_UPDATE and KEY_UPDATE_ACK share their layout.
template <code C>
struct key_update_message {
  static constexpr code message_code = C;
  key_operation operation = key_operation::update_key;  ///< Param1
  std::uint8_t tag = 0;                                 ///< Param2, echoed by the ACK

  /// Errors: truncated, trailing_data, version_mismatch, unsupported, invalid_field
  /// (KeyOperation not 1-3).
  static constexpr result<key_update_message> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, open(r, C, n));
    PMCI_TRY(finish(r));
    if (h.param1 < 1 || h.param1 > 3) return errc::invalid_field;
    return key_update_message{static_cast<key_operation>(h.param1), h.param2};
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    const auto op = static_cast<std::uint8_t>(operation);
    if (op < 1 || op > 3) return errc::invalid_field;
    PMCI_TRY(begin(w, C, n, op, tag));
    return done(w);
  }
};
}  // namespace detail

using key_update = detail::key_update_message<code::key_update>;
using key_update_ack = detail::key_update_message<code::key_update_ack>;

struct end_session {
  static constexpr code message_code = code::end_session;
  /// Param1 bit 0: the responder shall clear the negotiated state it cached (CACHE_CAP).
  bool negotiated_state_clearing = false;

  /// Errors: truncated, trailing_data, version_mismatch, unsupported, reserved_nonzero
  /// (Param1 bits 7:1, Param2).
  static constexpr result<end_session> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    PMCI_TRY(detail::finish(r));
    if ((h.param1 & 0xFE) != 0 || h.param2 != 0) return errc::reserved_nonzero;
    return end_session{(h.param1 & 0x01) != 0};
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    PMCI_TRY(detail::begin(w, message_code, n, negotiated_state_clearing ? 1 : 0, 0));
    return detail::done(w);
  }
};

}  // namespace pmci::spdm
