// SPDX-License-Identifier: Apache-2.0
// Config::runtime_limits: set_limits() narrows, at run time, the versions, algorithms and
// capability flags a responder offers and selects and a requester offers (config.hpp
// offer_limits; used by examples/spdm_emu). Priorities stay the configuration's; nothing outside
// the configuration can be added; an empty or inconsistent narrowing is refused.
#include "spdm_engines/harness.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using pmci::test::engine_pair;
using pmci::test::test_crypto;

namespace {

struct wide_rsp : responder_defaults {
  static constexpr std::array hash_algs{base_hash::sha384, base_hash::sha256};
  static constexpr std::array asym_algs{base_asym::ecdsa_p384, base_asym::ecdsa_p256};
  static constexpr std::array measurement_hash_algs{meas_hash::sha384, meas_hash::sha256};
  static constexpr std::size_t slot_count = 2;
  static constexpr bool runtime_limits = true;
};
struct wide_req : requester_defaults {
  static constexpr std::array hash_algs{base_hash::sha384, base_hash::sha256};
  static constexpr std::array asym_algs{base_asym::ecdsa_p384, base_asym::ecdsa_p256};
  static constexpr std::size_t slot_count = 2;
  static constexpr bool runtime_limits = true;
};

using pair_t = engine_pair<wide_rsp, wide_req, test_crypto>;

}  // namespace

TEST_CASE("runtime limits: without them the configuration's first choices win", "[spdm][limits]") {
  auto p = std::make_unique<pair_t>(base_asym::ecdsa_p384);
  REQUIRE(p->req.connect(p->link));
  CHECK(p->req.negotiated_params().ver == version::v1_3);
  CHECK(p->req.negotiated_params().hash == base_hash::sha384);
  CHECK(p->req.negotiated_params().asym == base_asym::ecdsa_p384);
  CHECK(p->req.negotiated_params().measurement_hash == meas_hash::sha384);
}

TEST_CASE("runtime limits: the responder pins version and algorithms", "[spdm][limits]") {
  for (auto v : {version::v1_0, version::v1_1, version::v1_2, version::v1_3}) {
    auto p = std::make_unique<pair_t>(base_asym::ecdsa_p256);
    offer_limits l;
    l.versions = version_set{v};
    l.hash = raw(base_hash::sha256);
    l.asym = raw(base_asym::ecdsa_p256);
    l.meas_hash = raw(meas_hash::sha256);
    REQUIRE(p->rsp.set_limits(l));
    p->dev.set_blocks(pmci::test::sample_blocks(32));  // digests of the narrowed measurement hash
    REQUIRE(p->req.connect(p->link));
    CHECK(p->req.negotiated_params().ver == v);
    CHECK(p->req.responder_versions() == version_set{v});
    CHECK(p->req.negotiated_params().hash == base_hash::sha256);
    CHECK(p->req.negotiated_params().asym == base_asym::ecdsa_p256);
    CHECK(p->req.negotiated_params().measurement_hash == meas_hash::sha256);
    // The whole attestation still verifies (both transcripts saw the same bytes).
    REQUIRE(p->req.get_digests(p->link));
    REQUIRE(p->req.get_certificate(p->link, 0, p->anchors));
    REQUIRE(p->req.challenge(p->link, 0, summary_hash_type::all));
    auto m = p->req.get_measurements(p->link);
    INFO("version " << std::hex << int(to_byte(v)) << ": " << (m ? "ok" : to_string(m.error())) << ", "
                    << name(p->req.last_failure()) << ", ERROR " << name(p->req.last_error().code));
    REQUIRE(m);
    CHECK(m->signature_verified);
  }
}

TEST_CASE("runtime limits: the requester narrows its offer", "[spdm][limits]") {
  auto p = std::make_unique<pair_t>(base_asym::ecdsa_p256);
  offer_limits l;
  l.versions = version_set{version::v1_1, version::v1_2};
  l.hash = raw(base_hash::sha256);
  l.asym = raw(base_asym::ecdsa_p256);
  REQUIRE(p->req.set_limits(l));
  REQUIRE(p->req.connect(p->link));
  CHECK(p->req.negotiated_params().ver == version::v1_2);
  CHECK(p->req.negotiated_params().hash == base_hash::sha256);
  CHECK(p->req.negotiated_params().asym == base_asym::ecdsa_p256);
  REQUIRE(p->req.get_digests(p->link));
  REQUIRE(p->req.get_certificate(p->link, 0, p->anchors));
  REQUIRE(p->req.challenge(p->link, 0));
}

TEST_CASE("runtime limits: no common version or algorithm fails cleanly", "[spdm][limits]") {
  auto p = std::make_unique<pair_t>(base_asym::ecdsa_p384);
  offer_limits r;
  r.versions = version_set{version::v1_3};
  REQUIRE(p->rsp.set_limits(r));
  offer_limits q;
  q.versions = version_set{version::v1_1};
  REQUIRE(p->req.set_limits(q));
  CHECK_FALSE(p->req.connect(p->link));
  CHECK(p->req.last_failure() == failure::no_common_version);

  auto p2 = std::make_unique<pair_t>(base_asym::ecdsa_p384);
  r = {};
  r.hash = raw(base_hash::sha384);
  REQUIRE(p2->rsp.set_limits(r));
  q = {};
  q.hash = raw(base_hash::sha256);
  REQUIRE(p2->req.set_limits(q));
  CHECK_FALSE(p2->req.connect(p2->link));  // the responder answers ERROR (nothing common)
}

TEST_CASE("runtime limits: an empty or inconsistent narrowing is refused", "[spdm][limits]") {
  auto p = std::make_unique<pair_t>(base_asym::ecdsa_p384);
  offer_limits l;
  l.hash = raw(base_hash::sha512);  // not in the configuration: nothing left
  CHECK(p->rsp.set_limits(l).error() == errc::invalid_field);
  CHECK(p->req.set_limits(l).error() == errc::invalid_field);
  l = {};
  l.versions = version_set{};
  CHECK(p->rsp.set_limits(l).error() == errc::invalid_field);
  l = {};
  l.asym = raw(base_asym::rsassa_3072);
  CHECK(p->rsp.set_limits(l).error() == errc::invalid_field);
  // CHAL_CAP without CERT_CAP breaks DSP0274's flag rules.
  l = {};
  l.capabilities = raw(rsp_cap::chal | rsp_cap::meas_sig);
  CHECK(p->rsp.set_limits(l).error() == errc::invalid_field);
  // The limits in force are unchanged by refused calls.
  CHECK(p->rsp.limits().hash == 0xFFFFFFFFu);
}
