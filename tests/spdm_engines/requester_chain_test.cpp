// SPDX-License-Identifier: Apache-2.0
// spdm::detail::check_chain() (requester.hpp) is cert_chain::decode() followed by root() in one
// walk over the certificates (issue 9 footprint). On the test PKI's SPDM chains (P-256 and P-384,
// root hash sizes 0, 32, 48, 64), every prefix, every one-byte change of each byte (four
// patterns) and a few extra trailing bytes: the same success or errc, and on success the root
// certificate decode().root() gives.
#include <cstdint>
#include <vector>

#include "pmci/spdm/cert_chain.hpp"
#include "spdm_engines/harness.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {

base_hash hash_of_size(std::size_t h) {
  switch (h) {
    case 32: return base_hash::sha256;
    case 48: return base_hash::sha384;
    case 64: return base_hash::sha512;
  }
  return base_hash::none;
}

std::size_t compared = 0;

void compare(bytes_view chain, std::size_t h) {
  negotiated n;
  n.hash = hash_of_size(h);
  REQUIRE(n.h() == h);
  const auto want = cert_chain::decode(chain, n);
  bytes_view root;
  const auto got = spdm::detail::check_chain(chain, h, root);
  INFO("size " << chain.size() << " H " << h);
  REQUIRE(bool(want) == bool(got));
  if (!want) {
    CHECK(want.error() == got.error());
  } else {
    const bytes_view r = want->root();
    CHECK(root.data() == r.data());
    CHECK(root.size() == r.size());
    CHECK(want->root_hash.data() == chain.data() + cert_chain::header_size);
    CHECK(want->certificates.data() == chain.data() + cert_chain::header_size + h);
  }
  ++compared;
}

std::vector<std::byte> spdm_chain(const std::vector<std::byte>& certs, std::size_t h) {
  const std::size_t len = cert_chain::header_size + h + certs.size();
  std::vector<std::byte> c{std::byte{static_cast<std::uint8_t>(len)}, std::byte{static_cast<std::uint8_t>(len >> 8)},
                           std::byte{0}, std::byte{0}};
  for (std::size_t i = 0; i < h; ++i) c.push_back(std::byte{static_cast<std::uint8_t>(0xC0 + i)});
  c.insert(c.end(), certs.begin(), certs.end());
  return c;
}

}  // namespace

TEST_CASE("check_chain() is cert_chain::decode() + root()", "[spdm][requester][footprint]") {
  for (const auto alg : {base_asym::ecdsa_p256, base_asym::ecdsa_p384}) {
    const auto& keys = test::pki_for(alg);
    for (const std::size_t h : {0u, 32u, 48u, 64u}) {
      // The whole chain and the leaf alone (one certificate: root == leaf).
      for (const auto* certs : {&keys.chain, &keys.leaf}) {
        auto c = spdm_chain(*certs, h);
        compare(c, h);
        for (std::size_t k = 0; k <= c.size(); ++k) compare(bytes_view{c}.first(k), h);
        for (std::size_t i = 0; i < c.size(); ++i) {
          const std::byte old = c[i];
          for (const std::uint8_t x : {std::uint8_t{0x01}, std::uint8_t{0x80}, std::uint8_t{0xFF}}) {
            c[i] = old ^ std::byte{x};
            compare(c, h);
          }
          c[i] = std::byte{0};
          compare(c, h);
          c[i] = old;
        }
        for (int extra = 1; extra <= 3; ++extra) {
          c.push_back(std::byte{0x30});
          compare(c, h);
        }
      }
    }
  }
  // No certificate at all, and an empty chain.
  for (const std::size_t h : {0u, 32u, 48u}) {
    const auto c = spdm_chain({}, h);
    compare(c, h);
    compare(bytes_view{}, h);
  }
  CHECK(compared > 10000);
}
