// SPDX-License-Identifier: Apache-2.0
// Events, SPDM 1.3 (spdm.md §12):
//
// GET_SUPPORTED_EVENT_TYPES (0xE2)  hdr(reserved)
// SUPPORTED_EVENT_TYPES (0x62)      hdr(P1 EventGroupCount, P2 reserved) |
//                                   SupportedEventGroupsListLen(4) | list
// SUBSCRIBE_EVENT_TYPES (0xF0)      hdr(P1 SubscribeEventGroupCount, P2 reserved) |
//                                   [SubscribeListLen(4) | list — absent when the count is 0,
//                                   which unsubscribes from everything]
// SUBSCRIBE_EVENT_TYPES_ACK (0x70)  hdr(reserved)
// SEND_EVENT (0xF1)                 hdr(reserved) | EventCount(4) | events
// EVENT_ACK (0x71)                  hdr(reserved)
//
// Event: EventInstanceID(4) | Reserved(4) | RegistryID(1) | VendorIDLen(1) | VendorID |
//        EventTypeID(2) | EventDetailLen(2) | EventDetail
// DMTF (registry 0) event types with a fixed detail size: 1 EventLost (8), 2
// MeasurementChanged (32), 3 MeasurementPreUpdate (32), 4 CertificateChanged (1); other DMTF
// type IDs are passed through (libspdm rejects them; pmci leaves that to the application).
// The event-group list layout is UNCONFIRMED (spdm.md §18), so lists stay raw byte views
// (libspdm does not parse them either).
#pragma once
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/detail/message_codec.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"
#include "pmci/spdm/vendor.hpp"

namespace pmci::spdm {

using get_supported_event_types = detail::header_only<code::get_supported_event_types>;
using subscribe_event_types_ack = detail::header_only<code::subscribe_event_types_ack>;
using event_ack = detail::header_only<code::event_ack>;

namespace detail {
/// SUPPORTED_EVENT_TYPES and SUBSCRIBE_EVENT_TYPES: a group count in Param1 and a 4-byte
/// length-prefixed list. `Optional`: the length and list are absent when the count is 0.
template <code C, bool Optional>
struct event_group_list_message {
  static constexpr code message_code = C;
  std::uint8_t event_group_count = 0;  ///< Param1
  bytes_view event_groups{};           ///< the list (layout UNCONFIRMED: raw)

  /// Errors: truncated, trailing_data, version_mismatch, unsupported (version < 1.3),
  /// reserved_nonzero (Param2), invalid_field (a zero count with a list, or a count with an
  /// empty list).
  static constexpr result<event_group_list_message> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, open(r, C, n));
    event_group_list_message e;
    e.event_group_count = h.param1;
    if (!(Optional && h.param1 == 0)) e.event_groups = r.bytes(r.u32le());
    PMCI_TRY(finish(r));
    if (h.param2 != 0) return errc::reserved_nonzero;
    if ((h.param1 == 0) != e.event_groups.empty()) return errc::invalid_field;
    return e;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if ((event_group_count == 0) != event_groups.empty()) return errc::invalid_field;
    if (!fits_u32(event_groups)) return errc::out_of_range;
    PMCI_TRY(begin(w, C, n, event_group_count, 0));
    if (!(Optional && event_group_count == 0))
      w.u32le(static_cast<std::uint32_t>(event_groups.size())).bytes(event_groups);
    return done(w);
  }
};
}  // namespace detail

using supported_event_types = detail::event_group_list_message<code::supported_event_types, false>;
using subscribe_event_types = detail::event_group_list_message<code::subscribe_event_types, true>;

/// DMTF event type IDs (registry 0).
enum class dmtf_event_type : std::uint16_t {
  event_lost = 1, measurement_changed = 2, measurement_pre_update = 3, certificate_changed = 4,
};
/// EventDetail size of a DMTF event type; 0 for IDs pmci does not know.
constexpr std::size_t dmtf_event_detail_size(std::uint16_t type) noexcept {
  switch (type) {
    case 1: return 8;
    case 2: case 3: return 32;
    case 4: return 1;
    default: return 0;
  }
}

/// One event of SEND_EVENT; spans point into the message.
struct event_entry {
  std::uint32_t event_instance_id = 0;
  std::uint8_t registry_id = 0;  ///< 0 = DMTF
  bytes_view vendor_id{};
  std::uint16_t event_type_id = 0;
  bytes_view event_detail{};

  /// Records truncated, reserved_nonzero, or invalid_field (VendorIDLen wrong for the
  /// registry, a DMTF detail of the wrong size) in r.
  static constexpr event_entry read(reader& r) noexcept {
    event_entry e;
    e.event_instance_id = r.u32le();
    r.reserved(4);
    e.registry_id = r.u8();
    const auto vlen = r.u8();
    if (r.ok() && !valid_vendor_id_size(static_cast<registry>(e.registry_id), vlen)) r.fail(errc::invalid_field);
    e.vendor_id = r.bytes(vlen);
    e.event_type_id = r.u16le();
    e.event_detail = r.bytes(r.u16le());
    if (r.ok() && e.registry_id == 0) {
      const auto want = dmtf_event_detail_size(e.event_type_id);
      if (want != 0 && e.event_detail.size() != want) r.fail(errc::invalid_field);
    }
    return e;
  }
  /// Append this event (for building a SEND_EVENT event list).
  constexpr void write(writer& w) const noexcept {
    if (vendor_id.size() > 0xFF || event_detail.size() > 0xFFFF) {
      w.fail(errc::out_of_range);
      return;
    }
    w.u32le(event_instance_id).zeros(4).u8(registry_id).u8(static_cast<std::uint8_t>(vendor_id.size()));
    w.bytes(vendor_id).u16le(event_type_id).u16le(static_cast<std::uint16_t>(event_detail.size())).bytes(event_detail);
  }
};

/// A validated SEND_EVENT event list (range-for over event_entry); event_list::validate(bytes,
/// count) checks a list built with event_entry::write.
using event_list = detail::entry_list<event_entry>;

struct send_event {
  static constexpr code message_code = code::send_event;
  event_list events{};

  /// Errors: truncated (also: EventCount larger than the events present), trailing_data,
  /// version_mismatch, unsupported, reserved_nonzero (params, event Reserved(4)),
  /// invalid_field (EventCount 0, an event's VendorIDLen or DMTF detail size).
  static constexpr result<send_event> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY(detail::open_reserved(r, message_code, n));
    const std::uint32_t count = r.u32le();
    PMCI_TRY(r.status());
    if (count == 0) return errc::invalid_field;
    send_event s;
    PMCI_TRY_ASSIGN(s.events, event_list::validate(r.rest(), count));
    return s;
  }
  /// Re-emits the validated list verbatim.
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (events.empty()) return errc::invalid_field;
    PMCI_TRY(detail::begin(w, message_code, n));
    w.u32le(events.size()).bytes(events.bytes());
    return detail::done(w);
  }
};

}  // namespace pmci::spdm
