// SPDX-License-Identifier: Apache-2.0
// pmci-dump: one line per MCTP message of a LINKTYPE_MCTP pcap — spdm-emu's --pcap captures
// (placeholder header 00 00 00 C0 + whole message) and captures of real MCTP packets
// (reassembled). See docs/tools.md.
//
//   pmci-dump capture.pcap
//      1 req SPDM     GET_VERSION                        v1.0 param1=0x00 param2=0x00 len=4
//      2 rsp SPDM     VERSION                            v1.0 param1=0x00 param2=0x00 len=8
//     23 req SECURED  session=0xffffffff seq=0 len=42
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "dump.hpp"
#include "pmci/version.hpp"

namespace {

constexpr const char* usage =
    "usage: pmci-dump [--hex] [--no-header] FILE.pcap\n"
    "  Prints one line per MCTP message: index, direction (req/rsp), MCTP type, and for SPDM the\n"
    "  message name, version, param1/param2 and length; for secured records the session id,\n"
    "  sequence number and length.\n"
    "  --hex         also print each message in hex (type byte first)\n"
    "  --no-header   omit the '#' summary lines\n"
    "  --version     print pmci's version\n";

struct options {
  bool hex = false;
  bool header = true;
  std::string file;
};

std::string hex_of(const std::vector<std::byte>& bytes) {
  std::string s;
  s.reserve(bytes.size() * 2);
  for (auto b : bytes) s += fmt::format("{:02x}", std::to_integer<unsigned>(b));
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  options opt;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--hex") {
      opt.hex = true;
    } else if (a == "--no-header") {
      opt.header = false;
    } else if (a == "-h" || a == "--help") {
      std::fputs(usage, stdout);
      return 0;
    } else if (a == "--version") {
      fmt::print("pmci-dump {}\n", pmci::version_string);
      return 0;
    } else if (!a.empty() && a[0] == '-') {
      fmt::print(stderr, "pmci-dump: unknown option {}\n{}", a, usage);
      return 2;
    } else if (opt.file.empty()) {
      opt.file = a;
    } else {
      fmt::print(stderr, "pmci-dump: one file at a time\n{}", usage);
      return 2;
    }
  }
  if (opt.file.empty()) {
    fmt::print(stderr, "{}", usage);
    return 2;
  }

  std::ifstream in(opt.file, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "pmci-dump: cannot open {}\n", opt.file);
    return 1;
  }
  const std::vector<char> raw{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const pmci::bytes_view file{reinterpret_cast<const std::byte*>(raw.data()), raw.size()};

  namespace pcap = pmci::transport::pcap;
  auto reader = pcap::message_reader::open(file);
  if (!reader) {
    fmt::print(stderr, "pmci-dump: {}: not an MCTP pcap ({})\n", opt.file, pmci::to_string(reader.error()));
    return 1;
  }
  if (opt.header)
    fmt::print("# {}: pcap {}.{}, link type {} (MCTP), snaplen {}\n", opt.file, reader->header().version_major,
               reader->header().version_minor, reader->header().linktype, reader->header().snaplen);

  pmci_dump::direction_guesser directions;
  pcap::captured_message m;
  std::size_t count = 0;
  for (;;) {
    auto more = reader->next(m);
    if (!more) {
      fmt::print(stderr, "pmci-dump: {}: {} after {} messages\n", opt.file, pmci::to_string(more.error()), count);
      return 1;
    }
    if (!*more) break;
    ++count;
    fmt::print("{}\n", pmci_dump::describe(m, directions.guess(m)));
    if (opt.hex) fmt::print("     {}\n", hex_of(m.message));
  }
  if (opt.header) {
    fmt::print("# {} messages in {} records", count, reader->records());
    if (reader->dropped_packets() != 0) fmt::print(", {} packets dropped (incomplete messages)", reader->dropped_packets());
    fmt::print("\n");
  }
  return 0;
}
