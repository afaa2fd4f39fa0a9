// SPDX-License-Identifier: Apache-2.0
// The example engine configurations of docs/spdm_engines.md, whose object sizes the docs quote:
// tests/spdm_engines/sizes_test.cpp bounds and prints them, benchmarks/spdm_engines_bench.cpp
// prints them with each crypto policy. No Catch here: the benchmark includes it too.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "pmci/spdm/config.hpp"

namespace pmci::test::examples {

/// The attestation-only root of trust of DESIGN.md: 1.2/1.3, P-384, SHA-384.
struct rot_config : spdm::responder_defaults {
  static constexpr spdm::version_set versions{spdm::v1_2, spdm::v1_3};
  static constexpr std::array hash_algs{spdm::base_hash::sha384};
  static constexpr std::array asym_algs{spdm::base_asym::ecdsa_p384};
  static constexpr std::array measurement_hash_algs{spdm::meas_hash::sha384};
};
/// A small device: 1.2 only, P-256 / SHA-256, 1 KiB messages.
struct small_device_config : spdm::responder_defaults {
  static constexpr spdm::version_set versions{spdm::v1_2};
  static constexpr std::array hash_algs{spdm::base_hash::sha256};
  static constexpr std::array asym_algs{spdm::base_asym::ecdsa_p256};
  static constexpr std::array measurement_hash_algs{spdm::meas_hash::sha256};
  static constexpr std::uint32_t max_message_size = 1024;
};
/// A host verifier: every version, both NIST curves and hashes, 8 slots, 4 KiB chains.
struct host_config : spdm::requester_defaults {
  static constexpr std::array hash_algs{spdm::base_hash::sha384, spdm::base_hash::sha256};
  static constexpr std::array asym_algs{spdm::base_asym::ecdsa_p384, spdm::base_asym::ecdsa_p256};
};
/// A BMC verifier of small devices: 1.2/1.3, P-256/SHA-256, 1 slot, 1 KiB messages, 2 KiB chains.
struct bmc_config : spdm::requester_defaults {
  static constexpr spdm::version_set versions{spdm::v1_2, spdm::v1_3};
  static constexpr std::array hash_algs{spdm::base_hash::sha256};
  static constexpr std::array asym_algs{spdm::base_asym::ecdsa_p256};
  static constexpr std::size_t slot_count = 1;
  static constexpr std::uint32_t max_message_size = 1024;
  static constexpr std::size_t max_cert_chain_size = 2048;
};

}  // namespace pmci::test::examples
