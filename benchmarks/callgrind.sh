#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Instruction count of a host program under callgrind, optionally excluding the cost of some
# functions (e.g. the crypto policy, so that "CPU cost of a full attestation + session flow
# excluding crypto" measures pmci alone; issue 9).
#
#   benchmarks/callgrind.sh [--exclude REGEX] [--top N] [--keep FILE] -- program [args...]
#
# Prints total instructions (Ir), the inclusive Ir of every function whose name matches REGEX
# (an awk extended regular expression, on demangled names), and total minus that. REGEX must match the policy's *entry
# points* (the functions pmci calls, e.g. 'pmci::crypto::openssl::') and not functions they call
# each other through, or nested costs are subtracted twice. The script cannot see the call tree;
# it only fails when the excluded sum exceeds the total, the sure sign of such double counting.
# Needs valgrind (callgrind_annotate is part of it); not installed on CI machines.
set -euo pipefail
exclude=""
top=15
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --exclude) exclude=$2; shift 2 ;;
    --top) top=$2; shift 2 ;;
    --keep) keep=$2; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
[ $# -ge 1 ] || { echo "usage: callgrind.sh [--exclude REGEX] [--top N] -- program [args...]" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed" >&2; exit 2; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/callgrind.out
valgrind --tool=callgrind --callgrind-out-file="$out" --dump-instr=no --compress-strings=no \
  "$@" > "$tmp/stdout" 2> "$tmp/valgrind.log" || { cat "$tmp/valgrind.log" >&2; exit 1; }
[ -n "$keep" ] && cp "$out" "$keep"

# The "totals:" (or "summary:") line of the output file holds the program's Ir.
total=$(awk '/^(totals|summary):/ { print $2; exit }' "$out")
callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$out" 2>/dev/null > "$tmp/annotate"
# After the "file:function" heading: "  1,234 (12.3%)  file:function [object]". Callgrind splits a
# function by source file (inlined header code), so one function may have several lines; their
# costs are disjoint and add up.
awk '/file:function/ { body = 1; next }
     body && /^ *[0-9][0-9,]* / && $0 ~ /:/ {
       ir = $1; gsub(/,/, "", ir)
       line = $0; sub(/^ *[0-9,]+ +(\([^)]*\) +)?/, "", line); sub(/ \[[^]]*\]$/, "", line)
       sub(/^[^:]*:/, "", line)
       print ir "\t" line
     }' "$tmp/annotate" > "$tmp/functions"

echo "program: $*"
printf 'total instructions (Ir):        %15s\n' "$total"
if [ -n "$exclude" ]; then
  excluded=$(awk -F '\t' -v re="$exclude" '$2 ~ re { s += $1 } END { printf "%d", s }' "$tmp/functions")
  printf 'excluded (inclusive, /%s/): %15s\n' "$exclude" "$excluded"
  printf 'total minus excluded:           %15s\n' "$((total - excluded))"
  if [ "$excluded" -gt "$total" ]; then
    echo "callgrind.sh: excluded > total: the pattern matches functions that call each other" >&2
    exit 1
  fi
fi
echo
echo "top $top functions by inclusive Ir:"
sort -t "$(printf '\t')" -k1,1nr "$tmp/functions" | head -n "$top" | awk -F '\t' '{ printf "%15s  %s\n", $1, $2 }'
