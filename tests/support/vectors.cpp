// SPDX-License-Identifier: Apache-2.0
#include "support/vectors.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>

namespace pmci::test {

namespace {
[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "test data error: %s\n", what.c_str());
  std::abort();
}
int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
std::string read_text(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) die("cannot open " + path);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}
}  // namespace

const std::vector<std::byte>& captured_session::at(const std::string& key) const {
  auto it = values.find(key);
  if (it == values.end()) die("no secret named " + key);
  return it->second;
}

const std::vector<std::string>& capture_names() {
  static const std::vector<std::string> names = {
      "spdm10_p256_sha256",          "spdm11_p256_sha256_aes256gcm",
      "spdm12_p384_sha384_chacha20", "spdm13_p384_sha384_aes256gcm",
      "spdm12_psk_sha256_aes256gcm", "spdm12_p384_sha384_aes256gcm_mutauth"};
  return names;
}

std::string data_dir() { return PMCI_TEST_DATA_DIR; }

std::vector<std::byte> from_hex(const std::string& hex) {
  std::vector<std::byte> out;
  int hi = -1;
  for (char c : hex) {
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
    const int d = nibble(c);
    if (d < 0) die("bad hex digit in '" + hex.substr(0, 40) + "'");
    if (hi < 0) { hi = d; continue; }
    out.push_back(static_cast<std::byte>((hi << 4) | d));
    hi = -1;
  }
  if (hi >= 0) die("odd hex length");
  return out;
}

std::string to_hex(const std::vector<std::byte>& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (auto b : bytes) {
    const auto v = std::to_integer<unsigned>(b);
    s += digits[v >> 4];
    s += digits[v & 15];
  }
  return s;
}

std::vector<captured_message> load_messages(const std::string& capture) {
  std::istringstream in(read_text(data_dir() + "/vectors/" + capture + "/messages.txt"));
  std::vector<captured_message> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    captured_message m;
    std::string dir, hex;
    if (!(ls >> m.index >> dir >> hex)) die("bad line in " + capture + ": " + line);
    if (dir != "req" && dir != "rsp") die("bad direction in " + capture + ": " + dir);
    m.request = dir == "req";
    m.bytes = from_hex(hex);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<captured_session> load_sessions(const std::string& capture) {
  std::istringstream in(read_text(data_dir() + "/vectors/" + capture + "/secrets.txt"));
  std::vector<captured_session> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line[0] == '[') { out.emplace_back(); continue; }
    const auto eq = line.find('=');
    if (eq == std::string::npos || out.empty()) continue;
    auto key = line.substr(0, eq);
    auto value = line.substr(eq + 1);
    while (!key.empty() && key.back() == ' ') key.pop_back();
    while (!value.empty() && value.front() == ' ') value.erase(value.begin());
    out.back().values[key] = from_hex(value);
  }
  return out;
}

std::vector<std::byte> load_file(const std::string& relative_path) {
  const auto text = read_text(data_dir() + "/" + relative_path);
  std::vector<std::byte> out(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) out[i] = static_cast<std::byte>(text[i]);
  return out;
}

}  // namespace pmci::test
