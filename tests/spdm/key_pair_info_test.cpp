// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/key_pair_info.hpp"

#include "session_test_util.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
namespace ct = pmci::spdm::codec_test;
using ct::error_of;
using ct::patched;
using ct::roundtrip;

namespace {
constexpr negotiated n{.ver = v1_3};
// Hand-built from spdm.md §12.
constexpr auto get = hex_bytes<5>("13fc0000 02");
// TotalKeyPairs 4, KeyPairID 2, caps GenKey|Erasable, usage caps 0x000F, current challenge,
// asym caps ECC256|ECC384, current ECC384, 3-byte public key info, slots 0 and 1.
constexpr auto info = hex_bytes<26>("137c0000 04 02 0300 0f00 0200 18000000 10000000 0300 03 300102");
constexpr auto set_change = hex_bytes<13>("13fd0000 02 00 0100 08000000 01");
constexpr auto set_erase = hex_bytes<5>("13fd0100 02");
constexpr auto set_ack = hex_bytes<4>("137d0000");

constexpr bool fields() {
  auto k = key_pair_info::decode(info, n);
  auto e = set_key_pair_info::decode(set_erase, n);
  auto c = set_key_pair_info::decode(set_change, n);
  return k && k->total_key_pairs == 4 && k->key_pair_id == 2 && k->capabilities == (key_pair_cap::gen_key | key_pair_cap::erasable) &&
         k->current_asym_algo == key_pair_asym::ecc384 && k->public_key_info.size() == 3 && k->assoc_cert_slot_mask == 3 &&
         e && e->operation == key_pair_operation::erase && !e->desired_fields_present && c && c->desired_fields_present &&
         c->desired_key_usage == key_usage::key_exchange && c->desired_asym_algo == key_pair_asym::ecc256;
}
}  // namespace

TEST_CASE("KEY_PAIR_INFO family: round trips", "[spdm][key_pair_info]") {
  static_assert(roundtrip<get_key_pair_info>(get, n) && roundtrip<key_pair_info>(info, n));
  CHECK((roundtrip<get_key_pair_info>(get, n) && roundtrip<key_pair_info>(info, n)));
  static_assert(roundtrip<set_key_pair_info>(set_change, n) && roundtrip<set_key_pair_info>(set_erase, n));
  CHECK((roundtrip<set_key_pair_info>(set_change, n) && roundtrip<set_key_pair_info>(set_erase, n)));
  static_assert(roundtrip<set_key_pair_info_ack>(set_ack, n));
  CHECK(roundtrip<set_key_pair_info_ack>(set_ack, n));
  static_assert(fields());
  CHECK(fields());
  // The long erase form (all fields present) is accepted too and kept as such.
  auto long_erase = patched(set_change, 2, 1);
  CHECK(roundtrip<set_key_pair_info>(long_erase, n));
}

TEST_CASE("KEY_PAIR_INFO family: malformed input", "[spdm][key_pair_info]") {
  ct::check_prefixes_truncated<get_key_pair_info>(get, n);
  ct::check_trailing<get_key_pair_info>(get, n);
  ct::check_prefixes_truncated<key_pair_info>(info, n);
  ct::check_trailing<key_pair_info>(info, n);
  ct::check_prefixes_truncated<set_key_pair_info>(set_change, n);
  ct::check_trailing<set_key_pair_info>(set_change, n);
  CHECK(error_of<get_key_pair_info>(patched(get, 4, 0), n) == errc::invalid_field);
  CHECK(error_of<get_key_pair_info>(patched(get, 2, 1), n) == errc::reserved_nonzero);
  CHECK(error_of<key_pair_info>(patched(info, 5, 5), n) == errc::invalid_field);   // ID > total
  CHECK(error_of<key_pair_info>(patched(info, 5, 0), n) == errc::invalid_field);   // ID 0
  CHECK(error_of<key_pair_info>(patched(info, 6, 0x43), n) == errc::reserved_nonzero);  // capability bit 6
  CHECK(error_of<key_pair_info>(patched(info, 9, 0x10), n) == errc::reserved_nonzero);  // usage bit 12
  CHECK(error_of<key_pair_info>(patched(info, 13, 0x02), n) == errc::reserved_nonzero); // asym bit 9
  CHECK(error_of<key_pair_info>(patched(info, 20, 0x04), n) == errc::truncated);        // PublicKeyInfoLen
  CHECK(error_of<set_key_pair_info>(patched(set_change, 2, 3), n) == errc::invalid_field);
  CHECK(error_of<set_key_pair_info>(patched(set_change, 5, 1), n) == errc::reserved_nonzero);
  CHECK(error_of<set_key_pair_info>(patched(set_change, 3, 1), n) == errc::reserved_nonzero);
  CHECK(error_of<set_key_pair_info>(patched(set_erase, 4, 0), n) == errc::invalid_field);
  CHECK(error_of<set_key_pair_info>(patched(set_erase, 2, 0), n) == errc::truncated);   // change needs the fields
  CHECK(error_of<get_key_pair_info>(patched(get, 0, 0x12), negotiated{.ver = v1_2}) == errc::unsupported);
  std::array<std::byte, 32> buf{};
  writer w{buf};
  CHECK(set_key_pair_info{.desired_fields_present = false}.encode(w, n) == errc::invalid_field);
}
