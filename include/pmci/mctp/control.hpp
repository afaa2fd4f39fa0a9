// SPDX-License-Identifier: Apache-2.0
// MCTP control messages (message type 0x00; DSP0236 §12, mctp.md §4): header, command and
// completion codes, and a codec (view + builder) for the request and response of every command.
//
// A control message, as the assembler delivers it (type byte first):
//
//   byte 0      byte 1                     byte 2    byte 3 (responses)  then
//   +--------+  +----+---+----+---------+  +-------+ +-----------------+ +-----------------+
//   |IC=0|00h|  | Rq | D | rsvd| inst ID |  |command| | completion code | | command data    |
//   +--------+  | 7  | 6 | 5  |  4:0     |  +-------+ +-----------------+ +-----------------+
//
// Multi-byte numbers in control data are big-endian (mctp.md §4.1).
//
// Usage:
//   std::array<std::byte, 16> buf;
//   auto req = pmci::mctp::control::encode(buf, get_endpoint_id_request{}, /*instance*/ 1);
//   ...
//   auto rsp = pmci::mctp::control::decode<get_endpoint_id_response>(assembled.data);
//   if (rsp && rsp->cc == completion::success) use(rsp->id);
//
// Every message struct M has `static constexpr command code`, `static constexpr bool
// is_response`, and (responses) a completion code `cc`. An error response (cc != success) is
// the completion code alone: encode() writes only cc, decode() ignores what follows it.
// Variable-length parts are spans into the decoded input (views, no copies).
//
// Layout confidence: commands 0x01-0x0F follow mctp.md §4.4 (libmctp, mctpd, Caliptra, edk2).
// For Routing Information Update (0x09), Resolve UUID (0x10) and the rate-limit / interface
// commands (0x11-0x14) the fact sheet could not confirm the field layout, so their variable or
// unconfirmed parts are carried as opaque big-endian byte views (`data`) rather than guessed
// fields; the header, completion code and the confirmed leading fields are decoded.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/core/assert.hpp"
#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/mctp/packet.hpp"

namespace pmci::mctp::control {

/// Command codes (DSP0236 Table 12, mctp.md §4.3). 0xF0-0xFF are transport-binding specific.
enum class command : std::uint8_t {
  reserved = 0x00,
  set_endpoint_id = 0x01,
  get_endpoint_id = 0x02,
  get_endpoint_uuid = 0x03,
  get_version_support = 0x04,
  get_message_type_support = 0x05,
  get_vendor_message_support = 0x06,
  resolve_endpoint_id = 0x07,
  allocate_endpoint_ids = 0x08,
  routing_information_update = 0x09,
  get_routing_table_entries = 0x0A,
  prepare_endpoint_discovery = 0x0B,
  endpoint_discovery = 0x0C,
  discovery_notify = 0x0D,
  get_network_id = 0x0E,
  query_hop = 0x0F,
  resolve_uuid = 0x10,
  query_rate_limit = 0x11,
  request_tx_rate_limit = 0x12,
  update_rate_limit = 0x13,
  query_supported_interfaces = 0x14,
};
inline constexpr std::uint8_t first_binding_command = 0xF0;  ///< 0xF0..0xFF: binding specific

/// Completion codes (DSP0236 Table 13, mctp.md §4.2). 0x80-0xFF are command specific.
enum class completion : std::uint8_t {
  success = 0x00,
  error = 0x01,
  error_invalid_data = 0x02,
  error_invalid_length = 0x03,
  error_not_ready = 0x04,
  error_unsupported_cmd = 0x05,
  /// Get MCTP Version Support: message type number not supported (mctp.md §4.4).
  message_type_not_supported = 0x80,
};

namespace detail {
constexpr result<void> status(const writer& w) noexcept { return w.ok() ? result<void>{} : result<void>{w.error()}; }
constexpr std::uint8_t bits(std::uint8_t v, int shift, std::uint8_t mask) noexcept {
  return static_cast<std::uint8_t>((v >> shift) & mask);
}
/// Write a list length byte: invalid_field when the list is longer than 255 items.
constexpr void count_byte(writer& w, std::size_t n) noexcept {
  if (n > 0xFF) w.fail(errc::invalid_field);
  w.u8(static_cast<std::uint8_t>(n));
}
}  // namespace detail

/// The 3 bytes that start every control message: type byte, Rq/D/instance, command.
struct control_header {
  bool request = true;
  bool datagram = false;         ///< D: a request that expects no response
  std::uint8_t instance_id = 0;  ///< 0..31, echoed in the response
  command cmd = command::reserved;

  static constexpr std::size_t size = 3;  // type byte included

  /// From a whole control message. errc::truncated (< 3 bytes); errc::invalid_field when the
  /// type byte is not 0x00 (another message type, or IC set: control messages carry no
  /// integrity check). Byte 1 bit 5 is reserved and ignored.
  static constexpr result<control_header> decode(bytes_view message) noexcept {
    if (message.size() < size) return errc::truncated;
    if (message[0] != std::byte{0x00}) return errc::invalid_field;
    const auto b1 = std::to_integer<std::uint8_t>(message[1]);
    return control_header{(b1 & 0x80) != 0, (b1 & 0x40) != 0, static_cast<std::uint8_t>(b1 & 0x1F),
                          static_cast<command>(std::to_integer<std::uint8_t>(message[2]))};
  }
  /// Append type byte, Rq/D/instance and command. errc::invalid_field for instance_id > 31.
  constexpr result<void> encode(writer& w) const noexcept {
    if (instance_id > 0x1F) w.fail(errc::invalid_field);
    w.u8(0x00).u8(static_cast<std::uint8_t>((request ? 0x80 : 0) | (datagram ? 0x40 : 0) | (instance_id & 0x1F)));
    w.u8(static_cast<std::uint8_t>(cmd));
    return detail::status(w);
  }
  friend constexpr bool operator==(const control_header&, const control_header&) = default;
};

/// A decoded control message: header plus everything after it (for a response, `data` starts
/// with the completion code).
struct control_message {
  control_header header;
  bytes_view data{};

  static constexpr result<control_message> decode(bytes_view message) noexcept {
    PMCI_TRY_ASSIGN(const control_header h, control_header::decode(message));
    return control_message{h, message.subspan(control_header::size)};
  }
  /// Completion code of a response; errc::truncated when the response has none.
  [[nodiscard]] constexpr result<completion> cc() const noexcept {
    if (data.empty()) return errc::truncated;
    return static_cast<completion>(std::to_integer<std::uint8_t>(data[0]));
  }
};

/// Encode an arbitrary control message (e.g. a binding-specific command 0xF0-0xFF): header
/// then `data` verbatim (for a response, data starts with the completion code).
constexpr result<bytes_span> encode_raw(bytes_span out, const control_header& h, bytes_view data) noexcept {
  writer w(out);
  PMCI_TRY(h.encode(w));
  w.bytes(data);
  return w.finish();
}

// ---------------------------------------------------------------------------------------------
// Message bodies. Each has read(reader&) for the fields after the header (and after the
// completion code of a response) and write(writer&) for the same; use encode()/decode() below.
// ---------------------------------------------------------------------------------------------

namespace detail {
template <command C>
struct empty_request {
  static constexpr command code = C;
  static constexpr bool is_response = false;
  constexpr void read(reader&) noexcept {}
  constexpr void write(writer&) const noexcept {}
  friend constexpr bool operator==(const empty_request&, const empty_request&) = default;
};
template <command C>
struct cc_only_response {
  static constexpr command code = C;
  static constexpr bool is_response = true;
  completion cc = completion::success;
  constexpr void read(reader&) noexcept {}
  constexpr void write(writer&) const noexcept {}
  friend constexpr bool operator==(const cc_only_response&, const cc_only_response&) = default;
};
/// A request whose (unconfirmed) layout is carried as opaque bytes.
template <command C>
struct opaque_request {
  static constexpr command code = C;
  static constexpr bool is_response = false;
  bytes_view data{};
  constexpr void read(reader& r) noexcept { data = r.rest(); }
  constexpr void write(writer& w) const noexcept { w.bytes(data); }
};
template <command C>
struct opaque_response {
  static constexpr command code = C;
  static constexpr bool is_response = true;
  completion cc = completion::success;
  bytes_view data{};
  constexpr void read(reader& r) noexcept { data = r.rest(); }
  constexpr void write(writer& w) const noexcept { w.bytes(data); }
};
}  // namespace detail

// --- 0x01 Set Endpoint ID ------------------------------------------------------------------

enum class set_eid_operation : std::uint8_t { set = 0, force = 1, reset = 2, set_discovered = 3 };
enum class eid_assignment : std::uint8_t { accepted = 0, rejected = 1 };
enum class eid_pool_status : std::uint8_t { no_pool = 0, pool_required = 1, pool_received = 2 };

/// Request: [0] operation (bits 1:0), [1] EID.
struct set_endpoint_id_request {
  static constexpr command code = command::set_endpoint_id;
  static constexpr bool is_response = false;
  set_eid_operation operation = set_eid_operation::set;
  eid id = null_eid;
  constexpr void read(reader& r) noexcept {
    operation = static_cast<set_eid_operation>(r.u8() & 0x03);  // bits 7:2 reserved
    id = r.u8();
  }
  constexpr void write(writer& w) const noexcept {
    if (static_cast<std::uint8_t>(operation) > 3) w.fail(errc::invalid_field);
    w.u8(static_cast<std::uint8_t>(operation)).u8(id);
  }
  friend constexpr bool operator==(const set_endpoint_id_request&, const set_endpoint_id_request&) = default;
};
/// Response: CC, status (assignment bits 5:4, pool allocation bits 1:0), EID setting, pool size.
struct set_endpoint_id_response {
  static constexpr command code = command::set_endpoint_id;
  static constexpr bool is_response = true;
  completion cc = completion::success;
  eid_assignment assignment = eid_assignment::accepted;
  eid_pool_status pool = eid_pool_status::no_pool;
  eid id = null_eid;  ///< the EID now in use
  std::uint8_t pool_size = 0;
  constexpr void read(reader& r) noexcept {
    const auto s = r.u8();
    assignment = static_cast<eid_assignment>(detail::bits(s, 4, 3));
    pool = static_cast<eid_pool_status>(detail::bits(s, 0, 3));
    id = r.u8();
    pool_size = r.u8();
  }
  constexpr void write(writer& w) const noexcept {
    if (static_cast<std::uint8_t>(assignment) > 3 || static_cast<std::uint8_t>(pool) > 3) w.fail(errc::invalid_field);
    w.u8(static_cast<std::uint8_t>((static_cast<std::uint8_t>(assignment) << 4) | static_cast<std::uint8_t>(pool)));
    w.u8(id).u8(pool_size);
  }
  friend constexpr bool operator==(const set_endpoint_id_response&, const set_endpoint_id_response&) = default;
};

// --- 0x02 Get Endpoint ID ------------------------------------------------------------------

enum class endpoint_kind : std::uint8_t { simple = 0, bus_owner_or_bridge = 1 };
enum class eid_type : std::uint8_t {
  dynamic = 0,            ///< dynamic EID only
  static_supported = 1,   ///< static EID supported
  static_current = 2,     ///< static EID supported, current EID equals it
  static_different = 3,   ///< static EID supported, current EID differs
};

using get_endpoint_id_request = detail::empty_request<command::get_endpoint_id>;
/// Response: CC, EID, endpoint type (kind bits 5:4, EID type bits 1:0), medium-specific byte.
struct get_endpoint_id_response {
  static constexpr command code = command::get_endpoint_id;
  static constexpr bool is_response = true;
  completion cc = completion::success;
  eid id = null_eid;
  endpoint_kind kind = endpoint_kind::simple;
  eid_type type = eid_type::dynamic;
  std::uint8_t medium_specific = 0;
  constexpr void read(reader& r) noexcept {
    id = r.u8();
    const auto t = r.u8();
    kind = static_cast<endpoint_kind>(detail::bits(t, 4, 3));
    type = static_cast<eid_type>(detail::bits(t, 0, 3));
    medium_specific = r.u8();
  }
  constexpr void write(writer& w) const noexcept {
    if (static_cast<std::uint8_t>(kind) > 3 || static_cast<std::uint8_t>(type) > 3) w.fail(errc::invalid_field);
    w.u8(id).u8(static_cast<std::uint8_t>((static_cast<std::uint8_t>(kind) << 4) | static_cast<std::uint8_t>(type)));
    w.u8(medium_specific);
  }
  friend constexpr bool operator==(const get_endpoint_id_response&, const get_endpoint_id_response&) = default;
};

// --- 0x03 Get Endpoint UUID ----------------------------------------------------------------

using uuid = std::array<std::byte, 16>;

using get_endpoint_uuid_request = detail::empty_request<command::get_endpoint_uuid>;
/// Response: CC + 16-byte UUID, sent in the byte order the endpoint stores it (mctp.md §4.4:
/// ordering rules UNCONFIRMED; pmci does not reorder).
struct get_endpoint_uuid_response {
  static constexpr command code = command::get_endpoint_uuid;
  static constexpr bool is_response = true;
  completion cc = completion::success;
  uuid id{};
  constexpr void read(reader& r) noexcept {
    const auto b = r.bytes(16);
    for (std::size_t i = 0; i < b.size(); ++i) id[i] = b[i];
  }
  constexpr void write(writer& w) const noexcept { w.bytes(id); }
  friend constexpr bool operator==(const get_endpoint_uuid_response&, const get_endpoint_uuid_response&) = default;
};

// --- 0x04 Get MCTP Version Support ---------------------------------------------------------

/// Message type number for the MCTP base specification itself (0x00 = control protocol,
/// other values = that message type's binding spec).
inline constexpr std::uint8_t base_spec_type = 0xFF;

/// One version entry [major, minor, update, alpha] (mctp.md §4.4): 0xF0|digit for single
/// digits, 0xFF for an absent update, alpha 0x00 for none.
struct version_entry {
  std::uint8_t major = 0xF1;
  std::uint8_t minor = 0xF0;
  std::uint8_t update = 0xFF;
  std::uint8_t alpha = 0x00;
  static constexpr std::size_t size = 4;

  /// Field encoding of a number: 0..9 -> 0xF0|n; 10..99 -> packed BCD (multi-digit rule
  /// UNCONFIRMED, mctp.md §4.4); anything else -> 0xFF ("not present").
  static constexpr std::uint8_t field(unsigned n) noexcept {
    if (n < 10) return static_cast<std::uint8_t>(0xF0 | n);
    if (n < 100) return static_cast<std::uint8_t>(((n / 10) << 4) | (n % 10));
    return 0xFF;
  }
  /// make(1, 3, 3) = F1 F3 F3 00; make(1, 0) = F1 F0 FF 00.
  static constexpr version_entry make(unsigned major, unsigned minor, unsigned update = 0x100, std::uint8_t alpha = 0) noexcept {
    return {field(major), field(minor), field(update), alpha};
  }
  static constexpr version_entry read(reader& r) noexcept {
    version_entry v;
    v.major = r.u8();
    v.minor = r.u8();
    v.update = r.u8();
    v.alpha = r.u8();
    return v;
  }
  constexpr void write(writer& w) const noexcept { w.u8(major).u8(minor).u8(update).u8(alpha); }
  friend constexpr bool operator==(const version_entry&, const version_entry&) = default;
};

/// Wire bytes of a list of version entries, for a responder's constant tables:
///   static constexpr auto base = version_bytes(version_entry::make(1, 3, 3));
template <class... V>
constexpr std::array<std::byte, 4 * sizeof...(V)> version_bytes(V... v) noexcept {
  std::array<std::byte, 4 * sizeof...(V)> a{};
  writer w(a);
  (v.write(w), ...);
  return a;
}

/// Request: [0] message type number (base_spec_type, 0x00 control, or a message type).
struct get_version_support_request {
  static constexpr command code = command::get_version_support;
  static constexpr bool is_response = false;
  std::uint8_t type_number = base_spec_type;
  constexpr void read(reader& r) noexcept { type_number = r.u8(); }
  constexpr void write(writer& w) const noexcept { w.u8(type_number); }
  friend constexpr bool operator==(const get_version_support_request&, const get_version_support_request&) = default;
};
/// Response: CC, entry count, count x 4-byte entries (`entries` holds the raw entry bytes).
/// cc = message_type_not_supported (0x80) for an unknown type number.
struct get_version_support_response {
  static constexpr command code = command::get_version_support;
  static constexpr bool is_response = true;
  completion cc = completion::success;
  bytes_view entries{};  ///< 4 bytes per entry

  [[nodiscard]] constexpr std::size_t count() const noexcept { return entries.size() / version_entry::size; }
  /// Entry i (0 <= i < count(); a larger i is a programmer error and trips PMCI_ASSERT).
  [[nodiscard]] constexpr version_entry entry(std::size_t i) const noexcept {
    PMCI_ASSERT(i < count());
    reader r(entries.subspan(i * version_entry::size, version_entry::size));
    return version_entry::read(r);
  }
  constexpr void read(reader& r) noexcept { entries = r.bytes(std::size_t{r.u8()} * version_entry::size); }
  constexpr void write(writer& w) const noexcept {
    if (entries.size() % version_entry::size) w.fail(errc::invalid_field);
    detail::count_byte(w, count());
    w.bytes(entries);
  }
};

// --- 0x05 Get Message Type Support ---------------------------------------------------------

using get_message_type_support_request = detail::empty_request<command::get_message_type_support>;
/// Response: CC, count, count x 1-byte message type numbers (`types`).
struct get_message_type_support_response {
  static constexpr command code = command::get_message_type_support;
  static constexpr bool is_response = true;
  completion cc = completion::success;
  bytes_view types{};
  constexpr void read(reader& r) noexcept { types = r.bytes(r.u8()); }
  constexpr void write(writer& w) const noexcept {
    detail::count_byte(w, types.size());
    w.bytes(types);
  }
};

// --- 0x06 Get Vendor Defined Message Support -----------------------------------------------

enum class vendor_id_format : std::uint8_t { pci = 0x00, iana = 0x01 };

/// One vendor-defined message set: PCI vendor ID (16 bits) or IANA enterprise number (32
/// bits), and a 16-bit command-set type/version, all big-endian on the wire.
struct vendor_message_set {
  vendor_id_format format = vendor_id_format::pci;
  std::uint32_t vendor_id = 0;
  std::uint16_t command_set = 0;
  friend constexpr bool operator==(const vendor_message_set&, const vendor_message_set&) = default;
};

/// Request: [0] vendor ID set selector (0 first).
struct get_vendor_message_support_request {
  static constexpr command code = command::get_vendor_message_support;
  static constexpr bool is_response = false;
  std::uint8_t selector = 0;
  constexpr void read(reader& r) noexcept { selector = r.u8(); }
  constexpr void write(writer& w) const noexcept { w.u8(selector); }
  friend constexpr bool operator==(const get_vendor_message_support_request&,
                                   const get_vendor_message_support_request&) = default;
};
/// Response: CC, next selector (0xFF = none), format, vendor ID (2 or 4 bytes), command set.
/// Some endpoints answer "no vendor sets" with just CC + 0xFF (vectors.md §5, Caliptra):
/// decoded as has_set = false; encoded back the same way. errc::unsupported for a format
/// other than PCI/IANA (its vendor ID length is unknown).
struct get_vendor_message_support_response {
  static constexpr command code = command::get_vendor_message_support;
  static constexpr bool is_response = true;
  static constexpr std::uint8_t no_more = 0xFF;
  completion cc = completion::success;
  std::uint8_t next_selector = no_more;
  bool has_set = true;
  vendor_message_set set{};
  constexpr void read(reader& r) noexcept {
    next_selector = r.u8();
    has_set = !r.empty();
    if (!has_set) return;
    set.format = static_cast<vendor_id_format>(r.u8());
    if (set.format == vendor_id_format::pci) set.vendor_id = r.u16be();
    else if (set.format == vendor_id_format::iana) set.vendor_id = r.u32be();
    else r.fail(errc::unsupported);
    set.command_set = r.u16be();
  }
  constexpr void write(writer& w) const noexcept {
    w.u8(next_selector);
    if (!has_set) return;
    w.u8(static_cast<std::uint8_t>(set.format));
    if (set.format == vendor_id_format::pci) {
      if (set.vendor_id > 0xFFFF) w.fail(errc::invalid_field);
      w.u16be(static_cast<std::uint16_t>(set.vendor_id));
    } else if (set.format == vendor_id_format::iana) {
      w.u32be(set.vendor_id);
    } else {
      w.fail(errc::invalid_field);
    }
    w.u16be(set.command_set);
  }
  friend constexpr bool operator==(const get_vendor_message_support_response&,
                                   const get_vendor_message_support_response&) = default;
};

// --- 0x07 Resolve Endpoint ID --------------------------------------------------------------

struct resolve_endpoint_id_request {
  static constexpr command code = command::resolve_endpoint_id;
  static constexpr bool is_response = false;
  eid target = null_eid;
  constexpr void read(reader& r) noexcept { target = r.u8(); }
  constexpr void write(writer& w) const noexcept { w.u8(target); }
  friend constexpr bool operator==(const resolve_endpoint_id_request&, const resolve_endpoint_id_request&) = default;
};
/// Response: CC, bridge EID, physical address (binding-defined length: the rest).
struct resolve_endpoint_id_response {
  static constexpr command code = command::resolve_endpoint_id;
  static constexpr bool is_response = true;
  completion cc = completion::success;
  eid bridge = null_eid;
  bytes_view physical_address{};
  constexpr void read(reader& r) noexcept {
    bridge = r.u8();
    physical_address = r.rest();
  }
  constexpr void write(writer& w) const noexcept { w.u8(bridge).bytes(physical_address); }
};

// --- 0x08 Allocate Endpoint IDs ------------------------------------------------------------

enum class allocate_operation : std::uint8_t { allocate = 0, force = 1, get_info = 2 };
enum class allocation_status : std::uint8_t { accepted = 0, rejected = 1 };

/// Request: operation (bits 1:0), pool size, starting EID.
struct allocate_endpoint_ids_request {
  static constexpr command code = command::allocate_endpoint_ids;
  static constexpr bool is_response = false;
  allocate_operation operation = allocate_operation::allocate;
  std::uint8_t pool_size = 0;
  eid first = null_eid;
  constexpr void read(reader& r) noexcept {
    operation = static_cast<allocate_operation>(r.u8() & 0x03);
    pool_size = r.u8();
    first = r.u8();
  }
  constexpr void write(writer& w) const noexcept {
    if (static_cast<std::uint8_t>(operation) > 3) w.fail(errc::invalid_field);
    w.u8(static_cast<std::uint8_t>(operation)).u8(pool_size).u8(first);
  }
  friend constexpr bool operator==(const allocate_endpoint_ids_request&, const allocate_endpoint_ids_request&) = default;
};
/// Response: CC, status (bits 1:0), pool size, first EID.
struct allocate_endpoint_ids_response {
  static constexpr command code = command::allocate_endpoint_ids;
  static constexpr bool is_response = true;
  completion cc = completion::success;
  allocation_status status = allocation_status::accepted;
  std::uint8_t pool_size = 0;
  eid first = null_eid;
  constexpr void read(reader& r) noexcept {
    status = static_cast<allocation_status>(r.u8() & 0x03);
    pool_size = r.u8();
    first = r.u8();
  }
  constexpr void write(writer& w) const noexcept {
    if (static_cast<std::uint8_t>(status) > 3) w.fail(errc::invalid_field);
    w.u8(static_cast<std::uint8_t>(status)).u8(pool_size).u8(first);
  }
  friend constexpr bool operator==(const allocate_endpoint_ids_response&, const allocate_endpoint_ids_response&) = default;
};

// --- 0x09 Routing Information Update -------------------------------------------------------

/// Request: entry count, then entries whose physical-address length is binding-defined, so
/// they are kept as raw bytes (`entries`; layout per mctp.md §4.4 UNCONFIRMED). Response: CC.
struct routing_information_update_request {
  static constexpr command code = command::routing_information_update;
  static constexpr bool is_response = false;
  std::uint8_t count = 0;
  bytes_view entries{};
  constexpr void read(reader& r) noexcept {
    count = r.u8();
    entries = r.rest();
  }
  constexpr void write(writer& w) const noexcept { w.u8(count).bytes(entries); }
};
using routing_information_update_response = detail::cc_only_response<command::routing_information_update>;

// --- 0x0A Get Routing Table Entries --------------------------------------------------------

enum class routing_entry_type : std::uint8_t {
  endpoint = 0,              ///< a single endpoint
  bridge_and_range = 1,      ///< a bridge and the EID range downstream of it
  bridge_only = 2,           ///< a bridge only
  additional_range = 3,      ///< additional EIDs / a range behind a bridge
};

/// One routing table entry: EID range size, first EID, type byte (entry type bits 7:6,
/// static-assigned bit 5, port bits 4:0), binding ID, media type ID, address size N, address.
struct routing_table_entry {
  std::uint8_t range_size = 1;
  eid first = null_eid;
  routing_entry_type type = routing_entry_type::endpoint;
  bool static_eid = false;
  std::uint8_t port = 0;  ///< 0..31
  std::uint8_t binding = 0;
  std::uint8_t media = 0;
  bytes_view physical_address{};

  static constexpr std::size_t fixed_size = 6;
  static constexpr routing_table_entry read(reader& r) noexcept {
    routing_table_entry e;
    e.range_size = r.u8();
    e.first = r.u8();
    const auto t = r.u8();
    e.type = static_cast<routing_entry_type>(detail::bits(t, 6, 3));
    e.static_eid = (t & 0x20) != 0;
    e.port = static_cast<std::uint8_t>(t & 0x1F);
    e.binding = r.u8();
    e.media = r.u8();
    e.physical_address = r.bytes(r.u8());
    return e;
  }
  constexpr void write(writer& w) const noexcept {
    if (port > 0x1F || static_cast<std::uint8_t>(type) > 3) w.fail(errc::invalid_field);
    w.u8(range_size).u8(first);
    w.u8(static_cast<std::uint8_t>((static_cast<std::uint8_t>(type) << 6) | (static_eid ? 0x20 : 0) | port));
    w.u8(binding).u8(media);
    detail::count_byte(w, physical_address.size());
    w.bytes(physical_address);
  }
};

struct get_routing_table_entries_request {
  static constexpr command code = command::get_routing_table_entries;
  static constexpr bool is_response = false;
  std::uint8_t handle = 0;
  constexpr void read(reader& r) noexcept { handle = r.u8(); }
  constexpr void write(writer& w) const noexcept { w.u8(handle); }
  friend constexpr bool operator==(const get_routing_table_entries_request&,
                                   const get_routing_table_entries_request&) = default;
};
/// Response: CC, next handle (0xFF = no more), entry count, entries. `entries` holds the raw
/// entry bytes, checked on decode to hold exactly `count` well-formed entries; walk them with
///   reader r(rsp.entries); for (i < rsp.count) auto e = routing_table_entry::read(r);
struct get_routing_table_entries_response {
  static constexpr command code = command::get_routing_table_entries;
  static constexpr bool is_response = true;
  completion cc = completion::success;
  std::uint8_t next_handle = 0xFF;
  std::uint8_t count = 0;
  bytes_view entries{};

  /// Size of `n` consecutive entries at the front of `in`, or errc::truncated.
  static constexpr result<std::size_t> measure(bytes_view in, std::size_t n) noexcept {
    reader r(in);
    for (std::size_t i = 0; i < n; ++i) (void)routing_table_entry::read(r);
    PMCI_TRY(r.status());
    return r.position();
  }
  constexpr void read(reader& r) noexcept {
    next_handle = r.u8();
    count = r.u8();
    const bytes_view rest = r.rest();
    const auto n = measure(rest, count);
    if (!n) return r.fail(n.error());
    if (*n != rest.size()) return r.fail(errc::trailing_data);
    entries = rest;
  }
  constexpr void write(writer& w) const noexcept {
    const auto n = measure(entries, count);
    if (!n || *n != entries.size()) w.fail(errc::invalid_field);
    w.u8(next_handle).u8(count).bytes(entries);
  }
};

// --- 0x0B..0x0D discovery ------------------------------------------------------------------

using prepare_endpoint_discovery_request = detail::empty_request<command::prepare_endpoint_discovery>;
using prepare_endpoint_discovery_response = detail::cc_only_response<command::prepare_endpoint_discovery>;
using endpoint_discovery_request = detail::empty_request<command::endpoint_discovery>;
using endpoint_discovery_response = detail::cc_only_response<command::endpoint_discovery>;
using discovery_notify_request = detail::empty_request<command::discovery_notify>;
using discovery_notify_response = detail::cc_only_response<command::discovery_notify>;

// --- 0x0E Get Network ID -------------------------------------------------------------------

using get_network_id_request = detail::empty_request<command::get_network_id>;
/// Response: CC + 16-byte network ID (mctp.md §4.4, UNCONFIRMED against spec text).
struct get_network_id_response {
  static constexpr command code = command::get_network_id;
  static constexpr bool is_response = true;
  completion cc = completion::success;
  uuid network_id{};
  constexpr void read(reader& r) noexcept {
    const auto b = r.bytes(16);
    for (std::size_t i = 0; i < b.size(); ++i) network_id[i] = b[i];
  }
  constexpr void write(writer& w) const noexcept { w.bytes(network_id); }
  friend constexpr bool operator==(const get_network_id_response&, const get_network_id_response&) = default;
};

// --- 0x0F Query Hop ------------------------------------------------------------------------

struct query_hop_request {
  static constexpr command code = command::query_hop;
  static constexpr bool is_response = false;
  eid target = null_eid;
  std::uint8_t type_number = 0;
  constexpr void read(reader& r) noexcept {
    target = r.u8();
    type_number = r.u8();
  }
  constexpr void write(writer& w) const noexcept { w.u8(target).u8(type_number); }
  friend constexpr bool operator==(const query_hop_request&, const query_hop_request&) = default;
};
/// Response: CC, next bridge EID, message type, max incoming and outgoing transmission unit
/// sizes (16-bit big-endian; mctp.md §4.4, UNCONFIRMED against spec text).
struct query_hop_response {
  static constexpr command code = command::query_hop;
  static constexpr bool is_response = true;
  completion cc = completion::success;
  eid next_bridge = null_eid;
  std::uint8_t type_number = 0;
  std::uint16_t max_in_unit = 0;
  std::uint16_t max_out_unit = 0;
  constexpr void read(reader& r) noexcept {
    next_bridge = r.u8();
    type_number = r.u8();
    max_in_unit = r.u16be();
    max_out_unit = r.u16be();
  }
  constexpr void write(writer& w) const noexcept { w.u8(next_bridge).u8(type_number).u16be(max_in_unit).u16be(max_out_unit); }
  friend constexpr bool operator==(const query_hop_response&, const query_hop_response&) = default;
};

// --- 0x10 Resolve UUID ---------------------------------------------------------------------

/// Request: 16-byte UUID + 1 byte (entry handle per the Intel-derived libmctp fork; another
/// implementation names it a target EID — UNCONFIRMED, so it is kept as a plain byte).
struct resolve_uuid_request {
  static constexpr command code = command::resolve_uuid;
  static constexpr bool is_response = false;
  uuid id{};
  std::uint8_t handle = 0;
  constexpr void read(reader& r) noexcept {
    const auto b = r.bytes(16);
    for (std::size_t i = 0; i < b.size(); ++i) id[i] = b[i];
    handle = r.u8();
  }
  constexpr void write(writer& w) const noexcept { w.bytes(id).u8(handle); }
  friend constexpr bool operator==(const resolve_uuid_request&, const resolve_uuid_request&) = default;
};
/// Response: CC, then opaque data (entry layout UNCONFIRMED).
using resolve_uuid_response = detail::opaque_response<command::resolve_uuid>;

// --- 0x11..0x14 rate limiting and interfaces (layouts UNCONFIRMED: opaque data) ------------

using query_rate_limit_request = detail::empty_request<command::query_rate_limit>;
using query_rate_limit_response = detail::opaque_response<command::query_rate_limit>;
using request_tx_rate_limit_request = detail::opaque_request<command::request_tx_rate_limit>;
using request_tx_rate_limit_response = detail::opaque_response<command::request_tx_rate_limit>;
using update_rate_limit_request = detail::opaque_request<command::update_rate_limit>;
using update_rate_limit_response = detail::cc_only_response<command::update_rate_limit>;
using query_supported_interfaces_request = detail::empty_request<command::query_supported_interfaces>;
using query_supported_interfaces_response = detail::opaque_response<command::query_supported_interfaces>;

// ---------------------------------------------------------------------------------------------
// Generic encode / decode
// ---------------------------------------------------------------------------------------------

/// Decode the data of M (everything after the 3-byte header; for a response it starts with
/// the completion code). Errors: errc::truncated, errc::trailing_data (a request or success
/// response longer than its layout), errc::unsupported (vendor ID format). Reserved bits are
/// ignored (DSP0236: reserved fields are ignored on receive).
template <class M>
constexpr result<M> decode_data(bytes_view data) noexcept {
  M m{};
  reader r(data);
  if constexpr (M::is_response) {
    m.cc = static_cast<completion>(r.u8());
    PMCI_TRY(r.status());
    if (m.cc != completion::success) return m;  // error response: the CC is the whole message
  }
  m.read(r);
  PMCI_TRY(r.finish());
  return m;
}

/// Append M's data (CC first for responses; only the CC when it is not success).
template <class M>
constexpr result<void> encode_data(writer& w, const M& m) noexcept {
  if constexpr (M::is_response) {
    w.u8(static_cast<std::uint8_t>(m.cc));
    if (m.cc != completion::success) return detail::status(w);
  }
  m.write(w);
  return detail::status(w);
}

/// Encode a whole control message (type byte, header, data) into `out`. Requests get Rq=1 and
/// the given D bit; responses Rq=0, D=0 (a response echoes the request's instance ID).
/// Errors: errc::buffer_too_small, errc::invalid_field (a field out of its range).
template <class M>
constexpr result<bytes_span> encode(bytes_span out, const M& m, std::uint8_t instance_id, bool datagram = false) noexcept {
  writer w(out);
  PMCI_TRY((control_header{!M::is_response, M::is_response ? false : datagram, instance_id, M::code}.encode(w)));
  PMCI_TRY(encode_data(w, m));
  return w.written();
}

/// Decode a whole control message as M. errc::unexpected_message when it is a different
/// command or the wrong direction (request vs response); otherwise as control_header::decode
/// and decode_data.
template <class M>
constexpr result<M> decode(bytes_view message) noexcept {
  PMCI_TRY_ASSIGN(const control_message v, control_message::decode(message));
  if (v.header.cmd != M::code || v.header.request == M::is_response) return errc::unexpected_message;
  return decode_data<M>(v.data);
}

/// An error response (header + completion code) to `request`'s header.
constexpr result<bytes_span> encode_error(bytes_span out, const control_header& request, completion cc) noexcept {
  writer w(out);
  PMCI_TRY((control_header{false, false, request.instance_id, request.cmd}.encode(w)));
  w.u8(static_cast<std::uint8_t>(cc));
  return w.finish();
}

}  // namespace pmci::mctp::control
