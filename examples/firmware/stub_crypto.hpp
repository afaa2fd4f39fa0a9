// SPDX-License-Identifier: Apache-2.0
// A stand-in crypto backend for the footprint images. NOT CRYPTOGRAPHY: every function only mixes
// its inputs into its outputs so that results depend on data the compiler cannot see.
//
// Why it exists: the reference figures exclude the crypto backend (it is the user's
// mbedTLS/PSA/hardware accelerator, shared with the rest of the firmware), so the images link
// pmci against a policy that costs nothing measurable yet hides its behaviour. Every member is
// declared here and defined out of line, [[gnu::noinline]], in stub_crypto.cpp (its own
// translation unit, no LTO), so the optimizer cannot prove that a signature always verifies or
// a hash is constant and then delete the pmci code that depends on it. The report counts
// stub_crypto.cpp separately ("crypto stub"), never as pmci.
//
// `fw::stub_crypto` models every role of pmci/crypto/concepts.hpp for the algorithms
// (SHA-384, ECDSA P-384, ECDHE secp384r1, AES-256-GCM), plus native HMAC and HKDF: a firmware
// backend (PSA: psa_mac_compute, psa_key_derivation) has them, so pmci's generic HMAC/HKDF over
// the hash role would not be linked in a real product either.
//
// State sizes are those of a real backend, because pmci objects embed them (transcripts are
// running hash states): hash_state is sized like mbedTLS 3's SHA-512/384 context on a 32-bit
// target (2 x u64 total + 8 x u64 state + 128-byte block + int is384 = 212, aligned to 216 B);
// key handles are 32-bit ids (PSA key ids; AEAD keys stay in the backend).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/core/result.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"

namespace fw {

class stub_crypto {
 public:
  using bytes_view = pmci::bytes_view;
  using bytes_span = pmci::bytes_span;
  using hash_alg = pmci::crypto::hash_alg;
  using sig_alg = pmci::crypto::sig_alg;
  using dhe_alg = pmci::crypto::dhe_alg;
  using aead_alg = pmci::crypto::aead_alg;

  static constexpr pmci::crypto::hash_set hashes{hash_alg::sha384};
  static constexpr pmci::crypto::sig_set verify_algs{sig_alg::ecdsa_p384};
  static constexpr pmci::crypto::sig_set sign_algs{sig_alg::ecdsa_p384};
  static constexpr pmci::crypto::dhe_set dhe_groups{dhe_alg::secp384r1};
  static constexpr pmci::crypto::aead_set aeads{aead_alg::aes256_gcm};

  /// Opaque running hash (sized like a real SHA-384 context, see above).
  struct hash_state {
    alignas(8) std::array<std::byte, 216> opaque{};
  };
  struct verify_key {
    std::uint32_t id = 0;
  };
  struct sign_key {
    std::uint32_t id = 0;  ///< e.g. the PSA key id of certificate slot 0's private key
  };
  struct dhe_key {
    std::uint32_t id = 0;
  };
  struct aead_key {
    std::uint32_t id = 0;
  };

  // hash_policy
  pmci::result<void> hash_init(hash_state& s, hash_alg a) noexcept;
  pmci::result<void> hash_update(hash_state& s, bytes_view data) noexcept;
  pmci::result<void> hash_final(hash_state& s, bytes_span out) noexcept;
  // native_hmac, native_hkdf
  pmci::result<void> hmac(hash_alg a, bytes_view key, bytes_view data, bytes_span out) noexcept;
  pmci::result<void> hkdf_extract(hash_alg a, bytes_view salt, bytes_view ikm, bytes_span out) noexcept;
  pmci::result<void> hkdf_expand(hash_alg a, bytes_view prk, bytes_view info, bytes_span out) noexcept;
  // verify_policy, cert_policy
  pmci::result<verify_key> import_public_key(sig_alg s, bytes_view spki_der) noexcept;
  pmci::result<void> verify(const verify_key& k, sig_alg s, hash_alg h, bytes_view message, bytes_view signature,
                            bytes_view context) noexcept;
  pmci::result<void> verify_digest(const verify_key& k, sig_alg s, hash_alg h, bytes_view digest,
                                   bytes_view signature) noexcept;
  pmci::result<verify_key> verify_cert_chain(bytes_view der_certs, std::span<const bytes_view> trust_anchors,
                                             const pmci::crypto::cert_chain_options& options) noexcept;
  // sign_policy
  pmci::result<void> sign(const sign_key& k, sig_alg s, hash_alg h, bytes_view message, bytes_span out,
                          bytes_view context) noexcept;
  pmci::result<void> sign_digest(const sign_key& k, sig_alg s, hash_alg h, bytes_view digest, bytes_span out) noexcept;
  // dhe_policy
  pmci::result<dhe_key> dhe_generate(dhe_alg g, bytes_span public_out) noexcept;
  pmci::result<void> dhe_compute(dhe_key& k, bytes_view peer_public, bytes_span secret_out) noexcept;
  // aead_policy
  pmci::result<aead_key> aead_import(aead_alg a, bytes_view key) noexcept;
  pmci::result<void> aead_seal(const aead_key& k, bytes_view nonce, bytes_view aad, bytes_view plaintext,
                               bytes_span out) noexcept;
  pmci::result<void> aead_open(const aead_key& k, bytes_view nonce, bytes_view aad, bytes_view ciphertext_and_tag,
                               bytes_span out) noexcept;
  // random_policy
  pmci::result<void> random(bytes_span out) noexcept;
};

static_assert(pmci::crypto::full_policy<stub_crypto> && pmci::crypto::cert_policy<stub_crypto> &&
              pmci::crypto::native_hmac<stub_crypto> && pmci::crypto::native_hkdf<stub_crypto>);
static_assert(pmci::crypto::check_policy<stub_crypto, pmci::crypto::need::hash<pmci::crypto::hash_alg::sha384>,
                                         pmci::crypto::need::sign<pmci::crypto::sig_alg::ecdsa_p384>,
                                         pmci::crypto::need::verify<pmci::crypto::sig_alg::ecdsa_p384>,
                                         pmci::crypto::need::dhe<pmci::crypto::dhe_alg::secp384r1>,
                                         pmci::crypto::need::aead<pmci::crypto::aead_alg::aes256_gcm>,
                                         pmci::crypto::need::randomness>());

/// Stand-in for the device data an SPDM responder reports (its certificate chain, measurement
/// digests, pre-shared key), opaque like the crypto stub: in flash / OTP on a real device.
namespace stub_device {
/// The DER certificates of `slot`, root first (empty when the slot is not provisioned).
pmci::bytes_view certificate_chain(std::uint8_t slot) noexcept;
/// The digest (SHA-384, 48 bytes) of measurement `index` (1..4); empty when absent.
pmci::bytes_view measurement_digest(std::uint8_t index) noexcept;
/// The pre-shared key for a PSK_EXCHANGE hint (empty: no such key).
pmci::bytes_view psk(pmci::bytes_view hint) noexcept;
}  // namespace stub_device

}  // namespace fw
