// SPDX-License-Identifier: Apache-2.0
// What the responder must accept that its codecs alone would refuse (request_frame.hpp,
// docs/spdm_engines.md "Interoperability"), and what stays an error, as the DMTF
// SPDM-Responder-Validator checks it:
//   * non-zero Reserved fields: ignored when read, hashed as received (DSP0274 conventions);
//   * transport padding after a request (PCI DOE pads to 4 bytes): cut before decoding and
//     hashing, so signatures still verify;
//   * invalid values that are not Reserved stay InvalidRequest (validator cases 3.4, 5.4, 7.4).
#include <vector>

#include "pmci/spdm/message.hpp"
#include "pmci/spdm/request_frame.hpp"
#include "spdm_engines/harness.hpp"
#include "spdm_engines/raw_bytes.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using pmci::test::B;
using pmci::test::encode_msg;
using pmci::test::engine_pair;
using pmci::test::req_cfg;
using pmci::test::rsp_cfg;
using pmci::test::test_crypto;

namespace {

using bytes = std::vector<std::byte>;

struct cfg : responder_defaults {
  static constexpr std::size_t slot_count = 2;
};
using pair_t = engine_pair<cfg, req_cfg, test_crypto>;

struct raw_fixture {
  pair_t p;
  std::array<std::byte, 4096> buf{};
  bytes send(const bytes& req) {
    auto r = p.rsp.handle(req, buf);
    REQUIRE(r);
    return {r->begin(), r->end()};
  }
  /// GET_VERSION and GET_CAPABILITIES at version v (4096-byte transfer sizes); the negotiated
  /// state to encode the next requests with, and a P-384 / SHA-384 NEGOTIATE_ALGORITHMS offer.
  negotiated to_capabilities(version v) {
    REQUIRE(send(B({0x10, 0x84, 0, 0}))[1] == std::byte{0x04});
    get_capabilities g;
    g.ver = v;
    g.data_transfer_size = g.max_spdm_msg_size = 4096;
    negotiated n{};
    REQUIRE(send(encode_msg(g, n))[1] == std::byte{0x61});
    n.ver = v;
    return n;
  }
  static negotiate_algorithms p384_offer() {
    negotiate_algorithms na;
    na.measurement_spec = meas_spec::dmtf;
    na.asym = base_asym::ecdsa_p384;
    na.hash = base_hash::sha384;
    return na;
  }
  void expect_error(const bytes& req, error_code e) {
    const auto r = send(req);
    const auto er = error_response::decode(r);
    REQUIRE(er);
    CHECK(er->error == e);
  }
};

bytes digest_of(crypto::hash_alg h, const std::vector<bytes>& msgs) {
  bytes all;
  for (const auto& m : msgs) all.insert(all.end(), m.begin(), m.end());
  bytes out(crypto::digest_size(h));
  pmci::test::sha2::digest(h, all, out);
  return out;
}
template <class State>
bytes finalize(test_crypto& c, State s, crypto::hash_alg h) {
  bytes out(crypto::digest_size(h));
  REQUIRE(c.hash_final(s, out));
  return out;
}

/// An MCTP handler that pads every SPDM request to a multiple of 4 bytes with zeros, as PCI DOE
/// does (the transport cannot say how long the message is to the byte).
template <class Adapter>
struct doe_padding {
  Adapter* a;
  std::size_t padded = 0;
  result<bytes_span> handle(bytes_view msg, bytes_span out) {
    bytes p(msg.begin(), msg.end());
    while ((p.size() - 1) % 4 != 0) p.push_back(std::byte{0});
    if (p.size() != msg.size()) ++padded;
    return a->handle(p, out);
  }
};

}  // namespace

TEST_CASE("interop: request length as the fields define it") {
  using pmci::spdm::detail::request_length;
  CHECK(request_length(B({0x10, 0x84, 0, 0, 0, 0, 0, 0}), version::v1_0) == 4);
  CHECK(request_length(B({0x12, 0xE1, 0, 0}), version::v1_2) == 20);
  CHECK(request_length(B({0x11, 0xE1, 0, 0}), version::v1_1) == 12);
  CHECK(request_length(B({0x12, 0xE0, 0x01, 0xFF}), version::v1_2) == 37);
  CHECK(request_length(B({0x13, 0xE0, 0x00, 0xFF}), version::v1_3) == 12);
  CHECK(request_length(B({0x13, 0x83, 0x00, 0x00}), version::v1_3) == 44);
  CHECK(request_length(B({0x12, 0xE3, 0, 0, 0x30, 0}), version::v1_2) == 0x30);
  CHECK(request_length(B({0x12, 0xFE, 0, 0, 3, 0, 2, 0x86, 0x80, 3, 0}), version::v1_2) == 14);
  CHECK(request_length(B({0x12, 0xFE, 0, 0, 3, 0}), version::v1_2) == 0);  // cannot tell: decoder says truncated
  CHECK(request_length(B({0x12, 0x99, 0, 0, 1}), version::v1_2) == 5);   // unknown: as is
}

TEST_CASE("interop: Reserved fields are ignored when read and hashed as received") {
  raw_fixture f;
  test_crypto& c = f.p.rsp_crypto;
  // GET_VERSION with Param1/Param2 set.
  const bytes gv = B({0x10, 0x84, 0xAA, 0x55});
  const bytes ver = f.send(gv);
  REQUIRE(ver[1] == std::byte{0x04});
  // GET_CAPABILITIES 1.2: Param1 bit 1 (reserved before and at 1.3), Param2, Reserved byte 4,
  // Reserved bytes 6-7, and requester flag bit 0 (reserved for requesters).
  bytes gc = B({0x12, 0xE1, 0x02, 0x77, 0x01, 20, 0xFF, 0xFF, 0x01, 0, 0, 0, 0, 0x10, 0, 0, 0, 0x10, 0, 0});
  const bytes caps = f.send(gc);
  REQUIRE(caps[1] == std::byte{0x61});
  CHECK(f.p.rsp.peer_ct_exponent() == 20);
  // NEGOTIATE_ALGORITHMS with the reserved bytes 16-27 and 30 set and Param2 set.
  negotiated n{};
  n.ver = version::v1_2;
  negotiate_algorithms na = raw_fixture::p384_offer();
  na.other_params_support = opaque_data_fmt1;
  bytes neg = encode_msg(na, n);
  neg[3] = std::byte{0x5A};
  for (std::size_t i = 16; i < 28; ++i) neg[i] = std::byte{0xEE};
  neg[30] = std::byte{0x01};
  neg[7] |= std::byte{0x40};  // OtherParamsSupport bit 6: reserved
  const bytes alg = f.send(neg);
  REQUIRE(alg[1] == std::byte{0x63});
  REQUIRE(f.p.rsp.state() == connection_state::negotiated);
  const auto h = crypto::hash_alg::sha384;
  // A is the hash of the messages exactly as received.
  CHECK(finalize(c, f.p.rsp.vca_transcript(), h) == digest_of(h, {gv, ver, gc, caps, neg, alg}));

  // GET_DIGESTS / GET_CERTIFICATE with reserved bits: answered, and M1/M2 hashes them as sent.
  const bytes gd = B({0x12, 0x81, 0x12, 0x34});
  const bytes dg = f.send(gd);
  REQUIRE(dg[1] == std::byte{0x01});
  const bytes gcert = B({0x12, 0x82, 0x70, 0x80, 0, 0, 0x40, 0});  // Param1 bits 6:4, Param2 bit 7
  const bytes cert = f.send(gcert);
  REQUIRE(cert[1] == std::byte{0x02});
  CHECK(finalize(c, f.p.rsp.transcripts().m(), h) == digest_of(h, {gv, ver, gc, caps, neg, alg, gd, dg, gcert, cert}));

  // GET_MEASUREMENTS: an undefined attribute bit and SlotIDParam bits 7:4.
  bytes gm = B({0x12, 0xE0, 0x81, 0xFF});
  gm.resize(36, std::byte{0x42});
  gm.push_back(std::byte{0xF0});  // SlotIDParam: slot 0, reserved bits set
  const bytes m = f.send(gm);
  REQUIRE(m[1] == std::byte{0x60});
  CHECK(m[3] == std::byte{0x00});  // slot 0 echoed
  // VENDOR_DEFINED_REQUEST with Param1/Param2 set still reaches the device.
  const auto vr = f.send(B({0x12, 0xFE, 0x80, 0x01, 0x03, 0, 2, 0x86, 0x80, 3, 0, 1, 2, 3}));
  CHECK(vr == B({0x12, 0x7E, 0, 0, 0x03, 0, 2, 0x86, 0x80, 3, 0, 3, 2, 1}));
}

TEST_CASE("interop: requests padded by the transport (PCI DOE) still verify") {
  const auto flow = []<version V>() {
    using Cfg = rsp_cfg<V, base_hash::sha384, base_asym::ecdsa_p384, meas_hash::sha384>;
    using P = engine_pair<Cfg, req_cfg, test_crypto>;
    P p;
    doe_padding<typename P::adapter_t> pad{&p.adapter};
    transport::loopback<doe_padding<typename P::adapter_t>> link{pad};
    auto& req = p.req;
    REQUIRE(req.connect(link));
    REQUIRE(req.get_digests(link));
    REQUIRE(req.get_certificate(link, 0, p.anchors));
    REQUIRE(req.challenge(link, 0, summary_hash_type::all));
    REQUIRE(req.get_measurements(link, {.operation = 1, .signature = false}));
    auto m = req.get_measurements(link, {.operation = meas_op_all, .signature = true});
    REQUIRE(m);
    CHECK(m->signature_verified);
    // Signed GET_MEASUREMENTS is 36 / 37 / 45 bytes: padded at 1.1+ (and GET_CAPABILITIES at 1.1 is
    // 12, NEGOTIATE_ALGORITHMS 32 + 4n: aligned).
    if (V >= version::v1_1) CHECK(pad.padded > 0);
  };
  flow.template operator()<version::v1_0>();
  flow.template operator()<version::v1_1>();
  flow.template operator()<version::v1_2>();
  flow.template operator()<version::v1_3>();
}

TEST_CASE("interop: invalid values that are not Reserved stay errors (validator 3.4, 5.4, 7.4)") {
  raw_fixture f;
  const negotiated n = f.to_capabilities(version::v1_2);
  negotiate_algorithms na = raw_fixture::p384_offer();
  REQUIRE(na.structs.add(alg_type::dhe, 0x0018));
  const bytes good = encode_msg(na, n);
  // Length - 1 (the request is one byte longer than its Length) and Length + 1.
  bytes shorter = good;
  shorter[4] = std::byte{static_cast<std::uint8_t>(good.size() - 1)};
  f.expect_error(shorter, error_code::invalid_request);
  bytes longer = good;
  longer[4] = std::byte{static_cast<std::uint8_t>(good.size() + 1)};
  f.expect_error(longer, error_code::invalid_request);
  // FixedAlgCount 1 or 3.
  bytes fixed = good;
  fixed[33] = std::byte{0x10};
  f.expect_error(fixed, error_code::invalid_request);
  fixed[33] = std::byte{0x30};
  f.expect_error(fixed, error_code::invalid_request);
  // ExtAsymCount 21.
  bytes ext = good;
  ext[28] = std::byte{21};
  f.expect_error(ext, error_code::invalid_request);
  CHECK(f.p.rsp.state() == connection_state::after_capabilities);
  // The good one, padded, goes through.
  bytes padded = good;
  padded.resize(good.size() + 3);
  REQUIRE(f.send(padded)[1] == std::byte{0x63});

  // GET_CERTIFICATE: slots 2..7 unprovisioned, 8..0xF invalid; Offset 0xFFFF; SlotSizeRequested
  // for an unprovisioned slot.
  for (int s = 2; s <= 0x0F; ++s) f.expect_error(B({0x12, 0x82, s, 0, 0, 0, 0, 4}), error_code::invalid_request);
  f.expect_error(B({0x12, 0x82, 0, 0, 0xFF, 0xFF, 0, 4}), error_code::invalid_request);
  // GET_MEASUREMENTS: an index the device does not have; SlotID 8..0xF and unprovisioned slots.
  f.expect_error(B({0x12, 0xE0, 0, 0x33}), error_code::invalid_request);
  for (int s = 2; s <= 0x0F; ++s) {
    bytes m = B({0x12, 0xE0, 1, 1});
    m.resize(36);
    m.push_back(std::byte{static_cast<std::uint8_t>(s)});
    f.expect_error(m, error_code::invalid_request);
  }
  // CHALLENGE: summary-hash type 2 is not reserved but invalid.
  bytes ch = B({0x12, 0x83, 0, 2});
  ch.resize(36);
  f.expect_error(ch, error_code::invalid_request);
}

TEST_CASE("interop: 1.3 SlotSizeRequested") {
  raw_fixture f;
  const negotiated n = f.to_capabilities(version::v1_3);
  negotiate_algorithms na = raw_fixture::p384_offer();
  REQUIRE(f.send(encode_msg(na, n))[1] == std::byte{0x63});
  // Validator 5.6: Offset 0xFFFF and Length 0xAA55 are ignored; RemainderLength = chain size.
  const auto r = f.send(B({0x13, 0x82, 0, 1, 0xFF, 0xFF, 0x55, 0xAA}));
  REQUIRE(r[1] == std::byte{0x02});
  CHECK(load_u16le(bytes_view{r.data(), r.size()}.subspan(4, 2)) == 0);
  CHECK(load_u16le(bytes_view{r.data(), r.size()}.subspan(6, 2)) == 4 + 48 + f.p.keys.chain.size());
  f.expect_error(B({0x13, 0x82, 5, 1, 0, 0, 0, 0}), error_code::invalid_request);
}
