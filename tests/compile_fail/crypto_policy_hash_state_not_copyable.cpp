// SPDX-License-Identifier: Apache-2.0
// Transcripts fork running hashes, so a hash state that cannot be copied is refused.
// expect-error: crypto policy: `hash_state` must be copyable
#include "pmci/crypto/concepts.hpp"

using namespace pmci;
using namespace pmci::crypto;

struct engine {
  static constexpr hash_set hashes{hash_alg::sha256};
  struct hash_state {
    hash_state() = default;
#if !defined(PMCI_EXPECT_OK)
    hash_state(const hash_state&) = delete;  // e.g. a handle to one hardware context
    hash_state& operator=(const hash_state&) = delete;
#endif
  };
  result<void> hash_init(hash_state&, hash_alg) { return ok(); }
  result<void> hash_update(hash_state&, bytes_view) { return ok(); }
  result<void> hash_final(hash_state&, bytes_span) { return ok(); }
};

static_assert(check_policy<engine, need::hashing>());
