// SPDX-License-Identifier: Apache-2.0
// spdm::sign() writes the 1.2+ signed message M = combined_spdm_prefix ‖ TH itself (one look-up
// of the context string, one loop for the prefix; signing.hpp). It must hand the policy exactly
// what signed_content::message() and context_bytes() give (what spdm::verify() checks against):
// a recording policy compares the two for every context, version and digest size.
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

}  // namespace

TEST_CASE("spdm::sign() signs signed_content::message() with context_bytes()", "[spdm][signing]") {
  static_assert(crypto::sign_policy<recording_policy>);
  recording_policy p;
  std::array<std::byte, 64> th{};
  for (std::size_t i = 0; i < th.size(); ++i) th[i] = std::byte{static_cast<std::uint8_t>(0xA0 + i)};
  std::array<std::byte, crypto::max_signature_size> sig{};
  for (const version v : {version::v1_0, version::v1_1, version::v1_2, version::v1_3}) {
    for (std::uint8_t c = 0; c < 7; ++c) {
      for (const std::size_t h : {32u, 48u, 64u}) {
        const signed_content sc{v, static_cast<signing_context>(c), bytes_view{th}.first(h)};
        REQUIRE(spdm::sign(p, {}, crypto::sig_alg::ecdsa_p384, crypto::hash_alg::sha384, sc, sig));
        std::array<std::byte, max_signed_message_size> scratch{};
        const bytes_view want = sc.message(scratch);
        INFO("version " << int(to_byte(v)) << " context " << int(c) << " H " << h);
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
