/* POSIX threads: clone(CLONE_THREAD...), futex, robust lists, per-thread signals, thread exit and
 * exit_group, execve from a thread. */
#include "check.h"
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static long futex(void *addr, int op, uint32_t val, const void *timeout, void *addr2, uint32_t val3) {
    return syscall(SYS_futex, addr, op, val, timeout, addr2, val3);
}
static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }
static void ms_sleep(int ms) { struct timespec t = {ms / 1000, (ms % 1000) * 1000000L}; nanosleep(&t, NULL); }
static uint64_t now_ns(clockid_t c) { struct timespec t; clock_gettime(c, &t); return t.tv_sec * 1000000000ull + t.tv_nsec; }

/* ---- create, join, identity, TLS ---- */
static __thread int tls_value = 5;
static pid_t worker_tids[4];
static void *identity(void *arg) {
    long i = (long)arg;
    worker_tids[i] = gettid_();
    tls_value += (int)i * 100;                   /* each thread has its own copy */
    uint64_t tp;
    __asm__ volatile("mrs %0, tpidr_el0" : "=r"(tp));
    if (getpid() == gettid_()) return (void *)-1;
    return (void *)(long)(tls_value * 1000 + (tp != 0));
}

static void create_and_join(void) {
    pthread_t t[4];
    int created = 0;
    for (long i = 0; i < 4; i++) created += pthread_create(&t[i], NULL, identity, (void *)i) == 0;
    CHECK_EQ("create-four", created, 4);
    int ok = 0;
    for (long i = 0; i < 4; i++) {
        void *r = NULL;
        if (pthread_join(t[i], &r) == 0 && (long)r == (5 + i * 100) * 1000 + 1) ok++;
    }
    CHECK_EQ("join-returns-values-and-tls", ok, 4);
    CHECK_EQ("tls-main-untouched", tls_value, 5);
    int distinct = 1;
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 4; j++)
            if ((i != j && worker_tids[i] == worker_tids[j]) || worker_tids[i] == getpid() || worker_tids[i] <= 0) distinct = 0;
    CHECK("gettid-distinct", distinct);
    CHECK_EQ("gettid-main-is-pid", gettid_(), getpid());
}

/* ---- mutex contention and condition variables ---- */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static void *add_many(void *arg) {
    for (int i = 0; i < 20000; i++) {
        pthread_mutex_lock(&lock);
        counter++;
        pthread_mutex_unlock(&lock);
    }
    return arg;
}

static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int queue[16], qhead, qtail, consumed_sum;
static void *consumer(void *arg) {
    for (;;) {
        pthread_mutex_lock(&lock);
        while (qhead == qtail) pthread_cond_wait(&cond, &lock);
        int v = queue[qhead++ % 16];
        pthread_cond_broadcast(&cond);
        if (v < 0) { pthread_mutex_unlock(&lock); return arg; }
        consumed_sum += v;
        pthread_mutex_unlock(&lock);
    }
}

static void mutexes_and_condvars(void) {
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, add_many, NULL);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    CHECK_EQ("mutex-contention-count", counter, 80000);

    pthread_t c[2];
    for (int i = 0; i < 2; i++) pthread_create(&c[i], NULL, consumer, NULL);
    int produced = 0;
    for (int v = 1; v <= 2000 + 2; v++) {
        pthread_mutex_lock(&lock);
        while (qtail - qhead >= 16) pthread_cond_wait(&cond, &lock);
        queue[qtail++ % 16] = v <= 2000 ? v : -1;
        if (v <= 2000) produced += v;
        pthread_cond_broadcast(&cond);
        pthread_mutex_unlock(&lock);
    }
    for (int i = 0; i < 2; i++) pthread_join(c[i], NULL);
    CHECK_EQ("condvar-producer-consumer", consumed_sum, produced);

    /* a timed wait that times out */
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_nsec += 20000000;
    if (dl.tv_nsec >= 1000000000) { dl.tv_sec++; dl.tv_nsec -= 1000000000; }
    pthread_mutex_lock(&lock);
    int r = pthread_cond_timedwait(&cond, &lock, &dl);
    pthread_mutex_unlock(&lock);
    CHECK_EQ("condvar-timedwait-timeout", r, ETIMEDOUT);
}

/* ---- futex syscall ---- */
static uint32_t fword, fword2;
static volatile long waiter_result = 1, waiter_errno;
static void *futex_waiter(void *arg) {
    errno = 0;
    waiter_result = futex(&fword, (long)arg, 0, NULL, NULL, FUTEX_BITSET_MATCH_ANY);
    waiter_errno = errno;
    return NULL;
}

static void futex_calls(void) {
    fword = 1;
    CHECK_ERR("futex-wait-eagain", futex(&fword, FUTEX_WAIT_PRIVATE, 2, NULL, NULL, 0), EAGAIN);
    CHECK_ERR("futex-wait-shared-eagain", futex(&fword, FUTEX_WAIT, 2, NULL, NULL, 0), EAGAIN);
    struct timespec rel = {0, 20000000};
    uint64_t t0 = now_ns(CLOCK_MONOTONIC);
    CHECK_ERR("futex-wait-etimedout", futex(&fword, FUTEX_WAIT_PRIVATE, 1, &rel, NULL, 0), ETIMEDOUT);
    CHECK("futex-wait-slept", now_ns(CLOCK_MONOTONIC) - t0 >= 19000000);
    uint64_t abs_ns = now_ns(CLOCK_MONOTONIC) + 20000000;
    struct timespec abs = {abs_ns / 1000000000, abs_ns % 1000000000};
    CHECK_ERR("futex-wait-bitset-abs-etimedout", futex(&fword, FUTEX_WAIT_BITSET_PRIVATE, 1, &abs, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    CHECK("futex-wait-bitset-abs-slept", now_ns(CLOCK_MONOTONIC) >= abs_ns - 1000000);
    abs_ns = now_ns(CLOCK_REALTIME) + 20000000;
    abs = (struct timespec){abs_ns / 1000000000, abs_ns % 1000000000};
    CHECK_ERR("futex-wait-bitset-realtime-etimedout",
              futex(&fword, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 1, &abs, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    struct timespec past = {1, 0};
    CHECK_ERR("futex-wait-bitset-past", futex(&fword, FUTEX_WAIT_BITSET_PRIVATE, 1, &past, NULL, FUTEX_BITSET_MATCH_ANY), ETIMEDOUT);
    struct timespec bad = {0, 1000000000};
    CHECK_ERR("futex-wait-bad-timespec", futex(&fword, FUTEX_WAIT_PRIVATE, 1, &bad, NULL, 0), EINVAL);
    CHECK_ERR("futex-wait-bad-timeout-ptr", futex(&fword, FUTEX_WAIT_PRIVATE, 1, BADPTR, NULL, 0), EFAULT);
    CHECK_ERR("futex-wait-efault", futex(BADPTR, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT);
    CHECK_ERR("futex-wait-efault-kernel", futex(KERNPTR, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EFAULT);
    CHECK_ERR("futex-wait-misaligned", futex((char *)&fword + 1, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EINVAL);
    CHECK_ERR("futex-wait-bitset-zero", futex(&fword, FUTEX_WAIT_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL);
    CHECK_ERR("futex-wake-bitset-zero", futex(&fword, FUTEX_WAKE_BITSET_PRIVATE, 1, NULL, NULL, 0), EINVAL);
    CHECK_ERR("futex-bad-op", futex(&fword, 99, 0, NULL, NULL, 0), ENOSYS);
    CHECK_ERR("futex-wake-realtime-flag", futex(&fword, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, NULL, NULL, 0), ENOSYS);
    CHECK_EQ("futex-wake-nobody", futex(&fword, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 0);
    CHECK_ERR("futex-cmp-requeue-eagain", futex(&fword, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, &fword2, 7), EAGAIN);
    CHECK_EQ("futex-cmp-requeue-none", futex(&fword, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)1, &fword2, 1), 0);
    CHECK_ERR("futex-cmp-requeue-negative", futex(&fword, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void *)-1L, &fword2, 1), EINVAL);
    fword2 = 3;
    CHECK_EQ("futex-wake-op-none", futex(&fword, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &fword2,
                                         FUTEX_OP(FUTEX_OP_ADD, 4, FUTEX_OP_CMP_EQ, 3)), 0);
    CHECK_EQ("futex-wake-op-applied", fword2, 7);
    CHECK_ERR("futex-wake-op-bad-op", futex(&fword, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &fword2, 7u << 28), ENOSYS);
    CHECK_ERR("futex-wake-op-efault", futex(&fword, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, BADPTR, 0), EFAULT);

    /* a waiter woken by FUTEX_WAKE, the wake counting it */
    fword = 0;
    pthread_t t;
    pthread_create(&t, NULL, futex_waiter, (void *)(long)FUTEX_WAIT_PRIVATE);
    long woke = 0;
    for (int i = 0; i < 500 && woke == 0; i++) { ms_sleep(2); woke = futex(&fword, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0); }
    pthread_join(t, NULL);
    CHECK_EQ("futex-wake-counts-one", woke, 1);
    CHECK_EQ("futex-waiter-returns-0", waiter_result, 0);

    /* requeue moves the waiter to fword2, where a wake reaches it */
    fword = 0;
    waiter_result = 1;
    pthread_create(&t, NULL, futex_waiter, (void *)(long)FUTEX_WAIT_BITSET_PRIVATE);
    long moved = 0;
    for (int i = 0; i < 500 && moved == 0; i++) { ms_sleep(2); moved = futex(&fword, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void *)1, &fword2, 0); }
    CHECK_EQ("futex-cmp-requeue-moves", moved, 1);
    CHECK_EQ("futex-requeued-wake", futex(&fword2, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0), 1);
    pthread_join(t, NULL);
    CHECK_EQ("futex-requeued-waiter-returns-0", waiter_result, 0);

    /* wake_op wakes the first word's waiter */
    fword = 0;
    waiter_result = 1;
    pthread_create(&t, NULL, futex_waiter, (void *)(long)FUTEX_WAIT_PRIVATE);
    woke = 0;
    for (int i = 0; i < 500 && woke == 0; i++) {
        ms_sleep(2);
        woke = futex(&fword, FUTEX_WAKE_OP_PRIVATE, 1, (void *)1, &fword2, FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_GT, 100));
    }
    pthread_join(t, NULL);
    CHECK_EQ("futex-wake-op-wakes", woke, 1);
    CHECK_EQ("futex-wake-op-set", fword2, 0);
}

/* ---- signals and threads ---- */
static volatile pid_t handler_tid;
static volatile int handler_hits;
static void *volatile handler_sp;
static void on_usr(int s) {
    int here;
    handler_tid = gettid_();
    handler_sp = &here;
    handler_hits++;
    (void)s;
}

static volatile int stop_spinning;
static volatile pid_t spinner_tid;
static void *spinner(void *arg) {
    spinner_tid = gettid_();
    if (arg) {                                   /* block SIGUSR2 in this thread */
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGUSR2);
        pthread_sigmask(SIG_BLOCK, &s, NULL);
    }
    while (!stop_spinning) ms_sleep(1);
    return NULL;
}

static char altstack[65536];
static void *alt_thread(void *arg) {
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    spinner_tid = gettid_();
    while (!stop_spinning) ms_sleep(1);
    return arg;
}

static volatile long intr_result, intr_errno;
static void *interrupted_waiter(void *arg) {
    struct timespec t = {5, 0};
    spinner_tid = gettid_();
    errno = 0;
    intr_result = futex(&fword, FUTEX_WAIT_PRIVATE, 0, &t, NULL, 0);
    intr_errno = errno;
    return arg;
}

static void wait_for(volatile int *flag, int want) { for (int i = 0; i < 2000 && *flag < want; i++) ms_sleep(1); }

static void thread_signals(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_usr;
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);

    /* tgkill targets one thread: its handler runs there */
    pthread_t t;
    spinner_tid = 0; stop_spinning = 0; handler_hits = 0;
    pthread_create(&t, NULL, spinner, NULL);
    while (!spinner_tid) ms_sleep(1);
    CHECK_OK("tgkill-thread", syscall(SYS_tgkill, getpid(), spinner_tid, SIGUSR1));
    wait_for(&handler_hits, 1);
    CHECK_EQ("tgkill-handler-in-thread", handler_tid, spinner_tid);
    CHECK_ERR("tgkill-wrong-group", syscall(SYS_tgkill, getpid() + 100000, spinner_tid, 0), ESRCH);
    CHECK_ERR("tgkill-bad-signal", syscall(SYS_tgkill, getpid(), spinner_tid, 99), EINVAL);
    CHECK_OK("tkill-thread", syscall(SYS_tkill, spinner_tid, SIGUSR1));
    wait_for(&handler_hits, 2);
    CHECK_EQ("tkill-handler-in-thread", handler_tid, spinner_tid);
    CHECK_EQ("pthread-kill", pthread_kill(t, SIGUSR1), 0);
    wait_for(&handler_hits, 3);
    CHECK_EQ("pthread-kill-handler-in-thread", handler_tid, spinner_tid);
    stop_spinning = 1;
    pthread_join(t, NULL);
    ms_sleep(20);                                /* join returns when the tid word clears, a bit before the end */
    CHECK_ERR("tgkill-exited-thread", syscall(SYS_tgkill, getpid(), spinner_tid, 0), ESRCH);

    /* a process-directed signal goes to a thread that does not block it */
    sigset_t s, old;
    sigemptyset(&s);
    sigaddset(&s, SIGUSR2);
    pthread_sigmask(SIG_BLOCK, &s, &old);
    spinner_tid = 0; stop_spinning = 0; handler_hits = 0;
    pthread_create(&t, NULL, spinner, NULL);     /* inherits the mask: unblocks below */
    while (!spinner_tid) ms_sleep(1);
    stop_spinning = 1;
    pthread_join(t, NULL);
    spinner_tid = 0; stop_spinning = 0;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_create(&t, NULL, spinner, NULL);
    while (!spinner_tid) ms_sleep(1);
    pthread_sigmask(SIG_BLOCK, &s, NULL);        /* main blocks SIGUSR2, the thread does not */
    kill(getpid(), SIGUSR2);
    wait_for(&handler_hits, 1);
    CHECK_EQ("kill-goes-to-unblocking-thread", handler_tid, spinner_tid);
    stop_spinning = 1;
    pthread_join(t, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);

    /* the other way round: the thread blocks it, main takes it */
    spinner_tid = 0; stop_spinning = 0; handler_hits = 0;
    pthread_create(&t, NULL, spinner, (void *)1);
    while (!spinner_tid) ms_sleep(1);
    ms_sleep(5);
    kill(getpid(), SIGUSR2);
    wait_for(&handler_hits, 1);
    CHECK_EQ("kill-skips-blocking-thread", handler_tid, getpid());
    stop_spinning = 1;
    pthread_join(t, NULL);

    /* sigaltstack is per thread */
    sa.sa_flags = SA_ONSTACK;
    sigaction(SIGUSR1, &sa, NULL);
    spinner_tid = 0; stop_spinning = 0; handler_hits = 0;
    pthread_create(&t, NULL, alt_thread, NULL);
    while (!spinner_tid) ms_sleep(1);
    ms_sleep(5);
    syscall(SYS_tgkill, getpid(), spinner_tid, SIGUSR1);
    wait_for(&handler_hits, 1);
    CHECK("sigaltstack-thread-handler-on-its-stack",
          (char *)handler_sp >= altstack && (char *)handler_sp < altstack + sizeof altstack);
    stack_t mine;
    sigaltstack(NULL, &mine);
    CHECK("sigaltstack-main-unaffected", mine.ss_flags & SS_DISABLE);
    stop_spinning = 1;
    pthread_join(t, NULL);
    sa.sa_flags = 0;
    sigaction(SIGUSR1, &sa, NULL);

    /* a signal with a handler (no SA_RESTART) interrupts a futex wait in a thread: EINTR */
    fword = 0; spinner_tid = 0; intr_result = 1; handler_hits = 0;
    pthread_create(&t, NULL, interrupted_waiter, NULL);
    while (!spinner_tid) ms_sleep(1);
    for (int i = 0; i < 200 && intr_result == 1; i++) { ms_sleep(5); syscall(SYS_tgkill, getpid(), spinner_tid, SIGUSR1); }
    pthread_join(t, NULL);
    CHECK("futex-wait-eintr", intr_result == -1 && intr_errno == EINTR);

    /* SA_RESTART: a wait with a timeout still fails with EINTR; one without is restarted */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    fword = 0; spinner_tid = 0; intr_result = 1;
    pthread_create(&t, NULL, interrupted_waiter, NULL);
    while (!spinner_tid) ms_sleep(1);
    for (int i = 0; i < 200 && intr_result == 1; i++) { ms_sleep(5); syscall(SYS_tgkill, getpid(), spinner_tid, SIGUSR1); }
    pthread_join(t, NULL);
    CHECK("futex-wait-timeout-sa-restart-eintr", intr_result == -1 && intr_errno == EINTR);
    fword = 0; waiter_result = 1; spinner_tid = 0; handler_hits = 0;
    pthread_create(&t, NULL, futex_waiter, (void *)(long)FUTEX_WAIT_PRIVATE);
    long woke = 0;
    for (int i = 0; i < 500 && woke == 0; i++) {
        ms_sleep(2);
        if (handler_hits < 3) pthread_kill(t, SIGUSR1);
        else woke = futex(&fword, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    }
    pthread_join(t, NULL);
    CHECK("futex-wait-sa-restart-restarted", woke == 1 && waiter_result == 0);

    signal(SIGUSR1, SIG_DFL);
    signal(SIGUSR2, SIG_DFL);
}

/* ---- robust mutexes and the robust list ---- */
static pthread_mutex_t robust;
static void *lock_and_die(void *arg) {
    pthread_mutex_lock(&robust);
    return arg;                                  /* exits holding it */
}

static void *lock_sleep_die(void *arg) {
    pthread_mutex_lock(&robust);
    *(volatile int *)arg = 1;
    ms_sleep(30);
    return NULL;
}

static void robust_lists(void) {
    void *head = NULL;
    size_t len = 0;
    CHECK_OK("get-robust-list", syscall(SYS_get_robust_list, 0, &head, &len));
    CHECK("get-robust-list-set-by-libc", head != NULL && len == 24);
    CHECK_ERR("set-robust-list-bad-len", syscall(SYS_set_robust_list, head, 23), EINVAL);
    CHECK_ERR("get-robust-list-esrch", syscall(SYS_get_robust_list, 0x3fffffff, &head, &len), ESRCH);
    CHECK_ERR("get-robust-list-efault", syscall(SYS_get_robust_list, 0, BADPTR, &len), EFAULT);

    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    pthread_mutex_init(&robust, &a);
    pthread_t t;
    pthread_create(&t, NULL, lock_and_die, NULL);
    pthread_join(t, NULL);
    int r = pthread_mutex_lock(&robust);
    CHECK_EQ("robust-mutex-owner-died", r, EOWNERDEAD);
    if (r == EOWNERDEAD) CHECK_EQ("robust-mutex-consistent", pthread_mutex_consistent(&robust), 0);
    CHECK_EQ("robust-mutex-unlock", pthread_mutex_unlock(&robust), 0);
    CHECK_EQ("robust-mutex-relock", pthread_mutex_lock(&robust), 0);
    pthread_mutex_unlock(&robust);

    /* contended: the waiter sleeps in the kernel until the owner dies holding the lock */
    static volatile int locked;
    pthread_create(&t, NULL, lock_sleep_die, (void *)&locked);
    while (!locked) ms_sleep(1);
    r = pthread_mutex_lock(&robust);
    CHECK_EQ("robust-mutex-waiter-woken-owner-died", r, EOWNERDEAD);
    if (r == EOWNERDEAD) pthread_mutex_consistent(&robust);
    pthread_mutex_unlock(&robust);
    pthread_join(t, NULL);
}

/* ---- thread exit, exit_group, exec from a thread, fork from a threaded process ---- */
static int pipefd[2];
static void *late_writer(void *arg) {
    ms_sleep(50);
    if (write(pipefd[1], "x", 1) != 1) _exit(9);
    return arg;
}
static void *exit_group_thread(void *arg) { ms_sleep(20); _exit(7); return arg; }
static void *exec_thread(void *arg) {
    char *argv[] = {"sh", "-c", "exit 3", NULL};
    ms_sleep(20);
    execv("/bin/sh", argv);
    _exit(99);
    return arg;
}
static void *creator(void *arg) {
    pthread_t t;
    if (pthread_create(&t, NULL, identity, (void *)1) != 0) return (void *)1;
    pthread_join(t, NULL);
    return arg;
}
static void *sleeper(void *arg) { for (;;) pause(); return arg; }

static void exits(void) {
    int st = 0;
    if (pipe(pipefd) != 0) return;
    pid_t p = fork();
    if (p == 0) {
        pthread_t t;
        pthread_create(&t, NULL, late_writer, NULL);
        pthread_exit(NULL);                      /* main ends, the thread goes on */
    }
    char c = 0;
    CHECK_EQ("pthread-exit-main-others-continue", read(pipefd[0], &c, 1), 1);
    CHECK_EQ("pthread-exit-wait", waitpid(p, &st, 0), p);
    CHECK("pthread-exit-status-0", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    close(pipefd[0]);
    close(pipefd[1]);

    p = fork();
    if (p == 0) {
        pthread_t t;
        pthread_create(&t, NULL, sleeper, NULL);
        pthread_create(&t, NULL, exit_group_thread, NULL);
        for (;;) pause();
    }
    CHECK_EQ("exit-group-from-thread-wait", waitpid(p, &st, 0), p);
    CHECK("exit-group-from-thread-status", WIFEXITED(st) && WEXITSTATUS(st) == 7);

    p = fork();
    if (p == 0) {
        pthread_t t;
        pthread_create(&t, NULL, sleeper, NULL);
        ms_sleep(20);
        kill(getpid(), SIGTERM);
        for (;;) pause();
    }
    CHECK_EQ("fatal-signal-wait", waitpid(p, &st, 0), p);
    CHECK("fatal-signal-kills-all", WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);

    p = fork();
    if (p == 0) {
        pthread_t t;
        pthread_create(&t, NULL, sleeper, NULL);
        pthread_create(&t, NULL, exec_thread, NULL);
        for (;;) pause();
    }
    CHECK_EQ("exec-from-thread-wait", waitpid(p, &st, 0), p);
    CHECK("exec-from-thread-status", WIFEXITED(st) && WEXITSTATUS(st) == 3);

    p = fork();
    if (p == 0) {
        /* raw exit() of the last thread: the process reports the leader's exit code */
        syscall(SYS_exit, 4);
        _exit(1);
    }
    waitpid(p, &st, 0);
    CHECK("exit-last-thread-status", WIFEXITED(st) && WEXITSTATUS(st) == 4);

    /* fork from a threaded process: the child has only the forking thread */
    pthread_t t;
    stop_spinning = 0; spinner_tid = 0;
    pthread_create(&t, NULL, spinner, NULL);
    while (!spinner_tid) ms_sleep(1);
    p = fork();
    if (p == 0) {
        void *r = (void *)1;
        pthread_t c;
        if (pthread_create(&c, NULL, creator, NULL) == 0) pthread_join(c, &r);
        _exit(r == NULL ? 0 : 1);
    }
    waitpid(p, &st, 0);
    CHECK("fork-from-thread-child-threads", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    stop_spinning = 1;
    pthread_join(t, NULL);
}

/* ---- /proc, clone flag rules, memory from several threads ---- */
static volatile int mem_ok = 1;
static void *mapper(void *arg) {
    for (int i = 0; i < 200; i++) {
        char *m = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) { mem_ok = 0; return arg; }
        for (int j = 0; j < 65536; j += 4096) m[j] = (char)(i + j);
        for (int j = 0; j < 65536; j += 4096) if (m[j] != (char)(i + j)) mem_ok = 0;
        munmap(m, 65536);
    }
    return arg;
}

static int status_threads(void) {
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *p = strstr(buf, "Threads:");
    return p ? atoi(p + 8) : -1;
}

static void misc(void) {
    pthread_t t[4];
    for (int i = 0; i < 4; i++) pthread_create(&t[i], NULL, mapper, NULL);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    CHECK("mmap-munmap-fault-from-threads", mem_ok);

    stop_spinning = 0; spinner_tid = 0;
    pthread_create(&t[0], NULL, spinner, NULL);
    while (!spinner_tid) ms_sleep(1);
    CHECK_EQ("proc-status-threads", status_threads(), 2);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d", spinner_tid);
    struct stat sb;
    CHECK_OK("proc-task-tid", stat(path, &sb));
    stop_spinning = 1;
    pthread_join(t[0], NULL);

    CHECK_ERR("clone-thread-without-sighand", syscall(SYS_clone, CLONE_THREAD | CLONE_VM, NULL, NULL, NULL, NULL), EINVAL);
    CHECK_ERR("clone-sighand-without-vm", syscall(SYS_clone, CLONE_SIGHAND, NULL, NULL, NULL, NULL), EINVAL);
}

int main(void) {
    begin("threads");
    create_and_join();
    mutexes_and_condvars();
    futex_calls();
    thread_signals();
    robust_lists();
    exits();
    misc();
    return done();
}
