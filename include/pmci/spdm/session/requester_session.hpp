// SPDX-License-Identifier: Apache-2.0
// pmci::spdm::session_requester — the requester's session layer (DSP0274 §10, DSP0277 over
// MCTP): KEY_EXCHANGE (+ encapsulated mutual authentication) / FINISH, PSK_EXCHANGE /
// PSK_FINISH, HEARTBEAT, KEY_UPDATE, END_SESSION, and any message inside a session.
//
//   pmci::spdm::requester<host_config, crypto_t> spdm{crypto};                 // attestation
//   pmci::spdm::session_requester<decltype(spdm), crypto_t, my_sessions> sessions{spdm, crypto};
//   auto link = sessions.tap(transport);          // lets the session layer see DIGESTS (D)
//   spdm.attest(link, {...});                     // VCA, certificates (Ct, the responder's key)
//   auto id = sessions.key_exchange(transport, {.slot = 0});
//   auto rsp = sessions.send_receive(transport, *id, get_measurements_message);
//   sessions.key_update(transport, *id, pmci::spdm::key_operation::update_all_keys);
//   sessions.end_session(transport, *id);
//
// Two layers, as in the engines:
//   * step-wise and sans-I/O: start_key_exchange() / on_key_exchange_rsp(), finish_request() /
//     on_finish_rsp(), start_psk_exchange() / on_psk_exchange_rsp(), encapsulated_response()
//     build and consume SPDM messages; the session object (sessions().find(id)) seals and opens
//     records.
//   * blocking, over any pmci::transport::message_transport (MCTP messages in and out): the
//     calls above in order, records sealed and opened with the requester's own buffers (no
//     heap; SConfig::max_message_size sizes them).
//
// What it needs from the engine (Engine: pmci::spdm::requester or anything with these members):
//   connection_state state() const; const negotiated& negotiated_params() const;
//   const transcript_type& transcripts() const   (transcripts().vca() = A)
//   const Crypto::verify_key* slot_key(std::uint8_t slot) const      the responder's leaf key
//   bytes_view slot_chain_digest(std::uint8_t slot) const            Ct
// and, for mutual authentication, an Identity (the requester's own certificate and key):
//   bytes_view cert_chain(std::uint8_t slot)           DER certificates, root first; empty = none
//   const Crypto::sign_key* sign_key(std::uint8_t slot)
//
// Checks on responses: codec layout, version selection among what was offered, the
// KEY_EXCHANGE_RSP signature with the slot's verified key, ResponderVerifyData (constant time),
// the session id not already in use. A failed check ends the session (its secrets wiped) and
// returns verify_failed / invalid_field; an ERROR answer returns peer_error (last_error()).
#pragma once
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <type_traits>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/core/secure.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/spdm/cert_chain.hpp"
#include "pmci/spdm/certificate.hpp"
#include "pmci/spdm/config.hpp"
#include "pmci/spdm/crypto_map.hpp"
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
#include "pmci/transport/concepts.hpp"

namespace pmci::spdm {

/// KEY_EXCHANGE parameters.
struct key_exchange_options {
  std::uint8_t slot = 0;                                ///< the responder's certificate slot (verified)
  summary_hash_type summary = summary_hash_type::none;  ///< MeasurementSummaryHash wanted
  std::uint8_t session_policy = 0;                      ///< 1.2+ SessionPolicy bits
};

/// PSK_EXCHANGE parameters. The views must stay valid until the exchange ends.
struct psk_options {
  bytes_view psk{};                                     ///< the pre-shared key
  bytes_view hint{};                                    ///< PSKHint (may be empty)
  summary_hash_type summary = summary_hash_type::none;
  std::uint8_t session_policy = 0;
  std::size_t context_size = 64;                        ///< RequesterContext length (random)
};

/// No identity: the requester cannot be mutually authenticated.
struct no_identity {};

template <class Engine, class Crypto, class SConfig = session_defaults>
class session_requester {
  static_assert(crypto::hash_policy<Crypto> && crypto::aead_policy<Crypto> && crypto::dhe_policy<Crypto> &&
                    crypto::random_policy<Crypto> && crypto::verify_policy<Crypto>,
                "spdm::session_requester: the crypto policy must hash, verify, do (EC)DHE, AEAD and random()");
  static_assert(SConfig::max_sessions >= 1, "spdm::session_requester: SConfig::max_sessions must be at least 1");

 public:
  using session_type = session<Crypto, SConfig::max_hash>;
  using table_type = session_table<Crypto, SConfig::max_sessions, SConfig::max_hash>;
  using hash_state = typename Crypto::hash_state;
  static constexpr std::size_t max_message_size = []() {
    if constexpr (requires { SConfig::max_message_size; }) return static_cast<std::size_t>(SConfig::max_message_size);
    else return std::size_t{4096};
  }();
  /// Send and receive buffers: the largest SPDM message, its MCTP type byte, a record's overhead
  /// and the most padding.
  static constexpr std::size_t buffer_size = max_message_size + 1 + secured_layout{}.overhead() + 32;

  session_requester(Engine& engine, Crypto& crypto) noexcept : engine_(engine), crypto_(crypto) {}
  session_requester(const session_requester&) = delete;
  session_requester& operator=(const session_requester&) = delete;

  [[nodiscard]] table_type& sessions() noexcept { return sessions_; }
  /// The ERROR of the last peer_error.
  [[nodiscard]] const error_response& last_error() const noexcept { return last_error_; }
  /// MeasurementSummaryHash of the last KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP (empty if none).
  [[nodiscard]] bytes_view last_summary_hash() const noexcept { return bytes_view{summary_}.first(summary_size_); }

  // ============================================================================================
  // D: the most recent DIGESTS (spdm.md §15)
  // ============================================================================================
  /// Show the session layer a plain request and its response (the blocking tap() does this);
  /// GET_VERSION ends every session, a DIGESTS response becomes D.
  void observe(bytes_view request, bytes_view response) noexcept {
    if (request.size() < header::size || response.size() < header::size) return;
    const auto c = static_cast<code>(std::to_integer<std::uint8_t>(request[1]));
    if (c == code::get_version) {
      sessions_.end_all();
      have_d_ = false;
      pending_ = {};
    }
    if (c == code::get_digests && static_cast<code>(std::to_integer<std::uint8_t>(response[1])) == code::digests) {
      d_state_ = engine_.transcripts().vca();
      have_d_ = static_cast<bool>(crypto_.hash_update(d_state_, response));
    }
  }

  /// A transport that forwards to T and shows plain SPDM exchanges to observe().
  template <transport::message_transport T>
  class tap_transport {
   public:
    tap_transport(session_requester& s, T& t) noexcept : s_(&s), t_(&t) {}
    result<bytes_span> exchange(bytes_view request, bytes_span response) noexcept {
      auto r = t_->exchange(request, response);
      if (r && !request.empty() && !r->empty() && request[0] == std::byte{mctp_type_spdm} &&
          (*r)[0] == std::byte{mctp_type_spdm})
        s_->observe(request.subspan(1), r->subspan(1));
      return r;
    }

   private:
    session_requester* s_;
    T* t_;
  };
  template <transport::message_transport T>
  [[nodiscard]] tap_transport<T> tap(T& t) noexcept { return {*this, t}; }

  // ============================================================================================
  // Step-wise: KEY_EXCHANGE
  // ============================================================================================
  /// Build KEY_EXCHANGE into out (an SPDM message). Errors: invalid_state (not negotiated, slot
  /// not verified), unsupported (sessions not negotiated), no_resources (the session table is
  /// full), the policy's errors.
  [[nodiscard]] result<bytes_span> start_key_exchange(const key_exchange_options& o, bytes_span out) noexcept {
    const negotiated& nn = n();
    if (engine_.state() != connection_state::negotiated) return errc::invalid_state;
    if (!key_exchange_possible(nn)) return errc::unsupported;
    if (engine_.slot_key(o.slot) == nullptr || engine_.slot_chain_digest(o.slot).size() != nn.h()) return errc::invalid_state;
    const auto dhe = to_crypto(nn.dhe);
    if (!dhe) return errc::unsupported;
    if (sessions_.allocate() == nullptr) return errc::no_resources;  // no room for the answer
    pending_ = {};
    std::array<std::byte, nonce_size> random{};
    PMCI_TRY(crypto_.random(random));
    std::array<std::byte, crypto::max_dhe_public_key_size> pub{};
    const std::size_t d = crypto::dhe_public_key_size(*dhe);
    PMCI_TRY_ASSIGN(pending_.dhe, crypto_.dhe_generate(*dhe, std::span{pub}.first(d)));
    std::array<std::byte, 32> opaque{};
    PMCI_TRY_ASSIGN(const std::size_t opaque_size, write_supported_versions(nn, opaque));
    spdm::key_exchange k;
    k.summary = o.summary;
    k.slot_id = o.slot;
    k.req_session_id = sessions_.free_half(session_role::requester);
    k.session_policy = o.session_policy;
    k.random_data = random;
    k.exchange_data = std::span{pub}.first(d);
    k.opaque_data = std::span{opaque}.first(opaque_size);
    writer w{out};
    PMCI_TRY(k.encode(w, nn));
    pending_.slot = o.slot;
    // TH: A ‖ [D] ‖ Ct ‖ KEY_EXCHANGE
    return remember_exchange(pending_kind::dhe, have_d_ && nn.multi_key_conn_rsp ? d_state_ : engine_.transcripts().vca(),
                             engine_.slot_chain_digest(o.slot), w.written(), k.req_session_id);
  }

  /// Consume KEY_EXCHANGE_RSP: verify the signature, derive the handshake keys, check
  /// ResponderVerifyData. Returns the new session's id (handshake phase). Errors: invalid_state
  /// (no KEY_EXCHANGE pending), peer_error (an ERROR), the codec's errors, invalid_field (a
  /// version selection we did not offer, MutAuthRequested we cannot serve), verify_failed,
  /// no_resources (session table full), the policy's errors.
  [[nodiscard]] result<std::uint32_t> on_key_exchange_rsp(bytes_view rsp) noexcept {
    PMCI_TRY_ASSIGN(pending p, take_pending(pending_kind::dhe, rsp));
    const negotiated& nn = n();
    PMCI_TRY_ASSIGN(const key_exchange_rsp k, key_exchange_rsp::decode(rsp, nn, response_context::answering(p.request)));
    PMCI_TRY(check_version_selection(nn, k.opaque_data));
    // MutAuthRequested (spdm.md §10.2): none, or exactly one of bit 0 (no encapsulated flow: FINISH
    // signed with ReqSlotIDParam's key), bit 1 (the encapsulated flow from
    // GET_ENCAPSULATED_REQUEST) or bit 2 (the flow starting with our DIGESTS for an implicit
    // GET_DIGESTS), as libspdm accepts them.
    if (const std::uint8_t m = k.mut_auth_requested;
        m != 0 && m != mut_auth_requested && m != mut_auth_with_encap_request && m != mut_auth_with_get_digests)
      return errc::invalid_field;
    const std::size_t h = nn.h(), sig = nn.s(), verify = k.responder_verify_data.size();
    const std::size_t sig_at = rsp.size() - sig - verify;
    const auto* key = engine_.slot_key(p.slot);
    const auto alg = to_crypto(nn.asym);
    const auto hash = to_crypto(nn.hash);
    const auto dhe = to_crypto(nn.dhe);
    if (key == nullptr || !alg || !hash || !dhe) return errc::invalid_state;
    std::array<std::byte, crypto::max_digest_size> digest{};
    const auto dg = std::span{digest}.first(h);
    PMCI_TRY(th_digest(crypto_, p.th, rsp.first(sig_at), dg));
    PMCI_TRY(spdm::verify(crypto_, *key, *alg, *hash, signed_content{nn.ver, signing_context::responder_key_exchange_rsp, dg},
                          k.signature));
    pmci::secret<crypto::max_dhe_shared_secret_size> shared;
    const std::size_t ss = crypto::dhe_shared_secret_size(*dhe);
    PMCI_TRY(crypto_.dhe_compute(p.dhe, k.exchange_data, shared.span().first(ss)));
    PMCI_TRY_ASSIGN(session_type * s, exchange_session(p, false, rsp, k.heartbeat_period, k.rsp_session_id,
                                                       shared.span().first(ss), k.responder_verify_data,
                                                       k.measurement_summary_hash));
    s->user() = k.mut_auth_requested != 0 ? (mutual_flag | (std::uint32_t{k.mut_auth_requested} << 8) |
                                             (k.req_slot_id_param & 0x0Fu))
                                          : 0;
    return s->id();
  }

  /// Whether the responder asked for mutual authentication in this session's KEY_EXCHANGE_RSP,
  /// and whether with the encapsulated flow.
  [[nodiscard]] bool mutual_requested(std::uint32_t id) noexcept {
    session_type* s = sessions_.find(id);
    return s != nullptr && (s->user() & mutual_flag) != 0;
  }
  [[nodiscard]] bool encapsulated_requested(std::uint32_t id) noexcept {
    session_type* s = sessions_.find(id);
    return s != nullptr &&
           (s->user() & (std::uint32_t{mut_auth_with_encap_request | mut_auth_with_get_digests} << 8)) != 0;
  }
  /// ... with the flow starting from an implicit GET_DIGESTS (MutAuthRequested bit 2).
  [[nodiscard]] bool implicit_digests_requested(std::uint32_t id) noexcept {
    session_type* s = sessions_.find(id);
    return s != nullptr && (s->user() & (std::uint32_t{mut_auth_with_get_digests} << 8)) != 0;
  }
  /// The slot whose key signs FINISH (ReqSlotIDParam, or the ReqSlotNumber of the last
  /// ENCAPSULATED_RESPONSE_ACK).
  [[nodiscard]] std::uint8_t mutual_slot(std::uint32_t id) noexcept {
    session_type* s = sessions_.find(id);
    return s != nullptr ? static_cast<std::uint8_t>(s->user() & 0x0F) : 0;
  }

  // ============================================================================================
  // Step-wise: PSK_EXCHANGE
  // ============================================================================================
  [[nodiscard]] result<bytes_span> start_psk_exchange(const psk_options& o, bytes_span out) noexcept {
    const negotiated& nn = n();
    if (engine_.state() != connection_state::negotiated) return errc::invalid_state;
    if (!psk_possible(nn)) return errc::unsupported;
    if (o.psk.empty() || o.context_size > 64) return errc::invalid_field;
    if (sessions_.allocate() == nullptr) return errc::no_resources;
    pending_ = {};
    std::array<std::byte, 64> context{};
    PMCI_TRY(crypto_.random(std::span{context}.first(o.context_size)));
    std::array<std::byte, 32> opaque{};
    PMCI_TRY_ASSIGN(const std::size_t opaque_size, write_supported_versions(nn, opaque));
    spdm::psk_exchange k;
    k.summary = o.summary;
    k.session_policy = o.session_policy;
    k.req_session_id = sessions_.free_half(session_role::requester);
    k.psk_hint = o.hint;
    k.requester_context = std::span{context}.first(o.context_size);
    k.opaque_data = std::span{opaque}.first(opaque_size);
    writer w{out};
    PMCI_TRY(k.encode(w, nn));
    pending_.psk = o.psk;
    // TH: A ‖ PSK_EXCHANGE (PSK: no D, no Ct; spdm.md §15)
    return remember_exchange(pending_kind::psk, engine_.transcripts().vca(), {}, w.written(), k.req_session_id);
  }

  /// Consume PSK_EXCHANGE_RSP (errors as on_key_exchange_rsp).
  [[nodiscard]] result<std::uint32_t> on_psk_exchange_rsp(bytes_view rsp) noexcept {
    PMCI_TRY_ASSIGN(pending p, take_pending(pending_kind::psk, rsp));
    const negotiated& nn = n();
    PMCI_TRY_ASSIGN(const psk_exchange_rsp k, psk_exchange_rsp::decode(rsp, nn, response_context::answering(p.request)));
    PMCI_TRY(check_version_selection(nn, k.opaque_data));
    const bytes_view psk = p.psk;
    PMCI_TRY_ASSIGN(session_type * s, exchange_session(p, true, rsp, k.heartbeat_period, k.rsp_session_id, psk,
                                                       k.responder_verify_data, k.measurement_summary_hash));
    return s->id();
  }

  // ============================================================================================
  // Step-wise: FINISH / PSK_FINISH
  // ============================================================================================
  /// Build FINISH (KEY_EXCHANGE sessions; signed with the identity's key when the responder asked
  /// for mutual authentication) or PSK_FINISH. Errors: invalid_state (no such session in its
  /// handshake), unsupported (mutual authentication asked and no identity), the policy's errors.
  template <class Identity = no_identity>
  [[nodiscard]] result<bytes_span> finish_request(std::uint32_t id, bytes_span out, Identity* identity = nullptr) noexcept {
    session_type* s = sessions_.find(id);
    if (s == nullptr || s->phase() != session_phase::handshake) return errc::invalid_state;
    const negotiated& nn = n();
    const std::size_t h = nn.h();
    hash_state& th = s->transcript();
    std::array<std::byte, crypto::max_digest_size> digest{};
    const auto dg = std::span{digest}.first(h);
    writer w{out};
    if (s->params().psk) {
      psk_finish f;
      f.requester_verify_data = std::span{placeholder_zeros}.first(h);
      PMCI_TRY(f.encode(w, nn));
    } else {
      const bool mutual = (s->user() & mutual_flag) != 0;
      const std::uint8_t slot = static_cast<std::uint8_t>(s->user() & 0x0F);
      finish f;
      f.signature_included = mutual;
      f.req_slot_id = mutual ? slot : 0;
      f.signature = std::span{placeholder_zeros}.first(mutual ? nn.req_s() : 0);
      f.requester_verify_data = std::span{placeholder_zeros}.first(h);
      PMCI_TRY(f.encode(w, nn));
      if (mutual) {
        if constexpr (std::is_same_v<Identity, no_identity>) {
          return abort(*s, errc::unsupported);
        } else {
          if (identity == nullptr) return abort(*s, errc::unsupported);
          // CM = Hash(our SPDM certificate chain of ReqSlotID) joins TH before FINISH.
          if (auto r = chain_digest(*identity, slot, dg); !r) return abort(*s, r.error());
          if (auto r = th_append(crypto_, th, dg); !r) return abort(*s, r.error());
          const bytes_span msg = w.written();
          const std::size_t sig_at = msg.size() - h - nn.req_s();
          const auto* key = identity->sign_key(slot);
          const auto alg = to_crypto(nn.req_asym);
          const auto hash = to_crypto(nn.hash);
          if (key == nullptr || !alg || !hash) return abort(*s, errc::invalid_state);
          auto r = th_digest(crypto_, th, msg.first(sig_at), dg);
          if (r) r = spdm::sign(crypto_, *key, *alg, *hash, signed_content{nn.ver, signing_context::requester_finish, dg},
                                msg.subspan(sig_at, nn.req_s()));
          if (!r) return abort(*s, r.error());
        }
      }
    }
    const bytes_span msg = w.written();
    auto r = th_digest(crypto_, th, msg.first(msg.size() - h), dg);
    if (r) r = s->key_schedule_ref().verify_data(key_direction::request, dg, msg.last(h));
    if (r) r = th_append(crypto_, th, msg);
    if (!r) return abort(*s, r.error());
    return msg;
  }

  /// Consume FINISH_RSP / PSK_FINISH_RSP: check ResponderVerifyData (in the clear), derive the
  /// data keys from TH2: the session is established. Errors: invalid_state, peer_error (the
  /// session is ended), codec errors, verify_failed.
  [[nodiscard]] result<void> on_finish_rsp(std::uint32_t id, bytes_view rsp) noexcept {
    session_type* s = sessions_.find(id);
    if (s == nullptr || s->phase() != session_phase::handshake) return errc::invalid_state;
    const negotiated& nn = n();
    if (auto e = check_error(rsp); !e) return abort(*s, e.error());
    const std::size_t h = nn.h();
    hash_state& th = s->transcript();
    std::array<std::byte, crypto::max_digest_size> digest{};
    const auto dg = std::span{digest}.first(h);
    if (s->params().psk) {
      if (auto f = psk_finish_rsp::decode(rsp, nn); !f) return abort(*s, f.error());
    } else {
      const auto f = finish_rsp::decode(rsp, nn);
      if (!f) return abort(*s, f.error());
      if (!f->responder_verify_data.empty()) {  // in the clear
        std::array<std::byte, crypto::max_digest_size> expected{};
        auto r = th_digest(crypto_, th, rsp.first(rsp.size() - h), dg);
        if (r) r = s->key_schedule_ref().verify_data(key_direction::response, dg, std::span{expected}.first(h));
        const bool match = r && ct_equal(std::span{expected}.first(h), f->responder_verify_data);
        secure_wipe(expected);
        if (!match) return abort(*s, r ? errc::verify_failed : r.error());
      }
    }
    auto r = th_append(crypto_, th, rsp);
    if (r) r = th_digest(crypto_, th, {}, dg);  // TH2
    if (!r) return abort(*s, r.error());
    return s->establish(dg);
  }

  // ============================================================================================
  // Step-wise: the encapsulated mutual-authentication flow (spdm.md §10.6)
  // ============================================================================================
  /// Answer ENCAPSULATED_REQUEST / ENCAPSULATED_RESPONSE_ACK (`msg`) with the next
  /// DELIVER_ENCAPSULATED_RESPONSE in `out`, serving GET_DIGESTS and GET_CERTIFICATE from the
  /// identity. `done` is set (and nothing written) when the ACK carries no further request.
  /// Errors: invalid_state, peer_error, codec errors, unsupported (an ACK naming a different
  /// ReqSlotID than KEY_EXCHANGE_RSP did).
  ///
  /// Also inside an established session (serve_encapsulated_requests): the responder-initiated
  /// KEY_UPDATE is served there (UpdateKey: the new response key is derived, the current one
  /// kept; VerifyNewKey, which arrives under the new key: the old one dropped), and an ERROR
  /// answer does not end the session. Identity may be no_identity (GET_DIGESTS / GET_CERTIFICATE
  /// are then answered with ERROR UnsupportedRequest).
  template <class Identity>
  [[nodiscard]] result<bytes_span> encapsulated_response(std::uint32_t id, Identity& identity, bytes_view msg,
                                                         bytes_span out, bool& done) noexcept {
    done = false;
    session_type* s = sessions_.find(id);
    if (s == nullptr || s->idle()) return errc::invalid_state;
    const bool handshake = s->phase() == session_phase::handshake;
    const negotiated& nn = n();
    if (auto e = check_error(msg); !e) return handshake ? abort(*s, e.error()) : e.error();
    std::uint8_t request_id = 0;
    bytes_view inner{};
    const auto h = header::decode(msg);
    if (!h) return abort(*s, h.error());
    if (h->request_response_code == code::encapsulated_request) {
      const auto e = encapsulated_request::decode(msg, nn);
      if (!e) return abort(*s, e.error());
      request_id = e->request_id;
      inner = e->message;
    } else {
      const auto a = encapsulated_response_ack::decode(msg, nn);
      if (!a) return abort(*s, a.error());
      if (a->payload_type == encap_payload_type::req_slot_number && handshake) {
        // ReqSlotNumber: the slot to sign FINISH with. Taken when KEY_EXCHANGE_RSP named slot 0
        // (as libspdm does); a different non-zero slot is a contradiction.
        const auto named = static_cast<std::uint8_t>(s->user() & 0x0F);
        if (named != 0 && a->req_slot_id != named) return abort(*s, errc::unsupported);
        s->user() = (s->user() & ~0x0Fu) | a->req_slot_id;
      }
      if (a->payload_type != encap_payload_type::present) {
        done = true;
        return out.first(0);
      }
      request_id = a->request_id;
      inner = a->request;
    }
    // The inner response is written after the 4-byte DELIVER header.
    if (out.size() < 2 * header::size) return errc::buffer_too_small;
    PMCI_TRY_ASSIGN(const bytes_span answer, serve_encapsulated(*s, identity, inner, out.subspan(header::size)));
    writer w{out};
    write_header(w, code::deliver_encapsulated_response, nn, request_id, 0);
    PMCI_TRY(w.status());
    return out.first(header::size + answer.size());
  }

  // ============================================================================================
  // Blocking API
  // ============================================================================================
  /// The requester's first message of the mutual-authentication flow after KEY_EXCHANGE_RSP:
  /// GET_ENCAPSULATED_REQUEST (MutAuthRequested bit 1), or for bit 2 DELIVER_ENCAPSULATED_RESPONSE
  /// with RequestID 0 carrying our DIGESTS for the implicit GET_DIGESTS (libspdm builds that
  /// GET_DIGESTS with the connection's version and zero parameters). Errors: invalid_state (no
  /// encapsulated flow asked for this session), the others of encapsulated_response().
  template <class Identity>
  [[nodiscard]] result<bytes_span> start_encapsulated(std::uint32_t id, Identity& identity, bytes_span out) noexcept {
    session_type* s = sessions_.find(id);
    if (s == nullptr || s->phase() != session_phase::handshake || !encapsulated_requested(id)) return errc::invalid_state;
    const negotiated& nn = n();
    if (!implicit_digests_requested(id)) {
      writer w{out};
      PMCI_TRY(get_encapsulated_request{}.encode(w, nn));
      return w.written();
    }
    std::array<std::byte, header::size> get{};
    writer gw{get};
    PMCI_TRY(get_digests{}.encode(gw, nn));
    if (out.size() < 2 * header::size) return errc::buffer_too_small;
    auto answer = serve_encapsulated(*s, identity, gw.written(), out.subspan(header::size));
    if (!answer) return abort(*s, answer.error());
    writer w{out};
    write_header(w, code::deliver_encapsulated_response, nn, 0, 0);
    PMCI_TRY(w.status());
    return out.first(header::size + answer->size());
  }

  /// KEY_EXCHANGE, the encapsulated flow if the responder asks for it (identity required), FINISH.
  /// Returns the established session's id.
  /// An ERROR Busy answer (a responder whose signing key is occupied) is retried up to
  /// SConfig::busy_retries times with the identical request (the transcript already holds it).
  template <transport::message_transport T, class Identity = no_identity>
  [[nodiscard]] result<std::uint32_t> key_exchange(T& t, const key_exchange_options& o, Identity* identity = nullptr) noexcept {
    PMCI_TRY_ASSIGN(const bytes_span req, start_key_exchange(o, std::span{tx_}.subspan(1)));
    PMCI_TRY_ASSIGN(const bytes_view rsp, exchange_retrying_busy(t, req.size()));
    PMCI_TRY_ASSIGN(const std::uint32_t id, on_key_exchange_rsp(rsp));
    if (encapsulated_requested(id)) {
      if constexpr (std::is_same_v<Identity, no_identity>) {
        return abort(*sessions_.find(id), errc::unsupported);
      } else {
        if (identity == nullptr) return abort(*sessions_.find(id), errc::unsupported);
        // GET_ENCAPSULATED_REQUEST (or, for an implicit GET_DIGESTS, our DIGESTS at once), then
        // DELIVER_ENCAPSULATED_RESPONSE until the ACK is empty.
        session_type* s = sessions_.find(id);
        PMCI_TRY_ASSIGN(const bytes_span first, start_encapsulated(id, *identity, spdm_area(s)));
        PMCI_TRY_ASSIGN(bytes_view m, exchange_spdm(t, s, first.size()));
        for (int round = 0; round < 64; ++round) {
          bool done = false;
          // Copy the message out of rx_ first: the answer is built in tx_, the next reply lands in rx_.
          PMCI_TRY_ASSIGN(const bytes_span deliver, encapsulated_response(id, *identity, m, spdm_area(s), done));
          if (done) break;
          PMCI_TRY_ASSIGN(m, exchange_spdm(t, s, deliver.size()));
          if (round == 63) return abort(*s, errc::sequence_error);
        }
      }
    }
    session_type* s = sessions_.find(id);
    if (s == nullptr) return errc::session_ended;
    PMCI_TRY_ASSIGN(const bytes_span fin, finish_request(id, spdm_area(s), identity));
    PMCI_TRY_ASSIGN(const bytes_view fin_rsp, exchange_spdm(t, s, fin.size()));
    PMCI_TRY(on_finish_rsp(id, fin_rsp));
    return id;
  }

  /// Ask the responder for its encapsulated requests inside established session `id`
  /// (GET_ENCAPSULATED_REQUEST) and serve them until it has none: a responder-initiated
  /// KEY_UPDATE (session_responder::start_key_update, spdm-emu OOB_ENCAP_KEY_UPDATE), and
  /// GET_DIGESTS / GET_CERTIFICATE when an identity is given. Returns how many requests were
  /// served (0: ERROR NoPendingRequests, or UnexpectedRequest before 1.3). Errors: invalid_state,
  /// unsupported (ENCAP_CAP not negotiated), peer_error (any other ERROR), codec and record
  /// errors, sequence_error (more than 64 rounds).
  template <transport::message_transport T, class Identity = no_identity>
  [[nodiscard]] result<std::size_t> serve_encapsulated_requests(T& t, std::uint32_t id, Identity* identity = nullptr) noexcept {
    PMCI_TRY_ASSIGN(session_type * s, established(id));
    const negotiated& nn = n();
    if (!encapsulated_possible(nn)) return errc::unsupported;
    writer w{spdm_area(s)};
    PMCI_TRY(get_encapsulated_request{}.encode(w, nn));
    PMCI_TRY_ASSIGN(bytes_view m, exchange_spdm(t, s, w.size()));
    if (auto e = check_error(m); !e) {
      const error_code c = last_error_.error;
      if (c == error_code::no_pending_requests || (nn.ver < version::v1_3 && c == error_code::unexpected_request))
        return std::size_t{0};
      return e.error();
    }
    no_identity none;
    for (std::size_t served = 0; served < 64; ++served) {
      bool done = false;
      s = sessions_.find(id);
      if (s == nullptr) return errc::session_ended;
      auto deliver = identity != nullptr ? encapsulated_response(id, *identity, m, spdm_area(s), done)
                                         : encapsulated_response(id, none, m, spdm_area(s), done);
      if (!deliver) return deliver.error();
      if (done) return served;
      PMCI_TRY_ASSIGN(m, exchange_spdm(t, s, deliver->size()));
    }
    return errc::sequence_error;
  }

  /// PSK_EXCHANGE, PSK_FINISH. Returns the established session's id.
  template <transport::message_transport T>
  [[nodiscard]] result<std::uint32_t> psk_exchange(T& t, const psk_options& o) noexcept {
    PMCI_TRY_ASSIGN(const bytes_span req, start_psk_exchange(o, std::span{tx_}.subspan(1)));
    PMCI_TRY_ASSIGN(const bytes_view rsp, exchange_retrying_busy(t, req.size()));
    PMCI_TRY_ASSIGN(const std::uint32_t id, on_psk_exchange_rsp(rsp));
    session_type* s = sessions_.find(id);
    PMCI_TRY_ASSIGN(const bytes_span fin, finish_request(id, spdm_area(s)));
    PMCI_TRY_ASSIGN(const bytes_view fin_rsp, exchange_spdm(t, s, fin.size()));
    PMCI_TRY(on_finish_rsp(id, fin_rsp));
    return id;
  }

  /// HEARTBEAT / HEARTBEAT_ACK.
  template <transport::message_transport T>
  [[nodiscard]] result<void> heartbeat(T& t, std::uint32_t id) noexcept {
    PMCI_TRY_ASSIGN(session_type * s, established(id));
    writer w{spdm_area(s)};
    PMCI_TRY(spdm::heartbeat{}.encode(w, n()));
    PMCI_TRY_ASSIGN(const bytes_view rsp, exchange_spdm(t, s, w.size()));
    PMCI_TRY(check_error(rsp));
    return heartbeat_ack::decode(rsp, n()).has_value() ? ok() : result<void>{errc::invalid_field};
  }

  /// KEY_UPDATE with `op` (UpdateKey or UpdateAllKeys) then VerifyNewKey, in the libspdm order
  /// (secured.md §4): the request under the old key; for UpdateAllKeys the ACK under the new
  /// response key; then the new request key; VerifyNewKey under it. A failure after the first
  /// exchange rolls the keys back where the peer still uses the old ones.
  template <transport::message_transport T>
  [[nodiscard]] result<void> key_update(T& t, std::uint32_t id, key_operation op) noexcept {
    if (op == key_operation::verify_new_key) return errc::invalid_field;
    PMCI_TRY_ASSIGN(session_type * s, established(id));
    if (!key_update_possible(n())) return errc::unsupported;
    std::array<std::byte, 1> tag{};
    PMCI_TRY(crypto_.random(tag));
    const auto t1 = std::to_integer<std::uint8_t>(tag[0]);
    writer w{spdm_area(s)};
    PMCI_TRY((spdm::key_update{op, t1}.encode(w, n())));
    // Seal the request under the old key, then expect the ACK under the new response key.
    PMCI_TRY_ASSIGN(const bytes_span rec, seal_spdm(*s, w.size()));
    if (op == key_operation::update_all_keys) PMCI_TRY(s->update_rx());
    PMCI_TRY_ASSIGN(const bytes_view ack, exchange_record(t, *s, rec));
    if (auto c = check_ack(ack, op, t1); !c) {
      if (!s->idle()) s->rollback_update();
      return c.error();
    }
    PMCI_TRY(s->update_tx());
    writer v{spdm_area(s)};
    PMCI_TRY(crypto_.random(tag));  // libspdm draws a fresh tag for VerifyNewKey too
    const auto t2 = std::to_integer<std::uint8_t>(tag[0]);
    PMCI_TRY((spdm::key_update{key_operation::verify_new_key, t2}.encode(v, n())));
    PMCI_TRY_ASSIGN(const bytes_view ack2, exchange_spdm(t, s, v.size()));
    PMCI_TRY(check_ack(ack2, key_operation::verify_new_key, t2));
    s->commit_update();
    return ok();
  }

  /// END_SESSION / END_SESSION_ACK; the session's secrets are wiped either way.
  template <transport::message_transport T>
  [[nodiscard]] result<void> end_session(T& t, std::uint32_t id, bool negotiated_state_clearing = false) noexcept {
    PMCI_TRY_ASSIGN(session_type * s, established(id));
    writer w{spdm_area(s)};
    PMCI_TRY(spdm::end_session{negotiated_state_clearing}.encode(w, n()));
    auto rsp = exchange_spdm(t, s, w.size());
    s = sessions_.find(id);
    if (s != nullptr) s->end();
    if (!rsp) return rsp.error();
    PMCI_TRY(check_error(*rsp));
    return end_session_ack::decode(*rsp, n()).has_value() ? ok() : result<void>{errc::invalid_field};
  }

  /// Send any MCTP message (type byte + body: 05 ‖ SPDM request, or an application message)
  /// inside session `id`; returns the answer (an MCTP message) from the requester's receive
  /// buffer, valid until the next call. Errors: invalid_state, buffer_too_small, transport errors,
  /// peer_error (a plain ERROR: the responder ended the session, and so do we), record errors
  /// (the session is ended).
  template <transport::message_transport T>
  [[nodiscard]] result<bytes_span> send_receive(T& t, std::uint32_t id, bytes_view mctp_message) noexcept {
    PMCI_TRY_ASSIGN(session_type * s, established(id));
    const secured_layout l = s->layout();
    if (mctp_message.size() > l.max_app_size(tx_.size(), 32)) return errc::buffer_too_small;
    std::copy(mctp_message.begin(), mctp_message.end(), tx_.begin() + static_cast<std::ptrdiff_t>(l.app_offset()));
    PMCI_TRY_ASSIGN(const bytes_span rec, seal_app(*s, mctp_message.size()));
    return exchange_record_app(t, *s, rec);
  }

 private:
  enum class pending_kind : std::uint8_t { none, dhe, psk };
  struct pending {
    pending_kind kind = pending_kind::none;
    typename Crypto::dhe_key dhe{};
    hash_state th{};
    header request{};
    std::uint16_t req_id = 0;
    std::uint8_t slot = 0;
    bytes_view psk{};
  };
  static constexpr std::uint32_t mutual_flag = 0x10000;

  [[nodiscard]] const negotiated& n() const noexcept { return engine_.negotiated_params(); }

  /// KEY_EXCHANGE / PSK_EXCHANGE `req` built: TH starts as `th` ‖ `ct` (Ct, KEY_EXCHANGE only)
  /// ‖ the request (spdm.md §15), and the exchange is pending until its response.
  result<bytes_span> remember_exchange(pending_kind kind, const hash_state& th, bytes_view ct, bytes_span req,
                                       std::uint16_t req_id) noexcept {
    pending_.th = th;
    PMCI_TRY(th_append(crypto_, pending_.th, ct));
    PMCI_TRY(th_append(crypto_, pending_.th, req));
    pending_.kind = kind;
    pending_.request = *header::decode(req);
    pending_.req_id = req_id;
    return req;
  }

  /// The pending exchange of `kind`, taken (nothing stays pending whatever the answer), once
  /// `rsp` is known not to be an ERROR. Errors: invalid_state (none of that kind), peer_error.
  result<pending> take_pending(pending_kind kind, bytes_view rsp) noexcept {
    if (pending_.kind != kind) return errc::invalid_state;
    pending p = std::move(pending_);
    pending_ = {};
    PMCI_TRY(check_error(rsp));
    return p;
  }

  /// The steps KEY_EXCHANGE_RSP and PSK_EXCHANGE_RSP share once their own checks passed: TH1 over
  /// the response up to ResponderVerifyData, the new session with its handshake keys from
  /// `secret` (the (EC)DHE shared secret or the PSK), then ResponderVerifyData (absent in the
  /// clear) checked and appended to TH. Errors: those of the calls, verify_failed.
  result<session_type*> exchange_session(pending& p, bool psk, bytes_view rsp, std::uint8_t heartbeat_period,
                                         std::uint16_t rsp_id, bytes_view secret, bytes_view verify_data,
                                         bytes_view summary) noexcept {
    const negotiated& nn = n();
    const std::size_t h = nn.h();
    std::array<std::byte, crypto::max_digest_size> digest{};
    const auto dg = std::span{digest}.first(h);
    PMCI_TRY(th_append(crypto_, p.th, rsp.first(rsp.size() - verify_data.size())));
    PMCI_TRY(th_digest(crypto_, p.th, {}, dg));  // TH1
    PMCI_TRY_ASSIGN(const session_params params, session_params_of(nn, psk, heartbeat_period, SConfig::aead_limit));
    PMCI_TRY_ASSIGN(session_type * s, new_session(make_session_id(p.req_id, rsp_id), params));
    s->transcript() = std::move(p.th);
    if (auto r = s->derive_handshake(secret, dg); !r) return r.error();
    if (!verify_data.empty()) {
      std::array<std::byte, crypto::max_digest_size> expected{};
      auto r = s->key_schedule_ref().verify_data(key_direction::response, dg, std::span{expected}.first(h));
      const bool match = r && ct_equal(std::span{expected}.first(h), verify_data);
      secure_wipe(expected);
      if (!match) return abort(*s, r ? errc::verify_failed : r.error());
      if (auto a = th_append(crypto_, s->transcript(), verify_data); !a) return abort(*s, a.error());
    }
    keep_summary(summary);
    return s;
  }

  result<session_type*> new_session(std::uint32_t id, const session_params& params) noexcept {
    if (sessions_.find(id) != nullptr) return errc::invalid_field;  // the responder reused a live id
    session_type* s = sessions_.allocate();
    if (s == nullptr) return errc::no_resources;
    PMCI_TRY(s->start(crypto_, session_role::requester, id, params));
    return s;
  }

  result<session_type*> established(std::uint32_t id) noexcept {
    session_type* s = sessions_.find(id);
    if (s == nullptr || !s->established()) return errc::invalid_state;
    return s;
  }

  errc abort(session_type& s, errc e) noexcept {
    s.end();
    return e;
  }

  void keep_summary(bytes_view v) noexcept {
    summary_size_ = std::min(v.size(), summary_.size());
    std::copy_n(v.begin(), summary_size_, summary_.begin());
  }

  /// peer_error for an ERROR message (kept in last_error_), else ok.
  result<void> check_error(bytes_view rsp) noexcept {
    if (rsp.size() >= header::size && static_cast<code>(std::to_integer<std::uint8_t>(rsp[1])) == code::error) {
      if (auto e = error_response::decode(rsp)) last_error_ = *e;
      return errc::peer_error;
    }
    return ok();
  }

  result<void> check_ack(bytes_view rsp, key_operation op, std::uint8_t tag) noexcept {
    PMCI_TRY(check_error(rsp));
    PMCI_TRY_ASSIGN(const key_update_ack a, key_update_ack::decode(rsp, n()));
    if (a.operation != op || a.tag != tag) return errc::invalid_field;
    return ok();
  }

  /// Where the next SPDM request of session s (or of no session) is built in tx_.
  [[nodiscard]] bytes_span spdm_area(const session_type* s) noexcept {
    const std::size_t at = s != nullptr && s->records_active() ? s->layout().app_offset() + 1 : 1;
    return std::span{tx_}.subspan(at, tx_.size() - at - 32 - crypto::aead_tag_size);
  }

  /// Seal the SPDM message built in spdm_area(s) (len bytes) as 05 ‖ SPDM.
  result<bytes_span> seal_spdm(session_type& s, std::size_t len) noexcept {
    tx_[s.layout().app_offset()] = std::byte{mctp_type_spdm};
    return seal_app(s, 1 + len);
  }
  result<bytes_span> seal_app(session_type& s, std::size_t app_len) noexcept {
    const secured_layout l = s.layout();
    PMCI_TRY_ASSIGN(const std::size_t pad,
                    padding_length(crypto_, l.protection == session_protection::mac_only ? 0 : SConfig::max_padding));
    const bytes_span padding = std::span{tx_}.subspan(l.app_offset() + app_len, pad);
    PMCI_TRY(crypto_.random(padding));
    return s.seal(tx_, app_len, padding);
  }

  /// Send a sealed record, open the answer: the inner MCTP message.
  template <class T>
  result<bytes_span> exchange_record_app(T& t, session_type& s, bytes_view rec) noexcept {
    const std::uint32_t id = s.id();
    auto rsp = t.exchange(rec, rx_);
    if (!rsp) return rsp.error();
    if (rsp->empty()) return errc::truncated;
    const auto type = std::to_integer<std::uint8_t>((*rsp)[0]);
    if (type == mctp_type_spdm) {
      // A plain answer to a secured request: the responder could not open it (ERROR
      // DecryptError) and has ended the session.
      (void)check_error(rsp->subspan(1));
      if (session_type* live = sessions_.find(id)) live->end();
      return errc::peer_error;
    }
    if (type != mctp_type_secured_spdm) return errc::unexpected_message;
    PMCI_TRY_ASSIGN(const opened_record o, s.open(*rsp));
    return o.app;
  }
  template <class T>
  result<bytes_view> exchange_record(T& t, session_type& s, bytes_view rec) noexcept {
    PMCI_TRY_ASSIGN(const bytes_span app, exchange_record_app(t, s, rec));
    if (app.empty() || app[0] != std::byte{mctp_type_spdm}) return errc::unexpected_message;
    return bytes_view{app.subspan(1)};
  }

  static constexpr std::size_t busy_retries = []() {
    if constexpr (requires { SConfig::busy_retries; }) return static_cast<std::size_t>(SConfig::busy_retries);
    else return std::size_t{3};
  }();
  /// A plain exchange of the request in tx_ (len bytes of SPDM), sent again while the answer is
  /// ERROR Busy (spdm.md §8: the requester may retry the same request), at most busy_retries more
  /// times. No delay: the library has no clock; a transport that needs one waits itself.
  template <class T>
  result<bytes_view> exchange_retrying_busy(T& t, std::size_t len) noexcept {
    for (std::size_t attempt = 0;; ++attempt) {
      PMCI_TRY_ASSIGN(const bytes_view rsp, exchange_spdm(t, nullptr, len));
      const bool busy = rsp.size() >= header::size && static_cast<code>(std::to_integer<std::uint8_t>(rsp[1])) == code::error &&
                        static_cast<error_code>(std::to_integer<std::uint8_t>(rsp[2])) == error_code::busy;
      if (!busy || attempt >= busy_retries) return rsp;
    }
  }

  /// Send the SPDM request built in spdm_area(s): plain when s is null or has no records yet
  /// (in-the-clear handshake), else inside s. Returns the SPDM response (a view into rx_).
  template <class T>
  result<bytes_view> exchange_spdm(T& t, session_type* s, std::size_t len) noexcept {
    if (s != nullptr && s->records_active()) {
      PMCI_TRY_ASSIGN(const bytes_span rec, seal_spdm(*s, len));
      return exchange_record(t, *s, rec);
    }
    tx_[0] = std::byte{mctp_type_spdm};
    auto rsp = t.exchange(std::span{tx_}.first(1 + len), rx_);
    if (!rsp) return rsp.error();
    if (rsp->size() < 1 + header::size || (*rsp)[0] != std::byte{mctp_type_spdm}) return errc::unexpected_message;
    return bytes_view{rsp->subspan(1)};
  }

  // ---- the requester's own certificates (mutual authentication) -------------------------------

  /// Hash(SPDM chain of slot) = Hash(Length ‖ Reserved ‖ RootHash ‖ certificates).
  template <class Identity>
  result<void> chain_digest(Identity& identity, std::uint8_t slot, bytes_span out) noexcept {
    const bytes_view certs = identity.cert_chain(slot);
    if (certs.empty()) return errc::invalid_state;
    std::array<std::byte, cert_chain::header_size + crypto::max_digest_size> head{};
    PMCI_TRY_ASSIGN(const std::size_t head_size, chain_head(certs, head));
    const auto hash = to_crypto(n().hash);
    if (!hash) return errc::invalid_state;
    hash_state st{};
    PMCI_TRY(crypto_.hash_init(st, *hash));
    PMCI_TRY(crypto_.hash_update(st, std::span{head}.first(head_size)));
    PMCI_TRY(crypto_.hash_update(st, certs));
    return crypto_.hash_final(st, out.first(n().h()));
  }
  /// Length ‖ Reserved ‖ RootHash of an SPDM chain over `certs` (spdm.md §6.1).
  result<std::size_t> chain_head(bytes_view certs, std::span<std::byte, cert_chain::header_size + crypto::max_digest_size> head) noexcept {
    const std::size_t h = n().h();
    const std::size_t total = cert_chain::header_size + h + certs.size();
    if (total > cert_chain::max_size) return errc::out_of_range;
    PMCI_TRY_ASSIGN(const std::size_t root, der_sequence_size(certs));
    const auto hash = to_crypto(n().hash);
    if (!hash) return errc::invalid_state;
    store_u16le(head.first(2), static_cast<std::uint16_t>(total));
    head[2] = head[3] = std::byte{0};
    PMCI_TRY(crypto::compute_hash(crypto_, *hash, certs.first(root), head.subspan(cert_chain::header_size, h)));
    return cert_chain::header_size + h;
  }

  /// Answer one encapsulated request (GET_DIGESTS, GET_CERTIFICATE) into out; anything else is
  /// answered with ERROR UnsupportedRequest (spdm.md §8).
  template <class Identity>
  result<bytes_span> serve_encapsulated(session_type& s, Identity& identity, bytes_view inner, bytes_span out) noexcept {
    const negotiated& nn = n();
    const std::size_t h = nn.h();
    writer w{out};
    const auto ih = header::decode(inner);
    if (!ih) return errc::invalid_field;
    if (ih->request_response_code == code::key_update) return serve_key_update(s, inner, out);
    if constexpr (std::is_same_v<Identity, no_identity>) {
      (void)h, (void)identity;
    } else {
    if (ih->request_response_code == code::get_digests && get_digests::decode(inner, nn)) {
      std::uint8_t mask = 0;
      for (std::uint8_t slot = 0; slot < 8; ++slot)
        if (!identity.cert_chain(slot).empty()) mask = static_cast<std::uint8_t>(mask | (1u << slot));
      const bool mk = digests::multi_key_expected(nn, response_context{{}, true});
      write_header(w, code::digests, nn, nn.ver >= version::v1_3 ? mask : std::uint8_t{0}, mask);
      for (std::uint8_t slot = 0; slot < 8; ++slot) {
        if ((mask & (1u << slot)) == 0) continue;
        const bytes_span d = w.reserve(h);
        if (!w.ok()) return w.error();
        PMCI_TRY(chain_digest(identity, slot, d));
      }
      if (mk) {  // 1.3 MultiKeyConnReq: KeyPairID, CertificateInfo, KeyUsageMask per slot
        for (std::uint8_t slot = 0; slot < 8; ++slot)
          if (mask & (1u << slot)) w.u8(slot);
        for (std::uint8_t slot = 0; slot < 8; ++slot)
          if (mask & (1u << slot)) w.u8(static_cast<std::uint8_t>(cert_model::device));
        for (std::uint8_t slot = 0; slot < 8; ++slot)
          if (mask & (1u << slot)) w.u16le(raw(key_usage::key_exchange | key_usage::challenge | key_usage::endpoint_info));
      }
      PMCI_TRY(w.status());
      // EncapD joins TH when MultiKeyConnReq (spdm.md §15).
      if (mk && s.phase() == session_phase::handshake) PMCI_TRY(th_append(crypto_, s.transcript(), w.written()));
      return w.written();
    }
    if (ih->request_response_code == code::get_certificate) {
      const auto g = get_certificate::decode(inner, nn);
      if (!g) return errc::invalid_field;
      const bytes_view certs = identity.cert_chain(g->slot_id);
      std::array<std::byte, cert_chain::header_size + crypto::max_digest_size> head{};
      auto head_size = certs.empty() ? result<std::size_t>{errc::invalid_state} : chain_head(certs, head);
      if (head_size && g->offset < *head_size + certs.size()) {
        const std::size_t total = *head_size + certs.size();
        const std::size_t room = out.size() > certificate::fixed_size ? out.size() - certificate::fixed_size : 0;
        const std::size_t len = std::min({static_cast<std::size_t>(g->length), total - g->offset, room});
        write_header(w, code::certificate, nn, g->slot_id, 0);
        w.u16le(static_cast<std::uint16_t>(len)).u16le(static_cast<std::uint16_t>(total - g->offset - len));
        const bytes_span portion = w.reserve(len);
        PMCI_TRY(w.status());
        for (std::size_t i = 0; i < len; ++i) {
          const std::size_t pos = g->offset + i;
          portion[i] = pos < *head_size ? head[pos] : certs[pos - *head_size];
        }
        return w.written();
      }
      error_response e;
      e.spdm_version = to_byte(nn.ver);
      e.error = error_code::invalid_request;
      PMCI_TRY(e.encode(w));
      return w.written();
    }
    }  // an identity
    error_response e;
    e.spdm_version = to_byte(nn.ver);
    e.error = error_code::unsupported_request;
    e.error_data = static_cast<std::uint8_t>(ih->request_response_code);
    PMCI_TRY(e.encode(w));
    return w.written();
  }

  /// The responder-initiated KEY_UPDATE (encapsulated; libspdm's order, secured.md §4 mirrored):
  /// UpdateKey -> derive the new response-direction key, keep the current one (a record still
  /// numbered for it rolls the update back, session.hpp); VerifyNewKey (it arrived under the new
  /// key) -> drop the old one. UpdateAllKeys is refused (InvalidRequest, as libspdm: the
  /// responder may only renew its own direction), as is any KEY_UPDATE outside an established
  /// session or without KEY_UPD_CAP (UnsupportedRequest).
  result<bytes_span> serve_key_update(session_type& s, bytes_view inner, bytes_span out) noexcept {
    const negotiated& nn = n();
    writer w{out};
    error_response e;
    e.spdm_version = to_byte(nn.ver);
    const auto ku = key_update::decode(inner, nn);
    if (!s.established() || !key_update_possible(nn)) {
      e.error = error_code::unsupported_request;
      e.error_data = static_cast<std::uint8_t>(code::key_update);
    } else if (!ku || ku->operation == key_operation::update_all_keys) {
      e.error = error_code::invalid_request;
    } else {
      if (ku->operation == key_operation::update_key) {
        PMCI_TRY(s.update_rx());  // a failure has ended the session
      } else {
        s.commit_update();
      }
      PMCI_TRY((key_update_ack{ku->operation, ku->tag}.encode(w, nn)));
      return w.written();
    }
    PMCI_TRY(e.encode(w));
    return w.written();
  }

  Engine& engine_;
  Crypto& crypto_;
  table_type sessions_{};
  pending pending_{};
  hash_state d_state_{};
  bool have_d_ = false;
  error_response last_error_{};
  std::array<std::byte, crypto::max_digest_size> summary_{};
  std::size_t summary_size_ = 0;
  std::array<std::byte, buffer_size> tx_{};
  std::array<std::byte, buffer_size> rx_{};
};

}  // namespace pmci::spdm
