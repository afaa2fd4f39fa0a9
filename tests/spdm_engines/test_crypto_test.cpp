// SPDX-License-Identifier: Apache-2.0
// The software SHA-2 of the engine test policy against FIPS 180-4 examples and hashlib values
// (compile time and run time; the 777-byte message is bytes i % 256), and the properties of its fake signatures the engine tests rely on.
#include <array>
#include <string_view>

#include "pmci/core/hex.hpp"
#include "spdm_engines/test_crypto.hpp"
#include "support/catch.hpp"

namespace {
using pmci::bytes_view;
using pmci::crypto::hash_alg;
using pmci::test::test_crypto;

template <std::size_t N>
constexpr bool digest_is(hash_alg a, bytes_view msg, std::string_view hex) {
  std::array<std::byte, 64> out{};
  pmci::test::sha2::digest(a, msg, out);
  const auto want = pmci::hex_bytes<N>(hex);
  for (std::size_t i = 0; i < N; ++i)
    if (out[i] != want[i]) return false;
  return true;
}

constexpr std::array<std::byte, 3> abc{std::byte{'a'}, std::byte{'b'}, std::byte{'c'}};
constexpr auto long_msg = [] {
  std::array<std::byte, 777> m{};
  for (std::size_t i = 0; i < m.size(); ++i) m[i] = std::byte{static_cast<std::uint8_t>(i)};
  return m;
}();

constexpr bool known_answers() {
  return digest_is<32>(hash_alg::sha256, abc, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") &&
         digest_is<48>(hash_alg::sha384, abc,
                       "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7") &&
         digest_is<64>(hash_alg::sha512, abc,
                       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd"
                       "454d4423643ce80e2a9ac94fa54ca49f") &&
         digest_is<32>(hash_alg::sha256, {}, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") &&
         digest_is<32>(hash_alg::sha256, long_msg, "86e5691f9ca45e1fecf22b47901fd684f4f3bd931cdb01a84de88ca2dfe53d59") &&
         digest_is<48>(hash_alg::sha384, long_msg,
                       "59432ff05b9ea2020137c7fda6024685c95a8cc6b9b81017b98c60bad77e17c414fc136e12b9de9a81da4c97953febd6") &&
         digest_is<64>(hash_alg::sha512, long_msg,
                       "a66363009f60ee8cfb17ef8c6058af92ffefd0bae23f1c35d00ddd623ff61db378bb94fa860d204899f67147e50029a8"
                       "e67bcacb0fd7f59cc0b0a65a0982d0ff");
}
}  // namespace

TEST_CASE("test policy SHA-2 known answers") {
  static_assert(known_answers());
  CHECK(known_answers());
}

TEST_CASE("test policy: streaming equals one shot, sign(m) == sign_digest(H(m))") {
  test_crypto c;
  test_crypto::hash_state s;
  REQUIRE(c.hash_init(s, hash_alg::sha384));
  for (std::size_t i = 0; i < long_msg.size(); i += 13)
    REQUIRE(c.hash_update(s, bytes_view{long_msg}.subspan(i, std::min<std::size_t>(13, long_msg.size() - i))));
  std::array<std::byte, 48> a{}, b{};
  REQUIRE(c.hash_final(s, a));
  pmci::test::sha2::digest(hash_alg::sha384, long_msg, b);
  CHECK(a == b);

  const auto k = test_crypto::key_for(abc);
  std::array<std::byte, 96> s1{}, s2{};
  REQUIRE(c.sign(k, pmci::crypto::sig_alg::ecdsa_p384, hash_alg::sha384, long_msg, s1, {}));
  REQUIRE(c.sign_digest(k, pmci::crypto::sig_alg::ecdsa_p384, hash_alg::sha384, b, s2));
  CHECK(s1 == s2);
  CHECK(c.verify(k, pmci::crypto::sig_alg::ecdsa_p384, hash_alg::sha384, long_msg, s1, {}));
  s1[5] ^= std::byte{1};
  CHECK(c.verify(k, pmci::crypto::sig_alg::ecdsa_p384, hash_alg::sha384, long_msg, s1, {}) == pmci::errc::verify_failed);
}
