/* fork, vfork, wait4, waitid, execve (argv/envp, O_CLOEXEC, errors), exit status encoding, getppid,
 * resource limits (getrlimit, setrlimit, prlimit64: RLIMIT_NOFILE and RLIMIT_NPROC enforced). */
#include "check.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

extern char **environ;

static volatile sig_atomic_t vfork_signals;
static void vfork_signal_handler(int sig) { (void)sig; vfork_signals++; }

int main(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "--exec-child")) {
        /* argv[2]: fd that must be closed (CLOEXEC), argv[3]: fd that must be open; env CONF=1 */
        int bad = fcntl(atoi(argv[2]), F_GETFD) != -1 || errno != EBADF;
        bad |= fcntl(atoi(argv[3]), F_GETFD) == -1;
        bad |= getenv("CONF") == NULL || strcmp(getenv("CONF"), "yes") != 0;
        bad |= argc != 5 || strcmp(argv[4], "last arg") != 0;
        _exit(bad ? 99 : 42);
    }
    begin("proc");
    int st = 0;
    pid_t me = getpid();
    pid_t p = fork();
    if (p == 0) _exit(getppid() == me ? 7 : 1);
    CHECK("fork-returns-pid", p > 0);
    CHECK_EQ("wait4-pid", wait4(p, &st, 0, NULL), p);
    CHECK("wait4-exited", WIFEXITED(st));
    CHECK_EQ("wait4-status-and-getppid", WEXITSTATUS(st), 7);
    CHECK_ERR("wait4-echild", wait4(-1, &st, 0, NULL), ECHILD);
    CHECK_ERR("wait4-echild-pid", wait4(p, &st, 0, NULL), ECHILD);
    p = fork();
    if (p == 0) { usleep(50000); _exit(3); }
    CHECK_EQ("wait4-wnohang-running", wait4(p, &st, WNOHANG, NULL), 0);
    CHECK_EQ("wait4-any", wait4(-1, &st, 0, NULL), p);
    CHECK_EQ("wait4-any-status", WEXITSTATUS(st), 3);
    p = fork();
    if (p == 0) _exit(255);
    struct rusage ru;
    CHECK_EQ("wait4-rusage", wait4(p, &st, 0, &ru), p);
    CHECK_EQ("exit-255", WEXITSTATUS(st), 255);
    p = fork();
    if (p == 0) _exit(256 + 5);
    waitpid(p, &st, 0);
    CHECK_EQ("exit-status-masked", WEXITSTATUS(st), 5);
    p = fork();
    if (p == 0) { volatile int *volatile bp = BADPTR; *bp = 1; _exit(0); }
    waitpid(p, &st, 0);
    CHECK("segv-kills-child", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
    p = fork();
    if (p == 0) _exit(0);
    CHECK_ERR("wait4-efault-status", syscall(SYS_wait4, p, BADPTR, 0, NULL), EFAULT);
    waitpid(p, &st, 0);
    CHECK_ERR("wait4-bad-options", syscall(SYS_wait4, -1, &st, 0x12345678, NULL), EINVAL);
    /* several children */
    for (int i = 0; i < 5; i++) if (fork() == 0) _exit(10 + i);
    int sum = 0, n = 0;
    while (wait(&st) > 0) { sum += WEXITSTATUS(st); n++; }
    CHECK_EQ("wait-five-children", n, 5);
    CHECK_EQ("wait-five-statuses", sum, 10 + 11 + 12 + 13 + 14);
    /* fork keeps fds and memory */
    volatile int shared = 1;
    p = fork();
    if (p == 0) { shared = 2; _exit(shared); }
    waitpid(p, &st, 0);
    CHECK("fork-memory-private", shared == 1 && WEXITSTATUS(st) == 2);
    /* vfork shares memory until exec/exit */
    volatile int vshared = 1;
    p = vfork();
    if (p == 0) { vshared = 5; _exit(0); }
    waitpid(p, &st, 0);
    CHECK_EQ("vfork-shares-memory", vshared, 5);
    /* The parent stays suspended until the child exits, even when a signal with a handler reaches
     * it meanwhile (the handler runs afterwards): it must not run on the stack the child uses. */
    struct sigaction sa = {0}, old_usr1;
    sa.sa_handler = vfork_signal_handler;
    sigaction(SIGUSR1, &sa, &old_usr1);
    vfork_signals = 0;
    vshared = 1;
    p = vfork();
    if (p == 0) {
        kill(getppid(), SIGUSR1);
        struct timespec ts = {0, 50 * 1000 * 1000};
        syscall(SYS_nanosleep, &ts, NULL);
        vshared = 6;
        _exit(0);
    }
    CHECK_EQ("vfork-parent-waits-through-signal", vshared, 6);
    CHECK_EQ("vfork-parent-signal-handled-after", vfork_signals, 1);
    waitpid(p, &st, 0);
    sigaction(SIGUSR1, &old_usr1, NULL);

    /* execve */
    int keep = open("/dev/null", O_RDONLY);
    int gone = open("/dev/null", O_RDONLY | O_CLOEXEC);
    char a2[16], a3[16];
    snprintf(a2, sizeof a2, "%d", gone);
    snprintf(a3, sizeof a3, "%d", keep);
    char *cargv[] = {argv[0], "--exec-child", a2, a3, "last arg", NULL};
    char *cenv[] = {"CONF=yes", NULL};
    p = fork();
    if (p == 0) { execve(argv[0], cargv, cenv); _exit(98); }
    waitpid(p, &st, 0);
    CHECK_EQ("execve-argv-env-cloexec", WEXITSTATUS(st), 42);
    p = vfork();
    if (p == 0) { execve(argv[0], cargv, cenv); _exit(98); }
    waitpid(p, &st, 0);
    CHECK_EQ("vfork-execve", WEXITSTATUS(st), 42);
    CHECK_ERR("execve-enoent", execve("/nosuch", cargv, cenv), ENOENT);
    mkdir("/tmp/conf-proc", 0755);
    int fd = open("/tmp/conf-proc/noexec", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    write(fd, "\177ELF", 4);
    close(fd);
    CHECK_ERR("execve-eacces-mode", execve("/tmp/conf-proc/noexec", cargv, cenv), EACCES);
    chmod("/tmp/conf-proc/noexec", 0755);
    CHECK_ERR("execve-enoexec-truncated-elf", execve("/tmp/conf-proc/noexec", cargv, cenv), ENOEXEC);
    CHECK_ERR("execve-eacces-dir", execve("/tmp", cargv, cenv), EACCES);
    CHECK_ERR("execve-enotdir", execve("/tmp/conf-proc/noexec/x", cargv, cenv), ENOTDIR);
    CHECK_ERR("execve-efault-path", syscall(SYS_execve, BADPTR, cargv, cenv), EFAULT);
    CHECK_ERR("execve-efault-argv", syscall(SYS_execve, argv[0], BADPTR, cenv), EFAULT);
    char *badargv[] = {argv[0], BADPTR, NULL};
    CHECK_ERR("execve-efault-argv-entry", syscall(SYS_execve, argv[0], badargv, cenv), EFAULT);
    CHECK_ERR("execve-efault-envp", syscall(SYS_execve, argv[0], cargv, KERNPTR), EFAULT);
    /* #! script */
    fd = open("/tmp/conf-proc/script", O_CREAT | O_WRONLY | O_TRUNC, 0755);
    const char *s = "#!/bin/sh\nexit 9\n";
    write(fd, s, strlen(s));
    close(fd);
    p = fork();
    if (p == 0) { char *sa[] = {"script", NULL}; execve("/tmp/conf-proc/script", sa, environ); _exit(98); }
    waitpid(p, &st, 0);
    CHECK_EQ("execve-shebang", WEXITSTATUS(st), 9);

    /* waitid: siginfo for exits, kills, stops and continues; WNOHANG, WNOWAIT, errors */
    siginfo_t si;
    p = fork();
    if (p == 0) { setresuid(1000, 1000, 1000); _exit(42); }
    memset(&si, 0x55, sizeof si);
    CHECK_OK("waitid-nowait", syscall(SYS_waitid, P_PID, p, &si, WEXITED | WNOWAIT, NULL));
    CHECK("waitid-nowait-info", si.si_pid == p && si.si_code == CLD_EXITED && si.si_status == 42);
    memset(&si, 0x55, sizeof si);
    CHECK_OK("waitid-exited", syscall(SYS_waitid, P_PID, p, &si, WEXITED, NULL));
    CHECK("waitid-exited-info", si.si_signo == SIGCHLD && si.si_errno == 0 && si.si_code == CLD_EXITED
          && si.si_pid == p && si.si_status == 42 && si.si_uid == 1000);
    CHECK_ERR("waitid-reaped-echild", syscall(SYS_waitid, P_PID, p, &si, WEXITED, NULL), ECHILD);
    p = fork();
    if (p == 0) { pause(); _exit(0); }
    memset(&si, 0x55, sizeof si);
    CHECK_OK("waitid-wnohang", syscall(SYS_waitid, P_ALL, 0, &si, WEXITED | WNOHANG, NULL));
    CHECK("waitid-wnohang-zero", si.si_pid == 0 && si.si_signo == 0 && si.si_status == 0);
    kill(p, SIGSTOP);
    CHECK_OK("waitid-stopped", syscall(SYS_waitid, P_PID, p, &si, WSTOPPED, NULL));
    CHECK("waitid-stopped-info", si.si_code == CLD_STOPPED && si.si_status == SIGSTOP && si.si_pid == p);
    kill(p, SIGCONT);
    CHECK_OK("waitid-continued", syscall(SYS_waitid, P_PID, p, &si, WCONTINUED, NULL));
    CHECK("waitid-continued-info", si.si_code == CLD_CONTINUED && si.si_status == SIGCONT);
    kill(p, SIGKILL);
    CHECK_OK("waitid-pgid", syscall(SYS_waitid, P_PGID, 0, &si, WEXITED, NULL));
    CHECK("waitid-killed-info", si.si_code == CLD_KILLED && si.si_status == SIGKILL && si.si_pid == p);
    CHECK_ERR("waitid-no-options", syscall(SYS_waitid, P_ALL, 0, &si, 0, NULL), EINVAL);
    CHECK_ERR("waitid-bad-idtype", syscall(SYS_waitid, 7, 0, &si, WEXITED, NULL), EINVAL);
    CHECK_ERR("waitid-no-children", syscall(SYS_waitid, P_ALL, 0, &si, WEXITED, NULL), ECHILD);
    p = fork();
    if (p == 0) _exit(3);
    CHECK_ERR("waitid-efault", syscall(SYS_waitid, P_PID, p, BADPTR, WEXITED, NULL), EFAULT);
    waitpid(p, &st, WNOHANG);

    struct rlimit rl, old;
    CHECK_OK("getrlimit-nofile", getrlimit(RLIMIT_NOFILE, &rl));
    CHECK("getrlimit-nofile-default", rl.rlim_cur == 1024 && rl.rlim_max >= rl.rlim_cur);
    CHECK_OK("getrlimit-core", getrlimit(RLIMIT_CORE, &rl));
    CHECK_ERR("getrlimit-bad-resource", syscall(SYS_getrlimit, 99, &rl), EINVAL);
    CHECK_ERR("getrlimit-efault", syscall(SYS_getrlimit, RLIMIT_NOFILE, BADPTR), EFAULT);
    CHECK_ERR("setrlimit-efault", syscall(SYS_setrlimit, RLIMIT_NOFILE, BADPTR), EFAULT);
    CHECK_ERR("prlimit-no-such-pid", syscall(SYS_prlimit64, 999999, RLIMIT_NOFILE, NULL, &rl), ESRCH);
    rl.rlim_cur = 20; rl.rlim_max = 10;
    CHECK_ERR("setrlimit-soft-above-hard", setrlimit(RLIMIT_NOFILE, &rl), EINVAL);
    p = fork();
    if (p == 0) {
        /* RLIMIT_NOFILE: no descriptor at or above the soft limit */
        struct rlimit l = {8, 64};
        if (setrlimit(RLIMIT_NOFILE, &l) != 0) _exit(1);
        for (int i = 0; i < 8; i++) dup(0);
        if (dup(0) != -1 || errno != EMFILE) _exit(2);
        if (dup2(0, 8) != -1 || errno != EBADF) _exit(3);
        if (fcntl(0, F_DUPFD, 8) != -1 || errno != EINVAL) _exit(4);
        /* an unprivileged process may lower its hard limit but not raise it again */
        if (setresuid(1000, 1000, 1000) != 0) _exit(5);
        l.rlim_max = 32;
        if (setrlimit(RLIMIT_NOFILE, &l) != 0) _exit(6);
        l.rlim_max = 33;
        if (setrlimit(RLIMIT_NOFILE, &l) != -1 || errno != EPERM) _exit(7);
        /* RLIMIT_NPROC counts the user's tasks: with a limit of 1, fork fails */
        struct rlimit n = {1, 1};
        if (setrlimit(RLIMIT_NPROC, &n) != 0) _exit(8);
        pid_t c = fork();
        if (c == 0) _exit(0);
        if (c != -1 || errno != EAGAIN) _exit(9);
        _exit(0);
    }
    waitpid(p, &st, 0);
    CHECK_EQ("rlimit-enforced-in-child", WIFEXITED(st) ? WEXITSTATUS(st) : 100 + WTERMSIG(st), 0);
    CHECK_OK("prlimit-self-read", syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &old));
    rl.rlim_cur = 4 << 20; rl.rlim_max = old.rlim_max;
    CHECK_OK("prlimit-self-set", syscall(SYS_prlimit64, getpid(), RLIMIT_STACK, &rl, &old));
    CHECK_OK("prlimit-self-reread", syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &rl));
    CHECK("prlimit-self-set-took", rl.rlim_cur == 4 << 20);
    CHECK_OK("prlimit-restore", setrlimit(RLIMIT_STACK, &old));
    return done();
}
