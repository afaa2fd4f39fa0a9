// SPDX-License-Identifier: Apache-2.0
// SPDM transcripts as running hash states (spdm.md §15), never as stored message logs.
//
//   A  = GET_VERSION ‖ VERSION ‖ GET_CAPABILITIES ‖ CAPABILITIES ‖ NEGOTIATE_ALGORITHMS ‖ ALGORITHMS
//   M1/M2 (CHALLENGE_AUTH)  = A ‖ B ‖ C          A at every version (1.0 and 1.1 too)
//   L1/L2 (MEASUREMENTS)    = M (1.0/1.1)  |  A ‖ M (1.2+)
//   B = GET_DIGESTS ‖ DIGESTS ‖ GET_CERTIFICATE ‖ CERTIFICATE ... in wire order
//   C = CHALLENGE ‖ CHALLENGE_AUTH without Signature
//   M = GET_MEASUREMENTS ‖ MEASUREMENTS ... since the last reset, the signed one without Signature
//
// The hash is known only once ALGORITHMS is; the VCA messages before it (at most a few dozen
// bytes on a responder) are buffered until then, after which everything is hashed on the fly.
// Three states are kept: A (frozen after ALGORITHMS; the session layer forks TH1/TH2 from it,
// spdm.md §15: TH = A ‖ [D] ‖ Ct ‖ ...), M1/M2 and L1/L2. A signature is computed over a fork:
// copy the state, append the last message without its signature, finalize the copy. The running
// state itself is committed (append) only for messages that stay in the transcript, so a request
// answered with ERROR Busy can be retried against an unchanged transcript.
//
// Memory: 3 x sizeof(Crypto::hash_state) + VcaCapacity + a few bytes (see docs/spdm_engines.md).
// Who resets what, and when (libspdm behaviour, checked against the captures), is the engines'
// business; this class only provides the operations.
#pragma once
#include <cstddef>
#include <cstdint>

#include "pmci/core/buffer.hpp"
#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/crypto/algorithms.hpp"
#include "pmci/crypto/concepts.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm {

template <crypto::hash_policy Crypto, std::size_t VcaCapacity>
class transcript {
 public:
  using hash_state = typename Crypto::hash_state;
  static constexpr std::size_t vca_capacity = VcaCapacity;

  /// GET_VERSION: forget everything (spdm.md §3: it resets the connection and all transcripts).
  constexpr void reset() noexcept {
    vca_.clear();
    selected_ = false;
  }

  /// Append a VCA message that precedes ALGORITHMS (GET_VERSION .. CAPABILITIES). Buffered until
  /// select(); errc::no_resources when the buffer is full, errc::invalid_state after select().
  constexpr result<void> append_vca(bytes_view msg) noexcept {
    if (selected_) return errc::invalid_state;
    if (!vca_.append(msg)) return errc::no_resources;
    return ok();
  }
  /// Bytes buffered so far (tests; a responder's VCA before ALGORITHMS).
  [[nodiscard]] constexpr bytes_view buffered_vca() const noexcept { return vca_.view(); }

  /// NEGOTIATE_ALGORITHMS / ALGORITHMS fixed the hash and the version: A := Hash-state of the
  /// buffered VCA ‖ request ‖ response; M1/M2 := A; L1/L2 := A at 1.2+, empty before.
  /// Returns the crypto policy's error (the transcript then stays unselected).
  /// Called on an unselected transcript (after reset()): A is hashed where it is kept, since
  /// nothing reads a_ before selected_ is set (no 216 B local and copy, issue 9 footprint).
  result<void> select(Crypto& c, crypto::hash_alg h, version v, bytes_view negotiate_algorithms,
                      bytes_view algorithms) noexcept {
    selected_ = false;
    PMCI_TRY(c.hash_init(a_, h));
    PMCI_TRY(c.hash_update(a_, vca_.view()));
    PMCI_TRY(c.hash_update(a_, negotiate_algorithms));
    PMCI_TRY(c.hash_update(a_, algorithms));
    hash_ = h;
    ver_ = v;
    selected_ = true;
    vca_.clear();
    reset_m();
    return reset_l(c);
  }

  [[nodiscard]] constexpr bool selected() const noexcept { return selected_; }
  [[nodiscard]] constexpr crypto::hash_alg hash() const noexcept { return hash_; }
  [[nodiscard]] constexpr std::size_t digest_size() const noexcept { return crypto::digest_size(hash_); }

  /// The VCA hash state A (valid once selected()). Fork it for session transcripts.
  [[nodiscard]] constexpr const hash_state& vca() const noexcept { return a_; }

  // ---- M1/M2 ------------------------------------------------------------------------------
  /// Append a B (or C) message.
  result<void> append_m(Crypto& c, bytes_view msg) noexcept {
    if (!selected_) return errc::invalid_state;
    return c.hash_update(m_, msg);
  }
  /// Drop B and C: M1/M2 := A.
  void reset_m() noexcept {
    if (selected_) m_ = a_;
  }
  /// The running M1/M2 state (copy it to fork).
  [[nodiscard]] constexpr const hash_state& m() const noexcept { return m_; }

  // ---- L1/L2 ------------------------------------------------------------------------------
  result<void> append_l(Crypto& c, bytes_view msg) noexcept {
    if (!selected_) return errc::invalid_state;
    return c.hash_update(l_, msg);
  }
  /// Drop M: L1/L2 := A (1.2+) or the empty transcript (1.0/1.1).
  result<void> reset_l(Crypto& c) noexcept {
    if (!selected_) return ok();
    if (ver_ >= version::v1_2) {
      l_ = a_;
      return ok();
    }
    return c.hash_init(l_, hash_);
  }
  [[nodiscard]] constexpr const hash_state& l() const noexcept { return l_; }

  /// A request and its response appended to L1/L2 (to_l) or M1/M2: append_l() / append_m()
  /// twice, with one check and one state choice (issue 9 footprint).
  result<void> append_pair(Crypto& c, bool to_l, bytes_view request, bytes_view response) noexcept {
    if (!selected_) return errc::invalid_state;
    hash_state& s = to_l ? l_ : m_;
    PMCI_TRY(c.hash_update(s, request));
    return c.hash_update(s, response);
  }

  // ---- forks ------------------------------------------------------------------------------
  /// Hash(state ‖ m1 ‖ m2) into out (digest_size() bytes), leaving the running state untouched.
  result<void> fork_digest(Crypto& c, const hash_state& state, bytes_view m1, bytes_view m2, bytes_span out) const noexcept {
    if (!selected_) return errc::invalid_state;
    hash_state s = state;
    PMCI_TRY(c.hash_update(s, m1));
    PMCI_TRY(c.hash_update(s, m2));
    return c.hash_final(s, out);
  }

 private:
  byte_buffer<VcaCapacity> vca_{};
  hash_state a_{};
  hash_state m_{};
  hash_state l_{};
  crypto::hash_alg hash_ = crypto::hash_alg::sha256;
  version ver_ = version::v1_0;
  bool selected_ = false;
};

}  // namespace pmci::spdm
