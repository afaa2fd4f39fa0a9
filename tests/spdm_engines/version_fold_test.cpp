// SPDX-License-Identifier: Apache-2.0
// A responder whose Config::versions leaves out SPDM 1.0 / 1.1 folds its version checks at
// compile time (responder.hpp ver(), at_least(), by_version()). It must answer exactly as a
// responder that offers every version and is narrowed to the same ones at run time
// (Config::runtime_limits, where every check stays a run-time comparison): the same bytes for
// the same requests, valid or mutated, at 1.2 and 1.3, including requests that carry 1.0 / 1.1
// version bytes. A single-version configuration (every version-dependent value a constant) is
// held to the same reference.
//
// The responder clears only the reserved fields it reads (request_frame.hpp reserved::read): the
// last test sends the same requests to two identical responders, one with random values in the
// other reserved fields, and expects the same answers (up to the signatures, which cover the
// requests as received).
#include <memory>
#include <random>
#include <vector>

#include "pmci/spdm/message.hpp"
#include "pmci/spdm/request_frame.hpp"
#include "spdm_engines/harness.hpp"
#include "spdm_engines/raw_bytes.hpp"
#include "support/catch.hpp"

using namespace pmci;
using namespace pmci::spdm;
using pmci::test::test_crypto;

namespace {

using bytes = std::vector<std::byte>;

struct folded_12_13 : responder_defaults {
  static constexpr version_set versions{version::v1_2, version::v1_3};
};
struct folded_13 : responder_defaults {
  static constexpr version_set versions{version::v1_3};
};
struct folded_12 : responder_defaults {
  static constexpr version_set versions{version::v1_2};
};
/// The firmware's attestation responder (examples/firmware): one algorithm of each kind, so the
/// negotiated sizes and crypto identifiers are constants too (responder.hpp one_hash, one_asym).
struct folded_attest : responder_defaults {
  static constexpr version_set versions{version::v1_2, version::v1_3};
  static constexpr std::array hash_algs{base_hash::sha384};
  static constexpr std::array asym_algs{base_asym::ecdsa_p384};
  static constexpr std::array measurement_hash_algs{meas_hash::sha384};
};
struct narrowed_at_run_time : responder_defaults {
  static constexpr bool runtime_limits = true;
};

using pmci::test::encode_msg;

/// Valid requests of every kind this responder serves, at version v.
std::vector<bytes> valid_requests(version v) {
  negotiated n;
  n.ver = v;
  std::vector<bytes> out;
  out.push_back({std::byte{0x10}, std::byte{0x84}, std::byte{0}, std::byte{0}});
  get_capabilities g;
  g.ver = v;
  g.data_transfer_size = g.max_spdm_msg_size = 4096;
  out.push_back(encode_msg(g, {}));
  negotiate_algorithms na;
  na.hash = base_hash::sha384 | base_hash::sha256;
  na.asym = base_asym::ecdsa_p384 | base_asym::ecdsa_p256;
  na.other_params_support = v >= version::v1_2 ? opaque_data_fmt1 : 0;
  na.measurement_spec = meas_spec::dmtf;
  out.push_back(encode_msg(na, n));
  out.push_back(encode_msg(get_digests{}, n));
  out.push_back(encode_msg(get_certificate{0, false, 0, 0x40}, n));
  if (v >= version::v1_3) out.push_back(encode_msg(get_certificate{0, true, 0, 0}, n));  // SlotSizeRequested
  std::array<std::byte, 32> nonce{};
  std::array<std::byte, 8> context{};
  for (std::size_t i = 0; i < nonce.size(); ++i) nonce[i] = std::byte{static_cast<std::uint8_t>(i)};
  challenge ch;
  ch.nonce = nonce;
  ch.summary = summary_hash_type::all;
  if (v >= version::v1_3) ch.requester_context = context;
  out.push_back(encode_msg(ch, n));
  get_measurements gm;
  gm.operation = meas_op_all;
  if (v >= version::v1_3) gm.requester_context = context;
  out.push_back(encode_msg(gm, n));
  get_measurements gc = gm;
  gc.operation = meas_op_count;
  out.push_back(encode_msg(gc, n));
  get_measurements gs = gm;
  gs.attributes = meas_attr_signature;
  gs.nonce = nonce;
  out.push_back(encode_msg(gs, n));
  out.push_back(encode_msg(respond_if_ready{}, n));
  return out;
}

/// A random mutation: sometimes none, else a length change and / or a few bytes changed (the
/// version byte too, to 1.0-1.4; raw_bytes.hpp).
bytes mutate(const bytes& valid, std::mt19937& rng) { return pmci::test::mutate_request(valid, rng, true); }

template <class Folded>
void same_answers(version_set offered, std::uint32_t seed, bool one_alg = false) {
  auto ref = std::make_unique<pmci::test::engine_pair<narrowed_at_run_time, pmci::test::req_cfg, test_crypto>>();
  auto folded = std::make_unique<pmci::test::engine_pair<Folded, pmci::test::req_cfg, test_crypto>>();
  offer_limits l;
  l.versions = offered;
  if (one_alg) {
    l.hash = raw(base_hash::sha384);
    l.asym = raw(base_asym::ecdsa_p384);
    l.meas_hash = raw(meas_hash::sha384);
  }
  REQUIRE(ref->rsp.set_limits(l));
  std::array<std::byte, 4096> a{}, b{};
  std::mt19937 rng(seed);
  std::array<int, 256> seen{};  // response codes, so that the comparison is known to reach them
  const auto send = [&](const bytes& q, int round) {
    const auto ra = ref->rsp.handle(q, a);
    const auto rb = folded->rsp.handle(q, b);
    REQUIRE(ra);
    REQUIRE(rb);
    INFO("round " << round << " request code " << std::hex << int(std::to_integer<std::uint8_t>(q[1])) << " version "
                  << int(std::to_integer<std::uint8_t>(q[0])));
    REQUIRE(bytes(ra->begin(), ra->end()) == bytes(rb->begin(), rb->end()));
    CHECK(ref->rsp.state() == folded->rsp.state());
    ++seen[std::to_integer<std::uint8_t>((*rb)[1])];
  };
  int round = 0;
  for (const version v : {version::v1_2, version::v1_3}) {
    if (!offered.contains(v)) continue;
    const std::vector<bytes> valid = valid_requests(v);
    for (int i = 0; i < 3000; ++i, ++round) {
      // Every few rounds a clean VCA, so that the later requests meet a negotiated connection.
      if (i % 40 == 0)
        for (std::size_t k = 0; k < 3; ++k) send(valid[k], round);
      const bytes& base = valid[rng() % valid.size()];
      if (base.size() < 4) continue;
      send(mutate(base, rng), round);
    }
  }
  // DIGESTS, CERTIFICATE, CHALLENGE_AUTH, MEASUREMENTS and ERROR were all compared.
  for (const std::size_t c : {0x01u, 0x02u, 0x03u, 0x60u, 0x7Fu}) CHECK(seen[c] > 20);
}

}  // namespace

TEST_CASE("a responder configured for SPDM 1.2/1.3 answers as one narrowed to them at run time",
          "[spdm][responder][versions]") {
  same_answers<folded_12_13>(version_set{version::v1_2, version::v1_3}, 1202);
}

TEST_CASE("single-version responders (every version check a constant) answer as the narrowed one",
          "[spdm][responder][versions]") {
  same_answers<folded_13>(version_set{version::v1_3}, 13);
  same_answers<folded_12>(version_set{version::v1_2}, 12);
}

TEST_CASE("the firmware's configuration (1.2/1.3, one algorithm each) answers as the narrowed one",
          "[spdm][responder][versions]") {
  same_answers<folded_attest>(version_set{version::v1_2, version::v1_3}, 384, true);
}

TEST_CASE("reserved fields the responder does not clear do not change its answers", "[spdm][responder][reserved]") {
  std::mt19937 rng(4242);
  for (const version v : {version::v1_0, version::v1_1, version::v1_2, version::v1_3}) {
    using pair_t = pmci::test::engine_pair<responder_defaults, pmci::test::req_cfg, test_crypto>;
    auto clean = std::make_unique<pair_t>();
    auto dirty = std::make_unique<pair_t>();
    std::array<std::byte, 4096> a{}, b{};
    const std::vector<bytes> valid = valid_requests(v);
    int dirtied = 0;
    for (int round = 0; round < 600; ++round) {
      const bytes& q = valid[round < 3 ? static_cast<std::size_t>(round) : rng() % valid.size()];
      bytes d = q;
      const unsigned minor = minor_of(v) & 3;
      for (const auto& r : pmci::spdm::detail::unread_reserved_rules) {
        if (std::to_integer<std::uint8_t>(d[1]) != r.code) continue;
        for (std::size_t i = r.offset; i < std::size_t{r.offset} + r.count && i < d.size(); ++i) {
          const auto keep = r.keep[minor];
          d[i] = std::byte{static_cast<std::uint8_t>((std::to_integer<std::uint8_t>(d[i]) & keep) |
                                                     (static_cast<std::uint8_t>(rng()) & ~keep))};
        }
      }
      dirtied += d != q;
      const auto ra = clean->rsp.handle(q, a);
      const auto rb = dirty->rsp.handle(d, b);
      REQUIRE(ra);
      REQUIRE(rb);
      INFO("version " << std::hex << int(to_byte(v)) << " request code " << int(std::to_integer<std::uint8_t>(q[1])));
      // The transcripts hash requests as received (DSP0274: reserved fields "used in transcript
      // hash calculations as is"), so the signatures differ once a reserved byte did; everything
      // before them must not.
      REQUIRE(ra->size() == rb->size());
      const auto c = std::to_integer<std::uint8_t>((*ra)[1]);
      const std::size_t signature = (c == 0x03 || c == 0x60) && ra->size() > 4 + 96 ? 96 : 0;
      REQUIRE(bytes(ra->begin(), ra->end() - static_cast<std::ptrdiff_t>(signature)) ==
              bytes(rb->begin(), rb->end() - static_cast<std::ptrdiff_t>(signature)));
    }
    CHECK(dirtied > 100);
  }
}
