// SPDX-License-Identifier: Apache-2.0
// MCTP over SMBus/I2C (DSP0237): framing and a port for mctp::endpoint.
//
// Every MCTP packet is an SMBus block write with command code 0x0F (i3c_smbus.md §2.1):
//
//     +------+------+-------+--------+----------------------+---------+-----+
//     | dest | 0x0F | count | source | MCTP header (4)      | payload | PEC |
//     +------+------+-------+--------+----------------------+---------+-----+
//      a<<1|0               | b<<1|1 |<-------- count bytes from here ---->|
//
//   dest   destination 7-bit address << 1, bit 0 = 0 (write). On the wire this is the I2C
//          address phase: an I2C API takes the buffer from the command byte on, with the
//          address separately.
//   count  bytes after the count field up to, not including, the PEC: 1 + packet size.
//   source sender's 7-bit address << 1, bit 0 = 1.
//   PEC    CRC-8 (poly 0x07, init 0) over every byte before it, destination byte included.
//
// The byte count is 8 bits, so a packet (header + payload) is at most 254 bytes and its
// payload at most 250 (Linux MCTP_I2C_MAXMTU; i3c_smbus.md §2.2). The baseline payload is 64.
#pragma once
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/crc.hpp"
#include "pmci/core/result.hpp"
#include "pmci/mctp/binding.hpp"
#include "pmci/mctp/packet.hpp"

namespace pmci::mctp::smbus {

inline constexpr std::uint8_t command_code = 0x0F;  ///< all MCTP traffic (DSP0237)
inline constexpr std::size_t binding_header_size = 4;  ///< dest, command, count, source
inline constexpr std::size_t mctp_header_size = header::size;
inline constexpr std::size_t pec_size = 1;
inline constexpr std::size_t baseline_packet = mctp_header_size + baseline_mtu;  ///< 68
inline constexpr std::size_t max_packet = 254;  ///< byte count 255 = source byte + 254
/// Shortest valid frame: binding header + MCTP header + PEC (Linux MCTP_I2C_MINLEN 8 + PEC).
inline constexpr std::size_t min_frame = binding_header_size + mctp_header_size + pec_size;
/// Frame size for a packet of `packet_size` bytes.
[[nodiscard]] constexpr std::size_t frame_size(std::size_t packet_size) noexcept {
  return binding_header_size + packet_size + pec_size;
}

/// A checked frame: 7-bit addresses (unshifted) and the MCTP packet (a view into the frame).
struct frame_view {
  std::uint8_t dest = 0;
  std::uint8_t source = 0;
  bytes_view packet{};
};

/// Write the whole frame, destination address byte first, into `out`; returns it.
/// Send `result.subspan(1)` to an I2C API that takes the address separately.
/// Errors: invalid_field (an address > 0x7F), truncated (packet < 4 bytes), out_of_range
/// (packet > 254 bytes), buffer_too_small.
constexpr result<bytes_span> frame(std::uint8_t dest, std::uint8_t source, bytes_view packet,
                                   bytes_span out) noexcept {
  if (dest > 0x7F || source > 0x7F) return errc::invalid_field;
  if (packet.size() < mctp_header_size) return errc::truncated;
  if (packet.size() > max_packet) return errc::out_of_range;
  writer w(out);
  w.u8(static_cast<std::uint8_t>(dest << 1))
      .u8(command_code)
      .u8(static_cast<std::uint8_t>(packet.size() + 1))
      .u8(static_cast<std::uint8_t>((source << 1) | 1))
      .bytes(packet);
  if (!w.ok()) return w.error();
  w.u8(crc8(w.written()));
  return w.finish();
}

/// Check a frame given as its destination address byte plus the bytes from the command code
/// on (what an I2C target HAL receives), and return addresses and packet (a view into `rest`).
/// `packet_limit` is the largest packet accepted (header + payload; baseline 68, at most 254).
/// Errors: truncated (shorter than 9 bytes, or shorter than the byte count says),
/// trailing_data (longer than the byte count says), out_of_range (packet above packet_limit),
/// integrity_error (PEC), invalid_field (command not 0x0F, dest R/W bit set, source bit 0 clear).
constexpr result<frame_view> unframe(std::uint8_t dest_byte, bytes_view rest,
                                     std::size_t packet_limit = baseline_packet) noexcept {
  // Layout of rest: [0] command, [1] count, [2] source, [3..] packet, [last] PEC.
  if (rest.size() + 1 < min_frame) return errc::truncated;
  const std::size_t packet_size = rest.size() - 3 - pec_size;
  if (packet_size > std::min(packet_limit, max_packet)) return errc::out_of_range;
  const std::uint8_t crc = crc8_update(crc8_update(0, dest_byte), rest.first(rest.size() - pec_size));
  if (crc != std::to_integer<std::uint8_t>(rest.back())) return errc::integrity_error;
  const auto count = std::to_integer<std::uint8_t>(rest[1]);
  if (count > packet_size + 1) return errc::truncated;
  if (count < packet_size + 1) return errc::trailing_data;
  const auto source_byte = std::to_integer<std::uint8_t>(rest[2]);
  if (std::to_integer<std::uint8_t>(rest[0]) != command_code || (dest_byte & 1) != 0 || (source_byte & 1) == 0)
    return errc::invalid_field;
  return frame_view{static_cast<std::uint8_t>(dest_byte >> 1), static_cast<std::uint8_t>(source_byte >> 1),
                    rest.subspan(3, packet_size)};
}

/// Check a whole frame (destination address byte first). Errors as above.
constexpr result<frame_view> unframe(bytes_view frame, std::size_t packet_limit = baseline_packet) noexcept {
  if (frame.empty()) return errc::truncated;
  return unframe(std::to_integer<std::uint8_t>(frame[0]), frame.subspan(1), packet_limit);
}

// ---------------------------------------------------------------------------------------------
/// Bus driver: one SMBus block write of `data` (command byte first) to the 7-bit address
/// `addr` (Zephyr: i2c_write(dev, data, len, addr); Linux: i2c_transfer with one message).
/// errc::busy means "retry later"; anything else is a failed transfer.
template <class D>
concept driver = requires(D& d, std::uint8_t addr, bytes_view data) {
  { d.write(addr, data) } -> std::same_as<result<void>>;
};

/// An SMBus/I2C MCTP port with its own 7-bit address: both sides of DSP0237 (every endpoint
/// sends as a bus master and receives as a slave). Packets of up to MaxPacket bytes (header +
/// payload). Models mctp::packet_link.
template <class Driver, std::size_t MaxPacket = baseline_packet>
class port {
  static_assert(driver<Driver>, "The SMBus driver must provide result<void> write(uint8_t addr7, bytes_view data)");
  static_assert(MaxPacket >= baseline_packet && MaxPacket <= max_packet,
                "MaxPacket must be 68..254 (baseline packet to the 8-bit byte count's limit)");

 public:
  constexpr port(Driver& driver, std::uint8_t own_address) noexcept : drv_(&driver), own_(own_address) {
    PMCI_ASSERT(own_address <= 0x7F);
  }

  [[nodiscard]] constexpr std::uint8_t own_address() const noexcept { return own_; }

  /// Frame `packet` and write it to `dest`. Errors: those of frame(), and of the driver.
  constexpr result<void> send_packet(phys_addr dest, bytes_view packet) noexcept {
    if (packet.size() > MaxPacket) return errc::out_of_range;
    PMCI_TRY_ASSIGN(auto f, frame(dest, own_, packet, tx_));
    if (auto r = drv_->write(dest, f.subspan(1)); !r) {
      ++stats_.tx_errors;
      return r;
    }
    ++stats_.tx_packets;
    return ok();
  }

  /// A block write addressed to us arrived; `data` starts at the command code (what an I2C
  /// target HAL hands over). Returns the sender's address and the packet (a view into data),
  /// or why it was dropped (counted). Errors as unframe().
  constexpr result<received_packet> on_write_received(bytes_view data) noexcept {
    auto f = unframe(static_cast<std::uint8_t>(own_ << 1), data, MaxPacket);
    if (!f) {
      stats_.count_drop(f.error());
      return f.error();
    }
    ++stats_.rx_packets;
    return received_packet{f->source, f->packet};
  }

  /// Largest packet payload: MaxPacket - 4 (both ends must be configured alike; DSP0237 has
  /// no MTU negotiation that pmci relies on, i3c_smbus.md §2.2).
  [[nodiscard]] constexpr std::size_t max_packet_payload(phys_addr = 0) const noexcept {
    return MaxPacket - mctp_header_size;
  }
  [[nodiscard]] constexpr const link_stats& stats() const noexcept { return stats_; }

 private:
  Driver* drv_;
  std::uint8_t own_;
  link_stats stats_{};
  std::array<std::byte, frame_size(MaxPacket)> tx_{};
};

}  // namespace pmci::mctp::smbus
