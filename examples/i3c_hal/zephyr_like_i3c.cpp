// SPDX-License-Identifier: Apache-2.0
// The MCTP-over-I3C bus-driver concepts implemented for a Zephyr-like HAL.
//
// Part 1 is a stand-in for <zephyr/drivers/i3c.h>: the same function names and shapes
// (i3c_transfer, i3c_target_tx_write, i3c_ibi_raise, the target and IBI callbacks), implemented
// over pmci::sim::i3c_bus so this program runs on a host. On a real board, delete part 1 and
// include the Zephyr header: parts 2 and 3 stay as they are.
// Part 2 is what you write for your product: two small adapters that model
// pmci::mctp::i3c::controller_driver and pmci::mctp::i3c::target_driver.
// Part 3 wires them to the binding and an MCTP endpoint on each side (in firmware these would
// be two different chips; here both live in one process) and exchanges an SPDM-typed message.
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include "pmci/mctp/endpoint.hpp"
#include "pmci/mctp/i3c.hpp"
#include "pmci/sim/i3c_bus.hpp"

// =============================================================================================
// Part 1: a tiny Zephyr-like I3C API over the simulated bus (host only).
namespace zephyr_like {

using sim_bus = pmci::sim::i3c_bus<2>;
sim_bus* g_bus = nullptr;  // the "hardware"

struct device {  // struct device: one I3C controller or target peripheral
  std::uint8_t target_address = 0;  // for a target peripheral: its dynamic address
};

// <zephyr/drivers/i3c.h>
inline constexpr std::uint8_t I3C_MSG_WRITE = 0, I3C_MSG_READ = 1, I3C_MSG_STOP = 2;
struct i3c_msg {
  std::uint8_t* buf;
  std::uint32_t len;
  std::uint8_t flags;
  std::uint32_t num_xfer;  // bytes actually transferred (a target may end a read early)
};
struct i3c_device_desc {
  std::uint8_t dynamic_addr;
  std::uint8_t bcr;
  std::uint8_t dcr;
  struct {
    std::uint16_t mrl;
    std::uint16_t mwl;
  } data_length;  // filled from GETMRL/GETMWL during bus init
};
struct i3c_ibi_payload {
  std::uint8_t payload_len;
  std::uint8_t payload[8];
};
inline constexpr int I3C_IBI_TARGET_INTR = 0;
struct i3c_ibi {
  int ibi_type;
  std::uint8_t* payload;
  std::uint8_t payload_len;
};
struct i3c_target_callbacks {
  void (*buf_write_received_cb)(const std::uint8_t* buf, std::uint32_t len);
  int (*stop_cb)();
};

// Controller: one private transfer. -EIO on a NACK (Zephyr reports NACKs as -EIO).
int i3c_transfer(i3c_device_desc* target, i3c_msg* msgs, std::uint8_t num_msgs) {
  for (std::uint8_t i = 0; i < num_msgs; ++i) {
    i3c_msg& m = msgs[i];
    auto& ctl = g_bus->controller();
    if (m.flags & I3C_MSG_READ) {
      auto n = ctl.private_read(target->dynamic_addr, {reinterpret_cast<std::byte*>(m.buf), m.len});
      if (!n) return -EIO;
      m.num_xfer = static_cast<std::uint32_t>(*n);
    } else {
      if (!ctl.private_write(target->dynamic_addr, {reinterpret_cast<const std::byte*>(m.buf), m.len})) return -EIO;
      m.num_xfer = m.len;
    }
  }
  return 0;
}
// Target: queue data for the controller's next private read.
int i3c_target_tx_write(const device* dev, const std::uint8_t* buf, std::uint16_t len, std::uint8_t /*hdr_mode*/) {
  auto* t = g_bus->target(dev->target_address);
  if (!t || !t->load_read_data({reinterpret_cast<const std::byte*>(buf), len})) return -ENOSPC;
  return len;
}
// Target: raise an In-Band Interrupt with payload.
int i3c_ibi_raise(const device* dev, i3c_ibi* request) {
  auto* t = g_bus->target(dev->target_address);
  if (!t || request->payload_len < 1) return -EINVAL;
  return t->raise_ibi(request->payload[0]) ? 0 : -ENOTSUP;
}

// The "interrupt controller": deliver pending bus events to the registered callbacks, as the
// Zephyr drivers do from their ISRs / work queues.
void run_isrs(const device* target_dev, const i3c_target_callbacks& cb, i3c_device_desc* desc,
              int (*ibi_cb)(i3c_device_desc*, i3c_ibi_payload*)) {
  auto* t = g_bus->target(target_dev->target_address);
  while (auto w = t->take_write()) cb.buf_write_received_cb(reinterpret_cast<const std::uint8_t*>(w->data()),
                                                            static_cast<std::uint32_t>(w->size()));
  while (t->take_read_complete()) cb.stop_cb();
  while (auto ibi = g_bus->controller().take_ibi()) {
    i3c_ibi_payload p{};
    p.payload_len = ibi->has_mdb ? 1 : 0;
    p.payload[0] = ibi->mdb;
    if (ibi->address == desc->dynamic_addr) ibi_cb(desc, &p);
  }
}

}  // namespace zephyr_like

// =============================================================================================
// Part 2: the adapters (the only code a product writes for its HAL).
namespace app {
using namespace zephyr_like;
using pmci::bytes_span;
using pmci::bytes_view;
using pmci::errc;
using pmci::result;

// Models pmci::mctp::i3c::controller_driver.
struct zephyr_i3c_controller {
  i3c_device_desc* target;  // one target here; look the address up in your device table

  result<void> private_write(std::uint8_t /*addr*/, bytes_view frame) {
    // Zephyr: struct i3c_msg msg = {.buf, .len, .flags = I3C_MSG_WRITE | I3C_MSG_STOP};
    //         i3c_transfer(desc, &msg, 1);
    i3c_msg msg{const_cast<std::uint8_t*>(reinterpret_cast<const std::uint8_t*>(frame.data())),
                static_cast<std::uint32_t>(frame.size()), I3C_MSG_WRITE | I3C_MSG_STOP, 0};
    return i3c_transfer(target, &msg, 1) == 0 ? pmci::ok() : result<void>{errc::busy};
  }
  result<std::size_t> private_read(std::uint8_t /*addr*/, bytes_span out) {
    // Zephyr: flags = I3C_MSG_READ | I3C_MSG_STOP, len = MRL; msg.num_xfer is what came.
    i3c_msg msg{reinterpret_cast<std::uint8_t*>(out.data()), static_cast<std::uint32_t>(out.size()),
                I3C_MSG_READ | I3C_MSG_STOP, 0};
    if (i3c_transfer(target, &msg, 1) != 0) return errc::not_ready;  // NACK: nothing to read
    return std::size_t{msg.num_xfer};
  }
};
static_assert(pmci::mctp::i3c::controller_driver<zephyr_i3c_controller>);

// Models pmci::mctp::i3c::target_driver.
struct zephyr_i3c_target {
  const device* dev;
  std::uint16_t mwl, mrl;  // what this device answers to GETMWL/GETMRL

  std::uint8_t dynamic_address() const { return dev->target_address; }  // driver's DA register
  std::uint16_t max_write_length() const { return mwl; }
  std::uint16_t max_read_length() const { return mrl; }
  result<void> load_read_data(bytes_view frame) {
    // Zephyr: i3c_target_tx_write(dev, buf, len, 0) — some I3C IPs need the data in the TX
    // FIFO before the IBI, so the binding always loads first, then raises.
    const int n = i3c_target_tx_write(dev, reinterpret_cast<const std::uint8_t*>(frame.data()),
                                      static_cast<std::uint16_t>(frame.size()), 0);
    return n >= 0 ? pmci::ok() : result<void>{errc::busy};
  }
  result<void> raise_ibi(std::uint8_t mdb) {
    // Zephyr: struct i3c_ibi req = {.ibi_type = I3C_IBI_TARGET_INTR, .payload = &mdb, .payload_len = 1};
    //         i3c_ibi_raise(dev, &req);
    i3c_ibi req{I3C_IBI_TARGET_INTR, &mdb, 1};
    const int rc = i3c_ibi_raise(dev, &req);
    return rc == 0 ? pmci::ok() : result<void>{rc == -ENOTSUP ? errc::unsupported : errc::busy};
  }
};
static_assert(pmci::mctp::i3c::target_driver<zephyr_i3c_target>);

}  // namespace app

// =============================================================================================
// Part 3: the binding and an MCTP endpoint on each side.
namespace {
namespace i3c = pmci::mctp::i3c;
namespace control = pmci::mctp::control;

constexpr std::array<std::byte, 2> types{std::byte{0x00}, std::byte{0x05}};
constexpr auto versions_bytes = control::version_bytes(control::version_entry::make(1, 3, 3));
constexpr std::array<control::version_support, 1> versions{{{control::base_spec_type, versions_bytes}}};

zephyr_like::device target_dev{0x10};
zephyr_like::i3c_device_desc target_desc{0x10, 0x06, i3c::dcr_mctp, {69, 69}};
app::zephyr_i3c_controller ctl_hal{&target_desc};
app::zephyr_i3c_target tgt_hal{&target_dev, 69, 69};

// Controller chip: binding + endpoint (EID 0x08).
i3c::controller<app::zephyr_i3c_controller, 4> ctl_binding{ctl_hal};
pmci::mctp::endpoint<decltype(ctl_binding)> host{
    ctl_binding, {0x08, control::endpoint_kind::bus_owner_or_bridge, 0, {}, types, versions, {}}};
// Target chip: binding + endpoint (static EID 0x1D).
i3c::target<app::zephyr_i3c_target> tgt_binding{tgt_hal};
pmci::mctp::endpoint<decltype(tgt_binding)> dev_ep{tgt_binding, {0x1D, control::endpoint_kind::simple, 0, {}, types, versions, {}}};

std::uint32_t ticks = 0;
std::array<std::byte, 64> reply{};

// Target callbacks (Zephyr: struct i3c_target_callbacks registered with i3c_target_register).
void on_buf_write_received(const std::uint8_t* buf, std::uint32_t len) {
  auto p = tgt_binding.on_private_write({reinterpret_cast<const std::byte*>(buf), len});
  if (!p) return;  // bad PEC / length: dropped and counted in tgt_binding.stats()
  if (auto m = dev_ep.receive({0, *p}, ticks)) {
    // An SPDM-typed request: answer with a canned "response" (a real device runs its SPDM
    // responder here). Control requests never get here: the endpoint answers them itself.
    if (m->type == pmci::mctp::msg_type::spdm && m->tag_owner) {
      const std::size_t n = m->body.size() < reply.size() ? m->body.size() : reply.size();
      for (std::size_t i = 0; i < n; ++i) reply[i] = m->body[i] ^ std::byte{0xFF};
      (void)dev_ep.send_response(*m, pmci::mctp::msg_type::spdm, pmci::bytes_view(reply).first(n));
    }
  }
}
int on_stop() {  // Zephyr stop_cb: a read of our TX FIFO has finished
  tgt_binding.on_read_complete();
  (void)dev_ep.flush();
  return 0;
}
// Controller IBI callback (Zephyr: i3c_device_desc::ibi_cb after i3c_ibi_enable()).
int on_ibi(zephyr_like::i3c_device_desc* desc, zephyr_like::i3c_ibi_payload* payload) {
  ctl_binding.on_ibi(desc->dynamic_addr, {reinterpret_cast<const std::byte*>(payload->payload), payload->payload_len});
  return 0;  // the read itself happens in host.poll(), outside the IBI context
}

}  // namespace

int main() {
  zephyr_like::sim_bus bus;
  zephyr_like::g_bus = &bus;
  (void)bus.add_target({.dynamic_address = 0x10});
  const zephyr_like::i3c_target_callbacks cbs{&on_buf_write_received, &on_stop};

  // Bus init (Zephyr does DAA + GETBCR/GETDCR/GETMWL/GETMRL): register MCTP devices only.
  if (!i3c::is_mctp_device(target_desc.dcr)) return 1;
  if (!ctl_binding.add_target({target_desc.dynamic_addr, target_desc.bcr, target_desc.dcr,
                               target_desc.data_length.mwl, target_desc.data_length.mrl}))
    return 1;
  dev_ep.set_default_route(0);
  (void)host.set_route(0x1D, target_desc.dynamic_addr);

  constexpr std::array<std::byte, 4> request{std::byte{0x12}, std::byte{0x84}, std::byte{0x00}, std::byte{0x00}};
  auto tag = host.send_request(0x1D, pmci::mctp::msg_type::spdm, request, ticks);
  if (!tag) return 2;
  std::printf("host -> EID 0x1D: SPDM-typed request, tag %u\n", *tag);
  for (int i = 0; i < 10; ++i, ++ticks) {
    zephyr_like::run_isrs(&target_dev, cbs, &target_desc, &on_ibi);
    if (auto m = host.poll(ticks)) {  // the work-queue side of the controller
      std::printf("host <- EID 0x%02X: %zu-byte response, tag %u:", m->source, m->body.size(), m->tag);
      for (auto b : m->body) std::printf(" %02x", std::to_integer<unsigned>(b));
      std::printf("\ncounters: controller rx %u, target rx %u, dropped %u\n", ctl_binding.stats().rx_packets,
                  tgt_binding.stats().rx_packets, ctl_binding.stats().rx_dropped() + tgt_binding.stats().rx_dropped());
      return m->tag == *tag && m->body.size() == request.size() ? 0 : 3;
    }
  }
  std::printf("no response\n");
  return 4;
}
