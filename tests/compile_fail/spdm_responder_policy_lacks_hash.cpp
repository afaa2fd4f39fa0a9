// SPDX-License-Identifier: Apache-2.0
// The configuration lists SHA-384, the crypto policy has only SHA-256.
// expect-error: spdm::responder: the crypto policy lacks a hash algorithm listed in Config::hash_algs
#if !defined(PMCI_EXPECT_OK)
#define MINI_ONLY_SHA256
#endif
#include "spdm_engine_fixture.hpp"
struct cfg : pmci::spdm::responder_defaults {
  static constexpr std::array asym_algs{pmci::spdm::base_asym::ecdsa_p256};
};
int main() { mini::use_responder<cfg>(); }
