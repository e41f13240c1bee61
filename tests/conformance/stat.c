/* stat, fstat, newfstatat (AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH), getdents64. */
#include "check.h"
#include <dirent.h>
#include <sys/stat.h>

struct linux_dirent64 { uint64_t d_ino; int64_t d_off; unsigned short d_reclen; unsigned char d_type; char d_name[]; };

int main(void) {
    begin("stat");
    mkdir("/tmp/conf-stat", 0755);
    CHECK_OK("chdir-workdir", chdir("/tmp/conf-stat"));
    int fd = open("f", O_CREAT | O_RDWR | O_TRUNC, 0640);
    write(fd, "0123456789", 10);
    struct stat st, st2;
    CHECK_OK("stat", stat("f", &st));
    CHECK("stat-regular", S_ISREG(st.st_mode));
    CHECK_EQ("stat-mode", st.st_mode & 07777, 0640 & ~umask(022));
    CHECK_EQ("stat-size", st.st_size, 10);
    CHECK_EQ("stat-nlink", st.st_nlink, 1);
    CHECK("stat-ino", st.st_ino != 0);
    CHECK("stat-blksize", st.st_blksize > 0);
    CHECK_OK("fstat", fstat(fd, &st2));
    CHECK("fstat-same-ino", st.st_ino == st2.st_ino && st.st_dev == st2.st_dev);
    CHECK_OK("fstatat-cwd", fstatat(AT_FDCWD, "f", &st2, 0));
    CHECK_EQ("fstatat-size", st2.st_size, 10);
    CHECK_OK("fstatat-empty-path", fstatat(fd, "", &st2, AT_EMPTY_PATH));
    CHECK_EQ("fstatat-empty-path-ino", st2.st_ino, st.st_ino);
    CHECK_ERR("fstatat-empty-no-flag", fstatat(fd, "", &st2, 0), ENOENT);
    CHECK_ERR("fstatat-bad-flags", fstatat(AT_FDCWD, "f", &st2, 0x40000000), EINVAL);
    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    CHECK("open-dir", dfd >= 0);
    CHECK_OK("fstatat-dirfd", fstatat(dfd, "f", &st2, 0));
    CHECK_ERR("fstatat-dirfd-not-dir", fstatat(fd, "x", &st2, 0), ENOTDIR);
    CHECK_ERR("fstatat-ebadf", fstatat(-5, "x", &st2, 0), EBADF);
    CHECK_OK("symlink", symlink("f", "l"));
    CHECK_OK("stat-follows", stat("l", &st2));
    CHECK("stat-follows-regular", S_ISREG(st2.st_mode) && st2.st_ino == st.st_ino);
    CHECK_OK("lstat", lstat("l", &st2));
    CHECK("lstat-link", S_ISLNK(st2.st_mode));
    CHECK_EQ("lstat-link-size", st2.st_size, 1);
    CHECK_OK("stat-dir", stat(".", &st2));
    CHECK("stat-dir-isdir", S_ISDIR(st2.st_mode));
    CHECK_OK("stat-devnull", stat("/dev/null", &st2));
    CHECK("stat-devnull-chr", S_ISCHR(st2.st_mode));
    CHECK_EQ("stat-devnull-rdev", st2.st_rdev, makedev(1, 3));
    CHECK_ERR("stat-enoent", stat("nosuch", &st2), ENOENT);
    CHECK_ERR("stat-enotdir", stat("f/x", &st2), ENOTDIR);
    CHECK_ERR("stat-dangling", (symlink("nosuch", "dl"), stat("dl", &st2)), ENOENT);
    CHECK_ERR("fstat-ebadf", fstat(-1, &st2), EBADF);
    CHECK_ERR("stat-efault-path", syscall(SYS_newfstatat, AT_FDCWD, BADPTR, &st2, 0), EFAULT);
    CHECK_ERR("stat-efault-buf", syscall(SYS_newfstatat, AT_FDCWD, "f", BADPTR, 0), EFAULT);
    CHECK_ERR("stat-efault-buf-kernel", syscall(SYS_newfstatat, AT_FDCWD, "f", KERNPTR, 0), EFAULT);
    CHECK_ERR("fstat-efault", syscall(SYS_fstat, fd, BADPTR), EFAULT);
    CHECK_ERR("stat-eloop", (symlink("loop", "loop"), stat("loop", &st2)), ELOOP);

    /* getdents64 */
    mkdir("d", 0755);
    close(open("d/a", O_CREAT | O_WRONLY, 0644));
    close(open("d/bb", O_CREAT | O_WRONLY, 0644));
    mkdir("d/sub", 0755);
    int d = open("d", O_RDONLY | O_DIRECTORY);
    char buf[4096];
    int seen = 0, dot = 0, dotdot = 0, sub_is_dir = 0, a_is_reg = 0;
    long n, total = 0;
    while ((n = syscall(SYS_getdents64, d, buf, sizeof buf)) > 0) {
        total += n;
        for (long off = 0; off < n;) {
            struct linux_dirent64 *e = (void *)(buf + off);
            seen++;
            if (!strcmp(e->d_name, ".")) dot = 1;
            if (!strcmp(e->d_name, "..")) dotdot = 1;
            if (!strcmp(e->d_name, "sub")) sub_is_dir = e->d_type == DT_DIR;
            if (!strcmp(e->d_name, "a")) a_is_reg = e->d_type == DT_REG;
            CHECK("getdents-reclen-aligned", e->d_reclen % 8 == 0 && e->d_reclen >= 19);
            off += e->d_reclen;
        }
    }
    CHECK_EQ("getdents-end", n, 0);
    CHECK_EQ("getdents-count", seen, 5);
    CHECK("getdents-dot-dotdot", dot && dotdot);
    CHECK("getdents-dtype-dir", sub_is_dir);
    CHECK("getdents-dtype-reg", a_is_reg);
    CHECK_EQ("getdents-eof-again", syscall(SYS_getdents64, d, buf, sizeof buf), 0);
    lseek(d, 0, SEEK_SET);
    CHECK("getdents-rewind", syscall(SYS_getdents64, d, buf, sizeof buf) == total);
    lseek(d, 0, SEEK_SET);
    CHECK_ERR("getdents-einval-small", syscall(SYS_getdents64, d, buf, 8), EINVAL);
    CHECK_ERR("getdents-efault", syscall(SYS_getdents64, d, BADPTR, 4096), EFAULT);
    CHECK_ERR("getdents-ebadf", syscall(SYS_getdents64, -1, buf, 4096), EBADF);
    CHECK_ERR("getdents-enotdir", syscall(SYS_getdents64, fd, buf, 4096), ENOTDIR);
    DIR *dir = opendir("d");
    int count = 0;
    while (readdir(dir)) count++;
    closedir(dir);
    CHECK_EQ("readdir-count", count, 5);
    close(d);
    /* statx: the same facts as stat, and its argument checks. */
    struct statx sx;
    CHECK_OK("statx", statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx));
    CHECK_OK("statx-stat", stat("f", &st));
    CHECK("statx-basic-mask", (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
    CHECK("statx-matches-stat", sx.stx_ino == st.st_ino && sx.stx_size == (uint64_t)st.st_size &&
          sx.stx_mode == st.st_mode && sx.stx_nlink == st.st_nlink && sx.stx_mtime.tv_sec == st.st_mtim.tv_sec);
    CHECK("statx-dev", makedev(sx.stx_dev_major, sx.stx_dev_minor) == st.st_dev);
    CHECK_OK("statx-empty-path", statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx));
    CHECK("statx-empty-path-ino", sx.stx_ino == st.st_ino);
    CHECK_ERR("statx-empty-path-needs-flag", statx(fd, "", 0, STATX_BASIC_STATS, &sx), ENOENT);
    CHECK_ERR("statx-bad-flags", statx(AT_FDCWD, "f", 0x40000000, STATX_BASIC_STATS, &sx), EINVAL);
    CHECK_ERR("statx-both-sync-types", statx(AT_FDCWD, "f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx), EINVAL);
    CHECK_ERR("statx-reserved-mask", statx(AT_FDCWD, "f", 0, 0x80000000u, &sx), EINVAL);
    CHECK_ERR("statx-enoent", statx(AT_FDCWD, "nonexistent", 0, STATX_BASIC_STATS, &sx), ENOENT);
    CHECK_ERR("statx-efault-buf", syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, BADPTR), EFAULT);
    CHECK_ERR("statx-efault-path", syscall(SYS_statx, AT_FDCWD, BADPTR, 0, STATX_BASIC_STATS, &sx), EFAULT);
    CHECK_ERR("statx-ebadf", statx(-7, "f", 0, STATX_BASIC_STATS, &sx), EBADF);
    close(dfd);
    close(fd);
    return done();
}
