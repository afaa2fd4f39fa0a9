// SPDX-License-Identifier: Apache-2.0
// The requester rejects tampered responses, each with its specific failure reason: signatures,
// certificate chains (RootHash, DIGESTS entry, trust anchors), CertChainHash, measurements,
// RequesterContext, and VCA answers that break the rules.
#include <functional>
#include <vector>

#include "spdm_engines/harness.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {

template <class Cfg, class Crypto>
using pair_t = pmci::test::engine_pair<Cfg, pmci::test::req_cfg, Crypto>;

/// Mutates the SPDM bytes of the next response(s) with the given response code.
template <class Inner>
struct tamper_link {
  Inner* inner;
  code target = code::error;
  std::function<void(bytes_span)> mutate;
  bool once = true;
  bool fired = false;
  result<bytes_span> exchange(bytes_view request, bytes_span buffer) {
    auto r = inner->exchange(request, buffer);
    if (r && r->size() > 2 && static_cast<code>(std::to_integer<std::uint8_t>((*r)[2])) == target && !(once && fired)) {
      fired = true;
      mutate(r->subspan(1));
    }
    return r;
  }
};
template <class Inner>
tamper_link<Inner> tamper(Inner& i, code c, std::function<void(bytes_span)> f) {
  return tamper_link<Inner>{&i, c, std::move(f)};
}

void flip(bytes_span b, std::size_t at) { b[at] ^= std::byte{0x01}; }

template <version V>
struct cfg : pmci::test::rsp_cfg<V, base_hash::sha384, base_asym::ecdsa_p384, meas_hash::sha384> {};

template <class Crypto, version V = version::v1_2>
struct fixture {
  pair_t<cfg<V>, Crypto> p;
  void connect() { REQUIRE(p.req.connect(p.link)); }
  void chain() {
    connect();
    REQUIRE(p.req.get_digests(p.link));
    REQUIRE(p.req.get_certificate(p.link, 0, p.anchors));
  }
};

template <class Crypto>
void chain_tampering() {
  SECTION("DIGESTS entry changed: Hash(chain) mismatch") {
    fixture<Crypto> f;
    f.connect();
    auto t = tamper(f.p.link, code::digests, [](bytes_span m) { flip(m, 4 + 7); });
    REQUIRE(f.p.req.get_digests(t));
    CHECK(f.p.req.get_certificate(f.p.link, 0, f.p.anchors) == errc::verify_failed);
    CHECK(f.p.req.last_failure() == failure::chain_digest_mismatch);
    CHECK_FALSE(f.p.req.slot_verified(0));
  }
  SECTION("RootHash changed") {
    fixture<Crypto> f;
    f.connect();
    REQUIRE(f.p.req.get_digests(f.p.link));
    auto t = tamper(f.p.link, code::certificate, [](bytes_span m) { flip(m, 8 + 4 + 3); });
    CHECK(f.p.req.get_certificate(t, 0, f.p.anchors) == errc::verify_failed);
    CHECK(f.p.req.last_failure() == failure::root_hash_mismatch);
  }
  SECTION("a certificate byte changed, caught by the DIGESTS entry") {
    fixture<Crypto> f;
    f.connect();
    REQUIRE(f.p.req.get_digests(f.p.link));
    auto t = tamper(f.p.link, code::certificate, [](bytes_span m) { flip(m, m.size() - 20); });
    CHECK(f.p.req.get_certificate(t, 0, f.p.anchors) == errc::verify_failed);
    CHECK(f.p.req.last_failure() == failure::chain_digest_mismatch);
  }
  SECTION("a chain from another root") {
    fixture<Crypto> f;
    f.connect();
    REQUIRE(f.p.req.get_digests(f.p.link));
    const auto& other = pmci::test::pki_for(base_asym::ecdsa_p256).ca;
    const std::array<bytes_view, 1> wrong{bytes_view{other}};
    CHECK(f.p.req.get_certificate(f.p.link, 0, wrong) == errc::verify_failed);
    CHECK(f.p.req.last_failure() == failure::chain_untrusted);
    CHECK(f.p.req.start_challenge(0) == errc::invalid_state);  // no verified chain, no CHALLENGE
  }
  SECTION("Length field inconsistent with the portions") {
    fixture<Crypto> f;
    f.connect();
    auto t = tamper(f.p.link, code::certificate, [](bytes_span m) { flip(m, 8); });
    CHECK_FALSE(f.p.req.get_certificate(t, 0, f.p.anchors));
    CHECK(f.p.req.last_failure() == failure::chain_malformed);
  }
  SECTION("portion from another slot") {
    fixture<Crypto> f;
    f.connect();
    auto t = tamper(f.p.link, code::certificate, [](bytes_span m) { m[2] = std::byte{1}; });
    CHECK(f.p.req.get_certificate(t, 0, f.p.anchors) == errc::invalid_field);
    CHECK(f.p.req.last_failure() == failure::unexpected_response);
  }
}

template <class Crypto>
void signature_tampering() {
  SECTION("CHALLENGE_AUTH signature") {
    fixture<Crypto> f;
    f.chain();
    auto t = tamper(f.p.link, code::challenge_auth, [](bytes_span m) { flip(m, m.size() - 1); });
    CHECK(f.p.req.challenge(t, 0, summary_hash_type::all) == errc::verify_failed);
    CHECK(f.p.req.last_failure() == failure::signature_invalid);
    CHECK_FALSE(f.p.req.authenticated());
  }
  SECTION("CHALLENGE_AUTH nonce (signed content)") {
    fixture<Crypto> f;
    f.chain();
    auto t = tamper(f.p.link, code::challenge_auth, [](bytes_span m) { flip(m, 4 + 48 + 5); });
    CHECK(f.p.req.challenge(t, 0) == errc::verify_failed);
    CHECK(f.p.req.last_failure() == failure::signature_invalid);
  }
  SECTION("CHALLENGE_AUTH CertChainHash") {
    fixture<Crypto> f;
    f.chain();
    auto t = tamper(f.p.link, code::challenge_auth, [](bytes_span m) { flip(m, 4); });
    CHECK(f.p.req.challenge(t, 0) == errc::verify_failed);
    CHECK(f.p.req.last_failure() == failure::cert_chain_hash_mismatch);
  }
  SECTION("signed MEASUREMENTS: a measurement byte") {
    fixture<Crypto> f;
    f.chain();
    auto t = tamper(f.p.link, code::measurements, [](bytes_span m) { flip(m, 8 + 7 + 3); });
    CHECK(f.p.req.get_measurements(t, {}) == errc::verify_failed);
    CHECK(f.p.req.last_failure() == failure::signature_invalid);
  }
  SECTION("signed MEASUREMENTS: the signature") {
    fixture<Crypto> f;
    f.chain();
    auto t = tamper(f.p.link, code::measurements, [](bytes_span m) { flip(m, m.size() - 7); });
    CHECK(f.p.req.get_measurements(t, {}) == errc::verify_failed);
    CHECK(f.p.req.last_failure() == failure::signature_invalid);
    // The next, untampered, signed measurement verifies (L1/L2 restarted on both sides).
    auto m = f.p.req.get_measurements(f.p.link, {});
    REQUIRE(m);
    CHECK(m->signature_verified);
  }
  SECTION("an unsigned MEASUREMENTS tampered earlier is caught by the next signature") {
    fixture<Crypto> f;
    f.chain();
    auto t = tamper(f.p.link, code::measurements, [](bytes_span m) { flip(m, 8 + 7 + 3); });
    auto u = f.p.req.get_measurements(t, {.operation = 1, .signature = false});
    REQUIRE(u);  // nothing to check it against yet
    CHECK(f.p.req.get_measurements(f.p.link, {.operation = 2}) == errc::verify_failed);
    CHECK(f.p.req.last_failure() == failure::signature_invalid);
  }
}

}  // namespace

TEST_CASE("tampering: chains and signatures (test policy)") {
  chain_tampering<pmci::test::test_crypto>();
  signature_tampering<pmci::test::test_crypto>();
}

#if defined(PMCI_TEST_HAVE_OPENSSL)
TEST_CASE("tampering: chains and signatures (OpenSSL)") {
  chain_tampering<crypto::openssl>();
  signature_tampering<crypto::openssl>();
  SECTION("a certificate byte changed, no DIGESTS: the X.509 signature fails") {
    fixture<crypto::openssl> f;
    f.connect();
    auto t = tamper(f.p.link, code::certificate, [](bytes_span m) { flip(m, m.size() - 20); });
    CHECK(f.p.req.get_certificate(t, 0, f.p.anchors) == errc::verify_failed);
    CHECK(f.p.req.last_failure() == failure::chain_untrusted);
  }
}
#endif

TEST_CASE("tampering: responses that do not answer the request") {
  using pmci::test::test_crypto;
  SECTION("1.3 RequesterContext not echoed (CHALLENGE_AUTH, MEASUREMENTS)") {
    fixture<test_crypto, version::v1_3> f;
    f.chain();
    auto t = tamper(f.p.link, code::challenge_auth, [](bytes_span m) { flip(m, m.size() - 97); });
    CHECK(f.p.req.challenge(t, 0) == errc::verify_failed);
    CHECK(f.p.req.last_failure() == failure::requester_context_mismatch);
    auto t2 = tamper(f.p.link, code::measurements, [](bytes_span m) { flip(m, m.size() - 97); });
    CHECK(f.p.req.get_measurements(t2, {}) == errc::verify_failed);
    CHECK(f.p.req.last_failure() == failure::requester_context_mismatch);
  }
  SECTION("MEASUREMENTS for another index or slot") {
    fixture<test_crypto> f;
    f.chain();
    auto t = tamper(f.p.link, code::measurements, [](bytes_span m) { m[8] = std::byte{4}; });
    CHECK(f.p.req.get_measurements(t, {.operation = 3, .signature = false}) == errc::invalid_field);
    CHECK(f.p.req.last_failure() == failure::unexpected_response);
    auto t2 = tamper(f.p.link, code::measurements, [](bytes_span m) { m[3] = std::byte{0x21}; });
    CHECK(f.p.req.get_measurements(t2, {.operation = 3}) == errc::invalid_field);
    CHECK(f.p.req.last_failure() == failure::unexpected_response);
  }
  SECTION("wrong response code or version byte") {
    fixture<test_crypto> f;
    f.connect();
    auto t = tamper(f.p.link, code::digests, [](bytes_span m) { m[1] = std::byte{0x02}; });
    CHECK(f.p.req.get_digests(t) == errc::unexpected_message);
    CHECK(f.p.req.last_failure() == failure::malformed_response);
    auto t2 = tamper(f.p.link, code::digests, [](bytes_span m) { m[0] = std::byte{0x11}; });
    CHECK(f.p.req.get_digests(t2) == errc::version_mismatch);
    CHECK(f.p.req.last_failure() == failure::malformed_response);
  }
  SECTION("VERSION without a common version") {
    fixture<test_crypto> f;
    auto t = tamper(f.p.link, code::version, [](bytes_span m) {
      for (std::size_t i = 7; i < m.size(); i += 2) m[i] = std::byte{0x20};  // every entry: 2.0
    });
    CHECK(f.p.req.connect(t) == errc::unsupported);
    CHECK(f.p.req.last_failure() == failure::no_common_version);
  }
  SECTION("CAPABILITIES breaking the flag rules") {
    fixture<test_crypto> f;
    auto t = tamper(f.p.link, code::capabilities, [](bytes_span m) { m[8] = std::byte{0x04}; });  // CHAL without CERT
    CHECK(f.p.req.connect(t) == errc::invalid_field);
    CHECK(f.p.req.last_failure() == failure::invalid_capabilities);
  }
  SECTION("ALGORITHMS selecting what was not offered") {
    fixture<test_crypto> f;
    auto t = tamper(f.p.link, code::algorithms, [](bytes_span m) { m[16] = std::byte{0x04}; });  // SHA-512
    CHECK(f.p.req.connect(t) == errc::invalid_field);
    CHECK(f.p.req.last_failure() == failure::invalid_algorithms);
    CHECK(f.p.req.state() == connection_state::after_capabilities);
  }
  SECTION("an ERROR is reported as such") {
    fixture<test_crypto> f;
    f.connect();
    CHECK(f.p.req.get_measurements(f.p.link, {.operation = 0x77, .signature = false}) == errc::peer_error);
    CHECK(f.p.req.last_failure() == failure::peer_error);
    CHECK(f.p.req.last_error().code == error_code::invalid_request);
    CHECK(f.p.req.get_certificate(f.p.link, 1, f.p.anchors));
    auto t = tamper(f.p.link, code::certificate, [](bytes_span m) {
      m[1] = std::byte{0x7F};
      m[2] = std::byte{0x01};
      m[3] = std::byte{0x00};
    });
    // A portion of garbage that *decodes* as an ERROR: trailing bytes make it malformed.
    CHECK_FALSE(f.p.req.get_certificate(t, 0, f.p.anchors));
    CHECK(f.p.req.last_failure() == failure::malformed_response);
  }
}
