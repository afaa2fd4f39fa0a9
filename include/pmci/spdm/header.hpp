// SPDX-License-Identifier: Apache-2.0
// The 4-byte header every SPDM message starts with (spdm.md §1):
//
//   0          1                      2         3
//   +----------+----------------------+---------+---------+
//   | SPDMVer  | RequestResponseCode  | Param1  | Param2  |
//   +----------+----------------------+---------+---------+
//
// Codec convention for every message type T in pmci/spdm (views, no copies):
//   static constexpr code message_code = ...;
//   static constexpr result<T> decode(bytes_view message, const negotiated& n);  // whole message
//   constexpr result<void> encode(writer& w, const negotiated& n) const;          // whole message
// decode() checks the code byte, the version rules of the message, lengths, and reserved fields
// the spec requires to be zero; fields whose size depends on the negotiated algorithms take n.
#pragma once
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

struct header {
  static constexpr std::size_t size = 4;
  std::uint8_t version = 0x10;  // SPDMVersion byte (kept raw: peers may send unknown versions)
  code request_response_code = code::get_version;
  std::uint8_t param1 = 0;
  std::uint8_t param2 = 0;

  /// errc::truncated if fewer than 4 bytes. The version byte is not validated here.
  static constexpr result<header> decode(bytes_view message) noexcept {
    if (message.size() < size) return errc::truncated;
    reader r{message};
    header h;
    h.version = r.u8();
    h.request_response_code = static_cast<code>(r.u8());
    h.param1 = r.u8();
    h.param2 = r.u8();
    return h;
  }
  constexpr void encode(writer& w) const noexcept {
    w.u8(version).u8(static_cast<std::uint8_t>(request_response_code)).u8(param1).u8(param2);
  }
  friend constexpr bool operator==(const header&, const header&) = default;
};

/// Read the header and check it carries `expected` (errc::invalid_field otherwise) and a version
/// byte pmci knows (errc::unsupported otherwise). Leaves `r` positioned after the header.
constexpr result<header> read_header(reader& r, code expected) noexcept {
  header h;
  h.version = r.u8();
  h.request_response_code = static_cast<code>(r.u8());
  h.param1 = r.u8();
  h.param2 = r.u8();
  if (!r.ok()) return r.error();
  if (h.request_response_code != expected) return errc::invalid_field;
  if (!is_known(h.version)) return errc::unsupported;
  return h;
}

/// read_header() plus the rule most messages follow (spdm.md §1): after VERSION every message
/// carries the negotiated version, so the SPDMVersion byte must equal n.ver
/// (errc::version_mismatch), and the message must exist at that version (errc::unsupported, e.g.
/// CHUNK_SEND at 1.1). GET_VERSION/VERSION (always 0x10), GET_CAPABILITIES/CAPABILITIES (they fix
/// the version) and ERROR (may answer GET_VERSION with 0x10) do not use this one.
constexpr result<header> read_header(reader& r, code expected, const negotiated& n) noexcept {
  PMCI_TRY_ASSIGN(header h, read_header(r, expected));
  if (h.version != to_byte(n.ver)) return errc::version_mismatch;
  if (n.ver < introduced_in(expected)) return errc::unsupported;
  return h;
}

/// Write a header with the negotiated version (the counterpart of read_header(r, c, n)).
constexpr void write_header(writer& w, code c, const negotiated& n, std::uint8_t param1 = 0,
                            std::uint8_t param2 = 0) noexcept {
  header{to_byte(n.ver), c, param1, param2}.encode(w);
}

/// What decoding a *response* needs beyond the negotiated parameters. DSP0274 sizes some response
/// fields by the request they answer: CHALLENGE_AUTH (and KEY_EXCHANGE_RSP, PSK_EXCHANGE_RSP)
/// carry a MeasurementSummaryHash only when the request's summary-hash type is non-zero;
/// MEASUREMENTS carries a signature only when GET_MEASUREMENTS asked for one (spdm.md §6.4, §7.2,
/// §10). Encapsulated flows (spdm.md §10.6) turn the roles around: the requester answers, signs
/// with ReqBaseAsymAlg (n.req_s()) and its DIGESTS follow MultiKeyConnReq.
struct response_context {
  header request{};           ///< header of the request this response answers
  bool encapsulated = false;  ///< the requester is the one answering (encapsulated request)

  static constexpr response_context answering(header req, bool encap = false) noexcept { return {req, encap}; }
};

}  // namespace pmci::spdm
