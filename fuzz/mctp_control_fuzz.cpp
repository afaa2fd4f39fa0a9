// SPDX-License-Identifier: Apache-2.0
// MCTP control messages: for every command's request and response codec, a successful
// decode re-encodes, decodes again, and re-encodes to the same bytes (decode -> encode ->
// decode round trip); fixed-field messages also compare equal as values. The same input is fed
// to a control responder, whose answer (if any) must be a well-formed response to it.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "pmci/core/hex.hpp"
#include "pmci/mctp/control.hpp"
#include "pmci/mctp/control_responder.hpp"

#define FUZZ_CHECK(c) \
  do {                \
    if (!(c)) __builtin_trap(); \
  } while (0)

namespace {
using namespace pmci;
using namespace pmci::mctp::control;

template <class T, class = void>
struct has_eq : std::false_type {};
template <class T>
struct has_eq<T, std::void_t<decltype(std::declval<const T&>() == std::declval<const T&>())>> : std::true_type {};

template <class M>
void roundtrip(bytes_view in, std::uint8_t iid, bool dgram) {
  auto d1 = decode<M>(in);
  if (!d1) return;
  // Re-encoding never needs more room than the input (error responses shrink to the CC).
  std::vector<std::byte> b1(in.size()), b2(in.size());
  auto e1 = encode(b1, *d1, iid, dgram);
  FUZZ_CHECK(e1.has_value());
  auto d2 = decode<M>(*e1);
  FUZZ_CHECK(d2.has_value());
  if constexpr (has_eq<M>::value) FUZZ_CHECK(*d1 == *d2);
  auto e2 = encode(b2, *d2, iid, dgram);
  FUZZ_CHECK(e2.has_value() && equal(*e1, *e2));
  // The re-encoded header carries the input's instance ID and the codec's direction.
  auto h = control_header::decode(*e1);
  FUZZ_CHECK(h && h->instance_id == iid && h->cmd == M::code && h->request == !M::is_response);
}

template <class... M>
void roundtrip_all(bytes_view in, std::uint8_t iid, bool dgram) {
  (roundtrip<M>(in, iid, dgram), ...);
}

constexpr auto base_versions = version_bytes(version_entry::make(1, 0), version_entry::make(1, 3, 3));
constexpr version_support versions[] = {{base_spec_type, base_versions}, {0x05, base_versions}};
constexpr auto types = hex_bytes<2>("00 05");
constexpr auto uuid_bytes = hex_bytes<16>("00112233445566778899aabbccddeeff");
constexpr vendor_message_set vendors[] = {{vendor_id_format::iana, 0xA67F, 1}, {vendor_id_format::pci, 0x8086, 2}};
constexpr responder_config static_config{0x1D, endpoint_kind::simple, 0, uuid_bytes, types, versions, vendors};

// The lean form mctp::endpoint uses (respond<Cfg>: a length, 0 or -errc) says what handle()
// says, byte for byte, for every output room, and leaves the same EID state.
void lean_form_matches(bytes_view in) {
  for (std::size_t room : {std::size_t{0}, std::size_t{4}, std::size_t{12}, std::size_t{64}}) {
    responder_state a, b;
    std::array<std::byte, 64> out_a{}, out_b{};
    auto ra = a.handle(static_config, in, bytes_span(out_a).first(room));
    const std::ptrdiff_t rb = b.respond<static_config>(in.data(), in.size(), out_b.data(), room);
    if (!ra) FUZZ_CHECK(rb == -static_cast<std::ptrdiff_t>(ra.error()));
    else if (!ra->has_value()) FUZZ_CHECK(rb == 0);
    else FUZZ_CHECK(rb > 0 && equal(**ra, bytes_view(out_b).first(static_cast<std::size_t>(rb))));
    FUZZ_CHECK(a.current_eid(static_config) == b.current_eid(static_config) && a.discovered() == b.discovered() &&
               a.assigned_by_bus_owner() == b.assigned_by_bus_owner());
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::byte> buf(size);
  if (size) std::memcpy(buf.data(), data, size);
  const bytes_view in(buf.data(), buf.size());

  auto h = control_header::decode(in);
  if (h) {
    roundtrip_all<set_endpoint_id_request, set_endpoint_id_response, get_endpoint_id_request, get_endpoint_id_response,
                  get_endpoint_uuid_request, get_endpoint_uuid_response, get_version_support_request,
                  get_version_support_response, get_message_type_support_request, get_message_type_support_response,
                  get_vendor_message_support_request, get_vendor_message_support_response, resolve_endpoint_id_request,
                  resolve_endpoint_id_response, allocate_endpoint_ids_request, allocate_endpoint_ids_response,
                  routing_information_update_request, routing_information_update_response,
                  get_routing_table_entries_request, get_routing_table_entries_response,
                  prepare_endpoint_discovery_request, prepare_endpoint_discovery_response, endpoint_discovery_request,
                  endpoint_discovery_response, discovery_notify_request, discovery_notify_response,
                  get_network_id_request, get_network_id_response, query_hop_request, query_hop_response,
                  resolve_uuid_request, resolve_uuid_response, query_rate_limit_request, query_rate_limit_response,
                  request_tx_rate_limit_request, request_tx_rate_limit_response, update_rate_limit_request,
                  update_rate_limit_response, query_supported_interfaces_request, query_supported_interfaces_response>(
        in, h->instance_id, h->datagram);
  }

  lean_form_matches(in);

  // Responder: static and dynamic configurations, small and ample output buffers.
  for (int variant = 0; variant < 2; ++variant) {
    responder r(variant == 0 ? static_config
                             : responder_config{mctp::null_eid, endpoint_kind::bus_owner_or_bridge, 7, {}, {}, {}, {}});
    std::array<std::byte, 64> out{};
    auto res = r.handle(in, out);
    if (!h) {
      FUZZ_CHECK(!res);  // not a control message: nothing can be answered
      continue;
    }
    if (!res) {
      FUZZ_CHECK(res.error() == errc::buffer_too_small);
      continue;
    }
    if (!h->request || h->datagram) {
      FUZZ_CHECK(!res->has_value());
      continue;
    }
    FUZZ_CHECK(res->has_value());
    const bytes_span rsp = **res;
    FUZZ_CHECK(rsp.data() == out.data() && rsp.size() <= out.size());
    auto rh = control_header::decode(rsp);
    FUZZ_CHECK(rh && !rh->request && !rh->datagram && rh->instance_id == h->instance_id && rh->cmd == h->cmd);
    auto cm = control_message::decode(rsp);
    FUZZ_CHECK(cm && cm->cc().has_value());
    // Every answer the responder gives decodes with the matching response codec.
    switch (h->cmd) {
      case command::set_endpoint_id: FUZZ_CHECK(decode<set_endpoint_id_response>(rsp).has_value()); break;
      case command::get_endpoint_id: FUZZ_CHECK(decode<get_endpoint_id_response>(rsp).has_value()); break;
      case command::get_endpoint_uuid: FUZZ_CHECK(decode<get_endpoint_uuid_response>(rsp).has_value()); break;
      case command::get_version_support: FUZZ_CHECK(decode<get_version_support_response>(rsp).has_value()); break;
      case command::get_message_type_support: FUZZ_CHECK(decode<get_message_type_support_response>(rsp).has_value()); break;
      case command::get_vendor_message_support: FUZZ_CHECK(decode<get_vendor_message_support_response>(rsp).has_value()); break;
      default: FUZZ_CHECK(*cm->cc() == completion::error_unsupported_cmd && cm->data.size() == 1); break;
    }
    FUZZ_CHECK(!r.has_eid() || mctp::is_assignable(r.current_eid()));
  }
  return 0;
}
