/* FP/SIMD state across CPU migrations: each thread loads all 32 vector registers, FPCR and FPSR with
 * its own pattern, then (in one asm block, so nothing in between may touch them) moves itself to
 * another CPU with sched_setaffinity, sleeps 200 us, notes its CPU (getcpu), and stores them back.
 * Any difference is a corrupted register: the kernel gave the thread some other or older state.
 * The CPU changes actually seen are counted (the proof that the test migrated at all).
 * usage: fpmigrate THREADS ITERATIONS    prints "fpmigrate: ... N mismatches" */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int iterations, cpus;
static long mismatches, migrations, changes;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

struct fpstate { uint8_t v[32][16]; uint64_t fpcr, fpsr; unsigned cpu; };

/* Loads `in`, migrates to the CPUs in `mask`, sleeps `ts`, stores into `out`. Raw syscalls: libc
 * could use vector registers. */
static void roundtrip(const struct fpstate *in, struct fpstate *out, const uint64_t *mask, const struct timespec *ts) {
    __asm__ volatile(
        "mov x9, %[in]\n"
        "ld1 {v0.16b-v3.16b}, [x9], #64\n  ld1 {v4.16b-v7.16b}, [x9], #64\n"
        "ld1 {v8.16b-v11.16b}, [x9], #64\n ld1 {v12.16b-v15.16b}, [x9], #64\n"
        "ld1 {v16.16b-v19.16b}, [x9], #64\n ld1 {v20.16b-v23.16b}, [x9], #64\n"
        "ld1 {v24.16b-v27.16b}, [x9], #64\n ld1 {v28.16b-v31.16b}, [x9], #64\n"
        "ldp x10, x11, [x9]\n msr fpcr, x10\n msr fpsr, x11\n"
        "mov x0, #0\n mov x1, #8\n mov x2, %[mask]\n mov x8, #122\n svc #0\n"   /* sched_setaffinity(0, 8, mask) */
        "mov x0, %[ts]\n mov x1, #0\n mov x8, #101\n svc #0\n"                  /* nanosleep(ts, NULL) */
        "mov x0, %[cpu]\n mov x1, #0\n mov x2, #0\n mov x8, #168\n svc #0\n"   /* getcpu(&out->cpu, 0, 0) */
        "mov x9, %[out]\n"
        "st1 {v0.16b-v3.16b}, [x9], #64\n  st1 {v4.16b-v7.16b}, [x9], #64\n"
        "st1 {v8.16b-v11.16b}, [x9], #64\n st1 {v12.16b-v15.16b}, [x9], #64\n"
        "st1 {v16.16b-v19.16b}, [x9], #64\n st1 {v20.16b-v23.16b}, [x9], #64\n"
        "st1 {v24.16b-v27.16b}, [x9], #64\n st1 {v28.16b-v31.16b}, [x9], #64\n"
        "mrs x10, fpcr\n mrs x11, fpsr\n stp x10, x11, [x9]\n"
        :
        : [in] "r"(in), [out] "r"(out), [mask] "r"(mask), [ts] "r"(ts), [cpu] "r"(&out->cpu)
        : "x0", "x1", "x2", "x8", "x9", "x10", "x11", "memory",
          "v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15",
          "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24", "v25", "v26", "v27", "v28", "v29",
          "v30", "v31");
}

static void *worker(void *arg) {
    long id = (long)arg;
    struct fpstate in, out;
    struct timespec ts = {0, 200000};
    long bad = 0, moved = 0, changed = 0;
    unsigned last = ~0u;
    for (int i = 0; i < iterations; i++) {
        for (int r = 0; r < 32; r++)
            for (int b = 0; b < 16; b++) in.v[r][b] = (uint8_t)(id * 131 + i * 7 + r * 16 + b);
        in.fpcr = ((i + id) & 1 ? (1u << 25) : 0) | ((uint64_t)((i + id) & 3) << 22) | ((i & 2) ? (1u << 24) : 0);
        in.fpsr = (uint64_t)((i * 5 + id) & 0x1f) | ((i & 4) ? (1u << 27) : 0);
        uint64_t mask = 1ull << ((id + i) % cpus);
        memset(&out, 0, sizeof out);
        roundtrip(&in, &out, &mask, &ts);
        moved++;
        if (last != ~0u && out.cpu != last) changed++;
        last = out.cpu;
        if (memcmp(in.v, out.v, sizeof in.v) || in.fpcr != out.fpcr || in.fpsr != out.fpsr) {
            if (bad++ < 3)
                printf("fpmigrate: thread %ld iteration %d: registers differ (fpcr %llx/%llx fpsr %llx/%llx)\n", id, i,
                       (unsigned long long)in.fpcr, (unsigned long long)out.fpcr,
                       (unsigned long long)in.fpsr, (unsigned long long)out.fpsr);
        }
    }
    pthread_mutex_lock(&lock);
    mismatches += bad;
    migrations += moved;
    changes += changed;
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 4;
    iterations = argc > 2 ? atoi(argv[2]) : 200;
    cpus = (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (cpus < 2) { printf("fpmigrate: needs 2 CPUs, has %d\n", cpus); return 2; }
    pthread_t t[64];
    if (threads > 64) threads = 64;
    for (long i = 0; i < threads; i++) pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
    printf("fpmigrate: %d cpus, %d threads, %ld affinity changes, %ld cpu changes, %ld mismatches\n", cpus, threads,
           migrations, changes, mismatches);
    return mismatches != 0;
}
