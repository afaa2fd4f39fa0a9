// SPDX-License-Identifier: Apache-2.0
// spdm-emu platform-port frames: decode → encode → decode must round trip, and every
// transport-type payload that unwraps must wrap back to an equivalent payload.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "pmci/transport/spdm_emu_frame.hpp"

using namespace pmci;
using namespace pmci::transport::spdm_emu;

#define FUZZ_CHECK(c) \
  do {                \
    if (!(c)) __builtin_trap(); \
  } while (0)

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bytes_view in{reinterpret_cast<const std::byte*>(data), size};

  // Header alone: decode → encode gives the same 12 bytes.
  if (auto h = frame_header::decode(in)) {
    std::array<std::byte, frame_header::size> buf{};
    writer w{buf};
    h->encode(w);
    FUZZ_CHECK(w.ok() && equal(buf, in.first(frame_header::size)));
  }

  // Whole frame (the limit derived from the input so both limit paths are reached).
  const std::size_t limit = size > 0 ? (data[0] % 2 ? reference_max_payload : size / 2) : 0;
  if (auto f = decode_frame(in, limit)) {
    FUZZ_CHECK(f->header.payload_size == f->payload.size() && f->payload.size() <= limit);
    std::vector<std::byte> out(size);
    auto enc = encode_frame(f->header.cmd, f->header.transport, f->payload, out);
    FUZZ_CHECK(enc && equal(*enc, in));
    auto again = decode_frame(*enc, limit);
    FUZZ_CHECK(again && again->header == f->header && equal(again->payload, f->payload));
  }

  // Payload of every transport type: unwrap → wrap → unwrap is stable.
  for (auto t : {transport_type::none, transport_type::mctp, transport_type::pci_doe, transport_type::tcp,
                 static_cast<transport_type>(9)}) {
    auto m = unwrap_view(t, in);
    if (!m) continue;
    std::vector<std::byte> message(1 + m->body.size());
    auto msg = unwrap(t, in, message);
    FUZZ_CHECK(msg && msg->size() == message.size());
    std::vector<std::byte> payload(message.size() + 16);
    auto wrapped = wrap(t, *msg, payload);
    FUZZ_CHECK(wrapped.has_value());  // whatever unwraps, wraps
    // Every binding reproduces the input exactly (DOE: the kept padding is already dword-aligned).
    FUZZ_CHECK(equal(*wrapped, in));
    auto m2 = unwrap_view(t, *wrapped);
    FUZZ_CHECK(m2 && m2->mctp_type == m->mctp_type);
    FUZZ_CHECK(m2->body.size() >= m->body.size() && equal(m2->body.first(m->body.size()), m->body));

    // In place, as the socket does it: payload at offset 0 and 1 of the output buffer.
    for (std::size_t off : {0u, 1u}) {
      std::vector<std::byte> buf(off + size + 1);
      std::copy(in.begin(), in.end(), buf.begin() + static_cast<std::ptrdiff_t>(off));
      auto inplace = unwrap(t, bytes_view{buf}.subspan(off, size), buf);
      FUZZ_CHECK(inplace && equal(*inplace, *msg));
    }
  }

  // Encoding arbitrary bytes as an MCTP message over each transport, then decoding the frame.
  for (auto t : {transport_type::none, transport_type::mctp, transport_type::pci_doe, transport_type::tcp}) {
    std::vector<std::byte> frame(frame_header::size + size + 16);
    auto enc = encode_message_frame(command::normal, t, in, frame);
    if (!enc) continue;
    auto f = decode_frame(*enc, enc->size());
    FUZZ_CHECK(f && f->header.transport == t);
    std::vector<std::byte> back(size + 8);
    auto m = unwrap(t, f->payload, back);
    FUZZ_CHECK(m && m->size() >= in.size() && equal(m->first(in.size()), in));
  }
  return 0;
}
