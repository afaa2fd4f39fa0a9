// SPDX-License-Identifier: Apache-2.0
// HKDF (RFC 5869) for any crypto policy: the SPDM key schedule (secured.md §3) is HKDF-Extract
// and HKDF-Expand with the negotiated hash.
//
//   pmci::crypto::hkdf_extract(policy, alg, salt, ikm, prk);    // prk: digest_size(alg) bytes
//   pmci::crypto::hkdf_expand(policy, alg, prk, info, okm);     // okm: any size <= 255*H
//
// Uses the policy's native HKDF when it has one (native_hkdf), else HMAC from hmac.hpp over the
// policy's hash (a keyed HMAC state forked per output block). Freestanding, no heap.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/core/endian.hpp"
#include "pmci/core/result.hpp"
#include "pmci/core/secure.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/crypto/hmac.hpp"

namespace pmci::crypto {

/// RFC 5869 §2.2 with the generic HMAC. An empty salt means HashLen zero bytes.
/// Writes digest_size(alg) bytes. Errors: buffer_too_small, unsupported, crypto_failure.
template <hash_policy P>
[[nodiscard]] result<void> generic_hkdf_extract(P& p, hash_alg alg, bytes_view salt, bytes_view ikm,
                                                bytes_span prk) noexcept {
  const std::size_t h = digest_size(alg);
  if (prk.size() < h) return errc::buffer_too_small;
  const std::array<std::byte, max_digest_size> zeros{};
  if (salt.empty()) salt = std::span<const std::byte>(zeros).first(h);
  return generic_hmac(p, alg, salt, ikm, prk.first(h));
}

/// RFC 5869 §2.3 with the generic HMAC: T(i) = HMAC(PRK, T(i-1) ‖ info ‖ i), OKM = first L bytes.
/// Writes okm.size() bytes. Errors: out_of_range (L > 255 * HashLen), unsupported, crypto_failure.
template <hash_policy P>
[[nodiscard]] result<void> generic_hkdf_expand(P& p, hash_alg alg, bytes_view prk, bytes_view info,
                                               bytes_span okm) noexcept {
  const std::size_t h = digest_size(alg);
  if (h == 0) return errc::unsupported;
  if (okm.size() > 255 * h) return errc::out_of_range;
  hmac_state<P> keyed;
  PMCI_TRY(keyed.init(p, alg, prk));
  std::array<std::byte, max_digest_size> t{};
  std::size_t t_len = 0;
  result<void> r = ok();
  for (std::size_t done = 0, i = 1; done < okm.size() && r; ++i) {
    hmac_state<P> s = keyed;  // fork the keyed state instead of re-keying
    const std::byte counter{static_cast<std::uint8_t>(i)};
    r = s.update(p, std::span<const std::byte>(t).first(t_len));
    if (r) r = s.update(p, info);
    if (r) r = s.update(p, std::span<const std::byte>(&counter, 1));
    if (r) r = s.finish(p, std::span<std::byte>(t).first(h));
    t_len = h;
    const std::size_t n = okm.size() - done < h ? okm.size() - done : h;
    for (std::size_t k = 0; r && k < n; ++k) okm[done + k] = t[k];
    done += n;
  }
  secure_wipe(t);
  if (!r) secure_wipe(okm);
  return r;
}

/// HKDF-Extract: the policy's own when it has one, else generic_hkdf_extract.
template <hkdf_capable P>
[[nodiscard]] result<void> hkdf_extract(P& p, hash_alg alg, bytes_view salt, bytes_view ikm, bytes_span prk) noexcept {
  if (prk.size() < digest_size(alg)) return errc::buffer_too_small;
  if constexpr (native_hkdf<P>) {
    return p.hkdf_extract(alg, salt, ikm, prk.first(digest_size(alg)));
  } else {
    return generic_hkdf_extract(p, alg, salt, ikm, prk);
  }
}

/// HKDF-Expand: the policy's own when it has one, else generic_hkdf_expand. Fills okm.
template <hkdf_capable P>
[[nodiscard]] result<void> hkdf_expand(P& p, hash_alg alg, bytes_view prk, bytes_view info, bytes_span okm) noexcept {
  if (okm.size() > 255 * digest_size(alg)) return errc::out_of_range;
  if constexpr (native_hkdf<P>) {
    return p.hkdf_expand(alg, prk, info, okm);
  } else {
    return generic_hkdf_expand(p, alg, prk, info, okm);
  }
}

}  // namespace pmci::crypto
