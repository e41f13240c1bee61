/* POSIX message queues: priority order, limits and attributes, blocking with CLOCK_REALTIME
 * deadlines, EINTR and SA_RESTART, mq_notify (SIGEV_SIGNAL's siginfo, EBUSY, one shot), poll, the
 * mqueue filesystem (status line, listing, unlink), /proc/sys/fs/mqueue, RLIMIT_MSGQUEUE, and the
 * errors of another uid. */
#include "check.h"
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <dirent.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/statfs.h>

static char qname[64], qname2[64];
static void on_alarm(int s) { (void)s; }

static void alarm_ms(int ms, int restart) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { {0, 0}, {0, ms * 1000} };
    setitimer(ITIMER_REAL, &it, NULL);
}

static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static struct timespec in_ms(int ms) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_nsec += (long)ms * 1000000;
    t.tv_sec += t.tv_nsec / 1000000000;
    t.tv_nsec %= 1000000000;
    return t;
}

static long read_proc(const char *path) {
    char buf[64] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    read(fd, buf, sizeof buf - 1);
    close(fd);
    return atol(buf);
}

static int write_proc(const char *path, const char *value) {
    int fd = open(path, O_WRONLY);
    if (fd < 0) return -1;
    int r = write(fd, value, strlen(value));
    close(fd);
    return r < 0 ? -1 : 0;
}

static void basics(void) {
    struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 64 }, got;
    mqd_t q = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    CHECK("open-create", q >= 0);
    CHECK_ERR("open-excl", mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, &attr), EEXIST);
    CHECK_ERR("open-missing", mq_open("/lichen-mq-none", O_RDWR), ENOENT);
    CHECK_ERR("open-noslash", mq_open("lichen", O_RDWR | O_CREAT, 0600, NULL), EINVAL);
    CHECK_ERR("open-inner-slash", syscall(SYS_mq_open, "a/b", O_RDWR | O_CREAT, 0600, NULL), EACCES);
    CHECK_ERR("open-empty", syscall(SYS_mq_open, "", O_RDWR | O_CREAT, 0600, NULL), ENOENT);
    CHECK_ERR("open-dotdot", syscall(SYS_mq_open, "..", O_RDWR | O_CREAT, 0600, NULL), EACCES);
    char longname[300];
    memset(longname, 'x', sizeof longname);
    longname[256] = 0;
    CHECK_ERR("open-toolong", syscall(SYS_mq_open, longname, O_RDWR | O_CREAT, 0600, NULL), ENAMETOOLONG);
    CHECK_ERR("open-badname", syscall(SYS_mq_open, BADPTR, O_RDWR | O_CREAT, 0600, NULL), EFAULT);
    CHECK_ERR("open-badattr", syscall(SYS_mq_open, qname + 1, O_RDWR | O_CREAT, 0600, BADPTR), EFAULT);
    CHECK_ERR("open-accmode3", mq_open(qname, 3), EINVAL);
    CHECK_EQ("cloexec", fcntl(q, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
    struct mq_attr bad = { .mq_maxmsg = 0, .mq_msgsize = 64 };
    CHECK_ERR("attr-zero", mq_open("/lichen-mq-bad", O_RDWR | O_CREAT, 0600, &bad), EINVAL);
    bad.mq_maxmsg = 4; bad.mq_msgsize = -1;
    CHECK_ERR("attr-negative", mq_open("/lichen-mq-bad", O_RDWR | O_CREAT, 0600, &bad), EINVAL);
    bad.mq_maxmsg = 65537; bad.mq_msgsize = 1;
    CHECK_ERR("attr-hardmax", mq_open("/lichen-mq-bad", O_RDWR | O_CREAT, 0600, &bad), EINVAL);

    CHECK_OK("getattr", mq_getattr(q, &got));
    CHECK("getattr-values", got.mq_maxmsg == 4 && got.mq_msgsize == 64 && got.mq_curmsgs == 0 && got.mq_flags == 0);

    CHECK_OK("send-a", mq_send(q, "a", 1, 1));
    CHECK_OK("send-b", mq_send(q, "bb", 2, 5));
    CHECK_OK("send-c", mq_send(q, "c", 1, 1));
    CHECK_OK("send-d", mq_send(q, "d", 1, 5));
    CHECK_OK("getattr-full", mq_getattr(q, &got));
    CHECK_EQ("curmsgs", got.mq_curmsgs, 4);
    struct pollfd pfd = { q, POLLIN | POLLOUT, 0 };
    CHECK_EQ("poll-full", poll(&pfd, 1, 0) == 1 ? pfd.revents : -1, POLLIN);
    struct timespec past = { 1, 0 };
    CHECK_ERR("send-full-timeout", mq_timedsend(q, "e", 1, 0, &past), ETIMEDOUT);
    long t0 = now_ms();
    struct timespec soon = in_ms(60);
    CHECK_ERR("send-full-wait", mq_timedsend(q, "e", 1, 0, &soon), ETIMEDOUT);
    CHECK("send-full-waited", now_ms() - t0 >= 50);
    struct mq_attr nb = { .mq_flags = O_NONBLOCK }, old;
    CHECK_OK("setattr-nonblock", mq_setattr(q, &nb, &old));
    CHECK_EQ("setattr-old-flags", old.mq_flags, 0);
    CHECK_EQ("setattr-fl", fcntl(q, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    CHECK_ERR("send-full-nonblock", mq_send(q, "e", 1, 0), EAGAIN);

    char buf[64];
    unsigned prio = 99;
    CHECK_ERR("receive-small", mq_receive(q, buf, 63, &prio), EMSGSIZE);
    CHECK_EQ("receive-1", mq_receive(q, buf, 64, &prio), 2);
    CHECK("receive-1-data", buf[0] == 'b' && prio == 5);
    CHECK_EQ("receive-2", mq_receive(q, buf, 64, &prio), 1);
    CHECK("receive-2-data", buf[0] == 'd' && prio == 5);
    CHECK_EQ("receive-3", mq_receive(q, buf, 64, &prio), 1);
    CHECK("receive-3-data", buf[0] == 'a' && prio == 1);
    struct timespec invalid = { 0, 1000000000 };
    CHECK_ERR("receive-bad-timespec", mq_timedreceive(q, buf, 64, &prio, &invalid), EINVAL);
    CHECK_ERR("receive-timespec-fault", syscall(SYS_mq_timedreceive, q, buf, 64, NULL, BADPTR), EFAULT);
    CHECK_EQ("receive-4", mq_receive(q, buf, 64, NULL), 1);
    CHECK("receive-4-data", buf[0] == 'c');
    CHECK_ERR("receive-empty-nonblock", mq_receive(q, buf, 64, &prio), EAGAIN);
    pfd.revents = 0;
    CHECK_EQ("poll-empty", poll(&pfd, 1, 0) == 1 ? pfd.revents : -1, POLLOUT);
    nb.mq_flags = 0;
    CHECK_OK("setattr-block", mq_setattr(q, &nb, &old));
    CHECK_EQ("setattr-old-nonblock", old.mq_flags, O_NONBLOCK);
    nb.mq_flags = O_RDWR;
    CHECK_ERR("setattr-badflags", mq_setattr(q, &nb, NULL), EINVAL);
    CHECK_ERR("setattr-fault", syscall(SYS_mq_getsetattr, q, BADPTR, NULL), EFAULT);

    CHECK_ERR("send-toobig", mq_send(q, buf, 65, 0), EMSGSIZE);
    CHECK_ERR("send-prio", mq_send(q, "x", 1, 32768), EINVAL);
    CHECK_ERR("send-fault", syscall(SYS_mq_timedsend, q, BADPTR, 1, 0, NULL), EFAULT);
    CHECK_OK("send-empty-message", mq_send(q, "", 0, 0));
    CHECK_EQ("receive-empty-message", mq_receive(q, buf, 64, NULL), 0);
    CHECK_OK("send-y", mq_send(q, "y", 1, 0));
    CHECK_ERR("receive-fault", syscall(SYS_mq_timedreceive, q, BADPTR, 64, NULL, NULL), EFAULT);
    CHECK_ERR("receive-consumed", mq_timedreceive(q, buf, 64, NULL, &past), ETIMEDOUT);
    CHECK_ERR("write-mq", write(q, "x", 1), EINVAL);

    int p[2];
    pipe(p);
    CHECK_ERR("send-pipe", mq_send(p[1], "x", 1, 0), EBADF);
    CHECK_ERR("send-badfd", mq_send(-1, "x", 1, 0), EBADF);
    CHECK_ERR("getattr-pipe", mq_getattr(p[0], &got), EBADF);
    mqd_t ro = mq_open(qname, O_RDONLY), wo = mq_open(qname, O_WRONLY);
    CHECK("open-ro-wo", ro >= 0 && wo >= 0);
    CHECK_ERR("send-rdonly", mq_send(ro, "x", 1, 0), EBADF);
    CHECK_ERR("receive-wronly", mq_receive(wo, buf, 64, NULL), EBADF);
    CHECK_OK("send-wronly", mq_send(wo, "w", 1, 3));
    int d = dup(ro);
    CHECK_EQ("receive-dup", mq_receive(d, buf, 64, &prio), 1);
    close(d); close(ro); close(wo);

    /* A blocked receiver wakes for a sender in a child (which inherited the descriptor). */
    pid_t c = fork();
    if (c == 0) {
        struct timespec t = { 0, 50000000 };
        nanosleep(&t, NULL);
        _exit(mq_send(q, "child", 5, 7) == 0 ? 0 : 1);
    }
    CHECK_EQ("receive-wait-child", mq_receive(q, buf, 64, &prio), 5);
    CHECK("receive-wait-data", memcmp(buf, "child", 5) == 0 && prio == 7);
    int st;
    waitpid(c, &st, 0);
    CHECK("child-send", WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* A signal without SA_RESTART ends a blocked receive; with it, the receive goes on to its deadline. */
    alarm_ms(50, 0);
    CHECK_ERR("receive-eintr", mq_receive(q, buf, 64, NULL), EINTR);
    alarm_ms(50, 1);
    t0 = now_ms();
    soon = in_ms(200);
    CHECK_ERR("receive-restart", mq_timedreceive(q, buf, 64, NULL, &soon), ETIMEDOUT);
    CHECK("receive-restart-waited", now_ms() - t0 >= 180);
    signal(SIGALRM, SIG_DFL);

    /* Unlinked while open: the descriptor still works, the name is gone. */
    CHECK_OK("unlink", mq_unlink(qname));
    CHECK_ERR("unlink-again", mq_unlink(qname), ENOENT);
    CHECK_ERR("open-unlinked", mq_open(qname, O_RDWR), ENOENT);
    CHECK_OK("send-unlinked", mq_send(q, "z", 1, 0));
    CHECK_EQ("receive-unlinked", mq_receive(q, buf, 64, NULL), 1);
    CHECK_ERR("unlink-noslash", mq_unlink("x"), EINVAL);
    CHECK_ERR("unlink-fault", syscall(SYS_mq_unlink, BADPTR), EFAULT);
    mq_close(q);
    close(p[0]); close(p[1]);
}

static void notify(void) {
    struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 16 };
    mqd_t q = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
    CHECK("notify-open", q >= 0);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, NULL);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR1;
    ev.sigev_value.sival_int = 42;
    CHECK_OK("notify-register", mq_notify(q, &ev));
    CHECK_ERR("notify-busy", mq_notify(q, &ev), EBUSY);
    pid_t c = fork();
    if (c == 0) _exit(mq_notify(q, &ev) == -1 && errno == EBUSY ? 0 : 1);
    int st;
    waitpid(c, &st, 0);
    CHECK("notify-busy-child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_OK("notify-send", mq_send(q, "m", 1, 0));
    siginfo_t si;
    struct timespec wait = { 1, 0 };
    CHECK_EQ("notify-signal", sigtimedwait(&set, &si, &wait), SIGUSR1);
    CHECK("notify-siginfo", si.si_code == SI_MESGQ && si.si_pid == getpid() && si.si_uid == 0 && si.si_value.sival_int == 42);
    /* The registration went with the notification. */
    CHECK_OK("notify-send-2", mq_send(q, "n", 1, 0));
    struct timespec none = { 0, 0 };
    CHECK_ERR("notify-oneshot", sigtimedwait(&set, &si, &none), EAGAIN);
    CHECK_OK("notify-reregister", mq_notify(q, &ev));
    /* Not empty before: no notification. */
    CHECK_OK("notify-send-3", mq_send(q, "o", 1, 0));
    CHECK_ERR("notify-not-empty", sigtimedwait(&set, &si, &none), EAGAIN);
    CHECK_OK("notify-unregister", mq_notify(q, NULL));
    CHECK_OK("notify-unregister-again", mq_notify(q, NULL));
    char buf[16];
    while (mq_timedreceive(q, buf, 16, NULL, &none) >= 0) {}
    CHECK_OK("notify-register-3", mq_notify(q, &ev));
    int d = dup(q);
    close(d);                                   /* any close by the owner removes it */
    CHECK_OK("notify-send-after-close", mq_send(q, "p", 1, 0));
    CHECK_ERR("notify-removed-by-close", sigtimedwait(&set, &si, &none), EAGAIN);
    mq_receive(q, buf, 16, NULL);

    ev.sigev_notify = 99;
    CHECK_ERR("notify-badkind", mq_notify(q, &ev), EINVAL);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = 65;
    CHECK_ERR("notify-badsig", mq_notify(q, &ev), EINVAL);
    CHECK_ERR("notify-fault", syscall(SYS_mq_notify, q, BADPTR), EFAULT);
    CHECK_ERR("notify-badfd", mq_notify(-1, NULL), EBADF);
    /* SIGEV_THREAD at the syscall: the cookie is read, then sigev_signo must be a netlink socket. */
    char cookie[32] = {0};
    int p[2];
    pipe(p);
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_signo = p[0];
    ev.sigev_value.sival_ptr = cookie;
    CHECK_ERR("notify-thread-notsock", syscall(SYS_mq_notify, q, &ev), ENOTSOCK);
    ev.sigev_signo = -1;
    CHECK_ERR("notify-thread-badfd", syscall(SYS_mq_notify, q, &ev), EBADF);
    ev.sigev_value.sival_ptr = BADPTR;
    CHECK_ERR("notify-thread-cookie", syscall(SYS_mq_notify, q, &ev), EFAULT);
    close(p[0]); close(p[1]);

    /* SIGEV_NONE registers (EBUSY for others) and signals nothing. */
    ev.sigev_notify = SIGEV_NONE;
    CHECK_OK("notify-none", mq_notify(q, &ev));
    CHECK_ERR("notify-none-busy", mq_notify(q, &ev), EBUSY);
    CHECK_OK("notify-none-unregister", mq_notify(q, NULL));
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    mq_close(q);
    mq_unlink(qname);
}

static void filesystem(void) {
    const char *dir = "/tmp/lichen-mqfs";
    mkdir(dir, 0755);
    CHECK_OK("mount", mount("none", dir, "mqueue", 0, NULL));
    struct statfs sfs;
    CHECK_OK("statfs", statfs(dir, &sfs));
    CHECK_EQ("statfs-magic", sfs.f_type, 0x19800202);
    struct stat s;
    CHECK_OK("stat-root", stat(dir, &s));
    CHECK_EQ("root-mode", s.st_mode & 07777, 01777);
    mode_t old = umask(022);
    struct mq_attr attr = { .mq_maxmsg = 2, .mq_msgsize = 8 };
    mqd_t q = mq_open(qname, O_RDWR | O_CREAT, 0666, &attr);
    umask(old);
    char path[128];
    snprintf(path, sizeof path, "%s%s", dir, qname);
    CHECK_OK("stat-queue", stat(path, &s));
    CHECK("queue-mode", S_ISREG(s.st_mode) && (s.st_mode & 07777) == 0644);
    CHECK_OK("fstat-queue", fstat(q, &s));
    CHECK("fstat-mode", S_ISREG(s.st_mode) && (s.st_mode & 07777) == 0644);
    int found = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) if (strcmp(e->d_name, qname + 1) == 0) found = 1;
    if (d) closedir(d);
    CHECK("readdir", found);

    mq_send(q, "abc", 3, 0);
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = SIGUSR2;
    mq_notify(q, &ev);
    char want[128], buf[128] = {0};
    snprintf(want, sizeof want, "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n", 3ul, 0, SIGUSR2, getpid());
    int fd = open(path, O_RDONLY);
    CHECK("open-file", fd >= 0);
    CHECK_EQ("read-status", read(fd, buf, sizeof buf - 1), (long)strlen(want));
    if (strcmp(buf, want) == 0) passed++; else fail("status-line", "read \"%s\", expected \"%s\"", buf, want);
    memset(buf, 0, sizeof buf);
    CHECK_EQ("read-status-mqd", pread(q, buf, sizeof buf - 1, 0), (long)strlen(want));
    close(fd);
    mq_notify(q, NULL);
    /* A descriptor from open() is a queue descriptor. */
    fd = open(path, O_RDWR);
    CHECK_EQ("receive-openfd", mq_receive(fd, buf, 8, NULL), 3);
    close(fd);
    CHECK_ERR("mkdir-mqfs", mkdir("/tmp/lichen-mqfs/sub", 0755), EPERM);
    /* Creating through the filesystem makes a queue with the default attributes. */
    snprintf(path, sizeof path, "%s%s", dir, qname2);
    fd = open(path, O_RDWR | O_CREAT, 0600);
    CHECK("create-openfd", fd >= 0);
    struct mq_attr got;
    CHECK_OK("create-openfd-attr", mq_getattr(fd, &got));
    CHECK("create-openfd-defaults", got.mq_maxmsg == 10 && got.mq_msgsize == 8192);
    close(fd);
    CHECK_OK("unlink-fs", unlink(path));
    CHECK_ERR("unlinked-fs", mq_open(qname2, O_RDWR), ENOENT);
    mq_close(q);
    mq_unlink(qname);
    CHECK_OK("umount", umount(dir));
    rmdir(dir);
}

static void proc_limits(void) {
    CHECK_EQ("proc-msg_max", read_proc("/proc/sys/fs/mqueue/msg_max"), 10);
    CHECK_EQ("proc-msgsize_max", read_proc("/proc/sys/fs/mqueue/msgsize_max"), 8192);
    CHECK_EQ("proc-queues_max", read_proc("/proc/sys/fs/mqueue/queues_max"), 256);
    CHECK_EQ("proc-msg_default", read_proc("/proc/sys/fs/mqueue/msg_default"), 10);
    CHECK_EQ("proc-msgsize_default", read_proc("/proc/sys/fs/mqueue/msgsize_default"), 8192);
    CHECK_ERR("proc-msg_max-zero", write_proc("/proc/sys/fs/mqueue/msg_max", "0"), EINVAL);
    CHECK_ERR("proc-msgsize_max-small", write_proc("/proc/sys/fs/mqueue/msgsize_max", "127"), EINVAL);
    CHECK_OK("proc-msg_default-set", write_proc("/proc/sys/fs/mqueue/msg_default", "5"));
    mqd_t q = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
    struct mq_attr got;
    mq_getattr(q, &got);
    CHECK("proc-msg_default-used", got.mq_maxmsg == 5 && got.mq_msgsize == 8192);
    mq_close(q);
    mq_unlink(qname);
    write_proc("/proc/sys/fs/mqueue/msg_default", "10");
}

static void as_other(void) {
    struct rlimit rl = { 100000, 100000 };
    setrlimit(RLIMIT_MSGQUEUE, &rl);
    if (setgid(1000) || setuid(1000)) { fail("setuid", "setuid failed"); return; }
    CHECK_ERR("other-eacces", mq_open(qname, O_RDONLY), EACCES);
    CHECK_ERR("other-unlink", mq_unlink(qname), EACCES);
    struct mq_attr attr = { .mq_maxmsg = 11, .mq_msgsize = 16 };
    CHECK_ERR("other-maxmsg", mq_open(qname2, O_RDWR | O_CREAT, 0600, &attr), EINVAL);
    attr.mq_maxmsg = 10; attr.mq_msgsize = 8193;
    CHECK_ERR("other-msgsize", mq_open(qname2, O_RDWR | O_CREAT, 0600, &attr), EINVAL);
    attr.mq_msgsize = 8192;
    mqd_t q = mq_open(qname2, O_RDWR | O_CREAT, 0600, &attr);
    CHECK("other-create", q >= 0);
    /* 10 * 8192 + 960 bytes are charged: a second such queue passes 100000. */
    CHECK_ERR("other-rlimit", mq_open("/lichen-mq-three", O_RDWR | O_CREAT, 0600, &attr), EMFILE);
    attr.mq_maxmsg = 1; attr.mq_msgsize = 128;
    mqd_t small = mq_open("/lichen-mq-three", O_RDWR | O_CREAT, 0600, &attr);
    CHECK("other-rlimit-small", small >= 0);
    mq_close(small);
    mq_unlink("/lichen-mq-three");
    mq_close(q);
    CHECK_OK("other-unlink-own", mq_unlink(qname2));
}

static void queues_max_child(void) {
    if (setgid(1000) || setuid(1000)) { fail("setuid", "setuid failed"); return; }
    CHECK_ERR("queues_max", mq_open(qname2, O_RDWR | O_CREAT, 0600, NULL), ENOSPC);
}

static void other_uid(void) {
    mqd_t q = mq_open(qname, O_RDWR | O_CREAT | O_EXCL, 0600, NULL);
    CHECK("other-setup", q >= 0);
    checks_in_child(as_other);
    CHECK_OK("queues_max-set", write_proc("/proc/sys/fs/mqueue/queues_max", "0"));
    checks_in_child(queues_max_child);
    mqd_t r = mq_open(qname2, O_RDWR | O_CREAT, 0600, NULL);
    CHECK("queues_max-root", r >= 0);             /* CAP_SYS_RESOURCE passes queues_max */
    mq_close(r);
    mq_unlink(qname2);
    write_proc("/proc/sys/fs/mqueue/queues_max", "256");
    mq_close(q);
    mq_unlink(qname);
}

int main(void) {
    begin("mqueue");
    snprintf(qname, sizeof qname, "/lichen-mq-%d", getpid());
    snprintf(qname2, sizeof qname2, "/lichen-mq2-%d", getpid());
    basics();
    notify();
    filesystem();
    proc_limits();
    other_uid();
    return done();
}
