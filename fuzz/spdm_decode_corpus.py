#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes fuzz/corpus/spdm_decode/: one seed per plaintext SPDM message of every capture in
tests/data/vectors (and per message inside encapsulated-request containers), prefixed with the
4 parameter bytes spdm_decode_fuzz.cpp reads. Parameters per capture follow the captures' own
ALGORITHMS/CAPABILITIES (tests/data/vectors/README.md); the request a response answers is the
previous request. Run from the repository root: python3 fuzz/spdm_decode_corpus.py"""
import hashlib, os, sys

ASYM = {'p256': 0, 'p384': 1, 'none': 7}
HASH = {'sha256': 0, 'sha384': 1}
#            capture                                  minor hash      asym    req asym meas hash multikey
CAPTURES = [('spdm10_p256_sha256',                   0, 'sha256', 'p256', 7, 0, False),
            ('spdm11_p256_sha256_aes256gcm',         1, 'sha256', 'p256', 4, 0, False),
            ('spdm12_p384_sha384_chacha20',          2, 'sha384', 'p384', 4, 1, False),
            ('spdm12_psk_sha256_aes256gcm',          2, 'sha256', 'p256', 4, 0, False),
            ('spdm12_p384_sha384_aes256gcm_mutauth', 2, 'sha384', 'p384', 4, 1, False),
            ('spdm13_p384_sha384_aes256gcm',         3, 'sha384', 'p384', 4, 1, True)]
MAX_SEED = 2048

# Session-family messages no capture carries (chunking, certificate provisioning, the 1.3
# messages, in-session control), hand-built as in tests/spdm/*_test.cpp:
# (byte 0, byte 1, request Param1, Param2, hex). byte 0/1 as in spdm_decode_fuzz.cpp: 0x12 = 1.2
# SHA-256 P-384, 0x17 = 1.3 SHA-384 P-384; 0x24 = requester RSA-3072, MEAS_CAP and handshake in
# the clear.
SESSION_SEEDS = [
    (0x12, 0x24, 0, 0, '12e80000'), (0x12, 0x24, 0, 0, '12680000'), (0x12, 0x24, 0, 0, '12e9023c'),
    (0x12, 0x24, 0, 0, '1269023c'), (0x12, 0x24, 0, 0, '12ec0100'), (0x12, 0x24, 0, 0, '126c0000'),
    (0x12, 0x24, 0, 0, '12e7000000112233445566778899aabbccddeeff00112233445566778899aabbccddeeff'),
    (0x12, 0x24, 0, 0, '12670000'), (0x12, 0x24, 0, 0, '126b000200000000' + '05'),
    (0x12, 0x24, 0, 0, '12ed0000030002' + '00a1a2a3b1b2'), (0x12, 0x24, 0, 0, '126d00000300' + '0000308201'),
    (0x12, 0x24, 0, 0, '12ee030028000000' + '00112233445566778899aabbccddeeff' * 2 + '30820102'),
    (0x12, 0x24, 0, 0, '126e0300'),
    (0x12, 0x24, 0, 0, '12850007000000000500000009000000' + '1234567890'),
    (0x12, 0x24, 0, 0, '1285010701000000' + '04000000abcdef01'),
    (0x12, 0x24, 0, 0, '120500070100' + '12680000'), (0x12, 0x24, 0, 0, '128600070100'),
    (0x12, 0x24, 0, 0, '12060007000000000500000009000000' + '1234567890'),
    (0x17, 0x24, 0, 0, '13ed029a00000000'), (0x17, 0x24, 0, 0, '13ee9505'),
    (0x17, 0x24, 0, 0, '13e20000'), (0x17, 0x24, 0, 0, '1362010004000000' + '00000101'),
    (0x17, 0x24, 0, 0, '13f0010002000000' + '0001'), (0x17, 0x24, 0, 0, '13f00000'), (0x17, 0x24, 0, 0, '13700000'),
    (0x17, 0x24, 0, 0, '13f1000002000000' + '050000000000000000000400010003' + '06000000000000000302868002010200beef'),
    (0x17, 0x24, 0, 0, '13710000'), (0x17, 0x24, 0, 0, '13fc000002'),
    (0x17, 0x24, 0, 0, '137c0000040203000f0002001800000010000000' + '030003300102'),
    (0x17, 0x24, 0, 0, '13fd0000020001000800000001'), (0x17, 0x24, 0, 0, '13fd010002'), (0x17, 0x24, 0, 0, '137d0000'),
    (0x17, 0x24, 0, 0, '13ef00000000000000100000'),
    (0x17, 0x24, 0, 0, '136f0000300000000000000002000000' + '20000000' + '00' * 8 +
     '01000000fd00000089030052' + '4f4d' + '02000000fd000000890700426f6f74204657'),
    (0x17, 0x24, 0, 0, '1387010000000000'),
    (0x17, 0x24, 0, 0, '1387010301000000' + '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f'),
    (0x17, 0x24, 0, 0, '1307000000000000' + '0c000000' + '01000000070000010312345' + '6'),
]

def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out_dir = os.path.join(root, 'fuzz', 'corpus', 'spdm_decode')
    os.makedirs(out_dir, exist_ok=True)
    written = set()
    for cap, minor, h, a, req_a, mh, mk in CAPTURES:
        b0 = minor | HASH[h] << 2 | ASYM[a] << 4 | (0x80 if mk else 0)
        last_req = bytes(4)
        last_encap = bytes(4)
        for line in open(os.path.join(root, 'tests', 'data', 'vectors', cap, 'messages.txt')):
            if line.startswith('#') or not line.strip():
                continue
            idx, direction, hexs = line.split()
            raw = bytes.fromhex(hexs)
            if raw[0] != 0x05 or len(raw) < 5:
                continue
            spdm = raw[1:]
            is_req = direction == 'req'
            if is_req:
                last_req = spdm[:4]
            seeds = [(spdm, 0, last_req)]
            code = spdm[1]
            if code == 0x6A:                                   # ENCAPSULATED_REQUEST
                last_encap = spdm[4:8]
                seeds.append((spdm[4:], 0x10, bytes(4)))
            elif code == 0x6B and spdm[3] == 1:                # ENCAPSULATED_RESPONSE_ACK, request
                inner = spdm[8:] if minor >= 2 else spdm[4:]
                last_encap = inner[:4]
                seeds.append((inner, 0x10, bytes(4)))
            elif code == 0xEB:                                 # DELIVER_ENCAPSULATED_RESPONSE
                seeds.append((spdm[4:], 0x10, last_encap))
            for msg, encap, req in seeds:
                if len(msg) > MAX_SEED or len(msg) < 4:
                    continue
                b1 = req_a | (0x08 if mk else 0) | encap | 0x20 | mh << 6
                data = bytes([b0, b1, req[2], req[3]]) + msg
                digest = hashlib.sha1(data).hexdigest()[:12]
                if digest in written:
                    continue
                written.add(digest)
                name = f'{cap}_{int(idx):02d}{"_inner" if encap else ""}_{digest}'
                with open(os.path.join(out_dir, name), 'wb') as f:
                    f.write(data)
    for b0, b1, p1, p2, hexs in SESSION_SEEDS:
        data = bytes([b0, b1, p1, p2]) + bytes.fromhex(hexs)
        digest = hashlib.sha1(data).hexdigest()[:12]
        if digest not in written:
            written.add(digest)
            with open(os.path.join(out_dir, f'session_{data[5]:02x}_{digest}'), 'wb') as f:
                f.write(data)
    print(f'{len(written)} seeds in {out_dir}', file=sys.stderr)

if __name__ == '__main__':
    main()
