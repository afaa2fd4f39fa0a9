// SPDX-License-Identifier: Apache-2.0
// pmci::crypto::psa — the crypto policy on the PSA Certified Crypto API (psa/crypto.h): the API
// of mbedTLS, TF-M and many vendors' secure elements, i.e. what a root of trust has. Tested with
// Debian's mbedTLS 2.28 implementation.
//
// * Keys are PSA key identifiers. A sign_key may wrap a persistent key provisioned in the secure
//   storage or a hardware slot (sign_key::borrow(id)): pmci never sees the private key.
// * Hash states are psa_hash_operation_t (fixed size, copied with psa_hash_clone).
// * HMAC is psa_mac_compute; HKDF is pmci's generic construction over the PSA hash (PSA's key
//   derivation API would need key objects for every intermediate secret).
// * Public keys are imported per verification (volatile keys, destroyed by the handle).
// * This header allocates nothing itself; the PSA implementation has its own key store (mbedTLS:
//   MBEDTLS_PSA_KEY_SLOT_COUNT slots; mbedTLS itself uses its configured allocator for bignums).
// * Certificate chains: the generic validation of x509.hpp through this policy's verify, or
//   psa_x509.hpp (mbedTLS X.509) for a backend-native path.
//
// What it supports is what the implementation declares through PSA_WANT_* (mbedTLS 2.28 on
// Debian: SHA-256/384/512 — no SHA-3; RSASSA-PKCS1-v1_5 and RSA-PSS; ECDSA and ECDH on
// P-256/384/521; AES-GCM and ChaCha20-Poly1305; no EdDSA, no FFDHE).
#pragma once
#include <psa/crypto.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "pmci/core/result.hpp"
#include "pmci/core/secure.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/crypto/der.hpp"
#include "pmci/crypto/hkdf.hpp"
#include "pmci/crypto/hmac.hpp"

namespace pmci::crypto {

namespace psa_detail {
constexpr hash_set supported_hashes() noexcept {
  hash_set s;
#if defined(PSA_WANT_ALG_SHA_256)
  s.insert(hash_alg::sha256);
#endif
#if defined(PSA_WANT_ALG_SHA_384)
  s.insert(hash_alg::sha384);
#endif
#if defined(PSA_WANT_ALG_SHA_512)
  s.insert(hash_alg::sha512);
#endif
#if defined(PSA_WANT_ALG_SHA3_256) && defined(PSA_ALG_SHA3_256)
  s.insert(hash_alg::sha3_256);
#endif
#if defined(PSA_WANT_ALG_SHA3_384) && defined(PSA_ALG_SHA3_384)
  s.insert(hash_alg::sha3_384);
#endif
#if defined(PSA_WANT_ALG_SHA3_512) && defined(PSA_ALG_SHA3_512)
  s.insert(hash_alg::sha3_512);
#endif
  return s;
}
constexpr sig_set supported_sigs() noexcept {
  sig_set s;
#if defined(PSA_WANT_KEY_TYPE_RSA_PUBLIC_KEY) && defined(PSA_WANT_ALG_RSA_PKCS1V15_SIGN)
  s.insert(sig_alg::rsassa_2048).insert(sig_alg::rsassa_3072).insert(sig_alg::rsassa_4096);
#endif
#if defined(PSA_WANT_KEY_TYPE_RSA_PUBLIC_KEY) && defined(PSA_WANT_ALG_RSA_PSS)
  s.insert(sig_alg::rsapss_2048).insert(sig_alg::rsapss_3072).insert(sig_alg::rsapss_4096);
#endif
#if defined(PSA_WANT_ALG_ECDSA) && defined(PSA_WANT_ECC_SECP_R1_256)
  s.insert(sig_alg::ecdsa_p256);
#endif
#if defined(PSA_WANT_ALG_ECDSA) && defined(PSA_WANT_ECC_SECP_R1_384)
  s.insert(sig_alg::ecdsa_p384);
#endif
#if defined(PSA_WANT_ALG_ECDSA) && defined(PSA_WANT_ECC_SECP_R1_521)
  s.insert(sig_alg::ecdsa_p521);
#endif
  return s;
}
constexpr dhe_set supported_dhe() noexcept {
  dhe_set s;
#if defined(PSA_WANT_ALG_ECDH) && defined(PSA_WANT_ECC_SECP_R1_256)
  s.insert(dhe_alg::secp256r1);
#endif
#if defined(PSA_WANT_ALG_ECDH) && defined(PSA_WANT_ECC_SECP_R1_384)
  s.insert(dhe_alg::secp384r1);
#endif
#if defined(PSA_WANT_ALG_ECDH) && defined(PSA_WANT_ECC_SECP_R1_521)
  s.insert(dhe_alg::secp521r1);
#endif
  return s;
}
constexpr aead_set supported_aeads() noexcept {
  aead_set s;
#if defined(PSA_WANT_ALG_GCM) && defined(PSA_WANT_KEY_TYPE_AES)
  s.insert(aead_alg::aes128_gcm).insert(aead_alg::aes256_gcm);
#endif
#if defined(PSA_WANT_ALG_CHACHA20_POLY1305) && defined(PSA_WANT_KEY_TYPE_CHACHA20)
  s.insert(aead_alg::chacha20_poly1305);
#endif
  return s;
}
}  // namespace psa_detail

class psa {
 public:
  /// The key identifier type of the implementation's API (mbedTLS may encode an owner in it).
#if defined(MBEDTLS_SVC_KEY_ID_INIT)
  using key_id = mbedtls_svc_key_id_t;
  static bool is_null(key_id k) noexcept { return mbedtls_svc_key_id_is_null(k) != 0; }
#else
  using key_id = psa_key_id_t;
  static bool is_null(key_id k) noexcept { return k == PSA_KEY_ID_NULL; }
#endif

  static constexpr hash_set hashes = psa_detail::supported_hashes();
  static constexpr sig_set verify_algs = psa_detail::supported_sigs();
  static constexpr sig_set sign_algs = verify_algs;
  static constexpr dhe_set dhe_groups = psa_detail::supported_dhe();
  static constexpr aead_set aeads = psa_detail::supported_aeads();

  /// Calls psa_crypto_init (idempotent). If it fails, every operation reports crypto_failure.
  psa() noexcept : init_(psa_crypto_init()) {}
  [[nodiscard]] bool initialized() const noexcept { return init_ == PSA_SUCCESS; }

  // ---- handles ---------------------------------------------------------------------------------

  /// A PSA key identifier. Owning handles destroy the key on destruction; borrowed ones (a
  /// persistent or hardware key provisioned elsewhere) do not. Move-only.
  class key {
   public:
    key() noexcept = default;
    static key own(key_id id) noexcept { return key{id, true}; }
    static key borrow(key_id id) noexcept { return key{id, false}; }
    key(key&& o) noexcept : id_(std::exchange(o.id_, key_id{})), owned_(o.owned_) {}
    key& operator=(key&& o) noexcept {
      if (this != &o) {
        release();
        id_ = std::exchange(o.id_, key_id{});
        owned_ = o.owned_;
      }
      return *this;
    }
    key(const key&) = delete;
    key& operator=(const key&) = delete;
    ~key() { release(); }
    [[nodiscard]] key_id id() const noexcept { return id_; }
    explicit operator bool() const noexcept { return !is_null(id_); }

   private:
    key(key_id id, bool owned) noexcept : id_(id), owned_(owned) {}
    void release() noexcept {
      if (owned_ && !is_null(id_)) (void)psa_destroy_key(id_);
      id_ = key_id{};
    }
    key_id id_{};
    bool owned_ = false;
  };

  /// A verification key: the imported public key and the scheme it was imported for.
  struct verify_key {
    key k;
    sig_alg alg = sig_alg::ecdsa_p256;
  };
  /// A signing key: usually borrowed (sign_key::borrow(persistent id)) — PSA keys carry one
  /// permitted algorithm, so the key must have been created for the SPDM scheme it signs with
  /// (ECDSA / RSA-PKCS1 / RSA-PSS with PSA_ALG_ANY_HASH).
  struct sign_key {
    key k;
    static sign_key borrow(key_id id) noexcept { return sign_key{key::borrow(id)}; }
  };
  struct dhe_key {
    key k;
    dhe_alg alg = dhe_alg::secp384r1;
  };
  struct aead_key {
    key k;
    aead_alg alg = aead_alg::aes256_gcm;
  };

  /// psa_hash_operation_t; copies use psa_hash_clone (a failed clone marks the copy failed).
  class hash_state {
   public:
    hash_state() noexcept = default;
    hash_state(const hash_state& o) noexcept { copy_from(o); }
    hash_state& operator=(const hash_state& o) noexcept {
      if (this != &o) copy_from(o);
      return *this;
    }
    ~hash_state() { (void)psa_hash_abort(&op_); }

   private:
    friend class psa;
    void copy_from(const hash_state& o) noexcept {
      (void)psa_hash_abort(&op_);
      op_ = psa_hash_operation_init();
      alg_ = o.alg_;
      failed_ = o.failed_ || psa_hash_clone(&o.op_, &op_) != PSA_SUCCESS;
    }
    psa_hash_operation_t op_ = psa_hash_operation_init();
    hash_alg alg_ = hash_alg::sha256;
    bool failed_ = true;  // until hash_init
  };

  // ---- hashing -------------------------------------------------------------------------------------

  [[nodiscard]] result<void> hash_init(hash_state& s, hash_alg a) noexcept {
    if (!hashes.contains(a)) return errc::unsupported;
    (void)psa_hash_abort(&s.op_);
    s.op_ = psa_hash_operation_init();
    s.alg_ = a;
    s.failed_ = !initialized() || psa_hash_setup(&s.op_, psa_hash(a)) != PSA_SUCCESS;
    return s.failed_ ? result<void>{errc::crypto_failure} : ok();
  }
  [[nodiscard]] result<void> hash_update(hash_state& s, bytes_view in) noexcept {
    if (s.failed_) return errc::crypto_failure;
    if (psa_hash_update(&s.op_, u8(in.data()), in.size()) != PSA_SUCCESS) return fail(s);
    return ok();
  }
  [[nodiscard]] result<void> hash_final(hash_state& s, bytes_span out) noexcept {
    if (s.failed_) return errc::crypto_failure;
    const std::size_t h = digest_size(s.alg_);
    if (out.size() < h) return errc::buffer_too_small;
    std::size_t n = 0;
    if (psa_hash_finish(&s.op_, u8(out.data()), h, &n) != PSA_SUCCESS || n != h) return fail(s);
    s.failed_ = true;  // finished: must be re-initialized
    return ok();
  }

  // ---- HMAC (native); HKDF is the generic one over the hash --------------------------------------------

  [[nodiscard]] result<void> hmac(hash_alg a, bytes_view k, bytes_view data, bytes_span out) noexcept {
    if (!hashes.contains(a)) return errc::unsupported;
    if (out.size() < digest_size(a)) return errc::buffer_too_small;
    if (!initialized()) return errc::crypto_failure;
    // PSA refuses an empty HMAC key; a single zero byte pads to the same block (RFC 2104 §2).
    static constexpr std::uint8_t zero = 0;
    psa_key_attributes_t attr = psa_key_attributes_init();
    psa_set_key_type(&attr, PSA_KEY_TYPE_HMAC);
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_SIGN_HASH);
    psa_set_key_algorithm(&attr, PSA_ALG_HMAC(psa_hash(a)));
    key_id id{};
    if (psa_import_key(&attr, k.empty() ? &zero : u8(k.data()), k.empty() ? 1 : k.size(), &id) != PSA_SUCCESS)
      return errc::crypto_failure;
    const key owned = key::own(id);
    std::size_t n = 0;
    if (psa_mac_compute(owned.id(), PSA_ALG_HMAC(psa_hash(a)), u8(data.data()), data.size(), u8(out.data()),
                        digest_size(a), &n) != PSA_SUCCESS ||
        n != digest_size(a))
      return errc::crypto_failure;
    return ok();
  }

  // ---- randomness ----------------------------------------------------------------------------------

  [[nodiscard]] result<void> random(bytes_span out) noexcept {
    if (out.empty()) return ok();
    if (!initialized() || psa_generate_random(u8(out.data()), out.size()) != PSA_SUCCESS) return errc::crypto_failure;
    return ok();
  }

  // ---- signatures ----------------------------------------------------------------------------------------

  [[nodiscard]] result<verify_key> import_public_key(sig_alg s, bytes_view spki_der) noexcept {
    if (!verify_algs.contains(s)) return errc::unsupported;
    if (!initialized()) return errc::crypto_failure;
    auto info = der::parse_spki(spki_der);
    if (!info || !der::key_fits(*info, s)) return errc::invalid_field;
    psa_key_attributes_t attr = psa_key_attributes_init();
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_VERIFY_HASH | PSA_KEY_USAGE_VERIFY_MESSAGE);
    psa_set_key_algorithm(&attr, sig_policy(s));
    if (is_ecdsa(s)) {
      psa_set_key_type(&attr, PSA_KEY_TYPE_ECC_PUBLIC_KEY(PSA_ECC_FAMILY_SECP_R1));
      psa_set_key_bits(&attr, ec_bits(s));
    } else {
      psa_set_key_type(&attr, PSA_KEY_TYPE_RSA_PUBLIC_KEY);  // data: RSAPublicKey, the BIT STRING contents
    }
    key_id id{};
    // Import validates the key (mbedTLS checks that an EC point is on the curve).
    if (psa_import_key(&attr, u8(info->key.data()), info->key.size(), &id) != PSA_SUCCESS) return errc::invalid_field;
    return verify_key{key::own(id), s};
  }

  [[nodiscard]] result<void> verify(const verify_key& k, sig_alg s, hash_alg h, bytes_view message,
                                    bytes_view signature, bytes_view /*context: EdDSA only*/) noexcept {
    if (!verify_algs.contains(s) || !hashes.contains(h)) return errc::unsupported;
    std::array<std::byte, max_digest_size> d{};
    PMCI_TRY(compute_hash(*this, h, message, std::span<std::byte>(d).first(digest_size(h))));
    return verify_digest(k, s, h, std::span<const std::byte>(d).first(digest_size(h)), signature);
  }

  [[nodiscard]] result<void> verify_digest(const verify_key& k, sig_alg s, hash_alg h, bytes_view digest,
                                           bytes_view signature) noexcept {
    if (!verify_algs.contains(s) || !hashes.contains(h)) return errc::unsupported;
    if (!k.k || k.alg != s) return errc::invalid_state;
    if (digest.size() != digest_size(h)) return errc::invalid_field;
    if (signature.size() != signature_size(s)) return errc::verify_failed;
    const psa_status_t st = psa_verify_hash(k.k.id(), sig_alg_for(s, h), u8(digest.data()), digest.size(),
                                            u8(signature.data()), signature.size());
    if (st == PSA_SUCCESS) return ok();
    if (st == PSA_ERROR_INVALID_SIGNATURE || st == PSA_ERROR_INVALID_ARGUMENT) return errc::verify_failed;
    return errc::crypto_failure;
  }

  [[nodiscard]] result<void> sign(const sign_key& k, sig_alg s, hash_alg h, bytes_view message, bytes_span out,
                                  bytes_view /*context: EdDSA only*/) noexcept {
    if (!sign_algs.contains(s) || !hashes.contains(h)) return errc::unsupported;
    std::array<std::byte, max_digest_size> d{};
    PMCI_TRY(compute_hash(*this, h, message, std::span<std::byte>(d).first(digest_size(h))));
    return sign_digest(k, s, h, std::span<const std::byte>(d).first(digest_size(h)), out);
  }

  [[nodiscard]] result<void> sign_digest(const sign_key& k, sig_alg s, hash_alg h, bytes_view digest,
                                         bytes_span out) noexcept {
    if (!sign_algs.contains(s) || !hashes.contains(h)) return errc::unsupported;
    if (!k.k) return errc::invalid_state;
    if (digest.size() != digest_size(h)) return errc::invalid_field;
    if (out.size() < signature_size(s)) return errc::buffer_too_small;
    // PSA's ECDSA output is already r‖s big-endian, each padded to the curve size (PSA API §10.7).
    std::size_t n = 0;
    const psa_status_t st = psa_sign_hash(k.k.id(), sig_alg_for(s, h), u8(digest.data()), digest.size(),
                                          u8(out.data()), signature_size(s), &n);
    if (st == PSA_ERROR_NOT_PERMITTED || st == PSA_ERROR_INVALID_ARGUMENT) return errc::invalid_field;  // key/scheme mismatch
    if (st != PSA_SUCCESS || n != signature_size(s)) {
      secure_wipe(out.first(signature_size(s)));
      return errc::crypto_failure;
    }
    return ok();
  }

  // ---- key exchange ----------------------------------------------------------------------------------------

  [[nodiscard]] result<dhe_key> dhe_generate(dhe_alg g, bytes_span public_out) noexcept {
    if (!dhe_groups.contains(g)) return errc::unsupported;
    if (public_out.size() < dhe_public_key_size(g)) return errc::buffer_too_small;
    if (!initialized()) return errc::crypto_failure;
    psa_key_attributes_t attr = dhe_attributes(g);
    key_id id{};
    if (psa_generate_key(&attr, &id) != PSA_SUCCESS) return errc::crypto_failure;
    dhe_key k{key::own(id), g};
    std::array<std::uint8_t, 1 + 2 * 66> pt{};
    std::size_t n = 0;
    if (psa_export_public_key(id, pt.data(), pt.size(), &n) != PSA_SUCCESS || n != 1 + dhe_public_key_size(g) ||
        pt[0] != 0x04)
      return errc::crypto_failure;
    for (std::size_t i = 0; i < dhe_public_key_size(g); ++i) public_out[i] = std::byte{pt[1 + i]};  // X‖Y
    return k;
  }

  [[nodiscard]] result<void> dhe_compute(dhe_key& k, bytes_view peer_public, bytes_span secret_out) noexcept {
    const dhe_alg g = k.alg;
    if (!dhe_groups.contains(g)) return errc::unsupported;
    if (!k.k) return errc::invalid_state;
    if (secret_out.size() < dhe_shared_secret_size(g)) return errc::buffer_too_small;
    if (peer_public.size() != dhe_public_key_size(g)) return errc::invalid_field;
    std::array<std::uint8_t, 1 + 2 * 66> pt{};
    pt[0] = 0x04;  // SPDM sends X‖Y; PSA takes the SEC 1 uncompressed point
    for (std::size_t i = 0; i < peer_public.size(); ++i) pt[1 + i] = std::to_integer<std::uint8_t>(peer_public[i]);
    std::size_t n = 0;
    const psa_status_t st = psa_raw_key_agreement(PSA_ALG_ECDH, k.k.id(), pt.data(), 1 + peer_public.size(),
                                                  u8(secret_out.data()), dhe_shared_secret_size(g), &n);
    if (st == PSA_ERROR_INVALID_ARGUMENT) return errc::invalid_field;  // not a point of the curve
    if (st != PSA_SUCCESS || n != dhe_shared_secret_size(g)) {
      secure_wipe(secret_out.first(dhe_shared_secret_size(g)));
      return errc::crypto_failure;
    }
    return ok();
  }

  // ---- AEAD ----------------------------------------------------------------------------------------------

  [[nodiscard]] result<aead_key> aead_import(aead_alg a, bytes_view k) noexcept {
    if (!aeads.contains(a)) return errc::unsupported;
    if (k.size() != aead_key_size(a)) return errc::invalid_field;
    if (!initialized()) return errc::crypto_failure;
    psa_key_attributes_t attr = psa_key_attributes_init();
    psa_set_key_type(&attr, a == aead_alg::chacha20_poly1305 ? PSA_KEY_TYPE_CHACHA20 : PSA_KEY_TYPE_AES);
    psa_set_key_bits(&attr, 8 * k.size());
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_ENCRYPT | PSA_KEY_USAGE_DECRYPT);
    psa_set_key_algorithm(&attr, aead_psa(a));
    key_id id{};
    if (psa_import_key(&attr, u8(k.data()), k.size(), &id) != PSA_SUCCESS) return errc::crypto_failure;
    return aead_key{key::own(id), a};
  }

  [[nodiscard]] result<void> aead_seal(const aead_key& k, bytes_view nonce, bytes_view aad, bytes_view plaintext,
                                       bytes_span out) noexcept {
    if (!k.k) return errc::invalid_state;
    if (nonce.size() != aead_nonce_size) return errc::invalid_field;
    const std::size_t total = plaintext.size() + aead_tag_size;
    if (out.size() < total) return errc::buffer_too_small;
    // One-shot psa_aead_encrypt writes ciphertext‖tag contiguously, and works in place.
    std::size_t n = 0;
    const psa_status_t st = psa_aead_encrypt(k.k.id(), aead_psa(k.alg), u8(nonce.data()), nonce.size(), u8(aad.data()),
                                             aad.size(), u8(plaintext.data()), plaintext.size(), u8(out.data()), total, &n);
    if (st != PSA_SUCCESS || n != total) {
      secure_wipe(out.first(total));
      return errc::crypto_failure;
    }
    return ok();
  }

  [[nodiscard]] result<void> aead_open(const aead_key& k, bytes_view nonce, bytes_view aad, bytes_view in,
                                       bytes_span out) noexcept {
    if (!k.k) return errc::invalid_state;
    if (nonce.size() != aead_nonce_size) return errc::invalid_field;
    if (in.size() < aead_tag_size) return errc::invalid_field;
    const std::size_t len = in.size() - aead_tag_size;
    if (out.size() < len) return errc::buffer_too_small;
    std::size_t n = 0;
    const psa_status_t st = psa_aead_decrypt(k.k.id(), aead_psa(k.alg), u8(nonce.data()), nonce.size(), u8(aad.data()),
                                             aad.size(), u8(in.data()), in.size(), u8(out.data()), len, &n);
    if (st != PSA_SUCCESS || n != len) {
      secure_wipe(out.first(len));  // never hand out unauthenticated plaintext
      return st == PSA_ERROR_INVALID_SIGNATURE ? errc::decrypt_error : errc::crypto_failure;
    }
    return ok();
  }

  // ---- provisioning and test conveniences (not part of the concepts) --------------------------------------

  /// A fresh volatile key pair for sig_alg (tests; firmware uses provisioned keys).
  [[nodiscard]] result<sign_key> generate_sign_key(sig_alg s) noexcept {
    if (!sign_algs.contains(s)) return errc::unsupported;
    if (!initialized()) return errc::crypto_failure;
    psa_key_attributes_t attr = sign_attributes(s);
    key_id id{};
    if (psa_generate_key(&attr, &id) != PSA_SUCCESS) return errc::crypto_failure;
    return sign_key{key::own(id)};
  }

  /// Import a private key for sig_alg: EC = the private scalar (big-endian, curve-sized); RSA =
  /// RSAPrivateKey DER (RFC 8017 A.1.2). Provisioning and tests.
  [[nodiscard]] result<sign_key> import_private_key(sig_alg s, bytes_view data) noexcept {
    if (!sign_algs.contains(s)) return errc::unsupported;
    if (!initialized()) return errc::crypto_failure;
    psa_key_attributes_t attr = sign_attributes(s);
    psa_set_key_bits(&attr, 0);  // taken from the data
    key_id id{};
    if (psa_import_key(&attr, u8(data.data()), data.size(), &id) != PSA_SUCCESS) return errc::invalid_field;
    return sign_key{key::own(id)};
  }

  /// DER SubjectPublicKeyInfo of a signing key's public half. Returns the size written.
  [[nodiscard]] result<std::size_t> export_public_key(const sign_key& k, bytes_span out) noexcept {
    if (!k.k) return errc::invalid_state;
    psa_key_attributes_t attr = psa_key_attributes_init();
    if (psa_get_key_attributes(k.k.id(), &attr) != PSA_SUCCESS) return errc::crypto_failure;
    const psa_key_type_t type = psa_get_key_type(&attr);
    const std::size_t bits = psa_get_key_bits(&attr);
    psa_reset_key_attributes(&attr);
    std::array<std::byte, 600> pub{};
    std::size_t n = 0;
    if (psa_export_public_key(k.k.id(), u8(pub.data()), pub.size(), &n) != PSA_SUCCESS) return errc::crypto_failure;
    const bytes_view p = std::span<const std::byte>(pub).first(n);
    if (PSA_KEY_TYPE_IS_RSA(type)) return der::write_rsa_spki(p, out);
    const sig_alg s = bits == 256 ? sig_alg::ecdsa_p256 : bits == 384 ? sig_alg::ecdsa_p384 : sig_alg::ecdsa_p521;
    return der::write_ec_spki(s, p, out);
  }

  /// An ECDHE key pair from a known private scalar (known-answer tests).
  [[nodiscard]] result<dhe_key> dhe_import_private(dhe_alg g, bytes_view scalar) noexcept {
    if (!dhe_groups.contains(g)) return errc::unsupported;
    if (scalar.size() != dhe_field_size(g)) return errc::invalid_field;
    if (!initialized()) return errc::crypto_failure;
    psa_key_attributes_t attr = dhe_attributes(g);
    key_id id{};
    if (psa_import_key(&attr, u8(scalar.data()), scalar.size(), &id) != PSA_SUCCESS) return errc::invalid_field;
    return dhe_key{key::own(id), g};
  }

 private:
  static const std::uint8_t* u8(const std::byte* p) noexcept { return reinterpret_cast<const std::uint8_t*>(p); }
  static std::uint8_t* u8(std::byte* p) noexcept { return reinterpret_cast<std::uint8_t*>(p); }
  static errc fail(hash_state& s) noexcept {
    (void)psa_hash_abort(&s.op_);
    s.failed_ = true;
    return errc::crypto_failure;
  }

  static psa_algorithm_t psa_hash(hash_alg a) noexcept {
    switch (a) {
      case hash_alg::sha256: return PSA_ALG_SHA_256;
      case hash_alg::sha384: return PSA_ALG_SHA_384;
      case hash_alg::sha512: return PSA_ALG_SHA_512;
#if defined(PSA_ALG_SHA3_256)
      case hash_alg::sha3_256: return PSA_ALG_SHA3_256;
      case hash_alg::sha3_384: return PSA_ALG_SHA3_384;
      case hash_alg::sha3_512: return PSA_ALG_SHA3_512;
#else
      default: return PSA_ALG_NONE;
#endif
    }
    return PSA_ALG_NONE;
  }
  static std::size_t ec_bits(sig_alg s) noexcept {
    return s == sig_alg::ecdsa_p256 ? 256 : s == sig_alg::ecdsa_p384 ? 384 : 521;
  }
  // Key policy: the scheme with any hash (the hash is chosen per signature by the negotiation).
  static psa_algorithm_t sig_policy(sig_alg s) noexcept {
    if (is_ecdsa(s)) return PSA_ALG_ECDSA(PSA_ALG_ANY_HASH);
    if (is_rsa_pss(s)) return PSA_ALG_RSA_PSS(PSA_ALG_ANY_HASH);
    return PSA_ALG_RSA_PKCS1V15_SIGN(PSA_ALG_ANY_HASH);
  }
  // spdm.md §16.2: PSS with salt = hash length and MGF1 with the same hash is PSA_ALG_RSA_PSS.
  static psa_algorithm_t sig_alg_for(sig_alg s, hash_alg h) noexcept {
    if (is_ecdsa(s)) return PSA_ALG_ECDSA(psa_hash(h));
    if (is_rsa_pss(s)) return PSA_ALG_RSA_PSS(psa_hash(h));
    return PSA_ALG_RSA_PKCS1V15_SIGN(psa_hash(h));
  }
  static psa_algorithm_t aead_psa(aead_alg a) noexcept {
    return a == aead_alg::chacha20_poly1305 ? PSA_ALG_CHACHA20_POLY1305 : PSA_ALG_GCM;
  }
  static psa_key_attributes_t sign_attributes(sig_alg s) noexcept {
    psa_key_attributes_t attr = psa_key_attributes_init();
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_SIGN_HASH | PSA_KEY_USAGE_SIGN_MESSAGE | PSA_KEY_USAGE_VERIFY_HASH |
                                       PSA_KEY_USAGE_EXPORT);
    psa_set_key_algorithm(&attr, sig_policy(s));
    if (is_ecdsa(s)) {
      psa_set_key_type(&attr, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
      psa_set_key_bits(&attr, ec_bits(s));
    } else {
      psa_set_key_type(&attr, PSA_KEY_TYPE_RSA_KEY_PAIR);
      psa_set_key_bits(&attr, rsa_bits(s));
    }
    return attr;
  }
  static psa_key_attributes_t dhe_attributes(dhe_alg g) noexcept {
    psa_key_attributes_t attr = psa_key_attributes_init();
    psa_set_key_type(&attr, PSA_KEY_TYPE_ECC_KEY_PAIR(PSA_ECC_FAMILY_SECP_R1));
    psa_set_key_bits(&attr, 8 * dhe_field_size(g) == 528 ? 521 : 8 * dhe_field_size(g));
    psa_set_key_usage_flags(&attr, PSA_KEY_USAGE_DERIVE);
    psa_set_key_algorithm(&attr, PSA_ALG_ECDH);
    return attr;
  }

  psa_status_t init_;
};

static_assert(hash_policy<psa> && native_hmac<psa> && !native_hkdf<psa> && hkdf_capable<psa> && verify_policy<psa> &&
              sign_policy<psa> && dhe_policy<psa> && aead_policy<psa> && random_policy<psa>);

}  // namespace pmci::crypto
