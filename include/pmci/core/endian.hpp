// SPDX-License-Identifier: Apache-2.0
// Explicit byte-order loads and stores. Wire formats name their byte order per field (MCTP
// control: big-endian; SPDM: little-endian, incl. 24-bit lengths), so nothing here depends on
// the host's endianness and nothing casts a struct onto wire bytes (DESIGN rule 3).
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/core/assert.hpp"

namespace pmci {

using bytes_view = std::span<const std::byte>;
using bytes_span = std::span<std::byte>;

namespace detail {
// The loops on a pointer: what the span forms below (after their size assert) and the reader
// and writer (after their one bounds check) use. load_le's 16/24/32-bit forms are one expression
// each: GCC merges it into a single (unaligned) load on a little-endian target, where at -Os it
// kept the loop of byte loads (issue 9 footprint).
template <class T, std::size_t N>
constexpr T load_le(const std::byte* p) noexcept {
  const auto b = [p](std::size_t i) { return static_cast<T>(std::to_integer<std::uint8_t>(p[i])); };
  if constexpr (N == 2) {
    return static_cast<T>(b(0) | b(1) << 8);
  } else if constexpr (N == 3) {
    return static_cast<T>(b(0) | b(1) << 8 | b(2) << 16);
  } else if constexpr (N == 4) {
    return static_cast<T>(b(0) | b(1) << 8 | b(2) << 16 | b(3) << 24);
  } else {
    T v = 0;
    for (std::size_t i = 0; i < N; ++i) v = static_cast<T>(v | static_cast<T>(b(i) << (8 * i)));
    return v;
  }
}
template <class T, std::size_t N>
constexpr T load_be(const std::byte* p) noexcept {
  T v = 0;
  for (std::size_t i = 0; i < N; ++i) v = static_cast<T>((v << 8) | std::to_integer<std::uint8_t>(p[i]));
  return v;
}
template <class T, std::size_t N>
constexpr void store_le(std::byte* p, T v) noexcept {
  for (std::size_t i = 0; i < N; ++i) p[i] = static_cast<std::byte>(static_cast<std::uint8_t>(v >> (8 * i)));
}
template <class T, std::size_t N>
constexpr void store_be(std::byte* p, T v) noexcept {
  for (std::size_t i = 0; i < N; ++i) p[N - 1 - i] = static_cast<std::byte>(static_cast<std::uint8_t>(v >> (8 * i)));
}
template <class T, std::size_t N>
constexpr T load_le(bytes_view p) noexcept {
  PMCI_ASSERT(p.size() >= N);
  return load_le<T, N>(p.data());
}
template <class T, std::size_t N>
constexpr T load_be(bytes_view p) noexcept {
  PMCI_ASSERT(p.size() >= N);
  return load_be<T, N>(p.data());
}
template <class T, std::size_t N>
constexpr void store_le(bytes_span p, T v) noexcept {
  PMCI_ASSERT(p.size() >= N);
  store_le<T, N>(p.data(), v);
}
template <class T, std::size_t N>
constexpr void store_be(bytes_span p, T v) noexcept {
  PMCI_ASSERT(p.size() >= N);
  store_be<T, N>(p.data(), v);
}
}  // namespace detail

// Loads: the span must hold at least the field's size (programmer error otherwise).
constexpr std::uint16_t load_u16le(bytes_view p) noexcept { return detail::load_le<std::uint16_t, 2>(p); }
constexpr std::uint32_t load_u24le(bytes_view p) noexcept { return detail::load_le<std::uint32_t, 3>(p); }
constexpr std::uint32_t load_u32le(bytes_view p) noexcept { return detail::load_le<std::uint32_t, 4>(p); }
constexpr std::uint64_t load_u64le(bytes_view p) noexcept { return detail::load_le<std::uint64_t, 8>(p); }
constexpr std::uint16_t load_u16be(bytes_view p) noexcept { return detail::load_be<std::uint16_t, 2>(p); }
constexpr std::uint32_t load_u24be(bytes_view p) noexcept { return detail::load_be<std::uint32_t, 3>(p); }
constexpr std::uint32_t load_u32be(bytes_view p) noexcept { return detail::load_be<std::uint32_t, 4>(p); }
constexpr std::uint64_t load_u64be(bytes_view p) noexcept { return detail::load_be<std::uint64_t, 8>(p); }

// Stores: 24-bit stores take the low 24 bits of v.
constexpr void store_u16le(bytes_span p, std::uint16_t v) noexcept { detail::store_le<std::uint16_t, 2>(p, v); }
constexpr void store_u24le(bytes_span p, std::uint32_t v) noexcept { detail::store_le<std::uint32_t, 3>(p, v); }
constexpr void store_u32le(bytes_span p, std::uint32_t v) noexcept { detail::store_le<std::uint32_t, 4>(p, v); }
constexpr void store_u64le(bytes_span p, std::uint64_t v) noexcept { detail::store_le<std::uint64_t, 8>(p, v); }
constexpr void store_u16be(bytes_span p, std::uint16_t v) noexcept { detail::store_be<std::uint16_t, 2>(p, v); }
constexpr void store_u24be(bytes_span p, std::uint32_t v) noexcept { detail::store_be<std::uint32_t, 3>(p, v); }
constexpr void store_u32be(bytes_span p, std::uint32_t v) noexcept { detail::store_be<std::uint32_t, 4>(p, v); }
constexpr void store_u64be(bytes_span p, std::uint64_t v) noexcept { detail::store_be<std::uint64_t, 8>(p, v); }

}  // namespace pmci
