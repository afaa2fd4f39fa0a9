// SPDX-License-Identifier: Apache-2.0
// What an SPDM signature covers, and signing / verifying it with a crypto policy (spdm.md §16).
//
//   SPDM 1.0 / 1.1 (§16.1): Signature = Sign(key, transcript). The engines keep transcripts as
//     running hashes, so they hold TH = Hash(transcript) and sign / verify that digest directly
//     (crypto policy sign_digest / verify_digest: ECDSA and RSA over a precomputed digest).
//   SPDM 1.2+ (§16.2): Signature = Sign(key, M) with
//     M = combined_spdm_prefix (100 bytes) ‖ TH
//     combined_spdm_prefix = "dmtf-spdm-v1.X.*" x 4 ‖ zero pad ‖ context string (36 bytes,
//                            right-aligned), X = negotiated minor version.
//     ECDSA / RSA hash M with BaseHashAlgo; EdDSA signs M itself (Ed448 with the context string
//     as its context parameter).
//
//   signed_content c{ver, signing_context::responder_measurements, th};
//   PMCI_TRY(pmci::spdm::sign(policy, key, sig_alg, hash_alg, c, signature_out));
//   PMCI_TRY(pmci::spdm::verify(policy, peer_key, sig_alg, hash_alg, c, signature));
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

/// The operations that carry a signature (spdm.md §16.2 table).
enum class signing_context : std::uint8_t {
  responder_challenge_auth,
  requester_challenge_auth,
  responder_measurements,
  responder_key_exchange_rsp,
  requester_finish,
  responder_endpoint_info,
  requester_endpoint_info,
};

namespace detail {
/// A string_view of a literal with its length known at compile time (no strlen at run time).
template <std::size_t N>
constexpr std::string_view literal(const char (&s)[N]) noexcept {
  return {s, N - 1};
}
}  // namespace detail

namespace detail {
// The context strings of spdm.md §16.2, in signing_context order, as one blob with a table of
// start offsets: a lookup is two byte loads instead of a seven-way switch (each case
// materialising a pointer and a length; issue 9). Views into the blob stay contiguous, as the
// Ed448 context parameter needs.
inline constexpr char context_blob[] =
    "responder-challenge_auth signing"
    "requester-challenge_auth signing"
    "responder-measurements signing"
    "responder-key_exchange_rsp signing"
    "requester-finish signing"
    "responder-endpoint_info signing"
    "requester-endpoint_info signing";
inline constexpr std::uint8_t context_starts[] = {0, 32, 64, 94, 128, 152, 183, 214};
static_assert(sizeof(context_blob) - 1 == context_starts[7]);
}  // namespace detail

constexpr std::string_view context_string(signing_context c) noexcept {
  const auto i = static_cast<std::size_t>(c);
  if (i + 1 >= sizeof(detail::context_starts)) return {};
  return {detail::context_blob + detail::context_starts[i],
          static_cast<std::size_t>(detail::context_starts[i + 1] - detail::context_starts[i])};
}
// Each entry is where its string begins and ends (a wrong offset table fails to compile).
static_assert(context_string(signing_context::responder_challenge_auth) == "responder-challenge_auth signing");
static_assert(context_string(signing_context::requester_challenge_auth) == "requester-challenge_auth signing");
static_assert(context_string(signing_context::responder_measurements) == "responder-measurements signing");
static_assert(context_string(signing_context::responder_key_exchange_rsp) == "responder-key_exchange_rsp signing");
static_assert(context_string(signing_context::requester_finish) == "requester-finish signing");
static_assert(context_string(signing_context::responder_endpoint_info) == "responder-endpoint_info signing");
static_assert(context_string(signing_context::requester_endpoint_info) == "requester-endpoint_info signing");
static_assert(context_string(static_cast<signing_context>(7)).empty());

inline constexpr std::size_t signing_prefix_size = 100;  // SPDM_VERSION_1_2_SIGNING_CONTEXT_SIZE
inline constexpr std::size_t max_signed_message_size = signing_prefix_size + crypto::max_digest_size;

namespace detail {
// What sign() and verify() write the context strings from: each is "<role>-<operation> signing"
// (spdm.md §16.2), so the two roles, " signing" and the five operations are stored once (89
// bytes instead of the 215 of context_blob, which only context_string() users link; issue 9).
// The Ed448 context parameter is then the string as written at the end of the prefix.
inline constexpr char context_pieces[] =
    "responder-requester- signing"
    "challenge_auth" "measurements" "key_exchange_rsp" "finish" "endpoint_info";
inline constexpr std::size_t context_role_size = 10, context_suffix = 20, context_suffix_size = 8;  // "<role>-", " signing"
inline constexpr std::uint8_t context_op_starts[] = {28, 42, 54, 70, 76, 89};
static_assert(sizeof(context_pieces) - 1 == context_op_starts[5]);
// Per signing_context: its operation's index, bit 7 = requester role.
inline constexpr std::uint8_t context_parts[] = {0, 0x80, 1, 2, 0x80 | 3, 4, 0x80 | 4};

/// The prefix up to its context string: "dmtf-spdm-v1.X.*" x 4 (X = v's minor digit) and the zero
/// pad in front of a context string of ctx_size bytes (right-aligned in the last 36 bytes).
/// Returns where the context string goes.
constexpr std::byte* write_prefix_head(version v, std::size_t ctx_size, std::byte* out) noexcept {
  constexpr std::string_view pattern = literal("dmtf-spdm-v1.X.*");
  const char minor = static_cast<char>('0' + minor_of(v));
  for (std::size_t i = 0; i < 4 * pattern.size(); ++i)
    *out++ = std::byte{static_cast<std::uint8_t>(i % 16 == 13 ? minor : pattern[i % 16])};
  for (std::size_t i = ctx_size; i < signing_prefix_size - 4 * pattern.size(); ++i) *out++ = std::byte{0};
  return out;
}
constexpr std::byte* copy_context_piece(std::byte* out, std::size_t from, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i) *out++ = std::byte{static_cast<std::uint8_t>(context_pieces[from + i])};
  return out;
}
/// The 100-byte combined_spdm_prefix for version v (its minor digit) and context c into out;
/// returns the context string's size (the prefix's last bytes). An unknown c leaves the context
/// part zero (an empty string, as context_string() gives).
constexpr std::size_t write_prefix(version v, signing_context c, std::byte* out) noexcept {
  const auto ci = static_cast<std::size_t>(c);
  const std::uint8_t part = ci < sizeof(context_parts) ? context_parts[ci] : 0;
  const std::size_t op = context_op_starts[part & 0x7F], op_size = context_op_starts[(part & 0x7F) + 1] - op;
  const std::size_t size = ci < sizeof(context_parts) ? context_role_size + op_size + context_suffix_size : 0;
  out = write_prefix_head(v, size, out);
  if (size == 0) return 0;
  out = copy_context_piece(out, (part & 0x80) ? context_role_size : 0, context_role_size);
  out = copy_context_piece(out, op, op_size);
  copy_context_piece(out, context_suffix, context_suffix_size);
  return size;
}
/// write_prefix() writes context_string(c) at the end of the prefix, for every context.
constexpr bool prefix_holds_context(signing_context c) noexcept {
  std::array<std::byte, signing_prefix_size> out{};
  const std::size_t size = write_prefix(version::v1_2, c, out.data());
  const std::string_view want = context_string(c);
  if (size != want.size()) return false;
  for (std::size_t i = 0; i < signing_prefix_size; ++i) {
    const std::size_t pad = signing_prefix_size - size;
    const auto ch = std::to_integer<char>(out[i]);
    if (i >= 64 && ch != (i < pad ? '\0' : want[i - pad])) return false;
  }
  return true;
}
static_assert(prefix_holds_context(signing_context::responder_challenge_auth) &&
              prefix_holds_context(signing_context::requester_challenge_auth) &&
              prefix_holds_context(signing_context::responder_measurements) &&
              prefix_holds_context(signing_context::responder_key_exchange_rsp) &&
              prefix_holds_context(signing_context::requester_finish) &&
              prefix_holds_context(signing_context::responder_endpoint_info) &&
              prefix_holds_context(signing_context::requester_endpoint_info) &&
              prefix_holds_context(static_cast<signing_context>(7)) &&
              prefix_holds_context(static_cast<signing_context>(0xFF)));
}  // namespace detail

/// The 100-byte combined_spdm_prefix for version v (1.2+) and context c. errc::unsupported
/// before 1.2 (no prefix exists there).
constexpr result<void> write_signing_prefix(version v, signing_context c, std::span<std::byte, signing_prefix_size> out) noexcept {
  if (v < version::v1_2) return errc::unsupported;
  (void)detail::write_prefix(v, c, out.data());
  return ok();
}

/// A signature's input: the negotiated version, the operation and TH = Hash(transcript).
struct signed_content {
  version ver = version::v1_0;
  signing_context context = signing_context::responder_challenge_auth;
  bytes_view transcript_hash{};  ///< H bytes

  /// 1.0/1.1: the signature is over the transcript itself, i.e. over the digest we hold.
  [[nodiscard]] constexpr bool prehashed() const noexcept { return ver < version::v1_2; }

  /// 1.2+: M = prefix ‖ TH, written into scratch. (1.0/1.1: TH itself.)
  [[nodiscard]] constexpr bytes_view message(std::span<std::byte, max_signed_message_size> scratch) const noexcept {
    if (prehashed() || transcript_hash.size() > crypto::max_digest_size) return transcript_hash;
    (void)write_signing_prefix(ver, context, scratch.first<signing_prefix_size>());
    for (std::size_t i = 0; i < transcript_hash.size(); ++i) scratch[signing_prefix_size + i] = transcript_hash[i];
    return bytes_view{scratch}.first(signing_prefix_size + transcript_hash.size());
  }
  /// The Ed448 context parameter (spdm.md §16.2); the policies ignore it for other algorithms.
  [[nodiscard]] bytes_view context_bytes() const noexcept {
    const std::string_view s = context_string(context);
    return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
  }
};

namespace detail {
/// What sign() and verify() hand the policy at 1.2+: M = combined_spdm_prefix ‖ TH written into
/// scratch (TH itself when it is longer than any digest, as signed_content::message() does), and
/// the Ed448 context parameter, the context string at the end of that prefix (the same bytes as
/// signed_content::context_bytes()). Always inlined: out of line (or left to GCC) it moved other
/// inlining decisions in the responder images (+140 B responder_attest, issue 9).
struct signed_input {
  bytes_view message, context;
};
[[gnu::always_inline]] constexpr signed_input write_signed(const signed_content& c, std::span<std::byte, max_signed_message_size> scratch) noexcept {
  const std::size_t ctx = write_prefix(c.ver, c.context, scratch.data());
  const bytes_view context = bytes_view{scratch}.subspan(signing_prefix_size - ctx, ctx);
  const std::size_t h = c.transcript_hash.size();
  if (h > crypto::max_digest_size) return {c.transcript_hash, context};
  for (std::size_t i = 0; i < h; ++i) scratch[signing_prefix_size + i] = c.transcript_hash[i];
  return {bytes_view{scratch}.first(signing_prefix_size + h), context};
}
/// sign() with the context string given: `ctx` is context_string(c.context). A signer that knows
/// at compile time which operations it signs (spdm::responder: CHALLENGE_AUTH and / or
/// MEASUREMENTS) passes its own strings, so neither the table of all seven (215 B) nor the
/// pieces write_prefix() assembles them from are linked into its image (issue 9).
template <crypto::sign_policy P>
[[nodiscard]] result<void> sign_with(P& p, const typename P::sign_key& key, crypto::sig_alg alg, crypto::hash_alg hash,
                                     const signed_content& c, std::string_view ctx, bytes_span signature) noexcept {
  if (signature.size() < crypto::signature_size(alg)) return errc::buffer_too_small;
  signature = signature.first(crypto::signature_size(alg));
  if (c.prehashed()) {
    if (crypto::is_eddsa(alg)) return errc::unsupported;
    return p.sign_digest(key, alg, hash, c.transcript_hash, signature);
  }
  // M = combined_spdm_prefix ‖ TH, as signed_content::message() writes it; the context string
  // at the end of the prefix is also the Ed448 context parameter.
  std::array<std::byte, max_signed_message_size> scratch;
  std::byte* out = write_prefix_head(c.ver, ctx.size(), scratch.data());
  for (const char ch : ctx) *out++ = std::byte{static_cast<std::uint8_t>(ch)};
  const bytes_view ctx_bytes = bytes_view{scratch}.subspan(signing_prefix_size - ctx.size(), ctx.size());
  const std::size_t h = c.transcript_hash.size();
  if (h > crypto::max_digest_size) return p.sign(key, alg, hash, c.transcript_hash, signature, ctx_bytes);
  for (std::size_t i = 0; i < h; ++i) scratch[signing_prefix_size + i] = c.transcript_hash[i];
  return p.sign(key, alg, hash, bytes_view{scratch}.first(signing_prefix_size + h), signature, ctx_bytes);
}
}  // namespace detail

/// Sign c with key (crypto policy sign / sign_digest). Writes crypto::signature_size(alg) bytes.
/// Returns the policy's error; errc::unsupported for EdDSA at 1.0/1.1.
template <crypto::sign_policy P>
[[nodiscard]] result<void> sign(P& p, const typename P::sign_key& key, crypto::sig_alg alg, crypto::hash_alg hash,
                                const signed_content& c, bytes_span signature) noexcept {
  if (signature.size() < crypto::signature_size(alg)) return errc::buffer_too_small;
  signature = signature.first(crypto::signature_size(alg));
  if (c.prehashed()) {
    if (crypto::is_eddsa(alg)) return errc::unsupported;
    return p.sign_digest(key, alg, hash, c.transcript_hash, signature);
  }
  std::array<std::byte, max_signed_message_size> scratch;
  const detail::signed_input in = detail::write_signed(c, scratch);
  return p.sign(key, alg, hash, in.message, signature, in.context);
}

/// Verify signature over c with the peer's key: errc::verify_failed when it does not verify
/// (including a signature of the wrong size), or the policy's error.
template <crypto::verify_policy P>
[[nodiscard]] result<void> verify(P& p, const typename P::verify_key& key, crypto::sig_alg alg, crypto::hash_alg hash,
                                  const signed_content& c, bytes_view signature) noexcept {
  if (signature.size() != crypto::signature_size(alg)) return errc::verify_failed;
  if (c.prehashed()) {
    if (crypto::is_eddsa(alg)) return errc::unsupported;
    return p.verify_digest(key, alg, hash, c.transcript_hash, signature);
  }
  std::array<std::byte, max_signed_message_size> scratch{};
  const detail::signed_input in = detail::write_signed(c, scratch);
  return p.verify(key, alg, hash, in.message, signature, in.context);
}

namespace detail {
/// One context string as an array of its own, copied from the blob at compile time: an engine
/// that verifies only some operations (the requester: CHALLENGE_AUTH and MEASUREMENTS) carries
/// only their strings, not the 215-byte blob (issue 9 footprint).
template <signing_context C>
inline constexpr auto context_chars = [] {
  constexpr std::string_view s = context_string(C);
  std::array<char, s.size()> a{};
  for (std::size_t i = 0; i < s.size(); ++i) a[i] = s[i];
  return a;
}();
}  // namespace detail
/// context_string(C), viewing detail::context_chars<C>.
template <signing_context C>
constexpr std::string_view context_view() noexcept {
  return {detail::context_chars<C>.data(), detail::context_chars<C>.size()};
}

/// verify() over a message assembled where the transcript hash was computed (issue 9
/// footprint): m[signing_prefix_size ..] holds TH (h bytes, h <= crypto::max_digest_size), and
/// the 1.2+ combined_spdm_prefix for context string ctx is written in front of it, so there is
/// no signed_content, no second buffer and no copy of TH. Hands the policy the same calls as
/// verify(p, key, alg, hash, signed_content{v, c, TH}, signature) with ctx = context_string(c),
/// and returns the same errors (tests/spdm_engines/verify_in_place_test.cpp).
template <crypto::verify_policy P>
[[nodiscard]] result<void> verify_in_place(P& p, const typename P::verify_key& key, crypto::sig_alg alg,
                                           crypto::hash_alg hash, version v, std::string_view ctx, bytes_span m,
                                           std::size_t h, bytes_view signature) noexcept {
  if (signature.size() != crypto::signature_size(alg)) return errc::verify_failed;
  if (v < version::v1_2) {  // signed_content::prehashed(): the signature is over TH itself
    if (crypto::is_eddsa(alg)) return errc::unsupported;
    return p.verify_digest(key, alg, hash, bytes_view{m}.subspan(signing_prefix_size, h), signature);
  }
  // combined_spdm_prefix (spdm.md §16.2): "dmtf-spdm-v1.X.*" x 4, zero pad, the context string
  // right-aligned in the last 36 of 100 bytes, written as sign_with() writes it.
  std::byte* out = detail::write_prefix_head(v, ctx.size(), m.data());
  for (const char ch : ctx) *out++ = std::byte{static_cast<std::uint8_t>(ch)};
  return p.verify(key, alg, hash, bytes_view{m}.first(signing_prefix_size + h), signature,
                  bytes_view{reinterpret_cast<const std::byte*>(ctx.data()), ctx.size()});
}

}  // namespace pmci::spdm
