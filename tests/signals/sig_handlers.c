/* Signal handlers and the signal frame: registers and FP state survive a handler, siginfo fields,
 * faults caught and escaped with siglongjmp, SA_RESETHAND, SA_NODEFER, SA_ONSTACK, pending and
 * blocked sets, delivery order, real-time queueing, rt_sigreturn editing and validating the frame. */
#define _GNU_SOURCE
#include <signal.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <ucontext.h>
#include <sys/wait.h>
#include <sys/syscall.h>
#include "check.h"

static volatile int hits, last_sig;
static volatile int order[8], norder;
static siginfo_t last_info;
static sigjmp_buf escape;
static volatile int blocked_inside;

static void on_plain(int sig) { hits++; last_sig = sig; }
static void on_info(int sig, siginfo_t *si, void *uc) { (void)uc; hits++; last_sig = sig; last_info = *si; }
static void on_order(int sig) { if (norder < 8) order[norder++] = sig; }
static void on_mask(int sig) {
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    blocked_inside = sigismember(&now, sig);
    hits++;
}
static void on_fault(int sig, siginfo_t *si, void *uc) { (void)uc; last_sig = sig; last_info = *si; siglongjmp(escape, 1); }

static void install(int sig, void (*h)(int), int flags) {
    struct sigaction sa = {0};
    sa.sa_handler = h;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}
static void install_info(int sig, void (*h)(int, siginfo_t *, void *), int flags) {
    struct sigaction sa = {0};
    sa.sa_sigaction = h;
    sa.sa_flags = flags | SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* The handler scribbles over caller-saved general and vector registers. */
static void on_clobber(int sig) {
    (void)sig;
    hits++;
    __asm__ volatile("mov x9, #0\n mov x10, #0\n mov x15, #0\n movi v8.16b, #0\n movi v16.16b, #0\n movi v31.16b, #0\n"
                     "msr fpsr, xzr\n" ::: "x9", "x10", "x15", "v8", "v16", "v31");
}

static void test_registers_survive(void) {
    install(SIGUSR1, on_clobber, 0);
    uint64_t out[12] __attribute__((aligned(16)));
    long pid = getpid();
    hits = 0;
    /* kill(getpid(), SIGUSR1) straight from asm: the handler runs on this very syscall's return. */
    __asm__ volatile(
        "mov x9, #0x1111\n mov x10, #0x2222\n mov x15, #0x3333\n"
        "movi v16.16b, #0x12\n movi v31.16b, #0x34\n movi v8.16b, #0x56\n"
        "mov x0, #0x8000000\n msr fpsr, x0\n"            /* QC bit */
        "mov x0, %1\n mov x1, #10\n mov x8, #129\n svc #0\n"
        "str x0, [%0, #0]\n str x9, [%0, #8]\n str x10, [%0, #16]\n str x15, [%0, #24]\n"
        "str q16, [%0, #32]\n str q31, [%0, #48]\n str q8, [%0, #64]\n"
        "mrs x1, fpsr\n str x1, [%0, #80]\n"
        :: "r"(out), "r"(pid) : "x0", "x1", "x8", "x9", "x10", "x15", "v8", "v16", "v31", "memory");
    CHECK(hits == 1, "handler ran %d times", hits);
    CHECK(out[0] == 0, "kill returned %lx", (unsigned long)out[0]);
    CHECK(out[1] == 0x1111 && out[2] == 0x2222 && out[3] == 0x3333, "x9 %lx x10 %lx x15 %lx",
          (unsigned long)out[1], (unsigned long)out[2], (unsigned long)out[3]);
    CHECK(out[4] == 0x1212121212121212ull && out[5] == 0x1212121212121212ull, "v16 %lx", (unsigned long)out[4]);
    CHECK(out[6] == 0x3434343434343434ull && out[7] == 0x3434343434343434ull, "v31 %lx", (unsigned long)out[6]);
    CHECK(out[8] == 0x5656565656565656ull && out[9] == 0x5656565656565656ull, "v8 %lx", (unsigned long)out[8]);
    CHECK((out[10] & 0x8000000) != 0, "fpsr %lx", (unsigned long)out[10]);
}

static void test_siginfo_kill(void) {
    install_info(SIGUSR2, on_info, 0);
    hits = 0;
    kill(getpid(), SIGUSR2);
    CHECK(hits == 1, "hits %d", hits);
    CHECK(last_info.si_signo == SIGUSR2, "si_signo %d", last_info.si_signo);
    CHECK(last_info.si_code == SI_USER, "si_code %d", last_info.si_code);
    CHECK(last_info.si_pid == getpid(), "si_pid %d", last_info.si_pid);
    raise(SIGUSR2);                                  /* tgkill */
    CHECK(last_info.si_code == SI_TKILL, "raise si_code %d", last_info.si_code);
}

static void test_segv_caught(void) {
    install_info(SIGSEGV, on_fault, 0);
    last_sig = 0;
    if (sigsetjmp(escape, 1) == 0) {
        volatile int *volatile bad = (volatile int *)0x10;
        *bad = 1;
        CHECK(0, "no fault");
    }
    CHECK(last_sig == SIGSEGV, "sig %d", last_sig);
    CHECK(last_info.si_code == SEGV_MAPERR, "si_code %d", last_info.si_code);
    CHECK(last_info.si_addr == (void *)0x10, "si_addr %p", last_info.si_addr);
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK(!sigismember(&now, SIGSEGV), "siglongjmp restored the mask");
    /* A second fault is caught the same way. */
    if (sigsetjmp(escape, 1) == 0) { *(volatile char *)0x1234 = 1; }
    CHECK(last_info.si_addr == (void *)0x1234, "second si_addr %p", last_info.si_addr);
    signal(SIGSEGV, SIG_DFL);
}

static void on_ill(int sig, siginfo_t *si, void *ucp) {
    ucontext_t *uc = ucp;
    last_sig = sig; last_info = *si;
    uc->uc_mcontext.pc += 4;                         /* skip the undefined instruction */
    uc->uc_mcontext.regs[0] = 0x77;
}

static void test_ill_skipped(void) {
    install_info(SIGILL, on_ill, 0);
    uint64_t x0 = 0;
    void *where = 0;
    __asm__ volatile("adr %1, 1f\n mov x0, #0\n 1: .inst 0x00000000\n mov %0, x0\n" : "=r"(x0), "=r"(where) :: "x0");
    CHECK(last_sig == SIGILL, "sig %d", last_sig);
    CHECK(last_info.si_code == ILL_ILLOPC, "si_code %d", last_info.si_code);
    CHECK(last_info.si_addr == where, "si_addr %p vs %p", last_info.si_addr, where);
    CHECK(x0 == 0x77, "x0 from the edited frame %lx", (unsigned long)x0);
    signal(SIGILL, SIG_DFL);
}

static void test_resethand(void) {
    install(SIGUSR1, on_plain, SA_RESETHAND);
    hits = 0;
    raise(SIGUSR1);
    struct sigaction now;
    sigaction(SIGUSR1, NULL, &now);
    CHECK(hits == 1, "hits %d", hits);
    CHECK(now.sa_handler == SIG_DFL, "reset to SIG_DFL");
}

static void test_nodefer(void) {
    install(SIGUSR1, on_mask, 0);
    raise(SIGUSR1);
    CHECK(blocked_inside == 1, "blocked inside without SA_NODEFER");
    install(SIGUSR1, on_mask, SA_NODEFER);
    raise(SIGUSR1);
    CHECK(blocked_inside == 0, "not blocked inside with SA_NODEFER");
    sigset_t now;
    sigprocmask(SIG_BLOCK, NULL, &now);
    CHECK(!sigismember(&now, SIGUSR1), "mask restored after the handler");
}

static void test_pending_order(void) {
    sigset_t both, pending;
    sigemptyset(&both); sigaddset(&both, SIGUSR1); sigaddset(&both, SIGUSR2);
    struct sigaction sa = {0};
    sa.sa_handler = on_order;
    sa.sa_mask = both;                               /* each handler runs with the other blocked */
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigprocmask(SIG_BLOCK, &both, NULL);
    norder = 0;
    raise(SIGUSR2); raise(SIGUSR1); raise(SIGUSR1);  /* standard signals coalesce */
    CHECK(norder == 0, "nothing delivered while blocked");
    sigpending(&pending);
    CHECK(sigismember(&pending, SIGUSR1) && sigismember(&pending, SIGUSR2), "both pending");
    sigprocmask(SIG_UNBLOCK, &both, NULL);
    CHECK(norder == 2, "delivered %d", norder);
    CHECK(order[0] == SIGUSR1 && order[1] == SIGUSR2, "order %d %d", order[0], order[1]);
    sigpending(&pending);
    CHECK(!sigismember(&pending, SIGUSR1) && !sigismember(&pending, SIGUSR2), "none pending");
}

static void test_realtime_queue(void) {
    int rt = SIGRTMIN + 1;
    sigset_t set;
    sigemptyset(&set); sigaddset(&set, rt);
    install(rt, on_plain, 0);
    sigprocmask(SIG_BLOCK, &set, NULL);
    hits = 0;
    for (int i = 0; i < 3; i++) kill(getpid(), rt);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    CHECK(hits == 3, "real-time signal queued %d times", hits);
}

static char altstack[65536] __attribute__((aligned(16)));
static volatile uintptr_t handler_sp;
static void on_stack(int sig) { (void)sig; int local; handler_sp = (uintptr_t)&local; hits++; }

static void test_altstack(void) {
    stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0 }, old;
    CHECK(sigaltstack(&ss, NULL) == 0, "sigaltstack: %s", strerror(errno));
    install(SIGUSR1, on_stack, SA_ONSTACK);
    raise(SIGUSR1);
    CHECK(handler_sp >= (uintptr_t)altstack && handler_sp < (uintptr_t)altstack + sizeof altstack, "handler on the alt stack");
    install(SIGUSR1, on_stack, 0);
    raise(SIGUSR1);
    CHECK(!(handler_sp >= (uintptr_t)altstack && handler_sp < (uintptr_t)altstack + sizeof altstack), "not without SA_ONSTACK");
    sigaltstack(NULL, &old);
    CHECK(old.ss_sp == altstack && old.ss_size == sizeof altstack && old.ss_flags == 0, "sigaltstack reads back");
    ss.ss_size = 100;
    CHECK(sigaltstack(&ss, NULL) == -1 && errno == ENOMEM, "too small: ENOMEM");
    ss.ss_flags = SS_DISABLE;
    CHECK(sigaltstack(&ss, NULL) == 0, "disable");
}

static void on_bad_return(int sig, siginfo_t *si, void *ucp) {
    (void)sig; (void)si;
    ucontext_t *uc = ucp;
    uc->uc_mcontext.pstate |= 0x5;                   /* EL1h: rt_sigreturn must refuse */
}

static void test_bad_sigreturn(void) {
    pid_t child = fork();
    if (child == 0) {
        install_info(SIGUSR1, on_bad_return, 0);
        raise(SIGUSR1);
        _exit(0);
    }
    int status = 0;
    waitpid(child, &status, 0);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV, "status %#x", status);
}

static void test_errors(void) {
    struct sigaction sa = {0};
    sa.sa_handler = on_plain;
    CHECK(sigaction(SIGKILL, &sa, NULL) == -1 && errno == EINVAL, "SIGKILL: EINVAL");
    CHECK(syscall(SYS_rt_sigaction, 65, &sa, NULL, 8) == -1 && errno == EINVAL, "signal 65: EINVAL");
    CHECK(syscall(SYS_rt_sigprocmask, 7, NULL, NULL, 8) == 0 || errno == EINVAL, "bad how without a set");
    sigset_t s; sigemptyset(&s);
    CHECK(sigprocmask(7, &s, NULL) == -1 && errno == EINVAL, "bad how: EINVAL");
    CHECK(syscall(SYS_rt_sigaction, SIGUSR1, (void *)8, NULL, 8) == -1 && errno == EFAULT, "bad pointer: EFAULT");
    CHECK(kill(getpid(), 99) == -1 && errno == EINVAL, "kill 99: EINVAL");
    CHECK(kill(getpid(), 0) == 0, "kill 0 checks existence");
    CHECK(kill(999999, 0) == -1 && errno == ESRCH, "no such pid: ESRCH");
    sigfillset(&s);
    sigprocmask(SIG_SETMASK, &s, NULL);
    sigprocmask(SIG_SETMASK, NULL, &s);
    CHECK(!sigismember(&s, SIGKILL) && !sigismember(&s, SIGSTOP), "SIGKILL/SIGSTOP never blocked");
    sigemptyset(&s);
    sigprocmask(SIG_SETMASK, &s, NULL);
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("# %s\n", "test_registers_survive"); test_registers_survive();
    printf("# %s\n", "test_siginfo_kill"); test_siginfo_kill();
    printf("# %s\n", "test_segv_caught"); test_segv_caught();
    printf("# %s\n", "test_ill_skipped"); test_ill_skipped();
    printf("# %s\n", "test_resethand"); test_resethand();
    printf("# %s\n", "test_nodefer"); test_nodefer();
    printf("# %s\n", "test_pending_order"); test_pending_order();
    printf("# %s\n", "test_realtime_queue"); test_realtime_queue();
    printf("# %s\n", "test_altstack"); test_altstack();
    printf("# %s\n", "test_bad_sigreturn"); test_bad_sigreturn();
    printf("# %s\n", "test_errors"); test_errors();
    return report("sig_handlers");
}
