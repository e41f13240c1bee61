/* Memory pressure, for tests/boot/test_oom.py (static, aarch64): each mode prints what it saw.
 *   hog MIB          touch MIB MiB, print "hog ready", sleep until killed
 *   eat MIB          touch up to MIB MiB (0: without limit), print "eat done N" if it got there
 *   populate MIB     MemFree before and after an mmap(MAP_POPULATE) of MIB MiB, and after munmap
 *   strict           under overcommit_memory=2: a private writable mapping larger than CommitLimit fails
 *   fill DIR         1 MiB files in DIR until a write fails: the errno and the count
 *   inodes DIR       empty files in DIR until creat fails: the errno, the count and statfs's f_files/f_ffree
 *   entries DIR N    N empty files in DIR, then lookups, a readdir count, and their removal
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

static long meminfo(const char *key) {
    FILE *f = fopen("/proc/meminfo", "r");
    char line[128];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':') v = atol(line + strlen(key) + 1);
    if (f) fclose(f);
    return v;
}

static void touch(char *p, size_t bytes) { for (size_t i = 0; i < bytes; i += 4096) p[i] = 1; }

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IONBF, 0);
    const char *mode = argc > 1 ? argv[1] : "";
    long n = argc > 2 ? atol(argv[2]) : 0;
    if (!strcmp(mode, "hog") || !strcmp(mode, "eat")) {
        long got = 0;
        for (; n == 0 || got < n; got++) {
            char *p = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (p == MAP_FAILED) { printf("%s: mmap failed after %ld MiB: %s\n", mode, got, strerror(errno)); break; }
            touch(p, 1 << 20);
        }
        if (!strcmp(mode, "eat")) { printf("eat done %ld\n", got); return 0; }
        printf("hog ready %ld\n", got);
        for (;;) pause();
    }
    if (!strcmp(mode, "populate")) {
        long before = meminfo("MemFree");
        size_t bytes = (size_t)n << 20;
        char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
        if (p == MAP_FAILED) { printf("populate: mmap: %s\n", strerror(errno)); return 1; }
        long after = meminfo("MemFree");
        munmap(p, bytes);
        printf("populate: MemFree dropped %ld kB for %ld MiB, came back %ld kB\n", before - after, n, meminfo("MemFree") - after);
        return 0;
    }
    if (!strcmp(mode, "strict")) {
        long limit = meminfo("CommitLimit"), committed = meminfo("Committed_AS");
        size_t big = (size_t)(limit - committed + 16384) << 10;      /* 16 MiB more than what is left */
        void *p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("strict: too large: %s\n", p == MAP_FAILED ? strerror(errno) : "mapped");
        void *q = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        long during = meminfo("Committed_AS");
        printf("strict: 1 MiB: %s, Committed_AS grew %ld kB\n", q == MAP_FAILED ? strerror(errno) : "mapped", during - committed);
        void *r = mmap(NULL, big, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("strict: too large read-only: %s\n", r == MAP_FAILED ? strerror(errno) : "mapped");
        return 0;
    }
    if (!strcmp(mode, "fill") || !strcmp(mode, "inodes")) {
        static char buf[1 << 20];
        memset(buf, 7, sizeof buf);
        long count = 0;
        int err = 0;
        for (;; count++) {
            char name[256];
            snprintf(name, sizeof name, "%s/f%ld", argv[2], count);
            int fd = open(name, O_CREAT | O_WRONLY, 0644);
            if (fd < 0) { err = errno; break; }
            if (!strcmp(mode, "fill")) {
                ssize_t w = write(fd, buf, sizeof buf);
                if (w != (ssize_t)sizeof buf) { err = w < 0 ? errno : ENOSPC; close(fd); break; }
            }
            close(fd);
        }
        struct statfs s;
        statfs(argv[2], &s);
        printf("%s: stopped after %ld files: %s; f_files %ld f_ffree %ld\n", mode, count, strerror(err), (long)s.f_files, (long)s.f_ffree);
        return 0;
    }
    if (!strcmp(mode, "entries")) {
        long count = atol(argv[3]), made = 0, found = 0, listed = 0, removed = 0;
        char name[256];
        for (; made < count; made++) {
            snprintf(name, sizeof name, "%s/entry-%ld", argv[2], made);
            int fd = open(name, O_CREAT | O_WRONLY, 0644);
            if (fd < 0) { printf("entries: creat %ld: %s\n", made, strerror(errno)); break; }
            close(fd);
        }
        for (long i = 0; i < made; i += 997) {
            struct stat st;
            snprintf(name, sizeof name, "%s/entry-%ld", argv[2], i);
            found += stat(name, &st) == 0;
        }
        DIR *d = opendir(argv[2]);
        struct dirent *e;
        while (d && (e = readdir(d))) listed += e->d_name[0] != '.';
        if (d) closedir(d);
        for (long i = 0; i < made; i++) {
            snprintf(name, sizeof name, "%s/entry-%ld", argv[2], i);
            removed += unlink(name) == 0;
        }
        printf("entries: made %ld, found %ld of %ld, listed %ld, removed %ld\n", made, found, (made + 996) / 997, listed, removed);
        return 0;
    }
    fprintf(stderr, "usage: oom hog|eat|populate|strict|fill|inodes|entries ...\n");
    return 2;
}
