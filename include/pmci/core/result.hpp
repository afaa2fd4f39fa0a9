// SPDX-License-Identifier: Apache-2.0
// pmci::result<T> — a value or an errc (an `expected`-like type; no exceptions, constexpr).
//
//   result<header> decode(bytes_view in);
//   if (auto h = decode(in)) use(*h); else log(to_string(h.error()));
//
// A function returns `errc::truncated` or a `T`; both convert implicitly. Accessing the value of
// a failed result (or the error of a good one) is a programmer error and trips PMCI_ASSERT.
//
// Design note: T must be default-constructible (every pmci value type is). result needs no
// placement-new, so it stays constexpr without <memory> (DESIGN rule 9: freestanding-friendly
// includes): a trivially copyable T lives in a union that an error leaves unconstructed (see
// detail::result_storage); any other T is a plain member, default-constructed under an error.
#pragma once
#include <cstdint>
#include <type_traits>
#include <utility>

#include "pmci/core/assert.hpp"
#include "pmci/core/errc.hpp"

// PMCI_RESULT_UNION: 1 = an error result leaves a trivially copyable value unconstructed (see
// detail::result_storage); 0 = it value-initialises it. Both behave the same (an error's value
// is never read: value() asserts). Default: 1 when optimising for size (-Os: the flash it
// saves), else 0, because GCC's -O2 -Wmaybe-uninitialized then reports false positives where
// such a result is copied (the value bytes it copies were never written, and never read).
#ifndef PMCI_RESULT_UNION
#if defined(__OPTIMIZE_SIZE__)
#define PMCI_RESULT_UNION 1
#else
#define PMCI_RESULT_UNION 0
#endif
#endif

// PMCI_RESULT_INLINE: result<T>'s value(), both error() and both has_value() are always inlined.
// Their assert then folds into the has_value() test the caller has just made; as calls (what
// -Os otherwise chooses for some of them) each site costs a branch-and-link to an out-of-line
// copy of the test. result<void>::error() too: when first tried it moved -Os's inlining so that
// requester_attest's stack grew by 200 B; after the size pass of 2026-12-02 it saves 48-84 B per
// SPDM image and the requester's stack shrinks (responder_full's grows by 88 B, within budget).
#ifndef PMCI_RESULT_INLINE
#if defined(__GNUC__)
#define PMCI_RESULT_INLINE [[gnu::always_inline]]
#else
#define PMCI_RESULT_INLINE
#endif
#endif

namespace pmci {

namespace detail {
struct result_none {};

// An errc held in a whole word, where that costs no space (result<void>, result<T> of a
// word-aligned T, reader/writer): on Thumb-2 a word has 2-byte SP-relative loads and stores
// (a byte has none) and a word returned in r0 needs no zero-extension before its test.
// 0 = no error.
using errc_word = std::uint32_t;
[[nodiscard]] constexpr errc_word to_word(errc e) noexcept { return static_cast<errc_word>(e); }
[[nodiscard]] constexpr errc from_word(errc_word w) noexcept { return static_cast<errc>(w); }

// Storage of result<T>: the value and the error code, where errc{} (no enumerator has the
// value 0) means "holds a value". One byte says both, so a check is one compare and a result
// is one byte smaller than a value + error + flag layout.
//
// With PMCI_RESULT_UNION (below), a trivially copyable, trivially destructible T (every pmci
// value type: decoded views, headers, counts) sits in a union and an error result leaves it
// unconstructed: a `return errc::x;` then writes the error code only instead of zero-filling a
// whole decoded struct (that fill was the largest single item of core code in the Cortex-M4
// images; docs/footprint.md). The union stays trivially copyable and constexpr (C++20: a
// union member may be left uninitialised in a constant expression; an empty alternative is
// what the error side holds).
//
// The error code is a word behind a word-aligned T (the padding would take the word anyway),
// else a byte behind T.
template <class T>
using result_errc = std::conditional_t<(alignof(T) >= alignof(errc_word)), errc_word, std::uint8_t>;

template <class T, bool Union = PMCI_RESULT_UNION && std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>>
struct result_storage {
  constexpr result_storage(const T& v) noexcept : value_(v) {}
  constexpr result_storage(T&& v) noexcept : value_(std::move(v)) {}
  constexpr explicit result_storage(errc e) noexcept : none_(), err_(static_cast<result_errc<T>>(e)) {}
  union {
    result_none none_;
    T value_;
  };
  result_errc<T> err_ = 0;
};

// Any other T (or PMCI_RESULT_UNION 0): always constructed (value-initialised under an
// error), as a plain member.
template <class T>
struct result_storage<T, false> {
  constexpr result_storage(const T& v) noexcept(std::is_nothrow_copy_constructible_v<T>) : value_(v) {}
  constexpr result_storage(T&& v) noexcept(std::is_nothrow_move_constructible_v<T>) : value_(std::move(v)) {}
  constexpr explicit result_storage(errc e) noexcept : err_(static_cast<result_errc<T>>(e)) {}
  T value_{};
  result_errc<T> err_ = 0;
};
}  // namespace detail

template <class T>
class [[nodiscard]] result {
  static_assert(!std::is_reference_v<T>, "result<T&> is not supported; use a pointer or a span");
  static_assert(!std::is_same_v<std::remove_cv_t<T>, errc>, "result<errc> would be ambiguous");
  static_assert(std::is_default_constructible_v<T>, "pmci::result<T> needs a default-constructible T");

 public:
  using value_type = T;

  constexpr result(const T& v) noexcept(std::is_nothrow_copy_constructible_v<T>)  // NOLINT
      : s_(v) {}
  constexpr result(T&& v) noexcept(std::is_nothrow_move_constructible_v<T>)  // NOLINT
      : s_(std::move(v)) {}
  /// An error; `e` must be one of errc's enumerators (errc{} is "no error" and asserts).
  constexpr result(errc e) noexcept : s_(e) {}  // NOLINT

  PMCI_RESULT_INLINE [[nodiscard]] constexpr bool has_value() const noexcept { return s_.err_ == 0; }
  constexpr explicit operator bool() const noexcept { return has_value(); }

  PMCI_RESULT_INLINE [[nodiscard]] constexpr T& value() & noexcept { PMCI_ASSERT(has_value()); return s_.value_; }
  PMCI_RESULT_INLINE [[nodiscard]] constexpr const T& value() const& noexcept { PMCI_ASSERT(has_value()); return s_.value_; }
  PMCI_RESULT_INLINE [[nodiscard]] constexpr T&& value() && noexcept { PMCI_ASSERT(has_value()); return std::move(s_.value_); }
  constexpr T& operator*() & noexcept { return value(); }
  constexpr const T& operator*() const& noexcept { return value(); }
  constexpr T&& operator*() && noexcept { return std::move(*this).value(); }
  constexpr T* operator->() noexcept { return &value(); }
  constexpr const T* operator->() const noexcept { return &value(); }

  /// The error; only meaningful when !has_value() (asserts otherwise).
  PMCI_RESULT_INLINE [[nodiscard]] constexpr errc error() const noexcept { PMCI_ASSERT(!has_value()); return static_cast<errc>(s_.err_); }

  template <class U>
  [[nodiscard]] constexpr T value_or(U&& fallback) const& {
    return has_value() ? s_.value_ : static_cast<T>(std::forward<U>(fallback));
  }

  /// True when this holds the error e (false for a value).
  [[nodiscard]] constexpr bool operator==(errc e) const noexcept { return e != errc{} && error_code() == e; }

 private:
  [[nodiscard]] constexpr errc error_code() const noexcept { return static_cast<errc>(s_.err_); }
  detail::result_storage<T> s_;
};

/// result<void>: just the error code, 0 for success (one word, returned in a register).
template <>
class [[nodiscard]] result<void> {
 public:
  constexpr result() noexcept = default;
  /// An error; `e` must be one of errc's enumerators (errc{} would read as success).
  constexpr result(errc e) noexcept : err_(detail::to_word(e)) {}  // NOLINT
  PMCI_RESULT_INLINE [[nodiscard]] constexpr bool has_value() const noexcept { return err_ == 0; }
  constexpr explicit operator bool() const noexcept { return has_value(); }
  PMCI_RESULT_INLINE [[nodiscard]] constexpr errc error() const noexcept { PMCI_ASSERT(!has_value()); return detail::from_word(err_); }
  constexpr void value() const noexcept { PMCI_ASSERT(has_value()); }
  [[nodiscard]] constexpr bool operator==(errc e) const noexcept { return e != errc{} && err_ == detail::to_word(e); }

 private:
  detail::errc_word err_ = 0;
};

/// Success value for result<void>: `return pmci::ok();`
[[nodiscard]] constexpr result<void> ok() noexcept { return {}; }

}  // namespace pmci

/// Evaluate `expr` (a result<...>); on error return that error from the enclosing function.
#define PMCI_TRY(expr)                                                       \
  do {                                                                       \
    if (auto pmci_try_r_ = (expr); !pmci_try_r_) return pmci_try_r_.error(); \
  } while (0)

#define PMCI_CONCAT_IMPL_(a, b) a##b
#define PMCI_CONCAT_(a, b) PMCI_CONCAT_IMPL_(a, b)
/// `PMCI_TRY_ASSIGN(auto v, f());` declares v = *f(), or returns f()'s error.
#define PMCI_TRY_ASSIGN(decl, expr) PMCI_TRY_ASSIGN_IMPL_(PMCI_CONCAT_(pmci_try_tmp_, __LINE__), decl, expr)
#define PMCI_TRY_ASSIGN_IMPL_(tmp, decl, expr) \
  auto tmp = (expr);                           \
  if (!tmp) return tmp.error();                \
  decl = std::move(*tmp)
