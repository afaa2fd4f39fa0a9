// SPDX-License-Identifier: Apache-2.0
#include "pmci/core/bytes.hpp"

#include <array>

#include "pmci/core/hex.hpp"
#include "support/catch.hpp"

using namespace pmci;

namespace {
constexpr bool reader_reads_all_widths() {
  constexpr auto in = hex_bytes<18>("01 0302 060504 0a090807 1211100f0e0d0c0b");
  reader r{in};
  bool good = r.u8() == 0x01 && r.u16le() == 0x0203 && r.u24le() == 0x040506 && r.u32le() == 0x0708090a &&
              r.u64le() == 0x0b0c0d0e0f101112ull;
  return good && r.finish().has_value();
}
constexpr bool reader_is_sticky() {
  constexpr auto in = hex_bytes<3>("aabbcc");
  reader r{in};
  (void)r.u16be();
  const auto bad = r.u32le();   // fails: only one byte left
  const auto after = r.u8();    // sticky: no read although one byte remains
  return bad == 0 && after == 0 && !r.ok() && r.error() == errc::truncated && r.remaining() == 0;
}
constexpr bool writer_roundtrip() {
  std::array<std::byte, 16> buf{};
  writer w{buf};
  w.u8(1).u16be(0x0203).u24le(0x060504).u32be(0x0708090a).u16le(0x0c0b);
  if (!w.ok() || w.size() != 12) return false;
  reader r{as_view(w.written())};
  return r.u8() == 1 && r.u16be() == 0x0203 && r.u24le() == 0x060504 && r.u32be() == 0x0708090a &&
         r.u16le() == 0x0c0b && r.finish().has_value();
}
constexpr bool writer_is_sticky() {
  std::array<std::byte, 3> buf{};
  writer w{buf};
  w.u16le(1).u16le(2).u8(3);  // second write overflows; third must not land either
  return !w.ok() && w.error() == errc::buffer_too_small && w.size() == 2 && !w.finish().has_value();
}
}  // namespace

TEST_CASE("reader reads little/big endian fields incl. 24-bit", "[core][bytes]") {
  static_assert(reader_reads_all_widths());
  CHECK(reader_reads_all_widths());
}

TEST_CASE("reader errors are sticky and never read out of bounds", "[core][bytes]") {
  static_assert(reader_is_sticky());
  CHECK(reader_is_sticky());
  constexpr auto in = hex_bytes<2>("0001");
  reader r{in};
  CHECK(r.bytes(3).empty());
  CHECK(r.error() == errc::truncated);
}

TEST_CASE("reader reserved() and finish() report the right errc", "[core][bytes]") {
  constexpr auto in = hex_bytes<3>("000100");
  reader r{in};
  r.reserved(2);
  CHECK(r.error() == errc::reserved_nonzero);
  reader t{in};
  t.skip(2);
  CHECK(t.finish() == errc::trailing_data);
  CHECK(t.status().has_value());
}

TEST_CASE("writer writes fields and is sticky on overflow", "[core][bytes]") {
  static_assert(writer_roundtrip());
  CHECK(writer_roundtrip());
  static_assert(writer_is_sticky());
  CHECK(writer_is_sticky());
}

TEST_CASE("writer rejects 24-bit values that do not fit", "[core][bytes]") {
  std::array<std::byte, 8> buf{};
  writer w{buf};
  w.u24le(0x1000000);
  CHECK(w.error() == errc::out_of_range);
  CHECK(w.status() == errc::out_of_range);
}

TEST_CASE("endian loads and stores", "[core][endian]") {
  std::array<std::byte, 8> b{};
  store_u24be(b, 0x123456);
  CHECK(load_u24be(b) == 0x123456);
  CHECK(load_u24le(b) == 0x563412);
  store_u64be(b, 0x0102030405060708ull);
  CHECK(load_u64le(b) == 0x0807060504030201ull);
}
