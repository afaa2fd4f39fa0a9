// SPDX-License-Identifier: Apache-2.0
// MCTP over I3C (DSP0233): framing, MTU rules, and the controller and target sides.
//
// One I3C SDR private transfer carries one MCTP packet followed by one PEC byte
// (i3c_smbus.md §1.1):
//
//     +-----------------------------+---------------------+-----+
//     | MCTP transport header (4)   | packet payload (N)  | PEC |
//     +-----------------------------+---------------------+-----+
//
// The PEC is the SMBus CRC-8 (poly 0x07, init 0) over the *target's* dynamic address byte with
// the R/W bit — (addr << 1) | 0 for a controller private write, (addr << 1) | 1 for a private
// read — followed by every byte of the packet. The address byte is not part of the data; this
// is not the MIPI hardware PEC.
//
// Target → controller traffic: the target queues the frame for the next private read and
// raises an IBI with mandatory data byte 0xAE ("MCTP pending read"); the controller then does
// the read (with length = MRL; the target ends it early). Targets without IBI are polled.
//
// Both sides are objects over a small bus-driver concept (controller_driver, target_driver)
// that the user implements on their HAL; see docs/bindings.md and examples/i3c_hal/.
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
#include "pmci/mctp/packetizer.hpp"

namespace pmci::mctp::detail {
/// The PEC loop: pmci::crc8_update(crc8_update(0, address byte), packet) as one loop. The CRC
/// of a single byte from 0 starts with that byte, so the address byte is the initial register
/// and each further byte is XORed in after 8 shifts (smaller in flash than two crc8_update
/// calls; tests/mctp/i3c_test.cpp checks it against crc8_update). Pointer + size rather than a
/// span: GCC passes a span argument of an out-of-line call through the stack.
constexpr std::uint8_t i3c_pec(std::uint8_t address_byte, const std::byte* data, std::size_t size) noexcept {
  std::uint8_t crc = address_byte;
  for (std::size_t i = 0;; ++i) {
    for (int bit = 0; bit < 8; ++bit) crc = static_cast<std::uint8_t>((crc & 0x80) ? (crc << 1) ^ 0x07 : crc << 1);
    if (i == size) return crc;
    crc ^= std::to_integer<std::uint8_t>(data[i]);
  }
}
}  // namespace pmci::mctp::detail

namespace pmci::mctp::i3c {

/// IBI mandatory data byte "MCTP pending read" (DSP0233; i3c_smbus.md §1.4). It lies in the
/// MIPI "pending read notification" MDB group (MDB[7:5] = 101b).
inline constexpr std::uint8_t mdb_pending_read = 0xAE;
/// Device Characteristics Register value of an MCTP device (i3c_smbus.md §1.3).
inline constexpr std::uint8_t dcr_mctp = 0xCC;
/// Bus Characteristics Register bits (MIPI I3C): BCR[1] the device can raise IBIs, BCR[2] its
/// IBIs carry a mandatory data byte (i3c_smbus.md §1.3 for bit 2).
inline constexpr std::uint8_t bcr_ibi_capable = 0x02;
inline constexpr std::uint8_t bcr_ibi_payload = 0x04;

inline constexpr std::size_t header_size = header::size;         ///< MCTP transport header
inline constexpr std::size_t baseline_payload = baseline_mtu;   ///< DSP0236 baseline unit (64)
inline constexpr std::size_t baseline_packet = header_size + baseline_payload;  ///< 68
inline constexpr std::size_t pec_size = 1;
/// Shortest valid transfer: header, no payload, PEC (Linux MCTP_I3C_MINLEN; i3c_smbus.md §1.1).
inline constexpr std::size_t min_frame = header_size + pec_size;
inline constexpr std::size_t baseline_frame = baseline_packet + pec_size;  ///< 69

/// Direction of a private transfer; the value is the R/W bit of the address byte.
enum class direction : std::uint8_t { write = 0, read = 1 };

/// True for the DCR that identifies an MCTP-capable I3C device.
[[nodiscard]] constexpr bool is_mctp_device(std::uint8_t dcr) noexcept { return dcr == dcr_mctp; }

/// The address byte the PEC starts with: (dynamic address << 1) | R/W.
[[nodiscard]] constexpr std::uint8_t address_byte(std::uint8_t dynamic_address, direction d) noexcept {
  return static_cast<std::uint8_t>((dynamic_address << 1) | static_cast<std::uint8_t>(d));
}


/// PEC of a packet sent to/read from the target at `dynamic_address` (i3c_smbus.md §1.1).
[[nodiscard]] constexpr std::uint8_t pec(std::uint8_t dynamic_address, direction d, bytes_view packet) noexcept {
  return mctp::detail::i3c_pec(address_byte(dynamic_address, d), packet.data(), packet.size());
}

/// The largest frame (packet + PEC) allowed by a GETMWL/GETMRL value. Every MCTP endpoint must
/// carry baseline packets (mctp.md §1.2), so a value below 69 — including 0, "not reported" —
/// is read as the baseline 69 rather than making the device unreachable.
[[nodiscard]] constexpr std::size_t frame_limit(std::uint16_t mwl_or_mrl) noexcept {
  return std::max<std::size_t>(mwl_or_mrl, baseline_frame);
}
/// Packet payload MTU within a GETMWL/GETMRL value and a local packet capacity (header +
/// payload, at least baseline_packet): min(limit - PEC, max_packet) - header.
[[nodiscard]] constexpr std::size_t payload_mtu(std::uint16_t mwl_or_mrl, std::size_t max_packet) noexcept {
  return std::min(frame_limit(mwl_or_mrl) - pec_size, std::max(max_packet, baseline_packet)) - header_size;
}

/// Write `packet` + PEC into `out` for a transfer in direction `d` with the target at
/// `dynamic_address`. Returns the frame (a prefix of out).
/// Errors: truncated (packet shorter than an MCTP header), invalid_field (address > 0x7F),
/// buffer_too_small.
constexpr result<bytes_span> frame(std::uint8_t dynamic_address, direction d, bytes_view packet,
                                   bytes_span out) noexcept {
  if (packet.size() < header_size) return errc::truncated;
  if (dynamic_address > 0x7F) return errc::invalid_field;
  if (out.size() <= packet.size()) return errc::buffer_too_small;
  detail::copy_bytes(out.data(), packet.data(), packet.size());
  out[packet.size()] = std::byte{pec(dynamic_address, d, packet)};
  return out.first(packet.size() + pec_size);
}

/// Check a received frame and return the MCTP packet inside it (a view into `frame`).
/// `max_frame` is the negotiated limit for this direction (see frame_limit()).
/// Errors: truncated (< 5 bytes), out_of_range (longer than max_frame), integrity_error (PEC).
constexpr result<bytes_view> unframe(std::uint8_t dynamic_address, direction d, bytes_view frame,
                                     std::size_t max_frame = baseline_frame) noexcept {
  if (frame.size() < min_frame) return errc::truncated;
  if (frame.size() > max_frame) return errc::out_of_range;
  const auto packet = frame.first(frame.size() - pec_size);
  if (pec(dynamic_address, d, packet) != std::to_integer<std::uint8_t>(frame.back())) return errc::integrity_error;
  return packet;
}

// ---------------------------------------------------------------------------------------------
// Bus-driver concepts: the few HAL calls the binding needs (Zephyr names in comments).

/// Controller side. private_write sends `frame` in one SDR private write
/// (Zephyr: i3c_write(desc, buf, len)); private_read reads up to out.size() bytes in one SDR
/// private read that the target may end early (Zephyr: i3c_read / i3c_transfer with
/// I3C_MSG_READ) and returns how many it got. A target NACK (nothing to read) is
/// errc::not_ready; errc::busy from private_write means "retry later"; any other error counts
/// as a bus error.
template <class D>
concept controller_driver = requires(D& d, std::uint8_t addr, bytes_view frame, bytes_span out) {
  { d.private_write(addr, frame) } -> std::same_as<result<void>>;
  { d.private_read(addr, out) } -> std::same_as<result<std::size_t>>;
};

/// Target side. dynamic_address() is the address the controller assigned (0 before DAA);
/// max_write_length()/max_read_length() the device's MWL/MRL as the controller sees them with
/// GETMWL/GETMRL; load_read_data() hands the HAL the frame the controller's next private read
/// returns (Zephyr: i3c_target_tx_write); raise_ibi(mdb) raises an IBI carrying one mandatory
/// data byte (Zephyr: i3c_ibi_raise with I3C_IBI_TARGET_INTR). A target without IBI returns
/// errc::unsupported from raise_ibi and is polled by the controller.
template <class D>
concept target_driver = requires(D& d, const D& cd, bytes_view frame, std::uint8_t mdb) {
  { cd.dynamic_address() } -> std::convertible_to<std::uint8_t>;
  { cd.max_write_length() } -> std::convertible_to<std::uint16_t>;
  { cd.max_read_length() } -> std::convertible_to<std::uint16_t>;
  { d.load_read_data(frame) } -> std::same_as<result<void>>;
  { d.raise_ibi(mdb) } -> std::same_as<result<void>>;
};

/// What the controller knows about one target after dynamic address assignment (DAA) and the
/// GETBCR/GETDCR/GETMWL/GETMRL CCCs.
struct target_info {
  std::uint8_t dynamic_address = 0;
  std::uint8_t bcr = bcr_ibi_capable | bcr_ibi_payload;
  std::uint8_t dcr = dcr_mctp;
  std::uint16_t mwl = baseline_frame;  ///< 0 = not reported (baseline)
  std::uint16_t mrl = baseline_frame;  ///< 0 = not reported (baseline)
};

// ---------------------------------------------------------------------------------------------
/// The I3C controller (bus owner) side of the binding, for up to MaxTargets MCTP targets and
/// packets of up to MaxPacket bytes (header + payload) in either direction. Models mctp::packet_link.
///
///   - send_packet(addr, packet): one private write of packet + PEC, refused with out_of_range
///     if packet + PEC exceeds the target's MWL (Linux drops such packets; i3c_smbus.md §1.2);
///     send_next(addr, packetizer) the same with the packet written in place.
///   - on_ibi(addr, payload): call from the HAL's IBI callback; only schedules a read, so it
///     is safe in interrupt context.
///   - poll(): schedules reads from targets that cannot raise IBIs (BCR[1] clear).
///   - receive(): does the scheduled private reads (length = min(MRL, MaxPacket + 1)) until one
///     yields a valid packet; returns it, or errc::not_ready when nothing is left to read.
template <class Driver, std::size_t MaxTargets, std::size_t MaxPacket = baseline_packet>
class controller {
  static_assert(controller_driver<Driver>,
                "The I3C controller driver must provide result<void> private_write(uint8_t, bytes_view) "
                "and result<size_t> private_read(uint8_t, bytes_span)");
  static_assert(MaxPacket >= baseline_packet, "MaxPacket must hold at least a baseline MCTP packet (68 bytes)");
  static_assert(MaxTargets > 0 && MaxTargets < 128, "MaxTargets must be 1..127");

 public:
  /// Not attached to a driver yet, all state zero (a static controller lands in .bss):
  /// call attach() before anything else.
  constexpr controller() noexcept = default;
  constexpr explicit controller(Driver& driver) noexcept : drv_(&driver) {}
  /// Use `driver` from now on (it must outlive the controller).
  constexpr void attach(Driver& driver) noexcept { drv_ = &driver; }

  /// Register an MCTP target. Errors: invalid_field (address 0 or > 0x7E, or already known),
  /// no_resources (MaxTargets reached). Does not check the DCR: use is_mctp_device() to pick
  /// targets during discovery.
  constexpr result<void> add_target(const target_info& t) noexcept {
    if (t.dynamic_address == 0 || t.dynamic_address > 0x7E || find(t.dynamic_address)) return errc::invalid_field;
    if (count_ == MaxTargets) return errc::no_resources;
    targets_[count_++] = slot{t.dynamic_address, t.mwl, t.mrl, (t.bcr & bcr_ibi_capable) != 0, false};
    return ok();
  }
  /// Forget a target (e.g. after it left the bus). errc::invalid_field if unknown.
  constexpr result<void> remove_target(std::uint8_t addr) noexcept {
    slot* s = find(addr);
    if (!s) return errc::invalid_field;
    *s = targets_[--count_];
    return ok();
  }
  [[nodiscard]] constexpr bool has_target(std::uint8_t addr) const noexcept { return find(addr) != nullptr; }

  /// Frame `packet` and write it to the target. Errors: invalid_field (unknown target),
  /// out_of_range (too long for the target's MWL or MaxPacket), truncated (packet < 4 bytes),
  /// and whatever the driver returns (errc::busy = retry later).
  constexpr result<void> send_packet(phys_addr addr, bytes_view packet) noexcept {
    const slot* s = find(addr);
    if (!s) return errc::invalid_field;
    if (packet.size() > header_size + payload_mtu(s->mwl, MaxPacket)) return errc::out_of_range;
    PMCI_TRY_ASSIGN(auto f, frame(addr, direction::write, packet, tx_));
    if (auto r = drv_->private_write(addr, f); !r) {
      ++stats_.tx_errors;
      return r;
    }
    ++stats_.tx_packets;
    return ok();
  }

  /// Zero-copy sending (mctp::endpoint uses it): write the next packet of `p` straight into the
  /// write buffer, add the PEC and write it to the target, as send_packet() would the packet
  /// p.next() produced: the same errors and statistics (tests/mctp/i3c_test.cpp holds the two
  /// to each other). After errc::busy, or an unknown target, `p` is unchanged (call again), so
  /// no packet buffer is needed in front of the binding. p's MTU must be at most MaxPacket - 4
  /// (max_packet_payload() never says more); a larger one fails with buffer_too_small.
  /// Errors: invalid_field (unknown target), p.next()'s errors, out_of_range (the packet
  /// exceeds the target's MWL), and the driver's.
  constexpr result<void> send_next(phys_addr addr, packetizer& p) noexcept {
    const slot* s = find(addr);
    if (!s) return errc::invalid_field;
    const packetizer::mark before = p.tell();  // where p goes back to if the packet is not out
    // MaxPacket bytes: p's MTU is never above payload_mtu(.., MaxPacket) (max_packet_payload()),
    // so p.next() fails only for p's own reasons.
    PMCI_TRY_ASSIGN(const bytes_span packet, p.next(bytes_span(tx_).first(MaxPacket)));
    if (packet.size() > header_size + payload_mtu(s->mwl, MaxPacket)) return errc::out_of_range;
    tx_[packet.size()] = std::byte{pec(addr, direction::write, packet)};
    const auto r = drv_->private_write(addr, bytes_view(tx_).first(packet.size() + pec_size));
    if (r == errc::busy) p.rewind(before);
    if (!r) {
      ++stats_.tx_errors;
      return r;
    }
    ++stats_.tx_packets;
    return ok();
  }

  /// Largest packet payload towards (and from) `addr`: limited by its MWL, and MaxPacket.
  [[nodiscard]] constexpr std::size_t max_packet_payload(phys_addr addr) const noexcept {
    const slot* s = find(addr);
    return s ? payload_mtu(s->mwl, MaxPacket) : baseline_payload;
  }

  /// An IBI arrived from `addr` with `payload` (MDB first). Schedules a private read when the
  /// MDB is 0xAE, or when there is no payload (Linux reads then too; i3c_smbus.md §1.4).
  /// IBIs from unknown addresses or with another MDB are counted in ibi_ignored.
  /// Returns true when a read was scheduled.
  constexpr bool on_ibi(std::uint8_t addr, bytes_view payload) noexcept {
    slot* s = find(addr);
    if (!s || (!payload.empty() && std::to_integer<std::uint8_t>(payload[0]) != mdb_pending_read)) {
      ++stats_.ibi_ignored;
      return false;
    }
    s->pending = true;
    return true;
  }

  /// Schedule a read from every target without IBI (polling mode). Call it periodically.
  constexpr void poll() noexcept {
    for (std::size_t i = 0; i < active(); ++i)
      if (!targets_[i].ibi) targets_[i].pending = true;
  }
  /// Schedule a read from one target regardless of its mode. errc::invalid_field if unknown.
  constexpr result<void> poll(std::uint8_t addr) noexcept {
    slot* s = find(addr);
    if (!s) return errc::invalid_field;
    s->pending = true;
    return ok();
  }
  /// True when some read is scheduled.
  [[nodiscard]] constexpr bool read_pending() const noexcept {
    for (std::size_t i = 0; i < active(); ++i)
      if (targets_[i].pending) return true;
    return false;
  }

  /// Perform scheduled reads, round robin over targets, until one returns a valid packet.
  /// An IBI target gets one read per IBI (it raises another for its next packet); a polled
  /// target stays scheduled until a read finds nothing. The returned packet views an internal
  /// buffer valid until the next receive(). errc::not_ready when nothing (more) is pending.
  constexpr result<received_packet> receive() noexcept {
    for (std::size_t n = 0; n < active(); ++n) {
      // One target: always slot 0 (count_ <= 1), no division.
      const std::size_t i = MaxTargets == 1 ? 0 : (next_ + n) % count_;
      slot& s = targets_[i];
      if (!s.pending) continue;
      if (s.ibi) s.pending = false;
      const std::size_t limit = std::min(frame_limit(s.mrl), rx_.size());
      auto got = drv_->private_read(s.addr, bytes_span(rx_).first(limit));
      if (!got || *got == 0) {
        s.pending = false;
        if (!got && got.error() != errc::not_ready) ++stats_.rx_bus_errors;
        else ++stats_.empty_reads;
        continue;
      }
      if constexpr (MaxTargets > 1) next_ = i + 1;
      auto p = unframe(s.addr, direction::read, bytes_view(rx_).first(std::min(*got, limit)), limit);
      if (!p) {
        stats_.count_drop(p.error());
        continue;
      }
      ++stats_.rx_packets;
      return received_packet{s.addr, *p};
    }
    return errc::not_ready;
  }

  [[nodiscard]] constexpr const link_stats& stats() const noexcept { return stats_; }
  [[nodiscard]] constexpr std::size_t target_count() const noexcept { return count_; }

 private:
  struct slot {
    std::uint8_t addr = 0;
    std::uint16_t mwl = 0;
    std::uint16_t mrl = 0;
    bool ibi = false;
    bool pending = false;
  };
  // With one target the search is one compare, inlined at each call (Cortex-M4: -12 B
  // requester_attest against a call); with more, one out-of-line loop.
  PMCI_MCTP_INLINE constexpr slot* find(std::uint8_t addr) noexcept {
    if constexpr (MaxTargets == 1) return scan(addr);
    else return search(addr);
  }
  PMCI_MCTP_INLINE constexpr const slot* find(std::uint8_t addr) const noexcept {
    return const_cast<controller*>(this)->find(addr);  // scan() writes nothing
  }
  constexpr slot* search(std::uint8_t addr) noexcept { return scan(addr); }
  // The targets in use. count_ never exceeds MaxTargets; the bound says so, so that a
  // one-target controller's loops fold to one check.
  [[nodiscard]] PMCI_MCTP_INLINE constexpr std::size_t active() const noexcept { return std::min(count_, MaxTargets); }
  PMCI_MCTP_INLINE constexpr slot* scan(std::uint8_t addr) noexcept {
    for (std::size_t i = 0; i < active(); ++i)
      if (targets_[i].addr == addr) return &targets_[i];
    return nullptr;
  }

  Driver* drv_ = nullptr;
  std::array<slot, MaxTargets> targets_{};
  std::size_t count_ = 0;
  std::size_t next_ = 0;
  link_stats stats_{};
  std::array<std::byte, MaxPacket + pec_size> tx_{};
  std::array<std::byte, MaxPacket + pec_size> rx_{};
};

// ---------------------------------------------------------------------------------------------
/// The I3C target side: packets of up to MaxPacket bytes, up to TxDepth frames queued for the
/// controller to read. Models mctp::packet_link (the physical address argument is ignored: a target
/// talks only to the controller).
///
///   - on_private_write(frame): call from the HAL's write-received callback; returns the packet
///     (a view into `frame`) or why it was dropped (counted).
///   - send_packet(packet): frames and queues it; the head of the queue is loaded into the HAL
///     and announced with IBI 0xAE. errc::busy when TxDepth frames are waiting.
///   - on_read_complete(): call when the controller has read the loaded frame; loads the next
///     one and raises the next IBI.
template <class Driver, std::size_t MaxPacket = baseline_packet, std::size_t TxDepth = 2>
class target {
  static_assert(target_driver<Driver>,
                "The I3C target driver must provide dynamic_address(), max_write_length(), max_read_length(), "
                "result<void> load_read_data(bytes_view) and result<void> raise_ibi(uint8_t)");
  static_assert(MaxPacket >= baseline_packet, "MaxPacket must hold at least a baseline MCTP packet (68 bytes)");
  static_assert(TxDepth > 0, "TxDepth must be at least 1");

 public:
  /// Not attached to a driver yet, all state zero (a static target lands in .bss, its frame
  /// queue included): call attach() before anything else.
  constexpr target() noexcept = default;
  constexpr explicit target(Driver& driver) noexcept : drv_(&driver) {}
  /// Use `driver` from now on (it must outlive the target).
  constexpr void attach(Driver& driver) noexcept { drv_ = &driver; }

  /// Check a frame the controller wrote to us (limit: our MWL, or MaxPacket + PEC).
  /// Errors (all counted): truncated, out_of_range, integrity_error.
  PMCI_MCTP_INLINE constexpr result<bytes_view> on_private_write(bytes_view frame) noexcept {
    const std::size_t limit = std::min(frame_limit(drv_->max_write_length()), MaxPacket + pec_size);
    auto p = unframe(drv_->dynamic_address(), direction::write, frame, limit);
    if (!p) {
      stats_.count_drop(p.error());
      return p.error();
    }
    ++stats_.rx_packets;
    return p;
  }

  /// Queue one packet for the controller. Errors: out_of_range (beyond our MRL or MaxPacket),
  /// truncated (< 4 bytes), not_ready (no dynamic address yet), busy (queue full; retry after
  /// on_read_complete).
  constexpr result<void> send_packet(phys_addr /*controller*/, bytes_view packet) noexcept {
    PMCI_TRY_ASSIGN(const std::uint8_t addr, check_send(packet.size()));
    std::byte* const slot = tx_.back_storage().data();
    detail::copy_bytes(slot, packet.data(), packet.size());
    queue(addr, slot, packet.size());
    return ok();
  }

  /// Zero-copy sending: write the next packet of `p` straight into the read queue (the
  /// packetizer's one copy of the message is the only one), add the PEC and queue it as
  /// send_packet() does. Errors: not_ready (no dynamic address yet), busy (queue full; `p` is
  /// unchanged: call again after on_read_complete), and p.next()'s errors (buffer_too_small
  /// when p's MTU exceeds max_packet_payload()).
  constexpr result<void> send_next(packetizer& p) noexcept {
    const std::uint8_t addr = drv_->dynamic_address();
    if (addr == 0) return errc::not_ready;
    if (addr > 0x7F) return errc::invalid_field;
    if (tx_.full()) return errc::busy;
    PMCI_TRY_ASSIGN(const bytes_span packet, p.next(tx_.back_storage().first(header_size + max_packet_payload())));
    queue(addr, packet.data(), packet.size());
    return ok();
  }

  /// The controller has read the loaded frame: drop it, load and announce the next.
  constexpr void on_read_complete() noexcept {
    if (!loaded_) return;
    loaded_ = false;
    tx_.pop();
    load_head();
  }

  /// Raise the IBI again for the loaded frame (e.g. when the controller did not read it in
  /// time), or retry loading after the HAL refused. errc::not_ready when nothing is queued.
  constexpr result<void> retry() noexcept {
    if (tx_.empty()) return errc::not_ready;
    if (!loaded_) {
      load_head();
      return loaded_ ? result<void>{} : result<void>{errc::busy};
    }
    auto r = drv_->raise_ibi(mdb_pending_read);
    return (r || r.error() == errc::unsupported) ? ok() : r;
  }

  /// Largest packet payload we send: limited by our MRL and MaxPacket.
  [[nodiscard]] PMCI_MCTP_INLINE constexpr std::size_t max_packet_payload(phys_addr = 0) const noexcept {
    // payload_mtu(MRL, MaxPacket), spelt out so that a HAL with a constant MRL folds to a
    // constant here (MaxPacket >= baseline_packet is checked above).
    return std::min<std::size_t>(frame_limit(drv_->max_read_length()) - pec_size, MaxPacket) - header_size;
  }
  [[nodiscard]] constexpr std::size_t tx_queued() const noexcept { return tx_.size(); }
  [[nodiscard]] constexpr bool tx_full() const noexcept { return tx_.full(); }
  [[nodiscard]] constexpr const link_stats& stats() const noexcept { return stats_; }

 private:
  // send_packet()'s checks, in its order of errors; the dynamic address to frame for.
  // The HAL is asked first so that nothing it does can invalidate the checks that follow
  // (the compiler then knows the queue state below is the one checked).
  [[nodiscard]] constexpr result<std::uint8_t> check_send(std::size_t size) const noexcept {
    const std::uint8_t addr = drv_->dynamic_address();
    if (size > header_size + max_packet_payload()) return errc::out_of_range;
    if (size < header_size) return errc::truncated;
    if (addr == 0) return errc::not_ready;
    if (addr > 0x7F) return errc::invalid_field;
    if (tx_.full()) return errc::busy;
    return addr;
  }
  // The packet is in the queue's next slot: add the read-direction PEC (i3c_smbus.md §1.1) and
  // queue it.
  constexpr void queue(std::uint8_t addr, std::byte* slot, std::size_t size) noexcept {
    slot[size] = std::byte{mctp::detail::i3c_pec(address_byte(addr, direction::read), slot, size)};
    tx_.commit(size + pec_size);
    load_head();
  }

  constexpr void load_head() noexcept {
    if (loaded_ || tx_.empty()) return;
    if (auto r = drv_->load_read_data(tx_.front()); !r) {
      ++stats_.tx_errors;
      return;
    }
    loaded_ = true;
    ++stats_.tx_packets;
    // A polled target's driver answers errc::unsupported; the frame waits for the poll.
    (void)drv_->raise_ibi(mdb_pending_read);
  }

  // Small, often used members first: Thumb-2 loads and stores with offsets below 128 (words)
  // or 32 (bytes) have 2-byte encodings; the frame storage is last.
  Driver* drv_ = nullptr;
  bool loaded_ = false;
  link_stats stats_{};
  detail::frame_ring<TxDepth, MaxPacket + pec_size> tx_{};
};

}  // namespace pmci::mctp::i3c
