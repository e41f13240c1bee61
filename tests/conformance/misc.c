/* clock_gettime, clock_getres, nanosleep, gettimeofday, getpid, getppid, gettid, uname, sched_yield. */
#include "check.h"
#include <sched.h>
#include <sys/utsname.h>
#include <sys/time.h>
#include <time.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000ll + t.tv_nsec; }

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
    return done();
}
