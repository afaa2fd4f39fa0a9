// SPDX-License-Identifier: Apache-2.0
// Measurement extension log, SPDM 1.3 (spdm.md §7.4):
//
// GET_MEASUREMENT_EXTENSION_LOG (0xEF)  hdr(reserved) | Offset(4) | Length(4)
// MEASUREMENT_EXTENSION_LOG (0x6F)      hdr(reserved) | PortionLength(4) | RemainderLength(4) |
//                                       MEL portion (PortionLength bytes)
//
// The log itself is read in portions; once reassembled, a DMTF-format MEL is
//   NumberOfEntries(4) | MELEntriesLen(4) | Reserved(8) | entries
//   entry: MELIndex(4) | MeasIndex(1) | Reserved(3) | DMTFSpecMeasurementValueType(1) |
//          DMTFSpecMeasurementValueSize(2) | value
// and dmtf_mel iterates it.
#pragma once
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/detail/message_codec.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

struct get_measurement_extension_log {
  static constexpr code message_code = code::get_measurement_extension_log;
  std::uint32_t offset = 0;
  std::uint32_t length = 0;

  /// Errors: truncated, trailing_data, version_mismatch, unsupported (version < 1.3),
  /// reserved_nonzero (params).
  static constexpr result<get_measurement_extension_log> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY(detail::open_reserved(r, message_code, n));
    get_measurement_extension_log g;
    g.offset = r.u32le();
    g.length = r.u32le();
    PMCI_TRY(detail::finish(r));
    return g;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    PMCI_TRY(detail::begin(w, message_code, n));
    w.u32le(offset).u32le(length);
    return detail::done(w);
  }
};

struct measurement_extension_log {
  static constexpr code message_code = code::measurement_extension_log;
  std::uint32_t remainder_length = 0;  ///< MEL bytes after this portion
  bytes_view portion{};

  /// Errors: truncated (PortionLength past the end), trailing_data, version_mismatch,
  /// unsupported, reserved_nonzero (params), out_of_range (PortionLength + RemainderLength
  /// beyond 2^32 - 1: no log can be that large).
  static constexpr result<measurement_extension_log> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY(detail::open_reserved(r, message_code, n));
    measurement_extension_log l;
    const std::uint32_t portion = r.u32le();
    l.remainder_length = r.u32le();
    l.portion = r.bytes(portion);
    PMCI_TRY(detail::finish(r));
    if (std::uint64_t{portion} + l.remainder_length > 0xFFFFFFFFu) return errc::out_of_range;
    return l;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (!detail::fits_u32(portion) || std::uint64_t{portion.size()} + remainder_length > 0xFFFFFFFFu)
      return errc::out_of_range;
    PMCI_TRY(detail::begin(w, message_code, n));
    w.u32le(static_cast<std::uint32_t>(portion.size())).u32le(remainder_length).bytes(portion);
    return detail::done(w);
  }
};

/// One DMTF MEL entry; `value` points into the log.
struct mel_entry {
  std::uint32_t mel_index = 0;
  std::uint8_t meas_index = 0;
  std::uint8_t value_type = 0;  ///< bit 7 raw bit stream, bits 6:0 type (spdm.md §7.3)
  bytes_view value{};

  static constexpr mel_entry read(reader& r) noexcept {
    mel_entry e;
    e.mel_index = r.u32le();
    e.meas_index = r.u8();
    r.reserved(3);
    e.value_type = r.u8();
    e.value = r.bytes(r.u16le());
    return e;
  }
  constexpr void write(writer& w) const noexcept {
    if (value.size() > 0xFFFF) {
      w.fail(errc::out_of_range);
      return;
    }
    w.u32le(mel_index).u8(meas_index).zeros(3).u8(value_type).u16le(static_cast<std::uint16_t>(value.size())).bytes(value);
  }
};

/// Validated MEL entries (range-for over mel_entry).
using mel_entries = detail::entry_list<mel_entry>;

/// A whole (reassembled) DMTF measurement extension log.
struct dmtf_mel {
  static constexpr std::size_t header_size = 16;
  mel_entries entries{};

  /// Errors: truncated (also: MELEntriesLen or NumberOfEntries past the end), trailing_data
  /// (bytes after MELEntriesLen, or entries that do not fill it), reserved_nonzero.
  static constexpr result<dmtf_mel> decode(bytes_view log) noexcept {
    reader r{log};
    const std::uint32_t count = r.u32le();
    const std::uint32_t len = r.u32le();
    r.reserved(8);
    const bytes_view body = r.bytes(len);
    PMCI_TRY(r.finish());
    dmtf_mel m;
    PMCI_TRY_ASSIGN(m.entries, mel_entries::validate(body, count));
    return m;
  }
  constexpr result<void> encode(writer& w) const noexcept {
    w.u32le(entries.size()).u32le(static_cast<std::uint32_t>(entries.bytes().size())).zeros(8).bytes(entries.bytes());
    return detail::done(w);
  }
};

}  // namespace pmci::spdm
