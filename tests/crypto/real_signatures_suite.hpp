// SPDX-License-Identifier: Apache-2.0
// Real signatures: every signature in the captured spdm-emu traffic, verified through a crypto
// policy with the leaf key of the certificate chain the peer sent, after validating that chain
// against the reference's CA (tests/data/vectors/certs/*/ca*.cert.der).
//
// Transcripts (spdm.md §15) are running hash states fed message by message and forked where a
// signature is checked — the way pmci's engines keep them. Signed data (spdm.md §16):
//   SPDM 1.0/1.1: the signature covers the transcript itself (verify_digest on its hash);
//   SPDM 1.2+:    the 100-byte signing prefix with the operation's context ‖ Hash(transcript).
// Checked: CHALLENGE_AUTH (M1 = A ‖ B ‖ C), MEASUREMENTS (L = [A ‖] M), KEY_EXCHANGE_RSP
// (A ‖ [D] ‖ Ct ‖ KEY_EXCHANGE ‖ KEY_EXCHANGE_RSP before the signature), and in the mutual-auth
// capture the requester's RSASSA-PSS-3072 signatures: the encapsulated CHALLENGE_AUTH
// (A ‖ MutB ‖ MutC) and FINISH (A ‖ Ct ‖ K ‖ CM ‖ FINISH before the signature).
// Fields are located with explicit offsets (capture.hpp), independent of pmci's SPDM codecs.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "capture.hpp"
#include "pmci/crypto/x509.hpp"
#include "policy_suite.hpp"
#include "support/catch.hpp"

namespace pmci::test::crypto {

inline std::string cert_dir(pmci::crypto::sig_alg s) {
  using pmci::crypto::sig_alg;
  if (s == sig_alg::ecdsa_p256) return "ecp256";
  if (s == sig_alg::ecdsa_p384) return "ecp384";
  return "rsa3072";
}

/// Validate a peer's SPDM certificate chain (its RootHash too) and return the leaf key.
template <class P>
std::optional<typename P::verify_key> chain_key(P& p, const bytes& spdm_chain, const negotiated& n, pmci::crypto::sig_alg alg,
                                                int slot, pmci::crypto::cert_role role) {
  using namespace pmci::crypto;
  const bytes der = der_certificates(spdm_chain, n.h());
  bytes_view rest = der;
  auto root = der::next_certificate(rest);
  REQUIRE(root);
  // RootHash = Hash(the first certificate) with the negotiated hash (spdm.md §6.1).
  CHECK(hex(bytes_view(spdm_chain).subspan(4, n.h())) == hex(digest_of(p, n.hash, *root)));
  // The reference's slot 1 chain hangs off ca1; slots 0 and (1.3 capture) 4 off ca.
  const bytes ca = cert_file(cert_dir(alg), slot == 1 ? "ca1.cert.der" : "ca.cert.der");
  const bytes_view anchors[] = {ca};
  auto key = verify_cert_chain(p, der, anchors, cert_chain_options{alg, role, 0});
  REQUIRE(key);
  // Against the other slot's CA it must not validate.
  const bytes other = cert_file(cert_dir(alg), slot == 1 ? "ca.cert.der" : "ca1.cert.der");
  const bytes_view wrong[] = {other};
  CHECK(verify_cert_chain(p, der, wrong, cert_chain_options{alg, role, 0}) == errc::verify_failed);
  return std::optional<typename P::verify_key>{std::move(*key)};
}

/// Check one signature over the transcript `t` (a fork; the caller's state continues).
template <class P>
void check_signature(P& p, const typename P::verify_key& key, const negotiated& n, pmci::crypto::sig_alg alg,
                     typename P::hash_state t, const std::string& context, bytes_view sig) {
  using namespace pmci::crypto;
  REQUIRE(sig.size() == signature_size(alg));
  bytes th(n.h());
  REQUIRE(p.hash_final(t, th));
  bytes tampered = th;
  tampered[0] ^= std::byte{1};
  if (n.version >= 0x12) {
    const bytes m = cat({signing_prefix(n.version, context), th});
    CHECK(p.verify(key, alg, n.hash, m, sig, ascii(context)));
    // The same signature under another operation's context or another transcript must fail.
    const bytes other = cat({signing_prefix(n.version, "responder-endpoint_info signing"), th});
    CHECK(p.verify(key, alg, n.hash, other, sig, ascii(context)) == errc::verify_failed);
    CHECK(p.verify(key, alg, n.hash, cat({signing_prefix(n.version, context), tampered}), sig, ascii(context)) ==
          errc::verify_failed);
  } else {
    CHECK(p.verify_digest(key, alg, n.hash, th, sig));
    CHECK(p.verify_digest(key, alg, n.hash, tampered, sig) == errc::verify_failed);
  }
}

template <class P>
int real_signatures(P& p, const std::string& capture) {
  using namespace pmci::crypto;
  const auto msgs = plain_messages(capture);
  const negotiated n = negotiation(msgs);
  if (!P::hashes.contains(n.hash) || !P::verify_algs.contains(n.asym)) return 0;
  const std::size_t h = n.h(), s = n.s();
  int checked = 0;

  typename P::hash_state a;  // A = VCA
  REQUIRE(p.hash_init(a, n.hash));
  for (std::size_t i = 0; i < 6; ++i) REQUIRE(p.hash_update(a, msgs[i].view()));

  // Slot chains as the responder sent them.
  std::optional<bytes> chain[8];
  std::optional<typename P::verify_key> key[8];
  for (const auto& m : msgs) {
    if (m.request || m.code() != code::certificate) continue;
    const int slot = m.param1() & 0x0F;
    REQUIRE(slot < 8);
    if (chain[slot]) continue;
    chain[slot] = certificate_chain(m);
    key[slot] = chain_key(p, *chain[slot], n, n.asym, slot, cert_role::responder);
    // The DER part of slots 0 and 1 is the reference's bundle file.
    if (slot < 2)
      CHECK(der_certificates(*chain[slot], h) ==
            cert_file(cert_dir(n.asym), slot == 0 ? "bundle_responder.certchain.der" : "bundle_responder.certchain1.der"));
  }
  if (!key[0]) return 0;  // the PSK capture exchanges no certificates and no signatures

  for (std::size_t i = 6; i < msgs.size(); ++i) {
    const spdm_message& m = msgs[i];
    // CHALLENGE_AUTH: M1 = A ‖ B ‖ C, B = everything between VCA and CHALLENGE (digests and
    // certificates), C = CHALLENGE ‖ CHALLENGE_AUTH without the signature.
    if (!m.request && m.code() == code::challenge_auth && msgs[i - 1].code() == code::challenge) {
      INFO(capture << " CHALLENGE_AUTH #" << m.index);
      typename P::hash_state t = a;
      for (std::size_t j = 6; j < i; ++j) REQUIRE(p.hash_update(t, msgs[j].view()));
      REQUIRE(p.hash_update(t, m.view().first(m.bytes_.size() - s)));
      const int slot = msgs[i - 1].param1() & 0x0F;
      check_signature(p, *key[slot], n, n.asym, t, "responder-challenge_auth signing", m.view().last(s));
      ++checked;
    }
    // MEASUREMENTS with a signature: L = [A ‖] GET_MEASUREMENTS ‖ MEASUREMENTS without it (the
    // preceding request in these captures is GET_DIGESTS, which resets M; spdm.md §15).
    if (!m.request && m.code() == code::measurements && (msgs[i - 1].param1() & 0x01)) {
      INFO(capture << " MEASUREMENTS #" << m.index);
      REQUIRE(msgs[i - 2].code() != code::get_measurements);
      typename P::hash_state t;
      if (n.version >= 0x12) t = a;
      else REQUIRE(p.hash_init(t, n.hash));  // 1.0/1.1: no A (confirmed by capture)
      REQUIRE(p.hash_update(t, msgs[i - 1].view()));
      REQUIRE(p.hash_update(t, m.view().first(m.bytes_.size() - s)));
      // SlotIDParam follows the nonce in 1.1+ requests; 1.0 always uses slot 0.
      const int slot = n.version >= 0x11 ? std::to_integer<int>(msgs[i - 1].bytes_.at(4 + 32)) & 0x0F : 0;
      check_signature(p, *key[slot], n, n.asym, t, "responder-measurements signing", m.view().last(s));
      ++checked;
    }
    // KEY_EXCHANGE_RSP (handshake in the clear in all these captures: the signature ends it):
    // A ‖ [D (1.3+)] ‖ Hash(chain of the slot) ‖ KEY_EXCHANGE ‖ KEY_EXCHANGE_RSP before it.
    if (!m.request && m.code() == code::key_exchange_rsp) {
      INFO(capture << " KEY_EXCHANGE_RSP #" << m.index);
      const spdm_message& ke = msgs[i - 1];
      typename P::hash_state t = a;
      if (n.version >= 0x13) {
        const spdm_message* d = nullptr;
        for (std::size_t j = 0; j < i; ++j)
          if (!msgs[j].request && msgs[j].code() == code::digests) d = &msgs[j];
        REQUIRE(d != nullptr);
        REQUIRE(p.hash_update(t, d->view()));
      }
      const int slot = ke.param2();
      REQUIRE(p.hash_update(t, digest_of(p, n.hash, *chain[slot])));
      REQUIRE(p.hash_update(t, ke.view()));
      REQUIRE(p.hash_update(t, m.view().first(m.bytes_.size() - s)));
      check_signature(p, *key[slot], n, n.asym, t, "responder-key_exchange_rsp signing", m.view().last(s));
      ++checked;
    }
  }

  // Mutual authentication (where it happened): the requester's signatures (ReqBaseAsymAlg).
  // The first encapsulated exchange (after CHALLENGE_AUTH with BasicMutAuthReq): its inner
  // messages are MutB ‖ MutC; the ACK carrying no request (PayloadType 0) carries nothing.
  std::vector<spdm_message> inner;
  std::size_t at = 0;
  for (std::size_t i = 6; i < msgs.size() && inner.empty(); ++i)
    if (msgs[i].code() == code::encapsulated_request) at = i, inner.push_back(encapsulated_inner(msgs[i]));
  if (at != 0 && n.req_asym && P::verify_algs.contains(*n.req_asym)) {
    const sig_alg ra = *n.req_asym;
    const std::size_t rs = signature_size(ra);
    for (std::size_t i = at + 1; i < msgs.size(); ++i) {
      const auto& m = msgs[i];
      if (m.code() == code::deliver_encapsulated_response) inner.push_back(encapsulated_inner(m));
      else if (m.code() == code::encapsulated_response_ack && m.param2() == 1) inner.push_back(encapsulated_inner(m));
      else break;
      if (inner.back().code() == code::challenge_auth) break;
    }
    REQUIRE(inner.size() >= 6);
    REQUIRE(inner.back().code() == code::challenge_auth);
    std::optional<bytes> req_chain;
    for (const auto& m : inner)
      if (m.code() == code::certificate) req_chain = certificate_chain(m);
    REQUIRE(req_chain);
    auto req_key = chain_key(p, *req_chain, n, ra, 0, cert_role::requester);
    CHECK(der_certificates(*req_chain, h) == cert_file(cert_dir(ra), "bundle_requester.certchain.der"));
    {
      INFO(capture << " encapsulated CHALLENGE_AUTH (requester)");
      typename P::hash_state t = a;  // 1.2+: A ‖ MutB ‖ MutC
      REQUIRE(n.version >= 0x12);
      for (std::size_t j = 0; j + 1 < inner.size(); ++j) REQUIRE(p.hash_update(t, inner[j].view()));
      const auto& auth = inner.back();
      REQUIRE(p.hash_update(t, auth.view().first(auth.bytes_.size() - rs)));
      check_signature(p, *req_key, n, ra, t, "requester-challenge_auth signing", auth.view().last(rs));
      ++checked;
    }
    // FINISH with a signature: A ‖ Ct ‖ KEY_EXCHANGE ‖ KEY_EXCHANGE_RSP ‖ CM ‖ FINISH before the
    // signature (1.2: no D / EncapD).
    for (std::size_t i = 0; i < msgs.size(); ++i) {
      const auto& fin = msgs[i];
      if (fin.code() != code::finish || !(fin.param1() & 0x01)) continue;
      INFO(capture << " FINISH #" << fin.index);
      std::size_t ke = i;
      while (ke > 0 && msgs[ke].code() != code::key_exchange) --ke;
      typename P::hash_state t = a;
      REQUIRE(p.hash_update(t, digest_of(p, n.hash, *chain[msgs[ke].param2()])));
      REQUIRE(p.hash_update(t, msgs[ke].view()));
      REQUIRE(p.hash_update(t, msgs[ke + 1].view()));
      REQUIRE(p.hash_update(t, digest_of(p, n.hash, *req_chain)));
      // FINISH: header(4) ‖ Signature(S) ‖ RequesterVerifyData(H)
      REQUIRE(fin.bytes_.size() == 4 + rs + h);
      REQUIRE(p.hash_update(t, fin.view().first(4)));
      check_signature(p, *req_key, n, ra, t, "requester-finish signing", fin.view().subspan(4, rs));
      ++checked;
    }
  }
  return checked;
}

template <class P>
void real_signatures_all(P& p) {
  int total = 0;
  for (const auto& capture : pmci::test::capture_names()) {
    const int c = real_signatures(p, capture);
    INFO(capture << ": " << c);
    total += c;
  }
  INFO("signatures verified: " << total);
  // 1.0: CHALLENGE_AUTH, MEASUREMENTS; 1.1/1.2/1.3: + 2 KEY_EXCHANGE_RSP each; PSK capture: none;
  // mutual auth: 2 + 2 KEY_EXCHANGE_RSP + encapsulated CHALLENGE_AUTH + 2 FINISH.
  if (P::verify_algs.contains(pmci::crypto::sig_alg::ecdsa_p384) &&
      P::verify_algs.contains(pmci::crypto::sig_alg::rsapss_3072))
    CHECK(total == 2 + 4 + 4 + 4 + 7);
}

}  // namespace pmci::test::crypto

#define PMCI_REAL_SIGNATURES_SUITE(NAME, TYPE)                                                       \
  TEST_CASE(NAME ": every signature in the captured traffic verifies") {                             \
    TYPE p;                                                                                          \
    pmci::test::crypto::real_signatures_all(p);                                                      \
  }
