// SPDX-License-Identifier: Apache-2.0
// Key pairs, SPDM 1.3 (spdm.md §12):
//
// GET_KEY_PAIR_INFO (0xFC)      hdr(reserved) | KeyPairID(1)
// KEY_PAIR_INFO (0x7C)          hdr(reserved) | TotalKeyPairs(1) | KeyPairID(1) | Capabilities(2) |
//                               KeyUsageCapabilities(2) | CurrentKeyUsage(2) |
//                               AsymAlgoCapabilities(4) | CurrentAsymAlgo(4) |
//                               PublicKeyInfoLen(2) | AssocCertSlotMask(1) | PublicKeyInfo
// SET_KEY_PAIR_INFO (0xFD)      hdr(P1 Operation 0 change / 1 erase / 2 generate, P2 reserved) |
//                               KeyPairID(1) | [Reserved(1) | DesiredKeyUsage(2) |
//                               DesiredAsymAlgo(4) | DesiredAssocCertSlotMask(1)]
// SET_KEY_PAIR_INFO_ACK (0x7D)  hdr(reserved)
//
// KeyPairIDs start at 1. For erase the bracketed fields may be left out (libspdm sends the 5-byte
// form and reads them only for the other operations); `desired_fields_present` records which
// form was used so that re-encoding is exact. Reserved bits of the bitmasks must be zero.
#pragma once
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/detail/message_codec.hpp"
#include "pmci/spdm/digests.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

/// KEY_PAIR_INFO Capabilities bits.
namespace key_pair_cap {
inline constexpr std::uint16_t gen_key = 1u << 0, erasable = 1u << 1, cert_assoc = 1u << 2, key_usage = 1u << 3,
                               asym_algo = 1u << 4, shareable = 1u << 5, mask = 0x003F;
}
/// Key-pair asymmetric algorithm bits (not the BaseAsymAlgo encoding).
namespace key_pair_asym {
inline constexpr std::uint32_t rsa2048 = 1u << 0, rsa3072 = 1u << 1, rsa4096 = 1u << 2, ecc256 = 1u << 3,
                               ecc384 = 1u << 4, ecc521 = 1u << 5, sm2 = 1u << 6, ed25519 = 1u << 7, ed448 = 1u << 8,
                               mask = 0x01FF;
}

struct get_key_pair_info {
  static constexpr code message_code = code::get_key_pair_info;
  std::uint8_t key_pair_id = 1;

  /// Errors: truncated, trailing_data, version_mismatch, unsupported (version < 1.3),
  /// reserved_nonzero (params), invalid_field (KeyPairID 0).
  static constexpr result<get_key_pair_info> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY(detail::open_reserved(r, message_code, n));
    get_key_pair_info g;
    g.key_pair_id = r.u8();
    PMCI_TRY(detail::finish(r));
    if (g.key_pair_id == 0) return errc::invalid_field;
    return g;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (key_pair_id == 0) return errc::invalid_field;
    PMCI_TRY(detail::begin(w, message_code, n));
    w.u8(key_pair_id);
    return detail::done(w);
  }
};

struct key_pair_info {
  static constexpr code message_code = code::key_pair_info;
  std::uint8_t total_key_pairs = 0;
  std::uint8_t key_pair_id = 0;
  std::uint16_t capabilities = 0;            ///< key_pair_cap bits
  key_usage key_usage_capabilities = key_usage::none;  ///< digests.hpp key_usage bits
  key_usage current_key_usage = key_usage::none;
  std::uint32_t asym_algo_capabilities = 0;  ///< key_pair_asym bits
  std::uint32_t current_asym_algo = 0;
  std::uint8_t assoc_cert_slot_mask = 0;
  bytes_view public_key_info{};              ///< DER SubjectPublicKeyInfo-like (AlgorithmIdentifier + key)

  /// Errors: truncated, trailing_data, version_mismatch, unsupported, reserved_nonzero (params,
  /// reserved bits of the bitmasks), invalid_field (KeyPairID 0 or > TotalKeyPairs).
  static constexpr result<key_pair_info> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY(detail::open_reserved(r, message_code, n));
    key_pair_info k;
    k.total_key_pairs = r.u8();
    k.key_pair_id = r.u8();
    k.capabilities = r.u16le();
    k.key_usage_capabilities = static_cast<key_usage>(r.u16le());
    k.current_key_usage = static_cast<key_usage>(r.u16le());
    k.asym_algo_capabilities = r.u32le();
    k.current_asym_algo = r.u32le();
    const std::size_t len = r.u16le();
    k.assoc_cert_slot_mask = r.u8();
    k.public_key_info = r.bytes(len);
    PMCI_TRY(detail::finish(r));
    if (!k.reserved_clear()) return errc::reserved_nonzero;
    if (!k.id_valid()) return errc::invalid_field;
    return k;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (!reserved_clear() || !id_valid()) return errc::invalid_field;
    if (!detail::fits_u16(public_key_info)) return errc::out_of_range;
    PMCI_TRY(detail::begin(w, message_code, n));
    w.u8(total_key_pairs).u8(key_pair_id).u16le(capabilities).u16le(raw(key_usage_capabilities)).u16le(raw(current_key_usage));
    w.u32le(asym_algo_capabilities).u32le(current_asym_algo).u16le(static_cast<std::uint16_t>(public_key_info.size()));
    w.u8(assoc_cert_slot_mask).bytes(public_key_info);
    return detail::done(w);
  }

 private:
  constexpr bool reserved_clear() const noexcept {
    return (capabilities & ~key_pair_cap::mask) == 0 && (raw(key_usage_capabilities | current_key_usage) & ~key_usage_defined) == 0 &&
           ((asym_algo_capabilities | current_asym_algo) & ~key_pair_asym::mask) == 0;
  }
  constexpr bool id_valid() const noexcept { return key_pair_id != 0 && key_pair_id <= total_key_pairs; }
};

enum class key_pair_operation : std::uint8_t { change = 0, erase = 1, generate = 2 };

struct set_key_pair_info {
  static constexpr code message_code = code::set_key_pair_info;
  key_pair_operation operation = key_pair_operation::change;  ///< Param1
  std::uint8_t key_pair_id = 1;
  bool desired_fields_present = true;  ///< false only for the short erase form
  key_usage desired_key_usage = key_usage::none;
  std::uint32_t desired_asym_algo = 0;
  std::uint8_t desired_assoc_cert_slot_mask = 0;

  /// Errors: truncated, trailing_data, version_mismatch, unsupported, reserved_nonzero (Param2,
  /// Reserved(1), reserved bitmask bits), invalid_field (Operation > 2, KeyPairID 0).
  static constexpr result<set_key_pair_info> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY_ASSIGN(const header h, detail::open(r, message_code, n));
    set_key_pair_info s;
    s.operation = static_cast<key_pair_operation>(h.param1);
    s.key_pair_id = r.u8();
    s.desired_fields_present = !(h.param1 == 1 && r.ok() && r.empty());
    if (s.desired_fields_present) {
      r.reserved(1);
      s.desired_key_usage = static_cast<key_usage>(r.u16le());
      s.desired_asym_algo = r.u32le();
      s.desired_assoc_cert_slot_mask = r.u8();
    }
    PMCI_TRY(detail::finish(r));
    if (h.param2 != 0 || (raw(s.desired_key_usage) & ~key_usage_defined) != 0 || (s.desired_asym_algo & ~key_pair_asym::mask) != 0)
      return errc::reserved_nonzero;
    if (h.param1 > 2 || s.key_pair_id == 0) return errc::invalid_field;
    return s;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    const auto op = static_cast<std::uint8_t>(operation);
    if (op > 2 || key_pair_id == 0 || (!desired_fields_present && operation != key_pair_operation::erase) ||
        (raw(desired_key_usage) & ~key_usage_defined) != 0 || (desired_asym_algo & ~key_pair_asym::mask) != 0)
      return errc::invalid_field;
    PMCI_TRY(detail::begin(w, message_code, n, op, 0));
    w.u8(key_pair_id);
    if (desired_fields_present) w.u8(0).u16le(raw(desired_key_usage)).u32le(desired_asym_algo).u8(desired_assoc_cert_slot_mask);
    return detail::done(w);
  }
};

using set_key_pair_info_ack = detail::header_only<code::set_key_pair_info_ack>;

}  // namespace pmci::spdm
