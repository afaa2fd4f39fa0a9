// SPDX-License-Identifier: Apache-2.0
// PMCI_ASSERT: checks for programmer errors (never for bad wire input, which is an errc).
//
// Override by defining PMCI_ASSERT before including any pmci header, e.g. to log and reset:
//   #define PMCI_ASSERT(cond) ((cond) ? (void)0 : my_fatal(__FILE__, __LINE__))
// The default traps. It never throws. In a constant expression a failed assert is a compile
// error, because the trap function is not constexpr.
#pragma once

namespace pmci::detail {
[[noreturn]] inline void assert_fail() noexcept { __builtin_trap(); }
}  // namespace pmci::detail

#ifndef PMCI_ASSERT
#define PMCI_ASSERT(cond) ((cond) ? static_cast<void>(0) : ::pmci::detail::assert_fail())
#endif
