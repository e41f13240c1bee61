/* CPU-time accounting and timers: times, getrusage, wait4's rusage, CPU-time clocks (incl. the ids of
 * clock_getcpuclockid/pthread_getcpuclockid), setitimer/getitimer/alarm, timer_create and friends.
 * Timing bounds are loose on purpose: the host is shared, so only "at least something" and "not
 * wildly more" are checked, and every wait has a generous wall-clock limit. */
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/futex.h>

#define MS 1000000ll
static long long ns(struct timespec t) { return t.tv_sec * 1000000000ll + t.tv_nsec; }
static long long tv_ns(struct timeval t) { return t.tv_sec * 1000000000ll + t.tv_usec * 1000ll; }
static long long clock_ns(clockid_t c) { struct timespec t; clock_gettime(c, &t); return ns(t); }
static long long wall(void) { return clock_ns(CLOCK_MONOTONIC); }
static void nap(long long n) { struct timespec t = {n / 1000000000, n % 1000000000}; while (nanosleep(&t, &t) != 0) {} }

static volatile unsigned long sink;
/* Spins in user mode until the process has used `cpu` more CPU time (or 20 s of wall time passed). */
static void burn_user(long long cpu) {
    long long start = clock_ns(CLOCK_PROCESS_CPUTIME_ID), deadline = wall() + 20000 * MS;
    while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start < cpu && wall() < deadline)
        for (int i = 0; i < 1000000; i++) sink = sink * 31 + i;
}
/* Burns CPU in the kernel: reads of /dev/zero. */
static void burn_kernel(long long cpu) {
    static char buf[65536];
    int fd = open("/dev/zero", O_RDONLY);
    long long start = clock_ns(CLOCK_PROCESS_CPUTIME_ID), deadline = wall() + 20000 * MS;
    while (clock_ns(CLOCK_PROCESS_CPUTIME_ID) - start < cpu && wall() < deadline)
        for (int i = 0; i < 20; i++) read(fd, buf, sizeof buf);
    close(fd);
}

static volatile int alarms, vtalarms, profs, usr1s, usr1_code;
static volatile long usr1_value;
static void on_alarm(int s) { (void)s; alarms++; }
static void on_vtalarm(int s) { (void)s; vtalarms++; }
static void on_prof(int s) { (void)s; profs++; }
static void on_usr1(int s, siginfo_t *si, void *uc) { (void)s; (void)uc; usr1s++; usr1_code = si->si_code; usr1_value = si->si_value.sival_int; }
static void handle(int sig, void (*h)(int)) { struct sigaction sa = {0}; sa.sa_handler = h; sigaction(sig, &sa, NULL); }
/* Waits (sleeping) until *count reaches want or `limit` of wall time passed. */
static void await_count(volatile int *count, int want, long long limit) {
    long long deadline = wall() + limit;
    while (*count < want && wall() < deadline) nap(5 * MS);
}

static int itimer(int which, long vs, long vus, long is, long ius, struct itimerval *old) {
    struct itimerval v = {{is, ius}, {vs, vus}};
    return syscall(SYS_setitimer, which, &v, old);
}

static void accounting(void) {
    struct rusage ru, ru2;
    struct tms t;
    CHECK_OK("getrusage-children-before", getrusage(RUSAGE_CHILDREN, &ru));
    CHECK("children-zero-before-wait", tv_ns(ru.ru_utime) == 0 && tv_ns(ru.ru_stime) == 0);


    burn_user(300 * MS);
    CHECK_OK("getrusage-self", getrusage(RUSAGE_SELF, &ru));
    CHECK("user-time-after-user-burn", tv_ns(ru.ru_utime) >= 150 * MS);
    CHECK("rusage-usec-range", ru.ru_utime.tv_usec >= 0 && ru.ru_utime.tv_usec < 1000000 && ru.ru_stime.tv_usec < 1000000);
    CHECK_OK("times", syscall(SYS_times, &t));
    CHECK("times-utime-after-user-burn", t.tms_utime >= 15);
    CHECK("times-children-zero", t.tms_cutime == 0 && t.tms_cstime == 0);
    CHECK_OK("getrusage-thread", getrusage(RUSAGE_THREAD, &ru2));
    CHECK("thread-user-time", tv_ns(ru2.ru_utime) >= 150 * MS);

    burn_kernel(300 * MS);
    CHECK_OK("getrusage-self-2", getrusage(RUSAGE_SELF, &ru2));
    CHECK("system-time-after-syscall-burn", tv_ns(ru2.ru_stime) - tv_ns(ru.ru_stime) >= 50 * MS);
    CHECK("user-time-never-decreases", tv_ns(ru2.ru_utime) >= tv_ns(ru.ru_utime));

    /* Sleeping uses no CPU. */
    long long p0 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), t0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    nap(300 * MS);
    long long p1 = clock_ns(CLOCK_PROCESS_CPUTIME_ID), t1 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
    CHECK("process-clock-still-while-sleeping", p1 - p0 >= 0 && p1 - p0 < 150 * MS);
    CHECK("thread-clock-still-while-sleeping", t1 - t0 >= 0 && t1 - t0 < 150 * MS);

    int monotonic = 1;
    long long last = 0, lastt = 0;
    for (int i = 0; i < 2000; i++) {
        long long v = clock_ns(CLOCK_PROCESS_CPUTIME_ID), vt = clock_ns(CLOCK_THREAD_CPUTIME_ID);
        if (v < last || vt < lastt) monotonic = 0;
        last = v; lastt = vt;
    }
    CHECK("cpu-clocks-monotonic", monotonic);
    CHECK("thread-clock-le-process-clock", clock_ns(CLOCK_THREAD_CPUTIME_ID) <= clock_ns(CLOCK_PROCESS_CPUTIME_ID));

    /* The child's times reach the parent at wait. */
    pid_t child = fork();
    if (child == 0) { burn_user(200 * MS); _exit(0); }
    struct rusage cru;
    int status;
    CHECK_EQ("wait4-rusage", wait4(child, &status, 0, &cru), child);
    CHECK("wait4-rusage-utime", tv_ns(cru.ru_utime) >= 100 * MS);
    CHECK_OK("getrusage-children", getrusage(RUSAGE_CHILDREN, &ru));
    CHECK("children-utime-after-wait", tv_ns(ru.ru_utime) >= 100 * MS);
    CHECK("children-equal-wait4", tv_ns(ru.ru_utime) == tv_ns(cru.ru_utime));
    CHECK_OK("times-2", syscall(SYS_times, &t));
    CHECK("times-cutime-after-wait", t.tms_cutime >= 10);
    CHECK_OK("getrusage-self-3", getrusage(RUSAGE_SELF, &ru2));
    CHECK("child-time-not-in-self", tv_ns(ru2.ru_utime) < tv_ns(ru.ru_utime) + 10000 * MS);

    /* times() returns clock ticks since some point: it advances with wall time. */
    long a = syscall(SYS_times, NULL);
    nap(200 * MS);
    long b = syscall(SYS_times, NULL);
    CHECK("times-return-advances", b - a >= 10 && b - a < 10000);
    CHECK_ERR("times-efault", syscall(SYS_times, BADPTR), EFAULT);
    CHECK_ERR("getrusage-bad-who", syscall(SYS_getrusage, 2, &ru), EINVAL);
    CHECK_ERR("getrusage-bad-who-neg", syscall(SYS_getrusage, -2, &ru), EINVAL);
    CHECK_ERR("getrusage-efault", syscall(SYS_getrusage, RUSAGE_SELF, BADPTR), EFAULT);
    CHECK_ERR("getrusage-efault-kernel", syscall(SYS_getrusage, RUSAGE_CHILDREN, KERNPTR), EFAULT);
}

static void cpu_clocks(void) {
    struct timespec r, v;
    CHECK_OK("getres-process-cputime", syscall(SYS_clock_getres, CLOCK_PROCESS_CPUTIME_ID, &r));
    CHECK("getres-process-cputime-1ns", r.tv_sec == 0 && r.tv_nsec == 1);
    CHECK_OK("getres-thread-cputime", syscall(SYS_clock_getres, CLOCK_THREAD_CPUTIME_ID, &r));
    clockid_t c;
    CHECK_EQ("getcpuclockid-self", clock_getcpuclockid(getpid(), &c), 0);
    CHECK_OK("gettime-getcpuclockid-self", clock_gettime(c, &v));
    CHECK("getcpuclockid-self-reading", ns(v) > 0 && ns(v) <= clock_ns(CLOCK_PROCESS_CPUTIME_ID));
    CHECK_EQ("getcpuclockid-0", clock_getcpuclockid(0, &c), 0);
    CHECK_OK("gettime-getcpuclockid-0", clock_gettime(c, &v));
    CHECK_EQ("pthread-getcpuclockid", pthread_getcpuclockid(pthread_self(), &c), 0);
    CHECK_OK("gettime-pthread-cpuclock", clock_gettime(c, &v));
    CHECK("pthread-cpuclock-reading", ns(v) > 0 && ns(v) <= clock_ns(CLOCK_THREAD_CPUTIME_ID));
    pid_t child = fork();
    if (child == 0) { burn_user(50 * MS); nap(2000 * MS); _exit(0); }
    nap(300 * MS);
    CHECK_EQ("getcpuclockid-child", clock_getcpuclockid(child, &c), 0);
    CHECK_OK("gettime-child-cpuclock", clock_gettime(c, &v));
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    /* Raw ids: (~pid << 3) | kind, kind 3 is invalid; an unknown pid is EINVAL. */
    CHECK_ERR("cpuclock-bad-kind", syscall(SYS_clock_gettime, (~getpid() << 3) | 3, &v), EINVAL);
    CHECK_ERR("cpuclock-no-such-pid", syscall(SYS_clock_gettime, (~4000000 << 3) | 2, &v), EINVAL);
    CHECK_OK("cpuclock-virt-self", syscall(SYS_clock_gettime, (~0 << 3) | 1, &v));
    CHECK_ERR("cpuclock-efault", syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, BADPTR), EFAULT);
}

static void itimers(char *self) {
    struct itimerval g, old;
    CHECK_OK("getitimer-real-idle", syscall(SYS_getitimer, ITIMER_REAL, &g));
    CHECK("getitimer-real-idle-zero", g.it_value.tv_sec == 0 && g.it_value.tv_usec == 0 && g.it_interval.tv_sec == 0);
    CHECK_OK("setitimer-real", itimer(ITIMER_REAL, 10, 0, 1, 500000, &old));
    CHECK("setitimer-real-old-zero", old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);
    CHECK_OK("getitimer-real", syscall(SYS_getitimer, ITIMER_REAL, &g));
    CHECK("getitimer-real-value", tv_ns(g.it_value) > 8000 * MS && tv_ns(g.it_value) <= 10000 * MS);
    CHECK("getitimer-real-interval", g.it_interval.tv_sec == 1 && g.it_interval.tv_usec == 500000);
    CHECK("getitimer-usec-range", g.it_value.tv_usec >= 0 && g.it_value.tv_usec < 1000000);

    /* Not inherited by fork; kept across execve. */
    pid_t child = fork();
    if (child == 0) {
        struct itimerval c;
        syscall(SYS_getitimer, ITIMER_REAL, &c);
        if (c.it_value.tv_sec != 0 || c.it_value.tv_usec != 0) _exit(1);
        itimer(ITIMER_REAL, 30, 0, 0, 0, NULL);
        execl(self, self, "exec-child", (char *)NULL);
        _exit(2);
    }
    int status = 0;
    waitpid(child, &status, 0);
    CHECK_EQ("itimer-cleared-in-fork-kept-across-exec", status, 0);

    CHECK_OK("setitimer-real-disarm", itimer(ITIMER_REAL, 0, 0, 0, 0, &old));
    CHECK("setitimer-real-disarm-old", tv_ns(old.it_value) > 8000 * MS && old.it_interval.tv_usec == 500000);
    syscall(SYS_getitimer, ITIMER_REAL, &g);
    CHECK("disarmed-real-reads-zero", g.it_value.tv_sec == 0 && g.it_value.tv_usec == 0 && g.it_interval.tv_sec == 0 && g.it_interval.tv_usec == 0);

    CHECK_OK("setitimer-virtual", itimer(ITIMER_VIRTUAL, 10, 0, 0, 0, NULL));
    CHECK_OK("getitimer-virtual", syscall(SYS_getitimer, ITIMER_VIRTUAL, &g));
    CHECK("getitimer-virtual-value", tv_ns(g.it_value) > 9000 * MS && tv_ns(g.it_value) <= 10100 * MS);
    CHECK_OK("setitimer-virtual-disarm", itimer(ITIMER_VIRTUAL, 0, 0, 0, 0, NULL));
    CHECK_OK("setitimer-prof", itimer(ITIMER_PROF, 10, 0, 0, 0, NULL));
    CHECK_OK("getitimer-prof", syscall(SYS_getitimer, ITIMER_PROF, &g));
    CHECK("getitimer-prof-value", tv_ns(g.it_value) > 9000 * MS && tv_ns(g.it_value) <= 10100 * MS);
    CHECK_OK("setitimer-prof-disarm", itimer(ITIMER_PROF, 0, 0, 0, 0, &old));
    CHECK("setitimer-prof-disarm-old", tv_ns(old.it_value) > 9000 * MS);

    /* Argument checks: the value is read and checked before `which`; the old value is written after the change. */
    struct itimerval bad = {{0, 0}, {0, 1000000}};
    CHECK_ERR("setitimer-usec-too-big", syscall(SYS_setitimer, ITIMER_REAL, &bad, NULL), EINVAL);
    bad.it_value.tv_usec = -1;
    CHECK_ERR("setitimer-usec-negative", syscall(SYS_setitimer, ITIMER_REAL, &bad, NULL), EINVAL);
    bad.it_value.tv_usec = 0; bad.it_value.tv_sec = -1;
    CHECK_ERR("setitimer-sec-negative", syscall(SYS_setitimer, ITIMER_REAL, &bad, NULL), EINVAL);
    bad.it_value.tv_sec = 0; bad.it_interval.tv_usec = 1000000;
    CHECK_ERR("setitimer-interval-usec-too-big", syscall(SYS_setitimer, ITIMER_REAL, &bad, NULL), EINVAL);
    struct itimerval zero = {{0, 0}, {0, 0}};
    CHECK_ERR("setitimer-bad-which", syscall(SYS_setitimer, 3, &zero, NULL), EINVAL);
    CHECK_ERR("setitimer-bad-which-neg", syscall(SYS_setitimer, -1, &zero, NULL), EINVAL);
    CHECK_ERR("getitimer-bad-which", syscall(SYS_getitimer, 3, &g), EINVAL);
    CHECK_ERR("getitimer-efault", syscall(SYS_getitimer, ITIMER_REAL, BADPTR), EFAULT);
    CHECK_ERR("getitimer-efault-kernel", syscall(SYS_getitimer, ITIMER_VIRTUAL, KERNPTR), EFAULT);
    CHECK_ERR("setitimer-efault-new", syscall(SYS_setitimer, ITIMER_REAL, BADPTR, NULL), EFAULT);
    struct itimerval five = {{0, 0}, {5, 0}};
    CHECK_ERR("setitimer-efault-old", syscall(SYS_setitimer, ITIMER_REAL, &five, KERNPTR), EFAULT);
    syscall(SYS_getitimer, ITIMER_REAL, &g);
    CHECK("setitimer-efault-old-still-set", g.it_value.tv_sec >= 3);
    CHECK_OK("setitimer-null-disarms", syscall(SYS_setitimer, ITIMER_REAL, NULL, &old));
    CHECK("setitimer-null-old", old.it_value.tv_sec >= 3);
    syscall(SYS_getitimer, ITIMER_REAL, &g);
    CHECK("setitimer-null-disarmed", g.it_value.tv_sec == 0 && g.it_value.tv_usec == 0);

    /* alarm (glibc: setitimer ITIMER_REAL) delivers SIGALRM. */
    handle(SIGALRM, on_alarm);
    CHECK_EQ("alarm-first", alarm(5), 0);
    unsigned left = alarm(0);
    CHECK("alarm-returns-remaining", left == 5 || left == 4);
    alarms = 0;
    alarm(1);
    await_count(&alarms, 1, 10000 * MS);
    CHECK_EQ("alarm-delivers-sigalrm", alarms, 1);
    CHECK_EQ("alarm-after-expiry", alarm(0), 0);

    /* A periodic ITIMER_REAL keeps firing until disarmed. */
    alarms = 0;
    CHECK_OK("setitimer-real-periodic", itimer(ITIMER_REAL, 0, 50000, 0, 50000, NULL));
    await_count(&alarms, 3, 10000 * MS);
    CHECK("real-periodic-fires-repeatedly", alarms >= 2);
    itimer(ITIMER_REAL, 0, 0, 0, 0, NULL);
    nap(20 * MS);
    int settled = alarms;
    nap(300 * MS);
    CHECK_EQ("real-disarmed-stays-quiet", alarms, settled);

    /* ITIMER_VIRTUAL counts user time only: it fires while spinning, not while sleeping. */
    handle(SIGVTALRM, on_vtalarm);
    CHECK_OK("setitimer-virtual-sleep", itimer(ITIMER_VIRTUAL, 0, 100000, 0, 0, NULL));
    nap(300 * MS);
    CHECK_EQ("virtual-quiet-while-sleeping", vtalarms, 0);
    syscall(SYS_getitimer, ITIMER_VIRTUAL, &g);
    CHECK("virtual-still-armed-after-sleep", tv_ns(g.it_value) > 0);
    long long deadline = wall() + 20000 * MS;
    while (vtalarms == 0 && wall() < deadline)
        for (int i = 0; i < 100000; i++) sink = sink * 31 + i;
    CHECK_EQ("virtual-fires-while-spinning", vtalarms, 1);
    syscall(SYS_getitimer, ITIMER_VIRTUAL, &g);
    CHECK("virtual-one-shot-disarmed", g.it_value.tv_sec == 0 && g.it_value.tv_usec == 0);

    /* ITIMER_PROF counts system time too. */
    handle(SIGPROF, on_prof);
    CHECK_OK("setitimer-prof-periodic", itimer(ITIMER_PROF, 0, 50000, 0, 50000, NULL));
    deadline = wall() + 20000 * MS;
    while (profs < 2 && wall() < deadline) getppid();
    CHECK("prof-fires-in-syscalls", profs >= 2);
    itimer(ITIMER_PROF, 0, 0, 0, 0, NULL);
}

static void posix_timers(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    ev.sigev_value.sival_int = 4242;
    int id = -1;
    CHECK_OK("timer-create", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
    CHECK("timer-create-id", id >= 0);
    struct itimerspec its = {{0, 0}, {0, 50 * MS}}, got, old;
    CHECK_OK("timer-settime", syscall(SYS_timer_settime, id, 0, &its, NULL));
    await_count(&usr1s, 1, 10000 * MS);
    CHECK_EQ("timer-fires", usr1s, 1);
    CHECK_EQ("timer-si-code", usr1_code, SI_TIMER);
    CHECK_EQ("timer-si-value", usr1_value, 4242);
    CHECK_OK("timer-gettime-expired", syscall(SYS_timer_gettime, id, &got));
    CHECK("timer-gettime-expired-zero", got.it_value.tv_sec == 0 && got.it_value.tv_nsec == 0);
    struct itimerspec periodic = {{0, 20 * MS}, {0, 20 * MS}};
    CHECK_OK("timer-settime-periodic", syscall(SYS_timer_settime, id, 0, &periodic, NULL));
    await_count(&usr1s, 3, 10000 * MS);
    CHECK("timer-periodic-fires", usr1s >= 3);
    CHECK("timer-getoverrun", syscall(SYS_timer_getoverrun, id) >= 0);
    its.it_value.tv_sec = 10; its.it_value.tv_nsec = 0;
    CHECK_OK("timer-settime-old", syscall(SYS_timer_settime, id, 0, &its, &old));
    CHECK("timer-settime-old-interval", old.it_interval.tv_sec == 0 && old.it_interval.tv_nsec == 20 * MS);
    CHECK_OK("timer-gettime", syscall(SYS_timer_gettime, id, &got));
    CHECK("timer-gettime-value", ns(got.it_value) > 8000 * MS && ns(got.it_value) <= 10000 * MS);
    CHECK_OK("timer-delete", syscall(SYS_timer_delete, id));
    CHECK_ERR("timer-delete-again", syscall(SYS_timer_delete, id), EINVAL);
    CHECK_ERR("timer-gettime-bad-id", syscall(SYS_timer_gettime, 12345, &got), EINVAL);
    CHECK_ERR("timer-getoverrun-bad-id", syscall(SYS_timer_getoverrun, 12345), EINVAL);

    /* An absolute CLOCK_REALTIME expiry. */
    usr1s = 0;
    CHECK_OK("timer-create-realtime", syscall(SYS_timer_create, CLOCK_REALTIME, &ev, &id));
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct itimerspec at = {{0, 0}, {now.tv_sec, now.tv_nsec}};
    at.it_value.tv_nsec += 100 * MS;
    if (at.it_value.tv_nsec >= 1000000000) { at.it_value.tv_sec++; at.it_value.tv_nsec -= 1000000000; }
    CHECK_OK("timer-settime-abstime", syscall(SYS_timer_settime, id, TIMER_ABSTIME, &at, NULL));
    await_count(&usr1s, 1, 10000 * MS);
    CHECK_EQ("timer-abstime-fires", usr1s, 1);
    struct itimerspec badspec = {{0, 0}, {0, 1000000000}};
    CHECK_ERR("timer-settime-bad-nsec", syscall(SYS_timer_settime, id, 0, &badspec, NULL), EINVAL);
    CHECK_ERR("timer-settime-efault", syscall(SYS_timer_settime, id, 0, BADPTR, NULL), EFAULT);
    CHECK_ERR("timer-gettime-efault", syscall(SYS_timer_gettime, id, BADPTR), EFAULT);
    syscall(SYS_timer_delete, id);

    /* SIGEV_NONE: no signal, but the time left can be read. */
    struct sigevent none = {0};
    none.sigev_notify = SIGEV_NONE;
    CHECK_OK("timer-create-none", syscall(SYS_timer_create, CLOCK_MONOTONIC, &none, &id));
    struct itimerspec ten = {{0, 0}, {10, 0}};
    CHECK_OK("timer-settime-none", syscall(SYS_timer_settime, id, 0, &ten, NULL));
    CHECK_OK("timer-gettime-none", syscall(SYS_timer_gettime, id, &got));
    CHECK("timer-none-value", ns(got.it_value) > 8000 * MS && ns(got.it_value) <= 10000 * MS);
    syscall(SYS_timer_delete, id);

    CHECK_ERR("timer-create-bad-clock", syscall(SYS_timer_create, 12345, &ev, &id), EINVAL);
    struct sigevent badsig = ev;
    badsig.sigev_signo = 0;
    CHECK_ERR("timer-create-bad-signo", syscall(SYS_timer_create, CLOCK_MONOTONIC, &badsig, &id), EINVAL);
    struct sigevent badnotify = ev;
    badnotify.sigev_notify = 77;
    CHECK_ERR("timer-create-bad-notify", syscall(SYS_timer_create, CLOCK_MONOTONIC, &badnotify, &id), EINVAL);
    CHECK_ERR("timer-create-efault-event", syscall(SYS_timer_create, CLOCK_MONOTONIC, BADPTR, &id), EFAULT);
    CHECK_ERR("timer-create-efault-id", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, BADPTR), EFAULT);
}


/* Overruns: a periodic timer's signal stays queued while blocked; the expirations meanwhile are that
 * signal's overruns (si_overrun), which timer_getoverrun reports after its delivery, saturating at
 * DELAYTIMER_MAX (INT_MAX). */
static void timer_overruns(void) {
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, &old);
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR2;
    int id = -1;
    CHECK_OK("overrun-timer-create", syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
    struct itimerspec ms = {{0, 1 * MS}, {0, 1 * MS}};
    CHECK_OK("overrun-settime", syscall(SYS_timer_settime, id, 0, &ms, NULL));
    long long t0 = wall();
    CHECK_EQ("overrun-none-before-delivery", syscall(SYS_timer_getoverrun, id), 0);
    nap(100 * MS);
    siginfo_t si;
    CHECK_EQ("overrun-sigwaitinfo", sigwaitinfo(&set, &si), SIGUSR2);
    long got = syscall(SYS_timer_getoverrun, id);
    /* About one per millisecond since the first expiry (a loaded machine sleeps longer). */
    long long periods = (wall() - t0) / MS;
    CHECK("overrun-counts-blocked-periods", si.si_overrun >= 50 && si.si_overrun <= periods + 5);
    CHECK_EQ("overrun-getoverrun-matches-siginfo", got, si.si_overrun);
    t0 = wall();
    nap(50 * MS);
    CHECK_EQ("overrun-sigwaitinfo-again", sigwaitinfo(&set, &si), SIGUSR2);
    periods = (wall() - t0) / MS;
    CHECK("overrun-counts-since-last-delivery", si.si_overrun >= 20 && si.si_overrun <= periods + 5);
    CHECK_EQ("overrun-getoverrun-matches-again", syscall(SYS_timer_getoverrun, id), si.si_overrun);
    syscall(SYS_timer_delete, id);
    /* A signal it queued just before its deletion stays pending (Linux too): not the next timer's. */
    while (sigtimedwait(&set, &si, &(struct timespec){0, 0}) > 0) {}
    /* Every nanosecond since 1970: far more than INT_MAX expirations. */
    CHECK_OK("overrun-realtime-create", syscall(SYS_timer_create, CLOCK_REALTIME, &ev, &id));
    struct itimerspec epoch = {{0, 1}, {0, 1}};
    CHECK_OK("overrun-realtime-settime", syscall(SYS_timer_settime, id, TIMER_ABSTIME, &epoch, NULL));
    CHECK_EQ("overrun-realtime-sigwaitinfo", sigwaitinfo(&set, &si), SIGUSR2);
    CHECK_EQ("overrun-saturates-siginfo", si.si_overrun, 2147483647);
    CHECK_EQ("overrun-saturates-getoverrun", syscall(SYS_timer_getoverrun, id), 2147483647);
    syscall(SYS_timer_delete, id);
    while (sigtimedwait(&set, &si, &(struct timespec){0, 0}) > 0) {}
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static volatile int cpu_timer_signals;
static volatile long long cpu_at_signal;
static void on_cpu_timer(int s) { (void)s; cpu_timer_signals++; cpu_at_signal = clock_ns(CLOCK_PROCESS_CPUTIME_ID); }

/* CPU-time timers: they expire when the process's (or the thread's) CPU time reaches the value, not
 * while it sleeps. */
static void cpu_timer(clockid_t clock, const char *create, const char *sleeps, const char *fires, const char *late) {
    handle(SIGUSR2, on_cpu_timer);
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR2;
    int id = -1;
    CHECK_OK(create, syscall(SYS_timer_create, clock, &ev, &id));
    cpu_timer_signals = 0;
    long long start = clock_ns(clock);
    struct itimerspec v = {{0, 0}, {0, 50 * MS}};
    syscall(SYS_timer_settime, id, 0, &v, NULL);
    nap(150 * MS);
    CHECK_EQ(sleeps, cpu_timer_signals, 0);
    long long deadline = wall() + 10000 * MS;
    while (cpu_timer_signals == 0 && wall() < deadline)
        for (int i = 0; i < 100000; i++) sink = sink * 31 + i;
    CHECK_EQ(fires, cpu_timer_signals, 1);
    CHECK(late, clock_ns(clock) - start >= 50 * MS);
    syscall(SYS_timer_delete, id);
    (void)cpu_at_signal;
}

static void cpu_timers(void) {
    cpu_timer(CLOCK_PROCESS_CPUTIME_ID, "cputimer-process-create", "cputimer-process-not-while-sleeping",
              "cputimer-process-fires", "cputimer-process-after-cpu-time");
    cpu_timer(CLOCK_THREAD_CPUTIME_ID, "cputimer-thread-create", "cputimer-thread-not-while-sleeping",
              "cputimer-thread-fires", "cputimer-thread-after-cpu-time");
    struct sigevent ev = {0};
    ev.sigev_notify = SIGEV_NONE;
    int id = -1;
    CHECK_OK("cputimer-none-create", syscall(SYS_timer_create, CLOCK_PROCESS_CPUTIME_ID, &ev, &id));
    struct itimerspec v = {{0, 0}, {10, 0}}, got;
    CHECK_OK("cputimer-none-settime", syscall(SYS_timer_settime, id, 0, &v, NULL));
    nap(50 * MS);
    CHECK_OK("cputimer-none-gettime", syscall(SYS_timer_gettime, id, &got));
    CHECK("cputimer-remaining-counts-cpu-only", ns(got.it_value) > 9000 * MS && ns(got.it_value) <= 10000 * MS);
    syscall(SYS_timer_delete, id);
    clockid_t other;
    CHECK_ERR("cputimer-bad-thread", syscall(SYS_timer_create, (~(clockid_t)99999 << 3) | 4 | 2, &ev, &id), EINVAL);
    (void)other;
}

/* clock_settime moving the wall clock past absolute CLOCK_REALTIME waits ends them (Linux's
 * clock_was_set): a futex wait with FUTEX_CLOCK_REALTIME (pthread_cond_timedwait's default clock) and
 * clock_nanosleep(TIMER_ABSTIME). The clock is put back afterwards. */
static int rt_word;
static long long rt_target;
static volatile int rt_futex_rc = 1, rt_futex_err, rt_sleep_rc = 1;
static void *rt_futex_waiter(void *arg) {
    (void)arg;
    struct timespec t = {rt_target / 1000000000, rt_target % 1000000000};
    long r = syscall(SYS_futex, &rt_word, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, &t, NULL, FUTEX_BITSET_MATCH_ANY);
    rt_futex_err = errno;
    rt_futex_rc = (int)r;
    return NULL;
}
static void *rt_sleeper(void *arg) {
    (void)arg;
    struct timespec t = {rt_target / 1000000000, rt_target % 1000000000};
    rt_sleep_rc = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &t, NULL);
    return NULL;
}
static void clock_set_wakes(void) {
    long long before = clock_ns(CLOCK_REALTIME), mono = wall();
    rt_target = before + 3600 * 1000000000ll;            /* an hour from now on the wall clock */
    pthread_t a, b;
    pthread_create(&a, NULL, rt_futex_waiter, NULL);
    pthread_create(&b, NULL, rt_sleeper, NULL);
    nap(100 * MS);
    CHECK("clockset-waits-asleep", rt_futex_rc == 1 && rt_sleep_rc == 1);
    long long jump = rt_target + 1000 * MS - clock_ns(CLOCK_REALTIME);
    struct timespec later = {(clock_ns(CLOCK_REALTIME) + jump) / 1000000000, (clock_ns(CLOCK_REALTIME) + jump) % 1000000000};
    CHECK_OK("clockset-forward", clock_settime(CLOCK_REALTIME, &later));
    for (int i = 0; i < 500 && (rt_futex_rc == 1 || rt_sleep_rc == 1); i++) nap(10 * MS);
    CHECK("clockset-ends-futex-realtime-wait", rt_futex_rc == -1 && rt_futex_err == ETIMEDOUT);
    CHECK("clockset-ends-abstime-nanosleep", rt_sleep_rc == 0);
    if (rt_futex_rc == 1) { rt_word = 1; syscall(SYS_futex, &rt_word, FUTEX_WAKE, 1); }
    if (rt_sleep_rc == 1) pthread_cancel(b);
    pthread_join(a, NULL);
    pthread_join(b, NULL);
    /* Back to where the clock would be. */
    long long back = before + (wall() - mono);
    struct timespec restore = {back / 1000000000, back % 1000000000};
    CHECK_OK("clockset-restore", clock_settime(CLOCK_REALTIME, &restore));
}

/* Many timers: no fixed cap (Lichen had 256), RLIMIT_SIGPENDING bounds them (Linux charges each
 * timer's preallocated signal to it, per user: other timers and queued signals of root count too, so
 * the number created is checked within a range), EAGAIN past it, room again after a delete. */
static void many_timers(void) {
    enum { LIMIT = 1000 };
    struct rlimit r = { LIMIT, LIMIT };
    CHECK_OK("timers-rlimit-sigpending", setrlimit(RLIMIT_SIGPENDING, &r));
    static timer_t t[LIMIT + 1];
    struct sigevent ev = { .sigev_notify = SIGEV_NONE };
    int n = 0, err = 0;
    while (n <= LIMIT) {
        if (timer_create(CLOCK_MONOTONIC, &ev, &t[n]) < 0) { err = errno; break; }
        n++;
    }
    CHECK("timers-more-than-256", n > 900);
    CHECK("timers-bounded-by-sigpending", n <= LIMIT);
    CHECK_EQ("timers-past-limit-eagain", err, EAGAIN);
    if (n == 0) return;
    struct itimerspec hour = { { 0, 0 }, { 3600, 0 } }, cur;
    CHECK_OK("timers-settime-last", timer_settime(t[n - 1], 0, &hour, NULL));
    CHECK_OK("timers-gettime-last", timer_gettime(t[n - 1], &cur));
    CHECK("timers-last-armed", cur.it_value.tv_sec > 3500);
    CHECK_OK("timers-delete-one", timer_delete(t[n / 2]));
    CHECK_OK("timers-room-after-delete", timer_create(CLOCK_MONOTONIC, &ev, &t[n / 2]));
    for (int i = 0; i < n; i++) timer_delete(t[i]);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "exec-child") == 0) {
        struct itimerval c;
        syscall(SYS_getitimer, ITIMER_REAL, &c);
        return c.it_value.tv_sec >= 20 ? 0 : 3;
    }
    begin("time");
    accounting();
    cpu_clocks();
    itimers(argv[0]);
    posix_timers();
    timer_overruns();
    cpu_timers();
    clock_set_wakes();
    checks_in_child(many_timers);
    return done();
}
