// SPDX-License-Identifier: Apache-2.0
// Shared by pmci-spdm-responder and pmci-spdm-requester (host tools: std::string, fmt, files):
// the spdm-emu option vocabulary (shared/interop/README.md), the key-directory layout, the
// engine configurations with run-time narrowing (config.hpp offer_limits), and the pcap tap.
#pragma once
#include <fmt/format.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "pmci/crypto/openssl.hpp"
#include "pmci/spdm/config.hpp"
#include "pmci/spdm/session/handshake.hpp"
#include "pmci/spdm/types.hpp"
#include "pmci/transport/pcap.hpp"
#include "pmci/transport/spdm_emu_frame.hpp"

namespace pmci::emu {

using bytes = std::vector<std::byte>;
using policy = crypto::openssl;

// ---- names (spdm-emu spellings) ---------------------------------------------------------------

template <class E>
struct named {
  const char* name;
  E value;
};

inline constexpr std::array<named<spdm::version>, 4> version_names{{
    {"1.0", spdm::version::v1_0}, {"1.1", spdm::version::v1_1}, {"1.2", spdm::version::v1_2}, {"1.3", spdm::version::v1_3}}};
inline constexpr std::array<named<spdm::base_hash>, 3> hash_names{{
    {"SHA_256", spdm::base_hash::sha256}, {"SHA_384", spdm::base_hash::sha384}, {"SHA_512", spdm::base_hash::sha512}}};
inline constexpr std::array<named<spdm::meas_hash>, 3> meas_hash_names{{
    {"SHA_256", spdm::meas_hash::sha256}, {"SHA_384", spdm::meas_hash::sha384}, {"SHA_512", spdm::meas_hash::sha512}}};
inline constexpr std::array<named<spdm::base_asym>, 2> asym_names{{
    {"ECDSA_P256", spdm::base_asym::ecdsa_p256}, {"ECDSA_P384", spdm::base_asym::ecdsa_p384}}};
inline constexpr std::array<named<spdm::dhe_group>, 2> dhe_names{{
    {"SECP_256_R1", spdm::dhe_group::secp256r1}, {"SECP_384_R1", spdm::dhe_group::secp384r1}}};
inline constexpr std::array<named<spdm::aead_suite>, 3> aead_names{{{"AES_128_GCM", spdm::aead_suite::aes_128_gcm},
                                                                     {"AES_256_GCM", spdm::aead_suite::aes_256_gcm},
                                                                     {"CHACHA20_POLY1305", spdm::aead_suite::chacha20_poly1305}}};

template <class E, std::size_t N>
std::string name_of(const std::array<named<E>, N>& table, E v) {
  for (const auto& n : table)
    if (n.value == v) return n.name;
  if (spdm::raw(v) == 0) return "none";
  return fmt::format("0x{:x}", static_cast<std::uint64_t>(spdm::raw(v)));
}

/// Split "A,B,C" at commas.
inline std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    const std::size_t comma = s.find(',', start);
    const std::size_t end = comma == std::string_view::npos ? s.size() : comma;
    if (end > start) out.emplace_back(s.substr(start, end - start));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

/// Parse a comma list of names into a mask of wire bits. Names the table does not have are
/// reported (spdm-emu knows more algorithms than pmci's OpenSSL policy is configured with).
template <class E, std::size_t N>
std::optional<std::uint32_t> parse_mask(const std::array<named<E>, N>& table, std::string_view list, const char* option,
                                        std::string& error) {
  std::uint32_t m = 0;
  for (const auto& item : split(list)) {
    bool found = false;
    for (const auto& n : table)
      if (item == n.name) {
        m |= static_cast<std::uint32_t>(spdm::raw(n.value));
        found = true;
      }
    if (!found) {
      std::string known;
      for (const auto& n : table) known += fmt::format(" {}", n.name);
      error = fmt::format("{} {}: not supported by pmci's tools (supported:{})", option, item, known);
      return std::nullopt;
    }
  }
  if (m == 0) {
    error = fmt::format("{}: empty list", option);
    return std::nullopt;
  }
  return m;
}

inline std::optional<spdm::version_set> parse_versions(std::string_view list, std::string& error) {
  spdm::version_set vs{};
  for (const auto& item : split(list)) {
    bool found = false;
    for (const auto& n : version_names)
      if (item == n.name) {
        vs.insert(n.value);
        found = true;
      }
    if (!found) {
      error = fmt::format("--ver {}: expected 1.0, 1.1, 1.2 or 1.3", item);
      return std::nullopt;
    }
  }
  if (vs.empty()) {
    error = "--ver: empty list";
    return std::nullopt;
  }
  return vs;
}

inline std::string version_string(spdm::version v) {
  return fmt::format("{}.{}", spdm::to_byte(v) >> 4, spdm::to_byte(v) & 0xF);
}

// ---- hex / files ------------------------------------------------------------------------------

inline std::optional<bytes> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  bytes out(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) out[i] = static_cast<std::byte>(raw[i]);
  return out;
}

inline std::optional<bytes> parse_hex(std::string_view s) {
  if (s.size() % 2 != 0) return std::nullopt;
  bytes out;
  const auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size(); i += 2) {
    const int hi = nib(s[i]), lo = nib(s[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::byte>(hi * 16 + lo));
  }
  return out;
}

inline std::string hex(bytes_view v, std::size_t max = 64) {
  std::string s;
  for (std::size_t i = 0; i < v.size() && i < max; ++i) s += fmt::format("{:02x}", std::to_integer<unsigned>(v[i]));
  if (v.size() > max) s += "...";
  return s;
}

/// "TestPskData\0" / "TestPskHint\0": the reference programs' PSK and hint (NUL included).
inline bytes default_psk() {
  constexpr char s[] = "TestPskData";
  return bytes(reinterpret_cast<const std::byte*>(s), reinterpret_cast<const std::byte*>(s) + sizeof s);
}
inline bytes default_psk_hint() {
  constexpr char s[] = "TestPskHint";
  return bytes(reinterpret_cast<const std::byte*>(s), reinterpret_cast<const std::byte*>(s) + sizeof s);
}

/// Directory name of an algorithm in the spdm-emu key layout.
inline const char* key_dir_name(spdm::base_asym a) {
  switch (a) {
    case spdm::base_asym::ecdsa_p256: return "ecp256";
    case spdm::base_asym::ecdsa_p384: return "ecp384";
    default: return "unknown";
  }
}

/// Split a concatenation of DER certificates (root first) into certificates.
inline std::vector<bytes_view> split_der(bytes_view chain) {
  std::vector<bytes_view> out;
  std::size_t pos = 0;
  while (pos + 2 <= chain.size()) {
    const auto tag = std::to_integer<unsigned>(chain[pos]);
    if (tag != 0x30) break;
    std::size_t len = std::to_integer<unsigned>(chain[pos + 1]);
    std::size_t hdr = 2;
    if (len & 0x80) {
      const std::size_t n = len & 0x7F;
      if (n == 0 || n > 3 || pos + 2 + n > chain.size()) break;
      len = 0;
      for (std::size_t i = 0; i < n; ++i) len = (len << 8) | std::to_integer<unsigned>(chain[pos + 2 + i]);
      hdr += n;
    }
    if (pos + hdr + len > chain.size()) break;
    out.push_back(chain.subspan(pos, hdr + len));
    pos += hdr + len;
  }
  return out;
}

// ---- pcap -------------------------------------------------------------------------------------

/// Writes every MCTP message sent or received (whole messages behind spdm-emu's placeholder
/// header, LINKTYPE_MCTP: what the reference's --pcap writes; pmci-dump reads it).
struct pcap_log {
  std::optional<transport::pcap::writer> w;
  bool open(const std::string& path) {
    if (path.empty()) return true;
    auto r = transport::pcap::writer::create(path);
    if (!r) return false;
    w = std::move(*r);
    return true;
  }
  void log(bytes_view mctp_message) {
    if (w) {
      (void)w->write_message(mctp_message);
      (void)w->flush();
    }
  }
  void close() {
    if (w) (void)w->close();
    w.reset();
  }
};

// ---- configurations ---------------------------------------------------------------------------
//
// Versions and algorithms are template configuration in pmci. The tools instantiate ONE
// configuration per side that lists everything pmci's OpenSSL policy can do (in the reference's
// priority order) with runtime_limits = true, and narrow it from the command line with
// set_limits() (offer_limits: versions, algorithm masks, capability flags). No per-option
// instantiations.

struct responder_config : spdm::responder_defaults {
  static constexpr std::array hash_algs{spdm::base_hash::sha384, spdm::base_hash::sha256, spdm::base_hash::sha512};
  static constexpr std::array asym_algs{spdm::base_asym::ecdsa_p384, spdm::base_asym::ecdsa_p256};
  static constexpr std::array measurement_hash_algs{spdm::meas_hash::sha384, spdm::meas_hash::sha256,
                                                     spdm::meas_hash::sha512};
  static constexpr spdm::rsp_cap capabilities =
      spdm::rsp_cap::cert | spdm::rsp_cap::chal | spdm::rsp_cap::meas_sig | spdm::rsp_cap::meas_fresh |
      spdm::rsp_cap::encrypt | spdm::rsp_cap::mac | spdm::rsp_cap::mut_auth | spdm::rsp_cap::key_ex |
      spdm::rsp_cap::psk_with_context | spdm::rsp_cap::encap | spdm::rsp_cap::hbeat | spdm::rsp_cap::key_upd |
      spdm::rsp_cap::handshake_in_the_clear;
  static constexpr std::array dhe_groups{spdm::dhe_group::secp384r1, spdm::dhe_group::secp256r1};
  static constexpr std::array aead_suites{spdm::aead_suite::aes_256_gcm, spdm::aead_suite::chacha20_poly1305,
                                          spdm::aead_suite::aes_128_gcm};
  static constexpr std::array key_schedules{spdm::key_schedule::spdm};
  static constexpr std::array req_asym_algs{spdm::base_asym::ecdsa_p384, spdm::base_asym::ecdsa_p256};
  static constexpr std::size_t slot_count = 4;
  static constexpr bool session_layer = true;
  static constexpr bool runtime_limits = true;
};

struct requester_config : spdm::requester_defaults {
  static constexpr std::array hash_algs{spdm::base_hash::sha384, spdm::base_hash::sha256, spdm::base_hash::sha512};
  static constexpr std::array asym_algs{spdm::base_asym::ecdsa_p384, spdm::base_asym::ecdsa_p256};
  static constexpr spdm::req_cap capabilities =
      spdm::req_cap::cert | spdm::req_cap::encrypt | spdm::req_cap::mac | spdm::req_cap::mut_auth |
      spdm::req_cap::key_ex | spdm::req_cap::psk | spdm::req_cap::encap | spdm::req_cap::hbeat |
      spdm::req_cap::key_upd | spdm::req_cap::handshake_in_the_clear;
  static constexpr std::array dhe_groups{spdm::dhe_group::secp384r1, spdm::dhe_group::secp256r1};
  static constexpr std::array aead_suites{spdm::aead_suite::aes_256_gcm, spdm::aead_suite::chacha20_poly1305,
                                          spdm::aead_suite::aes_128_gcm};
  static constexpr std::array key_schedules{spdm::key_schedule::spdm};
  static constexpr std::array req_asym_algs{spdm::base_asym::ecdsa_p384, spdm::base_asym::ecdsa_p256};
  static constexpr std::size_t slot_count = 4;
  static constexpr std::size_t max_cert_chain_size = 8192;
  static constexpr bool session_layer = true;
  static constexpr bool runtime_limits = true;
};

template <bool Mutual>
struct session_config : spdm::session_defaults {
  static constexpr std::size_t max_sessions = 4;
  static constexpr std::uint8_t heartbeat_period = 10;
  static constexpr spdm::mut_auth_policy mut_auth = Mutual ? spdm::mut_auth_policy::encapsulated : spdm::mut_auth_policy::none;
  static constexpr std::size_t max_peer_cert_chain = 8192;
};

/// Capability names for --cap (the flags pmci implements; spdm-emu spellings).
struct cap_name {
  const char* name;
  std::uint32_t rsp;
  std::uint32_t req;
};
inline constexpr std::array<cap_name, 12> cap_names{{
    {"CERT", spdm::raw(spdm::rsp_cap::cert), spdm::raw(spdm::req_cap::cert)},
    {"CHAL", spdm::raw(spdm::rsp_cap::chal), 0},
    {"MEAS_SIG", spdm::raw(spdm::rsp_cap::meas_sig), 0},
    {"MEAS_FRESH", spdm::raw(spdm::rsp_cap::meas_fresh), 0},
    {"ENCRYPT", spdm::raw(spdm::rsp_cap::encrypt), spdm::raw(spdm::req_cap::encrypt)},
    {"MAC", spdm::raw(spdm::rsp_cap::mac), spdm::raw(spdm::req_cap::mac)},
    {"MUT_AUTH", spdm::raw(spdm::rsp_cap::mut_auth), spdm::raw(spdm::req_cap::mut_auth)},
    {"KEY_EX", spdm::raw(spdm::rsp_cap::key_ex), spdm::raw(spdm::req_cap::key_ex)},
    {"PSK", spdm::raw(spdm::rsp_cap::psk_with_context), spdm::raw(spdm::req_cap::psk)},
    {"ENCAP", spdm::raw(spdm::rsp_cap::encap), spdm::raw(spdm::req_cap::encap)},
    {"HBEAT", spdm::raw(spdm::rsp_cap::hbeat), spdm::raw(spdm::req_cap::hbeat)},
    {"KEY_UPD", spdm::raw(spdm::rsp_cap::key_upd), spdm::raw(spdm::req_cap::key_upd)},
}};
// HANDSHAKE_IN_THE_CLEAR_CAP (spdm-emu spells it HANDSHAKE_IN_CLEAR; both are accepted).
inline constexpr cap_name cap_clear{"HANDSHAKE_IN_CLEAR", spdm::raw(spdm::rsp_cap::handshake_in_the_clear),
                                    spdm::raw(spdm::req_cap::handshake_in_the_clear)};

/// --cap LIST -> mask for one side; names pmci does not implement are warned about and ignored.
inline std::uint32_t parse_caps(std::string_view list, bool responder_side) {
  std::uint32_t m = 0;
  for (const auto& item : split(list)) {
    std::string n = item;
    if (n.size() > 4 && n.ends_with("_CAP")) n.resize(n.size() - 4);
    if (n == "PSK_WITH_CONTEXT") n = "PSK";  // pmci's responder always offers PSK with context
    if (n == "HANDSHAKE_IN_THE_CLEAR") n = cap_clear.name;
    bool found = false;
    for (const auto& c : cap_names)
      if (n == c.name) {
        m |= responder_side ? c.rsp : c.req;
        found = true;
      }
    if (n == cap_clear.name) {
      m |= responder_side ? cap_clear.rsp : cap_clear.req;
      found = true;
    }
    if (n == "MEAS_NO_SIG") {
      // MEAS_CAP is a 2-bit field (01b no signature, 10b signed): narrowing can only drop bits.
      fmt::print(stderr, "note: --cap MEAS_NO_SIG: not available (the tools' responder signs measurements); "
                 "MEAS_SIG used\n");
      m |= responder_side ? spdm::raw(spdm::rsp_cap::meas_sig) : 0;
      found = true;
    }
    if (!found) fmt::print(stderr, "note: --cap {}: not implemented by pmci, ignored\n", item);
  }
  return m;
}

/// The options both programs take with the same meaning (spdm-emu's names, shared/interop).
struct common_options {
  transport::spdm_emu::transport_type trans = transport::spdm_emu::transport_type::mctp;
  std::string ip = "127.0.0.1";
  std::optional<std::uint16_t> port;
  spdm::offer_limits limits{};
  std::string key_dir;
  bytes psk = default_psk();
  bytes psk_hint = default_psk_hint();
  std::string pcap;
  std::string port_file;
  int timeout_ms = 30'000;
  bool verbose = false;
};

/// Take the value of option argv[i] (advancing i); false, with a message, when there is none.
inline bool take_value(const char* program, int& i, int argc, char** argv, std::string& value) {
  if (i + 1 >= argc) {
    fmt::print(stderr, "{}: {} needs a value\n", program, argv[i]);
    return false;
  }
  value = argv[++i];
  return true;
}

enum class option_result { unknown, taken, error };

/// Parse option `a` with value `v` if it is one of common_options'; `error` says why on failure.
inline option_result parse_common_option(std::string_view a, const std::string& v, common_options& o,
                                         std::string& error) {
  const auto mask = [&](const auto& names, auto& field) {
    auto m = parse_mask(names, v, std::string(a).c_str(), error);
    if (!m) return option_result::error;
    field = static_cast<std::remove_reference_t<decltype(field)>>(*m);
    return option_result::taken;
  };
  if (a == "--trans") {
    auto t = transport::spdm_emu::parse_transport_type(v);
    if (!t) {
      error = fmt::format("--trans {}: expected MCTP, NONE, PCI_DOE or TCP", v);
      return option_result::error;
    }
    o.trans = *t;
  } else if (a == "--ip") {
    o.ip = v;
  } else if (a == "--port") {
    o.port = static_cast<std::uint16_t>(std::stoul(v));
  } else if (a == "--ver") {
    auto vs = parse_versions(v, error);
    if (!vs) return option_result::error;
    o.limits.versions = *vs;
  } else if (a == "--hash") {
    return mask(hash_names, o.limits.hash);
  } else if (a == "--asym") {
    return mask(asym_names, o.limits.asym);
  } else if (a == "--req_asym") {
    return mask(asym_names, o.limits.req_asym);
  } else if (a == "--dhe") {
    return mask(dhe_names, o.limits.dhe);
  } else if (a == "--aead") {
    return mask(aead_names, o.limits.aead);
  } else if (a == "--key-dir") {
    o.key_dir = v;
  } else if (a == "--psk" || a == "--psk-hint") {
    auto b = parse_hex(v);
    if (!b) {
      error = fmt::format("{} {}: not hex", a, v);
      return option_result::error;
    }
    (a == "--psk" ? o.psk : o.psk_hint) = *b;
  } else if (a == "--pcap") {
    o.pcap = v;
  } else if (a == "--port-file") {
    o.port_file = v;
  } else if (a == "--timeout") {
    o.timeout_ms = std::stoi(v);
  } else {
    return option_result::unknown;
  }
  return option_result::taken;
}

}  // namespace pmci::emu
