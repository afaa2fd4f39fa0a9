// SPDX-License-Identifier: Apache-2.0
#include "pmci/mctp/tags.hpp"

#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::mctp;

namespace {
constexpr bool eight_per_peer() {
  tag_allocator<2> t{100};
  unsigned seen = 0;
  for (int i = 0; i < 8; ++i) {
    auto a = t.allocate(0x10, 0);
    if (!a || *a > 7) return false;
    seen |= 1u << *a;
  }
  // All 8 distinct; the 9th fails; another peer still gets tags.
  return seen == 0xFF && t.allocate(0x10, 0) == errc::no_resources && t.allocate(0x11, 0).has_value() &&
         t.outstanding_count() == 9;
}
}  // namespace

TEST_CASE("tags: 8 outstanding tags per peer", "[mctp][tags]") {
  static_assert(eight_per_peer());
  CHECK(eight_per_peer());
}

TEST_CASE("tags: release matches only outstanding (peer, tag)", "[mctp][tags]") {
  tag_allocator<2> t{100};
  auto a = t.allocate(0x10, 0);
  REQUIRE(a);
  CHECK(t.outstanding(0x10, *a));
  CHECK_FALSE(t.release(0x11, *a));            // another peer
  CHECK_FALSE(t.release(0x10, (*a + 1) & 7));  // another tag
  CHECK_FALSE(t.release(0x10, 9));             // not a tag
  CHECK(t.release(0x10, *a));
  CHECK_FALSE(t.release(0x10, *a));  // duplicate response
  CHECK_FALSE(t.outstanding(0x10, *a));
  CHECK(t.outstanding_count() == 0);
}

TEST_CASE("tags: round robin, so a released tag is not reused at once", "[mctp][tags]") {
  tag_allocator<1> t{0};
  auto a = t.allocate(0x10, 0);
  REQUIRE(a);
  REQUIRE(t.release(0x10, *a));
  auto b = t.allocate(0x10, 0);
  REQUIRE(b);
  CHECK(*b != *a);
  CHECK(*b == ((*a + 1) & 7));
}

TEST_CASE("tags: peer slots are shared and freed when empty", "[mctp][tags]") {
  tag_allocator<2> t{100};
  REQUIRE(t.allocate(0x10, 0));
  REQUIRE(t.allocate(0x11, 0));
  CHECK(t.allocate(0x12, 0) == errc::no_resources);  // both slots busy
  auto x = t.allocate(0x10, 0);
  REQUIRE(x);
  CHECK(t.release(0x10, *x));
  CHECK(t.allocate(0x12, 0) == errc::no_resources);  // 0x10 still has one outstanding
  for (std::uint8_t tag = 0; tag < 8; ++tag) (void)t.release(0x10, tag);
  CHECK(t.allocate(0x12, 0));  // the slot of 0x10 is free again
}

TEST_CASE("tags: expiry in caller ticks", "[mctp][tags]") {
  tag_allocator<1> t{100};
  for (int i = 0; i < 8; ++i) REQUIRE(t.allocate(0x10, 1000));
  CHECK(t.allocate(0x10, 1099) == errc::no_resources);
  auto a = t.allocate(0x10, 1100);  // lazily expired on allocate
  REQUIRE(a);
  CHECK(t.outstanding_count() == 1);
  // A late response after the lifetime does not match.
  CHECK_FALSE(t.release(0x10, *a, 1200));
  // expire() with wrap-around ticks.
  auto b = t.allocate(0x20, 0xFFFFFFF0u);
  REQUIRE(b);
  t.expire(0x20);  // 48 ticks later
  CHECK(t.outstanding(0x20, *b));
  t.expire(0x60);  // 112 ticks later
  CHECK_FALSE(t.outstanding(0x20, *b));
  CHECK(t.lifetime() == 100);
}

namespace {
// release_response(peer, tag, now) is release(peer, tag, now) || release(null_eid, tag), in one
// pass; allocate<L>/expire<L>/release_response<L> with a compile-time lifetime are the runtime
// forms with that lifetime. Checked on a pseudo-random mix of allocations to a few peers (the
// null EID among them), responses from them (right, wrong and late tags) and expiries.
constexpr bool release_response_matches_two_releases() {
  constexpr std::uint32_t life = 50;
  tag_allocator<3> a{life}, b{life}, c{999};  // c: the fixed-lifetime forms (its own lifetime unused)
  std::uint32_t x = 12345, now = 0;
  constexpr eid peers[] = {null_eid, 0x10, 0x11, 0x12};
  for (int i = 0; i < 4000; ++i) {
    x = x * 1103515245u + 12345u;
    const eid peer = peers[(x >> 8) & 3];
    const auto tag = static_cast<std::uint8_t>((x >> 12) & 7);
    now += (x >> 20) & 7;
    switch ((x >> 16) & 3) {
      case 0:
      case 1: {
        const auto ra = a.allocate(peer, now), rb = b.allocate(peer, now), rc = c.allocate<life>(peer, now);
        if (ra.has_value() != rb.has_value() || ra.has_value() != rc.has_value()) return false;
        if (ra && (*ra != *rb || *ra != *rc)) return false;
        break;
      }
      case 2: {
        const bool one = a.release(peer, tag, now) || a.release(null_eid, tag);
        if (b.release_response(peer, tag, now) != one || c.release_response<life>(peer, tag, now) != one) return false;
        break;
      }
      default:
        a.expire(now);
        b.expire(now);
        c.expire<life>(now);
    }
    for (const eid p : peers)
      for (std::uint8_t t = 0; t < 8; ++t)
        if (a.outstanding(p, t) != b.outstanding(p, t) || a.outstanding(p, t) != c.outstanding(p, t)) return false;
  }
  return a.outstanding_count() == b.outstanding_count();
}
}  // namespace

TEST_CASE("tags: release_response and the fixed-lifetime forms match the two-release runtime forms", "[mctp][tags]") {
  CHECK(release_response_matches_two_releases());
}
