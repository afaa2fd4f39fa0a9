// SPDX-License-Identifier: Apache-2.0
// Requester <-> responder in one process for the engine tests: configurations, the test PKI,
// a device with measurements, and the loopback wiring (transport::loopback + spdm::mctp_responder).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pmci/spdm/config.hpp"
#include "pmci/spdm/mctp.hpp"
#include "pmci/spdm/requester.hpp"
#include "pmci/spdm/responder.hpp"
#include "pmci/transport/loopback.hpp"
#include "spdm_engines/test_crypto.hpp"
#include "spdm_engines/test_device.hpp"
#include "support/vectors.hpp"
#if defined(PMCI_TEST_HAVE_OPENSSL)
#include "pmci/crypto/openssl.hpp"
#endif
#if defined(PMCI_TEST_HAVE_PSA)
#include "pmci/crypto/psa_x509.hpp"
#endif

namespace pmci::test {

/// A responder configuration for one version / hash / signature / measurement hash.
template <spdm::version V, spdm::base_hash H, spdm::base_asym A, spdm::meas_hash MH, std::uint32_t Max = 4096>
struct rsp_cfg : spdm::responder_defaults {
  static constexpr spdm::version_set versions{V};
  static constexpr std::array hash_algs{H};
  static constexpr std::array asym_algs{A};
  static constexpr std::array measurement_hash_algs{MH};
  static constexpr std::size_t slot_count = 2;
  static constexpr std::uint32_t max_message_size = Max;
};
/// A requester that offers every version and both NIST curves / SHA-2 sizes.
struct req_cfg : spdm::requester_defaults {
  static constexpr std::array hash_algs{spdm::base_hash::sha384, spdm::base_hash::sha256};
  static constexpr std::array asym_algs{spdm::base_asym::ecdsa_p384, spdm::base_asym::ecdsa_p256};
  static constexpr std::size_t slot_count = 2;
};

/// The test PKI of tests/data/spdm_engines/<dir>.
struct pki {
  std::vector<std::byte> chain, ca, leaf, key_pem, key_raw;
  spdm::base_asym alg = spdm::base_asym::ecdsa_p384;
};
inline const pki& pki_for(spdm::base_asym a) {
  static const auto load = [](const std::string& d) {
    pki p;
    p.chain = load_file("spdm_engines/" + d + "/chain.der");
    p.ca = load_file("spdm_engines/" + d + "/ca.cert.der");
    p.leaf = load_file("spdm_engines/" + d + "/leaf.cert.der");
    p.key_pem = load_file("spdm_engines/" + d + "/leaf.key.pem");
    p.key_raw = load_file("spdm_engines/" + d + "/leaf.key.bin");
    p.alg = d == "ecp256" ? spdm::base_asym::ecdsa_p256 : spdm::base_asym::ecdsa_p384;
    return p;
  };
  static const pki p256 = load("ecp256"), p384 = load("ecp384");
  return a == spdm::base_asym::ecdsa_p256 ? p256 : p384;
}

/// The private key of a PKI for a crypto policy.
inline test_crypto::sign_key load_key(test_crypto&, const pki& p) { return test_crypto::key_for(p.leaf); }
#if defined(PMCI_TEST_HAVE_OPENSSL)
inline crypto::openssl::sign_key load_key(crypto::openssl& c, const pki& p) { return *c.load_private_key(p.key_pem); }
#endif
#if defined(PMCI_TEST_HAVE_PSA)
inline crypto::psa::sign_key load_key(crypto::psa& c, const pki& p) {
  return *c.import_private_key(*spdm::to_crypto(p.alg), p.key_raw);
}
#endif

/// Measurement blocks with digests of `mh` bytes: indices 1-4 (ROM, firmware, hardware and
/// firmware configuration; 1 and 2 are TCB) and a raw firmware version at 0x10.
inline std::vector<test_block> sample_blocks(std::size_t mh) {
  std::vector<test_block> b;
  for (std::uint8_t i = 1; i <= 4; ++i) {
    test_block t;
    t.index = i;
    t.value_type = static_cast<std::uint8_t>(i - 1);
    t.digest.assign(mh, std::byte{static_cast<std::uint8_t>(0x10 * i)});
    t.raw = {std::byte{'r'}, std::byte{'a'}, std::byte{'w'}, std::byte{i}};
    t.tcb = i <= 2;
    b.push_back(t);
  }
  test_block v;
  v.index = 0x10;
  v.value_type = 0x86;  // raw mutable firmware version
  v.digest = {std::byte{'1'}, std::byte{'.'}, std::byte{'2'}};
  v.tcb = false;
  b.push_back(v);
  return b;
}

template <class RspCfg, class ReqCfg, class Crypto, class Device = basic_device<Crypto>>
struct engine_pair {
  using responder_t = spdm::responder<RspCfg, Crypto, Device>;
  using adapter_t = spdm::mctp_responder<responder_t>;
  using requester_t = spdm::requester<ReqCfg, Crypto>;

  Crypto rsp_crypto{};
  Crypto req_crypto{};
  Device dev{};
  const pki& keys;
  responder_t rsp{rsp_crypto, dev};
  adapter_t adapter{rsp};
  transport::loopback<adapter_t> link{adapter};
  requester_t req{req_crypto};
  std::array<bytes_view, 1> anchors{};

  explicit engine_pair(spdm::base_asym a = RspCfg::asym_algs[0]) : keys(pki_for(a)) {
    for (std::uint8_t s = 0; s < RspCfg::slot_count; ++s) {
      dev.chains[s] = keys.chain;
      dev.keys[s] = load_key(rsp_crypto, keys);
      dev.has_key[s] = true;
    }
    if constexpr (requires { dev.crypto; }) dev.crypto = &rsp_crypto;
    dev.set_blocks(sample_blocks(spdm::hash_size(RspCfg::measurement_hash_algs[0])));
    anchors[0] = keys.ca;
  }
};

}  // namespace pmci::test
