// SPDX-License-Identifier: Apache-2.0
// SPDM engines: object sizes for the shipped example configurations with each crypto policy, and
// the time of a whole attestation (VCA, DIGESTS, CERTIFICATE, CHALLENGE, signed MEASUREMENTS)
// in process. Prints figures; never a timed test.
#include <chrono>
#include <cstdio>

#include "spdm_engines/example_configs.hpp"
#include "spdm_engines/harness.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {
using namespace pmci::test::examples;

template <class Crypto>
void sizes(const char* name) {
  using rsp = responder<rot_config, Crypto, pmci::test::basic_device<Crypto>>;
  using rsp_async = responder<rot_config, Crypto, pmci::test::async_device<Crypto>>;
  using rsp_all = responder<responder_defaults, Crypto, pmci::test::basic_device<Crypto>>;
  using req = requester<host_config, Crypto>;
  std::printf("| %-10s | %6zu | %6zu | %6zu | %6zu | %6zu | %7zu |\n", name, sizeof(typename Crypto::hash_state),
              sizeof(rsp), sizeof(rsp_all), sizeof(rsp_async), sizeof(req),
              sizeof(req) - host_config::max_message_size - 1 - host_config::max_cert_chain_size);
}

template <class Crypto>
void timing(const char* name) {
  using cfg = pmci::test::rsp_cfg<version::v1_3, base_hash::sha384, base_asym::ecdsa_p384, meas_hash::sha384>;
  auto p = std::make_unique<pmci::test::engine_pair<cfg, pmci::test::req_cfg, Crypto>>();
  const int rounds = 50;
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < rounds; ++i)
    if (!p->req.attest(p->link, {.trust_anchors = p->anchors})) {
      std::printf("%s: attestation failed\n", name);
      return;
    }
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - t0).count();
  std::printf("| %-10s | %8.1f |\n", name, static_cast<double>(us) / rounds / 1000.0);
}
}  // namespace

int main() {
  std::printf("sizeof (bytes); responder: rot_config (1.2/1.3, P-384/SHA-384) with a synchronous device, all\n"
              "versions with two hashes (responder_defaults), rot_config with an asynchronous device (sign()\n"
              "may return not_ready: +pending response); requester: host_config incl. its 4 KiB receive\n"
              "buffer and 4 KiB chain buffer, and without them\n\n");
  std::printf("| policy     | hash_state | rsp | rsp all | rsp async | req | req w/o buffers |\n|---|---:|---:|---:|---:|---:|---:|\n");
  sizes<pmci::test::test_crypto>("test");
#if defined(PMCI_TEST_HAVE_OPENSSL)
  sizes<crypto::openssl>("openssl");
#endif
#if defined(PMCI_TEST_HAVE_PSA)
  sizes<crypto::psa_x509>("psa");
#endif
  std::printf("\nattestation in process, SPDM 1.3 P-384/SHA-384 (ms per attest())\n\n| policy | ms |\n|---|---:|\n");
  timing<pmci::test::test_crypto>("test");
#if defined(PMCI_TEST_HAVE_OPENSSL)
  timing<crypto::openssl>("openssl");
#endif
#if defined(PMCI_TEST_HAVE_PSA)
  timing<crypto::psa_x509>("psa");
#endif
}
