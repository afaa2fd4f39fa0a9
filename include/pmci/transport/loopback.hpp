// SPDX-License-Identifier: Apache-2.0
// In-memory transport: exchange() calls a handler (e.g. a responder's handle(request, buffer))
// directly, in the caller's thread, with the caller's buffer. No heap, no copies, no I/O; the
// way to run a requester against a responder in one process (tests, the demo, firmware that
// hosts both roles).
//
//   pmci::transport::loopback link{responder};
//   auto rsp = link.exchange(request, buffer);        // == responder.handle(request, buffer)
//
// An optional tap sees every message (request before the handler runs, response after), e.g.
// to write a pcap: `loopback link{responder, [&](direction d, bytes_view m) { ... }};`.
#pragma once
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/transport/concepts.hpp"

namespace pmci::transport {

/// The default tap: sees nothing, costs nothing.
struct no_tap {
  constexpr void operator()(direction, bytes_view) const noexcept {}
};

template <handler H, class Tap = no_tap>
  requires requires(Tap& t, direction d, bytes_view m) { t(d, m); }
class loopback {
 public:
  /// The handler is referenced, not copied: it must outlive the loopback.
  constexpr explicit loopback(H& h) noexcept : handler_(&h) {}
  constexpr loopback(H& h, Tap tap) noexcept : handler_(&h), tap_(static_cast<Tap&&>(tap)) {}

  /// Returns what the handler returns. The request must not overlap response_buffer (the
  /// handler may read the request while it writes the response). An empty request is
  /// errc::truncated (an MCTP message has at least its type byte) and never reaches the handler.
  /// A handler that returns a span outside response_buffer is a programmer error (asserted):
  /// the concept promises the response lives in the caller's buffer.
  constexpr result<bytes_span> exchange(bytes_view request, bytes_span response_buffer) {
    if (request.empty()) return errc::truncated;
    ++exchanges_;
    tap_(direction::request, request);
    auto r = invoke_handler(*handler_, request, response_buffer);
    if (!r) return r;
    PMCI_ASSERT(r->empty() || (r->data() >= response_buffer.data() &&
                               r->data() + r->size() <= response_buffer.data() + response_buffer.size()));
    tap_(direction::response, as_view(*r));
    return r;
  }

  /// Number of requests handed to the handler so far.
  [[nodiscard]] constexpr std::size_t exchanges() const noexcept { return exchanges_; }
  [[nodiscard]] constexpr H& handler() noexcept { return *handler_; }
  [[nodiscard]] constexpr Tap& tap() noexcept { return tap_; }

 private:
  H* handler_;
  [[no_unique_address]] Tap tap_{};
  std::size_t exchanges_ = 0;
};

template <class H>
loopback(H&) -> loopback<H>;
template <class H, class Tap>
loopback(H&, Tap) -> loopback<H, Tap>;

}  // namespace pmci::transport
