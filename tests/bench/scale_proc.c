/* Scale benchmarks, process side (tests/bench/scale.py): the cost of one operation while N processes or
 * threads exist. Protocol shared by every tests/bench/scale_*.c:
 *   scale_proc list            prints the series names, one a line
 *   scale_proc SERIES N        sets up N, runs the timed loop, prints "SCALE SERIES N NS_PER_OP"
 * Series:
 *   fork-exit-wait  fork + child _exit + waitpid while N other children sleep
 *   kill0           kill(pid, 0) of one of N sleeping children (a different one each time)
 *   futex-wake      FUTEX_WAKE of a word nobody waits on, then of one of N words each with a waiter
 *                   (N threads waiting on N different words: the lookup is what is measured)
 *   clone-thread    pthread_create + pthread_join while N other threads sleep
 *   reap-children   per child: wake N children blocked in read (close the pipe) and reap them all, once
 *   exit-threads    per thread: exit_group of a process with N threads, until its parent's waitpid returns
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define TARGET_NS 30000000LL      /* guest time of a timed loop (under -icount: instructions) */
#define MIN_ITERS 8

static long long now(void) {
    struct timespec t;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void die(const char *what) { fprintf(stderr, "scale_proc: %s: %s\n", what, strerror(errno)); exit(2); }

static void report(const char *series, int n, double ns) { printf("SCALE %s %d %.1f\n", series, n, ns); fflush(stdout); }

static long futex(volatile uint32_t *w, int op, uint32_t val) {
    return syscall(SYS_futex, w, op, val, NULL, NULL, 0);
}

/* N children asleep in pause(), in their own process group (torn down with one kill). */
static pid_t *sleepers;
static void start_sleepers(int n) {
    sleepers = calloc(n, sizeof(pid_t));
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p < 0) die("fork");
        if (p == 0) { for (;;) pause(); }
        sleepers[i] = p;
    }
}
static void stop_sleepers(int n) {
    for (int i = 0; i < n; i++) kill(sleepers[i], SIGKILL);
    for (int i = 0; i < n; i++) waitpid(sleepers[i], NULL, 0);
}

/* Runs op until TARGET_NS of guest time has gone by (at least MIN_ITERS times); ns per op. */
#define TIMED(op) ({ long long t0 = now(), t; long iters = 0; \
    do { op; iters++; t = now(); } while (iters < MIN_ITERS || t - t0 < TARGET_NS); \
    (double)(t - t0) / iters; })

static void s_fork_exit_wait(int n) {
    start_sleepers(n);
    double ns = TIMED({ pid_t p = fork(); if (p == 0) _exit(0); if (p < 0) die("fork"); waitpid(p, NULL, 0); });
    report("fork-exit-wait", n, ns);
    stop_sleepers(n);
}

static void s_kill0(int n) {
    start_sleepers(n);
    long k = 0;
    double ns = TIMED({ if (kill(sleepers[(k * 7919) % n], 0) != 0) die("kill"); k++; });
    report("kill0", n, ns);
    stop_sleepers(n);
}

/* Threads: each sleeps on its own word until `stop`. */
static volatile uint32_t *words;
static volatile uint32_t stop_word;
static volatile uint32_t started;
static void *waiter(void *arg) {
    volatile uint32_t *w = arg;
    __atomic_add_fetch(&started, 1, __ATOMIC_SEQ_CST);
    while (!stop_word) futex(w, FUTEX_WAIT_PRIVATE, 0);
    return NULL;
}
static pthread_t *threads;
static void start_threads(int n, int own_words) {
    words = calloc(n + 1, sizeof(uint32_t));
    threads = calloc(n, sizeof(pthread_t));
    stop_word = 0; started = 0;
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 64 * 1024);
    for (int i = 0; i < n; i++) {
        errno = pthread_create(&threads[i], &a, waiter, (void *)(own_words ? &words[i] : &stop_word));
        if (errno) die("pthread_create");
    }
    while (started < (uint32_t)n) sched_yield();
    for (int i = 0; i < 3; i++) sched_yield();
}
static void stop_threads(int n) {
    stop_word = 1;
    for (int i = 0; i < n; i++) {
        futex(&words[i], FUTEX_WAKE_PRIVATE, 1);
        futex(&stop_word, FUTEX_WAKE_PRIVATE, 1 << 30);
        pthread_join(threads[i], NULL);
    }
}

/* The timed operations tools/scale_profile.py looks for are noinline functions named op_<series>. */
static __attribute__((noinline)) void op_futex_wake(long k, int n) {
    futex(&words[n], FUTEX_WAKE_PRIVATE, 1);
    futex(&words[(k * 7919) % n], FUTEX_WAKE_PRIVATE, 1);
}

static void s_futex_wake(int n) {
    start_threads(n, 1);
    long k = 0;
    double ns = TIMED({ op_futex_wake(k, n); k++; });
    report("futex-wake", n, ns);
    stop_threads(n);
}

static void *nothing(void *arg) { return arg; }
/* The timed operations tools/scale_profile.py looks for are noinline functions named op_<series>. */
static __attribute__((noinline)) void op_clone_thread(pthread_attr_t *a) {
    pthread_t t;
    if ((errno = pthread_create(&t, a, nothing, NULL))) die("pthread_create");
    pthread_join(t, NULL);
}
static void s_clone_thread(int n) {
    start_threads(n, 0);
    pthread_attr_t a;
    pthread_attr_init(&a);
    pthread_attr_setstacksize(&a, 64 * 1024);
    double ns = TIMED(op_clone_thread(&a));
    report("clone-thread", n, ns);
    stop_threads(n);
}

static void s_reap_children(int n) {
    int fd[2];
    if (pipe(fd)) die("pipe");
    for (int i = 0; i < n; i++) {
        pid_t p = fork();
        if (p < 0) die("fork");
        if (p == 0) { char c; close(fd[1]); (void)!read(fd[0], &c, 1); _exit(0); }
    }
    close(fd[0]);
    for (int i = 0; i < 3; i++) sched_yield();
    long long t0 = now();
    close(fd[1]);
    for (int i = 0; i < n; i++) if (wait(NULL) < 0) die("wait");
    report("reap-children", n, (double)(now() - t0) / n);
}

static void s_exit_threads(int n) {
    int fd[2];
    if (pipe(fd)) die("pipe");
    pid_t p = fork();
    if (p < 0) die("fork");
    if (p == 0) {
        start_threads(n, 1);
        long long t0 = now();
        (void)!write(fd[1], &t0, sizeof t0);
        _exit(0);
    }
    long long t0;
    if (read(fd[0], &t0, sizeof t0) != sizeof t0) die("read");
    waitpid(p, NULL, 0);
    report("exit-threads", n, (double)(now() - t0) / n);
}

static const struct { const char *name; void (*run)(int); } series[] = {
    {"fork-exit-wait", s_fork_exit_wait}, {"kill0", s_kill0}, {"futex-wake", s_futex_wake},
    {"clone-thread", s_clone_thread}, {"reap-children", s_reap_children}, {"exit-threads", s_exit_threads},
};

int main(int argc, char **argv) {
    int count = sizeof series / sizeof series[0];
    if (argc == 2 && !strcmp(argv[1], "list")) {
        for (int i = 0; i < count; i++) puts(series[i].name);
        return 0;
    }
    if (argc != 3) { fprintf(stderr, "usage: scale_proc list | scale_proc SERIES N\n"); return 2; }
    for (int i = 0; i < count; i++)
        if (!strcmp(argv[1], series[i].name)) { series[i].run(atoi(argv[2])); return 0; }
    fprintf(stderr, "scale_proc: no series %s\n", argv[1]);
    return 2;
}
