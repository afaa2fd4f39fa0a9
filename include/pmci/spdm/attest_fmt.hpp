// SPDX-License-Identifier: Apache-2.0
// fmt formatters for the SPDM attestation messages (host-only; include pmci/fmt.hpp, never from
// core headers). Works with fmt 9 (Debian's libfmt-dev 9.1) and later.
//
//   fmt::print("{}\n", msg);    // one line: DSP0274 name and key fields
//   fmt::print("{:v}\n", msg);  // detailed: one field per line, names of flags and algorithms,
//                               // hex of nonces / digests / signatures (long ones shortened)
//
// Message types get a formatter through PMCI_SPDM_FORMATTER(T), which forwards to an overload of
// pmci::spdm::describe(fmt::appender, const T&, bool verbose). The session half adds its types the
// same way in pmci/spdm/session_fmt.hpp. (Host-only headers are named *fmt.hpp so that the arm
// header check, cmake/header_check, skips them.)
#pragma once
#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <variant>

#include "pmci/spdm/cert_chain.hpp"
#include "pmci/spdm/message.hpp"

namespace pmci::spdm {
namespace fmt_detail {

using out_t = fmt::appender;

/// Format spec: empty (one line) or "v" (verbose). Anything else is left for fmt to reject.
struct spec {
  bool verbose = false;
  constexpr auto parse(fmt::format_parse_context& ctx) -> decltype(ctx.begin()) {
    auto it = ctx.begin();
    if (it != ctx.end() && *it == 'v') {
      verbose = true;
      ++it;
    }
    return it;
  }
};

/// Lowercase hex of b; more than `max` bytes are shortened to the first `max` and the size.
inline out_t hex(out_t o, bytes_view b, std::size_t max = 32) {
  for (std::size_t i = 0; i < b.size() && i < max; ++i) o = fmt::format_to(o, "{:02x}", std::to_integer<unsigned>(b[i]));
  if (b.size() > max) o = fmt::format_to(o, "... ({} bytes)", b.size());
  if (b.empty()) o = fmt::format_to(o, "-");
  return o;
}
/// Names of the bits set in an algorithm bitmask, joined by '|'; "none" for 0.
template <class E>
out_t bits(out_t o, E mask) {
  const auto v = static_cast<std::uint32_t>(raw(mask));
  if (v == 0) return fmt::format_to(o, "none");
  bool first = true;
  for (unsigned b = 0; b < 32; ++b) {
    if (!((v >> b) & 1u)) continue;
    if (!first) o = fmt::format_to(o, "|");
    first = false;
    const char* n = name(static_cast<E>(1u << b));
    o = n ? fmt::format_to(o, "{}", n) : fmt::format_to(o, "bit{}", b);
  }
  return o;
}
inline out_t flags(out_t o, std::uint32_t f) {
  bool first = true;
  const auto sep = [&] { if (!first) o = fmt::format_to(o, " "); first = false; };
  for_each_flag(f, [&](const char* n) { sep(); o = fmt::format_to(o, "{}", n); },
                [&](unsigned bit) { sep(); o = fmt::format_to(o, "BIT{}", bit); });
  if (first) o = fmt::format_to(o, "none");
  return o;
}
inline out_t ver(out_t o, std::uint8_t v) { return fmt::format_to(o, "{}.{}", v >> 4, v & 0xF); }
inline out_t field(out_t o, const char* n) { return fmt::format_to(o, "\n  {}: ", n); }
inline out_t ext_algs(out_t o, const ext_alg_list& l) {
  for (std::size_t i = 0; i < l.size(); ++i) o = fmt::format_to(o, "{}{}:{:#06x}", i ? " " : "", l[i].registry_id, l[i].algorithm_id);
  return l.empty() ? fmt::format_to(o, "-") : o;
}
inline out_t structs(out_t o, const alg_struct_table& t, bool verbose) {
  for (const auto& s : t) {
    if (verbose) o = field(o, name(s.type));
    else o = fmt::format_to(o, " {}=", s.type == alg_type::dhe ? "dhe" : s.type == alg_type::aead ? "aead"
                                       : s.type == alg_type::req_base_asym ? "req_asym" : "key_schedule");
    switch (s.type) {
      case alg_type::dhe: o = bits(o, static_cast<dhe_group>(s.supported)); break;
      case alg_type::aead: o = bits(o, static_cast<aead_suite>(s.supported)); break;
      case alg_type::req_base_asym: o = bits(o, static_cast<base_asym>(s.supported)); break;
      case alg_type::key_schedule: o = bits(o, static_cast<key_schedule>(s.supported)); break;
    }
    if (verbose && !s.ext.empty()) o = ext_algs(fmt::format_to(o, " ext "), s.ext);
  }
  return o;
}
// The fields NEGOTIATE_ALGORITHMS shares with the 1.3 supported-algorithms block.
template <class T>
out_t offer(out_t o, const T& m, bool v) {
  if (!v) {
    o = fmt::format_to(o, " asym=");
    o = bits(o, m.asym);
    o = fmt::format_to(o, " hash=");
    o = bits(o, m.hash);
    return structs(o, m.structs, false);
  }
  o = field(o, "Length"), o = fmt::format_to(o, "{}", m.length);
  o = field(o, "MeasurementSpecification"), o = bits(o, m.measurement_spec);
  o = field(o, "OtherParamsSupport"), o = fmt::format_to(o, "{:#04x}", m.other_params_support);
  o = field(o, "BaseAsymAlgo"), o = bits(o, m.asym);
  o = field(o, "BaseHashAlgo"), o = bits(o, m.hash);
  o = field(o, "MELSpecification"), o = bits(o, m.mel_spec);
  o = field(o, "ExtAsym"), o = ext_algs(o, m.ext_asym);
  o = field(o, "ExtHash"), o = ext_algs(o, m.ext_hash);
  return structs(o, m.structs, true);
}
inline out_t caps_body(out_t o, version v, std::uint8_t ct, std::uint32_t f, std::uint32_t dts, std::uint32_t max, bool verbose) {
  if (!verbose) {
    o = fmt::format_to(o, " {}.{} ct_exp={} flags={:#010x}", major_of(v), minor_of(v), ct, f);
    return v >= version::v1_2 ? fmt::format_to(o, " dts={} max_msg={}", dts, max) : o;
  }
  o = field(o, "SPDMVersion"), o = ver(o, to_byte(v));
  if (v >= version::v1_1) o = field(o, "CTExponent"), o = fmt::format_to(o, "{} (2^{} us)", ct, ct);
  o = field(o, "Flags"), o = fmt::format_to(o, "{:#010x} ", f), o = flags(o, f);
  if (v >= version::v1_2) {
    o = field(o, "DataTransferSize"), o = fmt::format_to(o, "{}", dts);
    o = field(o, "MaxSPDMmsgSize"), o = fmt::format_to(o, "{}", max);
  }
  return o;
}

}  // namespace fmt_detail

// ---- describe(): one overload per message type --------------------------------------------------
using fmt_detail::out_t;

inline out_t describe(out_t o, const error_response& m, bool v) {
  o = fmt::format_to(o, "ERROR {}", name(m.error));
  if (!v) {
    if (m.error == error_code::response_not_ready)
      return fmt::format_to(o, " rd_exp={} req={} token={} rdtm={}", m.not_ready.rd_exponent, name(m.not_ready.request_code),
                            m.not_ready.token, m.not_ready.rdtm);
    if (m.error == error_code::large_response) return fmt::format_to(o, " handle={}", m.large_response_handle);
    o = fmt::format_to(o, " data={:#04x}", m.error_data);
    return m.extended_data.empty() ? o : fmt_detail::hex(fmt::format_to(o, " ext="), m.extended_data);
  }
  o = fmt_detail::field(o, "SPDMVersion"), o = fmt_detail::ver(o, m.spdm_version);
  o = fmt_detail::field(o, "ErrorCode"), o = fmt::format_to(o, "{:#04x} {}", static_cast<unsigned>(m.error), name(m.error));
  o = fmt_detail::field(o, "ErrorData"), o = fmt::format_to(o, "{:#04x}", m.error_data);
  if (m.error == error_code::response_not_ready) {
    o = fmt_detail::field(o, "RDExponent"), o = fmt::format_to(o, "{} (2^{} us)", m.not_ready.rd_exponent, m.not_ready.rd_exponent);
    o = fmt_detail::field(o, "RequestCode"), o = fmt::format_to(o, "{:#04x} {}", static_cast<unsigned>(m.not_ready.request_code), name(m.not_ready.request_code));
    o = fmt_detail::field(o, "Token"), o = fmt::format_to(o, "{}", m.not_ready.token);
    o = fmt_detail::field(o, "RDTM"), o = fmt::format_to(o, "{}", m.not_ready.rdtm);
  } else if (m.error == error_code::large_response) {
    o = fmt_detail::field(o, "Handle"), o = fmt::format_to(o, "{}", m.large_response_handle);
  } else {
    o = fmt_detail::field(o, "ExtendedErrorData"), o = fmt_detail::hex(o, m.extended_data);
  }
  return o;
}
inline out_t describe(out_t o, const respond_if_ready& m, bool) {
  return fmt::format_to(o, "RESPOND_IF_READY req={} token={}", name(m.request_code), m.token);
}
inline out_t describe(out_t o, const get_version&, bool) { return fmt::format_to(o, "GET_VERSION"); }
inline out_t describe(out_t o, const version_response& m, bool v) {
  o = fmt::format_to(o, "VERSION");
  for (std::size_t i = 0; i < m.count(); ++i) {
    const auto e = m.entry(i);
    o = v ? fmt::format_to(o, "\n  {}.{}.{}.{}", e.major(), e.minor(), e.update(), e.alpha())
          : fmt::format_to(o, " {}.{}", e.major(), e.minor());
  }
  return o;
}
inline out_t describe(out_t o, const get_capabilities& m, bool v) {
  o = fmt_detail::caps_body(fmt::format_to(o, "GET_CAPABILITIES"), m.ver, m.ct_exponent, raw(m.flags),
                            m.data_transfer_size, m.max_spdm_msg_size, v);
  if (m.supported_algorithms_requested) o = v ? fmt::format_to(fmt_detail::field(o, "Param1"), "supported algorithms requested")
                                               : fmt::format_to(o, " +algs");
  return o;
}
inline out_t describe(out_t o, const capabilities& m, bool v) {
  o = fmt_detail::caps_body(fmt::format_to(o, "CAPABILITIES"), m.ver, m.ct_exponent, raw(m.flags),
                            m.data_transfer_size, m.max_spdm_msg_size, v);
  if (!m.has_supported_algorithms) return o;
  if (!v) return fmt_detail::offer(fmt::format_to(o, " supported:"), m.algs, false);
  return fmt_detail::offer(fmt::format_to(o, "\n  supported algorithms:"), m.algs, true);
}
inline out_t describe(out_t o, const negotiate_algorithms& m, bool v) {
  return fmt_detail::offer(fmt::format_to(o, "NEGOTIATE_ALGORITHMS"), m, v);
}
inline out_t describe(out_t o, const algorithms& m, bool v) {
  using namespace fmt_detail;
  o = fmt::format_to(o, "ALGORITHMS");
  if (!v) {
    o = bits(fmt::format_to(o, " asym="), m.asym);
    o = bits(fmt::format_to(o, " hash="), m.hash);
    o = bits(fmt::format_to(o, " meas_hash="), m.measurement_hash);
    return structs(o, m.structs, false);
  }
  o = field(o, "Length"), o = fmt::format_to(o, "{}", m.length);
  o = field(o, "MeasurementSpecificationSel"), o = bits(o, m.measurement_spec);
  o = field(o, "OtherParamsSelection"), o = fmt::format_to(o, "{:#04x}", m.other_params_selection);
  o = field(o, "MeasurementHashAlgo"), o = bits(o, m.measurement_hash);
  o = field(o, "BaseAsymSel"), o = bits(o, m.asym);
  o = field(o, "BaseHashSel"), o = bits(o, m.hash);
  o = field(o, "MELSpecificationSel"), o = bits(o, m.mel_spec);
  o = field(o, "ExtAsymSel"), o = ext_algs(o, m.ext_asym);
  o = field(o, "ExtHashSel"), o = ext_algs(o, m.ext_hash);
  return structs(o, m.structs, true);
}
inline out_t describe(out_t o, const get_digests&, bool) { return fmt::format_to(o, "GET_DIGESTS"); }
inline out_t describe(out_t o, const digests& m, bool v) {
  o = fmt::format_to(o, "DIGESTS slots={:#04x}", m.slot_mask);
  if (m.supported_slot_mask) o = fmt::format_to(o, " supported={:#04x}", m.supported_slot_mask);
  if (!v) return m.multi_key() ? fmt::format_to(o, " multi-key") : o;
  for (std::size_t i = 0; i < m.count(); ++i) {
    o = fmt::format_to(o, "\n  slot {}: ", m.slot_of(i));
    o = fmt_detail::hex(o, m.digest(i), 64);
    if (m.multi_key())
      o = fmt::format_to(o, " key_pair={} model={} usage={:#06x}", m.key_pair_id(i), name(m.model(i)), raw(m.usage(i)));
  }
  return o;
}
inline out_t describe(out_t o, const get_certificate& m, bool) {
  o = fmt::format_to(o, "GET_CERTIFICATE slot={} offset={} length={}", m.slot_id, m.offset, m.length);
  return m.slot_size_requested ? fmt::format_to(o, " slot-size") : o;
}
inline out_t describe(out_t o, const certificate& m, bool v) {
  o = fmt::format_to(o, "CERTIFICATE slot={} portion={} remainder={}", m.slot_id, m.portion.size(), m.remainder_length);
  if (m.certificate_info) o = fmt::format_to(o, " model={}", name(m.model()));
  return v ? fmt_detail::hex(fmt_detail::field(o, "portion"), m.portion) : o;
}
inline out_t describe(out_t o, const challenge& m, bool v) {
  o = fmt::format_to(o, "CHALLENGE slot={} summary={}", m.slot_id, name(m.summary));
  if (!v) return o;
  o = fmt_detail::hex(fmt_detail::field(o, "Nonce"), m.nonce, 64);
  if (!m.requester_context.empty()) o = fmt_detail::hex(fmt_detail::field(o, "RequesterContext"), m.requester_context);
  return o;
}
inline out_t describe(out_t o, const challenge_auth& m, bool v) {
  using namespace fmt_detail;
  o = fmt::format_to(o, "CHALLENGE_AUTH slot={} slot_mask={:#04x}", m.slot_id, m.slot_mask);
  if (m.basic_mut_auth_req) o = fmt::format_to(o, " basic-mut-auth");
  if (!v) return fmt::format_to(o, " opaque={} sig={}", m.opaque_data.size(), m.signature.size());
  o = hex(field(o, "CertChainHash"), m.cert_chain_hash, 64);
  o = hex(field(o, "Nonce"), m.nonce, 64);
  o = hex(field(o, "MeasurementSummaryHash"), m.measurement_summary_hash, 64);
  o = hex(field(o, "OpaqueData"), m.opaque_data);
  if (!m.requester_context.empty()) o = hex(field(o, "RequesterContext"), m.requester_context);
  return hex(field(o, "Signature"), m.signature, 512);
}
inline out_t describe(out_t o, const get_measurements& m, bool v) {
  o = fmt::format_to(o, "GET_MEASUREMENTS op=");
  o = m.operation == meas_op_count ? fmt::format_to(o, "count") : m.operation == meas_op_all ? fmt::format_to(o, "all")
                                                                                             : fmt::format_to(o, "{}", m.operation);
  if (m.signature_requested()) o = fmt::format_to(o, " signed slot={}", m.slot_id);
  if (m.attributes & meas_attr_raw_bitstream) o = fmt::format_to(o, " raw");
  if (m.attributes & meas_attr_new_measurement) o = fmt::format_to(o, " new");
  if (!v) return o;
  if (!m.nonce.empty()) o = fmt_detail::hex(fmt_detail::field(o, "Nonce"), m.nonce, 64);
  if (!m.requester_context.empty()) o = fmt_detail::hex(fmt_detail::field(o, "RequesterContext"), m.requester_context);
  return o;
}
inline out_t describe(out_t o, const measurements& m, bool v) {
  using namespace fmt_detail;
  constexpr const char* changes[] = {"n/a", "changed", "unchanged", "?"};
  o = fmt::format_to(o, "MEASUREMENTS blocks={} record={}", m.record.count, m.record.raw.size());
  if (m.total_indices) o = fmt::format_to(o, " indices={}", m.total_indices);
  if (m.content_changed != content_change::not_supported)
    o = fmt::format_to(o, " content={}", changes[static_cast<unsigned>(m.content_changed) & 3]);
  if (!m.signature.empty()) o = fmt::format_to(o, " signed");
  if (!v) return o;
  for (const measurement_block b : m.record) {
    o = fmt::format_to(o, "\n  [{:3}] ", b.index);
    if (!b.is_dmtf()) {
      o = hex(fmt::format_to(o, "spec={:#04x} ", b.spec), b.measurement);
      continue;
    }
    const auto d = b.dmtf();
    o = fmt::format_to(o, "{} {}({}) ", name(d.type()), d.raw_bit_stream() ? "raw" : "digest", d.value.size());
    o = hex(o, d.value, 64);
  }
  o = hex(field(o, "Nonce"), m.nonce, 64);
  o = hex(field(o, "OpaqueData"), m.opaque_data);
  if (!m.requester_context.empty()) o = hex(field(o, "RequesterContext"), m.requester_context);
  return m.signature.empty() ? o : hex(field(o, "Signature"), m.signature, 512);
}
template <code C>
out_t describe(out_t o, const vendor_defined<C>& m, bool v) {
  o = fmt::format_to(o, "{} {} vendor=", name(C), name(m.standard_id));
  o = fmt_detail::hex(o, m.vendor_id);
  o = fmt::format_to(o, " payload={}", m.payload.size());
  return v ? fmt_detail::hex(fmt_detail::field(o, "payload"), m.payload, 256) : o;
}

}  // namespace pmci::spdm

/// Define the fmt formatter of an SPDM message type T that has a pmci::spdm::describe() overload.
#define PMCI_SPDM_FORMATTER(T)                                                         \
  template <>                                                                          \
  struct fmt::formatter<T> : ::pmci::spdm::fmt_detail::spec {                          \
    auto format(const T& m, fmt::format_context& ctx) const -> decltype(ctx.out()) {   \
      return ::pmci::spdm::describe(ctx.out(), m, verbose);                            \
    }                                                                                  \
  }

PMCI_SPDM_FORMATTER(pmci::spdm::error_response);
PMCI_SPDM_FORMATTER(pmci::spdm::respond_if_ready);
PMCI_SPDM_FORMATTER(pmci::spdm::get_version);
PMCI_SPDM_FORMATTER(pmci::spdm::version_response);
PMCI_SPDM_FORMATTER(pmci::spdm::get_capabilities);
PMCI_SPDM_FORMATTER(pmci::spdm::capabilities);
PMCI_SPDM_FORMATTER(pmci::spdm::negotiate_algorithms);
PMCI_SPDM_FORMATTER(pmci::spdm::algorithms);
PMCI_SPDM_FORMATTER(pmci::spdm::get_digests);
PMCI_SPDM_FORMATTER(pmci::spdm::digests);
PMCI_SPDM_FORMATTER(pmci::spdm::get_certificate);
PMCI_SPDM_FORMATTER(pmci::spdm::certificate);
PMCI_SPDM_FORMATTER(pmci::spdm::challenge);
PMCI_SPDM_FORMATTER(pmci::spdm::challenge_auth);
PMCI_SPDM_FORMATTER(pmci::spdm::get_measurements);
PMCI_SPDM_FORMATTER(pmci::spdm::measurements);
PMCI_SPDM_FORMATTER(pmci::spdm::vendor_defined_request);
PMCI_SPDM_FORMATTER(pmci::spdm::vendor_defined_response);
