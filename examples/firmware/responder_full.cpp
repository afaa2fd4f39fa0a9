// SPDX-License-Identifier: Apache-2.0
// Footprint image `responder_full` (issue 9): the attestation responder of `responder_attest`
// plus the session layer — KEY_EXCHANGE / FINISH, PSK_EXCHANGE / PSK_FINISH, HEARTBEAT,
// KEY_UPDATE, END_SESSION, secured messages (DSP0277: AES-256-GCM, ECDHE secp384r1) — with one
// session, on an MCTP endpoint over the I3C target binding. libspdm's figure for the same
// responder: 53.9 KB flash, 43.8 KB RAM. Configuration: spdm_image.hpp, docs/footprint.md.
//
// responder_full_spdm is this file built with PMCI_FW_SPDM_ONLY: the same engines on whole MCTP
// messages from the integrator's MCTP stack (board.hpp mctp_receive/mctp_send, not counted), as
// libspdm's figure counts them (libspdm ships no MCTP packetization, assembly or bus binding).
#include <array>
#include <cstddef>
#include <cstdint>

#include "board.hpp"
#include "pmci/spdm/responder.hpp"
#include "pmci/spdm/session/responder_session.hpp"
#include "spdm_image.hpp"
#include "stub_crypto.hpp"

namespace {

using namespace fw::spdm_image;

struct full_config : attest_config {
  static constexpr spdm::rsp_cap capabilities = spdm::rsp_cap::cert | spdm::rsp_cap::chal | spdm::rsp_cap::meas_sig |
                                                spdm::rsp_cap::encrypt | spdm::rsp_cap::mac | spdm::rsp_cap::key_ex |
                                                spdm::rsp_cap::psk | spdm::rsp_cap::hbeat | spdm::rsp_cap::key_upd;
  static constexpr std::array dhe_groups{spdm::dhe_group::secp384r1};
  static constexpr std::array aead_suites{spdm::aead_suite::aes_256_gcm};
  static constexpr std::array key_schedules{spdm::key_schedule::spdm};
  static constexpr bool session_layer = true;
};
struct session_config : spdm::session_defaults {
  static constexpr std::size_t max_sessions = 1;
  static constexpr std::size_t max_hash = 48;     // SHA-384 only
  static constexpr std::uint8_t heartbeat_period = 10;
};

using responder_t = spdm::responder<full_config, fw::stub_crypto, device>;
using session_t = spdm::session_responder<responder_t, fw::stub_crypto, device, session_config>;

fw::stub_crypto crypto;
device dev;
// Both built at boot into .bss (engine_storage, spdm_image.hpp): constant-initialized, the
// engine would be a .data object; the session table has a destructor (it wipes its keys).
engine_storage<responder_t> rsp;
engine_storage<session_t> sessions;
// Requests are up to a secured record (type 0x06, SessionID, SequenceNumber, Length,
// ApplicationDataLength, the inner 0x05 ‖ request, up to 32 bytes of RandomData, the 16-byte
// tag) around max_session_request; responses up to a 4 KiB SPDM message in such a record.
constexpr std::size_t record_overhead = 1 + 4 + 2 + 2 + 1 + 32 + 16;  // 8-byte sequence number: none on MCTP
#ifdef PMCI_FW_SPDM_ONLY
// One whole MCTP message in, decrypted in place by the session layer; one out.
std::array<std::byte, record_overhead + max_session_request> request;
std::array<std::byte, record_overhead + max_spdm_message> response;
#else
constinit i3c::target<i3c_hal, i3c::baseline_packet, 2> link;
i3c_hal hal;
// Requests reassemble in the endpoint, sized for the largest secured request; the response is
// written into `response` and packetized from there in place, so it lives until sent.
constinit mctp::endpoint<endpoint_config<record_overhead + max_session_request>> ep;
std::array<std::byte, record_overhead + max_spdm_message> response;
#endif

}  // namespace

#ifdef PMCI_FW_SPDM_ONLY
extern "C" void fw_bus_irq() {
  const std::size_t n = fw::mctp_receive(request);
  if (n == 0 || !sessions) return;
  auto r = sessions->handle(pmci::bytes_span(request).first(n), response, fw::ticks_ms());
  if (r) (void)fw::mctp_send(*r);
}

#else
extern "C" void fw_bus_irq() {
  if (fw::bus_take_read_done()) {
    link.on_read_complete();
    (void)ep.flush(link);
  }
  std::array<std::byte, i3c::baseline_frame> frame;
  const std::size_t n = fw::bus_receive(frame);
  if (n == 0) return;
  auto packet = link.on_private_write(pmci::bytes_view(frame).first(n));
  if (!packet) return;
  auto msg = ep.receive(link, {.from = 0, .packet = *packet}, fw::ticks_ms());
  if (!msg || !msg->tag_owner || ep.sending() || !sessions) return;
  // The session layer decrypts a secured record in place: the message lives in the endpoint's
  // reassembly buffer (mutable storage of `ep`), consumed by this call.
  const pmci::bytes_span m{const_cast<std::byte*>(msg->data.data()), msg->data.size()};
  auto r = sessions->handle(m, response, fw::ticks_ms());
  if (r && r->size() >= 1)
    (void)ep.send_response(link, *msg, static_cast<mctp::msg_type>((*r)[0]), r->subspan(1));
}
#endif

int main() {
  rsp.construct(crypto, dev);
  sessions.construct(*rsp, crypto, dev);
#ifndef PMCI_FW_SPDM_ONLY
  link.attach(hal);
  ep.set_default_route(0);
#endif
  for (;;) fw::wait_for_interrupt();
}
