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
#include <utility>
#include <variant>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/algorithms.hpp"
#include "pmci/spdm/capabilities.hpp"
#include "pmci/spdm/certificate.hpp"
#include "pmci/spdm/challenge.hpp"
#include "pmci/spdm/digests.hpp"
#include "pmci/spdm/error.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/measurements.hpp"
#include "pmci/spdm/vendor.hpp"
#include "pmci/spdm/version.hpp"

namespace pmci::spdm {

/// Every SPDM message type pmci decodes. (Session messages: appended by pmci/spdm session headers.)
using message = std::variant<
    error_response, respond_if_ready,                                   // §8
    get_version, version_response,                                      // §3
    get_capabilities, capabilities,                                     // §4
    negotiate_algorithms, algorithms,                                   // §5
    get_digests, digests, get_certificate, certificate,                 // §6.2, §6.3
    challenge, challenge_auth,                                          // §6.4
    get_measurements, measurements,                                     // §7
    vendor_defined_request, vendor_defined_response>;                   // §9

/// Which kind of message the caller is prepared to receive.
enum class direction : std::uint8_t { any, request, response };

namespace detail {
template <class T>
constexpr result<message> decode_as(bytes_view b, const negotiated& n, const response_context& ctx) noexcept {
  if constexpr (requires { T::decode(b, n, ctx); }) {
    auto r = T::decode(b, n, ctx);
    if (!r) return r.error();
    return message{std::in_place_type<T>, *r};
  } else {
    auto r = T::decode(b, n);
    if (!r) return r.error();
    return message{std::in_place_type<T>, *r};
  }
}
template <class... T>
constexpr result<message> dispatch(code c, bytes_view b, const negotiated& n, const response_context& ctx,
                                   std::variant<T...>*) noexcept {
  result<message> out = errc::unsupported;
  (void)((c == T::message_code ? (out = decode_as<T>(b, n, ctx), true) : false) || ...);
  return out;
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
  return detail::dispatch(c, bytes, n, ctx, static_cast<message*>(nullptr));
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
