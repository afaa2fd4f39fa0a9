// SPDX-License-Identifier: Apache-2.0
// The footprint images' stand-in crypto backend (see stub_crypto.hpp). NOT CRYPTOGRAPHY.
// Each function folds its inputs into its outputs with a cheap mix and reads one volatile
// "accelerator status" word, so neither the result nor the success flag is known at compile time.
// Output sizes follow the concepts (digest_size, signature_size, ...), so pmci's size checks see
// what a real backend would write.
#include "stub_crypto.hpp"

#include <cstdint>

extern "C" {
// A crypto accelerator's status register, as far as the optimizer can tell.
volatile std::uint32_t fw_crypto_status;
// Device data in flash: a certificate chain (slot 0), four measurement digests, a PSK.
volatile std::uint8_t fw_cert_chain[1024];
volatile std::uint32_t fw_cert_chain_len;
volatile std::uint8_t fw_measurements[4][48];
volatile std::uint8_t fw_psk[32];
}

namespace fw {
namespace {

using pmci::bytes_span;
using pmci::bytes_view;
using pmci::errc;
using pmci::result;
namespace crypto = pmci::crypto;

std::uint32_t mix(std::uint32_t h, bytes_view data) noexcept {
  for (std::byte b : data) h = (h ^ std::to_integer<std::uint8_t>(b)) * 0x01000193u;
  return h;
}
void spread(std::uint32_t h, bytes_span out) noexcept {
  for (auto& b : out) {
    h = h * 1664525u + 1013904223u;
    b = std::byte{static_cast<std::uint8_t>(h >> 24)};
  }
}
result<void> status() noexcept {
  if ((fw_crypto_status & 1u) != 0) return errc::crypto_failure;
  return pmci::ok();
}
std::uint32_t load(const stub_crypto::hash_state& s) noexcept {
  return std::to_integer<std::uint32_t>(s.opaque[0]) | std::to_integer<std::uint32_t>(s.opaque[1]) << 8 |
         std::to_integer<std::uint32_t>(s.opaque[2]) << 16 | std::to_integer<std::uint32_t>(s.opaque[3]) << 24;
}
void store(stub_crypto::hash_state& s, std::uint32_t h) noexcept {
  for (std::size_t i = 0; i < 4; ++i) s.opaque[i] = std::byte{static_cast<std::uint8_t>(h >> (8 * i))};
}
/// Write exactly n bytes of output (n from the algorithm), or buffer_too_small.
result<void> emit(std::uint32_t h, bytes_span out, std::size_t n) noexcept {
  if (out.size() < n) return errc::buffer_too_small;
  spread(h, out.first(n));
  return status();
}
constexpr std::uint32_t u32(auto v) noexcept { return static_cast<std::uint32_t>(v); }

}  // namespace

[[gnu::noinline]] result<void> stub_crypto::hash_init(hash_state& s, hash_alg a) noexcept {
  if (!hashes.contains(a)) return errc::unsupported;
  s = {};
  store(s, 0x811C9DC5u ^ u32(a));
  s.opaque[4] = std::byte{static_cast<std::uint8_t>(a)};
  return status();
}
[[gnu::noinline]] result<void> stub_crypto::hash_update(hash_state& s, bytes_view data) noexcept {
  store(s, mix(load(s), data));
  return status();
}
[[gnu::noinline]] result<void> stub_crypto::hash_final(hash_state& s, bytes_span out) noexcept {
  return emit(load(s), out, crypto::digest_size(static_cast<hash_alg>(std::to_integer<std::uint8_t>(s.opaque[4]))));
}

[[gnu::noinline]] result<void> stub_crypto::hmac(hash_alg a, bytes_view key, bytes_view data, bytes_span out) noexcept {
  return emit(mix(mix(0x1234u, key), data), out, crypto::digest_size(a));
}
[[gnu::noinline]] result<void> stub_crypto::hkdf_extract(hash_alg a, bytes_view salt, bytes_view ikm,
                                                         bytes_span out) noexcept {
  return emit(mix(mix(0x5678u, salt), ikm), out, crypto::digest_size(a));
}
[[gnu::noinline]] result<void> stub_crypto::hkdf_expand(hash_alg a, bytes_view prk, bytes_view info,
                                                        bytes_span out) noexcept {
  if (out.size() > 255 * crypto::digest_size(a)) return errc::out_of_range;
  return emit(mix(mix(0x9ABCu, prk), info), out, out.size());
}

[[gnu::noinline]] result<stub_crypto::verify_key> stub_crypto::import_public_key(sig_alg s, bytes_view spki_der) noexcept {
  if (!verify_algs.contains(s)) return errc::unsupported;
  if (spki_der.empty()) return errc::invalid_field;
  PMCI_TRY(status());
  return verify_key{mix(u32(s), spki_der)};
}
[[gnu::noinline]] result<void> stub_crypto::verify(const verify_key& k, sig_alg s, hash_alg h, bytes_view message,
                                                   bytes_view signature, bytes_view context) noexcept {
  if (signature.size() != crypto::signature_size(s)) return errc::verify_failed;
  if (((mix(mix(mix(k.id ^ u32(h), message), signature), context) ^ fw_crypto_status) & 1u) != 0)
    return errc::verify_failed;
  return pmci::ok();
}
[[gnu::noinline]] result<void> stub_crypto::verify_digest(const verify_key& k, sig_alg s, hash_alg h,
                                                          bytes_view digest, bytes_view signature) noexcept {
  if (signature.size() != crypto::signature_size(s)) return errc::verify_failed;
  if (((mix(mix(k.id ^ u32(h), digest), signature) ^ fw_crypto_status) & 1u) != 0) return errc::verify_failed;
  return pmci::ok();
}
[[gnu::noinline]] result<stub_crypto::verify_key> stub_crypto::verify_cert_chain(
    bytes_view der_certs, std::span<const bytes_view> trust_anchors,
    const crypto::cert_chain_options& options) noexcept {
  if (der_certs.empty()) return errc::invalid_field;
  std::uint32_t h = mix(u32(options.leaf_alg) ^ u32(options.role), der_certs);
  for (bytes_view a : trust_anchors) h = mix(h, a);
  if (((h ^ fw_crypto_status) & 1u) != 0) return errc::verify_failed;
  return verify_key{h};
}

[[gnu::noinline]] result<void> stub_crypto::sign(const sign_key& k, sig_alg s, hash_alg h, bytes_view message,
                                                 bytes_span out, bytes_view context) noexcept {
  if (!sign_algs.contains(s)) return errc::unsupported;
  return emit(mix(mix(k.id ^ u32(h), message), context), out, crypto::signature_size(s));
}
[[gnu::noinline]] result<void> stub_crypto::sign_digest(const sign_key& k, sig_alg s, hash_alg h, bytes_view digest,
                                                        bytes_span out) noexcept {
  if (!sign_algs.contains(s)) return errc::unsupported;
  return emit(mix(k.id ^ u32(h), digest), out, crypto::signature_size(s));
}

[[gnu::noinline]] result<stub_crypto::dhe_key> stub_crypto::dhe_generate(dhe_alg g, bytes_span public_out) noexcept {
  if (!dhe_groups.contains(g)) return errc::unsupported;
  PMCI_TRY(emit(fw_crypto_status, public_out, crypto::dhe_public_key_size(g)));
  return dhe_key{fw_crypto_status ^ u32(g)};
}
[[gnu::noinline]] result<void> stub_crypto::dhe_compute(dhe_key& k, bytes_view peer_public, bytes_span secret_out) noexcept {
  if (peer_public.size() != crypto::dhe_public_key_size(dhe_alg::secp384r1)) return errc::invalid_field;
  return emit(mix(k.id, peer_public), secret_out, crypto::dhe_shared_secret_size(dhe_alg::secp384r1));
}

[[gnu::noinline]] result<stub_crypto::aead_key> stub_crypto::aead_import(aead_alg a, bytes_view key) noexcept {
  if (!aeads.contains(a)) return errc::unsupported;
  if (key.size() != crypto::aead_key_size(a)) return errc::invalid_field;
  PMCI_TRY(status());
  return aead_key{mix(u32(a), key)};
}
[[gnu::noinline]] result<void> stub_crypto::aead_seal(const aead_key& k, bytes_view nonce, bytes_view aad,
                                                      bytes_view plaintext, bytes_span out) noexcept {
  if (out.size() < plaintext.size() + crypto::aead_tag_size) return errc::buffer_too_small;
  const std::uint32_t key = mix(k.id, nonce);
  for (std::size_t i = 0; i < plaintext.size(); ++i) out[i] = plaintext[i] ^ std::byte{static_cast<std::uint8_t>(key)};
  return emit(mix(mix(key, aad), out.first(plaintext.size())), out.subspan(plaintext.size()), crypto::aead_tag_size);
}
[[gnu::noinline]] result<void> stub_crypto::aead_open(const aead_key& k, bytes_view nonce, bytes_view aad,
                                                      bytes_view ciphertext_and_tag, bytes_span out) noexcept {
  if (ciphertext_and_tag.size() < crypto::aead_tag_size) return errc::invalid_field;
  const std::size_t n = ciphertext_and_tag.size() - crypto::aead_tag_size;
  if (out.size() < n) return errc::buffer_too_small;
  const std::uint32_t key = mix(k.id, nonce);
  const bool tag_ok = ((mix(mix(key, aad), ciphertext_and_tag) ^ fw_crypto_status) & 1u) == 0;
  for (std::size_t i = 0; i < n; ++i) out[i] = tag_ok ? ciphertext_and_tag[i] ^ std::byte{static_cast<std::uint8_t>(key)} : std::byte{0};
  return tag_ok ? result<void>{} : result<void>{errc::decrypt_error};
}

[[gnu::noinline]] result<void> stub_crypto::random(bytes_span out) noexcept {
  return emit(fw_crypto_status ^ 0xA5A5A5A5u, out, out.size());
}

namespace stub_device {

[[gnu::noinline]] bytes_view certificate_chain(std::uint8_t slot) noexcept {
  if (slot != 0) return {};
  const std::uint32_t n = fw_cert_chain_len;
  // The chain lives in flash; volatile only hides its content from the optimizer.
  return {const_cast<const std::byte*>(reinterpret_cast<const volatile std::byte*>(fw_cert_chain)),
          n <= sizeof fw_cert_chain ? n : 0};
}

[[gnu::noinline]] bytes_view measurement_digest(std::uint8_t index) noexcept {
  if (index == 0 || index > 4) return {};
  return {const_cast<const std::byte*>(reinterpret_cast<const volatile std::byte*>(fw_measurements[index - 1])),
          48};
}

[[gnu::noinline]] bytes_view psk(bytes_view hint) noexcept {
  if ((mix(0, hint) ^ fw_crypto_status) & 1u) return {};
  return {const_cast<const std::byte*>(reinterpret_cast<const volatile std::byte*>(fw_psk)), sizeof fw_psk};
}

}  // namespace stub_device
}  // namespace fw
