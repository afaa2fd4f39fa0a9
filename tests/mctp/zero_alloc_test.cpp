// SPDX-License-Identifier: Apache-2.0
// The whole MCTP path allocates nothing: packetize -> assemble -> control request ->
// responder -> response packetized -> assembled -> decoded, plus a 4 KiB message at MTU 64.
#include <array>

#include "pmci/core/hex.hpp"
#include "pmci/mctp/assembler.hpp"
#include "pmci/mctp/control.hpp"
#include "pmci/mctp/control_responder.hpp"
#include "pmci/mctp/packetizer.hpp"
#include "pmci/mctp/tags.hpp"
#include "support/alloc_counter.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::mctp;

namespace {
constexpr eid host = 0x08, device = 0x1D;
constexpr auto versions_bytes = control::version_bytes(control::version_entry::make(1, 3, 3));
constexpr control::version_support versions[] = {{control::base_spec_type, versions_bytes}};
constexpr auto types = hex_bytes<2>("00 05");

// Send every packet of `p` into `rx`; return the message delivered by the last one.
template <class Rx>
std::optional<message> transfer(packetizer& p, Rx& rx) {
  std::array<std::byte, 4 + 1024> pkt{};
  std::optional<message> got;
  while (!p.done()) {
    auto r = p.next(pkt);
    if (!r) return std::nullopt;
    got = rx.receive(*r, 0);
  }
  return got;
}
}  // namespace

TEST_CASE("zero heap allocations across packetize -> assemble -> control round trip", "[mctp][alloc]") {
  static assembler<2, 1 + 4096> device_rx;  // MaxMessage counts the type byte
  static assembler<2, 4096> host_rx;
  static tag_allocator<2> tags;
  static control::responder ctrl({device, control::endpoint_kind::simple, 0, {}, types, versions, {}});
  static std::array<std::byte, 4096> big{};
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = std::byte{static_cast<std::uint8_t>(i)};

  pmci::test::alloc_scope scope;

  // Host -> device: Get MCTP Version Support (base spec), a tagged request.
  std::array<std::byte, 16> req_buf{};
  auto req = control::encode(req_buf, control::get_version_support_request{control::base_spec_type}, 3);
  REQUIRE(req);
  auto tag = tags.allocate(device, 0);
  REQUIRE(tag);
  packetizer req_tx({device, host, true, *tag}, *req, baseline_mtu);
  auto at_device = transfer(req_tx, device_rx);
  REQUIRE(at_device);
  CHECK(at_device->type == msg_type::control);

  // Device: responder answers; response goes back with TO=0 and the same tag.
  std::array<std::byte, baseline_mtu> rsp_buf{};
  auto rsp = ctrl.handle(at_device->data, rsp_buf);
  REQUIRE(rsp);
  REQUIRE(rsp->has_value());
  packetizer rsp_tx({at_device->source, device, false, at_device->tag}, **rsp, baseline_mtu);
  auto at_host = transfer(rsp_tx, host_rx);
  REQUIRE(at_host);
  CHECK_FALSE(at_host->tag_owner);
  CHECK(tags.release(at_host->source, at_host->tag));
  auto decoded = control::decode<control::get_version_support_response>(at_host->data);
  REQUIRE(decoded);
  CHECK(decoded->count() == 1);
  CHECK(decoded->entry(0) == control::version_entry::make(1, 3, 3));

  // A 4 KiB SPDM-typed message at the baseline MTU (65 packets), type byte sent in place.
  packetizer spdm_tx({device, host, true, 4}, msg_type::spdm, big, baseline_mtu, 2);
  auto spdm = transfer(spdm_tx, device_rx);
  REQUIRE(spdm);
  CHECK(spdm->type == msg_type::spdm);
  CHECK(equal(spdm->body, big));

  CHECK(scope.count() == 0);
  CHECK(device_rx.drops().total() == 0);
  CHECK(host_rx.drops().total() == 0);
}
