// SPDX-License-Identifier: Apache-2.0
// The session-family messages of every capture through the dispatching decoder (message.hpp),
// with the negotiated parameters and request context that capture_walk.hpp derives using pmci's
// own VCA codecs: each decodes to the right alternative, re-encodes identically, and (except for
// the containers whose last field is a whole inner message) every proper prefix is truncated.
#include <map>
#include <vector>

#include "capture_walk.hpp"
#include "pmci/core/hex.hpp"
#include "pmci/spdm/message.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {
bool session_code(code c) { return !spdm::test::attestation_code(c); }
// Messages that end with a complete inner SPDM message: a prefix can be a shorter valid one.
bool ends_with_inner_message(code c) {
  return c == code::encapsulated_request || c == code::deliver_encapsulated_response ||
         c == code::encapsulated_response_ack || c == code::chunk_send_ack;
}
}  // namespace

TEST_CASE("every captured session message through the dispatcher", "[spdm][message][captures]") {
  std::map<code, int> seen;
  for (const auto& capture : pmci::test::capture_names()) {
    spdm::test::walk_capture(capture, [&](const spdm::test::walked_message& w) {
      const code c = header::decode(w.bytes)->request_response_code;
      if (!session_code(c)) return;
      INFO(w.where << " " << name(c));
      auto m = decode(w.bytes, w.n, w.ctx, w.request ? direction::request : direction::response);
      REQUIRE(m.has_value());
      CHECK(code_of(*m) == c);
      std::vector<std::byte> out(w.bytes.size() + 64);
      writer wr{out};
      REQUIRE(encode(wr, *m, w.n, w.ctx).has_value());
      CHECK(equal(wr.written(), w.bytes));
      ++seen[c];
      if (ends_with_inner_message(c)) return;
      for (std::size_t len = 0; len < w.bytes.size(); ++len) {
        const auto t = decode(w.bytes.first(len), w.n, w.ctx);
        if (t || t.error() != errc::truncated) {
          FAIL_CHECK("prefix of " << len << " bytes: " << (t ? "accepted" : to_string(t.error())));
          break;
        }
      }
      // The session handshake in the captures always runs in the clear (spdm.md §10.2).
      if (const auto* k = std::get_if<key_exchange_rsp>(&*m)) CHECK(k->responder_verify_data.empty());
      if (const auto* f = std::get_if<finish_rsp>(&*m)) CHECK(f->responder_verify_data.size() == w.n.h());
    });
  }
  CHECK(seen[code::key_exchange] == 8);
  CHECK(seen[code::key_exchange_rsp] == 8);
  CHECK(seen[code::finish] == 8);
  CHECK(seen[code::finish_rsp] == 8);
  CHECK(seen[code::psk_exchange] == 1);
  CHECK(seen[code::psk_exchange_rsp] == 1);
  CHECK(seen[code::get_encapsulated_request] == 3);
  CHECK(seen[code::encapsulated_request] == 3);
  CHECK(seen[code::deliver_encapsulated_response] == 7);
  CHECK(seen[code::encapsulated_response_ack] == 7);
}

TEST_CASE("dispatcher: session messages by code, version and direction", "[spdm][message]") {
  constexpr negotiated n13{.ver = v1_3, .hash = base_hash::sha384, .asym = base_asym::ecdsa_p384};
  static_assert(std::holds_alternative<heartbeat>(decode(hex_bytes<4>("13e80000"), n13).value()));
  static_assert(std::holds_alternative<key_update_ack>(decode(hex_bytes<4>("1369033c"), n13).value()));
  static_assert(std::holds_alternative<get_key_pair_info>(decode(hex_bytes<5>("13fc000001"), n13).value()));
  static_assert(decode(hex_bytes<4>("13e80000"), n13, {}, direction::response) == errc::unexpected_message);
  static_assert(decode(hex_bytes<4>("12e80000"), n13) == errc::version_mismatch);
  constexpr negotiated n12{.ver = v1_2};
  static_assert(decode(hex_bytes<5>("12fc000001"), n12) == errc::unsupported);  // a 1.3 message at 1.2
  CHECK(std::string_view(name(decode(hex_bytes<4>("13f00000"), n13).value())) == "SUBSCRIBE_EVENT_TYPES");
}
