// SPDX-License-Identifier: Apache-2.0
// MCTP control responder: the endpoint side of the control protocol (DSP0236 §12, mctp.md §4),
// sans-I/O: a whole control request message in, a whole response message (or nothing) out.
//
//   static constexpr auto base_versions = control::version_bytes(control::version_entry::make(1, 3, 3));
//   static constexpr auto ctrl_versions = control::version_bytes(control::version_entry::make(1, 3, 3));
//   static constexpr auto spdm_versions = control::version_bytes(control::version_entry::make(1, 0, 2));
//   static constexpr control::version_support versions[] = {
//       {control::base_spec_type, base_versions}, {0x00, ctrl_versions}, {0x05, spdm_versions}};
//   static constexpr std::byte types[] = {std::byte{0x00}, std::byte{0x05}};
//   control::responder ctrl({.static_eid = 0x1D, .uuid = my_uuid, .message_types = types,
//                            .versions = versions});
//   ...
//   if (msg->type == msg_type::control)
//     if (auto r = ctrl.handle(msg->data, tx); r && *r) send(msg->source, **r);   // TO=0, same tag
//
// Handled: Set Endpoint ID (set / force / reset / set discovered flag), Get Endpoint ID, Get
// Endpoint UUID, Get MCTP Version Support, Get Message Type Support, Get Vendor Defined Message
// Support. Every other command code gets ERROR_UNSUPPORTED_CMD; a request of the wrong length
// gets ERROR_INVALID_LENGTH. Responses (Rq=0) and datagrams (D=1) are never answered (libmctp
// answers only Rq=1, D=0; mctp.md §4.1).
//
// EID state: an endpoint with a static EID starts with it (Get EID reports "static EID, current
// equals static"); a bus owner may still assign another with Set/Force (then "static, current
// differs") and Reset returns to the static EID. An endpoint without a static EID starts with the
// null EID and reports "dynamic" until a bus owner assigns one. Reset on such an endpoint is
// ERROR_INVALID_DATA (there is nothing to reset to); so is Set/Force with a reserved, null or
// broadcast EID (mctp-rs). Set Discovered Flag sets the flag and answers "rejected" with the
// current EID, as mctpd does (no EID was assigned by it). This responder serves one bus: it
// does not arbitrate between several bus owners, so Set and Force behave alike.
//
// Largest response: 3 + 1 + 16 (UUID) or 3 + 2 + 4 x versions; a baseline_mtu-sized buffer
// (64 bytes) holds any response with up to 14 version entries per type.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/mctp/control.hpp"
#include "pmci/mctp/packet.hpp"

namespace pmci::mctp::control {

/// Versions supported for one message type number (Get MCTP Version Support).
struct version_support {
  std::uint8_t type_number = base_spec_type;
  bytes_view entries;  ///< 4-byte entries, e.g. from version_bytes(...)
};

/// What the responder reports. Spans point at the caller's (usually constant) tables; they
/// are not copied and must outlive the responder.
struct responder_config {
  eid static_eid = null_eid;  ///< null_eid: no static EID (bus-owner-assigned only)
  endpoint_kind kind = endpoint_kind::simple;
  std::uint8_t medium_specific = 0;  ///< Get Endpoint ID byte 3 (binding defined)
  bytes_view uuid;                   ///< 16 bytes; empty: Get Endpoint UUID is unsupported
  bytes_view message_types;          ///< Get Message Type Support list
  std::span<const version_support> versions;
  std::span<const vendor_message_set> vendor_sets;
};

class responder {
 public:
  constexpr explicit responder(const responder_config& cfg) noexcept : cfg_(cfg), eid_(cfg.static_eid) {}

  /// Handle one control message (type byte first, as the assembler delivers it) and write the
  /// response message into `out`. Returns:
  ///  - a span of `out` holding the response (send it back with TO=0 and the request's tag);
  ///  - an empty optional when no response is due (a response, or a datagram);
  ///  - errc::truncated / errc::invalid_field when the message is not a control message at all
  ///    (shorter than its 3-byte header, or a type byte other than 0x00): nothing can be said;
  ///  - errc::buffer_too_small when `out` cannot hold the response.
  constexpr result<std::optional<bytes_span>> handle(bytes_view request, bytes_span out) noexcept {
    using answer = result<std::optional<bytes_span>>;
    PMCI_TRY_ASSIGN(const control_message m, control_message::decode(request));
    if (!m.header.request || m.header.datagram) return std::optional<bytes_span>{};
    const std::uint8_t iid = m.header.instance_id;
    const auto reply = [&](const auto& rsp) -> answer {
      PMCI_TRY_ASSIGN(const bytes_span s, encode(out, rsp, iid));
      return std::optional<bytes_span>{s};
    };
    const auto fail = [&](completion cc) -> answer {
      PMCI_TRY_ASSIGN(const bytes_span s, encode_error(out, m.header, cc));
      return std::optional<bytes_span>{s};
    };

    switch (m.header.cmd) {
      case command::set_endpoint_id: {
        const auto q = decode_data<set_endpoint_id_request>(m.data);
        if (!q) return fail(completion::error_invalid_length);
        auto assignment = eid_assignment::accepted;
        switch (q->operation) {
          case set_eid_operation::set:
          case set_eid_operation::force:
            if (!is_assignable(q->id)) return fail(completion::error_invalid_data);
            eid_ = q->id;
            assigned_ = true;
            discovered_ = true;
            break;
          case set_eid_operation::reset:
            if (cfg_.static_eid == null_eid) return fail(completion::error_invalid_data);
            eid_ = cfg_.static_eid;
            assigned_ = false;
            break;
          default:  // set_discovered
            discovered_ = true;
            assignment = eid_assignment::rejected;
            break;
        }
        return reply(set_endpoint_id_response{completion::success, assignment, eid_pool_status::no_pool, eid_, 0});
      }
      case command::get_endpoint_id:
        if (!m.data.empty()) return fail(completion::error_invalid_length);
        return reply(get_endpoint_id_response{completion::success, eid_, cfg_.kind, current_eid_type(), cfg_.medium_specific});
      case command::get_endpoint_uuid: {
        if (cfg_.uuid.size() != 16) return fail(completion::error_unsupported_cmd);
        if (!m.data.empty()) return fail(completion::error_invalid_length);
        get_endpoint_uuid_response rsp;
        for (std::size_t i = 0; i < 16; ++i) rsp.id[i] = cfg_.uuid[i];
        return reply(rsp);
      }
      case command::get_version_support: {
        const auto q = decode_data<get_version_support_request>(m.data);
        if (!q) return fail(completion::error_invalid_length);
        for (const auto& v : cfg_.versions)
          if (v.type_number == q->type_number) return reply(get_version_support_response{completion::success, v.entries});
        return fail(completion::message_type_not_supported);
      }
      case command::get_message_type_support:
        if (!m.data.empty()) return fail(completion::error_invalid_length);
        return reply(get_message_type_support_response{completion::success, cfg_.message_types});
      case command::get_vendor_message_support: {
        const auto q = decode_data<get_vendor_message_support_request>(m.data);
        if (!q) return fail(completion::error_invalid_length);
        const std::size_t n = cfg_.vendor_sets.size();
        if (q->selector >= n) return fail(completion::error_invalid_data);  // mctpd behaviour
        const auto next = q->selector + 1u < n ? static_cast<std::uint8_t>(q->selector + 1u)
                                               : get_vendor_message_support_response::no_more;
        return reply(get_vendor_message_support_response{completion::success, next, true, cfg_.vendor_sets[q->selector]});
      }
      default:
        return fail(completion::error_unsupported_cmd);
    }
  }

  /// The EID in use (null_eid while a dynamic-only endpoint waits for assignment).
  [[nodiscard]] constexpr eid current_eid() const noexcept { return eid_; }
  [[nodiscard]] constexpr bool has_eid() const noexcept { return eid_ != null_eid; }
  /// True once a bus owner set the EID (Set/Force), false after Reset.
  [[nodiscard]] constexpr bool assigned_by_bus_owner() const noexcept { return assigned_; }
  /// The discovered flag (set by Set EID / Set Discovered Flag).
  [[nodiscard]] constexpr bool discovered() const noexcept { return discovered_; }
  /// What Get Endpoint ID reports in its EID-type field.
  [[nodiscard]] constexpr eid_type current_eid_type() const noexcept {
    if (cfg_.static_eid == null_eid) return eid_type::dynamic;
    return eid_ == cfg_.static_eid ? eid_type::static_current : eid_type::static_different;
  }
  [[nodiscard]] constexpr const responder_config& config() const noexcept { return cfg_; }

 private:
  responder_config cfg_;
  eid eid_;
  bool assigned_ = false;
  bool discovered_ = false;
};

}  // namespace pmci::mctp::control

namespace pmci::mctp {
/// The control responder under the name the issue uses.
using control_responder = control::responder;
}  // namespace pmci::mctp
