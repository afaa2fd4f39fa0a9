// SPDX-License-Identifier: Apache-2.0
// The DMTF spdm-emu "platform port" frame codec (shared/interop/README.md), sans-I/O and
// freestanding so that it can be fuzzed and unit-tested without sockets. The socket adapters in
// spdm_emu_socket.hpp are thin loops around these functions.
//
// Every frame, both directions (all three fields u32 big-endian):
//
//   0         4                8               12
//   +---------+----------------+---------------+---------------------------+
//   | command | transport_type | payload_size  | payload (payload_size B)  |
//   +---------+----------------+---------------+---------------------------+
//
// The payload of a NORMAL frame is one transport message. pmci works with MCTP messages (type
// byte + body: `05 ‖ SPDM` or `06 ‖ secured record`), so this header converts between those and
// the socket's transport types:
//
//   MCTP    (1)  payload = type byte + body, as-is (no 4-byte MCTP header, no packetization)
//   NONE    (0)  payload = bare SPDM message (type 05 only: no secured messages without a binding)
//   PCI_DOE (2)  payload = DOE header (8) + message + zero padding to a dword boundary
//                DOE header: vendor u16 LE = 0x0001 (PCI-SIG), object type u8 (1 SPDM,
//                2 secured SPDM), reserved u8, length u32 LE in dwords incl. the header (bits 17:0)
//   TCP     (3)  payload = DSP0287 header (4) + message
//                DSP0287 header: payload_length u16 LE (= bytes after this field: 2 + message),
//                binding version u8 = 0x01, message type u8 (0x05 out of session, 0x06 in session)
//
// Facts: interop README (frame, commands, MCTP/NONE payloads, the 4736-byte receive buffer);
// DOE and TCP layouts as libspdm's transport libraries encode them (UNCONFIRMED against PCIe and
// DSP0287 text: notably the byte order of the DSP0287 length, written in host (little-endian)
// order by the reference). Over PCI_DOE a secured record is the DOE variant (no sequence number,
// secured.md §1.1): the session layer must build it for that binding; this codec only swaps the
// 06 type byte for object type 2. The DOE header does not say how much padding follows the
// message, so unwrapping keeps the 0..3 padding bytes (as the reference does).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/transport/concepts.hpp"

namespace pmci::transport::spdm_emu {

/// Platform-port commands. The enum holds any 32-bit value (peers may send unknown ones).
enum class command : std::uint32_t {
  normal = 0x0001,
  oob_encap_key_update = 0x8001,
  oob_encap_endpoint_info = 0x8002,
  continue_ = 0xFFFD,
  shutdown = 0xFFFE,
  unknown = 0xFFFF,
  test = 0xDEAD,
};

enum class transport_type : std::uint32_t { none = 0, mctp = 1, pci_doe = 2, tcp = 3 };

constexpr bool is_known(command c) noexcept {
  switch (c) {
    case command::normal: case command::oob_encap_key_update: case command::oob_encap_endpoint_info:
    case command::continue_: case command::shutdown: case command::unknown: case command::test:
      return true;
  }
  return false;
}
constexpr bool is_oob(command c) noexcept {
  return c == command::oob_encap_key_update || c == command::oob_encap_endpoint_info;
}
constexpr bool is_known(transport_type t) noexcept { return static_cast<std::uint32_t>(t) <= 3; }

/// spdm-emu's option spelling ("NORMAL", "CONTINUE", ...; "MCTP", "PCI_DOE", ...).
constexpr const char* name(command c) noexcept {
  switch (c) {
    case command::normal: return "NORMAL";
    case command::oob_encap_key_update: return "OOB_ENCAP_KEY_UPDATE";
    case command::oob_encap_endpoint_info: return "OOB_ENCAP_ENDPOINT_INFO";
    case command::continue_: return "CONTINUE";
    case command::shutdown: return "SHUTDOWN";
    case command::unknown: return "UNKNOWN";
    case command::test: return "TEST";
  }
  return "?";
}
constexpr const char* name(transport_type t) noexcept {
  switch (t) {
    case transport_type::none: return "NONE";
    case transport_type::mctp: return "MCTP";
    case transport_type::pci_doe: return "PCI_DOE";
    case transport_type::tcp: return "TCP";
  }
  return "?";
}
/// Parse "MCTP" / "NONE" / "PCI_DOE" / "TCP" (the --trans option); errc::invalid_field otherwise.
constexpr result<transport_type> parse_transport_type(std::string_view s) noexcept {
  constexpr transport_type all[] = {transport_type::none, transport_type::mctp, transport_type::pci_doe,
                                    transport_type::tcp};
  for (auto t : all)
    if (s == name(t)) return t;
  return errc::invalid_field;
}

inline constexpr std::uint16_t default_port = 2323;      ///< MCTP, PCI_DOE, NONE
inline constexpr std::uint16_t default_tcp_port = 4194;  ///< TCP (DSP0287)
/// The reference responder's receive buffer; a good default limit for payload_size.
inline constexpr std::size_t reference_max_payload = 4736;

/// TEST handshake payloads (NUL included; contents are not checked by the reference).
inline constexpr std::array<std::byte, 14> client_hello{
    std::byte{'C'}, std::byte{'l'}, std::byte{'i'}, std::byte{'e'}, std::byte{'n'}, std::byte{'t'}, std::byte{' '},
    std::byte{'H'}, std::byte{'e'}, std::byte{'l'}, std::byte{'l'}, std::byte{'o'}, std::byte{'!'}, std::byte{0}};
inline constexpr std::array<std::byte, 14> server_hello{
    std::byte{'S'}, std::byte{'e'}, std::byte{'r'}, std::byte{'v'}, std::byte{'e'}, std::byte{'r'}, std::byte{' '},
    std::byte{'H'}, std::byte{'e'}, std::byte{'l'}, std::byte{'l'}, std::byte{'o'}, std::byte{'!'}, std::byte{0}};

// ---------------------------------------------------------------------------------------------
// Frame header

struct frame_header {
  static constexpr std::size_t size = 12;
  command cmd = command::normal;
  transport_type transport = transport_type::mctp;
  std::uint32_t payload_size = 0;

  /// Reads the first 12 bytes of `in` (more may follow). errc::truncated if fewer. Any command
  /// and transport value is accepted here; check() applies a peer's expectations.
  static constexpr result<frame_header> decode(bytes_view in) noexcept {
    if (in.size() < size) return errc::truncated;
    reader r{in};
    frame_header h;
    h.cmd = static_cast<command>(r.u32be());
    h.transport = static_cast<transport_type>(r.u32be());
    h.payload_size = r.u32be();
    return h;
  }
  constexpr void encode(writer& w) const noexcept {
    w.u32be(static_cast<std::uint32_t>(cmd)).u32be(static_cast<std::uint32_t>(transport)).u32be(payload_size);
  }
  /// What a receiver checks before reading the payload:
  ///   errc::invalid_field  transport differs from `expected` (the reference drops such a peer)
  ///   errc::out_of_range   payload_size > max_payload (the reference's buffer is 4736 bytes)
  [[nodiscard]] constexpr result<void> check(transport_type expected, std::size_t max_payload) const noexcept {
    if (transport != expected) return errc::invalid_field;
    if (payload_size > max_payload) return errc::out_of_range;
    return pmci::ok();
  }
  friend constexpr bool operator==(const frame_header&, const frame_header&) = default;
};

/// A decoded frame: the header and a view of its payload.
struct frame {
  frame_header header;
  bytes_view payload;
};

/// Decode exactly one frame from `in`. Returns
///   errc::truncated      fewer than 12 bytes, or fewer payload bytes than payload_size
///   errc::out_of_range   payload_size > max_payload
///   errc::trailing_data  bytes after the payload
/// The transport type is not checked (see frame_header::check).
constexpr result<frame> decode_frame(bytes_view in, std::size_t max_payload = reference_max_payload) noexcept {
  PMCI_TRY_ASSIGN(frame_header h, frame_header::decode(in));
  if (h.payload_size > max_payload) return errc::out_of_range;
  const std::size_t rest = in.size() - frame_header::size;
  if (rest < h.payload_size) return errc::truncated;
  if (rest > h.payload_size) return errc::trailing_data;
  return frame{h, in.subspan(frame_header::size, h.payload_size)};
}

/// Encode a frame with a raw payload into `out`; returns the frame or errc::buffer_too_small
/// (errc::out_of_range for a payload that does not fit the u32 size field).
constexpr result<bytes_span> encode_frame(command cmd, transport_type t, bytes_view payload, bytes_span out) noexcept {
  if (payload.size() > 0xFFFFFFFFu) return errc::out_of_range;
  writer w{out};
  frame_header{cmd, t, static_cast<std::uint32_t>(payload.size())}.encode(w);
  w.bytes(payload);
  return w.finish();
}

// ---------------------------------------------------------------------------------------------
// Transport-type payloads <-> MCTP messages

/// An MCTP message split into its type byte and body (a view, no copy).
struct message_view {
  std::uint8_t mctp_type = 0;
  bytes_view body;
};

/// How an MCTP message is laid out inside a payload: prefix bytes (a DOE or DSP0287 header), the
/// body (for MCTP: the whole message including its type byte), then zero padding. Lets a sender
/// gather the pieces (writev) without assembling a copy.
struct wrapped_payload {
  std::array<std::byte, 8> prefix_storage{};
  std::size_t prefix_size = 0;
  bytes_view body;
  std::size_t padding = 0;
  [[nodiscard]] constexpr bytes_view prefix() const noexcept { return bytes_view{prefix_storage}.first(prefix_size); }
  [[nodiscard]] constexpr std::size_t size() const noexcept { return prefix_size + body.size() + padding; }
};

inline constexpr std::uint16_t doe_vendor_pcisig = 0x0001;
inline constexpr std::uint8_t doe_type_discovery = 0, doe_type_spdm = 1, doe_type_secured_spdm = 2;
inline constexpr std::size_t doe_header_size = 8;
inline constexpr std::uint32_t doe_max_dwords = 1u << 18;  // length field is 18 bits; 0 means 2^18
inline constexpr std::uint8_t tcp_binding_version = 0x01;
inline constexpr std::size_t tcp_header_size = 4;

/// Plan the payload that carries MCTP message `message` (type byte + body) over transport t.
///   errc::truncated    empty message (no type byte); NONE: nothing after the type byte
///   errc::unsupported  a message type the transport cannot carry (NONE: only 05; PCI_DOE and
///                      TCP: 05 and 06), or an unknown transport type
///   errc::out_of_range too long for the transport's length field (DOE 2^18 dwords, TCP 65535)
constexpr result<wrapped_payload> plan_wrap(transport_type t, bytes_view message) noexcept {
  if (message.empty()) return errc::truncated;
  const auto type = std::to_integer<std::uint8_t>(message[0]);
  const bytes_view body = message.subspan(1);
  wrapped_payload p;
  switch (t) {
    case transport_type::mctp:
      p.body = message;
      return p;
    case transport_type::none:
      if (type != mctp_type_spdm) return errc::unsupported;
      if (body.empty()) return errc::truncated;  // the payload would be empty: unreadable
      p.body = body;
      return p;
    case transport_type::pci_doe: {
      if (type != mctp_type_spdm && type != mctp_type_secured_spdm) return errc::unsupported;
      const std::size_t padded = (body.size() + 3) / 4 * 4;
      const std::size_t dwords = (doe_header_size + padded) / 4;
      if (dwords > doe_max_dwords) return errc::out_of_range;
      writer w{p.prefix_storage};
      w.u16le(doe_vendor_pcisig).u8(type == mctp_type_spdm ? doe_type_spdm : doe_type_secured_spdm).u8(0);
      // DOE: a length of 2^18 dwords is encoded as 0.
      w.u32le(static_cast<std::uint32_t>(dwords == doe_max_dwords ? 0 : dwords));
      p.prefix_size = doe_header_size;
      p.body = body;
      p.padding = padded - body.size();
      return p;
    }
    case transport_type::tcp: {
      if (type != mctp_type_spdm && type != mctp_type_secured_spdm) return errc::unsupported;
      if (body.size() + 2 > 0xFFFF) return errc::out_of_range;
      writer w{p.prefix_storage};
      w.u16le(static_cast<std::uint16_t>(body.size() + 2)).u8(tcp_binding_version).u8(type);
      p.prefix_size = tcp_header_size;
      p.body = body;
      return p;
    }
  }
  return errc::unsupported;
}

/// Payload for `message` over t, written into out (errors of plan_wrap, or buffer_too_small).
constexpr result<bytes_span> wrap(transport_type t, bytes_view message, bytes_span out) noexcept {
  PMCI_TRY_ASSIGN(wrapped_payload p, plan_wrap(t, message));
  writer w{out};
  w.bytes(p.prefix()).bytes(p.body).zeros(p.padding);
  return w.finish();
}

/// Split a NORMAL payload of transport t into MCTP type and body (views into payload).
///   errc::truncated      empty payload, or shorter than the DOE/DSP0287 header
///   errc::invalid_field  DOE vendor not PCI-SIG, DOE length != payload size in dwords, DSP0287
///                        length != bytes after it
///   errc::unsupported    DOE object type other than SPDM/secured SPDM (e.g. discovery), DSP0287
///                        binding version other than 1 or message type other than 05/06 (role
///                        inquiry, errors), unknown transport type
///   errc::reserved_nonzero  the DOE reserved byte or length bits 31:18 are set
/// Over PCI_DOE the body keeps the 0..3 padding bytes (see the file comment).
constexpr result<message_view> unwrap_view(transport_type t, bytes_view payload) noexcept {
  if (payload.empty()) return errc::truncated;
  switch (t) {
    case transport_type::mctp:
      return message_view{std::to_integer<std::uint8_t>(payload[0]), payload.subspan(1)};
    case transport_type::none:
      return message_view{mctp_type_spdm, payload};
    case transport_type::pci_doe: {
      reader r{payload};
      const std::uint16_t vendor = r.u16le();
      const std::uint8_t object = r.u8();
      const std::uint8_t reserved = r.u8();
      const std::uint32_t length = r.u32le();
      if (!r.ok()) return r.error();
      if (vendor != doe_vendor_pcisig) return errc::invalid_field;
      if (reserved != 0 || (length >> 18) != 0) return errc::reserved_nonzero;
      const std::size_t dwords = length == 0 ? doe_max_dwords : length;
      if (payload.size() % 4 != 0 || dwords != payload.size() / 4) return errc::invalid_field;
      if (object == doe_type_spdm) return message_view{mctp_type_spdm, r.rest()};
      if (object == doe_type_secured_spdm) return message_view{mctp_type_secured_spdm, r.rest()};
      return errc::unsupported;
    }
    case transport_type::tcp: {
      reader r{payload};
      const std::uint16_t length = r.u16le();
      const std::uint8_t version = r.u8();
      const std::uint8_t type = r.u8();
      if (!r.ok()) return r.error();
      if (version != tcp_binding_version) return errc::unsupported;
      if (type != mctp_type_spdm && type != mctp_type_secured_spdm) return errc::unsupported;
      if (length != payload.size() - 2) return errc::invalid_field;
      return message_view{type, r.rest()};
    }
  }
  return errc::unsupported;
}

/// Convert a NORMAL payload into an MCTP message (type byte + body) written at the front of
/// `out`. Errors of unwrap_view, or errc::buffer_too_small. `payload` may lie inside `out`
/// (receive in place, then unwrap): overlapping bytes are moved safely.
constexpr result<bytes_span> unwrap(transport_type t, bytes_view payload, bytes_span out) noexcept {
  PMCI_TRY_ASSIGN(message_view m, unwrap_view(t, payload));
  if (out.size() < 1 + m.body.size()) return errc::buffer_too_small;
  // In-place use: the body may overlap the destination out[1..]. Copy front to back unless the
  // body starts before its destination (NONE received at out[0]), then back to front. The type
  // byte goes last because it may overwrite the first payload byte.
  const std::byte type{m.mctp_type};
  bool backward = false;
  if (!std::is_constant_evaluated()) {
    const auto src = reinterpret_cast<std::uintptr_t>(m.body.data());
    const auto dst = reinterpret_cast<std::uintptr_t>(out.data() + 1);
    backward = src < dst && src + m.body.size() > dst;
  }
  if (backward) {
    for (std::size_t i = m.body.size(); i > 0; --i) out[i] = m.body[i - 1];
  } else {
    for (std::size_t i = 0; i < m.body.size(); ++i) out[1 + i] = m.body[i];
  }
  out[0] = type;
  return out.first(1 + m.body.size());
}

/// Bytes of `out` that unwrap() needs for a payload of payload_size bytes over t (at most
/// payload_size + 1: NONE adds the 05 type byte; the others shrink or keep the size).
constexpr std::size_t unwrapped_capacity(transport_type t, std::size_t payload_size) noexcept {
  return t == transport_type::none ? payload_size + 1 : payload_size;
}

/// A whole NORMAL (or other) frame carrying MCTP message `message` over t, written into out.
constexpr result<bytes_span> encode_message_frame(command cmd, transport_type t, bytes_view message,
                                                  bytes_span out) noexcept {
  PMCI_TRY_ASSIGN(wrapped_payload p, plan_wrap(t, message));
  if (p.size() > 0xFFFFFFFFu) return errc::out_of_range;
  writer w{out};
  frame_header{cmd, t, static_cast<std::uint32_t>(p.size())}.encode(w);
  w.bytes(p.prefix()).bytes(p.body).zeros(p.padding);
  return w.finish();
}

}  // namespace pmci::transport::spdm_emu
