// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/key_exchange.hpp"

#include "pmci/spdm/opaque.hpp"
#include "session_test_util.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
namespace ct = pmci::spdm::codec_test;
using ct::error_of;
using ct::patched;
using ct::roundtrip;

namespace {

// spdm11_p256_sha256_aes256gcm messages 23/24 (SPDM 1.1, secp256r1, SHA-256, ECDSA P-256, both
// sides HANDSHAKE_IN_THE_CLEAR, so no ResponderVerifyData).
constexpr negotiated n11{.ver = v1_1, .hash = base_hash::sha256, .asym = base_asym::ecdsa_p256,
                         .dhe = dhe_group::secp256r1, .rsp_caps = rsp_cap::handshake_in_the_clear,
                         .req_caps = req_cap::handshake_in_the_clear};
constexpr auto ke11 = hex_bytes<130>(
    "11e4ff00ffff00000c896f1efe52b2cd39588e7aa51e9c81b6cd7c0544c4a5aea6605c04d1dcf7f67fd43b95defc43c28cf5"
    "92dc7a1a9a0619ff828c3cbfb495d84e8050152f7273931c03aee05ab644293a8b19e5b2a2f720d1fcf467c7f52952f4ca4c"
    "4636de14180046544d440101000000000900010103001000110012000000");
constexpr auto ker11 = hex_bytes<218>(
    "1164f000ffff0000fa2bde2b646b33bd5d0f94bfc2315a52069d806032bbfd623fd12758632a83aa44de42a7dce167054400"
    "656b04db266b7ee8d4aa53f9caf895f7b945b305a384bbd0d8580594849630d666c7f817afa9c8cda5b7519c50cfd1b6b7ba"
    "fed0b0913079256b44a444f6a274c3bae0f77214a311446e9948f96d0e6e51edbebb6639100046544d440101000000000400"
    "01000012d2d981678c13fe10efbfd4bfbbd88bb76fe5a4e3748cd56f43bbc0c085c1def1db83ed8281540f2608240d7ed275"
    "44e13ca362561875240b5b2590670dac60bf");

// vectors.md §6.2: KEY_EXCHANGE, SPDM 1.2, secp384r1, published by spdm-utils (libspdm log).
constexpr negotiated n12{.ver = v1_2, .hash = base_hash::sha384, .asym = base_asym::ecdsa_p384,
                         .dhe = dhe_group::secp384r1, .other_params = 0x02};
constexpr auto ke12_published = hex_bytes<154>(
    "12e40100ffff0000faea981ff588d27e4147fe5b8abb28381eee039965096e18"
    "acaa134db5c605c8900dd5680c2dc37614815f9a6342f89d360c71094f937401"
    "6bd3defff544b63306b0ab32b91c7c752993790212 70a595b3b28a4bba9587b9"
    "22aa38c2d3e654217299dd87461d81a0d78bfe18ee42ca658d2ac20be04ec4d0"
    "eaaf1636e440924f1000010000000000070001010200100011 00");

constexpr bool decodes_ke11_fields() {
  auto k = key_exchange::decode(ke11, n11);
  return k && k->summary == summary_hash_type::all && k->slot_id == 0 && k->req_session_id == 0xFFFF &&
         k->session_policy == 0 && k->exchange_data.size() == 64 && k->opaque_data.size() == 24 &&
         k->random_data[0] == std::byte{0x0c};
}
constexpr bool decodes_ker11_fields() {
  auto k = key_exchange_rsp::decode(ker11, n11, ct::asked(0xFF));
  return k && k->heartbeat_period == 0xF0 && k->rsp_session_id == 0xFFFF && k->mut_auth_requested == 0 &&
         k->measurement_summary_hash.size() == 32 && k->opaque_data.size() == 16 && k->signature.size() == 64 &&
         k->responder_verify_data.empty() && key_exchange_rsp::session_id(0xFFFF, 0xFFFF) == 0xFFFFFFFFu;
}
constexpr bool published_opaque_lists_1_0_and_1_1() {
  auto k = key_exchange::decode(ke12_published, n12);
  if (!k || k->summary != summary_hash_type::tcb) return false;
  auto s = secured_message_opaque::parse(k->opaque_data, opaque_format_of(n12));
  return s && s->supported_count() == 2 && s->supported(1).raw == 0x1100;
}

}  // namespace

TEST_CASE("KEY_EXCHANGE / KEY_EXCHANGE_RSP: compile-time round trips", "[spdm][key_exchange]") {
  static_assert(roundtrip<key_exchange>(ke11, n11));
  CHECK(roundtrip<key_exchange>(ke11, n11));
  static_assert(roundtrip<key_exchange_rsp>(ker11, n11, ct::asked(0xFF)));
  CHECK(roundtrip<key_exchange_rsp>(ker11, n11, ct::asked(0xFF)));
  static_assert(roundtrip<key_exchange_rsp>(ker11, n11));  // summary hash inferred
  CHECK(roundtrip<key_exchange_rsp>(ker11, n11));
  static_assert(roundtrip<key_exchange>(ke12_published, n12));
  CHECK(roundtrip<key_exchange>(ke12_published, n12));
  static_assert(decodes_ke11_fields());
  CHECK(decodes_ke11_fields());
  static_assert(decodes_ker11_fields());
  CHECK(decodes_ker11_fields());
  static_assert(published_opaque_lists_1_0_and_1_1());
  CHECK(published_opaque_lists_1_0_and_1_1());
}

TEST_CASE("KEY_EXCHANGE / KEY_EXCHANGE_RSP: every captured message round-trips", "[spdm][key_exchange][captures]") {
  int requests = 0, responses = 0;
  for (const auto& name : ct::session_captures()) {
    const auto msgs = ct::plaintext_spdm(name);
    const negotiated n = ct::negotiated_from(msgs);
    const opaque_format f = opaque_format_of(n);
    std::uint8_t last_param1 = 0;
    for (const auto& m : msgs) {
      INFO(name << " message " << m.index);
      if (m.code_byte() == 0xE4) {
        CHECK(roundtrip<key_exchange>(m.bytes, n));
        auto k = key_exchange::decode(m.bytes, n);
        REQUIRE(k.has_value());
        last_param1 = static_cast<std::uint8_t>(k->summary);
        // Every capture offers secured-message versions 1.0, 1.1, 1.2 (spdm.md §14).
        auto s = secured_message_opaque::parse(k->opaque_data, f);
        REQUIRE(s.has_value());
        CHECK(s->supported_count() == 3);
        CHECK(s->supported(2).raw == 0x1200);
        ct::check_prefixes_truncated<key_exchange>(m.bytes, n);
        ct::check_trailing<key_exchange>(m.bytes, n);
        ++requests;
      } else if (m.code_byte() == 0x64) {
        CHECK(roundtrip<key_exchange_rsp>(m.bytes, n, ct::asked(last_param1)));
        CHECK(roundtrip<key_exchange_rsp>(m.bytes, n));
        auto k = key_exchange_rsp::decode(m.bytes, n, ct::asked(last_param1));
        REQUIRE(k.has_value());
        CHECK(k->responder_verify_data.empty());  // all captures negotiate handshake in the clear
        auto s = secured_message_opaque::parse(k->opaque_data, f);
        REQUIRE(s.has_value());
        REQUIRE(s->selected_version.has_value());
        CHECK(s->selected_version->raw == 0x1200);
        if (name.find("mutauth") != std::string::npos) CHECK(k->mut_auth_requested == mut_auth_with_encap_request);
        ct::check_prefixes_truncated<key_exchange_rsp>(m.bytes, n, ct::asked(last_param1));
        ct::check_trailing<key_exchange_rsp>(m.bytes, n, ct::asked(last_param1));
        ++responses;
      }
    }
  }
  CHECK(requests == 8);
  CHECK(responses == 8);
}

TEST_CASE("KEY_EXCHANGE: malformed input", "[spdm][key_exchange]") {
  const bytes_view ke = ke12_published;
  CHECK(error_of<key_exchange>(patched(ke, 0, 0x13), n12) == errc::version_mismatch);
  CHECK(error_of<key_exchange>(patched(ke, 0, 0x15), n12) == errc::unsupported);  // unknown version
  CHECK(error_of<key_exchange>(patched(ke, 1, 0xE5), n12) == errc::invalid_field);  // wrong code
  CHECK(error_of<key_exchange>(patched(ke, 2, 0x02), n12) == errc::invalid_field);  // summary hash type
  CHECK(error_of<key_exchange>(patched(ke, 3, 0x08), n12) == errc::invalid_field);  // slot 8
  CHECK(error_of<key_exchange>(patched(ke, 3, 0xFF), n12) == errc{});  // 0xFF = provisioned public key
  CHECK(error_of<key_exchange>(patched(ke, 7, 0x01), n12) == errc::reserved_nonzero);
  CHECK(error_of<key_exchange>(patched(ke, 6, 0x02), n12) == errc::reserved_nonzero);  // EventAllPolicy is 1.3
  CHECK(error_of<key_exchange>(patched(ke, 6, 0x01), n12) == errc{});                  // TerminationPolicy
  CHECK(error_of<key_exchange>(patched(ke, 0x88, 0x11), n12) == errc::truncated);      // OpaqueDataLength past end
  CHECK(error_of<key_exchange>(patched(ke, 0x88, 0x0F), n12) == errc::trailing_data);
  // 1.1: SessionPolicy is reserved.
  CHECK(error_of<key_exchange>(patched(ke11, 6, 0x01), n11) == errc::reserved_nonzero);
  // KEY_EXCHANGE does not exist in 1.0; no DHE negotiated means no layout.
  negotiated n10 = n11;
  n10.ver = v1_0;
  CHECK(error_of<key_exchange>(patched(ke11, 0, 0x10), n10) == errc::unsupported);
  negotiated no_dhe = n11;
  no_dhe.dhe = dhe_group::none;
  CHECK(error_of<key_exchange>(ke11, no_dhe) == errc::invalid_state);
}

TEST_CASE("KEY_EXCHANGE_RSP: malformed input and verify-data presence", "[spdm][key_exchange]") {
  const bytes_view r = ker11;
  CHECK(error_of<key_exchange_rsp>(patched(r, 3, 1), n11, ct::asked(0xFF)) == errc::reserved_nonzero);
  CHECK(error_of<key_exchange_rsp>(patched(r, 6, 0x08), n11, ct::asked(0xFF)) == errc::reserved_nonzero);
  CHECK(error_of<key_exchange_rsp>(patched(r, 7, 0x10), n11, ct::asked(0xFF)) == errc::reserved_nonzero);
  CHECK(error_of<key_exchange_rsp>(patched(r, 7, 0x08), n11, ct::asked(0xFF)) == errc::invalid_field);
  CHECK(error_of<key_exchange_rsp>(patched(r, 7, 0x0F), n11, ct::asked(0xFF)) == errc{});
  // The request's Param1 decides whether the 32-byte summary hash is there.
  CHECK(error_of<key_exchange_rsp>(r, n11, ct::asked(0)) != errc{});
  // Without HANDSHAKE_IN_THE_CLEAR on both sides, 32 bytes of verify data are expected.
  negotiated encrypted = n11;
  encrypted.req_caps = req_cap::none;
  CHECK(error_of<key_exchange_rsp>(r, encrypted, ct::asked(0xFF)) == errc::truncated);
  std::vector<std::byte> with_verify(r.begin(), r.end());
  with_verify.resize(with_verify.size() + 32, std::byte{0xAB});
  CHECK(roundtrip<key_exchange_rsp>(with_verify, encrypted, ct::asked(0xFF)));
  auto k = key_exchange_rsp::decode(with_verify, encrypted, ct::asked(0xFF));
  REQUIRE(k.has_value());
  CHECK(k->responder_verify_data.size() == 32);
}

TEST_CASE("KEY_EXCHANGE / _RSP: encode checks sizes and fields", "[spdm][key_exchange]") {
  auto k = *key_exchange::decode(ke11, n11);
  std::array<std::byte, 512> buf{};
  {
    writer w{buf};
    auto bad = k;
    bad.exchange_data = bad.exchange_data.first(63);
    CHECK(bad.encode(w, n11) == errc::invalid_field);
  }
  {
    writer w{buf};
    auto bad = k;
    bad.session_policy = 1;  // reserved at 1.1
    CHECK(bad.encode(w, n11) == errc::invalid_field);
  }
  {
    std::array<std::byte, 100> small{};
    writer w{small};
    CHECK(k.encode(w, n11) == errc::buffer_too_small);
  }
  {
    writer w{buf};
    negotiated n10 = n11;
    n10.ver = v1_0;
    CHECK(k.encode(w, n10) == errc::unsupported);
  }
  auto r = *key_exchange_rsp::decode(ker11, n11, ct::asked(0xFF));
  {
    writer w{buf};
    auto bad = r;
    bad.measurement_summary_hash = bad.measurement_summary_hash.first(31);
    CHECK(bad.encode(w, n11) == errc::invalid_field);
  }
  {
    writer w{buf};
    auto no_summary = r;
    no_summary.measurement_summary_hash = {};
    REQUIRE(no_summary.encode(w, n11).has_value());
    CHECK(w.size() == ker11.size() - 32);
    CHECK(roundtrip<key_exchange_rsp>(w.written(), n11, ct::asked(0)));
  }
}
