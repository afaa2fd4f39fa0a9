// SPDX-License-Identifier: Apache-2.0
// Cryptographic algorithm identifiers and their sizes, independent of any protocol.
//
// These enums name what a crypto policy can do; the SPDM layer maps its wire bitmasks
// (BaseHashAlgo, BaseAsymAlgo, DHE, AEADCipherSuite; spdm.md §5.3/§5.4) onto them. The values
// are dense indices (they are bit positions in alg_set), NOT SPDM bit values.
//
// Sizes follow spdm.md §0 (libspdm_crypt_hash.c / _asym.c / _dhe.c / _aead.c):
//   ECDSA signature = r‖s big-endian, each padded to the curve size (P-521: 66 + 66 = 132);
//   ECDHE public key = X‖Y big-endian, each padded to the field size; shared secret = X;
//   FFDHE public key and shared secret = group size, big-endian, left-padded with zeros.
#pragma once
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "pmci/core/size_table.hpp"

namespace pmci::crypto {

/// Hash functions (SHA-2 and SHA-3 fixed-length families).
enum class hash_alg : std::uint8_t { sha256, sha384, sha512, sha3_256, sha3_384, sha3_512 };

/// Signature schemes. RSA-PSS always uses salt length = hash length and MGF1 with the same
/// hash (spdm.md §16.2); RSA modulus sizes are part of the identifier as in SPDM.
enum class sig_alg : std::uint8_t {
  rsassa_2048, rsassa_3072, rsassa_4096,  ///< RSASSA-PKCS1-v1_5
  rsapss_2048, rsapss_3072, rsapss_4096,  ///< RSASSA-PSS
  ecdsa_p256, ecdsa_p384, ecdsa_p521,     ///< ECDSA on NIST curves
  ed25519, ed448,                         ///< EdDSA (RFC 8032), pure
};

/// Ephemeral Diffie-Hellman groups.
enum class dhe_alg : std::uint8_t { ffdhe2048, ffdhe3072, ffdhe4096, secp256r1, secp384r1, secp521r1 };

/// AEAD ciphers (all with a 12-byte nonce and a 16-byte tag).
enum class aead_alg : std::uint8_t { aes128_gcm, aes256_gcm, chacha20_poly1305 };

// ---- sizes -------------------------------------------------------------------------------------

inline constexpr std::size_t max_digest_size = 64;
/// Largest HMAC block size of the hashes above (SHA3-256: 136 bytes).
inline constexpr std::size_t max_hash_block_size = 136;
inline constexpr std::size_t max_signature_size = 512;        // RSA-4096
inline constexpr std::size_t max_dhe_public_key_size = 512;   // FFDHE4096
inline constexpr std::size_t max_dhe_shared_secret_size = 512;
inline constexpr std::size_t max_aead_key_size = 32;
inline constexpr std::size_t aead_nonce_size = 12;
inline constexpr std::size_t aead_tag_size = 16;

[[nodiscard]] constexpr std::size_t digest_size(hash_alg a) noexcept {
  switch (a) {
    case hash_alg::sha256: case hash_alg::sha3_256: return 32;
    case hash_alg::sha384: case hash_alg::sha3_384: return 48;
    case hash_alg::sha512: case hash_alg::sha3_512: return 64;
  }
  return 0;
}

/// Input block size (the B of RFC 2104 HMAC).
[[nodiscard]] constexpr std::size_t block_size(hash_alg a) noexcept {
  switch (a) {
    case hash_alg::sha256: return 64;
    case hash_alg::sha384: case hash_alg::sha512: return 128;
    case hash_alg::sha3_256: return 136;  // FIPS 202: rate = 1600 - 2*256 bits
    case hash_alg::sha3_384: return 104;
    case hash_alg::sha3_512: return 72;
  }
  return 0;
}

[[nodiscard]] constexpr bool is_rsa(sig_alg a) noexcept { return a <= sig_alg::rsapss_4096; }
[[nodiscard]] constexpr bool is_rsa_pss(sig_alg a) noexcept {
  return a >= sig_alg::rsapss_2048 && a <= sig_alg::rsapss_4096;
}
[[nodiscard]] constexpr bool is_ecdsa(sig_alg a) noexcept {
  return a >= sig_alg::ecdsa_p256 && a <= sig_alg::ecdsa_p521;
}
[[nodiscard]] constexpr bool is_eddsa(sig_alg a) noexcept { return a == sig_alg::ed25519 || a == sig_alg::ed448; }

/// RSA modulus size in bits (0 for non-RSA).
[[nodiscard]] constexpr std::size_t rsa_bits(sig_alg a) noexcept {
  switch (a) {
    case sig_alg::rsassa_2048: case sig_alg::rsapss_2048: return 2048;
    case sig_alg::rsassa_3072: case sig_alg::rsapss_3072: return 3072;
    case sig_alg::rsassa_4096: case sig_alg::rsapss_4096: return 4096;
    default: return 0;
  }
}

/// Size in bytes of one coordinate / scalar of the curve (0 for non-EC).
[[nodiscard]] constexpr std::size_t ec_field_size(sig_alg a) noexcept {
  switch (a) {
    case sig_alg::ecdsa_p256: return 32;
    case sig_alg::ecdsa_p384: return 48;
    case sig_alg::ecdsa_p521: return 66;
    default: return 0;
  }
}

namespace detail {
/// signature_size()'s rule, per sig_alg value; run by the compiler only (core/size_table.hpp).
constexpr std::size_t signature_size_rule(std::size_t i) noexcept {
  const auto a = static_cast<sig_alg>(i);
  if (is_rsa(a)) return rsa_bits(a) / 8;
  if (is_ecdsa(a)) return 2 * ec_field_size(a);
  if (a == sig_alg::ed25519) return 64;
  if (a == sig_alg::ed448) return 114;
  return 0;
}
}  // namespace detail

/// Signature size in SPDM's byte format (spdm.md §0 table).
[[nodiscard]] constexpr std::size_t signature_size(sig_alg a) noexcept {
  return pmci::detail::table_size<256, detail::signature_size_rule>(static_cast<std::size_t>(a));
}

[[nodiscard]] constexpr bool is_ecdhe(dhe_alg a) noexcept { return a >= dhe_alg::secp256r1; }

/// Field size of an ECDHE curve, or the group size of an FFDHE group, in bytes.
[[nodiscard]] constexpr std::size_t dhe_field_size(dhe_alg a) noexcept {
  switch (a) {
    case dhe_alg::ffdhe2048: return 256;
    case dhe_alg::ffdhe3072: return 384;
    case dhe_alg::ffdhe4096: return 512;
    case dhe_alg::secp256r1: return 32;
    case dhe_alg::secp384r1: return 48;
    case dhe_alg::secp521r1: return 66;
  }
  return 0;
}
/// Public key (ExchangeData) size: X‖Y for ECDHE, Y for FFDHE.
[[nodiscard]] constexpr std::size_t dhe_public_key_size(dhe_alg a) noexcept {
  return is_ecdhe(a) ? 2 * dhe_field_size(a) : dhe_field_size(a);
}
/// Shared secret size: the X coordinate for ECDHE, the group size for FFDHE.
[[nodiscard]] constexpr std::size_t dhe_shared_secret_size(dhe_alg a) noexcept { return dhe_field_size(a); }

[[nodiscard]] constexpr std::size_t aead_key_size(aead_alg a) noexcept {
  return a == aead_alg::aes128_gcm ? 16 : 32;
}

// ---- names (diagnostics, tests) ----------------------------------------------------------------

[[nodiscard]] constexpr const char* to_string(hash_alg a) noexcept {
  switch (a) {
    case hash_alg::sha256: return "SHA-256";
    case hash_alg::sha384: return "SHA-384";
    case hash_alg::sha512: return "SHA-512";
    case hash_alg::sha3_256: return "SHA3-256";
    case hash_alg::sha3_384: return "SHA3-384";
    case hash_alg::sha3_512: return "SHA3-512";
  }
  return "?";
}
[[nodiscard]] constexpr const char* to_string(sig_alg a) noexcept {
  switch (a) {
    case sig_alg::rsassa_2048: return "RSASSA-2048";
    case sig_alg::rsassa_3072: return "RSASSA-3072";
    case sig_alg::rsassa_4096: return "RSASSA-4096";
    case sig_alg::rsapss_2048: return "RSAPSS-2048";
    case sig_alg::rsapss_3072: return "RSAPSS-3072";
    case sig_alg::rsapss_4096: return "RSAPSS-4096";
    case sig_alg::ecdsa_p256: return "ECDSA-P256";
    case sig_alg::ecdsa_p384: return "ECDSA-P384";
    case sig_alg::ecdsa_p521: return "ECDSA-P521";
    case sig_alg::ed25519: return "Ed25519";
    case sig_alg::ed448: return "Ed448";
  }
  return "?";
}
[[nodiscard]] constexpr const char* to_string(dhe_alg a) noexcept {
  switch (a) {
    case dhe_alg::ffdhe2048: return "FFDHE2048";
    case dhe_alg::ffdhe3072: return "FFDHE3072";
    case dhe_alg::ffdhe4096: return "FFDHE4096";
    case dhe_alg::secp256r1: return "secp256r1";
    case dhe_alg::secp384r1: return "secp384r1";
    case dhe_alg::secp521r1: return "secp521r1";
  }
  return "?";
}
[[nodiscard]] constexpr const char* to_string(aead_alg a) noexcept {
  switch (a) {
    case aead_alg::aes128_gcm: return "AES-128-GCM";
    case aead_alg::aes256_gcm: return "AES-256-GCM";
    case aead_alg::chacha20_poly1305: return "ChaCha20-Poly1305";
  }
  return "?";
}

// ---- sets ---------------------------------------------------------------------------------------

/// A constexpr set of algorithms of one kind: what a policy supports, what a configuration
/// enables. `static constexpr hash_set hashes{hash_alg::sha256, hash_alg::sha384};`
template <class E>
class alg_set {
  static_assert(std::is_enum_v<E>);

 public:
  using value_type = E;
  constexpr alg_set() noexcept = default;
  template <class... A>
    requires(std::is_same_v<A, E> && ...)
  constexpr alg_set(A... algs) noexcept : bits_((bit(algs) | ... | 0u)) {}  // NOLINT(implicit)

  [[nodiscard]] constexpr bool contains(E a) const noexcept { return (bits_ & bit(a)) != 0; }
  /// True when every algorithm of `other` is in this set.
  [[nodiscard]] constexpr bool contains_all(alg_set other) const noexcept { return (other.bits_ & ~bits_) == 0; }
  [[nodiscard]] constexpr bool empty() const noexcept { return bits_ == 0; }
  [[nodiscard]] constexpr std::uint32_t bits() const noexcept { return bits_; }
  constexpr alg_set& insert(E a) noexcept { bits_ |= bit(a); return *this; }

  friend constexpr alg_set operator|(alg_set a, alg_set b) noexcept { return from_bits(a.bits_ | b.bits_); }
  friend constexpr alg_set operator&(alg_set a, alg_set b) noexcept { return from_bits(a.bits_ & b.bits_); }
  friend constexpr bool operator==(alg_set, alg_set) noexcept = default;

  [[nodiscard]] static constexpr alg_set from_bits(std::uint32_t b) noexcept { alg_set s; s.bits_ = b; return s; }

 private:
  static constexpr std::uint32_t bit(E a) noexcept { return 1u << static_cast<unsigned>(a); }
  std::uint32_t bits_ = 0;
};

using hash_set = alg_set<hash_alg>;
using sig_set = alg_set<sig_alg>;
using dhe_set = alg_set<dhe_alg>;
using aead_set = alg_set<aead_alg>;

}  // namespace pmci::crypto
