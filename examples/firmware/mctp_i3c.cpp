// SPDX-License-Identifier: Apache-2.0
// Footprint image `mctp_i3c`: an MCTP endpoint on an I3C bus, as a device (I3C target) runs it.
// pmci parts: I3C target binding (DSP0233 framing, address-byte PEC, MWL/MRL limits, IBI 0xAE
// read queue), assembler (packets -> messages, drop rules, timeouts), packetizer (messages ->
// packets) and the MCTP control responder (Set/Get EID, UUID, version, message type and vendor
// support). Other message types go to an opaque upper layer (board.cpp) whose response is
// packetized back, so every path of the core is live.
//
// Configuration (each item is a footprint decision, docs/footprint.md):
//   - baseline I3C transfers: MWL = MRL = 69 (64-byte payload + 4-byte header + PEC);
//   - one reassembly context of max_message bytes, one response buffer of the same size;
//   - two frames queued for the controller's private reads;
//   - EID assigned by the bus owner (no static EID), as I3C devices usually are.
#include <array>
#include <cstddef>
#include <cstdint>

#include "board.hpp"
#include "pmci/mctp/assembler.hpp"
#include "pmci/mctp/control_responder.hpp"
#include "pmci/mctp/i3c.hpp"
#include "pmci/mctp/packetizer.hpp"

namespace {

namespace mctp = pmci::mctp;
namespace i3c = pmci::mctp::i3c;

constexpr std::size_t max_message = 1024;  // type byte included
constexpr std::size_t tx_depth = 2;

namespace control = pmci::mctp::control;
constexpr auto base_versions = control::version_bytes(control::version_entry::make(1, 3, 3));
constexpr auto control_versions = control::version_bytes(control::version_entry::make(1, 3, 3));
constexpr control::version_support versions[] = {{control::base_spec_type, base_versions},
                                                 {0x00, control_versions}};
constexpr std::byte message_types[] = {std::byte{0x00}, std::byte{0x05}};  // control, SPDM
constexpr std::byte uuid[16] = {std::byte{0x5a}, std::byte{0x1e}, std::byte{0x9e}, std::byte{0x7c},
                                std::byte{0x00}, std::byte{0x01}, std::byte{0x40}, std::byte{0x00},
                                std::byte{0x80}, std::byte{0x00}, std::byte{0x00}, std::byte{0x00},
                                std::byte{0x00}, std::byte{0x00}, std::byte{0x00}, std::byte{0x01}};

/// The HAL side of the binding, on the board's (fake) I3C target controller.
struct i3c_hal {
  [[nodiscard]] std::uint8_t dynamic_address() const noexcept { return fw::bus_address(); }
  [[nodiscard]] std::uint16_t max_write_length() const noexcept { return i3c::baseline_frame; }
  [[nodiscard]] std::uint16_t max_read_length() const noexcept { return i3c::baseline_frame; }
  pmci::result<void> load_read_data(pmci::bytes_view frame) noexcept {
    if (!fw::bus_transmit(frame)) return pmci::errc::busy;
    return pmci::ok();
  }
  pmci::result<void> raise_ibi(std::uint8_t mdb) noexcept {
    fw::bus_raise_ibi(mdb);
    return pmci::ok();
  }
};

i3c_hal hal;
constinit i3c::target<i3c_hal, i3c::baseline_packet, tx_depth> link{hal};
constinit mctp::assembler<1, max_message> rx{};
constinit control::responder ctrl{control::responder_config{
    .static_eid = mctp::null_eid, .uuid = uuid, .message_types = message_types, .versions = versions,
    .vendor_sets = {}}};

// The response being sent: the packetizer reads it in place, a packet at a time, as the
// controller drains the target's read queue.
std::array<std::byte, max_message> response{};
struct pending_tx {
  mctp::packetizer packets{mctp::address{}, pmci::bytes_view{}};
  bool active = false;
};
pending_tx pending{};

/// Queue as many packets of the pending response as the link takes now.
void pump() noexcept {
  std::array<std::byte, i3c::baseline_packet> packet;  // no {}: zeroing would only add a memset
  while (pending.active && !link.tx_full()) {
    auto p = pending.packets.next(packet);
    if (!p || !link.send_packet(0, *p)) {
      pending.active = false;  // a response that cannot be sent is dropped, as on a bus error
      return;
    }
    if (pending.packets.done()) pending.active = false;
  }
}

void on_message(const mctp::message& msg) noexcept {
  // Ours: our EID, or the null EID (physical addressing, e.g. Set EID before we have one), or
  // a broadcast control message.
  if (msg.dest != ctrl.current_eid() && msg.dest != mctp::null_eid &&
      !(msg.dest == mctp::broadcast_eid && msg.type == mctp::msg_type::control))
    return;
  if (!msg.tag_owner || pending.active) return;  // only requests get answers; one in flight
  pmci::bytes_view out;
  if (msg.type == mctp::msg_type::control) {
    auto r = ctrl.handle(msg.data, response);
    if (!r || !*r) return;
    out = **r;
  } else {
    response[0] = std::byte{mctp::type_byte(msg.type)};
    const std::size_t n = fw::upper_layer(static_cast<std::uint8_t>(msg.type), msg.body,
                                          pmci::bytes_span(response).subspan(1));
    if (n == 0) return;
    out = pmci::bytes_view(response).first(n + 1);
  }
  // Source: the EID we hold now (after a Set EID, the new one, as libmctp answers).
  pending.packets = mctp::packetizer(
      {.dest = msg.source, .source = ctrl.current_eid(), .tag_owner = false, .tag = msg.tag}, out,
      link.max_packet_payload());
  pending.active = true;
  pump();
}

}  // namespace

// The I3C target controller's interrupt: a private read completed and/or a private write arrived.
extern "C" void fw_bus_irq() {
  if (fw::bus_take_read_done()) {
    link.on_read_complete();
    pump();
  }
  std::array<std::byte, i3c::baseline_frame> frame;  // filled by bus_receive
  const std::size_t n = fw::bus_receive(frame);
  if (n == 0) return;
  auto packet = link.on_private_write(pmci::bytes_view(frame).first(n));
  if (!packet) return;
  if (auto msg = rx.receive(*packet, fw::ticks_ms())) on_message(*msg);
}

int main() {
  for (;;) fw::wait_for_interrupt();
}
