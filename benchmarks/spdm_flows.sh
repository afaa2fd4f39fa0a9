#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Instructions per SPDM flow, crypto excluded (issue 9): runs pmci_bench_spdm_flows under
# callgrind (benchmarks/callgrind.sh) with N = 1 and N = 1 + ROUNDS flows and prints the
# difference divided by ROUNDS, so that process start-up and the test PKI's loading cancel out.
# The crypto policy is bench::null_crypto (no math); what is left of it (filling outputs with
# zeros, the AEAD payload copy) is subtracted too (--exclude), so the figure is pmci's own code:
# codecs, engines, transcripts, key schedule bookkeeping, secured-record framing, the loopback.
#
#   benchmarks/spdm_flows.sh [--rounds N] path/to/pmci_bench_spdm_flows
#
# Needs valgrind; without it (CI machines) it says so and exits 0.
set -euo pipefail
rounds=10
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || { echo "usage: spdm_flows.sh [--rounds N] path/to/pmci_bench_spdm_flows" >&2; exit 2; }
prog=$1
if ! command -v valgrind >/dev/null; then
  echo "spdm_flows.sh: valgrind is not installed; skipped"
  exit 0
fi
here=$(cd "$(dirname "$0")" && pwd)
# Anchored: only the policy's own members. Unanchored, the pattern also matched pmci functions
# whose parameter types name the policy (spdm::sign<..>(.., bench::null_crypto::sign_key const&,
# ..), the requester's verify_signature(bench::null_crypto::hash_state const&, ..)), and their
# inclusive cost (the signing prefix, the transcript fork) was subtracted as if it were crypto.
exclude='^bench::null_crypto::'

# "total instructions" and "total minus excluded" of one run.
measure() {
  "$here/callgrind.sh" --exclude "$exclude" --top 0 -- "$prog" "$1" "$2" |
    awk '/^total instructions/ { t = $NF } /^total minus excluded/ { m = $NF } END { print t, m }'
}

echo "| flow | instructions per flow | of which pmci (crypto policy excluded) |"
echo "|---|---:|---:|"
for flow in attest session; do
  read -r t1 m1 < <(measure "$flow" 1)
  read -r t2 m2 < <(measure "$flow" $((1 + rounds)))
  printf '| %s | %d | %d |\n' "$flow" $(((t2 - t1) / rounds)) $(((m2 - m1) / rounds))
done
