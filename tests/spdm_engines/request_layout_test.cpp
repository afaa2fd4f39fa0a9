// SPDX-License-Identifier: Apache-2.0
// The requester writes GET_CERTIFICATE, CHALLENGE and GET_MEASUREMENTS in place (fixed offsets,
// issue 9 footprint) instead of through the codecs' encode(): these tests hold the bytes to
// encode() of the message the requester used to build (same fields, the nonce and
// RequesterContext taken from the request), at every version and for every option, and check
// that the options encode() refused are still refused with the same errc.
#include <algorithm>
#include <array>
#include <vector>

#include "pmci/spdm/message.hpp"
#include "spdm_engines/harness.hpp"
#include "spdm_engines/raw_bytes.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using pmci::test::test_crypto;

namespace {

using bytes = std::vector<std::byte>;

using pmci::test::encode_msg;

template <class Pair>
bytes request_of(Pair& p) {
  std::array<std::byte, 64> tx{};
  const auto q = p.req.next_request(tx);
  REQUIRE(q);
  return {q->begin(), q->end()};
}

/// Answer the pending request and every follow-up until the operation is done.
template <class Pair>
void finish(Pair& p, std::vector<bytes>* sent = nullptr, std::vector<bytes>* received = nullptr) {
  std::array<std::byte, 8192> rx{};
  for (;;) {
    const bytes q = request_of(p);
    if (sent) sent->push_back(q);
    const auto r = p.rsp.handle(q, rx);
    REQUIRE(r);
    if (received) received->emplace_back(r->begin(), r->end());
    const auto st = p.req.on_response(*r);
    REQUIRE(st);
    if (st->kind == step::done) return;
  }
}

constexpr std::uint32_t rsp_max = 1024;  // CERTIFICATE in several portions

template <version V>
void check_version() {
  using rsp_t = pmci::test::rsp_cfg<V, base_hash::sha384, base_asym::ecdsa_p384, meas_hash::sha384, rsp_max>;
  pmci::test::engine_pair<rsp_t, pmci::test::req_cfg, test_crypto> p;
  const auto& n = p.req.negotiated_params();
  INFO("version " << int(to_byte(V)));
  REQUIRE(p.req.connect(p.link));
  REQUIRE(p.req.get_digests(p.link));

  // GET_CERTIFICATE: every portion's request, offsets following the portions received.
  for (std::uint8_t slot = 0; slot < 2; ++slot) {
    REQUIRE(p.req.start_get_certificate(slot, p.anchors));
    std::vector<bytes> sent, received;
    finish(p, &sent, &received);
    REQUIRE(sent.size() > 1);
    std::uint32_t offset = 0;
    for (std::size_t i = 0; i < sent.size(); ++i) {
      const bytes& q = sent[i];
      std::size_t len = pmci::test::req_cfg::max_message_size - certificate::fixed_size;
      if (V >= version::v1_2) len = std::min<std::size_t>(len, rsp_max - certificate::fixed_size);
      len = std::min<std::size_t>(len, 0xFFFF);
      const get_certificate g{slot, false, static_cast<std::uint16_t>(offset), static_cast<std::uint16_t>(len)};
      CHECK(q == encode_msg(g, n));
      const auto c = certificate::decode(received[i], n);
      REQUIRE(c);
      offset += static_cast<std::uint32_t>(c->portion.size());  // the next request asks from here
    }
  }

  // CHALLENGE: every summary type, given and random RequesterContext.
  constexpr std::array<std::byte, 8> given{std::byte{1}, std::byte{2}, std::byte{3}, std::byte{4},
                                           std::byte{5}, std::byte{6}, std::byte{7}, std::byte{8}};
  for (std::uint8_t slot = 0; slot < 2; ++slot) {
    for (const auto s : {summary_hash_type::none, summary_hash_type::tcb, summary_hash_type::all}) {
      for (const bool with_context : {false, true}) {
        REQUIRE(p.req.start_challenge(slot, s, with_context ? bytes_view{given} : bytes_view{}));
        const bytes q = request_of(p);
        REQUIRE(q.size() >= 36);
        challenge c{slot, s, bytes_view{q}.subspan(4, 32), {}};
        if (V >= version::v1_3) {
          REQUIRE(q.size() == 44);
          c.requester_context = with_context ? bytes_view{given} : bytes_view{q}.subspan(36, 8);
        }
        CHECK(q == encode_msg(c, n));
        finish(p);
      }
    }
    // What encode() refused (an undefined summary type) is refused with the same errc, and the
    // operation is over.
    CHECK(p.req.start_challenge(slot, static_cast<summary_hash_type>(2)) == errc::invalid_field);
    CHECK(p.req.start_challenge(slot, static_cast<summary_hash_type>(0x80)) == errc::invalid_field);
    std::array<std::byte, 64> tx{};
    CHECK(p.req.next_request(tx) == errc::invalid_state);
    if (V >= version::v1_3) {
      CHECK(p.req.start_challenge(slot, summary_hash_type::none, bytes_view{given}.first(5)) == errc::invalid_field);
      CHECK(p.req.next_request(tx) == errc::invalid_state);
    }
  }

  // GET_MEASUREMENTS: every combination of the options.
  for (const std::uint8_t op : {meas_op_count, std::uint8_t{1}, std::uint8_t{0xFE}, meas_op_all}) {
    for (unsigned bits = 0; bits < 32; ++bits) {
      measurement_options o;
      o.operation = op;
      o.signature = (bits & 1) != 0;
      o.slot = (bits & 2) ? 1 : 0;
      o.raw_bit_stream = (bits & 4) != 0;
      o.new_measurement = (bits & 8) != 0;
      const bool with_context = (bits & 16) != 0;
      if (with_context) o.requester_context = given;
      INFO("operation " << int(op) << " options " << bits);
      REQUIRE(p.req.start_get_measurements(o));
      const bytes q = request_of(p);
      // The message the requester built before (start_get_measurements' old body).
      std::uint8_t attrs = o.signature ? meas_attr_signature : 0;
      if (o.raw_bit_stream && V >= version::v1_2) attrs |= meas_attr_raw_bitstream;
      if (o.new_measurement && V >= version::v1_3) attrs |= meas_attr_new_measurement;
      get_measurements g;
      g.attributes = attrs;
      g.operation = op;
      std::size_t at = 4;
      if (o.signature) {
        REQUIRE(q.size() >= 36);
        g.nonce = bytes_view{q}.subspan(4, 32);
        g.slot_id = V >= version::v1_1 ? o.slot : 0;
        at = V >= version::v1_1 ? 37 : 36;
      }
      if (V >= version::v1_3) {
        REQUIRE(q.size() == at + 8);
        g.requester_context = with_context ? bytes_view{given} : bytes_view{q}.subspan(at, 8);
      }
      CHECK(q == encode_msg(g, n));
      // Answer it (keeps L1/L2 and the connection as in a real flow); an index the responder
      // does not have is its business, not this test's.
      std::array<std::byte, 8192> rx{};
      const auto r = p.rsp.handle(q, rx);
      REQUIRE(r);
      (void)p.req.on_response(*r);
    }
  }
  if (V >= version::v1_3) {
    measurement_options o;
    o.requester_context = bytes_view{given}.first(7);
    CHECK(p.req.start_get_measurements(o) == errc::invalid_field);
    std::array<std::byte, 64> tx{};
    CHECK(p.req.next_request(tx) == errc::invalid_state);
  }
}

}  // namespace

TEST_CASE("requester writes GET_CERTIFICATE, CHALLENGE and GET_MEASUREMENTS as encode() does",
          "[spdm][requester][lean]") {
  check_version<version::v1_0>();
  check_version<version::v1_1>();
  check_version<version::v1_2>();
  check_version<version::v1_3>();
}
