// SPDX-License-Identifier: Apache-2.0
// A key-exchange configuration with FFDHE on a policy that only does ECDHE, and that also has no
// random number source: both sentences appear.
// expect-error: crypto policy: the configuration needs DHE group FFDHE3072, which is not in the policy's `dhe_groups`
// expect-error: crypto policy: random numbers are required, but the policy has no `result<void> random(bytes_span out)`
#include "pmci/crypto/concepts.hpp"

using namespace pmci;
using namespace pmci::crypto;

struct ecdhe_only {
#if defined(PMCI_EXPECT_OK)
  static constexpr dhe_set dhe_groups{dhe_alg::secp384r1, dhe_alg::ffdhe3072};
  result<void> random(bytes_span) { return ok(); }
#else
  static constexpr dhe_set dhe_groups{dhe_alg::secp384r1};
#endif
  struct dhe_key {};
  result<dhe_key> dhe_generate(dhe_alg, bytes_span) { return dhe_key{}; }
  result<void> dhe_compute(dhe_key&, bytes_view, bytes_span) { return ok(); }
};

static_assert(check_policy<ecdhe_only, need::dhe<dhe_alg::ffdhe3072>, need::randomness>());
