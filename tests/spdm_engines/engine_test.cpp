// SPDX-License-Identifier: Apache-2.0
// Requester <-> responder in process (software test policy): every version 1.0-1.3 x
// {P-256/SHA-256, P-384/SHA-384}; certificate portions; multiple slots; every measurement
// operation; the transcripts of both sides agree (every signature verifies).
#include <algorithm>

#include "spdm_engines/harness.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using pmci::test::engine_pair;
using pmci::test::req_cfg;
using pmci::test::rsp_cfg;
using pmci::test::test_crypto;

namespace {

/// Hash of the device's blocks as the responder must compute MeasurementSummaryHash.
template <class Pair>
std::vector<std::byte> expected_summary(Pair& p, bool tcb_only) {
  const auto h = *to_crypto(p.req.negotiated_params().hash);
  std::vector<std::byte> all;
  measurement_request mr{p.req.negotiated_params().ver, p.req.negotiated_params().measurement_hash, false, false};
  for (const auto& b : p.dev.blocks) {
    if (tcb_only && !b.tcb) continue;
    std::array<std::byte, 512> tmp{};
    writer w{tmp};
    REQUIRE(p.dev.write_measurement(b.index, mr, w));
    all.insert(all.end(), w.written().begin(), w.written().end());
  }
  std::vector<std::byte> out(crypto::digest_size(h));
  pmci::test::sha2::digest(h, all, out);
  return out;
}

#define WHY(r) INFO(#r << ": " << (r ? "ok" : to_string(r.error())) << ", failure " << name(p.req.last_failure()) \
                        << ", last ERROR " << name(p.req.last_error().code))

template <class Cfg, class Crypto = test_crypto>
void full_flow(version v) {
  INFO("version " << std::hex << int(to_byte(v)));
  engine_pair<Cfg, req_cfg, Crypto> p;
  auto& req = p.req;
  REQUIRE(req.connect(p.link));
  CHECK(req.state() == connection_state::negotiated);
  CHECK(p.rsp.state() == connection_state::negotiated);
  CHECK(req.negotiated_params().ver == v);
  CHECK(req.negotiated_params().hash == Cfg::hash_algs[0]);
  CHECK(req.negotiated_params().asym == Cfg::asym_algs[0]);
  CHECK(req.negotiated_params().measurement_hash == Cfg::measurement_hash_algs[0]);
  CHECK(p.rsp.negotiated_params().hash == req.negotiated_params().hash);

  REQUIRE(req.get_digests(p.link));
  CHECK(req.digest_slot_mask() == 0x03);
  REQUIRE(req.get_certificate(p.link, 0, p.anchors));
  CHECK(req.slot_verified(0));
  CHECK(req.cert_chain().size() == 4 + req.negotiated_params().h() + p.keys.chain.size());

  auto ch = req.challenge(p.link, 0, summary_hash_type::all);
  REQUIRE(ch);
  CHECK(req.authenticated());
  CHECK(p.rsp.authenticated());
  CHECK(std::vector<std::byte>(ch->measurement_summary_hash().begin(), ch->measurement_summary_hash().end()) ==
        expected_summary(p, false));
  CHECK(ch->slot_mask == 0x03);

  // TCB summary, slot 1 (chain retrieved in two steps later: here the same chain).
  REQUIRE(req.get_certificate(p.link, 1, p.anchors));
  ch = req.challenge(p.link, 1, summary_hash_type::tcb);
  REQUIRE(ch);
  CHECK(std::vector<std::byte>(ch->measurement_summary_hash().begin(), ch->measurement_summary_hash().end()) ==
        expected_summary(p, true));
  ch = req.challenge(p.link, 0, summary_hash_type::none);
  REQUIRE(ch);
  CHECK(ch->measurement_summary_hash().empty());

  // Count, then two unsigned single indices, then a signed "all": L1/L2 spans all four.
  auto m = req.get_measurements(p.link, {.operation = meas_op_count, .signature = false});
  REQUIRE(m);
  CHECK(m->total_indices() == 5);
  m = req.get_measurements(p.link, {.operation = 2, .signature = false});
  REQUIRE(m);
  CHECK(m->record().count == 1);
  CHECK((*m->record().begin()).index == 2);
  CHECK_FALSE(m->signature_verified);
  m = req.get_measurements(p.link, {.operation = 0x10, .signature = false});
  REQUIRE(m);
  CHECK((*m->record().begin()).dmtf().raw_bit_stream());
  m = req.get_measurements(p.link, {.operation = meas_op_all, .signature = true});
  WHY(m);
  REQUIRE(m);
  CHECK(m->signature_verified);
  CHECK(m->record().count == 5);
  std::size_t i = 0;
  for (auto blk : m->record()) {
    CHECK(blk.index == p.dev.blocks[i].index);
    ++i;
  }
  // Signed single index on slot 1, and raw bit stream (1.2+) signed.
  m = req.get_measurements(p.link, {.operation = 3, .signature = true, .slot = 1, .raw_bit_stream = true});
  REQUIRE(m);
  CHECK(m->signature_verified);
  CHECK((*m->record().begin()).dmtf().raw_bit_stream() == (v >= version::v1_2));
  if (v >= version::v1_1) CHECK(m->response.slot_id == 1);
  // Unsigned after a signed one, then signed: still verifies (L1/L2 restarted correctly).
  REQUIRE(req.get_measurements(p.link, {.operation = 1, .signature = false}));
  REQUIRE(req.get_measurements(p.link, {.operation = 4, .signature = true}));
  // Digests in between reset nothing the next CHALLENGE needs.
  REQUIRE(req.get_digests(p.link));
  REQUIRE(req.challenge(p.link, 0, summary_hash_type::all));
  REQUIRE(req.get_measurements(p.link, {.operation = meas_op_all, .signature = true}));
}

template <version V, class Crypto = test_crypto>
void both_algorithms() {
  full_flow<rsp_cfg<V, base_hash::sha256, base_asym::ecdsa_p256, meas_hash::sha256>, Crypto>(V);
  full_flow<rsp_cfg<V, base_hash::sha384, base_asym::ecdsa_p384, meas_hash::sha384>, Crypto>(V);
  // Small messages: the chain travels in many CERTIFICATE portions.
  full_flow<rsp_cfg<V, base_hash::sha384, base_asym::ecdsa_p384, meas_hash::sha384, 400>, Crypto>(V);
}

}  // namespace

TEST_CASE("engines: full attestation at SPDM 1.0") { both_algorithms<version::v1_0>(); }
TEST_CASE("engines: full attestation at SPDM 1.1") { both_algorithms<version::v1_1>(); }
TEST_CASE("engines: full attestation at SPDM 1.2") { both_algorithms<version::v1_2>(); }
TEST_CASE("engines: full attestation at SPDM 1.3") { both_algorithms<version::v1_3>(); }

namespace {
struct default_rsp_cfg : pmci::spdm::responder_defaults {
  static constexpr std::size_t slot_count = 2;
};
}  // namespace

#if defined(PMCI_TEST_HAVE_OPENSSL)
// The same with real ECDSA signatures and X.509 chain validation (OpenSSL 3 policy).
TEST_CASE("engines (OpenSSL): full attestation at SPDM 1.0") { both_algorithms<version::v1_0, crypto::openssl>(); }
TEST_CASE("engines (OpenSSL): full attestation at SPDM 1.1") { both_algorithms<version::v1_1, crypto::openssl>(); }
TEST_CASE("engines (OpenSSL): full attestation at SPDM 1.2") { both_algorithms<version::v1_2, crypto::openssl>(); }
TEST_CASE("engines (OpenSSL): full attestation at SPDM 1.3") { both_algorithms<version::v1_3, crypto::openssl>(); }
#endif

#if defined(PMCI_TEST_HAVE_PSA)
// And with the PSA Crypto API (mbedTLS), chains validated by mbedTLS X.509.
TEST_CASE("engines (PSA): full attestation at SPDM 1.0") { both_algorithms<version::v1_0, crypto::psa_x509>(); }
TEST_CASE("engines (PSA): full attestation at SPDM 1.1") { both_algorithms<version::v1_1, crypto::psa_x509>(); }
TEST_CASE("engines (PSA): full attestation at SPDM 1.2") { both_algorithms<version::v1_2, crypto::psa_x509>(); }
TEST_CASE("engines (PSA): full attestation at SPDM 1.3") { both_algorithms<version::v1_3, crypto::psa_x509>(); }
#endif

#if defined(PMCI_TEST_HAVE_OPENSSL) && defined(PMCI_TEST_HAVE_PSA)
TEST_CASE("engines: OpenSSL requester against a PSA responder, and the reverse") {
  struct cross_cfg : rsp_cfg<version::v1_2, base_hash::sha384, base_asym::ecdsa_p384, meas_hash::sha384> {};
  {
    pmci::test::basic_device<crypto::psa_x509> dev;
    crypto::psa_x509 rc;
    const auto& keys = pmci::test::pki_for(base_asym::ecdsa_p384);
    dev.chains[0] = keys.chain;
    dev.keys[0] = pmci::test::load_key(rc, keys);
    dev.has_key[0] = true;
    dev.set_blocks(pmci::test::sample_blocks(48));
    responder<cross_cfg, crypto::psa_x509, pmci::test::basic_device<crypto::psa_x509>> rsp{rc, dev};
    mctp_responder adapter{rsp};
    transport::loopback link{adapter};
    crypto::openssl qc;
    requester<req_cfg, crypto::openssl> req{qc};
    const std::array<bytes_view, 1> anchors{bytes_view{keys.ca}};
    auto rep = req.attest(link, {.trust_anchors = anchors});
    REQUIRE(rep);
    CHECK(rep->measurements.signature_verified);
  }
  {
    pmci::test::basic_device<crypto::openssl> dev;
    crypto::openssl rc;
    const auto& keys = pmci::test::pki_for(base_asym::ecdsa_p384);
    dev.chains[0] = keys.chain;
    dev.keys[0] = pmci::test::load_key(rc, keys);
    dev.has_key[0] = true;
    dev.set_blocks(pmci::test::sample_blocks(48));
    responder<cross_cfg, crypto::openssl, pmci::test::basic_device<crypto::openssl>> rsp{rc, dev};
    mctp_responder adapter{rsp};
    transport::loopback link{adapter};
    crypto::psa_x509 qc;
    requester<req_cfg, crypto::psa_x509> req{qc};
    const std::array<bytes_view, 1> anchors{bytes_view{keys.ca}};
    auto rep = req.attest(link, {.trust_anchors = anchors});
    REQUIRE(rep);
    CHECK(rep->measurements.signature_verified);
  }
}
#endif

TEST_CASE("engines: attest() in one call, highest common version") {
  using cfg = default_rsp_cfg;
  engine_pair<cfg, req_cfg, test_crypto> p;
  auto rep = p.req.attest(p.link, {.trust_anchors = p.anchors});
  REQUIRE(rep);
  CHECK(rep->params.ver == version::v1_3);
  CHECK(rep->params.hash == base_hash::sha384);
  CHECK(rep->challenged);
  CHECK(rep->measured);
  CHECK(rep->measurements.signature_verified);
  CHECK(rep->measurements.record().count == 5);
  CHECK(rep->cert_chain.size() == 4 + 48 + p.keys.chain.size());
}

TEST_CASE("engines: MEASUREMENTS content-changed field (1.2+, signed responses only)") {
  using cfg12 = rsp_cfg<version::v1_2, base_hash::sha384, base_asym::ecdsa_p384, meas_hash::sha384>;
  using cfg11 = rsp_cfg<version::v1_1, base_hash::sha384, base_asym::ecdsa_p384, meas_hash::sha384>;
  {
    engine_pair<cfg12, req_cfg, test_crypto> p;
    p.dev.changed = content_change::changed;
    REQUIRE(p.req.connect(p.link));
    REQUIRE(p.req.get_digests(p.link));
    REQUIRE(p.req.get_certificate(p.link, 0, p.anchors));
    auto m = p.req.get_measurements(p.link, {.operation = 1, .signature = false});
    REQUIRE(m);
    CHECK(m->response.content_changed == content_change::not_supported);  // unsigned: 00b
    m = p.req.get_measurements(p.link, {.operation = meas_op_all, .signature = true});
    REQUIRE(m);
    CHECK(m->signature_verified);
    CHECK(m->response.content_changed == content_change::changed);
    p.dev.changed = content_change::unchanged;
    m = p.req.get_measurements(p.link, {.operation = 2, .signature = true});
    REQUIRE(m);
    CHECK(m->response.content_changed == content_change::unchanged);
  }
  {
    engine_pair<cfg11, req_cfg, test_crypto> p;  // 1.1: bits 5:4 reserved
    p.dev.changed = content_change::changed;
    REQUIRE(p.req.connect(p.link));
    REQUIRE(p.req.get_digests(p.link));
    REQUIRE(p.req.get_certificate(p.link, 0, p.anchors));
    auto m = p.req.get_measurements(p.link, {.operation = meas_op_all, .signature = true});
    REQUIRE(m);
    CHECK(m->response.content_changed == content_change::not_supported);
  }
}
