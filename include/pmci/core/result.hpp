// SPDX-License-Identifier: Apache-2.0
// pmci::result<T> — a value or an errc (an `expected`-like type; no exceptions, constexpr).
//
//   result<header> decode(bytes_view in);
//   if (auto h = decode(in)) use(*h); else log(to_string(h.error()));
//
// A function returns `errc::truncated` or a `T`; both convert implicitly. Accessing the value of
// a failed result (or the error of a good one) is a programmer error and trips PMCI_ASSERT.
//
// Design note: T must be default-constructible. Every pmci value type (decoded views, headers,
// counts) is, and this keeps result free of unions/placement-new so it stays constexpr without
// <memory> (DESIGN rule 9: freestanding-friendly includes).
#pragma once
#include <type_traits>
#include <utility>

#include "pmci/core/assert.hpp"
#include "pmci/core/errc.hpp"

namespace pmci {

template <class T>
class [[nodiscard]] result {
  static_assert(!std::is_reference_v<T>, "result<T&> is not supported; use a pointer or a span");
  static_assert(!std::is_same_v<std::remove_cv_t<T>, errc>, "result<errc> would be ambiguous");
  static_assert(std::is_default_constructible_v<T>, "pmci::result<T> needs a default-constructible T");

 public:
  using value_type = T;

  constexpr result(const T& v) noexcept(std::is_nothrow_copy_constructible_v<T>)  // NOLINT
      : value_(v), has_(true) {}
  constexpr result(T&& v) noexcept(std::is_nothrow_move_constructible_v<T>)  // NOLINT
      : value_(std::move(v)), has_(true) {}
  constexpr result(errc e) noexcept : err_(e), has_(false) {}  // NOLINT

  [[nodiscard]] constexpr bool has_value() const noexcept { return has_; }
  constexpr explicit operator bool() const noexcept { return has_; }

  [[nodiscard]] constexpr T& value() & noexcept { PMCI_ASSERT(has_); return value_; }
  [[nodiscard]] constexpr const T& value() const& noexcept { PMCI_ASSERT(has_); return value_; }
  [[nodiscard]] constexpr T&& value() && noexcept { PMCI_ASSERT(has_); return std::move(value_); }
  constexpr T& operator*() & noexcept { return value(); }
  constexpr const T& operator*() const& noexcept { return value(); }
  constexpr T&& operator*() && noexcept { return std::move(*this).value(); }
  constexpr T* operator->() noexcept { return &value(); }
  constexpr const T* operator->() const noexcept { return &value(); }

  /// The error; only meaningful when !has_value() (asserts otherwise).
  [[nodiscard]] constexpr errc error() const noexcept { PMCI_ASSERT(!has_); return err_; }

  template <class U>
  [[nodiscard]] constexpr T value_or(U&& fallback) const& {
    return has_ ? value_ : static_cast<T>(std::forward<U>(fallback));
  }

  /// True when this holds the error e (false for a value).
  [[nodiscard]] constexpr bool operator==(errc e) const noexcept { return !has_ && err_ == e; }

 private:
  T value_{};
  errc err_ = errc::invalid_state;
  bool has_;
};

template <>
class [[nodiscard]] result<void> {
 public:
  constexpr result() noexcept = default;
  constexpr result(errc e) noexcept : ok_(false), err_(e) {}  // NOLINT
  [[nodiscard]] constexpr bool has_value() const noexcept { return ok_; }
  constexpr explicit operator bool() const noexcept { return ok_; }
  [[nodiscard]] constexpr errc error() const noexcept { PMCI_ASSERT(!ok_); return err_; }
  constexpr void value() const noexcept { PMCI_ASSERT(ok_); }
  [[nodiscard]] constexpr bool operator==(errc e) const noexcept { return !ok_ && err_ == e; }

 private:
  bool ok_ = true;
  errc err_ = errc::invalid_state;
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
