// SPDX-License-Identifier: Apache-2.0
// The SPDM key schedule (DSP0274 "key schedule", secured.md §3–§4): from the (EC)DHE shared
// secret or the PSK and the transcript hashes TH1/TH2 to the handshake and data secrets, the
// finished keys, the AEAD keys and IVs of each direction, the export master secret, and the
// per-direction key update ("traffic upd").
//
//   pmci::spdm::session_key_schedule<Crypto> ks{crypto, hash_alg::sha384, aead_alg::aes256_gcm, 0x12};
//   ks.derive_handshake(dhe_secret, th1);          // after KEY_EXCHANGE_RSP (TH1)
//   ks.finished_key(key_direction::response) ...    // ResponderVerifyData = HMAC(key, TH1 hash)
//   ks.derive_data(th2);                           // after FINISH_RSP (TH2)
//   ks.data(key_direction::request).key() ...      // AEAD key/IV for request-direction records
//   ks.update(key_direction::request);             // KEY_UPDATE
//
// Templated on any crypto policy with HKDF (native or the generic one over its hash). No heap;
// every secret lives in a pmci::secret that wipes itself (secure_wipe) on destruction and on
// reset()/discard_handshake(). The object is sized for MaxHash (64 by default: SHA-512); a
// SHA-256/384-only configuration can pass 48 to save space.
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "pmci/core/endian.hpp"
#include "pmci/core/result.hpp"
#include "pmci/core/secure.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/crypto/hkdf.hpp"
#include "pmci/crypto/hmac.hpp"
#include "pmci/spdm/types.hpp"  // spdm::key_schedule (the algorithm enum) must stay distinct

namespace pmci::spdm {

/// The labels of secured.md §3.1 (bin_str0 … bin_str9), ASCII without terminator.
namespace key_label {
inline constexpr std::string_view derived = "derived";            // bin_str0
inline constexpr std::string_view req_hs_data = "req hs data";    // bin_str1 (TH1)
inline constexpr std::string_view rsp_hs_data = "rsp hs data";    // bin_str2 (TH1)
inline constexpr std::string_view req_app_data = "req app data";  // bin_str3 (TH2)
inline constexpr std::string_view rsp_app_data = "rsp app data";  // bin_str4 (TH2)
inline constexpr std::string_view key = "key";                    // bin_str5
inline constexpr std::string_view iv = "iv";                      // bin_str6
inline constexpr std::string_view finished = "finished";          // bin_str7
inline constexpr std::string_view exp_master = "exp master";      // bin_str8 (TH2)
inline constexpr std::string_view traffic_upd = "traffic upd";    // bin_str9
}  // namespace key_label

namespace detail {
/// The key schedule's labels in one blob: a step names its label by offset and length (and the
/// size of its output) in one word, so the schedule's single out-of-line HKDF-Expand takes few
/// arguments. Any occurrence of a label's bytes will do ("iv" is found inside "derived").
inline constexpr std::string_view key_label_blob =
    "derivedreq hs datarsp hs datareq app datarsp app datakeyfinishedexp mastertraffic upd";
/// What a step writes: H bytes, the AEAD key, or the 12-byte IV (secured.md §3.3).
enum class key_out : std::uint32_t { hash = 0, aead_key = 1, iv = 2 };
/// Not constexpr: key_step() calling it does not compile.
inline void key_step_label_not_in_blob() noexcept {}
/// label offset (bits 7:0) | label length (15:8) | key_out (17:16).
consteval std::uint32_t key_step(std::string_view label, key_out out = key_out::hash) {
  const std::size_t at = key_label_blob.find(label);
  if (at == std::string_view::npos || at > 0xFF || label.size() > 12) key_step_label_not_in_blob();
  return static_cast<std::uint32_t>(at) | static_cast<std::uint32_t>(label.size() << 8) |
         (static_cast<std::uint32_t>(out) << 16);
}
}  // namespace detail

/// Largest BinConcat: Length(2) ‖ "spdm1.x "(8) ‖ longest label (12) ‖ a 64-byte hash.
inline constexpr std::size_t max_bin_concat_size = 2 + 8 + 12 + crypto::max_digest_size;

namespace detail {
/// BinConcat's bytes for a checked version and an `out` that holds them (bin_concat() and the
/// key schedule's one expand step, which both check before): returns the size written.
constexpr std::size_t write_bin_concat(unsigned minor, std::string_view label, bytes_view context, std::uint16_t length,
                                       std::byte* out) noexcept {
  out[0] = static_cast<std::byte>(length & 0xFF);
  out[1] = static_cast<std::byte>(length >> 8);
  constexpr std::string_view prefix = "spdm1.";
  std::size_t o = 2;
  for (char c : prefix) out[o++] = static_cast<std::byte>(c);
  out[o++] = static_cast<std::byte>('0' + minor);
  out[o++] = static_cast<std::byte>(' ');
  for (char c : label) out[o++] = static_cast<std::byte>(c);
  for (std::byte b : context) out[o++] = b;
  return o;
}
}  // namespace detail

/// BinConcat (secured.md §3.1): Length (2, LE) ‖ "spdm1.x " ‖ Label ‖ Context.
/// `spdm_version` is the negotiated SPDM version as on the wire (0x11 … 0x14): the version text
/// is the SPDM version, not the secured-message version (confirmed by capture, [i2288]).
/// Returns the number of bytes written. Errors: unsupported (not a 1.x version with a single-digit
/// minor), buffer_too_small.
constexpr result<std::size_t> bin_concat(std::uint8_t spdm_version, std::string_view label, bytes_view context,
                                         std::uint16_t length, bytes_span out) noexcept {
  const unsigned major = spdm_version >> 4, minor = spdm_version & 0xFu;
  if (major != 1 || minor > 9) return errc::unsupported;
  const std::size_t n = 2 + 8 + label.size() + context.size();
  if (out.size() < n) return errc::buffer_too_small;
  return detail::write_bin_concat(minor, label, context, length, out.data());
}

/// Which side's traffic a secret protects: the requester sends with request-direction keys, the
/// responder with response-direction keys (secured.md §3.3).
enum class key_direction : std::uint8_t { request, response };

// Named session_key_schedule, not key_schedule: types.hpp's `key_schedule` is the KeySchedule
// algorithm bitmask of NEGOTIATE_ALGORITHMS (spdm.md §5.4), in the same namespace.
template <class P, std::size_t MaxHash>
class session_key_schedule;

/// One direction's major secret and the AEAD key and IV derived from it (secured.md §3.3).
/// Copyable, so that a session can keep the previous generation while a key update is verified
/// (secured.md §4 step 4); wiped on destruction.
template <std::size_t MaxHash = crypto::max_digest_size>
class traffic_keys {
 public:
  [[nodiscard]] bytes_view secret() const noexcept { return major_.span().first(hash_size_); }
  [[nodiscard]] bytes_view key() const noexcept { return key_.span().first(key_size_); }
  [[nodiscard]] bytes_view iv() const noexcept { return iv_.span(); }
  void reset() noexcept {
    major_.reset();
    key_.reset();
    iv_.reset();
  }

 private:
  template <class Q, std::size_t M>
  friend class session_key_schedule;
  pmci::secret<MaxHash> major_;
  pmci::secret<crypto::max_aead_key_size> key_;
  pmci::secret<crypto::aead_nonce_size> iv_;
  std::size_t hash_size_ = 0;
  std::size_t key_size_ = 0;
};

/// The key schedule of one session. Not copyable (it holds secrets); movable is not needed.
template <class P, std::size_t MaxHash = crypto::max_digest_size>
class session_key_schedule {
  static_assert(crypto::hkdf_capable<P>,
                "spdm::session_key_schedule: the crypto policy needs HKDF, either native (hkdf_extract/hkdf_expand) or "
                "through a hash policy (hash_state, hash_init/hash_update/hash_final) for pmci's generic HKDF");
  static_assert(MaxHash >= 32 && MaxHash <= crypto::max_digest_size,
                "spdm::session_key_schedule: MaxHash is the largest digest size the session may negotiate (32, 48 or 64)");

 public:
  using keys = traffic_keys<MaxHash>;

  /// `spdm_version`: negotiated SPDM version byte (0x11 … 0x14). Parameters are checked by the
  /// derive calls (errc::unsupported for a hash larger than MaxHash or an unknown version).
  session_key_schedule(P& p, crypto::hash_alg hash, crypto::aead_alg aead, std::uint8_t spdm_version) noexcept
      : p_(&p),
        hash_(hash),
        aead_(aead),
        version_(spdm_version),
        hash_size_(static_cast<std::uint8_t>(crypto::digest_size(hash))),
        key_size_(static_cast<std::uint8_t>(crypto::aead_key_size(aead))) {}
  /// No parameters yet (a session's idle slot): rebind() before any derive.
  session_key_schedule() noexcept = default;
  session_key_schedule(const session_key_schedule&) = delete;
  session_key_schedule& operator=(const session_key_schedule&) = delete;
  ~session_key_schedule() { reset(); }

  /// Take new parameters, as the constructor does. Only for a schedule holding no secrets (new,
  /// or reset() since its last derive): a session rebinds its wiped schedule when it starts
  /// instead of constructing another one (no second zero fill of every secret).
  void rebind(P& p, crypto::hash_alg hash, crypto::aead_alg aead, std::uint8_t spdm_version) noexcept {
    p_ = &p;
    hash_ = hash;
    aead_ = aead;
    version_ = spdm_version;
    hash_size_ = static_cast<std::uint8_t>(crypto::digest_size(hash));
    key_size_ = static_cast<std::uint8_t>(crypto::aead_key_size(aead));
  }

  [[nodiscard]] std::size_t hash_size() const noexcept { return hash_size_; }
  [[nodiscard]] crypto::hash_alg hash() const noexcept { return hash_; }
  [[nodiscard]] crypto::aead_alg aead() const noexcept { return aead_; }
  [[nodiscard]] std::uint8_t version() const noexcept { return version_; }

  /// After KEY_EXCHANGE_RSP / PSK_EXCHANGE_RSP (secured.md §3.2):
  ///   Salt_0 = H zeros, or for a PSK session at SPDM >= 1.3 H bytes of 0xFF;
  ///   HandshakeSecret = HKDF-Extract(Salt_0, shared secret or PSK);
  ///   {req,rsp} handshake secret = HKDF-Expand(HandshakeSecret, bin_str{1,2}(TH1), H);
  ///   finished keys, handshake keys and IVs from those.
  /// `th1` is the TH1 transcript hash (H bytes). Errors: invalid_field (th1 not H bytes),
  /// unsupported (hash/version), crypto_failure. On error nothing derived is left behind.
  [[nodiscard]] result<void> derive_handshake(bytes_view shared_secret, bytes_view th1, bool psk = false) noexcept {
    PMCI_TRY(check_params());
    const std::size_t h = hash_size();
    if (th1.size() != h) return errc::invalid_field;
    std::array<std::byte, MaxHash> salt0{};
    const std::byte fill = psk && version_ >= 0x13 ? std::byte{0xFF} : std::byte{0x00};  // [i2288]
    for (std::size_t i = 0; i < h; ++i) salt0[i] = fill;
    // Each direction: its handshake secret from TH1, its key and IV, its finished key.
    auto r = crypto::hkdf_extract(*p_, hash_, std::span<const std::byte>(salt0).first(h), shared_secret,
                                  handshake_secret_.span().first(h));
    if (r) r = derive_direction(handshake_secret_, detail::key_step(key_label::req_hs_data), th1.data(), req_hs_, &req_finished_);
    if (r) r = derive_direction(handshake_secret_, detail::key_step(key_label::rsp_hs_data), th1.data(), rsp_hs_, &rsp_finished_);
    if (!r) {
      reset();
      return r;
    }
    handshake_ready_ = true;
    return ok();
  }

  /// After FINISH_RSP / PSK_FINISH_RSP (secured.md §3.2):
  ///   Salt_1 = HKDF-Expand(HandshakeSecret, bin_str0, H);
  ///   MasterSecret = HKDF-Extract(Salt_1, H zeros);
  ///   {req,rsp} data secret = HKDF-Expand(MasterSecret, bin_str{3,4}(TH2), H);
  ///   ExportMasterSecret = HKDF-Expand(MasterSecret, bin_str8(TH2), H); data keys and IVs.
  /// Errors: invalid_state (no handshake derived), invalid_field (th2 size), crypto_failure.
  [[nodiscard]] result<void> derive_data(bytes_view th2) noexcept {
    if (!handshake_ready_) return errc::invalid_state;
    const std::size_t h = hash_size();
    if (th2.size() != h) return errc::invalid_field;
    pmci::secret<MaxHash> salt1;
    const std::array<std::byte, MaxHash> zeros{};
    auto r = expand(handshake_secret_, detail::key_step(key_label::derived), salt1.span().data());
    if (r) r = crypto::hkdf_extract(*p_, hash_, salt1.span().first(h), std::span<const std::byte>(zeros).first(h),
                                    master_secret_.span().first(h));
    if (r) r = derive_direction(master_secret_, detail::key_step(key_label::req_app_data), th2.data(), req_data_, nullptr);
    if (r) r = derive_direction(master_secret_, detail::key_step(key_label::rsp_app_data), th2.data(), rsp_data_, nullptr);
    if (r) r = expand(master_secret_, detail::key_step(key_label::exp_master), export_master_.span().data(), th2.data());
    if (!r) {
      wipe_data();
      return r;
    }
    data_ready_ = true;
    return ok();
  }

  /// KEY_UPDATE for one direction (secured.md §4): secret' = HKDF-Expand(secret, bin_str9, H),
  /// then a new key and IV. The caller resets that direction's sequence number.
  /// Errors: invalid_state (no data keys yet), crypto_failure (the direction is then unchanged).
  [[nodiscard]] result<void> update(key_direction d) noexcept {
    if (!data_ready_) return errc::invalid_state;
    keys& k = d == key_direction::request ? req_data_ : rsp_data_;
    keys next;
    PMCI_TRY(derive_direction(k.major_, detail::key_step(key_label::traffic_upd), nullptr, next, nullptr));
    k = next;
    return ok();
  }

  /// Put back a previous generation of one direction's data keys (a key update that the peer
  /// never confirmed, secured.md §4 step 4). Errors: invalid_state (no data keys yet).
  [[nodiscard]] result<void> restore(key_direction d, const keys& previous) noexcept {
    if (!data_ready_) return errc::invalid_state;
    (d == key_direction::request ? req_data_ : rsp_data_) = previous;
    return ok();
  }

  /// VerifyData = HMAC(finished_key of `d`, transcript hash) (spdm.md §15: ResponderVerifyData
  /// with the response direction, RequesterVerifyData with the request direction).
  /// Writes H bytes. Errors: invalid_state, invalid_field (hash size), buffer_too_small.
  [[nodiscard]] result<void> verify_data(key_direction d, bytes_view transcript_hash, bytes_span out) const noexcept {
    if (!handshake_ready_) return errc::invalid_state;
    const std::size_t h = hash_size();
    if (transcript_hash.size() != h) return errc::invalid_field;
    if (out.size() < h) return errc::buffer_too_small;
    return crypto::hmac(*p_, hash_, finished_key(d), transcript_hash, out.first(h));
  }

  /// Wipe everything that only the handshake needs (handshake secrets, finished keys, master
  /// secret), e.g. once the session is established. Data keys and the export master stay.
  void discard_handshake() noexcept {
    handshake_secret_.reset();
    req_hs_.reset();
    rsp_hs_.reset();
    req_finished_.reset();
    rsp_finished_.reset();
    master_secret_.reset();
    handshake_ready_ = false;
  }

  /// Wipe everything (END_SESSION, errors).
  void reset() noexcept {
    discard_handshake();
    wipe_data();
  }

  [[nodiscard]] bool handshake_ready() const noexcept { return handshake_ready_; }
  [[nodiscard]] bool data_ready() const noexcept { return data_ready_; }

  // Views of the derived values (H bytes, or the AEAD key size, or 12). Valid until the next
  // derive/update/reset; empty-content (zeros) before the corresponding derive.
  [[nodiscard]] bytes_view handshake_secret() const noexcept { return handshake_secret_.span().first(hash_size()); }
  [[nodiscard]] bytes_view master_secret() const noexcept { return master_secret_.span().first(hash_size()); }
  [[nodiscard]] bytes_view export_master_secret() const noexcept { return export_master_.span().first(hash_size()); }
  [[nodiscard]] bytes_view finished_key(key_direction d) const noexcept {
    return (d == key_direction::request ? req_finished_ : rsp_finished_).span().first(hash_size());
  }
  [[nodiscard]] const keys& handshake(key_direction d) const noexcept {
    return d == key_direction::request ? req_hs_ : rsp_hs_;
  }
  [[nodiscard]] const keys& data(key_direction d) const noexcept {
    return d == key_direction::request ? req_data_ : rsp_data_;
  }

 private:
  result<void> check_params() const noexcept {
    if (crypto::digest_size(hash_) > MaxHash) return errc::unsupported;
    const unsigned major = version_ >> 4, minor = version_ & 0xFu;
    if (major != 1 || minor < 1 || minor > 9) return errc::unsupported;  // sessions exist from 1.1
    return ok();
  }

  // The data secrets (derive_data's outputs).
  [[gnu::noinline]] void wipe_data() noexcept {
    master_secret_.reset();
    req_data_.reset();
    rsp_data_.reset();
    export_master_.reset();
    data_ready_ = false;
  }

  // The one HKDF-Expand of the schedule (secured.md §3.1): out = HKDF-Expand(from (H bytes),
  // BinConcat(L, label, context), L), `step` naming the label and L (detail::key_step), `context`
  // null or a TH hash of H bytes. Every derivation is a call of this routine. The BinConcat needs
  // no checks of its own: every way in went through check_params() (derive_handshake; derive_data
  // and update need its success), so the version is 1.1-1.9 and H <= MaxHash; labels are at most
  // 12 bytes: the bytes fit `info` (the static_assert) and L fits the Length field.
  [[gnu::noinline]] result<void> expand(const pmci::secret<MaxHash>& from, std::uint32_t step, std::byte* out,
                                        const std::byte* context = nullptr) const noexcept {
    static_assert(max_bin_concat_size >= 2 + 8 + 12 + MaxHash);
    const std::size_t h = hash_size_;
    const auto kind = static_cast<detail::key_out>(step >> 16);
    const std::size_t len = kind == detail::key_out::hash ? h : kind == detail::key_out::aead_key ? key_size_
                                                                                                   : crypto::aead_nonce_size;
    std::array<std::byte, max_bin_concat_size> info;
    const std::size_t n = detail::write_bin_concat(version_ & 0xFu,
                                                   std::string_view{detail::key_label_blob.data() + (step & 0xFF), (step >> 8) & 0xFF},
                                                   context == nullptr ? bytes_view{} : bytes_view{context, h},
                                                   static_cast<std::uint16_t>(len), info.data());
    return crypto::hkdf_expand(*p_, hash_, from.span().first(h), std::span<const std::byte>(info).first(n),
                               bytes_span{out, len});
  }

  // One direction of one generation (secured.md §3.2-§3.4): its major secret =
  // HKDF-Expand(parent, label(context), H), its AEAD key (bin_str5) and IV (bin_str6) from that,
  // and, during the handshake, its finished key (bin_str7). KEY_EXCHANGE / PSK_EXCHANGE, FINISH
  // and KEY_UPDATE all derive through here.
  [[gnu::noinline]] result<void> derive_direction(const pmci::secret<MaxHash>& parent, std::uint32_t step,
                                                  const std::byte* context, keys& k,
                                                  pmci::secret<MaxHash>* finished) const noexcept {
    k.hash_size_ = hash_size_;
    k.key_size_ = key_size_;
    PMCI_TRY(expand(parent, step, k.major_.span().data(), context));
    PMCI_TRY(expand(k.major_, detail::key_step(key_label::key, detail::key_out::aead_key), k.key_.span().data()));
    PMCI_TRY(expand(k.major_, detail::key_step(key_label::iv, detail::key_out::iv), k.iv_.span().data()));
    if (finished == nullptr) return ok();
    return expand(k.major_, detail::key_step(key_label::finished), finished->span().data());
  }

  P* p_ = nullptr;
  crypto::hash_alg hash_{};
  crypto::aead_alg aead_{};
  std::uint8_t version_ = 0;
  std::uint8_t hash_size_ = 0;  ///< digest_size(hash_): H
  std::uint8_t key_size_ = 0;   ///< aead_key_size(aead_)
  bool handshake_ready_ = false;
  bool data_ready_ = false;
  pmci::secret<MaxHash> handshake_secret_;
  keys req_hs_, rsp_hs_;
  pmci::secret<MaxHash> req_finished_, rsp_finished_;
  pmci::secret<MaxHash> master_secret_;
  keys req_data_, rsp_data_;
  pmci::secret<MaxHash> export_master_;
};

}  // namespace pmci::spdm
