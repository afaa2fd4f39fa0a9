#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes fuzz/corpus/spdm_session_decode/: every plaintext session-family SPDM message of the
captures in tests/data/vectors, plus the hand-built messages and blobs of tests/spdm/*_test.cpp,
prefixed with the [preset][flags] bytes spdm_session_decode_fuzz.cpp reads (preset 0-3 are the
captures' parameters; flags bit 0: the request asked for a summary hash, bit 1: infer; preset bit 7:
a blob for the opaque-data / MEL / EPInfo parsers). Run from anywhere:
python3 fuzz/spdm_session_decode_corpus.py"""
import os, hashlib
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out = os.path.join(root, 'fuzz', 'corpus', 'spdm_session_decode')
os.makedirs(out, exist_ok=True)
for f in os.listdir(out): os.remove(os.path.join(out, f))
mine = {0xe4,0x64,0xe5,0x65,0xe6,0x66,0xe7,0x67,0xe8,0x68,0xe9,0x69,0xea,0x6a,0xeb,0x6b,0xec,0x6c,
        0xed,0x6d,0xee,0x6e,0x85,0x05,0x86,0x06,0x87,0x07,0xe2,0x62,0xf0,0x70,0xf1,0x71,0xfc,0x7c,0xfd,0x7d,0xef,0x6f}
preset = {'spdm11_p256_sha256_aes256gcm':0,'spdm12_p384_sha384_chacha20':1,'spdm12_p384_sha384_aes256gcm_mutauth':1,
          'spdm13_p384_sha384_aes256gcm':2,'spdm12_psk_sha256_aes256gcm':3}
seen=set()
def emit(p, flags, data, tag):
    blob = bytes([p, flags]) + data
    h = hashlib.sha1(blob).hexdigest()[:12]
    if h in seen: return
    seen.add(h)
    open(f'{out}/{tag}_{h}', 'wb').write(blob)
for cap, p in preset.items():
    for line in open(f'{root}/tests/data/vectors/{cap}/messages.txt'):
        if line.startswith('#') or not line.strip(): continue
        idx, d, hx = line.split()
        b = bytes.fromhex(hx)
        if b[0] != 5 or b[2] not in mine: continue
        if len(b) > 1200: continue  # keep seeds small (the 3.7 KB encapsulated CERTIFICATE is skipped)
        emit(p, 1, b[1:], f'{cap[:6]}_{b[2]:02x}')
        if b[2] in (0x64, 0x66): emit(p, 3, b[1:], f'{cap[:6]}_{b[2]:02x}_infer')
hand = [  # (preset, flags, hex) from tests/spdm/*_test.cpp
 (1,0,'12e40100ffff0000faea981ff588d27e4147fe5b8abb28381eee039965096e18acaa134db5c605c8900dd5680c2dc37614815f9a6342f89d360c71094f9374016bd3defff544b63306b0ab32b91c7c752993790212 70a595b3b28a4bba9587b922aa38c2d3e654217299dd87461d81a0d78bfe18ee42ca658d2ac20be04ec4d0eaaf1636e440924f1000010000000000070001010200100011 00'),
 (3,0,'12e7000000112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'), (3,0,'12670000'),
 (1,0,'12e80000'),(1,0,'12680000'),(1,0,'12e9023c'),(1,0,'1269023c'),(1,0,'12ec0100'),(1,0,'126c0000'),
 (0,0,'116b0201 11820000'),(1,0,'126b0002 00000000 05'),
 (3,0,'12ed0000 0300 0200 a1a2a3 b1b2'),(2,0,'13ed029a00000000'),(3,0,'126d0000 0300 0000 308201'),
 (3,0,'12ee0300 2800 0000 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 30820102'),
 (2,0,'13ee9505'),(3,0,'126e0300'),
 (1,0,'1285 00 07 0000 0000 05000000 09000000 1234567890'),(1,0,'1285 01 07 0100 0000 04000000 abcdef01'),
 (1,0,'1205 00 07 0000'),(1,0,'1205 00 07 0100 1268 0000'),(1,0,'1286 00 07 0100'),
 (1,0,'1206 00 07 0000 0000 05000000 09000000 1234567890'),
 (2,0,'13e20000'),(2,0,'1362 01 00 04000000 00000101'),(2,0,'13f0 01 00 02000000 0001'),(2,0,'13f00000'),(2,0,'13700000'),
 (2,0,'13f10000 02000000 05000000 00000000 00 00 0400 0100 03 06000000 00000000 03 02 8680 0201 0200 beef'),(2,0,'13710000'),
 (2,0,'13fc0000 02'),(2,0,'137c0000 04 02 0300 0f00 0200 18000000 10000000 0300 03 300102'),
 (2,0,'13fd0000 02 00 0100 08000000 01'),(2,0,'13fd0100 02'),(2,0,'137d0000'),
 (2,0,'13ef0000 00000000 00100000'),(2,0,'136f0000 14000000 1c000000 02000000200000000000000000000000 01000000'),
 (2,0,'138701 00 00 000000'),(2,4,'138701 03 01 000000 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'),
 (2,0,'13070000 00000000 0c000000 01000000 07 00 00 01 03 123456'),
 # blobs (preset | 0x80): opaque blocks, a DMTF MEL, a DeviceClassIdentifier EPInfo
 (0x80,0,'46544d44 01 01 0000 00 00 0900 01 01 03 0010 0011 0012 000000'),(0x81,0,'01 000000 00 00 0400 01 00 0012'),
 (0x81,0,'02000000 00000300 01021400 03028086 0100aa00'),
 (0x82,0,'02000000 20000000 0000000000000000 01000000 fd 000000 89 0300 524f4d 02000000 fd 000000 89 0700 426f6f74204657'),
 (0x82,0,'01000000 07 00 00 01 03 123456'),
]
for p, f, hx in hand:
    b = bytes.fromhex(hx.replace(' ', ''))
    emit(p, f, b, 'hand')
print(len(seen), 'seeds in', out)
