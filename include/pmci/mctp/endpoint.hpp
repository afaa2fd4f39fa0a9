// SPDX-License-Identifier: Apache-2.0
// MCTP endpoint: whole messages to and from EIDs over one binding (a `packet_link`: the I3C
// controller or target, or an SMBus port), with an EID -> physical address table, tag
// allocation for requests, reassembly, and the control responder wired in: control requests
// are answered automatically and never reach the caller.
//
//   struct cfg : pmci::mctp::endpoint_defaults {
//     static constexpr std::size_t max_message = 4097;
//     static constexpr pmci::mctp::control::responder_config control_config{.static_eid = 0x08, ...};
//   };
//   static pmci::mctp::endpoint<cfg> ep;                           // all zero: .bss
//   ep.set_route(0x1D, 0x10);                                      // EID 0x1D is at I3C address 0x10
//   auto tag = ep.send_request(link, 0x1D, msg_type::spdm, body, now);   // packetized, TO=1, tag
//   ...
//   if (auto m = ep.receive(link, packet_from_binding, now)) {     // or ep.poll(link, now) on
//     if (m->tag_owner) ep.send_response(link, *m, msg_type::spdm, rsp);   // a link with receive()
//   }
//
// The endpoint is sans-I/O with respect to its link: it holds no pointer to it, and every call
// that may hand packets to the binding takes the link as its first argument (send_*, flush,
// receive, which answers control requests, and poll). So the object is the endpoint's state
// only, and its default state is all zero bytes: a static endpoint costs no flash for an
// initial image, whatever its buffers. The control responder's configuration comes from the
// Cfg type (Cfg::control_config) for the same reason.
//
// Sending never waits: the endpoint calls the link's send_packet(). A link that pushes back
// with errc::busy (an I3C target whose read queue is full until the controller reads) leaves
// the rest of the message in flight; flush(link) continues it, and the message bytes must stay
// valid until sending() is false. Only one message is in flight at a time (send_* answer
// errc::busy meanwhile), plus one pending control response.
//
// Receive rules (mctp.md §3): a packet is accepted when its destination is our EID, the null
// EID (physical addressing, e.g. Set Endpoint ID before we have one) or broadcast; others are
// counted in not_for_us. A response (TO=0) must match a tag we allocated for a request to that
// EID — or to the null EID, since a request sent by physical address is answered from the
// EID the peer has (then); unmatched responses are counted and dropped (Linux drops them too).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <type_traits>

#include "pmci/core/buffer.hpp"
#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/mctp/assembler.hpp"
#include "pmci/mctp/binding.hpp"
#include "pmci/mctp/control_responder.hpp"
#include "pmci/mctp/packet.hpp"
#include "pmci/mctp/packetizer.hpp"
#include "pmci/mctp/tags.hpp"

namespace pmci::mctp {

/// Endpoint capacities and the control responder's configuration. Derive and override what
/// you need.
struct endpoint_defaults {
  static constexpr std::size_t max_message = 1024;  ///< reassembly capacity, type byte included
  static constexpr std::size_t contexts = 2;        ///< messages in reassembly at once
  static constexpr std::size_t max_packet = header::size + baseline_mtu;  ///< tx packet buffer
  static constexpr std::size_t routes = 8;          ///< EID -> physical address entries
  /// Peers with requests in flight at once. 0: the endpoint sends no requests (a device that
  /// only answers): no tag allocator is compiled, send_request() is unavailable, and every
  /// response (TO=0) is counted in unexpected_responses, as it would be with no tag allocated.
  static constexpr std::size_t tag_peers = 4;
  /// true: the reassembly timeout and the tag lifetime (mctp.md §3 item 6, DSP0236 §8.8/§8.4;
  /// Linux: 6 s each) are fixed at compile time (the two below) instead of set by the
  /// constructor, which is then unavailable; the timeout checks fold to constants (Cortex-M4:
  /// -32 B in requester_attest). false: endpoint(assembler_config, tag_lifetime) may set them
  /// at run time (both default to 6000 ticks).
  static constexpr bool fixed_timeouts = false;
  static constexpr std::uint32_t rx_timeout_ticks = assembler_config::default_timeout;  ///< with fixed_timeouts
  static constexpr std::uint32_t tag_lifetime_ticks = detail::tag_core::default_lifetime;  ///< with fixed_timeouts
  /// What the control responder reports (static EID, UUID, message types, versions, vendor
  /// sets). The endpoint reads it in place, so it is no part of the endpoint object: override
  /// it with `static constexpr control::responder_config control_config{...};`, or with
  /// `static inline control::responder_config control_config{...};` to fill in a field at
  /// boot (a UUID read from OTP). The default: no static EID, nothing listed.
  static constexpr control::responder_config control_config{};
};

namespace detail {
/// std::optional<packetizer> as the endpoint uses it, without the flag tests it does not need:
/// emplace() and reset() are plain stores (std::optional's test the flag first; Cortex-M4:
/// -8 B requester_attest). Empty, it is all zero bytes (a static endpoint stays in .bss).
/// Tracked = false: no flag is kept at all (the control response's, which ctrl_pending_ tracks).
template <bool Tracked = true>
class packetizer_slot {
 public:
  constexpr packetizer_slot() noexcept : none_{} {}
  template <class... Args>
  constexpr void emplace(const Args&... args) noexcept {
    std::construct_at(&p_, args...);  // packetizer is trivially destructible: nothing to end
    if constexpr (Tracked) engaged_ = true;
  }
  constexpr void reset() noexcept
    requires Tracked
  {
    engaged_ = false;
  }
  [[nodiscard]] constexpr bool has_value() const noexcept
    requires Tracked
  {
    return engaged_;
  }
  constexpr explicit operator bool() const noexcept
    requires Tracked
  {
    return engaged_;
  }
  constexpr packetizer& operator*() noexcept { return p_; }
  constexpr packetizer* operator->() noexcept { return &p_; }
  constexpr const packetizer* operator->() const noexcept { return &p_; }

 private:
  static_assert(std::is_trivially_destructible_v<packetizer>);
  union {
    std::uint8_t none_;
    packetizer p_;
  };
  bool engaged_ = false;  // unused (always false) when !Tracked
};
}  // namespace detail

/// An EID and where it is on the bus.
struct route {
  eid id = null_eid;
  phys_addr addr = 0;
};

/// A message delivered by the endpoint: the assembled message and the physical address of
/// the last packet's sender (responses go back there).
struct received_message : message {
  phys_addr from = 0;
};

struct endpoint_stats {
  std::uint32_t messages_sent = 0;         ///< messages whose every packet the link accepted
  std::uint32_t messages_received = 0;     ///< messages delivered to the caller
  std::uint32_t control_answered = 0;      ///< control requests answered automatically
  std::uint32_t control_dropped = 0;       ///< control requests not answered (no room/link error)
  std::uint32_t not_for_us = 0;            ///< packets for another EID
  std::uint32_t unexpected_responses = 0;  ///< responses with no outstanding tag
  std::uint32_t tx_errors = 0;             ///< sends aborted by a link error
};

template <class Cfg = endpoint_defaults>
class endpoint {
  static_assert(Cfg::max_packet > header::size + baseline_mtu - 1,
                "Cfg::max_packet must hold a baseline packet (4-byte header + 64 bytes)");
  static_assert(Cfg::max_message >= 1 && Cfg::contexts >= 1 && Cfg::routes >= 1,
                "endpoint capacities must be at least 1");
  static_assert(!Cfg::fixed_timeouts || Cfg::tag_lifetime_ticks > 0,
                "Cfg::fixed_timeouts needs a tag_lifetime_ticks above 0 (tags that never expire: use the constructor)");
  static_assert(std::is_convertible_v<decltype(Cfg::control_config)&, const control::responder_config&>,
                "Cfg::control_config must be a pmci::mctp::control::responder_config (see endpoint_defaults)");

  template <class Link>
  static constexpr void check_link() noexcept {
    static_assert(packet_link<Link>, "Link must provide result<void> send_packet(phys_addr, bytes_view) and "
                                     "size_t max_packet_payload(phys_addr) const (see mctp/binding.hpp)");
  }

 public:
  /// All state zero: a static endpoint is zero-initialised (.bss, no flash image). Timeouts:
  /// the assembler's default (6000 ticks) and a tag lifetime of 6000 ticks (Linux: 6 s).
  constexpr endpoint() noexcept = default;
  /// Other timeouts, in the same ticks as `now` (still all zero bytes with the defaults).
  constexpr explicit endpoint(assembler_config rx, std::uint32_t tag_lifetime = detail::tag_core::default_lifetime) noexcept
    requires(!Cfg::fixed_timeouts)
      : tags_(tag_lifetime), rx_(rx) {}

  [[nodiscard]] static constexpr const control::responder_config& control_config() noexcept {
    return Cfg::control_config;
  }

  // --- addressing -----------------------------------------------------------------------------

  /// Our EID as the control responder holds it (set by the bus owner with Set Endpoint ID).
  [[nodiscard]] constexpr eid own_eid() const noexcept { return ctrl_.current_eid(control_config()); }
  /// The control responder's EID state (assigned by a bus owner, discovered flag).
  [[nodiscard]] constexpr const control::responder_state& control_state() const noexcept { return ctrl_; }

  /// Add or update the physical address of `id`. errc::no_resources when the table is full.
  constexpr result<void> set_route(eid id, phys_addr addr) noexcept {
    if constexpr (Cfg::routes == 1) {
      // One entry: a compare and a store, no loop (Cortex-M4: -36 B requester_attest routing
      // through its one route).
      if (!routes_.empty() && routes_[0].id != id) return errc::no_resources;  // full
      routes_.clear();
    } else {
      for (auto& r : routes_)
        if (r.id == id) {
          r.addr = addr;
          return ok();
        }
    }
    return routes_.push_back({id, addr});
  }
  /// Where to send anything without a route (an I3C target's controller). nullopt: nowhere.
  constexpr void set_default_route(std::optional<phys_addr> addr) noexcept { default_ = addr; }
  /// The physical address of `id`: its route, else the default route; errc::invalid_field
  /// when there is neither.
  [[nodiscard]] constexpr result<phys_addr> lookup(eid id) const noexcept {
    if constexpr (Cfg::routes == 1) {
      if (!routes_.empty() && routes_[0].id == id) return routes_[0].addr;
    } else {
      for (const auto& r : routes_)
        if (r.id == id) return r.addr;
    }
    if (default_) return *default_;
    return errc::invalid_field;
  }

  // --- sending --------------------------------------------------------------------------------
  // Every call that hands packets to the binding takes the link (a packet_link: the I3C
  // controller or target, an SMBus port) as its first argument; the endpoint keeps no pointer to
  // it. Pass the same link to every call of one endpoint.

  /// Send a request (TO=1) to `dest`; returns the tag its response will carry. `message` is the
  /// whole MCTP message, type byte first (e.g. what control::encode() produced). `via` sends to
  /// that physical address instead of dest's route: physical addressing, e.g. Set Endpoint ID
  /// to the null EID of a target that has no EID yet.
  /// Errors: busy (a message is in flight), invalid_field (no route), no_resources (no free
  /// tag for dest), and link/packetizer errors (the tag is released again).
  template <class Link>
  constexpr result<std::uint8_t> send_request(Link& link, eid dest, bytes_view message, std::uint32_t now,
                                              std::optional<phys_addr> via = {}) noexcept
    requires(Cfg::tag_peers > 0)
  {
    return request(link, dest, via, packetizer_args{message, {}, false}, now);
  }
  /// As above with the type byte given separately from the body.
  template <class Link>
  constexpr result<std::uint8_t> send_request(Link& link, eid dest, msg_type type, bytes_view body, std::uint32_t now,
                                              std::optional<phys_addr> via = {}) noexcept
    requires(Cfg::tag_peers > 0)
  {
    return request(link, dest, via, packetizer_args{body, message_header{type, false}, true}, now);
  }
  /// Answer `req` (TO=0, its tag) at the physical address it came from.
  template <class Link>
  constexpr result<void> send_response(Link& link, const received_message& req, msg_type type, bytes_view body) noexcept {
    return start(link, {req.source, own_eid(), false, req.tag}, req.from,
                 packetizer_args{body, message_header{type, false}, true});
  }
  /// Send with explicit addressing (e.g. a response to a request you did not get through
  /// receive(), or a TO=1 message whose tag you manage yourself). The destination's route is used.
  template <class Link>
  constexpr result<void> send(Link& link, eid dest, bool tag_owner, std::uint8_t tag, bytes_view message) noexcept {
    PMCI_TRY_ASSIGN(const phys_addr to, lookup(dest));
    return start(link, {dest, own_eid(), tag_owner, tag}, to, packetizer_args{message, {}, false});
  }

  /// Continue the message in flight (and a pending control response). ok() when everything is
  /// out, errc::busy while the link still pushes back, or the link error that aborted it.
  template <class Link>
  constexpr result<void> flush(Link& link) noexcept {
    check_link<Link>();
    if (ctrl_pending_) {
      result<void> r;
      // A zero-copy link (i3c::target, i3c::controller) writes the control response's one
      // packet straight into its queue or write buffer with the send_next() the message path
      // uses; other links take the packet answer_control() built in ctrl_pkt_.
      if constexpr (addressed_send_next<Link>) r = link.send_next(ctrl_to_, *ctrl_tx_);
      else if constexpr (zero_copy<Link>) r = link.send_next(*ctrl_tx_);
      else r = link.send_packet(ctrl_to_, bytes_view(ctrl_pkt_).first(ctrl_len_));
      if (r == errc::busy) return errc::busy;
      ctrl_pending_ = false;
      if (r) ++stats_.control_answered;
      else ++stats_.control_dropped;
    }
    while (tx_) {
      if constexpr (zero_copy<Link>) {
        // Zero-copy link (i3c::target, i3c::controller): the packetizer writes into the link's
        // queue or write buffer; after errc::busy the link left the packetizer as it was.
        const auto r = [&] {
          if constexpr (addressed_send_next<Link>) return link.send_next(tx_to_, *tx_);
          else return link.send_next(*tx_);
        }();
        if (r == errc::busy) return errc::busy;
        if (!r) return abort_tx<false>(r.error());
      } else {
        if (staged_ == 0) {
          auto p = tx_->next(pkt_);
          if (!p) return abort_tx(p.error());
          staged_ = p->size();
        }
        const auto r = link.send_packet(tx_to_, bytes_view(pkt_).first(staged_));
        if (r == errc::busy) return errc::busy;
        staged_ = 0;
        if (!r) return abort_tx(r.error());
      }
      if (tx_->done()) {
        seq_ = tx_->next_seq();
        tx_.reset();
        ++stats_.messages_sent;
      }
    }
    return ok();
  }
  /// True while a message (or a control response) is not yet wholly handed to the link.
  [[nodiscard]] constexpr bool sending() const noexcept { return tx_.has_value() || ctrl_pending_; }
  /// Give up the message in flight (its tag, if a request, is released).
  constexpr void abort_send() noexcept {
    if (tx_) (void)abort_tx(errc::timeout, false);
  }

  // --- receiving ------------------------------------------------------------------------------

  /// Feed one packet from the binding (from received_packet). Returns a whole message for the
  /// caller, or nullopt (more packets needed; dropped and counted; or a control request that
  /// was answered automatically, through `link`). The message views the endpoint's buffers
  /// until the next receive()/poll()/expire().
  template <class Link>
  constexpr std::optional<received_message> receive(Link& link, const received_packet& p, std::uint32_t now) noexcept {
    if (p.packet.size() >= header::size) {
      const auto dest = std::to_integer<std::uint8_t>(p.packet[1]);
      if (dest != own_eid() && dest != null_eid && dest != broadcast_eid) {
        ++stats_.not_for_us;
        return std::nullopt;
      }
    }
    auto m = rx_.receive(p.packet, now, rx_timeout());
    if (!m) return std::nullopt;
    if (!m->tag_owner) {
      // Without tags (Cfg::tag_peers == 0) no request was sent, so no response is expected.
      if (Cfg::tag_peers == 0 || !tags_.template release_response<fixed_lifetime>(m->source, m->tag, now)) {
        ++stats_.unexpected_responses;
        return std::nullopt;
      }
    } else if (m->type == msg_type::control) {
      answer_control(link, *m, p.from);
      return std::nullopt;
    }
    ++stats_.messages_received;
#if defined(__cpp_aggregate_paren_init) && __cpp_aggregate_paren_init >= 201902L
    // Built in place in the returned optional (the base from *m, then `from`): no temporary
    // received_message and no second copy of it (Cortex-M4: smaller; docs/footprint.md).
    return std::optional<received_message>{std::in_place, *m, p.from};
#else
    received_message out{};
    static_cast<message&>(out) = *m;
    out.from = p.from;
    return out;
#endif
  }

  /// For links that are read by polling (mctp::i3c::controller: receive() performs the reads
  /// IBIs asked for): feed packets until one completes a message for the caller.
  template <class Link>
  constexpr std::optional<received_message> poll(Link& link, std::uint32_t now) noexcept
    requires requires(Link& l) {
      { l.receive() } -> std::same_as<result<received_packet>>;
    }
  {
    while (auto p = link.receive())
      if (auto m = receive(link, *p, now)) return m;
    return std::nullopt;
  }

  /// Reclaim partial messages and unanswered tags older than their timeouts.
  constexpr void expire(std::uint32_t now) noexcept {
    rx_.expire(now, rx_timeout());
    tags_.template expire<fixed_lifetime>(now);
  }

  [[nodiscard]] constexpr const endpoint_stats& stats() const noexcept { return stats_; }
  /// Packets the assembler dropped, per reason.
  [[nodiscard]] constexpr const drop_counters& rx_drops() const noexcept { return rx_.drops(); }
  [[nodiscard]] constexpr const tag_allocator<Cfg::tag_peers>& tags() const noexcept { return tags_; }

 private:
  // The timeouts in force: Cfg's constants (which fold) with Cfg::fixed_timeouts, else the
  // constructor's.
  [[nodiscard]] constexpr std::uint32_t rx_timeout() const noexcept {
    if constexpr (Cfg::fixed_timeouts) return Cfg::rx_timeout_ticks;
    else return rx_.config().timeout_ticks;
  }
  // The tag lifetime as tag_allocator's template argument: 0 for the constructor's.
  static constexpr std::uint32_t fixed_lifetime = Cfg::fixed_timeouts ? Cfg::tag_lifetime_ticks : 0;

  // A link that packetizes into its own storage: i3c::target::send_next(p) (a target talks to
  // its controller only), i3c::controller::send_next(to, p).
  template <class Link>
  static constexpr bool addressed_send_next = requires(Link& l, phys_addr to, packetizer& p) { l.send_next(to, p); };
  template <class Link>
  static constexpr bool zero_copy = addressed_send_next<Link> || requires(Link& l, packetizer& p) { l.send_next(p); };

  struct packetizer_args {
    bytes_view data;
    message_header type;
    bool separate_type;
  };

  template <class Link>
  constexpr result<std::uint8_t> request(Link& link, eid dest, std::optional<phys_addr> via, const packetizer_args& a,
                                         std::uint32_t now) noexcept {
    if (sending()) return errc::busy;
    PMCI_TRY_ASSIGN(const phys_addr to, via ? result<phys_addr>{*via} : lookup(dest));
    PMCI_TRY_ASSIGN(const std::uint8_t tag, tags_.template allocate<fixed_lifetime>(dest, now));
    // sending() was checked above (before a tag was taken); nothing since can have changed it.
    if (auto r = begin(link, {dest, own_eid(), true, tag}, to, a); !r && r.error() != errc::busy) return r.error();
    return tag;
  }

  template <class Link>
  constexpr result<void> start(Link& link, const address& a, phys_addr to, const packetizer_args& p) noexcept {
    if (sending()) return errc::busy;
    return begin(link, a, to, p);
  }
  // start() once sending() is known to be false.
  template <class Link>
  constexpr result<void> begin(Link& link, const address& a, phys_addr to, const packetizer_args& p) noexcept {
    check_link<Link>();
    std::size_t mtu = link.max_packet_payload(to);
    if (mtu > Cfg::max_packet - header::size) mtu = Cfg::max_packet - header::size;
    // seq_ is always below 4; the mask says so to the compiler (the packetizer's first_seq
    // check folds away).
    const auto seq = static_cast<std::uint8_t>(seq_ & seq_mask);
    if (p.separate_type) tx_.emplace(a, p.type, p.data, mtu, seq);
    else tx_.emplace(a, p.data, mtu, seq);
    tx_to_ = to;
    if constexpr (!zero_copy<Link>) staged_ = 0;  // a zero-copy link stages nothing (flush())
    const auto r = flush(link);
    return r == errc::busy ? ok() : r;  // busy: the rest goes out in flush()
  }

  // Give up the message in tx_ (there is one: flush() calls this from its loop). Staged: the
  // link may have left a packet staged in pkt_ (a link without send_next()).
  template <bool Staged = true>
  constexpr errc abort_tx(errc e, bool count = true) noexcept {
    if (tx_->addressing().tag_owner) (void)tags_.release(tx_->addressing().dest, tx_->addressing().tag);
    tx_.reset();
    if constexpr (Staged) staged_ = 0;
    if (count) ++stats_.tx_errors;
    return e;
  }

  // A control request: answered here (TO=0, same tag, from our EID — the new one after Set
  // Endpoint ID) to the physical address it came from, so that a bus owner can reach us
  // before any route exists. A control response fits one baseline packet (mctp.md §1.2), so
  // the responder writes it straight behind a 4-byte transport header in ctrl_pkt_ (no
  // packetizer, no copy); one that does not fit is dropped and counted.
  template <class Link>
  constexpr void answer_control(Link& link, const message& m, phys_addr from) noexcept {
    if (ctrl_pending_) {
      ++stats_.control_dropped;
      return;
    }
    const std::ptrdiff_t n = ctrl_.template respond<Cfg::control_config>(
        m.data.data(), m.data.size(), ctrl_pkt_.data() + header::size, ctrl_pkt_.size() - header::size);
    if (n <= 0) {
      if (n == -static_cast<std::ptrdiff_t>(errc::buffer_too_small)) ++stats_.control_dropped;
      return;  // else a response or a datagram (no answer), or not a control message at all
    }
    if constexpr (zero_copy<Link>) {
      // The packetizer writes the same header (SOM, EOM, TO=0, the request's tag) into the
      // link's queue; at the baseline MTU, which every link carries (mctp.md §1.2), the
      // response (at most 64 bytes) is one packet.
      ctrl_tx_.emplace(address{m.source, own_eid(), false, m.tag},
                       bytes_view(ctrl_pkt_.data() + header::size, static_cast<std::size_t>(n)), baseline_mtu,
                       static_cast<std::uint8_t>(seq_ & seq_mask));
      if constexpr (addressed_send_next<Link>) ctrl_to_ = from;
    } else {
      const header h{header_version, m.source, own_eid(), true, true, seq_, false, m.tag};
      ctrl_pkt_[0] = std::byte{h.version};
      ctrl_pkt_[1] = std::byte{h.dest};
      ctrl_pkt_[2] = std::byte{h.source};
      ctrl_pkt_[3] = std::byte{h.flags_byte()};
      ctrl_len_ = static_cast<std::uint8_t>(header::size + static_cast<std::size_t>(n));  // <= 68
      ctrl_to_ = from;
    }
    seq_ = static_cast<std::uint8_t>((seq_ + 1) & seq_mask);
    ctrl_pending_ = true;
    (void)flush(link);
  }

  // Small, often used members first, the buffers (reassembly storage, packet buffers) last:
  // Thumb-2 loads and stores with offsets below 32 (bytes) or 128 (words) have 2-byte
  // encodings (Cortex-M4: -36 to -60 B per image against the old order).
  control::responder_state ctrl_{};
  bool ctrl_pending_ = false;
  std::uint8_t seq_ = 0;    // continues across messages (libmctp)
  std::uint8_t ctrl_len_ = 0;  // the packet in ctrl_pkt_ (a link without send_next())
  phys_addr ctrl_to_ = 0;
  phys_addr tx_to_ = 0;
  detail::packetizer_slot<> tx_{};
  detail::packetizer_slot<false> ctrl_tx_{};  // the response in ctrl_pkt_ after the header, while
                                              // ctrl_pending_ (a zero-copy link: send_next())
  endpoint_stats stats_{};
  std::size_t staged_ = 0;  // size of a packet in pkt_ the link has not taken yet
  tag_allocator<Cfg::tag_peers> tags_{};
  static_vector<route, Cfg::routes> routes_{};
  std::optional<phys_addr> default_{};
  assembler<Cfg::contexts, Cfg::max_message> rx_{};
  std::array<std::byte, Cfg::max_packet> pkt_{};
  std::array<std::byte, header::size + baseline_mtu> ctrl_pkt_{};
};

}  // namespace pmci::mctp
