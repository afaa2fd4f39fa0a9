// SPDX-License-Identifier: Apache-2.0
// The crypto policy test suite, written once and run against every adapter
// (PMCI_CRYPTO_POLICY_SUITE below instantiates it for one policy type).
//
// Known-answer vectors and their public sources:
//   SHA-2        FIPS 180-2 appendix examples ("abc", the 448-bit message, one million 'a')
//   SHA-3        FIPS 202 / NIST CSRC example values ("abc", empty message)
//   HMAC         RFC 4231 §4.2-§4.8, test cases 1, 2, 3, 4, 6, 7 (SHA-256/384/512)
//   HKDF         RFC 5869 appendix A.1-A.3 (SHA-256)
//   AES-GCM      McGrew & Viega, "The Galois/Counter Mode of Operation", test cases 1, 4, 13, 16
//   ChaCha20-Poly1305  RFC 8439 §2.8.2
//   DSP0277 AEAD records  libspdm unit_test/test_spdm_secured_message/encode_decode.c cases 1, 2, 4
//                (vectors.md §8, PUBLISHED+VERIFIED)
//   ECDSA        RFC 6979 appendix A.2.5-A.2.7 (P-256/P-384/P-521 keys, SHA-256, "sample"/"test")
//   Ed25519      RFC 8032 §7.1 tests 1 and 2
//   ECDH         RFC 5903 §8.1 (256-bit random ECP group)
// The public keys of the RFC 6979 keys are given as SubjectPublicKeyInfo (RFC 5480 prefix + the
// RFC's Ux ‖ Uy).
#pragma once
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/crypto/hkdf.hpp"
#include "pmci/crypto/hmac.hpp"
#include "pmci/crypto/x509.hpp"
#include "support/catch.hpp"
#include "test_util.hpp"

namespace pmci::test::crypto {

using namespace pmci::crypto;

// ---- hashing ---------------------------------------------------------------------------------------

template <class P>
bytes digest_of(P& p, hash_alg a, bytes_view data) {
  bytes out(digest_size(a));
  REQUIRE(compute_hash(p, a, data, out));
  return out;
}

template <class P>
void hash_kats(P& p) {
  struct kat {
    hash_alg alg;
    const char* abc;
    const char* empty;
  };
  const kat kats[] = {
      {hash_alg::sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {hash_alg::sha384,
       "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
       "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b"},
      {hash_alg::sha512,
       "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
       "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"},
      {hash_alg::sha3_256, "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532",
       "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a"},
      {hash_alg::sha3_384,
       "ec01498288516fc926459f58e2c6ad8df9b473cb0fc08c2596da7cf0e49be4b298d88cea927ac7f539f1edf228376d25",
       "0c63a75b845e4f7d01107d852e4c2485c51a50aaaa94fc61995e71bbee983a2ac3713831264adb47fb6bd1e058d5f004"},
      {hash_alg::sha3_512,
       "b751850b1a57168a5693cd924b6b096e08f621827444f70d884f5d0240d2712e10e116e9192af3c91a7ec57647e3934057340b4cf408d5a56592f8274eec53f0",
       "a69f73cca23a9ac5c8b567dc185a756e97c982164fe25859e0d1dcc1475c80a615b2123af1f5f94c11e3e9402c3ac558f500199d95b6d3e301758586281dcd26"},
  };
  for (const auto& k : kats) {
    INFO(to_string(k.alg));
    typename P::hash_state s;
    if (!P::hashes.contains(k.alg)) {
      CHECK(p.hash_init(s, k.alg) == errc::unsupported);
      continue;
    }
    CHECK(hex(digest_of(p, k.alg, ascii("abc"))) == k.abc);
    CHECK(hex(digest_of(p, k.alg, {})) == k.empty);

    // Fork a running state: the copy and the original continue independently.
    REQUIRE(p.hash_init(s, k.alg));
    REQUIRE(p.hash_update(s, ascii("a")));
    typename P::hash_state fork = s;
    REQUIRE(p.hash_update(fork, ascii("bc")));
    bytes d1(digest_size(k.alg));
    REQUIRE(p.hash_final(fork, d1));
    CHECK(hex(d1) == k.abc);
    REQUIRE(p.hash_update(s, ascii("b")));
    typename P::hash_state assigned;
    assigned = s;  // copy assignment onto a fresh state
    REQUIRE(p.hash_update(assigned, ascii("c")));
    bytes d2(digest_size(k.alg));
    REQUIRE(p.hash_final(assigned, d2));
    CHECK(hex(d2) == k.abc);
    REQUIRE(p.hash_update(s, ascii("c")));
    bytes d3(digest_size(k.alg));
    REQUIRE(p.hash_final(s, d3));
    CHECK(hex(d3) == k.abc);

    // A short output buffer is refused.
    REQUIRE(p.hash_init(s, k.alg));
    bytes small(digest_size(k.alg) - 1);
    CHECK(p.hash_final(s, small) == errc::buffer_too_small);
  }
  // FIPS 180-2: two-block message and one million 'a' fed in pieces.
  CHECK(hex(digest_of(p, hash_alg::sha256, ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  typename P::hash_state s;
  REQUIRE(p.hash_init(s, hash_alg::sha256));
  const bytes chunk = repeat('a', 1000);
  for (int i = 0; i < 1000; ++i) REQUIRE(p.hash_update(s, chunk));
  bytes d(32);
  REQUIRE(p.hash_final(s, d));
  CHECK(hex(d) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// ---- HMAC / HKDF ---------------------------------------------------------------------------------------

template <class P>
void hmac_kats(P& p) {
  struct kat {
    bytes key, data;
    const char *sha256, *sha384, *sha512;
  };
  const std::vector<kat> kats = {
      {repeat(0x0b, 20), ascii("Hi There"),  // RFC 4231 §4.2 test case 1
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
       "afd03944d84895626b0825f4ab46907f15f9dadbe4101ec682aa034c7cebc59cfaea9ea9076ede7f4af152e8b2fa9cb6",
       "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cdedaa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854"},
      {ascii("Jefe"), ascii("what do ya want for nothing?"),  // test case 2
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
       "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec3736322445e8e2240ca5e69e2c78b3239ecfab21649",
       "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737"},
      {repeat(0xaa, 20), repeat(0xdd, 50),  // test case 3
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
       "88062608d3e6ad8a0aa2ace014c8a86f0aa635d947ac9febe83ef4e55966144b2a5ab39dc13814b94e3ab6e101a34f27",
       "fa73b0089d56a284efb0f0756c890be9b1b5dbdd8ee81a3655f83e33b2279d39bf3e848279a722c806b485a47e67c807b946a337bee8942674278859e13292fb"},
      {range(0x01, 0x1a), repeat(0xcd, 50),  // test case 4
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
       "3e8a69b7783c25851933ab6290af6ca77a9981480850009cc5577c6e1f573b4e6801dd23c4a7d679ccf8a386c674cffb",
       "b0ba465637458c6990e5a8c5f61d4af7e576d97ff94b872de76f8050361ee3dba91ca5c11aa25eb4d679275cc5788063a5f19741120c4f2de2adebeb10a298dd"},
      {repeat(0xaa, 131), ascii("Test Using Larger Than Block-Size Key - Hash Key First"),  // test case 6
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
       "4ece084485813e9088d2c63a041bc5b44f9ef1012a2b588f3cd11f05033ac4c60c2ef6ab4030fe8296248df163f44952",
       "80b24263c7c1a3ebb71493c1dd7be8b49b46d1f41b4aeec1121b013783f8f3526b56d037e05f2598bd0fd2215d6a1e5295e64f73f63f0aec8b915a985d786598"},
      {repeat(0xaa, 131),  // test case 7
       ascii("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be "
             "hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
       "6617178e941f020d351e2f254e8fd32c602420feb0b8fb9adccebb82461e99c5a678cc31e799176d3860e6110c46523e",
       "e37b6a775dc87dbaa4dfa9f96e5e3ffddebd71f8867289865df5a32d20cdc944b6022cac3c4982b10d5eeb55c3e4de15134676fb6de0446065c97440fa8c6a58"},
  };
  int n = 0;
  for (const auto& k : kats) {
    INFO("RFC 4231 vector #" << n++);
    for (const auto& [alg, want] : {std::pair{hash_alg::sha256, k.sha256}, std::pair{hash_alg::sha384, k.sha384},
                                    std::pair{hash_alg::sha512, k.sha512}}) {
      INFO(to_string(alg));
      bytes out(digest_size(alg));
      REQUIRE(pmci::crypto::hmac(p, alg, k.key, k.data, out));  // native when the policy has it
      CHECK(hex(out) == want);
      if constexpr (hash_policy<P>) {
        bytes g(digest_size(alg));
        REQUIRE(generic_hmac(p, alg, k.key, k.data, g));  // the generic construction on this hash
        CHECK(hex(g) == want);
      }
    }
  }
  bytes small(31);
  CHECK(pmci::crypto::hmac(p, hash_alg::sha256, ascii("k"), ascii("d"), small) == errc::buffer_too_small);
  // Empty key: the same as a key of zero bytes of any length up to the block size (RFC 2104 §2).
  bytes e1(32), e2(32);
  REQUIRE(pmci::crypto::hmac(p, hash_alg::sha256, {}, ascii("msg"), e1));
  REQUIRE(pmci::crypto::hmac(p, hash_alg::sha256, repeat(0, 64), ascii("msg"), e2));
  CHECK(e1 == e2);
}

template <class P>
void hkdf_kats(P& p) {
  struct kat {
    bytes ikm, salt, info;
    std::size_t length;
    const char *prk, *okm;
  };
  const std::vector<kat> kats = {
      {repeat(0x0b, 22), range(0x00, 0x0d), range(0xf0, 0xfa), 42,  // RFC 5869 A.1
       "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
      {range(0x00, 0x50), range(0x60, 0xb0), range(0xb0, 0x100), 82,  // A.2
       "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
       "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
      {repeat(0x0b, 22), {}, {}, 42,  // A.3: empty salt and info
       "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
  };
  int n = 0;
  for (const auto& k : kats) {
    INFO("RFC 5869 A." << ++n);
    bytes prk(32), okm(k.length);
    REQUIRE(hkdf_extract(p, hash_alg::sha256, k.salt, k.ikm, prk));
    CHECK(hex(prk) == k.prk);
    REQUIRE(hkdf_expand(p, hash_alg::sha256, prk, k.info, okm));
    CHECK(hex(okm) == k.okm);
    if constexpr (hash_policy<P>) {
      bytes gprk(32), gokm(k.length);
      REQUIRE(generic_hkdf_extract(p, hash_alg::sha256, k.salt, k.ikm, gprk));
      REQUIRE(generic_hkdf_expand(p, hash_alg::sha256, gprk, k.info, gokm));
      CHECK(hex(gprk) == k.prk);
      CHECK(hex(gokm) == k.okm);
    }
  }
  bytes prk(32), too_long(255 * 32 + 1), longest(255 * 32);
  REQUIRE(hkdf_extract(p, hash_alg::sha256, {}, ascii("ikm"), prk));
  CHECK(hkdf_expand(p, hash_alg::sha256, prk, {}, too_long) == errc::out_of_range);
  CHECK(hkdf_expand(p, hash_alg::sha256, prk, {}, longest));
  // Native and generic agree on the longest output and on SHA-384 / SHA-512.
  if constexpr (hash_policy<P>) {
    bytes g(255 * 32);
    REQUIRE(generic_hkdf_expand(p, hash_alg::sha256, prk, {}, g));
    CHECK(g == longest);
    for (hash_alg a : {hash_alg::sha384, hash_alg::sha512}) {
      bytes p1(digest_size(a)), p2(digest_size(a)), o1(100), o2(100);
      REQUIRE(hkdf_extract(p, a, ascii("salt"), ascii("input key"), p1));
      REQUIRE(generic_hkdf_extract(p, a, ascii("salt"), ascii("input key"), p2));
      CHECK(p1 == p2);
      REQUIRE(hkdf_expand(p, a, p1, ascii("info"), o1));
      REQUIRE(generic_hkdf_expand(p, a, p1, ascii("info"), o2));
      CHECK(o1 == o2);
    }
  }
}

// ---- AEAD --------------------------------------------------------------------------------------------------

template <class P>
void aead_one(P& p, aead_alg alg, const bytes& key, const bytes& nonce, const bytes& aad, const bytes& pt,
              const std::string& ct_and_tag) {
  INFO(to_string(alg) << " pt=" << pt.size() << " aad=" << aad.size());
  auto k = p.aead_import(alg, key);
  if (!P::aeads.contains(alg)) {
    CHECK(k == errc::unsupported);
    return;
  }
  REQUIRE(k);
  bytes out(pt.size() + aead_tag_size);
  REQUIRE(p.aead_seal(*k, nonce, aad, pt, out));
  CHECK(hex(out) == ct_and_tag);

  // In place: plaintext at the front of the record buffer, tag appended behind it.
  bytes inplace = pt;
  inplace.resize(pt.size() + aead_tag_size);
  REQUIRE(p.aead_seal(*k, nonce, aad, bytes_view(inplace).first(pt.size()), inplace));
  CHECK(hex(inplace) == ct_and_tag);

  bytes back(pt.size());
  REQUIRE(p.aead_open(*k, nonce, aad, out, back));
  CHECK(back == pt);
  REQUIRE(p.aead_open(*k, nonce, aad, inplace, inplace));  // in place
  CHECK(bytes(inplace.begin(), inplace.begin() + static_cast<std::ptrdiff_t>(pt.size())) == pt);

  // Negative: tag, ciphertext, AAD and nonce each altered → decrypt_error, output wiped.
  bytes bad = out;
  bad.back() ^= std::byte{0x01};
  bytes junk(pt.size(), std::byte{0x5a});
  CHECK(p.aead_open(*k, nonce, aad, bad, junk) == errc::decrypt_error);
  CHECK(junk == bytes(pt.size(), std::byte{0}));
  if (!pt.empty()) {
    bad = out;
    bad[0] ^= std::byte{0x80};
    CHECK(p.aead_open(*k, nonce, aad, bad, back) == errc::decrypt_error);
  }
  bytes aad2 = aad;
  aad2.push_back(std::byte{0});
  CHECK(p.aead_open(*k, nonce, aad2, out, back) == errc::decrypt_error);
  bytes nonce2 = nonce;
  nonce2[11] ^= std::byte{1};
  CHECK(p.aead_open(*k, nonce2, aad, out, back) == errc::decrypt_error);
  // Malformed calls.
  CHECK(p.aead_open(*k, bytes(8), aad, out, back) == errc::invalid_field);
  CHECK(p.aead_open(*k, nonce, aad, bytes_view(out).first(aead_tag_size - 1), back) == errc::invalid_field);
  bytes small(pt.size() + aead_tag_size - 1);
  CHECK(p.aead_seal(*k, nonce, aad, pt, small) == errc::buffer_too_small);
  CHECK(p.aead_import(alg, bytes(aead_key_size(alg) - 1)) == errc::invalid_field);
}

template <class P>
void aead_kats(P& p) {
  // McGrew & Viega GCM test cases.
  const bytes gcm_p = hx("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
  const bytes gcm_a = hx("feedfacedeadbeeffeedfacedeadbeefabaddad2");
  const bytes gcm_iv = hx("cafebabefacedbaddecaf888");
  aead_one(p, aead_alg::aes128_gcm, bytes(16), bytes(12), {}, {}, "58e2fccefa7e3061367f1d57a4e7455a");  // TC1
  aead_one(p, aead_alg::aes128_gcm, hx("feffe9928665731c6d6a8f9467308308"), gcm_iv, gcm_a, gcm_p,  // TC4
           "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091"
           "5bc94fbc3221a5db94fae95ae7121a47");
  aead_one(p, aead_alg::aes256_gcm, bytes(32), bytes(12), {}, {}, "530f8afbc74536b9a963b4f1c4cb738b");  // TC13
  aead_one(p, aead_alg::aes256_gcm, hx("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"), gcm_iv,
           gcm_a, gcm_p,  // TC16
           "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
           "76fc6ece0f4e1768cddf8853bb2d551b");
  // RFC 8439 §2.8.2.
  aead_one(p, aead_alg::chacha20_poly1305, range(0x80, 0xa0), hx("070000004041424344454647"),
           hx("50515253c0c1c2c3c4c5c6c7"),
           ascii("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, "
                 "sunscreen would be it."),
           "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d63dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905"
           "d6a5b67ecd3b3692ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc3ff4def08e4b7a9de576d26586cec64b6116"
           "1ae10b594f09e26a7e902ecbd0600691");
  // DSP0277 records (vectors.md §8): AAD = SessionID ‖ SeqNum(8) ‖ Length; plaintext =
  // ApplicationDataLength ‖ data; nonce = IV XOR sequence number (LE in bytes 0-7, or BE in 4-11).
  const bytes key = range(0x00, 0x20);
  const bytes rec_pt = cat({hx("1000"), range(0x00, 0x10)});
  aead_one(p, aead_alg::aes256_gcm, key, hx("00020406080a0c0e10121416"), hx("33221100 0000000000000000 2200"), rec_pt,
           "9bfed3b7043d3286603d861733d67f959a20" "3d4fac58cb706cf5a0270af673f0fe36");
  aead_one(p, aead_alg::aes256_gcm, key, hx("55a851ac5da059a410121416"), hx("33221100 55aa55aa55aa55aa 2200"), rec_pt,
           "0dea75eac691374994975263f8c08f6c1aa4" "0dcdb48ad6fa240479d5d8d2fe281914");
  aead_one(p, aead_alg::aes256_gcm, key, hx("00020406a25fa65bba47be43"), hx("33221100 55aa55aa55aa55aa 2200"), rec_pt,
           "f64d6b94377a186101cefea08d91798a8988" "b68ed3064a957089d4d8b9029e9d720b");
}

// ---- signatures ------------------------------------------------------------------------------------------

inline bytes ec_spki(sig_alg s, const std::string& x, const std::string& y) {
  // RFC 5480 SubjectPublicKeyInfo headers for the named curves, then 04 ‖ X ‖ Y.
  const char* prefix = s == sig_alg::ecdsa_p256   ? "3059301306072a8648ce3d020106082a8648ce3d030107034200"
                       : s == sig_alg::ecdsa_p384 ? "3076301006072a8648ce3d020106052b81040022036200"
                                                  : "30819b301006072a8648ce3d020106052b8104002303818600";
  return hx(std::string(prefix) + "04" + x + y);
}

template <class P>
void ecdsa_verify_kats(P& p) {
  struct kat {
    sig_alg alg;
    const char *x, *y, *msg, *r, *s;
  };
  // RFC 6979 A.2.5 (P-256), A.2.6 (P-384), A.2.7 (P-521): SHA-256 rows.
  const kat kats[] = {
      {sig_alg::ecdsa_p256, "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6",
       "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299", "sample",
       "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
       "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"},
      {sig_alg::ecdsa_p256, "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6",
       "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299", "test",
       "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
       "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"},
      {sig_alg::ecdsa_p384,
       "EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC13",
       "8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720", "sample",
       "21B13D1E013C7FA1392D03C5F99AF8B30C570C6F98D4EA8E354B63A21D3DAA33BDE1E888E63355D92FA2B3C36D8FB2CD",
       "F3AA443FB107745BF4BD77CB3891674632068A10CA67E3D45DB2266FA7D1FEEBEFDC63ECCD1AC42EC0CB8668A4FA0AB0"},
      {sig_alg::ecdsa_p384,
       "EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC13",
       "8015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720", "test",
       "6D6DEFAC9AB64DABAFE36C6BF510352A4CC27001263638E5B16D9BB51D451559F918EEDAF2293BE5B475CC8F0188636B",
       "2D46F3BECBCC523D5F1A1256BF0C9B024D879BA9E838144C8BA6BAEB4B53B47D51AB373F9845C0514EEFB14024787265"},
      {sig_alg::ecdsa_p521,
       "01894550D0785932E00EAA23B694F213F8C3121F86DC97A04E5A7167DB4E5BCD371123D46E45DB6B5D5370A7F20FB633155D38FFA16D2BD761DCAC474B9A2F5023A4",
       "00493101C962CD4D2FDDF782285E64584139C2F91B47F87FF82354D6630F746A28A0DB25741B5B34A828008B22ACC23F924FAAFBD4D33F81EA66956DFEAA2BFDFCF5",
       "sample",
       "01511BB4D675114FE266FC4372B87682BAECC01D3CC62CF2303C92B3526012659D16876E25C7C1E57648F23B73564D67F61C6F14D527D54972810421E7D87589E1A7",
       "004A171143A83163D6DF460AAF61522695F207A58B95C0644D87E52AA1A347916E4F7A72930B1BC06DBE22CE3F58264AFD23704CBB63B29B931F7DE6C9D949A7ECFC"},
      {sig_alg::ecdsa_p521,
       "01894550D0785932E00EAA23B694F213F8C3121F86DC97A04E5A7167DB4E5BCD371123D46E45DB6B5D5370A7F20FB633155D38FFA16D2BD761DCAC474B9A2F5023A4",
       "00493101C962CD4D2FDDF782285E64584139C2F91B47F87FF82354D6630F746A28A0DB25741B5B34A828008B22ACC23F924FAAFBD4D33F81EA66956DFEAA2BFDFCF5",
       "test",
       "000E871C4A14F993C6C7369501900C4BC1E9C7B0B4BA44E04868B30B41D8071042EB28C4C250411D0CE08CD197E4188EA4876F279F90B3D8D74A3C76E6F1E4656AA8",
       "00CD52DBAA33B063C3A6CD8058A1FB0A46A4754B034FCC644766CA14DA8CA5CA9FDE00E88C1AD60CCBA759025299079D7A427EC3CC5B619BFBC828E7769BCD694E86"},
  };
  for (const auto& k : kats) {
    INFO(to_string(k.alg) << " " << k.msg);
    const bytes spki = ec_spki(k.alg, k.x, k.y);
    auto key = p.import_public_key(k.alg, spki);
    if (!P::verify_algs.contains(k.alg)) {
      CHECK(key == errc::unsupported);
      continue;
    }
    REQUIRE(key);
    const bytes sig = hx(std::string(k.r) + k.s);
    REQUIRE(sig.size() == signature_size(k.alg));
    const bytes msg = ascii(k.msg);
    CHECK(p.verify(*key, k.alg, hash_alg::sha256, msg, sig, {}));
    CHECK(p.verify_digest(*key, k.alg, hash_alg::sha256, digest_of(p, hash_alg::sha256, msg), sig));
    // Negative: another message, a flipped bit in r and in s, the wrong hash, a wrong size.
    CHECK(p.verify(*key, k.alg, hash_alg::sha256, ascii("sample!"), sig, {}) == errc::verify_failed);
    bytes bad = sig;
    bad[5] ^= std::byte{0x10};
    CHECK(p.verify(*key, k.alg, hash_alg::sha256, msg, bad, {}) == errc::verify_failed);
    bad = sig;
    bad[sig.size() - 1] ^= std::byte{0x01};
    CHECK(p.verify(*key, k.alg, hash_alg::sha256, msg, bad, {}) == errc::verify_failed);
    CHECK(p.verify(*key, k.alg, hash_alg::sha384, msg, sig, {}) == errc::verify_failed);
    CHECK(p.verify(*key, k.alg, hash_alg::sha256, msg, bytes_view(sig).first(sig.size() - 1), {}) == errc::verify_failed);
    CHECK(p.verify(*key, k.alg, hash_alg::sha256, msg, bytes(sig.size()), {}) == errc::verify_failed);  // r = s = 0
    // The key does not fit another curve; a point off the curve is refused.
    const sig_alg other = k.alg == sig_alg::ecdsa_p256 ? sig_alg::ecdsa_p384 : sig_alg::ecdsa_p256;
    CHECK(p.import_public_key(other, spki) == errc::invalid_field);
    bytes off = spki;
    off.back() ^= std::byte{0x01};
    CHECK(p.import_public_key(k.alg, off) == errc::invalid_field);
    CHECK(p.import_public_key(k.alg, bytes_view(spki).first(spki.size() - 1)) == errc::invalid_field);
  }
}

template <class P>
void eddsa_kats(P& p) {
  // RFC 8032 §7.1 TEST 1 (empty message) and TEST 2 (one byte 0x72).
  const bytes spki_prefix = hx("302a300506032b6570032100");
  struct kat {
    const char *pub, *msg, *sig;
  };
  const kat kats[] = {
      {"d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
       "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"},
      {"3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
       "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"},
  };
  for (const auto& k : kats) {
    const bytes spki = cat({spki_prefix, hx(k.pub)});
    auto key = p.import_public_key(sig_alg::ed25519, spki);
    if (!P::verify_algs.contains(sig_alg::ed25519)) {
      CHECK(key == errc::unsupported);
      return;
    }
    REQUIRE(key);
    const bytes msg = hx(k.msg), sig = hx(k.sig);
    CHECK(p.verify(*key, sig_alg::ed25519, hash_alg::sha256, msg, sig, {}));
    bytes bad = sig;
    bad[0] ^= std::byte{1};
    CHECK(p.verify(*key, sig_alg::ed25519, hash_alg::sha256, msg, bad, {}) == errc::verify_failed);
    CHECK(p.verify(*key, sig_alg::ed25519, hash_alg::sha256, ascii("x"), sig, {}) == errc::verify_failed);
    CHECK(p.verify_digest(*key, sig_alg::ed25519, hash_alg::sha256, bytes(32), sig) == errc::unsupported);
  }
}

/// Sign with a fresh key and verify, through both the message and the digest entry points.
template <class P>
void sign_roundtrip(P& p, sig_alg s, hash_alg h) {
  INFO(to_string(s) << " / " << to_string(h));
  auto key = p.generate_sign_key(s);
  if (!P::sign_algs.contains(s)) {
    CHECK(key == errc::unsupported);
    return;
  }
  REQUIRE(key);
  bytes spki(2048);
  auto n = p.export_public_key(*key, spki);
  REQUIRE(n);
  spki.resize(*n);
  auto pub = p.import_public_key(s, spki);
  REQUIRE(pub);
  const bytes msg = ascii("dmtf-spdm-v1.2.*dmtf-spdm-v1.2.*dmtf-spdm-v1.2.*dmtf-spdm-v1.2.*");
  bytes sig(signature_size(s));
  REQUIRE(p.sign(*key, s, h, msg, sig, {}));
  CHECK(p.verify(*pub, s, h, msg, sig, {}));
  CHECK(p.verify(*pub, s, h, ascii("other"), sig, {}) == errc::verify_failed);
  if (!is_eddsa(s)) {
    const bytes d = digest_of(p, h, msg);
    bytes sig2(signature_size(s));
    REQUIRE(p.sign_digest(*key, s, h, d, sig2));
    CHECK(p.verify_digest(*pub, s, h, d, sig2));
    CHECK(p.verify(*pub, s, h, msg, sig2, {}));
    CHECK(p.verify_digest(*pub, s, h, d, sig));
    bytes short_out(signature_size(s) - 1);
    CHECK(p.sign_digest(*key, s, h, d, short_out) == errc::buffer_too_small);
    CHECK(p.sign_digest(*key, s, h, bytes_view(d).first(d.size() - 1), sig2) == errc::invalid_field);
  }
  if (is_rsa(s)) {
    // PKCS#1 v1.5 and PSS signatures are not interchangeable.
    const sig_alg twin = is_rsa_pss(s) ? static_cast<sig_alg>(static_cast<int>(s) - 3) : static_cast<sig_alg>(static_cast<int>(s) + 3);
    auto pub2 = p.import_public_key(twin, spki);
    REQUIRE(pub2);
    CHECK(p.verify(*pub2, twin, h, msg, sig, {}) == errc::verify_failed);
  }
}

// ---- key exchange --------------------------------------------------------------------------------------------

template <class P>
void dhe_checks(P& p) {
  for (dhe_alg g : {dhe_alg::secp256r1, dhe_alg::secp384r1, dhe_alg::secp521r1, dhe_alg::ffdhe2048,
                    dhe_alg::ffdhe3072, dhe_alg::ffdhe4096}) {
    INFO(to_string(g));
    bytes pa(dhe_public_key_size(g)), pb(dhe_public_key_size(g));
    auto a = p.dhe_generate(g, pa);
    if (!P::dhe_groups.contains(g)) {
      CHECK(a == errc::unsupported);
      continue;
    }
    REQUIRE(a);
    auto b = p.dhe_generate(g, pb);
    REQUIRE(b);
    CHECK(pa != pb);
    bytes sa(dhe_shared_secret_size(g)), sb(dhe_shared_secret_size(g));
    REQUIRE(p.dhe_compute(*a, pb, sa));
    REQUIRE(p.dhe_compute(*b, pa, sb));
    CHECK(sa == sb);
    CHECK(sa != bytes(sa.size()));
    // Malformed peer values.
    CHECK(p.dhe_compute(*a, bytes_view(pb).first(pb.size() - 1), sa) == errc::invalid_field);
    CHECK(p.dhe_compute(*a, bytes(pb.size()), sa) == errc::invalid_field);
    if (is_ecdhe(g)) {
      bytes off = pb;
      off.back() ^= std::byte{0x01};  // Y changed: no longer on the curve
      CHECK(p.dhe_compute(*a, off, sa) == errc::invalid_field);
    } else {
      bytes one(pb.size());
      one.back() = std::byte{1};  // y = 1 is a small-subgroup element
      CHECK(p.dhe_compute(*a, one, sa) == errc::invalid_field);
    }
    bytes small(dhe_shared_secret_size(g) - 1);
    CHECK(p.dhe_compute(*a, pb, small) == errc::buffer_too_small);
  }
  // RFC 5903 §8.1: the initiator's private key i, the responder's public key gr, shared x(g^ir).
  if (P::dhe_groups.contains(dhe_alg::secp256r1)) {
    auto i = p.dhe_import_private(dhe_alg::secp256r1, hx("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433"));
    REQUIRE(i);
    const bytes gr = hx("D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
                        "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB");
    bytes z(32);
    REQUIRE(p.dhe_compute(*i, gr, z));
    CHECK(hex(z) == "d6840f6b42f6edafd13116e0e12565202fef8e9ece7dce03812464d04b9442de");
  }
}

template <class P>
void random_checks(P& p) {
  bytes a(32), b(32);
  REQUIRE(p.random(a));
  REQUIRE(p.random(b));
  CHECK(a != b);
  CHECK(a != bytes(32));
  CHECK(p.random({}));
}

// ---- certificate chains (the captured sample certificates) -----------------------------------------------------

inline bytes cert_file(const std::string& alg, const std::string& name) {
  return pmci::test::load_file("vectors/certs/" + alg + "/" + name);
}

/// Validate the reference's certificate chains with `validate(chain, anchors, options)`.
template <class P, class Validate>
void cert_chain_checks(P& /*p*/, Validate validate) {
  struct chain_case {
    const char* dir;
    sig_alg leaf;
  };
  for (const auto& c : {chain_case{"ecp256", sig_alg::ecdsa_p256}, chain_case{"ecp384", sig_alg::ecdsa_p384},
                        chain_case{"rsa3072", sig_alg::rsassa_3072}}) {
    INFO(c.dir);
    if (!P::verify_algs.contains(c.leaf)) continue;
    const bytes ca = cert_file(c.dir, "ca.cert.der"), ca1 = cert_file(c.dir, "ca1.cert.der");
    const bytes chain = cert_file(c.dir, "bundle_responder.certchain.der");
    const bytes chain1 = cert_file(c.dir, "bundle_responder.certchain1.der");
    const bytes req_chain = cert_file(c.dir, "bundle_requester.certchain.der");
    const bytes_view anchors[] = {ca};
    const bytes_view anchors1[] = {ca1};
    const bytes_view both[] = {ca1, ca};
    cert_chain_options o{c.leaf, cert_role::responder, 0};
    auto leaf = validate(chain, anchors, o);
    CHECK(leaf);
    CHECK(validate(chain1, anchors1, o));
    CHECK(validate(chain, both, o));
    o.role = cert_role::requester;
    CHECK(validate(req_chain, anchors, o));
    o.role = cert_role::responder;
    // The certificates are valid 2023..2033.
    o.now = 1767225600;  // 2026-01-01
    CHECK(validate(chain, anchors, o));
    o.now = 2208988800;  // 2040-01-01
    CHECK(validate(chain, anchors, o) == errc::verify_failed);
    o.now = 946684800;  // 2000-01-01
    CHECK(validate(chain, anchors, o) == errc::verify_failed);
    o.now = 0;
    // Wrong anchor, wrong algorithm, a corrupted signature, a missing intermediate, garbage.
    CHECK(validate(chain, anchors1, o) == errc::verify_failed);
    cert_chain_options wrong = o;
    wrong.leaf_alg = c.leaf == sig_alg::ecdsa_p384 ? sig_alg::ecdsa_p256 : sig_alg::ecdsa_p384;
    CHECK(validate(chain, anchors, wrong) == errc::verify_failed);
    bytes bad = chain;
    bad[bad.size() - 10] ^= std::byte{0x01};  // inside the leaf's signature
    CHECK(validate(bad, anchors, o) == errc::verify_failed);
    bytes_view rest = chain;
    auto root = der::next_certificate(rest);
    auto inter = der::next_certificate(rest);
    REQUIRE(root);
    REQUIRE(inter);
    const bytes no_inter = cat({*root, rest});
    CHECK(validate(no_inter, anchors, o) == errc::verify_failed);
    CHECK(validate(bytes_view(chain).first(chain.size() - 1), anchors, o) == errc::truncated);
    CHECK(validate(bytes{}, anchors, o) == errc::invalid_field);
    // An unrelated root in front of the chain: every certificate sent must be on the path.
    CHECK(validate(cat({ca1, chain}), anchors, o) == errc::verify_failed);
    // A chain that starts at the intermediate, trusted through the root anchor.
    CHECK(validate(bytes(chain.begin() + static_cast<std::ptrdiff_t>(root->size()), chain.end()), anchors, o));
  }
}

}  // namespace pmci::test::crypto

/// Instantiate the suite for one policy type. `make` is an expression yielding a policy object.
#define PMCI_CRYPTO_POLICY_SUITE(NAME, TYPE)                                                                  \
  TEST_CASE(NAME ": hash known answers and forked states") { TYPE p; pmci::test::crypto::hash_kats(p); }    \
  TEST_CASE(NAME ": HMAC RFC 4231") { TYPE p; pmci::test::crypto::hmac_kats(p); }                            \
  TEST_CASE(NAME ": HKDF RFC 5869") { TYPE p; pmci::test::crypto::hkdf_kats(p); }                            \
  TEST_CASE(NAME ": AEAD known answers, in place, tampering") { TYPE p; pmci::test::crypto::aead_kats(p); }  \
  TEST_CASE(NAME ": ECDSA RFC 6979 verification") { TYPE p; pmci::test::crypto::ecdsa_verify_kats(p); }     \
  TEST_CASE(NAME ": Ed25519 RFC 8032 verification") { TYPE p; pmci::test::crypto::eddsa_kats(p); }          \
  TEST_CASE(NAME ": sign and verify") {                                                                     \
    TYPE p;                                                                                                 \
    using pmci::crypto::hash_alg;                                                                           \
    using pmci::crypto::sig_alg;                                                                            \
    pmci::test::crypto::sign_roundtrip(p, sig_alg::ecdsa_p256, hash_alg::sha256);                          \
    pmci::test::crypto::sign_roundtrip(p, sig_alg::ecdsa_p384, hash_alg::sha384);                          \
    pmci::test::crypto::sign_roundtrip(p, sig_alg::ecdsa_p521, hash_alg::sha512);                          \
    pmci::test::crypto::sign_roundtrip(p, sig_alg::ecdsa_p384, hash_alg::sha256);                          \
    pmci::test::crypto::sign_roundtrip(p, sig_alg::rsassa_2048, hash_alg::sha256);                         \
    pmci::test::crypto::sign_roundtrip(p, sig_alg::rsapss_2048, hash_alg::sha384);                         \
    pmci::test::crypto::sign_roundtrip(p, sig_alg::rsapss_3072, hash_alg::sha384);                         \
    pmci::test::crypto::sign_roundtrip(p, sig_alg::rsassa_4096, hash_alg::sha512);                         \
    pmci::test::crypto::sign_roundtrip(p, sig_alg::ed25519, hash_alg::sha256);                             \
  }                                                                                                         \
  TEST_CASE(NAME ": key exchange") { TYPE p; pmci::test::crypto::dhe_checks(p); }                           \
  TEST_CASE(NAME ": random") { TYPE p; pmci::test::crypto::random_checks(p); }                              \
  TEST_CASE(NAME ": certificate chains, generic validation") {                                              \
    TYPE p;                                                                                                 \
    pmci::test::crypto::cert_chain_checks(p, [&](pmci::bytes_view c, std::span<const pmci::bytes_view> a,   \
                                                 const pmci::crypto::cert_chain_options& o) {               \
      return pmci::crypto::generic_verify_cert_chain(p, c, a, o);                                           \
    });                                                                                                     \
  }                                                                                                         \
  TEST_CASE(NAME ": certificate chains, policy's own validation") {                                         \
    TYPE p;                                                                                                 \
    pmci::test::crypto::cert_chain_checks(p, [&](pmci::bytes_view c, std::span<const pmci::bytes_view> a,   \
                                                 const pmci::crypto::cert_chain_options& o) {               \
      return pmci::crypto::verify_cert_chain(p, c, a, o);                                                   \
    });                                                                                                     \
  }
