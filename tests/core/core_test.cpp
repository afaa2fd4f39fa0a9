// SPDX-License-Identifier: Apache-2.0
#include <array>
#include <string_view>

#include "pmci/core/buffer.hpp"
#include "pmci/core/crc.hpp"
#include "pmci/core/hex.hpp"
#include "pmci/core/result.hpp"
#include "pmci/core/secure.hpp"
#include "support/alloc_counter.hpp"
#include "support/catch.hpp"

using namespace pmci;

namespace {
inline std::span<const std::byte> ascii(std::string_view s) {
  // Only for test strings: bytes of a literal.
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}
constexpr auto check_digits = hex_bytes<9>("313233343536373839");  // "123456789"

constexpr result<int> half(int v) {
  if (v % 2) return errc::invalid_field;
  return v / 2;
}
constexpr result<int> quarter(int v) {
  PMCI_TRY_ASSIGN(int h, half(v));
  return half(h);
}
}  // namespace

TEST_CASE("crc8 is the SMBus PEC (poly 0x07, init 0)", "[core][crc]") {
  static_assert(crc8(check_digits) == 0xF4);  // published check value
  CHECK(crc8(check_digits) == 0xF4);
  CHECK(crc8_update(crc8_update(0, std::span(check_digits).first(4)), std::span(check_digits).subspan(4)) == 0xF4);
  // DSP0237 frame from shared/spec/vectors.md §3: PEC over 11 bytes = 0x43.
  constexpr auto frame = hex_bytes<11>("3a0f0821010008c8008102");
  static_assert(crc8(frame) == 0x43);
}

TEST_CASE("crc32 and crc32c check values", "[core][crc]") {
  static_assert(crc32(check_digits) == 0xCBF43926u);
  static_assert(crc32c(check_digits) == 0xE3069283u);
  CHECK(crc32(check_digits) == 0xCBF43926u);
  CHECK(crc32(ascii("")) == 0);
}

TEST_CASE("result carries values and errors; PMCI_TRY propagates", "[core][result]") {
  static_assert(*quarter(8) == 2);
  static_assert(quarter(6) == errc::invalid_field);
  CHECK(quarter(12).value() == 3);
  CHECK_FALSE(quarter(5).has_value());
  CHECK(quarter(5).value_or(-1) == -1);
  result<void> v = ok();
  CHECK(v.has_value());
  result<void> e = errc::busy;
  CHECK(e == errc::busy);
  CHECK(std::string_view(to_string(errc::truncated)) == "truncated");
}

TEST_CASE("hex parsing and formatting", "[core][hex]") {
  std::array<std::byte, 4> out{};
  CHECK(parse_hex("de ad:BE\nef", out).value() == 4);
  CHECK(out[3] == std::byte{0xef});
  CHECK(parse_hex("abc", out) == errc::invalid_field);
  CHECK(parse_hex("0102030405", out) == errc::buffer_too_small);
  CHECK(parse_hex("zz", out) == errc::invalid_field);
  REQUIRE(parse_hex("deadbeef", out).value() == 4);  // the failed calls above may write partially
  std::array<char, 8> text{};
  CHECK(to_hex(out, text).value() == 8);
  CHECK(std::string_view(text.data(), 8) == "deadbeef");
  static_assert(hex_size("01 02 03") == 3);
}

TEST_CASE("byte_buffer and static_vector never exceed capacity", "[core][buffer]") {
  byte_buffer<4> b;
  CHECK(b.append(check_digits) == errc::buffer_too_small);
  CHECK(b.empty());
  CHECK(b.append(std::span(check_digits).first(3)).has_value());
  CHECK(b.append(std::span(check_digits).first(2)) == errc::buffer_too_small);
  CHECK(b.size() == 3);
  static_vector<int, 2> v;
  CHECK(v.push_back(1).has_value());
  CHECK(v.push_back(2).has_value());
  CHECK(v.push_back(3) == errc::no_resources);
  CHECK(v.size() == 2);
}

TEST_CASE("secrets: constant-time compare and wipe", "[core][secure]") {
  auto a = hex_bytes<4>("01020304");
  auto b = hex_bytes<4>("01020305");
  CHECK(ct_equal(a, a));
  CHECK_FALSE(ct_equal(a, b));
  CHECK_FALSE(ct_equal(std::span(a).first(3), a));
  secure_wipe(a);
  CHECK(a == std::array<std::byte, 4>{});
  secret<8> s;
  s.span()[0] = std::byte{7};
  s.reset();
  CHECK(s.span()[0] == std::byte{0});
}

TEST_CASE("core cursors allocate nothing", "[core][alloc]") {
  pmci::test::alloc_scope scope;
  std::array<std::byte, 32> buf{};
  writer w{buf};
  w.u32le(1).bytes(check_digits);
  reader r{as_view(w.written())};
  (void)r.u32le();
  (void)crc8(r.rest());
  CHECK(scope.count() == 0);
}
