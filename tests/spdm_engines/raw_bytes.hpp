// SPDX-License-Identifier: Apache-2.0
// Hand-built wire messages for the tests that drive an engine with raw requests (ERROR paths,
// reserved-field tolerance). Catch2 only: not for the benchmarks that share harness.hpp.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <random>
#include <vector>

#include "pmci/core/bytes.hpp"
#include "pmci/spdm/types.hpp"
#include "support/catch.hpp"

namespace pmci::test {

/// Raw wire bytes: B({0x12, 0x84, 0, 0}).
inline std::vector<std::byte> B(std::initializer_list<int> v) {
  std::vector<std::byte> b;
  for (int x : v) b.push_back(std::byte{static_cast<std::uint8_t>(x)});
  return b;
}

/// A codec message encoded for the negotiated state `n` (for layouts that depend on it).
template <class M>
std::vector<std::byte> encode_msg(const M& m, const spdm::negotiated& n) {
  std::array<std::byte, 256> buf{};
  writer w{buf};
  if constexpr (requires { m.encode(w, n); })
    REQUIRE(m.encode(w, n));
  else
    REQUIRE(m.encode(w));
  return {w.written().begin(), w.written().end()};
}

/// A random mutation of a valid request, for holding an in-place reader to decode(): the code
/// byte stays; mode 0 returns `valid` unchanged, 1 appends up to 5 bytes, 2 drops up to 6 (never
/// below 4 bytes), 3 (`vary_version` only) sets the version byte to 1.0-1.4; then a few bytes
/// after the code byte get small values, single bits or random values (the interesting cases:
/// counts, slots, flags). Without `vary_version` every mutation changes at least one byte.
inline std::vector<std::byte> mutate_request(const std::vector<std::byte>& valid, std::mt19937& rng,
                                             bool vary_version) {
  std::vector<std::byte> m = valid;
  const int mode = static_cast<int>(rng() % (vary_version ? 5 : 4));
  if (mode == 0) return m;
  if (mode == 1) m.resize(m.size() + rng() % 6, std::byte{static_cast<std::uint8_t>(rng())});
  if (mode == 2 && m.size() > 4) m.resize(m.size() - 1 - rng() % (m.size() - 4 < 6 ? m.size() - 4 : 6));
  if (vary_version && mode == 3) m[0] = std::byte{static_cast<std::uint8_t>(0x10 + rng() % 5)};
  if (m.size() > 2) {
    const auto flips = vary_version ? rng() % 3 : 1 + rng() % 3;
    for (std::size_t i = 0; i < flips; ++i) {
      const std::size_t at = 2 + rng() % (m.size() - 2);
      const auto v = static_cast<std::uint8_t>(rng() % 3 == 0 ? rng() % 8 : rng() % 2 ? 1u << (rng() % 8) : rng());
      m[at] = std::byte{v};
    }
  }
  return m;
}

}  // namespace pmci::test
