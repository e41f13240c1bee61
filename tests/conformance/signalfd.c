/* signalfd4: creation and its errors, reading blocked signals as signalfd_siginfo records (kill,
 * sigqueue values, SIGCHLD details), several per read, non-blocking and blocking reads, poll and
 * epoll readiness, changing the mask, SIGKILL/SIGSTOP left out, a forked child reading its own. Every
 * blocking read has a signal on its way (a hang here is a failure the harness reports). */
#include "check.h"
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

static sigset_t set_of(int a, int b) {
    sigset_t s;
    sigemptyset(&s);
    if (a) sigaddset(&s, a);
    if (b) sigaddset(&s, b);
    return s;
}

static int pending_has(int sig) { sigset_t p; sigpending(&p); return sigismember(&p, sig); }

int main(void) {
    begin("signalfd");
    sigset_t both = set_of(SIGUSR1, SIGUSR2);
    sigprocmask(SIG_BLOCK, &both, NULL);
    sigset_t chld = set_of(SIGCHLD, 0);
    sigprocmask(SIG_BLOCK, &chld, NULL);

    CHECK_ERR("bad-size", syscall(SYS_signalfd4, -1, &both, 4, 0), EINVAL);
    CHECK_ERR("bad-flags", syscall(SYS_signalfd4, -1, &both, 8, 1), EINVAL);
    CHECK_ERR("bad-pointer", syscall(SYS_signalfd4, -1, BADPTR, 8, 0), EFAULT);
    CHECK_ERR("kernel-pointer", syscall(SYS_signalfd4, -1, KERNPTR, 8, 0), EFAULT);
    CHECK_ERR("bad-fd", syscall(SYS_signalfd4, 999, &both, 8, 0), EBADF);
    int p[2];
    pipe(p);
    CHECK_ERR("not-a-signalfd", syscall(SYS_signalfd4, p[0], &both, 8, 0), EINVAL);

    int fd = signalfd(-1, &both, SFD_NONBLOCK | SFD_CLOEXEC);
    CHECK("create", fd >= 0);
    CHECK("cloexec", (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0);
    CHECK("nonblock", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    struct signalfd_siginfo si[4];
    CHECK_ERR("empty-eagain", read(fd, si, sizeof si[0]), EAGAIN);
    struct pollfd pf = {fd, POLLIN, 0};
    CHECK_EQ("poll-empty", poll(&pf, 1, 0), 0);

    kill(getpid(), SIGUSR1);
    pf.revents = 0;
    CHECK_EQ("poll-ready", poll(&pf, 1, 0), 1);
    CHECK("poll-pollin", pf.revents == POLLIN);
    CHECK_ERR("short-buffer", read(fd, si, 64), EINVAL);
    CHECK_EQ("read-one", read(fd, si, sizeof si), (long)sizeof si[0]);
    CHECK_EQ("kill-signo", si[0].ssi_signo, SIGUSR1);
    CHECK_EQ("kill-code", si[0].ssi_code, SI_USER);
    CHECK_EQ("kill-pid", si[0].ssi_pid, getpid());
    CHECK_EQ("kill-uid", si[0].ssi_uid, getuid());
    CHECK("consumed", !pending_has(SIGUSR1));
    CHECK_ERR("empty-again", read(fd, si, sizeof si[0]), EAGAIN);

    union sigval v = {.sival_int = 42};
    sigqueue(getpid(), SIGUSR2, v);
    kill(getpid(), SIGUSR1);
    CHECK_EQ("read-two", read(fd, si, sizeof si), (long)(2 * sizeof si[0]));
    int q = si[0].ssi_signo == SIGUSR2 ? 0 : 1;
    CHECK_EQ("queue-signo", si[q].ssi_signo, SIGUSR2);
    CHECK_EQ("queue-code", si[q].ssi_code, SI_QUEUE);
    CHECK_EQ("queue-int", si[q].ssi_int, 42);
    CHECK_EQ("second-signo", si[1 - q].ssi_signo, SIGUSR1);

    /* A new mask for the same fd. */
    sigset_t two = set_of(SIGUSR2, 0);
    CHECK_EQ("update-returns-fd", signalfd(fd, &two, 0), fd);
    kill(getpid(), SIGUSR1);
    CHECK_ERR("update-excludes", read(fd, si, sizeof si[0]), EAGAIN);
    CHECK("update-left-pending", pending_has(SIGUSR1));
    kill(getpid(), SIGUSR2);
    CHECK_EQ("update-reads", read(fd, si, sizeof si[0]), (long)sizeof si[0]);
    CHECK_EQ("update-signo", si[0].ssi_signo, SIGUSR2);
    signalfd(fd, &both, 0);
    CHECK_EQ("drain-usr1", read(fd, si, sizeof si[0]), (long)sizeof si[0]);

    /* SIGKILL and SIGSTOP in the mask are left out silently. */
    sigset_t kill_set = set_of(SIGKILL, SIGSTOP);
    int kfd = signalfd(-1, &kill_set, SFD_NONBLOCK);
    CHECK("kill-mask-accepted", kfd >= 0);
    close(kfd);

    /* epoll readiness. */
    int ep = epoll_create1(0);
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 7}, out;
    CHECK_OK("epoll-add", epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev));
    CHECK_EQ("epoll-empty", epoll_wait(ep, &out, 1, 0), 0);
    kill(getpid(), SIGUSR2);
    CHECK_EQ("epoll-ready", epoll_wait(ep, &out, 1, 1000), 1);
    CHECK("epoll-data", out.data.u32 == 7 && (out.events & EPOLLIN));
    read(fd, si, sizeof si[0]);
    close(ep);

    /* A blocking read woken by a signal another process sends. */
    int bfd = signalfd(-1, &both, 0);
    pid_t parent = getpid(), sender = fork();
    if (sender == 0) { usleep(100000); kill(parent, SIGUSR1); _exit(0); }
    CHECK_EQ("blocking-read", read(bfd, si, sizeof si[0]), (long)sizeof si[0]);
    CHECK_EQ("blocking-signo", si[0].ssi_signo, SIGUSR1);
    CHECK_EQ("blocking-sender", si[0].ssi_pid, sender);
    close(bfd);

    /* SIGCHLD with the child's details (the sender above exited too: read until ours). */
    int cfd = signalfd(-1, &chld, SFD_NONBLOCK);
    waitpid(sender, NULL, 0);
    struct signalfd_siginfo c;
    while (read(cfd, &c, sizeof c) == sizeof c) {}
    pid_t child = fork();
    if (child == 0) _exit(3);
    waitpid(child, NULL, 0);                       /* reaping leaves the SIGCHLD pending */
    CHECK_EQ("chld-read", read(cfd, &c, sizeof c), (long)sizeof c);
    CHECK_EQ("chld-signo", c.ssi_signo, SIGCHLD);
    CHECK_EQ("chld-code", c.ssi_code, CLD_EXITED);
    CHECK_EQ("chld-pid", c.ssi_pid, child);
    CHECK_EQ("chld-status", c.ssi_status, 3);
    close(cfd);

    /* A forked child reads its own signals through the inherited fd. */
    pid_t reader = fork();
    if (reader == 0) {
        raise(SIGUSR2);
        struct signalfd_siginfo s;
        ssize_t n = read(fd, &s, sizeof s);
        _exit(n == sizeof s && s.ssi_signo == SIGUSR2 && (pid_t)s.ssi_pid == getpid() ? 0 : 1);
    }
    int status = 0;
    waitpid(reader, &status, 0);
    CHECK("child-reads-own", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_ERR("parent-unaffected", read(fd, si, sizeof si[0]), EAGAIN);
    close(fd);
    return done();
}
