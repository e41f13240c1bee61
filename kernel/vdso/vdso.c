// Lichen's vDSO: clock_gettime, gettimeofday and clock_getres answered in user space from the
// machine's counter and the data page (vvar.h), computing exactly what the kernel's
// syscalls return (kernel/concurrency/Clocks.swift, kernel/syscalls/TimeSyscalls.swift), so mixing
// the two never goes backwards. Every other clock (CPU-time clocks, unknown ids) is the real syscall,
// which also sets the right error. Built position independent with no relocations (docs/userspace.md
// "vDSO"). The architecture's part (the syscall and counter instructions, the exported names and their
// version) is kernel/arch/$(ARCH)/vdso.
#include "vvar.h"
#include "vdso_arch.h"

typedef unsigned long long u64;
typedef long long s64;

struct kernel_timespec { s64 tv_sec; s64 tv_nsec; };
struct kernel_timeval { s64 tv_sec; s64 tv_usec; };
struct kernel_timezone { int tz_minuteswest; int tz_dsttime; };

// The page below the text (linker script): no GOT, no relocation, just a PC-relative address.
extern const volatile struct lichen_vvar lichen_vvar_page __attribute__((visibility("hidden")));

#define NSEC_PER_SEC 1000000000ull

// Nanoseconds for `ticks`, the kernel's formula (Clock.nanoseconds in kernel/arch/$(ARCH)/CPU.swift).
static inline u64 nanoseconds(u64 ticks, u64 f) {
    return (ticks / f) * NSEC_PER_SEC + (ticks % f) * NSEC_PER_SEC / f;
}

// Monotonic (realtime = 0) or realtime nanoseconds, consistent with one data page snapshot.
static u64 read_clock(int realtime) {
    const volatile struct lichen_vvar *d = &lichen_vvar_page;
    unsigned int seq;
    u64 f, base, ticks;
    for (;;) {
        seq = __atomic_load_n(&d->sequence, __ATOMIC_ACQUIRE);
        if (seq & 1) { vdso_cpu_relax(); continue; }
        f = d->frequency;
        base = d->realtime_base;
        ticks = vdso_counter();
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        if (__atomic_load_n(&d->sequence, __ATOMIC_RELAXED) == seq) break;
    }
    u64 ns = nanoseconds(ticks, f);
    return realtime ? base + ns : ns;
}

// Which clocks are answered here: 1 realtime, 0 monotonic, -1 not ours (the syscall answers).
static inline int kind(int clock) {
    switch (clock) {
    case 0: case 5: return 1;                   // CLOCK_REALTIME, CLOCK_REALTIME_COARSE
    case 1: case 4: case 6: case 7: return 0;   // MONOTONIC, MONOTONIC_RAW, MONOTONIC_COARSE, BOOTTIME
    default: return -1;
    }
}

int VDSO_SYMBOL(clock_gettime)(int clock, struct kernel_timespec *ts) {
    int k = kind(clock);
    if (k < 0) return (int)vdso_syscall2(VDSO_NR_clock_gettime, clock, (long)ts);
    u64 ns = read_clock(k);
    ts->tv_sec = (s64)(ns / NSEC_PER_SEC);
    ts->tv_nsec = (s64)(ns % NSEC_PER_SEC);
    return 0;
}

int VDSO_SYMBOL(gettimeofday)(struct kernel_timeval *tv, struct kernel_timezone *tz) {
    if (tv) {
        u64 ns = read_clock(1);
        tv->tv_sec = (s64)(ns / NSEC_PER_SEC);
        tv->tv_usec = (s64)(ns % NSEC_PER_SEC / 1000);
    }
    if (tz) {                                   // Lichen keeps no timezone: always UTC, no DST
        tz->tz_minuteswest = 0;
        tz->tz_dsttime = 0;
    }
    return 0;
}

int VDSO_SYMBOL(clock_getres)(int clock, struct kernel_timespec *res) {
    u64 ns;
    switch (clock) {
    case 0: case 1: case 4: case 7: ns = 1; break;
    case 5: case 6: ns = 4000000; break;        // the coarse clocks: a tick (HZ=250), as TimeSyscalls
    default: return (int)vdso_syscall2(VDSO_NR_clock_getres, clock, (long)res);
    }
    if (res) { res->tv_sec = 0; res->tv_nsec = (s64)ns; }
    return 0;
}
