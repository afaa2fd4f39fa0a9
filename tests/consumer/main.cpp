// SPDX-License-Identifier: Apache-2.0
// Downstream use of pmci through its package: no exceptions, no RTTI.
#include <array>
#include <cstdio>

#include "pmci/pmci.hpp"

int main() {
  std::array<std::byte, 8> buf{};
  pmci::writer w{buf};
  w.u16le(0x1234).u8(0x56);
  pmci::reader r{pmci::as_view(w.written())};
  const bool good = r.u16le() == 0x1234 && r.u8() == 0x56 && r.finish().has_value();
  std::printf("pmci %s consumer: %s\n", pmci::version_string, good ? "ok" : "FAILED");
  return good ? 0 : 1;
}
