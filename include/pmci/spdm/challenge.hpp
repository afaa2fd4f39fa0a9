// SPDX-License-Identifier: Apache-2.0
// CHALLENGE (0x83) / CHALLENGE_AUTH (0x03), DSP0274 (spdm.md §6.4).
//
//   CHALLENGE:      | hdr: Param1 SlotID (0-7, 0xFF), Param2 MeasurementSummaryHashType |
//                   | Nonce(32) | RequesterContext(8, 1.3) |
//   CHALLENGE_AUTH: | hdr: Param1 bits 3:0 SlotID, bit 7 BasicMutAuthReq (1.1+); Param2 slot mask |
//                   | CertChainHash(H) | Nonce(32) | MeasurementSummaryHash(H or 0) |
//                   | OpaqueDataLength(2) | OpaqueData | RequesterContext(8, 1.3) | Signature(S) |
//
// The MeasurementSummaryHash is present only when the CHALLENGE asked for one (Param2 != 0) and the
// signer has measurements (MEAS_CAP); the signature is the responder's (n.s()) or, in an
// encapsulated flow, the requester's (n.req_s()). Both facts come from the request, so
// CHALLENGE_AUTH's decode()/encode() take a response_context (the CHALLENGE header).
#pragma once
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

/// MeasurementSummaryHashType (CHALLENGE Param2, KEY_EXCHANGE / PSK_EXCHANGE Param1).
enum class summary_hash_type : std::uint8_t { none = 0x00, tcb = 0x01, all = 0xFF };
constexpr bool is_valid(summary_hash_type t) noexcept {
  return t == summary_hash_type::none || t == summary_hash_type::tcb || t == summary_hash_type::all;
}
constexpr const char* name(summary_hash_type t) noexcept {
  switch (t) {
    case summary_hash_type::none: return "none";
    case summary_hash_type::tcb: return "tcb";
    case summary_hash_type::all: return "all";
  }
  return "reserved";
}

/// SlotID value naming a public key provisioned in a trusted environment instead of a certificate
/// slot: 0xFF in requests, 0xF in 4-bit response fields (spdm.md §6.4; UNCONFIRMED value).
inline constexpr std::uint8_t provisioned_key_slot = 0xFF;
constexpr bool valid_slot(std::uint8_t s) noexcept { return s < 8 || s == provisioned_key_slot; }
constexpr bool valid_slot4(std::uint8_t s) noexcept { return s < 8 || s == 0x0F; }

/// CHALLENGE. decode() returns truncated, trailing_data, invalid_field (SlotID, summary type),
/// unsupported, version_mismatch.
struct challenge {
  static constexpr code message_code = code::challenge;
  static constexpr std::size_t size(version v) noexcept { return 36 + (v >= version::v1_3 ? requester_context_size : 0); }

  std::uint8_t slot_id = 0;
  summary_hash_type summary = summary_hash_type::none;
  bytes_view nonce{};              // 32 bytes
  bytes_view requester_context{};  // 8 bytes at 1.3

  static constexpr result<challenge> decode(bytes_view message, const negotiated& n) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code, n));
    challenge c{h.param1, static_cast<summary_hash_type>(h.param2), r.bytes(nonce_size), {}};
    if (n.ver >= version::v1_3) c.requester_context = r.bytes(requester_context_size);
    PMCI_TRY(r.finish());
    if (!valid_slot(c.slot_id) || !is_valid(c.summary)) return errc::invalid_field;
    return c;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (!valid_slot(slot_id) || !is_valid(summary) || nonce.size() != nonce_size ||
        requester_context.size() != (n.ver >= version::v1_3 ? requester_context_size : 0))
      return errc::invalid_field;
    write_header(w, message_code, n, slot_id, static_cast<std::uint8_t>(summary));
    w.bytes(nonce).bytes(requester_context);
    return w.status();
  }
};

/// CHALLENGE_AUTH. decode() returns truncated (also: OpaqueDataLength past the end),
/// trailing_data, invalid_field (SlotID), unsupported, version_mismatch, reserved_nonzero (Param1
/// bits 6:4, BasicMutAuthReq at 1.0), invalid_state (hash or signature algorithm not negotiated).
struct challenge_auth {
  static constexpr code message_code = code::challenge_auth;

  std::uint8_t slot_id = 0;             // Param1 bits 3:0 (0xF: provisioned public key)
  bool basic_mut_auth_req = false;      // Param1 bit 7 (1.1+)
  std::uint8_t slot_mask = 0;           // Param2
  bytes_view cert_chain_hash{};         // H
  bytes_view nonce{};                   // 32
  bytes_view measurement_summary_hash{};  // H or empty
  bytes_view opaque_data{};
  bytes_view requester_context{};       // 8 at 1.3
  bytes_view signature{};               // S

  /// Size of MeasurementSummaryHash for the CHALLENGE in ctx (spdm.md §6.4): H when it asked for a
  /// summary and the signer has MEAS_CAP (never the requester in an encapsulated flow), else 0.
  static constexpr std::size_t summary_hash_size(const negotiated& n, const response_context& ctx) noexcept {
    return ctx.request.param2 != 0 && !ctx.encapsulated && any(n.rsp_caps, rsp_cap::meas_mask) ? n.h() : 0;
  }
  static constexpr std::size_t signature_size(const negotiated& n, const response_context& ctx) noexcept {
    return ctx.encapsulated ? n.req_s() : n.s();
  }

  static constexpr result<challenge_auth> decode(bytes_view message, const negotiated& n, const response_context& ctx) noexcept {
    challenge_auth a;
    PMCI_TRY(decode_into(message, n, ctx, a));
    return a;
  }
  /// decode() into the caller's `a` (default-constructed on entry; unspecified after an error):
  /// no result<challenge_auth> to build and copy, for engines on small targets.
  static constexpr result<void> decode_into(bytes_view message, const negotiated& n, const response_context& ctx,
                                            challenge_auth& a) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code, n));
    const std::size_t sig = signature_size(n, ctx);
    if (n.h() == 0 || sig == 0) return errc::invalid_state;
    a.slot_id = static_cast<std::uint8_t>(h.param1 & 0x0F);
    a.basic_mut_auth_req = (h.param1 & 0x80) != 0;
    a.slot_mask = h.param2;
    a.cert_chain_hash = r.bytes(n.h());
    a.nonce = r.bytes(nonce_size);
    a.measurement_summary_hash = r.bytes(summary_hash_size(n, ctx));
    a.opaque_data = r.bytes(r.u16le());
    if (n.ver >= version::v1_3) a.requester_context = r.bytes(requester_context_size);
    a.signature = r.bytes(sig);
    PMCI_TRY(r.finish());
    if ((h.param1 & 0x70) || (a.basic_mut_auth_req && n.ver < version::v1_1)) return errc::reserved_nonzero;
    if (!valid_slot4(a.slot_id)) return errc::invalid_field;
    return ok();
  }
  /// decode_into() for a requester whose dispatch has already checked the header (at least
  /// header::size bytes, SPDMVersion == n.ver, code CHALLENGE_AUTH, which exists at every
  /// version): the remaining checks of decode_into(), in its order and with its errc, and the
  /// same fields, but the layout as one length sum (every field but OpaqueData has a size fixed
  /// by n and ctx) instead of a reader (issue 9 footprint). Held to decode() by
  /// tests/spdm_engines/lean_decode_test.cpp.
  static constexpr result<void> read_checked(bytes_view message, const negotiated& n, const response_context& ctx,
                                             challenge_auth& a) noexcept {
    const std::size_t h = n.h(), sig = signature_size(n, ctx);
    if (h == 0 || sig == 0) return errc::invalid_state;
    const std::size_t at = header::size + h + nonce_size + summary_hash_size(n, ctx);  // OpaqueDataLength
    if (message.size() < at + 2) return errc::truncated;
    const std::size_t opaque = load_u16le(message.subspan(at, 2));
    const std::size_t context = n.ver >= version::v1_3 ? requester_context_size : 0;
    const std::size_t end = at + 2 + opaque + context + sig;
    if (message.size() != end) return message.size() < end ? errc::truncated : errc::trailing_data;
    const auto p1 = std::to_integer<std::uint8_t>(message[2]);
    a.slot_id = static_cast<std::uint8_t>(p1 & 0x0F);
    a.basic_mut_auth_req = (p1 & 0x80) != 0;
    a.slot_mask = std::to_integer<std::uint8_t>(message[3]);
    a.cert_chain_hash = message.subspan(header::size, h);
    a.nonce = message.subspan(header::size + h, nonce_size);
    a.measurement_summary_hash = message.subspan(header::size + h + nonce_size, at - header::size - h - nonce_size);
    a.opaque_data = message.subspan(at + 2, opaque);
    a.requester_context = message.subspan(at + 2 + opaque, context);
    a.signature = message.last(sig);
    if ((p1 & 0x70) || (a.basic_mut_auth_req && n.ver < version::v1_1)) return errc::reserved_nonzero;
    if (!valid_slot4(a.slot_id)) return errc::invalid_field;
    return ok();
  }
  /// invalid_field when a field's size does not match n and ctx; invalid_state without hash or
  /// signature algorithm.
  constexpr result<void> encode(writer& w, const negotiated& n, const response_context& ctx) const noexcept {
    if (n.h() == 0 || signature_size(n, ctx) == 0) return errc::invalid_state;
    if (!valid_slot4(slot_id) || (basic_mut_auth_req && n.ver < version::v1_1) || cert_chain_hash.size() != n.h() ||
        nonce.size() != nonce_size || measurement_summary_hash.size() != summary_hash_size(n, ctx) ||
        opaque_data.size() > 0xFFFF || signature.size() != signature_size(n, ctx) ||
        requester_context.size() != (n.ver >= version::v1_3 ? requester_context_size : 0))
      return errc::invalid_field;
    write_header(w, message_code, n, static_cast<std::uint8_t>(slot_id | (basic_mut_auth_req ? 0x80 : 0)), slot_mask);
    w.bytes(cert_chain_hash).bytes(nonce).bytes(measurement_summary_hash);
    w.u16le(static_cast<std::uint16_t>(opaque_data.size())).bytes(opaque_data).bytes(requester_context).bytes(signature);
    return w.status();
  }
  /// The message without its Signature: what the signature covers together with the transcript
  /// (spdm.md §15 "C").
  static constexpr bytes_view without_signature(bytes_view message, const challenge_auth& a) noexcept {
    return message.first(message.size() - a.signature.size());
  }
};

}  // namespace pmci::spdm
