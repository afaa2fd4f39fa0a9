// SPDX-License-Identifier: Apache-2.0
// Fixed-capacity owning containers (the "owning shell" around non-owning spans, DESIGN rule 2).
// Capacity is a template argument; the object's size is known at compile time; no heap.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "pmci/core/assert.hpp"
#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"

namespace pmci {

/// Up to N bytes with a current size. Implicitly a bytes_view of the used part.
template <std::size_t N>
class byte_buffer {
 public:
  static constexpr std::size_t capacity_v = N;

  constexpr byte_buffer() noexcept = default;

  [[nodiscard]] static constexpr std::size_t capacity() noexcept { return N; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] constexpr std::byte* data() noexcept { return data_.data(); }
  [[nodiscard]] constexpr const std::byte* data() const noexcept { return data_.data(); }
  [[nodiscard]] constexpr bytes_view view() const noexcept { return {data_.data(), size_}; }
  [[nodiscard]] constexpr bytes_span span() noexcept { return {data_.data(), size_}; }
  /// The whole storage, for writers that fill it and then call resize().
  [[nodiscard]] constexpr bytes_span storage() noexcept { return data_; }
  constexpr operator bytes_view() const noexcept { return view(); }  // NOLINT

  constexpr std::byte& operator[](std::size_t i) noexcept { PMCI_ASSERT(i < size_); return data_[i]; }
  constexpr const std::byte& operator[](std::size_t i) const noexcept { PMCI_ASSERT(i < size_); return data_[i]; }

  constexpr void clear() noexcept { size_ = 0; }
  /// Set the used size (after writing into storage()). Programmer error past capacity.
  constexpr void resize(std::size_t n) noexcept { PMCI_ASSERT(n <= N); size_ = n; }

  /// Append; buffer_too_small (and no change) if it does not fit.
  constexpr result<void> append(bytes_view v) noexcept {
    if (v.size() > N - size_) return errc::buffer_too_small;
    for (std::size_t i = 0; i < v.size(); ++i) data_[size_ + i] = v[i];
    size_ += v.size();
    return ok();
  }
  constexpr result<void> assign(bytes_view v) noexcept {
    clear();
    return append(v);
  }

 private:
  std::array<std::byte, N> data_{};
  std::size_t size_ = 0;
};

/// A vector of up to N trivially-copyable T in fixed storage.
template <class T, std::size_t N>
class static_vector {
  static_assert(std::is_trivially_copyable_v<T> && std::is_default_constructible_v<T>,
                "static_vector holds trivially copyable, default-constructible values");

 public:
  constexpr static_vector() noexcept = default;
  [[nodiscard]] static constexpr std::size_t capacity() noexcept { return N; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return size_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return size_ == 0; }
  [[nodiscard]] constexpr bool full() const noexcept { return size_ == N; }
  constexpr T* begin() noexcept { return data_.data(); }
  constexpr T* end() noexcept { return data_.data() + size_; }
  constexpr const T* begin() const noexcept { return data_.data(); }
  constexpr const T* end() const noexcept { return data_.data() + size_; }
  constexpr T& operator[](std::size_t i) noexcept { PMCI_ASSERT(i < size_); return data_[i]; }
  constexpr const T& operator[](std::size_t i) const noexcept { PMCI_ASSERT(i < size_); return data_[i]; }
  [[nodiscard]] constexpr std::span<const T> view() const noexcept { return {data_.data(), size_}; }
  constexpr void clear() noexcept { size_ = 0; }
  /// Append; no_resources when full.
  constexpr result<void> push_back(const T& v) noexcept {
    if (size_ == N) return errc::no_resources;
    data_[size_++] = v;
    return ok();
  }

 private:
  std::array<T, N> data_{};
  std::size_t size_ = 0;
};

}  // namespace pmci
