// SPDX-License-Identifier: Apache-2.0
// MEAS_CAP, but the Device has no measurements.
// expect-error: spdm::responder: MEAS_CAP needs Device members
#include "spdm_engine_fixture.hpp"
struct dev {
#if defined(PMCI_EXPECT_OK)
  std::span<const std::uint8_t> measurement_indices() { return {}; }
  pmci::result<void> write_measurement(std::uint8_t, const pmci::spdm::measurement_request&, pmci::writer&) { return pmci::ok(); }
#endif
};
struct cfg : pmci::spdm::responder_defaults {
  static constexpr auto capabilities = pmci::spdm::rsp_cap::meas_no_sig;
};
int main() { mini::use_responder<cfg, dev>(); }
