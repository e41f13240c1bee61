/* fcntl record locks (F_GETLK/F_SETLK/F_SETLKW, OFD locks) seen from other processes: conflicts,
 * split/merge, ranges, release on close and exit, blocking and EINTR, EDEADLK; pipe sizes
 * (F_GETPIPE_SZ/F_SETPIPE_SZ), FIONBIO, F_SETOWN(_EX), F_SETSIG, F_GETLEASE. */
#include "check.h"
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

/* A forked child's checks count in the parent's totals: it sends them back through a pipe. */
static int results[2];

static pid_t spawn(void) {
    pipe(results);
    pid_t pid = fork();
    if (pid == 0) { close(results[0]); passed = failed = 0; }
    else close(results[1]);
    return pid;
}

static void child_done(void) {
    int counts[2] = {passed, failed};
    write(results[1], counts, sizeof counts);
    _exit(0);
}

static void reap(pid_t pid, const char *name) {
    int counts[2] = {0, 0}, st = 0;
    if (read(results[0], counts, sizeof counts) != sizeof counts) fail(name, "the child died before reporting");
    passed += counts[0];
    failed += counts[1];
    close(results[0]);
    waitpid(pid, &st, 0);
}

static int lock(int fd, int cmd, short type, short whence, off_t start, off_t len) {
    struct flock l = {.l_type = type, .l_whence = whence, .l_start = start, .l_len = len};
    return fcntl(fd, cmd, &l);
}

/* F_GETLK (or F_OFD_GETLK) for a write (or read) lock over [start, start + len). */
static struct flock probe(int fd, int cmd, short type, off_t start, off_t len) {
    struct flock l = {.l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len};
    if (fcntl(fd, cmd, &l) != 0) l.l_type = -1;
    return l;
}

static volatile int alarms;
static void on_alarm(int sig) { (void)sig; alarms++; }

/* A watchdog for blocking calls: SIGALRM without SA_RESTART ends them with EINTR. */
static void arm_alarm(unsigned seconds) {
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);
    alarm(seconds);
}

static char token(int fd) { char c = 0; return read(fd, &c, 1) == 1 ? c : 0; }

static void conflicts_with_a_child(int fd) {
    CHECK_OK("setlk-write", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    CHECK_OK("setlk-read-elsewhere", lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
    pid_t parent = getpid();
    pid_t c = spawn();
    if (c == 0) {
        errno = 0;
        int r = lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, 1);
        CHECK("child-setlk-conflict", r == -1 && (errno == EAGAIN || errno == EACCES));
        CHECK_ERR("child-setlk-read-vs-write", lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 9, 5), EAGAIN);
        CHECK_OK("child-setlk-read-shares", lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 25, 1));
        CHECK_OK("child-setlk-free-range", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 10));
        struct flock l = probe(fd, F_GETLK, F_RDLCK, 0, 100);
        CHECK_EQ("child-getlk-type", l.l_type, F_WRLCK);
        CHECK_EQ("child-getlk-pid", l.l_pid, parent);
        CHECK("child-getlk-range", l.l_start == 0 && l.l_len == 10 && l.l_whence == SEEK_SET);
        l = probe(fd, F_GETLK, F_WRLCK, 20, 10);
        CHECK("child-getlk-read-lock", l.l_type == F_RDLCK && l.l_pid == parent && l.l_start == 20 && l.l_len == 10);
        l = probe(fd, F_GETLK, F_RDLCK, 20, 10);
        CHECK_EQ("child-getlk-no-conflict", l.l_type, F_UNLCK);
        child_done();
    }
    reap(c, "child-conflicts");
    /* The child's locks went with it. */
    CHECK_OK("exit-releases-locks", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 10));
    CHECK_OK("unlock-all", lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0));
}

static void split_and_merge(int fd) {
    lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 100);
    CHECK_OK("unlock-middle", lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 40, 20));
    pid_t c = spawn();
    if (c == 0) {
        CHECK_EQ("split-hole-free", probe(fd, F_GETLK, F_WRLCK, 40, 20).l_type, F_UNLCK);
        struct flock l = probe(fd, F_GETLK, F_WRLCK, 30, 20);
        CHECK("split-left-piece", l.l_type == F_WRLCK && l.l_start == 0 && l.l_len == 40);
        l = probe(fd, F_GETLK, F_WRLCK, 50, 20);
        CHECK("split-right-piece", l.l_type == F_WRLCK && l.l_start == 60 && l.l_len == 40);
        child_done();
    }
    reap(c, "child-split");
    CHECK_OK("relock-middle-read", lock(fd, F_SETLK, F_RDLCK, SEEK_SET, 40, 20));
    c = spawn();
    if (c == 0) {
        struct flock l = probe(fd, F_GETLK, F_WRLCK, 45, 1);
        CHECK("mixed-read-piece", l.l_type == F_RDLCK && l.l_start == 40 && l.l_len == 20);
        CHECK_EQ("mixed-read-shares", probe(fd, F_GETLK, F_RDLCK, 40, 20).l_type, F_UNLCK);
        child_done();
    }
    reap(c, "child-mixed");
    CHECK_OK("relock-middle-write", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 40, 20));
    c = spawn();
    if (c == 0) {
        struct flock l = probe(fd, F_GETLK, F_RDLCK, 99, 1);
        CHECK("merged-one-lock", l.l_type == F_WRLCK && l.l_start == 0 && l.l_len == 100);
        child_done();
    }
    reap(c, "child-merged");
    lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
}

static void ranges(int fd) {
    /* The file is 100 bytes long; the position is 30. */
    lseek(fd, 30, SEEK_SET);
    CHECK_OK("setlk-to-eof", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 200, 0));
    CHECK_OK("setlk-seek-end", lock(fd, F_SETLK, F_WRLCK, SEEK_END, -10, 10));
    CHECK_OK("setlk-seek-cur-negative-len", lock(fd, F_SETLK, F_RDLCK, SEEK_CUR, 0, -10));
    pid_t c = spawn();
    if (c == 0) {
        struct flock l = probe(fd, F_GETLK, F_RDLCK, 1000000, 1);
        CHECK("eof-lock-reaches-far", l.l_type == F_WRLCK && l.l_start == 200 && l.l_len == 0);
        l = probe(fd, F_GETLK, F_RDLCK, 50, 100);
        CHECK("seek-end-lock", l.l_type == F_WRLCK && l.l_start == 90 && l.l_len == 10);
        l = probe(fd, F_GETLK, F_WRLCK, 0, 50);
        CHECK("negative-len-lock", l.l_type == F_RDLCK && l.l_start == 20 && l.l_len == 10);
        child_done();
    }
    reap(c, "child-ranges");
    lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    CHECK_ERR("setlk-bad-whence", lock(fd, F_SETLK, F_WRLCK, 7, 0, 0), EINVAL);
    CHECK_ERR("setlk-negative-start", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, -1, 0), EINVAL);
    CHECK_ERR("setlk-len-before-zero", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, -6), EINVAL);
    CHECK_ERR("setlk-end-overflow", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, INT64_MAX, 2), EOVERFLOW);
    CHECK_ERR("setlk-start-overflow", lock(fd, F_SETLK, F_WRLCK, SEEK_END, INT64_MAX, 1), EOVERFLOW);
    CHECK_ERR("setlk-bad-type", lock(fd, F_SETLK, 9, SEEK_SET, 0, 0), EINVAL);
    CHECK_ERR("getlk-unlck-type", lock(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 0), EINVAL);
    CHECK_OK("setlk-last-byte", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, INT64_MAX, 1));
    lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
}

static void access_modes(void) {
    int r = open("f", O_RDONLY), w = open("f", O_WRONLY);
    CHECK_ERR("setlk-write-on-rdonly", lock(r, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), EBADF);
    CHECK_ERR("setlk-read-on-wronly", lock(w, F_SETLK, F_RDLCK, SEEK_SET, 0, 1), EBADF);
    CHECK_OK("setlk-read-on-rdonly", lock(r, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
    CHECK_OK("getlk-write-on-rdonly", lock(r, F_GETLK, F_WRLCK, SEEK_SET, 0, 1));
    close(r);
    close(w);
}

static void release_on_any_close(int fd) {
    lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
    int other = open("f", O_RDONLY);
    pid_t c = spawn();
    if (c == 0) {
        CHECK_EQ("held-before-close", probe(fd, F_GETLK, F_WRLCK, 0, 1).l_type, F_WRLCK);
        child_done();
    }
    reap(c, "child-before-close");
    close(other);                                     /* POSIX: any descriptor of the file */
    c = spawn();
    if (c == 0) {
        CHECK_EQ("close-other-fd-releases", probe(fd, F_GETLK, F_WRLCK, 0, 1).l_type, F_UNLCK);
        child_done();
    }
    reap(c, "child-after-close");
}

static void setlkw_waits_for_release(int fd) {
    int ready[2], released[2];
    pipe(ready);
    pipe(released);
    lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
    pid_t c = spawn();
    if (c == 0) {
        write(ready[1], "w", 1);
        arm_alarm(10);
        CHECK_OK("setlkw-granted", lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 5, 1));
        alarm(0);
        fcntl(released[0], F_SETFL, O_NONBLOCK);
        CHECK_EQ("setlkw-waited-for-unlock", token(released[0]), 'r');
        child_done();
    }
    token(ready[0]);
    usleep(100000);                                   /* let the child block */
    write(released[1], "r", 1);
    lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    reap(c, "child-setlkw");
    close(ready[0]); close(ready[1]); close(released[0]); close(released[1]);
}

static void setlkw_interrupted(int fd) {
    int ready[2], finish[2];
    pipe(ready);
    pipe(finish);
    pid_t c = spawn();
    if (c == 0) {
        lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
        write(ready[1], "l", 1);
        token(finish[0]);
        child_done();
    }
    token(ready[0]);
    arm_alarm(1);
    CHECK_ERR("setlkw-eintr", lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1), EINTR);
    alarm(0);
    CHECK_ERR("setlk-still-held", lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1), EAGAIN);
    write(finish[1], "f", 1);
    reap(c, "child-eintr");
    close(ready[0]); close(ready[1]); close(finish[0]); close(finish[1]);
}

/* With SA_RESTART the handler runs and F_SETLKW goes on waiting (Linux's ERESTARTSYS). */
static void setlkw_restarted(int fd) {
    int ready[2];
    pipe(ready);
    pid_t c = spawn();
    if (c == 0) {
        lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
        write(ready[1], "l", 1);
        usleep(1500000);                              /* past the parent's alarm */
        child_done();
    }
    token(ready[0]);
    struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
    sigaction(SIGALRM, &sa, NULL);
    alarms = 0;
    alarm(1);
    CHECK_OK("setlkw-sa-restart", lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
    CHECK_EQ("setlkw-sa-restart-handler-ran", alarms, 1);
    alarm(0);
    lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    reap(c, "child-restart");
    close(ready[0]); close(ready[1]);
}

/* Parent holds byte 0, child byte 1, each then waits for the other's: one of them gets EDEADLK,
 * gives up its lock, and the other is granted. */
static void deadlock(int fd) {
    int ready[2], verdict[2];
    pipe(ready);
    pipe(verdict);
    lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
    pid_t c = spawn();
    if (c == 0) {
        lock(fd, F_SETLK, F_WRLCK, SEEK_SET, 1, 1);
        write(ready[1], "b", 1);
        arm_alarm(10);
        int r = lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1);
        int e = errno;
        alarm(0);
        char v = r == 0 ? 'g' : e == EDEADLK ? 'd' : 'x';
        write(verdict[1], &v, 1);
        child_done();                                 /* exit: byte 1 is free for the parent */
    }
    token(ready[0]);
    usleep(100000);                                   /* the child is most likely waiting now */
    arm_alarm(10);
    int r = lock(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1);
    int e = errno;
    alarm(0);
    if (r == -1 && e == EDEADLK) lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    char child = token(verdict[0]);
    int deadlocks = (r == -1 && e == EDEADLK) + (child == 'd');
    int grants = (r == 0) + (child == 'g');
    CHECK_EQ("edeadlk-one-side", deadlocks, 1);
    CHECK_EQ("edeadlk-other-granted", grants, 1);
    reap(c, "child-deadlock");
    lock(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
    close(ready[0]); close(ready[1]); close(verdict[0]); close(verdict[1]);
}

static void ofd_locks(void) {
    int a = open("f", O_RDWR), b = open("f", O_RDWR);
    CHECK_OK("ofd-setlk", lock(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 10));
    CHECK_ERR("ofd-conflict-same-process", lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1), EAGAIN);
    CHECK_ERR("ofd-vs-posix-same-process", lock(b, F_SETLK, F_RDLCK, SEEK_SET, 5, 1), EAGAIN);
    struct flock l = probe(b, F_OFD_GETLK, F_RDLCK, 0, 100);
    CHECK("ofd-getlk", l.l_type == F_WRLCK && l.l_pid == -1 && l.l_start == 0 && l.l_len == 10);
    CHECK_EQ("ofd-getlk-own-lock", probe(a, F_OFD_GETLK, F_WRLCK, 0, 10).l_type, F_UNLCK);
    struct flock bad = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_pid = 1};
    CHECK_ERR("ofd-setlk-pid-einval", fcntl(b, F_OFD_SETLK, &bad), EINVAL);
    int d = dup(a);
    close(d);                                          /* not the last close of the description */
    CHECK_ERR("ofd-survives-dup-close", lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 5, 1), EAGAIN);
    pid_t c = spawn();
    if (c == 0) {                                      /* the description is shared by fork */
        CHECK_OK("ofd-shared-by-fork", lock(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 20));
        child_done();
    }
    reap(c, "child-ofd");
    CHECK_ERR("ofd-child-extended", lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 15, 1), EAGAIN);
    int ready[2];
    pipe(ready);
    c = spawn();
    if (c == 0) {                                      /* the child waits on a description of its own */
        close(a);                                      /* the parent's close of `a` is then the last */
        int own = open("f", O_RDWR);
        write(ready[1], "w", 1);
        arm_alarm(10);
        CHECK_OK("ofd-setlkw-granted-on-last-close", lock(own, F_OFD_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
        alarm(0);
        child_done();
    }
    token(ready[0]);
    usleep(100000);
    CHECK_ERR("ofd-still-held", lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1), EAGAIN);
    close(a);
    reap(c, "child-ofd-wait");
    close(ready[0]); close(ready[1]);
    CHECK_OK("ofd-last-close-releases", lock(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 20));
    close(b);
}

static void pipe_sizes(void) {
    int p[2];
    pipe(p);
    CHECK_EQ("getpipe-sz-default", fcntl(p[0], F_GETPIPE_SZ), 65536);
    CHECK_EQ("setpipe-sz-rounds-up", fcntl(p[1], F_SETPIPE_SZ, 5000), 8192);
    CHECK_EQ("getpipe-sz-other-end", fcntl(p[0], F_GETPIPE_SZ), 8192);
    CHECK_EQ("setpipe-sz-min-page", fcntl(p[0], F_SETPIPE_SZ, 0), 4096);
    static char buf[1 << 17];
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    CHECK_EQ("pipe-capacity-changed", write(p[1], buf, 8192), 4096);
    read(p[0], buf, sizeof buf);
    CHECK_EQ("setpipe-sz-grow", fcntl(p[0], F_SETPIPE_SZ, 16384), 16384);
    CHECK_EQ("pipe-partial-write", write(p[1], buf, 12288), 12288);
    CHECK_ERR("setpipe-sz-ebusy", fcntl(p[0], F_SETPIPE_SZ, 4096), EBUSY);
    CHECK_ERR("setpipe-sz-too-big", fcntl(p[0], F_SETPIPE_SZ, 0x80000001u), EINVAL);
    CHECK_EQ("setpipe-sz-max", fcntl(p[0], F_SETPIPE_SZ, 1 << 20), 1 << 20);
    CHECK_EQ("setpipe-sz-root-above-max", fcntl(p[0], F_SETPIPE_SZ, (1 << 20) + 1), 1 << 21);
    CHECK_EQ("pipe-data-kept", read(p[0], buf, sizeof buf), 12288);
    pid_t c = spawn();
    if (c == 0) {
        int q[2];
        pipe(q);
        setuid(65534);
        CHECK_ERR("setpipe-sz-eperm", fcntl(q[0], F_SETPIPE_SZ, (1 << 20) + 1), EPERM);
        CHECK_EQ("setpipe-sz-user-max", fcntl(q[0], F_SETPIPE_SZ, 1 << 20), 1 << 20);
        child_done();
    }
    reap(c, "child-pipe-eperm");
    int f = open("f", O_RDWR);
    CHECK_ERR("getpipe-sz-file", fcntl(f, F_GETPIPE_SZ), EBADF);
    CHECK_ERR("setpipe-sz-file", fcntl(f, F_SETPIPE_SZ, 4096), EBADF);
    close(f);
    close(p[0]);
    close(p[1]);
}

static void fionbio(void) {
    int p[2], on = 1, off = 0;
    pipe(p);
    CHECK_OK("fionbio-pipe", ioctl(p[0], FIONBIO, &on));
    CHECK("fionbio-sets-nonblock", fcntl(p[0], F_GETFL) & O_NONBLOCK);
    char c;
    CHECK_ERR("fionbio-read-eagain", read(p[0], &c, 1), EAGAIN);
    CHECK_OK("fionbio-off", ioctl(p[0], FIONBIO, &off));
    CHECK("fionbio-clears-nonblock", !(fcntl(p[0], F_GETFL) & O_NONBLOCK));
    int f = open("f", O_RDONLY);
    CHECK_OK("fionbio-file", ioctl(f, FIONBIO, &on));
    CHECK("fionbio-file-nonblock", fcntl(f, F_GETFL) & O_NONBLOCK);
    CHECK_ERR("fionbio-efault", syscall(SYS_ioctl, f, FIONBIO, BADPTR), EFAULT);
    close(f);
    close(p[0]);
    close(p[1]);
}

static void owners_and_signals(void) {
    int f = open("f", O_RDONLY);
    struct f_owner_ex o = {.type = 99, .pid = 99};
    CHECK_OK("getown-ex-default", fcntl(f, F_GETOWN_EX, &o));
    CHECK("getown-ex-default-value", o.type == F_OWNER_TID && o.pid == 0);
    o = (struct f_owner_ex){.type = F_OWNER_PID, .pid = getpid()};
    CHECK_OK("setown-ex-pid", fcntl(f, F_SETOWN_EX, &o));
    o = (struct f_owner_ex){0};
    fcntl(f, F_GETOWN_EX, &o);
    CHECK("getown-ex-pid", o.type == F_OWNER_PID && o.pid == getpid());
    CHECK_EQ("getown-after-setown-ex", fcntl(f, F_GETOWN), getpid());
    o = (struct f_owner_ex){.type = F_OWNER_TID, .pid = gettid()};
    CHECK_OK("setown-ex-tid", fcntl(f, F_SETOWN_EX, &o));
    fcntl(f, F_GETOWN_EX, &o);
    CHECK("getown-ex-tid", o.type == F_OWNER_TID && o.pid == gettid());
    o = (struct f_owner_ex){.type = 7, .pid = getpid()};
    CHECK_ERR("setown-ex-bad-type", fcntl(f, F_SETOWN_EX, &o), EINVAL);
    o = (struct f_owner_ex){.type = F_OWNER_PID, .pid = 999999};
    CHECK_ERR("setown-ex-esrch", fcntl(f, F_SETOWN_EX, &o), ESRCH);
    CHECK_ERR("setown-ex-efault", fcntl(f, F_SETOWN_EX, BADPTR), EFAULT);
    pid_t c = spawn();
    if (c == 0) {                                     /* in a group of its own (the runner's may be 0) */
        setpgid(0, 0);
        CHECK_OK("setown-pgrp", fcntl(f, F_SETOWN, -getpgrp()));
        CHECK_EQ("getown-pgrp", fcntl(f, F_GETOWN), -getpgrp());
        fcntl(f, F_GETOWN_EX, &o);
        CHECK("getown-ex-pgrp", o.type == F_OWNER_PGRP && o.pid == getpgrp());
        child_done();
    }
    reap(c, "child-pgrp");
    CHECK_EQ("getsig-default", fcntl(f, F_GETSIG), 0);
    CHECK_OK("setsig", fcntl(f, F_SETSIG, SIGUSR1));
    CHECK_EQ("getsig", fcntl(f, F_GETSIG), SIGUSR1);
    CHECK_ERR("setsig-invalid", fcntl(f, F_SETSIG, 65), EINVAL);
    CHECK_EQ("getlease-none", fcntl(f, F_GETLEASE), F_UNLCK);
    close(f);
}

static volatile int sigios;
static void on_sigio(int sig) { (void)sig; sigios++; }

/* Leases: taking them, and an open by another process breaking one (SIGIO to the holder, the opener
 * waits until the holder gives the lease up). */
static void leases(void) {
    struct sigaction sa = {.sa_handler = on_sigio, .sa_flags = SA_RESTART};
    sigaction(SIGIO, &sa, NULL);                      /* the default action ends the process */
    close(open("lease", O_CREAT | O_RDWR | O_TRUNC, 0644));
    int r = open("lease", O_RDONLY);
    CHECK_ERR("setlease-bad-type", fcntl(r, F_SETLEASE, 7), EINVAL);
    CHECK_ERR("setlease-unlck-without-lease", fcntl(r, F_SETLEASE, F_UNLCK), EAGAIN);
    CHECK_OK("setlease-read", fcntl(r, F_SETLEASE, F_RDLCK));
    CHECK_EQ("getlease-read", fcntl(r, F_GETLEASE), F_RDLCK);
    int r2 = open("lease", O_RDONLY);
    CHECK("open-reader-keeps-read-lease", r2 >= 0 && fcntl(r, F_GETLEASE) == F_RDLCK);
    CHECK_ERR("setlease-write-while-shared", fcntl(r, F_SETLEASE, F_WRLCK), EAGAIN);
    close(r2);
    CHECK_OK("setlease-upgrade", fcntl(r, F_SETLEASE, F_WRLCK));
    CHECK_EQ("getlease-write", fcntl(r, F_GETLEASE), F_WRLCK);
    CHECK_ERR("own-open-breaks-too", open("lease", O_RDWR | O_NONBLOCK), EWOULDBLOCK);
    fcntl(r, F_SETLEASE, F_UNLCK);
    int w = open("lease", O_RDWR);
    CHECK_ERR("setlease-read-on-writer", fcntl(w, F_SETLEASE, F_RDLCK), EAGAIN);
    close(w);
    CHECK_OK("setlease-write-again", fcntl(r, F_SETLEASE, F_WRLCK));

    sigios = 0;
    int up[2], down[2];
    pipe(up);
    pipe(down);
    pid_t c = spawn();
    if (c == 0) {
        CHECK_ERR("open-nonblock-breaks-lease", open("lease", O_RDONLY | O_NONBLOCK), EWOULDBLOCK);
        write(up[1], "n", 1);
        token(down[0]);
        arm_alarm(10);
        int fd = open("lease", O_WRONLY);             /* waits for the holder */
        alarm(0);
        CHECK("open-after-lease-given-up", fd >= 0);
        write(up[1], "o", 1);
        child_done();
    }
    token(up[0]);
    for (int i = 0; i < 200 && !sigios; i++) usleep(10000);
    CHECK("lease-break-sends-sigio", sigios >= 1);
    CHECK_EQ("getlease-downgrade-pending", fcntl(r, F_GETLEASE), F_RDLCK);
    write(down[1], "g", 1);
    for (int i = 0; i < 200 && fcntl(r, F_GETLEASE) != F_UNLCK; i++) usleep(10000);
    CHECK_EQ("getlease-unlock-pending", fcntl(r, F_GETLEASE), F_UNLCK);
    fcntl(up[0], F_SETFL, O_NONBLOCK);
    CHECK_EQ("opener-still-waiting", token(up[0]), 0);
    CHECK_OK("setlease-give-up", fcntl(r, F_SETLEASE, F_UNLCK));
    fcntl(up[0], F_SETFL, 0);
    CHECK_EQ("opener-proceeds", token(up[0]), 'o');
    reap(c, "child-lease-break");
    close(up[0]); close(up[1]); close(down[0]); close(down[1]);

    CHECK_OK("setlease-before-close", fcntl(r, F_SETLEASE, F_WRLCK));
    close(r);                                         /* the last close drops the lease */
    w = open("lease", O_WRONLY | O_NONBLOCK);
    CHECK("close-releases-lease", w >= 0);
    close(w);
    int p[2];
    pipe(p);
    CHECK_ERR("setlease-pipe", fcntl(p[0], F_SETLEASE, F_RDLCK), EINVAL);
    close(p[0]); close(p[1]);
    c = spawn();
    if (c == 0) {
        setuid(65534);
        int mine = open("lease", O_RDONLY);
        CHECK_ERR("setlease-not-owner", fcntl(mine, F_SETLEASE, F_RDLCK), EACCES);
        child_done();
    }
    reap(c, "child-lease-owner");
    unlink("lease");
}

int main(void) {
    begin("locks");
    mkdir("/tmp/conf-locks", 0755);
    CHECK_OK("chdir-workdir", chdir("/tmp/conf-locks"));
    int fd = open("f", O_CREAT | O_RDWR | O_TRUNC, 0644);
    char data[100] = {0};
    write(fd, data, sizeof data);
    conflicts_with_a_child(fd);
    split_and_merge(fd);
    ranges(fd);
    access_modes();
    release_on_any_close(fd);
    setlkw_waits_for_release(fd);
    setlkw_interrupted(fd);
    setlkw_restarted(fd);
    deadlock(fd);
    ofd_locks();
    pipe_sizes();
    fionbio();
    owners_and_signals();
    leases();
    close(fd);
    unlink("f");
    return done();
}
