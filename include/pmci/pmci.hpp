// SPDX-License-Identifier: Apache-2.0
// Umbrella header: convenience only. Every pmci header compiles on its own; firmware should
// include just what it uses. Host-only adapters (OpenSSL, sockets, fmt) are never included here.
#pragma once
#include "pmci/core/assert.hpp"
#include "pmci/core/buffer.hpp"
#include "pmci/core/bytes.hpp"
#include "pmci/core/crc.hpp"
#include "pmci/core/endian.hpp"
#include "pmci/core/errc.hpp"
#include "pmci/core/hex.hpp"
#include "pmci/core/result.hpp"
#include "pmci/core/secure.hpp"
#include "pmci/version.hpp"
