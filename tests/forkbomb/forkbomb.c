// Forks (and creates threads) without limit, then kills the lot: the kernel must refuse with EAGAIN
// (RLIMIT_NPROC, threads-max) or ENOMEM, never fall over. Runs unchanged on Linux.
//
// usage: forkbomb MODE SECONDS   (at most SECONDS; one second after the first refusal)
//                                MODE: user (uid 1000, RLIMIT_NPROC), root (threads-max),
//                                      memory (root, each process dirties 2 MiB: memory runs out),
//                                      threads (one process, pthread_create until it fails)
// Prints "forkbomb MODE: created N, failures: EAGAIN..." and "forkbomb MODE: all gone".
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int report_fd;

static void report(char what, int err) {
    char b[2] = { what, (char)err };
    (void)!write(report_fd, b, 2);              // non-blocking: a full pipe drops reports
}

static void bomb(int dirty) {
    int told = 0;
    for (;;) {
        pid_t pid = fork();
        if (pid == 0) {
            told = 0;
            report('+', 0);
            if (dirty) {
                char *p = malloc(2 << 20);
                if (p) memset(p, 1, 2 << 20);
            }
            continue;
        }
        if (pid < 0) {
            if (!told) { report('E', errno); told = 1; }
            usleep(20000);
        }
    }
}

static void *idle_thread(void *arg) { (void)arg; for (;;) pause(); return NULL; }

static void thread_bomb(void) {
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    int told = 0;
    for (;;) {
        pthread_t t;
        int e = pthread_create(&t, &attr, idle_thread, NULL);
        if (e == 0) report('+', 0);
        else { if (!told) { report('E', e); told = 1; } usleep(20000); }
    }
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    // The bomb's leader runs as its own program (`forkbomb --bomb MODE FD`): after the exec it shares
    // no page with this reporter, so a copy-on-write fault here never needs a page the bomb ate.
    if (argc == 4 && strcmp(argv[1], "--bomb") == 0) {
        report_fd = atoi(argv[3]);
        if (strcmp(argv[2], "threads") == 0) thread_bomb();
        bomb(strcmp(argv[2], "memory") == 0);
    }
    if (argc < 3) { fprintf(stderr, "usage: forkbomb user|root|memory|threads SECONDS\n"); return 2; }
    const char *mode = argv[1];
    double seconds = atof(argv[2]);
    // Touch what the report needs now (stdout's buffer, the stack): once the memory bomb has eaten
    // all memory, a first page fault here has to wait for the OOM killer to free a bomb process's.
    printf("forkbomb %s: start\n", mode);
    fflush(stdout);
    // The reporter's buffers, touched before the fork (their stack pages are its own then).
    int seen[256];
    char buf[4096];
    memset(seen, 0, sizeof seen);
    memset(buf, 0, sizeof buf);
    int fds[2];
    if (pipe2(fds, O_NONBLOCK) != 0) { perror("pipe2"); return 1; }
    fcntl(fds[1], F_SETPIPE_SZ, 1 << 20);
    pid_t leader = fork();
    if (leader < 0) { perror("fork"); return 1; }
    if (leader == 0) {
        setpgid(0, 0);
        close(fds[0]);
        report_fd = fds[1];
        if (strcmp(mode, "user") == 0 && setresuid(1000, 1000, 1000) != 0) { report('E', errno); _exit(1); }
        char fd[16];
        snprintf(fd, sizeof fd, "%d", fds[1]);
        execl(argv[0], argv[0], "--bomb", mode, fd, (char *)NULL);
        report('E', errno);
        _exit(1);
    }
    setpgid(leader, leader);
    close(fds[1]);
    long created = 0;
    // Up to SECONDS, or one more second once the kernel has refused a fork.
    double end = now() + seconds, refused = 0;
    while (now() < end && (refused == 0 || now() < refused + 1)) {
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n > 0) {
            for (ssize_t i = 0; i + 1 < n; i += 2) {
                if (buf[i] == '+') created++;
                else { seen[(unsigned char)buf[i + 1]] = 1; if (refused == 0) refused = now(); }
            }
        } else usleep(10000);
    }
    printf("forkbomb %s: created %ld, failures:", mode, created);
    for (int e = 1; e < 256; e++) if (seen[e]) printf(" %s", strerrorname_np(e) ? strerrorname_np(e) : "?");
    printf("\n");
    fflush(stdout);
    // Kill the group until nothing is left (forks racing with the kill make new members): up to
    // 1200 rounds of 50 ms.
    int gone = 0, rounds = 0, last = 0;
    double start = now();
    for (; rounds < 1200; rounds++) {
        if (kill(-leader, SIGKILL) != 0) {
            last = errno;
            if (last == ESRCH) { gone = 1; break; }
        }
        while (waitpid(-1, NULL, WNOHANG) > 0) {}
        usleep(50000);
    }
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    if (gone) printf("forkbomb %s: all gone\n", mode);
    else printf("forkbomb %s: still alive after %d rounds, %.1f s (last kill error %d)\n", mode, rounds, now() - start, last);
    return gone ? 0 : 1;
}
