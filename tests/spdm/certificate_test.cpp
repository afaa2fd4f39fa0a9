// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/certificate.hpp"

#include "captured.hpp"
#include "codec_check.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::test;
using namespace pmci::spdm::test::captured;

namespace {
constexpr auto get_cert12 = hex_bytes<8>("12820100 0000 0004");   // slot 1, offset 0, length 0x400
constexpr auto slot_size13 = hex_bytes<8>("13820201 0000 0000");  // 1.3 SlotSizeRequested
// CERTIFICATE: slot 1, portion of 5 bytes, 0x0123 remaining; 1.3 with CertificateInfo = alias.
constexpr auto cert12 = hex_bytes<13>("12020100 0500 2301 3082010203");
constexpr auto cert13 = hex_bytes<13>("13020402 0500 0000 3082010203");

constexpr bool fields() {
  auto g = get_certificate::decode(get_certificate13_slot4, n13);
  auto s = get_certificate::decode(slot_size13, n13);
  auto c = certificate::decode(cert12, n12);
  auto c3 = certificate::decode(cert13, n13);
  return g && g->slot_id == 4 && g->offset == 0 && g->length == 0x11f8 && !g->slot_size_requested && s &&
         s->slot_size_requested && s->slot_id == 2 && c && c->slot_id == 1 && c->portion.size() == 5 &&
         c->remainder_length == 0x0123 && c3 && c3->model() == cert_model::alias && c3->slot_id == 4;
}
}  // namespace

TEST_CASE("GET_CERTIFICATE / CERTIFICATE round trip", "[spdm][certificate]") {
  static_assert(roundtrip<get_certificate>(get_certificate13_slot4, n13));
  static_assert(roundtrip<get_certificate>(get_cert12, n12));
  static_assert(roundtrip<get_certificate>(slot_size13, n13));
  static_assert(roundtrip<certificate>(cert12, n12));
  static_assert(roundtrip<certificate>(cert13, n13));
  CHECK(roundtrip<certificate>(cert13, n13));
  static_assert(fields());
  CHECK(fields());
}

TEST_CASE("GET_CERTIFICATE / CERTIFICATE malformed", "[spdm][certificate]") {
  static_assert(every_prefix_truncated<get_certificate>(get_cert12, n12));
  static_assert(every_prefix_truncated<certificate>(cert13, n13));
  static_assert(fails_with<get_certificate>(with(get_cert12, 2, 0x08), errc::invalid_field, n12));  // SlotID 8
  static_assert(fails_with<get_certificate>(with(get_cert12, 2, 0x81), errc::reserved_nonzero, n12));  // 1.4 LargeCertChain
  static_assert(fails_with<get_certificate>(with(get_cert12, 3, 0x01), errc::reserved_nonzero, n12));  // attributes before 1.3
  static_assert(fails_with<get_certificate>(with(slot_size13, 3, 0x03), errc::reserved_nonzero, n13));
  static_assert(fails_with<get_certificate>(get_cert12, errc::version_mismatch, n13));
  static_assert(fails_with<certificate>(with(cert12, 4, 6), errc::truncated, n12));       // PortionLength past the end
  static_assert(fails_with<certificate>(with(cert12, 4, 4), errc::trailing_data, n12));
  static_assert(fails_with<certificate>(with(cert12, 3, 1), errc::reserved_nonzero, n12));  // CertificateInfo before 1.3
  static_assert(fails_with<certificate>(with(cert13, 3, 0x0A), errc::reserved_nonzero, n13));
  static_assert(fails_with<certificate>(with(cert13, 3, 0x04), errc::invalid_field, n13));
  static_assert(fails_with<certificate>(with(cert13, 2, 0x09), errc::invalid_field, n13));
  CHECK(fails_with<certificate>(with(cert12, 4, 6), errc::truncated, n12));
}
