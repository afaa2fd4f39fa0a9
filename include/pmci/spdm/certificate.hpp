// SPDX-License-Identifier: Apache-2.0
// GET_CERTIFICATE (0x82) / CERTIFICATE (0x02), DSP0274 (spdm.md §6.3). The chain travels in
// portions; cert_chain.hpp parses the reassembled SPDM certificate chain.
//
//   GET_CERTIFICATE: | hdr: Param1 bits 3:0 SlotID; Param2 (1.3) bit 0 SlotSizeRequested |
//                    | Offset(2) | Length(2) |
//   CERTIFICATE:     | hdr: Param1 bits 3:0 SlotID; Param2 (1.3) bits 2:0 CertificateInfo |
//                    | PortionLength(2) | RemainderLength(2) | CertChain portion (PortionLength) |
//
// (1.4's LargeCertChain bit 7 is reserved at 1.0-1.3 and rejected.)
#pragma once
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/digests.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

/// GET_CERTIFICATE. decode() returns truncated, trailing_data, invalid_field (not
/// GET_CERTIFICATE, SlotID > 7), unsupported, version_mismatch, reserved_nonzero.
struct get_certificate {
  static constexpr code message_code = code::get_certificate;
  static constexpr std::size_t size = 8;

  std::uint8_t slot_id = 0;
  bool slot_size_requested = false;  // 1.3: ask only for the slot's size (Param2 bit 0)
  std::uint16_t offset = 0;
  std::uint16_t length = 0;

  static constexpr result<get_certificate> decode(bytes_view message, const negotiated& n) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code, n));
    get_certificate g{static_cast<std::uint8_t>(h.param1 & 0x0F), (h.param2 & 1) != 0, r.u16le(), r.u16le()};
    PMCI_TRY(r.finish());
    if ((h.param1 & 0xF0) || (h.param2 & ~(n.ver >= version::v1_3 ? 1 : 0))) return errc::reserved_nonzero;
    if (g.slot_id >= max_slots) return errc::invalid_field;
    return g;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (slot_id >= max_slots || (slot_size_requested && n.ver < version::v1_3)) return errc::invalid_field;
    write_header(w, message_code, n, slot_id, slot_size_requested ? 1 : 0);
    w.u16le(offset).u16le(length);
    return w.status();
  }
};

/// CERTIFICATE. decode() returns truncated (also: PortionLength past the end), trailing_data,
/// invalid_field (SlotID > 7, reserved certificate model), unsupported, version_mismatch,
/// reserved_nonzero.
struct certificate {
  static constexpr code message_code = code::certificate;
  static constexpr std::size_t fixed_size = 8;

  std::uint8_t slot_id = 0;
  std::uint8_t certificate_info = 0;  // 1.3: bits 2:0 cert_model
  std::uint16_t remainder_length = 0;
  bytes_view portion{};

  constexpr cert_model model() const noexcept { return static_cast<cert_model>(certificate_info & 0x07); }

  static constexpr result<certificate> decode(bytes_view message, const negotiated& n) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code, n));
    certificate c;
    c.slot_id = static_cast<std::uint8_t>(h.param1 & 0x0F);
    c.certificate_info = h.param2;
    const std::size_t portion_length = r.u16le();
    c.remainder_length = r.u16le();
    c.portion = r.bytes(portion_length);
    PMCI_TRY(r.finish());
    if ((h.param1 & 0xF0) || (h.param2 & ~(n.ver >= version::v1_3 ? 0x07 : 0))) return errc::reserved_nonzero;
    if (c.slot_id >= max_slots || (c.certificate_info & 0x07) > 3) return errc::invalid_field;
    return c;
  }
  /// decode() for a requester whose dispatch has already checked the header (at least
  /// header::size bytes, SPDMVersion == n.ver, code CERTIFICATE, which exists at every version),
  /// into the caller's `c` (default-constructed on entry; unspecified after an error): the
  /// remaining checks of decode(), in its order and with its errc, and the same fields, without
  /// a reader (issue 9 footprint). Held to decode() by tests/spdm_engines/lean_decode_test.cpp.
  static constexpr result<void> read_checked(bytes_view message, const negotiated& n, certificate& c) noexcept {
    const auto p1 = std::to_integer<std::uint8_t>(message[2]), p2 = std::to_integer<std::uint8_t>(message[3]);
    c.slot_id = static_cast<std::uint8_t>(p1 & 0x0F);
    c.certificate_info = p2;
    constexpr std::size_t portion_at = header::size + 4;  // after PortionLength and RemainderLength
    if (message.size() < portion_at) return errc::truncated;
    const std::size_t end = portion_at + load_u16le(message.subspan(header::size, 2));
    if (message.size() != end) return message.size() < end ? errc::truncated : errc::trailing_data;
    c.remainder_length = load_u16le(message.subspan(header::size + 2, 2));
    c.portion = message.subspan(portion_at);
    if ((p1 & 0xF0) || (p2 & ~(n.ver >= version::v1_3 ? 0x07 : 0))) return errc::reserved_nonzero;
    if (c.slot_id >= max_slots || (c.certificate_info & 0x07) > 3) return errc::invalid_field;
    return ok();
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (slot_id >= max_slots || portion.size() > 0xFFFF ||
        (certificate_info & ~(n.ver >= version::v1_3 ? 0x07 : 0)) || (certificate_info & 0x07) > 3)
      return errc::invalid_field;
    write_header(w, message_code, n, slot_id, certificate_info);
    w.u16le(static_cast<std::uint16_t>(portion.size())).u16le(remainder_length).bytes(portion);
    return w.status();
  }
};

}  // namespace pmci::spdm
