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
  constexpr void expire(std::span<tag_peer> peers, std::uint32_t now) const noexcept {
    for (auto& p : peers) expire_peer(p, now);
  }

  constexpr result<std::uint8_t> allocate(std::span<tag_peer> peers, eid peer, std::uint32_t now) const noexcept {
    tag_peer* slot = find(peers, peer);
    if (slot) expire_peer(*slot, now);
    if (!slot || slot->in_use == 0) {
      if (!slot) {
        for (auto& p : peers) {
          expire_peer(p, now);
          if (p.in_use == 0) {
            slot = &p;
            break;
          }
        }
        if (!slot) return errc::no_resources;
      }
      slot->peer = peer;
    }
    for (std::uint8_t i = 0; i <= max_tag; ++i) {
      const auto t = static_cast<std::uint8_t>((slot->next + i) & max_tag);
      if (slot->in_use & (1u << t)) continue;
      slot->in_use = static_cast<std::uint8_t>(slot->in_use | (1u << t));
      slot->since[t] = now;
      slot->next = static_cast<std::uint8_t>((t + 1) & max_tag);
      return t;
    }
    return errc::no_resources;
  }

  static constexpr bool release(std::span<tag_peer> peers, eid peer, std::uint8_t tag) noexcept {
    tag_peer* slot = find(peers, peer);
    if (!slot || tag > max_tag || !(slot->in_use & (1u << tag))) return false;
    slot->in_use = static_cast<std::uint8_t>(slot->in_use & ~(1u << tag));
    return true;
  }

  static constexpr bool outstanding(std::span<const tag_peer> peers, eid peer, std::uint8_t tag) noexcept {
    for (const auto& p : peers)
      if (p.in_use != 0 && p.peer == peer) return tag <= max_tag && (p.in_use & (1u << tag)) != 0;
    return false;
  }

 private:
  static constexpr tag_peer* find(std::span<tag_peer> peers, eid peer) noexcept {
    for (auto& p : peers)
      if (p.in_use != 0 && p.peer == peer) return &p;
    return nullptr;
  }
  constexpr void expire_peer(tag_peer& p, std::uint32_t now) const noexcept {
    const std::uint32_t life = lifetime();
    if (life == 0) return;
    for (std::uint8_t t = 0; t <= max_tag; ++t)
      if ((p.in_use & (1u << t)) && static_cast<std::uint32_t>(now - p.since[t]) >= life)
        p.in_use = static_cast<std::uint8_t>(p.in_use & ~(1u << t));
  }

  std::uint32_t bias_;
};

}  // namespace detail

/// Tags for requests to up to `Peers` different destination EIDs at a time.
template <std::size_t Peers>
class tag_allocator : public detail::tag_core {
  static_assert(Peers >= 1, "a tag allocator tracks at least one peer");

 public:
  /// `lifetime_ticks`: an unanswered tag is free again after this many ticks (0 = never).
  constexpr explicit tag_allocator(std::uint32_t lifetime_ticks = default_lifetime) noexcept : tag_core(lifetime_ticks) {}

  /// A free tag (0..7) for a request to `peer`, marked outstanding since `now_ticks`.
  /// errc::no_resources when all 8 tags to that peer are outstanding, or when `peer` is new
  /// and all Peers slots hold outstanding tags to other peers.
  constexpr result<std::uint8_t> allocate(eid peer, std::uint32_t now_ticks) noexcept {
    return tag_core::allocate(peers_, peer, now_ticks);
  }
  /// A response (TO=0) with `tag` arrived from `peer`: true and the tag is free again if it was
  /// outstanding; false for an unsolicited, duplicate or expired one (drop it).
  constexpr bool release(eid peer, std::uint8_t tag) noexcept { return tag_core::release(peers_, peer, tag); }
  /// As release(peer, tag), but a tag older than the lifetime at `now_ticks` no longer matches.
  constexpr bool release(eid peer, std::uint8_t tag, std::uint32_t now_ticks) noexcept {
    expire(now_ticks);
    return release(peer, tag);
  }
  [[nodiscard]] constexpr bool outstanding(eid peer, std::uint8_t tag) const noexcept {
    return tag_core::outstanding(peers_, peer, tag);
  }
  /// Free every tag older than the lifetime.
  constexpr void expire(std::uint32_t now_ticks) noexcept { tag_core::expire(peers_, now_ticks); }
  /// Number of outstanding tags over all peers.
  [[nodiscard]] constexpr std::size_t outstanding_count() const noexcept {
    std::size_t n = 0;
    for (const auto& p : peers_)
      for (std::uint8_t t = 0; t <= max_tag; ++t) n += (p.in_use >> t) & 1u;
    return n;
  }

 private:
  std::array<detail::tag_peer, Peers> peers_{};
};

}  // namespace pmci::mctp
