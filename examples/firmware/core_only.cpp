// SPDX-License-Identifier: Apache-2.0
// Footprint image `core_only`: the cost of pmci's core primitives on their own, and the proof
// that the image/report pipeline measures real code. The bus interrupt reads an I3C-style frame
// (4 header bytes, payload, PEC), checks its PEC with pmci::crc8 over the address byte and the
// frame, decodes fields with pmci::reader and answers with a frame built by pmci::writer. It is a
// made-up echo protocol, not MCTP: the real MCTP image is mctp_i3c.
#include <array>
#include <cstddef>
#include <cstdint>

#include "board.hpp"
#include "pmci/core/bytes.hpp"
#include "pmci/core/crc.hpp"

namespace {

std::array<std::byte, fw::bus_fifo_size> rx;
std::array<std::byte, fw::bus_fifo_size> tx;

pmci::result<pmci::bytes_span> answer(pmci::bytes_view frame, std::uint8_t addr) {
  // PEC over the address byte (write direction) and everything before the PEC byte.
  if (frame.size() < 5) return pmci::errc::truncated;
  const auto body = frame.first(frame.size() - 1);
  const std::uint8_t pec = pmci::crc8_update(pmci::crc8_update(0, static_cast<std::uint8_t>(addr << 1)), body);
  if (pec != std::to_integer<std::uint8_t>(frame.back())) return pmci::errc::integrity_error;

  pmci::reader r(body);
  const std::uint8_t version = r.u8();
  const std::uint8_t dest = r.u8();
  const std::uint8_t source = r.u8();
  const std::uint8_t flags = r.u8();
  const std::uint16_t id = r.u16le();
  const std::uint32_t value = r.u24le();
  const auto rest = r.rest();
  PMCI_TRY(r.status());

  pmci::writer w(tx);
  w.u8(version).u8(source).u8(dest).u8(static_cast<std::uint8_t>(flags & ~0x08u));
  w.u16le(static_cast<std::uint16_t>(id + 1)).u32be(value).bytes(rest);
  PMCI_TRY_ASSIGN(auto out, w.finish());
  // The response PEC: same address, read direction.
  const std::uint8_t out_pec = pmci::crc8_update(pmci::crc8_update(0, static_cast<std::uint8_t>(addr << 1 | 1)), out);
  w.u8(out_pec);
  return w.finish();
}

}  // namespace

extern "C" void fw_bus_irq() {
  const std::size_t n = fw::bus_receive(rx);
  if (n == 0) return;
  if (auto out = answer(pmci::bytes_view(rx).first(n), fw::bus_address())) {
    if (fw::bus_transmit(*out)) fw::bus_raise_ibi(0xAE);
  }
}

int main() {
  for (;;) fw::wait_for_interrupt();
}
