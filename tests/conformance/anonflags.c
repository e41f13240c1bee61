/* Deviations found by the correctness sweep: F_GETFL of the anonymous-inode files created with
 * their close-on-exec flag (O_CLOEXEC is a descriptor flag: Linux does not show it), reads of
 * fixed-record files into an unwritable buffer (EFAULT, the record consumed, not EINVAL), O_TRUNC
 * by an unprivileged writer clearing set-id bits, and execute-only (0111) programs running. */
#include "check.h"
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/wait.h>

static void getfl_checks(void) {
    sigset_t none;
    sigemptyset(&none);
    CHECK_EQ("getfl-eventfd", fcntl(eventfd(0, EFD_CLOEXEC), F_GETFL), O_RDWR);
    CHECK_EQ("getfl-epoll", fcntl(epoll_create1(EPOLL_CLOEXEC), F_GETFL), O_RDWR);
    CHECK_EQ("getfl-timerfd", fcntl(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC), F_GETFL), O_RDWR);
    CHECK_EQ("getfl-signalfd", fcntl(signalfd(-1, &none, SFD_CLOEXEC), F_GETFL), O_RDWR);
    CHECK_EQ("getfl-pidfd", fcntl(syscall(SYS_pidfd_open, getpid(), 0), F_GETFL), O_RDWR);
    CHECK_EQ("getfl-inotify", fcntl(inotify_init1(IN_CLOEXEC), F_GETFL), O_RDONLY);
    CHECK_EQ("getfl-eventfd-nonblock", fcntl(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), F_GETFL), O_RDWR | O_NONBLOCK);
    CHECK_EQ("getfd-eventfd", fcntl(eventfd(0, EFD_CLOEXEC), F_GETFD), FD_CLOEXEC);
}

static void bad_buffer_reads(void) {
    uint64_t one = 1, v;
    int efd = eventfd(0, EFD_NONBLOCK);
    write(efd, &one, 8);
    CHECK_ERR("eventfd-efault", read(efd, BADPTR, 8), EFAULT);
    CHECK_ERR("eventfd-consumed", read(efd, &v, 8), EAGAIN);
    CHECK_ERR("eventfd-short", read(efd, &v, 4), EINVAL);

    int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
    struct itimerspec its = {.it_value = {.tv_nsec = 1000}};
    timerfd_settime(tfd, 0, &its, NULL);
    usleep(10000);
    CHECK_ERR("timerfd-efault", read(tfd, BADPTR, 8), EFAULT);
    CHECK_ERR("timerfd-consumed", read(tfd, &v, 8), EAGAIN);

    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    int sfd = signalfd(-1, &usr1, SFD_NONBLOCK);
    raise(SIGUSR1);
    CHECK_ERR("signalfd-efault", read(sfd, BADPTR, sizeof(struct signalfd_siginfo)), EFAULT);
    struct signalfd_siginfo si;
    CHECK_ERR("signalfd-consumed", read(sfd, &si, sizeof si), EAGAIN);
    CHECK_ERR("signalfd-short", read(sfd, BADPTR, 10), EINVAL);

    int in = inotify_init1(IN_NONBLOCK);
    mkdir("/tmp/anonflags", 0755);
    inotify_add_watch(in, "/tmp/anonflags", IN_CREATE);
    close(open("/tmp/anonflags/x", O_CREAT | O_WRONLY, 0600));
    CHECK_ERR("inotify-efault", read(in, BADPTR, 4096), EFAULT);
    char buf[4096];
    CHECK_ERR("inotify-consumed", read(in, buf, sizeof buf), EAGAIN);
    CHECK_ERR("pidfd-read", read(syscall(SYS_pidfd_open, getpid(), 0), BADPTR, 8), EINVAL);
    CHECK_ERR("epoll-read", read(epoll_create1(0), BADPTR, 8), EINVAL);
}

static int mode_of(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void as_user(void) {
    setgid(1000);
    setuid(1000);
}

static void truncate_owner(void) {
    as_user();
    int fd = open("/tmp/anonflags/own", O_WRONLY | O_TRUNC);
    CHECK("trunc-owner-open", fd >= 0);
    CHECK_EQ("trunc-owner-clears", mode_of("/tmp/anonflags/own"), 0777);
}

static void truncate_other(void) {
    as_user();
    CHECK_OK("trunc-other-open", open("/tmp/anonflags/root", O_WRONLY | O_TRUNC));
    CHECK_EQ("trunc-other-clears", mode_of("/tmp/anonflags/root"), 0777);
}

static void truncate_sgid_no_group_exec(void) {
    as_user();
    CHECK_OK("trunc-sgid-open", open("/tmp/anonflags/sgid", O_WRONLY | O_TRUNC));
    CHECK_EQ("trunc-sgid-no-grpx-cleared", mode_of("/tmp/anonflags/sgid"), 0766);   /* Linux 6.1 clears it too */
}

static void setid_checks(void) {
    int fd = open("/tmp/anonflags/own", O_CREAT | O_WRONLY, 0755);
    write(fd, "abc", 3);
    close(fd);
    chown("/tmp/anonflags/own", 1000, 1000);
    chmod("/tmp/anonflags/own", 06777);
    checks_in_child(truncate_owner);
    close(open("/tmp/anonflags/root", O_CREAT | O_WRONLY, 0755));
    chmod("/tmp/anonflags/root", 06777);
    checks_in_child(truncate_other);
    chmod("/tmp/anonflags/root", 06777);
    close(open("/tmp/anonflags/root", O_WRONLY | O_TRUNC));
    CHECK_EQ("trunc-root-keeps", mode_of("/tmp/anonflags/root"), 06777);
    close(open("/tmp/anonflags/sgid", O_CREAT | O_WRONLY, 0755));
    chmod("/tmp/anonflags/sgid", 02766);
    checks_in_child(truncate_sgid_no_group_exec);
}

static void run_execute_only(void) {
    as_user();
    pid_t c = fork();
    if (c == 0) {
        char *argv[] = {"anonflags-exec", "exec-only", NULL};
        execv("/tmp/anonflags/exec", argv);
        _exit(100 + errno);
    }
    int st = -1;
    waitpid(c, &st, 0);
    CHECK("exec-only-runs", WIFEXITED(st) && WEXITSTATUS(st) == 42);
    CHECK_ERR("exec-only-not-readable", open("/tmp/anonflags/exec", O_RDONLY), EACCES);
}

static void exec_checks(void) {
    int src = open("/proc/self/exe", O_RDONLY), dst = open("/tmp/anonflags/exec", O_CREAT | O_WRONLY | O_TRUNC, 0755);
    static char b[65536];
    long n;
    while ((n = read(src, b, sizeof b)) > 0) write(dst, b, n);
    close(dst);
    close(src);
    chmod("/tmp/anonflags/exec", 0111);
    checks_in_child(run_execute_only);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "exec-only") == 0) return 42;
    begin("anonflags");
    getfl_checks();
    bad_buffer_reads();
    setid_checks();
    exec_checks();
    return done();
}
