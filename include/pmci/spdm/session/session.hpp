// SPDX-License-Identifier: Apache-2.0
// One SPDM secured session (DSP0277) and a fixed-capacity table of them.
//
// A session owns everything secret about itself and nothing else:
//   * its id (ReqSessionID ‖ RspSessionID, spdm.md §10.2), role, phase and parameters;
//   * the key schedule (key_schedule.hpp: handshake and data secrets, finished keys, export
//     master secret);
//   * the record keys in use for each direction ("tx" = what this side sends, "rx" = what it
//     receives: a requester sends with request-direction keys, a responder with
//     response-direction keys; secured.md §3.3) with their 64-bit counters;
//   * during a key update, the previous generation of each updated direction (secured.md §4);
//   * during the handshake, the running transcript hash TH (spdm.md §15), which the handshake
//     handlers (responder_session.hpp / requester_session.hpp) feed;
//   * heartbeat bookkeeping.
//
// Phases:  idle --start()--> handshake --establish(TH2)--> established --end()--> idle
//   * handshake: after KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP. Records use the handshake keys (from
//     TH1), except with HANDSHAKE_IN_THE_CLEAR, where FINISH / FINISH_RSP travel as plain SPDM
//     and no record is accepted before the data keys exist (secured.md §3.4).
//   * established: after FINISH_RSP / PSK_FINISH_RSP. Records use the data keys (from TH2);
//     handshake secrets and finished keys are wiped (session_key_schedule::discard_handshake).
//   * end(): every secret wiped (secure_wipe via pmci::secret, the policy's key handles dropped),
//     the slot is free again. Also on destruction.
//
// Security behaviour (the handlers rely on it): open() ends the session on any failure — a MAC
// that does not verify, a sequence number other than the expected one (replay, reordering, loss),
// a malformed record, a counter at its limit — so that a caller cannot keep using a session
// whose peer is out of step. The 64-bit counter never wraps (record_keys::exhausted).
//
// Key update (secured.md §4, the libspdm order confirmed by the captures):
//   responder: KEY_UPDATE(UpdateKey)      -> update_rx()              ACK under the old tx key
//              KEY_UPDATE(UpdateAllKeys)  -> update_rx(); update_tx() ACK under the NEW tx key
//              KEY_UPDATE(VerifyNewKey)   -> commit_update()          (arrives under the new rx key)
//   requester: seals KEY_UPDATE under the old tx key; for UpdateAllKeys calls update_rx() so the
//              ACK opens with the new response key; on the ACK: update_tx(); then VerifyNewKey
//              under the new tx key; on its ACK: commit_update().
//   While a previous generation is kept, open() picks the key by the transmitted sequence number:
//   a record numbered for the previous rx key (a peer that never saw our ACK and still uses the
//   old key) is opened with it, and the update is rolled back (both directions), as libspdm does
//   ("try discard key update"). Selection by sequence number keeps open() in place and
//   single-attempt: a failed AEAD open destroys the ciphertext, so there is no second try.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/core/secure.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/spdm/session/key_schedule.hpp"
#include "pmci/spdm/session/secured_message.hpp"

namespace pmci::spdm {

enum class session_phase : std::uint8_t { idle, handshake, established };
enum class session_role : std::uint8_t { requester, responder };

/// What a session is started with (from the negotiated connection and the exchange).
struct session_params {
  crypto::hash_alg hash = crypto::hash_alg::sha384;
  crypto::aead_alg aead = crypto::aead_alg::aes256_gcm;
  std::uint8_t version = 0x12;  ///< negotiated SPDM version byte (key schedule labels)
  session_protection protection = session_protection::encrypt_and_mac;
  bool handshake_in_the_clear = false;  ///< both sides HANDSHAKE_IN_THE_CLEAR_CAP (KEY_EXCHANGE only)
  bool psk = false;                     ///< PSK_EXCHANGE session
  std::uint8_t heartbeat_period = 0;    ///< KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP Param1; 0 = none
  secured_binding binding = mctp_secured_binding;
  sequence_nonce nonce = sequence_nonce::little_endian;
  /// Records one key may protect (DSP0277 1.3 AEAD limit, 2^exponent); default: no limit but
  /// the counter's own (2^64 - 1).
  std::uint64_t aead_limit = ~std::uint64_t{0};
};

/// The SessionID halves (spdm.md §10.2): on the wire ReqSessionID ‖ RspSessionID, as a 32-bit
/// value (RspSessionID << 16) | ReqSessionID.
constexpr std::uint32_t make_session_id(std::uint16_t req, std::uint16_t rsp) noexcept {
  return (static_cast<std::uint32_t>(rsp) << 16) | req;
}
constexpr std::uint16_t req_half(std::uint32_t id) noexcept { return static_cast<std::uint16_t>(id & 0xFFFF); }
constexpr std::uint16_t rsp_half(std::uint32_t id) noexcept { return static_cast<std::uint16_t>(id >> 16); }

/// `Binding`: how this session's records are framed. nullptr (the default): at run time, from
/// session_params::binding. A constant's address (e.g. &mctp_secured_binding, the responder's):
/// fixed at compile time, so the record offsets and the SeqNum width fold to constants in
/// open()/seal(); start() then refuses (unsupported) parameters that name another binding.
namespace detail {
/// Whether a session's Binding argument fixes the binding (by specialization: gcc with
/// -fsanitize does not fold `&constant != nullptr` in a constant expression).
template <const secured_binding* B>
inline constexpr bool fixed_binding = true;
template <>
inline constexpr bool fixed_binding<nullptr> = false;
}  // namespace detail

template <class P, std::size_t MaxHash = crypto::max_digest_size, const secured_binding* Binding = nullptr>
  requires crypto::aead_policy<P> && crypto::hash_policy<P>
class session {
 public:
  using keys = record_keys<P>;
  using schedule = session_key_schedule<P, MaxHash>;
  using hash_state = typename P::hash_state;

  session() noexcept = default;
  session(const session&) = delete;
  session& operator=(const session&) = delete;
  ~session() { end(); }

  // ---- lifecycle ----------------------------------------------------------------------------

  /// Take this (idle) slot for a new session in the handshake phase. Errors: invalid_state (not
  /// idle), unsupported (a hash larger than MaxHash, or an AEAD the policy lacks).
  [[nodiscard]] result<void> start(P& p, session_role role, std::uint32_t id, const session_params& params) noexcept {
    if (phase_ != session_phase::idle) return errc::invalid_state;
    if (crypto::digest_size(params.hash) > MaxHash || !P::aeads.contains(params.aead)) return errc::unsupported;
    if constexpr (detail::fixed_binding<Binding>)
      if (!(params.binding == *Binding)) return errc::unsupported;
    p_ = &p;
    role_ = role;
    id_ = id;
    params_ = params;
    // An idle slot's schedule and transcript are already wiped (end(), or never used): the
    // schedule takes its parameters in place, with no construction and no second zero fill.
    ks_.rebind(p, params.hash, params.aead, params.version);
    phase_ = session_phase::handshake;
    return ok();
  }

  /// After KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP: derive the handshake secrets from the (EC)DHE
  /// shared secret or the PSK and TH1 (session_key_schedule::derive_handshake), and install the handshake
  /// record keys unless the handshake is in the clear. Errors: invalid_state, the key schedule's
  /// and the policy's errors (the session is then ended).
  [[nodiscard]] result<void> derive_handshake(bytes_view shared_secret, bytes_view th1) noexcept {
    if (phase_ != session_phase::handshake || ks_.handshake_ready()) return errc::invalid_state;
    auto r = ks_.derive_handshake(shared_secret, th1, params_.psk);
    if (r && !in_the_clear()) r = install(ks_.handshake(tx_dir()), ks_.handshake(rx_dir()));
    if (!r) {
      end();
      return r;
    }
    keep_th(th1);
    return r;
  }

  /// After FINISH_RSP / PSK_FINISH_RSP (sent or received): data secrets from TH2, data keys
  /// installed (counters from 0), handshake secrets and the transcript wiped. Errors:
  /// invalid_state, the key schedule's and policy's errors (the session is then ended).
  [[nodiscard]] result<void> establish(bytes_view th2) noexcept {
    if (phase_ != session_phase::handshake || !ks_.handshake_ready()) return errc::invalid_state;
    auto r = ks_.derive_data(th2);
    if (r) r = install(ks_.data(tx_dir()), ks_.data(rx_dir()));
    if (!r) {
      end();
      return r;
    }
    ks_.discard_handshake();
    th_ = hash_state{};
    keep_th(th2);
    phase_ = session_phase::established;
    return ok();
  }

  /// Wipe everything and free the slot (END_SESSION, errors, destruction). Idempotent.
  void end() noexcept {
    // An idle slot holds nothing to wipe: it is zero from construction, only end() makes a slot
    // idle again, and no secret or transcript is written before start(). GET_VERSION ends every
    // slot (DSP0274: it resets the connection), so this keeps it from wiping idle ones each time.
    if (phase_ == session_phase::idle) return;
    tx_.clear();
    rx_.clear();
    tx_prev_.clear();
    rx_prev_.clear();
    tx_secret_prev_.reset();
    rx_secret_prev_.reset();
    have_prev_tx_ = have_prev_rx_ = false;
    ks_.reset();  // wipes every secret of the schedule
    th_ = hash_state{};
    pending_ = pending_action::none;
    secure_wipe(th2_);
    th_value_size_ = 0;
    phase_ = session_phase::idle;
    id_ = 0;
    last_activity_ = 0;
    user_ = 0;
    last_open_used_previous_ = false;
  }

  // ---- state ------------------------------------------------------------------------------------

  [[nodiscard]] session_phase phase() const noexcept { return phase_; }
  [[nodiscard]] bool idle() const noexcept { return phase_ == session_phase::idle; }
  [[nodiscard]] bool established() const noexcept { return phase_ == session_phase::established; }
  [[nodiscard]] session_role role() const noexcept { return role_; }
  [[nodiscard]] std::uint32_t id() const noexcept { return id_; }
  [[nodiscard]] const session_params& params() const noexcept { return params_; }
  [[nodiscard]] bool in_the_clear() const noexcept { return params_.handshake_in_the_clear && !params_.psk; }
  [[nodiscard]] secured_layout layout() const noexcept {
    if constexpr (detail::fixed_binding<Binding>) return {*Binding, params_.protection};
    else return {params_.binding, params_.protection};
  }
  /// True when records are exchanged now (an in-the-clear handshake has none until established).
  [[nodiscard]] bool records_active() const noexcept { return tx_.installed() && rx_.installed(); }
  /// The key schedule (export master secret, finished keys during the handshake). Only valid
  /// while not idle.
  [[nodiscard]] schedule& key_schedule_ref() noexcept { return ks_; }
  [[nodiscard]] const schedule& key_schedule_ref() const noexcept { return ks_; }
  /// The running handshake transcript TH (spdm.md §15), fed by the handshake handlers.
  [[nodiscard]] hash_state& transcript() noexcept { return th_; }
  /// The last transcript hash the keys were derived from: TH1 during the handshake, TH2 once
  /// established (spdm.md §15; not secret). Empty when idle.
  [[nodiscard]] bytes_view transcript_hash() const noexcept { return std::span<const std::byte>(th_value_).first(th_value_size_); }
  /// The record keys in use (tests, diagnostics).
  [[nodiscard]] const keys& tx_keys() const noexcept { return tx_; }
  [[nodiscard]] const keys& rx_keys() const noexcept { return rx_; }
  /// A small value the engine may keep with the session (e.g. the slot used, mutual-auth state).
  [[nodiscard]] std::uint32_t& user() noexcept { return user_; }

  // ---- records -----------------------------------------------------------------------------------

  /// Seal the application data at buf[layout().app_offset()] (secured_message.hpp seal) with this
  /// side's current keys. Errors: invalid_state (idle, or no keys yet), those of seal(); a key at
  /// its limit (session_ended) ends the session.
  [[nodiscard]] result<bytes_span> seal(bytes_span buf, std::size_t app_len, bytes_view padding = {}) noexcept {
    if (phase_ == session_phase::idle || !tx_.installed()) return errc::invalid_state;
    auto r = spdm::seal(*p_, tx_, layout(), id_, buf, app_len, padding);
    if (r == errc::session_ended) end();
    return r;
  }

  /// Open a record addressed to this session (secured_message.hpp open) in place. Any failure
  /// ends the session (file comment). Errors: invalid_state (idle, no keys), session_ended, and
  /// those of open(); invalid_field also for a record whose SessionID is not this session's.
  [[nodiscard]] result<opened_record> open(bytes_span msg) noexcept {
    if (phase_ == session_phase::idle) return errc::invalid_state;
    const secured_layout l = layout();
    auto h = secured_header::decode(msg, l);
    if (h && h->session_id != id_) h = errc::invalid_field;
    if (!h) {
      end();
      return h.error();
    }
    bool use_prev = false;
    if (have_prev_rx_ && rx_prev_.installed()) {
      // secured.md §4 step 4: a record numbered for the previous key generation (and not for the
      // new one) was sent by a peer that still uses the old key.
      const std::size_t n = l.binding.sequence_number_size;
      use_prev = !detail::same_sequence(h->sequence_number, rx_.sequence(), n) &&
                 detail::same_sequence(h->sequence_number, rx_prev_.sequence(), n);
    }
    auto r = spdm::open(*p_, use_prev ? rx_prev_ : rx_, l, msg, *h);
    if (!r) {
      end();
      return r.error();
    }
    last_open_used_previous_ = use_prev;
    if (use_prev) rollback_update();
    return r;
  }
  /// Whether the last successful open() used the previous key generation (and rolled back).
  [[nodiscard]] bool last_open_rolled_back() const noexcept { return last_open_used_previous_; }

  // ---- key update (secured.md §4) -----------------------------------------------------------------

  /// Derive the next generation of the receive direction; the current one is kept until
  /// commit_update() or rollback_update(). Errors: invalid_state (not established), the key
  /// schedule's errors (the session is then ended).
  [[nodiscard]] result<void> update_rx() noexcept { return update(rx_dir(), rx_, rx_prev_, rx_secret_prev_, have_prev_rx_); }
  /// Same for the send direction.
  [[nodiscard]] result<void> update_tx() noexcept { return update(tx_dir(), tx_, tx_prev_, tx_secret_prev_, have_prev_tx_); }
  /// The peer confirmed the new keys (VerifyNewKey): drop the previous generations.
  void commit_update() noexcept {
    tx_prev_.clear();
    rx_prev_.clear();
    tx_secret_prev_.reset();
    rx_secret_prev_.reset();
    have_prev_tx_ = have_prev_rx_ = false;
  }
  /// Go back to the previous generation of every direction that has one (the update never took
  /// effect at the peer).
  void rollback_update() noexcept {
    if (have_prev_rx_) restore(rx_dir(), rx_, rx_prev_, rx_secret_prev_);
    if (have_prev_tx_) restore(tx_dir(), tx_, tx_prev_, tx_secret_prev_);
    commit_update();
  }
  [[nodiscard]] bool update_pending() const noexcept { return have_prev_rx_ || have_prev_tx_; }

  // ---- deferred actions ----------------------------------------------------------------------------
  // A handler decides while building a response what happens once that response is sealed:
  // FINISH_RSP is sealed with the handshake key and then the data keys take over; END_SESSION_ACK
  // is sealed and then the session ends.

  enum class pending_action : std::uint8_t { none, establish, end };
  /// Establish with TH2 once the current response is sealed.
  [[nodiscard]] result<void> establish_after_send(bytes_view th2) noexcept {
    if (th2.size() > MaxHash) return errc::invalid_field;
    for (std::size_t i = 0; i < th2.size(); ++i) th2_[i] = th2[i];
    th2_size_ = th2.size();
    pending_ = pending_action::establish;
    return ok();
  }
  void end_after_send() noexcept { pending_ = pending_action::end; }
  [[nodiscard]] pending_action pending() const noexcept { return pending_; }
  /// Run the deferred action (call after sealing or sending the response). Errors: establish()'s.
  [[nodiscard]] result<void> after_send() noexcept {
    const pending_action a = pending_;
    pending_ = pending_action::none;
    if (a == pending_action::end) end();
    if (a == pending_action::establish) {
      auto r = establish(std::span<const std::byte>(th2_).first(th2_size_));
      secure_wipe(th2_);
      return r;
    }
    return ok();
  }

  // ---- heartbeat ----------------------------------------------------------------------------------
  // HeartbeatPeriod is in seconds (spdm.md §10.2, unit UNCONFIRMED). The caller supplies a
  // monotonic time in milliseconds; the library never reads a clock.

  /// Note activity at `now_ms` (any valid record or message of this session).
  void touch(std::uint64_t now_ms) noexcept { last_activity_ = now_ms; }
  /// True when a heartbeat period is set and nothing arrived for twice that long (the responder
  /// then ends the session; DSP0274 timing wording UNCONFIRMED, libspdm uses 2 x period).
  [[nodiscard]] bool heartbeat_expired(std::uint64_t now_ms) const noexcept {
    if (phase_ != session_phase::established || params_.heartbeat_period == 0) return false;
    return now_ms > last_activity_ && now_ms - last_activity_ > 2000ull * params_.heartbeat_period;
  }

 private:
  [[nodiscard]] key_direction tx_dir() const noexcept {
    return role_ == session_role::requester ? key_direction::request : key_direction::response;
  }
  [[nodiscard]] key_direction rx_dir() const noexcept {
    return role_ == session_role::requester ? key_direction::response : key_direction::request;
  }

  void keep_th(bytes_view th) noexcept {
    th_value_size_ = th.size() <= MaxHash ? th.size() : 0;
    for (std::size_t i = 0; i < th_value_size_; ++i) th_value_[i] = th[i];
  }

  result<void> install_one(keys& k, const typename schedule::keys& src) noexcept {
    PMCI_TRY(k.install(*p_, params_.aead, src.key(), src.iv(), params_.nonce));
    k.set_limit(params_.aead_limit);
    return ok();
  }
  result<void> install(const typename schedule::keys& tx, const typename schedule::keys& rx) noexcept {
    PMCI_TRY(install_one(tx_, tx));
    return install_one(rx_, rx);
  }

  result<void> update(key_direction d, keys& cur, keys& prev, typename schedule::keys& secret_prev,
                      bool& have_prev) noexcept {
    if (phase_ != session_phase::established) return errc::invalid_state;
    // A second update before the first was confirmed keeps only the generation just before it
    // (libspdm keeps one backup generation).
    secret_prev = ks_.data(d);
    auto r = ks_.update(d);
    keys next;
    if (r) r = next.install(*p_, params_.aead, ks_.data(d).key(), ks_.data(d).iv(), params_.nonce);
    if (!r) {
      end();
      return r;
    }
    next.set_limit(params_.aead_limit);
    prev = std::move(cur);
    cur = std::move(next);
    have_prev = true;
    return ok();
  }

  void restore(key_direction d, keys& cur, keys& prev, const typename schedule::keys& secret_prev) noexcept {
    (void)ks_.restore(d, secret_prev);
    cur = std::move(prev);
    prev.clear();
  }

  P* p_ = nullptr;
  schedule ks_{};  ///< parameters set by start(); wiped by end()
  keys tx_{}, rx_{};
  keys tx_prev_{}, rx_prev_{};
  typename schedule::keys tx_secret_prev_{}, rx_secret_prev_{};
  hash_state th_{};
  session_params params_{};
  std::array<std::byte, MaxHash> th2_{};
  std::size_t th2_size_ = 0;
  std::array<std::byte, MaxHash> th_value_{};
  std::size_t th_value_size_ = 0;
  std::uint64_t last_activity_ = 0;
  std::uint32_t id_ = 0;
  std::uint32_t user_ = 0;
  session_phase phase_ = session_phase::idle;
  session_role role_ = session_role::responder;
  pending_action pending_ = pending_action::none;
  bool have_prev_tx_ = false, have_prev_rx_ = false;
  bool last_open_used_previous_ = false;
};

/// Up to Capacity concurrent sessions in fixed storage (DESIGN: memory known at compile time).
template <class P, std::size_t Capacity, std::size_t MaxHash = crypto::max_digest_size,
          const secured_binding* Binding = nullptr>
  requires(Capacity >= 1)
class session_table {
 public:
  using session_type = session<P, MaxHash, Binding>;
  static constexpr std::size_t capacity = Capacity;

  /// The active (non-idle) session with this id, or nullptr.
  [[nodiscard]] session_type* find(std::uint32_t id) noexcept {
    for (auto& s : s_)
      if (!s.idle() && s.id() == id) return &s;
    return nullptr;
  }
  /// An idle slot, or nullptr when Capacity sessions are active (ERROR SessionLimitExceeded).
  [[nodiscard]] session_type* allocate() noexcept {
    for (auto& s : s_)
      if (s.idle()) return &s;
    return nullptr;
  }
  [[nodiscard]] std::size_t active() const noexcept {
    std::size_t n = 0;
    for (const auto& s : s_) n += s.idle() ? 0 : 1;
    return n;
  }
  /// A half session ID (this side's: RspSessionID for a responder, ReqSessionID for a requester)
  /// that no active session uses on that side. Counts down from 0xFFFF, as libspdm does (its
  /// first session on each side is 0xFFFF, interop README). 0 is never returned.
  [[nodiscard]] std::uint16_t free_half(session_role side) const noexcept {
    for (std::uint32_t v = 0xFFFF; v > 0; --v) {
      bool used = false;
      for (const auto& s : s_)
        if (!s.idle() && (side == session_role::responder ? rsp_half(s.id()) : req_half(s.id())) == v) used = true;
      if (!used) return static_cast<std::uint16_t>(v);
    }
    return 0;  // unreachable with Capacity < 65535
  }
  /// End every session (GET_VERSION resets the connection; shutdown).
  void end_all() noexcept {
    for (auto& s : s_) s.end();
  }
  [[nodiscard]] session_type& operator[](std::size_t i) noexcept { return s_[i]; }
  [[nodiscard]] const session_type& operator[](std::size_t i) const noexcept { return s_[i]; }
  [[nodiscard]] auto begin() noexcept { return s_.begin(); }
  [[nodiscard]] auto end() noexcept { return s_.end(); }

 private:
  std::array<session_type, Capacity> s_{};
};

}  // namespace pmci::spdm
