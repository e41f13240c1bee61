/* SCM_RIGHTS garbage collection and in-flight limits (Linux's af_unix/garbage.c): sockets referenced
 * only from in-flight messages in a cycle are freed, with their queued files, when an AF_UNIX socket is
 * released later (Linux 6.1 collects on release; Debian's kernel runs the collection asynchronously, so
 * the drop is awaited); a socket still reachable from a descriptor is never collected; a user may not
 * have more files in flight than its RLIMIT_NOFILE (ETOOMANYREFS) without CAP_SYS_RESOURCE. The
 * effect is seen in /proc/net/sockstat's "sockets: used". */
#include "check.h"
#include <sys/un.h>
#include <sys/socket.h>
#include <sys/resource.h>
#include <poll.h>

static int used(void) {
    char b[512];
    int f = open("/proc/net/sockstat", O_RDONLY);
    if (f < 0) return -1;
    int n = read(f, b, sizeof b - 1);
    close(f);
    if (n <= 0) return -1;
    b[n] = 0;
    int u = -1;
    if (sscanf(b, "sockets: used %d", &u) != 1) return -1;
    return u;
}

static int send_fd(int s, int fd) {
    char c = 'x', cb[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&c, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb};
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET; h->cmsg_type = SCM_RIGHTS; h->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(h), &fd, sizeof fd);
    return sendmsg(s, &m, MSG_DONTWAIT);
}

static int recv_fd(int s) {
    char c, cb[CMSG_SPACE(sizeof(int))];
    struct iovec iov = {&c, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb};
    if (recvmsg(s, &m, MSG_DONTWAIT) != 1) return -1;
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    if (!h || h->cmsg_type != SCM_RIGHTS) return -1;
    int fd;
    memcpy(&fd, CMSG_DATA(h), sizeof fd);
    return fd;
}

/* Releases a fresh pair (what makes Linux collect), then waits up to 2 s for the count to reach `want`. */
static int collect_until(int want) {
    for (int i = 0; i < 200; i++) {
        int t[2];
        if (i % 20 == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, t) == 0) { close(t[0]); close(t[1]); }
        if (used() == want) return want;
        usleep(10000);
    }
    return used();
}

static void limits_as_nobody(void) {
    struct rlimit r = {8, 8};
    CHECK_OK("limit-setrlimit", setrlimit(RLIMIT_NOFILE, &r));
    CHECK_OK("limit-setuid", setuid(65534));
    int s[2];
    CHECK_OK("limit-socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, s));
    int sent = 0;
    while (sent < 20 && send_fd(s[0], 0) == 1) sent++;
    /* The check runs before a send adds its own: in flight may reach RLIMIT_NOFILE + 1. */
    CHECK_EQ("limit-sent", sent, 9);
    CHECK_ERR("limit-etoomanyrefs", send_fd(s[0], 0), ETOOMANYREFS);
    CHECK_EQ("limit-plain-data-ok", send(s[0], "y", 1, MSG_DONTWAIT), 1);
    int got = recv_fd(s[1]);
    CHECK("limit-recv", got >= 0);
    CHECK_EQ("limit-room-again", send_fd(s[0], 0), 1);
    CHECK_ERR("limit-full-again", send_fd(s[0], 0), ETOOMANYREFS);
    /* Received files stop counting; unread ones go with the socket. */
    if (got >= 0) close(got);
    close(s[0]);
    close(s[1]);
    CHECK_OK("limit-after-close-socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, s));
    CHECK_EQ("limit-after-close-send", send_fd(s[0], 0), 1);
    close(s[0]);
    close(s[1]);
}

static void privileged_has_no_limit(void) {
    struct rlimit r = {8, 8};
    CHECK_OK("root-setrlimit", setrlimit(RLIMIT_NOFILE, &r));
    int s[2], sent = 0;
    CHECK_OK("root-socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, s));
    while (sent < 20 && send_fd(s[0], 0) == 1) sent++;
    CHECK_EQ("root-sent", sent, 20);
    close(s[0]);
    close(s[1]);
}

int main(void) {
    begin("unixgc");
    int base = used();
    CHECK("sockstat", base >= 0);

    /* A cycle: each end of a pair queued on itself, then both closed. */
    int a[2];
    CHECK_OK("cycle-socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, a));
    CHECK_EQ("cycle-used", used(), base + 2);
    CHECK_EQ("cycle-send-a0", send_fd(a[1], a[0]), 1);
    CHECK_EQ("cycle-send-a1", send_fd(a[0], a[1]), 1);
    close(a[0]);
    close(a[1]);
    /* Nothing released them (their files are in flight): no collection yet. */
    CHECK_EQ("cycle-still-there", used(), base + 2);
    CHECK_EQ("cycle-collected", collect_until(base), base);

    /* Reachable: b0 queued on b1 (whose descriptor stays), b0 closed: never collected. */
    int b[2];
    CHECK_OK("live-socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, b));
    CHECK_EQ("live-send", send_fd(b[0], b[0]), 1);
    close(b[0]);
    int t[2];
    CHECK_OK("live-trigger", socketpair(AF_UNIX, SOCK_STREAM, 0, t));
    close(t[0]);
    close(t[1]);
    usleep(100000);
    CHECK_EQ("live-kept", used(), base + 2);
    int again = recv_fd(b[1]);
    CHECK("live-received", again >= 0);
    CHECK_EQ("live-usable-write", write(again, "hi", 2), 2);
    char buf[4] = {0};
    CHECK_EQ("live-usable-read", read(b[1], buf, 4), 2);
    CHECK("live-data", memcmp(buf, "hi", 2) == 0);
    close(again);
    close(b[1]);
    CHECK_EQ("live-closed", collect_until(base), base);

    /* A closed socket whose only reference is its own queue: collected, its peer sees end of file (the
     * peer's reference keeps the socket itself counted until the peer goes, as Linux's sock_hold). */
    int c[2];
    CHECK_OK("self-socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, c));
    CHECK_EQ("self-send", send_fd(c[1], c[0]), 1);
    close(c[0]);
    struct pollfd pd = {c[1], POLLIN, 0};
    CHECK_EQ("self-not-yet", poll(&pd, 1, 0), 0);
    CHECK_OK("self-trigger", socketpair(AF_UNIX, SOCK_STREAM, 0, t));
    close(t[0]);
    close(t[1]);
    CHECK_EQ("self-peer-pollin", poll(&pd, 1, 2000), 1);
    CHECK_EQ("self-peer-eof", read(c[1], buf, 4), 0);
    CHECK_EQ("self-peer-holds", used(), base + 2);
    close(c[1]);
    CHECK_EQ("self-closed", collect_until(base), base);

    /* A chain into a cycle: d0 queued on the closed cycle's socket goes with it. */
    int d[2], e[2];
    CHECK_OK("chain-socketpair-d", socketpair(AF_UNIX, SOCK_STREAM, 0, d));
    CHECK_OK("chain-socketpair-e", socketpair(AF_UNIX, SOCK_STREAM, 0, e));
    CHECK_EQ("chain-send-e0", send_fd(e[1], e[0]), 1);
    CHECK_EQ("chain-send-e1", send_fd(e[0], e[1]), 1);
    CHECK_EQ("chain-send-d0", send_fd(e[1], d[0]), 1);
    close(d[0]);
    close(e[0]);
    close(e[1]);
    CHECK_EQ("chain-kept", used(), base + 4);
    CHECK_EQ("chain-collected", collect_until(base + 2), base + 2);
    pd.fd = d[1];
    CHECK_EQ("chain-peer-pollin", poll(&pd, 1, 2000), 1);
    CHECK_EQ("chain-peer-eof", read(d[1], buf, 4), 0);
    close(d[1]);
    CHECK_EQ("chain-closed", collect_until(base), base);

    /* A cycle through a listener's backlog: the listener queued on a connection it never accepted
     * (Linux's scan_children looks into those embryos). */
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un la = {AF_UNIX};
    socklen_t ll = sizeof(sa_family_t);
    CHECK_OK("embryo-autobind", bind(l, (struct sockaddr *)&la, ll));
    ll = sizeof la;
    getsockname(l, (struct sockaddr *)&la, &ll);
    CHECK_OK("embryo-listen", listen(l, 4));
    int conn = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK("embryo-connect", connect(conn, (struct sockaddr *)&la, ll));
    CHECK_EQ("embryo-used", used(), base + 3);
    CHECK_EQ("embryo-send-listener", send_fd(conn, l), 1);
    close(l);
    close(conn);
    CHECK_EQ("embryo-collected", collect_until(base), base);

    if (geteuid() == 0) {
        checks_in_child(limits_as_nobody);
        checks_in_child(privileged_has_no_limit);
        CHECK_EQ("limits-collected", collect_until(base), base);
    }
    return done();
}
