// SPDX-License-Identifier: Apache-2.0
// Walks a capture's plaintext SPDM messages in order, with what decoding each one needs: the
// negotiated parameters so far (derived from the capture's own VCA with the codecs) and, for a
// response, the request it answers. Messages carried inside encapsulated-request containers
// (ENCAPSULATED_REQUEST, DELIVER_ENCAPSULATED_RESPONSE, ENCAPSULATED_RESPONSE_ACK; spdm.md §10.6)
// are visited too, flagged `encapsulated`. Host-only test helper.
#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "pmci/spdm/message.hpp"
#include "support/vectors.hpp"

namespace pmci::spdm::test {

struct walked_message {
  std::string where;        // "capture #index" (+ " inner" for encapsulated)
  bytes_view bytes;         // the SPDM message (no MCTP type byte)
  bool request = false;
  negotiated n;             // parameters in force for this message
  response_context ctx;     // for responses: the request answered
};

/// Calls f for every plaintext SPDM message of the capture. `update` folds the decoded VCA
/// messages into the parameters; it uses pmci's own decoder, so a decoding bug shows up as a
/// failure of f's checks, not silently here.
inline void walk_capture(const std::string& capture, const std::function<void(const walked_message&)>& f) {
  const auto msgs = pmci::test::load_messages(capture);
  negotiated n;
  header last_request{}, last_encap_request{};
  for (const auto& m : msgs) {
    if (m.bytes.empty() || m.bytes[0] != std::byte{0x05}) continue;  // secured records (0x06) are not plaintext
    const bytes_view spdm = bytes_view{m.bytes}.subspan(1);
    const auto h = header::decode(spdm);
    if (!h) continue;
    if (m.request) last_request = *h;
    const std::string where = capture + " #" + std::to_string(m.index);
    walked_message w{where, spdm, m.request, n, m.request ? response_context{} : response_context::answering(last_request)};
    f(w);
    if (auto d = decode(spdm, n, w.ctx)) update(n, *d);
    // Encapsulated flows: the responder's requests travel in ENCAPSULATED_REQUEST and
    // ENCAPSULATED_RESPONSE_ACK (payload type 1, after AckRequestID + 3 reserved bytes at 1.2+),
    // the requester's responses in DELIVER_ENCAPSULATED_RESPONSE.
    bytes_view inner{};
    bool inner_request = false;
    if (h->request_response_code == code::encapsulated_request) {
      inner = spdm.subspan(header::size), inner_request = true;
    } else if (h->request_response_code == code::encapsulated_response_ack && h->param2 == 1) {
      inner = spdm.subspan(header::size + (n.ver >= version::v1_2 ? 4 : 0)), inner_request = true;
    } else if (h->request_response_code == code::deliver_encapsulated_response) {
      inner = spdm.subspan(header::size);
    }
    if (inner.size() >= header::size) {
      if (inner_request) last_encap_request = *header::decode(inner);
      f(walked_message{where + " inner", inner, inner_request, n,
                       inner_request ? response_context{.encapsulated = true}
                                     : response_context::answering(last_encap_request, true)});
    }
  }
}

/// The codes this half of the codecs implements (spdm.md §3-§9).
constexpr bool attestation_code(code c) noexcept {
  switch (c) {
    case code::error: case code::respond_if_ready: case code::get_version: case code::version:
    case code::get_capabilities: case code::capabilities: case code::negotiate_algorithms: case code::algorithms:
    case code::get_digests: case code::digests: case code::get_certificate: case code::certificate:
    case code::challenge: case code::challenge_auth: case code::get_measurements: case code::measurements:
    case code::vendor_defined_request: case code::vendor_defined_response:
      return true;
    default:
      return false;
  }
}

}  // namespace pmci::spdm::test
