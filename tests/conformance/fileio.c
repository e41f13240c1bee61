/* open, read, write, lseek, close, pread64, pwrite64, readv, writev, preadv(2), pwritev(2), flock,
 * fcntl record locks, close_range, fadvise64, sync_file_range, syncfs: behaviour and errors. */
#include "check.h"
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/uio.h>

int main(void) {
    begin("fileio");
    mkdir("/tmp/conf-fileio", 0755);
    CHECK_OK("chdir-workdir", chdir("/tmp/conf-fileio"));
    char buf[64];

    int fd = open("f", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK("open-creat", fd >= 0);
    CHECK_EQ("write-5", write(fd, "hello", 5), 5);
    CHECK_EQ("lseek-cur", lseek(fd, 0, SEEK_CUR), 5);
    CHECK_EQ("lseek-set0", lseek(fd, 0, SEEK_SET), 0);
    memset(buf, 0, sizeof buf);
    CHECK_EQ("read-5", read(fd, buf, sizeof buf), 5);
    CHECK("read-content", memcmp(buf, "hello", 5) == 0);
    CHECK_EQ("read-eof", read(fd, buf, sizeof buf), 0);
    CHECK_EQ("lseek-end", lseek(fd, 0, SEEK_END), 5);
    CHECK_EQ("lseek-end-minus2", lseek(fd, -2, SEEK_END), 3);
    CHECK_EQ("read-tail", read(fd, buf, 10), 2);
    CHECK_ERR("lseek-negative", lseek(fd, -100, SEEK_SET), EINVAL);
    CHECK_ERR("lseek-bad-whence", lseek(fd, 0, 42), EINVAL);
    CHECK_EQ("lseek-past-end", lseek(fd, 100, SEEK_SET), 100);
    CHECK_EQ("write-after-hole", write(fd, "x", 1), 1);
    CHECK_EQ("hole-size", lseek(fd, 0, SEEK_END), 101);
    CHECK_EQ("pread-hole", pread(fd, buf, 4, 50), 4);
    CHECK("hole-reads-zero", buf[0] == 0 && buf[3] == 0);
    CHECK_EQ("pwrite", pwrite(fd, "AB", 2, 1), 2);
    CHECK_EQ("pwrite-keeps-offset", lseek(fd, 0, SEEK_CUR), 101);
    CHECK_EQ("pread", pread(fd, buf, 4, 0), 4);
    CHECK("pread-content", memcmp(buf, "hABl", 4) == 0);
    CHECK_ERR("pread-negative-offset", pread(fd, buf, 1, -1), EINVAL);
    struct iovec iov[2] = {{"ab", 2}, {"cde", 3}};
    CHECK_OK("lseek-0", lseek(fd, 0, SEEK_SET));
    CHECK_EQ("writev", writev(fd, iov, 2), 5);
    char b1[2], b2[3];
    struct iovec riov[2] = {{b1, 2}, {b2, 3}};
    CHECK_OK("lseek-0b", lseek(fd, 0, SEEK_SET));
    CHECK_EQ("readv", readv(fd, riov, 2), 5);
    CHECK("readv-content", memcmp(b1, "ab", 2) == 0 && memcmp(b2, "cde", 3) == 0);
    CHECK_EQ("close", close(fd), 0);
    CHECK_ERR("close-twice", close(fd), EBADF);

    /* open flags and errors */
    CHECK_ERR("open-enoent", open("nosuch", O_RDONLY), ENOENT);
    CHECK_ERR("open-excl-exists", open("f", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
    CHECK_ERR("open-dir-write", open(".", O_WRONLY), EISDIR);
    CHECK_ERR("open-notdir-component", open("f/x", O_RDONLY), ENOTDIR);
    CHECK_ERR("open-directory-flag-on-file", open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
    CHECK_ERR("open-empty-path", open("", O_RDONLY), ENOENT);
    char longname[300];
    memset(longname, 'n', sizeof longname - 1);
    longname[sizeof longname - 1] = 0;
    CHECK_ERR("open-name-too-long", open(longname, O_RDONLY), ENAMETOOLONG);
    fd = open("f", O_RDONLY);
    CHECK("open-rdonly", fd >= 0);
    CHECK_ERR("write-on-rdonly", write(fd, "x", 1), EBADF);
    close(fd);
    fd = open("f", O_WRONLY);
    CHECK_ERR("read-on-wronly", read(fd, buf, 1), EBADF);
    close(fd);
    fd = open("f", O_WRONLY | O_TRUNC);
    CHECK_EQ("o-trunc", lseek(fd, 0, SEEK_END), 0);
    close(fd);
    fd = open("f", O_WRONLY | O_APPEND);
    write(fd, "12", 2);
    CHECK_EQ("lseek-reset", lseek(fd, 0, SEEK_SET), 0);
    write(fd, "34", 2);
    CHECK_EQ("o-append-writes-at-end", lseek(fd, 0, SEEK_CUR), 4);
    close(fd);
    fd = open("f", O_RDONLY);
    CHECK_EQ("o-append-content-len", read(fd, buf, 10), 4);
    CHECK("o-append-content", memcmp(buf, "1234", 4) == 0);
    CHECK_EQ("read-zero-count", read(fd, buf, 0), 0);
    close(fd);
    fd = open("f", O_RDONLY | O_CLOEXEC);
    CHECK_EQ("o-cloexec-sets-fd-flag", fcntl(fd, F_GETFD), FD_CLOEXEC);
    close(fd);
    fd = open("/dev/null", O_RDWR);
    CHECK_EQ("dev-null-write", write(fd, buf, 10), 10);
    CHECK_EQ("dev-null-read", read(fd, buf, 10), 0);
    close(fd);
    fd = open("/dev/zero", O_RDONLY);
    memset(buf, 1, 8);
    CHECK_EQ("dev-zero-read", read(fd, buf, 8), 8);
    CHECK("dev-zero-zeros", buf[0] == 0 && buf[7] == 0);
    close(fd);

    /* EBADF */
    CHECK_ERR("read-ebadf", read(-1, buf, 1), EBADF);
    CHECK_ERR("read-ebadf-high", read(4000, buf, 1), EBADF);
    CHECK_ERR("write-ebadf", write(-1, buf, 1), EBADF);
    CHECK_ERR("lseek-ebadf", lseek(-1, 0, SEEK_SET), EBADF);
    CHECK_ERR("close-ebadf", close(-1), EBADF);
    CHECK_ERR("pread-ebadf", pread(1234, buf, 1, 0), EBADF);
    CHECK_ERR("readv-ebadf", readv(-1, riov, 1), EBADF);

    /* EFAULT */
    fd = open("f", O_RDWR);
    CHECK_ERR("open-efault", syscall(SYS_openat, AT_FDCWD, BADPTR, O_RDONLY), EFAULT);
    CHECK_ERR("open-efault-kernel", syscall(SYS_openat, AT_FDCWD, KERNPTR, O_RDONLY), EFAULT);
    CHECK_ERR("read-efault", syscall(SYS_read, fd, BADPTR, 4), EFAULT);
    CHECK_ERR("read-efault-kernel", syscall(SYS_read, fd, KERNPTR, 4), EFAULT);
    CHECK_ERR("write-efault", syscall(SYS_write, fd, BADPTR, 4), EFAULT);
    CHECK_ERR("write-efault-kernel", syscall(SYS_write, fd, KERNPTR, 4), EFAULT);
    CHECK_ERR("pread-efault", syscall(SYS_pread64, fd, BADPTR, 4, 0), EFAULT);
    CHECK_ERR("readv-efault-iov", syscall(SYS_readv, fd, BADPTR, 1), EFAULT);
    struct iovec bad = {BADPTR, 4};
    lseek(fd, 0, SEEK_SET);
    CHECK_ERR("readv-efault-base", syscall(SYS_readv, fd, &bad, 1), EFAULT);
    CHECK_ERR("writev-efault-base", syscall(SYS_writev, fd, &bad, 1), EFAULT);
    /* Every vector is checked before any I/O: a negative length fails the call, and nothing of
     * the earlier vectors is written. */
    struct iovec neg[2] = {{"xy", 2}, {"z", (size_t)-1}};
    off_t before = lseek(fd, 0, SEEK_END);
    CHECK_ERR("writev-negative-len", syscall(SYS_writev, fd, neg, 2), EINVAL);
    CHECK_EQ("writev-negative-len-wrote-nothing", lseek(fd, 0, SEEK_END), before);
    CHECK_ERR("readv-negative-len", syscall(SYS_readv, fd, neg, 2), EINVAL);
    CHECK_ERR("pwritev-negative-len", syscall(SYS_pwritev, fd, neg, 2, 0, 0), EINVAL);
    CHECK_ERR("preadv-negative-offset", syscall(SYS_preadv, fd, neg, 1, -5L, 0L), EINVAL);
    CHECK_ERR("pwritev-negative-offset", syscall(SYS_pwritev, fd, neg, 1, -5L, 0L), EINVAL);
    CHECK_ERR("writev-too-many", syscall(SYS_writev, fd, neg, 1025), EINVAL);
    CHECK_ERR("pwritev2-bad-flags", syscall(SYS_pwritev2, fd, neg, 1, 0, 0, 0x100), EOPNOTSUPP);

    /* A buffer that runs into an unmapped or PROT_NONE page: read and write stop there with a short
     * count (EFAULT only when nothing could be copied), and the file position moves by that much. */
    char big[8192];
    memset(big, 'z', sizeof big);
    lseek(fd, 0, SEEK_SET);
    CHECK_EQ("partial-setup", write(fd, big, sizeof big), 8192);
    char *m = mmap(0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mprotect(m + 4096, 4096, PROT_NONE);
    char *u = mmap(0, 2 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(u + 4096, 4096);
    lseek(fd, 0, SEEK_SET);
    CHECK_EQ("read-partial-prot-none", syscall(SYS_read, fd, m + 4000, 1000), 96);
    CHECK_EQ("read-partial-position", lseek(fd, 0, SEEK_CUR), 96);
    CHECK_EQ("write-partial-prot-none", syscall(SYS_write, fd, m + 4001, 1000), 95);
    CHECK_EQ("write-partial-position", lseek(fd, 0, SEEK_CUR), 191);
    CHECK_EQ("read-partial-unmapped", syscall(SYS_pread64, fd, u + 4090, 100, 0), 6);
    CHECK_ERR("read-prot-none", syscall(SYS_read, fd, m + 4096, 10), EFAULT);
    CHECK_EQ("read-bad-buffer-at-eof", (lseek(fd, 0, SEEK_END), syscall(SYS_read, fd, BADPTR, 10)), 0);
    struct iovec half[2] = {{big, 10}, {m + 4096, 10}};
    lseek(fd, 0, SEEK_SET);
    CHECK_EQ("readv-partial", syscall(SYS_readv, fd, half, 2), 10);
    munmap(m, 2 * 4096);
    munmap(u, 4096);
    close(fd);
    unlink("f");

    /* positional vectored I/O leaves the file position alone */
    fd = open("v", O_CREAT | O_RDWR | O_TRUNC, 0644);
    char p1[] = "abc", p2[] = "defg";
    struct iovec pv[2] = {{p1, 3}, {p2, 4}};
    CHECK_EQ("pwritev", syscall(SYS_pwritev, fd, pv, 2, 10, 0), 7);
    CHECK_EQ("pwritev-position-unmoved", lseek(fd, 0, SEEK_CUR), 0);
    char q1[4] = {0}, q2[8] = {0};
    struct iovec rv[2] = {{q1, 2}, {q2, 8}};
    CHECK_EQ("preadv", syscall(SYS_preadv, fd, rv, 2, 11, 0), 6);
    CHECK("preadv-content", memcmp(q1, "bc", 2) == 0 && memcmp(q2, "defg", 4) == 0);
    CHECK_ERR("preadv-negative-offset", syscall(SYS_preadv, fd, rv, 2, (long)-5, 0L), EINVAL);
    CHECK_EQ("preadv2-current-position", syscall(SYS_preadv2, fd, rv, 2, (long)-1, 0L, 0L), 10);
    CHECK_EQ("preadv2-moved-position", lseek(fd, 0, SEEK_CUR), 10);
    CHECK_ERR("preadv2-bad-flags", syscall(SYS_preadv2, fd, rv, 2, 0, 0, 0x100), EOPNOTSUPP);
    CHECK_EQ("pwritev2-offset", syscall(SYS_pwritev2, fd, pv, 1, 0, 0, 0), 3);
    int pipefd[2];
    pipe(pipefd);
    CHECK_ERR("preadv-pipe-espipe", syscall(SYS_preadv, pipefd[0], rv, 2, 0, 0), ESPIPE);

    /* flock: per open file description; closing the last descriptor releases */
    int l1 = open("v", O_RDONLY), l2 = open("v", O_RDONLY);
    CHECK_OK("flock-ex", flock(l1, LOCK_EX));
    CHECK_OK("flock-ex-again-same-description", flock(l1, LOCK_EX));
    CHECK_ERR("flock-conflict-nb", flock(l2, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    int l1dup = dup(l1);
    close(l1);
    CHECK_ERR("flock-dup-keeps-lock", flock(l2, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    close(l1dup);
    CHECK_OK("flock-released-on-close", flock(l2, LOCK_SH | LOCK_NB));
    int l3 = open("v", O_RDONLY);
    CHECK_OK("flock-shared-shared", flock(l3, LOCK_SH | LOCK_NB));
    CHECK_ERR("flock-upgrade-conflict", flock(l3, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    CHECK_OK("flock-unlock", flock(l2, LOCK_UN));
    CHECK_OK("flock-upgrade-after-unlock", flock(l3, LOCK_EX | LOCK_NB));
    CHECK_ERR("flock-bad-op", flock(l3, 0), EINVAL);
    CHECK_ERR("flock-ebadf", flock(-1, LOCK_SH), EBADF);
    close(l2); close(l3);

    /* record locks: no other process holds one, so F_GETLK answers F_UNLCK */
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
    CHECK_OK("fcntl-getlk", fcntl(fd, F_GETLK, &fl));
    CHECK("fcntl-getlk-unlocked", fl.l_type == F_UNLCK);
    fl.l_type = F_WRLCK;
    CHECK_OK("fcntl-setlk", fcntl(fd, F_SETLK, &fl));
    int ro = open("v", O_RDONLY);
    fl.l_type = F_WRLCK;
    CHECK_ERR("fcntl-setlk-wrlck-readonly", fcntl(ro, F_SETLK, &fl), EBADF);
    fl.l_type = 7;
    CHECK_ERR("fcntl-getlk-bad-type", fcntl(fd, F_GETLK, &fl), EINVAL);
    close(ro);

    /* /dev/null and /dev/zero drop writes without reading the buffer (no EFAULT, as Linux) */
    int nul = open("/dev/null", O_WRONLY), zero = open("/dev/zero", O_RDWR), nulro = open("/dev/null", O_RDONLY);
    CHECK_EQ("devnull-write", write(nul, "abc", 3), 3);
    CHECK_EQ("devnull-write-bad-pointer", syscall(SYS_write, nul, BADPTR, 10), 10);
    CHECK_EQ("devzero-write-bad-pointer", syscall(SYS_write, zero, BADPTR, 10), 10);
    CHECK_ERR("devnull-write-readonly", write(nulro, "abc", 3), EBADF);
    CHECK_ERR("devnull-read-efault", syscall(SYS_read, zero, BADPTR, 10), EFAULT);
    close(nul); close(zero); close(nulro);

    /* advice and syncing */
    CHECK_EQ("fadvise", syscall(SYS_fadvise64, fd, 0, 0, 4), 0);
    CHECK_ERR("fadvise-bad-advice", syscall(SYS_fadvise64, fd, 0, 0, 99), EINVAL);
    CHECK_ERR("fadvise-pipe", syscall(SYS_fadvise64, pipefd[0], 0, 0, 0), ESPIPE);
    CHECK_ERR("fadvise-ebadf", syscall(SYS_fadvise64, -1, 0, 0, 0), EBADF);
    CHECK_OK("sync-file-range", syscall(SYS_sync_file_range, fd, 0, 0, 2));
    CHECK_ERR("sync-file-range-bad-flags", syscall(SYS_sync_file_range, fd, 0, 0, 8), EINVAL);
    CHECK_ERR("sync-file-range-pipe", syscall(SYS_sync_file_range, pipefd[0], 0, 0, 0), ESPIPE);
    CHECK_OK("syncfs", syscall(SYS_syncfs, fd));
    CHECK_ERR("syncfs-ebadf", syscall(SYS_syncfs, -1), EBADF);

    /* close_range */
    int base = dup(fd), d2 = dup(fd), d3 = dup(fd);
    CHECK_OK("close-range-cloexec", syscall(SYS_close_range, d2, d3, 4));
    CHECK("close-range-cloexec-set", fcntl(d2, F_GETFD) == FD_CLOEXEC && fcntl(d3, F_GETFD) == FD_CLOEXEC && fcntl(base, F_GETFD) == 0);
    CHECK_OK("close-range", syscall(SYS_close_range, base, ~0u, 0));
    CHECK_ERR("close-range-closed", fcntl(d3, F_GETFD), EBADF);
    CHECK("close-range-kept-below", fcntl(fd, F_GETFD) == 0);
    CHECK_ERR("close-range-first-above-last", syscall(SYS_close_range, 5, 4, 0), EINVAL);
    CHECK_ERR("close-range-bad-flags", syscall(SYS_close_range, 0, 0, 1), EINVAL);
    unlink("v");
    return done();
}
