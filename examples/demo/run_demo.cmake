# SPDX-License-Identifier: Apache-2.0
# The pmci-demo test: run the demo, show its output, and pass only if it exited 0 and printed
# the key lines of each section.
#   cmake -DDEMO=<pmci-demo> -DSPDM=ON|OFF [-DTAMPER=ON] -P run_demo.cmake
# With TAMPER, `pmci-demo --tamper` must fail the signed measurements and exit 1.
if(TAMPER)
  execute_process(COMMAND ${DEMO} --tamper RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message("${out}${err}")
  if(NOT rc EQUAL 1 OR NOT out MATCHES "FAILED: GET_MEASUREMENTS \\(signature invalid\\)"
     OR out MATCHES "every step verified")
    message(FATAL_ERROR "pmci-demo --tamper: expected exit 1 and a signature failure (exit ${rc})")
  endif()
  return()
endif()
execute_process(COMMAND ${DEMO} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pmci-demo exited with ${rc}")
endif()
set(expected
  "identical to the original: yes"
  "message delivered: no"
  "accepted; target now uses EID 0x1d"
  "0x06 \\(secured SPDM\\)")
if(SPDM)
  list(APPEND expected
    "=> SPDM 1\\.3 \\(device offers 1\\.0 1\\.1 1\\.2 1\\.3\\)"
    "algorithms: SHA_384, ECDSA_P384"
    "GET_CERTIFICATE \\(offset 1016, length 1016\\)"
    "3 certificates"
    "pmci test responder P-384"
    "CHALLENGE_AUTH: CertChainHash matches, ECDSA_P384 signature over the transcript M1/M2 verified"
    "5 blocks, ECDSA_P384 signature over L1/L2 verified"
    "session [0-9a-f]+ established"
    "device decrypted: FINISH \\(53 B"
    "BMC decrypted: FINISH_RSP"
    "BMC decrypted: HEARTBEAT_ACK"
    "BMC decrypted: KEY_UPDATE_ACK VerifyNewKey"
    "identical to the signed record"
    "device decrypted: PLDM GetTID request"
    "BMC decrypted: MEASUREMENTS"
    "completion 0, TID 0x2a"
    "=> END_SESSION_ACK"
    " 0 packets dropped"
    "every step verified")
endif()
foreach(line IN LISTS expected)
  if(NOT out MATCHES "${line}")
    message(FATAL_ERROR "pmci-demo output lacks: ${line}")
  endif()
endforeach()
