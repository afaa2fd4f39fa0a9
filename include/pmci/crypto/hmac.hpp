// SPDX-License-Identifier: Apache-2.0
// HMAC (RFC 2104 / FIPS 198-1) for any crypto policy.
//
//   pmci::crypto::hmac(policy, hash_alg::sha384, key, data, out);   // native if the policy has it
//   pmci::crypto::hmac_state<P> s; s.init(p, alg, key); s.update(p, d); s.finish(p, out);
//
// The generic implementation needs only hash_policy: a backend without HMAC (a bare hash
// accelerator) still gets SPDM's verify data and HKDF. Keyed states are copyable (they are two
// running hash states), so HKDF-Expand keys HMAC once and forks the state per output block.
//
// Freestanding: no heap, no exceptions. Key-derived pads live on the stack and are wiped.
#pragma once
#include <array>
#include <cstddef>
#include <span>

#include "pmci/core/endian.hpp"
#include "pmci/core/result.hpp"
#include "pmci/core/secure.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"

namespace pmci::crypto {

/// Streaming HMAC built on a hash policy. Copyable: copy a keyed state to MAC several messages
/// under the same key without re-keying.
template <hash_policy P>
class hmac_state {
 public:
  /// Start HMAC with `key` (any length; keys longer than the block are hashed first, RFC 2104 §2).
  /// Errors: unsupported (alg not in P::hashes), crypto_failure.
  [[nodiscard]] result<void> init(P& p, hash_alg alg, bytes_view key) noexcept {
    if (!static_cast<hash_set>(P::hashes).contains(alg)) return errc::unsupported;
    alg_ = alg;
    const std::size_t b = block_size(alg);
    std::array<std::byte, max_hash_block_size> pad{};
    if (key.size() > b) {
      auto r = compute_hash(p, alg, key, std::span<std::byte>(pad).first(digest_size(alg)));
      if (!r) { secure_wipe(pad); return r; }
    } else {
      for (std::size_t i = 0; i < key.size(); ++i) pad[i] = key[i];
    }
    // inner = H((K0 ^ ipad) ‖ ...), outer = H((K0 ^ opad) ‖ ...)
    for (std::size_t i = 0; i < b; ++i) pad[i] ^= std::byte{0x36};
    auto r = start(p, inner_, std::span<const std::byte>(pad).first(b));
    for (std::size_t i = 0; i < b; ++i) pad[i] ^= std::byte{0x36 ^ 0x5c};
    if (r) r = start(p, outer_, std::span<const std::byte>(pad).first(b));
    secure_wipe(pad);
    return r;
  }

  [[nodiscard]] result<void> update(P& p, bytes_view data) noexcept { return p.hash_update(inner_, data); }

  /// Writes digest_size(alg) bytes. buffer_too_small when out is shorter. Consumes the state.
  [[nodiscard]] result<void> finish(P& p, bytes_span out) noexcept {
    const std::size_t h = digest_size(alg_);
    if (out.size() < h) return errc::buffer_too_small;
    std::array<std::byte, max_digest_size> ih{};
    auto r = p.hash_final(inner_, std::span<std::byte>(ih).first(h));
    if (r) r = p.hash_update(outer_, std::span<const std::byte>(ih).first(h));
    if (r) r = p.hash_final(outer_, out.first(h));
    secure_wipe(ih);
    return r;
  }

  [[nodiscard]] hash_alg alg() const noexcept { return alg_; }

 private:
  result<void> start(P& p, typename P::hash_state& s, bytes_view pad) const noexcept {
    PMCI_TRY(p.hash_init(s, alg_));
    return p.hash_update(s, pad);
  }

  typename P::hash_state inner_{};
  typename P::hash_state outer_{};
  hash_alg alg_ = hash_alg::sha256;
};

/// HMAC of one message with the generic construction (whatever the policy offers natively).
/// Writes digest_size(alg) bytes. Errors: buffer_too_small, unsupported, crypto_failure.
template <hash_policy P>
[[nodiscard]] result<void> generic_hmac(P& p, hash_alg alg, bytes_view key, bytes_view data, bytes_span out) noexcept {
  if (out.size() < digest_size(alg)) return errc::buffer_too_small;
  hmac_state<P> s;
  PMCI_TRY(s.init(p, alg, key));
  PMCI_TRY(s.update(p, data));
  return s.finish(p, out);
}

/// HMAC of one message: the policy's own HMAC when it has one (native_hmac), else generic_hmac.
/// Writes digest_size(alg) bytes. Errors: buffer_too_small, unsupported, crypto_failure.
template <hmac_capable P>
[[nodiscard]] result<void> hmac(P& p, hash_alg alg, bytes_view key, bytes_view data, bytes_span out) noexcept {
  if (out.size() < digest_size(alg)) return errc::buffer_too_small;
  if constexpr (native_hmac<P>) {
    return p.hmac(alg, key, data, out.first(digest_size(alg)));
  } else {
    return generic_hmac(p, alg, key, data, out);
  }
}

}  // namespace pmci::crypto
