// A syscall fuzzer: children issue every syscall Lichen implements (syscalls.h, generated from the
// kernel's dispatch by tools/gen-sysfuzz-table.py) with structured arguments chosen by kind: open fds
// of every type and invalid ones, paths (existing, missing, long, symlink loops, /proc, /dev), buffers
// that are mapped, unmapped, PROT_NONE, in kernel space or crossing into a hole, sizes and offsets near
// 0, page boundaries, INT_MAX and LONG_MAX, flags from the valid set plus random bits. A quarter of the
// calls are memory calls with sizes and addresses at page and integer boundaries. The kernel must
// survive every run: no panic, no hang.
// usage: sysfuzz SEED CHILDREN CALLS_PER_CHILD [PARALLEL]
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <poll.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>
#include <grp.h>
#include "syscalls.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define PAGE 4096ULL
#define PROGRESS_ADDRESS 0x5a5a00000000ULL

static __thread uint64_t state;          // each thread its own sequence
static uint64_t next(void) {             // xorshift64*: the same sequence for the same seed
    state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
}
#define PICK(a) ((a)[next() % COUNT(a)])

// The buffer most pointers point into: its own mapping, an unmapped page after it, so that the
// kernel's writes past its end fault there instead of overwriting the fuzzer's globals (a read of
// /dev/zero into it once cleared glibc's LSE-atomics flag: SIGILL on a CPU without them).
#define SCRATCH_SIZE 8192
static char *scratch;
static char *holes[2];                   // holes[0]: the last page before an unmapped one; [1]: PROT_NONE
static uint64_t interesting(void) {
    static const uint64_t values[] = {
        0, 1, 2, 3, 4, 7, 8, 16, 64, 255, 256, 4095, 4096, 4097, 65536, 0x7fffffff, 0x80000000, 0xffffffff,
        0x100000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL, (uint64_t)-1,
        (uint64_t)-100, 0x10, 0x400000, 0x0000ff8000000000ULL, 0x0000800000000000ULL, 0xffff000000000000ULL,
    };
    switch (next() % 4) {
    case 0: return PICK(values);
    case 1: return (uint64_t)(scratch + next() % SCRATCH_SIZE);      // a valid pointer
    case 2: return next() % 64;                                         // small numbers, fds
    default: return next();
    }
}

// Memory calls get arguments of their own, where the kernel's size and address arithmetic can go
// wrong: sizes and addresses a page or a byte either side of 0, 2^21, 2^30, the end of user space
// (2^47, 2^48), 2^63 and 2^64, and addresses in and around the child's own mappings.
static uint64_t regions[8];
static uint64_t near_boundary(void) {
    static const uint64_t edges[] = {0, 4096, 1ull << 21, 1ull << 30, 1ull << 47, 1ull << 48, 1ull << 63, 0};
    uint64_t page_step = (next() % 3) * 4096 - 4096, byte_step = next() % 3 - 1;   // wrap below 0: near 2^64
    return edges[next() % 8] + page_step + byte_step;
}
static uint64_t memory_size(void) { return next() % 2 ? near_boundary() : (next() % 8) * 4096 + (next() % 2); }
static uint64_t memory_address(void) {
    switch (next() % 4) {
    case 0: case 1: return regions[next() % 8] + (next() % 5) * 4096 - 4096;
    case 2: return near_boundary();
    default: return interesting();
    }
}
// Most memory calls that would take away the child's own program, stack or progress page are
// skipped: they kill the child, and a restart costs hundreds of calls' time (1 in 16 is still made).
extern char __executable_start[], end[];
static uint64_t stack_top, thread_stack_top, vdso, arena_start;
static int hits(uint64_t a, uint64_t n, uint64_t lo, uint64_t hi) { return a < hi && (a + n < a || a + n > lo); }
static int spares_child(uint64_t a, uint64_t n) {
    if (next() % 16 == 0) return 1;
    return !hits(a, n, (uint64_t)__executable_start, (uint64_t)end + 65536) && !hits(a, n, stack_top - (1 << 20), 1ull << 48)
        && !hits(a, n, PROGRESS_ADDRESS, PROGRESS_ADDRESS + 65536) && !hits(a, n, vdso, vdso + 4 * PAGE)
        && !(thread_stack_top && hits(a, n, thread_stack_top - (1 << 23), thread_stack_top + 65536))
        && !hits(a, n, (uint64_t)scratch, (uint64_t)scratch + SCRATCH_SIZE) && !hits(a, n, arena_start, arena_start + PAGE * 2);
}
static void remember(long r) { if (r != -1) regions[next() % 8] = (uint64_t)r; }

// Descriptors of every kind the child opened at its start (fuzzed calls close and replace them).
static int fds[24], nfds;
static uint64_t fd_arg(void) {
    static const int64_t bad[] = {-1, -100, 1023, 1024, 4096, 65535, 0x7fffffff, INT32_MIN, 0x100000003LL};
    switch (next() % 8) {
    case 0: return (uint64_t)PICK(bad);
    case 1: return next() % 32;
    default: return (uint64_t)(int64_t)fds[next() % nfds];
    }
}

// Paths: the destructive calls (unlink, rename, truncate, chmod, mount...) get only paths under
// /tmp/fuzz (the child's cwd) so that the system the test needs afterwards survives; open gets those,
// devices and /proc files; the read-only calls get any of them and the system's files too.
static char long_path[5000], long_name[300];
static const char *fuzz_paths[] = {"f0", "f1", "d0", "d0/f0", "d0/d1", "l0", "loop0", "dangling", "s0", "fifo",
    "/tmp/fuzz/f0", "/tmp/fuzz/d0/", "missing", "missing/f0", "f0/x", "", "d0/../f1", "d0/./d1//f0"};
static const char *open_paths[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/urandom", "/dev/random", "/dev/rtc0",
    "/proc/self/maps", "/proc/self/stat", "/proc/self/status", "/proc/self/comm", "/proc/self/fd", "/proc/self/cmdline",
    "/proc/meminfo", "/proc/cpuinfo", "/proc/mounts", "/proc/uptime", "/proc/sys/kernel/hostname", "/proc",
    "/proc/sys/vm/overcommit_memory", "/", "/tmp", "/dev", "/proc/self/task", "/proc/1/stat", "/proc/self/fd/3"};
static const char *system_paths[] = {"/bin/busybox", "/bin/sh", "/bin", "/proc/self/exe", "/proc/self/cwd",
    "/proc/self/root", "/dev/tty", "/dev/console", "/init", "/proc/1/maps", "/proc/self/fd/0", ".", ".."};
static uint64_t bad_pointer(void);
static uint64_t path_arg(int level) {   // level 0: destructive, 1: open, 2: read-only
    switch (next() % 10) {
    case 0: return next() % 2 ? (uint64_t)long_path : (uint64_t)long_name;
    case 1: return bad_pointer();
    case 2: case 3: if (level >= 1) return (uint64_t)PICK(open_paths); /* fallthrough */
    case 4: if (level >= 2) return (uint64_t)PICK(system_paths); /* fallthrough */
    default: return (uint64_t)PICK(fuzz_paths);
    }
}

// Buffers: mostly valid, else NULL, unmapped, kernel space, PROT_NONE, or straddling a hole.
static uint64_t bad_pointer(void) {
    static const uint64_t bad[] = {0, 1, 0xfff, 0x0000800000000000ULL, 0x0000ffffffffffffULL, 0xffff000000000000ULL,
        0xffff800000000000ULL, 0xfffffffffffff000ULL, 0xffffffffffffffffULL, 0x7ffffffff000ULL};
    switch (next() % 4) {
    case 0: return (uint64_t)holes[0] + PAGE - next() % 64;            // runs into an unmapped page
    case 1: return (uint64_t)holes[1] + next() % 64;                   // PROT_NONE
    default: return PICK(bad);
    }
}
static uint64_t buffer_arg(void) {
    switch (next() % 8) {
    case 0: return bad_pointer();
    case 1: return regions[next() % 8];
    case 2: return (uint64_t)(scratch + SCRATCH_SIZE - 1 - next() % 16);
    default: return (uint64_t)(scratch + next() % 4096);
    }
}
static uint64_t size_arg(void) {
    static const uint64_t sizes[] = {0, 1, 2, 8, 16, 24, 110, 128, 255, 256, 1023, 4095, 4096, 4097, 8191, 8192,
        65535, 65536, 65537, 0x7ffff000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
        0x8000000000000000ULL, (uint64_t)-1, (uint64_t)-4096, (uint64_t)-2};
    return next() % 4 ? PICK(sizes) : next() % 512;
}
static uint64_t offset_arg(void) {
    static const uint64_t offsets[] = {0, 1, 4095, 4096, 4097, 1ull << 31, 1ull << 32, (1ull << 43) - 4096,
        0x7fffffffffffefffULL, 0x7fffffffffffffffULL, (uint64_t)-1, (uint64_t)-4096, 0x8000000000000000ULL};
    return next() % 3 ? PICK(offsets) : next() % 20000;
}
static uint64_t flags_arg(void) {          // a few low bits, the valid flags of most calls, plus random bits
    switch (next() % 8) {
    case 0: return 0;
    case 1: return next();
    case 2: return next() & 0xffffffff;
    default: {
        uint64_t f = 0;
        for (int i = next() % 4; i >= 0; i--) f |= 1ull << (next() % (next() % 4 ? 12 : 32));
        return f;
    }
    }
}
static uint64_t msg_flags_arg(void) {      // send/recv flags: MSG_OOB (urgent data on AF_UNIX streams) and friends
    static const uint64_t bits[] = {MSG_OOB, MSG_PEEK, MSG_DONTWAIT, MSG_WAITALL, MSG_NOSIGNAL, MSG_TRUNC,
        MSG_CMSG_CLOEXEC, MSG_WAITFORONE, MSG_EOR, MSG_MORE};
    uint64_t f = 0;
    for (int i = next() % 3; i >= 0; i--) f |= PICK(bits);
    return next() % 8 ? f : flags_arg();
}
static uint64_t open_flags(void) {
    static const uint64_t bits[] = {O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NONBLOCK, O_DIRECTORY, O_NOFOLLOW,
        O_CLOEXEC, O_PATH, O_TMPFILE, O_DIRECT, O_SYNC, O_NOCTTY, O_NOATIME, O_LARGEFILE, O_DSYNC, 1u << 30};
    uint64_t f = next() % 3;
    for (int i = next() % 4; i > 0; i--) f |= PICK(bits);
    return next() % 16 ? f : f | next();
}
static uint64_t mode_arg(void) {
    static const uint64_t types[] = {0, S_IFREG, S_IFDIR, S_IFIFO, S_IFSOCK, S_IFCHR, S_IFBLK, S_IFLNK, 0xf000};
    return next() % 8 ? (next() % 010000) | PICK(types) : next();
}
static uint64_t pid_arg(void) {            // never the parent, its group, init or -1: that would end the run
    pid_t me = getpid();
    static const int64_t others[] = {0, 99999, -99999, 0x7fffffff, INT32_MIN, 0x100000000LL + 0};
    switch (next() % 4) {
    case 0: return (uint64_t)(int64_t)PICK(others);
    case 1: return getpgrp() == me ? (uint64_t)(int64_t)-me : 0;
    default: return (uint64_t)(int64_t)me;
    }
}
static uint64_t id_arg(void) {
    static const uint64_t ids[] = {0, 1, 1000, 65534, 65535, 0xffffffff, (uint64_t)-1, 0x7fffffff, 0x100000000ULL};
    return PICK(ids);
}
static uint64_t signal_arg(void) {          // stopping the child only wastes its 5 s; SIGALRM is its watchdog
    uint64_t s = next() % 8 ? next() % 66 : interesting();
    if (s == SIGSTOP || s == SIGTSTP || s == SIGTTIN || s == SIGTTOU) s = 0;
    return s;
}
// The structures arguments point to, in a mapping of their own with an unmapped page after it: the
// kernel writes back into them with fuzzed lengths (msg_namelen, msg_controllen...).
struct arena {
    struct timespec times[4];
    uint64_t sigset[4];
    struct iovec iovecs[8];
    struct pollfd pollfds[8];
    struct sockaddr_un address;
    struct { struct msghdr header; unsigned len; } messages[2];
    uint64_t control[16];
    struct sigaction action;
};
static struct arena *arena;
#define times_buffer (arena->times)
#define sigset_buffer (arena->sigset)
#define iovecs (arena->iovecs)
#define pollfds (arena->pollfds)
#define address_buffer (arena->address)
#define messages (arena->messages)
#define control_buffer (arena->control)
#define action_buffer (arena->action)

static uint64_t clock_arg(void) {
    static const int64_t clocks[] = {-1, -2, -6, -14, 12, 16, 0x7fffffff, INT32_MIN};
    return next() % 4 ? next() % 12 : (uint64_t)PICK(clocks);
}
static uint64_t time_arg(void) {           // short times; the long ones are cut by the watchdog's EINTR
    static const int64_t secs[] = {0, 0, 0, 1, -1, 0x7fffffff, INT64_MAX, INT64_MIN};
    static const int64_t nsecs[] = {0, 1, 1000, 999999999, 1000000000, -1, UTIME_NOW, UTIME_OMIT};
    if (next() % 8 == 0) return next() % 2 ? 0 : bad_pointer();
    for (int i = 0; i < 4; i++) times_buffer[i] = (struct timespec){PICK(secs), PICK(nsecs)};
    return (uint64_t)times_buffer;
}
static uint64_t sigset_arg(void) {         // never blocks SIGALRM (the watchdog)
    if (next() % 8 == 0) return next() % 2 ? 0 : bad_pointer();
    sigset_buffer[0] = next() % 2 ? next() : 0;
    sigset_buffer[0] &= ~(1ull << (SIGALRM - 1));
    return (uint64_t)sigset_buffer;
}
static uint64_t sigset_size(void) { return next() % 8 ? 8 : size_arg(); }
static uint64_t iovec_arg(void) {
    if (next() % 8 == 0) return bad_pointer();
    for (int i = 0; i < 8; i++) iovecs[i] = (struct iovec){(void *)buffer_arg(), next() % 4 ? next() % 300 : size_arg()};
    return (uint64_t)iovecs;
}
static uint64_t count_arg(void) {
    static const uint64_t counts[] = {0, 1, 2, 3, 8, 1024, 1025, 0x7fffffff, 0xffffffff, (uint64_t)-1};
    return next() % 2 ? next() % 8 : PICK(counts);
}
static uint64_t pollfd_arg(void) {
    if (next() % 8 == 0) return bad_pointer();
    for (int i = 0; i < 8; i++) pollfds[i] = (struct pollfd){(int)fd_arg(), (short)(next() % 2 ? POLLIN | POLLOUT : next()), 0};
    return (uint64_t)pollfds;
}
static uint64_t sockaddr_arg(void) {
    static const char *names[] = {"/tmp/fuzz/s0", "/tmp/fuzz/s1", "s0", "", "/tmp/fuzz/missing/s", "/dev/null"};
    if (next() % 8 == 0) return bad_pointer();
    memset(&address_buffer, 0, sizeof address_buffer);
    address_buffer.sun_family = next() % 4 ? AF_UNIX : next() % 64;
    if (next() % 4 == 0) { address_buffer.sun_path[1] = 'a' + next() % 3; }   // abstract
    else strncpy(address_buffer.sun_path, PICK(names), sizeof address_buffer.sun_path);
    if (next() % 16 == 0) memset(address_buffer.sun_path, 'x', sizeof address_buffer.sun_path);
    return (uint64_t)&address_buffer;
}
static uint64_t msghdr_arg(void) {         // with SCM_RIGHTS of real fds, credentials or garbage
    if (next() % 8 == 0) return bad_pointer();
    for (int i = 0; i < 2; i++) {
        struct msghdr *m = &messages[i].header;
        m->msg_name = next() % 2 ? 0 : (void *)sockaddr_arg();
        m->msg_namelen = next() % 2 ? sizeof(struct sockaddr_un) : size_arg();
        m->msg_iov = (void *)iovec_arg();
        m->msg_iovlen = count_arg();
        struct cmsghdr *c = (struct cmsghdr *)control_buffer;
        c->cmsg_level = next() % 4 ? SOL_SOCKET : next();
        c->cmsg_type = next() % 2 ? SCM_RIGHTS : next() % 4;
        c->cmsg_len = next() % 4 ? CMSG_LEN(4 * (1 + next() % 4)) : size_arg();
        int *passed = (int *)CMSG_DATA(c);
        for (int j = 0; j < 4; j++) passed[j] = (int)fd_arg();
        m->msg_control = next() % 4 ? (void *)control_buffer : (void *)buffer_arg();
        m->msg_controllen = next() % 4 ? CMSG_SPACE(16) : size_arg();
        m->msg_flags = next();
    }
    return (uint64_t)messages;
}
static void ignore(int s) { (void)s; }
static uint64_t sigaction_arg(void) {
    if (next() % 8 == 0) return next() % 2 ? 0 : bad_pointer();
    static void (*handlers[])(int) = {SIG_DFL, SIG_IGN, ignore, (void (*)(int))8};
    memset(&action_buffer, 0, sizeof action_buffer);
    action_buffer.sa_handler = PICK(handlers);
    action_buffer.sa_flags = flags_arg();
    ((uint64_t *)&action_buffer.sa_mask)[0] = next() & ~(1ull << (SIGALRM - 1));
    return (uint64_t)&action_buffer;
}
static uint64_t command_arg(char kind) {
    static const uint64_t fcntls[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15, 16, 36, 37, 38, 1024, 1025, 1026,
        1030, 1031, 1032, 1033, 1034, 1036};
    static const uint64_t ioctls[] = {0x5401, 0x5402, 0x5403, 0x5404, 0x540E, 0x540F, 0x5410, 0x5413, 0x5414,
        0x541B, 0x5421, 0x5422, 0x5429, 0x5450, 0x5451, 0x5452, 0x80247009, 0x4024700a, 0x7001, 0x7002,
        0x80086601, 0x40086602, 0x541C, 0x5424, 0x80045430, 0x80047210, 0xc0185879};
    static const uint64_t prctls[] = {1, 2, 3, 4, 8, 15, 16, 22, 23, 24, 36, 37, 38, 39, 40, 41, 45, 46, 47,
        0x59616d61, 1000};
    if (next() % 8 == 0) return next() % 2 ? interesting() : next() & 0xffffffff;
    return kind == 'F' ? PICK(fcntls) : kind == 'I' ? PICK(ioctls) : PICK(prctls);
}
static uint64_t string_arg(void) {          // fs types, xattr names, hostnames
    static const char *strings[] = {"tmpfs", "proc", "devtmpfs", "ramfs", "sysfs", "bogus", "", "user.a", "user.b",
        "trusted.t", "security.capability", "system.posix_acl_access", "user.", "size=4k,mode=1777", "lichen"};
    return next() % 8 ? (uint64_t)PICK(strings) : next() % 2 ? (uint64_t)long_name : bad_pointer();
}

// The argument kinds of each syscall, by name (a syscall without an entry gets random arguments):
// f fd, d dirfd, p/o/w path (read-only / open / destructive), b buffer, n size, o offset... see arg().
static const struct signature { const char *name, *kinds; } signatures[] = {
    {"setxattr", "psbnx"}, {"lsetxattr", "psbnx"}, {"fsetxattr", "fsbnx"}, {"getxattr", "psbn"}, {"lgetxattr", "psbn"},
    {"fgetxattr", "fsbn"}, {"listxattr", "pbn"}, {"llistxattr", "pbn"}, {"flistxattr", "fbn"}, {"removexattr", "ps"},
    {"lremovexattr", "ps"}, {"fremovexattr", "fs"}, {"getcwd", "bn"}, {"dup", "f"}, {"dup3", "ffx"}, {"fcntl", "fFr"},
    {"ioctl", "fIr"}, {"ioprio_set", "cic"}, {"ioprio_get", "ci"}, {"flock", "fx"}, {"mknodat", "dwmr"},
    {"mkdirat", "dwm"}, {"unlinkat", "dwx"}, {"symlinkat", "pdw"}, {"linkat", "dwdwx"}, {"renameat", "dwdw"},
    {"renameat2", "dwdwx"}, {"umount2", "wx"}, {"mount", "wwsxs"}, {"pivot_root", "ww"}, {"statfs", "pb"}, {"fstatfs", "fb"},
    {"truncate", "wO"}, {"ftruncate", "fO"}, {"fallocate", "fxOn"}, {"faccessat", "dpm"}, {"faccessat2", "dpmx"},
    {"chdir", "p"}, {"fchdir", "f"}, {"chroot", "p"}, {"fchmod", "fm"}, {"fchmodat", "dwmx"}, {"fchownat", "dwuux"},
    {"fchown", "fuu"}, {"openat", "dqYm"}, {"close", "f"}, {"pipe2", "bx"}, {"getdents64", "fbn"}, {"lseek", "fOc"},
    {"read", "fbn"}, {"write", "fbn"}, {"readv", "fvl"}, {"writev", "fvl"}, {"pread64", "fbnO"}, {"pwrite64", "fbnO"},
    {"preadv", "fvlO"}, {"pwritev", "fvlO"}, {"preadv2", "fvlOx"}, {"pwritev2", "fvlOx"}, {"sendfile", "ffbn"},
    {"pselect6", "lbbbtb"}, {"ppoll", "Pltkz"}, {"readlinkat", "dpbn"}, {"newfstatat", "dpbx"}, {"fstat", "fb"},
    {"fsync", "f"}, {"fdatasync", "f"}, {"sync_file_range", "fxOO"}, {"utimensat", "dwtx"}, {"capget", "bb"},
    {"capset", "bb"}, {"personality", "x"}, {"exit", "r"}, {"exit_group", "r"}, {"waitid", "cixbb"},
    {"set_tid_address", "b"}, {"unshare", "x"}, {"futex", "bcrtbr"}, {"set_robust_list", "bn"},
    {"get_robust_list", "ibb"}, {"nanosleep", "tb"}, {"getitimer", "cb"}, {"setitimer", "Wtb"},
    {"timer_create", "Cbb"}, {"timer_gettime", "Tb"}, {"timer_getoverrun", "T"}, {"timer_settime", "Txtb"},
    {"timer_delete", "T"}, {"clock_settime", "Ct"}, {"clock_gettime", "Cb"}, {"clock_getres", "Cb"},
    {"clock_nanosleep", "Cxtb"}, {"sched_setparam", "ib"}, {"sched_setscheduler", "icb"}, {"sched_getscheduler", "i"},
    {"sched_getparam", "ib"}, {"sched_setaffinity", "inb"}, {"sched_getaffinity", "inb"}, {"sched_get_priority_max", "c"},
    {"sched_get_priority_min", "c"}, {"sched_rr_get_interval", "ib"}, {"kill", "iS"}, {"tkill", "iS"},
    {"tgkill", "iiS"}, {"sigaltstack", "bb"}, {"rt_sigsuspend", "kz"}, {"rt_sigaction", "Sgbz"},
    {"rt_sigprocmask", "ckbz"}, {"rt_sigpending", "bz"}, {"rt_sigtimedwait", "kbtz"}, {"rt_sigqueueinfo", "iSb"},
    {"rt_tgsigqueueinfo", "iiSb"}, {"rt_sigreturn", ""}, {"setpriority", "cir"}, {"getpriority", "ci"},
    {"setregid", "uu"}, {"setgid", "u"}, {"setreuid", "uu"}, {"setuid", "u"}, {"setresuid", "uuu"},
    {"getresuid", "bbb"}, {"setresgid", "uuu"}, {"getresgid", "bbb"}, {"setfsuid", "u"}, {"setfsgid", "u"},
    {"times", "b"}, {"setpgid", "ii"}, {"getpgid", "i"}, {"getsid", "i"}, {"getgroups", "nb"}, {"setgroups", "nb"},
    {"uname", "b"}, {"sethostname", "sn"}, {"setdomainname", "sn"}, {"getrlimit", "cb"}, {"setrlimit", "cb"},
    {"getrusage", "cb"}, {"umask", "m"}, {"prctl", "Rrrrr"}, {"getcpu", "bbb"}, {"gettimeofday", "bb"},
    {"settimeofday", "tb"}, {"sysinfo", "b"}, {"socket", "ccc"}, {"socketpair", "cccb"}, {"bind", "fan"},
    {"listen", "fc"}, {"accept", "fbb"}, {"connect", "fan"}, {"getsockname", "fbb"}, {"getpeername", "fbb"},
    {"sendto", "fbnGan"}, {"recvfrom", "fbnGbb"}, {"setsockopt", "fccbn"}, {"getsockopt", "fccbb"},
    {"shutdown", "fc"}, {"sendmsg", "fMG"}, {"recvmsg", "fMG"}, {"accept4", "fbbx"}, {"recvmmsg", "fMlGt"},
    {"sendmmsg", "fMlG"}, {"brk", "A"}, {"munmap", "AZ"}, {"mremap", "AZZxA"}, {"mmap", "AZcxfO"},
    {"fadvise64", "fOnc"}, {"mprotect", "AZc"}, {"msync", "AZx"}, {"mlock", "AZ"}, {"munlock", "AZ"},
    {"mlockall", "x"}, {"mincore", "AZb"}, {"madvise", "AZc"}, {"wait4", "ibxb"}, {"prlimit64", "icbb"},
    {"syncfs", "f"}, {"getrandom", "bnx"}, {"membarrier", "xxr"}, {"mlock2", "AZx"}, {"copy_file_range", "fbfbnx"},
    {"statx", "dpxxb"}, {"close_range", "ffx"}, {"clone", "x0000"}, {"clone3", "bn"}, {"execve", "XVV"},
};

static uint64_t vector_arg(void) {         // argv/envp of execve: never an applet name of BusyBox but true
    static const char *argv[] = {"true", "--fuzz", 0};
    switch (next() % 4) {
    case 0: return 0;
    case 1: return bad_pointer();
    default: return (uint64_t)argv;
    }
}
static uint64_t arg(char kind) {
    switch (kind) {
    case 'f': return fd_arg();
    case 'd': return next() % 3 ? (uint64_t)(int64_t)AT_FDCWD : fd_arg();
    case 'w': return path_arg(0);
    case 'q': return path_arg(1);
    case 'p': return path_arg(2);
    case 'X': return next() % 2 ? (uint64_t)"/bin/true" : path_arg(1);
    case 'V': return vector_arg();
    case 'b': return buffer_arg();
    case 'n': return size_arg();
    case 'O': return offset_arg();
    case 'x': return flags_arg();
    case 'G': return msg_flags_arg();
    case 'Y': return open_flags();
    case 'm': return mode_arg();
    case 'c': return next() % 4 ? next() % 8 : interesting();                 // small enum-like values
    case 'l': return count_arg();
    case 'i': return pid_arg();
    case 'u': return id_arg();
    case 'S': return signal_arg();
    case 'C': return clock_arg();
    case 't': return time_arg();
    case 'k': return sigset_arg();
    case 'z': return sigset_size();
    case 'v': return iovec_arg();
    case 'P': return pollfd_arg();
    case 'a': return sockaddr_arg();
    case 'M': return msghdr_arg();
    case 'g': return sigaction_arg();
    case 'F': case 'I': case 'R': return command_arg(kind);
    case 's': return string_arg();
    case 'A': return memory_address();
    case 'Z': return memory_size();
    case 'W': return next() % 4 ? next() % 3 : interesting();   // setitimer's which
    case 'T': return next() % 4 ? next() % 10 : interesting();  // timer ids: the watchdog's is above them
    case '0': return 0;
    default: return interesting();
    }
}

static const char *kinds_of[512];
static int known_count;
static void learn(void) {
    for (size_t i = 0; i < COUNT(known_syscalls); i++) {
        int nr = known_syscalls[i].nr;
        if (nr < 0 || nr >= 512) continue;
        kinds_of[nr] = "rrrrrr";
        for (size_t j = 0; j < COUNT(signatures); j++)
            if (!strcmp(signatures[j].name, known_syscalls[i].name)) kinds_of[nr] = signatures[j].kinds;
        known_count++;
    }
}

// Calls that end the child (it is restarted) are made rarely; calls that would end the run never
// (reboot), nor syslog, whose console-off action would hide a panic from the test reading the console.
static int forbidden(long nr) { return nr == SYS_reboot || nr == SYS_syslog; }
static int ends_child(long nr) {
    return nr == SYS_exit || nr == SYS_exit_group || nr == SYS_execve || nr == SYS_rt_sigreturn;
}

// A raw syscall; a clone's child exits at once, before it touches a stack it may share.
static long raw(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5) {
    register uint64_t x0 __asm__("x0") = a0, x1 __asm__("x1") = a1, x2 __asm__("x2") = a2;
    register uint64_t x3 __asm__("x3") = a3, x4 __asm__("x4") = a4, x5 __asm__("x5") = a5;
    register long x8 __asm__("x8") = nr;
    if (nr == SYS_clone || nr == SYS_clone3)
        __asm__ volatile("svc #0\n cbnz x0, 1f\n mov x8, #93\n svc #0\n 1:"
                         : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5), "r"(x8) : "memory");
    else
        __asm__ volatile("svc #0" : "+r"(x0) : "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5), "r"(x8) : "memory");
    return (long)x0;
}

static void memory_call(void) {
    int which = next() % 9;
    uint64_t a = memory_address(), n = memory_size();
    if (!spares_child(a, n)) return;
    switch (which) {
    case 0: case 1: case 2: {     // mremap: MREMAP_MAYMOVE, _FIXED, _DONTUNMAP in every combination and beyond
        uint64_t size = memory_size(), flags = next() % 9, to = memory_address();
        if ((flags & MREMAP_FIXED) && !spares_child(to, size)) return;
        remember(syscall(SYS_mremap, a, n, size, flags, to));
        break;
    }
    case 3:
        remember(syscall(SYS_mmap, a, n, PROT_READ | PROT_WRITE,
                         (next() % 2 ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | (next() % 4 ? 0 : MAP_FIXED_NOREPLACE), -1,
                         next() % 4 ? 0 : near_boundary()));
        break;
    case 4: syscall(SYS_munmap, a, n); break;
    case 5: syscall(SYS_mprotect, a, n, next() % 8); break;
    case 6: syscall(SYS_madvise, a, n, next() % 26); break;
    case 7:                       // file mappings: tmpfs files, devices, /proc files, pipes
        remember(syscall(SYS_mmap, next() % 2 ? 0 : a, n, next() % 8,
                         (next() % 2 ? MAP_SHARED : MAP_PRIVATE) | (next() % 4 ? 0 : MAP_FIXED_NOREPLACE | MAP_POPULATE),
                         fd_arg(), next() % 2 ? (next() % 4) * 4096 : offset_arg()));
        break;
    default: {
        static const long calls[] = {SYS_mlock, SYS_munlock, SYS_mlock2, SYS_msync, SYS_mincore};
        syscall(calls[next() % 5], a, n, next() % 2 ? (uint64_t)scratch : next() % 8);
    }
    }
    syscall(SYS_getcwd, regions[next() % 8], 64);        // the kernel writes into a mapping (or gets EFAULT)
    if (next() % 4 == 0)                                  // and reads from one
        syscall(SYS_write, fds[next() % nfds], regions[next() % 8], next() % 3 * 4096 + 1);
}

// The unprivileged run ("user" as fifth argument): every child is uid 1000, in its own directories.
static int as_user;

static void setup(int slot) {
    char name[64];
    mkdir("/tmp/fuzz", 0777);
    snprintf(name, sizeof name, as_user ? "/tmp/fuzzu/%d" : "/tmp/fuzz/%d", slot);   // each child slot its own directory
    mkdir(name, 0777);
    chdir(name);
    setpgid(0, 0);                                       // kill(0, ...) reaches this child's group only
    if (getpgrp() != getpid()) _exit(3);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0); dup2(null, 1); dup2(null, 2);
    mkdir("d0", 0777); mkdir("d0/d1", 0777);
    close(open("f0", O_CREAT | O_RDWR, 0644)); close(open("d0/f0", O_CREAT | O_RDWR, 0644));
    symlink("f0", "l0"); symlink("loop0", "loop0"); symlink("missing", "dangling"); mkfifo("fifo", 0644);
    nfds = 0;
    int pair[2];
    static const char *opens[] = {"f0", "d0", ".", "/", "/bin/busybox", "/dev/zero", "/dev/urandom", "/dev/full",
        "/proc/self/maps", "/proc/meminfo", "/proc/self/fd", "/dev/rtc0"};
    fds[nfds++] = 0;
    for (size_t i = 0; i < COUNT(opens); i++) {
        int fd = open(opens[i], i == 0 ? O_RDWR : O_RDONLY);
        if (fd >= 0) fds[nfds++] = fd;
    }
    fds[nfds++] = open("f1", O_CREAT | O_RDWR | O_APPEND, 0644);
    fds[nfds++] = open("f0", O_PATH);
    if (pipe2(pair, O_NONBLOCK) == 0) { fds[nfds++] = pair[0]; fds[nfds++] = pair[1]; }
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, pair) == 0) { fds[nfds++] = pair[0]; fds[nfds++] = pair[1]; }
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, pair) == 0) { fds[nfds++] = pair[0]; fds[nfds++] = pair[1]; }
    int listener = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sun = {AF_UNIX, "s0"};
    if (listener >= 0 && bind(listener, (void *)&sun, sizeof sun) == 0) listen(listener, 4);
    if (listener >= 0) fds[nfds++] = listener;
    for (int i = 0; i < 8; i++)
        regions[i] = (uint64_t)mmap(0, (i + 1) * 4096, PROT_READ | PROT_WRITE, (i % 2 ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    scratch = mmap(0, SCRATCH_SIZE + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(scratch + SCRATCH_SIZE, PAGE);
    uint64_t arena_size = (sizeof(struct arena) + PAGE - 1) & ~(PAGE - 1);
    char *a = mmap(0, arena_size + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(a + arena_size, PAGE);
    arena_start = (uint64_t)a;
    arena = (struct arena *)(a + arena_size - sizeof(struct arena));   // its end against the hole
    char *two = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(two + PAGE, PAGE);
    holes[0] = two;
    holes[1] = mmap(0, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(long_path, 0, sizeof long_path);
    for (size_t i = 0; i + 2 < sizeof long_path; i += 2) memcpy(long_path + i, "d/", 2);
    memset(long_name, 'n', sizeof long_name - 1);
    // The other signals the child sends itself get the watchdog's handler (delivery is still
    // exercised) rather than end it; faults keep their default: returning from them would fault again.
    struct sigaction sa = {0};
    sa.sa_handler = ignore;
    for (int s = 1; s < 65; s++)
        if (s != SIGSEGV && s != SIGBUS && s != SIGILL && s != SIGFPE && s != SIGTRAP && s != SIGSYS) sigaction(s, &sa, 0);
}

// The watchdog: SIGALRM to this thread every 2 ms interrupts whatever blocks (no SA_RESTART).
static void watchdog(void) {
    struct { uint64_t value; int signo, notify, tid, pad[11]; } event = {0, SIGALRM, 4 /* SIGEV_THREAD_ID */, (int)gettid(), {0}};
    int timer, spare;
    static const int none[16] = {0, 0, 1 /* SIGEV_NONE */};
    for (int i = 0; i < 12; i++)         // timer ids the fuzzed timer_delete(0..8) takes instead
        syscall(SYS_timer_create, CLOCK_MONOTONIC, none, &spare);
    struct itimerspec every = {{0, 2000000}, {0, 2000000}};
    if (syscall(SYS_timer_create, CLOCK_MONOTONIC, &event, &timer) == 0) syscall(SYS_timer_settime, timer, 0, &every, 0);
}

static volatile uint64_t *progress;       // shared with the parent: calls made by each child slot
static int slot_calls, my_slot, my_children;
static __thread int thread_index;
// After the counters, per slot and thread: the last TRACE syscalls (nr + 1, 0: none yet, and the
// first three arguments), the newest one still in progress if its result is not written yet.
#define TRACE 8
struct trace { uint64_t count, nr[TRACE], args[TRACE][3], result[TRACE]; };
static volatile struct trace *trace_of(int slot, int thread) {
    return (volatile struct trace *)(progress + my_children) + slot * 2 + thread;
}
static const char *name_of(long nr) {
    for (size_t k = 0; k < COUNT(known_syscalls); k++) if (known_syscalls[k].nr == nr) return known_syscalls[k].name;
    return "?";
}
static void fuzz(void) {
    while (__atomic_fetch_add(&progress[my_slot], 1, __ATOMIC_RELAXED) < (uint64_t)slot_calls) {
        if (next() % 4 == 0) { memory_call(); continue; }
        long nr = known_syscalls[next() % COUNT(known_syscalls)].nr;
        if (forbidden(nr) || (ends_child(nr) && next() % 16)) continue;
        const char *kinds = kinds_of[nr];
        uint64_t a[6];
        for (int k = 0; k < 6; k++) a[k] = kinds[0] && k < (int)strlen(kinds) ? arg(kinds[k]) : interesting();
        if (nr == SYS_rt_sigaction && (int)a[0] == SIGALRM) continue;    // int signum: the kernel sees the low half
        if (nr == SYS_clone) {        // an exit signal that stops this child when its clone exits: SIGCHLD instead
            int exit_signal = a[0] & 0xff;
            if (exit_signal == SIGSTOP || exit_signal == SIGTSTP || exit_signal == SIGTTIN || exit_signal == SIGTTOU)
                a[0] = (a[0] & ~0xffull) | SIGCHLD;
        }
        if (kinds[0] == 'A' && strlen(kinds) > 1 && kinds[1] == 'Z' && !spares_child(a[0], a[1])) continue;
        if (nr == SYS_rt_sigprocmask || nr == SYS_rt_sigsuspend || nr == SYS_rt_sigtimedwait)
            sigset_buffer[0] &= ~(1ull << (SIGALRM - 1));    // the watchdog stays unblocked
        volatile struct trace *t = trace_of(my_slot, thread_index);
        int at = t->count++ % TRACE;
        t->nr[at] = nr + 1; t->args[at][0] = a[0]; t->args[at][1] = a[1]; t->args[at][2] = a[2]; t->result[at] = 0xdeadbeef;
        long r = raw(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
        t->result[at] = r;
        if (nr == SYS_mmap || nr == SYS_mremap) remember(r < 0 && r > -4096 ? -1 : r);
    }
    __atomic_fetch_sub(&progress[my_slot], 1, __ATOMIC_RELAXED);   // the increment that ended the loop
}
static void *second_thread(void *seed) {     // races the first one in the same memory and fd table
    state = (uint64_t)seed;
    thread_index = 1;
    thread_stack_top = (uint64_t)__builtin_frame_address(0);
    watchdog();
    fuzz();
    return 0;
}

static void child(uint64_t seed, int slot, int incarnation, int calls) {
    state = (seed * 2654435761u + 1) ^ ((uint64_t)incarnation << 40);
    if (!state) state = 1;
    for (int i = 0; i < 8; i++) next();
    stack_top = (uint64_t)__builtin_frame_address(0);
    vdso = getauxval(AT_SYSINFO_EHDR);          // signal handlers return through it
    slot_calls = calls;
    my_slot = slot;
    if (as_user && (setgroups(0, 0) || setgid(1000) || setuid(1000))) _exit(4);
    setup(slot);
    watchdog();
    pthread_t t;
    if (next() % 2) pthread_create(&t, 0, second_thread, (void *)(next() | 1));   // half the children: two threads
    fuzz();
    _exit(0);
}

// What the unprivileged run must leave as root had it: a root-owned set-user-ID fixture (bytes, mode,
// owner), the host name, the realtime clock (against the monotonic one) and the mount table.
struct root_state { char host[65], bytes[32], mounts[4096]; struct stat fixture; double clock_offset; };
static void snapshot(struct root_state *st) {
    memset(st, 0, sizeof *st);
    gethostname(st->host, 64);
    int fd = open("/tmp/fuzzroot/fixture", O_RDONLY);
    if (fd >= 0) { read(fd, st->bytes, sizeof st->bytes - 1); close(fd); }
    stat("/tmp/fuzzroot/fixture", &st->fixture);
    fd = open("/proc/mounts", O_RDONLY);
    if (fd >= 0) { read(fd, st->mounts, sizeof st->mounts - 1); close(fd); }
    struct timespec r, m;
    clock_gettime(CLOCK_REALTIME, &r);
    clock_gettime(CLOCK_MONOTONIC, &m);
    st->clock_offset = (r.tv_sec - m.tv_sec) + (r.tv_nsec - m.tv_nsec) / 1e9;
}
static void compare(const struct root_state *a, const struct root_state *b) {
    int changed = 0;
    if (strcmp(a->host, b->host)) { printf("sysfuzz: unprivileged run changed the host name\n"); changed++; }
    if (strcmp(a->bytes, b->bytes)) { printf("sysfuzz: unprivileged run changed root's fixture's bytes\n"); changed++; }
    if (a->fixture.st_mode != b->fixture.st_mode || a->fixture.st_uid != b->fixture.st_uid || a->fixture.st_gid != b->fixture.st_gid) {
        printf("sysfuzz: unprivileged run changed root's fixture's mode or owner\n"); changed++;
    }
    if (strcmp(a->mounts, b->mounts)) { printf("sysfuzz: unprivileged run changed the mount table\n"); changed++; }
    double d = a->clock_offset - b->clock_offset;
    if (d > 2 || d < -2) { printf("sysfuzz: unprivileged run changed the clock\n"); changed++; }
    if (!changed) printf("sysfuzz: unprivileged run changed nothing of root's\n");
}

int main(int argc, char **argv) {
    uint64_t seed = argc > 1 ? strtoull(argv[1], 0, 0) : 1;
    int children = argc > 2 ? atoi(argv[2]) : 20;
    int calls = argc > 3 ? atoi(argv[3]) : 2000;
    int parallel = argc > 4 ? atoi(argv[4]) : 2;
    as_user = argc > 5 && !strcmp(argv[5], "user");
    struct root_state before, after;
    if (as_user) {
        mkdir("/tmp/fuzzu", 0777); chmod("/tmp/fuzzu", 0777);
        mkdir("/tmp/fuzzroot", 0755);
        int fd = open("/tmp/fuzzroot/fixture", O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) { write(fd, "root's fixture\n", 15); close(fd); }
        chmod("/tmp/fuzzroot/fixture", 04777);                // world-writable and set-user-ID: a bait
        snapshot(&before);
    }
    learn();
    mkdir("/tmp/fuzz", 0777);
    // Far from the addresses the memory calls aim at (near the child's mappings and powers of two).
    my_children = children;
    progress = mmap((void *)PROGRESS_ADDRESS, (size_t)children * (8 + 2 * sizeof(struct trace)) + 8, PROT_READ | PROT_WRITE,
                    MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (progress == MAP_FAILED) { perror("mmap"); return 1; }
    // Each slot runs until it has made its calls; a child that exits, dies or is killed after 5 s is
    // replaced (at most 64 times per slot), the replacement continuing from the calls already made.
    pid_t pids[64] = {0};
    int slot_of[64], restarts[4096] = {0}, started[64];
    int reported_faults = 0;
    int next_slot = 0, running = 0, incarnations = 0, crashed = 0, killed = 0, tick = 0;
    if (parallel > 64) parallel = 64;
    if (children > 4096) children = 4096;
    for (;;) {
        while (running < parallel && next_slot < children) {
            int i = 0;
            while (pids[i]) i++;
            slot_of[i] = next_slot++;
            pids[i] = -1;
            running++;
        }
        for (int i = 0; i < parallel; i++) {
            if (pids[i] != -1) continue;
            int slot = slot_of[i];
            pid_t pid = fork();
            for (int t = 0; pid < 0 && (errno == ENOMEM || errno == EAGAIN) && t < 500; t++) {
                struct timespec pause = {0, 10 * 1000 * 1000};     // children may hold much memory: wait up to 5 s
                nanosleep(&pause, 0);
                pid = fork();
            }
            if (pid == 0) child(seed + slot, slot, restarts[slot], calls);
            if (pid < 0) { perror("sysfuzz: fork"); return 1; }
            pids[i] = pid; started[i] = tick; incarnations++;
        }
        if (!running) break;
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, 0);
        tick++;
        int status;
        pid_t pid;
        while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
            for (int i = 0; i < parallel; i++) {
                if (pids[i] != pid) continue;
                if (WIFSIGNALED(status)) crashed++;
                int sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
                if ((sig == SIGSEGV || sig == SIGBUS || sig == SIGILL) && reported_faults++ < 20) {
                    for (int t = 0; t < 2; t++) {       // what it did last: a fault right after a syscall is suspect
                        volatile struct trace *tr = trace_of(slot_of[i], t);
                        if (!tr->count) continue;
                        int at = (tr->count - 1) % TRACE;
                        printf("sysfuzz: child %d (slot %d thread %d) died of signal %d after %s(0x%llx, 0x%llx, 0x%llx) = %lld\n",
                               pid, slot_of[i], t, sig, name_of(tr->nr[at] - 1), (unsigned long long)tr->args[at][0],
                               (unsigned long long)tr->args[at][1], (unsigned long long)tr->args[at][2], (long long)tr->result[at]);
                    }
                    fflush(stdout);
                }
                int slot = slot_of[i];
                if (progress[slot] < (uint64_t)calls && ++restarts[slot] < 64) pids[i] = -1;
                else { pids[i] = 0; running--; }
            }
        }
        for (int i = 0; i < parallel; i++)
            if (pids[i] > 0 && tick - started[i] > 500) {       // 5 s: kill it and its group
                for (int t = 0; t < 2; t++) {
                    volatile struct trace *tr = trace_of(slot_of[i], t);
                    for (uint64_t k = tr->count > TRACE ? tr->count - TRACE : 0; k < tr->count; k++) {
                        int at = k % TRACE;
                        printf("sysfuzz: child %d (slot %d thread %d) stuck 5 s after %s(0x%llx, 0x%llx, 0x%llx) = %lld\n",
                               pids[i], slot_of[i], t, name_of(tr->nr[at] - 1), (unsigned long long)tr->args[at][0],
                               (unsigned long long)tr->args[at][1], (unsigned long long)tr->args[at][2], (long long)tr->result[at]);
                    }
                    fflush(stdout);
                }
                kill(-pids[i], SIGKILL);
                kill(pids[i], SIGKILL);
                killed++;
                started[i] = tick;
            }
    }
    uint64_t made = 0;
    for (int s = 0; s < children; s++) made += progress[s];
    printf("sysfuzz: seed %llu, %d children x %d calls, %d syscalls known: %llu calls made by %d processes, "
           "%d died of a signal, %d killed after 5 s\n", (unsigned long long)seed, children, calls, known_count,
           (unsigned long long)made, incarnations, crashed, killed);
    if (as_user) { snapshot(&after); compare(&before, &after); }
    return 0;
}
