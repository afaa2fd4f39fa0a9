// SPDX-License-Identifier: Apache-2.0
// One include for Catch2 v2 (Debian's catch2 2.13, single header) or v3 (FetchContent).
#pragma once
#if __has_include(<catch2/catch_all.hpp>)
#include <catch2/catch_all.hpp>
#define PMCI_CATCH_V3 1
#elif __has_include(<catch2/catch.hpp>)
#include <catch2/catch.hpp>
#define PMCI_CATCH_V2 1
#else
#error "Catch2 not found"
#endif
