// SPDX-License-Identifier: Apache-2.0
// Fuzz target: arbitrary bytes through the SPDM dispatching decoder (pmci/spdm/message.hpp).
//
// Input layout (so that one input chooses the negotiated parameters and the request a response
// answers; fuzz/spdm_decode_corpus.py writes the seeds the same way):
//   byte 0: bits 1:0 version 1.0+n | bits 3:2 hash {SHA-256, SHA-384, SHA-512, none} |
//           bits 6:4 responder asym (table below) | bit 7 MultiKeyConnRsp
//   byte 1: bits 2:0 requester asym | bit 3 MultiKeyConnReq | bit 4 encapsulated |
//           bit 5 responder MEAS_CAP (signed) | bits 7:6 measurement hash {SHA-256, -384, -512, raw}
//   byte 2, 3: Param1, Param2 of the request a response answers
//   rest: one SPDM message
// Checked: decode never crashes; whatever decodes re-encodes to exactly the input (decoders accept
// only canonical encodings: reserved fields zero, lengths consistent) and decodes again to the
// same message; the views (records, chains, digests) can be walked.
#include <array>
#include <cstddef>
#include <cstdint>
#include <variant>

#include "pmci/spdm/cert_chain.hpp"
#include "pmci/spdm/message.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {
constexpr base_asym asyms[8] = {base_asym::ecdsa_p256,  base_asym::ecdsa_p384,  base_asym::ecdsa_p521,
                                base_asym::rsapss_2048, base_asym::rsapss_3072, base_asym::rsapss_4096,
                                base_asym::eddsa_ed25519, base_asym::none};
constexpr base_hash hashes[4] = {base_hash::sha256, base_hash::sha384, base_hash::sha512, base_hash::none};
constexpr meas_hash meas_hashes[4] = {meas_hash::sha256, meas_hash::sha384, meas_hash::sha512, meas_hash::raw_bit_stream};

[[noreturn]] void fail() { __builtin_trap(); }

std::size_t walk(const message& m, const negotiated& n) {
  std::size_t touched = 0;
  if (const auto* meas = std::get_if<measurements>(&m))
    for (const measurement_block b : meas->record) touched += b.dmtf().value.size() + b.index;
  if (const auto* cert = std::get_if<certificate>(&m))
    if (auto chain = cert_chain::decode(cert->portion, n))
      for (bytes_view c : *chain) touched += c.size();
  if (const auto* d = std::get_if<digests>(&m))
    for (std::size_t i = 0; i < d->count(); ++i) touched += d->digest(i).size() + d->slot_of(i);
  if (const auto* v = std::get_if<version_response>(&m)) touched += v->versions().bits();
  return touched;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  negotiated n;
  n.ver = static_cast<version>(0x10 + (data[0] & 3));
  n.hash = hashes[(data[0] >> 2) & 3];
  n.asym = asyms[(data[0] >> 4) & 7];
  n.multi_key_conn_rsp = (data[0] & 0x80) != 0;
  n.req_asym = asyms[data[1] & 7];
  n.multi_key_conn_req = (data[1] & 0x08) != 0;
  n.rsp_caps = (data[1] & 0x20) ? rsp_cap::meas_sig : rsp_cap::none;
  n.measurement_hash = meas_hashes[data[1] >> 6];
  const response_context ctx{{to_byte(n.ver), code::get_version, data[2], data[3]}, (data[1] & 0x10) != 0};
  const bytes_view msg{reinterpret_cast<const std::byte*>(data) + 4, size - 4};

  auto m = decode(msg, n, ctx);
  if (!m) return 0;
  static std::array<std::byte, 1u << 17> out;
  writer w{out};
  if (!encode(w, *m, n, ctx)) fail();
  if (!equal(w.written(), msg)) fail();  // canonical: encode(decode(x)) == x
  auto again = decode(w.written(), n, ctx);
  if (!again || again->index() != m->index()) fail();
  static std::array<std::byte, 1u << 17> out2;
  writer w2{out2};
  if (!encode(w2, *again, n, ctx) || !equal(w2.written(), w.written())) fail();
  volatile std::size_t sink = walk(*m, n);
  (void)sink;
  negotiated n2 = n;
  update(n2, *m);
  return 0;
}
