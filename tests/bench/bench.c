/* User-space micro-benchmarks: the same static binary runs on Lichen and on Linux.
 * usage: bench NAME [ITERATIONS|NNms] prints "BENCH NAME NS_PER_OP ITERATIONS [NOTE]"
 *                                  or "BENCHNA NAME REASON" when the case cannot run on this kernel
 *        bench --list               prints the names
 *        bench --noop               exits at once (the execve target)
 *        bench --hang               blocks in read(2) under the watchdog (checks the watchdog)
 * Every case runs under a watchdog (alarm, WATCHDOG_S seconds): a case that hangs prints
 * "BENCHNA NAME watchdog: ..." and exits instead of stalling the whole run. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef WATCHDOG_S
#define WATCHDOG_S 30
#endif

static char *self;
static const char *current = "?";
static char buf[65536];
static int fd;
static char note[160];

static long long now(void) {
    struct timespec t;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000ll + t.tv_nsec;
}

static void disarm_watchdog(void);
static void na(const char *fmt, const char *what, int err) {
    printf("BENCHNA %s ", current);
    printf(fmt, what, strerror(err));
    printf("\n");
    fflush(stdout);
    disarm_watchdog();
    exit(3);
}

static void b_getpid(void) { syscall(SYS_getpid); }
static void b_clock_syscall(void) { struct timespec t; syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t); }
static void b_clock_libc(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); }
static void s_clock_libc(void) {
    snprintf(note, sizeof note, getauxval(AT_SYSINFO_EHDR) ? "path=vDSO" : "path=syscall(no-vDSO)");
}
static void s_clock_vdso(void) {   /* the vDSO path only: not applicable without one */
    if (!getauxval(AT_SYSINFO_EHDR)) { printf("BENCHNA %s no vDSO (no AT_SYSINFO_EHDR in auxv)\n", current); disarm_watchdog(); exit(3); }
}
static void b_read_zero(void) { read(fd, buf, 4096); }
static void b_write_null(void) { write(fd, buf, 4096); }
static void b_open_close(void) { close(open("/tmp/bench-file", O_RDONLY)); }
static void b_stat(void) { struct stat st; stat("/tmp/bench-file", &st); }
static void b_fork(void) { pid_t p = fork(); if (p == 0) _exit(0); waitpid(p, NULL, 0); }
static void b_fork_exec(void) {
    char *argv[] = {self, "--noop", NULL}, *envp[] = {NULL};
    pid_t p = fork();
    if (p == 0) { execve(self, argv, envp); _exit(127); }
    waitpid(p, NULL, 0);
}
static void b_vfork_exec(void) {
    char *argv[] = {self, "--noop", NULL}, *envp[] = {NULL};
    pid_t p = vfork();
    if (p == 0) { execve(self, argv, envp); _exit(127); }
    waitpid(p, NULL, 0);
}
static void s_exec(void) {   /* fail clearly if the execve target does not run */
    char *argv[] = {self, "--noop", NULL}, *envp[] = {NULL};
    int st = -1;
    pid_t p = fork();
    if (p < 0) na("%s: %s", "fork", errno);
    if (p == 0) { execve(self, argv, envp); _exit(127); }
    waitpid(p, &st, 0);
    if (st != 0) { printf("BENCHNA %s execve child status %#x\n", current, st); disarm_watchdog(); exit(3); }
}

/* pipe ping-pong: one op = one byte to a child and one byte back (two pipe writes, two reads,
 * two context switches on -smp 1) */
static int ping[2], pong[2];
static pid_t peer;
static void s_pingpong(void) {
    if (pipe(ping) || pipe(pong)) na("%s: %s", "pipe", errno);
    peer = fork();
    if (peer < 0) na("%s: %s", "fork", errno);
    if (peer == 0) {
        char c;
        close(ping[1]); close(pong[0]);
        while (read(ping[0], &c, 1) == 1)
            if (write(pong[1], &c, 1) != 1) break;
        _exit(0);
    }
    close(ping[0]); close(pong[1]);
}
static void b_pingpong(void) {
    char c = 'x';
    if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1) na("%s: %s", "ping-pong", errno);
}
static void t_pingpong(void) { close(ping[1]); close(pong[0]); waitpid(peer, NULL, 0); }

/* pipe bandwidth: a child writes 64 KiB chunks; one op = 64 KiB read by the parent */
static int bw[2];
static void s_bandwidth(void) {
    if (pipe(bw)) na("%s: %s", "pipe", errno);
    peer = fork();
    if (peer < 0) na("%s: %s", "fork", errno);
    if (peer == 0) {
        close(bw[0]);
        for (;;) if (write(bw[1], buf, sizeof buf) < 0) _exit(0);
    }
    close(bw[1]);
}
static void b_bandwidth(void) {
    size_t got = 0;
    while (got < sizeof buf) {
        ssize_t n = read(bw[0], buf, sizeof buf - got);
        if (n <= 0) na("%s: %s", "pipe read", n < 0 ? errno : EPIPE);
        got += n;
    }
}
static void t_bandwidth(void) { close(bw[0]); kill(peer, SIGKILL); waitpid(peer, NULL, 0); }

/* AF_UNIX stream socketpair: ping-pong (one op = one byte there and back) and bandwidth (one op =
 * 64 KiB read), as the pipe cases */
static int us[2];
static void s_unix_pingpong(void) {
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, us)) na("%s: %s", "socketpair", errno);
    peer = fork();
    if (peer < 0) na("%s: %s", "fork", errno);
    if (peer == 0) {
        char c;
        close(us[0]);
        while (read(us[1], &c, 1) == 1)
            if (write(us[1], &c, 1) != 1) break;
        _exit(0);
    }
    close(us[1]);
}
static void b_unix_pingpong(void) {
    char c = 'x';
    if (write(us[0], &c, 1) != 1 || read(us[0], &c, 1) != 1) na("%s: %s", "unix ping-pong", errno);
}
static void s_unix_bandwidth(void) {
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, us)) na("%s: %s", "socketpair", errno);
    peer = fork();
    if (peer < 0) na("%s: %s", "fork", errno);
    if (peer == 0) {
        close(us[0]);
        for (;;) if (write(us[1], buf, sizeof buf) < 0) _exit(0);
    }
    close(us[1]);
}
static void b_unix_bandwidth(void) {
    size_t got = 0;
    while (got < sizeof buf) {
        ssize_t n = read(us[0], buf, sizeof buf - got);
        if (n <= 0) na("%s: %s", "unix read", n < 0 ? errno : EPIPE);
        got += n;
    }
}
static void t_unix(void) { close(us[0]); kill(peer, SIGKILL); waitpid(peer, NULL, 0); }

/* a pipe into a CPU-bound consumer, as `dd bs=1M | md5sum`: a child writes 1 MiB at a time; one op =
 * 1 MiB read and hashed (FNV-1a) by the parent. Wall time against instructions shows what costs no
 * instructions (TLB and cache maintenance, timer interrupts, CPU hand-offs); run it with --smp 2. */
#define MIB (1 << 20)
static char *mib;   /* mapped by the case, not in .bss: a bigger image would change the fork cases */
static volatile unsigned long long hash_sink;
static void s_pipe_hash(void) {
    mib = mmap(NULL, MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mib == MAP_FAILED) na("%s: %s", "mmap", errno);
    if (pipe(bw)) na("%s: %s", "pipe", errno);
    peer = fork();
    if (peer < 0) na("%s: %s", "fork", errno);
    if (peer == 0) {
        close(bw[0]);
        for (;;) if (write(bw[1], mib, MIB) < 0) _exit(0);
    }
    close(bw[1]);
}
static void b_pipe_hash(void) {
    size_t got = 0;
    unsigned long long h = 1469598103934665603ull;
    while (got < MIB) {
        ssize_t n = read(bw[0], mib + got, MIB - got);
        if (n <= 0) na("%s: %s", "pipe read", n < 0 ? errno : EPIPE);
        for (ssize_t i = 0; i < n; i++) h = (h ^ (unsigned char)mib[got + i]) * 1099511628211ull;
        got += n;
    }
    hash_sink = h;
}

/* pty round trip: one op = one byte written to the master, read by a child from the raw-mode slave,
 * written back and read from the master (devpts is mounted on /dev/pts first if it is not there) */
static int pty_master;
static void s_pty(void) {
    struct statfs fs;
    if (statfs("/dev/pts", &fs) != 0 || fs.f_type != 0x1cd1) {
        mkdir("/dev/pts", 0755);
        if (mount("devpts", "/dev/pts", "devpts", 0, "")) na("%s: %s", "mount devpts", errno);
    }
    pty_master = posix_openpt(O_RDWR | O_NOCTTY);
    if (pty_master < 0 || grantpt(pty_master) || unlockpt(pty_master)) na("%s: %s", "posix_openpt", errno);
    int slave = open(ptsname(pty_master), O_RDWR | O_NOCTTY);
    if (slave < 0) na("%s: %s", "open pty slave", errno);
    struct termios t;
    tcgetattr(slave, &t);
    cfmakeraw(&t);
    tcsetattr(slave, TCSANOW, &t);
    peer = fork();
    if (peer < 0) na("%s: %s", "fork", errno);
    if (peer == 0) {
        char c;
        close(pty_master);
        while (read(slave, &c, 1) == 1)
            if (write(slave, &c, 1) != 1) break;
        _exit(0);
    }
    close(slave);
}
static void b_pty(void) {
    char c = 'x';
    if (write(pty_master, &c, 1) != 1 || read(pty_master, &c, 1) != 1) na("%s: %s", "pty round trip", errno);
}
static void t_pty(void) { close(pty_master); kill(peer, SIGKILL); waitpid(peer, NULL, 0); }

static void b_mmap(void) { void *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); munmap(m, 65536); }
static void b_page_fault(void) {   /* one op = one page touched for the first time */
    static char *m; static int i;
    if (!m || i == 256) { if (m) munmap(m, 256 * 4096); m = mmap(NULL, 256 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); i = 0; }
    m[i++ * 4096] = 1;
}
static void b_brk(void) { uintptr_t b = syscall(SYS_brk, 0); syscall(SYS_brk, b + 4096); syscall(SYS_brk, b); }

/* kill + signal handler: one op = kill(self) -> handler runs -> sigreturn */
static volatile sig_atomic_t caught;
static void on_usr1(int s) { (void)s; caught++; }
static void s_signal(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGUSR1, &sa, NULL)) na("%s: %s", "sigaction", errno);
}
static void b_signal(void) {
    int before = caught;
    kill(getpid(), SIGUSR1);
    if (caught == before) { printf("BENCHNA %s handler did not run before kill returned\n", current); disarm_watchdog(); exit(3); }
}
static void b_yield(void) { sched_yield(); }

/* thread create + join: glibc pthread (clone with CLONE_THREAD|CLONE_VM|..., futex join) */
static void *thread_fn(void *a) { return a; }
static void b_thread(void) {
    pthread_t t;
    int e = pthread_create(&t, NULL, thread_fn, NULL);
    if (e) na("%s: %s", "pthread_create", e);
    e = pthread_join(t, NULL);
    if (e) na("%s: %s", "pthread_join", e);
}

/* condition-variable hand-off: a token passed between two threads through a mutex and a condition
 * variable; one op = a round trip (two hand-offs, each a futex wake and a futex wait) */
static struct { pthread_mutex_t m; pthread_cond_t c; int turn; int stop; } tok = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER};
static pthread_t tok_peer;
static void *tok_thread(void *a) {
    pthread_mutex_lock(&tok.m);
    for (;;) {
        while (tok.turn != 1 && !tok.stop) pthread_cond_wait(&tok.c, &tok.m);
        if (tok.stop) break;
        tok.turn = 0;
        pthread_cond_signal(&tok.c);
    }
    pthread_mutex_unlock(&tok.m);
    return a;
}
static void s_handoff(void) {
    int e = pthread_create(&tok_peer, NULL, tok_thread, NULL);
    if (e) na("%s: %s", "pthread_create", e);
}
static void b_handoff(void) {
    pthread_mutex_lock(&tok.m);
    tok.turn = 1;
    pthread_cond_signal(&tok.c);
    while (tok.turn != 0) pthread_cond_wait(&tok.c, &tok.m);
    pthread_mutex_unlock(&tok.m);
}
static void t_handoff(void) {
    pthread_mutex_lock(&tok.m);
    tok.stop = 1;
    pthread_cond_broadcast(&tok.c);
    pthread_mutex_unlock(&tok.m);
    pthread_join(tok_peer, NULL);
}

/* epoll_wait over 1000 eventfds (level-triggered), with 1 or all 1000 of them ready, and an
 * eventfd ping-pong between two threads (one op = a round trip) */
#define EP_FDS 1000
static int ep_fd = -1, ep_efd[EP_FDS];
static struct epoll_event ep_out[EP_FDS];
static void s_epoll(int ready) {
    ep_fd = epoll_create1(0);
    if (ep_fd < 0) na("%s: %s", "epoll_create1", errno);
    for (int i = 0; i < EP_FDS; i++) {
        ep_efd[i] = eventfd(i < ready ? 1 : 0, 0);
        if (ep_efd[i] < 0) na("%s: %s", "eventfd", errno);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
        if (epoll_ctl(ep_fd, EPOLL_CTL_ADD, ep_efd[i], &ev)) na("%s: %s", "epoll_ctl", errno);
    }
}
static void s_epoll_1(void) { s_epoll(1); }
static void s_epoll_all(void) { s_epoll(EP_FDS); }
static void b_epoll(void) { epoll_wait(ep_fd, ep_out, EP_FDS, 0); }
static void t_epoll(void) { for (int i = 0; i < EP_FDS; i++) close(ep_efd[i]); close(ep_fd); }

static int efd_ping = -1, efd_pong = -1;
static pthread_t efd_peer;
static void *efd_thread(void *a) {
    uint64_t v;
    for (;;) {
        if (read(efd_ping, &v, 8) != 8 || v > 1) break;       /* 2: stop */
        v = 1;
        (void)!write(efd_pong, &v, 8);
    }
    return a;
}
static void s_efd_pingpong(void) {
    efd_ping = eventfd(0, 0);
    efd_pong = eventfd(0, 0);
    if (efd_ping < 0 || efd_pong < 0) na("%s: %s", "eventfd", errno);
    int e = pthread_create(&efd_peer, NULL, efd_thread, NULL);
    if (e) na("%s: %s", "pthread_create", e);
}
static void b_efd_pingpong(void) {
    uint64_t v = 1;
    (void)!write(efd_ping, &v, 8);
    (void)!read(efd_pong, &v, 8);
}
static void t_efd_pingpong(void) {
    uint64_t v = 2;
    (void)!write(efd_ping, &v, 8);
    pthread_join(efd_peer, NULL);
    close(efd_ping);
    close(efd_pong);
}

static struct {
    const char *name; void (*fn)(void); int iterations /* at most */; const char *open;
    void (*setup)(void), (*teardown)(void);
} benches[] = {
    {"getpid", b_getpid, 1000000, ""},
    {"clock_gettime-syscall", b_clock_syscall, 1000000, ""},
    {"clock_gettime-vDSO", b_clock_libc, 10000000, "", s_clock_vdso},
    {"clock_gettime-libc", b_clock_libc, 10000000, "", s_clock_libc},
    {"read-4K-/dev/zero", b_read_zero, 200000, "/dev/zero"},
    {"write-4K-/dev/null", b_write_null, 200000, "/dev/null"},
    {"open+close", b_open_close, 100000, ""},
    {"stat", b_stat, 100000, ""},
    {"fork+exit+wait", b_fork, 100, ""},
    {"fork+execve+wait", b_fork_exec, 20, "", s_exec},
    {"vfork+execve+wait", b_vfork_exec, 20, "", s_exec},
    {"pipe-ping-pong", b_pingpong, 100000, "", s_pingpong, t_pingpong},
    {"pipe-bandwidth-64K", b_bandwidth, 10000, "", s_bandwidth, t_bandwidth},
    {"pipe-1M+hash", b_pipe_hash, 64, "", s_pipe_hash, t_bandwidth},
    {"pty-round-trip", b_pty, 50000, "", s_pty, t_pty},
    {"unix-ping-pong", b_unix_pingpong, 100000, "", s_unix_pingpong, t_unix},
    {"unix-bandwidth-64K", b_unix_bandwidth, 10000, "", s_unix_bandwidth, t_unix},
    {"mmap+munmap-64K", b_mmap, 100000, ""},
    {"anon-page-fault", b_page_fault, 200000, ""},
    {"brk-grow+shrink", b_brk, 100000, ""},
    {"kill+signal-handler", b_signal, 100000, "", s_signal},
    {"sched_yield", b_yield, 1000000, ""},
    {"pthread-create+join", b_thread, 2000, ""},
    {"condvar-handoff", b_handoff, 100000, "", s_handoff, t_handoff},
    {"epoll_wait-1-of-1000-ready", b_epoll, 200000, "", s_epoll_1, t_epoll},
    {"epoll_wait-1000-ready", b_epoll, 10000, "", s_epoll_all, t_epoll},
    {"eventfd-ping-pong-threads", b_efd_pingpong, 100000, "", s_efd_pingpong, t_efd_pingpong},
};
#define N (int)(sizeof benches / sizeof benches[0])

static pid_t watchdog;
/* alarm(WATCHDOG_S); where setitimer is missing (Lichen today) a child process sleeps and sends
 * SIGALRM instead */
static void arm_watchdog(void) {
    struct itimerval it = {{0, 0}, {WATCHDOG_S, 0}};
    if (syscall(SYS_setitimer, ITIMER_REAL, &it, NULL) == 0) return;
    pid_t parent = getpid();
    watchdog = fork();
    if (watchdog == 0) {
        struct timespec t = {WATCHDOG_S, 0};
        while (nanosleep(&t, &t) && errno == EINTR) {}
        kill(parent, SIGALRM);
        _exit(0);
    }
}
static void disarm_watchdog(void) {
    if (watchdog > 0) { kill(watchdog, SIGKILL); waitpid(watchdog, NULL, 0); watchdog = 0; }
    else alarm(0);
}

static void on_alarm(int s) {
    (void)s;
    char msg[200];
    int n = snprintf(msg, sizeof msg, "BENCHNA %s watchdog: no result after %d s\n", current, WATCHDOG_S);
    write(1, msg, n);
    _exit(4);
}

int main(int argc, char **argv) {
    self = argv[0];
    if (argc < 2) { fprintf(stderr, "usage: bench NAME [ITERATIONS] | --list | --noop\n"); return 2; }
    if (!strcmp(argv[1], "--noop")) return 0;
    if (!strcmp(argv[1], "--list")) { for (int i = 0; i < N; i++) printf("%s\n", benches[i].name); return 0; }
    setvbuf(stdout, NULL, _IONBF, 0);
    if (!strcmp(argv[1], "--hang")) {
        int p[2];
        current = "--hang";
        signal(SIGALRM, on_alarm);
        arm_watchdog();
        if (pipe(p) == 0) read(p[0], buf, 1);
        return 1;
    }
    close(open("/tmp/bench-file", O_CREAT | O_WRONLY, 0644));
    for (int i = 0; i < N; i++) {
        if (strcmp(argv[1], benches[i].name)) continue;
        current = benches[i].name;
        signal(SIGALRM, on_alarm);
        arm_watchdog();
        /* ITERATIONS: exactly that many; "NNms" (or nothing: 100ms): as many as fit in about NN ms of
         * guest time, at most the table's count (fork/exec cases: Lichen keeps exited processes) and
         * at least 1; the warm-up (a tenth of the target, at least one call) gives the estimate */
        const char *arg = argc > 2 ? argv[2] : "100ms";
        int cap = benches[i].iterations, iters;
        if (benches[i].open[0] && (fd = open(benches[i].open, O_RDWR)) < 0) na("open %s: %s", benches[i].open, errno);
        if (benches[i].setup) benches[i].setup();
        if (strstr(arg, "ms")) {
            long long target = atoll(arg) * 1000000ll, spent;
            int batch = 1, done = 0;
            for (;;) {   /* doubling batches, so the clock read does not count per call */
                long long w0 = now();
                for (int k = 0; k < batch; k++) benches[i].fn();
                spent = now() - w0;
                done += batch;
                if (spent >= target / 10 || done >= cap / 10) break;
                batch *= 2;
            }
            long long want = spent > 0 ? target * batch / spent : cap;
            iters = want > cap ? cap : want < 1 ? 1 : (int)want;
        } else {
            iters = atoi(arg);
            for (int w = 0; w < iters / 10 + 1; w++) benches[i].fn();   /* warm-up */
        }
        long long t0 = now();
        for (int k = 0; k < iters; k++) benches[i].fn();
        long long t1 = now();
        if (benches[i].teardown) benches[i].teardown();
        disarm_watchdog();
        printf("BENCH %s %.1f %d%s%s\n", benches[i].name, (double)(t1 - t0) / iters, iters, note[0] ? " " : "", note);
        return 0;
    }
    fprintf(stderr, "bench: unknown benchmark %s\n", argv[1]);
    return 2;
}
