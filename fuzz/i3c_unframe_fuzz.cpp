// SPDX-License-Identifier: Apache-2.0
// mctp::i3c::unframe on arbitrary frames. Input: [address | R/W << 7] [limit selector] frame...
// Checks: a frame either fails with one of the documented errors or yields the packet in place
// (all but the PEC byte), and framing that packet again reproduces the input byte for byte.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "pmci/mctp/i3c.hpp"

namespace i3c = pmci::mctp::i3c;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  const auto addr = static_cast<std::uint8_t>(data[0] & 0x7F);
  const auto dir = (data[0] & 0x80) ? i3c::direction::read : i3c::direction::write;
  // Limits: the baseline, something in between, and the largest I3C length.
  constexpr std::array<std::uint16_t, 4> limits{0, 69, 200, 65535};
  const std::size_t limit = i3c::frame_limit(limits[data[1] & 3]);
  const std::span<const std::byte> frame(reinterpret_cast<const std::byte*>(data + 2), size - 2);

  auto p = i3c::unframe(addr, dir, frame, limit);
  if (!p) {
    const auto e = p.error();
    if (e != pmci::errc::truncated && e != pmci::errc::out_of_range && e != pmci::errc::integrity_error) std::abort();
    if (e == pmci::errc::truncated && frame.size() >= i3c::min_frame) std::abort();
    if (e == pmci::errc::out_of_range && frame.size() <= limit) std::abort();
    return 0;
  }
  if (p->data() != frame.data() || p->size() + 1 != frame.size() || frame.size() > limit) std::abort();

  static std::array<std::byte, 65536> out;
  auto again = i3c::frame(addr, dir, *p, out);
  if (!again || !pmci::equal(*again, frame)) std::abort();
  // The other direction never verifies the same bytes unless the CRC collides: the R/W bit is
  // covered, so the PECs of the two directions differ in the same way for every packet.
  const auto other = dir == i3c::direction::read ? i3c::direction::write : i3c::direction::read;
  if (i3c::pec(addr, other, *p) == i3c::pec(addr, dir, *p)) std::abort();
  return 0;
}
