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

}  // namespace pmci::spdm
