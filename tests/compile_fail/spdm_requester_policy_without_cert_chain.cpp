// SPDX-License-Identifier: Apache-2.0
// A requester needs certificate-chain validation from its crypto policy.
// expect-error: spdm::requester: the crypto policy must validate certificate chains
#if !defined(PMCI_EXPECT_OK)
#define MINI_NO_CERT_CHAIN
#endif
#include "spdm_engine_fixture.hpp"
struct cfg : pmci::spdm::requester_defaults {};
int main() { mini::use_requester<cfg>(); }
