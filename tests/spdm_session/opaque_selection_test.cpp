// SPDX-License-Identifier: Apache-2.0
// write_version_selection (handshake.hpp) writes the VersionSelection block directly: its bytes
// must be those of the general opaque_builder for every format, and it must fail cleanly on a
// short buffer.
#include <algorithm>
#include <array>
#include <cstddef>

#include "pmci/spdm/opaque.hpp"
#include "pmci/spdm/session/handshake.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {
negotiated at(version v, std::uint8_t other_params) {
  negotiated n;
  n.ver = v;
  n.other_params = other_params;
  return n;
}
}  // namespace

TEST_CASE("write_version_selection: the builder's bytes, every format", "[session][opaque]") {
  for (const negotiated n : {at(version::v1_1, 0), at(version::v1_2, 0x02), at(version::v1_3, 0x02), at(version::v1_2, 0x00),
                             at(version::v1_3, 0x01)}) {
    for (const version_number v : secured_message_versions) {
      std::array<std::byte, 32> direct{}, built{};
      direct.fill(std::byte{0xAA});
      const auto got = write_version_selection(n, v, direct);
      REQUIRE(got);
      const opaque_format f = opaque_format_of(n);
      if (f != opaque_format::general && f != opaque_format::fmt1) {
        CHECK(*got == 0);
        continue;
      }
      writer w{built};
      opaque_builder b{w, f};
      b.sm_version_selection(v);
      REQUIRE(b.finish());
      REQUIRE(*got == w.size());
      CHECK(std::equal(built.begin(), built.begin() + *got, direct.begin()));
      CHECK(direct[*got] == std::byte{0xAA});  // nothing written past the block
      // It parses back to the same selection.
      const auto parsed = secured_message_opaque::parse(std::span{direct}.first(*got), f);
      REQUIRE(parsed);
      REQUIRE(parsed->selected_version);
      CHECK(parsed->selected_version->raw == v.raw);
      // One byte short: buffer_too_small, as the builder.
      std::array<std::byte, 32> small{};
      CHECK(write_version_selection(n, v, std::span{small}.first(*got - 1)) == errc::buffer_too_small);
    }
  }
}
