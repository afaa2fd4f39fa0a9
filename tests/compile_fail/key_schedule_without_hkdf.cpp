// SPDX-License-Identifier: Apache-2.0
// The SPDM key schedule on a policy that has AEAD but neither HKDF nor a hash.
// expect-error: spdm::session_key_schedule: the crypto policy needs HKDF
#include "pmci/spdm/session/key_schedule.hpp"

using namespace pmci;
using namespace pmci::crypto;

struct aead_engine {
  static constexpr aead_set aeads{aead_alg::aes256_gcm};
#if defined(PMCI_EXPECT_OK)
  result<void> hkdf_extract(hash_alg, bytes_view, bytes_view, bytes_span) { return ok(); }
  result<void> hkdf_expand(hash_alg, bytes_view, bytes_view, bytes_span) { return ok(); }
#endif
};

aead_engine engine;
pmci::spdm::session_key_schedule<aead_engine> schedule{engine, hash_alg::sha384, aead_alg::aes256_gcm, 0x12};
