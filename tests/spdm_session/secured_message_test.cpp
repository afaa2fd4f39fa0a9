// SPDX-License-Identifier: Apache-2.0
// The DSP0277 record layer (pmci/spdm/session/secured_message.hpp):
//  * the published AEAD vectors of vectors.md §8 (libspdm encode_decode.c, 8-byte sequence number,
//    LE and BE nonce) and the MCTP-framed records of §8.1;
//  * every secured record of every capture in tests/data/vectors: keys derived from the logged
//    DHE secret / PSK and TH1/TH2 with the key schedule, each record opened in place, its inner
//    message decoded with the dispatcher, and the plaintext sealed again with the same keys and
//    the captured padding to the identical bytes;
//  * MAC-only records and every rejection path.
#include "pmci/spdm/session/secured_message.hpp"

#include <map>
#include <optional>

#include "pmci/crypto/openssl.hpp"
#include "pmci/spdm/message.hpp"
#include "pmci/spdm/session/key_schedule.hpp"
#include "session_test_util.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::session_test;
using crypto::aead_alg;
using policy = crypto::openssl;

namespace {

// vectors.md §8: libspdm's test transport (no type byte, 8-byte sequence number).
constexpr secured_binding test_binding{.type_byte = false, .message_type = 0, .sequence_number_size = 8, .max_random = 32};
const bytes vec_key = hx("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const bytes vec_iv = hx("00020406080a0c0e10121416");

bytes seal_vector(policy& p, const secured_layout& l, sequence_nonce enc, std::uint64_t seq, const bytes& app) {
  record_keys<policy> k;
  REQUIRE(k.install(p, aead_alg::aes256_gcm, vec_key, vec_iv, enc));
  k.set_sequence(seq);
  bytes buf(l.record_size(app.size()) + 7);  // a larger buffer: seal returns the record's span
  std::copy(app.begin(), app.end(), buf.begin() + static_cast<std::ptrdiff_t>(l.app_offset()));
  auto r = seal(p, k, l, 0x00112233, buf, app.size());
  REQUIRE(r);
  CHECK(k.sequence() == seq + 1);
  return to_bytes(*r);
}

bytes open_vector(policy& p, const secured_layout& l, sequence_nonce enc, std::uint64_t seq, bytes record) {
  record_keys<policy> k;
  REQUIRE(k.install(p, aead_alg::aes256_gcm, vec_key, vec_iv, enc));
  k.set_sequence(seq);
  auto r = open(p, k, l, record);
  REQUIRE(r);
  CHECK(r->session_id == 0x00112233u);
  CHECK(r->padding.empty());
  CHECK(k.sequence() == seq + 1);
  return to_bytes(r->app);
}

}  // namespace

TEST_CASE("secured record: libspdm AEAD vectors (vectors.md 8)", "[session][secured]") {
  policy p;
  const secured_layout l{test_binding, session_protection::encrypt_and_mac};
  CHECK(l.header_size() == 14);
  CHECK(l.app_offset() == 16);
  const bytes app = hx("000102030405060708090a0b0c0d0e0f");
  struct vec {
    std::uint64_t seq;
    sequence_nonce enc;
    const char* seq_field;
    const char* ct;
    const char* tag;
  };
  for (const vec& v : {vec{0, sequence_nonce::little_endian, "0000000000000000", "9bfed3b7043d3286603d861733d67f959a20",
                           "3d4fac58cb706cf5a0270af673f0fe36"},
                       vec{0xaa55aa55aa55aa55ull, sequence_nonce::little_endian, "55aa55aa55aa55aa",
                           "0dea75eac691374994975263f8c08f6c1aa4", "0dcdb48ad6fa240479d5d8d2fe281914"},
                       vec{0xaa55aa55aa55aa55ull, sequence_nonce::big_endian, "55aa55aa55aa55aa",
                           "f64d6b94377a186101cefea08d91798a8988", "b68ed3064a957089d4d8b9029e9d720b"}}) {
    INFO("seq " << v.seq);
    const bytes expected = hx(std::string("33221100") + v.seq_field + "2200" + v.ct + v.tag);
    CHECK(hex(seal_vector(p, l, v.enc, v.seq, app)) == hex(expected));
    CHECK(hex(open_vector(p, l, v.enc, v.seq, expected)) == hex(app));
  }
}

TEST_CASE("secured record: MCTP framing of the vectors.md 8 keys (vectors.md 8.1)", "[session][secured]") {
  policy p;
  const secured_layout l{};  // MCTP, encrypted
  CHECK(l.header_size() == 9);
  CHECK(l.app_offset() == 11);
  CHECK(l.overhead() == 27);
  const bytes heartbeat = hx("0512e80000");  // MCTP type SPDM + HEARTBEAT v1.2
  const bytes seq0 = hx("0633221100000017008efed6a4ee3e3669abb20581b2405eb3690fc2d95b3748");
  const bytes seq1 = hx("063322110001001700e11993cf2c7b5a83c04621ccb18f8908474783b28fefce");
  CHECK(hex(seal_vector(p, l, sequence_nonce::little_endian, 0, heartbeat)) == hex(seq0));
  CHECK(hex(seal_vector(p, l, sequence_nonce::little_endian, 1, heartbeat)) == hex(seq1));
  CHECK(hex(open_vector(p, l, sequence_nonce::little_endian, 0, seq0)) == hex(heartbeat));
  CHECK(hex(open_vector(p, l, sequence_nonce::little_endian, 1, seq1)) == hex(heartbeat));
  // The 16-bit field carries the low bits of the 64-bit counter; the nonce uses all of it.
  const bytes far = seal_vector(p, l, sequence_nonce::little_endian, 0x10001, heartbeat);
  CHECK(hex(bytes(far.begin() + 5, far.begin() + 7)) == "0100");
  CHECK(hex(open_vector(p, l, sequence_nonce::little_endian, 0x10001, far)) == hex(heartbeat));
  auto h = secured_header::decode(far, l);
  REQUIRE(h);
  CHECK(h->session_id == 0x00112233u);
  CHECK(h->sequence_number == 1);
  CHECK(h->length == 0x17);
  CHECK(h->size == 9);
  CHECK(secured_header::session_of(far).value() == 0x00112233u);
}

TEST_CASE("secured record: padding, MAC-only records and rejections", "[session][secured]") {
  policy p;
  const bytes app = hx("0512e80000");
  const bytes pad = hx("a1a2a3a4a5");
  record_keys<policy> tx, rx;
  REQUIRE(tx.install(p, aead_alg::chacha20_poly1305, vec_key, vec_iv));
  REQUIRE(rx.install(p, aead_alg::chacha20_poly1305, vec_key, vec_iv));

  SECTION("padding is encrypted and returned") {
    const secured_layout l{};
    bytes buf(64);
    std::copy(app.begin(), app.end(), buf.begin() + 11);
    auto r = seal(p, tx, l, 0xFFFFFFFF, buf, app.size(), pad);
    REQUIRE(r);
    CHECK(r->size() == l.record_size(app.size(), pad.size()));
    bytes rec = to_bytes(*r);
    auto o = open(p, rx, l, rec);
    REQUIRE(o);
    CHECK(hex(o->app) == hex(app));
    CHECK(hex(o->padding) == hex(pad));
    CHECK(o->app.data() == rec.data() + 11);  // in place
    // Too much padding for the binding.
    CHECK(seal(p, tx, l, 1, buf, app.size(), bytes(33)) == errc::invalid_field);
  }

  SECTION("MAC-only: application data in the clear, tag over header and data") {
    const secured_layout l{mctp_secured_binding, session_protection::mac_only};
    CHECK(l.app_offset() == 9);
    bytes buf(l.record_size(app.size()));
    std::copy(app.begin(), app.end(), buf.begin() + 9);
    CHECK(seal(p, tx, l, 7, buf, app.size(), pad) == errc::invalid_field);  // no padding in MAC-only
    auto r = seal(p, tx, l, 7, buf, app.size());
    REQUIRE(r);
    CHECK(hex(r->subspan(9, app.size())) == hex(app));
    CHECK(load_u16le(r->subspan(7, 2)) == app.size() + 16);
    bytes rec = to_bytes(*r);
    bytes tampered = rec;
    tampered[10] ^= std::byte{1};  // the clear data is authenticated
    record_keys<policy> rx2;
    REQUIRE(rx2.install(p, aead_alg::chacha20_poly1305, vec_key, vec_iv));
    CHECK(open(p, rx2, l, tampered) == errc::decrypt_error);
    CHECK(rx2.sequence() == 0);  // a failed record does not advance the counter
    auto o = open(p, rx2, l, rec);
    REQUIRE(o);
    CHECK(hex(o->app) == hex(app));
    // An encrypted-session receiver does not accept it (the tag differs).
    bytes rec_again = to_bytes(*r);
    CHECK(open(p, rx, secured_layout{}, rec_again) == errc::decrypt_error);
  }

  SECTION("sequence numbers: replay and reorder are rejected before decryption") {
    const secured_layout l{};
    std::vector<bytes> recs;
    for (int i = 0; i < 3; ++i) {
      bytes buf(64);
      std::copy(app.begin(), app.end(), buf.begin() + 11);
      recs.push_back(to_bytes(*seal(p, tx, l, 9, buf, app.size())));
    }
    bytes r0 = recs[0], r1 = recs[1], r2 = recs[2];
    CHECK(open(p, rx, l, r1) == errc::sequence_error);  // out of order
    CHECK(open(p, rx, l, r0));
    bytes replay = recs[0];
    CHECK(open(p, rx, l, replay) == errc::sequence_error);
    CHECK(open(p, rx, l, r1));
    // Rewriting the sequence field to the expected value does not help: the AAD and nonce differ.
    bytes forged = recs[0];
    forged[5] = std::byte{2};
    CHECK(open(p, rx, l, forged) == errc::decrypt_error);
    CHECK(open(p, rx, l, r2));
  }

  SECTION("malformed records") {
    const secured_layout l{};
    bytes buf(64);
    std::copy(app.begin(), app.end(), buf.begin() + 11);
    bytes rec = to_bytes(*seal(p, tx, l, 9, buf, app.size()));
    for (std::size_t n = 0; n < rec.size(); ++n) {
      bytes cut(rec.begin(), rec.begin() + static_cast<std::ptrdiff_t>(n));
      const auto r = open(p, rx, l, cut);
      CHECK((r == errc::truncated || r == errc::invalid_field));
    }
    bytes longer = rec;
    longer.push_back(std::byte{0});
    CHECK(open(p, rx, l, longer) == errc::trailing_data);
    bytes wrong_type = rec;
    wrong_type[0] = std::byte{0x05};
    CHECK(open(p, rx, l, wrong_type) == errc::invalid_field);
    bytes tiny = hx("06ffffffff0000" "0f00") ;  // Length 15 < tag
    tiny.resize(tiny.size() + 15);
    CHECK(open(p, rx, l, tiny) == errc::invalid_field);
    CHECK(secured_header::session_of(hx("06ffff")) == errc::truncated);
    // An authenticated record whose AppDataLength exceeds its plaintext.
    bytes pt = hx("ff00") ;
    pt.insert(pt.end(), app.begin(), app.end());
    bytes hand = hx("06ffffffff0000");
    hand.push_back(static_cast<std::byte>(pt.size() + 16));
    hand.push_back(std::byte{0});
    std::array<std::byte, 12> nonce{};
    rx.nonce(rx.sequence(), nonce);
    bytes ct(pt.size() + 16);
    REQUIRE(p.aead_seal(rx.key(), nonce, bytes_view(hand).subspan(1, 8), pt, ct));
    hand.insert(hand.end(), ct.begin(), ct.end());
    CHECK(open(p, rx, l, hand) == errc::invalid_field);
    // Buffers and keys.
    record_keys<policy> none;
    CHECK(seal(p, none, l, 1, buf, 5) == errc::invalid_state);
    CHECK(open(p, none, l, rec) == errc::invalid_state);
    bytes small(l.record_size(5) - 1);
    CHECK(seal(p, tx, l, 1, small, 5) == errc::buffer_too_small);
    bytes huge(0x10000 + 64);
    CHECK(seal(p, tx, l, 1, huge, 0x10000) == errc::out_of_range);
    CHECK(none.install(p, aead_alg::aes256_gcm, vec_key, bytes(11)) == errc::invalid_field);
    CHECK_FALSE(none.installed());
    CHECK(none.install(p, aead_alg::aes256_gcm, bytes(16), vec_iv) == errc::invalid_field);
  }

  SECTION("the counter never wraps; an AEAD limit ends the key earlier") {
    const secured_layout l{};
    bytes buf(64);
    tx.set_sequence(0xFFFFFFFFFFFFFFFEull);
    std::copy(app.begin(), app.end(), buf.begin() + 11);
    REQUIRE(seal(p, tx, l, 1, buf, app.size()));
    CHECK(tx.exhausted());
    CHECK(seal(p, tx, l, 1, buf, app.size()) == errc::session_ended);
    rx.set_limit(2);
    for (int i = 0; i < 2; ++i) {
      record_keys<policy> t;
      REQUIRE(t.install(p, aead_alg::chacha20_poly1305, vec_key, vec_iv));
      t.set_sequence(static_cast<std::uint64_t>(i));
      std::copy(app.begin(), app.end(), buf.begin() + 11);
      bytes rec = to_bytes(*seal(p, t, l, 1, buf, app.size()));
      REQUIRE(open(p, rx, l, rec));
    }
    record_keys<policy> t;
    REQUIRE(t.install(p, aead_alg::chacha20_poly1305, vec_key, vec_iv));
    t.set_sequence(2);
    std::copy(app.begin(), app.end(), buf.begin() + 11);
    bytes rec = to_bytes(*seal(p, t, l, 1, buf, app.size()));
    CHECK(open(p, rx, l, rec) == errc::session_ended);
  }

  SECTION("clear() wipes") {
    tx.clear();
    CHECK_FALSE(tx.installed());
    std::array<std::byte, 12> n{};
    tx.nonce(0, n);
    CHECK(hex(n) == "000000000000000000000000");
  }
}

// ---------------------------------------------------------------------------------------------
// Every secured record of every capture.

namespace {

struct capture_keys {
  std::optional<session_key_schedule<policy>> ks;
  record_keys<policy> req, rsp;  // the keys each direction uses now
  bool data = false;
  bool pending_req_update = false;
};

struct capture_stats {
  int records = 0, reencrypted = 0, spdm_inner = 0, other_inner = 0, sessions = 0, key_updates = 0;
  std::map<code, int> codes;
};

void install(policy& p, record_keys<policy>& k, aead_alg a, const session_key_schedule<policy>::keys& src) {
  REQUIRE(k.install(p, a, src.key(), src.iv()));
}

void walk_secured(const std::string& capture, capture_stats& st) {
  policy p;
  const auto sessions = pmci::test::load_sessions(capture);
  negotiated n;
  header last_request{};
  capture_keys cur;
  std::size_t next_session = 0;
  for (const auto& m : pmci::test::load_messages(capture)) {
    INFO(capture << " #" << m.index);
    REQUIRE(!m.bytes.empty());
    const auto type = std::to_integer<std::uint8_t>(m.bytes[0]);
    if (type == mctp_type_spdm) {
      const bytes_view spdm = bytes_view{m.bytes}.subspan(1);
      const auto h = header::decode(spdm);
      REQUIRE(h);
      if (m.request) last_request = *h;
      auto d = decode(spdm, n, m.request ? response_context{} : response_context::answering(last_request));
      if (d) update(n, *d);
      const code c = h->request_response_code;
      if (c == code::key_exchange_rsp || c == code::psk_exchange_rsp) {
        REQUIRE(next_session < sessions.size());
        const auto& s = sessions[next_session++];
        ++st.sessions;
        const bool psk = c == code::psk_exchange_rsp;
        cur.ks.reset();
        cur.ks.emplace(p, hash_of(n.hash), aead_of(n.aead), to_byte(n.ver));
        REQUIRE(cur.ks->derive_handshake(s.at(psk ? "psk" : "dhe_secret"), s.at("th1"), psk));
        install(p, cur.req, aead_of(n.aead), cur.ks->handshake(key_direction::request));
        install(p, cur.rsp, aead_of(n.aead), cur.ks->handshake(key_direction::response));
        CHECK(hex(cur.ks->handshake(key_direction::request).key()) == hex(s.at("request_handshake_key")));
        REQUIRE(cur.ks->derive_data(s.at("th2")));
        cur.data = false;
        cur.pending_req_update = false;
      }
      if (c == code::finish_rsp) {  // handshake in the clear: data keys from here on
        install(p, cur.req, aead_of(n.aead), cur.ks->data(key_direction::request));
        install(p, cur.rsp, aead_of(n.aead), cur.ks->data(key_direction::response));
        cur.data = true;
      }
      continue;
    }
    REQUIRE(type == mctp_type_secured_spdm);
    REQUIRE(cur.ks.has_value());
    ++st.records;
    record_keys<policy>& keys = m.request ? cur.req : cur.rsp;
    const std::uint64_t seq = keys.sequence();
    bytes rec = m.bytes;
    auto o = open(p, keys, secured_layout{}, rec);
    REQUIRE(o);
    CHECK(o->session_id == 0xFFFFFFFFu);  // spdm-emu picks 0xFFFF for both halves
    CHECK(!o->padding.empty());           // libspdm pads 1..32 bytes
    CHECK(o->padding.size() <= 32);
    CHECK(o->app.data() == rec.data() + 11);

    // Re-encrypt: the same keys at the same counter and the captured padding reproduce the record.
    {
      const auto& src = !cur.data ? cur.ks->handshake(m.request ? key_direction::request : key_direction::response)
                                  : cur.ks->data(m.request ? key_direction::request : key_direction::response);
      record_keys<policy> again;
      REQUIRE(again.install(p, aead_of(n.aead), src.key(), src.iv()));
      again.set_sequence(seq);
      bytes buf(m.bytes.size());
      std::copy(o->app.begin(), o->app.end(), buf.begin() + 11);
      auto sealed = seal(p, again, secured_layout{}, o->session_id, buf, o->app.size(), o->padding);
      REQUIRE(sealed);
      CHECK(hex(*sealed) == hex(m.bytes));
      if (hex(*sealed) == hex(m.bytes)) ++st.reencrypted;
    }

    // The inner message: an MCTP message; SPDM ones go through the dispatcher.
    REQUIRE(!o->app.empty());
    if (std::to_integer<std::uint8_t>(o->app[0]) != mctp_type_spdm) {
      ++st.other_inner;
      continue;
    }
    const bytes_view spdm = o->app.subspan(1);
    const auto h = header::decode(spdm);
    REQUIRE(h);
    if (m.request) last_request = *h;
    const response_context ctx = m.request ? response_context{} : response_context::answering(last_request);
    auto d = decode(spdm, n, ctx, m.request ? direction::request : direction::response);
    INFO(name(h->request_response_code));
    REQUIRE(d);
    ++st.spdm_inner;
    const code c = code_of(*d);
    ++st.codes[c];
    // Re-encode: the decoded view gives back the same bytes.
    bytes out(spdm.size() + 64);
    writer w{out};
    REQUIRE(encode(w, *d, n, ctx));
    CHECK(hex(w.written()) == hex(spdm));

    // What the message does to the keys (secured.md §3.4, §4).
    if (c == code::psk_finish_rsp || c == code::finish_rsp) {
      install(p, cur.req, aead_of(n.aead), cur.ks->data(key_direction::request));
      install(p, cur.rsp, aead_of(n.aead), cur.ks->data(key_direction::response));
      cur.data = true;
    } else if (c == code::key_update) {
      const auto op = h->param1;  // KeyOperation (spdm.md §10.5)
      if (op == 2) {              // UpdateAllKeys: the ACK already uses the new response key
        REQUIRE(cur.ks->update(key_direction::response));
        install(p, cur.rsp, aead_of(n.aead), cur.ks->data(key_direction::response));
      }
      if (op != 3) cur.pending_req_update = true;  // not VerifyNewKey
      ++st.key_updates;
    } else if (c == code::key_update_ack && cur.pending_req_update) {
      REQUIRE(cur.ks->update(key_direction::request));  // the requester switches after the ACK
      install(p, cur.req, aead_of(n.aead), cur.ks->data(key_direction::request));
      cur.pending_req_update = false;
    }
  }
  CHECK(next_session == sessions.size());
}

}  // namespace

TEST_CASE("secured record: every captured record decrypts, decodes and re-encrypts identically", "[session][secured][capture]") {
  capture_stats st;
  for (const auto& capture : pmci::test::capture_names()) walk_secured(capture, st);
  INFO("records " << st.records << ", sessions " << st.sessions);
  // 2 KEY_EXCHANGE sessions in each of four captures (10 records each) + 1 PSK session (10).
  CHECK(st.sessions == 9);
  CHECK(st.records == 90);
  CHECK(st.reencrypted == st.records);
  CHECK(st.spdm_inner + st.other_inner == st.records);
  for (code c : {code::heartbeat, code::heartbeat_ack, code::key_update, code::key_update_ack, code::get_measurements,
                 code::measurements, code::end_session, code::end_session_ack, code::psk_finish, code::psk_finish_rsp}) {
    INFO(name(c));
    CHECK(st.codes[c] > 0);
  }
  CHECK(st.key_updates == 2 * 9);  // UpdateAllKeys + VerifyNewKey per session
}
