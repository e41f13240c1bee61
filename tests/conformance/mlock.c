/* mlock, mlock2, munlock, mlockall, munlockall and MAP_LOCKED (issue 13): VmLck in
 * /proc/self/status follows what is locked; RLIMIT_MEMLOCK binds a process without CAP_IPC_LOCK
 * (EPERM when it is 0, ENOMEM past it for mlock, EAGAIN for MAP_LOCKED); holes are ENOMEM. */
#include "check.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>

static long page;

/* VmLck in kB, or -1. */
static long vmlck(void) {
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    if (!f) return -1;
    while (fgets(line, sizeof line, f))
        if (sscanf(line, "VmLck: %ld kB", &v) == 1) break;
    fclose(f);
    return v;
}

static void *anon(size_t pages, int flags) {
    return mmap(NULL, pages * (size_t)page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
}

/* Without CAP_IPC_LOCK (an unprivileged user), RLIMIT_MEMLOCK binds. */
static void unprivileged(void) {
    struct rlimit r = { 0, 0 };
    char *p = anon(4, 0);
    CHECK_OK("setrlimit-zero", setrlimit(RLIMIT_MEMLOCK, &r));
    CHECK_OK("drop-root", setresuid(65534, 65534, 65534));
    CHECK_ERR("limit-zero-eperm", mlock(p, (size_t)page), EPERM);
    CHECK_ERR("limit-zero-mlockall-eperm", mlockall(MCL_CURRENT), EPERM);
    CHECK_ERR("limit-zero-map-locked-eperm", (long)anon(1, MAP_LOCKED) == -1 ? -1 : 0, EPERM);
    r.rlim_cur = r.rlim_max = 2 * (rlim_t)page;
    CHECK_ERR("raise-limit-unprivileged", setrlimit(RLIMIT_MEMLOCK, &(struct rlimit){ 4 * (rlim_t)page, 4 * (rlim_t)page }), EPERM);
    /* Lower than the hard limit 0 is impossible: use a fresh child for the non-zero limit below. */
    munmap(p, 4 * (size_t)page);
}

static void unprivileged_with_limit(void) {
    struct rlimit r = { 2 * (rlim_t)page, 2 * (rlim_t)page };
    char *p = anon(4, 0);
    CHECK_OK("setrlimit-two-pages", setrlimit(RLIMIT_MEMLOCK, &r));
    CHECK_OK("drop-root", setresuid(65534, 65534, 65534));
    CHECK_ERR("over-limit-enomem", mlock(p, 3 * (size_t)page), ENOMEM);
    CHECK_EQ("over-limit-nothing-locked", vmlck(), 0);
    CHECK_OK("within-limit", mlock(p, 2 * (size_t)page));
    CHECK_EQ("within-limit-vmlck", vmlck(), 2 * page / 1024);
    CHECK_OK("relock-counts-once", mlock(p, 2 * (size_t)page));
    CHECK_ERR("one-more-page-enomem", mlock(p + 2 * page, (size_t)page), ENOMEM);
    CHECK_ERR("map-locked-over-limit-eagain", (long)anon(1, MAP_LOCKED) == -1 ? -1 : 0, EAGAIN);
    CHECK_ERR("mlockall-current-over-limit", mlockall(MCL_CURRENT), ENOMEM);
    CHECK_OK("munlock", munlock(p, 2 * (size_t)page));
    CHECK_EQ("munlock-vmlck", vmlck(), 0);
    munmap(p, 4 * (size_t)page);
}

int main(void) {
    begin("mlock");
    page = sysconf(_SC_PAGESIZE);
    long base = vmlck();
    CHECK_EQ("vmlck-starts-at-zero", base, 0);

    char *p = anon(8, 0);
    CHECK("mmap", p != MAP_FAILED);
    CHECK_OK("mlock", mlock(p, 4 * (size_t)page));
    CHECK_EQ("mlock-vmlck", vmlck(), 4 * page / 1024);
    CHECK_OK("mlock-unaligned-start", mlock(p + 4 * page + 100, 10));        /* one more page */
    CHECK_EQ("mlock-unaligned-vmlck", vmlck(), 5 * page / 1024);
    CHECK("mlock-populated", p[0] == 0 && p[page] == 0);
    CHECK_OK("munlock-middle", munlock(p + page, 2 * (size_t)page));
    CHECK_EQ("munlock-middle-vmlck", vmlck(), 3 * page / 1024);
    CHECK_OK("munlock-all-of-it", munlock(p, 8 * (size_t)page));
    CHECK_EQ("munlock-vmlck", vmlck(), 0);
    CHECK_OK("mlock-zero-length", mlock(p, 0));

    /* Holes: ENOMEM, the part before the hole stays locked. */
    CHECK_OK("hole-make", munmap(p + 6 * page, (size_t)page));
    CHECK_ERR("mlock-over-hole", mlock(p + 4 * page, 4 * (size_t)page), ENOMEM);
    CHECK_EQ("mlock-over-hole-keeps-before", vmlck(), 2 * page / 1024);
    CHECK_ERR("mlock-unmapped", mlock(p + 6 * page, (size_t)page), ENOMEM);
    CHECK_ERR("munlock-over-hole", munlock(p + 4 * page, 4 * (size_t)page), ENOMEM);
    CHECK_OK("munlock-before-hole", munlock(p, 6 * (size_t)page));
    CHECK_EQ("munlock-before-hole-vmlck", vmlck(), 0);

    /* mlock2 */
    CHECK_ERR("mlock2-bad-flags", syscall(SYS_mlock2, p, (size_t)page, 2), EINVAL);
    CHECK_OK("mlock2-onfault", syscall(SYS_mlock2, p, 2 * (size_t)page, MLOCK_ONFAULT));
    CHECK_EQ("mlock2-onfault-vmlck", vmlck(), 2 * page / 1024);
    CHECK_OK("munlock-onfault", munlock(p, 2 * (size_t)page));
    munmap(p, 8 * (size_t)page);

    /* MAP_LOCKED */
    char *q = anon(3, MAP_LOCKED);
    CHECK("map-locked", q != MAP_FAILED);
    CHECK_EQ("map-locked-vmlck", vmlck(), 3 * page / 1024);
    CHECK_OK("map-locked-unmap", munmap(q, 3 * (size_t)page));
    CHECK_EQ("map-locked-unmap-vmlck", vmlck(), 0);

    /* mlockall / munlockall */
    CHECK_ERR("mlockall-zero", mlockall(0), EINVAL);
    CHECK_ERR("mlockall-onfault-alone", mlockall(MCL_ONFAULT), EINVAL);
    CHECK_ERR("mlockall-bad-flag", mlockall(8), EINVAL);
    CHECK_OK("mlockall-future", mlockall(MCL_FUTURE));
    CHECK_EQ("mlockall-future-nothing-now", vmlck(), 0);
    q = anon(2, 0);
    CHECK_EQ("mlockall-future-new-mapping", vmlck(), 2 * page / 1024);
    CHECK_OK("munlockall", munlockall());
    CHECK_EQ("munlockall-vmlck", vmlck(), 0);
    char *r = anon(2, 0);
    CHECK_EQ("after-munlockall-not-locked", vmlck(), 0);
    CHECK_OK("mlockall-current", mlockall(MCL_CURRENT));
    CHECK("mlockall-current-vmlck", vmlck() > 4 * page / 1024);
    CHECK_OK("munlockall-again", munlockall());
    CHECK_EQ("munlockall-again-vmlck", vmlck(), 0);
    munmap(q, 2 * (size_t)page);
    munmap(r, 2 * (size_t)page);

    checks_in_child(unprivileged);
    checks_in_child(unprivileged_with_limit);
    return done();
}
