// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the secured-session tests (host side: std::vector and friends are fine).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "pmci/core/bytes.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/spdm/types.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

namespace pmci::spdm::session_test {

using bytes = std::vector<std::byte>;

inline bytes hx(const std::string& s) { return pmci::test::from_hex(s); }
inline std::string hex(bytes_view v) { return pmci::test::to_hex(bytes(v.begin(), v.end())); }
inline bytes to_bytes(bytes_view v) { return bytes(v.begin(), v.end()); }

/// SPDM wire algorithm -> crypto identifier (the captures use SHA-2, ECDSA, NIST curves, AES-GCM
/// and ChaCha20-Poly1305 only).
inline crypto::hash_alg hash_of(base_hash h) {
  switch (h) {
    case base_hash::sha256: return crypto::hash_alg::sha256;
    case base_hash::sha384: return crypto::hash_alg::sha384;
    case base_hash::sha512: return crypto::hash_alg::sha512;
    default: FAIL("hash not in the captures"); return crypto::hash_alg::sha256;
  }
}
inline crypto::aead_alg aead_of(aead_suite a) {
  switch (a) {
    case aead_suite::aes_128_gcm: return crypto::aead_alg::aes128_gcm;
    case aead_suite::aes_256_gcm: return crypto::aead_alg::aes256_gcm;
    case aead_suite::chacha20_poly1305: return crypto::aead_alg::chacha20_poly1305;
    default: FAIL("AEAD not in the captures"); return crypto::aead_alg::aes256_gcm;
  }
}

}  // namespace pmci::spdm::session_test
