// SPDX-License-Identifier: Apache-2.0
#pragma once
#define PMCI_VERSION_MAJOR 0
#define PMCI_VERSION_MINOR 1
#define PMCI_VERSION_PATCH 0
namespace pmci {
inline constexpr const char* version_string = "0.1.0";
}
