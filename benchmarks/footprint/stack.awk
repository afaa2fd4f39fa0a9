# SPDX-License-Identifier: Apache-2.0
# Footprint report, step 2: worst-case stack depth from an entry function.
#
# Inputs, in this order:
#   1. every *.ci file of the image (gcc -fcallgraph-info=su: VCG graphs whose nodes carry the
#      -fstack-usage frame size, "N bytes (static|dynamic|dynamic,bounded)", and whose edges are
#      the calls left after optimisation, inlined calls excluded);
#   2. `objdump -d` of the linked image (file name ending in .dis), used only for functions that
#      have no .ci node with a size: precompiled libc/libgcc routines (memcpy, __aeabi_uidiv...).
#      Their frame is read from the prologue (push/stmdb register count x 4 + sub sp, #n), and
#      their bl/b.w targets are followed; a conservative over-approximation for leaf routines.
#
# Output: "TOTAL <bytes> <flags>" then the deepest path, one line per frame:
#   <frame bytes> <TAB> <depth at this frame, cumulative> <TAB> <source: su|objdump|none> <TAB> <name>
# flags: "ok", or a comma list of: recursion (a cycle is reachable: no bound), dynamic (a frame
# uses alloca/VLA without a bound), indirect (an indirect call: callee unknown), unknown (a
# function with neither .ci size nor disassembly). Tail calls are counted as calls (safe side).
# POSIX awk only (CI runs mawk).

function strip_tu(t,    i) {   # "path/file.cpp:_Z..." -> "_Z..."; bare names are unchanged
  i = match(t, /:[^:]*$/)
  if (i > 0 && substr(t, 1, 1) != "_") return substr(t, i + 1)
  return t
}

function quoted(line, key,    s, p) {   # value of key: "..." in a VCG line
  p = index(line, key ": \"")
  if (p == 0) return ""
  s = substr(line, p + length(key) + 3)
  p = index(s, "\"")
  return substr(s, 1, p - 1)
}

function add_edge(a, b) {
  if ((a SUBSEP b) in seen_edge) return
  seen_edge[a, b] = 1
  callees[a] = (a in callees) ? callees[a] " " b : b
}

function regs(list,    n, i, parts, r, lo, hi) {   # "{r4, r5-r7, lr}" -> 5
  gsub(/[{}]/, "", list)
  n = split(list, parts, ",")
  r = 0
  for (i = 1; i <= n; i++) {
    if (parts[i] ~ /-/) {
      split(parts[i], lohi, "-")
      gsub(/[^0-9]/, "", lohi[1]); gsub(/[^0-9]/, "", lohi[2])
      if (lohi[1] != "" && lohi[2] != "") { r += lohi[2] - lohi[1] + 1; continue }
    }
    r++
  }
  return r
}

# ---- .ci files ----
FILENAME !~ /\.dis$/ && /^node:/ {
  t = quoted($0, "title")
  label = quoted($0, "label")
  n = split(label, lines, "\\\\n")   # the label holds literal \n separators
  pretty[t] = lines[1]
  if (n >= 3 && lines[3] ~ /^[0-9]+ bytes \(/) {
    split(lines[3], w, " ")
    q = lines[3]
    sub(/^[0-9]+ bytes \(/, "", q); sub(/\)$/, "", q)
    if (!(t in frame) || w[1] + 0 > frame[t]) frame[t] = w[1] + 0
    if (q == "dynamic") dynamic[t] = 1
  }
  next
}
FILENAME !~ /\.dis$/ && /^edge:/ {
  add_edge(quoted($0, "sourcename"), quoted($0, "targetname"))
  next
}
FILENAME !~ /\.dis$/ { next }

# ---- objdump -d ----
/^[0-9a-f]+ <[^>]+>:$/ {
  cur = $2
  sub(/^</, "", cur); sub(/>:$/, "", cur)
  dis_frame[cur] = 0
  next
}
cur != "" && /\t(push|push\.w|stmdb|stmdb\.w|stmfd)\t/ {
  if ($0 ~ /\t(push|push\.w)\t/ || $0 ~ /sp!/) {
    l = $0; sub(/^[^{]*/, "", l); sub(/}.*$/, "}", l)
    dis_frame[cur] += 4 * regs(l)
  }
  next
}
cur != "" && /\t(sub|sub\.w|subw)\tsp, / {
  l = $0; sub(/^.*#/, "", l); sub(/[^0-9].*$/, "", l)
  dis_frame[cur] += l + 0
  next
}
cur != "" && /\t(bl|blx|b\.w|b)\t[0-9a-f]+ </ {
  l = $0; sub(/^[^<]*</, "", l); sub(/>.*$/, "", l)
  if (l !~ /\+0x/ && l != cur) dis_calls[cur] = (cur in dis_calls) ? dis_calls[cur] " " l : l
  next
}
cur != "" && /\tblx?\t(r[0-9]+|ip|lr)/ { dis_indirect[cur] = 1; next }

# ---- depth ----
function depth(f,    own, best, bestc, n, i, c, d, list, bare) {
  if (f in memo) return memo[f]
  if (f in visiting) { flag["recursion"] = 1; return 0 }
  visiting[f] = 1
  bare = strip_tu(f)
  if (f == "__indirect_call") {
    flag["indirect"] = 1; own = 0; src[f] = "none"; list = ""
  } else if (f in frame) {
    own = frame[f]; src[f] = "su"
    if (f in dynamic) flag["dynamic"] = 1
    list = (f in callees) ? callees[f] : ""
  } else if (bare in frame) {
    own = frame[bare]; src[f] = "su"
    if (bare in dynamic) flag["dynamic"] = 1
    list = (bare in callees) ? callees[bare] : ""
  } else if (bare in dis_frame) {
    own = dis_frame[bare]; src[f] = "objdump"
    if (bare in dis_indirect) flag["indirect"] = 1
    list = (bare in dis_calls) ? dis_calls[bare] : ""
  } else {
    own = 0; src[f] = "none"; flag["unknown"] = 1; unknown_names = unknown_names " " bare
    list = ""
  }
  best = 0; bestc = ""
  n = split(list, cs, " ")
  for (i = 1; i <= n; i++) { callee_list[f, i] = cs[i] }
  for (i = 1; i <= n; i++) {
    c = callee_list[f, i]
    d = depth(c)
    if (d > best || bestc == "") { best = d; bestc = c }
  }
  delete visiting[f]
  own_of[f] = own
  next_of[f] = bestc
  memo[f] = own + best
  return memo[f]
}

END {
  if (!(entry in frame) && !(entry in dis_frame)) {
    print "TOTAL 0 unknown-entry:" entry
    exit 0
  }
  total = depth(entry)
  flags = ""
  for (k in flag) flags = (flags == "") ? k : flags "," k
  if (flags == "") flags = "ok"
  print "TOTAL " total " " flags
  f = entry; cum = 0
  while (f != "") {
    cum += own_of[f]
    name = (f in pretty) ? pretty[f] : strip_tu(f)
    printf "%d\t%d\t%s\t%s\n", own_of[f], cum, src[f], name
    f = next_of[f]
  }
  if (unknown_names != "") print "UNKNOWN" unknown_names
}
