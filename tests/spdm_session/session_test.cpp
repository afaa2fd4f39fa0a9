// SPDX-License-Identifier: Apache-2.0
// pmci/spdm/session/session.hpp: the session object and the session table.
//  * Replay of every captured session with two session objects, one per role: the responder's
//    opens each request and the requester's seals the same plaintext (captured padding) to the
//    identical record, and the reverse for responses; the key update follows the libspdm order
//    (secured.md §4) through update_rx/update_tx/commit_update; END_SESSION wipes both.
//  * Key-update rollback selected by sequence number, failures ending the session, deferred
//    actions, heartbeat expiry, and the table (capacity, ids, end_all).
#include "pmci/spdm/session/session.hpp"

#include <algorithm>
#include <array>
#include <new>
#include <optional>
#include <vector>

#include "pmci/crypto/openssl.hpp"
#include "pmci/spdm/message.hpp"
#include "pmci/spdm/session/handshake.hpp"
#include "session_test_util.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::session_test;
using policy = crypto::openssl;
using session_t = session<policy>;

namespace {

struct replay_stats {
  int sessions = 0, records = 0, identical = 0, rollbacks = 0, ended = 0;
};

/// Seal `app` (an MCTP message) with `s` and the given padding; returns the record.
bytes seal_with(session_t& s, bytes_view app, bytes_view padding) {
  bytes buf(s.layout().record_size(app.size(), padding.size()));
  std::copy(app.begin(), app.end(), buf.begin() + static_cast<std::ptrdiff_t>(s.layout().app_offset()));
  auto r = s.seal(buf, app.size(), padding);
  REQUIRE(r);
  return to_bytes(*r);
}

void replay(const std::string& capture, replay_stats& st) {
  policy p;
  const auto secrets = pmci::test::load_sessions(capture);
  negotiated n;
  header last_request{};
  session_t rsp_side, req_side;
  std::size_t next = 0;
  for (const auto& m : pmci::test::load_messages(capture)) {
    INFO(capture << " #" << m.index);
    const auto type = std::to_integer<std::uint8_t>(m.bytes.at(0));
    if (type == mctp_type_spdm) {
      const bytes_view spdm = bytes_view{m.bytes}.subspan(1);
      const auto h = *header::decode(spdm);
      if (m.request) last_request = h;
      if (auto d = decode(spdm, n, m.request ? response_context{} : response_context::answering(last_request)))
        update(n, *d);
      const code c = h.request_response_code;
      if (c == code::key_exchange_rsp || c == code::psk_exchange_rsp) {
        const auto& s = secrets.at(next++);
        const bool psk = c == code::psk_exchange_rsp;
        auto params = session_params_of(n, psk, h.param1);
        REQUIRE(params);
        CHECK(params->protection == session_protection::encrypt_and_mac);
        CHECK(params->handshake_in_the_clear == !psk);  // every DHE capture is in the clear
        CHECK(params->heartbeat_period == h.param1);
        REQUIRE(rsp_side.start(p, session_role::responder, 0xFFFFFFFF, *params));
        REQUIRE(req_side.start(p, session_role::requester, 0xFFFFFFFF, *params));
        CHECK(rsp_side.phase() == session_phase::handshake);
        const bytes& secret = s.at(psk ? "psk" : "dhe_secret");
        REQUIRE(rsp_side.derive_handshake(secret, s.at("th1")));
        REQUIRE(req_side.derive_handshake(secret, s.at("th1")));
        CHECK(rsp_side.records_active() == psk);  // in the clear: no handshake records
        CHECK(hex(rsp_side.key_schedule_ref().finished_key(key_direction::response)) == hex(s.at("response_finished_key")));
        ++st.sessions;
      }
      if (c == code::finish_rsp) {  // in the clear: data keys from here on
        REQUIRE(rsp_side.establish_after_send(secrets.at(next - 1).at("th2")));
        REQUIRE(rsp_side.after_send());
        REQUIRE(req_side.establish(secrets.at(next - 1).at("th2")));
        CHECK(rsp_side.established());
        // The handshake secrets are gone, the data keys are the logged ones.
        CHECK(hex(rsp_side.key_schedule_ref().finished_key(key_direction::response)) ==
              hex(bytes(rsp_side.key_schedule_ref().hash_size())));
        CHECK(hex(rsp_side.key_schedule_ref().data(key_direction::request).key()) ==
              hex(secrets.at(next - 1).at("request_data_key")));
      }
      continue;
    }
    ++st.records;
    session_t& receiver = m.request ? rsp_side : req_side;
    session_t& sender = m.request ? req_side : rsp_side;
    bytes rec = m.bytes;
    auto o = receiver.open(rec);
    REQUIRE(o);
    CHECK_FALSE(receiver.last_open_rolled_back());
    const bytes again = seal_with(sender, o->app, o->padding);
    CHECK(hex(again) == hex(m.bytes));
    if (again == m.bytes) ++st.identical;

    const bytes_view spdm = o->app.subspan(1);
    const auto h = *header::decode(spdm);
    const code c = h.request_response_code;
    if (m.request) last_request = h;
    if (c == code::psk_finish_rsp) {
      REQUIRE(rsp_side.establish(secrets.at(next - 1).at("th2")));
      REQUIRE(req_side.establish(secrets.at(next - 1).at("th2")));
    } else if (c == code::key_update) {
      const auto op = static_cast<key_operation>(h.param1);
      if (op == key_operation::update_key || op == key_operation::update_all_keys) {
        REQUIRE(rsp_side.update_rx());
        if (op == key_operation::update_all_keys) {
          REQUIRE(rsp_side.update_tx());  // the ACK is sealed with the new response key
          REQUIRE(req_side.update_rx());  // ... so the requester opens it with the new one
        }
        CHECK(rsp_side.update_pending());
      } else {
        rsp_side.commit_update();  // VerifyNewKey arrived under the new request key
        CHECK_FALSE(rsp_side.update_pending());
      }
    } else if (c == code::key_update_ack) {
      const auto op = static_cast<key_operation>(h.param1);
      if (op == key_operation::verify_new_key) {
        req_side.commit_update();
      } else {
        REQUIRE(req_side.update_tx());  // the requester switches after the ACK
        CHECK(hex(req_side.key_schedule_ref().data(key_direction::request).key()) ==
              hex(secrets.at(next - 1).at("request_data_key_update1")));
      }
    } else if (c == code::end_session_ack) {
      rsp_side.end_after_send();
      REQUIRE(rsp_side.after_send());
      req_side.end();
      CHECK(rsp_side.idle());
      CHECK_FALSE(rsp_side.records_active());
      CHECK_FALSE(rsp_side.tx_keys().installed());
      ++st.ended;
    }
  }
  CHECK(next == secrets.size());
}

const bytes secret48 = hx("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30");
const bytes th1 = hx("af8d1cfcb832e203d945549d67b51a3b050c232655fbb0bf50f84ab0024ec357a775f307b586b0ce4f996fa19fc95593");
const bytes th2 = hx("8732e356525135c9e386c83c91844101a3622eb0a10ba3ac542ffde25f854ce932ff1abe0b0d21a467916cd7b39dade1");

session_params params_384(bool clear = false) {
  session_params sp;
  sp.hash = crypto::hash_alg::sha384;
  sp.aead = crypto::aead_alg::aes256_gcm;
  sp.version = 0x12;
  sp.handshake_in_the_clear = clear;
  sp.heartbeat_period = 5;
  return sp;
}

void pair_up(policy& p, session_t& rq, session_t& rs, bool clear = false) {
  REQUIRE(rq.start(p, session_role::requester, 0x1234FFFF, params_384(clear)));
  REQUIRE(rs.start(p, session_role::responder, 0x1234FFFF, params_384(clear)));
  REQUIRE(rq.derive_handshake(secret48, th1));
  REQUIRE(rs.derive_handshake(secret48, th1));
  REQUIRE(rq.establish(th2));
  REQUIRE(rs.establish(th2));
}

const bytes app = hx("0512e80000");

}  // namespace

TEST_CASE("session: every captured session replays through two session objects", "[session][capture]") {
  replay_stats st;
  for (const auto& capture : pmci::test::capture_names()) replay(capture, st);
  CHECK(st.sessions == 9);
  CHECK(st.records == 90);
  CHECK(st.identical == st.records);
  CHECK(st.ended == 9);
}

TEST_CASE("session: lifecycle, wrong-phase calls and deferred actions", "[session]") {
  policy p;
  session_t s;
  CHECK(s.idle());
  bytes buf(64);
  CHECK(s.seal(buf, 5) == errc::invalid_state);
  CHECK(s.open(buf) == errc::invalid_state);
  CHECK(s.establish(th2) == errc::invalid_state);
  CHECK(s.derive_handshake(secret48, th1) == errc::invalid_state);
  REQUIRE(s.start(p, session_role::responder, 7, params_384()));
  CHECK(s.start(p, session_role::responder, 8, params_384()) == errc::invalid_state);
  CHECK(s.establish(th2) == errc::invalid_state);  // no handshake secrets yet
  CHECK(s.update_rx() == errc::invalid_state);
  REQUIRE(s.derive_handshake(secret48, th1));
  CHECK(s.records_active());
  CHECK(s.derive_handshake(secret48, th1) == errc::invalid_state);
  REQUIRE(s.establish_after_send(th2));
  CHECK(s.pending() == session_t::pending_action::establish);
  CHECK(s.phase() == session_phase::handshake);
  REQUIRE(s.after_send());
  CHECK(s.established());
  CHECK(s.pending() == session_t::pending_action::none);
  s.end_after_send();
  REQUIRE(s.after_send());
  CHECK(s.idle());
  CHECK(s.id() == 0);

  session_t small;
  session_params big = params_384();
  big.hash = crypto::hash_alg::sha512;
  session<policy, 48> s48;
  CHECK(s48.start(p, session_role::requester, 1, big) == errc::unsupported);
  // A failing derivation ends the session (TH1 of the wrong size).
  REQUIRE(small.start(p, session_role::requester, 1, params_384()));
  CHECK(small.derive_handshake(secret48, bytes(47)) == errc::invalid_field);
  CHECK(small.idle());
}

TEST_CASE("session: any record failure ends the session", "[session]") {
  policy p;
  session_t rq, rs;
  pair_up(p, rq, rs);
  bytes r1 = seal_with(rq, app, {});
  bytes r2 = seal_with(rq, app, {});
  SECTION("tampered") {
    r1[12] ^= std::byte{0x80};
    CHECK(rs.open(r1) == errc::decrypt_error);
    CHECK(rs.idle());
    CHECK_FALSE(rs.rx_keys().installed());
  }
  SECTION("replayed") {
    bytes copy = r1;
    REQUIRE(rs.open(r1));
    CHECK(rs.open(copy) == errc::sequence_error);
    CHECK(rs.idle());
  }
  SECTION("out of order") {
    CHECK(rs.open(r2) == errc::sequence_error);
    CHECK(rs.idle());
  }
  SECTION("another session's id") {
    r1[1] = std::byte{0x00};
    CHECK(rs.open(r1) == errc::invalid_field);
    CHECK(rs.idle());
  }
  SECTION("malformed") {
    r1.pop_back();
    CHECK(rs.open(r1) == errc::truncated);
    CHECK(rs.idle());
  }
}

TEST_CASE("session: key update in the libspdm order, and rollback by sequence number", "[session][key_update]") {
  policy p;
  session_t rq, rs;
  pair_up(p, rq, rs);
  // KEY_UPDATE(UpdateAllKeys) under the old request key.
  bytes ku = seal_with(rq, app, {});
  REQUIRE(rs.open(ku));
  REQUIRE(rs.update_rx());
  REQUIRE(rs.update_tx());
  REQUIRE(rq.update_rx());

  SECTION("normal: ACK under the new response key, VerifyNewKey under the new request key") {
    bytes ack = seal_with(rs, app, {});
    CHECK(load_u16le(bytes_view{ack}.subspan(5, 2)) == 0);  // a new key starts at sequence 0
    REQUIRE(rq.open(ack));
    CHECK_FALSE(rq.last_open_rolled_back());
    REQUIRE(rq.update_tx());
    bytes verify = seal_with(rq, app, {});
    REQUIRE(rs.open(verify));
    CHECK_FALSE(rs.last_open_rolled_back());
    rs.commit_update();
    bytes ack2 = seal_with(rs, app, {});
    REQUIRE(rq.open(ack2));
    rq.commit_update();
    CHECK_FALSE(rq.update_pending());
    CHECK_FALSE(rs.update_pending());
    // Both sides agree on the new generation from now on, and a second update works.
    CHECK(hex(rq.key_schedule_ref().data(key_direction::request).key()) ==
          hex(rs.key_schedule_ref().data(key_direction::request).key()));
    REQUIRE(rs.update_rx());
    REQUIRE(rq.update_tx());
    bytes after = seal_with(rq, app, {});
    REQUIRE(rs.open(after));
  }

  SECTION("ACK lost: the requester keeps the old request key; the responder rolls back") {
    rq.rollback_update();  // requester gives up the update it never saw acknowledged
    bytes old_key = seal_with(rq, app, {});  // old request key, counter 2
    CHECK(load_u16le(bytes_view{old_key}.subspan(5, 2)) == 1);
    auto o = rs.open(old_key);
    REQUIRE(o);
    CHECK(rs.last_open_rolled_back());
    CHECK_FALSE(rs.update_pending());
    // The responder answers under its old response key again.
    bytes rsp = seal_with(rs, app, {});
    REQUIRE(rq.open(rsp));
    CHECK(hex(rq.key_schedule_ref().data(key_direction::response).key()) ==
          hex(rs.key_schedule_ref().data(key_direction::response).key()));
  }
}

TEST_CASE("session: heartbeat expiry", "[session]") {
  policy p;
  session_t rq, rs;
  pair_up(p, rq, rs);
  rs.touch(1'000);
  CHECK_FALSE(rs.heartbeat_expired(1'000 + 10'000));  // 2 x 5 s
  CHECK(rs.heartbeat_expired(1'000 + 10'001));
  session_t none;
  auto sp = params_384();
  sp.heartbeat_period = 0;
  REQUIRE(none.start(p, session_role::responder, 1, sp));
  REQUIRE(none.derive_handshake(secret48, th1));
  REQUIRE(none.establish(th2));
  CHECK_FALSE(none.heartbeat_expired(~std::uint64_t{0}));
}

TEST_CASE("session: AEAD limit ends the session", "[session]") {
  policy p;
  session_t rq;
  auto sp = params_384();
  sp.aead_limit = 2;
  REQUIRE(rq.start(p, session_role::requester, 1, sp));
  REQUIRE(rq.derive_handshake(secret48, th1));
  REQUIRE(rq.establish(th2));
  (void)seal_with(rq, app, {});
  (void)seal_with(rq, app, {});
  bytes buf(64);
  std::copy(app.begin(), app.end(), buf.begin() + 11);
  CHECK(rq.seal(buf, app.size()) == errc::session_ended);
  CHECK(rq.idle());
}

TEST_CASE("session table: capacity, ids, end_all", "[session]") {
  policy p;
  session_table<policy, 2> t;
  CHECK(t.active() == 0);
  CHECK(t.free_half(session_role::responder) == 0xFFFF);
  auto* a = t.allocate();
  REQUIRE(a != nullptr);
  REQUIRE(a->start(p, session_role::responder, make_session_id(0x0001, 0xFFFF), params_384()));
  CHECK(t.free_half(session_role::responder) == 0xFFFE);
  CHECK(t.free_half(session_role::requester) == 0xFFFF);
  auto* b = t.allocate();
  REQUIRE(b != nullptr);
  CHECK(b != a);
  REQUIRE(b->start(p, session_role::responder, make_session_id(0x0001, 0xFFFE), params_384()));
  CHECK(t.allocate() == nullptr);
  CHECK(t.active() == 2);
  CHECK(t.find(0xFFFE0001) == b);
  CHECK(t.find(0xFFFF0001) == a);
  CHECK(t.find(0x12345678) == nullptr);
  a->end();
  CHECK(t.find(0xFFFF0001) == nullptr);
  CHECK(t.allocate() == a);
  t.end_all();
  CHECK(t.active() == 0);
  CHECK(req_half(0xFFFE0001) == 0x0001);
  CHECK(rsp_half(0xFFFE0001) == 0xFFFE);
}

TEST_CASE("session parameters from the negotiated connection", "[session]") {
  negotiated n;
  n.ver = version::v1_2;
  n.hash = base_hash::sha256;
  n.aead = aead_suite::chacha20_poly1305;
  n.rsp_caps = rsp_cap::encrypt | rsp_cap::mac | rsp_cap::handshake_in_the_clear;
  n.req_caps = req_cap::encrypt | req_cap::mac | req_cap::handshake_in_the_clear;
  auto sp = session_params_of(n, false, 3);
  REQUIRE(sp);
  CHECK(sp->hash == crypto::hash_alg::sha256);
  CHECK(sp->aead == crypto::aead_alg::chacha20_poly1305);
  CHECK(sp->protection == session_protection::encrypt_and_mac);
  CHECK(sp->handshake_in_the_clear);
  CHECK(sp->version == 0x12);
  CHECK_FALSE(session_params_of(n, true, 3)->handshake_in_the_clear);  // PSK: never in the clear
  n.req_caps = req_cap::mac;
  CHECK(session_params_of(n, false, 0)->protection == session_protection::mac_only);
  n.rsp_caps = rsp_cap::encrypt;
  n.req_caps = req_cap::encrypt;
  CHECK(session_params_of(n, false, 0) == errc::unsupported);  // ENCRYPT without MAC
  n.ver = version::v1_0;
  CHECK(session_params_of(n, false, 0) == errc::invalid_state);
}

namespace {
/// The secrets a live session holds (copies, to look for in memory afterwards).
std::vector<bytes> secrets_of(session_t& s) {
  auto& ks = s.key_schedule_ref();
  std::vector<bytes> v{to_bytes(ks.export_master_secret())};
  for (auto d : {key_direction::request, key_direction::response}) {
    v.push_back(to_bytes(ks.data(d).secret()));
    v.push_back(to_bytes(ks.data(d).key()));
    v.push_back(to_bytes(ks.data(d).iv()));
  }
  return v;
}
std::vector<bytes> handshake_secrets_of(session_t& s) {
  auto& ks = s.key_schedule_ref();
  std::vector<bytes> v{to_bytes(ks.handshake_secret())};  // (the master secret exists only inside establish())
  for (auto d : {key_direction::request, key_direction::response}) {
    v.push_back(to_bytes(ks.finished_key(d)));
    v.push_back(to_bytes(ks.handshake(d).secret()));
    v.push_back(to_bytes(ks.handshake(d).key()));
    v.push_back(to_bytes(ks.handshake(d).iv()));
  }
  return v;
}
/// Whether any of `needles` (each at least 12 bytes, none all-zero) occurs in the bytes of the
/// object at `p` (its own storage: the policy's key handles point to the backend's memory, which
/// the backend frees and wipes itself).
bool memory_holds(const void* p, std::size_t n, const std::vector<bytes>& needles) {
  const auto* b = static_cast<const std::byte*>(p);
  for (const auto& x : needles) {
    REQUIRE(x.size() >= 12);
    REQUIRE(std::any_of(x.begin(), x.end(), [](std::byte c) { return c != std::byte{0}; }));
    if (std::search(b, b + n, x.begin(), x.end()) != b + n) return true;
  }
  return false;
}
}  // namespace

TEST_CASE("session: secrets are gone from the session object after end, errors and destruction", "[session][wipe]") {
  policy p;
  SECTION("handshake secrets after establish, everything after end()") {
    session_t rq, rs;
    REQUIRE(rs.start(p, session_role::responder, 0x1234FFFF, params_384()));
    REQUIRE(rs.derive_handshake(secret48, th1));
    const auto hs = handshake_secrets_of(rs);
    CHECK(memory_holds(&rs, sizeof rs, hs));  // the scan does find them while they live
    REQUIRE(rs.establish(th2));
    CHECK_FALSE(memory_holds(&rs, sizeof rs, hs));
    const auto data = secrets_of(rs);
    CHECK(memory_holds(&rs, sizeof rs, data));
    REQUIRE(rs.update_rx());  // a key update keeps the previous generation until confirmed
    REQUIRE(rs.update_tx());
    auto all = data;
    for (auto& x : secrets_of(rs)) all.push_back(x);
    rs.end();
    CHECK_FALSE(memory_holds(&rs, sizeof rs, all));
    CHECK_FALSE(memory_holds(&rs, sizeof rs, hs));
  }
  SECTION("a record that does not open") {
    session_t rq, rs;
    pair_up(p, rq, rs);
    const auto data = secrets_of(rs);
    bytes r = seal_with(rq, app, {});
    r[12] ^= std::byte{0x01};
    CHECK(rs.open(r) == errc::decrypt_error);
    CHECK_FALSE(memory_holds(&rs, sizeof rs, data));
  }
  SECTION("END_SESSION_ACK sent (deferred end)") {
    session_t rq, rs;
    pair_up(p, rq, rs);
    const auto data = secrets_of(rs);
    rs.end_after_send();
    REQUIRE(rs.after_send());
    CHECK_FALSE(memory_holds(&rs, sizeof rs, data));
  }
  SECTION("destruction") {
    alignas(session_t) std::array<std::byte, sizeof(session_t)> storage{};
    auto* s = new (storage.data()) session_t;
    REQUIRE(s->start(p, session_role::requester, 0x1234FFFF, params_384()));
    REQUIRE(s->derive_handshake(secret48, th1));
    REQUIRE(s->establish(th2));
    const auto data = secrets_of(*s);
    CHECK(memory_holds(storage.data(), storage.size(), data));
    s->~session_t();
    CHECK_FALSE(memory_holds(storage.data(), storage.size(), data));
  }
}
