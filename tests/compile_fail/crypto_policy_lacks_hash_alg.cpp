// SPDX-License-Identifier: Apache-2.0
// A SHA-384 configuration on a policy that only lists SHA-256.
// expect-error: crypto policy: the configuration needs SHA-384, which is not in the policy's `hashes`
#include "pmci/crypto/concepts.hpp"

using namespace pmci;
using namespace pmci::crypto;

struct sha256_engine {
#if defined(PMCI_EXPECT_OK)
  static constexpr hash_set hashes{hash_alg::sha256, hash_alg::sha384};
#else
  static constexpr hash_set hashes{hash_alg::sha256};
#endif
  struct hash_state {};
  result<void> hash_init(hash_state&, hash_alg) { return ok(); }
  result<void> hash_update(hash_state&, bytes_view) { return ok(); }
  result<void> hash_final(hash_state&, bytes_span) { return ok(); }
};

static_assert(check_policy<sha256_engine, need::hash<hash_alg::sha384>>());
