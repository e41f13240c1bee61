/* splice, tee and vmsplice: pipes to and from regular files, unix stream sockets, other pipes and
 * /dev/null; offsets through off_in/off_out (not the file position), Linux's errno order (EBADF,
 * ESPIPE, EINVAL, EFAULT, EAGAIN, EPIPE with SIGPIPE), blocking waits woken by the other end. */
#include "check.h"
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define F_NB SPLICE_F_NONBLOCK
static volatile int sigpipes, alarms;
static void on_sigpipe(int s) { (void)s; sigpipes++; }
static void on_alarm(int s) { (void)s; alarms++; }

static int buffered(int fd) {
    int n = -1;
    ioctl(fd, FIONREAD, &n);
    return n;
}

static int tmpfile_with(const char *path, const char *text, int flags) {
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | flags, 0644);
    if (text) write(fd, text, strlen(text));
    return fd;
}

static void pipe_and_file(void) {
    int p[2];
    char buf[64] = {0};
    pipe(p);
    int fd = tmpfile_with("/tmp/splice-a", NULL, 0);
    write(p[1], "hello world", 11);
    CHECK_EQ("p2f-count", splice(p[0], NULL, fd, NULL, 64, 0), 11);
    CHECK_EQ("p2f-position-moves", lseek(fd, 0, SEEK_CUR), 11);
    CHECK_EQ("p2f-pipe-drained", buffered(p[0]), 0);
    CHECK_EQ("p2f-content", pread(fd, buf, sizeof buf, 0), 11);
    CHECK("p2f-bytes", memcmp(buf, "hello world", 11) == 0);

    loff_t off = 100;
    write(p[1], "abc", 3);
    CHECK_EQ("p2f-offset-count", splice(p[0], NULL, fd, &off, 64, SPLICE_F_MOVE | SPLICE_F_MORE), 3);
    CHECK_EQ("p2f-offset-updated", off, 103);
    CHECK_EQ("p2f-offset-position-stays", lseek(fd, 0, SEEK_CUR), 11);
    CHECK_EQ("p2f-offset-size", lseek(fd, 0, SEEK_END), 103);

    write(p[1], "0123456789", 10);
    CHECK_EQ("p2f-partial-len", splice(p[0], NULL, fd, NULL, 4, 0), 4);
    CHECK_EQ("p2f-rest-stays", buffered(p[0]), 6);
    off = 0;
    CHECK_EQ("f2p-offset-count", splice(fd, &off, p[1], NULL, 5, 0), 5);
    CHECK_EQ("f2p-offset-updated", off, 5);
    CHECK_EQ("f2p-position-stays", lseek(fd, 0, SEEK_CUR), 107);
    memset(buf, 0, sizeof buf);
    CHECK_EQ("f2p-read", read(p[0], buf, sizeof buf), 11);
    CHECK("f2p-bytes", memcmp(buf, "456789hello", 11) == 0);
    lseek(fd, 6, SEEK_SET);
    CHECK_EQ("f2p-position-count", splice(fd, NULL, p[1], NULL, 5, 0), 5);
    CHECK_EQ("f2p-position-moves", lseek(fd, 0, SEEK_CUR), 11);
    memset(buf, 0, sizeof buf);
    CHECK_EQ("f2p-position-read", read(p[0], buf, sizeof buf), 5);
    CHECK("f2p-position-bytes", memcmp(buf, "world", 5) == 0);
    lseek(fd, 0, SEEK_END);
    CHECK_EQ("f2p-eof", splice(fd, NULL, p[1], NULL, 5, 0), 0);

    /* Errors, in Linux's order. */
    CHECK_EQ("zero-len-first", splice(-1, NULL, -1, NULL, 0, 0), 0);
    CHECK_ERR("bad-flags", splice(p[0], NULL, fd, NULL, 1, 0x10), EINVAL);
    CHECK_ERR("bad-fd-in", splice(-1, NULL, fd, NULL, 1, 0), EBADF);
    CHECK_ERR("bad-fd-out", splice(p[0], NULL, 99, NULL, 1, 0), EBADF);
    off = 0;
    CHECK_ERR("espipe-in", splice(p[0], &off, fd, NULL, 1, 0), ESPIPE);
    CHECK_ERR("espipe-out", splice(fd, NULL, p[1], &off, 1, 0), ESPIPE);
    CHECK_ERR("espipe-before-efault", splice(p[0], (loff_t *)BADPTR, fd, NULL, 1, 0), ESPIPE);
    CHECK_ERR("efault-off-out", splice(p[0], NULL, fd, (loff_t *)BADPTR, 1, 0), EFAULT);
    CHECK_ERR("efault-off-in", splice(fd, (loff_t *)BADPTR, p[1], NULL, 1, 0), EFAULT);
    CHECK_ERR("ebadf-in-write-end", splice(p[1], NULL, fd, NULL, 1, 0), EBADF);
    CHECK_ERR("ebadf-out-read-end", splice(fd, NULL, p[0], NULL, 1, 0), EBADF);
    int ro = open("/tmp/splice-a", O_RDONLY);
    CHECK_ERR("ebadf-out-readonly", splice(p[0], NULL, ro, NULL, 1, 0), EBADF);
    CHECK_ERR("same-pipe", splice(p[0], NULL, p[1], NULL, 1, 0), EINVAL);
    CHECK_ERR("no-pipe", splice(ro, NULL, fd, NULL, 1, 0), EINVAL);
    off = -1;
    write(p[1], "x", 1);
    CHECK_ERR("negative-off-out", splice(p[0], NULL, fd, &off, 1, 0), EINVAL);
    CHECK_ERR("negative-off-in", splice(fd, &off, p[1], NULL, 1, 0), EINVAL);
    CHECK_ERR("huge-len-to-file", splice(p[0], NULL, fd, NULL, (size_t)1 << 63, 0), EINVAL);
    int app = open("/tmp/splice-a", O_WRONLY | O_APPEND);
    CHECK_ERR("append-out", splice(p[0], NULL, app, NULL, 1, 0), EINVAL);
    CHECK_EQ("errors-left-data", buffered(p[0]), 1);
    int efd = eventfd(0, 0);
    CHECK_ERR("eventfd-out", splice(p[0], NULL, efd, NULL, 1, 0), EINVAL);
    CHECK_ERR("eventfd-in", splice(efd, NULL, p[1], NULL, 1, 0), EINVAL);
    CHECK_EQ("refusals-left-data", buffered(p[0]), 1);
    read(p[0], buf, 1);

    /* Non-blocking: SPLICE_F_NONBLOCK or the pipe's own O_NONBLOCK. */
    CHECK_ERR("empty-nonblock-flag", splice(p[0], NULL, fd, NULL, 1, F_NB), EAGAIN);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    CHECK_ERR("empty-pipe-onblock", splice(p[0], NULL, fd, NULL, 1, 0), EAGAIN);
    fcntl(p[0], F_SETFL, 0);
    close(p[1]);
    CHECK_EQ("empty-eof", splice(p[0], NULL, fd, NULL, 1, 0), 0);
    close(p[0]);
    close(ro); close(app); close(efd); close(fd);
}

static void big_transfers(void) {
    int p[2];
    static char data[100000];
    for (unsigned i = 0; i < sizeof data; i++) data[i] = (char)(i * 7);
    int fd = tmpfile_with("/tmp/splice-b", NULL, 0);
    write(fd, data, sizeof data);
    pipe(p);
    loff_t off = 0;
    CHECK_EQ("big-f2p-fills-pipe", splice(fd, &off, p[1], NULL, sizeof data, 0), 65536);
    CHECK_EQ("big-f2p-offset", off, 65536);
    CHECK_ERR("big-f2p-full-nonblock", splice(fd, &off, p[1], NULL, 1, F_NB), EAGAIN);
    int out = tmpfile_with("/tmp/splice-c", NULL, 0);
    CHECK_EQ("big-p2f-all", splice(p[0], NULL, out, NULL, sizeof data, 0), 65536);
    CHECK_EQ("big-f2p-rest", splice(fd, &off, p[1], NULL, sizeof data, 0), (long)sizeof data - 65536);
    CHECK_EQ("big-p2f-rest", splice(p[0], NULL, out, NULL, sizeof data, 0), (long)sizeof data - 65536);
    static char back[100000];
    CHECK_EQ("big-read-back", pread(out, back, sizeof back, 0), (long)sizeof back);
    CHECK("big-same-bytes", memcmp(back, data, sizeof data) == 0);
    close(p[0]); close(p[1]); close(fd); close(out);
}

static void pipe_to_pipe(void) {
    int a[2], b[2];
    char buf[64] = {0};
    pipe(a); pipe(b);
    write(a[1], "pipe-to-pipe", 12);
    CHECK_EQ("p2p-count", splice(a[0], NULL, b[1], NULL, 100, 0), 12);
    CHECK_EQ("p2p-input-drained", buffered(a[0]), 0);
    CHECK_EQ("p2p-read", read(b[0], buf, sizeof buf), 12);
    CHECK("p2p-bytes", memcmp(buf, "pipe-to-pipe", 12) == 0);
    CHECK_ERR("p2p-empty-nonblock", splice(a[0], NULL, b[1], NULL, 1, F_NB), EAGAIN);
    fcntl(b[1], F_SETFL, O_NONBLOCK);
    CHECK_ERR("p2p-empty-out-onblock", splice(a[0], NULL, b[1], NULL, 1, 0), EAGAIN);
    fcntl(b[1], F_SETFL, 0);
    struct pollfd pf = {.fd = b[0], .events = POLLIN};
    write(a[1], "z", 1);
    CHECK_EQ("p2p-poll-before", poll(&pf, 1, 0), 0);
    CHECK_EQ("p2p-one", splice(a[0], NULL, b[1], NULL, 1, 0), 1);
    CHECK_EQ("p2p-poll-after", poll(&pf, 1, 0), 1);
    read(b[0], buf, 1);

    /* tee: the bytes stay in the input. */
    write(a[1], "abcdef", 6);
    CHECK_EQ("tee-count", tee(a[0], b[1], 100, 0), 6);
    CHECK_EQ("tee-input-kept", buffered(a[0]), 6);
    CHECK_EQ("tee-output", buffered(b[0]), 6);
    CHECK_EQ("tee-short", tee(a[0], b[1], 3, 0), 3);
    memset(buf, 0, sizeof buf);
    CHECK_EQ("tee-read", read(b[0], buf, sizeof buf), 9);
    CHECK("tee-bytes", memcmp(buf, "abcdefabc", 9) == 0);
    CHECK_EQ("tee-zero-len", tee(-1, -1, 0, 0), 0);
    CHECK_ERR("tee-flags-before-len", tee(-1, -1, 0, 0x10), EINVAL);
    CHECK_ERR("tee-bad-fd", tee(-1, b[1], 1, 0), EBADF);
    CHECK_ERR("tee-same-pipe", tee(a[0], a[1], 1, 0), EINVAL);
    CHECK_ERR("tee-write-end-in", tee(a[1], b[1], 1, 0), EBADF);
    int fd = tmpfile_with("/tmp/splice-d", "x", 0);
    CHECK_ERR("tee-not-pipe", tee(a[0], fd, 1, 0), EINVAL);
    read(a[0], buf, sizeof buf);
    CHECK_ERR("tee-empty-nonblock", tee(a[0], b[1], 1, F_NB), EAGAIN);

    /* EPIPE and SIGPIPE when the output pipe has no reader. */
    signal(SIGPIPE, on_sigpipe);
    write(a[1], "q", 1);
    close(b[0]);
    sigpipes = 0;
    CHECK_ERR("p2p-epipe", splice(a[0], NULL, b[1], NULL, 1, 0), EPIPE);
    CHECK_EQ("p2p-sigpipe", sigpipes, 1);
    CHECK_ERR("tee-epipe", tee(a[0], b[1], 1, 0), EPIPE);
    CHECK_ERR("f2p-epipe", splice(fd, NULL, b[1], NULL, 1, 0), EPIPE);
    CHECK_EQ("epipe-sigpipes", sigpipes, 3);
    close(a[1]);
    CHECK_EQ("p2p-kept-after-epipe", buffered(a[0]), 1);
    signal(SIGPIPE, SIG_DFL);
    close(a[0]); close(b[1]); close(fd);
}

static void sockets_and_devices(void) {
    int p[2], sv[2];
    char buf[64] = {0};
    pipe(p);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(p[1], "to-socket", 9);
    CHECK_EQ("p2s-count", splice(p[0], NULL, sv[0], NULL, 64, 0), 9);
    CHECK_EQ("p2s-read", read(sv[1], buf, sizeof buf), 9);
    CHECK("p2s-bytes", memcmp(buf, "to-socket", 9) == 0);
    write(sv[1], "from-socket", 11);
    CHECK_EQ("s2p-count", splice(sv[0], NULL, p[1], NULL, 64, 0), 11);
    memset(buf, 0, sizeof buf);
    CHECK_EQ("s2p-read", read(p[0], buf, sizeof buf), 11);
    CHECK("s2p-bytes", memcmp(buf, "from-socket", 11) == 0);
    CHECK_ERR("s2p-empty-nonblock", splice(sv[0], NULL, p[1], NULL, 64, F_NB), EAGAIN);
    loff_t off = 0;
    write(p[1], "y", 1);
    CHECK_ERR("p2s-offset", splice(p[0], NULL, sv[0], &off, 1, 0), EINVAL);
    CHECK_ERR("s2p-offset", splice(sv[0], &off, p[1], NULL, 1, 0), EINVAL);

    int null = open("/dev/null", O_WRONLY);
    write(p[1], "discarded", 9);
    CHECK_EQ("p2null-count", splice(p[0], NULL, null, NULL, 64, 0), 10);
    CHECK_EQ("p2null-drained", buffered(p[0]), 0);
    write(p[1], "more", 4);
    off = 5;
    CHECK_EQ("p2null-offset-count", splice(p[0], NULL, null, &off, 64, 0), 4);
    CHECK_EQ("p2null-offset-kept", off, 5);
    int zero = open("/dev/zero", O_RDWR);
    write(p[1], "zz", 2);
    CHECK_ERR("p2zero", splice(p[0], NULL, zero, NULL, 64, 0), EINVAL);
    CHECK_EQ("p2zero-kept", buffered(p[0]), 2);
    read(p[0], buf, 2);
    CHECK_ERR("zero2p", splice(zero, NULL, p[1], NULL, 64, 0), EINVAL);
    close(zero);
    int full = open("/dev/full", O_WRONLY);
    write(p[1], "f", 1);
    CHECK_ERR("p2full", splice(p[0], NULL, full, NULL, 1, 0), EINVAL);
    close(null); close(full);
    close(p[0]); close(p[1]); close(sv[0]); close(sv[1]);
}

static void vmsplice_checks(void) {
    int p[2];
    char buf[64] = {0};
    pipe(p);
    struct iovec iov[2] = {{.iov_base = "hello ", .iov_len = 6}, {.iov_base = "vm", .iov_len = 2}};
    CHECK_EQ("vm-to-pipe", vmsplice(p[1], iov, 2, SPLICE_F_GIFT), 8);
    CHECK_EQ("vm-to-pipe-read", read(p[0], buf, sizeof buf), 8);
    CHECK("vm-to-pipe-bytes", memcmp(buf, "hello vm", 8) == 0);
    write(p[1], "out-of-pipe", 11);
    memset(buf, 0, sizeof buf);
    struct iovec in[2] = {{.iov_base = buf, .iov_len = 4}, {.iov_base = buf + 10, .iov_len = 20}};
    CHECK_EQ("vm-from-pipe", vmsplice(p[0], in, 2, 0), 11);
    CHECK("vm-from-pipe-bytes", memcmp(buf, "out-", 4) == 0 && memcmp(buf + 10, "of-pipe", 7) == 0);
    CHECK_EQ("vm-from-pipe-drained", buffered(p[0]), 0);
    CHECK_ERR("vm-from-empty-nonblock", vmsplice(p[0], in, 2, F_NB), EAGAIN);
    CHECK_ERR("vm-bad-flags", vmsplice(p[1], iov, 1, 0x10), EINVAL);
    CHECK_ERR("vm-bad-fd", vmsplice(-1, iov, 1, 0), EBADF);
    CHECK_ERR("vm-bad-iov", vmsplice(p[1], (struct iovec *)BADPTR, 1, 0), EFAULT);
    CHECK_ERR("vm-too-many", vmsplice(p[1], iov, 1025, 0), EINVAL);
    struct iovec bad = {.iov_base = BADPTR, .iov_len = 4};
    CHECK_ERR("vm-bad-base", vmsplice(p[1], &bad, 1, 0), EFAULT);
    write(p[1], "kept", 4);
    CHECK_ERR("vm-bad-base-out", vmsplice(p[0], &bad, 1, 0), EFAULT);
    CHECK_EQ("vm-bad-base-out-kept", buffered(p[0]), 4);
    int fd = tmpfile_with("/tmp/splice-e", NULL, 0);
    CHECK_ERR("vm-not-pipe", vmsplice(fd, iov, 1, 0), EBADF);
    CHECK_EQ("vm-not-pipe-empty", vmsplice(fd, iov, 0, 0), 0);
    static char big[70000];
    struct iovec large = {.iov_base = big, .iov_len = sizeof big};
    CHECK("vm-fills-pipe", vmsplice(p[1], &large, 1, 0) > 0);
    CHECK_ERR("vm-full-nonblock", vmsplice(p[1], &large, 1, F_NB), EAGAIN);
    {   /* The pipe's own O_NONBLOCK does not count for vmsplice (Linux 6.1): it waits, until a signal. */
        struct sigaction sa = {.sa_handler = on_alarm};
        sigaction(SIGALRM, &sa, NULL);
        fcntl(p[1], F_SETFL, O_NONBLOCK);
        struct itimerval t = {.it_value = {.tv_usec = 200000}};
        setitimer(ITIMER_REAL, &t, NULL);
        CHECK_ERR("vm-full-onblock-waits", vmsplice(p[1], &large, 1, 0), EINTR);
        CHECK_EQ("vm-full-onblock-alarm", alarms, 1);
        struct itimerval off = {{0, 0}, {0, 0}};
        setitimer(ITIMER_REAL, &off, NULL);
        fcntl(p[1], F_SETFL, 0);
        alarms = 0;
    }
    close(p[0]);
    signal(SIGPIPE, SIG_IGN);
    CHECK_ERR("vm-epipe", vmsplice(p[1], iov, 1, 0), EPIPE);
    signal(SIGPIPE, SIG_DFL);
    close(p[1]); close(fd);
}

/* A splice waiting for data is woken by a writer; one waiting with nothing moved is ended by a signal. */
static void waiting(void) {
    int p[2];
    pipe(p);
    int fd = tmpfile_with("/tmp/splice-f", NULL, 0);
    pid_t c = fork();
    if (c == 0) {
        usleep(100000);
        write(p[1], "late", 4);
        _exit(0);
    }
    CHECK_EQ("wait-woken", splice(p[0], NULL, fd, NULL, 64, 0), 4);
    waitpid(c, NULL, 0);
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);                 /* no SA_RESTART */
    struct itimerval t = {.it_value = {.tv_usec = 50000}};
    setitimer(ITIMER_REAL, &t, NULL);
    CHECK_ERR("wait-eintr", splice(p[0], NULL, fd, NULL, 64, 0), EINTR);
    CHECK_EQ("wait-alarm", alarms, 1);
    int q[2];
    pipe(q);
    setitimer(ITIMER_REAL, &t, NULL);
    CHECK_ERR("tee-wait-eintr", tee(p[0], q[1], 64, 0), EINTR);
    close(p[0]); close(p[1]); close(q[0]); close(q[1]); close(fd);
}

/* Under concurrency nothing is lost or duplicated: a writer, a splice from pipe to pipe and a
 * reader at the far end; then a splice to a file racing a plain reader on the same pipe. */
#define STREAM_BYTES (512 * 1024)
static void concurrent(void) {
    int a[2], b[2];
    pipe(a); pipe(b);
    pid_t w = fork();
    if (w == 0) {
        close(a[0]); close(b[0]); close(b[1]);
        static unsigned char chunk[3000];
        for (long i = 0; i < STREAM_BYTES; ) {
            long n = STREAM_BYTES - i < (long)sizeof chunk ? STREAM_BYTES - i : (long)sizeof chunk;
            for (long k = 0; k < n; k++) chunk[k] = (unsigned char)((i + k) % 251);
            if (write(a[1], chunk, n) != n) _exit(1);
            i += n;
        }
        _exit(0);
    }
    pid_t r = fork();
    if (r == 0) {
        close(a[0]); close(a[1]); close(b[1]);
        static unsigned char in[5000];
        long at = 0, n;
        while ((n = read(b[0], in, sizeof in)) > 0)
            for (long k = 0; k < n; k++, at++) if (in[k] != (unsigned char)(at % 251)) _exit(2);
        _exit(at == STREAM_BYTES ? 0 : 3);
    }
    close(a[1]); close(b[0]);
    long moved = 0, n;
    while ((n = splice(a[0], NULL, b[1], NULL, 7000, 0)) > 0) moved += n;
    CHECK_EQ("stream-moved", moved, STREAM_BYTES);
    close(a[0]); close(b[1]);
    int st;
    waitpid(w, &st, 0);
    CHECK_EQ("stream-writer", st, 0);
    waitpid(r, &st, 0);
    CHECK_EQ("stream-reader-in-order", st, 0);

    pipe(a);
    int fd = tmpfile_with("/tmp/splice-g", NULL, 0);
    int counts[2];
    pipe(b);
    pid_t c = fork();
    if (c == 0) {
        close(a[1]); close(b[0]);
        static char in[1000];
        long total = 0;
        while ((n = read(a[0], in, sizeof in)) > 0) total += n;
        write(b[1], &total, sizeof total);
        _exit(0);
    }
    close(b[1]);
    pid_t w2 = fork();
    if (w2 == 0) {
        close(a[0]);
        static char out[4096];
        for (int i = 0; i < 128; i++) write(a[1], out, sizeof out);
        _exit(0);
    }
    close(a[1]);
    long spliced = 0, read_total = 0;
    while ((n = splice(a[0], NULL, fd, NULL, 3000, 0)) > 0) spliced += n;
    read(b[0], &read_total, sizeof read_total);
    CHECK_EQ("race-no-loss-no-dup", spliced + read_total, 128 * 4096);
    CHECK_EQ("race-file-size", lseek(fd, 0, SEEK_END), spliced);
    waitpid(c, NULL, 0); waitpid(w2, NULL, 0);
    (void)counts;
    close(a[0]); close(b[0]); close(fd);
}

int main(void) {
    begin("splice");
    pipe_and_file();
    big_transfers();
    pipe_to_pipe();
    sockets_and_devices();
    vmsplice_checks();
    waiting();
    concurrent();
    return done();
}
