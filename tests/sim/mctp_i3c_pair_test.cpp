// SPDX-License-Identifier: Apache-2.0
// sim::mctp_i3c_pair: a controller and one device, each with an MCTP endpoint, on the simulated
// I3C bus. The SPDM tests and the demo run their engines over it; here, the pair itself: a
// request crosses as several packets and the device's answer comes back, and the three ways an
// exchange can fail (no answer, an answer too long for the caller, an answer the device cannot
// send) are reported, not hidden.
#include "pmci/sim/mctp_i3c_pair.hpp"

#include <array>
#include <cstdint>
#include <memory>

#include "support/catch.hpp"

using namespace pmci;

namespace {

constexpr std::array<std::byte, 2> types{std::byte{0x00}, std::byte{0x7E}};  // control, vendor (PCI)

struct ep_cfg : mctp::endpoint_defaults {
  static constexpr std::size_t max_message = 300;
  static constexpr std::size_t max_packet = 68;  // baseline MTU: 64-byte payload
};
struct ctl_cfg : ep_cfg {
  static constexpr mctp::control::responder_config control_config{
      0x08, mctp::control::endpoint_kind::bus_owner_or_bridge, 0, {}, types, {}, {}};
};
struct dev_cfg : ep_cfg {
  static constexpr mctp::control::responder_config control_config{
      0x20, mctp::control::endpoint_kind::simple, 0, {}, types, {}, {}};
};
using pair_t = sim::mctp_i3c_pair<ctl_cfg, dev_cfg>;

/// A 0x7E message of `n` bytes: type, then 1, 2, 3...
template <std::size_t N>
std::array<std::byte, N> message(std::size_t n) {
  std::array<std::byte, N> m{};
  m[0] = std::byte{0x7E};
  for (std::size_t i = 1; i < n; ++i) m[i] = std::byte(i);
  return m;
}

}  // namespace

TEST_CASE("mctp_i3c_pair: a request and its answer cross the bus in packets", "[sim][mctp][i3c]") {
  auto p = std::make_unique<pair_t>(0x10, 0x20);
  CHECK(p->device_eid() == 0x20);
  const auto req = message<200>(200);
  std::array<std::byte, 300> answer{};
  std::size_t served = 0;
  // The device echoes the request with its first body byte inverted.
  auto echo = [&](const mctp::received_message& m) -> bytes_view {
    ++served;
    REQUIRE(m.data.size() <= answer.size());
    std::copy(m.data.begin(), m.data.end(), answer.begin());
    answer[1] = ~answer[1];
    return bytes_view{answer}.first(m.data.size());
  };
  std::array<std::byte, 300> out{};
  auto r = p->exchange(req, out, echo);
  REQUIRE(r);
  CHECK(served == 1);
  REQUIRE(r->size() == 200);
  CHECK((*r)[0] == std::byte{0x7E});
  CHECK((*r)[1] == ~std::byte{1});
  CHECK(std::equal(r->begin() + 2, r->end(), req.begin() + 2));
  // 200 bytes at 64 per packet: 4 private writes, 4 IBI-announced reads, nothing dropped.
  CHECK(p->bus.stats().writes == 4);
  CHECK(p->bus.stats().reads == 4);
  CHECK(p->bus.stats().ibis == 4);
  CHECK(p->ep_ctl.rx_drops().total() == 0);
  CHECK(p->ep_dev.rx_drops().total() == 0);
  CHECK(p->unsent_responses == 0);
}

TEST_CASE("mctp_i3c_pair: no answer, an answer too long, an answer not sent", "[sim][mctp][i3c]") {
  auto p = std::make_unique<pair_t>(0x10, 0x20);
  const auto req = message<10>(10);
  std::array<std::byte, 300> out{};

  // The device does not answer: the exchange gives up after max_ticks.
  auto silent = [](const mctp::received_message&) { return bytes_view{}; };
  auto r = p->exchange(req, out, silent, 50);
  REQUIRE_FALSE(r);
  CHECK(r.error() == errc::timeout);

  // The answer does not fit the caller's buffer: buffer_too_small, not a cut message.
  const auto big = message<100>(100);
  auto large = [&](const mctp::received_message&) { return bytes_view{big}; };
  std::array<std::byte, 50> small{};
  r = p->exchange(req, small, large);
  REQUIRE_FALSE(r);
  CHECK(r.error() == errc::buffer_too_small);

  // An answer longer than the controller's max_message: its reassembly drops it (counted), and
  // the exchange times out.
  const auto huge = message<400>(400);
  auto too_long = [&](const mctp::received_message&) { return bytes_view{huge}; };
  r = p->exchange(req, out, too_long, 50);
  REQUIRE_FALSE(r);
  CHECK(r.error() == errc::timeout);
  CHECK(p->ep_ctl.rx_drops()[mctp::drop_reason::too_large] == 1);

  // The device's endpoint is still sending another message (here: one the firmware started
  // itself, five packets for a four-frame read queue): the answer cannot be sent, and the pair
  // counts it.
  const auto long_one = message<290>(290);
  auto busy = [&](const mctp::received_message& m) {
    REQUIRE(p->ep_dev.send_response(p->dev, m, mctp::msg_type{0x7E}, bytes_view{long_one}.subspan(1)));
    return bytes_view{big};
  };
  r = p->exchange(req, out, busy);
  REQUIRE(r);  // the firmware's own message answered the request
  CHECK(r->size() == 290);
  CHECK(p->unsent_responses == 1);

  // A request longer than the controller's max_message is refused before anything is sent.
  const auto writes = p->bus.stats().writes;
  r = p->exchange(huge, out, silent);
  REQUIRE_FALSE(r);
  CHECK(r.error() == errc::buffer_too_small);
  CHECK(p->bus.stats().writes == writes);
}
