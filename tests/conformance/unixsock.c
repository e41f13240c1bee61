/* AF_UNIX sockets: socket/socketpair, names (paths, abstract, autobind), connections and the
 * backlog, stream/dgram/seqpacket semantics, shutdown and EPIPE/SIGPIPE, options and ioctls,
 * SCM_RIGHTS and SCM_CREDENTIALS between processes, poll readiness, bad fds and bad pointers. */
#include "check.h"
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/sockios.h>

#define DIR "/tmp/conf-unixsock"

static socklen_t mkaddr(struct sockaddr_un *a, const char *path) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static socklen_t mkabstract(struct sockaddr_un *a, const char *name) {
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    memcpy(a->sun_path + 1, name, strlen(name));
    return offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name);
}

static short revents(int fd, short events) {
    struct pollfd p = { fd, events, 0 };
    if (poll(&p, 1, 0) < 0) return -1;
    return p.revents;
}

static volatile int sigpipes;
static void on_sigpipe(int s) { (void)s; sigpipes++; }
static void on_alarm(int s) { (void)s; }

static void creation(void) {
    int fd;
    CHECK_ERR("socket-bad-family", socket(4242, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERR("socket-bad-flags", socket(AF_UNIX, SOCK_STREAM | 0x100000, 0), EINVAL);
    CHECK_ERR("socket-bad-type", socket(AF_UNIX, 12, 0), EINVAL);
    CHECK_ERR("socket-unsupported-type", socket(AF_UNIX, 4 /* SOCK_RDM */, 0), ESOCKTNOSUPPORT);
    CHECK_ERR("socket-bad-protocol", socket(AF_UNIX, SOCK_STREAM, 7), EPROTONOSUPPORT);
    CHECK_ERR("socketpair-bad-family", socketpair(4242, SOCK_STREAM, 0, (int[2]){0}), EAFNOSUPPORT);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    CHECK("socket-stream", fd >= 0);
    CHECK("socket-nonblock", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    CHECK_EQ("socket-cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ("socket-rdwr", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    struct stat st;
    CHECK_OK("socket-fstat", fstat(fd, &st));
    CHECK("socket-fstat-ifsock", S_ISSOCK(st.st_mode));
    int v; socklen_t len = sizeof v;
    CHECK_OK("so-type", getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len));
    CHECK_EQ("so-type-value", v, SOCK_STREAM);
    CHECK_EQ("so-type-len", len, sizeof(int));
    CHECK_OK("so-domain", getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len));
    CHECK_EQ("so-domain-value", v, AF_UNIX);
    CHECK_OK("so-protocol", getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &v, &len));
    CHECK_EQ("so-protocol-value", v, 0);
    CHECK_OK("so-acceptconn", getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &v, &len));
    CHECK_EQ("so-acceptconn-value", v, 0);
    CHECK_OK("so-error", getsockopt(fd, SOL_SOCKET, SO_ERROR, &v, &len));
    CHECK_EQ("so-error-value", v, 0);
    CHECK_ERR("getsockopt-bad-level", getsockopt(fd, 6 /* IPPROTO_TCP */, 1, &v, &len), EOPNOTSUPP);
    CHECK_ERR("setsockopt-bad-level", setsockopt(fd, 6, 1, &v, sizeof v), EOPNOTSUPP);
    CHECK_ERR("setsockopt-short", setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &v, 2), EINVAL);
    CHECK_ERR("setsockopt-so-type", setsockopt(fd, SOL_SOCKET, SO_TYPE, &v, sizeof v), ENOPROTOOPT);
    len = sizeof v;
    CHECK_ERR("getsockopt-efault", syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, BADPTR, &len), EFAULT);
    CHECK_ERR("getsockopt-len-efault", syscall(SYS_getsockopt, fd, SOL_SOCKET, SO_TYPE, &v, BADPTR), EFAULT);
    len = -1;
    CHECK_ERR("getsockopt-negative-len", getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len), EINVAL);
    v = 1;
    CHECK_OK("so-reuseaddr-set", setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v));
    v = 0; len = sizeof v;
    CHECK_OK("so-reuseaddr-get", getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, &len));
    CHECK_EQ("so-reuseaddr-value", v, 1);
    v = 10000;
    CHECK_OK("so-sndbuf-set", setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
    len = sizeof v;
    CHECK_OK("so-sndbuf-get", getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &v, &len));
    CHECK_EQ("so-sndbuf-doubled", v, 20000);
    v = 1;
    CHECK_OK("so-rcvbuf-min-set", setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
    len = sizeof v;
    CHECK_OK("so-rcvbuf-min-get", getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len));
    CHECK_EQ("so-rcvbuf-min", v, 2304);
    struct ucred uc; len = sizeof uc;
    CHECK_OK("so-peercred-unconnected", getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &uc, &len));
    CHECK("so-peercred-unconnected-value", uc.pid == 0 && uc.uid == (uid_t)-1 && uc.gid == (gid_t)-1);
    CHECK_ERR("getpeername-unconnected", getpeername(fd, (struct sockaddr *)&(struct sockaddr_un){0}, &(socklen_t){sizeof(struct sockaddr_un)}), ENOTCONN);
    struct sockaddr_un sa; len = sizeof sa;
    CHECK_OK("getsockname-unbound", getsockname(fd, (struct sockaddr *)&sa, &len));
    CHECK_EQ("getsockname-unbound-len", len, sizeof(sa_family_t));
    CHECK_EQ("getsockname-unbound-family", sa.sun_family, AF_UNIX);
    CHECK_ERR("getsockname-efault", syscall(SYS_getsockname, fd, BADPTR, &len), EFAULT);
    CHECK_ERR("getsockname-len-efault", syscall(SYS_getsockname, fd, &sa, BADPTR), EFAULT);
    int one = 0;
    CHECK_ERR("recv-unconnected-stream", recv(fd, &one, 1, 0), EINVAL);
    CHECK_ERR("send-unconnected-stream", send(fd, "x", 1, MSG_NOSIGNAL), ENOTCONN);
    CHECK_EQ("poll-unconnected-stream", revents(fd, POLLIN | POLLOUT), POLLOUT | POLLHUP);
    CHECK_ERR("listen-unbound", listen(fd, 1), EINVAL);
    CHECK_ERR("accept-not-listening", accept(fd, NULL, NULL), EINVAL);
    close(fd);
    /* Bad descriptors. */
    CHECK_ERR("bind-ebadf", bind(-1, (struct sockaddr *)&sa, sizeof sa), EBADF);
    CHECK_ERR("connect-ebadf", connect(999, (struct sockaddr *)&sa, sizeof sa), EBADF);
    CHECK_ERR("sendmsg-ebadf", sendmsg(-1, &(struct msghdr){0}, 0), EBADF);
    CHECK_ERR("getsockopt-ebadf", getsockopt(-1, SOL_SOCKET, SO_TYPE, &v, &len), EBADF);
    CHECK_ERR("shutdown-ebadf", shutdown(-1, SHUT_RD), EBADF);
    CHECK_ERR("socketpair-efault", syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, BADPTR), EFAULT);
    /* A socket is no file to reopen. */
    int sp[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", sp[0]);
    CHECK_ERR("open-proc-fd-socket", open(path, O_RDWR), ENXIO);
    char link[64] = { 0 };
    CHECK_OK("readlink-proc-fd-socket", readlink(path, link, sizeof link - 1));
    CHECK("readlink-proc-fd-socket-name", strncmp(link, "socket:[", 8) == 0);
    CHECK_ERR("pread-socket", pread(sp[0], &one, 1, 0), ESPIPE);
    CHECK_ERR("lseek-socket", lseek(sp[0], 0, SEEK_SET), ESPIPE);
    close(sp[0]); close(sp[1]);
}

static void stream_pair(void) {
    int sv[2];
    char buf[64];
    CHECK_OK("socketpair-stream", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK_EQ("pair-poll-empty", revents(sv[0], POLLIN | POLLOUT), POLLOUT);
    CHECK_EQ("pair-write", write(sv[0], "hello", 5), 5);
    CHECK_EQ("pair-send", send(sv[0], " world", 6, 0), 6);
    CHECK_EQ("pair-poll-readable", revents(sv[1], POLLIN | POLLOUT), POLLIN | POLLOUT);
    int n = -1;
    CHECK_OK("fionread", ioctl(sv[1], FIONREAD, &n));
    CHECK_EQ("fionread-value", n, 11);
    CHECK_OK("siocoutq", ioctl(sv[0], SIOCOUTQ, &n));
    CHECK("siocoutq-nonzero", n > 0);
    CHECK_EQ("recv-peek", recv(sv[1], buf, 3, MSG_PEEK), 3);
    CHECK("recv-peek-data", memcmp(buf, "hel", 3) == 0);
    CHECK_EQ("read-across-sends", read(sv[1], buf, sizeof buf), 11);
    CHECK("read-across-sends-data", memcmp(buf, "hello world", 11) == 0);
    CHECK_OK("siocoutq-after", ioctl(sv[0], SIOCOUTQ, &n));
    CHECK_EQ("siocoutq-after-value", n, 0);
    CHECK_ERR("recv-dontwait", recv(sv[1], buf, 1, MSG_DONTWAIT), EAGAIN);
    /* readv/writev gather and scatter one stream. */
    struct iovec iov[2] = { { "ab", 2 }, { "cde", 3 } };
    CHECK_EQ("writev", writev(sv[1], iov, 2), 5);
    char x[2], y[8];
    struct iovec riov[2] = { { x, 2 }, { y, 8 } };
    CHECK_EQ("readv", readv(sv[0], riov, 2), 5);
    CHECK("readv-data", memcmp(x, "ab", 2) == 0 && memcmp(y, "cde", 3) == 0);
    /* MSG_WAITALL collects what two writes send. */
    pid_t pid = fork();
    if (pid == 0) {
        usleep(50000);
        write(sv[1], "12", 2);
        usleep(50000);
        write(sv[1], "34", 2);
        _exit(0);
    }
    CHECK_EQ("recv-waitall", recv(sv[0], buf, 4, MSG_WAITALL), 4);
    CHECK("recv-waitall-data", memcmp(buf, "1234", 4) == 0);
    waitpid(pid, NULL, 0);
    /* recvfrom on a pair: no source name. */
    struct sockaddr_un from; socklen_t fromlen = sizeof from;
    write(sv[1], "z", 1);
    CHECK_EQ("recvfrom-pair", recvfrom(sv[0], buf, 8, 0, (struct sockaddr *)&from, &fromlen), 1);
    CHECK_EQ("recvfrom-pair-namelen", fromlen, 0);
    CHECK_ERR("recv-efault", syscall(SYS_recvfrom, sv[0], BADPTR, 8, MSG_DONTWAIT, NULL, NULL), EAGAIN);
    write(sv[1], "q", 1);
    CHECK_ERR("recv-efault-data", syscall(SYS_recvfrom, sv[0], BADPTR, 8, 0, NULL, NULL), EFAULT);
    CHECK_EQ("recv-efault-keeps-data", read(sv[0], buf, sizeof buf), 1);
    CHECK_ERR("send-efault", syscall(SYS_sendto, sv[0], BADPTR, 8, 0, NULL, 0), EFAULT);
    CHECK_ERR("send-oob-bad-addr", sendto(sv[0], "x", 1, 0, (struct sockaddr *)&from, 200), EINVAL);
    CHECK_ERR("sendto-connected-stream", sendto(sv[0], "x", 1, 0, (struct sockaddr *)&from, sizeof(sa_family_t) + 2), EISCONN);
    /* getpeername/getsockname of a pair: unnamed. */
    fromlen = sizeof from;
    CHECK_OK("getpeername-pair", getpeername(sv[0], (struct sockaddr *)&from, &fromlen));
    CHECK_EQ("getpeername-pair-len", fromlen, sizeof(sa_family_t));
    int v; socklen_t len = sizeof v;
    struct ucred uc; len = sizeof uc;
    CHECK_OK("so-peercred-pair", getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &uc, &len));
    CHECK("so-peercred-pair-value", uc.pid == getpid() && uc.uid == getuid() && uc.gid == getgid());
    CHECK_EQ("so-peercred-len", len, sizeof uc);
    /* shutdown: SHUT_WR gives the peer EOF after its data; sends then fail with EPIPE. */
    CHECK_ERR("shutdown-bad-how", shutdown(sv[0], 3), EINVAL);
    write(sv[0], "tail", 4);
    CHECK_OK("shutdown-wr", shutdown(sv[0], SHUT_WR));
    CHECK_EQ("poll-peer-rdhup", revents(sv[1], POLLIN | POLLRDHUP), POLLIN | POLLRDHUP);
    CHECK_EQ("read-before-eof", read(sv[1], buf, sizeof buf), 4);
    CHECK_EQ("read-eof", read(sv[1], buf, sizeof buf), 0);
    CHECK_ERR("send-after-shut-wr", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_EQ("peer-can-still-send", write(sv[1], "back", 4), 4);
    CHECK_EQ("read-other-direction", read(sv[0], buf, sizeof buf), 4);
    CHECK_OK("shutdown-rd", shutdown(sv[0], SHUT_RD));
    CHECK_EQ("poll-both-shut", revents(sv[0], POLLIN | POLLOUT) & (POLLIN | POLLHUP), POLLIN | POLLHUP);
    CHECK_EQ("read-after-shut-rd", read(sv[0], buf, sizeof buf), 0);
    CHECK_ERR("peer-send-after-shut-rd", send(sv[1], "x", 1, MSG_NOSIGNAL), EPIPE);
    close(sv[0]); close(sv[1]);
    /* Closing one end: EOF for reads, EPIPE and SIGPIPE for writes. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    close(sv[1]);
    CHECK_EQ("poll-peer-closed", revents(sv[0], POLLIN | POLLOUT | POLLRDHUP), POLLIN | POLLOUT | POLLHUP | POLLRDHUP);
    CHECK_EQ("read-peer-closed", read(sv[0], buf, 1), 0);
    signal(SIGPIPE, on_sigpipe);
    sigpipes = 0;
    CHECK_ERR("write-peer-closed", write(sv[0], "x", 1), EPIPE);
    CHECK_EQ("sigpipe-raised", sigpipes, 1);
    CHECK_ERR("send-nosignal", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    CHECK_EQ("sigpipe-not-raised", sigpipes, 1);
    CHECK_ERR("sendto-peer-closed", sendto(sv[0], "x", 1, 0, NULL, 0), EPIPE);
    CHECK_EQ("sigpipe-sendto", sigpipes, 2);
    signal(SIGPIPE, SIG_DFL);
    close(sv[0]);
    /* Unread data at close: the peer gets ECONNRESET. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(sv[0], "lost", 4);
    close(sv[1]);
    CHECK_ERR("read-reset", read(sv[0], buf, 1), ECONNRESET);
    CHECK_EQ("read-after-reset", read(sv[0], buf, 1), 0);
    close(sv[0]);
}

static void stream_backpressure(void) {
    int sv[2];
    static char big[1 << 20];
    CHECK_OK("bp-pair", socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
    int v = 4096;
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    long total = 0, r;
    while ((r = write(sv[0], big, 1000)) > 0) total += r;
    CHECK_ERR("bp-eagain", write(sv[0], big, 1000), EAGAIN);
    CHECK("bp-some-written", total > 0 && total < (1 << 20));
    CHECK_EQ("bp-poll-not-writable", revents(sv[0], POLLOUT), 0);
    int n = 0;
    ioctl(sv[1], FIONREAD, &n);
    CHECK_EQ("bp-fionread", n, total);
    long got = 0;
    while ((r = read(sv[1], big, sizeof big)) > 0) got += r;
    CHECK_EQ("bp-read-all", got, total);
    CHECK_EQ("bp-writable-again", revents(sv[0], POLLOUT), POLLOUT);
    /* A large nonblocking write is partial. */
    r = write(sv[0], big, sizeof big);
    CHECK("bp-partial-write", r > 0 && r < (long)sizeof big);
    while (read(sv[1], big, sizeof big) > 0) {}
    close(sv[0]); close(sv[1]);
    /* A blocking writer sleeps until the reader drains; a signal ends it with the partial count. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v);
    pid_t pid = fork();
    if (pid == 0) {
        long t = 0, k;
        usleep(100000);
        while (t < 300000 && (k = read(sv[1], big, sizeof big)) > 0) t += k;
        _exit(t == 300000 ? 0 : 1);
    }
    CHECK_EQ("bp-blocking-write", write(sv[0], big, 300000), 300000);
    int status;
    waitpid(pid, &status, 0);
    CHECK("bp-reader-got-all", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    struct sigaction sa = { 0 };
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarm(1);
    r = write(sv[0], big, 300000);
    CHECK("bp-interrupted-partial", r > 0 && r < 300000);
    alarm(1);
    while (write(sv[0], big, 1000) > 0) {}
    int e = errno;
    CHECK_EQ("bp-interrupted-eintr", e, EINTR);
    alarm(0);
    close(sv[0]); close(sv[1]);
}

static void records(int type, const char *t) {
    int sv[2];
    char buf[64], name[64];
    snprintf(name, sizeof name, "%s-pair", t);
    CHECK_OK(name, socketpair(AF_UNIX, type, 0, sv));
    send(sv[0], "one", 3, 0);
    send(sv[0], "two!", 4, 0);
    send(sv[0], "", 0, 0);
    int n = 0;
    ioctl(sv[1], FIONREAD, &n);
    snprintf(name, sizeof name, "%s-fionread", t);
    CHECK_EQ(name, n, type == SOCK_DGRAM ? 3 : 7);   /* seqpacket counts every record, as streams */
    snprintf(name, sizeof name, "%s-boundary", t);
    CHECK_EQ(name, recv(sv[1], buf, sizeof buf, 0), 3);
    snprintf(name, sizeof name, "%s-trunc-returns-full", t);
    CHECK_EQ(name, recv(sv[1], buf, 2, MSG_PEEK | MSG_TRUNC), 4);
    struct iovec iov = { buf, 2 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    snprintf(name, sizeof name, "%s-truncated", t);
    CHECK_EQ(name, recvmsg(sv[1], &m, 0), 2);
    snprintf(name, sizeof name, "%s-msg-trunc-flag", t);
    CHECK(name, (m.msg_flags & MSG_TRUNC) != 0);
    snprintf(name, sizeof name, "%s-empty-record", t);
    CHECK_EQ(name, recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), 0);
    snprintf(name, sizeof name, "%s-then-eagain", t);
    CHECK_ERR(name, recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    /* readv takes one record across vectors. */
    send(sv[0], "abcdef", 6, 0);
    send(sv[0], "gh", 2, 0);
    char a[3], b[8];
    struct iovec v2[2] = { { a, 3 }, { b, 8 } };
    snprintf(name, sizeof name, "%s-readv-one-record", t);
    CHECK_EQ(name, readv(sv[1], v2, 2), 6);
    snprintf(name, sizeof name, "%s-readv-next", t);
    CHECK_EQ(name, read(sv[1], b, 8), 2);
    /* Too big for the send buffer. */
    static char big[300000];
    snprintf(name, sizeof name, "%s-emsgsize", t);
    CHECK_ERR(name, send(sv[0], big, sizeof big, 0), EMSGSIZE);
    /* Peer closed. */
    close(sv[1]);
    snprintf(name, sizeof name, "%s-send-peer-closed", t);
    CHECK_ERR(name, send(sv[0], "x", 1, MSG_NOSIGNAL), type == SOCK_DGRAM ? ECONNREFUSED : EPIPE);
    if (type == SOCK_SEQPACKET) {
        snprintf(name, sizeof name, "%s-recv-peer-closed", t);
        CHECK_EQ(name, recv(sv[0], buf, 1, 0), 0);
    }
    close(sv[0]);
}

static void dgram_names(void) {
    struct sockaddr_un a, b, from;
    socklen_t la = mkaddr(&a, DIR "/dg-a"), lb = mkaddr(&b, DIR "/dg-b"), fl;
    int s1 = socket(AF_UNIX, SOCK_DGRAM, 0), s2 = socket(AF_UNIX, SOCK_DGRAM, 0), s3 = socket(AF_UNIX, SOCK_DGRAM, 0);
    char buf[16];
    CHECK_OK("dgram-bind-a", bind(s1, (struct sockaddr *)&a, la));
    CHECK_OK("dgram-bind-b", bind(s2, (struct sockaddr *)&b, lb));
    CHECK_ERR("dgram-send-unconnected", send(s3, "x", 1, 0), ENOTCONN);
    CHECK_EQ("dgram-sendto", sendto(s1, "hi", 2, 0, (struct sockaddr *)&b, lb), 2);
    fl = sizeof from;
    CHECK_EQ("dgram-recvfrom", recvfrom(s2, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl), 2);
    CHECK_EQ("dgram-recvfrom-len", fl, la);
    CHECK("dgram-recvfrom-name", strcmp(from.sun_path, DIR "/dg-a") == 0);
    CHECK_EQ("dgram-sendto-unbound", sendto(s3, "u", 1, 0, (struct sockaddr *)&b, lb), 1);
    fl = sizeof from;
    CHECK_EQ("dgram-recvfrom-unbound", recvfrom(s2, buf, sizeof buf, 0, (struct sockaddr *)&from, &fl), 1);
    CHECK_EQ("dgram-recvfrom-unbound-len", fl, 0);
    struct sockaddr_un missing;
    socklen_t lm = mkaddr(&missing, DIR "/dg-none");
    CHECK_ERR("dgram-sendto-enoent", sendto(s1, "x", 1, 0, (struct sockaddr *)&missing, lm), ENOENT);
    CHECK_ERR("dgram-sendto-bad-family", sendto(s1, "x", 1, 0, (struct sockaddr *)&(struct sockaddr){ .sa_family = AF_INET }, 16), EINVAL);
    CHECK_ERR("dgram-sendto-efault", syscall(SYS_sendto, s1, "x", 1, 0, BADPTR, 16), EFAULT);
    CHECK_ERR("dgram-sendto-long", sendto(s1, "x", 1, 0, (struct sockaddr *)&b, 200), EINVAL);
    /* connect sets the default destination; another sender is then refused (EPERM). */
    CHECK_OK("dgram-connect", connect(s2, (struct sockaddr *)&a, la));
    CHECK_EQ("dgram-send-connected", send(s2, "c", 1, 0), 1);
    CHECK_EQ("dgram-recv-connected", recv(s1, buf, sizeof buf, 0), 1);
    CHECK_ERR("dgram-sendto-eperm", sendto(s3, "x", 1, 0, (struct sockaddr *)&b, lb), EPERM);
    fl = sizeof from;
    CHECK_OK("dgram-getpeername", getpeername(s2, (struct sockaddr *)&from, &fl));
    CHECK_EQ("dgram-getpeername-len", fl, la);
    CHECK_OK("dgram-disconnect", connect(s2, (struct sockaddr *)&(struct sockaddr){ .sa_family = AF_UNSPEC }, sizeof(struct sockaddr)));
    CHECK_ERR("dgram-disconnected", getpeername(s2, (struct sockaddr *)&from, &fl), ENOTCONN);
    CHECK_ERR("dgram-listen", listen(s1, 1), EOPNOTSUPP);
    CHECK_ERR("dgram-accept", accept(s1, NULL, NULL), EOPNOTSUPP);
    /* A full receiver: EAGAIN for a non-blocking unconnected sender. */
    int sent = 0;
    while (sendto(s3, "f", 1, MSG_DONTWAIT, (struct sockaddr *)&a, la) == 1 && sent < 10000) sent++;
    CHECK("dgram-queue-limit", sent > 0 && sent < 10000 && errno == EAGAIN);
    CHECK_EQ("dgram-poll-readable", revents(s1, POLLIN), POLLIN);
    /* Connecting to a stream socket's name: EPROTOTYPE. */
    int st = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sn;
    socklen_t lsn = mkaddr(&sn, DIR "/dg-stream");
    bind(st, (struct sockaddr *)&sn, lsn);
    CHECK_ERR("dgram-sendto-stream", sendto(s3, "x", 1, 0, (struct sockaddr *)&sn, lsn), EPROTOTYPE);
    /* Closing a connected destination: ECONNREFUSED, then not connected. */
    int d1 = socket(AF_UNIX, SOCK_DGRAM, 0), d2 = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un dn;
    socklen_t ldn = mkabstract(&dn, "conf-unixsock-dgram");
    bind(d1, (struct sockaddr *)&dn, ldn);
    connect(d2, (struct sockaddr *)&dn, ldn);
    close(d1);
    CHECK_ERR("dgram-dest-closed", send(d2, "x", 1, 0), ECONNREFUSED);
    CHECK_ERR("dgram-dest-closed-then", send(d2, "x", 1, 0), ENOTCONN);
    close(d2); close(st); close(s1); close(s2); close(s3);
}

static void names(void) {
    struct sockaddr_un a, got;
    socklen_t la = mkaddr(&a, DIR "/name"), lg;
    int s = socket(AF_UNIX, SOCK_STREAM, 0), t = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_ERR("bind-short", bind(s, (struct sockaddr *)&a, 1), EINVAL);
    CHECK_ERR("bind-long", bind(s, (struct sockaddr *)&a, 200), EINVAL);
    CHECK_ERR("bind-efault", syscall(SYS_bind, s, BADPTR, la), EFAULT);
    a.sun_family = AF_INET;
    CHECK_ERR("bind-wrong-family", bind(s, (struct sockaddr *)&a, la), EINVAL);
    a.sun_family = AF_UNIX;
    CHECK_OK("bind-path", bind(s, (struct sockaddr *)&a, la));
    struct stat st;
    CHECK_OK("bind-creates-node", stat(DIR "/name", &st));
    CHECK("bind-node-is-socket", S_ISSOCK(st.st_mode));
    CHECK_ERR("bind-twice-same-path", bind(s, (struct sockaddr *)&a, la), EADDRINUSE);
    struct sockaddr_un other;
    CHECK_ERR("bind-twice", bind(s, (struct sockaddr *)&other, mkaddr(&other, DIR "/name2")), EINVAL);
    CHECK_ERR("bind-twice-leaves-no-node", access(DIR "/name2", F_OK), ENOENT);
    CHECK_ERR("bind-in-use", bind(t, (struct sockaddr *)&a, la), EADDRINUSE);
    lg = sizeof got;
    CHECK_OK("getsockname-path", getsockname(s, (struct sockaddr *)&got, &lg));
    CHECK_EQ("getsockname-path-len", lg, la);
    CHECK("getsockname-path-name", strcmp(got.sun_path, DIR "/name") == 0);
    lg = 4;
    memset(&got, 0x55, sizeof got);
    CHECK_OK("getsockname-short", getsockname(s, (struct sockaddr *)&got, &lg));
    CHECK_EQ("getsockname-short-full-len", lg, la);
    CHECK("getsockname-short-copied", got.sun_path[1] == DIR[1] && got.sun_path[2] == 0x55);
    /* An unterminated path uses the whole length. */
    struct sockaddr_un u;
    memset(&u, 0, sizeof u);
    u.sun_family = AF_UNIX;
    memcpy(u.sun_path, DIR "/unterminated", strlen(DIR "/unterminated"));
    CHECK_OK("bind-unterminated", bind(t, (struct sockaddr *)&u, offsetof(struct sockaddr_un, sun_path) + strlen(DIR "/unterminated")));
    lg = sizeof got;
    getsockname(t, (struct sockaddr *)&got, &lg);
    CHECK_EQ("getsockname-unterminated-len", lg, offsetof(struct sockaddr_un, sun_path) + strlen(DIR "/unterminated") + 1);
    close(t);
    /* Abstract names: no file, every byte of the length counts. */
    t = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un ab;
    socklen_t lab = mkabstract(&ab, "conf-unixsock-abstract");
    CHECK_OK("bind-abstract", bind(t, (struct sockaddr *)&ab, lab));
    lg = sizeof got;
    CHECK_OK("getsockname-abstract", getsockname(t, (struct sockaddr *)&got, &lg));
    CHECK_EQ("getsockname-abstract-len", lg, lab);
    CHECK("getsockname-abstract-name", got.sun_path[0] == 0 && memcmp(got.sun_path + 1, "conf-unixsock-abstract", 22) == 0);
    int t2 = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_ERR("bind-abstract-in-use", bind(t2, (struct sockaddr *)&ab, lab), EADDRINUSE);
    CHECK_OK("bind-abstract-longer-differs", bind(t2, (struct sockaddr *)&ab, lab + 1));
    close(t2);
    close(t);
    t = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK("bind-abstract-reuse-after-close", bind(t, (struct sockaddr *)&ab, lab));
    close(t);
    /* Autobind: the family alone gives a five-hex-digit abstract name. */
    t = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK_OK("autobind", bind(t, (struct sockaddr *)&(sa_family_t){ AF_UNIX }, sizeof(sa_family_t)));
    lg = sizeof got;
    getsockname(t, (struct sockaddr *)&got, &lg);
    CHECK_EQ("autobind-len", lg, offsetof(struct sockaddr_un, sun_path) + 6);
    CHECK("autobind-abstract", got.sun_path[0] == 0);
    close(t);
    /* The node outlives the socket: EADDRINUSE until unlinked. */
    close(s);
    s = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_ERR("bind-stale-node", bind(s, (struct sockaddr *)&a, la), EADDRINUSE);
    CHECK_OK("unlink-node", unlink(DIR "/name"));
    CHECK_OK("bind-after-unlink", bind(s, (struct sockaddr *)&a, la));
    close(s);
    unlink(DIR "/name");
    unlink(DIR "/unterminated");
}

static void connections(void) {
    struct sockaddr_un a, got;
    socklen_t la = mkaddr(&a, DIR "/listen"), lg;
    int l = socket(AF_UNIX, SOCK_STREAM, 0), c, s;
    char buf[16];
    CHECK_ERR("connect-enoent", connect(l, (struct sockaddr *)&a, la), ENOENT);
    CHECK_ERR("connect-efault", syscall(SYS_connect, l, BADPTR, la), EFAULT);
    CHECK_ERR("connect-short", connect(l, (struct sockaddr *)&a, 2), EINVAL);
    bind(l, (struct sockaddr *)&a, la);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_ERR("connect-not-listening", connect(c, (struct sockaddr *)&a, la), ECONNREFUSED);
    int reg = open(DIR "/regular", O_CREAT | O_WRONLY, 0666);
    close(reg);
    struct sockaddr_un r;
    socklen_t lr = mkaddr(&r, DIR "/regular");
    CHECK_ERR("connect-regular-file", connect(c, (struct sockaddr *)&r, lr), ECONNREFUSED);
    int seq = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    CHECK_ERR("connect-path-type-mismatch", connect(seq, (struct sockaddr *)&a, la), EPROTOTYPE);
    close(seq);
    CHECK_OK("listen", listen(l, 1));
    int v; socklen_t len = sizeof v;
    getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &len);
    CHECK_EQ("so-acceptconn-listening", v, 1);
    CHECK_EQ("poll-listener-empty", revents(l, POLLIN | POLLOUT), 0);
    CHECK_OK("connect", connect(c, (struct sockaddr *)&a, la));
    CHECK_ERR("connect-again", connect(c, (struct sockaddr *)&a, la), EISCONN);
    CHECK_ERR("listen-connected", listen(c, 1), EINVAL);
    CHECK_EQ("send-before-accept", send(c, "early", 5, 0), 5);
    CHECK_EQ("poll-listener-pending", revents(l, POLLIN), POLLIN);
    lg = sizeof got;
    s = accept(l, (struct sockaddr *)&got, &lg);
    CHECK("accept", s >= 0);
    CHECK_EQ("accept-peer-len", lg, sizeof(sa_family_t));
    CHECK_EQ("recv-early-data", recv(s, buf, sizeof buf, 0), 5);
    lg = sizeof got;
    CHECK_OK("accepted-getsockname", getsockname(s, (struct sockaddr *)&got, &lg));
    CHECK_EQ("accepted-getsockname-len", lg, la);
    lg = sizeof got;
    CHECK_OK("client-getpeername", getpeername(c, (struct sockaddr *)&got, &lg));
    CHECK("client-getpeername-name", lg == la && strcmp(got.sun_path, DIR "/listen") == 0);
    struct ucred uc; len = sizeof uc;
    getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &len);
    CHECK("accepted-peercred", uc.pid == getpid() && uc.uid == getuid());
    getsockopt(c, SOL_SOCKET, SO_PEERCRED, &uc, &len);
    CHECK("client-peercred", uc.pid == getpid() && uc.uid == getuid());
    close(s); close(c);
    /* The backlog: listen(1) queues two; a nonblocking third connect is EAGAIN. */
    int c1 = socket(AF_UNIX, SOCK_STREAM, 0), c2 = socket(AF_UNIX, SOCK_STREAM, 0);
    int c3 = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    CHECK_OK("backlog-1", connect(c1, (struct sockaddr *)&a, la));
    CHECK_OK("backlog-2", connect(c2, (struct sockaddr *)&a, la));
    CHECK_ERR("backlog-full-nonblock", connect(c3, (struct sockaddr *)&a, la), EAGAIN);
    s = accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    CHECK("accept4", s >= 0);
    CHECK("accept4-nonblock", (fcntl(s, F_GETFL) & O_NONBLOCK) != 0);
    CHECK_EQ("accept4-cloexec", fcntl(s, F_GETFD), FD_CLOEXEC);
    CHECK_ERR("accept4-bad-flags", accept4(l, NULL, NULL, 0x1), EINVAL);
    CHECK_OK("backlog-room-again", connect(c3, (struct sockaddr *)&a, la));
    close(s);
    /* Closing the listener resets the queued connections. */
    close(l);
    CHECK_EQ("queued-conn-eof", recv(c1, buf, sizeof buf, MSG_DONTWAIT), 0);
    CHECK_ERR("queued-conn-epipe", send(c1, "x", 1, MSG_NOSIGNAL), EPIPE);
    close(c1); close(c2); close(c3);
    /* A nonblocking accept with nobody waiting. */
    l = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    struct sockaddr_un ab;
    socklen_t lab = mkabstract(&ab, "conf-unixsock-listen");
    bind(l, (struct sockaddr *)&ab, lab);
    listen(l, 5);
    CHECK_ERR("accept-eagain", accept(l, NULL, NULL), EAGAIN);
    c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    /* Abstract names are per socket type: another type finds nobody. */
    CHECK_ERR("connect-abstract-other-type", connect(c, (struct sockaddr *)&ab, lab), ECONNREFUSED);
    int other_type = socket(AF_UNIX, SOCK_DGRAM, 0);
    CHECK_OK("bind-abstract-other-type", bind(other_type, (struct sockaddr *)&ab, lab));
    close(other_type);
    close(c);
    c = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK("connect-abstract", connect(c, (struct sockaddr *)&ab, lab));
    CHECK_ERR("accept-efault", syscall(SYS_accept, l, BADPTR, &(socklen_t){ 16 }), EFAULT);
    close(c); close(l);
    /* Blocking accept woken by a connecting child; fork keeps both ends working. */
    l = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    lab = mkabstract(&ab, "conf-unixsock-seq");
    bind(l, (struct sockaddr *)&ab, lab);
    listen(l, 5);
    pid_t pid = fork();
    if (pid == 0) {
        int k = socket(AF_UNIX, SOCK_SEQPACKET, 0);
        usleep(50000);
        if (connect(k, (struct sockaddr *)&ab, lab) < 0) _exit(1);
        send(k, "rec1", 4, 0);
        send(k, "rec22", 5, 0);
        char b[8];
        _exit(recv(k, b, sizeof b, 0) == 3 ? 0 : 2);
    }
    s = accept(l, NULL, NULL);
    CHECK("seqpacket-accept", s >= 0);
    CHECK_EQ("seqpacket-record-1", recv(s, buf, sizeof buf, 0), 4);
    CHECK_EQ("seqpacket-record-2", recv(s, buf, sizeof buf, 0), 5);
    CHECK_EQ("seqpacket-reply", send(s, "ack", 3, 0), 3);
    int status;
    waitpid(pid, &status, 0);
    CHECK("seqpacket-child", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_EQ("seqpacket-eof", recv(s, buf, sizeof buf, 0), 0);
    c = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    CHECK_ERR("seqpacket-send-unconnected", send(c, "x", 1, 0), ENOTCONN);
    CHECK_ERR("seqpacket-recv-unconnected", recv(c, buf, 1, MSG_DONTWAIT), ENOTCONN);
    close(c); close(s); close(l);
    unlink(DIR "/listen");
    unlink(DIR "/regular");
}

static void permissions(void) {
    struct sockaddr_un a;
    socklen_t la = mkaddr(&a, DIR "/private");
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    bind(l, (struct sockaddr *)&a, la);
    listen(l, 5);
    chmod(DIR "/private", 0700);
    pid_t pid = fork();
    if (pid == 0) {
        if (setgid(1000) < 0 || setuid(1000) < 0) _exit(9);
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(c, (struct sockaddr *)&a, la) == 0) _exit(1);
        _exit(errno == EACCES ? 0 : 2);
    }
    int status;
    waitpid(pid, &status, 0);
    CHECK("connect-eacces", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    chmod(DIR "/private", 0777);
    pid = fork();
    if (pid == 0) {
        if (setgid(1000) < 0 || setuid(1000) < 0) _exit(9);
        int c = socket(AF_UNIX, SOCK_STREAM, 0);
        _exit(connect(c, (struct sockaddr *)&a, la) == 0 ? 0 : 1);
    }
    waitpid(pid, &status, 0);
    CHECK("connect-other-user", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    int s = accept(l, NULL, NULL);
    struct ucred uc; socklen_t len = sizeof uc;
    getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &len);
    CHECK("peercred-other-user", uc.pid == pid && uc.uid == 1000 && uc.gid == 1000);
    close(s); close(l);
    unlink(DIR "/private");
}

static int send_fds(int sock, const int *fds, int n, const char *data) {
    char control[CMSG_SPACE(sizeof(int) * 256)];
    memset(control, 0, sizeof control);
    struct iovec iov = { (void *)data, strlen(data) };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                        .msg_controllen = CMSG_SPACE(sizeof(int) * n) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * n);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
    return sendmsg(sock, &m, 0);
}

/* Receives with `room` bytes of control: the count of fds received (into fds), flags into *flags. */
static int recv_fds(int sock, int *fds, size_t room, int *flags, int recvflags) {
    char control[4096], data[16];
    struct iovec iov = { data, sizeof data };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = room };
    if (recvmsg(sock, &m, recvflags) < 0) return -1;
    *flags = m.msg_flags;
    int n = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
            int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
            memcpy(fds + n, CMSG_DATA(c), k * sizeof(int));
            n += k;
        }
    }
    return n;
}

static void rights(void) {
    int sv[2], p[2], fds[300], flags;
    char buf[16];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    pipe(p);
    CHECK_EQ("scm-rights-send", send_fds(sv[0], &p[1], 1, "f"), 1);
    int got = recv_fds(sv[1], fds, 4096, &flags, 0);
    CHECK_EQ("scm-rights-recv", got, 1);
    CHECK("scm-rights-new-fd", got == 1 && fds[0] != p[1]);
    CHECK_EQ("scm-rights-works", write(fds[0], "via", 3), 3);
    CHECK_EQ("scm-rights-same-pipe", read(p[0], buf, sizeof buf), 3);
    CHECK_EQ("scm-rights-no-cloexec", fcntl(fds[0], F_GETFD), 0);
    close(fds[0]);
    /* MSG_CMSG_CLOEXEC. */
    send_fds(sv[0], &p[1], 1, "g");
    got = recv_fds(sv[1], fds, 4096, &flags, MSG_CMSG_CLOEXEC);
    CHECK_EQ("scm-rights-cloexec", got == 1 ? fcntl(fds[0], F_GETFD) : -1, FD_CLOEXEC);
    if (got == 1) close(fds[0]);
    /* Too small a buffer: MSG_CTRUNC, the extra descriptors closed. */
    int three[3] = { p[1], p[1], p[1] };
    send_fds(sv[0], three, 3, "h");
    got = recv_fds(sv[1], fds, CMSG_SPACE(sizeof(int)), &flags, 0);
    CHECK_EQ("scm-rights-ctrunc-count", got, 2);          /* CMSG_SPACE(4) holds two ints */
    CHECK("scm-rights-ctrunc-flag", (flags & MSG_CTRUNC) != 0);
    for (int i = 0; i < got; i++) close(fds[i]);
    send_fds(sv[0], &p[1], 1, "i");
    got = recv_fds(sv[1], fds, 0, &flags, 0);
    CHECK("scm-rights-no-room", got == 0 && (flags & MSG_CTRUNC) != 0);
    /* The only write end left is ours: the truncated ones were closed. */
    close(p[1]);
    CHECK_EQ("scm-rights-dropped-closed", read(p[0], buf, sizeof buf), 0);
    close(p[0]);
    /* Limits and bad descriptors. */
    pipe(p);
    for (int i = 0; i < 254; i++) fds[i] = p[0];
    CHECK_ERR("scm-max-fd", send_fds(sv[0], fds, 254, "x"), EINVAL);
    CHECK_EQ("scm-max-fd-253", send_fds(sv[0], fds, 253, "x"), 1);
    got = recv_fds(sv[1], fds, 4096, &flags, 0);
    CHECK_EQ("scm-max-fd-253-recv", got, 253);
    for (int i = 0; i < got; i++) close(fds[i]);
    int bad = 999;
    CHECK_ERR("scm-rights-ebadf", send_fds(sv[0], &bad, 1, "x"), EBADF);
    char control[64] = { 0 };
    struct iovec iov = { "x", 1 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = 32 };
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_len = 8; c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS;
    CHECK_ERR("cmsg-short-len", sendmsg(sv[0], &m, 0), EINVAL);
    c->cmsg_len = 64;
    CHECK_ERR("cmsg-len-past-end", sendmsg(sv[0], &m, 0), EINVAL);
    c->cmsg_len = CMSG_LEN(4); c->cmsg_type = 77;
    CHECK_ERR("cmsg-bad-type", sendmsg(sv[0], &m, 0), EINVAL);
    m.msg_control = BADPTR;
    CHECK_ERR("cmsg-efault", sendmsg(sv[0], &m, 0), EFAULT);
    CHECK_ERR("sendmsg-efault", syscall(SYS_sendmsg, sv[0], BADPTR, 0), EFAULT);
    CHECK_ERR("recvmsg-efault", syscall(SYS_recvmsg, sv[0], BADPTR, 0), EFAULT);
    struct msghdr many = { .msg_iov = &iov, .msg_iovlen = 2000 };
    CHECK_ERR("sendmsg-too-many-iov", sendmsg(sv[0], &many, 0), EMSGSIZE);
    /* Unread in-flight descriptors are closed with the receiving socket. */
    send_fds(sv[0], &p[1], 1, "y");
    close(p[1]);
    close(sv[1]);
    CHECK_EQ("inflight-released", read(p[0], buf, sizeof buf), 0);
    close(p[0]); close(sv[0]);
    /* Between processes: the child gets a pipe through a socket and writes to it. */
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    pipe(p);
    pid_t pid = fork();
    if (pid == 0) {
        int f[1], fl;
        close(p[1]);
        close(p[0]);
        if (recv_fds(sv[1], f, 4096, &fl, 0) != 1) _exit(1);
        _exit(write(f[0], "child", 5) == 5 ? 0 : 2);
    }
    send_fds(sv[0], &p[1], 1, "z");
    close(p[1]);
    int status;
    waitpid(pid, &status, 0);
    CHECK("fork-fd-passing", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_EQ("fork-fd-passing-data", read(p[0], buf, sizeof buf), 5);
    close(p[0]); close(sv[0]); close(sv[1]);
    /* A socket passed over itself to its peer, then everything closed: must not hang the test. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    CHECK_EQ("send-socket-over-itself", send_fds(sv[0], &sv[0], 1, "s"), 1);
    close(sv[0]); close(sv[1]);
}

static void credentials(void) {
    int sv[2], on = 1;
    char control[CMSG_SPACE(sizeof(struct ucred))], data[8];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    CHECK_OK("so-passcred-set", setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    int v = 0; socklen_t len = sizeof v;
    getsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &v, &len);
    CHECK_EQ("so-passcred-get", v, 1);
    send(sv[0], "c", 1, 0);
    struct iovec iov = { data, sizeof data };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
    CHECK_EQ("scm-credentials-recv", recvmsg(sv[1], &m, 0), 1);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    CHECK("scm-credentials-cmsg", c && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred)));
    struct ucred uc;
    if (c) memcpy(&uc, CMSG_DATA(c), sizeof uc);
    CHECK("scm-credentials-value", c && uc.pid == getpid() && uc.uid == getuid() && uc.gid == getgid());
    CHECK_EQ("scm-credentials-controllen", m.msg_controllen, CMSG_SPACE(sizeof(struct ucred)));
    /* Sending explicit credentials: our own are fine, someone else's need privilege. */
    memset(control, 0, sizeof control);
    m.msg_controllen = sizeof control;
    c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_CREDENTIALS; c->cmsg_len = CMSG_LEN(sizeof uc);
    uc.pid = getpid(); uc.uid = getuid(); uc.gid = getgid();
    memcpy(CMSG_DATA(c), &uc, sizeof uc);
    iov.iov_base = "d"; iov.iov_len = 1;
    CHECK_EQ("scm-credentials-send-own", sendmsg(sv[0], &m, 0), 1);
    pid_t pid = fork();
    if (pid == 0) {
        if (setgid(1000) < 0 || setuid(1000) < 0) _exit(9);
        _exit(sendmsg(sv[0], &m, 0) < 0 && errno == EPERM ? 0 : 1);
    }
    int status;
    waitpid(pid, &status, 0);
    CHECK("scm-credentials-eperm", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    c->cmsg_len = CMSG_LEN(8);
    CHECK_ERR("scm-credentials-bad-len", sendmsg(sv[0], &m, 0), EINVAL);
    /* No room for the credentials: MSG_CTRUNC. */
    char d2[8];
    struct iovec iov2 = { d2, sizeof d2 };
    struct msghdr m2 = { .msg_iov = &iov2, .msg_iovlen = 1 };
    recvmsg(sv[1], &m2, 0);      /* the "d" sent above */
    send(sv[0], "e", 1, 0);
    m2.msg_control = NULL; m2.msg_controllen = 0;
    CHECK_EQ("scm-credentials-no-room", recvmsg(sv[1], &m2, 0), 1);
    CHECK("scm-credentials-ctrunc", (m2.msg_flags & MSG_CTRUNC) != 0);
    close(sv[0]); close(sv[1]);
}

static void mmsg(void) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    struct mmsghdr out[3];
    struct iovec iov[3] = { { "a", 1 }, { "bb", 2 }, { "ccc", 3 } };
    memset(out, 0, sizeof out);
    for (int i = 0; i < 3; i++) { out[i].msg_hdr.msg_iov = &iov[i]; out[i].msg_hdr.msg_iovlen = 1; }
    CHECK_EQ("sendmmsg", sendmmsg(sv[0], out, 3, 0), 3);
    CHECK("sendmmsg-lens", out[0].msg_len == 1 && out[1].msg_len == 2 && out[2].msg_len == 3);
    char b[3][8];
    struct iovec riov[3] = { { b[0], 8 }, { b[1], 8 }, { b[2], 8 } };
    struct mmsghdr in[3];
    memset(in, 0, sizeof in);
    for (int i = 0; i < 3; i++) { in[i].msg_hdr.msg_iov = &riov[i]; in[i].msg_hdr.msg_iovlen = 1; }
    CHECK_EQ("recvmmsg", recvmmsg(sv[1], in, 3, MSG_DONTWAIT, NULL), 3);
    CHECK("recvmmsg-lens", in[0].msg_len == 1 && in[1].msg_len == 2 && in[2].msg_len == 3);
    send(sv[0], "x", 1, 0);
    CHECK_EQ("recvmmsg-waitforone", recvmmsg(sv[1], in, 3, MSG_WAITFORONE, NULL), 1);
    CHECK_ERR("recvmmsg-empty", recvmmsg(sv[1], in, 3, MSG_DONTWAIT, NULL), EAGAIN);
    CHECK_ERR("sendmmsg-efault", syscall(SYS_sendmmsg, sv[0], BADPTR, 1, 0), EFAULT);
    close(sv[0]); close(sv[1]);
}

static void readiness(void) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    CHECK_EQ("dgram-poll-idle", revents(sv[0], POLLIN | POLLOUT), POLLOUT);
    send(sv[1], "x", 1, 0);
    CHECK_EQ("dgram-poll-data", revents(sv[0], POLLIN | POLLOUT), POLLIN | POLLOUT);
    fd_set r, w;
    FD_ZERO(&r); FD_ZERO(&w); FD_SET(sv[0], &r); FD_SET(sv[0], &w);
    struct timeval tv = { 0, 0 };
    CHECK_EQ("select-socket", select(sv[0] + 1, &r, &w, NULL, &tv), 2);
    char c;
    recv(sv[0], &c, 1, 0);
    /* A blocked poll wakes when the peer sends. */
    pid_t pid = fork();
    if (pid == 0) { usleep(50000); send(sv[1], "y", 1, 0); _exit(0); }
    struct pollfd p = { sv[0], POLLIN, 0 };
    CHECK_EQ("poll-wakes", poll(&p, 1, 5000), 1);
    waitpid(pid, NULL, 0);
    close(sv[1]);
    CHECK_EQ("dgram-poll-peer-closed", revents(sv[0], POLLIN | POLLOUT), POLLIN | POLLOUT);   /* "y" unread */
    CHECK_EQ("dgram-read-after-peer-closed", recv(sv[0], &c, 1, 0), 1);
    CHECK_EQ("dgram-poll-peer-closed-empty", revents(sv[0], POLLIN | POLLOUT), POLLOUT);   /* no EOF for datagrams */
    close(sv[0]);
    /* A blocking recv woken by a signal: EINTR. */
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    struct sigaction sa = { 0 };
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    alarm(1);
    CHECK_ERR("recv-eintr", recv(sv[0], &c, 1, 0), EINTR);
    alarm(0);
    close(sv[0]); close(sv[1]);
}

static void more(void) {
    int sv[2], v;
    socklen_t len = sizeof v;
    char buf[16];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    CHECK_OK("so-sndbuf-default", getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &len));
    CHECK_EQ("so-sndbuf-default-value", v, 212992);
    struct timeval tv = { 1, 1 };
    len = sizeof tv;
    CHECK_OK("so-rcvtimeo-get", getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, &len));
    CHECK("so-rcvtimeo-zero", tv.tv_sec == 0 && tv.tv_usec == 0 && len == sizeof tv);
    tv.tv_sec = 2; tv.tv_usec = 0;
    CHECK_OK("so-rcvtimeo-set", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    tv.tv_sec = 0; len = sizeof tv;
    getsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, &len);
    CHECK("so-rcvtimeo-get-set", tv.tv_sec == 2 && tv.tv_usec == 0);
    tv.tv_usec = 1000000;
    CHECK_ERR("so-rcvtimeo-edom", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), EDOM);
    CHECK_ERR("so-rcvtimeo-short", setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, 8), EINVAL);
    tv.tv_sec = 0; tv.tv_usec = 200000;
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_ERR("so-rcvtimeo-expires", recv(sv[0], buf, 1, 0), EAGAIN);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    CHECK("so-rcvtimeo-waited", ms >= 150 && ms < 5000);
    tv.tv_sec = 0; tv.tv_usec = 0;
    setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    /* SO_SNDTIMEO on a full send buffer. */
    int small = 4096;
    setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
    tv.tv_usec = 100000;
    CHECK_OK("so-sndtimeo-set", setsockopt(sv[1], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    static char fill[4096];
    long r;
    while ((r = send(sv[1], fill, sizeof fill, 0)) > 0) {}
    int e = errno;
    CHECK_EQ("so-sndtimeo-expires", e, EAGAIN);
    while (recv(sv[0], fill, sizeof fill, MSG_DONTWAIT) > 0) {}
    /* epoll sees a socket become readable. */
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 7 }, out;
    CHECK_OK("epoll-add-socket", epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev));
    CHECK_EQ("epoll-socket-idle", epoll_wait(ep, &out, 1, 0), 0);
    write(sv[1], "e", 1);
    CHECK_EQ("epoll-socket-ready", epoll_wait(ep, &out, 1, 1000), 1);
    CHECK("epoll-socket-event", out.events == EPOLLIN && out.data.u32 == 7);
    read(sv[0], buf, sizeof buf);
    close(ep);
    /* SO_PASSCRED on a stream: the credentials come with the data. */
    int on = 1;
    setsockopt(sv[0], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    write(sv[1], "ab", 2);
    char control[64];
    struct iovec iov = { buf, sizeof buf };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control, .msg_controllen = sizeof control };
    CHECK_EQ("stream-passcred-recv", recvmsg(sv[0], &m, 0), 2);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    CHECK("stream-passcred-cmsg", c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS);
    /* MSG_PEEK on a datagram keeps it, with its source. */
    close(sv[0]); close(sv[1]);
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    send(sv[0], "pk", 2, 0);
    CHECK_EQ("dgram-peek", recv(sv[1], buf, sizeof buf, MSG_PEEK), 2);
    CHECK_EQ("dgram-after-peek", recv(sv[1], buf, sizeof buf, 0), 2);
    int n = -1;
    CHECK_OK("dgram-fionread-empty", ioctl(sv[1], FIONREAD, &n));
    CHECK_EQ("dgram-fionread-empty-value", n, 0);
    CHECK_ERR("socket-unknown-ioctl", ioctl(sv[1], 0x5401 /* TCGETS */, buf), ENOTTY);
    /* shutdown of a datagram socket: reads end, writes EPIPE. */
    CHECK_OK("dgram-shutdown-rd", shutdown(sv[1], SHUT_RD));
    CHECK_EQ("dgram-read-after-shutdown", recv(sv[1], buf, sizeof buf, 0), 0);
    CHECK_OK("dgram-shutdown-wr", shutdown(sv[0], SHUT_WR));
    CHECK_ERR("dgram-send-after-shutdown", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    close(sv[0]); close(sv[1]);
    /* shutdown of an unconnected stream socket succeeds, as on Linux. */
    int u = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK("shutdown-unconnected", shutdown(u, SHUT_RDWR));
    close(u);
    /* FIONREAD on a listener. */
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un ab;
    socklen_t lab = mkabstract(&ab, "conf-unixsock-fionread");
    bind(l, (struct sockaddr *)&ab, lab);
    listen(l, 1);
    CHECK_ERR("fionread-listener", ioctl(l, FIONREAD, &n), EINVAL);
    CHECK_ERR("recv-listener", recv(l, buf, 1, MSG_DONTWAIT), EINVAL);
    close(l);
}

int main(void) {
    begin("unixsock");
    mkdir(DIR, 0777);
    chmod(DIR, 0777);
    creation();
    stream_pair();
    stream_backpressure();
    records(SOCK_DGRAM, "dgram");
    records(SOCK_SEQPACKET, "seqpacket");
    dgram_names();
    names();
    connections();
    permissions();
    rights();
    credentials();
    mmsg();
    readiness();
    more();
    unlink(DIR "/dg-a");
    unlink(DIR "/dg-b");
    unlink(DIR "/dg-stream");
    rmdir(DIR);
    return done();
}
