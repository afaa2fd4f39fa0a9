// SPDX-License-Identifier: Apache-2.0
// A configuration that needs hashing, given a policy with no running hash state.
// expect-error: crypto policy: hashing is required, but the policy has no `hash_state` type
#include "pmci/crypto/concepts.hpp"

using namespace pmci;
using namespace pmci::crypto;

struct accelerator {
  static constexpr hash_set hashes{hash_alg::sha256};
#if defined(PMCI_EXPECT_OK)
  struct hash_state {};
#endif
  template <class S> result<void> hash_init(S&, hash_alg) { return ok(); }
  template <class S> result<void> hash_update(S&, bytes_view) { return ok(); }
  template <class S> result<void> hash_final(S&, bytes_span) { return ok(); }
};

static_assert(check_policy<accelerator, need::hashing>());
