// SPDX-License-Identifier: Apache-2.0
// Slow signing: ERROR ResponseNotReady and RESPOND_IF_READY (spdm.md §8) on both sides, ERROR
// Busy retries, and the requester's timeouts with a caller clock.
#include <vector>

#include "pmci/spdm/message.hpp"
#include "spdm_engines/harness.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using pmci::test::test_crypto;

namespace {
struct cfg : responder_defaults {
  static constexpr std::uint8_t rdt_exponent = 12;
  static constexpr std::uint8_t rdtm = 3;
};
using async_pair = pmci::test::engine_pair<cfg, pmci::test::req_cfg, test_crypto, pmci::test::async_device<test_crypto>>;

/// Counts ERROR responses by code as they pass.
struct error_tap {
  std::vector<error_code> errors;
  std::size_t respond_if_ready = 0;
  void operator()(transport::direction d, bytes_view m) {
    if (m.size() < 3) return;
    if (d == transport::direction::request && m[2] == std::byte{0xFF}) ++respond_if_ready;
    if (d == transport::direction::response && m[2] == std::byte{0x7F}) errors.push_back(static_cast<error_code>(m[3]));
  }
};

void attach(async_pair& p) {
  REQUIRE(p.req.connect(p.link));
  REQUIRE(p.req.get_digests(p.link));
  REQUIRE(p.req.get_certificate(p.link, 0, p.anchors));
}
}  // namespace

TEST_CASE("ResponseNotReady: the requester waits and completes with RESPOND_IF_READY") {
  async_pair p;
  transport::loopback<async_pair::adapter_t, error_tap> link{p.adapter, error_tap{}};
  REQUIRE(p.req.connect(link));
  REQUIRE(p.req.get_digests(link));
  REQUIRE(p.req.get_certificate(link, 0, p.anchors));
  p.dev.delay = 2;
  auto ch = p.req.challenge(link, 0, summary_hash_type::all);
  REQUIRE(ch);
  CHECK(link.tap().errors == std::vector<error_code>{error_code::response_not_ready, error_code::response_not_ready});
  CHECK(link.tap().respond_if_ready == 2);
  CHECK(p.rsp.authenticated());
  CHECK_FALSE(p.rsp.response_pending());
  p.dev.delay = 1;
  auto m = p.req.get_measurements(link, {});
  REQUIRE(m);
  CHECK(m->signature_verified);
  CHECK(link.tap().respond_if_ready == 3);
  // Unsigned measurements, then a delayed signed one: L1/L2 survives the RESPOND_IF_READY.
  REQUIRE(p.req.get_measurements(link, {.operation = 1, .signature = false}));
  p.dev.delay = 3;
  m = p.req.get_measurements(link, {.operation = 2});
  REQUIRE(m);
  CHECK(m->signature_verified);
}

TEST_CASE("ResponseNotReady: the ERROR, the token, and RESPOND_IF_READY checks (raw)") {
  async_pair p;
  attach(p);
  p.dev.delay = 5;
  std::array<std::byte, 4096> buf{};
  const auto v = to_byte(p.rsp.negotiated_params().ver);
  std::vector<std::byte> ch{std::byte{v}, std::byte{0x83}, std::byte{0}, std::byte{0}};
  ch.resize(v >= 0x13 ? 44 : 36, std::byte{0x5A});
  auto r = p.rsp.handle(ch, buf);
  REQUIRE(r);
  auto e = error_response::decode(*r);
  REQUIRE(e);
  CHECK(e->error == error_code::response_not_ready);
  CHECK(e->not_ready.rd_exponent == 12);
  CHECK(e->not_ready.rdtm == 3);
  CHECK(e->not_ready.request_code == code::challenge);
  const std::uint8_t token = e->not_ready.token;
  CHECK(p.rsp.response_pending());

  const auto rir = [&](std::uint8_t c, std::uint8_t t) {
    const std::array<std::byte, 4> q{std::byte{v}, std::byte{0xFF}, std::byte{c}, std::byte{t}};
    auto out = p.rsp.handle(q, buf);
    REQUIRE(out);
    return std::vector<std::byte>(out->begin(), out->end());
  };
  // Wrong token, wrong request code: InvalidRequest, still pending.
  CHECK(error_response::decode(rir(0x83, static_cast<std::uint8_t>(token + 1)))->error == error_code::invalid_request);
  CHECK(error_response::decode(rir(0xE0, token))->error == error_code::invalid_request);
  CHECK(p.rsp.response_pending());
  // Still not ready: the same token again.
  auto again = error_response::decode(rir(0x83, token));
  REQUIRE(again);
  CHECK(again->error == error_code::response_not_ready);
  CHECK(again->not_ready.token == token);
  p.dev.delay = 0;
  p.dev.calls_left = 0;
  const auto done = rir(0x83, token);
  REQUIRE(done.size() > 4);
  CHECK(done[1] == std::byte{0x03});  // CHALLENGE_AUTH, nonce kept from the first attempt
  CHECK_FALSE(p.rsp.response_pending());
  CHECK(error_response::decode(rir(0x83, token))->error == error_code::unexpected_request);
}

TEST_CASE("ResponseNotReady: another request abandons the pending response") {
  async_pair p;
  attach(p);
  p.dev.delay = 5;
  std::array<std::byte, 4096> buf{};
  const auto v = to_byte(p.rsp.negotiated_params().ver);
  std::vector<std::byte> m{std::byte{v}, std::byte{0xE0}, std::byte{1}, std::byte{0xFF}};
  m.resize(v >= 0x13 ? 45 : 37);
  auto r = p.rsp.handle(m, buf);
  REQUIRE(r);
  REQUIRE(error_response::decode(*r)->error == error_code::response_not_ready);
  const std::array<std::byte, 4> digests_req{std::byte{v}, std::byte{0x81}, std::byte{0}, std::byte{0}};
  r = p.rsp.handle(digests_req, buf);
  REQUIRE(r);
  CHECK((*r)[1] == std::byte{0x01});
  CHECK_FALSE(p.rsp.response_pending());
  // Nothing pending any more; the connection still attests (fresh transcripts on both sides).
  p.dev.delay = 0;
  REQUIRE(p.req.connect(p.link));
  REQUIRE(p.req.get_digests(p.link));
  REQUIRE(p.req.get_certificate(p.link, 0, p.anchors));
  REQUIRE(p.req.challenge(p.link, 0, summary_hash_type::all));
  REQUIRE(p.req.get_measurements(p.link, {}));
}

TEST_CASE("ResponseNotReady: step-wise requester sees step::wait with 2^RDTExponent") {
  async_pair p;
  attach(p);
  p.dev.delay = 1;
  REQUIRE(p.req.start_challenge(0, summary_hash_type::none));
  std::array<std::byte, 64> tx{};
  std::array<std::byte, 4096> rx{};
  auto q = p.req.next_request(tx);
  REQUIRE(q);
  auto r = p.rsp.handle(*q, rx);
  REQUIRE(r);
  auto st = p.req.on_response(*r);
  REQUIRE(st);
  CHECK(st->kind == step::wait);
  CHECK(st->wait_us == (1u << 12));
  q = p.req.next_request(tx);
  REQUIRE(q);
  CHECK(q->size() == 4);
  CHECK((*q)[1] == std::byte{0xFF});
  CHECK((*q)[2] == std::byte{0x83});
  r = p.rsp.handle(*q, rx);
  REQUIRE(r);
  st = p.req.on_response(*r);
  REQUIRE(st);
  CHECK(st->kind == step::done);
  CHECK(p.req.authenticated());
}

TEST_CASE("ResponseNotReady and Busy: retries are bounded") {
  SECTION("never ready") {
    async_pair p;
    attach(p);
    p.dev.delay = 1000;
    CHECK_FALSE(p.req.challenge(p.link, 0));
    CHECK(p.req.last_failure() == failure::not_ready_retries_exhausted);
    CHECK(p.dev.sign_calls == 1 + pmci::test::req_cfg::not_ready_retries);
  }
  SECTION("always busy") {
    async_pair p;
    attach(p);
    p.dev.busy = true;
    const auto r = p.req.get_measurements(p.link, {});
    CHECK(r == errc::busy);
    CHECK(p.req.last_failure() == failure::busy_retries_exhausted);
    CHECK(p.req.last_error().code == error_code::busy);
    CHECK(p.dev.sign_calls == 1 + pmci::test::req_cfg::busy_retries);
    // Busy left the transcripts alone: once the device is free, everything verifies.
    p.dev.busy = false;
    p.dev.delay = 0;
    REQUIRE(p.req.get_measurements(p.link, {}));
    REQUIRE(p.req.challenge(p.link, 0, summary_hash_type::tcb));
  }
  SECTION("busy on a signed measurement after unsigned ones: L1/L2 stays in step") {
    async_pair p;
    attach(p);
    p.dev.delay = 0;
    REQUIRE(p.req.get_measurements(p.link, {.operation = 1, .signature = false}));
    REQUIRE(p.req.get_measurements(p.link, {.operation = 2, .signature = false}));
    struct busy_once {
      async_pair* p;
      bool fired = false;
      void operator()(transport::direction d, bytes_view) {
        if (d == transport::direction::request && !fired) p->dev.busy = true;
        if (d == transport::direction::response && !fired) {
          fired = true;
          p->dev.busy = false;
        }
      }
    };
    transport::loopback<async_pair::adapter_t, busy_once> link{p.adapter, busy_once{&p}};
    auto m = p.req.get_measurements(link, {.operation = 3});
    REQUIRE(m);
    CHECK(m->signature_verified);
    CHECK(link.exchanges() == 2);
  }
  SECTION("busy once, then fine") {
    async_pair p;
    attach(p);
    p.dev.delay = 0;
    struct busy_once {
      async_pair* p;
      bool fired = false;
      void operator()(transport::direction d, bytes_view) {
        if (d == transport::direction::request && !fired) p->dev.busy = true;
        if (d == transport::direction::response && !fired) {
          fired = true;
          p->dev.busy = false;
        }
      }
    };
    transport::loopback<async_pair::adapter_t, busy_once> link{p.adapter, busy_once{&p}};
    auto ch = p.req.challenge(link, 0, summary_hash_type::all);
    REQUIRE(ch);
    CHECK(link.exchanges() == 2);
  }
}

namespace {
/// A clock that advances `step_ticks` every time it is read (so each exchange "takes" that long).
struct ticking_clock {
  static constexpr std::uint64_t ticks_per_second = 1000;  // milliseconds
  std::uint64_t* t;
  std::uint64_t step_ticks;
  std::uint64_t now() const { return *t += step_ticks; }
  void sleep(std::uint64_t ticks) const { *t += ticks; }
};
}  // namespace

TEST_CASE("requester timeouts: ST1 + RTT, and CT for cryptographic requests") {
  async_pair p;
  p.dev.delay = 0;
  std::uint64_t t = 0;
  // 150 ms per exchange: within ST1 (100 ms) + RTT (100 ms).
  REQUIRE(p.req.connect(p.link, ticking_clock{&t, 150}));
  // 250 ms: too slow for a plain request.
  CHECK(p.req.get_digests(p.link, ticking_clock{&t, 250}) == errc::timeout);
  CHECK(p.req.last_failure() == failure::timeout);
  REQUIRE(p.req.get_digests(p.link, ticking_clock{&t, 150}));
  REQUIRE(p.req.get_certificate(p.link, 0, p.anchors, 0, ticking_clock{&t, 10}));
  // CHALLENGE may take CT = 2^20 µs (~1 s) + RTT.
  REQUIRE(p.req.challenge(p.link, 0, summary_hash_type::none, {}, ticking_clock{&t, 1000}));
  CHECK(p.req.challenge(p.link, 0, summary_hash_type::none, {}, ticking_clock{&t, 1200}) == errc::timeout);
  CHECK(p.req.response_timeout_us() == 0 + pmci::test::req_cfg::rtt_us + requester<pmci::test::req_cfg, test_crypto>::st1_us);
}
