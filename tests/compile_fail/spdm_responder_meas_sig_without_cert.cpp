// SPDX-License-Identifier: Apache-2.0
// Signed measurements without a certificate to verify them with.
// expect-error: spdm::responder: signed measurements (MEAS_CAP = 10b) require CERT_CAP
#include "spdm_engine_fixture.hpp"
struct cfg : pmci::spdm::responder_defaults {
#if defined(PMCI_EXPECT_OK)
  static constexpr auto capabilities = pmci::spdm::rsp_cap::meas_no_sig;
#else
  static constexpr auto capabilities = pmci::spdm::rsp_cap::meas_sig;
#endif
};
int main() { mini::use_responder<cfg>(); }
