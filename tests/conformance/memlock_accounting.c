/* Locked memory is accounted (issue 13): shmctl(SHM_LOCK) charges the segment's size to the caller's
 * RLIMIT_MEMLOCK (per user, across segments, unless CAP_IPC_LOCK: ENOMEM past it, EPERM with a limit
 * of 0), SHM_UNLOCK and the segment's removal give it back; mlock shows in /proc/meminfo's Mlocked
 * and Unevictable and leaves them on munlock. */
#include "check.h"
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>

#define KB 1024L

/* As an unprivileged user (no CAP_IPC_LOCK) with RLIMIT_MEMLOCK = 64 KiB. */
static void shm_lock_limit(void) {
    struct rlimit r = { 64 * KB, 64 * KB };
    CHECK_OK("setrlimit", setrlimit(RLIMIT_MEMLOCK, &r));
    CHECK_OK("setuid", setuid(4321));
    int big = shmget(IPC_PRIVATE, 128 * KB, IPC_CREAT | 0600);
    int a = shmget(IPC_PRIVATE, 40 * KB, IPC_CREAT | 0600);
    int b = shmget(IPC_PRIVATE, 24 * KB, IPC_CREAT | 0600);
    int c = shmget(IPC_PRIVATE, 1, IPC_CREAT | 0600);            /* one page, charged whole */
    CHECK("created", big >= 0 && a >= 0 && b >= 0 && c >= 0);
    struct shmid_ds ds;
    CHECK_ERR("too-big", shmctl(big, SHM_LOCK, NULL), ENOMEM);
    CHECK_OK("stat-big", shmctl(big, IPC_STAT, &ds));
    CHECK("big-not-locked", !(ds.shm_perm.mode & SHM_LOCKED));
    CHECK_OK("lock-a", shmctl(a, SHM_LOCK, NULL));
    CHECK_OK("lock-a-again", shmctl(a, SHM_LOCK, NULL));         /* not charged twice */
    CHECK_OK("lock-b", shmctl(b, SHM_LOCK, NULL));               /* 40 + 24 = 64 KiB: at the limit */
    CHECK_ERR("over-limit", shmctl(c, SHM_LOCK, NULL), ENOMEM);  /* the limit is per user, across segments */
    CHECK_OK("stat-a", shmctl(a, IPC_STAT, &ds));
    CHECK("a-locked", ds.shm_perm.mode & SHM_LOCKED);
    CHECK_OK("unlock-b", shmctl(b, SHM_UNLOCK, NULL));
    CHECK_OK("unlock-b-again", shmctl(b, SHM_UNLOCK, NULL));
    CHECK_OK("lock-c", shmctl(c, SHM_LOCK, NULL));               /* b's 24 KiB came back */
    CHECK_OK("rm-a", shmctl(a, IPC_RMID, NULL));                 /* a's 40 KiB come back with it */
    CHECK_OK("lock-b-after-rm", shmctl(b, SHM_LOCK, NULL));
    CHECK_OK("unlock-all", shmctl(b, SHM_UNLOCK, NULL) | shmctl(c, SHM_UNLOCK, NULL));
    struct rlimit zero = { 0, 0 };
    CHECK_OK("setrlimit-0", setrlimit(RLIMIT_MEMLOCK, &zero));
    CHECK_ERR("limit-0", shmctl(c, SHM_LOCK, NULL), EPERM);
    CHECK_OK("unlock-unlocked-limit-0", shmctl(c, SHM_UNLOCK, NULL));
    shmctl(big, IPC_RMID, NULL); shmctl(b, IPC_RMID, NULL); shmctl(c, IPC_RMID, NULL);
}

/* Root (CAP_IPC_LOCK) passes the limit. */
static void shm_lock_privileged(void) {
    struct rlimit r = { 4 * KB, 4 * KB };
    CHECK_OK("priv-setrlimit", setrlimit(RLIMIT_MEMLOCK, &r));
    int s = shmget(IPC_PRIVATE, 256 * KB, IPC_CREAT | 0600);
    CHECK_OK("priv-lock", shmctl(s, SHM_LOCK, NULL));
    CHECK_OK("priv-rm", shmctl(s, IPC_RMID, NULL));
}

int main(void) {
    begin("memlock_accounting");
    checks_in_child(shm_lock_limit);
    checks_in_child(shm_lock_privileged);

    long size = 1024 * KB;
    long mlocked = meminfo_now("Mlocked"), unevictable = meminfo_now("Unevictable");
    char *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("mmap", p != MAP_FAILED);
    CHECK_OK("mlock", mlock(p, size));
    long locked = meminfo_now("Mlocked") - mlocked, locked2 = meminfo_now("Unevictable") - unevictable;
    if (locked < 1024 || locked > 1024 + 256) fail("mlocked-counted", "Mlocked grew by %ld kB, expected 1024", locked);
    else passed++;
    if (locked2 < 1024 || locked2 > 1024 + 256) fail("unevictable-counted", "Unevictable grew by %ld kB, expected 1024", locked2);
    else passed++;
    /* Memory locks are not inherited by a fork child (its VmLck is 0). */
    pid_t k = fork();
    if (k == 0) _exit(proc_field("/proc/self/status", "VmLck") == 0 ? 0 : 1);
    int kst;
    waitpid(k, &kst, 0);
    CHECK_EQ("fork-not-inherited", WEXITSTATUS(kst), 0);
    CHECK_OK("munlock-half", munlock(p, size / 2));
    locked = meminfo_now("Mlocked") - mlocked;
    if (locked < 512 || locked > 512 + 256) fail("munlock-half-counted", "Mlocked is %ld kB above, expected 512", locked);
    else passed++;
    CHECK_OK("munmap", munmap(p, size));                         /* unmapping locked pages unlocks them */
    locked = meminfo_now("Mlocked") - mlocked;
    if (locked < -256 || locked > 256) fail("munmap-counted", "Mlocked is %ld kB above, expected 0", locked);
    else passed++;
    /* mlockall(MCL_CURRENT) then exit: the process's locked pages go with it. */
    pid_t c = fork();
    if (c == 0) {
        char *q = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (q == MAP_FAILED || mlock(q, size) != 0) _exit(1);
        _exit(meminfo_now("Mlocked") - mlocked >= 1024 ? 0 : 2);
    }
    int st;
    waitpid(c, &st, 0);
    CHECK_EQ("child-counted", WEXITSTATUS(st), 0);
    locked = meminfo_now("Mlocked") - mlocked;
    if (locked < -256 || locked > 256) fail("exit-counted", "Mlocked is %ld kB above after the child's exit, expected 0", locked);
    else passed++;
    return done();
}
