// SPDX-License-Identifier: Apache-2.0
// The in-process session world shared by the session tests and pmci-dump's session tests: the
// responder/requester configurations (every capability the session layer has, one version and
// algorithm set per responder), the session-layer configuration, the responder's device, the
// requester's identity for mutual authentication and the loopback handler.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "pmci/spdm/config.hpp"
#include "pmci/spdm/session/handshake.hpp"
#include "session_test_util.hpp"
#include "spdm_engines/test_device.hpp"

namespace pmci::spdm::session_test {

constexpr meas_hash meas_of(base_hash h) { return h == base_hash::sha256 ? meas_hash::sha256 : meas_hash::sha384; }

/// One version and one algorithm of each kind; Clear: HANDSHAKE_IN_THE_CLEAR, Mutual: MUT_AUTH +
/// ENCAP, Mac: a MAC-only session (no ENCRYPT_CAP).
template <version V, base_hash H, base_asym A, dhe_group G, aead_suite E, bool Clear, bool Mutual = false,
          bool Mac = false>
struct rsp_config : responder_defaults {
  static constexpr version_set versions{V};
  static constexpr std::array hash_algs{H};
  static constexpr std::array asym_algs{A};
  static constexpr std::array measurement_hash_algs{meas_of(H)};
  static constexpr rsp_cap capabilities =
      rsp_cap::cert | rsp_cap::chal | rsp_cap::meas_sig | (Mac ? rsp_cap::none : rsp_cap::encrypt) | rsp_cap::mac |
      rsp_cap::key_ex | rsp_cap::psk_with_context | rsp_cap::hbeat | rsp_cap::key_upd |
      (Clear ? rsp_cap::handshake_in_the_clear : rsp_cap::none) | (Mutual ? rsp_cap::mut_auth | rsp_cap::encap : rsp_cap::none);
  static constexpr std::array dhe_groups{G};
  static constexpr std::array aead_suites{E};
  static constexpr std::array key_schedules{key_schedule::spdm};
  static constexpr std::array req_asym_algs{A};
  static constexpr bool session_layer = true;
};

/// A requester that offers both algorithm sets (the responder's configuration decides).
template <bool Clear, bool Mutual = false>
struct req_config : requester_defaults {
  static constexpr std::array hash_algs{base_hash::sha384, base_hash::sha256};
  static constexpr std::array asym_algs{base_asym::ecdsa_p384, base_asym::ecdsa_p256};
  static constexpr req_cap capabilities =
      req_cap::encrypt | req_cap::mac | req_cap::key_ex | req_cap::psk | req_cap::hbeat | req_cap::key_upd |
      (Clear ? req_cap::handshake_in_the_clear : req_cap::none) |
      (Mutual ? req_cap::cert | req_cap::mut_auth | req_cap::encap : req_cap::none);
  static constexpr std::array dhe_groups{dhe_group::secp384r1, dhe_group::secp256r1};
  static constexpr std::array aead_suites{aead_suite::aes_256_gcm, aead_suite::chacha20_poly1305};
  static constexpr std::array key_schedules{key_schedule::spdm};
  static constexpr std::array req_asym_algs{base_asym::ecdsa_p384, base_asym::ecdsa_p256};
  static constexpr bool session_layer = true;
};

template <bool Mutual>
struct session_config : session_defaults {
  static constexpr std::size_t max_sessions = 2;
  static constexpr std::uint8_t heartbeat_period = 5;
  static constexpr mut_auth_policy mut_auth = Mutual ? mut_auth_policy::encapsulated : mut_auth_policy::none;
  static constexpr std::size_t max_hash = 48;
};

/// The responder's device: the engine test device plus what the session layer asks for.
template <class Policy>
struct session_device : pmci::test::basic_device<Policy> {
  bytes psk_value = hx("0123456789abcdef0123456789abcdef");
  bytes psk_hint = hx("68696e74");
  std::vector<bytes> anchors;
  std::vector<bytes_view> anchor_views;
  bytes requester_chain;  ///< provisioned requester chain (mutual authentication without encapsulation)
  int app_messages = 0;
  bytes_view requester_cert_chain(std::uint8_t slot) { return slot == 0 ? bytes_view{requester_chain} : bytes_view{}; }
  bytes_view psk(bytes_view hint) { return equal(hint, psk_hint) ? bytes_view{psk_value} : bytes_view{}; }
  std::span<const bytes_view> requester_trust_anchors() {
    anchor_views.assign(anchors.begin(), anchors.end());
    return anchor_views;
  }
  /// Application messages (not SPDM) inside a session: echo with the bytes after the first reversed.
  result<std::size_t> session_message(std::uint32_t, bytes_view m, bytes_span out) {
    ++app_messages;
    if (m.size() > out.size()) return errc::buffer_too_small;
    out[0] = m[0];
    for (std::size_t i = 1; i < m.size(); ++i) out[i] = m[m.size() - i];
    return m.size();
  }
};

/// The requester's identity for mutual authentication (tests/data/spdm_session/req_ecp*).
template <class Policy>
struct identity {
  bytes chain;
  typename Policy::sign_key key;
  bytes_view cert_chain(std::uint8_t slot) { return slot == 0 ? bytes_view{chain} : bytes_view{}; }
  const typename Policy::sign_key* sign_key(std::uint8_t slot) { return slot == 0 ? &key : nullptr; }
};
inline std::string req_dir(base_asym a) {
  return a == base_asym::ecdsa_p256 ? "spdm_session/req_ecp256" : "spdm_session/req_ecp384";
}

/// MCTP-level handler for the loopback: copies the request (secured records are opened in place).
template <class SR>
struct copying_handler {
  explicit copying_handler(SR* s) : sr(s) {}
  SR* sr;
  bytes rx{};
  std::uint64_t now = 0;
  result<bytes_span> handle(bytes_view req, bytes_span out) {
    rx.assign(req.begin(), req.end());
    return sr->handle(rx, out, now);
  }
};

}  // namespace pmci::spdm::session_test
