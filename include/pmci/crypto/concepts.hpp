// SPDX-License-Identifier: Apache-2.0
// The crypto policy: what pmci's protocol engines need from a crypto library, as small C++20
// concepts, one per role. A policy is a class (usually one object per device, holding whatever
// the backend needs: an accelerator handle, an OpenSSL library context) whose members the
// engines call; the engines never know which library runs underneath.
//
//   role            concept                  members (all noexcept-friendly, errors as values)
//   hashing         hash_policy<P>           hash_state, hashes, hash_init/update/final
//   HMAC (native)   native_hmac<P>           hmac(alg, key, data, out)            [optional]
//   HKDF (native)   native_hkdf<P>           hkdf_extract / hkdf_expand            [optional]
//   verification    verify_policy<P>         verify_key, verify_algs, verify, verify_digest,
//                                            import_public_key
//   signing         sign_policy<P>           sign_key, sign_algs, sign, sign_digest
//   key exchange    dhe_policy<P>            dhe_key, dhe_groups, dhe_generate, dhe_compute
//   AEAD            aead_policy<P>           aead_key, aeads, aead_import, aead_seal, aead_open
//   randomness      random_policy<P>         random(out)
//   certificates    cert_policy<P>           verify_cert_chain(chain, anchors, options)
//
// HMAC and HKDF need no backend support: pmci/crypto/hmac.hpp and hkdf.hpp implement them on
// top of any hash_policy, and use the native members when a policy has them. Likewise
// pmci/crypto/x509.hpp validates certificate chains with nothing but a verify_policy.
//
// Conventions shared by every role:
// * Byte formats are SPDM's (spdm.md §16.2): ECDSA signatures r‖s big-endian, each padded to the
//   curve size; RSA signatures big-endian, modulus-sized; EdDSA per RFC 8032; ECDHE public keys
//   X‖Y big-endian, each padded to the field size; the ECDHE shared secret is the X coordinate.
// * Outputs go into caller spans. A span shorter than the result is errc::buffer_too_small; a
//   policy writes exactly the documented number of bytes (digest_size, signature_size, ...).
// * Errors: errc::unsupported (the algorithm is not in the policy's set), errc::invalid_field
//   (an input that cannot be valid: wrong length, a point not on the curve, malformed DER),
//   errc::verify_failed (a signature or chain that does not verify), errc::decrypt_error (an AEAD
//   tag that does not match), errc::crypto_failure (the backend failed: out of memory, hardware
//   fault). Never an exception.
// * Keys are handles the policy owns. A private key may live in hardware: pmci never sees private
//   key bytes, only a sign_key handle the integrator hands to the engine. Handles are movable and
//   release their backend resources on destruction.
//
// Each policy states what it supports as constants (`static constexpr hash_set hashes{...}`), so
// negotiation can only pick what the policy can do, and check_policy<P, need...>() turns a
// configuration the policy cannot serve into a compile error with a readable sentence.
//
// Freestanding header: no heap, no exceptions.
#pragma once
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "pmci/core/endian.hpp"
#include "pmci/core/result.hpp"
#include "pmci/crypto/algorithms.hpp"

namespace pmci::crypto {

// ---- hashing -----------------------------------------------------------------------------------

/// Running hashes. `hash_state` is a fixed-size, default-constructible, *copyable* value:
/// transcripts fork a running state (copy, then finalize the copy) instead of storing messages.
///
///   result<void> hash_init(hash_state&, hash_alg)          unsupported if not in `hashes`
///   result<void> hash_update(hash_state&, bytes_view data)
///   result<void> hash_final(hash_state&, bytes_span out)   writes digest_size(alg) bytes;
///                                                          buffer_too_small if out is shorter
///
/// After hash_final the state must be re-initialized before reuse. A backend whose copy can fail
/// (OpenSSL allocates) marks the copy as failed, and the next update/final reports
/// errc::crypto_failure: copy constructors cannot return errors.
template <class P>
concept hash_policy =
    requires {
      typename P::hash_state;
      { P::hashes } -> std::convertible_to<hash_set>;
    } && std::copyable<typename P::hash_state> && std::default_initializable<typename P::hash_state> &&
    requires(P& p, typename P::hash_state& s, hash_alg a, bytes_view in, bytes_span out) {
      { p.hash_init(s, a) } -> std::same_as<result<void>>;
      { p.hash_update(s, in) } -> std::same_as<result<void>>;
      { p.hash_final(s, out) } -> std::same_as<result<void>>;
    };

/// Optional: a backend HMAC (RFC 2104). Without it pmci/crypto/hmac.hpp computes HMAC from
/// hash_policy. Writes digest_size(alg) bytes.
template <class P>
concept native_hmac = requires(P& p, hash_alg a, bytes_view key, bytes_view data, bytes_span out) {
  { p.hmac(a, key, data, out) } -> std::same_as<result<void>>;
};

/// Optional: a backend HKDF (RFC 5869). Without it pmci/crypto/hkdf.hpp builds HKDF on HMAC.
///   hkdf_extract writes digest_size(alg) bytes (PRK); hkdf_expand writes out.size() bytes
///   (at most 255 * digest_size, else errc::out_of_range).
template <class P>
concept native_hkdf = requires(P& p, hash_alg a, bytes_view salt, bytes_view ikm, bytes_span out) {
  { p.hkdf_extract(a, salt, ikm, out) } -> std::same_as<result<void>>;
  { p.hkdf_expand(a, salt, ikm, out) } -> std::same_as<result<void>>;
};

/// A policy with which pmci::crypto::hmac() works (natively or generically).
template <class P>
concept hmac_capable = native_hmac<P> || hash_policy<P>;
/// A policy with which pmci::crypto::hkdf_extract()/hkdf_expand() work.
template <class P>
concept hkdf_capable = native_hkdf<P> || hash_policy<P>;

// ---- signatures ------------------------------------------------------------------------------------

/// Signature verification.
///
///   result<verify_key> import_public_key(sig_alg, bytes_view spki_der)
///       A DER SubjectPublicKeyInfo whose key fits sig_alg (curve, RSA modulus size, EdDSA
///       variant); invalid_field when it does not, unsupported when sig_alg is not supported.
///   result<void> verify(const verify_key&, sig_alg, hash_alg, bytes_view message,
///                       bytes_view signature, bytes_view context)
///       RSA/ECDSA: the scheme over Hash(message) with hash_alg. EdDSA: pure EdDSA over message
///       (hash_alg ignored); `context` is the Ed448 context string (SPDM 1.2+, spdm.md §16.2),
///       ignored otherwise. verify_failed on a bad signature (including a wrong size).
///   result<void> verify_digest(const verify_key&, sig_alg, hash_alg, bytes_view digest,
///                              bytes_view signature)
///       RSA/ECDSA over a precomputed digest (SPDM 1.0/1.1 sign the transcript itself, which an
///       engine only holds as a running hash). unsupported for EdDSA.
template <class P>
concept verify_policy =
    requires {
      typename P::verify_key;
      { P::verify_algs } -> std::convertible_to<sig_set>;
    } && std::movable<typename P::verify_key> && std::default_initializable<typename P::verify_key> &&
    requires(P& p, const typename P::verify_key& k, sig_alg s, hash_alg h, bytes_view m, bytes_view sig,
             bytes_view ctx) {
      { p.import_public_key(s, m) } -> std::same_as<result<typename P::verify_key>>;
      { p.verify(k, s, h, m, sig, ctx) } -> std::same_as<result<void>>;
      { p.verify_digest(k, s, h, m, sig) } -> std::same_as<result<void>>;
    };

/// Signing with a key the policy owns (it may live in hardware; pmci only holds the handle).
///
///   result<void> sign(const sign_key&, sig_alg, hash_alg, bytes_view message, bytes_span out,
///                     bytes_view context)          same conventions as verify
///   result<void> sign_digest(const sign_key&, sig_alg, hash_alg, bytes_view digest, bytes_span out)
/// Both write signature_size(sig_alg) bytes in SPDM format.
template <class P>
concept sign_policy =
    requires {
      typename P::sign_key;
      { P::sign_algs } -> std::convertible_to<sig_set>;
    } && std::movable<typename P::sign_key> &&
    requires(P& p, const typename P::sign_key& k, sig_alg s, hash_alg h, bytes_view m, bytes_span out,
             bytes_view ctx) {
      { p.sign(k, s, h, m, out, ctx) } -> std::same_as<result<void>>;
      { p.sign_digest(k, s, h, m, out) } -> std::same_as<result<void>>;
    };

// ---- key exchange -----------------------------------------------------------------------------------

/// Ephemeral (EC)DHE.
///
///   result<dhe_key> dhe_generate(dhe_alg, bytes_span public_out)
///       New key pair; writes dhe_public_key_size(alg) bytes (ECDHE X‖Y, FFDHE Y).
///   result<void> dhe_compute(dhe_key&, bytes_view peer_public, bytes_span secret_out)
///       Writes dhe_shared_secret_size(alg) bytes (ECDHE: X coordinate). invalid_field when the
///       peer's value has the wrong size or is not a valid point / group element.
template <class P>
concept dhe_policy =
    requires {
      typename P::dhe_key;
      { P::dhe_groups } -> std::convertible_to<dhe_set>;
    } && std::movable<typename P::dhe_key> && std::default_initializable<typename P::dhe_key> &&
    requires(P& p, typename P::dhe_key& k, dhe_alg g, bytes_view peer, bytes_span out) {
      { p.dhe_generate(g, out) } -> std::same_as<result<typename P::dhe_key>>;
      { p.dhe_compute(k, peer, out) } -> std::same_as<result<void>>;
    };

// ---- AEAD ------------------------------------------------------------------------------------------

/// Authenticated encryption, 12-byte nonce, 16-byte tag.
///
///   result<aead_key> aead_import(aead_alg, bytes_view key)   key of aead_key_size(alg) bytes
///   result<void> aead_seal(const aead_key&, bytes_view nonce, bytes_view aad,
///                          bytes_view plaintext, bytes_span out)
///       out = ciphertext ‖ tag: writes plaintext.size() + 16 bytes.
///   result<void> aead_open(const aead_key&, bytes_view nonce, bytes_view aad,
///                          bytes_view ciphertext_and_tag, bytes_span out)
///       writes ciphertext_and_tag.size() - 16 bytes; decrypt_error (and out wiped) when the tag
///       does not match; invalid_field when the input is shorter than a tag.
/// In place is allowed: out.data() == plaintext.data() (resp. ciphertext_and_tag.data()), which is
/// how a DSP0277 record is sealed (header = AAD, then ciphertext, then tag, contiguously).
template <class P>
concept aead_policy =
    requires {
      typename P::aead_key;
      { P::aeads } -> std::convertible_to<aead_set>;
    } && std::movable<typename P::aead_key> && std::default_initializable<typename P::aead_key> &&
    requires(P& p, const typename P::aead_key& k, aead_alg a, bytes_view key, bytes_view nonce, bytes_view aad,
             bytes_view in, bytes_span out) {
      { p.aead_import(a, key) } -> std::same_as<result<typename P::aead_key>>;
      { p.aead_seal(k, nonce, aad, in, out) } -> std::same_as<result<void>>;
      { p.aead_open(k, nonce, aad, in, out) } -> std::same_as<result<void>>;
    };

// ---- randomness ------------------------------------------------------------------------------------

/// Cryptographically secure random bytes (nonces, RandomData, session IDs).
template <class P>
concept random_policy = requires(P& p, bytes_span out) {
  { p.random(out) } -> std::same_as<result<void>>;
};

// ---- certificates ----------------------------------------------------------------------------------

/// Whose certificate the leaf is: SPDM's leaf rules depend on it (extended key usage).
enum class cert_role : std::uint8_t { responder, requester };

/// What verify_cert_chain checks besides the signatures.
struct cert_chain_options {
  sig_alg leaf_alg = sig_alg::ecdsa_p384;   ///< the negotiated (Req)BaseAsymAlgo: the leaf key must fit it
  cert_role role = cert_role::responder;    ///< the leaf belongs to a responder or a requester
  std::int64_t now = 0;                     ///< seconds since 1970-01-01 UTC; 0 = no clock, skip
                                            ///< the notBefore/notAfter comparison
};

/// Certificate chain validation.
///
///   result<verify_key> verify_cert_chain(bytes_view der_certs,
///                                        std::span<const bytes_view> trust_anchors,
///                                        const cert_chain_options&)
///       der_certs: DER X.509 certificates concatenated, root (or the first certificate issued by
///       a trust anchor) first, leaf last, as in an SPDM certificate chain after its header and
///       root hash (spdm.md §6.1). trust_anchors: DER certificates. Verifies every signature up
///       to an anchor, the issuing certificates' CA constraints, and the leaf fields SPDM
///       requires (pmci/crypto/x509.hpp: check_spdm_leaf), and returns the leaf's public key.
///       invalid_field for malformed DER, verify_failed for a chain that does not verify,
///       unsupported for an algorithm the policy lacks.
template <class P>
concept cert_policy = verify_policy<P> && requires(P& p, bytes_view chain, std::span<const bytes_view> anchors,
                                                   const cert_chain_options& o) {
  { p.verify_cert_chain(chain, anchors, o) } -> std::same_as<result<typename P::verify_key>>;
};

/// Everything a full SPDM requester and responder with sessions use.
template <class P>
concept full_policy = hash_policy<P> && verify_policy<P> && sign_policy<P> && dhe_policy<P> && aead_policy<P> &&
                      random_policy<P>;

// ---- one-shot helpers ------------------------------------------------------------------------------

/// Hash `data` in one go. Writes digest_size(alg) bytes into out.
template <hash_policy P>
[[nodiscard]] result<void> compute_hash(P& p, hash_alg alg, bytes_view data, bytes_span out) noexcept {
  typename P::hash_state s{};
  PMCI_TRY(p.hash_init(s, alg));
  PMCI_TRY(p.hash_update(s, data));
  return p.hash_final(s, out);
}


// ---- compile-time policy checks ----------------------------------------------------------------------
//
// A configuration states what it needs; check_policy turns every missing piece into a static_assert
// sentence instead of a page of template errors:
//
//   static_assert(pmci::crypto::check_policy<my_policy,
//                     pmci::crypto::need::hash<pmci::crypto::hash_alg::sha384>,
//                     pmci::crypto::need::verify<pmci::crypto::sig_alg::ecdsa_p384>,
//                     pmci::crypto::need::aead<pmci::crypto::aead_alg::aes256_gcm>>());

namespace need {
struct hashing {};        ///< hash_policy
struct verification {};   ///< verify_policy
struct signing {};        ///< sign_policy
struct key_exchange {};   ///< dhe_policy
struct encryption {};     ///< aead_policy
struct randomness {};     ///< random_policy
template <hash_alg A> struct hash {};   ///< hashing, with A in P::hashes
template <sig_alg A> struct verify {};  ///< verification, with A in P::verify_algs
template <sig_alg A> struct sign {};    ///< signing, with A in P::sign_algs
template <dhe_alg A> struct dhe {};     ///< key exchange, with A in P::dhe_groups
template <aead_alg A> struct aead {};   ///< encryption, with A in P::aeads
}  // namespace need

namespace detail {

template <class P>
consteval bool check_hashing() {
  static_assert(requires { typename P::hash_state; },
                "crypto policy: hashing is required, but the policy has no `hash_state` type (a copyable running hash state)");
  static_assert(requires { { P::hashes } -> std::convertible_to<hash_set>; },
                "crypto policy: hashing is required, but the policy has no `static constexpr hash_set hashes` listing its hash algorithms");
  if constexpr (requires { typename P::hash_state; }) {  // the member checks only make sense with a state type
    static_assert(std::copyable<typename P::hash_state>,
                  "crypto policy: `hash_state` must be copyable (transcripts fork a running hash instead of storing messages)");
    static_assert(requires(P& p, typename P::hash_state& s, hash_alg a) { { p.hash_init(s, a) } -> std::same_as<result<void>>; },
                  "crypto policy: hashing is required, but the policy has no `result<void> hash_init(hash_state&, hash_alg)`");
    static_assert(requires(P& p, typename P::hash_state& s, bytes_view in) { { p.hash_update(s, in) } -> std::same_as<result<void>>; },
                  "crypto policy: hashing is required, but the policy has no `result<void> hash_update(hash_state&, bytes_view)`");
    static_assert(requires(P& p, typename P::hash_state& s, bytes_span out) { { p.hash_final(s, out) } -> std::same_as<result<void>>; },
                  "crypto policy: hashing is required, but the policy has no `result<void> hash_final(hash_state&, bytes_span)`");
  }
  return true;
}

template <class P>
consteval bool check_verification() {
  static_assert(requires { typename P::verify_key; },
                "crypto policy: signature verification is required, but the policy has no `verify_key` handle type");
  static_assert(requires { { P::verify_algs } -> std::convertible_to<sig_set>; },
                "crypto policy: signature verification is required, but the policy has no `static constexpr sig_set verify_algs`");
  if constexpr (requires { typename P::verify_key; }) {  // member checks need the handle type
    static_assert(requires(P& p, sig_alg s, bytes_view der) { { p.import_public_key(s, der) } -> std::same_as<result<typename P::verify_key>>; },
                  "crypto policy: signature verification is required, but the policy has no `result<verify_key> import_public_key(sig_alg, bytes_view)`");
    static_assert(requires(P& p, const typename P::verify_key& k, sig_alg s, hash_alg h, bytes_view m) {
                    { p.verify(k, s, h, m, m, m) } -> std::same_as<result<void>>; },
                  "crypto policy: signature verification is required, but the policy has no `result<void> verify(const verify_key&, sig_alg, hash_alg, bytes_view message, bytes_view signature, bytes_view context)`");
    static_assert(requires(P& p, const typename P::verify_key& k, sig_alg s, hash_alg h, bytes_view m) {
                    { p.verify_digest(k, s, h, m, m) } -> std::same_as<result<void>>; },
                  "crypto policy: signature verification is required, but the policy has no `result<void> verify_digest(const verify_key&, sig_alg, hash_alg, bytes_view digest, bytes_view signature)`");
  }
  return true;
}

template <class P>
consteval bool check_signing() {
  static_assert(requires { typename P::sign_key; },
                "crypto policy: signing is required, but the policy has no `sign_key` handle type");
  static_assert(requires { { P::sign_algs } -> std::convertible_to<sig_set>; },
                "crypto policy: signing is required, but the policy has no `static constexpr sig_set sign_algs`");
  if constexpr (requires { typename P::sign_key; }) {  // member checks need the handle type
    static_assert(requires(P& p, const typename P::sign_key& k, sig_alg s, hash_alg h, bytes_view m, bytes_span o) {
                    { p.sign(k, s, h, m, o, m) } -> std::same_as<result<void>>; },
                  "crypto policy: signing is required, but the policy has no `result<void> sign(const sign_key&, sig_alg, hash_alg, bytes_view message, bytes_span out, bytes_view context)`");
    static_assert(requires(P& p, const typename P::sign_key& k, sig_alg s, hash_alg h, bytes_view m, bytes_span o) {
                    { p.sign_digest(k, s, h, m, o) } -> std::same_as<result<void>>; },
                  "crypto policy: signing is required, but the policy has no `result<void> sign_digest(const sign_key&, sig_alg, hash_alg, bytes_view digest, bytes_span out)`");
  }
  return true;
}

template <class P>
consteval bool check_key_exchange() {
  static_assert(requires { typename P::dhe_key; },
                "crypto policy: key exchange (DHE) is required, but the policy has no `dhe_key` handle type");
  static_assert(requires { { P::dhe_groups } -> std::convertible_to<dhe_set>; },
                "crypto policy: key exchange (DHE) is required, but the policy has no `static constexpr dhe_set dhe_groups`");
  if constexpr (requires { typename P::dhe_key; }) {  // member checks need the handle type
    static_assert(requires(P& p, dhe_alg g, bytes_span o) { { p.dhe_generate(g, o) } -> std::same_as<result<typename P::dhe_key>>; },
                  "crypto policy: key exchange (DHE) is required, but the policy has no `result<dhe_key> dhe_generate(dhe_alg, bytes_span public_out)`");
    static_assert(requires(P& p, typename P::dhe_key& k, bytes_view peer, bytes_span o) { { p.dhe_compute(k, peer, o) } -> std::same_as<result<void>>; },
                  "crypto policy: key exchange (DHE) is required, but the policy has no `result<void> dhe_compute(dhe_key&, bytes_view peer_public, bytes_span secret_out)`");
  }
  return true;
}

template <class P>
consteval bool check_encryption() {
  static_assert(requires { typename P::aead_key; },
                "crypto policy: AEAD encryption is required, but the policy has no `aead_key` handle type");
  static_assert(requires { { P::aeads } -> std::convertible_to<aead_set>; },
                "crypto policy: AEAD encryption is required, but the policy has no `static constexpr aead_set aeads`");
  if constexpr (requires { typename P::aead_key; }) {  // member checks need the handle type
    static_assert(requires(P& p, aead_alg a, bytes_view key) { { p.aead_import(a, key) } -> std::same_as<result<typename P::aead_key>>; },
                  "crypto policy: AEAD encryption is required, but the policy has no `result<aead_key> aead_import(aead_alg, bytes_view key)`");
    static_assert(requires(P& p, const typename P::aead_key& k, bytes_view v, bytes_span o) { { p.aead_seal(k, v, v, v, o) } -> std::same_as<result<void>>; },
                  "crypto policy: AEAD encryption is required, but the policy has no `result<void> aead_seal(const aead_key&, bytes_view nonce, bytes_view aad, bytes_view plaintext, bytes_span out)`");
    static_assert(requires(P& p, const typename P::aead_key& k, bytes_view v, bytes_span o) { { p.aead_open(k, v, v, v, o) } -> std::same_as<result<void>>; },
                  "crypto policy: AEAD encryption is required, but the policy has no `result<void> aead_open(const aead_key&, bytes_view nonce, bytes_view aad, bytes_view ciphertext_and_tag, bytes_span out)`");
  }
  return true;
}

template <class P>
consteval bool check_randomness() {
  static_assert(requires(P& p, bytes_span o) { { p.random(o) } -> std::same_as<result<void>>; },
                "crypto policy: random numbers are required, but the policy has no `result<void> random(bytes_span out)`");
  return true;
}

template <class P>
consteval bool hash_listed(hash_alg a) {
  if constexpr (requires { { P::hashes } -> std::convertible_to<hash_set>; }) return static_cast<hash_set>(P::hashes).contains(a);
  else return true;  // already reported by check_hashing
}
template <class P>
consteval bool verify_listed(sig_alg a) {
  if constexpr (requires { { P::verify_algs } -> std::convertible_to<sig_set>; }) return static_cast<sig_set>(P::verify_algs).contains(a);
  else return true;
}
template <class P>
consteval bool sign_listed(sig_alg a) {
  if constexpr (requires { { P::sign_algs } -> std::convertible_to<sig_set>; }) return static_cast<sig_set>(P::sign_algs).contains(a);
  else return true;
}
template <class P>
consteval bool dhe_listed(dhe_alg a) {
  if constexpr (requires { { P::dhe_groups } -> std::convertible_to<dhe_set>; }) return static_cast<dhe_set>(P::dhe_groups).contains(a);
  else return true;
}
template <class P>
consteval bool aead_listed(aead_alg a) {
  if constexpr (requires { { P::aeads } -> std::convertible_to<aead_set>; }) return static_cast<aead_set>(P::aeads).contains(a);
  else return true;
}

template <class P, class Need>
struct policy_checker {
  static_assert(sizeof(Need) == 0, "check_policy: unknown requirement; use the types in pmci::crypto::need");
  static consteval bool check() { return false; }
};
template <class P> struct policy_checker<P, need::hashing> { static consteval bool check() { return check_hashing<P>(); } };
template <class P> struct policy_checker<P, need::verification> { static consteval bool check() { return check_verification<P>(); } };
template <class P> struct policy_checker<P, need::signing> { static consteval bool check() { return check_signing<P>(); } };
template <class P> struct policy_checker<P, need::key_exchange> { static consteval bool check() { return check_key_exchange<P>(); } };
template <class P> struct policy_checker<P, need::encryption> { static consteval bool check() { return check_encryption<P>(); } };
template <class P> struct policy_checker<P, need::randomness> { static consteval bool check() { return check_randomness<P>(); } };

template <class P, hash_alg A>
struct policy_checker<P, need::hash<A>> {
  static consteval bool check() {
    check_hashing<P>();
    constexpr bool has = hash_listed<P>(A);
    static_assert(has || A != hash_alg::sha256, "crypto policy: the configuration needs SHA-256, which is not in the policy's `hashes`");
    static_assert(has || A != hash_alg::sha384, "crypto policy: the configuration needs SHA-384, which is not in the policy's `hashes`");
    static_assert(has || A != hash_alg::sha512, "crypto policy: the configuration needs SHA-512, which is not in the policy's `hashes`");
    static_assert(has || A != hash_alg::sha3_256, "crypto policy: the configuration needs SHA3-256, which is not in the policy's `hashes`");
    static_assert(has || A != hash_alg::sha3_384, "crypto policy: the configuration needs SHA3-384, which is not in the policy's `hashes`");
    static_assert(has || A != hash_alg::sha3_512, "crypto policy: the configuration needs SHA3-512, which is not in the policy's `hashes`");
    return has;
  }
};

// One sentence per algorithm so that the error names it (static_assert messages cannot be computed
// in C++20).
#define PMCI_CRYPTO_SIG_SENTENCES_(has, A, kind, member)                                                                          \
  static_assert(has || A != sig_alg::rsassa_2048, "crypto policy: the configuration needs " kind " RSASSA-2048, which is not in the policy's `" member "`"); \
  static_assert(has || A != sig_alg::rsassa_3072, "crypto policy: the configuration needs " kind " RSASSA-3072, which is not in the policy's `" member "`"); \
  static_assert(has || A != sig_alg::rsassa_4096, "crypto policy: the configuration needs " kind " RSASSA-4096, which is not in the policy's `" member "`"); \
  static_assert(has || A != sig_alg::rsapss_2048, "crypto policy: the configuration needs " kind " RSAPSS-2048, which is not in the policy's `" member "`"); \
  static_assert(has || A != sig_alg::rsapss_3072, "crypto policy: the configuration needs " kind " RSAPSS-3072, which is not in the policy's `" member "`"); \
  static_assert(has || A != sig_alg::rsapss_4096, "crypto policy: the configuration needs " kind " RSAPSS-4096, which is not in the policy's `" member "`"); \
  static_assert(has || A != sig_alg::ecdsa_p256, "crypto policy: the configuration needs " kind " ECDSA-P256, which is not in the policy's `" member "`");   \
  static_assert(has || A != sig_alg::ecdsa_p384, "crypto policy: the configuration needs " kind " ECDSA-P384, which is not in the policy's `" member "`");   \
  static_assert(has || A != sig_alg::ecdsa_p521, "crypto policy: the configuration needs " kind " ECDSA-P521, which is not in the policy's `" member "`");   \
  static_assert(has || A != sig_alg::ed25519, "crypto policy: the configuration needs " kind " Ed25519, which is not in the policy's `" member "`");         \
  static_assert(has || A != sig_alg::ed448, "crypto policy: the configuration needs " kind " Ed448, which is not in the policy's `" member "`")

template <class P, sig_alg A>
struct policy_checker<P, need::verify<A>> {
  static consteval bool check() {
    check_verification<P>();
    constexpr bool has = verify_listed<P>(A);
    PMCI_CRYPTO_SIG_SENTENCES_(has, A, "to verify", "verify_algs");
    return has;
  }
};
template <class P, sig_alg A>
struct policy_checker<P, need::sign<A>> {
  static consteval bool check() {
    check_signing<P>();
    constexpr bool has = sign_listed<P>(A);
    PMCI_CRYPTO_SIG_SENTENCES_(has, A, "to sign with", "sign_algs");
    return has;
  }
};
#undef PMCI_CRYPTO_SIG_SENTENCES_

template <class P, dhe_alg A>
struct policy_checker<P, need::dhe<A>> {
  static consteval bool check() {
    check_key_exchange<P>();
    constexpr bool has = dhe_listed<P>(A);
    static_assert(has || A != dhe_alg::ffdhe2048, "crypto policy: the configuration needs DHE group FFDHE2048, which is not in the policy's `dhe_groups`");
    static_assert(has || A != dhe_alg::ffdhe3072, "crypto policy: the configuration needs DHE group FFDHE3072, which is not in the policy's `dhe_groups`");
    static_assert(has || A != dhe_alg::ffdhe4096, "crypto policy: the configuration needs DHE group FFDHE4096, which is not in the policy's `dhe_groups`");
    static_assert(has || A != dhe_alg::secp256r1, "crypto policy: the configuration needs DHE group secp256r1, which is not in the policy's `dhe_groups`");
    static_assert(has || A != dhe_alg::secp384r1, "crypto policy: the configuration needs DHE group secp384r1, which is not in the policy's `dhe_groups`");
    static_assert(has || A != dhe_alg::secp521r1, "crypto policy: the configuration needs DHE group secp521r1, which is not in the policy's `dhe_groups`");
    return has;
  }
};
template <class P, aead_alg A>
struct policy_checker<P, need::aead<A>> {
  static consteval bool check() {
    check_encryption<P>();
    constexpr bool has = aead_listed<P>(A);
    static_assert(has || A != aead_alg::aes128_gcm, "crypto policy: the configuration needs AEAD AES-128-GCM, which is not in the policy's `aeads`");
    static_assert(has || A != aead_alg::aes256_gcm, "crypto policy: the configuration needs AEAD AES-256-GCM, which is not in the policy's `aeads`");
    static_assert(has || A != aead_alg::chacha20_poly1305, "crypto policy: the configuration needs AEAD ChaCha20-Poly1305, which is not in the policy's `aeads`");
    return has;
  }
};

}  // namespace detail

/// True when P provides everything in Needs; otherwise compilation stops with one sentence per
/// missing member or algorithm. Use inside static_assert or as a constexpr initializer.
template <class P, class... Needs>
consteval bool check_policy() {
  return (detail::policy_checker<P, Needs>::check() && ... && true);
}

}  // namespace pmci::crypto
