// SPDX-License-Identifier: Apache-2.0
// The leaner decoder entry points the requester uses on small targets (decode_into: the caller's
// struct and a result<void>; capabilities::decode_without_algorithms) must accept and reject
// exactly what decode() does, with the same errc and the same fields. Checked on every captured
// response of those types, on every proper prefix of it, and on every one-byte corruption of it.
#include <cstddef>
#include <functional>
#include <vector>

#include "pmci/spdm/algorithms.hpp"
#include "pmci/spdm/capabilities.hpp"
#include "pmci/spdm/certificate.hpp"
#include "pmci/spdm/challenge.hpp"
#include "pmci/spdm/digests.hpp"
#include "pmci/spdm/error.hpp"
#include "pmci/spdm/measurements.hpp"
#include "pmci/spdm/version.hpp"
#include "spdm/capture_walk.hpp"
#include "pmci/core/hex.hpp"
#include "support/vectors.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {

/// The encoded bytes of a decoded message (encode() is the codec's own field-by-field view).
template <class M, class... Args>
std::vector<std::byte> encoded(const M& m, const Args&... args) {
  std::vector<std::byte> out(8192);
  writer w{out};
  const auto r = m.encode(w, args...);
  REQUIRE(r);
  return std::vector<std::byte>(w.written().begin(), w.written().end());
}

/// decode(msg) and the lean entry point agree on msg: same success, same errc, same fields.
template <class M, class Decode, class Lean, class Encode>
void agree(bytes_view msg, Decode decode, Lean lean, Encode encode) {
  const result<M> a = decode(msg);
  M b{};
  const result<void> r = lean(msg, b);
  REQUIRE(a.has_value() == r.has_value());
  if (!r) {
    CHECK(a.error() == r.error());
    return;
  }
  CHECK(encode(*a) == encode(b));
}

/// agree() on msg, every proper prefix of it, and every single-byte corruption of it.
template <class M, class Decode, class Lean, class Encode>
void agree_everywhere(bytes_view msg, Decode decode, Lean lean, Encode encode) {
  for (std::size_t n = 0; n <= msg.size(); ++n) agree<M>(msg.first(n), decode, lean, encode);
  std::vector<std::byte> bent(msg.begin(), msg.end());
  for (std::size_t i = 0; i < bent.size(); ++i) {
    for (const std::byte x : {std::byte{0x01}, std::byte{0x80}, std::byte{0xFF}}) {
      bent[i] ^= x;
      agree<M>(bent, decode, lean, encode);
      bent[i] ^= x;
    }
  }
}

}  // namespace

TEST_CASE("decode_into agrees with decode on every captured response, its prefixes and corruptions",
          "[spdm][requester][footprint]") {
  int checked = 0;
  for (const auto& capture : pmci::test::capture_names()) {
    pmci::spdm::test::walk_capture(capture, [&](const pmci::spdm::test::walked_message& w) {
      if (w.request) return;
      INFO(w.where);
      const negotiated& n = w.n;
      const response_context& ctx = w.ctx;
      switch (header::decode(w.bytes)->request_response_code) {
        case code::algorithms:
          agree_everywhere<algorithms>(
              w.bytes, [&](bytes_view m) { return algorithms::decode(m, n); },
              [&](bytes_view m, algorithms& out) { return algorithms::decode_into(m, n, out); },
              [&](const algorithms& a) { return encoded(a, n); });
          ++checked;
          break;
        case code::challenge_auth:
          agree_everywhere<challenge_auth>(
              w.bytes, [&](bytes_view m) { return challenge_auth::decode(m, n, ctx); },
              [&](bytes_view m, challenge_auth& out) { return challenge_auth::decode_into(m, n, ctx, out); },
              [&](const challenge_auth& a) { return encoded(a, n, ctx); });
          ++checked;
          break;
        case code::measurements:
          agree_everywhere<measurements>(
              w.bytes, [&](bytes_view m) { return measurements::decode(m, n, ctx); },
              [&](bytes_view m, measurements& out) { return measurements::decode_into(m, n, ctx, out); },
              [&](const measurements& a) { return encoded(a, n, ctx); });
          ++checked;
          break;
        case code::error:
          agree_everywhere<error_response>(
              w.bytes, [&](bytes_view m) { return error_response::decode(m); },
              [&](bytes_view m, error_response& out) { return error_response::decode_into(m, out); },
              [&](const error_response& a) { return encoded(a, n); });
          ++checked;
          break;
        case code::capabilities:
          // Captured CAPABILITIES never carry the 1.3 supported-algorithms block (the captured
          // requesters do not ask for it), so the lean decoder must agree with decode() here.
          agree_everywhere<capabilities>(
              w.bytes, [&](bytes_view m) { return capabilities::decode(m); },
              [&](bytes_view m, capabilities& out) {
                // A corruption may set Param1 bit 0 at 1.3: decode() then reads a block (or fails
                // inside it) where the lean decoder stops with invalid_field, its documented
                // difference; the block itself is checked in the next test case. Failures before
                // the block must still agree.
                const auto full = capabilities::decode(m);
                const auto r = capabilities::decode_without_algorithms(m, out);
                const bool block_bit = m.size() >= 3 && std::to_integer<unsigned>(m[0]) == 0x13 &&
                                       (std::to_integer<unsigned>(m[2]) & 1u) != 0;
                if (block_bit && r == errc::invalid_field) {
                  if (!full) return result<void>{full.error()};
                  CHECK(full->has_supported_algorithms);
                  out = *full;
                  return result<void>{};
                }
                return r;
              },
              [&](const capabilities& a) { return encoded(a, n); });
          ++checked;
          break;
        default:
          break;
      }
    });
  }
  CHECK(checked > 20);
}

namespace {

/// Every field of a MEASUREMENTS, as sizes and bytes (encode() would refuse a few of the
/// request contexts tried below, so the fields are compared directly).
std::vector<std::byte> fields(const measurements& m) {
  std::vector<std::byte> out{std::byte{m.total_indices}, std::byte{m.slot_id},
                             std::byte{static_cast<std::uint8_t>(m.content_changed)},
                             std::byte{static_cast<std::uint8_t>(m.record.count)}};
  for (const bytes_view v : {m.record.raw, m.nonce, m.opaque_data, m.requester_context, m.signature}) {
    out.push_back(std::byte{static_cast<std::uint8_t>(v.size())});
    out.push_back(std::byte{static_cast<std::uint8_t>(v.size() >> 8)});
    out.push_back(std::byte{static_cast<std::uint8_t>(v.size() >> 16)});
    out.insert(out.end(), v.begin(), v.end());
  }
  return out;
}

/// The requester's route() rejects, before any codec runs, a response shorter than a header or
/// with another SPDMVersion than n.ver or another code: read_checked() is only called past that
/// point. Where route() would have stopped, the lean reader is not asked; the test then takes
/// decode()'s answer for it (agree() compares nothing new there).
template <class M, class Decode, class Lean>
auto past_route(code c, const negotiated& n, Decode decode, Lean lean) {
  return [=](bytes_view m, M& out) -> result<void> {
    if (m.size() < header::size || std::to_integer<std::uint8_t>(m[0]) != to_byte(n.ver) ||
        static_cast<code>(std::to_integer<std::uint8_t>(m[1])) != c) {
      const result<M> full = decode(m);
      if (!full) return full.error();
      out = *full;
      return result<void>{};
    }
    return lean(m, out);
  };
}

}  // namespace

TEST_CASE("read_checked agrees with decode past the requester's header check",
          "[spdm][requester][footprint]") {
  int checked = 0;
  for (const auto& capture : pmci::test::capture_names()) {
    pmci::spdm::test::walk_capture(capture, [&](const pmci::spdm::test::walked_message& w) {
      if (w.request) return;
      INFO(w.where);
      const negotiated& n = w.n;
      switch (header::decode(w.bytes)->request_response_code) {
        case code::digests: {
          // The captured request's context, and (for the multi-key arrays) the other side's.
          for (const bool encap : {false, true}) {
            response_context ctx = w.ctx;
            ctx.encapsulated = encap;
            const auto decode = [&](bytes_view m) { return digests::decode(m, n, ctx); };
            agree_everywhere<digests>(
                w.bytes, decode,
                past_route<digests>(code::digests, n, decode,
                                    [&](bytes_view m, digests& out) { return digests::read_checked(m, n, ctx, out); }),
                [&](const digests& d) { return encoded(d, n, ctx); });
          }
          ++checked;
          break;
        }
        case code::challenge_auth: {
          // The captured request, and the other summary-hash types (MeasurementSummaryHash
          // present or not).
          for (const std::uint8_t summary : {w.ctx.request.param2, std::uint8_t{0}, std::uint8_t{1}, std::uint8_t{0xFF}}) {
            response_context ctx = w.ctx;
            ctx.request.param2 = summary;
            const auto decode = [&](bytes_view m) { return challenge_auth::decode(m, n, ctx); };
            agree_everywhere<challenge_auth>(
                w.bytes, decode,
                past_route<challenge_auth>(
                    code::challenge_auth, n, decode,
                    [&](bytes_view m, challenge_auth& out) { return challenge_auth::read_checked(m, n, ctx, out); }),
                [&](const challenge_auth& a) { return encoded(a, n, ctx); });
          }
          ++checked;
          break;
        }
        case code::capabilities: {
          // Held to decode_without_algorithms() (itself held to decode() above): the requester
          // never asks for the supported-algorithms block.
          const auto decode = [](bytes_view m) -> result<capabilities> {
            capabilities c;
            if (const auto r = capabilities::decode_without_algorithms(m, c); !r) return r.error();
            return c;
          };
          agree_everywhere<capabilities>(
              w.bytes, decode,
              past_route<capabilities>(code::capabilities, n, decode,
                                       [&](bytes_view m, capabilities& out) { return capabilities::read_checked(m, out); }),
              [&](const capabilities& c) { return encoded(c, n); });
          ++checked;
          break;
        }
        case code::algorithms: {
          const auto decode = [&](bytes_view m) { return algorithms::decode(m, n); };
          agree_everywhere<algorithms>(
              w.bytes, decode,
              past_route<algorithms>(code::algorithms, n, decode,
                                     [&](bytes_view m, algorithms& out) { return algorithms::read_checked(m, n, out); }),
              [&](const algorithms& a) { return encoded(a, n); });
          ++checked;
          break;
        }
        case code::version: {
          // VERSION is always 0x10 (route() expects that version for GET_VERSION).
          const negotiated v10{};
          const auto decode = [&](bytes_view m) { return version_response::decode(m); };
          agree_everywhere<version_response>(
              w.bytes, decode,
              past_route<version_response>(
                  code::version, v10, decode,
                  [&](bytes_view m, version_response& out) { return version_response::read_checked(m, out); }),
              [&](const version_response& v) { return encoded(v, v10); });
          ++checked;
          break;
        }
        case code::certificate: {
          const auto decode = [&](bytes_view m) { return certificate::decode(m, n); };
          agree_everywhere<certificate>(
              w.bytes, decode,
              past_route<certificate>(code::certificate, n, decode,
                                      [&](bytes_view m, certificate& out) { return certificate::read_checked(m, n, out); }),
              [&](const certificate& c) { return encoded(c, n); });
          ++checked;
          break;
        }
        case code::error: {
          // route() checks the length and the code of an ERROR, not its version.
          const auto decode = [&](bytes_view m) { return error_response::decode(m); };
          agree_everywhere<error_response>(
              w.bytes, decode,
              [&](bytes_view m, error_response& out) -> result<void> {
                if (m.size() < header::size || static_cast<code>(std::to_integer<std::uint8_t>(m[1])) != code::error) {
                  const auto full = decode(m);
                  if (!full) return full.error();
                  out = *full;
                  return result<void>{};
                }
                return error_response::read_checked(m, out);
              },
              [&](const error_response& e) { return encoded(e, n); });
          ++checked;
          break;
        }
        case code::measurements: {
          // The captured request, and the other operations (count, one index, all) with and
          // without a signature requested.
          const header asked = w.ctx.request;
          for (const std::uint8_t op : {asked.param2, meas_op_count, std::uint8_t{1}, meas_op_all}) {
            for (const std::uint8_t attrs : {asked.param1, std::uint8_t{0}, meas_attr_signature}) {
              response_context ctx = w.ctx;
              ctx.request.param1 = attrs;
              ctx.request.param2 = op;
              const auto decode = [&](bytes_view m) { return measurements::decode(m, n, ctx); };
              agree_everywhere<measurements>(
                  w.bytes, decode,
                  past_route<measurements>(
                      code::measurements, n, decode,
                      [&](bytes_view m, measurements& out) { return measurements::read_checked(m, n, ctx, out); }),
                  [&](const measurements& a) { return fields(a); });
            }
          }
          ++checked;
          break;
        }
        default:
          break;
      }
    });
  }
  CHECK(checked > 20);
}

TEST_CASE("error_response::read_checked agrees with decode on every kind of ERROR", "[spdm][requester][footprint]") {
  // Busy, ResponseNotReady (4 bytes of extended data), LargeResponse (a handle), a vendor error
  // with 32 bytes of extended data (the most allowed), and a 1.0 Unspecified; with their
  // prefixes and corruptions (a typed code with ErrorData, an unknown version, ...). A 33-byte
  // extended-data ERROR is in the corruptions of none of them, so it is checked on its own.
  constexpr auto busy = pmci::hex_bytes<4>("127f0300");
  constexpr auto not_ready = pmci::hex_bytes<8>("127f4200 0ce1a501");
  constexpr auto large = pmci::hex_bytes<5>("137f0f00 07");
  constexpr auto vendor = pmci::hex_bytes<36>(
      "117fff00 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  constexpr auto too_long = pmci::hex_bytes<37>(
      "117fff00 000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
  constexpr auto unspecified = pmci::hex_bytes<4>("107f0500");
  const negotiated n{};
  const auto decode = [](bytes_view m) { return error_response::decode(m); };
  const auto lean = [&](bytes_view m, error_response& out) -> result<void> {
    if (m.size() < header::size || static_cast<code>(std::to_integer<std::uint8_t>(m[1])) != code::error) {
      const auto full = decode(m);
      if (!full) return full.error();
      out = *full;
      return result<void>{};
    }
    return error_response::read_checked(m, out);
  };
  const auto encode = [&](const error_response& e) { return encoded(e, n); };
  for (const bytes_view m : {bytes_view{busy}, bytes_view{not_ready}, bytes_view{large}, bytes_view{vendor},
                             bytes_view{too_long}, bytes_view{unspecified}})
    agree_everywhere<error_response>(m, decode, lean, encode);
  error_response e;
  CHECK(error_response::read_checked(too_long, e) == errc::trailing_data);
  REQUIRE(error_response::read_checked(not_ready, e));
  CHECK(e.not_ready.rd_exponent == 0x0C);
  CHECK(e.not_ready.request_code == code::get_capabilities);
  CHECK(e.not_ready.token == 0xA5);
}

TEST_CASE("decode_without_algorithms refuses the supported-algorithms block it never asks for",
          "[spdm][requester][footprint]") {
  // 1.3 CAPABILITIES with the block (Param1 bit 0): 2 AlgStructs, one ExtAsym entry; block
  // Length = 30 + 4 + 8 = 42 (as in tests/spdm/capabilities_test.cpp).
  constexpr auto with_block = pmci::hex_bytes<62>(
      "1361010000000000f7fb9a390012000000120000"
      "02002a00 01 12 90000000 03000000 000000000000000000000000 01 00 00 01"
      "04000100"
      "02201800 03200300");
  const auto full = capabilities::decode(with_block);
  REQUIRE(full);
  REQUIRE(full->has_supported_algorithms);
  capabilities c;
  CHECK(capabilities::decode_without_algorithms(with_block, c) == errc::invalid_field);
  // Without the bit (and without the block) the same header and body decode.
  auto without = pmci::hex_bytes<20>("1361000000000000f7fb9a390012000000120000");
  capabilities d;
  REQUIRE(capabilities::decode_without_algorithms(without, d));
  CHECK(d.ver == version::v1_3);
  CHECK(d.flags == full->flags);
  CHECK(d.data_transfer_size == 0x1200);
  CHECK(!d.has_supported_algorithms);
}
