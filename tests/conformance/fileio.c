/* open, read, write, lseek, close, pread64, pwrite64, readv, writev: normal behaviour and errors. */
#include "check.h"
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
    close(fd);
    unlink("f");
    return done();
}
