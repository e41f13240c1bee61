/* read(2) through the page cache on any filesystem (the conformance run: tmpfs; the boot test
 * tests/boot/test_filemap.py: ext4 and vfat disks): sequential and random reads, pread/read/mmap
 * coherence with write and mapped stores, reads after truncation; posix_fadvise (every advice, and
 * EBADF, ESPIPE, EINVAL) and readahead(2) (EBADF, EINVAL) as Linux 6.1.
 * usage: readahead [DIRECTORY]   (default /tmp) */
#include "check.h"
#include <sys/mman.h>

#define SIZE (3 * 1024 * 1024 + 1234)

static unsigned char expected(long i) { return (unsigned char)(i * 7 + i / 4096 + 3); }

/* Compares `n` bytes read at `offset` with the pattern; the first difference or -1. */
static long mismatch(const unsigned char *b, long offset, long n) {
    for (long i = 0; i < n; i++) if (b[i] != expected(offset + i)) return offset + i;
    return -1;
}

int main(int argc, char **argv) {
    begin("readahead");
    long page = sysconf(_SC_PAGESIZE);
    char path[512], dir[256];
    snprintf(dir, sizeof dir, "%s", argc > 1 ? argv[1] : "/tmp");
    snprintf(path, sizeof path, "%s/readahead.dat", dir);
    unlink(path);
    unsigned char *buf = malloc(SIZE);
    for (long i = 0; i < SIZE; i++) buf[i] = expected(i);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK_OK("create", fd);
    CHECK_EQ("write-all", write(fd, buf, SIZE), SIZE);
    CHECK_OK("fsync", fsync(fd));
    close(fd);

    /* A fresh description reads the whole file sequentially, in odd-sized pieces. */
    fd = open(path, O_RDONLY);
    memset(buf, 0, SIZE);
    long total = 0, n;
    while ((n = read(fd, buf + total, total % 3 == 0 ? 4096 : 5000)) > 0) total += n;
    CHECK_EQ("sequential-total", total, SIZE);
    CHECK_EQ("sequential-bytes", mismatch(buf, 0, SIZE), -1);
    CHECK_EQ("read-at-eof", read(fd, buf, 100), 0);
    /* Random preads, some across page boundaries and the end of the file. */
    unsigned seed = 12345;
    int bad = 0;
    for (int i = 0; i < 200; i++) {
        seed = seed * 1103515245 + 12345;
        long off = (long)(seed % SIZE), len = 1 + (long)((seed >> 8) % 9000);
        long want = off + len > SIZE ? SIZE - off : len;
        if (pread(fd, buf, len, off) != want || mismatch(buf, off, want) != -1) bad++;
    }
    CHECK_EQ("random-preads", bad, 0);
    CHECK_EQ("pread-past-eof", pread(fd, buf, 10, SIZE + 5), 0);
    close(fd);

    /* Coherence: pwrite, a mapped store and read/pread/mmap all see the same bytes. */
    fd = open(path, O_RDWR);
    unsigned char *map = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, page);
    CHECK("mmap", map != MAP_FAILED);
    if (map != MAP_FAILED) {
        char c = 0;
        CHECK_EQ("pread-before", pread(fd, &c, 1, page + 10), 1);
        CHECK_EQ("pread-matches-map", c, (char)map[10]);
        CHECK_EQ("pwrite", pwrite(fd, "ABCD", 4, page + 10), 4);
        CHECK("map-sees-pwrite", memcmp(map + 10, "ABCD", 4) == 0);
        memcpy(map + page + 20, "wxyz", 4);
        char got[4] = {0};
        CHECK_EQ("pread-sees-store", pread(fd, got, 4, 2 * page + 20), 4);
        CHECK("pread-store-bytes", memcmp(got, "wxyz", 4) == 0);
        lseek(fd, 2 * page + 18, SEEK_SET);
        char got6[6] = {0};
        CHECK_EQ("read-sees-store", read(fd, got6, 6), 6);
        CHECK("read-store-bytes", got6[2] == 'w' && got6[5] == 'z');
        munmap(map, 4 * page);
    }
    /* The same file through a second description after the first wrote. */
    int fd2 = open(path, O_RDONLY);
    char got[4] = {0};
    CHECK_EQ("second-fd-pread", pread(fd2, got, 4, page + 10), 4);
    CHECK("second-fd-bytes", memcmp(got, "ABCD", 4) == 0);
    /* Truncation: reads stop at the new end, then see zeros where the file grows back. */
    CHECK_OK("truncate", ftruncate(fd, 5000));
    CHECK_EQ("read-after-shrink", pread(fd2, buf, 8192, 4096), 904);
    CHECK_OK("extend", ftruncate(fd, 3 * page));
    CHECK_EQ("read-after-extend", pread(fd2, buf, 8192, 4096), 3 * page - 4096);
    long nonzero = 0;
    for (long i = 5000 - 4096; i < 3 * page - 4096; i++) if (buf[i]) nonzero++;
    CHECK_EQ("extended-part-zero", nonzero, 0);
    close(fd2);
    close(fd);

    /* posix_fadvise: each advice accepted on a regular file, the data unchanged after DONTNEED. */
    fd = open(path, O_RDONLY);
    for (int advice = 0; advice <= 5; advice++) {
        char name[32];
        snprintf(name, sizeof name, "fadvise-%d", advice);
        CHECK_EQ(name, posix_fadvise(fd, 0, 0, advice), 0);
    }
    CHECK_EQ("fadvise-willneed-range", posix_fadvise(fd, page, 10 * page, POSIX_FADV_WILLNEED), 0);
    CHECK_EQ("fadvise-dontneed-range", posix_fadvise(fd, 1, page, POSIX_FADV_DONTNEED), 0);
    CHECK_EQ("fadvise-offset-past-end", posix_fadvise(fd, 1L << 40, 100, POSIX_FADV_WILLNEED), 0);
    /* Offsets next to the largest: nothing to round up past it (the syscall fuzzer found a trap). */
    CHECK_EQ("fadvise-dontneed-max-offset", posix_fadvise(fd, INT64_MAX - 10, 0, POSIX_FADV_DONTNEED), 0);
    CHECK_EQ("fadvise-willneed-max-offset", posix_fadvise(fd, INT64_MAX - 10, 100, POSIX_FADV_WILLNEED), 0);
    CHECK_EQ("readahead-max-offset", readahead(fd, INT64_MAX - 10, 100), 0);
    char first[4] = {0};
    CHECK_EQ("pread-after-dontneed", pread(fd, first, 4, 0), 4);
    CHECK("bytes-after-dontneed", (unsigned char)first[0] == expected(0) && (unsigned char)first[3] == expected(3));
    /* The raw syscall returns the errno; posix_fadvise returns it too. */
    CHECK_ERR("fadvise-ebadf", syscall(SYS_fadvise64, -1, 0, 0, 0), EBADF);
    CHECK_ERR("fadvise-bad-advice", syscall(SYS_fadvise64, fd, 0, 0, 6), EINVAL);
    CHECK_ERR("fadvise-negative-length", syscall(SYS_fadvise64, fd, 0L, -1L, 0), EINVAL);
    CHECK_EQ("posix-fadvise-returns-errno", posix_fadvise(fd, 0, 0, 99), EINVAL);
    int pipefd[2];
    CHECK_OK("pipe", pipe(pipefd));
    CHECK_ERR("fadvise-pipe", syscall(SYS_fadvise64, pipefd[0], 0, 0, POSIX_FADV_WILLNEED), ESPIPE);
    int opath = open(path, O_PATH);
    CHECK_ERR("fadvise-o-path", syscall(SYS_fadvise64, opath, 0, 0, 0), EBADF);

    /* readahead(2). */
    CHECK_EQ("readahead", readahead(fd, 0, 1 << 20), 0);
    CHECK_EQ("readahead-past-end", readahead(fd, 1L << 40, 4096), 0);
    CHECK_ERR("readahead-ebadf", readahead(-1, 0, 4096), EBADF);
    CHECK_ERR("readahead-o-path", readahead(opath, 0, 4096), EBADF);
    int wfd = open(path, O_WRONLY);
    CHECK_ERR("readahead-write-only", readahead(wfd, 0, 4096), EBADF);
    CHECK_ERR("readahead-pipe", readahead(pipefd[0], 0, 4096), EINVAL);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK_ERR("readahead-directory", readahead(dfd, 0, 4096), EINVAL);
    close(dfd);
    close(wfd);
    close(opath);
    close(pipefd[0]);
    close(pipefd[1]);
    close(fd);
    unlink(path);
    free(buf);
    return done();
}
