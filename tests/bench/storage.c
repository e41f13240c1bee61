/* Storage benchmarks on a mounted file system (tests/bench/storage.py), a static program for Lichen and Linux.
   Each mode prints one line "RESULT name value unit"; time is CLOCK_MONOTONIC.
     storage write FILE MIB        sequential write in 1 MiB calls, fsync at the end          MB/s
     storage read FILE             sequential read in 1 MiB calls                              MB/s
     storage randread FILE N       N 4 KiB preads at random 4 KiB-aligned offsets              ops/s
     storage create DIR N          N files of 100 bytes (open O_CREAT, write, close), then sync files/s
     storage delete DIR N          unlinks them, then sync                                      files/s
     storage time NAME CMD ARGS... runs CMD (fork + execv), its wall time                       s */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void fail(const char *what) { perror(what); exit(1); }

static char buf[1 << 20];

/* One file each (not inlined: tools/storage_profile.py profiles the stretch between their calls). */
__attribute__((noinline)) static void op_create(const char *name) {
    int fd = open(name, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) fail("create");
    if (write(fd, buf, 100) != 100) fail("write");
    close(fd);
}

__attribute__((noinline)) static void op_delete(const char *name) {
    if (unlink(name) < 0) fail("unlink");
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: see storage.c\n"); return 2; }
    const char *mode = argv[1], *path = argv[2];
    double t0 = now(), value;
    if (!strcmp(mode, "write") && argc == 4) {
        long mib = atol(argv[3]);
        memset(buf, 0x5a, sizeof buf);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd < 0) fail("open");
        for (long i = 0; i < mib; i++) {
            buf[0] = (char)i;
            if (write(fd, buf, sizeof buf) != (ssize_t)sizeof buf) fail("write");
        }
        if (fsync(fd) < 0) fail("fsync");
        close(fd);
        value = mib * 1048576.0 / (now() - t0) / 1e6;
        printf("RESULT seqwrite %.1f MB/s\n", value);
    } else if (!strcmp(mode, "read")) {
        int fd = open(path, O_RDONLY);
        if (fd < 0) fail("open");
        long total = 0;
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) total += n;
        if (n < 0) fail("read");
        close(fd);
        printf("RESULT seqread %.1f MB/s\n", total / (now() - t0) / 1e6);
    } else if (!strcmp(mode, "randread") && argc == 4) {
        long ops = atol(argv[3]);
        int fd = open(path, O_RDONLY);
        if (fd < 0) fail("open");
        struct stat st;
        if (fstat(fd, &st) < 0) fail("fstat");
        long blocks = st.st_size / 4096;
        uint64_t x = 88172645463325252ULL;
        t0 = now();
        for (long i = 0; i < ops; i++) {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            if (pread(fd, buf, 4096, (off_t)(x % blocks) * 4096) != 4096) fail("pread");
        }
        close(fd);
        printf("RESULT randread %.0f ops/s\n", ops / (now() - t0));
    } else if ((!strcmp(mode, "create") || !strcmp(mode, "delete")) && argc == 4) {
        long n = atol(argv[3]);
        char name[256];
        int create = !strcmp(mode, "create");
        if (create && mkdir(path, 0755) < 0) fail("mkdir");
        memset(buf, 'x', 100);
        for (long i = 0; i < n; i++) {
            snprintf(name, sizeof name, "%s/file%ld", path, i);
            if (create) op_create(name); else op_delete(name);
        }
        sync();
        printf("RESULT %s %.0f files/s\n", mode, n / (now() - t0));
    } else if (!strcmp(mode, "time") && argc >= 4) {
        pid_t pid = fork();
        if (pid < 0) fail("fork");
        if (pid == 0) { execv(argv[3], argv + 3); _exit(127); }
        int status;
        if (waitpid(pid, &status, 0) < 0) fail("waitpid");
        if (!WIFEXITED(status) || WEXITSTATUS(status)) { fprintf(stderr, "%s: status %d\n", path, status); return 1; }
        printf("RESULT %s %.3f s\n", path, now() - t0);
    } else {
        fprintf(stderr, "usage: see storage.c\n");
        return 2;
    }
    return 0;
}
