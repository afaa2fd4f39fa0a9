// SPDX-License-Identifier: Apache-2.0
// RAM per connection is a small constant (issue 6, "Transcripts"): sizeof of the engines for the
// example configurations of docs/spdm_engines.md (the same ones benchmarks/spdm_engines_bench.cpp
// prints), bounded with static_asserts for the allocation-free test policy and printed for every
// policy the build has. The figures in docs/spdm_engines.md come from this test's output
// (`pmci_spdm_engines_tests "engines: sizeof*" -s`).
#include <cstdio>

#include "spdm_engines/example_configs.hpp"
#include "spdm_engines/harness.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {
using namespace pmci::test::examples;

template <class Crypto>
using device = pmci::test::basic_device<Crypto>;
template <class Crypto>
using async = pmci::test::async_device<Crypto>;

template <class Crypto>
void print(const char* policy) {
  using rot = responder<rot_config, Crypto, device<Crypto>>;
  using rot_async = responder<rot_config, Crypto, async<Crypto>>;
  using small = responder<small_device_config, Crypto, device<Crypto>>;
  using dflt = responder<responder_defaults, Crypto, device<Crypto>>;
  using host = requester<host_config, Crypto>;
  using bmc = requester<bmc_config, Crypto>;
  std::printf("| %-8s | %4zu | %5zu | %5zu | %5zu | %5zu | %6zu (%zu) | %6zu (%zu) |\n", policy,
              sizeof(typename Crypto::hash_state), sizeof(rot), sizeof(rot_async), sizeof(small), sizeof(dflt),
              sizeof(host), sizeof(host) - (1 + host_config::max_message_size) - host_config::max_cert_chain_size,
              sizeof(bmc), sizeof(bmc) - (1 + bmc_config::max_message_size) - bmc_config::max_cert_chain_size);
}

using T = pmci::test::test_crypto;
// The responder keeps three hash states (A, M1/M2, L1/L2), the VCA bytes before ALGORITHMS, the
// negotiated parameters and, with an asynchronous device, one pending request: no message log.
static_assert(sizeof(responder<rot_config, T, device<T>>) <= 3 * sizeof(T::hash_state) + 200);
static_assert(sizeof(responder<rot_config, T, async<T>>) <= 3 * sizeof(T::hash_state) + 400);
static_assert(sizeof(responder<small_device_config, T, device<T>>) == sizeof(responder<rot_config, T, device<T>>));
// The requester adds its receive buffer (1 + max_message_size) and one chain buffer
// (max_cert_chain_size); the rest is a few hundred bytes plus per-slot digests and keys.
static_assert(sizeof(requester<host_config, T>) - (1 + host_config::max_message_size) - host_config::max_cert_chain_size <=
              3 * sizeof(T::hash_state) + 1900);
static_assert(sizeof(requester<bmc_config, T>) < sizeof(requester<host_config, T>));
}  // namespace

TEST_CASE("engines: sizeof of the example configurations") {
  std::printf("\nsizeof (bytes): hash_state; responders rot_config, rot_config with an asynchronous device,\n"
              "small_device_config, responder_defaults; requesters host_config and bmc_config (in parentheses:\n"
              "without the receive buffer and the chain buffer)\n\n"
              "| policy | hash_state | rot | rot async | small | defaults | host | bmc |\n"
              "|---|---:|---:|---:|---:|---:|---:|---:|\n");
  print<T>("test");
#if defined(PMCI_TEST_HAVE_OPENSSL)
  print<crypto::openssl>("openssl");
#endif
#if defined(PMCI_TEST_HAVE_PSA)
  print<crypto::psa_x509>("psa");
#endif
  // Sizes do not depend on the device: the responder holds a reference.
  CHECK(sizeof(responder<rot_config, T, device<T>>) == sizeof(responder<rot_config, T, pmci::test::basic_device<T>>));
}
