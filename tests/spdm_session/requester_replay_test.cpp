// SPDX-License-Identifier: Apache-2.0
// pmci::spdm::session_requester replays the libspdm requester of every capture: given the
// capture's randomness (RandomData, ephemeral key, RequesterContext, tags, padding, the RSA-PSS
// FINISH signature), it sends exactly the captured requests — KEY_EXCHANGE, the encapsulated
// DIGESTS / CERTIFICATE answers, FINISH (RequesterVerifyData), PSK_EXCHANGE / PSK_FINISH, and
// every secured record (HEARTBEAT, KEY_UPDATE + VerifyNewKey, GET_MEASUREMENTS, END_SESSION) — and
// accepts the captured responses: the KEY_EXCHANGE_RSP signature verified with the certificate
// chain's key, ResponderVerifyData checked, records opened. TH1 / TH2 equal secrets.txt.
#include "pmci/spdm/session/requester_session.hpp"

#include "capture_replay.hpp"
#include "session_test_util.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::session_test;

namespace {

/// The attestation requester of a capture: VCA, negotiated parameters and verified chains, from
/// the captured messages.
class capture_requester_engine {
 public:
  struct transcripts_t {
    replay_crypto::hash_state a{};
    [[nodiscard]] const replay_crypto::hash_state& vca() const noexcept { return a; }
  };
  explicit capture_requester_engine(replay_crypto& p) : p_(p) {}

  [[nodiscard]] connection_state state() const noexcept { return state_; }
  [[nodiscard]] const negotiated& negotiated_params() const noexcept { return n_; }
  [[nodiscard]] const transcripts_t& transcripts() const noexcept { return tr_; }
  [[nodiscard]] const replay_crypto::verify_key* slot_key(std::uint8_t slot) const noexcept {
    auto it = keys_.find(slot);
    return it == keys_.end() ? nullptr : &it->second;
  }
  [[nodiscard]] bytes_view slot_chain_digest(std::uint8_t slot) const noexcept {
    auto it = digests_.find(slot);
    return it == digests_.end() ? bytes_view{} : bytes_view{it->second};
  }

  /// Feed one plain request/response pair of the capture.
  void observe(bytes_view req, bytes_view rsp, const std::string& alg_dir) {
    const auto rh = *header::decode(req);
    if (auto d = decode(req, n_)) update(n_, *d);
    if (auto d = decode(rsp, n_, response_context::answering(rh))) update(n_, *d);
    switch (rh.request_response_code) {
      case code::get_version: vca_ = to_bytes(req); vca_.insert(vca_.end(), rsp.begin(), rsp.end()); break;
      case code::get_capabilities: vca_.insert(vca_.end(), req.begin(), req.end()); vca_.insert(vca_.end(), rsp.begin(), rsp.end()); break;
      case code::negotiate_algorithms:
        vca_.insert(vca_.end(), req.begin(), req.end());
        vca_.insert(vca_.end(), rsp.begin(), rsp.end());
        tr_.a = {};
        REQUIRE(p_.hash_init(tr_.a, *to_crypto(n_.hash)));
        REQUIRE(p_.hash_update(tr_.a, vca_));
        state_ = connection_state::negotiated;
        break;
      case code::get_certificate: {
        const auto c = certificate::decode(rsp, n_);
        if (!c) break;
        if (!pending_) chain_.clear();
        chain_.insert(chain_.end(), c->portion.begin(), c->portion.end());
        pending_ = c->remainder_length != 0;
        if (!pending_) {
          // Verify it as the engine would: the responder's key for the session layer.
          const auto cc = cert_chain::decode(chain_, n_);
          REQUIRE(cc);
          {  // slot 0 chains to ca.cert.der, the others to ca1.cert.der
            const bytes ca = pmci::test::load_file("vectors/certs/" + alg_dir + "/ca.cert.der");
            const bytes ca1 = pmci::test::load_file("vectors/certs/" + alg_dir + "/ca1.cert.der");
            const bytes_view anchors[] = {ca, ca1};
            auto key = p_.verify_cert_chain(cc->certificates, anchors, {*to_crypto(n_.asym), crypto::cert_role::responder, 0});
            REQUIRE(key);
            keys_[c->slot_id] = std::move(*key);
          }
          bytes d(n_.h());
          REQUIRE(crypto::compute_hash(p_, *to_crypto(n_.hash), chain_, d));
          digests_[c->slot_id] = d;
        }
        break;
      }
      default: break;
    }
  }

 private:
  replay_crypto& p_;
  negotiated n_{};
  connection_state state_ = connection_state::not_started;
  bytes vca_, chain_;
  bool pending_ = false;
  transcripts_t tr_;
  std::map<std::uint8_t, replay_crypto::verify_key> keys_;
  std::map<std::uint8_t, bytes> digests_;
};

/// The requester's identity of the mutual-authentication capture (its slot 0 chain; the dummy
/// key: the replay policy returns the captured signature).
struct replay_identity {
  bytes chain = pmci::test::load_file("vectors/certs/rsa3072/bundle_requester.certchain.der");
  replay_crypto::sign_key key{};
  bytes_view cert_chain(std::uint8_t slot) { return slot == 0 ? bytes_view{chain} : bytes_view{}; }
  const replay_crypto::sign_key* sign_key(std::uint8_t slot) { return slot == 0 ? &key : nullptr; }
};

/// Serves the capture from message `at`: checks each request against the captured one and
/// answers with the captured response.
struct capture_transport {
  const std::vector<cmsg>* msgs;
  std::size_t at = 0;
  int exchanged = 0, identical = 0;
  bool lenient_digests = false;  ///< the mutual capture's requester has three slots, we one
  result<bytes_span> exchange(bytes_view request, bytes_span response) {
    REQUIRE(at + 1 < msgs->size());
    const cmsg& q = (*msgs)[at];
    const cmsg& r = (*msgs)[at + 1];
    INFO("capture #" << q.index);
    ++exchanged;
    bool same = hex(request) == hex(q.bytes_);
    if (!same && lenient_digests && q.type() == mctp_type_spdm && q.spdm_code() == code::deliver_encapsulated_response &&
        request.size() > 8 && request[6] == std::byte{0x01}) {
      // DELIVER_ENCAPSULATED_RESPONSE(DIGESTS): compare the header and slot 0's digest.
      const std::size_t h = 48;
      CHECK(hex(request.subspan(9, h)) == hex(bytes_view{q.bytes_}.subspan(9, h)));
      same = true;
    } else {
      CHECK(hex(request) == hex(q.bytes_));
    }
    if (same) ++identical;
    at += 2;
    REQUIRE(r.bytes_.size() <= response.size());
    std::copy(r.bytes_.begin(), r.bytes_.end(), response.begin());
    return response.first(r.bytes_.size());
  }
};

struct stats {
  int sessions = 0, th_checked = 0, exchanged = 0, identical = 0;
};

using shadow_session = session<replay_crypto>;

void replay_requester(const std::string& capture, const std::string& alg_dir, stats& st) {
  replay_crypto p;
  capture_requester_engine eng{p};
  session_requester<capture_requester_engine, replay_crypto> sq{eng, p};
  replay_identity identity;
  const auto msgs = capture_messages(capture);
  const auto secrets = pmci::test::load_sessions(capture);
  capture_transport t{&msgs};
  t.lenient_digests = capture.find("mutauth") != std::string::npos;
  shadow_session shadow;  // opens the captured requests (their padding, tags and contents)
  std::size_t si = 0, i = 0;
  while (i < msgs.size()) {
    const cmsg& req = msgs[i];
    INFO(capture << " #" << req.index);
    if (req.type() == mctp_type_spdm && req.spdm_code() != code::key_exchange && req.spdm_code() != code::psk_exchange) {
      // Attestation traffic: the engine's (and D for the session layer).
      eng.observe(req.spdm(), msgs[i + 1].spdm(), alg_dir);
      sq.observe(req.spdm(), msgs[i + 1].spdm());
      i += 2;
      continue;
    }
    REQUIRE(req.type() == mctp_type_spdm);
    const negotiated n = eng.negotiated_params();
    const auto& s = secrets.at(si);
    const bool psk = req.spdm_code() == code::psk_exchange;
    // Session start: the captured randomness.
    std::uint32_t id = 0;
    t.at = i;
    if (!psk) {
      const auto ke = *spdm::key_exchange::decode(req.spdm(), n);
      p.randoms.push_back(to_bytes(ke.random_data));
      p.publics.push_back(to_bytes(ke.exchange_data));
      p.secrets.push_back(s.at("dhe_secret"));
      // FINISH (mutual): the captured signature.
      for (std::size_t j = i; j < msgs.size(); ++j)
        if (msgs[j].type() == mctp_type_spdm && msgs[j].spdm_code() == code::finish) {
          const auto f = *finish::decode(msgs[j].spdm(), n);
          if (f.signature_included) p.signatures.push_back(to_bytes(f.signature));
          break;
        }
      key_exchange_options o{ke.slot_id, ke.summary, ke.session_policy};
      if (si == 0) {
        // Step-wise, to see TH1.
        bytes out(4096);
        auto q = sq.start_key_exchange(o, out);
        REQUIRE(q);
        CHECK(hex(*q) == hex(req.spdm()));
        auto sid = sq.on_key_exchange_rsp(msgs[i + 1].spdm());
        REQUIRE(sid);
        id = *sid;
        CHECK(hex(sq.sessions().find(id)->transcript_hash()) == hex(s.at("th1")));
        ++st.th_checked;
        std::size_t j = i + 2;
        if (sq.encapsulated_requested(id)) {
          // GET_ENCAPSULATED_REQUEST (plain, in the clear), then DELIVER until the empty ACK.
          CHECK(hex(msgs[j].spdm()) == hex(hx("12ea0000")));
          bytes_view m = msgs[j + 1].spdm();
          j += 2;
          for (;;) {
            bool done = false;
            auto d = sq.encapsulated_response(id, identity, m, out, done);
            REQUIRE(d);
            if (done) break;
            if (!t.lenient_digests || msgs[j].spdm()[4 + 1] != std::byte{0x01}) CHECK(hex(*d) == hex(msgs[j].spdm()));
            m = msgs[j + 1].spdm();
            j += 2;
          }
        }
        auto fin = sq.finish_request(id, out, &identity);
        REQUIRE(fin);
        CHECK(hex(*fin) == hex(msgs[j].spdm()));
        REQUIRE(sq.on_finish_rsp(id, msgs[j + 1].spdm()));
        t.at = j + 2;
      } else {
        auto sid = sq.key_exchange(t, o, &identity);
        INFO("error " << (sid ? "none" : to_string(sid.error())));
        REQUIRE(sid);
        id = *sid;
      }
    } else {
      const auto pe = *spdm::psk_exchange::decode(req.spdm(), n);
      p.randoms.push_back(to_bytes(pe.requester_context));
      // PSK_FINISH travels in a record: its padding.
      shadow.end();
      REQUIRE(shadow.start(p, session_role::responder, 0xFFFFFFFF, *session_params_of(n, true, 0)));
      REQUIRE(shadow.derive_handshake(s.at("psk"), s.at("th1")));
      bytes fin = msgs[i + 2].bytes_;
      auto o = shadow.open(fin);
      REQUIRE(o);
      p.queue_padding(o->padding);
      auto sid = sq.psk_exchange(t, {s.at("psk"), pe.psk_hint, pe.summary, pe.session_policy, pe.requester_context.size()});
      REQUIRE(sid);
      id = *sid;
    }
    CHECK(p.randoms.empty());
    CHECK(p.signatures.empty());
    session_requester<capture_requester_engine, replay_crypto>::session_type* ss = sq.sessions().find(id);
    REQUIRE(ss != nullptr);
    REQUIRE(ss->established());
    CHECK(hex(ss->transcript_hash()) == hex(s.at("th2")));
    ++st.th_checked;
    ++st.sessions;

    // The session's records: HEARTBEAT, KEY_UPDATE(+VerifyNewKey), GET_MEASUREMENTS, END_SESSION.
    shadow.end();
    REQUIRE(shadow.start(p, session_role::responder, 0xFFFFFFFF, *session_params_of(n, psk, 0)));
    REQUIRE(shadow.derive_handshake(s.at(psk ? "psk" : "dhe_secret"), s.at("th1")));
    REQUIRE(shadow.establish(s.at("th2")));
    std::size_t j = t.at;
    while (j < msgs.size() && msgs[j].type() == mctp_type_secured_spdm) {
      bytes rec = msgs[j].bytes_;
      auto o = shadow.open(rec);
      REQUIRE(o);
      const bytes app = to_bytes(o->app);
      const auto h = *header::decode(bytes_view{app}.subspan(1));
      t.at = j;
      switch (h.request_response_code) {
        case code::heartbeat:
          p.queue_padding(o->padding);
          REQUIRE(sq.heartbeat(t, id));
          j += 2;
          break;
        case code::key_update: {
          REQUIRE(static_cast<key_operation>(h.param1) == key_operation::update_all_keys);
          p.randoms.push_back(bytes{static_cast<std::byte>(h.param2)});  // the tag
          p.queue_padding(o->padding);
          // The shadow follows the responder's side of the update to open VerifyNewKey.
          REQUIRE(shadow.update_rx());
          REQUIRE(shadow.update_tx());
          bytes ack(1024);
          std::copy(app.begin(), app.end(), ack.begin() + 11);
          bytes verify = msgs[j + 2].bytes_;
          auto v = shadow.open(verify);
          REQUIRE(v);
          const auto vh = *header::decode(v->app.subspan(1));
          CHECK(static_cast<key_operation>(vh.param1) == key_operation::verify_new_key);
          p.randoms.push_back(bytes{static_cast<std::byte>(vh.param2)});  // VerifyNewKey's own tag
          p.queue_padding(v->padding);
          shadow.commit_update();
          REQUIRE(sq.key_update(t, id, key_operation::update_all_keys));
          j += 4;
          break;
        }
        case code::end_session:
          p.queue_padding(o->padding);
          REQUIRE(sq.end_session(t, id, (h.param1 & 1) != 0));  // spdm-emu sets NegotiatedStateClearing
          CHECK(sq.sessions().find(id) == nullptr);
          j += 2;
          break;
        default: {
          p.queue_padding(o->padding);
          auto r = sq.send_receive(t, id, app);
          REQUIRE(r);
          CHECK(std::to_integer<std::uint8_t>((*r)[2]) == 0x60);  // MEASUREMENTS
          j += 2;
          break;
        }
      }
      CHECK(p.randoms.empty());
    }
    i = j;
    ++si;
  }
  CHECK(si == secrets.size());
  st.exchanged += t.exchanged;
  st.identical += t.identical;
}

}  // namespace

TEST_CASE("session requester: replays the libspdm requester of every capture", "[session][requester][capture]") {
  stats st;
  replay_requester("spdm11_p256_sha256_aes256gcm", "ecp256", st);
  replay_requester("spdm12_p384_sha384_chacha20", "ecp384", st);
  replay_requester("spdm13_p384_sha384_aes256gcm", "ecp384", st);
  replay_requester("spdm12_psk_sha256_aes256gcm", "ecp256", st);
  replay_requester("spdm12_p384_sha384_aes256gcm_mutauth", "ecp384", st);
  CHECK(st.sessions == 9);
  CHECK(st.th_checked == 4 + 9);  // TH1 of each capture's first DHE session, TH2 of all
  CHECK(st.identical == st.exchanged);
  CHECK(st.exchanged > 40);
}
