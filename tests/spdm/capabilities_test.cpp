// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/capabilities.hpp"

#include "codec_check.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::test;

namespace {
constexpr negotiated nn{};  // capabilities take their version from the header
// Captured (spdm10/11/12_chacha20/13 message 3 and 4).
constexpr auto req10 = hex_bytes<4>("10e10000");
constexpr auto rsp10 = hex_bytes<12>("106100000000000037000000");
constexpr auto req11 = hex_bytes<12>("11e1000000000000c6f70000");
constexpr auto rsp11 = hex_bytes<12>("1161000000000000f7fb0000");
constexpr auto req12 = hex_bytes<20>("12e1000000000000c6f702000012000000120000");
constexpr auto rsp12 = hex_bytes<20>("1261000000000000f7fb1a000012000000120000");
constexpr auto req13 = hex_bytes<20>("13e1000000000000c6f782080012000000120000");
constexpr auto rsp13 = hex_bytes<20>("1361000000000000f7fb9a390012000000120000");
// 1.3 with the supported-algorithms block (Param1 bit 0), built after spdm.md §4: 2 AlgStructs,
// one ExtAsym entry; block Length = 30 + 4 + 8 = 42 = 0x2a.
constexpr auto req13_algs = hex_bytes<20>("13e1010000000000c6f782080012000000120000");
constexpr auto rsp13_algs = hex_bytes<62>(
    "1361010000000000f7fb9a390012000000120000"
    "02002a00 01 12 90000000 03000000 000000000000000000000000 01 00 00 01"
    "04000100"
    "02201800 03200300");

constexpr bool fields() {
  auto r12 = get_capabilities::decode(req12);
  auto c13 = capabilities::decode(rsp13);
  auto c10 = capabilities::decode(rsp10);
  auto b = capabilities::decode(rsp13_algs);
  return r12 && r12->ver == v1_2 && r12->data_transfer_size == 0x1200 && has(r12->flags, req_cap::key_ex) &&
         has(r12->flags, req_cap::chunk) && r12->flags == static_cast<req_cap>(0x0002F7C6) && c13 &&
         (c13->flags & rsp_cap::multi_key_mask) == rsp_cap::multi_key_negotiated &&
         (c13->flags & rsp_cap::ep_info_mask) == rsp_cap::ep_info_sig && c10 && c10->ver == v1_0 &&
         (c10->flags & rsp_cap::meas_mask) == rsp_cap::meas_sig && b && b->has_supported_algorithms &&
         b->algs.length == 0x2a && b->algs.hash == (base_hash::sha256 | base_hash::sha384) &&
         b->algs.ext_asym.size() == 1 && b->algs.ext_asym[0].registry_id == 4 && b->algs.ext_asym[0].algorithm_id == 1 &&
         b->algs.structs.dhe() == (dhe_group::secp256r1 | dhe_group::secp384r1) && b->algs.structs.count == 2 &&
         b->algs.mel_spec == meas_spec::dmtf;
}
constexpr bool captured_flags_valid() {
  return get_capabilities::decode(req11)->validate() && get_capabilities::decode(req12)->validate() &&
         get_capabilities::decode(req13)->validate() && capabilities::decode(rsp10)->validate() &&
         capabilities::decode(rsp11)->validate() && capabilities::decode(rsp12)->validate() &&
         capabilities::decode(rsp13)->validate();
}
constexpr bool bad(rsp_cap f, version v) { return validate(f, v) == errc::invalid_field; }
constexpr bool bad(req_cap f, version v) { return validate(f, v) == errc::invalid_field; }
constexpr rsp_cap base = rsp_cap::cert | rsp_cap::chal | rsp_cap::meas_sig;
constexpr rsp_cap sess = base | rsp_cap::key_ex | rsp_cap::mac | rsp_cap::encrypt;
constexpr bool consistency_rules() {
  return
      // measurement field
      bad(rsp_cap::meas_mask, v1_2) && bad(rsp_cap::meas_fresh, v1_0) && bad(rsp_cap::meas_fresh | rsp_cap::cert | rsp_cap::chal, v1_2) &&
      // 1.0: unsigned measurements => CERT == CHAL; signed => CERT
      bad(rsp_cap::cert | rsp_cap::meas_no_sig, v1_0) && !bad(rsp_cap::cert | rsp_cap::chal | rsp_cap::meas_no_sig, v1_0) &&
      bad(rsp_cap::chal | rsp_cap::meas_sig, v1_0) && !bad(rsp_cap::cert | rsp_cap::meas_sig, v1_0) &&
      // session caps
      bad(base | rsp_cap::key_ex, v1_1) && !bad(base | rsp_cap::key_ex | rsp_cap::mac, v1_1) &&
      bad(base | rsp_cap::mac, v1_2) && bad(base | rsp_cap::hbeat, v1_2) && bad(base | rsp_cap::event, v1_3) &&
      !bad(base | rsp_cap::event, v1_2) && bad(base | rsp_cap::psk_mask | rsp_cap::mac, v1_1) &&
      bad(base | rsp_cap::psk | rsp_cap::mac | rsp_cap::handshake_in_the_clear, v1_2) &&
      !bad(sess | rsp_cap::psk | rsp_cap::handshake_in_the_clear, v1_2) &&
      // certificates / public keys
      bad(base | rsp_cap::pub_key_id, v1_2) && bad(rsp_cap::cert, v1_2) && !bad(rsp_cap::cert | rsp_cap::meas_sig, v1_2) &&
      bad(rsp_cap::chal, v1_2) && bad(rsp_cap::meas_sig, v1_2) && bad(rsp_cap::key_ex | rsp_cap::mac, v1_2) &&
      bad(rsp_cap::pub_key_id | rsp_cap::meas_sig | rsp_cap::mut_auth, v1_2) &&
      !bad(rsp_cap::cert | rsp_cap::ep_info_sig, v1_3) && bad(rsp_cap::ep_info_sig, v1_3) &&
      // mutual authentication
      bad(rsp_cap::cert | rsp_cap::meas_sig | rsp_cap::mut_auth, v1_2) && bad(base | rsp_cap::mut_auth, v1_1) &&
      !bad(base | rsp_cap::mut_auth | rsp_cap::encap, v1_1) && !bad(base | rsp_cap::mut_auth, v1_2) &&
      // 1.2 provisioning
      bad(rsp_cap::pub_key_id | rsp_cap::chal | rsp_cap::alias_cert, v1_2) && bad(base | rsp_cap::csr, v1_2) &&
      !bad(base | rsp_cap::csr | rsp_cap::set_cert, v1_2) && bad(base | rsp_cap::cert_install_reset, v1_2) &&
      // 1.3 multi-key / reserved encodings
      bad(base | rsp_cap::multi_key_negotiated, v1_3) && !bad(base | rsp_cap::multi_key_negotiated | rsp_cap::get_key_pair_info, v1_3) &&
      bad(base | rsp_cap::multi_key_mask | rsp_cap::get_key_pair_info, v1_3) && bad(base | rsp_cap::ep_info_mask, v1_3) &&
      bad(rsp_cap::pub_key_id | rsp_cap::chal | rsp_cap::set_key_pair_info, v1_3) &&
      // requester side
      validate(req_cap::none, v1_0).has_value() && bad(req_cap::key_ex, v1_1) && !bad(req_cap::key_ex | req_cap::encrypt, v1_2) &&
      bad(req_cap::mac, v1_2) && bad(static_cast<req_cap>(2u << 10) | req_cap::mac, v1_2) &&
      bad(req_cap::psk | req_cap::mac | req_cap::handshake_in_the_clear, v1_2) && bad(req_cap::cert, v1_2) &&
      bad(req_cap::cert | req_cap::pub_key_id | req_cap::chal, v1_2) && bad(req_cap::chal, v1_2) &&
      bad(req_cap::cert | req_cap::chal | req_cap::mut_auth, v1_1) && !bad(req_cap::cert | req_cap::chal | req_cap::mut_auth, v1_2) &&
      bad(req_cap::ep_info_sig, v1_3) && !bad(req_cap::cert | req_cap::ep_info_sig, v1_3) &&
      bad(req_cap::pub_key_id | req_cap::chal | req_cap::multi_key_only, v1_3) && bad(req_cap::event, v1_3);
}
constexpr bool transfer_sizes() {
  auto r = *get_capabilities::decode(req12);
  r.data_transfer_size = 41;
  auto r2 = r;
  r2.data_transfer_size = 0x1000;  // smaller than max without CHUNK_CAP
  r2.flags &= ~req_cap::chunk;
  auto r3 = r2;
  r3.flags |= req_cap::chunk;
  return r.validate() == errc::invalid_field && r2.validate() == errc::invalid_field && r3.validate().has_value();
}
}  // namespace

TEST_CASE("GET_CAPABILITIES / CAPABILITIES round trip, every version (captured)", "[spdm][capabilities]") {
  static_assert(roundtrip<get_capabilities>(req10, nn) && roundtrip<capabilities>(rsp10, nn));
  static_assert(roundtrip<get_capabilities>(req11, nn) && roundtrip<capabilities>(rsp11, nn));
  static_assert(roundtrip<get_capabilities>(req12, nn) && roundtrip<capabilities>(rsp12, nn));
  static_assert(roundtrip<get_capabilities>(req13, nn) && roundtrip<capabilities>(rsp13, nn));
  static_assert(roundtrip<get_capabilities>(req13_algs, nn) && roundtrip<capabilities>(rsp13_algs, nn));
  CHECK(roundtrip<get_capabilities>(req12, nn));
  CHECK(roundtrip<capabilities>(rsp13_algs, nn));
  static_assert(fields());
  CHECK(fields());
}

TEST_CASE("capability flag consistency (spdm.md §4.1)", "[spdm][capabilities]") {
  static_assert(captured_flags_valid());
  CHECK(captured_flags_valid());
  static_assert(consistency_rules());
  CHECK(consistency_rules());
  static_assert(transfer_sizes());
  CHECK(transfer_sizes());
  static_assert(defined_flags(rsp_cap{}, v1_0) == static_cast<rsp_cap>(0x3F));
  static_assert(has(defined_flags(req_cap{}, v1_3), req_cap::multi_key_mask | req_cap::event));
  static_assert(!any(defined_flags(req_cap{}, v1_2), req_cap::ep_info_mask));
}

TEST_CASE("GET_CAPABILITIES / CAPABILITIES malformed", "[spdm][capabilities]") {
  // Truncated at every field; the layout follows the header's version, so a 1.2 message cut to
  // the 1.1 size is truncated, not a 1.1 message.
  static_assert(every_prefix_truncated<get_capabilities>(req12, nn));
  static_assert(every_prefix_truncated<capabilities>(rsp12, nn));
  static_assert(every_prefix_truncated<get_capabilities>(req11, nn));
  static_assert(every_prefix_truncated<capabilities>(rsp10, nn));
  static_assert(every_prefix_truncated<capabilities>(rsp13_algs, nn));
  CHECK(every_prefix_truncated<capabilities>(rsp13_algs, nn));
  // Trailing data: a 1.1 message with 1.2 fields, a 1.0 request with a body.
  static_assert(fails_with<get_capabilities>(with(req12, 0, 0x11), errc::trailing_data, nn));
  static_assert(fails_with<capabilities>(with(rsp12, 0, 0x10), errc::trailing_data, nn));
  static_assert(fails_with<get_capabilities>(with(req11, 0, 0x10), errc::trailing_data, nn));
  // Reserved fields.
  static_assert(fails_with<get_capabilities>(with(req12, 4, 1), errc::reserved_nonzero, nn));
  static_assert(fails_with<get_capabilities>(with(req12, 6, 1), errc::reserved_nonzero, nn));
  static_assert(fails_with<capabilities>(with(rsp12, 7, 1), errc::reserved_nonzero, nn));
  static_assert(fails_with<capabilities>(with(rsp12, 3, 1), errc::reserved_nonzero, nn));
  static_assert(fails_with<get_capabilities>(with(req12, 2, 1), errc::reserved_nonzero, nn));  // Param1 bit 0 is 1.3+
  static_assert(fails_with<get_capabilities>(with(req13, 2, 2), errc::reserved_nonzero, nn));
  static_assert(fails_with<get_capabilities>(with(req10, 2, 1), errc::reserved_nonzero, nn));
  static_assert(fails_with<capabilities>(with(rsp13_algs, 21, 1), errc::reserved_nonzero, nn));  // block Param2
  static_assert(fails_with<capabilities>(with(rsp13_algs, 37, 1), errc::reserved_nonzero, nn));  // block Reserved(12)
  static_assert(fails_with<capabilities>(with(rsp13_algs, 51, 1), errc::reserved_nonzero, nn));  // ext entry reserved
  // Wrong version / code.
  static_assert(fails_with<capabilities>(with(rsp12, 0, 0x14), errc::unsupported, nn));
  static_assert(fails_with<capabilities>(with(rsp12, 1, 0xE1), errc::invalid_field, nn));
  // Block Length past the end / not matching; AlgStruct count over 4; bad FixedAlgCount.
  static_assert(fails_with<capabilities>(with(rsp13_algs, 22, 0x2b), errc::truncated, nn));
  static_assert(fails_with<capabilities>(with(rsp13_algs, 22, 0x26), errc::invalid_field, nn));
  static_assert(fails_with<capabilities>(with(rsp13_algs, 20, 5), errc::out_of_range, nn));
  static_assert(fails_with<capabilities>(with(rsp13_algs, 55, 0x30), errc::invalid_field, nn));
  static_assert(fails_with<capabilities>(with(rsp13_algs, 58, 0x02), errc::invalid_field, nn));  // types not ascending
  static_assert(fails_with<capabilities>(with(rsp13_algs, 54, 0x06), errc::invalid_field, nn));  // unknown AlgType
  CHECK(fails_with<capabilities>(with(rsp13_algs, 22, 0x2b), errc::truncated, nn));
}
