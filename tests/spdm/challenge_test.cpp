// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/challenge.hpp"

#include <vector>

#include "captured.hpp"
#include "codec_check.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::test;
using namespace pmci::spdm::test::captured;

namespace {
constexpr response_context answering(bytes_view request, bool encap = false) {
  return response_context::answering(header::decode(request).value(), encap);
}
constexpr auto ctx10 = answering(challenge10);
constexpr auto ctx12 = answering(challenge12);
constexpr auto ctx13 = answering(challenge13);
constexpr auto no_summary = response_context::answering({0x13, code::challenge, 0, 0});
// The mutual-auth capture's CHALLENGE (message 13) asked for all measurements too.
constexpr auto ctx12_mut = response_context::answering({0x12, code::challenge, 0, 0xFF});

constexpr bool fields() {
  auto c = challenge::decode(challenge13, n13);
  auto a = challenge_auth::decode(challenge_auth13, n13, ctx13);
  auto a10 = challenge_auth::decode(challenge_auth10, n10, ctx10);
  auto m = challenge_auth::decode(challenge_auth12_mut, n12_mut, ctx12_mut);
  return c && c->slot_id == 0 && c->summary == summary_hash_type::all && c->nonce.size() == 32 &&
         c->requester_context.size() == 8 && a && a->slot_mask == 0x13 && a->cert_chain_hash.size() == 48 &&
         a->measurement_summary_hash.size() == 48 && a->opaque_data.empty() && equal(a->requester_context, c->requester_context) &&
         a->signature.size() == 96 && !a->basic_mut_auth_req && a10 && a10->signature.size() == 64 &&
         a10->requester_context.empty() && a10->measurement_summary_hash.size() == 32 && m && m->basic_mut_auth_req &&
         challenge_auth::without_signature(challenge_auth13, *a).size() == challenge_auth13.size() - 96;
}
}  // namespace

TEST_CASE("CHALLENGE / CHALLENGE_AUTH round trip (captured 1.0, 1.2, 1.2 mutual, 1.3)", "[spdm][challenge]") {
  static_assert(roundtrip<challenge>(challenge10, n10) && roundtrip<challenge>(challenge12, n12) &&
                roundtrip<challenge>(challenge13, n13));
  static_assert(roundtrip<challenge_auth>(challenge_auth10, n10, ctx10));
  static_assert(roundtrip<challenge_auth>(challenge_auth12, n12, ctx12));
  static_assert(roundtrip<challenge_auth>(challenge_auth12_mut, n12_mut, ctx12_mut));
  static_assert(roundtrip<challenge_auth>(challenge_auth13, n13, ctx13));
  CHECK(roundtrip<challenge_auth>(challenge_auth13, n13, ctx13));
  static_assert(fields());
  CHECK(fields());
}

TEST_CASE("CHALLENGE_AUTH layout follows the request and the signer", "[spdm][challenge]") {
  // No summary requested: the hash disappears and everything after it moves up.
  auto a = *challenge_auth::decode(challenge_auth13, n13, ctx13);
  a.measurement_summary_hash = {};
  std::vector<std::byte> out(512);
  writer w{out};
  REQUIRE(a.encode(w, n13, no_summary));
  CHECK(w.size() == challenge_auth13.size() - 48);
  CHECK(roundtrip<challenge_auth>(w.written(), n13, no_summary));
  CHECK(fails_with<challenge_auth>(w.written(), errc::truncated, n13, ctx13));
  CHECK_FALSE(challenge_auth::decode(challenge_auth13, n13, no_summary));  // fields misaligned
  writer w2{out};
  CHECK(a.encode(w2, n13, ctx13) == errc::invalid_field);
  // A responder without MEAS_CAP sends no summary even when asked.
  negotiated no_meas = n13;
  no_meas.rsp_caps &= ~rsp_cap::meas_mask;
  CHECK(challenge_auth::summary_hash_size(no_meas, ctx13) == 0);
  // Encapsulated: the requester signs with ReqBaseAsymAlg (RSA-PSS 3072 here, 384 bytes) and has
  // no measurements.
  CHECK(challenge_auth::signature_size(n12_mut, answering(challenge12, true)) == 384);
  CHECK(challenge_auth::summary_hash_size(n12_mut, answering(challenge12, true)) == 0);
}

TEST_CASE("CHALLENGE / CHALLENGE_AUTH malformed", "[spdm][challenge]") {
  static_assert(every_prefix_truncated<challenge>(challenge13, n13));
  static_assert(every_prefix_truncated<challenge>(challenge10, n10));
  static_assert(every_prefix_truncated<challenge_auth>(challenge_auth13, n13, ctx13));
  static_assert(every_prefix_truncated<challenge_auth>(challenge_auth10, n10, ctx10));
  CHECK(every_prefix_truncated<challenge_auth>(challenge_auth13, n13, ctx13));
  static_assert(fails_with<challenge>(with(challenge13, 2, 8), errc::invalid_field, n13));   // SlotID
  static_assert(roundtrip<challenge>(with(challenge13, 2, 0xFF), n13));                     // provisioned key
  static_assert(fails_with<challenge>(with(challenge13, 3, 2), errc::invalid_field, n13));   // summary type
  static_assert(fails_with<challenge>(challenge13, errc::version_mismatch, n12));
  static_assert(fails_with<challenge>(with(challenge12, 0, 0x13), errc::truncated, n13));     // 1.3 needs the context
  static_assert(fails_with<challenge_auth>(with(challenge_auth13, 2, 0x10), errc::reserved_nonzero, n13, ctx13));
  static_assert(fails_with<challenge_auth>(with(challenge_auth10, 2, 0x80), errc::reserved_nonzero, n10, ctx10));
  static_assert(fails_with<challenge_auth>(with(challenge_auth13, 2, 0x09), errc::invalid_field, n13, ctx13));
  static_assert(fails_with<challenge_auth>(with(challenge_auth13, 132, 0x01), errc::truncated, n13, ctx13));  // opaque length
  static_assert(fails_with<challenge_auth>(challenge_auth13, errc::invalid_state, negotiated{.ver = v1_3}, ctx13));
  CHECK(fails_with<challenge_auth>(with(challenge_auth13, 132, 0x01), errc::truncated, n13, ctx13));
}
