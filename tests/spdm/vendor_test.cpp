// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/vendor.hpp"

#include <string_view>

#include "codec_check.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::test;

namespace {
constexpr negotiated n12{.ver = v1_2};
// No capture contains vendor-defined messages; built after spdm.md §9.
constexpr auto pci_req = hex_bytes<15>("12fe0000 0300 02 b414 0400 01020304");     // PCI-SIG, vendor 0x14b4
constexpr auto iana_rsp = hex_bytes<15>("127e0000 0400 04 a2010000 0200 aabb");   // IANA enterprise 418
constexpr auto dmtf_rsp = hex_bytes<9>("127e0000 0000 00 0000");                   // DMTF: no VendorID
constexpr auto cbor_req = hex_bytes<14>("12fe0000 0a00 05 1a00000001 0000");        // IANA-CBOR, 5-byte ID

constexpr bool fields() {
  auto r = vendor_defined_request::decode(pci_req, n12);
  auto s = vendor_defined_response::decode(iana_rsp, n12);
  return r && r->standard_id == registry::pci_sig && r->vendor_id.size() == 2 && r->payload.size() == 4 && s &&
         s->standard_id == registry::iana && s->payload.size() == 2;
}
}  // namespace

TEST_CASE("VENDOR_DEFINED_REQUEST / RESPONSE round trip", "[spdm][vendor]") {
  static_assert(roundtrip<vendor_defined_request>(pci_req, n12) && roundtrip<vendor_defined_response>(iana_rsp, n12) &&
                roundtrip<vendor_defined_response>(dmtf_rsp, n12) && roundtrip<vendor_defined_request>(cbor_req, n12));
  CHECK(roundtrip<vendor_defined_request>(pci_req, n12));
  static_assert(fields());
  CHECK(fields());
  static_assert(valid_vendor_id_size(registry::tcg, 2) && !valid_vendor_id_size(registry::iana, 2) &&
                valid_vendor_id_size(registry::iana_cbor, 9) && !valid_vendor_id_size(registry::iana_cbor, 10) &&
                !valid_vendor_id_size(static_cast<registry>(0x0C), 0));
  CHECK(std::string_view(name(registry::pci_sig)) == "PCI-SIG");
}

TEST_CASE("VENDOR_DEFINED malformed", "[spdm][vendor]") {
  static_assert(every_prefix_truncated<vendor_defined_request>(pci_req, n12));
  static_assert(every_prefix_truncated<vendor_defined_response>(iana_rsp, n12));
  static_assert(fails_with<vendor_defined_request>(with(pci_req, 9, 5), errc::truncated, n12));      // payload length
  static_assert(fails_with<vendor_defined_request>(with(pci_req, 9, 3), errc::trailing_data, n12));
  static_assert(fails_with<vendor_defined_request>(with(pci_req, 6, 0x0A), errc::truncated, n12));   // Len past the end
  static_assert(fails_with<vendor_defined_request>(with(pci_req, 4, 4), errc::invalid_field, n12));  // IANA needs 4 bytes
  static_assert(fails_with<vendor_defined_request>(with(pci_req, 4, 0x0C), errc::invalid_field, n12));  // unknown registry
  static_assert(fails_with<vendor_defined_request>(with(pci_req, 2, 0x80), errc::reserved_nonzero, n12));  // 1.4 Large bit
  static_assert(fails_with<vendor_defined_response>(with(iana_rsp, 3, 1), errc::reserved_nonzero, n12));
  static_assert(fails_with<vendor_defined_response>(pci_req, errc::invalid_field, n12));  // request code
  static_assert(fails_with<vendor_defined_request>(pci_req, errc::version_mismatch, negotiated{.ver = v1_1}));
  CHECK(fails_with<vendor_defined_request>(with(pci_req, 4, 4), errc::invalid_field, n12));
}
