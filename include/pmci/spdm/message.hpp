// SPDX-License-Identifier: Apache-2.0
// The dispatching decoder: SPDM message bytes -> which message, decoded. One entry point shared by
// the responder (requests in), the requester (responses in), tools (captures) and fuzzers.
//
//   pmci::spdm::negotiated n;            // tracked with update() as VCA goes by
//   auto m = pmci::spdm::decode(bytes, n, pmci::spdm::response_context::answering(last_request));
//   if (!m) return m.error();
//   if (auto* ca = std::get_if<pmci::spdm::challenge_auth>(&*m)) ...
//
// How to add message types (the session half does this): append the types to `message` below.
// Nothing else: decode() finds the type whose `message_code` equals the code byte (a fold over the
// alternatives, i.e. one generated switch), and calls `T::decode(bytes, n, ctx)` when T takes a
// response_context, else `T::decode(bytes, n)`; encode() and update() work the same way.
#pragma once
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>
#include <variant>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/algorithms.hpp"
#include "pmci/spdm/capabilities.hpp"
#include "pmci/spdm/certificate.hpp"
#include "pmci/spdm/challenge.hpp"
#include "pmci/spdm/chunk.hpp"
#include "pmci/spdm/csr.hpp"
#include "pmci/spdm/digests.hpp"
#include "pmci/spdm/encapsulated.hpp"
#include "pmci/spdm/endpoint_info.hpp"
#include "pmci/spdm/error.hpp"
#include "pmci/spdm/events.hpp"
#include "pmci/spdm/finish.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/key_exchange.hpp"
#include "pmci/spdm/key_pair_info.hpp"
#include "pmci/spdm/measurements.hpp"
#include "pmci/spdm/mel.hpp"
#include "pmci/spdm/psk.hpp"
#include "pmci/spdm/session_control.hpp"
#include "pmci/spdm/vendor.hpp"
#include "pmci/spdm/version.hpp"

namespace pmci::spdm {

/// Every SPDM message type pmci decodes.
using message = std::variant<
    error_response, respond_if_ready,                                   // §8
    get_version, version_response,                                      // §3
    get_capabilities, capabilities,                                     // §4
    negotiate_algorithms, algorithms,                                   // §5
    get_digests, digests, get_certificate, certificate,                 // §6.2, §6.3
    challenge, challenge_auth,                                          // §6.4
    get_measurements, measurements,                                     // §7
    vendor_defined_request, vendor_defined_response,                    // §9
    key_exchange, key_exchange_rsp, finish, finish_rsp,                 // §10.1-§10.3
    psk_exchange, psk_exchange_rsp, psk_finish, psk_finish_rsp,         // §10.4
    heartbeat, heartbeat_ack, key_update, key_update_ack,               // §10.5
    end_session, end_session_ack,
    get_encapsulated_request, encapsulated_request,                     // §10.6
    deliver_encapsulated_response, encapsulated_response_ack,
    get_csr, csr, set_certificate, set_certificate_rsp,                 // §11
    chunk_send, chunk_send_ack, chunk_get, chunk_response,              // §13
    get_endpoint_info, endpoint_info,                                   // §12 (1.3)
    get_supported_event_types, supported_event_types, subscribe_event_types,
    subscribe_event_types_ack, send_event, event_ack,
    get_key_pair_info, key_pair_info, set_key_pair_info, set_key_pair_info_ack,
    get_measurement_extension_log, measurement_extension_log>;

/// Which kind of message the caller is prepared to receive.
enum class direction : std::uint8_t { any, request, response };

namespace detail {
// Decodes into `out` in place (emplace), so that no partly initialised variant is ever copied
// (GCC 12 reports such copies as -Wmaybe-uninitialized).
template <class T>
constexpr void decode_as(bytes_view b, const negotiated& n, const response_context& ctx, result<message>& out) noexcept {
  auto r = [&] {
    if constexpr (requires { T::decode(b, n, ctx); })
      return T::decode(b, n, ctx);
    else
      return T::decode(b, n);
  }();
  if (!r) {
    out = r.error();
    return;
  }
  if (std::is_constant_evaluated()) {
    out = message{std::in_place_type<T>, *r};  // (libstdc++'s constexpr emplace does not evaluate under clang)
  } else {
    out = message{};
    out->template emplace<T>(*r);
  }
}
template <class... T>
constexpr void dispatch(code c, bytes_view b, const negotiated& n, const response_context& ctx, result<message>& out,
                        std::variant<T...>*) noexcept {
  (void)((c == T::message_code ? (decode_as<T>(b, n, ctx, out), true) : false) || ...);
}
}  // namespace detail

/// Decode one whole SPDM message (no transport byte). The code byte selects the type; `n` sizes
/// algorithm-dependent fields and gives the negotiated version; `ctx` is the request a response
/// answers (needed by CHALLENGE_AUTH and MEASUREMENTS; ignored by the others).
/// Returns truncated (shorter than a header), unexpected_message (a request when `d` is
/// response, or the reverse), unsupported (a code pmci does not decode), or the error of the
/// message's own decode().
constexpr result<message> decode(bytes_view bytes, const negotiated& n, const response_context& ctx = {},
                                 direction d = direction::any) noexcept {
  PMCI_TRY_ASSIGN(const header h, header::decode(bytes));
  const code c = h.request_response_code;
  if ((d == direction::request && !is_request(c)) || (d == direction::response && is_request(c)))
    return errc::unexpected_message;
  result<message> out = errc::unsupported;
  detail::dispatch(c, bytes, n, ctx, out, static_cast<message*>(nullptr));
  return out;
}

/// Encode any message (ctx as for decode()).
constexpr result<void> encode(writer& w, const message& m, const negotiated& n, const response_context& ctx = {}) noexcept {
  return std::visit(
      [&](const auto& v) -> result<void> {
        if constexpr (requires { v.encode(w, n, ctx); })
          return v.encode(w, n, ctx);
        else
          return v.encode(w, n);
      },
      m);
}

/// The request/response code of m.
constexpr code code_of(const message& m) noexcept {
  return std::visit([](const auto& v) { return std::remove_cvref_t<decltype(v)>::message_code; }, m);
}
constexpr const char* name(const message& m) noexcept { return name(code_of(m)); }

/// GET_VERSION resets the connection state (spdm.md §3).
constexpr void update(negotiated& n, const get_version&) noexcept { n = negotiated{}; }

/// Fold a message into the negotiated parameters: GET_VERSION resets them, GET_CAPABILITIES /
/// CAPABILITIES set the version and flags, NEGOTIATE_ALGORITHMS / ALGORITHMS the algorithms and
/// multi-key state. Other messages change nothing. Engines use it on messages they accepted;
/// tools on captured traffic. (A template so that a single message type never converts to
/// `message` and recurses here.)
template <class M>
  requires std::same_as<M, message>
constexpr void update(negotiated& n, const M& m) noexcept {
  std::visit(
      [&n](const auto& v) {
        if constexpr (requires { update(n, v); }) update(n, v);
      },
      m);
}

}  // namespace pmci::spdm
