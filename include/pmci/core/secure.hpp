// SPDX-License-Identifier: Apache-2.0
// Handling of secrets: constant-time comparison and wiping that the optimizer cannot remove.
// Verify data, MACs and finished keys are compared with ct_equal (DSP0277 security
// considerations); session keys are wiped with secure_wipe when a session ends.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace pmci {

/// Compare two byte strings in time that depends only on their lengths, never on content.
/// Different lengths compare unequal (length is not secret).
[[nodiscard]] inline bool ct_equal(std::span<const std::byte> a, std::span<const std::byte> b) noexcept {
  if (a.size() != b.size()) return false;
  volatile std::uint8_t acc = 0;
  for (std::size_t i = 0; i < a.size(); ++i) acc = acc | std::to_integer<std::uint8_t>(a[i] ^ b[i]);
  return acc == 0;
}

/// Overwrite memory with zeros in a way the compiler may not elide as a dead store.
inline void secure_wipe(std::span<std::byte> s) noexcept {
  volatile std::byte* p = s.data();
  for (std::size_t i = 0; i < s.size(); ++i) p[i] = std::byte{0};
#if defined(__GNUC__) || defined(__clang__)
  __asm__ __volatile__("" : : "r"(s.data()) : "memory");
#endif
}
template <std::size_t N>
inline void secure_wipe(std::array<std::byte, N>& a) noexcept { secure_wipe(std::span<std::byte>(a)); }

/// A fixed-size secret that wipes itself on destruction and on reset().
template <std::size_t N>
class secret {
 public:
  constexpr secret() noexcept = default;
  secret(const secret&) = default;
  secret& operator=(const secret&) = default;
  ~secret() { secure_wipe(bytes_); }
  void reset() noexcept { secure_wipe(bytes_); }
  [[nodiscard]] constexpr std::span<std::byte, N> span() noexcept { return bytes_; }
  [[nodiscard]] constexpr std::span<const std::byte, N> span() const noexcept { return bytes_; }
  [[nodiscard]] static constexpr std::size_t size() noexcept { return N; }

 private:
  std::array<std::byte, N> bytes_{};
};

}  // namespace pmci
