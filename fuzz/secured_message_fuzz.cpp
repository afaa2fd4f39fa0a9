// SPDX-License-Identifier: Apache-2.0
// DSP0277 records (pmci/spdm/session/secured_message.hpp) from the wire: any bytes, opened in
// place with a fixed key, must never crash or read out of bounds, and a record that opens must
// seal back to the identical bytes. Round trip: any application data and padding, sealed, must
// open to the same data and padding, and must not open once any single byte is changed.
// Input: [mode][counter low byte][rest]
//   mode bit 0: MAC-only (else encrypt-and-MAC); bit 1: round trip (else open the rest);
//   bit 2: ChaCha20-Poly1305 (else AES-256-GCM); bits 3-4: binding (MCTP, no type byte + 8-byte
//   sequence number, PCI-DOE-like 0-byte sequence number).
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "pmci/crypto/openssl.hpp"
#include "pmci/spdm/session/secured_message.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {
[[noreturn]] void fail() { std::abort(); }
constexpr std::array<std::uint8_t, 32> key_bytes{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                                  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
constexpr std::array<std::uint8_t, 12> iv_bytes{0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xAB};

record_keys<crypto::openssl> keys_for(crypto::openssl& p, crypto::aead_alg a, std::uint64_t seq) {
  record_keys<crypto::openssl> k;
  const auto* kb = reinterpret_cast<const std::byte*>(key_bytes.data());
  const auto* ib = reinterpret_cast<const std::byte*>(iv_bytes.data());
  if (!k.install(p, a, bytes_view{kb, 32}, bytes_view{ib, 12})) fail();
  k.set_sequence(seq);
  return k;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static crypto::openssl p;
  const std::uint8_t mode = data[0];
  const std::uint64_t seq = data[1];
  const auto prot = (mode & 1) ? session_protection::mac_only : session_protection::encrypt_and_mac;
  const auto alg = (mode & 4) ? crypto::aead_alg::chacha20_poly1305 : crypto::aead_alg::aes256_gcm;
  secured_binding b = mctp_secured_binding;
  if (((mode >> 3) & 3) == 1) b = {.type_byte = false, .message_type = 0, .sequence_number_size = 8, .max_random = 32};
  if (((mode >> 3) & 3) == 2) b = {.type_byte = false, .message_type = 0, .sequence_number_size = 0, .max_random = 0};
  const secured_layout l{b, prot};
  std::vector<std::byte> in(size - 2);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = std::byte{data[2 + i]};

  if ((mode & 2) == 0) {
    // Open arbitrary bytes; if they open (a seed made by the round trip), they must reseal identically.
    const std::vector<std::byte> original = in;
    (void)secured_header::decode(in, l);
    (void)secured_header::session_of(in, b);
    auto k = keys_for(p, alg, seq);
    auto o = open(p, k, l, in);
    if (!o) {
      if (k.sequence() != seq) fail();  // a failed open never advances the counter
      return 0;
    }
    if (k.sequence() != seq + 1) fail();
    const std::vector<std::byte> app(o->app.begin(), o->app.end()), pad(o->padding.begin(), o->padding.end());
    std::vector<std::byte> buf(original.size());
    std::copy(app.begin(), app.end(), buf.begin() + static_cast<std::ptrdiff_t>(l.app_offset()));
    auto again = keys_for(p, alg, seq);
    auto s = seal(p, again, l, o->session_id, buf, app.size(), pad);
    if (!s || !equal(*s, original)) fail();
    return 0;
  }

  // Round trip: rest = [padding length][application data].
  if (in.empty()) return 0;
  const std::size_t pad_len = prot == session_protection::mac_only ? 0 : std::to_integer<std::size_t>(in[0]) % (b.max_random + 1);
  const bytes_view app{in.data() + 1, in.size() - 1};
  std::vector<std::byte> pad(pad_len, std::byte{0x5A});
  std::vector<std::byte> buf(l.record_size(app.size(), pad_len));
  std::copy(app.begin(), app.end(), buf.begin() + static_cast<std::ptrdiff_t>(l.app_offset()));
  auto tx = keys_for(p, alg, seq);
  auto s = seal(p, tx, l, 0x12345678, buf, app.size(), pad);
  if (!s) {
    if (app.size() <= 0xFFFF - 64) fail();
    return 0;
  }
  const std::vector<std::byte> record(s->begin(), s->end());
  std::vector<std::byte> copy = record;
  auto rx = keys_for(p, alg, seq);
  auto o = open(p, rx, l, copy);
  if (!o || o->session_id != 0x12345678 || !equal(o->app, app) || !equal(o->padding, pad)) fail();
  // Any single changed byte: refused (header fields, data, tag alike).
  const std::size_t at = (std::to_integer<std::size_t>(in[0]) * 7919u) % record.size();
  std::vector<std::byte> bad = record;
  bad[at] ^= std::byte{0x01};
  auto rx2 = keys_for(p, alg, seq);
  if (open(p, rx2, l, bad)) fail();
  return 0;
}
