// SPDX-License-Identifier: Apache-2.0
// Certificate provisioning, SPDM 1.2+ (spdm.md §11):
//
// GET_CSR (0xED)             hdr(P1 KeyPairID (1.3), P2 (1.3) bits 2:0 CSRCertModel, 5:3
//                            CSRTrackingTag, 7 Overwrite) | RequesterInfoLength(2) |
//                            OpaqueDataLength(2) | RequesterInfo | OpaqueData
// CSR (0x6D)                 hdr(reserved) | CSRLength(2) | Reserved(2) | CSR (DER)
// SET_CERTIFICATE (0xEE)     hdr(P1 bits 3:0 SlotID, (1.3) 6:4 SetCertModel, 7 Erase;
//                            P2 (1.3) KeyPairID) | SPDM certificate chain (absent when erasing)
// SET_CERTIFICATE_RSP (0x6E) hdr(P1 bits 3:0 SlotID, P2 reserved)
//
// Fields that 1.3 added are reserved (zero) at 1.2. The certificate chain is checked only as far
// as its own header goes (spdm.md §6.1: Length(2) = whole chain, Reserved(2), RootHash(H));
// parse the certificates with the certificate codecs.
#pragma once
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/detail/message_codec.hpp"
#include "pmci/spdm/digests.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

struct get_csr {
  static constexpr code message_code = code::get_csr;
  std::uint8_t key_pair_id = 0;                 ///< 1.3 (Param1)
  cert_model csr_cert_model = cert_model::none; ///< 1.3 (Param2 bits 2:0)
  std::uint8_t csr_tracking_tag = 0;            ///< 1.3 (Param2 bits 5:3), 0-7
  bool overwrite = false;                       ///< 1.3 (Param2 bit 7)
  bytes_view requester_info{};
  bytes_view opaque_data{};

  /// Errors: truncated, trailing_data, version_mismatch, unsupported (version < 1.2),
  /// reserved_nonzero (params at 1.2, Param2 bit 6), invalid_field (CSRCertModel > 3).
  static constexpr result<get_csr> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    get_csr g;
    const std::size_t info = r.u16le(), opaque = r.u16le();
    g.requester_info = r.bytes(info);
    g.opaque_data = r.bytes(opaque);
    PMCI_TRY(detail::finish(r));
    if (n.ver < v1_3 ? (h.param1 | h.param2) != 0 : (h.param2 & 0x40) != 0) return errc::reserved_nonzero;
    if ((h.param2 & 0x07) > 3) return errc::invalid_field;
    g.key_pair_id = h.param1;
    g.csr_cert_model = static_cast<cert_model>(h.param2 & 0x07);
    g.csr_tracking_tag = static_cast<std::uint8_t>((h.param2 >> 3) & 0x07);
    g.overwrite = (h.param2 & 0x80) != 0;
    return g;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    const auto model = static_cast<std::uint8_t>(csr_cert_model);
    if (model > 3 || csr_tracking_tag > 7 ||
        (n.ver < v1_3 && (key_pair_id != 0 || model != 0 || csr_tracking_tag != 0 || overwrite)))
      return errc::invalid_field;
    if (!detail::fits_u16(requester_info) || !detail::fits_u16(opaque_data)) return errc::out_of_range;
    const auto p2 = static_cast<std::uint8_t>(model | csr_tracking_tag << 3 | (overwrite ? 0x80 : 0));
    PMCI_TRY(detail::begin(w, message_code, n, key_pair_id, p2));
    w.u16le(static_cast<std::uint16_t>(requester_info.size())).u16le(static_cast<std::uint16_t>(opaque_data.size()));
    w.bytes(requester_info).bytes(opaque_data);
    return detail::done(w);
  }
};

struct csr {
  static constexpr code message_code = code::csr;
  bytes_view csr_der{};  ///< the CSR (DER)

  /// Errors: truncated, trailing_data, version_mismatch, unsupported, reserved_nonzero.
  static constexpr result<csr> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY(detail::open_reserved(r, message_code, n));
    csr c;
    const std::size_t len = r.u16le();
    r.reserved(2);
    c.csr_der = r.bytes(len);
    PMCI_TRY(detail::finish(r));
    return c;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (!detail::fits_u16(csr_der)) return errc::out_of_range;
    PMCI_TRY(detail::begin(w, message_code, n));
    w.u16le(static_cast<std::uint16_t>(csr_der.size())).zeros(2).bytes(csr_der);
    return detail::done(w);
  }
};

struct set_certificate {
  static constexpr code message_code = code::set_certificate;
  std::uint8_t slot_id = 0;                  ///< 0-7
  cert_model model = cert_model::none;       ///< 1.3 SetCertModel
  bool erase = false;                        ///< 1.3: erase the slot; no chain follows
  std::uint8_t key_pair_id = 0;              ///< 1.3 (Param2)
  bytes_view cert_chain{};                   ///< whole SPDM certificate chain (spdm.md §6.1)

  /// Errors: truncated (also: chain shorter than its header and root hash, or its Length past
  /// the end), trailing_data (bytes after the chain's Length, or any when erasing),
  /// version_mismatch, unsupported (version < 1.2), invalid_state (no hash), reserved_nonzero (1.3
  /// fields at 1.2), invalid_field (SlotID > 7, SetCertModel > 3).
  static constexpr result<set_certificate> decode(bytes_view m, const negotiated& n) noexcept {
    if (n.h() == 0) return errc::invalid_state;
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    set_certificate s;
    s.slot_id = h.param1 & 0x0F;
    s.model = static_cast<cert_model>((h.param1 >> 4) & 0x07);
    s.erase = (h.param1 & 0x80) != 0;
    s.key_pair_id = h.param2;
    if (n.ver < v1_3 && ((h.param1 & 0xF0) != 0 || h.param2 != 0)) return errc::reserved_nonzero;
    s.cert_chain = r.rest();
    if (s.erase) {
      if (!s.cert_chain.empty()) return errc::trailing_data;
    } else {
      PMCI_TRY(check_chain(s.cert_chain, n));
    }
    if (s.slot_id > 7 || static_cast<std::uint8_t>(s.model) > 3) return errc::invalid_field;
    return s;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (n.h() == 0) return errc::invalid_state;
    const auto m = static_cast<std::uint8_t>(model);
    if (slot_id > 7 || m > 3 || (n.ver < v1_3 && (m != 0 || erase || key_pair_id != 0)) ||
        (erase && !cert_chain.empty()))
      return errc::invalid_field;
    if (!erase) PMCI_TRY(check_chain(cert_chain, n));
    PMCI_TRY(detail::begin(w, message_code, n, static_cast<std::uint8_t>(slot_id | m << 4 | (erase ? 0x80 : 0)), key_pair_id));
    w.bytes(cert_chain);
    return detail::done(w);
  }

  /// The chain's own header (1.0-1.3: Length(2), Reserved(2), RootHash(H)) against its size.
  static constexpr result<void> check_chain(bytes_view chain, const negotiated& n) noexcept {
    if (chain.size() < 4 + n.h()) return errc::truncated;
    const std::size_t len = load_u16le(chain);
    if (len > chain.size()) return errc::truncated;
    if (len < chain.size()) return errc::trailing_data;
    return ok();
  }
};

struct set_certificate_rsp {
  static constexpr code message_code = code::set_certificate_rsp;
  std::uint8_t slot_id = 0;

  /// Errors: truncated, trailing_data, version_mismatch, unsupported, reserved_nonzero (Param1
  /// bits 7:4, Param2), invalid_field (SlotID > 7).
  static constexpr result<set_certificate_rsp> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    PMCI_TRY(detail::finish(r));
    if ((h.param1 & 0xF0) != 0 || h.param2 != 0) return errc::reserved_nonzero;
    if (h.param1 > 7) return errc::invalid_field;
    return set_certificate_rsp{h.param1};
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (slot_id > 7) return errc::invalid_field;
    PMCI_TRY(detail::begin(w, message_code, n, slot_id, 0));
    return detail::done(w);
  }
};

}  // namespace pmci::spdm
