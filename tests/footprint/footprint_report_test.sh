#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Host test of the footprint report (benchmarks/footprint): the link-map parser, the stack
# walker and the budget verdicts, on hand-written fixtures in data/ whose expected figures are
# worked out in the comments below. Runs the awk programs with every awk found (CI has mawk).
#   footprint_report_test.sh <repo root>
set -uo pipefail
root=${1:?repo root}
fp=$root/benchmarks/footprint
data=$(cd "$(dirname "$0")" && pwd)/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
check() {  # name expected actual
  if [ "$2" == "$3" ]; then echo "ok   $1"; else echo "FAIL $1"; echo "  expected: $2"; echo "  actual:   $3"; fails=$((fails + 1)); fi
}

awks=()
for a in awk mawk gawk nawk original-awk "busybox awk"; do
  if ${a} 'BEGIN { exit 0 }' >/dev/null 2>&1; then awks+=("$a"); fi
done

for AWK in "${awks[@]}"; do
  echo "--- $AWK"
  # map.awk. sample.map by owner/kind (bytes):
  #   pmci:   text 0x38 + 0x12 + 2 fill = 76; rodata 0x14 (a local static) = 20; data 4
  #   image:  text 0x100 + 8 = 264; rodata 0x10 (.rodata.str1.1) = 16; data 0x40 = 64;
  #           bss 0x100 + 0xc (COMMON) = 268
  #   board:  rodata 0x44 (vectors) = 68; text 0x70 = 112; data 1 + 3 fill = 4; bss 0x100 = 256
  #   crypto: text 0x30 = 48; bss 4.   libc: text 0xa4 = 164.
  # Not counted: the discarded section, .stack_reserve, .ARM.attributes, .debug_info, 0-size.
  got=$(${AWK} -f "$fp/map.awk" "$data/sample.map" |
        ${AWK} -F '\t' '{ s[$1 " " $2] += $3 } END { for (k in s) print k " " s[k] }' | LC_ALL=C sort | tr '\n' ';')
  check "map: sums by owner and kind" \
    "board bss 256;board data 4;board rodata 68;board text 112;crypto bss 4;crypto text 48;image bss 268;image data 64;image rodata 16;image text 264;libc text 164;pmci data 4;pmci rodata 20;pmci text 76;" \
    "$got"
  got=$(${AWK} -f "$fp/map.awk" "$data/sample.map" | ${AWK} -F '\t' '$4 ~ /flags_byte/ { print $1 "/" $2 "/" $3 }')
  check "map: const member function of pmci, long name on two lines" "pmci/text/18" "$got"

  # stack.awk from fw_bus_irq: fw_bus_irq 120 -> send 40 -> memset (objdump: push 4 regs = 16
  # + sub sp 16 = 32) -> __aeabi_helper (stmdb 6 regs = 24) = 216, deeper than
  # send -> fw::stub::sign (24, from b.ci) -> mix (8) = 192 and than reader::take (132).
  out=$(${AWK} -v entry=fw_bus_irq -f "$fp/stack.awk" "$data/a.ci" "$data/b.ci" "$data/lib.dis")
  check "stack: total and flags" "TOTAL 216 ok" "$(echo "$out" | head -1)"
  check "stack: deepest path" "120:120:su 40:160:su 32:192:objdump 24:216:objdump" \
    "$(echo "$out" | ${AWK} -F '\t' 'NR > 1 { printf "%s%s:%s:%s", (NR > 2 ? " " : ""), $1, $2, $3 }')"
  check "stack: recursion is flagged" "TOTAL 8 recursion" \
    "$(${AWK} -v entry=_Z3recv -f "$fp/stack.awk" "$data/a.ci" "$data/lib.dis" | head -1)"
  check "stack: indirect call is flagged" "TOTAL 16 indirect" \
    "$(${AWK} -v entry=_Z3indv -f "$fp/stack.awk" "$data/a.ci" "$data/lib.dis" | head -1)"
  check "stack: unbounded dynamic frame is flagged" "TOTAL 32 dynamic" \
    "$(${AWK} -v entry=_Z3dynv -f "$fp/stack.awk" "$data/a.ci" "$data/lib.dis" | head -1)"
  # calls: 4 + max(missing: unknown 0, bnd: 48 dynamic,bounded = a bound) = 52, flagged unknown.
  out=$(${AWK} -v entry=_Z5callsv -f "$fp/stack.awk" "$data/a.ci" "$data/lib.dis")
  check "stack: bounded dynamic frame counts, unknown callee is flagged" "TOTAL 52 unknown" "$(echo "$out" | head -1)"
  check "stack: unknown callee is named" "UNKNOWN _Z7missingv" "$(echo "$out" | grep '^UNKNOWN')"
done

# footprint.sh verdicts (awk = the default one). sample.map gives pmci + image:
# flash = (76 + 264) + (20 + 16) + (4 + 64) = 444, RAM = 68 + 268 = 336; stack 216.
printf '#!/bin/sh\ncat "%s"\n' "$data/lib.dis" > "$tmp/objdump"
chmod +x "$tmp/objdump"
touch "$tmp/img.elf"
row() {  # name flash ram stack ceil_flash ceil_ram ceil_stack
  printf '%s\t%s\t%s\tfw_bus_irq\t%s\t%s\t%s\t%s\t%s\t%s\t-\t%s|%s\n' "$1" "$tmp/img.elf" "$data/sample.map" \
    "$2" "$3" "$4" "$5" "$6" "$7" "$data/a.ci" "$data/b.ci"
}
{ row within 444 336 216 0 0 0; row ceiling 400 336 216 450 0 0; } > "$tmp/pass.tsv"
"$fp/footprint.sh" --check --objdump "$tmp/objdump" --cxxfilt cat --tsv "$tmp/pass.tsv.out" "$tmp/pass.tsv" > "$tmp/pass.md"
check "report: within budget and within ceiling pass --check" "0" "$?"
check "report: tsv figures" "within 444 336 216 ok|ceiling 444 336 216 over budget|" \
  "$(awk -F '\t' 'NR > 1 { printf "%s %s %s %s %s|", $1, $6, $7, $8, $13 }' "$tmp/pass.tsv.out")"
check "report: summary row" "| within | 340 | 36 | 68 | 268 | **444** | 444 | **336** | 336 | 216 | 216 | ok |" \
  "$(grep '^| within |' "$tmp/pass.md" | head -1)"
{ row over 400 336 216 0 0 0; } > "$tmp/fail.tsv"
"$fp/footprint.sh" --check --objdump "$tmp/objdump" --cxxfilt cat "$tmp/fail.tsv" > "$tmp/fail.md" 2>/dev/null
check "report: over an enforced budget fails --check" "1" "$?"
"$fp/footprint.sh" --objdump "$tmp/objdump" --cxxfilt cat "$tmp/fail.tsv" > /dev/null 2>&1
check "report: without --check it only reports" "0" "$?"
{ row stack 0 0 200 0 0 0; } > "$tmp/stack.tsv"
"$fp/footprint.sh" --check --objdump "$tmp/objdump" --cxxfilt cat "$tmp/stack.tsv" > "$tmp/stack.md" 2>/dev/null
check "report: stack over budget fails --check" "1" "$?"
check "report: verdict names the excess" "yes" \
  "$(grep -q 'OVER: stack +16 B over budget' "$tmp/stack.md" && echo yes || echo no)"

echo
[ "$fails" -eq 0 ] && echo "all footprint report checks passed (awks: ${awks[*]})" && exit 0
echo "$fails check(s) failed"
exit 1
