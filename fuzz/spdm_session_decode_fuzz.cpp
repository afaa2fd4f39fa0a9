// SPDX-License-Identifier: Apache-2.0
// Fuzzes every session-family SPDM decoder (key_exchange.hpp ... endpoint_info.hpp) and the
// opaque-data, MEL and EPInfo parsers. Input: [preset][flags][SPDM message or blob].
//   preset (mod the table size) picks the negotiated algorithms; bit 7 set means "the rest is an
//   opaque-data block / MEL / EPInfo blob" instead of a message.
//   flags bit0: the request asked for a measurement summary hash; bit1: use the inferring
//   two-argument decode where one exists; bit2: GET_ENDPOINT_INFO asked for a signature;
//   bit3: the requester answered (encapsulated).
// Oracle: the decoders are exact (detail/message_codec.hpp), so any accepted input must
// re-encode to the very same bytes, and those must decode again; the session responder's
// in-place opaque-data reading accepts what parse() accepts. Anything else traps.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "pmci/spdm/chunk.hpp"
#include "pmci/spdm/csr.hpp"
#include "pmci/spdm/encapsulated.hpp"
#include "pmci/spdm/endpoint_info.hpp"
#include "pmci/spdm/events.hpp"
#include "pmci/spdm/finish.hpp"
#include "pmci/spdm/key_exchange.hpp"
#include "pmci/spdm/key_pair_info.hpp"
#include "pmci/spdm/mel.hpp"
#include "pmci/spdm/opaque.hpp"
#include "pmci/spdm/psk.hpp"
#include "pmci/spdm/session/handshake.hpp"
#include "pmci/spdm/session_control.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {

constexpr auto clear_rsp = rsp_cap::handshake_in_the_clear;
constexpr auto clear_req = req_cap::handshake_in_the_clear;
// Presets 0-3 match the captures (see fuzz/corpus/spdm_session_decode/README.md).
constexpr std::array<negotiated, 8> presets{{
    {.ver = v1_1, .hash = base_hash::sha256, .asym = base_asym::ecdsa_p256, .dhe = dhe_group::secp256r1,
     .rsp_caps = clear_rsp, .req_caps = clear_req},
    {.ver = v1_2, .hash = base_hash::sha384, .asym = base_asym::ecdsa_p384, .req_asym = base_asym::rsapss_3072,
     .dhe = dhe_group::secp384r1, .other_params = 0x02, .rsp_caps = clear_rsp, .req_caps = clear_req},
    {.ver = v1_3, .hash = base_hash::sha384, .asym = base_asym::ecdsa_p384, .dhe = dhe_group::secp384r1,
     .other_params = 0x12, .rsp_caps = clear_rsp, .req_caps = clear_req},
    {.ver = v1_2, .hash = base_hash::sha256, .asym = base_asym::ecdsa_p256, .dhe = dhe_group::secp256r1,
     .other_params = 0x02, .rsp_caps = clear_rsp, .req_caps = clear_req},
    {.ver = v1_2, .hash = base_hash::sha384, .asym = base_asym::ecdsa_p384, .req_asym = base_asym::ecdsa_p384,
     .dhe = dhe_group::secp384r1, .other_params = 0x02},
    {.ver = v1_3, .hash = base_hash::sha512, .asym = base_asym::rsapss_2048, .req_asym = base_asym::eddsa_ed25519,
     .dhe = dhe_group::ffdhe2048, .other_params = 0x01},
    {.ver = v1_1, .hash = base_hash::sha384, .asym = base_asym::ecdsa_p521, .dhe = dhe_group::secp521r1},
    {.ver = v1_0, .hash = base_hash::sha256, .asym = base_asym::ecdsa_p256, .dhe = dhe_group::secp256r1},
}};

[[noreturn]] void fail() { std::abort(); }

template <class T>
void walk(const T& list) {
  std::uint32_t n = 0;
  for (const auto& e : list) {
    (void)e;
    ++n;
  }
  if (n != list.size()) fail();
}

/// decode -> encode must reproduce the input exactly, and decode again.
template <class T, class... Ctx>
void check(bytes_view in, const negotiated& n, const Ctx&... ctx) {
  auto d = T::decode(in, n, ctx...);
  if (!d) return;
  std::vector<std::byte> out(in.size() + 16);
  writer w{out};
  if (!d->encode(w, n, ctx...)) fail();
  if (!equal(w.written(), in)) fail();
  if (!T::decode(w.written(), n, ctx...)) fail();
}

/// Same for the context-free blob parsers (MEL, EPInfo).
template <class T>
void check_blob(bytes_view in) {
  auto d = T::decode(in);
  if (!d) return;
  std::vector<std::byte> out(in.size() + 16);
  writer w{out};
  if (!d->encode(w) || !equal(w.written(), in) || !T::decode(w.written())) fail();
}

void blobs(bytes_view in, const negotiated& n) {
  for (auto f : {opaque_format::general, opaque_format::fmt1}) {
    if (auto d = opaque_data::decode(in, f)) {
      walk(d->elements);
      std::vector<std::byte> out(in.size() + 16);
      writer w{out};
      if (!d->encode(w) || !equal(w.written(), in)) fail();
    }
    if (auto s = secured_message_opaque::parse(in, f))
      for (std::size_t i = 0; i < s->supported_count(); ++i) (void)s->supported(i);
  }
  (void)secured_message_opaque::parse(in, opaque_format_of(n));
  // The session responder's select_secured_version (session/handshake.hpp) reads the block in
  // place: it must accept exactly what parse() accepts, and select 1.0 without a SupportedVersion
  // list (tests/spdm_session/opaque_selection_test.cpp holds the selection from a list).
  if (const opaque_format f = opaque_format_of(n); !in.empty() && (f == opaque_format::general || f == opaque_format::fmt1)) {
    const auto parsed = secured_message_opaque::parse(in, f);
    const auto selected = select_secured_version(n, in);
    if (!parsed && selected) fail();
    if (parsed && parsed->supported_count() == 0 && (!selected || *selected != secured_message_versions.front())) fail();
  }
  check_blob<dmtf_mel>(in);
  if (auto m = dmtf_mel::decode(in)) walk(m->entries);
  check_blob<device_class_identifier>(in);
  if (auto d = device_class_identifier::decode(in)) walk(d->identifiers);
}

void message(bytes_view m, const negotiated& n, std::uint8_t flags) {
  if (m.size() < 2) {
    check<heartbeat>(m, n);  // exercises the short-input paths
    return;
  }
  const response_context ctx{header{to_byte(n.ver), code::key_exchange, static_cast<std::uint8_t>(flags & 1 ? 0xFF : 0), 0}};
  const bool infer = (flags & 2) != 0;
  constexpr std::array<std::byte, 32> nonce{};
  get_endpoint_info ep_req{};
  ep_req.signature_requested = (flags & 4) != 0;
  if (ep_req.signature_requested) ep_req.nonce = nonce;
  const bool encap = (flags & 8) != 0;

  switch (static_cast<code>(std::to_integer<std::uint8_t>(m[1]))) {
    case code::key_exchange: check<key_exchange>(m, n); break;
    case code::key_exchange_rsp: infer ? check<key_exchange_rsp>(m, n) : check<key_exchange_rsp>(m, n, ctx); break;
    case code::finish: check<finish>(m, n); break;
    case code::finish_rsp: check<finish_rsp>(m, n); break;
    case code::psk_exchange: check<psk_exchange>(m, n); break;
    case code::psk_exchange_rsp: infer ? check<psk_exchange_rsp>(m, n) : check<psk_exchange_rsp>(m, n, ctx); break;
    case code::psk_finish: check<psk_finish>(m, n); break;
    case code::psk_finish_rsp: check<psk_finish_rsp>(m, n); break;
    case code::heartbeat: check<heartbeat>(m, n); break;
    case code::heartbeat_ack: check<heartbeat_ack>(m, n); break;
    case code::key_update: check<key_update>(m, n); break;
    case code::key_update_ack: check<key_update_ack>(m, n); break;
    case code::end_session: check<end_session>(m, n); break;
    case code::end_session_ack: check<end_session_ack>(m, n); break;
    case code::get_encapsulated_request: check<get_encapsulated_request>(m, n); break;
    case code::encapsulated_request: check<encapsulated_request>(m, n); break;
    case code::deliver_encapsulated_response: check<deliver_encapsulated_response>(m, n); break;
    case code::encapsulated_response_ack: check<encapsulated_response_ack>(m, n); break;
    case code::get_csr: check<get_csr>(m, n); break;
    case code::csr: check<csr>(m, n); break;
    case code::set_certificate: check<set_certificate>(m, n); break;
    case code::set_certificate_rsp: check<set_certificate_rsp>(m, n); break;
    case code::chunk_send: check<chunk_send>(m, n); break;
    case code::chunk_send_ack: check<chunk_send_ack>(m, n); break;
    case code::chunk_get: check<chunk_get>(m, n); break;
    case code::chunk_response: check<chunk_response>(m, n); break;
    case code::get_supported_event_types: check<get_supported_event_types>(m, n); break;
    case code::supported_event_types: check<supported_event_types>(m, n); break;
    case code::subscribe_event_types: check<subscribe_event_types>(m, n); break;
    case code::subscribe_event_types_ack: check<subscribe_event_types_ack>(m, n); break;
    case code::send_event:
      check<send_event>(m, n);
      if (auto s = send_event::decode(m, n)) walk(s->events);
      break;
    case code::event_ack: check<event_ack>(m, n); break;
    case code::get_key_pair_info: check<get_key_pair_info>(m, n); break;
    case code::key_pair_info: check<key_pair_info>(m, n); break;
    case code::set_key_pair_info: check<set_key_pair_info>(m, n); break;
    case code::set_key_pair_info_ack: check<set_key_pair_info_ack>(m, n); break;
    case code::get_measurement_extension_log: check<get_measurement_extension_log>(m, n); break;
    case code::measurement_extension_log: check<measurement_extension_log>(m, n); break;
    case code::get_endpoint_info: check<get_endpoint_info>(m, n); break;
    case code::endpoint_info:
      infer ? check<endpoint_info>(m, n) : check<endpoint_info>(m, n, ep_req, encap);
      break;
    default: break;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  // Copy into an exact-size buffer so that reads past the end are caught by ASan.
  std::vector<std::byte> in(size - 2);
  for (std::size_t i = 2; i < size; ++i) in[i - 2] = std::byte{data[i]};
  const negotiated& n = presets[(data[0] & 0x7F) % presets.size()];
  if (data[0] & 0x80)
    blobs(in, n);
  else
    message(in, n, data[1]);
  return 0;
}
