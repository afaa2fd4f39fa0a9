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
    print(f'{len(written)} seeds in {out_dir}', file=sys.stderr)

if __name__ == '__main__':
    main()
