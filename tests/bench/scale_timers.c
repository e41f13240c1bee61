/* Scale benchmarks, POSIX timers (issue 13; protocol of tests/bench/scale_*.c):
 *   scale_timers list          the series names, one a line
 *   scale_timers SERIES N      sets up N, runs the timed loop, prints "SCALE SERIES N NS_PER_OP"
 * Series (N SIGEV_NONE timers on CLOCK_MONOTONIC exist, armed an hour ahead):
 *   timer-create     timer_create + timer_delete of one more timer
 *   timer-settime    timer_settime (arm) + timer_gettime of one of the N, in a spread order
 * Linux charges each timer to RLIMIT_SIGPENDING (default: threads-max / 2, ~8,000 with 2 GiB), so
 * it is raised to N + 64 (run as root). */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include "scale.h"

static const struct itimerspec hour = { { 0, 0 }, { 3600, 0 } };

/* N armed SIGEV_NONE timers (raw kernel ids: glibc's timer_t for SIGEV_NONE wraps the kernel id). */
static timer_t *make_timers(long n) {
    struct rlimit r = { (rlim_t)n + 64, (rlim_t)n + 64 };
    if (setrlimit(RLIMIT_SIGPENDING, &r) < 0) die("setrlimit");
    timer_t *t = calloc(n, sizeof *t);
    struct sigevent ev = { .sigev_notify = SIGEV_NONE };
    for (long i = 0; i < n; i++)
        if (timer_create(CLOCK_MONOTONIC, &ev, &t[i]) < 0 || timer_settime(t[i], 0, &hour, NULL) < 0) die("timer_create");
    return t;
}

/* The timed operations tools/scale_profile.py looks for are noinline functions named op_<series>. */
static __attribute__((noinline)) void op_timer_create(void) {
    struct sigevent ev = { .sigev_notify = SIGEV_NONE };
    timer_t t;
    if (timer_create(CLOCK_MONOTONIC, &ev, &t) < 0 || timer_delete(t) < 0) die("timer_create/delete");
}

static void s_timer_create(long n) {
    make_timers(n);
    long long t = now_ns();
    for (long i = 0; i < OPS; i++) op_timer_create();
    report("timer-create", n, now_ns() - t, OPS);
}

static __attribute__((noinline)) void op_timer_settime(timer_t t) {
    struct itimerspec cur;
    if (timer_settime(t, 0, &hour, NULL) < 0 || timer_gettime(t, &cur) < 0) die("timer_settime/gettime");
}

static void s_timer_settime(long n) {
    timer_t *timers = make_timers(n);
    long long t = now_ns();
    for (long i = 0; i < OPS; i++) op_timer_settime(timers[(i * 7919) % n]);
    report("timer-settime", n, now_ns() - t, OPS);
}

static const struct { const char *name; void (*run)(long); } series[] = {
    {"timer-create", s_timer_create}, {"timer-settime", s_timer_settime},
};

int main(int argc, char **argv) {
    size_t count = sizeof series / sizeof series[0];
    if (argc == 2 && !strcmp(argv[1], "list")) {
        for (size_t i = 0; i < count; i++) puts(series[i].name);
        return 0;
    }
    if (argc != 3) { fprintf(stderr, "usage: scale_timers list | scale_timers SERIES N\n"); return 2; }
    long n = atol(argv[2]);
    if (n < 1) { fprintf(stderr, "N must be positive\n"); return 2; }
    for (size_t i = 0; i < count; i++)
        if (!strcmp(argv[1], series[i].name)) { series[i].run(n); return 0; }
    fprintf(stderr, "scale_timers: no series %s\n", argv[1]);
    return 2;
}
