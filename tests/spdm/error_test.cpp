// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/error.hpp"

#include <string_view>

#include "codec_check.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::test;

namespace {
constexpr negotiated n12{.ver = v1_2};
// No capture contains an ERROR; these follow spdm.md §8 byte for byte.
constexpr auto not_ready = hex_bytes<8>("127f4200 0ce00301");      // RDExponent 12, GET_MEASUREMENTS, token 3, RDTM 1
constexpr auto large = hex_bytes<5>("127f0f00 07");                // LargeResponse handle 7
constexpr auto unsupported = hex_bytes<4>("127f07e4");             // UnsupportedRequest KEY_EXCHANGE
constexpr auto vendor = hex_bytes<7>("127fff00 010203");           // vendor-defined, raw data
constexpr auto to_get_version = hex_bytes<4>("107f4100");          // VersionMismatch answering GET_VERSION
constexpr auto rir = hex_bytes<4>("12ffe003");

constexpr bool typed_fields() {
  auto e = error_response::decode(not_ready, n12);
  auto l = error_response::decode(large, n12);
  auto u = error_response::decode(unsupported, n12);
  auto v = error_response::decode(to_get_version, n12);
  auto r = respond_if_ready::decode(rir, n12);
  return e && e->error == error_code::response_not_ready && e->not_ready.rd_exponent == 12 &&
         e->not_ready.request_code == code::get_measurements && e->not_ready.token == 3 && e->not_ready.rdtm == 1 &&
         e->extended_data.empty() && l && l->large_response_handle == 7 && u && u->error_data == 0xE4 &&
         v && v->spdm_version == 0x10 && r && r->request_code == code::get_measurements && r->token == 3 &&
         respond_if_ready::after(e->not_ready).token == 3;
}
constexpr bool max_extended() {
  std::array<std::byte, 36> m{};
  m[0] = std::byte{0x12}; m[1] = std::byte{0x7F}; m[2] = std::byte{0x05};
  std::array<std::byte, 37> too_long{};
  for (std::size_t i = 0; i < 4; ++i) too_long[i] = m[i];
  return roundtrip<error_response>(m, n12) && fails_with<error_response>(too_long, errc::trailing_data, n12);
}
}  // namespace

TEST_CASE("ERROR / RESPOND_IF_READY round trip", "[spdm][error]") {
  static_assert(roundtrip<error_response>(not_ready, n12));
  static_assert(roundtrip<error_response>(large, n12));
  static_assert(roundtrip<error_response>(unsupported, n12));
  static_assert(roundtrip<error_response>(vendor, n12));
  static_assert(roundtrip<error_response>(to_get_version, n12));
  static_assert(roundtrip<respond_if_ready>(rir, n12));
  CHECK(roundtrip<error_response>(not_ready, n12));
  CHECK(roundtrip<respond_if_ready>(rir, n12));
  static_assert(typed_fields());
  CHECK(typed_fields());
  static_assert(max_extended());
  CHECK(max_extended());
}

TEST_CASE("ERROR / RESPOND_IF_READY malformed", "[spdm][error]") {
  static_assert(every_prefix_truncated<error_response>(not_ready, n12));
  static_assert(every_prefix_truncated<error_response>(large, n12));
  static_assert(every_prefix_truncated<respond_if_ready>(rir, n12));
  static_assert(fails_with<error_response>(hex_bytes<9>("127f4200 0ce0030100"), errc::trailing_data, n12));
  static_assert(fails_with<error_response>(hex_bytes<6>("127f0f00 0700"), errc::trailing_data, n12));
  static_assert(fails_with<error_response>(with(not_ready, 3, 1), errc::reserved_nonzero, n12));
  static_assert(fails_with<error_response>(with(large, 3, 1), errc::reserved_nonzero, n12));
  static_assert(fails_with<error_response>(with(large, 0, 0x21), errc::unsupported, n12));
  static_assert(fails_with<error_response>(with(large, 1, 0x7E), errc::invalid_field, n12));
  static_assert(fails_with<respond_if_ready>(with(rir, 0, 0x11), errc::version_mismatch, n12));
  static_assert(fails_with<respond_if_ready>(hex_bytes<5>("12ffe00300"), errc::trailing_data, n12));
  CHECK(fails_with<error_response>(with(not_ready, 3, 1), errc::reserved_nonzero, n12));
}

TEST_CASE("ERROR encode refuses inconsistent values", "[spdm][error]") {
  std::array<std::byte, 64> out{};
  writer w{out};
  const std::array<std::byte, 4> data{};
  CHECK(error_response{.error = error_code::response_not_ready, .extended_data = data}.encode(w) == errc::invalid_field);
  const std::array<std::byte, 33> big{};
  CHECK(error_response{.error = error_code::unspecified, .extended_data = big}.encode(w) == errc::invalid_field);
  CHECK(error_response{.spdm_version = 0x20}.encode(w) == errc::invalid_field);
  CHECK(std::string_view(name(error_code::large_response)) == "LargeResponse");
}
