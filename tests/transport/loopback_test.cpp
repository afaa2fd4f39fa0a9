// SPDX-License-Identifier: Apache-2.0
#include "pmci/transport/loopback.hpp"

#include <array>
#include <vector>

#include "pmci/core/hex.hpp"
#include "pmci/transport/concepts.hpp"
#include "support/alloc_counter.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

using namespace pmci;
using namespace pmci::transport;

namespace {

// A responder-shaped handler: answers GET_VERSION-like requests by clearing bit 7 of the code.
struct echo_responder {
  int calls = 0;
  constexpr result<bytes_span> handle(bytes_view request, bytes_span buffer) {
    ++calls;
    if (request.size() < 3) return errc::truncated;
    auto out = copy(request, buffer);
    if (!out) return out;
    (*out)[2] = static_cast<std::byte>(std::to_integer<std::uint8_t>((*out)[2]) & 0x7F);
    return out;
  }
};

struct not_a_transport {
  int exchange(int) { return 0; }
};
struct wrong_return {
  result<void> exchange(bytes_view, bytes_span) { return ok(); }
};

constexpr bool loopback_round_trip() {
  echo_responder r;
  loopback link{r};
  constexpr auto req = hex_bytes<5>("0510840000");
  std::array<std::byte, 16> buf{};
  auto rsp = link.exchange(req, buf);
  if (!rsp || rsp->size() != 5) return false;
  if ((*rsp)[2] != std::byte{0x04}) return false;
  if (link.exchanges() != 1 || r.calls != 1) return false;
  // An empty request never reaches the handler.
  if (!(link.exchange({}, buf) == errc::truncated)) return false;
  if (r.calls != 1) return false;
  // The handler's errors come back unchanged.
  constexpr auto short_req = hex_bytes<2>("0510");
  return link.exchange(short_req, buf) == errc::truncated && r.calls == 2;
}

// A listener that replays fixed requests and records responses (for serve_one).
struct scripted_listener {
  std::vector<std::vector<std::byte>> requests;
  std::vector<std::vector<std::byte>> sent;
  std::size_t next = 0;
  result<bytes_span> receive(bytes_span buffer) {
    if (next == requests.size()) return errc::session_ended;
    const auto& r = requests[next++];
    return copy(r, buffer);
  }
  result<void> send(bytes_view m) {
    sent.emplace_back(m.begin(), m.end());
    return ok();
  }
};

}  // namespace

static_assert(message_transport<loopback<echo_responder>>);
static_assert(handler<echo_responder>);
static_assert(!message_transport<not_a_transport>);
static_assert(!message_transport<wrong_return>);
static_assert(listener<scripted_listener>);
static_assert(!listener<echo_responder>);
static_assert(check_transport<loopback<echo_responder>>());
static_assert(check_listener<scripted_listener>());
// An empty tap costs nothing: the loopback is a pointer and a counter.
static_assert(sizeof(loopback<echo_responder>) == sizeof(void*) + sizeof(std::size_t));

TEST_CASE("loopback calls the handler directly", "[transport][loopback]") {
  static_assert(loopback_round_trip());
  CHECK(loopback_round_trip());
}

TEST_CASE("loopback accepts callable handlers and taps every message", "[transport][loopback]") {
  int calls = 0;
  auto fn = [&calls](bytes_view request, bytes_span buffer) -> result<bytes_span> {
    ++calls;
    return copy(request, buffer);
  };
  std::vector<std::pair<direction, std::size_t>> seen;
  loopback link{fn, [&seen](direction d, bytes_view m) { seen.emplace_back(d, m.size()); }};
  static_assert(message_transport<decltype(link)>);
  constexpr auto req = hex_bytes<4>("05118100");
  std::array<std::byte, 8> buf{};
  auto rsp = link.exchange(req, buf);
  REQUIRE(rsp);
  CHECK(calls == 1);
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == std::pair{direction::request, std::size_t{4}});
  CHECK(seen[1] == std::pair{direction::response, std::size_t{4}});
  // A handler whose response does not fit reports buffer_too_small.
  std::array<std::byte, 2> tiny{};
  CHECK(link.exchange(req, tiny) == errc::buffer_too_small);
  CHECK(seen.size() == 3);  // the request was tapped, no response
}

TEST_CASE("loopback exchange does not allocate", "[transport][loopback]") {
  echo_responder r;
  loopback link{r};
  constexpr auto req = hex_bytes<5>("0512840000");
  std::array<std::byte, 16> buf{};
  pmci::test::alloc_scope allocs;
  bool all_ok = true;
  for (int i = 0; i < 10; ++i) all_ok = all_ok && link.exchange(req, buf).has_value();
  CHECK(allocs.count() == 0);
  CHECK(all_ok);
}

TEST_CASE("serve_one: receive, handle, send", "[transport][concepts]") {
  scripted_listener l;
  l.requests.push_back(pmci::test::from_hex("0510840000"));
  l.requests.push_back(pmci::test::from_hex("05"));  // too short for the handler
  echo_responder r;
  std::array<std::byte, 32> rx{}, tx{};
  REQUIRE(serve_one(l, r, rx, tx));
  REQUIRE(l.sent.size() == 1);
  CHECK(l.sent[0] == pmci::test::from_hex("0510040000"));
  CHECK(serve_one(l, r, rx, tx) == errc::truncated);  // handler error, nothing sent
  CHECK(l.sent.size() == 1);
  CHECK(serve_one(l, r, rx, tx) == errc::session_ended);  // listener done
}
