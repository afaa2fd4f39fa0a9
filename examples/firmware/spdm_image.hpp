// SPDX-License-Identifier: Apache-2.0
// What the SPDM footprint images share (issue 9; docs/footprint.md): the I3C target HAL on the
// board's fake controller, the MCTP endpoint configuration, the responder's Device (certificate
// chain, signing key, measurements, PSK from the opaque stub_device) and the SPDM configuration
// of the attestation responder (ECDSA P-384 + SHA-384, 4 KiB messages).
//
// Each item is a footprint decision:
//   - SPDM 1.0-1.3 (libspdm's reference build speaks all of them);
//   - one algorithm of each kind: SHA-384, ECDSA P-384, measurement hash SHA-384 (the issue's);
//     nothing else is compiled (the engines branch on the configuration with `if constexpr`);
//   - one certificate slot; four measurement blocks in DMTF digest form;
//   - MCTP: baseline I3C transfers (MWL = MRL = 69), two read-queue frames, one reassembly
//     context, EID from the bus owner, one route (the controller), no tag
//     allocator (a responder sends no requests; the requester image sets one tag peer).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <new>
#include <span>

#include "board.hpp"
#include "pmci/mctp/control_responder.hpp"
#include "pmci/mctp/endpoint.hpp"
#include "pmci/mctp/i3c.hpp"
#include "pmci/spdm/config.hpp"
#include "pmci/spdm/device.hpp"
#include "pmci/spdm/measurements.hpp"
#include "stub_crypto.hpp"

namespace fw::spdm_image {

namespace mctp = pmci::mctp;
namespace i3c = pmci::mctp::i3c;
namespace control = pmci::mctp::control;
namespace spdm = pmci::spdm;

/// The largest SPDM message (the 4 KiB).
inline constexpr std::uint32_t max_spdm_message = 4096;

/// The largest request the attestation responder serves: NEGOTIATE_ALGORITHMS, whose Length
/// DSP0274 bounds at 0x80 bytes from 1.1 on, 0x40 in 1.0 (spdm.md §5.1). The other requests are smaller (CHALLENGE and
/// GET_MEASUREMENTS at 1.3: 44 and 45 bytes). A longer MCTP message could only be a request
/// this configuration refuses (VENDOR_DEFINED_REQUEST is not enabled): the assembler drops it
/// and counts it (drop_reason::too_long) instead of the responder answering ERROR.
inline constexpr std::size_t max_attest_request = 128;
/// The largest request of the session responder: KEY_EXCHANGE with a P-384 public key (96 B)
/// and up to 320 B of opaque data (the secured-message version list and vendor extensions),
/// PSK_EXCHANGE with its hint and 64-byte context, FINISH with a SHA-384 HMAC.
inline constexpr std::size_t max_session_request = 4 + 2 + 1 + 1 + 32 + 96 + 2 + 320;

/// Static storage for an engine built at boot (constructed in main(), never destroyed): a
/// zero-filled .bss object instead of a constant-initialized .data one, and no destructor
/// registered with atexit (firmware never exits).
template <class T>
class engine_storage {
 public:
  template <class... A>
  void construct(A&... args) noexcept {
    p_ = new (bytes_) T{args...};
  }
  T* operator->() noexcept { return p_; }
  T& operator*() noexcept { return *p_; }
  explicit operator bool() const noexcept { return p_ != nullptr; }

 private:
  alignas(T) std::byte bytes_[sizeof(T)];
  T* p_ = nullptr;
};

inline constexpr auto base_versions = control::version_bytes(control::version_entry::make(1, 3, 3));
inline constexpr control::version_support mctp_versions[] = {{control::base_spec_type, base_versions}};
inline constexpr std::byte message_types[] = {std::byte{0x00}, std::byte{0x05}, std::byte{0x06}};  // control, SPDM, secured
inline constexpr std::byte uuid[16] = {std::byte{0x5a}, std::byte{0x1e}, std::byte{0x9e}, std::byte{0x7c},
                                       std::byte{0x00}, std::byte{0x01}, std::byte{0x40}, std::byte{0x00},
                                       std::byte{0x80}, std::byte{0x00}, std::byte{0x00}, std::byte{0x00},
                                       std::byte{0x00}, std::byte{0x00}, std::byte{0x00}, std::byte{0x02}};

/// MCTP endpoint of an SPDM device on I3C: one reassembly context of `MaxMessage` bytes (type
/// byte included).
template <std::size_t MaxMessage>
struct endpoint_config : mctp::endpoint_defaults {
  static constexpr std::size_t max_message = MaxMessage;
  static constexpr std::size_t contexts = 1;
  static constexpr std::size_t routes = 1;
  static constexpr std::size_t tag_peers = 0;  // sends no requests: no tag allocator
  static constexpr bool fixed_timeouts = true;  // the default timeouts, as constants
  static constexpr control::responder_config control_config{.static_eid = mctp::null_eid,
                                                            .uuid = uuid,
                                                            .message_types = message_types,
                                                            .versions = mctp_versions,
                                                            .vendor_sets = {}};
};

/// The HAL side of the I3C target binding, on the board's (fake) controller.
struct i3c_hal {
  [[nodiscard]] std::uint8_t dynamic_address() const noexcept { return fw::bus_address(); }
  [[nodiscard]] std::uint16_t max_write_length() const noexcept { return i3c::baseline_frame; }
  [[nodiscard]] std::uint16_t max_read_length() const noexcept { return i3c::baseline_frame; }
  pmci::result<void> load_read_data(pmci::bytes_view frame) noexcept {
    if (!fw::bus_transmit(frame)) return pmci::errc::busy;
    return pmci::ok();
  }
  pmci::result<void> raise_ibi(std::uint8_t mdb) noexcept {
    fw::bus_raise_ibi(mdb);
    return pmci::ok();
  }
};

/// The attestation responder: CERT, CHAL, signed MEAS; SHA-384 / ECDSA P-384.
struct attest_config : spdm::responder_defaults {
  static constexpr std::array hash_algs{spdm::base_hash::sha384};
  static constexpr std::array asym_algs{spdm::base_asym::ecdsa_p384};
  static constexpr std::array measurement_hash_algs{spdm::meas_hash::sha384};
  static constexpr std::uint32_t max_message_size = max_spdm_message;
};

/// The responder's Device (pmci/spdm/device.hpp): thin calls into the opaque stub_device.
struct device {
  static constexpr std::array<std::uint8_t, 4> indices{1, 2, 3, 4};
  stub_crypto::sign_key key{1};

  pmci::bytes_view cert_chain(std::uint8_t slot) const noexcept { return stub_device::certificate_chain(slot); }
  const stub_crypto::sign_key* sign_key(std::uint8_t slot) const noexcept { return slot == 0 ? &key : nullptr; }
  std::span<const std::uint8_t> measurement_indices() const noexcept { return indices; }
  pmci::result<void> write_measurement(std::uint8_t index, const spdm::measurement_request& req,
                                       pmci::writer& w) const noexcept {
    const pmci::bytes_view d = stub_device::measurement_digest(index);
    if (d.empty()) return pmci::errc::out_of_range;
    if (d.size() != req.hash_size()) return pmci::errc::unsupported;
    // Index 1: immutable ROM, 2: mutable firmware, 3: hardware config, 4: firmware config.
    return spdm::measurement_block::write_dmtf(w, index, static_cast<std::uint8_t>(index - 1), d);
  }
  pmci::bytes_view psk(pmci::bytes_view hint) const noexcept { return stub_device::psk(hint); }
};

}  // namespace fw::spdm_image
