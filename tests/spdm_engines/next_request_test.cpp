// SPDX-License-Identifier: Apache-2.0
// requester::next_request() copies the kept request or writes RESPOND_IF_READY itself (issue 9
// footprint, no writer): the bytes must be those respond_if_ready::encode() writes, and a buffer
// too short for either must fail with buffer_too_small.
#include <algorithm>
#include <array>

#include "pmci/spdm/message.hpp"
#include "spdm_engines/harness.hpp"
#include "support/catch.hpp"

namespace spdm = pmci::spdm;
using pmci::errc;

namespace {
/// A responder whose device signs late (ResponseNotReady, RDT = 2^7 us).
struct late_signer : spdm::responder_defaults {
  static constexpr std::uint8_t rdt_exponent = 7;
};
using late_pair = pmci::test::engine_pair<late_signer, pmci::test::req_cfg, pmci::test::test_crypto,
                                          pmci::test::async_device<pmci::test::test_crypto>>;
}  // namespace

TEST_CASE("next_request: the kept request and RESPOND_IF_READY, and buffers too short for them",
          "[spdm][requester][footprint]") {
  late_pair p;
  REQUIRE(p.req.connect(p.link));
  REQUIRE(p.req.get_digests(p.link));
  REQUIRE(p.req.get_certificate(p.link, 0, p.anchors));
  p.dev.delay = 1;
  REQUIRE(p.req.start_challenge(0, spdm::summary_hash_type::none));
  std::array<std::byte, 64> tx{};
  std::array<std::byte, 4096> rx{};
  auto q = p.req.next_request(tx);
  REQUIRE(q);
  const std::size_t challenge_size = q->size();
  CHECK(p.req.next_request(std::span{tx}.first(challenge_size - 1)) == errc::buffer_too_small);
  CHECK(p.req.next_request(std::span{tx}.first(challenge_size)));
  auto r = p.rsp.handle(*q, rx);
  REQUIRE(r);
  const auto e = spdm::error_response::decode(*r);
  REQUIRE(e);
  REQUIRE(e->error == spdm::error_code::response_not_ready);
  auto st = p.req.on_response(*r);
  REQUIRE(st);
  CHECK(st->kind == spdm::step::wait);
  CHECK(st->wait_us == (1u << 7));

  std::array<std::byte, 4> expected{};
  pmci::writer w{expected};
  REQUIRE(spdm::respond_if_ready::after(e->not_ready).encode(w, p.req.negotiated_params()));
  REQUIRE(w.size() == 4);
  CHECK(p.req.next_request(std::span{tx}.first(3)) == errc::buffer_too_small);
  q = p.req.next_request(tx);
  REQUIRE(q);
  CHECK(std::equal(q->begin(), q->end(), expected.begin(), expected.end()));
  r = p.rsp.handle(*q, rx);
  REQUIRE(r);
  st = p.req.on_response(*r);
  REQUIRE(st);
  CHECK(st->kind == spdm::step::done);
  CHECK(p.req.authenticated());
  CHECK(p.req.next_request(tx) == errc::invalid_state);  // no operation any more
}
