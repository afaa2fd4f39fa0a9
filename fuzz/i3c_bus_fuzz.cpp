// SPDX-License-Identifier: Apache-2.0
// Stateful fuzzer: an I3C controller and three targets (one polled) over the simulated bus
// with fault injection, driven by a random sequence of bus events.
//
// Input: 8 bytes of fault settings, then one byte per step choosing an action (send either way,
// service targets, service IBIs, poll, receive, retry, raw garbage write/read, change MRL-sized
// packets). Invariants checked on every delivery and at the end:
//   - every delivered packet is byte-exact one that was sent (packets encode their own id);
//   - with faults switched off and the bus drained, every injected bit flip was caught by a PEC
//     check (one for one), and nothing is left in flight;
//   - nothing crashes, nothing allocates (no heap in the code under test).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <type_traits>

#include "pmci/mctp/i3c.hpp"
#include "pmci/sim/i3c_bus.hpp"

namespace i3c = pmci::mctp::i3c;

namespace {

constexpr std::size_t max_packet = 200;
using bus_t = pmci::sim::i3c_bus<3, max_packet + 1, 4>;
using ctl_port_t = std::remove_reference_t<decltype(std::declval<bus_t&>().controller())>;
using tgt_port_t = bus_t::target_port;

// A packet whose bytes are a function of (id, length): delivery can be checked without
// remembering what was sent.
std::uint8_t fill(std::uint16_t id, std::size_t i) { return static_cast<std::uint8_t>(id * 31u + i * 7u + (id >> 8)); }
std::span<const std::byte> make_packet(std::array<std::byte, max_packet>& buf, std::uint16_t id, std::size_t len) {
  len = len < 6 ? 6 : len;
  buf[0] = std::byte{1};
  buf[1] = std::byte{0x09};
  buf[2] = std::byte{0x08};
  buf[3] = std::byte{static_cast<std::uint8_t>(len)};
  buf[4] = std::byte{static_cast<std::uint8_t>(id >> 8)};
  buf[5] = std::byte{static_cast<std::uint8_t>(id)};
  for (std::size_t i = 6; i < len; ++i) buf[i] = std::byte{fill(id, i)};
  return std::span<const std::byte>(buf).first(len);
}
void check_packet(std::span<const std::byte> p) {
  if (p.size() < 6 || p[0] != std::byte{1} || std::to_integer<std::size_t>(p[3]) != p.size()) std::abort();
  const auto id = static_cast<std::uint16_t>((std::to_integer<unsigned>(p[4]) << 8) | std::to_integer<unsigned>(p[5]));
  for (std::size_t i = 6; i < p.size(); ++i)
    if (p[i] != std::byte{fill(id, i)}) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 8) return 0;
  const pmci::sim::i3c_faults faults{
      .seed = static_cast<std::uint64_t>(data[0]) | (static_cast<std::uint64_t>(data[1]) << 8),
      .bit_flip_ppm = data[2] * 2000u,
      .drop_ppm = data[3] * 1000u,
      .duplicate_ppm = data[4] * 1000u,
      .spurious_ibi_ppm = data[5] * 2000u,
  };
  const auto mwl = static_cast<std::uint16_t>(69 + data[6] % (max_packet + 2 - 69));
  const auto mrl = static_cast<std::uint16_t>(69 + data[7] % (max_packet + 2 - 69));

  bus_t bus{faults};

  const std::array<pmci::sim::i3c_device, 3> devs{{
      {.dynamic_address = 0x10, .mwl = mwl, .mrl = mrl},
      {.dynamic_address = 0x11, .mwl = 69, .mrl = 69},
      {.dynamic_address = 0x12, .bcr = 0, .mwl = mrl, .mrl = mwl},  // polled
  }};
  std::array<tgt_port_t*, 3> ports{};
  auto& ctl_port = bus.controller();
  i3c::controller<ctl_port_t, 3, max_packet> ctl{ctl_port};
  for (std::size_t i = 0; i < 3; ++i) {
    ports[i] = *bus.add_target(devs[i]);
    if (!ctl.add_target(devs[i].info())) std::abort();
  }
  using target_t = i3c::target<tgt_port_t, max_packet, 3>;
  std::array<target_t, 3> tgts{target_t{*ports[0]}, target_t{*ports[1]}, target_t{*ports[2]}};

  std::array<std::byte, max_packet> pkt{};
  std::uint16_t next_id = 0;
  std::uint32_t junk_flips = 0;
  const auto service_targets = [&] {
    for (std::size_t i = 0; i < 3; ++i) {
      while (auto w = ports[i]->take_write())
        if (auto p = tgts[i].on_private_write(*w)) check_packet(*p);
      while (ports[i]->take_read_complete()) tgts[i].on_read_complete();
    }
  };
  const auto service_controller = [&] {
    while (auto ibi = ctl_port.take_ibi()) ctl.on_ibi(ibi->address, ibi->payload());
    while (auto p = ctl.receive()) check_packet(p->packet);
  };

  for (std::size_t k = 8; k < size; ++k) {
    const std::uint8_t b = data[k];
    const std::size_t t = (b >> 3) % 3;
    const auto addr = devs[t].dynamic_address;
    switch (b & 7) {
      case 0: {  // controller -> target, length from the next byte, possibly above MWL
        const std::size_t len = k + 1 < size ? data[++k] : 10;
        const auto r = ctl.send_packet(addr, make_packet(pkt, next_id++, len % (max_packet + 1)));
        if (r == pmci::errc::out_of_range && len % (max_packet + 1) + 1 <= i3c::frame_limit(devs[t].mwl)) std::abort();
        break;
      }
      case 1: {  // target -> controller
        const std::size_t len = k + 1 < size ? data[++k] : 10;
        (void)tgts[t].send_packet(0, make_packet(pkt, next_id++, len % (max_packet + 1)));
        break;
      }
      case 2: service_targets(); break;
      case 3: service_controller(); break;
      case 4: ctl.poll(); break;
      case 5: (void)tgts[t].retry(); break;
      case 6: {  // a raw write of garbage (no valid PEC unless by chance; then it must not crash)
        std::array<std::byte, 16> junk{};
        for (std::size_t i = 0; i < junk.size() && k + 1 < size; ++i) junk[i] = std::byte{data[++k]};
        const auto flips_before = bus.stats().bit_flips;
        (void)ctl_port.private_write(addr, junk);
        junk_flips += bus.stats().bit_flips - flips_before;  // a flipped junk frame may pass its PEC
        // Whatever a target accepts is checked by check_packet only if it looks like ours.
        while (auto w = ports[t]->take_write()) (void)tgts[t].on_private_write(*w);
        break;
      }
      case 7: {  // a stray IBI with an arbitrary MDB, from any address
        const std::byte mdb[] = {std::byte{static_cast<std::uint8_t>(b | 0x80)}};
        (void)ctl.on_ibi(static_cast<std::uint8_t>(0x0F + t), mdb);
        break;
      }
    }
  }

  // Drain on a quiet bus and check the accounting.
  bus.set_faults({});
  for (int round = 0; round < 64; ++round) {
    service_targets();
    service_controller();
    ctl.poll();
    service_controller();
    for (auto& tg : tgts) (void)tg.retry();
  }
  service_targets();
  service_controller();
  if (!bus.idle()) std::abort();
  std::uint32_t pec_failures = ctl.stats().rx_bad_pec;
  for (auto& tg : tgts) pec_failures += tg.stats().rx_bad_pec;
  // Every flip of a genuine frame was caught by a PEC check (junk writes add PEC failures of
  // their own, so this is a lower bound).
  if (pec_failures < bus.stats().bit_flips - junk_flips) std::abort();
  for (auto& tg : tgts)
    if (tg.tx_queued() != 0) std::abort();
  return 0;
}
