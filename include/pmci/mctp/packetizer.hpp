// SPDX-License-Identifier: Apache-2.0
// Packetizer: one MCTP message -> a sequence of MCTP packets (DSP0236 §8.8, mctp.md §3).
//
//   pmci::mctp::packetizer p({.dest = 0x1D, .source = 0x08, .tag_owner = true, .tag = 3},
//                            pmci::mctp::msg_type::spdm, spdm_request, pmci::mctp::baseline_mtu);
//   std::array<std::byte, 4 + 64> pkt;
//   while (!p.done()) {
//     auto r = p.next(pkt);            // writes header + payload into pkt
//     if (!r) return r.error();
//     send(*r);                        // the written part of pkt
//   }
//
// Rules applied (mctp.md §3): every packet but the last carries exactly `mtu` payload bytes;
// SOM on the first, EOM on the last (both on a single packet); the sequence number starts at
// `first_seq` and increments mod 4; addressing, TO and tag are the same on every packet. The
// message is read in place: the only copy is the one into the caller's packet buffer. The type
// byte may be passed separately so a caller's body needs no room for it in front.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/mctp/packet.hpp"

namespace pmci::mctp {

/// Who a message goes to and how it is tagged (the same on every packet of the message).
struct address {
  eid dest = null_eid;
  eid source = null_eid;
  bool tag_owner = false;  ///< true for requests (we own the tag), false for responses
  std::uint8_t tag = 0;    ///< 0..7

  friend constexpr bool operator==(const address&, const address&) = default;
};

class packetizer {
 public:
  /// `message` is a whole MCTP message: type byte first, then the body.
  constexpr packetizer(address to, bytes_view message, std::size_t mtu = baseline_mtu,
                       std::uint8_t first_seq = 0) noexcept
      : addr_(to), body_(message), mtu_(mtu), seq_(first_seq), bad_(invalid(to, mtu, message.size(), first_seq)) {}
  /// Type byte (with the IC bit) given separately from the body, which is sent in place.
  constexpr packetizer(address to, message_header type, bytes_view body, std::size_t mtu = baseline_mtu,
                       std::uint8_t first_seq = 0) noexcept
      : addr_(to),
        body_(body),
        mtu_(mtu),
        seq_(first_seq),
        type_(type.to_byte()),
        has_type_(true),
        bad_(static_cast<std::uint8_t>(type.type) > 0x7F || invalid(to, mtu, 1, first_seq)) {}
  constexpr packetizer(address to, msg_type type, bytes_view body, std::size_t mtu = baseline_mtu,
                       std::uint8_t first_seq = 0) noexcept
      : packetizer(to, message_header{type, false}, body, mtu, first_seq) {}

  /// Write the next packet (4-byte header + up to `mtu` payload bytes) to the front of `out`
  /// and return the written part. Errors (the packetizer is left unchanged):
  ///  - errc::invalid_state     all packets were already produced (done());
  ///  - errc::invalid_field     mtu 0, empty message, type > 0x7F, tag > 7 or first_seq > 3;
  ///  - errc::buffer_too_small  out shorter than header::size + this packet's payload.
  constexpr result<bytes_span> next(bytes_span out) noexcept {
    const std::size_t total = size();
    if (pos_ != 0 && pos_ == total) return errc::invalid_state;  // done()
    if (bad_) return errc::invalid_field;  // checked once, at construction
    const std::size_t left = total - pos_;
    const std::size_t n = left < mtu_ ? left : mtu_;
    if (out.size() < header::size + n) return errc::buffer_too_small;

    // Header and payload written straight into `out` (its size was checked above); byte 3 as
    // header::flags_byte() (SOM, EOM, seq, TO, tag; all in range here).
    out[0] = std::byte{header_version};
    out[1] = std::byte{addr_.dest};
    out[2] = std::byte{addr_.source};
    unsigned flags = static_cast<unsigned>(seq_ << 4) | (addr_.tag_owner ? 0x08u : 0u) | addr_.tag;
    if (pos_ == 0) flags |= 0x80;   // SOM
    if (n == left) flags |= 0x40;   // EOM
    out[3] = std::byte{static_cast<std::uint8_t>(flags)};
    std::byte* o = out.data() + header::size;
    std::size_t from = pos_;  // offset in body_ of this packet's first body byte
    std::size_t count = n;
    if (has_type_) {
      if (from == 0) {
        *o++ = std::byte{type_};
        --count;
      } else {
        --from;
      }
    }
    // The one copy of the message (detail::copy_bytes: memmove or a byte loop, see packet.hpp).
    detail::copy_bytes(o, body_.data() + from, count);
    pos_ += n;
    seq_ = static_cast<std::uint8_t>((seq_ + 1) & seq_mask);
    return out.first(header::size + n);
  }

  /// Where the packetizer is: rewind() to it produces the same packets again (for a link that
  /// writes the packet next() produced and may have to write it again later).
  struct mark {
    std::size_t pos;
    std::uint8_t seq;
  };
  [[nodiscard]] constexpr mark tell() const noexcept { return {pos_, seq_}; }
  constexpr void rewind(mark m) noexcept {
    pos_ = m.pos;
    seq_ = m.seq;
  }

  /// True when every packet has been produced.
  [[nodiscard]] constexpr bool done() const noexcept { return pos_ != 0 && pos_ == size(); }
  /// Sequence number the next packet will carry (after the last packet: the one a following
  /// message may continue with, as libmctp's transmitter does).
  [[nodiscard]] constexpr std::uint8_t next_seq() const noexcept { return seq_; }
  /// Message size in bytes, type byte included.
  [[nodiscard]] constexpr std::size_t size() const noexcept { return body_.size() + (has_type_ ? 1 : 0); }
  /// Packets still to be produced.
  [[nodiscard]] constexpr std::size_t packets_left() const noexcept {
    return done() ? 0 : packet_count(size() - pos_, mtu_);
  }
  [[nodiscard]] constexpr const address& addressing() const noexcept { return addr_; }
  [[nodiscard]] constexpr std::size_t mtu() const noexcept { return mtu_; }

  /// Packets needed for a message of `message_size` bytes (type byte included) at payload MTU
  /// `mtu`: ceil(size / mtu); 0 for an empty message or mtu 0.
  static constexpr std::size_t packet_count(std::size_t message_size, std::size_t mtu) noexcept {
    return mtu == 0 ? 0 : (message_size + mtu - 1) / mtu;
  }
  /// Buffer size that holds any packet at payload MTU `mtu`.
  static constexpr std::size_t max_packet_size(std::size_t mtu) noexcept { return header::size + mtu; }

 private:
  address addr_;
  bytes_view body_;
  std::size_t mtu_;
  std::size_t pos_ = 0;  // bytes of the message already sent (type byte counts)
  std::uint8_t seq_;
  std::uint8_t type_ = 0;
  bool has_type_ = false;
  bool bad_ = false;  // mtu 0, empty message, type > 0x7F, tag > 7 or first_seq > 3: next() fails

  static constexpr bool invalid(const address& to, std::size_t mtu, std::size_t size, std::uint8_t seq) noexcept {
    return mtu == 0 || size == 0 || to.tag > max_tag || seq > seq_mask;
  }
};

}  // namespace pmci::mctp
