// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by the crypto tests (host side: std::vector and std::string are fine).
#pragma once
#include <cstddef>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "pmci/core/endian.hpp"
#include "support/vectors.hpp"

namespace pmci::test::crypto {

using bytes = std::vector<std::byte>;

inline bytes hx(const std::string& s) { return pmci::test::from_hex(s); }
inline bytes ascii(std::string_view s) {
  bytes b(s.size());
  if (!s.empty()) std::memcpy(b.data(), s.data(), s.size());
  return b;
}
inline bytes repeat(std::uint8_t v, std::size_t n) { return bytes(n, std::byte{v}); }
inline bytes range(unsigned from, unsigned to_exclusive) {
  bytes b;
  for (unsigned i = from; i < to_exclusive; ++i) b.push_back(static_cast<std::byte>(i));
  return b;
}
inline bytes cat(std::initializer_list<pmci::bytes_view> parts) {
  bytes out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}
inline std::string hex(pmci::bytes_view v) { return pmci::test::to_hex(bytes(v.begin(), v.end())); }
inline pmci::bytes_view view(const bytes& b) { return {b.data(), b.size()}; }

}  // namespace pmci::test::crypto
