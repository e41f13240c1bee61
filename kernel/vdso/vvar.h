// The vDSO's data page ("vvar"): one page of kernel-written, user-readable data mapped just below the
// vDSO text in every process. The kernel (kernel/process/Vdso.swift) writes it; the vDSO reads it.
// The layout is fixed: Vdso.swift writes these offsets.
#pragma once

struct lichen_vvar {
    // Sequence counter: odd while the kernel is rewriting the fields below (clock_settime,
    // settimeofday). Readers retry until they see the same even value before and after.
    unsigned int sequence;                  // offset 0
    unsigned int reserved;                  // offset 4
    // CNTFRQ_EL0: counter ticks per second.
    unsigned long long frequency;           // offset 8
    // CLOCK_REALTIME at counter value 0, in nanoseconds (wrapping, as RealtimeClock's base).
    unsigned long long realtime_base;       // offset 16
};
