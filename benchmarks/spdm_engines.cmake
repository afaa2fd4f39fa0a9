# SPDX-License-Identifier: Apache-2.0
# The engine benchmark reuses the engine tests' harness and PKI (tests/spdm_engines, tests/data).
target_include_directories(pmci_bench_spdm_engines PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_sources(pmci_bench_spdm_engines PRIVATE ${PROJECT_SOURCE_DIR}/tests/support/vectors.cpp)
target_compile_definitions(pmci_bench_spdm_engines PRIVATE PMCI_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
if(TARGET OpenSSL::Crypto)
  target_link_libraries(pmci_bench_spdm_engines PRIVATE OpenSSL::Crypto)
  target_compile_definitions(pmci_bench_spdm_engines PRIVATE PMCI_TEST_HAVE_OPENSSL=1)
endif()
if(TARGET pmci_mbedcrypto)
  target_link_libraries(pmci_bench_spdm_engines PRIVATE pmci_mbedcrypto)
  target_compile_definitions(pmci_bench_spdm_engines PRIVATE PMCI_TEST_HAVE_PSA=1)
endif()
