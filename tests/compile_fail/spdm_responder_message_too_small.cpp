// SPDX-License-Identifier: Apache-2.0
// A message buffer that cannot hold a P-384 CHALLENGE_AUTH.
// expect-error: spdm::responder: Config::max_message_size is too small for a CHALLENGE_AUTH
#include "spdm_engine_fixture.hpp"
struct cfg : pmci::spdm::responder_defaults {
#if defined(PMCI_EXPECT_OK)
  static constexpr std::uint32_t max_message_size = 512;
#else
  static constexpr std::uint32_t max_message_size = 128;
#endif
};
int main() { mini::use_responder<cfg>(); }
