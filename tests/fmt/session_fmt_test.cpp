// SPDX-License-Identifier: Apache-2.0
#include <fmt/format.h>

#include <map>
#include <string>

#include "pmci/core/hex.hpp"
#include "pmci/fmt.hpp"
#include "spdm/capture_walk.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {
template <class T, class... Ctx>
T dec(bytes_view b, const negotiated& n, const Ctx&... ctx) {
  auto r = T::decode(b, n, ctx...);
  REQUIRE(r);
  return *r;
}
bool has(const std::string& s, const char* what) { return s.find(what) != std::string::npos; }
constexpr negotiated n12{.ver = v1_2, .hash = base_hash::sha256};
constexpr negotiated n13{.ver = v1_3, .hash = base_hash::sha384, .asym = base_asym::ecdsa_p384};
}  // namespace

TEST_CASE("session messages: one-line and verbose forms from the captures", "[fmt][spdm]") {
  // First message of each session code in the captures, formatted through the dispatcher's variant.
  std::map<code, std::string> line, verbose;
  for (const auto& capture : pmci::test::capture_names())
    spdm::test::walk_capture(capture, [&](const spdm::test::walked_message& w) {
      auto m = decode(w.bytes, w.n, w.ctx);
      if (!m || spdm::test::attestation_code(code_of(*m)) || line.count(code_of(*m))) return;
      line[code_of(*m)] = fmt::format("{}", *m);
      verbose[code_of(*m)] = fmt::format("{:v}", *m);
    });
  CHECK(line[code::key_exchange] == "KEY_EXCHANGE slot=0 summary=all session=0xffff policy=0x00 opaque=24");
  CHECK(line[code::key_exchange_rsp] == "KEY_EXCHANGE_RSP session=0xffff heartbeat=240 mut_auth=none summary=32 sig=64 verify=0");
  CHECK(line[code::finish] == "FINISH");
  CHECK(line[code::finish_rsp] == "FINISH_RSP verify=32");
  CHECK(line[code::psk_exchange] == "PSK_EXCHANGE summary=all session=0xffff policy=0x01 hint=12 context=64 opaque=20");
  CHECK(line[code::psk_exchange_rsp] == "PSK_EXCHANGE_RSP session=0xffff heartbeat=240 summary=32 context=64 opaque=12");
  CHECK(line[code::get_encapsulated_request] == "GET_ENCAPSULATED_REQUEST");
  CHECK(line[code::encapsulated_request] == "ENCAPSULATED_REQUEST id=1 inner=GET_DIGESTS");
  CHECK(line[code::deliver_encapsulated_response] == "DELIVER_ENCAPSULATED_RESPONSE id=1 inner=DIGESTS");
  CHECK(line[code::encapsulated_response_ack] == "ENCAPSULATED_RESPONSE_ACK id=2 ack_id=1 next=GET_CERTIFICATE");
  CHECK(has(verbose[code::key_exchange], "\n  OpaqueData: 46544d44"));
  CHECK(has(verbose[code::key_exchange], "(secured-message versions 1.0 1.1 1.2)"));
  CHECK(has(verbose[code::key_exchange_rsp], "(secured-message version 1.2)"));
  CHECK(has(verbose[code::key_exchange_rsp], "\n  Signature: "));
  CHECK(has(verbose[code::psk_exchange], "\n  PSKHint: 5465737450736b48696e7400"));
}

TEST_CASE("session messages: hand-built 1.2/1.3 messages", "[fmt][spdm]") {
  CHECK(fmt::format("{}", dec<key_update>(hex_bytes<4>("12e9023c"), n12)) == "KEY_UPDATE UpdateAllKeys tag=0x3c");
  // The same through the dispatcher's variant (types from pmci::spdm::detail included).
  CHECK(fmt::format("{}", decode(hex_bytes<4>("12e9023c"), n12).value()) == "KEY_UPDATE UpdateAllKeys tag=0x3c");
  CHECK(fmt::format("{}", decode(hex_bytes<6>("128600070100"), n12).value()) == "CHUNK_GET handle=7 seq=1");
  static constexpr auto chunk0 = hex_bytes<21>("1285 00 07 0000 0000 05000000 09000000 1234567890");
  CHECK(fmt::format("{:v}", decode(chunk0, n12).value()) == "CHUNK_SEND handle=7 seq=0 size=5 large=9\n  SPDMchunk: 1234567890");
  CHECK(fmt::format("{}", dec<end_session>(hex_bytes<4>("12ec0100"), n12)) == "END_SESSION clear-state");
  CHECK(fmt::format("{}", dec<heartbeat_ack>(hex_bytes<4>("12680000"), n12)) == "HEARTBEAT_ACK");
  CHECK(fmt::format("{}", dec<chunk_send>(hex_bytes<21>("1285 00 07 0000 0000 05000000 09000000 1234567890"), n12)) ==
        "CHUNK_SEND handle=7 seq=0 size=5 large=9");
  CHECK(fmt::format("{}", dec<chunk_send_ack>(hex_bytes<10>("1205 00 07 0100 1268 0000"), n12)) ==
        "CHUNK_SEND_ACK handle=7 seq=1 response=HEARTBEAT_ACK");
  CHECK(fmt::format("{}", dec<get_csr>(hex_bytes<8>("13ed029a00000000"), n13)) ==
        "GET_CSR info=0 opaque=0 key_pair=2 model=alias tag=3 overwrite");
  CHECK(fmt::format("{}", dec<set_certificate>(hex_bytes<4>("13ee9505"), n13)) == "SET_CERTIFICATE slot=5 erase model=device key_pair=5");
  // (decoded views point into their input: keep the bytes alive)
  static constexpr auto ev_bytes = hex_bytes<41>("13f10000 02000000 05000000 00000000 00 00 0400 0100 03"
                                                 " 06000000 00000000 03 02 8680 0201 0200 beef");
  const auto ev = dec<send_event>(ev_bytes, n13);
  CHECK(fmt::format("{}", ev) == "SEND_EVENT events=2");
  CHECK(fmt::format("{:v}", ev) == "SEND_EVENT events=2\n  [5] DMTF type=0x0004 detail=03\n  [6] PCI-SIG type=0x0102 vendor=8680 detail=beef");
  CHECK(fmt::format("{}", dec<key_pair_info>(hex_bytes<26>("137c0000 04 02 0300 0f00 0200 18000000 10000000 0300 03 300102"), n13)) ==
        "KEY_PAIR_INFO key_pair=2/4 caps=0x0003 usage=0x0002 asym=0x10 slots=0x03");
  CHECK(fmt::format("{}", dec<set_key_pair_info>(hex_bytes<5>("13fd0100 02"), n13)) == "SET_KEY_PAIR_INFO erase key_pair=2");
  CHECK(fmt::format("{}", dec<get_measurement_extension_log>(hex_bytes<12>("13ef0000 00000000 00100000"), n13)) ==
        "GET_MEASUREMENT_EXTENSION_LOG offset=0 length=4096");
  static constexpr auto ep_bytes = hex_bytes<24>("13070000 00000000 0c000000 01000000 07 00 00 01 03 123456");
  const auto ep = dec<endpoint_info>(ep_bytes, n13);
  CHECK(fmt::format("{}", ep) == "ENDPOINT_INFO slot=0 ep_info=12");
  CHECK(has(fmt::format("{:v}", ep), "DeviceClassIdentifier: DMTF vendor=- sub_ids=1"));
  CHECK(fmt::format("{}", dec<supported_event_types>(hex_bytes<12>("1362 01 00 04000000 00000101"), n13)) ==
        "SUPPORTED_EVENT_TYPES groups=1 list=4");
}
