// SPDX-License-Identifier: Apache-2.0
// Message tag allocation for requests (DSP0236 §8.4 tag owner, mctp.md §3.1).
//
// A requester owns the tag of each request it sends (TO=1); the responder answers with the
// same tag and TO=0, and the pair (peer EID, tag) identifies the exchange. There are 8 tags per
// peer, so at most 8 requests to one peer may be outstanding (libmctp, Linux). A tag that is
// never answered is reclaimed after `lifetime_ticks` (Linux: 6 s key lifetime), measured in the
// caller's tick unit with wrap-around arithmetic.
//
//   pmci::mctp::tag_allocator<4> tags{6000};           // up to 4 peers with requests in flight
//   auto t = tags.allocate(peer, now);                 // errc::no_resources when exhausted
//   packetizer p({peer, me, /*tag_owner*/ true, *t}, ...);
//   ... on a message with !tag_owner from peer:
//   if (!tags.release(peer, msg.tag)) drop();          // unsolicited or late response
//
// Tags are handed out round-robin per peer, so a tag just released is not reused at once (a
// late duplicate response is then less likely to match a new request).
//
// The engine is non-template over a span of peer slots; tag_allocator<Peers> adds storage.
#pragma once
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/core/result.hpp"
#include "pmci/mctp/packet.hpp"

namespace pmci::mctp {

namespace detail {

struct tag_peer {
  eid peer = null_eid;
  std::uint8_t in_use = 0;  // bit t: tag t outstanding (a slot is free when in_use == 0)
  std::uint8_t next = 0;    // where the round-robin search starts
  std::array<std::uint32_t, 8> since{};
};

class tag_core {
 public:
  static constexpr std::uint32_t default_lifetime = 6000;
  // Stored relative to the default so that a default-constructed allocator is all zero bytes
  // (.bss, not a .data image in flash).
  constexpr explicit tag_core(std::uint32_t lifetime) noexcept : bias_(lifetime ^ default_lifetime) {}
  [[nodiscard]] constexpr std::uint32_t lifetime() const noexcept { return bias_ ^ default_lifetime; }

 protected:
  // Written for size (one loop per operation, no per-peer helper calls): this is all of the
  // tag handling an MCTP-only firmware image links. The peers are passed as pointer + count
  // rather than a span: GCC passes a span argument of an out-of-line call through the stack.
  // Life: a lifetime fixed at compile time (the checks fold; see tag_allocator), or none (0)
  // for lifetime().
  template <std::uint32_t Life = 0>
  constexpr void expire(tag_peer* first, std::size_t count, std::uint32_t now) const noexcept {
    const std::uint32_t life = Life != 0 ? Life : lifetime();
    if (life == 0) return;
    for (auto& p : std::span<tag_peer>(first, count))
      for (std::uint8_t t = 0; t <= max_tag; ++t)  // clearing a free tag's bit again is harmless
        if (static_cast<std::uint32_t>(now - p.since[t]) >= life) p.in_use = static_cast<std::uint8_t>(p.in_use & ~(1u << t));
  }

  // The tag, or -1 when none is free (an int rather than a result: it comes back in a register
  // and the inlined tag_allocator::allocate() turns it into the result at the call site).
  // Life: as for expire().
  template <std::uint32_t Life = 0>
  constexpr int allocate(tag_peer* first, std::size_t count, eid peer, std::uint32_t now) const noexcept {
    expire<Life>(first, count, now);
    return take(first, count, peer, now);
  }
  // allocate() after the expiry.
  static constexpr int take(tag_peer* first, std::size_t count, eid peer, std::uint32_t now) noexcept {
    const std::span<tag_peer> peers(first, count);
    // The slot of `peer` if it has tags outstanding, else the first free slot.
    tag_peer* slot = nullptr;
    for (auto& p : peers) {
      if (p.in_use == 0) {
        if (!slot) slot = &p;
      } else if (p.peer == peer) {
        slot = &p;
        break;
      }
    }
    if (!slot) return -1;
    slot->peer = peer;
    // Round robin without a loop: rotate the free-tag mask so bit 0 is `next`, take the lowest
    // set bit.
    const unsigned free = ~static_cast<unsigned>(slot->in_use) & 0xFFu;
    const unsigned next = slot->next & max_tag;
    const unsigned rotated = ((free | free << 8) >> next) & 0xFFu;
    if (rotated == 0) return -1;
    const auto t = static_cast<std::uint8_t>((next + static_cast<unsigned>(std::countr_zero(rotated))) & max_tag);
    slot->in_use = static_cast<std::uint8_t>(slot->in_use | (1u << t));
    slot->since[t] = now;
    slot->next = static_cast<std::uint8_t>((t + 1) & max_tag);
    return t;
  }

  // A peer has at most one slot with tags outstanding (allocate() reuses it), so the first slot
  // of `peer` with the tag's bit set is the one.
  // `alt`: failing a slot of `peer`, the first slot of `alt` with the tag (a response to a
  // request sent to the null EID; alt == peer: none). Both searches in one pass.
  PMCI_MCTP_INLINE static constexpr bool release(tag_peer* first, std::size_t count, eid peer, eid alt,
                                                 std::uint8_t tag) noexcept {
    if (tag > max_tag) return false;
    const auto bit = static_cast<std::uint8_t>(1u << tag);
    tag_peer* found = nullptr;
    for (auto& p : std::span<tag_peer>(first, count)) {
      if ((p.in_use & bit) == 0) continue;
      if (p.peer == peer) {
        found = &p;
        break;
      }
      if (p.peer == alt && !found) found = &p;
    }
    if (!found) return false;
    found->in_use = static_cast<std::uint8_t>(found->in_use & ~bit);
    return true;
  }

  static constexpr bool outstanding(const tag_peer* first, std::size_t count, eid peer, std::uint8_t tag) noexcept {
    if (tag > max_tag) return false;
    for (const auto& p : std::span<const tag_peer>(first, count))
      if (p.peer == peer && (p.in_use & (1u << tag))) return true;
    return false;
  }

 private:
  std::uint32_t bias_;
};

}  // namespace detail

/// Tags for requests to up to `Peers` different destination EIDs at a time.
/// Peers = 0: no tags at all (mctp::endpoint with Cfg::tag_peers = 0, a device that sends no
/// requests): allocate() always fails with no_resources, release() always answers false, and
/// neither compiles to more than that.
template <std::size_t Peers>
class tag_allocator : public detail::tag_core {
 public:
  /// `lifetime_ticks`: an unanswered tag is free again after this many ticks (0 = never).
  /// Lifetime 6000 ticks (Linux: 6 s in ms); all zero bytes, so a static allocator is in .bss.
  constexpr tag_allocator() noexcept : tag_core(default_lifetime) {}
  constexpr explicit tag_allocator(std::uint32_t lifetime_ticks) noexcept : tag_core(lifetime_ticks) {}

  /// A free tag (0..7) for a request to `peer`, marked outstanding since `now_ticks`.
  /// errc::no_resources when all 8 tags to that peer are outstanding, or when `peer` is new
  /// and all Peers slots hold outstanding tags to other peers.
  ///
  /// allocate<L>(), release_response<L>() and expire<L>(): with the lifetime L (ticks, > 0) in
  /// force instead of the configured one, for a caller that fixes it at compile time
  /// (mctp::endpoint with Cfg::fixed_timeouts): the lifetime checks fold.
  template <std::uint32_t L = 0>
  PMCI_MCTP_INLINE constexpr result<std::uint8_t> allocate(eid peer, std::uint32_t now_ticks) noexcept {
    if constexpr (Peers == 0) return errc::no_resources;
    const int t = tag_core::allocate<L>(peers_.data(), Peers, peer, now_ticks);
    if (t < 0) return errc::no_resources;
    return static_cast<std::uint8_t>(t);
  }
  /// A response (TO=0) with `tag` arrived from `peer`: true and the tag is free again if it was
  /// outstanding; false for an unsolicited, duplicate or expired one (drop it).
  constexpr bool release(eid peer, std::uint8_t tag) noexcept { return release_either(peer, peer, tag); }
  /// A response from `peer`: release(peer, tag, now_ticks), else release(null_eid, tag) (the
  /// answer to a request sent to the null EID by physical address comes from the EID the peer
  /// has then).
  template <std::uint32_t L = 0>
  constexpr bool release_response(eid peer, std::uint8_t tag, std::uint32_t now_ticks) noexcept {
    expire<L>(now_ticks);
    return release_either(peer, null_eid, tag);
  }
  /// As release(peer, tag), but a tag older than the lifetime at `now_ticks` no longer matches.
  constexpr bool release(eid peer, std::uint8_t tag, std::uint32_t now_ticks) noexcept {
    expire(now_ticks);
    return release(peer, tag);
  }
  [[nodiscard]] constexpr bool outstanding(eid peer, std::uint8_t tag) const noexcept {
    return Peers != 0 && tag_core::outstanding(peers_.data(), Peers, peer, tag);
  }
  /// Free every tag older than the lifetime.
  template <std::uint32_t L = 0>
  constexpr void expire(std::uint32_t now_ticks) noexcept {
    if constexpr (Peers != 0) tag_core::expire<L>(peers_.data(), Peers, now_ticks);
  }
  /// Number of outstanding tags over all peers.
  [[nodiscard]] constexpr std::size_t outstanding_count() const noexcept {
    std::size_t n = 0;
    for (const auto& p : peers_)
      for (std::uint8_t t = 0; t <= max_tag; ++t) n += (p.in_use >> t) & 1u;
    return n;
  }

 private:
  // Both releases: one copy of the search, for this allocator's Peers.
  constexpr bool release_either(eid peer, eid alt, std::uint8_t tag) noexcept {
    return Peers != 0 && tag_core::release(peers_.data(), Peers, peer, alt, tag);
  }

  std::array<detail::tag_peer, Peers> peers_{};
};

}  // namespace pmci::mctp
