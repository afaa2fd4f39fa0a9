// SPDX-License-Identifier: Apache-2.0
// Objects with big buffers must be zero-initialisable: a default-constructed static endpoint,
// assembler, tag allocator or binding is all zero bytes, so the compiler places it in .bss
// (no initial image in flash, no copy at start-up) instead of .data. One non-zero member (a
// pointer to a link, a timeout, a configured EID) would move the whole object, buffers
// included, into .data: that was 1.6 KB of mctp_i3c's flash (docs/footprint.md). The arm build
// checks the same thing on the firmware images (examples/firmware, pmci_fw_zero_init).
#include <array>
#include <cstddef>
#include <cstdint>

#include "pmci/mctp/assembler.hpp"
#include "pmci/mctp/endpoint.hpp"
#include "pmci/mctp/i3c.hpp"
#include "pmci/mctp/smbus.hpp"
#include "pmci/mctp/tags.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::mctp;

namespace {

// The object representation of `obj`, byte by byte (char access may alias anything).
template <class T>
std::size_t nonzero_bytes(const T& obj) {
  const auto* p = reinterpret_cast<const unsigned char*>(&obj);
  std::size_t n = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) n += p[i] != 0 ? 1 : 0;
  return n;
}

struct i3c_hal {
  [[nodiscard]] std::uint8_t dynamic_address() const { return 0x10; }
  [[nodiscard]] std::uint16_t max_write_length() const { return 69; }
  [[nodiscard]] std::uint16_t max_read_length() const { return 69; }
  result<void> load_read_data(bytes_view) { return ok(); }
  result<void> raise_ibi(std::uint8_t) { return ok(); }
};
struct i3c_ctl_hal {
  result<void> private_write(std::uint8_t, bytes_view) { return ok(); }
  result<std::size_t> private_read(std::uint8_t, bytes_span) { return errc::not_ready; }
};
struct i2c_hal {
  result<void> write(std::uint8_t, bytes_view) { return ok(); }
};

constexpr auto uuid = std::array<std::byte, 16>{std::byte{1}, std::byte{2}};
constexpr std::byte types[] = {std::byte{0x00}, std::byte{0x05}};
// A configuration with non-zero fields: it stays in the Cfg type, out of the object.
struct device_cfg : endpoint_defaults {
  static constexpr std::size_t max_message = 1024;
  static constexpr std::size_t contexts = 1;
  static constexpr control::responder_config control_config{
      .static_eid = 0x1D, .kind = control::endpoint_kind::simple, .medium_specific = 3, .uuid = uuid, .message_types = types};
};

// constinit: constant initialisation is guaranteed, so these can be placed by the compiler; all
// zero means .bss.
constinit endpoint<device_cfg> static_endpoint;
constinit endpoint<> static_default_endpoint;
constinit endpoint<device_cfg> static_endpoint_default_timeouts{assembler_config{}, tag_allocator<1>::default_lifetime};
constinit assembler<1, 1024> static_assembler;
constinit assembler<2, 64> static_assembler_cfg{assembler_config{}};
constinit tag_allocator<4> static_tags;
constinit i3c::target<i3c_hal> static_target;
constinit i3c::target<i3c_hal, 1028, 4> static_big_target;
constinit i3c::controller<i3c_ctl_hal, 4> static_controller;
constinit smbus::port<i2c_hal> static_port;

}  // namespace

TEST_CASE("zero init: default-constructed static MCTP objects are all zero bytes (.bss, not .data)", "[mctp][footprint]") {
  CHECK(nonzero_bytes(static_endpoint) == 0);
  CHECK(nonzero_bytes(static_default_endpoint) == 0);
  CHECK(nonzero_bytes(static_endpoint_default_timeouts) == 0);
  CHECK(nonzero_bytes(static_assembler) == 0);
  CHECK(nonzero_bytes(static_assembler_cfg) == 0);
  CHECK(nonzero_bytes(static_tags) == 0);
  CHECK(nonzero_bytes(static_target) == 0);
  CHECK(nonzero_bytes(static_big_target) == 0);
  CHECK(nonzero_bytes(static_controller) == 0);
  CHECK(nonzero_bytes(static_port) == 0);
  // The configuration still applies: the static EID comes from the Cfg type.
  CHECK(static_endpoint.own_eid() == 0x1D);
  CHECK(static_default_endpoint.own_eid() == null_eid);
  CHECK(static_assembler.config().timeout_ticks == assembler_config::default_timeout);
  CHECK(static_tags.lifetime() == tag_allocator<1>::default_lifetime);
}

TEST_CASE("zero init: non-default timeouts are the only thing that makes an object non-zero", "[mctp][footprint]") {
  // Documented trade-off: a non-default timeout is stored (relative to the default), so such a
  // static object has an initial image. Check that it is just those bytes.
  static constinit assembler<1, 256> rx{assembler_config{.timeout_ticks = 100}};
  CHECK(nonzero_bytes(rx) > 0);
  CHECK(nonzero_bytes(rx) <= sizeof(std::uint32_t));
  CHECK(rx.config().timeout_ticks == 100);
}

TEST_CASE("zero init: a zero-initialised endpoint and target work once attached", "[mctp][footprint]") {
  // The firmware pattern: statics in .bss, the driver attached in main(), the link passed to
  // the endpoint's calls.
  static constinit i3c::target<i3c_hal> link;
  static constinit endpoint<device_cfg> ep;
  static i3c_hal hal;
  link.attach(hal);
  ep.set_default_route(0);
  // Get Endpoint ID to the null EID at tag 1; the answer is queued in the target's read queue.
  std::array<std::byte, 7> packet{std::byte{0x01}, std::byte{0x00}, std::byte{0x08}, std::byte{0xC9},
                                  std::byte{0x00}, std::byte{0x81}, std::byte{0x02}};
  CHECK_FALSE(ep.receive(link, {0, packet}, 0));
  CHECK(ep.stats().control_answered == 1);
  CHECK(link.tx_queued() == 1);
  CHECK(link.stats().tx_packets == 1);
}
