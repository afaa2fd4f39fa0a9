// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/encapsulated.hpp"

#include "session_test_util.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
namespace ct = pmci::spdm::codec_test;
using ct::error_of;
using ct::patched;
using ct::roundtrip;

namespace {
constexpr negotiated n12{.ver = v1_2, .hash = base_hash::sha384, .asym = base_asym::ecdsa_p384};
// spdm12_p384_sha384_aes256gcm_mutauth messages 15, 16, 18, 20, 22.
constexpr auto get_encap = hex_bytes<4>("12ea0000");
constexpr auto encap_req = hex_bytes<8>("126a010012810000");  // RequestID 1, GET_DIGESTS
constexpr auto ack_cert = hex_bytes<16>("126b020101000000128200000000f411");  // next: GET_CERTIFICATE
constexpr auto ack_chal = hex_bytes<44>(
    "126b0301020000001283000051bb5e5864f412da453cebc6414365e49e84da1e74b5c3a6190a4b412f0df4a9");
constexpr auto ack_done = hex_bytes<8>("126b000003000000");

constexpr bool fields() {
  auto r = encapsulated_request::decode(encap_req, n12);
  auto a = encapsulated_response_ack::decode(ack_cert, n12);
  auto d = encapsulated_response_ack::decode(ack_done, n12);
  return r && r->request_id == 1 && r->message.size() == 4 && r->message[1] == std::byte{0x81} && a &&
         a->request_id == 2 && a->payload_type == encap_payload_type::present && a->ack_request_id == 1 &&
         a->request.size() == 8 && d && d->payload_type == encap_payload_type::absent && d->ack_request_id == 3;
}
}  // namespace

TEST_CASE("encapsulated messages: compile-time round trips", "[spdm][encapsulated]") {
  static_assert(roundtrip<get_encapsulated_request>(get_encap, n12));
  CHECK(roundtrip<get_encapsulated_request>(get_encap, n12));
  static_assert(roundtrip<encapsulated_request>(encap_req, n12));
  CHECK(roundtrip<encapsulated_request>(encap_req, n12));
  static_assert(roundtrip<encapsulated_response_ack>(ack_cert, n12));
  CHECK(roundtrip<encapsulated_response_ack>(ack_cert, n12));
  static_assert(roundtrip<encapsulated_response_ack>(ack_chal, n12));
  CHECK(roundtrip<encapsulated_response_ack>(ack_chal, n12));
  static_assert(roundtrip<encapsulated_response_ack>(ack_done, n12));
  CHECK(roundtrip<encapsulated_response_ack>(ack_done, n12));
  static_assert(fields());
  CHECK(fields());
}

TEST_CASE("encapsulated messages: every captured message round-trips", "[spdm][encapsulated][captures]") {
  CHECK(ct::check_captured<get_encapsulated_request>(0xEA) == 3);
  // The carriers end with the inner message, so a prefix can be a shorter, valid carrier:
  // prefixes are checked separately below.
  CHECK(ct::check_captured<encapsulated_request>(0x6A, false) == 3);
  CHECK(ct::check_captured<deliver_encapsulated_response>(0xEB, false) == 7);
  CHECK(ct::check_captured<encapsulated_response_ack>(0x6B, false) == 7);
  for (auto& m : ct::plaintext_spdm("spdm12_p384_sha384_aes256gcm_mutauth"))
    if (m.code_byte() == 0xEB) {
      auto d = deliver_encapsulated_response::decode(m.bytes, n12);
      REQUIRE(d.has_value());
      CHECK(d->request_id == std::to_integer<std::uint8_t>(m.bytes[2]));
      CHECK(d->message.size() == m.bytes.size() - 4);
      // Prefixes shorter than two headers are truncated; longer ones are shorter valid carriers.
      for (std::size_t i = 0; i < 8; ++i) CHECK(error_of<deliver_encapsulated_response>(bytes_view{m.bytes}.first(i), n12) == errc::truncated);
    }
}

TEST_CASE("encapsulated messages: malformed input", "[spdm][encapsulated]") {
  ct::check_prefixes_truncated<encapsulated_request>(encap_req, n12);
  for (std::size_t i = 0; i < 12; ++i)  // up to the inner request's header
    CHECK(error_of<encapsulated_response_ack>(bytes_view{ack_cert}.first(i), n12) == errc::truncated);
  ct::check_prefixes_truncated<encapsulated_response_ack>(ack_done, n12);
  ct::check_trailing<encapsulated_response_ack>(ack_done, n12);
  CHECK(error_of<encapsulated_request>(patched(encap_req, 3, 1), n12) == errc::reserved_nonzero);
  CHECK(error_of<encapsulated_request>(patched(encap_req, 5, 0x01), n12) == errc::invalid_field);  // inner is a response
  CHECK(error_of<deliver_encapsulated_response>(patched(encap_req, 1, 0xEB), n12) == errc::invalid_field);
  CHECK(error_of<encapsulated_response_ack>(patched(ack_done, 3, 3), n12) == errc::invalid_field);  // payload type
  CHECK(error_of<encapsulated_response_ack>(patched(ack_done, 5, 1), n12) == errc::reserved_nonzero);
  CHECK(error_of<encapsulated_response_ack>(patched(ack_cert, 9, 0x02), n12) == errc::invalid_field);  // inner response
  // Payload type 2: one ReqSlotID byte, 0-7.
  auto slot = patched(ack_done, 3, 2);
  CHECK(error_of<encapsulated_response_ack>(slot, n12) == errc::truncated);
  slot.push_back(std::byte{5});
  CHECK(roundtrip<encapsulated_response_ack>(slot, n12));
  CHECK(encapsulated_response_ack::decode(slot, n12)->req_slot_id == 5);
  slot.back() = std::byte{8};
  CHECK(error_of<encapsulated_response_ack>(slot, n12) == errc::invalid_field);
  slot.push_back(std::byte{0});
  slot[8] = std::byte{1};
  CHECK(error_of<encapsulated_response_ack>(slot, n12) == errc::trailing_data);
  // 1.1 has no AckRequestID: the payload follows the header directly.
  const negotiated n11{.ver = v1_1};
  constexpr auto ack11 = hex_bytes<8>("116b0201 11820000");
  CHECK(roundtrip<encapsulated_response_ack>(ack11, n11));
  CHECK(encapsulated_response_ack::decode(ack11, n11)->request.size() == 4);
  std::array<std::byte, 16> buf{};
  writer w{buf};
  encapsulated_response_ack bad{.ack_request_id = 1};
  CHECK(bad.encode(w, n11) == errc::invalid_field);
}
