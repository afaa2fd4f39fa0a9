// SPDX-License-Identifier: Apache-2.0
// pcap reader on arbitrary bytes: never reads out of bounds, always terminates, and a file
// rebuilt from the records it returns reads back as the same records.
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "pmci/transport/pcap.hpp"

using namespace pmci;
using namespace pmci::transport;

#define FUZZ_CHECK(c) \
  do {                \
    if (!(c)) __builtin_trap(); \
  } while (0)

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const bytes_view in{reinterpret_cast<const std::byte*>(data), size};

  // Records: every step advances, so at most size / 16 records.
  auto r = pcap::reader::open(in);
  if (r) {
    std::vector<pcap::record> records;
    pcap::record rec;
    for (;;) {
      auto more = r->next(rec);
      if (!more || !*more) break;
      FUZZ_CHECK(rec.data.size() <= pcap::max_record_size);
      records.push_back(rec);
      FUZZ_CHECK(records.size() <= size / pcap::record_header_size);
    }
    // Rebuild (little-endian) and re-read: same records.
    std::vector<std::byte> rebuilt(pcap::file_header_size);
    writer hw{rebuilt};
    pcap::file_header h = r->header();
    h.encode(hw);
    FUZZ_CHECK(hw.ok());
    for (const auto& x : records) {
      std::array<std::byte, pcap::record_header_size> rh{};
      writer w{rh};
      pcap::encode_record_header(w, x.ts, x.data.size());
      FUZZ_CHECK(w.ok());
      rebuilt.insert(rebuilt.end(), rh.begin(), rh.end());
      rebuilt.insert(rebuilt.end(), x.data.begin(), x.data.end());
    }
    auto r2 = pcap::reader::open(rebuilt);
    FUZZ_CHECK(r2);
    for (const auto& x : records) {
      auto more = r2->next(rec);
      FUZZ_CHECK(more && *more && rec.ts == x.ts && equal(rec.data, x.data));
    }
    auto end = r2->next(rec);
    FUZZ_CHECK(end && !*end);
  }

  // Messages (reassembly): terminates, messages are never empty.
  auto m = pcap::message_reader::open(in);
  if (m) {
    pcap::captured_message msg;
    std::size_t count = 0;
    for (;;) {
      auto more = m->next(msg);
      if (!more || !*more) break;
      FUZZ_CHECK(!msg.message.empty());
      FUZZ_CHECK(++count <= size);
    }
  }
  return 0;
}
