// SPDX-License-Identifier: Apache-2.0
#include "pmci/mctp/packet.hpp"

#include <array>

#include "pmci/core/hex.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::mctp;

namespace {

constexpr bool decodes_to(std::string_view hex, header want) {
  std::array<std::byte, 4> b{};
  if (!parse_hex(hex, b)) return false;
  auto h = header::decode(b);
  return h && *h == want;
}

constexpr bool encodes_to(header h, std::string_view hex) {
  std::array<std::byte, 4> out{};
  writer w(out);
  if (!h.encode(w)) return false;
  std::array<std::byte, 4> want{};
  if (!parse_hex(hex, want)) return false;
  return w.size() == 4 && equal(out, want);
}

// Every header value survives encode -> decode.
constexpr bool roundtrip_all() {
  for (unsigned f = 0; f < 256; ++f) {
    header h{1, 0x1D, 0x08, (f & 0x80) != 0, (f & 0x40) != 0, static_cast<std::uint8_t>((f >> 4) & 3),
             (f & 8) != 0, static_cast<std::uint8_t>(f & 7)};
    std::array<std::byte, 4> out{};
    writer w(out);
    if (!h.encode(w)) return false;
    if (std::to_integer<unsigned>(out[3]) != f) return false;
    auto d = header::decode(out);
    if (!d || !(*d == h)) return false;
  }
  return true;
}

constexpr errc decode_error(std::string_view hex) {
  std::array<std::byte, 8> b{};
  auto n = parse_hex(hex, b);
  auto h = header::decode(std::span<const std::byte>(b).first(*n));
  return h ? errc{} : h.error();
}

constexpr errc encode_error(header h, std::size_t room = 4) {
  std::array<std::byte, 4> out{};
  writer w{bytes_span(out).first(room)};
  auto r = h.encode(w);
  return r ? errc{} : r.error();
}

}  // namespace

TEST_CASE("header: worked bytes from mctp.md §1", "[mctp][packet]") {
  // 0xC8 = SOM|EOM, seq 0, TO, tag 0 (single-packet request); 0xC1 = SOM|EOM, TO=0, tag 1.
  static_assert(decodes_to("01 0a 08 c8", {1, 0x0A, 0x08, true, true, 0, true, 0}));
  CHECK(decodes_to("01 0a 08 c8", {1, 0x0A, 0x08, true, true, 0, true, 0}));
  static_assert(decodes_to("01 08 0a c1", {1, 0x08, 0x0A, true, true, 0, false, 1}));
  CHECK(decodes_to("01 08 0a c1", {1, 0x08, 0x0A, true, true, 0, false, 1}));
  // vectors.md §2: Set EID request header 01 00 08 C9 (dest null, src 8, SOM|EOM|TO, tag 1).
  static_assert(encodes_to({1, null_eid, 0x08, true, true, 0, true, 1}, "01 00 08 c9"));
  CHECK(encodes_to({1, null_eid, 0x08, true, true, 0, true, 1}, "01 00 08 c9"));
  // seq 3 middle packet, no flags: 0x30 | tag 5
  static_assert(decodes_to("01 09 08 35", {1, 9, 8, false, false, 3, false, 5}));
  CHECK(decodes_to("01 09 08 35", {1, 9, 8, false, false, 3, false, 5}));
}

TEST_CASE("header: every flags byte round-trips", "[mctp][packet]") {
  static_assert(roundtrip_all());
  CHECK(roundtrip_all());
}

TEST_CASE("header: decode errors", "[mctp][packet]") {
  static_assert(decode_error("") == errc::truncated);
  static_assert(decode_error("01 08 0a") == errc::truncated);
  static_assert(decode_error("02 08 0a c8") == errc::version_mismatch);
  static_assert(decode_error("00 08 0a c8") == errc::version_mismatch);
  CHECK(decode_error("01 08 0a") == errc::truncated);
  CHECK(decode_error("02 08 0a c8") == errc::version_mismatch);
  // Reserved nibble is ignored on receive (DSP0236: reserved bits ignored when read).
  static_assert(decodes_to("f1 08 0a c8", {1, 8, 10, true, true, 0, true, 0}));
  CHECK(decodes_to("f1 08 0a c8", {1, 8, 10, true, true, 0, true, 0}));
  // Trailing payload is not the header's business.
  static_assert(decode_error("01 08 0a c8 05 10") == errc{});
}

TEST_CASE("header: encode rejects out-of-range fields", "[mctp][packet]") {
  static_assert(encode_error({1, 8, 9, true, true, 4, true, 0}) == errc::invalid_field);
  static_assert(encode_error({1, 8, 9, true, true, 0, true, 8}) == errc::invalid_field);
  static_assert(encode_error({16, 8, 9, true, true, 0, true, 0}) == errc::invalid_field);
  static_assert(encode_error({1, 8, 9, true, true, 0, true, 0}, 3) == errc::buffer_too_small);
  CHECK(encode_error({1, 8, 9, true, true, 4, true, 0}) == errc::invalid_field);
  CHECK(encode_error({1, 8, 9, true, true, 0, true, 0}, 3) == errc::buffer_too_small);
}

TEST_CASE("message header byte: IC bit and type", "[mctp][packet]") {
  static_assert(type_byte(msg_type::spdm) == 0x05);
  static_assert(type_byte(msg_type::nvme_mi, true) == 0x84);  // NVMe-MI with MIC
  static_assert(message_header::from_byte(0x84) == message_header{msg_type::nvme_mi, true});
  static_assert(message_header::from_byte(0x7F) == message_header{msg_type::vendor_iana, false});
  static_assert(message_header::decode({}) == errc::truncated);
  CHECK(type_byte(msg_type::secured_spdm) == 0x06);
  CHECK(message_header::from_byte(0x85).ic);
  std::array<std::byte, 1> out{};
  writer w(out);
  CHECK(message_header{static_cast<msg_type>(0x80), false}.encode(w) == errc::invalid_field);
}

TEST_CASE("special EIDs", "[mctp][packet]") {
  static_assert(!is_assignable(null_eid) && !is_assignable(broadcast_eid) && !is_assignable(7));
  static_assert(is_assignable(8) && is_assignable(0xFE));
  CHECK(baseline_mtu == 64);
  CHECK(header::size == 4);
}
