// SPDX-License-Identifier: Apache-2.0
// The session state machine (pmci/spdm/session/responder_session.hpp in front of the attestation
// responder) fed arbitrary messages in every phase. A real requester (pmci's engine and session
// layer, OpenSSL, the embedded test PKI, P-256 / SHA-256 / AES-256-GCM, SPDM 1.2, mutual
// authentication) first brings the connection where the input asks, then the input's messages go
// to the responder — raw, or sealed into the session with the requester's current keys so that
// arbitrary requests reach the in-session dispatcher.
//
// Input: [setup][chunks...]
//   setup bits 0-1: 0 = negotiated only, 1 = KEY_EXCHANGE answered (handshake under way),
//                   2 = session established, 3 = PSK session established;
//   setup bit 2: handshake in the clear (else encrypted);
//   setup bits 3-4: the responder's mutual-authentication mode (set_mut_auth): 0 = encapsulated,
//                   1 = implicit GET_DIGESTS, 2 = without encapsulation (the Device knows the
//                   requester's chain), 3 = none.
//   chunk: [kind][len lo][len hi][len bytes]
//     kind & 3 = 0: an MCTP message as is (05 ‖ SPDM, 06 ‖ record, anything);
//     kind & 3 = 1: 05 ‖ bytes, sealed into the session by the requester (plain if no records);
//     kind & 3 = 2: bytes as an MCTP message, sealed into the session (application messages);
//     kind & 3 = 3: advance the clock by len seconds and expire heartbeats; with kind bit 2 instead
//                   the responder starts a key update (start_key_update), with bit 3 the
//                   requester polls and serves encapsulated requests (serve_encapsulated_requests).
// Invariants: no crash, no out-of-bounds access (ASan), every answer inside the response
// buffer, never more sessions than the table holds.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "pmci/crypto/openssl.hpp"
#include "pmci/spdm/requester.hpp"
#include "pmci/spdm/responder.hpp"
#include "pmci/spdm/session/requester_session.hpp"
#include "pmci/spdm/session/responder_session.hpp"
#include "pmci/transport/loopback.hpp"
#include "spdm_engines/test_device.hpp"
#include "spdm_session_pki.hpp"

using namespace pmci;
using namespace pmci::spdm;
using policy = crypto::openssl;

namespace {

[[noreturn]] void fail() { std::abort(); }

template <bool Clear>
struct rsp_cfg : responder_defaults {
  static constexpr version_set versions{v1_2};
  static constexpr std::array hash_algs{base_hash::sha256};
  static constexpr std::array asym_algs{base_asym::ecdsa_p256};
  static constexpr std::array measurement_hash_algs{meas_hash::sha256};
  static constexpr rsp_cap capabilities = rsp_cap::cert | rsp_cap::chal | rsp_cap::meas_sig | rsp_cap::encrypt |
                                          rsp_cap::mac | rsp_cap::key_ex | rsp_cap::psk_with_context | rsp_cap::hbeat |
                                          rsp_cap::key_upd | rsp_cap::mut_auth | rsp_cap::encap |
                                          (Clear ? rsp_cap::handshake_in_the_clear : rsp_cap::none);
  static constexpr std::array dhe_groups{dhe_group::secp256r1};
  static constexpr std::array aead_suites{aead_suite::aes_256_gcm};
  static constexpr std::array key_schedules{key_schedule::spdm};
  static constexpr std::array req_asym_algs{base_asym::ecdsa_p256};
  static constexpr bool session_layer = true;
};
template <bool Clear>
struct req_cfg : requester_defaults {
  static constexpr std::array hash_algs{base_hash::sha256};
  static constexpr std::array asym_algs{base_asym::ecdsa_p256};
  static constexpr req_cap capabilities = req_cap::cert | req_cap::encrypt | req_cap::mac | req_cap::key_ex |
                                          req_cap::psk | req_cap::hbeat | req_cap::key_upd | req_cap::mut_auth |
                                          req_cap::encap | (Clear ? req_cap::handshake_in_the_clear : req_cap::none);
  static constexpr std::array dhe_groups{dhe_group::secp256r1};
  static constexpr std::array aead_suites{aead_suite::aes_256_gcm};
  static constexpr std::array key_schedules{key_schedule::spdm};
  static constexpr std::array req_asym_algs{base_asym::ecdsa_p256};
  static constexpr bool session_layer = true;
};
struct sess_cfg : session_defaults {
  static constexpr std::size_t max_sessions = 2;
  static constexpr std::size_t max_hash = 32;
  static constexpr std::uint8_t heartbeat_period = 2;
  static constexpr mut_auth_policy mut_auth = mut_auth_policy::encapsulated;
  static constexpr std::size_t max_peer_cert_chain = 2048;
};

const bytes_view psk_value = pmci::fuzz_pki::responder_ca;  // any bytes will do

struct device : pmci::test::basic_device<policy> {
  std::array<bytes_view, 1> anchors{bytes_view{pmci::fuzz_pki::requester_ca}};
  bytes_view psk(bytes_view) { return psk_value; }
  std::span<const bytes_view> requester_trust_anchors() { return anchors; }
  bool provisioned = false;
  bytes_view requester_cert_chain(std::uint8_t slot) {
    return provisioned && slot == 0 ? bytes_view{pmci::fuzz_pki::requester_chain} : bytes_view{};
  }
  result<std::size_t> session_message(std::uint32_t, bytes_view m, bytes_span out) {
    const std::size_t n = m.size() < out.size() ? m.size() : out.size();
    for (std::size_t i = 0; i < n; ++i) out[i] = m[i];
    return n;
  }
};
struct identity {
  policy::sign_key key;
  bytes_view cert_chain(std::uint8_t slot) { return slot == 0 ? bytes_view{pmci::fuzz_pki::requester_chain} : bytes_view{}; }
  const policy::sign_key* sign_key(std::uint8_t slot) { return slot == 0 ? &key : nullptr; }
};

template <bool Clear>
struct world {
  using responder_t = responder<rsp_cfg<Clear>, policy, device>;
  using sresponder_t = session_responder<responder_t, policy, device, sess_cfg>;
  using requester_t = requester<req_cfg<Clear>, policy>;
  using srequester_t = session_requester<requester_t, policy, sess_cfg>;
  struct handler {
    sresponder_t* sr;
    std::vector<std::byte> rx{};
    std::uint64_t now = 0;
    result<bytes_span> handle(bytes_view request, bytes_span response) {
      rx.assign(request.begin(), request.end());
      auto r = sr->handle(rx, response, now);
      if (r && (r->data() < response.data() || r->data() + r->size() > response.data() + response.size())) fail();
      return r;
    }
  };

  policy rc, qc;
  device dev;
  responder_t rsp{rc, dev};
  sresponder_t sr{rsp, rc, dev};
  requester_t req{qc};
  srequester_t sq{req, qc};
  identity id;
  handler h{&sr};
  transport::loopback<handler> link{h};
  std::array<bytes_view, 1> anchors{bytes_view{pmci::fuzz_pki::responder_ca}};
  std::uint32_t sid = 0;
  std::array<std::byte, 4400> out{};

  bool setup(unsigned stage, unsigned mode) {
    constexpr std::array modes{mut_auth_policy::encapsulated, mut_auth_policy::implicit_digests,
                               mut_auth_policy::without_encapsulated, mut_auth_policy::none};
    if (!sr.set_mut_auth(modes[mode & 3])) fail();
    dev.provisioned = (mode & 3) == 2;
    dev.chains[0] = pmci::fuzz_pki::responder_chain;
    auto k = rc.load_private_key(std::span{reinterpret_cast<const std::byte*>(pmci::fuzz_pki::responder_key_pem.data()),
                                           pmci::fuzz_pki::responder_key_pem.size()});
    auto q = qc.load_private_key(std::span{reinterpret_cast<const std::byte*>(pmci::fuzz_pki::requester_key_pem.data()),
                                           pmci::fuzz_pki::requester_key_pem.size()});
    if (!k || !q) fail();
    dev.keys[0] = std::move(*k);
    dev.has_key[0] = true;
    id.key = std::move(*q);
    auto tap = sq.tap(link);
    if (!req.connect(tap) || !req.get_digests(tap) || !req.get_certificate(tap, 0, anchors)) fail();
    if (stage == 1) {
      std::array<std::byte, 512> buf{};
      auto ke = sq.start_key_exchange({}, buf);
      if (!ke) fail();
      std::array<std::byte, 520> msg{};
      msg[0] = std::byte{0x05};
      std::copy(ke->begin(), ke->end(), msg.begin() + 1);
      auto rsp_msg = link.exchange(std::span{msg}.first(1 + ke->size()), out);
      if (!rsp_msg) fail();
      auto s = sq.on_key_exchange_rsp(rsp_msg->subspan(1));
      if (!s) fail();
      sid = *s;
    } else if (stage == 2) {
      auto s = sq.key_exchange(link, {}, &id);
      if (!s) fail();
      sid = *s;
    } else if (stage == 3) {
      auto s = sq.psk_exchange(link, {.psk = psk_value});
      if (!s) fail();
      sid = *s;
    }
    return true;
  }

  /// Seal `app` (an MCTP message) with the requester's session and hand it to the responder;
  /// open the answer with the requester's session when it is a record.
  void send_in_session(bytes_view app) {
    auto* s = sq.sessions().find(sid);
    if (s == nullptr || !s->records_active()) {
      (void)link.exchange(app, out);
      return;
    }
    std::array<std::byte, 4400> buf{};
    const secured_layout l = s->layout();
    if (app.size() > l.max_app_size(buf.size())) return;
    std::copy(app.begin(), app.end(), buf.begin() + static_cast<std::ptrdiff_t>(l.app_offset()));
    auto rec = s->seal(buf, app.size());
    if (!rec) return;
    auto r = link.exchange(*rec, out);
    if (!r || r->empty() || (*r)[0] != std::byte{0x06}) return;
    if (auto* live = sq.sessions().find(sid)) (void)live->open(*r);
  }

  void run(const std::uint8_t* data, std::size_t size) {
    std::size_t at = 0;
    while (at + 3 <= size) {
      const std::uint8_t kind = data[at];
      const std::size_t len = data[at + 1] | (static_cast<std::size_t>(data[at + 2]) << 8);
      at += 3;
      if (len > size - at && (kind & 3) != 3) break;
      const std::size_t n = (kind & 3) == 3 ? 0 : len;
      std::vector<std::byte> chunk(n);
      for (std::size_t i = 0; i < n; ++i) chunk[i] = std::byte{data[at + i]};
      at += n;
      switch (kind & 3) {
        case 0:
          if (!chunk.empty()) (void)link.exchange(chunk, out);
          break;
        case 1: {
          chunk.insert(chunk.begin(), std::byte{0x05});
          send_in_session(chunk);
          break;
        }
        case 2:
          if (!chunk.empty()) send_in_session(chunk);
          break;
        case 3:
          if (kind & 4) {
            (void)sr.start_key_update(sid);
          } else if (kind & 8) {
            (void)sq.serve_encapsulated_requests(link, sid, &id);
          } else {
            h.now += 1000ull * len;
            (void)sr.expire_heartbeats(h.now);
          }
          break;
      }
      if (sr.sessions().active() > sess_cfg::max_sessions) fail();
    }
  }
};

template <bool Clear>
void run_world(unsigned stage, unsigned mode, const std::uint8_t* data, std::size_t size) {
  auto w = std::make_unique<world<Clear>>();
  if (!w->setup(stage, mode)) return;
  w->run(data, size);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const unsigned stage = data[0] & 3;
  const unsigned mode = (data[0] >> 3) & 3;
  if (data[0] & 4)
    run_world<true>(stage, mode, data + 1, size - 1);
  else
    run_world<false>(stage, mode, data + 1, size - 1);
  return 0;
}
