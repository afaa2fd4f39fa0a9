// SPDX-License-Identifier: Apache-2.0
// Assembler: MCTP packets -> whole MCTP messages (DSP0236 §8.8-8.9, mctp.md §3).
//
//   static pmci::mctp::assembler<2, 1024> rx{pmci::mctp::assembler_config{.timeout_ticks = 6000}};
//   if (auto msg = rx.receive(packet, now_ms)) {
//     // msg->source, msg->dest, msg->tag_owner, msg->tag, msg->type, msg->ic,
//     // msg->data (whole message, type byte first), msg->body (after the type byte);
//     // the spans stay valid until the next receive() or expire() call.
//   }
//   rx.expire(now_ms);   // from a timer, to reclaim contexts of messages that never finished
//
// `Contexts` messages can be in assembly at once; each holds up to `MaxMessage` bytes (type
// byte included). Storage is Contexts * MaxMessage bytes inside the object; nothing is
// allocated. Packets are matched to a context on (source EID, destination EID, tag, TO), as
// Linux does (mctp.md §3 item 4): a bridge or a multi-EID endpoint keeps messages to its
// different EIDs apart.
//
// Every packet that is not used is counted under exactly one drop_reason (and a partial
// message thrown away by it is included in that count, not counted twice). Drop rules:
//   too_short        packet < 4 bytes, or a packet with no payload (Linux drops these too)
//   bad_version      header version nibble != 1 (DSP0236 §8.1; Linux, Wireshark)
//   bad_source       source EID 0xFF: broadcast is never a source (libmctp mctp_bus_rx)
//   missing_som      a non-SOM packet that matches no message in assembly
//   out_of_sequence  sequence number != previous + 1 (mod 4): the partial message is dropped
//                    with the packet (libmctp test_seq, Linux "missing seq")
//   som_restart      a SOM for a key that is still assembling: the old partial message is
//                    dropped and the new one starts (liberal, as libmctp; Linux drops both).
//                    The new packet is *not* dropped; the count records the lost message.
//   too_large        the message would exceed MaxMessage: the partial message is dropped
//   middle_size      a middle packet's payload size differs from the first packet's
//   eom_too_large    the EOM packet's payload is larger than the first packet's
//                    (both: libmctp core.c; all packets but the last carry a full MTU)
//   timeout          a partial message older than timeout_ticks (measured from its SOM) was
//                    discarded by expire() or by a later receive()
//   no_context       a SOM arrived but all Contexts are busy (the new message is refused;
//                    messages in progress are never evicted by a newcomer)
//
// Ticks are whatever unit the caller counts in (ms, scheduler ticks); they are compared with
// unsigned wrap-around arithmetic, so a free-running 32-bit counter is fine.
//
// The engine is a non-template core over a span of contexts (assembler_core); the template
// only provides storage, so N different assembler sizes do not multiply the code in flash.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/mctp/packet.hpp"

namespace pmci::mctp {

enum class drop_reason : std::uint8_t {
  none = 0,
  too_short,
  bad_version,
  bad_source,
  missing_som,
  out_of_sequence,
  som_restart,
  too_large,
  middle_size,
  eom_too_large,
  timeout,
  no_context,
};
inline constexpr std::size_t drop_reason_count = 11;  // reasons other than none

/// A short name for logs ("out_of_sequence", ...). Never null.
[[nodiscard]] constexpr const char* to_string(drop_reason r) noexcept {
  constexpr const char* names[] = {"none",       "too_short",   "bad_version",   "bad_source",
                                   "missing_som", "out_of_sequence", "som_restart", "too_large",
                                   "middle_size", "eom_too_large", "timeout",      "no_context"};
  const auto i = static_cast<std::size_t>(r);
  return i <= drop_reason_count ? names[i] : "unknown";
}

/// One counter per drop reason.
struct drop_counters {
  std::array<std::uint32_t, drop_reason_count> by_reason{};

  [[nodiscard]] constexpr std::uint32_t operator[](drop_reason r) const noexcept {
    return r == drop_reason::none ? 0 : by_reason[static_cast<std::size_t>(r) - 1];
  }
  [[nodiscard]] constexpr std::uint32_t total() const noexcept {
    std::uint32_t t = 0;
    for (auto c : by_reason) t += c;
    return t;
  }
  constexpr void count(drop_reason r) noexcept {
    if (r != drop_reason::none) ++by_reason[static_cast<std::size_t>(r) - 1];
  }
  friend constexpr bool operator==(const drop_counters&, const drop_counters&) = default;
};

/// A whole message delivered by the assembler.
struct message {
  eid source = null_eid;
  eid dest = null_eid;
  bool tag_owner = false;
  std::uint8_t tag = 0;
  msg_type type = msg_type::control;
  bool ic = false;        ///< integrity check present (its format is type-specific: integrity.hpp)
  bytes_view data{};        ///< the whole message, type byte first
  bytes_view body{};        ///< data without the type byte
};

struct assembler_config {
  static constexpr std::uint32_t default_timeout = 6000;
  /// A partial message older than this (ticks since its SOM packet) is discarded. 0 = never.
  /// Linux and mctp-rs use 6 s (mctp.md §3 item 6); the default assumes millisecond ticks.
  std::uint32_t timeout_ticks = default_timeout;
};

namespace detail {

/// State of one message in assembly (no storage; the buffer lives in the assembler).
struct assembly_slot {
  bool busy = false;
  eid source = 0;
  eid dest = 0;
  std::uint8_t tag_to = 0;     // tag | TO << 3
  std::uint8_t next_seq = 0;   // expected sequence number of the next packet
  std::size_t first_size = 0;  // payload size of the SOM packet
  std::size_t length = 0;      // bytes assembled so far
  std::uint32_t started = 0;   // tick of the SOM packet
};

/// The engine shared by every assembler<C, M> (which holds it as a member after its slots:
/// the slot fields the receive path touches most then sit at the object's start, where
/// Thumb-2 has 2-byte load/store encodings).
class assembler_core {
 public:
  // The timeout is stored relative to the default so that a default-configured assembler is
  // all zero bytes: as a static object it then lands in .bss instead of costing its whole
  // size (Contexts x MaxMessage) in flash as a .data initializer image.
  constexpr explicit assembler_core(assembler_config cfg) noexcept
      : timeout_bias_(cfg.timeout_ticks ^ assembler_config::default_timeout) {}

  [[nodiscard]] constexpr const drop_counters& drops() const noexcept { return drops_; }
  constexpr void reset_drops() noexcept { drops_ = {}; }
  /// Why the packet of the most recent receive() was dropped (or som_restart when it started
  /// a new message over a partial one; timeout when a stale partial message was reclaimed on
  /// the way), none otherwise.
  [[nodiscard]] constexpr drop_reason last_drop() const noexcept { return last_; }
  [[nodiscard]] constexpr assembler_config config() const noexcept { return {timeout()}; }
  [[nodiscard]] constexpr std::uint32_t timeout() const noexcept {
    return timeout_bias_ ^ assembler_config::default_timeout;
  }

  PMCI_MCTP_COLD constexpr void drop(drop_reason r) noexcept {
    drops_.count(r);
    last_ = r;
  }

  // `t`: the timeout in force (timeout(), or a caller's compile-time constant, which folds).
  constexpr void expire(std::span<assembly_slot> slots, std::uint32_t now, std::uint32_t t) noexcept {
    if (t == 0) return;
    for (auto& s : slots)
      if (s.busy && static_cast<std::uint32_t>(now - s.started) >= t) {
        s.busy = false;
        drop(drop_reason::timeout);
      }
  }

  // Written for size as well as speed: the header is read field by field (no decoded header
  // struct), every drop leaves the loop-once block with its reason and goes through one
  // out-of-line call.
  constexpr std::optional<message> receive(std::span<assembly_slot> slots, bytes_span storage,
                                           std::size_t max_message, bytes_view packet, std::uint32_t now,
                                           std::uint32_t timeout_ticks) noexcept {
    last_ = drop_reason::none;
    expire(slots, now, timeout_ticks);

    drop_reason why;
    assembly_slot* discard = nullptr;  // the partial message a drop throws away
    do {
      // DSP0236 §8.1 (mctp.md §1): byte 0 low nibble = header version, then dest, source, and
      // SOM | EOM | seq (2) | TO | tag (3). The reserved nibble of byte 0 is ignored.
      why = drop_reason::too_short;
      if (packet.size() < header::size) break;
      why = drop_reason::bad_version;
      if ((std::to_integer<std::uint8_t>(packet[0]) & 0x0F) != header_version) break;
      const eid dest = std::to_integer<std::uint8_t>(packet[1]);
      const eid source = std::to_integer<std::uint8_t>(packet[2]);
      const auto flags = std::to_integer<std::uint8_t>(packet[3]);
      why = drop_reason::bad_source;
      if (source == broadcast_eid) break;
      const std::size_t size = packet.size() - header::size;  // payload bytes
      why = drop_reason::too_short;
      if (size == 0) break;
      const bool som = (flags & 0x80) != 0;
      const bool eom = (flags & 0x40) != 0;
      const auto seq = static_cast<std::uint8_t>((flags >> 4) & seq_mask);
      const auto key = static_cast<std::uint8_t>(flags & 0x0F);  // TO << 3 | tag

      // One pass: the context of this (source, dest, tag, TO), and the first free one.
      assembly_slot* slot = nullptr;
      assembly_slot* free_slot = nullptr;
      for (auto& s : slots) {
        if (!s.busy) {
          if (!free_slot) free_slot = &s;
        } else if (s.source == source && s.dest == dest && s.tag_to == key) {
          slot = &s;
        }
      }

      if (som) {
        if (slot) drop(drop_reason::som_restart);  // DSP0236 §8.8 / mctp.md §3.5: restart liberally
        else slot = free_slot;
        why = drop_reason::no_context;
        if (!slot) break;
        *slot = assembly_slot{true, source, dest, key, seq, size, 0, now};
      } else {
        why = drop_reason::missing_som;
        if (!slot) break;
        discard = slot;
        why = drop_reason::out_of_sequence;
        if (seq != slot->next_seq) break;
        why = drop_reason::middle_size;
        if (!eom && size != slot->first_size) break;
        why = drop_reason::eom_too_large;
        if (eom && size > slot->first_size) break;
      }
      discard = slot;
      why = drop_reason::too_large;
      if (size > max_message - slot->length) break;

      std::byte* const buf = storage.data() + static_cast<std::size_t>(slot - slots.data()) * max_message;
      // The one copy per byte (detail::copy_bytes: memmove or a byte loop, see packet.hpp).
      detail::copy_bytes(buf + slot->length, packet.data() + header::size, size);
      slot->length += size;
      slot->next_seq = static_cast<std::uint8_t>((seq + 1) & seq_mask);
      if (!eom) return std::nullopt;

      // Complete: the slot is free again; its bytes stay untouched until the next receive().
      slot->busy = false;
      const auto type = std::to_integer<std::uint8_t>(buf[0]);
      const bytes_view data{buf, slot->length};
#if defined(__cpp_aggregate_paren_init) && __cpp_aggregate_paren_init >= 201902L
      // Constructed in place in the returned optional (C++20 parenthesized aggregate init):
      // 60 bytes smaller on Cortex-M4 than converting a message temporary.
      return std::optional<message>{std::in_place,
                                    source,
                                    dest,
                                    (key & 0x08) != 0,
                                    static_cast<std::uint8_t>(key & max_tag),
                                    static_cast<msg_type>(type & 0x7F),
                                    (type & message_header::ic_bit) != 0,
                                    data,
                                    data.subspan(1)};
#else
      return message{source,
                     dest,
                     (key & 0x08) != 0,
                     static_cast<std::uint8_t>(key & max_tag),
                     static_cast<msg_type>(type & 0x7F),
                     (type & message_header::ic_bit) != 0,
                     data,
                     data.subspan(1)};
#endif
    } while (false);
    fail(why, discard);
    return std::nullopt;
  }

  PMCI_MCTP_COLD constexpr void fail(drop_reason r, assembly_slot* discard = nullptr) noexcept {
    if (discard) discard->busy = false;
    drop(r);
  }

 private:
  std::uint32_t timeout_bias_;
  drop_counters drops_{};
  drop_reason last_ = drop_reason::none;
};

}  // namespace detail

template <std::size_t Contexts, std::size_t MaxMessage>
class assembler {
  static_assert(Contexts >= 1, "an assembler needs at least one reassembly context");
  static_assert(MaxMessage >= 1, "MaxMessage counts the message type byte, so it is at least 1");

 public:
  static constexpr std::size_t contexts = Contexts;
  static constexpr std::size_t max_message = MaxMessage;

  constexpr assembler() noexcept : core_(assembler_config{}) {}
  constexpr explicit assembler(assembler_config cfg) noexcept : core_(cfg) {}

  /// Feed one MCTP packet (4-byte header + payload, binding framing already removed).
  /// Returns the completed message when this packet was the last of one, else nullopt; drops
  /// are counted in drops() and the reason of this call's drop is last_drop(). The returned
  /// spans point into this assembler and are valid until the next receive() or expire().
  constexpr std::optional<message> receive(bytes_view packet, std::uint32_t now_ticks) noexcept {
    return receive(packet, now_ticks, core_.timeout());
  }
  /// Discard partial messages older than the timeout (counted as drop_reason::timeout).
  constexpr void expire(std::uint32_t now_ticks) noexcept { expire(now_ticks, core_.timeout()); }
  /// receive() and expire() with `timeout_ticks` in force instead of the configured timeout: for
  /// a caller that fixes it at compile time (mctp::endpoint with Cfg::fixed_timeouts), where the
  /// constant folds the timeout checks away.
  constexpr std::optional<message> receive(bytes_view packet, std::uint32_t now_ticks,
                                           std::uint32_t timeout_ticks) noexcept {
    return core_.receive(slots_, storage_, MaxMessage, packet, now_ticks, timeout_ticks);
  }
  constexpr void expire(std::uint32_t now_ticks, std::uint32_t timeout_ticks) noexcept {
    core_.expire(slots_, now_ticks, timeout_ticks);
  }
  /// Discard every partial message without counting (e.g. on a bus reset).
  constexpr void reset() noexcept {
    for (auto& s : slots_) s.busy = false;
  }
  /// Messages currently in assembly.
  [[nodiscard]] constexpr std::size_t in_progress() const noexcept {
    std::size_t n = 0;
    for (const auto& s : slots_) n += s.busy ? 1 : 0;
    return n;
  }

  /// Packets dropped so far, per reason.
  [[nodiscard]] constexpr const drop_counters& drops() const noexcept { return core_.drops(); }
  constexpr void reset_drops() noexcept { core_.reset_drops(); }
  /// Why the packet of the most recent receive() was dropped (or som_restart when it started
  /// a new message over a partial one; timeout when a stale partial message was reclaimed on
  /// the way), none otherwise.
  [[nodiscard]] constexpr drop_reason last_drop() const noexcept { return core_.last_drop(); }
  [[nodiscard]] constexpr assembler_config config() const noexcept { return core_.config(); }

 private:
  std::array<detail::assembly_slot, Contexts> slots_{};
  detail::assembler_core core_;
  std::array<std::byte, Contexts * MaxMessage> storage_{};
};

}  // namespace pmci::mctp
