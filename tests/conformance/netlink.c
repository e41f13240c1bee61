/* AF_NETLINK, NETLINK_ROUTE: socket types and protocols, port ids (bind, autobind, EADDRINUSE),
 * addresses, a dump answered by NLMSG_DONE with the request's sequence and port, NLMSG_ERROR
 * replies (an unknown type, a change without CAP_NET_ADMIN, capped acks), non-blocking receive,
 * MSG_TRUNC and MSG_PEEK; and what glibc needs it for: mq_notify(SIGEV_THREAD), whose cookie the
 * kernel sends to the socket (NOTIFY_WOKENUP when a message arrives, NOTIFY_REMOVED when the
 * registration ends), through the raw syscall and through glibc's helper thread. Nothing here
 * depends on which interfaces a machine has. */
#include "check.h"
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <mqueue.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>

static int nl_socket(void) { return socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE); }

static unsigned port_of(int fd) {
    struct sockaddr_nl a;
    socklen_t len = sizeof a;
    memset(&a, 0xff, sizeof a);
    if (getsockname(fd, (struct sockaddr *)&a, &len) < 0 || len != sizeof a || a.nl_family != AF_NETLINK) return 1;
    return a.nl_pid;
}

static void sockets(void) {
    int fd = nl_socket();
    CHECK_OK("socket-raw", fd);
    int d = socket(AF_NETLINK, SOCK_DGRAM, NETLINK_ROUTE);
    CHECK_OK("socket-dgram", d);
    CHECK_ERR("socket-stream", socket(AF_NETLINK, SOCK_STREAM, 0), ESOCKTNOSUPPORT);
    CHECK_ERR("socket-badproto", socket(AF_NETLINK, SOCK_RAW, 32), EPROTONOSUPPORT);
    CHECK_ERR("socket-negproto", socket(AF_NETLINK, SOCK_RAW, -1), EPROTONOSUPPORT);
    int sv[2];
    CHECK_ERR("socketpair", socketpair(AF_NETLINK, SOCK_RAW, 0, sv), EOPNOTSUPP);
    int v = 0;
    socklen_t len = sizeof v;
    CHECK("getsockopt-domain", getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) == 0 && v == AF_NETLINK);
    len = sizeof v;
    CHECK("getsockopt-type", getsockopt(d, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_DGRAM);
    len = sizeof v;
    CHECK("getsockopt-protocol", getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len) == 0 && v == NETLINK_ROUTE);
    CHECK_ERR("listen", listen(fd, 1), EOPNOTSUPP);
    CHECK_ERR("shutdown", shutdown(fd, SHUT_RDWR), EOPNOTSUPP);
    CHECK_EQ("unbound-port", port_of(fd), 0);
    char byte;
    CHECK_ERR("recv-empty", recv(fd, &byte, 1, MSG_DONTWAIT), EAGAIN);
    struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
    CHECK("poll-writable-only", poll(&p, 1, 0) == 1 && p.revents == POLLOUT);
    close(d);
    close(fd);
}

static void ports(void) {
    int a = nl_socket(), b = nl_socket(), c = nl_socket();
    struct sockaddr_nl any = { .nl_family = AF_NETLINK };
    CHECK_OK("bind-auto", bind(a, (struct sockaddr *)&any, sizeof any));
    CHECK_EQ("autobind-is-pid", port_of(a), (unsigned)getpid());
    CHECK_OK("bind-auto-2", bind(b, (struct sockaddr *)&any, sizeof any));
    CHECK("autobind-2-negative", (int)port_of(b) <= -4096);
    struct sockaddr_nl taken = { .nl_family = AF_NETLINK, .nl_pid = (unsigned)getpid() };
    CHECK_ERR("bind-inuse", bind(c, (struct sockaddr *)&taken, sizeof taken), EADDRINUSE);
    CHECK_ERR("bind-short", bind(c, (struct sockaddr *)&any, 8), EINVAL);
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    CHECK_ERR("bind-family", bind(c, (struct sockaddr *)&un, sizeof un), EINVAL);
    struct sockaddr_nl mine = { .nl_family = AF_NETLINK, .nl_pid = 0x7abc1234 };
    CHECK_OK("bind-explicit", bind(c, (struct sockaddr *)&mine, sizeof mine));
    CHECK_EQ("bind-explicit-port", port_of(c), 0x7abc1234);
    CHECK_OK("bind-same-again", bind(c, (struct sockaddr *)&mine, sizeof mine));
    mine.nl_pid = 0x7abc1235;
    CHECK_ERR("bind-other-again", bind(c, (struct sockaddr *)&mine, sizeof mine), EINVAL);
    close(a);
    /* The pid's port is free again once its socket is closed. */
    int e = nl_socket();
    CHECK_OK("bind-after-close", bind(e, (struct sockaddr *)&taken, sizeof taken));
    /* A send autobinds. */
    int f = nl_socket();
    struct { struct nlmsghdr h; } noop = { { sizeof noop, NLMSG_NOOP, NLM_F_REQUEST, 1, 0 } };
    CHECK_EQ("send-autobinds", send(f, &noop, sizeof noop, 0), (long)sizeof noop);
    CHECK("send-autobound", port_of(f) != 0);
    /* To another user socket: root only on NETLINK_ROUTE (no NL_CFG_F_NONROOT_SEND). */
    struct sockaddr_nl to_c = { .nl_family = AF_NETLINK, .nl_pid = 0x7abc1234 };
    if (geteuid() == 0) {
        CHECK_EQ("sendto-user", sendto(f, "hi", 2, 0, (struct sockaddr *)&to_c, sizeof to_c), 2);
        struct sockaddr_nl from;
        socklen_t flen = sizeof from;
        char got[8] = {0};
        CHECK_EQ("recvfrom-user", recvfrom(c, got, sizeof got, MSG_DONTWAIT, (struct sockaddr *)&from, &flen), 2);
        CHECK("recvfrom-user-source", flen == sizeof from && from.nl_pid == port_of(f) && !memcmp(got, "hi", 2));
        struct sockaddr_nl nobody = { .nl_family = AF_NETLINK, .nl_pid = 0x7abc9999 };
        CHECK_ERR("sendto-nobody", sendto(f, "hi", 2, 0, (struct sockaddr *)&nobody, sizeof nobody), ECONNREFUSED);
    }
    close(b); close(c); close(e); close(f);
}

struct request { struct nlmsghdr h; struct rtgenmsg g; char pad[3]; };

/* Reads replies until NLMSG_DONE or NLMSG_ERROR for `seq`; every one must carry seq and port. */
static int read_until_done(int fd, unsigned seq, unsigned port, int *error, int *messages, int *consistent) {
    static char buf[65536];
    *messages = 0;
    *consistent = 1;
    for (int rounds = 0; rounds < 1000; rounds++) {
        struct pollfd p = { fd, POLLIN, 0 };
        if (poll(&p, 1, 2000) != 1) return -1;
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n <= 0) return -1;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
            (*messages)++;
            if (h->nlmsg_seq != seq || h->nlmsg_pid != port) *consistent = 0;
            if (h->nlmsg_type == NLMSG_DONE) {
                if (!(h->nlmsg_flags & NLM_F_MULTI)) *consistent = 0;
                return NLMSG_DONE;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                *error = ((struct nlmsgerr *)NLMSG_DATA(h))->error;
                return NLMSG_ERROR;
            }
        }
    }
    return -1;
}

static void route(void) {
    int fd = nl_socket();
    struct sockaddr_nl any = { .nl_family = AF_NETLINK };
    bind(fd, (struct sockaddr *)&any, sizeof any);
    unsigned port = port_of(fd);
    int error = 99, messages, consistent;
    struct request r = { { NLMSG_LENGTH(sizeof(struct rtgenmsg)), RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 100, 0 }, { AF_UNSPEC }, {0} };
    CHECK_EQ("getlink-send", send(fd, &r, r.h.nlmsg_len, 0), (long)r.h.nlmsg_len);
    CHECK_EQ("getlink-done", read_until_done(fd, 100, port, &error, &messages, &consistent), NLMSG_DONE);
    CHECK("getlink-seq-port", consistent);
    r.h.nlmsg_type = RTM_GETADDR;
    r.h.nlmsg_seq = 101;
    sendto(fd, &r, r.h.nlmsg_len, 0, (struct sockaddr *)&any, sizeof any);   /* to the kernel by address */
    CHECK_EQ("getaddr-done", read_until_done(fd, 101, port, &error, &messages, &consistent), NLMSG_DONE);
    CHECK("getaddr-seq-port", consistent);

    /* A type past RTM_MAX: NLMSG_ERROR EOPNOTSUPP, the request echoed after the error. */
    struct request bad = { { NLMSG_LENGTH(sizeof(struct rtgenmsg)), 200, NLM_F_REQUEST, 102, 0 }, { AF_UNSPEC }, {0} };
    send(fd, &bad, bad.h.nlmsg_len, 0);
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    struct nlmsgerr *e = NLMSG_DATA(h);
    CHECK("unknown-type-error", n >= (ssize_t)NLMSG_LENGTH(sizeof *e) && h->nlmsg_type == NLMSG_ERROR && e->error == -EOPNOTSUPP);
    /* The echo is padded to 4 bytes, and nlmsg_len counts the padding (6.1's nlmsg_append). */
    CHECK_EQ("unknown-type-echo-len", h->nlmsg_len, NLMSG_ALIGN(NLMSG_HDRLEN + 4 + bad.h.nlmsg_len));
    CHECK_EQ("unknown-type-echo-size", n, NLMSG_ALIGN(NLMSG_HDRLEN + 4 + bad.h.nlmsg_len));
    CHECK_EQ("unknown-type-echo-flags", h->nlmsg_flags, 0);
    CHECK("unknown-type-echo", h->nlmsg_seq == 102 && e->msg.nlmsg_type == 200 && e->msg.nlmsg_seq == 102);
    /* NETLINK_CAP_ACK: only the header comes back, flagged NLM_F_CAPPED. */
    int one = 1;
    CHECK_OK("cap-ack", setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one));
    bad.h.nlmsg_seq = 103;
    send(fd, &bad, bad.h.nlmsg_len, 0);
    n = recv(fd, buf, sizeof buf, 0);
    CHECK("cap-ack-capped", n == (ssize_t)(NLMSG_HDRLEN + sizeof *e) && (h->nlmsg_flags & NLM_F_CAPPED) && e->error == -EOPNOTSUPP);
    int v = 0;
    socklen_t len = sizeof v;
    CHECK("cap-ack-get", getsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &v, &len) == 0 && v == 1);
    one = 0;
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);

    /* A header without the rtgenmsg byte does nothing, successfully: with NLM_F_ACK an ack of 0. */
    struct nlmsghdr bare = { NLMSG_HDRLEN, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP | NLM_F_ACK, 104, 0 };
    send(fd, &bare, sizeof bare, 0);
    n = recv(fd, buf, sizeof buf, 0);
    CHECK("bare-acked", n == (ssize_t)(NLMSG_HDRLEN + sizeof *e) && h->nlmsg_type == NLMSG_ERROR && e->error == 0
          && (h->nlmsg_flags & NLM_F_CAPPED) && h->nlmsg_seq == 104);
    /* NLMSG_NOOP with NLM_F_ACK: acknowledged. A lying length: ignored. */
    struct nlmsghdr noop = { NLMSG_HDRLEN, NLMSG_NOOP, NLM_F_REQUEST | NLM_F_ACK, 105, 0 };
    send(fd, &noop, sizeof noop, 0);
    n = recv(fd, buf, sizeof buf, 0);
    CHECK("noop-acked", n > 0 && h->nlmsg_type == NLMSG_ERROR && e->error == 0 && h->nlmsg_seq == 105);
    struct request lying = r;
    lying.h.nlmsg_len = 400;
    CHECK_EQ("lying-sent", send(fd, &lying, sizeof lying, 0), (long)sizeof lying);
    CHECK_ERR("lying-ignored", recv(fd, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

    /* MSG_PEEK leaves the datagram; a short buffer gets MSG_TRUNC and the rest is gone. */
    r.h.nlmsg_type = RTM_GETLINK;
    r.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;     /* not a dump: some error, with the request echoed */
    r.h.nlmsg_seq = 106;
    r.h.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtgenmsg));
    send(fd, &r, r.h.nlmsg_len, 0);
    char small[8];
    CHECK_EQ("peek", recv(fd, small, sizeof small, MSG_PEEK), (long)sizeof small);
    struct iovec iov = { small, sizeof small };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    n = recvmsg(fd, &m, 0);
    CHECK("trunc", n == (ssize_t)sizeof small && (m.msg_flags & MSG_TRUNC));
    CHECK_ERR("trunc-consumed", recv(fd, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    close(fd);
}

static void unprivileged_change(void) {
    if (setuid(65534) != 0) { fail("setuid", "setuid(65534) failed"); return; }
    int fd = nl_socket();
    struct request r = { { NLMSG_LENGTH(sizeof(struct rtgenmsg)), RTM_NEWLINK, NLM_F_REQUEST | NLM_F_ACK, 1, 0 }, { AF_UNSPEC }, {0} };
    send(fd, &r, r.h.nlmsg_len, 0);
    char buf[256];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    struct nlmsghdr *h = (struct nlmsghdr *)buf;
    CHECK("newlink-eperm", n > 0 && h->nlmsg_type == NLMSG_ERROR && ((struct nlmsgerr *)NLMSG_DATA(h))->error == -EPERM);
    struct sockaddr_nl other = { .nl_family = AF_NETLINK, .nl_pid = 1 };
    CHECK_ERR("sendto-user-eperm", sendto(fd, "x", 1, 0, (struct sockaddr *)&other, sizeof other), EPERM);
    close(fd);
}

static char qname[64];

static void mq_raw(void) {
    struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 16 };
    mqd_t q = mq_open(qname, O_CREAT | O_RDWR | O_EXCL, 0600, &attr);
    CHECK_OK("mq-open", q);
    int fd = nl_socket();
    unsigned char cookie[32];
    for (int i = 0; i < 32; i++) cookie[i] = 0xa0 + i;
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_signo = fd;
    ev.sigev_value.sival_ptr = cookie;
    CHECK_OK("mq-notify-thread", syscall(SYS_mq_notify, q, &ev));
    CHECK_ERR("mq-notify-busy", syscall(SYS_mq_notify, q, &ev), EBUSY);
    cookie[0] = 0;                              /* the kernel copied it at registration */
    CHECK_OK("mq-send", mq_send(q, "m", 1, 0));
    unsigned char got[64];
    struct pollfd p = { fd, POLLIN, 0 };
    CHECK_EQ("mq-cookie-ready", poll(&p, 1, 2000), 1);
    CHECK_EQ("mq-cookie-size", recv(fd, got, sizeof got, MSG_DONTWAIT), 32);
    CHECK("mq-cookie-wokenup", got[0] == 0xa0 && got[30] == 0xa0 + 30 && got[31] == 1);
    /* The registration is used up: another send sends nothing. */
    mq_send(q, "n", 1, 0);
    CHECK_ERR("mq-one-shot", recv(fd, got, sizeof got, MSG_DONTWAIT), EAGAIN);
    char buf[16];
    struct mq_attr now;
    mq_getattr(q, &now);
    for (long i = 0; i < now.mq_curmsgs; i++) mq_receive(q, buf, sizeof buf, NULL);
    /* Removal sends NOTIFY_REMOVED. */
    CHECK_OK("mq-notify-again", syscall(SYS_mq_notify, q, &ev));
    CHECK_OK("mq-unregister", mq_notify(q, NULL));
    CHECK_EQ("mq-removed-size", recv(fd, got, sizeof got, MSG_DONTWAIT), 32);
    CHECK("mq-removed", got[0] == 0 && got[31] == 2);
    /* Not a netlink socket: EINVAL (a pipe: ENOTSOCK, in mqueue's own checks). */
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    ev.sigev_signo = sv[0];
    CHECK_ERR("mq-notify-unix", syscall(SYS_mq_notify, q, &ev), EINVAL);
    close(sv[0]); close(sv[1]);
    close(fd);
    mq_close(q);
    mq_unlink(qname);
}

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int called, value;

static void on_message(union sigval v) {
    pthread_mutex_lock(&lock);
    called++;
    value = v.sival_int;
    pthread_cond_signal(&cond);
    pthread_mutex_unlock(&lock);
}

static void mq_glibc(void) {
    struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 16 };
    mqd_t q = mq_open(qname, O_CREAT | O_RDWR | O_EXCL, 0600, &attr);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_notify_function = on_message;
    ev.sigev_value.sival_int = 4242;
    CHECK_OK("glibc-mq-notify", mq_notify(q, &ev));
    CHECK_OK("glibc-mq-send", mq_send(q, "x", 1, 0));
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += 5;
    pthread_mutex_lock(&lock);
    while (!called && pthread_cond_timedwait(&cond, &lock, &deadline) == 0) {}
    int c = called, v = value;
    pthread_mutex_unlock(&lock);
    CHECK("glibc-thread-ran", c == 1 && v == 4242);
    mq_close(q);
    mq_unlink(qname);
}

int main(void) {
    begin("netlink");
    snprintf(qname, sizeof qname, "/lichen-nl-%d", getpid());
    sockets();
    ports();
    route();
    checks_in_child(unprivileged_change);
    mq_raw();
    mq_glibc();
    return done();
}
