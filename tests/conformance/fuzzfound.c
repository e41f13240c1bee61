/* Calls the in-guest syscall fuzzer (tests/sysfuzz) found trapping Lichen's kernel, each with the
 * seed that found it: Linux's answers for the same arguments. */
#include "check.h"
#include <poll.h>
#include <sys/mman.h>
#include <time.h>

/* sysfuzz seed 1: ppoll's nfds is an unsigned int, the upper half of the register ignored (it
 * trapped converting a register >= 2^63 to Int). */
static void ppoll_huge_nfds(void) {
    struct timespec zero = {0, 0};
    struct pollfd p = {0, POLLIN, 0};
    CHECK_EQ("ppoll-nfds-high-half-ignored", syscall(SYS_ppoll, &p, 0x8000000000000000ull, &zero, NULL, 8), 0);
    CHECK_ERR("ppoll-nfds-too-many", syscall(SYS_ppoll, &p, 0xffffffffffffffffull, &zero, NULL, 8), EINVAL);
}

/* sysfuzz seed 1: a pread of /dev/zero near 2^63 trapped adding its second 64 KiB chunk's position.
 * Linux's rw_verify_area: position + count past 2^63 - 1 is EINVAL, a negative position too. */
static void positions_near_the_end(void) {
    static char buf[0x20000];
    int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);
    int file = open("/tmp/fuzzfound-pos", O_CREAT | O_RDWR | O_TRUNC, 0600);
    CHECK_ERR("pread-zero-position-overflows", syscall(SYS_pread64, zero, buf, sizeof buf, 0x7fffffffffffefffll), EINVAL);
    CHECK_ERR("pread-file-position-overflows", syscall(SYS_pread64, file, buf, 2, 0x7fffffffffffffffll), EINVAL);
    CHECK_ERR("pread-negative-position", syscall(SYS_pread64, zero, buf, 1, -1ll), EINVAL);
    CHECK_ERR("pwrite-null-position-overflows", syscall(SYS_pwrite64, null, buf, 2, 0x7fffffffffffffffll), EINVAL);
    CHECK_ERR("pwrite-file-position-overflows", syscall(SYS_pwrite64, file, buf, sizeof buf, 0x7ffffffffffff000ll), EINVAL);
    CHECK_EQ("pread-zero-just-below-the-end", syscall(SYS_pread64, zero, buf, 0x1000, 0x7fffffffffffefffll), 0x1000);
    CHECK_EQ("pread-file-at-the-end", syscall(SYS_pread64, file, buf, 1, 0x7ffffffffffffffell), 0);
    /* read(2)/write(2) at a position just below 2^63 - 1: the same check, with the file position */
    CHECK_EQ("lseek-to-the-end", lseek(file, 0x7ffffffffffffffell, SEEK_SET), 0x7ffffffffffffffell);
    CHECK_ERR("write-at-the-end", write(file, buf, 4), EINVAL);
    CHECK_ERR("read-at-the-end", read(file, buf, 4), EINVAL);
    CHECK_EQ("read-one-at-the-end", read(file, buf, 1), 0);
    close(zero); close(null); close(file);
    unlink("/tmp/fuzzfound-pos");
}

/* sysfuzz: children died of SIGILL after madvise(MADV_DONTNEED) over their own text. Linux drops
 * a private file mapping's pages and reads them from the file again: never zeros. */
static void dontneed_private_file(void) {
    int fd = open("/tmp/fuzzfound-map", O_CREAT | O_RDWR | O_TRUNC, 0600);
    char page[4096];
    memset(page, 'f', sizeof page);
    CHECK_EQ("dontneed-file-write", write(fd, page, sizeof page), 4096);
    char *clean = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    char *dirty = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK("dontneed-file-mapped", clean != MAP_FAILED && dirty != MAP_FAILED);
    if (clean == MAP_FAILED || dirty == MAP_FAILED) return;
    CHECK_EQ("dontneed-file-read", clean[10], 'f');
    dirty[10] = 'd';
    CHECK_EQ("dontneed-clean", madvise(clean, 4096, MADV_DONTNEED), 0);
    CHECK_EQ("dontneed-clean-reads-the-file", clean[10], 'f');
    CHECK_EQ("dontneed-dirty", madvise(dirty, 4096, MADV_DONTNEED), 0);
    CHECK_EQ("dontneed-dirty-reads-the-file", dirty[10], 'f');
    munmap(clean, 4096); munmap(dirty, 4096); close(fd);
    unlink("/tmp/fuzzfound-map");
    /* and this program's own text: a function in it still runs */
    extern char __executable_start[];
    char *text = (char *)(((unsigned long)dontneed_private_file) & ~4095ul);
    CHECK_EQ("dontneed-own-text", madvise(text, 4096, MADV_DONTNEED), 0);
    CHECK_EQ("dontneed-own-text-same", *(volatile char *)text == *(volatile char *)text, 1);
    (void)__executable_start;
}

int main(void) {
    begin("fuzzfound");
    ppoll_huge_nfds();
    positions_near_the_end();
    dontneed_private_file();
    return done();
}
