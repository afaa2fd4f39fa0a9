// SPDX-License-Identifier: Apache-2.0
// pmci-spdm-responder: a stand-in for DMTF spdm-emu's spdm_responder_emu (shared/interop/README.md):
// the spdm-emu socket protocol (server side of pmci/transport/spdm_emu_socket.hpp) in front of
// pmci::spdm::responder + pmci::spdm::session_responder with OpenSSL. See docs/spdm_emu.md.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <fstream>
#include <sstream>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common.hpp"
#include "pmci/spdm/measurements.hpp"
#include "pmci/spdm/responder.hpp"
#include "pmci/spdm/session/responder_session.hpp"
#include "pmci/transport/spdm_emu_socket.hpp"
#include "pmci/version.hpp"

namespace {

using namespace pmci;
using namespace pmci::emu;
namespace sock = pmci::transport::spdm_emu;

constexpr const char* usage =
    "usage: pmci-spdm-responder [options]   (a stand-in for spdm-emu's spdm_responder_emu)\n"
    "  --trans MCTP|NONE|PCI_DOE|TCP   transport on the socket (default MCTP; sessions need MCTP)\n"
    "  --ip A.B.C.D                    bind address (default 127.0.0.1)\n"
    "  --port N                        TCP port (default 2323; 4194 for TCP)\n"
    "  --ver 1.0,1.1,1.2,1.3           versions offered (default all)\n"
    "  --hash SHA_256,SHA_384,SHA_512  base hash algorithms allowed\n"
    "  --meas_hash SHA_256,...         measurement hash algorithms allowed\n"
    "  --asym ECDSA_P256,ECDSA_P384    signature algorithms allowed\n"
    "  --req_asym ECDSA_P256,...       requester signature algorithms (mutual auth) allowed\n"
    "  --dhe SECP_256_R1,SECP_384_R1   DHE groups allowed\n"
    "  --aead AES_128_GCM,AES_256_GCM,CHACHA20_POLY1305   AEADs allowed\n"
    "  --cap CERT,CHAL,MEAS_SIG,...    capability flags (a subset of what pmci implements)\n"
    "  --mut_auth NO|WO_ENCAP|W_ENCAP|DIGESTS   mutual authentication in KEY_EXCHANGE (default\n"
    "                                  W_ENCAP; WO_ENCAP uses DIR/<alg>/bundle_requester.certchain.der)\n"
    "  --basic_mut_auth NO             (BASIC is not implemented)\n"
    "  --key-dir DIR                   spdm-emu key layout: DIR/<ecp256|ecp384>/... (required)\n"
    "  --psk HEX / --psk-hint HEX      pre-shared key and hint (default TestPskData\\0 / TestPskHint\\0)\n"
    "  --meas-file FILE                measurements: lines `INDEX TYPE CONTENT_HEX [tcb]` (default: a\n"
    "                                  built-in set of five)\n"
    "  --pcap FILE                     write every message (LINKTYPE_MCTP, spdm-emu convention)\n"
    "  --timeout MS                    per-frame socket timeout (default 30000)\n"
    "  --accept-timeout MS             exit when no client connects for MS (default: wait forever)\n"
    "  --port-file FILE                write the bound port to FILE (with --port 0: an ephemeral\n"
    "                                  port; pmci-spdm-requester --port-file reads it)\n"
    "  -v                              log every message on stderr\n";

struct options : common_options {
  std::string meas_file;
  int accept_timeout_ms = -1;
  spdm::mut_auth_policy mut_auth = spdm::mut_auth_policy::encapsulated;
  std::optional<std::uint32_t> caps;
};

/// What one algorithm directory provides.
struct key_set {
  spdm::base_asym alg{};
  std::array<bytes, 4> chains;  // slot 0..3 (DER certificates, root first)
  bytes requester_chain;        // bundle_requester.certchain.der: the requester's chain, known in
                                // advance (--mut_auth WO_ENCAP, as spdm-emu provisions it)
  policy::sign_key key{};
  bool loaded = false;
};

/// One measurement block of the Device.
struct measurement {
  std::uint8_t index = 0;
  std::uint8_t type = 0;  ///< DMTFSpecMeasurementValueType; bit 7 = always sent raw
  bytes content;
  bool tcb = false;
};

bytes text_bytes(std::string_view s) {
  return bytes(reinterpret_cast<const std::byte*>(s.data()), reinterpret_cast<const std::byte*>(s.data()) + s.size());
}

/// The built-in set: 1 immutable ROM, 2 mutable firmware (both in the TCB), 3 hardware
/// configuration, 4 firmware configuration (digests of a fixed text each), 0x10 the pmci
/// version as a raw bit stream.
std::vector<measurement> builtin_measurements() {
  std::vector<measurement> m;
  const char* names[] = {"pmci immutable ROM", "pmci mutable firmware", "pmci hardware configuration",
                         "pmci firmware configuration"};
  for (std::uint8_t i = 1; i <= 4; ++i)
    m.push_back({i, static_cast<std::uint8_t>(i - 1), text_bytes(names[i - 1]), i <= 2});
  m.push_back({0x10, 0x86, text_bytes(std::string("pmci ") + pmci::version_string), false});
  return m;
}

std::vector<std::uint8_t> index_list(const std::vector<measurement>& blocks) {
  std::vector<std::uint8_t> out;
  for (const auto& b : blocks) out.push_back(b.index);
  std::sort(out.begin(), out.end());
  return out;
}

/// --meas-file: one block per line, `INDEX TYPE CONTENT [tcb]` with INDEX 1..254 (decimal or
/// 0x..), TYPE the DMTFSpecMeasurementValueType byte in hex (bit 7: always raw) and CONTENT in
/// hex; '#' starts a comment.
std::optional<std::vector<measurement>> read_measurements(const std::string& path, std::string& error) {
  std::ifstream in(path);
  if (!in) {
    error = fmt::format("cannot open {}", path);
    return std::nullopt;
  }
  std::vector<measurement> out;
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (const auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream ls(line);
    std::string idx, type, content, flag;
    if (!(ls >> idx)) continue;
    if (!(ls >> type >> content)) {
      error = fmt::format("{}:{}: expected INDEX TYPE CONTENT", path, n);
      return std::nullopt;
    }
    ls >> flag;
    const unsigned long i = std::stoul(idx, nullptr, 0), t = std::stoul(type, nullptr, 16);
    auto c = parse_hex(content);
    if (i < 1 || i > 254 || t > 0xFF || !c || c->empty()) {
      error = fmt::format("{}:{}: index 1..254, a type byte and hex content expected", path, n);
      return std::nullopt;
    }
    for (const auto& b : out)
      if (b.index == i) {
        error = fmt::format("{}:{}: index {} twice", path, n, i);
        return std::nullopt;
      }
    out.push_back({static_cast<std::uint8_t>(i), static_cast<std::uint8_t>(t), *c, flag == "tcb"});
  }
  if (out.empty()) {
    error = fmt::format("{}: no measurements", path);
    return std::nullopt;
  }
  return out;
}

/// The Device: certificates and key of the negotiated algorithm, measurements, PSK, anchors.
struct device {
  policy* crypto = nullptr;
  std::vector<key_set> sets;
  const spdm::negotiated* params = nullptr;  // the engine's negotiated_params()
  bytes psk_value, psk_hint;
  std::vector<bytes> anchors;
  std::vector<bytes_view> anchor_views;

  const key_set* current() const {
    const spdm::base_asym a = params != nullptr ? params->asym : spdm::base_asym::none;
    for (const auto& s : sets)
      if (s.alg == a) return &s;
    return nullptr;
  }
  bytes_view cert_chain(std::uint8_t slot) const {
    const key_set* s = current();
    return s != nullptr && slot < s->chains.size() ? bytes_view{s->chains[slot]} : bytes_view{};
  }
  /// --mut_auth WO_ENCAP: the requester's chain for the negotiated ReqBaseAsymAlg (the session
  /// layer verifies it against the trust anchors before it relies on it). Slot 0 only: spdm-emu
  /// provisions one requester chain.
  bytes_view requester_cert_chain(std::uint8_t slot) const {
    const spdm::base_asym a = params != nullptr ? params->req_asym : spdm::base_asym::none;
    if (slot != 0) return {};
    for (const auto& s : sets)
      if (s.alg == a) return s.requester_chain;
    return {};
  }
  const policy::sign_key* sign_key(std::uint8_t slot) const {
    const key_set* s = current();
    return s != nullptr && slot < s->chains.size() && !s->chains[slot].empty() ? &s->key : nullptr;
  }
  // Measurements: the content of each block; the digest form is Hash(content) with the
  // negotiated MeasurementHashAlgo, the raw form (value type bit 7, DSP0274 DMTFSpecMeasurement-
  // ValueType) is the content itself, sent when the type says raw or the requester asks (1.2+).
  std::vector<measurement> blocks = builtin_measurements();
  std::vector<std::uint8_t> indices = index_list(blocks);

  std::span<const std::uint8_t> measurement_indices() const { return indices; }
  result<void> write_measurement(std::uint8_t index, const spdm::measurement_request& req, writer& w) {
    for (const auto& b : blocks) {
      if (b.index != index) continue;
      if ((b.type & 0x80) != 0 || req.raw_bit_stream_requested)
        return spdm::measurement_block::write_dmtf(w, index, static_cast<std::uint8_t>(b.type | 0x80), b.content);
      const auto alg = spdm::to_crypto(req.hash);
      if (!alg) return errc::unsupported;
      policy::hash_state st{};
      std::array<std::byte, 64> d{};
      if (!crypto->hash_init(st, *alg) || !crypto->hash_update(st, b.content) ||
          !crypto->hash_final(st, std::span{d}.first(req.hash_size())))
        return errc::unsupported;
      return spdm::measurement_block::write_dmtf(w, index, b.type, bytes_view{d}.first(req.hash_size()));
    }
    return errc::out_of_range;
  }
  bool measurement_in_tcb(std::uint8_t index) const {
    for (const auto& b : blocks)
      if (b.index == index) return b.tcb;
    return false;
  }
  bytes_view psk(bytes_view hint) const {
    if (hint.size() == psk_hint.size() && std::equal(hint.begin(), hint.end(), psk_hint.begin())) return psk_value;
    return {};
  }
  /// Application messages (MCTP types other than SPDM) inside a session: echoed, so that a
  /// requester's APP flow gets an answer (DSP0276 leaves their meaning to the application).
  result<std::size_t> session_message(std::uint32_t, bytes_view m, bytes_span out) {
    if (m.size() > out.size()) return errc::buffer_too_small;
    std::copy(m.begin(), m.end(), out.begin());
    return m.size();
  }
  std::span<const bytes_view> requester_trust_anchors() {
    anchor_views.assign(anchors.begin(), anchors.end());
    return anchor_views;
  }
};

using responder_t = spdm::responder<responder_config, policy, device>;
using sresponder_t = spdm::session_responder<responder_t, policy, device, session_config<true>>;

/// The socket handler: pcap, optional trace, then the session layer (which passes plain SPDM to
/// the engine).
struct handler {
  sresponder_t* sr = nullptr;
  pcap_log* pcap = nullptr;
  bool verbose = false;
  bytes rx = bytes(8192);
  // OOB_ENCAP_KEY_UPDATE acts on "the current session" (spdm-emu: the last one used): the
  // session of the last secured record received. With none yet, the next secured record's
  // session gets the key update.
  std::optional<std::uint32_t> last_session;
  bool key_update_deferred = false;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();

  result<bytes_span> handle(bytes_view request, bytes_span tx) {
    if (request.size() > rx.size()) return errc::buffer_too_small;
    pcap->log(request);
    std::copy(request.begin(), request.end(), rx.begin());
    // GET_VERSION (05 ‖ 1x 84) resets the connection and ends every session (DSP0274 §10.2):
    // an OOB_ENCAP_KEY_UPDATE after it waits for the next session's first record.
    if (request.size() >= 3 && request[0] == std::byte{0x05} && request[2] == std::byte{0x84}) last_session.reset();
    // DSP0276 secured message over MCTP: message type 0x06, then the 4-byte session ID (LE).
    if (request.size() >= 5 && std::to_integer<std::uint8_t>(request[0] & std::byte{0x7F}) == 0x06) {
      last_session = static_cast<std::uint32_t>(std::to_integer<std::uint32_t>(request[1]) |
                                                (std::to_integer<std::uint32_t>(request[2]) << 8) |
                                                (std::to_integer<std::uint32_t>(request[3]) << 16) |
                                                (std::to_integer<std::uint32_t>(request[4]) << 24));
      if (key_update_deferred) {
        key_update_deferred = false;
        start_key_update();
      }
    }
    const auto now =
        static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
    (void)sr->expire_heartbeats(now);
    auto rsp = sr->handle(std::span{rx}.first(request.size()), tx, now);
    if (verbose) {
      fmt::print(stderr, "req {}\n", hex(request, 48));
      if (rsp) fmt::print(stderr, "rsp {}\n", hex(*rsp, 48));
      else fmt::print(stderr, "rsp (none: {})\n", to_string(rsp.error()));
    }
    if (rsp) pcap->log(*rsp);
    return rsp;
  }
  void start_key_update() {
    const auto r = sr->start_key_update(*last_session);
    if (r) fmt::print(stderr, "OOB_ENCAP_KEY_UPDATE: key update of session 0x{:08x} queued (served at the "
                      "requester's next GET_ENCAPSULATED_REQUEST)\n", *last_session);
    else fmt::print(stderr, "OOB_ENCAP_KEY_UPDATE: session 0x{:08x}: {}\n", *last_session, to_string(r.error()));
  }
  // The server echoes the command after this hook (empty payload), as spdm-emu does.
  void on_oob(sock::command c) {
    if (c == sock::command::oob_encap_key_update) {
      if (last_session) start_key_update();
      else key_update_deferred = true;
      return;
    }
    fmt::print(stderr, "note: out-of-band command 0x{:04x} echoed; responder-initiated GET_ENDPOINT_INFO "
               "is not implemented\n", static_cast<std::uint32_t>(c));
  }
  void on_error(errc e) { fmt::print(stderr, "connection dropped: {}\n", to_string(e)); }
};

std::optional<options> parse(int argc, char** argv) {
  options o;
  std::string err;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    std::string v;
    const auto fail = [&]() -> std::optional<options> {
      fmt::print(stderr, "pmci-spdm-responder: {}\n", err);
      return std::nullopt;
    };
    if (a == "-h" || a == "--help") {
      std::fputs(usage, stdout);
      std::exit(0);
    } else if (a == "--version") {
      fmt::print("pmci-spdm-responder {}\n", pmci::version_string);
      std::exit(0);
    } else if (a == "-v") {
      o.verbose = true;
    } else if (!take_value("pmci-spdm-responder", i, argc, argv, v)) {
      return std::nullopt;
    } else if (a == "--meas_hash") {
      auto m = parse_mask(meas_hash_names, v, "--meas_hash", err);
      if (!m) return fail();
      o.limits.meas_hash = *m;
    } else if (a == "--key_schedule") {
      if (v != "HMAC_HASH") fmt::print(stderr, "note: --key_schedule {}: only HMAC_HASH (SPDM) exists\n", v);
    } else if (a == "--cap") {
      o.caps = parse_caps(v, true);
    } else if (a == "--mut_auth") {
      if (v == "NO") o.mut_auth = spdm::mut_auth_policy::none;
      else if (v == "WO_ENCAP") o.mut_auth = spdm::mut_auth_policy::without_encapsulated;
      else if (v == "W_ENCAP") o.mut_auth = spdm::mut_auth_policy::encapsulated;
      else if (v == "DIGESTS") o.mut_auth = spdm::mut_auth_policy::implicit_digests;
      else {
        err = fmt::format("--mut_auth {}: expected NO, WO_ENCAP, W_ENCAP or DIGESTS", v);
        return fail();
      }
    } else if (a == "--basic_mut_auth") {
      if (v != "NO")
        fmt::print(stderr, "note: --basic_mut_auth {}: basic mutual authentication (CHALLENGE with "
                   "encapsulated requests) is not implemented; ignored\n", v);
    } else if (a == "--meas-file") {
      o.meas_file = v;
    } else if (a == "--accept-timeout") {
      o.accept_timeout_ms = std::stoi(v);
    } else if (a == "--meas_spec" || a == "--slot_id" || a == "--slot_count" || a == "--exe_mode" ||
               a == "--other_param" || a == "--mel_spec") {
      fmt::print(stderr, "note: {} {}: accepted for compatibility, ignored\n", a, v);
    } else {
      const auto r = parse_common_option(a, v, o, err);
      if (r == option_result::error) return fail();
      if (r == option_result::unknown) {
        fmt::print(stderr, "pmci-spdm-responder: unknown option {}\n{}", a, usage);
        return std::nullopt;
      }
      if (a == "--trans" && (o.trans == sock::transport_type::pci_doe || o.trans == sock::transport_type::tcp))
        fmt::print(stderr, "note: --trans {}: framing from spdm_emu_frame.hpp, no sessions "
                   "(pmci's session layer is MCTP-only); not covered by pmci's tests\n", v);
    }
  }
  if (o.key_dir.empty()) {
    fmt::print(stderr, "pmci-spdm-responder: --key-dir DIR is required\n{}", usage);
    return std::nullopt;
  }
  return o;
}

}  // namespace

namespace {
int run_main(int argc, char** argv) {
  auto parsed = parse(argc, argv);
  if (!parsed) return 2;
  options& o = *parsed;

  policy crypto;
  auto dev = std::make_unique<device>();
  dev->crypto = &crypto;
  dev->psk_value = o.psk;
  dev->psk_hint = o.psk_hint;
  if (!o.meas_file.empty()) {
    std::string err;
    auto m = read_measurements(o.meas_file, err);
    if (!m) {
      fmt::print(stderr, "pmci-spdm-responder: --meas-file: {}\n", err);
      return 2;
    }
    dev->blocks = std::move(*m);
    dev->indices = index_list(dev->blocks);
  }

  // Key material per allowed algorithm; an algorithm without keys is dropped from the offer.
  std::uint32_t have_asym = 0, have_req = 0;
  for (const auto& n : asym_names) {
    if ((spdm::raw(n.value) & o.limits.asym) == 0 && (spdm::raw(n.value) & o.limits.req_asym) == 0) continue;
    const std::string dir = o.key_dir + "/" + key_dir_name(n.value) + "/";
    key_set ks;
    ks.alg = n.value;
    auto chain = read_file(dir + "bundle_responder.certchain.der");
    auto key_pem = read_file(dir + "end_responder.key");
    if (chain && key_pem) {
      auto k = crypto.load_private_key(*key_pem);
      if (k) {
        ks.key = std::move(*k);
        ks.chains[0] = *chain;
        for (int s = 1; s < 4; ++s)
          if (auto c = read_file(fmt::format("{}bundle_responder.certchain{}.der", dir, s))) ks.chains[static_cast<std::size_t>(s)] = *c;
        ks.loaded = true;
        have_asym |= spdm::raw(n.value);
      } else {
        fmt::print(stderr, "warning: {}end_responder.key: {}\n", dir, to_string(k.error()));
      }
    }
    if (auto c = read_file(dir + "bundle_requester.certchain.der")) ks.requester_chain = *c;
    for (const char* ca : {"ca.cert.der", "ca1.cert.der"})
      if (auto c = read_file(dir + ca)) {
        dev->anchors.push_back(*c);
        have_req |= spdm::raw(n.value);
      }
    if (ks.loaded) dev->sets.push_back(std::move(ks));
  }
  if ((o.limits.asym & have_asym) == 0) {
    fmt::print(stderr, "pmci-spdm-responder: no responder key material under {} for the allowed algorithms "
               "(expected <ecp256|ecp384>/bundle_responder.certchain.der and end_responder.key)\n", o.key_dir);
    return 1;
  }
  if ((o.limits.asym & ~have_asym & 0x0FFFu & (spdm::raw(spdm::base_asym::ecdsa_p256) | spdm::raw(spdm::base_asym::ecdsa_p384))) != 0 &&
      o.limits.asym != 0xFFFFFFFFu)
    fmt::print(stderr, "note: some --asym algorithms have no keys under {}: not offered\n", o.key_dir);
  o.limits.asym &= have_asym;
  o.limits.req_asym = static_cast<std::uint16_t>(o.limits.req_asym & have_req);

  // Capabilities: all that pmci implements (spdm-emu's default list minus what pmci lacks, so
  // HANDSHAKE_IN_CLEAR included), or exactly --cap; mutual authentication per --mut_auth.
  // --mut_auth NO drops MUT_AUTH_CAP only: ENCAP_CAP stays for the responder-initiated key
  // update (OOB_ENCAP_KEY_UPDATE), as with spdm-emu.
  std::uint32_t caps = o.caps ? *o.caps : spdm::raw(responder_config::capabilities);
  if (o.mut_auth == spdm::mut_auth_policy::none || o.limits.req_asym == 0) {
    caps &= ~spdm::raw(spdm::rsp_cap::mut_auth);
    o.mut_auth = spdm::mut_auth_policy::none;
  }
  if (o.trans != sock::transport_type::mctp)
    caps &= ~spdm::raw(spdm::rsp_cap::encrypt | spdm::rsp_cap::mac | spdm::rsp_cap::key_ex | spdm::rsp_cap::psk_mask |
                       spdm::rsp_cap::encap | spdm::rsp_cap::mut_auth | spdm::rsp_cap::hbeat | spdm::rsp_cap::key_upd |
                       spdm::rsp_cap::handshake_in_the_clear);
  o.limits.capabilities = caps;

  auto rsp = std::make_unique<responder_t>(crypto, *dev);
  dev->params = &rsp->negotiated_params();
  if (auto r = rsp->set_limits(o.limits); !r) {
    fmt::print(stderr, "pmci-spdm-responder: the options leave no valid configuration (empty algorithm "
               "list, or capability flags DSP0274 does not allow together)\n");
    return 2;
  }
  auto sr = std::make_unique<sresponder_t>(*rsp, crypto, *dev);
  if (auto m = sr->set_mut_auth((caps & spdm::raw(spdm::rsp_cap::mut_auth)) != 0 ? o.mut_auth : spdm::mut_auth_policy::none); !m) {
    fmt::print(stderr, "pmci-spdm-responder: --mut_auth: {}\n", to_string(m.error()));
    return 2;
  }

  pcap_log pcap;
  if (!pcap.open(o.pcap)) {
    fmt::print(stderr, "pmci-spdm-responder: cannot create {}\n", o.pcap);
    return 1;
  }

  sock::socket_options so;
  so.address = o.ip;
  so.transport = o.trans;
  so.port = o.port ? *o.port : (o.trans == sock::transport_type::tcp ? sock::default_tcp_port : sock::default_port);
  so.timeout_ms = o.timeout_ms;
  auto server = sock::server::listen(so);
  if (!server) {
    fmt::print(stderr, "pmci-spdm-responder: cannot listen on {}:{}: {} (errno {})\n", so.address, so.port,
               to_string(server.error()), errno);
    return 1;
  }
  fmt::print(stderr, "pmci-spdm-responder {}: listening on {}:{} ({})\n", pmci::version_string, so.address,
             server->port(), sock::name(o.trans));

  if (!o.port_file.empty()) {
    // Written to a temporary name and renamed, so that a reader never sees a partial file.
    const std::string tmp = o.port_file + ".tmp";
    std::FILE* f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr || std::fprintf(f, "%u\n", static_cast<unsigned>(server->port())) < 0 || std::fclose(f) != 0 ||
        std::rename(tmp.c_str(), o.port_file.c_str()) != 0) {
      fmt::print(stderr, "pmci-spdm-responder: cannot write {}\n", o.port_file);
      return 1;
    }
  }

  handler h;
  h.sr = sr.get();
  h.pcap = &pcap;
  h.verbose = o.verbose;
  std::vector<std::byte> rx(so.max_payload + 64), tx(8192);
  sock::serve_limits limits;
  limits.accept_timeout_ms = o.accept_timeout_ms;
  const auto report = server->serve(h, rx, tx, limits);
  pcap.close();
  fmt::print(stderr, "pmci-spdm-responder: {} connection(s), {} request(s), {} dropped; {}\n", report.connections,
             report.requests, report.errors,
             report.reason == sock::serve_report::stop_reason::shutdown ? "SHUTDOWN" : "stopped without SHUTDOWN");
  return report.reason == sock::serve_report::stop_reason::shutdown ? 0 : 1;
}
}  // namespace

int main(int argc, char** argv) {
  // Host tool: a malformed number on the command line (std::stoul) ends up here.
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "pmci-spdm-responder: {}\n", e.what());
    return 2;
  }
}
