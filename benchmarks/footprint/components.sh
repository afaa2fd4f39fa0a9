#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Code bytes per source file of a firmware image (docs/footprint.md "Where the bytes go"): the
# image is rebuilt with -g (same flags as the arm preset's MinSizeRel build), disassembled with
# line numbers, and every instruction is charged to the source file its line table names, so
# code inlined from a pmci header is charged to that header. Figures are those of the whole
# linked image (board, stub crypto and libc included, each under its own file).
#
#   benchmarks/footprint/components.sh <image> [arm-none-eabi-g++]     e.g. responder_attest
#
# Needs the arm toolchain; bash and POSIX awk only.
set -euo pipefail
img=$1
cxx=${2:-arm-none-eabi-g++}
objdump=${cxx%g++}objdump
root=$(cd "$(dirname "$0")/../.." && pwd)
fw=$root/examples/firmware
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
flags="-mcpu=cortex-m4 -mthumb -mfloat-abi=soft -ffunction-sections -fdata-sections -fno-exceptions -fno-rtti
  -fno-threadsafe-statics -Os -DNDEBUG -std=gnu++20 -g -I$fw -I$root/include"
for f in "$img" startup board stub_crypto; do
  # shellcheck disable=SC2086
  "$cxx" $flags -c "$fw/$f.cpp" -o "$tmp/$f.o"
done
"$cxx" -mcpu=cortex-m4 -mthumb -specs=nano.specs -specs=nosys.specs -Wl,--gc-sections -nostartfiles \
  -T"$fw/cortex_m4.ld" "$tmp/$img.o" "$tmp/startup.o" "$tmp/board.o" "$tmp/stub_crypto.o" -o "$tmp/$img.elf"
"$objdump" -d -l --no-show-raw-insn "$tmp/$img.elf" > "$tmp/$img.dis"
awk '
function hex(s,    i, c, v) { v = 0; s = tolower(s)
  for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)); v = v * 16 + c - 1 }
  return v }
function charge(n) { if (have && n > 0 && n <= 4) bytes[file] += n }
/^\/[^ ]*:[0-9]+/ {          # a line-table entry: /path/file.hpp:123 (discriminator ...)
  f = $1; sub(/:[0-9]+$/, "", f)
  sub(/.*\/include\/c\+\+\/[0-9.]+\//, "std/", f); sub(/.*\/include\/pmci\//, "pmci/", f)
  sub(/.*\/examples\/firmware\//, "examples/firmware/", f); sub(/.*\/newlib\//, "newlib/", f)
  cur = f; next }
/^[ ]*[0-9a-f]+:\t/ {        # an instruction: its size is the distance to the next one
  a = $1; sub(/:$/, "", a); a = hex(a)
  if (have) charge(a - prev)
  prev = a; file = cur; have = 1; next }
/^[0-9a-f]+ <.*>:$/ { if (have) charge(2); have = 0 }   # last instruction of a function: assume 2
END { for (k in bytes) printf "%d\t%s\n", bytes[k], k }' "$tmp/$img.dis" | sort -rn
