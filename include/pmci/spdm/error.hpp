// SPDX-License-Identifier: Apache-2.0
// ERROR (0x7F) and RESPOND_IF_READY (0xFF), DSP0274 (spdm.md §8).
//
//   ERROR:             | ver | 0x7F | ErrorCode | ErrorData | ExtendedErrorData (0..32) |
//   ResponseNotReady:  ExtendedErrorData = RDExponent(1) RequestCode(1) Token(1) RDTM(1)
//   LargeResponse:     ExtendedErrorData = Handle(1)
//   RESPOND_IF_READY:  | ver | 0xFF | RequestCode | Token |
#pragma once
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

/// ExtendedErrorData of ResponseNotReady (0x42). The requester waits 2^rd_exponent µs and then
/// sends RESPOND_IF_READY{request_code, token}; rdtm multiplies that time into the period the
/// responder keeps the response (spdm.md §8; RDTM semantics UNCONFIRMED beyond its name).
struct response_not_ready {
  std::uint8_t rd_exponent = 0;
  code request_code = code::get_version;
  std::uint8_t token = 0;
  std::uint8_t rdtm = 0;
  friend constexpr bool operator==(const response_not_ready&, const response_not_ready&) = default;
};

/// ERROR. Unlike most messages it keeps its own SPDMVersion byte: an ERROR answering GET_VERSION is
/// 0x10 whatever was negotiated before (spdm.md §1), so decode() accepts any version pmci knows and
/// the caller compares it with what it expects.
///
/// ExtendedErrorData is typed for the two codes that define it: ResponseNotReady fills
/// `not_ready` (exactly 4 bytes), LargeResponse fills `large_response_handle` (exactly 1 byte); for
/// every other code it is the raw `extended_data` view (0..32 bytes; the vendor-defined layout is
/// UNCONFIRMED, so it is not parsed).
///
/// decode() returns: truncated, trailing_data (extra bytes, or more than 32), invalid_field (not
/// ERROR), unsupported (unknown version byte), reserved_nonzero (ErrorData of ResponseNotReady /
/// LargeResponse is reserved).
struct error_response {
  static constexpr code message_code = code::error;
  static constexpr std::size_t max_extended_data = 32;  // SPDM_EXTENDED_ERROR_DATA_MAX_SIZE

  std::uint8_t spdm_version = 0x10;
  error_code error = error_code::unspecified;  // Param1 (unknown codes are kept as they are)
  std::uint8_t error_data = 0;                 // Param2 (e.g. the request code for UnsupportedRequest)
  response_not_ready not_ready{};              // only for error_code::response_not_ready
  std::uint8_t large_response_handle = 0;      // only for error_code::large_response
  bytes_view extended_data{};                  // every other code

  static constexpr bool has_typed_data(error_code e) noexcept {
    return e == error_code::response_not_ready || e == error_code::large_response;
  }

  static constexpr result<error_response> decode(bytes_view message, const negotiated& = {}) noexcept {
    error_response e;
    PMCI_TRY(decode_into(message, e));
    return e;
  }
  /// decode() into the caller's `e` (default-constructed on entry; unspecified after an error):
  /// no result<error_response> to build and copy, for engines on small targets.
  static constexpr result<void> decode_into(bytes_view message, error_response& e) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code));
    e.spdm_version = h.version;
    e.error = static_cast<error_code>(h.param1);
    e.error_data = h.param2;
    if (e.error == error_code::response_not_ready) {
      e.not_ready = {r.u8(), static_cast<code>(r.u8()), r.u8(), r.u8()};
    } else if (e.error == error_code::large_response) {
      e.large_response_handle = r.u8();
    } else {
      if (r.remaining() > max_extended_data) return errc::trailing_data;
      e.extended_data = r.rest();
    }
    PMCI_TRY(r.finish());
    if (has_typed_data(e.error) && e.error_data != 0) return errc::reserved_nonzero;
    return ok();
  }

  /// decode_into() for a requester whose dispatch has already checked the length and the code
  /// (at least header::size bytes, code ERROR): the remaining checks of decode_into(), in its
  /// order and with its errc, and the same fields, without a reader (issue 9 footprint). Held to
  /// decode() by tests/spdm_engines/lean_decode_test.cpp.
  static constexpr result<void> read_checked(bytes_view message, error_response& e) noexcept {
    const auto b = [message](std::size_t i) { return std::to_integer<std::uint8_t>(message[i]); };
    e.spdm_version = b(0);
    if (!is_known(e.spdm_version)) return errc::unsupported;
    e.error = static_cast<error_code>(b(2));
    e.error_data = b(3);
    const std::size_t extra = message.size() - header::size;
    if (e.error == error_code::response_not_ready) {
      if (extra < 4) return errc::truncated;
      e.not_ready = {b(4), static_cast<code>(b(5)), b(6), b(7)};
      if (extra != 4) return errc::trailing_data;
    } else if (e.error == error_code::large_response) {
      if (extra < 1) return errc::truncated;
      e.large_response_handle = b(4);
      if (extra != 1) return errc::trailing_data;
    } else {
      if (extra > max_extended_data) return errc::trailing_data;
      e.extended_data = message.subspan(header::size);
    }
    if (has_typed_data(e.error) && e.error_data != 0) return errc::reserved_nonzero;
    return ok();
  }

  /// invalid_field when extended_data is used with a typed code, is longer than 32 bytes, or the
  /// version byte is not one pmci knows; buffer_too_small from the writer.
  constexpr result<void> encode(writer& w, const negotiated& = {}) const noexcept {
    if (!is_known(spdm_version) || extended_data.size() > max_extended_data ||
        (has_typed_data(error) && (!extended_data.empty() || error_data != 0)))
      return errc::invalid_field;
    header{spdm_version, message_code, static_cast<std::uint8_t>(error), error_data}.encode(w);
    if (error == error_code::response_not_ready)
      w.u8(not_ready.rd_exponent).u8(static_cast<std::uint8_t>(not_ready.request_code)).u8(not_ready.token).u8(not_ready.rdtm);
    else if (error == error_code::large_response)
      w.u8(large_response_handle);
    else
      w.bytes(extended_data);
    return w.status();
  }
};

/// RESPOND_IF_READY: asks for the response announced by ResponseNotReady; answered with that
/// original response (spdm.md §2, §8). decode() returns truncated, trailing_data, invalid_field,
/// unsupported, version_mismatch.
struct respond_if_ready {
  static constexpr code message_code = code::respond_if_ready;
  static constexpr std::size_t size = header::size;
  code request_code = code::get_version;  // Param1: the request that was not ready
  std::uint8_t token = 0;                 // Param2: the Token from ResponseNotReady

  static constexpr result<respond_if_ready> decode(bytes_view message, const negotiated& n) noexcept {
    reader r{message};
    PMCI_TRY_ASSIGN(const header h, read_header(r, message_code, n));
    PMCI_TRY(r.finish());
    return respond_if_ready{static_cast<code>(h.param1), h.param2};
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    write_header(w, message_code, n, static_cast<std::uint8_t>(request_code), token);
    return w.status();
  }
  /// The RESPOND_IF_READY that follows a ResponseNotReady.
  static constexpr respond_if_ready after(const response_not_ready& rnr) noexcept { return {rnr.request_code, rnr.token}; }
};

}  // namespace pmci::spdm
