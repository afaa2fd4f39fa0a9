// SPDX-License-Identifier: Apache-2.0
// GET_DIGESTS (0x81) / DIGESTS (0x01), DSP0274 (spdm.md §6.2).
//
//   GET_DIGESTS: | hdr: Param1, Param2 reserved |
//   DIGESTS:     | hdr: Param1 = SupportedSlotMask (1.3; reserved before), Param2 = slot mask |
//                | Digest (H) per set bit of Param2, in slot order |
//                | 1.3 with MultiKeyConn: KeyPairID[n](1) | CertificateInfo[n](1) | KeyUsageMask[n](2) |
//
// The multi-key arrays are present when the sender's MultiKeyConn holds: n.multi_key_conn_rsp for
// the responder's DIGESTS, n.multi_key_conn_req for the requester's encapsulated DIGESTS
// (response_context::encapsulated).
#pragma once
#include <bit>
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

inline constexpr std::size_t max_slots = 8;

/// CertificateInfo bits 2:0 (1.3): the certificate model of a slot (spdm.md §6.2).
enum class cert_model : std::uint8_t { none = 0, device = 1, alias = 2, generic = 3 };
constexpr const char* name(cert_model m) noexcept {
  switch (m) {
    case cert_model::none: return "none";
    case cert_model::device: return "device";
    case cert_model::alias: return "alias";
    case cert_model::generic: return "generic";
  }
  return "reserved";
}

/// KeyUsageMask bits (1.3, spdm.md §6.2).
enum class key_usage : std::uint16_t {
  none = 0, key_exchange = 1u << 0, challenge = 1u << 1, measurement = 1u << 2, endpoint_info = 1u << 3,
  standards_defined = 1u << 14, vendor_defined = 1u << 15,
};
template <> struct enable_flags<key_usage> : std::true_type {};
inline constexpr std::uint16_t key_usage_defined = 0xC00F;

/// GET_DIGESTS. decode() returns truncated, trailing_data, invalid_field, unsupported,
/// version_mismatch, reserved_nonzero.
struct get_digests {
  static constexpr code message_code = code::get_digests;
  static constexpr std::size_t size = header::size;

  static constexpr result<get_digests> decode(bytes_view message, const negotiated& n) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code, n));
    PMCI_TRY(r.finish());
    if (h.param1 != 0 || h.param2 != 0) return errc::reserved_nonzero;
    return get_digests{};
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    write_header(w, message_code, n);
    return w.status();
  }
};

/// DIGESTS. decode() returns truncated, trailing_data, invalid_field (not DIGESTS, a provisioned
/// slot that is not supported, a reserved certificate model), unsupported, version_mismatch,
/// reserved_nonzero (Param1 before 1.3, CertificateInfo / KeyUsageMask reserved bits),
/// invalid_state (no hash negotiated: the digest size is unknown).
struct digests {
  static constexpr code message_code = code::digests;

  std::uint8_t supported_slot_mask = 0;  // Param1 (1.3)
  std::uint8_t slot_mask = 0;            // Param2: ProvisionedSlotMask
  bytes_view digest_data{};              // count() x H
  bytes_view key_pair_ids{};             // 1.3 MultiKeyConn: count() x 1
  bytes_view certificate_infos{};        // count() x 1
  bytes_view key_usage_masks{};          // count() x 2 (LE)

  constexpr std::size_t count() const noexcept { return static_cast<std::size_t>(std::popcount(slot_mask)); }
  constexpr bool multi_key() const noexcept { return !key_pair_ids.empty(); }
  /// Digest i (i-th set bit of the slot mask).
  constexpr bytes_view digest(std::size_t i) const noexcept {
    const std::size_t h = digest_data.size() / (count() ? count() : 1);
    return digest_data.subspan(i * h, h);
  }
  /// The slot number of entry i.
  constexpr std::uint8_t slot_of(std::size_t i) const noexcept {
    for (std::uint8_t s = 0; s < max_slots; ++s)
      if ((slot_mask >> s) & 1u) { if (i-- == 0) return s; }
    return 0xFF;
  }
  constexpr std::uint8_t key_pair_id(std::size_t i) const noexcept { return std::to_integer<std::uint8_t>(key_pair_ids[i]); }
  constexpr cert_model model(std::size_t i) const noexcept {
    return static_cast<cert_model>(std::to_integer<std::uint8_t>(certificate_infos[i]) & 0x07);
  }
  constexpr key_usage usage(std::size_t i) const noexcept { return static_cast<key_usage>(load_u16le(key_usage_masks.subspan(2 * i, 2))); }

  static constexpr bool multi_key_expected(const negotiated& n, const response_context& ctx) noexcept {
    return n.ver >= version::v1_3 && (ctx.encapsulated ? n.multi_key_conn_req : n.multi_key_conn_rsp);
  }

  static constexpr result<digests> decode(bytes_view message, const negotiated& n, const response_context& ctx = {}) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code, n));
    if (n.h() == 0) return errc::invalid_state;
    digests d;
    d.supported_slot_mask = h.param1;
    d.slot_mask = h.param2;
    const std::size_t k = d.count();
    d.digest_data = r.bytes(k * n.h());
    if (multi_key_expected(n, ctx)) {
      d.key_pair_ids = r.bytes(k);
      d.certificate_infos = r.bytes(k);
      d.key_usage_masks = r.bytes(2 * k);
    }
    PMCI_TRY(r.finish());
    if (n.ver < version::v1_3 && h.param1 != 0) return errc::reserved_nonzero;
    // A provisioned slot is a supported slot (1.3 SupportedSlotMask).
    if (n.ver >= version::v1_3 && (d.slot_mask & ~d.supported_slot_mask) != 0) return errc::invalid_field;
    return d.check_arrays();
  }

  /// decode() for a requester whose dispatch has already checked the header (at least
  /// header::size bytes, SPDMVersion == n.ver, code DIGESTS, which exists at every version), into
  /// the caller's `d` (default-constructed on entry; unspecified after an error): the remaining
  /// checks of decode(), in its order and with its errc, and the same fields, with the layout as
  /// one size (every field's size follows from SlotMask, n and ctx) instead of a reader (issue 9
  /// footprint). Held to decode() by tests/spdm_engines/lean_decode_test.cpp.
  static constexpr result<void> read_checked(bytes_view message, const negotiated& n, const response_context& ctx,
                                             digests& d) noexcept {
    const std::size_t h = n.h();
    if (h == 0) return errc::invalid_state;
    d.supported_slot_mask = std::to_integer<std::uint8_t>(message[2]);
    d.slot_mask = std::to_integer<std::uint8_t>(message[3]);
    const std::size_t k = d.count();
    const bool mk = multi_key_expected(n, ctx);
    const std::size_t end = header::size + k * h + (mk ? 4 * k : 0);
    if (message.size() != end) return message.size() < end ? errc::truncated : errc::trailing_data;
    d.digest_data = message.subspan(header::size, k * h);
    if (mk) {
      d.key_pair_ids = message.subspan(header::size + k * h, k);
      d.certificate_infos = message.subspan(header::size + k * h + k, k);
      d.key_usage_masks = message.subspan(header::size + k * h + 2 * k, 2 * k);
    }
    if (n.ver < version::v1_3 && d.supported_slot_mask != 0) return errc::reserved_nonzero;
    if (n.ver >= version::v1_3 && (d.slot_mask & ~d.supported_slot_mask) != 0) return errc::invalid_field;
    if (!mk) return ok();  // no arrays to check
    for (std::size_t i = 0; i < k; ++i) {
      const auto info = std::to_integer<std::uint8_t>(d.certificate_infos[i]);
      if (info & 0xF8) return errc::reserved_nonzero;
      if ((info & 0x07) > 3) return errc::invalid_field;
    }
    for (std::size_t i = 0; i < k; ++i)
      if (raw(d.usage(i)) & ~key_usage_defined) return errc::reserved_nonzero;
    return ok();
  }

  /// invalid_field when the digest or array sizes do not match count(), n and ctx.
  constexpr result<void> encode(writer& w, const negotiated& n, const response_context& ctx = {}) const noexcept {
    const std::size_t k = count();
    const bool mk = multi_key_expected(n, ctx);
    if (n.h() == 0) return errc::invalid_state;
    if (digest_data.size() != k * n.h() || (n.ver < version::v1_3 && supported_slot_mask != 0) ||
        (n.ver >= version::v1_3 && (slot_mask & ~supported_slot_mask) != 0) ||
        key_pair_ids.size() != (mk ? k : 0) || certificate_infos.size() != (mk ? k : 0) ||
        key_usage_masks.size() != (mk ? 2 * k : 0) || !check_arrays())
      return errc::invalid_field;
    write_header(w, message_code, n, supported_slot_mask, slot_mask);
    w.bytes(digest_data).bytes(key_pair_ids).bytes(certificate_infos).bytes(key_usage_masks);
    return w.status();
  }

 private:
  constexpr result<digests> check_arrays() const noexcept {
    for (std::size_t i = 0; i < certificate_infos.size(); ++i) {
      const auto info = std::to_integer<std::uint8_t>(certificate_infos[i]);
      if (info & 0xF8) return errc::reserved_nonzero;
      if ((info & 0x07) > 3) return errc::invalid_field;
    }
    for (std::size_t i = 0; i < key_usage_masks.size() / 2; ++i)
      if (raw(usage(i)) & ~key_usage_defined) return errc::reserved_nonzero;
    return *this;
  }
};

}  // namespace pmci::spdm
