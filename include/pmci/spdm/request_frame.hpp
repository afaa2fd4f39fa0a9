// SPDX-License-Identifier: Apache-2.0
// How a responder reads a request as liberally as DSP0274 allows (docs/spdm_engines.md,
// "Interoperability"):
//
//  * Reserved fields. DSP0274's conventions: "Unless otherwise specified, field values marked as
//    Reserved shall be written as zero (0), ignored when read, not modified and not interpreted as
//    an error if not zero, and used in transcript hash calculations as is" (quoted by the DMTF
//    maintainers in libspdm issues #1014 and #1107). The codecs reject non-zero reserved bits
//    (errc::reserved_nonzero: right for a codec, and what the tests of a sender want); a responder
//    must not. frame_request() hands a codec a copy with the reserved bits of the request
//    cleared, while the transcripts get the bytes as received. spdm::responder reads requests in
//    place without a copy (cut_request()): it masks the reserved bits that share a byte with a
//    field it reads (the rows of reserved_rules) where it reads them, and never reads the others.
//  * Transport padding. Some transports cannot carry an SPDM message's exact length (PCI DOE pads
//    to 4 bytes, so a 37-byte signed GET_MEASUREMENTS arrives as 40 bytes); SPDM messages are
//    self-delimiting, and libspdm's responder accepts bytes beyond the message (libspdm PR #1778)
//    and hashes only the message itself (libspdm issue #2610). frame() cuts the request to the
//    length its fields define; a request shorter than that still fails to decode.
//
// Nothing else is relaxed: invalid values that are not reserved (a SlotID of 9, a summary-hash
// type of 2, a NEGOTIATE_ALGORITHMS Length that does not match its content) stay InvalidRequest.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "pmci/core/bytes.hpp"
#include "pmci/core/endian.hpp"
#include "pmci/spdm/algorithms.hpp"
#include "pmci/spdm/capabilities.hpp"
#include "pmci/spdm/challenge.hpp"
#include "pmci/spdm/measurements.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

/// A request as received, cut to its own length (`message`: what the transcripts hash) and the
/// same bytes with every reserved field cleared (`clean`: what the codec decodes).
struct request_frame {
  bytes_view message{};
  bytes_view clean{};
};

namespace detail {

/// The fixed lengths of the fixed-layout requests at SPDM 1.0 / 1.1 / 1.2 / 1.3 (spdm.md §3-§8
/// request tables; GET_CERTIFICATE without 1.4's LargeCertChain form). A table rather than a
/// switch over the codecs' size functions (issue 9); the static_asserts below hold it to them.
/// Code 0x60 (a request code's bit 7 is always set, so no request has it) stands for a signed
/// GET_MEASUREMENTS.
struct fixed_length {
  std::uint8_t code;
  std::uint8_t length[4];
};
inline constexpr std::uint8_t signed_get_measurements = 0x60;
inline constexpr fixed_length fixed_lengths[] = {
    {0x84, {4, 4, 4, 4}},      // GET_VERSION
    {0x81, {4, 4, 4, 4}},      // GET_DIGESTS
    {0xFF, {4, 4, 4, 4}},      // RESPOND_IF_READY
    {0xE1, {4, 12, 20, 20}},   // GET_CAPABILITIES
    {0x82, {8, 8, 8, 8}},      // GET_CERTIFICATE
    {0x83, {36, 36, 36, 44}},  // CHALLENGE
    {0xE0, {4, 4, 4, 12}},     // GET_MEASUREMENTS
    {signed_get_measurements, {36, 37, 37, 45}},
};

/// The length the request's own fields define at version v, or 0 when the fields needed to tell
/// are missing (the decoder then reports the truncation). `Vendor` false: VENDOR_DEFINED_REQUEST
/// is left as received (for a responder that answers it UnsupportedRequest, never reading it).
template <bool Vendor = true>
constexpr std::size_t request_length(bytes_view req, version v) noexcept {
  if (req.size() < header::size) return 0;
  const auto b = [req](std::size_t i) { return std::to_integer<std::uint8_t>(req[i]); };
  std::uint8_t c = b(1);
  if (c == static_cast<std::uint8_t>(code::negotiate_algorithms)) return req.size() >= 6 ? load_u16le(req.subspan(4, 2)) : 0;
  if (Vendor && c == static_cast<std::uint8_t>(code::vendor_defined_request)) {
    // Header, StandardID(2), Len(1), VendorID(Len), ReqLength(2), payload (spdm.md §9).
    if (req.size() < 7) return 0;
    const std::size_t at = 7 + b(6);
    if (req.size() < at + 2) return 0;
    return at + 2 + load_u16le(req.subspan(at, 2));
  }
  if (c == static_cast<std::uint8_t>(code::get_measurements) && (b(2) & meas_attr_signature) != 0) c = signed_get_measurements;
  for (const fixed_length& r : fixed_lengths)
    if (r.code == c) return r.length[minor_of(v) & 3];
  return req.size();
}

// The table against the codecs' sizes, at every version.
consteval bool fixed_lengths_match() {
  constexpr version vs[] = {version::v1_0, version::v1_1, version::v1_2, version::v1_3};
  for (unsigned m = 0; m < 4; ++m) {
    const version v = vs[m];
    const std::size_t want[] = {header::size, header::size, header::size, capabilities_size(v, true), 8,
                                challenge::size(v), get_measurements::size(v, false), get_measurements::size(v, true)};
    const std::uint8_t codes[] = {0x84, 0x81, 0xFF, 0xE1, 0x82, 0x83, 0xE0, signed_get_measurements};
    for (std::size_t i = 0; i < 8; ++i)
      if (fixed_lengths[i].code != codes[i] || fixed_lengths[i].length[m] != want[i]) return false;
  }
  return true;
}
static_assert(fixed_lengths_match());
static_assert(static_cast<std::uint8_t>(code::get_version) == 0x84 && static_cast<std::uint8_t>(code::get_digests) == 0x81 &&
              static_cast<std::uint8_t>(code::respond_if_ready) == 0xFF &&
              static_cast<std::uint8_t>(code::get_capabilities) == 0xE1 &&
              static_cast<std::uint8_t>(code::get_certificate) == 0x82 &&
              static_cast<std::uint8_t>(code::challenge) == 0x83 &&
              static_cast<std::uint8_t>(code::get_measurements) == 0xE0);

inline void clear_bytes(bytes_span m, std::size_t at, std::size_t n) noexcept {
  for (std::size_t i = at; i < at + n && i < m.size(); ++i) m[i] = std::byte{0};
}

/// One run of reserved bits in a fixed-layout request: bytes [offset, offset + count) of a
/// request with code `code` keep the bits keep[minor] at SPDM 1.minor (0x00 clears them,
/// 0xFF leaves them). A table rather than code: the rules are data (spdm.md §3-§8 request
/// layouts; each row names its field).
struct reserved_rule {
  std::uint8_t code;
  std::uint8_t offset;
  std::uint8_t count;
  std::uint8_t keep[4];
};
/// The reserved bits a responder reads (spdm::responder: they share a byte with a field it
/// reads, or sit where a later version defines a field it reads), so they must be ignored where
/// it reads them: spdm::responder masks each of these rows in its handler (responder.hpp);
/// clear_reserved<reserved::read> clears only these.
inline constexpr reserved_rule reserved_rules[] = {
    {0xE1, 2, 1, {0x00, 0x00, 0x00, 0x01}},  // GET_CAPABILITIES Param1 (1.3: supported-algorithms request)
    // Flags bits DSP0274 does not define for a requester at 1.1 / 1.2 / 1.3 (defined_flags(req_cap{}, v),
    // spdm.md §4.1): 0x0001FFC6, 0x0003FFC6, 0x0EC3FFC6, little-endian.
    {0xE1, 8, 1, {0xFF, 0xC6, 0xC6, 0xC6}},
    {0xE1, 10, 1, {0xFF, 0x01, 0x03, 0xC3}},
    {0xE1, 11, 1, {0xFF, 0x00, 0x00, 0x0E}},
    {0xE3, 2, 1, {0x00, 0xFF, 0xFF, 0xFF}},   // NEGOTIATE_ALGORITHMS Param1 (1.1+: number of AlgStructs)
    {0xE3, 7, 1, {0x00, 0x00, 0x03, 0x13}},   //   OtherParamsSupport (other_params_mask)
    {0x82, 2, 1, {0x0F, 0x0F, 0x0F, 0x0F}},   // GET_CERTIFICATE Param1 bits 7:4 (1.4: bit 7 LargeCertChain)
    {0x82, 3, 1, {0x00, 0x00, 0x00, 0x01}},   //   Param2 (1.3: SlotSizeRequested)
    {0xE0, 2, 1, {0x01, 0x01, 0x03, 0x07}},   // GET_MEASUREMENTS attributes (meas_attr_defined)
    // SlotIDParam bits 7:4 (1.1+). Only a signed request reaches offset 36 once cut to its length
    // (frame_request; at 1.0 a signed request is 36 bytes).
    {0xE0, 36, 1, {0xFF, 0x0F, 0x0F, 0x0F}},
    // CHALLENGE, RESPOND_IF_READY: no reserved fields.
};
/// The other reserved fields: whole bytes no responder field shares, which spdm::responder never
/// reads (frame_request<reserved::read> leaves them as received; version_fold_test.cpp in
/// tests/spdm_engines holds the responder's answers to that). A codec's decode() rejects them
/// non-zero, so clear_reserved() clears them too for a request handed to decode().
inline constexpr reserved_rule unread_reserved_rules[] = {
    {0x84, 2, 2, {0x00, 0x00, 0x00, 0x00}},  // GET_VERSION Param1, Param2
    {0x81, 2, 2, {0x00, 0x00, 0x00, 0x00}},  // GET_DIGESTS Param1, Param2
    {0xFE, 2, 2, {0x00, 0x00, 0x00, 0x00}},  // VENDOR_DEFINED_REQUEST Param1 (1.4: bit 7 LargeReq), Param2
    {0xE1, 3, 1, {0x00, 0x00, 0x00, 0x00}},  // GET_CAPABILITIES Param2
    {0xE1, 4, 1, {0xFF, 0x00, 0x00, 0x00}},  //   Reserved (1.1+)
    {0xE1, 6, 2, {0xFF, 0x00, 0x00, 0x00}},  //   Reserved (1.4: ExtFlags)
    {0xE3, 3, 1, {0x00, 0x00, 0x00, 0x00}},   // NEGOTIATE_ALGORITHMS Param2
    {0xE3, 16, 12, {0x00, 0x00, 0x00, 0x00}}, //   Reserved (1.4: PqcAsymAlgo + Reserved)
    {0xE3, 30, 1, {0x00, 0x00, 0x00, 0x00}},  //   Reserved
    {0xE3, 31, 1, {0x00, 0x00, 0x00, 0xFF}},  //   MELSpecification (1.3; the responder reads it only at 1.3)
    // and the Reserved byte of every ExtAsym / ExtHash / external AlgStruct entry (clear_reserved).
};

/// Which reserved fields frame_request() clears: all of them (what decode() needs), or only those
/// spdm::responder reads (the others never reach a decision or a response).
enum class reserved : std::uint8_t { all, read };

template <std::size_t N>
inline void apply_rules(bytes_span m, std::uint8_t c, unsigned minor, const reserved_rule (&rules)[N]) noexcept {
  for (const reserved_rule& r : rules) {
    if (r.code != c) continue;
    for (std::size_t i = r.offset; i < std::size_t{r.offset} + r.count && i < m.size(); ++i) m[i] &= std::byte{r.keep[minor & 3]};
  }
}

/// Clear the reserved fields of request `m` (an SPDM 1.0-1.3 request of version v, cut to its
/// own length: frame_request) in place: all of them, or (reserved::read) those the responder reads.
template <reserved Which = reserved::all>
inline void clear_reserved(bytes_span m, version v) noexcept {
  if (m.size() < header::size) return;
  const std::uint8_t c = std::to_integer<std::uint8_t>(m[1]);
  const unsigned minor = minor_of(v);
  apply_rules(m, c, minor, reserved_rules);
  if constexpr (Which == reserved::all) {
    apply_rules(m, c, minor, unread_reserved_rules);
    if (static_cast<code>(c) != code::negotiate_algorithms || m.size() < 32) return;
    // ExtAsym / ExtHash entries: RegistryID(1) Reserved(1) AlgorithmID(2).
    const std::size_t ext = std::size_t{std::to_integer<std::uint8_t>(m[28])} + std::to_integer<std::uint8_t>(m[29]);
    for (std::size_t i = 0; i < ext; ++i) clear_bytes(m, 32 + 4 * i + 1, 1);
    // AlgStructs' external entries likewise.
    std::size_t at = 32 + 4 * ext;
    const std::size_t structs = std::to_integer<std::uint8_t>(m[2]);
    for (std::size_t s = 0; s < structs && at + 4 <= m.size(); ++s) {
      const std::size_t n = std::to_integer<std::uint8_t>(m[at + 1]) & 0x0F;
      at += 4;
      for (std::size_t i = 0; i < n; ++i) clear_bytes(m, at + 4 * i + 1, 1);
      at += 4 * n;
    }
  }
}

}  // namespace detail

/// `req` (a request of version v) cut to the length its own fields define: transport padding
/// dropped (what the transcripts hash). spdm::responder reads this in place and ignores the
/// reserved bits it reads itself (responder.hpp).
template <bool Vendor = true>
[[nodiscard]] inline bytes_view cut_request(bytes_view req, version v) noexcept {
  const std::size_t len = detail::request_length<Vendor>(req, v);
  return len != 0 && len < req.size() ? req.first(len) : req;
}

/// Frame `req` (a request of version v) for a decoder: cut transport padding, and clear
/// reserved fields in a copy held in `scratch`. A request longer than `scratch` (only a large
/// VENDOR_DEFINED_REQUEST) is decoded as is.
template <detail::reserved Which = detail::reserved::all, std::size_t N>
[[nodiscard]] request_frame frame_request(bytes_view req, version v, std::array<std::byte, N>& scratch) noexcept {
  request_frame f{req, req};
  f.message = cut_request(req, v);
  if (f.message.size() <= N) {
    // memcpy, not std::copy (memmove): the copy never overlaps, and memmove would be one more
    // libc routine in a firmware image (+254 B on a Cortex-M4, newlib-nano).
    if (!f.message.empty()) std::memcpy(scratch.data(), f.message.data(), f.message.size());
    const bytes_span copy = std::span{scratch}.first(f.message.size());
    detail::clear_reserved<Which>(copy, v);
    f.clean = copy;
  } else {
    f.clean = f.message;
  }
  return f;
}

}  // namespace pmci::spdm
