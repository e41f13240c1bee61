// The vDSO's AArch64 part (kernel/vdso/vdso.c is the rest): the syscall instruction, the counter,
// the spin hint, and the names Linux's arm64 vDSO exports (vdso.map gives their version).
#pragma once

// Exported names: __kernel_clock_gettime, ... (glibc's arm64 port looks these up).
#define VDSO_SYMBOL(name) __kernel_##name
// The syscalls the vDSO falls back to (asm-generic numbers).
#define VDSO_NR_clock_gettime 113
#define VDSO_NR_clock_getres 114

static inline long vdso_syscall2(long number, long a0, long a1) {
    register long x8 __asm__("x8") = number;
    register long x0 __asm__("x0") = a0;
    register long x1 __asm__("x1") = a1;
    __asm__ volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1) : "memory");
    return x0;
}

// The virtual counter (CNTVCT_EL0), after every earlier instruction (isb): a read cannot be hoisted
// above the sequence load.
static inline unsigned long long vdso_counter(void) {
    unsigned long long v;
    __asm__ volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(v) : : "memory");
    return v;
}

static inline void vdso_cpu_relax(void) { __asm__ volatile("yield"); }
