// SPDX-License-Identifier: Apache-2.0
// pmci-dump's decoding pipeline, one stage per function so that later stages slot in:
//
//   pcap file ──► pcap::message_reader ──► guess_direction ──► describe() ──► one line
//                 (records, reassembly)                         │
//                                                               ├─ 0x05: spdm header summary
//                                                               │        (later, with -v: the
//                                                               │        codecs' dispatcher and
//                                                               │        pmci/fmt.hpp formatters)
//                                                               └─ 0x06: record header summary
//                                                                        (later, --dhe-secret /
//                                                                        --psk: decrypt with
//                                                                        pmci::spdm::session and
//                                                                        describe the inner
//                                                                        message like a 0x05 one)
#pragma once
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "pmci/core/bytes.hpp"
#include "pmci/spdm/types.hpp"
#include "pmci/transport/concepts.hpp"
#include "pmci/transport/pcap.hpp"

namespace pmci_dump {

using pmci::bytes_view;
using pmci::transport::direction;

/// MCTP message type names (DSP0239) for the ones that show up next to SPDM.
inline const char* mctp_type_name(std::uint8_t t) {
  switch (t) {
    case 0x00: return "CONTROL";
    case 0x01: return "PLDM";
    case 0x02: return "NCSI";
    case 0x03: return "ETHERNET";
    case 0x04: return "NVME";
    case 0x05: return "SPDM";
    case 0x06: return "SECURED";
    case 0x7E: return "VDM_PCI";
    case 0x7F: return "VDM_IANA";
    default: return "TYPE";
  }
}

/// Who sent a message. Real MCTP packets say it: the tag owner (TO = 1) is the requester. The
/// spdm-emu placeholder header carries no such bit, so: an SPDM request code has bit 7 set
/// (spdm.md §2), and a secured record (opaque without keys) answers the message before it —
/// the platform port is strict ping-pong.
class direction_guesser {
 public:
  direction guess(const pmci::transport::pcap::captured_message& m) {
    direction d;
    const auto& b = m.message;
    if (!m.header.is_placeholder()) {
      d = m.header.tag_owner ? direction::request : direction::response;
    } else if (b.size() >= 3 && b[0] == std::byte{0x05}) {
      d = (std::to_integer<std::uint8_t>(b[2]) & 0x80) ? direction::request : direction::response;
    } else {
      d = previous_ == direction::request ? direction::response : direction::request;
    }
    previous_ = d;
    return d;
  }

 private:
  direction previous_ = direction::response;  // so that a first opaque message is a request
};

/// "GET_VERSION", or "UNKNOWN(0x9a)" for a code DSP0274 does not define.
inline std::string spdm_name(std::uint8_t code) {
  const char* n = pmci::spdm::name(static_cast<pmci::spdm::code>(code));
  if (std::string_view(n) == "UNKNOWN") return fmt::format("UNKNOWN(0x{:02x})", code);
  return n;
}

/// SPDM (type 0x05): name, version, param1/param2 and the SPDM message length.
inline std::string describe_spdm(bytes_view spdm) {
  if (spdm.size() < 4) return fmt::format("{:<8} (truncated: {} bytes)", "SPDM", spdm.size());
  const auto u8 = [&](std::size_t i) { return std::to_integer<std::uint8_t>(spdm[i]); };
  return fmt::format("{:<8} {:<34} v{}.{} param1=0x{:02x} param2=0x{:02x} len={}", "SPDM", spdm_name(u8(1)),
                     u8(0) >> 4, u8(0) & 0xF, u8(2), u8(3), spdm.size());
}

/// Secured record over MCTP (type 0x06, secured.md §1.1): session id, the 16-bit sequence
/// number and the Length field (bytes after it: encrypted part + MAC).
inline std::string describe_secured(bytes_view record) {
  if (record.size() < 8) return fmt::format("{:<8} (truncated: {} bytes)", "SECURED", record.size());
  const auto session = pmci::load_u32le(record);
  const auto seq = pmci::load_u16le(record.subspan(4));
  const auto length = pmci::load_u16le(record.subspan(6));
  std::string s = fmt::format("{:<8} session=0x{:08x} seq={} len={}", "SECURED", session, seq, length);
  if (length != record.size() - 8) s += fmt::format(" (record has {} bytes after Length)", record.size() - 8);
  return s;
}

/// One line for one message: index, direction, MCTP type and a summary of the body.
inline std::string describe(const pmci::transport::pcap::captured_message& m, direction d) {
  std::string line = fmt::format("{:>4} {} ", m.index, pmci::transport::name(d));
  const bytes_view msg{m.message};
  const auto type = std::to_integer<std::uint8_t>(msg[0]);
  const bytes_view body = msg.subspan(1);
  if (type == 0x05)
    line += describe_spdm(body);
  else if (type == 0x06)
    line += describe_secured(body);
  else
    line += fmt::format("{:<8} type=0x{:02x} len={}", mctp_type_name(type), type, body.size());
  if (!m.header.is_placeholder())
    line += fmt::format("  [eid {}->{} tag {}{}{}]", m.header.source, m.header.destination, m.header.tag,
                        m.header.tag_owner ? " TO" : "", m.packets > 1 ? fmt::format(" {} packets", m.packets) : "");
  return line;
}

}  // namespace pmci_dump
