// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the MCTP tests: build packets by hand (not with the packetizer under test).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "pmci/core/buffer.hpp"
#include "pmci/mctp/packet.hpp"

namespace pmci::mctp::test {

// Flag shorthands as in the Linux route tests / libmctp test_seq.
inline constexpr std::uint8_t S = 0x80, E = 0x40;

/// One hand-made packet: header {ver, dest, src, flags|seq|TO|tag} + payload of `n` bytes whose
/// values are fill, fill+1, ... (so tests can check order).
struct raw_packet {
  byte_buffer<1100> bytes;
  constexpr operator bytes_view() const noexcept { return bytes.view(); }  // NOLINT
};

constexpr raw_packet make_packet(std::uint8_t flags, std::uint8_t seq, std::size_t n, std::uint8_t fill = 0,
                                 eid dest = 8, eid src = 9, bool to = true, std::uint8_t tag = 0,
                                 std::uint8_t version = 1) {
  raw_packet p;
  auto s = p.bytes.storage();
  s[0] = std::byte{version};
  s[1] = std::byte{dest};
  s[2] = std::byte{src};
  s[3] = std::byte{static_cast<std::uint8_t>(flags | ((seq & 3) << 4) | (to ? 8 : 0) | (tag & 7))};
  for (std::size_t i = 0; i < n; ++i) s[4 + i] = std::byte{static_cast<std::uint8_t>(fill + i)};
  p.bytes.resize(4 + n);
  return p;
}

}  // namespace pmci::mctp::test
