// SPDX-License-Identifier: Apache-2.0
// The whole stack: pmci's requester (the I3C controller side, e.g. a BMC) attests pmci's responder
// (an I3C target device) with SPDM over MCTP (DSP0275, message type 0x05) over MCTP-over-I3C
// (DSP0233) on the simulated bus: packetization at the baseline 64-byte MTU, PEC, IBIs, reassembly.
// Every version 1.0-1.3 x {P-256/SHA-256, P-384/SHA-384}; with the test policy, OpenSSL and PSA.
#include <array>
#include <memory>
#include <type_traits>

#include "pmci/mctp/endpoint.hpp"
#include "pmci/mctp/i3c.hpp"
#include "pmci/sim/mctp_i3c_pair.hpp"
#include "pmci/spdm/mctp.hpp"
#include "spdm_engines/harness.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {

constexpr std::array<std::byte, 2> types{std::byte{0x00}, std::byte{0x05}};  // control, SPDM
constexpr std::uint8_t device_addr = 0x10;
constexpr mctp::eid device_eid = 0x20;

/// One controller and one SPDM device on a simulated I3C bus (sim::mctp_i3c_pair).
template <class RspCfg, class Crypto>
struct world {
  struct ep_cfg : mctp::endpoint_defaults {
    static constexpr std::size_t max_message = 4097;  // SPDM max_message_size + type byte
    static constexpr std::size_t max_packet = 68;     // baseline: 64-byte payload
  };
  struct ctl_cfg : ep_cfg {
    static constexpr mctp::control::responder_config control_config{
        0x08, mctp::control::endpoint_kind::bus_owner_or_bridge, 0, {}, types, {}, {}};
  };
  struct dev_cfg : ep_cfg {
    static constexpr mctp::control::responder_config control_config{
        device_eid, mctp::control::endpoint_kind::simple, 0, {}, types, {}, {}};
  };
  using pair_t = pmci::test::engine_pair<RspCfg, pmci::test::req_cfg, Crypto>;

  sim::mctp_i3c_pair<ctl_cfg, dev_cfg> link{device_addr, device_eid};
  pair_t p{};  // responder + device, requester (its loopback is not used here)
  std::array<std::byte, 4097> device_tx{};  // the device's response: 0x05 ‖ SPDM
  std::size_t spdm_messages = 0;

  /// The device's "firmware": a whole MCTP message in, the SPDM responder's answer out.
  bytes_view serve(const mctp::received_message& m) {
    if (m.type != mctp::msg_type::spdm) return {};
    ++spdm_messages;
    device_tx[0] = std::byte{spdm::mctp_message_type};
    auto rsp = p.rsp.handle(m.body, std::span{device_tx}.subspan(1));
    return rsp ? bytes_view{device_tx}.first(1 + rsp->size()) : bytes_view{};
  }

  /// pmci::transport::message_transport over the controller's endpoint: send `0x05 ‖ SPDM`,
  /// run the bus until the response message arrives.
  struct transport {
    world* w;
    result<bytes_span> exchange(bytes_view request, bytes_span out) {
      if (request.empty() || request[0] != std::byte{spdm::mctp_message_type}) return errc::invalid_field;
      return w->link.exchange(request, out, [this](const mctp::received_message& m) { return w->serve(m); }, 100000);
    }
  };
};

template <class RspCfg, class Crypto>
void attest_over_i3c(version v) {
  INFO("version " << std::hex << int(to_byte(v)));
  auto w = std::make_unique<world<RspCfg, Crypto>>();
  typename world<RspCfg, Crypto>::transport t{w.get()};
  auto& req = w->p.req;
  auto rep = req.attest(t, {.trust_anchors = w->p.anchors, .summary = summary_hash_type::all});
  INFO("failure " << name(req.last_failure()));
  REQUIRE(rep);
  CHECK(rep->params.ver == v);
  CHECK(rep->challenged);
  CHECK(rep->measurements.signature_verified);
  CHECK(rep->measurements.record().count == 5);
  // VCA 3 + DIGESTS + CERTIFICATE (one 1.4 KB message, 23+ packets) + CHALLENGE + MEASUREMENTS.
  CHECK(w->spdm_messages == 7);
  CHECK(w->link.ep_dev.rx_drops().total() == 0);
  CHECK(w->link.ep_ctl.rx_drops().total() == 0);
  CHECK(w->link.unsent_responses == 0);
  // Requests fit one 64-byte packet each; the chain comes back in 23+ packet reads, each
  // announced by an IBI.
  CHECK(w->link.bus.stats().writes == 7);
  CHECK(w->link.bus.stats().reads >= 7 + 22);
  CHECK(w->link.bus.stats().ibis == w->link.bus.stats().reads);
  // Measurements one by one, then signed, over the same link.
  for (const std::uint8_t i : std::array<std::uint8_t, 5>{1, 2, 3, 4, 0x10}) {
    auto m = req.get_measurements(t, {.operation = i, .signature = false});
    REQUIRE(m);
    CHECK((*m->record().begin()).index == i);
  }
  auto m = req.get_measurements(t, {});
  REQUIRE(m);
  CHECK(m->signature_verified);
}

template <class Crypto, version V>
void both(){
  attest_over_i3c<pmci::test::rsp_cfg<V, base_hash::sha256, base_asym::ecdsa_p256, meas_hash::sha256>, Crypto>(V);
  attest_over_i3c<pmci::test::rsp_cfg<V, base_hash::sha384, base_asym::ecdsa_p384, meas_hash::sha384>, Crypto>(V);
}
template <class Crypto>
void every_version() {
  both<Crypto, version::v1_0>();
  both<Crypto, version::v1_1>();
  both<Crypto, version::v1_2>();
  both<Crypto, version::v1_3>();
}

}  // namespace

TEST_CASE("SPDM over MCTP over simulated I3C (test policy)") { every_version<pmci::test::test_crypto>(); }
#if defined(PMCI_TEST_HAVE_OPENSSL)
TEST_CASE("SPDM over MCTP over simulated I3C (OpenSSL)") { every_version<crypto::openssl>(); }
#endif
#if defined(PMCI_TEST_HAVE_PSA)
TEST_CASE("SPDM over MCTP over simulated I3C (PSA)") { every_version<crypto::psa_x509>(); }
#endif
