/* Transfers that never sleep still let other tasks run and stop for signals: a huge read from
 * /dev/zero returns the short count it moved when a handler runs (Linux's read_iter_zero checks
 * signal_pending), and SIGKILL ends a huge writev at once. The syscall fuzzer found a child that a
 * 2 GiB in-kernel copy kept running (and the one CPU busy) long after its SIGKILL. */
#include "check.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>

static volatile int alarms;
static void on_alarm(int s) { (void)s; alarms++; }

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void) {
    begin("longcopy");
    int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);
    CHECK("open", zero >= 0 && null >= 0);

    size_t big = 64 << 20;
    char *buf = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    CHECK("mmap", buf != MAP_FAILED);
    struct sigaction sa = {0};
    sa.sa_handler = on_alarm;                 /* no SA_RESTART */
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = {{0, 0}, {0, 2000}};
    setitimer(ITIMER_REAL, &it, NULL);
    long r = read(zero, buf, big);
    if (r > 0 && (size_t)r < big && alarms == 1) passed++;
    else fail("read-zero-short-count-after-signal", "r = %ld (errno %d), %d alarms", r, errno, alarms);
    munmap(buf, big);

    /* A child that spends nearly all its time in short syscalls (128 pieces of 4 KiB to /dev/null
     * per call): the end of its slice finds it in the kernel, where there is no user code to
     * preempt. The return to user mode must still give the CPU away (need_resched), or this
     * process's sleeps last until a timer interrupt happens to land in user mode. */
    static char small[4096];
    struct iovec smalls[128];
    for (int i = 0; i < 128; i++) { smalls[i].iov_base = small; smalls[i].iov_len = sizeof small; }
    pid_t busy = fork();
    if (busy == 0) {
        for (;;) writev(null, smalls, 128);
    }
    double s0 = now();
    for (int i = 0; i < 10; i++) usleep(10000);
    double slept = now() - s0;
    if (slept < 1.0) passed++;
    else fail("sleeper-runs-beside-a-syscall-loop", "10 sleeps of 10 ms took %.2f s", slept);
    kill(busy, SIGKILL);
    CHECK_EQ("busy-child-reaped", waitpid(busy, NULL, 0), busy);

    /* 16 MiB written to /dev/null 128 times per call (2 GiB), over and over. */
    size_t piece = 16 << 20;
    char *src = mmap(NULL, piece, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    CHECK("mmap-source", src != MAP_FAILED);
    struct iovec iov[128];
    for (int i = 0; i < 128; i++) { iov[i].iov_base = src; iov[i].iov_len = piece; }
    pid_t c = fork();
    if (c == 0) {
        for (;;) writev(null, iov, 128);
    }
    usleep(100000);
    double t0 = now();
    kill(c, SIGKILL);
    int st = 0;
    CHECK_EQ("killed-child-reaped", waitpid(c, &st, 0), c);
    CHECK("killed-by-sigkill", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    double took = now() - t0;
    if (took < 1.0) passed++;
    else fail("sigkill-ends-a-long-write", "the child took %.2f s to die", took);
    return done();
}
