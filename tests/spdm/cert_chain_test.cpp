// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/cert_chain.hpp"

#include <vector>

#include "captured.hpp"
#include "pmci/spdm/certificate.hpp"
#include "codec_check.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::test;

namespace {
constexpr negotiated sha256{.ver = v1_2, .hash = base_hash::sha256};
// Two tiny "certificates" (DER SEQUENCEs, short and long length form) after a 32-byte RootHash.
constexpr auto chain = hex_bytes<4 + 32 + 4 + 132>(
    "ac00 0000"
    "0101010101010101010101010101010101010101010101010101010101010101"
    "3002 0500"
    "308181"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    "000000000000000000000000000000000000000000000000000000000000000000");

constexpr bool walk() {
  auto c = cert_chain::decode(chain, sha256);
  if (!c) return false;
  std::size_t sizes[2]{};
  std::size_t i = 0;
  for (bytes_view cert : *c) sizes[i++] = cert.size();
  return c->count() == 2 && sizes[0] == 4 && sizes[1] == 132 && c->root().size() == 4 && c->leaf().size() == 132 &&
         c->root_hash.size() == 32 && c->size() == chain.size();
}
}  // namespace

TEST_CASE("DER SEQUENCE sizes", "[spdm][cert_chain]") {
  static_assert(der_sequence_size(hex_bytes<2>("3000")).value() == 2);
  static_assert(der_sequence_size(hex_bytes<5>("3003010203")).value() == 5);
  static_assert(der_sequence_size(hex_bytes<4>("3003 0102")) == errc::truncated);
  static_assert(der_sequence_size(hex_bytes<1>("30")) == errc::truncated);
  static_assert(der_sequence_size(hex_bytes<3>("0401 00")) == errc::invalid_field);    // not a SEQUENCE
  static_assert(der_sequence_size(hex_bytes<3>("3080 00")) == errc::invalid_field);    // indefinite length
  static_assert(der_sequence_size(hex_bytes<4>("3081 0100")) == errc::invalid_field);  // non-minimal
  static_assert(der_sequence_size(hex_bytes<5>("3082 0080 00")) == errc::invalid_field);
  static_assert(der_sequence_size(hex_bytes<7>("3085 0000000001")) == errc::invalid_field);
  static_assert(der_sequence_size(hex_bytes<4>("3082 ffff")) == errc::truncated);
}

TEST_CASE("certificate chain decode / encode / iterate", "[spdm][cert_chain]") {
  static_assert(walk());
  CHECK(walk());
  static_assert(every_prefix_truncated<cert_chain>(chain, sha256));
  static_assert(fails_with<cert_chain>(with(chain, 2, 1), errc::reserved_nonzero, sha256));
  static_assert(fails_with<cert_chain>(with(chain, 0, 0xAB), errc::trailing_data, sha256));
  static_assert(fails_with<cert_chain>(with(chain, 36, 0x31), errc::invalid_field, sha256));  // not a SEQUENCE
  static_assert(fails_with<cert_chain>(with(chain, 37, 0x03), errc::invalid_field, sha256));  // overruns the next one
  static_assert(fails_with<cert_chain>(with(chain, 42, 0x82), errc::invalid_field, sha256));  // overruns the chain
  static_assert(fails_with<cert_chain>(hex_bytes<36>("2400 0000 0101010101010101010101010101010101010101010101010101010101010101"),
                                       errc::invalid_field, sha256));  // no certificate
  static_assert(fails_with<cert_chain>(hex_bytes<6>("0600 0000 3000"), errc::invalid_field, sha256));  // shorter than RootHash
  static_assert(fails_with<cert_chain>(chain, errc::invalid_state, negotiated{}));
  CHECK(fails_with<cert_chain>(with(chain, 42, 0x82), errc::invalid_field, sha256));
}

TEST_CASE("captured certificate chains reassemble and iterate (spdm.md §6.1)", "[spdm][cert_chain]") {
  // Slots 0 and 1 of the 1.2 capture (P-384), each read in one CERTIFICATE portion; the DER
  // certificates must equal the reference's bundle files.
  const auto msgs = pmci::test::load_messages("spdm12_p384_sha384_chacha20");
  const char* bundles[] = {"vectors/certs/ecp384/bundle_responder.certchain.der",
                           "vectors/certs/ecp384/bundle_responder.certchain1.der"};
  for (int slot = 0; slot < 2; ++slot) {
    const auto& raw = msgs[static_cast<std::size_t>(9 + 2 * slot)].bytes;  // messages 10 and 12
    const bytes_view spdm = bytes_view{raw}.subspan(1);
    const auto c = certificate::decode(spdm, captured::n12);
    REQUIRE(c);
    CHECK(c->slot_id == slot);
    CHECK(c->remainder_length == 0);
    const auto chain_view = cert_chain::decode(c->portion, captured::n12);
    REQUIRE(chain_view);
    const auto bundle = pmci::test::load_file(bundles[slot]);
    CHECK(equal(chain_view->certificates, bundle));
    CHECK(chain_view->count() == 3);
    std::vector<std::byte> out(c->portion.size());
    writer w{out};
    REQUIRE(chain_view->encode(w, captured::n12));
    CHECK(equal(w.written(), c->portion));
  }
}
