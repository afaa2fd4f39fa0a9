// SPDX-License-Identifier: Apache-2.0
// mctp::endpoint: unit behaviour over a scripted link, then whole systems: an I3C controller
// and three targets on the simulated bus (EID assignment, control queries, echo of messages
// of 1 B ... 4 KiB at MTU 64 and at MTU 1024, with and without injected faults, no heap), and
// two endpoints over SMBus.
#include "pmci/mctp/endpoint.hpp"

#include <array>
#include <cstdint>
#include <memory>
#include <type_traits>
#include <vector>

#include "pmci/core/hex.hpp"
#include "pmci/mctp/control.hpp"
#include "pmci/mctp/i3c.hpp"
#include "pmci/mctp/smbus.hpp"
#include "pmci/sim/i3c_bus.hpp"
#include "support/alloc_counter.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::mctp;
namespace i3c = pmci::mctp::i3c;

namespace {

constexpr auto types = hex_bytes<3>("00 05 7F");
constexpr auto ctrl_versions = control::version_bytes(control::version_entry::make(1, 3, 3));
constexpr control::version_support versions[] = {{control::base_spec_type, ctrl_versions},
                                                 {0x00, ctrl_versions}};
constexpr control::responder_config dynamic_eid{null_eid, control::endpoint_kind::simple, 0, {}, types, versions, {}};
constexpr control::responder_config static_eid(eid e) {
  return {e, control::endpoint_kind::simple, 0, {}, types, versions, {}};
}
// The control responder's configuration is part of the endpoint's Cfg type.
template <eid E, class Base = endpoint_defaults>
struct static_cfg : Base {
  static constexpr control::responder_config control_config = static_eid(E);
};
using ep_0a = endpoint<static_cfg<0x0A>>;

// A link that records packets and can push back.
struct fake_link {
  std::vector<std::pair<phys_addr, std::vector<std::byte>>> sent;
  std::size_t accept = SIZE_MAX;  // packets accepted before answering busy
  result<void> fail{};
  std::size_t mtu = 64;
  result<void> send_packet(phys_addr a, bytes_view p) {
    if (!fail) return fail;
    if (accept == 0) return errc::busy;
    --accept;
    sent.push_back({a, {p.begin(), p.end()}});
    return ok();
  }
  std::size_t max_packet_payload(phys_addr) const { return mtu; }
};
static_assert(packet_link<fake_link>);

template <std::size_t N>
received_packet from(phys_addr a, const std::array<std::byte, N>& p) {
  return {a, bytes_view(p)};
}

}  // namespace

TEST_CASE("endpoint: control requests are answered automatically, to the sender's address") {
  fake_link l;
  ep_0a ep;
  // Get Endpoint ID from EID 0x08 to the null EID, TO=1 tag 0 (vectors.md §3 packet).
  constexpr auto get_eid = hex_bytes<7>("01 00 08 C8 00 81 02");
  CHECK_FALSE(ep.receive(l, from(0x1D, get_eid), 0));
  REQUIRE(l.sent.size() == 1);
  CHECK(l.sent[0].first == 0x1D);
  // Response: to 0x08 from 0x0A, SOM|EOM, TO=0, tag 0; CC 0, EID 0x0A, static EID in use (10b).
  CHECK(equal(l.sent[0].second, hex_bytes<11>("01 08 0A C0 00 01 02 00 0A 02 00")));
  CHECK(ep.stats().control_answered == 1);
  CHECK(ep.stats().messages_received == 0);

  // Set Endpoint ID (vectors.md §2 packet, tag 1): the answer comes from the new EID.
  constexpr auto set_eid = hex_bytes<9>("01 00 08 C9 00 80 01 00 0B");
  CHECK_FALSE(ep.receive(l, from(0x1D, set_eid), 1));
  CHECK(ep.own_eid() == 0x0B);
  REQUIRE(l.sent.size() == 2);
  CHECK(equal(bytes_view(l.sent[1].second).first(4), hex_bytes<4>("01 08 0B D1")));  // seq continues: 1
  CHECK(equal(bytes_view(l.sent[1].second).subspan(4), hex_bytes<7>("00 00 01 00 00 0B 00")));

  // A datagram / a response get no answer.
  constexpr auto dgram = hex_bytes<7>("01 0B 08 C8 00 C1 02");
  CHECK_FALSE(ep.receive(l, from(0x1D, dgram), 2));
  CHECK(l.sent.size() == 2);
}

TEST_CASE("endpoint: packets for other EIDs and unsolicited responses are dropped and counted") {
  fake_link l;
  ep_0a ep;
  constexpr auto other = hex_bytes<6>("01 0C 08 C8 05 10");
  CHECK_FALSE(ep.receive(l, from(0x1D, other), 0));
  CHECK(ep.stats().not_for_us == 1);
  constexpr auto to_us = hex_bytes<6>("01 0A 08 C8 05 10");
  auto m = ep.receive(l, from(0x1D, to_us), 0);
  REQUIRE(m);
  CHECK(m->type == msg_type::spdm);
  CHECK(m->tag_owner);
  CHECK(m->from == 0x1D);
  CHECK(m->source == 0x08);
  CHECK(equal(m->body, hex_bytes<1>("10")));
  constexpr auto broadcast = hex_bytes<6>("01 FF 08 C8 05 10");
  CHECK(ep.receive(l, from(0x1D, broadcast), 0));
  constexpr auto response = hex_bytes<6>("01 0A 08 C3 05 10");  // TO=0, tag 3: never requested
  CHECK_FALSE(ep.receive(l, from(0x1D, response), 0));
  CHECK(ep.stats().unexpected_responses == 1);
  CHECK(ep.stats().messages_received == 2);
  constexpr auto bad_version = hex_bytes<6>("02 0A 08 C8 05 10");
  CHECK_FALSE(ep.receive(l, from(0x1D, bad_version), 0));
  CHECK(ep.rx_drops()[drop_reason::bad_version] == 1);
}

TEST_CASE("endpoint: requests take a tag, responses release it; routes and the default route") {
  fake_link l;
  ep_0a ep;
  const std::array<std::byte, 3> body{std::byte{1}, std::byte{2}, std::byte{3}};
  CHECK(ep.send_request(l, 0x20, msg_type::spdm, body, 0) == errc::invalid_field);  // no route
  REQUIRE(ep.set_route(0x20, 0x30));
  REQUIRE(ep.set_route(0x21, 0x31));
  REQUIRE(ep.set_route(0x20, 0x32));  // update
  CHECK(*ep.lookup(0x20) == 0x32);
  CHECK(ep.lookup(0x22) == errc::invalid_field);
  ep.set_default_route(0x40);
  CHECK(*ep.lookup(0x22) == 0x40);

  auto tag = ep.send_request(l, 0x20, msg_type::spdm, body, 0);
  REQUIRE(tag);
  REQUIRE(l.sent.size() == 1);
  CHECK(l.sent[0].first == 0x32);
  CHECK(equal(l.sent[0].second, std::array<std::byte, 8>{std::byte{1}, std::byte{0x20}, std::byte{0x0A},
                                                           std::byte{static_cast<std::uint8_t>(0xC8 | *tag)},
                                                           std::byte{5}, std::byte{1}, std::byte{2}, std::byte{3}}));
  CHECK(ep.tags().outstanding(0x20, *tag));

  std::array<std::byte, 6> rsp{std::byte{1}, std::byte{0x0A}, std::byte{0x20},
                               std::byte{static_cast<std::uint8_t>(0xC0 | *tag)}, std::byte{5}, std::byte{9}};
  auto m = ep.receive(l, {0x32, rsp}, 1);
  REQUIRE(m);
  CHECK_FALSE(m->tag_owner);
  CHECK_FALSE(ep.tags().outstanding(0x20, *tag));
  CHECK_FALSE(ep.receive(l, {0x32, rsp}, 2));  // the same response again: unexpected
  CHECK(ep.stats().unexpected_responses == 1);

  // Physical addressing: a request to the null EID at 0x33, answered from EID 0x25.
  auto t2 = ep.send_request(l, null_eid, msg_type::spdm, body, 3, phys_addr{0x33});
  REQUIRE(t2);
  CHECK(l.sent.back().first == 0x33);
  std::array<std::byte, 6> rsp2{std::byte{1}, std::byte{0x0A}, std::byte{0x25},
                                std::byte{static_cast<std::uint8_t>(0xC0 | *t2)}, std::byte{5}, std::byte{9}};
  CHECK(ep.receive(l, {0x33, rsp2}, 4));

  // send_response goes back to where the request came from, TO=0 and the request's tag.
  constexpr auto req = hex_bytes<6>("01 0A 21 CE 05 10");
  auto r = ep.receive(l, {0x31, req}, 5);
  REQUIRE(r);
  REQUIRE(ep.send_response(l, *r, msg_type::spdm, body));
  CHECK(l.sent.back().first == 0x31);
  CHECK(equal(bytes_view(l.sent.back().second).first(5), hex_bytes<5>("01 21 0A E6 05")));
}

TEST_CASE("endpoint: a link that pushes back keeps the message in flight until flush()") {
  fake_link l;
  l.mtu = 64;
  ep_0a ep;
  REQUIRE(ep.set_route(0x20, 0x30));
  std::vector<std::byte> body(200, std::byte{0x77});  // 201-byte message: 4 packets at MTU 64
  l.accept = 1;
  auto tag = ep.send_request(l, 0x20, msg_type::spdm, body, 0);
  REQUIRE(tag);
  CHECK(ep.sending());
  CHECK(l.sent.size() == 1);
  CHECK(ep.send_request(l, 0x20, msg_type::spdm, body, 0) == errc::busy);
  CHECK(ep.flush(l) == errc::busy);
  l.accept = 2;
  CHECK(ep.flush(l) == errc::busy);
  CHECK(l.sent.size() == 3);
  l.accept = 10;
  CHECK(ep.flush(l));
  CHECK_FALSE(ep.sending());
  REQUIRE(l.sent.size() == 4);
  // SOM on the first, EOM on the last, seq 0..3, the same tag on all.
  const std::uint8_t t = *tag;
  CHECK(l.sent[0].second[3] == std::byte{static_cast<std::uint8_t>(0x88 | t)});
  CHECK(l.sent[1].second[3] == std::byte{static_cast<std::uint8_t>(0x18 | t)});
  CHECK(l.sent[2].second[3] == std::byte{static_cast<std::uint8_t>(0x28 | t)});
  CHECK(l.sent[3].second[3] == std::byte{static_cast<std::uint8_t>(0x78 | t)});
  CHECK(l.sent[3].second.size() == 4 + 201 - 3 * 64);
  CHECK(ep.stats().messages_sent == 1);

  // A link error aborts the message and frees its tag.
  l.fail = errc::timeout;
  auto t2 = ep.send_request(l, 0x20, msg_type::spdm, body, 1);
  CHECK(t2 == errc::timeout);
  CHECK_FALSE(ep.sending());
  CHECK(ep.tags().outstanding_count() == 1);  // only the first request's tag
  CHECK(ep.stats().tx_errors == 1);

  // abort_send() gives up a message in flight without counting an error.
  l.fail = ok();
  l.accept = 0;
  REQUIRE(ep.send_request(l, 0x20, msg_type::spdm, body, 2));
  CHECK(ep.sending());
  ep.abort_send();
  CHECK_FALSE(ep.sending());
  CHECK(ep.tags().outstanding_count() == 1);
  CHECK(ep.stats().tx_errors == 1);
}

// ---------------------------------------------------------------------------------------------
// A controller and three targets on the simulated I3C bus. Target 0x12 cannot raise IBIs and is
// polled. Targets start without an EID; the controller assigns them with Set Endpoint ID.
namespace {

constexpr std::size_t max_body = 4096;

std::uint8_t pattern(std::uint8_t first, std::size_t size, std::size_t i) {
  return static_cast<std::uint8_t>(first * 13u + size * 7u + i * 29u + (i >> 8));
}
void fill_body(bytes_span b, std::uint8_t first) {
  b[0] = std::byte{first};
  for (std::size_t i = 1; i < b.size(); ++i) b[i] = std::byte{pattern(first, b.size(), i)};
}
bool self_consistent(bytes_view b) {
  if (b.empty()) return false;
  const auto first = std::to_integer<std::uint8_t>(b[0]);
  for (std::size_t i = 1; i < b.size(); ++i)
    if (b[i] != std::byte{pattern(first, b.size(), i)}) return false;
  return true;
}

template <std::size_t MaxPacket, std::uint16_t LenLimit>
struct i3c_world {
  using bus_t = sim::i3c_bus<3, MaxPacket + 1, 4>;
  using ctl_port_t = std::remove_reference_t<decltype(std::declval<bus_t&>().controller())>;
  using tgt_port_t = typename bus_t::target_port;
  using ctl_link_t = i3c::controller<ctl_port_t, 3, MaxPacket>;
  using tgt_link_t = i3c::target<tgt_port_t, MaxPacket, 4>;
  struct ctl_cfg : endpoint_defaults {
    static constexpr std::size_t max_message = max_body + 1;
    static constexpr std::size_t contexts = 4;
    static constexpr std::size_t max_packet = MaxPacket;
  };
  struct tgt_cfg : ctl_cfg {
    static constexpr std::size_t contexts = 2;
    static constexpr control::responder_config control_config = dynamic_eid;
  };
  using ctl_ep_t = endpoint<static_cfg<0x08, ctl_cfg>>;
  using tgt_ep_t = endpoint<tgt_cfg>;

  static constexpr std::array<std::uint8_t, 3> addrs{0x10, 0x11, 0x12};
  static constexpr std::array<eid, 3> eids{0x20, 0x21, 0x22};
  static constexpr std::uint32_t timeout = 1500;

  static constexpr sim::i3c_device device(std::size_t i) {
    return {.dynamic_address = addrs[i], .bcr = static_cast<std::uint8_t>(i == 2 ? 0 : 0x06), .mwl = LenLimit, .mrl = LenLimit};
  }

  bus_t bus;
  ctl_link_t ctl;
  std::array<tgt_port_t*, 3> ports;
  std::array<tgt_link_t, 3> tgts;
  ctl_ep_t ep_ctl;
  std::array<tgt_ep_t, 3> eps;

  // Application state (fixed-size: the zero-allocation test runs all of this).
  struct exchange {
    bool outstanding = false;
    std::uint8_t first = 0;
    std::size_t size = 0;
    std::uint32_t sent_at = 0;
    std::size_t next = 0;  // index into the size list
    std::size_t completed = 0, lost = 0;
  };
  std::array<exchange, 3> ex{};
  std::array<std::array<std::byte, max_body>, 3> ctl_tx{};   // request bodies (in flight until sent)
  std::array<std::array<std::byte, max_body>, 3> echo_tx{};  // target echo bodies
  std::size_t corrupt = 0, late = 0, target_busy = 0, control_ok = 0;
  std::uint32_t now = 0;

  explicit i3c_world(const sim::i3c_faults& f = {})
      : bus(f),
        ctl(bus.controller()),
        ports{*bus.add_target(device(0)), *bus.add_target(device(1)), *bus.add_target(device(2))},
        tgts{tgt_link_t{*ports[0]}, tgt_link_t{*ports[1]}, tgt_link_t{*ports[2]}},
        ep_ctl({.timeout_ticks = timeout}, timeout),
        eps{tgt_ep_t{{.timeout_ticks = timeout}, timeout}, tgt_ep_t{{.timeout_ticks = timeout}, timeout},
            tgt_ep_t{{.timeout_ticks = timeout}, timeout}} {
    // Discovery: every device with the MCTP DCR becomes a target of the binding.
    for (std::size_t i = 0; i < bus.controller().device_count(); ++i)
      if (i3c::is_mctp_device(bus.controller().device(i).dcr)) (void)ctl.add_target(bus.controller().device(i).info());
    for (auto& e : eps) e.set_default_route(0);  // a target's only peer: the controller
  }

  template <class OnCtl>
  void step(OnCtl&& on_ctl) {
    ++now;
    for (std::size_t i = 0; i < 3; ++i) {
      while (auto w = ports[i]->take_write())
        if (auto p = tgts[i].on_private_write(*w))
          if (auto m = eps[i].receive(tgts[i], {0, *p}, now)) on_target_message(i, *m);
      while (ports[i]->take_read_complete()) tgts[i].on_read_complete();
      if (now % 64 == 0) (void)tgts[i].retry();  // an IBI lost in a full queue is raised again
      (void)eps[i].flush(tgts[i]);
      eps[i].expire(now);
    }
    while (auto ibi = bus.controller().take_ibi()) ctl.on_ibi(ibi->address, ibi->payload());
    ctl.poll();
    while (auto m = ep_ctl.poll(ctl, now)) on_ctl(*m);
    (void)ep_ctl.flush(ctl);
    ep_ctl.expire(now);
  }

  void on_target_message(std::size_t i, const received_message& m) {
    if (!m.tag_owner || m.type != msg_type::vendor_iana) return;
    if (!self_consistent(m.body)) ++corrupt;
    if (eps[i].sending()) {
      ++target_busy;  // a duplicate while the previous echo is still going out
      return;
    }
    std::copy(m.body.begin(), m.body.end(), echo_tx[i].begin());
    (void)eps[i].send_response(tgts[i], m, msg_type::vendor_iana, bytes_view(echo_tx[i]).first(m.body.size()));
  }

  // Assign EIDs by physical addressing, then ask each target Get EID and Get Message Type
  // Support. Returns true when every answer was right.
  bool bring_up() {
    bool good = true;
    for (std::size_t i = 0; i < 3; ++i) {
      std::array<std::byte, 16> buf{};
      auto req = control::encode(buf, control::set_endpoint_id_request{control::set_eid_operation::set, eids[i]},
                                 static_cast<std::uint8_t>(i));
      if (!req || !ep_ctl.send_request(ctl, null_eid, *req, now, addrs[i])) return false;
      bool answered = false;
      for (int n = 0; n < 50 && !answered; ++n)
        step([&](const received_message& m) {
          auto rsp = control::decode<control::set_endpoint_id_response>(m.data);
          answered = rsp && rsp->cc == control::completion::success && rsp->id == eids[i] && m.source == eids[i];
          if (answered) (void)ep_ctl.set_route(rsp->id, m.from);
        });
      good = good && answered && eps[i].own_eid() == eids[i];
    }
    for (std::size_t i = 0; i < 3; ++i) {
      std::array<std::byte, 16> buf{};
      auto q1 = control::encode(buf, control::get_endpoint_id_request{}, 3);
      if (!q1 || !ep_ctl.send_request(ctl, eids[i], *q1, now)) return false;
      bool got = false;
      for (int n = 0; n < 50 && !got; ++n)
        step([&](const received_message& m) {
          auto r = control::decode<control::get_endpoint_id_response>(m.data);
          got = r && r->id == eids[i] && r->type == control::eid_type::dynamic;
        });
      auto q2 = control::encode(buf, control::get_message_type_support_request{}, 4);
      if (!q2 || !ep_ctl.send_request(ctl, eids[i], *q2, now)) return false;
      bool types_ok = false;
      for (int n = 0; n < 50 && !types_ok; ++n)
        step([&](const received_message& m) {
          auto r = control::decode<control::get_message_type_support_response>(m.data);
          types_ok = r && equal(r->types, types);
        });
      control_ok += (got && types_ok) ? 1 : 0;
      good = good && got && types_ok;
    }
    return good;
  }

  // Echo every size in `sizes` through every target; each request waits for its echo (or a
  // timeout) before the next goes to that target. Returns when all are done.
  template <std::size_t N>
  void echo_all(const std::array<std::size_t, N>& sizes, std::uint32_t max_steps) {
    std::uint8_t first = 1;
    const std::uint32_t end = now + max_steps;
    while (now < end) {
      bool all_done = true;
      for (std::size_t i = 0; i < 3; ++i) {
        auto& e = ex[i];
        if (e.outstanding && now - e.sent_at > timeout) {
          e.outstanding = false;
          ++e.lost;
        }
        if (e.next < N || e.outstanding) all_done = false;
        if (e.outstanding || e.next == N || ep_ctl.sending()) continue;
        const std::size_t size = sizes[e.next];
        fill_body(bytes_span(ctl_tx[i]).first(size), first);
        if (ep_ctl.send_request(ctl, eids[i], msg_type::vendor_iana, bytes_view(ctl_tx[i]).first(size), now)) {
          e = {true, first, size, now, e.next + 1, e.completed, e.lost};
          first = static_cast<std::uint8_t>(first + 1);
        }
      }
      if (all_done) break;
      step([&](const received_message& m) {
        if (m.tag_owner || m.type != msg_type::vendor_iana) return;
        if (!self_consistent(m.body)) {
          ++corrupt;
          return;
        }
        for (std::size_t i = 0; i < 3; ++i) {
          auto& e = ex[i];
          if (m.source == eids[i] && e.outstanding && m.body.size() == e.size &&
              std::to_integer<std::uint8_t>(m.body[0]) == e.first) {
            e.outstanding = false;
            ++e.completed;
            return;
          }
        }
        ++late;  // a duplicate, or an echo that came after its request timed out
      });
    }
  }
};

constexpr std::array<std::size_t, 14> echo_sizes{1, 2, 63, 64, 65, 127, 128, 129, 500, 1023, 1024, 1025, 4095, 4096};

template <class World>
void check_clean_run(World& w) {
  REQUIRE(w.bring_up());
  w.echo_all(echo_sizes, 200000);
  for (std::size_t i = 0; i < 3; ++i) {
    CAPTURE(i);
    CHECK(w.ex[i].completed == echo_sizes.size());
    CHECK(w.ex[i].lost == 0);
    CHECK(w.eps[i].rx_drops().total() == 0);
    CHECK(w.tgts[i].stats().rx_dropped() == 0);
  }
  CHECK(w.corrupt == 0);
  CHECK(w.late == 0);
  CHECK(w.ep_ctl.rx_drops().total() == 0);
  CHECK(w.ctl.stats().rx_dropped() == 0);
  CHECK(w.ep_ctl.stats().unexpected_responses == 0);
}

}  // namespace

TEST_CASE("endpoint over sim I3C: controller <-> 3 targets, 1 B ... 4 KiB at MTU 64") {
  auto w = std::make_unique<i3c_world<68, 69>>();
  CHECK(w->ctl.max_packet_payload(0x10) == 64);
  check_clean_run(*w);
  // 4 KiB + type byte at 64 bytes per packet: 65 packets each way per target.
  CHECK(w->bus.stats().writes >= 3 * 65);
}

TEST_CASE("endpoint over sim I3C: controller <-> 3 targets, 1 B ... 4 KiB at MTU 1024") {
  auto w = std::make_unique<i3c_world<1028, 1029>>();
  CHECK(w->ctl.max_packet_payload(0x10) == 1024);
  CHECK(w->tgts[0].max_packet_payload() == 1024);
  check_clean_run(*w);
  CHECK(w->bus.stats().writes < 3 * 65);  // far fewer packets than at the baseline MTU
}

TEST_CASE("endpoint over sim I3C: under injected faults every delivered message is exact, every loss counted") {
  const auto seed = GENERATE(values<std::uint64_t>({11, 12, 13}));
  CAPTURE(seed);
  auto w = std::make_unique<i3c_world<68, 69>>(
      sim::i3c_faults{.seed = seed, .bit_flip_ppm = 20000, .drop_ppm = 10000, .duplicate_ppm = 10000, .spurious_ibi_ppm = 20000});
  // Bring-up may itself lose a control message; retry it (Set EID is idempotent).
  bool up = false;
  for (int attempt = 0; attempt < 20 && !up; ++attempt) {
    up = w->bring_up();
  }
  REQUIRE(up);
  constexpr std::array<std::size_t, 10> sizes{1, 64, 65, 200, 1000, 4096, 3, 129, 2048, 700};
  w->echo_all(sizes, 400000);
  // Let stragglers (late echoes, duplicates) drain.
  for (int n = 0; n < 3000; ++n) w->step([&](const received_message& m) {
    if (!m.tag_owner && m.type == msg_type::vendor_iana && !self_consistent(m.body)) ++w->corrupt;
  });

  std::size_t completed = 0, lost = 0;
  for (auto& e : w->ex) {
    completed += e.completed;
    lost += e.lost;
    CHECK_FALSE(e.outstanding);
  }
  CHECK(completed + lost == 3 * sizes.size());
  CHECK(w->corrupt == 0);  // nothing delivered that was not sent, byte for byte

  // Every injected bit flip was caught by a PEC check, one for one.
  const auto& bs = w->bus.stats();
  std::uint32_t pec = w->ctl.stats().rx_bad_pec;
  for (auto& t : w->tgts) pec += t.stats().rx_bad_pec;
  CHECK(pec == bs.bit_flips);
  // Every lost exchange is explained by counted events: silent drops the bus injected, frames
  // the bindings dropped, packets or partial messages the assemblers dropped, bus errors.
  std::uint64_t counted = bs.dropped_writes + w->ctl.stats().rx_bus_errors + pec + w->ep_ctl.rx_drops().total();
  for (auto& e : w->eps) counted += e.rx_drops().total() + e.stats().control_dropped;
  INFO("flips " << bs.bit_flips << " drops " << bs.dropped_writes << "/" << bs.dropped_reads << " dups "
                << bs.duplicates << " spurious " << bs.spurious_ibis << " lost " << lost << " completed " << completed);
  CHECK(lost <= counted);
  CHECK(bs.bit_flips + bs.dropped_writes + bs.dropped_reads > 0);  // the faults did happen
  CHECK(w->ctl.stats().rx_bus_errors == bs.dropped_reads);
  // Duplicates and late echoes are delivered as such, never as corrupt data.
  CHECK(w->late + w->target_busy <= 2 * (bs.duplicates + lost) + 1);
}

TEST_CASE("endpoint over sim I3C: the whole exchange allocates nothing") {
  auto w = std::make_unique<i3c_world<68, 69>>(sim::i3c_faults{.seed = 5, .bit_flip_ppm = 2000, .duplicate_ppm = 2000});
  test::alloc_scope scope;
  const bool up = w->bring_up();
  w->echo_all(echo_sizes, 200000);
  const auto allocations = scope.count();
  CHECK(up);
  CHECK(allocations == 0);
  std::size_t completed = 0;
  for (auto& e : w->ex) completed += e.completed;
  CHECK(completed > 0);
}

// ---------------------------------------------------------------------------------------------
namespace {
// Two SMBus ports on one in-memory bus: a write to an address lands in that port's inbox.
struct smbus_wire;
struct smbus_hal {
  smbus_wire* wire = nullptr;
  result<void> write(std::uint8_t addr, bytes_view data);
};
struct smbus_wire {
  struct frame {
    std::uint8_t to = 0;
    std::array<std::byte, smbus::frame_size(smbus::baseline_packet)> data{};
    std::size_t size = 0;
  };
  std::array<frame, 64> queue{};
  std::size_t count = 0;
};
result<void> smbus_hal::write(std::uint8_t addr, bytes_view data) {
  if (wire->count == wire->queue.size()) return errc::busy;
  auto& f = wire->queue[wire->count++];
  f.to = addr;
  f.size = data.size();
  std::copy(data.begin(), data.end(), f.data.begin());
  return ok();
}
}  // namespace

TEST_CASE("endpoint over SMBus: EIDs map to 7-bit addresses; control answered; messages both ways") {
  smbus_wire wire;
  smbus_hal hal{&wire};
  smbus::port<smbus_hal> pa{hal, 0x10}, pb{hal, 0x1D};
  endpoint<static_cfg<0x08>> a;
  endpoint<static_cfg<0x09>> b;
  REQUIRE(a.set_route(0x09, 0x1D));
  REQUIRE(b.set_route(0x08, 0x10));

  std::vector<std::byte> received;
  // Deliver what is on the wire now; answers written meanwhile wait for the next call.
  const auto deliver = [&](std::uint32_t now) {
    const auto snapshot = wire.queue;
    const std::size_t n = wire.count;
    wire.count = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto& f = snapshot[i];
      const auto to = [&](auto& port, auto& ep) {
        if (auto p = port.on_write_received(bytes_view(f.data).first(f.size)))
          if (auto m = ep.receive(port, *p, now)) received.assign(m->body.begin(), m->body.end());
      };
      if (f.to == 0x10) to(pa, a);
      else to(pb, b);
    }
  };

  std::array<std::byte, 16> buf{};
  auto q = control::encode(buf, control::get_endpoint_id_request{}, 7);
  auto tag = a.send_request(pa, 0x09, *q, 0);
  REQUIRE(tag);
  // The request on the wire is the vectors.md §3 frame shape: 0x0F, count, source 0x21.
  REQUIRE(wire.count == 1);
  CHECK(wire.queue[0].to == 0x1D);
  CHECK(equal(bytes_view(wire.queue[0].data).first(3), hex_bytes<3>("0F 08 21")));
  deliver(1);  // b answers automatically
  REQUIRE(wire.count == 1);
  CHECK(wire.queue[0].to == 0x10);
  deliver(2);
  REQUIRE(received.size() == 6);  // Rq/IID, cmd, CC, EID, type, medium
  CHECK(received[3] == std::byte{0x09});

  std::vector<std::byte> big(300);
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = std::byte{static_cast<std::uint8_t>(i)};
  REQUIRE(b.send_request(pb, 0x08, msg_type::pldm, big, 3));
  CHECK(wire.count == 5);  // 301 bytes at 64 per packet
  received.clear();
  deliver(4);
  CHECK(received == big);
  CHECK(pa.stats().rx_packets == 6);
}

namespace {
// An endpoint that only answers (Cfg::tag_peers = 0): no tag allocator, no send_request().
struct answer_only_cfg : static_cfg<0x0A> {
  static constexpr std::size_t tag_peers = 0;
};
using ep_answer_only = endpoint<answer_only_cfg>;
template <class Ep>
concept can_send_request = requires(Ep& ep, fake_link& l, bytes_view m) { ep.send_request(l, eid{1}, m, 0u); };
static_assert(can_send_request<ep_0a>);
static_assert(!can_send_request<ep_answer_only>);
static_assert(sizeof(ep_answer_only) < sizeof(ep_0a));
}  // namespace

TEST_CASE("endpoint: with tag_peers = 0 every response is unexpected; requests and control as before") {
  fake_link l;
  ep_answer_only ep;
  ep_0a ref;  // the same configuration with tags, never used to send a request
  fake_link lr;
  constexpr auto response = hex_bytes<6>("01 0A 08 C3 05 10");       // TO=0, tag 3
  constexpr auto response_null = hex_bytes<6>("01 00 08 C0 05 10");  // TO=0, tag 0, to the null EID
  constexpr auto request = hex_bytes<6>("01 0A 08 C8 05 10");
  constexpr auto get_eid = hex_bytes<7>("01 00 08 C8 00 81 02");
  for (auto* e : {&response, &response_null}) {
    CHECK_FALSE(ep.receive(l, from(0x1D, *e), 0));
    CHECK_FALSE(ref.receive(lr, from(0x1D, *e), 0));
  }
  CHECK(ep.stats().unexpected_responses == 2);
  CHECK(ep.stats().unexpected_responses == ref.stats().unexpected_responses);
  auto m = ep.receive(l, from(0x1D, request), 0);
  REQUIRE(m);
  CHECK(m->tag_owner);
  CHECK(equal(m->body, hex_bytes<1>("10")));
  CHECK(ep.send_response(l, *m, msg_type::spdm, hex_bytes<1>("11")));
  CHECK_FALSE(ep.receive(l, from(0x1D, get_eid), 1));
  auto mr = ref.receive(lr, from(0x1D, request), 0);
  REQUIRE(mr);
  CHECK(ref.send_response(lr, *mr, msg_type::spdm, hex_bytes<1>("11")));
  CHECK_FALSE(ref.receive(lr, from(0x1D, get_eid), 1));
  CHECK(l.sent == lr.sent);  // the same bytes on the wire
  CHECK(ep.stats().control_answered == 1);
  CHECK(ep.tags().outstanding_count() == 0);
}

TEST_CASE("tag_allocator<0>: nothing to allocate, nothing to release") {
  tag_allocator<0> t;
  CHECK(t.allocate(0x1D, 0) == errc::no_resources);
  CHECK_FALSE(t.release(0x1D, 0));
  CHECK_FALSE(t.release(0x1D, 0, 10));
  CHECK_FALSE(t.outstanding(0x1D, 0));
  t.expire(100000);
  CHECK(t.outstanding_count() == 0);
}

namespace {
// An I3C target HAL that records every frame loaded for the controller to read.
struct recording_target_hal {
  std::uint8_t addr = 0x10;
  std::vector<std::vector<std::byte>> loaded;
  bool refuse = false;  // load_read_data busy (e.g. the HAL's buffer is still in use)
  std::uint8_t dynamic_address() const { return addr; }
  std::uint16_t max_write_length() const { return i3c::baseline_frame; }
  std::uint16_t max_read_length() const { return i3c::baseline_frame; }
  result<void> load_read_data(bytes_view f) {
    if (refuse) return errc::busy;
    loaded.emplace_back(f.begin(), f.end());
    return ok();
  }
  result<void> raise_ibi(std::uint8_t) { return ok(); }
};
using rec_target = i3c::target<recording_target_hal, i3c::baseline_packet, 2>;
// The same target seen through send_packet() only: the endpoint takes its generic path.
struct packet_only_link {
  rec_target* t;
  result<void> send_packet(phys_addr a, bytes_view p) { return t->send_packet(a, p); }
  std::size_t max_packet_payload(phys_addr a) const { return t->max_packet_payload(a); }
};

// A 200-byte response in flight (4 packets, 2 queued), then control requests arrive while the
// queue is full; the controller then reads everything. Returns every frame in read order.
template <class MakeLink>
std::vector<std::vector<std::byte>> control_during_message(MakeLink make_link) {
  recording_target_hal hal;
  rec_target t{hal};
  decltype(auto) link = make_link(t);  // the target itself, or a view of it
  ep_0a ep;
  constexpr auto request = hex_bytes<6>("01 0A 08 CD 05 10");   // SPDM request, tag 5
  constexpr auto get_eid = hex_bytes<7>("01 00 08 CA 00 81 02");  // tag 2
  constexpr auto get_uuid = hex_bytes<7>("01 0A 08 CB 00 82 03");
  auto m = ep.receive(link, from(0, request), 0);
  REQUIRE(m);
  std::array<std::byte, 200> body{};
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = std::byte{static_cast<std::uint8_t>(i)};
  REQUIRE(ep.send_response(link, *m, msg_type::spdm, body));
  CHECK_FALSE(ep.receive(link, from(0, get_eid), 1));   // pending: the queue is full
  CHECK_FALSE(ep.receive(link, from(0, get_uuid), 1));  // a second one is dropped and counted
  CHECK(ep.stats().control_dropped == 1);
  hal.refuse = true;  // the HAL refuses a load once: the frame stays queued
  t.on_read_complete();
  CHECK(ep.flush(link) == errc::busy);
  hal.refuse = false;
  CHECK(t.retry());
  for (int i = 0; i < 8 && (ep.sending() || t.tx_queued() != 0); ++i) {
    t.on_read_complete();
    (void)ep.flush(link);
  }
  CHECK_FALSE(ep.sending());
  CHECK(ep.stats().control_answered == 1);
  CHECK(ep.stats().messages_sent == 1);
  CHECK(ep.stats().tx_errors == 0);
  return hal.loaded;
}
}  // namespace

TEST_CASE("endpoint: a control response on a zero-copy link (send_next) is the packet the generic path sends") {
  const auto zero_copy = control_during_message([](rec_target& t) -> rec_target& { return t; });
  const auto generic = control_during_message([](rec_target& t) { return packet_only_link{&t}; });
  REQUIRE(zero_copy.size() == 5);  // 4 message packets + the control response
  CHECK(zero_copy == generic);
  // The control response took the first free queue slot, after the message's first two
  // packets: TO=0, tag 2, seq 0 (the endpoint's counter when it was answered), then the PEC.
  const auto& ctrl = zero_copy[2];
  REQUIRE(ctrl.size() == 4 + 7 + 1);
  CHECK(equal(bytes_view(ctrl).first(11), hex_bytes<11>("01 08 0A C2 00 01 02 00 0A 02 00")));
}

namespace {
// Cfg::fixed_timeouts: the same timeouts as constants.
struct fixed_cfg : static_cfg<0x0A> {
  static constexpr bool fixed_timeouts = true;
  static constexpr std::uint32_t rx_timeout_ticks = 100;
  static constexpr std::uint32_t tag_lifetime_ticks = 50;
};
using ep_fixed = endpoint<fixed_cfg>;
static_assert(!std::is_constructible_v<ep_fixed, assembler_config, std::uint32_t>);
static_assert(std::is_constructible_v<ep_0a, assembler_config, std::uint32_t>);

// The same script on either endpoint: partial messages and tags around their timeouts.
template <class Ep>
std::vector<std::pair<phys_addr, std::vector<std::byte>>> timeout_script(Ep& ep, endpoint_stats& st, drop_counters& drops) {
  fake_link l;
  REQUIRE(ep.set_route(0x20, 0x30));
  constexpr auto som = hex_bytes<6>("01 0A 20 98 05 10");   // SOM, seq 1, TO=1 tag 0
  constexpr auto eom = hex_bytes<6>("01 0A 20 68 11 12");   // EOM, seq 2
  CHECK_FALSE(ep.receive(l, from(0x30, som), 0));
  CHECK(ep.receive(l, from(0x30, eom), 99));                 // within the reassembly timeout
  CHECK_FALSE(ep.receive(l, from(0x30, som), 200));
  CHECK_FALSE(ep.receive(l, from(0x30, eom), 300));          // the partial message timed out
  const std::array<std::byte, 1> body{std::byte{7}};
  auto t1 = ep.send_request(l, 0x20, msg_type::spdm, body, 400);
  REQUIRE(t1);
  std::array<std::byte, 6> rsp{std::byte{1}, std::byte{0x0A}, std::byte{0x20},
                               std::byte{static_cast<std::uint8_t>(0xC0 | *t1)}, std::byte{5}, std::byte{9}};
  CHECK(ep.receive(l, {0x30, rsp}, 449));                    // within the tag lifetime
  auto t2 = ep.send_request(l, 0x20, msg_type::spdm, body, 500);
  REQUIRE(t2);
  rsp[3] = std::byte{static_cast<std::uint8_t>(0xC0 | *t2)};
  CHECK_FALSE(ep.receive(l, {0x30, rsp}, 550));              // the tag expired: unexpected
  CHECK_FALSE(ep.receive(l, from(0x30, som), 600));
  ep.expire(700);                                            // reclaims the partial message
  st = ep.stats();
  drops = ep.rx_drops();
  return l.sent;
}
}  // namespace

TEST_CASE("endpoint: Cfg::fixed_timeouts behaves as the same timeouts given to the constructor") {
  ep_fixed fixed;
  ep_0a runtime({.timeout_ticks = 100}, 50);
  endpoint_stats sf{}, sr{};
  drop_counters df{}, dr{};
  const auto wire_fixed = timeout_script(fixed, sf, df);
  const auto wire_runtime = timeout_script(runtime, sr, dr);
  CHECK(wire_fixed == wire_runtime);
  CHECK(df == dr);
  CHECK(df[drop_reason::timeout] == 2);
  CHECK(sf.unexpected_responses == 1);
  CHECK(sr.unexpected_responses == 1);
  CHECK(sf.messages_received == sr.messages_received);
  CHECK(sf.messages_received == 2);
}

namespace {
struct one_route_cfg : static_cfg<0x0A> {
  static constexpr std::size_t routes = 1;
};
}  // namespace

TEST_CASE("endpoint: one route (Cfg::routes = 1) is set, updated and looked up as in a longer table") {
  endpoint<one_route_cfg> one;
  ep_0a many;
  CHECK(one.lookup(0x20) == errc::invalid_field);
  CHECK(one.set_route(0x20, 0x30));
  CHECK(*one.lookup(0x20) == 0x30);
  CHECK(one.set_route(0x20, 0x31));  // update
  CHECK(*one.lookup(0x20) == 0x31);
  CHECK(one.set_route(0x21, 0x32) == errc::no_resources);  // full
  CHECK(one.lookup(0x21) == errc::invalid_field);
  one.set_default_route(0x40);
  CHECK(*one.lookup(0x21) == 0x40);
  CHECK(*one.lookup(0x20) == 0x31);
  REQUIRE(many.set_route(0x20, 0x31));
  fake_link l1, l2;
  const std::array<std::byte, 1> body{std::byte{7}};
  REQUIRE(one.send_request(l1, 0x20, msg_type::spdm, body, 0));
  REQUIRE(many.send_request(l2, 0x20, msg_type::spdm, body, 0));
  CHECK(l1.sent == l2.sent);
}
