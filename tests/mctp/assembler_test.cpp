// SPDX-License-Identifier: Apache-2.0
#include "pmci/mctp/assembler.hpp"

#include <array>
#include <initializer_list>

#include "mctp/mctp_test_util.hpp"
#include "pmci/mctp/packetizer.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::mctp;
using pmci::mctp::test::E;
using pmci::mctp::test::make_packet;
using pmci::mctp::test::S;

namespace {

struct step {
  std::uint8_t flags;
  std::uint8_t seq;
};

// Feed 1-byte-payload packets (all with TO, src 9 -> dst 8, tag 0) and return the size of the
// one delivered message (0 = nothing delivered, -1 = more than one). This is the shape of the
// Linux route-test reassembly table and libmctp's test_seq (vectors.md §4).
constexpr int reassemble(std::initializer_list<step> steps) {
  assembler<1, 64> rx;
  int delivered = 0;
  std::uint8_t fill = 0x10;
  for (auto s : steps) {
    auto p = make_packet(s.flags, s.seq, 1, fill++);
    if (auto m = rx.receive(p, 0)) {
      if (delivered) return -1;
      delivered = static_cast<int>(m->data.size());
      // Order preserved: payload bytes were numbered.
      for (std::size_t i = 1; i < m->data.size(); ++i)
        if (m->data[i] != std::byte{static_cast<std::uint8_t>(std::to_integer<int>(m->data[0]) + i)}) return -2;
    }
  }
  return delivered;
}

template <std::size_t C, std::size_t M>
std::uint32_t count(const assembler<C, M>& a, drop_reason r) {
  return a.drops()[r];
}

}  // namespace

TEST_CASE("assembler: Linux route-test reassembly table", "[mctp][assembler]") {
  static_assert(reassemble({{S | E, 0}}) == 1);
  static_assert(reassemble({{S | E, 1}}) == 1);
  static_assert(reassemble({{S, 0}, {E, 1}}) == 2);
  static_assert(reassemble({{S, 1}, {E, 2}}) == 2);
  static_assert(reassemble({{E, 1}, {S, 0}}) == 0);
  static_assert(reassemble({{S, 0}, {0, 1}, {E, 2}}) == 3);
  static_assert(reassemble({{S, 0}, {E, 2}}) == 0);  // missing seq
  static_assert(reassemble({{S, 3}, {E, 0}}) == 2);  // wrap
  CHECK(reassemble({{S | E, 0}}) == 1);
  CHECK(reassemble({{S | E, 1}}) == 1);
  CHECK(reassemble({{S, 0}, {E, 1}}) == 2);
  CHECK(reassemble({{S, 1}, {E, 2}}) == 2);
  CHECK(reassemble({{E, 1}, {S, 0}}) == 0);
  CHECK(reassemble({{S, 0}, {0, 1}, {E, 2}}) == 3);
  CHECK(reassemble({{S, 0}, {E, 2}}) == 0);
  CHECK(reassemble({{S, 3}, {E, 0}}) == 2);
}

TEST_CASE("assembler: libmctp test_seq cases", "[mctp][assembler]") {
  static_assert(reassemble({{S | E, 1}}) == 1);
  static_assert(reassemble({{S, 1}, {E, 2}}) == 2);
  static_assert(reassemble({{S, 1}, {0, 2}, {E, 3}}) == 3);
  static_assert(reassemble({{S, 3}, {E, 0}}) == 2);
  static_assert(reassemble({{S, 1}, {E, 3}}) == 0);
  CHECK(reassemble({{S, 1}, {0, 2}, {E, 3}}) == 3);
  CHECK(reassemble({{S, 1}, {E, 3}}) == 0);
}

TEST_CASE("assembler: delivered message carries addressing, type, IC and spans", "[mctp][assembler]") {
  assembler<2, 256> rx;
  auto p1 = make_packet(S, 2, 64, 0x85, 0x08, 0x1D, false, 6);  // first payload byte 0x85: IC|SPDM
  auto p2 = make_packet(E, 3, 10, 0xC5, 0x08, 0x1D, false, 6);
  CHECK_FALSE(rx.receive(p1, 0));
  CHECK(rx.in_progress() == 1);
  auto m = rx.receive(p2, 1);
  REQUIRE(m);
  CHECK(m->source == 0x1D);
  CHECK(m->dest == 0x08);
  CHECK_FALSE(m->tag_owner);
  CHECK(m->tag == 6);
  CHECK(m->type == msg_type::spdm);
  CHECK(m->ic);
  CHECK(m->data.size() == 74);
  CHECK(m->body.size() == 73);
  CHECK(m->body.data() == m->data.data() + 1);
  CHECK(m->data[63] == std::byte{static_cast<std::uint8_t>(0x85 + 63)});
  CHECK(m->data[64] == std::byte{0xC5});
  CHECK(rx.in_progress() == 0);
  CHECK(rx.drops().total() == 0);
}

TEST_CASE("assembler: every drop rule is counted under its reason", "[mctp][assembler]") {
  assembler<2, 128> rx({.timeout_ticks = 100});

  SECTION("too_short: under 4 bytes, and header without payload") {
    const std::array<std::byte, 3> tiny{std::byte{1}, std::byte{8}, std::byte{9}};
    CHECK_FALSE(rx.receive(tiny, 0));
    CHECK(rx.last_drop() == drop_reason::too_short);
    CHECK_FALSE(rx.receive(make_packet(S | E, 0, 0), 0));
    CHECK(count(rx, drop_reason::too_short) == 2);
    CHECK(rx.drops().total() == 2);
  }
  SECTION("bad_version") {
    CHECK_FALSE(rx.receive(make_packet(S | E, 0, 1, 0, 8, 9, true, 0, 2), 0));
    CHECK_FALSE(rx.receive(make_packet(S | E, 0, 1, 0, 8, 9, true, 0, 0), 0));
    CHECK(count(rx, drop_reason::bad_version) == 2);
    CHECK(rx.last_drop() == drop_reason::bad_version);
    // Reserved nibble set but version 1: accepted (reserved bits are ignored on receive).
    CHECK(rx.receive(make_packet(S | E, 0, 1, 0, 8, 9, true, 0, 0xF1), 0));
  }
  SECTION("bad_source: source EID 0xFF") {
    CHECK_FALSE(rx.receive(make_packet(S | E, 0, 1, 0, 8, broadcast_eid), 0));
    CHECK(count(rx, drop_reason::bad_source) == 1);
    // Broadcast as destination is fine (e.g. discovery).
    CHECK(rx.receive(make_packet(S | E, 0, 1, 0, broadcast_eid, 9), 0));
  }
  SECTION("missing_som: middle or end packet without a message in assembly") {
    CHECK_FALSE(rx.receive(make_packet(0, 1, 10), 0));
    CHECK_FALSE(rx.receive(make_packet(E, 2, 10), 0));
    CHECK(count(rx, drop_reason::missing_som) == 2);
    CHECK(rx.last_drop() == drop_reason::missing_som);
  }
  SECTION("out_of_sequence drops the whole partial message") {
    CHECK_FALSE(rx.receive(make_packet(S, 0, 10), 0));
    CHECK_FALSE(rx.receive(make_packet(0, 2, 10), 0));
    CHECK(count(rx, drop_reason::out_of_sequence) == 1);
    CHECK(rx.in_progress() == 0);
    // The rest of that message is now missing its SOM.
    CHECK_FALSE(rx.receive(make_packet(E, 3, 5), 0));
    CHECK(count(rx, drop_reason::missing_som) == 1);
    // A repeated packet (same seq) is out of sequence too.
    CHECK_FALSE(rx.receive(make_packet(S, 0, 10), 0));
    CHECK_FALSE(rx.receive(make_packet(0, 1, 10), 0));
    CHECK_FALSE(rx.receive(make_packet(0, 1, 10), 0));
    CHECK(count(rx, drop_reason::out_of_sequence) == 2);
  }
  SECTION("som_restart: a new SOM restarts the message and is counted") {
    CHECK_FALSE(rx.receive(make_packet(S, 0, 10, 0x00), 0));
    CHECK_FALSE(rx.receive(make_packet(S, 2, 10, 0x40), 0));
    CHECK(rx.last_drop() == drop_reason::som_restart);
    CHECK(count(rx, drop_reason::som_restart) == 1);
    auto m = rx.receive(make_packet(E, 3, 4, 0x80), 0);
    REQUIRE(m);
    CHECK(m->data.size() == 14);
    CHECK(m->data[0] == std::byte{0x40});  // the new message, not the old one
    CHECK(rx.last_drop() == drop_reason::none);
  }
  SECTION("too_large: first packet or accumulated size over MaxMessage") {
    CHECK_FALSE(rx.receive(make_packet(S | E, 0, 129), 0));
    CHECK(count(rx, drop_reason::too_large) == 1);
    CHECK(rx.in_progress() == 0);
    CHECK_FALSE(rx.receive(make_packet(S, 0, 64), 0));
    CHECK_FALSE(rx.receive(make_packet(0, 1, 64), 0));   // 128: exactly full, fine
    CHECK_FALSE(rx.receive(make_packet(E, 2, 1), 0));    // 129: too large
    CHECK(count(rx, drop_reason::too_large) == 2);
    CHECK(rx.in_progress() == 0);
    // Exactly MaxMessage is delivered.
    CHECK_FALSE(rx.receive(make_packet(S, 0, 64), 0));
    auto m = rx.receive(make_packet(E, 1, 64), 0);
    REQUIRE(m);
    CHECK(m->data.size() == 128);
  }
  SECTION("middle_size: a middle packet not the size of the first") {
    CHECK_FALSE(rx.receive(make_packet(S, 0, 32), 0));
    CHECK_FALSE(rx.receive(make_packet(0, 1, 31), 0));
    CHECK(count(rx, drop_reason::middle_size) == 1);
    CHECK_FALSE(rx.receive(make_packet(S, 0, 32), 0));
    CHECK_FALSE(rx.receive(make_packet(0, 1, 33), 0));
    CHECK(count(rx, drop_reason::middle_size) == 2);
    CHECK(rx.in_progress() == 0);
  }
  SECTION("eom_too_large: the last packet larger than the first") {
    CHECK_FALSE(rx.receive(make_packet(S, 0, 32), 0));
    CHECK_FALSE(rx.receive(make_packet(E, 1, 33), 0));
    CHECK(count(rx, drop_reason::eom_too_large) == 1);
    CHECK(rx.in_progress() == 0);
    // Equal or smaller is fine.
    CHECK_FALSE(rx.receive(make_packet(S, 0, 32), 0));
    CHECK(rx.receive(make_packet(E, 1, 32), 0));
  }
  SECTION("timeout: by expire() and lazily by receive()") {
    CHECK_FALSE(rx.receive(make_packet(S, 0, 10), 1000));
    rx.expire(1099);
    CHECK(rx.in_progress() == 1);
    rx.expire(1100);
    CHECK(rx.in_progress() == 0);
    CHECK(count(rx, drop_reason::timeout) == 1);
    CHECK_FALSE(rx.receive(make_packet(S, 0, 10), 5000));
    CHECK_FALSE(rx.receive(make_packet(E, 1, 5), 5100));  // too late: context expired first
    CHECK(count(rx, drop_reason::timeout) == 2);
    CHECK(count(rx, drop_reason::missing_som) == 1);
    // Tick counter wrap-around: started at 0xFFFFFFF0, 0x10 is 32 ticks later.
    CHECK_FALSE(rx.receive(make_packet(S, 0, 10), 0xFFFFFFF0u));
    CHECK(rx.receive(make_packet(E, 1, 5), 0x10));
    CHECK(count(rx, drop_reason::timeout) == 2);
  }
  SECTION("no_context: all contexts busy refuses the newcomer, keeps the old ones") {
    CHECK_FALSE(rx.receive(make_packet(S, 0, 10, 0, 8, 9, true, 1), 0));
    CHECK_FALSE(rx.receive(make_packet(S, 0, 10, 0, 8, 9, true, 2), 0));
    CHECK_FALSE(rx.receive(make_packet(S, 0, 10, 0, 8, 9, true, 3), 0));
    CHECK(count(rx, drop_reason::no_context) == 1);
    CHECK(rx.receive(make_packet(E, 1, 1, 0, 8, 9, true, 1), 0));
    CHECK(rx.receive(make_packet(E, 1, 1, 0, 8, 9, true, 2), 0));
  }
  // Whatever the section, every counted drop is one of the named reasons.
  std::uint32_t sum = 0;
  for (std::size_t r = 1; r <= drop_reason_count; ++r) sum += rx.drops()[static_cast<drop_reason>(r)];
  CHECK(sum == rx.drops().total());
}

TEST_CASE("assembler: contexts are keyed on source, dest, tag and TO", "[mctp][assembler]") {
  assembler<8, 64> rx;
  // Same source and tag: TO differs, dest differs, source differs, tag differs -> 5 messages.
  CHECK_FALSE(rx.receive(make_packet(S, 0, 8, 0x00, 8, 9, true, 1), 0));
  CHECK_FALSE(rx.receive(make_packet(S, 0, 8, 0x10, 8, 9, false, 1), 0));
  CHECK_FALSE(rx.receive(make_packet(S, 0, 8, 0x20, 10, 9, true, 1), 0));
  CHECK_FALSE(rx.receive(make_packet(S, 0, 8, 0x30, 8, 11, true, 1), 0));
  CHECK_FALSE(rx.receive(make_packet(S, 0, 8, 0x40, 8, 9, true, 2), 0));
  CHECK(rx.in_progress() == 5);
  auto m = rx.receive(make_packet(E, 1, 1, 0xAA, 10, 9, true, 1), 0);
  REQUIRE(m);
  CHECK(m->data[0] == std::byte{0x20});
  CHECK(m->dest == 10);
  m = rx.receive(make_packet(E, 1, 1, 0xAA, 8, 9, false, 1), 0);
  REQUIRE(m);
  CHECK(m->data[0] == std::byte{0x10});
  CHECK_FALSE(m->tag_owner);
  CHECK(rx.in_progress() == 3);
  CHECK(rx.drops().total() == 0);
  rx.reset();
  CHECK(rx.in_progress() == 0);
  CHECK(rx.drops().total() == 0);
}

TEST_CASE("assembler: interleaved messages from the packetizer reassemble", "[mctp][assembler]") {
  std::array<std::byte, 1000> a{}, b{};
  for (std::size_t i = 0; i < a.size(); ++i) {
    a[i] = std::byte{static_cast<std::uint8_t>(i * 3)};
    b[i] = std::byte{static_cast<std::uint8_t>(i * 5 + 1)};
  }
  const std::size_t mtu = GENERATE(values<std::size_t>({1, 13, 64, 250, 1000, 1024}));
  packetizer pa({8, 0x20, true, 3}, a, mtu, 1);
  packetizer pb({8, 0x21, true, 3}, bytes_view(b).first(777), mtu, 2);
  assembler<2, 1000> rx;
  std::array<std::byte, 1100> buf{};
  int got = 0;
  while (!pa.done() || !pb.done()) {
    for (auto* p : {&pa, &pb}) {
      if (p->done()) continue;
      auto pkt = p->next(buf);
      REQUIRE(pkt);
      if (auto m = rx.receive(*pkt, 0)) {
        ++got;
        if (m->source == 0x20) CHECK(equal(m->data, a));
        else CHECK(equal(m->data, bytes_view(b).first(777)));
      }
    }
  }
  CHECK(got == 2);
  CHECK(rx.drops().total() == 0);
}

TEST_CASE("drop_reason names", "[mctp][assembler]") {
  CHECK(std::string_view(to_string(drop_reason::out_of_sequence)) == "out_of_sequence");
  CHECK(std::string_view(to_string(drop_reason::no_context)) == "no_context");
  CHECK(std::string_view(to_string(static_cast<drop_reason>(200))) == "unknown");
}

TEST_CASE("assembler: configuration and size", "[mctp][assembler]") {
  assembler<2, 1024> rx{{.timeout_ticks = 250}};
  CHECK(rx.config().timeout_ticks == 250);
  assembler<1, 16> never{{.timeout_ticks = 0}};
  CHECK_FALSE(never.receive(make_packet(S, 0, 4), 0));
  never.expire(0xFFFFFFFFu);
  CHECK(never.in_progress() == 1);
  CHECK(never.receive(make_packet(E, 1, 4), 0x80000000u));
  CHECK(assembler<1, 16>{}.config().timeout_ticks == assembler_config::default_timeout);
  static_assert(sizeof(assembler<1, 1024>) >= 1024 && sizeof(assembler<1, 1024>) < 1024 + 128);
  static_assert(assembler<2, 1024>::contexts == 2 && assembler<2, 1024>::max_message == 1024);
}
