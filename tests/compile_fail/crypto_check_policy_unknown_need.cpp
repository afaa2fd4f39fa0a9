// SPDX-License-Identifier: Apache-2.0
// A requirement that is not one of pmci::crypto::need's types.
// expect-error: check_policy: unknown requirement; use the types in pmci::crypto::need
#include "pmci/crypto/concepts.hpp"

using namespace pmci;
using namespace pmci::crypto;

struct engine {
  result<void> random(bytes_span) { return ok(); }
};
struct quantum_resistance {};

#if defined(PMCI_EXPECT_OK)
static_assert(check_policy<engine, need::randomness>());
#else
static_assert(check_policy<engine, need::randomness, quantum_resistance>());
#endif
