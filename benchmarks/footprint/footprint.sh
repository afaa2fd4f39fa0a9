#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# pmci footprint report: for every firmware image listed in a manifest, print pmci's own
# text/rodata/data/bss (from the link map; crypto stub, board code and libc excluded), static RAM,
# the worst-case stack of the dispatch path, and compare them with the image's budgets.
#
#   footprint.sh [--check] [--out report.md] [--tsv report.tsv] [--objdump tool] [--cxxfilt tool]
#                [--toolchain "text"] manifest.tsv
#
# Manifest: one image per line, tab-separated (examples/firmware/CMakeLists.txt writes it):
#   name elf map entry budget_flash budget_ram budget_stack ceiling_flash ceiling_ram ceiling_stack
#   attribution-map ci-files(|-separated)
# The attribution map (or "-") is the link map of the same image built with inlining disabled;
# it only feeds the "where the bytes come from" table, never the figures or the verdict.
# Budgets are the targets (0 = none). A ceiling (0 = none) is an enforced limit above a budget
# that pmci does not meet yet: the image may exceed its budget, reported as "over budget", but
# not its ceiling. Without a ceiling the budget itself is enforced. With --check the exit status
# is 1 when any image exceeds an enforced limit, or has a stack budget and an unbounded stack
# (recursion, unbounded dynamic frame, indirect call).
# Needs only bash, awk (POSIX; mawk is fine), sort and binutils: CI machines have no python.
# See docs/footprint.md for what is counted and why.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
check=0
out=""
tsv=""
objdump=arm-none-eabi-objdump
cxxfilt=arm-none-eabi-c++filt
toolchain=""
while [ $# -gt 0 ]; do
  case "$1" in
    --check) check=1 ;;
    --out) out=$2; shift ;;
    --tsv) tsv=$2; shift ;;
    --objdump) objdump=$2; shift ;;
    --cxxfilt) cxxfilt=$2; shift ;;
    --toolchain) toolchain=$2; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    -*) echo "footprint.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
  shift
done
[ $# -eq 1 ] || { echo "usage: footprint.sh [--check] [--out file.md] manifest.tsv" >&2; exit 2; }
manifest=$1
command -v "$cxxfilt" >/dev/null 2>&1 || cxxfilt=cat

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fmt_budget() { if [ "$1" -gt 0 ]; then echo "$1"; else echo "-"; fi; }

# Display names: template arguments collapsed to <...>, gcc's " [with T = ...]" dropped, "|"
# escaped for markdown, at most 110 characters.
short_awk='
function short(n,    out, i, c, d) {
  sub(/ \[with .*$/, "", n)
  out = ""; d = 0
  for (i = 1; i <= length(n); i++) {
    c = substr(n, i, 1)
    if (c == "<" && substr(n, i - 8, 8) != "operator") { if (d == 0) out = out "<...>"; d++; continue }
    if (c == ">" && d > 0) { d--; continue }
    if (d == 0) out = out c
  }
  gsub(/\|/, "\\|", out)
  if (length(out) > 110) out = substr(out, 1, 107) "..."
  return out
}'

# Markdown rows "| bytes | kind | owner | `demangled` |" from "bytes<TAB>kind<TAB>owner<TAB>mangled" lines.
symbol_rows() {
  local rows=$tmp/rows names=$tmp/rows.names
  cat > "$rows"
  [ -s "$rows" ] || { echo '| - | | | (none) |'; return 0; }
  cut -f4 "$rows" | "$cxxfilt" > "$names"
  paste "$rows" "$names" |
    awk -F '\t' "$short_awk"' { printf "| %d | %s | %s | `%s` |\n", $1, $2, $3, short($5) }'
}

summary=$tmp/summary.md
breakdown=$tmp/breakdown.md
details=$tmp/details.md
machine=$tmp/machine.tsv
: > "$summary"; : > "$breakdown"; : > "$details"; : > "$machine"
failed=0
images=0

while IFS=$'\t' read -r name elf map entry b_flash b_ram b_stack c_flashl c_raml c_stackl attr_map cis || [ -n "${name:-}" ]; do
  [ -z "${name:-}" ] && continue
  case "$name" in \#*) continue ;; esac
  images=$((images + 1))
  for f in "$elf" "$map"; do
    [ -f "$f" ] || { echo "footprint.sh: $name: missing $f (build the image first)" >&2; exit 2; }
  done

  # 1. Sections by owner and kind.
  awk -f "$here/map.awk" "$map" > "$tmp/$name.sections"
  read -r p_text p_ro p_data p_bss i_text i_ro i_data i_bss c_flash c_ram b_flashu b_ramu l_flash l_ram t_flash t_ram < <(
    awk -F '\t' '
      { k = $1 SUBSEP $2; s[k] += $3 }
      function fl(o) { return s[o, "text"] + s[o, "rodata"] + s[o, "data"] }
      function rm(o) { return s[o, "data"] + s[o, "bss"] }
      END {
        printf "%d %d %d %d %d %d %d %d ", s["pmci","text"], s["pmci","rodata"], s["pmci","data"], s["pmci","bss"], s["image","text"], s["image","rodata"], s["image","data"], s["image","bss"]
        printf "%d %d %d %d %d %d ", fl("crypto"), rm("crypto"), fl("board"), rm("board"), fl("libc") + fl("linker"), rm("libc") + rm("linker")
        printf "%d %d\n", fl("pmci") + fl("image") + fl("crypto") + fl("board") + fl("libc") + fl("linker"), rm("pmci") + rm("image") + rm("crypto") + rm("board") + rm("libc") + rm("linker")
      }' "$tmp/$name.sections")
  text=$((p_text + i_text)); ro=$((p_ro + i_ro)); data=$((p_data + i_data)); bss=$((p_bss + i_bss))
  flash=$((text + ro + data))
  ram=$((data + bss))

  # 2. Worst-case stack of the dispatch path.
  "$objdump" -d --no-show-raw-insn "$elf" > "$tmp/$name.dis"
  ci_files=()
  IFS='|' read -r -a ci_files <<< "$cis"
  awk -v entry="$entry" -f "$here/stack.awk" "${ci_files[@]}" "$tmp/$name.dis" > "$tmp/$name.stack"
  read -r _ stack stack_flags < "$tmp/$name.stack"

  # 3. Verdict: "ok" within every budget; "over budget" above a budget but within its ceiling
  # (reported, not failed); "OVER" above an enforced limit (the ceiling, or the budget if none).
  verdict=ok
  notes=()
  judge() {  # metric value budget ceiling
    local what=$1 v=$2 b=$3 c=$4 limit
    [ "$b" -gt 0 ] || return 0
    limit=$b; [ "$c" -gt 0 ] && limit=$c
    if [ "$v" -gt "$limit" ]; then
      verdict=OVER; notes+=("$what +$((v - b)) B over budget, above the enforced ceiling $limit")
    elif [ "$v" -gt "$b" ]; then
      [ "$verdict" = ok ] && verdict="over budget"
      notes+=("$what +$((v - b)) B (ceiling $c)")
    fi
  }
  judge flash "$flash" "$b_flash" "$c_flashl"
  judge RAM "$ram" "$b_ram" "$c_raml"
  if [ "$stack_flags" != ok ]; then
    notes+=("stack: $stack_flags")
    [ "$b_stack" -gt 0 ] && verdict=OVER
  else
    judge stack "$stack" "$b_stack" "$c_stackl"
  fi
  [ "$verdict" = OVER ] && failed=1
  stack_cell=$stack
  [ "$stack_flags" != ok ] && stack_cell="$stack ($stack_flags)"
  note_text=$verdict
  [ ${#notes[@]} -gt 0 ] && note_text="$verdict: $(IFS=';'; echo "${notes[*]}" | sed 's/;/; /g')"

  printf '| %s | %d | %d | %d | %d | **%d** | %s | **%d** | %s | %s | %s | %s |\n' \
    "$name" "$text" "$ro" "$data" "$bss" "$flash" "$(fmt_budget "$b_flash")" "$ram" "$(fmt_budget "$b_ram")" \
    "$stack_cell" "$(fmt_budget "$b_stack")" "$note_text" >> "$summary"
  printf '| %s | %d / %d | %d / %d | %d / %d | %d / %d | %d / %d | %d / %d |\n' \
    "$name" $((p_text + p_ro + p_data)) $((p_data + p_bss)) $((i_text + i_ro + i_data)) $((i_data + i_bss)) \
    "$c_flash" "$c_ram" "$b_flashu" "$b_ramu" "$l_flash" "$l_ram" "$t_flash" "$t_ram" >> "$breakdown"
  printf '%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$text" "$ro" "$data" "$bss" "$flash" "$ram" \
    "$stack" "$stack_flags" "$b_flash" "$b_ram" "$b_stack" "$verdict" >> "$machine"

  # 4. Details: the largest pmci/image items and the deepest call chain.
  {
    echo
    echo "### $name"
    echo
    echo "Largest items counted for pmci (owner pmci = an out-of-line function or object of namespace pmci;"
    echo "image = the image's translation unit: its glue and every pmci function inlined into it):"
    echo
    echo '| bytes | kind | owner | symbol |'
    echo '|---:|---|---|---|'
    awk -F '\t' '($1 == "pmci" || $1 == "image") && $4 != "*fill*" { print $3 "\t" $2 "\t" $1 "\t" $4 }' "$tmp/$name.sections" |
      sort -t "$(printf '\t')" -k1,1nr | awk -v n=12 'NR <= n' | symbol_rows
    echo
    echo "Initialized objects (.data: each costs its size twice, in flash for the initial image and in RAM):"
    echo
    echo '| bytes | kind | owner | symbol |'
    echo '|---:|---|---|---|'
    awk -F '\t' '($1 == "pmci" || $1 == "image") && $2 == "data" && $4 != "*fill*" && $3 >= 16 { print $3 "\t" $2 "\t" $1 "\t" $4 }' "$tmp/$name.sections" |
      sort -t "$(printf '\t')" -k1,1nr | awk -v n=8 'NR <= n' | symbol_rows
    if [ -n "$attr_map" ] && [ "$attr_map" != "-" ] && [ -f "$attr_map" ]; then
      awk -f "$here/map.awk" "$attr_map" > "$tmp/$name.attr"
      read -r a_pmci a_image < <(awk -F '\t' '$2 == "text" { s[$1] += $3 } END { printf "%d %d\n", s["pmci"], s["image"] }' "$tmp/$name.attr")
      echo
      echo "Where the code comes from: the same image built with inlining disabled (-fno-inline-functions"
      echo "-fno-inline-small-functions -fno-inline-functions-called-once), so each pmci function keeps its symbol."
      echo "Sizes are indicative (inlining changes them); that build has $a_pmci B of pmci text and $a_image B of glue text."
      echo
      echo '| bytes | kind | owner | symbol |'
      echo '|---:|---|---|---|'
      awk -F '\t' '$1 == "pmci" && $2 == "text" && $4 != "*fill*" { print $3 "\t" $2 "\t" $1 "\t" $4 }' "$tmp/$name.attr" |
        sort -t "$(printf '\t')" -k1,1nr | awk -v n=15 'NR <= n' | symbol_rows
    fi
    echo
    echo "Deepest dispatch path from \`$entry\` ($stack bytes, $stack_flags; frame sizes from -fstack-usage, 'objdump' = prologue analysis):"
    echo
    echo '| frame | depth | from | function |'
    echo '|---:|---:|---|---|'
    awk -F '\t' "$short_awk"' NR > 1 && $0 !~ /^UNKNOWN/ { printf "| %d | %d | %s | `%s` |\n", $1, $2, $3, short($4) }' "$tmp/$name.stack"
    grep '^UNKNOWN' "$tmp/$name.stack" | sed 's/^UNKNOWN/\nFunctions without stack information:/' || true
  } >> "$details"
done < "$manifest"

[ "$images" -gt 0 ] || { echo "footprint.sh: no images in $manifest" >&2; exit 2; }

{
  echo "## pmci firmware footprint"
  echo
  [ -n "$toolchain" ] && { echo "$toolchain"; echo; }
  echo "pmci's own bytes per image (namespace pmci + the image's glue; crypto stub, board code and libc excluded)."
  echo "Flash = text + rodata + data; static RAM = data + bss; stack = worst case of the dispatch path."
  echo
  echo '| image | text | rodata | data | bss | flash | budget | static RAM | budget | stack | budget | result |'
  echo '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|'
  cat "$summary"
  echo
  echo "Whole image by owner, flash / RAM bytes (total includes alignment padding; the stack reservation is not counted):"
  echo
  echo '| image | pmci (out-of-line) | image TU (glue + inlined pmci) | crypto stub | board | libc + runtime | total |'
  echo '|---|---:|---:|---:|---:|---:|---:|'
  cat "$breakdown"
  cat "$details"
} > "$tmp/report.md"

cat "$tmp/report.md"
[ -n "$out" ] && cp "$tmp/report.md" "$out"
if [ -n "$tsv" ]; then
  { printf 'image\ttext\trodata\tdata\tbss\tflash\tram\tstack\tstack_flags\tbudget_flash\tbudget_ram\tbudget_stack\tresult\n'; cat "$machine"; } > "$tsv"
fi

if [ "$failed" -ne 0 ]; then
  echo
  echo "footprint: at least one image is above an enforced limit (see 'result')." >&2
  [ "$check" -eq 1 ] && exit 1
fi
exit 0
