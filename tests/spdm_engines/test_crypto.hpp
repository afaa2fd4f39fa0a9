// SPDX-License-Identifier: Apache-2.0
// A cheap, deterministic, allocation-free crypto policy for the engine tests and fuzzers.
//
//   * hashing: a plain software SHA-256 / SHA-384 / SHA-512 (FIPS 180-4; round constants computed
//     from the primes, checked against OpenSSL in the tests), so transcripts are real and can be
//     compared with captured traffic;
//   * "signatures": NOT cryptographic. A key is a 32-byte id; sig(key, d) expands SHA-256(key ‖ d)
//     to the algorithm's signature size, where d = Hash(message) (sign) or the digest
//     (sign_digest), so sign(m) == sign_digest(Hash(m)) exactly like ECDSA/RSA;
//   * certificate "validation": the first certificate must equal a trust anchor byte for byte;
//     the leaf's key id is SHA-256(leaf certificate);
//   * random: a scripted queue of byte strings (replaying captured nonces), then a xorshift stream.
//
// Test-only (tests/ and fuzz/): it proves nothing about real signatures; the OpenSSL-based tests
// do that.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/spdm/cert_chain.hpp"

namespace pmci::test {

namespace sha2 {
inline constexpr std::array<std::uint32_t, 64> k256{
    0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
    0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
    0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
    0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
    0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
    0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
    0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
    0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
};
inline constexpr std::array<std::uint32_t, 8> h256{
    0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au, 0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u,
};
inline constexpr std::array<std::uint64_t, 80> k512{
    0x428a2f98d728ae22ull, 0x7137449123ef65cdull, 0xb5c0fbcfec4d3b2full, 0xe9b5dba58189dbbcull,
    0x3956c25bf348b538ull, 0x59f111f1b605d019ull, 0x923f82a4af194f9bull, 0xab1c5ed5da6d8118ull,
    0xd807aa98a3030242ull, 0x12835b0145706fbeull, 0x243185be4ee4b28cull, 0x550c7dc3d5ffb4e2ull,
    0x72be5d74f27b896full, 0x80deb1fe3b1696b1ull, 0x9bdc06a725c71235ull, 0xc19bf174cf692694ull,
    0xe49b69c19ef14ad2ull, 0xefbe4786384f25e3ull, 0x0fc19dc68b8cd5b5ull, 0x240ca1cc77ac9c65ull,
    0x2de92c6f592b0275ull, 0x4a7484aa6ea6e483ull, 0x5cb0a9dcbd41fbd4ull, 0x76f988da831153b5ull,
    0x983e5152ee66dfabull, 0xa831c66d2db43210ull, 0xb00327c898fb213full, 0xbf597fc7beef0ee4ull,
    0xc6e00bf33da88fc2ull, 0xd5a79147930aa725ull, 0x06ca6351e003826full, 0x142929670a0e6e70ull,
    0x27b70a8546d22ffcull, 0x2e1b21385c26c926ull, 0x4d2c6dfc5ac42aedull, 0x53380d139d95b3dfull,
    0x650a73548baf63deull, 0x766a0abb3c77b2a8ull, 0x81c2c92e47edaee6ull, 0x92722c851482353bull,
    0xa2bfe8a14cf10364ull, 0xa81a664bbc423001ull, 0xc24b8b70d0f89791ull, 0xc76c51a30654be30ull,
    0xd192e819d6ef5218ull, 0xd69906245565a910ull, 0xf40e35855771202aull, 0x106aa07032bbd1b8ull,
    0x19a4c116b8d2d0c8ull, 0x1e376c085141ab53ull, 0x2748774cdf8eeb99ull, 0x34b0bcb5e19b48a8ull,
    0x391c0cb3c5c95a63ull, 0x4ed8aa4ae3418acbull, 0x5b9cca4f7763e373ull, 0x682e6ff3d6b2b8a3ull,
    0x748f82ee5defb2fcull, 0x78a5636f43172f60ull, 0x84c87814a1f0ab72ull, 0x8cc702081a6439ecull,
    0x90befffa23631e28ull, 0xa4506cebde82bde9ull, 0xbef9a3f7b2c67915ull, 0xc67178f2e372532bull,
    0xca273eceea26619cull, 0xd186b8c721c0c207ull, 0xeada7dd6cde0eb1eull, 0xf57d4f7fee6ed178ull,
    0x06f067aa72176fbaull, 0x0a637dc5a2c898a6ull, 0x113f9804bef90daeull, 0x1b710b35131c471bull,
    0x28db77f523047d84ull, 0x32caab7b40c72493ull, 0x3c9ebe0a15c9bebcull, 0x431d67c49c100d4cull,
    0x4cc5d4becb3e42b6ull, 0x597f299cfc657e2aull, 0x5fcb6fab3ad6faecull, 0x6c44198c4a475817ull,
};
inline constexpr std::array<std::uint64_t, 8> h512{
    0x6a09e667f3bcc908ull, 0xbb67ae8584caa73bull, 0x3c6ef372fe94f82bull, 0xa54ff53a5f1d36f1ull,
    0x510e527fade682d1ull, 0x9b05688c2b3e6c1full, 0x1f83d9abfb41bd6bull, 0x5be0cd19137e2179ull,
};
inline constexpr std::array<std::uint64_t, 8> h384{
    0xcbbb9d5dc1059ed8ull, 0x629a292a367cd507ull, 0x9159015a3070dd17ull, 0x152fecd8f70e5939ull,
    0x67332667ffc00b31ull, 0x8eb44a8768581511ull, 0xdb0c2e0d64f98fa7ull, 0x47b5481dbefa4fa4ull,
};

constexpr std::uint32_t rotr32(std::uint32_t x, unsigned n) noexcept { return (x >> n) | (x << (32 - n)); }
constexpr std::uint64_t rotr64(std::uint64_t x, unsigned n) noexcept { return (x >> n) | (x << (64 - n)); }

/// One running SHA-2 computation (SHA-256, SHA-384 or SHA-512). Trivially copyable.
struct state {
  crypto::hash_alg alg = crypto::hash_alg::sha256;
  std::array<std::uint64_t, 8> h{};
  std::array<std::byte, 128> block{};
  std::size_t used = 0;
  std::uint64_t total = 0;  // bytes
  bool valid = false;

  [[nodiscard]] constexpr bool wide() const noexcept { return alg != crypto::hash_alg::sha256; }
  [[nodiscard]] constexpr std::size_t block_size() const noexcept { return wide() ? 128 : 64; }

  constexpr bool init(crypto::hash_alg a) noexcept {
    alg = a;
    used = 0;
    total = 0;
    valid = true;
    switch (a) {
      case crypto::hash_alg::sha256:
        for (std::size_t i = 0; i < 8; ++i) h[i] = h256[i];
        return true;
      case crypto::hash_alg::sha384: h = h384; return true;
      case crypto::hash_alg::sha512: h = h512; return true;
      default: valid = false; return false;
    }
  }

  constexpr void compress() noexcept {
    if (!wide()) {
      std::array<std::uint32_t, 64> w{};
      for (std::size_t i = 0; i < 16; ++i)
        w[i] = (std::to_integer<std::uint32_t>(block[4 * i]) << 24) | (std::to_integer<std::uint32_t>(block[4 * i + 1]) << 16) |
               (std::to_integer<std::uint32_t>(block[4 * i + 2]) << 8) | std::to_integer<std::uint32_t>(block[4 * i + 3]);
      for (std::size_t i = 16; i < 64; ++i) {
        const std::uint32_t s0 = rotr32(w[i - 15], 7) ^ rotr32(w[i - 15], 18) ^ (w[i - 15] >> 3);
        const std::uint32_t s1 = rotr32(w[i - 2], 17) ^ rotr32(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
      }
      std::array<std::uint32_t, 8> v{};
      for (std::size_t i = 0; i < 8; ++i) v[i] = static_cast<std::uint32_t>(h[i]);
      for (std::size_t i = 0; i < 64; ++i) {
        const std::uint32_t S1 = rotr32(v[4], 6) ^ rotr32(v[4], 11) ^ rotr32(v[4], 25);
        const std::uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        const std::uint32_t t1 = v[7] + S1 + ch + k256[i] + w[i];
        const std::uint32_t S0 = rotr32(v[0], 2) ^ rotr32(v[0], 13) ^ rotr32(v[0], 22);
        const std::uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        const std::uint32_t t2 = S0 + maj;
        v[7] = v[6]; v[6] = v[5]; v[5] = v[4]; v[4] = v[3] + t1;
        v[3] = v[2]; v[2] = v[1]; v[1] = v[0]; v[0] = t1 + t2;
      }
      for (std::size_t i = 0; i < 8; ++i) h[i] = static_cast<std::uint32_t>(h[i] + v[i]);
    } else {
      std::array<std::uint64_t, 80> w{};
      for (std::size_t i = 0; i < 16; ++i) {
        std::uint64_t x = 0;
        for (std::size_t j = 0; j < 8; ++j) x = (x << 8) | std::to_integer<std::uint64_t>(block[8 * i + j]);
        w[i] = x;
      }
      for (std::size_t i = 16; i < 80; ++i) {
        const std::uint64_t s0 = rotr64(w[i - 15], 1) ^ rotr64(w[i - 15], 8) ^ (w[i - 15] >> 7);
        const std::uint64_t s1 = rotr64(w[i - 2], 19) ^ rotr64(w[i - 2], 61) ^ (w[i - 2] >> 6);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
      }
      std::array<std::uint64_t, 8> v = h;
      for (std::size_t i = 0; i < 80; ++i) {
        const std::uint64_t S1 = rotr64(v[4], 14) ^ rotr64(v[4], 18) ^ rotr64(v[4], 41);
        const std::uint64_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
        const std::uint64_t t1 = v[7] + S1 + ch + k512[i] + w[i];
        const std::uint64_t S0 = rotr64(v[0], 28) ^ rotr64(v[0], 34) ^ rotr64(v[0], 39);
        const std::uint64_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
        const std::uint64_t t2 = S0 + maj;
        v[7] = v[6]; v[6] = v[5]; v[5] = v[4]; v[4] = v[3] + t1;
        v[3] = v[2]; v[2] = v[1]; v[1] = v[0]; v[0] = t1 + t2;
      }
      for (std::size_t i = 0; i < 8; ++i) h[i] += v[i];
    }
  }

  constexpr void update(bytes_view data) noexcept {
    for (std::byte b : data) {
      block[used++] = b;
      if (used == block_size()) {
        compress();
        used = 0;
      }
    }
    total += data.size();
  }

  [[nodiscard]] constexpr std::size_t digest_size() const noexcept { return crypto::digest_size(alg); }

  constexpr void final(bytes_span out) noexcept {
    const std::uint64_t bits = total * 8;
    const std::size_t len_bytes = wide() ? 16 : 8;
    block[used++] = std::byte{0x80};
    if (used > block_size() - len_bytes) {
      while (used < block_size()) block[used++] = std::byte{0};
      compress();
      used = 0;
    }
    while (used < block_size() - 8) block[used++] = std::byte{0};
    for (std::size_t i = 0; i < 8; ++i) block[used++] = std::byte{static_cast<std::uint8_t>(bits >> (56 - 8 * i))};
    compress();
    const std::size_t n = digest_size();
    for (std::size_t i = 0; i < n; ++i) {
      if (wide())
        out[i] = std::byte{static_cast<std::uint8_t>(h[i / 8] >> (56 - 8 * (i % 8)))};
      else
        out[i] = std::byte{static_cast<std::uint8_t>(h[i / 4] >> (24 - 8 * (i % 4)))};
    }
    valid = false;
  }
};

/// One-shot SHA-2.
constexpr void digest(crypto::hash_alg a, bytes_view data, bytes_span out) noexcept {
  state s;
  s.init(a);
  s.update(data);
  s.final(out);
}
}  // namespace sha2

/// The test policy. All members are cheap and never allocate.
class test_crypto {
 public:
  static constexpr crypto::hash_set hashes{crypto::hash_alg::sha256, crypto::hash_alg::sha384, crypto::hash_alg::sha512};
  static constexpr crypto::sig_set verify_algs{crypto::sig_alg::ecdsa_p256, crypto::sig_alg::ecdsa_p384,
                                               crypto::sig_alg::ecdsa_p521, crypto::sig_alg::rsapss_2048,
                                               crypto::sig_alg::rsapss_3072, crypto::sig_alg::rsassa_3072,
                                               crypto::sig_alg::ed25519};
  static constexpr crypto::sig_set sign_algs = verify_algs;

  using hash_state = sha2::state;
  struct key {
    std::array<std::byte, 32> id{};
    friend constexpr bool operator==(const key&, const key&) = default;
  };
  using sign_key = key;
  using verify_key = key;

  /// Counters, so tests can see what the engines asked for.
  std::size_t sign_calls = 0;
  std::size_t verify_calls = 0;
  /// Fault injection: fail the n-th hash_update from now (0 = never).
  std::size_t fail_hash_update_in = 0;

  // ---- hashing -------------------------------------------------------------------------------
  result<void> hash_init(hash_state& s, crypto::hash_alg a) noexcept {
    if (!s.init(a)) return errc::unsupported;
    return ok();
  }
  result<void> hash_update(hash_state& s, bytes_view data) noexcept {
    if (fail_hash_update_in != 0 && --fail_hash_update_in == 0) return errc::crypto_failure;
    if (!s.valid) return errc::crypto_failure;
    s.update(data);
    return ok();
  }
  result<void> hash_final(hash_state& s, bytes_span out) noexcept {
    if (!s.valid) return errc::crypto_failure;
    if (out.size() < s.digest_size()) return errc::buffer_too_small;
    s.final(out);
    return ok();
  }

  // ---- keys ----------------------------------------------------------------------------------
  /// The key id that belongs to a leaf certificate.
  static key key_for(bytes_view leaf_cert) noexcept {
    key k;
    sha2::digest(crypto::hash_alg::sha256, leaf_cert, k.id);
    return k;
  }
  result<verify_key> import_public_key(crypto::sig_alg, bytes_view spki) noexcept {
    if (spki.empty()) return errc::invalid_field;
    return key_for(spki);
  }

  // ---- "signatures" --------------------------------------------------------------------------
  result<void> sign_digest(const sign_key& k, crypto::sig_alg a, crypto::hash_alg, bytes_view digest, bytes_span out) noexcept {
    ++sign_calls;
    if (out.size() < crypto::signature_size(a)) return errc::buffer_too_small;
    expand(k, a, digest, out.first(crypto::signature_size(a)));
    return ok();
  }
  result<void> sign(const sign_key& k, crypto::sig_alg a, crypto::hash_alg h, bytes_view message, bytes_span out,
                    bytes_view) noexcept {
    std::array<std::byte, 64> d{};
    sha2::digest(h, message, d);
    return sign_digest(k, a, h, bytes_view{d}.first(crypto::digest_size(h)), out);
  }
  result<void> verify_digest(const verify_key& k, crypto::sig_alg a, crypto::hash_alg, bytes_view digest,
                             bytes_view signature) noexcept {
    ++verify_calls;
    std::array<std::byte, crypto::max_signature_size> expect{};
    if (signature.size() != crypto::signature_size(a)) return errc::verify_failed;
    expand(k, a, digest, std::span{expect}.first(signature.size()));
    return equal(signature, bytes_view{expect}.first(signature.size())) ? result<void>{} : errc::verify_failed;
  }
  result<void> verify(const verify_key& k, crypto::sig_alg a, crypto::hash_alg h, bytes_view message,
                      bytes_view signature, bytes_view) noexcept {
    std::array<std::byte, 64> d{};
    sha2::digest(h, message, d);
    return verify_digest(k, a, h, bytes_view{d}.first(crypto::digest_size(h)), signature);
  }

  // ---- certificates --------------------------------------------------------------------------
  result<verify_key> verify_cert_chain(bytes_view der_certs, std::span<const bytes_view> anchors,
                                       const crypto::cert_chain_options&) noexcept {
    auto root = spdm::der_sequence_size(der_certs);
    if (!root) return errc::invalid_field;
    bool anchored = false;
    for (bytes_view a : anchors) anchored = anchored || equal(a, der_certs.first(*root));
    if (!anchored) return errc::verify_failed;
    bytes_view leaf = der_certs;
    while (true) {
      auto n = spdm::der_sequence_size(leaf);
      if (!n) return errc::invalid_field;
      if (*n == leaf.size()) break;
      leaf = leaf.subspan(*n);
    }
    return key_for(leaf);
  }

  // ---- randomness ----------------------------------------------------------------------------
  /// Queue byte strings to be returned by the next random() calls, one per call, in order
  /// (e.g. the nonces of a capture). Views must outlive their use.
  void script_random(bytes_view bytes) noexcept {
    if (scripted_count_ < scripted_.size()) scripted_[scripted_count_++] = bytes;
  }
  std::size_t unused_scripts() const noexcept { return scripted_count_ - scripted_next_; }
  result<void> random(bytes_span out) noexcept {
    if (scripted_next_ < scripted_count_) {
      const bytes_view s = scripted_[scripted_next_++];
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = i < s.size() ? s[i] : std::byte{0};
      return ok();
    }
    for (auto& b : out) {
      rng_ ^= rng_ << 13;
      rng_ ^= rng_ >> 7;
      rng_ ^= rng_ << 17;
      b = std::byte{static_cast<std::uint8_t>(rng_)};
    }
    return ok();
  }

 private:
  static void expand(const key& k, crypto::sig_alg a, bytes_view digest, bytes_span out) noexcept {
    std::array<std::byte, 32> block{};
    for (std::size_t off = 0, ctr = 0; off < out.size(); off += 32, ++ctr) {
      sha2::state s;
      s.init(crypto::hash_alg::sha256);
      s.update(k.id);
      const std::array<std::byte, 2> tag{std::byte{static_cast<std::uint8_t>(a)}, std::byte{static_cast<std::uint8_t>(ctr)}};
      s.update(tag);
      s.update(digest);
      s.final(block);
      for (std::size_t i = 0; i < 32 && off + i < out.size(); ++i) out[off + i] = block[i];
    }
  }

  std::array<bytes_view, 16> scripted_{};
  std::size_t scripted_count_ = 0;
  std::size_t scripted_next_ = 0;
  std::uint64_t rng_ = 0x9E3779B97F4A7C15ull;
};

static_assert(crypto::hash_policy<test_crypto> && crypto::sign_policy<test_crypto> &&
              crypto::verify_policy<test_crypto> && crypto::random_policy<test_crypto> &&
              crypto::cert_policy<test_crypto>);

}  // namespace pmci::test
