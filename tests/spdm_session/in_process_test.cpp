// SPDX-License-Identifier: Apache-2.0
// Whole sessions between pmci's requester and responder (attestation engines + session layers,
// OpenSSL on both sides), in one process:
//  * SPDM 1.1, 1.2, 1.3 x {P-256 + SHA-256 + secp256r1 + AES-256-GCM, P-384 + SHA-384 +
//    secp384r1 + ChaCha20-Poly1305} x {handshake in the clear, encrypted handshake}: KEY_EXCHANGE
//    with a measurement summary, FINISH, HEARTBEAT, KEY_UPDATE (UpdateKey, UpdateAllKeys, each
//    followed by VerifyNewKey), GET_MEASUREMENTS and an application message inside the session,
//    END_SESSION; both sides agree on every key (export master secret) and end with nothing.
//  * PSK sessions, mutual authentication (encapsulated flow, signed FINISH), MAC-only sessions,
//    concurrent sessions up to the limit, heartbeat expiry, a forged record ending a session.
//  * The same over the simulated I3C bus: MCTP packetization, the I3C binding with PEC, IBIs.
#include <memory>
#include <vector>

#include "pmci/crypto/openssl.hpp"
#include "pmci/mctp/endpoint.hpp"
#include "pmci/mctp/i3c.hpp"
#include "pmci/sim/i3c_bus.hpp"
#include "pmci/spdm/requester.hpp"
#include "pmci/spdm/responder.hpp"
#include "pmci/spdm/session/requester_session.hpp"
#include "pmci/spdm/session/responder_session.hpp"
#include "pmci/transport/loopback.hpp"
#include "session_test_util.hpp"
#include "session_world.hpp"
#include "spdm_engines/harness.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::session_test;
using policy = crypto::openssl;

namespace {

using device_t = session_device<policy>;
using identity_t = identity<policy>;

/// Both ends, wired over a transport built by the test.
template <class RspCfg, class ReqCfg, bool Mutual = false>
struct pair {
  using responder_t = responder<RspCfg, policy, device_t>;
  using sresponder_t = session_responder<responder_t, policy, device_t, session_config<Mutual>>;
  using requester_t = requester<ReqCfg, policy>;
  using srequester_t = session_requester<requester_t, policy, session_config<Mutual>>;

  policy rsp_crypto, req_crypto;
  device_t dev;
  const pmci::test::pki& keys = pmci::test::pki_for(RspCfg::asym_algs[0]);
  std::unique_ptr<responder_t> rsp = std::make_unique<responder_t>(rsp_crypto, dev);
  std::unique_ptr<sresponder_t> sr = std::make_unique<sresponder_t>(*rsp, rsp_crypto, dev);
  std::unique_ptr<requester_t> req = std::make_unique<requester_t>(req_crypto);
  std::unique_ptr<srequester_t> sq = std::make_unique<srequester_t>(*req, req_crypto);
  std::array<bytes_view, 1> anchors{};
  identity_t id;

  pair() {
    dev.chains[0] = keys.chain;
    dev.keys[0] = pmci::test::load_key(rsp_crypto, keys);
    dev.has_key[0] = true;
    dev.set_blocks(pmci::test::sample_blocks(hash_size(RspCfg::measurement_hash_algs[0])));
    anchors[0] = keys.ca;
    if constexpr (Mutual) {
      const std::string d = req_dir(RspCfg::asym_algs[0]);
      id.chain = pmci::test::load_file(d + "/chain.der");
      id.key = *req_crypto.load_private_key(pmci::test::load_file(d + "/leaf.key.pem"));
      dev.anchors.push_back(pmci::test::load_file(d + "/ca.cert.der"));
    }
  }

  /// VCA, DIGESTS, CERTIFICATE (verified) through the session layer's tap.
  template <class T>
  void connect(T& t) {
    auto tap = sq->tap(t);
    REQUIRE(req->connect(tap));
    REQUIRE(req->get_digests(tap));
    REQUIRE(req->get_certificate(tap, 0, anchors));
  }

  /// Both sides derived the same export master secret (hence the same TH2 and secrets).
  void same_keys(std::uint32_t sid) {
    auto* a = sq->sessions().find(sid);
    auto* b = sr->sessions().find(sid);
    REQUIRE(a != nullptr);
    REQUIRE(b != nullptr);
    CHECK(a->established());
    CHECK(b->established());
    CHECK(hex(a->key_schedule_ref().export_master_secret()) == hex(b->key_schedule_ref().export_master_secret()));
    CHECK(hex(a->transcript_hash()) == hex(b->transcript_hash()));
    CHECK(hex(a->key_schedule_ref().data(key_direction::request).key()) ==
          hex(b->key_schedule_ref().data(key_direction::request).key()));
  }

  bytes get_measurements_message() const {
    const negotiated& n = req->negotiated_params();
    std::array<std::byte, 8> ctx{};
    get_measurements g;
    g.operation = 0xFF;
    if (n.ver >= version::v1_3) g.requester_context = ctx;
    bytes out(64);
    writer w{std::span{out}.subspan(1)};
    REQUIRE(g.encode(w, n));
    out[0] = std::byte{0x05};
    out.resize(1 + w.size());
    return out;
  }

  /// The full session workout over transport t.
  template <class T>
  void workout(T& t) {
    connect(t);
    auto sid = sq->key_exchange(t, {.slot = 0, .summary = summary_hash_type::all}, Mutual ? &id : nullptr);
    INFO("key_exchange: " << (sid ? "ok" : to_string(sid.error())));
    REQUIRE(sid);
    CHECK(sq->last_summary_hash().size() == req->negotiated_params().h());
    same_keys(*sid);
    CHECK(sq->sessions().find(*sid)->params().handshake_in_the_clear ==
          req->negotiated_params().handshake_in_the_clear());
    REQUIRE(sq->heartbeat(t, *sid));
    REQUIRE(sq->key_update(t, *sid, key_operation::update_key));
    same_keys(*sid);
    REQUIRE(sq->key_update(t, *sid, key_operation::update_all_keys));
    same_keys(*sid);
    CHECK_FALSE(sr->sessions().find(*sid)->update_pending());
    // In-session SPDM request served by the engine, and an application message by the device.
    const bytes gm = get_measurements_message();
    auto m = sq->send_receive(t, *sid, gm);
    REQUIRE(m);
    CHECK(std::to_integer<std::uint8_t>((*m)[2]) == 0x60);
    const bytes app = hx("7e0102030405");
    auto a = sq->send_receive(t, *sid, app);
    REQUIRE(a);
    CHECK(hex(*a) == "7e0504030201");
    CHECK(dev.app_messages == 1);
    REQUIRE(sq->end_session(t, *sid));
    CHECK(sq->sessions().active() == 0);
    CHECK(sr->sessions().active() == 0);
  }
};

template <class RspCfg, class ReqCfg>
void loopback_workout() {
  pair<RspCfg, ReqCfg> p;
  copying_handler<typename pair<RspCfg, ReqCfg>::sresponder_t> h{p.sr.get()};
  transport::loopback link{h};
  p.workout(link);
}

template <version V, bool Clear>
using rsp_p256 = rsp_config<V, base_hash::sha256, base_asym::ecdsa_p256, dhe_group::secp256r1, aead_suite::aes_256_gcm, Clear>;
template <version V, bool Clear>
using rsp_p384 = rsp_config<V, base_hash::sha384, base_asym::ecdsa_p384, dhe_group::secp384r1, aead_suite::chacha20_poly1305, Clear>;

}  // namespace

TEST_CASE("sessions in process: SPDM 1.1-1.3 x {P-256/AES-256-GCM, P-384/ChaCha20} x {clear, encrypted}",
          "[session][in_process]") {
  SECTION("1.1 P-256 clear") { loopback_workout<rsp_p256<v1_1, true>, req_config<true>>(); }
  SECTION("1.1 P-256 encrypted") { loopback_workout<rsp_p256<v1_1, false>, req_config<false>>(); }
  SECTION("1.1 P-384 clear") { loopback_workout<rsp_p384<v1_1, true>, req_config<true>>(); }
  SECTION("1.1 P-384 encrypted") { loopback_workout<rsp_p384<v1_1, false>, req_config<false>>(); }
  SECTION("1.2 P-256 clear") { loopback_workout<rsp_p256<v1_2, true>, req_config<true>>(); }
  SECTION("1.2 P-256 encrypted") { loopback_workout<rsp_p256<v1_2, false>, req_config<false>>(); }
  SECTION("1.2 P-384 clear") { loopback_workout<rsp_p384<v1_2, true>, req_config<true>>(); }
  SECTION("1.2 P-384 encrypted") { loopback_workout<rsp_p384<v1_2, false>, req_config<false>>(); }
  SECTION("1.3 P-256 clear") { loopback_workout<rsp_p256<v1_3, true>, req_config<true>>(); }
  SECTION("1.3 P-256 encrypted") { loopback_workout<rsp_p256<v1_3, false>, req_config<false>>(); }
  SECTION("1.3 P-384 clear") { loopback_workout<rsp_p384<v1_3, true>, req_config<true>>(); }
  SECTION("1.3 P-384 encrypted") { loopback_workout<rsp_p384<v1_3, false>, req_config<false>>(); }
  // The requester does not offer HANDSHAKE_IN_THE_CLEAR: encrypted even if the responder could.
  SECTION("1.2 P-384 responder clear, requester not") { loopback_workout<rsp_p384<v1_2, true>, req_config<false>>(); }
}

TEST_CASE("sessions in process: mutual authentication (encapsulated flow, signed FINISH)", "[session][in_process][mutual]") {
  auto run = [](auto tag) {
    using R = typename decltype(tag)::first_type;
    using Q = typename decltype(tag)::second_type;
    pair<R, Q, true> p;
    copying_handler<typename pair<R, Q, true>::sresponder_t> h{p.sr.get()};
    transport::loopback link{h};
    p.workout(link);
  };
  SECTION("1.2 P-384 clear") {
    run(std::pair<rsp_config<v1_2, base_hash::sha384, base_asym::ecdsa_p384, dhe_group::secp384r1, aead_suite::aes_256_gcm, true, true>,
                  req_config<true, true>>{});
  }
  SECTION("1.3 P-256 encrypted") {
    run(std::pair<rsp_config<v1_3, base_hash::sha256, base_asym::ecdsa_p256, dhe_group::secp256r1, aead_suite::chacha20_poly1305, false, true>,
                  req_config<false, true>>{});
  }
  SECTION("1.1 P-384 encrypted") {
    run(std::pair<rsp_config<v1_1, base_hash::sha384, base_asym::ecdsa_p384, dhe_group::secp384r1, aead_suite::aes_256_gcm, false, true>,
                  req_config<false, true>>{});
  }
  SECTION("without an identity the requester refuses; a wrong trust anchor makes the responder refuse") {
    using R = rsp_config<v1_2, base_hash::sha384, base_asym::ecdsa_p384, dhe_group::secp384r1, aead_suite::aes_256_gcm, false, true>;
    using Q = req_config<false, true>;
    pair<R, Q, true> p;
    copying_handler<typename pair<R, Q, true>::sresponder_t> h{p.sr.get()};
    transport::loopback link{h};
    p.connect(link);
    CHECK(p.sq->key_exchange(link, {}) == errc::unsupported);
    CHECK(p.sq->sessions().active() == 0);
    p.dev.anchors.assign(1, pmci::test::load_file("spdm_session/req_ecp256/ca.cert.der"));
    auto sid = p.sq->key_exchange(link, {}, &p.id);
    CHECK(sid == errc::peer_error);
    CHECK(p.sq->last_error().error == error_code::invalid_request);
    CHECK(p.sq->sessions().active() == 0);
    CHECK(p.sr->sessions().active() == 0);
  }
}

TEST_CASE("sessions in process: PSK, MAC-only, concurrency, heartbeat expiry, forged records", "[session][in_process]") {
  using R = rsp_p384<v1_3, false>;
  using Q = req_config<false>;
  pair<R, Q> p;
  copying_handler<typename pair<R, Q>::sresponder_t> h{p.sr.get()};
  transport::loopback link{h};
  p.connect(link);

  SECTION("PSK session") {
    auto sid = p.sq->psk_exchange(link, {.psk = p.dev.psk_value, .hint = p.dev.psk_hint});
    REQUIRE(sid);
    p.same_keys(*sid);
    CHECK(p.sq->sessions().find(*sid)->params().psk);
    REQUIRE(p.sq->heartbeat(link, *sid));
    REQUIRE(p.sq->key_update(link, *sid, key_operation::update_all_keys));
    REQUIRE(p.sq->end_session(link, *sid));
    // A wrong PSK: the responder's verify data does not match ours.
    const bytes wrong = hx("00112233");
    CHECK(p.sq->psk_exchange(link, {.psk = wrong, .hint = p.dev.psk_hint}) == errc::verify_failed);
    // An unknown hint: ERROR InvalidRequest.
    const bytes hint = hx("0000");
    CHECK(p.sq->psk_exchange(link, {.psk = wrong, .hint = hint}) == errc::peer_error);
    CHECK(p.sq->sessions().active() == 0);
  }

  SECTION("concurrent sessions up to the limit, then SessionLimitExceeded") {
    auto a = p.sq->key_exchange(link, {});
    auto b = p.sq->psk_exchange(link, {.psk = p.dev.psk_value, .hint = p.dev.psk_hint});
    REQUIRE(a);
    REQUIRE(b);
    CHECK(*a != *b);
    CHECK(p.sr->sessions().active() == 2);
    // The requester's own table is full too: it refuses before asking.
    CHECK(p.sq->key_exchange(link, {}) == errc::no_resources);
    // Both work, interleaved.
    REQUIRE(p.sq->heartbeat(link, *a));
    REQUIRE(p.sq->heartbeat(link, *b));
    REQUIRE(p.sq->key_update(link, *b, key_operation::update_key));
    REQUIRE(p.sq->heartbeat(link, *a));
    REQUIRE(p.sq->end_session(link, *a));
    REQUIRE(p.sq->heartbeat(link, *b));
    REQUIRE(p.sq->end_session(link, *b));
  }

  SECTION("heartbeat expiry ends the responder's session") {
    auto sid = p.sq->key_exchange(link, {});
    REQUIRE(sid);
    CHECK(p.sq->sessions().find(*sid)->params().heartbeat_period == 5);
    h.now = 1000;
    REQUIRE(p.sq->heartbeat(link, *sid));  // touched at 1000 ms
    CHECK(p.sr->expire_heartbeats(1000 + 10'000) == 0);
    CHECK(p.sr->expire_heartbeats(1000 + 10'001) == 1);
    CHECK(p.sr->sessions().active() == 0);
    // The requester learns it on its next message: a plain ERROR, its session ends too.
    CHECK(p.sq->heartbeat(link, *sid) == errc::peer_error);
    CHECK(p.sq->last_error().error == error_code::decrypt_error);
    CHECK(p.sq->sessions().active() == 0);
  }

  SECTION("a forged record ends the session on both sides") {
    auto sid = p.sq->key_exchange(link, {});
    REQUIRE(sid);
    struct flipping {
      decltype(link)* inner;
      result<bytes_span> exchange(bytes_view req, bytes_span out) {
        bytes copy(req.begin(), req.end());
        copy[12] ^= std::byte{0x01};
        return inner->exchange(copy, out);
      }
    } bad{&link};
    CHECK(p.sq->heartbeat(bad, *sid) == errc::peer_error);
    CHECK(p.sq->last_error().error == error_code::decrypt_error);
    CHECK(p.sr->sessions().active() == 0);
    CHECK(p.sq->sessions().active() == 0);
  }

  SECTION("session messages before a session, and after GET_VERSION") {
    auto sid = p.sq->key_exchange(link, {});
    REQUIRE(sid);
    // GET_VERSION (through the tap) ends every session on both sides.
    auto tap = p.sq->tap(link);
    REQUIRE(p.req->connect(tap));
    CHECK(p.sr->sessions().active() == 0);
    CHECK(p.sq->sessions().active() == 0);
    CHECK(p.sq->heartbeat(link, *sid) == errc::invalid_state);
  }
}

TEST_CASE("sessions in process: MAC-only", "[session][in_process]") {
  using R = rsp_config<v1_2, base_hash::sha384, base_asym::ecdsa_p384, dhe_group::secp384r1, aead_suite::aes_256_gcm, false,
                       false, true>;
  pair<R, req_config<false>> p;
  copying_handler<typename pair<R, req_config<false>>::sresponder_t> h{p.sr.get()};
  transport::loopback link{h};
  p.connect(link);
  auto sid = p.sq->key_exchange(link, {});
  REQUIRE(sid);
  CHECK(p.sq->sessions().find(*sid)->params().protection == session_protection::mac_only);
  REQUIRE(p.sq->heartbeat(link, *sid));
  // The application data travels in the clear (but authenticated).
  const bytes app = hx("7e0a0b0c");
  auto a = p.sq->send_receive(link, *sid, app);
  REQUIRE(a);
  CHECK(hex(*a) == "7e0c0b0a");
  REQUIRE(p.sq->key_update(link, *sid, key_operation::update_all_keys));
  REQUIRE(p.sq->end_session(link, *sid));
}

namespace {
template <version V, bool Clear>
using rsp_mutual_p384 =
    rsp_config<V, base_hash::sha384, base_asym::ecdsa_p384, dhe_group::secp384r1, aead_suite::aes_256_gcm, Clear, true>;

/// A session with mutual authentication in `mode`, then the usual traffic, end.
template <version V, bool Clear>
void mutual_mode_workout(mut_auth_policy mode, bool provisioned, std::uint8_t expect_bits, bool twice = false) {
  using P = pair<rsp_mutual_p384<V, Clear>, req_config<Clear, true>, true>;
  P p;
  copying_handler<typename P::sresponder_t> h{p.sr.get()};
  transport::loopback link{h};
  REQUIRE(p.sr->set_mut_auth(mode));
  CHECK(p.sr->mut_auth() == mode);
  if (provisioned) p.dev.requester_chain = p.id.chain;
  p.connect(link);
  for (int round = 0; round < (twice ? 2 : 1); ++round) {
    INFO("round " << round);
    auto sid = p.sq->key_exchange(link, {.slot = 0}, &p.id);
    INFO("key_exchange: " << (sid ? "ok" : to_string(sid.error())));
    REQUIRE(sid);
    p.same_keys(*sid);
    CHECK(p.sq->mutual_requested(*sid));
    const std::uint8_t bits = round == 0 ? expect_bits : mut_auth_requested;
    CHECK(p.sq->encapsulated_requested(*sid) == (bits != mut_auth_requested));
    CHECK(p.sq->implicit_digests_requested(*sid) == (bits == mut_auth_with_get_digests));
    REQUIRE(p.sq->heartbeat(link, *sid));
    REQUIRE(p.sq->key_update(link, *sid, key_operation::update_all_keys));
    auto m = p.sq->send_receive(link, *sid, p.get_measurements_message());
    REQUIRE(m);
    REQUIRE(p.sq->end_session(link, *sid));
    CHECK(p.sr->sessions().active() == 0);
  }
}
}  // namespace

TEST_CASE("sessions in process: every MutAuthRequested mode (1.2, 1.3, P-384)", "[session][in_process][mutual]") {
  SECTION("implicit GET_DIGESTS (bit 2), 1.2 encrypted") {
    mutual_mode_workout<v1_2, false>(mut_auth_policy::implicit_digests, false, mut_auth_with_get_digests);
  }
  SECTION("implicit GET_DIGESTS (bit 2), 1.3 encrypted") {
    mutual_mode_workout<v1_3, false>(mut_auth_policy::implicit_digests, false, mut_auth_with_get_digests);
  }
  SECTION("implicit GET_DIGESTS (bit 2), 1.2 in the clear") {
    mutual_mode_workout<v1_2, true>(mut_auth_policy::implicit_digests, false, mut_auth_with_get_digests);
  }
  SECTION("implicit GET_DIGESTS (bit 2), 1.3 in the clear") {
    mutual_mode_workout<v1_3, true>(mut_auth_policy::implicit_digests, false, mut_auth_with_get_digests);
  }
  SECTION("encapsulated (bit 1), 1.3 in the clear, chosen at run time") {
    mutual_mode_workout<v1_3, true>(mut_auth_policy::encapsulated, false, mut_auth_with_encap_request);
  }
  SECTION("without encapsulation (bit 0), provisioned chain, 1.2 encrypted") {
    mutual_mode_workout<v1_2, false>(mut_auth_policy::without_encapsulated, true, mut_auth_requested);
  }
  SECTION("without encapsulation (bit 0), provisioned chain, 1.3 encrypted") {
    mutual_mode_workout<v1_3, false>(mut_auth_policy::without_encapsulated, true, mut_auth_requested);
  }
  SECTION("without encapsulation (bit 0), provisioned chain, 1.3 in the clear") {
    mutual_mode_workout<v1_3, true>(mut_auth_policy::without_encapsulated, true, mut_auth_requested);
  }
  SECTION("without encapsulation, nothing known: the first session fetches the chain, the second needs no flow") {
    mutual_mode_workout<v1_2, false>(mut_auth_policy::without_encapsulated, false, mut_auth_with_encap_request, true);
    mutual_mode_workout<v1_3, true>(mut_auth_policy::without_encapsulated, false, mut_auth_with_encap_request, true);
  }
  SECTION("without encapsulation: a FINISH signed with another key is DecryptError") {
    using P = pair<rsp_mutual_p384<v1_3, false>, req_config<false, true>, true>;
    P p;
    copying_handler<typename P::sresponder_t> h{p.sr.get()};
    transport::loopback link{h};
    REQUIRE(p.sr->set_mut_auth(mut_auth_policy::without_encapsulated));
    p.dev.requester_chain = p.id.chain;
    p.connect(link);
    // Same chain, but the responder's own P-384 key signs.
    p.id.key = pmci::test::load_key(p.req_crypto, pmci::test::pki_for(base_asym::ecdsa_p384));
    CHECK(p.sq->key_exchange(link, {}, &p.id) == errc::peer_error);
    CHECK(p.sq->last_error().error == error_code::decrypt_error);
    CHECK(p.sq->sessions().active() == 0);
    CHECK(p.sr->sessions().active() == 0);
  }
  SECTION("a provisioned chain that does not verify: the responder falls back to the encapsulated flow") {
    using P = pair<rsp_mutual_p384<v1_2, false>, req_config<false, true>, true>;
    P p;
    copying_handler<typename P::sresponder_t> h{p.sr.get()};
    transport::loopback link{h};
    REQUIRE(p.sr->set_mut_auth(mut_auth_policy::without_encapsulated));
    p.dev.requester_chain = pmci::test::load_file("spdm_session/req_ecp256/chain.der");  // another CA
    p.connect(link);
    auto sid = p.sq->key_exchange(link, {}, &p.id);
    REQUIRE(sid);
    CHECK(p.sq->encapsulated_requested(*sid));
  }
  SECTION("mode none at run time; and a configuration without the machinery refuses modes") {
    using P = pair<rsp_mutual_p384<v1_2, false>, req_config<false, true>, true>;
    P p;
    copying_handler<typename P::sresponder_t> h{p.sr.get()};
    transport::loopback link{h};
    REQUIRE(p.sr->set_mut_auth(mut_auth_policy::none));
    p.connect(link);
    auto sid = p.sq->key_exchange(link, {});  // no identity needed
    REQUIRE(sid);
    CHECK_FALSE(p.sq->mutual_requested(*sid));
    pair<rsp_p384<v1_2, false>, req_config<false>> plain;
    CHECK(plain.sr->set_mut_auth(mut_auth_policy::encapsulated) == errc::unsupported);
    CHECK(plain.sr->set_mut_auth(mut_auth_policy::none));
  }
}

TEST_CASE("sessions in process: responder-initiated key update (encapsulated KEY_UPDATE)", "[session][in_process][key_update]") {
  auto run = [](auto tag) {
    using P = typename decltype(tag)::type;
    P p;
    copying_handler<typename P::sresponder_t> h{p.sr.get()};
    transport::loopback link{h};
    REQUIRE(p.sr->set_mut_auth(mut_auth_policy::none));
    p.connect(link);
    auto sid = p.sq->key_exchange(link, {});
    REQUIRE(sid);
    const bool v13 = p.req->negotiated_params().ver >= version::v1_3;
    // Nothing pending: NoPendingRequests (1.3) / UnexpectedRequest (before), the session goes on.
    auto none = p.sq->serve_encapsulated_requests(link, *sid);
    REQUIRE(none);
    CHECK(*none == 0);
    CHECK(p.sq->last_error().error == (v13 ? error_code::no_pending_requests : error_code::unexpected_request));
    const bytes old_rsp_key = to_bytes(p.sr->sessions().find(*sid)->key_schedule_ref().data(key_direction::response).key());
    const bytes old_req_key = to_bytes(p.sr->sessions().find(*sid)->key_schedule_ref().data(key_direction::request).key());
    CHECK(p.sr->start_key_update(0x12345678) == errc::invalid_state);
    REQUIRE(p.sr->start_key_update(*sid));
    CHECK(p.sr->start_key_update(*sid) == errc::invalid_state);  // one at a time
    CHECK(p.sr->key_update_pending(*sid));
    // The requester polls: KEY_UPDATE(UpdateKey) and KEY_UPDATE(VerifyNewKey) served.
    auto served = p.sq->serve_encapsulated_requests(link, *sid);
    INFO("serve: " << (served ? "ok" : to_string(served.error())));
    REQUIRE(served);
    CHECK(*served == 2);
    CHECK_FALSE(p.sr->key_update_pending(*sid));
    p.same_keys(*sid);
    auto* rs = p.sr->sessions().find(*sid);
    auto* rq = p.sq->sessions().find(*sid);
    CHECK(hex(rs->key_schedule_ref().data(key_direction::response).key()) != hex(old_rsp_key));
    CHECK(hex(rs->key_schedule_ref().data(key_direction::request).key()) == hex(old_req_key));
    CHECK(hex(rs->key_schedule_ref().data(key_direction::response).key()) ==
          hex(rq->key_schedule_ref().data(key_direction::response).key()));
    CHECK_FALSE(rs->update_pending());
    CHECK_FALSE(rq->update_pending());
    // Traffic goes on under the new key; a requester-initiated update too.
    REQUIRE(p.sq->heartbeat(link, *sid));
    REQUIRE(p.sq->key_update(link, *sid, key_operation::update_all_keys));
    REQUIRE(p.sr->start_key_update(*sid));
    served = p.sq->serve_encapsulated_requests(link, *sid);
    REQUIRE(served);
    CHECK(*served == 2);
    p.same_keys(*sid);
    REQUIRE(p.sq->send_receive(link, *sid, p.get_measurements_message()));
    REQUIRE(p.sq->end_session(link, *sid));
    CHECK(p.sr->sessions().active() == 0);
  };
  auto type = []<class R, class Q>() { return std::type_identity<pair<R, Q, true>>{}; };
  SECTION("1.2 P-384 encrypted") { run(type.template operator()<rsp_mutual_p384<v1_2, false>, req_config<false, true>>()); }
  SECTION("1.3 P-384 encrypted") { run(type.template operator()<rsp_mutual_p384<v1_3, false>, req_config<false, true>>()); }
  SECTION("1.3 P-384 in the clear") { run(type.template operator()<rsp_mutual_p384<v1_3, true>, req_config<true, true>>()); }
  SECTION("1.1 P-256") {
    run(type.template operator()<rsp_config<v1_1, base_hash::sha256, base_asym::ecdsa_p256, dhe_group::secp256r1,
                                            aead_suite::aes_256_gcm, false, true>,
                                 req_config<false, true>>());
  }
  SECTION("without ENCAP_CAP the responder cannot start one") {
    pair<rsp_p384<v1_3, false>, req_config<false>> p;
    copying_handler<typename pair<rsp_p384<v1_3, false>, req_config<false>>::sresponder_t> h{p.sr.get()};
    transport::loopback link{h};
    p.connect(link);
    auto sid = p.sq->key_exchange(link, {});
    REQUIRE(sid);
    CHECK(p.sr->start_key_update(*sid) == errc::unsupported);
    CHECK(p.sq->serve_encapsulated_requests(link, *sid) == errc::unsupported);
  }
}

namespace {
struct big_requester : session_defaults {
  static constexpr std::size_t max_sessions = 4;
};
}  // namespace

TEST_CASE("sessions in process: END_SESSION NegotiatedStateClearing, responder session limit", "[session][in_process]") {
  using R = rsp_p384<v1_2, false>;
  pair<R, req_config<false>> p;
  copying_handler<typename pair<R, req_config<false>>::sresponder_t> h{p.sr.get()};
  transport::loopback link{h};
  p.connect(link);
  auto a = p.sq->key_exchange(link, {});
  REQUIRE(a);
  REQUIRE(p.sq->end_session(link, *a, true));
  CHECK(p.sr->negotiated_state_clearing_requested());
  a = p.sq->key_exchange(link, {});
  REQUIRE(a);
  REQUIRE(p.sq->end_session(link, *a, false));
  CHECK_FALSE(p.sr->negotiated_state_clearing_requested());
  // A requester with room for 4 against the responder's 2: the third is SessionLimitExceeded.
  session_requester<typename decltype(p)::requester_t, policy, big_requester> wide{*p.req, p.req_crypto};
  auto s1 = wide.key_exchange(link, {});
  auto s2 = wide.psk_exchange(link, {.psk = p.dev.psk_value, .hint = p.dev.psk_hint});
  REQUIRE(s1);
  REQUIRE(s2);
  CHECK(wide.key_exchange(link, {}) == errc::peer_error);
  CHECK(wide.last_error().error == error_code::session_limit_exceeded);
  CHECK(wide.sessions().active() == 2);
  REQUIRE(wide.heartbeat(link, *s1));
  REQUIRE(wide.end_session(link, *s1));
  auto s3 = wide.key_exchange(link, {});
  REQUIRE(s3);
  REQUIRE(wide.end_session(link, *s2));
  REQUIRE(wide.end_session(link, *s3));
  CHECK(p.sr->sessions().active() == 0);
}

TEST_CASE("sessions in process: ERROR Busy to KEY_EXCHANGE is retried", "[session][in_process]") {
  using R = rsp_p384<v1_2, false>;
  using P = pair<R, req_config<false>>;
  P p;
  copying_handler<typename P::sresponder_t> h{p.sr.get()};
  transport::loopback link{h};
  p.connect(link);
  // A responder whose signer is occupied: ERROR Busy for the first `busy` KEY_EXCHANGEs.
  struct busy_link {
    decltype(link)* inner;
    int busy = 0;
    int seen = 0;
    result<bytes_span> exchange(bytes_view req, bytes_span out) {
      if (req.size() >= 3 && req[0] == std::byte{0x05} && req[2] == std::byte{0xE4}) {
        ++seen;
        if (busy > 0) {
          --busy;
          const bytes e = hx("05127f0300");
          std::copy(e.begin(), e.end(), out.begin());
          return out.first(e.size());
        }
      }
      return inner->exchange(req, out);
    }
  } b{&link};
  b.busy = 2;
  auto sid = p.sq->key_exchange(b, {});
  REQUIRE(sid);
  CHECK(b.seen == 3);
  REQUIRE(p.sq->heartbeat(link, *sid));
  REQUIRE(p.sq->end_session(link, *sid));
  b.busy = 10;
  b.seen = 0;
  CHECK(p.sq->key_exchange(b, {}) == errc::peer_error);
  CHECK(p.sq->last_error().error == error_code::busy);
  CHECK(b.seen == 4);  // the first try and session_defaults::busy_retries (3) more
  CHECK(p.sq->sessions().active() == 0);
  CHECK(p.sr->sessions().active() == 0);
}

TEST_CASE("sessions in process: responder-initiated key update, wrong and refused answers", "[session][in_process][key_update]") {
  using P = pair<rsp_mutual_p384<v1_2, false>, req_config<false, true>, true>;
  P p;
  copying_handler<typename P::sresponder_t> h{p.sr.get()};
  transport::loopback link{h};
  p.connect(link);
  auto sid = p.sq->key_exchange(link, {}, &p.id);
  REQUIRE(sid);
  REQUIRE(p.sr->start_key_update(*sid));
  // The requester's messages built by hand, sent inside the session (send_receive).
  auto ask = p.sq->send_receive(link, *sid, hx("0512ea0000"));
  REQUIRE(ask);
  REQUIRE(ask->size() == 1 + 4 + 4);  // ENCAPSULATED_REQUEST(KEY_UPDATE UpdateKey, tag)
  CHECK(std::to_integer<int>((*ask)[2]) == 0x6A);
  CHECK(std::to_integer<int>((*ask)[6]) == 0xE9);
  CHECK(std::to_integer<int>((*ask)[7]) == 1);
  const std::byte rid = (*ask)[3], tag = (*ask)[8];
  // A requester-initiated KEY_UPDATE while this one is in flight: UnexpectedRequest.
  auto ku = p.sq->send_receive(link, *sid, hx("0512e90107"));
  REQUIRE(ku);
  CHECK(std::to_integer<int>((*ku)[2]) == 0x7F);
  CHECK(std::to_integer<int>((*ku)[3]) == static_cast<int>(error_code::unexpected_request));
  SECTION("the requester refuses (ERROR): keys unchanged, the flow ends, the session goes on") {
    bytes d = hx("0512eb0000" "127f0700");
    d[3] = rid;
    auto ack = p.sq->send_receive(link, *sid, d);
    REQUIRE(ack);
    CHECK(std::to_integer<int>((*ack)[2]) == 0x6B);
    CHECK(std::to_integer<int>((*ack)[4]) == 0);  // PayloadType absent
    CHECK_FALSE(p.sr->key_update_pending(*sid));
    CHECK_FALSE(p.sr->sessions().find(*sid)->update_pending());
    REQUIRE(p.sq->heartbeat(link, *sid));
  }
  SECTION("an ACK with the wrong tag ends the session") {
    bytes d = hx("0512eb0000" "12690100");
    d[3] = rid;
    d[8] = tag ^ std::byte{0x5A};
    auto err = p.sq->send_receive(link, *sid, d);
    REQUIRE(err);
    CHECK(std::to_integer<int>((*err)[2]) == 0x7F);
    CHECK(std::to_integer<int>((*err)[3]) == static_cast<int>(error_code::invalid_request));
    CHECK(p.sr->sessions().active() == 0);
  }
  SECTION("an ACK for another RequestID ends the session") {
    bytes d = hx("0512eb0000" "12690100");
    d[3] = rid ^ std::byte{0x01};
    d[8] = tag;
    auto err = p.sq->send_receive(link, *sid, d);
    REQUIRE(err);
    CHECK(std::to_integer<int>((*err)[3]) == static_cast<int>(error_code::invalid_request));
    CHECK(p.sr->sessions().active() == 0);
  }
}
