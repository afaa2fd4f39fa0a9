// SPDX-License-Identifier: Apache-2.0
#include "pmci/mctp/integrity.hpp"

#include <array>

#include "pmci/core/hex.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::mctp;

namespace {
// An NVMe-MI-shaped message: type byte 0x84 (IC | NVMe-MI), a 3-byte NVMe-MI header, data.
constexpr auto msg = hex_bytes<8>("84 08 00 00 01 02 03 04");

constexpr bool append_then_verify() {
  std::array<std::byte, 16> buf{};
  writer w(buf);
  w.bytes(msg);
  if (!append_crc32c_mic(w) || w.size() != 12) return false;
  // Little-endian CRC-32C of the 8 bytes before it.
  const auto crc = crc32c(msg);
  if (load_u32le(bytes_view(buf).subspan(8, 4)) != crc) return false;
  auto v = verify_crc32c_mic(bytes_view(buf).first(12));
  return v && v->size() == 8 && equal(*v, msg);
}

constexpr errc verify_error(bytes_view m) {
  auto v = verify_crc32c_mic(m);
  return v ? errc{} : v.error();
}

constexpr bool corrupted_fails() {
  std::array<std::byte, 12> buf{};
  writer w(buf);
  w.bytes(msg);
  (void)append_crc32c_mic(w);
  for (std::size_t i = 0; i < buf.size(); ++i) {
    auto copy = buf;
    copy[i] ^= std::byte{0x01};
    if (verify_error(copy) != errc::integrity_error) return false;  // any single-bit error is caught
  }
  // Clearing the IC bit means "there is no MIC": a different error, not a silent pass.
  auto no_ic = buf;
  no_ic[0] &= std::byte{0x7F};
  return verify_error(no_ic) == errc::invalid_field;
}
}  // namespace

TEST_CASE("integrity: CRC-32C MIC append and verify (NVMe-MI format)", "[mctp][integrity]") {
  static_assert(append_then_verify());
  CHECK(append_then_verify());
  static_assert(corrupted_fails());
  CHECK(corrupted_fails());
  // Fixed vector (computed independently with a Python bitwise CRC-32C that reproduces the
  // 0xE3069283 check value): type byte 0x84 + "123456789", MIC e8 14 4c e2 (little-endian).
  constexpr auto with_mic = hex_bytes<14>("84 31 32 33 34 35 36 37 38 39 e8 14 4c e2");
  static_assert(verify_crc32c_mic(with_mic).has_value());
  CHECK(verify_crc32c_mic(with_mic).has_value());
}

TEST_CASE("integrity: errors", "[mctp][integrity]") {
  static_assert(verify_error({}) == errc::truncated);
  static_assert(verify_error(hex_bytes<4>("84 00 00 00")) == errc::truncated);
  static_assert(verify_error(hex_bytes<6>("04 00 00 00 00 00")) == errc::invalid_field);
  CHECK(verify_error(hex_bytes<6>("04 00 00 00 00 00")) == errc::invalid_field);
  std::array<std::byte, 8> buf{};
  writer w(buf);
  CHECK(append_crc32c_mic(w) == errc::invalid_field);  // empty
  writer w2(buf);
  w2.u8(0x04).u8(0x01);
  CHECK(append_crc32c_mic(w2) == errc::invalid_field);  // IC clear
  std::array<std::byte, 5> small{};
  writer w3(small);
  w3.u8(0x84).u8(0x01);
  CHECK(append_crc32c_mic(w3) == errc::buffer_too_small);
}
