// SPDX-License-Identifier: Apache-2.0
// A size function as a table built at compile time (issue 9 footprint): the algorithm-size
// functions (signature sizes of SPDM's BaseAsymAlgo bits and of crypto::sig_alg) keep their
// rule as a switch that only the compiler runs, and firmware reads a few bytes of table instead
// of a compare ladder in every image.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

namespace pmci::detail {

/// {Rule(0), ..., Rule(n - 1)} for the indices below Limit, n = 1 + the last index whose size
/// is not 0 (sizes fit 16 bits).
template <std::size_t Limit, auto Rule>
inline constexpr auto size_table = [] {
  constexpr std::size_t n = [] {
    std::size_t last = 0;
    for (std::size_t i = 0; i < Limit; ++i)
      if (Rule(i) != 0) last = i + 1;
    return last;
  }();
  std::array<std::uint16_t, n> t{};
  for (std::size_t i = 0; i < n; ++i) t[i] = static_cast<std::uint16_t>(Rule(i));
  return t;
}();

/// Rule(i) through size_table: 0 past the table's end, as Rule answers there.
template <std::size_t Limit, auto Rule>
constexpr std::size_t table_size(std::size_t i) noexcept {
  constexpr const auto& t = size_table<Limit, Rule>;
  return i < t.size() ? t[i] : 0;
}

}  // namespace pmci::detail
