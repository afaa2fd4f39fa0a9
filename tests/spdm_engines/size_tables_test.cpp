// SPDX-License-Identifier: Apache-2.0
// introduced_in() and the signature_size() functions read compile-time tables built from their
// rules (types.hpp, crypto/algorithms.hpp, core/size_table.hpp; issue 9 footprint): the tables must answer what the rules answer, for
// every code byte and for every AsymAlgo value shape (no bit, one bit, several bits).
#include <cstdint>

#include "pmci/core/size_table.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/spdm/types.hpp"
#include "support/catch.hpp"

using namespace pmci::spdm;

namespace {
constexpr bool codes_agree() {
  for (unsigned c = 0; c < 256; ++c)
    if (introduced_in(static_cast<code>(c)) != detail::introduced_in_rule(static_cast<code>(c))) return false;
  return true;
}
constexpr bool signature_sizes_agree() {
  for (unsigned b = 0; b < 32; ++b) {
    const auto one = static_cast<base_asym>(std::uint32_t{1} << b);
    if (signature_size(one) != detail::signature_size_rule(b)) return false;
    const auto two = static_cast<base_asym>((std::uint32_t{1} << b) | (std::uint32_t{1} << ((b + 1) % 32)));
    if (signature_size(two) != 0) return false;
  }
  return signature_size(base_asym{}) == 0 && signature_size(static_cast<base_asym>(0xFFFFFFFFu)) == 0;
}
constexpr bool sig_alg_sizes_agree() {
  for (unsigned i = 0; i < 256; ++i)
    if (pmci::crypto::signature_size(static_cast<pmci::crypto::sig_alg>(i)) != pmci::crypto::detail::signature_size_rule(i))
      return false;
  return true;
}
constexpr std::size_t sparse_rule(std::size_t i) noexcept { return i == 3 ? 7 : i == 9 ? 300 : 0; }
}  // namespace

TEST_CASE("introduced_in's table answers as its rule for every code byte", "[spdm][types][footprint]") {
  static_assert(codes_agree());
  CHECK(codes_agree());
  CHECK(introduced_in(code::get_version) == version::v1_0);
  CHECK(introduced_in(code::error) == version::v1_0);
  CHECK(introduced_in(code::respond_if_ready) == version::v1_0);
  CHECK(introduced_in(code::key_exchange_rsp) == version::v1_1);
  CHECK(introduced_in(code::end_session) == version::v1_1);
  CHECK(introduced_in(code::chunk_get) == version::v1_2);
  CHECK(introduced_in(code::set_certificate_rsp) == version::v1_2);
  CHECK(introduced_in(static_cast<code>(0x00)) == version::v1_3);  // not a code: the rule's default
}

TEST_CASE("signature_size's table answers as its rule for every AsymAlgo shape", "[spdm][types][footprint]") {
  static_assert(signature_sizes_agree());
  CHECK(signature_sizes_agree());
  CHECK(signature_size(base_asym::rsassa_2048) == 256);
  CHECK(signature_size(base_asym::rsapss_3072) == 384);
  CHECK(signature_size(base_asym::rsassa_4096) == 512);
  CHECK(signature_size(base_asym::ecdsa_p256) == 64);
  CHECK(signature_size(base_asym::ecdsa_p384) == 96);
  CHECK(signature_size(base_asym::ecdsa_p521) == 132);
  CHECK(signature_size(base_asym::sm2_p256) == 64);
  CHECK(signature_size(base_asym::eddsa_ed25519) == 64);
  CHECK(signature_size(base_asym::eddsa_ed448) == 114);
  CHECK(signature_size(base_asym::ecdsa_p256 | base_asym::ecdsa_p384) == 0);
}

TEST_CASE("crypto::signature_size's table answers as its rule for every sig_alg byte", "[crypto][footprint]") {
  static_assert(sig_alg_sizes_agree());
  CHECK(sig_alg_sizes_agree());
  using pmci::crypto::sig_alg;
  CHECK(pmci::crypto::signature_size(sig_alg::rsassa_2048) == 256);
  CHECK(pmci::crypto::signature_size(sig_alg::rsapss_4096) == 512);
  CHECK(pmci::crypto::signature_size(sig_alg::ecdsa_p384) == 96);
  CHECK(pmci::crypto::signature_size(sig_alg::ecdsa_p521) == 132);
  CHECK(pmci::crypto::signature_size(sig_alg::ed25519) == 64);
  CHECK(pmci::crypto::signature_size(sig_alg::ed448) == 114);
}

TEST_CASE("size_table stops at the last non-zero size and answers 0 past it", "[core][footprint]") {
  static_assert(pmci::detail::size_table<16, sparse_rule>.size() == 10);
  static_assert(pmci::detail::size_table<8, sparse_rule>.size() == 4);  // index 9 is past Limit
  for (std::size_t i = 0; i < 20; ++i) {
    INFO(i);
    CHECK(pmci::detail::table_size<16, sparse_rule>(i) == sparse_rule(i));
  }
  CHECK(pmci::detail::table_size<8, sparse_rule>(9) == 0);
  CHECK(pmci::detail::table_size<16, sparse_rule>(~std::size_t{0}) == 0);
}
