// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/digests.hpp"

#include "captured.hpp"
#include "codec_check.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::test;
using namespace pmci::spdm::test::captured;

namespace {
constexpr auto get_digests13 = hex_bytes<4>("13810000");

constexpr bool fields() {
  auto d10 = digests::decode(digests10, n10);
  auto d13 = digests::decode(digests13, n13);
  return d10 && d10->count() == 2 && d10->slot_mask == 0x03 && d10->digest(1).size() == 32 && !d10->multi_key() &&
         d10->slot_of(1) == 1 && d13 && d13->count() == 3 && d13->supported_slot_mask == 0x13 && d13->slot_of(2) == 4 &&
         d13->multi_key() && d13->model(0) == cert_model::device && d13->usage(2) == (key_usage::key_exchange |
         key_usage::challenge | key_usage::measurement | key_usage::endpoint_info) && d13->key_pair_id(2) == 0x0d &&
         equal(d13->digest(0), digests10.size() ? d13->digest_data.first(48) : bytes_view{});
}
constexpr negotiated no_multi_key() {
  negotiated n = n13;
  n.multi_key_conn_rsp = false;
  return n;
}
constexpr negotiated encap_multi_key() {
  negotiated n = no_multi_key();
  n.multi_key_conn_req = true;
  return n;
}
constexpr response_context encap{.encapsulated = true};
}  // namespace

TEST_CASE("GET_DIGESTS / DIGESTS round trip (captured 1.0 and 1.3 multi-key)", "[spdm][digests]") {
  static_assert(n13.multi_key_conn_rsp && n13.multi_key_conn_req && !n10.multi_key_conn_rsp);
  static_assert(roundtrip<get_digests>(get_digests13, n13));
  static_assert(roundtrip<digests>(digests10, n10));
  static_assert(roundtrip<digests>(digests13, n13));
  CHECK(roundtrip<digests>(digests13, n13));
  static_assert(fields());
  CHECK(fields());
  // The arrays follow MultiKeyConnRsp, or MultiKeyConnReq for the requester's encapsulated DIGESTS.
  static_assert(fails_with<digests>(digests13, errc::trailing_data, no_multi_key()));
  static_assert(roundtrip<digests>(digests13, encap_multi_key(), encap));
  static_assert(fails_with<digests>(digests13, errc::trailing_data, encap_multi_key()));
}

TEST_CASE("GET_DIGESTS / DIGESTS malformed", "[spdm][digests]") {
  static_assert(every_prefix_truncated<get_digests>(get_digests13, n13));
  static_assert(every_prefix_truncated<digests>(digests10, n10));
  static_assert(every_prefix_truncated<digests>(digests13, n13));
  CHECK(every_prefix_truncated<digests>(digests13, n13));
  static_assert(fails_with<get_digests>(with(get_digests13, 2, 1), errc::reserved_nonzero, n13));
  static_assert(fails_with<get_digests>(with(get_digests13, 3, 1), errc::reserved_nonzero, n13));
  static_assert(fails_with<get_digests>(get_digests13, errc::version_mismatch, n12));
  static_assert(fails_with<digests>(with(digests10, 2, 1), errc::reserved_nonzero, n10));   // Param1 before 1.3
  static_assert(fails_with<digests>(with(digests10, 3, 0x07), errc::truncated, n10));       // one more slot than digests
  static_assert(fails_with<digests>(with(digests10, 3, 0x01), errc::trailing_data, n10));
  static_assert(fails_with<digests>(with(digests13, 2, 0x03), errc::invalid_field, n13));  // provisioned slot 4 unsupported
  static_assert(fails_with<digests>(with(digests13, 151, 0x09), errc::reserved_nonzero, n13));  // CertificateInfo bit 3
  static_assert(fails_with<digests>(with(digests13, 151, 0x05), errc::invalid_field, n13));     // model 5
  static_assert(fails_with<digests>(with(digests13, 155, 0x01), errc::reserved_nonzero, n13));  // KeyUsageMask bit 8
  static_assert(fails_with<digests>(digests13, errc::invalid_state, negotiated{.ver = v1_3}));
  CHECK(fails_with<digests>(with(digests13, 151, 0x09), errc::reserved_nonzero, n13));
}

TEST_CASE("DIGESTS encode checks sizes against n", "[spdm][digests]") {
  auto d = *digests::decode(digests13, n13);
  std::array<std::byte, 256> out{};
  writer w{out};
  CHECK(d.encode(w, no_multi_key()) == errc::invalid_field);
  d.slot_mask = 0x17;  // four slots, three digests
  CHECK(d.encode(w, n13) == errc::invalid_field);
  d.slot_mask = 0x07;  // three slots, but slot 2 is not supported
  CHECK(d.encode(w, n13) == errc::invalid_field);
}
