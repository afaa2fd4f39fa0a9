// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/measurements.hpp"

#include <vector>

#include "captured.hpp"
#include "codec_check.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::test;
using namespace pmci::spdm::test::captured;

namespace {
constexpr response_context answering(bytes_view request) { return response_context::answering(header::decode(request).value()); }
constexpr auto ctx10 = answering(get_measurements10);
constexpr auto ctx11 = answering(get_measurements11);
constexpr auto ctx12 = answering(get_measurements12);
constexpr auto ctx13 = answering(get_measurements13);
// Built after spdm.md §7: an unsigned 1.2 request for index 3 and a count request at 1.3.
constexpr auto get_one12 = hex_bytes<4>("12e00203");  // RawBitStreamRequested, index 3
constexpr auto get_count13 = hex_bytes<12>("13e00000 1122334455667788");
constexpr auto count13 = hex_bytes<4 + 4 + 32 + 2 + 8>(
    "13600910 00 000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000 1122334455667788");
// One raw device-mode block (index 0xFE) plus 4 bytes of opaque data, unsigned, 1.2.
constexpr auto one12 = hex_bytes<4 + 4 + 23 + 32 + 2 + 4>(
    "12600000 01 170000"
    "fe011300 851000 3f000000 04000000 1f000000 11000000"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0400 aabbccdd");

constexpr bool fields() {
  auto g = get_measurements::decode(get_measurements13, n13);
  auto m = measurements::decode(measurements13, n13, ctx13);
  auto c = measurements::decode(count13, n13, answering(get_count13));
  if (!g || !m || !c) return false;
  std::uint8_t indices[8]{};
  std::size_t i = 0, digests = 0;
  for (measurement_block b : m->record) {
    indices[i++] = b.index;
    if (b.is_dmtf() && !b.dmtf().raw_bit_stream()) digests += b.dmtf().value.size() == 48;
  }
  const auto dm = *measurement_record::iterator{m->record.raw.subspan(m->record.raw.size() - 23), 1};
  const auto mode = device_mode::decode(dm.dmtf().value);
  return g->signature_requested() && g->operation == meas_op_all && g->slot_id == 0 && g->nonce.size() == 32 &&
         g->requester_context.size() == 8 && m->record.count == 8 && i == 8 && indices[4] == 16 && indices[7] == 0xFE &&
         digests == 5 && m->content_changed == content_change::unchanged && m->signature.size() == 96 &&
         equal(m->requester_context, g->requester_context) && dm.dmtf().type() == dmtf_value_type::device_mode && mode &&
         mode->operational_mode_capabilities == 0x3f && mode->device_mode_state == 0x11 && c->total_indices == 9 &&
         c->content_changed == content_change::changed && c->record.count == 0 &&
         measurements::without_signature(measurements13, *m).size() == measurements13.size() - 96;
}
constexpr bool build_block() {
  std::array<std::byte, 32> out{};
  writer w{out};
  const auto value = hex_bytes<16>("3f000000040000001f00000011000000");
  return measurement_block::write_dmtf(w, meas_index_device_mode, 0x85, value).has_value() &&
         equal(w.written(), bytes_view{one12}.subspan(8, 23));
}
}  // namespace

TEST_CASE("GET_MEASUREMENTS / MEASUREMENTS round trip (captured 1.0-1.3)", "[spdm][measurements]") {
  static_assert(roundtrip<get_measurements>(get_measurements10, n10) && roundtrip<get_measurements>(get_measurements11, n11) &&
                roundtrip<get_measurements>(get_measurements12, n12) && roundtrip<get_measurements>(get_measurements13, n13));
  static_assert(roundtrip<measurements>(measurements10, n10, ctx10));
  static_assert(roundtrip<measurements>(measurements11, n11, ctx11));
  static_assert(roundtrip<measurements>(measurements12, n12, ctx12));
  static_assert(roundtrip<measurements>(measurements13, n13, ctx13));
  static_assert(roundtrip<get_measurements>(get_one12, n12) && roundtrip<get_measurements>(get_count13, n13));
  static_assert(roundtrip<measurements>(one12, n12, answering(get_one12)));
  static_assert(roundtrip<measurements>(count13, n13, answering(get_count13)));
  CHECK(roundtrip<measurements>(measurements13, n13, ctx13));
  static_assert(fields());
  CHECK(fields());
  static_assert(build_block());
  CHECK(build_block());
  static_assert(get_measurements::size(v1_0, true) == 36 && get_measurements::size(v1_2, true) == 37 &&
                get_measurements::size(v1_3, false) == 12 && get_measurements::size(v1_3, true) == 45);
}

TEST_CASE("GET_MEASUREMENTS / MEASUREMENTS malformed", "[spdm][measurements]") {
  static_assert(every_prefix_truncated<get_measurements>(get_measurements13, n13));
  static_assert(every_prefix_truncated<get_measurements>(get_measurements10, n10));
  static_assert(every_prefix_truncated<measurements>(one12, n12, answering(get_one12)));
  static_assert(every_prefix_truncated<measurements>(count13, n13, answering(get_count13)));
  CHECK(every_prefix_truncated<measurements>(measurements13, n13, ctx13));
  CHECK(every_prefix_truncated<measurements>(measurements10, n10, ctx10));
  // Request: attribute bits by version, SlotIDParam, version.
  static_assert(fails_with<get_measurements>(with(get_one12, 2, 0x04), errc::reserved_nonzero, n12));
  static_assert(fails_with<get_measurements>(with(get_measurements11, 2, 0x03), errc::reserved_nonzero, n11));
  static_assert(fails_with<get_measurements>(with(get_measurements13, 36, 0x10), errc::reserved_nonzero, n13));
  static_assert(fails_with<get_measurements>(with(get_measurements13, 36, 0x08), errc::invalid_field, n13));
  static_assert(fails_with<get_measurements>(get_measurements13, errc::version_mismatch, n12));
  static_assert(fails_with<get_measurements>(with(get_measurements10, 0, 0x11), errc::truncated, n11));  // 1.1 adds SlotIDParam
  // Response: lengths past the end, blocks not filling the record, sizes inside a block.
  static_assert(fails_with<measurements>(with(one12, 7, 0x01), errc::truncated, n12, answering(get_one12)));
  static_assert(fails_with<measurements>(with(one12, 63, 0x05), errc::truncated, n12, answering(get_one12)));  // opaque
  static_assert(fails_with<measurements>(with(one12, 10, 0x12), errc::invalid_field, n12, answering(get_one12)));  // MeasurementSize
  static_assert(fails_with<measurements>(with(one12, 13, 0x0F), errc::invalid_field, n12, answering(get_one12)));  // ValueSize
  static_assert(fails_with<measurements>(with(measurements13, 4, 7), errc::invalid_field, n13, ctx13));  // fewer blocks
  static_assert(fails_with<measurements>(with(measurements13, 4, 9), errc::invalid_field, n13, ctx13));  // more blocks
  static_assert(fails_with<measurements>(with(measurements13, 14, 0x2F), errc::invalid_field, n13, ctx13));  // ValueSize
  static_assert(fails_with<measurements>(with(one12, 12, 0x05), errc::invalid_field, n12, answering(get_one12)));  // digest not MH
  // Header fields: Param1 outside a count, content change 11, reserved Param2 bits, SlotID.
  static_assert(fails_with<measurements>(with(one12, 2, 1), errc::reserved_nonzero, n12, answering(get_one12)));
  static_assert(fails_with<measurements>(with(one12, 3, 0x30), errc::invalid_field, n12, answering(get_one12)));
  static_assert(fails_with<measurements>(with(one12, 3, 0x40), errc::reserved_nonzero, n12, answering(get_one12)));
  static_assert(fails_with<measurements>(with(one12, 3, 0x09), errc::invalid_field, n12, answering(get_one12)));
  static_assert(fails_with<measurements>(with(measurements10, 3, 0x01), errc::reserved_nonzero, n10, ctx10));
  static_assert(fails_with<measurements>(with(measurements11, 3, 0x10), errc::reserved_nonzero, n11, ctx11));
  // The operation decides the block count; the request decides whether a signature follows.
  static_assert(fails_with<measurements>(measurements13, errc::invalid_field, n13,
                                         response_context::answering({0x13, code::get_measurements, 1, meas_op_count})));
  static_assert(fails_with<measurements>(one12, errc::invalid_field, n12,
                                         response_context::answering({0x12, code::get_measurements, 0, meas_op_count})));
  static_assert(fails_with<measurements>(one12, errc::truncated, n12, ctx12));  // signature expected
  static_assert(fails_with<measurements>(measurements13, errc::trailing_data, n13,
                                         response_context::answering({0x13, code::get_measurements, 0, 0xFF})));
  static_assert(fails_with<measurements>(measurements13, errc::invalid_state, negotiated{.ver = v1_3}, ctx13));
  CHECK(fails_with<measurements>(with(measurements13, 4, 9), errc::invalid_field, n13, ctx13));
}
