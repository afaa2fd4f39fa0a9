// SPDX-License-Identifier: Apache-2.0
// Demo section: MCTP over I3C on the simulated bus. A bus owner (I3C controller, EID 0x08)
// assigns an EID to a target with Set Endpoint ID, then asks it Get Endpoint ID and Get Message
// Type Support. Every private write and read is printed with its PEC, and every IBI.
//
// Include once from the demo's main.cpp and call run_i3c_demo(); returns 0 on success.
#pragma once
#include <array>
#include <cstdint>
#include <cstdio>
#include <type_traits>

#include "pmci/mctp/control.hpp"
#include "pmci/mctp/endpoint.hpp"
#include "pmci/mctp/i3c.hpp"
#include "pmci/mctp/packet.hpp"
#include "pmci/sim/i3c_bus.hpp"

namespace pmci_demo_i3c {

namespace i3c = pmci::mctp::i3c;
namespace control = pmci::mctp::control;

inline const char* command_name(control::command c) {
  switch (c) {
    case control::command::set_endpoint_id: return "Set Endpoint ID";
    case control::command::get_endpoint_id: return "Get Endpoint ID";
    case control::command::get_message_type_support: return "Get Message Type Support";
    default: return "control";
  }
}

// What each control responder reports: static EID (none for the target: the bus owner assigns
// one), endpoint kind, medium-specific byte, UUID, message types, versions, vendors. The
// configuration is part of each endpoint's Cfg type, not of the endpoint object.
// control, SPDM, secured SPDM
inline constexpr std::array<std::byte, 3> types{std::byte{0x00}, std::byte{0x05}, std::byte{0x06}};
inline constexpr auto ctrl_versions = control::version_bytes(control::version_entry::make(1, 3, 3));
inline constexpr std::array<control::version_support, 1> versions{{{control::base_spec_type, ctrl_versions}}};
struct owner_cfg : pmci::mctp::endpoint_defaults {
  static constexpr control::responder_config control_config{0x08, control::endpoint_kind::bus_owner_or_bridge, 0, {},
                                                            types, versions, {}};
};
struct device_cfg : pmci::mctp::endpoint_defaults {
  static constexpr control::responder_config control_config{pmci::mctp::null_eid, control::endpoint_kind::simple, 0,
                                                            {}, types, versions, {}};
};

inline void print_bytes(pmci::bytes_view b) {
  for (auto x : b) std::printf(" %02x", std::to_integer<unsigned>(x));
}

// One line per bus event, and a decoded line for each frame.
inline void trace(void*, const pmci::sim::i3c_event& e) {
  using kind = pmci::sim::i3c_event::kind;
  if (e.what == kind::ibi) {
    std::printf("    IBI            from 0x%02x  MDB 0x%02x%s\n", e.address, e.mdb,
                e.mdb == i3c::mdb_pending_read ? " (MCTP pending read)" : "");
    return;
  }
  if (e.what == kind::nack) {
    std::printf("    NACK           %s 0x%02x\n", e.read ? "read from" : "write to", e.address);
    return;
  }
  const bool rd = e.what == kind::private_read;
  const auto dir = rd ? i3c::direction::read : i3c::direction::write;
  const auto packet = e.data.first(e.data.size() - 1);
  const auto pec = std::to_integer<std::uint8_t>(e.data.back());
  std::printf("    %s 0x%02x:", rd ? "private read   " : "private write  ", e.address);
  print_bytes(packet);
  std::printf(" | PEC %02x (CRC-8 over %02x + packet: %s)\n", pec, i3c::address_byte(e.address, dir),
              i3c::pec(e.address, dir, packet) == pec ? "ok" : "BAD");
  if (auto h = pmci::mctp::header::decode(packet)) {
    std::printf("                   MCTP %02x -> %02x %s%s%s tag %u seq %u", h->source, h->dest, h->som ? "SOM " : "",
                h->eom ? "EOM " : "", h->tag_owner ? "TO" : "  ", h->tag, h->seq);
    if (auto c = control::control_header::decode(packet.subspan(pmci::mctp::header::size)))
      std::printf(" | control %s %s (instance %u)", command_name(c->cmd), c->request ? "request" : "response",
                  c->instance_id);
    std::printf("\n");
  }
}

inline int run_i3c_demo() {
  std::printf("\n== MCTP over I3C (DSP0233) on pmci::sim::i3c_bus ==\n");
  pmci::sim::i3c_bus<1> bus;
  const pmci::sim::i3c_device dev{.dynamic_address = 0x10};  // DCR 0xCC, BCR 0x06, MWL/MRL 69
  auto& port = **bus.add_target(dev);
  std::printf("  target at dynamic address 0x%02x: DCR 0x%02x (%s), BCR 0x%02x, MWL %u, MRL %u\n",
              dev.dynamic_address, dev.dcr, i3c::is_mctp_device(dev.dcr) ? "MCTP device" : "not MCTP", dev.bcr,
              dev.mwl, dev.mrl);

  using ctl_port_t = std::remove_reference_t<decltype(bus.controller())>;
  using tgt_port_t = std::remove_reference_t<decltype(port)>;
  i3c::controller<ctl_port_t, 1> ctl{bus.controller()};
  i3c::target<tgt_port_t> tgt{port};
  if (!ctl.add_target(dev.info())) return 1;

  // The endpoints hold no pointer to their link: each call that sends takes it.
  pmci::mctp::endpoint<owner_cfg> owner;
  pmci::mctp::endpoint<device_cfg> device;
  device.set_default_route(0);  // a target's only peer is the controller
  bus.set_trace(&trace, nullptr);

  std::uint32_t now = 0;
  // Run both sides until the controller has a message (or the bus stays idle).
  const auto exchange = [&](pmci::bytes_view request, pmci::mctp::eid dest, std::optional<std::uint8_t> via)
      -> std::optional<pmci::mctp::received_message> {
    if (!owner.send_request(ctl, dest, request, now, via)) return std::nullopt;
    for (int step = 0; step < 20; ++step, ++now) {
      while (auto w = port.take_write())                                   // target: private writes
        if (auto p = tgt.on_private_write(*w)) (void)device.receive(tgt, {0, *p}, now);
      while (port.take_read_complete()) tgt.on_read_complete();            // target: reads done
      (void)device.flush(tgt);
      while (auto ibi = bus.controller().take_ibi()) ctl.on_ibi(ibi->address, ibi->payload());
      if (auto m = owner.poll(ctl, now)) return m;                             // controller: reads
    }
    return std::nullopt;
  };
  std::array<std::byte, 16> buf{};

  std::printf("\n  -- bus owner assigns EID 0x1d: Set Endpoint ID to the null EID at 0x10 (physical addressing)\n");
  auto set = exchange(*control::encode(buf, control::set_endpoint_id_request{control::set_eid_operation::set, 0x1D}, 1),
                      pmci::mctp::null_eid, dev.dynamic_address);
  auto set_rsp = set ? control::decode<control::set_endpoint_id_response>(set->data) : pmci::errc::truncated;
  if (!set_rsp || set_rsp->assignment != control::eid_assignment::accepted) return 2;
  std::printf("  => accepted; target now uses EID 0x%02x\n", set_rsp->id);
  (void)owner.set_route(set_rsp->id, set->from);

  std::printf("\n  -- Get Endpoint ID\n");
  auto gid = exchange(*control::encode(buf, control::get_endpoint_id_request{}, 2), 0x1D, std::nullopt);
  auto gid_rsp = gid ? control::decode<control::get_endpoint_id_response>(gid->data) : pmci::errc::truncated;
  if (!gid_rsp) return 3;
  std::printf("  => EID 0x%02x, %s, %s EID\n", gid_rsp->id,
              gid_rsp->kind == control::endpoint_kind::simple ? "simple endpoint" : "bus owner/bridge",
              gid_rsp->type == control::eid_type::dynamic ? "dynamic" : "static");

  std::printf("\n  -- Get Message Type Support\n");
  auto mts = exchange(*control::encode(buf, control::get_message_type_support_request{}, 3), 0x1D, std::nullopt);
  auto mts_rsp = mts ? control::decode<control::get_message_type_support_response>(mts->data) : pmci::errc::truncated;
  if (!mts_rsp) return 4;
  std::printf("  => message types:");
  for (auto t : mts_rsp->types) {
    const auto v = std::to_integer<unsigned>(t);
    std::printf(" 0x%02x%s", v, v == 0 ? " (MCTP control)" : v == 5 ? " (SPDM)" : v == 6 ? " (secured SPDM)" : "");
  }
  std::printf("\n  link counters: controller rx %u (dropped %u), target rx %u (dropped %u); IBIs %u\n",
              ctl.stats().rx_packets, ctl.stats().rx_dropped(), tgt.stats().rx_packets, tgt.stats().rx_dropped(),
              bus.stats().ibis);
  return 0;
}

}  // namespace pmci_demo_i3c

using pmci_demo_i3c::run_i3c_demo;
