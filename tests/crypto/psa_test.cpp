// SPDX-License-Identifier: Apache-2.0
// The crypto policy suite on the PSA Crypto adapter (mbedTLS's PSA implementation).
#include "pmci/crypto/psa.hpp"

#include "key_schedule_suite.hpp"
#include "policy_suite.hpp"
#include "real_signatures_suite.hpp"
#if defined(PMCI_TEST_HAVE_MBEDX509)
#include "pmci/crypto/psa_x509.hpp"
#endif

PMCI_CRYPTO_POLICY_SUITE("psa", pmci::crypto::psa)
PMCI_KEY_SCHEDULE_SUITE("psa", pmci::crypto::psa)
PMCI_REAL_SIGNATURES_SUITE("psa", pmci::crypto::psa)
#if defined(PMCI_TEST_HAVE_MBEDX509)
PMCI_REAL_SIGNATURES_SUITE("psa_x509", pmci::crypto::psa_x509)
#endif

using namespace pmci;
using namespace pmci::crypto;
using namespace pmci::test::crypto;

TEST_CASE("psa: roles, and what mbedTLS 2.28 lacks") {
  STATIC_REQUIRE(full_policy<psa>);
  STATIC_REQUIRE(native_hmac<psa>);
  STATIC_REQUIRE_FALSE(native_hkdf<psa>);  // HKDF is the generic one over the PSA hash
  STATIC_REQUIRE_FALSE(cert_policy<psa>);  // chains: generic x509.hpp, or psa_x509.hpp
  STATIC_REQUIRE(cert_capable<psa>);
  STATIC_REQUIRE(check_policy<psa, need::hash<hash_alg::sha384>, need::verify<sig_alg::ecdsa_p384>,
                              need::sign<sig_alg::rsapss_3072>, need::dhe<dhe_alg::secp384r1>,
                              need::aead<aead_alg::aes256_gcm>, need::randomness>());
  psa p;
  CHECK(p.initialized());
}

TEST_CASE("psa: a borrowed key is not destroyed with its handle") {
  psa p;
  auto k = p.generate_sign_key(sig_alg::ecdsa_p256);
  REQUIRE(k);
  const auto id = k->k.id();
  {
    auto borrowed = psa::sign_key::borrow(id);
    bytes sig(64);
    CHECK(p.sign(borrowed, sig_alg::ecdsa_p256, hash_alg::sha256, ascii("m"), sig, {}));
  }
  bytes sig(64);
  CHECK(p.sign(*k, sig_alg::ecdsa_p256, hash_alg::sha256, ascii("m"), sig, {}));  // still there
  // A key created for ECDSA cannot be used for another scheme.
  bytes rsa_sig(256);
  CHECK_FALSE(p.sign(*k, sig_alg::rsassa_2048, hash_alg::sha256, ascii("m"), rsa_sig, {}));
}

// ---- psa_x509.hpp: certificate chains through mbedTLS X.509 --------------------------------------------
#if defined(PMCI_TEST_HAVE_MBEDX509)

TEST_CASE("psa_x509: certificate chains through mbedTLS X.509") {
  STATIC_REQUIRE(cert_policy<psa_x509>);
  psa_x509 p;
  cert_chain_checks(p, [&](bytes_view c, std::span<const bytes_view> a, const cert_chain_options& o) {
    return pmci::crypto::verify_cert_chain(p, c, a, o);  // the mbedTLS path
  });
}

TEST_CASE("psa_x509: a chain with a certificate the path does not use is refused") {
  psa_x509 p;
  const bytes ca = cert_file("ecp384", "ca.cert.der");
  const bytes chain = cert_file("ecp384", "bundle_responder.certchain.der");
  const bytes other_root = cert_file("ecp384", "ca1.cert.der");
  const bytes_view anchors[] = {ca};
  const cert_chain_options o{sig_alg::ecdsa_p384, cert_role::responder, 0};
  CHECK(pmci::crypto::verify_cert_chain(p, chain, anchors, o));
  // An unrelated root in front: mbedTLS alone would build leaf→intermediate→ca and ignore it.
  CHECK(pmci::crypto::verify_cert_chain(p, cat({other_root, chain}), anchors, o) == errc::verify_failed);
}
#endif  // PMCI_TEST_HAVE_MBEDX509
