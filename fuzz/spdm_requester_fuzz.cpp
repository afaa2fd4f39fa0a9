// SPDX-License-Identifier: Apache-2.0
// Fuzz target for pmci::spdm::requester fed arbitrary responses.
//
// Input: byte 0 = mode.
//   mode bit 7 clear — "raw": every response is the next length-prefixed chunk of the input
//     (fuzz/spdm_engine_fuzz.hpp). The requester runs its whole repertoire: VCA, DIGESTS,
//     CERTIFICATE, CHALLENGE, signed and unsigned MEASUREMENTS, VENDOR_DEFINED.
//   mode bit 7 set — "mutate": pmci's responder answers, and the input is a list of edits
//     (exchange number, offset u16 LE, xor value) applied to its responses; bits 5:2 are the
//     device's signing delay (ResponseNotReady rounds).
// Checked: no crash and no UB; in mutate mode, a CHALLENGE_AUTH or signed MEASUREMENTS whose own
// bytes were changed is never accepted as verified (the test policy's signatures are exact).
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "spdm_engine_fuzz.hpp"

using namespace pmci;
using namespace pmci::spdm;

namespace {

constexpr std::array<bytes_view, 1> anchors{fuzz::root};

/// Drive every requester operation with responses from `respond(request, buffer) -> bytes_view`.
template <class Respond>
void run_all(fuzz::requester_t& req, Respond&& respond, bool& tampered_signed_accepted, std::size_t& exchanges,
             const std::vector<bool>& mutated) {
  std::array<std::byte, 256> tx{};
  const auto drive = [&]() {
    for (int guard = 0; guard < 64; ++guard) {
      auto q = req.next_request(tx);
      if (!q) return false;
      const std::size_t index = exchanges++;
      const bytes_view r = respond(as_view(*q), index);
      auto st = req.on_response(r);
      if (!st) return false;
      if (st->kind == step::done) {
        const code c = r.size() > 1 ? static_cast<code>(std::to_integer<std::uint8_t>(r[1])) : code::error;
        const bool was_mutated = index < mutated.size() && mutated[index];
        const bool signed_ok = c == code::challenge_auth || (c == code::measurements && req.last_measurements().signature_verified);
        if (was_mutated && signed_ok) tampered_signed_accepted = true;
        return true;
      }
    }
    return false;
  };
  if (req.start_get_version() && drive() && req.start_get_capabilities() && drive() &&
      req.start_negotiate_algorithms() && drive()) {
    if (req.start_get_digests()) (void)drive();
    if (req.start_get_certificate(0, anchors)) (void)drive();
    if (req.start_challenge(0, summary_hash_type::all)) (void)drive();
    if (req.start_get_measurements({.operation = 1, .signature = false})) (void)drive();
    if (req.start_get_measurements({})) (void)drive();
    if (req.start_get_measurements({.operation = meas_op_count, .signature = false})) (void)drive();
    const std::array<std::byte, 2> vid{std::byte{0x86}, std::byte{0x80}};
    const std::array<std::byte, 3> payload{std::byte{1}, std::byte{2}, std::byte{3}};
    if (req.start_vendor_defined(registry::pci_sig, vid, payload)) (void)drive();
    if (req.start_challenge(0, summary_hash_type::tcb)) (void)drive();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::chunks in{bytes_view{reinterpret_cast<const std::byte*>(data), size}};
  const std::uint8_t mode = in.byte();
  fuzz::crypto_t req_crypto;
  fuzz::requester_t req{req_crypto};
  bool bad = false;
  std::size_t exchanges = 0;
  if ((mode & 0x80) == 0) {
    std::vector<bool> none;
    run_all(req, [&](bytes_view, std::size_t) { return in.next(); }, bad, exchanges, none);
    return 0;
  }
  // Mutate mode: edits for exchange numbers, applied to a genuine responder's answers.
  struct edit {
    std::uint8_t exchange;
    std::uint16_t offset;
    std::uint8_t value;
  };
  std::vector<edit> edits;
  while (!in.empty()) {
    edit e{in.byte(), 0, 0};
    e.offset = static_cast<std::uint16_t>(in.byte() | (in.byte() << 8));
    e.value = in.byte();
    if (e.value != 0) edits.push_back(e);
  }
  fuzz::crypto_t rsp_crypto;
  fuzz::device_t device;
  fuzz::provision(device, rsp_crypto, (mode >> 2) & 0x0F);
  fuzz::responder_t rsp{rsp_crypto, device};
  std::array<std::byte, fuzz::rsp_config::max_message_size> buf{};
  std::vector<bool> mutated(256, false);
  run_all(
      req,
      [&](bytes_view q, std::size_t index) -> bytes_view {
        auto r = rsp.handle(q, buf);
        if (!r) fuzz::fail();
        const std::vector<std::byte> genuine(r->begin(), r->end());
        for (const auto& e : edits)
          if (e.exchange == index && e.offset < r->size()) (*r)[e.offset] ^= std::byte{e.value};
        // Edits may cancel out (the same xor twice): what counts is whether the bytes changed.
        if (index < mutated.size()) mutated[index] = !std::equal(genuine.begin(), genuine.end(), r->begin());
        return *r;
      },
      bad, exchanges, mutated);
  if (bad) fuzz::fail();
  return 0;
}
