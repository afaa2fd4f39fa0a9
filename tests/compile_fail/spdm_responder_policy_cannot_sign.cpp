// SPDX-License-Identifier: Apache-2.0
// The configuration signs with P-384, the crypto policy signs with P-256 only.
// expect-error: spdm::responder: the crypto policy cannot sign with an algorithm listed in Config::asym_algs
#if !defined(PMCI_EXPECT_OK)
#define MINI_ONLY_P256
#endif
#include "spdm_engine_fixture.hpp"
struct cfg : pmci::spdm::responder_defaults {};
int main() { mini::use_responder<cfg>(); }
