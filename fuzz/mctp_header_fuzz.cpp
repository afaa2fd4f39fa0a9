// SPDX-License-Identifier: Apache-2.0
// MCTP transport header and message type byte: decode -> encode -> decode is the identity on
// the decoded values, and encode reproduces the input bytes except the reserved nibble (which
// decode ignores, DSP0236: reserved bits are ignored on receive).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "pmci/mctp/packet.hpp"

#define FUZZ_CHECK(c) \
  do {                \
    if (!(c)) __builtin_trap(); \
  } while (0)

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> in(size);
  if (size) std::memcpy(in.data(), data, size);
  const pmci::bytes_view v(in.data(), in.size());

  auto h = pmci::mctp::header::decode(v);
  if (size < pmci::mctp::header::size) {
    FUZZ_CHECK(!h && h.error() == pmci::errc::truncated);
  } else if ((data[0] & 0x0F) != 1) {
    FUZZ_CHECK(!h && h.error() == pmci::errc::version_mismatch);
  } else {
    FUZZ_CHECK(h.has_value());
    FUZZ_CHECK(h->seq <= 3 && h->tag <= 7 && h->version == 1);
    std::array<std::byte, 4> out{};
    pmci::writer w(out);
    FUZZ_CHECK(h->encode(w).has_value());
    FUZZ_CHECK(w.size() == 4);
    // Byte-exact except the reserved nibble.
    FUZZ_CHECK(std::to_integer<std::uint8_t>(out[0]) == (data[0] & 0x0F));
    FUZZ_CHECK(std::memcmp(out.data() + 1, data + 1, 3) == 0);
    auto again = pmci::mctp::header::decode(out);
    FUZZ_CHECK(again && *again == *h);
  }

  // The message header byte (first payload byte of a SOM packet).
  auto m = pmci::mctp::message_header::decode(v.size() > 4 ? v.subspan(4) : pmci::bytes_view{});
  if (m) {
    std::array<std::byte, 1> out{};
    pmci::writer w(out);
    FUZZ_CHECK(m->encode(w).has_value());
    FUZZ_CHECK(out[0] == v[4]);
    auto again = pmci::mctp::message_header::decode(out);
    FUZZ_CHECK(again && *again == *m);
  }
  return 0;
}
