// SPDX-License-Identifier: Apache-2.0
// A configurable Device for the responder tests (pmci/spdm/device.hpp): certificate chains per
// slot, one signing key per slot, DMTF measurement blocks, optional asynchronous signing and a
// vendor-defined echo. Test helper; uses the standard library freely.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "pmci/core/bytes.hpp"
#include "pmci/spdm/device.hpp"
#include "pmci/spdm/measurements.hpp"

namespace pmci::test {

struct test_block {
  std::uint8_t index = 1;
  std::uint8_t value_type = 0;        // DMTFSpecMeasurementValueType (bit 7 = raw)
  std::vector<std::byte> digest;      // digest form (must be the negotiated measurement hash size)
  std::vector<std::byte> raw;         // raw form, if any
  bool tcb = true;
  std::vector<std::byte> verbatim;    // if non-empty: the whole block as captured, written as is
};

template <class Crypto>
struct basic_device {
  std::array<bytes_view, 8> chains{};
  std::array<typename Crypto::sign_key, 8> keys{};
  std::array<bool, 8> has_key{};
  std::vector<test_block> blocks;
  std::vector<std::uint8_t> indices;
  spdm::content_change changed = spdm::content_change::not_supported;
  std::vector<std::byte> opaque;      // written into CHALLENGE_AUTH / MEASUREMENTS
  std::array<spdm::slot_info, 8> infos{};
  std::uint8_t supported_mask = 0;    // 0 = default
  std::size_t measurement_writes = 0;

  bytes_view cert_chain(std::uint8_t slot) const { return slot < 8 ? chains[slot] : bytes_view{}; }
  const typename Crypto::sign_key* sign_key(std::uint8_t slot) const {
    return slot < 8 && has_key[slot] ? &keys[slot] : nullptr;
  }
  void set_blocks(std::vector<test_block> b) {
    blocks = std::move(b);
    indices.clear();
    for (const auto& x : blocks) indices.push_back(x.index);
  }
  std::span<const std::uint8_t> measurement_indices() const { return indices; }
  result<void> write_measurement(std::uint8_t index, const spdm::measurement_request& req, writer& w) {
    ++measurement_writes;
    for (const auto& b : blocks) {
      if (b.index != index) continue;
      if (!b.verbatim.empty()) {
        w.bytes(b.verbatim);
        return w.status();
      }
      if (req.raw_bit_stream_requested && !b.raw.empty())
        return spdm::measurement_block::write_dmtf(w, index, static_cast<std::uint8_t>(b.value_type | 0x80), b.raw);
      return spdm::measurement_block::write_dmtf(w, index, b.value_type, b.digest);
    }
    return errc::out_of_range;
  }
  bool measurement_in_tcb(std::uint8_t index) const {
    for (const auto& b : blocks)
      if (b.index == index) return b.tcb;
    return false;
  }
  spdm::content_change measurements_changed() const { return changed; }
  result<void> write_opaque_data(spdm::code, writer& w) {
    w.bytes(opaque);
    return w.status();
  }
  spdm::slot_info slot_information(std::uint8_t slot) const { return infos[slot & 7]; }
  std::uint8_t supported_slot_mask() const {
    if (supported_mask != 0) return supported_mask;
    std::uint8_t m = 0;
    for (std::uint8_t s = 0; s < 8; ++s)
      if (!chains[s].empty()) m = static_cast<std::uint8_t>(m | (1u << s));
    return m;
  }
  /// Vendor-defined: echo the payload reversed; payload "unsupported" -> errc::unsupported.
  result<void> vendor_defined(const spdm::vendor_defined_request& r, writer& w) {
    if (r.payload.size() == 1 && r.payload[0] == std::byte{0xEE}) return errc::unsupported;
    for (std::size_t i = r.payload.size(); i-- > 0;) w.u8(std::to_integer<std::uint8_t>(r.payload[i]));
    return w.status();
  }
};

/// A device whose signing is asynchronous: sign() returns errc::not_ready `delay` times for each
/// new request before producing the signature (with the crypto policy and the slot's key).
template <class Crypto>
struct async_device : basic_device<Crypto> {
  Crypto* crypto = nullptr;
  unsigned delay = 1;
  unsigned calls_left = 0;
  bool busy = false;  // answer errc::busy instead
  std::array<std::byte, 64> last_th{};  // fixed storage: the device itself allocates nothing
  std::size_t last_th_size = 0;
  std::size_t sign_calls = 0;

  result<void> sign(std::uint8_t slot, const spdm::signing_request& req, bytes_span out) {
    ++sign_calls;
    if (busy) return errc::busy;
    const bytes_view th = req.content.transcript_hash;
    if (!equal(th, bytes_view{last_th}.first(last_th_size))) {
      std::copy(th.begin(), th.end(), last_th.begin());
      last_th_size = th.size();
      calls_left = delay;
    }
    if (calls_left > 0) {
      --calls_left;
      return errc::not_ready;
    }
    last_th_size = 0;
    const auto* k = this->sign_key(slot);
    if (k == nullptr) return errc::invalid_state;
    return spdm::sign(*crypto, *k, req, out);
  }
};

}  // namespace pmci::test
