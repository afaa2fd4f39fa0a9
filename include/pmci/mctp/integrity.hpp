// SPDX-License-Identifier: Apache-2.0
// Message integrity check (MIC) helpers for MCTP messages sent with the IC bit set.
//
// DSP0236 leaves the check's format to each message type (mctp.md §2): the IC bit in the type
// byte says "a type-specific integrity check ends this message". The assembler reports the bit
// (message::ic) and never interprets the check. SPDM over MCTP (DSP0275) sends IC = 0, and
// MCTP control messages carry none.
//
// The one format pmci implements is NVMe-MI's (message type 0x04, type byte 0x84): a CRC-32C
// (Castagnoli, reflected, init and final XOR 0xFFFFFFFF) over the whole message starting at the
// type byte, appended as 4 bytes little-endian. This matches libnvme's nvme_mi_calc_req_mic /
// nvme_mi_verify_resp_mic (linux-nvme, src/nvme/mi.c, mi-mctp.c: `le32_to_cpu(mic)`). Other
// message types that adopt the same trailer can use these helpers as well.
//
//          +-----------+------------------------------+-------------------------+
//          | 0x80|type |  message body ...            | CRC-32C (LE, 4 bytes)   |
//          +-----------+------------------------------+-------------------------+
//          \______________ covered by the CRC ________/
#pragma once
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/crc.hpp"
#include "pmci/core/endian.hpp"
#include "pmci/core/result.hpp"
#include "pmci/mctp/packet.hpp"

namespace pmci::mctp {

inline constexpr std::size_t crc32c_mic_size = 4;

/// The CRC-32C MIC of `message` (type byte first, MIC not included).
constexpr std::uint32_t crc32c_mic(bytes_view message) noexcept { return crc32c(message); }

/// Append the MIC over everything written to `w` so far (which must be the whole message,
/// starting at its type byte). errc::invalid_field when nothing was written or the type byte's
/// IC bit is clear (the receiver would not look for a MIC); errc::buffer_too_small.
constexpr result<void> append_crc32c_mic(writer& w) noexcept {
  const bytes_span msg = w.written();
  if (msg.empty() || (std::to_integer<std::uint8_t>(msg[0]) & message_header::ic_bit) == 0) w.fail(errc::invalid_field);
  if (!w.ok()) return w.error();
  w.u32le(crc32c_mic(as_view(msg)));
  return w.ok() ? result<void>{} : result<void>{w.error()};
}

/// Check the MIC at the end of `message` (type byte first) and return the message without it.
/// errc::invalid_field when the IC bit is clear; errc::truncated when there is no room for a
/// type byte and a MIC; errc::integrity_error when the CRC does not match.
constexpr result<bytes_view> verify_crc32c_mic(bytes_view message) noexcept {
  if (message.empty()) return errc::truncated;
  if ((std::to_integer<std::uint8_t>(message[0]) & message_header::ic_bit) == 0) return errc::invalid_field;
  if (message.size() < 1 + crc32c_mic_size) return errc::truncated;
  const bytes_view covered = message.first(message.size() - crc32c_mic_size);
  if (load_u32le(message.last(crc32c_mic_size)) != crc32c_mic(covered)) return errc::integrity_error;
  return covered;
}

}  // namespace pmci::mctp
