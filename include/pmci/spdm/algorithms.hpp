// SPDX-License-Identifier: Apache-2.0
// NEGOTIATE_ALGORITHMS (0xE3) / ALGORITHMS (0x63), DSP0274 (spdm.md §5), and the parts they share
// with the 1.3 CAPABILITIES "supported algorithms" block (spdm.md §4).
//
//   NEGOTIATE_ALGORITHMS (32 + ...):
//   | hdr: Param1 = #AlgStructs (1.1+) | Length(2) | MeasSpec(1) | OtherParamsSupport(1) |
//   | BaseAsymAlgo(4) | BaseHashAlgo(4) | Reserved(12) | ExtAsymCount(1) | ExtHashCount(1) |
//   | Reserved(1) | MELSpecification(1) | ExtAsym(4 x n) | ExtHash(4 x m) | AlgStructs |
//
//   ALGORITHMS (36 + ...):
//   | hdr: Param1 = #AlgStructs | Length(2) | MeasSpecSel(1) | OtherParamsSelection(1) |
//   | MeasurementHashAlgo(4) | BaseAsymSel(4) | BaseHashSel(4) | Reserved(11) | MELSpecSel(1) |
//   | ExtAsymSelCount(1) | ExtHashSelCount(1) | Reserved(2) | ExtAsymSel | ExtHashSel | AlgStructs |
//
//   AlgStruct: | AlgType(1) | AlgCount(1) = FixedAlgCount<<4 | ExtAlgCount | AlgSupported(2) |
//              | AlgExternal(4 x ExtAlgCount) |
//   Extended algorithm entry: | RegistryID(1) | Reserved(1) | AlgorithmID(2) |
//
// Bitmask fields are kept raw (unknown bits survive a round trip, as in libspdm, which masks
// rather than rejects them). Selection fields of ALGORITHMS must name at most one algorithm.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

// DSP0274 names of single algorithm bits (spdm.md §5.3, §5.4); nullptr for unnamed values.
constexpr const char* name(base_asym a) noexcept {
  switch (a) {
    case base_asym::rsassa_2048: return "RSASSA_2048";
    case base_asym::rsapss_2048: return "RSAPSS_2048";
    case base_asym::rsassa_3072: return "RSASSA_3072";
    case base_asym::rsapss_3072: return "RSAPSS_3072";
    case base_asym::ecdsa_p256: return "ECDSA_P256";
    case base_asym::rsassa_4096: return "RSASSA_4096";
    case base_asym::rsapss_4096: return "RSAPSS_4096";
    case base_asym::ecdsa_p384: return "ECDSA_P384";
    case base_asym::ecdsa_p521: return "ECDSA_P521";
    case base_asym::sm2_p256: return "SM2_P256";
    case base_asym::eddsa_ed25519: return "EdDSA_Ed25519";
    case base_asym::eddsa_ed448: return "EdDSA_Ed448";
    default: return nullptr;
  }
}
constexpr const char* name(base_hash h) noexcept {
  switch (h) {
    case base_hash::sha256: return "SHA_256";
    case base_hash::sha384: return "SHA_384";
    case base_hash::sha512: return "SHA_512";
    case base_hash::sha3_256: return "SHA3_256";
    case base_hash::sha3_384: return "SHA3_384";
    case base_hash::sha3_512: return "SHA3_512";
    case base_hash::sm3_256: return "SM3_256";
    default: return nullptr;
  }
}
constexpr const char* name(meas_hash h) noexcept {
  switch (h) {
    case meas_hash::raw_bit_stream: return "RAW_BIT_STREAM_ONLY";
    case meas_hash::sha256: return "SHA_256";
    case meas_hash::sha384: return "SHA_384";
    case meas_hash::sha512: return "SHA_512";
    case meas_hash::sha3_256: return "SHA3_256";
    case meas_hash::sha3_384: return "SHA3_384";
    case meas_hash::sha3_512: return "SHA3_512";
    case meas_hash::sm3_256: return "SM3_256";
    default: return nullptr;
  }
}
constexpr const char* name(dhe_group g) noexcept {
  switch (g) {
    case dhe_group::ffdhe2048: return "FFDHE2048";
    case dhe_group::ffdhe3072: return "FFDHE3072";
    case dhe_group::ffdhe4096: return "FFDHE4096";
    case dhe_group::secp256r1: return "SECP256R1";
    case dhe_group::secp384r1: return "SECP384R1";
    case dhe_group::secp521r1: return "SECP521R1";
    case dhe_group::sm2_p256: return "SM2_P256";
    default: return nullptr;
  }
}
constexpr const char* name(aead_suite a) noexcept {
  switch (a) {
    case aead_suite::aes_128_gcm: return "AES_128_GCM";
    case aead_suite::aes_256_gcm: return "AES_256_GCM";
    case aead_suite::chacha20_poly1305: return "CHACHA20_POLY1305";
    case aead_suite::sm4_gcm: return "SM4_GCM";
    default: return nullptr;
  }
}
constexpr const char* name(key_schedule k) noexcept { return k == key_schedule::spdm ? "SPDM" : nullptr; }
constexpr const char* name(meas_spec m) noexcept { return m == meas_spec::dmtf ? "DMTF" : nullptr; }
constexpr const char* name(alg_type t) noexcept {
  switch (t) {
    case alg_type::dhe: return "DHE";
    case alg_type::aead: return "AEADCipherSuite";
    case alg_type::req_base_asym: return "ReqBaseAsymAlg";
    case alg_type::key_schedule: return "KeySchedule";
  }
  return nullptr;
}

/// One extended algorithm entry (spdm.md §5.1).
struct ext_alg {
  std::uint8_t registry_id = 0;
  std::uint16_t algorithm_id = 0;
  friend constexpr bool operator==(const ext_alg&, const ext_alg&) = default;
};

/// A list of 4-byte extended algorithm entries, as a view.
struct ext_alg_list {
  static constexpr std::size_t entry_size = 4;
  bytes_view raw{};
  constexpr std::size_t size() const noexcept { return raw.size() / entry_size; }
  constexpr bool empty() const noexcept { return raw.empty(); }
  constexpr ext_alg operator[](std::size_t i) const noexcept {
    const auto e = raw.subspan(i * entry_size, entry_size);
    return {std::to_integer<std::uint8_t>(e[0]), load_u16le(e.subspan(2))};
  }
};

/// One AlgStruct (1.1+, spdm.md §5.4). `supported` is the AlgSupported bitmask: dhe_group,
/// aead_suite, base_asym (ReqBaseAsymAlg) or key_schedule bits depending on `type`.
struct alg_struct {
  alg_type type = alg_type::dhe;
  std::uint16_t supported = 0;
  ext_alg_list ext{};
};

/// The AlgStruct table: at most 4 entries (1.1-1.3), AlgType strictly ascending ("AlgType shall
/// monotonically increase", enforced by libspdm's responder), FixedAlgCount always 2.
struct alg_struct_table {
  static constexpr std::size_t max_structs = 4;  // a power of 2 (algorithms::read_checked)
  std::array<alg_struct, max_structs> items{};
  std::uint8_t count = 0;

  constexpr const alg_struct* begin() const noexcept { return items.data(); }
  constexpr const alg_struct* end() const noexcept { return items.data() + count; }
  constexpr const alg_struct* find(alg_type t) const noexcept {
    for (const auto& s : *this)
      if (s.type == t) return &s;
    return nullptr;
  }
  /// AlgSupported of type t, 0 when the table has no such entry.
  constexpr std::uint16_t supported(alg_type t) const noexcept {
    const auto* s = find(t);
    return s ? s->supported : 0;
  }
  constexpr dhe_group dhe() const noexcept { return static_cast<dhe_group>(supported(alg_type::dhe)); }
  constexpr aead_suite aead() const noexcept { return static_cast<aead_suite>(supported(alg_type::aead)); }
  constexpr base_asym req_base_asym() const noexcept { return static_cast<base_asym>(supported(alg_type::req_base_asym)); }
  constexpr key_schedule key_sched() const noexcept { return static_cast<key_schedule>(supported(alg_type::key_schedule)); }
  /// Sum of the AlgStructs' ExtAlgCounts.
  constexpr std::size_t ext_count() const noexcept {
    std::size_t n = 0;
    for (const auto& s : *this) n += s.ext.size();
    return n;
  }
  constexpr std::size_t wire_size() const noexcept { return 4 * count + ext_alg_list::entry_size * ext_count(); }
  /// Append an entry (builders): out_of_range when full, invalid_field when not ascending.
  constexpr result<void> add(alg_type t, std::uint16_t supported_bits, ext_alg_list ext = {}) noexcept {
    if (count == max_structs) return errc::out_of_range;
    if (count != 0 && items[count - 1].type >= t) return errc::invalid_field;
    items[count++] = {t, supported_bits, ext};
    return ok();
  }
};

namespace detail {

constexpr result<ext_alg_list> read_ext_algs(reader& r, std::size_t n) noexcept {
  const ext_alg_list l{r.bytes(n * ext_alg_list::entry_size)};
  PMCI_TRY(r.status());
  for (std::size_t i = 0; i < n; ++i)
    if (l.raw[i * ext_alg_list::entry_size + 1] != std::byte{0}) return errc::reserved_nonzero;
  return l;
}

constexpr bool known_alg_type(std::uint8_t t) noexcept { return t >= 2 && t <= 5; }

// Fills t (empty on entry) in place: a result<alg_struct_table> would carry a default table in
// every error return and copy the table on success.
constexpr result<void> read_alg_structs(reader& r, std::size_t n, alg_struct_table& t) noexcept {
  if (n > alg_struct_table::max_structs) return errc::out_of_range;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t type = r.u8();
    const std::uint8_t alg_count = r.u8();
    const std::uint16_t supported = r.u16le();
    PMCI_TRY(r.status());
    // FixedAlgCount is 2 for every DMTF-defined type (spdm.md §5.4); unknown types are invalid
    // at 1.1-1.3, and types must ascend.
    if ((alg_count >> 4) != 2 || !known_alg_type(type)) return errc::invalid_field;
    PMCI_TRY_ASSIGN(const ext_alg_list ext, read_ext_algs(r, alg_count & 0x0F));
    PMCI_TRY(t.add(static_cast<alg_type>(type), supported, ext));
  }
  return ok();
}

constexpr result<void> write_alg_structs(writer& w, const alg_struct_table& t) noexcept {
  if (t.count > alg_struct_table::max_structs) return errc::out_of_range;
  std::uint8_t prev = 0;
  for (const auto& s : t) {
    const auto type = static_cast<std::uint8_t>(s.type);
    if (!known_alg_type(type) || type <= prev || s.ext.size() > 0x0F || s.ext.raw.size() % ext_alg_list::entry_size)
      return errc::invalid_field;
    prev = type;
    w.u8(type).u8(static_cast<std::uint8_t>(0x20 | s.ext.size())).u16le(s.supported).bytes(s.ext.raw);
  }
  return w.status();
}

/// OtherParamsSupport/Selection bits defined at v (spdm.md §5.1/5.2): none before 1.2; opaque
/// data formats 0 and 1 (bits 1:0) from 1.2; MultiKeyConn (bit 4) from 1.3.
constexpr std::uint8_t other_params_mask(version v) noexcept {
  return v < version::v1_2 ? 0x00 : v < version::v1_3 ? 0x03 : 0x13;
}
inline constexpr std::uint8_t multi_key_conn_bit = 0x10;

// The body shared by NEGOTIATE_ALGORITHMS and the 1.3 supported-algorithms block, from Length on.
// `start` is where Length starts counting (the message start; the block's Param1).
template <class T>
constexpr result<void> read_offer(reader& r, T& o, version v, std::size_t struct_count, std::size_t start,
                                  std::size_t max_length, std::size_t max_ext) noexcept {
  o.length = r.u16le();
  o.measurement_spec = static_cast<meas_spec>(r.u8());
  o.other_params_support = r.u8();
  o.asym = static_cast<base_asym>(r.u32le());
  o.hash = static_cast<base_hash>(r.u32le());
  r.reserved(12);  // 1.4: PqcAsymAlgo + Reserved
  const std::size_t n_asym = r.u8();
  const std::size_t n_hash = r.u8();
  r.reserved(1);
  o.mel_spec = static_cast<meas_spec>(r.u8());
  PMCI_TRY(r.status());
  if (o.length > r.input().size() - start) return errc::truncated;  // Length past the end
  if (o.length > max_length) return errc::out_of_range;
  if ((o.other_params_support & ~other_params_mask(v)) != 0) return errc::reserved_nonzero;
  if (v < version::v1_3 && o.mel_spec != meas_spec::none) return errc::reserved_nonzero;
  if (n_asym + n_hash > max_ext) return errc::out_of_range;
  PMCI_TRY_ASSIGN(o.ext_asym, read_ext_algs(r, n_asym));
  PMCI_TRY_ASSIGN(o.ext_hash, read_ext_algs(r, n_hash));
  PMCI_TRY(read_alg_structs(r, struct_count, o.structs));
  if (n_asym + n_hash + o.structs.ext_count() > max_ext) return errc::out_of_range;
  if (r.position() - start != o.length) return errc::invalid_field;
  return ok();
}

template <class T>
constexpr std::size_t offer_size(const T& o, std::size_t fixed) noexcept {
  return fixed + o.ext_asym.raw.size() + o.ext_hash.raw.size() + o.structs.wire_size();
}

template <class T>
constexpr result<void> write_offer(writer& w, const T& o, version v, std::size_t length, std::size_t max_length,
                                   std::size_t max_ext) noexcept {
  if (o.ext_asym.size() > 0xFF || o.ext_hash.size() > 0xFF ||
      o.ext_asym.size() + o.ext_hash.size() + o.structs.ext_count() > max_ext || length > max_length)
    return errc::out_of_range;
  if ((o.other_params_support & ~other_params_mask(v)) != 0 || (v < version::v1_3 && o.mel_spec != meas_spec::none))
    return errc::invalid_field;
  w.u16le(static_cast<std::uint16_t>(length)).u8(raw(o.measurement_spec)).u8(o.other_params_support);
  w.u32le(raw(o.asym)).u32le(raw(o.hash)).zeros(12);
  w.u8(static_cast<std::uint8_t>(o.ext_asym.size())).u8(static_cast<std::uint8_t>(o.ext_hash.size())).u8(0).u8(raw(o.mel_spec));
  w.bytes(o.ext_asym.raw).bytes(o.ext_hash.raw);
  return write_alg_structs(w, o.structs);
}

}  // namespace detail

/// NEGOTIATE_ALGORITHMS. decode() returns truncated (also: Length past the end), trailing_data,
/// invalid_field (Length not matching the content, bad AlgStruct), unsupported, version_mismatch,
/// reserved_nonzero (Param1 at 1.0, reserved bytes/bits), out_of_range (Length over 0x40 at 1.0 /
/// 0x80 at 1.1+, more than 8 / 20 extended algorithms, more than 4 AlgStructs).
struct negotiate_algorithms {
  static constexpr code message_code = code::negotiate_algorithms;
  static constexpr std::size_t fixed_size = 32;
  static constexpr std::size_t max_length(version v) noexcept { return v == version::v1_0 ? 0x40 : 0x80; }
  static constexpr std::size_t max_ext_algs(version v) noexcept { return v == version::v1_0 ? 8 : 0x14; }

  std::uint16_t length = 0;  // as received; encode() computes it
  meas_spec measurement_spec = meas_spec::none;
  std::uint8_t other_params_support = 0;  // 1.2+: opaque data formats; 1.3: bit 4 MultiKeyConn
  base_asym asym = base_asym::none;
  base_hash hash = base_hash::none;
  meas_spec mel_spec = meas_spec::none;  // 1.3
  ext_alg_list ext_asym{};
  ext_alg_list ext_hash{};
  alg_struct_table structs{};  // 1.1+

  constexpr std::size_t size() const noexcept { return detail::offer_size(*this, fixed_size); }

  static constexpr result<negotiate_algorithms> decode(bytes_view message, const negotiated& n) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code, n));
    if (h.param2 != 0 || (n.ver == version::v1_0 && h.param1 != 0)) return errc::reserved_nonzero;
    negotiate_algorithms m;
    PMCI_TRY(detail::read_offer(r, m, n.ver, h.param1, 0, max_length(n.ver), max_ext_algs(n.ver)));
    PMCI_TRY(r.finish());
    return m;
  }
  /// A lean entry point for an engine that reads the request in place (the responder, on a copy
  /// whose reserved fields it cleared: detail::clear_reserved, request_frame.hpp): whether
  /// decode() accepts `m` at version v, leaving out the header (code, version byte: the caller
  /// has checked them) and the reserved fields. Returns the offset of the AlgStructs (Param1 of
  /// them, each | AlgType | AlgCount | AlgSupported(2) | 4 x ExtAlgCount |), or 0 when decode()
  /// would fail. No result<negotiate_algorithms>: a firmware responder needs a few fixed-offset
  /// fields and one walk of the AlgStructs.
  static constexpr std::size_t structs_offset(bytes_view m, version v) noexcept {
    return structs_offset(m, v, m.size() > 2 ? std::to_integer<std::uint8_t>(m[2]) : 0);
  }
  /// The same with the number of AlgStructs given (Param1, which is reserved at 1.0: a responder
  /// reading an uncleaned request passes 0 there).
  static constexpr std::size_t structs_offset(bytes_view m, version v, std::size_t count) noexcept {
    // Length: exactly the message (decode: Length past the end, Length != content, trailing data).
    if (m.size() < fixed_size || load_u16le(m.subspan(4, 2)) != m.size() || m.size() > max_length(v)) return 0;
    const auto b = [m](std::size_t i) { return std::to_integer<std::uint8_t>(m[i]); };
    std::size_t ext = std::size_t{b(28)} + b(29);  // ExtAsymCount + ExtHashCount
    const std::size_t structs_at = fixed_size + ext_alg_list::entry_size * ext;
    std::size_t at = structs_at;
    if (count > alg_struct_table::max_structs) return 0;
    std::uint8_t prev = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (at + 4 > m.size()) return 0;
      const std::uint8_t type = b(at), alg_count = b(at + 1);
      // FixedAlgCount 2, a DMTF type, AlgType ascending (read_alg_structs).
      if ((alg_count >> 4) != 2 || !detail::known_alg_type(type) || type <= prev) return 0;
      prev = type;
      ext += alg_count & 0x0F;
      at += 4 + ext_alg_list::entry_size * (alg_count & 0x0F);
    }
    return ext <= max_ext_algs(v) && at == m.size() ? structs_at : 0;
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (n.ver == version::v1_0 && structs.count != 0) return errc::invalid_field;
    write_header(w, message_code, n, structs.count);
    return detail::write_offer(w, *this, n.ver, size(), max_length(n.ver), max_ext_algs(n.ver));
  }
};

/// ALGORITHMS. decode() returns truncated, trailing_data, invalid_field (Length, AlgStructs, a
/// selection naming more than one algorithm, both opaque formats), unsupported, version_mismatch,
/// reserved_nonzero, out_of_range (more than one extended algorithm selected per kind, >4 structs).
struct algorithms {
  static constexpr code message_code = code::algorithms;
  static constexpr std::size_t fixed_size = 36;

  std::uint16_t length = 0;  // as received; encode() computes it
  meas_spec measurement_spec = meas_spec::none;
  std::uint8_t other_params_selection = 0;  // 1.2+: opaque data format; 1.3: bit 4 MultiKeyConnReq
  meas_hash measurement_hash = meas_hash::none;
  base_asym asym = base_asym::none;
  base_hash hash = base_hash::none;
  meas_spec mel_spec = meas_spec::none;  // 1.3
  ext_alg_list ext_asym{};
  ext_alg_list ext_hash{};
  alg_struct_table structs{};  // 1.1+

  constexpr std::size_t size() const noexcept {
    return fixed_size + ext_asym.raw.size() + ext_hash.raw.size() + structs.wire_size();
  }
  constexpr dhe_group dhe() const noexcept { return structs.dhe(); }
  constexpr aead_suite aead() const noexcept { return structs.aead(); }
  constexpr base_asym req_asym() const noexcept { return structs.req_base_asym(); }
  constexpr key_schedule key_sched() const noexcept { return structs.key_sched(); }

  static constexpr result<algorithms> decode(bytes_view message, const negotiated& n) noexcept {
    algorithms m;
    PMCI_TRY(decode_into(message, n, m));
    return m;
  }
  /// decode() into the caller's `m` (default-constructed on entry; unspecified after an error):
  /// no result<algorithms> to build and copy, for engines on small targets.
  static constexpr result<void> decode_into(bytes_view message, const negotiated& n, algorithms& m) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code, n));
    if (h.param2 != 0 || (n.ver == version::v1_0 && h.param1 != 0)) return errc::reserved_nonzero;
    m.length = r.u16le();
    m.measurement_spec = static_cast<meas_spec>(r.u8());
    m.other_params_selection = r.u8();
    m.measurement_hash = static_cast<meas_hash>(r.u32le());
    m.asym = static_cast<base_asym>(r.u32le());
    m.hash = static_cast<base_hash>(r.u32le());
    r.reserved(11);
    m.mel_spec = static_cast<meas_spec>(r.u8());
    const std::size_t n_asym = r.u8();
    const std::size_t n_hash = r.u8();
    r.reserved(2);
    PMCI_TRY(r.status());
    if (m.length > message.size()) return errc::truncated;
    if ((m.other_params_selection & ~detail::other_params_mask(n.ver)) != 0) return errc::reserved_nonzero;
    if (n.ver < version::v1_3 && m.mel_spec != meas_spec::none) return errc::reserved_nonzero;
    if (n_asym > 1 || n_hash > 1) return errc::out_of_range;  // a selection names one algorithm
    PMCI_TRY_ASSIGN(m.ext_asym, detail::read_ext_algs(r, n_asym));
    PMCI_TRY_ASSIGN(m.ext_hash, detail::read_ext_algs(r, n_hash));
    PMCI_TRY(detail::read_alg_structs(r, h.param1, m.structs));
    if (r.position() != m.length) return errc::invalid_field;
    PMCI_TRY(r.finish());
    if (!m.selections_valid()) return errc::invalid_field;
    return ok();
  }
  /// decode_into() for a requester whose dispatch has already checked the header (at least
  /// header::size bytes, SPDMVersion == n.ver, code ALGORITHMS, which exists at every version):
  /// the remaining checks of decode_into(), in the reader's order and with its errc, and the same
  /// fields, reading the bytes in place (issue 9 footprint). Held to decode() by
  /// tests/spdm_engines/lean_decode_test.cpp.
  static constexpr result<void> read_checked(bytes_view message, const negotiated& n, algorithms& m) noexcept {
    const std::size_t size = message.size();
    const std::byte* const p = message.data();
    const auto b = [p](std::size_t i) { return std::to_integer<std::uint8_t>(p[i]); };
    const std::uint8_t structs = b(2);
    if (b(3) != 0 || (n.ver == version::v1_0 && structs != 0)) return errc::reserved_nonzero;
    // The reader's first error over the fixed part: Reserved(11) at 20, then Reserved(2) at 34,
    // each after the bounds check of its field.
    if (size < 31) return errc::truncated;
    for (std::size_t i = 20; i < fixed_size; ++i) {
      if (i == 31) {
        if (size < fixed_size) return errc::truncated;
        i = 34;
      }
      if (b(i) != 0) return errc::reserved_nonzero;
    }
    m.length = pmci::detail::load_le<std::uint16_t, 2>(p + 4);
    m.measurement_spec = static_cast<meas_spec>(b(6));
    m.other_params_selection = b(7);
    m.measurement_hash = static_cast<meas_hash>(pmci::detail::load_le<std::uint32_t, 4>(p + 8));
    m.asym = static_cast<base_asym>(pmci::detail::load_le<std::uint32_t, 4>(p + 12));
    m.hash = static_cast<base_hash>(pmci::detail::load_le<std::uint32_t, 4>(p + 16));
    m.mel_spec = static_cast<meas_spec>(b(31));
    if (m.length > size) return errc::truncated;
    if ((m.other_params_selection & ~detail::other_params_mask(n.ver)) != 0) return errc::reserved_nonzero;
    if (n.ver < version::v1_3 && m.mel_spec != meas_spec::none) return errc::reserved_nonzero;
    if ((b(32) | b(33)) > 1) return errc::out_of_range;  // a selection names one algorithm
    // selections_valid(), gathered on the way: a set bit below another set bit of one field.
    const auto two = [](std::uint32_t v) { return v & (v - 1); };
    std::uint32_t many = two(b(6)) | two(m.other_params_selection & 0x0Fu) | two(raw(m.measurement_hash)) |
                         two(raw(m.asym)) | two(raw(m.hash)) | two(b(31));
    // One walk over ExtAsymSel (group 0), ExtHashSel (1) and the AlgStructs (2..): each a list of
    // 4-byte extended algorithm entries, byte 1 reserved (read_ext_algs), an AlgStruct's after its
    // 4-byte head (read_alg_structs).
    std::size_t at = fixed_size;
    std::uint8_t prev = 0;
    for (std::size_t g = 0; g < 2u + structs; ++g) {
      std::size_t count = g < 2 ? b(32 + g) : 0;
      // Only written for g >= 2, once Param1 is known to be at most max_structs (a power of 2).
      alg_struct& s = m.structs.items[(g - 2) & (alg_struct_table::max_structs - 1)];
      if (g >= 2) {
        if (structs > alg_struct_table::max_structs) return errc::out_of_range;
        if (size - at < 4) return errc::truncated;
        const std::uint8_t type = b(at), alg_count = b(at + 1);
        s.supported = pmci::detail::load_le<std::uint16_t, 2>(p + at + 2);
        at += 4;
        if ((alg_count >> 4) != 2 || !detail::known_alg_type(type)) return errc::invalid_field;
        s.type = static_cast<alg_type>(type);
        count = alg_count & 0x0F;
        many |= two(s.supported) | (count > 1);
      }
      if (size - at < count * ext_alg_list::entry_size) return errc::truncated;
      const ext_alg_list l{message.subspan(at, count * ext_alg_list::entry_size)};
      for (std::size_t i = 0; i < count; ++i, at += ext_alg_list::entry_size)
        if (b(at + 1) != 0) return errc::reserved_nonzero;
      (g == 0 ? m.ext_asym : g == 1 ? m.ext_hash : s.ext) = l;
      if (g >= 2) {
        const auto type = static_cast<std::uint8_t>(s.type);
        if (type <= prev) return errc::invalid_field;  // AlgType ascending (alg_struct_table::add)
        prev = type;
      }
    }
    m.structs.count = structs;
    if (at != m.length) return errc::invalid_field;
    if (at != size) return errc::trailing_data;
    if (many != 0) return errc::invalid_field;
    return ok();
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    if (ext_asym.size() > 1 || ext_hash.size() > 1) return errc::out_of_range;
    if (!selections_valid() || (n.ver == version::v1_0 && structs.count != 0) ||
        (other_params_selection & ~detail::other_params_mask(n.ver)) != 0 ||
        (n.ver < version::v1_3 && mel_spec != meas_spec::none))
      return errc::invalid_field;
    write_header(w, message_code, n, structs.count);
    w.u16le(static_cast<std::uint16_t>(size())).u8(raw(measurement_spec)).u8(other_params_selection);
    w.u32le(raw(measurement_hash)).u32le(raw(asym)).u32le(raw(hash)).zeros(11).u8(raw(mel_spec));
    w.u8(static_cast<std::uint8_t>(ext_asym.size())).u8(static_cast<std::uint8_t>(ext_hash.size())).zeros(2);
    w.bytes(ext_asym.raw).bytes(ext_hash.raw);
    return detail::write_alg_structs(w, structs);
  }

  /// Every selection names at most one algorithm (libspdm behaviour; spdm.md §5.4) and at most one
  /// opaque data format is selected.
  constexpr bool selections_valid() const noexcept {
    const auto one = [](std::uint32_t v) { return (v & (v - 1)) == 0; };
    bool ok_ = one(raw(measurement_spec)) && one(raw(measurement_hash)) && one(raw(asym)) && one(raw(hash)) &&
               one(raw(mel_spec)) && one(other_params_selection & 0x0Fu);
    for (const auto& s : structs) ok_ = ok_ && one(s.supported) && s.ext.size() <= 1;
    return ok_;
  }
};

/// Record what NEGOTIATE_ALGORITHMS / ALGORITHMS fix in n (spdm.md §5, §6.2): the selected
/// algorithms, OtherParamsSelection, and when DIGESTS carry the multi-key arrays.
/// MultiKeyConnRsp: responder MULTI_KEY_CAP = 01, or 10 and the requester set bit 4 of
/// OtherParamsSupport; MultiKeyConnReq: the responder set bit 4 of OtherParamsSelection.
constexpr void update(negotiated& n, const negotiate_algorithms& m) noexcept {
  const auto mk = n.rsp_caps & rsp_cap::multi_key_mask;
  n.multi_key_conn_rsp = n.ver >= version::v1_3 &&
                         (mk == rsp_cap::multi_key_only ||
                          (mk == rsp_cap::multi_key_negotiated && (m.other_params_support & detail::multi_key_conn_bit)));
}
constexpr void update(negotiated& n, const algorithms& m) noexcept {
  n.hash = m.hash;
  n.asym = m.asym;
  n.measurement_hash = m.measurement_hash;
  n.measurement_spec = m.measurement_spec;
  n.other_params = m.other_params_selection;
  // Without AlgStructs (always so before 1.1, and for an engine that offers none) the three stay
  // none; the test lets a caller that knows the table is empty drop the lookups (issue 9 footprint).
  if (m.structs.count == 0) {
    n.dhe = {};
    n.aead = {};
    n.req_asym = {};
  } else {
    n.dhe = m.dhe();
    n.aead = m.aead();
    n.req_asym = m.req_asym();
  }
  n.multi_key_conn_req = n.ver >= version::v1_3 && (m.other_params_selection & detail::multi_key_conn_bit);
  if ((n.rsp_caps & rsp_cap::multi_key_mask) == rsp_cap::multi_key_only) n.multi_key_conn_rsp = true;
}

}  // namespace pmci::spdm
