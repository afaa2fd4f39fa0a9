#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Seed corpora for the session fuzzers (fuzz/secured_message_fuzz.cpp, fuzz/spdm_session_fuzz.cpp):
# valid records sealed with the fuzzers' fixed key (Python `cryptography`), round-trip inputs,
# and message scripts for every phase of the session state machine. Run from the repository root.
import os
import struct
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

KEY = bytes(range(1, 33))
IV = bytes(range(0xA0, 0xAC))


def write(d, name, data):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def nonce(seq):
    n = bytearray(IV)
    for i in range(8):
        n[i] ^= (seq >> (8 * i)) & 0xFF
    return bytes(n)


def record(app, pad, seq, sid=0xFFFFFFFF, chacha=False, mac_only=False):
    aead = ChaCha20Poly1305(KEY) if chacha else AESGCM(KEY)
    if mac_only:
        hdr = struct.pack("<IHH", sid, seq & 0xFFFF, len(app) + 16)
        tag = aead.encrypt(nonce(seq), b"", hdr + app)
        return b"\x06" + hdr + app + tag
    pt = struct.pack("<H", len(app)) + app + pad
    hdr = struct.pack("<IHH", sid, seq & 0xFFFF, len(pt) + 16)
    return b"\x06" + hdr + aead.encrypt(nonce(seq), pt, hdr)


d = "fuzz/corpus/secured_message"
hb = bytes.fromhex("0512e80000")
write(d, "open_aes_seq0", bytes([0, 0]) + record(hb, b"\xaa" * 7, 0))
write(d, "open_aes_seq5", bytes([0, 5]) + record(bytes.fromhex("0512e0000ff0"), b"", 5))
write(d, "open_chacha", bytes([4, 9]) + record(hb, b"\x01" * 32, 9, chacha=True))
write(d, "open_mac_only", bytes([1, 3]) + record(hb, b"", 3, mac_only=True))
write(d, "open_truncated", bytes([0, 0]) + record(hb, b"", 0)[:-3])
write(d, "roundtrip_aes", bytes([2, 1, 31]) + hb)
write(d, "roundtrip_mac", bytes([3, 2, 0]) + bytes.fromhex("7e01020304"))
write(d, "roundtrip_doe", bytes([2 | (2 << 3), 0, 0]) + hb)
write(d, "roundtrip_seq8", bytes([6 | (1 << 3), 200, 4]) + bytes(100))


def chunk(kind, data):
    return bytes([kind]) + struct.pack("<H", len(data)) + data


d = "fuzz/corpus/spdm_session"
write(d, "established_heartbeat", bytes([2]) + chunk(1, bytes.fromhex("12e80000")))
write(d, "established_key_updates", bytes([2]) + chunk(1, bytes.fromhex("12e90107")) + chunk(1, bytes.fromhex("12e90308"))
      + chunk(1, bytes.fromhex("12e90209")) + chunk(1, bytes.fromhex("12e80000")))
write(d, "established_measurements", bytes([2]) + chunk(1, bytes.fromhex("12e000ff")) + chunk(1, bytes.fromhex("12e00001")))
write(d, "established_end", bytes([2]) + chunk(1, bytes.fromhex("12ec0100")) + chunk(1, bytes.fromhex("12e80000")))
write(d, "established_app", bytes([2]) + chunk(2, bytes.fromhex("7e010203")) + chunk(2, bytes.fromhex("01")))
write(d, "established_expire", bytes([2]) + chunk(3, b"") [:1] + struct.pack("<H", 5) + chunk(1, bytes.fromhex("12e80000")))
write(d, "established_wrong_phase", bytes([2]) + chunk(1, bytes.fromhex("12e50000") + bytes(32)) + chunk(1, bytes.fromhex("12840000")))
write(d, "psk_heartbeat", bytes([3]) + chunk(1, bytes.fromhex("12e80000")) + chunk(1, bytes.fromhex("12ec0000")))
write(d, "handshake_encap", bytes([1]) + chunk(1, bytes.fromhex("12ea0000")) + chunk(1, bytes.fromhex("12eb0100120100010000")))
write(d, "handshake_clear_encap", bytes([5]) + chunk(0, bytes.fromhex("0512ea0000")) + chunk(0, bytes.fromhex("0512e50100") + bytes(96)))
write(d, "handshake_finish_garbage", bytes([1]) + chunk(1, bytes.fromhex("12e50000") + bytes(32)))
write(d, "negotiated_raw", bytes([0]) + chunk(0, bytes.fromhex("0512e4000000ffff0000") + bytes(32 + 64) + b"\x00\x00")
      + chunk(0, bytes.fromhex("06ffffffff000020") + bytes(32)) + chunk(0, bytes.fromhex("0512e80000")))
write(d, "negotiated_psk_raw", bytes([0]) + chunk(0, bytes.fromhex("0512e60000ffff0000000000000000")))

# Mutual-authentication modes (setup bits 3-4) and the responder-initiated key update (chunk kind 3
# with bit 2: start it; with bit 3: the requester serves it).
write(d, "established_implicit_digests", bytes([2 | (1 << 3)]) + chunk(1, bytes.fromhex("12e80000")))
write(d, "established_without_encap", bytes([2 | (2 << 3)]) + chunk(1, bytes.fromhex("12e80000")))
write(d, "established_clear_without_encap", bytes([6 | (2 << 3)]) + chunk(1, bytes.fromhex("12e80000")))
write(d, "handshake_implicit_digests_deliver", bytes([1 | (1 << 3)]) + chunk(1, bytes.fromhex("12eb0000120100010000")))
write(d, "handshake_without_encap_finish", bytes([1 | (2 << 3)]) + chunk(1, bytes.fromhex("12e50100") + bytes(96)))
write(d, "established_encap_key_update", bytes([2]) + bytes([3 | 4, 0, 0]) + bytes([3 | 8, 0, 0]) + chunk(1, bytes.fromhex("12e80000")))
write(d, "established_encap_key_update_raw", bytes([2]) + bytes([3 | 4, 0, 0]) + chunk(1, bytes.fromhex("12ea0000"))
      + chunk(1, bytes.fromhex("12eb01001269010000")) + chunk(1, bytes.fromhex("12eb02001269030000")))
write(d, "established_encap_nothing_pending", bytes([2]) + chunk(1, bytes.fromhex("12ea0000")) + chunk(1, bytes.fromhex("12eb0100126901ff")))
