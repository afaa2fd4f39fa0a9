// SPDX-License-Identifier: Apache-2.0
// pmci/spdm/session/session.hpp: a session whose record binding is fixed at compile time
// (session<P, MaxHash, &binding>, the responder's sessions) frames records exactly as one that
// reads the same binding from session_params at run time, and refuses parameters naming another
// binding.
#include <algorithm>
#include <type_traits>

#include "pmci/crypto/openssl.hpp"
#include "pmci/spdm/session/session.hpp"
#include "session_test_util.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::session_test;
using policy = crypto::openssl;
using dynamic_session = session<policy>;
using fixed_session = session<policy, crypto::max_digest_size, &mctp_secured_binding>;

namespace {

const bytes shared_secret = hx("0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f30");
const bytes th1 = hx("af8d1cfcb832e203d945549d67b51a3b050c232655fbb0bf50f84ab0024ec357a775f307b586b0ce4f996fa19fc95593");
const bytes app = hx("0512e80000");
const bytes padding = hx("a5a5a5");

session_params params(session_protection prot) {
  session_params sp;
  sp.hash = crypto::hash_alg::sha384;
  sp.aead = crypto::aead_alg::aes256_gcm;
  sp.version = 0x12;
  sp.protection = prot;
  return sp;
}

template <class S>
bytes seal_app(S& s, bytes_view pad) {
  bytes buf(s.layout().record_size(app.size(), pad.size()));
  std::copy(app.begin(), app.end(), buf.begin() + static_cast<std::ptrdiff_t>(s.layout().app_offset()));
  auto r = s.seal(buf, app.size(), pad);
  REQUIRE(r);
  return to_bytes(*r);
}

}  // namespace

static_assert(std::is_same_v<session_table<policy, 1, crypto::max_digest_size, &mctp_secured_binding>::session_type, fixed_session>);

TEST_CASE("session with a compile-time binding: same records as the run-time binding", "[session][binding]") {
  policy p;
  const auto prot = GENERATE(session_protection::encrypt_and_mac, session_protection::mac_only);
  const bytes pad = prot == session_protection::mac_only ? bytes{} : padding;
  dynamic_session rq, rs_dynamic;
  fixed_session rs_fixed;
  REQUIRE(rq.start(p, session_role::requester, 0x1234FFFF, params(prot)));
  REQUIRE(rs_dynamic.start(p, session_role::responder, 0x1234FFFF, params(prot)));
  REQUIRE(rs_fixed.start(p, session_role::responder, 0x1234FFFF, params(prot)));
  for (auto* s : {&rq, &rs_dynamic}) REQUIRE(s->derive_handshake(shared_secret, th1));
  REQUIRE(rs_fixed.derive_handshake(shared_secret, th1));
  CHECK(rs_fixed.layout().binding == rs_dynamic.layout().binding);
  CHECK(rs_fixed.layout().app_offset() == rs_dynamic.layout().app_offset());
  CHECK(rs_fixed.layout().header_size() == rs_dynamic.layout().header_size());
  for (int i = 0; i < 3; ++i) {
    // Request: sealed by the requester, opened by the fixed-binding responder.
    bytes req = seal_app(rq, pad);
    auto o = rs_fixed.open(req);
    REQUIRE(o);
    CHECK(to_bytes(o->app) == app);
    CHECK(to_bytes(o->padding) == pad);
    // Response: both responders seal the identical record, which the requester opens.
    bytes a = seal_app(rs_fixed, pad);
    bytes b = seal_app(rs_dynamic, pad);
    CHECK(a == b);
    REQUIRE(rq.open(a));
  }
}

TEST_CASE("session with a compile-time binding refuses another binding", "[session][binding]") {
  policy p;
  fixed_session s;
  session_params sp = params(session_protection::encrypt_and_mac);
  sp.binding = {.type_byte = false, .message_type = 0, .sequence_number_size = 8, .max_random = 32};
  CHECK(s.start(p, session_role::responder, 1, sp) == errc::unsupported);
  CHECK(s.idle());
  sp.binding = mctp_secured_binding;
  CHECK(s.start(p, session_role::responder, 1, sp));
}
