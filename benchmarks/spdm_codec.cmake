# SPDX-License-Identifier: Apache-2.0
# The benchmark reads the captured traffic in tests/data/vectors.
target_compile_definitions(pmci_bench_spdm_codec PRIVATE PMCI_VECTORS_DIR="${PROJECT_SOURCE_DIR}/tests/data/vectors")
