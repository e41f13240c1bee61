// A syscall fuzzer: children issue random syscalls with random and boundary arguments (bad pointers,
// huge lengths, negative fds, invalid flags; a quarter of them memory calls with sizes and addresses at
// page and integer boundaries). The kernel must survive every run: no panic, no hang.
// usage: sysfuzz SEED CHILDREN CALLS_PER_CHILD
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t state;
static uint64_t next(void) {             // xorshift64*: the same sequence for the same seed
    state ^= state >> 12; state ^= state << 25; state ^= state >> 27;
    return state * 0x2545F4914F6CDD1DULL;
}

static char scratch[8192];
static uint64_t interesting(void) {
    static const uint64_t values[] = {
        0, 1, 2, 3, 4, 7, 8, 16, 64, 255, 256, 4095, 4096, 4097, 65536, 0x7fffffff, 0x80000000, 0xffffffff,
        0x100000000ULL, 0x7fffffffffffffffULL, 0x8000000000000000ULL, 0xffffffffffffffffULL, (uint64_t)-1,
        (uint64_t)-100, 0x10, 0x400000, 0x0000ff8000000000ULL, 0x0000800000000000ULL, 0xffff000000000000ULL,
    };
    switch (next() % 4) {
    case 0: return values[next() % (sizeof values / sizeof values[0])];
    case 1: return (uint64_t)(scratch + next() % sizeof scratch);      // a valid pointer
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
static void remember(long r) { if (r != -1) regions[next() % 8] = (uint64_t)r; }
static void memory_call(void) {
    switch (next() % 8) {
    case 0: case 1: case 2:       // mremap: MREMAP_MAYMOVE, _FIXED, _DONTUNMAP in every combination and beyond
        remember(syscall(SYS_mremap, memory_address(), memory_size(), memory_size(), next() % 9, memory_address()));
        break;
    case 3:
        remember(syscall(SYS_mmap, memory_address(), memory_size(), PROT_READ | PROT_WRITE,
                         (next() % 2 ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS | (next() % 4 ? 0 : MAP_FIXED_NOREPLACE), -1,
                         next() % 4 ? 0 : near_boundary()));
        break;
    case 4: syscall(SYS_munmap, memory_address(), memory_size()); break;
    case 5: syscall(SYS_mprotect, memory_address(), memory_size(), next() % 8); break;
    case 6: syscall(SYS_madvise, memory_address(), memory_size(), next() % 26); break;
    default: {
        static const long calls[] = {SYS_mlock, SYS_munlock, SYS_mlock2, SYS_msync, SYS_mincore};
        syscall(calls[next() % 5], memory_address(), memory_size(), next() % 2 ? (uint64_t)scratch : next() % 8);
    }
    }
    syscall(SYS_getcwd, regions[next() % 8], 64);        // the kernel writes into a mapping (or gets EFAULT)
}

// Syscalls a child must not make: they would end the test rather than test the kernel.
static int forbidden(long nr) {
    switch (nr) {
    case SYS_reboot: case SYS_exit: case SYS_exit_group: case SYS_kill: case SYS_tkill: case SYS_tgkill:
    case SYS_execve: case SYS_clone: case SYS_clone3: case SYS_rt_sigreturn: case SYS_setsid:
    case SYS_setpgid: case SYS_ioctl: case SYS_read: case SYS_readv: case SYS_pread64:
    case SYS_ppoll: case SYS_pselect6: case SYS_wait4: case SYS_waitid: case SYS_rt_sigsuspend:
    case SYS_rt_sigtimedwait: case SYS_nanosleep: case SYS_clock_nanosleep: case SYS_futex:
    case SYS_umount2: case SYS_mount: case SYS_chroot: case SYS_pivot_root:
        return 1;
    }
    return 0;
}

static void child(uint64_t seed, int calls) {
    state = seed * 2654435761u + 1;
    chdir("/tmp/fuzz");
    for (int i = 0; i < 8; i++)
        regions[i] = (uint64_t)mmap(0, (i + 1) * 4096, PROT_READ | PROT_WRITE, (i % 2 ? MAP_SHARED : MAP_PRIVATE) | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < calls; i++) {
        if (next() % 4 == 0) { memory_call(); continue; }
        long nr = next() % 300;
        if (forbidden(nr)) continue;
        syscall(nr, interesting(), interesting(), interesting(), interesting(), interesting(), interesting());
    }
    _exit(0);
}

int main(int argc, char **argv) {
    uint64_t seed = argc > 1 ? strtoull(argv[1], 0, 0) : 1;
    int children = argc > 2 ? atoi(argv[2]) : 20;
    int calls = argc > 3 ? atoi(argv[3]) : 2000;
    mkdir("/tmp/fuzz", 0777);
    int finished = 0, killed = 0, crashed = 0;
    for (int c = 0; c < children; c++) {
        pid_t pid = fork();
        if (pid == 0) child(seed + c, calls);
        if (pid < 0) { perror("fork"); return 1; }
        int status = 0;
        for (int t = 0; t < 500; t++) {                 // at most 5 s per child
            if (waitpid(pid, &status, WNOHANG) == pid) goto done;
            struct timespec ts = {0, 10 * 1000 * 1000};
            nanosleep(&ts, 0);
        }
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        killed++;
        continue;
    done:
        if (WIFSIGNALED(status)) crashed++; else finished++;
    }
    printf("sysfuzz: seed %llu, %d children x %d calls: %d finished, %d died of a signal, %d killed after 5 s\n",
           (unsigned long long)seed, children, calls, finished, crashed, killed);
    return 0;
}
