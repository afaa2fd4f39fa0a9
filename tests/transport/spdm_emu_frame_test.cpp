// SPDX-License-Identifier: Apache-2.0
#include "pmci/transport/spdm_emu_frame.hpp"

#include <array>
#include <vector>

#include "pmci/core/hex.hpp"
#include "support/catch.hpp"
#include "support/vectors.hpp"

using namespace pmci;
using namespace pmci::transport::spdm_emu;
using pmci::test::from_hex;

namespace {

constexpr command all_commands[] = {command::normal,   command::oob_encap_key_update, command::oob_encap_endpoint_info,
                                    command::continue_, command::shutdown,             command::unknown,
                                    command::test};
constexpr transport_type all_transports[] = {transport_type::none, transport_type::mctp, transport_type::pci_doe,
                                             transport_type::tcp};

// Interop README example: GET_VERSION over MCTP and its VERSION answer.
constexpr auto get_version_frame = hex_bytes<17>("00000001 00000001 00000005 0510840000");
constexpr auto version_frame =
    hex_bytes<29>("00000001 00000001 00000011 05100400000005001000110012001300 14");

constexpr bool decodes_readme_example() {
  auto f = decode_frame(get_version_frame);
  if (!f) return false;
  if (f->header.cmd != command::normal || f->header.transport != transport_type::mctp) return false;
  if (f->header.payload_size != 5 || f->payload.size() != 5) return false;
  auto m = unwrap_view(transport_type::mctp, f->payload);
  if (!m || m->mctp_type != 0x05 || m->body.size() != 4) return false;
  auto v = decode_frame(version_frame);
  return v && v->header.payload_size == 0x11 && v->payload[0] == std::byte{0x05};
}

constexpr bool every_command_round_trips() {
  for (auto t : all_transports)
    for (auto c : all_commands) {
      std::array<std::byte, 32> buf{};
      constexpr auto payload = hex_bytes<3>("a1b2c3");
      auto enc = encode_frame(c, t, payload, buf);
      if (!enc || enc->size() != 15) return false;
      auto dec = decode_frame(*enc);
      if (!dec) return false;
      if (dec->header != frame_header{c, t, 3}) return false;
      if (!equal(dec->payload, payload)) return false;
      if (!is_known(c)) return false;
    }
  return true;
}

constexpr bool message_round_trips(transport_type t, bytes_view message) {
  std::array<std::byte, 64> frame{};
  auto enc = encode_message_frame(command::normal, t, message, frame);
  if (!enc) return false;
  auto dec = decode_frame(*enc);
  if (!dec || dec->header.transport != t) return false;
  std::array<std::byte, 64> out{};
  auto m = unwrap(t, dec->payload, out);
  if (!m) return false;
  // DOE keeps its padding: compare the prefix, and check the padding is zero.
  if (m->size() < message.size() || !equal(m->first(message.size()), message)) return false;
  for (std::size_t i = message.size(); i < m->size(); ++i)
    if ((*m)[i] != std::byte{0}) return false;
  return t == transport_type::pci_doe ? m->size() - message.size() < 4 : m->size() == message.size();
}

}  // namespace

TEST_CASE("frame header: the interop README example", "[transport][spdm_emu]") {
  static_assert(decodes_readme_example());
  CHECK(decodes_readme_example());
  // Encoding the same message gives the same bytes.
  std::array<std::byte, 32> buf{};
  constexpr auto msg = hex_bytes<5>("0510840000");
  auto enc = encode_message_frame(command::normal, transport_type::mctp, msg, buf);
  REQUIRE(enc);
  CHECK(equal(*enc, get_version_frame));
}

TEST_CASE("frame header: every command, every transport type", "[transport][spdm_emu]") {
  static_assert(every_command_round_trips());
  CHECK(every_command_round_trips());
  CHECK(std::string_view(name(command::continue_)) == "CONTINUE");
  CHECK(std::string_view(name(command::oob_encap_endpoint_info)) == "OOB_ENCAP_ENDPOINT_INFO");
  CHECK(std::string_view(name(static_cast<command>(0x1234))) == "?");
  CHECK_FALSE(is_known(static_cast<command>(0x1234)));
  CHECK(is_oob(command::oob_encap_key_update));
  CHECK_FALSE(is_oob(command::normal));
  // Values from the interop README.
  static_assert(static_cast<std::uint32_t>(command::test) == 0xDEAD);
  static_assert(static_cast<std::uint32_t>(command::continue_) == 0xFFFD);
  static_assert(static_cast<std::uint32_t>(command::oob_encap_endpoint_info) == 0x8002);
  for (auto t : all_transports) CHECK(*parse_transport_type(name(t)) == t);
  CHECK(parse_transport_type("mctp") == errc::invalid_field);
  CHECK(*parse_transport_type("PCI_DOE") == transport_type::pci_doe);
}

TEST_CASE("frame header: the TEST hello payloads", "[transport][spdm_emu]") {
  std::array<std::byte, 32> buf{};
  auto enc = encode_frame(command::test, transport_type::mctp, client_hello, buf);
  REQUIRE(enc);
  CHECK(equal(*enc, from_hex("0000dead 00000001 0000000e 436c69656e742048656c6c6f2100")));
  CHECK(equal(server_hello, from_hex("5365727665722048656c6c6f2100")));
}

TEST_CASE("frame decode: malformed frames", "[transport][spdm_emu]") {
  // Every prefix shorter than a whole frame is truncated.
  for (std::size_t n = 0; n < get_version_frame.size(); ++n)
    CHECK(decode_frame(bytes_view{get_version_frame}.first(n)) == errc::truncated);
  // One byte too many.
  auto longer = from_hex("00000001 00000001 00000005 0510840000 ff");
  CHECK(decode_frame(longer) == errc::trailing_data);
  // payload_size above the limit, whether or not the bytes are there.
  auto huge = from_hex("00000001 00000001 ffffffff");
  CHECK(decode_frame(huge) == errc::out_of_range);
  auto big = from_hex("00000001 00000001 00001281");  // 4737 > 4736
  CHECK(decode_frame(big) == errc::out_of_range);
  CHECK(decode_frame(big, 8192) == errc::truncated);
  // The limit is a parameter.
  CHECK(decode_frame(get_version_frame, 4) == errc::out_of_range);
  CHECK(decode_frame(get_version_frame, 5));
  // check(): a peer with another transport type, or an oversized payload.
  auto h = frame_header::decode(get_version_frame);
  REQUIRE(h);
  CHECK(h->check(transport_type::mctp, 4736));
  CHECK(h->check(transport_type::pci_doe, 4736) == errc::invalid_field);
  CHECK(h->check(transport_type::mctp, 4) == errc::out_of_range);
  // Unknown commands and transport types decode (the receiver decides what to do).
  auto odd = decode_frame(from_hex("12345678 00000009 00000000"));
  REQUIRE(odd);
  CHECK(odd->header.cmd == static_cast<command>(0x12345678));
  CHECK_FALSE(is_known(odd->header.transport));
  // A full output buffer.
  std::array<std::byte, 16> small{};
  CHECK(encode_message_frame(command::normal, transport_type::mctp, from_hex("0510840000"), small) ==
        errc::buffer_too_small);
}

TEST_CASE("payloads: MCTP and NONE", "[transport][spdm_emu]") {
  constexpr auto get_version = hex_bytes<5>("0510840000");
  constexpr auto secured = hex_bytes<14>("06 ffffffff 0000 0500 0102030405");
  static_assert(message_round_trips(transport_type::mctp, get_version));
  static_assert(message_round_trips(transport_type::none, get_version));
  static_assert(message_round_trips(transport_type::mctp, secured));
  CHECK(message_round_trips(transport_type::mctp, get_version));
  CHECK(message_round_trips(transport_type::none, get_version));

  std::array<std::byte, 32> out{};
  // MCTP: the payload is the message as-is (type byte included).
  auto p = wrap(transport_type::mctp, get_version, out);
  REQUIRE(p);
  CHECK(equal(*p, get_version));
  // NONE: the bare SPDM message; secured records cannot be carried.
  p = wrap(transport_type::none, get_version, out);
  REQUIRE(p);
  CHECK(equal(*p, from_hex("10840000")));
  CHECK(wrap(transport_type::none, secured, out) == errc::unsupported);
  // An MCTP message has at least its type byte.
  CHECK(wrap(transport_type::mctp, {}, out) == errc::truncated);
  CHECK(wrap(transport_type::none, from_hex("05"), out) == errc::truncated);
  CHECK(unwrap(transport_type::mctp, {}, out) == errc::truncated);
  CHECK(unwrap(transport_type::none, {}, out) == errc::truncated);
  // Unwrap writes type byte + body; too small an output buffer is reported.
  auto m = unwrap(transport_type::none, from_hex("10840000"), out);
  REQUIRE(m);
  CHECK(equal(*m, get_version));
  std::array<std::byte, 4> four{};
  CHECK(unwrap(transport_type::none, from_hex("10840000"), four) == errc::buffer_too_small);
  CHECK(unwrapped_capacity(transport_type::none, 4) == 5);
  CHECK(unwrapped_capacity(transport_type::mctp, 5) == 5);
}

TEST_CASE("payloads: PCI_DOE header and padding", "[transport][spdm_emu]") {
  constexpr auto get_version = hex_bytes<5>("0510840000");
  static_assert(message_round_trips(transport_type::pci_doe, get_version));
  std::array<std::byte, 32> out{};
  // 4-byte SPDM message: 8 + 4 = 12 bytes = 3 dwords, no padding.
  auto p = wrap(transport_type::pci_doe, get_version, out);
  REQUIRE(p);
  CHECK(equal(*p, from_hex("0100 01 00 03000000 10840000")));
  // 5-byte message: padded to 8, length 4 dwords; secured records use object type 2.
  p = wrap(transport_type::pci_doe, from_hex("06 0102030405"), out);
  REQUIRE(p);
  CHECK(equal(*p, from_hex("0100 02 00 04000000 0102030405 000000")));
  auto m = unwrap_view(transport_type::pci_doe, *p);
  REQUIRE(m);
  CHECK(m->mctp_type == 0x06);
  CHECK(m->body.size() == 8);  // padding kept: DOE does not say how much there is
  // Malformed DOE payloads.
  CHECK(unwrap_view(transport_type::pci_doe, from_hex("0100 01 00 03")) == errc::truncated);
  CHECK(unwrap_view(transport_type::pci_doe, from_hex("0200 01 00 03000000 10840000")) == errc::invalid_field);
  CHECK(unwrap_view(transport_type::pci_doe, from_hex("0100 01 00 04000000 10840000")) == errc::invalid_field);
  CHECK(unwrap_view(transport_type::pci_doe, from_hex("0100 01 00 03000000 1084000000")) == errc::invalid_field);
  CHECK(unwrap_view(transport_type::pci_doe, from_hex("0100 01 01 03000000 10840000")) == errc::reserved_nonzero);
  CHECK(unwrap_view(transport_type::pci_doe, from_hex("0100 01 00 03000400 10840000")) == errc::reserved_nonzero);
  CHECK(unwrap_view(transport_type::pci_doe, from_hex("0100 00 00 03000000 10840000")) == errc::unsupported);
  // Only SPDM and secured SPDM can be carried.
  CHECK(wrap(transport_type::pci_doe, from_hex("01 0203"), out) == errc::unsupported);
}

TEST_CASE("payloads: TCP (DSP0287 header)", "[transport][spdm_emu]") {
  constexpr auto get_version = hex_bytes<5>("0510840000");
  static_assert(message_round_trips(transport_type::tcp, get_version));
  std::array<std::byte, 32> out{};
  auto p = wrap(transport_type::tcp, get_version, out);
  REQUIRE(p);
  CHECK(equal(*p, from_hex("0600 01 05 10840000")));
  p = wrap(transport_type::tcp, from_hex("06 01020304"), out);
  REQUIRE(p);
  CHECK(equal(*p, from_hex("0600 01 06 01020304")));
  CHECK(unwrap_view(transport_type::tcp, from_hex("0600 01")) == errc::truncated);
  CHECK(unwrap_view(transport_type::tcp, from_hex("0600 02 05 10840000")) == errc::unsupported);
  CHECK(unwrap_view(transport_type::tcp, from_hex("0200 01 bf")) == errc::unsupported);  // role inquiry
  CHECK(unwrap_view(transport_type::tcp, from_hex("0700 01 05 10840000")) == errc::invalid_field);
  CHECK(unwrap(transport_type::tcp, from_hex("0600 01 05 10840000"), out));
  CHECK(unwrap_view(static_cast<transport_type>(7), from_hex("00")) == errc::unsupported);
  CHECK(wrap(static_cast<transport_type>(7), get_version, out) == errc::unsupported);
}

TEST_CASE("unwrap in place: the payload may sit inside the output buffer", "[transport][spdm_emu]") {
  // What the socket does: receive the payload into the caller's buffer, then unwrap there.
  for (auto t : all_transports) {
    CAPTURE(name(t));
    for (std::size_t len : {1u, 2u, 5u, 9u, 40u}) {
      if (t == transport_type::none && len == 1) continue;  // NONE cannot carry an empty message
      std::vector<std::byte> message(len);
      message[0] = std::byte{0x05};
      for (std::size_t i = 1; i < len; ++i) message[i] = static_cast<std::byte>(i * 7);
      std::array<std::byte, 64> payload{};
      auto p = wrap(t, message, payload);
      REQUIRE(p);
      for (std::size_t offset : {0u, 1u}) {
        std::array<std::byte, 80> buf{};
        for (std::size_t i = 0; i < p->size(); ++i) buf[offset + i] = (*p)[i];
        auto m = unwrap(t, bytes_view{buf}.subspan(offset, p->size()), buf);
        REQUIRE(m);
        CHECK(equal(m->first(len), message));
      }
    }
  }
}
