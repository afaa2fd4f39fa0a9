// SPDX-License-Identifier: Apache-2.0
#include "pmci/spdm/endpoint_info.hpp"

#include "session_test_util.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
namespace ct = pmci::spdm::codec_test;
using ct::error_of;
using ct::patched;
using ct::roundtrip;

namespace {
constexpr negotiated n{.ver = v1_3, .hash = base_hash::sha384, .asym = base_asym::ecdsa_p384,
                       .req_asym = base_asym::ecdsa_p256};
// Hand-built from spdm.md §12. EPInfo as libspdm's sample: one DMTF identifier with one 3-byte sub-ID.
constexpr auto ep = hex_bytes<12>("01000000 07 00 00 01 03 123456");
constexpr auto get_unsigned = hex_bytes<8>("138701 00 00 000000");
constexpr auto get_signed = hex_bytes<40>(
    "138701 03 01 000000 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
constexpr auto info_unsigned = hex_bytes<24>("13070000 00000000 0c000000 01000000 07 00 00 01 03 123456");

constexpr bool fields() {
  auto g = get_endpoint_info::decode(get_signed, n);
  auto e = endpoint_info::decode(info_unsigned, n);
  if (!g || !g->signature_requested || g->slot_id != 3 || g->nonce.size() != 32 || !e || e->ep_info.size() != 12)
    return false;
  auto d = device_class_identifier::decode(e->ep_info);
  if (!d || d->identifiers.size() != 1) return false;
  for (const class_identifier& c : d->identifiers)
    if (c.registry_id != 0 || !c.vendor_id.empty() || c.num_sub_ids != 1 || c.sub_ids.size() != 4) return false;
  return true;
}
}  // namespace

TEST_CASE("GET_ENDPOINT_INFO / ENDPOINT_INFO: round trips", "[spdm][endpoint_info]") {
  static_assert(roundtrip<get_endpoint_info>(get_unsigned, n) && roundtrip<get_endpoint_info>(get_signed, n));
  CHECK((roundtrip<get_endpoint_info>(get_unsigned, n) && roundtrip<get_endpoint_info>(get_signed, n)));
  static_assert(roundtrip<endpoint_info>(info_unsigned, n));
  CHECK(roundtrip<endpoint_info>(info_unsigned, n));
  static_assert(fields());
  CHECK(fields());

  // A signed answer: nonce + EPInfo + 96-byte (P-384) signature; 64 bytes (P-256) when the
  // requester answers an encapsulated request.
  const auto req = *get_endpoint_info::decode(get_signed, n);
  std::array<std::byte, 256> buf{};
  for (bool encap : {false, true}) {
    std::vector<std::byte> sig(encap ? 64 : 96, std::byte{0x77});
    endpoint_info e{3, bytes_view{get_signed}.subspan(8), ep, sig};
    writer w{buf};
    REQUIRE(e.encode(w, n, req, encap).has_value());
    CHECK(w.size() == 8 + 32 + 4 + 12 + sig.size());
    CHECK(roundtrip<endpoint_info>(w.written(), n, req, encap));
    ct::check_prefixes_truncated<endpoint_info>(w.written(), n, req, encap);
    ct::check_trailing<endpoint_info>(w.written(), n, req, encap);
    if (!encap) CHECK(roundtrip<endpoint_info>(w.written(), n));  // inferred layout
    writer w2{buf};
    CHECK(e.encode(w2, n, req, !encap) == errc::invalid_field);   // wrong signature size for the signer
  }
}

TEST_CASE("GET_ENDPOINT_INFO / ENDPOINT_INFO: malformed input", "[spdm][endpoint_info]") {
  ct::check_prefixes_truncated<get_endpoint_info>(get_signed, n);
  ct::check_prefixes_truncated<get_endpoint_info>(get_unsigned, n);
  ct::check_trailing<get_endpoint_info>(get_unsigned, n);
  const auto req = *get_endpoint_info::decode(get_unsigned, n);
  ct::check_prefixes_truncated<endpoint_info>(info_unsigned, n, req);
  ct::check_trailing<endpoint_info>(info_unsigned, n, req);
  CHECK(error_of<get_endpoint_info>(patched(get_unsigned, 2, 2), n) == errc::invalid_field);   // SubCode
  CHECK(error_of<get_endpoint_info>(patched(get_unsigned, 3, 9), n) == errc::invalid_field);   // slot 9
  CHECK(error_of<get_endpoint_info>(patched(get_unsigned, 3, 0x0F), n) == errc{});             // public key
  CHECK(error_of<get_endpoint_info>(patched(get_unsigned, 3, 0x10), n) == errc::reserved_nonzero);
  CHECK(error_of<get_endpoint_info>(patched(get_unsigned, 4, 2), n) == errc::reserved_nonzero);
  CHECK(error_of<get_endpoint_info>(patched(get_unsigned, 6, 1), n) == errc::reserved_nonzero);
  CHECK(error_of<get_endpoint_info>(patched(get_unsigned, 4, 1), n) == errc::truncated);       // nonce missing
  CHECK(error_of<endpoint_info>(patched(info_unsigned, 2, 1), n) == errc::reserved_nonzero);
  CHECK(error_of<endpoint_info>(patched(info_unsigned, 5, 1), n) == errc::reserved_nonzero);
  CHECK(error_of<endpoint_info>(patched(info_unsigned, 3, 0x09), n) == errc::invalid_field);  // slot 9
  CHECK(error_of<endpoint_info>(patched(info_unsigned, 3, 0x0F), n) == errc{});              // public key
  CHECK(error_of<endpoint_info>(patched(info_unsigned, 11, 0x80), n, req) == errc::truncated);  // EPInfoLen
  // DeviceClassIdentifier EPInfo.
  const bytes_view e = ep;
  for (std::size_t i = 0; i < e.size(); ++i) CHECK(device_class_identifier::decode(e.first(i)) == errc::truncated);
  CHECK(device_class_identifier::decode(patched(ep, 1, 1)) == errc::reserved_nonzero);
  CHECK(device_class_identifier::decode(patched(ep, 4, 8)) == errc::truncated);       // IdElemLength
  CHECK(device_class_identifier::decode(patched(ep, 4, 6)) == errc::truncated);       // sub-ID cut
  CHECK(device_class_identifier::decode(patched(ep, 0, 2)) == errc::truncated);       // NumIdentifiers
  CHECK(device_class_identifier::decode(patched(ep, 6, 1)) == errc::invalid_field);   // DMTF VendorIDLen 1
  CHECK(device_class_identifier::decode(patched(ep, 7, 0)) == errc::trailing_data);   // NumSubIds 0
  CHECK(error_of<get_endpoint_info>(patched(get_unsigned, 0, 0x12), negotiated{.ver = v1_2}) == errc::unsupported);
}
