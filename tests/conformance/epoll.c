/* epoll over pipes: the argument checks of epoll_create1/epoll_ctl/epoll_wait, level-triggered
 * reports with the caller's data, EPOLLHUP without being asked for, EPOLLONESHOT until
 * EPOLL_CTL_MOD, timeouts, a wait woken by a write from another process, and an entry going away
 * with its file's last close (Python's selectors and procps' pgrep probe epoll first). */
#include "check.h"
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

/* Edge-triggered: one report per change, not one per wait (Lichen refuses EPOLLET: known failure). */
static void edge_triggered(void) {
    int ep = epoll_create1(0), p[2];
    if (ep < 0 || pipe(p) != 0) return;
    struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.u64 = 7}, out;
    CHECK_OK("et-add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
    (void)!write(p[1], "ab", 2);
    CHECK_EQ("et-first-wait", epoll_wait(ep, &out, 1, 0), 1);
    CHECK_EQ("et-no-second-report", epoll_wait(ep, &out, 1, 0), 0);
    close(p[0]);
    close(p[1]);
    close(ep);
}

int main(void) {
    begin("epoll");
    edge_triggered();
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
