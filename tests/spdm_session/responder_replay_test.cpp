// SPDX-License-Identifier: Apache-2.0
// pmci::spdm::session_responder replays the libspdm responder of every capture byte for byte:
// fed the captured requests (plain and secured), it answers with exactly the captured responses —
// KEY_EXCHANGE_RSP (TH1, summary hash, version selection), FINISH_RSP (RequesterVerifyData
// checked, ResponderVerifyData computed over TH), PSK_EXCHANGE_RSP / PSK_FINISH_RSP, the
// encapsulated mutual-authentication flow (the requester's RSA-PSS FINISH signature verified
// against its certificate chain, itself validated against the reference CA), HEARTBEAT_ACK,
// KEY_UPDATE_ACK under the right key, in-session MEASUREMENTS and END_SESSION_ACK — every secured
// record sealed to the identical bytes. TH1 and TH2 of every session equal secrets.txt.
// Randomness, ephemeral keys and signatures come from the capture (capture_replay.hpp).
#include "pmci/spdm/session/responder_session.hpp"

#include "capture_replay.hpp"
#include "pmci/spdm/key_exchange.hpp"
#include "pmci/spdm/psk.hpp"
#include "session_test_util.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::session_test;

namespace {

using peer_session = session<replay_crypto>;

struct replay_sessions : session_defaults {
  static constexpr std::uint8_t heartbeat_period = 0xF0;  // what spdm_responder_emu announces
};
struct replay_mutual : replay_sessions {
  static constexpr mut_auth_policy mut_auth = mut_auth_policy::encapsulated;
  static constexpr std::uint16_t encap_certificate_portion = 0x11F4;  // what libspdm asks for
  static constexpr std::size_t max_peer_cert_chain = 8192;
};

struct stats {
  int exchanges = 0, identical = 0, records = 0, th_checked = 0, engine = 0;
};

template <class SConfig>
void replay_responder(const std::string& capture, const std::string& requester_ca, stats& st,
                      const std::string& measurements_from = "") {
  replay_crypto p;
  capture_engine eng{p};
  replay_device dev;
  if (!requester_ca.empty()) dev.anchors.push_back(pmci::test::load_file(requester_ca));
  session_responder<capture_engine, replay_crypto, replay_device, SConfig> sr{eng, p, dev};
  const auto msgs = capture_messages(capture);
  const auto secrets = pmci::test::load_sessions(capture);
  // The measurement blocks (MeasurementSummaryHash) from the capture's own GET_MEASUREMENTS(all),
  // or, for the PSK capture that has none in the clear, from the same device at SHA-256.
  for (const auto& m : capture_messages(measurements_from.empty() ? capture : measurements_from))
    if (!m.request && m.type() == mctp_type_spdm && m.spdm_code() == code::measurements && dev.indices.empty() &&
        m.spdm()[4] == std::byte{8})
      dev.load_measurements(m.spdm());  // GET_MEASUREMENTS(all): the 8 blocks of spdm-emu
  peer_session peer, shadow;  // requester-side and responder-side mirrors from secrets.txt
  std::size_t si = 0;
  header ke_request{};

  auto check_th = [&](const char* which, std::size_t session_index) {
    auto* s = sr.sessions().find(0xFFFFFFFF);
    REQUIRE(s != nullptr);
    CHECK(hex(s->transcript_hash()) == hex(secrets.at(session_index).at(which)));
    ++st.th_checked;
  };

  REQUIRE(msgs.size() % 2 == 0);
  for (std::size_t i = 0; i < msgs.size(); i += 2) {
    const cmsg& req = msgs[i];
    const cmsg& rsp = msgs[i + 1];
    INFO(capture << " #" << req.index);
    REQUIRE(req.request);
    REQUIRE_FALSE(rsp.request);
    bytes rx = req.bytes_;
    bytes tx(8192);
    const negotiated n = eng.negotiated_params();
    if (req.type() == mctp_type_spdm) {
      const code c = req.spdm_code();
      if (c == code::key_exchange) {
        ke_request = *header::decode(req.spdm());
        const auto k = key_exchange_rsp::decode(rsp.spdm(), n, response_context::answering(ke_request));
        REQUIRE(k);
        p.publics.push_back(to_bytes(k->exchange_data));
        p.secrets.push_back(secrets.at(si).at("dhe_secret"));
        p.randoms.push_back(to_bytes(k->random_data));
        p.signatures.push_back(to_bytes(k->signature));
      } else if (c == code::psk_exchange) {
        const auto k = psk_exchange_rsp::decode(rsp.spdm(), n, response_context::answering(*header::decode(req.spdm())));
        REQUIRE(k);
        if (!k->responder_context.empty()) p.randoms.push_back(to_bytes(k->responder_context));
      } else {
        eng.next_response = to_bytes(rsp.spdm());
      }
      const int forwarded = eng.forwarded;
      auto out = sr.handle(rx, tx);
      REQUIRE(out);
      CHECK(hex(*out) == hex(rsp.bytes_));
      if (hex(*out) == hex(rsp.bytes_)) ++st.identical;
      st.engine += eng.forwarded - forwarded;
      eng.next_response.clear();
      if (c == code::key_exchange || c == code::psk_exchange) {
        ++st.exchanges;
        const bool psk = c == code::psk_exchange;
        CHECK(p.publics.empty());
        CHECK(p.randoms.empty());
        CHECK(p.signatures.empty());
        // TH1: the key schedule's input equals libspdm's.
        check_th("th1", si);
        const auto params = session_params_of(n, psk, 0xF0);
        REQUIRE(params);
        for (auto [s, role] : {std::pair{&peer, session_role::requester}, std::pair{&shadow, session_role::responder}}) {
          s->end();
          REQUIRE(s->start(p, role, 0xFFFFFFFF, *params));
          REQUIRE(s->derive_handshake(secrets.at(si).at(psk ? "psk" : "dhe_secret"), secrets.at(si).at("th1")));
        }
        ++si;
      }
      if (c == code::finish) {  // in the clear: TH2 and the data keys now
        check_th("th2", si - 1);
        REQUIRE(peer.establish(secrets.at(si - 1).at("th2")));
        REQUIRE(shadow.establish(secrets.at(si - 1).at("th2")));
      }
      continue;
    }

    // A secured request: learn what it is (shadow), open the captured answer (peer) to queue its
    // padding and, for requests the engine serves, its plaintext.
    ++st.records;
    bytes req_copy = req.bytes_;
    auto q = shadow.open(req_copy);
    REQUIRE(q);
    const auto qh = *header::decode(q->app.subspan(1));
    const code c = qh.request_response_code;
    if (c == code::key_update) {
      const auto op = static_cast<key_operation>(qh.param1);
      if (op == key_operation::verify_new_key) {
        shadow.commit_update();
      } else {
        REQUIRE(shadow.update_rx());
        if (op == key_operation::update_all_keys) {
          REQUIRE(shadow.update_tx());
          REQUIRE(peer.update_rx());
        }
      }
    }
    bytes rsp_copy = rsp.bytes_;
    auto a = peer.open(rsp_copy);
    REQUIRE(a);
    bytes tx_pad = to_bytes(a->padding);
    p.queue_padding(tx_pad);
    eng.next_response = to_bytes(a->app.subspan(1));
    // Keep the shadow's send counter in step (it never seals otherwise).
    {
      bytes b(shadow.layout().record_size(a->app.size(), tx_pad.size()));
      std::copy(a->app.begin(), a->app.end(), b.begin() + 11);
      REQUIRE(shadow.seal(b, a->app.size(), tx_pad));
    }
    const int forwarded = eng.forwarded;
    auto out = sr.handle(rx, tx);
    REQUIRE(out);
    CHECK(hex(*out) == hex(rsp.bytes_));
    if (hex(*out) == hex(rsp.bytes_)) ++st.identical;
    CHECK(p.randoms.empty());
    st.engine += eng.forwarded - forwarded;
    eng.next_response.clear();
    if (c == code::psk_finish) {
      check_th("th2", si - 1);
      REQUIRE(peer.establish(secrets.at(si - 1).at("th2")));
      REQUIRE(shadow.establish(secrets.at(si - 1).at("th2")));
    } else if (c == code::key_update && static_cast<key_operation>(qh.param1) != key_operation::verify_new_key) {
      REQUIRE(peer.update_tx());
    } else if (c == code::key_update) {
      peer.commit_update();
    } else if (c == code::end_session) {
      CHECK(sr.sessions().active() == 0);  // ended, every secret wiped
      peer.end();
      shadow.end();
    }
  }
  CHECK(si == secrets.size());
}

}  // namespace

TEST_CASE("session responder: replays the libspdm responder of every capture byte for byte", "[session][responder][capture]") {
  stats st;
  replay_responder<replay_sessions>("spdm11_p256_sha256_aes256gcm", "", st);
  replay_responder<replay_sessions>("spdm12_p384_sha384_chacha20", "", st);
  replay_responder<replay_sessions>("spdm13_p384_sha384_aes256gcm", "", st);
  replay_responder<replay_sessions>("spdm12_psk_sha256_aes256gcm", "", st, "spdm11_p256_sha256_aes256gcm");
  replay_responder<replay_mutual>("spdm12_p384_sha384_aes256gcm_mutauth", "vectors/certs/rsa3072/ca.cert.der", st);
  INFO("exchanges " << st.exchanges << ", records " << st.records);
  CHECK(st.exchanges == 9);
  CHECK(st.records == 45);  // requests; each answered with one record
  CHECK(st.th_checked == 18);  // TH1 and TH2 of 9 sessions
  CHECK(st.engine > 0);
}

namespace {

struct one_session : replay_sessions {
  static constexpr std::size_t max_sessions = 1;
};

/// The spdm11 capture's connection up to (not including) its first KEY_EXCHANGE, then that
/// KEY_EXCHANGE replayed: a responder with one session in its in-the-clear handshake.
struct spdm11_fixture {
  replay_crypto p;
  capture_engine eng{p};
  replay_device dev;
  session_responder<capture_engine, replay_crypto, replay_device, one_session> sr{eng, p, dev};
  std::vector<cmsg> msgs = capture_messages("spdm11_p256_sha256_aes256gcm");
  std::vector<pmci::test::captured_session> secrets = pmci::test::load_sessions("spdm11_p256_sha256_aes256gcm");
  bytes tx = bytes(4096);

  spdm11_fixture() {
    for (const auto& m : msgs)
      if (!m.request && m.type() == mctp_type_spdm && m.spdm_code() == code::measurements) dev.load_measurements(m.spdm());
    std::size_t i = 0;
    for (; msgs[i].spdm_code() != code::key_exchange; i += 2) {
      eng.next_response = to_bytes(msgs[i + 1].spdm());
      bytes rx = msgs[i].bytes_;
      REQUIRE(sr.handle(rx, tx));
    }
    REQUIRE(key_exchange(i));
  }
  result<bytes_span> key_exchange(std::size_t i) {
    const auto k = *key_exchange_rsp::decode(msgs[i + 1].spdm(), eng.negotiated_params(),
                                             response_context::answering(*header::decode(msgs[i].spdm())));
    p.publics.push_back(to_bytes(k.exchange_data));
    p.secrets.push_back(secrets.at(0).at("dhe_secret"));
    p.randoms.push_back(to_bytes(k.random_data));
    p.signatures.push_back(to_bytes(k.signature));
    bytes rx = msgs[i].bytes_;
    return sr.handle(rx, tx);
  }
  /// The SPDM ERROR code of a plain answer (0 when it is not an ERROR).
  static std::uint8_t error_of(bytes_view mctp) {
    if (mctp.size() < 5 || mctp[0] != std::byte{0x05} || mctp[2] != std::byte{0x7F}) return 0;
    return std::to_integer<std::uint8_t>(mctp[3]);
  }
  std::size_t index_of(code c) const {
    for (std::size_t i = 0; i < msgs.size(); ++i)
      if (msgs[i].type() == mctp_type_spdm && msgs[i].spdm_code() == c) return i;
    FAIL("no such message");
    return 0;
  }
};

}  // namespace

TEST_CASE("session responder: rejections", "[session][responder]") {
  spdm11_fixture f;
  REQUIRE(f.sr.sessions().active() == 1);

  SECTION("a FINISH with a wrong RequesterVerifyData: DecryptError, the session ends") {
    bytes fin = f.msgs[f.index_of(code::finish)].bytes_;
    fin.back() ^= std::byte{1};
    auto r = f.sr.handle(fin, f.tx);
    REQUIRE(r);
    CHECK(spdm11_fixture::error_of(*r) == 0x06);
    CHECK(f.sr.sessions().active() == 0);
    // The real FINISH cannot resurrect it.
    bytes good = f.msgs[f.index_of(code::finish)].bytes_;
    r = f.sr.handle(good, f.tx);
    REQUIRE(r);
    CHECK(spdm11_fixture::error_of(*r) == 0x04);  // UnexpectedRequest
  }

  SECTION("the session table is full: SessionLimitExceeded") {
    auto r = f.key_exchange(f.index_of(code::key_exchange));
    REQUIRE(r);
    // The one slot is taken by the pending handshake... which a new in-the-clear handshake
    // supersedes (a plain FINISH can only name the latest one), so the new one succeeds.
    CHECK(spdm11_fixture::error_of(*r) == 0);
    CHECK(f.sr.sessions().active() == 1);
    // Establish it, then ask for another.
    bytes fin = f.msgs[f.index_of(code::finish)].bytes_;
    REQUIRE(f.sr.handle(fin, f.tx));
    bytes ke = f.msgs[f.index_of(code::key_exchange)].bytes_;
    r = f.sr.handle(ke, f.tx);
    REQUIRE(r);
    CHECK(spdm11_fixture::error_of(*r) == 0x0A);
  }

  SECTION("session messages outside a session") {
    for (const char* m : {"0511e80000", "0511e90101", "0511ec0000", "0511e7" "00" "00"}) {
      bytes rx = hx(m);
      auto r = f.sr.handle(rx, f.tx);
      REQUIRE(r);
      CHECK(spdm11_fixture::error_of(*r) == 0x04);  // 1.1: UnexpectedRequest (1.2+: SessionRequired)
    }
  }

  SECTION("a record for no session, and one before the keys exist") {
    bytes rec = hx("0612345678000020000000000000000000000000000000000000000000000000000000000000");
    auto r = f.sr.handle(rec, f.tx);
    REQUIRE(r);
    CHECK(spdm11_fixture::error_of(*r) == 0x06);
    CHECK(f.sr.sessions().active() == 1);
    // The in-the-clear handshake has no records yet: a record for it ends it.
    bytes early = hx("06ffffffff000020000000000000000000000000000000000000000000000000000000000000");
    r = f.sr.handle(early, f.tx);
    REQUIRE(r);
    CHECK(spdm11_fixture::error_of(*r) == 0x06);
    CHECK(f.sr.sessions().active() == 0);
  }

  SECTION("GET_VERSION ends every session") {
    f.eng.next_response = to_bytes(f.msgs[1].spdm());
    bytes gv = f.msgs[0].bytes_;
    REQUIRE(f.sr.handle(gv, f.tx));
    CHECK(f.sr.sessions().active() == 0);
  }

  SECTION("a GET_VERSION the engine refuses (ERROR) leaves the sessions alone") {
    f.eng.next_response = hx("107f0100");  // ERROR InvalidRequest, as for a malformed GET_VERSION
    bytes gv = f.msgs[0].bytes_;
    REQUIRE(f.sr.handle(gv, f.tx));
    CHECK(f.sr.sessions().active() == 1);
  }

  SECTION("other MCTP types and empty messages are not answered") {
    bytes pldm = hx("0100");
    CHECK(f.sr.handle(pldm, f.tx) == errc::unsupported);
    bytes empty;
    CHECK(f.sr.handle(empty, f.tx) == errc::truncated);
    bytes tiny(4);
    bytes gv = f.msgs[0].bytes_;
    CHECK(f.sr.handle(gv, tiny) == errc::buffer_too_small);
  }
}
