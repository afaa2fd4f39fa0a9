// SPDX-License-Identifier: Apache-2.0
// Replay of the DMTF reference captures (tests/data/vectors), attestation part:
//
//  * requester: with its random source pinned to the captured nonces, pmci's requester emits
//    byte-identical requests and accepts every captured response: the captured certificate chains
//    validate against the captured roots, and the captured CHALLENGE_AUTH / MEASUREMENTS
//    signatures verify over pmci's transcripts;
//  * responder: fed the captured requests, with the captured certificate chains and measurement
//    blocks and its random source pinned to the captured nonces, pmci's responder answers exactly
//    the captured responses except for the signatures (the reference's private keys are not
//    published, so it signs with the test key of the same curve). Each signature it makes verifies
//    with the test key, and the *captured* signature verifies (with the captured leaf key) over
//    the very transcript hash pmci's responder signed: pmci's transcripts equal libspdm's.
//
// Configurations reproduce the reference's flags and algorithm choices (including session flags
// pmci's attestation engines do not implement: advertise_unimplemented_capabilities).
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "support/catch.hpp"

#if defined(PMCI_TEST_HAVE_OPENSSL)
#include "pmci/crypto/openssl.hpp"
#include "pmci/spdm/message.hpp"
#include "spdm_engines/harness.hpp"

using namespace pmci;
using namespace pmci::spdm;
using pmci::test::captured_message;

namespace {

/// OpenSSL with random() replaying scripted byte strings first (the captured nonces).
struct pinned_openssl : crypto::openssl {
  std::vector<std::vector<std::byte>> script;
  std::size_t next = 0;
  result<void> random(bytes_span out) noexcept {
    if (next < script.size()) {
      const auto& s = script[next++];
      for (std::size_t i = 0; i < out.size(); ++i) out[i] = i < s.size() ? s[i] : std::byte{0};
      return ok();
    }
    return crypto::openssl::random(out);
  }
};

/// The reference's capability flags (spdm-emu defaults), masked per version by the engines.
inline constexpr auto reference_rsp_caps = static_cast<rsp_cap>(0x399afbf7u);
inline constexpr auto reference_req_caps = static_cast<req_cap>(0x0882f7c6u);
inline constexpr std::array reference_req_asym{base_asym::rsassa_2048, base_asym::rsapss_2048,
                                               base_asym::rsassa_3072, base_asym::rsapss_3072};

template <base_hash H, base_asym A, dhe_group D, aead_suite E>
struct replay_req_cfg : requester_defaults {
  static constexpr req_cap capabilities = reference_req_caps;
  static constexpr bool advertise_unimplemented_capabilities = true;
  static constexpr std::uint32_t max_message_size = 0x1200;
  static constexpr std::array hash_algs{H};
  static constexpr std::array asym_algs{A};
  static constexpr meas_spec mel_spec = meas_spec::dmtf;
  static constexpr bool multi_key_conn = true;
  static constexpr std::array dhe_groups{D};
  static constexpr std::array aead_suites{E};
  static constexpr std::array req_asym_algs = reference_req_asym;
  static constexpr std::array key_schedules{key_schedule::spdm};
};

template <version V, base_hash H, base_asym A, meas_hash MH, dhe_group D, aead_suite E>
struct replay_rsp_cfg : responder_defaults {
  static constexpr version_set versions{V};
  static constexpr rsp_cap capabilities = reference_rsp_caps;
  static constexpr bool advertise_unimplemented_capabilities = true;
  static constexpr std::uint8_t ct_exponent = 0;
  static constexpr std::uint32_t max_message_size = 0x1200;
  static constexpr std::array hash_algs{H};
  static constexpr std::array asym_algs{A};
  static constexpr std::array measurement_hash_algs{MH};
  static constexpr meas_spec mel_spec = meas_spec::dmtf;
  static constexpr std::array dhe_groups{D};
  static constexpr std::array aead_suites{E};
  static constexpr std::array req_asym_algs{base_asym::rsapss_3072, base_asym::rsassa_3072, base_asym::rsapss_2048,
                                            base_asym::rsassa_2048};
  static constexpr std::array key_schedules{key_schedule::spdm};
  static constexpr std::size_t slot_count = 8;
};

std::vector<std::byte> spdm_of(const captured_message& m) {
  REQUIRE(!m.bytes.empty());
  REQUIRE(m.bytes[0] == std::byte{0x05});
  return {m.bytes.begin() + 1, m.bytes.end()};
}

/// The plaintext SPDM part of a capture that pmci's attestation engines cover: everything up to
/// the first message they do not implement (KEY_EXCHANGE, PSK_EXCHANGE, encapsulated requests).
std::vector<std::pair<std::vector<std::byte>, std::vector<std::byte>>> attestation_part(const std::string& capture) {
  std::vector<std::pair<std::vector<std::byte>, std::vector<std::byte>>> out;
  const auto msgs = pmci::test::load_messages(capture);
  for (std::size_t i = 0; i + 1 < msgs.size(); i += 2) {
    REQUIRE(msgs[i].request);
    if (msgs[i].bytes[0] != std::byte{0x05}) break;
    const auto req = spdm_of(msgs[i]);
    const auto c = static_cast<code>(std::to_integer<std::uint8_t>(req[1]));
    const bool covered = c == code::get_version || c == code::get_capabilities || c == code::negotiate_algorithms ||
                         c == code::get_digests || c == code::get_certificate || c == code::challenge ||
                         c == code::get_measurements;
    if (!covered) break;
    auto rsp = spdm_of(msgs[i + 1]);
    // Basic mutual authentication (CHALLENGE_AUTH Param1 bit 7) needs the encapsulated flow.
    if (c == code::challenge && (std::to_integer<std::uint8_t>(rsp[2]) & 0x80)) break;
    out.emplace_back(req, std::move(rsp));
  }
  return out;
}

std::vector<std::byte> cert_file(const std::string& alg, const std::string& name) {
  return pmci::test::load_file("vectors/certs/" + alg + "/" + name);
}

/// Decodes the captured traffic alongside, to know nonces, contexts and parameters.
struct tracker {
  negotiated n{};
  header last_request{};
  void request(bytes_view b) {
    auto m = spdm::decode(b, n, {}, direction::request);
    REQUIRE(m);
    update(n, *m);
    last_request = *header::decode(b);
  }
  message response(bytes_view b) {
    auto m = spdm::decode(b, n, response_context::answering(last_request), direction::response);
    REQUIRE(m);
    update(n, *m);
    return *m;
  }
};

// ---- requester ------------------------------------------------------------------------------------
template <class Cfg>
void replay_requester(const std::string& capture, const std::string& alg, std::size_t pairs, std::size_t signatures) {
  INFO("capture " << capture);
  const auto part = attestation_part(capture);
  REQUIRE(part.size() == pairs);
  pinned_openssl c;
  // The nonces the reference requester drew, in order.
  {
    tracker t;
    for (const auto& [q, r] : part) {
      t.request(q);
      auto m = spdm::decode(q, t.n, {}, direction::request);
      if (auto* ch = std::get_if<challenge>(&*m)) c.script.emplace_back(ch->nonce.begin(), ch->nonce.end());
      if (auto* gm = std::get_if<get_measurements>(&*m); gm && gm->signature_requested())
        c.script.emplace_back(gm->nonce.begin(), gm->nonce.end());
      (void)t.response(r);
    }
  }
  requester<Cfg, pinned_openssl> req{c};
  const auto ca = cert_file(alg, "ca.cert.der");
  const auto ca1 = cert_file(alg, "ca1.cert.der");
  const std::array<bytes_view, 2> anchors{bytes_view{ca}, bytes_view{ca1}};

  std::size_t i = 0;
  std::size_t verified_signatures = 0;
  while (i < part.size()) {
    const auto& q = part[i].first;
    const auto c_code = static_cast<code>(std::to_integer<std::uint8_t>(q[1]));
    const std::uint8_t p1 = std::to_integer<std::uint8_t>(q[2]);
    const std::uint8_t p2 = std::to_integer<std::uint8_t>(q[3]);
    result<void> started = errc::invalid_state;
    switch (c_code) {
      case code::get_version: started = req.start_get_version(); break;
      case code::get_capabilities: started = req.start_get_capabilities(); break;
      case code::negotiate_algorithms: started = req.start_negotiate_algorithms(); break;
      case code::get_digests: started = req.start_get_digests(); break;
      case code::get_certificate: started = req.start_get_certificate(p1 & 0x0F, anchors); break;
      case code::challenge: {
        const bytes_view ctx = q.size() == 44 ? bytes_view{q}.subspan(36, 8) : bytes_view{};
        started = req.start_challenge(p1, static_cast<summary_hash_type>(p2), ctx);
        break;
      }
      case code::get_measurements: {
        const bool sig = (p1 & 1) != 0;
        measurement_options o{.operation = p2, .signature = sig};
        if (sig && q.size() > 36) o.slot = std::to_integer<std::uint8_t>(q[36]) & 0x0F;
        if (q.size() == 12 || q.size() == 45) o.requester_context = bytes_view{q}.last(8);
        started = req.start_get_measurements(o);
        break;
      }
      default: REQUIRE(false);  // attestation_part() keeps attestation requests only
    }
    INFO("message pair " << i << " code " << name(c_code));
    REQUIRE(started);
    while (true) {
      REQUIRE(i < part.size());
      std::array<std::byte, 64> tx{};
      auto out = req.next_request(tx);
      REQUIRE(out);
      CHECK(std::vector<std::byte>(out->begin(), out->end()) == part[i].first);  // byte-identical
      auto st = req.on_response(part[i].second);
      INFO("failure: " << name(req.last_failure()));
      REQUIRE(st);
      ++i;
      if (st->kind == step::done) break;
      REQUIRE(st->kind == step::send);
    }
    if (c_code == code::challenge) {
      CHECK(req.authenticated());
      ++verified_signatures;
    }
    if (c_code == code::get_measurements && req.last_measurements().signature_verified) ++verified_signatures;
  }
  CHECK(c.next == c.script.size());  // every captured nonce was drawn
  CHECK(verified_signatures == signatures);
}

// ---- responder ------------------------------------------------------------------------------------
/// The device for the replay: the captured chains and measurement blocks; it records what it is
/// asked to sign and signs with the test key of the same curve.
template <class Crypto>
struct recording_device : pmci::test::basic_device<Crypto> {
  Crypto* crypto = nullptr;
  typename Crypto::sign_key test_key{};
  std::vector<std::vector<std::byte>> signed_th;
  std::vector<signing_context> contexts;
  result<void> sign(std::uint8_t, const signing_request& r, bytes_span out) {
    signed_th.emplace_back(r.content.transcript_hash.begin(), r.content.transcript_hash.end());
    contexts.push_back(r.content.context);
    return spdm::sign(*crypto, test_key, r, out);
  }
};

template <class Cfg>
void replay_responder(const std::string& capture, const std::string& alg, const std::string& test_alg,
                      std::size_t pairs, std::size_t signatures) {
  INFO("capture " << capture);
  const auto part = attestation_part(capture);
  REQUIRE(part.size() == pairs);
  pinned_openssl c;
  recording_device<pinned_openssl> dev;
  dev.crypto = &c;
  const auto& pki = pmci::test::pki_for(test_alg == "ecp256" ? base_asym::ecdsa_p256 : base_asym::ecdsa_p384);
  dev.test_key = *c.load_private_key(pki.key_pem);

  // Device contents from the capture: chains per slot, measurement blocks, 1.3 slot info.
  const auto chain0 = cert_file(alg, "bundle_responder.certchain.der");
  const auto chain1 = cert_file(alg, "bundle_responder.certchain1.der");
  dev.chains[0] = chain0;
  dev.chains[1] = chain1;
  std::vector<std::byte> other_chain;  // a slot whose chain exists only in the capture (1.3: slot 4)
  std::vector<bytes_view> captured_signatures;
  std::vector<std::vector<std::byte>> responder_nonces;
  {
    tracker t;
    for (const auto& [q, r] : part) {
      t.request(q);
      auto m = t.response(r);
      if (auto* d = std::get_if<digests>(&m)) {
        dev.supported_mask = d->supported_slot_mask;
        for (std::size_t k = 0; k < d->count(); ++k) {
          const std::uint8_t s = d->slot_of(k);
          if (d->multi_key()) dev.infos[s] = slot_info{d->key_pair_id(k), d->model(k), d->usage(k)};
        }
      }
      if (auto* ce = std::get_if<certificate>(&m); ce && ce->slot_id > 1) {
        other_chain.assign(ce->portion.begin() + static_cast<std::ptrdiff_t>(4 + t.n.h()), ce->portion.end());
        dev.chains[ce->slot_id] = other_chain;
      }
      if (auto* ca = std::get_if<challenge_auth>(&m)) {
        responder_nonces.emplace_back(ca->nonce.begin(), ca->nonce.end());
        captured_signatures.push_back(ca->signature);
      }
      if (auto* me = std::get_if<measurements>(&m)) {
        responder_nonces.emplace_back(me->nonce.begin(), me->nonce.end());
        if (!me->signature.empty()) captured_signatures.push_back(me->signature);
        if (t.n.ver >= version::v1_2) dev.changed = me->content_changed;
        std::vector<pmci::test::test_block> blocks;
        for (auto b : me->record) {
          pmci::test::test_block tb;
          tb.index = b.index;
          const auto* start = b.measurement.data() - measurement_block::header_size;
          tb.verbatim.assign(start, start + b.size());
          blocks.push_back(tb);
        }
        if (!blocks.empty()) dev.set_blocks(blocks);
      }
    }
  }
  c.script = responder_nonces;

  responder<Cfg, pinned_openssl, recording_device<pinned_openssl>> rsp{c, dev};
  std::vector<std::byte> buf(0x1200);
  std::size_t signed_count = 0;
  for (std::size_t i = 0; i < part.size(); ++i) {
    const auto& [q, want] = part[i];
    INFO("message pair " << i << " " << name(static_cast<code>(std::to_integer<std::uint8_t>(q[1]))));
    auto out = rsp.handle(q, buf);
    REQUIRE(out);
    const std::vector<std::byte> got(out->begin(), out->end());
    const auto rc = static_cast<code>(std::to_integer<std::uint8_t>(want[1]));
    const bool is_signed = rc == code::challenge_auth || (rc == code::measurements && (std::to_integer<std::uint8_t>(q[2]) & 1));
    if (!is_signed) {
      CHECK(got == want);
      continue;
    }
    const std::size_t s = rsp.negotiated_params().s();
    REQUIRE(got.size() == want.size());
    CHECK(std::vector<std::byte>(got.begin(), got.end() - static_cast<std::ptrdiff_t>(s)) ==
          std::vector<std::byte>(want.begin(), want.end() - static_cast<std::ptrdiff_t>(s)));
    ++signed_count;
  }
  REQUIRE(signed_count == signatures);
  REQUIRE(dev.signed_th.size() == signed_count);
  REQUIRE(captured_signatures.size() == signed_count);

  // pmci's signatures verify with the test key; the reference's with its own key, over the same TH.
  const auto negotiated_params = rsp.negotiated_params();
  const auto sig = *to_crypto(negotiated_params.asym);
  const auto hash = *to_crypto(negotiated_params.hash);
  const auto ca = cert_file(alg, "ca.cert.der");
  const std::array<bytes_view, 1> anchors{bytes_view{ca}};
  const auto ref_key = c.verify_cert_chain(bytes_view{chain0}, anchors, {sig, crypto::cert_role::responder, 0});
  REQUIRE(ref_key);
  const std::array<bytes_view, 1> test_anchor{bytes_view{pki.ca}};
  const auto test_key = c.verify_cert_chain(bytes_view{pki.chain}, test_anchor, {sig, crypto::cert_role::responder, 0});
  REQUIRE(test_key);
  std::size_t k = 0;
  for (std::size_t i = 0; i < part.size(); ++i) {
    auto out = part[i].second;
    const auto rc = static_cast<code>(std::to_integer<std::uint8_t>(out[1]));
    const bool is_signed = rc == code::challenge_auth || (rc == code::measurements && (std::to_integer<std::uint8_t>(part[i].first[2]) & 1));
    if (!is_signed) continue;
    const signed_content content{negotiated_params.ver, dev.contexts[k], dev.signed_th[k]};
    CHECK(spdm::verify(c, *ref_key, sig, hash, content, captured_signatures[k]));
    ++k;
  }
  // And the responder's own signatures, re-run with the same nonces, verify with the test key.
  {
    pinned_openssl c2;
    c2.script = responder_nonces;
    recording_device<pinned_openssl> dev2 = dev;
    dev2.crypto = &c2;
    dev2.signed_th.clear();
    dev2.contexts.clear();
    responder<Cfg, pinned_openssl, recording_device<pinned_openssl>> rsp2{c2, dev2};
    std::size_t j = 0;
    for (const auto& [q, want] : part) {
      auto out = rsp2.handle(q, buf);
      REQUIRE(out);
      const auto rc = static_cast<code>(std::to_integer<std::uint8_t>((*out)[1]));
      const bool is_signed = rc == code::challenge_auth || (rc == code::measurements && (std::to_integer<std::uint8_t>(q[2]) & 1));
      if (!is_signed) continue;
      const signed_content content{negotiated_params.ver, dev2.contexts[j], dev2.signed_th[j]};
      CHECK(spdm::verify(c2, *test_key, sig, hash, content, bytes_view{*out}.last(negotiated_params.s())));
      CHECK(dev2.signed_th[j] == dev.signed_th[j]);
      ++j;
    }
  }
}

using req10 = replay_req_cfg<base_hash::sha256, base_asym::ecdsa_p256, dhe_group::secp256r1, aead_suite::aes_256_gcm>;
using req12c = replay_req_cfg<base_hash::sha384, base_asym::ecdsa_p384, dhe_group::secp384r1, aead_suite::chacha20_poly1305>;
using req384 = replay_req_cfg<base_hash::sha384, base_asym::ecdsa_p384, dhe_group::secp384r1, aead_suite::aes_256_gcm>;

}  // namespace

TEST_CASE("replay: pmci requester against the captured reference responder") {
  // VCA, DIGESTS, CERTIFICATE x2, CHALLENGE, DIGESTS, CERTIFICATE, DIGESTS, MEASUREMENTS (signed)
  replay_requester<req10>("spdm10_p256_sha256", "ecp256", 11, 2);
  replay_requester<req10>("spdm11_p256_sha256_aes256gcm", "ecp256", 11, 2);
  replay_requester<req12c>("spdm12_p384_sha384_chacha20", "ecp384", 11, 2);
  replay_requester<req384>("spdm13_p384_sha384_aes256gcm", "ecp384", 11, 2);  // slots 0 and 4, multi-key
  replay_requester<req10>("spdm12_psk_sha256_aes256gcm", "ecp256", 3, 0);     // VCA, then PSK_EXCHANGE
  replay_requester<req384>("spdm12_p384_sha384_aes256gcm_mutauth", "ecp384", 6, 0);  // up to the mutual CHALLENGE
}

TEST_CASE("replay: pmci responder against the captured reference requester") {
  replay_responder<replay_rsp_cfg<version::v1_0, base_hash::sha256, base_asym::ecdsa_p256, meas_hash::sha256,
                                  dhe_group::secp256r1, aead_suite::aes_256_gcm>>("spdm10_p256_sha256", "ecp256", "ecp256", 11, 2);
  replay_responder<replay_rsp_cfg<version::v1_1, base_hash::sha256, base_asym::ecdsa_p256, meas_hash::sha256,
                                  dhe_group::secp256r1, aead_suite::aes_256_gcm>>("spdm11_p256_sha256_aes256gcm", "ecp256",
                                                                                  "ecp256", 11, 2);
  replay_responder<replay_rsp_cfg<version::v1_2, base_hash::sha384, base_asym::ecdsa_p384, meas_hash::sha384,
                                  dhe_group::secp384r1, aead_suite::chacha20_poly1305>>("spdm12_p384_sha384_chacha20",
                                                                                         "ecp384", "ecp384", 11, 2);
  replay_responder<replay_rsp_cfg<version::v1_3, base_hash::sha384, base_asym::ecdsa_p384, meas_hash::sha384,
                                  dhe_group::secp384r1, aead_suite::aes_256_gcm>>("spdm13_p384_sha384_aes256gcm", "ecp384",
                                                                                  "ecp384", 11, 2);
  replay_responder<replay_rsp_cfg<version::v1_2, base_hash::sha256, base_asym::ecdsa_p256, meas_hash::sha256,
                                  dhe_group::secp256r1, aead_suite::aes_256_gcm>>("spdm12_psk_sha256_aes256gcm", "ecp256",
                                                                                  "ecp256", 3, 0);
  replay_responder<replay_rsp_cfg<version::v1_2, base_hash::sha384, base_asym::ecdsa_p384, meas_hash::sha384,
                                  dhe_group::secp384r1, aead_suite::aes_256_gcm>>("spdm12_p384_sha384_aes256gcm_mutauth",
                                                                                  "ecp384", "ecp384", 6, 0);
}
#endif  // PMCI_TEST_HAVE_OPENSSL (without OpenSSL the captured signatures cannot be checked)
