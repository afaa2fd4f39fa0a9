// SPDX-License-Identifier: Apache-2.0
// A requester advertising its own certificate and CHALLENGE support (mutual authentication),
// which the attestation requester does not implement.
// expect-error: spdm::requester: Config::capabilities lists a capability this requester does not implement
#include "spdm_engine_fixture.hpp"
struct cfg : pmci::spdm::requester_defaults {
#if !defined(PMCI_EXPECT_OK)
  static constexpr auto capabilities = pmci::spdm::req_cap::cert | pmci::spdm::req_cap::chal;
#endif
};
int main() { mini::use_requester<cfg>(); }
