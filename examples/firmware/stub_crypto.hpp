// SPDX-License-Identifier: Apache-2.0
// A stand-in crypto backend for the footprint images. NOT CRYPTOGRAPHY: every function only mixes
// its inputs into its outputs so that results depend on data the compiler cannot see.
//
// Why it exists: the reference figures exclude the crypto backend (it is the user's
// mbedTLS/PSA/HW accelerator, shared with the rest of the firmware), so the images must link pmci
// against *something* that costs nothing measurable yet hides its behaviour. Every function is
// defined out of line, [[gnu::noinline]], in stub_crypto.cpp (its own translation unit, no LTO),
// so the optimizer cannot prove a signature always verifies or a hash is constant and then
// delete the pmci code that depends on it. The report counts stub_crypto.cpp separately.
//
// State sizes are those of a real backend, because pmci objects embed them (transcripts are
// running hash states): hash_state is sized like mbedTLS 3's SHA-512/384 context on a 32-bit
// target (2x u64 total + 8x u64 state + 128-byte block + int is384 = 212 -> 216 bytes), so static
// RAM figures stay honest.
//
// TODO(crypto): when include/pmci/crypto/concepts.hpp lands (branch crypto), wrap these
// functions in a policy type that models the concepts, keeping them out of line.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace fw::stub {

using bytes_view = std::span<const std::byte>;
using bytes_span = std::span<std::byte>;

inline constexpr std::size_t sha384_size = 48;
inline constexpr std::size_t p384_signature_size = 96;  // r || s
inline constexpr std::size_t p384_point_size = 96;      // x || y (SPDM ExchangeData)
inline constexpr std::size_t aes256_key_size = 32;
inline constexpr std::size_t aead_tag_size = 16;

/// Opaque running hash (sized like a real SHA-384 context, see above).
struct hash_state {
  alignas(8) std::array<std::byte, 216> opaque{};
};

// Hash (SHA-384 in the real backend). All return false on backend failure.
bool hash_init(hash_state& s) noexcept;
bool hash_update(hash_state& s, bytes_view data) noexcept;
bool hash_final(hash_state& s, bytes_span digest) noexcept;
bool hash_copy(const hash_state& from, hash_state& to) noexcept;
bool hash_oneshot(bytes_view data, bytes_span digest) noexcept;

// HMAC and HKDF-Expand (DSP0277 key schedule).
bool hmac(bytes_view key, bytes_view data, bytes_span mac) noexcept;
bool hkdf_extract(bytes_view salt, bytes_view ikm, bytes_span prk) noexcept;
bool hkdf_expand(bytes_view prk, bytes_view info, bytes_span okm) noexcept;

// ECDSA P-384: the responder signs with its (slot) private key, the requester verifies.
bool sign(std::uint8_t slot, bytes_view digest, bytes_span signature) noexcept;
bool verify(bytes_view public_key, bytes_view digest, bytes_view signature) noexcept;

// ECDHE P-384 (KEY_EXCHANGE): generate our share, then derive the shared secret.
bool dhe_generate(bytes_span our_public) noexcept;
bool dhe_shared(bytes_view peer_public, bytes_span secret) noexcept;

// AEAD (AES-256-GCM): seal/open in place; tag appended/checked separately.
bool aead_seal(bytes_view key, bytes_view iv, bytes_view aad, bytes_span data, bytes_span tag) noexcept;
bool aead_open(bytes_view key, bytes_view iv, bytes_view aad, bytes_span data, bytes_view tag) noexcept;

// Randomness (nonces, random data in CHALLENGE_AUTH/KEY_EXCHANGE_RSP).
bool random(bytes_span out) noexcept;

// Certificate chain policy (requester): validate the chain against the trust anchors and return
// the leaf public key's bytes (a view into the chain).
bool validate_chain(bytes_view chain, bytes_view& leaf_public_key) noexcept;

// Device secrets the responder reports: certificate chain of a slot, measurement blocks.
bytes_view certificate_chain(std::uint8_t slot) noexcept;
bool measurement(std::uint8_t index, bytes_span out, std::size_t& written) noexcept;

}  // namespace fw::stub
