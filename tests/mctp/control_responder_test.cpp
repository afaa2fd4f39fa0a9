// SPDX-License-Identifier: Apache-2.0
#include "pmci/mctp/control_responder.hpp"

#include <array>
#include <cstddef>
#include <span>
#include <string_view>

#include "pmci/core/hex.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::mctp;
using namespace pmci::mctp::control;

namespace {

using buf_t = std::array<std::byte, 64>;

constexpr auto base_versions = version_bytes(version_entry::make(1, 0), version_entry::make(1, 3, 3));
constexpr auto ctrl_versions = version_bytes(version_entry::make(1, 3, 3));
constexpr auto spdm_versions = version_bytes(version_entry::make(1, 0, 2));
constexpr version_support versions[] = {
    {base_spec_type, base_versions}, {0x00, ctrl_versions}, {0x05, spdm_versions}};
constexpr auto types = hex_bytes<2>("00 05");
constexpr auto my_uuid = hex_bytes<16>("00112233445566778899aabbccddeeff");
constexpr vendor_message_set vendors[] = {{vendor_id_format::iana, 0x0000A67F, 0x0001},
                                          {vendor_id_format::pci, 0x8086, 0x0002}};

constexpr responder_config static_cfg{0x1D, endpoint_kind::simple, 0x00, my_uuid, types, versions, vendors};
constexpr responder_config dynamic_cfg{null_eid, endpoint_kind::simple, 0x42, {}, types, versions, {}};

// Feed a request (hex, whole message) and compare the response (hex; "" = no response).
constexpr bool exchange(responder& r, std::string_view req_hex, std::string_view rsp_hex) {
  buf_t req{}, out{}, want{};
  const auto n = parse_hex(req_hex, req);
  const auto m = parse_hex(rsp_hex, want);
  if (!n || !m) return false;
  auto res = r.handle(bytes_view(req).first(*n), out);
  if (!res) return false;
  if (*m == 0) return !res->has_value();
  return res->has_value() && equal(**res, bytes_view(want).first(*m));
}

constexpr errc handle_error(std::string_view req_hex, std::size_t room = 64) {
  responder r(static_cfg);
  buf_t req{}, out{};
  const auto n = parse_hex(req_hex, req);
  auto res = r.handle(bytes_view(req).first(*n), bytes_span(out).first(room));
  return res ? errc{} : res.error();
}

constexpr bool static_endpoint_story() {
  responder r(static_cfg);
  return r.current_eid() == 0x1D && r.current_eid_type() == eid_type::static_current &&
         // Get EID: static EID, current equals static (EID type 10b).
         exchange(r, "00 81 02", "00 01 02 00 1d 02 00") &&
         // Bus owner assigns 0x0A (vectors.md §5 bytes): accepted, no pool.
         exchange(r, "00 80 01 00 0a", "00 00 01 00 00 0a 00") && r.current_eid() == 0x0A &&
         r.assigned_by_bus_owner() && r.discovered() &&
         // Now current differs from static (11b).
         exchange(r, "00 82 02", "00 02 02 00 0a 03 00") &&
         // Force 0x30.
         exchange(r, "00 83 01 01 30", "00 03 01 00 00 30 00") && r.current_eid() == 0x30 &&
         // Reset back to the static EID (EID byte ignored).
         exchange(r, "00 84 01 02 00", "00 04 01 00 00 1d 00") && r.current_eid() == 0x1D && !r.assigned_by_bus_owner() &&
         exchange(r, "00 85 02", "00 05 02 00 1d 02 00") &&
         // The bus owner assigns the static EID itself: the state stores assigned XOR static =
         // 0, which must still read as assigned 0x1D (and Reset as the static EID again).
         exchange(r, "00 86 01 00 1d", "00 06 01 00 00 1d 00") && r.current_eid() == 0x1D &&
         r.assigned_by_bus_owner() && exchange(r, "00 87 02", "00 07 02 00 1d 02 00") &&
         exchange(r, "00 88 01 01 1e", "00 08 01 00 00 1e 00") && r.current_eid() == 0x1E &&
         exchange(r, "00 89 02", "00 09 02 00 1e 03 00") &&
         exchange(r, "00 8a 01 02 00", "00 0a 01 00 00 1d 00") && r.current_eid() == 0x1D &&
         !r.assigned_by_bus_owner();
}

constexpr bool dynamic_endpoint_story() {
  responder r(dynamic_cfg);
  return !r.has_eid() && !r.discovered() &&
         // Before assignment: null EID, dynamic (00b), medium-specific byte from config.
         exchange(r, "00 81 02", "00 01 02 00 00 00 42") &&
         // Reset has nothing to go back to.
         exchange(r, "00 82 01 02 00", "00 02 01 02") &&
         // Set Discovered Flag: flag set, "rejected" (no EID assigned), current EID.
         exchange(r, "00 83 01 03 00", "00 03 01 00 10 00 00") && r.discovered() && !r.has_eid() &&
         // Invalid EIDs: null, reserved, broadcast.
         exchange(r, "00 84 01 00 00", "00 04 01 02") && exchange(r, "00 84 01 00 07", "00 04 01 02") &&
         exchange(r, "00 84 01 01 ff", "00 04 01 02") && !r.has_eid() &&
         // Assignment.
         exchange(r, "00 85 01 00 08", "00 05 01 00 00 08 00") && r.current_eid() == 0x08 &&
         exchange(r, "00 86 02", "00 06 02 00 08 00 42") &&
         // No UUID configured: Get Endpoint UUID unsupported; no vendor sets: invalid data.
         exchange(r, "00 87 03", "00 07 03 05") && exchange(r, "00 88 06 00", "00 08 06 02");
}

}  // namespace

TEST_CASE("responder: static EID endpoint, bus owner overrides and resets", "[mctp][control_responder]") {
  static_assert(static_endpoint_story());
  CHECK(static_endpoint_story());
}

TEST_CASE("responder: bus-owner-assigned (dynamic) EID endpoint", "[mctp][control_responder]") {
  static_assert(dynamic_endpoint_story());
  CHECK(dynamic_endpoint_story());
}

TEST_CASE("responder: UUID, versions, message types, vendor sets", "[mctp][control_responder]") {
  constexpr auto check = [] {
    responder r(static_cfg);
    return exchange(r, "00 81 03", "00 01 03 00 00112233445566778899aabbccddeeff") &&
           exchange(r, "00 82 04 ff", "00 02 04 00 02 F1F0FF00 F1F3F300") &&
           exchange(r, "00 83 04 00", "00 03 04 00 01 F1F3F300") &&
           exchange(r, "00 84 04 05", "00 04 04 00 01 F1F0F200") &&
           exchange(r, "00 85 04 01", "00 05 04 80") &&  // PLDM not supported: CC 0x80
           exchange(r, "00 86 05", "00 06 05 00 02 00 05") &&
           exchange(r, "00 87 06 00", "00 07 06 00 01 01 00 00 A6 7F 00 01") &&
           exchange(r, "00 88 06 01", "00 08 06 00 FF 00 80 86 00 02") &&
           exchange(r, "00 89 06 02", "00 09 06 02");
  };
  static_assert(check());
  CHECK(check());
}

TEST_CASE("responder: other commands, bad lengths, responses and datagrams", "[mctp][control_responder]") {
  constexpr auto check = [] {
    responder r(static_cfg);
    return
        // Unsupported commands, incl. reserved 0x00 and a binding-specific one.
        exchange(r, "00 81 07 30", "00 01 07 05") && exchange(r, "00 82 0b", "00 02 0b 05") &&
        exchange(r, "00 83 00", "00 03 00 05") && exchange(r, "00 84 f0 01", "00 04 f0 05") &&
        exchange(r, "00 85 14", "00 05 14 05") &&
        // Wrong lengths -> ERROR_INVALID_LENGTH.
        exchange(r, "00 86 01 00", "00 06 01 03") && exchange(r, "00 86 01 00 0a 00", "00 06 01 03") &&
        exchange(r, "00 87 02 00", "00 07 02 03") && exchange(r, "00 88 03 00", "00 08 03 03") &&
        exchange(r, "00 89 04", "00 09 04 03") && exchange(r, "00 8a 05 01", "00 0a 05 03") &&
        exchange(r, "00 8b 06", "00 0b 06 03") &&
        // Responses (Rq=0) and datagrams (D=1) get no response, and change nothing.
        exchange(r, "00 00 02 00 08 00 00", "") && exchange(r, "00 c1 01 00 0a", "") && r.current_eid() == 0x1D &&
        exchange(r, "00 40 02", "");
  };
  static_assert(check());
  CHECK(check());
}

TEST_CASE("responder: inputs it cannot answer are errors", "[mctp][control_responder]") {
  static_assert(handle_error("00 81") == errc::truncated);
  static_assert(handle_error("") == errc::truncated);
  static_assert(handle_error("05 81 02") == errc::invalid_field);
  static_assert(handle_error("80 81 02") == errc::invalid_field);
  static_assert(handle_error("00 81 03", 19) == errc::buffer_too_small);
  static_assert(handle_error("00 81 03", 20) == errc{});
  CHECK(handle_error("00 81 03", 19) == errc::buffer_too_small);
  CHECK(handle_error("00 81") == errc::truncated);
  // The instance ID is echoed; the response is always Rq=0, D=0.
  responder r(static_cfg);
  buf_t out{};
  constexpr auto req = hex_bytes<3>("00 9f 02");
  auto res = r.handle(req, out);
  REQUIRE(res);
  REQUIRE(res->has_value());
  auto h = control_header::decode(**res);
  REQUIRE(h);
  CHECK(h->instance_id == 31);
  CHECK_FALSE(h->request);
  CHECK_FALSE(h->datagram);
}

TEST_CASE("responder: configured with designated initializers (docs/mctp.md)", "[mctp][control_responder]") {
  static constexpr auto base = version_bytes(version_entry::make(1, 3, 3));
  static constexpr version_support vs[] = {{base_spec_type, base}};
  static constexpr std::byte ts[] = {std::byte{0x00}, std::byte{0x05}};
  control_responder ctrl({.static_eid = 0x1D, .uuid = my_uuid, .message_types = ts, .versions = vs});
  CHECK(exchange(ctrl, "00 81 02", "00 01 02 00 1d 02 00"));
  CHECK(exchange(ctrl, "00 82 04 ff", "00 02 04 00 01 F1F3F300"));
  CHECK(exchange(ctrl, "00 83 05", "00 03 05 00 02 00 05"));
}

namespace {
// A configuration filled in at boot (not constexpr): the template form of handle() reads it in
// place like the runtime form does.
responder_config boot_cfg{0x1D, endpoint_kind::simple, 0x00, my_uuid, types, versions, vendors};

// Every command, its errors, a response and a datagram; Set/Force/Reset change the state, so
// both forms see the same history.
constexpr std::string_view every_request[] = {
    "00 81 02", "00 82 03", "00 83 04 00", "00 84 04 05", "00 85 04 07", "00 86 05", "00 87 06 00",
    "00 88 06 01", "00 89 06 02", "00 8a 01 00 0a", "00 8b 02", "00 8c 01 01 30", "00 8d 01 02 00",
    "00 8e 01 03 00", "00 8f 01 00 ff", "00 90 01 00", "00 91 02 00", "00 92 07", "00 93 00",
    "00 94 ff 01 02", "00 01 02", "00 c1 02", "00 95 02"};

// The template form (configuration as a template argument, what mctp::endpoint uses) answers
// exactly as the runtime form, byte for byte, and leaves the same EID state.
template <const responder_config& Cfg>
constexpr bool template_form_matches() {
  responder_state a, b;
  for (std::string_view hex : every_request) {
    buf_t req{}, out_a{}, out_b{};
    const auto n = parse_hex(hex, req);
    if (!n) return false;
    auto ra = a.handle(Cfg, bytes_view(req).first(*n), out_a);
    auto rb = b.template handle<Cfg>(bytes_view(req).first(*n), out_b);
    if (ra.has_value() != rb.has_value()) return false;
    if (!ra) {
      if (ra.error() != rb.error()) return false;
      continue;
    }
    if (ra->has_value() != rb->has_value()) return false;
    if (ra->has_value() && !equal(**ra, **rb)) return false;
    if (a.current_eid(Cfg) != b.current_eid(Cfg) || a.discovered() != b.discovered() ||
        a.assigned_by_bus_owner() != b.assigned_by_bus_owner())
      return false;
  }
  return true;
}
}  // namespace

TEST_CASE("responder_state: configuration as a template argument answers like the runtime form", "[mctp][control_responder]") {
  static_assert(template_form_matches<static_cfg>());
  static_assert(template_form_matches<dynamic_cfg>());
  CHECK(template_form_matches<static_cfg>());
  CHECK(template_form_matches<dynamic_cfg>());
  CHECK(template_form_matches<boot_cfg>());
  boot_cfg.static_eid = 0x20;  // changed at boot: read in place, not copied
  CHECK(template_form_matches<boot_cfg>());
  responder_state s;
  buf_t out{};
  constexpr auto get_eid = hex_bytes<3>("00 81 02");
  auto r = s.handle<boot_cfg>(get_eid, out);
  REQUIRE(r);
  REQUIRE(r->has_value());
  CHECK(std::to_integer<int>((**r)[4]) == 0x20);
}

namespace {
constexpr bool same_eid_state(const responder_state& a, const responder_state& b, const responder_config& cfg) {
  return a.current_eid(cfg) == b.current_eid(cfg) && a.discovered() == b.discovered() &&
         a.assigned_by_bus_owner() == b.assigned_by_bus_owner();
}

// respond<Cfg>() (the lean form mctp::endpoint uses: a length, 0 or -errc) says what handle()
// says, byte for byte, for every request above, non-control messages, and every output room.
template <const responder_config& Cfg>
constexpr bool lean_form_matches(std::size_t room) {
  responder_state a, b;
  constexpr std::string_view extra[] = {"", "00", "00 81", "01 81 02", "80 81 02", "00 41 02"};
  for (int pass = 0; pass < 2; ++pass)
    for (std::string_view hex : pass == 0 ? std::span<const std::string_view>(every_request)
                                          : std::span<const std::string_view>(extra)) {
      buf_t req{}, out_a{}, out_b{};
      const auto n = parse_hex(hex, req);
      if (!n) return false;
      auto ra = a.handle(Cfg, bytes_view(req).first(*n), bytes_span(out_a).first(room));
      const std::ptrdiff_t rb = b.template respond<Cfg>(req.data(), *n, out_b.data(), room);
      if (!ra) {
        if (rb != -static_cast<std::ptrdiff_t>(ra.error())) return false;
      } else if (!ra->has_value()) {
        if (rb != 0) return false;
      } else if (rb <= 0 || !equal(**ra, bytes_view(out_b).first(static_cast<std::size_t>(rb)))) {
        return false;
      }
      if (!same_eid_state(a, b, Cfg)) return false;
    }
  return true;
}
}  // namespace

TEST_CASE("responder_state: respond() (length form) answers like handle()", "[mctp][control_responder]") {
  static_assert(lean_form_matches<static_cfg>(64));
  static_assert(lean_form_matches<dynamic_cfg>(64));
  for (std::size_t room = 0; room <= 64; ++room) {
    CHECK(lean_form_matches<static_cfg>(room));
    CHECK(lean_form_matches<dynamic_cfg>(room));
    CHECK(lean_form_matches<boot_cfg>(room));
  }
}
