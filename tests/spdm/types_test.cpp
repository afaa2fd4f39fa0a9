// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/types.hpp"

#include <string_view>
#include <vector>

#include "support/catch.hpp"

using namespace pmci::spdm;

namespace {
constexpr bool flags_behave() {
  constexpr auto caps = rsp_cap::cert | rsp_cap::chal | rsp_cap::meas_sig;
  return has(caps, rsp_cap::cert) && !has(caps, rsp_cap::key_ex) && (caps & rsp_cap::meas_mask) == rsp_cap::meas_sig &&
         raw(caps) == 0x16 && single(base_hash::sha384) && !single(base_hash::sha256 | base_hash::sha384);
}
constexpr bool versions_behave() {
  constexpr version_set s{v1_1, v1_3};
  return s.contains(v1_3) && !s.contains(v1_2) && s.highest() == v1_3 && s.lowest() == v1_1 &&
         (s & version_set{v1_2, v1_3}).highest() == v1_3 && version_number{0x1200}.version_byte() == 0x12 &&
         version_number::of(v1_3).raw == 0x1300 && all_versions.bits() == 0xF;
}
}  // namespace

TEST_CASE("SPDM flags and versions", "[spdm][types]") {
  static_assert(flags_behave());
  CHECK(flags_behave());
  static_assert(versions_behave());
  CHECK(versions_behave());
}

TEST_CASE("SPDM codes: names, response mapping, introduction versions", "[spdm][types]") {
  static_assert(response_to(code::get_version) == code::version);
  static_assert(response_to(code::key_exchange) == code::key_exchange_rsp);
  static_assert(introduced_in(code::key_update) == v1_1);
  static_assert(introduced_in(code::chunk_get) == v1_2);
  static_assert(introduced_in(code::get_endpoint_info) == v1_3);
  CHECK(std::string_view(name(code::key_exchange_rsp)) == "KEY_EXCHANGE_RSP");
  CHECK(std::string_view(name(error_code::response_not_ready)) == "ResponseNotReady");
  CHECK(std::string_view(name(static_cast<code>(0x90))) == "UNKNOWN");
}

TEST_CASE("algorithm-dependent sizes (spdm.md §0)", "[spdm][types]") {
  static_assert(hash_size(base_hash::sha384) == 48);
  static_assert(signature_size(base_asym::ecdsa_p521) == 132);
  static_assert(signature_size(base_asym::rsapss_3072) == 384);
  static_assert(exchange_data_size(dhe_group::secp384r1) == 96);
  static_assert(shared_secret_size(dhe_group::secp521r1) == 66);
  static_assert(aead_key_size(aead_suite::chacha20_poly1305) == 32);
  constexpr negotiated n{.ver = v1_2, .hash = base_hash::sha384, .asym = base_asym::ecdsa_p384,
                         .dhe = dhe_group::secp384r1, .other_params = 0x02};
  static_assert(n.h() == 48 && n.s() == 96 && n.d() == 96 && n.opaque_fmt1());
  CHECK(n.h() == 48);
}

TEST_CASE("hash sizes from the nibble table agree with the DSP0274 list", "[spdm][types][footprint]") {
  // hash_size() reads detail::hash_size_nibbles; this is DSP0274's list (spdm.md §0, §5.4):
  // every single bit, none, and every pair of bits (several bits name no hash).
  struct listed_hash {
    base_hash base;
    meas_hash meas;
    std::size_t size;
  };
  constexpr listed_hash listed[] = {
      {base_hash::sha256, meas_hash::sha256, 32},     {base_hash::sha384, meas_hash::sha384, 48},
      {base_hash::sha512, meas_hash::sha512, 64},     {base_hash::sha3_256, meas_hash::sha3_256, 32},
      {base_hash::sha3_384, meas_hash::sha3_384, 48}, {base_hash::sha3_512, meas_hash::sha3_512, 64},
      {base_hash::sm3_256, meas_hash::sm3_256, 32},
  };
  const auto size_of = [&](std::uint32_t v, bool meas) -> std::size_t {
    for (const auto& l : listed)
      if (v == (meas ? raw(l.meas) : raw(l.base))) return l.size;
    return 0;
  };
  std::vector<std::uint32_t> values{0, 0xFFFFFFFFu};
  for (unsigned i = 0; i < 32; ++i) {
    values.push_back(1u << i);
    for (unsigned j = i + 1; j < 32; ++j) values.push_back((1u << i) | (1u << j));
  }
  for (const std::uint32_t v : values) {
    INFO(v);
    CHECK(hash_size(static_cast<base_hash>(v)) == size_of(v, false));
    CHECK(hash_size(static_cast<meas_hash>(v)) == size_of(v, true));
  }
  static_assert(hash_size(meas_hash::raw_bit_stream) == 0 && hash_size(meas_hash::sm3_256) == 32);
  static_assert(hash_size(base_hash::sha3_512) == 64 && hash_size(base_hash::none) == 0);
}
