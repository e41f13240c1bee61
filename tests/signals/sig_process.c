/* Signals between processes: sigsuspend, sigtimedwait, EINTR vs SA_RESTART for a sleeping syscall
 * interrupted by a signal from a child, SIGCHLD on exit and stop, kill(0, ...) to the group, deaths
 * by default actions as wait4 reports them, stop and continue with WUNTRACED/WCONTINUED. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>
#include "check.h"

static volatile int hits;
static void on_plain(int sig) { (void)sig; hits++; }

static void install(int sig, void (*h)(int), int flags) {
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void sleep_ms(long ms) {
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
    while (nanosleep(&t, &t) == -1 && errno == EINTR) {}
}

/* A child that signals us after `ms` (there is no setitimer yet), then lingers `linger` ms. */
static pid_t signal_later(int sig, long ms, long linger) {
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        sleep_ms(ms);
        kill(parent, sig);
        sleep_ms(linger);
        _exit(0);
    }
    return child;
}

static void reap(pid_t child) { int st; while (waitpid(child, &st, 0) == -1 && errno == EINTR) {} }

static void test_sigsuspend(void) {
    sigset_t usr1, old, empty;
    sigemptyset(&usr1); sigaddset(&usr1, SIGUSR1); sigemptyset(&empty);
    install(SIGUSR1, on_plain, 0);
    sigprocmask(SIG_BLOCK, &usr1, &old);
    hits = 0;
    pid_t child = signal_later(SIGUSR1, 50, 0);
    int r = sigsuspend(&empty);
    CHECK(r == -1 && errno == EINTR, "sigsuspend returned %d errno %d", r, errno);
    CHECK(hits == 1, "handler ran %d", hits);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1), "mask restored after sigsuspend");
    sigprocmask(SIG_SETMASK, &old, NULL);
    reap(child);
}

static void test_sigtimedwait(void) {
    sigset_t usr1;
    sigemptyset(&usr1); sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    struct timespec t = { 0, 100000000 };
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    int r = sigtimedwait(&usr1, NULL, &t);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long ms = (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
    CHECK(r == -1 && errno == EAGAIN, "timeout: %d errno %d", r, errno);
    CHECK(ms >= 90, "waited %ld ms", ms);
    kill(getpid(), SIGUSR1);
    siginfo_t si;
    r = sigtimedwait(&usr1, &si, &t);
    CHECK(r == SIGUSR1 && si.si_pid == getpid() && si.si_code == SI_USER, "took %d pid %d", r, si.si_pid);
    pid_t child = signal_later(SIGUSR1, 50, 0);
    r = sigwaitinfo(&usr1, &si);
    CHECK(r == SIGUSR1 && si.si_pid == child, "from the child: %d pid %d", r, si.si_pid);
    reap(child);
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);
}

static void test_nanosleep_eintr(void) {
    install(SIGUSR1, on_plain, SA_RESTART);          /* nanosleep is never restarted after a handler */
    hits = 0;
    pid_t child = signal_later(SIGUSR1, 50, 0);
    struct timespec t = { 2, 0 }, left = { 0, 0 };
    int r = nanosleep(&t, &left);
    CHECK(r == -1 && errno == EINTR, "nanosleep %d errno %d", r, errno);
    CHECK(hits == 1, "handler ran %d", hits);
    CHECK(left.tv_sec >= 1 && left.tv_sec <= 2, "remaining %ld s", (long)left.tv_sec);
    reap(child);
}

static void test_wait_restart(void) {
    /* Without SA_RESTART a blocked wait4 fails with EINTR... */
    install(SIGUSR1, on_plain, 0);
    hits = 0;
    pid_t child = signal_later(SIGUSR1, 50, 150);
    int st;
    pid_t r = waitpid(child, &st, 0);
    CHECK(r == -1 && errno == EINTR, "waitpid %d errno %d", r, errno);
    CHECK(hits == 1, "handler ran %d", hits);
    reap(child);
    /* ...with SA_RESTART it is restarted and returns the child. */
    install(SIGUSR1, on_plain, SA_RESTART);
    hits = 0;
    child = signal_later(SIGUSR1, 50, 150);
    r = waitpid(child, &st, 0);
    CHECK(r == child && WIFEXITED(st), "restarted waitpid %d", r);
    CHECK(hits == 1, "handler ran %d", hits);
    /* An ignored signal does not interrupt at all. */
    signal(SIGUSR1, SIG_IGN);
    child = signal_later(SIGUSR1, 50, 100);
    r = waitpid(child, &st, 0);
    CHECK(r == child, "ignored signal: waitpid %d", r);
    signal(SIGUSR1, SIG_DFL);
}

static void test_sigchld(void) {
    sigset_t chld;
    sigemptyset(&chld); sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    pid_t child = fork();
    if (child == 0) _exit(7);
    siginfo_t si;
    int r = sigwaitinfo(&chld, &si);
    CHECK(r == SIGCHLD, "sigwaitinfo %d", r);
    CHECK(si.si_pid == child && si.si_code == CLD_EXITED && si.si_status == 7, "pid %d code %d status %d",
          si.si_pid, si.si_code, si.si_status);
    reap(child);
    /* A handler runs when SIGCHLD is unblocked. */
    install(SIGCHLD, on_plain, 0);
    hits = 0;
    child = fork();
    if (child == 0) _exit(0);
    reap(child);
    sigprocmask(SIG_UNBLOCK, &chld, NULL);
    CHECK(hits == 1, "SIGCHLD handler ran %d", hits);
    signal(SIGCHLD, SIG_DFL);
}

static void test_kill_group(void) {
    sigset_t usr1, empty;
    sigemptyset(&usr1); sigaddset(&usr1, SIGUSR1); sigemptyset(&empty);
    install(SIGUSR1, on_plain, 0);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    pid_t child = fork();
    if (child == 0) {
        hits = 0;
        sigsuspend(&empty);
        _exit(hits == 1 ? 42 : 1);
    }
    hits = 0;
    CHECK(kill(0, SIGUSR1) == 0, "kill(0)");
    sigprocmask(SIG_UNBLOCK, &usr1, NULL);
    CHECK(hits == 1, "sender got its own group signal: %d", hits);
    int st;
    waitpid(child, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42, "child got it: %#x", st);
    CHECK(kill(-getpgrp(), 0) == 0, "kill(-pgrp, 0)");
}

static int death(void (*body)(void)) {
    pid_t child = fork();
    if (child == 0) { body(); _exit(0); }
    int st = 0;
    waitpid(child, &st, 0);
    return st;
}
static void raise_term(void) { raise(SIGTERM); }
static void raise_quit(void) { raise(SIGQUIT); }
static void segfault(void) { volatile int *volatile p = (int *)8; *p = 1; }
static void blocked_segfault(void) {
    sigset_t s; sigemptyset(&s); sigaddset(&s, SIGSEGV);
    sigprocmask(SIG_BLOCK, &s, NULL);
    segfault();
}
static void spin_killed(void) { kill(getpid(), SIGKILL); for (;;) {} }
static void ignored_term(void) { signal(SIGTERM, SIG_IGN); raise(SIGTERM); signal(SIGTERM, SIG_DFL); }
static void abort_it(void) { abort(); }

static void test_default_deaths(void) {
    int st = death(raise_term);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "SIGTERM: %#x", st);
    st = death(raise_quit);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGQUIT, "SIGQUIT: %#x", st);
    st = death(segfault);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "SIGSEGV: %#x", st);
    st = death(blocked_segfault);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "blocked SIGSEGV still kills: %#x", st);
    st = death(spin_killed);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "SIGKILL: %#x", st);
    st = death(ignored_term);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "ignored SIGTERM: %#x", st);
    st = death(abort_it);
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "abort: %#x", st);
}

static void test_stop_continue(void) {
    pid_t child = fork();
    if (child == 0) { for (;;) sleep_ms(10); }
    sigset_t chld;
    sigemptyset(&chld); sigaddset(&chld, SIGCHLD);
    sigprocmask(SIG_BLOCK, &chld, NULL);
    int st = 0;
    kill(child, SIGSTOP);
    pid_t r = waitpid(child, &st, WUNTRACED);
    CHECK(r == child && WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP, "stopped: %d %#x", r, st);
    siginfo_t si;
    struct timespec t = { 2, 0 };
    int s = sigtimedwait(&chld, &si, &t);
    CHECK(s == SIGCHLD && si.si_code == CLD_STOPPED && si.si_pid == child && si.si_status == SIGSTOP,
          "SIGCHLD for the stop: %d code %d", s, si.si_code);
    CHECK(waitpid(child, &st, WNOHANG | WUNTRACED) == 0, "stop reported once");
    kill(child, SIGCONT);
    r = waitpid(child, &st, WCONTINUED);
    CHECK(r == child && WIFCONTINUED(st), "continued: %d %#x", r, st);
    s = sigtimedwait(&chld, &si, &t);
    CHECK(s == SIGCHLD && si.si_code == CLD_CONTINUED, "SIGCHLD for the continue: %d code %d", s, si.si_code);
    kill(child, SIGTSTP);
    r = waitpid(child, &st, WUNTRACED);
    CHECK(r == child && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP, "SIGTSTP stops: %#x", st);
    sigtimedwait(&chld, &si, &t);
    kill(child, SIGKILL);                            /* kills a stopped process */
    r = waitpid(child, &st, 0);
    CHECK(r == child && WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "killed while stopped: %#x", st);
    sigtimedwait(&chld, &si, &t);
    sigprocmask(SIG_UNBLOCK, &chld, NULL);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    /* The tests run in a child in its own process group: kill(0, ...) must not reach our parent (the
     * init shell), and the group must not be orphaned (its parent is not init), else SIGTSTP would
     * be discarded instead of stopping. */
    pid_t tests = fork();
    if (tests != 0) {
        int st = 0;
        waitpid(tests, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 2;
    }
    setpgid(0, 0);
    printf("# %s\n", "test_sigsuspend"); test_sigsuspend();
    printf("# %s\n", "test_sigtimedwait"); test_sigtimedwait();
    printf("# %s\n", "test_nanosleep_eintr"); test_nanosleep_eintr();
    printf("# %s\n", "test_wait_restart"); test_wait_restart();
    printf("# %s\n", "test_sigchld"); test_sigchld();
    printf("# %s\n", "test_kill_group"); test_kill_group();
    printf("# %s\n", "test_default_deaths"); test_default_deaths();
    printf("# %s\n", "test_stop_continue"); test_stop_continue();
    return report("sig_process");
}
