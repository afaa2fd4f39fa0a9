#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Writes the seed corpora of the SPDM engine fuzzers from the captures in tests/data/vectors:
#   fuzz/corpus/spdm_responder/: the captured requests (setup byte 0: no prologue), and for each
#     version a prologue run (setup 0x84 | v) followed by CHALLENGE / GET_MEASUREMENTS /
#     RESPOND_IF_READY requests, with and without a slow signer.
#   fuzz/corpus/spdm_requester/: the captured responses as a raw response stream (mode 0), and
#     mutate-mode inputs (mode 0x80 | delay) with no edit and a few edits.
# Input format: see fuzz/spdm_engine_fuzz.hpp (length-prefixed chunks).
import os, struct, sys

here = os.path.dirname(os.path.abspath(__file__))
vectors = os.path.join(here, '..', 'tests', 'data', 'vectors')

def chunk(b):
    if len(b) < 0xFF:
        return bytes([len(b)]) + b
    return bytes([0xFF]) + struct.pack('<H', len(b)) + b

def messages(capture):
    out = []
    for line in open(os.path.join(vectors, capture, 'messages.txt')):
        if line.startswith('#') or not line.strip():
            continue
        _, d, h = line.split()
        b = bytes.fromhex(h)
        if b[0] != 0x05:
            break
        out.append((d, b[1:]))
    return out

def write(d, name, data):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)

rsp_dir = os.path.join(here, 'corpus', 'spdm_responder')
req_dir = os.path.join(here, 'corpus', 'spdm_requester')
for cap in sorted(os.listdir(vectors)):
    if not os.path.isdir(os.path.join(vectors, cap)) or cap == 'certs':
        continue
    ms = messages(cap)
    reqs = b''.join(chunk(m) for d, m in ms if d == 'req')
    rsps = b''.join(chunk(m) for d, m in ms if d == 'rsp')
    write(rsp_dir, cap, bytes([0]) + reqs)
    write(req_dir, cap, bytes([0]) + rsps)

for v in range(4):
    ver = 0x10 + v
    nonce = bytes(range(32))
    ctx = bytes(8) if ver >= 0x13 else b''
    challenge = bytes([ver, 0x83, 0, 0xFF]) + nonce + ctx
    meas_signed = bytes([ver, 0xE0, 1, 0xFF]) + nonce + (b'\x00' if ver >= 0x11 else b'') + ctx
    meas_one = bytes([ver, 0xE0, 0, 2]) + ctx
    rir_chal = bytes([ver, 0xFF, 0x83, 0])
    rir_meas = bytes([ver, 0xFF, 0xE0, 1])
    vendor = bytes([ver, 0xFE, 0, 0, 3, 0, 2, 0x86, 0x80, 2, 0, 1, 2])
    body = b''.join(chunk(x) for x in [meas_one, challenge, rir_chal, meas_signed, rir_meas, vendor])
    write(rsp_dir, 'prologue_v1%d' % v, bytes([0x84 | v]) + body)
    write(rsp_dir, 'prologue_slow_v1%d' % v, bytes([0x84 | v | (2 << 3)]) + body)

write(req_dir, 'mutate_none', bytes([0x80]))
write(req_dir, 'mutate_slow', bytes([0x80 | (1 << 2)]))
for ex, off in [(1, 7), (5, 20), (8, 9), (9, 40), (10, 30), (12, 60)]:
    write(req_dir, 'mutate_%d_%d' % (ex, off), bytes([0x80, ex]) + struct.pack('<H', off) + bytes([0x01]))
