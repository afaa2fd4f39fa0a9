// SPDX-License-Identifier: Apache-2.0
// pmci::spdm::session_responder — the responder's session layer (DSP0274 §10 session messages,
// DSP0277 secured messages over MCTP): KEY_EXCHANGE, FINISH, PSK_EXCHANGE, PSK_FINISH, HEARTBEAT,
// KEY_UPDATE, END_SESSION, mutual authentication with the encapsulated request flow, and every
// other message inside a session.
//
//   pmci::spdm::responder<rot_config, crypto_t, device_t> spdm{crypto, device};      // attestation
//   pmci::spdm::session_responder<decltype(spdm), crypto_t, device_t, my_sessions>
//       secure{spdm, crypto, device};
//   auto rsp = secure.handle(mctp_message, tx, now_ms);   // 05 ‖ SPDM or 06 ‖ record in, same out
//
// It sits in front of the attestation engine and sees every MCTP message of the connection:
//   * 0x05 (plain SPDM): KEY_EXCHANGE / PSK_EXCHANGE start a session; with HANDSHAKE_IN_THE_CLEAR
//     the FINISH and the encapsulated mutual-authentication messages also come plain (secured.md
//     §3.4). Everything else goes to the engine; a DIGESTS answer is remembered for the session
//     transcripts (D, spdm.md §15) and GET_VERSION ends every session.
//   * 0x06 (secured record): opened in place in the caller's buffer with the session's keys; the
//     inner MCTP message is served — session control messages here, other SPDM requests by the
//     engine, other MCTP types by the Device (application messages) — and the answer is sealed
//     into `tx` with the same session's keys. A record that does not open (MAC, sequence number,
//     format) ends its session and is answered in the clear with ERROR DecryptError.
//
// What it needs from the engine (Engine: pmci::spdm::responder or anything with these members):
//   connection_state state() const; const negotiated& negotiated_params() const;
//   const Crypto::hash_state& vca_transcript() const;          A (spdm.md §15)
//   result<void> cert_chain_digest(std::uint8_t slot, bytes_span out);   Ct
//   result<bytes_span> handle(bytes_view spdm_request, bytes_span response);
// From the Device (device.hpp), besides what the engine uses:
//   signing of KEY_EXCHANGE_RSP: sign_key(slot) or sign(slot, req, out), as for CHALLENGE_AUTH
//     (errc::not_ready / errc::busy are answered with ERROR Busy: no ResponseNotReady here);
//   measurements (MeasurementSummaryHash) when MEAS_CAP is set;
//   bytes_view psk(bytes_view hint)                                   PSK_EXCHANGE (optional)
//   std::span<const bytes_view> requester_trust_anchors()            mutual authentication
//   result<std::size_t> session_message(std::uint32_t session_id, bytes_view mctp_message,
//                                       bytes_span response)          other MCTP types inside a
//       session (optional): write the response MCTP message (type byte + body), return its size;
//       errc::unsupported = no response.
//
// Error answers (spdm.md §8): a request the session layer does not expect now is
// UnexpectedRequest, one the negotiated capabilities exclude UnsupportedRequest, a malformed one
// InvalidRequest, a full session table SessionLimitExceeded, a wrong verify data or FINISH
// signature DecryptError (and the session ends), a session message outside a session
// SessionRequired (1.2+; UnexpectedRequest at 1.1).
//
// Memory: the session table (SConfig::max_sessions sessions), the requester's certificate chain
// buffer for mutual authentication (SConfig::max_peer_cert_chain, only when enabled), a few
// hash states. No heap.
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "pmci/core/buffer.hpp"
#include "pmci/core/bytes.hpp"
#include "pmci/core/endian.hpp"
#include "pmci/core/result.hpp"
#include "pmci/core/secure.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/spdm/cert_chain.hpp"
#include "pmci/spdm/certificate.hpp"
#include "pmci/spdm/config.hpp"
#include "pmci/spdm/crypto_map.hpp"
#include "pmci/spdm/device.hpp"
#include "pmci/spdm/digests.hpp"
#include "pmci/spdm/encapsulated.hpp"
#include "pmci/spdm/error.hpp"
#include "pmci/spdm/finish.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/key_exchange.hpp"
#include "pmci/spdm/psk.hpp"
#include "pmci/spdm/session/handshake.hpp"
#include "pmci/spdm/session/secured_message.hpp"
#include "pmci/spdm/session/session.hpp"
#include "pmci/spdm/session_control.hpp"
#include "pmci/spdm/signing.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

namespace detail {
template <class D>
concept device_has_psk = requires(D& d, bytes_view hint) {
  { d.psk(hint) } -> std::convertible_to<bytes_view>;
};
template <class D>
concept device_has_requester_anchors = requires(D& d) {
  { d.requester_trust_anchors() } -> std::convertible_to<std::span<const bytes_view>>;
};
/// The policy's verify_key, or an empty placeholder for a policy that does not verify.
template <class C, bool = crypto::verify_policy<C>>
struct verify_key_of {
  struct type {};
};
template <class C>
struct verify_key_of<C, true> {
  using type = typename C::verify_key;
};
/// A requester certificate chain the responder already holds (mutual authentication without the
/// encapsulated flow): DER certificates, root first, leaf last; empty = none for that slot.
template <class D>
concept device_has_requester_chains = requires(D& d, std::uint8_t slot) {
  { d.requester_cert_chain(slot) } -> std::convertible_to<bytes_view>;
};
template <class SConfig>
constexpr bool mut_auth_compiled() noexcept {
  if constexpr (requires { SConfig::mut_auth_support; })
    return SConfig::mut_auth != mut_auth_policy::none || SConfig::mut_auth_support;
  else
    return SConfig::mut_auth != mut_auth_policy::none;
}
template <class D>
concept device_has_session_messages = requires(D& d, std::uint32_t id, bytes_view m, bytes_span out) {
  { d.session_message(id, m, out) } -> std::same_as<result<std::size_t>>;
};
}  // namespace detail

template <class Engine, class Crypto, class Device, class SConfig = session_defaults>
class session_responder {
  static_assert(crypto::hash_policy<Crypto> && crypto::aead_policy<Crypto> && crypto::dhe_policy<Crypto> &&
                    crypto::random_policy<Crypto>,
                "spdm::session_responder: the crypto policy must hash, do (EC)DHE, AEAD and random()");
  static_assert(SConfig::max_sessions >= 1, "spdm::session_responder: SConfig::max_sessions must be at least 1");
  static_assert(SConfig::max_hash == 32 || SConfig::max_hash == 48 || SConfig::max_hash == 64,
                "spdm::session_responder: SConfig::max_hash must be 32, 48 or 64");
  static_assert(SConfig::max_padding <= 32, "spdm::session_responder: DSP0276 (MCTP) allows at most 32 bytes of RandomData");
  static_assert(!detail::mut_auth_compiled<SConfig>() ||
                    (crypto::cert_policy<Crypto> && detail::device_has_requester_anchors<Device>),
                "spdm::session_responder: mutual authentication needs a crypto policy that validates certificate "
                "chains (cert_policy) and a Device member `std::span<const bytes_view> requester_trust_anchors()`");

 public:
  // Records framed as DSP0276 (MCTP) only (handle() serves MCTP messages): the binding is a
  // compile-time constant of every session, not a run-time parameter.
  using session_type = session<Crypto, SConfig::max_hash, &mctp_secured_binding>;
  /// Largest KEY_EXCHANGE_RSP signature: the engine's (Engine::max_signature, from its
  /// configured algorithms) or any the crypto layer knows.
  static constexpr std::size_t max_signature = [] {
    if constexpr (requires { Engine::max_signature; }) return std::size_t{Engine::max_signature};
    else return crypto::max_signature_size;
  }();
  using table_type = session_table<Crypto, SConfig::max_sessions, SConfig::max_hash, &mctp_secured_binding>;
  using hash_state = typename Crypto::hash_state;
  static constexpr bool mutual_enabled = detail::mut_auth_compiled<SConfig>();
  static constexpr bool psk_enabled = detail::device_has_psk<Device>;
  /// The capability flags the engine can ever negotiate: its configuration's
  /// (Engine::config_caps; the negotiated RSP flags are a subset), or all of them for an engine
  /// that does not say. A session feature whose flag is missing can never be negotiated, so its
  /// code compiles to nothing (`if constexpr`); the answers stay those of the run-time checks.
  static constexpr rsp_cap engine_caps = [] {
    if constexpr (requires { Engine::config_caps; }) return rsp_cap{Engine::config_caps};
    else return static_cast<rsp_cap>(0xFFFFFFFFu);
  }();
  /// ENCAP_CAP: the responder-initiated KEY_UPDATE inside a session (encapsulated_possible).
  static constexpr bool encap_enabled = has(engine_caps, rsp_cap::encap);
  /// HANDSHAKE_IN_THE_CLEAR_CAP: plain FINISH and encapsulated messages of a handshake.
  static constexpr bool clear_enabled = has(engine_caps, rsp_cap::handshake_in_the_clear);
  /// MULTI_KEY_CAP (either value): without it MultiKeyConnRsp never holds (algorithms.hpp
  /// update()), so D never enters TH and its bookkeeping compiles to nothing.
  static constexpr bool multi_key_enabled = (engine_caps & rsp_cap::multi_key_mask) != rsp_cap{};

  session_responder(Engine& engine, Crypto& crypto, Device& device) noexcept
      : engine_(engine), crypto_(crypto), dev_(device) {}
  session_responder(const session_responder&) = delete;
  session_responder& operator=(const session_responder&) = delete;

  /// Serve one MCTP message (type byte + body). `mctp_message` may be modified: a secured record is
  /// decrypted in place. The answer (an MCTP message) is written into `response`. `now_ms` is a
  /// monotonic time for heartbeat bookkeeping (0 if unused).
  /// Errors (nothing to send): truncated (empty message), unsupported (an MCTP type other than
  /// 0x05/0x06, or an application message nobody answers), buffer_too_small (`response` cannot
  /// hold even an ERROR).
  [[nodiscard]] result<bytes_span> handle(bytes_span mctp_message, bytes_span response, std::uint64_t now_ms = 0) noexcept {
    now_ = now_ms;
    if (mctp_message.empty()) return errc::truncated;
    if (response.size() < 16) return errc::buffer_too_small;
    const auto type = std::to_integer<std::uint8_t>(mctp_message[0]);
    if (type == mctp_type_spdm) return as_plain(handle_plain(mctp_message.subspan(1), response.subspan(1)), response);
    if (type == mctp_type_secured_spdm) return handle_secured(mctp_message, response);
    return errc::unsupported;
  }

  /// End every session whose heartbeat period passed twice without a message (session.hpp).
  /// Returns how many ended.
  std::size_t expire_heartbeats(std::uint64_t now_ms) noexcept {
    std::size_t n = 0;
    for (auto& s : sessions_) {
      if (!s.idle() && s.heartbeat_expired(now_ms)) {
        end_session(s);
        ++n;
      }
    }
    return n;
  }

  [[nodiscard]] table_type& sessions() noexcept { return sessions_; }
  [[nodiscard]] const table_type& sessions() const noexcept { return sessions_; }
  /// Mutual authentication asked for in the next KEY_EXCHANGE_RSP (spdm-emu's `--mut_auth`
  /// NO / WO_ENCAP / W_ENCAP / DIGESTS = none / without_encapsulated / encapsulated /
  /// implicit_digests). Starts as SConfig::mut_auth. Errors: unsupported (anything but none when
  /// the machinery is not compiled in: SConfig::mut_auth none and SConfig::mut_auth_support false).
  result<void> set_mut_auth(mut_auth_policy p) noexcept {
    if (!mutual_enabled && p != mut_auth_policy::none) return errc::unsupported;
    mut_auth_ = p;
    return ok();
  }
  [[nodiscard]] mut_auth_policy mut_auth() const noexcept { return mut_auth_; }

  /// Responder-initiated key update (DSP0274 KEY_UPDATE as an encapsulated request; spdm-emu's
  /// OOB_ENCAP_KEY_UPDATE): the next GET_ENCAPSULATED_REQUEST inside session `id` is answered
  /// with KEY_UPDATE(UpdateKey); on its ACK the response-direction key changes and
  /// KEY_UPDATE(VerifyNewKey) follows under the new key; its ACK ends the flow (secured.md §4,
  /// the responder's direction mirrored). The requester must poll (session_requester::
  /// serve_encapsulated_requests): DSP0274 has no way for a responder to push.
  /// Errors: invalid_state (no such established session, or a key update of this session is
  /// already under way), unsupported (KEY_UPD_CAP or ENCAP_CAP missing on either side).
  result<void> start_key_update(std::uint32_t id) noexcept {
    session_type* s = sessions_.find(id);
    if (s == nullptr || !s->established() || s->update_pending() || encap_step(*s) != encap_ku::none)
      return errc::invalid_state;
    if (!encap_enabled || !key_update_possible(n()) || !encapsulated_possible(n())) return errc::unsupported;
    set_encap(*s, encap_ku::pending, 0, 0);
    return ok();
  }
  /// A responder-initiated key update of session `id` not finished yet (started, not confirmed).
  [[nodiscard]] bool key_update_pending(std::uint32_t id) noexcept {
    session_type* s = sessions_.find(id);
    return s != nullptr && encap_step(*s) != encap_ku::none;
  }

  /// The last END_SESSION asked to clear the negotiated state (NegotiatedStateClearing); pmci's
  /// engine caches nothing across connections, so this is for the integrator to act on.
  [[nodiscard]] bool negotiated_state_clearing_requested() const noexcept { return clear_state_requested_; }

 private:
  // ============================================================================================
  // Plain SPDM
  // ============================================================================================
  result<bytes_span> handle_plain(bytes_view req, bytes_span out) noexcept {
    if (req.size() < header::size) return engine_.handle(req, out);
    const auto c = static_cast<code>(std::to_integer<std::uint8_t>(req[1]));
    switch (c) {
      case code::get_version: break;  // the reset follows the engine's answer, below
      case code::key_exchange:
      case code::psk_exchange: return on_exchange(c == code::psk_exchange, req, out);
      case code::finish:
      case code::get_encapsulated_request:
      case code::deliver_encapsulated_response: {
        // Only with HANDSHAKE_IN_THE_CLEAR, for the session whose handshake is under way. Plain
        // encapsulated messages of no such session belong to the engine (basic mutual
        // authentication after CHALLENGE_AUTH).
        session_type* s = clear_enabled && clear_session_ != 0 ? sessions_.find(clear_session_) : nullptr;
        if (s == nullptr || s->phase() != session_phase::handshake) {
          if (c == code::finish) return error(out, error_code::unexpected_request);
          break;
        }
        auto r = handshake_message(*s, c, req, out);
        if (s->pending() != session_type::pending_action::none) (void)s->after_send();
        if (s->idle() || s->established()) clear_session_ = 0;
        return r;
      }
      case code::psk_finish:
      case code::heartbeat:
      case code::key_update:
      case code::end_session:
        return error(out, n().ver >= version::v1_2 ? error_code::session_required : error_code::unexpected_request);
      default: break;
    }
    auto r = engine_.handle(req, out);
    // A valid GET_VERSION resets the connection (DSP0274 §10.2, spdm.md §3): every session and D
    // go. One the engine refused (ERROR) leaves the sessions alone.
    if (r && c == code::get_version && r->size() >= header::size &&
        static_cast<code>(std::to_integer<std::uint8_t>((*r)[1])) == code::version) {
      sessions_.end_all();
      mutual_reset();
      known_reset();
      have_d_ = false;
      clear_session_ = 0;
    }
    // D = the most recent DIGESTS response, part of TH when MultiKeyConnRsp (spdm.md §15).
    if constexpr (multi_key_enabled) {
      if (r && c == code::get_digests && r->size() >= header::size &&
          static_cast<code>(std::to_integer<std::uint8_t>((*r)[1])) == code::digests) {
        have_d_ = false;
        if (n().multi_key_conn_rsp) {
          d_state_ = engine_.vca_transcript();
          have_d_ = static_cast<bool>(crypto_.hash_update(d_state_, *r));
        }
      }
    }
    return r;
  }

  /// The plain MCTP answer 05 ‖ SPDM, the SPDM message `r` written at response[1].
  static result<bytes_span> as_plain(const result<bytes_span>& r, bytes_span response) noexcept {
    if (!r) return r.error();
    response[0] = std::byte{mctp_type_spdm};
    return response.first(1 + r->size());
  }

  // ============================================================================================
  // Secured records
  // ============================================================================================
  result<bytes_span> handle_secured(bytes_span msg, bytes_span response) noexcept {
    auto plain_error = [&](error_code e) { return as_plain(error(response.subspan(1), e), response); };
    // The SessionID after the type byte (DSP0277 record header; handle() checked the type byte,
    // so this is secured_header::session_of without its reader): the size check bounds the read.
    if (msg.size() < 5) return plain_error(error_code::decrypt_error);
    const std::uint32_t id = load_u32le(msg.subspan(1, 4));
    session_type* s = sessions_.find(id);
    if (s == nullptr) return plain_error(error_code::decrypt_error);
    if (!s->records_active()) {  // an in-the-clear handshake has no records yet
      end_session(*s);
      return plain_error(error_code::decrypt_error);
    }
    auto opened = s->open(msg);  // any failure has ended the session
    if (!opened) {
      forget(id);
      return plain_error(error_code::decrypt_error);
    }
    s->touch(now_);
    const bytes_span app = opened->app;
    const secured_layout l = s->layout();
    const std::size_t room = l.max_app_size(response.size(), SConfig::max_padding);
    if (room < 16) return errc::buffer_too_small;
    const bytes_span region = response.subspan(l.app_offset(), room);
    std::size_t len = 0;
    if (!app.empty() && std::to_integer<std::uint8_t>(app[0]) == mctp_type_spdm) {
      PMCI_TRY_ASSIGN(const bytes_span r, in_session(*s, app.subspan(1), region.subspan(1)));
      region[0] = std::byte{mctp_type_spdm};
      len = 1 + r.size();
    } else if constexpr (detail::device_has_session_messages<Device>) {
      if (!s->established()) return errc::unsupported;
      PMCI_TRY_ASSIGN(len, dev_.session_message(s->id(), app, region));
      if (len > region.size()) return errc::buffer_too_small;
    } else {
      return errc::unsupported;
    }
    PMCI_TRY_ASSIGN(const std::size_t pad, padding_length(crypto_, l.protection == session_protection::mac_only
                                                                        ? 0
                                                                        : SConfig::max_padding));
    const bytes_span padding = response.subspan(l.app_offset() + len, pad);
    PMCI_TRY(crypto_.random(padding));
    auto sealed = s->seal(response, len, padding);
    if (!sealed) {
      end_session(*s);
      return sealed.error();
    }
    (void)s->after_send();  // FINISH_RSP: data keys from now on; END_SESSION_ACK: the end
    if (s->idle()) forget(id);
    return sealed;
  }

  /// One SPDM request inside session s.
  result<bytes_span> in_session(session_type& s, bytes_view req, bytes_span out) noexcept {
    if (req.size() < header::size) return error(out, error_code::invalid_request);
    const auto c = static_cast<code>(std::to_integer<std::uint8_t>(req[1]));
    if (s.phase() == session_phase::handshake) {
      switch (c) {
        case code::finish:
          if (clear_enabled && s.in_the_clear()) break;  // in the clear it must come plain
          return handshake_message(s, c, req, out);
        case code::psk_finish:
        case code::get_encapsulated_request:
        case code::deliver_encapsulated_response:
          return handshake_message(s, c, req, out);
        default: break;
      }
      return error(out, error_code::unexpected_request);
    }
    switch (c) {
      case code::heartbeat:
      case code::key_update:
      case code::end_session: return on_control(s, c, req, out);
      case code::get_encapsulated_request: return on_session_get_encapsulated(s, req, out);
      case code::deliver_encapsulated_response: return on_session_deliver(s, req, out);
      // Connection-level and handshake messages have no place in an established session.
      case code::get_version: case code::get_capabilities: case code::negotiate_algorithms:
      case code::key_exchange: case code::psk_exchange: case code::finish: case code::psk_finish:
        return error(out, error_code::unexpected_request);
      default: break;
    }
    return engine_.handle(req, out);
  }

  result<bytes_span> handshake_message(session_type& s, code c, bytes_view req, bytes_span out) noexcept {
    switch (c) {
      case code::finish:
      case code::psk_finish: return on_finish(s, c == code::psk_finish, req, out);
      case code::get_encapsulated_request:
        if constexpr (mutual_enabled) return on_get_encapsulated_request(s, req, out);
        break;
      case code::deliver_encapsulated_response:
        if constexpr (mutual_enabled) return on_deliver_encapsulated_response(s, req, out);
        break;
      default: break;
    }
    return error(out, error_code::unexpected_request);
  }

  // ============================================================================================
  // KEY_EXCHANGE and PSK_EXCHANGE (spdm.md §10.1, §10.2, §10.4, §15; secured.md §3.5). Both
  // share every step but the exchange itself: exchange_begin (secured-message version, session
  // parameters, MeasurementSummaryHash, a session slot and its ID, the VersionSelection opaque
  // data) and exchange_keys (transcript, KEY_EXCHANGE_RSP signature, TH1, handshake keys,
  // ResponderVerifyData).
  // ============================================================================================
  /// What exchange_begin prepares for the response.
  struct exchange {
    session_type* s = nullptr;
    session_params params{};
    crypto::dhe_alg dhe{};
    mut_auth_policy mode = mut_auth_policy::none;
    std::uint16_t rsp_id = 0;
    std::uint32_t id = 0;
    std::size_t summary_size = 0;
    std::size_t opaque_size = 0;
    std::array<std::byte, SConfig::max_hash> summary{};
    std::array<std::byte, 32> opaque{};
    // For exchange_keys, set by the handler once the response is encoded:
    bytes_view ct{};             ///< Hash(certificate chain): non-empty for KEY_EXCHANGE only
    bytes_view secret{};         ///< the (EC)DHE shared secret or the PSK
    std::size_t sig = 0;         ///< signature size (0: PSK)
    std::size_t verify = 0;      ///< ResponderVerifyData size (0: in the clear)
    std::uint8_t slot = 0;       ///< the signing slot
  };

  /// The steps of KEY_EXCHANGE (psk false) and PSK_EXCHANGE after their own request checks, in
  /// the order both answer errors. Returns the ERROR to send, or 0; `out` is scratch.
  error_code exchange_begin(bool psk, bytes_view opaque, summary_hash_type summary,
                                              std::uint16_t req_session_id, bytes_span out, exchange& ex) noexcept {
    const negotiated& nn = n();
    const auto smv = select_secured_version(nn, opaque);
    if (!smv) return error_code::invalid_request;
    if (!psk) {
      ex.mode = mutual_mode(nn);
      if (ex.mode != mut_auth_policy::none && mutual_.active) {
        // One mutual-authentication handshake at a time: a new KEY_EXCHANGE supersedes one that
        // never finished (it would otherwise block every later one).
        if (session_type* old = sessions_.find(mutual_.session); old != nullptr && old->phase() == session_phase::handshake)
          end_session(*old);
        mutual_reset();
      }
    }
    const auto params = session_params_of(nn, psk, heartbeat_possible(nn) ? SConfig::heartbeat_period : 0,
                                          SConfig::aead_limit);
    const auto dhe = to_crypto(nn.dhe);
    if (!params || (!psk && !dhe)) return error_code::unsupported_request;
    ex.params = *params;
    if (!psk) ex.dhe = *dhe;
    const std::size_t h = nn.h();
    if (h > SConfig::max_hash) return error_code::unspecified;
    if (summary != summary_hash_type::none) {
      ex.summary_size = h;
      if (!summary_hash(summary, std::span{ex.summary}.first(h), out)) return error_code::invalid_request;
    }
    if (clear_enabled && ex.params.handshake_in_the_clear && clear_session_ != 0) {
      // A plain FINISH names no session: it belongs to the latest in-the-clear handshake
      // (libspdm), so a new one supersedes a handshake that never finished.
      if (session_type* old = sessions_.find(clear_session_); old != nullptr && old->phase() == session_phase::handshake)
        end_session(*old);
      clear_session_ = 0;
    }
    ex.s = sessions_.allocate();
    if (ex.s == nullptr) return error_code::session_limit_exceeded;
    ex.rsp_id = sessions_.free_half(session_role::responder);
    ex.id = make_session_id(req_session_id, ex.rsp_id);
    const auto opaque_size = write_version_selection(nn, *smv, ex.opaque);
    if (!opaque_size) return error_code::unspecified;
    ex.opaque_size = *opaque_size;
    return error_code{};
  }

  /// The exchange response `rsp`, written in place with room for the signature and verify data
  /// at its end, completed: the session starts, TH runs over A ‖ [D] ‖ [Ct] ‖ request ‖ response
  /// (spdm.md §15; PSK: no D, no Ct), KEY_EXCHANGE_RSP is signed (`ex.ct` non-empty =
  /// KEY_EXCHANGE), TH1 gives the handshake keys from `ex.secret`, and ResponderVerifyData
  /// follows the signature.
  result<bytes_span> exchange_keys(exchange& ex, bytes_view req, bytes_span rsp, bytes_span out) noexcept {
    const negotiated& nn = n();
    session_type& s = *ex.s;
    const bool ke = !ex.ct.empty();
    const std::size_t sig = ex.sig, verify = ex.verify;
    const std::size_t sig_at = rsp.size() - sig - verify;
    if (!s.start(crypto_, session_role::responder, ex.id, ex.params)) return error(out, error_code::unspecified);
    hash_state& th = s.transcript();
    if constexpr (multi_key_enabled) th = ke && have_d_ && nn.multi_key_conn_rsp ? d_state_ : engine_.vca_transcript();
    else th = engine_.vca_transcript();
    std::array<std::byte, SConfig::max_hash> digest{};
    const auto dg = std::span{digest}.first(nn.h());
    auto r = th_append(crypto_, th, ex.ct);
    if (r) r = th_append(crypto_, th, req);
    if (ke) {
      if (r) r = th_digest(crypto_, th, rsp.first(sig_at), dg);
      if (!r) return fail_now(s, out, error_code::unspecified);
      const auto signed_ok = device_sign(ex.slot, signed_content{nn.ver, signing_context::responder_key_exchange_rsp, dg},
                                         rsp.subspan(sig_at, sig));
      if (!signed_ok)
        return fail_now(s, out, signed_ok.error() == errc::busy || signed_ok.error() == errc::not_ready
                                    ? error_code::busy : error_code::unspecified);
    }
    r = th_append(crypto_, th, rsp.first(sig_at + sig));
    if (r) r = th_digest(crypto_, th, {}, dg);  // TH1
    if (r) r = s.derive_handshake(ex.secret, dg);
    if (r && verify != 0) {
      // ResponderVerifyData = HMAC(response finished_key, TH1).
      const bytes_span rvd = rsp.subspan(sig_at + sig, verify);
      r = s.key_schedule_ref().verify_data(key_direction::response, dg, rvd);
      if (r) r = th_append(crypto_, th, rvd);
    }
    if constexpr (mutual_enabled) {
      // Without the encapsulated flow, CM = Hash(the requester's chain we already know) follows K
      // directly (spdm.md §15: no EncapD).
      if (r && ex.mode == mut_auth_policy::without_encapsulated)
        r = th_append(crypto_, th, std::span<const std::byte>(known_.cm).first(nn.h()));
    }
    if (!r) return fail_now(s, out, error_code::unspecified);
    s.touch(now_);
    if (clear_enabled && s.in_the_clear()) clear_session_ = ex.id;
    if (ex.mode != mut_auth_policy::none) mutual_begin(ex.id, ex.mode);
    return rsp;
  }

  /// KEY_EXCHANGE (`psk` false) and PSK_EXCHANGE (true): one handler, the request read and the
  /// response written in place, each step answering the ERROR of the codecs and the checks in
  /// the order both messages have always answered them.
  result<bytes_span> on_exchange(bool psk, bytes_view req, bytes_span out) noexcept {
    const code c = psk ? code::psk_exchange : code::key_exchange;
    if (const auto e = precheck(req); e != error_code{}) return error(out, e);
    const negotiated& nn = n();
    if (psk ? !(psk_enabled && psk_possible(nn)) : !key_exchange_possible(nn))
      return error(out, error_code::unsupported_request, static_cast<std::uint8_t>(c));
    const std::size_t h = nn.h();
    const std::size_t d = nn.d();
    std::array<std::byte, crypto::max_digest_size> ct{};
    pmci::secret<crypto::max_dhe_shared_secret_size> shared;
    exchange ex;
    bytes_view opaque;
    summary_hash_type summary{};
    std::uint8_t slot = 0;
    if (!psk) {
      // The request is read in place (DSP0274 "KEY_EXCHANGE request message format", spdm.md
      // §10.1): SPDMVersion, code, Param1 (MeasurementSummaryHashType), Param2 (SlotID),
      // ReqSessionID(2) @4, SessionPolicy(1) @6, Reserved(1) @7, RandomData(32) @8,
      // ExchangeData(D) @40, OpaqueDataLength(2) @40+D, OpaqueData. precheck() checked the
      // version and key_exchange_possible() that D != 0 and the version is 1.1+; whatever else
      // key_exchange::decode rejects is InvalidRequest here too. `fixed` <= req.size() makes the
      // OpaqueDataLength read safe; the exact total makes every later view lie inside req.
      const std::size_t fixed = 42 + d;
      if (req.size() < fixed || req.size() != fixed + load_u16le(req.subspan(40 + d, 2)))
        return error(out, error_code::invalid_request);
      summary = static_cast<summary_hash_type>(req[2]);
      slot = std::to_integer<std::uint8_t>(req[3]);
      if (req[7] != std::byte{0} || !is_valid(summary) || !valid_slot(slot) ||
          (std::to_integer<std::uint8_t>(req[6]) & ~session_policy_mask(nn.ver)) != 0)
        return error(out, error_code::invalid_request);
      if (slot == 0xFF) return error(out, error_code::invalid_request);  // provisioned public key: not supported
      if (!engine_.cert_chain_digest(slot, std::span{ct}.first(h))) return error(out, error_code::invalid_request);
      opaque = req.subspan(fixed);
      ex.ct = std::span{ct}.first(h);
      ex.sig = nn.s();
      ex.verify = handshake_in_the_clear(nn) ? 0 : h;
    } else {
      if constexpr (psk_enabled) {
        // The request is read in place (DSP0274 "PSK_EXCHANGE request message format", spdm.md
        // §10.4): SPDMVersion, code, Param1 (MeasurementSummaryHashType), Param2
        // (SessionPolicy), ReqSessionID(2) @4, PSKHintLength(2) @6, RequesterContextLength(2)
        // @8, OpaqueDataLength(2) @10, PSKHint @12, RequesterContext, OpaqueData. precheck()
        // checked the version and psk_possible() 1.1+; whatever else psk_exchange::decode
        // rejects is InvalidRequest here too. 12 <= req.size() makes the length reads safe; the
        // exact total makes every later view lie inside req.
        if (req.size() < 12) return error(out, error_code::invalid_request);
        const std::size_t hint = load_u16le(req.subspan(6, 2));
        const std::size_t opaque_at = 12 + hint + load_u16le(req.subspan(8, 2));
        summary = static_cast<summary_hash_type>(req[2]);
        if (req.size() != opaque_at + load_u16le(req.subspan(10, 2)) || !is_valid(summary) ||
            (std::to_integer<std::uint8_t>(req[3]) & ~session_policy_mask(nn.ver)) != 0)
          return error(out, error_code::invalid_request);
        ex.secret = dev_.psk(req.subspan(12, hint));
        if (ex.secret.empty()) return error(out, error_code::invalid_request);
        opaque = req.subspan(opaque_at);
        // PSK: no D, no Ct, no signature (spdm.md §15); ResponderVerifyData always.
        ex.verify = h;
      }
    }
    if (const auto e = exchange_begin(psk, opaque, summary, load_u16le(req.subspan(4, 2)), out, ex); e != error_code{})
      return error(out, e, e == error_code::unsupported_request ? static_cast<std::uint8_t>(c) : 0);

    // The response is written in place, with room for the signature and verify data at its end
    // (exchange_keys fills them in):
    //   both begin with SPDMVersion, code, Param1 = HeartbeatPeriod, Param2 = Reserved and
    //   RspSessionID(2) @4;
    //   KEY_EXCHANGE_RSP (DSP0274 "KEY_EXCHANGE_RSP response message format", spdm.md §10.2):
    //   MutAuthRequested @6, SlotIDParam @7, RandomData(32) @8,
    //   ExchangeData(D) @40, MeasurementSummaryHash (0 or H), OpaqueDataLength(2), OpaqueData,
    //   Signature (S), ResponderVerifyData (H; none in the clear);
    //   PSK_EXCHANGE_RSP (DSP0274 "PSK_EXCHANGE_RSP response message format", spdm.md §10.4):
    //   Reserved(2) @6, ResponderContextLength(2) @8,
    //   OpaqueDataLength(2) @10, MeasurementSummaryHash (0 or H) @12, ResponderContext,
    //   OpaqueData, ResponderVerifyData (H). ResponderContext only with PSK_CAP = 10b ("PSK with
    //   context"), spdm.md §4.1.
    // The one size check bounds every write below (a buffer that cannot hold the response was
    // answered ResponseTooLarge by the codecs' writers).
    // (PSK_CAP 10b is possible only if the engine's configuration has that bit.)
    const std::size_t context_size = psk && has(engine_caps, rsp_cap::psk_with_context) &&
                                             (nn.rsp_caps & rsp_cap::psk_mask) == rsp_cap::psk_with_context
                                         ? std::min<std::size_t>(SConfig::psk_context_size, 64)
                                         : 0;
    const std::size_t summary_at = psk ? 12 : 40 + d;
    const std::size_t opaque_at = summary_at + ex.summary_size + (psk ? context_size : 2);
    const std::size_t end = opaque_at + ex.opaque_size + ex.sig + ex.verify;
    if (out.size() < end) return error(out, error_code::response_too_large);
    if (!psk) {
      // (EC)DHE: our key pair (its public value straight into ExchangeData), then the shared
      // secret with the requester's.
      auto key = crypto_.dhe_generate(ex.dhe, out.subspan(40, d));
      if (!key) return error(out, error_code::unspecified);
      const std::size_t ss = crypto::dhe_shared_secret_size(ex.dhe);
      if (!crypto_.dhe_compute(*key, req.subspan(40, d), shared.span().first(ss))) return error(out, error_code::invalid_request);
      if (!crypto_.random(out.subspan(8, nonce_size))) return error(out, error_code::unspecified);
      ex.secret = shared.span().first(ss);
      ex.slot = slot;
      out[6] = std::byte{mut_auth_bits(ex.mode)};
      out[7] = std::byte{ex.mode != mut_auth_policy::none ? mut_auth_slot() : std::uint8_t{0}};
    } else {
      if (context_size != 0 && !crypto_.random(out.subspan(summary_at + ex.summary_size, context_size)))
        return error(out, error_code::unspecified);
      store_u16le(out.subspan(6, 2), 0);
      store_u16le(out.subspan(8, 2), static_cast<std::uint16_t>(context_size));
    }
    (void)ack(out, psk ? code::psk_exchange_rsp : code::key_exchange_rsp, std::byte{ex.params.heartbeat_period});
    store_u16le(out.subspan(4, 2), ex.rsp_id);
    // OpaqueDataLength: @10 in PSK_EXCHANGE_RSP, right before OpaqueData in KEY_EXCHANGE_RSP.
    store_u16le(out.subspan(psk ? 10 : opaque_at - 2, 2), static_cast<std::uint16_t>(ex.opaque_size));
    (void)copy_to(out.data() + summary_at, std::span{ex.summary}.first(ex.summary_size));
    (void)copy_to(out.data() + opaque_at, std::span{ex.opaque}.first(ex.opaque_size));
    return exchange_keys(ex, req, out.first(end), out);
  }

  /// Copy `from` to o; returns the byte after it. The callers checked the room.
  static std::byte* copy_to(std::byte* o, bytes_view from) noexcept {
    for (const std::byte b : from) *o++ = b;
    return o;
  }

  /// The mutual-authentication mode for this KEY_EXCHANGE: the policy, if the negotiated
  /// capabilities allow it. Without the encapsulated flow the requester's chain for the slot must
  /// be known (an earlier flow on this connection, or Device::requester_cert_chain, verified
  /// against the trust anchors here); otherwise the encapsulated flow fetches it.
  mut_auth_policy mutual_mode(const negotiated& nn) noexcept {
    if constexpr (!mutual_enabled) {
      (void)nn;
      return mut_auth_policy::none;
    } else {
      mut_auth_policy mode = mut_auth_;
      if (mode == mut_auth_policy::without_encapsulated) {
        if (!mutual_auth_possible(nn, false)) return mut_auth_policy::none;
        if (known_chain(nn)) return mode;
        mode = mut_auth_policy::encapsulated;
      }
      if (mode != mut_auth_policy::none && !mutual_auth_possible(nn, true)) return mut_auth_policy::none;
      return mode;
    }
  }

  /// Whether known_ holds the requester's chain for mut_auth_slot(): from an earlier mutual
  /// authentication on this connection, else from the Device (structure, then the trust anchors).
  bool known_chain(const negotiated& nn) noexcept
    requires mutual_enabled
  {
    if (known_.valid && known_.slot == mut_auth_slot() && known_.hash_size == nn.h()) return true;
    if constexpr (detail::device_has_requester_chains<Device>) {
      known_reset();
      const bytes_view certs = dev_.requester_cert_chain(mut_auth_slot());
      const auto hash = to_crypto(nn.hash);
      const auto alg = to_crypto(nn.req_asym);
      if (certs.empty() || !hash || !alg || !cert_chain::check_certificates(certs)) return false;
      // CM = Hash(Length ‖ Reserved ‖ RootHash ‖ certificates) (spdm.md §6.1, §15).
      const std::size_t h = nn.h();
      const std::size_t total = cert_chain::header_size + h + certs.size();
      const auto root = der_sequence_size(certs);
      if (total > cert_chain::max_size || !root) return false;
      std::array<std::byte, cert_chain::header_size + crypto::max_digest_size> head{};
      store_u16le(std::span{head}.first(2), static_cast<std::uint16_t>(total));
      hash_state st{};
      if (!crypto::compute_hash(crypto_, *hash, certs.first(*root), std::span{head}.subspan(cert_chain::header_size, h)) ||
          !crypto_.hash_init(st, *hash) || !crypto_.hash_update(st, std::span{head}.first(cert_chain::header_size + h)) ||
          !crypto_.hash_update(st, certs) || !crypto_.hash_final(st, std::span{known_.cm}.first(h)))
        return false;
      auto key = crypto_.verify_cert_chain(certs, dev_.requester_trust_anchors(),
                                           crypto::cert_chain_options{*alg, crypto::cert_role::requester, 0});
      if (!key) return false;
      known_.key = std::move(*key);
      known_.slot = mut_auth_slot();
      known_.hash_size = h;
      known_.valid = true;
      return true;
    } else {
      return false;
    }
  }

  static constexpr std::uint8_t mut_auth_slot() noexcept {
    if constexpr (requires { SConfig::mut_auth_slot; }) return SConfig::mut_auth_slot;
    else return 0;
  }

  // ============================================================================================
  // FINISH and PSK_FINISH (spdm.md §10.3, §10.4, §15): one handler, the same steps but for the
  // FINISH signature (mutual authentication) and FINISH_RSP's verify data (in the clear).
  // ============================================================================================
  result<bytes_span> on_finish(session_type& s, bool psk, bytes_view req, bytes_span out) noexcept {
    const negotiated& nn = n();
    if (s.params().psk != psk) return error(out, error_code::unexpected_request);
    const std::size_t h = nn.h();
    hash_state& th = s.transcript();
    std::array<std::byte, crypto::max_digest_size> digest{};
    const auto dg = std::span{digest}.first(h);
    bytes_view requester_verify_data;
    bool mutual = false;
    // Both requests are read in place (fixed layouts, DSP0274 "FINISH request message format" and
    // "PSK_FINISH request message format"; spdm.md §10.3, §10.4): SPDMVersion, code, Param1,
    // Param2, [Signature (S)], RequesterVerifyData (H). What psk_finish::decode / finish::decode
    // would reject answers the same ERROR (decode_error: VersionMismatch, else InvalidRequest),
    // in their order; the callers route here by req[1] with req.size() >= header::size, and the
    // one exact-size test below bounds every access that follows.
    if (req.size() < header::size) return fail_session(s, out, error_code::invalid_request);
    const std::uint8_t p1 = std::to_integer<std::uint8_t>(req[2]), p2 = std::to_integer<std::uint8_t>(req[3]);
    if (psk) {
      // No hash, then the version, then sizes and reserved fields: the codec's order.
      if (h == 0) return fail_session(s, out, error_code::invalid_request);
      if (const auto e = version_check(req); e != error_code{}) return fail_session(s, out, e);
      if (p1 != 0 || p2 != 0 || req.size() != header::size + h) return fail_session(s, out, error_code::invalid_request);
      requester_verify_data = req.last(h);
    } else {
      if (const auto e = version_check(req); e != error_code{}) return error(out, e);
      // Param1 bit 0: SignatureIncluded (bits 7:1 reserved); Param2: ReqSlotID, 0 without a signature.
      const bool signature_included = (p1 & 0x01) != 0;
      const std::size_t sig = signature_included ? nn.req_s() : 0;
      if (h == 0 || (signature_included && sig == 0) || req.size() != header::size + sig + h || (p1 & 0xFE) != 0 ||
          (signature_included ? !valid_slot(p2) : p2 != 0))
        return fail_session(s, out, error_code::invalid_request);
      mutual = mutual_enabled && mutual_.active && mutual_.session == s.id();
      if (mutual) {
        if (!signature_included || p2 != mutual_.slot || mutual_.step != mutual_step::done)
          return fail_session(s, out, error_code::invalid_request);
      } else if (signature_included) {
        return fail_session(s, out, error_code::invalid_request);
      }
      if constexpr (mutual_enabled) {
        if (mutual) {
          // Signature over A ‖ [D] ‖ Ct ‖ K ‖ [EncapD] ‖ CM ‖ FINISH up to Signature.
          const auto alg = to_crypto(nn.req_asym);
          const auto hash = to_crypto(nn.hash);
          if (!alg || !hash || !th_digest(crypto_, th, req.first(header::size), dg))
            return fail_session(s, out, error_code::unspecified);
          if (!spdm::verify(crypto_, mutual_.use_known ? known_.key : mutual_.key, *alg, *hash,
                            signed_content{nn.ver, signing_context::requester_finish, dg}, req.subspan(header::size, sig)))
            return fail_session(s, out, error_code::decrypt_error);
        }
      }
      requester_verify_data = req.last(h);
    }
    // RequesterVerifyData = HMAC(request finished_key, Hash(... ‖ the request up to it)).
    std::array<std::byte, crypto::max_digest_size> expected{};
    if (!th_digest(crypto_, th, req.first(req.size() - h), dg) ||
        !s.key_schedule_ref().verify_data(key_direction::request, dg, std::span{expected}.first(h)))
      return fail_session(s, out, error_code::unspecified);
    const bool match = ct_equal(std::span{expected}.first(h), requester_verify_data);
    secure_wipe(expected);
    if (!match) return fail_session(s, out, error_code::decrypt_error);
    if (!th_append(crypto_, th, req)) return fail_session(s, out, error_code::unspecified);

    // FINISH_RSP / PSK_FINISH_RSP written in place (DSP0274 "FINISH_RSP" / "PSK_FINISH_RSP"
    // response formats, spdm.md §10.3, §10.4): SPDMVersion, code, Param1 and Param2 reserved,
    // then for FINISH_RSP in the clear ResponderVerifyData (H). The size check bounds it (the
    // codec's writer failed the same way).
    const std::size_t verify = !psk && handshake_in_the_clear(nn) ? h : 0;  // finish_rsp::verify_size
    if (out.size() < header::size + verify) return fail_session(s, out, error_code::unspecified);
    (void)ack(out, psk ? code::psk_finish_rsp : code::finish_rsp);
    const bytes_span rsp = out.first(header::size + verify);
    if (verify != 0) {
      if (!th_digest(crypto_, th, rsp.first(rsp.size() - h), dg) ||
          !s.key_schedule_ref().verify_data(key_direction::response, dg, rsp.last(h)))
        return fail_session(s, out, error_code::unspecified);
    }
    if (!th_append(crypto_, th, rsp) || !th_digest(crypto_, th, {}, dg) || !s.establish_after_send(dg))  // TH2
      return fail_session(s, out, error_code::unspecified);
    if constexpr (mutual_enabled) {
      if (mutual && !mutual_.use_known) {
        // The requester's chain is now known on this connection (without_encapsulated later).
        known_.key = std::move(mutual_.key);
        known_.cm = mutual_.cm;
        known_.slot = mutual_.slot;
        known_.hash_size = h;
        known_.valid = true;
      }
    }
    if (mutual) mutual_reset();
    return rsp;
  }

  // ============================================================================================
  // In-session control (spdm.md §10.5, secured.md §4)
  // ============================================================================================
  // HEARTBEAT, KEY_UPDATE and END_SESSION and their ACKs are header-only messages (DSP0274
  // "HEARTBEAT", "KEY_UPDATE", "END_SESSION" request and response formats; spdm.md §10.5):
  // SPDMVersion, code, Param1, Param2. They are read and written in place: in_session() routes by
  // req[1] with req.size() >= header::size, and its `out` (handle_secured's region) holds at
  // least 15 bytes, so every access below is in bounds.

  /// What the codecs' decode() rejects in a header-only request, in their order (header.hpp
  /// read_header, then the exact size): an unknown SPDMVersion InvalidRequest, another known one
  /// VersionMismatch, trailing bytes InvalidRequest. Returns the ERROR to send, or 0. (Param
  /// checks are the caller's; the codecs' order puts them before the size, both InvalidRequest.)
  [[nodiscard]] error_code header_only_request(bytes_view req) const noexcept {
    const auto v = std::to_integer<std::uint8_t>(req[0]);
    if (v != to_byte(n().ver)) return is_known(v) ? error_code::version_mismatch : error_code::invalid_request;
    return req.size() != header::size ? error_code::invalid_request : error_code{};
  }
  /// The ACK `c` with Param1 p1 and Param2 p2, at the negotiated version.
  result<bytes_span> ack(bytes_span out, code c, std::byte p1 = {}, std::byte p2 = {}) const noexcept {
    return put_header(out, to_byte(n().ver), c, p1, p2);
  }
  /// A 4-byte SPDM header at out[0] (the callers checked the room); returns those 4 bytes.
  static bytes_span put_header(bytes_span out, std::uint8_t v, code c, std::byte p1, std::byte p2) noexcept {
    out[0] = std::byte{v};
    out[1] = static_cast<std::byte>(c);
    out[2] = p1;
    out[3] = p2;
    return out.first(header::size);
  }

  /// HEARTBEAT, KEY_UPDATE and END_SESSION (`c`): one handler, their checks in the order each
  /// request always had them: the capability (HEARTBEAT: HBEAT_CAP, KEY_UPDATE: KEY_UPD_CAP; both
  /// sides) UnsupportedRequest, then header_only_request(), then the parameters InvalidRequest:
  /// HEARTBEAT Param1 and Param2 reserved; KEY_UPDATE Param1 KeyOperation (1 UpdateKey,
  /// 2 UpdateAllKeys, 3 VerifyNewKey), Param2 Tag (echoed); END_SESSION Param1 bit 0
  /// NegotiatedStateClearing, bits 7:1 and Param2 reserved. Each ACK is the request code with
  /// bit 7 clear (DSP0274 0x68 / 0x69 / 0x6C).
  result<bytes_span> on_control(session_type& s, code c, bytes_view req, bytes_span out) noexcept {
    const negotiated& nn = n();
    if ((c == code::heartbeat && !heartbeat_possible(nn)) || (c == code::key_update && !key_update_possible(nn)))
      return error(out, error_code::unsupported_request, static_cast<std::uint8_t>(c));
    const auto p1 = std::to_integer<std::uint8_t>(req[2]);
    const bool reserved_p2 = c != code::key_update && req[3] != std::byte{0};
    error_code e = header_only_request(req);
    if (e == error_code{} && (c == code::key_update ? p1 - 1u > 2u  // KeyOperation 1..3
                                                    : (p1 & (c == code::heartbeat ? 0xFF : 0xFE)) != 0 || reserved_p2))
      e = error_code::invalid_request;
    if (e != error_code{}) return error(out, e);
    std::byte a1{}, a2{};
    if (c == code::key_update) {
      // Not while a responder-initiated update of this session is in flight: one update at a time.
      if (encap_step(s) == encap_ku::update_sent || encap_step(s) == encap_ku::verify_sent)
        return error(out, error_code::unexpected_request);
      result<void> r = ok();
      if (p1 == static_cast<std::uint8_t>(key_operation::verify_new_key)) {
        s.commit_update();  // arrived under the new key: forget the old ones
      } else {
        // UpdateKey: the request direction only, the ACK under the old key; UpdateAllKeys: both,
        // the ACK already under the new response key.
        r = s.update_rx();
        if (r && p1 == static_cast<std::uint8_t>(key_operation::update_all_keys)) r = s.update_tx();
      }
      if (!r) return error(out, error_code::unspecified);  // the session has ended
      a1 = req[2];
      a2 = req[3];
    } else if (c == code::end_session) {
      clear_state_requested_ = (p1 & 0x01) != 0;
      s.end_after_send();  // the ACK still travels under the session's keys
    }
    return ack(out, static_cast<code>(static_cast<std::uint8_t>(c) & 0x7F), a1, a2);
  }

  // ============================================================================================
  // Encapsulated requests inside an established session: the responder-initiated KEY_UPDATE
  // (spdm.md §10.5, §10.6; secured.md §4 with the directions swapped, as libspdm does it):
  //   GET_ENCAPSULATED_REQUEST        -> ENCAPSULATED_REQUEST(KEY_UPDATE UpdateKey, tag)
  //   DELIVER(KEY_UPDATE_ACK)         -> new response key now; ENCAPSULATED_RESPONSE_ACK carrying
  //                                      KEY_UPDATE(VerifyNewKey) sealed under the new key
  //   DELIVER(KEY_UPDATE_ACK Verify)  -> previous key dropped; ENCAPSULATED_RESPONSE_ACK, no payload
  // The state lives in the session's user() word (wiped with the session): bits 1:0 the step,
  // 15:8 the RequestID in flight, 23:16 the tag.
  // ============================================================================================
  enum class encap_ku : std::uint8_t { none, pending, update_sent, verify_sent };
  /// Always `none` without ENCAP_CAP in the engine's configuration: the flow's code then
  /// compiles to nothing.
  static encap_ku encap_step(session_type& s) noexcept {
    if constexpr (!encap_enabled) return (void)s, encap_ku::none;
    else return static_cast<encap_ku>(s.user() & 0x3u);
  }
  static std::uint8_t encap_request_id(session_type& s) noexcept { return static_cast<std::uint8_t>(s.user() >> 8); }
  static std::uint8_t encap_tag(session_type& s) noexcept { return static_cast<std::uint8_t>(s.user() >> 16); }
  static void set_encap(session_type& s, encap_ku k, std::uint8_t request_id, std::uint8_t tag) noexcept {
    s.user() = static_cast<std::uint32_t>(k) | (std::uint32_t{request_id} << 8) | (std::uint32_t{tag} << 16);
  }
  std::uint8_t next_encap_request_id() noexcept {
    encap_request_id_ = static_cast<std::uint8_t>(encap_request_id_ == 0xFF ? 1 : encap_request_id_ + 1);
    return encap_request_id_;
  }
  /// The KEY_UPDATE request `op` with a fresh random tag, encapsulated into `inner`.
  result<std::pair<bytes_span, std::uint8_t>> encap_key_update(key_operation op, bytes_span inner) noexcept {
    std::array<std::byte, 1> tag{};
    PMCI_TRY(crypto_.random(tag));
    const auto t = std::to_integer<std::uint8_t>(tag[0]);
    writer w{inner};
    PMCI_TRY((key_update{op, t}.encode(w, n())));
    return std::pair{w.written(), t};
  }

  result<bytes_span> on_session_get_encapsulated(session_type& s, bytes_view req, bytes_span out) noexcept {
    const negotiated& nn = n();
    if (!encap_enabled || !encapsulated_possible(nn))
      return error(out, error_code::unsupported_request, static_cast<std::uint8_t>(code::get_encapsulated_request));
    if (const auto g = get_encapsulated_request::decode(req, nn); !g) return error(out, decode_error(g.error()));
    if (encap_step(s) != encap_ku::pending) {
      // Nothing to ask: NoPendingRequests from 1.3 (spdm.md §8); before it, UnexpectedRequest
      // (what libspdm's requester takes as "nothing pending" at 1.1/1.2).
      return error(out, nn.ver >= version::v1_3 ? error_code::no_pending_requests : error_code::unexpected_request);
    }
    std::array<std::byte, header::size> inner{};
    auto ku = encap_key_update(key_operation::update_key, inner);
    if (!ku) return error(out, error_code::unspecified);
    const std::uint8_t rid = next_encap_request_id();
    writer w{out};
    if (!encapsulated_request{rid, ku->first}.encode(w, nn)) return error(out, error_code::unspecified);
    set_encap(s, encap_ku::update_sent, rid, ku->second);
    return w.written();
  }

  result<bytes_span> on_session_deliver(session_type& s, bytes_view req, bytes_span out) noexcept {
    const negotiated& nn = n();
    const encap_ku step = encap_step(s);
    if (step != encap_ku::update_sent && step != encap_ku::verify_sent) return error(out, error_code::unexpected_request);
    const auto d = deliver_encapsulated_response::decode(req, nn);
    if (!d || d->request_id != encap_request_id(s)) return fail_session(s, out, error_code::invalid_request);
    const bool refused = static_cast<code>(std::to_integer<std::uint8_t>(d->message[1])) == code::error;
    encapsulated_response_ack ack;
    ack.ack_request_id = nn.ver >= version::v1_2 ? d->request_id : 0;
    writer w{out};
    if (refused && step == encap_ku::update_sent) {
      // The requester does not take an encapsulated KEY_UPDATE: nothing changed; the flow ends.
      set_encap(s, encap_ku::none, 0, 0);
      if (!ack.encode(w, nn)) return error(out, error_code::unspecified);
      return w.written();
    }
    const key_operation want = step == encap_ku::update_sent ? key_operation::update_key : key_operation::verify_new_key;
    const auto a = key_update_ack::decode(d->message, nn);
    if (!a || a->operation != want || a->tag != encap_tag(s)) return fail_session(s, out, error_code::invalid_request);
    if (step == encap_ku::verify_sent) {
      // VerifyNewKey acknowledged: the requester opened it with the new key.
      s.commit_update();
      set_encap(s, encap_ku::none, 0, 0);
      if (!ack.encode(w, nn)) return fail_session(s, out, error_code::unspecified);
      return w.written();
    }
    // The requester holds the new response key: switch now, so that this ACK (and VerifyNewKey in
    // it) is sealed under the new key.
    std::array<std::byte, header::size> inner{};
    auto ku = encap_key_update(key_operation::verify_new_key, inner);
    if (!ku) return fail_session(s, out, error_code::unspecified);
    ack.request_id = next_encap_request_id();
    ack.payload_type = encap_payload_type::present;
    ack.request = ku->first;
    if (!ack.encode(w, nn)) return fail_session(s, out, error_code::unspecified);
    if (!s.update_tx()) return error(out, error_code::unspecified);  // the session has ended
    set_encap(s, encap_ku::verify_sent, ack.request_id, ku->second);
    return w.written();
  }

  // ============================================================================================
  // Mutual authentication: the encapsulated request flow (spdm.md §10.6, §15)
  // ============================================================================================
  enum class mutual_step : std::uint8_t { idle, digests_requested, certificate_requested, done };
  struct no_chain {};
  struct mutual_state {
    bool active = false;
    std::uint32_t session = 0;
    std::uint8_t slot = 0;
    mutual_step step = mutual_step::idle;
    std::uint8_t request_id = 0;
    std::conditional_t<mutual_enabled, byte_buffer<SConfig::max_peer_cert_chain>, no_chain> chain{};
    std::conditional_t<mutual_enabled, typename detail::verify_key_of<Crypto>::type, no_chain> key{};
    std::array<std::byte, mutual_enabled ? SConfig::max_hash : 0> cm{};  ///< Hash(requester chain)
    bool use_known = false;  ///< without_encapsulated: known_ holds key and CM
  };
  /// The requester's chain known on this connection (mutual authentication without the
  /// encapsulated flow): its leaf key and CM.
  struct known_state {
    bool valid = false;
    std::uint8_t slot = 0;
    std::size_t hash_size = 0;
    std::array<std::byte, mutual_enabled ? SConfig::max_hash : 0> cm{};
    std::conditional_t<mutual_enabled, typename detail::verify_key_of<Crypto>::type, no_chain> key{};
  };

  void mutual_begin(std::uint32_t id, mut_auth_policy mode) noexcept {
    if constexpr (mutual_enabled) {
      mutual_reset();
      mutual_.active = true;
      mutual_.session = id;
      mutual_.slot = mut_auth_slot();
      if (mode == mut_auth_policy::implicit_digests) {
        // KEY_EXCHANGE_RSP stood for GET_DIGESTS: the requester DELIVERs DIGESTS with RequestID 0.
        mutual_.step = mutual_step::digests_requested;
        mutual_.request_id = 0;
      } else if (mode == mut_auth_policy::without_encapsulated) {
        mutual_.step = mutual_step::done;
        mutual_.use_known = true;
      }
    } else {
      (void)id, (void)mode;
    }
  }
  void known_reset() noexcept {
    if constexpr (mutual_enabled) {
      known_.valid = false;
      known_.slot = 0;
      known_.hash_size = 0;
      secure_wipe(known_.cm);
      known_.key = {};
    }
  }
  /// (Without the machinery compiled in, mutual_ never leaves its initial state.)
  void mutual_reset() noexcept {
    if constexpr (mutual_enabled) {
      mutual_.active = false;
      mutual_.session = 0;
      mutual_.step = mutual_step::idle;
      mutual_.request_id = 0;
      mutual_.use_known = false;
      mutual_.chain.clear();
      mutual_.key = {};
      secure_wipe(mutual_.cm);
    }
  }

  result<bytes_span> on_get_encapsulated_request(session_type& s, bytes_view req, bytes_span out) noexcept
    requires mutual_enabled
  {
    const negotiated& nn = n();
    if (!mutual_.active || mutual_.session != s.id() || mutual_.step != mutual_step::idle)
      return error(out, error_code::unexpected_request);
    if (const auto g = get_encapsulated_request::decode(req, nn); !g) return fail_session(s, out, decode_error(g.error()));
    std::array<std::byte, header::size> inner{};
    writer iw{inner};
    if (!get_digests{}.encode(iw, nn)) return fail_session(s, out, error_code::unspecified);
    mutual_.request_id = 1;
    writer w{out};
    if (!encapsulated_request{mutual_.request_id, iw.written()}.encode(w, nn)) return fail_session(s, out, error_code::unspecified);
    mutual_.step = mutual_step::digests_requested;
    return w.written();
  }

  result<bytes_span> on_deliver_encapsulated_response(session_type& s, bytes_view req, bytes_span out) noexcept
    requires mutual_enabled
  {
    const negotiated& nn = n();
    if (!mutual_.active || mutual_.session != s.id() ||
        (mutual_.step != mutual_step::digests_requested && mutual_.step != mutual_step::certificate_requested))
      return error(out, error_code::unexpected_request);
    const auto d = deliver_encapsulated_response::decode(req, nn);
    if (!d || d->request_id != mutual_.request_id) return fail_session(s, out, error_code::invalid_request);
    const std::size_t h = nn.h();
    hash_state& th = s.transcript();
    if (mutual_.step == mutual_step::digests_requested) {
      std::array<std::byte, header::size> get{};
      writer gw{get};
      (void)get_digests{}.encode(gw, nn);
      const auto dg = digests::decode(d->message, nn, response_context::answering(*header::decode(get), true));
      if (!dg || (dg->slot_mask & (1u << mutual_.slot)) == 0) return fail_session(s, out, error_code::invalid_request);
      // EncapD joins TH when MultiKeyConnReq (spdm.md §15).
      if (digests::multi_key_expected(nn, response_context{{}, true}) && !th_append(crypto_, th, d->message))
        return fail_session(s, out, error_code::unspecified);
      mutual_.chain.clear();
      return ask_certificate(s, out);
    }
    // A CERTIFICATE portion of the requester's chain.
    const auto c = certificate::decode(d->message, nn);
    if (!c || c->slot_id != mutual_.slot || c->portion.empty() || !mutual_.chain.append(c->portion))
      return fail_session(s, out, error_code::invalid_request);
    if (c->remainder_length != 0) return ask_certificate(s, out);
    // Whole chain: structure, RootHash, then the trust anchors; CM = Hash(chain) joins TH.
    const auto cc = cert_chain::decode(mutual_.chain.view(), nn);
    const auto hash = to_crypto(nn.hash);
    const auto alg = to_crypto(nn.req_asym);
    if (!cc || !hash || !alg) return fail_session(s, out, error_code::invalid_request);
    std::array<std::byte, crypto::max_digest_size> digest{};
    const auto dg = std::span{digest}.first(h);
    if (!crypto::compute_hash(crypto_, *hash, cc->root(), dg) || !equal(dg, cc->root_hash))
      return fail_session(s, out, error_code::invalid_request);
    auto key = crypto_.verify_cert_chain(cc->certificates, dev_.requester_trust_anchors(),
                                         crypto::cert_chain_options{*alg, crypto::cert_role::requester, 0});
    if (!key) return fail_session(s, out, error_code::invalid_request);
    mutual_.key = std::move(*key);
    if (!crypto::compute_hash(crypto_, *hash, mutual_.chain.view(), dg) || !th_append(crypto_, th, dg))
      return fail_session(s, out, error_code::unspecified);
    std::copy_n(dg.begin(), h, mutual_.cm.begin());
    mutual_.chain.clear();
    mutual_.step = mutual_step::done;
    encapsulated_response_ack ack;
    ack.request_id = 0;
    ack.payload_type = encap_payload_type::absent;
    ack.ack_request_id = nn.ver >= version::v1_2 ? mutual_.request_id : 0;
    writer w{out};
    if (!ack.encode(w, nn)) return fail_session(s, out, error_code::unspecified);
    return w.written();
  }

  /// ENCAPSULATED_RESPONSE_ACK carrying the next GET_CERTIFICATE of the requester's chain.
  result<bytes_span> ask_certificate(session_type& s, bytes_span out) noexcept
    requires mutual_enabled
  {
    const negotiated& nn = n();
    const std::size_t have = mutual_.chain.size();
    const std::size_t room = SConfig::max_peer_cert_chain - have;
    if (room == 0 || have > 0xFFFF) return fail_session(s, out, error_code::invalid_request);
    get_certificate g;
    g.slot_id = mutual_.slot;
    g.offset = static_cast<std::uint16_t>(have);
    g.length = static_cast<std::uint16_t>(std::min<std::size_t>(room, SConfig::encap_certificate_portion));
    std::array<std::byte, get_certificate::size> inner{};
    writer iw{inner};
    if (!g.encode(iw, nn)) return fail_session(s, out, error_code::unspecified);
    encapsulated_response_ack ack;
    ack.ack_request_id = nn.ver >= version::v1_2 ? mutual_.request_id : 0;
    mutual_.request_id = static_cast<std::uint8_t>(mutual_.request_id == 0xFF ? 1 : mutual_.request_id + 1);
    ack.request_id = mutual_.request_id;
    ack.payload_type = encap_payload_type::present;
    ack.request = iw.written();
    writer w{out};
    if (!ack.encode(w, nn)) return fail_session(s, out, error_code::unspecified);
    mutual_.step = mutual_step::certificate_requested;
    return w.written();
  }

  // ============================================================================================
  // Helpers
  // ============================================================================================
  [[nodiscard]] const negotiated& n() const noexcept { return engine_.negotiated_params(); }
  /// Both sides HANDSHAKE_IN_THE_CLEAR_CAP; never without it in the engine's configuration.
  static constexpr bool handshake_in_the_clear(const negotiated& nn) noexcept {
    return clear_enabled && nn.handshake_in_the_clear();
  }

  /// Connection checks for KEY_EXCHANGE / PSK_EXCHANGE: after ALGORITHMS, with the negotiated
  /// version byte. Returns the ERROR to send, or 0.
  [[nodiscard]] error_code precheck(bytes_view req) const noexcept {
    if (engine_.state() != connection_state::negotiated) return error_code::unexpected_request;
    return version_check(req);
  }
  [[nodiscard]] error_code version_check(bytes_view req) const noexcept {
    if (std::to_integer<std::uint8_t>(req[0]) != to_byte(n().ver)) return error_code::version_mismatch;
    return static_cast<error_code>(0);
  }
  static constexpr error_code decode_error(errc e) noexcept {
    return e == errc::version_mismatch ? error_code::version_mismatch : error_code::invalid_request;
  }

  /// Write ERROR e into out (negotiated version, or 1.0 before it is known).
  /// Written in place (DSP0274 "ERROR response message format", spdm.md §8): SPDMVersion, 0x7F,
  /// Param1 = ErrorCode, Param2 = ErrorData; the session layer sends no error with extended data
  /// (the bytes error_response::encode writes for these).
  result<bytes_span> error(bytes_span out, error_code e, std::uint8_t data = 0) const noexcept {
    if (out.size() < header::size) return errc::buffer_too_small;
    return put_header(out, engine_.state() >= connection_state::after_capabilities ? to_byte(n().ver) : to_byte(version::v1_0),
                      code::error, static_cast<std::byte>(e), std::byte{data});
  }

  /// ERROR e, and the session ends once the answer is out (it is sealed with the keys in use,
  /// or sent plain during an in-the-clear handshake).
  result<bytes_span> fail_session(session_type& s, bytes_span out, error_code e) noexcept {
    if (!s.idle()) s.end_after_send();
    if (mutual_session(s.id())) mutual_reset();
    return error(out, e);
  }

  /// ERROR e for a session whose exchange response is not sent (KEY_EXCHANGE / PSK_EXCHANGE):
  /// the session ends now.
  result<bytes_span> fail_now(session_type& s, bytes_span out, error_code e) noexcept {
    end_session(s);
    return error(out, e);
  }

  void end_session(session_type& s) noexcept {
    forget(s.id());
    s.end();
  }

  /// Whether session `id` is the one of the mutual authentication under way.
  [[nodiscard]] bool mutual_session(std::uint32_t id) const noexcept {
    if constexpr (mutual_enabled) return mutual_.session == id;
    else return (void)id, false;
  }
  /// Session `id` has ended: it is no longer the in-the-clear handshake or the mutual
  /// authentication under way (each compiled only with its capability / configuration).
  void forget(std::uint32_t id) noexcept {
    if constexpr (clear_enabled)
      if (clear_session_ == id) clear_session_ = 0;
    if (mutual_session(id)) mutual_reset();
  }

  /// Sign with the slot's key, through the Device (device.hpp).
  result<void> device_sign(std::uint8_t slot, const signed_content& c, bytes_span out) noexcept {
    const auto alg = to_crypto(n().asym);
    const auto hash = to_crypto(n().hash);
    if (!alg || !hash) return errc::unsupported;
    const signing_request r{c, *alg, *hash};
    if constexpr (detail::device_signs<Device>) {
      return dev_.sign(slot, r, out);
    } else if constexpr (detail::device_has_sign_key<Device, Crypto>) {
      const auto* key = dev_.sign_key(slot);
      if (key == nullptr) return errc::invalid_state;
      return spdm::sign(crypto_, *key, r, out);
    } else {
      return errc::unsupported;
    }
  }

  /// MeasurementSummaryHash (spdm.md §6.4): Hash of the measurement blocks, all or the TCB ones.
  /// `scratch` holds one block at a time. errc::unsupported without MEAS_CAP.
  result<void> summary_hash(summary_hash_type t, bytes_span out, bytes_span scratch) noexcept {
    if constexpr (detail::device_has_measurements<Device>) {
      const negotiated& nn = n();
      if ((nn.rsp_caps & rsp_cap::meas_mask) == rsp_cap::none) return errc::unsupported;
      const auto h = to_crypto(nn.hash);
      if (!h) return errc::unsupported;
      hash_state s{};
      PMCI_TRY(crypto_.hash_init(s, *h));
      const measurement_request mr{nn.ver, nn.measurement_hash, false, false};
      for (const std::uint8_t idx : std::span<const std::uint8_t>(dev_.measurement_indices())) {
        if constexpr (detail::device_has_tcb<Device>)
          if (t == summary_hash_type::tcb && !dev_.measurement_in_tcb(idx)) continue;
        writer bw{scratch};
        PMCI_TRY(dev_.write_measurement(idx, mr, bw));
        PMCI_TRY(bw.status());
        PMCI_TRY(crypto_.hash_update(s, bw.written()));
      }
      return crypto_.hash_final(s, out);
    } else {
      (void)t, (void)out, (void)scratch;
      return errc::unsupported;
    }
  }

  Engine& engine_;
  Crypto& crypto_;
  Device& dev_;
  table_type sessions_{};
  /// A ‖ D (the most recent DIGESTS), when MultiKeyConnRsp; nothing without MULTI_KEY_CAP.
  [[no_unique_address]] std::conditional_t<multi_key_enabled, hash_state, no_chain> d_state_{};
  bool have_d_ = false;
  std::uint32_t clear_session_ = 0;  ///< the in-the-clear handshake under way
  std::uint64_t now_ = 0;
  bool clear_state_requested_ = false;
  mut_auth_policy mut_auth_ = SConfig::mut_auth;
  std::uint8_t encap_request_id_ = 0;  ///< the last RequestID of an in-session encapsulated request
  mutual_state mutual_{};
  [[no_unique_address]] std::conditional_t<mutual_enabled, known_state, no_chain> known_{};
};

}  // namespace pmci::spdm
