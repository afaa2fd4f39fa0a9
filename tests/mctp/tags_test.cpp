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
