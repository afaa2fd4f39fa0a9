// SPDX-License-Identifier: Apache-2.0
#include "pmci/transport/pcap.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "pmci/core/hex.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

using namespace pmci;
using namespace pmci::transport;
using pmci::test::from_hex;

namespace {

std::vector<std::byte> capture_file(const std::string& name) {
  return pmci::test::load_file("vectors/" + name + "/capture.pcap");
}

/// Everything written to a tmpfile-backed pcap writer.
std::vector<std::byte> slurp(std::FILE* f) {
  std::fflush(f);
  std::fseek(f, 0, SEEK_END);
  const long n = std::ftell(f);
  std::fseek(f, 0, SEEK_SET);
  std::vector<std::byte> out(static_cast<std::size_t>(n));
  REQUIRE(std::fread(out.data(), 1, out.size(), f) == out.size());
  return out;
}

std::vector<pcap::captured_message> read_all(bytes_view file, errc* error = nullptr) {
  std::vector<pcap::captured_message> out;
  auto r = pcap::message_reader::open(file);
  if (!r) {
    if (error) *error = r.error();
    return out;
  }
  for (;;) {
    pcap::captured_message m;
    auto more = r->next(m);
    if (!more) {
      if (error) *error = more.error();
      return out;
    }
    if (!*more) return out;
    out.push_back(std::move(m));
  }
}

constexpr bool header_round_trip() {
  std::array<std::byte, pcap::file_header_size> buf{};
  writer w{buf};
  pcap::file_header h;
  h.snaplen = 1234;
  h.encode(w);
  auto d = pcap::file_header::decode(buf);
  return w.ok() && d && d->snaplen == 1234 && d->linktype == pcap::linktype_mctp && !d->big_endian &&
         !d->nanoseconds && d->version_major == 2 && d->version_minor == 4;
}

constexpr bool mctp_header_round_trip() {
  pcap::mctp_header h;
  h.destination = 9;
  h.source = 8;
  h.som = true;
  h.eom = false;
  h.sequence = 3;
  h.tag_owner = true;
  h.tag = 5;
  std::array<std::byte, 4> buf{};
  writer w{buf};
  h.encode(w);
  auto d = pcap::mctp_header::decode(buf);
  // 01 09 08 | SOM(80) seq 3 (30) TO (08) tag 5 = BD
  return d && *d == h && buf[0] == std::byte{0x01} && buf[3] == std::byte{0xBD} && !d->is_placeholder() &&
         pcap::mctp_header::decode(pcap::placeholder_header)->is_placeholder();
}

}  // namespace

TEST_CASE("pcap: file and MCTP headers round trip", "[transport][pcap]") {
  static_assert(header_round_trip());
  CHECK(header_round_trip());
  static_assert(mctp_header_round_trip());
  CHECK(mctp_header_round_trip());
}

TEST_CASE("pcap: every reference capture yields exactly messages.txt", "[transport][pcap]") {
  for (const auto& name : pmci::test::capture_names()) {
    CAPTURE(name);
    const auto file = capture_file(name);
    const auto expected = pmci::test::load_messages(name);
    auto r = pcap::message_reader::open(file);
    REQUIRE(r);
    CHECK(r->header().linktype == pcap::linktype_mctp);
    CHECK(r->header().snaplen == pcap::reference_snaplen);
    errc err = errc::invalid_state;
    const auto got = read_all(file, &err);
    CHECK(err == errc::invalid_state);  // no error
    REQUIRE(got.size() == expected.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      CAPTURE(i);
      CHECK(got[i].index == static_cast<std::size_t>(expected[i].index));
      CHECK(got[i].header.is_placeholder());
      CHECK(got[i].packets == 1);
      CHECK(got[i].message == expected[i].bytes);
    }
  }
}

TEST_CASE("pcap: re-writing messages.txt reproduces the reference capture byte for byte", "[transport][pcap]") {
  for (const auto& name : pmci::test::capture_names()) {
    CAPTURE(name);
    const auto original = capture_file(name);
    const auto messages = pmci::test::load_messages(name);
    // Timestamps are the only run-specific field: take them from the original, so the whole
    // file must come out identical.
    std::vector<pcap::timestamp> stamps;
    {
      auto rr = pcap::reader::open(original);
      REQUIRE(rr);
      pcap::record rec;
      while (*rr->next(rec)) stamps.push_back(rec.ts);
    }
    REQUIRE(stamps.size() == messages.size());
    std::FILE* f = std::tmpfile();
    REQUIRE(f != nullptr);
    {
      auto w = pcap::writer::attach(f, false);
      REQUIRE(w);
      for (std::size_t i = 0; i < messages.size(); ++i) REQUIRE(w->write_message(messages[i].bytes, stamps[i]));
      REQUIRE(w->close());
    }
    CHECK(slurp(f) == original);
    std::fclose(f);

    // With the writer's own clock: headers and data equal, only timestamps may differ.
    f = std::tmpfile();
    REQUIRE(f != nullptr);
    {
      auto w = pcap::writer::attach(f, false);
      REQUIRE(w);
      for (const auto& m : messages) REQUIRE(w->write_message(m.bytes));
    }
    const auto mine = slurp(f);
    std::fclose(f);
    REQUIRE(mine.size() == original.size());
    auto a = pcap::reader::open(original);
    auto b = pcap::reader::open(mine);
    REQUIRE(a);
    REQUIRE(b);
    CHECK(equal(bytes_view{mine}.first(24), bytes_view{original}.first(24)));
    pcap::record ra, rb;
    std::size_t n = 0;
    while (*a->next(ra)) {
      REQUIRE(*b->next(rb));
      CHECK(ra.original_length == rb.original_length);
      CHECK(equal(ra.data, rb.data));
      CHECK(rb.ts.fraction == 0);  // the reference stamps whole seconds
      ++n;
    }
    CHECK(n == messages.size());
  }
}

TEST_CASE("pcap: real MCTP packets are reassembled into messages", "[transport][pcap]") {
  const auto messages = pmci::test::load_messages("spdm12_p384_sha384_aes256gcm_mutauth");
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  std::size_t packets = 0;
  {
    auto w = pcap::writer::attach(f, false);
    REQUIRE(w);
    // Requester EID 8, responder EID 9; requests carry TO and tag 1 (DSP0236 §8.1), responses
    // echo the tag with TO clear. Baseline MTU: 64-byte payloads.
    std::uint8_t seq = 0;
    for (const auto& m : messages) {
      pcap::mctp_header h;
      h.source = m.request ? 8 : 9;
      h.destination = m.request ? 9 : 8;
      h.tag_owner = m.request;
      h.tag = 1;
      for (std::size_t off = 0; off < m.bytes.size(); off += 64) {
        const std::size_t n = std::min<std::size_t>(64, m.bytes.size() - off);
        h.som = off == 0;
        h.eom = off + n == m.bytes.size();
        h.sequence = seq;
        seq = static_cast<std::uint8_t>((seq + 1) & 3);
        REQUIRE(w->write_packet(h, bytes_view{m.bytes}.subspan(off, n), pcap::timestamp{1, 2}));
        ++packets;
      }
    }
  }
  const auto file = slurp(f);
  std::fclose(f);
  auto r = pcap::message_reader::open(file);
  REQUIRE(r);
  std::size_t i = 0;
  pcap::captured_message m;
  while (*r->next(m)) {
    REQUIRE(i < messages.size());
    CHECK(m.message == messages[i].bytes);
    CHECK(m.header.version == 1);
    CHECK(m.header.tag_owner == messages[i].request);
    CHECK(m.header.source == (messages[i].request ? 8 : 9));
    CHECK(m.packets == (messages[i].bytes.size() + 63) / 64);
    ++i;
  }
  CHECK(i == messages.size());
  CHECK(r->records() == packets);
  CHECK(r->dropped_packets() == 0);
  CHECK(packets > messages.size());  // some messages did span several packets
}

TEST_CASE("pcap: reassembly drops what an MCTP receiver drops", "[transport][pcap]") {
  std::FILE* f = std::tmpfile();
  REQUIRE(f != nullptr);
  {
    auto w = pcap::writer::attach(f, false);
    REQUIRE(w);
    auto pkt = [&](std::uint8_t src, std::uint8_t tag, bool som, bool eom, std::uint8_t seq, const char* hex) {
      pcap::mctp_header h;
      h.source = src;
      h.destination = 0x20;
      h.tag = tag;
      h.tag_owner = true;
      h.som = som;
      h.eom = eom;
      h.sequence = seq;
      REQUIRE(w->write_packet(h, from_hex(hex)));
    };
    pkt(8, 0, false, true, 1, "0501");            // end without a start: dropped
    pkt(8, 0, true, false, 0, "0510");            // start ...
    pkt(8, 0, false, true, 2, "84");              // ... sequence gap: both dropped
    pkt(8, 1, true, false, 3, "0512");            // tag 1 starts (seq wraps 3 -> 0)
    pkt(9, 1, true, false, 0, "05aa");            // another source, same tag: separate
    pkt(8, 1, false, true, 0, "e1");              // tag 1 from 8 completes: 05 12 e1
    pkt(9, 1, false, true, 1, "bb");              // from 9 completes: 05 aa bb
    pkt(8, 2, true, false, 0, "0501");            // started ...
    pkt(8, 2, true, true, 0, "0502");             // ... restarted by a new SOM: first dropped
    pkt(8, 3, true, true, 0, "");                 // no type byte: dropped
    REQUIRE(w->write_packet(from_hex("010203")) == errc::truncated);  // not even a header
  }
  const auto file = slurp(f);
  std::fclose(f);
  auto r = pcap::message_reader::open(file);
  REQUIRE(r);
  std::vector<std::vector<std::byte>> got;
  pcap::captured_message m;
  while (*r->next(m)) got.push_back(m.message);
  REQUIRE(got.size() == 3);
  CHECK(got[0] == from_hex("0512e1"));
  CHECK(got[1] == from_hex("05aabb"));
  CHECK(got[2] == from_hex("0502"));
  CHECK(r->dropped_packets() == 5);
}

TEST_CASE("pcap: truncated and hostile files are errors, never crashes", "[transport][pcap]") {
  const auto file = capture_file("spdm12_psk_sha256_aes256gcm");
  const auto all = read_all(file);
  REQUIRE(all.size() == 18);
  // Cut the file at every length: whatever was complete before the cut is returned, then
  // either a clean end (cut on a record boundary) or errc::truncated.
  for (std::size_t n = 0; n < file.size(); ++n) {
    errc err = errc::invalid_state;
    const auto got = read_all(bytes_view{file}.first(n), &err);
    REQUIRE(got.size() <= all.size());
    for (std::size_t i = 0; i < got.size(); ++i) REQUIRE(got[i].message == all[i].message);
    if (n < 24) {
      REQUIRE(err == errc::truncated);
    } else if (err != errc::invalid_state) {
      REQUIRE(err == errc::truncated);
    }
  }
  // An absurd record length.
  auto bad = std::vector<std::byte>(file.begin(), file.begin() + 24);
  auto rec = from_hex("00000000 00000000 ffffff7f ffffff7f 000000c0");
  bad.insert(bad.end(), rec.begin(), rec.end());
  errc err = errc::invalid_state;
  CHECK(read_all(bad, &err).empty());
  CHECK(err == errc::out_of_range);
  // A length just above the data present.
  bad.resize(24);
  rec = from_hex("00000000 00000000 0a000000 0a000000 000000c0 0510840000");
  bad.insert(bad.end(), rec.begin(), rec.end());
  CHECK(read_all(bad, &err).empty());
  CHECK(err == errc::truncated);
  // The reader keeps failing at the bad record.
  auto rr = pcap::reader::open(bad);
  REQUIRE(rr);
  pcap::record r1;
  CHECK(rr->next(r1) == errc::truncated);
  CHECK(rr->next(r1) == errc::truncated);
  // Not a pcap, another major version, another link type.
  CHECK(pcap::reader::open(from_hex("0011223344556677 8899aabbccddeeff 0011223344556677")) == errc::invalid_field);
  auto v3 = std::vector<std::byte>(file.begin(), file.begin() + 24);
  v3[4] = std::byte{3};
  CHECK(pcap::reader::open(v3) == errc::unsupported);
  auto eth = std::vector<std::byte>(file.begin(), file.begin() + 24);
  eth[20] = std::byte{1};
  eth[21] = std::byte{0};
  CHECK(pcap::reader::open(eth));
  CHECK(pcap::message_reader::open(eth) == errc::unsupported);
}

TEST_CASE("pcap: big-endian and nanosecond files are read", "[transport][pcap]") {
  // Hand-made big-endian ns file with one placeholder record holding GET_VERSION.
  const auto be = from_hex(
      "a1b23c4d 0002 0004 00000000 00000000 00010000 00000123"
      "00000005 00000007 00000009 00000009 000000c0 0510840000");
  auto r = pcap::reader::open(be);
  REQUIRE(r);
  CHECK(r->header().big_endian);
  CHECK(r->header().nanoseconds);
  CHECK(r->header().snaplen == 0x10000);
  pcap::record rec;
  REQUIRE(*r->next(rec));
  CHECK(rec.ts == pcap::timestamp{5, 7});
  CHECK(rec.data.size() == 9);
  CHECK_FALSE(*r->next(rec));
  auto msgs = read_all(be);
  REQUIRE(msgs.size() == 1);
  CHECK(msgs[0].message == from_hex("0510840000"));
}

TEST_CASE("pcap: writer to a path", "[transport][pcap]") {
  const std::string path = "pmci_pcap_test_" + std::to_string(::getpid()) + ".pcap";
  {
    auto w = pcap::writer::create(path);
    REQUIRE(w);
    REQUIRE(w->write_message(from_hex("0510840000")));
    REQUIRE(w->write_message(from_hex("051004000000010010")));
    REQUIRE(w->flush());
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  REQUIRE(f != nullptr);
  const auto bytes = slurp(f);
  std::fclose(f);
  std::remove(path.c_str());
  const auto msgs = read_all(bytes);
  REQUIRE(msgs.size() == 2);
  CHECK(msgs[1].message == from_hex("051004000000010010"));
  CHECK(pcap::writer::create("/nonexistent-dir/x.pcap") == errc::no_resources);
}
