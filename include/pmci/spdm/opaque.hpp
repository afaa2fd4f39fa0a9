// SPDX-License-Identifier: Apache-2.0
// The DMTF general opaque-data format (spdm.md §14) and the DSP0277 secured-message elements
// carried in it (secured.md §5): parser, element iteration and builder.
//
// 1.0/1.1 (and DSP0277 general) header       1.2+ OpaqueDataFmt1 header
//   +--------------------+----+----+------+     +----------+-------------+
//   | SpecID 0x444D5446  |Ver |Tot | Rsvd |     | TotalEl. | Reserved(3) |
//   |  46 54 4D 44 (LE)  | 1  |    | (2)  |     +----------+-------------+
//   +--------------------+----+----+------+
// then TotalElements elements, each padded with zeros to a multiple of 4 bytes:
//   ID(1) | VendorLen(1) | VendorID(VendorLen) | DataLen(2) | Data(DataLen) | pad
// DSP0277 elements: ID 0 (DMTF), VendorLen 0, Data = SMDataVersion(1)=1 | SMDataID(1) | payload
//   SMDataID 0 VersionSelection: SelectedVersion(2)
//   SMDataID 1 SupportedVersion: VersionCount(1) | versions(2 each)
//   SMDataID 2 AEAD limit (DSP0277 1.3): AeadLimitExponent(1), <= 64
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/detail/message_codec.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

/// Which opaque-data layout applies to a connection.
enum class opaque_format : std::uint8_t {
  none,     ///< 1.2+ with no format selected: OpaqueDataLength must be 0
  vendor,   ///< 1.2+ OpaqueDataFmt0: vendor-defined, not parsed by pmci
  fmt1,     ///< 1.2+ OpaqueDataFmt1: TotalElements + Reserved(3)
  general,  ///< 1.0/1.1: SpecID + OpaqueVersion + TotalElements + Reserved(2)
};

/// spdm.md §5.2/§14: before 1.2 the general header; from 1.2 OtherParamsSelection bits 3:0.
constexpr opaque_format opaque_format_of(const negotiated& n) noexcept {
  if (n.ver < v1_2) return opaque_format::general;
  switch (n.other_params & 0x0F) {
    case 0x01: return opaque_format::vendor;
    case 0x02: return opaque_format::fmt1;
    default: return opaque_format::none;
  }
}

inline constexpr std::uint32_t opaque_spec_id_dmtf = 0x444D5446;  // "FTMD" LE bytes 46 54 4D 44
inline constexpr std::uint8_t opaque_version_1 = 1;

/// Header size of a format (0 for none/vendor).
constexpr std::size_t opaque_header_size(opaque_format f) noexcept {
  return f == opaque_format::general ? 8 : f == opaque_format::fmt1 ? 4 : 0;
}

/// One element; spans point into the parsed input.
struct opaque_element {
  std::uint8_t id = 0;      ///< registry ID, 0 = DMTF
  bytes_view vendor_id{};   ///< VendorLen bytes
  bytes_view data{};        ///< OpaqueElementData (without padding)

  /// Zero padding after an element of this content, so that its length is a multiple of 4.
  static constexpr std::size_t padding(std::size_t vendor_len, std::size_t data_len) noexcept {
    return (4 - (4 + vendor_len + data_len) % 4) % 4;
  }
  /// Records errc::truncated or errc::reserved_nonzero (padding) in r.
  static constexpr opaque_element read(reader& r) noexcept {
    opaque_element e;
    e.id = r.u8();
    e.vendor_id = r.bytes(r.u8());
    e.data = r.bytes(r.u16le());
    r.reserved(padding(e.vendor_id.size(), e.data.size()));
    return e;
  }
};

/// Validated elements (range-for over opaque_element).
using opaque_elements = detail::entry_list<opaque_element>;

/// A parsed opaque-data block.
struct opaque_data {
  opaque_format format = opaque_format::fmt1;
  std::uint8_t total_elements = 0;
  opaque_elements elements{};

  /// Parse a whole opaque-data field in format f. Errors: truncated; trailing_data (bytes after
  /// the last element); invalid_field (SpecID not DMTF); unsupported (OpaqueVersion != 1, or f
  /// is vendor/none — vendor data is not parsed and `none` admits no opaque data at all);
  /// reserved_nonzero (header reserved bytes or element padding).
  static constexpr result<opaque_data> decode(bytes_view in, opaque_format f) noexcept {
    if (f == opaque_format::none || f == opaque_format::vendor) return errc::unsupported;
    reader r{in};
    opaque_data d;
    d.format = f;
    if (f == opaque_format::general) {
      const auto spec = r.u32le();
      const auto ver = r.u8();
      d.total_elements = r.u8();
      if (r.ok() && spec != opaque_spec_id_dmtf) return errc::invalid_field;
      if (r.ok() && ver != opaque_version_1) return errc::unsupported;
      r.reserved(2);
    } else {
      d.total_elements = r.u8();
      r.reserved(3);
    }
    PMCI_TRY(r.status());
    PMCI_TRY_ASSIGN(d.elements, opaque_elements::validate(r.rest(), d.total_elements));
    return d;
  }

  /// Re-emit header and elements (the elements verbatim).
  constexpr result<void> encode(writer& w) const noexcept {
    if (format == opaque_format::general) {
      w.u32le(opaque_spec_id_dmtf).u8(opaque_version_1).u8(total_elements).zeros(2);
    } else if (format == opaque_format::fmt1) {
      w.u8(total_elements).zeros(3);
    } else {
      return errc::unsupported;
    }
    w.bytes(elements.bytes());
    return detail::done(w);
  }
};

// ---------------------------------------------------------------------------------------------
// DSP0277 secured-message elements (secured.md §5, spdm.md §14).
enum class sm_data_id : std::uint8_t { version_selection = 0, supported_version = 1, aead_limit = 2 };
inline constexpr std::uint8_t sm_data_version_1 = 1;
inline constexpr std::uint8_t aead_limit_exponent_max = 64;

/// What the DSP0277 elements of one opaque-data block say. Elements that are not DMTF/VendorLen
/// 0, or carry an SMDataID pmci does not know, are skipped (they may be other DMTF data).
struct secured_message_opaque {
  std::optional<version_number> selected_version{};  ///< SMDataID 0 (responder)
  bytes_view supported_versions{};                    ///< SMDataID 1 list, 2 bytes each (requester)
  std::optional<std::uint8_t> aead_limit_exponent{};  ///< SMDataID 2; absent means 64

  [[nodiscard]] constexpr std::size_t supported_count() const noexcept { return supported_versions.size() / 2; }
  [[nodiscard]] constexpr version_number supported(std::size_t i) const noexcept {
    return {load_u16le(supported_versions.subspan(2 * i, 2))};
  }

  /// Parse opaque data (empty means no elements). Errors: those of opaque_data::decode, plus
  /// unsupported (SMDataVersion != 1), invalid_field (an element whose size does not match its
  /// SMDataID, an empty version list, an exponent > 64, or the same SMDataID twice).
  static constexpr result<secured_message_opaque> parse(bytes_view opaque, opaque_format f) noexcept {
    secured_message_opaque s;
    if (opaque.empty()) return s;
    PMCI_TRY_ASSIGN(const opaque_data d, opaque_data::decode(opaque, f));
    bool have_list = false;
    for (const opaque_element& e : d.elements) {
      if (e.id != 0 || !e.vendor_id.empty() || e.data.size() < 2) continue;
      if (std::to_integer<std::uint8_t>(e.data[0]) != sm_data_version_1) return errc::unsupported;
      const auto payload = e.data.subspan(2);
      switch (static_cast<sm_data_id>(std::to_integer<std::uint8_t>(e.data[1]))) {
        case sm_data_id::version_selection:
          if (payload.size() != 2 || s.selected_version) return errc::invalid_field;
          s.selected_version = version_number{load_u16le(payload)};
          break;
        case sm_data_id::supported_version: {
          if (payload.empty() || have_list) return errc::invalid_field;
          const std::size_t count = std::to_integer<std::uint8_t>(payload[0]);
          if (count == 0 || payload.size() != 1 + 2 * count) return errc::invalid_field;
          s.supported_versions = payload.subspan(1);
          have_list = true;
          break;
        }
        case sm_data_id::aead_limit: {
          if (payload.size() != 1 || s.aead_limit_exponent) return errc::invalid_field;
          const auto exp = std::to_integer<std::uint8_t>(payload[0]);
          if (exp > aead_limit_exponent_max) return errc::invalid_field;
          s.aead_limit_exponent = exp;
          break;
        }
        default:
          break;  // a later DSP0277 element: not ours to judge
      }
    }
    return s;
  }
};

/// Builds an opaque-data block into a writer:
///   opaque_builder b{w, opaque_format_of(n)};
///   b.sm_supported_versions(list);          // requester, KEY_EXCHANGE / PSK_EXCHANGE
///   PMCI_TRY(b.finish());                   // patches TotalElements
/// Errors (from finish): unsupported (format none/vendor), out_of_range (more than 255
/// elements, an element larger than 0xFFFF, a vendor ID longer than 255, more than 255
/// versions), buffer_too_small.
class opaque_builder {
 public:
  constexpr opaque_builder(writer& w, opaque_format f) noexcept : w_(w) {
    if (f == opaque_format::general) {
      w_.u32le(opaque_spec_id_dmtf).u8(opaque_version_1);
      count_ = w_.reserve(1);
      w_.zeros(2);
    } else if (f == opaque_format::fmt1) {
      count_ = w_.reserve(1);
      w_.zeros(3);
    } else {
      w_.fail(errc::unsupported);
    }
  }

  /// A raw element.
  constexpr opaque_builder& element(std::uint8_t id, bytes_view vendor_id, bytes_view data) noexcept {
    if (start(id, vendor_id, data.size())) w_.bytes(data).zeros(opaque_element::padding(vendor_id.size(), data.size()));
    return *this;
  }
  /// SMDataID 0 (responder's choice).
  constexpr opaque_builder& sm_version_selection(version_number v) noexcept {
    if (sm_start(sm_data_id::version_selection, 2)) w_.u16le(v.raw).zeros(opaque_element::padding(0, 4));
    return *this;
  }
  /// SMDataID 1 (requester's list).
  constexpr opaque_builder& sm_supported_versions(std::span<const version_number> vs) noexcept {
    if (vs.empty() || vs.size() > 0xFF) {
      w_.fail(errc::out_of_range);
      return *this;
    }
    if (sm_start(sm_data_id::supported_version, 1 + 2 * vs.size())) {
      w_.u8(static_cast<std::uint8_t>(vs.size()));
      for (auto v : vs) w_.u16le(v.raw);
      w_.zeros(opaque_element::padding(0, 3 + 2 * vs.size()));
    }
    return *this;
  }
  /// SMDataID 2 (DSP0277 1.3 AEAD limit), exponent <= 64.
  constexpr opaque_builder& sm_aead_limit(std::uint8_t exponent) noexcept {
    if (exponent > aead_limit_exponent_max) w_.fail(errc::out_of_range);
    if (sm_start(sm_data_id::aead_limit, 1)) w_.u8(exponent).zeros(opaque_element::padding(0, 3));
    return *this;
  }

  [[nodiscard]] constexpr result<void> finish() noexcept {
    PMCI_TRY(detail::done(w_));
    count_[0] = std::byte{n_};
    return ok();
  }

 private:
  constexpr bool start(std::uint8_t id, bytes_view vendor_id, std::size_t data_len) noexcept {
    if (n_ == 0xFF || vendor_id.size() > 0xFF || data_len > 0xFFFF) w_.fail(errc::out_of_range);
    w_.u8(id).u8(static_cast<std::uint8_t>(vendor_id.size())).bytes(vendor_id).u16le(static_cast<std::uint16_t>(data_len));
    ++n_;
    return w_.ok();
  }
  constexpr bool sm_start(sm_data_id id, std::size_t payload_len) noexcept {
    if (!start(0, {}, 2 + payload_len)) return false;
    w_.u8(sm_data_version_1).u8(static_cast<std::uint8_t>(id));
    return w_.ok();
  }

  writer& w_;
  bytes_span count_{};
  std::uint8_t n_ = 0;
};

}  // namespace pmci::spdm
