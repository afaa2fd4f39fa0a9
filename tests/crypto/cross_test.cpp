// SPDX-License-Identifier: Apache-2.0
// The two adapters against each other: what one signs the other verifies, ECDHE between them
// yields one secret, what one seals the other opens, and hashes, HMAC, HKDF and the SPDM key
// schedule agree on random inputs.
#include "pmci/crypto/openssl.hpp"
#include "pmci/crypto/psa.hpp"

#include "policy_suite.hpp"
#include "pmci/spdm/session/key_schedule.hpp"

using namespace pmci;
using namespace pmci::crypto;
using namespace pmci::test::crypto;

namespace {

template <class Signer, class Verifier>
void sign_here_verify_there(Signer& s, Verifier& v, sig_alg alg, hash_alg h) {
  INFO(to_string(alg) << " " << to_string(h));
  auto key = s.generate_sign_key(alg);
  REQUIRE(key);
  bytes spki(1024);
  auto n = s.export_public_key(*key, spki);
  REQUIRE(n);
  spki.resize(*n);
  auto pub = v.import_public_key(alg, spki);
  REQUIRE(pub);
  bytes msg(200);
  REQUIRE(s.random(msg));
  bytes sig(signature_size(alg));
  REQUIRE(s.sign(*key, alg, h, msg, sig, {}));
  CHECK(v.verify(*pub, alg, h, msg, sig, {}));
  bytes d(digest_size(h));
  REQUIRE(compute_hash(v, h, msg, d));
  CHECK(v.verify_digest(*pub, alg, h, d, sig));
  sig[sig.size() / 2] ^= std::byte{0x40};
  CHECK(v.verify(*pub, alg, h, msg, sig, {}) == errc::verify_failed);
}

template <class A, class B>
void ecdhe_between(A& a, B& b, dhe_alg g) {
  INFO(to_string(g));
  bytes pa(dhe_public_key_size(g)), pb(dhe_public_key_size(g));
  auto ka = a.dhe_generate(g, pa);
  auto kb = b.dhe_generate(g, pb);
  REQUIRE(ka);
  REQUIRE(kb);
  bytes sa(dhe_shared_secret_size(g)), sb(dhe_shared_secret_size(g));
  REQUIRE(a.dhe_compute(*ka, pb, sa));
  REQUIRE(b.dhe_compute(*kb, pa, sb));
  CHECK(hex(sa) == hex(sb));
}

template <class A, class B>
void seal_here_open_there(A& a, B& b, aead_alg alg) {
  INFO(to_string(alg));
  bytes key(aead_key_size(alg)), nonce(12), aad(14), pt(333);
  REQUIRE(a.random(key));
  REQUIRE(a.random(nonce));
  REQUIRE(a.random(aad));
  REQUIRE(a.random(pt));
  auto ka = a.aead_import(alg, key);
  auto kb = b.aead_import(alg, key);
  REQUIRE(ka);
  REQUIRE(kb);
  bytes ct(pt.size() + 16);
  REQUIRE(a.aead_seal(*ka, nonce, aad, pt, ct));
  bytes back(pt.size());
  REQUIRE(b.aead_open(*kb, nonce, aad, ct, back));
  CHECK(back == pt);
}

}  // namespace

TEST_CASE("cross: OpenSSL signs, PSA verifies, and the other way round") {
  openssl o;
  psa p;
  for (auto [alg, h] : {std::pair{sig_alg::ecdsa_p256, hash_alg::sha256}, std::pair{sig_alg::ecdsa_p384, hash_alg::sha384},
                        std::pair{sig_alg::ecdsa_p521, hash_alg::sha512}, std::pair{sig_alg::rsassa_2048, hash_alg::sha256},
                        std::pair{sig_alg::rsapss_2048, hash_alg::sha256}, std::pair{sig_alg::rsapss_3072, hash_alg::sha384},
                        std::pair{sig_alg::rsassa_3072, hash_alg::sha512}}) {
    sign_here_verify_there(o, p, alg, h);
    sign_here_verify_there(p, o, alg, h);
  }
}

TEST_CASE("cross: ECDHE between OpenSSL and PSA yields one secret") {
  openssl o;
  psa p;
  for (dhe_alg g : {dhe_alg::secp256r1, dhe_alg::secp384r1, dhe_alg::secp521r1}) {
    ecdhe_between(o, p, g);
    ecdhe_between(p, o, g);
  }
}

TEST_CASE("cross: AEAD sealed by one adapter opens with the other") {
  openssl o;
  psa p;
  for (aead_alg a : {aead_alg::aes128_gcm, aead_alg::aes256_gcm, aead_alg::chacha20_poly1305}) {
    seal_here_open_there(o, p, a);
    seal_here_open_there(p, o, a);
  }
}

TEST_CASE("cross: hashes, HMAC, HKDF and the key schedule agree") {
  openssl o;
  psa p;
  for (int round = 0; round < 20; ++round) {
    bytes key(static_cast<std::size_t>(round * 13)), data(static_cast<std::size_t>(round * 97 + 1));
    REQUIRE(o.random(key));
    REQUIRE(o.random(data));
    for (hash_alg h : {hash_alg::sha256, hash_alg::sha384, hash_alg::sha512}) {
      CHECK(digest_of(o, h, data) == digest_of(p, h, data));
      bytes m1(digest_size(h)), m2(digest_size(h)), m3(digest_size(h));
      REQUIRE(pmci::crypto::hmac(o, h, key, data, m1));
      REQUIRE(pmci::crypto::hmac(p, h, key, data, m2));
      REQUIRE(generic_hmac(p, h, key, data, m3));
      CHECK(m1 == m2);
      CHECK(m2 == m3);
      bytes k1(static_cast<std::size_t>(round * 11 + 1)), k2(k1.size());
      REQUIRE(hkdf_extract(o, h, key, data, m1));
      REQUIRE(hkdf_extract(p, h, key, data, m2));
      CHECK(m1 == m2);
      REQUIRE(hkdf_expand(o, h, m1, key, k1));
      REQUIRE(hkdf_expand(p, h, m2, key, k2));
      CHECK(k1 == k2);
    }
  }
  bytes secret(48), th1(48), th2(48);
  REQUIRE(p.random(secret));
  REQUIRE(p.random(th1));
  REQUIRE(p.random(th2));
  spdm::session_key_schedule<openssl> ko{o, hash_alg::sha384, aead_alg::chacha20_poly1305, 0x13};
  spdm::session_key_schedule<psa> kp{p, hash_alg::sha384, aead_alg::chacha20_poly1305, 0x13};
  REQUIRE(ko.derive_handshake(secret, th1, true));
  REQUIRE(kp.derive_handshake(secret, th1, true));
  REQUIRE(ko.derive_data(th2));
  REQUIRE(kp.derive_data(th2));
  for (auto d : {spdm::key_direction::request, spdm::key_direction::response}) {
    CHECK(hex(ko.finished_key(d)) == hex(kp.finished_key(d)));
    CHECK(hex(ko.data(d).key()) == hex(kp.data(d).key()));
    CHECK(hex(ko.data(d).iv()) == hex(kp.data(d).iv()));
  }
  CHECK(hex(ko.export_master_secret()) == hex(kp.export_master_secret()));
}

TEST_CASE("cross: RSA-PSS with a salt other than the hash length is refused by both") {
  // spdm.md §16.2: salt length = hash length. Make a PSS signature with the maximal salt with
  // OpenSSL's raw API; neither adapter may accept it.
  openssl o;
  psa p;
  auto k = o.generate_sign_key(sig_alg::rsapss_2048);
  REQUIRE(k);
  bytes spki(600);
  auto n = o.export_public_key(*k, spki);
  REQUIRE(n);
  spki.resize(*n);
  const bytes d = digest_of(o, hash_alg::sha256, ascii("salt"));
  EVP_PKEY_CTX* c = EVP_PKEY_CTX_new(k->get(), nullptr);
  REQUIRE(c != nullptr);
  bytes sig(256);
  std::size_t len = sig.size();
  const bool made = EVP_PKEY_sign_init(c) == 1 && EVP_PKEY_CTX_set_signature_md(c, EVP_sha256()) == 1 &&
                    EVP_PKEY_CTX_set_rsa_padding(c, RSA_PKCS1_PSS_PADDING) == 1 &&
                    EVP_PKEY_CTX_set_rsa_pss_saltlen(c, RSA_PSS_SALTLEN_MAX) == 1 &&
                    EVP_PKEY_sign(c, reinterpret_cast<unsigned char*>(sig.data()), &len,
                                  reinterpret_cast<const unsigned char*>(d.data()), d.size()) == 1;
  EVP_PKEY_CTX_free(c);
  REQUIRE(made);
  REQUIRE(len == 256);
  auto po = o.import_public_key(sig_alg::rsapss_2048, spki);
  auto pp = p.import_public_key(sig_alg::rsapss_2048, spki);
  REQUIRE(po);
  REQUIRE(pp);
  CHECK(o.verify_digest(*po, sig_alg::rsapss_2048, hash_alg::sha256, d, sig) == errc::verify_failed);
  CHECK(p.verify_digest(*pp, sig_alg::rsapss_2048, hash_alg::sha256, d, sig) == errc::verify_failed);
}
