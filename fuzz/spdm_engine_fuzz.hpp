// SPDX-License-Identifier: Apache-2.0
// Shared pieces of the SPDM engine fuzzers (spdm_responder_fuzz.cpp, spdm_requester_fuzz.cpp):
// the cheap deterministic test crypto policy (tests/spdm_engines/test_crypto.hpp: software SHA-2,
// fake signatures, no allocation), a tiny DER "chain", configurations, and an input reader.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "pmci/spdm/config.hpp"
#include "pmci/spdm/requester.hpp"
#include "pmci/spdm/responder.hpp"
#include "spdm_engines/test_crypto.hpp"
#include "spdm_engines/test_device.hpp"

namespace pmci::fuzz {

/// Three minimal DER SEQUENCEs (root, intermediate, leaf): enough for the engines, which only
/// delimit certificates; the test policy anchors on the root and keys on the leaf.
inline constexpr std::array<std::byte, 15> chain{
    std::byte{0x30}, std::byte{0x03}, std::byte{0x02}, std::byte{0x01}, std::byte{0x01},
    std::byte{0x30}, std::byte{0x03}, std::byte{0x02}, std::byte{0x01}, std::byte{0x02},
    std::byte{0x30}, std::byte{0x03}, std::byte{0x02}, std::byte{0x01}, std::byte{0x03}};
inline constexpr bytes_view root = bytes_view{chain}.first(5);
inline constexpr bytes_view leaf = bytes_view{chain}.last(5);

struct rsp_config : spdm::responder_defaults {
  static constexpr spdm::rsp_cap capabilities =
      spdm::rsp_cap::cert | spdm::rsp_cap::chal | spdm::rsp_cap::meas_sig | spdm::rsp_cap::meas_fresh;
  static constexpr std::size_t slot_count = 2;
  static constexpr std::uint32_t max_message_size = 1024;
  static constexpr std::uint8_t rdt_exponent = 4;
};
struct req_config : spdm::requester_defaults {
  static constexpr std::size_t slot_count = 2;
  static constexpr std::uint32_t max_message_size = 1024;
  static constexpr std::size_t max_cert_chain_size = 512;
};

using crypto_t = test::test_crypto;
using device_t = test::async_device<crypto_t>;
using responder_t = spdm::responder<rsp_config, crypto_t, device_t>;
using requester_t = spdm::requester<req_config, crypto_t>;

/// A device with both slots provisioned, five measurements and a signer that may be slow.
inline void provision(device_t& d, crypto_t& c, unsigned delay) {
  d.crypto = &c;
  d.delay = delay;
  for (std::uint8_t s = 0; s < 2; ++s) {
    d.chains[s] = chain;
    d.keys[s] = crypto_t::key_for(leaf);
    d.has_key[s] = true;
  }
  std::vector<test::test_block> blocks;
  for (std::uint8_t i = 1; i <= 4; ++i) {
    test::test_block b;
    b.index = i;
    b.value_type = static_cast<std::uint8_t>(i - 1);
    b.digest.assign(48, std::byte{i});
    b.raw = {std::byte{i}, std::byte{i}};
    b.tcb = i < 3;
    blocks.push_back(b);
  }
  d.set_blocks(blocks);
}

/// Reads length-prefixed chunks: one length byte (0xFF: two more bytes, little-endian), then
/// that many bytes (fewer at the end of the input).
class chunks {
 public:
  explicit chunks(bytes_view in) : in_(in) {}
  [[nodiscard]] bool empty() const { return in_.empty(); }
  std::uint8_t byte() {
    if (in_.empty()) return 0;
    const auto b = std::to_integer<std::uint8_t>(in_[0]);
    in_ = in_.subspan(1);
    return b;
  }
  bytes_view next() {
    std::size_t n = byte();
    if (n == 0xFF) n = byte() | (std::size_t{byte()} << 8);
    n = n < in_.size() ? n : in_.size();
    const bytes_view c = in_.first(n);
    in_ = in_.subspan(n);
    return c;
  }

 private:
  bytes_view in_;
};

[[noreturn]] inline void fail() { __builtin_trap(); }

}  // namespace pmci::fuzz
