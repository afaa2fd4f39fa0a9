// SPDX-License-Identifier: Apache-2.0
// CERT_CAP, but the Device cannot hand out certificate chains.
// expect-error: spdm::responder: CERT_CAP needs a Device member `bytes_view cert_chain(std::uint8_t slot)`
#include "spdm_engine_fixture.hpp"
struct dev {
#if defined(PMCI_EXPECT_OK)
  pmci::bytes_view cert_chain(std::uint8_t) { return {}; }
#endif
  const mini::policy::sign_key* sign_key(std::uint8_t) { return nullptr; }
};
struct cfg : pmci::spdm::responder_defaults {
  static constexpr auto capabilities = pmci::spdm::rsp_cap::cert | pmci::spdm::rsp_cap::chal;
};
int main() { mini::use_responder<cfg, dev>(); }
