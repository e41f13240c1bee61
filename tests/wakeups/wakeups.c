/* Wake-up stress: many threads and processes sleeping at once and being woken by signals, futexes
 * (mutex + condition variable), pipes, timers, poll/pselect with a temporary mask, wait4, and a fork
 * from a multithreaded process. Every sleeper counts its rounds in shared memory and says where it is
 * about to sleep; a supervisor checks that every counter keeps moving and, if one stalls for
 * STALL_S seconds, prints which sleeper is stuck and where, kills everything and fails. So the test
 * always ends by itself.
 *
 *   wakeups [SECONDS]      prints "wakeups: <name> <rounds>" per sleeper, then "wakeups: PASS" or
 *                          "wakeups: STUCK <name> in <where> ..." and "wakeups: FAIL". */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_SLOTS 64
#define STALL_S 10

struct slot {
    char name[32];
    char where[32];
    volatile long rounds;
};
static struct shared {
    volatile int stop;
    int nslots;
    struct slot slots[MAX_SLOTS];
} *sh;

static int new_slot(const char *name) {
    int i = __atomic_fetch_add(&sh->nslots, 1, __ATOMIC_SEQ_CST);
    snprintf(sh->slots[i].name, sizeof sh->slots[i].name, "%s", name);
    return i;
}
static void at(int s, const char *where) { snprintf(sh->slots[s].where, sizeof sh->slots[s].where, "%s", where); }
static void tick(int s) { __atomic_add_fetch(&sh->slots[s].rounds, 1, __ATOMIC_SEQ_CST); }
static int stopping(void) { return __atomic_load_n(&sh->stop, __ATOMIC_SEQ_CST); }

/* ---- a child in pause() signalled repeatedly; its handler writes to a pipe the parent reads ---- */
static int pause_pipe[2];
static int pause_child_slot;
static void on_usr1_pause(int s) { (void)s; char c = 1; write(pause_pipe[1], &c, 1); tick(pause_child_slot); }
static void pause_ping(const char *tag) {
    char n[32];
    snprintf(n, sizeof n, "pause-child%s", tag);
    pause_child_slot = new_slot(n);
    snprintf(n, sizeof n, "pause-parent%s", tag);
    int me = new_slot(n);
    pipe(pause_pipe);
    pid_t child = fork();
    if (child == 0) {
        struct sigaction sa = {0};
        sa.sa_handler = on_usr1_pause;
        sigaction(SIGUSR1, &sa, NULL);
        char c = 1;
        write(pause_pipe[1], &c, 1);                 /* ready */
        for (;;) { at(pause_child_slot, "pause"); pause(); }
    }
    char c;
    read(pause_pipe[0], &c, 1);
    while (!stopping()) {
        at(me, "kill");
        kill(child, SIGUSR1);
        at(me, "read (pause-child's handler)");
        if (read(pause_pipe[0], &c, 1) != 1) break;
        tick(me);
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
}

/* ---- rt_sigsuspend with the signal blocked otherwise, woken by a child's kill ---- */
static int sigsuspend_slot;
static void on_usr2(int s) { (void)s; tick(sigsuspend_slot); }
static void sigsuspend_ping(void) {
    int me = sigsuspend_slot = new_slot("sigsuspend"), sender = new_slot("sigsuspend-sender");
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR2);
    sigprocmask(SIG_BLOCK, &block, &old);
    struct sigaction sa = {0};
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    int p[2];
    pipe(p);
    pid_t parent = getpid();
    pid_t child = fork();
    if (child == 0) {
        char c;
        close(p[1]);
        for (;;) {
            at(sender, "read");
            if (read(p[0], &c, 1) != 1) _exit(0);
            at(sender, "kill");
            kill(parent, SIGUSR2);
            tick(sender);
        }
    }
    close(p[0]);
    while (!stopping()) {
        long before = sh->slots[me].rounds;
        char c = 1;
        write(p[1], &c, 1);
        while (sh->slots[me].rounds == before) { at(me, "sigsuspend"); sigsuspend(&old); }
    }
    close(p[1]);
    waitpid(child, NULL, 0);
}

/* ---- threads passing a token through a mutex and condition variable ---- */
struct token { pthread_mutex_t m; pthread_cond_t c; int turn; int slot[2]; };
static void *token_thread(void *arg) {
    struct token *t = *(struct token **)arg;
    int self = ((struct token **)arg)[1] != NULL;
    pthread_mutex_lock(&t->m);
    while (!stopping()) {
        at(t->slot[self], "cond_wait");
        while (t->turn != self && !stopping()) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += 1;                          /* stopping is seen within a second */
            pthread_cond_timedwait(&t->c, &t->m, &ts);
        }
        t->turn = !self;
        tick(t->slot[self]);
        pthread_cond_signal(&t->c);
    }
    pthread_cond_broadcast(&t->c);
    pthread_mutex_unlock(&t->m);
    return NULL;
}
static void condvar_pairs(int pairs) {
    for (int i = 0; i < pairs; i++) {
        static struct token toks[8];
        static void *args[8][2][2];
        struct token *t = &toks[i];
        pthread_mutex_init(&t->m, NULL);
        pthread_cond_init(&t->c, NULL);
        char n[32];
        snprintf(n, sizeof n, "condvar%d-a", i); t->slot[0] = new_slot(n);
        snprintf(n, sizeof n, "condvar%d-b", i); t->slot[1] = new_slot(n);
        pthread_t th[2];
        for (int k = 0; k < 2; k++) {
            args[i][k][0] = t;
            args[i][k][1] = k ? (void *)1 : NULL;
            pthread_create(&th[k], NULL, token_thread, args[i][k]);
        }
        if (i == pairs - 1) { pthread_join(th[0], NULL); pthread_join(th[1], NULL); }
    }
}

/* ---- fork from a multithreaded process, then a condition variable in the child ---- */
static void *spin_locker(void *arg) {
    pthread_mutex_t *m = arg;
    while (!stopping()) { pthread_mutex_lock(m); pthread_mutex_unlock(m); }
    return NULL;
}
static struct { pthread_mutex_t m; pthread_cond_t c; int ready; } fc = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0};
static void *fork_child_waker(void *arg) {
    (void)arg;
    usleep(1000);
    pthread_mutex_lock(&fc.m);
    fc.ready = 1;
    pthread_cond_signal(&fc.c);
    pthread_mutex_unlock(&fc.m);
    return NULL;
}
static void fork_threaded(void) {
    int me = new_slot("fork-threaded");
    static pthread_mutex_t busy = PTHREAD_MUTEX_INITIALIZER;
    pthread_t th;
    pthread_create(&th, NULL, spin_locker, &busy);
    while (!stopping()) {
        at(me, "fork");
        pid_t p = fork();
        if (p == 0) {
            /* The child: a fresh condition variable hand-off between two of its own threads. */
            pthread_mutex_init(&fc.m, NULL);
            pthread_cond_init(&fc.c, NULL);
            fc.ready = 0;
            pthread_t w;
            pthread_create(&w, NULL, fork_child_waker, NULL);
            pthread_mutex_lock(&fc.m);
            while (!fc.ready) pthread_cond_wait(&fc.c, &fc.m);
            pthread_mutex_unlock(&fc.m);
            pthread_join(w, NULL);
            _exit(0);
        }
        at(me, "wait4 (child: cond_wait)");
        waitpid(p, NULL, 0);
        tick(me);
    }
    pthread_join(th, NULL);
}

/* ---- processes passing a byte through two pipes ---- */
static void pipe_pingpong(const char *tag) {
    char n[32];
    snprintf(n, sizeof n, "pipe-ping%s", tag);
    int me = new_slot(n);
    snprintf(n, sizeof n, "pipe-pong%s", tag);
    int peer = new_slot(n);
    int a[2], b[2];
    pipe(a);
    pipe(b);
    pid_t p = fork();
    if (p == 0) {
        char c;
        close(a[1]);
        close(b[0]);
        for (;;) {
            at(peer, "read");
            if (read(a[0], &c, 1) != 1) _exit(0);
            tick(peer);
            at(peer, "write");
            write(b[1], &c, 1);
        }
    }
    close(a[0]);
    close(b[1]);
    while (!stopping()) {
        char c = 'x';
        at(me, "write");
        write(a[1], &c, 1);
        at(me, "read");
        read(b[0], &c, 1);
        tick(me);
    }
    close(a[1]);
    waitpid(p, NULL, 0);
}

/* ---- timers: nanosleep and a poll timeout ---- */
static void *sleeper(void *arg) {
    int me = (int)(long)arg;
    while (!stopping()) {
        struct timespec ts = {0, 1000000};
        at(me, "nanosleep 1ms");
        nanosleep(&ts, NULL);
        at(me, "poll timeout 1ms");
        poll(NULL, 0, 1);
        tick(me);
    }
    return NULL;
}
static void timers(int n) {
    pthread_t th[8];
    for (int i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "timer%d", i);
        pthread_create(&th[i], NULL, sleeper, (void *)(long)new_slot(name));
    }
    for (int i = 0; i < n; i++) pthread_join(th[i], NULL);
}

/* ---- GNU make -j: SIGCHLD blocked, pselect with a mask that unblocks it ---- */
static volatile sig_atomic_t chld;
static void on_chld(int s) { (void)s; chld++; }
static void make_j(void) {
    int me = new_slot("pselect-sigchld");
    sigset_t block, unblock;
    sigemptyset(&block);
    sigaddset(&block, SIGCHLD);
    sigprocmask(SIG_BLOCK, &block, &unblock);
    sigdelset(&unblock, SIGCHLD);
    struct sigaction sa = {0};
    sa.sa_handler = on_chld;
    sigaction(SIGCHLD, &sa, NULL);
    while (!stopping()) {
        int seen = chld;
        pid_t p = fork();
        if (p == 0) _exit(0);
        while (chld == seen) { at(me, "pselect (SIGCHLD)"); pselect(0, NULL, NULL, NULL, NULL, &unblock); }
        at(me, "wait4");
        waitpid(p, NULL, 0);
        tick(me);
    }
}

/* ---- supervisor ---- */
static pid_t workers[32];
static const char *worker_names[32];
static int nworkers;
static void spawn(void (*fn)(void), const char *name) {
    pid_t p = fork();
    if (p == 0) { fn(); _exit(0); }
    worker_names[nworkers] = name;
    workers[nworkers++] = p;
}
static void w_pause1(void) { pause_ping("1"); }
static void w_pause2(void) { pause_ping("2"); }
static void w_pause3(void) { pause_ping("3"); }
static void w_condvar(void) { condvar_pairs(2); }
static void w_pipe1(void) { pipe_pingpong("1"); }
static void w_pipe2(void) { pipe_pingpong("2"); }
static void w_timers(void) { timers(3); }

static int stalled(long *last, time_t *since, time_t now) {
    for (int i = 0; i < sh->nslots; i++) {
        long r = sh->slots[i].rounds;
        if (r != last[i]) { last[i] = r; since[i] = now; continue; }
        if (now - since[i] >= STALL_S) return i;
    }
    return -1;
}

int main(int argc, char **argv) {
    int seconds = argc > 1 ? atoi(argv[1]) : 20;
    setvbuf(stdout, NULL, _IONBF, 0);
    sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    /* Touched before the forks: Lichen shares only the pages of a MAP_SHARED anonymous mapping that
     * are present at fork (a page first touched after it is private to whoever touches it). */
    memset(sh, 0, sizeof *sh);
    spawn(w_pause1, "pause1"); spawn(w_pause2, "pause2"); spawn(w_pause3, "pause3");
    spawn(sigsuspend_ping, "sigsuspend"); spawn(w_condvar, "condvar"); spawn(fork_threaded, "fork-threaded");
    spawn(w_pipe1, "pipe1"); spawn(w_pipe2, "pipe2"); spawn(w_timers, "timers"); spawn(make_j, "pselect-sigchld");
    long last[MAX_SLOTS] = {0};
    time_t since[MAX_SLOTS];
    time_t start = time(NULL);
    for (int i = 0; i < MAX_SLOTS; i++) since[i] = start;
    int stuck = -1;
    while (time(NULL) - start < seconds && stuck < 0) {
        sleep(1);
        stuck = stalled(last, since, time(NULL));
    }
    sh->stop = 1;
    /* Everybody must finish within STALL_S seconds of the stop. */
    time_t stop_at = time(NULL);
    int left = nworkers;
    while (left > 0 && time(NULL) - stop_at < STALL_S) {
        pid_t p = waitpid(-1, NULL, WNOHANG);
        if (p > 0) {
            left--;
            for (int i = 0; i < nworkers; i++) if (workers[i] == p) workers[i] = 0;
        } else usleep(50000);
    }
    for (int i = 0; i < sh->nslots; i++) printf("wakeups: %s %ld\n", sh->slots[i].name, sh->slots[i].rounds);
    if (stuck >= 0)
        printf("wakeups: STUCK %s in %s (no progress for %d s)\n", sh->slots[stuck].name, sh->slots[stuck].where, STALL_S);
    if (left > 0) {
        printf("wakeups: STUCK %d worker(s) did not stop:", left);
        for (int i = 0; i < nworkers; i++) if (workers[i]) printf(" %s", worker_names[i]);
        printf("; sleepers:");
        for (int i = 0; i < sh->nslots; i++) printf(" %s in %s;", sh->slots[i].name, sh->slots[i].where);
        printf("\n");
    }
    for (int i = 0; i < nworkers; i++) if (workers[i]) kill(workers[i], SIGKILL);
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
    int ok = stuck < 0 && left == 0;
    for (int i = 0; i < sh->nslots; i++) if (sh->slots[i].rounds == 0) { ok = 0; printf("wakeups: %s never ran\n", sh->slots[i].name); }
    printf("wakeups: %s\n", ok ? "PASS" : "FAIL");
    return !ok;
}
