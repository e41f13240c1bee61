/* brk, mmap, munmap, mprotect, mremap (faults checked in a child: a SIGSEGV kills the child, not the
 * test), madvise, mlock family, mincore, msync, membarrier, shared anonymous memory across fork. */
#include "check.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif

static int child_faults(void (*fn)(void *), void *arg) {   /* 1 if fn(arg) dies with SIGSEGV */
    pid_t p = fork();
    if (p == 0) { fn(arg); _exit(0); }
    int st = 0;
    waitpid(p, &st, 0);
    return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV;
}
static void poke(void *p) { *(volatile char *)p = 1; }
static int child_signal(void (*fn)(void *), void *arg) {  /* the signal that ended fn(arg), 0 if none */
    pid_t p = fork();
    if (p == 0) { fn(arg); _exit(0); }
    int st = 0;
    waitpid(p, &st, 0);
    return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
}
static void peek(void *p) { (void)*(volatile char *)p; }

/* mremap with hostile sizes and addresses: Linux's errnos (a Swift arithmetic trap here panicked Lichen) */
static void mremap_hostile(long page) {
    char *r = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    r[0] = 'x';
    char *h = mmap(NULL, 3 * page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);   /* a hole at h + page */
    munmap(h + page, page);
    CHECK_ERR("mremap-huge-old-size", syscall(SYS_mremap, r, 1ull << 60, 1ull << 61, MREMAP_MAYMOVE, 0), EFAULT);
    CHECK_ERR("mremap-grow-huge", syscall(SYS_mremap, r + page, page, 1ull << 62, 0, 0), ENOMEM);
    CHECK_ERR("mremap-grow-huge-maymove", syscall(SYS_mremap, r + page, page, 1ull << 62, MREMAP_MAYMOVE, 0), ENOMEM);
    CHECK_ERR("mremap-new-size-wraps", syscall(SYS_mremap, r, page, -1ull, MREMAP_MAYMOVE, 0), EINVAL);
    CHECK_ERR("mremap-old-addr-top", syscall(SYS_mremap, -4096ull, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, 0x200000000ull), EFAULT);
    CHECK_ERR("mremap-fixed-past-user-space", syscall(SYS_mremap, r, page, page, MREMAP_MAYMOVE | MREMAP_FIXED, 1ull << 48), EINVAL);
    CHECK_ERR("mremap-fixed-new-wraps", syscall(SYS_mremap, r, page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, -4096ull), EINVAL);
    CHECK_ERR("mremap-shrink-tail-wraps", syscall(SYS_mremap, r, -8192ull, page, 0, 0), EINVAL);
    CHECK_ERR("mremap-old-size-rounds-to-zero", syscall(SYS_mremap, r, -1ull, page, MREMAP_MAYMOVE, 0), EINVAL);
    CHECK_ERR("mremap-zero-old-private", syscall(SYS_mremap, r, 0, page, MREMAP_MAYMOVE, 0), EINVAL);
    CHECK_ERR("mremap-unmapped", syscall(SYS_mremap, h + page, page, 2 * page, MREMAP_MAYMOVE, 0), EFAULT);
    CHECK_ERR("mremap-dontunmap-resize", syscall(SYS_mremap, r, page, 2 * page, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), EINVAL);
    CHECK_ERR("mremap-dontunmap-no-maymove", syscall(SYS_mremap, r, page, page, MREMAP_DONTUNMAP, 0), EINVAL);
    CHECK_ERR("mremap-bad-flags", syscall(SYS_mremap, r, page, page, 8, 0), EINVAL);
    char *d = (char *)syscall(SYS_mremap, r, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0);
    CHECK("mremap-dontunmap-moves", d != MAP_FAILED && d != r && d[0] == 'x');
    CHECK("mremap-dontunmap-old-stays-empty", r[0] == 0 && !child_faults(poke, r + page));
    if (d != MAP_FAILED) munmap(d, 2 * page);
    CHECK_ERR("madvise-unaligned", madvise(r + 1, page, MADV_NORMAL), EINVAL);
    CHECK_ERR("madvise-bad-advice", madvise(r, page, 5), EINVAL);
    CHECK_ERR("madvise-length-wraps", syscall(SYS_madvise, r, -1ull, MADV_NORMAL), EINVAL);
    CHECK_ERR("madvise-hole", madvise(h, 3 * page, MADV_NORMAL), ENOMEM);
    munmap(h, 3 * page);
    CHECK_OK("madvise-zero-length", madvise(r, 0, MADV_NORMAL));
    char *z = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    z[0] = 'z'; z[page] = 'z';
    CHECK_OK("madv-dontneed-private", madvise(z, page, MADV_DONTNEED));
    CHECK("madv-dontneed-private-zeroes", z[0] == 0 && z[page] == 'z');
    CHECK_ERR("madv-remove-private", madvise(z, page, MADV_REMOVE), EINVAL);
    munmap(z, 2 * page);
    CHECK_ERR("mmap-anon-unaligned-offset", (long)mmap(NULL, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 5), EINVAL);
    CHECK_ERR("mprotect-length-wraps", syscall(SYS_mprotect, r, -1ull, PROT_READ), ENOMEM);
    CHECK_OK("mprotect-zero-length-before-prot", mprotect(r, 0, 0x100));
    CHECK_OK("mprotect-prot-sem", mprotect(r, page, PROT_READ | PROT_WRITE | PROT_SEM));
    CHECK_ERR("mprotect-growsdown-not-growing", mprotect(r, page, PROT_READ | PROT_GROWSDOWN), EINVAL);
    CHECK_ERR("mprotect-growsup", mprotect(r, page, PROT_READ | PROT_GROWSUP), EINVAL);
    char *part = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(part + page, page);
    CHECK_ERR("mprotect-stops-at-hole", mprotect(part, 3 * page, PROT_READ), ENOMEM);
    CHECK("mprotect-applied-before-hole", child_faults(poke, part));
    munmap(part, 3 * page);
    CHECK_ERR("munmap-length-wraps", syscall(SYS_munmap, r, -1ull), EINVAL);
    CHECK_ERR("munmap-past-user-space", syscall(SYS_munmap, -4096ull, page), EINVAL);
    CHECK_ERR("mincore-length-huge", syscall(SYS_mincore, r, -1ull, r), ENOMEM);
    CHECK_OK("mlock-length-rounds-to-zero", syscall(SYS_mlock, r, -1ull));
    CHECK_ERR("mlock-wraps", syscall(SYS_mlock, -4096ull, 2 * page), EINVAL);
    CHECK_OK("msync-length-rounds-to-zero", syscall(SYS_msync, r, -1ull, MS_SYNC));
    CHECK_ERR("msync-wraps", syscall(SYS_msync, r, -2 * page, MS_SYNC), ENOMEM);
    munmap(r, 2 * page);
}

/* Runs fn(arg) in a child; 1 if it exited with status 0. */
static int in_child(int (*fn)(char *), char *arg) {
    pid_t p = fork();
    if (p == 0) _exit(fn(arg));
    int st = 0;
    waitpid(p, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}
static long pg;
static int write_untouched(char *sh) { sh[pg] = 'c'; sh[0] = 'C'; return 0; }
static int write_in_grandchild(char *sh) { return !in_child(write_untouched, sh) || sh[pg] != 'c'; }
static int read_after_parent(char *sh) {          /* waits for the parent's write to a page untouched at fork */
    for (int i = 0; i < 2000 && sh[2 * pg] != 'P'; i++) usleep(1000);
    return sh[2 * pg] != 'P';
}

/* MAP_SHARED|MAP_ANONYMOUS: one shared object for the whole mapping from mmap on, so pages nobody
 * touched before fork are shared too (they were private in the child on Lichen) */
static void shared_anonymous(long page) {
    pg = page;
    char *sh = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    sh[0] = 'p';
    CHECK("shared-anon-child-writes-seen", in_child(write_untouched, sh) && sh[page] == 'c' && sh[0] == 'C');
    char *untouched = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t p = fork();
    if (p == 0) _exit(read_after_parent(untouched));
    untouched[2 * page] = 'P';
    int st = 0;
    waitpid(p, &st, 0);
    CHECK("shared-anon-parent-write-seen-by-child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    munmap(untouched, 4 * page);
    untouched = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK("shared-anon-grandchild-writes-seen", in_child(write_in_grandchild, untouched) && untouched[page] == 'c' && untouched[0] == 'C');
    munmap(untouched, 4 * page);

    char *fresh = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK_OK("shared-anon-mprotect-split", mprotect(fresh + 2 * page, page, PROT_READ));
    CHECK("shared-anon-after-split", in_child(write_untouched, fresh) && fresh[page] == 'c' && fresh[0] == 'C');
    char *moved = (char *)syscall(SYS_mremap, fresh, 2 * page, 2 * page, MREMAP_MAYMOVE | MREMAP_FIXED, 0x210000000ull);
    CHECK("shared-anon-mremap-keeps-contents", moved == (char *)0x210000000ull && moved[page] == 'c');
    moved[page] = 0;
    CHECK("shared-anon-after-mremap", moved != MAP_FAILED && in_child(write_untouched, moved) && moved[page] == 'c');
    char *alias = (char *)syscall(SYS_mremap, moved, 0, page, MREMAP_MAYMOVE, 0);
    CHECK("shared-anon-mremap-zero-old-size-aliases", alias != MAP_FAILED && alias != moved && alias[0] == 'C');
    if (alias != MAP_FAILED) { alias[1] = 'A'; CHECK("shared-anon-alias-writes-seen", moved[1] == 'A'); munmap(alias, page); }
    /* grown past its first two pages, the mapping reaches the object's pages 2 and 3 (still mapped at
     * fresh + 2 pages), and beyond the object's 4 pages there is nothing: SIGBUS */
    char *grown = (char *)syscall(SYS_mremap, moved, 2 * page, 5 * page, MREMAP_MAYMOVE, 0);
    CHECK("shared-anon-mremap-grow", grown != MAP_FAILED && grown[page] == 'c');
    if (grown != MAP_FAILED) {
        fresh[3 * page] = 'o';
        CHECK("shared-anon-grown-sees-object", grown[3 * page] == 'o');
        CHECK("shared-anon-past-object-sigbus", child_signal(poke, grown + 4 * page) == SIGBUS);
        moved = grown;
    }
    munmap(moved, 5 * page);
    munmap(fresh + 2 * page, 2 * page);

    sh[3 * page] = 'k';
    CHECK_OK("shared-anon-madv-dontneed", madvise(sh + 3 * page, page, MADV_DONTNEED));
    CHECK("shared-anon-dontneed-keeps-contents", sh[3 * page] == 'k');
    sh[3 * page + 1] = 'r';
    CHECK_OK("shared-anon-madv-remove", madvise(sh + 3 * page, page, MADV_REMOVE));
    CHECK("shared-anon-remove-zeroes", sh[3 * page] == 0 && sh[3 * page + 1] == 0);
    sh[3 * page] = 'k';
    CHECK_OK("shared-anon-munmap-part", munmap(sh + 2 * page, page));
    memset(sh, 0, 2 * page);
    CHECK("shared-anon-after-munmap-part", in_child(write_untouched, sh) && sh[page] == 'c' && sh[3 * page] == 'k');
    munmap(sh, 4 * page);
}

/* MAP_GROWSDOWN: a fault below the mapping grows it down to the faulting page (zero-filled), unless
 * that would come within the stack guard gap (256 pages) of the mapping below */
static void grows_down(long page) {
    char *top = (char *)0x4000000000ull;                 /* nothing mapped for GiBs below */
    char *g = mmap(top, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN | MAP_FIXED_NOREPLACE, -1, 0);
    CHECK("growsdown-mmap", g == top);
    if (g != top) return;
    CHECK("growsdown-fault-just-below-grows", !child_faults(poke, g - 1));
    CHECK("growsdown-fault-far-below-grows", !child_faults(poke, g - 100 * page));
    char *grown = (char *)((uintptr_t)g - page);
    grown[page - 1] = 'g';
    CHECK("growsdown-grown-page-usable", grown[page - 1] == 'g' && grown[0] == 0);
    unsigned char vec[1];
    CHECK_OK("growsdown-grown-page-mapped", mincore(g - page, page, vec));
    char *below = mmap(g - 400 * page, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    CHECK("growsdown-below-mapped", below == g - 400 * page);
    CHECK("growsdown-guard-gap-kept", child_faults(poke, g - 300 * page));
    CHECK_OK("growsdown-mprotect", mprotect(g + page, page, PROT_READ | PROT_GROWSDOWN));
    CHECK("growsdown-mprotect-from-area-start", child_faults(poke, grown) && child_faults(poke, g) && !child_faults(peek, g));
        CHECK_ERR("growsdown-shared-anon", (long)mmap(NULL, page, PROT_READ, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0), EINVAL);
    munmap(below, page);
    munmap(g - page, 3 * page);
}

/* /proc/self/maps of a process with many areas (a line each): read in small pieces and whole, the same
 * text (Lichen built the whole text in one kernel buffer for every read: 3 MB here, a kernel panic).
 * Then one mprotect and one munmap over all of them (each was quadratic in the areas on Lichen). */
static unsigned long maps_digest(size_t piece, long *lines) {
    static char buf[1 << 20];
    int fd = open("/proc/self/maps", O_RDONLY);
    unsigned long h = 5381;
    long n;
    *lines = 0;
    while ((n = read(fd, buf, piece)) > 0)
        for (long i = 0; i < n; i++) { h = h * 33 + (unsigned char)buf[i]; *lines += buf[i] == '\n'; }
    close(fd);
    return h;
}
static void many_areas(long page) {
    const long count = 60000;
    char *base = (char *)0x5000000000ull;
    long made = 0;
    for (long i = 0; i < count; i++)
        made += mmap(base + i * page, page, i % 2 ? PROT_READ : PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == base + i * page;
    CHECK_EQ("many-areas-mapped", made, count);
    long small_lines, whole_lines;
    unsigned long small = maps_digest(10000, &small_lines), whole = maps_digest(1 << 20, &whole_lines);
    CHECK("proc-maps-many-areas-lines", whole_lines >= count);
    CHECK("proc-maps-pieces-match-whole", small == whole && small_lines == whole_lines);
    CHECK_OK("many-areas-mprotect", mprotect(base, count * page, PROT_READ));
    CHECK_OK("many-areas-mprotect-again", mprotect(base + page, page, PROT_NONE));
    CHECK_OK("many-areas-munmap", munmap(base, count * page));
    CHECK("many-areas-gone", child_faults(peek, base + 2 * page));
}

int main(void) {
    begin("mem");
    long page = sysconf(_SC_PAGESIZE);
    CHECK_EQ("pagesize", page, 4096);
    uintptr_t b0 = syscall(SYS_brk, 0);
    CHECK("brk-query", b0 != 0);
    CHECK_EQ("brk-grow", syscall(SYS_brk, b0 + 3 * page), b0 + 3 * page);
    memset((void *)b0, 0x5a, 3 * page);
    CHECK("brk-memory-usable", ((char *)b0)[3 * page - 1] == 0x5a);
    CHECK_EQ("brk-shrink", syscall(SYS_brk, b0 + page), b0 + page);
    CHECK_EQ("brk-regrow-zeroed", syscall(SYS_brk, b0 + 2 * page), b0 + 2 * page);
    CHECK("brk-regrow-is-zero", ((char *)b0)[page + 10] == 0);
    CHECK_EQ("brk-below-start-refused", syscall(SYS_brk, b0 - 1000 * page), b0 + 2 * page);
    syscall(SYS_brk, b0);

    char *m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("mmap-anon", m != MAP_FAILED);
    CHECK("mmap-aligned", ((uintptr_t)m & (page - 1)) == 0);
    CHECK("mmap-zeroed", m[0] == 0 && m[4 * page - 1] == 0);
    m[5] = 7;
    CHECK("mmap-writable", m[5] == 7);
    CHECK_OK("mprotect-ro", mprotect(m, page, PROT_READ));
    CHECK("mprotect-ro-readable", m[5] == 7);
    CHECK("mprotect-ro-write-faults", child_faults(poke, m));
    CHECK("mprotect-ro-other-page-ok", !child_faults(poke, m + page));
    CHECK_OK("mprotect-none", mprotect(m + page, page, PROT_NONE));
    CHECK("mprotect-none-read-faults", child_faults(peek, m + page));
    CHECK_OK("mprotect-rw-again", mprotect(m, 2 * page, PROT_READ | PROT_WRITE));
    CHECK("mprotect-rw-writable", !child_faults(poke, m));
    CHECK_ERR("mprotect-unaligned", mprotect(m + 1, page, PROT_READ), EINVAL);
    CHECK_ERR("mprotect-bad-prot", mprotect(m, page, 0x100), EINVAL);
    CHECK_OK("munmap-middle", munmap(m + page, page));
    CHECK("munmap-middle-faults", child_faults(peek, m + page));
    CHECK("munmap-neighbours-live", m[5] == 7 && !child_faults(poke, m + 2 * page));
    CHECK_OK("munmap-rest", munmap(m, 4 * page));
    CHECK("munmap-faults", child_faults(peek, m));
    CHECK_OK("munmap-unmapped-ok", munmap(m, page));
    CHECK_ERR("munmap-unaligned", munmap(m + 1, page), EINVAL);
    CHECK_ERR("munmap-zero-len", munmap(m, 0), EINVAL);
    CHECK_ERR("mmap-zero-len", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERR("mmap-no-share-type", (long)mmap(NULL, page, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERR("mmap-fixed-unaligned", (long)mmap((void *)0x10000001, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0), EINVAL);
    CHECK_ERR("mmap-file-ebadf", (long)mmap(NULL, page, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
    CHECK_ERR("mmap-enomem-huge", (long)mmap(NULL, 1ull << 50, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
    char *fixed = mmap((void *)0x200000000ull, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK("mmap-fixed", fixed == (char *)0x200000000ull);
    fixed[0] = 1;
    char *again = mmap(fixed, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK("mmap-fixed-replaces-zeroed", again == fixed && fixed[0] == 0);
    munmap(fixed, 2 * page);
    char *hint = mmap((void *)0x300000000ull, page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("mmap-hint", hint != MAP_FAILED);
    munmap(hint, page);

    /* file mapping */
    mkdir("/tmp/conf-mem", 0755);
    int fd = open("/tmp/conf-mem/f", O_CREAT | O_RDWR | O_TRUNC, 0644);
    write(fd, "mapped file", 11);
    char *fm = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK("mmap-file", fm != MAP_FAILED && memcmp(fm, "mapped file", 11) == 0);
    CHECK("mmap-file-tail-zero", fm != MAP_FAILED && fm[11] == 0 && fm[page - 1] == 0);
    CHECK("madv-dontneed-file-keeps-contents", fm != MAP_FAILED && madvise(fm, page, MADV_DONTNEED) == 0 && memcmp(fm, "mapped file", 11) == 0);
    if (fm != MAP_FAILED) munmap(fm, page);
    CHECK_ERR("mmap-file-unaligned-offset", (long)mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 5), EINVAL);
    CHECK_ERR("mmap-file-offset-overflow", syscall(SYS_mmap, 0, page, PROT_READ, MAP_PRIVATE, fd, 1ull << 63), EOVERFLOW);
    CHECK_ERR("mmap-file-offset-end-overflow", syscall(SYS_mmap, 0, 2 * page, PROT_READ, MAP_PRIVATE, fd, (1ull << 63) - page), EOVERFLOW);
    close(fd);
    fd = open("/tmp/conf-mem/f", O_RDONLY);
    CHECK_ERR("mmap-shared-write-on-rdonly", (long)mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
    close(fd);

    /* fork gives a private copy */
    char *cow = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cow[0] = 'p';
    pid_t p = fork();
    if (p == 0) { cow[0] = 'c'; _exit(cow[0] == 'c' ? 0 : 1); }
    int st;
    waitpid(p, &st, 0);
    CHECK("fork-cow-child-wrote", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK("fork-cow-parent-unchanged", cow[0] == 'p');

    /* PROT_NONE keeps the contents; the kernel cannot read through it either; mprotect to writable
     * after fork must not make the page shared with the other process writable */
    char *keep = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    strcpy(keep, "kept");
    CHECK_OK("mprotect-none-2", mprotect(keep, page, PROT_NONE));
    CHECK_ERR("mprotect-none-write-efault", syscall(SYS_write, 1, keep, 4), EFAULT);
    CHECK_OK("mprotect-none-back", mprotect(keep, page, PROT_READ | PROT_WRITE));
    CHECK("mprotect-none-contents-kept", strcmp(keep, "kept") == 0);
    CHECK_OK("mprotect-ro-before-fork", mprotect(keep, page, PROT_READ));
    p = fork();
    if (p == 0) {
        if (mprotect(keep, page, PROT_READ | PROT_WRITE) != 0) _exit(2);
        keep[0] = 'K';
        _exit(keep[0] == 'K' ? 0 : 1);
    }
    waitpid(p, &st, 0);
    CHECK("mprotect-after-fork-child-wrote", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK("mprotect-after-fork-parent-unchanged", keep[0] == 'k');
    munmap(keep, 2 * page);
    /* user code may read CTR_EL0 and clean caches, and run code it wrote into a RWX mapping
     * (a JIT): Lichen maps such a page writable or executable in turn */
    uint64_t ctr;
    __asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
    CHECK("ctr-el0-readable", ctr != 0);
    uint32_t *jit = mmap(NULL, page, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    jit[0] = 0xd2800540; jit[1] = 0xd65f03c0;               /* mov x0, #42; ret */
    __builtin___clear_cache((char *)jit, (char *)(jit + 2));
    CHECK("jit-runs", ((int (*)(void))jit)() == 42);
    jit[0] = 0xd2800560;                                     /* mov x0, #43 */
    __builtin___clear_cache((char *)jit, (char *)(jit + 2));
    CHECK("jit-rewritten-runs", ((int (*)(void))jit)() == 43);
    munmap(jit, page);

    /* residency: no swap, but the calls check their ranges */
    char *res = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    res[0] = 1; res[2 * page] = 1;
    munmap(res + 3 * page, page);
    CHECK_OK("mlock", mlock(res, 2 * page));
    CHECK_OK("munlock", munlock(res, 2 * page));
    CHECK_ERR("mlock-hole", mlock(res, 4 * page), ENOMEM);
    CHECK_OK("mlock2", syscall(SYS_mlock2, res, page, 1));
    CHECK_ERR("mlock2-bad-flags", syscall(SYS_mlock2, res, page, 2), EINVAL);
    CHECK_OK("mlockall", mlockall(MCL_CURRENT));
    CHECK_ERR("mlockall-bad", mlockall(0), EINVAL);
    CHECK_OK("munlockall", munlockall());
    unsigned char vec[3] = {9, 9, 9};
    CHECK_OK("mincore", mincore(res, 3 * page, vec));
    CHECK("mincore-present", (vec[0] & 1) == 1 && (vec[2] & 1) == 1);
    CHECK_ERR("mincore-unaligned", mincore(res + 1, page, vec), EINVAL);
    CHECK_ERR("mincore-hole", mincore(res, 4 * page, vec), ENOMEM);
    CHECK_ERR("mincore-efault", syscall(SYS_mincore, res, page, BADPTR), EFAULT);
    CHECK_OK("msync", msync(res, page, MS_SYNC));
    CHECK_ERR("msync-both", msync(res, page, MS_SYNC | MS_ASYNC), EINVAL);
    CHECK_ERR("msync-unaligned", msync(res + 1, page, MS_SYNC), EINVAL);
    CHECK_ERR("msync-hole", msync(res, 4 * page, MS_SYNC), ENOMEM);
    munmap(res, 3 * page);
    long mb = syscall(SYS_membarrier, 0, 0, 0);
    CHECK("membarrier-query", mb >= 0);
    CHECK_ERR("membarrier-bad-flags", syscall(SYS_membarrier, 0, 1, 0), EINVAL);

    mremap_hostile(page);
    shared_anonymous(page);
    grows_down(page);
    many_areas(page);

    /* last: on failure the kernel may be left with a huge heap */
    uintptr_t b1 = syscall(SYS_brk, 0);
    CHECK_EQ("brk-huge-refused", syscall(SYS_brk, b1 + (1ull << 46)), b1);
    return done();
}
