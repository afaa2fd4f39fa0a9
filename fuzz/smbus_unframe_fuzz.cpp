// SPDX-License-Identifier: Apache-2.0
// mctp::smbus::unframe on arbitrary frames. Input: [limit selector] frame...
// Checks: a frame either fails with one of the documented errors or decodes to addresses and a
// packet that frame() turns back into exactly the input; the split-address form (what an I2C
// target HAL receives) agrees with the whole-frame form.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "pmci/mctp/smbus.hpp"

namespace smbus = pmci::mctp::smbus;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  constexpr std::array<std::size_t, 4> limits{smbus::baseline_packet, 100, smbus::max_packet, 1000};
  const std::size_t limit = limits[data[0] & 3];
  const std::span<const std::byte> frame(reinterpret_cast<const std::byte*>(data + 1), size - 1);

  auto v = smbus::unframe(frame, limit);
  if (!frame.empty()) {
    auto split = smbus::unframe(std::to_integer<std::uint8_t>(frame[0]), frame.subspan(1), limit);
    if (split.has_value() != v.has_value()) std::abort();
    if (!v && split.error() != v.error()) std::abort();
  }
  if (!v) {
    switch (v.error()) {
      case pmci::errc::truncated:
      case pmci::errc::trailing_data:
      case pmci::errc::out_of_range:
      case pmci::errc::integrity_error:
      case pmci::errc::invalid_field:
        return 0;
      default:
        std::abort();
    }
  }
  if (v->packet.size() < 4 || v->packet.size() > smbus::max_packet || v->packet.size() > limit) std::abort();
  if (smbus::frame_size(v->packet.size()) != frame.size()) std::abort();
  std::array<std::byte, smbus::frame_size(smbus::max_packet)> out{};
  auto again = smbus::frame(v->dest, v->source, v->packet, out);
  if (!again || !pmci::equal(*again, frame)) std::abort();
  return 0;
}
