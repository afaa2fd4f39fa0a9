// SPDX-License-Identifier: Apache-2.0
// write_version_selection (handshake.hpp) writes the VersionSelection block directly: its bytes
// must be those of the general opaque_builder for every format, and it must fail cleanly on a
// short buffer. select_secured_version reads the requester's block in place: it must accept
// exactly the blocks secured_message_opaque::parse accepts and select the same version.
#include <algorithm>
#include <array>
#include <cstddef>
#include <random>
#include <span>
#include <vector>

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

namespace {
/// What select_secured_version answered before it read the block in place: parse() it, then
/// the highest of ours in its SupportedVersion list (any parse error: invalid_field).
result<version_number> reference_selection(const negotiated& n, bytes_view opaque) {
  const opaque_format f = opaque_format_of(n);
  const auto ours = std::span<const version_number>(secured_message_versions);
  if (opaque.empty() || (f != opaque_format::general && f != opaque_format::fmt1)) return ours.front();
  const auto o = secured_message_opaque::parse(opaque, f);
  if (!o) return errc::invalid_field;
  if (o->supported_count() == 0) return ours.front();
  for (std::size_t i = ours.size(); i-- > 0;)
    for (std::size_t j = 0; j < o->supported_count(); ++j)
      if (o->supported(j).version_byte() == ours[i].version_byte()) return ours[i];
  return errc::invalid_field;
}

/// Valid blocks of format f: SupportedVersion lists, other DMTF elements, vendor elements,
/// unknown SMDataIDs, element padding of every length.
std::vector<std::vector<std::byte>> valid_blocks(opaque_format f) {
  std::vector<std::vector<std::byte>> out;
  const std::array<std::byte, 3> vendor{std::byte{1}, std::byte{2}, std::byte{3}};
  const std::array<std::byte, 5> data{std::byte{1}, std::byte{9}, std::byte{7}, std::byte{0}, std::byte{1}};
  for (int shape = 0; shape < 8; ++shape) {
    std::array<std::byte, 128> buf{};
    writer w{buf};
    opaque_builder b{w, f};
    if (shape & 1) b.element(0x7F, vendor, std::span{data}.first(static_cast<std::size_t>(shape % 5)));
    if (shape != 2) {
      const std::array<version_number, 3> lists[] = {
          {version_number{0x1000}, version_number{0x1100}, version_number{0x1200}},
          {version_number{0x1100}, version_number{0x1000}, version_number{0x1300}},
          {version_number{0x2000}, version_number{0x1310}, version_number{0x1201}}};
      b.sm_supported_versions(std::span{lists[shape % 3]}.first(1 + static_cast<std::size_t>(shape % 3)));
    }
    if (shape & 2) b.sm_aead_limit(static_cast<std::uint8_t>(shape * 8));
    if (shape & 4) b.element(0, {}, data);  // DMTF, SMDataID 9: not ours to judge
    if (shape == 6) b.sm_version_selection(version_number{0x1100});
    REQUIRE(b.finish());
    out.emplace_back(w.written().begin(), w.written().end());
  }
  return out;
}
}  // namespace

TEST_CASE("select_secured_version: in-place reading accepts and selects as parse() did", "[session][opaque]") {
  std::mt19937 rng{0x5e1ec7};
  std::size_t accepted = 0, rejected = 0;
  for (const negotiated n : {at(version::v1_1, 0), at(version::v1_2, 0x02), at(version::v1_3, 0x02), at(version::v1_2, 0x00)}) {
    const opaque_format f = opaque_format_of(n);
    for (const auto& valid : valid_blocks(f == opaque_format::none ? opaque_format::fmt1 : f)) {
      const auto same = [&](const std::vector<std::byte>& m) {
        const auto got = select_secured_version(n, m);
        const auto want = reference_selection(n, m);
        REQUIRE(got.has_value() == want.has_value());
        if (got) {
          CHECK(got->raw == want->raw);
          ++accepted;
        } else {
          CHECK(got.error() == errc::invalid_field);
          ++rejected;
        }
      };
      same(valid);
      for (std::size_t len = 0; len < valid.size() + 3; ++len) {  // every truncation, some extensions
        auto m = valid;
        m.resize(len, std::byte{0});
        same(m);
      }
      for (int i = 0; i < 3000; ++i) {
        auto m = valid;
        const auto flips = 1 + rng() % 3;
        for (std::size_t k = 0; k < flips; ++k) {
          const std::size_t where = rng() % m.size();
          const auto v = static_cast<std::uint8_t>(rng() % 3 == 0 ? rng() % 4 : rng() % 2 ? 1u << (rng() % 8) : rng());
          m[where] = std::byte{v};
        }
        if (rng() % 4 == 0) m.resize(m.size() + rng() % 9 - 4, std::byte{0});
        same(m);
      }
    }
  }
  CHECK(accepted > 1000);
  CHECK(rejected > 1000);
}
