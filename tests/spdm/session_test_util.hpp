// SPDX-License-Identifier: Apache-2.0
// Helpers for the session-family codec tests: a compile-time round trip, the "every prefix is
// truncated" sweep, and the negotiated parameters of a captured connection, derived from its
// CAPABILITIES / ALGORITHMS bytes with small explicit code (independent of the negotiation
// codecs, so these tests check the captures rather than pmci against itself).
#pragma once
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "pmci/core/bytes.hpp"
#include "pmci/core/hex.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

namespace pmci::spdm::codec_test {

/// A response_context answering a KEY_EXCHANGE (or PSK_EXCHANGE) with this Param1.
constexpr response_context asked(std::uint8_t param1, code c = code::key_exchange) {
  return response_context{header{0x10, c, param1, 0}};
}

/// decode -> encode reproduces the input exactly (usable in static_assert).
template <class T, std::size_t Cap = 4096, class... Ctx>
constexpr bool roundtrip(bytes_view in, const negotiated& n, const Ctx&... ctx) {
  auto d = T::decode(in, n, ctx...);
  if (!d) return false;
  std::array<std::byte, Cap> buf{};
  writer w{buf};
  if (!d->encode(w, n, ctx...)) return false;
  return equal(w.written(), in);
}

/// The decode error of `in`, or pmci::errc{} (0) on success.
template <class T, class... Ctx>
constexpr errc error_of(bytes_view in, const negotiated& n, Ctx... ctx) {
  auto d = T::decode(in, n, ctx...);
  return d ? errc{} : d.error();
}

/// Every strict prefix of a valid message fails with errc::truncated.
template <class T, class... Ctx>
void check_prefixes_truncated(bytes_view in, const negotiated& n, Ctx... ctx) {
  for (std::size_t i = 0; i < in.size(); ++i) {
    INFO("prefix length " << i);
    CHECK(error_of<T>(in.first(i), n, ctx...) == errc::truncated);
  }
}

/// The same message with one more byte fails with errc::trailing_data.
template <class T, class... Ctx>
void check_trailing(bytes_view in, const negotiated& n, Ctx... ctx) {
  std::vector<std::byte> longer(in.begin(), in.end());
  longer.push_back(std::byte{0});
  CHECK(error_of<T>(longer, n, ctx...) == errc::trailing_data);
}

/// A copy of `in` with byte i replaced.
inline std::vector<std::byte> patched(bytes_view in, std::size_t i, std::uint8_t v) {
  std::vector<std::byte> out(in.begin(), in.end());
  out.at(i) = std::byte{v};
  return out;
}

/// SPDM messages (type byte 0x05 stripped) of a capture, with their index and direction.
struct spdm_message {
  int index = 0;
  bool request = false;
  std::vector<std::byte> bytes;
  [[nodiscard]] std::uint8_t code_byte() const { return std::to_integer<std::uint8_t>(bytes.at(1)); }
};
inline std::vector<spdm_message> plaintext_spdm(const std::string& capture) {
  std::vector<spdm_message> out;
  for (auto& m : pmci::test::load_messages(capture))
    if (!m.bytes.empty() && m.bytes[0] == std::byte{0x05})
      out.push_back({m.index, m.request, std::vector<std::byte>(m.bytes.begin() + 1, m.bytes.end())});
  return out;
}

/// Negotiated parameters of a captured connection, read straight from its GET_CAPABILITIES,
/// CAPABILITIES and ALGORITHMS bytes (spdm.md §4, §5.2, §5.4).
inline negotiated negotiated_from(const std::vector<spdm_message>& msgs) {
  auto u8 = [](const std::vector<std::byte>& b, std::size_t o) { return std::to_integer<std::uint32_t>(b.at(o)); };
  auto u16 = [&](const std::vector<std::byte>& b, std::size_t o) { return u8(b, o) | u8(b, o + 1) << 8; };
  auto u32 = [&](const std::vector<std::byte>& b, std::size_t o) { return u16(b, o) | u16(b, o + 2) << 16; };
  negotiated n;
  for (auto& m : msgs) {
    const auto& b = m.bytes;
    switch (m.code_byte()) {
      case 0xE1:  // GET_CAPABILITIES: the first request after VERSION carries the version
        n.ver = static_cast<version>(u8(b, 0));
        if (b.size() >= 12) n.req_caps = static_cast<req_cap>(u32(b, 8));
        break;
      case 0x61:
        n.rsp_caps = static_cast<rsp_cap>(u32(b, 8));
        break;
      case 0x63: {
        n.other_params = static_cast<std::uint8_t>(u8(b, 7));
        n.measurement_hash = static_cast<meas_hash>(u32(b, 8));
        n.asym = static_cast<base_asym>(u32(b, 12));
        n.hash = static_cast<base_hash>(u32(b, 16));
        std::size_t o = 36 + 4 * (u8(b, 32) + u8(b, 33));
        for (std::uint32_t i = 0; i < u8(b, 2); ++i) {
          const auto type = u8(b, o), sel = u16(b, o + 2);
          if (type == 2) n.dhe = static_cast<dhe_group>(sel);
          if (type == 3) n.aead = static_cast<aead_suite>(sel);
          if (type == 4) n.req_asym = static_cast<base_asym>(sel);
          o += 2 + (u8(b, o + 1) >> 4) + 4 * (u8(b, o + 1) & 0xF);
        }
        break;
      }
      default:
        break;
    }
  }
  return n;
}

/// Captures whose connection reaches a session (all but the 1.0 one).
inline const std::vector<std::string>& session_captures() {
  static const std::vector<std::string> names = {
      "spdm11_p256_sha256_aes256gcm", "spdm12_p384_sha384_chacha20", "spdm13_p384_sha384_aes256gcm",
      "spdm12_psk_sha256_aes256gcm", "spdm12_p384_sha384_aes256gcm_mutauth"};
  return names;
}

}  // namespace pmci::spdm::codec_test

namespace pmci::spdm::codec_test {

/// For every plaintext message with `code` in the session captures: decode + re-encode gives
/// the same bytes, and (when `exact_prefixes`) every prefix is truncated and one extra byte is
/// trailing data. Returns how many messages were checked.
template <class T>
int check_captured(std::uint8_t code, bool exact_prefixes = true) {
  int count = 0;
  for (const auto& name : session_captures()) {
    const auto msgs = plaintext_spdm(name);
    const negotiated n = negotiated_from(msgs);
    for (const auto& m : msgs) {
      if (m.code_byte() != code) continue;
      INFO(name << " message " << m.index);
      CHECK(roundtrip<T>(m.bytes, n));
      if (exact_prefixes) {
        check_prefixes_truncated<T>(m.bytes, n);
        check_trailing<T>(m.bytes, n);
      }
      ++count;
    }
  }
  return count;
}

}  // namespace pmci::spdm::codec_test
