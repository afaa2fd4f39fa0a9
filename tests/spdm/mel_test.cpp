// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/mel.hpp"

#include "session_test_util.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
namespace ct = pmci::spdm::codec_test;
using ct::error_of;
using ct::patched;
using ct::roundtrip;

namespace {
constexpr negotiated n{.ver = v1_3};
constexpr auto get = hex_bytes<12>("13ef0000 00000000 00100000");  // offset 0, length 0x1000
// A DMTF MEL with two informational raw entries ("ROM", "Boot FW"), as libspdm's sample builds
// it (spdm.md §7.4): 16-byte header + 11 + 3 + 11 + 7 = 48 bytes.
constexpr auto mel = hex_bytes<48>(
    "02000000 20000000 0000000000000000"
    " 01000000 fd 000000 89 0300 524f4d"
    " 02000000 fd 000000 89 0700 426f6f74204657");
// The MEL in two portions: 20 bytes then 28.
constexpr auto rsp1 = hex_bytes<32>(
    "136f0000 14000000 1c000000 02000000200000000000000000000000 01000000");
}  // namespace

TEST_CASE("MEASUREMENT_EXTENSION_LOG: round trips and MEL iteration", "[spdm][mel]") {
  static_assert(roundtrip<get_measurement_extension_log>(get, n));
  CHECK(roundtrip<get_measurement_extension_log>(get, n));
  static_assert(roundtrip<measurement_extension_log>(rsp1, n));
  CHECK(roundtrip<measurement_extension_log>(rsp1, n));
  auto r = measurement_extension_log::decode(rsp1, n);
  REQUIRE(r.has_value());
  CHECK(r->portion.size() == 20);
  CHECK(r->remainder_length == 28);
  CHECK(equal(r->portion, bytes_view{mel}.first(20)));
  auto m = dmtf_mel::decode(mel);
  REQUIRE(m.has_value());
  CHECK(m->entries.size() == 2);
  std::uint32_t expect = 1;
  for (const mel_entry& e : m->entries) {
    CHECK(e.mel_index == expect++);
    CHECK(e.meas_index == 0xFD);
    CHECK(e.value_type == 0x89);  // raw bit stream | informational
  }
  std::array<std::byte, 64> buf{};
  writer w{buf};
  REQUIRE(m->encode(w).has_value());
  CHECK(equal(w.written(), mel));
}

TEST_CASE("MEASUREMENT_EXTENSION_LOG: malformed input", "[spdm][mel]") {
  ct::check_prefixes_truncated<get_measurement_extension_log>(get, n);
  ct::check_trailing<get_measurement_extension_log>(get, n);
  ct::check_prefixes_truncated<measurement_extension_log>(rsp1, n);
  ct::check_trailing<measurement_extension_log>(rsp1, n);
  CHECK(error_of<get_measurement_extension_log>(patched(get, 3, 1), n) == errc::reserved_nonzero);
  CHECK(error_of<measurement_extension_log>(patched(rsp1, 4, 0x15), n) == errc::truncated);
  auto huge = patched(rsp1, 8, 0xF0);  // RemainderLength 0xFFFFFFF0 + PortionLength 20 > 2^32 - 1
  for (std::size_t i = 9; i < 12; ++i) huge[i] = std::byte{0xFF};
  CHECK(error_of<measurement_extension_log>(huge, n) == errc::out_of_range);
  huge[8] = std::byte{0xEB};  // exactly 2^32 - 1 in all: fine
  CHECK(error_of<measurement_extension_log>(huge, n) == errc{});
  const bytes_view v = mel;
  for (std::size_t i = 0; i < v.size(); ++i) CHECK(dmtf_mel::decode(v.first(i)) == errc::truncated);
  CHECK(dmtf_mel::decode(patched(mel, 0, 3)) == errc::truncated);         // one entry too many
  CHECK(dmtf_mel::decode(patched(mel, 0, 1)) == errc::trailing_data);     // entries do not fill
  CHECK(dmtf_mel::decode(patched(mel, 3, 0xFF)) == errc::truncated);      // NumberOfEntries huge
  CHECK(dmtf_mel::decode(patched(mel, 4, 0x21)) == errc::truncated);      // MELEntriesLen past end
  CHECK(dmtf_mel::decode(patched(mel, 8, 1)) == errc::reserved_nonzero);
  CHECK(dmtf_mel::decode(patched(mel, 21, 1)) == errc::reserved_nonzero); // entry Reserved(3)
  std::vector<std::byte> longer(v.begin(), v.end());
  longer.push_back(std::byte{0});
  CHECK(dmtf_mel::decode(longer) == errc::trailing_data);
}
