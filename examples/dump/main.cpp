// SPDX-License-Identifier: Apache-2.0
// pmci-dump: one line per MCTP message of a LINKTYPE_MCTP pcap — spdm-emu's --pcap captures
// (placeholder header 00 00 00 C0 + whole message) and captures of real MCTP packets
// (reassembled); -v decodes every field, --dhe-secret / --psk decrypt the sessions. See
// docs/tools.md.
//
//   pmci-dump capture.pcap
//      1 req SPDM     GET_VERSION                        v1.0 param1=0x00 param2=0x00 len=4
//      2 rsp SPDM     VERSION                            v1.0 param1=0x00 param2=0x00 len=8
//     27 req SECURED  session=0xffffffff seq=0 len=31
//   pmci-dump --dhe-secret cef0... --dhe-secret 461a... capture.pcap
//     27 req SECURED  session=0xffffffff seq=0 len=31  -> #1 SPDM     HEARTBEAT ...
#include <fmt/format.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "dump.hpp"
#include "pmci/core/hex.hpp"
#include "pmci/version.hpp"

namespace {

constexpr const char* usage =
    "usage: pmci-dump [-v] [--hex] [--no-header] [--dhe-secret HEX]... [--psk HEX]... FILE.pcap\n"
    "  Prints one line per MCTP message: index, direction (req/rsp), MCTP type, and for SPDM the\n"
    "  message name, version, param1/param2 and length; for secured records the session id,\n"
    "  sequence number and length.\n"
    "  -v, --verbose      also print every field of each SPDM message (pmci's codecs)\n"
    "  --dhe-secret HEX   the (EC)DHE shared secret of a KEY_EXCHANGE session; repeat for each\n"
    "                     session, in the order of the capture\n"
    "  --psk HEX          the pre-shared key of PSK_EXCHANGE sessions (repeatable: in order; the\n"
    "                     last one serves the remaining sessions)\n"
    "                     with secrets, secured records are decrypted: '-> #N <inner message>'\n"
    "  --hex              also print each message in hex (type byte first; a decrypted record's\n"
    "                     inner message follows as 'inner: ...')\n"
    "  --no-header        omit the '#' summary lines\n"
    "  --version          print pmci's version\n"
    "  exit status: 0 ok, 1 unreadable or damaged file, 2 usage, 3 secrets given but a secured\n"
    "  record could not be decrypted\n";

bool parse_secret(std::string_view text, std::vector<std::byte>& out) {
  out.assign(text.size() / 2 + 1, std::byte{0});
  auto n = pmci::parse_hex(text, out);
  if (!n || *n == 0) return false;
  out.resize(*n);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  pmci_dump::options opt;
  std::string file;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--hex") {
      opt.hex = true;
    } else if (a == "--no-header") {
      opt.header = false;
    } else if (a == "-v" || a == "--verbose") {
      opt.verbose = true;
    } else if (a == "--dhe-secret" || a == "--psk") {
      std::vector<std::byte> secret;
      if (i + 1 >= argc || !parse_secret(argv[i + 1], secret)) {
        fmt::print(stderr, "pmci-dump: {} needs a hex value\n{}", a, usage);
        return pmci_dump::exit_usage;
      }
      (a == "--psk" ? opt.secrets.psk : opt.secrets.dhe).push_back(std::move(secret));
      ++i;
    } else if (a == "-h" || a == "--help") {
      std::fputs(usage, stdout);
      return pmci_dump::exit_ok;
    } else if (a == "--version") {
      fmt::print("pmci-dump {}\n", pmci::version_string);
      return pmci_dump::exit_ok;
    } else if (!a.empty() && a[0] == '-') {
      fmt::print(stderr, "pmci-dump: unknown option {}\n{}", a, usage);
      return pmci_dump::exit_usage;
    } else if (file.empty()) {
      file = a;
    } else {
      fmt::print(stderr, "pmci-dump: one file at a time\n{}", usage);
      return pmci_dump::exit_usage;
    }
  }
  if (file.empty()) {
    fmt::print(stderr, "{}", usage);
    return pmci_dump::exit_usage;
  }

  std::ifstream in(file, std::ios::binary);
  if (!in) {
    fmt::print(stderr, "pmci-dump: cannot open {}\n", file);
    return pmci_dump::exit_bad_file;
  }
  const std::vector<char> raw{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  const pmci::bytes_view bytes{reinterpret_cast<const std::byte*>(raw.data()), raw.size()};
  return pmci_dump::run(bytes, file, opt, stdout, stderr);
}
