// SPDX-License-Identifier: Apache-2.0
// The in-session SPDM messages of the captures (HEARTBEAT, KEY_UPDATE, END_SESSION, PSK_FINISH,
// their ACKs, and in-session measurements), reached by decrypting the secured records with the
// keys the reference logged (secrets.txt). Test-only AEAD via OpenSSL: the DSP0277 record layer
// is the sessions layer's job; here it only unwraps the payload (secured.md §1, §2):
//   0x06 | SessionID(4) | SeqNum(2) | Length(2) | AEAD(ApplicationDataLength(2) | 0x05 SPDM | pad) | tag(16)
// with AAD = SessionID..Length and nonce = IV XOR the LE sequence number. Rather than replaying
// the key schedule's state, each record is opened with whichever of the session's handshake,
// data and updated data keys of its direction verifies (the captures stay below 2^16 records per
// key, so the 2-byte field is the whole counter).
#include <openssl/evp.h>

#include <map>
#include <string>
#include <vector>

#include "pmci/spdm/message.hpp"
#include "spdm/session_test_util.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {

bool aead_open(const EVP_CIPHER* cipher, const std::vector<std::byte>& key, std::array<std::byte, 12> nonce,
               bytes_view aad, bytes_view ct, bytes_view tag, std::vector<std::byte>& out) {
  EVP_CIPHER_CTX* c = EVP_CIPHER_CTX_new();
  auto u = [](const std::byte* p) { return reinterpret_cast<const unsigned char*>(p); };
  out.assign(ct.size(), std::byte{0});
  int len = 0;
  bool ok = EVP_DecryptInit_ex(c, cipher, nullptr, nullptr, nullptr) == 1 &&
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_IVLEN, 12, nullptr) == 1 &&
            EVP_DecryptInit_ex(c, nullptr, nullptr, u(key.data()), u(nonce.data())) == 1 &&
            EVP_DecryptUpdate(c, nullptr, &len, u(aad.data()), static_cast<int>(aad.size())) == 1 &&
            EVP_DecryptUpdate(c, reinterpret_cast<unsigned char*>(out.data()), &len, u(ct.data()), static_cast<int>(ct.size())) == 1 &&
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_AEAD_SET_TAG, 16, const_cast<std::byte*>(tag.data())) == 1 &&
            EVP_DecryptFinal_ex(c, reinterpret_cast<unsigned char*>(out.data()) + len, &len) == 1;
  EVP_CIPHER_CTX_free(c);
  return ok;
}

}  // namespace

TEST_CASE("in-session messages of every capture decode and re-encode identically", "[spdm][records][captures]") {
  std::map<code, int> seen;
  int records = 0;
  for (const auto& name : codec_test::session_captures()) {
    const auto all = pmci::test::load_messages(name);
    const auto sessions = pmci::test::load_sessions(name);
    const negotiated n = codec_test::negotiated_from(codec_test::plaintext_spdm(name));
    const EVP_CIPHER* cipher = n.aead == aead_suite::chacha20_poly1305 ? EVP_chacha20_poly1305() : EVP_aes_256_gcm();
    REQUIRE((n.aead == aead_suite::chacha20_poly1305 || n.aead == aead_suite::aes_256_gcm));
    int session = -1;
    header last_request{};
    for (const auto& m : all) {
      INFO(name << " message " << m.index);
      const auto code_byte = m.bytes.size() > 2 ? std::to_integer<std::uint8_t>(m.bytes[2]) : 0;
      if (m.bytes[0] == std::byte{0x05} && (code_byte == 0xE4 || code_byte == 0xE6)) ++session;
      if (m.bytes[0] != std::byte{0x06}) continue;
      REQUIRE(session >= 0);
      REQUIRE(static_cast<std::size_t>(session) < sessions.size());
      const auto& keys = sessions[static_cast<std::size_t>(session)];
      const bytes_view rec = bytes_view{m.bytes}.subspan(1);
      REQUIRE(rec.size() >= 8 + 2 + 16);
      const std::uint16_t seq = load_u16le(rec.subspan(4));
      REQUIRE(load_u16le(rec.subspan(6)) == rec.size() - 8);  // Length = bytes after it
      const bytes_view aad = rec.first(8), body = rec.subspan(8, rec.size() - 8 - 16), tag = rec.last(16);
      const std::string dir = m.request ? "request" : "response";
      std::vector<std::byte> plain;
      bool opened = false;
      for (const char* phase : {"_handshake", "_data", "_data_update1"}) {
        const std::string suffix = std::string(phase) == "_data_update1" ? "_update1" : "";
        const std::string base = dir + (suffix.empty() ? phase : "_data");
        if (!keys.has(base + "_key" + suffix)) continue;
        std::array<std::byte, 12> nonce{};
        const auto& iv = keys.at(base + "_iv" + suffix);
        for (std::size_t i = 0; i < 12; ++i) nonce[i] = iv[i];
        nonce[0] ^= std::byte(seq & 0xFF);
        nonce[1] ^= std::byte(seq >> 8);
        if ((opened = aead_open(cipher, keys.at(base + "_key" + suffix), nonce, aad, body, tag, plain))) break;
      }
      REQUIRE(opened);
      ++records;
      // ApplicationDataLength | MCTP type 0x05 | SPDM message | random padding
      const std::size_t app_len = load_u16le(plain);
      REQUIRE(app_len + 2 <= plain.size());
      REQUIRE(plain[2] == std::byte{0x05});
      const bytes_view spdm = bytes_view{plain}.subspan(3, app_len - 1);
      const auto h = header::decode(spdm);
      REQUIRE(h.has_value());
      if (m.request) last_request = *h;
      const response_context ctx = m.request ? response_context{} : response_context::answering(last_request);
      auto d = decode(spdm, n, ctx, m.request ? direction::request : direction::response);
      INFO(spdm::name(h->request_response_code));
      REQUIRE(d.has_value());
      std::vector<std::byte> out(spdm.size() + 16);
      writer w{out};
      REQUIRE(encode(w, *d, n, ctx).has_value());
      CHECK(equal(w.written(), spdm));
      ++seen[code_of(*d)];
      if (auto* k = std::get_if<key_update>(&*d)) {
        CHECK((k->operation == key_operation::update_all_keys || k->operation == key_operation::verify_new_key));
      }
      if (auto* p = std::get_if<psk_finish>(&*d)) CHECK(p->requester_verify_data.size() == n.h());
    }
  }
  // 9 sessions: 2 in each KEY_EXCHANGE capture, 1 PSK; each runs HEARTBEAT, KEY_UPDATE
  // (UpdateAllKeys + VerifyNewKey), measurements, END_SESSION.
  CHECK(seen[code::heartbeat] == 9);
  CHECK(seen[code::heartbeat_ack] == 9);
  CHECK(seen[code::key_update] == 18);
  CHECK(seen[code::key_update_ack] == 18);
  CHECK(seen[code::end_session] == 9);
  CHECK(seen[code::end_session_ack] == 9);
  CHECK(seen[code::psk_finish] == 1);
  CHECK(seen[code::psk_finish_rsp] == 1);
  CHECK(seen[code::get_measurements] > 0);
  CHECK(seen[code::measurements] > 0);
  CHECK(records > 0);
}
