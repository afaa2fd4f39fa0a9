# SPDX-License-Identifier: Apache-2.0
# cmake -DCOMPILER=... -DSOURCE=case.cpp -DINCLUDE=include -P check_compile_fail.cmake
file(STRINGS ${SOURCE} expect_lines REGEX "^// expect-error: ")
if(NOT expect_lines)
  message(FATAL_ERROR "${SOURCE}: no '// expect-error: <sentence>' line")
endif()
set(flags -std=c++20 -fsyntax-only -I${INCLUDE})

execute_process(COMMAND ${COMPILER} ${flags} -DPMCI_EXPECT_OK ${SOURCE}
  RESULT_VARIABLE ok_rc OUTPUT_VARIABLE ok_out ERROR_VARIABLE ok_out)
if(NOT ok_rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE}: the control build (-DPMCI_EXPECT_OK) must compile, but:\n${ok_out}")
endif()

execute_process(COMMAND ${COMPILER} ${flags} ${SOURCE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE}: compiled, but it must fail")
endif()
foreach(line IN LISTS expect_lines)
  string(REGEX REPLACE "^// expect-error: " "" sentence "${line}")
  string(FIND "${out}" "${sentence}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${SOURCE}: the compiler output lacks the sentence\n  ${sentence}\noutput:\n${out}")
  endif()
endforeach()
message(STATUS "${SOURCE}: fails to compile as expected")
