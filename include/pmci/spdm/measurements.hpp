// SPDX-License-Identifier: Apache-2.0
// GET_MEASUREMENTS (0xE0) / MEASUREMENTS (0x60) and the measurement record, DSP0274 (spdm.md §7).
//
//   GET_MEASUREMENTS: | hdr: Param1 attributes, Param2 operation |
//                     | Nonce(32) + SlotIDParam(1, 1.1+) -- only if SignatureRequested -- |
//                     | RequesterContext(8, 1.3) |
//     sizes: 1.0 4/36, 1.1-1.2 4/37, 1.3 12/45 (unsigned/signed)
//   MEASUREMENTS:     | hdr: Param1 = #indices (operation 0) else reserved;
//                     |      Param2 bits 3:0 SlotID (1.1+), bits 5:4 content changed (1.2+) |
//                     | NumberOfBlocks(1) | MeasurementRecordLength(3, LE) | MeasurementRecord |
//                     | Nonce(32) | OpaqueDataLength(2) | OpaqueData | RequesterContext(8, 1.3) |
//                     | Signature(S) -- only if the request asked for one -- |
//   Measurement block: | Index(1) | MeasurementSpecification(1) | MeasurementSize(2) | Measurement |
//   DMTF measurement:  | DMTFSpecMeasurementValueType(1) | ValueSize(2) | Value |
//
// Whether MEASUREMENTS carries a signature, and what Param1 means, follow the GET_MEASUREMENTS it
// answers: decode()/encode() take a response_context holding that request's header.
#pragma once
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/challenge.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

/// GET_MEASUREMENTS Param1 attribute bits (spdm.md §7.1).
inline constexpr std::uint8_t meas_attr_signature = 0x01;   // 1.0
inline constexpr std::uint8_t meas_attr_raw_bitstream = 0x02;  // 1.2
inline constexpr std::uint8_t meas_attr_new_measurement = 0x04;  // 1.3
constexpr std::uint8_t meas_attr_defined(version v) noexcept {
  return v >= version::v1_3 ? 0x07 : v >= version::v1_2 ? 0x03 : 0x01;
}
/// GET_MEASUREMENTS Param2 (MeasurementOperation) special values.
inline constexpr std::uint8_t meas_op_count = 0x00;
inline constexpr std::uint8_t meas_op_all = 0xFF;

/// DMTFSpecMeasurementValueType bits 6:0 (spdm.md §7.3); bit 7 = raw bit stream.
enum class dmtf_value_type : std::uint8_t {
  immutable_rom = 0, mutable_firmware = 1, hardware_config = 2, firmware_config = 3,
  measurement_manifest = 4, device_mode = 5, mutable_firmware_version = 6, mutable_firmware_svn = 7,
  hash_extended = 8, informational = 9, structured_manifest = 10,
};
constexpr const char* name(dmtf_value_type t) noexcept {
  switch (t) {
    case dmtf_value_type::immutable_rom: return "immutable ROM";
    case dmtf_value_type::mutable_firmware: return "mutable firmware";
    case dmtf_value_type::hardware_config: return "hardware configuration";
    case dmtf_value_type::firmware_config: return "firmware configuration";
    case dmtf_value_type::measurement_manifest: return "measurement manifest";
    case dmtf_value_type::device_mode: return "device mode";
    case dmtf_value_type::mutable_firmware_version: return "mutable firmware version";
    case dmtf_value_type::mutable_firmware_svn: return "mutable firmware SVN";
    case dmtf_value_type::hash_extended: return "hash-extended measurement";
    case dmtf_value_type::informational: return "informational";
    case dmtf_value_type::structured_manifest: return "structured manifest";
  }
  return "reserved";
}

/// Measurement indices with a fixed meaning (1.2).
inline constexpr std::uint8_t meas_index_manifest = 0xFD;
inline constexpr std::uint8_t meas_index_device_mode = 0xFE;

/// A DMTF-format measurement (the Measurement field when MeasurementSpecification is DMTF).
struct dmtf_measurement {
  std::uint8_t value_type = 0;  // raw byte: bit 7 raw bit stream, bits 6:0 dmtf_value_type
  bytes_view value{};
  constexpr bool raw_bit_stream() const noexcept { return (value_type & 0x80) != 0; }
  constexpr dmtf_value_type type() const noexcept { return static_cast<dmtf_value_type>(value_type & 0x7F); }
};

/// Device-mode value (type 5, 16 bytes): four little-endian uint32 (spdm.md §7.3).
struct device_mode {
  std::uint32_t operational_mode_capabilities = 0, operational_mode_state = 0;
  std::uint32_t device_mode_capabilities = 0, device_mode_state = 0;
  static constexpr result<device_mode> decode(bytes_view v) noexcept {
    reader r{v};
    device_mode d{r.u32le(), r.u32le(), r.u32le(), r.u32le()};
    PMCI_TRY(r.finish());
    return d;
  }
};

/// One measurement block.
struct measurement_block {
  static constexpr std::size_t header_size = 4;
  std::uint8_t index = 0;
  std::uint8_t spec = 0;  // MeasurementSpecification bitmask (bit 0 DMTF)
  bytes_view measurement{};
  constexpr bool is_dmtf() const noexcept { return (spec & raw(meas_spec::dmtf)) != 0; }
  /// The DMTF view (meaningful when is_dmtf(); decode() has checked its sizes).
  constexpr dmtf_measurement dmtf() const noexcept {
    if (measurement.size() < 3) return {};
    return {std::to_integer<std::uint8_t>(measurement[0]), measurement.subspan(3)};
  }
  constexpr std::size_t size() const noexcept { return header_size + measurement.size(); }

  /// Write a DMTF-format block (responders building a record): out_of_range for a value over
  /// 0xFFFF - 3 bytes.
  static constexpr result<void> write_dmtf(writer& w, std::uint8_t index, std::uint8_t value_type, bytes_view value) noexcept {
    if (value.size() > 0xFFFF - 3) return errc::out_of_range;
    w.u8(index).u8(raw(meas_spec::dmtf)).u16le(static_cast<std::uint16_t>(value.size() + 3));
    w.u8(value_type).u16le(static_cast<std::uint16_t>(value.size())).bytes(value);
    return w.status();
  }
};

/// A measurement record: NumberOfBlocks blocks that exactly fill MeasurementRecordLength bytes.
struct measurement_record {
  bytes_view raw{};
  std::uint8_t count = 0;

  /// invalid_field when the blocks do not exactly fill raw, a DMTF measurement's ValueSize does
  /// not match its MeasurementSize, or (mh != 0) a digest is not mh bytes.
  static constexpr result<measurement_record> decode(bytes_view record, std::uint8_t blocks, std::size_t mh = 0) noexcept {
    PMCI_TRY(check(record, blocks, mh));
    return measurement_record{record, blocks};
  }
  /// decode()'s checks alone: one register to return instead of a result<measurement_record>
  /// (issue 9 footprint: MEASUREMENTS' in-place reader builds the record itself).
  static constexpr result<void> check(bytes_view record, std::uint8_t blocks, std::size_t mh = 0) noexcept {
    reader r{record};
    for (std::size_t i = 0; i < blocks; ++i) {
      const std::uint8_t index = r.u8();
      const std::uint8_t spec = r.u8();
      const bytes_view m = r.bytes(r.u16le());
      if (!r.ok()) return errc::invalid_field;  // a block overruns the record
      const measurement_block b{index, spec, m};
      if (b.is_dmtf()) {
        if (m.size() < 3 || load_u16le(m.subspan(1, 2)) != m.size() - 3) return errc::invalid_field;
        if (mh != 0 && !b.dmtf().raw_bit_stream() && b.dmtf().value.size() != mh) return errc::invalid_field;
      }
    }
    if (!r.empty()) return errc::invalid_field;  // bytes left over after NumberOfBlocks blocks
    return ok();
  }

  class iterator {
   public:
    constexpr iterator() noexcept = default;
    constexpr iterator(bytes_view rest, std::size_t left) noexcept : rest_(rest), left_(left) {}
    constexpr measurement_block operator*() const noexcept {
      const std::size_t size = load_u16le(rest_.subspan(2, 2));
      return {std::to_integer<std::uint8_t>(rest_[0]), std::to_integer<std::uint8_t>(rest_[1]), rest_.subspan(4, size)};
    }
    constexpr iterator& operator++() noexcept {
      rest_ = rest_.subspan((**this).size());
      --left_;
      return *this;
    }
    constexpr bool operator==(const iterator& o) const noexcept { return left_ == o.left_; }

   private:
    bytes_view rest_{};
    std::size_t left_ = 0;
  };
  constexpr iterator begin() const noexcept { return {raw, count}; }
  constexpr iterator end() const noexcept { return {raw.last(0), 0}; }
};

/// GET_MEASUREMENTS. decode() returns truncated, trailing_data, invalid_field (SlotID),
/// unsupported, version_mismatch, reserved_nonzero (attribute bits not defined at the version,
/// SlotIDParam bits 7:4).
struct get_measurements {
  static constexpr code message_code = code::get_measurements;
  static constexpr std::size_t size(version v, bool signed_) noexcept {
    return header::size + (signed_ ? nonce_size + (v >= version::v1_1 ? 1 : 0) : 0) +
           (v >= version::v1_3 ? requester_context_size : 0);
  }

  std::uint8_t attributes = 0;  // Param1: meas_attr_*
  std::uint8_t operation = 0;   // Param2: meas_op_count, an index, or meas_op_all
  bytes_view nonce{};           // 32 when signature_requested()
  std::uint8_t slot_id = 0;     // 1.1+, when signature_requested()
  bytes_view requester_context{};  // 8 at 1.3

  constexpr bool signature_requested() const noexcept { return (attributes & meas_attr_signature) != 0; }

  static constexpr result<get_measurements> decode(bytes_view message, const negotiated& n) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code, n));
    get_measurements g;
    g.attributes = h.param1;
    g.operation = h.param2;
    std::uint8_t slot_param = 0;
    if (g.signature_requested()) {
      g.nonce = r.bytes(nonce_size);
      if (n.ver >= version::v1_1) slot_param = r.u8();
    }
    if (n.ver >= version::v1_3) g.requester_context = r.bytes(requester_context_size);
    PMCI_TRY(r.finish());
    if ((g.attributes & ~meas_attr_defined(n.ver)) || (slot_param & 0xF0)) return errc::reserved_nonzero;
    g.slot_id = slot_param;
    if (!valid_slot4(g.slot_id)) return errc::invalid_field;
    return g;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if ((attributes & ~meas_attr_defined(n.ver)) || !valid_slot4(slot_id) ||
        nonce.size() != (signature_requested() ? nonce_size : 0) || (!signature_requested() && slot_id != 0) ||
        requester_context.size() != (n.ver >= version::v1_3 ? requester_context_size : 0))
      return errc::invalid_field;
    write_header(w, message_code, n, attributes, operation);
    if (signature_requested()) {
      w.bytes(nonce);
      if (n.ver >= version::v1_1) w.u8(slot_id);
    }
    w.bytes(requester_context);
    return w.status();
  }
};

/// MEASUREMENTS Param2 bits 5:4 (1.2+).
enum class content_change : std::uint8_t { not_supported = 0, changed = 1, unchanged = 2 };

/// MEASUREMENTS. decode() returns truncated (also: record or opaque length past the end),
/// trailing_data, invalid_field (record blocks, block count for the operation, SlotID,
/// content-changed value 3), unsupported, version_mismatch, reserved_nonzero, invalid_state
/// (signature requested but no signature algorithm negotiated).
struct measurements {
  static constexpr code message_code = code::measurements;

  std::uint8_t total_indices = 0;  // Param1, only for operation meas_op_count
  std::uint8_t slot_id = 0;        // Param2 bits 3:0 (1.1+)
  content_change content_changed = content_change::not_supported;  // Param2 bits 5:4 (1.2+)
  measurement_record record{};
  bytes_view nonce{};
  bytes_view opaque_data{};
  bytes_view requester_context{};  // 8 at 1.3
  bytes_view signature{};          // S when the request asked for a signature

  static constexpr bool signature_expected(const response_context& ctx) noexcept {
    return (ctx.request.param1 & meas_attr_signature) != 0;
  }
  static constexpr std::size_t signature_size(const negotiated& n, const response_context& ctx) noexcept {
    return signature_expected(ctx) ? (ctx.encapsulated ? n.req_s() : n.s()) : 0;
  }

  static constexpr result<measurements> decode(bytes_view message, const negotiated& n, const response_context& ctx) noexcept {
    measurements m;
    PMCI_TRY(decode_into(message, n, ctx, m));
    return m;
  }
  /// decode() into the caller's `m` (default-constructed on entry; unspecified after an error):
  /// no result<measurements> to build and copy, for engines on small targets.
  static constexpr result<void> decode_into(bytes_view message, const negotiated& n, const response_context& ctx,
                                            measurements& m) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code, n));
    const std::size_t sig = signature_size(n, ctx);
    if (signature_expected(ctx) && sig == 0) return errc::invalid_state;
    m.total_indices = h.param1;
    m.slot_id = static_cast<std::uint8_t>(h.param2 & 0x0F);
    m.content_changed = static_cast<content_change>((h.param2 >> 4) & 0x03);
    const std::uint8_t blocks = r.u8();
    const bytes_view rec = r.bytes(r.u24le());
    m.nonce = r.bytes(nonce_size);
    m.opaque_data = r.bytes(r.u16le());
    if (n.ver >= version::v1_3) m.requester_context = r.bytes(requester_context_size);
    m.signature = r.bytes(sig);
    PMCI_TRY(r.finish());
    const std::uint8_t p2_defined = n.ver >= version::v1_2 ? 0x3F : n.ver >= version::v1_1 ? 0x0F : 0x00;
    if ((h.param2 & ~p2_defined) || (ctx.request.param2 != meas_op_count && h.param1 != 0)) return errc::reserved_nonzero;
    if (m.content_changed > content_change::unchanged || !valid_slot4(m.slot_id)) return errc::invalid_field;
    // Operation 0 returns only the count; one index returns one block (spdm.md §7.2, libspdm).
    if (ctx.request.param2 == meas_op_count && (blocks != 0 || !rec.empty())) return errc::invalid_field;
    if (ctx.request.param2 != meas_op_count && ctx.request.param2 != meas_op_all && blocks != 1) return errc::invalid_field;
    PMCI_TRY_ASSIGN(m.record, measurement_record::decode(rec, blocks, n.mh()));
    return ok();
  }
  /// decode_into() for a requester whose dispatch has already checked the header (at least
  /// header::size bytes, SPDMVersion == n.ver, code MEASUREMENTS, which exists at every version):
  /// the remaining checks of decode_into(), in its order and with its errc, and the same fields,
  /// but the layout as one length sum (the record and OpaqueData lengths are the only variable
  /// sizes) instead of a reader (issue 9 footprint). Held to decode() by
  /// tests/spdm_engines/lean_decode_test.cpp.
  static constexpr result<void> read_checked(bytes_view message, const negotiated& n, const response_context& ctx,
                                             measurements& m) noexcept {
    const std::size_t sig = signature_size(n, ctx);
    if (signature_expected(ctx) && sig == 0) return errc::invalid_state;
    const auto p1 = std::to_integer<std::uint8_t>(message[2]), p2 = std::to_integer<std::uint8_t>(message[3]);
    m.total_indices = p1;
    m.slot_id = static_cast<std::uint8_t>(p2 & 0x0F);
    m.content_changed = static_cast<content_change>((p2 >> 4) & 0x03);
    constexpr std::size_t record_at = header::size + 4;  // after NumberOfBlocks and the 3-byte length
    if (message.size() < record_at) return errc::truncated;
    const std::uint8_t blocks = std::to_integer<std::uint8_t>(message[header::size]);
    const std::size_t record = load_u24le(message.subspan(header::size + 1, 3));
    // OpaqueDataLength; the record length is at most 2^24 - 1, so no sum here wraps.
    const std::size_t at = record_at + record + nonce_size;
    if (message.size() < at + 2) return errc::truncated;
    const std::size_t opaque = load_u16le(message.subspan(at, 2));
    const std::size_t context = n.ver >= version::v1_3 ? requester_context_size : 0;
    const std::size_t end = at + 2 + opaque + context + sig;
    if (message.size() != end) return message.size() < end ? errc::truncated : errc::trailing_data;
    m.nonce = message.subspan(record_at + record, nonce_size);
    m.opaque_data = message.subspan(at + 2, opaque);
    if (context != 0) m.requester_context = message.subspan(at + 2 + opaque, context);
    m.signature = message.last(sig);
    const std::uint8_t p2_defined = n.ver >= version::v1_2 ? 0x3F : n.ver >= version::v1_1 ? 0x0F : 0x00;
    if ((p2 & ~p2_defined) || (ctx.request.param2 != meas_op_count && p1 != 0)) return errc::reserved_nonzero;
    if (m.content_changed > content_change::unchanged || !valid_slot4(m.slot_id)) return errc::invalid_field;
    if (ctx.request.param2 == meas_op_count && (blocks != 0 || record != 0)) return errc::invalid_field;
    if (ctx.request.param2 != meas_op_count && ctx.request.param2 != meas_op_all && blocks != 1) return errc::invalid_field;
    PMCI_TRY(measurement_record::check(message.subspan(record_at, record), blocks, n.mh()));
    m.record = {message.subspan(record_at, record), blocks};
    return ok();
  }
  /// invalid_field when a field's size does not match n and ctx, or the record is not valid.
  constexpr result<void> encode(writer& w, const negotiated& n, const response_context& ctx) const noexcept {
    const std::uint8_t p2 = static_cast<std::uint8_t>(slot_id | (static_cast<std::uint8_t>(content_changed) << 4));
    const std::uint8_t p2_defined = n.ver >= version::v1_2 ? 0x3F : n.ver >= version::v1_1 ? 0x0F : 0x00;
    if (!measurement_record::decode(record.raw, record.count, n.mh()) || record.raw.size() > 0xFFFFFF ||
        (p2 & ~p2_defined) || content_changed > content_change::unchanged || !valid_slot4(slot_id) ||
        (ctx.request.param2 != meas_op_count && total_indices != 0) ||
        (ctx.request.param2 == meas_op_count && record.count != 0) ||
        (ctx.request.param2 != meas_op_count && ctx.request.param2 != meas_op_all && record.count != 1) ||
        nonce.size() != nonce_size ||
        opaque_data.size() > 0xFFFF || signature.size() != signature_size(n, ctx) ||
        requester_context.size() != (n.ver >= version::v1_3 ? requester_context_size : 0))
      return errc::invalid_field;
    write_header(w, message_code, n, total_indices, p2);
    w.u8(record.count).u24le(static_cast<std::uint32_t>(record.raw.size())).bytes(record.raw).bytes(nonce);
    w.u16le(static_cast<std::uint16_t>(opaque_data.size())).bytes(opaque_data).bytes(requester_context).bytes(signature);
    return w.status();
  }
  static constexpr bytes_view without_signature(bytes_view message, const measurements& m) noexcept {
    return message.first(message.size() - m.signature.size());
  }
};

}  // namespace pmci::spdm
