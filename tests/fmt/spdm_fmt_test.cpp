// SPDX-License-Identifier: Apache-2.0
#include <fmt/format.h>

#include <string>

#include "pmci/fmt.hpp"
#include "spdm/capture_walk.hpp"
#include "spdm/captured.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using namespace pmci::spdm::test::captured;

namespace {
template <class T, class... Ctx>
T dec(bytes_view b, const negotiated& n, const Ctx&... ctx) {
  auto r = T::decode(b, n, ctx...);
  REQUIRE(r);
  return *r;
}
response_context answering(bytes_view request) { return response_context::answering(*header::decode(request)); }
}  // namespace

TEST_CASE("one-line form: DSP0274 name and key fields", "[fmt][spdm]") {
  CHECK(fmt::format("{}", dec<get_version>(hex_bytes<4>("10840000"), n10)) == "GET_VERSION");
  CHECK(fmt::format("{}", dec<version_response>(hex_bytes<12>("10040000 0003 0010 0011 0012"), n10)) == "VERSION 1.0 1.1 1.2");
  CHECK(fmt::format("{}", dec<get_capabilities>(get_caps12, n10)) ==
        "GET_CAPABILITIES 1.2 ct_exp=0 flags=0x0002f7c6 dts=4608 max_msg=4608");
  CHECK(fmt::format("{}", dec<algorithms>(algs12, n12)) ==
        "ALGORITHMS asym=ECDSA_P384 hash=SHA_384 meas_hash=SHA_384 dhe=SECP384R1 aead=CHACHA20_POLY1305 "
        "req_asym=RSAPSS_3072 key_schedule=SPDM");
  CHECK(fmt::format("{}", dec<negotiate_algorithms>(neg_algs10, n10)) == "NEGOTIATE_ALGORITHMS asym=ECDSA_P256 hash=SHA_256");
  CHECK(fmt::format("{}", dec<digests>(digests13, n13)) == "DIGESTS slots=0x13 supported=0x13 multi-key");
  CHECK(fmt::format("{}", dec<get_certificate>(get_certificate13_slot4, n13)) == "GET_CERTIFICATE slot=4 offset=0 length=4600");
  CHECK(fmt::format("{}", dec<challenge>(challenge13, n13)) == "CHALLENGE slot=0 summary=all");
  CHECK(fmt::format("{}", dec<challenge_auth>(challenge_auth13, n13, answering(challenge13))) ==
        "CHALLENGE_AUTH slot=0 slot_mask=0x13 opaque=0 sig=96");
  CHECK(fmt::format("{}", dec<get_measurements>(get_measurements13, n13)) == "GET_MEASUREMENTS op=all signed slot=0");
  CHECK(fmt::format("{}", dec<measurements>(measurements13, n13, answering(get_measurements13))) ==
        "MEASUREMENTS blocks=8 record=448 content=unchanged signed");
  CHECK(fmt::format("{}", dec<error_response>(hex_bytes<8>("127f4200 0ce00301"), n12)) ==
        "ERROR ResponseNotReady rd_exp=12 req=GET_MEASUREMENTS token=3 rdtm=1");
  CHECK(fmt::format("{}", dec<respond_if_ready>(hex_bytes<4>("12ffe003"), n12)) == "RESPOND_IF_READY req=GET_MEASUREMENTS token=3");
  CHECK(fmt::format("{}", dec<vendor_defined_request>(hex_bytes<15>("12fe0000 0300 02 b414 0400 01020304"), n12)) ==
        "VENDOR_DEFINED_REQUEST PCI-SIG vendor=b414 payload=4");
  CHECK(fmt::format("{}", errc::truncated) == "truncated");
}

TEST_CASE("verbose form: flag and algorithm names, blocks, hex", "[fmt][spdm]") {
  const auto caps = fmt::format("{:v}", dec<capabilities>(caps13, n10));
  CHECK(caps.find("CERT_CAP") != std::string::npos);
  CHECK(caps.find("MEAS_CAP=SIG") != std::string::npos);
  CHECK(caps.find("PSK_CAP=WITH_CONTEXT") != std::string::npos);
  CHECK(caps.find("EP_INFO_CAP=SIG") != std::string::npos);
  CHECK(caps.find("MULTI_KEY_CAP=NEGOTIATED") != std::string::npos);
  CHECK(caps.find("CTExponent: 0") != std::string::npos);
  const auto algs = fmt::format("{:v}", dec<negotiate_algorithms>(neg_algs12, n12));
  CHECK(algs.find("ReqBaseAsymAlg: RSASSA_2048|RSAPSS_2048|RSASSA_3072|RSAPSS_3072") != std::string::npos);
  CHECK(algs.find("MeasurementSpecification: DMTF") != std::string::npos);
  const auto meas = fmt::format("{:v}", dec<measurements>(measurements13, n13, answering(get_measurements13)));
  CHECK(meas.find("[254] device mode raw(16) 3f000000040000001f00000011000000") != std::string::npos);
  CHECK(meas.find("[  1] immutable ROM digest(48) a1d6755d") != std::string::npos);
  const auto dig = fmt::format("{:v}", dec<digests>(digests13, n13));
  CHECK(dig.find("slot 4: ") != std::string::npos);
  CHECK(dig.find("model=device usage=0x000f") != std::string::npos);
  const auto err = fmt::format("{:v}", dec<error_response>(hex_bytes<5>("127f0f00 07"), n12));
  CHECK(err == "ERROR LargeResponse\n  SPDMVersion: 1.2\n  ErrorCode: 0x0f LargeResponse\n  ErrorData: 0x00\n  Handle: 7");
}

TEST_CASE("every captured message formats through the variant, in both forms", "[fmt][spdm]") {
  int formatted = 0;
  for (const auto& capture : pmci::test::capture_names()) {
    pmci::spdm::test::walk_capture(capture, [&](const pmci::spdm::test::walked_message& w) {
      auto m = decode(w.bytes, w.n, w.ctx);
      if (!m) return;  // the session half's messages, until merged
      const std::string line = fmt::format("{}", *m);
      const std::string detail = fmt::format("{:v}", *m);
      INFO(w.where << ": " << line);
      CHECK(line.rfind(name(*m), 0) == 0);  // starts with the DSP0274 name
      CHECK(line.find('\n') == std::string::npos);
      CHECK(detail.rfind(name(*m), 0) == 0);
      ++formatted;
    });
  }
  CHECK(formatted > 100);
}
