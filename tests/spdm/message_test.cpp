// SPDX-License-Identifier: Apache-2.0
// Every plaintext SPDM message of every capture, through the dispatching decoder: it decodes,
// re-encodes to the identical bytes, and every proper prefix of it is rejected as truncated.
#include "pmci/spdm/message.hpp"

#include <map>
#include <vector>

#include "capture_walk.hpp"
#include "captured.hpp"
#include "pmci/spdm/cert_chain.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::test;

TEST_CASE("every captured attestation message decodes and re-encodes identically", "[spdm][message]") {
  std::map<code, int> seen;
  int inner = 0, chains = 0;
  for (const auto& capture : pmci::test::capture_names()) {
    std::vector<std::byte> chain;  // reassembled from CERTIFICATE portions
    walk_capture(capture, [&](const walked_message& w) {
      const code c = header::decode(w.bytes)->request_response_code;
      INFO(w.where << " " << name(c));
      auto m = decode(w.bytes, w.n, w.ctx, w.request ? direction::request : direction::response);
      if (!attestation_code(c)) {
        // The session half's messages: not decoded here until that half is merged.
        if (!m) CHECK(m.error() == errc::unsupported);
        if (!m) return;
      }
      REQUIRE(m);
      CHECK(code_of(*m) == c);
      std::vector<std::byte> out(w.bytes.size() + 64);
      writer wr{out};
      REQUIRE(encode(wr, *m, w.n, w.ctx));
      CHECK(equal(wr.written(), w.bytes));
      if (!attestation_code(c)) return;
      ++seen[c];
      if (w.where.ends_with("inner")) ++inner;
      // Truncated at every field: every proper prefix.
      for (std::size_t len = 0; len < w.bytes.size(); ++len) {
        const auto t = decode(w.bytes.first(len), w.n, w.ctx);
        if (t || t.error() != errc::truncated) {
          FAIL_CHECK("prefix of " << len << " bytes: " << (t ? "accepted" : to_string(t.error())));
          break;
        }
      }
      // Certificate chains: reassemble the portions, then the chain must parse and be filled by
      // whole DER certificates.
      if (const auto* cert = std::get_if<certificate>(&*m)) {
        chain.insert(chain.end(), cert->portion.begin(), cert->portion.end());
        if (cert->remainder_length == 0) {
          const auto cc = cert_chain::decode(chain, w.n);
          CHECK(cc);
          if (cc) CHECK(cc->count() >= 2);
          ++chains;
          chain.clear();
        }
      }
      if (const auto* meas = std::get_if<measurements>(&*m)) {
        std::size_t blocks = 0;
        for (auto b : meas->record) blocks += b.is_dmtf();
        CHECK(blocks == meas->record.count);
      }
    });
  }
  // What the captures contain (README of tests/data/vectors): VCA at every version, DIGESTS,
  // CERTIFICATE, CHALLENGE and MEASUREMENTS flows, encapsulated mutual authentication.
  for (code c : {code::get_version, code::version, code::get_capabilities, code::capabilities, code::negotiate_algorithms,
                 code::algorithms, code::get_digests, code::digests, code::get_certificate, code::certificate,
                 code::challenge, code::challenge_auth, code::get_measurements, code::measurements}) {
    INFO(name(c));
    CHECK(seen[c] > 0);
  }
  CHECK(seen[code::get_version] == 6);
  // Mutual-auth capture: basic mutual auth after CHALLENGE (digests, certificate, challenge: 6) and
  // two session-based ones before FINISH (digests, certificate: 4 each).
  CHECK(inner == 14);
  CHECK(chains == seen[code::certificate]);
}

TEST_CASE("dispatcher: direction, unknown codes, short input", "[spdm][message]") {
  using namespace pmci::spdm::test::captured;
  static_assert(decode(hex_bytes<2>("1084"), negotiated{}) == errc::truncated);
  static_assert(decode(hex_bytes<4>("10840000"), negotiated{}, {}, direction::response) == errc::unexpected_message);
  static_assert(decode(hex_bytes<8>("1004000000010010"), negotiated{}, {}, direction::request) == errc::unexpected_message);
  static_assert(decode(hex_bytes<4>("12900000"), n12) == errc::unsupported);
  static_assert(code_of(decode(challenge13, n13).value()) == code::challenge);
  static_assert(std::holds_alternative<challenge_auth>(
      decode(challenge_auth13, n13, response_context::answering(*header::decode(challenge13))).value()));
  CHECK(std::string_view(name(decode(hex_bytes<4>("10840000"), negotiated{}).value())) == "GET_VERSION");
  // update(): GET_VERSION resets what was negotiated.
  negotiated n = n13;
  update(n, decode(hex_bytes<4>("10840000"), n).value());
  CHECK(n.ver == v1_0);
  CHECK(n.hash == base_hash::none);
}
