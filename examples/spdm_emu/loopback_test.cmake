# SPDX-License-Identifier: Apache-2.0
# ctest driver (cmake -P): pmci-spdm-requester against pmci-spdm-responder over loopback, then
# pmci-dump on the pcap the responder wrote. Registered from examples/spdm_emu/CMakeLists.txt.
#
#   -DRESPONDER= -DREQUESTER= -DDUMP=   the three programs
#   -DKEYS=      tests/data/spdm_emu_keys (spdm-emu key layout)
#   -DWORKDIR=   scratch directory (one subdirectory per test NAME)
#   -DNAME=      test name;  -DVER= 1.0|1.1|1.2|1.3;  -DALGS= p256|p384
#   -DTRANS=     MCTP (default) | NONE;  -DMODE= shutdown (default) | continue
#   -DEXTRA=     more options for both programs (space-separated); -DRSP_EXTRA= responder only;
#                -DREQ_EXTRA= requester only
#   -DEXPECT=    more lines the requester must print;  -DNAMES= more message names pmci-dump
#                must show on the responder's capture (both ;-lists)
#   -DABSENT=    message names the capture must NOT show (in the clear)
#   -DSESSION=   the requester's --exe_session; then only EXPECT checks the session lines
#   -DINNER=     names pmci-dump must show decrypted (' -> #N SPDM NAME') when it reads the
#                capture with the default PSK (PSK sessions only: use SESSION without KEY_EX);
#                every record must decrypt. -DINNER_V= lines its -v output must hold
#
# The responder binds an ephemeral port (--port 0) and writes it to a file that the requester
# waits for (--port-file), so parallel tests never collide. Both run at once: execute_process
# starts the COMMANDs of one call concurrently (a pipeline; neither reads its stdin). Every wait
# is bounded: socket timeouts in the programs, the responder's --accept-timeout, TIMEOUT here and
# the ctest TIMEOUT.
cmake_minimum_required(VERSION 3.25)

# Fail unless `text` contains every line of the list `lines`; `what` names the text.
function(require_lines text lines what)
  foreach(l IN LISTS lines)
    string(FIND "${text}" "${l}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${what} lacks '${l}'")
    endif()
  endforeach()
endfunction()

# `out` = TRUE when pmci-dump's listing `dump` names message `name` on a request/response line.
function(dump_names dump name out)
  string(REGEX MATCH " (req|rsp) ([A-Z]+ +)?${name}( |\n)" hit "${dump}")
  if(hit)
    set(${out} TRUE PARENT_SCOPE)
  else()
    set(${out} FALSE PARENT_SCOPE)
  endif()
endfunction()

if(PHASE STREQUAL "clients")
  # MODE=continue: two requesters one after the other on the same responder; the first ends
  # with CONTINUE (the responder keeps running and keeps its state), the second with SHUTDOWN.
  separate_arguments(args UNIX_COMMAND "${REQ_ARGS}")
  execute_process(COMMAND ${REQUESTER} ${args} --exe_mode CONTINUE --pcap ${DIR}/requester1.pcap
                  RESULT_VARIABLE rc1 TIMEOUT 60)
  execute_process(COMMAND ${REQUESTER} ${args} --exe_mode SHUTDOWN --pcap ${DIR}/requester2.pcap
                  RESULT_VARIABLE rc2 TIMEOUT 60)
  if(NOT rc1 EQUAL 0 OR NOT rc2 EQUAL 0)
    message(FATAL_ERROR "requester runs: ${rc1} / ${rc2}")
  endif()
  return()
endif()

if(NOT TRANS)
  set(TRANS MCTP)
endif()
if(NOT MODE)
  set(MODE shutdown)
endif()
set(dir ${WORKDIR}/${NAME})
file(REMOVE_RECURSE ${dir})
file(MAKE_DIRECTORY ${dir})

# The algorithm set, as both programs spell it (spdm-emu's names) and as the requester prints it.
if(ALGS STREQUAL "p256")
  set(curve P256)
  set(bits 256)
  set(aead AES_256_GCM)
elseif(ALGS STREQUAL "p384")
  set(curve P384)
  set(bits 384)
  set(aead CHACHA20_POLY1305)
else()
  message(FATAL_ERROR "ALGS must be p256 or p384")
endif()
set(algs --hash SHA_${bits} --meas_hash SHA_${bits} --asym ECDSA_${curve} --req_asym ECDSA_${curve}
         --dhe SECP_${bits}_R1 --aead ${aead})
set(expect_algs "hash:         SHA_${bits}" "asym:         ECDSA_${curve}")
if(NOT VER STREQUAL "1.0")
  list(APPEND expect_algs "dhe:          SECP_${bits}_R1" "aead:         ${aead}")
endif()

# The responder is pinned to VER and the algorithm set; the requester offers everything it has
# for the algorithms (both sides narrowed the same way) and every version: the version
# negotiated must be VER.
set(port_file ${dir}/port)
set(rsp_args --trans ${TRANS} --key-dir ${KEYS} --port 0 --port-file ${port_file} --pcap ${dir}/responder.pcap
             --ver ${VER} ${algs} --timeout 10000 --accept-timeout 20000)
set(req_args --trans ${TRANS} --key-dir ${KEYS} --port-file ${port_file} ${algs} --timeout 10000 --connect-timeout 10000)
if(EXTRA)
  separate_arguments(extra UNIX_COMMAND "${EXTRA}")
  list(APPEND rsp_args ${extra})
  list(APPEND req_args ${extra})
endif()
if(RSP_EXTRA)
  separate_arguments(rsp_extra UNIX_COMMAND "${RSP_EXTRA}")
  list(APPEND rsp_args ${rsp_extra})
endif()
if(REQ_EXTRA)
  separate_arguments(req_extra UNIX_COMMAND "${REQ_EXTRA}")
  list(APPEND req_args ${req_extra})
endif()
if(SESSION)
  list(APPEND req_args --exe_session ${SESSION})
endif()

if(MODE STREQUAL "continue")
  list(JOIN req_args " " req_joined)
  execute_process(COMMAND ${RESPONDER} ${rsp_args}
                  COMMAND ${CMAKE_COMMAND} -DPHASE=clients -DREQUESTER=${REQUESTER} -DDIR=${dir}
                          "-DREQ_ARGS=${req_joined}" -P ${CMAKE_CURRENT_LIST_FILE}
                  RESULTS_VARIABLE rcs OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 120)
else()
  execute_process(COMMAND ${RESPONDER} ${rsp_args}
                  COMMAND ${REQUESTER} ${req_args} --pcap ${dir}/requester.pcap
                  RESULTS_VARIABLE rcs OUTPUT_VARIABLE out ERROR_VARIABLE err TIMEOUT 60)
endif()
file(WRITE ${dir}/requester.out "${out}")
file(WRITE ${dir}/programs.err "${err}")
message("${out}")
if(NOT rcs STREQUAL "0;0")
  message(FATAL_ERROR "exit codes (responder;requester): ${rcs}\nstderr:\n${err}")
endif()

set(expect "SPDM ${VER} " "result: OK" "SHUTDOWN: acknowledged" "certificate chain (slot 0" "signature over L1/L2 verified"
           "CHALLENGE_AUTH signature verified" ${expect_algs})
if(TRANS STREQUAL "MCTP" AND NOT VER STREQUAL "1.0" AND NOT SESSION)
  list(APPEND expect "KEY_EXCHANGE: session 0xffffffff established, mutual authentication"
       "KEY_EX session 0xffffffff: HEARTBEAT ok" "KEY_EX session 0xffffffff: KEY_UPDATE UpdateAllKeys"
       "KEY_EX session 0xffffffff: MEASUREMENTS in session" "KEY_EX session 0xffffffff: END_SESSION ok"
       "PSK_EXCHANGE: session 0xffffffff established" "PSK session 0xffffffff: END_SESSION ok")
endif()
if(MODE STREQUAL "continue")
  list(APPEND expect "CONTINUE: acknowledged")
endif()
if(EXPECT)
  list(APPEND expect ${EXPECT})
endif()
require_lines("${out}" "${expect}" "requester output")

# pmci-dump reads the responder's capture and names every message.
execute_process(COMMAND ${DUMP} ${dir}/responder.pcap RESULT_VARIABLE rc OUTPUT_VARIABLE dump ERROR_VARIABLE dump_err TIMEOUT 30)
file(WRITE ${dir}/responder.dump "${dump}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pmci-dump failed (${rc}): ${dump_err}")
endif()
set(names GET_VERSION VERSION GET_CAPABILITIES CAPABILITIES NEGOTIATE_ALGORITHMS ALGORITHMS GET_DIGESTS DIGESTS
          GET_CERTIFICATE CERTIFICATE CHALLENGE CHALLENGE_AUTH GET_MEASUREMENTS MEASUREMENTS)
if(TRANS STREQUAL "MCTP" AND NOT VER STREQUAL "1.0" AND NOT SESSION)
  list(APPEND names KEY_EXCHANGE KEY_EXCHANGE_RSP PSK_EXCHANGE PSK_EXCHANGE_RSP "SECURED  session=0xffffffff")
endif()
if(NAMES)
  list(APPEND names ${NAMES})
endif()
foreach(n IN LISTS names)
  dump_names("${dump}" "${n}" hit)
  if(NOT hit)
    message(FATAL_ERROR "pmci-dump of the responder's pcap lacks ${n}:\n${dump}")
  endif()
endforeach()
foreach(n IN LISTS ABSENT)
  dump_names("${dump}" "${n}" hit)
  if(hit)
    message(FATAL_ERROR "pmci-dump of the responder's pcap shows ${n}, not expected here:\n${dump}")
  endif()
endforeach()
string(REGEX MATCH "v${VER} " vhit "${dump}")
if(NOT vhit)
  message(FATAL_ERROR "pmci-dump shows no SPDM ${VER} message")
endif()

# The secured records, decrypted with the PSK (TestPskData\0, the tools' default).
if(INNER OR INNER_V)
  execute_process(COMMAND ${DUMP} -v --psk 5465737450736b4461746100 ${dir}/responder.pcap RESULT_VARIABLE rc
                  OUTPUT_VARIABLE vdump ERROR_VARIABLE vdump_err TIMEOUT 30)
  file(WRITE ${dir}/responder.dump-v "${vdump}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pmci-dump --psk failed (${rc}, 3: a record did not decrypt): ${vdump_err}")
  endif()
  foreach(n IN LISTS INNER)
    string(REGEX MATCH " -> #[0-9]+ SPDM +${n} " hit "${vdump}")
    if(NOT hit)
      message(FATAL_ERROR "pmci-dump --psk shows no decrypted ${n}")
    endif()
  endforeach()
  require_lines("${vdump}" "${INNER_V}" "pmci-dump -v --psk")
endif()

# Both ends captured the same conversation (a single requester run only).
if(NOT MODE STREQUAL "continue")
  execute_process(COMMAND ${DUMP} --no-header ${dir}/requester.pcap OUTPUT_VARIABLE dump_req TIMEOUT 30)
  execute_process(COMMAND ${DUMP} --no-header ${dir}/responder.pcap OUTPUT_VARIABLE dump_rsp TIMEOUT 30)
  if(NOT dump_req STREQUAL dump_rsp)
    message(FATAL_ERROR "the requester's and the responder's captures differ")
  endif()
endif()
message(STATUS "${NAME}: OK")
