// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/session_control.hpp"

#include "session_test_util.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
namespace ct = pmci::spdm::codec_test;
using ct::error_of;
using ct::patched;
using ct::roundtrip;

namespace {
constexpr negotiated n{.ver = v1_2, .hash = base_hash::sha384};
// Shapes as decrypted from the captures' secured records (secured.md §8.1 shows HEARTBEAT).
constexpr auto hb = hex_bytes<4>("12e80000");
constexpr auto hba = hex_bytes<4>("12680000");
constexpr auto ku = hex_bytes<4>("12e9023c");
constexpr auto kua = hex_bytes<4>("1269023c");
constexpr auto es = hex_bytes<4>("12ec0100");
constexpr auto esa = hex_bytes<4>("126c0000");

constexpr bool all_roundtrip() {
  return roundtrip<heartbeat>(hb, n) && roundtrip<heartbeat_ack>(hba, n) && roundtrip<key_update>(ku, n) &&
         roundtrip<key_update_ack>(kua, n) && roundtrip<end_session>(es, n) && roundtrip<end_session_ack>(esa, n);
}
constexpr bool fields() {
  auto k = key_update::decode(ku, n);
  auto e = end_session::decode(es, n);
  return k && k->operation == key_operation::update_all_keys && k->tag == 0x3c && e && e->negotiated_state_clearing;
}
}  // namespace

TEST_CASE("HEARTBEAT, KEY_UPDATE, END_SESSION and ACKs: round trips", "[spdm][session_control]") {
  static_assert(all_roundtrip());
  CHECK(all_roundtrip());
  static_assert(fields());
  CHECK(fields());
  CHECK(std::string_view(name(key_operation::verify_new_key)) == "VerifyNewKey");
}

TEST_CASE("HEARTBEAT, KEY_UPDATE, END_SESSION and ACKs: malformed input", "[spdm][session_control]") {
  for (auto m : {bytes_view{hb}, bytes_view{hba}, bytes_view{ku}, bytes_view{kua}, bytes_view{es}, bytes_view{esa}}) {
    for (std::size_t i = 0; i < 4; ++i) {
      CHECK(error_of<heartbeat>(m.first(i), n) == errc::truncated);
      CHECK(error_of<key_update>(m.first(i), n) == errc::truncated);
      CHECK(error_of<end_session>(m.first(i), n) == errc::truncated);
    }
  }
  ct::check_trailing<heartbeat>(hb, n);
  ct::check_trailing<key_update_ack>(kua, n);
  ct::check_trailing<end_session>(es, n);
  CHECK(error_of<heartbeat>(patched(hb, 2, 1), n) == errc::reserved_nonzero);
  CHECK(error_of<heartbeat_ack>(patched(hba, 3, 1), n) == errc::reserved_nonzero);
  CHECK(error_of<heartbeat>(hba, n) == errc::invalid_field);  // wrong code
  CHECK(error_of<key_update>(patched(ku, 2, 0), n) == errc::invalid_field);
  CHECK(error_of<key_update>(patched(ku, 2, 4), n) == errc::invalid_field);
  CHECK(error_of<end_session>(patched(es, 2, 3), n) == errc::reserved_nonzero);
  CHECK(error_of<end_session>(patched(es, 3, 1), n) == errc::reserved_nonzero);
  CHECK(error_of<end_session_ack>(patched(esa, 0, 0x11), n) == errc::version_mismatch);
  const negotiated n10{.ver = v1_0};
  CHECK(error_of<heartbeat>(patched(hb, 0, 0x10), n10) == errc::unsupported);
  std::array<std::byte, 4> buf{};
  writer w{buf};
  CHECK(key_update{static_cast<key_operation>(9), 0}.encode(w, n) == errc::invalid_field);
  writer w10{buf};
  CHECK(heartbeat{}.encode(w10, n10) == errc::unsupported);
  std::array<std::byte, 3> small{};
  writer ws{small};
  CHECK(end_session{}.encode(ws, n) == errc::buffer_too_small);
}
