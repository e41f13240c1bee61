/* Scale benchmarks, name and lock tables (issue 13; protocol of tests/bench/scale_*.c):
 *   scale_names list          the series names, one a line
 *   scale_names SERIES N      sets up N, runs the timed loop, prints "SCALE SERIES N NS_PER_OP"
 * Series:
 *   flock            flock(LOCK_EX) + flock(LOCK_UN) of one file while N other files are flock'ed
 *   unix-abstract    connect of a datagram socket to one of N bound abstract names
 *   inotify-event    fchmod of an unwatched file while N directories are watched (the event hook
 *                    looks the inode up among the watched ones)
 * Descriptors: RLIMIT_NOFILE is raised to N + 64 (run as root). */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "scale.h"

static void room_for(long n) {
    struct rlimit r = { (rlim_t)n + 64, (rlim_t)n + 64 };
    if (setrlimit(RLIMIT_NOFILE, &r) < 0) die("setrlimit");
}

static __attribute__((noinline)) void op_flock(int fd) {
    if (flock(fd, LOCK_EX) < 0 || flock(fd, LOCK_UN) < 0) die("flock");
}

static void s_flock(long n) {
    room_for(n);
    char path[64];
    mkdir("/tmp/scale-flock", 0700);
    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof path, "/tmp/scale-flock/%ld", i);
        int fd = open(path, O_CREAT | O_RDWR, 0600);
        if (fd < 0 || flock(fd, i % 2 ? LOCK_SH : LOCK_EX) < 0) die("open/flock");
    }
    int fd = open("/tmp/scale-flock/timed", O_CREAT | O_RDWR, 0600);
    if (fd < 0) die("open");
    long long t = now_ns();
    for (long i = 0; i < OPS; i++) op_flock(fd);
    report("flock", n, now_ns() - t, OPS);
}

static socklen_t abstract_name(struct sockaddr_un *a, long i) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    int len = snprintf(a->sun_path + 1, sizeof a->sun_path - 1, "scale-%ld-%d", i, (int)getpid());
    return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + len);
}

static __attribute__((noinline)) void op_unix_abstract(int s, struct sockaddr_un *a, socklen_t len) {
    if (connect(s, (struct sockaddr *)a, len) < 0) die("connect");
}

static void s_unix_abstract(long n) {
    room_for(n);
    struct sockaddr_un a;
    for (long i = 0; i < n; i++) {
        int s = socket(AF_UNIX, SOCK_DGRAM, 0);
        socklen_t len = abstract_name(&a, i);
        if (s < 0 || bind(s, (struct sockaddr *)&a, len) < 0) die("socket/bind");
    }
    int s = socket(AF_UNIX, SOCK_DGRAM, 0);
    if (s < 0) die("socket");
    long long t = now_ns();
    for (long i = 0; i < OPS; i++) {
        socklen_t len = abstract_name(&a, (i * 7919) % n);
        op_unix_abstract(s, &a, len);
    }
    report("unix-abstract", n, now_ns() - t, OPS);
}

static __attribute__((noinline)) void op_inotify_event(int fd, long i) {
    if (fchmod(fd, i % 2 ? 0600 : 0644) < 0) die("fchmod");
}

static void s_inotify_event(long n) {
    char path[64];
    FILE *f = fopen("/proc/sys/fs/inotify/max_user_watches", "w");
    if (f) { fprintf(f, "%ld\n", n + 1000); fclose(f); }
    int in = inotify_init1(IN_NONBLOCK);
    if (in < 0) die("inotify_init1");
    mkdir("/tmp/scale-inotify", 0700);
    for (long i = 0; i < n; i++) {
        snprintf(path, sizeof path, "/tmp/scale-inotify/%ld", i);
        if ((mkdir(path, 0700) < 0 && errno != EEXIST) || inotify_add_watch(in, path, IN_ATTRIB) < 0) die("mkdir/inotify_add_watch");
    }
    int fd = open("/tmp/scale-inotify-file", O_CREAT | O_RDWR, 0600);
    if (fd < 0) die("open");
    long long t = now_ns();
    for (long i = 0; i < OPS; i++) op_inotify_event(fd, i);
    report("inotify-event", n, now_ns() - t, OPS);
}

static const struct { const char *name; void (*run)(long); } series[] = {
    {"flock", s_flock}, {"unix-abstract", s_unix_abstract}, {"inotify-event", s_inotify_event},
};

int main(int argc, char **argv) {
    size_t count = sizeof series / sizeof series[0];
    if (argc == 2 && !strcmp(argv[1], "list")) {
        for (size_t i = 0; i < count; i++) puts(series[i].name);
        return 0;
    }
    if (argc != 3) { fprintf(stderr, "usage: scale_names list | scale_names SERIES N\n"); return 2; }
    long n = atol(argv[2]);
    if (n < 1) { fprintf(stderr, "N must be positive\n"); return 2; }
    for (size_t i = 0; i < count; i++)
        if (!strcmp(argv[1], series[i].name)) { series[i].run(n); return 0; }
    fprintf(stderr, "scale_names: no series %s\n", argv[1]);
    return 2;
}
