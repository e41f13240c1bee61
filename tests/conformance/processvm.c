/* process_vm_readv / process_vm_writev: copies to and from a child, partial transfers at an unmapped
 * page, the order of the checks (flags, local iovecs, remote iovecs, then the pid), ESRCH, EPERM
 * for a process the caller may not ptrace, EFAULT. */
#include "check.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/uio.h>

static char secret[64] = "the child's secret";
static char target[64];

int main(void) {
    begin("processvm");
    /* A page followed by an unmapped one, in both processes (mapped before the fork). */
    char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(two + 4096, 4096);
    memset(two, 'p', 4096);
    int ready[2], go[2];
    pipe(ready); pipe(go);
    pid_t child = fork();
    if (child == 0) {
        strcpy(secret, "changed in the child");
        memset(two, 'c', 4096);
        write(ready[1], "r", 1);
        char c;
        read(go[0], &c, 1);
        /* Report what the parent wrote into target. */
        write(ready[1], target, 16);
        _exit(0);
    }
    char c;
    read(ready[0], &c, 1);

    char buf[64] = {0};
    struct iovec l = {buf, sizeof buf}, r = {secret, 21};
    CHECK_EQ("readv", process_vm_readv(child, &l, 1, &r, 1, 0), 21);
    CHECK("readv-data", strcmp(buf, "changed in the child") == 0);
    /* Scatter: two local pieces, two remote pieces. */
    char a[5] = {0}, b[32] = {0};
    struct iovec l2[2] = {{a, 4}, {b, 8}}, r2[2] = {{secret, 3}, {secret + 8, 9}};
    CHECK_EQ("readv-scatter", process_vm_readv(child, l2, 2, r2, 2, 0), 12);
    CHECK("readv-scatter-data", memcmp(a, "chai", 4) == 0 && memcmp(b, "n the ch", 8) == 0);
    /* writev */
    struct iovec wl = {"written!", 9}, wr = {target, 9};
    CHECK_EQ("writev", process_vm_writev(child, &wl, 1, &wr, 1, 0), 9);
    /* Partial: the remote range runs into the unmapped page. */
    char *big = malloc(8192);
    struct iovec pl = {big, 8192}, pr = {two + 4000, 200};
    CHECK_EQ("readv-partial", process_vm_readv(child, &pl, 1, &pr, 1, 0), 96);
    CHECK("readv-partial-data", big[0] == 'c' && big[95] == 'c');
    struct iovec fr = {two + 4096, 16};
    CHECK_ERR("readv-remote-fault", process_vm_readv(child, &pl, 1, &fr, 1, 0), EFAULT);
    struct iovec bl = {BADPTR, 16};
    CHECK_ERR("readv-local-fault", process_vm_readv(child, &bl, 1, &r, 1, 0), EFAULT);
    CHECK_ERR("readv-local-vec-fault", syscall(SYS_process_vm_readv, child, BADPTR, 1, &r, 1, 0), EFAULT);
    CHECK_ERR("readv-remote-vec-fault", syscall(SYS_process_vm_readv, child, &l, 1, BADPTR, 1, 0), EFAULT);

    /* Order of checks. */
    CHECK_ERR("flags", process_vm_readv(child, &l, 1, &r, 1, 1), EINVAL);
    CHECK_ERR("too-many-local", process_vm_readv(child, &l, 1025, &r, 1, 0), EINVAL);
    CHECK_ERR("too-many-remote", process_vm_readv(child, &l, 1, &r, 1025, 0), EINVAL);
    struct iovec neg = {buf, (size_t)-1};
    CHECK_ERR("negative-len", process_vm_readv(child, &neg, 1, &r, 1, 0), EINVAL);
    CHECK_EQ("empty-local-before-pid", process_vm_readv(999999, &l, 0, &r, 1, 0), 0);
    struct iovec zero = {secret, 0};
    CHECK_EQ("empty-remote-before-pid", process_vm_readv(999999, &l, 1, &zero, 1, 0), 0);
    CHECK_ERR("esrch", process_vm_readv(999999, &l, 1, &r, 1, 0), ESRCH);
    CHECK_EQ("self", process_vm_readv(getpid(), &l, 1, &r, 1, 0), 21);
    CHECK("self-data", strcmp(buf, "the child's secret") == 0);

    write(go[1], "g", 1);
    char seen[16] = {0};
    read(ready[0], seen, 16);
    CHECK("writev-data", strcmp(seen, "written!") == 0);
    waitpid(child, NULL, 0);

    /* EPERM: another user's process (a child that drops to uid 1000 while we keep only ours). */
    pipe(ready);
    child = fork();
    if (child == 0) {
        setresgid(1000, 1000, 1000);
        setresuid(1000, 1000, 1000);
        write(ready[1], "r", 1);
        pause();
        _exit(0);
    }
    read(ready[0], &c, 1);
    pid_t other = fork();
    if (other == 0) {
        setresgid(1001, 1001, 1001);
        setresuid(1001, 1001, 1001);
        char t[64];
        struct iovec tl = {t, sizeof t}, tr = {secret, 8};
        errno = 0;
        long rc = process_vm_readv(child, &tl, 1, &tr, 1, 0);
        _exit(rc == -1 && errno == EPERM ? 0 : 1);
    }
    int st;
    waitpid(other, &st, 0);
    CHECK("eperm", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    return done();
}
