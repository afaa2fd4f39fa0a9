// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/chunk.hpp"

#include "session_test_util.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
namespace ct = pmci::spdm::codec_test;
using ct::error_of;
using ct::patched;
using ct::roundtrip;

namespace {
constexpr negotiated n{.ver = v1_2};
// Hand-built from spdm.md §13: the first and last chunk of a 9-byte message in handle 7.
constexpr auto send0 = hex_bytes<21>("1285 00 07 0000 0000 05000000 09000000 1234567890");
constexpr auto send1 = hex_bytes<16>("1285 01 07 0100 0000 04000000 abcdef01");
constexpr auto ack_mid = hex_bytes<6>("1205 00 07 0000");
constexpr auto ack_last = hex_bytes<10>("1205 00 07 0100 1268 0000");  // carries a response (HEARTBEAT_ACK shape)
constexpr auto get1 = hex_bytes<6>("1286 00 07 0100");
constexpr auto rsp0 = hex_bytes<21>("1206 00 07 0000 0000 05000000 09000000 1234567890");

constexpr bool fields() {
  auto s = chunk_send::decode(send0, n);
  auto l = chunk_send::decode(send1, n);
  auto a = chunk_send_ack::decode(ack_last, n);
  auto g = chunk_get::decode(get1, n);
  return s && !s->last_chunk && s->handle == 7 && s->chunk_seq_no == 0 && s->large_message_size == 9 &&
         s->chunk.size() == 5 && l && l->last_chunk && l->chunk_seq_no == 1 && l->large_message_size == 0 &&
         a && a->response.size() == 4 && g && g->chunk_seq_no == 1 && g->handle == 7;
}
}  // namespace

TEST_CASE("CHUNK_SEND / _ACK / CHUNK_GET / CHUNK_RESPONSE: round trips", "[spdm][chunk]") {
  static_assert(roundtrip<chunk_send>(send0, n) && roundtrip<chunk_send>(send1, n));
  CHECK((roundtrip<chunk_send>(send0, n) && roundtrip<chunk_send>(send1, n)));
  static_assert(roundtrip<chunk_send_ack>(ack_mid, n) && roundtrip<chunk_send_ack>(ack_last, n));
  CHECK((roundtrip<chunk_send_ack>(ack_mid, n) && roundtrip<chunk_send_ack>(ack_last, n)));
  static_assert(roundtrip<chunk_get>(get1, n) && roundtrip<chunk_response>(rsp0, n));
  CHECK((roundtrip<chunk_get>(get1, n) && roundtrip<chunk_response>(rsp0, n)));
  static_assert(fields());
  CHECK(fields());
  static_assert(chunk_send::overhead(0) == 16 && chunk_send::overhead(1) == 12);
}

TEST_CASE("CHUNK messages: malformed input", "[spdm][chunk]") {
  ct::check_prefixes_truncated<chunk_send>(send0, n);
  ct::check_prefixes_truncated<chunk_send>(send1, n);
  ct::check_trailing<chunk_send>(send1, n);
  ct::check_prefixes_truncated<chunk_get>(get1, n);
  ct::check_trailing<chunk_get>(get1, n);
  ct::check_prefixes_truncated<chunk_response>(rsp0, n);
  for (std::size_t i = 0; i < 6; ++i) CHECK(error_of<chunk_send_ack>(bytes_view{ack_last}.first(i), n) == errc::truncated);
  for (std::size_t i = 7; i < 10; ++i) CHECK(error_of<chunk_send_ack>(bytes_view{ack_last}.first(i), n) == errc::truncated);
  CHECK(error_of<chunk_send>(patched(send0, 2, 2), n) == errc::reserved_nonzero);
  CHECK(error_of<chunk_send>(patched(send0, 6, 1), n) == errc::reserved_nonzero);
  CHECK(error_of<chunk_send>(patched(send0, 8, 6), n) == errc::truncated);       // ChunkSize past the end
  CHECK(error_of<chunk_send>(patched(send0, 11, 0xFF), n) == errc::truncated);   // ChunkSize ~4 GiB
  CHECK(error_of<chunk_send>(patched(send0, 8, 4), n) == errc::trailing_data);
  CHECK(error_of<chunk_get>(patched(get1, 2, 1), n) == errc::reserved_nonzero);
  CHECK(error_of<chunk_send_ack>(patched(ack_mid, 2, 0x80), n) == errc::reserved_nonzero);
  CHECK(error_of<chunk_send_ack>(patched(ack_last, 7, 0xE8), n) == errc::invalid_field);  // a request inside
  const negotiated n11{.ver = v1_1};
  CHECK(error_of<chunk_get>(patched(get1, 0, 0x11), n11) == errc::unsupported);
  std::array<std::byte, 32> buf{};
  writer w{buf};
  CHECK(chunk_send{.chunk_seq_no = 1, .large_message_size = 9}.encode(w, n) == errc::invalid_field);
}
