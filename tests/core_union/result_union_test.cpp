// SPDX-License-Identifier: Apache-2.0
// pmci::result with PMCI_RESULT_UNION=1, the layout -Os builds get by default (firmware): an
// error leaves a trivially copyable value unconstructed. Host builds (-O2/-O0) default to 0, so
// this executable forces 1 to run the same checks as tests/core on that layout (its own
// executable: the macro changes result's definition).
#define PMCI_RESULT_UNION 1
#include <array>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "support/catch.hpp"

using namespace pmci;

namespace {

// A decoded struct as the codecs have them: default member initialisers, trivially copyable.
struct decoded {
  std::uint8_t code = 0x84;
  std::uint32_t length = 7;
  std::array<std::byte, 48> digest{};
  bytes_view tail{};
};
static_assert(std::is_trivially_copyable_v<result<decoded>>);
static_assert(std::is_trivially_copyable_v<result<std::uint8_t>>);
static_assert(sizeof(result<std::uint8_t>) == 2, "a byte value + a byte error code");
static_assert(sizeof(result<std::uint32_t>) == 8, "a word value + a word error code");
static_assert(sizeof(result<void>) == 4);

// Not trivially destructible: held as a plain member (value-initialised under an error).
struct counted {
  int v = 5;
  constexpr ~counted() {}  // NOLINT: user-provided on purpose
};

constexpr result<decoded> parse(bool good, std::uint32_t len) {
  if (!good) return errc::truncated;
  decoded d;
  d.length = len;
  d.digest[47] = std::byte{0xAA};
  return d;
}
constexpr result<decoded> parse_twice(bool good) {
  PMCI_TRY_ASSIGN(decoded d, parse(good, 3));
  PMCI_TRY(result<void>{});
  d.length += 1;
  return d;
}
constexpr result<std::uint8_t> small(int v) {
  if (v < 0) return errc::out_of_range;
  return static_cast<std::uint8_t>(v);
}
constexpr bool errors_and_values() {
  auto good = parse_twice(true);
  auto bad = parse_twice(false);
  result<decoded> copy = bad;  // copying an error copies the unconstructed bytes: fine
  copy = good;                 // and assigning a value over it
  return good && good->length == 4 && good->digest[47] == std::byte{0xAA} && good->code == 0x84 && !bad &&
         bad.error() == errc::truncated && bad == errc::truncated && !(bad == errc::busy) && copy &&
         copy->length == 4 && parse(false, 0).value_or(decoded{}).length == 7 && *small(7) == 7 &&
         small(-1) == errc::out_of_range && small(-1).value_or(9) == 9;
}
constexpr bool non_trivial_value() {
  result<counted> e = errc::busy;
  result<counted> v = counted{};
  return !e && e.error() == errc::busy && v && v->v == 5;
}
constexpr bool void_results() {
  result<void> a;
  result<void> b = errc::invalid_field;
  return a && !b && b.error() == errc::invalid_field && b == errc::invalid_field && !(a == errc::invalid_field);
}

}  // namespace

TEST_CASE("result (union layout): errors leave the value unconstructed, values round-trip", "[core][result]") {
  static_assert(errors_and_values());
  static_assert(non_trivial_value());
  static_assert(void_results());
  CHECK(errors_and_values());
  CHECK(non_trivial_value());
  CHECK(void_results());
  // At run time too (not folded): the value survives copies, the error is kept.
  volatile bool flag = true;
  auto r = parse(flag, 11);
  REQUIRE(r);
  CHECK(r->length == 11);
  flag = false;
  auto e = parse(flag, 11);
  CHECK(e == errc::truncated);
}

TEST_CASE("reader and writer status under the union layout", "[core][bytes]") {
  std::array<std::byte, 4> buf{};
  writer w{buf};
  w.u16le(0x0201).u8(3);
  CHECK(w.status().has_value());
  w.u16le(4);
  CHECK(w.status() == errc::buffer_too_small);
  CHECK(w.finish() == errc::buffer_too_small);
  reader r{bytes_view(buf).first(3)};
  CHECK(r.u16le() == 0x0201);
  CHECK(r.status().has_value());
  CHECK(r.finish() == errc::trailing_data);
  (void)r.u16le();
  CHECK(r.status() == errc::truncated);
}
