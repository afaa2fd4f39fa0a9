// SPDX-License-Identifier: Apache-2.0
// A minimal crypto policy and Device for the SPDM engine compile-fail cases (included by them;
// not a test itself). Macros trim it: MINI_ONLY_SHA256, MINI_ONLY_P256, MINI_NO_CERT_CHAIN.
#pragma once
#include <cstdint>
#include <span>

#include "pmci/spdm/requester.hpp"
#include "pmci/spdm/responder.hpp"

namespace mini {
using namespace pmci;

struct policy {
#if defined(MINI_ONLY_SHA256)
  static constexpr crypto::hash_set hashes{crypto::hash_alg::sha256};
#else
  static constexpr crypto::hash_set hashes{crypto::hash_alg::sha256, crypto::hash_alg::sha384};
#endif
#if defined(MINI_ONLY_P256)
  static constexpr crypto::sig_set sign_algs{crypto::sig_alg::ecdsa_p256};
#else
  static constexpr crypto::sig_set sign_algs{crypto::sig_alg::ecdsa_p256, crypto::sig_alg::ecdsa_p384};
#endif
  static constexpr crypto::sig_set verify_algs = sign_algs;
  struct hash_state {};
  struct sign_key {};
  struct verify_key {};
  result<void> hash_init(hash_state&, crypto::hash_alg) { return ok(); }
  result<void> hash_update(hash_state&, bytes_view) { return ok(); }
  result<void> hash_final(hash_state&, bytes_span) { return ok(); }
  result<void> sign(const sign_key&, crypto::sig_alg, crypto::hash_alg, bytes_view, bytes_span, bytes_view) { return ok(); }
  result<void> sign_digest(const sign_key&, crypto::sig_alg, crypto::hash_alg, bytes_view, bytes_span) { return ok(); }
  result<verify_key> import_public_key(crypto::sig_alg, bytes_view) { return verify_key{}; }
  result<void> verify(const verify_key&, crypto::sig_alg, crypto::hash_alg, bytes_view, bytes_view, bytes_view) { return ok(); }
  result<void> verify_digest(const verify_key&, crypto::sig_alg, crypto::hash_alg, bytes_view, bytes_view) { return ok(); }
  result<void> random(bytes_span) { return ok(); }
#if !defined(MINI_NO_CERT_CHAIN)
  result<verify_key> verify_cert_chain(bytes_view, std::span<const bytes_view>, const crypto::cert_chain_options&) {
    return verify_key{};
  }
#endif
};

/// Certificates, a key per slot and measurements.
struct device {
  bytes_view cert_chain(std::uint8_t) { return {}; }
  const policy::sign_key* sign_key(std::uint8_t) { return nullptr; }
  std::span<const std::uint8_t> measurement_indices() { return {}; }
  result<void> write_measurement(std::uint8_t, const spdm::measurement_request&, writer&) { return ok(); }
};

/// Instantiate a responder / requester (the static_asserts fire in the class body).
template <class Cfg, class Dev = device, class P = policy>
void use_responder() {
  P p;
  Dev d;
  spdm::responder<Cfg, P, Dev> r{p, d};
  (void)r;
}
template <class Cfg, class P = policy>
void use_requester() {
  P p;
  spdm::requester<Cfg, P> r{p};
  (void)r;
}
}  // namespace mini
