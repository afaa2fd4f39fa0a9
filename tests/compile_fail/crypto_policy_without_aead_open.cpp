// SPDX-License-Identifier: Apache-2.0
// Sessions need AEAD both ways; this policy can only seal.
// expect-error: crypto policy: AEAD encryption is required, but the policy has no `result<void> aead_open(
#include "pmci/crypto/concepts.hpp"

using namespace pmci;
using namespace pmci::crypto;

struct seal_only {
  static constexpr aead_set aeads{aead_alg::aes256_gcm};
  struct aead_key {};
  result<aead_key> aead_import(aead_alg, bytes_view) { return aead_key{}; }
  result<void> aead_seal(const aead_key&, bytes_view, bytes_view, bytes_view, bytes_span) { return ok(); }
#if defined(PMCI_EXPECT_OK)
  result<void> aead_open(const aead_key&, bytes_view, bytes_view, bytes_view, bytes_span) { return ok(); }
#endif
};

static_assert(check_policy<seal_only, need::aead<aead_alg::aes256_gcm>>());
