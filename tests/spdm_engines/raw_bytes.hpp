// SPDX-License-Identifier: Apache-2.0
// Hand-built wire messages for the tests that drive an engine with raw requests (ERROR paths,
// reserved-field tolerance). Catch2 only: not for the benchmarks that share harness.hpp.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
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

}  // namespace pmci::test
