# SPDX-License-Identifier: Apache-2.0
# The record layer needs a real AEAD: OpenSSL 3.
if(TARGET OpenSSL::Crypto)
  target_link_libraries(${target} PRIVATE OpenSSL::Crypto)
else()
  message(FATAL_ERROR "pmci: ${target} needs OpenSSL 3")
endif()
