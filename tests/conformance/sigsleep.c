/* Signals and sleeping syscalls: the temporary masks of pselect6/ppoll (Linux's saved_sigmask),
 * partial transfers interrupted by a signal (the count, not EINTR), SA_RESETHAND, killing a zombie
 * child, PR_SET_CHILD_SUBREAPER. */
#include "check.h"
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t handled;

static void on_usr1(int s) { (void)s; handled++; }
static void on_alarm(int s) { (void)s; handled++; }

static void install(int s, void (*fn)(int), int flags) {
    struct sigaction sa = {0};
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(s, &sa, NULL);
}

static int blocked_now(int s) {
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    return sigismember(&now, s);
}

/* A pending signal that only the temporary mask unblocks: EINTR at once, the handler runs, and the
 * original mask (signal blocked) is back afterwards. */
static void temporary_mask_pending(const char *name, int use_ppoll) {
    sigset_t block, unblock;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    install(SIGUSR1, on_usr1, 0);
    raise(SIGUSR1);
    handled = 0;
    sigemptyset(&unblock);
    struct timespec ts = {2, 0};
    errno = 0;
    int r = use_ppoll ? ppoll(NULL, 0, &ts, &unblock) : pselect(0, NULL, NULL, NULL, &ts, &unblock);
    int e = errno;
    char n[64];
    snprintf(n, sizeof n, "%s-pending-eintr", name);
    CHECK(n, r == -1 && e == EINTR);
    snprintf(n, sizeof n, "%s-pending-handler-ran", name);
    CHECK_EQ(n, handled, 1);
    snprintf(n, sizeof n, "%s-original-mask-restored", name);
    CHECK(n, blocked_now(SIGUSR1));
    sigprocmask(SIG_UNBLOCK, &block, NULL);
}

/* A signal sent during the sleep (by a child) that only the temporary mask unblocks wakes it: GNU
 * make -j's wait for SIGCHLD. */
static void temporary_mask_wakes(const char *name, int use_ppoll) {
    sigset_t block, unblock;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &unblock);
    sigdelset(&unblock, SIGCHLD);
    install(SIGCHLD, on_alarm, 0);
    handled = 0;
    pid_t p = fork();
    if (p == 0) { usleep(50000); _exit(0); }
    struct timespec ts = {5, 0};
    errno = 0;
    int r = use_ppoll ? ppoll(NULL, 0, &ts, &unblock) : pselect(0, NULL, NULL, NULL, &ts, &unblock);
    int e = errno;
    char n[64];
    snprintf(n, sizeof n, "%s-sigchld-wakes", name);
    CHECK(n, r == -1 && e == EINTR && handled == 1);
    snprintf(n, sizeof n, "%s-sigchld-mask-restored", name);
    CHECK(n, blocked_now(SIGCHLD));
    waitpid(p, NULL, 0);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    signal(SIGCHLD, SIG_DFL);
}

/* The temporary mask blocks a signal the original mask lets through: the sleep times out, and the
 * handler runs after the call, under the original mask. */
static void temporary_mask_blocks(void) {
    sigset_t blockalarm;
    sigemptyset(&blockalarm);
    sigaddset(&blockalarm, SIGALRM);
    install(SIGALRM, on_alarm, 0);
    handled = 0;
    struct itimerval it = {{0, 0}, {0, 20000}};
    setitimer(ITIMER_REAL, &it, NULL);
    struct timespec ts = {0, 200000000};
    int r = pselect(0, NULL, NULL, NULL, &ts, &blockalarm);
    CHECK_EQ("pselect-mask-blocks-timeout", r, 0);          /* not interrupted */
    CHECK_EQ("pselect-mask-blocks-handler-after", handled, 1);
    CHECK("pselect-mask-blocks-unblocked-after", !blocked_now(SIGALRM));
}

/* A blocking pipe write of 128 KiB into a 64 KiB pipe that nobody reads: the alarm interrupts it
 * after 64 KiB moved; write returns 65536 (writev too), not EINTR. */
static char big[131072];
static void partial_transfers(void) {
    int restart_flags[2] = {0, SA_RESTART};
    for (int k = 0; k < 2; k++) {
        int p[2];
        pipe(p);
        install(SIGALRM, on_alarm, restart_flags[k]);
        struct itimerval it = {{0, 0}, {0, 100000}};
        setitimer(ITIMER_REAL, &it, NULL);
        errno = 0;
        long r = write(p[1], big, sizeof big);
        CHECK_EQ(k ? "pipe-write-partial-count-restart" : "pipe-write-partial-count", r, 65536);
        close(p[0]);
        close(p[1]);
    }
    int p[2];
    pipe(p);
    install(SIGALRM, on_alarm, 0);
    struct iovec v[2] = {{big, 65536}, {big + 65536, 65536}};
    struct itimerval it = {{0, 0}, {0, 100000}};
    setitimer(ITIMER_REAL, &it, NULL);
    CHECK_EQ("pipe-writev-partial-count", writev(p[1], v, 2), 65536);
    /* Nothing moved: EINTR. */
    setitimer(ITIMER_REAL, &it, NULL);
    CHECK_ERR("pipe-write-full-eintr", write(p[1], big, 100), EINTR);
    close(p[0]);
    close(p[1]);
    signal(SIGALRM, SIG_DFL);
}

static volatile sig_atomic_t info_ok;
static void on_info(int s, siginfo_t *si, void *uc) { (void)uc; info_ok = si && si->si_signo == s; }

/* SA_RESETHAND resets the handler to SIG_DFL and keeps the other flags (SA_SIGINFO). */
static void reset_hand(void) {
    struct sigaction sa = {0}, old;
    sa.sa_sigaction = on_info;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR2, &sa, NULL);
    raise(SIGUSR2);
    CHECK("resethand-siginfo-handler", info_ok);
    sigaction(SIGUSR2, NULL, &old);
    CHECK("resethand-now-default", old.sa_handler == SIG_DFL);
    CHECK("resethand-keeps-siginfo", (old.sa_flags & SA_SIGINFO) != 0);
    signal(SIGUSR2, SIG_DFL);
}

/* sigwaitinfo for SIGCHLD, then kill the (zombie, not yet reaped) child: 0, as Linux. */
static void kill_zombie_child(void) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    pid_t p = fork();
    if (p == 0) _exit(3);
    siginfo_t si;
    CHECK_EQ("sigwaitinfo-sigchld", sigwaitinfo(&set, &si), SIGCHLD);
    CHECK_OK("kill-zombie-child", kill(p, SIGTERM));
    CHECK_OK("kill-zombie-child-0", kill(p, 0));
    int status = 0;
    CHECK_EQ("kill-zombie-reaped", waitpid(p, &status, 0), p);
    CHECK("kill-zombie-status", WIFEXITED(status) && WEXITSTATUS(status) == 3);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

/* A subreaper inherits its orphaned descendants: the grandchild's getppid() becomes the subreaper,
 * which can then reap it. */
static void subreaper(void) {
    CHECK_OK("subreaper-set", prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
    int v = 0;
    prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0);
    CHECK_EQ("subreaper-get", v, 1);
    int fds[2];
    pipe(fds);
    pid_t me = getpid();
    pid_t middle = fork();
    if (middle == 0) {
        pid_t g = fork();
        if (g == 0) {
            close(fds[0]);
            for (int i = 0; i < 500 && getppid() != me; i++) usleep(2000);
            pid_t pp = getppid();
            write(fds[1], &pp, sizeof pp);
            _exit(7);
        }
        write(fds[1], &g, sizeof g);
        _exit(0);
    }
    close(fds[1]);
    pid_t g = 0, pp = 0;
    read(fds[0], &g, sizeof g);
    waitpid(middle, NULL, 0);
    read(fds[0], &pp, sizeof pp);
    close(fds[0]);
    CHECK_EQ("subreaper-getppid", pp, me);
    int status = 0;
    CHECK_EQ("subreaper-reaps-grandchild", waitpid(g, &status, 0), g);
    CHECK("subreaper-grandchild-status", WIFEXITED(status) && WEXITSTATUS(status) == 7);
    prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);
}

int main(void) {
    begin("sigsleep");
    temporary_mask_pending("pselect", 0);
    temporary_mask_pending("ppoll", 1);
    temporary_mask_wakes("pselect", 0);
    temporary_mask_wakes("ppoll", 1);
    temporary_mask_blocks();
    partial_transfers();
    reset_hand();
    kill_zombie_child();
    subreaper();
    return done();
}
