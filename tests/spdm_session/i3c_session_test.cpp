// SPDX-License-Identifier: Apache-2.0
// Secured sessions over the simulated I3C bus: the requester (with its attestation engine) sits
// on the I3C controller, the responder (engine + session layer) on a target. Every message —
// plain SPDM (0x05) and secured records (0x06) — is packetized by the MCTP endpoint, framed by
// the I3C binding (PEC), carried by private writes / IBI-announced private reads, reassembled,
// and handed whole to the SPDM layers. Both the baseline 64-byte MTU and a 1 KiB MTU; an
// encrypted and an in-the-clear handshake; key updates (also responder-initiated), PSK, mutual
// authentication (encapsulated, and from an implicit GET_DIGESTS).
#include <memory>
#include <optional>

#include "pmci/core/hex.hpp"
#include "pmci/crypto/openssl.hpp"
#include "pmci/mctp/endpoint.hpp"
#include "pmci/mctp/i3c.hpp"
#include "pmci/sim/mctp_i3c_pair.hpp"
#include "pmci/spdm/requester.hpp"
#include "pmci/spdm/responder.hpp"
#include "pmci/spdm/session/requester_session.hpp"
#include "pmci/spdm/session/responder_session.hpp"
#include "session_test_util.hpp"
#include "spdm_engines/harness.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::session_test;
using policy = crypto::openssl;

namespace {

constexpr auto mctp_types = hex_bytes<3>("00 05 06");
constexpr auto ctrl_versions = mctp::control::version_bytes(mctp::control::version_entry::make(1, 3, 3));
constexpr mctp::control::version_support versions[] = {{mctp::control::base_spec_type, ctrl_versions}};
constexpr mctp::control::responder_config static_eid(mctp::eid e) {
  return {e, mctp::control::endpoint_kind::simple, 0, {}, mctp_types, versions, {}};
}

template <bool Clear, bool Mutual>
struct rsp_config : responder_defaults {
  static constexpr version_set versions{v1_2};
  static constexpr std::array hash_algs{base_hash::sha384};
  static constexpr std::array asym_algs{base_asym::ecdsa_p384};
  static constexpr std::array measurement_hash_algs{meas_hash::sha384};
  static constexpr rsp_cap capabilities =
      rsp_cap::cert | rsp_cap::chal | rsp_cap::meas_sig | rsp_cap::encrypt | rsp_cap::mac | rsp_cap::key_ex |
      rsp_cap::psk | rsp_cap::hbeat | rsp_cap::key_upd | (Clear ? rsp_cap::handshake_in_the_clear : rsp_cap::none) |
      (Mutual ? rsp_cap::mut_auth | rsp_cap::encap : rsp_cap::none);
  static constexpr std::array dhe_groups{dhe_group::secp384r1};
  static constexpr std::array aead_suites{aead_suite::aes_256_gcm};
  static constexpr std::array key_schedules{key_schedule::spdm};
  static constexpr std::array req_asym_algs{base_asym::ecdsa_p384};
  static constexpr bool session_layer = true;
};
template <bool Clear, bool Mutual>
struct req_config : requester_defaults {
  static constexpr std::array hash_algs{base_hash::sha384};
  static constexpr std::array asym_algs{base_asym::ecdsa_p384};
  static constexpr req_cap capabilities =
      req_cap::encrypt | req_cap::mac | req_cap::key_ex | req_cap::psk | req_cap::hbeat | req_cap::key_upd |
      (Clear ? req_cap::handshake_in_the_clear : req_cap::none) |
      (Mutual ? req_cap::cert | req_cap::mut_auth | req_cap::encap : req_cap::none);
  static constexpr std::array dhe_groups{dhe_group::secp384r1};
  static constexpr std::array aead_suites{aead_suite::aes_256_gcm};
  static constexpr std::array key_schedules{key_schedule::spdm};
  static constexpr std::array req_asym_algs{base_asym::ecdsa_p384};
  static constexpr bool session_layer = true;
};
template <bool Mutual>
struct session_config : session_defaults {
  static constexpr std::size_t max_sessions = 2;
  static constexpr mut_auth_policy mut_auth = Mutual ? mut_auth_policy::encapsulated : mut_auth_policy::none;
};

struct device : pmci::test::basic_device<policy> {
  bytes psk_value = hx("00112233445566778899aabbccddeeff");
  bytes anchor;
  bytes_view anchors_[1];
  bytes_view psk(bytes_view) { return psk_value; }
  std::span<const bytes_view> requester_trust_anchors() {
    anchors_[0] = anchor;
    return anchors_;
  }
};
struct identity {
  bytes chain;
  policy::sign_key key;
  bytes_view cert_chain(std::uint8_t slot) { return slot == 0 ? bytes_view{chain} : bytes_view{}; }
  const policy::sign_key* sign_key(std::uint8_t slot) { return slot == 0 ? &key : nullptr; }
};

constexpr std::size_t max_message = 4300;

template <std::size_t MaxPacket, bool Clear, bool Mutual>
struct world {
  struct ep_cfg : mctp::endpoint_defaults {
    static constexpr std::size_t max_message = ::max_message;
    static constexpr std::size_t max_packet = MaxPacket;
  };
  struct ctl_cfg : ep_cfg {
    static constexpr mctp::control::responder_config control_config = static_eid(0x08);
  };
  struct dev_cfg : ep_cfg {
    static constexpr mctp::control::responder_config control_config = static_eid(0x20);
  };
  using responder_t = responder<rsp_config<Clear, Mutual>, policy, device>;
  using sresponder_t = session_responder<responder_t, policy, device, session_config<Mutual>>;
  using requester_t = requester<req_config<Clear, Mutual>, policy>;
  using srequester_t = session_requester<requester_t, policy, session_config<Mutual>>;

  // Reassembly timeout and tag lifetime in ticks: signing and ECDHE happen between two ticks.
  sim::mctp_i3c_pair<ctl_cfg, dev_cfg> link{0x10, 0x20, {.timeout_ticks = 100000}, 100000};

  policy rsp_crypto, req_crypto;
  device dev;
  responder_t rsp{rsp_crypto, dev};
  sresponder_t sr{rsp, rsp_crypto, dev};
  requester_t req{req_crypto};
  srequester_t sq{req, req_crypto};
  identity id;
  const pmci::test::pki& keys = pmci::test::pki_for(base_asym::ecdsa_p384);
  std::array<bytes_view, 1> anchors{};

  std::array<std::byte, max_message> tgt_rx{}, tgt_tx{};

  world() {
    dev.chains[0] = keys.chain;
    dev.keys[0] = pmci::test::load_key(rsp_crypto, keys);
    dev.has_key[0] = true;
    dev.set_blocks(pmci::test::sample_blocks(48));
    anchors[0] = keys.ca;
    id.chain = pmci::test::load_file("spdm_session/req_ecp384/chain.der");
    id.key = *req_crypto.load_private_key(pmci::test::load_file("spdm_session/req_ecp384/leaf.key.pem"));
    dev.anchor = pmci::test::load_file("spdm_session/req_ecp384/ca.cert.der");
  }

  /// The device's firmware: a whole MCTP message in (SPDM or a secured record), the session
  /// responder's answer out. It works in place, so the message is copied out of the endpoint.
  bytes_view serve(const mctp::received_message& m) {
    std::copy(m.data.begin(), m.data.end(), tgt_rx.begin());
    auto out = sr.handle(std::span{tgt_rx}.first(m.data.size()), tgt_tx, link.now);
    return out ? bytes_view{*out} : bytes_view{};
  }

  /// The requester's transport: one MCTP message out through the controller, the answer back.
  struct transport_t {
    world* w;
    result<bytes_span> exchange(bytes_view request, bytes_span response) {
      return w->link.exchange(request, response, [this](const mctp::received_message& m) { return w->serve(m); });
    }
  };
};

template <std::size_t MaxPacket, bool Clear, bool Mutual>
void run_over_i3c() {
  auto w = std::make_unique<world<MaxPacket, Clear, Mutual>>();
  typename world<MaxPacket, Clear, Mutual>::transport_t t{w.get()};
  auto tap = w->sq.tap(t);
  // In the clear with mutual authentication: the flow that starts from an implicit GET_DIGESTS.
  if constexpr (Mutual && Clear) REQUIRE(w->sr.set_mut_auth(mut_auth_policy::implicit_digests));
  REQUIRE(w->req.connect(tap));
  REQUIRE(w->req.get_digests(tap));
  REQUIRE(w->req.get_certificate(tap, 0, w->anchors));
  auto sid = w->sq.key_exchange(t, {.slot = 0, .summary = summary_hash_type::tcb}, Mutual ? &w->id : nullptr);
  INFO("key_exchange: " << (sid ? "ok" : to_string(sid.error())));
  REQUIRE(sid);
  REQUIRE(w->sq.heartbeat(t, *sid));
  REQUIRE(w->sq.key_update(t, *sid, key_operation::update_all_keys));
  REQUIRE(w->sq.key_update(t, *sid, key_operation::update_key));
  if constexpr (Mutual) {  // ENCAP_CAP on both sides: a responder-initiated key update as well
    REQUIRE(w->sr.start_key_update(*sid));
    auto served = w->sq.serve_encapsulated_requests(t, *sid);
    REQUIRE(served);
    CHECK(*served == 2);
  }
  // A large in-session response (all measurements, raw) crosses many packets.
  bytes gm = hx("0512e002ff");
  auto m = w->sq.send_receive(t, *sid, gm);
  REQUIRE(m);
  CHECK(std::to_integer<std::uint8_t>((*m)[2]) == 0x60);
  auto psk = w->sq.psk_exchange(t, {.psk = w->dev.psk_value});
  REQUIRE(psk);
  REQUIRE(w->sq.heartbeat(t, *psk));
  REQUIRE(w->sq.end_session(t, *psk));
  REQUIRE(w->sq.end_session(t, *sid));
  CHECK(w->sr.sessions().active() == 0);
  CHECK(w->sq.sessions().active() == 0);
  CHECK(w->link.bus.stats().writes > 20);
  CHECK(w->link.ep_dev.stats().tx_errors == 0);
  CHECK(w->link.ep_ctl.stats().unexpected_responses == 0);
  CHECK(w->link.unsent_responses == 0);
}

}  // namespace

TEST_CASE("sessions over the simulated I3C bus", "[session][i3c]") {
  SECTION("baseline MTU, encrypted handshake") { run_over_i3c<68, false, false>(); }
  SECTION("baseline MTU, handshake in the clear, mutual authentication (implicit GET_DIGESTS)") {
    run_over_i3c<68, true, true>();
  }
  SECTION("1 KiB MTU, encrypted handshake, mutual authentication") { run_over_i3c<1028, false, true>(); }
}
