// SPDX-License-Identifier: Apache-2.0
// Every ERROR path of the responder (DSP0274 §ERROR, spdm.md §8), driven with raw requests:
// the code, the version byte it carries, and that the connection is unharmed afterwards (a full
// signed flow by pmci's requester still verifies).
#include <vector>

#include "pmci/spdm/message.hpp"
#include "spdm_engines/harness.hpp"
#include "spdm_engines/raw_bytes.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using pmci::test::B;
using pmci::test::encode_msg;
using pmci::test::test_crypto;

namespace {

using bytes = std::vector<std::byte>;

struct rsp_cfg12 : responder_defaults {
  static constexpr std::size_t slot_count = 2;
};
struct meas_only_cfg : responder_defaults {
  static constexpr rsp_cap capabilities = rsp_cap::meas_no_sig;
};
struct cert_only_cfg : responder_defaults {
  static constexpr rsp_cap capabilities = rsp_cap::cert | rsp_cap::chal;
};
struct small_cfg : responder_defaults {
  static constexpr std::uint32_t max_message_size = 300;
};

template <class Cfg, class Device = pmci::test::basic_device<test_crypto>>
struct fixture {
  pmci::test::engine_pair<Cfg, pmci::test::req_cfg, test_crypto, Device> p;
  std::array<std::byte, 4096> buf{};
  negotiated n{};

  bytes send(const bytes& req) {
    auto r = p.rsp.handle(req, buf);
    REQUIRE(r);
    return {r->begin(), r->end()};
  }
  /// VCA by raw requests at version v; the responder's answers must be the right responses.
  void vca(version v, req_cap flags = req_cap::none) {
    REQUIRE(send(B({0x10, 0x84, 0, 0}))[1] == std::byte{0x04});
    get_capabilities g;
    g.ver = v;
    g.flags = flags;
    g.data_transfer_size = g.max_spdm_msg_size = 4096;
    REQUIRE(send(encode_msg(g, n))[1] == std::byte{0x61});
    n.ver = v;
    negotiate_algorithms na;
    na.measurement_spec = meas_spec::dmtf;
    na.asym = base_asym::ecdsa_p384 | base_asym::ecdsa_p256;
    na.hash = base_hash::sha384 | base_hash::sha256;
    if (v >= version::v1_2) na.other_params_support = opaque_data_fmt1;
    const auto a = send(encode_msg(na, n));
    REQUIRE(a[1] == std::byte{0x63});
    update(n, *algorithms::decode(a, n));
  }
  /// Expect ERROR `e` (with data `d`) at version byte `ver`.
  void expect_error(const bytes& req, error_code e, std::uint8_t ver, std::uint8_t d = 0) {
    const auto r = send(req);
    auto er = error_response::decode(r);
    INFO("request code " << std::hex << int(req.size() > 1 ? std::to_integer<int>(req[1]) : -1));
    REQUIRE(er);
    CHECK(er->error == e);
    CHECK(er->spdm_version == ver);
    CHECK(er->error_data == d);
  }
  /// The connection still works end to end (transcripts intact).
  void still_works() {
    auto& req = p.req;
    REQUIRE(req.connect(p.link));
    REQUIRE(req.get_digests(p.link));
    REQUIRE(req.get_certificate(p.link, 0, p.anchors));
    REQUIRE(req.challenge(p.link, 0, summary_hash_type::all));
    auto m = req.get_measurements(p.link, {});
    REQUIRE(m);
    CHECK(m->signature_verified);
  }
};

}  // namespace

TEST_CASE("responder: errors before and during VCA") {
  fixture<rsp_cfg12> f;
  SECTION("short request") { f.expect_error(B({0x10, 0x84, 0}), error_code::invalid_request, 0x10); }
  SECTION("anything before GET_VERSION is unexpected") {
    f.expect_error(B({0x12, 0xE1, 0, 0}), error_code::unexpected_request, 0x10);
    f.expect_error(B({0x12, 0x81, 0, 0}), error_code::unexpected_request, 0x10);
    f.expect_error(B({0x12, 0x83, 0, 0}), error_code::unexpected_request, 0x10);
  }
  SECTION("GET_VERSION with another version, or malformed") {
    f.expect_error(B({0x11, 0x84, 0, 0}), error_code::version_mismatch, 0x10);
    f.expect_error(B({0x10, 0x84, 0}), error_code::invalid_request, 0x10);
    CHECK(f.p.rsp.state() == connection_state::not_started);
    // Reserved Param1/Param2 are ignored and bytes after the message are transport padding
    // (request_frame.hpp): both are answered with VERSION.
    CHECK(f.send(B({0x10, 0x84, 1, 0}))[1] == std::byte{0x04});
    CHECK(f.send(B({0x10, 0x84, 0, 0, 0}))[1] == std::byte{0x04});
  }
  SECTION("GET_CAPABILITIES: version not offered, malformed, bad flags, bad sizes") {
    f.send(B({0x10, 0x84, 0, 0}));
    f.expect_error(B({0x14, 0xE1, 0, 0}), error_code::version_mismatch, 0x10);
    f.expect_error(B({0x20, 0xE1, 0, 0}), error_code::version_mismatch, 0x10);
    f.expect_error(B({0x11, 0xE1, 0, 0}), error_code::invalid_request, 0x11);  // 1.1 needs 12 bytes
    // CHAL_CAP without CERT_CAP (requester flags rule)
    f.expect_error(B({0x11, 0xE1, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0}), error_code::invalid_request, 0x11);
    // DataTransferSize below 42
    f.expect_error(B({0x12, 0xE1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 41, 0, 0, 0, 41, 0, 0, 0}), error_code::invalid_request, 0x12);
    // DataTransferSize != MaxSPDMmsgSize without CHUNK_CAP
    f.expect_error(B({0x12, 0xE1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 128, 0, 0, 0}), error_code::invalid_request, 0x12);
    // supported-algorithms block asked for without CHUNK_CAP (1.3)
    f.expect_error(B({0x13, 0xE1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 64, 0, 0, 0}), error_code::invalid_request, 0x13);
    CHECK(f.p.rsp.state() == connection_state::after_version);
    // The VCA then goes through (the failed requests left no trace in the transcript).
    f.still_works();
  }
  SECTION("out-of-order VCA messages") {
    f.send(B({0x10, 0x84, 0, 0}));
    f.expect_error(B({0x12, 0xE3, 0, 0}), error_code::unexpected_request, 0x10);  // ALGORITHMS before CAPABILITIES
    f.vca(version::v1_2);
    f.expect_error(B({0x12, 0xE1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 64, 0, 0, 0}), error_code::unexpected_request, 0x12);
    f.expect_error(B({0x12, 0xE3, 0, 0}), error_code::unexpected_request, 0x12);
    CHECK(f.p.rsp.state() == connection_state::negotiated);
    f.still_works();
  }
  SECTION("NEGOTIATE_ALGORITHMS: wrong version, malformed, nothing in common, empty AlgStruct") {
    f.send(B({0x10, 0x84, 0, 0}));
    get_capabilities g;
    g.ver = version::v1_2;
    g.data_transfer_size = g.max_spdm_msg_size = 4096;
    f.send(encode_msg(g, f.n));
    f.n.ver = version::v1_2;
    negotiate_algorithms na;
    na.measurement_spec = meas_spec::dmtf;
    na.asym = base_asym::ecdsa_p384;
    na.hash = base_hash::sha384;
    auto good = encode_msg(na, f.n);
    auto wrong_version = good;
    wrong_version[0] = std::byte{0x11};
    f.expect_error(wrong_version, error_code::version_mismatch, 0x12);
    auto truncated = good;
    truncated.pop_back();
    f.expect_error(truncated, error_code::invalid_request, 0x12);
    na.hash = base_hash::sha512;  // responder has SHA-384/256 only
    f.expect_error(encode_msg(na, f.n), error_code::invalid_request, 0x12);
    na.hash = base_hash::sha384;
    na.asym = base_asym::rsapss_3072;
    f.expect_error(encode_msg(na, f.n), error_code::invalid_request, 0x12);
    na.asym = base_asym::ecdsa_p384;
    REQUIRE(na.structs.add(alg_type::dhe, 0));
    f.expect_error(encode_msg(na, f.n), error_code::invalid_request, 0x12);
    CHECK(f.p.rsp.state() == connection_state::after_capabilities);
    f.still_works();
  }
}

TEST_CASE("responder: errors after negotiation") {
  fixture<rsp_cfg12> f;
  f.vca(version::v1_2);
  const std::uint8_t v = 0x12;
  SECTION("version mismatch") {
    f.expect_error(B({0x11, 0x81, 0, 0}), error_code::version_mismatch, v);
    f.expect_error(B({0x13, 0x82, 0, 0, 0, 0, 0, 0}), error_code::version_mismatch, v);
  }
  SECTION("malformed requests") {
    f.expect_error(B({v, 0x82, 0, 0, 0, 0, 0x10}), error_code::invalid_request, v);  // truncated
    f.expect_error(B({v, 0x82, 0, 0, 0, 0, 0}), error_code::invalid_request, v);
    f.expect_error(B({v, 0x83, 0, 0xFF}), error_code::invalid_request, v);
    f.expect_error(B({v, 0xE0, 1, 0xFF}), error_code::invalid_request, v);  // signed without nonce
  }
  SECTION("certificates: unprovisioned slot, bad slot, offset past the end") {
    f.expect_error(B({v, 0x82, 3, 0, 0, 0, 0x10, 0}), error_code::invalid_request, v);
    f.expect_error(B({v, 0x82, 9, 0, 0, 0, 0x10, 0}), error_code::invalid_request, v);
    f.expect_error(B({v, 0x82, 0, 0, 0xFF, 0xFF, 0x10, 0}), error_code::invalid_request, v);
  }
  SECTION("CHALLENGE: unprovisioned slot, public-key slot, bad summary type") {
    bytes ch = B({v, 0x83, 5, 0});
    ch.resize(36);
    f.expect_error(ch, error_code::invalid_request, v);
    ch[2] = std::byte{0xFF};
    f.expect_error(ch, error_code::invalid_request, v);
    ch[2] = std::byte{0};
    ch[3] = std::byte{2};
    f.expect_error(ch, error_code::invalid_request, v);
  }
  SECTION("GET_MEASUREMENTS: unknown index, bad slot") {
    f.expect_error(B({v, 0xE0, 0, 0x42}), error_code::invalid_request, v);
    bytes m = B({v, 0xE0, 1, 0xFF});
    m.resize(37);
    m[36] = std::byte{0x0F};  // provisioned public key: none
    f.expect_error(m, error_code::invalid_request, v);
    m[36] = std::byte{0x05};  // unprovisioned slot
    f.expect_error(m, error_code::invalid_request, v);
  }
  SECTION("unsupported and unknown requests") {
    f.expect_error(B({v, 0xE4, 0, 0}), error_code::unsupported_request, v, 0xE4);  // KEY_EXCHANGE
    f.expect_error(B({v, 0x85, 0, 0}), error_code::unsupported_request, v, 0x85);  // CHUNK_SEND
    f.expect_error(B({v, 0x04, 0, 0}), error_code::unsupported_request, v, 0x04);  // a response code
    f.expect_error(B({v, 0x99, 0, 0}), error_code::unsupported_request, v, 0x99);  // undefined
  }
  SECTION("RESPOND_IF_READY with nothing pending") {
    f.expect_error(B({v, 0xFF, 0x83, 0}), error_code::unexpected_request, v);
  }
  SECTION("vendor-defined: answered by the device, or UnsupportedRequest") {
    const auto r = f.send(B({v, 0xFE, 0, 0, 0x03, 0, 2, 0x86, 0x80, 3, 0, 1, 2, 3}));
    CHECK(r == B({v, 0x7E, 0, 0, 0x03, 0, 2, 0x86, 0x80, 3, 0, 3, 2, 1}));
    f.expect_error(B({v, 0xFE, 0, 0, 0x03, 0, 2, 0x86, 0x80, 1, 0, 0xEE}), error_code::unsupported_request, v, 0xFE);
    f.expect_error(B({v, 0xFE, 0, 0, 0x03, 0, 3, 0x86, 0x80, 0, 0, 0}), error_code::invalid_request, v);  // VendorID length
  }
  SECTION("request larger than DataTransferSize") {
    bytes big(5000, std::byte{0});
    big[0] = std::byte{v};
    big[1] = std::byte{0xFE};
    f.expect_error(big, error_code::request_too_large, v);
  }
  // Whatever failed, the connection is intact.
  f.still_works();
}

TEST_CASE("responder: capabilities the configuration does not have") {
  SECTION("no MEAS_CAP: GET_MEASUREMENTS unsupported, summary hash refused") {
    fixture<cert_only_cfg> f;
    f.vca(version::v1_1);
    f.expect_error(B({0x11, 0xE0, 0, 0xFF}), error_code::unsupported_request, 0x11, 0xE0);
    bytes ch = B({0x11, 0x83, 0, 0xFF});
    ch.resize(36);
    f.expect_error(ch, error_code::invalid_request, 0x11);
    ch[3] = std::byte{0};
    CHECK(f.send(ch)[1] == std::byte{0x03});
  }
  SECTION("unsigned measurements only: no certificates, signed request refused") {
    fixture<meas_only_cfg> f;
    f.vca(version::v1_2);
    // Nothing signs: BaseAsymSel and BaseHashSel stay zero (SPDM-Responder-Validator 3.6.9/3.6.10).
    CHECK(f.n.asym == base_asym::none);
    CHECK(f.n.hash == base_hash::none);
    CHECK(f.n.measurement_hash == meas_hash::sha384);
    f.expect_error(B({0x12, 0x81, 0, 0}), error_code::unsupported_request, 0x12, 0x81);
    f.expect_error(B({0x12, 0x82, 0, 0, 0, 0, 0, 1}), error_code::unsupported_request, 0x12, 0x82);
    bytes ch = B({0x12, 0x83, 0, 0});
    ch.resize(36);
    f.expect_error(ch, error_code::unsupported_request, 0x12, 0x83);
    bytes m = B({0x12, 0xE0, 1, 0xFF});
    m.resize(37);
    f.expect_error(m, error_code::invalid_request, 0x12);
    const auto r = f.send(B({0x12, 0xE0, 0, 0xFF}));
    REQUIRE(r[1] == std::byte{0x60});
    // The requester measures without a signature against it.
    REQUIRE(f.p.req.connect(f.p.link));
    auto mr = f.p.req.get_measurements(f.p.link, {.signature = false});
    REQUIRE(mr);
    CHECK(mr->record().count == 5);
    CHECK(f.p.req.start_get_measurements({.signature = true}) == errc::unsupported);
    CHECK(f.p.req.last_failure() == pmci::spdm::failure::missing_capability);
  }
  SECTION("measurements that do not fit: ResponseTooLarge (1.2+), Unspecified (1.0)") {
    fixture<small_cfg> f;
    f.p.dev.set_blocks(pmci::test::sample_blocks(48));
    for (auto& b : f.p.dev.blocks) b.digest.resize(48);
    pmci::test::test_block big;
    big.index = 0x20;
    big.value_type = 0x89;
    big.digest.assign(200, std::byte{1});
    f.p.dev.blocks.push_back(big);
    f.p.dev.indices.push_back(0x20);
    f.vca(version::v1_2);
    f.expect_error(B({0x12, 0xE0, 0, 0xFF}), error_code::response_too_large, 0x12);
    f.vca(version::v1_0);
    f.expect_error(B({0x10, 0xE0, 0, 0xFF}), error_code::unspecified, 0x10);
  }
}

TEST_CASE("responder: measurement requests need a negotiated measurement specification") {
  fixture<rsp_cfg12> f;
  f.send(B({0x10, 0x84, 0, 0}));
  get_capabilities g;
  g.ver = version::v1_1;
  f.send(encode_msg(g, f.n));
  f.n.ver = version::v1_1;
  negotiate_algorithms na;  // no MeasurementSpecification
  na.asym = base_asym::ecdsa_p384;
  na.hash = base_hash::sha384;
  const auto a = f.send(encode_msg(na, f.n));
  REQUIRE(a[1] == std::byte{0x63});
  CHECK(algorithms::decode(a, f.n)->measurement_hash == meas_hash::none);
  f.expect_error(B({0x11, 0xE0, 0, 0xFF}), error_code::unexpected_request, 0x11);
  bytes ch = B({0x11, 0x83, 0, 0xFF});
  ch.resize(36);
  f.expect_error(ch, error_code::invalid_request, 0x11);
}

TEST_CASE("responder: a broken transcript makes it ask for RequestResynch") {
  fixture<rsp_cfg12> f;
  f.vca(version::v1_2);
  // GET_DIGESTS hashes two chains (3 updates each), then appends to M1/M2: fail that append.
  f.p.rsp_crypto.fail_hash_update_in = 7;
  f.expect_error(B({0x12, 0x81, 0, 0}), error_code::request_resynch, 0x12);
  CHECK(f.p.rsp.state() == connection_state::not_started);
  f.expect_error(B({0x12, 0x81, 0, 0}), error_code::unexpected_request, 0x10);
  f.still_works();
  // The requester, told RequestResynch, reports it and must reconnect.
  f.p.rsp_crypto.fail_hash_update_in = 7;
  CHECK_FALSE(f.p.req.get_digests(f.p.link));
  CHECK(f.p.req.last_failure() == pmci::spdm::failure::resynch);
  CHECK(f.p.req.state() == connection_state::not_started);
  f.still_works();
}
