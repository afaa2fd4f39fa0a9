// SPDX-License-Identifier: Apache-2.0
// pmci::errc — the one error enumeration of the library. Every recoverable failure (bad input
// from the wire, a full buffer, a peer that misbehaves) is one of these values, never an
// exception and never an assert.
#pragma once
#include <cstdint>

namespace pmci {

enum class errc : std::uint8_t {
  truncated = 1,        ///< input ended before a field did
  trailing_data,        ///< input longer than the message it holds
  invalid_field,        ///< a field has a value the protocol forbids
  reserved_nonzero,     ///< a reserved field the spec requires to be zero is not
  unsupported,          ///< valid but not supported (by this build, config or peer)
  buffer_too_small,     ///< caller's output buffer cannot hold the result
  out_of_range,         ///< an index, offset or count is outside what is allowed
  sequence_error,       ///< out-of-order packet, message or protocol step
  unexpected_message,   ///< a well-formed message that is not valid in this state
  version_mismatch,     ///< message version differs from the negotiated one
  integrity_error,      ///< PEC, CRC or message integrity check failed
  crypto_failure,       ///< the crypto policy reported an error
  verify_failed,        ///< signature, MAC, digest or chain did not verify
  decrypt_error,        ///< AEAD open failed
  busy,                 ///< peer or resource busy; try again
  not_ready,            ///< the answer is not ready yet; try again later
  timeout,              ///< no answer within the allowed ticks
  no_resources,         ///< all contexts/slots/tags are in use
  peer_error,           ///< the peer answered with an error response
  invalid_state,        ///< the object is not in a state where this call is allowed
  session_ended,        ///< the secure session was terminated
};

/// A short, stable, human-readable name ("truncated", ...). Never null.
[[nodiscard]] constexpr const char* to_string(errc e) noexcept {
  switch (e) {
    case errc::truncated: return "truncated";
    case errc::trailing_data: return "trailing_data";
    case errc::invalid_field: return "invalid_field";
    case errc::reserved_nonzero: return "reserved_nonzero";
    case errc::unsupported: return "unsupported";
    case errc::buffer_too_small: return "buffer_too_small";
    case errc::out_of_range: return "out_of_range";
    case errc::sequence_error: return "sequence_error";
    case errc::unexpected_message: return "unexpected_message";
    case errc::version_mismatch: return "version_mismatch";
    case errc::integrity_error: return "integrity_error";
    case errc::crypto_failure: return "crypto_failure";
    case errc::verify_failed: return "verify_failed";
    case errc::decrypt_error: return "decrypt_error";
    case errc::busy: return "busy";
    case errc::not_ready: return "not_ready";
    case errc::timeout: return "timeout";
    case errc::no_resources: return "no_resources";
    case errc::peer_error: return "peer_error";
    case errc::invalid_state: return "invalid_state";
    case errc::session_ended: return "session_ended";
  }
  return "unknown";
}

}  // namespace pmci
