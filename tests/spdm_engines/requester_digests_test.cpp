// SPDX-License-Identifier: Apache-2.0
// requester::on_digests() stores the digests in one pass over the SlotMask bits below
// Config::slot_count (issue 9 footprint) instead of digests::slot_of() / digest() per entry. For
// requesters with 1, 2 and 8 slots, every SlotMask at 1.2 and 1.3 (supported mask = provisioned
// mask): digest_slot_mask() and slot_digest() must be what decode()'s accessors say.
#include <array>
#include <vector>

#include "spdm_engines/harness.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {

template <std::size_t Slots>
struct slots_cfg : test::req_cfg {
  static constexpr std::size_t slot_count = Slots;
};

template <std::size_t Slots, version V>
void check_every_mask() {
  using rsp = test::rsp_cfg<V, base_hash::sha384, base_asym::ecdsa_p384, meas_hash::sha384>;
  test::engine_pair<rsp, slots_cfg<Slots>, test::test_crypto> p;
  REQUIRE(p.req.connect(p.link));
  const negotiated n = p.req.negotiated_params();
  REQUIRE(n.h() == 48);
  for (unsigned mask = 0; mask < 256; ++mask) {
    INFO("slots " << Slots << " version " << int(to_byte(V)) << " mask " << mask);
    REQUIRE(p.req.start_get_digests());
    std::array<std::byte, 64> tx{};
    REQUIRE(p.req.next_request(tx));
    // DIGESTS: header, then one H-byte digest per set bit, each byte naming its entry and offset.
    std::vector<std::byte> rsp_bytes{std::byte{to_byte(V)}, std::byte{0x01},
                                     std::byte{static_cast<std::uint8_t>(V >= version::v1_3 ? mask : 0)},
                                     std::byte{static_cast<std::uint8_t>(mask)}};
    for (unsigned i = 0; i < static_cast<unsigned>(std::popcount(mask)); ++i)
      for (unsigned j = 0; j < 48; ++j) rsp_bytes.push_back(std::byte{static_cast<std::uint8_t>(i * 48 + j)});
    const auto want = digests::decode(rsp_bytes, n);
    REQUIRE(want);
    const auto st = p.req.on_response(rsp_bytes);
    REQUIRE(st);
    CHECK(st->kind == step::done);
    unsigned want_mask = 0;
    for (std::size_t i = 0; i < want->count(); ++i) {
      const std::uint8_t s = want->slot_of(i);
      if (s >= Slots) continue;
      want_mask |= 1u << s;
      const bytes_view got = p.req.slot_digest(s);
      const bytes_view dg = want->digest(i);
      CHECK(std::vector<std::byte>(got.begin(), got.end()) == std::vector<std::byte>(dg.begin(), dg.end()));
    }
    CHECK(p.req.digest_slot_mask() == want_mask);
    for (std::uint8_t s = 0; s < 8; ++s)
      if (!(want_mask & (1u << s))) CHECK(p.req.slot_digest(s).empty());
  }
}

}  // namespace

TEST_CASE("requester: DIGESTS stored per slot as decode()'s accessors say", "[spdm][requester][footprint]") {
  check_every_mask<1, version::v1_2>();
  check_every_mask<2, version::v1_2>();
  check_every_mask<8, version::v1_2>();
  check_every_mask<1, version::v1_3>();
  check_every_mask<8, version::v1_3>();
}
