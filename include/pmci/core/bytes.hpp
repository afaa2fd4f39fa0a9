// SPDX-License-Identifier: Apache-2.0
// Bounds-checked cursors over byte spans.
//
// `reader` and `writer` are *sticky* (DESIGN rule 5, after Pigweed's ByteBuilder): the first
// failing operation records its errc, every later operation is a no-op (reads yield 0 / empty
// spans), and the caller checks once at the end with ok()/error()/finish(). A decoder can thus
// read a whole fixed layout without a branch per field and still never read out of bounds.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "pmci/core/endian.hpp"
#include "pmci/core/result.hpp"

namespace pmci {

/// Convenience: view any contiguous bytes as bytes_view.
constexpr bytes_view as_view(bytes_span s) noexcept { return {s.data(), s.size()}; }

/// Reads fields from the front of a byte span. Out-of-bounds reads set errc::truncated.
class reader {
 public:
  constexpr reader() noexcept = default;
  constexpr explicit reader(bytes_view data) noexcept : data_(data) {}

  [[nodiscard]] constexpr bool ok() const noexcept { return err_ == 0; }
  /// First error recorded (errc::truncated, or one set with fail()). Only valid when !ok().
  [[nodiscard]] constexpr errc error() const noexcept { PMCI_ASSERT(!ok()); return detail::from_word(err_); }
  [[nodiscard]] constexpr std::size_t position() const noexcept { return pos_; }
  [[nodiscard]] constexpr std::size_t remaining() const noexcept { return ok() ? data_.size() - pos_ : 0; }
  [[nodiscard]] constexpr bool empty() const noexcept { return remaining() == 0; }
  /// Everything consumed so far.
  [[nodiscard]] constexpr bytes_view consumed() const noexcept { return data_.first(pos_); }
  [[nodiscard]] constexpr bytes_view input() const noexcept { return data_; }

  /// Record an error found by the caller (e.g. a field value check); keeps the first error.
  /// `e` is one of errc's enumerators (errc{} means "no error").
  constexpr void fail(errc e) noexcept {
    if (ok()) err_ = detail::to_word(e);
  }

  constexpr std::uint8_t u8() noexcept { auto p = take(1); return got(p) ? std::to_integer<std::uint8_t>(*p) : 0; }
  constexpr std::uint16_t u16le() noexcept { auto p = take(2); return got(p) ? detail::load_le<std::uint16_t, 2>(p) : 0; }
  constexpr std::uint32_t u24le() noexcept { auto p = take(3); return got(p) ? detail::load_le<std::uint32_t, 3>(p) : 0; }
  constexpr std::uint32_t u32le() noexcept { auto p = take(4); return got(p) ? detail::load_le<std::uint32_t, 4>(p) : 0; }
  constexpr std::uint64_t u64le() noexcept { auto p = take(8); return got(p) ? detail::load_le<std::uint64_t, 8>(p) : 0; }
  constexpr std::uint16_t u16be() noexcept { auto p = take(2); return got(p) ? detail::load_be<std::uint16_t, 2>(p) : 0; }
  constexpr std::uint32_t u24be() noexcept { auto p = take(3); return got(p) ? detail::load_be<std::uint32_t, 3>(p) : 0; }
  constexpr std::uint32_t u32be() noexcept { auto p = take(4); return got(p) ? detail::load_be<std::uint32_t, 4>(p) : 0; }
  constexpr std::uint64_t u64be() noexcept { auto p = take(8); return got(p) ? detail::load_be<std::uint64_t, 8>(p) : 0; }

  /// The next n bytes as a view into the input (no copy); empty on failure.
  constexpr bytes_view bytes(std::size_t n) noexcept {
    auto p = take(n);
    return got(p) ? bytes_view{p, n} : bytes_view{};
  }
  /// All remaining bytes.
  constexpr bytes_view rest() noexcept { return bytes(remaining()); }
  constexpr void skip(std::size_t n) noexcept { (void)take(n); }

  /// Skip n reserved bytes; fails with errc::reserved_nonzero if any is not zero.
  constexpr void reserved(std::size_t n) noexcept {
    for (std::byte b : bytes(n))
      if (b != std::byte{0}) { fail(errc::reserved_nonzero); return; }
  }

  /// ok() ? success : error(). Does not check for trailing bytes.
  [[nodiscard]] constexpr result<void> status() const noexcept {
    return detail::from_word(err_);  // 0 -> errc{} -> a successful result<void>
  }
  /// Like status(), but also fails with errc::trailing_data if input is left over.
  [[nodiscard]] constexpr result<void> finish() const noexcept {
    if (!ok()) return error();
    if (pos_ != data_.size()) return errc::trailing_data;
    return pmci::ok();
  }

 private:
  // The one bounds check of every read: the next n bytes, or nullptr (and errc::truncated
  // recorded) when they are not all there or the reader has already failed. Returning a
  // pointer (one register) instead of a span keeps each caller to a null test.
  constexpr const std::byte* take(std::size_t n) noexcept {
    if (!ok() || n > data_.size() - pos_) {
      fail(errc::truncated);
      return nullptr;
    }
    const std::byte* p = data_.data() + pos_;
    pos_ += n;
    return p;
  }

  constexpr bool got(const std::byte* p) const noexcept {
    // take()/grab() return null exactly when they failed, i.e. when !ok() afterwards. At run
    // time the null test is the cheaper one (the pointer is in a register); in a constant
    // expression GCC cannot always compare the address of a static object with null, so the
    // error code answers there.
    if (std::is_constant_evaluated()) return ok();
    return p != nullptr;
  }

  bytes_view data_{};
  std::size_t pos_ = 0;
  detail::errc_word err_ = 0;  // 0: no error yet (a word: see result.hpp)
};

/// Appends fields to a caller-provided buffer. Overflow sets errc::buffer_too_small; nothing is
/// written past the buffer and the writer never produces a silently partial frame.
class writer {
 public:
  constexpr writer() noexcept = default;
  constexpr explicit writer(bytes_span buf) noexcept : buf_(buf) {}

  [[nodiscard]] constexpr bool ok() const noexcept { return err_ == 0; }
  [[nodiscard]] constexpr errc error() const noexcept { PMCI_ASSERT(!ok()); return detail::from_word(err_); }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return pos_; }
  [[nodiscard]] constexpr std::size_t remaining() const noexcept { return ok() ? buf_.size() - pos_ : 0; }
  [[nodiscard]] constexpr std::size_t capacity() const noexcept { return buf_.size(); }
  /// What has been written so far.
  [[nodiscard]] constexpr bytes_span written() const noexcept { return buf_.first(pos_); }
  [[nodiscard]] constexpr bytes_span buffer() const noexcept { return buf_; }

  /// Record an error; keeps the first. `e` is one of errc's enumerators.
  constexpr void fail(errc e) noexcept {
    if (ok()) err_ = detail::to_word(e);
  }

  constexpr writer& u8(std::uint8_t v) noexcept { if (auto p = grab(1); got(p)) *p = std::byte{v}; return *this; }
  constexpr writer& u16le(std::uint16_t v) noexcept { if (auto p = grab(2); got(p)) detail::store_le<std::uint16_t, 2>(p, v); return *this; }
  constexpr writer& u24le(std::uint32_t v) noexcept {
    if (v > 0xFFFFFFu) { fail(errc::out_of_range); return *this; }
    if (auto p = grab(3); got(p)) detail::store_le<std::uint32_t, 3>(p, v);
    return *this;
  }
  constexpr writer& u32le(std::uint32_t v) noexcept { if (auto p = grab(4); got(p)) detail::store_le<std::uint32_t, 4>(p, v); return *this; }
  constexpr writer& u64le(std::uint64_t v) noexcept { if (auto p = grab(8); got(p)) detail::store_le<std::uint64_t, 8>(p, v); return *this; }
  constexpr writer& u16be(std::uint16_t v) noexcept { if (auto p = grab(2); got(p)) detail::store_be<std::uint16_t, 2>(p, v); return *this; }
  constexpr writer& u24be(std::uint32_t v) noexcept {
    if (v > 0xFFFFFFu) { fail(errc::out_of_range); return *this; }
    if (auto p = grab(3); got(p)) detail::store_be<std::uint32_t, 3>(p, v);
    return *this;
  }
  constexpr writer& u32be(std::uint32_t v) noexcept { if (auto p = grab(4); got(p)) detail::store_be<std::uint32_t, 4>(p, v); return *this; }
  constexpr writer& u64be(std::uint64_t v) noexcept { if (auto p = grab(8); got(p)) detail::store_be<std::uint64_t, 8>(p, v); return *this; }

  constexpr writer& bytes(bytes_view v) noexcept {
    if (auto p = grab(v.size()); got(p))
      for (std::size_t i = 0; i < v.size(); ++i) p[i] = v[i];
    return *this;
  }
  constexpr writer& fill(std::size_t n, std::uint8_t value) noexcept {
    if (auto p = grab(n); got(p))
      for (std::size_t i = 0; i < n; ++i) p[i] = std::byte{value};
    return *this;
  }
  constexpr writer& zeros(std::size_t n) noexcept { return fill(n, 0); }

  /// Reserve n bytes to be filled later (a length, a signature, a MAC); zero-filled. Returns an
  /// empty span on failure.
  constexpr bytes_span reserve(std::size_t n) noexcept {
    auto p = grab(n);
    if (!got(p)) return {};
    for (std::size_t i = 0; i < n; ++i) p[i] = std::byte{0};
    return {p, n};
  }

  /// ok() ? success : error() (like reader::status(); for encoders returning result<void>).
  [[nodiscard]] constexpr result<void> status() const noexcept {
    return detail::from_word(err_);  // 0 -> errc{} -> a successful result<void>
  }

  /// The written bytes, or the first error.
  [[nodiscard]] constexpr result<bytes_span> finish() const noexcept {
    if (!ok()) return error();
    return written();
  }

 private:
  // The one capacity check of every write: room for n more bytes, or nullptr (and
  // errc::buffer_too_small recorded) when they do not fit or the writer has already failed.
  constexpr std::byte* grab(std::size_t n) noexcept {
    if (!ok() || n > buf_.size() - pos_) {
      fail(errc::buffer_too_small);
      return nullptr;
    }
    std::byte* p = buf_.data() + pos_;
    pos_ += n;
    return p;
  }

  constexpr bool got(const std::byte* p) const noexcept {
    // take()/grab() return null exactly when they failed, i.e. when !ok() afterwards. At run
    // time the null test is the cheaper one (the pointer is in a register); in a constant
    // expression GCC cannot always compare the address of a static object with null, so the
    // error code answers there.
    if (std::is_constant_evaluated()) return ok();
    return p != nullptr;
  }

  bytes_span buf_{};
  std::size_t pos_ = 0;
  detail::errc_word err_ = 0;  // 0: no error yet (a word: see result.hpp)
};

/// Byte-wise equality (not constant time; see secure.hpp for secrets).
constexpr bool equal(bytes_view a, bytes_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

/// Copy src into the front of dst; returns the written part or buffer_too_small.
constexpr result<bytes_span> copy(bytes_view src, bytes_span dst) noexcept {
  if (src.size() > dst.size()) return errc::buffer_too_small;
  for (std::size_t i = 0; i < src.size(); ++i) dst[i] = src[i];
  return dst.first(src.size());
}

}  // namespace pmci
