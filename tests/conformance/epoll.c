/* epoll over pipes: the argument checks of epoll_create1/epoll_ctl/epoll_wait, level-triggered
 * reports with the caller's data, EPOLLHUP without being asked for, EPOLLONESHOT until
 * EPOLL_CTL_MOD, timeouts, a wait woken by a write from another process, and an entry going away
 * with its file's last close (Python's selectors and procps' pgrep probe epoll first). */
#include "check.h"
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>

static int wait_one(int ep, int timeout, struct epoll_event *ev) {
    memset(ev, 0, sizeof *ev);
    return epoll_wait(ep, ev, 1, timeout);
}

static long ms_since(struct timespec *t0) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Edge-triggered: one report per new event (each write into the pipe), not one per wait; a read
 * that leaves data behind is no new input event. */
static void edge_triggered(void) {
    int ep = epoll_create1(0), p[2];
    if (ep < 0 || pipe(p) != 0) return;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 7}, out;
    CHECK_OK("et-add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    CHECK_EQ("et-nothing-yet", epoll_wait(ep, &out, 1, 0), 0);
    (void)!write(p[1], "ab", 2);
    CHECK_EQ("et-first-wait", epoll_wait(ep, &out, 1, 0), 1);
    CHECK("et-first-event", out.events == EPOLLIN && out.data.u64 == 7);
    CHECK_EQ("et-no-second-report", epoll_wait(ep, &out, 1, 0), 0);
    char c;
    (void)!read(p[0], &c, 1);
    CHECK_EQ("et-partial-read-no-edge", epoll_wait(ep, &out, 1, 0), 0);
    (void)!write(p[1], "c", 1);
    CHECK_EQ("et-each-write-an-edge", epoll_wait(ep, &out, 1, 0), 1);
    CHECK_EQ("et-once-per-write", epoll_wait(ep, &out, 1, 0), 0);
    ev.events = EPOLLIN | EPOLLET;
    CHECK_OK("et-mod", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    CHECK_EQ("et-mod-reports-ready", epoll_wait(ep, &out, 1, 0), 1);
    /* the write end: room appears when the reader drains a full pipe */
    int fl = fcntl(p[1], F_GETFL);
    fcntl(p[1], F_SETFL, fl | O_NONBLOCK);
    fcntl(p[0], F_SETFL, fl | O_NONBLOCK);
    char buf[4096];
    memset(buf, 'x', sizeof buf);
    while (write(p[1], buf, sizeof buf) > 0) {}
    ev.events = EPOLLOUT | EPOLLET;
    ev.data.u64 = 8;
    CHECK_OK("et-add-writer", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
    int n = epoll_wait(ep, &out, 1, 0);
    CHECK("et-full-pipe-not-writable", n == 0 || (n == 1 && out.data.u64 == 7));
    while (read(p[0], buf, sizeof buf) > 0) {}
    struct epoll_event two[2];
    n = epoll_wait(ep, two, 2, 0);
    CHECK("et-drained-writable", (n >= 1 && (two[0].data.u64 == 8 || (n == 2 && two[1].data.u64 == 8))));
    close(p[0]);
    close(p[1]);
    close(ep);
}

/* The flags' rules: EPOLLEXCLUSIVE only with ADD and only with in/out/err/hup/et/wakeup, never on
 * an epoll; EPOLLWAKEUP silently dropped; EPOLLRDHUP accepted. */
static void flag_rules(void) {
    int ep = epoll_create1(0), inner = epoll_create1(0), p[2];
    if (ep < 0 || inner < 0 || pipe(p) != 0) return;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE}, out;
    CHECK_ERR("exclusive-oneshot", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &(struct epoll_event){.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT}), EINVAL);
    CHECK_ERR("exclusive-rdhup", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &(struct epoll_event){.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLRDHUP}), EINVAL);
    CHECK_ERR("exclusive-on-epoll", epoll_ctl(ep, EPOLL_CTL_ADD, inner, &ev), EINVAL);
    CHECK_ERR("exclusive-mod-missing", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
    CHECK_OK("exclusive-add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    CHECK_ERR("exclusive-mod", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
    CHECK_ERR("exclusive-entry-mod", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &(struct epoll_event){.events = EPOLLIN}), EINVAL);
    (void)!write(p[1], "x", 1);
    CHECK_EQ("exclusive-reports", epoll_wait(ep, &out, 1, 0), 1);
    CHECK_OK("exclusive-del", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
    CHECK_OK("wakeup-accepted", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &(struct epoll_event){.events = EPOLLIN | EPOLLWAKEUP | EPOLLRDHUP}));
    CHECK_EQ("wakeup-reports", epoll_wait(ep, &out, 1, 0), 1);
    CHECK_EQ("wakeup-event", out.events, EPOLLIN);
    CHECK_ERR("del-bad-fd", epoll_ctl(ep, EPOLL_CTL_DEL, 999, NULL), EBADF);
    CHECK_ERR("ctl-bad-epfd", epoll_ctl(999, EPOLL_CTL_ADD, p[0], &ev), EBADF);
    CHECK_ERR("ctl-bad-pointer-first", syscall(SYS_epoll_ctl, 999, EPOLL_CTL_ADD, p[0], BADPTR), EFAULT);
    CHECK_OK("ctl-del-ignores-pointer", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], BADPTR));
    CHECK_ERR("wait-bad-sigsetsize", syscall(SYS_epoll_pwait, ep, &out, 1, 0, &(sigset_t){0}, 4), EINVAL);
    CHECK_ERR("wait-bad-epfd", epoll_wait(999, &out, 1, 0), EBADF);
    struct timespec bad = {0, 1000000000};
    CHECK_ERR("pwait2-bad-timespec", syscall(SYS_epoll_pwait2, ep, &out, 1, &bad, NULL, 8), EINVAL);
    CHECK_ERR("pwait2-bad-timespec-pointer", syscall(SYS_epoll_pwait2, ep, &out, 1, BADPTR, NULL, 8), EFAULT);
    struct timespec t = {0, 30 * 1000 * 1000}, t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ("pwait2-timeout", syscall(SYS_epoll_pwait2, ep, &out, 1, &t, NULL, 8), 0);
    CHECK("pwait2-slept", ms_since(&t0) >= 25);
    close(p[0]);
    close(p[1]);
    close(inner);
    close(ep);
}

/* An epoll fd is pollable (readable when a watched file is ready) and can be watched by another
 * epoll; loops and nesting deeper than Linux allows are ELOOP. */
static void nested(void) {
    int inner = epoll_create1(0), outer = epoll_create1(0), p[2];
    if (inner < 0 || outer < 0 || pipe(p) != 0) return;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 1}, out;
    epoll_ctl(inner, EPOLL_CTL_ADD, p[0], &ev);
    ev.data.u32 = 2;
    CHECK_OK("nested-add", epoll_ctl(outer, EPOLL_CTL_ADD, inner, &ev));
    CHECK_ERR("nested-loop", epoll_ctl(inner, EPOLL_CTL_ADD, outer, &ev), ELOOP);
    CHECK_EQ("nested-not-ready", epoll_wait(outer, &out, 1, 0), 0);
    struct pollfd pfd = {.fd = inner, .events = POLLIN};
    CHECK_EQ("poll-epoll-not-ready", poll(&pfd, 1, 0), 0);
    (void)!write(p[1], "x", 1);
    CHECK_EQ("poll-epoll-ready", poll(&pfd, 1, 0), 1);
    CHECK_EQ("poll-epoll-revents", pfd.revents, POLLIN);
    CHECK_EQ("nested-ready", epoll_wait(outer, &out, 1, 0), 1);
    CHECK("nested-ready-event", out.events == EPOLLIN && out.data.u32 == 2);
    CHECK_EQ("nested-inner-reports", epoll_wait(inner, &out, 1, 0), 1);
    CHECK_EQ("nested-inner-data", out.data.u32, 1);
    char c;
    (void)!read(p[0], &c, 1);
    CHECK_EQ("nested-drained", epoll_wait(outer, &out, 1, 0), 0);
    /* a chain of epolls, each watching the previous one: Linux stops it at its nesting limit */
    int chain[8], depth = 0;
    chain[0] = epoll_create1(0);
    for (int i = 1; i < 8; i++) {
        chain[i] = epoll_create1(0);
        if (epoll_ctl(chain[i], EPOLL_CTL_ADD, chain[i - 1], &ev) != 0) {
            int e = errno;
            CHECK_EQ("nest-too-deep-errno", e, ELOOP);
            break;
        }
        depth = i;
    }
    CHECK_EQ("nest-depth-limit", depth, 4);
    for (int i = 0; i < 8 && i <= depth + 1; i++) close(chain[i]);
    close(p[0]);
    close(p[1]);
    close(inner);
    close(outer);
}

/* An epoll fd shared by fork: the child's wait sees the parent's entries; a wait is woken by an
 * eventfd write (one report per write when edge-triggered). */
static void shared_by_fork(void) {
    int ep = epoll_create1(0), p[2];
    if (ep < 0 || pipe(p) != 0) return;
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 5}, out;
    epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
    pid_t child = fork();
    if (child == 0) {
        struct epoll_event o;
        int n = epoll_wait(ep, &o, 1, 5000);
        _exit(n == 1 && o.data.u32 == 5 ? 0 : 1);
    }
    struct timespec d = {0, 30 * 1000 * 1000};
    nanosleep(&d, NULL);
    (void)!write(p[1], "x", 1);
    int status = -1;
    waitpid(child, &status, 0);
    CHECK("fork-child-woken", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_EQ("fork-parent-sees", epoll_wait(ep, &out, 1, 0), 1);
    close(p[0]);
    close(p[1]);
    close(ep);
}

int main(void) {
    begin("epoll");
    edge_triggered();
    flag_rules();
    nested();
    shared_by_fork();
    struct epoll_event ev = {0}, out;
    CHECK_ERR("create1-bad-flags", epoll_create1(1), EINVAL);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    CHECK("create1", ep >= 0);
    CHECK_EQ("create1-cloexec", fcntl(ep, F_GETFD), FD_CLOEXEC);
    int p[2];
    pipe(p);
    int file = open("/init", O_RDONLY);
    ev.events = EPOLLIN;
    CHECK_ERR("ctl-not-epoll", epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev), EINVAL);
    CHECK_ERR("ctl-self", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
    CHECK_ERR("ctl-bad-fd", epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
    CHECK_ERR("ctl-regular-file", epoll_ctl(ep, EPOLL_CTL_ADD, file, &ev), EPERM);
    CHECK_ERR("ctl-bad-op", epoll_ctl(ep, 7, p[0], &ev), EINVAL);
    CHECK_ERR("ctl-mod-missing", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
    CHECK_ERR("ctl-del-missing", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], &ev), ENOENT);
    CHECK_ERR("ctl-bad-event-pointer", syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], BADPTR), EFAULT);
    ev.data.u64 = 0x1234567890ull;
    CHECK_OK("ctl-add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    CHECK_ERR("ctl-add-twice", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
    CHECK_ERR("wait-zero-max", epoll_wait(ep, &out, 0, 0), EINVAL);
    CHECK_ERR("wait-not-epoll", epoll_wait(p[0], &out, 1, 0), EINVAL);
    /* beyond the 48-bit user range: access_ok refuses it on Linux too (a low bad pointer is only
     * found when an event is stored) */
    CHECK_ERR("wait-bad-pointer", syscall(SYS_epoll_pwait, ep, (void *)0xffff000000000000ull, 1, 0, NULL, 8), EFAULT);
    CHECK_EQ("wait-nothing-ready", wait_one(ep, 0, &out), 0);

    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ("wait-timeout", wait_one(ep, 60, &out), 0);
    CHECK("wait-timeout-slept", ms_since(&t0) >= 50);

    write(p[1], "x", 1);
    CHECK_EQ("wait-readable", wait_one(ep, 0, &out), 1);
    CHECK("wait-readable-event", out.events == EPOLLIN && out.data.u64 == 0x1234567890ull);
    CHECK_EQ("level-triggered-again", wait_one(ep, 0, &out), 1);

    ev.events = EPOLLIN | EPOLLONESHOT;
    ev.data.u32 = 7;
    CHECK_OK("ctl-mod-oneshot", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    CHECK_EQ("oneshot-first", wait_one(ep, 0, &out), 1);
    CHECK_EQ("oneshot-data", out.data.u32, 7);
    CHECK_EQ("oneshot-disabled", wait_one(ep, 0, &out), 0);
    CHECK_OK("ctl-mod-rearm", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
    CHECK_EQ("oneshot-rearmed", wait_one(ep, 0, &out), 1);
    ev.events = EPOLLIN;
    epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev);
    char c;
    read(p[0], &c, 1);

    ev.events = EPOLLOUT;
    ev.data.u32 = 9;
    CHECK_OK("ctl-add-writer", epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev));
    CHECK_EQ("writer-ready", wait_one(ep, 0, &out), 1);
    CHECK("writer-event", out.events == EPOLLOUT && out.data.u32 == 9);
    CHECK_OK("ctl-del", epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL));
    CHECK_EQ("deleted", wait_one(ep, 0, &out), 0);

    pid_t child = fork();
    if (child == 0) {
        struct timespec d = {0, 50 * 1000 * 1000};
        nanosleep(&d, NULL);
        write(p[1], "y", 1);
        _exit(0);
    }
    CHECK_EQ("wait-woken-by-write", wait_one(ep, 5000, &out), 1);
    waitpid(child, NULL, 0);
    read(p[0], &c, 1);
    close(p[1]);
    CHECK_EQ("hangup-reported", wait_one(ep, 0, &out), 1);
    CHECK_EQ("hangup-event", out.events, EPOLLHUP);

    close(p[0]);                          /* the last close drops the entry */
    int q[2];
    pipe(q);
    CHECK_EQ("closed-entry-gone", wait_one(ep, 0, &out), 0);
    ev.events = EPOLLIN;
    CHECK_OK("add-after-close", epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev));

    struct epoll_event many[4];
    int r[3][2];
    for (int i = 0; i < 3; i++) {
        pipe(r[i]);
        write(r[i][1], "z", 1);
        ev.events = EPOLLIN;
        ev.data.u32 = 100 + i;
        epoll_ctl(ep, EPOLL_CTL_ADD, r[i][0], &ev);
    }
    CHECK_EQ("several-ready", epoll_wait(ep, many, 4, 0), 3);
    CHECK_EQ("max-events-limits", epoll_wait(ep, many, 2, 0), 2);
    close(file);
    return done();
}
