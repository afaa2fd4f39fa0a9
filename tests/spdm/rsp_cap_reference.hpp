// SPDX-License-Identifier: Apache-2.0
// The compare chain pmci::spdm::validate(rsp_cap, version) was before its rules became a table
// (capabilities.hpp detail::rsp_cap_rules, issue 9 footprint), kept unchanged as the reference
// that tests/spdm/cap_rules_test.cpp and the spdm_decode fuzzer hold the table to.
#pragma once
#include "pmci/spdm/capabilities.hpp"

namespace pmci::spdm::reference {

constexpr result<void> reference_validate(rsp_cap f, version v) noexcept {
  const auto on = [f](rsp_cap b) { return has(f, b); };
  const auto meas = f & rsp_cap::meas_mask, psk = f & rsp_cap::psk_mask;
  const auto ep = f & rsp_cap::ep_info_mask, mk = f & rsp_cap::multi_key_mask;
  const bool meas_sig = meas == rsp_cap::meas_sig;
  const bool ep_sig = v >= version::v1_3 && ep == rsp_cap::ep_info_sig;
  bool good = meas != rsp_cap::meas_mask && (meas != rsp_cap::none || !on(rsp_cap::meas_fresh));
  if (v == version::v1_0) {
    // Unsigned or no measurements: CERT_CAP == CHAL_CAP; signed measurements need CERT_CAP.
    good = good && (meas_sig ? on(rsp_cap::cert) : on(rsp_cap::cert) == on(rsp_cap::chal));
    return good ? result<void>{} : errc::invalid_field;
  }
  const bool key_ex = on(rsp_cap::key_ex), any_psk = psk != rsp_cap::none;
  const bool cert_or_key = on(rsp_cap::cert) || on(rsp_cap::pub_key_id);
  good = good && psk != rsp_cap::psk_mask;
  if (key_ex || any_psk)
    good = good && (on(rsp_cap::mac) || on(rsp_cap::encrypt));
  else
    good = good && !any(f, rsp_cap::mac | rsp_cap::encrypt | rsp_cap::handshake_in_the_clear | rsp_cap::hbeat |
                               rsp_cap::key_upd) && !(v >= version::v1_3 && on(rsp_cap::event));
  if (!key_ex && any_psk) good = good && !on(rsp_cap::handshake_in_the_clear);
  if (cert_or_key)
    good = good && !(on(rsp_cap::cert) && on(rsp_cap::pub_key_id)) && (on(rsp_cap::chal) || key_ex || meas_sig || ep_sig);
  else
    good = good && !on(rsp_cap::chal) && !key_ex && !meas_sig && !on(rsp_cap::mut_auth) && !ep_sig;
  if (on(rsp_cap::mut_auth)) good = good && (key_ex || on(rsp_cap::chal));
  if (v == version::v1_1) good = good && (!on(rsp_cap::mut_auth) || on(rsp_cap::encap));
  if (v >= version::v1_2) {
    good = good && (on(rsp_cap::cert) || !any(f, rsp_cap::alias_cert | rsp_cap::set_cert)) &&
           (!on(rsp_cap::csr) || on(rsp_cap::set_cert)) &&
           (!on(rsp_cap::cert_install_reset) || any(f, rsp_cap::csr | rsp_cap::set_cert));
  }
  if (v >= version::v1_3) {
    good = good && ep != rsp_cap::ep_info_mask && mk != rsp_cap::multi_key_mask &&
           (mk == rsp_cap::none || (on(rsp_cap::get_key_pair_info) && on(rsp_cap::cert))) &&
           !(on(rsp_cap::pub_key_id) &&
             (mk != rsp_cap::none || any(f, rsp_cap::get_key_pair_info | rsp_cap::set_key_pair_info)));
  }
  return good ? result<void>{} : errc::invalid_field;
}

}  // namespace pmci::spdm::reference
