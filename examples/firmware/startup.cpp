// SPDX-License-Identifier: Apache-2.0
// Minimal Cortex-M4 start-up for the footprint images: a vector table and a reset handler that
// copies .data, zeroes .bss, runs static constructors and calls main(). No CMSIS, no vendor
// files, no libc start files (the images link with -nostartfiles), so nothing here depends on
// a particular chip. The report counts this file as "board" code, not as pmci's.
#include <cstddef>
#include <cstdint>

#include "board.hpp"

extern "C" {
// Provided by cortex_m4.ld.
extern std::uint32_t _sidata[], _sdata[], _edata[], _sbss[], _ebss[], _estack[];
using init_fn = void (*)();
extern init_fn __preinit_array_start[], __preinit_array_end[];
extern init_fn __init_array_start[], __init_array_end[];

// The image's main(), under another C++ name: ISO C++ forbids calling ::main, the linker does not.
int fw_main() __asm__("main");
[[noreturn]] void Reset_Handler();
void Default_Handler();
}

// Cortex-M4 system exceptions (ARMv7-M ARM §B1.5.2) then device IRQs. The images only need one
// device interrupt (the bus the MCTP/SPDM traffic arrives on), wired to fw_bus_irq.
using vector = void (*)();
extern "C" [[gnu::used, gnu::section(".isr_vector")]] const vector fw_vectors[17] = {
    reinterpret_cast<vector>(_estack),  // initial MSP
    Reset_Handler,
    Default_Handler,  // NMI
    Default_Handler,  // HardFault
    Default_Handler,  // MemManage
    Default_Handler,  // BusFault
    Default_Handler,  // UsageFault
    nullptr, nullptr, nullptr, nullptr,  // reserved
    Default_Handler,  // SVCall
    Default_Handler,  // DebugMonitor
    nullptr,          // reserved
    Default_Handler,  // PendSV
    Default_Handler,  // SysTick
    fw_bus_irq,       // IRQ0: the I3C / SMBus / mailbox controller of this imaginary part
};

extern "C" void Default_Handler() {
  for (;;) {
  }
}

extern "C" [[noreturn]] void Reset_Handler() {
  // volatile pointers: keep GCC from turning these loops into memcpy/memset calls, which would
  // drag newlib's versions into the image just for start-up.
  for (volatile std::uint32_t *src = _sidata, *dst = _sdata; dst < _edata;) *dst++ = *src++;
  for (volatile std::uint32_t* dst = _sbss; dst < _ebss;) *dst++ = 0;
  for (init_fn* f = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
  for (init_fn* f = __init_array_start; f < __init_array_end; ++f) (*f)();
  (void)fw_main();
  for (;;) {
  }
}
