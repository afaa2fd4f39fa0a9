// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/algorithms.hpp"

#include "codec_check.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::test;

namespace {
constexpr negotiated n10{.ver = v1_0};
constexpr negotiated n11{.ver = v1_1};
constexpr negotiated n12{.ver = v1_2};
constexpr negotiated n13{.ver = v1_3, .rsp_caps = rsp_cap::multi_key_negotiated};
// Captured: spdm10 / spdm11 / spdm12_chacha20 / spdm13 messages 5 and 6.
constexpr auto req10 = hex_bytes<32>("10e3000020000100100000000100000000000000000000000000000000000000");
constexpr auto rsp10 = hex_bytes<36>("106300002400010002000000100000000100000000000000000000000000000000000000");
constexpr auto req11 = hex_bytes<48>("11e3040030000100100000000100000000000000000000000000000000000000022008000320020004200f0005200100");
constexpr auto rsp11 = hex_bytes<52>("11630400340001000200000010000000010000000000000000000000000000000000000002200800032002000420080005200100");
constexpr auto req12 = hex_bytes<48>("12e3040030000102800000000200000000000000000000000000000000000000022010000320040004200f0005200100");
constexpr auto rsp12 = hex_bytes<52>("12630400340001020400000080000000020000000000000000000000000000000000000002201000032004000420080005200100");
constexpr auto req13 = hex_bytes<48>("13e3040030000112800000000200000000000000000000000000000000000001022010000320020004200f0005200100");
constexpr auto rsp13 = hex_bytes<52>("13630400340001120400000080000000020000000000000000000000000000010000000002201000032002000420080005200100");
// Extended algorithms (spdm.md §5.1): one ExtAsym, one ExtHash, one AlgStruct external entry.
constexpr auto req12_ext = hex_bytes<52>(
    "12e30200 3400 01 02 80000000 02000000 000000000000000000000000 01 01 00 00"
    "03000200 04000300"
    "02211000 04000700"
    "03200200");
constexpr auto rsp12_ext = hex_bytes<48>(
    "12630100 3000 01 02 04000000 00000000 00000000 0000000000000000000000 00 01 01 0000"
    "03000200 04000300"
    "02200000");

constexpr bool fields() {
  auto r = negotiate_algorithms::decode(req12, n12);
  auto a = algorithms::decode(rsp12, n12);
  auto e = negotiate_algorithms::decode(req12_ext, n12);
  auto x = algorithms::decode(rsp12_ext, n12);
  return r && r->length == 48 && r->asym == base_asym::ecdsa_p384 && r->hash == base_hash::sha384 &&
         r->structs.count == 4 && r->structs.req_base_asym() == static_cast<base_asym>(0x0F) &&
         r->structs.aead() == aead_suite::chacha20_poly1305 && r->other_params_support == 0x02 && a &&
         a->measurement_hash == meas_hash::sha384 && a->asym == base_asym::ecdsa_p384 && a->dhe() == dhe_group::secp384r1 &&
         a->aead() == aead_suite::chacha20_poly1305 && a->req_asym() == base_asym::rsapss_3072 &&
         a->key_sched() == key_schedule::spdm && e && e->ext_asym.size() == 1 && e->ext_asym[0] == ext_alg{3, 2} &&
         e->ext_hash[0] == ext_alg{4, 3} && e->structs.items[0].ext.size() == 1 && e->structs.items[0].ext[0] == ext_alg{4, 7} &&
         x && x->ext_asym.size() == 1 && x->ext_hash.size() == 1 && x->dhe() == dhe_group::none;
}
constexpr bool derive() {
  negotiated n = n13;
  update(n, *negotiate_algorithms::decode(req13, n));
  update(n, *algorithms::decode(rsp13, n));
  negotiated m = n12;
  update(m, *negotiate_algorithms::decode(req12, m));
  update(m, *algorithms::decode(rsp12, m));
  return n.multi_key_conn_rsp && n.multi_key_conn_req && n.h() == 48 && n.s() == 96 && n.d() == 96 &&
         n.req_s() == 384 && n.mh() == 48 && n.opaque_fmt1() && !m.multi_key_conn_rsp && !m.multi_key_conn_req &&
         m.aead == aead_suite::chacha20_poly1305;
}
constexpr bool builder() {
  negotiate_algorithms m{.measurement_spec = meas_spec::dmtf, .other_params_support = 0x02,
                         .asym = base_asym::ecdsa_p384, .hash = base_hash::sha384};
  bool good = m.structs.add(alg_type::dhe, raw(dhe_group::secp384r1)).has_value() &&
              m.structs.add(alg_type::aead, raw(aead_suite::chacha20_poly1305)).has_value() &&
              m.structs.add(alg_type::aead, 1) == errc::invalid_field &&
              m.structs.add(alg_type::req_base_asym, 0x0F).has_value() &&
              m.structs.add(alg_type::key_schedule, 1).has_value() && m.structs.add(alg_type::key_schedule, 1) == errc::out_of_range;
  std::array<std::byte, 64> out{};
  writer w{out};
  return good && m.encode(w, n12).has_value() && equal(w.written(), req12);
}
}  // namespace

TEST_CASE("NEGOTIATE_ALGORITHMS / ALGORITHMS round trip, every version (captured)", "[spdm][algorithms]") {
  static_assert(roundtrip<negotiate_algorithms>(req10, n10) && roundtrip<algorithms>(rsp10, n10));
  static_assert(roundtrip<negotiate_algorithms>(req11, n11) && roundtrip<algorithms>(rsp11, n11));
  static_assert(roundtrip<negotiate_algorithms>(req12, n12) && roundtrip<algorithms>(rsp12, n12));
  static_assert(roundtrip<negotiate_algorithms>(req13, n13) && roundtrip<algorithms>(rsp13, n13));
  static_assert(roundtrip<negotiate_algorithms>(req12_ext, n12) && roundtrip<algorithms>(rsp12_ext, n12));
  CHECK(roundtrip<negotiate_algorithms>(req13, n13));
  CHECK(roundtrip<algorithms>(rsp13, n13));
  static_assert(fields());
  CHECK(fields());
  static_assert(derive());
  CHECK(derive());
  static_assert(builder());
  CHECK(builder());
}

TEST_CASE("NEGOTIATE_ALGORITHMS / ALGORITHMS malformed", "[spdm][algorithms]") {
  static_assert(every_prefix_truncated<negotiate_algorithms>(req12_ext, n12));
  static_assert(every_prefix_truncated<algorithms>(rsp12_ext, n12));
  static_assert(every_prefix_truncated<negotiate_algorithms>(req10, n10));
  CHECK(every_prefix_truncated<algorithms>(rsp13, n13));
  // Version: must be the negotiated one.
  static_assert(fails_with<negotiate_algorithms>(req12, errc::version_mismatch, n11));
  static_assert(fails_with<algorithms>(rsp13, errc::version_mismatch, n12));
  // Length past the end / inconsistent / over the 1.0 and 1.1 maxima.
  static_assert(fails_with<negotiate_algorithms>(with(req12, 4, 0x31), errc::truncated, n12));
  static_assert(fails_with<negotiate_algorithms>(with(req12, 4, 0x2c), errc::invalid_field, n12));
  static_assert(fails_with<algorithms>(with(rsp12, 4, 0x35), errc::truncated, n12));
  static_assert(fails_with<algorithms>(with(rsp12, 4, 0x30), errc::invalid_field, n12));
  // Reserved: Param1 at 1.0, Param2, reserved bytes, OtherParams before 1.2, MEL spec before 1.3.
  static_assert(fails_with<negotiate_algorithms>(with(req10, 2, 1), errc::reserved_nonzero, n10));
  static_assert(fails_with<negotiate_algorithms>(with(req12, 3, 1), errc::reserved_nonzero, n12));
  static_assert(fails_with<negotiate_algorithms>(with(req12, 20, 1), errc::reserved_nonzero, n12));
  static_assert(fails_with<negotiate_algorithms>(with(req12, 30, 1), errc::reserved_nonzero, n12));
  static_assert(fails_with<negotiate_algorithms>(with(req11, 7, 2), errc::reserved_nonzero, n11));
  static_assert(fails_with<negotiate_algorithms>(with(req12, 7, 0x12), errc::reserved_nonzero, n12));
  static_assert(fails_with<negotiate_algorithms>(with(req12, 31, 1), errc::reserved_nonzero, n12));
  static_assert(fails_with<algorithms>(with(rsp12, 25, 1), errc::reserved_nonzero, n12));
  static_assert(fails_with<algorithms>(with(rsp12, 35, 1), errc::reserved_nonzero, n12));
  static_assert(fails_with<algorithms>(with(rsp11, 7, 2), errc::reserved_nonzero, n11));
  static_assert(fails_with<algorithms>(with(rsp10, 2, 1), errc::reserved_nonzero, n10));
  static_assert(fails_with<negotiate_algorithms>(with(req12_ext, 33, 1), errc::reserved_nonzero, n12));
  // Counts: AlgStructs over 4, ext counts over the maximum, ext selections over 1.
  static_assert(fails_with<negotiate_algorithms>(with(req12, 2, 5), errc::out_of_range, n12));
  static_assert(fails_with<negotiate_algorithms>(with(with(req10, 28, 5), 29, 4), errc::out_of_range, n10));
  static_assert(fails_with<algorithms>(with(rsp12, 32, 2), errc::out_of_range, n12));
  // AlgStructs: FixedAlgCount, unknown type, order; ALGORITHMS selections naming two algorithms.
  static_assert(fails_with<negotiate_algorithms>(with(req12, 33, 0x30), errc::invalid_field, n12));
  static_assert(fails_with<negotiate_algorithms>(with(req12, 32, 7), errc::invalid_field, n12));
  static_assert(fails_with<negotiate_algorithms>(with(req12, 36, 2), errc::invalid_field, n12));
  static_assert(fails_with<algorithms>(with(rsp12, 37, 0x30), errc::invalid_field, n12));
  static_assert(fails_with<algorithms>(with(rsp12, 38, 0x30), errc::invalid_field, n12));
  static_assert(fails_with<algorithms>(with(rsp12, 12, 0x81), errc::invalid_field, n12));
  static_assert(fails_with<algorithms>(with(rsp12, 7, 0x03), errc::invalid_field, n12));
  CHECK(fails_with<algorithms>(with(rsp12, 38, 0x30), errc::invalid_field, n12));
}

TEST_CASE("NEGOTIATE_ALGORITHMS Length maximum per version", "[spdm][algorithms]") {
  // 1.0: 0x40 bytes at most; a request with 9 ExtAsym entries is 68 bytes.
  std::array<std::byte, 68> big{};
  for (std::size_t i = 0; i < req10.size(); ++i) big[i] = req10[i];
  big[4] = std::byte{68};
  big[28] = std::byte{9};
  CHECK(negotiate_algorithms::decode(big, n10) == errc::out_of_range);
  big[0] = std::byte{0x11};
  CHECK(negotiate_algorithms::decode(big, n11).has_value());
}
