// SPDX-License-Identifier: Apache-2.0
// pmci-dump's pipeline (examples/dump) on sessions that the reference captures do not contain:
// pmci's requester and responder talk in process, a loopback tap records every MCTP message as a
// capture would, the requester's crypto policy records the (EC)DHE shared secrets, and the
// dumper must open every secured record and name its inner message:
//   * encrypted handshakes (FINISH / FINISH_RSP in records, KEY_EXCHANGE_RSP with
//     ResponderVerifyData) at SPDM 1.1, 1.2, 1.3;
//   * mutual authentication whose encapsulated flow (GET_DIGESTS, GET_CERTIFICATE of the
//     requester's chain) travels inside the session under handshake keys, and a signed FINISH;
//   * KEY_UPDATE UpdateKey (request direction only) and UpdateAllKeys, each with VerifyNewKey;
//   * PSK sessions at SPDM 1.3 (Salt_0 all 0xFF) and 1.2 (zeros);
//   * an application message (MCTP type 0x7E) inside a session;
//   * wrong or missing secrets: every record "cannot decrypt", nothing else breaks.
#include <memory>
#include <string>
#include <vector>

// dump.hpp (pmci/fmt.hpp, pmci/spdm/message.hpp) first on purpose: the session headers must not
// shadow pmci::spdm::message with a parameter of that name (GCC -Wshadow).
#include "dump.hpp"
#include "pmci/spdm/session/requester_session.hpp"
#include "pmci/spdm/session/responder_session.hpp"
#include "pmci/crypto/openssl.hpp"
#include "pmci/spdm/requester.hpp"
#include "pmci/spdm/responder.hpp"
#include "pmci/transport/loopback.hpp"
#include "spdm_engines/harness.hpp"
#include "spdm_session/session_world.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

namespace dump_test {
// (using-directives inside a namespace: at global scope pmci::spdm::message would be shadowed by
// the session headers' parameters, -Wshadow)
using namespace pmci;
using namespace pmci::spdm;
using bytes = std::vector<std::byte>;

/// OpenSSL that keeps every (EC)DHE shared secret it computes (what a tester would log).
class recording_crypto : public crypto::openssl {
 public:
  std::vector<bytes> secrets;
  [[nodiscard]] result<void> dhe_compute(dhe_key& k, bytes_view peer, bytes_span out) noexcept {
    auto r = crypto::openssl::dhe_compute(k, peer, out);
    if (r) secrets.emplace_back(out.begin(), out.end());
    return r;
  }
};
static_assert(crypto::full_policy<recording_crypto> && crypto::cert_policy<recording_crypto>);

using namespace pmci::spdm::session_test;
using device_t = session_device<crypto::openssl>;
using identity_t = identity<recording_crypto>;

/// Every MCTP message the loopback carries, as pcap::message_reader returns a capture of real
/// MCTP packets (the tag owner is the requester).
struct recorder {
  std::vector<transport::pcap::captured_message>* out;
  void operator()(transport::direction d, bytes_view m) const {
    transport::pcap::captured_message c;
    c.index = out->size() + 1;
    c.header.destination = d == transport::direction::request ? 9 : 8;
    c.header.source = d == transport::direction::request ? 8 : 9;
    c.header.tag_owner = d == transport::direction::request;
    c.message.assign(m.begin(), m.end());
    out->push_back(std::move(c));
  }
};

struct what {
  bool psk = false;
  bool mutual = false;
};

/// One connection with one session and its workout; returns the captured messages, the DHE
/// secrets and the PSK.
template <class RspCfg, class ReqCfg, bool Mutual>
struct traffic {
  using responder_t = responder<RspCfg, crypto::openssl, device_t>;
  using sresponder_t = session_responder<responder_t, crypto::openssl, device_t, session_config<Mutual>>;
  using requester_t = requester<ReqCfg, recording_crypto>;
  using srequester_t = session_requester<requester_t, recording_crypto, session_config<Mutual>>;

  crypto::openssl rsp_crypto;
  recording_crypto req_crypto;
  device_t dev;
  identity_t id;
  std::vector<transport::pcap::captured_message> messages;

  void run(bool psk) {
    const auto& keys = pmci::test::pki_for(RspCfg::asym_algs[0]);
    dev.chains[0] = keys.chain;
    dev.keys[0] = pmci::test::load_key(rsp_crypto, keys);
    dev.has_key[0] = true;
    dev.set_blocks(pmci::test::sample_blocks(hash_size(RspCfg::measurement_hash_algs[0])));
    if constexpr (Mutual) {
      const std::string d = RspCfg::asym_algs[0] == base_asym::ecdsa_p256 ? "spdm_session/req_ecp256" : "spdm_session/req_ecp384";
      id.chain = pmci::test::load_file(d + "/chain.der");
      id.key = *req_crypto.load_private_key(pmci::test::load_file(d + "/leaf.key.pem"));
      dev.anchors.push_back(pmci::test::load_file(d + "/ca.cert.der"));
    }
    auto rsp = std::make_unique<responder_t>(rsp_crypto, dev);
    auto sr = std::make_unique<sresponder_t>(*rsp, rsp_crypto, dev);
    auto req = std::make_unique<requester_t>(req_crypto);
    auto sq = std::make_unique<srequester_t>(*req, req_crypto);
    copying_handler<sresponder_t> h{sr.get()};
    transport::loopback link{h, recorder{&messages}};
    const std::array<bytes_view, 1> anchors{bytes_view{keys.ca}};
    auto tap = sq->tap(link);
    REQUIRE(req->connect(tap));
    REQUIRE(req->get_digests(tap));
    REQUIRE(req->get_certificate(tap, 0, anchors));
    auto sid = psk ? sq->psk_exchange(link, {.psk = dev.psk_value, .hint = dev.psk_hint})
                   : sq->key_exchange(link, {.slot = 0, .summary = summary_hash_type::all}, Mutual ? &id : nullptr);
    REQUIRE(sid);
    REQUIRE(sq->heartbeat(link, *sid));
    REQUIRE(sq->key_update(link, *sid, key_operation::update_key));
    REQUIRE(sq->key_update(link, *sid, key_operation::update_all_keys));
    if constexpr (Mutual) {
      // Responder-initiated key update (ENCAP_CAP on both sides): the records after it (the
      // application message, END_SESSION) only decrypt if pmci-dump follows it.
      REQUIRE(sr->start_key_update(*sid));
      auto served = sq->serve_encapsulated_requests(link, *sid);
      REQUIRE(served);
      CHECK(*served == 2);
    }
    const bytes app = pmci::test::from_hex("7e0102030405");
    REQUIRE(sq->send_receive(link, *sid, app));
    REQUIRE(sq->end_session(link, *sid));
  }
};

struct dump_result {
  std::vector<std::string> lines;  ///< one text per message (its line and -v details)
  std::size_t decrypted = 0, undecrypted = 0;
  std::string all;
};

dump_result dump(const std::vector<transport::pcap::captured_message>& messages, const pmci_dump::session_secrets& s) {
  pmci_dump::options o;
  o.verbose = true;
  o.secrets = s;
  pmci_dump::dumper d{o};
  dump_result r;
  for (const auto& m : messages) {
    r.lines.push_back(d.message(m));
    r.all += r.lines.back();
  }
  r.decrypted = d.decrypted();
  r.undecrypted = d.undecrypted();
  return r;
}

std::size_t secured_count(const std::vector<transport::pcap::captured_message>& messages) {
  std::size_t n = 0;
  for (const auto& m : messages) n += m.message.at(0) == std::byte{0x06} ? 1 : 0;
  return n;
}

bool has_inner(const dump_result& r, const std::string& name) {
  for (const auto& l : r.lines)
    if (l.find("-> #1 SPDM     " + name + " ") != std::string::npos) return true;
  return false;
}

template <class RspCfg, class ReqCfg, bool Mutual = false>
void check_session(bool psk, bool in_clear) {
  traffic<RspCfg, ReqCfg, Mutual> t;
  t.run(psk);
  const std::size_t secured = secured_count(t.messages);
  REQUIRE(secured > 0);
  pmci_dump::session_secrets s;
  if (psk)
    s.psk.push_back(t.dev.psk_value);
  else
    s.dhe = t.req_crypto.secrets;
  REQUIRE((psk || s.dhe.size() == 1));

  const auto r = dump(t.messages, s);
  INFO(r.all);
  CHECK(r.undecrypted == 0);
  CHECK(r.decrypted == secured);
  CHECK(r.all.find("decode error") == std::string::npos);
  CHECK(r.all.find("cannot decrypt") == std::string::npos);
  // Inside the records: the handshake when it is not in the clear, every in-session message.
  if (psk) {
    CHECK(has_inner(r, "PSK_FINISH"));
    CHECK(has_inner(r, "PSK_FINISH_RSP"));
  } else {
    CHECK(has_inner(r, "FINISH") == !in_clear);
    CHECK(has_inner(r, "FINISH_RSP") == !in_clear);
  }
  if (Mutual && !in_clear) {
    CHECK(has_inner(r, "GET_ENCAPSULATED_REQUEST"));
    CHECK(has_inner(r, "DELIVER_ENCAPSULATED_RESPONSE"));
    CHECK(r.all.find("encapsulated: CERTIFICATE") != std::string::npos);
  }
  if (Mutual) {
    CHECK(r.all.find("encapsulated: KEY_UPDATE UpdateKey") != std::string::npos);
    CHECK(r.all.find("encapsulated: KEY_UPDATE_ACK VerifyNewKey") != std::string::npos);
  }
  CHECK(has_inner(r, "HEARTBEAT_ACK"));
  CHECK(r.all.find("KEY_UPDATE UpdateKey") != std::string::npos);
  CHECK(r.all.find("KEY_UPDATE_ACK UpdateAllKeys") != std::string::npos);
  CHECK(r.all.find("-> #1 VDM_PCI") != std::string::npos);  // the application message and its echo
  CHECK(has_inner(r, "END_SESSION_ACK"));

  // A wrong secret: refused at the handshake's verify data, every record "cannot decrypt".
  pmci_dump::session_secrets wrong = s;
  (psk ? wrong.psk : wrong.dhe)[0][0] ^= std::byte{0x80};
  const auto w = dump(t.messages, wrong);
  CHECK(w.decrypted == 0);
  CHECK(w.undecrypted == secured);
  CHECK(w.all.find("wrong secret") != std::string::npos);
  // No secret for this kind of session.
  pmci_dump::session_secrets other;
  (psk ? other.dhe : other.psk).push_back(bytes(32, std::byte{1}));
  const auto n = dump(t.messages, other);
  CHECK(n.decrypted == 0);
  CHECK(n.undecrypted == secured);
}

template <version V, bool Clear, bool Mutual = false>
using p256 = rsp_config<V, base_hash::sha256, base_asym::ecdsa_p256, dhe_group::secp256r1, aead_suite::aes_256_gcm, Clear, Mutual>;
template <version V, bool Clear, bool Mutual = false>
using p384 = rsp_config<V, base_hash::sha384, base_asym::ecdsa_p384, dhe_group::secp384r1, aead_suite::chacha20_poly1305, Clear, Mutual>;

}  // namespace dump_test

namespace dt = dump_test;
using pmci::spdm::v1_1;
using pmci::spdm::v1_2;
using pmci::spdm::v1_3;

TEST_CASE("pmci-dump decrypts KEY_EXCHANGE sessions with an encrypted handshake", "[dump][session]") {
  SECTION("1.1 P-256") { dt::check_session<dt::p256<v1_1, false>, dt::req_config<false, false>>(false, false); }
  SECTION("1.2 P-384 ChaCha20") { dt::check_session<dt::p384<v1_2, false>, dt::req_config<false, false>>(false, false); }
  SECTION("1.3 P-384 ChaCha20") { dt::check_session<dt::p384<v1_3, false>, dt::req_config<false, false>>(false, false); }
  SECTION("1.3 P-256, in the clear") { dt::check_session<dt::p256<v1_3, true>, dt::req_config<true, false>>(false, true); }
}

TEST_CASE("pmci-dump decrypts mutual authentication inside the session (encapsulated flow under handshake keys) "
          "and follows a responder-initiated key update",
          "[dump][session][mutual]") {
  SECTION("1.2 P-384 encrypted") { dt::check_session<dt::p384<v1_2, false, true>, dt::req_config<false, true>, true>(false, false); }
  SECTION("1.3 P-256 encrypted") { dt::check_session<dt::p256<v1_3, false, true>, dt::req_config<false, true>, true>(false, false); }
  SECTION("1.2 P-384 in the clear") { dt::check_session<dt::p384<v1_2, true, true>, dt::req_config<true, true>, true>(false, true); }
}

TEST_CASE("pmci-dump decrypts PSK sessions (Salt_0 0xFF at 1.3, zeros before)", "[dump][session][psk]") {
  SECTION("1.3") { dt::check_session<dt::p384<v1_3, false>, dt::req_config<false, false>>(true, false); }
  SECTION("1.2") { dt::check_session<dt::p256<v1_2, false>, dt::req_config<false, false>>(true, false); }
  SECTION("1.1") { dt::check_session<dt::p256<v1_1, false>, dt::req_config<false, false>>(true, false); }
}
