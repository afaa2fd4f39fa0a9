// SPDX-License-Identifier: Apache-2.0
// The fake bus controller behind board.hpp. Its "registers" are volatile objects with external
// linkage: a debugger or a test bench could write them, so the compiler must assume anything.
#include "board.hpp"

#include <cstdint>

extern "C" {
volatile std::uint8_t fw_bus_rx_fifo[fw::bus_fifo_size];
volatile std::uint32_t fw_bus_rx_len;
volatile std::uint8_t fw_bus_tx_fifo[fw::bus_fifo_size];
volatile std::uint32_t fw_bus_tx_len;
volatile std::uint8_t fw_bus_ibi_mdb;
volatile std::uint32_t fw_bus_read_done;
volatile std::uint8_t fw_upper_sink[fw::bus_fifo_size];
volatile std::uint32_t fw_upper_response_len;
volatile std::uint8_t fw_bus_dynamic_address = 0x08;
volatile std::uint32_t fw_ticks;
}

namespace fw {

[[gnu::noinline]] std::size_t bus_receive(std::span<std::byte> dst) noexcept {
  const std::uint32_t n = fw_bus_rx_len;
  fw_bus_rx_len = 0;
  if (n == 0 || n > dst.size() || n > bus_fifo_size) return 0;
  for (std::uint32_t i = 0; i < n; ++i) dst[i] = std::byte{fw_bus_rx_fifo[i]};
  return n;
}

[[gnu::noinline]] bool bus_transmit(std::span<const std::byte> frame) noexcept {
  if (fw_bus_tx_len != 0 || frame.size() > bus_fifo_size) return false;
  for (std::size_t i = 0; i < frame.size(); ++i) fw_bus_tx_fifo[i] = std::to_integer<std::uint8_t>(frame[i]);
  fw_bus_tx_len = static_cast<std::uint32_t>(frame.size());
  return true;
}

[[gnu::noinline]] bool bus_take_read_done() noexcept {
  const bool done = fw_bus_read_done != 0;
  if (done) {
    fw_bus_read_done = 0;
    fw_bus_tx_len = 0;
  }
  return done;
}

[[gnu::noinline]] std::size_t upper_layer(std::uint8_t type, std::span<const std::byte> body,
                                          std::span<std::byte> out) noexcept {
  // Consume the request (as an application would) and answer with whatever the "application
  // state" says: a response of fw_upper_response_len bytes echoing the type and the request.
  std::size_t i = 0;
  for (; i < body.size() && i < bus_fifo_size; ++i) fw_upper_sink[i] = std::to_integer<std::uint8_t>(body[i]);
  std::size_t n = fw_upper_response_len;
  if (n > out.size()) n = out.size();
  for (std::size_t k = 0; k < n; ++k) out[k] = std::byte{static_cast<std::uint8_t>(type + k + (k < i ? fw_upper_sink[k] : 0))};
  return n;
}

// The fake controller's FIFO stands in for the integrator's MCTP stack: opaque all the same.
[[gnu::noinline]] std::size_t mctp_receive(std::span<std::byte> dst) noexcept { return bus_receive(dst); }
[[gnu::noinline]] bool mctp_send(std::span<const std::byte> message) noexcept { return bus_transmit(message); }

[[gnu::noinline]] void bus_raise_ibi(std::uint8_t mdb) noexcept { fw_bus_ibi_mdb = mdb; }

[[gnu::noinline]] std::uint8_t bus_address() noexcept { return fw_bus_dynamic_address & 0x7F; }

[[gnu::noinline]] std::uint32_t ticks_ms() noexcept { return fw_ticks; }

void wait_for_interrupt() noexcept { __asm__ volatile("wfi"); }

}  // namespace fw
