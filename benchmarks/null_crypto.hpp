// SPDX-License-Identifier: Apache-2.0
// bench::null_crypto: a crypto policy that does no math, for measuring what pmci itself costs
// per SPDM flow (issue 9: "the CPU cost of a full attestation + session flow excluding crypto").
// BENCHMARK ONLY — it checks nothing and protects nothing.
//
// Every output is zeros of the size the algorithm defines (digests, signatures, DHE keys and
// secrets, HMACs, AEAD tags), so both ends of an in-process flow compute the same values and
// every comparison the engines make succeeds: RootHash = Hash(root), DIGESTS = Hash(chain), the
// FINISH verify data, the AEAD tag. Signatures and chains always verify. Random bytes are a
// counter, so nonces and session IDs differ.
//
// Every member is noinline, so that
// callgrind.sh --exclude 'bench::null_crypto' can subtract what is left of the policy (copying
// the AEAD payload, filling outputs): the remainder is pmci's own cost.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/core/result.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"

namespace bench {

class null_crypto {
 public:
  using bytes_view = pmci::bytes_view;
  using bytes_span = pmci::bytes_span;
  using hash_alg = pmci::crypto::hash_alg;
  using sig_alg = pmci::crypto::sig_alg;
  using dhe_alg = pmci::crypto::dhe_alg;
  using aead_alg = pmci::crypto::aead_alg;

  static constexpr pmci::crypto::hash_set hashes{hash_alg::sha256, hash_alg::sha384, hash_alg::sha512};
  static constexpr pmci::crypto::sig_set verify_algs{sig_alg::ecdsa_p256, sig_alg::ecdsa_p384};
  static constexpr pmci::crypto::sig_set sign_algs{sig_alg::ecdsa_p256, sig_alg::ecdsa_p384};
  static constexpr pmci::crypto::dhe_set dhe_groups{dhe_alg::secp256r1, dhe_alg::secp384r1};
  static constexpr pmci::crypto::aead_set aeads{aead_alg::aes128_gcm, aead_alg::aes256_gcm,
                                                aead_alg::chacha20_poly1305};

  struct hash_state {
    hash_alg alg = hash_alg::sha384;
  };
  struct verify_key {
    std::uint32_t id = 0;
  };
  struct sign_key {
    std::uint32_t id = 0;
  };
  struct dhe_key {
    dhe_alg group = dhe_alg::secp384r1;
  };
  struct aead_key {
    std::uint32_t id = 0;
  };

  [[gnu::noinline]] pmci::result<void> hash_init(hash_state& s, hash_alg a) noexcept {
    s.alg = a;
    return pmci::ok();
  }
  [[gnu::noinline]] pmci::result<void> hash_update(hash_state&, bytes_view) noexcept { return pmci::ok(); }
  [[gnu::noinline]] pmci::result<void> hash_final(hash_state& s, bytes_span out) noexcept {
    return zeros(out, pmci::crypto::digest_size(s.alg));
  }
  [[gnu::noinline]] pmci::result<void> hmac(hash_alg a, bytes_view, bytes_view, bytes_span out) noexcept {
    return zeros(out, pmci::crypto::digest_size(a));
  }
  [[gnu::noinline]] pmci::result<void> hkdf_extract(hash_alg a, bytes_view, bytes_view, bytes_span out) noexcept {
    return zeros(out, pmci::crypto::digest_size(a));
  }
  [[gnu::noinline]] pmci::result<void> hkdf_expand(hash_alg, bytes_view, bytes_view, bytes_span out) noexcept {
    return zeros(out, out.size());
  }
  [[gnu::noinline]] pmci::result<verify_key> import_public_key(sig_alg, bytes_view) noexcept { return verify_key{}; }
  [[gnu::noinline]] pmci::result<void> verify(const verify_key&, sig_alg, hash_alg, bytes_view, bytes_view,
                                              bytes_view) noexcept {
    return pmci::ok();
  }
  [[gnu::noinline]] pmci::result<void> verify_digest(const verify_key&, sig_alg, hash_alg, bytes_view,
                                                     bytes_view) noexcept {
    return pmci::ok();
  }
  [[gnu::noinline]] pmci::result<verify_key> verify_cert_chain(bytes_view, std::span<const bytes_view>,
                                                               const pmci::crypto::cert_chain_options&) noexcept {
    return verify_key{};
  }
  [[gnu::noinline]] pmci::result<void> sign(const sign_key&, sig_alg s, hash_alg, bytes_view, bytes_span out,
                                            bytes_view) noexcept {
    return zeros(out, pmci::crypto::signature_size(s));
  }
  [[gnu::noinline]] pmci::result<void> sign_digest(const sign_key&, sig_alg s, hash_alg, bytes_view,
                                                   bytes_span out) noexcept {
    return zeros(out, pmci::crypto::signature_size(s));
  }
  [[gnu::noinline]] pmci::result<dhe_key> dhe_generate(dhe_alg g, bytes_span public_out) noexcept {
    if (auto r = zeros(public_out, pmci::crypto::dhe_public_key_size(g)); !r) return r.error();
    return dhe_key{g};
  }
  [[gnu::noinline]] pmci::result<void> dhe_compute(dhe_key& k, bytes_view, bytes_span secret_out) noexcept {
    return zeros(secret_out, pmci::crypto::dhe_shared_secret_size(k.group));
  }
  [[gnu::noinline]] pmci::result<aead_key> aead_import(aead_alg, bytes_view) noexcept { return aead_key{}; }
  [[gnu::noinline]] pmci::result<void> aead_seal(const aead_key&, bytes_view, bytes_view, bytes_view plaintext,
                                                 bytes_span out) noexcept {
    if (out.size() < plaintext.size() + pmci::crypto::aead_tag_size) return pmci::errc::buffer_too_small;
    std::copy(plaintext.begin(), plaintext.end(), out.begin());
    return zeros(out.subspan(plaintext.size()), pmci::crypto::aead_tag_size);
  }
  [[gnu::noinline]] pmci::result<void> aead_open(const aead_key&, bytes_view, bytes_view, bytes_view ct,
                                                 bytes_span out) noexcept {
    if (ct.size() < pmci::crypto::aead_tag_size) return pmci::errc::invalid_field;
    const std::size_t n = ct.size() - pmci::crypto::aead_tag_size;
    if (out.size() < n) return pmci::errc::buffer_too_small;
    std::copy_n(ct.begin(), n, out.begin());
    return pmci::ok();
  }
  [[gnu::noinline]] pmci::result<void> random(bytes_span out) noexcept {
    for (auto& b : out) b = std::byte{static_cast<std::uint8_t>(++counter_)};
    return pmci::ok();
  }

 private:
  static pmci::result<void> zeros(bytes_span out, std::size_t n) noexcept {
    if (out.size() < n) return pmci::errc::buffer_too_small;
    std::fill_n(out.begin(), n, std::byte{0});
    return pmci::ok();
  }
  std::uint32_t counter_ = 0;
};

static_assert(pmci::crypto::full_policy<null_crypto> && pmci::crypto::cert_policy<null_crypto> &&
              pmci::crypto::native_hmac<null_crypto> && pmci::crypto::native_hkdf<null_crypto>);

}  // namespace bench
