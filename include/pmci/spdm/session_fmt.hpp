// SPDX-License-Identifier: Apache-2.0
// fmt formatters for the SPDM session-family messages (host-only; include pmci/fmt.hpp, which
// pulls this in). Same forms as attest_fmt.hpp:
//
//   fmt::print("{}\n", msg);    // KEY_EXCHANGE slot=0 summary=all session=0xffff policy=0x01 opaque=20
//   fmt::print("{:v}\n", msg);  // one field per line; opaque data with its secured-message versions
//
// (Named *fmt.hpp so that the freestanding header check skips it.)
#pragma once
#include <fmt/format.h>

#include <cstdint>
#include <initializer_list>
#include <utility>

#include "pmci/spdm/attest_fmt.hpp"
#include "pmci/spdm/chunk.hpp"
#include "pmci/spdm/csr.hpp"
#include "pmci/spdm/encapsulated.hpp"
#include "pmci/spdm/endpoint_info.hpp"
#include "pmci/spdm/events.hpp"
#include "pmci/spdm/finish.hpp"
#include "pmci/spdm/key_exchange.hpp"
#include "pmci/spdm/key_pair_info.hpp"
#include "pmci/spdm/mel.hpp"
#include "pmci/spdm/opaque.hpp"
#include "pmci/spdm/psk.hpp"
#include "pmci/spdm/session_control.hpp"

namespace pmci::spdm {
namespace fmt_detail {

/// Opaque data: hex, plus what the DSP0277 elements say when they parse. The format is guessed
/// from the bytes (a general header starts with the DMTF SpecID), since messages carry no `n`.
inline out_t opaque(out_t o, bytes_view b) {
  o = hex(o, b, 64);
  if (b.empty()) return o;
  const bool general = b.size() >= 4 && load_u32le(b) == opaque_spec_id_dmtf;
  const auto s = secured_message_opaque::parse(b, general ? opaque_format::general : opaque_format::fmt1);
  if (!s) return o;
  if (s->supported_count()) {
    o = fmt::format_to(o, " (secured-message versions");
    for (std::size_t i = 0; i < s->supported_count(); ++i)
      o = fmt::format_to(o, " {}.{}", s->supported(i).major(), s->supported(i).minor());
    o = fmt::format_to(o, ")");
  }
  if (s->selected_version)
    o = fmt::format_to(o, " (secured-message version {}.{})", s->selected_version->major(), s->selected_version->minor());
  if (s->aead_limit_exponent) o = fmt::format_to(o, " (AEAD limit 2^{})", *s->aead_limit_exponent);
  return o;
}
inline out_t hexf(out_t o, const char* n, bytes_view b, std::size_t max = 64) { return hex(field(o, n), b, max); }
inline out_t numf(out_t o, const char* n, std::uint64_t v) { return fmt::format_to(field(o, n), "{}", v); }
inline out_t hexnum(out_t o, const char* n, std::uint64_t v) { return fmt::format_to(field(o, n), "{:#x}", v); }
inline out_t mut_auth(out_t o, std::uint8_t m) {
  if (m == 0) return fmt::format_to(o, "none");
  bool first = true;
  for (auto [bit, n] : {std::pair{mut_auth_requested, "requested"}, std::pair{mut_auth_with_encap_request, "encap_request"},
                        std::pair{mut_auth_with_get_digests, "get_digests"}})
    if (m & bit) o = fmt::format_to(o, "{}{}", first ? "" : "|", n), first = false;
  return o;
}

}  // namespace fmt_detail

// ---- §10 session establishment -------------------------------------------------------------------
inline out_t describe(out_t o, const key_exchange& m, bool v) {
  using namespace fmt_detail;
  o = fmt::format_to(o, "KEY_EXCHANGE slot={} summary={} session={:#06x}", m.slot_id, name(m.summary), m.req_session_id);
  if (!v) return fmt::format_to(o, " policy={:#04x} opaque={}", m.session_policy, m.opaque_data.size());
  o = hexnum(o, "SessionPolicy", m.session_policy);
  o = hexf(o, "RandomData", m.random_data);
  o = hexf(o, "ExchangeData", m.exchange_data, 132);
  return opaque(field(o, "OpaqueData"), m.opaque_data);
}
inline out_t describe(out_t o, const key_exchange_rsp& m, bool v) {
  using namespace fmt_detail;
  o = fmt::format_to(o, "KEY_EXCHANGE_RSP session={:#06x} heartbeat={} mut_auth=", m.rsp_session_id, m.heartbeat_period);
  o = mut_auth(o, m.mut_auth_requested);
  if (!v)
    return fmt::format_to(o, " summary={} sig={} verify={}", m.measurement_summary_hash.size(), m.signature.size(),
                          m.responder_verify_data.size());
  o = numf(o, "ReqSlotIDParam", m.req_slot_id_param);
  o = hexf(o, "RandomData", m.random_data);
  o = hexf(o, "ExchangeData", m.exchange_data, 132);
  o = hexf(o, "MeasurementSummaryHash", m.measurement_summary_hash);
  o = opaque(field(o, "OpaqueData"), m.opaque_data);
  o = hexf(o, "Signature", m.signature, 512);
  return hexf(o, "ResponderVerifyData", m.responder_verify_data);
}
inline out_t describe(out_t o, const finish& m, bool v) {
  o = fmt::format_to(o, "FINISH");
  if (m.signature_included) o = fmt::format_to(o, " signed req_slot={}", m.req_slot_id);
  if (!v) return o;
  if (m.signature_included) o = fmt_detail::hexf(o, "Signature", m.signature, 512);
  return fmt_detail::hexf(o, "RequesterVerifyData", m.requester_verify_data);
}
inline out_t describe(out_t o, const finish_rsp& m, bool v) {
  o = fmt::format_to(o, "FINISH_RSP");
  if (!v) return m.responder_verify_data.empty() ? o : fmt::format_to(o, " verify={}", m.responder_verify_data.size());
  return fmt_detail::hexf(o, "ResponderVerifyData", m.responder_verify_data);
}
inline out_t describe(out_t o, const psk_exchange& m, bool v) {
  using namespace fmt_detail;
  o = fmt::format_to(o, "PSK_EXCHANGE summary={} session={:#06x} policy={:#04x}", name(m.summary), m.req_session_id,
                     m.session_policy);
  if (!v) return fmt::format_to(o, " hint={} context={} opaque={}", m.psk_hint.size(), m.requester_context.size(), m.opaque_data.size());
  o = hexf(o, "PSKHint", m.psk_hint);
  o = hexf(o, "RequesterContext", m.requester_context);
  return opaque(field(o, "OpaqueData"), m.opaque_data);
}
inline out_t describe(out_t o, const psk_exchange_rsp& m, bool v) {
  using namespace fmt_detail;
  o = fmt::format_to(o, "PSK_EXCHANGE_RSP session={:#06x} heartbeat={}", m.rsp_session_id, m.heartbeat_period);
  if (!v)
    return fmt::format_to(o, " summary={} context={} opaque={}", m.measurement_summary_hash.size(), m.responder_context.size(),
                          m.opaque_data.size());
  o = hexf(o, "MeasurementSummaryHash", m.measurement_summary_hash);
  o = hexf(o, "ResponderContext", m.responder_context);
  o = opaque(field(o, "OpaqueData"), m.opaque_data);
  return hexf(o, "ResponderVerifyData", m.responder_verify_data);
}
inline out_t describe(out_t o, const psk_finish& m, bool v) {
  o = fmt::format_to(o, "PSK_FINISH");
  return v ? fmt_detail::hexf(o, "RequesterVerifyData", m.requester_verify_data) : o;
}

// ---- §10.5, §10.6 in-session control and encapsulated requests --------------------------------------
inline out_t describe(out_t o, const end_session& m, bool) {
  return m.negotiated_state_clearing ? fmt::format_to(o, "END_SESSION clear-state") : fmt::format_to(o, "END_SESSION");
}
inline out_t describe(out_t o, const encapsulated_response_ack& m, bool v) {
  o = fmt::format_to(o, "ENCAPSULATED_RESPONSE_ACK id={} ack_id={}", m.request_id, m.ack_request_id);
  switch (m.payload_type) {
    case encap_payload_type::absent: o = fmt::format_to(o, " done"); break;
    case encap_payload_type::present:
      o = fmt::format_to(o, " next={}", name(static_cast<code>(std::to_integer<std::uint8_t>(m.request[1]))));
      break;
    case encap_payload_type::req_slot_number: o = fmt::format_to(o, " req_slot={}", m.req_slot_id); break;
  }
  return v && !m.request.empty() ? fmt_detail::hexf(o, "EncapsulatedRequest", m.request, 256) : o;
}

// ---- §11 certificate provisioning, §13 chunking ----------------------------------------------------
inline out_t describe(out_t o, const get_csr& m, bool v) {
  o = fmt::format_to(o, "GET_CSR info={} opaque={}", m.requester_info.size(), m.opaque_data.size());
  if (m.key_pair_id || m.csr_cert_model != cert_model::none || m.csr_tracking_tag || m.overwrite)
    o = fmt::format_to(o, " key_pair={} model={} tag={}{}", m.key_pair_id, name(m.csr_cert_model), m.csr_tracking_tag,
                       m.overwrite ? " overwrite" : "");
  if (!v) return o;
  o = fmt_detail::hexf(o, "RequesterInfo", m.requester_info, 256);
  return fmt_detail::opaque(fmt_detail::field(o, "OpaqueData"), m.opaque_data);
}
inline out_t describe(out_t o, const csr& m, bool v) {
  o = fmt::format_to(o, "CSR length={}", m.csr_der.size());
  return v ? fmt_detail::hexf(o, "CSR", m.csr_der, 512) : o;
}
inline out_t describe(out_t o, const set_certificate& m, bool v) {
  o = fmt::format_to(o, "SET_CERTIFICATE slot={}", m.slot_id);
  if (m.erase) o = fmt::format_to(o, " erase");
  if (m.model != cert_model::none || m.key_pair_id) o = fmt::format_to(o, " model={} key_pair={}", name(m.model), m.key_pair_id);
  if (!m.erase) o = fmt::format_to(o, " chain={}", m.cert_chain.size());
  return v && !m.erase ? fmt_detail::hexf(o, "CertChain", m.cert_chain, 128) : o;
}
inline out_t describe(out_t o, const set_certificate_rsp& m, bool) {
  return fmt::format_to(o, "SET_CERTIFICATE_RSP slot={}", m.slot_id);
}
inline out_t describe(out_t o, const chunk_send_ack& m, bool v) {
  o = fmt::format_to(o, "CHUNK_SEND_ACK handle={} seq={}", m.handle, m.chunk_seq_no);
  if (m.early_error_detected) o = fmt::format_to(o, " early-error");
  if (!m.response.empty())
    o = fmt::format_to(o, " response={}", name(static_cast<code>(std::to_integer<std::uint8_t>(m.response[1]))));
  return v && !m.response.empty() ? fmt_detail::hexf(o, "ResponseToLargeRequest", m.response, 256) : o;
}
inline out_t describe(out_t o, const chunk_get& m, bool) {
  return fmt::format_to(o, "CHUNK_GET handle={} seq={}", m.handle, m.chunk_seq_no);
}

// ---- §12 (1.3) ------------------------------------------------------------------------------------
inline out_t describe(out_t o, const get_endpoint_info& m, bool v) {
  o = fmt::format_to(o, "GET_ENDPOINT_INFO subcode={}", m.sub_code);
  if (m.signature_requested) o = fmt::format_to(o, " signed slot={}", m.slot_id);
  return v && m.signature_requested ? fmt_detail::hexf(o, "Nonce", m.nonce) : o;
}
inline out_t describe(out_t o, const endpoint_info& m, bool v) {
  o = fmt::format_to(o, "ENDPOINT_INFO slot={} ep_info={}", m.slot_id, m.ep_info.size());
  if (!m.signature.empty()) o = fmt::format_to(o, " signed");
  if (!v) return o;
  if (!m.nonce.empty()) o = fmt_detail::hexf(o, "Nonce", m.nonce);
  o = fmt_detail::hexf(o, "EPInfo", m.ep_info, 256);
  if (auto d = device_class_identifier::decode(m.ep_info))
    for (const class_identifier& c : d->identifiers) {
      o = fmt::format_to(fmt_detail::field(o, "DeviceClassIdentifier"), "{} vendor=", name(static_cast<registry>(c.registry_id)));
      o = fmt::format_to(fmt_detail::hex(o, c.vendor_id), " sub_ids={}", c.num_sub_ids);
    }
  return m.signature.empty() ? o : fmt_detail::hexf(o, "Signature", m.signature, 512);
}
inline out_t describe(out_t o, const send_event& m, bool v) {
  o = fmt::format_to(o, "SEND_EVENT events={}", m.events.size());
  if (!v) return o;
  for (const event_entry& e : m.events) {
    o = fmt::format_to(o, "\n  [{}] {} type={:#06x}", e.event_instance_id, name(static_cast<registry>(e.registry_id)), e.event_type_id);
    if (!e.vendor_id.empty()) o = fmt_detail::hex(fmt::format_to(o, " vendor="), e.vendor_id);
    o = fmt_detail::hex(fmt::format_to(o, " detail="), e.event_detail);
  }
  return o;
}
inline out_t describe(out_t o, const get_key_pair_info& m, bool) {
  return fmt::format_to(o, "GET_KEY_PAIR_INFO key_pair={}", m.key_pair_id);
}
inline out_t describe(out_t o, const key_pair_info& m, bool v) {
  using namespace fmt_detail;
  o = fmt::format_to(o, "KEY_PAIR_INFO key_pair={}/{} caps={:#06x} usage={:#06x} asym={:#x} slots={:#04x}", m.key_pair_id,
                     m.total_key_pairs, m.capabilities, raw(m.current_key_usage), m.current_asym_algo, m.assoc_cert_slot_mask);
  if (!v) return o;
  o = hexnum(o, "KeyUsageCapabilities", raw(m.key_usage_capabilities));
  o = hexnum(o, "AsymAlgoCapabilities", m.asym_algo_capabilities);
  return hexf(o, "PublicKeyInfo", m.public_key_info, 256);
}
inline out_t describe(out_t o, const set_key_pair_info& m, bool) {
  constexpr const char* ops[] = {"change", "erase", "generate"};
  const auto op = static_cast<unsigned>(m.operation);
  o = fmt::format_to(o, "SET_KEY_PAIR_INFO {} key_pair={}", op < 3 ? ops[op] : "?", m.key_pair_id);
  if (!m.desired_fields_present) return o;
  return fmt::format_to(o, " usage={:#06x} asym={:#x} slots={:#04x}", raw(m.desired_key_usage), m.desired_asym_algo,
                        m.desired_assoc_cert_slot_mask);
}
inline out_t describe(out_t o, const get_measurement_extension_log& m, bool) {
  return fmt::format_to(o, "GET_MEASUREMENT_EXTENSION_LOG offset={} length={}", m.offset, m.length);
}
inline out_t describe(out_t o, const measurement_extension_log& m, bool v) {
  o = fmt::format_to(o, "MEASUREMENT_EXTENSION_LOG portion={} remainder={}", m.portion.size(), m.remainder_length);
  return v ? fmt_detail::hexf(o, "MEL", m.portion, 256) : o;
}

// ---- messages whose types live in pmci::spdm::detail (header-only, KEY_UPDATE, carriers, chunks,
// event-group lists): their describe() overloads live there too, so that the dispatcher's variant
// formatter finds them by argument-dependent lookup, and are re-declared in pmci::spdm for
// PMCI_SPDM_FORMATTER's qualified call.
namespace detail {
template <code C>
out_t describe(out_t o, const header_only<C>&, bool) {
  return fmt::format_to(o, "{}", name(C));
}

template <code C>
out_t describe(out_t o, const key_update_message<C>& m, bool) {
  return fmt::format_to(o, "{} {} tag={:#04x}", name(C), name(m.operation), m.tag);
}

template <code C, bool R>
out_t describe(out_t o, const encapsulated_carrier<C, R>& m, bool v) {
  o = fmt::format_to(o, "{} id={} inner={}", name(C), m.request_id,
                     m.message.size() >= 2 ? name(static_cast<code>(std::to_integer<std::uint8_t>(m.message[1]))) : "-");
  return v ? fmt_detail::hexf(o, R ? "EncapsulatedRequest" : "EncapsulatedResponse", m.message, 256) : o;
}

template <code C>
out_t describe(out_t o, const chunk_message<C>& m, bool v) {
  o = fmt::format_to(o, "{} handle={} seq={} size={}", name(C), m.handle, m.chunk_seq_no, m.chunk.size());
  if (m.chunk_seq_no == 0) o = fmt::format_to(o, " large={}", m.large_message_size);
  if (m.last_chunk) o = fmt::format_to(o, " last");
  return v ? fmt_detail::hexf(o, "SPDMchunk", m.chunk, 256) : o;
}

template <code C, bool Opt>
out_t describe(out_t o, const event_group_list_message<C, Opt>& m, bool v) {
  o = fmt::format_to(o, "{} groups={} list={}", name(C), m.event_group_count, m.event_groups.size());
  return v ? fmt_detail::hexf(o, "EventGroups", m.event_groups, 256) : o;
}
}  // namespace detail
using detail::describe;

}  // namespace pmci::spdm

PMCI_SPDM_FORMATTER(pmci::spdm::key_exchange);
PMCI_SPDM_FORMATTER(pmci::spdm::key_exchange_rsp);
PMCI_SPDM_FORMATTER(pmci::spdm::finish);
PMCI_SPDM_FORMATTER(pmci::spdm::finish_rsp);
PMCI_SPDM_FORMATTER(pmci::spdm::psk_exchange);
PMCI_SPDM_FORMATTER(pmci::spdm::psk_exchange_rsp);
PMCI_SPDM_FORMATTER(pmci::spdm::psk_finish);
PMCI_SPDM_FORMATTER(pmci::spdm::psk_finish_rsp);
PMCI_SPDM_FORMATTER(pmci::spdm::heartbeat);
PMCI_SPDM_FORMATTER(pmci::spdm::heartbeat_ack);
PMCI_SPDM_FORMATTER(pmci::spdm::key_update);
PMCI_SPDM_FORMATTER(pmci::spdm::key_update_ack);
PMCI_SPDM_FORMATTER(pmci::spdm::end_session);
PMCI_SPDM_FORMATTER(pmci::spdm::end_session_ack);
PMCI_SPDM_FORMATTER(pmci::spdm::get_encapsulated_request);
PMCI_SPDM_FORMATTER(pmci::spdm::encapsulated_request);
PMCI_SPDM_FORMATTER(pmci::spdm::deliver_encapsulated_response);
PMCI_SPDM_FORMATTER(pmci::spdm::encapsulated_response_ack);
PMCI_SPDM_FORMATTER(pmci::spdm::get_csr);
PMCI_SPDM_FORMATTER(pmci::spdm::csr);
PMCI_SPDM_FORMATTER(pmci::spdm::set_certificate);
PMCI_SPDM_FORMATTER(pmci::spdm::set_certificate_rsp);
PMCI_SPDM_FORMATTER(pmci::spdm::chunk_send);
PMCI_SPDM_FORMATTER(pmci::spdm::chunk_send_ack);
PMCI_SPDM_FORMATTER(pmci::spdm::chunk_get);
PMCI_SPDM_FORMATTER(pmci::spdm::chunk_response);
PMCI_SPDM_FORMATTER(pmci::spdm::get_endpoint_info);
PMCI_SPDM_FORMATTER(pmci::spdm::endpoint_info);
PMCI_SPDM_FORMATTER(pmci::spdm::get_supported_event_types);
PMCI_SPDM_FORMATTER(pmci::spdm::supported_event_types);
PMCI_SPDM_FORMATTER(pmci::spdm::subscribe_event_types);
PMCI_SPDM_FORMATTER(pmci::spdm::subscribe_event_types_ack);
PMCI_SPDM_FORMATTER(pmci::spdm::send_event);
PMCI_SPDM_FORMATTER(pmci::spdm::event_ack);
PMCI_SPDM_FORMATTER(pmci::spdm::get_key_pair_info);
PMCI_SPDM_FORMATTER(pmci::spdm::key_pair_info);
PMCI_SPDM_FORMATTER(pmci::spdm::set_key_pair_info);
PMCI_SPDM_FORMATTER(pmci::spdm::set_key_pair_info_ack);
PMCI_SPDM_FORMATTER(pmci::spdm::get_measurement_extension_log);
PMCI_SPDM_FORMATTER(pmci::spdm::measurement_extension_log);
