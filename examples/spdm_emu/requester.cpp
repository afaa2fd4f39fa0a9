// SPDX-License-Identifier: Apache-2.0
// pmci-spdm-requester: a stand-in for DMTF spdm-emu's spdm_requester_emu (shared/interop/README.md):
// the client side of pmci/transport/spdm_emu_socket.hpp driving pmci::spdm::requester +
// pmci::spdm::session_requester with OpenSSL, printing a readable report. Exit status 0 only
// when every requested step succeeded. See docs/spdm_emu.md.
#include <fmt/format.h>
#include <openssl/x509.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <exception>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "common.hpp"
#include "pmci/spdm/measurements.hpp"
#include "pmci/spdm/requester.hpp"
#include "pmci/spdm/session/requester_session.hpp"
#include "pmci/transport/spdm_emu_socket.hpp"
#include "pmci/version.hpp"

namespace {

using namespace pmci;
using namespace pmci::emu;
namespace sock = pmci::transport::spdm_emu;

constexpr const char* usage =
    "usage: pmci-spdm-requester [options]   (a stand-in for spdm-emu's spdm_requester_emu)\n"
    "  --trans MCTP|NONE|PCI_DOE|TCP   transport on the socket (default MCTP; sessions need MCTP)\n"
    "  --ip A.B.C.D / --port N         the responder (default 127.0.0.1:2323)\n"
    "  --ver 1.0,1.1,1.2,1.3           versions accepted (default all; the highest common is used)\n"
    "  --hash, --asym, --req_asym, --dhe, --aead   algorithms offered (spdm-emu names)\n"
    "  --cap LIST                      capability flags offered (subset of what pmci implements)\n"
    "  --exe_conn VCA,DIGEST,CERT,CHAL,MEAS        connection flow (default all)\n"
    "  --exe_session KEY_EX,PSK,HEARTBEAT,KEY_UPDATE,MEAS,NO_END   session flow (default all but NO_END)\n"
    "  --meas_op ALL|ONE_BY_ONE        measurements in one request or index by index (default ONE_BY_ONE)\n"
    "  --exe_mode SHUTDOWN|CONTINUE    how to end the connection (default SHUTDOWN)\n"
    "  --mut_auth NO|WO_ENCAP|W_ENCAP|DIGESTS   NO: do not offer mutual authentication; otherwise offer\n"
    "                                  it when the key dir has a requester identity (default). The mode\n"
    "                                  is the responder's choice; every one is served\n"
    "  --oob-key-update                in each session, after KEY_UPDATE: send OOB_ENCAP_KEY_UPDATE on the\n"
    "                                  socket, then poll with GET_ENCAPSULATED_REQUEST and serve the\n"
    "                                  responder-initiated KEY_UPDATE\n"
    "  --slot_id N                     responder certificate slot (default 0)\n"
    "  --key-dir DIR                   spdm-emu key layout: trust anchors DIR/<alg>/ca.cert.der, ca1.cert.der\n"
    "  --psk HEX / --psk-hint HEX      pre-shared key and hint (default TestPskData\\0 / TestPskHint\\0)\n"
    "  --pcap FILE                     write every message (LINKTYPE_MCTP, spdm-emu convention)\n"
    "  --timeout MS                    per-frame socket timeout (default 30000)\n"
    "  --connect-timeout MS            retry a refused connection this long (default 5000)\n"
    "  --port-file FILE                read the port from FILE (waits for it up to the connect\n"
    "                                  timeout; see pmci-spdm-responder --port-file)\n"
    "  -v                              log every message on stderr\n";

struct options : common_options {
  std::optional<std::uint32_t> caps;
  int connect_timeout_ms = 5'000;
  bool mutual = true;
  bool one_by_one = true;
  bool shutdown = true;
  std::uint8_t slot = 0;
  std::vector<std::string> conn{"VCA", "DIGEST", "CERT", "CHAL", "MEAS"};
  std::vector<std::string> session{"KEY_EX", "PSK", "HEARTBEAT", "KEY_UPDATE", "MEAS"};
  bool oob_key_update = false;
  [[nodiscard]] bool conn_has(std::string_view s) const { return std::find(conn.begin(), conn.end(), s) != conn.end(); }
  [[nodiscard]] bool session_has(std::string_view s) const {
    return std::find(session.begin(), session.end(), s) != session.end();
  }
};

/// The requester's own certificate and key per algorithm (mutual authentication).
struct identity {
  struct entry {
    spdm::base_asym alg{};
    bytes chain;
    policy::sign_key key{};
  };
  std::vector<entry> entries;
  const spdm::negotiated* params = nullptr;
  const entry* current() const {
    for (const auto& e : entries)
      if (params != nullptr && e.alg == params->req_asym) return &e;
    return nullptr;
  }
  bytes_view cert_chain(std::uint8_t slot) const {
    const entry* e = current();
    return slot == 0 && e != nullptr ? bytes_view{e->chain} : bytes_view{};
  }
  const policy::sign_key* sign_key(std::uint8_t slot) const {
    const entry* e = current();
    return slot == 0 && e != nullptr ? &e->key : nullptr;
  }
};

/// The socket client as a message_transport, logging to the pcap.
struct socket_link {
  sock::client* c = nullptr;
  pcap_log* pcap = nullptr;
  bool verbose = false;
  result<bytes_span> exchange(bytes_view request, bytes_span buffer) {
    pcap->log(request);
    if (verbose) fmt::print(stderr, "req {}\n", hex(request, 48));
    auto r = c->exchange(request, buffer);
    if (r) {
      pcap->log(*r);
      if (verbose) fmt::print(stderr, "rsp {}\n", hex(*r, 48));
    }
    return r;
  }
};

using requester_t = spdm::requester<requester_config, policy>;
using srequester_t = spdm::session_requester<requester_t, policy, session_config<true>>;

std::string subject_of(bytes_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* x = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  if (x == nullptr) return "(not a certificate)";
  char buf[256];
  X509_NAME_oneline(X509_get_subject_name(x), buf, sizeof buf);
  X509_free(x);
  return buf;
}

std::string caps_string(std::uint32_t caps, bool responder_side) {
  std::string s;
  for (const auto& c : cap_names)
    if ((responder_side ? c.rsp : c.req) != 0 && (caps & (responder_side ? c.rsp : c.req)) == (responder_side ? c.rsp : c.req))
      s += fmt::format("{} ", c.name);
  if ((caps & (responder_side ? cap_clear.rsp : cap_clear.req)) != 0) s += "HANDSHAKE_IN_CLEAR ";
  if (responder_side && (caps & spdm::raw(spdm::rsp_cap::meas_mask)) == spdm::raw(spdm::rsp_cap::meas_no_sig)) s += "MEAS_NO_SIG ";
  if (!s.empty()) s.pop_back();
  return s.empty() ? "none" : s;
}

void print_blocks(const spdm::measurement_record& rec) {
  for (const auto b : rec) {
    if (!b.is_dmtf()) {
      fmt::print("    index {:3}  (non-DMTF, {} bytes)\n", b.index, b.measurement.size());
      continue;
    }
    const auto d = b.dmtf();
    if (d.raw_bit_stream())
      fmt::print("    index {:3}  type 0x{:02x} raw    {}\n", b.index, d.value_type, hex(d.value, 32));
    else
      fmt::print("    index {:3}  type 0x{:02x} digest {}\n", b.index, d.value_type, hex(d.value, 64));
  }
}

std::optional<options> parse(int argc, char** argv) {
  options o;
  std::string err;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    std::string v;
    const auto fail = [&]() -> std::optional<options> {
      fmt::print(stderr, "pmci-spdm-requester: {}\n", err);
      return std::nullopt;
    };
    if (a == "-h" || a == "--help") {
      std::fputs(usage, stdout);
      std::exit(0);
    } else if (a == "--version") {
      fmt::print("pmci-spdm-requester {}\n", pmci::version_string);
      std::exit(0);
    } else if (a == "-v") {
      o.verbose = true;
    } else if (a == "--oob-key-update") {
      o.oob_key_update = true;
    } else if (!take_value("pmci-spdm-requester", i, argc, argv, v)) {
      return std::nullopt;
    } else if (a == "--meas_hash") {
      fmt::print(stderr, "note: --meas_hash: the responder selects the measurement hash; ignored\n");
    } else if (a == "--cap") {
      o.caps = parse_caps(v, false);
    } else if (a == "--exe_conn") {
      o.conn = split(v);
      for (const auto& s : o.conn)
        if (s != "VCA" && s != "DIGEST" && s != "CERT" && s != "CHAL" && s != "MEAS")
          fmt::print(stderr, "note: --exe_conn {}: not implemented, ignored\n", s);
    } else if (a == "--exe_session") {
      o.session = split(v);
      for (const auto& s : o.session)
        if (s != "KEY_EX" && s != "PSK" && s != "HEARTBEAT" && s != "KEY_UPDATE" && s != "MEAS" && s != "NO_END")
          fmt::print(stderr, "note: --exe_session {}: not implemented, ignored\n", s);
    } else if (a == "--meas_op") {
      if (v == "ALL") o.one_by_one = false;
      else if (v == "ONE_BY_ONE") o.one_by_one = true;
      else {
        err = fmt::format("--meas_op {}: expected ALL or ONE_BY_ONE", v);
        return fail();
      }
    } else if (a == "--exe_mode") {
      if (v == "SHUTDOWN") o.shutdown = true;
      else if (v == "CONTINUE") o.shutdown = false;
      else {
        err = fmt::format("--exe_mode {}: expected SHUTDOWN or CONTINUE", v);
        return fail();
      }
    } else if (a == "--mut_auth") {
      o.mutual = v != "NO";
    } else if (a == "--slot_id") {
      o.slot = static_cast<std::uint8_t>(std::stoul(v));
    } else if (a == "--connect-timeout") {
      o.connect_timeout_ms = std::stoi(v);
    } else if (a == "--basic_mut_auth" || a == "--meas_spec" || a == "--key_schedule" || a == "--other_param" ||
               a == "--mel_spec" || a == "--slot_count") {
      fmt::print(stderr, "note: {} {}: accepted for compatibility, ignored\n", a, v);
    } else {
      const auto r = parse_common_option(a, v, o, err);
      if (r == option_result::error) return fail();
      if (r == option_result::unknown) {
        fmt::print(stderr, "pmci-spdm-requester: unknown option {}\n{}", a, usage);
        return std::nullopt;
      }
    }
  }
  if (o.key_dir.empty()) {
    fmt::print(stderr, "pmci-spdm-requester: --key-dir DIR is required\n{}", usage);
    return std::nullopt;
  }
  return o;
}

/// The whole run; returns the number of failed steps (a fatal one stops the flow).
struct run {
  options& o;
  policy crypto{};
  std::unique_ptr<requester_t> req = std::make_unique<requester_t>(crypto);
  std::unique_ptr<srequester_t> sq = std::make_unique<srequester_t>(*req, crypto);
  identity id;
  std::vector<bytes> anchors;
  std::vector<bytes_view> anchor_views;
  int failures = 0;

  explicit run(options& opt) : o(opt) {}

  bool check(bool ok, std::string_view what, errc e = errc::invalid_state) {
    if (ok) return true;
    ++failures;
    std::string why = to_string(e);
    if (req->last_failure() != spdm::failure::none) why += fmt::format(", {}", spdm::name(req->last_failure()));
    if (req->last_failure() == spdm::failure::peer_error)
      why += fmt::format(": ERROR {} (data 0x{:02x})", spdm::name(req->last_error().code), req->last_error().data);
    fmt::print("FAIL {}: {}\n", what, why);
    return false;
  }
  template <class R>
  bool check(const R& r, std::string_view what) {
    return check(static_cast<bool>(r), what, r ? errc::invalid_state : r.error());
  }
  bool session_check(const auto& r, std::string_view what) {
    if (r) return true;
    ++failures;
    std::string why = to_string(r.error());
    if (r.error() == errc::peer_error)
      why += fmt::format(": ERROR {} (data 0x{:02x})", spdm::name(sq->last_error().error), sq->last_error().error_data);
    fmt::print("FAIL {}: {}\n", what, why);
    return false;
  }

  void load_keys() {
    for (const auto& n : asym_names) {
      const std::string dir = o.key_dir + "/" + key_dir_name(n.value) + "/";
      for (const char* ca : {"ca.cert.der", "ca1.cert.der"})
        if (auto c = read_file(dir + ca)) anchors.push_back(*c);
      auto chain = read_file(dir + "bundle_requester.certchain.der");
      auto key = read_file(dir + "end_requester.key");
      if (chain && key && (spdm::raw(n.value) & o.limits.req_asym) != 0) {
        if (auto k = crypto.load_private_key(*key)) id.entries.push_back({n.value, *chain, std::move(*k)});
      }
    }
    anchor_views.assign(anchors.begin(), anchors.end());
    id.params = &req->negotiated_params();
  }

  template <class T>
  void measurements(T& t) {
    const auto& n = req->negotiated_params();
    const bool sig = (n.rsp_caps & spdm::rsp_cap::meas_mask) == spdm::rsp_cap::meas_sig && req->slot_verified(o.slot);
    if (!o.one_by_one) {
      spdm::measurement_options m;
      m.operation = spdm::meas_op_all;
      m.signature = sig;
      m.slot = o.slot;
      auto r = req->get_measurements(t, m);
      if (!check(r, "GET_MEASUREMENTS (all)")) return;
      fmt::print("measurements: {} block(s){}\n", r->record().count, r->signature_verified ? ", signature verified" : "");
      print_blocks(r->record());
      return;
    }
    // ONE_BY_ONE (the reference's default): the number of indices, then each index 1..254 that
    // exists, the last one signed. Missing indices are learnt from an unsigned "all" first, so
    // that no request is answered with an ERROR.
    spdm::measurement_options count;
    count.operation = spdm::meas_op_count;
    count.signature = false;
    auto c = req->get_measurements(t, count);
    if (!check(c, "GET_MEASUREMENTS (count)")) return;
    const unsigned total = c->total_indices();
    spdm::measurement_options all;
    all.operation = spdm::meas_op_all;
    all.signature = false;
    auto a = req->get_measurements(t, all);
    if (!check(a, "GET_MEASUREMENTS (all, to list the indices)")) return;
    std::vector<std::uint8_t> indices;
    for (const auto b : a->record()) indices.push_back(b.index);
    fmt::print("measurements: {} index(es), one by one\n", total);
    if (indices.size() != total) {
      check(false, fmt::format("number of indices {} != blocks in the record {}", total, indices.size()));
      return;
    }
    for (std::size_t i = 0; i < indices.size(); ++i) {
      spdm::measurement_options m;
      m.operation = indices[i];
      m.signature = sig && i + 1 == indices.size();
      m.slot = o.slot;
      auto r = req->get_measurements(t, m);
      if (!check(r, fmt::format("GET_MEASUREMENTS (index {})", indices[i]))) return;
      print_blocks(r->record());
      if (m.signature) fmt::print("  signature over L1/L2 {}\n", r->signature_verified ? "verified" : "NOT verified");
      if (m.signature && !r->signature_verified) check(false, "MEASUREMENTS signature");
    }
  }

  /// spdm-emu's OOB_ENCAP_KEY_UPDATE: the responder queues a key update of the current session;
  /// DSP0274 gives it no way to push, so the requester polls (GET_ENCAPSULATED_REQUEST) and
  /// serves ENCAPSULATED_REQUEST(KEY_UPDATE UpdateKey) and the VerifyNewKey that follows.
  template <class T>
  void oob_key_update(T& t, std::uint32_t sid, std::string_view kind) {
    const auto& n = req->negotiated_params();
    if (!spdm::key_update_possible(n) || !spdm::encapsulated_possible(n)) {
      fmt::print("  {} session: responder-initiated KEY_UPDATE skipped (KEY_UPD / ENCAP not negotiated)\n", kind);
      return;
    }
    if (!check(static_cast<bool>(t.c->oob(sock::command::oob_encap_key_update)), "OOB_ENCAP_KEY_UPDATE")) return;
    auto r = sq->serve_encapsulated_requests(t, sid, &id);
    if (!session_check(r, "GET_ENCAPSULATED_REQUEST (responder-initiated KEY_UPDATE)")) return;
    if (check(*r > 0, "responder-initiated KEY_UPDATE: the responder had no encapsulated request"))
      fmt::print("  {} session 0x{:08x}: responder-initiated KEY_UPDATE (OOB_ENCAP_KEY_UPDATE) ok, {} encapsulated "
                 "request(s) served\n", kind, sid, *r);
  }

  template <class T>
  void in_session(T& t, std::uint32_t sid, std::string_view kind) {
    const auto& n = req->negotiated_params();
    if (o.session_has("HEARTBEAT")) {
      if (spdm::heartbeat_possible(n)) {
        if (session_check(sq->heartbeat(t, sid), "HEARTBEAT")) fmt::print("  {} session 0x{:08x}: HEARTBEAT ok\n", kind, sid);
      } else {
        fmt::print("  {} session: HEARTBEAT skipped (not negotiated)\n", kind);
      }
    }
    if (o.session_has("KEY_UPDATE")) {
      if (spdm::key_update_possible(n)) {
        if (session_check(sq->key_update(t, sid, spdm::key_operation::update_key), "KEY_UPDATE UpdateKey"))
          fmt::print("  {} session 0x{:08x}: KEY_UPDATE UpdateKey + VerifyNewKey ok\n", kind, sid);
        if (session_check(sq->key_update(t, sid, spdm::key_operation::update_all_keys), "KEY_UPDATE UpdateAllKeys"))
          fmt::print("  {} session 0x{:08x}: KEY_UPDATE UpdateAllKeys + VerifyNewKey ok\n", kind, sid);
      } else {
        fmt::print("  {} session: KEY_UPDATE skipped (not negotiated)\n", kind);
      }
    }
    if (o.oob_key_update) oob_key_update(t, sid, kind);
    if (o.session_has("MEAS") && (n.rsp_caps & spdm::rsp_cap::meas_mask) != spdm::rsp_cap::none) {
      std::array<std::byte, 8> ctx{};
      spdm::get_measurements g;
      g.operation = spdm::meas_op_all;
      if (n.ver >= spdm::version::v1_3) g.requester_context = ctx;
      bytes msg(64);
      writer w{std::span{msg}.subspan(1)};
      msg[0] = std::byte{0x05};
      if (check(static_cast<bool>(g.encode(w, n)), "encode GET_MEASUREMENTS")) {
        msg.resize(1 + w.size());
        auto r = sq->send_receive(t, sid, msg);
        if (session_check(r, "GET_MEASUREMENTS in session")) {
          const bool ok = r->size() >= 8 && std::to_integer<std::uint8_t>((*r)[0]) == 0x05 &&
                          std::to_integer<std::uint8_t>((*r)[2]) == static_cast<std::uint8_t>(spdm::code::measurements);
          if (check(ok, "MEASUREMENTS in session"))
            fmt::print("  {} session 0x{:08x}: MEASUREMENTS in session, {} block(s)\n", kind, sid,
                       std::to_integer<unsigned>((*r)[5]));
        }
      }
    }
    if (!o.session_has("NO_END")) {
      if (session_check(sq->end_session(t, sid), "END_SESSION")) fmt::print("  {} session 0x{:08x}: END_SESSION ok\n", kind, sid);
    } else {
      fmt::print("  {} session 0x{:08x}: left open (NO_END)\n", kind, sid);
    }
  }

  template <class T, class Raw>
  void flows(T& t, Raw& raw) {
    // VCA (always first, as with the reference).
    if (!check(req->connect(t), "VCA (GET_VERSION, GET_CAPABILITIES, NEGOTIATE_ALGORITHMS)")) return;
    const auto& n = req->negotiated_params();
    fmt::print("version:      SPDM {} (responder offers", emu::version_string(n.ver));
    for (const auto& v : version_names)
      if (req->responder_versions().contains(v.value)) fmt::print(" {}", v.name);
    fmt::print(")\n");
    fmt::print("hash:         {}\n", name_of(hash_names, n.hash));
    fmt::print("asym:         {}\n", name_of(asym_names, n.asym));
    fmt::print("meas hash:    {}\n", name_of(meas_hash_names, n.measurement_hash));
    if (n.ver >= spdm::version::v1_1) {
      fmt::print("dhe:          {}\n", name_of(dhe_names, n.dhe));
      fmt::print("aead:         {}\n", name_of(aead_names, n.aead));
      fmt::print("req asym:     {}\n", name_of(asym_names, n.req_asym));
    }
    fmt::print("rsp caps:     {}\n", caps_string(spdm::raw(n.rsp_caps), true));
    fmt::print("req caps:     {}\n", caps_string(spdm::raw(n.req_caps), false));

    const bool want_session = o.session_has("KEY_EX") && !o.session.empty();
    const bool cert_cap = has(n.rsp_caps, spdm::rsp_cap::cert);
    bool digests_done = false, cert_done = false;
    if ((o.conn_has("DIGEST") || (want_session && o.conn_has("CERT") == false)) && cert_cap) {
      if (check(req->get_digests(t), "GET_DIGESTS")) {
        digests_done = true;
        fmt::print("digests:      slot mask 0x{:02x}\n", req->digest_slot_mask());
        for (std::uint8_t s = 0; s < 8; ++s)
          if (req->digest_slot_mask() & (1u << s)) fmt::print("  slot {}: {}\n", s, hex(req->slot_digest(s)));
      }
    }
    if ((o.conn_has("CERT") || want_session) && cert_cap) {
      if (!digests_done && !check(req->get_digests(t), "GET_DIGESTS (before GET_CERTIFICATE)")) return;
      auto r = req->get_certificate(t, o.slot, anchor_views);
      if (check(r, fmt::format("GET_CERTIFICATE slot {} (chain validated against {}/<alg>/ca*.cert.der)", o.slot, o.key_dir))) {
        cert_done = true;
        const bytes_view chain = req->cert_chain();
        fmt::print("certificate chain (slot {}, {} bytes, validated):\n", o.slot, chain.size());
        if (chain.size() > 4 + n.h())
          for (const auto c : split_der(chain.subspan(4 + n.h()))) fmt::print("  {}\n", subject_of(c));
      }
    }
    if (o.conn_has("CHAL") && has(n.rsp_caps, spdm::rsp_cap::chal)) {
      if (!cert_done) {
        ++failures;
        fmt::print("FAIL CHALLENGE: no verified certificate chain for slot {}\n", o.slot);
      } else {
        const auto summary = (n.rsp_caps & spdm::rsp_cap::meas_mask) != spdm::rsp_cap::none ? spdm::summary_hash_type::all
                                                                                            : spdm::summary_hash_type::none;
        auto r = req->challenge(t, o.slot, summary);
        if (check(r, "CHALLENGE"))
          fmt::print("challenge:    CHALLENGE_AUTH signature verified (slot {}), summary hash {}\n", r->slot,
                     r->summary_hash_size ? hex(r->measurement_summary_hash()) : std::string("none"));
      }
    }
    if (o.conn_has("MEAS") && (n.rsp_caps & spdm::rsp_cap::meas_mask) != spdm::rsp_cap::none) measurements(t);

    // Sessions (DSP0277 over MCTP).
    if (o.session.empty() || o.trans != sock::transport_type::mctp) return;
    if (n.ver < spdm::version::v1_1) {
      fmt::print("sessions:     skipped (SPDM {} has no sessions)\n", emu::version_string(n.ver));
      return;
    }
    if (o.session_has("KEY_EX")) {
      if (!spdm::key_exchange_possible(n)) {
        fmt::print("KEY_EXCHANGE: skipped (not negotiated)\n");
      } else if (!cert_done) {
        ++failures;
        fmt::print("FAIL KEY_EXCHANGE: no verified certificate chain for slot {}\n", o.slot);
      } else {
        spdm::key_exchange_options ko;
        ko.slot = o.slot;
        ko.summary = (n.rsp_caps & spdm::rsp_cap::meas_mask) != spdm::rsp_cap::none ? spdm::summary_hash_type::all
                                                                                     : spdm::summary_hash_type::none;
        auto sid = sq->key_exchange(raw, ko, &id);
        if (session_check(sid, "KEY_EXCHANGE / FINISH")) {
          const char* mutual = !sq->mutual_requested(*sid)              ? ""
                               : sq->implicit_digests_requested(*sid) ? ", mutual authentication (encapsulated, implicit GET_DIGESTS)"
                               : sq->encapsulated_requested(*sid)     ? ", mutual authentication (encapsulated)"
                                                                      : ", mutual authentication (without encapsulated)";
          fmt::print("KEY_EXCHANGE: session 0x{:08x} established{}{}\n", *sid, mutual,
                     n.handshake_in_the_clear() ? ", handshake in the clear" : "");
          in_session(raw, *sid, "KEY_EX");
        }
      }
    }
    if (o.session_has("PSK")) {
      if (!spdm::psk_possible(n)) {
        fmt::print("PSK_EXCHANGE: skipped (not negotiated)\n");
      } else {
        spdm::psk_options po;
        po.hint = o.psk_hint;
        po.psk = o.psk;
        auto sid = sq->psk_exchange(raw, po);
        if (session_check(sid, "PSK_EXCHANGE / PSK_FINISH")) {
          fmt::print("PSK_EXCHANGE: session 0x{:08x} established\n", *sid);
          in_session(raw, *sid, "PSK");
        }
      }
    }
  }
};

}  // namespace

namespace {
int run_main(int argc, char** argv) {
  auto parsed = parse(argc, argv);
  if (!parsed) return 2;
  options& o = *parsed;

  auto r = std::make_unique<run>(o);
  r->load_keys();
  if (r->anchors.empty()) {
    fmt::print(stderr, "pmci-spdm-requester: no trust anchors under {} (<ecp256|ecp384>/ca.cert.der)\n", o.key_dir);
    return 2;
  }
  // Default: every flag pmci implements (as spdm-emu's default list, HANDSHAKE_IN_CLEAR included).
  std::uint32_t caps = o.caps ? *o.caps : spdm::raw(requester_config::capabilities);
  // Without mutual authentication ENCAP_CAP stays (responder-initiated KEY_UPDATE, as spdm-emu).
  if (!o.mutual || r->id.entries.empty()) caps &= ~spdm::raw(spdm::req_cap::cert | spdm::req_cap::mut_auth);
  if (o.trans != sock::transport_type::mctp) caps = 0;
  o.limits.capabilities = caps;
  if (!r->id.entries.empty()) {
    std::uint32_t have = 0;
    for (const auto& e : r->id.entries) have |= spdm::raw(e.alg);
    if (o.mutual) o.limits.req_asym = static_cast<std::uint16_t>(o.limits.req_asym & have);
  }
  if (auto s = r->req->set_limits(o.limits); !s) {
    fmt::print(stderr, "pmci-spdm-requester: the options leave no valid configuration\n");
    return 2;
  }

  pcap_log pcap;
  if (!pcap.open(o.pcap)) {
    fmt::print(stderr, "pmci-spdm-requester: cannot create {}\n", o.pcap);
    return 1;
  }
  if (!o.port_file.empty()) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(o.connect_timeout_ms);
    for (;;) {
      if (std::FILE* f = std::fopen(o.port_file.c_str(), "r")) {
        unsigned p = 0;
        const int n = std::fscanf(f, "%u", &p);
        std::fclose(f);
        if (n == 1 && p > 0 && p <= 0xFFFF) {
          o.port = static_cast<std::uint16_t>(p);
          break;
        }
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        fmt::print(stderr, "pmci-spdm-requester: no port in {}\n", o.port_file);
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  sock::socket_options so;
  so.address = o.ip;
  so.transport = o.trans;
  so.port = o.port ? *o.port : (o.trans == sock::transport_type::tcp ? sock::default_tcp_port : sock::default_port);
  so.timeout_ms = o.timeout_ms;
  so.connect_timeout_ms = o.connect_timeout_ms;
  auto client = sock::client::connect(so);
  if (!client) {
    fmt::print(stderr, "pmci-spdm-requester: cannot connect to {}:{}: {}\n", so.address, so.port, to_string(client.error()));
    return 1;
  }
  fmt::print("pmci-spdm-requester {}: connected to {}:{} ({}), TEST handshake done\n", pmci::version_string, so.address,
             so.port, sock::name(o.trans));

  socket_link l{&*client, &pcap, o.verbose};
  auto tap = r->sq->tap(l);
  r->flows(tap, l);

  const auto how = o.shutdown ? sock::command::shutdown : sock::command::continue_;
  if (client->connected()) {
    auto s = client->stop(how);
    if (s) fmt::print("{}: acknowledged by the responder\n", o.shutdown ? "SHUTDOWN" : "CONTINUE");
    else r->check(false, o.shutdown ? "SHUTDOWN" : "CONTINUE", s.error());
  } else {
    r->check(false, "connection lost before SHUTDOWN / CONTINUE");
  }
  pcap.close();
  if (r->failures != 0) {
    fmt::print("result: FAILED ({} step(s))\n", r->failures);
    return 1;
  }
  fmt::print("result: OK\n");
  return 0;
}
}  // namespace

int main(int argc, char** argv) {
  // Host tool: a malformed number on the command line (std::stoul) ends up here.
  try {
    return run_main(argc, argv);
  } catch (const std::exception& e) {
    fmt::print(stderr, "pmci-spdm-requester: {}\n", e.what());
    return 2;
  }
}
