// SPDX-License-Identifier: Apache-2.0
// Stateful fuzz target for pmci::spdm::responder: sequences of arbitrary requests.
//
// Input: byte 0 = setup: bit 7 = run a valid VCA first (bits 1:0 pick SPDM 1.0-1.3, bit 2 also
// fetches DIGESTS and the chain of slot 0), bits 5:3 = the device's signing delay (0 = immediate;
// n = ResponseNotReady n times per signature). Then length-prefixed requests (fuzz/spdm_engine_fuzz.hpp).
//
// Checked for every request: handle() succeeds (the buffer is large enough), and the answer is a
// valid SPDM response: it decodes with pmci's codecs under the responder's negotiated parameters,
// and it is either ERROR or the response to the request (to the pending one for RESPOND_IF_READY).
// No crash, no UB (ASan/UBSan in the fuzz build).
#include <array>
#include <cstddef>
#include <cstdint>

#include "pmci/spdm/message.hpp"
#include "spdm_engine_fuzz.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {

template <class M>
std::size_t encode_into(const M& m, const negotiated& n, bytes_span out) {
  writer w{out};
  if constexpr (requires { m.encode(w, n); })
    (void)m.encode(w, n);
  else
    (void)m.encode(w);
  return w.size();
}

struct state {
  fuzz::crypto_t crypto{};
  fuzz::device_t device{};
  fuzz::responder_t rsp{crypto, device};
  std::array<std::byte, fuzz::rsp_config::max_message_size> buf{};
  header pending{};  // the request a ResponseNotReady is about
  bool has_pending = false;

  void check(bytes_view req) {
    auto r = rsp.handle(req, buf);
    if (!r) fuzz::fail();  // the buffer always holds a response
    const bytes_view out = *r;
    const auto h = header::decode(out);
    if (!h) fuzz::fail();
    const auto req_hdr = header::decode(req);
    header answered{};
    if (req_hdr) answered = *req_hdr;
    if (req_hdr && req_hdr->request_response_code == code::respond_if_ready && has_pending) answered = pending;
    if (h->request_response_code != code::error) {
      if (!req_hdr || h->request_response_code != response_to(answered.request_response_code)) fuzz::fail();
      if (answered.request_response_code == code::respond_if_ready) fuzz::fail();
    }
    auto m = spdm::decode(out, rsp.negotiated_params(), response_context::answering(answered), direction::response);
    if (!m) fuzz::fail();
    if (const auto* e = std::get_if<error_response>(&*m); e && e->error == error_code::response_not_ready) {
      if (!rsp.response_pending()) fuzz::fail();
      if (req_hdr && req_hdr->request_response_code != code::respond_if_ready) pending = *req_hdr;
      has_pending = true;
    } else if (!rsp.response_pending()) {
      has_pending = false;
    }
  }
};

void vca(state& s, version v, bool certs) {
  std::array<std::byte, 64> q{};
  negotiated n{};
  s.check(bytes_view{q}.first(encode_into(get_version{}, n, q)));
  get_capabilities g;
  g.ver = v;
  g.data_transfer_size = g.max_spdm_msg_size = 1024;
  s.check(bytes_view{q}.first(encode_into(g, n, q)));
  n.ver = v;
  negotiate_algorithms na;
  na.measurement_spec = meas_spec::dmtf;
  na.asym = base_asym::ecdsa_p384 | base_asym::ecdsa_p256;
  na.hash = base_hash::sha384 | base_hash::sha256;
  if (v >= version::v1_2) na.other_params_support = opaque_data_fmt1;
  s.check(bytes_view{q}.first(encode_into(na, n, q)));
  if (!certs) return;
  s.check(bytes_view{q}.first(encode_into(get_digests{}, n, q)));
  s.check(bytes_view{q}.first(encode_into(get_certificate{0, false, 0, 0x200}, n, q)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::chunks in{bytes_view{reinterpret_cast<const std::byte*>(data), size}};
  const std::uint8_t setup = in.byte();
  state s;
  fuzz::provision(s.device, s.crypto, (setup >> 3) & 0x07);
  if (setup & 0x80) vca(s, static_cast<version>(0x10 + (setup & 0x03)), (setup & 0x04) != 0);
  while (!in.empty()) s.check(in.next());
  return 0;
}
