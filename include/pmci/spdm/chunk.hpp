// SPDX-License-Identifier: Apache-2.0
// Large-message chunking, SPDM 1.2+ (spdm.md §13):
//
// CHUNK_SEND (0x85) / CHUNK_RESPONSE (0x06)
//   hdr(P1 bit0 LastChunk, P2 Handle) | ChunkSeqNo(2) | Reserved(2) | ChunkSize(4) |
//   [LargeMessageSize(4), only when ChunkSeqNo = 0] | SPDMchunk(ChunkSize)
// CHUNK_SEND_ACK (0x05)
//   hdr(P1 bit0 EarlyErrorDetected, P2 Handle) | ChunkSeqNo(2) | [ResponseToLargeRequest]
//   (the response, present on the last ACK or on an early error)
// CHUNK_GET (0x86)
//   hdr(P1 reserved, P2 Handle) | ChunkSeqNo(2)
// (1.4 widens ChunkSeqNo to 4 bytes; pmci's codecs stop at 1.3.)
#pragma once
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/detail/message_codec.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

namespace detail {
/// CHUNK_SEND and CHUNK_RESPONSE share their layout.
template <code C>
struct chunk_message {
  static constexpr code message_code = C;
  /// Bytes before SPDMchunk: 12, or 16 in the first chunk (LargeMessageSize).
  static constexpr std::size_t overhead(std::uint16_t seq) noexcept { return seq == 0 ? 16 : 12; }

  bool last_chunk = false;             ///< Param1 bit 0
  std::uint8_t handle = 0;             ///< Param2
  std::uint16_t chunk_seq_no = 0;
  std::uint32_t large_message_size = 0;  ///< only in chunk 0 (0 otherwise)
  bytes_view chunk{};

  /// Errors: truncated (also: ChunkSize past the end), trailing_data, version_mismatch,
  /// unsupported (version < 1.2), reserved_nonzero (Param1 bits 7:1, Reserved(2)).
  static constexpr result<chunk_message> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, open(r, C, n));
    chunk_message c;
    c.last_chunk = (h.param1 & 0x01) != 0;
    c.handle = h.param2;
    c.chunk_seq_no = r.u16le();
    r.reserved(2);
    const std::uint32_t size = r.u32le();
    if (c.chunk_seq_no == 0) c.large_message_size = r.u32le();
    c.chunk = r.bytes(size);
    PMCI_TRY(finish(r));
    if ((h.param1 & 0xFE) != 0) return errc::reserved_nonzero;
    return c;
  }
  /// Errors: invalid_field (LargeMessageSize outside chunk 0), out_of_range (chunk > 4 GiB),
  /// unsupported, buffer_too_small.
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (chunk_seq_no != 0 && large_message_size != 0) return errc::invalid_field;
    if (!fits_u32(chunk)) return errc::out_of_range;
    PMCI_TRY(begin(w, C, n, last_chunk ? 1 : 0, handle));
    w.u16le(chunk_seq_no).zeros(2).u32le(static_cast<std::uint32_t>(chunk.size()));
    if (chunk_seq_no == 0) w.u32le(large_message_size);
    w.bytes(chunk);
    return done(w);
  }
};
}  // namespace detail

using chunk_send = detail::chunk_message<code::chunk_send>;
using chunk_response = detail::chunk_message<code::chunk_response>;

struct chunk_send_ack {
  static constexpr code message_code = code::chunk_send_ack;
  bool early_error_detected = false;  ///< Param1 bit 0
  std::uint8_t handle = 0;            ///< Param2
  std::uint16_t chunk_seq_no = 0;
  bytes_view response{};              ///< ResponseToLargeRequest, or empty

  /// Errors: truncated (also: a response shorter than an SPDM header), version_mismatch,
  /// unsupported, reserved_nonzero (Param1 bits 7:1), invalid_field (the response is a request
  /// code).
  static constexpr result<chunk_send_ack> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    chunk_send_ack a;
    a.early_error_detected = (h.param1 & 0x01) != 0;
    a.handle = h.param2;
    a.chunk_seq_no = r.u16le();
    PMCI_TRY(r.status());
    a.response = r.rest();
    PMCI_TRY(check_response(a.response));
    if ((h.param1 & 0xFE) != 0) return errc::reserved_nonzero;
    return a;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    PMCI_TRY(check_response(response));
    PMCI_TRY(detail::begin(w, message_code, n, early_error_detected ? 1 : 0, handle));
    w.u16le(chunk_seq_no).bytes(response);
    return detail::done(w);
  }

 private:
  static constexpr result<void> check_response(bytes_view rsp) noexcept {
    if (rsp.empty()) return ok();
    if (rsp.size() < header::size) return errc::truncated;
    if (is_request(static_cast<code>(std::to_integer<std::uint8_t>(rsp[1])))) return errc::invalid_field;
    return ok();
  }
};

struct chunk_get {
  static constexpr code message_code = code::chunk_get;
  std::uint8_t handle = 0;  ///< Param2
  std::uint16_t chunk_seq_no = 0;

  /// Errors: truncated, trailing_data, version_mismatch, unsupported, reserved_nonzero (Param1).
  static constexpr result<chunk_get> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    chunk_get g;
    g.handle = h.param2;
    g.chunk_seq_no = r.u16le();
    PMCI_TRY(detail::finish(r));
    if (h.param1 != 0) return errc::reserved_nonzero;
    return g;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    PMCI_TRY(detail::begin(w, message_code, n, 0, handle));
    w.u16le(chunk_seq_no);
    return detail::done(w);
  }
};

}  // namespace pmci::spdm
