/* AF_UNIX beyond the basics (unixsock.c): MSG_OOB on streams (SIOCATMARK, SO_OOBINLINE, POLLPRI,
 * SIGURG), /proc/net/unix, sendfile to a socket, a send cut short by the peer's close, SO_PEERCRED
 * of a listener's connections, recvmmsg's timeout, SO_LINGER and SO_PEEK_OFF. */
#include "check.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#ifndef SIOCATMARK
#define SIOCATMARK 0x8905
#endif
#ifndef SO_PEEK_OFF
#define SO_PEEK_OFF 42
#endif

static volatile sig_atomic_t urgs;
static void on_urg(int s) { (void)s; urgs++; }

static int atmark(int fd) { int v = -1; return ioctl(fd, SIOCATMARK, &v) ? -1 : v; }

static void oob(void) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    char b[16];
    CHECK_ERR("oob-empty-send", send(sv[0], "", 0, MSG_OOB), EOPNOTSUPP);
    CHECK_ERR("oob-recv-none", recv(sv[1], b, 1, MSG_OOB), EINVAL);
    CHECK_EQ("oob-atmark-empty", atmark(sv[1]), 0);
    struct pollfd p = { sv[1], POLLPRI, 0 };
    CHECK_EQ("oob-no-pollpri", poll(&p, 1, 0), 0);

    signal(SIGURG, on_urg);
    CHECK_OK("oob-setown", fcntl(sv[1], F_SETOWN, getpid()));
    urgs = 0;
    CHECK_EQ("oob-send", send(sv[0], "abc", 3, MSG_OOB), 3);
    CHECK_EQ("oob-sigurg", urgs, 1);
    p.revents = 0;
    CHECK_EQ("oob-pollpri", poll(&p, 1, 0), 1);
    CHECK("oob-pollpri-revents", p.revents == POLLPRI);
    int n = -1;
    CHECK_OK("oob-fionread", ioctl(sv[1], FIONREAD, &n));
    CHECK_EQ("oob-fionread-counts-urgent", n, 3);
    CHECK_EQ("oob-not-at-mark", atmark(sv[1]), 0);
    memset(b, 0, sizeof b);
    CHECK_EQ("oob-read-stops-at-mark", recv(sv[1], b, sizeof b, MSG_WAITALL | MSG_DONTWAIT), 2);
    CHECK("oob-read-bytes", memcmp(b, "ab", 2) == 0);
    CHECK_EQ("oob-at-mark", atmark(sv[1]), 1);
    CHECK_EQ("oob-recv-peek", recv(sv[1], b, sizeof b, MSG_OOB | MSG_PEEK), 1);
    CHECK("oob-peek-byte", b[0] == 'c');
    struct msghdr mh = { 0 };
    struct iovec iov = { b, sizeof b };
    mh.msg_iov = &iov; mh.msg_iovlen = 1;
    CHECK_EQ("oob-recvmsg", recvmsg(sv[1], &mh, MSG_OOB), 1);
    CHECK("oob-recvmsg-byte-flag", b[0] == 'c' && (mh.msg_flags & MSG_OOB));
    CHECK_ERR("oob-recv-twice", recv(sv[1], b, 1, MSG_OOB), EINVAL);
    CHECK_ERR("oob-taken-not-in-stream", recv(sv[1], b, sizeof b, MSG_DONTWAIT), EAGAIN);
    p.revents = 0;
    CHECK_EQ("oob-pollpri-gone", poll(&p, 1, 0), 0);

    /* A second urgent byte replaces the first, which stays in the stream as data. */
    send(sv[0], "x", 1, MSG_OOB);
    send(sv[0], "y", 1, MSG_OOB);
    CHECK_EQ("oob-replaced-data", recv(sv[1], b, sizeof b, MSG_DONTWAIT), 1);
    CHECK("oob-replaced-byte", b[0] == 'x');
    CHECK_EQ("oob-replaced-urgent", recv(sv[1], b, 1, MSG_OOB), 1);
    CHECK("oob-replaced-urgent-byte", b[0] == 'y');
    recv(sv[1], b, sizeof b, MSG_DONTWAIT);      /* Linux 6.1 drops the emptied skb here (EAGAIN) */

    /* Not taken with MSG_OOB: an ordinary read skips the urgent byte. */
    send(sv[0], "12", 2, MSG_OOB);
    send(sv[0], "3", 1, 0);
    CHECK_EQ("oob-skip-before", recv(sv[1], b, sizeof b, MSG_DONTWAIT), 1);
    CHECK_EQ("oob-skip-after", recv(sv[1], b, sizeof b, MSG_DONTWAIT), 1);
    CHECK("oob-skip-byte", b[0] == '3');
    recv(sv[1], b, 1, MSG_OOB | MSG_DONTWAIT);

    /* SO_OOBINLINE: the urgent byte is read as data (the read still stops at the mark). */
    int one = 1, v = 0;
    socklen_t len = sizeof v;
    CHECK_OK("oobinline-set", setsockopt(sv[1], SOL_SOCKET, SO_OOBINLINE, &one, sizeof one));
    CHECK_OK("oobinline-get", getsockopt(sv[1], SOL_SOCKET, SO_OOBINLINE, &v, &len));
    CHECK_EQ("oobinline-value", v, 1);
    send(sv[0], "pq", 2, MSG_OOB);
    CHECK_ERR("oobinline-recv-oob", recv(sv[1], b, 1, MSG_OOB), EINVAL);
    CHECK_EQ("oobinline-first", recv(sv[1], b, sizeof b, MSG_DONTWAIT), 1);
    CHECK_EQ("oobinline-at-mark", atmark(sv[1]), 1);
    CHECK_EQ("oobinline-urgent", recv(sv[1], b, sizeof b, MSG_DONTWAIT), 1);
    CHECK("oobinline-urgent-byte", b[0] == 'q');
    CHECK_EQ("oobinline-not-at-mark", atmark(sv[1]), 0);
    signal(SIGURG, SIG_DFL);
    close(sv[0]); close(sv[1]);

    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    CHECK_ERR("oob-dgram-send", send(sv[0], "a", 1, MSG_OOB), EOPNOTSUPP);
    send(sv[0], "a", 1, 0);
    CHECK_ERR("oob-dgram-recv", recv(sv[1], b, 1, MSG_OOB), EOPNOTSUPP);
    CHECK_ERR("oob-dgram-atmark", ioctl(sv[1], SIOCATMARK, &n), EOPNOTSUPP);
    close(sv[0]); close(sv[1]);
    socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv);
    CHECK_ERR("oob-seqpacket-send", send(sv[0], "a", 1, MSG_OOB), EOPNOTSUPP);
    CHECK_ERR("oob-seqpacket-recv", recv(sv[1], b, 1, MSG_OOB | MSG_DONTWAIT), EOPNOTSUPP);
    close(sv[0]); close(sv[1]);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_ERR("oob-unconnected-recv", recv(s, b, 1, MSG_OOB), EINVAL);
    close(s);
}

/* The /proc/net/unix line of the socket with inode `ino` (NULL if none). */
static char *proc_line(unsigned long ino, char *line, size_t size) {
    FILE *f = fopen("/proc/net/unix", "r");
    if (!f) return NULL;
    char *found = NULL;
    while (fgets(line, size, f)) {
        unsigned long i = 0;
        if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu", &i) == 1 && i == ino) { found = line; break; }
    }
    fclose(f);
    return found;
}

static unsigned long inode_of(int fd) { struct stat st; fstat(fd, &st); return st.st_ino; }

static void procnet(void) {
    char line[256], header[256] = "";
    FILE *f = fopen("/proc/net/unix", "r");
    CHECK("procnet-open", f != NULL);
    if (!f) return;
    if (!fgets(header, sizeof header, f)) header[0] = 0;
    fclose(f);
    CHECK("procnet-header", strcmp(header, "Num       RefCount Protocol Flags    Type St Inode Path\n") == 0);

    const char *path = "/tmp/unixoob-listener";
    unlink(path);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = { AF_UNIX };
    strcpy(a.sun_path, path);
    bind(l, (struct sockaddr *)&a, sizeof a);
    listen(l, 4);
    char *x = proc_line(inode_of(l), line, sizeof line);
    CHECK("procnet-listener", x != NULL);
    unsigned flags = 0, type = 0, st = 0;
    char name[128] = "";
    if (x) sscanf(x, "%*s %*s %*s %x %x %x %*u %127s", &flags, &type, &st, name);
    CHECK("procnet-listener-fields", flags == 0x10000 && type == 1 && st == 1 && strcmp(name, path) == 0);
    char link[64], want[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", l);
    ssize_t n = readlink(link, want, sizeof want - 1);
    want[n > 0 ? n : 0] = 0;
    char expect[64];
    snprintf(expect, sizeof expect, "socket:[%lu]", inode_of(l));
    CHECK("procnet-fd-link-inode", strcmp(want, expect) == 0);

    int c = socket(AF_UNIX, SOCK_STREAM, 0);
    connect(c, (struct sockaddr *)&a, sizeof a);
    x = proc_line(inode_of(c), line, sizeof line);
    CHECK("procnet-connected", x != NULL);
    if (x) { name[0] = 0; int k = sscanf(x, "%*s %*s %*s %x %x %x %*u %127s", &flags, &type, &st, name);
             CHECK("procnet-connected-fields", k == 3 && flags == 0 && type == 1 && st == 3); }
    close(c); close(l);
    unlink(path);

    int d = socket(AF_UNIX, SOCK_DGRAM, 0);
    struct sockaddr_un ab = { AF_UNIX };
    memcpy(ab.sun_path, "\0unixoob\0x", 10);
    bind(d, (struct sockaddr *)&ab, offsetof(struct sockaddr_un, sun_path) + 10);
    x = proc_line(inode_of(d), line, sizeof line);
    CHECK("procnet-abstract", x != NULL);
    if (x) { sscanf(x, "%*s %*s %*s %x %x %x %*u %127s", &flags, &type, &st, name);
             CHECK("procnet-abstract-fields", type == 2 && st == 1 && strcmp(name, "@unixoob@x") == 0); }
    close(d);
}

static void sendfile_socket(void) {
    char path[] = "/tmp/unixoob-sfXXXXXX";
    int fd = mkstemp(path);
    unlink(path);
    write(fd, "0123456789", 10);
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    off_t off = 2;
    CHECK_EQ("sendfile-socket-offset", sendfile(sv[0], fd, &off, 5), 5);
    CHECK_EQ("sendfile-socket-offset-moved", off, 7);
    CHECK_EQ("sendfile-socket-position-kept", lseek(fd, 0, SEEK_CUR), 10);
    char b[16] = "";
    CHECK_EQ("sendfile-socket-read", read(sv[1], b, sizeof b), 5);
    CHECK("sendfile-socket-bytes", memcmp(b, "23456", 5) == 0);
    lseek(fd, 6, SEEK_SET);
    CHECK_EQ("sendfile-socket-position", sendfile(sv[0], fd, NULL, 100), 4);
    CHECK_EQ("sendfile-socket-position-moved", lseek(fd, 0, SEEK_CUR), 10);
    CHECK_EQ("sendfile-socket-read2", read(sv[1], b, sizeof b), 4);
    CHECK("sendfile-socket-bytes2", memcmp(b, "6789", 4) == 0);
    close(sv[0]); close(sv[1]);
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    off = 0;
    int r = sendfile(sv[0], fd, &off, 5);
    CHECK("sendfile-dgram-ran", r == 5 || (r == -1 && errno == EINVAL));   /* Lichen refuses it */
    close(sv[0]); close(sv[1]);
    close(fd);
}

/* A blocked send whose peer closes after part of it went: the count, and no SIGPIPE (Linux's
 * unix_stream_sendmsg raises it only when nothing was sent). */
static void partial_send(void) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    sigset_t set, pending;
    sigemptyset(&set);
    sigaddset(&set, SIGPIPE);
    sigprocmask(SIG_BLOCK, &set, NULL);
    pid_t c = fork();
    if (c == 0) {
        usleep(200 * 1000);
        _exit(0);
    }
    close(sv[1]);
    size_t size = 4 << 20;
    char *big = calloc(1, size);
    ssize_t n = write(sv[0], big, size);
    CHECK("partial-send-count", n > 0 && (size_t)n < size);
    sigpending(&pending);
    CHECK("partial-send-no-sigpipe", !sigismember(&pending, SIGPIPE));
    CHECK_ERR("partial-send-then-epipe", write(sv[0], big, 1), EPIPE);
    sigpending(&pending);
    CHECK("partial-send-then-sigpipe", sigismember(&pending, SIGPIPE));
    int sig;
    sigwait(&set, &sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    free(big);
    close(sv[0]);
    waitpid(c, NULL, 0);
}

static void peercred_listen(void) {
    const char *path = "/tmp/unixoob-cred";
    unlink(path);
    int l = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un a = { AF_UNIX };
    strcpy(a.sun_path, path);
    bind(l, (struct sockaddr *)&a, sizeof a);
    int go[2];
    pipe(go);
    pid_t c = fork();
    if (c == 0) {                     /* the child listens on the parent's socket, then waits */
        listen(l, 4);
        write(go[1], "x", 1);
        pause();
        _exit(0);
    }
    char ch;
    read(go[0], &ch, 1);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    CHECK_OK("peercred-listen-connect", connect(s, (struct sockaddr *)&a, sizeof a));
    struct ucred uc = { 0 };
    socklen_t len = sizeof uc;
    getsockopt(s, SOL_SOCKET, SO_PEERCRED, &uc, &len);
    CHECK_EQ("peercred-is-listen-time", uc.pid, c);
    int acc = accept(l, NULL, NULL);
    getsockopt(acc, SOL_SOCKET, SO_PEERCRED, &uc, &len);
    CHECK_EQ("peercred-accepted-is-connector", uc.pid, getpid());
    kill(c, SIGKILL);
    waitpid(c, NULL, 0);
    close(acc); close(s); close(l);
    unlink(path);
}

static void mmsg_timeout(void) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    char b[3][8];
    struct iovec riov[3] = { { b[0], 8 }, { b[1], 8 }, { b[2], 8 } };
    struct mmsghdr in[3];
    memset(in, 0, sizeof in);
    for (int i = 0; i < 3; i++) { in[i].msg_hdr.msg_iov = &riov[i]; in[i].msg_hdr.msg_iovlen = 1; }
    struct timespec t = { 5, 0 };
    for (int i = 0; i < 3; i++) send(sv[0], "d", 1, 0);
    CHECK_EQ("recvmmsg-timeout", recvmmsg(sv[1], in, 3, MSG_DONTWAIT, &t), 3);
    CHECK("recvmmsg-timeout-left", (t.tv_sec == 4 && t.tv_nsec > 0) || (t.tv_sec == 5 && t.tv_nsec == 0));
    for (int i = 0; i < 3; i++) send(sv[0], "d", 1, 0);
    t.tv_sec = 0; t.tv_nsec = 0;
    CHECK_EQ("recvmmsg-timeout-zero-one", recvmmsg(sv[1], in, 3, 0, &t), 1);
    CHECK("recvmmsg-timeout-zero-left", t.tv_sec == 0 && t.tv_nsec == 0);
    CHECK_EQ("recvmmsg-rest", recvmmsg(sv[1], in, 3, MSG_DONTWAIT, NULL), 2);
    t.tv_nsec = 1000000000;
    CHECK_ERR("recvmmsg-timeout-einval", recvmmsg(sv[1], in, 3, MSG_DONTWAIT, &t), EINVAL);
    t.tv_sec = -1; t.tv_nsec = 0;
    CHECK_ERR("recvmmsg-timeout-negative", recvmmsg(sv[1], in, 3, MSG_DONTWAIT, &t), EINVAL);
    CHECK_ERR("recvmmsg-timeout-einval-before-ebadf", recvmmsg(-1, in, 3, MSG_DONTWAIT, &t), EINVAL);
    CHECK_ERR("recvmmsg-timeout-efault", syscall(SYS_recvmmsg, sv[1], in, 3, MSG_DONTWAIT, BADPTR), EFAULT);
    t.tv_sec = 1; t.tv_nsec = 0;
    CHECK_ERR("recvmmsg-timeout-eagain", recvmmsg(sv[1], in, 3, MSG_DONTWAIT, &t), EAGAIN);
    CHECK("recvmmsg-timeout-untouched", t.tv_sec == 1 && t.tv_nsec == 0);
    close(sv[0]); close(sv[1]);
}

static void options(void) {
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    struct linger lg = { 0, 0 };
    socklen_t len = sizeof lg;
    CHECK_OK("linger-get", getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, &len));
    CHECK("linger-default", lg.l_onoff == 0 && lg.l_linger == 0 && len == sizeof lg);
    lg.l_onoff = 1; lg.l_linger = 7;
    CHECK_OK("linger-set", setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    memset(&lg, 0, sizeof lg);
    getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, &len);
    CHECK("linger-stored", lg.l_onoff == 1 && lg.l_linger == 7);
    lg.l_onoff = 0; lg.l_linger = 3;
    setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    getsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, &len);
    CHECK("linger-off-keeps-time", lg.l_onoff == 0 && lg.l_linger == 7);
    int v = 1;
    CHECK_ERR("linger-short", setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &v, sizeof v), EINVAL);
    lg.l_onoff = 1; lg.l_linger = 1;
    setsockopt(sv[0], SOL_SOCKET, SO_LINGER, &lg, sizeof lg);
    CHECK_EQ("linger-close-at-once", close(sv[0]), 0);
    close(sv[1]);

    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    len = sizeof v;
    CHECK_OK("peekoff-get", getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, &len));
    CHECK_EQ("peekoff-default", v, -1);
    send(sv[0], "abcdef", 6, 0);
    v = 0;
    CHECK_OK("peekoff-set", setsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, sizeof v));
    char b[8] = "";
    CHECK_EQ("peekoff-peek1", recv(sv[1], b, 2, MSG_PEEK), 2);
    CHECK("peekoff-peek1-bytes", memcmp(b, "ab", 2) == 0);
    CHECK_EQ("peekoff-peek2", recv(sv[1], b, 2, MSG_PEEK), 2);
    CHECK("peekoff-peek2-bytes", memcmp(b, "cd", 2) == 0);
    getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, &len);
    CHECK_EQ("peekoff-advanced", v, 4);
    CHECK_EQ("peekoff-read", recv(sv[1], b, 3, 0), 3);
    CHECK("peekoff-read-bytes", memcmp(b, "abc", 3) == 0);
    getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, &len);
    CHECK_EQ("peekoff-back", v, 1);
    CHECK_EQ("peekoff-peek3", recv(sv[1], b, 8, MSG_PEEK), 2);
    CHECK("peekoff-peek3-bytes", memcmp(b, "ef", 2) == 0);
    CHECK_ERR("peekoff-peek-past-end", recv(sv[1], b, 8, MSG_PEEK | MSG_DONTWAIT), EAGAIN);
    close(sv[0]); close(sv[1]);

    /* Datagrams (and seqpacket): a peek starts `offset` bytes into the queue, skipping whole
     * datagrams it covers, and is cut at the datagram's end (MSG_TRUNC); a read moves it back by
     * the datagram's whole length. */
    socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
    len = sizeof v;
    CHECK_OK("dgram-peekoff-get", getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, &len));
    CHECK_EQ("dgram-peekoff-default", v, -1);
    send(sv[0], "abc", 3, 0);
    send(sv[0], "defgh", 5, 0);
    v = 0;
    CHECK_OK("dgram-peekoff-set", setsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, sizeof v));
    memset(b, 0, sizeof b);
    struct iovec iov = { b, 2 };
    struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
    CHECK_EQ("dgram-peekoff-peek1", recvmsg(sv[1], &m, MSG_PEEK), 2);
    CHECK("dgram-peekoff-peek1-trunc", memcmp(b, "ab", 2) == 0 && (m.msg_flags & MSG_TRUNC));
    CHECK_EQ("dgram-peekoff-peek2", recv(sv[1], b, 8, MSG_PEEK), 1);
    CHECK("dgram-peekoff-peek2-bytes", b[0] == 'c');
    CHECK_EQ("dgram-peekoff-peek3", recv(sv[1], b, 8, MSG_PEEK), 5);
    CHECK("dgram-peekoff-peek3-bytes", memcmp(b, "defgh", 5) == 0);
    getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, &len);
    CHECK_EQ("dgram-peekoff-advanced", v, 8);
    CHECK_EQ("dgram-peekoff-read", recv(sv[1], b, 8, 0), 3);
    getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, &len);
    CHECK_EQ("dgram-peekoff-back", v, 5);
    CHECK_ERR("dgram-peekoff-past-end", recv(sv[1], b, 8, MSG_PEEK | MSG_DONTWAIT), EAGAIN);
    CHECK_EQ("dgram-peekoff-read2", recv(sv[1], b, 8, 0), 5);
    getsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, &len);
    CHECK_EQ("dgram-peekoff-zero", v, 0);
    send(sv[0], "xyz", 3, 0);
    v = 1;
    setsockopt(sv[1], SOL_SOCKET, SO_PEEK_OFF, &v, sizeof v);
    CHECK_EQ("dgram-peekoff-trunc-len", recv(sv[1], b, 1, MSG_PEEK | MSG_TRUNC), 2);
    CHECK("dgram-peekoff-trunc-bytes", b[0] == 'y');
    close(sv[0]); close(sv[1]);
}

int main(void) {
    begin("unixoob");
    oob();
    procnet();
    sendfile_socket();
    partial_send();
    peercred_listen();
    mmsg_timeout();
    options();
    return done();
}
