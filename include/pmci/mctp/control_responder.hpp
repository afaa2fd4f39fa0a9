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
#include <array>
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
  bytes_view entries{};  ///< 4-byte entries, e.g. from version_bytes(...)
};

/// What the responder reports. Spans point at the caller's (usually constant) tables; they
/// are not copied and must outlive the responder.
struct responder_config {
  eid static_eid = null_eid;  ///< null_eid: no static EID (bus-owner-assigned only)
  endpoint_kind kind = endpoint_kind::simple;
  std::uint8_t medium_specific = 0;  ///< Get Endpoint ID byte 3 (binding defined)
  bytes_view uuid{};                   ///< 16 bytes; empty: Get Endpoint UUID is unsupported
  bytes_view message_types{};          ///< Get Message Type Support list
  std::span<const version_support> versions{};
  std::span<const vendor_message_set> vendor_sets{};
};

/// The responder's state (the EID and the discovered flag) without its configuration: the
/// configuration is passed to every call (its static EID must be the same on every call: an
/// assigned EID is stored relative to it). Its initial state is all zero bytes whatever the
/// configuration (the current EID is stored only once a bus owner assigns one), so an object
/// that embeds it (mctp::endpoint) can be a zero-initialised static in .bss.
class responder_state {
 public:
  constexpr responder_state() noexcept = default;

  /// Handle one control message (type byte first, as the assembler delivers it) and write the
  /// response message into `out`. Returns:
  ///  - a span of `out` holding the response (send it back with TO=0 and the request's tag);
  ///  - an empty optional when no response is due (a response, or a datagram);
  ///  - errc::truncated / errc::invalid_field when the message is not a control message at all
  ///    (shorter than its 3-byte header, or a type byte other than 0x00): nothing can be said;
  ///  - errc::buffer_too_small when `out` cannot hold the response.
  constexpr result<std::optional<bytes_span>> handle(const responder_config& cfg, bytes_view request,
                                                     bytes_span out) noexcept {
    return handle_with(cfg, request, out);
  }
  /// The same, with the configuration given as a template argument: an object with static
  /// storage duration, such as an endpoint Cfg's `control_config` (mctp::endpoint calls this
  /// one). When that object is constexpr the compiler folds what it says (no vendor sets, no
  /// static EID, one version entry, ...) and leaves out the code that would serve the rest.
  template <const responder_config& Cfg>
  constexpr result<std::optional<bytes_span>> handle(bytes_view request, bytes_span out) noexcept {
    return handle_with(Cfg, request, out);
  }

  /// The lean form mctp::endpoint uses (a length in a register instead of a
  /// result<optional<span>> in memory): the response's length (it starts at out[0]), 0 when no
  /// response is due, or -errc (negative) for the errors handle() returns. Same bytes as handle().
  template <const responder_config& Cfg>
  PMCI_MCTP_INLINE constexpr std::ptrdiff_t respond(const std::byte* request, std::size_t size, std::byte* out,
                                                    std::size_t capacity) noexcept {
    return respond_with(Cfg, request, size, out, capacity);
  }

  /// The EID in use: the one a bus owner assigned, else the static EID (null_eid while a
  /// dynamic-only endpoint waits for assignment).
  [[nodiscard]] constexpr eid current_eid(const responder_config& cfg) const noexcept {
    // eid_ holds the bus owner's EID XOR the static EID (0 before assignment and after Reset,
    // so the current EID is then the static one): one EOR instead of a test and a select, and
    // nothing at all when the configuration has no static EID.
    return static_cast<eid>(eid_ ^ cfg.static_eid);
  }
  /// True once a bus owner set the EID (Set/Force), false after Reset.
  [[nodiscard]] constexpr bool assigned_by_bus_owner() const noexcept { return assigned_; }
  /// The discovered flag (set by Set EID / Set Discovered Flag).
  [[nodiscard]] constexpr bool discovered() const noexcept { return discovered_; }
  /// What Get Endpoint ID reports in its EID-type field.
  [[nodiscard]] constexpr eid_type current_eid_type(const responder_config& cfg) const noexcept {
    if (cfg.static_eid == null_eid) return eid_type::dynamic;
    return current_eid(cfg) == cfg.static_eid ? eid_type::static_current : eid_type::static_different;
  }

 private:
  // Both handle() forms: inlined into each, so that the template form sees a constant
  // configuration (only one form is normally used in a firmware image).
  PMCI_MCTP_INLINE constexpr result<std::optional<bytes_span>> handle_with(const responder_config& cfg,
                                                                           bytes_view request,
                                                                           bytes_span out) noexcept {
    const std::ptrdiff_t n = respond_with(cfg, request.data(), request.size(), out.data(), out.size());
    if (n < 0) return static_cast<errc>(-n);
    if (n == 0) return std::optional<bytes_span>{};
    return std::optional<bytes_span>{out.first(static_cast<std::size_t>(n))};
  }

  // The responder proper: see respond(). A response is at least 4 bytes (header + completion
  // code), so 0 never stands for one.
  static constexpr std::ptrdiff_t fail_with(errc e) noexcept { return -static_cast<std::ptrdiff_t>(e); }
  PMCI_MCTP_INLINE constexpr std::ptrdiff_t respond_with(const responder_config& cfg, const std::byte* request,
                                                         std::size_t size, std::byte* out,
                                                         std::size_t capacity) noexcept {
    // control_header::decode() (mctp.md §4.1), on the pointer: not a control message at all.
    if (size < control_header::size) return fail_with(errc::truncated);
    if (request[0] != std::byte{0x00}) return fail_with(errc::invalid_field);
    const auto b1 = std::to_integer<std::uint8_t>(request[1]);
    if ((b1 & 0xC0) != 0x80) return 0;  // Rq = 0 (a response) or D = 1 (a datagram): no answer
    const auto cmd = static_cast<command>(std::to_integer<std::uint8_t>(request[2]));
    reply r;  // fixed[] is not zero-filled: only the r.n bytes answer() wrote are read
    answer(cfg, cmd, request + control_header::size, size - control_header::size, r);
    // An error response is the completion code alone (mctp.md §4.2): answer() calls fail()
    // only before it has put anything in r, so r.n is 0 and r.tail empty then.
    const std::size_t len = control_header::size + 1 + r.n + r.tail.size();
    if (capacity < len) return fail_with(errc::buffer_too_small);
    // Written byte by byte rather than through encode<M>: the responder stays one small
    // function in flash instead of one encoder instantiation per response type. The bytes are
    // the codecs' (tests/mctp/control_responder_test.cpp decodes every answer with them).
    out[0] = std::byte{0x00};                                 // type: control, IC = 0
    out[1] = std::byte{static_cast<std::uint8_t>(b1 & 0x1F)};  // Rq = 0, D = 0, same instance ID
    out[2] = std::byte{static_cast<std::uint8_t>(cmd)};
    out[3] = std::byte{static_cast<std::uint8_t>(r.cc)};
    mctp::detail::copy_bytes(out + 4, r.fixed.data(), r.n);
    mctp::detail::copy_bytes(out + 4 + r.n, r.tail.data(), r.tail.size());
    return static_cast<std::ptrdiff_t>(len);
  }

  // A response's data after the completion code: up to 8 fixed bytes, then a span from the
  // configuration (UUID, version entries, message types).
  struct reply {
    completion cc = completion::success;
    std::uint8_t n = 0;
    std::array<std::byte, 8> fixed;  // no initializer: a zero fill would cost a memset call
    bytes_view tail{};
    constexpr void put(std::uint8_t b) noexcept { fixed[n++] = std::byte{b}; }
  };

  // Request data bytes (after the command code) of the handled commands 0x01..0x06, in
  // command order (DSP0236 Table 12; mctp.md §4): one table lookup instead of a length check
  // per command.
  static constexpr std::uint8_t request_length[] = {2, 0, 0, 1, 0, 1};

  // The request's data as pointer + length: GCC passes a span argument of an out-of-line call
  // through the stack.
  PMCI_MCTP_INLINE constexpr void answer(const responder_config& cfg, command cmd, const std::byte* d,
                                         std::size_t len, reply& r) noexcept {
    const auto code = static_cast<std::uint8_t>(cmd);
    if (code == 0 || code > sizeof(request_length)) return fail(r, completion::error_unsupported_cmd);
    // Without a UUID the command is unsupported, whatever its length.
    if (cmd == command::get_endpoint_uuid && cfg.uuid.size() != 16) return fail(r, completion::error_unsupported_cmd);
    if (len != request_length[code - 1]) return fail(r, completion::error_invalid_length);
    const std::uint8_t d0 = len ? std::to_integer<std::uint8_t>(d[0]) : 0;
    switch (cmd) {
      case command::set_endpoint_id: {
        const eid id = std::to_integer<std::uint8_t>(d[1]);
        std::uint8_t status = 0;  // assignment accepted (bits 5:4 = 00), no EID pool (bits 1:0 = 00)
        switch (static_cast<set_eid_operation>(d0 & 0x03)) {  // bits 7:2 reserved
          case set_eid_operation::set:
          case set_eid_operation::force:
            if (!is_assignable(id)) return fail(r, completion::error_invalid_data);
            eid_ = static_cast<eid>(id ^ cfg.static_eid);
            assigned_ = true;
            discovered_ = true;
            break;
          case set_eid_operation::reset:
            if (cfg.static_eid == null_eid) return fail(r, completion::error_invalid_data);
            assigned_ = false;  // back to the static EID
            eid_ = null_eid;
            break;
          default:  // set discovered flag: no EID assigned by this operation
            discovered_ = true;
            status = static_cast<std::uint8_t>(eid_assignment::rejected) << 4;
            break;
        }
        r.put(status);
        r.put(current_eid(cfg));
        r.put(0);  // EID pool size
        return;
      }
      case command::get_endpoint_id:
        r.put(current_eid(cfg));
        r.put(static_cast<std::uint8_t>((static_cast<std::uint8_t>(cfg.kind) << 4) |
                                        static_cast<std::uint8_t>(current_eid_type(cfg))));
        r.put(cfg.medium_specific);
        return;
      case command::get_endpoint_uuid:
        r.tail = bytes_view(cfg.uuid.data(), 16);  // its size was checked above
        return;
      case command::get_version_support:
        for (const auto& v : cfg.versions)
          if (v.type_number == d0) return list(r, v.entries.data(), v.entries.size(), version_entry::size);
        return fail(r, completion::message_type_not_supported);
      case command::get_message_type_support:
        return list(r, cfg.message_types.data(), cfg.message_types.size(), 1);
      default: {  // command::get_vendor_message_support
        const std::size_t count = cfg.vendor_sets.size();
        if (d0 >= count) return fail(r, completion::error_invalid_data);  // mctpd behaviour
        const vendor_message_set& v = cfg.vendor_sets[d0];
        r.put(d0 + 1u < count ? static_cast<std::uint8_t>(d0 + 1) : get_vendor_message_support_response::no_more);
        r.put(static_cast<std::uint8_t>(v.format));
        if (v.format == vendor_id_format::iana) {
          r.put(static_cast<std::uint8_t>(v.vendor_id >> 24));
          r.put(static_cast<std::uint8_t>(v.vendor_id >> 16));
        }
        r.put(static_cast<std::uint8_t>(v.vendor_id >> 8));  // big-endian (mctp.md §4.1)
        r.put(static_cast<std::uint8_t>(v.vendor_id));
        r.put(static_cast<std::uint8_t>(v.command_set >> 8));
        r.put(static_cast<std::uint8_t>(v.command_set));
        return;
      }
    }
  }
  static constexpr void fail(reply& r, completion cc) noexcept { r.cc = cc; }
  // Count byte + a list of `unit`-byte items (at most 255 items are announced and sent).
  // The list as pointer + size, each read on its own from the configuration: a constant
  // configuration then folds to two constants (a span copied whole is loaded from the
  // configuration object, which then has to be in flash).
  static constexpr void list(reply& r, const std::byte* items, std::size_t size, std::size_t unit) noexcept {
    std::size_t count = size / unit;
    if (count > 0xFF) count = 0xFF;
    r.put(static_cast<std::uint8_t>(count));
    r.tail = bytes_view(items, count * unit);
  }

  eid eid_ = null_eid;  // the bus owner's assignment XOR cfg.static_eid while assigned_, else 0
  bool assigned_ = false;
  bool discovered_ = false;
};

/// A control responder that keeps its configuration (by value; the spans in it are not
/// copied and must outlive the responder). mctp::endpoint uses responder_state instead and
/// reads the configuration from its Cfg type.
class responder {
 public:
  constexpr explicit responder(const responder_config& cfg) noexcept : cfg_(cfg) {}

  /// See responder_state::handle().
  constexpr result<std::optional<bytes_span>> handle(bytes_view request, bytes_span out) noexcept {
    return state_.handle(cfg_, request, out);
  }

  /// The EID in use (null_eid while a dynamic-only endpoint waits for assignment).
  [[nodiscard]] constexpr eid current_eid() const noexcept { return state_.current_eid(cfg_); }
  [[nodiscard]] constexpr bool has_eid() const noexcept { return current_eid() != null_eid; }
  /// True once a bus owner set the EID (Set/Force), false after Reset.
  [[nodiscard]] constexpr bool assigned_by_bus_owner() const noexcept { return state_.assigned_by_bus_owner(); }
  /// The discovered flag (set by Set EID / Set Discovered Flag).
  [[nodiscard]] constexpr bool discovered() const noexcept { return state_.discovered(); }
  /// What Get Endpoint ID reports in its EID-type field.
  [[nodiscard]] constexpr eid_type current_eid_type() const noexcept { return state_.current_eid_type(cfg_); }
  [[nodiscard]] constexpr const responder_config& config() const noexcept { return cfg_; }
  [[nodiscard]] constexpr const responder_state& state() const noexcept { return state_; }

 private:
  responder_config cfg_;
  responder_state state_{};
};

}  // namespace pmci::mctp::control

namespace pmci::mctp {
/// The control responder under the name the issue uses.
using control_responder = control::responder;
}  // namespace pmci::mctp
