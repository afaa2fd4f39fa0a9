// SPDX-License-Identifier: Apache-2.0
// SPDM over MCTP (DSP0275, spdm.md §17): an SPDM message travels as the MCTP message
// `0x05 ‖ SPDM message` (type 0x05, IC bit 0, no padding). The engines work on bare SPDM
// messages; this adapter lets a responder sit behind anything that moves MCTP messages
// (pmci::transport::loopback, the spdm-emu socket server, an MCTP endpoint):
//
//   pmci::spdm::mctp_responder adapter{responder};
//   pmci::transport::loopback link{adapter};         // requester.connect(link) ...
//
// (The requester's blocking API adds and checks the 0x05 byte itself.)
#pragma once
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"

namespace pmci::spdm {

/// MCTP message type of SPDM (DSP0239 / DSP0275).
inline constexpr std::uint8_t mctp_message_type = 0x05;

/// Wraps anything with `handle(bytes_view spdm_request, bytes_span response) -> result<bytes_span>`
/// (a pmci::spdm::responder) into a handler of MCTP messages. A message that is not type 0x05 is
/// errc::unsupported (secured messages, type 0x06, belong to the session layer).
template <class Responder>
class mctp_responder {
 public:
  constexpr explicit mctp_responder(Responder& r) noexcept : r_(&r) {}

  result<bytes_span> handle(bytes_view mctp_message, bytes_span buffer) noexcept {
    if (mctp_message.empty()) return errc::truncated;
    if (mctp_message[0] != std::byte{mctp_message_type}) return errc::unsupported;
    if (buffer.size() < 2) return errc::buffer_too_small;
    auto rsp = r_->handle(mctp_message.subspan(1), buffer.subspan(1));
    if (!rsp) return rsp.error();
    buffer[0] = std::byte{mctp_message_type};
    return buffer.first(1 + rsp->size());
  }
  [[nodiscard]] constexpr Responder& responder() noexcept { return *r_; }

 private:
  Responder* r_;
};

}  // namespace pmci::spdm
