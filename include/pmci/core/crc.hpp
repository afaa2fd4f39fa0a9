// SPDX-License-Identifier: Apache-2.0
// CRCs used by the PMCI bindings.
//
// crc8: SMBus PEC — polynomial x^8+x^2+x+1 (0x07), init 0, MSB first, no reflection, no final
// XOR; check value crc8("123456789") = 0xF4. Used by DSP0237 (SMBus) and DSP0233 (I3C) framing.
// crc32 / crc32c: reflected CRC-32 (IEEE 802.3, 0xEDB88320) and CRC-32C (Castagnoli,
// 0x82F63B78), init and final XOR 0xFFFFFFFF, for message integrity checks (MCTP IC bit; the
// check format is defined by each message type, e.g. NVMe-MI uses CRC-32C).
//
// All are bitwise (no 256-entry tables): a few dozen bytes of Cortex-M flash instead of 256 B or
// 1 KiB, which matters more than speed for 69-byte I3C frames.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace pmci {

/// Continue a CRC-8 (poly 0x07) over `data`, starting from `crc` (0 for a fresh PEC).
constexpr std::uint8_t crc8_update(std::uint8_t crc, std::span<const std::byte> data) noexcept {
  for (std::byte b : data) {
    crc ^= std::to_integer<std::uint8_t>(b);
    for (int i = 0; i < 8; ++i) crc = static_cast<std::uint8_t>((crc & 0x80) ? (crc << 1) ^ 0x07 : crc << 1);
  }
  return crc;
}
constexpr std::uint8_t crc8_update(std::uint8_t crc, std::uint8_t byte) noexcept {
  const std::byte b{byte};
  return crc8_update(crc, std::span<const std::byte>(&b, 1));
}
/// SMBus PEC of `data`.
constexpr std::uint8_t crc8(std::span<const std::byte> data) noexcept { return crc8_update(0, data); }

namespace detail {
template <std::uint32_t Poly>
constexpr std::uint32_t crc32_reflected_update(std::uint32_t state, std::span<const std::byte> data) noexcept {
  for (std::byte b : data) {
    state ^= std::to_integer<std::uint8_t>(b);
    for (int i = 0; i < 8; ++i) state = (state & 1u) ? (state >> 1) ^ Poly : state >> 1;
  }
  return state;
}
}  // namespace detail

/// Incremental CRC-32: `auto s = crc32_init(); s = crc32_update(s, part)...; crc32_final(s)`.
constexpr std::uint32_t crc32_init() noexcept { return 0xFFFFFFFFu; }
constexpr std::uint32_t crc32_update(std::uint32_t s, std::span<const std::byte> d) noexcept {
  return detail::crc32_reflected_update<0xEDB88320u>(s, d);
}
constexpr std::uint32_t crc32_final(std::uint32_t s) noexcept { return s ^ 0xFFFFFFFFu; }
/// CRC-32 (IEEE): crc32("123456789") = 0xCBF43926.
constexpr std::uint32_t crc32(std::span<const std::byte> d) noexcept { return crc32_final(crc32_update(crc32_init(), d)); }

constexpr std::uint32_t crc32c_update(std::uint32_t s, std::span<const std::byte> d) noexcept {
  return detail::crc32_reflected_update<0x82F63B78u>(s, d);
}
/// CRC-32C (Castagnoli): crc32c("123456789") = 0xE3069283.
constexpr std::uint32_t crc32c(std::span<const std::byte> d) noexcept { return crc32_final(crc32c_update(crc32_init(), d)); }

}  // namespace pmci
