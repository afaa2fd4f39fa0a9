// SPDX-License-Identifier: Apache-2.0
// What the MCTP physical bindings (i3c.hpp, smbus.hpp) have in common: physical addresses,
// the received-packet view, per-link drop counters, and the `link` concept an endpoint sends
// through.
//
// A binding never delivers a frame it could not verify: a short frame, a frame longer than the
// negotiated limit, a bad PEC or a malformed binding header is dropped and counted in
// link_stats, and the caller gets the errc that says why (i3c_smbus.md §1.1, §2.1).
#pragma once
#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/core/assert.hpp"
#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"

namespace pmci::mctp {

/// A physical address on one bus: an I3C dynamic address or a 7-bit I2C/SMBus address
/// (never shifted; the R/W bit is added by the binding).
using phys_addr = std::uint8_t;

/// One MCTP packet (4-byte transport header + payload) that passed the binding's checks, and
/// the physical address it came from. `packet` views the binding's or the caller's buffer.
struct received_packet {
  phys_addr from = 0;
  bytes_view packet{};
};

/// Counters a binding keeps. Every frame that is not delivered increments exactly one rx_*
/// field (or empty_reads / ibi_ignored for bus events that carried no packet).
struct link_stats {
  std::uint32_t tx_packets = 0;     ///< frames handed to the bus driver successfully
  std::uint32_t tx_errors = 0;      ///< the bus driver refused or failed a transfer
  std::uint32_t rx_packets = 0;     ///< frames that passed every check and were delivered
  std::uint32_t rx_short = 0;       ///< shorter than the binding's minimum (errc::truncated)
  std::uint32_t rx_too_long = 0;    ///< longer than the negotiated limit (errc::out_of_range)
  std::uint32_t rx_bad_pec = 0;     ///< PEC mismatch (errc::integrity_error)
  std::uint32_t rx_malformed = 0;   ///< binding header wrong (SMBus command/count/address bits)
  std::uint32_t rx_bus_errors = 0;  ///< the driver reported an error on a read
  std::uint32_t empty_reads = 0;    ///< a private read found nothing to read (target NACK)
  std::uint32_t ibi_ignored = 0;    ///< IBI from an unknown address or with a non-MCTP MDB

  /// Frames received but dropped by the binding.
  [[nodiscard]] constexpr std::uint32_t rx_dropped() const noexcept {
    return rx_short + rx_too_long + rx_bad_pec + rx_malformed;
  }
  /// Count a frame the binding rejected with `e`.
  constexpr void count_drop(errc e) noexcept {
    switch (e) {
      case errc::truncated: ++rx_short; break;
      case errc::out_of_range: ++rx_too_long; break;
      case errc::integrity_error: ++rx_bad_pec; break;
      default: ++rx_malformed; break;
    }
  }
};

/// What an mctp::endpoint needs from a binding (the `packet_link` concept): send one MCTP packet to a physical address,
/// and the largest packet payload (MTU, excluding the 4-byte MCTP header) towards it.
/// send_packet returns errc::busy when the packet cannot be taken now but may be later (a full
/// target queue); the endpoint keeps the rest of the message and retries in flush().
template <class L>
concept packet_link = requires(L& l, const L& cl, phys_addr a, bytes_view packet) {
  { l.send_packet(a, packet) } -> std::same_as<result<void>>;
  { cl.max_packet_payload(a) } -> std::convertible_to<std::size_t>;
};

namespace detail {

/// A FIFO of up to Depth frames of up to MaxFrame bytes each, in fixed storage.
template <std::size_t Depth, std::size_t MaxFrame>
class frame_ring {
  static_assert(Depth > 0 && MaxFrame > 0, "frame_ring needs a depth and a frame size");

 public:
  [[nodiscard]] constexpr bool empty() const noexcept { return count_ == 0; }
  [[nodiscard]] constexpr bool full() const noexcept { return count_ == Depth; }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return count_; }
  [[nodiscard]] static constexpr std::size_t capacity() noexcept { return Depth; }

  /// Storage for the next frame to push; fill it, then commit(n). Asserts when full.
  [[nodiscard]] constexpr bytes_span back_storage() noexcept {
    PMCI_ASSERT(!full());
    return slots_[(head_ + count_) % Depth];
  }
  constexpr void commit(std::size_t n) noexcept {
    PMCI_ASSERT(!full() && n <= MaxFrame);
    sizes_[(head_ + count_) % Depth] = n;
    ++count_;
  }
  /// Copy a frame in; errc::busy when full, buffer_too_small when it does not fit a slot.
  constexpr result<void> push(bytes_view frame) noexcept {
    if (full()) return errc::busy;
    PMCI_TRY_ASSIGN(auto w, copy(frame, back_storage()));
    commit(w.size());
    return ok();
  }
  [[nodiscard]] constexpr bytes_view front() const noexcept {
    PMCI_ASSERT(!empty());
    return bytes_view(slots_[head_]).first(sizes_[head_]);
  }
  constexpr void pop() noexcept {
    PMCI_ASSERT(!empty());
    head_ = (head_ + 1) % Depth;
    --count_;
  }
  constexpr void clear() noexcept { head_ = count_ = 0; }

 private:
  std::array<std::array<std::byte, MaxFrame>, Depth> slots_{};
  std::array<std::size_t, Depth> sizes_{};
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

}  // namespace detail
}  // namespace pmci::mctp
