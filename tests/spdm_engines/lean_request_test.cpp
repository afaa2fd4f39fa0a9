// SPDX-License-Identifier: Apache-2.0
// The responder reads requests in place (fixed offsets of the request cut to its length, with
// the reserved bits it reads masked, negotiate_algorithms::structs_offset) instead of through the
// codecs' decode(): these tests hold it to decode(). Requests are random mutations of valid ones
// (lengths, every byte after the code byte, reserved bits included) at every version; the
// reference is decode() of the cleaned frame (request_frame.hpp), i.e. what the responder did
// before it read requests in place:
//   * decode() rejects  -> the responder answers ERROR InvalidRequest;
//   * decode() accepts  -> the responder answers with the request's response whenever the
//                          decoded fields ask for something it can serve.
#include <random>
#include <vector>

#include "pmci/spdm/message.hpp"
#include "pmci/spdm/request_frame.hpp"
#include "spdm_engines/harness.hpp"
#include "spdm_engines/raw_bytes.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using pmci::test::test_crypto;

namespace {

using bytes = std::vector<std::byte>;


constexpr version all[] = {version::v1_0, version::v1_1, version::v1_2, version::v1_3};

using pmci::test::encode_msg;

/// A random mutation of `valid` with its version and code bytes kept (raw_bytes.hpp).
bytes mutate(const bytes& valid, std::mt19937& rng) { return pmci::test::mutate_request(valid, rng, false); }

/// decode() of the cleaned frame, as the responder used to call it.
template <class M>
bool decodes(const bytes& req, version v) {
  std::array<std::byte, 0x80> scratch{};
  const request_frame f = frame_request(req, v, scratch);
  negotiated n;
  n.ver = v;
  return M::decode(f.clean, n).has_value();
}

struct fixture {
  pmci::test::engine_pair<responder_defaults, pmci::test::req_cfg, test_crypto> p;
  std::array<std::byte, 4096> buf{};

  bytes send(const bytes& req) {
    auto r = p.rsp.handle(req, buf);
    REQUIRE(r);
    return {r->begin(), r->end()};
  }
  static bytes get_version() { return {std::byte{0x10}, std::byte{0x84}, std::byte{0}, std::byte{0}}; }
  static bytes caps(version v) {
    get_capabilities g;
    g.ver = v;
    g.data_transfer_size = g.max_spdm_msg_size = 4096;
    return encode_msg(g, {});
  }
  static bytes algs(version v, bool with_structs) {
    // What pmci's requester offers (P-384/P-256, SHA-384/SHA-256, DMTF measurements, format 1).
    negotiate_algorithms na;
    na.hash = base_hash::sha384 | base_hash::sha256;
    na.asym = base_asym::ecdsa_p384 | base_asym::ecdsa_p256;
    na.other_params_support = v >= version::v1_2 ? opaque_data_fmt1 : 0;
    na.measurement_spec = meas_spec::dmtf;
    negotiated n;
    n.ver = v;
    if (with_structs && v >= version::v1_1) {
      REQUIRE(na.structs.add(alg_type::dhe, raw(dhe_group::secp384r1)));
      REQUIRE(na.structs.add(alg_type::aead, raw(aead_suite::aes_256_gcm)));
      REQUIRE(na.structs.add(alg_type::key_schedule, raw(key_schedule::spdm)));
    }
    return encode_msg(na, n);
  }
  void vca(version v) {
    REQUIRE(send(get_version())[1] == std::byte{0x04});
    REQUIRE(send(caps(v))[1] == std::byte{0x61});
    REQUIRE(send(algs(v, false))[1] == std::byte{0x63});
  }
};

std::uint8_t code_of(const bytes& r) { return std::to_integer<std::uint8_t>(r[1]); }
std::uint8_t p1_of(const bytes& r) { return std::to_integer<std::uint8_t>(r[2]); }
bool invalid_request(const bytes& r) { return code_of(r) == 0x7F && p1_of(r) == static_cast<std::uint8_t>(error_code::invalid_request); }

}  // namespace

TEST_CASE("negotiate_algorithms::structs_offset accepts what decode() accepts", "[spdm][responder][lean]") {
  std::mt19937 rng(20261202);
  for (const version v : all) {
    negotiated n;
    n.ver = v;
    for (int round = 0; round < 4000; ++round) {
      bytes m = mutate(fixture::algs(v, round % 2 == 0), rng);
      // Sometimes extended algorithms, so that their counts and reserved bytes are exercised.
      if (round % 5 == 0 && m.size() >= 32) {
        m[28] = std::byte{static_cast<std::uint8_t>(rng() % 3)};
        m.insert(m.begin() + 32, 4 * std::to_integer<std::size_t>(m[28]), std::byte{0x01});
        if (rng() % 2) store_u16le(bytes_span{m}.subspan(4, 2), static_cast<std::uint16_t>(m.size()));
      }
      pmci::spdm::detail::clear_reserved(m, v);
      const auto d = negotiate_algorithms::decode(m, n);
      const std::size_t at = negotiate_algorithms::structs_offset(m, v);
      INFO("version " << int(to_byte(v)) << " round " << round);
      REQUIRE(d.has_value() == (at != 0));
      if (d) CHECK(at == negotiate_algorithms::fixed_size + d->ext_asym.raw.size() + d->ext_hash.raw.size());
    }
  }
}

TEST_CASE("structs_offset with Param1 given reads an uncleaned request as structs_offset of the cleaned one",
          "[spdm][responder][lean]") {
  // The responder reads NEGOTIATE_ALGORITHMS in place, without a cleaned copy: it passes Param1
  // (reserved at 1.0) as 0 there, and structs_offset reads no other reserved field.
  std::mt19937 rng(20261203);
  for (const version v : all) {
    for (int round = 0; round < 4000; ++round) {
      bytes m = mutate(fixture::algs(v, round % 2 == 0), rng);
      if (round % 5 == 0 && m.size() >= 32) {
        m[28] = std::byte{static_cast<std::uint8_t>(rng() % 3)};
        m.insert(m.begin() + 32, 4 * std::to_integer<std::size_t>(m[28]), std::byte{0xA5});
        if (rng() % 2) store_u16le(bytes_span{m}.subspan(4, 2), static_cast<std::uint16_t>(m.size()));
      }
      bytes clean = m;
      pmci::spdm::detail::clear_reserved(clean, v);
      const std::size_t count = m.size() > 2 && v != version::v1_0 ? std::to_integer<std::uint8_t>(m[2]) : 0;
      INFO("version " << int(to_byte(v)) << " round " << round);
      CHECK(negotiate_algorithms::structs_offset(m, v, count) == negotiate_algorithms::structs_offset(clean, v));
    }
  }
}

TEST_CASE("responder reads fixed-layout requests as decode() does", "[spdm][responder][lean]") {
  std::mt19937 rng(7);
  fixture f;
  for (const version v : all) {
    const auto vb = to_byte(v);
    negotiated n;
    n.ver = v;

    {
      for (int round = 0; round < 300; ++round) {
        bytes q = mutate(fixture::get_version(), rng);
        if (rng() % 4 == 0) q[0] = std::byte{static_cast<std::uint8_t>(0x10 + rng() % 5)};
        const auto r = f.send(q);
        std::array<std::byte, 0x80> scratch{};
        const auto g = get_version::decode(frame_request(q, version::v1_0, scratch).clean);
        if (g) CHECK(code_of(r) == 0x04);
        else CHECK(p1_of(r) == static_cast<std::uint8_t>(g.error() == errc::version_mismatch ? error_code::version_mismatch
                                                                                           : error_code::invalid_request));
      }
    }
    {
      for (int round = 0; round < 1000; ++round) {
        REQUIRE(code_of(f.send(fixture::get_version())) == 0x04);
        const bytes q = mutate(fixture::caps(v), rng);
        const auto r = f.send(q);
        std::array<std::byte, 0x80> scratch{};
        const auto g = get_capabilities::decode(frame_request(q, v, scratch).clean);
        INFO("version " << int(vb) << " round " << round);
        const bool good = g && g->validate() && (!g->supported_algorithms_requested || has(g->flags, req_cap::chunk));
        CHECK(code_of(r) == (good ? 0x61 : 0x7F));
        if (!good) CHECK(invalid_request(r));
      }
    }
    {
      for (int round = 0; round < 1000; ++round) {
        REQUIRE(code_of(f.send(fixture::get_version())) == 0x04);
        REQUIRE(code_of(f.send(fixture::caps(v))) == 0x61);
        const bytes q = mutate(fixture::algs(v, round % 2 == 0), rng);
        const auto r = f.send(q);
        std::array<std::byte, 0x80> scratch{};
        const auto d = negotiate_algorithms::decode(frame_request(q, v, scratch).clean, n);
        INFO("version " << int(vb) << " round " << round);
        if (!d) {
          CHECK(invalid_request(r));
          continue;
        }
        bool servable = any(d->asym, base_asym::ecdsa_p384 | base_asym::ecdsa_p256) &&
                        any(d->hash, base_hash::sha384 | base_hash::sha256) &&
                        (d->measurement_spec == meas_spec::none || any(d->measurement_spec, meas_spec::dmtf));
        for (const auto& s : d->structs) servable = servable && s.supported != 0;
        if (servable) {
          REQUIRE(code_of(r) == 0x63);
          const auto a = algorithms::decode(r, n);
          REQUIRE(a);
          CHECK(a->structs.count == d->structs.count);
        } else {
          CHECK(invalid_request(r));
        }
      }
    }
    {
      f.vca(v);
      get_certificate gc{0, false, 0, 0x40};
      challenge ch;
      std::array<std::byte, 32> nonce{};
      std::array<std::byte, 8> context{};
      ch.nonce = nonce;
      if (v >= version::v1_3) ch.requester_context = context;
      get_measurements gm;
      gm.operation = meas_op_all;
      get_measurements gms = gm;
      gms.attributes = meas_attr_signature;
      gms.nonce = nonce;
      if (v >= version::v1_3) gm.requester_context = gms.requester_context = context;
      const bytes valid[] = {encode_msg(gc, n), encode_msg(ch, n), encode_msg(gm, n), encode_msg(gms, n),
                             encode_msg(get_digests{}, n), encode_msg(respond_if_ready{}, n)};
      for (int round = 0; round < 3000; ++round) {
        const bytes& base = valid[static_cast<std::size_t>(round) % std::size(valid)];
        const bytes q = mutate(base, rng);
        const auto r = f.send(q);
        std::array<std::byte, 0x80> scratch{};
        const bytes_view clean = frame_request(q, v, scratch).clean;
        INFO("version " << int(vb) << " round " << round << " code " << int(code_of(q)));
        switch (static_cast<code>(code_of(q))) {
          case code::get_certificate: {
            const auto g = get_certificate::decode(clean, n);
            if (!g) CHECK(invalid_request(r));
            else if (g->slot_id == 0 && (g->offset < 0x100 || g->slot_size_requested)) CHECK(code_of(r) == 0x02);
            break;
          }
          case code::challenge: {
            const auto c = challenge::decode(clean, n);
            if (!c) CHECK(invalid_request(r));
            else if (c->slot_id == 0) CHECK(code_of(r) == 0x03);
            else if (c->slot_id != 0) CHECK(invalid_request(r));
            break;
          }
          case code::get_measurements: {
            const auto g = get_measurements::decode(clean, n);
            if (!g) CHECK(invalid_request(r));
            else if (g->slot_id == 0 && (g->operation == meas_op_all || g->operation == meas_op_count))
              CHECK(code_of(r) == 0x60);
            break;
          }
          case code::get_digests:
            CHECK(get_digests::decode(clean, n).has_value());
            CHECK(code_of(r) == 0x01);
            break;
          case code::respond_if_ready:
            CHECK(respond_if_ready::decode(clean, n).has_value());
            CHECK(p1_of(r) == static_cast<std::uint8_t>(error_code::unexpected_request));
            break;
          default: FAIL("code changed");
        }
      }
    }
  }
}
