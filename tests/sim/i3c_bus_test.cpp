// SPDX-License-Identifier: Apache-2.0
// The simulated I3C bus: transfers, NACKs, IBIs, FIFO limits, tracing, determinism, and each
// kind of injected fault as the MCTP I3C binding sees it.
#include "pmci/sim/i3c_bus.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pmci/core/hex.hpp"
#include "pmci/mctp/i3c.hpp"
#include "support/alloc_counter.hpp"
#include "support/catch.hpp"

namespace i3c = pmci::mctp::i3c;
using pmci::bytes_view;
using pmci::errc;
using bus3 = pmci::sim::i3c_bus<3>;

namespace {
constexpr auto request = pmci::hex_bytes<9>("01 00 08 C9 00 80 01 00 0A");

struct recorder {
  std::vector<std::string> lines;
  static void fn(void* ctx, const pmci::sim::i3c_event& e) {
    auto* self = static_cast<recorder*>(ctx);
    std::string s;
    switch (e.what) {
      case pmci::sim::i3c_event::kind::private_write: s = "W"; break;
      case pmci::sim::i3c_event::kind::private_read: s = "R"; break;
      case pmci::sim::i3c_event::kind::nack: s = e.read ? "NACK-R" : "NACK-W"; break;
      case pmci::sim::i3c_event::kind::ibi: s = "IBI"; break;
    }
    s += " " + std::to_string(e.address) + " n=" + std::to_string(e.data.size());
    if (e.what == pmci::sim::i3c_event::kind::ibi) s += " mdb=" + std::to_string(e.mdb);
    if (e.flipped) s += " flip";
    if (e.dropped) s += " drop";
    if (e.duplicated) s += " dup";
    for (auto b : e.data) s += "," + std::to_string(std::to_integer<int>(b));
    self->lines.push_back(s);
  }
};
}  // namespace

TEST_CASE("sim i3c: targets attach with unique dynamic addresses") {
  bus3 bus;
  CHECK(bus.add_target({.dynamic_address = 0x10}));
  CHECK(bus.add_target({.dynamic_address = 0x10}) == errc::invalid_field);
  CHECK(bus.add_target({.dynamic_address = 0x00}) == errc::invalid_field);
  CHECK(bus.add_target({.dynamic_address = 0x7E}));
  CHECK(bus.add_target({.dynamic_address = 0x7F}) == errc::invalid_field);
  CHECK(bus.add_target({.dynamic_address = 0x12, .bcr = 0, .dcr = 0x00}));
  CHECK(bus.add_target({.dynamic_address = 0x13}) == errc::no_resources);
  CHECK(bus.target(0x12) != nullptr);
  CHECK(bus.target(0x11) == nullptr);
  auto& ctl = bus.controller();
  REQUIRE(ctl.device_count() == 3);
  CHECK(i3c::is_mctp_device(ctl.device(0).dcr));
  CHECK_FALSE(i3c::is_mctp_device(ctl.device(2).dcr));
  CHECK(ctl.device(2).info().dynamic_address == 0x12);
}

TEST_CASE("sim i3c: private writes and reads, NACKs and FIFO limits") {
  pmci::sim::i3c_bus<2, 69, 2> bus;
  auto& t = **bus.add_target({.dynamic_address = 0x10});
  auto& ctl = bus.controller();

  // Writes land in the target's mailbox, in order.
  REQUIRE(ctl.private_write(0x10, request));
  REQUIRE(ctl.private_write(0x10, bytes_view(request).first(5)));
  CHECK(ctl.private_write(0x10, request) == errc::busy);  // mailbox (Depth 2) full: NACK
  CHECK(ctl.private_write(0x11, request) == errc::not_ready);  // nobody there: NACK
  std::array<std::byte, 70> big{};
  CHECK(ctl.private_write(0x10, big) == errc::buffer_too_small);
  CHECK_FALSE(t.idle());
  auto w1 = t.take_write();
  REQUIRE(w1);
  CHECK(pmci::equal(*w1, request));
  auto w2 = t.take_write();
  REQUIRE(w2);
  CHECK(w2->size() == 5);
  CHECK(t.take_write() == errc::not_ready);

  // Reads: NACK when nothing is loaded; otherwise the loaded frame, then a completion.
  std::array<std::byte, 69> in{};
  CHECK(ctl.private_read(0x10, in) == errc::not_ready);
  REQUIRE(t.load_read_data(request));
  REQUIRE(t.load_read_data(bytes_view(request).first(4)));
  CHECK(t.load_read_data(request) == errc::busy);
  CHECK(t.read_fifo_size() == 2);
  auto n = ctl.private_read(0x10, in);
  REQUIRE(n);
  CHECK(*n == request.size());
  CHECK(pmci::equal(bytes_view(in).first(*n), request));
  CHECK(t.take_read_complete());
  CHECK_FALSE(t.take_read_complete());
  // A read shorter than the frame returns what fits (the frame's PEC then fails).
  auto m = ctl.private_read(0x10, std::span(in).first(2));
  REQUIRE(m);
  CHECK(*m == 2);
  CHECK(t.take_read_complete());
  CHECK(bus.stats().writes == 5);
  CHECK(bus.stats().reads == 3);
  CHECK(bus.stats().nacks == 3);
  CHECK(bus.idle());
}

TEST_CASE("sim i3c: IBIs carry the MDB, in order; non-IBI devices cannot raise them") {
  bus3 bus;
  auto& a = **bus.add_target({.dynamic_address = 0x10});
  auto& b = **bus.add_target({.dynamic_address = 0x11});
  auto& c = **bus.add_target({.dynamic_address = 0x12, .bcr = 0});
  auto& ctl = bus.controller();
  CHECK(ctl.take_ibi() == errc::not_ready);
  REQUIRE(b.raise_ibi(0xAE));
  REQUIRE(a.raise_ibi(0x01));
  CHECK(c.raise_ibi(0xAE) == errc::unsupported);
  CHECK_FALSE(bus.idle());
  auto i1 = ctl.take_ibi();
  REQUIRE(i1);
  CHECK(i1->address == 0x11);
  REQUIRE(i1->payload().size() == 1);
  CHECK(i1->payload()[0] == std::byte{0xAE});
  auto i2 = ctl.take_ibi();
  REQUIRE(i2);
  CHECK(i2->address == 0x10);
  CHECK(i2->mdb == 0x01);
  CHECK(bus.idle());
  CHECK(bus.stats().ibis == 2);
  // The IBI queue has room for MaxTargets * Depth + 1 IBIs, then refuses.
  for (std::size_t i = 0; i < bus3::ibi_capacity; ++i) REQUIRE(a.raise_ibi(0xAE));
  CHECK(a.raise_ibi(0xAE) == errc::busy);
}

TEST_CASE("sim i3c: the trace shows every transfer and IBI") {
  bus3 bus;
  recorder rec;
  bus.set_trace(&recorder::fn, &rec);
  auto& t = **bus.add_target({.dynamic_address = 0x10});
  std::array<std::byte, 69> in{};
  REQUIRE(bus.controller().private_write(0x10, bytes_view(request).first(2)));
  CHECK(bus.controller().private_read(0x10, in) == errc::not_ready);
  REQUIRE(t.load_read_data(bytes_view(request).first(1)));
  REQUIRE(t.raise_ibi(0xAE));
  REQUIRE(bus.controller().private_read(0x10, in));
  CHECK(rec.lines == std::vector<std::string>{"W 16 n=2,1,0", "NACK-R 16 n=0", "IBI 16 n=0 mdb=174", "R 16 n=1,1"});
}

namespace {
// Controller + one target binding over the sim; the target sends `count` packets, the
// controller sends `count` packets; returns what the bindings and the bus counted.
struct run_result {
  std::uint32_t delivered_to_target = 0;
  std::uint32_t delivered_to_controller = 0;
  pmci::mctp::link_stats ctl{};
  pmci::mctp::link_stats tgt{};
  pmci::sim::i3c_bus_stats bus{};
  std::vector<std::string> trace;
};

run_result run(const pmci::sim::i3c_faults& faults, int count, bool ibi = true, int count_up = -1) {
  if (count_up < 0) count_up = count;
  pmci::sim::i3c_bus<2> bus{faults};
  recorder rec;
  bus.set_trace(&recorder::fn, &rec);
  const pmci::sim::i3c_device dev{.dynamic_address = 0x21, .bcr = static_cast<std::uint8_t>(ibi ? 0x06 : 0)};
  auto& port = **bus.add_target(dev);
  auto& ctl_port = bus.controller();
  using ctl_port_t = std::remove_reference_t<decltype(ctl_port)>;
  using tgt_port_t = std::remove_reference_t<decltype(port)>;
  i3c::controller<ctl_port_t, 2> ctl{ctl_port};
  i3c::target<tgt_port_t, i3c::baseline_packet, 4> tgt{port};
  REQUIRE(ctl.add_target(dev.info()));

  run_result r;
  std::array<std::byte, 12> pkt{};
  pkt[0] = std::byte{1};
  int sent_up = 0, sent_down = 0;
  for (int step = 0; step < count * 20 && !(sent_up == count_up && sent_down == count && bus.idle() && tgt.tx_queued() == 0); ++step) {
    if (sent_down < count) {
      pkt[4] = std::byte{static_cast<std::uint8_t>(sent_down)};
      if (ctl.send_packet(0x21, pkt)) ++sent_down;
    }
    if (sent_up < count_up) {
      pkt[4] = std::byte{static_cast<std::uint8_t>(sent_up)};
      if (tgt.send_packet(0, pkt)) ++sent_up;
    }
    while (auto w = port.take_write())
      if (tgt.on_private_write(*w)) ++r.delivered_to_target;
    while (port.take_read_complete()) tgt.on_read_complete();
    while (auto i = ctl_port.take_ibi()) ctl.on_ibi(i->address, i->payload());
    ctl.poll();
    while (auto p = ctl.receive()) ++r.delivered_to_controller;
    if (step % 8 == 7) (void)tgt.retry();  // a target re-announces a frame nobody read
  }
  r.ctl = ctl.stats();
  r.tgt = tgt.stats();
  r.bus = bus.stats();
  r.trace = rec.lines;
  return r;
}
}  // namespace

TEST_CASE("sim i3c: a perfect bus delivers everything, IBI and polling modes") {
  for (bool ibi : {true, false}) {
    CAPTURE(ibi);
    auto r = run({}, 50, ibi);
    CHECK(r.delivered_to_target == 50);
    CHECK(r.delivered_to_controller == 50);
    CHECK(r.ctl.rx_dropped() == 0);
    CHECK(r.tgt.rx_dropped() == 0);
    CHECK(r.ctl.rx_bus_errors == 0);
  }
}

TEST_CASE("sim i3c: the same seed gives the same bus, another seed another one") {
  const pmci::sim::i3c_faults f{.seed = 7, .bit_flip_ppm = 50000, .drop_ppm = 30000, .duplicate_ppm = 30000,
                                .spurious_ibi_ppm = 30000};
  auto a = run(f, 100);
  auto b = run(f, 100);
  CHECK(a.trace == b.trace);
  CHECK(a.delivered_to_controller == b.delivered_to_controller);
  auto f2 = f;
  f2.seed = 8;
  auto c = run(f2, 100);
  CHECK(a.trace != c.trace);
}

TEST_CASE("sim i3c: every injected fault shows up where the binding can see it") {
  SECTION("bit flips → PEC failures, one for one") {
    auto r = run({.seed = 3, .bit_flip_ppm = 100000}, 200);
    CHECK(r.bus.bit_flips > 10);
    CHECK(r.ctl.rx_bad_pec + r.tgt.rx_bad_pec == r.bus.bit_flips);
    CHECK(r.delivered_to_controller + r.delivered_to_target + r.bus.bit_flips == 400);
  }
  SECTION("dropped writes are silent; dropped reads are bus errors") {
    auto r = run({.seed = 4, .drop_ppm = 100000}, 200);
    CHECK(r.bus.dropped_writes > 5);
    CHECK(r.bus.dropped_reads > 5);
    CHECK(r.delivered_to_target + r.bus.dropped_writes == 200);
    CHECK(r.ctl.rx_bus_errors == r.bus.dropped_reads);
    CHECK(r.delivered_to_controller + r.bus.dropped_reads == 200);
  }
  SECTION("duplicated frames arrive twice") {
    auto r = run({.seed = 5, .duplicate_ppm = 100000}, 200);
    CHECK(r.bus.duplicates > 10);
    CHECK(r.delivered_to_target + r.delivered_to_controller == 400 + r.bus.duplicates);
  }
  SECTION("IBIs without data ready cost an empty read, nothing else") {
    auto r = run({.seed = 6, .spurious_ibi_ppm = 200000}, 200);
    CHECK(r.bus.spurious_ibis > 10);
    CHECK(r.delivered_to_target == 200);
    CHECK(r.delivered_to_controller == 200);  // early reads take real frames; none is read twice
    CHECK(r.ctl.rx_dropped() == 0);
    // A silent target: every read a spurious IBI causes is NACKed (IBIs that arrive before
    // the controller services them coalesce into one read).
    auto q = run({.seed = 6, .spurious_ibi_ppm = 200000}, 200, true, 0);
    CHECK(q.bus.spurious_ibis > 10);
    CHECK(q.ctl.empty_reads >= q.bus.spurious_ibis / 2);
    CHECK(q.ctl.empty_reads <= q.bus.spurious_ibis);
    CHECK(q.delivered_to_controller == 0);
  }
}

TEST_CASE("sim i3c: the bus itself never allocates") {
  pmci::test::alloc_scope scope;
  auto bus = std::make_unique<int>(0);  // sanity: the counter sees allocations
  CHECK(scope.count() == 1);
  pmci::test::alloc_scope quiet;
  {
    pmci::sim::i3c_bus<2> b{{.seed = 9, .bit_flip_ppm = 500000, .drop_ppm = 100000, .duplicate_ppm = 100000,
                            .spurious_ibi_ppm = 100000}};
    auto& t = **b.add_target({.dynamic_address = 0x10});
    std::array<std::byte, 69> in{};
    for (int i = 0; i < 100; ++i) {
      (void)b.controller().private_write(0x10, request);
      (void)t.take_write();
      (void)t.load_read_data(request);
      (void)t.raise_ibi(0xAE);
      (void)b.controller().take_ibi();
      (void)b.controller().private_read(0x10, in);
      (void)t.take_read_complete();
    }
  }
  CHECK(quiet.count() == 0);
}
