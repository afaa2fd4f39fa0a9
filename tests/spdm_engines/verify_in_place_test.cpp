// SPDX-License-Identifier: Apache-2.0
// spdm::verify_in_place() (signing.hpp) is what the requester verifies CHALLENGE_AUTH and
// MEASUREMENTS signatures with: TH already sits behind room for the 1.2+ prefix, and the context
// string comes from context_view<C>() (only the strings an engine verifies are in its image). It
// must hand the policy exactly the calls spdm::verify() makes for signed_content{v, c, TH}, and
// return the same results: a recording policy compares the two for every context, version,
// digest size, signature algorithm, signature size (right and wrong) and policy answer.
#include <array>
#include <string_view>
#include <vector>

#include "pmci/spdm/signing.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {

/// A verify policy that records what it was asked to verify and answers `answer`.
struct recording_verifier {
  static constexpr crypto::sig_set verify_algs{crypto::sig_alg::ecdsa_p384, crypto::sig_alg::ecdsa_p256,
                                               crypto::sig_alg::ed25519, crypto::sig_alg::ed448,
                                               crypto::sig_alg::rsapss_3072};
  struct verify_key {
    int id = 0;
  };
  struct call {
    int kind = 0;  // 0 none, 1 verify, 2 verify_digest
    int key = 0;
    crypto::sig_alg alg{};
    crypto::hash_alg hash{};
    std::vector<std::byte> message, signature, context;
    bool operator==(const call&) const = default;
  };
  call last;
  result<void> answer = ok();

  result<verify_key> import_public_key(crypto::sig_alg, bytes_view) noexcept { return verify_key{}; }
  result<void> verify(const verify_key& k, crypto::sig_alg a, crypto::hash_alg h, bytes_view m, bytes_view sig,
                      bytes_view ctx) noexcept {
    last = {1, k.id, a, h, {m.begin(), m.end()}, {sig.begin(), sig.end()}, {ctx.begin(), ctx.end()}};
    return answer;
  }
  result<void> verify_digest(const verify_key& k, crypto::sig_alg a, crypto::hash_alg h, bytes_view d,
                             bytes_view sig) noexcept {
    last = {2, k.id, a, h, {d.begin(), d.end()}, {sig.begin(), sig.end()}, {}};
    return answer;
  }
};

template <signing_context C>
std::string_view view_of() {
  return context_view<C>();
}

/// context_view<C>() for a run-time c (the requester names its contexts at compile time).
std::string_view context_view_of(signing_context c) {
  switch (c) {
    case signing_context::responder_challenge_auth: return view_of<signing_context::responder_challenge_auth>();
    case signing_context::requester_challenge_auth: return view_of<signing_context::requester_challenge_auth>();
    case signing_context::responder_measurements: return view_of<signing_context::responder_measurements>();
    case signing_context::responder_key_exchange_rsp: return view_of<signing_context::responder_key_exchange_rsp>();
    case signing_context::requester_finish: return view_of<signing_context::requester_finish>();
    case signing_context::responder_endpoint_info: return view_of<signing_context::responder_endpoint_info>();
    case signing_context::requester_endpoint_info: return view_of<signing_context::requester_endpoint_info>();
  }
  return {};
}

}  // namespace

TEST_CASE("context_view<C>() is context_string(C), in an array of its own", "[spdm][signing]") {
  for (std::uint8_t c = 0; c < 7; ++c) {
    const auto ctx = static_cast<signing_context>(c);
    CHECK(context_view_of(ctx) == context_string(ctx));
    CHECK(context_view_of(ctx).data() != context_string(ctx).data());
  }
}

TEST_CASE("spdm::verify_in_place() makes the policy calls spdm::verify() makes", "[spdm][signing]") {
  static_assert(crypto::verify_policy<recording_verifier>);
  std::array<std::byte, crypto::max_digest_size> th{};
  for (std::size_t i = 0; i < th.size(); ++i) th[i] = std::byte{static_cast<std::uint8_t>(0xA0 + i)};
  std::array<std::byte, crypto::max_signature_size + 1> sig{};
  for (std::size_t i = 0; i < sig.size(); ++i) sig[i] = std::byte{static_cast<std::uint8_t>(i * 7)};
  const result<void> answers[] = {ok(), errc::verify_failed, errc::crypto_failure};
  std::size_t compared = 0;
  for (const version v : {version::v1_0, version::v1_1, version::v1_2, version::v1_3}) {
    for (std::uint8_t c = 0; c < 7; ++c) {
      const auto ctx = static_cast<signing_context>(c);
      for (const std::size_t h : {32u, 48u, 64u}) {
        for (const auto alg : {crypto::sig_alg::ecdsa_p384, crypto::sig_alg::ecdsa_p256, crypto::sig_alg::ed25519,
                               crypto::sig_alg::ed448, crypto::sig_alg::rsapss_3072}) {
          const std::size_t s = crypto::signature_size(alg);
          for (const std::size_t sig_len : {s, s - 1, s + 1, std::size_t{0}}) {
            for (const auto& answer : answers) {
              recording_verifier a, b;
              a.answer = answer;
              b.answer = answer;
              const bytes_view signature = bytes_view{sig}.first(sig_len);
              const recording_verifier::verify_key key{7};
              const auto want = spdm::verify(a, key, alg, crypto::hash_alg::sha384,
                                             signed_content{v, ctx, bytes_view{th}.first(h)}, signature);
              // The caller's buffer: prefix room filled with garbage, TH behind it.
              std::array<std::byte, signing_prefix_size + crypto::max_digest_size> m{};
              for (auto& x : m) x = std::byte{0xEE};
              std::copy_n(th.begin(), h, m.begin() + signing_prefix_size);
              const auto got = spdm::verify_in_place(b, key, alg, crypto::hash_alg::sha384, v, context_view_of(ctx), m,
                                                     h, signature);
              INFO("version " << int(to_byte(v)) << " context " << int(c) << " H " << h << " alg " << int(alg)
                              << " sig " << sig_len);
              CHECK(bool(want) == bool(got));
              if (!want && !got) CHECK(want.error() == got.error());
              CHECK(a.last == b.last);
              ++compared;
            }
          }
        }
      }
    }
  }
  CHECK(compared == 4 * 7 * 3 * 5 * 4 * 3);
}
