// SPDX-License-Identifier: Apache-2.0
// Footprint image `requester_attest` (issue 9): the attestation-only SPDM requester — VCA,
// DIGESTS, CERTIFICATE (chain validated through the crypto policy against a trust anchor),
// CHALLENGE, signed MEASUREMENTS; ECDSA P-384 + SHA-384 — driven step-wise (sans-I/O) from the
// bus interrupt, on an MCTP endpoint over the I3C *controller* binding (the requester is the
// bus owner, e.g. a BMC or a platform root of trust attesting one device). libspdm's figure for
// the same requester: 23.7 KB flash.
//
// requester_attest_spdm is this file built with PMCI_FW_SPDM_ONLY: the same requester and flow on
// whole MCTP messages (0x05 ‖ SPDM, DSP0275) from the integrator's MCTP stack (board.hpp
// mctp_receive/mctp_send, not counted), as libspdm's figure counts it: libspdm ships no MCTP
// packetization, assembly or bus binding.
#include <array>
#include <cstddef>
#include <cstdint>

#include "board.hpp"
#include "pmci/spdm/mctp.hpp"
#include "pmci/spdm/requester.hpp"
#include "spdm_image.hpp"
#include "stub_crypto.hpp"

namespace {

using namespace fw::spdm_image;

struct verifier_config : spdm::requester_defaults {
  static constexpr std::array hash_algs{spdm::base_hash::sha384};
  static constexpr std::array asym_algs{spdm::base_asym::ecdsa_p384};
  static constexpr std::size_t slot_count = 1;
  static constexpr std::uint32_t max_message_size = max_spdm_message;
  // Driven step-wise from the interrupt: responses are read where the endpoint reassembled them,
  // so the blocking API's own 4 KiB receive buffer is not needed.
  static constexpr bool blocking_api = false;
  static constexpr bool vendor_defined = false;  // attestation only
};
using requester_t = spdm::requester<verifier_config, fw::stub_crypto>;

#ifndef PMCI_FW_SPDM_ONLY
constexpr mctp::eid own_eid = 0x08, device_eid = 0x20;
constexpr std::uint8_t device_address = 0x10;

struct owner_config : endpoint_config<max_spdm_message + 1> {
  static constexpr std::size_t tag_peers = 1;  // the requester's tags: one device
  static constexpr control::responder_config control_config{.static_eid = own_eid,
                                                            .uuid = uuid,
                                                            .message_types = message_types,
                                                            .versions = mctp_versions,
                                                            .vendor_sets = {}};
};

/// The HAL side of the I3C controller binding, on the board's (fake) controller.
struct controller_hal {
  pmci::result<void> private_write(std::uint8_t, pmci::bytes_view frame) noexcept {
    if (!fw::bus_transmit(frame)) return pmci::errc::busy;
    return pmci::ok();
  }
  pmci::result<std::size_t> private_read(std::uint8_t, pmci::bytes_span out) noexcept {
    const std::size_t n = fw::bus_receive(out);
    if (n == 0) return pmci::errc::not_ready;
    return n;
  }
};
#endif

/// The attestation flow, one operation after the other.
enum class phase : std::uint8_t { version, capabilities, algorithms, digests, certificate, challenge, measurements, done };

fw::stub_crypto crypto;
requester_t req{crypto};
#ifdef PMCI_FW_SPDM_ONLY
// One whole MCTP message out (0x05 ‖ the largest request), one in (0x05 ‖ up to 4 KiB).
std::array<std::byte, 1 + requester_t::max_request_size> tx;
std::array<std::byte, 1 + max_spdm_message> rx;
#else
controller_hal hal;
constinit i3c::controller<controller_hal, 1> link;
constinit mctp::endpoint<owner_config> ep;
std::array<std::byte, requester_t::max_request_size> tx;
#endif
std::array<pmci::bytes_view, 1> anchors;
phase current = phase::version;

pmci::result<void> start(phase p) noexcept {
  current = p;
  switch (p) {
    case phase::version: return req.start_get_version();
    case phase::capabilities: return req.start_get_capabilities();
    case phase::algorithms: return req.start_negotiate_algorithms();
    case phase::digests: return req.start_get_digests();
    case phase::certificate: return req.start_get_certificate(0, anchors);
    case phase::challenge: return req.start_challenge(0);
    case phase::measurements: return req.start_get_measurements({.operation = spdm::meas_op_all, .signature = true});
    case phase::done: break;
  }
  return pmci::ok();
}

void send_next() noexcept {
#ifdef PMCI_FW_SPDM_ONLY
  auto r = req.next_request(pmci::bytes_span(tx).subspan(1));
  tx[0] = std::byte{spdm::mctp_message_type};
  if (r) (void)fw::mctp_send(pmci::bytes_view(tx).first(1 + r->size()));
#else
  auto r = req.next_request(tx);
  // The one device's address is the one this bus owner gave it (DAA): the request goes there
  // directly (`via`), as a bus owner's EID -> address table would send it (DSP0236 §8.2), so
  // the image keeps no route table (-68 B: no set_route() + lookup()).
  if (r) (void)ep.send_request(link, device_eid, mctp::msg_type::spdm, *r, fw::ticks_ms(), device_address);
#endif
}

/// Start over (GET_VERSION) after a failure, or when the flow is done (periodic attestation).
void restart() noexcept {
  if (start(phase::version)) send_next();
}

}  // namespace

#ifdef PMCI_FW_SPDM_ONLY
// The MCTP stack's "message received" interrupt.
extern "C" void fw_bus_irq() {
  const std::size_t n = fw::mctp_receive(rx);
  if (n == 0 || rx[0] != std::byte{spdm::mctp_message_type}) return;
  auto st = req.on_response(pmci::bytes_view(rx).subspan(1, n - 1));
#else
// The controller's interrupt: an IBI from the device (a response packet is ready to be read).
extern "C" void fw_bus_irq() {
  // A request the link refused as busy (its write buffer still held a frame) is resent here;
  // every request of these flows fits one baseline packet, so nothing else is ever pending.
  (void)ep.flush(link);
  link.on_ibi(device_address, {});
  auto packet = link.receive();
  if (!packet) return;
  auto msg = ep.receive(link, *packet, fw::ticks_ms());
  if (!msg || msg->tag_owner || msg->type != mctp::msg_type::spdm) return;
  auto st = req.on_response(msg->body);
#endif
  if (!st) return restart();
  if (st->kind == spdm::step::done) {
    const auto next = static_cast<phase>(static_cast<std::uint8_t>(current) + 1);
    if (next == phase::done) return restart();
    if (!start(next)) return restart();
  }
  // step::wait (Busy / ResponseNotReady): a product would arm a timer for st->wait_us; the
  // footprint image sends at once.
  send_next();
}

int main() {
#ifndef PMCI_FW_SPDM_ONLY
  link.attach(hal);
  (void)link.add_target({.dynamic_address = device_address});
#endif
  anchors[0] = fw::stub_device::certificate_chain(0);  // the trusted root, from flash
  restart();
  for (;;) fw::wait_for_interrupt();
}
