// SPDX-License-Identifier: Apache-2.0
// The imaginary board every footprint image runs on: one bus controller (I3C target, SMBus or a
// mailbox) whose receive FIFO and transmit sink live in board.cpp, a translation unit the image
// cannot see into. Inputs therefore come from memory the compiler must treat as unknown and
// outputs go to an opaque sink, so no pmci code can be constant-folded or discarded as dead.
//
// The report counts board.cpp and startup.cpp as "board" (a real product has its own bus driver
// and start-up code), not as pmci's footprint.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

namespace fw {

/// Largest transfer the fake controller's FIFO holds (an I3C MRL/MWL-sized buffer).
inline constexpr std::size_t bus_fifo_size = 256;

/// Copy the pending received transfer into `dst`; returns its length, 0 when nothing is pending
/// or it does not fit. Clears the pending transfer.
std::size_t bus_receive(std::span<std::byte> dst) noexcept;
/// Hand a transfer to the controller's transmit path (an I3C private-read buffer, an SMBus
/// master write). Returns false when the controller is busy.
bool bus_transmit(std::span<const std::byte> frame) noexcept;
/// True (once) when the controller has finished reading the frame handed to bus_transmit().
bool bus_take_read_done() noexcept;
/// Raise an In-Band Interrupt with the given mandatory data byte (I3C targets only).
void bus_raise_ibi(std::uint8_t mdb) noexcept;
/// The controller's own bus address (I3C dynamic address / SMBus slave address), 7 bits.
std::uint8_t bus_address() noexcept;
/// A free-running millisecond tick (for timeouts in the cores).
std::uint32_t ticks_ms() noexcept;
/// The rest of the firmware above MCTP (PLDM, a vendor protocol...): takes a whole message body
/// of MCTP message type `type` and writes the response body into `out`; returns its length,
/// 0 for no response. Opaque, so every byte the MCTP layer delivers is live.
std::size_t upper_layer(std::uint8_t type, std::span<const std::byte> body, std::span<std::byte> out) noexcept;
/// The SPDM-only images (`*_spdm`, built with PMCI_FW_SPDM_ONLY): the integrator's MCTP stack,
/// outside the measured image as libspdm's device_io callbacks are outside libspdm's figure.
/// mctp_receive copies one whole received MCTP message (message-type byte first) into `dst` and
/// returns its length, 0 when none is pending; mctp_send hands one whole message to the stack.
std::size_t mctp_receive(std::span<std::byte> dst) noexcept;
bool mctp_send(std::span<const std::byte> message) noexcept;
/// Sleep until the next interrupt.
void wait_for_interrupt() noexcept;

}  // namespace fw

/// The bus interrupt handler (vector IRQ0). Every image defines it: it is the dispatch entry whose
/// worst-case stack the footprint report computes.
extern "C" void fw_bus_irq();
