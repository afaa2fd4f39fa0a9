// SPDX-License-Identifier: Apache-2.0
// The SPDM certificate chain format (spdm.md §6.1): what CERTIFICATE portions reassemble into, what
// DIGESTS hash and what SET_CERTIFICATE carries.
//
//   | Length(2, whole chain incl. this header) | Reserved(2) | RootHash(H) | Certificates |
//
// Certificates are concatenated DER X.509 certificates, root first, leaf last. They are delimited
// by their outer DER SEQUENCE tag and length only; pmci does not parse X.509 here (the crypto
// policy checks certificates). decode() checks that the certificates exactly fill the chain.
#pragma once
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

/// Total size (tag + length + content) of the DER SEQUENCE at the front of der. Only definite,
/// minimally encoded lengths of up to 4 bytes are accepted (DER, X.690 §10.1). Returns
/// truncated when der ends before the header or the content does, invalid_field for another tag
/// or a non-DER length.
constexpr result<std::size_t> der_sequence_size(bytes_view der) noexcept {
  // Direct byte access, each read below a size checked just before (a reader per byte costs a
  // few hundred bytes of Thumb-2 in the responder, which hashes the root certificate).
  const auto b = [der](std::size_t i) { return std::size_t{std::to_integer<std::uint8_t>(der[i])}; };
  if (der.size() < 2) return errc::truncated;
  if (b(0) != 0x30) return errc::invalid_field;
  std::size_t len = b(1), head = 2;
  if (len & 0x80) {
    const std::size_t n = len & 0x7F;
    if (n == 0 || n > 4) return errc::invalid_field;  // indefinite form, or absurdly long
    if (der.size() < 2 + n) return errc::truncated;
    len = 0;
    for (std::size_t i = 0; i < n; ++i) len = (len << 8) | b(2 + i);
    head += n;
    if (len < 0x80 || (len >> (8 * (n - 1))) == 0) return errc::invalid_field;  // not minimal
  }
  if (len > der.size() - head) return errc::truncated;
  return head + len;
}

/// A decoded certificate chain: views into the chain bytes.
/// decode() returns truncated (shorter than 4 bytes or than Length), trailing_data (longer than
/// Length), reserved_nonzero, invalid_field (Length shorter than header + RootHash, no
/// certificate, a certificate that is not a DER SEQUENCE or overruns the chain), invalid_state
/// (no hash negotiated).
struct cert_chain {
  static constexpr std::size_t header_size = 4;
  static constexpr std::size_t max_size = 0xFFFF;  // 16-bit Length (1.0-1.3)

  bytes_view root_hash{};
  bytes_view certificates{};  // one or more DER certificates, root first

  constexpr std::size_t size() const noexcept { return header_size + root_hash.size() + certificates.size(); }

  /// Iterates the DER certificates (valid for a chain that decode() accepted).
  class iterator {
   public:
    constexpr iterator() noexcept = default;
    constexpr explicit iterator(bytes_view rest) noexcept : rest_(rest) {}
    constexpr bytes_view operator*() const noexcept { return rest_.first(der_sequence_size(rest_).value_or(rest_.size())); }
    constexpr iterator& operator++() noexcept { rest_ = rest_.subspan((**this).size()); return *this; }
    constexpr bool operator==(const iterator& o) const noexcept { return rest_.size() == o.rest_.size(); }

   private:
    bytes_view rest_{};
  };
  constexpr iterator begin() const noexcept { return iterator{certificates}; }
  constexpr iterator end() const noexcept { return iterator{certificates.last(0)}; }
  constexpr std::size_t count() const noexcept {
    std::size_t n = 0;
    for (auto it = begin(); it != end(); ++it) ++n;
    return n;
  }
  /// The root (first) certificate.
  constexpr bytes_view root() const noexcept { return *begin(); }
  /// The leaf (last) certificate: the one whose key signs.
  constexpr bytes_view leaf() const noexcept {
    bytes_view last{};
    for (auto c : *this) last = c;
    return last;
  }

  /// Check that certs is a non-empty sequence of DER SEQUENCEs that exactly fills it.
  static constexpr result<void> check_certificates(bytes_view certs) noexcept {
    if (certs.empty()) return errc::invalid_field;
    while (!certs.empty()) {
      auto n = der_sequence_size(certs);
      if (!n) return errc::invalid_field;  // a certificate overrunning the chain is a content error
      certs = certs.subspan(*n);
    }
    return ok();
  }

  static constexpr result<cert_chain> decode(bytes_view chain, const negotiated& n) noexcept {
    reader r{chain};
    const std::size_t length = r.u16le();
    r.reserved(2);
    PMCI_TRY(r.status());
    if (n.h() == 0) return errc::invalid_state;
    if (length > chain.size()) return errc::truncated;
    if (length < chain.size()) return errc::trailing_data;
    if (length < header_size + n.h()) return errc::invalid_field;
    cert_chain c{r.bytes(n.h()), r.rest()};
    PMCI_TRY(check_certificates(c.certificates));
    return c;
  }
  /// invalid_field when root_hash is not H bytes or the certificates are not DER SEQUENCEs;
  /// out_of_range when the chain exceeds 0xFFFF bytes.
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (root_hash.size() != n.h() || n.h() == 0) return errc::invalid_field;
    PMCI_TRY(check_certificates(certificates));
    if (size() > max_size) return errc::out_of_range;
    w.u16le(static_cast<std::uint16_t>(size())).u16le(0).bytes(root_hash).bytes(certificates);
    return w.status();
  }
};

}  // namespace pmci::spdm
