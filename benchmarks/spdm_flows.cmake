# SPDX-License-Identifier: Apache-2.0
# The flow benchmark reuses the engine tests' harness and PKI (tests/spdm_engines, tests/data).
target_include_directories(pmci_bench_spdm_flows PRIVATE ${PROJECT_SOURCE_DIR}/tests)
target_sources(pmci_bench_spdm_flows PRIVATE ${PROJECT_SOURCE_DIR}/tests/support/vectors.cpp)
target_compile_definitions(pmci_bench_spdm_flows PRIVATE PMCI_TEST_DATA_DIR="${PROJECT_SOURCE_DIR}/tests/data")
