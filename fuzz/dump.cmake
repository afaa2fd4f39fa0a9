# SPDX-License-Identifier: Apache-2.0
# pmci-dump's pipeline (examples/dump) needs fmt and OpenSSL 3, like pmci-dump itself; without
# them the target is an empty fuzzer.
if(TARGET fmt::fmt AND TARGET OpenSSL::Crypto)
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/examples/dump)
  target_link_libraries(${target} PRIVATE fmt::fmt OpenSSL::Crypto)
  target_compile_definitions(${target} PRIVATE PMCI_DUMP_FUZZ=1)
endif()
