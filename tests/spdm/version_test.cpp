// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/version.hpp"

#include "codec_check.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::test;

namespace {
constexpr negotiated n10{};
constexpr auto get_ver = hex_bytes<4>("10840000");
constexpr auto ver_13 = hex_bytes<8>("1004000000010013");  // spdm13 capture, message 2
constexpr auto ver_multi = hex_bytes<12>("10040000 0003 0010 0011 1012");

constexpr bool version_list() {
  auto v = version_response::decode(ver_multi, n10);
  return v && v->count() == 3 && v->entry(2).raw == 0x1210 && v->entry(2).update() == 1 &&
         v->versions() == version_set{v1_0, v1_1, v1_2};
}
constexpr bool version_of_set() {
  std::array<std::byte, 8> storage{};
  const auto v = version_response::of(version_set{v1_1, v1_3}, storage);
  std::array<std::byte, 16> out{};
  writer w{out};
  return v.encode(w).has_value() && equal(w.written(), hex_bytes<10>("10040000 0002 0011 0013"));
}
}  // namespace

TEST_CASE("GET_VERSION / VERSION round trip (captured)", "[spdm][version]") {
  static_assert(roundtrip<get_version>(get_ver, n10));
  static_assert(roundtrip<version_response>(ver_13, n10));
  static_assert(roundtrip<version_response>(ver_multi, n10));
  CHECK(roundtrip<get_version>(get_ver, n10));
  CHECK(roundtrip<version_response>(ver_13, n10));
  static_assert(version_list());
  CHECK(version_list());
  static_assert(version_of_set());
  CHECK(version_of_set());
}

TEST_CASE("GET_VERSION / VERSION malformed", "[spdm][version]") {
  static_assert(every_prefix_truncated<get_version>(get_ver, n10));
  static_assert(every_prefix_truncated<version_response>(ver_multi, n10));
  CHECK(every_prefix_truncated<version_response>(ver_13, n10));
  // Always 0x10, whatever was negotiated before (spdm.md §1).
  static_assert(fails_with<get_version>(with(get_ver, 0, 0x12), errc::version_mismatch, n10));
  static_assert(fails_with<version_response>(with(ver_13, 0, 0x11), errc::version_mismatch, n10));
  static_assert(fails_with<get_version>(with(get_ver, 0, 0x20), errc::unsupported, n10));
  static_assert(fails_with<get_version>(with(get_ver, 1, 0x04), errc::invalid_field, n10));
  static_assert(fails_with<get_version>(with(get_ver, 2, 0x01), errc::reserved_nonzero, n10));
  static_assert(fails_with<get_version>(with(get_ver, 3, 0x01), errc::reserved_nonzero, n10));
  static_assert(fails_with<version_response>(with(ver_13, 4, 0x01), errc::reserved_nonzero, n10));
  // Count past the end, count zero, trailing bytes.
  static_assert(fails_with<version_response>(with(ver_13, 5, 0x02), errc::truncated, n10));
  static_assert(fails_with<version_response>(hex_bytes<6>("100400000000"), errc::invalid_field, n10));
  static_assert(fails_with<get_version>(hex_bytes<5>("1084000000"), errc::trailing_data, n10));
  static_assert(fails_with<version_response>(hex_bytes<9>("100400000001001300"), errc::trailing_data, n10));
  CHECK(fails_with<version_response>(with(ver_13, 5, 0xFF), errc::truncated, n10));
}

TEST_CASE("VERSION encode rejects an empty or odd list", "[spdm][version]") {
  std::array<std::byte, 16> out{};
  writer w{out};
  CHECK(version_response{}.encode(w) == errc::invalid_field);
  const std::array<std::byte, 3> odd{};
  CHECK(version_response{odd}.encode(w) == errc::invalid_field);
  std::array<std::byte, 5> small{};
  writer ws{small};
  CHECK(version_response::decode(ver_13, n10)->encode(ws) == errc::buffer_too_small);
}
