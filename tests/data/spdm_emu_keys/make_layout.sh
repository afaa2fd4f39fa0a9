#!/bin/sh
# Builds the spdm-emu key-directory layout (shared/interop/README.md: one directory per
# algorithm with ca.cert.der, bundle_responder.certchain.der, end_responder.key and the
# requester counterparts) from the test PKIs already in tests/data (spdm_engines/ for the
# responder, spdm_session/req_* for the requester). TEST KEYS ONLY: the private keys are
# published here and must never protect anything.
#
# The requester chain has its own root, so it is also given as ca1.cert.der: pmci's tools trust
# ca.cert.der and ca1.cert.der (spdm-emu's own key directory uses one root for both).
# Run from this directory: sh make_layout.sh
set -e
here=$(cd "$(dirname "$0")" && pwd)
data=$here/..
for c in ecp256 ecp384; do
  d=$here/$c
  mkdir -p "$d"
  cp "$data/spdm_engines/$c/ca.cert.der" "$d/ca.cert.der"
  cp "$data/spdm_engines/$c/chain.der" "$d/bundle_responder.certchain.der"
  cp "$data/spdm_engines/$c/leaf.key.pem" "$d/end_responder.key"
  cp "$data/spdm_session/req_$c/ca.cert.der" "$d/ca1.cert.der"
  cp "$data/spdm_session/req_$c/chain.der" "$d/bundle_requester.certchain.der"
  cp "$data/spdm_session/req_$c/leaf.key.pem" "$d/end_requester.key"
done
