// SPDX-License-Identifier: Apache-2.0
// DER reader, ECDSA signature conversions and X.509 parsing (no crypto backend involved).
#include <array>

#include "pmci/core/hex.hpp"
#include "pmci/crypto/der.hpp"
#include "pmci/crypto/x509.hpp"
#include "support/catch.hpp"
#include "test_util.hpp"

using namespace pmci;
using namespace pmci::crypto;
using namespace pmci::test::crypto;

namespace {

constexpr bool der_reader_rules() {
  // 30 03 02 01 05: SEQUENCE { INTEGER 5 }
  constexpr auto ok_seq = hex_bytes<5>("3003020105");
  der::reader r{ok_seq};
  auto t = r.next(der::tag::sequence);
  if (!t || t->value.size() != 3 || !r.empty()) return false;
  // Long-form length that would fit the short form is not DER.
  constexpr auto nonminimal = hex_bytes<6>("308103020105");
  der::reader r2{nonminimal};
  if (r2.next() != errc::invalid_field) return false;
  // Indefinite length (BER) is refused; a length past the end is truncated.
  constexpr auto indefinite = hex_bytes<4>("30800000");
  der::reader r3{indefinite};
  if (r3.next() != errc::invalid_field) return false;
  constexpr auto past = hex_bytes<4>("30050201");
  der::reader r4{past};
  if (r4.next() != errc::truncated) return false;
  // Wrong tag.
  der::reader r5{ok_seq};
  if (r5.next(der::tag::set) != errc::invalid_field) return false;
  return true;
}

constexpr bool ecdsa_conversions() {
  // r = 0x80 (needs a sign octet), s = 0x01, field size 2 → raw 0080 0001.
  constexpr auto raw = hex_bytes<4>("00800001");
  std::array<std::byte, 16> der_sig{};
  auto n = der::ecdsa_raw_to_der(raw, der_sig);
  // 30 07 | 02 02 00 80 | 02 01 01
  constexpr auto expect = hex_bytes<9>("300702020080020101");
  if (!n || *n != expect.size()) return false;
  for (std::size_t i = 0; i < expect.size(); ++i)
    if (der_sig[i] != expect[i]) return false;
  std::array<std::byte, 4> back{};
  if (!der::ecdsa_der_to_raw(std::span<const std::byte>(der_sig).first(*n), 2, back)) return false;
  if (back != raw) return false;
  // An integer longer than the field, a negative integer and trailing bytes are refused.
  constexpr auto too_long = hex_bytes<10>("30080203010203020101");
  if (der::ecdsa_der_to_raw(too_long, 2, back) != errc::invalid_field) return false;
  constexpr auto trailing = hex_bytes<10>("3007020101020101" "0000");
  if (der::ecdsa_der_to_raw(trailing, 2, back) != errc::invalid_field) return false;
  constexpr auto negative = hex_bytes<8>("3006020180020101");
  if (der::ecdsa_der_to_raw(negative, 2, back) != errc::invalid_field) return false;
  return true;
}

constexpr bool times() {
  der::tlv t{der::tag::utc_time, {}, {}};
  constexpr auto utc = hex_bytes<13>("3233303432303031313335345a");  // "230420011354Z"
  t.value = utc;
  auto v = x509::parse_time(t);
  if (!v || *v != 1681953234) return false;  // 2023-04-20 01:13:54 UTC
  constexpr auto gen = hex_bytes<15>("32303530303130313030303030305a");  // "20500101000000Z"
  der::tlv g{der::tag::generalized_time, gen, {}};
  auto w = x509::parse_time(g);
  if (!w || *w != 2524608000) return false;
  constexpr auto bad = hex_bytes<13>("3233313332303031313335345a");  // month 13
  t.value = bad;
  return x509::parse_time(t) == errc::invalid_field;
}

}  // namespace

TEST_CASE("der: reader rules") {
  static_assert(der_reader_rules());
  CHECK(der_reader_rules());
}

TEST_CASE("der: ECDSA DER <-> r||s") {
  static_assert(ecdsa_conversions());
  CHECK(ecdsa_conversions());
}

TEST_CASE("x509: validity times") {
  static_assert(times());
  CHECK(times());
}

TEST_CASE("x509: parse the reference's sample chains") {
  for (const char* dir : {"ecp256", "ecp384", "rsa3072"}) {
    INFO(dir);
    const bytes chain = pmci::test::load_file(std::string("vectors/certs/") + dir + "/bundle_responder.certchain.der");
    auto count = der::count_certificates(chain);
    REQUIRE(count);
    CHECK(*count == 3);
    bytes_view rest = chain;
    std::array<x509::certificate, 3> certs{};
    for (auto& c : certs) {
      auto one = der::next_certificate(rest);
      REQUIRE(one);
      auto parsed = x509::parse_certificate(*one);
      REQUIRE(parsed);
      c = *parsed;
      CHECK(c.version == 2);
      CHECK(c.not_before < c.not_after);
    }
    CHECK(rest.empty());
    // Root is self-issued; each certificate names the previous one as issuer.
    CHECK(der::equal(certs[0].issuer, certs[0].subject));
    CHECK(der::equal(certs[1].issuer, certs[0].subject));
    CHECK(der::equal(certs[2].issuer, certs[1].subject));
    auto bc0 = x509::basic_constraints(certs[0]);
    auto bc2 = x509::basic_constraints(certs[2]);
    REQUIRE(bc0);
    REQUIRE(bc2);
    CHECK(bc0->ca);
    CHECK(bc2->present);
    CHECK_FALSE(bc2->ca);
    auto ku = x509::key_usage(certs[2]);
    REQUIRE(ku);
    CHECK(ku->has(x509::key_usage_bits::digital_signature));
    const sig_alg leaf_alg = std::string(dir) == "ecp256"   ? sig_alg::ecdsa_p256
                             : std::string(dir) == "ecp384" ? sig_alg::ecdsa_p384
                                                            : sig_alg::rsapss_3072;
    cert_chain_options o{leaf_alg, cert_role::responder, 0};
    CHECK(x509::check_spdm_leaf(certs[2], o));
    // The root is not a valid SPDM leaf (a CA, no keyUsage digitalSignature).
    CHECK(x509::check_spdm_leaf(certs[0], o) == errc::verify_failed);
    o.leaf_alg = sig_alg::ed25519;
    CHECK(x509::check_spdm_leaf(certs[2], o) == errc::verify_failed);
    auto last = x509::last_certificate(chain);
    REQUIRE(last);
    CHECK(last->data() == certs[2].tbs.data() - 4);
  }
  // Not a certificate.
  const std::array<std::byte, 4> junk{std::byte{0x30}, std::byte{0x02}, std::byte{0x05}, std::byte{0x00}};
  CHECK_FALSE(x509::parse_certificate(junk));
}
