// SPDX-License-Identifier: Apache-2.0
// Endpoint information, SPDM 1.3 (spdm.md §12):
//
// GET_ENDPOINT_INFO (0x87)  hdr(P1 SubCode: 1 DeviceClassIdentifier, P2 bits 3:0 SlotID 0-7/0xF) |
//                           RequestAttributes(1: bit0 SignatureRequested) | Reserved(3) |
//                           Nonce(32, iff SignatureRequested)
// ENDPOINT_INFO (0x07)      hdr(P1 reserved, P2 bits 3:0 SlotID) | Reserved(4) |
//                           Nonce(32, iff signed) | EPInfoLen(4) | EPInfo | Signature(S, iff signed)
//
// Whether ENDPOINT_INFO is signed follows from the request, so engines decode it with the
// decoded GET_ENDPOINT_INFO (and `encapsulated` when the requester answers: its signature then
// has n.req_s() bytes). The request's header alone does not say (the flag is in its body), so
// with a response_context (the dispatcher) or nothing, decode tries the unsigned layout first and
// then the signed one, with the requester's S when ctx.encapsulated, else the responder's.
//
// DeviceClassIdentifier EPInfo: NumIdentifiers(1) | Reserved(3) | identifiers, each
//   IdElemLength(1) | RegistryID(1) | VendorIDLen(1) | VendorID | NumSubIds(1) |
//   SubIds (each SubIdLen(1) | bytes)          (IdElemLength counts the bytes after itself)
#pragma once
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/challenge.hpp"
#include "pmci/spdm/detail/message_codec.hpp"
#include "pmci/spdm/vendor.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

inline constexpr std::uint8_t endpoint_info_device_class_identifier = 0x01;

struct get_endpoint_info {
  static constexpr code message_code = code::get_endpoint_info;
  std::uint8_t sub_code = endpoint_info_device_class_identifier;  ///< Param1
  std::uint8_t slot_id = 0;                                       ///< 0-7, 0xF = provisioned public key
  bool signature_requested = false;
  bytes_view nonce{};                                             ///< 32 iff signature_requested

  /// Errors: truncated, trailing_data, version_mismatch, unsupported (version < 1.3),
  /// reserved_nonzero (Param2 bits 7:4, attribute bits 7:1, Reserved(3)), invalid_field
  /// (SubCode other than 1, SlotID 8-14).
  static constexpr result<get_endpoint_info> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    get_endpoint_info g;
    g.sub_code = h.param1;
    g.slot_id = h.param2 & 0x0F;
    const auto attributes = r.u8();
    g.signature_requested = (attributes & 0x01) != 0;
    r.reserved(3);
    g.nonce = r.bytes(g.signature_requested ? nonce_size : 0);
    PMCI_TRY(detail::finish(r));
    if ((h.param2 & 0xF0) != 0 || (attributes & 0xFE) != 0) return errc::reserved_nonzero;
    if (!g.fields_valid()) return errc::invalid_field;
    return g;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (!fields_valid() || slot_id > 0x0F || nonce.size() != (signature_requested ? nonce_size : 0))
      return errc::invalid_field;
    PMCI_TRY(detail::begin(w, message_code, n, sub_code, slot_id));
    w.u8(signature_requested ? 1 : 0).zeros(3).bytes(nonce);
    return detail::done(w);
  }

 private:
  constexpr bool fields_valid() const noexcept {
    return sub_code == endpoint_info_device_class_identifier && valid_slot4(slot_id);
  }
};

struct endpoint_info {
  static constexpr code message_code = code::endpoint_info;
  std::uint8_t slot_id = 0;  ///< Param2 bits 3:0
  bytes_view nonce{};        ///< 32 when signed
  bytes_view ep_info{};      ///< EPInfo (device_class_identifier::decode for SubCode 1)
  bytes_view signature{};    ///< S (or the requester's S when encapsulated) when signed

  /// Layout from the request (see the file comment). Errors: truncated, trailing_data,
  /// version_mismatch, unsupported (version < 1.3), invalid_state (signed without an asym
  /// algorithm), reserved_nonzero (Param1, Param2 bits 7:4, Reserved(4)), invalid_field (SlotID
  /// 8-14).
  static constexpr result<endpoint_info> decode(bytes_view m, const negotiated& n, const get_endpoint_info& request,
                                                bool encapsulated = false) noexcept {
    return decode_with(m, n, request.signature_requested ? (encapsulated ? n.req_s() : n.s()) : 0, request.signature_requested);
  }
  /// Unsigned layout if it fits, else signed (see the file comment).
  static constexpr result<endpoint_info> decode(bytes_view m, const negotiated& n, const response_context& ctx) noexcept {
    const std::size_t s = ctx.encapsulated ? n.req_s() : n.s();
    auto plain = decode_with(m, n, 0, false);
    if (plain.has_value() || s == 0) return plain;
    auto sig = decode_with(m, n, s, true);
    return sig.has_value() ? sig : plain;
  }
  static constexpr result<endpoint_info> decode(bytes_view m, const negotiated& n) noexcept {
    return decode(m, n, response_context{});
  }

  /// Signed iff nonce is non-empty; the signature must then be non-empty too.
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    const bool is_signed = !nonce.empty();
    if (!valid_slot4(slot_id) || (is_signed && (nonce.size() != nonce_size || signature.empty())) ||
        (!is_signed && !signature.empty()))
      return errc::invalid_field;
    if (!detail::fits_u32(ep_info)) return errc::out_of_range;
    PMCI_TRY(detail::begin(w, message_code, n, 0, slot_id));
    w.zeros(4).bytes(nonce).u32le(static_cast<std::uint32_t>(ep_info.size())).bytes(ep_info).bytes(signature);
    return detail::done(w);
  }
  /// Checks the signature size against the signer (ctx.encapsulated: the requester).
  constexpr result<void> encode(writer& w, const negotiated& n, const response_context& ctx) const noexcept {
    if (!nonce.empty() && signature.size() != (ctx.encapsulated ? n.req_s() : n.s())) return errc::invalid_field;
    return encode(w, n);
  }
  /// Also checks the layout against the request (errc::invalid_field).
  constexpr result<void> encode(writer& w, const negotiated& n, const get_endpoint_info& request,
                                bool encapsulated = false) const noexcept {
    const std::size_t s = request.signature_requested ? (encapsulated ? n.req_s() : n.s()) : 0;
    if (signature.size() != s || nonce.empty() == request.signature_requested) return errc::invalid_field;
    return encode(w, n);
  }

 private:
  static constexpr result<endpoint_info> decode_with(bytes_view m, const negotiated& n, std::size_t sig_size,
                                                     bool is_signed) noexcept {
    if (is_signed && sig_size == 0) return errc::invalid_state;
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    endpoint_info e;
    e.slot_id = h.param2 & 0x0F;
    r.reserved(4);
    e.nonce = r.bytes(is_signed ? nonce_size : 0);
    e.ep_info = r.bytes(r.u32le());
    e.signature = r.bytes(sig_size);
    PMCI_TRY(detail::finish(r));
    if (h.param1 != 0 || (h.param2 & 0xF0) != 0) return errc::reserved_nonzero;
    if (!valid_slot4(e.slot_id)) return errc::invalid_field;
    return e;
  }
};

/// One DeviceClassIdentifier element.
struct class_identifier {
  std::uint8_t registry_id = 0;
  bytes_view vendor_id{};
  std::uint8_t num_sub_ids = 0;
  bytes_view sub_ids{};  ///< NumSubIds × (SubIdLen(1) | bytes), validated

  /// Records truncated, trailing_data (IdElemLength larger than its content) or invalid_field
  /// (VendorIDLen wrong for the registry) in r.
  static constexpr class_identifier read(reader& outer) noexcept {
    class_identifier c;
    reader r{outer.bytes(outer.u8())};
    if (!outer.ok()) return c;
    c.registry_id = r.u8();
    const auto vlen = r.u8();
    if (r.ok() && !valid_vendor_id_size(static_cast<registry>(c.registry_id), vlen)) r.fail(errc::invalid_field);
    c.vendor_id = r.bytes(vlen);
    c.num_sub_ids = r.u8();
    const std::size_t start = r.position();
    for (std::uint8_t i = 0; i < c.num_sub_ids && r.ok(); ++i) r.skip(r.u8());
    if (auto s = r.finish(); !s) {
      outer.fail(s.error());
      return c;
    }
    c.sub_ids = r.input().subspan(start);
    return c;
  }
};

/// Validated identifiers (range-for over class_identifier).
using class_identifiers = detail::entry_list<class_identifier>;

/// EPInfo for SubCode 1.
struct device_class_identifier {
  class_identifiers identifiers{};

  /// Errors: truncated, trailing_data, reserved_nonzero (Reserved(3)), invalid_field.
  static constexpr result<device_class_identifier> decode(bytes_view ep_info) noexcept {
    reader r{ep_info};
    const auto count = r.u8();
    r.reserved(3);
    PMCI_TRY(r.status());
    device_class_identifier d;
    PMCI_TRY_ASSIGN(d.identifiers, class_identifiers::validate(r.rest(), count));
    return d;
  }
  constexpr result<void> encode(writer& w) const noexcept {
    w.u8(static_cast<std::uint8_t>(identifiers.size())).zeros(3).bytes(identifiers.bytes());
    return detail::done(w);
  }
};

}  // namespace pmci::spdm
