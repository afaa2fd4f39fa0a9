// SPDX-License-Identifier: Apache-2.0
// Test driver: runs pmci-dump on every capture under a vectors directory and compares its lines
// with the capture's messages.txt and secrets.txt. Exit status 0 when everything matches.
//   pmci_dump_check <path/to/pmci-dump> <tests/data/vectors>
//
// Per capture:
//   1. plain:     index, req/rsp, message type, SPDM name or session id / sequence / length of
//                 every line against messages.txt (exit status 0);
//   2. decrypt:   with the DHE secrets / PSK of secrets.txt (--dhe-secret / --psk in session
//                 order): the same, and for every secured record "-> #N SPDM NAME" where NAME is
//                 the inner message's name as an independent oracle finds it — the record opened
//                 with the keys libspdm logged in secrets.txt (no transcript, no key schedule:
//                 each logged key/IV is tried at the record's sequence number). Exit status 0,
//                 no "cannot decrypt";
//   3. verbose:   -v with the secrets: exit status 0, one message line per message, no "decode
//                 error" and no "cannot decrypt" anywhere, and for every session the TH1 and TH2
//                 that pmci-dump rebuilt from the capture equal those libspdm logged;
//   4. wrong secret (captures with sessions): every secret with one bit flipped: every secured
//                 record reads "cannot decrypt (...)", nothing is decrypted, exit status 3.
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "pmci/core/endian.hpp"
#include "pmci/core/hex.hpp"
#include "pmci/crypto/openssl.hpp"
#include "pmci/spdm/session/secured_message.hpp"
#include "pmci/spdm/types.hpp"

namespace fs = std::filesystem;

namespace {

using byte_vector = std::vector<std::byte>;

byte_vector from_hex(const std::string& hex, const fs::path& where) {
  byte_vector out(hex.size() / 2 + 1);
  auto n = pmci::parse_hex(hex, out);
  if (!n) {
    std::fprintf(stderr, "bad hex in %s\n", where.c_str());
    std::exit(2);
  }
  out.resize(*n);
  return out;
}

struct expected_message {
  std::string index, dir;
  byte_vector bytes;
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
    m.bytes = from_hex(hex, messages_txt);
    out.push_back(std::move(m));
  }
  return out;
}

/// secrets.txt: "[session N]" then "name = hex" lines.
std::vector<std::map<std::string, byte_vector>> load_secrets(const fs::path& secrets_txt) {
  std::vector<std::map<std::string, byte_vector>> out;
  std::ifstream in(secrets_txt);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("[session", 0) == 0) {
      out.emplace_back();
      continue;
    }
    if (line.empty() || line[0] == '#' || out.empty()) continue;
    std::istringstream ls(line);
    std::string name, eq, hex;
    ls >> name >> eq >> hex;
    if (eq == "=" && !hex.empty()) out.back()[name] = from_hex(hex, secrets_txt);
  }
  return out;
}

struct run_result {
  int status = -1;
  std::vector<std::string> lines;
};

run_result run(const std::string& dump, const std::string& args, const fs::path& pcap) {
  const std::string cmd = "\"" + dump + "\" --no-header " + args + " \"" + pcap.string() + "\"";
  run_result r;
  std::FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::string cur;
  for (int c; (c = std::fgetc(p)) != EOF;) {
    if (c == '\n') {
      r.lines.push_back(cur);
      cur.clear();
    } else {
      cur += static_cast<char>(c);
    }
  }
  const int st = ::pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::vector<std::string> tokens(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> t;
  for (std::string w; in >> w;) t.push_back(w);
  return t;
}

/// A message line starts with its index and direction; -v adds indented field lines.
bool is_message_line(const std::string& s) {
  const auto t = tokens(s);
  return t.size() >= 3 && std::all_of(t[0].begin(), t[0].end(), [](char c) { return c >= '0' && c <= '9'; }) &&
         (t[1] == "req" || t[1] == "rsp");
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

/// The oracle: open the record with each key/IV libspdm logged for the capture, at the record's
/// sequence number; the SPDM name of the inner message, or "" when no key opens it.
std::string inner_name(const byte_vector& record, const std::vector<std::map<std::string, byte_vector>>& sessions,
                       pmci::crypto::aead_alg alg) {
  pmci::crypto::openssl p;
  const pmci::spdm::secured_layout layout{};
  const std::uint16_t seq = pmci::load_u16le(pmci::bytes_view{record}.subspan(5));
  for (const auto& s : sessions) {
    for (const auto& [name, key] : s) {
      const auto at = name.find("_key");
      if (at == std::string::npos || name.find("finished") != std::string::npos) continue;
      const auto iv = s.find(name.substr(0, at) + "_iv" + name.substr(at + 4));
      if (iv == s.end()) continue;
      pmci::spdm::record_keys<pmci::crypto::openssl> k;
      if (!k.install(p, alg, key, iv->second)) continue;
      k.set_sequence(seq);
      byte_vector copy = record;
      auto o = pmci::spdm::open(p, k, layout, copy);
      if (!o) continue;
      if (o->app.size() < 3 || o->app[0] != std::byte{0x05}) return "NOT-SPDM";
      return pmci::spdm::name(static_cast<pmci::spdm::code>(o->app[2]));
    }
  }
  return "";
}

struct checker {
  int failures = 0;
  std::size_t checked = 0, inner_checked = 0, th_checked = 0;
  std::string capture, pass;

  void fail(std::size_t i, const std::string& what, const std::string& line) {
    std::fprintf(stderr, "%s [%s], message %zu: %s\n  line: %s\n", capture.c_str(), pass.c_str(), i + 1, what.c_str(),
                 line.c_str());
    ++failures;
  }
  void fail(const std::string& what) {
    std::fprintf(stderr, "%s [%s]: %s\n", capture.c_str(), pass.c_str(), what.c_str());
    ++failures;
  }

  /// One message line against messages.txt; `inner` = expected inner name for a secured record
  /// when decrypting ("" = not decrypting).
  void line(std::size_t i, const std::string& l, const expected_message& m, const std::string* inner) {
    const auto t = tokens(l);
    if (t.size() < 4) return fail(i, "too few fields", l);
    if (t[0] != m.index) fail(i, "index " + t[0] + " != " + m.index, l);
    if (t[1] != m.dir) fail(i, "direction " + t[1] + " != " + m.dir, l);
    const auto type = std::to_integer<unsigned>(m.bytes.at(0));
    if (type == 0x05) {
      const std::string name = pmci::spdm::name(static_cast<pmci::spdm::code>(m.bytes.at(2)));
      if (t[2] != "SPDM") fail(i, "type " + t[2] + " != SPDM", l);
      if (t[3] != name) fail(i, "name " + t[3] + " != " + name, l);
      if (t.back() != "len=" + std::to_string(m.bytes.size() - 1)) fail(i, "length " + t.back(), l);
    } else if (type == 0x06) {
      const pmci::bytes_view rec{m.bytes};
      if (t.size() < 6) return fail(i, "too few fields", l);
      if (t[2] != "SECURED") fail(i, "type " + t[2] + " != SECURED", l);
      if (t[3] != "session=" + hex32(pmci::load_u32le(rec.subspan(1)))) fail(i, "session " + t[3], l);
      if (t[4] != "seq=" + std::to_string(pmci::load_u16le(rec.subspan(5)))) fail(i, "sequence " + t[4], l);
      if (t[5] != "len=" + std::to_string(pmci::load_u16le(rec.subspan(7)))) fail(i, "length " + t[5], l);
      const auto arrow = std::find(t.begin(), t.end(), "->");
      if (inner == nullptr) {
        if (arrow != t.end()) fail(i, "decryption output without secrets", l);
      } else if (inner->empty()) {
        fail(i, "the oracle opens this record with no logged key", l);
      } else if (t.end() - arrow < 4 || arrow[1].empty() || arrow[1][0] != '#' || arrow[2] != "SPDM") {
        fail(i, "not decrypted (expected " + *inner + ")", l);
      } else if (arrow[3] != *inner) {
        fail(i, "inner " + arrow[3] + " != " + *inner, l);
      } else {
        ++inner_checked;
      }
    } else {
      fail(i, "unexpected MCTP type in messages.txt", l);
    }
    ++checked;
  }
};

std::string secret_args(const std::vector<std::map<std::string, byte_vector>>& sessions, bool flip) {
  std::string args;
  for (const auto& s : sessions) {
    const bool psk = s.count("psk") != 0;
    auto it = s.find(psk ? "psk" : "dhe_secret");
    if (it == s.end()) continue;
    byte_vector v = it->second;
    if (flip && !v.empty()) v[0] ^= std::byte{0x01};
    std::string hex;
    for (auto b : v) {
      char buf[3];
      std::snprintf(buf, sizeof buf, "%02x", std::to_integer<unsigned>(b));
      hex += buf;
    }
    args += (psk ? " --psk " : " --dhe-secret ") + hex;
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: pmci_dump_check <pmci-dump> <vectors dir>\n");
    return 2;
  }
  const std::string dump = argv[1];
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(argv[2]))
    if (fs::exists(e.path() / "messages.txt") && fs::exists(e.path() / "capture.pcap")) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  if (dirs.empty()) {
    std::fprintf(stderr, "no captures under %s\n", argv[2]);
    return 1;
  }
  checker c;
  std::size_t sessions_total = 0, wrong_checked = 0;
  for (const auto& d : dirs) {
    c.capture = d.filename().string();
    const auto expected = load(d / "messages.txt");
    const auto sessions = fs::exists(d / "secrets.txt") ? load_secrets(d / "secrets.txt") : decltype(load_secrets(d)){};
    sessions_total += sessions.size();
    const auto alg = c.capture.find("chacha20") != std::string::npos ? pmci::crypto::aead_alg::chacha20_poly1305
                                                                      : pmci::crypto::aead_alg::aes256_gcm;
    std::vector<std::string> inner(expected.size());
    std::size_t secured = 0;
    for (std::size_t i = 0; i < expected.size(); ++i)
      if (expected[i].bytes.at(0) == std::byte{0x06}) {
        inner[i] = inner_name(expected[i].bytes, sessions, alg);
        ++secured;
      }
    const std::string args = secret_args(sessions, false);

    // 1. plain, 2. with the secrets.
    for (const bool decrypt : {false, true}) {
      if (decrypt && sessions.empty()) continue;
      c.pass = decrypt ? "decrypt" : "plain";
      const auto r = run(dump, decrypt ? args : "", d / "capture.pcap");
      if (r.status != 0) c.fail("exit status " + std::to_string(r.status));
      if (r.lines.size() != expected.size()) {
        c.fail(std::to_string(r.lines.size()) + " lines, " + std::to_string(expected.size()) + " messages");
        continue;
      }
      for (std::size_t i = 0; i < expected.size(); ++i) c.line(i, r.lines[i], expected[i], decrypt ? &inner[i] : nullptr);
    }

    // 3. -v (with the secrets, if any).
    {
      c.pass = "verbose";
      const auto r = run(dump, "-v" + args, d / "capture.pcap");
      if (r.status != 0) c.fail("exit status " + std::to_string(r.status));
      std::vector<std::string> lines;
      for (const auto& l : r.lines) {
        if (l.find("decode error") != std::string::npos || l.find("cannot decrypt") != std::string::npos)
          c.fail("unexpected: " + l);
        if (is_message_line(l)) lines.push_back(l);
      }
      // The transcript hashes pmci-dump rebuilt from the capture are the ones libspdm logged.
      for (std::size_t si = 0; si < sessions.size(); ++si)
        for (const char* th : {"th1", "th2"}) {
          const auto it = sessions[si].find(th);
          if (it == sessions[si].end()) continue;
          std::string want = std::string(th == std::string("th1") ? "TH1 " : "TH2 ");
          for (auto b : it->second) {
            char buf[3];
            std::snprintf(buf, sizeof buf, "%02x", std::to_integer<unsigned>(b));
            want += buf;
          }
          const std::string tag = "session #" + std::to_string(si + 1) + " ";
          const bool found = std::any_of(r.lines.begin(), r.lines.end(), [&](const std::string& l) {
            return l.find(tag) != std::string::npos && l.find(want) != std::string::npos;
          });
          if (!found) c.fail("no '" + tag + "... " + want + "' line");
          else ++c.th_checked;
        }
      if (lines.size() != expected.size())
        c.fail(std::to_string(lines.size()) + " message lines, " + std::to_string(expected.size()) + " messages");
      else
        for (std::size_t i = 0; i < expected.size(); ++i) c.line(i, lines[i], expected[i], sessions.empty() ? nullptr : &inner[i]);
    }

    // 4. wrong secrets.
    if (!sessions.empty()) {
      c.pass = "wrong secret";
      const auto r = run(dump, secret_args(sessions, true), d / "capture.pcap");
      if (r.status != 3) c.fail("exit status " + std::to_string(r.status) + ", expected 3");
      std::size_t cannot = 0;
      for (const auto& l : r.lines) {
        if (l.find("cannot decrypt (") != std::string::npos) ++cannot;
        if (l.find("-> #") != std::string::npos) c.fail("decrypted with a wrong secret: " + l);
      }
      if (cannot != secured) c.fail(std::to_string(cannot) + " 'cannot decrypt' lines, " + std::to_string(secured) + " records");
      ++wrong_checked;
    }
  }
  std::printf("%zu captures (%zu sessions), %zu message lines, %zu decrypted records, %zu TH1/TH2 values checked, "
              "%zu wrong-secret runs, %d mismatches\n",
              dirs.size(), sessions_total, c.checked, c.inner_checked, c.th_checked, wrong_checked, c.failures);
  return c.failures == 0 ? 0 : 1;
}
