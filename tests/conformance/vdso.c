/* The vDSO (man 7 vdso, arm64): AT_SYSINFO_EHDR points at an ELF shared object exporting
 * __kernel_clock_gettime, __kernel_gettimeofday, __kernel_clock_getres and __kernel_rt_sigreturn at
 * version LINUX_2.6.39 (parsed here, as glibc does); its clocks agree with the syscalls and never go
 * backwards when the two are mixed; other clocks fall back to the syscall (errno included); fork
 * keeps it; a handler installed without SA_RESTORER returns through __kernel_rt_sigreturn;
 * /proc/self/maps shows [vvar] and [vdso]. */
#include "check.h"
#include <elf.h>
#include <execinfo.h>
#include <link.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

typedef int (*gettime_fn)(clockid_t, struct timespec *);
typedef int (*gettimeofday_fn)(struct timeval *, struct timezone *);
typedef int (*getres_fn)(clockid_t, struct timespec *);

static uintptr_t base;                      /* AT_SYSINFO_EHDR */
static gettime_fn v_gettime;
static gettimeofday_fn v_gettimeofday;
static getres_fn v_getres;
static uintptr_t v_sigreturn;

#define MS 1000000ll
#define TOLERANCE (200 * MS)                /* a shared host may stall the guest between two reads */
static long long ns(struct timespec t) { return t.tv_sec * 1000000000ll + t.tv_nsec; }
static long long sys_ns(clockid_t c) { struct timespec t; syscall(SYS_clock_gettime, c, &t); return ns(t); }
static long long vdso_ns(clockid_t c) { struct timespec t; v_gettime(c, &t); return ns(t); }

/* The vDSO's dynamic symbol `name` if its version is `version` (0 if absent), found through DT_HASH,
 * DT_SYMTAB, DT_STRTAB, DT_VERSYM and DT_VERDEF as a dynamic loader does. */
static uintptr_t lookup(const char *name, const char *version, const char **soname) {
    const ElfW(Ehdr) *eh = (const void *)base;
    const ElfW(Phdr) *ph = (const void *)(base + eh->e_phoff);
    uintptr_t bias = 0;
    const ElfW(Dyn) *dyn = NULL;
    int bias_set = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_LOAD && !bias_set) { bias = base - ph[i].p_vaddr; bias_set = 1; }
        if (ph[i].p_type == PT_DYNAMIC) dyn = (const void *)ph[i].p_vaddr;
    }
    if (!dyn || !bias_set) return 0;
    dyn = (const void *)((uintptr_t)dyn + bias);
    const ElfW(Sym) *symtab = NULL;
    const char *strtab = NULL;
    const Elf32_Word *hash = NULL;
    const ElfW(Versym) *versym = NULL;
    const ElfW(Verdef) *verdef = NULL;
    uintptr_t soname_offset = 0;
    for (; dyn->d_tag != DT_NULL; dyn++) {
        switch (dyn->d_tag) {
        case DT_SYMTAB: symtab = (const void *)(dyn->d_un.d_ptr + bias); break;
        case DT_STRTAB: strtab = (const void *)(dyn->d_un.d_ptr + bias); break;
        case DT_HASH: hash = (const void *)(dyn->d_un.d_ptr + bias); break;
        case DT_VERSYM: versym = (const void *)(dyn->d_un.d_ptr + bias); break;
        case DT_VERDEF: verdef = (const void *)(dyn->d_un.d_ptr + bias); break;
        case DT_SONAME: soname_offset = dyn->d_un.d_val; break;
        }
    }
    if (!symtab || !strtab || !hash || !versym || !verdef) return 0;
    if (soname) *soname = strtab + soname_offset;
    for (Elf32_Word i = 0; i < hash[1]; i++) {              /* nchain = number of symbols */
        const ElfW(Sym) *s = &symtab[i];
        if (s->st_shndx == SHN_UNDEF || strcmp(strtab + s->st_name, name)) continue;
        unsigned index = versym[i] & 0x7fff;
        const ElfW(Verdef) *d = verdef;
        for (;;) {
            if (d->vd_ndx == index) {
                const ElfW(Verdaux) *aux = (const void *)((const char *)d + d->vd_aux);
                if (!strcmp(strtab + aux->vda_name, version)) return s->st_value + bias;
                break;
            }
            if (!d->vd_next) break;
            d = (const void *)((const char *)d + d->vd_next);
        }
    }
    return 0;
}

static int parse(void) {
    base = getauxval(AT_SYSINFO_EHDR);
    CHECK("auxv-sysinfo-ehdr", base != 0);
    if (!base) return 0;
    const unsigned char *e = (const void *)base;
    CHECK("elf-magic", !memcmp(e, ELFMAG, SELFMAG) && e[EI_CLASS] == ELFCLASS64);
    CHECK_EQ("elf-type-dyn", ((const ElfW(Ehdr) *)base)->e_type, ET_DYN);
    const char *soname = NULL;
    v_gettime = (gettime_fn)lookup("__kernel_clock_gettime", "LINUX_2.6.39", &soname);
    v_gettimeofday = (gettimeofday_fn)lookup("__kernel_gettimeofday", "LINUX_2.6.39", NULL);
    v_getres = (getres_fn)lookup("__kernel_clock_getres", "LINUX_2.6.39", NULL);
    v_sigreturn = lookup("__kernel_rt_sigreturn", "LINUX_2.6.39", NULL);
    CHECK("soname", soname && !strcmp(soname, "linux-vdso.so.1"));
    CHECK("sym-clock_gettime", v_gettime != NULL);
    CHECK("sym-gettimeofday", v_gettimeofday != NULL);
    CHECK("sym-clock_getres", v_getres != NULL);
    CHECK("sym-rt_sigreturn", v_sigreturn != 0);
    CHECK("other-version-not-found", lookup("__kernel_clock_gettime", "LINUX_2.6", NULL) == 0);
    if (v_sigreturn) {
        const uint32_t *code = (const void *)v_sigreturn;      /* mov x8, #139; svc #0 */
        CHECK("sigreturn-code", code[0] == 0xd2801168 && code[1] == 0xd4000001);
    }
    return v_gettime && v_gettimeofday && v_getres && v_sigreturn;
}

static const struct { clockid_t id; const char *name; } clocks[] = {
    {CLOCK_REALTIME, "realtime"}, {CLOCK_MONOTONIC, "monotonic"}, {CLOCK_MONOTONIC_RAW, "monotonic-raw"},
    {CLOCK_BOOTTIME, "boottime"}, {CLOCK_REALTIME_COARSE, "realtime-coarse"}, {CLOCK_MONOTONIC_COARSE, "monotonic-coarse"},
};
#define NCLOCKS (int)(sizeof clocks / sizeof clocks[0])

static void clocks_agree(void) {
    char name[64];
    for (int i = 0; i < NCLOCKS; i++) {
        clockid_t c = clocks[i].id;
        struct timespec t;
        snprintf(name, sizeof name, "gettime-%s-ok", clocks[i].name);
        CHECK_EQ(name, v_gettime(c, &t), 0);
        snprintf(name, sizeof name, "gettime-%s-nsec-range", clocks[i].name);
        CHECK(name, t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
        long long v1 = vdso_ns(c), s = sys_ns(c), v2 = vdso_ns(c);
        snprintf(name, sizeof name, "gettime-%s-ordered", clocks[i].name);
        if (v1 <= s && s <= v2) passed++; else fail(name, "vdso %lld, syscall %lld, vdso %lld", v1, s, v2);
        snprintf(name, sizeof name, "gettime-%s-close", clocks[i].name);
        if (v2 - v1 < TOLERANCE) passed++; else fail(name, "vdso %lld, syscall %lld, vdso %lld", v1, s, v2);
        /* interleaved: never backwards, whichever path reads */
        long long last = v2, bad = 0;
        for (int k = 0; k < 2000 && !bad; k++) {
            long long a = (k & 1) ? sys_ns(c) : vdso_ns(c);
            if (a < last) bad = last - a;
            last = a;
        }
        snprintf(name, sizeof name, "gettime-%s-monotonic-mixed", clocks[i].name);
        if (!bad) passed++; else fail(name, "went back by %lld ns", bad);
        /* libc's clock_gettime (through the vDSO when there is one) agrees too */
        long long l1 = vdso_ns(c), l, l2;
        clock_gettime(c, &t);
        l = ns(t);
        l2 = vdso_ns(c);
        snprintf(name, sizeof name, "libc-%s-ordered", clocks[i].name);
        if (l1 <= l && l <= l2) passed++; else fail(name, "vdso %lld, libc %lld, vdso %lld", l1, l, l2);
    }
}

static void timeofday(void) {
    struct timeval tv;
    struct timezone tz = {-1, -1}, stz = {-2, -2};
    CHECK_EQ("gettimeofday-null-null", v_gettimeofday(NULL, NULL), 0);
    CHECK_EQ("gettimeofday-tv", v_gettimeofday(&tv, NULL), 0);
    CHECK("gettimeofday-usec-range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    long long v1 = tv.tv_sec * 1000000ll + tv.tv_usec;
    struct timeval s;
    syscall(SYS_gettimeofday, &s, NULL);
    v_gettimeofday(&tv, NULL);
    long long sv = s.tv_sec * 1000000ll + s.tv_usec, v2 = tv.tv_sec * 1000000ll + tv.tv_usec;
    if (v1 <= sv && sv <= v2 && v2 - v1 < TOLERANCE / 1000) passed++;
    else fail("gettimeofday-agrees", "vdso %lld, syscall %lld, vdso %lld (us)", v1, sv, v2);
    long long rt = sys_ns(CLOCK_REALTIME) / 1000;
    v_gettimeofday(&tv, NULL);
    long long after = tv.tv_sec * 1000000ll + tv.tv_usec;
    if (rt <= after && after - rt < TOLERANCE / 1000) passed++; else fail("gettimeofday-vs-realtime", "realtime %lld us, then gettimeofday %lld us", rt, after);
    CHECK_EQ("gettimeofday-tz-only", v_gettimeofday(NULL, &tz), 0);
    syscall(SYS_gettimeofday, NULL, &stz);
    CHECK("gettimeofday-tz-as-syscall", tz.tz_minuteswest == stz.tz_minuteswest && tz.tz_dsttime == stz.tz_dsttime);
    CHECK_EQ("gettimeofday-both", v_gettimeofday(&tv, &tz), 0);
    struct timeval ltv;
    CHECK_EQ("libc-gettimeofday", gettimeofday(&ltv, NULL), 0);
}

static void resolutions(void) {
    char name[64];
    clockid_t more[] = {CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};
    for (int i = 0; i < NCLOCKS + 2; i++) {
        clockid_t c = i < NCLOCKS ? clocks[i].id : more[i - NCLOCKS];
        struct timespec v = {-1, -1}, s = {-2, -2};
        int r = v_getres(c, &v);
        syscall(SYS_clock_getres, c, &s);
        snprintf(name, sizeof name, "getres-%d", (int)c);
        if (r == 0 && v.tv_sec == s.tv_sec && v.tv_nsec == s.tv_nsec) passed++;
        else fail(name, "vdso %d {%ld, %ld}, syscall {%ld, %ld}", r, (long)v.tv_sec, v.tv_nsec, (long)s.tv_sec, s.tv_nsec);
        snprintf(name, sizeof name, "getres-null-%d", (int)c);
        CHECK_EQ(name, v_getres(c, NULL), 0);
    }
}

/* Clocks the vDSO does not compute itself go to the syscall: its error (as -errno, the kernel ABI),
 * and through libc errno. */
static void fallbacks(void) {
    struct timespec t;
    CHECK_EQ("bad-clock-gettime", v_gettime(100, &t), -EINVAL);
    CHECK_EQ("bad-clock-gettime-16", v_gettime(16, &t), -EINVAL);
    CHECK_EQ("bad-clock-getres", v_getres(100, &t), -EINVAL);
    CHECK_ERR("libc-bad-clock-gettime", clock_gettime(100, &t), EINVAL);
    CHECK_ERR("libc-bad-clock-getres", clock_getres(100, &t), EINVAL);
    /* a CPU clock of a process that does not exist: pid 0x3ffffff, above pid_max */
    clockid_t gone = (clockid_t)((~0x3ffffffu << 3) | 2);
    CHECK_EQ("cpu-clock-no-process", v_gettime(gone, &t), -EINVAL);
    volatile unsigned long spin = 0;
    for (int i = 0; i < 3000000; i++) spin += i;
    struct timespec p1, p2, th;
    CHECK_EQ("process-cputime", v_gettime(CLOCK_PROCESS_CPUTIME_ID, &p1), 0);
    CHECK("process-cputime-nonzero", ns(p1) > 0);
    long long s = sys_ns(CLOCK_PROCESS_CPUTIME_ID);
    v_gettime(CLOCK_PROCESS_CPUTIME_ID, &p2);
    CHECK("process-cputime-ordered", ns(p1) <= s && s <= ns(p2));
    CHECK_EQ("thread-cputime", v_gettime(CLOCK_THREAD_CPUTIME_ID, &th), 0);
    CHECK("thread-cputime-nonzero", ns(th) > 0);
    clockid_t own;
    CHECK_EQ("getcpuclockid", clock_getcpuclockid(getpid(), &own), 0);
    CHECK_EQ("own-cpu-clock", v_gettime(own, &t), 0);
}

/* clock_settime moves CLOCK_REALTIME for the vDSO too (the data page's writer), and back. */
static void settime(void) {
    if (geteuid() != 0) return;
    long long m0 = sys_ns(CLOCK_MONOTONIC), r0 = sys_ns(CLOCK_REALTIME);
    long long shift = 1000000 * 1000000000ll;                   /* 1e6 s ahead */
    struct timespec t = {(r0 + shift) / 1000000000, (r0 + shift) % 1000000000};
    CHECK_OK("settime-forward", syscall(SYS_clock_settime, CLOCK_REALTIME, &t));
    long long v = vdso_ns(CLOCK_REALTIME), s = sys_ns(CLOCK_REALTIME);
    if (v >= r0 + shift && v - (r0 + shift) < 10 * TOLERANCE) passed++; else fail("settime-vdso-sees-it", "vdso %lld, set to %lld", v, r0 + shift);
    CHECK("settime-vdso-vs-syscall", v <= s && s - v < TOLERANCE);
    struct timeval tv;
    v_gettimeofday(&tv, NULL);
    CHECK("settime-gettimeofday-sees-it", tv.tv_sec >= (r0 + shift) / 1000000000);
    long long back = r0 + (sys_ns(CLOCK_MONOTONIC) - m0);
    t.tv_sec = back / 1000000000;
    t.tv_nsec = back % 1000000000;
    CHECK_OK("settime-back", syscall(SYS_clock_settime, CLOCK_REALTIME, &t));
    v = vdso_ns(CLOCK_REALTIME);
    CHECK("settime-vdso-back", v >= back && v - back < 10 * TOLERANCE);
}

static void forked(void) {
    pid_t pid = fork();
    if (pid == 0) {
        int bad = 0;
        if (getauxval(AT_SYSINFO_EHDR) != base) bad |= 1;
        long long v1 = vdso_ns(CLOCK_MONOTONIC), s = sys_ns(CLOCK_MONOTONIC), v2 = vdso_ns(CLOCK_MONOTONIC);
        if (!(v1 <= s && s <= v2)) bad |= 2;
        struct timespec t;
        if (v_gettime(100, &t) != -EINVAL) bad |= 4;
        _exit(bad);
    }
    int status = -1;
    CHECK_EQ("fork-wait", waitpid(pid, &status, 0), pid);
    CHECK_EQ("fork-child-uses-vdso", status, 0);
}

static volatile int handled, frames;
static volatile uintptr_t handler_return;
static void *trace[32];
static __attribute__((noinline)) void on_usr1(int sig) {
    (void)sig;
    handled++;
    handler_return = (uintptr_t)__builtin_return_address(0);
    if (handled == 1) frames = backtrace(trace, 32);
}

/* The raw rt_sigaction, without SA_RESTORER: the kernel returns through the vDSO. */
struct kernel_sigaction { void (*handler)(int); unsigned long flags; void (*restorer)(void); unsigned long mask; };

static void signal_return(void) {
    struct kernel_sigaction sa = {on_usr1, 0, NULL, 0}, old;
    CHECK_OK("rt_sigaction-no-restorer", syscall(SYS_rt_sigaction, SIGUSR1, &sa, &old, 8));
    volatile long before = 12345;
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
    CHECK_EQ("handler-ran", handled, 1);
    CHECK_EQ("handler-returned", before, 12345);
    if (handler_return == v_sigreturn) passed++;
    else fail("handler-returns-to-vdso", "lr %#lx, __kernel_rt_sigreturn %#lx", (unsigned long)handler_return, (unsigned long)v_sigreturn);
    /* the unwinder gets from the handler through __kernel_rt_sigreturn back into this function */
    int found = 0;
    for (int i = 0; i < frames; i++)
        if ((uintptr_t)trace[i] > (uintptr_t)signal_return && (uintptr_t)trace[i] < (uintptr_t)signal_return + 4096) found = 1;
    if (found) passed++; else fail("backtrace-through-sigreturn", "%d frames, none in signal_return", frames);
    syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), SIGUSR1);
    CHECK_EQ("handler-ran-twice", handled, 2);
    /* libc's signal() (no SA_RESTORER on arm64 either) */
    signal(SIGUSR2, on_usr1);
    raise(SIGUSR2);
    CHECK_EQ("libc-handler-ran", handled, 3);
    sa.handler = (void (*)(int))SIG_DFL;
    syscall(SYS_rt_sigaction, SIGUSR1, &sa, NULL, 8);
}

static void maps(void) {
    FILE *f = fopen("/proc/self/maps", "r");
    CHECK("maps-open", f != NULL);
    if (!f) return;
    char line[512];
    unsigned long vdso_start = 0, vdso_end = 0, vvar_start = 0, vvar_end = 0;
    char vdso_perms[8] = "", vvar_perms[8] = "";
    while (fgets(line, sizeof line, f)) {
        unsigned long s, e;
        char perms[8];
        if (sscanf(line, "%lx-%lx %7s", &s, &e, perms) != 3) continue;
        if (strstr(line, "[vdso]")) { vdso_start = s; vdso_end = e; strcpy(vdso_perms, perms); }
        if (strstr(line, "[vvar]")) { vvar_start = s; vvar_end = e; strcpy(vvar_perms, perms); }
    }
    fclose(f);
    CHECK("maps-vdso", vdso_start != 0);
    CHECK("maps-vvar", vvar_start != 0);
    CHECK_EQ("maps-vdso-at-ehdr", vdso_start, base);
    CHECK("maps-vdso-covers-image", vdso_end > vdso_start);
    CHECK("maps-vdso-perms", !strcmp(vdso_perms, "r-xp"));
    CHECK("maps-vvar-perms", !strcmp(vvar_perms, "r--p"));
    CHECK("maps-vvar-below-vdso", vvar_end == vdso_start && vvar_start < vvar_end);
    /* the data page is read-only for user space */
    CHECK_ERR("vvar-not-writable", mprotect((void *)vvar_start, 4096, PROT_READ | PROT_WRITE), EACCES);
}

/* The text may be made writable (a debugger's breakpoint): the write copies the page for this
 * process only (a new program sees the original); MADV_DONTNEED brings the original back. */
static void private_copy(char *self) {
    unsigned char *e = (unsigned char *)base;
    int pad = EI_NIDENT - 1;                    /* e_ident padding: not used by anyone */
    unsigned char original = e[pad];
    CHECK_OK("text-mprotect-writable", mprotect(e, 4096, PROT_READ | PROT_WRITE | PROT_EXEC));
    e[pad] = original ^ 0x5a;
    CHECK_EQ("text-written", e[pad], original ^ 0x5a);
    CHECK("text-still-runs", vdso_ns(CLOCK_MONOTONIC) > 0);
    pid_t pid = fork();
    if (pid == 0) {
        char arg[8];
        snprintf(arg, sizeof arg, "%d", original);
        execl(self, self, "--header-byte", arg, (char *)NULL);
        _exit(127);
    }
    int status = -1;
    waitpid(pid, &status, 0);
    CHECK_EQ("text-write-is-private", status, 0);
    CHECK_OK("text-dontneed", madvise(e, 4096, MADV_DONTNEED));
    CHECK_EQ("text-dontneed-restores", e[pad], original);
    CHECK("text-runs-after-dontneed", vdso_ns(CLOCK_MONOTONIC) > 0);
    CHECK_OK("text-mprotect-back", mprotect(e, 4096, PROT_READ | PROT_EXEC));
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--header-byte"))
        return ((unsigned char *)getauxval(AT_SYSINFO_EHDR))[EI_NIDENT - 1] == atoi(argv[2]) ? 0 : 1;
    begin("vdso");
    if (parse()) {
        clocks_agree();
        timeofday();
        resolutions();
        fallbacks();
        settime();
        forked();
        signal_return();
        maps();
        private_copy(argv[0]);
    }
    return done();
}
