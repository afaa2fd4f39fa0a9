// SPDX-License-Identifier: Apache-2.0
// pmci-dump's whole pipeline on arbitrary bytes: pcap reader, reassembly, direction guess, the
// decode context (capture_context.hpp), -v through the dispatcher and every fmt formatter, and
// the session reconstruction with fixed secrets (transcripts, key schedule, record opening,
// key update, encapsulated flows). Never crashes, never reads out of bounds, always terminates.
//
// Input: one selector byte, then the pcap file. The selector picks the secrets: those of the
// reference captures spdm11_p256_sha256_aes256gcm (two DHE sessions), ..._mutauth (two P-384
// DHE sessions) or spdm12_psk (the PSK), so that mutations of those captures reach decrypted
// records; any other capture exercises the "cannot decrypt" paths.
#include <cstddef>
#include <cstdint>

#if defined(PMCI_DUMP_FUZZ)
#include <string>

#include "dump.hpp"
#include "pmci/core/hex.hpp"

namespace {

std::vector<std::byte> hex(std::string_view s) {
  std::vector<std::byte> out(s.size() / 2);
  (void)pmci::parse_hex(s, out);
  return out;
}

const pmci_dump::session_secrets& secrets(std::uint8_t selector) {
  static const pmci_dump::session_secrets sets[3] = {
      {{hex("cef0f51e4a982c40550372cf500cdd0434082424f5a85dedbf7a8fb71589bfc9"),
        hex("461a21d06e1eb59c3e0004e0e7a4036822496b3effce8c30e0533abe738bdf82")},
       {}},
      {{hex("976b4ecd8accf2e0714edac1596b136c4e223a589564dd701e0fee938d3cff8ca6e54a10084ccfce68cb8f1f476bc509"),
        hex("5ac894116257cba06f8bd8041ec284c360083fd07482ccc9e15a416a67aa25d2bf1642ef76bacfb7da25064f3df2e493")},
       {}},
      {{}, {hex("5465737450736b4461746100")}},
  };
  return sets[selector % 3];
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  pmci_dump::options opt;
  opt.verbose = true;
  opt.hex = (data[0] & 0x80) != 0;
  opt.secrets = secrets(data[0]);
  const pmci::bytes_view file{reinterpret_cast<const std::byte*>(data + 1), size - 1};
  auto reader = pmci::transport::pcap::message_reader::open(file);
  if (!reader) return 0;
  pmci_dump::dumper dump{opt};
  pmci::transport::pcap::captured_message m;
  std::size_t count = 0, chars = 0;
  for (;;) {
    auto more = reader->next(m);
    if (!more || !*more) break;
    if (++count > size) __builtin_trap();
    chars += dump.message(m).size();
  }
  if (dump.decrypted() + dump.undecrypted() > count) __builtin_trap();
  return chars == static_cast<std::size_t>(-1) ? 1 : 0;
}

#else
// Built without fmt or OpenSSL (pmci-dump is not built either): nothing to fuzz.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t*, std::size_t) { return 0; }
#endif
