// SPDX-License-Identifier: Apache-2.0
// MCTP packet: the 4-byte transport header (DSP0236 §8.1, mctp.md §1), EIDs, and the message
// header byte that starts every MCTP message (IC bit + message type, mctp.md §2).
//
//      byte 0            byte 1        byte 2        byte 3
//   +--------+-------+-------------+-------------+---+---+-----+----+-------+
//   | rsvd   | hdr   | destination |   source    |SOM|EOM| seq | TO |  tag  |
//   | 7:4    | ver   |     EID     |     EID     | 7 | 6 | 5:4 | 3  |  2:0  |
//   +--------+-------+-------------+-------------+---+---+-----+----+-------+
//   then the packet payload; the first payload byte of a message (SOM packet) is
//   +----+----------------+
//   | IC | message type   |   IC = 1: a type-specific integrity check ends the message
//   | 7  |      6:0       |
//   +----+----------------+
#pragma once
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"

namespace pmci::mctp {

/// An MCTP endpoint ID.
using eid = std::uint8_t;

// DSP0236 §8.2 (mctp.md §1.1): special EIDs.
inline constexpr eid null_eid = 0x00;       ///< "no EID yet" / physical addressing
inline constexpr eid broadcast_eid = 0xFF;  ///< broadcast; never valid as a source
inline constexpr eid first_assignable_eid = 0x08;  ///< 0x01..0x07 are reserved
inline constexpr eid last_assignable_eid = 0xFE;

/// True for EIDs an endpoint may hold (0x08..0xFE): not null, reserved or broadcast.
constexpr bool is_assignable(eid e) noexcept { return e >= first_assignable_eid && e <= last_assignable_eid; }

/// MCTP message type numbers (DSP0239, mctp.md §2.1). Any 7-bit value may appear on the wire;
/// the enum names the assigned ones.
enum class msg_type : std::uint8_t {
  control = 0,
  pldm = 1,
  ncsi = 2,
  ethernet = 3,
  nvme_mi = 4,
  spdm = 5,
  secured_spdm = 6,
  cxl_fm_api = 7,
  cxl_cci = 8,
  pcie_mi = 9,
  vendor_pci = 0x7E,
  vendor_iana = 0x7F,
};

/// The header version this implementation speaks (DSP0236 1.x: 0001b).
inline constexpr std::uint8_t header_version = 1;
/// Baseline transmission unit: 64 bytes of packet payload, header excluded (mctp.md §1.2).
/// Every endpoint accepts packets this large; control messages fit in one such packet.
inline constexpr std::size_t baseline_mtu = 64;
inline constexpr std::uint8_t max_tag = 7;  ///< message tags are 3 bits
inline constexpr std::uint8_t seq_mask = 3;  ///< packet sequence numbers are 2 bits (mod 4)

/// The MCTP transport header.
struct header {
  std::uint8_t version = header_version;  ///< low nibble of byte 0
  eid dest = null_eid;
  eid source = null_eid;
  bool som = false;        ///< start of message
  bool eom = false;        ///< end of message
  std::uint8_t seq = 0;    ///< packet sequence number, 0..3
  bool tag_owner = false;  ///< TO: set by the originator of a request
  std::uint8_t tag = 0;    ///< message tag, 0..7

  static constexpr std::size_t size = 4;

  /// Decode the header at the front of `packet` (payload bytes after it are ignored).
  /// Returns errc::truncated (fewer than 4 bytes) or errc::version_mismatch (version nibble
  /// != 1: a different header layout we cannot interpret). The reserved nibble of byte 0 is
  /// ignored: DSP0236 says reserved bits are written as zero and ignored on receive (Linux
  /// relaxed its check for exactly this reason).
  static constexpr result<header> decode(bytes_view packet) noexcept {
    if (packet.size() < size) return errc::truncated;
    const auto b0 = std::to_integer<std::uint8_t>(packet[0]);
    const auto b3 = std::to_integer<std::uint8_t>(packet[3]);
    header h;
    h.version = static_cast<std::uint8_t>(b0 & 0x0F);
    if (h.version != header_version) return errc::version_mismatch;
    h.dest = std::to_integer<std::uint8_t>(packet[1]);
    h.source = std::to_integer<std::uint8_t>(packet[2]);
    h.som = (b3 & 0x80) != 0;
    h.eom = (b3 & 0x40) != 0;
    h.seq = static_cast<std::uint8_t>((b3 >> 4) & seq_mask);
    h.tag_owner = (b3 & 0x08) != 0;
    h.tag = static_cast<std::uint8_t>(b3 & max_tag);
    return h;
  }

  /// Byte 3 (flags, sequence, tag owner, tag). Fields out of range are masked; encode() checks.
  [[nodiscard]] constexpr std::uint8_t flags_byte() const noexcept {
    return static_cast<std::uint8_t>((som ? 0x80 : 0) | (eom ? 0x40 : 0) | ((seq & seq_mask) << 4) |
                                     (tag_owner ? 0x08 : 0) | (tag & max_tag));
  }

  /// Append the 4 header bytes. Fails (sticky, in the writer) with errc::invalid_field when
  /// version > 15, seq > 3 or tag > 7, or errc::buffer_too_small.
  constexpr result<void> encode(writer& w) const noexcept {
    if (version > 0x0F || seq > seq_mask || tag > max_tag) w.fail(errc::invalid_field);
    w.u8(version).u8(dest).u8(source).u8(flags_byte());
    return w.ok() ? result<void>{} : result<void>{w.error()};
  }

  friend constexpr bool operator==(const header&, const header&) = default;
};

/// The first byte of every MCTP message: IC bit and 7-bit message type (mctp.md §2).
struct message_header {
  msg_type type = msg_type::control;
  bool ic = false;  ///< integrity check present at the end of the message

  static constexpr std::size_t size = 1;
  static constexpr std::uint8_t ic_bit = 0x80;

  /// From the first byte of a message. errc::truncated for an empty message.
  static constexpr result<message_header> decode(bytes_view message) noexcept {
    if (message.empty()) return errc::truncated;
    return from_byte(std::to_integer<std::uint8_t>(message[0]));
  }
  static constexpr message_header from_byte(std::uint8_t b) noexcept {
    return {static_cast<msg_type>(b & 0x7F), (b & ic_bit) != 0};
  }
  /// The wire byte. The type is taken modulo 0x80 (the enum cannot express more than 7 bits
  /// meaningfully; encode() rejects larger values).
  [[nodiscard]] constexpr std::uint8_t to_byte() const noexcept {
    return static_cast<std::uint8_t>((static_cast<std::uint8_t>(type) & 0x7F) | (ic ? ic_bit : 0));
  }
  /// Append the type byte; errc::invalid_field when the type does not fit in 7 bits.
  constexpr result<void> encode(writer& w) const noexcept {
    if (static_cast<std::uint8_t>(type) > 0x7F) w.fail(errc::invalid_field);
    w.u8(to_byte());
    return w.ok() ? result<void>{} : result<void>{w.error()};
  }

  friend constexpr bool operator==(const message_header&, const message_header&) = default;
};

/// The message type byte for `t` with the IC bit as given.
constexpr std::uint8_t type_byte(msg_type t, bool ic = false) noexcept { return message_header{t, ic}.to_byte(); }

}  // namespace pmci::mctp
