// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/events.hpp"

#include "session_test_util.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
namespace ct = pmci::spdm::codec_test;
using ct::error_of;
using ct::patched;
using ct::roundtrip;

namespace {
constexpr negotiated n{.ver = v1_3};
// Hand-built from spdm.md §12.
constexpr auto get_types = hex_bytes<4>("13e20000");
constexpr auto types = hex_bytes<12>("1362 01 00 04000000 00000101");
constexpr auto subscribe = hex_bytes<10>("13f0 01 00 02000000 0001");
constexpr auto unsubscribe_all = hex_bytes<4>("13f00000");
constexpr auto sub_ack = hex_bytes<4>("13700000");
// Two events: #5 CertificateChanged (DMTF, 1 byte: slot 3), #6 vendor (PCI-SIG 0x8086, type 0x0102, 2 bytes).
constexpr auto send = hex_bytes<41>(
    "13f10000 02000000"
    " 05000000 00000000 00 00 0400 0100 03"
    " 06000000 00000000 03 02 8680 0201 0200 beef");
constexpr auto ack = hex_bytes<4>("13710000");

constexpr bool fields() {
  auto s = send_event::decode(send, n);
  if (!s || s->events.size() != 2) return false;
  int i = 0;
  bool ok = true;
  for (const event_entry& e : s->events) {
    if (i == 0) ok = ok && e.event_instance_id == 5 && e.registry_id == 0 && e.event_type_id == 4 && e.event_detail.size() == 1;
    if (i == 1) ok = ok && e.event_instance_id == 6 && e.registry_id == 3 && e.vendor_id.size() == 2 && e.event_type_id == 0x0102 && e.event_detail.size() == 2;
    ++i;
  }
  auto t = supported_event_types::decode(types, n);
  auto u = subscribe_event_types::decode(unsubscribe_all, n);
  return ok && i == 2 && t && t->event_group_count == 1 && t->event_groups.size() == 4 && u && u->event_group_count == 0;
}
constexpr bool builds_event_list() {
  std::array<std::byte, 64> list{};
  writer w{list};
  constexpr auto detail1 = hex_bytes<1>("03");
  constexpr auto vid = hex_bytes<2>("8680");
  constexpr auto detail2 = hex_bytes<2>("beef");
  event_entry{5, 0, {}, 4, detail1}.write(w);
  event_entry{6, 3, vid, 0x0102, detail2}.write(w);
  auto l = event_list::validate(w.written(), 2);
  if (!l) return false;
  send_event s{*l};
  std::array<std::byte, 64> out{};
  writer o{out};
  return s.encode(o, n) && equal(o.written(), send);
}
}  // namespace

TEST_CASE("event messages: round trips", "[spdm][events]") {
  static_assert(roundtrip<get_supported_event_types>(get_types, n) && roundtrip<supported_event_types>(types, n));
  CHECK((roundtrip<get_supported_event_types>(get_types, n) && roundtrip<supported_event_types>(types, n)));
  static_assert(roundtrip<subscribe_event_types>(subscribe, n) && roundtrip<subscribe_event_types>(unsubscribe_all, n));
  CHECK((roundtrip<subscribe_event_types>(subscribe, n) && roundtrip<subscribe_event_types>(unsubscribe_all, n)));
  static_assert(roundtrip<subscribe_event_types_ack>(sub_ack, n) && roundtrip<event_ack>(ack, n));
  CHECK((roundtrip<subscribe_event_types_ack>(sub_ack, n) && roundtrip<event_ack>(ack, n)));
  static_assert(roundtrip<send_event>(send, n));
  CHECK(roundtrip<send_event>(send, n));
  static_assert(fields());
  CHECK(fields());
  static_assert(builds_event_list());
  CHECK(builds_event_list());
}

TEST_CASE("event messages: malformed input", "[spdm][events]") {
  ct::check_prefixes_truncated<supported_event_types>(types, n);
  ct::check_trailing<supported_event_types>(types, n);
  ct::check_prefixes_truncated<subscribe_event_types>(subscribe, n);
  ct::check_trailing<subscribe_event_types>(unsubscribe_all, n);
  ct::check_prefixes_truncated<send_event>(send, n);
  ct::check_trailing<send_event>(send, n);
  CHECK(error_of<supported_event_types>(patched(types, 3, 1), n) == errc::reserved_nonzero);
  CHECK(error_of<supported_event_types>(patched(types, 2, 0), n) == errc::invalid_field);  // list without a count
  CHECK(error_of<supported_event_types>(patched(types, 7, 0x80), n) == errc::truncated);  // ListLen ~2 GiB
  CHECK(error_of<subscribe_event_types>(patched(subscribe, 2, 0), n) == errc::trailing_data);  // count 0 has no list
  CHECK(error_of<send_event>(patched(send, 4, 0), n) == errc::invalid_field);            // EventCount 0
  CHECK(error_of<send_event>(patched(send, 4, 3), n) == errc::truncated);                // one event too many
  CHECK(error_of<send_event>(patched(send, 4, 1), n) == errc::trailing_data);
  CHECK(error_of<send_event>(patched(send, 7, 0xFF), n) == errc::truncated);             // EventCount huge
  CHECK(error_of<send_event>(patched(send, 12, 1), n) == errc::reserved_nonzero);        // event Reserved(4)
  CHECK(error_of<send_event>(patched(send, 17, 1), n) == errc::invalid_field);           // DMTF VendorIDLen 1
  CHECK(error_of<send_event>(patched(send, 31, 0x40), n) == errc::invalid_field);        // unknown registry
  CHECK(error_of<send_event>(patched(send, 18, 2), n) == errc::invalid_field);           // MeasurementChanged: 32 bytes
  CHECK(error_of<send_event>(patched(send, 2, 1), n) == errc::reserved_nonzero);
  const negotiated n12{.ver = v1_2};
  CHECK(error_of<send_event>(patched(send, 0, 0x12), n12) == errc::unsupported);
}
