// SPDX-License-Identifier: Apache-2.0
// Footprint image `mctp_i3c_endpoint`: a whole MCTP endpoint on an I3C bus, as a device (I3C
// target) runs it: `mctp_i3c` (MCTP core + I3C binding) plus what mctp::endpoint adds.
// pmci parts: the I3C target binding (DSP0233 framing, address-byte PEC, MWL/MRL limits, IBI 0xAE
// read queue) under an mctp::endpoint (assembler, packetizer with a send queue that resumes as
// the controller reads, and the MCTP control responder answering Set/Get EID, UUID, version,
// message type and vendor support by itself). Other message types go to an opaque upper layer
// (board.cpp) whose response is sent back, so every path of the core is live.
//
// Configuration (each item is a footprint decision, docs/footprint.md):
//   - baseline I3C transfers: MWL = MRL = 69 (64-byte payload + 4-byte header + PEC);
//   - one reassembly context of max_message bytes, one response buffer of the same size;
//   - two frames queued for the controller's private reads;
//   - EID assigned by the bus owner (no static EID), as I3C devices usually are; one route
//     (the default: the controller), no tag allocator (the device sends no
//     requests: Cfg::tag_peers = 0).
#include <array>
#include <cstddef>
#include <cstdint>

#include "board.hpp"
#include "pmci/mctp/control_responder.hpp"
#include "pmci/mctp/endpoint.hpp"
#include "pmci/mctp/i3c.hpp"

namespace {

namespace mctp = pmci::mctp;
namespace i3c = pmci::mctp::i3c;
namespace control = pmci::mctp::control;

constexpr std::size_t max_message = 1024;  // type byte included
constexpr std::size_t tx_depth = 2;

constexpr auto base_versions = control::version_bytes(control::version_entry::make(1, 3, 3));
constexpr auto control_versions = control::version_bytes(control::version_entry::make(1, 3, 3));
constexpr control::version_support versions[] = {{control::base_spec_type, base_versions},
                                                 {0x00, control_versions}};
constexpr std::byte message_types[] = {std::byte{0x00}, std::byte{0x05}};  // control, SPDM
constexpr std::byte uuid[16] = {std::byte{0x5a}, std::byte{0x1e}, std::byte{0x9e}, std::byte{0x7c},
                                std::byte{0x00}, std::byte{0x01}, std::byte{0x40}, std::byte{0x00},
                                std::byte{0x80}, std::byte{0x00}, std::byte{0x00}, std::byte{0x00},
                                std::byte{0x00}, std::byte{0x00}, std::byte{0x00}, std::byte{0x01}};

struct endpoint_config : mctp::endpoint_defaults {
  static constexpr std::size_t max_message = ::max_message;
  static constexpr std::size_t contexts = 1;
  static constexpr std::size_t routes = 1;
  static constexpr std::size_t tag_peers = 0;  // sends no requests: no tag allocator
  static constexpr control::responder_config control_config{.static_eid = mctp::null_eid,
                                                            .uuid = uuid,
                                                            .message_types = message_types,
                                                            .versions = versions,
                                                            .vendor_sets = {}};
};

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
// Both all zero bytes until main() attaches the driver: .bss, no initial image in flash.
constinit i3c::target<i3c_hal, i3c::baseline_packet, tx_depth> link;
constinit mctp::endpoint<endpoint_config> ep;
// The upper layer's response; the endpoint sends it in place, so it lives until sent.
std::array<std::byte, max_message> response;

}  // namespace

// The I3C target controller's interrupt: a private read completed and/or a private write arrived.
extern "C" void fw_bus_irq() {
  if (fw::bus_take_read_done()) {
    link.on_read_complete();
    (void)ep.flush(link);  // the next packets of a multi-packet response
  }
  std::array<std::byte, i3c::baseline_frame> frame;  // filled by bus_receive
  const std::size_t n = fw::bus_receive(frame);
  if (n == 0) return;
  auto packet = link.on_private_write(pmci::bytes_view(frame).first(n));
  if (!packet) return;
  auto msg = ep.receive(link, {.from = 0, .packet = *packet}, fw::ticks_ms());
  if (!msg || !msg->tag_owner || ep.sending()) return;  // requests only; one response in flight
  const std::size_t len = fw::upper_layer(static_cast<std::uint8_t>(msg->type), msg->body, response);
  if (len != 0) (void)ep.send_response(link, *msg, msg->type, pmci::bytes_view(response).first(len));
}

int main() {
  link.attach(hal);
  ep.set_default_route(0);  // a target talks to its controller only
  for (;;) fw::wait_for_interrupt();
}
