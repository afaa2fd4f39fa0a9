// SPDX-License-Identifier: Apache-2.0
// Secured messages using SPDM (DSP0277), bound to MCTP by DSP0276 (secured.md §1, §2).
//
// An MCTP message of type 0x06 carries one secured record:
//
//   +----+-----------+--------+--------+=========================================+--------+
//   | 06 | SessionID | SeqNum | Length | AppDataLength | AppData | RandomData  |  MAC   |
//   |    |  (4, LE)  | (2,LE) | (2,LE) |    (2, LE)    |  (n)    |  (r bytes)  |  (16)  |
//   +----+-----------+--------+--------+=========================================+--------+
//        \________ AAD (record header) __/\_________ encrypted (AEAD) _________/
//
//   * SessionID = ReqSessionID ‖ RspSessionID (spdm.md §10.2); the 0x06 byte is not in the AAD.
//   * SeqNum = the low 16 bits of the sender's 64-bit per-direction counter (DSP0276:
//     LIBSPDM_MCTP_SEQUENCE_NUMBER_COUNT 2). The counter starts at 0 for every new key
//     (handshake keys, data keys, each key update) and is never transmitted in full: the nonce
//     uses the whole counter, so a receiver only accepts the record whose SeqNum equals the low
//     16 bits of the counter it expects (secured.md §1.1 "Receive-side check").
//   * Length = bytes after the Length field (AppDataLength + AppData + RandomData + MAC).
//   * AppData is itself an MCTP message: type byte + body (0x05 ‖ SPDM, or any other type, e.g.
//     PLDM 0x01 application messages inside the session).
//   * RandomData: DSP0276 lets the sender pad; libspdm uses 1..32 random bytes. A receiver uses
//     AppDataLength to strip it and accepts any amount, 0 included (secured.md §1.1).
//   * Nonce = IV XOR counter, the counter little-endian in bytes 0..7 of a zero 12-byte block
//     (DSP0277 1.2; secured.md §2). DSP0277 1.0/1.1 peers may want the big-endian form in bytes
//     4..11 (libspdm option): sequence_nonce::big_endian.
//   * MAC-only sessions (both sides MAC_CAP, not both ENCRYPT_CAP; spdm.md §4): no AppDataLength,
//     no padding, AppData in the clear, and the tag is the AEAD tag over AAD = header ‖ AppData
//     with an empty plaintext.
//
// Everything is in place in the caller's buffer: seal() encrypts the application data where it
// lies (the caller writes it at layout.app_offset()) and appends the tag; open() decrypts the
// record where it lies and returns the application data as a span into the same buffer. No heap,
// no copies, no buffer of its own.
//
// Freestanding header; the AEAD comes from the crypto policy (crypto::aead_policy).
#pragma once
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <span>

#include "pmci/core/bytes.hpp"
#include "pmci/core/endian.hpp"
#include "pmci/core/result.hpp"
#include "pmci/core/secure.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"

namespace pmci::spdm {

/// How a transport frames secured records (DSP0276 for MCTP; secured.md §1.1).
struct secured_binding {
  bool type_byte = true;                  ///< the record is preceded by a message-type byte
  std::uint8_t message_type = 0x06;       ///< that byte (MCTP: 0x06 "secured SPDM")
  std::size_t sequence_number_size = 2;   ///< bytes of the counter on the wire: 2 MCTP, 0 PCI-DOE, 8 max
  std::size_t max_random = 32;            ///< most RandomData bytes a sender adds (libspdm MCTP: 32)
  friend constexpr bool operator==(const secured_binding&, const secured_binding&) noexcept = default;
};

/// DSP0276: SPDM over MCTP.
inline constexpr secured_binding mctp_secured_binding{};
/// The MCTP message type of a secured record and of the SPDM messages inside it.
inline constexpr std::uint8_t mctp_type_secured_spdm = 0x06;
inline constexpr std::uint8_t mctp_type_spdm = 0x05;

/// Encrypt-and-MAC (ENCRYPT_CAP and MAC_CAP on both sides) or MAC only (spdm.md §4).
enum class session_protection : std::uint8_t { encrypt_and_mac, mac_only };

/// How the 64-bit counter enters the nonce (secured.md §2).
enum class sequence_nonce : std::uint8_t {
  little_endian,  ///< DSP0277 1.2+ (and libspdm's default for every version): bytes 0..7
  big_endian,     ///< optional DSP0277 1.0/1.1 interpretation: bytes 4..11
};

/// Byte offsets of a record in a message buffer, for a binding and a protection.
struct secured_layout {
  secured_binding binding = mctp_secured_binding;
  session_protection protection = session_protection::encrypt_and_mac;

  /// Type byte (if any) + SessionID + SeqNum + Length.
  [[nodiscard]] constexpr std::size_t header_size() const noexcept {
    return (binding.type_byte ? 1u : 0u) + 4 + binding.sequence_number_size + 2;
  }
  /// Where the sender writes the application data before seal().
  [[nodiscard]] constexpr std::size_t app_offset() const noexcept {
    return header_size() + (protection == session_protection::encrypt_and_mac ? 2u : 0u);
  }
  /// Record size for n bytes of application data and r bytes of padding.
  [[nodiscard]] constexpr std::size_t record_size(std::size_t n, std::size_t r = 0) const noexcept {
    return app_offset() + n + r + crypto::aead_tag_size;
  }
  /// Bytes the record adds around the application data (without padding).
  [[nodiscard]] constexpr std::size_t overhead() const noexcept { return record_size(0); }
  /// Largest application data that fits a buffer of `capacity` bytes with r bytes of padding.
  [[nodiscard]] constexpr std::size_t max_app_size(std::size_t capacity, std::size_t r = 0) const noexcept {
    return capacity >= record_size(0, r) ? capacity - record_size(0, r) : 0;
  }
};

namespace detail {
/// n bytes little-endian at p (n <= 8): the record header's fields (secured.md §1), SeqNum
/// being 0 to 8 bytes wide by binding.
constexpr std::uint64_t record_load(const std::byte* p, std::size_t n) noexcept {
  std::uint64_t v = 0;
  for (std::size_t i = n; i-- > 0;) v = (v << 8) | std::to_integer<std::uint8_t>(p[i]);
  return v;
}
constexpr void record_store(std::byte* p, std::uint64_t v, std::size_t n) noexcept {
  for (std::size_t i = 0; i < n; ++i, v >>= 8) p[i] = static_cast<std::byte>(v & 0xFF);
}
/// Whether two counters agree in the low `bytes` bytes (1 to 8) that travel as SeqNum; with no
/// SeqNum on the wire (0 bytes) every record matches (secured.md §1.1).
constexpr bool same_sequence(std::uint64_t a, std::uint64_t b, std::size_t bytes) noexcept {
  return bytes == 0 || ((a ^ b) << (64 - 8 * bytes)) == 0;
}
}  // namespace detail

/// The clear part of a record (secured.md §1).
struct secured_header {
  std::uint32_t session_id = 0;
  std::uint64_t sequence_number = 0;  ///< the transmitted low bits only
  std::uint16_t length = 0;           ///< bytes after the Length field
  std::size_t size = 0;               ///< header bytes including the type byte

  /// Parse the header of a whole secured message (type byte included when the binding has one).
  /// Errors: truncated (shorter than the header, or than Length says); trailing_data (bytes after
  /// Length); invalid_field (wrong type byte, a sequence-number size above 8, Length too small to
  /// hold a MAC, or for encrypted records the AppDataLength field too).
  static constexpr result<secured_header> decode(bytes_view m, const secured_layout& l) noexcept {
    const std::size_t seq = l.binding.sequence_number_size;
    if (seq > 8) return errc::invalid_field;
    const std::size_t t = l.binding.type_byte ? 1 : 0;
    if (t != 0 && !m.empty() && std::to_integer<std::uint8_t>(m[0]) != l.binding.message_type) return errc::invalid_field;
    secured_header h;
    h.size = t + 4 + seq + 2;
    if (m.size() < h.size) return errc::truncated;  // the one check for the fixed-offset reads below
    const std::byte* p = m.data() + t;
    h.session_id = static_cast<std::uint32_t>(detail::record_load(p, 4));
    h.sequence_number = detail::record_load(p + 4, seq);
    h.length = static_cast<std::uint16_t>(detail::record_load(p + 4 + seq, 2));
    const std::size_t min = crypto::aead_tag_size + (l.protection == session_protection::encrypt_and_mac ? 2u : 0u);
    if (h.length < min) return errc::invalid_field;
    const std::size_t rest = m.size() - h.size;
    if (rest < h.length) return errc::truncated;
    if (rest > h.length) return errc::trailing_data;
    return h;
  }

  /// The SessionID of a secured message without checking the rest (to find the session). Errors:
  /// truncated, invalid_field (type byte).
  static constexpr result<std::uint32_t> session_of(bytes_view m, const secured_binding& b = mctp_secured_binding) noexcept {
    reader r{m};
    if (b.type_byte && r.u8() != b.message_type && r.ok()) return errc::invalid_field;
    const std::uint32_t id = r.u32le();
    PMCI_TRY(r.status());
    return id;
  }
};

/// The AEAD key, IV and 64-bit sequence counter of one direction of one key generation
/// (handshake or data keys, secured.md §2–§3.4). Holds the crypto policy's key handle; the IV is
/// a pmci::secret (wiped on destruction and clear()).
template <crypto::aead_policy P>
class record_keys {
 public:
  using aead_key = typename P::aead_key;

  record_keys() noexcept = default;
  record_keys(const record_keys&) = delete;
  record_keys& operator=(const record_keys&) = delete;
  record_keys(record_keys&&) noexcept = default;
  record_keys& operator=(record_keys&&) noexcept = default;
  ~record_keys() { clear(); }

  /// Import `key` (crypto::aead_key_size(alg) bytes) and the 12-byte IV; the counter restarts at 0
  /// (secured.md §2). Errors: invalid_field (IV size), the policy's aead_import errors. On error
  /// the object is left cleared.
  [[nodiscard]] result<void> install(P& p, crypto::aead_alg alg, bytes_view key, bytes_view iv,
                                     sequence_nonce enc = sequence_nonce::little_endian) noexcept {
    clear();
    if (iv.size() != crypto::aead_nonce_size) return errc::invalid_field;
    auto k = p.aead_import(alg, key);
    if (!k) return k.error();
    key_ = std::move(*k);
    for (std::size_t i = 0; i < crypto::aead_nonce_size; ++i) iv_.span()[i] = iv[i];
    encoding_ = enc;
    installed_ = true;
    return ok();
  }

  /// Drop the key handle and wipe the IV.
  void clear() noexcept {
    key_ = aead_key{};
    iv_.reset();
    seq_ = 0;
    installed_ = false;
  }

  [[nodiscard]] bool installed() const noexcept { return installed_; }
  /// The counter value the next record of this direction uses.
  [[nodiscard]] std::uint64_t sequence() const noexcept { return seq_; }
  /// Number of records this key may protect (DSP0277 1.3 AEAD limit, secured.md §2: 2^exponent
  /// messages); the default refuses only the counter value 2^64 - 1 (libspdm: the counter never
  /// wraps). Reaching it means the session must end (or rekey).
  void set_limit(std::uint64_t records) noexcept { limit_ = records; }
  [[nodiscard]] std::uint64_t limit() const noexcept { return limit_; }
  /// True when the counter may not be used any more.
  [[nodiscard]] bool exhausted() const noexcept { return seq_ >= limit_; }

  /// Nonce for counter value `seq` (secured.md §2).
  void nonce(std::uint64_t seq, std::span<std::byte, crypto::aead_nonce_size> out) const noexcept {
    for (std::size_t i = 0; i < crypto::aead_nonce_size; ++i) out[i] = iv_.span()[i];
    const bool le = encoding_ == sequence_nonce::little_endian;
    for (std::size_t i = 0; i < 8; ++i, seq >>= 8)
      out[le ? i : crypto::aead_nonce_size - 1 - i] ^= static_cast<std::byte>(seq & 0xFF);
  }

  [[nodiscard]] const aead_key& key() const noexcept { return key_; }
  /// Advance after a record was sealed or opened (seal/open do this).
  void advance() noexcept { ++seq_; }
  /// Set the counter (known-answer tests; a session never moves it other than by advance()).
  void set_sequence(std::uint64_t s) noexcept { seq_ = s; }

 private:
  aead_key key_{};
  pmci::secret<crypto::aead_nonce_size> iv_{};
  std::uint64_t seq_ = 0;
  std::uint64_t limit_ = std::numeric_limits<std::uint64_t>::max();
  sequence_nonce encoding_ = sequence_nonce::little_endian;
  bool installed_ = false;
};

/// One opened record: spans into the caller's buffer.
struct opened_record {
  std::uint32_t session_id = 0;
  bytes_span app{};         ///< the application data (an MCTP message: type byte + body)
  bytes_view padding{};     ///< the RandomData the sender added (encrypted records)
};

namespace detail {
/// The one AEAD step of seal() and open() (secured.md §2): buf[aad_from, split) is the AAD,
/// buf[split, total - tag) the text sealed or opened in place, the tag after it; the nonce from
/// the direction's IV and counter. Encrypted records: split = the end of the header, the text is
/// AppDataLength ‖ AppData ‖ RandomData. MAC only: split = the tag, the AAD is header ‖ AppData
/// and the text is empty. The callers advance the counter on success; their checks put
/// aad_from <= split <= total - tag <= buf.size().
template <crypto::aead_policy P>
[[nodiscard]] result<void> record_aead(P& p, record_keys<P>& keys, bytes_span buf, std::size_t aad_from,
                                       std::size_t split, std::size_t total, bool sealing) noexcept {
  std::array<std::byte, crypto::aead_nonce_size> nonce{};
  keys.nonce(keys.sequence(), nonce);
  std::byte* const at = buf.data() + split;
  const bytes_view aad{buf.data() + aad_from, split - aad_from};
  const bytes_span text{at, total - crypto::aead_tag_size - split};
  const bytes_span whole{at, total - split};
  const result<void> r = sealing ? p.aead_seal(keys.key(), nonce, aad, text, whole)
                                 : p.aead_open(keys.key(), nonce, aad, whole, text);
  secure_wipe(nonce);
  return r;
}
}  // namespace detail

/// Seal one record in place.
///
/// Before the call the caller has written `app_len` bytes of application data (an MCTP message:
/// type byte + body) at buf[layout.app_offset()]. seal() writes the header in front, the padding
/// after the data, encrypts (or MACs) and appends the tag, and returns the whole message
/// (layout.record_size(app_len, padding.size()) bytes at the start of buf). The counter advances.
/// Errors: invalid_state (no keys), session_ended (the counter reached the key's limit: end the
/// session), invalid_field (padding on a MAC-only record, more padding than the binding allows),
/// buffer_too_small, out_of_range (Length or AppDataLength above 0xFFFF), and the policy's
/// aead_seal errors (the buffer content is then unspecified).
template <crypto::aead_policy P>
[[nodiscard]] result<bytes_span> seal(P& p, record_keys<P>& keys, const secured_layout& l, std::uint32_t session_id,
                                      bytes_span buf, std::size_t app_len, bytes_view padding = {}) noexcept {
  if (!keys.installed()) return errc::invalid_state;
  if (keys.exhausted()) return errc::session_ended;
  const bool encrypt = l.protection == session_protection::encrypt_and_mac;
  if ((!encrypt && !padding.empty()) || padding.size() > l.binding.max_random ||
      l.binding.sequence_number_size > 8)
    return errc::invalid_field;
  const std::size_t total = l.record_size(app_len, padding.size());
  if (total > buf.size() || l.app_offset() + app_len > buf.size()) return errc::buffer_too_small;
  const std::size_t length = total - l.header_size();
  if (length > 0xFFFF || app_len > 0xFFFF) return errc::out_of_range;

  // The header, written in place: total <= buf.size() (checked above) and it holds the header.
  std::byte* o = buf.data();
  if (l.binding.type_byte) *o++ = std::byte{l.binding.message_type};
  detail::record_store(o, session_id, 4);
  detail::record_store(o + 4, keys.sequence(), l.binding.sequence_number_size);
  o += 4 + l.binding.sequence_number_size;
  detail::record_store(o, length, 2);
  if (encrypt) detail::record_store(o + 2, app_len, 2);
  for (std::size_t i = 0; i < padding.size(); ++i) buf[l.app_offset() + app_len + i] = padding[i];
  const std::size_t tag_at = total - crypto::aead_tag_size;
  PMCI_TRY(detail::record_aead(p, keys, buf, l.binding.type_byte ? 1 : 0, encrypt ? l.header_size() : tag_at, total, true));
  keys.advance();
  return buf.first(total);
}

/// Open one record in place: `msg` is the whole secured message (type byte included when the
/// binding has one). On success returns the application data as a span into msg (decrypted in
/// place) and advances the counter.
/// Errors: those of secured_header::decode; invalid_state (no keys); session_ended (the counter
/// reached its limit); sequence_error (the transmitted SeqNum is not the low bits of the counter
/// this direction expects: a replayed, reordered or lost record); decrypt_error (the MAC does not
/// verify: the decrypted bytes are wiped); invalid_field (an AppDataLength larger than the
/// plaintext, after authentication); the policy's aead_open errors. The counter only advances on
/// success.
template <crypto::aead_policy P>
[[nodiscard]] result<opened_record> open(P& p, record_keys<P>& keys, const secured_layout& l, bytes_span msg,
                                         const secured_header& h) noexcept;
template <crypto::aead_policy P>
[[nodiscard]] result<opened_record> open(P& p, record_keys<P>& keys, const secured_layout& l, bytes_span msg) noexcept {
  PMCI_TRY_ASSIGN(const secured_header h, secured_header::decode(msg, l));
  return open(p, keys, l, msg, h);
}

/// open() for a message whose header the caller has already decoded (`h`: secured_header::decode
/// of the same `msg` and layout, which is what makes the offsets below safe).
template <crypto::aead_policy P>
[[nodiscard]] result<opened_record> open(P& p, record_keys<P>& keys, const secured_layout& l, bytes_span msg,
                                         const secured_header& h) noexcept {
  if (!keys.installed()) return errc::invalid_state;
  if (keys.exhausted()) return errc::session_ended;
  if (!detail::same_sequence(h.sequence_number, keys.sequence(), l.binding.sequence_number_size))
    return errc::sequence_error;
  const bool encrypt = l.protection == session_protection::encrypt_and_mac;
  const std::size_t body = h.size;  // first byte after Length
  const std::size_t tag_at = msg.size() - crypto::aead_tag_size;
  // decode() guarantees body <= tag_at (Length holds at least the tag) and that msg ends there.
  PMCI_TRY(detail::record_aead(p, keys, msg, l.binding.type_byte ? 1 : 0, encrypt ? body : tag_at, msg.size(), false));
  opened_record out;
  out.session_id = h.session_id;
  std::byte* const text = msg.data() + body;
  const std::size_t plain = tag_at - body;  // >= 2 when encrypted (decode: Length holds AppDataLength)
  if (encrypt) {
    const auto app_len = static_cast<std::size_t>(detail::record_load(text, 2));
    if (app_len > plain - 2) {
      secure_wipe(bytes_span{text, plain});  // authenticated but malformed: hand out nothing
      return errc::invalid_field;
    }
    out.app = bytes_span{text + 2, app_len};
    out.padding = bytes_view{text + 2 + app_len, plain - 2 - app_len};
  } else {
    out.app = bytes_span{text, plain};
  }
  keys.advance();
  return out;
}

}  // namespace pmci::spdm
