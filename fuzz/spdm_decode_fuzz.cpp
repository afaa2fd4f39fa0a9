// SPDX-License-Identifier: Apache-2.0
// Fuzz target: arbitrary bytes through the SPDM dispatching decoder (pmci/spdm/message.hpp).
//
// Input layout (so that one input chooses the negotiated parameters and the request a response
// answers; fuzz/spdm_decode_corpus.py writes the seeds the same way):
//   byte 0: bits 1:0 version 1.0+n | bits 3:2 hash {SHA-256, SHA-384, SHA-512, none} |
//           bits 6:4 responder asym (table below) and with it the DHE group | bit 7 MultiKeyConnRsp
//   byte 1: bits 2:0 requester asym | bit 3 MultiKeyConnReq | bit 4 encapsulated |
//           bit 5 responder MEAS_CAP (signed) and HANDSHAKE_IN_THE_CLEAR on both sides (no message
//           depends on both, so tying them loses no combination) |
//           bits 7:6 measurement hash {SHA-256, -384, -512, raw}
//   byte 2, 3: Param1, Param2 of the request a response answers (its code: the one the response
//           answers, e.g. KEY_EXCHANGE for KEY_EXCHANGE_RSP)
//   rest: one SPDM message
// Checked: decode never crashes; whatever decodes re-encodes to exactly the input (decoders accept
// only canonical encodings: reserved fields zero, lengths consistent) and decodes again to the
// same message; the views (records, chains, digests) can be walked; the requester's in-place
// response readers (read_checked) agree with decode(), and so does its certificate chain check
// (detail::check_chain) with cert_chain::decode() + root().
#include <array>
#include <cstddef>
#include <cstdint>
#include <variant>

#include "pmci/spdm/cert_chain.hpp"
#include "pmci/spdm/message.hpp"
#include "pmci/spdm/opaque.hpp"
#include "pmci/spdm/requester.hpp"
#include "spdm/rsp_cap_reference.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {
constexpr base_asym asyms[8] = {base_asym::ecdsa_p256,  base_asym::ecdsa_p384,  base_asym::ecdsa_p521,
                                base_asym::rsapss_2048, base_asym::rsapss_3072, base_asym::rsapss_4096,
                                base_asym::eddsa_ed25519, base_asym::none};
// DHE group paired with the asym entry of the same index (the captures' pairs: P-256/secp256r1,
// P-384/secp384r1).
constexpr dhe_group dhes[8] = {dhe_group::secp256r1, dhe_group::secp384r1, dhe_group::secp521r1,
                               dhe_group::ffdhe2048, dhe_group::ffdhe3072, dhe_group::ffdhe4096,
                               dhe_group::secp256r1, dhe_group::none};
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
  if (const auto* cert = std::get_if<certificate>(&m)) {
    // The requester's one-walk chain check against decode() + root(): same errc, same root.
    bytes_view root;
    const auto lean = spdm::detail::check_chain(cert->portion, n.h(), root);
    const auto full = cert_chain::decode(cert->portion, n);
    if (bool(lean) != bool(full)) fail();
    if (!full && lean.error() != full.error()) fail();
    if (full && (root.data() != full->root().data() || root.size() != full->root().size())) fail();
  }
  if (const auto* d = std::get_if<digests>(&m))
    for (std::size_t i = 0; i < d->count(); ++i) touched += d->digest(i).size() + d->slot_of(i);
  if (const auto* v = std::get_if<version_response>(&m)) touched += v->versions().bits();
  // Session half: the opaque-data elements (1.2+ as OpaqueDataFmt1), event lists, MEL entries,
  // DeviceClassIdentifier elements.
  const opaque_format f = n.ver < version::v1_2 ? opaque_format::general : opaque_format::fmt1;
  const auto sm = [&](bytes_view opaque) {
    if (auto s = secured_message_opaque::parse(opaque, f))
      touched += s->supported_count() + (s->selected_version ? s->selected_version->raw : 0u);
  };
  if (const auto* k = std::get_if<key_exchange>(&m)) sm(k->opaque_data);
  if (const auto* k = std::get_if<key_exchange_rsp>(&m)) sm(k->opaque_data);
  if (const auto* p = std::get_if<psk_exchange>(&m)) sm(p->opaque_data);
  if (const auto* p = std::get_if<psk_exchange_rsp>(&m)) sm(p->opaque_data);
  if (const auto* s = std::get_if<send_event>(&m))
    for (const event_entry& e : s->events) touched += e.event_detail.size() + e.event_type_id;
  if (const auto* l = std::get_if<measurement_extension_log>(&m))
    if (auto mel = dmtf_mel::decode(l->portion))
      for (const mel_entry& e : mel->entries) touched += e.value.size() + e.meas_index;
  if (const auto* e = std::get_if<endpoint_info>(&m))
    if (auto d = device_class_identifier::decode(e->ep_info))
      for (const class_identifier& c : d->identifiers) touched += c.sub_ids.size() + c.registry_id;
  return touched;
}

/// The requester's in-place response readers (read_checked(), called once its dispatch has
/// checked the header) against decode(): the same accept/reject with the same errc, and the same
/// fields (compared through encode()).
template <class M, class Lean, class Decode, class Encode>
void lean_agrees(Lean lean, Decode decode, Encode encode) {
  M got{};
  const result<void> r = lean(got);
  const auto full = decode();
  if (r.has_value() != full.has_value()) fail();
  if (!r) {
    if (r.error() != full.error()) fail();
    return;
  }
  static std::array<std::byte, 1u << 17> a, b;
  writer wa{a}, wb{b};
  const bool ea = static_cast<bool>(encode(*full, wa)), eb = static_cast<bool>(encode(got, wb));
  if (ea != eb || !equal(wa.written(), wb.written())) fail();
}

void lean_oracle(bytes_view m, const negotiated& n, const response_context& ctx) {
  if (m.size() < header::size) return;  // the requester's dispatch refuses these itself
  const auto c = static_cast<code>(std::to_integer<std::uint8_t>(m[1]));
  const auto v = std::to_integer<std::uint8_t>(m[0]);
  if (c == code::error) {
    lean_agrees<error_response>([&](error_response& e) { return error_response::read_checked(m, e); },
                                [&] { return error_response::decode(m); },
                                [&](const error_response& e, writer& w) { return e.encode(w); });
    return;
  }
  if (c == code::version) {
    if (v != to_byte(version::v1_0)) return;
    lean_agrees<version_response>([&](version_response& x) { return version_response::read_checked(m, x); },
                                  [&] { return version_response::decode(m); },
                                  [&](const version_response& x, writer& w) { return x.encode(w); });
    return;
  }
  if (v != to_byte(n.ver)) return;
  switch (c) {
    case code::capabilities:
      lean_agrees<capabilities>([&](capabilities& x) { return capabilities::read_checked(m, x); },
                                [&]() -> result<capabilities> {
                                  capabilities x;
                                  if (const auto r = capabilities::decode_without_algorithms(m, x); !r) return r.error();
                                  return x;
                                },
                                [&](const capabilities& x, writer& w) { return x.encode(w); });
      break;
    case code::algorithms:
      lean_agrees<algorithms>([&](algorithms& x) { return algorithms::read_checked(m, n, x); },
                              [&] { return algorithms::decode(m, n); },
                              [&](const algorithms& x, writer& w) { return x.encode(w, n); });
      break;
    case code::digests:
      lean_agrees<digests>([&](digests& x) { return digests::read_checked(m, n, ctx, x); },
                           [&] { return digests::decode(m, n, ctx); },
                           [&](const digests& x, writer& w) { return x.encode(w, n, ctx); });
      break;
    case code::certificate:
      lean_agrees<certificate>([&](certificate& x) { return certificate::read_checked(m, n, x); },
                               [&] { return certificate::decode(m, n); },
                               [&](const certificate& x, writer& w) { return x.encode(w, n); });
      break;
    case code::challenge_auth:
      lean_agrees<challenge_auth>([&](challenge_auth& x) { return challenge_auth::read_checked(m, n, ctx, x); },
                                  [&] { return challenge_auth::decode(m, n, ctx); },
                                  [&](const challenge_auth& x, writer& w) { return x.encode(w, n, ctx); });
      break;
    case code::measurements:
      lean_agrees<measurements>([&](measurements& x) { return measurements::read_checked(m, n, ctx, x); },
                                [&] { return measurements::decode(m, n, ctx); },
                                [&](const measurements& x, writer& w) { return x.encode(w, n, ctx); });
      break;
    default:
      break;
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 4) return 0;
  // validate(rsp_cap)'s rule table against the compare chain it replaced, for the input's first
  // four bytes as flags and its last byte as the version byte (any value, as the chain took it).
  {
    const auto flags = static_cast<rsp_cap>(load_u32le(bytes_view{reinterpret_cast<const std::byte*>(data), 4}));
    for (const std::uint8_t vb : {std::uint8_t{0x10}, std::uint8_t{0x11}, std::uint8_t{0x12}, std::uint8_t{0x13}, data[size - 1]})
      if (validate(flags, static_cast<version>(vb)).has_value() !=
          reference::reference_validate(flags, static_cast<version>(vb)).has_value())
        fail();
  }
  negotiated n;
  n.ver = static_cast<version>(0x10 + (data[0] & 3));
  n.hash = hashes[(data[0] >> 2) & 3];
  n.asym = asyms[(data[0] >> 4) & 7];
  n.dhe = dhes[(data[0] >> 4) & 7];
  n.multi_key_conn_rsp = (data[0] & 0x80) != 0;
  n.req_asym = asyms[data[1] & 7];
  n.multi_key_conn_req = (data[1] & 0x08) != 0;
  n.rsp_caps = (data[1] & 0x20) ? rsp_cap::meas_sig | rsp_cap::handshake_in_the_clear : rsp_cap::none;
  n.req_caps = (data[1] & 0x20) ? req_cap::handshake_in_the_clear : req_cap::none;
  n.measurement_hash = meas_hashes[data[1] >> 6];
  const bytes_view msg{reinterpret_cast<const std::byte*>(data) + 4, size - 4};
  const code answered = size > 5 ? static_cast<code>(data[5] | 0x80) : code::get_version;
  const response_context ctx{{to_byte(n.ver), answered, data[2], data[3]}, (data[1] & 0x10) != 0};

  lean_oracle(msg, n, ctx);
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
