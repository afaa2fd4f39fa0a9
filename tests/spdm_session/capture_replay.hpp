// SPDX-License-Identifier: Apache-2.0
// Replaying the captured spdm-emu traffic through pmci's session layer, byte for byte.
//
// The captures' randomness (RandomData, ephemeral keys, ECDSA/RSA-PSS signatures, record
// padding) cannot be recomputed, so a replay policy hands it back from a queue: random() returns
// the queued bytes, dhe_generate() the captured ExchangeData, dhe_compute() the logged DHE secret,
// sign() the captured signature. Everything else is the real OpenSSL policy: hashes, HKDF, HMAC,
// AEAD, signature and certificate verification. A session layer that computes every transcript,
// key, verify data and record as libspdm did reproduces the captured bytes exactly.
#pragma once
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "pmci/crypto/openssl.hpp"
#include "pmci/spdm/config.hpp"
#include "pmci/spdm/device.hpp"
#include "pmci/spdm/message.hpp"
#include "pmci/spdm/session/handshake.hpp"
#include "session_test_util.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

namespace pmci::spdm::session_test {

/// OpenSSL with the nondeterministic parts replaced by queued values (file comment). An empty
/// queue falls back to the real operation.
class replay_crypto : public crypto::openssl {
 public:
  std::deque<bytes> randoms, publics, secrets, signatures;
  int random_calls = 0, signs = 0;

  [[nodiscard]] result<void> random(bytes_span out) noexcept {
    ++random_calls;
    if (randoms.empty()) return crypto::openssl::random(out);
    const bytes v = randoms.front();
    randoms.pop_front();
    if (v.size() != out.size()) return errc::invalid_state;
    std::copy(v.begin(), v.end(), out.begin());
    return ok();
  }
  [[nodiscard]] result<dhe_key> dhe_generate(crypto::dhe_alg a, bytes_span out) noexcept {
    if (publics.empty()) return crypto::openssl::dhe_generate(a, out);
    const bytes v = publics.front();
    publics.pop_front();
    if (v.size() != out.size()) return errc::invalid_state;
    std::copy(v.begin(), v.end(), out.begin());
    dhe_key k;
    k.alg = a;
    return k;
  }
  [[nodiscard]] result<void> dhe_compute(dhe_key& k, bytes_view peer, bytes_span out) noexcept {
    if (secrets.empty()) return crypto::openssl::dhe_compute(k, peer, out);
    const bytes v = secrets.front();
    secrets.pop_front();
    if (v.size() != out.size()) return errc::invalid_state;
    std::copy(v.begin(), v.end(), out.begin());
    return ok();
  }
  [[nodiscard]] result<void> sign(const sign_key& k, crypto::sig_alg a, crypto::hash_alg h, bytes_view m, bytes_span out,
                                  bytes_view ctx) noexcept {
    ++signs;
    if (signatures.empty()) return crypto::openssl::sign(k, a, h, m, out, ctx);
    return pop_signature(out);
  }
  [[nodiscard]] result<void> sign_digest(const sign_key& k, crypto::sig_alg a, crypto::hash_alg h, bytes_view d,
                                         bytes_span out) noexcept {
    ++signs;
    if (signatures.empty()) return crypto::openssl::sign_digest(k, a, h, d, out);
    return pop_signature(out);
  }
  /// Queue the padding of one record: padding_length() draws one byte (r % max + 1), then the bytes.
  void queue_padding(bytes_view pad, std::size_t max = 32) {
    REQUIRE(!pad.empty());
    REQUIRE(pad.size() <= max);
    randoms.push_back(bytes{static_cast<std::byte>(pad.size() - 1)});
    randoms.push_back(to_bytes(pad));
  }

 private:
  result<void> pop_signature(bytes_span out) noexcept {
    const bytes v = signatures.front();
    signatures.pop_front();
    if (v.size() != out.size()) return errc::invalid_state;
    std::copy(v.begin(), v.end(), out.begin());
    return ok();
  }
};
static_assert(crypto::full_policy<replay_crypto> && crypto::cert_policy<replay_crypto>);

/// Plays the attestation engine of a capture: answers each forwarded request with the response
/// queued by the test, and keeps what the session layer asks for (state, negotiated parameters,
/// VCA transcript, certificate chain digests) from the captured messages themselves.
class capture_engine {
 public:
  explicit capture_engine(replay_crypto& p) : p_(p) {}

  bytes next_response;  ///< what handle() answers next (an SPDM message)
  int forwarded = 0;

  [[nodiscard]] connection_state state() const noexcept { return state_; }
  [[nodiscard]] const negotiated& negotiated_params() const noexcept { return n_; }
  [[nodiscard]] const replay_crypto::hash_state& vca_transcript() const noexcept { return a_; }
  result<void> cert_chain_digest(std::uint8_t slot, bytes_span out) noexcept {
    auto it = chains_.find(slot);
    if (it == chains_.end() || it->second.pending) return errc::out_of_range;
    const auto h = to_crypto(n_.hash);
    return crypto::compute_hash(p_, *h, it->second.bytes, out.first(n_.h()));
  }
  result<bytes_span> handle(bytes_view req, bytes_span out) noexcept {
    ++forwarded;
    if (next_response.size() > out.size()) return errc::buffer_too_small;
    std::copy(next_response.begin(), next_response.end(), out.begin());
    const bytes_span rsp = out.first(next_response.size());
    observe(req, rsp);
    next_response.clear();
    return rsp;
  }

 private:
  void observe(bytes_view req, bytes_view rsp) {
    const auto rh = header::decode(req);
    if (!rh) return;
    if (auto d = decode(req, n_)) update(n_, *d);
    if (auto d = decode(rsp, n_, response_context::answering(*rh))) update(n_, *d);
    switch (rh->request_response_code) {
      case code::get_version:
        vca_ = to_bytes(req);
        vca_.insert(vca_.end(), rsp.begin(), rsp.end());
        state_ = connection_state::after_version;
        chains_.clear();
        break;
      case code::get_capabilities:
        vca_.insert(vca_.end(), req.begin(), req.end());
        vca_.insert(vca_.end(), rsp.begin(), rsp.end());
        state_ = connection_state::after_capabilities;
        break;
      case code::negotiate_algorithms: {
        vca_.insert(vca_.end(), req.begin(), req.end());
        vca_.insert(vca_.end(), rsp.begin(), rsp.end());
        a_ = replay_crypto::hash_state{};
        REQUIRE(p_.hash_init(a_, *to_crypto(n_.hash)));
        REQUIRE(p_.hash_update(a_, vca_));
        state_ = connection_state::negotiated;
        break;
      }
      case code::get_certificate: {
        const auto c = certificate::decode(rsp, n_);
        if (!c) break;
        auto& ch = chains_[c->slot_id];
        if (!ch.pending) ch.bytes.clear();
        ch.bytes.insert(ch.bytes.end(), c->portion.begin(), c->portion.end());
        ch.pending = c->remainder_length != 0;
        break;
      }
      default: break;
    }
  }

  struct chain {
    std::vector<std::byte> bytes;
    bool pending = false;
  };
  replay_crypto& p_;
  negotiated n_{};
  connection_state state_ = connection_state::not_started;
  bytes vca_;
  replay_crypto::hash_state a_{};
  std::map<std::uint8_t, chain> chains_;
};

/// A Device for the session layer: the measurement blocks of the capture's MEASUREMENTS (for the
/// MeasurementSummaryHash), the reference PSK, a dummy signing key (the replay policy signs), the
/// requester's trust anchor for mutual authentication.
class replay_device {
 public:
  std::vector<std::uint8_t> indices;
  std::map<std::uint8_t, bytes> blocks;
  bytes psk_value = hx("5465737450736b4461746100");   // "TestPskData\0"
  bytes psk_hint = hx("5465737450736b48696e7400");    // "TestPskHint\0"
  std::vector<bytes> anchors;
  std::vector<bytes_view> anchor_views;
  replay_crypto::sign_key key{};

  bytes_view cert_chain(std::uint8_t) { return {}; }
  const replay_crypto::sign_key* sign_key(std::uint8_t) { return &key; }
  std::span<const std::uint8_t> measurement_indices() { return indices; }
  result<void> write_measurement(std::uint8_t index, const measurement_request&, writer& w) {
    auto it = blocks.find(index);
    if (it == blocks.end()) return errc::out_of_range;
    w.bytes(it->second);
    return w.status();
  }
  bytes_view psk(bytes_view hint) { return equal(hint, psk_hint) ? bytes_view{psk_value} : bytes_view{}; }
  std::span<const bytes_view> requester_trust_anchors() {
    anchor_views.assign(anchors.begin(), anchors.end());
    return anchor_views;
  }

  /// Blocks from a MEASUREMENTS response of the capture (record of every index).
  void load_measurements(bytes_view measurements_rsp) {
    reader r{measurements_rsp};
    r.skip(4);
    const auto count = r.u8();
    const auto len = r.u24le();
    reader rec{r.bytes(len)};
    for (unsigned i = 0; i < count; ++i) {
      const std::size_t at = rec.position();
      const auto idx = rec.u8();
      rec.skip(1);
      const auto size = rec.u16le();
      rec.skip(size);
      REQUIRE(rec.ok());
      indices.push_back(idx);
      blocks[idx] = to_bytes(rec.consumed().subspan(at));
    }
  }
};

/// One captured message.
struct cmsg {
  int index = 0;
  bool request = false;
  bytes bytes_;
  [[nodiscard]] std::uint8_t type() const { return std::to_integer<std::uint8_t>(bytes_.at(0)); }
  [[nodiscard]] bytes_view spdm() const { return bytes_view{bytes_}.subspan(1); }
  [[nodiscard]] code spdm_code() const { return static_cast<code>(std::to_integer<std::uint8_t>(bytes_.at(2))); }
};
inline std::vector<cmsg> capture_messages(const std::string& capture) {
  std::vector<cmsg> out;
  for (const auto& m : pmci::test::load_messages(capture)) out.push_back({m.index, m.request, m.bytes});
  return out;
}

}  // namespace pmci::spdm::session_test
