/* fork() from a multithreaded program while its other threads hand a token back and forth through a
 * mutex and a condition variable (so they hold locks and sleep on futexes at the moment of the fork);
 * the child, single-threaded, then starts a thread of its own and does the same hand-off, and uses
 * malloc and stdio. Every child must finish (an alarm turns a deadlock into a failure). */
#include "check.h"
#include <pthread.h>
#include <signal.h>

#define WORKERS 4
#define FORKS 12
#define HANDOFFS 300

struct pingpong { pthread_mutex_t m; pthread_cond_t c; int turn; int rounds; int stop; };

static void *player(void *arg) {
    struct pingpong *p = arg;
    int me = p->turn == 0 ? 1 : 0;   /* not used for identity: each worker flips the turn */
    (void)me;
    for (;;) {
        pthread_mutex_lock(&p->m);
        if (p->stop) { pthread_mutex_unlock(&p->m); return NULL; }
        p->turn ^= 1;
        p->rounds++;
        pthread_cond_broadcast(&p->c);
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        t.tv_nsec += 200000;
        if (t.tv_nsec >= 1000000000) { t.tv_sec++; t.tv_nsec -= 1000000000; }
        pthread_cond_timedwait(&p->c, &p->m, &t);
        pthread_mutex_unlock(&p->m);
        free(malloc(64 + p->rounds % 512));
    }
}

static struct pingpong child_game = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0};

static void *child_partner(void *arg) {
    (void)arg;
    for (int i = 0; i < HANDOFFS; i++) {
        pthread_mutex_lock(&child_game.m);
        while (child_game.turn != 1) pthread_cond_wait(&child_game.c, &child_game.m);
        child_game.turn = 0;
        pthread_cond_signal(&child_game.c);
        pthread_mutex_unlock(&child_game.m);
    }
    return NULL;
}

static int child_main(void) {
    alarm(10);
    pthread_t t;
    if (pthread_create(&t, NULL, child_partner, NULL)) return 2;
    for (int i = 0; i < HANDOFFS; i++) {
        pthread_mutex_lock(&child_game.m);
        child_game.turn = 1;
        pthread_cond_signal(&child_game.c);
        while (child_game.turn != 0) pthread_cond_wait(&child_game.c, &child_game.m);
        pthread_mutex_unlock(&child_game.m);
        free(malloc(100 + i));
    }
    pthread_join(t, NULL);
    char buf[64];
    snprintf(buf, sizeof buf, "%d", getpid());
    return 0;
}

int main(void) {
    begin("forkthreads");
    static struct pingpong games[WORKERS / 2];
    pthread_t workers[WORKERS];
    for (int g = 0; g < WORKERS / 2; g++) {
        pthread_mutex_init(&games[g].m, NULL);
        pthread_cond_init(&games[g].c, NULL);
    }
    for (int w = 0; w < WORKERS; w++) pthread_create(&workers[w], NULL, player, &games[w / 2]);
    int hung = 0, bad = 0;
    for (int i = 0; i < FORKS; i++) {
        pid_t c = fork();
        if (c == 0) _exit(child_main());
        int st = 0;
        waitpid(c, &st, 0);
        printf("fork %d: status %#x\n", i, st);
        if (WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM) hung++;
        else if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) bad++;
    }
    for (int g = 0; g < WORKERS / 2; g++) {
        pthread_mutex_lock(&games[g].m);
        games[g].stop = 1;
        pthread_cond_broadcast(&games[g].c);
        pthread_mutex_unlock(&games[g].m);
    }
    for (int w = 0; w < WORKERS; w++) pthread_join(workers[w], NULL);
    CHECK_EQ("children-never-hang", hung, 0);
    CHECK_EQ("children-finish", bad, 0);
    return done();
}
