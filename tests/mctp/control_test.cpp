// SPDX-License-Identifier: Apache-2.0
#include "pmci/mctp/control.hpp"

#include <array>
#include <string_view>

#include "pmci/core/hex.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::mctp;
using namespace pmci::mctp::control;

namespace {

using buf_t = std::array<std::byte, 128>;

constexpr bytes_view hex_into(std::string_view hex, buf_t& b) {
  auto n = parse_hex(hex, b);
  return n ? bytes_view(b).first(*n) : bytes_view{};
}

// encode(m) == want (whole message, type byte first); decode(want) re-encodes identically.
template <class M>
constexpr bool wire(const M& m, std::string_view want_hex, std::uint8_t iid = 0, bool dgram = false) {
  buf_t out{}, want_buf{}, again{};
  const auto want = hex_into(want_hex, want_buf);
  auto e = encode(out, m, iid, dgram);
  if (!e || !equal(*e, want)) return false;
  auto d = decode<M>(want);
  if (!d) return false;
  auto e2 = encode(again, *d, iid, dgram);
  return e2 && equal(*e2, want);
}

template <class M>
constexpr result<M> decode_hex(std::string_view hex) {
  buf_t b{};
  // Decoded views would dangle past this function, so only fixed-field messages use this.
  return decode<M>(hex_into(hex, b));
}

template <class M>
constexpr errc decode_err(std::string_view hex) {
  buf_t b{};
  auto r = decode<M>(hex_into(hex, b));
  return r ? errc{} : r.error();
}

template <class M>
constexpr errc encode_err(const M& m, std::size_t room = 128, std::uint8_t iid = 0) {
  buf_t b{};
  auto r = encode(bytes_span(b).first(room), m, iid);
  return r ? errc{} : r.error();
}

}  // namespace

TEST_CASE("control header: Rq, D, instance ID, command", "[mctp][control]") {
  constexpr auto h = [] {
    buf_t b{};
    return control_header::decode(hex_into("00 81 02", b));  // vectors.md §3: Get EID, IID 1
  }();
  static_assert(h && h->request && !h->datagram && h->instance_id == 1 && h->cmd == command::get_endpoint_id);
  CHECK(h->instance_id == 1);
  // D bit, reserved bit 5 ignored, instance 31
  static_assert([] {
    buf_t b{};
    auto r = control_header::decode(hex_into("00 7f 05", b));
    return r && !r->request && r->datagram && r->instance_id == 31 && r->cmd == command::get_message_type_support;
  }());
  static_assert(decode_err<get_endpoint_id_request>("00 80") == errc::truncated);
  static_assert(decode_err<get_endpoint_id_request>("05 80 02") == errc::invalid_field);  // not control
  static_assert(decode_err<get_endpoint_id_request>("80 80 02") == errc::invalid_field);  // IC set
  static_assert(encode_err(get_endpoint_id_request{}, 128, 32) == errc::invalid_field);
  static_assert(encode_err(get_endpoint_id_request{}, 2) == errc::buffer_too_small);
  CHECK(decode_err<get_endpoint_id_request>("80 80 02") == errc::invalid_field);
  CHECK(encode_err(get_endpoint_id_request{}, 128, 32) == errc::invalid_field);
}

TEST_CASE("control: Set Endpoint ID bytes of vectors.md §2/§5", "[mctp][control]") {
  static_assert(wire(set_endpoint_id_request{set_eid_operation::set, 0x0A}, "00 80 01 00 0a"));
  static_assert(wire(set_endpoint_id_response{completion::success, eid_assignment::accepted, eid_pool_status::no_pool, 0x0A, 0},
                     "00 00 01 00 00 0a 00"));
  CHECK(wire(set_endpoint_id_request{set_eid_operation::set, 0x0A}, "00 80 01 00 0a"));
  CHECK(wire(set_endpoint_id_response{completion::success, eid_assignment::accepted, eid_pool_status::no_pool, 0x0A, 0},
             "00 00 01 00 00 0a 00"));
  static_assert(wire(set_endpoint_id_request{set_eid_operation::set_discovered, 0}, "00 9f 01 03 00", 31));
  static_assert(wire(set_endpoint_id_response{completion::success, eid_assignment::rejected, eid_pool_status::pool_required, 0x20, 4},
                     "00 05 01 00 11 20 04", 5));
  // Reserved bits of the operation byte are ignored on receive.
  constexpr auto r = decode_hex<set_endpoint_id_request>("00 80 01 fd 0b");
  static_assert(r && r->operation == set_eid_operation::force && r->id == 0x0B);
  CHECK(r->operation == set_eid_operation::force);
  static_assert(decode_err<set_endpoint_id_request>("00 80 01 00") == errc::truncated);
  static_assert(decode_err<set_endpoint_id_request>("00 80 01 00 0a 00") == errc::trailing_data);
  static_assert(decode_err<set_endpoint_id_response>("00 80 01 00 00 0a 00") == errc::unexpected_message);  // a request
  static_assert(decode_err<get_endpoint_id_response>("00 00 01 00 00 0a 00") == errc::unexpected_message);  // other cmd
  static_assert(encode_err(set_endpoint_id_request{static_cast<set_eid_operation>(4), 8}) == errc::invalid_field);
}

TEST_CASE("control: error responses are the completion code alone", "[mctp][control]") {
  static_assert(wire(get_endpoint_id_response{completion::error_unsupported_cmd}, "00 07 02 05", 7));
  constexpr auto r = decode_hex<get_endpoint_id_response>("00 07 02 03 aa bb");  // extra bytes ignored
  static_assert(r && r->cc == completion::error_invalid_length && r->id == 0);
  CHECK(r->cc == completion::error_invalid_length);
  static_assert(decode_err<get_endpoint_id_response>("00 07 02") == errc::truncated);  // no CC
  static_assert([] {
    buf_t out{};
    auto e = encode_error(out, control_header{true, false, 9, command::query_hop}, completion::error_unsupported_cmd);
    buf_t w{};
    return e && equal(*e, hex_into("00 09 0f 05", w));
  }());
}

TEST_CASE("control: Get Endpoint ID and UUID", "[mctp][control]") {
  static_assert(wire(get_endpoint_id_request{}, "00 81 02", 1));
  static_assert(wire(get_endpoint_id_response{completion::success, 0x1D, endpoint_kind::simple, eid_type::static_current, 0x00},
                     "00 01 02 00 1d 02 00", 1));
  static_assert(wire(get_endpoint_id_response{completion::success, 0x08, endpoint_kind::bus_owner_or_bridge, eid_type::dynamic, 0x5A},
                     "00 01 02 00 08 10 5a", 1));
  CHECK(wire(get_endpoint_id_response{completion::success, 0x08, endpoint_kind::bus_owner_or_bridge, eid_type::dynamic, 0x5A},
             "00 01 02 00 08 10 5a", 1));
  constexpr get_endpoint_uuid_response u{completion::success, hex_bytes<16>("000102030405060708090a0b0c0d0e0f")};
  static_assert(wire(u, "00 02 03 00 000102030405060708090a0b0c0d0e0f", 2));
  static_assert(wire(get_endpoint_uuid_request{}, "00 82 03", 2));
  static_assert(decode_err<get_endpoint_uuid_response>("00 02 03 00 0001020304") == errc::truncated);
  CHECK(wire(u, "00 02 03 00 000102030405060708090a0b0c0d0e0f", 2));
}

TEST_CASE("control: Get MCTP Version Support entries (vectors.md §5)", "[mctp][control]") {
  static_assert(version_entry::make(1, 0) == version_entry{0xF1, 0xF0, 0xFF, 0x00});
  static_assert(version_entry::make(1, 3, 3) == version_entry{0xF1, 0xF3, 0xF3, 0x00});
  static_assert(version_entry::make(1, 0, 2) == version_entry{0xF1, 0xF0, 0xF2, 0x00});  // DSP0275 1.0.2
  static_assert(version_entry::make(1, 0, 0) == version_entry{0xF1, 0xF0, 0xF0, 0x00});  // DSP0241 1.0.0
  static constexpr auto base = version_bytes(version_entry::make(1, 0), version_entry::make(1, 1), version_entry::make(1, 2),
                                             version_entry::make(1, 3, 3));
  static_assert(equal(base, hex_bytes<16>("F1F0FF00 F1F1FF00 F1F2FF00 F1F3F300")));
  static_assert(wire(get_version_support_request{base_spec_type}, "00 80 04 ff"));
  static_assert(wire(get_version_support_response{completion::success, base},
                     "00 00 04 00 04 F1F0FF00 F1F1FF00 F1F2FF00 F1F3F300"));
  CHECK(wire(get_version_support_response{completion::success, base}, "00 00 04 00 04 F1F0FF00 F1F1FF00 F1F2FF00 F1F3F300"));
  static_assert(wire(get_version_support_response{completion::message_type_not_supported, {}}, "00 00 04 80"));
  static_assert([] {
    buf_t b{};
    auto r = decode<get_version_support_response>(hex_into("00 00 04 00 02 F1F3F300 F1F0F200", b));
    return r && r->count() == 2 && r->entry(0) == version_entry::make(1, 3, 3) && r->entry(1) == version_entry::make(1, 0, 2);
  }());
  static_assert(decode_err<get_version_support_response>("00 00 04 00 02 F1F3F300") == errc::truncated);
  static_assert(encode_err(get_version_support_response{completion::success, bytes_view(base).first(3)}) == errc::invalid_field);
}

TEST_CASE("control: Get Message Type Support", "[mctp][control]") {
  static constexpr auto types = hex_bytes<3>("00 05 06");
  static_assert(wire(get_message_type_support_request{}, "00 83 05", 3));
  static_assert(wire(get_message_type_support_response{completion::success, types}, "00 03 05 00 03 00 05 06", 3));
  CHECK(wire(get_message_type_support_response{completion::success, types}, "00 03 05 00 03 00 05 06", 3));
  static_assert(decode_err<get_message_type_support_response>("00 03 05 00 03 00 05") == errc::truncated);
  static_assert(decode_err<get_message_type_support_response>("00 03 05 00 01 00 05") == errc::trailing_data);
}

TEST_CASE("control: Get Vendor Defined Message Support (Caliptra bytes, vectors.md §5)", "[mctp][control]") {
  // 00 FF 01 00 00 A6 7F 00 01: CC, next FF, IANA, enterprise 0x0000A67F, command set 0x0001.
  constexpr get_vendor_message_support_response caliptra{completion::success, 0xFF, true,
                                                         {vendor_id_format::iana, 0x0000A67F, 0x0001}};
  static_assert(wire(caliptra, "00 00 06 00 FF 01 00 00 A6 7F 00 01"));
  static_assert(decode_hex<get_vendor_message_support_response>("00 00 06 00 FF 01 00 00 A6 7F 00 01").value() == caliptra);
  CHECK(wire(caliptra, "00 00 06 00 FF 01 00 00 A6 7F 00 01"));
  // Empty variant 00 FF.
  constexpr get_vendor_message_support_response none{completion::success, 0xFF, false, {}};
  static_assert(wire(none, "00 00 06 00 FF"));
  // PCI vendor ID: 2 bytes.
  static_assert(wire(get_vendor_message_support_response{completion::success, 1, true, {vendor_id_format::pci, 0x8086, 0x0102}},
                     "00 00 06 00 01 00 80 86 01 02"));
  static_assert(wire(get_vendor_message_support_request{2}, "00 80 06 02"));
  static_assert(decode_err<get_vendor_message_support_response>("00 00 06 00 01 02 80 86 01 02") == errc::unsupported);
  static_assert(decode_err<get_vendor_message_support_response>("00 00 06 00 01 00 80 86 01") == errc::truncated);
  static_assert(encode_err(get_vendor_message_support_response{completion::success, 1, true,
                                                               {vendor_id_format::pci, 0x10000, 0}}) == errc::invalid_field);
}

TEST_CASE("control: Resolve EID, Allocate EIDs, Routing Information Update", "[mctp][control]") {
  static_assert(wire(resolve_endpoint_id_request{0x30}, "00 80 07 30"));
  static constexpr auto addr = hex_bytes<1>("3a");
  static_assert(wire(resolve_endpoint_id_response{completion::success, 0x20, addr}, "00 00 07 00 20 3a"));
  static_assert([] {
    buf_t b{};
    auto r = decode<resolve_endpoint_id_response>(hex_into("00 00 07 00 20 3a 3b", b));
    return r && r->bridge == 0x20 && r->physical_address.size() == 2;
  }());
  static_assert(wire(allocate_endpoint_ids_request{allocate_operation::force, 8, 0x40}, "00 80 08 01 08 40"));
  static_assert(wire(allocate_endpoint_ids_response{completion::success, allocation_status::rejected, 8, 0x40}, "00 00 08 00 01 08 40"));
  static constexpr auto entries = hex_bytes<5>("00 01 30 1a 00");
  static_assert(wire(routing_information_update_request{1, entries}, "00 80 09 01 00 01 30 1a 00"));
  static_assert(wire(routing_information_update_response{}, "00 00 09 00"));
  CHECK(wire(allocate_endpoint_ids_request{allocate_operation::force, 8, 0x40}, "00 80 08 01 08 40"));
}

TEST_CASE("control: Get Routing Table Entries walks self-describing entries", "[mctp][control]") {
  static constexpr auto a1 = hex_bytes<1>("3a");
  static constexpr auto a2 = hex_bytes<2>("11 22");
  constexpr auto build = [] {
    std::array<std::byte, 32> e{};
    writer w(e);
    routing_table_entry{1, 0x30, routing_entry_type::endpoint, false, 2, 0x01, 0x00, a1}.write(w);
    routing_table_entry{8, 0x40, routing_entry_type::bridge_and_range, true, 31, 0x06, 0x11, a2}.write(w);
    return std::pair{e, w.size()};
  };
  static constexpr auto built = build();
  static constexpr bytes_view ents = bytes_view(built.first).first(built.second);
  static_assert(built.second == 15);
  static_assert(equal(ents, hex_bytes<15>("01 30 02 01 00 01 3a  08 40 7f 06 11 02 11 22")));
  static_assert(wire(get_routing_table_entries_request{0}, "00 80 0a 00"));
  static_assert(wire(get_routing_table_entries_response{completion::success, 0xFF, 2, ents},
                     "00 00 0a 00 ff 02 01 30 02 01 00 01 3a 08 40 7f 06 11 02 11 22"));
  constexpr auto walk = [] {
    buf_t b{};
    auto r = decode<get_routing_table_entries_response>(hex_into("00 00 0a 00 ff 02 01 30 02 01 00 01 3a 08 40 7f 06 11 02 11 22", b));
    if (!r || r->count != 2) return false;
    reader rd(r->entries);
    auto e1 = routing_table_entry::read(rd);
    auto e2 = routing_table_entry::read(rd);
    return rd.finish() && e1.first == 0x30 && e1.port == 2 && e1.type == routing_entry_type::endpoint &&
           e2.range_size == 8 && e2.static_eid && e2.port == 31 && e2.type == routing_entry_type::bridge_and_range &&
           e2.binding == 0x06 && e2.physical_address.size() == 2;
  };
  static_assert(walk());
  CHECK(walk());
  // count says 2 but only one entry: truncated; count 1 with two entries: trailing data.
  static_assert(decode_err<get_routing_table_entries_response>("00 00 0a 00 ff 02 01 30 02 01 00 01 3a") == errc::truncated);
  static_assert(decode_err<get_routing_table_entries_response>("00 00 0a 00 ff 01 01 30 02 01 00 01 3a 08 40 7f 06 11 02 11 22") ==
                errc::trailing_data);
  // Encoding entries that do not match the count is refused.
  static_assert(encode_err(get_routing_table_entries_response{completion::success, 0xFF, 3, ents}) == errc::invalid_field);
  static_assert(encode_err(get_routing_table_entries_response{completion::success, 0xFF, 1, ents}) == errc::invalid_field);
}

TEST_CASE("control: discovery, network ID, query hop, resolve UUID, rate limits, interfaces", "[mctp][control]") {
  static_assert(wire(prepare_endpoint_discovery_request{}, "00 80 0b"));
  static_assert(wire(prepare_endpoint_discovery_response{}, "00 00 0b 00"));
  static_assert(wire(endpoint_discovery_request{}, "00 80 0c"));
  static_assert(wire(endpoint_discovery_response{}, "00 00 0c 00"));
  static_assert(wire(discovery_notify_request{}, "00 80 0d"));
  static_assert(wire(discovery_notify_response{}, "00 00 0d 00"));
  static_assert(decode_err<discovery_notify_request>("00 80 0d 00") == errc::trailing_data);
  static_assert(wire(get_network_id_request{}, "00 80 0e"));
  static_assert(wire(get_network_id_response{completion::success, hex_bytes<16>("ffeeddccbbaa99887766554433221100")},
                     "00 00 0e 00 ffeeddccbbaa99887766554433221100"));
  static_assert(wire(query_hop_request{0x50, 0x05}, "00 80 0f 50 05"));
  static_assert(wire(query_hop_response{completion::success, 0x20, 0x05, 0x0400, 0x0040}, "00 00 0f 00 20 05 04 00 00 40"));
  static_assert(wire(resolve_uuid_request{hex_bytes<16>("00112233445566778899aabbccddeeff"), 0},
                     "00 80 10 00112233445566778899aabbccddeeff 00"));
  static constexpr auto opaque = hex_bytes<4>("de ad be ef");
  static_assert(wire(resolve_uuid_response{completion::success, opaque}, "00 00 10 00 de ad be ef"));
  static_assert(wire(query_rate_limit_request{}, "00 80 11"));
  static_assert(wire(query_rate_limit_response{completion::success, opaque}, "00 00 11 00 de ad be ef"));
  static_assert(wire(request_tx_rate_limit_request{opaque}, "00 80 12 de ad be ef"));
  static_assert(wire(request_tx_rate_limit_response{completion::success, opaque}, "00 00 12 00 de ad be ef"));
  static_assert(wire(update_rate_limit_request{opaque}, "00 80 13 de ad be ef"));
  static_assert(wire(update_rate_limit_response{}, "00 00 13 00"));
  static_assert(wire(query_supported_interfaces_request{}, "00 80 14"));
  static_assert(wire(query_supported_interfaces_response{completion::success, opaque}, "00 00 14 00 de ad be ef"));
  CHECK(wire(query_hop_response{completion::success, 0x20, 0x05, 0x0400, 0x0040}, "00 00 0f 00 20 05 04 00 00 40"));
  CHECK(wire(update_rate_limit_request{opaque}, "00 80 13 de ad be ef"));
}

TEST_CASE("control: binding-specific commands go through encode_raw / control_message", "[mctp][control]") {
  static constexpr auto data = hex_bytes<2>("01 02");
  buf_t out{};
  auto e = encode_raw(out, control_header{true, false, 4, static_cast<command>(0xF0)}, data);
  REQUIRE(e);
  buf_t w{};
  CHECK(equal(*e, hex_into("00 84 f0 01 02", w)));
  auto m = control_message::decode(*e);
  REQUIRE(m);
  CHECK(static_cast<std::uint8_t>(m->header.cmd) == 0xF0);
  CHECK(m->data.size() == 2);
  CHECK(m->cc().value() == completion::error);  // a request's first data byte read as CC: caller's business
  CHECK(control_message{}.cc() == errc::truncated);
}
