// SPDX-License-Identifier: Apache-2.0
// Certificate chains come from the peer: the DER reader, the X.509 field parser, the SPDM leaf
// rules and the ECDSA/SPKI encoders must take any bytes without reading out of bounds.
// Round trips checked: ECDSA DER -> r||s -> DER -> r||s; SPKI parse of what write_*_spki wrote.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "pmci/crypto/der.hpp"
#include "pmci/crypto/x509.hpp"

using namespace pmci;
using namespace pmci::crypto;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Exact-size copy so that any over-read is caught by ASan.
  std::vector<std::byte> in(size);
  for (std::size_t i = 0; i < size; ++i) in[i] = std::byte{data[i]};
  const bytes_view all{in.data(), in.size()};

  // As a chain: split, parse every certificate, query the extensions, apply the leaf rules.
  (void)der::count_certificates(all);
  (void)x509::last_certificate(all);
  bytes_view rest = all;
  for (int n = 0; n < 16 && !rest.empty(); ++n) {
    auto cert = der::next_certificate(rest);
    if (!cert) break;
    auto c = x509::parse_certificate(*cert);
    if (!c) continue;
    (void)x509::key_usage(*c);
    (void)x509::basic_constraints(*c);
    (void)x509::find_extension(*c, x509::oid::ext_key_usage);
    for (sig_alg s : {sig_alg::ecdsa_p256, sig_alg::ecdsa_p384, sig_alg::rsapss_3072, sig_alg::ed25519})
      (void)x509::check_spdm_leaf(*c, cert_chain_options{s, cert_role::requester, 1767225600});
    if (auto k = der::parse_spki(c->spki)) {
      (void)x509::scheme_for(*c, *k);
      for (sig_alg s : {sig_alg::ecdsa_p521, sig_alg::rsassa_2048, sig_alg::ed448}) (void)der::key_fits(*k, s);
    }
  }

  // As an ECDSA signature for each curve: DER -> raw -> DER must reproduce the same raw value.
  for (std::size_t f : {std::size_t{32}, std::size_t{48}, std::size_t{66}}) {
    std::array<std::byte, 132> raw{}, raw2{};
    if (!der::ecdsa_der_to_raw(all, f, raw)) continue;
    std::array<std::byte, der::ecdsa_der_max_size(66)> enc{};
    auto n = der::ecdsa_raw_to_der(std::span<const std::byte>(raw).first(2 * f), enc);
    if (!n) std::abort();
    if (!der::ecdsa_der_to_raw(std::span<const std::byte>(enc).first(*n), f, raw2) || raw != raw2) std::abort();
  }

  // As an SPKI; and as an EC point / RSA key handed to the SPKI writers, which must parse back.
  (void)der::parse_spki(all);
  std::array<std::byte, 1024> spki{};
  if (auto n = der::write_ec_spki(sig_alg::ecdsa_p256, all, spki)) {
    auto k = der::parse_spki(std::span<const std::byte>(spki).first(*n));
    if (!k || !der::equal(k->key, all)) std::abort();
  }
  if (size < 900) {
    if (auto n = der::write_rsa_spki(all, spki)) {
      auto k = der::parse_spki(std::span<const std::byte>(spki).first(*n));
      (void)k;  // an arbitrary "RSAPublicKey" need not parse; the writer must not overflow
    }
  }
  return 0;
}
