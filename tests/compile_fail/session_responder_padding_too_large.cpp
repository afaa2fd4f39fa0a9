// SPDX-License-Identifier: Apache-2.0
// DSP0276 bounds the RandomData of a record (libspdm: 32 bytes); a configuration asking for more
// is a compile error, not a run-time surprise at the peer.
// expect-error: spdm::session_responder: DSP0276 (MCTP) allows at most 32 bytes of RandomData
#include "pmci/crypto/openssl.hpp"
#include "pmci/spdm/session/responder_session.hpp"

struct engine {};
struct device {};
struct sessions : pmci::spdm::session_defaults {
#if defined(PMCI_EXPECT_OK)
  static constexpr std::size_t max_padding = 32;
#else
  static constexpr std::size_t max_padding = 40;
#endif
};
using responder = pmci::spdm::session_responder<engine, pmci::crypto::openssl, device, sessions>;
static_assert(sizeof(responder) > 0);
