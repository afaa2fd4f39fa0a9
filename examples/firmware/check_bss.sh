#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Check that the named objects of a firmware image are zero-initialised (.bss), not .data: a
# static pmci object whose default state is all zero bytes costs no flash for an initial image
# (tests/mctp/zero_init_test.cpp checks the same on the host, byte by byte).
#
#   check_bss.sh <objdump> <image.elf> <demangled name>...
#
# A name is matched against the end of the demangled name of an object symbol, e.g. "::ep"
# matches "(anonymous namespace)::ep". Exit 1 when a name is missing or not in .bss.
set -euo pipefail
objdump=$1
elf=$2
shift 2
table=$("$objdump" -t -C "$elf")
status=0
for name in "$@"; do
  # objdump -t columns: address, flags, section, size, name (the name may contain spaces).
  # A here-string, not a pipe: awk exits at the first match, and a printf still writing into
  # the pipe would then die of SIGPIPE, which pipefail turns into a failed check (seen in CI).
  section=$(awk -v n="$name" '
    { s = $0; sub(/^[^\t]*\t[0-9a-f]+ /, "", s) }  # the name after the size column
    $0 ~ /\t/ && length(s) >= length(n) && substr(s, length(s) - length(n) + 1) == n {
      split($0, a, "\t")
      if (a[1] !~ / O /) next  # objects only, not functions
      k = split(a[1], f, " "); print f[k]; exit
    }' <<<"$table")
  if [ -z "$section" ]; then
    echo "check_bss: $elf: no symbol ending in '$name'" >&2
    status=1
  elif [ "$section" != ".bss" ]; then
    echo "check_bss: $elf: '$name' is in $section, expected .bss (its default state is not all zero bytes)" >&2
    status=1
  else
    echo "check_bss: $name in .bss"
  fi
done
exit $status
