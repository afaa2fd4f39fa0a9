// SPDX-License-Identifier: Apache-2.0
// Hex text <-> bytes, constexpr. For tests, tools and diagnostics; never on a hot path.
//
//   constexpr auto msg = pmci::hex_bytes<5>("0510840000");   // std::array<std::byte, 5>
//   auto n = pmci::parse_hex("05 10 84", buf);                 // whitespace ignored
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "pmci/core/assert.hpp"
#include "pmci/core/result.hpp"

namespace pmci {

namespace detail {
constexpr int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
constexpr bool hex_space(char c) noexcept { return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == ':'; }
}  // namespace detail

/// Parse hex digits (spaces, tabs, newlines and ':' between bytes are ignored) into out.
/// Returns the number of bytes written; invalid_field for a bad digit or odd count,
/// buffer_too_small when out is too short.
constexpr result<std::size_t> parse_hex(std::string_view text, std::span<std::byte> out) noexcept {
  std::size_t n = 0;
  int hi = -1;
  for (char c : text) {
    if (detail::hex_space(c)) {
      if (hi >= 0) return errc::invalid_field;
      continue;
    }
    const int d = detail::hex_digit(c);
    if (d < 0) return errc::invalid_field;
    if (hi < 0) { hi = d; continue; }
    if (n >= out.size()) return errc::buffer_too_small;
    out[n++] = static_cast<std::byte>((hi << 4) | d);
    hi = -1;
  }
  if (hi >= 0) return errc::invalid_field;
  return n;
}

/// Number of bytes a hex string encodes (ignoring separators).
constexpr std::size_t hex_size(std::string_view text) noexcept {
  std::size_t digits = 0;
  for (char c : text) if (detail::hex_digit(c) >= 0) ++digits;
  return digits / 2;
}

/// Compile-time byte array from hex; N must match exactly (asserted, i.e. a compile error in
/// constant evaluation).
template <std::size_t N>
constexpr std::array<std::byte, N> hex_bytes(std::string_view text) noexcept {
  std::array<std::byte, N> a{};
  auto r = parse_hex(text, a);
  PMCI_ASSERT(r.has_value() && *r == N);
  return a;
}

/// Write lowercase hex of `in` into `out` (2 chars per byte, no separators, no NUL).
/// Returns the number of characters written or buffer_too_small.
constexpr result<std::size_t> to_hex(std::span<const std::byte> in, std::span<char> out) noexcept {
  constexpr char digits[] = "0123456789abcdef";
  if (out.size() < in.size() * 2) return errc::buffer_too_small;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto v = std::to_integer<std::uint8_t>(in[i]);
    out[2 * i] = digits[v >> 4];
    out[2 * i + 1] = digits[v & 0xF];
  }
  return in.size() * 2;
}

}  // namespace pmci
