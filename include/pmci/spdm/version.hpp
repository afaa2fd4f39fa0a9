// SPDX-License-Identifier: Apache-2.0
// GET_VERSION (0x84) / VERSION (0x04), DSP0274 (spdm.md §3). Both always carry SPDMVersion 0x10.
//
//   GET_VERSION: | 0x10 | 0x84 | 0 | 0 |
//   VERSION:     | 0x10 | 0x04 | 0 | 0 | Reserved(1) | Count(1) | Count x VersionNumberEntry(2, LE) |
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

namespace detail {
/// GET_VERSION/VERSION header: code, version 0x10 (else version_mismatch), reserved params.
constexpr result<header> read_v10_header(reader& r, code c) noexcept {
  PMCI_TRY_ASSIGN(const header h, read_header(r, c));
  if (h.version != to_byte(version::v1_0)) return errc::version_mismatch;
  if (h.param1 != 0 || h.param2 != 0) return errc::reserved_nonzero;
  return h;
}
}  // namespace detail

/// GET_VERSION. decode() returns truncated, trailing_data, invalid_field, unsupported,
/// version_mismatch (not 0x10), reserved_nonzero. n is not used (the version is not negotiated yet).
struct get_version {
  static constexpr code message_code = code::get_version;
  static constexpr std::size_t size = header::size;

  static constexpr result<get_version> decode(bytes_view message, const negotiated& = {}) noexcept {
    reader r{message};
    PMCI_TRY(detail::read_v10_header(r, message_code));
    PMCI_TRY(r.finish());
    return get_version{};
  }
  constexpr result<void> encode(writer& w, const negotiated& = {}) const noexcept {
    header{to_byte(version::v1_0), message_code, 0, 0}.encode(w);
    return w.status();
  }
};

/// VERSION: the list of version number entries, as a view (2 bytes each, little-endian).
/// decode() returns what get_version::decode() does, plus invalid_field for an empty list.
struct version_response {
  static constexpr code message_code = code::version;
  bytes_view entries{};  // Count x 2 bytes

  constexpr std::size_t count() const noexcept { return entries.size() / 2; }
  constexpr version_number entry(std::size_t i) const noexcept { return {load_u16le(entries.subspan(2 * i, 2))}; }
  /// The versions pmci implements (1.0-1.3) that the list names; update/alpha are ignored.
  constexpr version_set versions() const noexcept {
    version_set s;
    for (std::size_t i = 0; i < count(); ++i)
      if (is_known(entry(i).version_byte())) s.insert(static_cast<version>(entry(i).version_byte()));
    return s;
  }
  /// Fill `storage` with one entry per version of s (lowest first) and return a VERSION using it.
  static constexpr version_response of(version_set s, std::span<std::byte, 8> storage) noexcept {
    std::size_t n = 0;
    for (std::uint8_t b = 0x10; b <= 0x13; ++b)
      if (s.contains(static_cast<version>(b))) store_u16le(std::span{storage}.subspan(2 * n++, 2), static_cast<std::uint16_t>(b << 8));
    return {bytes_view{storage}.first(2 * n)};
  }

  static constexpr result<version_response> decode(bytes_view message, const negotiated& = {}) noexcept {
    reader r{message};
    PMCI_TRY(detail::read_v10_header(r, message_code));
    r.reserved(1);
    const std::size_t n = r.u8();
    version_response v{r.bytes(2 * n)};
    PMCI_TRY(r.finish());
    if (n == 0) return errc::invalid_field;
    return v;
  }
  /// decode() for a requester whose dispatch has already checked the header (at least
  /// header::size bytes, SPDMVersion 0x10, code VERSION), into the caller's `v`: the remaining
  /// checks of decode(), in the reader's order and with its errc, and the same entries, without
  /// a reader (issue 9 footprint). Held to decode() by tests/spdm_engines/lean_decode_test.cpp.
  static constexpr result<void> read_checked(bytes_view message, version_response& v) noexcept {
    const auto b = [message](std::size_t i) { return std::to_integer<std::uint8_t>(message[i]); };
    if (b(2) != 0 || b(3) != 0) return errc::reserved_nonzero;
    if (message.size() < header::size + 1) return errc::truncated;
    if (b(4) != 0) return errc::reserved_nonzero;
    if (message.size() < header::size + 2) return errc::truncated;
    const std::size_t end = header::size + 2 + 2 * std::size_t{b(5)};
    if (message.size() != end) return message.size() < end ? errc::truncated : errc::trailing_data;
    if (b(5) == 0) return errc::invalid_field;
    v.entries = message.subspan(header::size + 2);
    return ok();
  }
  /// invalid_field for an empty, odd-sized or over-long (>255 entries) list.
  constexpr result<void> encode(writer& w, const negotiated& = {}) const noexcept {
    if (entries.empty() || entries.size() % 2 != 0 || count() > 0xFF) return errc::invalid_field;
    header{to_byte(version::v1_0), message_code, 0, 0}.encode(w);
    w.u8(0).u8(static_cast<std::uint8_t>(count())).bytes(entries);
    return w.status();
  }
};

}  // namespace pmci::spdm
