/* Terminal output flow control on a pty pair: ^S/^Q with IXON (not input, output stops and the
 * writer waits, echo is held), IXANY, signal characters, ^V^S, IXON turned off while stopped,
 * packet mode's TIOCPKT_STOP/START, and tcflow (TCXONC) on the slave and on the master. */
#include "check.h"
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>

static int new_pair(int *master, int *slave) {
    *master = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (*master < 0 || grantpt(*master) || unlockpt(*master)) return -1;
    *slave = open(ptsname(*master), O_RDWR | O_NOCTTY | O_NONBLOCK);
    return *slave < 0 ? -1 : 0;
}

static int writable(int fd) {
    struct pollfd p = {fd, POLLOUT, 0};
    return poll(&p, 1, 0) == 1 && (p.revents & POLLOUT);
}

/* Input reaches Linux's line discipline from a work queue: wait (2 s at most) for the slave's
 * output to be running or stopped. */
static int wait_output(int fd, int running) {
    for (int i = 0; i < 200; i++) {
        if (writable(fd) == running) return 1;
        nanosleep(&(struct timespec){0, 10000000}, NULL);
    }
    return 0;
}

/* What the fd gives within 300 ms (non-blocking reads after poll). */
static int collect(int fd, char *buf, int n) {
    int got = 0;
    while (got < n) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 300) != 1) break;
        int r = read(fd, buf + got, n - got);
        if (r <= 0) break;
        got += r;
    }
    return got;
}

static void set_flags(int s, tcflag_t iset, tcflag_t iclear, tcflag_t lclear) {
    struct termios t;
    tcgetattr(s, &t);
    t.c_iflag = (t.c_iflag | iset) & ~iclear;
    t.c_lflag &= ~lclear;
    tcsetattr(s, TCSANOW, &t);
}

static void test_stop_start(void) {
    int m, s, n;
    char buf[64];
    if (new_pair(&m, &s)) { fail("pair", "no pair"); return; }
    set_flags(s, 0, 0, ICANON | ECHO);
    CHECK("running-at-first", writable(s));
    write(m, "\023", 1);
    CHECK("stop-stops", wait_output(s, 0));
    CHECK_ERR("stopped-write-eagain", write(s, "abc", 3), EAGAIN);
    CHECK_EQ("stopped-master-empty", collect(m, buf, sizeof buf), 0);
    write(m, "\021", 1);
    CHECK("start-starts", wait_output(s, 1));
    CHECK_EQ("stop-start-not-input", ioctl(s, FIONREAD, &n) == 0 ? n : -1, 0);
    CHECK_EQ("write-after-start", write(s, "abc", 3), 3);
    n = collect(m, buf, sizeof buf);
    CHECK("master-reads-after-start", n == 3 && !memcmp(buf, "abc", 3));
    set_flags(s, 0, IXON, 0);                          /* without IXON they are input */
    write(m, "\023\021", 2);
    n = collect(s, buf, sizeof buf);
    CHECK("no-ixon-input", n == 2 && buf[0] == 023 && buf[1] == 021);
    CHECK("no-ixon-running", writable(s));
    close(s);
    close(m);
}

static void test_echo_and_restarts(void) {
    int m, s, n;
    char buf[64];
    if (new_pair(&m, &s)) { fail("pair", "no pair"); return; }
    write(m, "\023", 1);
    wait_output(s, 0);
    write(m, "ab", 2);
    CHECK_EQ("echo-held", collect(m, buf, sizeof buf), 0);
    write(m, "\021", 1);
    n = collect(m, buf, sizeof buf);
    CHECK("echo-released", n == 2 && !memcmp(buf, "ab", 2));
    write(m, "\n", 1);
    collect(m, buf, sizeof buf);
    n = collect(s, buf, sizeof buf);
    CHECK("line-without-flow-chars", n == 3 && !memcmp(buf, "ab\n", 3));
    /* IXANY: any character starts output, and is input. */
    set_flags(s, IXANY, 0, 0);
    write(m, "\023", 1);
    wait_output(s, 0);
    write(m, "x\n", 2);
    CHECK("ixany-restarts", wait_output(s, 1));
    n = collect(s, buf, sizeof buf);
    CHECK("ixany-char-is-input", n == 2 && buf[0] == 'x');
    set_flags(s, 0, IXANY, 0);
    collect(m, buf, sizeof buf);
    /* Without IXANY a plain character does not; a signal character does. */
    write(m, "\023", 1);
    wait_output(s, 0);
    write(m, "y", 1);
    nanosleep(&(struct timespec){0, 100000000}, NULL);
    CHECK("plain-char-keeps-stopped", !writable(s));
    signal(SIGINT, SIG_IGN);
    write(m, "\003", 1);
    CHECK("signal-char-restarts", wait_output(s, 1));
    collect(m, buf, sizeof buf);
    /* ^V^S is a literal ^S. */
    write(m, "\026\023\n", 3);
    n = collect(s, buf, sizeof buf);
    CHECK("lnext-stop-is-input", n == 2 && buf[0] == 023 && buf[1] == '\n');
    CHECK("lnext-stop-running", writable(s));
    collect(m, buf, sizeof buf);
    /* Turning IXON off while stopped starts output. */
    write(m, "\023", 1);
    wait_output(s, 0);
    set_flags(s, 0, IXON, 0);
    CHECK("ixon-off-restarts", writable(s));
    close(s);
    close(m);
}

static void test_packet_mode(void) {
    int m, s, on = 1;
    char buf[64];
    if (new_pair(&m, &s)) { fail("pair", "no pair"); return; }
    CHECK_OK("tiocpkt", ioctl(m, TIOCPKT, &on));
    write(m, "\023", 1);
    wait_output(s, 0);
    CHECK("packet-stop", collect(m, buf, sizeof buf) == 1 && buf[0] == TIOCPKT_STOP);
    write(m, "\021", 1);
    wait_output(s, 1);
    CHECK("packet-start", collect(m, buf, sizeof buf) == 1 && buf[0] == TIOCPKT_START);
    close(s);
    close(m);
}

static void test_tcflow_slave(void) {
    int m, s;
    char buf[64];
    if (new_pair(&m, &s)) { fail("pair", "no pair"); return; }
    set_flags(s, 0, 0, ICANON | ECHO);
    CHECK_OK("tcooff", tcflow(s, TCOOFF));
    CHECK("tcooff-stops", !writable(s));
    CHECK_ERR("tcooff-write-eagain", write(s, "q", 1), EAGAIN);
    write(m, "\021", 1);                              /* ^Q does not lift TCOOFF */
    nanosleep(&(struct timespec){0, 100000000}, NULL);
    CHECK("start-char-keeps-tcooff", !writable(s));
    CHECK_OK("tcoon", tcflow(s, TCOON));
    CHECK("tcoon-starts", writable(s));
    CHECK_OK("tcioff", tcflow(s, TCIOFF));
    CHECK("tcioff-sends-stop", collect(m, buf, sizeof buf) == 1 && buf[0] == 023);
    CHECK_OK("tcion", tcflow(s, TCION));
    CHECK("tcion-sends-start", collect(m, buf, sizeof buf) == 1 && buf[0] == 021);
    CHECK("tcion-output-running", writable(s));
    CHECK_ERR("tcflow-einval", ioctl(s, TCXONC, 7), EINVAL);
    CHECK_ERR("tcflow-ebadf", tcflow(-1, TCOOFF), EBADF);
    int null = open("/dev/null", O_RDWR);
    CHECK_ERR("tcflow-enotty", tcflow(null, TCOOFF), ENOTTY);
    close(null);
    close(s);
    close(m);
}

static void test_tcflow_master(void) {
    int m, s, n;
    char buf[64];
    if (new_pair(&m, &s)) { fail("pair", "no pair"); return; }
    set_flags(s, 0, 0, ICANON | ECHO);
    CHECK_OK("master-tcooff", tcflow(m, TCOOFF));
    CHECK("master-tcooff-no-pollout", !writable(m));
    CHECK_ERR("master-tcooff-write-eagain", write(m, "a", 1), EAGAIN);
    CHECK_OK("master-tcoon", tcflow(m, TCOON));
    CHECK_EQ("master-tcoon-write", write(m, "a", 1), 1);
    n = collect(s, buf, sizeof buf);
    CHECK("master-write-arrives", n == 1 && buf[0] == 'a');
    CHECK_OK("master-tcioff", tcflow(m, TCIOFF));      /* ^S into the slave's input */
    CHECK("master-tcioff-stops-slave", wait_output(s, 0));
    CHECK_OK("master-tcion", tcflow(m, TCION));
    CHECK("master-tcion-starts-slave", wait_output(s, 1));
    CHECK_ERR("master-tcflow-einval", ioctl(m, TCXONC, 9), EINVAL);
    close(s);
    close(m);
}

int main(void) {
    begin("ptyflow");
    test_stop_start();
    test_echo_and_restarts();
    test_packet_mode();
    test_tcflow_slave();
    test_tcflow_master();
    return done();
}
