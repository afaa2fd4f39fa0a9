// SPDX-License-Identifier: Apache-2.0
// GET_CAPABILITIES (0xE1) / CAPABILITIES (0x61), DSP0274 (spdm.md §4, §4.1).
//
//   offset 0  header          Param1 (1.3): bit 0 = supported algorithms requested / present
//          4  Reserved(1)     -- 1.1+ --
//          5  CTExponent(1)
//          6  Reserved(2)
//          8  Flags(4)
//         12  DataTransferSize(4)   -- 1.2+ --
//         16  MaxSPDMmsgSize(4)
//         20  (CAPABILITIES 1.3, Param1 bit 0) supported-algorithms block:
//             Param1 = #AlgStructs | Param2 | Length(2) | then as NEGOTIATE_ALGORITHMS from
//             MeasurementSpecification on (Length counts from the block's Param1)
//
//   size:  GET_CAPABILITIES 4 (1.0), 12 (1.1), 20 (1.2+); CAPABILITIES 12 (1.0/1.1), 20 (1.2+).
//
// These two messages establish the version, so they keep their own `ver` (taken from the header;
// the negotiated n.ver is not consulted) and decode() only checks structure. The consistency rules
// of the flags live in validate(), which the engines call: a requester on a received
// CAPABILITIES, a responder on GET_CAPABILITIES.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/algorithms.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

/// Flag bits DSP0274 defines at version v (spdm.md §4.1 "since" columns). Engines may mask a
/// peer's flags with these, as libspdm does; decode() keeps flags raw.
constexpr rsp_cap defined_flags(rsp_cap, version v) noexcept {
  if (v == version::v1_0) return static_cast<rsp_cap>(0x0000003Fu);
  if (v == version::v1_1) return static_cast<rsp_cap>(0x0001FFFFu);
  if (v == version::v1_2) return static_cast<rsp_cap>(0x003FFFFFu);
  return static_cast<rsp_cap>(0x3FFFFFFFu);
}
constexpr req_cap defined_flags(req_cap, version v) noexcept {
  if (v == version::v1_0) return req_cap::none;
  if (v == version::v1_1) return static_cast<req_cap>(0x0001FFC6u);
  if (v == version::v1_2) return static_cast<req_cap>(0x0003FFC6u);
  return static_cast<req_cap>(0x0EC3FFC6u);
}

/// DSP0274 name of capability flag bit `bit` (0-31), for either side; the multi-bit fields are named
/// once, at their low bit, with their value ("MEAS_CAP=SIG"). nullptr for the high bit of a
/// multi-bit field and for bits with no name (spdm.md §4.1).
constexpr const char* cap_flag_name(unsigned bit, std::uint32_t flags) noexcept {
  const auto field = (flags >> bit) & 3u;
  switch (bit) {
    case 0: return "CACHE_CAP";
    case 1: return "CERT_CAP";
    case 2: return "CHAL_CAP";
    case 3: return field == 1 ? "MEAS_CAP=NO_SIG" : field == 2 ? "MEAS_CAP=SIG" : "MEAS_CAP=ILLEGAL";
    case 5: return "MEAS_FRESH_CAP";
    case 6: return "ENCRYPT_CAP";
    case 7: return "MAC_CAP";
    case 8: return "MUT_AUTH_CAP";
    case 9: return "KEY_EX_CAP";
    case 10: return field == 1 ? "PSK_CAP" : field == 2 ? "PSK_CAP=WITH_CONTEXT" : "PSK_CAP=ILLEGAL";
    case 12: return "ENCAP_CAP";
    case 13: return "HBEAT_CAP";
    case 14: return "KEY_UPD_CAP";
    case 15: return "HANDSHAKE_IN_THE_CLEAR_CAP";
    case 16: return "PUB_KEY_ID_CAP";
    case 17: return "CHUNK_CAP";
    case 18: return "ALIAS_CERT_CAP";
    case 19: return "SET_CERT_CAP";
    case 20: return "CSR_CAP";
    case 21: return "CERT_INSTALL_RESET_CAP";
    case 22: return field == 1 ? "EP_INFO_CAP=NO_SIG" : field == 2 ? "EP_INFO_CAP=SIG" : "EP_INFO_CAP=ILLEGAL";
    case 24: return "MEL_CAP";
    case 25: return "EVENT_CAP";
    case 26: return field == 1 ? "MULTI_KEY_CAP=ONLY" : field == 2 ? "MULTI_KEY_CAP=NEGOTIATED" : "MULTI_KEY_CAP=ILLEGAL";
    case 28: return "GET_KEY_PAIR_INFO_CAP";
    case 29: return "SET_KEY_PAIR_INFO_CAP";
    case 30: return "SET_KEY_PAIR_RESET_CAP";
    case 31: return "LARGE_RESP_CAP";
    default: return nullptr;
  }
}
/// Calls out(name) for every flag set in `flags` (multi-bit fields once, with their value) and
/// out_bit(n) for a set bit that has no name.
template <class Name, class Bit>
constexpr void for_each_flag(std::uint32_t flags, Name&& out, Bit&& out_bit) {
  constexpr std::uint32_t two_bit_fields = (1u << 3) | (1u << 10) | (1u << 22) | (1u << 26);
  for (unsigned bit = 0; bit < 32; ++bit) {
    const bool field = (two_bit_fields >> bit) & 1u;
    if (field ? ((flags >> bit) & 3u) == 0 : ((flags >> bit) & 1u) == 0) continue;
    if (const char* n = cap_flag_name(bit, flags)) out(n);
    else out_bit(bit);
    if (field) ++bit;
  }
}

namespace detail {
/// One consistency rule of a responder's flags (spdm.md §4.1, after libspdm's
/// validate_responder_capability): when any flag of `when` is set, one of `need` must be set too
/// (with `conflict`: none of `need` may be). `versions`: the rule_at_* classes it applies at.
struct rsp_cap_rule {
  rsp_cap when;
  rsp_cap need;
  bool conflict;
  std::uint8_t versions;
};
inline constexpr std::uint8_t rule_at_10 = 1, rule_at_11 = 2, rule_at_12 = 4, rule_at_13 = 8;
/// Version bytes below 1.0 (no SPDM version; validate() has always treated them as 1.1 without
/// its 1.1-only rule).
inline constexpr std::uint8_t rule_below_10 = 16;
inline constexpr std::uint8_t rule_from_11 = rule_at_11 | rule_at_12 | rule_at_13 | rule_below_10;
inline constexpr std::uint8_t rule_from_12 = rule_at_12 | rule_at_13;
/// The rules as pairs of masks, one table for every version (issue 9 footprint: ~25 entries
/// instead of a compare chain). Read with the 2-bit fields' value 11b (reserved) rejected by
/// their own rule, so that the high bit alone stands for MEAS_CAP=10b (signed measurements) and
/// EP_INFO_CAP=10b (signed): a flags value with 11b fails whatever the other rules say.
/// tests/spdm/cap_rules_test.cpp holds validate() to the rules as DSP0274 states them.
inline constexpr rsp_cap_rule rsp_cap_rules[] = {
    // MEAS_CAP 11b is reserved; MEAS_FRESH_CAP needs MEAS_CAP.
    {rsp_cap::meas_no_sig, rsp_cap::meas_sig, true, 0x1F},
    {rsp_cap::meas_fresh, rsp_cap::meas_mask, false, 0x1F},
    // 1.0: signed measurements need CERT_CAP; otherwise CERT_CAP == CHAL_CAP.
    {rsp_cap::meas_sig, rsp_cap::cert, false, rule_at_10},
    {rsp_cap::cert, rsp_cap::chal | rsp_cap::meas_sig, false, rule_at_10},
    {rsp_cap::chal, rsp_cap::cert | rsp_cap::meas_sig, false, rule_at_10},
    // 1.1+: PSK_CAP 11b reserved; KEY_EX_CAP / PSK_CAP need ENCRYPT_CAP or MAC_CAP, which (and
    // HBEAT_CAP, KEY_UPD_CAP, 1.3 EVENT_CAP) need KEY_EX_CAP or PSK_CAP;
    // HANDSHAKE_IN_THE_CLEAR_CAP needs KEY_EX_CAP.
    {rsp_cap::psk, rsp_cap::psk_with_context, true, rule_from_11},
    {rsp_cap::key_ex | rsp_cap::psk_mask, rsp_cap::mac | rsp_cap::encrypt, false, rule_from_11},
    {rsp_cap::mac | rsp_cap::encrypt | rsp_cap::hbeat | rsp_cap::key_upd, rsp_cap::key_ex | rsp_cap::psk_mask, false,
     rule_from_11},
    {rsp_cap::event, rsp_cap::key_ex | rsp_cap::psk_mask, false, rule_at_13},
    {rsp_cap::handshake_in_the_clear, rsp_cap::key_ex, false, rule_from_11},
    // CERT_CAP and PUB_KEY_ID_CAP exclude each other; a key is used by CHAL_CAP, KEY_EX_CAP,
    // signed measurements or (1.3) signed EP_INFO, and those (and MUT_AUTH_CAP) need a key.
    {rsp_cap::cert, rsp_cap::pub_key_id, true, rule_from_11},
    {rsp_cap::cert | rsp_cap::pub_key_id, rsp_cap::chal | rsp_cap::key_ex | rsp_cap::meas_sig, false,
     rule_at_11 | rule_at_12 | rule_below_10},
    {rsp_cap::cert | rsp_cap::pub_key_id, rsp_cap::chal | rsp_cap::key_ex | rsp_cap::meas_sig | rsp_cap::ep_info_sig,
     false, rule_at_13},
    {rsp_cap::chal | rsp_cap::key_ex | rsp_cap::meas_sig | rsp_cap::mut_auth, rsp_cap::cert | rsp_cap::pub_key_id,
     false, rule_from_11},
    {rsp_cap::ep_info_sig, rsp_cap::cert | rsp_cap::pub_key_id, false, rule_at_13},
    // MUT_AUTH_CAP needs KEY_EX_CAP or CHAL_CAP, and at 1.1 ENCAP_CAP.
    {rsp_cap::mut_auth, rsp_cap::key_ex | rsp_cap::chal, false, rule_from_11},
    {rsp_cap::mut_auth, rsp_cap::encap, false, rule_at_11},
    // 1.2+: ALIAS_CERT_CAP and SET_CERT_CAP need CERT_CAP; CSR_CAP needs SET_CERT_CAP;
    // CERT_INSTALL_RESET_CAP needs CSR_CAP or SET_CERT_CAP.
    {rsp_cap::alias_cert | rsp_cap::set_cert, rsp_cap::cert, false, rule_from_12},
    {rsp_cap::csr, rsp_cap::set_cert, false, rule_from_12},
    {rsp_cap::cert_install_reset, rsp_cap::csr | rsp_cap::set_cert, false, rule_from_12},
    // 1.3: EP_INFO_CAP and MULTI_KEY_CAP 11b reserved; MULTI_KEY_CAP needs GET_KEY_PAIR_INFO_CAP
    // and CERT_CAP; PUB_KEY_ID_CAP excludes MULTI_KEY_CAP and the key-pair-info flags.
    {rsp_cap::ep_info_no_sig, rsp_cap::ep_info_sig, true, rule_at_13},
    {rsp_cap::multi_key_only, rsp_cap::multi_key_negotiated, true, rule_at_13},
    {rsp_cap::multi_key_mask, rsp_cap::get_key_pair_info, false, rule_at_13},
    {rsp_cap::multi_key_mask, rsp_cap::cert, false, rule_at_13},
    {rsp_cap::pub_key_id, rsp_cap::multi_key_mask | rsp_cap::get_key_pair_info | rsp_cap::set_key_pair_info, true,
     rule_at_13},
};
/// The table's columns as flat arrays (no padding; the rule list itself stays compile-time).
template <auto Column>
inline constexpr auto rsp_cap_rule_column = [] {
  std::array<decltype(Column(rsp_cap_rules[0])), std::size(rsp_cap_rules)> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = Column(rsp_cap_rules[i]);
  return a;
}();
inline constexpr auto rsp_cap_rule_when = rsp_cap_rule_column<[](const rsp_cap_rule& r) { return raw(r.when); }>;
inline constexpr auto rsp_cap_rule_need = rsp_cap_rule_column<[](const rsp_cap_rule& r) { return raw(r.need); }>;
// versions, and bit 7 = conflict.
inline constexpr auto rsp_cap_rule_flags = rsp_cap_rule_column<[](const rsp_cap_rule& r) {
  return static_cast<std::uint8_t>(r.versions | (r.conflict ? 0x80 : 0));
}>;
}  // namespace detail

/// The consistency rules a requester applies to a responder's flags (spdm.md §4.1, after
/// libspdm's validate_responder_capability; detail::rsp_cap_rules). errc::invalid_field when one
/// is broken.
constexpr result<void> validate(rsp_cap f, version v) noexcept {
  const std::uint8_t b = to_byte(v);
  const unsigned at = b < 0x10 ? 4u : b >= 0x13 ? 3u : b - 0x10u;
  const std::uint32_t x = raw(f);
  for (std::size_t i = 0; i < detail::rsp_cap_rule_flags.size(); ++i) {
    const std::uint8_t fl = detail::rsp_cap_rule_flags[i];
    if (((fl >> at) & 1u) == 0 || (x & detail::rsp_cap_rule_when[i]) == 0) continue;
    if (((x & detail::rsp_cap_rule_need[i]) != 0) == ((fl & 0x80u) != 0)) return errc::invalid_field;
  }
  return ok();
}

/// The rules a responder applies to a requester's flags (libspdm's
/// libspdm_check_request_flag_compatibility; spdm.md §4.1 lists the responder side, the
/// requester side mirrors it without the measurement/certificate-provisioning bits). At 1.3 a
/// signed EP_INFO_CAP also counts as a use of the certificate key (libspdm's code rejects it in
/// that case; the comment there says it should count). errc::invalid_field when one is broken.
constexpr result<void> validate(req_cap f, version v) noexcept {
  if (v == version::v1_0) return ok();  // 1.0 requests carry no flags
  const auto on = [f](req_cap b) { return has(f, b); };
  const auto psk = f & req_cap::psk_mask, ep = f & req_cap::ep_info_mask, mk = f & req_cap::multi_key_mask;
  const bool key_ex = on(req_cap::key_ex), any_psk = psk != req_cap::none;
  const bool ep_sig = v >= version::v1_3 && ep == req_cap::ep_info_sig;
  bool good = psk == req_cap::none || psk == req_cap::psk;  // PSK_CAP 10/11 reserved for requesters
  if (key_ex || any_psk)
    good = good && (on(req_cap::mac) || on(req_cap::encrypt));
  else
    good = good && !any(f, req_cap::mac | req_cap::encrypt | req_cap::handshake_in_the_clear | req_cap::hbeat |
                               req_cap::key_upd) && !(v >= version::v1_3 && on(req_cap::event));
  if (!key_ex && any_psk) good = good && !on(req_cap::handshake_in_the_clear);
  if (on(req_cap::cert) || on(req_cap::pub_key_id))
    good = good && !(on(req_cap::cert) && on(req_cap::pub_key_id)) && (on(req_cap::chal) || key_ex || ep_sig);
  else
    good = good && !on(req_cap::chal) && !on(req_cap::mut_auth) && !ep_sig;
  if (on(req_cap::mut_auth)) good = good && (key_ex || on(req_cap::chal));
  if (v == version::v1_1) good = good && (!on(req_cap::mut_auth) || on(req_cap::encap));
  if (v >= version::v1_3)
    good = good && ep != req_cap::ep_info_mask && mk != req_cap::multi_key_mask &&
           !(mk != req_cap::none && on(req_cap::pub_key_id));
  return good ? result<void>{} : errc::invalid_field;
}

namespace detail {
constexpr std::size_t capabilities_size(version v, bool request) noexcept {
  return v >= version::v1_2 ? 20 : v == version::v1_1 || !request ? 12 : 4;
}
// Common layout after the header. Reads CTExponent, Flags and (1.2+) the two sizes.
template <class T, class Flags>
constexpr void read_caps_body(reader& r, T& m) noexcept {
  if (m.ver == version::v1_0 && T::message_code == code::get_capabilities) return;
  r.reserved(1);
  m.ct_exponent = r.u8();
  r.reserved(2);  // 1.4: ExtFlags
  m.flags = static_cast<Flags>(r.u32le());
  if (m.ver >= version::v1_2) {
    m.data_transfer_size = r.u32le();
    m.max_spdm_msg_size = r.u32le();
  }
}
template <class T>
constexpr void write_caps_body(writer& w, const T& m) noexcept {
  if (m.ver == version::v1_0 && T::message_code == code::get_capabilities) return;
  w.u8(0).u8(m.ct_exponent).zeros(2).u32le(raw(m.flags));
  if (m.ver >= version::v1_2) w.u32le(m.data_transfer_size).u32le(m.max_spdm_msg_size);
}
// DataTransferSize rules (spdm.md §4; libspdm): at least 42 and at most MaxSPDMmsgSize; equal to it
// without CHUNK_CAP.
constexpr bool transfer_sizes_valid(std::uint32_t dts, std::uint32_t max, bool chunk) noexcept {
  return dts >= 42 && dts <= max && (chunk || dts == max);
}
}  // namespace detail

/// GET_CAPABILITIES. decode() returns truncated, trailing_data, invalid_field (not
/// GET_CAPABILITIES), unsupported (unknown version byte), reserved_nonzero.
struct get_capabilities {
  static constexpr code message_code = code::get_capabilities;
  static constexpr std::size_t size(version v) noexcept { return detail::capabilities_size(v, true); }

  version ver = version::v1_0;    // SPDMVersion of the message: the version being negotiated
  bool supported_algorithms_requested = false;  // Param1 bit 0 (1.3)
  std::uint8_t ct_exponent = 0;   // 1.1+: CT = 2^CTExponent µs
  req_cap flags = req_cap::none;  // 1.1+
  std::uint32_t data_transfer_size = 0;  // 1.2+
  std::uint32_t max_spdm_msg_size = 0;   // 1.2+

  /// n is not used: this message fixes the version (spdm.md §1).
  static constexpr result<get_capabilities> decode(bytes_view message, const negotiated& = {}) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code));
    get_capabilities m;
    m.ver = static_cast<version>(h.version);
    m.supported_algorithms_requested = m.ver >= version::v1_3 && (h.param1 & 1);
    if (h.param2 != 0 || (h.param1 & ~(m.ver >= version::v1_3 ? 1 : 0)) != 0) return errc::reserved_nonzero;
    detail::read_caps_body<get_capabilities, req_cap>(r, m);
    PMCI_TRY(r.finish());
    return m;
  }
  constexpr result<void> encode(writer& w, const negotiated& = {}) const noexcept {
    if (!is_known(to_byte(ver)) || (supported_algorithms_requested && ver < version::v1_3)) return errc::invalid_field;
    header{to_byte(ver), message_code, static_cast<std::uint8_t>(supported_algorithms_requested), 0}.encode(w);
    detail::write_caps_body(w, *this);
    return w.status();
  }
  /// Flag consistency (validate(req_cap, ver)) and, at 1.2+, the DataTransferSize rules.
  constexpr result<void> validate() const noexcept {
    PMCI_TRY(spdm::validate(flags, ver));
    if (ver >= version::v1_2 &&
        !detail::transfer_sizes_valid(data_transfer_size, max_spdm_msg_size, has(flags, req_cap::chunk)))
      return errc::invalid_field;
    return ok();
  }
};

/// The 1.3 supported-algorithms block of CAPABILITIES (what the responder could select).
struct supported_algorithms {
  static constexpr std::size_t fixed_size = 30;
  std::uint16_t length = 0;  // as received; encode() computes it
  meas_spec measurement_spec = meas_spec::none;
  std::uint8_t other_params_support = 0;
  base_asym asym = base_asym::none;
  base_hash hash = base_hash::none;
  meas_spec mel_spec = meas_spec::none;
  ext_alg_list ext_asym{};
  ext_alg_list ext_hash{};
  alg_struct_table structs{};
  constexpr std::size_t size() const noexcept { return detail::offer_size(*this, fixed_size); }
};

/// CAPABILITIES. decode() returns truncated (also: block Length past the end), trailing_data,
/// invalid_field, unsupported, reserved_nonzero, out_of_range (block with too many entries).
struct capabilities {
  static constexpr code message_code = code::capabilities;
  static constexpr std::size_t size(version v) noexcept { return detail::capabilities_size(v, false); }
  static constexpr std::size_t max_block_ext_algs = 0x14;

  version ver = version::v1_0;
  std::uint8_t ct_exponent = 0;
  rsp_cap flags = rsp_cap::none;
  std::uint32_t data_transfer_size = 0;  // 1.2+
  std::uint32_t max_spdm_msg_size = 0;   // 1.2+
  bool has_supported_algorithms = false;  // Param1 bit 0 (1.3)
  supported_algorithms algs{};            // valid when has_supported_algorithms

  static constexpr result<capabilities> decode(bytes_view message, const negotiated& = {}) noexcept {
    capabilities m;
    PMCI_TRY(decode_as<true>(message, m));
    return m;
  }
  /// decode() for a requester that never sets Param1 bit 0 of GET_CAPABILITIES, into the caller's
  /// `m` (default-constructed on entry; unspecified after an error; no result<capabilities> to
  /// build and copy): a 1.3 response carrying the supported-algorithms block is refused with
  /// errc::invalid_field (DSP0274 sends the block only when asked, spdm.md §4), and the block's
  /// decoder is not instantiated.
  static constexpr result<void> decode_without_algorithms(bytes_view message, capabilities& m) noexcept {
    return decode_as<false>(message, m);
  }
  /// decode_without_algorithms() for a requester whose dispatch has already checked the header
  /// (at least header::size bytes, code CAPABILITIES, a SPDMVersion pmci knows): the remaining
  /// checks, in the reader's order and with its errc, and the same fields, without a reader
  /// (issue 9 footprint). Held to decode() by tests/spdm_engines/lean_decode_test.cpp.
  static constexpr result<void> read_checked(bytes_view message, capabilities& m) noexcept {
    const std::byte* const p = message.data();
    const auto b = [p](std::size_t i) { return std::to_integer<std::uint8_t>(p[i]); };
    m.ver = static_cast<version>(b(0));
    const bool v13 = m.ver >= version::v1_3;
    // Param1 bit 0 (1.3) asks for the supported-algorithms block, which decode_without_algorithms()
    // refuses whatever the body holds, after the reserved bits.
    if (b(3) != 0 || (b(2) & ~(v13 ? 1 : 0)) != 0) return errc::reserved_nonzero;
    if (b(2) != 0) return errc::invalid_field;
    // The reader's first error: Reserved at 4, CTExponent, Reserved(2) at 6, then the rest.
    const std::size_t got = message.size(), end = size(m.ver);
    if (got < 5) return errc::truncated;
    if (b(4) != 0) return errc::reserved_nonzero;
    if (got < 8) return errc::truncated;
    if ((b(6) | b(7)) != 0) return errc::reserved_nonzero;
    if (got < end) return errc::truncated;
    m.ct_exponent = b(5);
    m.flags = static_cast<rsp_cap>(pmci::detail::load_le<std::uint32_t, 4>(p + 8));
    if (m.ver >= version::v1_2) {
      m.data_transfer_size = pmci::detail::load_le<std::uint32_t, 4>(p + 12);
      m.max_spdm_msg_size = pmci::detail::load_le<std::uint32_t, 4>(p + 16);
    }
    if (got != end) return errc::trailing_data;
    return ok();
  }
  constexpr result<void> encode(writer& w, const negotiated& = {}) const noexcept {
    if (!is_known(to_byte(ver)) || (has_supported_algorithms && ver < version::v1_3)) return errc::invalid_field;
    header{to_byte(ver), message_code, static_cast<std::uint8_t>(has_supported_algorithms), 0}.encode(w);
    detail::write_caps_body(w, *this);
    if (has_supported_algorithms) {
      w.u8(algs.structs.count).u8(0);
      PMCI_TRY(detail::write_offer(w, algs, ver, algs.size(), 0xFFFF, max_block_ext_algs));
    }
    return w.status();
  }
  constexpr result<void> validate() const noexcept {
    PMCI_TRY(spdm::validate(flags, ver));
    if (ver >= version::v1_2 &&
        !detail::transfer_sizes_valid(data_transfer_size, max_spdm_msg_size, has(flags, rsp_cap::chunk)))
      return errc::invalid_field;
    return ok();
  }

 private:
  template <bool WithAlgorithms>
  static constexpr result<void> decode_as(bytes_view message, capabilities& m) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code));
    m.ver = static_cast<version>(h.version);
    m.has_supported_algorithms = m.ver >= version::v1_3 && (h.param1 & 1);
    if (h.param2 != 0 || (h.param1 & ~(m.ver >= version::v1_3 ? 1 : 0)) != 0) return errc::reserved_nonzero;
    detail::read_caps_body<capabilities, rsp_cap>(r, m);
    if (m.has_supported_algorithms) {
      if constexpr (WithAlgorithms) {
        const std::size_t start = r.position();
        const std::size_t n_structs = r.u8();
        r.reserved(1);
        PMCI_TRY(detail::read_offer(r, m.algs, m.ver, n_structs, start, 0xFFFF, max_block_ext_algs));
      } else {
        return errc::invalid_field;
      }
    }
    return r.finish();
  }
};

/// Record what GET_CAPABILITIES / CAPABILITIES fix in n: the version (the first request after
/// VERSION carries it, spdm.md §1) and each side's flags.
constexpr void update(negotiated& n, const get_capabilities& m) noexcept {
  n.ver = m.ver;
  n.req_caps = m.flags;
}
constexpr void update(negotiated& n, const capabilities& m) noexcept {
  n.ver = m.ver;
  n.rsp_caps = m.flags;
}

}  // namespace pmci::spdm
