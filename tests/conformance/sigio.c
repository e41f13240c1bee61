/* O_ASYNC / SIGIO: F_SETOWN(_EX), F_SETSIG and the signal a pipe, a socket or a pty sends its owner
 * as it becomes readable or writable; the siginfo with F_SETSIG; a process group owner; the
 * owner's permission (sigio_perm); files without ->fasync (eventfd) keep the flag and stay quiet. */
#include "check.h"
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <termios.h>

static volatile sig_atomic_t seen, last_code, last_fd, last_signo;
static volatile long last_band;

static void on_sigio(int s) { (void)s; seen++; }
static void on_info(int s, siginfo_t *i, void *c) {
    (void)c;
    seen++;
    last_signo = s;
    last_code = i->si_code;
    last_band = i->si_band;
    last_fd = i->si_fd;
}

static void handle(int sig, int info) {
    struct sigaction sa = {0};
    if (info) { sa.sa_sigaction = on_info; sa.sa_flags = SA_SIGINFO; } else sa.sa_handler = on_sigio;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static int set_async(int fd, int on) {
    int fl = fcntl(fd, F_GETFL);
    return fcntl(fd, F_SETFL, on ? fl | O_ASYNC : fl & ~O_ASYNC);
}

/* Waits up to 2 s for a signal that may come from a worker (Linux's tty flip buffers). */
static void wait_seen(int want) {
    for (int i = 0; i < 2000 && seen < want; i++) usleep(1000);
}

static void pipes(void) {
    int p[2];
    char c;
    if (pipe(p)) return;
    handle(SIGIO, 0);
    CHECK_OK("pipe-setown", fcntl(p[0], F_SETOWN, getpid()));
    CHECK_EQ("pipe-getown", fcntl(p[0], F_GETOWN), getpid());
    CHECK_OK("pipe-async", set_async(p[0], 1));
    CHECK("pipe-getfl-async", fcntl(p[0], F_GETFL) & O_ASYNC);
    seen = 0;
    (void)!write(p[1], "ab", 2);
    CHECK_EQ("pipe-write-signals-reader", seen, 1);
    (void)!write(p[1], "c", 1);
    CHECK_EQ("pipe-every-write-signals", seen, 2);
    (void)!read(p[0], &c, 1);
    CHECK_EQ("pipe-read-not-reader", seen, 2);
    /* The write end with O_ASYNC hears of reads (room). */
    CHECK_OK("pipe-w-setown", fcntl(p[1], F_SETOWN, getpid()));
    CHECK_OK("pipe-w-async", set_async(p[1], 1));
    (void)!read(p[0], &c, 1);
    CHECK_EQ("pipe-read-signals-writer", seen, 3);
    CHECK_OK("pipe-w-async-off", set_async(p[1], 0));
    CHECK_OK("pipe-async-off", set_async(p[0], 0));
    seen = 0;
    (void)!write(p[1], "d", 1);
    (void)!read(p[0], &c, 1);
    CHECK_EQ("pipe-async-off-quiet", seen, 0);
    /* The writer's close hangs the reader up: POLL_IN. */
    CHECK_OK("pipe-async-again", set_async(p[0], 1));
    seen = 0;
    close(p[1]);
    CHECK_EQ("pipe-close-signals-reader", seen, 1);
    close(p[0]);
}

static void setsig(void) {
    int p[2];
    char c;
    if (pipe(p)) return;
    int rt = SIGRTMIN + 2;
    handle(rt, 1);
    CHECK_EQ("setsig-default", fcntl(p[0], F_GETSIG), 0);
    CHECK_OK("setsig", fcntl(p[0], F_SETSIG, rt));
    CHECK_EQ("getsig", fcntl(p[0], F_GETSIG), rt);
    CHECK_ERR("setsig-bad", fcntl(p[0], F_SETSIG, 65), EINVAL);
    struct f_owner_ex ox = {F_OWNER_PID, getpid()}, got = {0, 0};
    CHECK_OK("setown-ex", fcntl(p[0], F_SETOWN_EX, &ox));
    CHECK_OK("getown-ex", fcntl(p[0], F_GETOWN_EX, &got));
    CHECK("getown-ex-value", got.type == F_OWNER_PID && got.pid == getpid());
    CHECK_OK("setsig-async", set_async(p[0], 1));
    seen = 0;
    (void)!write(p[1], "x", 1);
    CHECK_EQ("setsig-seen", seen, 1);
    CHECK_EQ("setsig-signo", last_signo, rt);
    CHECK_EQ("setsig-code-poll-in", last_code, POLL_IN);
    CHECK_EQ("setsig-band", last_band, POLLIN | POLLRDNORM);
    CHECK_EQ("setsig-fd", last_fd, p[0]);
    /* A duplicate keeps the descriptor F_SETFL named. */
    int d = dup(p[0]);
    (void)!write(p[1], "x", 1);
    CHECK_EQ("setsig-fd-after-dup", last_fd, p[0]);
    close(d);
    /* The write end: POLL_OUT with its band, after a read. */
    CHECK_OK("setsig-w", fcntl(p[1], F_SETSIG, rt));
    CHECK_OK("setsig-w-own", fcntl(p[1], F_SETOWN, getpid()));
    CHECK_OK("setsig-w-async", set_async(p[1], 1));
    seen = 0;
    (void)!read(p[0], &c, 1);
    CHECK_EQ("setsig-w-seen", seen, 1);
    CHECK_EQ("setsig-code-poll-out", last_code, POLL_OUT);
    CHECK_EQ("setsig-band-out", last_band, POLLOUT | POLLWRNORM | POLLWRBAND);
    CHECK_EQ("setsig-fd-out", last_fd, p[1]);
    /* A thread owner (F_OWNER_TID) gets it too. */
    struct f_owner_ex tx = {F_OWNER_TID, (pid_t)syscall(SYS_gettid)};
    CHECK_OK("setown-tid", fcntl(p[0], F_SETOWN_EX, &tx));
    seen = 0;
    (void)!write(p[1], "x", 1);
    CHECK_EQ("tid-owner-seen", seen, 1);
    /* The reader's close breaks the pipe: the writer hears POLL_OUT. */
    seen = 0;
    close(p[0]);
    CHECK_EQ("setsig-reader-close-signals-writer", seen, 1);
    CHECK_EQ("setsig-reader-close-code", last_code, POLL_OUT);
    close(p[1]);
    signal(rt, SIG_DFL);
}

static void sockets(void) {
    int s[2];
    char buf[8];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, s)) return;
    handle(SIGIO, 0);
    CHECK_OK("sock-setown", fcntl(s[0], F_SETOWN, getpid()));
    CHECK_OK("sock-async", set_async(s[0], 1));
    seen = 0;
    (void)!send(s[1], "hi", 2, 0);
    CHECK_EQ("sock-send-signals", seen, 1);
    (void)!recv(s[0], buf, sizeof buf, 0);
    seen = 0;
    (void)!send(s[0], "yo", 2, 0);
    CHECK_EQ("sock-own-send-quiet", seen, 0);
    close(s[0]);
    close(s[1]);
    int d[2];
    if (socketpair(AF_UNIX, SOCK_DGRAM, 0, d)) return;
    CHECK_OK("dgram-setown", fcntl(d[0], F_SETOWN, getpid()));
    CHECK_OK("dgram-async", set_async(d[0], 1));
    seen = 0;
    (void)!send(d[1], "x", 1, 0);
    CHECK_EQ("dgram-send-signals", seen, 1);
    close(d[0]);
    close(d[1]);
}

static void ptys(void) {
    struct statfs fs;
    if (statfs("/dev/pts", &fs) != 0 || fs.f_type != DEVPTS_SUPER_MAGIC) {
        mkdir("/dev/pts", 0755);
        mount("devpts", "/dev/pts", "devpts", 0, "gid=5,mode=620");
    }
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    if (m < 0 || grantpt(m) || unlockpt(m)) { fail("pty-open", "posix_openpt"); return; }
    int s = open(ptsname(m), O_RDWR | O_NOCTTY);
    if (s < 0) { fail("pty-open-slave", "open"); return; }
    struct termios t;
    tcgetattr(s, &t);
    cfmakeraw(&t);
    tcsetattr(s, TCSANOW, &t);
    handle(SIGIO, 0);
    /* tty_fasync: O_ASYNC makes the terminal's foreground group, else the caller, the owner. */
    CHECK_OK("pty-setown-none", fcntl(s, F_SETOWN, 0));
    CHECK_OK("pty-slave-async", set_async(s, 1));
    CHECK_EQ("pty-async-sets-owner", fcntl(s, F_GETOWN), getpid());
    seen = 0;
    (void)!write(m, "k", 1);
    wait_seen(1);
    CHECK("pty-master-write-signals-slave", seen >= 1);
    CHECK_OK("pty-master-async", set_async(m, 1));
    CHECK_EQ("pty-master-owner", fcntl(m, F_GETOWN), getpid());
    seen = 0;
    (void)!write(s, "z", 1);
    wait_seen(1);
    CHECK("pty-slave-write-signals-master", seen >= 1);
    close(s);
    close(m);
}

static void group_owner(void) {
    int p[2], ready[2];
    if (pipe(p) || pipe(ready)) return;
    pid_t c = fork();
    if (c == 0) {
        handle(SIGIO, 0);
        setpgid(0, 0);
        seen = 0;
        (void)!write(ready[1], "r", 1);
        for (int i = 0; i < 2000 && !seen; i++) usleep(1000);
        _exit(seen ? 0 : 1);
    }
    char r;
    (void)!read(ready[0], &r, 1);
    setpgid(c, c);
    CHECK_OK("group-setown", fcntl(p[0], F_SETOWN, -c));
    CHECK_EQ("group-getown", fcntl(p[0], F_GETOWN), -c);
    struct f_owner_ex got = {0, 0};
    fcntl(p[0], F_GETOWN_EX, &got);
    CHECK("group-getown-ex", got.type == F_OWNER_PGRP && got.pid == c);
    CHECK_OK("group-async", set_async(p[0], 1));
    (void)!write(p[1], "x", 1);
    int st = -1;
    waitpid(c, &st, 0);
    CHECK("group-member-signalled", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(p[0]);
    close(p[1]);
    close(ready[0]);
    close(ready[1]);
}

/* sigio_perm: an owner set by uid 1000 may not signal a root process. */
static void permission(void) {
    if (getuid() != 0) return;
    int p[2], done[2];
    if (pipe(p) || pipe(done)) return;
    handle(SIGIO, 0);
    pid_t parent = getpid();
    pid_t c = fork();
    if (c == 0) {
        if (setresuid(1000, 1000, 1000)) _exit(2);
        int r = fcntl(p[0], F_SETOWN, parent);
        (void)!write(done[1], &r, sizeof r);
        _exit(0);
    }
    int r = -1;
    (void)!read(done[0], &r, sizeof r);
    waitpid(c, NULL, 0);
    CHECK_EQ("perm-setown-by-user", r, 0);
    CHECK_OK("perm-async", set_async(p[0], 1));
    seen = 0;
    (void)!write(p[1], "x", 1);
    CHECK_EQ("perm-user-owner-cannot-signal-root", seen, 0);
    CHECK_OK("perm-setown-root", fcntl(p[0], F_SETOWN, getpid()));
    (void)!write(p[1], "x", 1);
    CHECK_EQ("perm-root-owner-signals", seen, 1);
    close(p[0]);
    close(p[1]);
    close(done[0]);
    close(done[1]);
}

/* Linux's eventfd and regular files have no ->fasync: F_SETFL does not store the flag, nothing is sent. */
static void eventfds(void) {
    int e = eventfd(0, 0);
    if (e < 0) return;
    handle(SIGIO, 0);
    CHECK_OK("eventfd-setown", fcntl(e, F_SETOWN, getpid()));
    CHECK_OK("eventfd-async", set_async(e, 1));
    CHECK("eventfd-getfl-no-async", !(fcntl(e, F_GETFL) & O_ASYNC));
    seen = 0;
    uint64_t one = 1;
    (void)!write(e, &one, sizeof one);
    CHECK_EQ("eventfd-quiet", seen, 0);
    close(e);
    int f = open("/tmp-sigio-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (f < 0) f = open("/dev/null", O_RDWR);
    CHECK_OK("file-async", set_async(f, 1));
    CHECK("file-getfl-no-async", !(fcntl(f, F_GETFL) & O_ASYNC));
    close(f);
    unlink("/tmp-sigio-file");
}

int main(void) {
    begin("sigio");
    pipes();
    setsig();
    sockets();
    ptys();
    group_owner();
    permission();
    eventfds();
    signal(SIGIO, SIG_DFL);
    return done();
}
