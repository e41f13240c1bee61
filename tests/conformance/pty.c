/* Pseudo-terminals: /dev/ptmx and devpts (posix_openpt, grantpt, unlockpt, ptsname, TIOCGPTPEER,
 * openpty/forkpty), the slave's line discipline seen from the master (canonical mode, echo, ONLCR,
 * ICRNL, VEOF, raw mode, VMIN/VTIME), packet mode, window sizes and SIGWINCH, control characters
 * raising signals in a child whose controlling terminal is the slave, job-control ioctls, hang-up
 * both ways, buffer limits with no lost bytes, bad descriptors and pointers. */
#include "check.h"
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>

#define DEVPTS_SUPER_MAGIC 0x1cd1

/* Reads what is available within `ms` milliseconds (several reads), at most `n` bytes. */
static int drain(int fd, char *buf, int n, int ms) {
    int got = 0;
    while (got < n) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, ms) != 1 || !(p.revents & POLLIN)) break;
        int r = read(fd, buf + got, n - got);
        if (r <= 0) break;
        got += r;
    }
    return got;
}

static int readable(int fd, int ms) {
    struct pollfd p = {fd, POLLIN, 0};
    return poll(&p, 1, ms) == 1 && (p.revents & POLLIN);
}

static int new_pair(int *master, int *slave, char *name) {
    *master = posix_openpt(O_RDWR | O_NOCTTY);
    if (*master < 0) return -1;
    if (grantpt(*master) || unlockpt(*master)) return -1;
    strcpy(name, ptsname(*master));
    *slave = open(name, O_RDWR | O_NOCTTY);
    return *slave < 0 ? -1 : 0;
}

static void setup(void) {
    struct statfs fs;
    if (statfs("/dev/pts", &fs) != 0 || fs.f_type != DEVPTS_SUPER_MAGIC) {
        mkdir("/dev/pts", 0755);
        CHECK_OK("mount-devpts", mount("devpts", "/dev/pts", "devpts", 0, "gid=5,mode=620"));
    }
    CHECK_OK("statfs-devpts", statfs("/dev/pts", &fs));
    CHECK_EQ("devpts-magic", fs.f_type, DEVPTS_SUPER_MAGIC);
    CHECK_ERR("mount-bad-option", mount("devpts", "/dev/pts", "devpts", 0, "bogus=1"), EINVAL);
    struct stat st;
    CHECK_OK("stat-ptmx", stat("/dev/ptmx", &st));
    CHECK("ptmx-node", S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 && minor(st.st_rdev) == 2);
}

static void test_allocation(void) {
    int m = posix_openpt(O_RDWR | O_NOCTTY);
    CHECK_OK("posix-openpt", m);
    unsigned n = 12345;
    CHECK_OK("tiocgptn", ioctl(m, TIOCGPTN, &n));
    char want[64];
    snprintf(want, sizeof want, "/dev/pts/%u", n);
    char *name = ptsname(m);
    CHECK("ptsname", name && !strcmp(name, want));
    struct stat st;
    CHECK_OK("stat-slave", stat(want, &st));
    CHECK("slave-node", S_ISCHR(st.st_mode) && major(st.st_rdev) == 136 && minor(st.st_rdev) == n);
    CHECK_EQ("slave-mode", st.st_mode & 07777, 0620);
    CHECK_EQ("slave-gid", st.st_gid, 5);
    CHECK_EQ("slave-uid", st.st_uid, getuid());
    int locked = -1;
    CHECK_OK("tiocgptlck", ioctl(m, TIOCGPTLCK, &locked));
    CHECK_EQ("new-pair-locked", locked, 1);
    CHECK_ERR("open-locked-slave", open(want, O_RDWR | O_NOCTTY), EIO);
    CHECK_OK("grantpt", grantpt(m));
    CHECK_OK("unlockpt", unlockpt(m));
    CHECK_OK("tiocgptlck-after", ioctl(m, TIOCGPTLCK, &locked));
    CHECK_EQ("unlocked", locked, 0);
    int s = open(want, O_RDWR | O_NOCTTY);
    CHECK_OK("open-slave", s);
    CHECK("isatty-slave", isatty(s));
    CHECK("isatty-master", isatty(m));
    int lock = 1;
    CHECK_OK("relock", ioctl(m, TIOCSPTLCK, &lock));
    CHECK_ERR("open-relocked", open(want, O_RDWR | O_NOCTTY), EIO);
    lock = 0;
    ioctl(m, TIOCSPTLCK, &lock);
    int peer = ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
    CHECK_OK("tiocgptpeer", peer);
    struct stat ps;
    CHECK("peer-is-slave", fstat(peer, &ps) == 0 && ps.st_rdev == st.st_rdev);
    CHECK_EQ("peer-cloexec", fcntl(peer, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    int m2 = posix_openpt(O_RDWR | O_NOCTTY);
    unsigned n2 = 0;
    ioctl(m2, TIOCGPTN, &n2);
    CHECK("second-pair-new-number", m2 >= 0 && n2 != n);
    close(m2);
    close(peer);
    close(s);
    close(m);
    CHECK_ERR("slave-node-gone", stat(want, &st), ENOENT);
}

static void test_termios_defaults(void) {
    int m, s;
    char name[64];
    if (new_pair(&m, &s, name)) { fail("pair-defaults", "no pair"); return; }
    struct termios t;
    CHECK_OK("tcgetattr-slave", tcgetattr(s, &t));
    CHECK_EQ("slave-lflag", t.c_lflag & (ICANON | ECHO | ISIG | IEXTEN), ICANON | ECHO | ISIG | IEXTEN);
    CHECK_EQ("slave-oflag", t.c_oflag & (OPOST | ONLCR), OPOST | ONLCR);
    CHECK_EQ("slave-iflag", t.c_iflag & (ICRNL | IXON), ICRNL | IXON);
    CHECK_EQ("slave-cflag", t.c_cflag & (CSIZE | CREAD | HUPCL | PARENB), CS8 | CREAD);
    CHECK_EQ("slave-vintr", t.c_cc[VINTR], 3);
    CHECK_OK("tcgetattr-master", tcgetattr(m, &t));             /* the master's termios requests are the slave's */
    CHECK_EQ("master-termios-is-slaves", t.c_lflag & (ICANON | ECHO), ICANON | ECHO);
    t.c_lflag &= ~ECHO;
    CHECK_OK("tcsetattr-master", tcsetattr(m, TCSANOW, &t));
    struct termios u;
    tcgetattr(s, &u);
    CHECK_EQ("tcsetattr-master-sets-slave", u.c_lflag & ECHO, 0);
    struct winsize w = {1, 1, 1, 1};
    CHECK_OK("tiocgwinsz-new", ioctl(s, TIOCGWINSZ, &w));
    CHECK("new-window-zero", w.ws_row == 0 && w.ws_col == 0);
    close(s);
    close(m);
}

static void test_byte_flow(void) {
    int m, s;
    char name[64], buf[256];
    if (new_pair(&m, &s, name)) { fail("pair-flow", "no pair"); return; }
    CHECK_EQ("slave-write", write(s, "hello\n", 6), 6);
    CHECK("master-readable", readable(m, 500));
    int avail = -1;
    ioctl(m, FIONREAD, &avail);
    CHECK("master-fionread", avail > 0 && avail <= 7);        /* Linux may still be moving the rest */
    int n = drain(m, buf, sizeof buf, 500);
    CHECK("onlcr", n == 7 && !memcmp(buf, "hello\r\n", 7));

    CHECK_EQ("master-write", write(m, "abc\n", 4), 4);
    n = drain(s, buf, sizeof buf, 500);
    CHECK("canonical-line", n == 4 && !memcmp(buf, "abc\n", 4));
    n = drain(m, buf, sizeof buf, 500);
    CHECK("echo", n == 5 && !memcmp(buf, "abc\r\n", 5));

    write(m, "xy", 2);
    usleep(50000);
    avail = -1;
    ioctl(s, FIONREAD, &avail);
    CHECK_EQ("partial-line-not-ready", avail, 0);
    CHECK("partial-line-no-pollin", !readable(s, 50));
    write(m, "\n", 1);
    n = drain(s, buf, sizeof buf, 500);
    CHECK("line-completed", n == 3 && !memcmp(buf, "xy\n", 3));

    write(m, "ab\177c\n", 5);
    n = drain(s, buf, sizeof buf, 500);
    CHECK("verase", n == 3 && !memcmp(buf, "ac\n", 3));
    write(m, "zz\025q\n", 5);
    n = drain(s, buf, sizeof buf, 500);
    CHECK("vkill", n == 2 && !memcmp(buf, "q\n", 2));
    write(m, "z\r", 2);
    n = drain(s, buf, sizeof buf, 500);
    CHECK("icrnl", n == 2 && !memcmp(buf, "z\n", 2));
    write(m, "\004", 1);
    CHECK("veof-readable", readable(s, 500));
    CHECK_EQ("veof-read-zero", read(s, buf, sizeof buf), 0);
    drain(m, buf, sizeof buf, 100);

    /* no echo */
    struct termios t;
    tcgetattr(s, &t);
    t.c_lflag &= ~ECHO;
    CHECK_OK("tcsetattr-noecho", tcsetattr(s, TCSANOW, &t));
    write(m, "se\n", 3);
    drain(s, buf, sizeof buf, 300);
    CHECK("no-echo", !readable(m, 100));
    /* no output processing */
    t.c_oflag &= ~OPOST;
    tcsetattr(s, TCSANOW, &t);
    write(s, "a\n", 2);
    n = drain(m, buf, sizeof buf, 300);
    CHECK("no-opost", n == 2 && !memcmp(buf, "a\n", 2));

    /* raw mode */
    cfmakeraw(&t);
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    CHECK_OK("tcsetattr-raw", tcsetattr(s, TCSANOW, &t));
    write(m, "q\003\r", 3);
    n = drain(s, buf, sizeof buf, 300);
    CHECK("raw-bytes", n == 3 && !memcmp(buf, "q\003\r", 3));
    CHECK("raw-no-echo", !readable(m, 100));
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    tcsetattr(s, TCSANOW, &t);
    CHECK_EQ("vmin0-vtime0", read(s, buf, sizeof buf), 0);
    t.c_cc[VTIME] = 2;
    tcsetattr(s, TCSANOW, &t);
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    CHECK_EQ("vtime-timeout-read", read(s, buf, sizeof buf), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    CHECK("vtime-waited", ms >= 150 && ms < 2000);
    t.c_cc[VMIN] = 3;
    t.c_cc[VTIME] = 0;
    tcsetattr(s, TCSANOW, &t);
    write(m, "12", 2);
    CHECK("vmin3-not-ready", !readable(s, 100));
    write(m, "3", 1);
    n = drain(s, buf, sizeof buf, 300);
    CHECK("vmin3", n == 3 && !memcmp(buf, "123", 3));

    /* non-blocking and poll */
    fcntl(m, F_SETFL, O_NONBLOCK);
    CHECK_ERR("master-eagain", read(m, buf, sizeof buf), EAGAIN);
    fcntl(s, F_SETFL, O_NONBLOCK);
    CHECK_ERR("slave-eagain", read(s, buf, sizeof buf), EAGAIN);
    struct pollfd p[2] = {{m, POLLIN | POLLOUT, 0}, {s, POLLIN | POLLOUT, 0}};
    CHECK_EQ("poll-both-writable", poll(p, 2, 0), 2);
    CHECK("poll-writable-bits", p[0].revents == POLLOUT && p[1].revents == POLLOUT);
    write(s, "k", 1);
    p[0].revents = 0;
    CHECK("poll-master-readable", poll(p, 1, 500) == 1 && (p[0].revents & POLLIN));
    drain(m, buf, sizeof buf, 100);

    /* flushes */
    write(m, "junk", 4);
    usleep(50000);
    CHECK_OK("tcflush-slave", tcflush(s, TCIFLUSH));
    CHECK_ERR("flushed", read(s, buf, sizeof buf), EAGAIN);
    CHECK_ERR("tcflush-bad", ioctl(s, TCFLSH, 7), EINVAL);
    CHECK_OK("tcdrain", tcdrain(s));
    CHECK_OK("tcsendbreak", tcsendbreak(s, 0));
    int outq = -1;
    CHECK_OK("tiocoutq", ioctl(s, TIOCOUTQ, &outq));
    CHECK_EQ("tiocoutq-zero", outq, 0);
    close(s);
    close(m);
}

static void test_limits(void) {
    int m, s;
    char name[64];
    static char buf[1 << 17];
    if (new_pair(&m, &s, name)) { fail("pair-limits", "no pair"); return; }
    struct termios t;
    tcgetattr(s, &t);
    cfmakeraw(&t);
    tcsetattr(s, TCSANOW, &t);
    fcntl(m, F_SETFL, O_NONBLOCK);
    fcntl(s, F_SETFL, O_NONBLOCK);
    memset(buf, 'x', sizeof buf);
    /* master -> slave until full: every byte accepted arrives */
    long in = 0, r;
    while ((r = write(m, buf, 1000)) > 0) in += r;
    CHECK("master-write-fills", r == -1 && errno == EAGAIN && in >= 4095);
    long out = 0;
    while ((r = drain(s, buf, sizeof buf, 200)) > 0) out += r;
    CHECK_EQ("master-to-slave-no-loss", out, in);
    /* slave -> master */
    in = 0;
    while ((r = write(s, buf, 1000)) > 0) in += r;
    CHECK("slave-write-fills", r == -1 && errno == EAGAIN && in >= 4095);
    out = 0;
    while ((r = drain(m, buf, sizeof buf, 200)) > 0) out += r;
    CHECK_EQ("slave-to-master-no-loss", out, in);
    /* canonical: a line longer than 4095 bytes is cut, its newline kept */
    tcgetattr(s, &t);
    t.c_lflag |= ICANON;
    t.c_lflag &= ~ECHO;
    tcsetattr(s, TCSANOW, &t);
    fcntl(m, F_SETFL, 0);
    memset(buf, 'y', 5000);
    buf[5000] = '\n';
    CHECK_EQ("long-line-written", write(m, buf, 5001), 5001);
    usleep(100000);
    r = read(s, buf, sizeof buf);
    CHECK("long-line-cut", r == 4096 && buf[4095] == '\n');
    close(s);
    close(m);
}

static void test_packet_mode(void) {
    int m, s;
    char name[64], buf[64];
    if (new_pair(&m, &s, name)) { fail("pair-packet", "no pair"); return; }
    int on = 1, got = -1;
    CHECK_OK("tiocpkt", ioctl(m, TIOCPKT, &on));
    CHECK_OK("tiocgpkt", ioctl(m, TIOCGPKT, &got));
    CHECK_EQ("tiocgpkt-on", got, 1);
    write(s, "p", 1);
    int n = drain(m, buf, 2, 300);
    CHECK("packet-data", n == 2 && buf[0] == TIOCPKT_DATA && buf[1] == 'p');
    CHECK_OK("packet-flush", tcflush(s, TCIFLUSH));
    struct pollfd p = {m, POLLPRI, 0};
    CHECK("packet-pollpri", poll(&p, 1, 300) == 1 && (p.revents & POLLPRI));
    n = read(m, buf, sizeof buf);
    CHECK("packet-flushread", n == 1 && buf[0] == TIOCPKT_FLUSHREAD);
    tcflush(s, TCOFLUSH);
    n = read(m, buf, sizeof buf);
    CHECK("packet-flushwrite", n == 1 && buf[0] == TIOCPKT_FLUSHWRITE);
    struct termios t;
    tcgetattr(s, &t);
    t.c_iflag &= ~IXON;
    tcsetattr(s, TCSANOW, &t);
    n = read(m, buf, sizeof buf);
    CHECK("packet-nostop", n == 1 && buf[0] == TIOCPKT_NOSTOP);
    t.c_iflag |= IXON;
    tcsetattr(s, TCSANOW, &t);
    n = read(m, buf, sizeof buf);
    CHECK("packet-dostop", n == 1 && buf[0] == TIOCPKT_DOSTOP);
    on = 0;
    ioctl(m, TIOCPKT, &on);
    write(s, "r", 1);
    n = drain(m, buf, sizeof buf, 300);
    CHECK("packet-off", n == 1 && buf[0] == 'r');
    close(s);
    close(m);
}

static volatile sig_atomic_t got_signal[65];
static void note(int sig) { got_signal[sig]++; }

/* Waits up to a second for `sig`. */
static int await_signal(int sig) {
    for (int i = 0; i < 100 && !got_signal[sig]; i++) usleep(10000);
    return got_signal[sig] != 0;
}

/* A child in its own session with the slave as controlling terminal: reports over a pipe. */
static void test_session(void) {
    int m, s;
    char name[64], buf[64];
    if (new_pair(&m, &s, name)) { fail("pair-session", "no pair"); return; }
    close(s);
    int report[2], go[2];
    pipe(report);
    pipe(go);
    pid_t child = fork();
    if (child == 0) {
        alarm(10);
        close(m);                                       /* the parent's close must be the last */
        close(report[0]);
        close(go[1]);
        struct sigaction sa = {0};
        sa.sa_handler = note;
        sa.sa_flags = SA_RESTART;
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGQUIT, &sa, NULL);
        sigaction(SIGTSTP, &sa, NULL);
        sigaction(SIGWINCH, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        sigaction(SIGCONT, &sa, NULL);
        char r[16] = {0};
        int before = open(name, O_RDWR);                  /* not a leader yet: no controlling tty */
        pid_t dummy;
        r[0] = ioctl(before, TIOCGSID, &dummy) == -1 && errno == ENOTTY;
        close(before);
        setsid();
        int t = open(name, O_RDWR);                      /* the leader's first tty becomes its terminal */
        pid_t sid = 0;
        r[1] = ioctl(t, TIOCGSID, &sid) == 0 && sid == getpid();
        r[2] = tcgetpgrp(t) == getpid();
        int tty = open("/dev/tty", O_RDWR);
        r[3] = tty >= 0 && isatty(tty);
        struct stat a;
        r[4] = fstat(tty, &a) == 0 && a.st_rdev == makedev(5, 0) && ioctl(tty, TIOCGSID, &sid) == 0 && sid == getpid();
        close(tty);
        r[5] = tcsetpgrp(t, 99999) == -1 && errno == ESRCH;
        r[6] = tcsetpgrp(t, getppid()) == -1 && errno == EPERM;
        r[7] = tcsetpgrp(t, getpid()) == 0;
        write(report[1], "R", 1);
        write(report[1], r, 8);
        read(go[0], buf, 1);                            /* the parent typed ^C ^\ ^Z and resized */
        char sigs[5] = {await_signal(SIGINT), await_signal(SIGQUIT), await_signal(SIGTSTP), await_signal(SIGWINCH), 0};
        write(report[1], sigs, 4);
        read(go[0], buf, 1);                            /* the parent closed the master */
        char h[4] = {await_signal(SIGHUP), await_signal(SIGCONT), 0, 0};
        struct pollfd p = {t, POLLIN, 0};
        h[2] = poll(&p, 1, 1000) == 1 && (p.revents & POLLHUP);
        h[3] = read(t, buf, sizeof buf) == 0;
        write(report[1], h, 4);
        _exit(0);
    }
    close(report[1]);
    close(go[0]);
    char r[8] = {0};
    CHECK_EQ("child-ready", read(report[0], buf, 1), 1);
    CHECK_EQ("child-report", read(report[0], r, 8), 8);
    CHECK("noleader-no-ctty", r[0]);
    CHECK("leader-open-ctty", r[1]);
    CHECK("leader-foreground", r[2]);
    CHECK("dev-tty-opens", r[3]);
    CHECK("dev-tty-is-the-terminal", r[4]);
    CHECK("tcsetpgrp-esrch", r[5]);
    CHECK("tcsetpgrp-other-session", r[6]);
    CHECK("tcsetpgrp-own", r[7]);
    pid_t pg = 0, sid = 0;
    CHECK_OK("master-tiocgpgrp", ioctl(m, TIOCGPGRP, &pg));
    CHECK_EQ("master-sees-foreground", pg, child);
    CHECK_OK("master-tiocgsid", ioctl(m, TIOCGSID, &sid));
    CHECK_EQ("master-sees-session", sid, child);
    CHECK_ERR("master-tiocnotty", ioctl(m, TIOCNOTTY), ENOTTY);
    write(m, "\003", 1);
    usleep(30000);
    write(m, "\034", 1);
    usleep(30000);
    write(m, "\032", 1);
    struct winsize w = {30, 100, 0, 0};
    CHECK_OK("master-tiocswinsz", ioctl(m, TIOCSWINSZ, &w));
    write(go[1], "g", 1);
    char sigs[4] = {0};
    CHECK_EQ("child-signals", read(report[0], sigs, 4), 4);
    CHECK("ctrl-c-sigint", sigs[0]);
    CHECK("ctrl-backslash-sigquit", sigs[1]);
    CHECK("ctrl-z-sigtstp", sigs[2]);
    CHECK("resize-sigwinch", sigs[3]);
    int n = drain(m, buf, sizeof buf, 200);
    CHECK("signal-chars-echoed", n == 6 && !memcmp(buf, "^C^\\^Z", 6));
    close(m);
    write(go[1], "h", 1);
    char h[4] = {0};
    CHECK_EQ("child-hangup-report", read(report[0], h, 4), 4);
    CHECK("hangup-sighup", h[0]);
    CHECK("hangup-sigcont", h[1]);
    CHECK("hangup-pollhup", h[2]);
    CHECK("hangup-read-eof", h[3]);
    int status = -1;
    CHECK_EQ("child-exit", waitpid(child, &status, 0), child);
    CHECK_EQ("child-exit-clean", status, 0);
    close(report[0]);
    close(go[1]);
}

/* TIOCSCTTY/TIOCNOTTY by hand, TIOCSTI permission. */
static void test_controlling_ioctls(void) {
    int m, s;
    char name[64], buf[16];
    if (new_pair(&m, &s, name)) { fail("pair-ctty", "no pair"); return; }
    CHECK_ERR("tiocsctty-not-leader", ioctl(s, TIOCSCTTY, 0), EPERM);
    CHECK_ERR("tiocgpgrp-not-ctty", ioctl(s, TIOCGPGRP, &(pid_t){0}), ENOTTY);
    CHECK_ERR("tiocnotty-not-ctty", ioctl(s, TIOCNOTTY), ENOTTY);
    pid_t child = fork();
    if (child == 0) {
        alarm(10);
        int ok = 1;
        setsid();
        pid_t sid;
        ok &= ioctl(s, TIOCGSID, &sid) == -1 && errno == ENOTTY;       /* opened with O_NOCTTY */
        ok &= ioctl(s, TIOCSCTTY, 0) == 0;
        ok &= ioctl(s, TIOCGSID, &sid) == 0 && sid == getpid();
        ok &= ioctl(s, TIOCSCTTY, 0) == 0;                              /* already its terminal */
        signal(SIGHUP, SIG_IGN);
        ok &= ioctl(s, TIOCNOTTY) == 0;
        ok &= ioctl(s, TIOCGSID, &sid) == -1 && errno == ENOTTY;
        int fd = open("/dev/tty", O_RDWR);
        ok &= fd == -1 && errno == ENXIO;
        _exit(ok ? 0 : 1);
    }
    int status = -1;
    waitpid(child, &status, 0);
    CHECK("tiocsctty-tiocnotty", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char c = 'S';
    CHECK_OK("tiocsti-root", ioctl(s, TIOCSTI, &c));
    c = '\n';
    ioctl(s, TIOCSTI, &c);
    int n = drain(s, buf, sizeof buf, 300);
    CHECK("tiocsti-input", n == 2 && buf[0] == 'S');
    drain(m, buf, sizeof buf, 100);
    child = fork();
    if (child == 0) {
        if (setuid(65534) != 0) _exit(2);
        char x = 'x';
        _exit(ioctl(s, TIOCSTI, &x) == -1 && errno == EPERM ? 0 : 1);
    }
    waitpid(child, &status, 0);
    CHECK("tiocsti-eperm", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(s);
    close(m);
}

/* A background group of the session: SIGTTIN on read, SIGTTOU on writes with TOSTOP and on tcsetattr;
 * ignored, the read fails with EIO and the write goes ahead. */
static void test_background(void) {
    int m, s;
    char name[64];
    if (new_pair(&m, &s, name)) { fail("pair-background", "no pair"); return; }
    close(s);
    pid_t leader = fork();
    if (leader == 0) {
        alarm(10);
        close(m);
        setsid();
        int t = open(name, O_RDWR);
        int result = 0, status;
        pid_t job = fork();
        if (job == 0) {                                 /* a background group reads */
            setpgid(0, 0);
            char c;
            read(t, &c, 1);
            _exit(3);
        }
        setpgid(job, job);
        if (waitpid(job, &status, WUNTRACED) != job || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGTTIN) result |= 1;
        kill(job, SIGKILL);
        waitpid(job, &status, 0);
        job = fork();
        if (job == 0) {                                 /* SIGTTIN ignored: EIO */
            setpgid(0, 0);
            signal(SIGTTIN, SIG_IGN);
            char c;
            _exit(read(t, &c, 1) == -1 && errno == EIO ? 0 : 1);
        }
        setpgid(job, job);
        if (waitpid(job, &status, 0) != job || !WIFEXITED(status) || WEXITSTATUS(status) != 0) result |= 2;
        job = fork();
        if (job == 0) {                                 /* writes go out without TOSTOP, tcsetattr stops */
            setpgid(0, 0);
            if (write(t, "bg", 2) != 2) _exit(1);
            struct termios tt;
            tcgetattr(t, &tt);
            tcsetattr(t, TCSANOW, &tt);
            _exit(4);
        }
        setpgid(job, job);
        if (waitpid(job, &status, WUNTRACED) != job || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGTTOU) result |= 4;
        kill(job, SIGKILL);
        waitpid(job, &status, 0);
        struct termios tt;
        tcgetattr(t, &tt);
        tt.c_lflag |= TOSTOP;
        tcsetattr(t, TCSANOW, &tt);
        job = fork();
        if (job == 0) {                                 /* TOSTOP: a write stops the group */
            setpgid(0, 0);
            write(t, "no", 2);
            _exit(5);
        }
        setpgid(job, job);
        if (waitpid(job, &status, WUNTRACED) != job || !WIFSTOPPED(status) || WSTOPSIG(status) != SIGTTOU) result |= 8;
        kill(job, SIGKILL);
        waitpid(job, &status, 0);
        job = fork();
        if (job == 0) {                                 /* TOSTOP with SIGTTOU ignored: the write goes out */
            setpgid(0, 0);
            signal(SIGTTOU, SIG_IGN);
            _exit(write(t, "ok", 2) == 2 ? 0 : 1);
        }
        setpgid(job, job);
        if (waitpid(job, &status, 0) != job || !WIFEXITED(status) || WEXITSTATUS(status) != 0) result |= 16;
        _exit(result);
    }
    int status = -1;
    waitpid(leader, &status, 0);
    CHECK("background-leader-exit", WIFEXITED(status));
    int r = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
    CHECK("background-read-sigttin", !(r & 1));
    CHECK("background-read-ignored-eio", !(r & 2));
    CHECK("background-write-tcsetattr-sigttou", !(r & 4));
    CHECK("background-write-tostop-sigttou", !(r & 8));
    CHECK("background-write-tostop-ignored", !(r & 16));
    char buf[16];
    int n = drain(m, buf, sizeof buf, 300);
    CHECK("background-writes-arrived", n == 4 && !memcmp(buf, "bgok", 4));
    close(m);
}

/* The last slave close: EIO on master reads once the output is read, POLLHUP. */
static void test_slave_close(void) {
    int m, s;
    char name[64], buf[16];
    if (new_pair(&m, &s, name)) { fail("pair-close", "no pair"); return; }
    write(s, "bye", 3);
    close(s);
    int n = drain(m, buf, sizeof buf, 300);
    CHECK("output-survives-close", n == 3 && !memcmp(buf, "bye", 3));
    CHECK_ERR("master-read-eio", read(m, buf, sizeof buf), EIO);
    struct pollfd p = {m, POLLIN, 0};
    CHECK("master-pollhup", poll(&p, 1, 0) == 1 && (p.revents & POLLHUP));
    s = open(name, O_RDWR | O_NOCTTY);
    CHECK_OK("slave-reopen", s);
    fcntl(m, F_SETFL, O_NONBLOCK);
    CHECK_ERR("reopen-clears-eio", read(m, buf, sizeof buf), EAGAIN);
    close(s);
    close(m);
}

static void test_openpty_forkpty(void) {
    int m, s;
    char name[64], buf[256];
    struct winsize w = {40, 120, 0, 0};
    CHECK_OK("openpty", openpty(&m, &s, name, NULL, &w));
    struct winsize got = {0};
    ioctl(s, TIOCGWINSZ, &got);
    CHECK("openpty-winsize", got.ws_row == 40 && got.ws_col == 120);
    close(s);
    close(m);
    pid_t child = forkpty(&m, NULL, NULL, &w);
    if (child == 0) {
        struct winsize cw = {0};
        ioctl(0, TIOCGWINSZ, &cw);
        printf("child %d %d %d\n", isatty(0) && isatty(1), cw.ws_row, tcgetpgrp(0) == getpid());
        fflush(stdout);
        _exit(7);
    }
    CHECK_OK("forkpty", child);
    int n = 0, r;
    while (n < (int)sizeof buf - 1 && (r = read(m, buf + n, sizeof buf - 1 - n)) > 0) n += r;
    buf[n] = 0;
    CHECK("forkpty-output", strstr(buf, "child 1 40 1\r\n") != NULL);
    CHECK("forkpty-ends-eio", r == -1 && errno == EIO);
    int status = -1;
    waitpid(child, &status, 0);
    CHECK("forkpty-status", WIFEXITED(status) && WEXITSTATUS(status) == 7);
    close(m);
}

static void test_bad_arguments(void) {
    int m, s;
    char name[64];
    if (new_pair(&m, &s, name)) { fail("pair-bad", "no pair"); return; }
    CHECK_ERR("tiocgptn-efault", syscall(SYS_ioctl, m, TIOCGPTN, BADPTR), EFAULT);
    CHECK_ERR("tiocsptlck-efault", syscall(SYS_ioctl, m, TIOCSPTLCK, KERNPTR), EFAULT);
    CHECK_ERR("tiocgwinsz-efault", syscall(SYS_ioctl, s, TIOCGWINSZ, BADPTR), EFAULT);
    CHECK_ERR("tiocswinsz-efault", syscall(SYS_ioctl, m, TIOCSWINSZ, KERNPTR), EFAULT);
    CHECK_ERR("tcgets-efault", syscall(SYS_ioctl, s, TCGETS, BADPTR), EFAULT);
    CHECK_ERR("tcsets-efault", syscall(SYS_ioctl, s, TCSETS, BADPTR), EFAULT);
    CHECK_ERR("tiocpkt-efault", syscall(SYS_ioctl, m, TIOCPKT, BADPTR), EFAULT);
    CHECK_ERR("fionread-efault", syscall(SYS_ioctl, m, FIONREAD, BADPTR), EFAULT);
    CHECK_ERR("write-master-efault", syscall(SYS_write, m, BADPTR, 4), EFAULT);
    CHECK_ERR("write-slave-efault", syscall(SYS_write, s, BADPTR, 4), EFAULT);
    CHECK_ERR("tiocgptn-ebadf", ioctl(-1, TIOCGPTN, &(unsigned){0}), EBADF);
    CHECK_ERR("tiocgptn-closed-fd", ioctl(999, TIOCGPTN, &(unsigned){0}), EBADF);
    int null = open("/dev/null", O_RDWR);
    CHECK_ERR("tiocgptn-not-pty", ioctl(null, TIOCGPTN, &(unsigned){0}), ENOTTY);
    CHECK_ERR("unknown-ioctl-master", ioctl(m, 0x54ff, 0), ENOTTY);
    CHECK("ptsname-not-pty", ptsname(null) == NULL);
    close(null);
    close(s);
    close(m);
}

int main(void) {
    begin("pty");
    setup();
    test_allocation();
    test_termios_defaults();
    test_byte_flow();
    test_limits();
    test_packet_mode();
    test_session();
    test_controlling_ioctls();
    test_background();
    test_slave_close();
    test_openpty_forkpty();
    test_bad_arguments();
    return done();
}
