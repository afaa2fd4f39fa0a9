// SPDX-License-Identifier: Apache-2.0
// Backend-free parts of the crypto layer: algorithm sizes, algorithm sets, the role concepts and
// check_policy on hand-written policies.
#include <array>

#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/crypto/hkdf.hpp"
#include "pmci/crypto/hmac.hpp"
#include "pmci/crypto/x509.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::crypto;

namespace {

constexpr bool sizes_match_spdm() {
  // spdm.md §0 table.
  return digest_size(hash_alg::sha256) == 32 && digest_size(hash_alg::sha384) == 48 &&
         digest_size(hash_alg::sha512) == 64 && digest_size(hash_alg::sha3_256) == 32 &&
         digest_size(hash_alg::sha3_384) == 48 && digest_size(hash_alg::sha3_512) == 64 &&
         block_size(hash_alg::sha256) == 64 && block_size(hash_alg::sha384) == 128 &&
         block_size(hash_alg::sha3_256) == 136 && block_size(hash_alg::sha3_512) == 72 &&
         signature_size(sig_alg::rsassa_2048) == 256 && signature_size(sig_alg::rsapss_3072) == 384 &&
         signature_size(sig_alg::rsassa_4096) == 512 && signature_size(sig_alg::ecdsa_p256) == 64 &&
         signature_size(sig_alg::ecdsa_p384) == 96 && signature_size(sig_alg::ecdsa_p521) == 132 &&
         signature_size(sig_alg::ed25519) == 64 && signature_size(sig_alg::ed448) == 114 &&
         dhe_public_key_size(dhe_alg::ffdhe2048) == 256 && dhe_public_key_size(dhe_alg::ffdhe4096) == 512 &&
         dhe_public_key_size(dhe_alg::secp256r1) == 64 && dhe_public_key_size(dhe_alg::secp384r1) == 96 &&
         dhe_public_key_size(dhe_alg::secp521r1) == 132 && dhe_shared_secret_size(dhe_alg::secp521r1) == 66 &&
         dhe_shared_secret_size(dhe_alg::ffdhe3072) == 384 && aead_key_size(aead_alg::aes128_gcm) == 16 &&
         aead_key_size(aead_alg::aes256_gcm) == 32 && aead_key_size(aead_alg::chacha20_poly1305) == 32 &&
         is_rsa_pss(sig_alg::rsapss_2048) && !is_rsa_pss(sig_alg::rsassa_4096) && is_ecdsa(sig_alg::ecdsa_p521) &&
         !is_ecdsa(sig_alg::ed25519) && is_eddsa(sig_alg::ed448) && rsa_bits(sig_alg::rsapss_3072) == 3072;
}

constexpr bool sets_work() {
  constexpr hash_set h{hash_alg::sha256, hash_alg::sha384};
  static_assert(h.contains(hash_alg::sha384) && !h.contains(hash_alg::sha512));
  hash_set x;
  if (!x.empty()) return false;
  x.insert(hash_alg::sha512);
  const hash_set u = h | x;
  return u.contains(hash_alg::sha512) && u.contains(hash_alg::sha256) && (u & x) == x && u.contains_all(h) &&
         !h.contains_all(u) && sig_set{sig_alg::ed448}.contains(sig_alg::ed448) &&
         !aead_set{}.contains(aead_alg::aes256_gcm);
}

// A hash-only "accelerator" policy: a toy checksum stands in for the engine (the concept checks
// shapes, not cryptography). Enough for the generic HMAC/HKDF and nothing else.
struct hash_only_policy {
  static constexpr hash_set hashes{hash_alg::sha256};
  struct hash_state {
    std::array<std::uint8_t, 32> acc{};
    std::size_t n = 0;
  };
  result<void> hash_init(hash_state& s, hash_alg a) {
    if (!hashes.contains(a)) return errc::unsupported;
    s = {};
    return ok();
  }
  result<void> hash_update(hash_state& s, bytes_view in) {
    for (auto b : in) {
      s.acc[s.n % 32] = static_cast<std::uint8_t>(s.acc[(s.n + 7) % 32] * 31 + std::to_integer<std::uint8_t>(b));
      ++s.n;
    }
    return ok();
  }
  result<void> hash_final(hash_state& s, bytes_span out) {
    if (out.size() < 32) return errc::buffer_too_small;
    for (std::size_t i = 0; i < 32; ++i) out[i] = std::byte{s.acc[i]};
    return ok();
  }
};

struct no_policy {};

}  // namespace

TEST_CASE("crypto algorithms: sizes") {
  static_assert(sizes_match_spdm());
  CHECK(sizes_match_spdm());
  static_assert(sets_work());
  CHECK(sets_work());
  CHECK(std::string_view(to_string(sig_alg::rsapss_3072)) == "RSAPSS-3072");
  CHECK(std::string_view(to_string(aead_alg::chacha20_poly1305)) == "ChaCha20-Poly1305");
}

TEST_CASE("crypto concepts: roles are independent") {
  STATIC_REQUIRE(hash_policy<hash_only_policy>);
  STATIC_REQUIRE(hmac_capable<hash_only_policy>);
  STATIC_REQUIRE(hkdf_capable<hash_only_policy>);
  STATIC_REQUIRE_FALSE(native_hmac<hash_only_policy>);
  STATIC_REQUIRE_FALSE(verify_policy<hash_only_policy>);
  STATIC_REQUIRE_FALSE(aead_policy<hash_only_policy>);
  STATIC_REQUIRE_FALSE(hash_policy<no_policy>);
  STATIC_REQUIRE(check_policy<hash_only_policy, need::hashing, need::hash<hash_alg::sha256>>());
}

TEST_CASE("crypto generic HMAC/HKDF run on a hash-only policy") {
  hash_only_policy p;
  std::array<std::byte, 32> a{}, b{};
  const std::array<std::byte, 3> key{std::byte{1}, std::byte{2}, std::byte{3}};
  REQUIRE(pmci::crypto::hmac(p, hash_alg::sha256, key, key, a));
  REQUIRE(generic_hmac(p, hash_alg::sha256, key, key, b));
  CHECK(a == b);
  CHECK(pmci::crypto::hmac(p, hash_alg::sha384, key, key, a) == errc::buffer_too_small);
  std::array<std::byte, 48> c{};
  CHECK(pmci::crypto::hmac(p, hash_alg::sha384, key, key, c) == errc::unsupported);
  std::array<std::byte, 100> okm{};
  REQUIRE(hkdf_extract(p, hash_alg::sha256, {}, key, a));
  REQUIRE(hkdf_expand(p, hash_alg::sha256, a, key, okm));
  // Expand is a prefix function: a shorter output is the start of a longer one (RFC 5869 §2.3).
  std::array<std::byte, 40> shorter{};
  REQUIRE(hkdf_expand(p, hash_alg::sha256, a, key, shorter));
  CHECK(std::equal(shorter.begin(), shorter.end(), okm.begin()));
}

// ---- BinConcat (pmci/spdm/session/key_schedule.hpp) --------------------------------------------------
#include "pmci/core/hex.hpp"
#include "pmci/spdm/session/key_schedule.hpp"

namespace {
template <std::size_t N>
constexpr bool bin_concat_is(std::uint8_t version, std::string_view label, std::uint16_t length, std::string_view hex) {
  std::array<std::byte, 64> out{};
  auto n = spdm::bin_concat(version, label, {}, length, out);
  if (!n || *n != N) return false;
  const auto want = hex_bytes<N>(hex);
  for (std::size_t i = 0; i < N; ++i)
    if (out[i] != want[i]) return false;
  return true;
}
constexpr bool bin_concat_vectors() {
  // vectors.md §7, PUBLISHED (spdm-utils libspdm log, SPDM 1.2, SHA-384, AES-256-GCM):
  return bin_concat_is<18>(0x12, spdm::key_label::finished, 0x30, "3000737064 6d312e3220 66696e6973686564") &&
         bin_concat_is<13>(0x12, spdm::key_label::key, 0x20, "2000737064 6d312e3220 6b6579") &&
         bin_concat_is<12>(0x12, spdm::key_label::iv, 0x0c, "0c00737064 6d312e3220 6976") &&
         // DERIVED in vectors.md §7 by the same rule:
         bin_concat_is<17>(0x12, spdm::key_label::derived, 0x30, "3000737064 6d312e3220 64657269766564") &&
         bin_concat_is<21>(0x12, spdm::key_label::traffic_upd, 0x30, "3000737064 6d312e3220 7472616666696320757064") &&
         // The version text follows the SPDM version (secured.md §3.1).
         bin_concat_is<13>(0x13, spdm::key_label::key, 0x20, "2000737064 6d312e3320 6b6579");
}
constexpr bool bin_concat_context_and_errors() {
  std::array<std::byte, 64> out{};
  const std::array<std::byte, 3> th{std::byte{0xAA}, std::byte{0xBB}, std::byte{0xCC}};
  auto n = spdm::bin_concat(0x11, spdm::key_label::req_hs_data, th, 0x20, out);
  if (!n || *n != 2 + 8 + 11 + 3 || out[10] != std::byte{'r'} || out[23] != std::byte{0xCC}) return false;
  if (spdm::bin_concat(0x20, spdm::key_label::key, {}, 32, out) != errc::unsupported) return false;
  std::array<std::byte, 12> small{};
  return spdm::bin_concat(0x12, spdm::key_label::key, {}, 32, small) == errc::buffer_too_small;
}
}  // namespace

TEST_CASE("spdm key schedule: BinConcat bytes") {
  static_assert(bin_concat_vectors());
  CHECK(bin_concat_vectors());
  static_assert(bin_concat_context_and_errors());
  CHECK(bin_concat_context_and_errors());
  STATIC_REQUIRE(sizeof(spdm::session_key_schedule<hash_only_policy, 32>) < sizeof(spdm::session_key_schedule<hash_only_policy>));
}
