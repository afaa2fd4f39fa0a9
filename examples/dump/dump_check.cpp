// SPDX-License-Identifier: Apache-2.0
// Test driver: runs pmci-dump on every capture under a vectors directory and compares its lines
// with the capture's messages.txt (index, req/rsp, message type, SPDM name or session id,
// length). Exit status 0 when everything matches.
//   pmci_dump_check <path/to/pmci-dump> <tests/data/vectors>
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "pmci/core/endian.hpp"
#include "pmci/core/hex.hpp"
#include "pmci/spdm/types.hpp"

namespace fs = std::filesystem;

namespace {

struct expected_message {
  std::string index, dir;
  std::vector<std::byte> bytes;
};

std::vector<expected_message> load(const fs::path& messages_txt) {
  std::ifstream in(messages_txt);
  std::vector<expected_message> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    expected_message m;
    std::string hex;
    ls >> m.index >> m.dir >> hex;
    m.bytes.resize(hex.size() / 2);
    auto n = pmci::parse_hex(hex, m.bytes);
    if (!n || *n != m.bytes.size()) {
      std::fprintf(stderr, "bad hex in %s\n", messages_txt.c_str());
      std::exit(2);
    }
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<std::string> run(const std::string& dump, const fs::path& pcap) {
  const std::string cmd = "\"" + dump + "\" --no-header \"" + pcap.string() + "\"";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  std::vector<std::string> lines;
  if (!p) return lines;
  std::string cur;
  for (int c; (c = std::fgetc(p)) != EOF;) {
    if (c == '\n') {
      lines.push_back(cur);
      cur.clear();
    } else {
      cur += static_cast<char>(c);
    }
  }
  if (::pclose(p) != 0) lines.insert(lines.begin(), "<pmci-dump failed>");
  return lines;
}

std::vector<std::string> tokens(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> t;
  for (std::string w; in >> w;) t.push_back(w);
  return t;
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: pmci_dump_check <pmci-dump> <vectors dir>\n");
    return 2;
  }
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(argv[2]))
    if (fs::exists(e.path() / "messages.txt") && fs::exists(e.path() / "capture.pcap")) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  if (dirs.empty()) {
    std::fprintf(stderr, "no captures under %s\n", argv[2]);
    return 1;
  }
  int failures = 0;
  std::size_t checked = 0;
  for (const auto& d : dirs) {
    const auto expected = load(d / "messages.txt");
    const auto lines = run(argv[1], d / "capture.pcap");
    auto fail = [&](std::size_t i, const std::string& what) {
      std::fprintf(stderr, "%s, message %zu: %s\n  line: %s\n", d.filename().c_str(), i + 1, what.c_str(),
                   i < lines.size() ? lines[i].c_str() : "<none>");
      ++failures;
    };
    if (lines.size() != expected.size()) {
      std::fprintf(stderr, "%s: %zu lines, %zu messages\n", d.filename().c_str(), lines.size(), expected.size());
      ++failures;
      continue;
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      const auto& m = expected[i];
      const auto t = tokens(lines[i]);
      if (t.size() < 4) {
        fail(i, "too few fields");
        continue;
      }
      if (t[0] != m.index) fail(i, "index " + t[0] + " != " + m.index);
      if (t[1] != m.dir) fail(i, "direction " + t[1] + " != " + m.dir);
      const auto type = std::to_integer<unsigned>(m.bytes.at(0));
      if (type == 0x05) {
        const std::string name = pmci::spdm::name(static_cast<pmci::spdm::code>(m.bytes.at(2)));
        if (t[2] != "SPDM") fail(i, "type " + t[2] + " != SPDM");
        if (t[3] != name) fail(i, "name " + t[3] + " != " + name);
        if (t.back() != "len=" + std::to_string(m.bytes.size() - 1)) fail(i, "length " + t.back());
      } else if (type == 0x06) {
        const pmci::bytes_view rec{m.bytes};
        if (t[2] != "SECURED") fail(i, "type " + t[2] + " != SECURED");
        if (t[3] != "session=" + hex32(pmci::load_u32le(rec.subspan(1)))) fail(i, "session " + t[3]);
        if (t[4] != "seq=" + std::to_string(pmci::load_u16le(rec.subspan(5)))) fail(i, "sequence " + t[4]);
        if (t[5] != "len=" + std::to_string(pmci::load_u16le(rec.subspan(7)))) fail(i, "length " + t[5]);
      } else {
        fail(i, "unexpected MCTP type in messages.txt");
      }
      ++checked;
    }
  }
  std::printf("%zu captures, %zu messages checked, %d mismatches\n", dirs.size(), checked, failures);
  return failures == 0 ? 0 : 1;
}
