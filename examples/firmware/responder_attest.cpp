// SPDX-License-Identifier: Apache-2.0
// Footprint image `responder_attest` (issue 9): the attestation-only SPDM responder — VCA,
// DIGESTS, CERTIFICATE, CHALLENGE, MEASUREMENTS; ECDSA P-384 + SHA-384 — on an MCTP endpoint
// over the I3C target binding. libspdm's figure for the same responder: 17.5 KB flash, 17.0 KB
// RAM. Configuration and buffers: spdm_image.hpp, docs/footprint.md.
//
// responder_attest_spdm is this file built with PMCI_FW_SPDM_ONLY: the same responder behind
// DSP0275's SPDM-over-MCTP framing (spdm::mctp_responder: the 0x05 type byte) and the
// integrator's MCTP stack (board.hpp mctp_receive/mctp_send, not counted), which is what
// libspdm's 17.5 KB counts: libspdm ships no MCTP packetization, assembly or bus binding.
#include <array>
#include <cstddef>
#include <cstdint>

#include "board.hpp"
#include "pmci/spdm/mctp.hpp"
#include "pmci/spdm/responder.hpp"
#include "spdm_image.hpp"
#include "stub_crypto.hpp"

namespace {

using namespace fw::spdm_image;
// responder_attest_v12 is this file built with PMCI_FW_ATTEST_V12 (CMakeLists.txt): the same
// responder configured for SPDM 1.2/1.3 only, as firmware that drops 1.0/1.1 would build it. The
// responder folds its version checks and version-dependent request sizes from Config::versions,
// so that image must stay smaller; tests/spdm_engines/version_fold_test.cpp holds its behaviour
// on 1.2/1.3 traffic to the 1.0-1.3 responder's.
#ifdef PMCI_FW_ATTEST_V12
struct image_config : attest_config {
  static constexpr spdm::version_set versions{spdm::v1_2, spdm::v1_3};
};
#else
using image_config = attest_config;
#endif
using responder_t = spdm::responder<image_config, fw::stub_crypto, device>;

fw::stub_crypto crypto;
device dev;
// The engine holds references to the crypto policy and the device, so a constant-initialized
// static would be a 792-byte .data object (its initial image in flash). Built at boot instead.
engine_storage<responder_t> rsp;
#ifdef PMCI_FW_SPDM_ONLY
// One whole MCTP message in (0x05 ‖ the largest request served), one out (0x05 ‖ up to 4 KiB).
std::array<std::byte, 1 + max_attest_request> request;
std::array<std::byte, 1 + max_spdm_message> response;
#else
constinit i3c::target<i3c_hal, i3c::baseline_packet, 2> link;
i3c_hal hal;
// Requests reassemble in the endpoint, sized for the largest request this responder serves
// (max_attest_request, spdm_image.hpp); the response (up to 4 KiB: CERTIFICATE portions) is
// written into `response` and packetized from there in place, so it lives until sent.
constinit mctp::endpoint<endpoint_config<1 + max_attest_request>> ep;
std::array<std::byte, max_spdm_message> response;
#endif

}  // namespace

#ifdef PMCI_FW_SPDM_ONLY
extern "C" void fw_bus_irq() {
  const std::size_t n = fw::mctp_receive(request);
  if (n == 0 || !rsp) return;
  auto r = spdm::mctp_responder{*rsp}.handle(pmci::bytes_view(request).first(n), response);
  if (r) (void)fw::mctp_send(*r);
}

#else
extern "C" void fw_bus_irq() {
  if (fw::bus_take_read_done()) {
    link.on_read_complete();
    (void)ep.flush(link);  // the next packets of a multi-packet response
  }
  std::array<std::byte, i3c::baseline_frame> frame;
  const std::size_t n = fw::bus_receive(frame);
  if (n == 0) return;
  auto packet = link.on_private_write(pmci::bytes_view(frame).first(n));
  if (!packet) return;
  auto msg = ep.receive(link, {.from = 0, .packet = *packet}, fw::ticks_ms());
  if (!msg || !msg->tag_owner || !rsp || ep.sending() || msg->type != mctp::msg_type::spdm) return;
  auto r = rsp->handle(msg->body, response);
  if (r) (void)ep.send_response(link, *msg, msg->type, *r);
}
#endif

int main() {
  rsp.construct(crypto, dev);
#ifndef PMCI_FW_SPDM_ONLY
  link.attach(hal);
  ep.set_default_route(0);
#endif
  for (;;) fw::wait_for_interrupt();
}
