// SPDX-License-Identifier: Apache-2.0
// pmci::spdm::session_key_schedule against (1) the walk-through of vectors.md §9 and (2) every session of
// every capture in tests/data/vectors: starting from only the logged DHE secret or PSK and the
// logged TH1/TH2, every secret, finished key, key and IV libspdm logged is re-derived, including
// the export master secret and each key update. The ResponderVerifyData carried by
// KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP is recomputed from the derived finished key as well.
// Instantiated per crypto policy (PMCI_KEY_SCHEDULE_SUITE).
#pragma once
#include <set>
#include <string>

#include <optional>

#include "capture.hpp"
#include "policy_suite.hpp"
#include "pmci/spdm/session/key_schedule.hpp"
#include "support/catch.hpp"
#include "test_util.hpp"

namespace pmci::test::crypto {

template <class P>
void key_schedule_walkthrough(P& p) {
  using namespace pmci::crypto;
  using pmci::spdm::key_direction;
  // vectors.md §9 (DERIVED, recomputed independently there): SPDM 1.2, SHA-384, AES-256-GCM,
  // DHE secret 01..30, TH1 = SHA-384("TH1"), TH2 = SHA-384("TH2").
  const bytes th1 = digest_of(p, hash_alg::sha384, ascii("TH1"));
  const bytes th2 = digest_of(p, hash_alg::sha384, ascii("TH2"));
  CHECK(hex(th1) == "af8d1cfcb832e203d945549d67b51a3b050c232655fbb0bf50f84ab0024ec357a775f307b586b0ce4f996fa19fc95593");
  CHECK(hex(th2) == "8732e356525135c9e386c83c91844101a3622eb0a10ba3ac542ffde25f854ce932ff1abe0b0d21a467916cd7b39dade1");
  pmci::spdm::session_key_schedule<P> ks{p, hash_alg::sha384, aead_alg::aes256_gcm, 0x12};
  CHECK(ks.derive_data(th2) == errc::invalid_state);
  REQUIRE(ks.derive_handshake(range(1, 0x31), th1));
  CHECK(hex(ks.handshake_secret()) == "e64174c689bb335160bd24e716e8b2280fd85bf5277d32840aa09af4872a6bfb91d02569cafaa7f3dddfec54b791287a");
  CHECK(hex(ks.handshake(key_direction::request).secret()) == "730d6bccf77ce213bae20b9be7747042dd57e694b17ca25112da42626954a32c3763f8fcb2ff578477353e97877f4d31");
  CHECK(hex(ks.handshake(key_direction::response).secret()) == "18f51f1189eb09075bd837f5672a7a43809ca2ce0d3a1dd77e90402af2c614c07a7aa4dcb650fdf4500f4777e74fb54d");
  CHECK(hex(ks.finished_key(key_direction::request)) == "d09c7941faee0aa4d1961737efa9defe13c74f97728853d3cdef7daa36d72e1331b50c7ba1e98f6981f99f5848c927ba");
  CHECK(hex(ks.finished_key(key_direction::response)) == "7e022c373513518e878c53666a8c015046110253a1c70f54514247839465fc9823c1f3c9ba208da3d2d7fa36756b1748");
  CHECK(hex(ks.handshake(key_direction::request).key()) == "b4c47d1b3bf7090b19cfae4525b68dbca5304dd891d573cd057bc2b90c9aa7f9");
  CHECK(hex(ks.handshake(key_direction::request).iv()) == "eb3f6505c3eaa42ca788317c");
  CHECK(hex(ks.handshake(key_direction::response).key()) == "3038ca5e061987f04890c184a4a1ff3287bf106f3fd9ea9a368a9c01a3f44fe3");
  CHECK(hex(ks.handshake(key_direction::response).iv()) == "89bf3d02059fe5d4b84ac901");
  REQUIRE(ks.derive_data(th2));
  CHECK(hex(ks.master_secret()) == "b747bbb506b52bf55647719786d02c026a93fd6e3d0d248e25f439d4610d5edbd315a600d4613a75d08aa3c1abd32726");
  CHECK(hex(ks.data(key_direction::request).secret()) == "f4ab7139d5207c985fc943e0371d3d5202909027308b3945c4fd1726acdb023a513c53ddb596e002c9b9b6e6d3d7add3");
  CHECK(hex(ks.data(key_direction::response).secret()) == "bb1fe5e9cc58c836be37f33bfd6ece470b3457189bcfc52f481ef03c6a862143c5633d622254eb395b61d865253c0926");
  CHECK(hex(ks.export_master_secret()) == "8d81c5eca7e29585aa1744babbb5adaff6449b010c2c48604404e0da231564ca1aa58016bbc385d2515b255db4a5fe94");
  CHECK(hex(ks.data(key_direction::request).key()) == "0ed85abe13b2ee7aeeffde1bba17206e66b4b6517c8c2ea9f0b6046e9da4cba0");
  CHECK(hex(ks.data(key_direction::request).iv()) == "17df21935607f6b4882837f3");
  const auto before = ks.data(key_direction::request);  // a copy, as a session keeps for rollback
  REQUIRE(ks.update(key_direction::request));
  CHECK(hex(ks.data(key_direction::request).secret()) == "dedf7336af427fcac2521186774d66583b9de31a3d2353d907d6373766de2797a64cbd06d30133feeba79a2827796533");
  CHECK(hex(ks.data(key_direction::response).secret()) == "bb1fe5e9cc58c836be37f33bfd6ece470b3457189bcfc52f481ef03c6a862143c5633d622254eb395b61d865253c0926");
  REQUIRE(ks.restore(key_direction::request, before));
  CHECK(hex(ks.data(key_direction::request).key()) == "0ed85abe13b2ee7aeeffde1bba17206e66b4b6517c8c2ea9f0b6046e9da4cba0");

  // Wrong inputs.
  CHECK(ks.derive_handshake(range(1, 0x31), bytes_view(th1).first(47)) == errc::invalid_field);
  pmci::spdm::session_key_schedule<P> old{p, hash_alg::sha384, aead_alg::aes256_gcm, 0x10};
  CHECK(old.derive_handshake(range(1, 0x31), th1) == errc::unsupported);  // no sessions at 1.0
  pmci::spdm::session_key_schedule<P, 32> small{p, hash_alg::sha384, aead_alg::aes256_gcm, 0x12};
  CHECK(small.derive_handshake(range(1, 0x31), th1) == errc::unsupported);  // sized for SHA-256
  // discard_handshake keeps data keys, wipes the rest; reset wipes all.
  ks.discard_handshake();
  CHECK(ks.handshake_secret()[0] == std::byte{0});
  CHECK(hex(ks.finished_key(key_direction::response)) == hex(bytes(48)));
  CHECK(hex(ks.data(key_direction::request).key()) == "0ed85abe13b2ee7aeeffde1bba17206e66b4b6517c8c2ea9f0b6046e9da4cba0");
  ks.reset();
  CHECK(bytes(ks.data(key_direction::request).key().begin(), ks.data(key_direction::request).key().end()) == bytes(32));
  CHECK(ks.update(key_direction::request) == errc::invalid_state);
}

/// ResponderVerifyData at the end of the KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP of this session, or
/// an empty vector when the response carries none (HANDSHAKE_IN_THE_CLEAR, spdm.md §10.2).
inline bytes exchange_verify_data(const std::vector<spdm_message>& msgs, const negotiated& n, std::size_t session) {
  std::size_t seen = 0;
  for (std::size_t i = 1; i < msgs.size(); ++i) {
    const auto& rsp = msgs[i];
    if (rsp.request || (rsp.code() != code::key_exchange_rsp && rsp.code() != code::psk_exchange_rsp)) continue;
    if (seen++ != session) continue;
    const auto& req = msgs[i - 1];
    const std::size_t h = n.h();
    const std::size_t msh = req.param1() != 0 ? h : 0;  // MeasurementSummaryHash present?
    const bytes& b = rsp.bytes_;
    if (rsp.code() == code::psk_exchange_rsp) {
      // header(4) RspSessionID(2) Reserved(2) ResponderContextLength(2) OpaqueDataLength(2)
      // MeasurementSummaryHash ResponderContext OpaqueData ResponderVerifyData(H)
      const std::size_t ctx = u16le_at(b, 8), opaque = u16le_at(b, 10);
      REQUIRE(b.size() == 12 + msh + ctx + opaque + h);
    } else {
      // header(4) RspSessionID(2) MutAuth(1) ReqSlot(1) Random(32) ExchangeData(D) MSH
      // OpaqueDataLength(2) OpaqueData Signature(S) [ResponderVerifyData(H)]
      const std::size_t at = 40 + pmci::crypto::dhe_public_key_size(*n.dhe) + msh;
      const std::size_t base = at + 2 + u16le_at(b, at) + n.s();
      REQUIRE((b.size() == base || b.size() == base + h));
      if (b.size() == base) return {};
    }
    return bytes(b.end() - static_cast<std::ptrdiff_t>(h), b.end());
  }
  FAIL("no exchange response for session " << session);
  return {};
}


/// Rebuild TH1/TH2 of session `si` from the plain messages and check them against the logged
/// values, and check every verify data the plain messages carry against HMACs with the derived
/// finished keys. Returns the number of verify data checked.
///   DHE (handshake in the clear): TH = A ‖ [D (1.3+)] ‖ Hash(cert chain) ‖ KEY_EXCHANGE ‖
///   KEY_EXCHANGE_RSP ‖ [Hash(requester chain) if mutual] ‖ FINISH ‖ FINISH_RSP.
///   PSK: TH1 = A ‖ PSK_EXCHANGE ‖ PSK_EXCHANGE_RSP without its verify data (PSK_FINISH is
///   encrypted, so TH2 is not rebuilt here).
template <class P, class KS>
int session_transcript_checks(P& p, const KS& ks, const std::vector<spdm_message>& msgs, const negotiated& n,
                              std::size_t si, const pmci::test::captured_session& s) {
  using namespace pmci::crypto;
  using pmci::spdm::key_direction;
  const std::size_t h = n.h();
  // Locate this session's exchange.
  std::size_t rsp_at = 0, seen = 0;
  for (std::size_t i = 1; i < msgs.size(); ++i) {
    if (!msgs[i].request && (msgs[i].code() == code::key_exchange_rsp || msgs[i].code() == code::psk_exchange_rsp) &&
        seen++ == si) {
      rsp_at = i;
      break;
    }
  }
  REQUIRE(rsp_at != 0);
  const spdm_message& ex = msgs[rsp_at - 1];
  const spdm_message& ex_rsp = msgs[rsp_at];
  typename P::hash_state th;
  REQUIRE(p.hash_init(th, n.hash));
  for (std::size_t i = 0; i < 6; ++i) REQUIRE(p.hash_update(th, msgs[i].view()));  // A = VCA
  auto th_value = [&](typename P::hash_state copy) {  // fork: the running state continues
    bytes d(h);
    REQUIRE(p.hash_final(copy, d));
    return d;
  };
  auto check_mac = [&](key_direction dir, const bytes& transcript_hash, pmci::bytes_view carried) {
    bytes mac(h);
    REQUIRE(ks.verify_data(dir, transcript_hash, mac));
    CHECK(hex(mac) == hex(carried));
  };
  if (ex_rsp.code() == code::psk_exchange_rsp) {
    const bytes rvd = exchange_verify_data(msgs, n, si);
    REQUIRE(p.hash_update(th, ex.view()));
    REQUIRE(p.hash_update(th, ex_rsp.view().first(ex_rsp.bytes_.size() - h)));
    const bytes th1 = th_value(th);
    CHECK(hex(th1) == hex(s.at("th1")));
    check_mac(key_direction::response, th1, rvd);
    return 1;
  }
  REQUIRE(exchange_verify_data(msgs, n, si).empty());  // in the clear: verify data moves to FINISH_RSP
  // [D]: the last DIGESTS response before KEY_EXCHANGE, at 1.3+ where multi-key is in effect.
  if (n.version >= 0x13) {
    const spdm_message* d = nullptr;
    for (std::size_t i = 0; i < rsp_at; ++i)
      if (!msgs[i].request && msgs[i].code() == code::digests) d = &msgs[i];
    REQUIRE(d != nullptr);
    REQUIRE(p.hash_update(th, d->view()));
  }
  // Ct = Hash(certificate chain of the slot named by KEY_EXCHANGE Param2).
  const spdm_message* cert = nullptr;
  for (std::size_t i = 0; i < rsp_at && cert == nullptr; ++i)
    if (!msgs[i].request && msgs[i].code() == code::certificate && (msgs[i].param1() & 0x0F) == ex.param2()) cert = &msgs[i];
  REQUIRE(cert != nullptr);
  REQUIRE(p.hash_update(th, digest_of(p, n.hash, certificate_chain(*cert))));
  REQUIRE(p.hash_update(th, ex.view()));
  REQUIRE(p.hash_update(th, ex_rsp.view()));
  CHECK(hex(th_value(th)) == hex(s.at("th1")));
  // FINISH and FINISH_RSP follow (encapsulated mutual-auth messages in between are not in TH).
  std::size_t fin_at = rsp_at + 1;
  while (fin_at < msgs.size() && msgs[fin_at].code() != code::finish) ++fin_at;
  REQUIRE(fin_at + 1 < msgs.size());
  const spdm_message& fin = msgs[fin_at];
  const spdm_message& fin_rsp = msgs[fin_at + 1];
  if (fin.param1() & 0x01) {  // signature included: mutual auth adds CM = Hash(requester chain)
    std::optional<spdm_message> req_cert;
    for (std::size_t i = rsp_at; i < fin_at; ++i) {
      if (!msgs[i].request || msgs[i].code() != code::deliver_encapsulated_response) continue;
      if (auto inner = encapsulated_inner(msgs[i]); inner.code() == code::certificate) req_cert = inner;
    }
    REQUIRE(req_cert.has_value());
    REQUIRE(p.hash_update(th, digest_of(p, n.hash, certificate_chain(*req_cert))));
  }
  REQUIRE(p.hash_update(th, fin.view().first(fin.bytes_.size() - h)));
  check_mac(key_direction::request, th_value(th), fin.view().last(h));
  REQUIRE(p.hash_update(th, fin.view().last(h)));
  REQUIRE(fin_rsp.code() == 0x65);
  REQUIRE(p.hash_update(th, fin_rsp.view().first(fin_rsp.bytes_.size() - h)));
  check_mac(key_direction::response, th_value(th), fin_rsp.view().last(h));
  REQUIRE(p.hash_update(th, fin_rsp.view().last(h)));
  CHECK(hex(th_value(th)) == hex(s.at("th2")));
  return 2;
}

template <class P>
void key_schedule_captures(P& p) {
  using namespace pmci::crypto;
  using pmci::spdm::key_direction;
  std::size_t sessions_checked = 0, values_checked = 0, verify_data_checked = 0;
  for (const auto& capture : pmci::test::capture_names()) {
    const auto sessions = pmci::test::load_sessions(capture);
    if (sessions.empty()) continue;
    const auto msgs = plain_messages(capture);
    const negotiated n = negotiation(msgs);
    REQUIRE(n.aead);
    for (std::size_t si = 0; si < sessions.size(); ++si) {
      const auto& s = sessions[si];
      INFO(capture << " session " << si + 1);
      if (!P::hashes.contains(n.hash) || !P::aeads.contains(*n.aead)) continue;
      std::set<std::string> seen;
      auto expect = [&](const std::string& name, bytes_view got) {
        if (!s.has(name)) return;
        INFO(name);
        CHECK(hex(got) == hex(s.at(name)));
        seen.insert(name);
        ++values_checked;
      };
      const bool psk = s.has("psk");
      pmci::spdm::session_key_schedule<P> ks{p, n.hash, *n.aead, n.version};
      REQUIRE(ks.derive_handshake(s.at(psk ? "psk" : "dhe_secret"), s.at("th1"), psk));
      seen.insert({psk ? "psk" : "dhe_secret", "th1", "th2"});
      expect("handshake_secret", ks.handshake_secret());
      for (auto [d, name] : {std::pair{key_direction::request, std::string("request")},
                             std::pair{key_direction::response, std::string("response")}}) {
        expect(name + "_handshake_secret", ks.handshake(d).secret());
        expect(name + "_finished_key", ks.finished_key(d));
        expect(name + "_handshake_key", ks.handshake(d).key());
        expect(name + "_handshake_iv", ks.handshake(d).iv());
      }
      // The verify data the capture carries, recomputed from the derived finished keys over the
      // transcript hashes rebuilt from the plain messages (spdm.md §15).
      verify_data_checked += session_transcript_checks(p, ks, msgs, n, si, s);
      REQUIRE(ks.derive_data(s.at("th2")));
      expect("master_secret", ks.master_secret());
      expect("export_master_secret", ks.export_master_secret());
      for (auto [d, name] : {std::pair{key_direction::request, std::string("request")},
                             std::pair{key_direction::response, std::string("response")}}) {
        expect(name + "_data_secret", ks.data(d).secret());
        expect(name + "_data_key", ks.data(d).key());
        expect(name + "_data_iv", ks.data(d).iv());
        for (int u = 1; s.has(name + "_data_key_update" + std::to_string(u)); ++u) {
          REQUIRE(ks.update(d));
          const std::string suffix = "_update" + std::to_string(u);
          expect(name + "_data_secret" + suffix, ks.data(d).secret());
          expect(name + "_data_key" + suffix, ks.data(d).key());
          expect(name + "_data_iv" + suffix, ks.data(d).iv());
        }
      }
      // Every value libspdm logged for this session was re-derived.
      for (const auto& [name, value] : s.values) {
        INFO("not re-derived: " << name);
        CHECK(seen.count(name) == 1);
      }
      ++sessions_checked;
    }
  }
  // 2 sessions in each of the 1.1, 1.2 (ChaCha20), 1.3 and mutual-auth captures, 1 PSK session.
  INFO("sessions " << sessions_checked << ", values " << values_checked << ", verify data " << verify_data_checked);
  CHECK(sessions_checked >= 1);
  if (P::hashes.contains(hash_alg::sha384) && P::aeads.contains(aead_alg::chacha20_poly1305)) {
    CHECK(sessions_checked == 9);
    // 8 KEY_EXCHANGE sessions (all in the clear: RequesterVerifyData in FINISH and
    // ResponderVerifyData in FINISH_RSP) and the PSK session's PSK_EXCHANGE_RSP.
    CHECK(verify_data_checked == 17);
  }
}

}  // namespace pmci::test::crypto

#define PMCI_KEY_SCHEDULE_SUITE(NAME, TYPE)                                                              \
  TEST_CASE(NAME ": key schedule walk-through (vectors.md 9)") {                                         \
    TYPE p;                                                                                              \
    pmci::test::crypto::key_schedule_walkthrough(p);                                                     \
  }                                                                                                      \
  TEST_CASE(NAME ": key schedule re-derives every captured session") {                                   \
    TYPE p;                                                                                              \
    pmci::test::crypto::key_schedule_captures(p);                                                        \
  }
