// SPDX-License-Identifier: Apache-2.0
// pmci-dump's decode context: what a passive observer of one SPDM connection must remember so
// that every message decodes with the right sizes and every secured session can be opened.
//
//   pmci_dump::capture_context<pmci::crypto::openssl> cx{crypto, secrets};
//   auto d = cx.spdm(plain_message, pmci_dump::plain_channel);   // 0x05 messages
//   auto r = cx.open_record(record_copy, direction);              // 0x06 messages, decrypted in place
//   auto i = cx.spdm(r.app.subspan(1), pmci_dump::channel{true, r.session_id});
//
// Decode context (the dispatcher pmci/spdm/message.hpp needs it):
//   * the negotiated parameters, folded from VCA with pmci::spdm::update() (version, H, S, D,
//     capabilities, multi-key state);
//   * per channel (the plain connection, each session) the last request, for the response context
//     (CHALLENGE_AUTH and MEASUREMENTS signature/summary sizes, KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP
//     summary hash), and the last encapsulated request, for the requester's answers inside
//     DELIVER_ENCAPSULATED_RESPONSE (response_context::encapsulated).
//
// Session reconstruction (spdm.md §15, secured.md §3-§4), with the library's own pieces
// (pmci::spdm::session: key schedule, record keys, key update with previous generation):
//   * A = GET_VERSION ‖ VERSION ‖ GET_CAPABILITIES ‖ CAPABILITIES ‖ NEGOTIATE_ALGORITHMS ‖
//     ALGORITHMS as captured; D = the latest DIGESTS when MultiKeyConnRsp; Ct = Hash(the
//     responder's chain of the KEY_EXCHANGE slot, from the CERTIFICATE responses seen);
//     EncapD / CM from the encapsulated flow (requester's DIGESTS when MultiKeyConnReq, Hash of
//     the requester's chain of FINISH's ReqSlotID) — whether the flow was in the clear or inside
//     the session under handshake keys;
//   * TH1 = Hash(A ‖ [D] ‖ Ct ‖ KEY_EXCHANGE ‖ KEY_EXCHANGE_RSP without ResponderVerifyData),
//     TH2 = Hash(... ‖ full KEY_EXCHANGE_RSP ‖ [EncapD] ‖ [CM] ‖ FINISH ‖ FINISH_RSP); PSK: TH1 =
//     Hash(A ‖ PSK_EXCHANGE ‖ PSK_EXCHANGE_RSP without verify data), TH2 adds the verify data,
//     PSK_FINISH and PSK_FINISH_RSP (no D, no Ct); the running hash is forked, never replayed;
//   * every verify data in the capture (ResponderVerifyData of KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP
//     / FINISH_RSP in the clear, RequesterVerifyData of FINISH / PSK_FINISH) is checked with the
//     finished keys, so a wrong secret is reported at the handshake instead of as a stream of
//     failed records;
//   * each session has two pmci::spdm::session objects: one in the responder role opens the
//     requests (its receive direction is the request direction), one in the requester role opens
//     the responses. Key update follows secured.md §4 / the libspdm order: on KEY_UPDATE
//     UpdateKey the request opener derives the next generation; on UpdateAllKeys both do (the
//     ACK already travels under the new response key); on the VerifyNewKey ACK both commit; an
//     ERROR answer rolls back. session::open() picks the previous generation by sequence number.
//   * the i-th KEY_EXCHANGE session uses the i-th DHE secret; PSK sessions use the PSKs in order,
//     the last one again when there are fewer (one PSK usually serves every session).
//
// Host tool code: standard containers are fine here (not a core header).
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pmci/core/bytes.hpp"
#include "pmci/core/endian.hpp"
#include "pmci/core/result.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/spdm/crypto_map.hpp"
#include "pmci/spdm/message.hpp"
#include "pmci/spdm/session/handshake.hpp"
#include "pmci/spdm/session/secured_message.hpp"
#include "pmci/spdm/session/session.hpp"
#include "pmci/transport/concepts.hpp"

namespace pmci_dump {

using byte_vector = std::vector<std::byte>;

/// The secrets given on the command line (--dhe-secret, --psk), in session order.
struct session_secrets {
  std::vector<byte_vector> dhe;
  std::vector<byte_vector> psk;
  [[nodiscard]] bool any() const noexcept { return !dhe.empty() || !psk.empty(); }
};

/// Where a message travelled: in the clear, or inside the session with this id.
struct channel {
  bool secured = false;
  std::uint32_t session_id = 0;
  friend bool operator<(const channel& a, const channel& b) noexcept {
    return a.secured != b.secured ? !a.secured : a.session_id < b.session_id;
  }
};
inline constexpr channel plain_channel{};

/// One decoded SPDM message and, for the encapsulated carriers, the message they carry.
struct decoded {
  pmci::result<pmci::spdm::message> message = pmci::errc::truncated;
  bool has_inner = false;
  pmci::result<pmci::spdm::message> inner = pmci::errc::truncated;  ///< valid when has_inner
  std::string note;  ///< what the message did to a session ("session #1 0x...: TH1 ..."), for -v
};

/// One secured record after open_record().
struct opened_record {
  bool ok = false;
  std::string why;              ///< why it could not be opened
  pmci::bytes_view app{};       ///< the inner MCTP message (type byte first), into the caller's buffer
  std::uint32_t session_id = 0;
  unsigned session_number = 0;  ///< 1 for the first session of the capture, ...
};

template <class P>
class capture_context {
 public:
  using hash_state = typename P::hash_state;
  using opener = pmci::spdm::session<P>;

  capture_context(P& p, session_secrets secrets) : p_(p), secrets_(std::move(secrets)) {}

  [[nodiscard]] const pmci::spdm::negotiated& negotiated() const noexcept { return n_; }
  [[nodiscard]] bool decrypting() const noexcept { return secrets_.any(); }

  /// Decode one SPDM message (no MCTP type byte) that travelled on `ch`, and fold it into the
  /// context. Never fails hard: an undecodable message is returned as its error.
  decoded spdm(pmci::bytes_view m, channel ch) {
    decoded out;
    note_.clear();
    const auto h = pmci::spdm::header::decode(m);
    if (!h) {
      out.message = h.error();
      return out;
    }
    channel_state& st = channels_[ch];
    const bool request = pmci::spdm::is_request(h->request_response_code);
    const auto ctx = request ? pmci::spdm::response_context{} : pmci::spdm::response_context::answering(st.last_request);
    out.message = pmci::spdm::decode(m, n_, ctx);
    if (out.message) {
      inner_of(*out.message, ch, st, out);
      track(m, *out.message, ch, st);
      // Only VCA changes the negotiated parameters, and VCA never travels inside a session.
      if (!ch.secured) pmci::spdm::update(n_, *out.message);
      if (!ch.secured && std::holds_alternative<pmci::spdm::algorithms>(*out.message)) finish_vca();
    }
    out.note = std::move(note_);
    if (request) {
      st.last_request = *h;
      st.last_request_code = h->request_response_code;
      st.last_request_bytes.assign(m.begin(), m.end());
    }
    return out;
  }

  /// Open a secured record (MCTP type byte first) in place. `d` is who sent it (the request
  /// direction is opened with the request keys).
  opened_record open_record(pmci::bytes_span msg, pmci::transport::direction d, std::size_t index) {
    opened_record out;
    if (msg.size() < 5) {
      out.why = "record too short";
      return out;
    }
    out.session_id = pmci::load_u32le(msg.subspan(1));
    tracked* s = find(out.session_id);
    if (s == nullptr) {
      out.why = fmt_id("no KEY_EXCHANGE / PSK_EXCHANGE for session ", out.session_id) + " in the capture";
      return out;
    }
    out.session_number = s->number;
    if (!s->status.empty()) {
      out.why = s->status;
      return out;
    }
    opener& o = d == pmci::transport::direction::request ? s->requests : s->responses;
    if (!o.records_active()) {
      out.why = "no record keys in this phase";
      return out;
    }
    auto r = o.open(msg);
    if (!r) {
      out.why = std::string("record does not open: ") + pmci::to_string(r.error());
      s->status = "an earlier record (#" + std::to_string(index) + ") did not open";
      s->requests.end();
      s->responses.end();
      return out;
    }
    out.ok = true;
    out.app = r->app;
    return out;
  }

 private:
  struct channel_state {
    pmci::spdm::header last_request{};
    pmci::spdm::code last_request_code = pmci::spdm::code::get_version;
    byte_vector last_request_bytes;
    pmci::spdm::header encap_request{};  ///< the request inside the last ENCAPSULATED_REQUEST / ACK
    byte_vector encap_request_bytes;
    std::optional<pmci::spdm::key_operation> key_update;  ///< the KEY_UPDATE awaiting its ACK
    std::optional<pmci::spdm::key_operation> encap_key_update;  ///< ... sent by the responder (encapsulated)
  };

  struct chain {
    byte_vector bytes;
    bool complete = false;
  };

  /// One session of the capture: its transcript, the two openers and what went wrong, if anything.
  struct tracked {
    unsigned number = 0;
    std::uint32_t id = 0;
    bool psk = false;
    bool ended = false;
    bool established = false;
    std::string status;  ///< empty while the session decrypts; else why it does not
    hash_state th{};
    opener requests;   ///< responder role: receives the request direction
    opener responses;  ///< requester role: receives the response direction
  };

  static std::string fmt_id(const char* what, std::uint32_t id) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08x", id);
    return std::string(what) + buf;
  }

  [[nodiscard]] std::size_t h() const noexcept { return n_.h(); }

  tracked* find(std::uint32_t id) {
    for (auto it = sessions_.rbegin(); it != sessions_.rend(); ++it)
      if ((*it)->id == id && !(*it)->ended) return it->get();
    return nullptr;
  }
  /// The session a handshake message on `ch` belongs to: the record's session, or for plain
  /// FINISH / encapsulated messages the latest handshake in the clear.
  tracked* session_of(channel ch) {
    if (ch.secured) return find(ch.session_id);
    return clear_session_;
  }

  // ---- decoding context ---------------------------------------------------------------------

  /// The message an encapsulated carrier holds, decoded with the encapsulated context.
  void inner_of(const pmci::spdm::message& m, channel ch, channel_state& st, decoded& out) {
    using namespace pmci::spdm;
    if (const auto* e = std::get_if<encapsulated_request>(&m)) {
      out.has_inner = true;
      out.inner = decode(e->message, n_);
      remember_encap(st, e->message);
      if (out.inner) on_encap_request(*out.inner, ch, st);
    } else if (const auto* a = std::get_if<encapsulated_response_ack>(&m)) {
      if (a->payload_type == encap_payload_type::present) {
        out.has_inner = true;
        out.inner = decode(a->request, n_);
        remember_encap(st, a->request);
        if (out.inner) on_encap_request(*out.inner, ch, st);
      }
    } else if (const auto* dr = std::get_if<deliver_encapsulated_response>(&m)) {
      out.has_inner = true;
      out.inner = decode(dr->message, n_, response_context::answering(st.encap_request, true));
      if (out.inner) track_encapsulated(dr->message, *out.inner, ch, st);
    }
  }

  /// Responder-initiated key update (an encapsulated KEY_UPDATE inside a session; the
  /// directions of secured.md §4 swapped, libspdm's order): after UpdateKey the responder
  /// switches its response key as soon as the requester's ACK is in, so the next response
  /// (ENCAPSULATED_RESPONSE_ACK with VerifyNewKey) travels under the new key; the previous
  /// generation stays until VerifyNewKey is acknowledged; an ERROR answer rolls back.
  void on_encap_request(const pmci::spdm::message& inner, channel ch, channel_state& st) {
    using namespace pmci::spdm;
    const auto* k = std::get_if<key_update>(&inner);
    if (k == nullptr) return;
    st.encap_key_update = k->operation;
    tracked* s = ch.secured ? find(ch.session_id) : nullptr;
    if (s == nullptr || !s->established || !s->status.empty()) return;
    if (k->operation == key_operation::update_key) {
      if (auto r = s->responses.update_rx(); !r) fail(*s, std::string("encapsulated key update: ") + pmci::to_string(r.error()));
    }
  }
  static void remember_encap(channel_state& st, pmci::bytes_view req) {
    if (auto h = pmci::spdm::header::decode(req)) st.encap_request = *h;
    st.encap_request_bytes.assign(req.begin(), req.end());
  }

  /// The requester's DIGESTS (EncapD) and certificate chains (CM), from its encapsulated answers.
  void track_encapsulated(pmci::bytes_view rsp, const pmci::spdm::message& m, channel ch, channel_state& st) {
    using namespace pmci::spdm;
    if (st.encap_key_update) {
      const auto op = *st.encap_key_update;
      st.encap_key_update.reset();
      tracked* s = ch.secured ? find(ch.session_id) : nullptr;
      if (s != nullptr && s->established && s->status.empty()) {
        if (std::holds_alternative<error_response>(m) && op == key_operation::update_key) s->responses.rollback_update();
        else if (std::holds_alternative<key_update_ack>(m) && op == key_operation::verify_new_key) s->responses.commit_update();
      }
      return;
    }
    if (std::holds_alternative<digests>(m)) {
      if (n_.multi_key_conn_req) encap_d_.assign(rsp.begin(), rsp.end());
    } else if (const auto* c = std::get_if<certificate>(&m)) {
      add_portion(requester_chains_, st.encap_request_bytes, *c);
    }
  }

  void add_portion(std::map<std::uint8_t, chain>& chains, pmci::bytes_view request, const pmci::spdm::certificate& c) {
    const auto g = pmci::spdm::get_certificate::decode(request, n_);
    if (!g || g->slot_size_requested) return;
    chain& ch = chains[g->slot_id];
    if (g->offset == 0) ch = chain{};
    if (g->offset != ch.bytes.size()) return;  // a portion we did not see the start of
    ch.bytes.insert(ch.bytes.end(), c.portion.begin(), c.portion.end());
    ch.complete = c.remainder_length == 0;
  }

  // ---- connection-level tracking ------------------------------------------------------------

  void track(pmci::bytes_view m, const pmci::spdm::message& msg, channel ch, channel_state& st) {
    using namespace pmci::spdm;
    switch (code_of(msg)) {
      case code::get_version:
        if (ch.secured) break;
        vca_.assign(m.begin(), m.end());
        have_a_ = have_d_ = false;
        chains_.clear();
        requester_chains_.clear();
        encap_d_.clear();
        for (auto& s : sessions_) end(*s);  // GET_VERSION resets the connection (spdm.md §3)
        clear_session_ = nullptr;
        break;
      case code::version:
      case code::get_capabilities:
      case code::capabilities:
      case code::negotiate_algorithms:
      case code::algorithms:
        if (!ch.secured) vca_.insert(vca_.end(), m.begin(), m.end());
        break;
      case code::digests:
        // D = the most recent DIGESTS response, when MultiKeyConnRsp (spdm.md §15).
        if (ch.secured) break;
        have_d_ = false;
        if (n_.multi_key_conn_rsp && have_a_) {
          d_state_ = a_;
          have_d_ = static_cast<bool>(p_.hash_update(d_state_, m));
        }
        break;
      case code::certificate:
        add_portion(chains_, st.last_request_bytes, std::get<certificate>(msg));
        break;
      case code::key_exchange_rsp:
        if (st.last_request_code == code::key_exchange) start_dhe(st.last_request_bytes, m, std::get<key_exchange_rsp>(msg));
        break;
      case code::psk_exchange_rsp:
        if (st.last_request_code == code::psk_exchange) start_psk(st.last_request_bytes, m);
        break;
      case code::finish: on_finish(m, std::get<finish>(msg), ch); break;
      case code::finish_rsp: on_finish_rsp(m, std::get<finish_rsp>(msg), ch); break;
      case code::psk_finish: on_psk_finish(m, ch); break;
      case code::psk_finish_rsp: on_psk_finish_rsp(m, ch); break;
      case code::key_update: on_key_update(std::get<key_update>(msg), ch, st); break;
      case code::key_update_ack: on_key_update_ack(ch, st); break;
      case code::error:
        if (st.last_request_code == code::key_update) key_update_failed(ch, st);
        break;
      case code::end_session_ack:
        if (tracked* s = ch.secured ? find(ch.session_id) : nullptr) {
          end(*s);
          note_ = name(*s) + ": ended";
        }
        break;
      default: break;
    }
  }

  /// A = VCA, hashed with the negotiated hash once ALGORITHMS is in.
  void finish_vca() {
    have_a_ = false;
    const auto hash = pmci::spdm::to_crypto(n_.hash);
    if (!hash) return;
    a_ = hash_state{};
    have_a_ = p_.hash_init(a_, *hash) && p_.hash_update(a_, vca_);
  }

  void end(tracked& s) {
    s.ended = true;
    s.requests.end();
    s.responses.end();
    if (clear_session_ == &s) clear_session_ = nullptr;
  }

  static std::string hex(pmci::bytes_view b) {
    std::string out;
    char buf[4];
    for (auto x : b) {
      std::snprintf(buf, sizeof buf, "%02x", std::to_integer<unsigned>(x));
      out += buf;
    }
    return out;
  }
  std::string name(const tracked& s) const { return "session #" + std::to_string(s.number) + fmt_id(" ", s.id); }

  void fail(tracked& s, std::string why) {
    if (s.status.empty()) {
      note_ = name(s) + ": cannot decrypt: " + why;
      s.status = std::move(why);
    }
    s.requests.end();
    s.responses.end();
  }

  /// Hash(TH ‖ extra) (a fork of the running hash).
  bool digest(tracked& s, pmci::bytes_view extra, pmci::bytes_span out) {
    return static_cast<bool>(pmci::spdm::th_digest(p_, s.th, extra, out.first(h())));
  }

  /// Start both openers and derive the handshake keys from TH1.
  bool derive_handshake(tracked& s, const pmci::spdm::session_params& params, pmci::bytes_view secret,
                        pmci::bytes_view th1) {
    using pmci::spdm::session_role;
    auto r = s.requests.start(p_, session_role::responder, s.id, params);
    if (r) r = s.responses.start(p_, session_role::requester, s.id, params);
    if (r) r = s.requests.derive_handshake(secret, th1);
    if (r) r = s.responses.derive_handshake(secret, th1);
    if (!r) fail(s, std::string("key schedule: ") + pmci::to_string(r.error()));
    return static_cast<bool>(r);
  }

  /// Compare verify data with HMAC(finished key of `d`, transcript hash) (spdm.md §15).
  bool verify(tracked& s, pmci::spdm::key_direction d, pmci::bytes_view transcript_hash, pmci::bytes_view got,
              const char* what) {
    std::array<std::byte, pmci::crypto::max_digest_size> expected{};
    const auto e = std::span{expected}.first(h());
    if (!s.requests.key_schedule_ref().verify_data(d, transcript_hash, e) || !pmci::equal(e, got)) {
      fail(s, std::string("wrong secret: ") + what + " does not match");
      return false;
    }
    return true;
  }

  tracked& new_session(std::uint32_t id, bool psk) {
    auto s = std::make_unique<tracked>();
    s->number = static_cast<unsigned>(sessions_.size()) + 1;
    s->id = id;
    s->psk = psk;
    // An id used again by a new handshake replaces the old session.
    for (auto& o : sessions_)
      if (o->id == id && !o->ended) end(*o);
    sessions_.push_back(std::move(s));
    return *sessions_.back();
  }

  // ---- KEY_EXCHANGE / FINISH ----------------------------------------------------------------

  void start_dhe(pmci::bytes_view req, pmci::bytes_view rsp, const pmci::spdm::key_exchange_rsp& kr) {
    using namespace pmci::spdm;
    const auto ke = key_exchange::decode(req, n_);
    if (!ke) return;
    tracked& s = new_session(make_session_id(ke->req_session_id, kr.rsp_session_id), false);
    const std::size_t index = dhe_used_++;
    if (n_.handshake_in_the_clear()) clear_session_ = &s;
    if (!secrets_.any()) {  // (plain dump: nothing to say about sessions)
      s.status = "no secrets given";
      return;
    }
    if (index >= secrets_.dhe.size())
      return fail(s, "no --dhe-secret for KEY_EXCHANGE session " + std::to_string(index + 1));
    if (!have_a_) return fail(s, "GET_VERSION ... ALGORITHMS not in the capture");
    const auto params = session_params_of(n_, false, kr.heartbeat_period);
    if (!params) return fail(s, std::string("no session parameters: ") + pmci::to_string(params.error()));
    const auto it = chains_.find(ke->slot_id);
    if (it == chains_.end() || !it->second.complete)
      return fail(s, "certificate chain of slot " + std::to_string(ke->slot_id) + " not in the capture");
    // TH1 = Hash(A ‖ [D] ‖ Ct ‖ KEY_EXCHANGE ‖ KEY_EXCHANGE_RSP up to and with the Signature).
    s.th = have_d_ && n_.multi_key_conn_rsp ? d_state_ : a_;
    std::array<std::byte, pmci::crypto::max_digest_size> ct{}, th1{};
    // The Signature ends where ResponderVerifyData (if any) begins: the end of the message.
    if (kr.signature.empty() || kr.responder_verify_data.size() > rsp.size())
      return fail(s, "KEY_EXCHANGE_RSP without a signature");
    const std::size_t sig_end = rsp.size() - kr.responder_verify_data.size();
    if (!pmci::crypto::compute_hash(p_, params->hash, it->second.bytes, std::span{ct}.first(h())) ||
        !pmci::spdm::th_append(p_, s.th, std::span{ct}.first(h())) || !pmci::spdm::th_append(p_, s.th, req) ||
        !pmci::spdm::th_append(p_, s.th, rsp.first(sig_end)) || !digest(s, {}, th1))
      return fail(s, "transcript hash failed");
    if (!derive_handshake(s, *params, secrets_.dhe[index], std::span{th1}.first(h()))) return;
    note_ = name(s) + ": TH1 " + hex(std::span{th1}.first(h()));
    if (!kr.responder_verify_data.empty()) {
      if (!verify(s, key_direction::response, std::span{th1}.first(h()), kr.responder_verify_data,
                  "KEY_EXCHANGE_RSP ResponderVerifyData"))
        return;
      (void)pmci::spdm::th_append(p_, s.th, kr.responder_verify_data);
    }
  }

  void on_finish(pmci::bytes_view m, const pmci::spdm::finish& f, channel ch) {
    using namespace pmci::spdm;
    tracked* s = session_of(ch);
    if (s == nullptr || s->psk || s->established || !s->status.empty()) return;
    if (f.signature_included) {
      // Mutual authentication: [EncapD] ‖ CM before FINISH (spdm.md §15).
      if (n_.multi_key_conn_req && !encap_d_.empty()) (void)pmci::spdm::th_append(p_, s->th, encap_d_);
      const auto it = requester_chains_.find(f.req_slot_id);
      if (it == requester_chains_.end() || !it->second.complete)
        return fail(*s, "requester certificate chain of slot " + std::to_string(f.req_slot_id) + " not in the capture");
      std::array<std::byte, pmci::crypto::max_digest_size> cm{};
      if (!pmci::crypto::compute_hash(p_, s->requests.params().hash, it->second.bytes, std::span{cm}.first(h())) ||
          !pmci::spdm::th_append(p_, s->th, std::span{cm}.first(h())))
        return fail(*s, "transcript hash failed");
    }
    std::array<std::byte, pmci::crypto::max_digest_size> dg{};
    if (!digest(*s, m.first(m.size() - f.requester_verify_data.size()), dg)) return fail(*s, "transcript hash failed");
    if (!verify(*s, key_direction::request, std::span{dg}.first(h()), f.requester_verify_data, "FINISH RequesterVerifyData"))
      return;
    (void)pmci::spdm::th_append(p_, s->th, m);
  }

  void on_finish_rsp(pmci::bytes_view m, const pmci::spdm::finish_rsp& f, channel ch) {
    using namespace pmci::spdm;
    tracked* s = session_of(ch);
    if (s == nullptr || s->psk || s->established || !s->status.empty()) return;
    std::array<std::byte, pmci::crypto::max_digest_size> dg{};
    if (!f.responder_verify_data.empty()) {
      if (!digest(*s, m.first(m.size() - f.responder_verify_data.size()), dg)) return fail(*s, "transcript hash failed");
      if (!verify(*s, key_direction::response, std::span{dg}.first(h()), f.responder_verify_data,
                  "FINISH_RSP ResponderVerifyData"))
        return;
    }
    if (!pmci::spdm::th_append(p_, s->th, m) || !digest(*s, {}, dg)) return fail(*s, "transcript hash failed");
    establish(*s, std::span{dg}.first(h()));
    if (clear_session_ == s) clear_session_ = nullptr;
  }

  void establish(tracked& s, pmci::bytes_view th2) {
    auto r = s.requests.establish(th2);
    if (r) r = s.responses.establish(th2);
    if (!r) return fail(s, std::string("key schedule: ") + pmci::to_string(r.error()));
    s.established = true;
    note_ = name(s) + ": TH2 " + hex(th2) + ", data keys in use";
  }

  // ---- PSK_EXCHANGE / PSK_FINISH ------------------------------------------------------------

  void start_psk(pmci::bytes_view req, pmci::bytes_view rsp) {
    using namespace pmci::spdm;
    const auto pe = psk_exchange::decode(req, n_);
    if (!pe) return;
    const auto pr = psk_exchange_rsp::decode(rsp, n_, response_context::answering(*header::decode(req)));
    if (!pr) return;
    tracked& s = new_session(make_session_id(pe->req_session_id, pr->rsp_session_id), true);
    const std::size_t index = psk_used_++;
    if (!secrets_.any()) {  // (plain dump: nothing to say about sessions)
      s.status = "no secrets given";
      return;
    }
    if (secrets_.psk.empty()) return fail(s, "no --psk for PSK session " + std::to_string(index + 1));
    const byte_vector& psk = secrets_.psk[std::min(index, secrets_.psk.size() - 1)];
    if (!have_a_) return fail(s, "GET_VERSION ... ALGORITHMS not in the capture");
    const auto params = session_params_of(n_, true, pr->heartbeat_period);
    if (!params) return fail(s, std::string("no session parameters: ") + pmci::to_string(params.error()));
    // TH1 = Hash(A ‖ PSK_EXCHANGE ‖ PSK_EXCHANGE_RSP without ResponderVerifyData); no D, no Ct.
    s.th = a_;
    std::array<std::byte, pmci::crypto::max_digest_size> th1{};
    const std::size_t vd = pr->responder_verify_data.size();
    if (!pmci::spdm::th_append(p_, s.th, req) || !pmci::spdm::th_append(p_, s.th, rsp.first(rsp.size() - vd)) || !digest(s, {}, th1))
      return fail(s, "transcript hash failed");
    if (!derive_handshake(s, *params, psk, std::span{th1}.first(h()))) return;
    note_ = name(s) + ": TH1 " + hex(std::span{th1}.first(h()));
    if (!verify(s, key_direction::response, std::span{th1}.first(h()), pr->responder_verify_data,
                "PSK_EXCHANGE_RSP ResponderVerifyData"))
      return;
    (void)pmci::spdm::th_append(p_, s.th, pr->responder_verify_data);
  }

  void on_psk_finish(pmci::bytes_view m, channel ch) {
    using namespace pmci::spdm;
    tracked* s = ch.secured ? find(ch.session_id) : nullptr;
    if (s == nullptr || !s->psk || s->established || !s->status.empty() || m.size() < h()) return;
    std::array<std::byte, pmci::crypto::max_digest_size> dg{};
    if (!digest(*s, m.first(m.size() - h()), dg)) return fail(*s, "transcript hash failed");
    if (!verify(*s, key_direction::request, std::span{dg}.first(h()), m.last(h()), "PSK_FINISH RequesterVerifyData"))
      return;
    (void)pmci::spdm::th_append(p_, s->th, m);
  }

  void on_psk_finish_rsp(pmci::bytes_view m, channel ch) {
    tracked* s = ch.secured ? find(ch.session_id) : nullptr;
    if (s == nullptr || !s->psk || s->established || !s->status.empty()) return;
    std::array<std::byte, pmci::crypto::max_digest_size> dg{};
    if (!pmci::spdm::th_append(p_, s->th, m) || !digest(*s, {}, dg)) return fail(*s, "transcript hash failed");
    establish(*s, std::span{dg}.first(h()));
  }

  // ---- KEY_UPDATE (secured.md §4) -----------------------------------------------------------

  void on_key_update(const pmci::spdm::key_update& k, channel ch, channel_state& st) {
    using pmci::spdm::key_operation;
    tracked* s = ch.secured ? find(ch.session_id) : nullptr;
    st.key_update = k.operation;
    if (s == nullptr || !s->established || !s->status.empty()) return;
    pmci::result<void> r = pmci::ok();
    if (k.operation == key_operation::update_key || k.operation == key_operation::update_all_keys)
      r = s->requests.update_rx();  // the next request (VerifyNewKey) uses the new request key
    if (r && k.operation == key_operation::update_all_keys)
      r = s->responses.update_rx();  // the ACK already travels under the new response key
    if (!r) fail(*s, std::string("key update: ") + pmci::to_string(r.error()));
  }

  void on_key_update_ack(channel ch, channel_state& st) {
    tracked* s = ch.secured ? find(ch.session_id) : nullptr;
    const auto op = st.key_update;
    st.key_update.reset();
    if (s == nullptr || !s->established || !s->status.empty()) return;
    if (op == pmci::spdm::key_operation::verify_new_key) {
      s->requests.commit_update();
      s->responses.commit_update();
    }
  }

  void key_update_failed(channel ch, channel_state& st) {
    st.key_update.reset();
    tracked* s = ch.secured ? find(ch.session_id) : nullptr;
    if (s == nullptr || !s->established || !s->status.empty()) return;
    s->requests.rollback_update();
    s->responses.rollback_update();
  }

  P& p_;
  session_secrets secrets_;
  pmci::spdm::negotiated n_{};
  std::map<channel, channel_state> channels_;
  byte_vector vca_;
  hash_state a_{}, d_state_{};
  bool have_a_ = false, have_d_ = false;
  std::map<std::uint8_t, chain> chains_, requester_chains_;
  byte_vector encap_d_;
  std::vector<std::unique_ptr<tracked>> sessions_;
  tracked* clear_session_ = nullptr;
  std::string note_;
  std::size_t dhe_used_ = 0, psk_used_ = 0;
};

}  // namespace pmci_dump
