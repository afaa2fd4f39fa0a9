// SPDX-License-Identifier: Apache-2.0
// spdm::sign() writes the 1.2+ signed message M = combined_spdm_prefix ‖ TH itself (one look-up
// of the context string, one loop for the prefix; signing.hpp). It must hand the policy exactly
// what signed_content::message() and context_bytes() give (what spdm::verify() checks against):
// a recording policy compares the two for every context, version and digest size. spdm::verify()
// writes the same prefix from the context pieces (signing.hpp detail::write_prefix) and takes the
// Ed448 context from it: held the same way.
#include <array>
#include <vector>

#include "pmci/spdm/signing.hpp"
#include "spdm_engines/harness.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {

/// A sign policy that records what it was asked to sign.
struct recording_policy {
  static constexpr crypto::sig_set sign_algs{crypto::sig_alg::ecdsa_p384, crypto::sig_alg::ecdsa_p256};
  struct sign_key {
    int id = 0;
  };
  std::vector<std::byte> message, context;
  bool digest = false;
  result<void> sign(const sign_key&, crypto::sig_alg, crypto::hash_alg, bytes_view m, bytes_span out, bytes_view ctx) noexcept {
    message.assign(m.begin(), m.end());
    context.assign(ctx.begin(), ctx.end());
    digest = false;
    for (auto& b : out) b = std::byte{0x5A};
    return ok();
  }
  result<void> sign_digest(const sign_key&, crypto::sig_alg, crypto::hash_alg, bytes_view d, bytes_span out) noexcept {
    message.assign(d.begin(), d.end());
    context.clear();
    digest = true;
    for (auto& b : out) b = std::byte{0x5A};
    return ok();
  }
};

/// A verify policy that records what it was asked to verify.
struct recording_verifier {
  static constexpr crypto::sig_set verify_algs{crypto::sig_alg::ecdsa_p384, crypto::sig_alg::ecdsa_p256};
  struct verify_key {
    int id = 0;
  };
  std::vector<std::byte> message, context;
  bool digest = false;
  result<verify_key> import_public_key(crypto::sig_alg, bytes_view) noexcept { return verify_key{}; }
  result<void> verify(const verify_key&, crypto::sig_alg, crypto::hash_alg, bytes_view m, bytes_view, bytes_view ctx) noexcept {
    message.assign(m.begin(), m.end());
    context.assign(ctx.begin(), ctx.end());
    digest = false;
    return ok();
  }
  result<void> verify_digest(const verify_key&, crypto::sig_alg, crypto::hash_alg, bytes_view d, bytes_view) noexcept {
    message.assign(d.begin(), d.end());
    context.clear();
    digest = true;
    return ok();
  }
};

}  // namespace

namespace {

/// `call` (spdm::sign or spdm::verify through a recording policy p) must hand p exactly
/// signed_content::message() and context_bytes(), for every version, every context (and values
/// past the enum: an empty context string, as context_string() says) and every digest size, plus
/// one over crypto::max_digest_size (the transcript hash passed as is).
template <class Policy, class Call>
void hands_policy_the_message(Policy& p, Call call) {
  std::array<std::byte, 80> th{};
  for (std::size_t i = 0; i < th.size(); ++i) th[i] = std::byte{static_cast<std::uint8_t>(0xA0 + i)};
  for (const version v : {version::v1_0, version::v1_1, version::v1_2, version::v1_3}) {
    for (const int c : {0, 1, 2, 3, 4, 5, 6, 7, 0xFF}) {
      for (const std::size_t h : {std::size_t{32}, std::size_t{48}, std::size_t{64}, crypto::max_digest_size + 1}) {
        const signed_content sc{v, static_cast<signing_context>(c), bytes_view{th}.first(h)};
        REQUIRE(call(sc));
        std::array<std::byte, max_signed_message_size> scratch{};
        const bytes_view want = sc.message(scratch);
        INFO("version " << int(to_byte(v)) << " context " << c << " H " << h);
        CHECK(p.digest == (v < version::v1_2));
        CHECK(std::vector<std::byte>(want.begin(), want.end()) == p.message);
        if (!p.digest) {
          const bytes_view ctx = sc.context_bytes();
          CHECK(std::vector<std::byte>(ctx.begin(), ctx.end()) == p.context);
        }
      }
    }
  }
}

}  // namespace

TEST_CASE("spdm::verify() checks signed_content::message() with context_bytes()", "[spdm][signing]") {
  static_assert(crypto::verify_policy<recording_verifier>);
  recording_verifier p;
  const std::array<std::byte, 96> sig{};
  hands_policy_the_message(p, [&](const signed_content& sc) {
    return spdm::verify(p, {}, crypto::sig_alg::ecdsa_p384, crypto::hash_alg::sha384, sc, sig);
  });
}

TEST_CASE("spdm::sign() signs signed_content::message() with context_bytes()", "[spdm][signing]") {
  static_assert(crypto::sign_policy<recording_policy>);
  recording_policy p;
  std::array<std::byte, crypto::max_signature_size> sig{};
  hands_policy_the_message(p, [&](const signed_content& sc) {
    return spdm::sign(p, {}, crypto::sig_alg::ecdsa_p384, crypto::hash_alg::sha384, sc, sig);
  });
}
