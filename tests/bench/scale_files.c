// Scale benchmarks, files and memory side (issue 13): the cost of one operation while the process
// holds N descriptors, N mappings, or a directory of N entries. Protocol of tests/bench/scale_*.c:
//   scale_files list            the series names, one a line
//   scale_files <series> <N>    sets up N, runs the timed loop, prints `SCALE <series> <N> <ns_per_op>`
// Under `-icount shift=0,sleep=off` guest nanoseconds are instructions.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "scale.h"

static char dir_path[32];   /* a fresh directory per run: /scale_files.<pid> */

/* N descriptors open (dups of one /dev/null), with RLIMIT_NOFILE raised to fit. */
static void open_fds(long n) {
    struct rlimit r = { (rlim_t)n + 64, (rlim_t)n + 64 };
    if (setrlimit(RLIMIT_NOFILE, &r) != 0) die("setrlimit NOFILE");
    int fd = open("/dev/null", O_RDONLY);
    if (fd < 0) die("open /dev/null");
    for (long i = 1; i < n; i++) if (dup(fd) < 0) die("dup");
}

/* N one-page mappings that cannot merge (alternating protections); returns their addresses. */
static char **make_mappings(long n) {
    char **a = malloc(sizeof(char *) * (size_t)n);
    long page = sysconf(_SC_PAGESIZE);
    for (long i = 0; i < n; i++) {
        a[i] = mmap(NULL, (size_t)page, (i & 1) ? PROT_READ : PROT_READ | PROT_WRITE,
                    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (a[i] == MAP_FAILED) die("mmap");
    }
    return a;
}

static void name_of(char *buf, long i) { snprintf(buf, 96, "%s/f%07ld", dir_path, i); }

static void make_dir(long n) {
    char p[96];
    sprintf(dir_path, "/scale_files.%d", (int)getpid());
    if (mkdir(dir_path, 0755) != 0) die("mkdir");
    for (long i = 0; i < n; i++) {
        name_of(p, i);
        int fd = open(p, O_CREAT | O_WRONLY, 0644);
        if (fd < 0) die("create");
        close(fd);
    }
}

static void s_open_close(long n) {
    open_fds(n);
    long long t = now_ns();
    for (int i = 0; i < OPS; i++) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0) die("open");
        close(fd);
    }
    report("open-close", n, now_ns() - t, OPS);
}

static void s_dup(long n) {
    open_fds(n);
    long long t = now_ns();
    for (int i = 0; i < OPS; i++) {
        int fd = dup(0);
        if (fd < 0) die("dup");
        close(fd);
    }
    report("dup", n, now_ns() - t, OPS);
}

/* One read(2) of /proc/self/maps or smaps (the timed operations tools/scale_profile.py looks for;
 * noipa: identical, gcc would fold one into the other). */
static __attribute__((noipa)) ssize_t op_maps_read(int fd, char *buf, size_t size) { return read(fd, buf, size); }
static __attribute__((noipa)) ssize_t op_smaps_read(int fd, char *buf, size_t size) { return read(fd, buf, size); }

static void s_maps_read(long n) {
    make_mappings(n);
    static char buf[4096];
    long lines = 0;
    long long t = now_ns();
    int fd = open("/proc/self/maps", O_RDONLY);
    if (fd < 0) die("open maps");
    ssize_t got;
    while ((got = op_maps_read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i < got; i++) lines += buf[i] == '\n';
    if (got < 0) die("read maps");
    close(fd);
    report("maps-read", n, now_ns() - t, lines);
}

/* The timed operations tools/scale_profile.py looks for are noinline functions named op_<series>. */
static __attribute__((noinline)) void op_munmap(char *p, long page) {
    if (munmap(p, (size_t)page) != 0) die("munmap");
}

static void s_munmap(long n) {
    char **a = make_mappings(n);
    long page = sysconf(_SC_PAGESIZE);
    long long t = now_ns();
    for (long i = 0; i < n; i++)            /* a spread of places in the map, not just one end */
        op_munmap(a[(i * 7919) % n], page);
    report("munmap", n, now_ns() - t, n);
}

static __attribute__((noinline)) void op_mmap(long page) {
    void *p = mmap(NULL, (size_t)page, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap");
    if (munmap(p, (size_t)page) != 0) die("munmap");
}

static void s_mmap(long n) {
    make_mappings(n);
    long page = sysconf(_SC_PAGESIZE);
    long long t = now_ns();
    for (int i = 0; i < OPS; i++) op_mmap(page);
    report("mmap", n, now_ns() - t, OPS);
}

/* Per area: /proc/self/smaps read in 4 KiB pieces (each read resumes where the last stopped). */
static void s_smaps_read(long n) {
    make_mappings(n);
    static char buf[4096];
    long long t = now_ns();
    int fd = open("/proc/self/smaps", O_RDONLY);
    if (fd < 0) die("open smaps");
    ssize_t got;
    long areas = 0;
    while ((got = op_smaps_read(fd, buf, sizeof buf)) > 0)
        for (ssize_t i = 0; i + 5 < got; i++) areas += !memcmp(buf + i, "Size:", 5) && (i == 0 || buf[i - 1] == '\n');
    if (got < 0) die("read smaps");
    close(fd);
    report("smaps-read", n, now_ns() - t, areas);
}

/* mlock + munlock of one page while N mappings exist (RLIMIT_MEMLOCK's check used to sum every area). */
static __attribute__((noinline)) void op_mlock(char *p, long page) {
    if (mlock(p, (size_t)page) != 0) die("mlock");
    if (munlock(p, (size_t)page) != 0) die("munlock");
}

static void s_mlock(long n) {
    make_mappings(n);
    long page = sysconf(_SC_PAGESIZE);
    char *p = mmap(NULL, (size_t)page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) die("mmap");
    long long t = now_ns();
    for (int i = 0; i < OPS; i++) op_mlock(p, page);
    report("mlock", n, now_ns() - t, OPS);
}

/* mmap + munmap with RLIMIT_AS set while N mappings exist (its check used to sum every area). */
static void s_mmap_aslimit(long n) {
    make_mappings(n);
    struct rlimit r = { 1L << 40, 1L << 40 };
    if (setrlimit(RLIMIT_AS, &r) != 0) die("setrlimit AS");
    long page = sysconf(_SC_PAGESIZE);
    long long t = now_ns();
    for (int i = 0; i < OPS; i++) op_mmap(page);
    report("mmap-aslimit", n, now_ns() - t, OPS);
}

static void s_unlink(long n) {
    char p[96];
    make_dir(n);
    long long t = now_ns();
    for (long i = 0; i < n; i++) {
        name_of(p, (i * 7919) % n);         /* a spread of names, not just the first or last */
        if (unlink(p) != 0) die("unlink");
    }
    report("unlink", n, now_ns() - t, n);
}

static void s_stat(long n) {
    char p[96];
    struct stat st;
    make_dir(n);
    long long t = now_ns();
    for (int i = 0; i < OPS; i++) {
        name_of(p, (i * 7919L) % n);
        if (stat(p, &st) != 0) die("stat");
    }
    report("stat", n, now_ns() - t, OPS);
}

static void s_open(long n) {
    char p[96];
    make_dir(n);
    long long t = now_ns();
    for (int i = 0; i < OPS; i++) {
        name_of(p, (i * 7919L) % n);
        int fd = open(p, O_RDONLY);
        if (fd < 0) die("open");
        close(fd);
    }
    report("open", n, now_ns() - t, OPS);
}

static void s_create(long n) {
    char p[96];
    make_dir(n);
    long long t = now_ns();
    for (int i = 0; i < OPS; i++) {
        name_of(p, n + i);
        int fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0644);
        if (fd < 0) die("create");
        close(fd);
    }
    report("create", n, now_ns() - t, OPS);
}

static const struct { const char *name; void (*run)(long); } series[] = {
    {"open-close", s_open_close}, {"dup", s_dup}, {"maps-read", s_maps_read}, {"munmap", s_munmap},
    {"mmap", s_mmap}, {"unlink", s_unlink}, {"stat", s_stat}, {"open", s_open}, {"create", s_create},
    {"smaps-read", s_smaps_read}, {"mlock", s_mlock}, {"mmap-aslimit", s_mmap_aslimit},
};

int main(int argc, char **argv) {
    size_t count = sizeof series / sizeof series[0];
    if (argc == 2 && strcmp(argv[1], "list") == 0) {
        for (size_t i = 0; i < count; i++) puts(series[i].name);
        return 0;
    }
    if (argc != 3) { fprintf(stderr, "usage: scale_files list | scale_files <series> <N>\n"); return 2; }
    long n = atol(argv[2]);
    if (n < 1) { fprintf(stderr, "N must be positive\n"); return 2; }
    for (size_t i = 0; i < count; i++)
        if (strcmp(argv[1], series[i].name) == 0) { series[i].run(n); return 0; }
    fprintf(stderr, "unknown series %s\n", argv[1]);
    return 2;
}
