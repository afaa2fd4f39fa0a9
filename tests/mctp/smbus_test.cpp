// SPDX-License-Identifier: Apache-2.0
// MCTP over SMBus/I2C (DSP0237): the vectors.md §3 frame, header rules as Linux mctp-i2c and
// mctp-rs apply them, drop rules, and the port over a fake driver.
#include "pmci/mctp/smbus.hpp"

#include <array>
#include <cstdint>
#include <vector>

#include "pmci/core/hex.hpp"
#include "support/catch.hpp"

namespace smbus = pmci::mctp::smbus;
using pmci::bytes_view;
using pmci::errc;

namespace {

// vectors.md §3: Get Endpoint ID request, EID 0x08 → 0x00, dest 0x1D, source 0x10; PEC 0x43
// (re-checked with an independent Python CRC-8).
constexpr auto get_eid_packet = pmci::hex_bytes<7>("01 00 08 C8 00 81 02");
constexpr auto get_eid_frame = pmci::hex_bytes<12>("3A 0F 08 21 01 00 08 C8 00 81 02 43");

constexpr bool frame_vector() {
  std::array<std::byte, 32> out{};
  auto f = smbus::frame(0x1D, 0x10, get_eid_packet, out);
  return f && pmci::equal(*f, get_eid_frame);
}

constexpr bool unframe_vector() {
  auto v = smbus::unframe(get_eid_frame);
  return v && v->dest == 0x1D && v->source == 0x10 && pmci::equal(v->packet, get_eid_packet);
}

constexpr bool roundtrip(std::size_t payload) {
  std::array<std::byte, 260> pkt{};
  pkt[0] = std::byte{1};
  for (std::size_t i = 4; i < pkt.size(); ++i) pkt[i] = std::byte{static_cast<std::uint8_t>(i * 7)};
  std::array<std::byte, 270> out{};
  const auto p = bytes_view(pkt).first(4 + payload);
  auto f = smbus::frame(0x42, 0x7F, p, out);
  if (!f || f->size() != smbus::frame_size(p.size())) return false;
  auto v = smbus::unframe(*f, smbus::max_packet);
  return v && v->dest == 0x42 && v->source == 0x7F && pmci::equal(v->packet, p);
}

// Re-compute the PEC after editing a header byte, so that the header check (not the PEC) is
// what rejects the frame.
std::vector<std::byte> with_byte(std::size_t i, std::uint8_t v) {
  std::vector<std::byte> f(get_eid_frame.begin(), get_eid_frame.end());
  f[i] = std::byte{v};
  f.back() = std::byte{pmci::crc8(bytes_view(f).first(f.size() - 1))};
  return f;
}

}  // namespace

TEST_CASE("smbus: frame and unframe the vectors.md §3 Get EID request (PEC 0x43)") {
  static_assert(frame_vector());
  CHECK(frame_vector());
  static_assert(unframe_vector());
  CHECK(unframe_vector());
}

TEST_CASE("smbus: round trip from header-only to the 254-byte maximum packet") {
  static_assert(roundtrip(0) && roundtrip(64) && roundtrip(250));
  for (std::size_t n : {0u, 1u, 63u, 64u, 65u, 200u, 250u}) {
    CAPTURE(n);
    CHECK(roundtrip(n));
  }
  std::array<std::byte, 300> pkt{}, out{};
  CHECK(smbus::frame(0x1D, 0x10, bytes_view(pkt).first(255), out) == errc::out_of_range);
  CHECK(smbus::frame(0x1D, 0x10, bytes_view(pkt).first(3), out) == errc::truncated);
  CHECK(smbus::frame(0x80, 0x10, get_eid_packet, out) == errc::invalid_field);
  CHECK(smbus::frame(0x1D, 0x80, get_eid_packet, out) == errc::invalid_field);
  CHECK(smbus::frame(0x1D, 0x10, get_eid_packet, std::span(out).first(11)) == errc::buffer_too_small);
}

TEST_CASE("smbus: header rules (Linux mctp-i2c, mctp-rs) — bad frames are dropped") {
  CHECK(smbus::unframe(with_byte(1, 0x0E)) == errc::invalid_field);   // command != 0x0F
  CHECK(smbus::unframe(with_byte(0, 0x3B)) == errc::invalid_field);   // dest with R/W bit set
  CHECK(smbus::unframe(with_byte(3, 0x20)) == errc::invalid_field);   // source bit 0 clear
  CHECK(smbus::unframe(with_byte(2, 0x09)) == errc::truncated);       // count says more than present
  CHECK(smbus::unframe(with_byte(2, 0x07)) == errc::trailing_data);   // count says less
  CHECK(smbus::unframe(with_byte(2, 0x08)));                         // the original count

  // Short: anything below 4 + 4 + PEC.
  for (std::size_t n = 0; n < smbus::min_frame; ++n)
    CHECK(smbus::unframe(bytes_view(get_eid_frame).first(n)) == errc::truncated);

  // Every single-bit error in the frame (address byte included) breaks the PEC.
  for (std::size_t bit = 0; bit < get_eid_frame.size() * 8; ++bit) {
    auto f = get_eid_frame;
    f[bit / 8] ^= std::byte{static_cast<std::uint8_t>(1u << (bit % 8))};
    CAPTURE(bit);
    CHECK(smbus::unframe(f) == errc::integrity_error);
  }
}

TEST_CASE("smbus: packets above the negotiated limit are dropped (baseline 68 by default)") {
  std::array<std::byte, 80> pkt{}, out{};
  pkt[0] = std::byte{1};
  auto f68 = smbus::frame(0x1D, 0x10, bytes_view(pkt).first(68), out);
  REQUIRE(f68);
  CHECK(smbus::unframe(*f68));
  std::array<std::byte, 80> out2{};
  auto f69 = smbus::frame(0x1D, 0x10, bytes_view(pkt).first(69), out2);
  REQUIRE(f69);
  CHECK(smbus::unframe(*f69) == errc::out_of_range);
  CHECK(smbus::unframe(*f69, 69));
}

TEST_CASE("smbus: receiving as an I2C target (address byte not in the buffer)") {
  const auto rest = bytes_view(get_eid_frame).subspan(1);
  auto v = smbus::unframe(0x3A, rest);
  REQUIRE(v);
  CHECK(v->dest == 0x1D);
  // The PEC covers the address: the same bytes received at another address fail.
  CHECK(smbus::unframe(0x3C, rest) == errc::integrity_error);
}

namespace {
struct fake_i2c {
  std::vector<std::pair<std::uint8_t, std::vector<std::byte>>> writes;
  pmci::result<void> r{};
  pmci::result<void> write(std::uint8_t addr, bytes_view data) {
    if (!r) return r;
    writes.push_back({addr, {data.begin(), data.end()}});
    return pmci::ok();
  }
};
static_assert(smbus::driver<fake_i2c>);
}  // namespace

TEST_CASE("smbus port: sends from the command byte on, receives and counts drops") {
  fake_i2c drv;
  smbus::port<fake_i2c> a{drv, 0x10};
  REQUIRE(a.send_packet(0x1D, get_eid_packet));
  REQUIRE(drv.writes.size() == 1);
  CHECK(drv.writes[0].first == 0x1D);
  CHECK(pmci::equal(drv.writes[0].second, bytes_view(get_eid_frame).subspan(1)));
  CHECK(a.max_packet_payload(0x1D) == 64);

  smbus::port<fake_i2c> b{drv, 0x1D};
  auto got = b.on_write_received(drv.writes[0].second);
  REQUIRE(got);
  CHECK(got->from == 0x10);
  CHECK(pmci::equal(got->packet, get_eid_packet));

  smbus::port<fake_i2c> c{drv, 0x1E};  // not for us: the PEC (over our address) fails
  CHECK(c.on_write_received(drv.writes[0].second) == errc::integrity_error);
  CHECK(c.on_write_received(bytes_view(get_eid_frame).subspan(1, 5)) == errc::truncated);
  CHECK(c.stats().rx_bad_pec == 1);
  CHECK(c.stats().rx_short == 1);
  CHECK(c.stats().rx_packets == 0);

  std::array<std::byte, 69> big{};
  big[0] = std::byte{1};
  CHECK(a.send_packet(0x1D, big) == errc::out_of_range);
  drv.r = errc::busy;
  CHECK(a.send_packet(0x1D, get_eid_packet) == errc::busy);
  CHECK(a.stats().tx_errors == 1);
  CHECK(a.stats().tx_packets == 1);

  smbus::port<fake_i2c, smbus::max_packet> wide{drv, 0x20};
  CHECK(wide.max_packet_payload(0) == 250);
}
