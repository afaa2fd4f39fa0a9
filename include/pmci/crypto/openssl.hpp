// SPDX-License-Identifier: Apache-2.0
// pmci::crypto::openssl — the crypto policy on OpenSSL 3 (EVP APIs). Host only (BMC, tools,
// tests): OpenSSL allocates inside every EVP object (hash states, key handles, contexts) and
// certificate validation builds X509 objects; pmci itself still allocates nothing. No exception
// ever leaves this header; OpenSSL's error queue is cleared after a failure so that errors do not
// accumulate across calls.
//
// Supports (see the constants below): SHA-256/384/512 and SHA3-256/384/512; HMAC and HKDF
// natively (EVP_MAC / EVP_KDF); RSASSA-PKCS1-v1_5 and RSA-PSS 2048/3072/4096, ECDSA P-256/384/521,
// Ed25519, and Ed448 when OpenSSL >= 3.2 (SPDM passes the Ed448 context string, which earlier
// releases cannot); ECDHE P-256/384/521 and FFDHE 2048/3072/4096; AES-128/256-GCM and
// ChaCha20-Poly1305; certificate chains through X509_verify_cert plus SPDM's leaf rules.
//
// Host conveniences (not part of the concepts): load_private_key / load_private_key_file
// (PEM or DER), generate_sign_key, export_public_key (DER SubjectPublicKeyInfo).
#pragma once
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/opensslv.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <array>
#include <climits>
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
#include "pmci/crypto/x509.hpp"

namespace pmci::crypto {

class openssl {
 public:
  // ---- what this policy supports ------------------------------------------------------------
  static constexpr hash_set hashes{hash_alg::sha256,   hash_alg::sha384,   hash_alg::sha512,
                                   hash_alg::sha3_256, hash_alg::sha3_384, hash_alg::sha3_512};
#if OPENSSL_VERSION_NUMBER >= 0x30200000L
  static constexpr sig_set verify_algs{
      sig_alg::rsassa_2048, sig_alg::rsassa_3072, sig_alg::rsassa_4096, sig_alg::rsapss_2048,
      sig_alg::rsapss_3072, sig_alg::rsapss_4096, sig_alg::ecdsa_p256,  sig_alg::ecdsa_p384,
      sig_alg::ecdsa_p521,  sig_alg::ed25519,     sig_alg::ed448};
#else
  static constexpr sig_set verify_algs{
      sig_alg::rsassa_2048, sig_alg::rsassa_3072, sig_alg::rsassa_4096, sig_alg::rsapss_2048,
      sig_alg::rsapss_3072, sig_alg::rsapss_4096, sig_alg::ecdsa_p256,  sig_alg::ecdsa_p384,
      sig_alg::ecdsa_p521,  sig_alg::ed25519};
#endif
  static constexpr sig_set sign_algs = verify_algs;
  static constexpr dhe_set dhe_groups{dhe_alg::ffdhe2048, dhe_alg::ffdhe3072, dhe_alg::ffdhe4096,
                                      dhe_alg::secp256r1, dhe_alg::secp384r1, dhe_alg::secp521r1};
  static constexpr aead_set aeads{aead_alg::aes128_gcm, aead_alg::aes256_gcm, aead_alg::chacha20_poly1305};

  /// Uses the default library context unless given one (e.g. one with the FIPS provider).
  explicit openssl(OSSL_LIB_CTX* libctx = nullptr, const char* propq = nullptr) noexcept
      : libctx_(libctx), propq_(propq) {}

  // ---- handles ---------------------------------------------------------------------------------

  /// An EVP_PKEY reference (public or private). Copying takes another reference.
  class pkey {
   public:
    pkey() noexcept = default;
    explicit pkey(EVP_PKEY* k) noexcept : k_(k) {}
    pkey(const pkey& o) noexcept : k_(o.k_) { if (k_ != nullptr) EVP_PKEY_up_ref(k_); }
    pkey(pkey&& o) noexcept : k_(std::exchange(o.k_, nullptr)) {}
    pkey& operator=(pkey o) noexcept { std::swap(k_, o.k_); return *this; }
    ~pkey() { EVP_PKEY_free(k_); }
    [[nodiscard]] EVP_PKEY* get() const noexcept { return k_; }
    explicit operator bool() const noexcept { return k_ != nullptr; }

   private:
    EVP_PKEY* k_ = nullptr;
  };
  using verify_key = pkey;
  using sign_key = pkey;

  /// An ephemeral key pair and its group.
  struct dhe_key {
    pkey key;
    dhe_alg alg = dhe_alg::secp384r1;
  };

  /// An AEAD key: the algorithm and the key bytes (wiped on destruction). OpenSSL contexts are
  /// created per call, so the handle itself holds no OpenSSL object.
  struct aead_key {
    aead_alg alg = aead_alg::aes256_gcm;
    secret<max_aead_key_size> key;
  };

  /// A running hash: an EVP_MD_CTX. Copy = EVP_MD_CTX_copy_ex; a failed copy (allocation) marks
  /// the copy failed so that its next update/final reports crypto_failure.
  class hash_state {
   public:
    hash_state() noexcept = default;
    hash_state(const hash_state& o) noexcept { copy_from(o); }
    hash_state(hash_state&& o) noexcept
        : ctx_(std::exchange(o.ctx_, nullptr)), alg_(o.alg_), failed_(o.failed_) {}
    hash_state& operator=(const hash_state& o) noexcept {
      if (this != &o) copy_from(o);
      return *this;
    }
    hash_state& operator=(hash_state&& o) noexcept {
      if (this != &o) {
        EVP_MD_CTX_free(ctx_);
        ctx_ = std::exchange(o.ctx_, nullptr);
        alg_ = o.alg_;
        failed_ = o.failed_;
      }
      return *this;
    }
    ~hash_state() { EVP_MD_CTX_free(ctx_); }

   private:
    friend class openssl;
    void copy_from(const hash_state& o) noexcept {
      alg_ = o.alg_;
      failed_ = o.failed_;
      if (o.ctx_ == nullptr) {
        EVP_MD_CTX_free(ctx_);
        ctx_ = nullptr;
        return;
      }
      if (ctx_ == nullptr) ctx_ = EVP_MD_CTX_new();
      if (ctx_ == nullptr || EVP_MD_CTX_copy_ex(ctx_, o.ctx_) != 1) failed_ = true;
    }
    EVP_MD_CTX* ctx_ = nullptr;
    hash_alg alg_ = hash_alg::sha256;
    bool failed_ = false;
  };

  // ---- hashing -------------------------------------------------------------------------------

  [[nodiscard]] result<void> hash_init(hash_state& s, hash_alg a) noexcept {
    if (!hashes.contains(a)) return errc::unsupported;
    s.failed_ = false;
    s.alg_ = a;
    if (s.ctx_ == nullptr) s.ctx_ = EVP_MD_CTX_new();
    if (s.ctx_ == nullptr || EVP_DigestInit_ex2(s.ctx_, md(a), nullptr) != 1) return fail(s);
    return ok();
  }
  [[nodiscard]] result<void> hash_update(hash_state& s, bytes_view in) noexcept {
    if (s.failed_ || s.ctx_ == nullptr) return errc::crypto_failure;
    if (!in.empty() && EVP_DigestUpdate(s.ctx_, in.data(), in.size()) != 1) return fail(s);
    return ok();
  }
  [[nodiscard]] result<void> hash_final(hash_state& s, bytes_span out) noexcept {
    if (s.failed_ || s.ctx_ == nullptr) return errc::crypto_failure;
    if (out.size() < digest_size(s.alg_)) return errc::buffer_too_small;
    unsigned int n = 0;
    if (EVP_DigestFinal_ex(s.ctx_, uc(out.data()), &n) != 1 || n != digest_size(s.alg_)) return fail(s);
    return ok();
  }

  // ---- HMAC / HKDF (native) ------------------------------------------------------------------------

  [[nodiscard]] result<void> hmac(hash_alg a, bytes_view key, bytes_view data, bytes_span out) noexcept {
    if (!hashes.contains(a)) return errc::unsupported;
    if (out.size() < digest_size(a)) return errc::buffer_too_small;
    // EVP_Q_mac with an empty key is refused by some providers; an HMAC key of zero length is the
    // same as a block of zeros (RFC 2104 §2), so pass one zero byte.
    static constexpr unsigned char zero = 0;
    const void* k = key.empty() ? static_cast<const void*>(&zero) : static_cast<const void*>(key.data());
    std::size_t n = 0;
    if (EVP_Q_mac(libctx_, "HMAC", propq_, md_name(a), nullptr, k, key.empty() ? 1 : key.size(),
                  uc(data.data()), data.size(), uc(out.data()), out.size(), &n) == nullptr ||
        n != digest_size(a))
      return failure();
    return ok();
  }

  [[nodiscard]] result<void> hkdf_extract(hash_alg a, bytes_view salt, bytes_view ikm, bytes_span prk) noexcept {
    if (!hashes.contains(a)) return errc::unsupported;
    if (prk.size() < digest_size(a)) return errc::buffer_too_small;
    // OpenSSL's HKDF refuses an empty key (IKM); RFC 5869 allows it, so take the generic path.
    if (ikm.empty()) return generic_hkdf_extract(*this, a, salt, ikm, prk);
    return kdf(a, EVP_KDF_HKDF_MODE_EXTRACT_ONLY, ikm, salt, {}, prk.first(digest_size(a)));
  }
  [[nodiscard]] result<void> hkdf_expand(hash_alg a, bytes_view prk, bytes_view info, bytes_span okm) noexcept {
    if (!hashes.contains(a)) return errc::unsupported;
    if (okm.size() > 255 * digest_size(a)) return errc::out_of_range;
    if (okm.empty()) return ok();
    if (prk.empty()) return generic_hkdf_expand(*this, a, prk, info, okm);
    return kdf(a, EVP_KDF_HKDF_MODE_EXPAND_ONLY, prk, {}, info, okm);
  }

  // ---- randomness ----------------------------------------------------------------------------------

  [[nodiscard]] result<void> random(bytes_span out) noexcept {
    if (out.empty()) return ok();
    if (RAND_bytes_ex(libctx_, uc(out.data()), out.size(), 0) != 1) return failure();
    return ok();
  }

  // ---- signatures ----------------------------------------------------------------------------------

  [[nodiscard]] result<verify_key> import_public_key(sig_alg s, bytes_view spki_der) noexcept {
    if (!verify_algs.contains(s)) return errc::unsupported;
    auto info = der::parse_spki(spki_der);
    if (!info) return errc::invalid_field;
    if (!der::key_fits(*info, s)) return errc::invalid_field;
    const unsigned char* p = uc(spki_der.data());
    if (spki_der.size() > LONG_MAX) return errc::invalid_field;
    EVP_PKEY* k = d2i_PUBKEY_ex(nullptr, &p, static_cast<long>(spki_der.size()), libctx_, propq_);
    if (k == nullptr) { ERR_clear_error(); return errc::invalid_field; }
    return pkey{k};
  }

  [[nodiscard]] result<void> verify(const verify_key& k, sig_alg s, hash_alg h, bytes_view message,
                                    bytes_view signature, bytes_view context) noexcept {
    if (!verify_algs.contains(s) || (!is_eddsa(s) && !hashes.contains(h))) return errc::unsupported;
    if (!k) return errc::invalid_state;
    if (is_eddsa(s)) {
      if (signature.size() != signature_size(s)) return errc::verify_failed;
      EVP_MD_CTX* c = EVP_MD_CTX_new();
      if (c == nullptr) return failure();
      OSSL_PARAM params[2] = {OSSL_PARAM_END, OSSL_PARAM_END};
      set_eddsa_context(params, s, context);
      int rc = EVP_DigestVerifyInit_ex(c, nullptr, nullptr, libctx_, propq_, k.get(), params);
      if (rc == 1) rc = EVP_DigestVerify(c, uc(signature.data()), signature.size(), uc(message.data()), message.size());
      EVP_MD_CTX_free(c);
      ERR_clear_error();
      return rc == 1 ? ok() : result<void>{errc::verify_failed};
    }
    std::array<std::byte, max_digest_size> d{};
    PMCI_TRY(compute_hash(*this, h, message, std::span<std::byte>(d).first(digest_size(h))));
    return verify_digest(k, s, h, std::span<const std::byte>(d).first(digest_size(h)), signature);
  }

  [[nodiscard]] result<void> verify_digest(const verify_key& k, sig_alg s, hash_alg h, bytes_view digest,
                                           bytes_view signature) noexcept {
    if (!verify_algs.contains(s) || !hashes.contains(h)) return errc::unsupported;
    if (is_eddsa(s)) return errc::unsupported;
    if (!k) return errc::invalid_state;
    if (digest.size() != digest_size(h)) return errc::invalid_field;
    if (signature.size() != signature_size(s)) return errc::verify_failed;
    std::array<std::byte, der::ecdsa_der_max_size(66)> der_sig{};
    bytes_view sig = signature;
    if (is_ecdsa(s)) {
      auto n = der::ecdsa_raw_to_der(signature, der_sig);
      if (!n) return errc::verify_failed;
      sig = std::span<const std::byte>(der_sig).first(*n);
    }
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_pkey(libctx_, k.get(), propq_);
    if (c == nullptr) return failure();
    int rc = EVP_PKEY_verify_init(c);
    if (rc == 1) rc = setup_sig_ctx(c, s, h);
    if (rc == 1) rc = EVP_PKEY_verify(c, uc(sig.data()), sig.size(), uc(digest.data()), digest.size());
    EVP_PKEY_CTX_free(c);
    ERR_clear_error();
    return rc == 1 ? ok() : result<void>{errc::verify_failed};
  }

  [[nodiscard]] result<void> sign(const sign_key& k, sig_alg s, hash_alg h, bytes_view message, bytes_span out,
                                  bytes_view context) noexcept {
    if (!sign_algs.contains(s) || (!is_eddsa(s) && !hashes.contains(h))) return errc::unsupported;
    if (!k) return errc::invalid_state;
    if (out.size() < signature_size(s)) return errc::buffer_too_small;
    if (is_eddsa(s)) {
      EVP_MD_CTX* c = EVP_MD_CTX_new();
      if (c == nullptr) return failure();
      OSSL_PARAM params[2] = {OSSL_PARAM_END, OSSL_PARAM_END};
      set_eddsa_context(params, s, context);
      std::size_t n = signature_size(s);
      int rc = EVP_DigestSignInit_ex(c, nullptr, nullptr, libctx_, propq_, k.get(), params);
      if (rc == 1) rc = EVP_DigestSign(c, uc(out.data()), &n, uc(message.data()), message.size());
      EVP_MD_CTX_free(c);
      if (rc != 1 || n != signature_size(s)) return failure();
      return ok();
    }
    std::array<std::byte, max_digest_size> d{};
    PMCI_TRY(compute_hash(*this, h, message, std::span<std::byte>(d).first(digest_size(h))));
    return sign_digest(k, s, h, std::span<const std::byte>(d).first(digest_size(h)), out);
  }

  [[nodiscard]] result<void> sign_digest(const sign_key& k, sig_alg s, hash_alg h, bytes_view digest,
                                         bytes_span out) noexcept {
    if (!sign_algs.contains(s) || !hashes.contains(h)) return errc::unsupported;
    if (is_eddsa(s)) return errc::unsupported;
    if (!k) return errc::invalid_state;
    if (digest.size() != digest_size(h)) return errc::invalid_field;
    if (out.size() < signature_size(s)) return errc::buffer_too_small;
    if (!key_is(k, s)) return errc::invalid_field;
    std::array<std::byte, max_signature_size> buf{};
    std::size_t n = buf.size();
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_pkey(libctx_, k.get(), propq_);
    if (c == nullptr) return failure();
    int rc = EVP_PKEY_sign_init(c);
    if (rc == 1) rc = setup_sig_ctx(c, s, h);
    if (rc == 1) rc = EVP_PKEY_sign(c, uc(buf.data()), &n, uc(digest.data()), digest.size());
    EVP_PKEY_CTX_free(c);
    if (rc != 1) return failure();
    if (is_ecdsa(s)) {
      if (!der::ecdsa_der_to_raw(std::span<const std::byte>(buf).first(n), ec_field_size(s), out)) return failure();
      return ok();
    }
    if (n != signature_size(s)) return failure();
    for (std::size_t i = 0; i < n; ++i) out[i] = buf[i];
    return ok();
  }

  // ---- key exchange --------------------------------------------------------------------------------

  [[nodiscard]] result<dhe_key> dhe_generate(dhe_alg g, bytes_span public_out) noexcept {
    if (!dhe_groups.contains(g)) return errc::unsupported;
    if (public_out.size() < dhe_public_key_size(g)) return errc::buffer_too_small;
    EVP_PKEY* k = nullptr;
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_name(libctx_, is_ecdhe(g) ? "EC" : "DH", propq_);
    if (c == nullptr) return failure();
    OSSL_PARAM params[2] = {OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group_name(g)), 0),
                            OSSL_PARAM_END};
    int rc = EVP_PKEY_keygen_init(c);
    if (rc == 1) rc = EVP_PKEY_CTX_set_params(c, params);
    if (rc == 1) rc = EVP_PKEY_generate(c, &k);
    EVP_PKEY_CTX_free(c);
    if (rc != 1 || k == nullptr) return failure();
    dhe_key out{pkey{k}, g};
    PMCI_TRY(export_dhe_public(out.key.get(), g, public_out.first(dhe_public_key_size(g))));
    return out;
  }

  [[nodiscard]] result<void> dhe_compute(dhe_key& k, bytes_view peer_public, bytes_span secret_out) noexcept {
    const dhe_alg g = k.alg;
    if (!dhe_groups.contains(g)) return errc::unsupported;
    if (!k.key) return errc::invalid_state;
    if (secret_out.size() < dhe_shared_secret_size(g)) return errc::buffer_too_small;
    if (peer_public.size() != dhe_public_key_size(g)) return errc::invalid_field;
    PMCI_TRY_ASSIGN(pkey peer, import_dhe_public(g, peer_public));
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_pkey(libctx_, k.key.get(), propq_);
    if (c == nullptr) return failure();
    std::size_t n = dhe_shared_secret_size(g);
    int rc = EVP_PKEY_derive_init(c);
    if (rc == 1 && !is_ecdhe(g)) rc = EVP_PKEY_CTX_set_dh_pad(c, 1);  // FFDHE secret is group-sized
    if (rc == 1) rc = EVP_PKEY_derive_set_peer_ex(c, peer.get(), 1) == 1 ? 1 : -2;
    if (rc == 1) rc = EVP_PKEY_derive(c, uc(secret_out.data()), &n);
    EVP_PKEY_CTX_free(c);
    if (rc == -2) { ERR_clear_error(); return errc::invalid_field; }
    if (rc != 1 || n != dhe_shared_secret_size(g)) { secure_wipe(secret_out); return failure(); }
    return ok();
  }

  // ---- AEAD -------------------------------------------------------------------------------------------

  [[nodiscard]] result<aead_key> aead_import(aead_alg a, bytes_view key) noexcept {
    if (!aeads.contains(a)) return errc::unsupported;
    if (key.size() != aead_key_size(a)) return errc::invalid_field;
    aead_key k;
    k.alg = a;
    for (std::size_t i = 0; i < key.size(); ++i) k.key.span()[i] = key[i];
    return k;
  }

  [[nodiscard]] result<void> aead_seal(const aead_key& k, bytes_view nonce, bytes_view aad, bytes_view plaintext,
                                       bytes_span out) noexcept {
    if (nonce.size() != aead_nonce_size) return errc::invalid_field;
    if (out.size() < plaintext.size() + aead_tag_size) return errc::buffer_too_small;
    if (plaintext.size() > INT_MAX || aad.size() > INT_MAX) return errc::out_of_range;
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    if (c == nullptr) return failure();
    int n = 0;
    int rc = EVP_EncryptInit_ex2(c, cipher(k.alg), uc(k.key.span().data()), uc(nonce.data()), nullptr);
    if (rc == 1 && !aad.empty()) rc = EVP_EncryptUpdate(c, nullptr, &n, uc(aad.data()), static_cast<int>(aad.size()));
    if (rc == 1 && !plaintext.empty())
      rc = EVP_EncryptUpdate(c, uc(out.data()), &n, uc(plaintext.data()), static_cast<int>(plaintext.size()));
    if (rc == 1) rc = EVP_EncryptFinal_ex(c, uc(out.data()) + plaintext.size(), &n);
    if (rc == 1)
      rc = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_GET_TAG, static_cast<int>(aead_tag_size), uc(out.data()) + plaintext.size());
    EVP_CIPHER_CTX_free(c);
    if (rc != 1) { secure_wipe(out.first(plaintext.size() + aead_tag_size)); return failure(); }
    return ok();
  }

  [[nodiscard]] result<void> aead_open(const aead_key& k, bytes_view nonce, bytes_view aad, bytes_view in,
                                       bytes_span out) noexcept {
    if (nonce.size() != aead_nonce_size) return errc::invalid_field;
    if (in.size() < aead_tag_size) return errc::invalid_field;
    const std::size_t len = in.size() - aead_tag_size;
    if (out.size() < len) return errc::buffer_too_small;
    if (len > INT_MAX || aad.size() > INT_MAX) return errc::out_of_range;
    std::array<std::byte, aead_tag_size> tag{};  // copy: in place, out may overlap nothing of it, but be safe
    for (std::size_t i = 0; i < aead_tag_size; ++i) tag[i] = in[len + i];
    EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
    if (c == nullptr) return failure();
    int n = 0;
    int rc = EVP_DecryptInit_ex2(c, cipher(k.alg), uc(k.key.span().data()), uc(nonce.data()), nullptr);
    if (rc == 1) rc = EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, static_cast<int>(aead_tag_size), uc(tag.data()));
    if (rc == 1 && !aad.empty()) rc = EVP_DecryptUpdate(c, nullptr, &n, uc(aad.data()), static_cast<int>(aad.size()));
    if (rc == 1 && len != 0) rc = EVP_DecryptUpdate(c, uc(out.data()), &n, uc(in.data()), static_cast<int>(len));
    const bool setup_ok = rc == 1;
    if (rc == 1) rc = EVP_DecryptFinal_ex(c, uc(out.data()) + len, &n);
    EVP_CIPHER_CTX_free(c);
    ERR_clear_error();
    if (rc != 1) {
      secure_wipe(out.first(len));  // never hand out unauthenticated plaintext
      return setup_ok ? errc::decrypt_error : errc::crypto_failure;
    }
    return ok();
  }

  // ---- certificates ----------------------------------------------------------------------------------

  /// X509_verify_cert over the given chain (each anchor in turn as the trusted store, partial
  /// chains allowed so an anchor may be an intermediate; no purpose check), plus: each certificate of der_certs must be
  /// signed by the one before it (SPDM orders chains root..leaf, spdm.md §6.1, and X509_verify_cert
  /// alone would build its own path and ignore extra certificates), the first one by an anchor or
  /// be one; and SPDM's leaf rules (x509.hpp check_spdm_leaf). opts.now == 0 disables time checks.
  [[nodiscard]] result<verify_key> verify_cert_chain(bytes_view der_certs, std::span<const bytes_view> anchors,
                                                     const cert_chain_options& opts) noexcept {
    if (!verify_algs.contains(opts.leaf_alg)) return errc::unsupported;
    PMCI_TRY_ASSIGN(const std::size_t count, der::count_certificates(der_certs));
    PMCI_TRY_ASSIGN(const bytes_view leaf_der, x509::last_certificate(der_certs));
    PMCI_TRY(x509::check_spdm_leaf(leaf_der, opts));
    STACK_OF(X509)* untrusted = sk_X509_new_null();
    if (untrusted == nullptr) return failure();
    X509* leaf = nullptr;
    X509* prev = nullptr;
    result<verify_key> res = errc::verify_failed;
    bool ok_so_far = true;
    bytes_view rest = der_certs;
    for (std::size_t i = 0; ok_so_far && i < count; ++i) {
      auto one = der::next_certificate(rest);
      X509* x = one ? parse_x509(*one) : nullptr;
      if (x == nullptr) { res = errc::invalid_field; ok_so_far = false; break; }
      if (prev != nullptr) {
        EVP_PKEY* issuer_key = X509_get0_pubkey(prev);
        if (issuer_key == nullptr || X509_verify(x, issuer_key) != 1) {
          ok_so_far = false;  // res stays verify_failed
          X509_free(x);
          break;
        }
      }
      if (i + 1 == count) {
        leaf = x;
      } else if (sk_X509_push(untrusted, x) == 0) {
        X509_free(x);
        res = errc::crypto_failure;
        ok_so_far = false;
        break;
      }
      prev = x;
    }
    // One store per anchor: X509_verify_cert looks issuers up by name, and SPDM deployments may
    // well hold several roots with the same subject (the reference's slot 0 and slot 1 CAs do),
    // where it would try only the first one.
    for (std::size_t a = 0; ok_so_far && leaf != nullptr && a < anchors.size(); ++a) {
      X509* anchor = parse_x509(anchors[a]);
      if (anchor == nullptr) { res = errc::invalid_field; break; }
      X509_STORE* store = X509_STORE_new();
      X509_STORE_CTX* ctx = X509_STORE_CTX_new_ex(libctx_, propq_);
      bool verified = false;
      if (store != nullptr && ctx != nullptr && X509_STORE_add_cert(store, anchor) == 1 &&
          X509_STORE_CTX_init(ctx, store, leaf, untrusted) == 1) {
        X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
        X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
        if (opts.now == 0) X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
        else X509_VERIFY_PARAM_set_time(param, static_cast<time_t>(opts.now));
        verified = X509_verify_cert(ctx) == 1 && chain_starts_at_anchor(ctx, count);
      }
      X509_STORE_CTX_free(ctx);
      X509_STORE_free(store);
      X509_free(anchor);
      if (verified) {
        EVP_PKEY* pub = X509_get_pubkey(leaf);
        res = pub != nullptr ? result<verify_key>{pkey{pub}} : result<verify_key>{errc::crypto_failure};
        break;
      }
    }
    X509_free(leaf);
    sk_X509_pop_free(untrusted, X509_free);
    ERR_clear_error();
    return res;
  }

  // ---- host conveniences (not part of the concepts) --------------------------------------------------

  /// A private key from PEM or DER bytes (PKCS#8, or the traditional RSA/EC forms).
  [[nodiscard]] result<sign_key> load_private_key(bytes_view pem_or_der) noexcept {
    if (pem_or_der.size() > INT_MAX) return errc::invalid_field;
    BIO* bio = BIO_new_mem_buf(pem_or_der.data(), static_cast<int>(pem_or_der.size()));
    if (bio == nullptr) return failure();
    EVP_PKEY* k = PEM_read_bio_PrivateKey_ex(bio, nullptr, nullptr, nullptr, libctx_, propq_);
    if (k == nullptr) {
      const unsigned char* p = uc(pem_or_der.data());
      k = d2i_AutoPrivateKey_ex(nullptr, &p, static_cast<long>(pem_or_der.size()), libctx_, propq_);
    }
    BIO_free(bio);
    ERR_clear_error();
    if (k == nullptr) return errc::invalid_field;
    return pkey{k};
  }
  /// A private key from a PEM or DER file.
  [[nodiscard]] result<sign_key> load_private_key_file(const char* path) noexcept {
    BIO* bio = BIO_new_file(path, "rb");
    if (bio == nullptr) { ERR_clear_error(); return errc::invalid_field; }
    EVP_PKEY* k = PEM_read_bio_PrivateKey_ex(bio, nullptr, nullptr, nullptr, libctx_, propq_);
    if (k == nullptr) {
      (void)BIO_reset(bio);
      k = d2i_PrivateKey_ex_bio(bio, nullptr, libctx_, propq_);
    }
    BIO_free(bio);
    ERR_clear_error();
    if (k == nullptr) return errc::invalid_field;
    return pkey{k};
  }

  /// A fresh key pair for sig_alg (tests, provisioning tools).
  [[nodiscard]] result<sign_key> generate_sign_key(sig_alg s) noexcept {
    if (!sign_algs.contains(s)) return errc::unsupported;
    EVP_PKEY* k = nullptr;
    if (is_rsa(s)) k = EVP_PKEY_Q_keygen(libctx_, propq_, "RSA", static_cast<std::size_t>(rsa_bits(s)));
    else if (is_ecdsa(s)) k = EVP_PKEY_Q_keygen(libctx_, propq_, "EC", curve_name(s));
    else k = EVP_PKEY_Q_keygen(libctx_, propq_, s == sig_alg::ed25519 ? "ED25519" : "ED448");
    if (k == nullptr) return failure();
    return pkey{k};
  }

  /// An ECDHE key pair from a known private scalar (big-endian, field-sized): known-answer tests
  /// and provisioning only; SPDM sessions use dhe_generate.
  [[nodiscard]] result<dhe_key> dhe_import_private(dhe_alg g, bytes_view scalar) noexcept {
    if (!dhe_groups.contains(g) || !is_ecdhe(g)) return errc::unsupported;
    if (scalar.size() != dhe_field_size(g)) return errc::invalid_field;
    BIGNUM* d = BN_bin2bn(uc(scalar.data()), static_cast<int>(scalar.size()), nullptr);
    if (d == nullptr) return errc::crypto_failure;
    std::array<unsigned char, 66> native{};
    const int nrc = BN_bn2nativepad(d, native.data(), static_cast<int>(scalar.size()));
    BN_free(d);
    if (nrc < 0) return errc::crypto_failure;
    OSSL_PARAM params[3] = {
        OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group_name(g)), 0),
        OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PRIV_KEY, native.data(), scalar.size()), OSSL_PARAM_END};
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_name(libctx_, "EC", propq_);
    if (c == nullptr) return errc::crypto_failure;
    EVP_PKEY* k = nullptr;
    int rc = EVP_PKEY_fromdata_init(c);
    if (rc == 1) rc = EVP_PKEY_fromdata(c, &k, EVP_PKEY_KEYPAIR, params);
    EVP_PKEY_CTX_free(c);
    secure_wipe(std::as_writable_bytes(std::span(native)));
    if (rc != 1 || k == nullptr) { ERR_clear_error(); return errc::invalid_field; }
    return dhe_key{pkey{k}, g};
  }

  /// DER SubjectPublicKeyInfo of a key. Returns the size written.
  [[nodiscard]] result<std::size_t> export_public_key(const pkey& k, bytes_span out) noexcept {
    if (!k) return errc::invalid_state;
    const int n = i2d_PUBKEY(k.get(), nullptr);
    if (n <= 0) return failure();
    if (out.size() < static_cast<std::size_t>(n)) return errc::buffer_too_small;
    unsigned char* p = uc(out.data());
    if (i2d_PUBKEY(k.get(), &p) != n) return failure();
    return static_cast<std::size_t>(n);
  }

  [[nodiscard]] OSSL_LIB_CTX* libctx() const noexcept { return libctx_; }

 private:
  static unsigned char* uc(std::byte* p) noexcept { return reinterpret_cast<unsigned char*>(p); }
  static const unsigned char* uc(const std::byte* p) noexcept { return reinterpret_cast<const unsigned char*>(p); }

  static errc failure() noexcept {
    ERR_clear_error();
    return errc::crypto_failure;
  }
  static errc fail(hash_state& s) noexcept {
    s.failed_ = true;
    return failure();
  }

  static const char* md_name(hash_alg a) noexcept {
    switch (a) {
      case hash_alg::sha256: return "SHA256";
      case hash_alg::sha384: return "SHA384";
      case hash_alg::sha512: return "SHA512";
      case hash_alg::sha3_256: return "SHA3-256";
      case hash_alg::sha3_384: return "SHA3-384";
      case hash_alg::sha3_512: return "SHA3-512";
    }
    return "SHA256";
  }
  static const EVP_MD* md(hash_alg a) noexcept {
    switch (a) {
      case hash_alg::sha256: return EVP_sha256();
      case hash_alg::sha384: return EVP_sha384();
      case hash_alg::sha512: return EVP_sha512();
      case hash_alg::sha3_256: return EVP_sha3_256();
      case hash_alg::sha3_384: return EVP_sha3_384();
      case hash_alg::sha3_512: return EVP_sha3_512();
    }
    return nullptr;
  }
  static const EVP_CIPHER* cipher(aead_alg a) noexcept {
    switch (a) {
      case aead_alg::aes128_gcm: return EVP_aes_128_gcm();
      case aead_alg::aes256_gcm: return EVP_aes_256_gcm();
      case aead_alg::chacha20_poly1305: return EVP_chacha20_poly1305();
    }
    return nullptr;
  }
  static const char* curve_name(sig_alg s) noexcept {
    return s == sig_alg::ecdsa_p256 ? "P-256" : s == sig_alg::ecdsa_p384 ? "P-384" : "P-521";
  }
  static const char* group_name(dhe_alg g) noexcept {
    switch (g) {
      case dhe_alg::ffdhe2048: return "ffdhe2048";
      case dhe_alg::ffdhe3072: return "ffdhe3072";
      case dhe_alg::ffdhe4096: return "ffdhe4096";
      case dhe_alg::secp256r1: return "P-256";
      case dhe_alg::secp384r1: return "P-384";
      case dhe_alg::secp521r1: return "P-521";
    }
    return "";
  }

  // Is k a key of the kind s needs (type, curve, modulus size)?
  static bool key_is(const pkey& k, sig_alg s) noexcept {
    EVP_PKEY* p = k.get();
    if (is_rsa(s)) {
      const bool type_ok = EVP_PKEY_is_a(p, "RSA") == 1 || (is_rsa_pss(s) && EVP_PKEY_is_a(p, "RSA-PSS") == 1);
      return type_ok && static_cast<std::size_t>(EVP_PKEY_get_bits(p)) == rsa_bits(s);
    }
    if (is_ecdsa(s)) {
      if (EVP_PKEY_is_a(p, "EC") != 1) return false;
      return static_cast<std::size_t>(EVP_PKEY_get_bits(p)) == (s == sig_alg::ecdsa_p256 ? 256u : s == sig_alg::ecdsa_p384 ? 384u : 521u);
    }
    return EVP_PKEY_is_a(p, s == sig_alg::ed25519 ? "ED25519" : "ED448") == 1;
  }

  static int setup_sig_ctx(EVP_PKEY_CTX* c, sig_alg s, hash_alg h) noexcept {
    if (EVP_PKEY_CTX_set_signature_md(c, md(h)) != 1) return 0;
    if (is_rsa(s)) {
      if (EVP_PKEY_CTX_set_rsa_padding(c, is_rsa_pss(s) ? RSA_PKCS1_PSS_PADDING : RSA_PKCS1_PADDING) != 1) return 0;
      if (is_rsa_pss(s)) {
        // spdm.md §16.2: salt length = hash length, MGF1 with the same hash.
        if (EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_DIGEST) != 1) return 0;
        if (EVP_PKEY_CTX_set_rsa_mgf1_md(c, md(h)) != 1) return 0;
      }
    }
    return 1;
  }

  static void set_eddsa_context([[maybe_unused]] OSSL_PARAM* params, [[maybe_unused]] sig_alg s,
                                [[maybe_unused]] bytes_view context) noexcept {
#if OPENSSL_VERSION_NUMBER >= 0x30200000L
    // spdm.md §16.2: Ed448 takes the SPDM context string as its context; Ed25519 is pure.
    if (s == sig_alg::ed448 && !context.empty())
      params[0] = OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_CONTEXT_STRING,
                                                    const_cast<std::byte*>(context.data()), context.size());
#endif
  }

  result<void> kdf(hash_alg a, int mode, bytes_view key, bytes_view salt, bytes_view info, bytes_span out) noexcept {
    EVP_KDF* k = EVP_KDF_fetch(libctx_, "HKDF", propq_);
    if (k == nullptr) return failure();
    EVP_KDF_CTX* c = EVP_KDF_CTX_new(k);
    EVP_KDF_free(k);
    if (c == nullptr) return failure();
    OSSL_PARAM params[6];
    std::size_t i = 0;
    int m = mode;
    params[i++] = OSSL_PARAM_construct_int(OSSL_KDF_PARAM_MODE, &m);
    params[i++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, const_cast<char*>(md_name(a)), 0);
    params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::byte*>(key.data()), key.size());
    if (!salt.empty())
      params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::byte*>(salt.data()), salt.size());
    if (!info.empty())
      params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<std::byte*>(info.data()), info.size());
    params[i] = OSSL_PARAM_construct_end();
    const int rc = EVP_KDF_derive(c, uc(out.data()), out.size(), params);
    EVP_KDF_CTX_free(c);
    if (rc != 1) { secure_wipe(out); return failure(); }
    return ok();
  }

  result<void> export_dhe_public(EVP_PKEY* k, dhe_alg g, bytes_span out) noexcept {
    if (is_ecdhe(g)) {
      std::array<unsigned char, 1 + 2 * 66> pt{};
      std::size_t n = 0;
      if (EVP_PKEY_get_octet_string_param(k, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY, pt.data(), pt.size(), &n) != 1 ||
          n != 1 + dhe_public_key_size(g) || pt[0] != 0x04)
        return failure();
      for (std::size_t i = 0; i < dhe_public_key_size(g); ++i) out[i] = std::byte{pt[1 + i]};  // drop 0x04
      return ok();
    }
    BIGNUM* y = nullptr;
    if (EVP_PKEY_get_bn_param(k, OSSL_PKEY_PARAM_PUB_KEY, &y) != 1) return failure();
    const int rc = BN_bn2binpad(y, uc(out.data()), static_cast<int>(dhe_public_key_size(g)));
    BN_free(y);
    if (rc != static_cast<int>(dhe_public_key_size(g))) return failure();
    return ok();
  }

  result<pkey> import_dhe_public(dhe_alg g, bytes_view peer) noexcept {
    EVP_PKEY_CTX* c = EVP_PKEY_CTX_new_from_name(libctx_, is_ecdhe(g) ? "EC" : "DH", propq_);
    if (c == nullptr) return errc::crypto_failure;
    std::array<unsigned char, 1 + 2 * 66> pt{};
    BIGNUM* y = nullptr;
    OSSL_PARAM params[3];
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>(group_name(g)), 0);
    std::array<unsigned char, max_dhe_public_key_size> ybuf{};
    if (is_ecdhe(g)) {
      pt[0] = 0x04;  // SPDM sends X‖Y; OpenSSL takes the SEC 1 uncompressed point
      for (std::size_t i = 0; i < peer.size(); ++i) pt[1 + i] = std::to_integer<unsigned char>(peer[i]);
      params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, pt.data(), 1 + peer.size());
    } else {
      // OSSL_PARAM integers are native-endian: let BIGNUM convert from SPDM's big-endian Y.
      y = BN_bin2bn(uc(peer.data()), static_cast<int>(peer.size()), nullptr);
      if (y == nullptr) { EVP_PKEY_CTX_free(c); return errc::crypto_failure; }
      if (BN_bn2nativepad(y, ybuf.data(), static_cast<int>(peer.size())) < 0) {
        BN_free(y);
        EVP_PKEY_CTX_free(c);
        return errc::crypto_failure;
      }
      params[1] = OSSL_PARAM_construct_BN(OSSL_PKEY_PARAM_PUB_KEY, ybuf.data(), peer.size());
    }
    params[2] = OSSL_PARAM_construct_end();
    EVP_PKEY* k = nullptr;
    int rc = EVP_PKEY_fromdata_init(c);
    if (rc == 1) rc = EVP_PKEY_fromdata(c, &k, EVP_PKEY_PUBLIC_KEY, params);
    EVP_PKEY_CTX_free(c);
    BN_free(y);
    if (rc != 1 || k == nullptr) {  // e.g. a point that is not on the curve
      ERR_clear_error();
      return errc::invalid_field;
    }
    pkey out{k};
    // Full public-key validation (on the curve, in the subgroup; FFDHE: 1 < y < p-1, order check).
    EVP_PKEY_CTX* v = EVP_PKEY_CTX_new_from_pkey(libctx_, k, propq_);
    const int valid = v != nullptr ? EVP_PKEY_public_check(v) : 0;
    EVP_PKEY_CTX_free(v);
    ERR_clear_error();
    if (valid != 1) return errc::invalid_field;
    return out;
  }

  static X509* parse_x509(bytes_view der) noexcept {
    if (der.size() > LONG_MAX) return nullptr;
    const unsigned char* p = uc(der.data());
    X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
    if (x != nullptr && p != uc(der.data()) + der.size()) {
      X509_free(x);
      return nullptr;
    }
    return x;
  }

  // The path X509_verify_cert built must be our chain plus at most the anchor that issued our
  // first certificate: otherwise it found another path and ignored part of what the peer sent.
  static bool chain_starts_at_anchor(X509_STORE_CTX* ctx, std::size_t count) noexcept {
    STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx);
    if (built == nullptr) return false;
    const auto n = static_cast<std::size_t>(sk_X509_num(built));
    return n == count || n == count + 1;
  }

  OSSL_LIB_CTX* libctx_ = nullptr;
  const char* propq_ = nullptr;
};

static_assert(hash_policy<openssl> && native_hmac<openssl> && native_hkdf<openssl> && verify_policy<openssl> &&
              sign_policy<openssl> && dhe_policy<openssl> && aead_policy<openssl> && random_policy<openssl> &&
              cert_policy<openssl>);

}  // namespace pmci::crypto
