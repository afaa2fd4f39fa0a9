// SPDX-License-Identifier: Apache-2.0
// KEY_EX_CAP on the attestation responder, which has no session layer.
// expect-error: spdm::responder: Config::capabilities lists a capability this responder does not implement
#include "spdm_engine_fixture.hpp"
using namespace pmci::spdm;
struct cfg : responder_defaults {
#if defined(PMCI_EXPECT_OK)
  static constexpr auto capabilities = rsp_cap::cert | rsp_cap::chal | rsp_cap::meas_sig;
#else
  static constexpr auto capabilities = rsp_cap::cert | rsp_cap::chal | rsp_cap::meas_sig | rsp_cap::key_ex | rsp_cap::mac;
#endif
};
int main() { mini::use_responder<cfg>(); }
