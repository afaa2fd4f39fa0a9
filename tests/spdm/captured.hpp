// SPDX-License-Identifier: Apache-2.0
// Captured SPDM messages (MCTP type byte stripped) for the constexpr codec tests, copied from
// tests/data/vectors/<capture>/messages.txt (DMTF spdm-emu traffic). The run-time tests in
// message_test.cpp check every message of every capture; these are the ones checked at compile
// time too.
#pragma once
#include <string_view>

#include "pmci/core/hex.hpp"
#include "pmci/spdm/message.hpp"

namespace pmci::spdm::test::captured {

// spdm10_p256_sha256 message 8 (rsp)
inline constexpr std::string_view digests10_hex =
    "10010003a05750305d369c58af2341ededf5f4c77b915289e03b1e963fe56e9d753b73711b2d1cffe1d66a766af9726d"
    "17522f124a8b391e15a590ec3882a593ccc8d320";
inline constexpr auto digests10 = hex_bytes<68>(digests10_hex);

// spdm10_p256_sha256 message 13 (req)
inline constexpr std::string_view challenge10_hex =
    "108300ff90f25d3968ab34d610492c904043108e5e5f4e37e126314caec9e1753f3251fd";
inline constexpr auto challenge10 = hex_bytes<36>(challenge10_hex);

// spdm10_p256_sha256 message 14 (rsp)
inline constexpr std::string_view challenge_auth10_hex =
    "10030003a05750305d369c58af2341ededf5f4c77b915289e03b1e963fe56e9d753b73713c966ce2495dd8518260f655"
    "1d3664e8f82e7d9badebf5eee9f7afa6b1b4f0e43079256b44a444f6a274c3bae0f77214a311446e9948f96d0e6e51ed"
    "bebb663900003a96f85de66181ab30555e456713ceae630c3315e36dc163daddcb65592249abe3fbb5fd459729fe2c37"
    "fed9c9cf0f731558dd32de6485d6ffa01f3cd2eef746";
inline constexpr auto challenge_auth10 = hex_bytes<166>(challenge_auth10_hex);

// spdm10_p256_sha256 message 21 (req)
inline constexpr std::string_view get_measurements10_hex =
    "10e001ff050aa69a9f6f2b5ff4214e08b33bc8bee71319dfdf59f684930a1c1d43b302e0";
inline constexpr auto get_measurements10 = hex_bytes<36>(get_measurements10_hex);

// spdm10_p256_sha256 message 22 (rsp)
inline constexpr std::string_view measurements10_hex =
    "106000000870010001012300002000c8bed0af5473e956f38c0def7c0b5047ff756a6a7e666f5f3fb956c5c1652b1e02"
    "012300012000c6f392711fffabbea5986f8e2cef7f6bad3bc4bda1664259406e4675fc66ed8e03012300022000c3be3a"
    "ad7a60e53c9baa8f52219cef642c32085ad8d42fb42c62d6cf7875d44104012300032000946901532cec8b44733b6be2"
    "4618c3baf940e3ec23191693fa1932ac2e6241c510010b008708000700000000000000110123000820006b3ca4093531"
    "a52f19eaa3180bc3416c90ee96bfb332429a6dcaf3b4a0ec228afd018300848000fdfdfdfdfdfdfdfdfdfdfdfdfdfdfd"
    "fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd"
    "fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd"
    "fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfe0113008510003f000000040000001f000000110000005bbadfdee1322290"
    "a149fdd72feded39bad77177f082af915db0a169efba59ef0000b1ea020e3b7ee132e95b13fd8d2aed35bf3a4d9f3508"
    "72ad8a6602594180458b88360f6b3d71d5a23bb1045a5a152dea93a688a728bea33b70e268aab219005d";
inline constexpr auto measurements10 = hex_bytes<474>(measurements10_hex);

// spdm11_p256_sha256_aes256gcm message 21 (req)
inline constexpr std::string_view get_measurements11_hex =
    "11e001ff5274fcb96b524df19045d33363df09b006deb0a5588f594692094cb2fb5e9a6500";
inline constexpr auto get_measurements11 = hex_bytes<37>(get_measurements11_hex);

// spdm11_p256_sha256_aes256gcm message 22 (rsp)
inline constexpr std::string_view measurements11_hex =
    "116000000870010001012300002000c8bed0af5473e956f38c0def7c0b5047ff756a6a7e666f5f3fb956c5c1652b1e02"
    "012300012000c6f392711fffabbea5986f8e2cef7f6bad3bc4bda1664259406e4675fc66ed8e03012300022000c3be3a"
    "ad7a60e53c9baa8f52219cef642c32085ad8d42fb42c62d6cf7875d44104012300032000946901532cec8b44733b6be2"
    "4618c3baf940e3ec23191693fa1932ac2e6241c510010b008708000700000000000000110123000820006b3ca4093531"
    "a52f19eaa3180bc3416c90ee96bfb332429a6dcaf3b4a0ec228afd018300848000fdfdfdfdfdfdfdfdfdfdfdfdfdfdfd"
    "fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd"
    "fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd"
    "fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfe0113008510003f000000040000001f00000011000000ba9f4d33d138766c"
    "52c4fe3aa85c2476729a3339152c261a353765020023c0a300006253ad42e740eb463a711642f3028eeb40cde0b5d541"
    "11e43fd38b4ee872240d6ed09021aa575c114187813b10bf3173066b24d9799886f54396e2404584e367";
inline constexpr auto measurements11 = hex_bytes<474>(measurements11_hex);

// spdm12_p384_sha384_chacha20 message 21 (req)
inline constexpr std::string_view get_measurements12_hex =
    "12e001ff855bf54b19ec91b4f0843a32504bf89f16e4a16a17169a01124eef36330c34c400";
inline constexpr auto get_measurements12 = hex_bytes<37>(get_measurements12_hex);

// spdm12_p384_sha384_chacha20 message 22 (rsp)
inline constexpr std::string_view measurements12_hex =
    "1260002008c0010001013300003000a1d6755d00a66c12e3b5f8fe514441594ed86e8a821ddc55b2961fa71b6d8a12f8"
    "f42588b7c5d8362b22c6dd532950dc02013300013000542dd40a5c224dc4e705820d384f38c0d59b79e128e62a797232"
    "010b55425878172bedf268d74a0c689d9d7cbe33cf860301330002300095f85671912f24988951d81bb43744cf8ec33b"
    "0f86ca9d76484779385a822e9d81f14f4d5510894b44242b1b83a2a2c804013300033000cd4dda8eb05d30be810957e9"
    "4a9eb03e20704b88766c815e972fd974cf3ef2c289ec03508bde94453ff01b17c2698a9010010b008708000700000000"
    "00000011013300083000f0a9502bbdb057b94c26e8805c507d20dc7a4afc4f0fff25f6030126400c180b8fc041a92f12"
    "690fabf70d5615966e5bfd018300848000fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd"
    "fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd"
    "fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd"
    "fdfe0113008510003f000000040000001f00000011000000cec1259ed5d21705ab710f5faee7ff8c229eb9c53eaf47a6"
    "a537651b1eaff7ab00001d9749a7cf230b7afca293c6038833ac466ffe6c77d960d2f78fbe9149f1943fb9e572af2f97"
    "6adacd13abbaebad151c36ec2f18d4c6f82d4f56a51581736f5922e5e7c07809cc5802356e6aa08710dd570af0b98fac"
    "e0c5dda01d147b390517";
inline constexpr auto measurements12 = hex_bytes<586>(measurements12_hex);

// spdm12_p384_sha384_chacha20 message 13 (req)
inline constexpr std::string_view challenge12_hex =
    "128300ff88261d1d1abc8dcb93ad87356be008786fd4714b7dd76694de395731f8d2e6c9";
inline constexpr auto challenge12 = hex_bytes<36>(challenge12_hex);

// spdm12_p384_sha384_chacha20 message 14 (rsp)
inline constexpr std::string_view challenge_auth12_hex =
    "12030003dc024e78fa5e45d82e45c67fb5fce2b9987adfee9ea33e56d5ed8347e8aaa3d01891727f3c5dd7a2e1ab7fd3"
    "6138375d2e4de8262f76e1f570e72bf6a067e139cc7ca7b0dcda364998666bdb6ca624dc3aef5b275a50e37446b64610"
    "a5da1d53755c89701026084a796f5ad87dca1841bd2f0670124eff5541c52d8719ad0e800000ea5c7de4b616536cdbf9"
    "9ca03dc78a3d6f6d3f8b93f7fcb44bd58b3380fcd5bccf2d59ee6af46887d6efe0f82bb9f8ee332f05092a1b8b91e453"
    "2cb5dde159a2f9ecaea3ee5ae6002b0563649a95a03c51bdf833fcce348701dbc199dfacffde";
inline constexpr auto challenge_auth12 = hex_bytes<230>(challenge_auth12_hex);

// spdm13_p384_sha384_aes256gcm message 8 (rsp)
inline constexpr std::string_view digests13_hex =
    "13011313dc024e78fa5e45d82e45c67fb5fce2b9987adfee9ea33e56d5ed8347e8aaa3d01891727f3c5dd7a2e1ab7fd3"
    "6138375d0d0d5cf1c3ba902cd59c95f25e29150fa378708ea1cd9782da82ffc3eac48e1348220e89ab97f8bb928a824e"
    "9ef5951fb2c7faf69c86392a866a0acd14b567ae552720233073bf471ff9c63728c9b8ac67ef7a2b0a05cf124abb51b9"
    "7a91fc4a05050d0101010f000f000f00";
inline constexpr auto digests13 = hex_bytes<160>(digests13_hex);

// spdm13_p384_sha384_aes256gcm message 11 (req)
inline constexpr std::string_view get_certificate13_slot4_hex =
    "138204000000f811";
inline constexpr auto get_certificate13_slot4 = hex_bytes<8>(get_certificate13_slot4_hex);

// spdm13_p384_sha384_aes256gcm message 13 (req)
inline constexpr std::string_view challenge13_hex =
    "138300ff4cb3274de41302269067cece7d18f1a1a734375e9c9423f3f7caa8fabd024da11122334455667788";
inline constexpr auto challenge13 = hex_bytes<44>(challenge13_hex);

// spdm13_p384_sha384_aes256gcm message 14 (rsp)
inline constexpr std::string_view challenge_auth13_hex =
    "13030013dc024e78fa5e45d82e45c67fb5fce2b9987adfee9ea33e56d5ed8347e8aaa3d01891727f3c5dd7a2e1ab7fd3"
    "6138375df564165edb2123b215b2a77f3ec0453727e0b43f392f267c174350062fa214e63aef5b275a50e37446b64610"
    "a5da1d53755c89701026084a796f5ad87dca1841bd2f0670124eff5541c52d8719ad0e80000011223344556677886c82"
    "2cda2f2071a1842dde07df666fdd88ee0f6d8d69805a63edc759473d11e1b8cd3bb448fa4c0f51a1b2b43cfb66b851f5"
    "0e340a97d51ce8cc4af2182f5252201a1a941353b2d8565f6863c0b3faea4bc220d072b458939157a004375570a1";
inline constexpr auto challenge_auth13 = hex_bytes<238>(challenge_auth13_hex);

// spdm13_p384_sha384_aes256gcm message 21 (req)
inline constexpr std::string_view get_measurements13_hex =
    "13e001ffb5d8121f6115d5b4e7565f90e7f7229e881b35711c18422b8b4369c8ff19c6a500aabbccddeeff00ff";
inline constexpr auto get_measurements13 = hex_bytes<45>(get_measurements13_hex);

// spdm13_p384_sha384_aes256gcm message 22 (rsp)
inline constexpr std::string_view measurements13_hex =
    "1360002008c0010001013300003000a1d6755d00a66c12e3b5f8fe514441594ed86e8a821ddc55b2961fa71b6d8a12f8"
    "f42588b7c5d8362b22c6dd532950dc02013300013000542dd40a5c224dc4e705820d384f38c0d59b79e128e62a797232"
    "010b55425878172bedf268d74a0c689d9d7cbe33cf860301330002300095f85671912f24988951d81bb43744cf8ec33b"
    "0f86ca9d76484779385a822e9d81f14f4d5510894b44242b1b83a2a2c804013300033000cd4dda8eb05d30be810957e9"
    "4a9eb03e20704b88766c815e972fd974cf3ef2c289ec03508bde94453ff01b17c2698a9010010b008708000700000000"
    "00000011013300083000f0a9502bbdb057b94c26e8805c507d20dc7a4afc4f0fff25f6030126400c180b8fc041a92f12"
    "690fabf70d5615966e5bfd018300848000fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd"
    "fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd"
    "fdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfdfd"
    "fdfe0113008510003f000000040000001f00000011000000de908670ef5fb91af06dda5321db0a31aaa4c9f20f1bcc6c"
    "c6018a4f91936b100000aabbccddeeff00ff35b41362d1614e8eb8121ea434c10f7a0e4455ef523c96d08a5bdabb56bd"
    "7b1a4bb8cd96520df06ab7781716b7cb42b2b7360ba6c9de8d343eb14f2fbbcd8184be7642c248df3b9b20470da4c21a"
    "05d5bcbfc54c82fe465d3511baa4ad10892e";
inline constexpr auto measurements13 = hex_bytes<594>(measurements13_hex);

// spdm12_p384_sha384_aes256gcm_mutauth message 14 (rsp)
inline constexpr std::string_view challenge_auth12_mut_hex =
    "12038003dc024e78fa5e45d82e45c67fb5fce2b9987adfee9ea33e56d5ed8347e8aaa3d01891727f3c5dd7a2e1ab7fd3"
    "6138375d950fe989ecd1df6ecc8672a4617ee15ce292d2087a170410ceacf35bbebb70d03aef5b275a50e37446b64610"
    "a5da1d53755c89701026084a796f5ad87dca1841bd2f0670124eff5541c52d8719ad0e80000053f7bd4d52dfae9ce165"
    "48170159980adcd138cdbe6742c135916221ced5194575eddc3e8b3ca3ee70a3b1b5fed243168080c8b15d3d38f07e03"
    "6f0ea821c631e959fb67308981937770fceb9682180d320ef228b78a69886f46acfe39cdbb6b";
inline constexpr auto challenge_auth12_mut = hex_bytes<230>(challenge_auth12_mut_hex);


// VCA (GET_CAPABILITIES, CAPABILITIES, NEGOTIATE_ALGORITHMS, ALGORITHMS) of each capture, from which
// the tests derive the negotiated parameters with the codecs themselves (vca_negotiated()).
// spdm10_p256_sha256 messages 3-6
inline constexpr auto get_caps10 = hex_bytes<4>("10e10000");
inline constexpr auto caps10 = hex_bytes<12>("106100000000000037000000");
inline constexpr auto neg_algs10 = hex_bytes<32>("10e3000020000100100000000100000000000000000000000000000000000000");
inline constexpr auto algs10 = hex_bytes<36>("106300002400010002000000100000000100000000000000000000000000000000000000");
// spdm11_p256_sha256_aes256gcm messages 3-6
inline constexpr auto get_caps11 = hex_bytes<12>("11e1000000000000c6f70000");
inline constexpr auto caps11 = hex_bytes<12>("1161000000000000f7fb0000");
inline constexpr auto neg_algs11 = hex_bytes<48>("11e3040030000100100000000100000000000000000000000000000000000000022008000320020004200f0005200100");
inline constexpr auto algs11 = hex_bytes<52>("11630400340001000200000010000000010000000000000000000000000000000000000002200800032002000420080005200100");
// spdm12_p384_sha384_chacha20 messages 3-6
inline constexpr auto get_caps12 = hex_bytes<20>("12e1000000000000c6f702000012000000120000");
inline constexpr auto caps12 = hex_bytes<20>("1261000000000000f7fb1a000012000000120000");
inline constexpr auto neg_algs12 = hex_bytes<48>("12e3040030000102800000000200000000000000000000000000000000000000022010000320040004200f0005200100");
inline constexpr auto algs12 = hex_bytes<52>("12630400340001020400000080000000020000000000000000000000000000000000000002201000032004000420080005200100");
// spdm13_p384_sha384_aes256gcm messages 3-6
inline constexpr auto get_caps13 = hex_bytes<20>("13e1000000000000c6f782080012000000120000");
inline constexpr auto caps13 = hex_bytes<20>("1361000000000000f7fb9a390012000000120000");
inline constexpr auto neg_algs13 = hex_bytes<48>("13e3040030000112800000000200000000000000000000000000000000000001022010000320020004200f0005200100");
inline constexpr auto algs13 = hex_bytes<52>("13630400340001120400000080000000020000000000000000000000000000010000000002201000032002000420080005200100");
// spdm12_p384_sha384_aes256gcm_mutauth messages 3-6
inline constexpr auto get_caps12_mut = hex_bytes<20>("12e1000000000000c6f702000012000000120000");
inline constexpr auto caps12_mut = hex_bytes<20>("1261000000000000f7fb1a000012000000120000");
inline constexpr auto neg_algs12_mut = hex_bytes<48>("12e3040030000102800000000200000000000000000000000000000000000000022010000320020004200f0005200100");
inline constexpr auto algs12_mut = hex_bytes<52>("12630400340001020400000080000000020000000000000000000000000000000000000002201000032002000420080005200100");
/// The negotiated parameters of a capture, derived from its VCA with the codecs (spdm.md §1, §5).
constexpr negotiated vca_negotiated(bytes_view get_caps, bytes_view caps, bytes_view neg, bytes_view algs) {
  negotiated n;
  for (bytes_view m : {get_caps, caps, neg, algs}) {
    auto d = decode(m, n);
    PMCI_ASSERT(d.has_value());
    update(n, *d);
  }
  return n;
}
inline constexpr negotiated n10 = vca_negotiated(get_caps10, caps10, neg_algs10, algs10);
inline constexpr negotiated n11 = vca_negotiated(get_caps11, caps11, neg_algs11, algs11);
inline constexpr negotiated n12 = vca_negotiated(get_caps12, caps12, neg_algs12, algs12);
inline constexpr negotiated n13 = vca_negotiated(get_caps13, caps13, neg_algs13, algs13);
inline constexpr negotiated n12_mut = vca_negotiated(get_caps12_mut, caps12_mut, neg_algs12_mut, algs12_mut);

}  // namespace pmci::spdm::test::captured
