// SPDX-License-Identifier: Apache-2.0
// Catch2 v2 needs one TU to define main; v3 links Catch2WithMain instead.
#if defined(PMCI_CATCH2_V2_MAIN)
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
#endif
