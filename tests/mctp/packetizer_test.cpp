// SPDX-License-Identifier: Apache-2.0
#include "pmci/mctp/packetizer.hpp"

#include <array>

#include "pmci/core/hex.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::mctp;

namespace {

constexpr address req_addr{0x1D, 0x08, true, 5};

template <std::size_t N>
constexpr std::array<std::byte, N> pattern(std::uint8_t start = 0) {
  std::array<std::byte, N> a{};
  for (std::size_t i = 0; i < N; ++i) a[i] = std::byte{static_cast<std::uint8_t>(start + i * 7)};
  return a;
}

// vectors.md §4 (Linux route-test mctp_frag_tests, route MTU 68 = 64 payload + 4 header):
// packetize a message of Size bytes and check every invariant Linux asserts, plus that the
// payloads concatenate back to the message.
template <std::size_t Size>
constexpr bool linux_fragment_case(std::size_t expected_packets, std::uint8_t first_seq) {
  const auto msg = pattern<Size>(3);
  packetizer p(req_addr, msg, 64, first_seq);
  if (packetizer::packet_count(Size, 64) != expected_packets || p.packets_left() != expected_packets) return false;
  std::array<std::byte, Size> joined{};
  std::size_t at = 0, count = 0;
  std::array<std::byte, 68> buf{};
  std::uint8_t seq = first_seq;
  while (!p.done()) {
    auto r = p.next(buf);
    if (!r) return false;
    auto h = header::decode(*r);
    if (!h) return false;
    const bool last = count + 1 == expected_packets;
    if (h->som != (count == 0) || h->eom != last) return false;
    if (h->seq != seq || h->dest != 0x1D || h->source != 0x08 || !h->tag_owner || h->tag != 5) return false;
    if (!last && r->size() != 68) return false;  // all but the last have length = MTU
    for (std::size_t i = header::size; i < r->size(); ++i) joined[at++] = (*r)[i];
    seq = static_cast<std::uint8_t>((seq + 1) & 3);
    ++count;
  }
  return count == expected_packets && at == Size && equal(joined, msg) && p.next_seq() == seq &&
         p.next(buf) == errc::invalid_state;
}

// The type-byte-separate constructor produces exactly the packets of the whole-message one.
constexpr bool split_type_matches_whole(std::size_t mtu) {
  const auto body = pattern<200>(1);
  std::array<std::byte, 201> whole{};
  whole[0] = std::byte{0x05};
  for (std::size_t i = 0; i < body.size(); ++i) whole[i + 1] = body[i];
  packetizer a(req_addr, whole, mtu, 1);
  packetizer b(req_addr, msg_type::spdm, body, mtu, 1);
  std::array<std::byte, 300> pa{}, pb{};
  while (!a.done()) {
    auto ra = a.next(pa);
    auto rb = b.next(pb);
    if (!ra || !rb || !equal(*ra, *rb)) return false;
  }
  return b.done();
}

constexpr errc first_error(packetizer p, std::size_t out_size) {
  std::array<std::byte, 80> buf{};
  auto r = p.next(bytes_span(buf).first(out_size));
  return r ? errc{} : r.error();
}

}  // namespace

TEST_CASE("packetizer: Linux fragmentation table (MTU 64 payload)", "[mctp][packetizer]") {
  static_assert(linux_fragment_case<63>(1, 0));
  static_assert(linux_fragment_case<64>(1, 1));
  static_assert(linux_fragment_case<65>(2, 2));
  static_assert(linux_fragment_case<66>(2, 3));
  static_assert(linux_fragment_case<127>(2, 0));
  static_assert(linux_fragment_case<128>(2, 3));
  static_assert(linux_fragment_case<129>(3, 2));
  static_assert(linux_fragment_case<130>(3, 3));  // sequence wraps 3 -> 0 -> 1
  const auto first = GENERATE(values<int>({0, 1, 2, 3}));
  const auto s = static_cast<std::uint8_t>(first);
  CHECK(linux_fragment_case<63>(1, s));
  CHECK(linux_fragment_case<64>(1, s));
  CHECK(linux_fragment_case<65>(2, s));
  CHECK(linux_fragment_case<66>(2, s));
  CHECK(linux_fragment_case<127>(2, s));
  CHECK(linux_fragment_case<128>(2, s));
  CHECK(linux_fragment_case<129>(3, s));
  CHECK(linux_fragment_case<130>(3, s));
  CHECK(linux_fragment_case<4096>(64, s));
  CHECK(linux_fragment_case<1>(1, s));
}

TEST_CASE("packetizer: type byte passed separately is sent in place", "[mctp][packetizer]") {
  static_assert(split_type_matches_whole(64));
  static_assert(split_type_matches_whole(1));
  CHECK(split_type_matches_whole(64));
  CHECK(split_type_matches_whole(200));
  CHECK(split_type_matches_whole(201));
  CHECK(split_type_matches_whole(250));
}

TEST_CASE("packetizer: a single-packet control request has the bytes of vectors.md §2", "[mctp][packetizer]") {
  // Set EID request from EID 8 to the null EID, TO=1 tag 1: 01 00 08 C9 00 80 01 00 0A.
  static constexpr auto ctrl = hex_bytes<4>("80 01 00 0a");
  static constexpr auto want = hex_bytes<9>("01 00 08 c9 00 80 01 00 0a");
  constexpr auto check = [] {
    packetizer p({null_eid, 0x08, true, 1}, msg_type::control, ctrl);
    std::array<std::byte, 68> buf{};
    auto r = p.next(buf);
    return r && equal(*r, want) && p.done();
  };
  static_assert(check());
  CHECK(check());
}

TEST_CASE("packetizer: errors leave it unchanged", "[mctp][packetizer]") {
  constexpr auto msg = pattern<100>();
  static_assert(first_error(packetizer(req_addr, msg, 64), 67) == errc::buffer_too_small);
  static_assert(first_error(packetizer(req_addr, msg, 0), 68) == errc::invalid_field);
  static_assert(first_error(packetizer(req_addr, bytes_view{}, 64), 68) == errc::invalid_field);
  static_assert(first_error(packetizer({1, 2, true, 8}, msg, 64), 68) == errc::invalid_field);
  static_assert(first_error(packetizer(req_addr, msg, 64, 4), 68) == errc::invalid_field);
  static_assert(first_error(packetizer(req_addr, message_header{static_cast<msg_type>(0x80)}, msg, 64), 68) ==
                errc::invalid_field);
  static_assert(first_error(packetizer(req_addr, msg, 64), 68) == errc{});
  CHECK(first_error(packetizer(req_addr, msg, 64), 10) == errc::buffer_too_small);

  packetizer p(req_addr, msg, 64, 2);
  std::array<std::byte, 68> big{};
  std::array<std::byte, 20> small{};
  CHECK(p.next(small) == errc::buffer_too_small);
  CHECK(p.next_seq() == 2);
  CHECK(p.packets_left() == 2);
  REQUIRE(p.next(big));
  CHECK(p.next_seq() == 3);
  // The last packet needs only 4 + 36 bytes.
  std::array<std::byte, 40> exact{};
  auto r = p.next(exact);
  REQUIRE(r);
  CHECK(r->size() == 40);
  CHECK(p.done());
  CHECK(p.packets_left() == 0);
  CHECK(p.next(big) == errc::invalid_state);
}

TEST_CASE("packetizer: IC bit goes into the type byte", "[mctp][packetizer]") {
  constexpr auto body = pattern<3>();
  packetizer p(req_addr, message_header{msg_type::nvme_mi, true}, body);
  std::array<std::byte, 68> buf{};
  auto r = p.next(buf);
  REQUIRE(r);
  CHECK((*r)[4] == std::byte{0x84});
  CHECK(r->size() == 8);
  static_assert(packetizer::packet_count(0, 64) == 0);
  static_assert(packetizer::packet_count(1, 0) == 0);
  static_assert(packetizer::max_packet_size(baseline_mtu) == 68);
}
