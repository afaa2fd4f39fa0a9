#!/bin/bash
# Responder identities for the engine tests (and the demo's keys): per curve a root, an
# intermediate and a responder leaf with the DMTF responder-auth EKU. Regenerate with
# `bash gen.sh` from this directory (OpenSSL 3; python3-cryptography for the raw keys).
set -e
bash ../gen_chain.sh ecp 1.3.6.1.4.1.412.274.3 responder
# leaf.key.bin: the raw private scalar, big-endian, for crypto policies that import raw keys.
for c in 256 384; do python3 -c "from cryptography.hazmat.primitives.serialization import load_pem_private_key as l; k=l(open(\"ecp$c/leaf.key.pem\",\"rb\").read(),None); open(\"ecp$c/leaf.key.bin\",\"wb\").write(k.private_numbers().private_value.to_bytes($c//8,\"big\"))"; done
