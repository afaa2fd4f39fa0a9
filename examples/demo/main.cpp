// SPDX-License-Identifier: Apache-2.0
// Placeholder until the MCTP layer lands: prints the library version.
#include <cstdio>

#include "pmci/pmci.hpp"

int main() {
  std::printf("pmci %s\n", pmci::version_string);
  return 0;
}
