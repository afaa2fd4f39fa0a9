// SPDX-License-Identifier: Apache-2.0
// Transport policies (DESIGN: "policies are small concepts"). A transport moves whole MCTP
// messages: the MCTP message-type byte followed by the body, e.g. `05 ‖ SPDM message` or
// `06 ‖ secured record` (DSP0275 / DSP0276; interop README "transport_type MCTP"). Framing
// below that (4-byte MCTP packet headers, packetization, the spdm-emu socket header, I3C PEC)
// is the transport's business, never the SPDM engine's.
//
//   requester side                          responder side
//   ──────────────                          ──────────────
//   transport t;                            listener l;             handler h (e.g. a responder)
//   auto rsp = t.exchange(req, buf);        auto req = l.receive(rx);
//                                           auto rsp = h(*req, tx);   // or h.handle(*req, tx)
//                                           l.send(*rsp);
//
// Both are blocking shapes: one call, one complete message. Errors are values (errc::timeout,
// errc::session_ended when the peer went away, errc::truncated for a short frame, ...); each
// model documents which it returns.
#pragma once
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"

namespace pmci::transport {

/// MCTP message types carried by the transports (DSP0239 values; mctp.md).
inline constexpr std::uint8_t mctp_type_spdm = 0x05;
inline constexpr std::uint8_t mctp_type_secured_spdm = 0x06;

/// Who sent a message: the requester (a request) or the responder (its response). Used by taps,
/// captures and tools.
enum class direction : std::uint8_t { request, response };
constexpr const char* name(direction d) noexcept { return d == direction::request ? "req" : "rsp"; }

/// A requester-side transport: one SPDM-over-MCTP round trip.
///   exchange(request, response_buffer) -> result<bytes_span>
/// `request` is an MCTP message (type byte + body); the response (type byte + body) is written
/// into the front of `response_buffer` and returned as a sub-span of it.
template <class T>
concept message_transport = requires(T& t, bytes_view request, bytes_span response_buffer) {
  { t.exchange(request, response_buffer) } -> std::same_as<result<bytes_span>>;
};

/// A responder-side endpoint: receive the next request, send its response (strict ping-pong).
///   receive(buffer) -> result<bytes_span>   the request, written into buffer
///   send(message)   -> result<void>
template <class T>
concept listener = requires(T& t, bytes_view message, bytes_span buffer) {
  { t.receive(buffer) } -> std::same_as<result<bytes_span>>;
  { t.send(message) } -> std::same_as<result<void>>;
};

/// Something that turns a request into a response: either a callable
/// `h(request, response_buffer) -> result<bytes_span>` or an object with the member
/// `h.handle(request, response_buffer) -> result<bytes_span>` (the shape of spdm::responder).
template <class H>
concept member_handler = requires(H& h, bytes_view request, bytes_span buffer) {
  { h.handle(request, buffer) } -> std::same_as<result<bytes_span>>;
};
template <class H>
concept callable_handler = requires(H& h, bytes_view request, bytes_span buffer) {
  { h(request, buffer) } -> std::same_as<result<bytes_span>>;
};
template <class H>
concept handler = member_handler<H> || callable_handler<H>;

/// Call a handler whichever shape it has (member handle() wins when both exist).
template <handler H>
constexpr result<bytes_span> invoke_handler(H& h, bytes_view request, bytes_span response_buffer) {
  if constexpr (member_handler<H>)
    return h.handle(request, response_buffer);
  else
    return h(request, response_buffer);
}

/// Readable diagnostics for engines that take a transport (DESIGN rule 8):
///   static_assert(pmci::transport::check_transport<T>());
template <class T>
consteval bool check_transport() {
  static_assert(requires(T& t, bytes_view r, bytes_span b) { t.exchange(r, b); },
                "pmci transport: T needs a member exchange(bytes_view request, bytes_span response_buffer)");
  static_assert(message_transport<T>, "pmci transport: T::exchange(bytes_view, bytes_span) must return pmci::result<bytes_span>");
  return true;
}
template <class T>
consteval bool check_listener() {
  static_assert(requires(T& t, bytes_span b) { t.receive(b); },
                "pmci listener: T needs a member receive(bytes_span buffer) returning pmci::result<bytes_span>");
  static_assert(requires(T& t, bytes_view m) { t.send(m); },
                "pmci listener: T needs a member send(bytes_view message) returning pmci::result<void>");
  static_assert(listener<T>, "pmci listener: receive must return pmci::result<bytes_span> and send pmci::result<void>");
  return true;
}

/// One responder step on any listener: receive a request into `rx`, let the handler build the
/// response in `tx`, send it. Returns the listener's or the handler's error unchanged (the
/// caller decides whether an error ends the loop; errc::session_ended means the peer is done).
template <listener L, handler H>
constexpr result<void> serve_one(L& l, H& h, bytes_span rx, bytes_span tx) {
  PMCI_TRY_ASSIGN(bytes_span request, l.receive(rx));
  PMCI_TRY_ASSIGN(bytes_span response, invoke_handler(h, as_view(request), tx));
  return l.send(as_view(response));
}

}  // namespace pmci::transport
