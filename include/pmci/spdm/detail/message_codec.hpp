// SPDX-License-Identifier: Apache-2.0
// Small building blocks shared by the session-family SPDM codecs (key_exchange.hpp, finish.hpp,
// psk.hpp, session_control.hpp, encapsulated.hpp, csr.hpp, chunk.hpp, events.hpp,
// key_pair_info.hpp, mel.hpp, endpoint_info.hpp). Not a public API.
//
// Conventions these helpers implement (docs/spdm_codecs_session.md):
//  * A message after VERSION carries the negotiated version (spdm.md §1): a different version
//    byte is errc::version_mismatch; a version byte pmci does not know is errc::unsupported
//    (read_header). A message whose code DSP0274 introduced after the negotiated version
//    (types.hpp introduced_in) is errc::unsupported, on decode and on encode.
//  * Decoders are exact: every byte of the input is accounted for (errc::trailing_data
//    otherwise) and reserved bytes/bits must be zero (errc::reserved_nonzero). Hence for every
//    accepted input, encode(decode(x)) == x byte for byte — the fuzzers check exactly that.
//  * A layout that needs an algorithm nobody negotiated (n.h(), n.s(), n.d() zero) is
//    errc::invalid_state, as in the attestation codecs.
//  * Encoders check that the spans they are given have the sizes the negotiated algorithms
//    require (errc::invalid_field), that length fields fit (errc::out_of_range), and report a
//    full output buffer as errc::buffer_too_small (sticky writer).
#pragma once
#include <cstddef>
#include <cstdint>

#include "pmci/core/bytes.hpp"
#include "pmci/core/result.hpp"
#include "pmci/spdm/header.hpp"
#include "pmci/spdm/types.hpp"

namespace pmci::spdm::detail {

/// Read and check the header of a `c` message (header.hpp read_header with the negotiated
/// version: truncated, invalid_field, unsupported, version_mismatch).
constexpr result<header> open(reader& r, code c, const negotiated& n) noexcept { return read_header(r, c, n); }

/// Like open() for messages whose Param1 and Param2 are both reserved.
constexpr result<header> open_reserved(reader& r, code c, const negotiated& n) noexcept {
  PMCI_TRY_ASSIGN(header h, open(r, c, n));
  if (h.param1 != 0 || h.param2 != 0) return errc::reserved_nonzero;
  return h;
}

/// Write the header of a `c` message at the negotiated version.
constexpr result<void> begin(writer& w, code c, const negotiated& n, std::uint8_t p1 = 0,
                             std::uint8_t p2 = 0) noexcept {
  if (n.ver < introduced_in(c)) return errc::unsupported;
  write_header(w, c, n, p1, p2);
  return ok();
}

/// The writer's state as a result.
constexpr result<void> done(const writer& w) noexcept {
  if (!w.ok()) return w.error();
  return ok();
}

/// The reader's state; also errc::trailing_data when input is left over.
constexpr result<void> finish(const reader& r) noexcept { return r.finish(); }

/// A length-prefixed field on encode: the value must fit the prefix.
constexpr bool fits_u16(bytes_view v) noexcept { return v.size() <= 0xFFFFu; }
constexpr bool fits_u32(bytes_view v) noexcept {
  const std::uint64_t size = v.size();  // (always true where size_t has 32 bits)
  return size <= 0xFFFFFFFFu;
}

/// A message that is only a header with Param1 and Param2 reserved (HEARTBEAT, END_SESSION_ACK,
/// GET_ENCAPSULATED_REQUEST, ...). Errors: truncated, trailing_data, version_mismatch,
/// unsupported, invalid_field (code), reserved_nonzero (params).
template <code C>
struct header_only {
  static constexpr code message_code = C;
  static constexpr result<header_only> decode(bytes_view m, const negotiated& n) noexcept {
    reader r{m};
    PMCI_TRY(open_reserved(r, C, n));
    PMCI_TRY(finish(r));
    return header_only{};
  }
  constexpr result<void> encode(writer& w, const negotiated& n) const noexcept {
    PMCI_TRY(begin(w, C, n));
    return done(w);
  }
};

/// A validated run of `count` variable-size entries that exactly fills a byte range, iterable
/// with range-for. Entry provides `static constexpr Entry read(reader&) noexcept`, which records
/// any error in the reader. validate() reads every entry once; iteration then cannot fail.
template <class Entry>
class entry_list {
 public:
  struct sentinel {};
  class iterator {
   public:
    constexpr iterator(bytes_view data, std::uint32_t left) noexcept : r_(data), left_(left) { load(); }
    constexpr const Entry& operator*() const noexcept { return cur_; }
    constexpr const Entry* operator->() const noexcept { return &cur_; }
    constexpr iterator& operator++() noexcept {
      --left_;
      load();
      return *this;
    }
    friend constexpr bool operator==(const iterator& it, sentinel) noexcept { return it.left_ == 0; }

   private:
    constexpr void load() noexcept {
      if (left_ != 0) cur_ = Entry::read(r_);
    }
    reader r_;
    std::uint32_t left_;
    Entry cur_{};
  };

  constexpr entry_list() noexcept = default;

  /// errc::truncated / the entry's own error, or errc::trailing_data when the entries do not
  /// fill `data` exactly. A count larger than the byte count cannot fit (every entry has at
  /// least one byte) and fails early with errc::truncated, so hostile counts cost nothing.
  static constexpr result<entry_list> validate(bytes_view data, std::uint32_t count) noexcept {
    if (count > data.size()) return errc::truncated;
    reader r{data};
    for (std::uint32_t i = 0; i < count && r.ok(); ++i) (void)Entry::read(r);
    PMCI_TRY(r.finish());
    entry_list l;
    l.data_ = data;
    l.count_ = count;
    return l;
  }

  [[nodiscard]] constexpr iterator begin() const noexcept { return {data_, count_}; }
  [[nodiscard]] constexpr sentinel end() const noexcept { return {}; }
  [[nodiscard]] constexpr std::uint32_t size() const noexcept { return count_; }
  [[nodiscard]] constexpr bool empty() const noexcept { return count_ == 0; }
  [[nodiscard]] constexpr bytes_view bytes() const noexcept { return data_; }

 private:
  bytes_view data_{};
  std::uint32_t count_ = 0;
};

}  // namespace pmci::spdm::detail
