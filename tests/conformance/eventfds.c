/* The event file descriptors: eventfd2 (counter and semaphore modes, flags, overflow rules, 8-byte
 * reads and writes, blocking and non-blocking, poll and epoll readiness). */
#include "check.h"
#include <poll.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sched.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/rseq.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#define PIDFD_NONBLOCK_ O_NONBLOCK

static int readable(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN | POLLOUT};
    if (poll(&p, 1, 0) < 0) return -1;
    return p.revents;
}

static void eventfd_checks(void) {
    uint64_t v = 0;
    CHECK_ERR("efd-bad-flags", syscall(SYS_eventfd2, 0, 2), EINVAL);
    CHECK_ERR("efd-bad-flags-high", syscall(SYS_eventfd2, 0, 0x100000), EINVAL);
    int fd = eventfd(5, EFD_CLOEXEC);
    CHECK("efd-create", fd >= 0);
    CHECK_EQ("efd-cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ("efd-flags", fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
    CHECK_EQ("efd-poll-ready", readable(fd), POLLIN | POLLOUT);
    char small[4];
    CHECK_ERR("efd-short-read", read(fd, small, 4), EINVAL);
    CHECK_ERR("efd-short-write", write(fd, small, 4), EINVAL);
    CHECK_ERR("efd-bad-write-pointer", syscall(SYS_write, fd, BADPTR, 8), EFAULT);
    char big[16] = {0};
    CHECK_EQ("efd-long-read", read(fd, big, 16), 8);
    memcpy(&v, big, 8);
    CHECK_EQ("efd-read-value", v, 5);
    CHECK_EQ("efd-poll-empty", readable(fd), POLLOUT);
    CHECK_EQ("efd-seek-noop", lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ("efd-seek-noop-end", lseek(fd, 5, SEEK_END), 0);
    v = 0xffffffffffffffffull;
    CHECK_ERR("efd-write-max", write(fd, &v, 8), EINVAL);
    v = 0xfffffffffffffffeull;
    CHECK_EQ("efd-write-limit", write(fd, &v, 8), 8);
    CHECK_EQ("efd-full-not-writable", readable(fd), POLLIN);
    fcntl(fd, F_SETFL, O_NONBLOCK);
    v = 1;
    CHECK_ERR("efd-overflow-eagain", write(fd, &v, 8), EAGAIN);
    v = 0;
    CHECK_EQ("efd-write-zero", write(fd, &v, 8), 8);
    CHECK_EQ("efd-read-all", read(fd, &v, 8), 8);
    CHECK_EQ("efd-read-all-value", v, 0xfffffffffffffffeull);
    CHECK_ERR("efd-empty-eagain", read(fd, &v, 8), EAGAIN);
    close(fd);

    fd = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
    CHECK_EQ("sem-nonblock", fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    CHECK_EQ("sem-read1", read(fd, &v, 8), 8);
    CHECK_EQ("sem-value1", v, 1);
    CHECK_EQ("sem-read2", read(fd, &v, 8), 8);
    CHECK_EQ("sem-value2", v, 1);
    CHECK_ERR("sem-empty", read(fd, &v, 8), EAGAIN);
    v = 3;
    write(fd, &v, 8);
    CHECK_EQ("sem-after-write", read(fd, &v, 8), 8);
    CHECK_EQ("sem-after-write-value", v, 1);
    close(fd);

    /* a blocking read woken by another process's write */
    fd = eventfd(0, 0);
    pid_t child = fork();
    if (child == 0) {
        struct timespec d = {0, 30 * 1000 * 1000};
        nanosleep(&d, NULL);
        uint64_t one = 7;
        (void)!write(fd, &one, 8);
        _exit(0);
    }
    v = 0;
    CHECK_EQ("efd-blocking-read", read(fd, &v, 8), 8);
    CHECK_EQ("efd-blocking-value", v, 7);
    waitpid(child, NULL, 0);

    /* epoll: level-triggered stays, edge-triggered reports once per write */
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u32 = 3}, out;
    CHECK_OK("efd-epoll-add", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    CHECK_EQ("efd-epoll-empty", epoll_wait(ep, &out, 1, 0), 0);
    v = 1;
    write(fd, &v, 8);
    CHECK_EQ("efd-et-first", epoll_wait(ep, &out, 1, 0), 1);
    CHECK_EQ("efd-et-once", epoll_wait(ep, &out, 1, 0), 0);
    write(fd, &v, 8);
    CHECK_EQ("efd-et-second-write", epoll_wait(ep, &out, 1, 0), 1);
    CHECK_EQ("efd-et-second-data", out.data.u32, 3);
    close(ep);
    close(fd);
}

static long ms_since(struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

static void timerfd_checks(void) {
    struct itimerspec its = {0}, old;
    uint64_t n = 0;
    CHECK_ERR("tfd-bad-clock", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
    CHECK_ERR("tfd-bad-clock-raw", timerfd_create(CLOCK_MONOTONIC_RAW, 0), EINVAL);
    CHECK_ERR("tfd-bad-flags", timerfd_create(CLOCK_MONOTONIC, 1), EINVAL);
    int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
    CHECK("tfd-create", fd >= 0);
    CHECK_EQ("tfd-cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ("tfd-nonblock", fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    CHECK_OK("tfd-realtime", ({ int r = timerfd_create(CLOCK_REALTIME, 0); if (r >= 0) close(r); r; }));
    CHECK_OK("tfd-boottime", ({ int r = timerfd_create(CLOCK_BOOTTIME, 0); if (r >= 0) close(r); r; }));
    CHECK_OK("tfd-gettime-disarmed", timerfd_gettime(fd, &old));
    CHECK("tfd-disarmed-zero", old.it_value.tv_sec == 0 && old.it_value.tv_nsec == 0);
    CHECK_ERR("tfd-read-disarmed", read(fd, &n, 8), EAGAIN);
    CHECK_ERR("tfd-short-read", read(fd, &n, 4), EINVAL);
    CHECK_ERR("tfd-settime-bad-flags", timerfd_settime(fd, 4, &its, NULL), EINVAL);
    its.it_value.tv_nsec = 1000000000;
    CHECK_ERR("tfd-settime-bad-nsec", timerfd_settime(fd, 0, &its, NULL), EINVAL);
    CHECK_ERR("tfd-settime-bad-pointer", syscall(SYS_timerfd_settime, fd, 0, BADPTR, NULL), EFAULT);
    CHECK_ERR("tfd-gettime-bad-pointer", syscall(SYS_timerfd_gettime, fd, BADPTR), EFAULT);
    int efd = eventfd(0, 0);
    CHECK_ERR("tfd-settime-not-timerfd", timerfd_settime(efd, 0, &(struct itimerspec){0}, NULL), EINVAL);
    CHECK_ERR("tfd-gettime-not-timerfd", timerfd_gettime(efd, &old), EINVAL);
    CHECK_ERR("tfd-settime-bad-fd", timerfd_settime(999, 0, &(struct itimerspec){0}, NULL), EBADF);
    close(efd);

    /* one-shot, relative: 30 ms */
    its = (struct itimerspec){.it_value = {0, 30 * 1000 * 1000}};
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_OK("tfd-settime", timerfd_settime(fd, 0, &its, NULL));
    CHECK_OK("tfd-gettime", timerfd_gettime(fd, &old));
    CHECK("tfd-gettime-remaining", old.it_value.tv_sec == 0 && old.it_value.tv_nsec > 0 && old.it_value.tv_nsec <= 30 * 1000 * 1000);
    CHECK_ERR("tfd-not-yet", read(fd, &n, 8), EAGAIN);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    CHECK_EQ("tfd-poll-wakes", poll(&p, 1, 2000), 1);
    CHECK("tfd-poll-after-expiry", ms_since(&t0) >= 25);
    CHECK_EQ("tfd-read", read(fd, &n, 8), 8);
    CHECK_EQ("tfd-read-one", n, 1);
    CHECK_ERR("tfd-read-again", read(fd, &n, 8), EAGAIN);
    CHECK_OK("tfd-gettime-expired", timerfd_gettime(fd, &old));
    CHECK("tfd-expired-zero", old.it_value.tv_sec == 0 && old.it_value.tv_nsec == 0);

    /* periodic: 10 ms, missed periods counted */
    its = (struct itimerspec){.it_value = {0, 10 * 1000 * 1000}, .it_interval = {0, 10 * 1000 * 1000}};
    struct timespec armed;
    clock_gettime(CLOCK_MONOTONIC, &armed);
    CHECK_OK("tfd-periodic", timerfd_settime(fd, 0, &its, NULL));
    struct timespec d = {0, 55 * 1000 * 1000};
    nanosleep(&d, NULL);
    CHECK_EQ("tfd-periodic-read", read(fd, &n, 8), 8);
    /* At least the 5 periods slept through; at most those that elapsed until the read returned (a
     * loaded host can oversleep, on either kernel). */
    long elapsed = ms_since(&armed);
    if (n >= 5 && (long)n <= elapsed / 10 + 1) passed++;
    else fail("tfd-periodic-count", "%llu expirations after %ld ms", (unsigned long long)n, elapsed);
    CHECK_OK("tfd-settime-old", timerfd_settime(fd, 0, &(struct itimerspec){0}, &old));
    CHECK("tfd-old-interval", old.it_interval.tv_sec == 0 && old.it_interval.tv_nsec == 10 * 1000 * 1000);
    CHECK("tfd-old-value", old.it_value.tv_nsec > 0 && old.it_value.tv_nsec <= 10 * 1000 * 1000);
    CHECK_ERR("tfd-disarmed-by-zero", read(fd, &n, 8), EAGAIN);

    /* absolute, in the past: expires at once */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    its = (struct itimerspec){.it_value = {0, 1}};        /* 1 ns after boot */
    CHECK_OK("tfd-abstime-past", timerfd_settime(fd, TFD_TIMER_ABSTIME, &its, NULL));
    p.revents = 0;
    CHECK_EQ("tfd-abstime-poll", poll(&p, 1, 1000), 1);   /* Linux fires it from the timer interrupt */
    CHECK_EQ("tfd-abstime-read", read(fd, &n, 8), 8);
    CHECK_EQ("tfd-abstime-count", n, 1);
    close(fd);

    /* blocking read, and epoll */
    fd = timerfd_create(CLOCK_REALTIME, 0);
    its = (struct itimerspec){.it_value = {0, 20 * 1000 * 1000}};
    timerfd_settime(fd, 0, &its, NULL);
    CHECK_EQ("tfd-blocking-read", read(fd, &n, 8), 8);
    CHECK_EQ("tfd-blocking-count", n, 1);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 4}, out;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    timerfd_settime(fd, 0, &its, NULL);
    CHECK_EQ("tfd-epoll-wait", epoll_wait(ep, &out, 1, 2000), 1);
    CHECK_EQ("tfd-epoll-data", out.data.u32, 4);
    close(ep);

    /* TFD_TIMER_CANCEL_ON_SET: setting the realtime clock cancels the wait (root only) */
    clock_gettime(CLOCK_REALTIME, &now);
    its = (struct itimerspec){.it_value = {now.tv_sec + 3600, 0}};
    CHECK_OK("tfd-cancel-on-set", timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &its, NULL));
    if (geteuid() == 0) {
        clock_gettime(CLOCK_REALTIME, &now);
        CHECK_OK("tfd-clock-set", clock_settime(CLOCK_REALTIME, &now));
        fcntl(fd, F_SETFL, O_NONBLOCK);
        CHECK_ERR("tfd-canceled", read(fd, &n, 8), ECANCELED);
        CHECK_ERR("tfd-canceled-once", read(fd, &n, 8), EAGAIN);
    }
    CHECK_EQ("tfd-seek-noop", lseek(fd, 0, SEEK_CUR), 0);
    close(fd);
}

/* rseq: glibc registered one for this thread already (unless disabled by a tunable); take it back,
 * register our own, and check the CPU fields and every error. */
static struct rseq area __attribute__((aligned(32)));

static long sys_rseq(void *p, unsigned len, int flags, unsigned sig) {
    return syscall(SYS_rseq, p, len, flags, sig);
}

static void rseq_checks(void) {
    if (__rseq_size > 0) {
        void *glibc = (char *)__builtin_thread_pointer() + __rseq_offset;
        CHECK_ERR("rseq-glibc-busy", sys_rseq(glibc, 32, 0, RSEQ_SIG), EBUSY);
        CHECK_ERR("rseq-glibc-other-sig", sys_rseq(glibc, 32, 0, RSEQ_SIG + 1), EPERM);
        CHECK_ERR("rseq-glibc-other-area", sys_rseq(&area, 32, 0, RSEQ_SIG), EINVAL);
        CHECK_ERR("rseq-unregister-wrong-sig", sys_rseq(glibc, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG + 1), EPERM);
        CHECK_ERR("rseq-unregister-wrong-len", sys_rseq(glibc, 64, RSEQ_FLAG_UNREGISTER, RSEQ_SIG), EINVAL);
        CHECK_OK("rseq-unregister-glibc", sys_rseq(glibc, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
        CHECK_EQ("rseq-unregistered-cpu-id", (int)((struct rseq *)glibc)->cpu_id, RSEQ_CPU_ID_UNINITIALIZED);
    }
    CHECK_ERR("rseq-unregister-none", sys_rseq(&area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG), EINVAL);
    CHECK_ERR("rseq-bad-flags", sys_rseq(&area, 32, 2, RSEQ_SIG), EINVAL);
    CHECK_ERR("rseq-unregister-extra-flags", sys_rseq(&area, 32, 3, RSEQ_SIG), EINVAL);
    CHECK_ERR("rseq-short", sys_rseq(&area, 16, 0, RSEQ_SIG), EINVAL);
    CHECK_ERR("rseq-misaligned", sys_rseq((char *)&area + 8, 32, 0, RSEQ_SIG), EINVAL);
    CHECK_ERR("rseq-kernel-pointer", sys_rseq(KERNPTR, 32, 0, RSEQ_SIG), EFAULT);
    area.cpu_id = RSEQ_CPU_ID_UNINITIALIZED;
    area.cpu_id_start = 12345;
    CHECK_OK("rseq-register", sys_rseq(&area, 32, 0, RSEQ_SIG));
    int cpu = sched_getcpu();
    CHECK_EQ("rseq-cpu-id", (int)area.cpu_id, cpu);
    CHECK_EQ("rseq-cpu-id-start", (int)area.cpu_id_start, cpu);
    CHECK_ERR("rseq-again-busy", sys_rseq(&area, 32, 0, RSEQ_SIG), EBUSY);
    CHECK_ERR("rseq-again-other-len", sys_rseq(&area, 64, 0, RSEQ_SIG), EINVAL);
    pid_t child = fork();
    if (child == 0) {
        /* fork keeps the registration */
        _exit(sys_rseq(&area, 32, 0, RSEQ_SIG) == -1 && errno == EBUSY ? 0 : 1);
    }
    int status = -1;
    waitpid(child, &status, 0);
    CHECK("rseq-fork-keeps", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_OK("rseq-unregister", sys_rseq(&area, 32, RSEQ_FLAG_UNREGISTER, RSEQ_SIG));
    CHECK_EQ("rseq-reset-cpu-id", (int)area.cpu_id, RSEQ_CPU_ID_UNINITIALIZED);
    CHECK_EQ("rseq-reset-cpu-id-start", (int)area.cpu_id_start, 0);
    CHECK_OK("rseq-register-again", sys_rseq(&area, 32, 0, RSEQ_SIG));
}

/* pidfds: open, poll (readable when the process exits), send_signal, getfd, and their errors. */
static int pidfd_open_(pid_t pid, unsigned flags) { return syscall(SYS_pidfd_open, pid, flags); }
static long pidfd_send_(int fd, int sig, siginfo_t *info, unsigned flags) { return syscall(SYS_pidfd_send_signal, fd, sig, info, flags); }
static int pidfd_getfd_(int fd, int target, unsigned flags) { return syscall(SYS_pidfd_getfd, fd, target, flags); }

static void pidfd_checks(void) {
    CHECK_ERR("pidfd-open-zero", pidfd_open_(0, 0), EINVAL);
    CHECK_ERR("pidfd-open-negative", pidfd_open_(-1, 0), EINVAL);
    CHECK_ERR("pidfd-open-bad-flags", pidfd_open_(getpid(), 1), EINVAL);
    int self = pidfd_open_(getpid(), 0);
    CHECK("pidfd-open-self", self >= 0);
    CHECK_EQ("pidfd-cloexec", fcntl(self, F_GETFD), FD_CLOEXEC);
    CHECK_EQ("pidfd-self-not-readable", readable(self), 0);
    CHECK_OK("pidfd-signal-self-zero", pidfd_send_(self, 0, NULL, 0));
    CHECK_ERR("pidfd-signal-bad-flags", pidfd_send_(self, 0, NULL, 1), EINVAL);
    CHECK_ERR("pidfd-signal-bad-signal", pidfd_send_(self, 1000, NULL, 0), EINVAL);
    CHECK_ERR("pidfd-signal-bad-fd", pidfd_send_(999, 0, NULL, 0), EBADF);
    int efd = eventfd(0, 0);
    CHECK_ERR("pidfd-signal-not-pidfd", pidfd_send_(efd, 0, NULL, 0), EBADF);
    CHECK_ERR("pidfd-getfd-not-pidfd", pidfd_getfd_(efd, 0, 0), EBADF);
    CHECK_ERR("pidfd-signal-bad-info", pidfd_send_(self, SIGUSR1, BADPTR, 0), EFAULT);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR2;
    si.si_code = SI_QUEUE;
    CHECK_ERR("pidfd-signal-info-mismatch", pidfd_send_(self, SIGUSR1, &si, 0), EINVAL);
    signal(SIGUSR1, SIG_IGN);
    si.si_signo = SIGUSR1;
    si.si_code = SI_USER;
    CHECK_OK("pidfd-signal-self-info", pidfd_send_(self, SIGUSR1, &si, 0));
    CHECK_ERR("pidfd-getfd-bad-flags", pidfd_getfd_(self, 0, 1), EINVAL);
    CHECK_ERR("pidfd-getfd-bad-target", pidfd_getfd_(self, 999, 0), EBADF);
    int dup = pidfd_getfd_(self, efd, 0);
    CHECK("pidfd-getfd-self", dup >= 0 && dup != efd);
    CHECK_EQ("pidfd-getfd-cloexec", fcntl(dup, F_GETFD), FD_CLOEXEC);
    uint64_t v = 3;
    write(dup, &v, 8);
    CHECK_EQ("pidfd-getfd-same-file", read(efd, &v, 8), 8);
    close(dup);
    close(efd);
    close(self);

    /* a child: getfd of its pipe, kill it through the pidfd, poll sees the exit */
    int p[2];
    (void)!pipe(p);
    pid_t child = fork();
    if (child == 0) {
        for (;;) pause();
    }
    int fd = pidfd_open_(child, PIDFD_NONBLOCK_);
    CHECK("pidfd-open-child", fd >= 0);
    CHECK_EQ("pidfd-nonblock", fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    CHECK_EQ("pidfd-child-running", readable(fd), 0);
    int pw = pidfd_getfd_(fd, p[1], 0);
    CHECK("pidfd-getfd-child", pw >= 0);
    CHECK_EQ("pidfd-getfd-child-write", write(pw, "k", 1), 1);
    close(pw);
    si.si_signo = SIGKILL;
    si.si_code = SI_QUEUE;
    CHECK_ERR("pidfd-signal-other-claims-kernel", ({ siginfo_t k = si; k.si_code = SI_USER; pidfd_send_(fd, SIGKILL, &k, 0); }), EPERM);
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 6}, out;
    CHECK_OK("pidfd-epoll-add", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    CHECK_EQ("pidfd-epoll-running", epoll_wait(ep, &out, 1, 0), 0);
    CHECK_OK("pidfd-kill", pidfd_send_(fd, SIGKILL, NULL, 0));
    CHECK_EQ("pidfd-epoll-exit", epoll_wait(ep, &out, 1, 2000), 1);
    struct pollfd pp = {.fd = fd, .events = POLLIN};
    CHECK_EQ("pidfd-poll-exit", poll(&pp, 1, 2000), 1);
    CHECK("pidfd-poll-exit-in", pp.revents & POLLIN);
    CHECK_OK("pidfd-signal-zombie", pidfd_send_(fd, 0, NULL, 0));
    int z = pidfd_open_(child, 0);
    CHECK("pidfd-open-zombie", z >= 0);
    CHECK_EQ("pidfd-zombie-readable", readable(z) & POLLIN, POLLIN);
    int status = 0;
    waitpid(child, &status, 0);
    CHECK("pidfd-killed", WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
    CHECK_ERR("pidfd-signal-reaped", pidfd_send_(fd, 0, NULL, 0), ESRCH);
    CHECK_ERR("pidfd-getfd-reaped", pidfd_getfd_(fd, 0, 0), ESRCH);
    CHECK_ERR("pidfd-open-reaped", pidfd_open_(child, 0), ESRCH);
    close(z);
    close(ep);
    close(fd);
    close(p[0]);
    close(p[1]);
}

int main(void) {
    begin("eventfds");
    eventfd_checks();
    timerfd_checks();
    rseq_checks();
    pidfd_checks();
    return done();
}
