// SPDX-License-Identifier: Apache-2.0
// Loads the captured DMTF reference traffic in tests/data/vectors (copied from shared/vectors):
// messages.txt (one MCTP message per line), secrets.txt (per-session key schedule values) and
// the public certificates. Host-side test helper: uses the standard library freely.
#pragma once
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace pmci::test {

struct captured_message {
  int index = 0;
  bool request = false;            // "req" or "rsp"
  std::vector<std::byte> bytes;    // MCTP message type byte + body (05... SPDM, 06... secured)
};

struct captured_session {
  std::map<std::string, std::vector<std::byte>> values;  // "th1", "dhe_secret", "request_data_key", ...
  [[nodiscard]] const std::vector<std::byte>& at(const std::string& key) const;
  [[nodiscard]] bool has(const std::string& key) const { return values.count(key) != 0; }
};

/// Names of the capture folders, e.g. "spdm12_p384_sha384_chacha20".
const std::vector<std::string>& capture_names();
/// Absolute path of tests/data.
std::string data_dir();
/// Messages of one capture, in order.
std::vector<captured_message> load_messages(const std::string& capture);
/// Sessions of one capture, in order (empty when the capture has none).
std::vector<captured_session> load_sessions(const std::string& capture);
/// Whole file as bytes (e.g. "vectors/certs/ecp384/ca.cert.der"), relative to tests/data.
std::vector<std::byte> load_file(const std::string& relative_path);
/// Parse hex (whitespace ignored); aborts the test on bad input.
std::vector<std::byte> from_hex(const std::string& hex);
std::string to_hex(const std::vector<std::byte>& bytes);

}  // namespace pmci::test
