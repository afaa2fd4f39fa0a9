// SPDX-License-Identifier: Apache-2.0
// open(p, keys, layout, msg, header) — the record opened with a header the caller already decoded
// (session::open decodes it once to find the key generation) — gives exactly what the
// self-decoding open() gives, for both protections, and rejects what it rejects.
#include <cstddef>

#include "pmci/crypto/openssl.hpp"
#include "pmci/spdm/session/secured_message.hpp"
#include "session_test_util.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::session_test;
using policy = crypto::openssl;

TEST_CASE("secured records: open with a decoded header = open", "[session][secured]") {
  policy p;
  const bytes key = hx("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  const bytes iv = hx("00020406080a0c0e10121416");
  const bytes app = hx("05128400");  // 05 ‖ an SPDM header
  for (const auto prot : {session_protection::encrypt_and_mac, session_protection::mac_only}) {
    const secured_layout l{mctp_secured_binding, prot};
    record_keys<policy> tx, rx1, rx2;
    REQUIRE(tx.install(p, crypto::aead_alg::aes256_gcm, key, iv));
    REQUIRE(rx1.install(p, crypto::aead_alg::aes256_gcm, key, iv));
    REQUIRE(rx2.install(p, crypto::aead_alg::aes256_gcm, key, iv));
    const bytes pad = prot == session_protection::mac_only ? bytes{} : hx("a1a2a3");
    bytes buf(l.record_size(app.size(), pad.size()));
    std::copy(app.begin(), app.end(), buf.begin() + static_cast<std::ptrdiff_t>(l.app_offset()));
    auto sealed = seal(p, tx, l, 0xFFFF0001u, buf, app.size(), pad);
    REQUIRE(sealed);
    bytes a = to_bytes(*sealed), b = a;
    const auto h = secured_header::decode(b, l);
    REQUIRE(h);
    auto plain = open(p, rx1, l, a);
    auto decoded = open(p, rx2, l, b, *h);
    REQUIRE(plain);
    REQUIRE(decoded);
    CHECK(decoded->session_id == plain->session_id);
    CHECK(hex(decoded->app) == hex(plain->app));
    CHECK(hex(decoded->app) == hex(app));
    CHECK(hex(decoded->padding) == hex(plain->padding));
    CHECK(rx2.sequence() == 1);
    // A tampered tag: decrypt_error from both, the counter unchanged.
    bytes c = to_bytes(*sealed);
    c.back() ^= std::byte{1};
    record_keys<policy> rx3;
    REQUIRE(rx3.install(p, crypto::aead_alg::aes256_gcm, key, iv));
    const auto hc = secured_header::decode(c, l);
    REQUIRE(hc);
    CHECK(open(p, rx3, l, c, *hc) == errc::decrypt_error);
    CHECK(rx3.sequence() == 0);
  }
}
