// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/opaque.hpp"

#include <array>

#include "session_test_util.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
namespace ct = pmci::spdm::codec_test;

namespace {

// Opaque data of the captured 1.1 KEY_EXCHANGE (general header) and of the 1.2 KEY_EXCHANGE_RSP
// (OpaqueDataFmt1), spdm.md §14.
constexpr auto general_list = hex_bytes<24>("46544d44 01 01 0000  00 00 0900 01 01 03 0010 0011 0012 000000");
constexpr auto fmt1_select = hex_bytes<12>("01 000000  00 00 0400 01 00 0012");

constexpr bool parses_supported_list() {
  auto s = secured_message_opaque::parse(general_list, opaque_format::general);
  return s && !s->selected_version && s->supported_count() == 3 && s->supported(0).raw == 0x1000 &&
         s->supported(2).raw == 0x1200 && !s->aead_limit_exponent;
}
constexpr bool parses_selection() {
  auto s = secured_message_opaque::parse(fmt1_select, opaque_format::fmt1);
  return s && s->selected_version && s->selected_version->raw == 0x1200 && s->supported_count() == 0;
}
// The builder reproduces both captured blocks byte for byte.
constexpr bool builds_captured_blocks() {
  constexpr std::array<version_number, 3> list{{{0x1000}, {0x1100}, {0x1200}}};
  std::array<std::byte, 64> a{}, b{};
  writer wa{a}, wb{b};
  opaque_builder ba{wa, opaque_format::general};
  ba.sm_supported_versions(list);
  opaque_builder bb{wb, opaque_format::fmt1};
  bb.sm_version_selection({0x1200});
  return ba.finish() && bb.finish() && equal(wa.written(), general_list) && equal(wb.written(), fmt1_select);
}
constexpr bool iterates_and_reencodes() {
  auto d = opaque_data::decode(general_list, opaque_format::general);
  if (!d || d->total_elements != 1 || d->elements.size() != 1) return false;
  int n = 0;
  for (const opaque_element& e : d->elements) {
    if (e.id != 0 || !e.vendor_id.empty() || e.data.size() != 9) return false;
    ++n;
  }
  std::array<std::byte, 64> buf{};
  writer w{buf};
  return n == 1 && d->encode(w) && equal(w.written(), general_list);
}
constexpr bool builds_aead_limit_and_vendor_element() {
  std::array<std::byte, 64> buf{};
  writer w{buf};
  opaque_builder b{w, opaque_format::fmt1};
  constexpr auto vid = hex_bytes<2>("8086");
  constexpr auto data = hex_bytes<1>("aa");
  b.sm_aead_limit(20).element(3, vid, data);
  if (!b.finish()) return false;
  // fmt1 header, SMDataID 2 element (+1 pad), registry-3 element with a 2-byte vendor ID (+1 pad)
  constexpr auto expect = hex_bytes<20>("02000000 00000300 01021400 03028086 0100aa00");
  auto s = secured_message_opaque::parse(w.written(), opaque_format::fmt1);
  return equal(w.written(), expect) && s && s->aead_limit_exponent == 20;
}

}  // namespace

TEST_CASE("opaque data: captured blocks parse, iterate and rebuild", "[spdm][opaque]") {
  static_assert(parses_supported_list());
  CHECK(parses_supported_list());
  static_assert(parses_selection());
  CHECK(parses_selection());
  static_assert(builds_captured_blocks());
  CHECK(builds_captured_blocks());
  static_assert(iterates_and_reencodes());
  CHECK(iterates_and_reencodes());
  static_assert(builds_aead_limit_and_vendor_element());
  CHECK(builds_aead_limit_and_vendor_element());
}

TEST_CASE("opaque data: format follows version and OtherParamsSelection", "[spdm][opaque]") {
  static_assert(opaque_format_of({.ver = v1_1}) == opaque_format::general);
  static_assert(opaque_format_of({.ver = v1_2, .other_params = 0x02}) == opaque_format::fmt1);
  static_assert(opaque_format_of({.ver = v1_3, .other_params = 0x12}) == opaque_format::fmt1);
  static_assert(opaque_format_of({.ver = v1_2, .other_params = 0x01}) == opaque_format::vendor);
  static_assert(opaque_format_of({.ver = v1_2}) == opaque_format::none);
  const negotiated n12{.ver = v1_2, .other_params = 0x02};
  CHECK(opaque_format_of(n12) == opaque_format::fmt1);
  CHECK(opaque_data::decode(fmt1_select, opaque_format::vendor) == errc::unsupported);
  CHECK(opaque_data::decode(fmt1_select, opaque_format::none) == errc::unsupported);
  CHECK(secured_message_opaque::parse({}, opaque_format::none).has_value());  // empty: no elements
}

TEST_CASE("opaque data: malformed input", "[spdm][opaque]") {
  using ct::patched;
  const bytes_view g = general_list;
  for (std::size_t i = 0; i < g.size(); ++i) {
    INFO("prefix " << i);
    CHECK(opaque_data::decode(g.first(i), opaque_format::general) == errc::truncated);
  }
  std::vector<std::byte> longer(g.begin(), g.end());
  longer.push_back(std::byte{0});
  CHECK(opaque_data::decode(longer, opaque_format::general) == errc::trailing_data);
  CHECK(opaque_data::decode(patched(g, 0, 0x47), opaque_format::general) == errc::invalid_field);  // SpecID
  CHECK(opaque_data::decode(patched(g, 4, 2), opaque_format::general) == errc::unsupported);       // OpaqueVersion
  CHECK(opaque_data::decode(patched(g, 6, 1), opaque_format::general) == errc::reserved_nonzero);
  CHECK(opaque_data::decode(patched(g, 23, 1), opaque_format::general) == errc::reserved_nonzero);  // padding
  CHECK(opaque_data::decode(patched(g, 5, 2), opaque_format::general) == errc::truncated);   // 2 elements
  CHECK(opaque_data::decode(patched(g, 5, 0), opaque_format::general) == errc::trailing_data);
  CHECK(opaque_data::decode(patched(g, 5, 0xFF), opaque_format::general) == errc::truncated);  // count > bytes
  CHECK(opaque_data::decode(patched(g, 10, 0xF0), opaque_format::general) == errc::truncated);  // DataLen past end
  CHECK(opaque_data::decode(patched(g, 9, 0x20), opaque_format::general) == errc::truncated);   // VendorLen past end

  const bytes_view f = fmt1_select;
  CHECK(opaque_data::decode(patched(f, 3, 1), opaque_format::fmt1) == errc::reserved_nonzero);
  // Secured-message element checks.
  CHECK(secured_message_opaque::parse(patched(f, 8, 2), opaque_format::fmt1) == errc::unsupported);  // SMDataVersion
  CHECK(secured_message_opaque::parse(patched(g, 14, 0), opaque_format::general) == errc::invalid_field);  // count 0
  CHECK(secured_message_opaque::parse(patched(g, 14, 2), opaque_format::general) == errc::invalid_field);  // count/len
  // An element from another registry, or an unknown SMDataID, is skipped.
  auto other_registry = secured_message_opaque::parse(patched(f, 4, 3), opaque_format::fmt1);
  REQUIRE(other_registry.has_value());
  CHECK_FALSE(other_registry->selected_version.has_value());
  auto unknown_id = secured_message_opaque::parse(patched(f, 9, 7), opaque_format::fmt1);
  REQUIRE(unknown_id.has_value());
  CHECK_FALSE(unknown_id->selected_version.has_value());
  // A second VersionSelection is a contradiction.
  constexpr auto twice = hex_bytes<20>("02000000 00000400 01000012 00000400 01000013");
  CHECK(secured_message_opaque::parse(twice, opaque_format::fmt1) == errc::invalid_field);
}

TEST_CASE("opaque data: builder errors", "[spdm][opaque]") {
  std::array<std::byte, 64> buf{};
  {
    writer w{buf};
    opaque_builder b{w, opaque_format::vendor};
    CHECK(b.finish() == errc::unsupported);
  }
  {
    writer w{buf};
    opaque_builder b{w, opaque_format::fmt1};
    b.sm_supported_versions({});
    CHECK(b.finish() == errc::out_of_range);
  }
  {
    writer w{buf};
    opaque_builder b{w, opaque_format::fmt1};
    b.sm_aead_limit(65);
    CHECK(b.finish() == errc::out_of_range);
  }
  {
    std::array<std::byte, 10> small{};
    writer w{small};
    opaque_builder b{w, opaque_format::fmt1};
    b.sm_version_selection({0x1200});
    CHECK(b.finish() == errc::buffer_too_small);
  }
}
