// SPDX-License-Identifier: Apache-2.0
// A minimal DER (ITU-T X.690) reader and the few encodings pmci's crypto layer converts:
// splitting a concatenation of certificates, ECDSA signatures between DER and SPDM's r‖s, and
// SubjectPublicKeyInfo fields. Constexpr, freestanding, bounds-checked: hostile input yields an
// errc, never a read past the span.
//
//   der::reader r{bytes};  auto seq = r.next(der::tag::sequence);   // a TLV, value as a span
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/core/endian.hpp"
#include "pmci/core/result.hpp"
#include "pmci/crypto/algorithms.hpp"

namespace pmci::crypto::der {

/// Universal and context tags used by X.509 (X.690 §8; single-byte identifiers only).
namespace tag {
inline constexpr std::uint8_t boolean = 0x01;
inline constexpr std::uint8_t integer = 0x02;
inline constexpr std::uint8_t bit_string = 0x03;
inline constexpr std::uint8_t octet_string = 0x04;
inline constexpr std::uint8_t null = 0x05;
inline constexpr std::uint8_t oid = 0x06;
inline constexpr std::uint8_t utc_time = 0x17;
inline constexpr std::uint8_t generalized_time = 0x18;
inline constexpr std::uint8_t sequence = 0x30;
inline constexpr std::uint8_t set = 0x31;
/// [n] EXPLICIT / constructed context-specific tag.
constexpr std::uint8_t context(std::uint8_t n) noexcept { return static_cast<std::uint8_t>(0xA0 | n); }
}  // namespace tag

/// One TLV: its tag, its contents and the whole encoding (tag and length included).
struct tlv {
  std::uint8_t tag = 0;
  bytes_view value{};
  bytes_view whole{};
};

/// Reads consecutive TLVs from a span.
class reader {
 public:
  constexpr reader() noexcept = default;
  constexpr explicit reader(bytes_view in) noexcept : in_(in) {}

  [[nodiscard]] constexpr bool empty() const noexcept { return pos_ >= in_.size(); }
  [[nodiscard]] constexpr std::size_t position() const noexcept { return pos_; }
  /// Tag of the next TLV without consuming it (0 when empty).
  [[nodiscard]] constexpr std::uint8_t peek() const noexcept {
    return empty() ? 0 : std::to_integer<std::uint8_t>(in_[pos_]);
  }

  /// The next TLV. Errors: truncated (the length runs past the input), invalid_field (high-tag
  /// form, indefinite or non-minimal length, length over 2^32).
  constexpr result<tlv> next() noexcept {
    const std::size_t start = pos_;
    if (in_.size() - pos_ < 2) return errc::truncated;
    const auto t = std::to_integer<std::uint8_t>(in_[pos_++]);
    if ((t & 0x1F) == 0x1F) return errc::invalid_field;  // high tag numbers: not used by X.509
    std::size_t len = std::to_integer<std::uint8_t>(in_[pos_++]);
    if (len & 0x80) {
      const std::size_t n = len & 0x7F;
      if (n == 0 || n > 4) return errc::invalid_field;  // indefinite (BER only) or absurd
      if (in_.size() - pos_ < n) return errc::truncated;
      len = 0;
      for (std::size_t i = 0; i < n; ++i) len = (len << 8) | std::to_integer<std::uint8_t>(in_[pos_++]);
      // X.690 §10.1: the definite form uses the fewest octets.
      if (len < 0x80 || (n > 1 && (len >> (8 * (n - 1))) == 0)) return errc::invalid_field;
    }
    if (in_.size() - pos_ < len) return errc::truncated;
    tlv out;
    out.tag = t;
    out.value = in_.subspan(pos_, len);
    pos_ += len;
    out.whole = in_.subspan(start, pos_ - start);
    return out;
  }

  /// The next TLV, which must carry tag `t` (else invalid_field).
  constexpr result<tlv> next(std::uint8_t t) noexcept {
    if (empty()) return errc::truncated;
    if (peek() != t) return errc::invalid_field;
    return next();
  }

  /// The next TLV if it carries tag `t`; an empty tlv (tag 0) when it does not or input ended.
  constexpr result<tlv> optional(std::uint8_t t) noexcept {
    if (empty() || peek() != t) return tlv{};
    return next();
  }

 private:
  bytes_view in_{};
  std::size_t pos_ = 0;
};

/// Byte-wise equality (OIDs, names). Not constant-time; for public data only.
[[nodiscard]] constexpr bool equal(bytes_view a, bytes_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (a[i] != b[i]) return false;
  return true;
}

/// Split the first DER certificate (a SEQUENCE) off a concatenation; `rest` advances past it.
/// Errors: truncated, invalid_field (not a SEQUENCE, bad length).
constexpr result<bytes_view> next_certificate(bytes_view& rest) noexcept {
  reader r{rest};
  PMCI_TRY_ASSIGN(const tlv cert, r.next(tag::sequence));
  rest = rest.subspan(cert.whole.size());
  return cert.whole;
}

/// Number of certificates in a concatenation, or the first error (an empty input is
/// invalid_field: an SPDM chain holds at least one certificate).
constexpr result<std::size_t> count_certificates(bytes_view chain) noexcept {
  if (chain.empty()) return errc::invalid_field;
  std::size_t n = 0;
  while (!chain.empty()) {
    PMCI_TRY(next_certificate(chain));
    ++n;
  }
  return n;
}

/// The value of a DER INTEGER that must be non-negative, without its leading zero octet.
/// Errors: invalid_field (empty, negative, non-minimal).
constexpr result<bytes_view> unsigned_integer(bytes_view v) noexcept {
  if (v.empty()) return errc::invalid_field;
  if ((std::to_integer<std::uint8_t>(v[0]) & 0x80) != 0) return errc::invalid_field;  // negative
  if (v.size() > 1 && v[0] == std::byte{0}) {
    if ((std::to_integer<std::uint8_t>(v[1]) & 0x80) == 0) return errc::invalid_field;  // non-minimal
    v = v.subspan(1);
  }
  return v;
}

/// ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER } (RFC 5480 / SEC 1) to SPDM's r‖s with
/// each value left-padded to `field_size`. Writes 2 * field_size bytes.
/// Errors: invalid_field (malformed, r or s longer than the field, trailing data),
/// buffer_too_small.
constexpr result<void> ecdsa_der_to_raw(bytes_view der_sig, std::size_t field_size, bytes_span out) noexcept {
  if (out.size() < 2 * field_size) return errc::buffer_too_small;
  reader outer{der_sig};
  PMCI_TRY_ASSIGN(const tlv seq, outer.next(tag::sequence));
  if (!outer.empty()) return errc::invalid_field;
  reader in{seq.value};
  for (std::size_t k = 0; k < 2; ++k) {
    PMCI_TRY_ASSIGN(const tlv i, in.next(tag::integer));
    PMCI_TRY_ASSIGN(const bytes_view v, unsigned_integer(i.value));
    if (v.size() > field_size) return errc::invalid_field;
    const auto dst = out.subspan(k * field_size, field_size);
    const std::size_t pad = field_size - v.size();
    for (std::size_t j = 0; j < pad; ++j) dst[j] = std::byte{0};
    for (std::size_t j = 0; j < v.size(); ++j) dst[pad + j] = v[j];
  }
  if (!in.empty()) return errc::invalid_field;
  return ok();
}

/// Largest DER ECDSA signature for a field of `field_size` bytes.
constexpr std::size_t ecdsa_der_max_size(std::size_t field_size) noexcept { return 2 * (field_size + 1 + 3) + 4; }

/// SPDM r‖s (2 * field_size bytes) to ECDSA-Sig-Value DER. Returns the DER size.
/// Errors: invalid_field (odd size), buffer_too_small.
constexpr result<std::size_t> ecdsa_raw_to_der(bytes_view raw, bytes_span out) noexcept {
  if (raw.empty() || raw.size() % 2 != 0) return errc::invalid_field;
  const std::size_t f = raw.size() / 2;
  std::size_t starts[2]{};
  std::size_t lens[2]{};  // integer content length including a 0x00 sign octet when needed
  bool pad[2]{};
  for (std::size_t k = 0; k < 2; ++k) {
    const auto v = raw.subspan(k * f, f);
    std::size_t s = 0;
    while (s + 1 < f && v[s] == std::byte{0}) ++s;
    starts[k] = s;
    pad[k] = (std::to_integer<std::uint8_t>(v[s]) & 0x80) != 0;
    lens[k] = f - s + (pad[k] ? 1 : 0);
  }
  auto len_octets = [](std::size_t n) -> std::size_t { return n < 0x80 ? 1 : (n < 0x100 ? 2 : 3); };
  const std::size_t body = 2 + len_octets(lens[0]) - 1 + lens[0] + 2 + len_octets(lens[1]) - 1 + lens[1];
  const std::size_t total = 1 + len_octets(body) + body;
  if (out.size() < total) return errc::buffer_too_small;
  std::size_t o = 0;
  auto put_len = [&](std::size_t n) {
    if (n >= 0x100) { out[o++] = std::byte{0x82}; out[o++] = std::byte(static_cast<std::uint8_t>(n >> 8)); }
    else if (n >= 0x80) { out[o++] = std::byte{0x81}; }
    out[o++] = std::byte(static_cast<std::uint8_t>(n & 0xFF));
  };
  out[o++] = std::byte{tag::sequence};
  put_len(body);
  for (std::size_t k = 0; k < 2; ++k) {
    out[o++] = std::byte{tag::integer};
    put_len(lens[k]);
    if (pad[k]) out[o++] = std::byte{0};
    for (std::size_t j = starts[k]; j < f; ++j) out[o++] = raw[k * f + j];
  }
  return o;
}

// ---- object identifiers (DER contents octets) ---------------------------------------------------

namespace oid {
// RFC 5480 / RFC 3279
inline constexpr std::array<std::byte, 7> ec_public_key{std::byte{0x2A}, std::byte{0x86}, std::byte{0x48}, std::byte{0xCE}, std::byte{0x3D}, std::byte{0x02}, std::byte{0x01}};
inline constexpr std::array<std::byte, 8> secp256r1{std::byte{0x2A}, std::byte{0x86}, std::byte{0x48}, std::byte{0xCE}, std::byte{0x3D}, std::byte{0x03}, std::byte{0x01}, std::byte{0x07}};
inline constexpr std::array<std::byte, 5> secp384r1{std::byte{0x2B}, std::byte{0x81}, std::byte{0x04}, std::byte{0x00}, std::byte{0x22}};
inline constexpr std::array<std::byte, 5> secp521r1{std::byte{0x2B}, std::byte{0x81}, std::byte{0x04}, std::byte{0x00}, std::byte{0x23}};
// RFC 8017: rsaEncryption 1.2.840.113549.1.1.1, id-RSASSA-PSS 1.2.840.113549.1.1.10
inline constexpr std::array<std::byte, 9> rsa_encryption{std::byte{0x2A}, std::byte{0x86}, std::byte{0x48}, std::byte{0x86}, std::byte{0xF7}, std::byte{0x0D}, std::byte{0x01}, std::byte{0x01}, std::byte{0x01}};
inline constexpr std::array<std::byte, 9> rsassa_pss{std::byte{0x2A}, std::byte{0x86}, std::byte{0x48}, std::byte{0x86}, std::byte{0xF7}, std::byte{0x0D}, std::byte{0x01}, std::byte{0x01}, std::byte{0x0A}};
// RFC 8410: id-Ed25519 1.3.101.112, id-Ed448 1.3.101.113
inline constexpr std::array<std::byte, 3> ed25519{std::byte{0x2B}, std::byte{0x65}, std::byte{0x70}};
inline constexpr std::array<std::byte, 3> ed448{std::byte{0x2B}, std::byte{0x65}, std::byte{0x71}};
}  // namespace oid

/// What a SubjectPublicKeyInfo holds.
struct public_key_info {
  enum class kind : std::uint8_t { unknown, ec, rsa, rsa_pss, ed25519, ed448 } type = kind::unknown;
  bytes_view algorithm_params{};  ///< the AlgorithmIdentifier parameters (EC: the curve OID TLV)
  bytes_view curve{};             ///< EC: the named curve OID contents
  bytes_view key{};               ///< subjectPublicKey bits (EC: 04‖X‖Y; RSA: RSAPublicKey DER)
  bytes_view modulus{};           ///< RSA: modulus without sign octet
  bytes_view exponent{};          ///< RSA: public exponent
};

/// Parse SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT
/// STRING } (RFC 5280 §4.1.2.7). Errors: truncated, invalid_field, trailing_data.
constexpr result<public_key_info> parse_spki(bytes_view spki) noexcept {
  reader outer{spki};
  PMCI_TRY_ASSIGN(const tlv seq, outer.next(tag::sequence));
  if (!outer.empty()) return errc::trailing_data;
  reader r{seq.value};
  PMCI_TRY_ASSIGN(const tlv alg, r.next(tag::sequence));
  PMCI_TRY_ASSIGN(const tlv bits, r.next(tag::bit_string));
  if (!r.empty()) return errc::invalid_field;
  if (bits.value.empty() || bits.value[0] != std::byte{0}) return errc::invalid_field;  // unused bits
  public_key_info info;
  info.key = bits.value.subspan(1);
  reader a{alg.value};
  PMCI_TRY_ASSIGN(const tlv id, a.next(tag::oid));
  info.algorithm_params = alg.value.subspan(a.position());
  if (equal(id.value, oid::ec_public_key)) {
    info.type = public_key_info::kind::ec;
    PMCI_TRY_ASSIGN(const tlv curve, a.next(tag::oid));
    info.curve = curve.value;
  } else if (equal(id.value, oid::rsa_encryption) || equal(id.value, oid::rsassa_pss)) {
    info.type = equal(id.value, oid::rsa_encryption) ? public_key_info::kind::rsa : public_key_info::kind::rsa_pss;
    reader k{info.key};
    PMCI_TRY_ASSIGN(const tlv rsa, k.next(tag::sequence));
    if (!k.empty()) return errc::invalid_field;
    reader kv{rsa.value};
    PMCI_TRY_ASSIGN(const tlv n, kv.next(tag::integer));
    PMCI_TRY_ASSIGN(const tlv e, kv.next(tag::integer));
    if (!kv.empty()) return errc::invalid_field;
    PMCI_TRY_ASSIGN(info.modulus, unsigned_integer(n.value));
    PMCI_TRY_ASSIGN(info.exponent, unsigned_integer(e.value));
  } else if (equal(id.value, oid::ed25519)) {
    info.type = public_key_info::kind::ed25519;
  } else if (equal(id.value, oid::ed448)) {
    info.type = public_key_info::kind::ed448;
  }
  return info;
}

/// Does this public key fit the signature algorithm (type, curve, RSA modulus size)?
/// For RSA-PSS both rsaEncryption and id-RSASSA-PSS keys fit; for PKCS#1 v1.5 only rsaEncryption.
[[nodiscard]] constexpr bool key_fits(const public_key_info& k, sig_alg s) noexcept {
  using kind = public_key_info::kind;
  if (is_ecdsa(s)) {
    if (k.type != kind::ec || k.key.size() != 1 + 2 * ec_field_size(s) || k.key[0] != std::byte{0x04}) return false;
    if (s == sig_alg::ecdsa_p256) return equal(k.curve, oid::secp256r1);
    if (s == sig_alg::ecdsa_p384) return equal(k.curve, oid::secp384r1);
    return equal(k.curve, oid::secp521r1);
  }
  if (is_rsa(s)) {
    if (!(k.type == kind::rsa || (is_rsa_pss(s) && k.type == kind::rsa_pss))) return false;
    if (k.modulus.empty()) return false;
    std::size_t bits = 8 * k.modulus.size();
    for (auto top = std::to_integer<std::uint8_t>(k.modulus[0]); (top & 0x80) == 0 && bits > 0; top = static_cast<std::uint8_t>(top << 1)) --bits;
    return bits == rsa_bits(s);
  }
  if (s == sig_alg::ed25519) return k.type == kind::ed25519 && k.key.size() == 32;
  if (s == sig_alg::ed448) return k.type == kind::ed448 && k.key.size() == 57;
  return false;
}

// ---- SubjectPublicKeyInfo encoding (for backends that export raw public keys, e.g. PSA) ------------

namespace detail {
constexpr std::size_t length_octets(std::size_t n) noexcept { return n < 0x80 ? 1 : n < 0x100 ? 2 : 3; }
constexpr std::size_t tlv_size(std::size_t n) noexcept { return 1 + length_octets(n) + n; }
struct writer {
  bytes_span out;
  std::size_t o = 0;
  constexpr void byte(std::uint8_t b) noexcept { out[o++] = std::byte{b}; }
  constexpr void header(std::uint8_t t, std::size_t n) noexcept {
    byte(t);
    if (n >= 0x100) { byte(0x82); byte(static_cast<std::uint8_t>(n >> 8)); }
    else if (n >= 0x80) { byte(0x81); }
    byte(static_cast<std::uint8_t>(n & 0xFF));
  }
  constexpr void raw(bytes_view v) noexcept { for (auto b : v) out[o++] = b; }
};
}  // namespace detail

/// SubjectPublicKeyInfo for an EC public key: `point` is the SEC 1 uncompressed point (04‖X‖Y)
/// on the curve of ECDSA algorithm `s` (RFC 5480). Returns the size written.
/// Errors: invalid_field (not an EC algorithm, wrong point size), buffer_too_small.
constexpr result<std::size_t> write_ec_spki(sig_alg s, bytes_view point, bytes_span out) noexcept {
  if (!is_ecdsa(s) || point.size() != 1 + 2 * ec_field_size(s) || point[0] != std::byte{0x04}) return errc::invalid_field;
  const bytes_view curve = s == sig_alg::ecdsa_p256 ? bytes_view(oid::secp256r1)
                           : s == sig_alg::ecdsa_p384 ? bytes_view(oid::secp384r1) : bytes_view(oid::secp521r1);
  const std::size_t alg = detail::tlv_size(oid::ec_public_key.size()) + detail::tlv_size(curve.size());
  const std::size_t body = detail::tlv_size(alg) + detail::tlv_size(1 + point.size());
  if (out.size() < detail::tlv_size(body)) return errc::buffer_too_small;
  detail::writer w{out};
  w.header(tag::sequence, body);
  w.header(tag::sequence, alg);
  w.header(tag::oid, oid::ec_public_key.size());
  w.raw(oid::ec_public_key);
  w.header(tag::oid, curve.size());
  w.raw(curve);
  w.header(tag::bit_string, 1 + point.size());
  w.byte(0);
  w.raw(point);
  return w.o;
}

/// SubjectPublicKeyInfo for an RSA public key given as RSAPublicKey DER (RFC 8017 A.1.1), with
/// the rsaEncryption algorithm identifier (NULL parameters). Returns the size written.
/// Errors: invalid_field (empty key), buffer_too_small.
constexpr result<std::size_t> write_rsa_spki(bytes_view rsa_public_key, bytes_span out) noexcept {
  if (rsa_public_key.empty()) return errc::invalid_field;
  const std::size_t alg = detail::tlv_size(oid::rsa_encryption.size()) + 2;
  const std::size_t body = detail::tlv_size(alg) + detail::tlv_size(1 + rsa_public_key.size());
  if (out.size() < detail::tlv_size(body)) return errc::buffer_too_small;
  detail::writer w{out};
  w.header(tag::sequence, body);
  w.header(tag::sequence, alg);
  w.header(tag::oid, oid::rsa_encryption.size());
  w.raw(oid::rsa_encryption);
  w.header(tag::null, 0);
  w.header(tag::bit_string, 1 + rsa_public_key.size());
  w.byte(0);
  w.raw(rsa_public_key);
  return w.o;
}

}  // namespace pmci::crypto::der
