// SPDX-License-Identifier: Apache-2.0
// The engines allocate nothing: a whole attestation (VCA, DIGESTS, CERTIFICATE, CHALLENGE,
// MEASUREMENTS, ResponseNotReady rounds, ERROR paths) between pmci's requester and responder with
// the allocation-free test policy performs zero operator new calls. (The OpenSSL / PSA adapters
// allocate inside their libraries; the engines add nothing on top.)
#include "spdm_engines/harness.hpp"
#include "support/alloc_counter.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {
struct cfg : responder_defaults {
  static constexpr std::size_t slot_count = 2;
};
using sync_pair = pmci::test::engine_pair<cfg, pmci::test::req_cfg, pmci::test::test_crypto>;
using async_pair =
    pmci::test::engine_pair<cfg, pmci::test::req_cfg, pmci::test::test_crypto, pmci::test::async_device<pmci::test::test_crypto>>;
}  // namespace

TEST_CASE("engines: zero heap allocations for a whole attestation") {
  sync_pair p;
  std::size_t allocations = 0;
  bool ok_all = true;
  {
    pmci::test::alloc_scope scope;
    for (int round = 0; round < 3; ++round) {
      ok_all = ok_all && p.req.connect(p.link) && p.req.get_digests(p.link) &&
               p.req.get_certificate(p.link, 0, p.anchors) && p.req.challenge(p.link, 0, summary_hash_type::all);
      ok_all = ok_all && p.req.get_measurements(p.link, {.operation = 1, .signature = false}) &&
               p.req.get_measurements(p.link, {}) &&
               p.req.get_measurements(p.link, {.operation = 0x77, .signature = false}) == errc::peer_error;
      std::array<std::byte, 4> bad{std::byte{0x12}, std::byte{0x99}, std::byte{0}, std::byte{0}};
      std::array<std::byte, 64> out{};
      ok_all = ok_all && p.rsp.handle(bad, out).has_value();
    }
    allocations = scope.count();
  }
  CHECK(ok_all);
  CHECK(allocations == 0);
}

TEST_CASE("engines: zero heap allocations with ResponseNotReady and the blocking attest()") {
  async_pair p;
  p.dev.delay = 2;
  std::size_t allocations = 0;
  bool ok_all = true;
  {
    pmci::test::alloc_scope scope;
    auto rep = p.req.attest(p.link, {.trust_anchors = p.anchors});
    ok_all = rep.has_value() && rep->measurements.signature_verified;
    allocations = scope.count();
  }
  CHECK(ok_all);
  CHECK(allocations == 0);
}
