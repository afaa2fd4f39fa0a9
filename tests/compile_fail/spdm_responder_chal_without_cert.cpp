// SPDX-License-Identifier: Apache-2.0
// A responder configuration with CHAL_CAP but no CERT_CAP.
// expect-error: spdm::responder: CHAL_CAP requires CERT_CAP
#include "spdm_engine_fixture.hpp"
struct cfg : pmci::spdm::responder_defaults {
#if defined(PMCI_EXPECT_OK)
  static constexpr auto capabilities = pmci::spdm::rsp_cap::cert | pmci::spdm::rsp_cap::chal;
#else
  static constexpr auto capabilities = pmci::spdm::rsp_cap::chal;
#endif
};
int main() { mini::use_responder<cfg>(); }
