// SPDX-License-Identifier: Apache-2.0
// Explicit-offset access to the captured spdm-emu traffic (tests/data/vectors), for the crypto
// tests only: these tests must not depend on pmci's SPDM codecs, so the few fields they need are
// read here by offset, following spdm.md §5 (ALGORITHMS), §6.3 (CERTIFICATE), §6.4
// (CHALLENGE_AUTH), §7.2 (MEASUREMENTS), §10 (KEY_EXCHANGE_RSP, PSK_EXCHANGE_RSP) and §10.6
// (encapsulated messages). Every SPDM message in messages.txt is preceded by the MCTP type 0x05.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pmci/core/endian.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"
#include "test_util.hpp"

namespace pmci::test::crypto {

/// SPDM request/response codes used below (spdm.md §2).
namespace code {
inline constexpr std::uint8_t get_digests = 0x81, digests = 0x01, get_certificate = 0x82, certificate = 0x02,
                              challenge = 0x83, challenge_auth = 0x03, get_measurements = 0xE0, measurements = 0x60,
                              key_exchange = 0xE4, key_exchange_rsp = 0x64, psk_exchange = 0xE6,
                              psk_exchange_rsp = 0x66, finish = 0xE5, encapsulated_request = 0x6A,
                              deliver_encapsulated_response = 0xEB, encapsulated_response_ack = 0x6B;
}

/// One SPDM message of a capture (without the MCTP type byte).
struct spdm_message {
  int index = 0;
  bool request = false;
  bytes bytes_;
  [[nodiscard]] std::uint8_t version() const { return std::to_integer<std::uint8_t>(bytes_.at(0)); }
  [[nodiscard]] std::uint8_t code() const { return std::to_integer<std::uint8_t>(bytes_.at(1)); }
  [[nodiscard]] std::uint8_t param1() const { return std::to_integer<std::uint8_t>(bytes_.at(2)); }
  [[nodiscard]] std::uint8_t param2() const { return std::to_integer<std::uint8_t>(bytes_.at(3)); }
  [[nodiscard]] pmci::bytes_view view() const { return {bytes_.data(), bytes_.size()}; }
};

/// The plain (type 0x05) SPDM messages of a capture, in order; secured records are skipped.
inline std::vector<spdm_message> plain_messages(const std::string& capture) {
  std::vector<spdm_message> out;
  for (const auto& m : pmci::test::load_messages(capture)) {
    if (m.bytes.empty() || m.bytes[0] != std::byte{0x05}) continue;
    out.push_back({m.index, m.request, bytes(m.bytes.begin() + 1, m.bytes.end())});
  }
  return out;
}

inline std::uint32_t u32le_at(const bytes& b, std::size_t at) { return pmci::load_u32le(pmci::bytes_view(b).subspan(at, 4)); }
inline std::uint16_t u16le_at(const bytes& b, std::size_t at) { return pmci::load_u16le(pmci::bytes_view(b).subspan(at, 2)); }

/// What the connection negotiated, read from VERSION/ALGORITHMS.
struct negotiated {
  std::uint8_t version = 0;  ///< e.g. 0x12
  pmci::crypto::hash_alg hash{};
  pmci::crypto::sig_alg asym{};
  std::optional<pmci::crypto::sig_alg> req_asym;
  std::optional<pmci::crypto::dhe_alg> dhe;
  std::optional<pmci::crypto::aead_alg> aead;
  [[nodiscard]] std::size_t h() const { return pmci::crypto::digest_size(hash); }
  [[nodiscard]] std::size_t s() const { return pmci::crypto::signature_size(asym); }
};

inline int single_bit(std::uint32_t v) {
  REQUIRE(v != 0);
  REQUIRE((v & (v - 1)) == 0);  // ALGORITHMS selects exactly one
  int i = 0;
  while (((v >> i) & 1u) == 0) ++i;
  return i;
}

// spdm.md §5.3 bit numbers → pmci::crypto enums.
inline pmci::crypto::sig_alg asym_from_bit(int bit) {
  using pmci::crypto::sig_alg;
  constexpr sig_alg by_bit[] = {sig_alg::rsassa_2048, sig_alg::rsapss_2048, sig_alg::rsassa_3072, sig_alg::rsapss_3072,
                                sig_alg::ecdsa_p256,  sig_alg::rsassa_4096, sig_alg::rsapss_4096, sig_alg::ecdsa_p384,
                                sig_alg::ecdsa_p521,  sig_alg::ed25519 /* bit 9 is SM2: not used */, sig_alg::ed25519,
                                sig_alg::ed448};
  REQUIRE(bit != 9);
  return by_bit[bit];
}

inline negotiated negotiation(const std::vector<spdm_message>& msgs) {
  negotiated n;
  const spdm_message* alg = nullptr;
  for (const auto& m : msgs)
    if (!m.request && m.code() == 0x63) { alg = &m; break; }
  REQUIRE(alg != nullptr);
  n.version = alg->version();
  const bytes& b = alg->bytes_;
  // header(4) Length(2) MeasSpec(1) OtherParams(1) MeasHash(4) BaseAsymSel(4) BaseHashSel(4)
  // reserved(12) ExtAsymSelCount(1) ExtHashSelCount(1) reserved(2) then AlgStructs.
  n.asym = asym_from_bit(single_bit(u32le_at(b, 12)));
  n.hash = static_cast<pmci::crypto::hash_alg>(single_bit(u32le_at(b, 16)));  // bit i = enum i (SHA-2, SHA3)
  const std::size_t ext = std::to_integer<std::size_t>(b.at(32)) + std::to_integer<std::size_t>(b.at(33));
  std::size_t at = 36 + 4 * ext;
  for (unsigned i = 0; i < alg->param1(); ++i) {  // Param1 = number of AlgStructs (1.1+)
    const auto type = std::to_integer<std::uint8_t>(b.at(at));
    const std::uint16_t bits = u16le_at(b, at + 2);
    if (type == 2) n.dhe = static_cast<pmci::crypto::dhe_alg>(single_bit(bits));
    if (type == 3) n.aead = static_cast<pmci::crypto::aead_alg>(single_bit(bits));
    if (type == 4 && bits != 0) n.req_asym = asym_from_bit(single_bit(bits));
    at += 4;
  }
  return n;
}

/// The SPDM certificate chain of a CERTIFICATE response (header and root hash included), when the
/// whole chain came in one response (true for every capture here: RemainderLength = 0).
inline bytes certificate_chain(const spdm_message& cert) {
  REQUIRE(cert.code() == code::certificate);
  const std::uint16_t portion = u16le_at(cert.bytes_, 4);
  REQUIRE(u16le_at(cert.bytes_, 6) == 0);  // RemainderLength
  REQUIRE(cert.bytes_.size() == 8u + portion);
  return bytes(cert.bytes_.begin() + 8, cert.bytes_.end());
}

/// The DER certificates of an SPDM certificate chain: Length(2) Reserved(2) RootHash(H) certs.
inline bytes der_certificates(const bytes& spdm_chain, std::size_t h) {
  REQUIRE(u16le_at(spdm_chain, 0) == spdm_chain.size());
  return bytes(spdm_chain.begin() + static_cast<std::ptrdiff_t>(4 + h), spdm_chain.end());
}

/// The message inside ENCAPSULATED_REQUEST / DELIVER_ENCAPSULATED_RESPONSE (header then the
/// message) or ENCAPSULATED_RESPONSE_ACK (1.2+: header, AckRequestID, 3 reserved, message).
inline spdm_message encapsulated_inner(const spdm_message& outer) {
  std::size_t skip = 4;
  if (outer.code() == code::encapsulated_response_ack && outer.version() >= 0x12) skip = 8;
  REQUIRE(outer.bytes_.size() > skip);
  return {outer.index, outer.request, bytes(outer.bytes_.begin() + static_cast<std::ptrdiff_t>(skip), outer.bytes_.end())};
}

/// The 100-byte SPDM 1.2+ signing prefix (spdm.md §16.2): "dmtf-spdm-v1.X.*" four times, then the
/// context string right-aligned in 36 bytes with leading zeros.
inline bytes signing_prefix(std::uint8_t version, const std::string& context) {
  std::string one = "dmtf-spdm-v1.X.*";
  one[13] = static_cast<char>('0' + (version & 0xF));
  bytes out;
  for (int i = 0; i < 4; ++i) {
    const bytes a = ascii(one);
    out.insert(out.end(), a.begin(), a.end());
  }
  REQUIRE(context.size() <= 36);
  out.insert(out.end(), 36 - context.size(), std::byte{0});
  const bytes c = ascii(context);
  out.insert(out.end(), c.begin(), c.end());
  REQUIRE(out.size() == 100);
  return out;
}

}  // namespace pmci::test::crypto
