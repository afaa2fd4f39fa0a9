// SPDX-License-Identifier: Apache-2.0
// pmci demo: one real SPDM message through the MCTP base layer.
//
// 1. A 231-byte SPDM 1.2 CHALLENGE_AUTH response (captured between DMTF's spdm-emu requester
//    and responder; tests/data/vectors/spdm12_p384_sha384_chacha20, message 14) is split into
//    MCTP packets at the baseline MTU (64 payload bytes) and every packet header is decoded.
// 2. The packets are reassembled and the message compared with the original.
// 3. The same message is sent again with one packet lost: the sequence gap is detected, the
//    partial message is dropped, and each drop is counted under its reason.
//
// 4. MCTP over I3C on the simulated bus: control messages between a controller and a target.
// 5. SPDM over MCTP over I3C (with OpenSSL): a BMC on the I3C controller attests a device on an
//    I3C target (version, algorithms, certificate chain, CHALLENGE, signed measurements), then
//    opens a secured session (KEY_EXCHANGE/FINISH, HEARTBEAT, KEY_UPDATE, application messages,
//    END_SESSION). Exits 0 only if every step verified; --tamper corrupts the signed
//    measurements in transit to show the failure (exit 1).
//
// Run: cmake --workflow --preset demo      (or: pmci-demo [--keys DIR] [--tamper])
#include <array>
#include <cstdio>
#include <optional>

#include "pmci/core/hex.hpp"
#include "pmci/mctp/assembler.hpp"
#include "pmci/mctp/packetizer.hpp"
#include "pmci/version.hpp"
#include "i3c_demo.hpp"
#if defined(PMCI_DEMO_SPDM)
#include <string>

#include "spdm_demo.hpp"
#endif

namespace {
using namespace pmci;
using namespace pmci::mctp;

// MCTP message: type byte 0x05 (SPDM), then SPDM 1.2 CHALLENGE_AUTH (0x03).
constexpr auto spdm_message = hex_bytes<231>(
    "0512030003dc024e78fa5e45d82e45c67fb5fce2b9987adfee9ea33e56d5ed8347e8aaa3d01891727f3c5dd7a2"
    "e1ab7fd36138375d2e4de8262f76e1f570e72bf6a067e139cc7ca7b0dcda364998666bdb6ca624dc3aef5b275a"
    "50e37446b64610a5da1d53755c89701026084a796f5ad87dca1841bd2f0670124eff5541c52d8719ad0e800000"
    "ea5c7de4b616536cdbf99ca03dc78a3d6f6d3f8b93f7fcb44bd58b3380fcd5bccf2d59ee6af46887d6efe0f82b"
    "b9f8ee332f05092a1b8b91e4532cb5dde159a2f9ecaea3ee5ae6002b0563649a95a03c51bdf833fcce348701db"
    "c199dfacffde");

constexpr eid responder_eid = 0x1D;  // the device
constexpr eid requester_eid = 0x08;  // the host that asked (owner of tag 3)

void print_header(std::size_t index, bytes_view packet) {
  const auto h = header::decode(packet);
  if (!h) {
    std::printf("  packet %zu: undecodable (%s)\n", index, to_string(h.error()));
    return;
  }
  std::printf("  packet %zu: %3zu bytes  [%02x %02x %02x %02x]  ver %u  dest 0x%02x  src 0x%02x  %s%s seq %u  TO %u  tag %u",
              index, packet.size(), std::to_integer<unsigned>(packet[0]), std::to_integer<unsigned>(packet[1]),
              std::to_integer<unsigned>(packet[2]), std::to_integer<unsigned>(packet[3]), h->version, h->dest,
              h->source, h->som ? "SOM " : "    ", h->eom ? "EOM" : "   ", h->seq, h->tag_owner ? 1u : 0u, h->tag);
  if (h->som) {
    const auto t = message_header::from_byte(std::to_integer<std::uint8_t>(packet[header::size]));
    std::printf("  type 0x%02x%s", static_cast<unsigned>(t.type), t.ic ? " +IC" : "");
  }
  std::printf("\n");
}

void print_drops(const drop_counters& d) {
  for (std::size_t r = 1; r <= drop_reason_count; ++r)
    if (const auto n = d[static_cast<drop_reason>(r)]) std::printf("    %-16s %u\n", to_string(static_cast<drop_reason>(r)), n);
}

}  // namespace

int main(int argc, char** argv) {
#if defined(PMCI_DEMO_SPDM)
  std::string key_dir = PMCI_DEMO_KEY_DIR;  // examples/demo/keys
  bool tamper = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--keys" && i + 1 < argc) {
      key_dir = argv[++i];
    } else if (a == "--tamper") {
      tamper = true;  // corrupt the signed measurements in transit: the demo must fail
    } else {
      std::printf("usage: pmci-demo [--keys DIR] [--tamper]\n");
      return 2;
    }
  }
#else
  (void)argc;
  (void)argv;
#endif
  std::printf("pmci %s demo: MCTP, MCTP over I3C, SPDM attestation and sessions\n\n== MCTP base layer ==\n", version_string);

  // Up to 2 messages in assembly at once, each at most 1024 bytes; partial messages expire
  // after 6000 ticks (the caller decides what a tick is; here nothing waits).
  static assembler<2, 1024> rx;
  std::array<std::byte, packetizer::max_packet_size(baseline_mtu)> packet{};

  // 1 + 2. Response to the requester: TO = 0 and the request's tag (3).
  const address to_requester{requester_eid, responder_eid, /*tag_owner=*/false, /*tag=*/3};
  packetizer tx(to_requester, spdm_message, baseline_mtu, /*first_seq=*/1);
  std::printf("1. %zu-byte SPDM message -> %zu packets at MTU %zu:\n", spdm_message.size(),
              packetizer::packet_count(spdm_message.size(), baseline_mtu), baseline_mtu);
  std::size_t index = 0;
  std::optional<message> delivered;
  while (!tx.done()) {
    auto p = tx.next(packet);
    if (!p) return 1;
    print_header(index++, *p);
    delivered = rx.receive(*p, /*now_ticks=*/0);
  }
  if (!delivered) return 1;
  std::printf("\n2. reassembled: %zu bytes from 0x%02x to 0x%02x, type 0x%02x (SPDM), TO %u tag %u, IC %u; "
              "SPDM 0x%02x 0x%02x (v1.2 CHALLENGE_AUTH); identical to the original: %s\n",
              delivered->data.size(), delivered->source, delivered->dest, static_cast<unsigned>(delivered->type),
              delivered->tag_owner ? 1u : 0u, delivered->tag, delivered->ic ? 1u : 0u,
              std::to_integer<unsigned>(delivered->body[0]), std::to_integer<unsigned>(delivered->body[1]),
              equal(delivered->data, spdm_message) ? "yes" : "NO");

  // 3. The same message with packet 1 lost in transit.
  std::printf("\n3. again, with packet 1 lost:\n");
  packetizer lossy(to_requester, spdm_message, baseline_mtu, tx.next_seq());
  index = 0;
  bool got_message = false;
  while (!lossy.done()) {
    auto p = lossy.next(packet);
    if (!p) return 1;
    if (index == 1) {
      std::printf("  packet 1: lost\n");
      ++index;
      continue;
    }
    const bool complete = rx.receive(*p, 0).has_value();
    got_message = got_message || complete;
    std::printf("  packet %zu: %s\n", index++,
                complete ? "completed a message" : rx.last_drop() == drop_reason::none ? "accepted" : to_string(rx.last_drop()));
  }
  std::printf("  message delivered: %s; drops counted:\n", got_message ? "yes (WRONG)" : "no");
  print_drops(rx.drops());
  if (got_message) return 1;

  std::printf("\n");
  if (const int rc = run_i3c_demo(); rc != 0) return rc;
#if defined(PMCI_DEMO_SPDM)
  return run_spdm_demo(key_dir, tamper);
#else
  std::printf("\n(SPDM section skipped: pmci-demo was built without OpenSSL 3)\n");
  return 0;
#endif
}
