// SPDX-License-Identifier: Apache-2.0
// Demo section: SPDM attestation and a secured session over MCTP over I3C (DSP0274, DSP0275,
// DSP0277/DSP0276, DSP0233) on the simulated bus.
//
// The I3C controller (a BMC, EID 0x08) runs pmci::spdm::requester and session_requester; the
// target at dynamic address 0x10 (a device, EID 0x1d) runs pmci::spdm::responder behind
// session_responder. Both use the OpenSSL crypto policy and the test PKI in examples/demo/keys.
// Every SPDM message is one MCTP message (type 0x05; 0x06 for secured records) cut into 64-byte
// packets by the MCTP endpoint, framed with a PEC by the I3C binding, carried by private writes
// (controller -> target) and IBI-announced private reads (target -> controller), and reassembled.
//
// The steps: GET_VERSION / GET_CAPABILITIES / NEGOTIATE_ALGORITHMS, GET_DIGESTS,
// GET_CERTIFICATE (in portions: the device's DataTransferSize is 1024 bytes), CHALLENGE,
// signed GET_MEASUREMENTS, then KEY_EXCHANGE + FINISH, HEARTBEAT, KEY_UPDATE, two application
// messages inside the session (SPDM GET_MEASUREMENTS, and a PLDM GetTID served by the device's
// session_message hook) and END_SESSION. Each message is printed with its size and packet count;
// every check the library makes is named after the step. run_spdm_demo() returns 0 only if
// every step verified.
//
// Include once from the demo's main.cpp (host only: std::string / std::vector / files are fine).
#pragma once
#include <algorithm>
#include <array>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "pmci/core/bytes.hpp"
#include "pmci/core/endian.hpp"
#include "pmci/crypto/der.hpp"
#include "pmci/crypto/openssl.hpp"
#include "pmci/crypto/x509.hpp"
#include "pmci/mctp/endpoint.hpp"
#include "pmci/mctp/i3c.hpp"
#include "pmci/sim/mctp_i3c_pair.hpp"
#include "pmci/spdm/cert_chain.hpp"
#include "pmci/spdm/measurements.hpp"
#include "pmci/spdm/requester.hpp"
#include "pmci/spdm/responder.hpp"
#include "pmci/spdm/session/requester_session.hpp"
#include "pmci/spdm/session/responder_session.hpp"

namespace pmci_demo_spdm {

using namespace pmci;
namespace spdm = pmci::spdm;
namespace der = pmci::crypto::der;
using policy = pmci::crypto::openssl;
using bytes = std::vector<std::byte>;

// ---- configuration ---------------------------------------------------------------------------
constexpr std::array<std::byte, 3> mctp_types{std::byte{0x00}, std::byte{0x05}, std::byte{0x06}};
constexpr mctp::eid bmc_eid = 0x08, dev_eid = 0x1D;
constexpr std::uint8_t dev_addr = 0x10;
constexpr std::size_t max_packet = 68;      // baseline MTU: 4-byte MCTP header + 64 bytes
constexpr std::size_t max_message = 4300;   // MCTP reassembly: an SPDM message + record overhead

/// The device: SPDM 1.0-1.3, P-384 / SHA-384, attestation and sessions. DataTransferSize (and
/// MaxSPDMmsgSize) 1024: a small device, so the 1.5 KB certificate chain comes in two portions.
struct rsp_config : spdm::responder_defaults {
  static constexpr std::array hash_algs{spdm::base_hash::sha384};
  static constexpr std::array asym_algs{spdm::base_asym::ecdsa_p384};
  static constexpr std::array measurement_hash_algs{spdm::meas_hash::sha384};
  static constexpr spdm::rsp_cap capabilities = spdm::rsp_cap::cert | spdm::rsp_cap::chal | spdm::rsp_cap::meas_sig |
                                                spdm::rsp_cap::encrypt | spdm::rsp_cap::mac | spdm::rsp_cap::key_ex |
                                                spdm::rsp_cap::hbeat | spdm::rsp_cap::key_upd;
  static constexpr std::array dhe_groups{spdm::dhe_group::secp384r1};
  static constexpr std::array aead_suites{spdm::aead_suite::aes_256_gcm};
  static constexpr std::array key_schedules{spdm::key_schedule::spdm};
  static constexpr std::uint32_t max_message_size = 1024;
  static constexpr bool session_layer = true;
};
/// The BMC: a verifier without a certificate of its own; offers both curves and hashes.
struct req_config : spdm::requester_defaults {
  static constexpr spdm::req_cap capabilities = spdm::req_cap::encrypt | spdm::req_cap::mac | spdm::req_cap::key_ex |
                                                spdm::req_cap::hbeat | spdm::req_cap::key_upd;
  static constexpr std::array dhe_groups{spdm::dhe_group::secp384r1, spdm::dhe_group::secp256r1};
  static constexpr std::array aead_suites{spdm::aead_suite::aes_256_gcm, spdm::aead_suite::chacha20_poly1305};
  static constexpr std::array key_schedules{spdm::key_schedule::spdm};
  static constexpr bool session_layer = true;
};
struct session_config : spdm::session_defaults {
  static constexpr std::size_t max_sessions = 2;
};

// ---- the device --------------------------------------------------------------------------------
/// Certificates and key of slot 0, five measurements, and a PLDM responder for application
/// messages inside a session.
struct device {
  bytes chain;  // DER certificates, root first
  policy::sign_key key{};
  std::array<std::uint8_t, 5> indices{1, 2, 3, 4, 0x10};
  std::array<std::array<std::byte, 48>, 4> digests{};  // SHA-384 of each component's image
  static constexpr std::string_view fw_version = "1.4.2";
  static constexpr std::uint8_t tid = 0x2A;  // PLDM terminus ID

  bytes_view cert_chain(std::uint8_t slot) const { return slot == 0 ? bytes_view{chain} : bytes_view{}; }
  const policy::sign_key* sign_key(std::uint8_t slot) const { return slot == 0 ? &key : nullptr; }
  std::span<const std::uint8_t> measurement_indices() const { return indices; }
  result<void> write_measurement(std::uint8_t index, const spdm::measurement_request& req, writer& w) const {
    if (index >= 1 && index <= 4) {
      if (req.hash_size() != 48) return errc::unsupported;
      // DMTFSpecMeasurementValueType 0-3: immutable ROM, mutable firmware, hardware and
      // firmware configuration (DSP0274 measurement block, digest form).
      return spdm::measurement_block::write_dmtf(w, index, static_cast<std::uint8_t>(index - 1), digests[index - 1]);
    }
    if (index == 0x10)  // mutable firmware version (type 6), always as a raw bit stream (bit 7)
      return spdm::measurement_block::write_dmtf(w, index, 0x86, std::as_bytes(std::span{fw_version}));
    return errc::out_of_range;
  }
  bool measurement_in_tcb(std::uint8_t index) const { return index <= 2; }  // ROM and firmware

  /// Application messages inside a session (MCTP types other than SPDM): PLDM (type 0x01)
  /// GetTID, DSP0240: request Rq=1 ‖ InstanceID, HdrVer/PLDMType 0 ‖ command 0x02; response
  /// InstanceID ‖ 0 ‖ 0x02 ‖ CompletionCode 0 ‖ TID.
  result<std::size_t> session_message(std::uint32_t, bytes_view m, bytes_span out) const {
    if (m.size() != 4 || m[0] != std::byte{0x01} || (std::to_integer<unsigned>(m[1]) & 0xC0) != 0x80 ||
        m[2] != std::byte{0x00} || m[3] != std::byte{0x02} || out.size() < 6)
      return errc::unsupported;
    const std::array<std::byte, 6> rsp{std::byte{0x01}, m[1] & std::byte{0x1F}, std::byte{0x00}, std::byte{0x02},
                                       std::byte{0x00}, std::byte{tid}};
    std::copy(rsp.begin(), rsp.end(), out.begin());
    return rsp.size();
  }
};

// ---- small helpers -----------------------------------------------------------------------------
inline bytes read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return {};
  bytes out;
  for (std::istreambuf_iterator<char> it(f), end; it != end; ++it) out.push_back(static_cast<std::byte>(*it));
  return out;
}

inline std::string hex(bytes_view b, std::size_t max = 8) {
  std::string s;
  char buf[4];
  for (std::size_t i = 0; i < b.size() && i < max; ++i) {
    std::snprintf(buf, sizeof buf, "%02x", std::to_integer<unsigned>(b[i]));
    s += buf;
  }
  if (b.size() > max) s += "..";
  return s;
}

inline std::string version_text(spdm::version v) {
  const auto b = spdm::to_byte(v);
  return std::to_string(b >> 4) + "." + std::to_string(b & 0x0F);
}

/// The CommonName of a DER certificate's subject ("?" if it has none).
inline std::string common_name(bytes_view cert) {
  const auto c = pmci::crypto::x509::parse_certificate(cert);
  if (!c) return "?";
  der::reader outer{c->subject};
  const auto name = outer.next(der::tag::sequence);
  if (!name) return "?";
  der::reader rdns{name->value};
  while (!rdns.empty()) {
    const auto set = rdns.next();
    if (!set) break;
    der::reader atvs{set->value};
    while (!atvs.empty()) {
      const auto atv = atvs.next(der::tag::sequence);
      if (!atv) break;
      der::reader f{atv->value};
      const auto oid = f.next(der::tag::oid);
      const auto value = f.next();
      constexpr std::array<std::byte, 3> cn{std::byte{0x55}, std::byte{0x04}, std::byte{0x03}};  // 2.5.4.3
      if (oid && value && equal(oid->value, cn))
        return std::string(reinterpret_cast<const char*>(value->value.data()), value->value.size());
    }
  }
  return "?";
}

inline std::string capability_names(spdm::rsp_cap c) {
  struct entry {
    spdm::rsp_cap bit;
    const char* name;
  };
  static constexpr entry names[] = {
      {spdm::rsp_cap::cert, "CERT"},         {spdm::rsp_cap::chal, "CHAL"},       {spdm::rsp_cap::meas_sig, "MEAS(signed)"},
      {spdm::rsp_cap::encrypt, "ENCRYPT"},   {spdm::rsp_cap::mac, "MAC"},         {spdm::rsp_cap::key_ex, "KEY_EX"},
      {spdm::rsp_cap::hbeat, "HBEAT"},       {spdm::rsp_cap::key_upd, "KEY_UPD"},
  };
  std::string s;
  for (const auto& e : names)
    if ((c & e.bit) == e.bit) s += std::string(s.empty() ? "" : " ") + e.name;
  return s;
}

/// "GET_CERTIFICATE offset 0 length 1016" and friends: the message name and its key fields.
inline std::string describe_spdm(bytes_view m) {
  if (m.size() < spdm::header::size) return "(short SPDM message)";
  const auto c = static_cast<spdm::code>(std::to_integer<std::uint8_t>(m[1]));
  const auto p1 = std::to_integer<std::uint8_t>(m[2]);
  std::string s = spdm::name(c);
  char buf[64] = "";
  if (c == spdm::code::get_certificate && m.size() >= 8)
    std::snprintf(buf, sizeof buf, " (offset %u, length %u)", load_u16le(m.subspan(4)), load_u16le(m.subspan(6)));
  else if (c == spdm::code::certificate && m.size() >= 8)
    std::snprintf(buf, sizeof buf, " (portion %u, remainder %u)", load_u16le(m.subspan(4)), load_u16le(m.subspan(6)));
  else if (c == spdm::code::key_update || c == spdm::code::key_update_ack)
    std::snprintf(buf, sizeof buf, " %s", spdm::name(static_cast<spdm::key_operation>(p1)));
  else if (c == spdm::code::error)
    std::snprintf(buf, sizeof buf, " %s", spdm::name(static_cast<spdm::error_code>(p1)));
  return s + buf;
}

/// An MCTP message as the demo prints it.
inline std::string describe_message(bytes_view m) {
  if (m.empty()) return "(empty)";
  const auto type = std::to_integer<std::uint8_t>(m[0]);
  if (type == spdm::mctp_type_spdm) return describe_spdm(m.subspan(1));
  if (type == 0x01 && m.size() >= 4)  // PLDM (DSP0241 over MCTP): Rq bit, type, command
    return std::string("PLDM ") + (m[3] == std::byte{0x02} ? "GetTID" : "command") +
           ((std::to_integer<unsigned>(m[1]) & 0x80) ? " request" : " response");
  char buf[48];
  if (type == spdm::mctp_type_secured_spdm && m.size() >= 5)
    std::snprintf(buf, sizeof buf, "SECURED session %08x", load_u32le(m.subspan(1)));
  else
    std::snprintf(buf, sizeof buf, "MCTP type 0x%02x", type);
  return buf;
}

/// A DSP0277 record (MCTP type 0x06) after it was opened in place: "HEARTBEAT (5 B + 12 B pad)". The clear header (type, SessionID, SequenceNumber, Length), ApplicationDataLength,
/// the inner MCTP message, the random padding, the 16-byte MAC.
inline std::string opened_record(bytes_view m) {
  const spdm::secured_layout l{};
  if (m.size() < l.record_size(0) || m[0] != std::byte{spdm::mctp_type_secured_spdm}) return {};
  const std::size_t plain = m.size() - l.header_size() - crypto::aead_tag_size;
  const std::size_t app = load_u16le(m.subspan(l.header_size()));
  if (app == 0 || app + 2 > plain) return {};
  return describe_message(m.subspan(l.app_offset(), app)) + " (" + std::to_string(app) + " B + " +
         std::to_string(plain - 2 - app) + " B pad)";
}

// ---- the simulated system ----------------------------------------------------------------------
struct world {
  struct ep_cfg : mctp::endpoint_defaults {
    static constexpr std::size_t max_message = ::pmci_demo_spdm::max_message;
    static constexpr std::size_t max_packet = ::pmci_demo_spdm::max_packet;
  };
  struct ctl_cfg : ep_cfg {
    static constexpr mctp::control::responder_config control_config{
        bmc_eid, mctp::control::endpoint_kind::bus_owner_or_bridge, 0, {}, mctp_types, {}, {}};
  };
  struct dev_cfg : ep_cfg {
    static constexpr mctp::control::responder_config control_config{
        dev_eid, mctp::control::endpoint_kind::simple, 0, {}, mctp_types, {}, {}};
  };
  using responder_t = spdm::responder<rsp_config, policy, device>;
  using sresponder_t = spdm::session_responder<responder_t, policy, device, session_config>;
  using requester_t = spdm::requester<req_config, policy>;
  using srequester_t = spdm::session_requester<requester_t, policy, session_config>;

  // The bus, the two I3C bindings and MCTP endpoints. Reassembly timeout and tag lifetime in
  // ticks (one tick = one step() of the bus): generous, since signing and ECDHE happen between
  // two ticks here.
  sim::mctp_i3c_pair<ctl_cfg, dev_cfg> link{dev_addr, dev_eid, {.timeout_ticks = 100000}, 100000};

  // The SPDM stacks: the device's responder, the BMC's requester.
  policy rsp_crypto, req_crypto;
  device dev;
  responder_t rsp{rsp_crypto, dev};
  sresponder_t sr{rsp, rsp_crypto, dev};
  requester_t req{req_crypto};
  srequester_t sq{req, req_crypto};

  std::array<std::byte, max_message> tgt_rx{}, tgt_tx{};
  std::string inner;  // what the device found inside the last secured record it opened
  std::uint32_t messages = 0, packets = 0;
  bool tamper = false;   // --tamper: corrupt the signed MEASUREMENTS on its way to the BMC
  bytes_view pending{};  // the last response, printed once the requester has opened it
  std::uint32_t pending_packets = 0;

  /// The device's firmware: an MCTP message in, the session responder's answer out.
  bytes_view serve(const mctp::received_message& m) {
    std::copy(m.data.begin(), m.data.end(), tgt_rx.begin());
    const bytes_span in = std::span{tgt_rx}.first(m.data.size());
    auto out = sr.handle(in, tgt_tx, link.now);
    // The session responder opened the record in place: show what was inside.
    inner = out ? opened_record(in) : std::string{};
    return out ? bytes_view{*out} : bytes_view{};
  }

  /// The requester's transport (pmci::transport::message_transport): one MCTP message out
  /// through the controller, the answer back; prints both.
  struct transport_t {
    world* w;
    result<bytes_span> exchange(bytes_view request, bytes_span response) {
      w->flush();
      const auto before = w->link.bus.stats();
      auto r = w->link.exchange(request, response, [this](const mctp::received_message& m) { return w->serve(m); });
      const auto after = w->link.bus.stats();
      w->print('>', request, after.writes - before.writes, w->inner.empty() ? "" : "device decrypted: " + w->inner);
      if (!r) return r;
      const bytes_span got = *r;
      // --tamper: a man in the middle behind the bus (PEC would catch a flipped bit on the wire)
      // changes the first measurement digest: byte 15 of MEASUREMENTS (header 4, NumberOfBlocks
      // 1, MeasurementRecordLength 3, block header 4, DMTF value type and size 3).
      if (w->tamper && got.size() > 32 && got[0] == std::byte{spdm::mctp_type_spdm} &&
          got[2] == std::byte{static_cast<std::uint8_t>(spdm::code::measurements)}) {
        got[1 + 15] ^= std::byte{0x01};
        w->tamper = false;
      }
      // Printed at the next exchange or say(): a secured answer is opened in place by the
      // session requester after this returns, so its clear contents can be shown then.
      w->pending = got;
      w->pending_packets = after.reads - before.reads;
      w->messages += 2;
      w->packets += (after.writes - before.writes) + (after.reads - before.reads);
      return got;
    }
  };

  void print(char dir, bytes_view m, std::uint32_t pk, const std::string& note) const {
    std::printf("     %c %-42s %5zu B %2u pkt%s%s\n", dir, describe_message(m).c_str(), m.size(), pk,
                note.empty() ? "" : "  ", note.c_str());
  }
  /// Print the last response; `opened`: the requester accepted it (a secured one is now clear).
  void flush(bool opened = true) {
    if (pending.empty()) return;
    std::string note;
    if (opened && pending[0] == std::byte{spdm::mctp_type_secured_spdm})
      if (auto in = opened_record(pending); !in.empty()) note = "BMC decrypted: " + in;
    print('<', pending, pending_packets, note);
    pending = {};
  }
  /// printf, after the pending response line.
  __attribute__((format(printf, 2, 3))) void say(const char* fmt, ...) {
    flush();
    va_list ap;
    va_start(ap, fmt);
    std::vprintf(fmt, ap);
    va_end(ap);
  }
  bool check(bool ok, const char* what) {
    flush(ok);
    if (!ok) std::printf("  !! FAILED: %s\n", what);
    return ok;
  }
};

inline int run_spdm_demo(const std::string& key_dir, bool tamper = false) {
  std::printf("\n== SPDM over MCTP over I3C: attestation and a secured session (pmci::spdm + OpenSSL) ==\n");
  auto w = std::make_unique<world>();
  w->tamper = tamper;
  if (tamper) std::printf("  --tamper: one bit of the first measurement digest is flipped on its way to the BMC\n");
  world::transport_t t{w.get()};

  // Key material (examples/demo/keys): the device's chain and key, the BMC's trust anchor.
  w->dev.chain = read_file(key_dir + "/chain.der");
  const bytes anchor = read_file(key_dir + "/ca.cert.der");
  const bytes key_pem = read_file(key_dir + "/leaf.key.pem");
  auto key = key_pem.empty() ? result<policy::sign_key>{errc::invalid_state} : w->rsp_crypto.load_private_key(key_pem);
  if (!w->check(!w->dev.chain.empty() && !anchor.empty() && key.has_value(), "reading the keys (--keys DIR)")) return 10;
  w->dev.key = std::move(*key);
  const std::array<const char*, 4> components{"boot ROM", "firmware 1.4.2", "hardware straps", "firmware config"};
  for (std::size_t i = 0; i < components.size(); ++i) {
    const std::string_view c = components[i];
    if (!crypto::compute_hash(w->rsp_crypto, crypto::hash_alg::sha384, std::as_bytes(std::span{c}), w->dev.digests[i])) return 10;
  }
  const std::array<bytes_view, 1> anchors{bytes_view{anchor}};
  w->say("  BMC (I3C controller, EID 0x%02x): spdm::requester + session_requester; trust anchor \"%s\"\n", bmc_eid,
         common_name(anchor).c_str());
  w->say("  device (I3C target 0x%02x, EID 0x%02x): spdm::responder + session_responder, DataTransferSize %u\n",
         dev_addr, dev_eid, rsp_config::max_message_size);
  w->say("  > request / < response: MCTP message (type byte included), packets of <= 64 bytes on the bus\n");

  auto& req = w->req;
  auto& sq = w->sq;
  auto link = sq.tap(t);  // the session layer sees DIGESTS (part of its transcripts)
  const auto failed = [&](const char* what) {
    w->flush(false);
    std::printf("  !! FAILED: %s (%s)\n", what, spdm::name(req.last_failure()));
    return 1;
  };

  // 1. Version, capabilities, algorithms.
  w->say("\n  -- 1. GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS\n");
  if (!req.connect(link)) return failed("connection");
  const spdm::negotiated& n = req.negotiated_params();
  std::string offered;
  for (auto v : {spdm::version::v1_0, spdm::version::v1_1, spdm::version::v1_2, spdm::version::v1_3})
    if (req.responder_versions().contains(v)) offered += " " + version_text(v);
  w->say("  => SPDM %s (device offers%s)\n     device capabilities: %s\n", version_text(n.ver).c_str(), offered.c_str(),
         capability_names(n.rsp_caps).c_str());
  w->say("     algorithms: %s, %s, measurements %s; sessions: %s, %s, key schedule %s\n", spdm::name(n.hash),
         spdm::name(n.asym), spdm::name(n.measurement_hash), spdm::name(n.dhe), spdm::name(n.aead), "SPDM");

  // 2. Digests and the certificate chain.
  w->say("\n  -- 2. GET_DIGESTS, GET_CERTIFICATE (slot 0)\n");
  if (!req.get_digests(link)) return failed("GET_DIGESTS");
  if (!req.get_certificate(link, 0, anchors, static_cast<std::int64_t>(std::time(nullptr)))) return failed("GET_CERTIFICATE");
  const auto chain = spdm::cert_chain::decode(req.cert_chain(), n);
  if (!w->check(chain.has_value(), "certificate chain format")) return 1;
  w->say("  => slot mask 0x%02x, slot 0 digest %s; chain %zu B (header + RootHash + %zu certificates):\n",
         req.digest_slot_mask(), hex(req.slot_digest(0)).c_str(), chain->size(), chain->count());
  std::size_t depth = 0;
  for (auto cert : *chain) {
    const char* role = depth == 0 ? "  (root = trust anchor)" : depth + 1 == chain->count() ? "  (leaf: signs)" : "";
    w->say("       [%zu] %-32s %4zu B%s\n", depth, common_name(cert).c_str(), cert.size(), role);
    ++depth;
  }
  w->say("     verified: RootHash, Hash(chain) = DIGESTS slot 0, signatures up to the trust anchor, validity dates\n");

  // 3. CHALLENGE.
  w->say("\n  -- 3. CHALLENGE (slot 0, MeasurementSummaryHash of all measurements)\n");
  auto ch = req.challenge(link, 0, spdm::summary_hash_type::all);
  if (!ch) return failed("CHALLENGE");
  w->say("  => CHALLENGE_AUTH: CertChainHash matches, %s signature over the transcript M1/M2 verified\n"
         "     with the leaf key; MeasurementSummaryHash %s\n",
         spdm::name(n.asym), hex(ch->measurement_summary_hash()).c_str());

  // 4. Signed measurements.
  w->say("\n  -- 4. GET_MEASUREMENTS (all, signed)\n");
  auto m = req.get_measurements(link, {.operation = spdm::meas_op_all, .signature = true});
  if (!m) return failed("GET_MEASUREMENTS");
  if (!w->check(m->signature_verified && m->record().count == 5, "MEASUREMENTS: signature and 5 blocks")) return 1;
  const bytes record(m->record().raw.begin(), m->record().raw.end());  // for the in-session comparison
  for (auto b : m->record()) {
    const auto v = b.dmtf();
    const std::string value = v.raw_bit_stream() ? "\"" + std::string(reinterpret_cast<const char*>(v.value.data()), v.value.size()) + "\""
                                                  : hex(v.value) + " (" + std::to_string(v.value.size()) + " B digest)";
    w->say("       index 0x%02x  %-26s %s\n", b.index, spdm::name(v.type()), value.c_str());
  }
  w->say("  => %u blocks, %s signature over L1/L2 verified\n", m->record().count, spdm::name(n.asym));

  // 5. A secured session.
  w->say("\n  -- 5. KEY_EXCHANGE, FINISH: a secured session (DSP0277 records, MCTP type 0x06)\n");
  auto sid = sq.key_exchange(t, {.slot = 0, .summary = spdm::summary_hash_type::tcb});
  if (!w->check(sid.has_value(), "KEY_EXCHANGE / FINISH")) return 1;
  w->say("  => session %08x established: KEY_EXCHANGE_RSP signature and ResponderVerifyData verified,\n"
         "     FINISH accepted (RequesterVerifyData); %s ECDHE, %s records; TCB summary %s\n",
         *sid, spdm::name(n.dhe), spdm::name(n.aead), hex(sq.last_summary_hash()).c_str());

  w->say("\n  -- 6. HEARTBEAT\n");
  if (!w->check(sq.heartbeat(t, *sid).has_value(), "HEARTBEAT")) return 1;
  w->say("  => HEARTBEAT_ACK: the session is alive\n");

  w->say("\n  -- 7. KEY_UPDATE (UpdateAllKeys, then VerifyNewKey under the new keys)\n");
  if (!w->check(sq.key_update(t, *sid, spdm::key_operation::update_all_keys).has_value(), "KEY_UPDATE")) return 1;
  w->say("  => both directions rekeyed; KEY_UPDATE_ACKs matched (operation and tag)\n");

  w->say("\n  -- 8. application messages inside the session\n");
  std::array<std::byte, 64> app{};
  writer aw{app};
  aw.u8(spdm::mctp_type_spdm);
  const std::array<std::byte, spdm::requester_context_size> context{};
  spdm::get_measurements gm;
  gm.operation = spdm::meas_op_all;
  gm.requester_context = n.ver >= spdm::version::v1_3 ? bytes_view{context} : bytes_view{};
  if (!w->check(gm.encode(aw, n).has_value(), "encoding GET_MEASUREMENTS")) return 1;
  auto in_session = sq.send_receive(t, *sid, aw.written());
  if (!w->check(in_session.has_value() && !in_session->empty() && (*in_session)[0] == std::byte{spdm::mctp_type_spdm},
             "GET_MEASUREMENTS in the session"))
    return 1;
  const auto sm = spdm::measurements::decode(in_session->subspan(1), n,
                                             spdm::response_context::answering(*spdm::header::decode(aw.written().subspan(1))));
  if (!w->check(sm.has_value() && equal(sm->record.raw, record), "in-session MEASUREMENTS = the signed record")) return 1;
  w->say("  => MEASUREMENTS (unsigned, inside the session): %u blocks, identical to the signed record\n",
         sm->record.count);
  const std::array<std::byte, 4> get_tid{std::byte{0x01}, std::byte{0x80}, std::byte{0x00}, std::byte{0x02}};
  auto tid = sq.send_receive(t, *sid, get_tid);
  if (!w->check(tid.has_value() && tid->size() == 6 && (*tid)[4] == std::byte{0x00}, "PLDM GetTID in the session")) return 1;
  w->say("  => PLDM GetTID (MCTP type 0x01, served by Device::session_message): completion 0, TID 0x%02x\n",
         std::to_integer<unsigned>((*tid)[5]));

  w->say("\n  -- 9. END_SESSION\n");
  if (!w->check(sq.end_session(t, *sid).has_value(), "END_SESSION")) return 1;
  if (!w->check(w->sr.sessions().active() == 0 && sq.sessions().active() == 0, "no session left on either side")) return 1;
  w->say("  => END_SESSION_ACK; session keys wiped on both sides\n");

  const auto& s = w->link.bus.stats();
  const bool clean = w->link.ep_ctl.rx_drops().total() == 0 && w->link.ep_dev.rx_drops().total() == 0 && s.nacks == 0;
  w->say("\n  totals: %u MCTP messages in %u packets (%u private writes, %u private reads, %u IBIs), "
         "%u packets dropped\n",
         w->messages, w->packets, s.writes, s.reads, s.ibis,
         static_cast<unsigned>(w->link.ep_ctl.rx_drops().total() + w->link.ep_dev.rx_drops().total()));
  if (!w->check(clean, "no dropped packets")) return 1;
  w->say("  every step verified\n");
  return 0;
}

}  // namespace pmci_demo_spdm

using pmci_demo_spdm::run_spdm_demo;
