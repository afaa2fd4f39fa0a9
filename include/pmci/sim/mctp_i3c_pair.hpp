// SPDX-License-Identifier: Apache-2.0
// A controller and one MCTP-over-I3C device on the simulated bus (sim::i3c_bus), each with its
// MCTP endpoint: the whole DSP0233 path (packetization at the configured MTU, PEC, private writes,
// IBI-announced private reads, reassembly) between two message-level halves, for host tests and
// demos of an upper layer (SPDM, PLDM) that should see real MCTP traffic.
//
//   struct ctl_cfg : mctp::endpoint_defaults { ... control_config with the BMC's EID ... };
//   struct dev_cfg : mctp::endpoint_defaults { ... control_config with the device's EID ... };
//   sim::mctp_i3c_pair<ctl_cfg, dev_cfg> link{0x10, 0x20};        // device address, device EID
//   auto serve = [&](const mctp::received_message& m) -> bytes_view { ... the device's answer ... };
//   auto rsp = link.exchange(request, out, serve);                   // type byte first, both ways
//
// `serve` is the device's firmware: it gets every whole request addressed to it and returns the
// response message (MCTP message type byte first), or an empty view for no response. The pair
// sends it back with the request's tag. No heap: the pair is large (two reassembly buffers, the
// bus FIFOs), so tests allocate it where they like. Not copyable or movable (the links point
// into the bus).
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/mctp/endpoint.hpp"
#include "pmci/mctp/i3c.hpp"
#include "pmci/sim/i3c_bus.hpp"

namespace pmci::sim {

template <class CtlCfg, class DevCfg, std::size_t ReadDepth = 4>
class mctp_i3c_pair {
  static_assert(CtlCfg::max_packet == DevCfg::max_packet, "both ends of the bus use the same MCTP packet size");

 public:
  /// MCTP packet (header + payload); the I3C frame adds the PEC byte (DSP0233).
  static constexpr std::size_t max_packet = CtlCfg::max_packet;
  using bus_t = i3c_bus<1, max_packet + 1, ReadDepth>;
  using ctl_port_t = std::remove_reference_t<decltype(std::declval<bus_t&>().controller())>;
  using dev_port_t = typename bus_t::target_port;
  using ctl_link_t = mctp::i3c::controller<ctl_port_t, 1, max_packet>;
  using dev_link_t = mctp::i3c::target<dev_port_t, max_packet, ReadDepth>;

  bus_t bus{};
  ctl_link_t ctl{bus.controller()};
  dev_port_t* port;
  dev_link_t dev;
  mctp::endpoint<CtlCfg> ep_ctl;
  mctp::endpoint<DevCfg> ep_dev;
  std::uint32_t now = 0;  ///< ticks: one per step()
  /// Responses `serve` returned that the device's endpoint could not send (too long, no tag...).
  std::size_t unsent_responses = 0;

  /// The device at dynamic address `dev_addr` (MWL = MRL = one frame), found by the controller
  /// as an MCTP device (DCR), with a route to `dev_eid`. `rx` and `tag_lifetime` (in ticks) for
  /// both endpoints: an upper layer that signs or does ECDHE between two ticks wants them long.
  mctp_i3c_pair(std::uint8_t dev_addr, mctp::eid dev_eid, mctp::assembler_config rx = {},
                std::uint32_t tag_lifetime = mctp::detail::tag_core::default_lifetime) noexcept
      : port(*bus.add_target({.dynamic_address = dev_addr,
                              .mwl = static_cast<std::uint16_t>(max_packet + 1),
                              .mrl = static_cast<std::uint16_t>(max_packet + 1)})),
        dev(*port),
        ep_ctl(rx, tag_lifetime),
        ep_dev(rx, tag_lifetime),
        dev_eid_(dev_eid) {
    // The controller's discovery: every device whose DCR says MCTP (DSP0233).
    for (std::size_t i = 0; i < bus.controller().device_count(); ++i)
      if (mctp::i3c::is_mctp_device(bus.controller().device(i).dcr)) (void)ctl.add_target(bus.controller().device(i).info());
    (void)ep_ctl.set_route(dev_eid, dev_addr);
    ep_dev.set_default_route(0);  // a target's only peer is the controller
  }
  mctp_i3c_pair(const mctp_i3c_pair&) = delete;
  mctp_i3c_pair& operator=(const mctp_i3c_pair&) = delete;

  [[nodiscard]] mctp::eid device_eid() const noexcept { return dev_eid_; }

  /// One tick. The device takes the frames written to it, hands each whole request to `serve`
  /// and queues the answer; then the controller takes IBIs, reads the announced frames and
  /// reassembles; a response from the device goes to `on_response(const received_message&)`.
  template <class Serve, class OnResponse>
  void step(Serve&& serve, OnResponse&& on_response) {
    ++now;
    while (auto w = port->take_write())
      if (auto p = dev.on_private_write(*w))
        if (auto m = ep_dev.receive(dev, {0, *p}, now); m && m->tag_owner) answer(*m, serve(std::as_const(*m)));
    while (port->take_read_complete()) dev.on_read_complete();
    (void)ep_dev.flush(dev);
    while (auto ibi = bus.controller().take_ibi()) ctl.on_ibi(ibi->address, ibi->payload());
    ctl.poll();
    while (auto m = ep_ctl.poll(ctl, now))
      if (!m->tag_owner && m->source == dev_eid_) on_response(std::as_const(*m));
    (void)ep_ctl.flush(ctl);
  }

  /// Send `request` (MCTP message type byte first) to the device and run the bus until its
  /// response arrives, at most `max_ticks` ticks; the response (type byte first) is copied into
  /// `out`. errc::buffer_too_small when either does not fit, timeout when no response came.
  template <class Serve>
  result<bytes_span> exchange(bytes_view request, bytes_span out, Serve&& serve, int max_ticks = 200000) {
    if (request.size() > tx_.size()) return errc::buffer_too_small;
    // The packetizer reads the message in place until the last packet is out: keep a copy.
    std::copy(request.begin(), request.end(), tx_.begin());
    PMCI_TRY(ep_ctl.send_request(ctl, dev_eid_, bytes_view{tx_}.first(request.size()), now));
    std::size_t got = 0;
    bool done = false, fits = true;
    const auto take = [&](const mctp::received_message& m) {
      if (done) return;
      done = true;
      fits = m.data.size() <= out.size();
      if (!fits) return;
      std::copy(m.data.begin(), m.data.end(), out.begin());
      got = m.data.size();
    };
    for (int i = 0; i < max_ticks && !done; ++i) step(serve, take);
    if (!done) return errc::timeout;
    if (!fits) return errc::buffer_too_small;
    return out.first(got);
  }

 private:
  void answer(const mctp::received_message& req, bytes_view rsp) {
    if (rsp.empty()) return;
    if (!ep_dev.send_response(dev, req, static_cast<mctp::msg_type>(rsp[0]), rsp.subspan(1))) ++unsent_responses;
  }

  mctp::eid dev_eid_;
  std::array<std::byte, CtlCfg::max_message> tx_{};
};

}  // namespace pmci::sim
