// SPDX-License-Identifier: Apache-2.0
// VENDOR_DEFINED_REQUEST (0xFE) / VENDOR_DEFINED_RESPONSE (0x7E), DSP0274 (spdm.md §9).
//
//   | hdr: Param1, Param2 reserved | StandardID(2) | Len(1) | VendorID(Len) |
//   | ReqLength / RespLength(2) | VendorDefinedPayload |
//
// StandardID names the registry that assigned VendorID, which fixes Len (registry_vendor_id_size).
// (1.4's Large bit in Param1 is reserved at 1.0-1.3.)
#pragma once
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

/// Registry / standards body IDs (StandardID; also used by events and endpoint info).
enum class registry : std::uint16_t {
  dmtf = 0, tcg = 1, usb = 2, pci_sig = 3, iana = 4, hdbaset = 5, mipi = 6, cxl = 7, jedec = 8, vesa = 9,
  iana_cbor = 0x0A, dmtf_dsp = 0x0B,
};
constexpr const char* name(registry r) noexcept {
  switch (r) {
    case registry::dmtf: return "DMTF";
    case registry::tcg: return "TCG";
    case registry::usb: return "USB";
    case registry::pci_sig: return "PCI-SIG";
    case registry::iana: return "IANA";
    case registry::hdbaset: return "HDBaseT";
    case registry::mipi: return "MIPI";
    case registry::cxl: return "CXL";
    case registry::jedec: return "JEDEC";
    case registry::vesa: return "VESA";
    case registry::iana_cbor: return "IANA-CBOR";
    case registry::dmtf_dsp: return "DMTF-DSP";
  }
  return "unknown";
}
/// Whether len is a valid VendorID length for registry r (spdm.md §9): fixed per registry,
/// variable up to 9 for IANA-CBOR. Registries 0x0A/0x0B are accepted at every version (which
/// version introduced them is UNCONFIRMED).
constexpr bool valid_vendor_id_size(registry r, std::size_t len) noexcept {
  switch (r) {
    case registry::dmtf: case registry::vesa: return len == 0;
    case registry::tcg: case registry::usb: case registry::pci_sig: case registry::mipi: case registry::cxl:
    case registry::jedec: case registry::dmtf_dsp: return len == 2;
    case registry::iana: case registry::hdbaset: return len == 4;
    case registry::iana_cbor: return len <= 9;
  }
  return false;
}

/// VENDOR_DEFINED_REQUEST / _RESPONSE (same layout; C selects the code). decode() returns
/// truncated (also: Len or payload length past the end), trailing_data, invalid_field (unknown
/// registry, VendorID length wrong for the registry), unsupported, version_mismatch,
/// reserved_nonzero.
template <code C>
struct vendor_defined {
  static constexpr code message_code = C;
  registry standard_id = registry::dmtf;
  bytes_view vendor_id{};
  bytes_view payload{};

  static constexpr result<vendor_defined> decode(bytes_view message, const negotiated& n) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code, n));
    vendor_defined v;
    v.standard_id = static_cast<registry>(r.u16le());
    v.vendor_id = r.bytes(r.u8());
    v.payload = r.bytes(r.u16le());
    PMCI_TRY(r.finish());
    if (h.param1 != 0 || h.param2 != 0) return errc::reserved_nonzero;
    if (!valid_vendor_id_size(v.standard_id, v.vendor_id.size())) return errc::invalid_field;
    return v;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (!valid_vendor_id_size(standard_id, vendor_id.size()) || payload.size() > 0xFFFF) return errc::invalid_field;
    write_header(w, message_code, n);
    w.u16le(static_cast<std::uint16_t>(standard_id)).u8(static_cast<std::uint8_t>(vendor_id.size())).bytes(vendor_id);
    w.u16le(static_cast<std::uint16_t>(payload.size())).bytes(payload);
    return w.status();
  }
};
using vendor_defined_request = vendor_defined<code::vendor_defined_request>;
using vendor_defined_response = vendor_defined<code::vendor_defined_response>;

}  // namespace pmci::spdm
