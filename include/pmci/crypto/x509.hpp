// SPDX-License-Identifier: Apache-2.0
// X.509 for SPDM: parse the fields of a DER certificate, apply the leaf rules SPDM requires, and
// validate a chain with nothing but a verify_policy (for backends without an X.509 library:
// a root of trust with a signature accelerator still validates its peer's chain).
//
//   auto cert = pmci::crypto::x509::parse_certificate(der);          // views into der
//   pmci::crypto::x509::check_spdm_leaf(leaf_der, options);           // SPDM leaf rules
//   pmci::crypto::verify_cert_chain(policy, der_certs, anchors, options);   // native or generic
//
// Leaf rules (libspdm `libspdm_x509_certificate_check`, the behaviour DMTF's reference
// implementation enforces for GET_CERTIFICATE; DSP0274's own wording — UNCONFIRMED here, this
// helper had no copy of it): X.509 v3; a serial number; non-empty issuer and subject; a
// well-formed validity period (and, when the caller has a clock, `now` inside it); a subject
// public key that fits the negotiated asymmetric algorithm; keyUsage present with
// digitalSignature; basicConstraints absent or cA = FALSE; and if extendedKeyUsage is present it
// must not name only the other role's SPDM OID (id-DMTF-eku-responder-auth 1.3.6.1.4.1.412.274.3,
// id-DMTF-eku-requester-auth 1.3.6.1.4.1.412.274.4). libspdm's alias-certificate-model extension
// check (hardware identity OID) is not applied.
//
// Freestanding and constexpr where possible: parsing never allocates, never reads out of bounds.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/core/endian.hpp"
#include "pmci/core/result.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/crypto/der.hpp"

namespace pmci::crypto::x509 {

namespace oid {
// RFC 5280 §4.2.1: id-ce-keyUsage 2.5.29.15, id-ce-basicConstraints 2.5.29.19, id-ce-extKeyUsage 2.5.29.37
inline constexpr std::array<std::byte, 3> key_usage{std::byte{0x55}, std::byte{0x1D}, std::byte{0x0F}};
inline constexpr std::array<std::byte, 3> basic_constraints{std::byte{0x55}, std::byte{0x1D}, std::byte{0x13}};
inline constexpr std::array<std::byte, 3> ext_key_usage{std::byte{0x55}, std::byte{0x1D}, std::byte{0x25}};
// DMTF SPDM EKUs (libspdm industry_standard/spdm.h): { id-DMTF-spdm 3 } and { id-DMTF-spdm 4 }
inline constexpr std::array<std::byte, 10> spdm_responder_auth{std::byte{0x2B}, std::byte{0x06}, std::byte{0x01}, std::byte{0x04}, std::byte{0x01},
                                                               std::byte{0x83}, std::byte{0x1C}, std::byte{0x82}, std::byte{0x12}, std::byte{0x03}};
inline constexpr std::array<std::byte, 10> spdm_requester_auth{std::byte{0x2B}, std::byte{0x06}, std::byte{0x01}, std::byte{0x04}, std::byte{0x01},
                                                               std::byte{0x83}, std::byte{0x1C}, std::byte{0x82}, std::byte{0x12}, std::byte{0x04}};
// RFC 5758 ecdsa-with-SHA256/384/512: 1.2.840.10045.4.3.{2,3,4}
inline constexpr std::array<std::byte, 8> ecdsa_sha256{std::byte{0x2A}, std::byte{0x86}, std::byte{0x48}, std::byte{0xCE}, std::byte{0x3D}, std::byte{0x04}, std::byte{0x03}, std::byte{0x02}};
inline constexpr std::array<std::byte, 8> ecdsa_sha384{std::byte{0x2A}, std::byte{0x86}, std::byte{0x48}, std::byte{0xCE}, std::byte{0x3D}, std::byte{0x04}, std::byte{0x03}, std::byte{0x03}};
inline constexpr std::array<std::byte, 8> ecdsa_sha512{std::byte{0x2A}, std::byte{0x86}, std::byte{0x48}, std::byte{0xCE}, std::byte{0x3D}, std::byte{0x04}, std::byte{0x03}, std::byte{0x04}};
// RFC 8017 sha{256,384,512}WithRSAEncryption: 1.2.840.113549.1.1.{11,12,13}
inline constexpr std::array<std::byte, 9> rsa_sha256{std::byte{0x2A}, std::byte{0x86}, std::byte{0x48}, std::byte{0x86}, std::byte{0xF7}, std::byte{0x0D}, std::byte{0x01}, std::byte{0x01}, std::byte{0x0B}};
inline constexpr std::array<std::byte, 9> rsa_sha384{std::byte{0x2A}, std::byte{0x86}, std::byte{0x48}, std::byte{0x86}, std::byte{0xF7}, std::byte{0x0D}, std::byte{0x01}, std::byte{0x01}, std::byte{0x0C}};
inline constexpr std::array<std::byte, 9> rsa_sha512{std::byte{0x2A}, std::byte{0x86}, std::byte{0x48}, std::byte{0x86}, std::byte{0xF7}, std::byte{0x0D}, std::byte{0x01}, std::byte{0x01}, std::byte{0x0D}};
// RFC 8017 id-mgf1 1.2.840.113549.1.1.8
inline constexpr std::array<std::byte, 9> mgf1{std::byte{0x2A}, std::byte{0x86}, std::byte{0x48}, std::byte{0x86}, std::byte{0xF7}, std::byte{0x0D}, std::byte{0x01}, std::byte{0x01}, std::byte{0x08}};
// NIST hash OIDs 2.16.840.1.101.3.4.2.{1,2,3,8,9,10}
inline constexpr std::array<std::byte, 9> sha256{std::byte{0x60}, std::byte{0x86}, std::byte{0x48}, std::byte{0x01}, std::byte{0x65}, std::byte{0x03}, std::byte{0x04}, std::byte{0x02}, std::byte{0x01}};
inline constexpr std::array<std::byte, 9> sha384{std::byte{0x60}, std::byte{0x86}, std::byte{0x48}, std::byte{0x01}, std::byte{0x65}, std::byte{0x03}, std::byte{0x04}, std::byte{0x02}, std::byte{0x02}};
inline constexpr std::array<std::byte, 9> sha512{std::byte{0x60}, std::byte{0x86}, std::byte{0x48}, std::byte{0x01}, std::byte{0x65}, std::byte{0x03}, std::byte{0x04}, std::byte{0x02}, std::byte{0x03}};
}  // namespace oid

/// The fields of a certificate, as views into its DER encoding.
struct certificate {
  bytes_view tbs{};                 ///< TBSCertificate, tag and length included (what is signed)
  bytes_view signature_oid{};       ///< Certificate.signatureAlgorithm OID contents
  bytes_view signature_params{};    ///< its parameters (whole TLVs after the OID, may be empty)
  bytes_view signature{};           ///< signatureValue bits (no unused-bits octet)
  std::uint8_t version = 0;         ///< 0 = v1, 2 = v3
  bytes_view serial{};              ///< serialNumber contents
  bytes_view issuer{};              ///< Name, whole TLV
  bytes_view subject{};             ///< Name, whole TLV
  std::int64_t not_before = 0;      ///< seconds since 1970-01-01 UTC
  std::int64_t not_after = 0;
  bytes_view spki{};                ///< SubjectPublicKeyInfo, whole TLV
  bytes_view extensions{};          ///< contents of the Extensions SEQUENCE (empty when absent)
};

namespace detail {
constexpr int digits(bytes_view s, std::size_t at, std::size_t n) noexcept {
  int v = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = std::to_integer<std::uint8_t>(s[at + i]);
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}
// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil algorithm).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}
}  // namespace detail

/// UTCTime (YYMMDDHHMMSSZ; YY < 50 is 20YY, RFC 5280 §4.1.2.5.1) or GeneralizedTime
/// (YYYYMMDDHHMMSSZ) to seconds since the epoch. Errors: invalid_field.
constexpr result<std::int64_t> parse_time(const der::tlv& t) noexcept {
  const bytes_view s = t.value;
  std::int64_t year = 0;
  std::size_t at = 0;
  if (t.tag == der::tag::utc_time && s.size() == 13) {
    const int yy = detail::digits(s, 0, 2);
    if (yy < 0) return errc::invalid_field;
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    at = 2;
  } else if (t.tag == der::tag::generalized_time && s.size() == 15) {
    const int yyyy = detail::digits(s, 0, 4);
    if (yyyy < 0) return errc::invalid_field;
    year = yyyy;
    at = 4;
  } else {
    return errc::invalid_field;
  }
  if (s[s.size() - 1] != std::byte{'Z'}) return errc::invalid_field;
  const int mo = detail::digits(s, at, 2), d = detail::digits(s, at + 2, 2), h = detail::digits(s, at + 4, 2),
            mi = detail::digits(s, at + 6, 2), se = detail::digits(s, at + 8, 2);
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || se < 0 || se > 60)
    return errc::invalid_field;
  return detail::days_from_civil(year, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 + h * 3600 +
         mi * 60 + se;
}

/// Parse the fields pmci uses (RFC 5280 §4.1). The input must be exactly one certificate.
/// Errors: truncated, invalid_field, trailing_data.
constexpr result<certificate> parse_certificate(bytes_view der_cert) noexcept {
  certificate c;
  der::reader outer{der_cert};
  PMCI_TRY_ASSIGN(const der::tlv cert, outer.next(der::tag::sequence));
  if (!outer.empty()) return errc::trailing_data;
  der::reader cr{cert.value};
  PMCI_TRY_ASSIGN(const der::tlv tbs, cr.next(der::tag::sequence));
  PMCI_TRY_ASSIGN(const der::tlv alg, cr.next(der::tag::sequence));
  PMCI_TRY_ASSIGN(const der::tlv sig, cr.next(der::tag::bit_string));
  if (!cr.empty()) return errc::invalid_field;
  if (sig.value.empty() || sig.value[0] != std::byte{0}) return errc::invalid_field;
  c.tbs = tbs.whole;
  c.signature = sig.value.subspan(1);
  der::reader ar{alg.value};
  PMCI_TRY_ASSIGN(const der::tlv alg_oid, ar.next(der::tag::oid));
  c.signature_oid = alg_oid.value;
  c.signature_params = alg.value.subspan(ar.position());

  der::reader t{tbs.value};
  PMCI_TRY_ASSIGN(const der::tlv ver, t.optional(der::tag::context(0)));
  if (ver.tag != 0) {
    der::reader vr{ver.value};
    PMCI_TRY_ASSIGN(const der::tlv v, vr.next(der::tag::integer));
    if (v.value.size() != 1 || !vr.empty()) return errc::invalid_field;
    c.version = std::to_integer<std::uint8_t>(v.value[0]);
    if (c.version > 2) return errc::invalid_field;
  }
  PMCI_TRY_ASSIGN(const der::tlv serial, t.next(der::tag::integer));
  c.serial = serial.value;
  PMCI_TRY(t.next(der::tag::sequence));  // signature AlgorithmIdentifier (must equal the outer one)
  PMCI_TRY_ASSIGN(const der::tlv issuer, t.next(der::tag::sequence));
  c.issuer = issuer.whole;
  PMCI_TRY_ASSIGN(const der::tlv validity, t.next(der::tag::sequence));
  {
    der::reader vr{validity.value};
    PMCI_TRY_ASSIGN(const der::tlv nb, vr.next());
    PMCI_TRY_ASSIGN(const der::tlv na, vr.next());
    if (!vr.empty()) return errc::invalid_field;
    PMCI_TRY_ASSIGN(c.not_before, parse_time(nb));
    PMCI_TRY_ASSIGN(c.not_after, parse_time(na));
  }
  PMCI_TRY_ASSIGN(const der::tlv subject, t.next(der::tag::sequence));
  c.subject = subject.whole;
  PMCI_TRY_ASSIGN(const der::tlv spki, t.next(der::tag::sequence));
  c.spki = spki.whole;
  PMCI_TRY(t.optional(0x81));  // issuerUniqueID [1] IMPLICIT
  PMCI_TRY(t.optional(0x82));  // subjectUniqueID [2] IMPLICIT
  PMCI_TRY_ASSIGN(const der::tlv ext, t.optional(der::tag::context(3)));
  if (ext.tag != 0) {
    der::reader er{ext.value};
    PMCI_TRY_ASSIGN(const der::tlv seq, er.next(der::tag::sequence));
    if (!er.empty()) return errc::invalid_field;
    c.extensions = seq.value;
  }
  if (!t.empty()) return errc::invalid_field;
  return c;
}

/// One extension: whether it was found, its criticality and the extnValue contents.
struct extension {
  bool present = false;
  bool critical = false;
  bytes_view value{};
};

/// Find an extension by OID. Errors: invalid_field (malformed extensions, a duplicate).
constexpr result<extension> find_extension(const certificate& c, bytes_view id) noexcept {
  extension found;
  der::reader r{c.extensions};
  while (!r.empty()) {
    PMCI_TRY_ASSIGN(const der::tlv e, r.next(der::tag::sequence));
    der::reader er{e.value};
    PMCI_TRY_ASSIGN(const der::tlv eid, er.next(der::tag::oid));
    PMCI_TRY_ASSIGN(const der::tlv crit, er.optional(der::tag::boolean));
    PMCI_TRY_ASSIGN(const der::tlv val, er.next(der::tag::octet_string));
    if (!er.empty()) return errc::invalid_field;
    if (!der::equal(eid.value, id)) continue;
    if (found.present) return errc::invalid_field;  // RFC 5280 §4.2: at most one instance
    found.present = true;
    found.critical = crit.tag != 0 && crit.value.size() == 1 && crit.value[0] != std::byte{0};
    found.value = val.value;
  }
  return found;
}

/// keyUsage bits (RFC 5280 §4.2.1.3), bit 0 = digitalSignature as the MSB of the first octet.
struct key_usage_bits {
  bool present = false;
  std::uint16_t bits = 0;  ///< bit n of the ASN.1 BIT STRING at (1 << n)
  [[nodiscard]] constexpr bool has(unsigned n) const noexcept { return (bits >> n) & 1u; }
  static constexpr unsigned digital_signature = 0, key_cert_sign = 5;
};
constexpr result<key_usage_bits> key_usage(const certificate& c) noexcept {
  PMCI_TRY_ASSIGN(const extension e, find_extension(c, oid::key_usage));
  key_usage_bits k;
  if (!e.present) return k;
  der::reader r{e.value};
  PMCI_TRY_ASSIGN(const der::tlv b, r.next(der::tag::bit_string));
  if (!r.empty() || b.value.empty() || b.value.size() > 3) return errc::invalid_field;
  k.present = true;
  for (std::size_t i = 1; i < b.value.size(); ++i)
    for (unsigned j = 0; j < 8; ++j)
      if ((std::to_integer<std::uint8_t>(b.value[i]) >> (7 - j)) & 1u) k.bits = static_cast<std::uint16_t>(k.bits | (1u << ((i - 1) * 8 + j)));
  return k;
}

/// basicConstraints cA (RFC 5280 §4.2.1.9): absent → {present=false, ca=false}.
struct basic_constraints_value {
  bool present = false;
  bool ca = false;
};
constexpr result<basic_constraints_value> basic_constraints(const certificate& c) noexcept {
  PMCI_TRY_ASSIGN(const extension e, find_extension(c, oid::basic_constraints));
  basic_constraints_value v;
  if (!e.present) return v;
  v.present = true;
  der::reader r{e.value};
  PMCI_TRY_ASSIGN(const der::tlv seq, r.next(der::tag::sequence));
  if (!r.empty()) return errc::invalid_field;
  der::reader s{seq.value};
  PMCI_TRY_ASSIGN(const der::tlv ca, s.optional(der::tag::boolean));
  if (ca.tag != 0) {
    if (ca.value.size() != 1) return errc::invalid_field;
    v.ca = ca.value[0] != std::byte{0};
  }
  PMCI_TRY(s.optional(der::tag::integer));  // pathLenConstraint
  if (!s.empty()) return errc::invalid_field;
  return v;
}

/// The last certificate of a concatenation (the leaf of an SPDM chain).
constexpr result<bytes_view> last_certificate(bytes_view chain) noexcept {
  if (chain.empty()) return errc::invalid_field;
  bytes_view last{};
  while (!chain.empty()) { PMCI_TRY_ASSIGN(last, der::next_certificate(chain)); }
  return last;
}

/// The SPDM leaf rules listed at the top of this header. Errors: invalid_field (malformed DER),
/// verify_failed (a rule is broken).
constexpr result<void> check_spdm_leaf(const certificate& c, const cert_chain_options& opts) noexcept {
  if (c.version != 2) return errc::verify_failed;
  if (c.serial.empty()) return errc::verify_failed;
  // A Name is a SEQUENCE; an empty one is 30 00.
  if (c.issuer.size() <= 2 || c.subject.size() <= 2) return errc::verify_failed;
  if (c.not_before > c.not_after) return errc::verify_failed;
  if (opts.now != 0 && (opts.now < c.not_before || opts.now > c.not_after)) return errc::verify_failed;
  auto key = der::parse_spki(c.spki);
  if (!key) return errc::invalid_field;
  if (!der::key_fits(*key, opts.leaf_alg)) return errc::verify_failed;
  PMCI_TRY_ASSIGN(const key_usage_bits ku, key_usage(c));
  if (!ku.present || !ku.has(key_usage_bits::digital_signature)) return errc::verify_failed;
  PMCI_TRY_ASSIGN(const basic_constraints_value bc, basic_constraints(c));
  if (bc.ca) return errc::verify_failed;
  PMCI_TRY_ASSIGN(const extension eku, find_extension(c, oid::ext_key_usage));
  if (eku.present) {
    der::reader r{eku.value};
    PMCI_TRY_ASSIGN(const der::tlv seq, r.next(der::tag::sequence));
    if (!r.empty()) return errc::invalid_field;
    bool rsp = false, req = false;
    der::reader s{seq.value};
    while (!s.empty()) {
      PMCI_TRY_ASSIGN(const der::tlv o, s.next(der::tag::oid));
      rsp = rsp || der::equal(o.value, oid::spdm_responder_auth);
      req = req || der::equal(o.value, oid::spdm_requester_auth);
    }
    if (opts.role == cert_role::responder && req && !rsp) return errc::verify_failed;
    if (opts.role == cert_role::requester && rsp && !req) return errc::verify_failed;
  }
  return ok();
}
constexpr result<void> check_spdm_leaf(bytes_view leaf_der, const cert_chain_options& opts) noexcept {
  PMCI_TRY_ASSIGN(const certificate c, parse_certificate(leaf_der));
  return check_spdm_leaf(c, opts);
}

/// How a certificate's signature is to be verified: the scheme for the issuer's key and the hash.
struct signature_scheme {
  sig_alg sig = sig_alg::ecdsa_p256;
  hash_alg hash = hash_alg::sha256;
};

namespace detail {
constexpr result<hash_alg> hash_from_oid(bytes_view o) noexcept {
  if (der::equal(o, oid::sha256)) return hash_alg::sha256;
  if (der::equal(o, oid::sha384)) return hash_alg::sha384;
  if (der::equal(o, oid::sha512)) return hash_alg::sha512;
  return errc::unsupported;
}
// AlgorithmIdentifier of a hash inside RSASSA-PSS-params: SEQUENCE { OID, NULL OPTIONAL }.
constexpr result<hash_alg> pss_hash(bytes_view alg_id_contents) noexcept {
  der::reader r{alg_id_contents};
  PMCI_TRY_ASSIGN(const der::tlv o, r.next(der::tag::oid));
  PMCI_TRY(r.optional(der::tag::null));
  if (!r.empty()) return errc::invalid_field;
  return hash_from_oid(o.value);
}
}  // namespace detail

/// The scheme that verifies `c`'s signature with `issuer_key` (RFC 5758, RFC 8017, RFC 8410).
/// RSA-PSS parameters must name the same hash for the message and MGF1 and a salt of the hash
/// length (what SPDM uses, spdm.md §16.2). Errors: unsupported (another algorithm),
/// invalid_field (malformed parameters), verify_failed (the issuer key cannot make such a
/// signature).
constexpr result<signature_scheme> scheme_for(const certificate& c, const der::public_key_info& issuer_key) noexcept {
  using kind = der::public_key_info::kind;
  signature_scheme s;
  const bytes_view o = c.signature_oid;
  auto ec_alg = [&]() -> result<sig_alg> {
    if (issuer_key.type != kind::ec) return errc::verify_failed;
    if (der::equal(issuer_key.curve, der::oid::secp256r1)) return sig_alg::ecdsa_p256;
    if (der::equal(issuer_key.curve, der::oid::secp384r1)) return sig_alg::ecdsa_p384;
    if (der::equal(issuer_key.curve, der::oid::secp521r1)) return sig_alg::ecdsa_p521;
    return errc::unsupported;
  };
  auto rsa_alg = [&](bool pss) -> result<sig_alg> {
    if (issuer_key.type != kind::rsa && !(pss && issuer_key.type == kind::rsa_pss)) return errc::verify_failed;
    const std::array<sig_alg, 3> candidates{pss ? sig_alg::rsapss_2048 : sig_alg::rsassa_2048,
                                            pss ? sig_alg::rsapss_3072 : sig_alg::rsassa_3072,
                                            pss ? sig_alg::rsapss_4096 : sig_alg::rsassa_4096};
    for (const sig_alg a : candidates)
      if (der::key_fits(issuer_key, a)) return a;
    return errc::unsupported;
  };
  if (der::equal(o, oid::ecdsa_sha256) || der::equal(o, oid::ecdsa_sha384) || der::equal(o, oid::ecdsa_sha512)) {
    s.hash = der::equal(o, oid::ecdsa_sha256) ? hash_alg::sha256 : der::equal(o, oid::ecdsa_sha384) ? hash_alg::sha384 : hash_alg::sha512;
    PMCI_TRY_ASSIGN(s.sig, ec_alg());
    return s;
  }
  if (der::equal(o, oid::rsa_sha256) || der::equal(o, oid::rsa_sha384) || der::equal(o, oid::rsa_sha512)) {
    s.hash = der::equal(o, oid::rsa_sha256) ? hash_alg::sha256 : der::equal(o, oid::rsa_sha384) ? hash_alg::sha384 : hash_alg::sha512;
    PMCI_TRY_ASSIGN(s.sig, rsa_alg(false));
    return s;
  }
  if (der::equal(o, der::oid::rsassa_pss)) {
    // RSASSA-PSS-params ::= SEQUENCE { [0] hashAlgorithm, [1] maskGenAlgorithm, [2] saltLength,
    // [3] trailerField } (RFC 8017 A.2.3); the SHA-1 defaults are not what SPDM uses.
    der::reader pr{c.signature_params};
    PMCI_TRY_ASSIGN(const der::tlv params, pr.next(der::tag::sequence));
    der::reader r{params.value};
    PMCI_TRY_ASSIGN(const der::tlv h0, r.next(der::tag::context(0)));
    der::reader hr{h0.value};
    PMCI_TRY_ASSIGN(const der::tlv halg, hr.next(der::tag::sequence));
    PMCI_TRY_ASSIGN(s.hash, detail::pss_hash(halg.value));
    PMCI_TRY_ASSIGN(const der::tlv m1, r.next(der::tag::context(1)));
    der::reader mr{m1.value};
    PMCI_TRY_ASSIGN(const der::tlv malg, mr.next(der::tag::sequence));
    der::reader ma{malg.value};
    PMCI_TRY_ASSIGN(const der::tlv mid, ma.next(der::tag::oid));
    if (!der::equal(mid.value, oid::mgf1)) return errc::unsupported;
    PMCI_TRY_ASSIGN(const der::tlv mh, ma.next(der::tag::sequence));
    PMCI_TRY_ASSIGN(const hash_alg mgf_hash, detail::pss_hash(mh.value));
    if (mgf_hash != s.hash) return errc::unsupported;
    PMCI_TRY_ASSIGN(const der::tlv s2, r.next(der::tag::context(2)));
    der::reader sr{s2.value};
    PMCI_TRY_ASSIGN(const der::tlv salt, sr.next(der::tag::integer));
    if (salt.value.size() != 1 || std::to_integer<std::size_t>(salt.value[0]) != digest_size(s.hash)) return errc::unsupported;
    PMCI_TRY_ASSIGN(s.sig, rsa_alg(true));
    return s;
  }
  if (der::equal(o, der::oid::ed25519) || der::equal(o, der::oid::ed448)) {
    s.sig = der::equal(o, der::oid::ed25519) ? sig_alg::ed25519 : sig_alg::ed448;
    if (!der::key_fits(issuer_key, s.sig)) return errc::verify_failed;
    return s;
  }
  return errc::unsupported;
}

}  // namespace pmci::crypto::x509

namespace pmci::crypto {

/// Verify `c`'s signature with its issuer's certificate, through any verify_policy.
/// Errors: verify_failed, unsupported, invalid_field, crypto_failure.
template <verify_policy P>
[[nodiscard]] result<void> verify_certificate_signature(P& p, const x509::certificate& c,
                                                        const x509::certificate& issuer) noexcept {
  auto ik = der::parse_spki(issuer.spki);
  if (!ik) return errc::invalid_field;
  PMCI_TRY_ASSIGN(const x509::signature_scheme s, x509::scheme_for(c, *ik));
  if (!static_cast<sig_set>(P::verify_algs).contains(s.sig)) return errc::unsupported;
  PMCI_TRY_ASSIGN(const typename P::verify_key key, p.import_public_key(s.sig, issuer.spki));
  if (is_ecdsa(s.sig)) {
    std::array<std::byte, 2 * 66> raw{};
    const auto f = ec_field_size(s.sig);
    if (!der::ecdsa_der_to_raw(c.signature, f, raw)) return errc::verify_failed;
    return p.verify(key, s.sig, s.hash, c.tbs, std::span<const std::byte>(raw).first(2 * f), {});
  }
  return p.verify(key, s.sig, s.hash, c.tbs, c.signature, {});
}

/// Chain validation with nothing but a verify_policy (see cert_policy for the contract).
/// Each certificate must be issued (issuer name = previous subject, signature verifies) by the one
/// before it, and every issuing certificate must be a CA (basicConstraints cA, keyCertSign when
/// keyUsage is present); the first certificate must be a trust anchor (byte-equal) or be issued by
/// one; opts.now (when non-zero) must fall in every certificate's validity; the leaf must pass
/// check_spdm_leaf. Returns the leaf's public key imported for opts.leaf_alg.
template <verify_policy P>
[[nodiscard]] result<typename P::verify_key> generic_verify_cert_chain(P& p, bytes_view der_certs,
                                                                       std::span<const bytes_view> anchors,
                                                                       const cert_chain_options& opts) noexcept {
  if (!static_cast<sig_set>(P::verify_algs).contains(opts.leaf_alg)) return errc::unsupported;
  PMCI_TRY(der::count_certificates(der_certs));
  auto is_ca = [](const x509::certificate& c) -> result<void> {
    PMCI_TRY_ASSIGN(const auto bc, x509::basic_constraints(c));
    if (!bc.ca) return errc::verify_failed;
    PMCI_TRY_ASSIGN(const auto ku, x509::key_usage(c));
    if (ku.present && !ku.has(x509::key_usage_bits::key_cert_sign)) return errc::verify_failed;
    return ok();
  };
  auto in_time = [&](const x509::certificate& c) {
    return c.not_before <= c.not_after && (opts.now == 0 || (opts.now >= c.not_before && opts.now <= c.not_after));
  };
  bytes_view rest = der_certs;
  x509::certificate prev{};
  for (std::size_t i = 0; !rest.empty(); ++i) {
    PMCI_TRY_ASSIGN(const bytes_view der, der::next_certificate(rest));
    PMCI_TRY_ASSIGN(const x509::certificate c, x509::parse_certificate(der));
    if (!in_time(c)) return errc::verify_failed;
    if (i == 0) {
      bool trusted = false;
      for (const bytes_view a : anchors) {
        if (der::equal(a, der)) { trusted = true; break; }
      }
      for (std::size_t k = 0; !trusted && k < anchors.size(); ++k) {
        auto a = x509::parse_certificate(anchors[k]);
        if (!a || !der::equal(a->subject, c.issuer) || !is_ca(*a)) continue;
        auto r = verify_certificate_signature(p, c, *a);
        if (r) trusted = true;
        else if (r.error() == errc::crypto_failure) return r.error();
      }
      if (!trusted) return errc::verify_failed;
    } else {
      if (!der::equal(c.issuer, prev.subject)) return errc::verify_failed;
      PMCI_TRY(is_ca(prev));
      PMCI_TRY(verify_certificate_signature(p, c, prev));
    }
    prev = c;
  }
  PMCI_TRY(x509::check_spdm_leaf(prev, opts));
  return p.import_public_key(opts.leaf_alg, prev.spki);
}

/// A policy with which pmci::crypto::verify_cert_chain() works.
template <class P>
concept cert_capable = cert_policy<P> || verify_policy<P>;

/// Validate a chain: the policy's own verify_cert_chain when it has one, else
/// generic_verify_cert_chain. See cert_policy for arguments and errors.
template <cert_capable P>
[[nodiscard]] result<typename P::verify_key> verify_cert_chain(P& p, bytes_view der_certs,
                                                               std::span<const bytes_view> anchors,
                                                               const cert_chain_options& opts) noexcept {
  if constexpr (cert_policy<P>) {
    return p.verify_cert_chain(der_certs, anchors, opts);
  } else {
    return generic_verify_cert_chain(p, der_certs, anchors, opts);
  }
}

}  // namespace pmci::crypto
