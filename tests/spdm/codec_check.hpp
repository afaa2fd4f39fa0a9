// SPDX-License-Identifier: Apache-2.0
// Shared helpers for the SPDM codec tests: constexpr round trips and error expectations, usable in
// static_assert and CHECK alike (DESIGN rule 7).
#pragma once
#include <array>
#include <cstddef>

#include "pmci/core/bytes.hpp"
#include "pmci/core/hex.hpp"
#include "pmci/spdm/header.hpp"

namespace pmci::spdm::test {

/// decode(bytes) succeeds and encode() gives the same bytes back. Extra arguments (a
/// response_context) go to both decode and encode.
template <class T, class... Ctx>
constexpr bool roundtrip(bytes_view bytes, const negotiated& n, const Ctx&... ctx) {
  auto m = T::decode(bytes, n, ctx...);
  if (!m) return false;
  std::array<std::byte, 2048> out{};
  writer w{out};
  if (!m->encode(w, n, ctx...)) return false;
  return equal(w.written(), bytes);
}

/// decode(bytes) fails with exactly e.
template <class T, class... Ctx>
constexpr bool fails_with(bytes_view bytes, errc e, const negotiated& n, const Ctx&... ctx) {
  auto m = T::decode(bytes, n, ctx...);
  return !m && m.error() == e;
}

/// Every proper prefix of bytes fails to decode with errc::truncated.
template <class T, class... Ctx>
constexpr bool every_prefix_truncated(bytes_view bytes, const negotiated& n, const Ctx&... ctx) {
  for (std::size_t len = 0; len < bytes.size(); ++len)
    if (!fails_with<T>(bytes.first(len), errc::truncated, n, ctx...)) return false;
  return true;
}

/// A copy of `a` with byte i set to v (malformed-input tests).
template <std::size_t N>
constexpr std::array<std::byte, N> with(std::array<std::byte, N> a, std::size_t i, std::uint8_t v) {
  a[i] = std::byte{v};
  return a;
}

}  // namespace pmci::spdm::test
