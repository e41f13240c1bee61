// A syscall fuzzer: children issue random syscalls with random and boundary arguments (bad pointers,
// huge lengths, negative fds, invalid flags). The kernel must survive every run: no panic, no hang.
// usage: sysfuzz SEED CHILDREN CALLS_PER_CHILD
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    for (int i = 0; i < calls; i++) {
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
