// SPDX-License-Identifier: Apache-2.0
// A deterministic in-memory I3C bus for host tests of MCTP-over-I3C firmware logic.
//
// One controller, up to MaxTargets targets with dynamic addresses, per-target MWL/MRL, IBIs
// with a mandatory data byte, and seeded fault injection. Nothing happens behind your back:
// every transfer is a call, every event waits in a fixed-size queue until you take it, and the
// same seed and the same calls give the same bus, byte for byte. No heap, no threads.
//
//   pmci::sim::i3c_bus<3> bus{{.seed = 42, .bit_flip_ppm = 1000}};
//   auto& t0 = *bus.add_target({.dynamic_address = 0x10});
//   auto& ctl = bus.controller();
//
//   // ctl models mctp::i3c::controller_driver, t0 models mctp::i3c::target_driver:
//   pmci::mctp::i3c::controller<decltype(ctl), 3> c{ctl};
//   pmci::mctp::i3c::target<std::remove_reference_t<decltype(t0)>> t{t0};
//
//   // Target firmware loop: writes the controller made, reads it completed.
//   while (auto w = t0.take_write()) handle(t.on_private_write(*w));
//   while (t0.take_read_complete()) t.on_read_complete();
//   // Controller loop: IBIs, then the reads they call for.
//   while (auto ibi = ctl.take_ibi()) c.on_ibi(ibi->address, ibi->payload());
//   while (auto p = c.receive()) handle(*p);
//
// Faults (rates in parts per million, drawn from one splitmix64 stream seeded with `seed`):
//   bit_flip_ppm      one random bit of a transfer's data is inverted (→ PEC failure)
//   drop_ppm          write: acknowledged but never delivered (silent);
//                     read: the target gives up its frame, the controller sees errc::timeout
//   duplicate_ppm     write: delivered twice; read: the target does not see the completion,
//                     keeps the frame and raises its IBI again, so the frame is read twice
//   spurious_ibi_ppm  after a transfer, a random IBI-capable target raises IBI 0xAE whether
//                     or not it has anything to read
// fault_stats() counts every injected fault, so a test can account for every lost message.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/mctp/binding.hpp"
#include "pmci/mctp/i3c.hpp"

namespace pmci::sim {

/// A target as the controller sees it after DAA and GETBCR/GETDCR/GETMWL/GETMRL.
struct i3c_device {
  std::uint8_t dynamic_address = 0;
  std::uint8_t bcr = mctp::i3c::bcr_ibi_capable | mctp::i3c::bcr_ibi_payload;
  std::uint8_t dcr = mctp::i3c::dcr_mctp;
  std::uint16_t mwl = mctp::i3c::baseline_frame;
  std::uint16_t mrl = mctp::i3c::baseline_frame;
  std::uint64_t pid = 0;  ///< 48-bit provisioned ID (informational)

  /// The binding's view of this device (for mctp::i3c::controller::add_target).
  [[nodiscard]] constexpr mctp::i3c::target_info info() const noexcept {
    return {dynamic_address, bcr, dcr, mwl, mrl};
  }
};

/// Fault injection settings. All zero (the default) is a perfect bus.
struct i3c_faults {
  std::uint64_t seed = 1;
  std::uint32_t bit_flip_ppm = 0;
  std::uint32_t drop_ppm = 0;
  std::uint32_t duplicate_ppm = 0;
  std::uint32_t spurious_ibi_ppm = 0;
};

/// Counts of what the bus did and injected.
struct i3c_bus_stats {
  std::uint32_t writes = 0;          ///< private writes attempted by the controller
  std::uint32_t reads = 0;           ///< private reads attempted by the controller
  std::uint32_t nacks = 0;           ///< transfers NACKed (unknown address, empty FIFO, full mailbox)
  std::uint32_t ibis = 0;            ///< IBIs raised (including spurious ones)
  std::uint32_t bit_flips = 0;       ///< injected: transfers with one bit inverted
  std::uint32_t dropped_writes = 0;  ///< injected: writes acknowledged but not delivered
  std::uint32_t dropped_reads = 0;   ///< injected: reads that failed after the target gave up its frame
  std::uint32_t duplicates = 0;      ///< injected: frames delivered twice
  std::uint32_t spurious_ibis = 0;   ///< injected: IBIs 0xAE with possibly nothing to read
};

/// One IBI as the controller's HAL reports it: the address and the payload (MDB first).
struct i3c_ibi {
  std::uint8_t address = 0;
  std::uint8_t mdb = 0;
  bool has_mdb = true;
  /// The IBI payload as a HAL hands it over (MDB first; empty when the IBI carried none).
  [[nodiscard]] bytes_view payload() const noexcept {
    return has_mdb ? bytes_view(reinterpret_cast<const std::byte*>(&mdb), 1) : bytes_view{};
  }
};

/// A bus event for tracing (the demo prints them). `data` is valid during the callback only.
struct i3c_event {
  enum class kind : std::uint8_t { private_write, private_read, nack, ibi };
  kind what = kind::private_write;
  std::uint8_t address = 0;
  bool read = false;         ///< for nack: the NACKed transfer was a read
  bytes_view data{};         ///< transferred bytes as delivered (after any injected bit flip)
  std::uint8_t mdb = 0;      ///< for ibi
  bool flipped = false;      ///< a bit flip was injected into this transfer
  bool dropped = false;      ///< this transfer was dropped
  bool duplicated = false;   ///< this transfer will be delivered again
};
using i3c_trace_fn = void (*)(void* context, const i3c_event& event);

/// The bus. MaxTargets targets; transfers of up to MaxFrame bytes (the buffers of the
/// simulated HALs; longer writes fail with errc::buffer_too_small); Depth frames per target
/// in each direction (the HAL FIFOs: written frames not yet taken, read data not yet read).
/// Not copyable or movable: the ports point into it.
template <std::size_t MaxTargets, std::size_t MaxFrame = mctp::i3c::baseline_frame, std::size_t Depth = 4>
class i3c_bus {
  static_assert(MaxTargets > 0, "an I3C bus needs at least one target slot");
  static_assert(MaxFrame >= mctp::i3c::min_frame, "MaxFrame must hold at least a minimal MCTP frame");

 public:
  // ------------------------------------------------------------------------------------------
  /// The target side of one device; models mctp::i3c::target_driver.
  class target_port {
   public:
    [[nodiscard]] constexpr std::uint8_t dynamic_address() const noexcept { return dev_.dynamic_address; }
    [[nodiscard]] constexpr std::uint16_t max_write_length() const noexcept { return dev_.mwl; }
    [[nodiscard]] constexpr std::uint16_t max_read_length() const noexcept { return dev_.mrl; }
    [[nodiscard]] constexpr const i3c_device& device() const noexcept { return dev_; }

    /// Put a frame in the read FIFO; the controller's next private read returns it
    /// (Zephyr: i3c_target_tx_write). errc::busy when Depth frames wait, buffer_too_small
    /// when longer than MaxFrame.
    constexpr result<void> load_read_data(bytes_view frame) noexcept { return read_fifo_.push(frame); }

    /// Raise an IBI with this mandatory data byte (Zephyr: i3c_ibi_raise). errc::unsupported
    /// when the device's BCR says it cannot raise IBIs; busy when the IBI queue is full.
    constexpr result<void> raise_ibi(std::uint8_t mdb) noexcept {
      if ((dev_.bcr & mctp::i3c::bcr_ibi_capable) == 0) return errc::unsupported;
      return bus_->queue_ibi(dev_.dynamic_address, mdb);
    }

    /// The next private write the controller made to this target, or errc::not_ready.
    /// The view is valid until the next take_write().
    constexpr result<bytes_view> take_write() noexcept {
      if (written_.empty()) return errc::not_ready;
      auto f = written_.front();
      auto copied = copy(f, current_);
      written_.pop();
      if (!copied) return copied.error();
      return bytes_view(*copied);
    }
    /// True (once per frame) when the controller has finished reading a loaded frame
    /// (Zephyr: the target's read-processed / stop callback).
    constexpr bool take_read_complete() noexcept {
      if (reads_done_ == 0) return false;
      --reads_done_;
      return true;
    }
    /// Frames waiting in the read FIFO.
    [[nodiscard]] constexpr std::size_t read_fifo_size() const noexcept { return read_fifo_.size(); }
    /// True when no write or read completion waits to be taken.
    [[nodiscard]] constexpr bool idle() const noexcept { return written_.empty() && reads_done_ == 0; }

   private:
    friend class i3c_bus;
    i3c_bus* bus_ = nullptr;
    i3c_device dev_{};
    mctp::detail::frame_ring<Depth, MaxFrame> read_fifo_{};
    mctp::detail::frame_ring<Depth, MaxFrame> written_{};
    std::array<std::byte, MaxFrame> current_{};
    std::size_t reads_done_ = 0;
  };

  // ------------------------------------------------------------------------------------------
  /// The controller side; models mctp::i3c::controller_driver.
  class controller_port {
   public:
    /// One SDR private write (Zephyr: i3c_write). errc::not_ready when no target has this
    /// address (NACK), busy when its receive FIFO is full (NACK), buffer_too_small when longer
    /// than MaxFrame. An injected drop still returns success.
    constexpr result<void> private_write(std::uint8_t addr, bytes_view data) noexcept { return bus_->write(addr, data); }
    /// One SDR private read of up to out.size() bytes (Zephyr: i3c_read); returns the count.
    /// errc::not_ready when the target NACKs (no such address, or nothing to read); timeout
    /// for an injected drop. A frame longer than `out` is cut (its PEC then fails).
    constexpr result<std::size_t> private_read(std::uint8_t addr, bytes_span out) noexcept { return bus_->read(addr, out); }
    /// The next IBI, in the order raised, or errc::not_ready.
    constexpr result<i3c_ibi> take_ibi() noexcept {
      if (bus_->ibi_count_ == 0) return errc::not_ready;
      const i3c_ibi ibi = bus_->ibis_[bus_->ibi_head_];
      bus_->ibi_head_ = (bus_->ibi_head_ + 1) % ibi_capacity;
      --bus_->ibi_count_;
      return ibi;
    }
    /// Devices on the bus, as DAA found them (for discovery with is_mctp_device()).
    [[nodiscard]] constexpr std::size_t device_count() const noexcept { return bus_->count_; }
    [[nodiscard]] constexpr const i3c_device& device(std::size_t i) const noexcept {
      PMCI_ASSERT(i < bus_->count_);
      return bus_->targets_[i].dev_;
    }

   private:
    friend class i3c_bus;
    i3c_bus* bus_ = nullptr;
  };

  static constexpr std::size_t ibi_capacity = MaxTargets * Depth + 1;

  constexpr explicit i3c_bus(const i3c_faults& faults = {}) noexcept : faults_(faults), rng_(faults.seed) {
    controller_.bus_ = this;
  }
  i3c_bus(const i3c_bus&) = delete;
  i3c_bus& operator=(const i3c_bus&) = delete;

  /// Attach a target. Errors: invalid_field (address 0, above 0x7E, or in use),
  /// no_resources (MaxTargets attached).
  constexpr result<target_port*> add_target(const i3c_device& dev) noexcept {
    if (dev.dynamic_address == 0 || dev.dynamic_address > 0x7E || target(dev.dynamic_address)) return errc::invalid_field;
    if (count_ == MaxTargets) return errc::no_resources;
    target_port& t = targets_[count_++];
    t.bus_ = this;
    t.dev_ = dev;
    return &t;
  }
  /// The target with this dynamic address, or nullptr.
  [[nodiscard]] constexpr target_port* target(std::uint8_t addr) noexcept {
    for (std::size_t i = 0; i < count_; ++i)
      if (targets_[i].dev_.dynamic_address == addr) return &targets_[i];
    return nullptr;
  }
  [[nodiscard]] constexpr controller_port& controller() noexcept { return controller_; }

  /// Call `fn(context, event)` for every bus event (nullptr to stop).
  constexpr void set_trace(i3c_trace_fn fn, void* context) noexcept {
    trace_ = fn;
    trace_ctx_ = context;
  }
  /// Change fault rates (keeps the random stream).
  constexpr void set_faults(const i3c_faults& f) noexcept { faults_ = f; }
  [[nodiscard]] constexpr const i3c_bus_stats& stats() const noexcept { return stats_; }
  /// True when no IBI, written frame or read completion waits to be taken anywhere.
  [[nodiscard]] constexpr bool idle() const noexcept {
    if (ibi_count_ != 0) return false;
    for (std::size_t i = 0; i < count_; ++i)
      if (!targets_[i].idle()) return false;
    return true;
  }

 private:
  // splitmix64: tiny, deterministic, good enough for fault placement.
  constexpr std::uint64_t next_random() noexcept {
    std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  constexpr bool chance(std::uint32_t ppm) noexcept { return ppm != 0 && next_random() % 1000000u < ppm; }
  constexpr void flip_bit(bytes_span data) noexcept {
    if (data.empty()) return;
    const std::uint64_t bit = next_random() % (data.size() * 8);
    data[bit / 8] ^= std::byte{static_cast<std::uint8_t>(1u << (bit % 8))};
  }
  constexpr void trace(const i3c_event& e) noexcept {
    if (trace_) trace_(trace_ctx_, e);
  }

  constexpr result<void> queue_ibi(std::uint8_t addr, std::uint8_t mdb) noexcept {
    if (ibi_count_ == ibi_capacity) return errc::busy;
    ibis_[(ibi_head_ + ibi_count_++) % ibi_capacity] = i3c_ibi{addr, mdb, true};
    ++stats_.ibis;
    trace({.what = i3c_event::kind::ibi, .address = addr, .mdb = mdb});
    return ok();
  }

  constexpr void maybe_spurious_ibi() noexcept {
    if (count_ == 0 || !chance(faults_.spurious_ibi_ppm)) return;
    target_port& t = targets_[next_random() % count_];
    if ((t.dev_.bcr & mctp::i3c::bcr_ibi_capable) == 0) return;
    if (queue_ibi(t.dev_.dynamic_address, mctp::i3c::mdb_pending_read)) ++stats_.spurious_ibis;
  }

  constexpr void nack(std::uint8_t addr, bool is_read) noexcept {
    ++stats_.nacks;
    trace({.what = i3c_event::kind::nack, .address = addr, .read = is_read});
  }

  constexpr result<void> write(std::uint8_t addr, bytes_view data) noexcept {
    ++stats_.writes;
    target_port* t = target(addr);
    if (!t) {
      nack(addr, false);
      return errc::not_ready;
    }
    if (data.size() > MaxFrame) return errc::buffer_too_small;
    if (t->written_.full()) {
      nack(addr, false);
      return errc::busy;
    }
    i3c_event e{.what = i3c_event::kind::private_write, .address = addr};
    if (chance(faults_.drop_ppm)) {
      ++stats_.dropped_writes;
      e.dropped = true;
      e.data = data;
      trace(e);
      maybe_spurious_ibi();
      return ok();
    }
    bytes_span slot = t->written_.back_storage().first(data.size());
    (void)copy(data, slot);
    if (chance(faults_.bit_flip_ppm)) {
      flip_bit(slot);
      ++stats_.bit_flips;
      e.flipped = true;
    }
    t->written_.commit(slot.size());
    if (!t->written_.full() && chance(faults_.duplicate_ppm)) {
      (void)t->written_.push(slot);
      ++stats_.duplicates;
      e.duplicated = true;
    }
    e.data = slot;
    trace(e);
    maybe_spurious_ibi();
    return ok();
  }

  constexpr result<std::size_t> read(std::uint8_t addr, bytes_span out) noexcept {
    ++stats_.reads;
    target_port* t = target(addr);
    if (!t || t->read_fifo_.empty()) {
      nack(addr, true);
      maybe_spurious_ibi();
      return errc::not_ready;
    }
    const bytes_view f = t->read_fifo_.front();
    const std::size_t n = std::min(f.size(), out.size());
    if (chance(faults_.drop_ppm)) {
      ++stats_.dropped_reads;
      t->read_fifo_.pop();
      ++t->reads_done_;
      trace({.what = i3c_event::kind::private_read, .address = addr, .read = true, .data = f.first(n), .dropped = true});
      maybe_spurious_ibi();
      return errc::timeout;
    }
    for (std::size_t i = 0; i < n; ++i) out[i] = f[i];
    i3c_event e{.what = i3c_event::kind::private_read, .address = addr, .read = true, .data = out.first(n)};
    if (chance(faults_.bit_flip_ppm)) {
      flip_bit(out.first(n));
      ++stats_.bit_flips;
      e.flipped = true;
    }
    if (chance(faults_.duplicate_ppm)) {
      // The target missed the completion: it keeps the frame and announces it again.
      ++stats_.duplicates;
      e.duplicated = true;
      trace(e);
      if ((t->dev_.bcr & mctp::i3c::bcr_ibi_capable) != 0) (void)queue_ibi(addr, mctp::i3c::mdb_pending_read);
    } else {
      t->read_fifo_.pop();
      ++t->reads_done_;
      trace(e);
    }
    maybe_spurious_ibi();
    return n;
  }

  i3c_faults faults_;
  std::uint64_t rng_;
  i3c_bus_stats stats_{};
  std::array<target_port, MaxTargets> targets_{};
  std::size_t count_ = 0;
  controller_port controller_{};
  std::array<i3c_ibi, ibi_capacity> ibis_{};
  std::size_t ibi_head_ = 0;
  std::size_t ibi_count_ = 0;
  i3c_trace_fn trace_ = nullptr;
  void* trace_ctx_ = nullptr;
};

}  // namespace pmci::sim
