#!/bin/bash
# Requester identities for the mutual-authentication session tests: per curve a root, an
# intermediate and a requester leaf with the DMTF requester-auth EKU (1.3.6.1.4.1.412.274.4,
# x509.hpp check_spdm_leaf). Test keys only; regenerate with `bash gen.sh` from this directory.
set -e
bash ../gen_chain.sh req_ecp 1.3.6.1.4.1.412.274.4 requester "requester "
# The tests read the chain (chain.der) and the root; the intermediate is only inside chain.der.
rm -f req_ecp256/inter.cert.der req_ecp384/inter.cert.der
