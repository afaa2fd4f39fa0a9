# SPDX-License-Identifier: Apache-2.0
# The same MCTP benchmark with the size-optimised payload copy (PMCI_MCTP_SMALL_COPY=1: a byte
# loop, the default of -Os builds such as the Cortex-M images) instead of std::copy_n, so both
# copy paths are measured side by side (docs/mctp.md, "Footprint and speed").
add_executable(pmci_bench_mctp_small_copy ${src})
target_include_directories(pmci_bench_mctp_small_copy PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(pmci_bench_mctp_small_copy PRIVATE pmci::pmci)
target_compile_definitions(pmci_bench_mctp_small_copy PRIVATE PMCI_MCTP_SMALL_COPY=1)
pmci_warnings(pmci_bench_mctp_small_copy)
list(APPEND bench_targets pmci_bench_mctp_small_copy)
