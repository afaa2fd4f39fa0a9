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
#include "pmci/sim/i3c_bus.hpp"
#include "pmci/spdm/mctp.hpp"
#include "spdm_engines/harness.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
namespace i3c = pmci::mctp::i3c;

namespace {

constexpr std::array<std::byte, 2> types{std::byte{0x00}, std::byte{0x05}};  // control, SPDM
constexpr std::uint8_t device_addr = 0x10;
constexpr mctp::eid device_eid = 0x20;

/// One controller and one SPDM device on a simulated I3C bus.
template <class RspCfg, class Crypto>
struct world {
  static constexpr std::size_t max_packet = 68;  // baseline: 64-byte payload
  using bus_t = sim::i3c_bus<1, max_packet + 1, 4>;
  using ctl_port_t = std::remove_reference_t<decltype(std::declval<bus_t&>().controller())>;
  using tgt_port_t = typename bus_t::target_port;
  using ctl_link_t = i3c::controller<ctl_port_t, 1, max_packet>;
  using tgt_link_t = i3c::target<tgt_port_t, max_packet, 4>;
  struct ep_cfg : mctp::endpoint_defaults {
    static constexpr std::size_t max_message = 4097;  // SPDM max_message_size + type byte
    static constexpr std::size_t max_packet = world::max_packet;
  };
  struct ctl_cfg : ep_cfg {
    static constexpr mctp::control::responder_config control_config{
        0x08, mctp::control::endpoint_kind::bus_owner_or_bridge, 0, {}, types, {}, {}};
  };
  struct dev_cfg : ep_cfg {
    static constexpr mctp::control::responder_config control_config{
        device_eid, mctp::control::endpoint_kind::simple, 0, {}, types, {}, {}};
  };
  using ctl_ep_t = mctp::endpoint<ctl_cfg>;
  using tgt_ep_t = mctp::endpoint<dev_cfg>;
  using pair_t = pmci::test::engine_pair<RspCfg, pmci::test::req_cfg, Crypto>;

  bus_t bus{};
  ctl_link_t ctl{bus.controller()};
  tgt_port_t* port = *bus.add_target({.dynamic_address = device_addr});
  tgt_link_t tgt{*port};
  ctl_ep_t ep_ctl{};
  tgt_ep_t ep_dev{};
  pair_t p{};  // responder + device, requester (its loopback is not used here)
  std::array<std::byte, 4096> device_tx{};   // the device's SPDM response buffer
  std::array<std::byte, 4097> request_tx{};  // the controller's request, in flight until sent
  std::uint32_t now = 0;
  std::size_t spdm_messages = 0;

  world() {
    for (std::size_t i = 0; i < bus.controller().device_count(); ++i)
      if (i3c::is_mctp_device(bus.controller().device(i).dcr)) (void)ctl.add_target(bus.controller().device(i).info());
    (void)ep_ctl.set_route(device_eid, device_addr);
    ep_dev.set_default_route(0);
  }

  /// The device's "firmware": I3C callbacks -> MCTP endpoint -> SPDM responder -> back.
  void device_step() {
    while (auto w = port->take_write())
      if (auto pk = tgt.on_private_write(*w))
        if (auto m = ep_dev.receive(tgt, {0, *pk}, now); m && m->tag_owner && m->type == mctp::msg_type::spdm) {
          ++spdm_messages;
          auto rsp = p.rsp.handle(m->body, device_tx);
          if (rsp) (void)ep_dev.send_response(tgt, *m, mctp::msg_type::spdm, *rsp);
        }
    while (port->take_read_complete()) tgt.on_read_complete();
    (void)ep_dev.flush(tgt);
  }

  /// pmci::transport::message_transport over the controller's endpoint: send `0x05 ‖ SPDM`,
  /// run the bus until the response message arrives.
  struct transport {
    world* w;
    result<bytes_span> exchange(bytes_view request, bytes_span out) {
      if (request.empty() || request[0] != std::byte{spdm::mctp_message_type}) return errc::invalid_field;
      std::copy(request.begin(), request.end(), w->request_tx.begin());
      const bytes_view body = bytes_view{w->request_tx}.subspan(1, request.size() - 1);
      PMCI_TRY(w->ep_ctl.send_request(w->ctl, device_eid, mctp::msg_type::spdm, body, w->now));
      for (int i = 0; i < 100000; ++i) {
        ++w->now;
        (void)w->ep_ctl.flush(w->ctl);
        w->device_step();
        while (auto ibi = w->bus.controller().take_ibi()) w->ctl.on_ibi(ibi->address, ibi->payload());
        w->ctl.poll();
        while (auto m = w->ep_ctl.poll(w->ctl, w->now)) {
          if (m->tag_owner || m->type != mctp::msg_type::spdm || m->source != device_eid) continue;
          if (m->data.size() > out.size()) return errc::buffer_too_small;
          std::copy(m->data.begin(), m->data.end(), out.begin());
          return out.first(m->data.size());
        }
      }
      return errc::timeout;
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
  CHECK(w->ep_dev.rx_drops().total() == 0);
  CHECK(w->ep_ctl.rx_drops().total() == 0);
  // Requests fit one 64-byte packet each; the chain comes back in 23+ packet reads, each
  // announced by an IBI.
  CHECK(w->bus.stats().writes == 7);
  CHECK(w->bus.stats().reads >= 7 + 22);
  CHECK(w->bus.stats().ibis == w->bus.stats().reads);
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
