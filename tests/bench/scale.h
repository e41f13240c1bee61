/* What every tests/bench/scale_*.c program shares: OPS, the clock, failing with the program's name,
 * and the "SCALE SERIES N NS_PER_OP" line scale.py reads. */
#ifndef SCALE_H
#define SCALE_H
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OPS 2000            /* timed operations for series whose work does not consume the set-up */

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void die(const char *what) {
    fprintf(stderr, "%s: %s: %s\n", program_invocation_short_name, what, strerror(errno));
    exit(2);
}

static void report(const char *series, long n, long long ns, long ops) {
    printf("SCALE %s %ld %lld\n", series, n, ops > 0 ? ns / ops : 0);
    fflush(stdout);
}
#endif
