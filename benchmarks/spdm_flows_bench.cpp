// SPDX-License-Identifier: Apache-2.0
// The CPU cost of pmci's SPDM flows without cryptography (issue 9): a requester and a responder
// in one process over transport::loopback, with bench::null_crypto (no math; null_crypto.hpp).
//
//   pmci_bench_spdm_flows attest N    N full attestations: VCA, DIGESTS, CERTIFICATE (chain
//                                      parsed and checked), CHALLENGE (summary hash of all
//                                      measurements), signed MEASUREMENTS of all blocks
//   pmci_bench_spdm_flows session N   one connection (VCA, DIGESTS, CERTIFICATE), then N sessions:
//                                      KEY_EXCHANGE, FINISH, HEARTBEAT, KEY_UPDATE (UpdateKey),
//                                      END_SESSION, all secured (AES-256-GCM records)
//   pmci_bench_spdm_flows              both once (a smoke run; prints "ok")
//
// Instruction counts come from valgrind: benchmarks/spdm_flows.sh runs this program under
// callgrind with two values of N and prints the difference per flow, so that set-up (test PKI
// loading, process start) cancels out. SPDM 1.2, ECDSA P-384, SHA-384, secp384r1, AES-256-GCM.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "null_crypto.hpp"
#include "pmci/spdm/requester.hpp"
#include "pmci/spdm/responder.hpp"
#include "pmci/spdm/session/requester_session.hpp"
#include "pmci/spdm/session/responder_session.hpp"
#include "pmci/transport/loopback.hpp"
#include "spdm_engines/harness.hpp"

using namespace pmci;
using namespace pmci::spdm;
using policy = bench::null_crypto;

namespace {

struct rsp_config : responder_defaults {
  static constexpr version_set versions{v1_2};
  static constexpr std::array hash_algs{base_hash::sha384};
  static constexpr std::array asym_algs{base_asym::ecdsa_p384};
  static constexpr std::array measurement_hash_algs{meas_hash::sha384};
  static constexpr rsp_cap capabilities = rsp_cap::cert | rsp_cap::chal | rsp_cap::meas_sig | rsp_cap::encrypt |
                                          rsp_cap::mac | rsp_cap::key_ex | rsp_cap::psk | rsp_cap::hbeat |
                                          rsp_cap::key_upd;
  static constexpr std::array dhe_groups{dhe_group::secp384r1};
  static constexpr std::array aead_suites{aead_suite::aes_256_gcm};
  static constexpr std::array key_schedules{key_schedule::spdm};
  static constexpr bool session_layer = true;
};
struct req_config : requester_defaults {
  static constexpr std::array hash_algs{base_hash::sha384};
  static constexpr std::array asym_algs{base_asym::ecdsa_p384};
  static constexpr req_cap capabilities =
      req_cap::encrypt | req_cap::mac | req_cap::key_ex | req_cap::psk | req_cap::hbeat | req_cap::key_upd;
  static constexpr std::array dhe_groups{dhe_group::secp384r1};
  static constexpr std::array aead_suites{aead_suite::aes_256_gcm};
  static constexpr std::array key_schedules{key_schedule::spdm};
  static constexpr bool session_layer = true;
};
struct session_config : session_defaults {
  static constexpr std::size_t max_sessions = 1;
  static constexpr std::size_t max_hash = 48;
  static constexpr std::uint8_t heartbeat_period = 10;
};

struct device : pmci::test::basic_device<policy> {
  std::array<std::byte, 32> psk_value{};
  bytes_view psk(bytes_view) { return psk_value; }
};

using responder_t = responder<rsp_config, policy, device>;
using sresponder_t = session_responder<responder_t, policy, device, session_config>;
using requester_t = requester<req_config, policy>;
using srequester_t = session_requester<requester_t, policy, session_config>;

/// The responder side of the loopback: copies the request (secured records open in place).
struct handler {
  sresponder_t* sr;
  std::vector<std::byte> rx;
  result<bytes_span> handle(bytes_view req, bytes_span out) {
    rx.assign(req.begin(), req.end());
    return sr->handle(rx, out, 0);
  }
};

struct world {
  policy rsp_crypto, req_crypto;
  device dev;
  const pmci::test::pki& keys = pmci::test::pki_for(base_asym::ecdsa_p384);
  std::unique_ptr<responder_t> rsp = std::make_unique<responder_t>(rsp_crypto, dev);
  std::unique_ptr<sresponder_t> sr = std::make_unique<sresponder_t>(*rsp, rsp_crypto, dev);
  std::unique_ptr<requester_t> req = std::make_unique<requester_t>(req_crypto);
  std::unique_ptr<srequester_t> sq = std::make_unique<srequester_t>(*req, req_crypto);
  handler h{sr.get(), {}};
  transport::loopback<handler> link{h};
  std::array<bytes_view, 1> anchors{};

  world() {
    dev.chains[0] = keys.chain;
    dev.has_key[0] = true;
    dev.set_blocks(pmci::test::sample_blocks(48));
    anchors[0] = keys.ca;
  }
};

bool attest(world& w, long n) {
  auto tap = w.sq->tap(w.link);
  for (long i = 0; i < n; ++i)
    if (!w.req->attest(tap, {.trust_anchors = w.anchors})) return false;
  return true;
}

bool sessions(world& w, long n) {
  auto tap = w.sq->tap(w.link);
  if (!w.req->connect(tap) || !w.req->get_digests(tap) || !w.req->get_certificate(tap, 0, w.anchors)) return false;
  for (long i = 0; i < n; ++i) {
    auto sid = w.sq->key_exchange(w.link, {.slot = 0});
    if (!sid) return false;
    if (!w.sq->heartbeat(w.link, *sid)) return false;
    if (!w.sq->key_update(w.link, *sid, key_operation::update_key)) return false;
    if (!w.sq->end_session(w.link, *sid)) return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const char* what = argc > 1 ? argv[1] : "both";
  const long n = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 1;
  auto w = std::make_unique<world>();
  bool ok = true;
  if (std::strcmp(what, "attest") == 0 || std::strcmp(what, "both") == 0) ok = ok && attest(*w, n);
  if (std::strcmp(what, "session") == 0 || std::strcmp(what, "both") == 0) ok = ok && sessions(*w, n);
  std::printf("%s %s x%ld\n", ok ? "ok" : "FAILED", what, n);
  return ok ? 0 : 1;
}
