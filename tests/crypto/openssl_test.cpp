// SPDX-License-Identifier: Apache-2.0
// The crypto policy suite on the OpenSSL 3 adapter, plus what only OpenSSL offers.
#include "pmci/crypto/openssl.hpp"

#include "policy_suite.hpp"

PMCI_CRYPTO_POLICY_SUITE("openssl", pmci::crypto::openssl)

using namespace pmci;
using namespace pmci::crypto;
using namespace pmci::test::crypto;

TEST_CASE("openssl: satisfies every role natively") {
  STATIC_REQUIRE(full_policy<openssl>);
  STATIC_REQUIRE(native_hmac<openssl>);
  STATIC_REQUIRE(native_hkdf<openssl>);
  STATIC_REQUIRE(cert_policy<openssl>);
  STATIC_REQUIRE(check_policy<openssl, need::hash<hash_alg::sha3_384>, need::verify<sig_alg::rsapss_4096>,
                              need::sign<sig_alg::ed25519>, need::dhe<dhe_alg::ffdhe3072>,
                              need::aead<aead_alg::chacha20_poly1305>, need::randomness>());
}

TEST_CASE("openssl: private key loading") {
  openssl p;
  auto k = p.generate_sign_key(sig_alg::ecdsa_p256);
  REQUIRE(k);
  // Round trip through PEM (PKCS#8) as a host tool would store it.
  BIO* bio = BIO_new(BIO_s_mem());
  REQUIRE(PEM_write_bio_PrivateKey(bio, k->get(), nullptr, nullptr, 0, nullptr, nullptr) == 1);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  const bytes pem(reinterpret_cast<const std::byte*>(data), reinterpret_cast<const std::byte*>(data) + len);
  BIO_free(bio);
  auto loaded = p.load_private_key(pem);
  REQUIRE(loaded);
  bytes sig(64), spki(200);
  REQUIRE(p.sign(*loaded, sig_alg::ecdsa_p256, hash_alg::sha256, ascii("m"), sig, {}));
  auto n = p.export_public_key(*k, spki);
  REQUIRE(n);
  spki.resize(*n);
  auto pub = p.import_public_key(sig_alg::ecdsa_p256, spki);
  REQUIRE(pub);
  CHECK(p.verify(*pub, sig_alg::ecdsa_p256, hash_alg::sha256, ascii("m"), sig, {}));
  CHECK(p.load_private_key(ascii("not a key")) == errc::invalid_field);
  CHECK(p.load_private_key_file("/nonexistent/key.pem") == errc::invalid_field);
}

#include "key_schedule_suite.hpp"
PMCI_KEY_SCHEDULE_SUITE("openssl", pmci::crypto::openssl)

#include "real_signatures_suite.hpp"
PMCI_REAL_SIGNATURES_SUITE("openssl", pmci::crypto::openssl)
