/* Catching the faults a memory access raises (for programs that check SIGSEGV and SIGBUS): call
 * catch_faults() once, then touch(p, write) reads or writes *p and returns the signal it raised (0
 * if none), with its si_code in faultCode and its address in faultAddress. */
#include <setjmp.h>
#include <signal.h>

static sigjmp_buf jump;
static volatile int faultSignal, faultCode;
static void *volatile faultAddress;

static void onFault(int sig, siginfo_t *info, void *context) {
    (void)context;
    faultSignal = sig;
    faultCode = info->si_code;
    faultAddress = info->si_addr;
    siglongjmp(jump, 1);
}

static void catch_faults(void) {
    struct sigaction sa = {0};
    sa.sa_sigaction = onFault;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigaction(SIGBUS, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
}

/* Reads (or writes) *p; returns the signal it raised, 0 if none. */
static int touch(volatile char *p, int write) {
    faultSignal = 0;
    faultCode = 0;
    if (sigsetjmp(jump, 1) == 0) {
        if (write) *p = 'w'; else (void)*p;
    }
    return faultSignal;
}
