/* Lost wake-ups: a child sleeping in pause(), sigsuspend(), sigtimedwait(), nanosleep(), a futex
 * wait or wait4() must wake for every signal sent after it went to sleep. The parent sends many
 * signals, each acknowledged by a pipe write from the child's handler, with a timeout; a missed
 * wake-up shows as a timeout. Runs on any number of CPUs (the race wants two). */
#include "check.h"
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <sched.h>
#include <sys/prctl.h>
#include <time.h>

#define ROUNDS 1000

static int ack[2];
static void on_usr1(int s) { (void)s; char c = 'a'; (void)!write(ack[1], &c, 1); }

enum { PAUSE, SIGSUSPEND, SIGTIMEDWAIT, NANOSLEEP, FUTEX, WAIT4, KINDS };
static const char *names[] = {"pause", "sigsuspend", "sigtimedwait", "nanosleep", "futex", "wait4"};

static void child_loop(int kind) {
    static int word;
    sigset_t none, usr1;
    sigemptyset(&none);
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    if (kind == SIGTIMEDWAIT) sigprocmask(SIG_BLOCK, &usr1, NULL);
    if (kind == WAIT4 && fork() == 0) { prctl(PR_SET_PDEATHSIG, SIGKILL); for (;;) pause(); }   /* a child that never ends */
    for (;;) {
        switch (kind) {
        case PAUSE: pause(); break;
        case SIGSUSPEND: sigsuspend(&none); break;
        case SIGTIMEDWAIT: { struct timespec t = {100, 0}; if (sigtimedwait(&usr1, NULL, &t) == SIGUSR1) on_usr1(SIGUSR1); break; }
        case NANOSLEEP: { struct timespec t = {100, 0}; nanosleep(&t, NULL); break; }
        case FUTEX: syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0); break;
        case WAIT4: waitpid(-1, NULL, 0); break;
        }
    }
}

static void stress(int kind) {
    if (pipe(ack)) return;
    signal(SIGUSR1, on_usr1);
    pid_t c = fork();
    if (c == 0) { close(ack[0]); child_loop(kind); _exit(0); }
    int missed = 0, sent = 0;
    for (int i = 0; i < ROUNDS && missed == 0; i++) {
        /* Vary the moment: sometimes at once, sometimes after the child had time to sleep. */
        if (i % 3 == 1) usleep(50);
        if (i % 3 == 2) sched_yield();
        kill(c, SIGUSR1);
        sent++;
        struct pollfd p = {ack[0], POLLIN, 0};
        if (poll(&p, 1, 3000) != 1) { missed++; break; }
        char ch;
        (void)!read(ack[0], &ch, 1);
    }
    kill(c, SIGKILL);
    waitpid(c, NULL, 0);
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    char name[64];
    snprintf(name, sizeof name, "%s-wakes-every-time", names[kind]);
    if (missed) fail(name, "signal %d of %d never woke the child", sent, ROUNDS); else passed++;
    close(ack[0]);
    close(ack[1]);
    signal(SIGUSR1, SIG_DFL);
}

int main(void) {
    begin("wakestress");
    for (int k = 0; k < KINDS; k++) stress(k);
    return done();
}
