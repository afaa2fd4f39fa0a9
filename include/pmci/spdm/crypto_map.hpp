// SPDX-License-Identifier: Apache-2.0
// SPDM wire algorithms (types.hpp bitmask values, spdm.md §5.3/§5.4) -> crypto policy identifiers
// (pmci/crypto/algorithms.hpp dense ids). The engines negotiate with the former and call the
// crypto policy with the latter. An SPDM algorithm the crypto layer has no identifier for (SM2,
// SM3, SM4, "raw bit stream") maps to std::nullopt; so does a value with zero or several bits set.
#pragma once
#include <optional>

#include "pmci/crypto/algorithms.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

constexpr std::optional<crypto::hash_alg> to_crypto(base_hash h) noexcept {
  switch (h) {
    case base_hash::sha256: return crypto::hash_alg::sha256;
    case base_hash::sha384: return crypto::hash_alg::sha384;
    case base_hash::sha512: return crypto::hash_alg::sha512;
    case base_hash::sha3_256: return crypto::hash_alg::sha3_256;
    case base_hash::sha3_384: return crypto::hash_alg::sha3_384;
    case base_hash::sha3_512: return crypto::hash_alg::sha3_512;
    default: return std::nullopt;  // SM3, none, several bits
  }
}

/// MeasurementHashAlgo -> hash (raw bit stream and SM3 have none).
constexpr std::optional<crypto::hash_alg> to_crypto(meas_hash h) noexcept {
  switch (h) {
    case meas_hash::sha256: return crypto::hash_alg::sha256;
    case meas_hash::sha384: return crypto::hash_alg::sha384;
    case meas_hash::sha512: return crypto::hash_alg::sha512;
    case meas_hash::sha3_256: return crypto::hash_alg::sha3_256;
    case meas_hash::sha3_384: return crypto::hash_alg::sha3_384;
    case meas_hash::sha3_512: return crypto::hash_alg::sha3_512;
    default: return std::nullopt;
  }
}

constexpr std::optional<crypto::sig_alg> to_crypto(base_asym a) noexcept {
  switch (a) {
    case base_asym::rsassa_2048: return crypto::sig_alg::rsassa_2048;
    case base_asym::rsapss_2048: return crypto::sig_alg::rsapss_2048;
    case base_asym::rsassa_3072: return crypto::sig_alg::rsassa_3072;
    case base_asym::rsapss_3072: return crypto::sig_alg::rsapss_3072;
    case base_asym::ecdsa_p256: return crypto::sig_alg::ecdsa_p256;
    case base_asym::rsassa_4096: return crypto::sig_alg::rsassa_4096;
    case base_asym::rsapss_4096: return crypto::sig_alg::rsapss_4096;
    case base_asym::ecdsa_p384: return crypto::sig_alg::ecdsa_p384;
    case base_asym::ecdsa_p521: return crypto::sig_alg::ecdsa_p521;
    case base_asym::eddsa_ed25519: return crypto::sig_alg::ed25519;
    case base_asym::eddsa_ed448: return crypto::sig_alg::ed448;
    default: return std::nullopt;  // SM2, none, several bits
  }
}

constexpr std::optional<crypto::dhe_alg> to_crypto(dhe_group g) noexcept {
  switch (g) {
    case dhe_group::ffdhe2048: return crypto::dhe_alg::ffdhe2048;
    case dhe_group::ffdhe3072: return crypto::dhe_alg::ffdhe3072;
    case dhe_group::ffdhe4096: return crypto::dhe_alg::ffdhe4096;
    case dhe_group::secp256r1: return crypto::dhe_alg::secp256r1;
    case dhe_group::secp384r1: return crypto::dhe_alg::secp384r1;
    case dhe_group::secp521r1: return crypto::dhe_alg::secp521r1;
    default: return std::nullopt;
  }
}

constexpr std::optional<crypto::aead_alg> to_crypto(aead_suite a) noexcept {
  switch (a) {
    case aead_suite::aes_128_gcm: return crypto::aead_alg::aes128_gcm;
    case aead_suite::aes_256_gcm: return crypto::aead_alg::aes256_gcm;
    case aead_suite::chacha20_poly1305: return crypto::aead_alg::chacha20_poly1305;
    default: return std::nullopt;
  }
}

}  // namespace pmci::spdm
