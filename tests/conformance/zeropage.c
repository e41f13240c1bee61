/* The shared zero page (issue 13): reading untouched private anonymous memory maps the one zero page
 * read-only (no frame taken: MemFree and VmRSS do not move; mincore and pagemap see the pages
 * present, not exclusive); the first write gives a private zeroed page; fork after reading, then a
 * write in the child, leaves the parent's zeros; MAP_POPULATE and mlock of a writable private
 * mapping populate for writing (frames taken), of a read-only one with the zero page; a shared
 * page locked by two processes counts once in Mlocked. */
#include "check.h"
#include <sys/mman.h>

#define KB 1024L
#define MB (1024L * KB)

static long rss_kb(void) { return proc_field("/proc/self/status", "VmRSS"); }

static unsigned read_all(volatile unsigned char *p, long len) {
    unsigned sum = 0;
    for (long i = 0; i < len; i += 4096) sum |= p[i] | p[i + 4095];
    return sum;
}

static uint64_t pagemap(void *address) {
    uint64_t e = 0;
    int fd = open("/proc/self/pagemap", O_RDONLY);
    if (fd < 0 || pread(fd, &e, 8, (off_t)((uintptr_t)address / 4096) * 8) != 8) e = ~0ull;
    if (fd >= 0) close(fd);
    return e;
}

static void read_then_write(void) {
    long len = 64 * MB;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("mmap", p != MAP_FAILED);
    if (p == MAP_FAILED) return;
    long free0 = meminfo_now("MemFree"), rss0 = rss_kb();
    CHECK_EQ("read-zeros", read_all(p, len), 0);
    long free1 = meminfo_now("MemFree"), rss1 = rss_kb();
    /* Only page tables (32 of them for 64 MiB) may be taken; 64 MiB of frames would be. */
    if (free0 - free1 < 8 * MB / KB) passed++; else fail("read-memfree", "MemFree fell by %ld kB reading 64 MiB", free0 - free1);
    if (rss1 - rss0 < 4 * MB / KB) passed++; else fail("read-rss", "VmRSS grew by %ld kB reading 64 MiB", rss1 - rss0);
    /* A small mapping for pagemap and mincore: no transparent huge (zero) page can back it. */
    unsigned char *q = mmap(NULL, 4 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_EQ("small-read-zeros", read_all(q, 4 * 4096), 0);
    unsigned char vec[4] = {0};
    CHECK_OK("mincore", mincore(q, 4 * 4096, vec));
    CHECK("mincore-present", vec[0] == 1 && vec[3] == 1);
    uint64_t e = pagemap(q);
    CHECK("pagemap-present", (e >> 63) & 1);
    CHECK("pagemap-not-exclusive", !((e >> 56) & 1));
    CHECK("pagemap-not-file", !((e >> 61) & 1));
    q[1] = 1;
    e = pagemap(q);
    CHECK("pagemap-exclusive-after-write", ((e >> 63) & 1) && ((e >> 56) & 1));
    munmap(q, 4 * 4096);

    /* Writes give private pages, zeroed, one frame each. */
    for (long i = 0; i < len; i += 4096) p[i + 1] = (unsigned char)(i >> 12) | 1;
    long free2 = meminfo_now("MemFree");
    if (free1 - free2 > 48 * MB / KB) passed++; else fail("write-memfree", "MemFree fell by only %ld kB writing 64 MiB", free1 - free2);
    int bad = 0;
    for (long i = 0; i < len; i += 4096)
        if (p[i] != 0 || p[i + 1] != ((unsigned char)(i >> 12) | 1) || p[i + 4095] != 0) bad++;
    CHECK_EQ("write-private-zeroed", bad, 0);
    CHECK_OK("munmap", munmap(p, len));
}

static void fork_after_read(void) {
    long len = 64 * 4096;
    unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("fork-mmap", p != MAP_FAILED);
    if (p == MAP_FAILED) return;
    CHECK_EQ("fork-read", read_all(p, len), 0);
    pid_t c = fork();
    if (c == 0) {
        for (long i = 0; i < len; i++) p[i] = 0x5a;
        int ok = 1;
        for (long i = 0; i < len; i++) ok &= p[i] == 0x5a;
        _exit(ok ? 0 : 1);
    }
    int st = -1;
    waitpid(c, &st, 0);
    CHECK("fork-child-wrote", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    int bad = 0;
    for (long i = 0; i < len; i++) bad += p[i] != 0;
    CHECK_EQ("fork-parent-zeros", bad, 0);
    for (long i = 0; i < len; i += 4096) p[i] = 7;
    CHECK_EQ("fork-parent-writes", p[4096] + p[4097], 7);
    munmap(p, len);
}

static void mprotect_after_read(void) {
    long len = 8 * 4096;
    unsigned char *p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_EQ("mprotect-read", read_all(p, len), 0);
    CHECK_OK("mprotect", mprotect(p, len, PROT_READ | PROT_WRITE));
    p[4096 + 5] = 9;
    CHECK_EQ("mprotect-write", p[4096 + 5] + p[4096 + 6] + p[0] + p[2 * 4096 + 5], 9);
    CHECK_OK("madvise-dontneed", madvise(p, len, MADV_DONTNEED));
    CHECK_EQ("dontneed-zeros", read_all(p, len) | p[4096 + 5], 0);
    munmap(p, len);
}

static void populate(void) {
    long len = 32 * MB;
    long free0 = meminfo_now("MemFree");
    void *r = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    long free1 = meminfo_now("MemFree");
    CHECK("populate-read-mmap", r != MAP_FAILED);
    if (free0 - free1 < 8 * MB / KB) passed++; else fail("populate-read-memfree", "MemFree fell by %ld kB", free0 - free1);
    unsigned char vec[1] = {0};
    CHECK("populate-read-present", mincore((char *)r + len - 4096, 4096, vec) == 0 && vec[0] == 1);
    void *w = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    long free2 = meminfo_now("MemFree");
    CHECK("populate-write-mmap", w != MAP_FAILED);
    if (free1 - free2 > 24 * MB / KB) passed++; else fail("populate-write-memfree", "MemFree fell by only %ld kB", free1 - free2);
    munmap(r, len);
    munmap(w, len);

    /* mlock populates a writable private mapping for writing, even over zero pages read before. */
    long small = 4 * MB;
    unsigned char *m = mmap(NULL, small, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_EQ("mlock-read", read_all(m, small), 0);
    long free3 = meminfo_now("MemFree");
    CHECK_OK("mlock", mlock(m, small));
    long free4 = meminfo_now("MemFree");
    if (free3 - free4 > 3 * MB / KB) passed++; else fail("mlock-write-memfree", "MemFree fell by only %ld kB", free3 - free4);
    uint64_t e = pagemap(m);
    CHECK("mlock-exclusive", ((e >> 63) & 1) && ((e >> 56) & 1));
    munmap(m, small);
}

/* Four shared pages locked by this process and by a child: Mlocked counts them once. */
static void mlocked_once(void) {
    long len = 4 * 4096;
    unsigned char *s = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int go[2], ready[2];
    if (s == MAP_FAILED || pipe(go) || pipe(ready)) { fail("mlocked-setup", "mmap or pipe failed"); return; }
    long before = meminfo_now("Mlocked");
    CHECK_OK("mlocked-parent", mlock(s, len));
    pid_t c = fork();
    char b = 0;
    if (c == 0) {
        int ok = mlock(s, len) == 0;
        (void)!write(ready[1], &b, 1);
        (void)!read(go[0], &b, 1);
        _exit(ok ? 0 : 1);
    }
    (void)!read(ready[0], &b, 1);
    long both = meminfo_now("Mlocked");
    (void)!write(go[1], &b, 1);
    int st = -1;
    waitpid(c, &st, 0);
    CHECK("mlocked-child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_EQ("mlocked-counted-once", both - before, len / KB);
    munlock(s, len);
    munmap(s, len);
}

int main(void) {
    begin("zeropage");
    read_then_write();
    fork_after_read();
    mprotect_after_read();
    populate();
    mlocked_once();
    return done();
}
