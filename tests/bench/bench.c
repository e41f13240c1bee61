/* User-space micro-benchmarks: the same static binary runs on Lichen and on Linux.
 * usage: bench NAME [ITERATIONS]   prints "BENCH NAME NS_PER_OP ITERATIONS"
 *        bench --list               prints the names
 *        bench --noop               exits at once (the execve target) */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
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

static char *self;
static char buf[65536];
static int fd;

static long long now(void) {
    struct timespec t;
    syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000ll + t.tv_nsec;
}

static void b_getpid(void) { syscall(SYS_getpid); }
static void b_clock_syscall(void) { struct timespec t; syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &t); }
static void b_clock_libc(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); }
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
static void b_mmap(void) { void *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); munmap(m, 65536); }
static void b_page_fault(void) {   /* one op = one page touched for the first time */
    static char *m; static int i;
    if (!m || i == 256) { if (m) munmap(m, 256 * 4096); m = mmap(NULL, 256 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0); i = 0; }
    m[i++ * 4096] = 1;
}
static void b_brk(void) { uintptr_t b = syscall(SYS_brk, 0); syscall(SYS_brk, b + 4096); syscall(SYS_brk, b); }
static void b_yield(void) { sched_yield(); }

/* Threads: one op = pthread_create + pthread_join of a thread that returns at once. */
#include <pthread.h>
static void *thread_noop(void *arg) { return arg; }
static void b_thread_create_join(void) { pthread_t t; pthread_create(&t, NULL, thread_noop, NULL); pthread_join(t, NULL); }

static struct { const char *name; void (*fn)(void); int iterations; const char *setup; } benches[] = {
    {"getpid", b_getpid, 20000, ""},
    {"clock_gettime-syscall", b_clock_syscall, 20000, ""},
    {"clock_gettime-libc(vDSO)", b_clock_libc, 20000, ""},
    {"read-4K-/dev/zero", b_read_zero, 10000, "/dev/zero"},
    {"write-4K-/dev/null", b_write_null, 10000, "/dev/null"},
    {"open+close", b_open_close, 5000, ""},
    {"stat", b_stat, 5000, ""},
    {"fork+exit+wait", b_fork, 30, ""},
    {"fork+execve+wait", b_fork_exec, 20, ""},
    {"vfork+execve+wait", b_vfork_exec, 20, ""},
    {"mmap+munmap-64K", b_mmap, 5000, ""},
    {"anon-page-fault", b_page_fault, 5000, ""},
    {"brk-grow+shrink", b_brk, 5000, ""},
    {"sched_yield", b_yield, 20000, ""},
    {"pthread_create+join", b_thread_create_join, 2000, ""},
};
#define N (int)(sizeof benches / sizeof benches[0])

int main(int argc, char **argv) {
    self = argv[0];
    if (argc < 2) { fprintf(stderr, "usage: bench NAME [ITERATIONS] | --list | --noop\n"); return 2; }
    if (!strcmp(argv[1], "--noop")) return 0;
    if (!strcmp(argv[1], "--list")) { for (int i = 0; i < N; i++) printf("%s\n", benches[i].name); return 0; }
    close(open("/tmp/bench-file", O_CREAT | O_WRONLY, 0644));
    for (int i = 0; i < N; i++) {
        if (strcmp(argv[1], benches[i].name)) continue;
        int iters = argc > 2 ? atoi(argv[2]) : benches[i].iterations;
        if (benches[i].setup[0]) fd = open(benches[i].setup, O_RDWR);
        for (int w = 0; w < iters / 10 + 1; w++) benches[i].fn();   /* warm-up */
        long long t0 = now();
        for (int k = 0; k < iters; k++) benches[i].fn();
        long long t1 = now();
        printf("BENCH %s %.1f %d\n", benches[i].name, (double)(t1 - t0) / iters, iters);
        return 0;
    }
    fprintf(stderr, "bench: unknown benchmark %s\n", argv[1]);
    return 2;
}
