// The CPU operations the architecture-independent C code (the async runtime, kernel/concurrency) needs,
// for AArch64. Every architecture provides this header under the same name in its include folder
// (kernel/arch/$(ARCH)/include, on the include path of the C and Swift builds): docs/porting.md.
#pragma once
#include <stdint.h>

// Masks IRQs on this CPU; returns the previous mask state for arch_irq_restore.
static inline uint64_t arch_irq_save(void) {
  uint64_t daif;
  __asm__ volatile("mrs %0, daif\n msr daifset, #2" : "=r"(daif) : : "memory");
  return daif;
}
// Puts back the mask state arch_irq_save returned.
static inline void arch_irq_restore(uint64_t saved) { __asm__ volatile("msr daif, %0" : : "r"(saved) : "memory"); }
// A hint inside spin loops (lets an SMT sibling or the hypervisor run).
static inline void arch_cpu_relax(void) { __asm__ volatile("yield" ::: "memory"); }
// The index of the CPU running this code (the kernel keeps it in TPIDR_EL1, PerCPU.swift).
static inline unsigned arch_cpu_index(void) {
  uint64_t v;
  __asm__ volatile("mrs %0, tpidr_el1" : "=r"(v));
  return (unsigned)v;
}
// The machine-wide counter every CPU shares (the virtual count, CNTVCT_EL0), in its own ticks.
static inline uint64_t arch_counter_ticks(void) {
  uint64_t v;
  __asm__ volatile("mrs %0, cntvct_el0" : "=r"(v));
  return v;
}
