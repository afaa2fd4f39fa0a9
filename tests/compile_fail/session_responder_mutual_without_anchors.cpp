// SPDX-License-Identifier: Apache-2.0
// A responder that asks for mutual authentication must be able to validate the requester's chain.
// expect-error: spdm::session_responder: mutual authentication needs a crypto policy that validates certificate chains (cert_policy) and a Device member `std::span<const bytes_view> requester_trust_anchors()`
#include <span>

#include "pmci/crypto/openssl.hpp"
#include "pmci/spdm/session/responder_session.hpp"

struct engine {};
struct device {
#if defined(PMCI_EXPECT_OK)
  std::span<const pmci::bytes_view> requester_trust_anchors() { return {}; }
#endif
};
struct sessions : pmci::spdm::session_defaults {
  static constexpr pmci::spdm::mut_auth_policy mut_auth = pmci::spdm::mut_auth_policy::encapsulated;
};
using responder = pmci::spdm::session_responder<engine, pmci::crypto::openssl, device, sessions>;
static_assert(sizeof(responder) > 0);
