# SPDX-License-Identifier: Apache-2.0
# Helpers for pmci's own targets (tests, fuzzers, examples). Not installed.

# Warnings for our own code; the library itself is header-only and imposes nothing on users.
function(pmci_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wconversion
      -Wno-sign-conversion $<$<BOOL:${PMCI_WERROR}>:-Werror>)
  endif()
endfunction()

# OpenSSL / mbedTLS / fmt are optional: targets that need them are skipped with a message.
find_package(OpenSSL 3 QUIET COMPONENTS Crypto)
find_package(fmt 9 QUIET)
find_path(PMCI_MBEDTLS_INCLUDE_DIR NAMES psa/crypto.h mbedtls/version.h)
find_library(PMCI_MBEDCRYPTO_LIBRARY NAMES mbedcrypto)
find_library(PMCI_MBEDX509_LIBRARY NAMES mbedx509)
if(PMCI_MBEDTLS_INCLUDE_DIR AND PMCI_MBEDCRYPTO_LIBRARY AND NOT TARGET pmci_mbedcrypto)
  add_library(pmci_mbedcrypto INTERFACE)
  target_include_directories(pmci_mbedcrypto INTERFACE ${PMCI_MBEDTLS_INCLUDE_DIR})
  target_link_libraries(pmci_mbedcrypto INTERFACE ${PMCI_MBEDX509_LIBRARY} ${PMCI_MBEDCRYPTO_LIBRARY})
endif()
