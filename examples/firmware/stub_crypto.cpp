// SPDX-License-Identifier: Apache-2.0
// The footprint images' stand-in crypto backend (see stub_crypto.hpp). NOT CRYPTOGRAPHY.
// Each function folds its inputs into its outputs with a cheap mix and reads one volatile
// "hardware status" word, so neither the result nor the success flag is known at compile time.
#include "stub_crypto.hpp"

#include <cstdint>

extern "C" {
// A crypto accelerator's status register, as far as the optimizer can tell.
volatile std::uint32_t fw_crypto_status;
// Device secrets in flash: a certificate chain per slot and measurement blocks.
volatile std::uint8_t fw_cert_chain[1024];
volatile std::uint32_t fw_cert_chain_len;
volatile std::uint8_t fw_measurements[4][64];
}

namespace fw::stub {
namespace {

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
bool status_ok() noexcept { return (fw_crypto_status & 1u) == 0; }
std::uint32_t load(const hash_state& s) noexcept {
  return std::to_integer<std::uint32_t>(s.opaque[0]) | std::to_integer<std::uint32_t>(s.opaque[1]) << 8 |
         std::to_integer<std::uint32_t>(s.opaque[2]) << 16 | std::to_integer<std::uint32_t>(s.opaque[3]) << 24;
}
void store(hash_state& s, std::uint32_t h) noexcept {
  for (int i = 0; i < 4; ++i) s.opaque[static_cast<std::size_t>(i)] = std::byte{static_cast<std::uint8_t>(h >> (8 * i))};
}

}  // namespace

[[gnu::noinline]] bool hash_init(hash_state& s) noexcept {
  s = {};
  store(s, 0x811C9DC5u);
  return status_ok();
}
[[gnu::noinline]] bool hash_update(hash_state& s, bytes_view data) noexcept {
  store(s, mix(load(s), data));
  return status_ok();
}
[[gnu::noinline]] bool hash_final(hash_state& s, bytes_span digest) noexcept {
  spread(load(s), digest);
  return status_ok();
}
[[gnu::noinline]] bool hash_copy(const hash_state& from, hash_state& to) noexcept {
  to = from;
  return status_ok();
}
[[gnu::noinline]] bool hash_oneshot(bytes_view data, bytes_span digest) noexcept {
  spread(mix(0x811C9DC5u, data), digest);
  return status_ok();
}

[[gnu::noinline]] bool hmac(bytes_view key, bytes_view data, bytes_span mac) noexcept {
  spread(mix(mix(0x1234u, key), data), mac);
  return status_ok();
}
[[gnu::noinline]] bool hkdf_extract(bytes_view salt, bytes_view ikm, bytes_span prk) noexcept {
  spread(mix(mix(0x5678u, salt), ikm), prk);
  return status_ok();
}
[[gnu::noinline]] bool hkdf_expand(bytes_view prk, bytes_view info, bytes_span okm) noexcept {
  spread(mix(mix(0x9ABCu, prk), info), okm);
  return status_ok();
}

[[gnu::noinline]] bool sign(std::uint8_t slot, bytes_view digest, bytes_span signature) noexcept {
  spread(mix(slot, digest), signature);
  return status_ok();
}
[[gnu::noinline]] bool verify(bytes_view public_key, bytes_view digest, bytes_view signature) noexcept {
  return ((mix(mix(mix(0u, public_key), digest), signature) ^ fw_crypto_status) & 1u) == 0;
}

[[gnu::noinline]] bool dhe_generate(bytes_span our_public) noexcept {
  spread(fw_crypto_status, our_public);
  return status_ok();
}
[[gnu::noinline]] bool dhe_shared(bytes_view peer_public, bytes_span secret) noexcept {
  spread(mix(fw_crypto_status, peer_public), secret);
  return status_ok();
}

[[gnu::noinline]] bool aead_seal(bytes_view key, bytes_view iv, bytes_view aad, bytes_span data,
                                 bytes_span tag) noexcept {
  const std::uint32_t k = mix(mix(0u, key), iv);
  for (auto& b : data) b ^= std::byte{static_cast<std::uint8_t>(k)};
  spread(mix(mix(k, aad), data), tag);
  return status_ok();
}
[[gnu::noinline]] bool aead_open(bytes_view key, bytes_view iv, bytes_view aad, bytes_span data,
                                 bytes_view tag) noexcept {
  const std::uint32_t k = mix(mix(0u, key), iv);
  const bool tag_ok = (mix(mix(k, aad), data) & 0xFF) == std::to_integer<std::uint32_t>(tag.empty() ? std::byte{0} : tag[0]);
  for (auto& b : data) b ^= std::byte{static_cast<std::uint8_t>(k)};
  return tag_ok && status_ok();
}

[[gnu::noinline]] bool random(bytes_span out) noexcept {
  spread(fw_crypto_status ^ 0xA5A5A5A5u, out);
  return status_ok();
}

[[gnu::noinline]] bool validate_chain(bytes_view chain, bytes_view& leaf_public_key) noexcept {
  if (chain.size() < p384_point_size) return false;
  leaf_public_key = chain.last(p384_point_size);
  return ((mix(0u, chain) ^ fw_crypto_status) & 1u) == 0;
}

[[gnu::noinline]] bytes_view certificate_chain(std::uint8_t slot) noexcept {
  if (slot != 0) return {};
  const std::uint32_t n = fw_cert_chain_len;
  // The chain lives in flash; the volatile qualifier only hides its content from the optimizer.
  return {const_cast<const std::byte*>(reinterpret_cast<const volatile std::byte*>(fw_cert_chain)),
          n <= sizeof fw_cert_chain ? n : 0};
}

[[gnu::noinline]] bool measurement(std::uint8_t index, bytes_span out, std::size_t& written) noexcept {
  written = 0;
  if (index == 0 || index > 4) return false;
  const auto& block = fw_measurements[index - 1];
  if (out.size() < sizeof block) return false;
  for (std::size_t i = 0; i < sizeof block; ++i) out[i] = std::byte{block[i]};
  written = sizeof block;
  return status_ok();
}

}  // namespace fw::stub
