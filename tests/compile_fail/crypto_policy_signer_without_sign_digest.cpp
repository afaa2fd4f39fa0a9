// SPDX-License-Identifier: Apache-2.0
// SPDM 1.0/1.1 responders sign the transcript hash itself, so a signer needs sign_digest.
// expect-error: crypto policy: signing is required, but the policy has no `result<void> sign_digest(
#include "pmci/crypto/concepts.hpp"

using namespace pmci;
using namespace pmci::crypto;

struct hsm {
  static constexpr sig_set sign_algs{sig_alg::ecdsa_p256};
  struct sign_key {};
  result<void> sign(const sign_key&, sig_alg, hash_alg, bytes_view, bytes_span, bytes_view) { return ok(); }
#if defined(PMCI_EXPECT_OK)
  result<void> sign_digest(const sign_key&, sig_alg, hash_alg, bytes_view, bytes_span) { return ok(); }
#endif
};

static_assert(check_policy<hsm, need::sign<sig_alg::ecdsa_p256>>());
