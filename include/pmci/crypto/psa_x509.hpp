// SPDX-License-Identifier: Apache-2.0
// pmci::crypto::psa_x509 — the PSA policy plus certificate-chain validation by mbedTLS X.509
// (mbedx509): for firmware that links mbedTLS anyway and prefers its path validation to the
// generic one of x509.hpp. Opt-in: include this header and link mbedx509.
//
// verify_cert_chain: mbedtls_x509_crt_verify_with_profile over the chain (SHA-256/384/512,
// RSA >= 2048 bits, ECDSA on P-256/384/521), with the SPDM rules on top:
// * the path mbedTLS builds must be exactly the chain as sent (leaf first in mbedTLS' view), up to
//   the first certificate or an anchor that issued it — the peer's chain is ordered root..leaf
//   (spdm.md §6.1) and nothing may be skipped;
// * validity is judged against cert_chain_options::now (mbedTLS' own clock-based expiry flags are
//   ignored: firmware often has no trustworthy clock), every certificate when now != 0;
// * the leaf passes x509::check_spdm_leaf.
// mbedTLS allocates the parsed certificates with its configured allocator (mbedtls_calloc) for
// the duration of the call; everything is freed before returning.
#pragma once
#include <mbedtls/x509_crt.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/crypto/der.hpp"
#include "pmci/crypto/psa.hpp"
#include "pmci/crypto/x509.hpp"

namespace pmci::crypto {

class psa_x509 : public psa {
 public:

  [[nodiscard]] result<verify_key> verify_cert_chain(bytes_view der_certs, std::span<const bytes_view> anchors,
                                                     const cert_chain_options& opts) noexcept {
    if (!verify_algs.contains(opts.leaf_alg)) return errc::unsupported;
    PMCI_TRY_ASSIGN(const std::size_t count, der::count_certificates(der_certs));
    if (count > max_depth) return errc::out_of_range;
    PMCI_TRY_ASSIGN(const bytes_view leaf_der, x509::last_certificate(der_certs));
    PMCI_TRY_ASSIGN(const x509::certificate leaf, x509::parse_certificate(leaf_der));
    PMCI_TRY(x509::check_spdm_leaf(leaf, opts));

    // The chain as sent, and validity against the caller's clock.
    path p{};
    bytes_view rest = der_certs;
    for (std::size_t i = 0; i < count; ++i) {
      PMCI_TRY_ASSIGN(p.sent[i], der::next_certificate(rest));
      PMCI_TRY_ASSIGN(const x509::certificate c, x509::parse_certificate(p.sent[i]));
      if (opts.now != 0 && (opts.now < c.not_before || opts.now > c.not_after)) return errc::verify_failed;
    }
    p.count = count;

    mbedtls_x509_crt chain, trusted;
    mbedtls_x509_crt_init(&chain);
    mbedtls_x509_crt_init(&trusted);
    result<void> r = ok();
    // mbedTLS wants the end-entity certificate first, then the intermediates.
    for (std::size_t i = count; r && i-- > 0;)
      if (mbedtls_x509_crt_parse_der(&chain, u8c(p.sent[i].data()), p.sent[i].size()) != 0) r = errc::invalid_field;
    for (std::size_t i = 0; r && i < anchors.size(); ++i)
      if (mbedtls_x509_crt_parse_der(&trusted, u8c(anchors[i].data()), anchors[i].size()) != 0) r = errc::invalid_field;
    if (r) {
      std::uint32_t flags = 0;
      const int rc = mbedtls_x509_crt_verify_with_profile(&chain, &trusted, nullptr, &profile(), nullptr, &flags,
                                                          &psa_x509::on_certificate, &p);
      if (rc != 0 || flags != 0 || !p.matches()) r = errc::verify_failed;
    }
    mbedtls_x509_crt_free(&chain);
    mbedtls_x509_crt_free(&trusted);
    PMCI_TRY(r);
    return import_public_key(opts.leaf_alg, leaf.spki);
  }

 private:
  static constexpr std::size_t max_depth = 8;

  // The certificates mbedTLS walked (depth 0 = leaf) against the ones the peer sent.
  struct path {
    std::array<bytes_view, max_depth> sent{};
    std::array<bytes_view, max_depth + 2> walked{};
    std::size_t count = 0;
    std::size_t depth = 0;
    bool overflow = false;
    [[nodiscard]] bool matches() const noexcept {
      if (overflow || (depth != count && depth != count + 1)) return false;
      for (std::size_t d = 0; d < count; ++d)
        if (!der::equal(walked[d], sent[count - 1 - d])) return false;
      return true;  // depth == count + 1: the top is the anchor that issued sent[0]
    }
  };

  static int on_certificate(void* ctx, mbedtls_x509_crt* crt, int depth, std::uint32_t* flags) noexcept {
    auto* p = static_cast<path*>(ctx);
    // Expiry is decided by cert_chain_options::now, not by the device clock mbedTLS reads.
    *flags &= ~static_cast<std::uint32_t>(MBEDTLS_X509_BADCERT_EXPIRED | MBEDTLS_X509_BADCERT_FUTURE);
    const auto d = static_cast<std::size_t>(depth);
    if (depth < 0 || d >= p->walked.size()) {
      p->overflow = true;
      return 0;
    }
    p->walked[d] = bytes_view(reinterpret_cast<const std::byte*>(crt->raw.p), crt->raw.len);
    if (d + 1 > p->depth) p->depth = d + 1;
    return 0;
  }

  static const mbedtls_x509_crt_profile& profile() noexcept {
    static const mbedtls_x509_crt_profile p = {
        MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA256) | MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA384) |
            MBEDTLS_X509_ID_FLAG(MBEDTLS_MD_SHA512),
        MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_RSA) | MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_RSASSA_PSS) |
            MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_ECKEY) | MBEDTLS_X509_ID_FLAG(MBEDTLS_PK_ECDSA),
        MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP256R1) | MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP384R1) |
            MBEDTLS_X509_ID_FLAG(MBEDTLS_ECP_DP_SECP521R1),
        2048,
    };
    return p;
  }

  static const unsigned char* u8c(const std::byte* p) noexcept { return reinterpret_cast<const unsigned char*>(p); }
};

static_assert(cert_policy<psa_x509> && full_policy<psa_x509>);

}  // namespace pmci::crypto
