// SPDX-License-Identifier: Apache-2.0
// Optional fmt formatters for every decoded pmci message (host-only: needs fmt 9 or later; never
// included by core headers or pmci.hpp).
//
//   #include "pmci/fmt.hpp"
//   fmt::print("{}\n", pmci::spdm::decode(bytes, n).value());   // CHALLENGE slot=0 summary=all
//   fmt::print("{:v}\n", msg);                                  // one field per line
//
// pmci::spdm::message (the dispatcher's variant) formats as whichever message it holds (through its
// pmci::spdm::describe() overload); a type without one prints its DSP0274 name.
#pragma once
#include <fmt/format.h>

#include <type_traits>
#include <variant>

#include "pmci/spdm/attest_fmt.hpp"
// Session messages (KEY_EXCHANGE ... END_SESSION, PSK, encapsulated, ...), when present. Host-only
// headers end in "fmt.hpp" so the freestanding header check skips them.
#if __has_include("pmci/spdm/session_fmt.hpp")
#include "pmci/spdm/session_fmt.hpp"
#elif __has_include("pmci/spdm/fmt_session.hpp")
#include "pmci/spdm/fmt_session.hpp"
#endif

template <>
struct fmt::formatter<pmci::spdm::message> : ::pmci::spdm::fmt_detail::spec {
  auto format(const pmci::spdm::message& m, fmt::format_context& ctx) const -> decltype(ctx.out()) {
    return std::visit(
        [&](const auto& v) -> fmt::appender {
          using T = std::remove_cvref_t<decltype(v)>;
          if constexpr (requires(fmt::appender o) { describe(o, v, true); })
            return describe(ctx.out(), v, verbose);  // found by ADL: pmci::spdm::describe overloads
          else
            return fmt::format_to(ctx.out(), "{}", pmci::spdm::name(T::message_code));
        },
        m);
  }
};

template <>
struct fmt::formatter<pmci::errc> : fmt::formatter<fmt::string_view> {
  auto format(pmci::errc e, fmt::format_context& ctx) const -> decltype(ctx.out()) {
    return fmt::formatter<fmt::string_view>::format(pmci::to_string(e), ctx);
  }
};
