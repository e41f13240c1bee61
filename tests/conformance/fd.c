/* dup, dup3, fcntl (F_DUPFD, F_DUPFD_CLOEXEC, F_GETFD/SETFD, F_GETFL/SETFL) and shared offsets. */
#include "check.h"

int main(void) {
    begin("fd");
    mkdir("/tmp/conf-fd", 0755);
    CHECK_OK("chdir-workdir", chdir("/tmp/conf-fd"));
    int fd = open("f", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK("open", fd >= 0);
    write(fd, "abcdef", 6);
    int d = dup(fd);
    CHECK("dup-new-fd", d >= 0 && d != fd);
    CHECK_EQ("dup-shares-offset", lseek(d, 0, SEEK_CUR), 6);
    lseek(fd, 2, SEEK_SET);
    CHECK_EQ("dup-offset-follows", lseek(d, 0, SEEK_CUR), 2);
    CHECK_EQ("dup-no-cloexec", fcntl(d, F_GETFD), 0);
    CHECK_EQ("dup3-target", dup3(fd, 50, 0), 50);
    CHECK_EQ("dup3-cloexec", dup3(fd, 51, O_CLOEXEC), 51);
    CHECK_EQ("dup3-cloexec-flag", fcntl(51, F_GETFD), FD_CLOEXEC);
    CHECK_ERR("dup3-same-fd", dup3(fd, fd, 0), EINVAL);
    CHECK_ERR("dup3-bad-flags", dup3(fd, 52, 0x1234), EINVAL);
    CHECK_ERR("dup3-ebadf", dup3(-1, 52, 0), EBADF);
    CHECK_ERR("dup3-newfd-negative", dup3(fd, -1, 0), EBADF);
    CHECK_ERR("dup-ebadf", dup(-1), EBADF);
    CHECK_ERR("dup-ebadf-closed", dup(77), EBADF);
    CHECK_EQ("dup2-replaces", dup2(fd, 50), 50);
    CHECK_EQ("dup2-same-fd", dup2(fd, fd), fd);
    CHECK_EQ("fcntl-dupfd-min", fcntl(fd, F_DUPFD, 60), 60);
    CHECK_EQ("fcntl-dupfd-next", fcntl(fd, F_DUPFD, 60), 61);
    CHECK_EQ("fcntl-dupfd-cloexec", fcntl(fd, F_DUPFD_CLOEXEC, 70), 70);
    CHECK_EQ("fcntl-dupfd-cloexec-flag", fcntl(70, F_GETFD), FD_CLOEXEC);
    CHECK_ERR("fcntl-dupfd-negative", fcntl(fd, F_DUPFD, -1), EINVAL);
    CHECK_OK("fcntl-setfd", fcntl(fd, F_SETFD, FD_CLOEXEC));
    CHECK_EQ("fcntl-getfd", fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_OK("fcntl-setfd-0", fcntl(fd, F_SETFD, 0));
    CHECK_EQ("fcntl-getfl-rdwr", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    CHECK_OK("fcntl-setfl-append", fcntl(fd, F_SETFL, O_APPEND));
    CHECK("fcntl-getfl-append", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    CHECK("fcntl-getfl-shared-by-dup", (fcntl(d, F_GETFL) & O_APPEND) != 0);
    CHECK_OK("fcntl-setfl-nonblock", fcntl(fd, F_SETFL, O_NONBLOCK));
    CHECK("fcntl-getfl-nonblock", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    CHECK_EQ("fcntl-setfl-keeps-accmode", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    CHECK_ERR("fcntl-ebadf", fcntl(-1, F_GETFD), EBADF);
    CHECK_ERR("fcntl-ebadf-closed", fcntl(99, F_GETFL), EBADF);
    CHECK_ERR("fcntl-bad-cmd", fcntl(fd, 9999), EINVAL);
    int lowest = dup(fd);
    close(lowest);
    CHECK_EQ("lowest-free-fd-reused", dup(fd), lowest);
    close(d);
    close(fd);
    CHECK_EQ("fd-dup-survives-close", lseek(50, 0, SEEK_SET), 0);
    char buf[8];
    CHECK_EQ("fd-dup-reads", read(50, buf, 6), 6);
    /* close_range-free cleanup */
    for (int i = 50; i < 80; i++) close(i);
    unlink("f");
    return done();
}
