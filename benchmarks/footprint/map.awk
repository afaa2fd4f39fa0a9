# SPDX-License-Identifier: Apache-2.0
# Footprint report, step 1: turn a GNU ld link map (-Wl,-Map) into one line per input section
# that made it into the image:
#     owner <TAB> kind <TAB> bytes <TAB> symbol <TAB> object
# owner: pmci (a symbol in namespace pmci, whatever TU instantiated it), image (the image's own
#        glue: any other section from the image's translation units, incl. unnamed constants),
#        crypto (stub_crypto.cpp), board (startup.cpp, board.cpp), libc (toolchain archives and
#        start files), linker (stubs).
# kind:  text | rodata | data | bss (flash = text + rodata + data; static RAM = data + bss).
# Alignment padding (*fill*) is charged to the owner of the section before it.
# POSIX awk only (CI runs mawk): no strtonum, no gensub, no interval expressions.

function hex2dec(s,    i, c, v) {
  s = tolower(s)
  sub(/^0x/, "", s)
  v = 0
  for (i = 1; i <= length(s); i++) {
    c = index("0123456789abcdef", substr(s, i, 1))
    if (c == 0) return v
    v = v * 16 + (c - 1)
  }
  return v
}

# Output sections that hold no image bytes (debug info, attributes, the stack reservation).
function counted(sec) {
  if (sec !~ /^\./) return 0
  if (sec ~ /^\.(debug|comment|ARM\.attributes|stack_reserve|stab|note)/) return 0
  return 1
}

function kind_of(name, sec) {
  if (name ~ /^\.text/ || name ~ /^\.(glue_7|glue_7t|vfp11_veneer|v4_bx|init|fini|iplt)$/) return "text"
  if (name ~ /^\.(rodata|isr_vector|ARM\.ex|init_array|preinit_array|fini_array|rel)/) return "rodata"
  if (name ~ /^\.(data|igot|tdata)/) return "data"
  if (name ~ /^\.(bss|tbss)/ || name == "COMMON") return "bss"
  if (sec == ".data") return "data"
  if (sec == ".bss") return "bss"
  if (sec ~ /^\.text/) return "text"
  return "rodata"
}

function symbol_of(name,    s) {
  s = name
  if (!sub(/^\.(text|rodata|data|bss|tdata|tbss)\.(unlikely|startup|hot|exit)\./, "", s))
    sub(/^\.(text|rodata|data|bss|tdata|tbss)\./, "", s)
  return s
}

function owner_of(file, sym) {
  if (file ~ /stub_crypto\.cpp\.(obj|o)$/) return "crypto"
  if (file ~ /(^|\/)(startup|board)\.cpp\.(obj|o)$/) return "board"
  if (file ~ /\.a\(/ || file ~ /\/lib\/gcc\// || file ~ /arm-none-eabi\/lib\// || file ~ /(^|\/)crt[^\/]*\.o$/) return "libc"
  if (file == "linker stubs" || file == "") return "linker"
  # Itanium mangling of anything declared in namespace pmci (incl. members, const members,
  # local statics, guard variables, vtables): _Z, optional special prefix, N, cv-quals, 4pmci.
  if (sym ~ /^_Z[A-Z]*N[rVKRO]*4pmci/) return "pmci"
  return "image"
}

function emit(name, size_hex, file,    bytes, sym, own) {
  if (!counted(outsec)) return
  bytes = hex2dec(size_hex)
  if (bytes == 0) return
  sym = symbol_of(name)
  own = owner_of(file, sym)
  last_owner = own
  printf "%s\t%s\t%d\t%s\t%s\n", own, kind_of(name, outsec), bytes, sym, file
}

BEGIN { started = 0; pend = ""; outsec = ""; last_owner = "linker" }
/^Linker script and memory map/ { started = 1; next }
!started { next }
# An output section (".text  0x... 0x...") or a directive (LOAD, OUTPUT, START GROUP) at column 0.
/^[^ \t]/ { outsec = $1; pend = ""; next }
# An input section, a *fill*, or an input section pattern (" *(.text ...)") one space in.
/^ [^ ]/ {
  name = $1
  if (name == "*fill*") {
    if (counted(outsec) && NF >= 3) {
      b = hex2dec($3)
      if (b > 0) printf "%s\t%s\t%d\t*fill*\t\n", last_owner, kind_of("", outsec), b
    }
    pend = ""
    next
  }
  if (name ~ /^\*/) { pend = ""; next }
  if (NF >= 4 && $2 ~ /^0x/ && $3 ~ /^0x/) {
    file = $4
    for (i = 5; i <= NF; i++) file = file " " $i
    emit(name, $3, file)
    pend = ""
    next
  }
  pend = (NF == 1) ? name : ""
  next
}
# Second line of a long input section name: address, size, object.
pend != "" && NF >= 3 && $1 ~ /^0x/ && $2 ~ /^0x/ {
  file = $3
  for (i = 4; i <= NF; i++) file = file " " $i
  emit(pend, $2, file)
  pend = ""
  next
}
{ pend = "" }
