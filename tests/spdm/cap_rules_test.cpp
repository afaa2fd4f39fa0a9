// SPDX-License-Identifier: Apache-2.0
// validate(rsp_cap, version) reads its rules from a table (detail::rsp_cap_rules, issue 9
// footprint). These tests hold it to the compare chain it replaced (spdm/rsp_cap_reference.hpp): every single flag bit, every pair of bits, every pair on top of each valid
// capability set of the DMTF examples, and random flag words, at every version byte (1.0-1.3,
// and values below and above them, which the chain treated as 1.1 without its 1.1-only rule
// and as 1.3). Exhaustive over 2^32 words x versions is too slow for a unit test; the rules
// only look at bits 1-16 and 18-29, in pairs or small groups, which the pairs cover.
#include <cstdint>
#include <random>

#include "pmci/spdm/capabilities.hpp"
#include "spdm/rsp_cap_reference.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {

bool same(std::uint32_t x, version v) {
  const auto f = static_cast<rsp_cap>(x);
  return validate(f, v).has_value() == reference::reference_validate(f, v).has_value();
}

constexpr std::uint8_t version_bytes[] = {0x10, 0x11, 0x12, 0x13, 0x00, 0x0F, 0x14, 0x20, 0xFF};

}  // namespace

TEST_CASE("validate(rsp_cap): the rule table answers as the compare chain", "[spdm][capabilities][footprint]") {
  // A few known answers, so that the reference itself is pinned.
  CHECK(validate(rsp_cap::cert | rsp_cap::chal | rsp_cap::meas_sig, version::v1_0));
  CHECK(validate(rsp_cap::meas_mask, version::v1_2) == errc::invalid_field);
  CHECK(validate(rsp_cap::key_ex, version::v1_1) == errc::invalid_field);
  CHECK(validate(rsp_cap::cert | rsp_cap::chal | rsp_cap::key_ex | rsp_cap::mac, version::v1_3));

  std::uint64_t mismatches = 0, checked = 0;
  const auto check = [&](std::uint32_t x, std::uint8_t vb) {
    ++checked;
    if (!same(x, static_cast<version>(vb))) {
      ++mismatches;
      if (mismatches < 10) FAIL_CHECK("flags 0x" << std::hex << x << " version 0x" << int(vb));
    }
  };
  // Valid sets to build on: the DMTF examples' responders and a few typical devices.
  const std::uint32_t bases[] = {0,
                                 raw(rsp_cap::cert | rsp_cap::chal | rsp_cap::meas_sig),
                                 raw(rsp_cap::cert | rsp_cap::chal | rsp_cap::meas_sig | rsp_cap::meas_fresh |
                                     rsp_cap::key_ex | rsp_cap::mac | rsp_cap::encrypt | rsp_cap::hbeat |
                                     rsp_cap::key_upd | rsp_cap::psk | rsp_cap::mut_auth | rsp_cap::encap),
                                 raw(rsp_cap::pub_key_id | rsp_cap::key_ex | rsp_cap::mac),
                                 raw(rsp_cap::cert | rsp_cap::key_ex | rsp_cap::encrypt | rsp_cap::multi_key_only |
                                     rsp_cap::get_key_pair_info | rsp_cap::ep_info_sig),
                                 0xFFFFFFFFu};
  for (const std::uint8_t vb : version_bytes) {
    for (const std::uint32_t base : bases) {
      check(base, vb);
      for (unsigned i = 0; i < 32; ++i) {
        check(base ^ (1u << i), vb);
        for (unsigned j = i + 1; j < 32; ++j) check(base ^ (1u << i) ^ (1u << j), vb);
      }
    }
  }
  std::mt19937 rng(20261202);
  for (int round = 0; round < 400000; ++round) {
    // Sparse words hit the rules' interesting cases more often than uniform ones.
    auto x = static_cast<std::uint32_t>(rng());
    if (round % 3 != 0) x &= static_cast<std::uint32_t>(rng());
    if (round % 3 == 2) x &= static_cast<std::uint32_t>(rng());
    check(x, version_bytes[round % 4]);
    if (round % 8 == 0) check(x, version_bytes[4 + (round / 8) % 5]);
  }
  CHECK(mismatches == 0);
  CHECK(checked > 400000);
}

TEST_CASE("validate(rsp_cap) is usable at compile time", "[spdm][capabilities]") {
  static_assert(validate(rsp_cap::cert | rsp_cap::chal, version::v1_1).has_value());
  static_assert(!validate(rsp_cap::chal, version::v1_1).has_value());
  SUCCEED();
}
