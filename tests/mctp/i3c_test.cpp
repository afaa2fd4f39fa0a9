// SPDX-License-Identifier: Apache-2.0
// MCTP over I3C (DSP0233): PEC vectors, framing, drop rules, MTU rules, and the controller and
// target objects over scripted fake drivers.
#include "pmci/mctp/i3c.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "pmci/core/hex.hpp"
#include "support/catch.hpp"

namespace i3c = pmci::mctp::i3c;
using pmci::bytes_view;
using pmci::errc;

namespace {

// vectors.md §2 (inputs published by caliptra-mcu-sw, PEC values derived, re-checked with an
// independent Python CRC-8 while writing this test).
constexpr auto set_eid_request = pmci::hex_bytes<9>("01 00 08 C9 00 80 01 00 0A");
constexpr auto set_eid_response = pmci::hex_bytes<11>("01 00 08 C1 00 00 01 00 00 0A 00");

constexpr bool pec_vectors() {
  return i3c::pec(0x10, i3c::direction::write, set_eid_request) == 0x20 &&
         i3c::pec(0x10, i3c::direction::read, set_eid_response) == 0x82 &&
         i3c::address_byte(0x10, i3c::direction::write) == 0x20 &&
         i3c::address_byte(0x10, i3c::direction::read) == 0x21;
}

constexpr bool frame_vector() {
  std::array<std::byte, 16> out{};
  auto f = i3c::frame(0x10, i3c::direction::write, set_eid_request, out);
  constexpr auto expected = pmci::hex_bytes<10>("01 00 08 C9 00 80 01 00 0A 20");
  return f && pmci::equal(*f, expected);
}

constexpr bool roundtrip(i3c::direction d) {
  std::array<std::byte, 80> out{};
  auto f = i3c::frame(0x3A, d, set_eid_response, out);
  if (!f) return false;
  auto p = i3c::unframe(0x3A, d, *f);
  return p && pmci::equal(*p, set_eid_response) && p->data() == f->data();
}

// The PEC covers the address byte: the same bytes checked for another address or the other
// direction fail (unless the CRC happens to collide, which it does not for these inputs).
constexpr bool address_is_covered() {
  std::array<std::byte, 16> out{};
  auto f = i3c::frame(0x10, i3c::direction::write, set_eid_request, out);
  return f && i3c::unframe(0x11, i3c::direction::write, *f) == errc::integrity_error &&
         i3c::unframe(0x10, i3c::direction::read, *f) == errc::integrity_error;
}

}  // namespace

TEST_CASE("i3c: PEC matches the DSP0233 vectors (vectors.md §2)") {
  static_assert(pmci::crc8(pmci::hex_bytes<9>("313233343536373839")) == 0xF4);
  static_assert(pec_vectors());
  CHECK(pec_vectors());
  static_assert(frame_vector());
  CHECK(frame_vector());
}

TEST_CASE("i3c: frame/unframe round trip, both directions") {
  static_assert(roundtrip(i3c::direction::write));
  static_assert(roundtrip(i3c::direction::read));
  CHECK(roundtrip(i3c::direction::write));
  CHECK(roundtrip(i3c::direction::read));
  static_assert(address_is_covered());
  CHECK(address_is_covered());
}

TEST_CASE("i3c: frame rejects bad input") {
  std::array<std::byte, 16> out{};
  CHECK(i3c::frame(0x10, i3c::direction::write, bytes_view(set_eid_request).first(3), out) == errc::truncated);
  CHECK(i3c::frame(0x80, i3c::direction::write, set_eid_request, out) == errc::invalid_field);
  CHECK(i3c::frame(0x10, i3c::direction::write, set_eid_request, std::span(out).first(9)) == errc::buffer_too_small);
  CHECK(i3c::frame(0x10, i3c::direction::write, set_eid_request, std::span(out).first(10)));
}

TEST_CASE("i3c: short, long and corrupted frames are dropped (Linux MCTP_I3C_MINLEN = 5)") {
  std::array<std::byte, 80> buf{};
  // A header-only packet is the shortest valid frame.
  auto hdr_only = i3c::frame(0x10, i3c::direction::write, bytes_view(set_eid_request).first(4), buf);
  REQUIRE(hdr_only);
  CHECK(hdr_only->size() == i3c::min_frame);
  CHECK(i3c::unframe(0x10, i3c::direction::write, *hdr_only));
  for (std::size_t n = 0; n < i3c::min_frame; ++n)
    CHECK(i3c::unframe(0x10, i3c::direction::write, bytes_view(buf).first(n)) == errc::truncated);

  // 68-byte packet: 69-byte frame passes the baseline limit, 70 does not.
  std::array<std::byte, 69> pkt{};
  pkt[0] = std::byte{1};
  auto f68 = i3c::frame(0x10, i3c::direction::read, bytes_view(pkt).first(68), buf);
  REQUIRE(f68);
  CHECK(i3c::unframe(0x10, i3c::direction::read, *f68, 69));
  auto f69 = i3c::frame(0x10, i3c::direction::read, pkt, buf);
  REQUIRE(f69);
  CHECK(i3c::unframe(0x10, i3c::direction::read, *f69, 69) == errc::out_of_range);
  CHECK(i3c::unframe(0x10, i3c::direction::read, *f69, 70));

  // CRC-8 detects every single-bit error: flip each bit of the frame.
  auto f = i3c::frame(0x10, i3c::direction::write, set_eid_request, buf);
  REQUIRE(f);
  for (std::size_t bit = 0; bit < f->size() * 8; ++bit) {
    std::array<std::byte, 10> copy{};
    std::copy(f->begin(), f->end(), copy.begin());
    copy[bit / 8] ^= std::byte{static_cast<std::uint8_t>(1u << (bit % 8))};
    CHECK(i3c::unframe(0x10, i3c::direction::write, copy) == errc::integrity_error);
  }
}

TEST_CASE("i3c: MTU rules — baseline 64, larger only within MWL/MRL minus the PEC") {
  static_assert(i3c::baseline_frame == 69);
  static_assert(i3c::payload_mtu(69, 68) == 64);
  static_assert(i3c::payload_mtu(0, 1024) == 64);      // not reported → baseline
  static_assert(i3c::payload_mtu(20, 1024) == 64);     // below baseline → baseline
  static_assert(i3c::payload_mtu(1029, 68) == 64);     // local capacity caps it
  static_assert(i3c::payload_mtu(1029, 1028) == 1024); // packet + PEC == MWL (Linux rule)
  static_assert(i3c::payload_mtu(200, 1028) == 195);   // 4 + 195 + 1 == 200
  static_assert(i3c::payload_mtu(65535, 65534) == 65530);
  static_assert(i3c::frame_limit(0) == 69 && i3c::frame_limit(256) == 256);
  CHECK(i3c::payload_mtu(200, 1028) == 195);
  static_assert(i3c::is_mctp_device(0xCC) && !i3c::is_mctp_device(0x00));
}

// ---------------------------------------------------------------------------------------------
namespace {

struct fake_controller {
  struct write_rec {
    std::uint8_t addr;
    std::vector<std::byte> data;
  };
  std::vector<write_rec> writes;
  std::vector<std::uint8_t> reads;                       // addresses read, in order
  std::vector<std::pair<std::uint8_t, pmci::result<std::vector<std::byte>>>> script;  // answers to reads
  pmci::result<void> write_result{};

  pmci::result<void> private_write(std::uint8_t addr, bytes_view f) {
    if (!write_result) return write_result;
    writes.push_back({addr, {f.begin(), f.end()}});
    return pmci::ok();
  }
  pmci::result<std::size_t> private_read(std::uint8_t addr, pmci::bytes_span out) {
    reads.push_back(addr);
    for (auto it = script.begin(); it != script.end(); ++it) {
      if (it->first != addr) continue;
      auto r = it->second;
      script.erase(it);
      if (!r) return r.error();
      const std::size_t n = std::min(out.size(), r->size());
      std::copy_n(r->begin(), n, out.begin());
      return n;
    }
    return errc::not_ready;  // NACK: nothing to read
  }
  void answer(std::uint8_t addr, bytes_view packet) {
    std::vector<std::byte> f(packet.size() + 1);
    REQUIRE(i3c::frame(addr, i3c::direction::read, packet, f));
    script.push_back({addr, f});
  }
};
static_assert(i3c::controller_driver<fake_controller>);

struct fake_target {
  std::uint8_t addr = 0x10;
  std::uint16_t mwl = 69, mrl = 69;
  bool ibi_capable = true;
  std::vector<std::string> log;  // "load" / "ibi AE"
  std::vector<std::vector<std::byte>> loaded;
  pmci::result<void> load_result{};

  std::uint8_t dynamic_address() const { return addr; }
  std::uint16_t max_write_length() const { return mwl; }
  std::uint16_t max_read_length() const { return mrl; }
  pmci::result<void> load_read_data(bytes_view f) {
    if (!load_result) return load_result;
    loaded.emplace_back(f.begin(), f.end());
    log.push_back("load");
    return pmci::ok();
  }
  pmci::result<void> raise_ibi(std::uint8_t mdb) {
    if (!ibi_capable) return errc::unsupported;
    log.push_back(mdb == 0xAE ? "ibi AE" : "ibi ?");
    return pmci::ok();
  }
};
static_assert(i3c::target_driver<fake_target>);

std::vector<std::byte> packet_of(std::size_t size, std::uint8_t fill = 0x5A) {
  std::vector<std::byte> p(size, std::byte{fill});
  if (size >= 4) { p[0] = std::byte{1}; p[1] = std::byte{9}; p[2] = std::byte{8}; p[3] = std::byte{0xC8}; }
  return p;
}

}  // namespace

TEST_CASE("i3c controller: writes packet + PEC, refuses what exceeds the target's MWL") {
  fake_controller drv;
  i3c::controller<fake_controller, 4, 300> c{drv};
  REQUIRE(c.add_target({.dynamic_address = 0x10, .mwl = 69, .mrl = 69}));
  REQUIRE(c.add_target({.dynamic_address = 0x11, .mwl = 200, .mrl = 100}));
  CHECK(c.add_target({.dynamic_address = 0x10}) == errc::invalid_field);   // duplicate
  CHECK(c.add_target({.dynamic_address = 0x00}) == errc::invalid_field);
  CHECK(c.add_target({.dynamic_address = 0x7F}) == errc::invalid_field);   // broadcast

  REQUIRE(c.send_packet(0x10, set_eid_request));
  REQUIRE(drv.writes.size() == 1);
  CHECK(drv.writes[0].addr == 0x10);
  CHECK(pmci::equal(drv.writes[0].data, pmci::hex_bytes<10>("01 00 08 C9 00 80 01 00 0A 20")));

  CHECK(c.max_packet_payload(0x10) == 64);
  CHECK(c.max_packet_payload(0x11) == 195);
  CHECK(c.send_packet(0x10, packet_of(68)));
  CHECK(c.send_packet(0x10, packet_of(69)) == errc::out_of_range);   // 69 + PEC > MWL 69
  CHECK(c.send_packet(0x11, packet_of(199)));                        // 199 + PEC == MWL 200
  CHECK(c.send_packet(0x11, packet_of(200)) == errc::out_of_range);
  CHECK(c.send_packet(0x12, packet_of(10)) == errc::invalid_field);  // unknown target
  CHECK(c.stats().tx_packets == 3);

  drv.write_result = errc::busy;
  CHECK(c.send_packet(0x10, packet_of(10)) == errc::busy);
  CHECK(c.stats().tx_errors == 1);
}

TEST_CASE("i3c controller: IBI 0xAE schedules one private read of MRL bytes") {
  fake_controller drv;
  i3c::controller<fake_controller, 4> c{drv};
  REQUIRE(c.add_target({.dynamic_address = 0x10}));
  REQUIRE(c.add_target({.dynamic_address = 0x11}));

  CHECK(c.receive() == errc::not_ready);
  CHECK(drv.reads.empty());

  drv.answer(0x11, set_eid_response);
  const std::byte mdb[] = {std::byte{0xAE}};
  CHECK(c.on_ibi(0x11, mdb));
  auto p = c.receive();
  REQUIRE(p);
  CHECK(p->from == 0x11);
  CHECK(pmci::equal(p->packet, set_eid_response));
  CHECK(c.receive() == errc::not_ready);  // one read per IBI
  CHECK(drv.reads == std::vector<std::uint8_t>{0x11});

  // Another MDB, or an unknown address: ignored and counted, no read (Linux, Zephyr).
  const std::byte other[] = {std::byte{0x01}};
  CHECK_FALSE(c.on_ibi(0x10, other));
  CHECK_FALSE(c.on_ibi(0x42, mdb));
  CHECK(c.stats().ibi_ignored == 2);
  CHECK(c.receive() == errc::not_ready);
  CHECK(drv.reads.size() == 1);

  // MDB followed by more bytes (Caliptra's pending-read length) is still a pending read.
  const std::byte with_len[] = {std::byte{0xAE}, std::byte{0x00}, std::byte{0x0C}};
  drv.answer(0x10, set_eid_response);
  CHECK(c.on_ibi(0x10, with_len));
  CHECK(c.receive());

  // No payload at all: Linux reads anyway.
  CHECK(c.on_ibi(0x10, {}));
  CHECK(c.receive() == errc::not_ready);  // target NACKs: nothing there
  CHECK(c.stats().empty_reads == 1);
}

TEST_CASE("i3c controller: a one-target controller (no round robin) reads as a larger one with one target") {
  // MaxTargets == 1 skips the round-robin arithmetic: same reads, packets, drops and counts.
  fake_controller d1, d4;
  i3c::controller<fake_controller, 1> c1{d1};
  i3c::controller<fake_controller, 4> c4{d4};
  const i3c::target_info polled{.dynamic_address = 0x10, .bcr = 0};
  REQUIRE(c1.add_target(polled));
  REQUIRE(c4.add_target(polled));
  const std::byte mdb[] = {std::byte{0xAE}};
  auto bad_pec = std::vector<std::byte>(set_eid_response.begin(), set_eid_response.end());
  bad_pec.push_back(std::byte{0x00});
  for (int round = 0; round < 3; ++round) {
    for (auto* d : {&d1, &d4}) {
      d->answer(0x10, set_eid_response);
      d->script.push_back({0x10, bad_pec});
      d->answer(0x10, set_eid_request);
    }
    if (round == 1) {
      c1.poll();
      c4.poll();
    } else {
      CHECK(c1.on_ibi(0x10, mdb) == c4.on_ibi(0x10, mdb));
    }
    for (int i = 0; i < 4; ++i) {
      auto p1 = c1.receive();
      auto p4 = c4.receive();
      REQUIRE(p1.has_value() == p4.has_value());
      if (p1) {
        CHECK(p1->from == p4->from);
        CHECK(pmci::equal(p1->packet, p4->packet));
      } else {
        CHECK(p1.error() == p4.error());
      }
    }
    d1.script.clear();
    d4.script.clear();
  }
  CHECK(d1.reads == d4.reads);
  CHECK(c1.stats().rx_packets == c4.stats().rx_packets);
  CHECK(c1.stats().rx_bad_pec == c4.stats().rx_bad_pec);
  CHECK(c1.stats().empty_reads == c4.stats().empty_reads);
  CHECK(c1.stats().rx_packets > 0);
  CHECK(c1.stats().rx_bad_pec > 0);
}

TEST_CASE("i3c controller: bad reads are dropped and counted, never delivered") {
  fake_controller drv;
  i3c::controller<fake_controller, 2> c{drv};
  REQUIRE(c.add_target({.dynamic_address = 0x10, .mrl = 69}));
  const std::byte mdb[] = {std::byte{0xAE}};

  auto good = std::vector<std::byte>(12);
  REQUIRE(i3c::frame(0x10, i3c::direction::read, set_eid_response, good));

  auto bad_pec = good;
  bad_pec[3] ^= std::byte{0x10};
  drv.script.push_back({0x10, bad_pec});
  CHECK(c.on_ibi(0x10, mdb));
  CHECK(c.receive() == errc::not_ready);

  drv.script.push_back({0x10, std::vector<std::byte>(good.begin(), good.begin() + 4)});
  CHECK(c.on_ibi(0x10, mdb));
  CHECK(c.receive() == errc::not_ready);

  // Written for the wrong direction (write PEC): the R/W bit is covered.
  auto wrong_dir = std::vector<std::byte>(12);
  REQUIRE(i3c::frame(0x10, i3c::direction::write, set_eid_response, wrong_dir));
  drv.script.push_back({0x10, wrong_dir});
  CHECK(c.on_ibi(0x10, mdb));
  CHECK(c.receive() == errc::not_ready);

  // Longer than MRL: the read is cut at MRL, so the PEC fails.
  auto big = packet_of(80);
  drv.answer(0x10, big);
  CHECK(c.on_ibi(0x10, mdb));
  CHECK(c.receive() == errc::not_ready);

  drv.script.push_back({0x10, errc::timeout});
  CHECK(c.on_ibi(0x10, mdb));
  CHECK(c.receive() == errc::not_ready);

  CHECK(c.stats().rx_bad_pec == 3);
  CHECK(c.stats().rx_short == 1);
  CHECK(c.stats().rx_bus_errors == 1);
  CHECK(c.stats().rx_packets == 0);
  CHECK(c.stats().rx_dropped() == 4);
}

TEST_CASE("i3c controller: targets without IBI are polled until they NACK") {
  fake_controller drv;
  i3c::controller<fake_controller, 3> c{drv};
  REQUIRE(c.add_target({.dynamic_address = 0x10, .bcr = 0}));  // no IBI
  REQUIRE(c.add_target({.dynamic_address = 0x11}));            // IBI-capable: not polled
  drv.answer(0x10, set_eid_response);
  drv.answer(0x10, set_eid_response);

  CHECK(c.receive() == errc::not_ready);
  CHECK(drv.reads.empty());
  c.poll();
  CHECK(c.read_pending());
  CHECK(c.receive());
  CHECK(c.receive());
  CHECK(c.receive() == errc::not_ready);  // third read NACKed: polling stops
  CHECK_FALSE(c.read_pending());
  CHECK(drv.reads == std::vector<std::uint8_t>{0x10, 0x10, 0x10});
  CHECK(c.stats().empty_reads == 1);

  CHECK(c.poll(0x11));
  CHECK(c.receive() == errc::not_ready);
  CHECK(c.poll(0x33) == errc::invalid_field);
  CHECK(c.remove_target(0x10));
  CHECK_FALSE(c.has_target(0x10));
  CHECK(c.remove_target(0x10) == errc::invalid_field);
}

TEST_CASE("i3c target: loads the frame before raising IBI 0xAE, one frame at a time (Zephyr)") {
  fake_target drv;
  i3c::target<fake_target, i3c::baseline_packet, 2> t{drv};
  REQUIRE(t.send_packet(0, set_eid_response));
  CHECK(drv.log == std::vector<std::string>{"load", "ibi AE"});
  REQUIRE(drv.loaded.size() == 1);
  CHECK(pmci::equal(drv.loaded[0], pmci::hex_bytes<12>("01 00 08 C1 00 00 01 00 00 0A 00 82")));

  REQUIRE(t.send_packet(0, set_eid_request));
  CHECK(drv.log.size() == 2);  // queued behind the loaded frame
  CHECK(t.send_packet(0, set_eid_request) == errc::busy);
  CHECK(t.tx_queued() == 2);

  t.on_read_complete();
  CHECK(drv.log == std::vector<std::string>{"load", "ibi AE", "load", "ibi AE"});
  // PEC over 0x21 (read) + packet, computed independently (Python CRC-8): 0x48.
  CHECK(pmci::equal(drv.loaded[1], pmci::hex_bytes<10>("01 00 08 C9 00 80 01 00 0A 48")));
  t.on_read_complete();
  CHECK(t.tx_queued() == 0);
  t.on_read_complete();  // spurious: ignored
  CHECK(drv.log.size() == 4);
  CHECK(t.retry() == errc::not_ready);
  CHECK(t.stats().tx_packets == 2);
}

TEST_CASE("i3c target: receive checks PEC with the own address, MWL limit") {
  fake_target drv;
  drv.mwl = 100;
  i3c::target<fake_target, 200> t{drv};
  constexpr auto written = pmci::hex_bytes<10>("01 00 08 C9 00 80 01 00 0A 20");
  auto p = t.on_private_write(written);
  REQUIRE(p);
  CHECK(pmci::equal(*p, set_eid_request));
  CHECK(t.on_private_write(pmci::hex_bytes<10>("01 00 08 C9 00 80 01 00 0A 21")) == errc::integrity_error);
  CHECK(t.on_private_write(pmci::hex_bytes<3>("01 00 08")) == errc::truncated);

  std::vector<std::byte> f(101);
  REQUIRE(i3c::frame(0x10, i3c::direction::write, packet_of(100), f));
  CHECK(t.on_private_write(f) == errc::out_of_range);
  f.resize(100);
  REQUIRE(i3c::frame(0x10, i3c::direction::write, packet_of(99), f));
  CHECK(t.on_private_write(f));
  CHECK(t.stats().rx_packets == 2);
  CHECK(t.stats().rx_dropped() == 3);

  // Sending: our MRL (69) bounds the packet size.
  CHECK(t.max_packet_payload() == 64);
  CHECK(t.send_packet(0, packet_of(69)) == errc::out_of_range);
  drv.addr = 0;
  CHECK(t.send_packet(0, packet_of(20)) == errc::not_ready);  // no dynamic address yet
}

TEST_CASE("i3c target: polling mode and HAL refusals") {
  fake_target drv;
  drv.ibi_capable = false;
  i3c::target<fake_target> t{drv};
  REQUIRE(t.send_packet(0, set_eid_response));
  CHECK(drv.log == std::vector<std::string>{"load"});  // IBI unsupported: waits for the poll
  CHECK(t.retry());

  fake_target drv2;
  drv2.load_result = errc::busy;
  i3c::target<fake_target> t2{drv2};
  REQUIRE(t2.send_packet(0, set_eid_response));  // queued, HAL refused to load
  CHECK(drv2.loaded.empty());
  CHECK(t2.stats().tx_errors == 1);
  CHECK(t2.retry() == errc::busy);
  drv2.load_result = pmci::ok();
  CHECK(t2.retry());
  CHECK(drv2.loaded.size() == 1);
  CHECK(drv2.log == std::vector<std::string>{"load", "ibi AE"});
}

namespace {
// detail::i3c_pec fuses the address byte into the CRC loop; it must equal the two-step
// crc8_update over the address byte and the packet for every length and address.
constexpr bool pec_equals_crc8_update() {
  std::array<std::byte, 70> buf{};
  for (std::size_t i = 0; i < buf.size(); ++i) buf[i] = std::byte{static_cast<std::uint8_t>(i * 37 + 11)};
  for (std::uint8_t addr : {std::uint8_t{0x00}, std::uint8_t{0x10}, std::uint8_t{0x3A}, std::uint8_t{0x7F}})
    for (auto d : {i3c::direction::write, i3c::direction::read})
      for (std::size_t n = 0; n <= buf.size(); n += 7) {
        const auto packet = bytes_view(buf).first(n);
        const std::uint8_t two_step = pmci::crc8_update(pmci::crc8_update(0, i3c::address_byte(addr, d)), packet);
        if (i3c::pec(addr, d, packet) != two_step) return false;
      }
  return true;
}
}  // namespace

TEST_CASE("i3c: the fused PEC loop equals crc8_update over the address byte and the packet") {
  static_assert(pec_equals_crc8_update());
  CHECK(pec_equals_crc8_update());
}

TEST_CASE("i3c target: send_next writes the packetizer's packets straight into the read queue") {
  fake_target drv;
  i3c::target<fake_target, i3c::baseline_packet, 2> t{drv};
  // A 130-byte message (type byte + 129) at MTU 64: 3 packets, the queue holds 2.
  std::vector<std::byte> body(129);
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = std::byte{static_cast<std::uint8_t>(i)};
  pmci::mctp::packetizer p({.dest = 0x08, .source = 0x1D, .tag_owner = false, .tag = 3}, pmci::mctp::msg_type::spdm,
                           body, t.max_packet_payload(), 2);
  REQUIRE(t.send_next(p));
  REQUIRE(t.send_next(p));
  CHECK(t.send_next(p) == errc::busy);  // full: p unchanged
  CHECK(p.packets_left() == 1);
  CHECK(t.tx_queued() == 2);
  // The loaded frame is what send_packet() would have produced from the same packet.
  REQUIRE(drv.loaded.size() == 1);
  pmci::mctp::packetizer ref({.dest = 0x08, .source = 0x1D, .tag_owner = false, .tag = 3}, pmci::mctp::msg_type::spdm,
                             body, 64, 2);
  std::array<std::byte, 68> pkt{};
  auto first = ref.next(pkt);
  REQUIRE(first);
  std::array<std::byte, 69> expected{};
  REQUIRE(i3c::frame(0x10, i3c::direction::read, *first, expected));
  CHECK(pmci::equal(drv.loaded[0], expected));
  CHECK(std::to_integer<int>(drv.loaded[0][3]) == 0xA3);  // SOM, seq 2, TO=0, tag 3
  t.on_read_complete();
  REQUIRE(t.send_next(p));
  CHECK(p.done());
  t.on_read_complete();
  CHECK(t.send_next(p) == errc::invalid_state);  // nothing left
  t.on_read_complete();
  REQUIRE(drv.loaded.size() == 3);
  CHECK(std::to_integer<int>(drv.loaded[2][3]) == 0x43);  // EOM, seq 0 (2, 3, 0)
  CHECK(drv.loaded[2].size() == 4 + 130 - 128 + 1);
  CHECK(t.stats().tx_packets == 3);

  // The packetizer's MTU must fit our MRL; no address yet is not_ready.
  pmci::mctp::packetizer big({.dest = 0x08, .source = 0x1D}, pmci::mctp::msg_type::spdm, body, 100);
  CHECK(t.send_next(big) == errc::buffer_too_small);
  drv.addr = 0;
  pmci::mctp::packetizer small({.dest = 0x08, .source = 0x1D}, pmci::mctp::msg_type::spdm, body, 64);
  CHECK(t.send_next(small) == errc::not_ready);
  CHECK(small.packets_left() == 3);
}

namespace {

// What the endpoint did before the controller had send_next(): the packetizer's next packet in
// a packet buffer of its own, handed to send_packet(), and handed again after errc::busy.
template <class C>
struct staged_sender {
  C& link;
  pmci::mctp::packetizer& p;
  std::array<std::byte, 1100> pkt{};
  std::size_t staged = 0;
  pmci::result<void> step(std::uint8_t addr) {
    if (staged == 0) {
      auto n = p.next(pkt);
      if (!n) return n.error();
      staged = n->size();
    }
    auto r = link.send_packet(addr, bytes_view(pkt).first(staged));
    if (r != errc::busy) staged = 0;
    return r;
  }
};

// Returns the outcomes seen (bit errc value; bit 0: ok), so the caller can check every one came up.
template <std::size_t MaxPacket>
std::uint32_t check_send_next_equals_send_packet(std::uint32_t seed) {
  std::uint32_t seen = 0;
  std::uint32_t x = seed;
  auto rnd = [&x](std::uint32_t n) {  // xorshift32
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x % n;
  };
  std::vector<std::byte> body(900);
  for (auto& b : body) b = std::byte{static_cast<std::uint8_t>(rnd(256))};
  for (int round = 0; round < 300; ++round) {
    fake_controller da, db;
    i3c::controller<fake_controller, 4, MaxPacket> a{da}, b{db};
    // MWLs around the local capacity: some targets take less than MaxPacket + PEC.
    const std::uint16_t mwls[] = {69, 0, 100, 200, static_cast<std::uint16_t>(MaxPacket + 1), 1500};
    for (std::uint8_t t = 0x10; t < 0x13; ++t) {
      const i3c::target_info info{.dynamic_address = t, .mwl = mwls[rnd(6)]};
      REQUIRE(a.add_target(info));
      REQUIRE(b.add_target(info));
    }
    const std::uint8_t addr = static_cast<std::uint8_t>(0x10 + rnd(4));  // 0x13: unknown
    const pmci::mctp::address to{static_cast<std::uint8_t>(rnd(256)), static_cast<std::uint8_t>(rnd(256)),
                                 rnd(2) != 0, static_cast<std::uint8_t>(rnd(9))};  // tag 8: invalid
    // The endpoint's MTU is at most max_packet_payload() (<= MaxPacket - 4); sometimes more
    // than this target's MWL allows (out_of_range), sometimes 0 (invalid_field).
    const std::size_t mtus[] = {a.max_packet_payload(addr), 64, MaxPacket - 4, 0, 1 + rnd(MaxPacket - 4)};
    const std::size_t mtu = mtus[rnd(5)];
    const bytes_view msg = bytes_view(body).first(rnd(4) == 0 ? 0 : 1 + rnd(static_cast<std::uint32_t>(body.size())));
    const auto seq = static_cast<std::uint8_t>(rnd(5));  // 4: invalid
    const bool typed = rnd(2) != 0;
    auto make = [&] {
      return typed ? pmci::mctp::packetizer(to, pmci::mctp::msg_type::spdm, msg, mtu, seq)
                   : pmci::mctp::packetizer(to, msg, mtu, seq);
    };
    pmci::mctp::packetizer pa = make(), pb = make();
    staged_sender<decltype(a)> ref{a, pa};
    for (int step = 0; step < 40; ++step) {
      // The driver pushes back now and then, or fails.
      const auto w = rnd(8);
      da.write_result = db.write_result = w == 0 ? pmci::result<void>{errc::busy}
                                          : w == 1 && rnd(4) == 0 ? pmci::result<void>{errc::timeout}
                                                                   : pmci::result<void>{};
      const auto ra = ref.step(addr);
      const auto rb = b.send_next(addr, pb);
      INFO("seed " << seed << " round " << round << " step " << step);
      REQUIRE(ra.has_value() == rb.has_value());
      if (!ra) REQUIRE(ra.error() == rb.error());
      seen |= 1u << (ra ? 0 : static_cast<int>(ra.error()));
      if (ra == errc::busy) {
        // The reference holds the packet in its buffer; send_next() left it in p.
        CHECK(pb.packets_left() == pa.packets_left() + 1);
        CHECK(pb.next_seq() == ((pa.next_seq() + 3) & 3));
      } else if (ra) {  // after another error the endpoint drops the message: p's state no longer matters
        CHECK(pb.done() == pa.done());
        CHECK(pb.packets_left() == pa.packets_left());
        CHECK(pb.next_seq() == pa.next_seq());
      }
      if ((!ra && ra.error() != errc::busy) || pa.done()) break;  // the endpoint aborts or is done
    }
    REQUIRE(da.writes.size() == db.writes.size());
    for (std::size_t i = 0; i < da.writes.size(); ++i) {
      CHECK(da.writes[i].addr == db.writes[i].addr);
      CHECK(da.writes[i].data == db.writes[i].data);
    }
    CHECK(a.stats().tx_packets == b.stats().tx_packets);
    CHECK(a.stats().tx_errors == b.stats().tx_errors);
  }
  return seen;
}

}  // namespace

TEST_CASE("i3c controller: send_next(addr, p) sends, fails and counts as send_packet(addr, p.next()) does") {
  std::uint32_t seen = 0;
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    seen |= check_send_next_equals_send_packet<i3c::baseline_packet>(seed * 2654435761u);
    seen |= check_send_next_equals_send_packet<300>(seed * 40503u + 7);
  }
  for (const errc e : {errc::busy, errc::timeout, errc::invalid_field, errc::out_of_range})
    CHECK((seen >> static_cast<int>(e) & 1) == 1);
  CHECK((seen & 1) == 1);
  // After errc::busy p is unchanged: the same packet is written on the next call.
  fake_controller drv;
  i3c::controller<fake_controller, 1> c{drv};
  REQUIRE(c.add_target({.dynamic_address = 0x10}));
  std::vector<std::byte> body(100, std::byte{0x33});
  pmci::mctp::packetizer p({.dest = 0x1D, .source = 0x08, .tag_owner = true, .tag = 1}, pmci::mctp::msg_type::spdm,
                           body, c.max_packet_payload(0x10), 3);
  drv.write_result = errc::busy;
  CHECK(c.send_next(0x10, p) == errc::busy);
  CHECK(p.packets_left() == 2);
  CHECK(p.next_seq() == 3);
  drv.write_result = {};
  REQUIRE(c.send_next(0x10, p));
  REQUIRE(c.send_next(0x10, p));
  CHECK(p.done());
  REQUIRE(drv.writes.size() == 2);
  CHECK(std::to_integer<int>(drv.writes[0].data[3]) == 0xB9);  // SOM, seq 3, TO=1, tag 1
  CHECK(std::to_integer<int>(drv.writes[1].data[3]) == 0x49);  // EOM, seq 0
  CHECK(c.stats().tx_errors == 1);
  CHECK(c.stats().tx_packets == 2);
}

TEST_CASE("i3c bindings: default-constructed, then attached to a driver") {
  fake_target drv;
  i3c::target<fake_target> t;
  t.attach(drv);
  REQUIRE(t.send_packet(0, set_eid_response));
  CHECK(drv.loaded.size() == 1);
}
