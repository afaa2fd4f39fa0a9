// SPDX-License-Identifier: Apache-2.0
// Decode + encode of every captured plaintext SPDM message through the dispatcher
// (pmci/spdm/message.hpp), in ns per message (best of 7 rounds), averaged per message type.
// Prints figures; not a test.
//   build/default/benchmarks/pmci_bench_spdm_codec [iterations]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "pmci/core/hex.hpp"
#include "pmci/spdm/message.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {
struct sample {
  std::vector<std::byte> bytes;
  negotiated n;
  response_context ctx;
};

std::vector<std::byte> unhex(const std::string& h) {
  std::vector<std::byte> out(h.size() / 2);
  if (!parse_hex(h, out)) std::abort();
  return out;
}

// Same walk as the tests: parameters from the capture's own VCA, responses answer the last request.
void load(const std::string& capture, std::vector<sample>& out) {
  std::ifstream f(std::string(PMCI_VECTORS_DIR) + "/" + capture + "/messages.txt");
  std::string line;
  negotiated n;
  header last{};
  while (std::getline(f, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream ls(line);
    int idx = 0;
    std::string dir, hex;
    ls >> idx >> dir >> hex;
    if (hex.rfind("05", 0) != 0) continue;
    sample s{unhex(hex.substr(2)), n, {}};
    const auto h = header::decode(s.bytes);
    if (!h) continue;
    if (dir == "req") last = *h;
    else s.ctx = response_context::answering(last);
    auto m = decode(s.bytes, n, s.ctx);
    if (!m) continue;  // a session message this half does not decode
    update(n, *m);
    out.push_back(std::move(s));
  }
}
}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 500;
  std::vector<sample> samples;
  for (const char* c : {"spdm10_p256_sha256", "spdm11_p256_sha256_aes256gcm", "spdm12_p384_sha384_chacha20",
                        "spdm13_p384_sha384_aes256gcm", "spdm12_psk_sha256_aes256gcm", "spdm12_p384_sha384_aes256gcm_mutauth"})
    load(c, samples);
  if (samples.empty()) {
    std::fprintf(stderr, "no captures found under %s\n", PMCI_VECTORS_DIR);
    return 1;
  }
  struct stat_t { double ns = 0; std::size_t count = 0; std::size_t bytes = 0; };
  std::map<std::string, stat_t> stats;
  std::vector<std::byte> out(1 << 16);
  std::size_t sink = 0;
  for (const auto& s : samples) {
    // Best of several rounds: the machine may be shared, and the minimum is the stable figure.
    double best = 1e30;
    for (int round = 0; round < 7; ++round) {
      const auto t0 = std::chrono::steady_clock::now();
      for (int i = 0; i < iterations; ++i) {
        auto m = decode(s.bytes, s.n, s.ctx);
        writer w{out};
        if (!m || !encode(w, *m, s.n, s.ctx)) std::abort();
        sink += w.size();
      }
      const auto t1 = std::chrono::steady_clock::now();
      best = std::min(best, std::chrono::duration<double, std::nano>(t1 - t0).count() / iterations);
    }
    auto& st = stats[name(header::decode(s.bytes)->request_response_code)];
    st.ns += best;
    st.count += 1;
    st.bytes += s.bytes.size();
  }
  std::printf("%-24s %8s %10s %14s\n", "message", "samples", "avg bytes", "decode+encode");
  double total = 0;
  for (const auto& [n, st] : stats) {
    std::printf("%-24s %8zu %10zu %11.1f ns\n", n.c_str(), st.count, st.bytes / st.count, st.ns / static_cast<double>(st.count));
    total += st.ns;
  }
  std::printf("%zu captured messages, mean %.1f ns per message (decode + encode), sizeof(message) = %zu\n",
              samples.size(), total / static_cast<double>(samples.size()), sizeof(message));
  return sink == 0;
}
