// SPDX-License-Identifier: Apache-2.0
// Replays files (or every file of directories) through LLVMFuzzerTestOneInput, so fuzz targets
// run as ordinary tests with any compiler. Each input is copied into an exact-size heap buffer
// so that ASan catches reads one past the end.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

static int run_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::vector<char> bytes{std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
  auto exact = std::make_unique<std::uint8_t[]>(bytes.size() ? bytes.size() : 1);
  std::copy(bytes.begin(), bytes.end(), exact.get());
  LLVMFuzzerTestOneInput(exact.get(), bytes.size());
  return 1;
}

int main(int argc, char** argv) {
  int count = 0;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (auto& e : std::filesystem::recursive_directory_iterator(p))
        if (e.is_regular_file()) count += run_file(e.path());
    } else if (std::filesystem::exists(p)) {
      count += run_file(p);
    }
  }
  // Also a few fixed inputs, so a target with no corpus still runs.
  static const std::uint8_t seeds[][4] = {{0, 0, 0, 0}, {1, 2, 3, 4}, {0xFF, 0xFF, 0xFF, 0xFF}};
  for (auto& s : seeds)
    for (std::size_t n = 0; n <= sizeof s; ++n) LLVMFuzzerTestOneInput(s, n);
  std::printf("replayed %d corpus inputs\n", count);
  return 0;
}
