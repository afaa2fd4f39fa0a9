// SPDX-License-Identifier: Apache-2.0
// Footprint image `mctp_i3c`: MCTP core + one binding, the figure issue 9 compares with
// libmctp's minimal core + binding. A device (I3C target) that
//   - receives: I3C target binding (DSP0233 framing, address-byte PEC, MWL limit) -> destination
//     EID filter (ours, null, broadcast; as libmctp's mctp_bus_rx) -> mctp::assembler;
//   - hands every whole message to an opaque upper layer (board.cpp): a request's answer goes
//     back as a response (TO = 0, the request's tag); after a response (its tag released with
//     the mctp::tag_allocator), the upper layer may send the peer a new request (TO = 1, a tag
//     allocated for it);
//   - sends: mctp::packetizer, each packet written straight into the I3C target binding's read
//     queue (i3c::target::send_next: PEC, two-frame queue, IBI 0xAE); a message longer than the
//     queue continues as the controller reads.
// No control responder, no routes: this device has a static EID and one peer (the controller),
// as a libmctp minimal build has. `mctp_i3c_endpoint` is the same device on mctp::endpoint
// (control responder, routes, statistics).
//
// Configuration (each item is a footprint decision, docs/footprint.md):
//   - baseline I3C transfers: MWL = MRL = 69 (64-byte payload + 4-byte header + PEC);
//   - one reassembly context of max_message bytes, one message buffer of the same size for the
//     upper layer's output (sent in place: the packetizer reads it, no copy);
//   - two frames queued for the controller's private reads; tags for one peer.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "board.hpp"
#include "pmci/mctp/assembler.hpp"
#include "pmci/mctp/i3c.hpp"
#include "pmci/mctp/packetizer.hpp"
#include "pmci/mctp/tags.hpp"

namespace {

namespace mctp = pmci::mctp;
namespace i3c = pmci::mctp::i3c;

constexpr std::size_t max_message = 1024;  // type byte included
constexpr std::size_t tx_depth = 2;
constexpr mctp::eid own_eid = 0x1D;  // static EID: no control responder in this image

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
// All zero bytes until main() attaches the driver: .bss, no initial image in flash.
constinit i3c::target<i3c_hal, i3c::baseline_packet, tx_depth> link;
constinit mctp::assembler<1, max_message> rx;
constinit mctp::tag_allocator<1> tags;

// The message being sent: the upper layer's output, read in place by the packetizer, which
// writes each packet straight into the binding's read queue (no packet buffer, one copy).
std::array<std::byte, max_message> tx_body;
std::optional<mctp::packetizer> tx;
std::uint8_t tx_seq;  // continues across messages (libmctp)

// Hand packets to the binding until the message is out or the read queue is full.
void pump() {
  while (tx) {
    const auto r = link.send_next(*tx);  // the packet is written into the read queue
    if (r == pmci::errc::busy) return;   // continues after the next read
    if (!r) {  // not after the checks in fw_bus_irq(); drop the message (a request's tag expires)
      tx.reset();
      return;
    }
    if (tx->done()) {
      tx_seq = tx->next_seq();
      tx.reset();
    }
  }
}

}  // namespace

// The I3C target controller's interrupt: a private read completed and/or a private write arrived.
extern "C" void fw_bus_irq() {
  const std::uint32_t now = fw::ticks_ms();
  if (fw::bus_take_read_done()) {
    link.on_read_complete();
    pump();  // the next packets of a multi-packet message
  }
  std::array<std::byte, i3c::baseline_frame> frame;  // filled by bus_receive
  const std::size_t n = fw::bus_receive(frame);
  if (n == 0) return;
  auto packet = link.on_private_write(pmci::bytes_view(frame).first(n));
  if (!packet) return;
  const auto dest = std::to_integer<std::uint8_t>((*packet)[1]);  // unframe: >= 4 bytes
  if (dest != own_eid && dest != mctp::null_eid && dest != mctp::broadcast_eid) return;
  auto msg = rx.receive(*packet, now);
  if (!msg) return;
  if (!msg->tag_owner && !tags.release(msg->source, msg->tag, now)) return;  // unsolicited response
  if (tx) return;  // one message in flight
  const std::size_t len = fw::upper_layer(static_cast<std::uint8_t>(msg->type), msg->body, tx_body);
  if (len == 0) return;
  mctp::address to{msg->source, own_eid, false, msg->tag};  // a request's response
  if (!msg->tag_owner) {                                     // after a response: a new request
    auto tag = tags.allocate(msg->source, now);
    if (!tag) return;
    to.tag_owner = true;
    to.tag = *tag;
  }
  tx.emplace(to, msg->type, pmci::bytes_view(tx_body).first(len), link.max_packet_payload(), tx_seq);
  pump();
}

int main() {
  link.attach(hal);
  for (;;) fw::wait_for_interrupt();
}
