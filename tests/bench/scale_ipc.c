/* Scale benchmarks, System V IPC side (issue 13; protocol of tests/bench/scale_*.c):
 *   scale_ipc list            the series names, one a line
 *   scale_ipc SERIES N        sets up N semaphore sets, runs the timed loop, prints "SCALE SERIES N NS_PER_OP"
 * Series:
 *   semget-key        semget of an existing key, one of N sets (a different one each time)
 *   semctl-stat       semctl(IPC_STAT) of one of N sets by id
 *   fork-exit-sets    fork + _exit + waitpid while N sets exist (exit's SEM_UNDO clean-up)
 * The sets are removed at the end of each series. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "scale.h"

#define KEY0 0x5ca1e000

static int *ids;
static void make_sets(long n) {
    ids = malloc(sizeof(int) * (size_t)n);
    for (long i = 0; i < n; i++)
        if ((ids[i] = semget(KEY0 + (int)i, 1, IPC_CREAT | IPC_EXCL | 0600)) < 0) die("semget create");
}
static void remove_sets(long n) {
    for (long i = 0; i < n; i++) semctl(ids[i], 0, IPC_RMID);
}

static __attribute__((noinline)) void op_semget_key(int key) {
    if (semget(key, 0, 0) < 0) die("semget");
}

static void s_semget_key(long n) {
    make_sets(n);
    long long t = now_ns();
    for (long i = 0; i < OPS; i++) op_semget_key(KEY0 + (int)((i * 7919) % n));
    report("semget-key", n, now_ns() - t, OPS);
    remove_sets(n);
}

static void s_semctl_stat(long n) {
    struct semid_ds ds;
    make_sets(n);
    long long t = now_ns();
    for (long i = 0; i < OPS; i++)
        if (semctl(ids[(i * 7919) % n], 0, IPC_STAT, &ds) < 0) die("semctl");
    report("semctl-stat", n, now_ns() - t, OPS);
    remove_sets(n);
}

static void s_fork_exit_sets(long n) {
    make_sets(n);
    long long t = now_ns();
    for (long i = 0; i < OPS / 10; i++) {
        pid_t p = fork();
        if (p < 0) die("fork");
        if (p == 0) _exit(0);
        waitpid(p, NULL, 0);
    }
    report("fork-exit-sets", n, now_ns() - t, OPS / 10);
    remove_sets(n);
}

static const struct { const char *name; void (*run)(long); } series[] = {
    {"semget-key", s_semget_key}, {"semctl-stat", s_semctl_stat}, {"fork-exit-sets", s_fork_exit_sets},
};

int main(int argc, char **argv) {
    size_t count = sizeof series / sizeof series[0];
    if (argc == 2 && !strcmp(argv[1], "list")) {
        for (size_t i = 0; i < count; i++) puts(series[i].name);
        return 0;
    }
    if (argc != 3) { fprintf(stderr, "usage: scale_ipc list | scale_ipc SERIES N\n"); return 2; }
    long n = atol(argv[2]);
    if (n < 1) { fprintf(stderr, "N must be positive\n"); return 2; }
    for (size_t i = 0; i < count; i++)
        if (!strcmp(argv[1], series[i].name)) { series[i].run(n); return 0; }
    fprintf(stderr, "scale_ipc: no series %s\n", argv[1]);
    return 2;
}
