// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/finish.hpp"

#include "session_test_util.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
namespace ct = pmci::spdm::codec_test;
using ct::error_of;
using ct::patched;
using ct::roundtrip;

namespace {
// spdm11_p256_sha256_aes256gcm messages 25/26: FINISH and FINISH_RSP sent in the clear.
constexpr negotiated n11{.ver = v1_1, .hash = base_hash::sha256, .asym = base_asym::ecdsa_p256,
                         .dhe = dhe_group::secp256r1, .rsp_caps = rsp_cap::handshake_in_the_clear,
                         .req_caps = req_cap::handshake_in_the_clear};
constexpr auto fin11 = hex_bytes<36>("11e5000024846318a954304ca14ccf630974870601147d9f32f926de6eb22b62e3b029cf");
constexpr auto finrsp11 = hex_bytes<36>("11650000eaa14554769a1661267143bc30644ff678f531cf4ee6b7e501b6b339b0f55731");

// A mutual-auth FINISH at 1.2 with an RSA-3072 requester (shape of the mutauth capture).
constexpr negotiated n12m{.ver = v1_2, .hash = base_hash::sha384, .asym = base_asym::ecdsa_p384,
                          .req_asym = base_asym::rsapss_3072, .dhe = dhe_group::secp384r1,
                          .rsp_caps = rsp_cap::handshake_in_the_clear, .req_caps = req_cap::handshake_in_the_clear};

constexpr bool fields() {
  auto f = finish::decode(fin11, n11);
  auto r = finish_rsp::decode(finrsp11, n11);
  return f && !f->signature_included && f->signature.empty() && f->requester_verify_data.size() == 32 && r &&
         r->responder_verify_data.size() == 32;
}
}  // namespace

TEST_CASE("FINISH / FINISH_RSP: compile-time round trips", "[spdm][finish]") {
  static_assert(roundtrip<finish>(fin11, n11));
  CHECK(roundtrip<finish>(fin11, n11));
  static_assert(roundtrip<finish_rsp>(finrsp11, n11));
  CHECK(roundtrip<finish_rsp>(finrsp11, n11));
  static_assert(fields());
  CHECK(fields());
}

TEST_CASE("FINISH / FINISH_RSP: every captured message round-trips", "[spdm][finish][captures]") {
  CHECK(ct::check_captured<finish>(0xE5) == 8);
  CHECK(ct::check_captured<finish_rsp>(0x65) == 8);
  // The mutual-auth capture's FINISH carries the requester's RSA-3072 signature.
  auto msgs = ct::plaintext_spdm("spdm12_p384_sha384_aes256gcm_mutauth");
  const negotiated n = ct::negotiated_from(msgs);
  CHECK(n.req_asym == base_asym::rsapss_3072);
  int signed_finishes = 0;
  for (auto& m : msgs)
    if (m.code_byte() == 0xE5) {
      auto f = finish::decode(m.bytes, n);
      REQUIRE(f.has_value());
      CHECK(f->signature_included);
      CHECK(f->req_slot_id == 0);
      CHECK(f->signature.size() == 384);
      ++signed_finishes;
    }
  CHECK(signed_finishes == 2);
}

TEST_CASE("FINISH / FINISH_RSP: malformed input", "[spdm][finish]") {
  CHECK(error_of<finish>(patched(fin11, 2, 0x02), n11) == errc::reserved_nonzero);
  CHECK(error_of<finish>(patched(fin11, 3, 0x01), n11) == errc::reserved_nonzero);  // slot without signature
  CHECK(error_of<finish>(patched(fin11, 0, 0x12), n11) == errc::version_mismatch);
  // Signature bit set: 64 more bytes (P-256 requester) are expected.
  negotiated mutual = n11;
  mutual.req_asym = base_asym::ecdsa_p256;
  CHECK(error_of<finish>(patched(fin11, 2, 0x01), mutual) == errc::truncated);
  CHECK(error_of<finish>(patched(fin11, 2, 0x01), n11) == errc::invalid_state);  // no requester algorithm
  std::vector<std::byte> with_sig(fin11.begin(), fin11.begin() + 4);
  with_sig[2] = std::byte{1};
  with_sig[3] = std::byte{7};  // slot 7
  with_sig.resize(4 + 64 + 32, std::byte{0x5A});
  CHECK(roundtrip<finish>(with_sig, mutual));
  with_sig[3] = std::byte{8};
  CHECK(error_of<finish>(with_sig, mutual) == errc::invalid_field);
  with_sig[3] = std::byte{0xFF};
  CHECK(roundtrip<finish>(with_sig, mutual));
  ct::check_prefixes_truncated<finish>(with_sig, mutual);
  // FINISH_RSP inside a session (no handshake in the clear) is only the header.
  negotiated encrypted = n11;
  encrypted.req_caps = req_cap::none;
  CHECK(error_of<finish_rsp>(finrsp11, encrypted) == errc::trailing_data);
  CHECK(roundtrip<finish_rsp>(bytes_view{finrsp11}.first(4), encrypted));
  CHECK(error_of<finish_rsp>(patched(finrsp11, 2, 1), n11) == errc::reserved_nonzero);
  negotiated n10 = n11;
  n10.ver = v1_0;
  CHECK(error_of<finish_rsp>(patched(finrsp11, 0, 0x10), n10) == errc::unsupported);
}

TEST_CASE("FINISH: encode checks", "[spdm][finish]") {
  std::array<std::byte, 600> buf{};
  auto f = *finish::decode(fin11, n11);
  writer w{buf};
  f.signature_included = true;
  CHECK(f.encode(w, n11) == errc::invalid_state);
  writer w2{buf};
  CHECK(f.encode(w2, n12m) == errc::invalid_field);  // no 384-byte signature, 32-byte verify data
  finish_rsp r{};
  writer w3{buf};
  CHECK(r.encode(w3, n11) == errc::invalid_field);
}
