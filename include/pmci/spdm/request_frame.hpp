// SPDX-License-Identifier: Apache-2.0
// How a responder reads a request as liberally as DSP0274 allows (docs/spdm_engines.md,
// "Interoperability"):
//
//  * Reserved fields. DSP0274's conventions: "Unless otherwise specified, field values marked as
//    Reserved shall be written as zero (0), ignored when read, not modified and not interpreted as
//    an error if not zero, and used in transcript hash calculations as is" (quoted by the DMTF
//    maintainers in libspdm issues #1014 and #1107). The codecs reject non-zero reserved bits
//    (errc::reserved_nonzero: right for a codec, and what the tests of a sender want); a responder
//    must not. frame() hands the codec a copy with the reserved bits of the request cleared,
//    while the transcripts get the bytes as received.
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

/// The length the request's own fields define at version v, or 0 when the fields needed to tell
/// are missing (the decoder then reports the truncation).
constexpr std::size_t request_length(bytes_view req, version v) noexcept {
  if (req.size() < header::size) return 0;
  const auto b = [req](std::size_t i) { return std::to_integer<std::uint8_t>(req[i]); };
  switch (static_cast<code>(b(1))) {
    case code::get_version:
    case code::get_digests:
    case code::respond_if_ready: return header::size;
    case code::get_capabilities: return detail::capabilities_size(v, true);
    case code::get_certificate: return 8;  // 1.4's LargeCertChain form is not spoken here
    case code::challenge: return challenge::size(v);
    case code::get_measurements: return get_measurements::size(v, (b(2) & meas_attr_signature) != 0);
    case code::negotiate_algorithms: return req.size() >= 6 ? load_u16le(req.subspan(4, 2)) : 0;
    case code::vendor_defined_request: {
      // Header, StandardID(2), Len(1), VendorID(Len), ReqLength(2), payload (spdm.md §9).
      if (req.size() < 7) return 0;
      const std::size_t at = 7 + b(6);
      if (req.size() < at + 2) return 0;
      return at + 2 + load_u16le(req.subspan(at, 2));
    }
    default: return req.size();
  }
}

inline void clear_bits(bytes_span m, std::size_t at, std::uint8_t keep) noexcept {
  if (at < m.size()) m[at] &= std::byte{keep};
}
inline void clear_bytes(bytes_span m, std::size_t at, std::size_t n) noexcept {
  for (std::size_t i = at; i < at + n && i < m.size(); ++i) m[i] = std::byte{0};
}

/// Clear the reserved fields of request `m` (an SPDM 1.0-1.3 request of version v) in place.
inline void clear_reserved(bytes_span m, version v) noexcept {
  if (m.size() < header::size) return;
  switch (static_cast<code>(std::to_integer<std::uint8_t>(m[1]))) {
    case code::get_version:
    case code::get_digests:
      clear_bytes(m, 2, 2);
      break;
    case code::get_capabilities:
      clear_bits(m, 2, v >= version::v1_3 ? 0x01 : 0x00);  // 1.3: supported-algorithms request
      clear_bits(m, 3, 0);
      if (v >= version::v1_1) {
        clear_bytes(m, 4, 1);
        clear_bytes(m, 6, 2);  // 1.4: ExtFlags
        if (m.size() >= 12) {
          // Flags bits DSP0274 does not define for a requester at v (spdm.md §4.1).
          const std::uint32_t f = load_u32le(m.subspan(8, 4)) & raw(defined_flags(req_cap{}, v));
          store_u32le(m.subspan(8, 4), f);
        }
      }
      break;
    case code::negotiate_algorithms: {
      if (v == version::v1_0) clear_bits(m, 2, 0);  // 1.1+: number of AlgStructs
      clear_bits(m, 3, 0);
      clear_bits(m, 7, other_params_mask(v));
      clear_bytes(m, 16, 12);  // 1.4: PqcAsymAlgo + Reserved
      clear_bytes(m, 30, 1);
      if (v < version::v1_3) clear_bytes(m, 31, 1);  // MELSpecification
      if (m.size() < 32) break;
      // ExtAsym / ExtHash entries: RegistryID(1) Reserved(1) AlgorithmID(2).
      const std::size_t ext = std::size_t{std::to_integer<std::uint8_t>(m[28])} + std::to_integer<std::uint8_t>(m[29]);
      for (std::size_t i = 0; i < ext; ++i) clear_bytes(m, 32 + 4 * i + 1, 1);
      // AlgStructs' external entries likewise.
      std::size_t at = 32 + 4 * ext;
      const std::size_t structs = v >= version::v1_1 ? std::to_integer<std::uint8_t>(m[2]) : 0;
      for (std::size_t s = 0; s < structs && at + 4 <= m.size(); ++s) {
        const std::size_t n = std::to_integer<std::uint8_t>(m[at + 1]) & 0x0F;
        at += 4;
        for (std::size_t i = 0; i < n; ++i) clear_bytes(m, at + 4 * i + 1, 1);
        at += 4 * n;
      }
      break;
    }
    case code::get_certificate:
      clear_bits(m, 2, 0x0F);                                  // 1.4: bit 7 LargeCertChain
      clear_bits(m, 3, v >= version::v1_3 ? 0x01 : 0x00);      // 1.3: SlotSizeRequested
      break;
    case code::get_measurements:
      clear_bits(m, 2, meas_attr_defined(v));
      if ((std::to_integer<std::uint8_t>(m[2]) & meas_attr_signature) && v >= version::v1_1)
        clear_bits(m, header::size + nonce_size, 0x0F);  // SlotIDParam bits 7:4
      break;
    case code::vendor_defined_request:
      clear_bytes(m, 2, 2);  // 1.4: Param1 bit 7 LargeReq
      break;
    default: break;  // CHALLENGE, RESPOND_IF_READY: no reserved fields
  }
}

}  // namespace detail

/// Frame `req` (a request of version v) for a responder: cut transport padding, and clear
/// reserved fields in a copy held in `scratch`. A request longer than `scratch` (only a large
/// VENDOR_DEFINED_REQUEST) is decoded as is.
template <std::size_t N>
[[nodiscard]] request_frame frame_request(bytes_view req, version v, std::array<std::byte, N>& scratch) noexcept {
  request_frame f{req, req};
  const std::size_t len = detail::request_length(req, v);
  if (len != 0 && len < req.size()) f.message = req.first(len);
  if (f.message.size() <= N) {
    std::copy(f.message.begin(), f.message.end(), scratch.begin());
    const bytes_span copy = std::span{scratch}.first(f.message.size());
    detail::clear_reserved(copy, v);
    f.clean = copy;
  } else {
    f.clean = f.message;
  }
  return f;
}

}  // namespace pmci::spdm
