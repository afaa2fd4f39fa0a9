// SPDX-License-Identifier: Apache-2.0
// HOST ONLY (stdio, std::vector). Classic pcap files with LINKTYPE_MCTP (291): write what pmci
// sends and receives, read the reference's captures (shared/vectors/README.md).
//
// File: a 24-byte header, then records of a 16-byte header + data.
//
//   file header  magic u32 | major u16 = 2 | minor u16 = 4 | thiszone i32 | sigfigs u32 |
//                snaplen u32 | linktype u32                 (the magic gives byte order and
//                                                           µs (A1B2C3D4) or ns (A1B23C4D))
//   record       ts_sec u32 | ts_frac u32 | incl_len u32 | orig_len u32 | incl_len bytes
//
// Record data for LINKTYPE_MCTP is one MCTP packet: the 4-byte transport header (DSP0236 §8.1:
// rsvd|hdr version, destination EID, source EID, SOM|EOM|seq(2)|TO|tag(3)) + payload. Two kinds
// occur:
//   - spdm-emu captures: one record per whole MCTP message behind the placeholder header
//     `00 00 00 C0` (version 0, EIDs 0, SOM|EOM, TO 0, tag 0); the reference writes
//     little-endian µs files, snaplen 0x10000, ts_usec 0. writer::write_message() reproduces this
//     byte for byte.
//   - real packets (pmci's own captures, a bus sniffer): header version 1, real EIDs and flags;
//     a message may span several packets. writer::write_packet() writes them; message_reader
//     reassembles them (SOM..EOM, same source/destination/tag/TO, consecutive sequence numbers).
//
// The parsing part (file_header, record, reader, mctp_header) is sans-I/O over bytes in memory
// and never reads past its input: truncated files and absurd lengths are errc values.
#pragma once
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"

namespace pmci::transport::pcap {

inline constexpr std::uint32_t linktype_mctp = 291;
inline constexpr std::uint32_t magic_microseconds = 0xA1B2C3D4;
inline constexpr std::uint32_t magic_nanoseconds = 0xA1B23C4D;
inline constexpr std::size_t file_header_size = 24;
inline constexpr std::size_t record_header_size = 16;
/// The snaplen spdm-emu writes.
inline constexpr std::uint32_t reference_snaplen = 0x10000;
/// Records larger than this are rejected as corrupt (libpcap's own ceiling for most link types).
inline constexpr std::uint32_t max_record_size = 262'144;
/// spdm-emu's placeholder MCTP header in front of every message.
inline constexpr std::array<std::byte, 4> placeholder_header{std::byte{0}, std::byte{0}, std::byte{0}, std::byte{0xC0}};

struct timestamp {
  std::uint32_t seconds = 0;
  std::uint32_t fraction = 0;  ///< µs or ns, as the file header says
  friend constexpr bool operator==(const timestamp&, const timestamp&) = default;
};

struct file_header {
  std::uint16_t version_major = 2;
  std::uint16_t version_minor = 4;
  std::int32_t thiszone = 0;
  std::uint32_t sigfigs = 0;
  std::uint32_t snaplen = reference_snaplen;
  std::uint32_t linktype = linktype_mctp;
  bool big_endian = false;   ///< file written big-endian (the magic reads A1B2C3D4 in BE)
  bool nanoseconds = false;  ///< timestamps in ns (magic A1B23C4D)

  /// errc::truncated (< 24 bytes), errc::invalid_field (not a pcap magic), errc::unsupported
  /// (major version other than 2). Any link type is accepted; callers check linktype.
  static constexpr result<file_header> decode(bytes_view in) noexcept {
    if (in.size() < file_header_size) return errc::truncated;
    file_header h;
    const std::uint32_t le = load_u32le(in), be = load_u32be(in);
    if (le == magic_microseconds || le == magic_nanoseconds) {
      h.big_endian = false;
      h.nanoseconds = le == magic_nanoseconds;
    } else if (be == magic_microseconds || be == magic_nanoseconds) {
      h.big_endian = true;
      h.nanoseconds = be == magic_nanoseconds;
    } else {
      return errc::invalid_field;
    }
    pmci::reader r{in.subspan(4, file_header_size - 4)};
    h.version_major = h.big_endian ? r.u16be() : r.u16le();
    h.version_minor = h.big_endian ? r.u16be() : r.u16le();
    h.thiszone = static_cast<std::int32_t>(h.big_endian ? r.u32be() : r.u32le());
    h.sigfigs = h.big_endian ? r.u32be() : r.u32le();
    h.snaplen = h.big_endian ? r.u32be() : r.u32le();
    h.linktype = h.big_endian ? r.u32be() : r.u32le();
    if (h.version_major != 2) return errc::unsupported;
    return h;
  }

  /// Always written little-endian (as the reference does); big_endian is ignored.
  constexpr void encode(pmci::writer& w) const noexcept {
    w.u32le(nanoseconds ? magic_nanoseconds : magic_microseconds)
        .u16le(version_major)
        .u16le(version_minor)
        .u32le(static_cast<std::uint32_t>(thiszone))
        .u32le(sigfigs)
        .u32le(snaplen)
        .u32le(linktype);
  }
};

/// One record: a view into the file bytes.
struct record {
  timestamp ts;
  std::uint32_t original_length = 0;
  bytes_view data;  ///< the captured (incl_len) bytes
};

/// Record header bytes for `data` (little-endian, incl_len = orig_len = data size).
constexpr void encode_record_header(pmci::writer& w, timestamp ts, std::size_t size) noexcept {
  if (size > 0xFFFFFFFFu) {
    w.fail(errc::out_of_range);
    return;
  }
  const auto n = static_cast<std::uint32_t>(size);
  w.u32le(ts.seconds).u32le(ts.fraction).u32le(n).u32le(n);
}

/// Iterates the records of a whole pcap file held in memory.
class reader {
 public:
  constexpr reader() noexcept = default;

  /// Errors of file_header::decode.
  static constexpr result<reader> open(bytes_view file) noexcept {
    PMCI_TRY_ASSIGN(file_header h, file_header::decode(file));
    reader r;
    r.file_ = file;
    r.header_ = h;
    r.pos_ = file_header_size;
    return r;
  }

  [[nodiscard]] constexpr const file_header& header() const noexcept { return header_; }
  /// Byte offset of the next record.
  [[nodiscard]] constexpr std::size_t position() const noexcept { return pos_; }

  /// The next record into `out`: true, or false at the clean end of the file. Errors (the reader
  /// then stays at the failing record and keeps returning the error):
  ///   errc::truncated     a partial record header, or fewer data bytes than incl_len
  ///   errc::out_of_range  incl_len above max_record_size (a corrupt or hostile length)
  constexpr result<bool> next(record& out) noexcept {
    const std::size_t left = file_.size() - pos_;
    if (left == 0) return false;
    if (left < record_header_size) return errc::truncated;
    reader_fields f = fields(file_.subspan(pos_, record_header_size));
    if (f.incl > max_record_size) return errc::out_of_range;
    if (left - record_header_size < f.incl) return errc::truncated;
    out.ts = {f.sec, f.frac};
    out.original_length = f.orig;
    out.data = file_.subspan(pos_ + record_header_size, f.incl);
    pos_ += record_header_size + f.incl;
    return true;
  }

 private:
  struct reader_fields {
    std::uint32_t sec, frac, incl, orig;
  };
  constexpr reader_fields fields(bytes_view h) const noexcept {
    pmci::reader r{h};
    if (header_.big_endian) return {r.u32be(), r.u32be(), r.u32be(), r.u32be()};
    const std::uint32_t sec = r.u32le(), frac = r.u32le(), incl = r.u32le(), orig = r.u32le();
    return {sec, frac, incl, orig};
  }

  bytes_view file_{};
  file_header header_{};
  std::size_t pos_ = 0;
};

// ---------------------------------------------------------------------------------------------
// MCTP packet header (DSP0236 §8.1; mctp.md). Kept here, minimal, until pmci::mctp::packet is
// available to the tools.

struct mctp_header {
  static constexpr std::size_t size = 4;
  std::uint8_t version = 1;  ///< header version (low nibble of byte 0); 1 for DSP0236 1.x
  std::uint8_t destination = 0;
  std::uint8_t source = 0;
  bool som = true;
  bool eom = true;
  std::uint8_t sequence = 0;  ///< 2 bits
  bool tag_owner = false;
  std::uint8_t tag = 0;  ///< 3 bits

  /// errc::truncated for fewer than 4 bytes. The reserved nibble is ignored (liberal reader).
  static constexpr result<mctp_header> decode(bytes_view in) noexcept {
    if (in.size() < size) return errc::truncated;
    mctp_header h;
    h.version = std::to_integer<std::uint8_t>(in[0]) & 0x0F;
    h.destination = std::to_integer<std::uint8_t>(in[1]);
    h.source = std::to_integer<std::uint8_t>(in[2]);
    const auto f = std::to_integer<std::uint8_t>(in[3]);
    h.som = (f & 0x80) != 0;
    h.eom = (f & 0x40) != 0;
    h.sequence = static_cast<std::uint8_t>((f >> 4) & 0x3);
    h.tag_owner = (f & 0x08) != 0;
    h.tag = f & 0x07;
    return h;
  }
  constexpr void encode(pmci::writer& w) const noexcept {
    w.u8(version & 0x0F).u8(destination).u8(source);
    w.u8(static_cast<std::uint8_t>((som ? 0x80 : 0) | (eom ? 0x40 : 0) | ((sequence & 0x3) << 4) |
                                   (tag_owner ? 0x08 : 0) | (tag & 0x07)));
  }
  /// spdm-emu's `00 00 00 C0`: not a real packet header (version 0), a whole message follows.
  [[nodiscard]] constexpr bool is_placeholder() const noexcept {
    return version == 0 && destination == 0 && source == 0 && som && eom && sequence == 0 && !tag_owner && tag == 0;
  }
  friend constexpr bool operator==(const mctp_header&, const mctp_header&) = default;
};

// ---------------------------------------------------------------------------------------------
// Messages out of a capture (host: reassembly uses std::vector).

struct captured_message {
  std::size_t index = 0;        ///< 1-based message number
  std::size_t record = 0;       ///< 1-based number of the record that completed it
  timestamp ts;                 ///< of that record
  mctp_header header;           ///< of the first packet (the placeholder for spdm-emu captures)
  std::size_t packets = 1;
  std::vector<std::byte> message;  ///< MCTP message: type byte + body
};

/// Yields whole MCTP messages from an LINKTYPE_MCTP capture of either kind.
class message_reader {
 public:
  /// Errors of reader::open, or errc::unsupported when the link type is not MCTP.
  static result<message_reader> open(bytes_view file) {
    PMCI_TRY_ASSIGN(reader r, reader::open(file));
    if (r.header().linktype != linktype_mctp) return errc::unsupported;
    message_reader m;
    m.records_ = r;
    return m;
  }

  [[nodiscard]] const file_header& header() const noexcept { return records_.header(); }

  /// The next complete message: true, false at the end of the file, or the reader's error.
  /// Packets that cannot be assembled (a middle packet without SOM, a sequence gap, a record
  /// shorter than an MCTP header, a message with no type byte) are skipped and counted in
  /// dropped_packets() together with the packets of the message they break, as an MCTP receiver
  /// drops them (DSP0236 §8.8). Partial messages left at the end of the file are not counted.
  result<bool> next(captured_message& out) {
    record rec;
    for (;;) {
      PMCI_TRY_ASSIGN(bool more, records_.next(rec));
      if (!more) return false;
      ++record_count_;
      auto h = mctp_header::decode(rec.data);
      if (!h) {
        ++dropped_;
        continue;
      }
      const bytes_view payload = rec.data.subspan(mctp_header::size);
      const key k{h->source, h->destination, h->tag, h->tag_owner};
      if (h->som) {
        partial p;
        p.first = *h;
        p.expected_seq = static_cast<std::uint8_t>((h->sequence + 1) & 3);
        p.bytes.assign(payload.begin(), payload.end());
        if (auto old = partial_.find(k); old != partial_.end())
          dropped_ += old->second.packets;  // DSP0236 §8.8: a new SOM drops the unfinished message
        if (h->eom) {
          partial_.erase(k);
          if (p.bytes.empty()) {
            ++dropped_;
            continue;
          }
          emit(out, p, rec);
          return true;
        }
        partial_[k] = std::move(p);
        continue;
      }
      auto it = partial_.find(k);
      if (it == partial_.end() || it->second.expected_seq != h->sequence) {
        if (it != partial_.end()) {  // a sequence gap loses the whole message
          dropped_ += it->second.packets;
          partial_.erase(it);
        }
        ++dropped_;
        continue;
      }
      it->second.bytes.insert(it->second.bytes.end(), payload.begin(), payload.end());
      it->second.expected_seq = static_cast<std::uint8_t>((h->sequence + 1) & 3);
      ++it->second.packets;
      if (h->eom) {
        partial p = std::move(it->second);
        partial_.erase(it);
        if (p.bytes.empty()) {
          ++dropped_;
          continue;
        }
        emit(out, p, rec);
        return true;
      }
    }
  }

  [[nodiscard]] std::size_t dropped_packets() const noexcept { return dropped_; }
  [[nodiscard]] std::size_t records() const noexcept { return record_count_; }

 private:
  using key = std::tuple<std::uint8_t, std::uint8_t, std::uint8_t, bool>;
  struct partial {
    mctp_header first;
    std::uint8_t expected_seq = 0;
    std::size_t packets = 1;
    std::vector<std::byte> bytes;
  };
  void emit(captured_message& out, partial& p, const record& rec) {
    out.index = ++message_count_;
    out.record = record_count_;
    out.ts = rec.ts;
    out.header = p.first;
    out.packets = p.packets;
    out.message = std::move(p.bytes);
  }

  reader records_;
  std::map<key, partial> partial_;
  std::size_t dropped_ = 0;
  std::size_t record_count_ = 0;
  std::size_t message_count_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Writer

/// Writes a LINKTYPE_MCTP pcap file (little-endian, µs). Owns the FILE* it opened.
class writer {
 public:
  writer() = default;
  writer(writer&& o) noexcept : file_(std::exchange(o.file_, nullptr)), own_(o.own_) {}
  writer& operator=(writer&& o) noexcept {
    if (this != &o) {
      (void)close();
      file_ = std::exchange(o.file_, nullptr);
      own_ = o.own_;
    }
    return *this;
  }
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;
  ~writer() { (void)close(); }

  /// Create (truncate) `path` and write the file header. errc::no_resources if it cannot be
  /// opened, errc::session_ended if the header cannot be written.
  static result<writer> create(const std::string& path, std::uint32_t snaplen = reference_snaplen) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) return errc::no_resources;
    return attach(f, true, snaplen);
  }
  /// Write to an already open stream (e.g. tmpfile(); closed by the writer only when own).
  static result<writer> attach(std::FILE* f, bool own, std::uint32_t snaplen = reference_snaplen) {
    writer w;
    w.file_ = f;
    w.own_ = own;
    std::array<std::byte, file_header_size> h{};
    pmci::writer out{h};
    file_header fh;
    fh.snaplen = snaplen;
    fh.encode(out);
    PMCI_TRY(w.put(h));
    return w;
  }

  /// The current wall-clock time as spdm-emu stamps its records (seconds, µs = 0).
  static timestamp now_seconds() {
    const auto t = std::chrono::system_clock::now().time_since_epoch();
    return {static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(t).count()), 0};
  }
  /// The current wall-clock time with microseconds.
  static timestamp now() {
    const auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::system_clock::now().time_since_epoch()).count();
    return {static_cast<std::uint32_t>(us / 1'000'000), static_cast<std::uint32_t>(us % 1'000'000)};
  }

  /// A whole MCTP message (type byte + body) behind the placeholder header `00 00 00 C0`, exactly
  /// as spdm-emu records it. Default timestamp: now_seconds() (the reference's µs are 0).
  result<void> write_message(bytes_view mctp_message, std::optional<timestamp> ts = std::nullopt) {
    if (mctp_message.size() > max_record_size - placeholder_header.size()) return errc::out_of_range;
    return write_parts(ts ? *ts : now_seconds(), placeholder_header, mctp_message);
  }

  /// One real MCTP packet: 4-byte transport header + payload. Default timestamp: now().
  result<void> write_packet(bytes_view mctp_packet, std::optional<timestamp> ts = std::nullopt) {
    if (mctp_packet.size() < mctp_header::size) return errc::truncated;
    if (mctp_packet.size() > max_record_size) return errc::out_of_range;
    return write_parts(ts ? *ts : now(), {}, mctp_packet);
  }
  /// A packet from a header and its payload.
  result<void> write_packet(const mctp_header& h, bytes_view payload, std::optional<timestamp> ts = std::nullopt) {
    if (payload.size() > max_record_size - mctp_header::size) return errc::out_of_range;
    std::array<std::byte, mctp_header::size> hb{};
    pmci::writer w{hb};
    h.encode(w);
    return write_parts(ts ? *ts : now(), hb, payload);
  }

  /// Flush buffered records to the file (errc::session_ended on an I/O error).
  result<void> flush() {
    if (!file_) return errc::invalid_state;
    if (std::fflush(file_) != 0) return errc::session_ended;
    return pmci::ok();
  }
  /// Flush and close (when owned). Safe to call twice.
  result<void> close() {
    if (!file_) return pmci::ok();
    const bool ok = std::fflush(file_) == 0;
    if (own_) std::fclose(file_);
    file_ = nullptr;
    return ok ? pmci::ok() : result<void>{errc::session_ended};
  }
  [[nodiscard]] bool is_open() const noexcept { return file_ != nullptr; }

 private:
  result<void> write_parts(timestamp ts, bytes_view a, bytes_view b) {
    std::array<std::byte, record_header_size> h{};
    pmci::writer w{h};
    encode_record_header(w, ts, a.size() + b.size());
    if (!w.ok()) return w.error();
    PMCI_TRY(put(h));
    PMCI_TRY(put(a));
    return put(b);
  }
  result<void> put(bytes_view bytes) {
    if (!file_) return errc::invalid_state;
    if (bytes.empty()) return pmci::ok();
    if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) return errc::session_ended;
    return pmci::ok();
  }

  std::FILE* file_ = nullptr;
  bool own_ = false;
};

}  // namespace pmci::transport::pcap
