// SPDX-License-Identifier: Apache-2.0
// CHAL_CAP, but the Device has neither a key handle nor a sign() of its own.
// expect-error: spdm::responder: a signing responder needs a Device member
#include "spdm_engine_fixture.hpp"
struct dev {
  pmci::bytes_view cert_chain(std::uint8_t) { return {}; }
#if defined(PMCI_EXPECT_OK)
  pmci::result<void> sign(std::uint8_t, const pmci::spdm::signing_request&, pmci::bytes_span) { return pmci::ok(); }
#endif
};
struct cfg : pmci::spdm::responder_defaults {
  static constexpr auto capabilities = pmci::spdm::rsp_cap::cert | pmci::spdm::rsp_cap::chal;
};
int main() { mini::use_responder<cfg, dev>(); }
