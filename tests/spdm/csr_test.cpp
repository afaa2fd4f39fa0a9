// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/csr.hpp"

#include "session_test_util.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
namespace ct = pmci::spdm::codec_test;
using ct::error_of;
using ct::patched;
using ct::roundtrip;

namespace {
constexpr negotiated n12{.ver = v1_2, .hash = base_hash::sha256};
constexpr negotiated n13{.ver = v1_3, .hash = base_hash::sha256};
// Hand-built from spdm.md §11 (no capture provisions certificates).
constexpr auto get_csr12 = hex_bytes<13>("12ed0000 0300 0200 a1a2a3 b1b2");
constexpr auto get_csr13 = hex_bytes<8>("13ed02 9a 0000 0000");  // KeyPairID 2, model 2, tag 3, overwrite
constexpr auto csr12 = hex_bytes<11>("126d0000 0300 0000 308201");
// SET_CERTIFICATE slot 3 with a 40-byte chain: Length 0x28, Reserved, RootHash(32), 4 cert bytes.
constexpr auto set_cert12 = hex_bytes<44>(
    "12ee0300 2800 0000 00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff 30820102");
constexpr auto set_cert13_erase = hex_bytes<4>("13ee9505");  // erase slot 5, model 1, KeyPairID 5
constexpr auto set_cert_rsp = hex_bytes<4>("126e0300");

constexpr bool fields() {
  auto g = get_csr::decode(get_csr13, n13);
  auto s = set_certificate::decode(set_cert13_erase, n13);
  auto c = set_certificate::decode(set_cert12, n12);
  auto r = csr::decode(csr12, n12);
  return g && g->key_pair_id == 2 && g->csr_cert_model == cert_model::alias && g->csr_tracking_tag == 3 && g->overwrite &&
         s && s->erase && s->slot_id == 5 && s->model == cert_model::device && s->key_pair_id == 5 && c &&
         c->cert_chain.size() == 40 && c->slot_id == 3 && r && r->csr_der.size() == 3;
}
}  // namespace

TEST_CASE("GET_CSR / CSR / SET_CERTIFICATE / _RSP: round trips", "[spdm][csr]") {
  static_assert(roundtrip<get_csr>(get_csr12, n12));
  CHECK(roundtrip<get_csr>(get_csr12, n12));
  static_assert(roundtrip<get_csr>(get_csr13, n13));
  CHECK(roundtrip<get_csr>(get_csr13, n13));
  static_assert(roundtrip<csr>(csr12, n12));
  CHECK(roundtrip<csr>(csr12, n12));
  static_assert(roundtrip<set_certificate>(set_cert12, n12));
  CHECK(roundtrip<set_certificate>(set_cert12, n12));
  static_assert(roundtrip<set_certificate>(set_cert13_erase, n13));
  CHECK(roundtrip<set_certificate>(set_cert13_erase, n13));
  static_assert(roundtrip<set_certificate_rsp>(set_cert_rsp, n12));
  CHECK(roundtrip<set_certificate_rsp>(set_cert_rsp, n12));
  static_assert(fields());
  CHECK(fields());
}

TEST_CASE("GET_CSR / CSR / SET_CERTIFICATE / _RSP: malformed input", "[spdm][csr]") {
  ct::check_prefixes_truncated<get_csr>(get_csr12, n12);
  ct::check_trailing<get_csr>(get_csr12, n12);
  ct::check_prefixes_truncated<csr>(csr12, n12);
  ct::check_trailing<csr>(csr12, n12);
  ct::check_prefixes_truncated<set_certificate>(set_cert12, n12);
  ct::check_trailing<set_certificate>(set_cert12, n12);
  ct::check_trailing<set_certificate>(set_cert13_erase, n13);
  ct::check_prefixes_truncated<set_certificate_rsp>(set_cert_rsp, n12);
  CHECK(error_of<get_csr>(patched(get_csr12, 2, 1), n12) == errc::reserved_nonzero);   // 1.3 field at 1.2
  CHECK(error_of<get_csr>(patched(get_csr13, 3, 0xDA), n13) == errc::reserved_nonzero);  // bit 6
  CHECK(error_of<get_csr>(patched(get_csr13, 3, 0x9F), n13) == errc::invalid_field);     // model 7
  CHECK(error_of<get_csr>(patched(get_csr12, 4, 4), n12) == errc::truncated);            // RequesterInfoLength
  CHECK(error_of<csr>(patched(csr12, 6, 1), n12) == errc::reserved_nonzero);
  CHECK(error_of<csr>(patched(csr12, 2, 1), n12) == errc::reserved_nonzero);
  CHECK(error_of<set_certificate>(patched(set_cert12, 2, 0x13), n12) == errc::reserved_nonzero);
  CHECK(error_of<set_certificate>(patched(patched(set_cert12, 0, 0x13), 2, 0x08), n13) == errc::invalid_field);
  CHECK(error_of<set_certificate>(patched(set_cert12, 4, 0x29), n12) == errc::truncated);      // chain Length
  CHECK(error_of<set_certificate>(patched(set_cert12, 4, 0x27), n12) == errc::trailing_data);
  CHECK(error_of<set_certificate>(patched(set_cert12, 0, 0x11), negotiated{.ver = v1_1, .hash = base_hash::sha256}) ==
        errc::unsupported);
  CHECK(error_of<set_certificate_rsp>(patched(set_cert_rsp, 2, 0x13), n12) == errc::reserved_nonzero);
  CHECK(error_of<set_certificate_rsp>(patched(set_cert_rsp, 2, 0x08), n12) == errc::invalid_field);
  CHECK(error_of<set_certificate_rsp>(patched(set_cert_rsp, 3, 0x01), n12) == errc::reserved_nonzero);
  std::array<std::byte, 64> buf{};
  writer w{buf};
  get_csr g{.key_pair_id = 1};
  CHECK(g.encode(w, n12) == errc::invalid_field);  // 1.3 field at 1.2
}
