// SPDX-License-Identifier: Apache-2.0
// A configuration asking to verify Ed25519 with a policy that verifies only ECDSA (as mbedTLS 2.28's
// PSA implementation).
// expect-error: crypto policy: the configuration needs to verify Ed25519, which is not in the policy's `verify_algs`
#include "pmci/crypto/concepts.hpp"

using namespace pmci;
using namespace pmci::crypto;

struct ecdsa_only {
#if defined(PMCI_EXPECT_OK)
  static constexpr sig_set verify_algs{sig_alg::ecdsa_p384, sig_alg::ed25519};
#else
  static constexpr sig_set verify_algs{sig_alg::ecdsa_p384};
#endif
  struct verify_key {};
  result<verify_key> import_public_key(sig_alg, bytes_view) { return verify_key{}; }
  result<void> verify(const verify_key&, sig_alg, hash_alg, bytes_view, bytes_view, bytes_view) { return ok(); }
  result<void> verify_digest(const verify_key&, sig_alg, hash_alg, bytes_view, bytes_view) { return ok(); }
};

static_assert(check_policy<ecdsa_only, need::verify<sig_alg::ecdsa_p384>, need::verify<sig_alg::ed25519>>());
