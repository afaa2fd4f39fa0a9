// SPDX-License-Identifier: Apache-2.0
// The session responder reads KEY_EXCHANGE, PSK_EXCHANGE, FINISH and PSK_FINISH in place (fixed
// offsets after one exact-length check) instead of through the codecs' decode(): these tests hold
// the two exchange requests to decode(). Requests are random mutations of valid ones (lengths,
// every byte after the code byte); the reference is decode() of the same bytes, i.e. what the
// responder did before:
//   * decode() rejects  -> ERROR InvalidRequest, and no session slot is taken;
//   * the valid request -> the exchange response.
// (FINISH / PSK_FINISH: their in-place reading is covered by every session test and the
// spdm_session / secured_message fuzzers.) HEARTBEAT, KEY_UPDATE and END_SESSION, read in place
// by one handler, are held to their decode() the same way inside an established session.
#include <algorithm>
#include <array>
#include <memory>
#include <random>
#include <vector>

#include "pmci/crypto/openssl.hpp"
#include "pmci/spdm/key_exchange.hpp"
#include "pmci/spdm/psk.hpp"
#include "pmci/spdm/requester.hpp"
#include "pmci/spdm/responder.hpp"
#include "pmci/spdm/session/requester_session.hpp"
#include "pmci/spdm/session/responder_session.hpp"
#include "pmci/transport/loopback.hpp"
#include "session_test_util.hpp"
#include "session_world.hpp"
#include "spdm_engines/harness.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::session_test;
using policy = crypto::openssl;

namespace {

using rsp_cfg = rsp_config<version::v1_3, base_hash::sha384, base_asym::ecdsa_p384, dhe_group::secp384r1,
                           aead_suite::aes_256_gcm, false>;
using responder_t = responder<rsp_cfg, policy, session_device<policy>>;
using sresponder_t = session_responder<responder_t, policy, session_device<policy>, session_config<false>>;
using requester_t = requester<req_config<false>, policy>;
using srequester_t = session_requester<requester_t, policy, session_config<false>>;

/// A random mutation of `valid` (an MCTP message: type byte, then SPDM): the type, version and
/// code bytes stay; the length may change by a few bytes; some other bytes get random values.
bytes mutate(const bytes& valid, std::mt19937& rng) {
  bytes m = valid;
  const int mode = static_cast<int>(rng() % 4);
  if (mode == 1) m.resize(m.size() + rng() % 6, std::byte{static_cast<std::uint8_t>(rng())});
  if (mode == 2) m.resize(m.size() - 1 - rng() % 6);
  if (mode != 0) {
    const auto flips = 1 + rng() % 3;
    for (std::size_t i = 0; i < flips; ++i) {
      // Mostly the fixed fields (params, lengths, policy, reserved), sometimes anywhere.
      const std::size_t span = rng() % 2 ? 10 : m.size() - 3;
      const std::size_t at = 3 + rng() % std::min(span, m.size() - 3);
      const std::uint8_t v = static_cast<std::uint8_t>(rng() % 3 == 0 ? rng() % 8 : rng() % 2 ? 1u << (rng() % 8) : rng());
      m[at] = std::byte{v};
    }
  }
  return m;
}

struct world {
  policy rsp_crypto, req_crypto;
  session_device<policy> dev;
  const pmci::test::pki& keys = pmci::test::pki_for(base_asym::ecdsa_p384);
  std::unique_ptr<responder_t> rsp = std::make_unique<responder_t>(rsp_crypto, dev);
  std::unique_ptr<sresponder_t> sr = std::make_unique<sresponder_t>(*rsp, rsp_crypto, dev);
  std::unique_ptr<requester_t> req = std::make_unique<requester_t>(req_crypto);
  std::unique_ptr<srequester_t> sq = std::make_unique<srequester_t>(*req, req_crypto);
  copying_handler<sresponder_t> h{sr.get()};
  transport::loopback<copying_handler<sresponder_t>> link{h};

  world() {
    dev.chains[0] = keys.chain;
    dev.keys[0] = pmci::test::load_key(rsp_crypto, keys);
    dev.has_key[0] = true;
    dev.set_blocks(pmci::test::sample_blocks(48));
    const std::array<bytes_view, 1> anchors{keys.ca};
    auto tap = sq->tap(link);
    REQUIRE(req->connect(tap));
    REQUIRE(req->get_digests(tap));
    REQUIRE(req->get_certificate(tap, 0, anchors));
  }

  /// The responder's answer to an MCTP message m (type byte first).
  bytes answer(const bytes& m) {
    bytes rx = m, out(1024);
    auto r = sr->handle(rx, out, 0);
    REQUIRE(r);
    return to_bytes(*r);
  }
};

/// Every mutation that decode() rejects gets ERROR InvalidRequest and takes no session slot.
template <class Decode>
void hold_to_decode(world& w, const bytes& valid, std::uint8_t rsp_code, Decode decode) {
  const negotiated& n = w.rsp->negotiated_params();
  const bytes ok = w.answer(valid);
  REQUIRE(ok.size() > 2);
  CHECK(std::to_integer<std::uint8_t>(ok[2]) == rsp_code);
  std::mt19937 rng(0x5e55);
  int rejected = 0;
  for (int i = 0; i < 3000; ++i) {
    const bytes m = mutate(valid, rng);
    if (decode(bytes_view{m}.subspan(1), n)) continue;
    ++rejected;
    const std::size_t active = w.sr->sessions().active();
    const bytes a = w.answer(m);
    INFO("request " << hex(m) << " -> " << hex(a));
    REQUIRE(a.size() >= 4);
    CHECK(std::to_integer<std::uint8_t>(a[2]) == 0x7F);
    CHECK(static_cast<error_code>(a[3]) == error_code::invalid_request);
    CHECK(w.sr->sessions().active() == active);
  }
  CHECK(rejected > 1000);
}

}  // namespace

TEST_CASE("session responder: KEY_EXCHANGE read in place answers what decode() rejects with InvalidRequest",
          "[session][lean]") {
  world w;
  bytes valid(1024);
  valid[0] = std::byte{0x05};
  auto r = w.sq->start_key_exchange({.slot = 0, .summary = summary_hash_type::all, .session_policy = 1},
                                    std::span{valid}.subspan(1));
  REQUIRE(r);
  valid.resize(1 + r->size());
  hold_to_decode(w, valid, 0x64, [](bytes_view m, const negotiated& n) { return bool(key_exchange::decode(m, n)); });
}

TEST_CASE("session responder: PSK_EXCHANGE read in place answers what decode() rejects with InvalidRequest",
          "[session][lean]") {
  world w;
  bytes valid(1024);
  valid[0] = std::byte{0x05};
  auto r = w.sq->start_psk_exchange(
      {.psk = w.dev.psk_value, .hint = w.dev.psk_hint, .summary = summary_hash_type::tcb, .session_policy = 1, .context_size = 8},
      std::span{valid}.subspan(1));
  REQUIRE(r);
  valid.resize(1 + r->size());
  hold_to_decode(w, valid, 0x66, [](bytes_view m, const negotiated& n) { return bool(psk_exchange::decode(m, n)); });
}

// HEARTBEAT, KEY_UPDATE and END_SESSION are read in place by one handler (on_control): every
// header-only request of each code that its decode() rejects — each version byte class (the
// negotiated one, another known one, an unknown one), every Param1, some Param2, one trailing
// byte or none — is answered inside the session with the ERROR decode()'s error stands for
// (VersionMismatch for version_mismatch, else InvalidRequest), and the session stays. (The valid
// requests change the session's state; every session flow test covers them.)
TEST_CASE("session responder: HEARTBEAT, KEY_UPDATE and END_SESSION read in place answer what decode() rejects",
          "[session][lean]") {
  world w;
  auto tap = w.sq->tap(w.link);
  const auto sid = w.sq->key_exchange(tap, {});
  REQUIRE(sid);
  const negotiated& n = w.rsp->negotiated_params();
  REQUIRE(heartbeat_possible(n));
  REQUIRE(key_update_possible(n));
  const std::uint8_t v = to_byte(n.ver);
  const std::array<std::uint8_t, 3> versions{v, static_cast<std::uint8_t>(v == 0x11 ? 0x12 : 0x11), 0x77};
  const std::array<code, 3> codes{code::heartbeat, code::key_update, code::end_session};
  int checked = 0;
  for (const code c : codes) {
    for (const std::uint8_t ver : versions) {
      for (unsigned p1 = 0; p1 < 256; ++p1) {
        for (const unsigned p2 : {0x00u, 0x01u, 0x80u}) {
          for (const std::size_t size : {std::size_t{4}, std::size_t{5}}) {
            bytes spdm{std::byte{ver}, static_cast<std::byte>(c), std::byte{static_cast<std::uint8_t>(p1)},
                       std::byte{static_cast<std::uint8_t>(p2)}};
            spdm.resize(size);
            errc e = errc::invalid_field;
            if (c == code::heartbeat) {
              const auto d = heartbeat::decode(spdm, n);
              if (d) continue;
              e = d.error();
            } else if (c == code::key_update) {
              const auto d = key_update::decode(spdm, n);
              if (d) continue;
              e = d.error();
            } else {
              const auto d = end_session::decode(spdm, n);
              if (d) continue;
              e = d.error();
            }
            const error_code want = e == errc::version_mismatch ? error_code::version_mismatch : error_code::invalid_request;
            // 05 ‖ request, sealed with the requester's keys; the answer opened with them.
            auto* s = w.sq->sessions().find(*sid);
            REQUIRE(s != nullptr);
            const secured_layout l = s->layout();
            std::array<std::byte, 512> buf{};
            buf[l.app_offset()] = std::byte{0x05};
            std::copy(spdm.begin(), spdm.end(), buf.begin() + static_cast<std::ptrdiff_t>(l.app_offset() + 1));
            auto rec = s->seal(buf, 1 + spdm.size());
            REQUIRE(rec);
            bytes rx(rec->begin(), rec->end()), out(1024);
            auto r = w.sr->handle(rx, out, 0);
            REQUIRE(r);
            auto opened = s->open(*r);
            INFO("request " << hex(spdm));
            REQUIRE(opened);
            REQUIRE(opened->app.size() == 1 + 4);
            CHECK(std::to_integer<std::uint8_t>(opened->app[2]) == 0x7F);
            CHECK(static_cast<error_code>(opened->app[3]) == want);
            CHECK(std::to_integer<std::uint8_t>(opened->app[4]) == 0);
            REQUIRE(w.sr->sessions().active() == 1);
            ++checked;
          }
        }
      }
    }
  }
  CHECK(checked > 10000);
}
