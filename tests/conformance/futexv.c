/* futex_waitv(2) (Linux 5.16): waiting on several futex words at once. Argument checks in Linux's
 * order, EAGAIN when a word differs, the index of the woken word, absolute timeouts on
 * CLOCK_MONOTONIC and CLOCK_REALTIME, shared and private words, EINTR from a signal. */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#ifndef SYS_futex_waitv
#define SYS_futex_waitv 449
#endif
#define F32 2u
#define FPRIV 128u

struct waitv { uint64_t val, uaddr; uint32_t flags, reserved; };

static long waitv(struct waitv *w, unsigned n, unsigned flags, struct timespec *t, int clock) {
    return syscall(SYS_futex_waitv, w, n, flags, t, clock);
}

static struct timespec in_ms(int clock, long ms) {
    struct timespec t;
    clock_gettime(clock, &t);
    t.tv_nsec += ms * 1000000L;
    t.tv_sec += t.tv_nsec / 1000000000L;
    t.tv_nsec %= 1000000000L;
    return t;
}

static uint32_t words[4];

static void fill(struct waitv *w, int n, uint32_t flags) {
    for (int i = 0; i < n; i++) w[i] = (struct waitv){.val = words[i], .uaddr = (uintptr_t)&words[i], .flags = flags};
}

static void argument_checks(void) {
    struct waitv w[129];
    struct timespec t = in_ms(CLOCK_MONOTONIC, 10);
    fill(w, 2, F32 | FPRIV);
    CHECK_ERR("flags-nonzero", waitv(w, 2, 1, &t, CLOCK_MONOTONIC), EINVAL);
    CHECK_ERR("flags-clock-realtime", waitv(w, 2, FUTEX_CLOCK_REALTIME, &t, CLOCK_REALTIME), EINVAL);
    CHECK_ERR("zero-waiters", waitv(w, 0, 0, &t, CLOCK_MONOTONIC), EINVAL);
    CHECK_ERR("too-many", waitv(w, 129, 0, &t, CLOCK_MONOTONIC), EINVAL);
    CHECK_ERR("null-list", waitv(NULL, 1, 0, &t, CLOCK_MONOTONIC), EINVAL);
    CHECK_ERR("bad-clock", waitv(w, 1, 0, &t, CLOCK_BOOTTIME), EINVAL);
    CHECK_ERR("bad-timeout-pointer", syscall(SYS_futex_waitv, w, 1, 0, BADPTR, CLOCK_MONOTONIC), EFAULT);
    struct timespec bad = {.tv_sec = 0, .tv_nsec = 1000000000L};
    CHECK_ERR("bad-timespec", waitv(w, 1, 0, &bad, CLOCK_MONOTONIC), EINVAL);
    bad = (struct timespec){.tv_sec = -1};
    CHECK_ERR("negative-timespec", waitv(w, 1, 0, &bad, CLOCK_MONOTONIC), EINVAL);
    CHECK_ERR("bad-list-pointer", syscall(SYS_futex_waitv, BADPTR, 1, 0, &t, CLOCK_MONOTONIC), EFAULT);
    fill(w, 2, FPRIV);
    CHECK_ERR("no-size-flag", waitv(w, 2, 0, &t, CLOCK_MONOTONIC), EINVAL);
    fill(w, 2, F32 | FPRIV | FUTEX_CLOCK_REALTIME);
    CHECK_ERR("unknown-waiter-flag", waitv(w, 2, 0, &t, CLOCK_MONOTONIC), EINVAL);
    fill(w, 2, F32 | FPRIV);
    w[1].reserved = 1;
    CHECK_ERR("reserved-nonzero", waitv(w, 2, 0, &t, CLOCK_MONOTONIC), EINVAL);
    fill(w, 2, F32 | FPRIV);
    w[1].uaddr += 1;
    CHECK_ERR("misaligned", waitv(w, 2, 0, &t, CLOCK_MONOTONIC), EINVAL);
    fill(w, 2, F32 | FPRIV);
    w[1].uaddr = 0;
    CHECK_ERR("null-word", waitv(w, 2, 0, &t, CLOCK_MONOTONIC), EFAULT);
    /* A misaligned word after a differing one: every key is taken before any value is read. */
    fill(w, 2, F32 | FPRIV);
    w[0].val = words[0] + 1;
    w[1].uaddr += 2;
    CHECK_ERR("keys-before-values", waitv(w, 2, 0, &t, CLOCK_MONOTONIC), EINVAL);
    fill(w, 3, F32 | FPRIV);
    w[2].val = words[2] + 1;
    CHECK_ERR("value-differs", waitv(w, 3, 0, &t, CLOCK_MONOTONIC), EAGAIN);
    fill(w, 3, F32);
    w[0].val = words[0] + 1;
    CHECK_ERR("value-differs-shared", waitv(w, 3, 0, NULL, 0), EAGAIN);
}

static void timeout_checks(void) {
    struct waitv w[128];
    for (int i = 0; i < 128; i++) w[i] = (struct waitv){.val = 0, .uaddr = (uintptr_t)&words[i % 4], .flags = F32 | FPRIV};
    memset(words, 0, sizeof words);
    struct timespec t = in_ms(CLOCK_MONOTONIC, 20), now;
    CHECK_ERR("timeout-monotonic", waitv(w, 128, 0, &t, CLOCK_MONOTONIC), ETIMEDOUT);
    clock_gettime(CLOCK_MONOTONIC, &now);
    CHECK("timeout-monotonic-waited", now.tv_sec > t.tv_sec || (now.tv_sec == t.tv_sec && now.tv_nsec >= t.tv_nsec));
    t = in_ms(CLOCK_REALTIME, 20);
    CHECK_ERR("timeout-realtime", waitv(w, 2, 0, &t, CLOCK_REALTIME), ETIMEDOUT);
    struct timespec past = {.tv_sec = 1};
    CHECK_ERR("timeout-in-the-past", waitv(w, 1, 0, &past, CLOCK_MONOTONIC), ETIMEDOUT);
}

static volatile uint32_t *shared_words;
static void *waker(void *arg) {
    long which = (long)arg;
    struct timespec d = {0, 30 * 1000000L};
    nanosleep(&d, NULL);
    syscall(SYS_futex, &words[which], FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    return NULL;
}

static void wake_checks(void) {
    struct waitv w[4];
    memset(words, 0, sizeof words);
    fill(w, 4, F32 | FPRIV);
    pthread_t th;
    pthread_create(&th, NULL, waker, (void *)2L);
    struct timespec t = in_ms(CLOCK_MONOTONIC, 5000);
    CHECK_EQ("woken-index", waitv(w, 4, 0, &t, CLOCK_MONOTONIC), 2);
    pthread_join(th, NULL);
    CHECK_EQ("nothing-left-queued", syscall(SYS_futex, &words[2], FUTEX_WAKE_PRIVATE, 10, NULL, NULL, 0), 0);
    pthread_create(&th, NULL, waker, (void *)0L);
    CHECK_EQ("woken-index-0-no-timeout", waitv(w, 4, 0, NULL, 12345), 0);
    pthread_join(th, NULL);

    /* A shared word in a MAP_SHARED mapping, woken by another process. */
    shared_words = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t c = fork();
    if (c == 0) {
        struct timespec d = {0, 30 * 1000000L};
        nanosleep(&d, NULL);
        shared_words[1] = 1;
        syscall(SYS_futex, &shared_words[1], FUTEX_WAKE, 1, NULL, NULL, 0);
        _exit(0);
    }
    struct waitv s[2] = {{.val = 0, .uaddr = (uintptr_t)&shared_words[0], .flags = F32},
                         {.val = 0, .uaddr = (uintptr_t)&shared_words[1], .flags = F32}};
    t = in_ms(CLOCK_MONOTONIC, 5000);
    CHECK_EQ("shared-woken-index", waitv(s, 2, 0, &t, CLOCK_MONOTONIC), 1);
    waitpid(c, NULL, 0);
}

static void on_alarm(int s) { (void)s; }
static void signal_checks(void) {
    struct sigaction sa = {.sa_handler = on_alarm};
    sigaction(SIGALRM, &sa, NULL);               /* no SA_RESTART: the wait ends with EINTR */
    struct waitv w[2];
    memset(words, 0, sizeof words);
    fill(w, 2, F32 | FPRIV);
    ualarm(30000, 0);
    struct timespec t = in_ms(CLOCK_MONOTONIC, 5000);
    CHECK_ERR("signal-eintr", waitv(w, 2, 0, &t, CLOCK_MONOTONIC), EINTR);
}

int main(void) {
    begin("futexv");
    argument_checks();
    timeout_checks();
    wake_checks();
    signal_checks();
    return done();
}
