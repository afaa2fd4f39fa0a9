// SPDX-License-Identifier: Apache-2.0
// pmci-dump's decoding pipeline, one stage per function:
//
//   pcap file ──► pcap::message_reader ──► guess_direction ──► dumper::message() ──► lines
//                 (records, reassembly)                         │
//                                                               ├─ 0x05: spdm header summary;
//                                                               │        -v: the codecs'
//                                                               │        dispatcher with the
//                                                               │        capture's decode context
//                                                               │        (capture_context.hpp)
//                                                               │        and pmci/fmt.hpp
//                                                               └─ 0x06: record header summary;
//                                                                        with secrets: opened
//                                                                        with the session keys
//                                                                        rebuilt from the
//                                                                        capture, the inner
//                                                                        message described like
//                                                                        a 0x05 one
#pragma once
#include <fmt/format.h>

#include "pmci/fmt.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "capture_context.hpp"
#include "pmci/core/bytes.hpp"
#include "pmci/crypto/openssl.hpp"
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

/// What to print and with which secrets.
struct options {
  bool hex = false;
  bool header = true;
  bool verbose = false;
  session_secrets secrets;
};

inline std::string hex_of(bytes_view bytes) {
  std::string s;
  s.reserve(bytes.size() * 2);
  for (auto b : bytes) s += fmt::format("{:02x}", std::to_integer<unsigned>(b));
  return s;
}

/// Indent every line of a multi-line text (the verbose formatters' "\n  Field: value" lines).
inline std::string indented(std::string_view text, std::string_view by) {
  std::string out(by);
  for (char c : text) {
    out += c;
    if (c == '\n') out += by;
  }
  return out;
}

/// The whole pipeline for one capture: direction guess, decode context, decryption, lines.
class dumper {
 public:
  explicit dumper(const options& opt) : opt_(opt), context_(crypto_, opt.secrets) {}

  /// The text for one message: its line, then with -v its fields, with --hex its bytes.
  std::string message(const pmci::transport::pcap::captured_message& m) {
    const direction d = directions_.guess(m);
    std::string line = fmt::format("{:>4} {} ", m.index, pmci::transport::name(d));
    std::string details;
    const bytes_view msg{m.message};
    const auto type = std::to_integer<std::uint8_t>(msg[0]);
    const bytes_view body = msg.subspan(1);
    if (type == 0x05) {
      line += describe_spdm(body);
      const decoded dec = context_.spdm(body, plain_channel);
      if (opt_.verbose) details += verbose(dec, body);
    } else if (type == 0x06) {
      line += describe_secured(body);
      if (context_.decrypting()) secured(m, d, line, details);
    } else {
      line += fmt::format("{:<8} type=0x{:02x} len={}", mctp_type_name(type), type, body.size());
    }
    if (!m.header.is_placeholder())
      line += fmt::format("  [eid {}->{} tag {}{}{}]", m.header.source, m.header.destination, m.header.tag,
                          m.header.tag_owner ? " TO" : "", m.packets > 1 ? fmt::format(" {} packets", m.packets) : "");
    line += '\n';
    line += details;
    if (opt_.hex) line += fmt::format("     {}\n", hex_of(msg));
    if (opt_.hex && !inner_hex_.empty()) line += fmt::format("     inner: {}\n", inner_hex_);
    inner_hex_.clear();
    return line;
  }

  /// Secured records that could not be opened although secrets were given.
  [[nodiscard]] std::size_t undecrypted() const noexcept { return undecrypted_; }
  /// Secured records opened.
  [[nodiscard]] std::size_t decrypted() const noexcept { return decrypted_; }

 private:
  /// "-> SPDM NAME ..." after the record summary, or "-> cannot decrypt (why)".
  void secured(const pmci::transport::pcap::captured_message& m, direction d, std::string& line, std::string& details) {
    buffer_.assign(m.message.begin(), m.message.end());  // opened in place
    const opened_record r = context_.open_record(buffer_, d, m.index);
    if (!r.ok) {
      ++undecrypted_;
      line += fmt::format("  -> cannot decrypt ({})", r.why);
      return;
    }
    ++decrypted_;
    line += fmt::format("  -> #{} ", r.session_number);
    if (r.app.empty()) {
      line += "(empty application data)";
      return;
    }
    const auto type = std::to_integer<std::uint8_t>(r.app[0]);
    const bytes_view body = r.app.subspan(1);
    if (type == 0x05) {
      line += describe_spdm(body);
      const decoded dec = context_.spdm(body, channel{true, r.session_id});
      if (opt_.verbose) details += verbose(dec, body);
    } else {
      line += fmt::format("{:<8} type=0x{:02x} len={}", mctp_type_name(type), type, body.size());
    }
    if (opt_.hex) inner_hex_ = hex_of(r.app);
  }

  /// -v: every field through the fmt formatters; an undecodable message as its error and hex.
  static std::string verbose(const decoded& dec, bytes_view spdm) {
    constexpr std::string_view pad = "       ";
    std::string out;
    if (!dec.message) {
      out = fmt::format("{}decode error: {}\n{}hex: {}\n", pad, pmci::to_string(dec.message.error()), pad, hex_of(spdm));
      return out;
    }
    out = indented(fmt::format("{:v}", *dec.message), pad) + '\n';
    if (dec.has_inner) {
      if (dec.inner)
        out += indented(fmt::format("encapsulated: {:v}", *dec.inner), "         ") + '\n';
      else
        out += fmt::format("{}  encapsulated: decode error: {}\n", pad, pmci::to_string(dec.inner.error()));
    }
    if (!dec.note.empty()) out += fmt::format("{}{}\n", pad, dec.note);
    return out;
  }

  options opt_;
  pmci::crypto::openssl crypto_;
  direction_guesser directions_;
  capture_context<pmci::crypto::openssl> context_;
  std::vector<std::byte> buffer_;
  std::string inner_hex_;  ///< --hex: the decrypted inner message, after the record's bytes
  std::size_t undecrypted_ = 0, decrypted_ = 0;
};

/// Exit statuses (docs/tools.md).
inline constexpr int exit_ok = 0;
inline constexpr int exit_bad_file = 1;
inline constexpr int exit_usage = 2;
inline constexpr int exit_undecrypted = 3;

/// Dump a whole pcap held in memory to `out` (errors to `err`). Returns the exit status.
inline int run(bytes_view file, std::string_view name, const options& opt, std::FILE* out, std::FILE* err) {
  namespace pcap = pmci::transport::pcap;
  auto reader = pcap::message_reader::open(file);
  if (!reader) {
    fmt::print(err, "pmci-dump: {}: not an MCTP pcap ({})\n", name, pmci::to_string(reader.error()));
    return exit_bad_file;
  }
  if (opt.header)
    fmt::print(out, "# {}: pcap {}.{}, link type {} (MCTP), snaplen {}\n", name, reader->header().version_major,
               reader->header().version_minor, reader->header().linktype, reader->header().snaplen);
  dumper dump{opt};
  pcap::captured_message m;
  std::size_t count = 0;
  for (;;) {
    auto more = reader->next(m);
    if (!more) {
      fmt::print(err, "pmci-dump: {}: {} after {} messages\n", name, pmci::to_string(more.error()), count);
      return exit_bad_file;
    }
    if (!*more) break;
    ++count;
    fmt::print(out, "{}", dump.message(m));
  }
  if (opt.header) {
    fmt::print(out, "# {} messages in {} records", count, reader->records());
    if (reader->dropped_packets() != 0) fmt::print(out, ", {} packets dropped (incomplete messages)", reader->dropped_packets());
    if (opt.secrets.any())
      fmt::print(out, "; {} secured records decrypted, {} not", dump.decrypted(), dump.undecrypted());
    fmt::print(out, "\n");
  }
  return opt.secrets.any() && dump.undecrypted() != 0 ? exit_undecrypted : exit_ok;
}

}  // namespace pmci_dump
