/* clock_gettime, clock_getres, clock_settime, settimeofday, nanosleep, gettimeofday, getpid, getppid,
 * gettid, uname, sethostname, setdomainname, sched_yield, rt_sigqueueinfo, rt_tgsigqueueinfo. */
#include "check.h"
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <sys/utsname.h>
#include <sys/time.h>
#include <time.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000ll + t.tv_nsec; }

static volatile int queued_value = -1, queued_code = 0;
static void on_queued(int sig, siginfo_t *si, void *uc) { (void)sig; (void)uc; queued_value = si->si_value.sival_int; queued_code = si->si_code; }

int main(void) {
    begin("misc");
    struct timespec a, b, r;
    CHECK_OK("clock-monotonic", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a));
    CHECK_OK("clock-monotonic-2", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b));
    CHECK("clock-monotonic-nondecreasing", ns(b) >= ns(a));
    CHECK("clock-nsec-range", a.tv_nsec >= 0 && a.tv_nsec < 1000000000);
    CHECK_OK("clock-realtime", syscall(SYS_clock_gettime, CLOCK_REALTIME, &a));
    CHECK("clock-realtime-after-2020", a.tv_sec > 1577836800);
    CHECK_OK("clock-boottime", syscall(SYS_clock_gettime, CLOCK_BOOTTIME, &a));
    CHECK_OK("clock-monotonic-raw", syscall(SYS_clock_gettime, CLOCK_MONOTONIC_RAW, &a));
    CHECK_OK("clock-coarse", syscall(SYS_clock_gettime, CLOCK_MONOTONIC_COARSE, &a));
    CHECK_OK("clock-process-cputime", syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &a));
    CHECK_ERR("clock-bad-id", syscall(SYS_clock_gettime, 12345, &a), EINVAL);
    CHECK_ERR("clock-efault", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BADPTR), EFAULT);
    CHECK_ERR("clock-efault-kernel", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, KERNPTR), EFAULT);
    CHECK_OK("clock-getres", syscall(SYS_clock_getres, CLOCK_MONOTONIC, &r));
    CHECK("clock-getres-sane", r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 10000000);
    CHECK_OK("clock-getres-null", syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
    CHECK_ERR("clock-getres-bad-id", syscall(SYS_clock_getres, 12345, &r), EINVAL);
    struct timeval tv;
    CHECK_OK("gettimeofday", syscall(SYS_gettimeofday, &tv, NULL));
    CHECK("gettimeofday-usec-range", tv.tv_usec >= 0 && tv.tv_usec < 1000000);

    struct timespec req = {0, 20 * 1000 * 1000}, rem;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a);
    CHECK_OK("nanosleep", syscall(SYS_nanosleep, &req, &rem));
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
    CHECK("nanosleep-slept-20ms", ns(b) - ns(a) >= 20 * 1000 * 1000);
    CHECK("nanosleep-not-too-long", ns(b) - ns(a) < 2000ll * 1000 * 1000);
    struct timespec zero = {0, 0};
    CHECK_OK("nanosleep-zero", syscall(SYS_nanosleep, &zero, NULL));
    struct timespec badns = {0, 1000000000};
    CHECK_ERR("nanosleep-einval-nsec", syscall(SYS_nanosleep, &badns, NULL), EINVAL);
    struct timespec negs = {-1, 0};
    CHECK_ERR("nanosleep-einval-negative", syscall(SYS_nanosleep, &negs, NULL), EINVAL);
    CHECK_ERR("nanosleep-efault", syscall(SYS_nanosleep, BADPTR, NULL), EFAULT);
    struct timespec abs;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &abs);
    abs.tv_nsec += 5000000;
    if (abs.tv_nsec >= 1000000000) { abs.tv_sec++; abs.tv_nsec -= 1000000000; }
    CHECK_EQ("clock-nanosleep-abstime", syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL), 0);
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b);
    CHECK("clock-nanosleep-abstime-reached", ns(b) >= ns(abs));

    pid_t pid = syscall(SYS_getpid);
    CHECK("getpid-positive", pid > 0);
    CHECK_EQ("getpid-stable", syscall(SYS_getpid), pid);
    CHECK_EQ("gettid-single-thread", syscall(SYS_gettid), pid);
    CHECK("getppid-positive", syscall(SYS_getppid) > 0);
    CHECK_EQ("getuid-root", getuid(), 0);
    struct utsname u;
    CHECK_OK("uname", uname(&u));
    CHECK("uname-sysname", strcmp(u.sysname, "Linux") == 0);
    CHECK("uname-machine", strcmp(u.machine, "aarch64") == 0);
    CHECK("uname-release-nonempty", u.release[0] != 0);
    CHECK_ERR("uname-efault", syscall(SYS_uname, BADPTR), EFAULT);
    CHECK_ERR("uname-efault-kernel", syscall(SYS_uname, KERNPTR), EFAULT);
    CHECK_OK("sched-yield", syscall(SYS_sched_yield));
    unsigned char rnd[16] = {0};
    CHECK_EQ("getrandom", syscall(SYS_getrandom, rnd, 16, 0), 16);
    CHECK_ERR("getrandom-efault", syscall(SYS_getrandom, BADPTR, 16, 0), EFAULT);
    CHECK_ERR("getrandom-bad-flags", syscall(SYS_getrandom, rnd, 16, 0x100), EINVAL);

    unsigned cpu = 99, node = 99;
    CHECK_OK("getcpu", syscall(SYS_getcpu, &cpu, &node, NULL));
    CHECK("getcpu-values", cpu < 64 && node == 0 && (long)cpu < sysconf(_SC_NPROCESSORS_ONLN));
    CHECK_ERR("getcpu-efault", syscall(SYS_getcpu, BADPTR, NULL, NULL), EFAULT);

    /* host and domain names */
    struct utsname before, after;
    uname(&before);
    CHECK_OK("sethostname", sethostname("conf-host", 9));
    uname(&after);
    CHECK("sethostname-uname", strcmp(after.nodename, "conf-host") == 0);
    CHECK_ERR("sethostname-too-long", syscall(SYS_sethostname, "x", 65), EINVAL);
    CHECK_ERR("sethostname-efault", syscall(SYS_sethostname, BADPTR, 4), EFAULT);
    CHECK_OK("setdomainname", setdomainname("conf.dom", 8));
    uname(&after);
    CHECK("setdomainname-uname", strcmp(after.domainname, "conf.dom") == 0);
    sethostname(before.nodename, strlen(before.nodename));
    setdomainname(before.domainname, strlen(before.domainname));

    /* setting the wall clock */
    struct timespec now, later;
    clock_gettime(CLOCK_REALTIME, &now);
    struct timespec ahead = { now.tv_sec + 100000, now.tv_nsec };
    CHECK_OK("clock-settime", clock_settime(CLOCK_REALTIME, &ahead));
    clock_gettime(CLOCK_REALTIME, &later);
    CHECK("clock-settime-took", later.tv_sec >= now.tv_sec + 100000 && later.tv_sec < now.tv_sec + 100010);
    clock_gettime(CLOCK_REALTIME, &later);
    later.tv_sec -= 100000;
    CHECK_OK("clock-settime-back", clock_settime(CLOCK_REALTIME, &later));
    CHECK_ERR("clock-settime-monotonic", clock_settime(CLOCK_MONOTONIC, &later), EINVAL);
    struct timespec badnsec = { later.tv_sec, 1000000000 };
    CHECK_ERR("clock-settime-bad-nsec", clock_settime(CLOCK_REALTIME, &badnsec), EINVAL);
    CHECK_ERR("clock-settime-efault", syscall(SYS_clock_settime, CLOCK_REALTIME, BADPTR), EFAULT);
    struct timeval tvnow;
    gettimeofday(&tvnow, NULL);
    CHECK_OK("settimeofday", settimeofday(&tvnow, NULL));
    struct timeval badus = { tvnow.tv_sec, 1000000 };
    CHECK_ERR("settimeofday-bad-usec", settimeofday(&badus, NULL), EINVAL);
    pid_t c = fork();
    if (c == 0) {
        setresuid(1000, 1000, 1000);
        clock_gettime(CLOCK_REALTIME, &later);
        int e1 = clock_settime(CLOCK_REALTIME, &later) == -1 && errno == EPERM;
        int e2 = sethostname("x", 1) == -1 && errno == EPERM;
        _exit(e1 && e2 ? 0 : 1);
    }
    int st;
    waitpid(c, &st, 0);
    CHECK("clock-settime-sethostname-eperm-unprivileged", WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* sigqueue: the value arrives with SI_QUEUE; only a process itself may claim another origin */
    struct sigaction sa = {0};
    sa.sa_sigaction = on_queued;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    union sigval v = { .sival_int = 1234 };
    CHECK_OK("sigqueue", sigqueue(getpid(), SIGUSR1, v));
    CHECK("sigqueue-delivered", queued_value == 1234 && queued_code == SI_QUEUE);
    siginfo_t si;
    memset(&si, 0, sizeof si);
    si.si_code = SI_USER;
    si.si_signo = SIGUSR1;
    CHECK_OK("rt-sigqueueinfo-self-si-user", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
    c = fork();
    if (c == 0) { pause(); _exit(0); }
    CHECK_ERR("rt-sigqueueinfo-other-si-user", syscall(SYS_rt_sigqueueinfo, c, SIGUSR1, &si), EPERM);
    si.si_code = SI_QUEUE;
    CHECK_OK("rt-tgsigqueueinfo", syscall(SYS_rt_tgsigqueueinfo, c, c, SIGKILL, &si));
    waitpid(c, &st, 0);
    CHECK("rt-tgsigqueueinfo-killed", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    CHECK_ERR("rt-sigqueueinfo-esrch", syscall(SYS_rt_sigqueueinfo, 999999, SIGUSR1, &si), ESRCH);
    CHECK_ERR("rt-sigqueueinfo-efault", syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, BADPTR), EFAULT);
    CHECK_ERR("rt-sigqueueinfo-bad-signal", syscall(SYS_rt_sigqueueinfo, getpid(), 99, &si), EINVAL);
    CHECK_ERR("rt-tgsigqueueinfo-bad-tid", syscall(SYS_rt_tgsigqueueinfo, getpid(), 0, SIGUSR1, &si), EINVAL);
    return done();
}
