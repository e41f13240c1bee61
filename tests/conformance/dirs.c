/* mkdir, rmdir, unlink, rename, symlink, readlink, link, chdir, fchdir, getcwd, umask. */
#include "check.h"
#include <sys/stat.h>
#include <sys/wait.h>

/* An absolute path ignores the dirfd, even an invalid one (-1 or a closed fd). */
static void absolute_paths_ignore_dirfd(void) {
    const int bad = -1;
    CHECK_OK("abs-mkdirat", syscall(SYS_mkdirat, bad, "/tmp/conf-abs", 0755));
    CHECK_OK("abs-faccessat2", syscall(SYS_faccessat2, bad, "/tmp/conf-abs", F_OK, 0));
    CHECK_OK("abs-faccessat", syscall(SYS_faccessat, bad, "/tmp/conf-abs", F_OK));
    int fd = syscall(SYS_openat, 999, "/tmp/conf-abs/f", O_CREAT | O_WRONLY, 0644);
    CHECK("abs-openat", fd >= 0);
    close(fd);
    CHECK_OK("abs-linkat", syscall(SYS_linkat, bad, "/tmp/conf-abs/f", bad, "/tmp/conf-abs/g", 0));
    CHECK_OK("abs-symlinkat", syscall(SYS_symlinkat, "f", bad, "/tmp/conf-abs/s"));
    char buf[16] = {0};
    CHECK_EQ("abs-readlinkat", syscall(SYS_readlinkat, bad, "/tmp/conf-abs/s", buf, sizeof buf), 1);
    CHECK_OK("abs-fchmodat", syscall(SYS_fchmodat, bad, "/tmp/conf-abs/f", 0600));
    CHECK_OK("abs-fchownat", syscall(SYS_fchownat, bad, "/tmp/conf-abs/f", 0, 0, 0));
    CHECK_OK("abs-utimensat", syscall(SYS_utimensat, bad, "/tmp/conf-abs/f", NULL, 0));
    struct stat st;
    CHECK_OK("abs-newfstatat", syscall(SYS_newfstatat, bad, "/tmp/conf-abs/f", &st, 0));
    CHECK_OK("abs-renameat", syscall(SYS_renameat, bad, "/tmp/conf-abs/g", bad, "/tmp/conf-abs/h"));
    CHECK_OK("abs-unlinkat", syscall(SYS_unlinkat, bad, "/tmp/conf-abs/h", 0));
    CHECK_ERR("rel-bad-dirfd", syscall(SYS_faccessat2, bad, "f", F_OK, 0), EBADF);
    unlink("/tmp/conf-abs/s");
    unlink("/tmp/conf-abs/f");
    rmdir("/tmp/conf-abs");
}

/* faccessat2's flags: checked, and acted on (not accepted and ignored). */
static void faccessat2_flags(void) {
    mkdir("/tmp/conf-acc", 0755);
    CHECK_ERR("faccessat2-bad-flags", syscall(SYS_faccessat2, AT_FDCWD, "/tmp/conf-acc", F_OK, 0x4), EINVAL);
    CHECK_ERR("faccessat2-bad-mode", syscall(SYS_faccessat2, AT_FDCWD, "/tmp/conf-acc", 8, 0), EINVAL);
    symlink("/tmp/conf-acc/missing", "/tmp/conf-acc/dangling");
    CHECK_ERR("faccessat2-follows", syscall(SYS_faccessat2, AT_FDCWD, "/tmp/conf-acc/dangling", F_OK, 0), ENOENT);
    CHECK_OK("faccessat2-nofollow", syscall(SYS_faccessat2, AT_FDCWD, "/tmp/conf-acc/dangling", F_OK, AT_SYMLINK_NOFOLLOW));
    int dir = open("/tmp/conf-acc", O_RDONLY | O_DIRECTORY);
    CHECK_OK("faccessat2-empty-path", syscall(SYS_faccessat2, dir, "", R_OK, AT_EMPTY_PATH));
    CHECK_ERR("faccessat2-empty-no-flag", syscall(SYS_faccessat2, dir, "", R_OK, 0), ENOENT);
    close(dir);
    /* Real uid 1000, effective 0: access() judges by the real ids, AT_EACCESS by the effective. */
    int fd = open("/tmp/conf-acc/secret", O_CREAT | O_WRONLY, 0600);
    close(fd);
    pid_t p = fork();
    if (p == 0) {
        if (syscall(SYS_setresuid, 1000, 0, 0) != 0) _exit(10);
        long real = syscall(SYS_faccessat2, AT_FDCWD, "/tmp/conf-acc/secret", R_OK, 0);
        int real_errno = errno;
        long eff = syscall(SYS_faccessat2, AT_FDCWD, "/tmp/conf-acc/secret", R_OK, 0x200 /* AT_EACCESS */);
        _exit(real == -1 && real_errno == EACCES ? (eff == 0 ? 0 : 2) : 1);
    }
    int status = -1;
    waitpid(p, &status, 0);
    CHECK_EQ("faccessat2-eaccess", WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
    unlink("/tmp/conf-acc/secret");
    unlink("/tmp/conf-acc/dangling");
    rmdir("/tmp/conf-acc");
}

int main(void) {
    begin("dirs");
    absolute_paths_ignore_dirfd();
    faccessat2_flags();
    mkdir("/tmp/conf-dirs", 0755);
    CHECK_OK("chdir-workdir", chdir("/tmp/conf-dirs"));
    char buf[256];
    CHECK_EQ("umask-default", umask(022), 022);
    CHECK_EQ("umask-returns-old", umask(077), 022);
    CHECK_EQ("umask-set", umask(022), 077);
    CHECK_OK("mkdir", mkdir("a", 0777));
    struct stat st;
    stat("a", &st);
    CHECK_EQ("mkdir-umask-applied", st.st_mode & 0777, 0755);
    CHECK_ERR("mkdir-eexist", mkdir("a", 0755), EEXIST);
    CHECK_ERR("mkdir-enoent", mkdir("x/y", 0755), ENOENT);
    CHECK_OK("mkdir-nested", mkdir("a/b", 0755));
    CHECK_ERR("rmdir-notempty", rmdir("a"), ENOTEMPTY);
    CHECK_ERR("rmdir-dot", rmdir("a/b/."), EINVAL);
    CHECK_OK("rmdir", rmdir("a/b"));
    CHECK_ERR("rmdir-enoent", rmdir("a/b"), ENOENT);
    close(open("f", O_CREAT | O_WRONLY, 0644));
    CHECK_ERR("rmdir-enotdir", rmdir("f"), ENOTDIR);
    CHECK_ERR("unlink-dir", unlink("a"), EISDIR);
    CHECK_ERR("unlink-enoent", unlink("nosuch"), ENOENT);
    CHECK_OK("link", link("f", "g"));
    stat("f", &st);
    CHECK_EQ("link-nlink", st.st_nlink, 2);
    CHECK_ERR("link-eexist", link("f", "g"), EEXIST);
    CHECK_ERR("link-dir", link("a", "a2"), EPERM);
    CHECK_OK("unlink", unlink("g"));
    stat("f", &st);
    CHECK_EQ("unlink-nlink", st.st_nlink, 1);
    CHECK_OK("symlink", symlink("f", "s"));
    memset(buf, 0, sizeof buf);
    CHECK_EQ("readlink", readlink("s", buf, sizeof buf), 1);
    CHECK("readlink-content", strcmp(buf, "f") == 0);
    CHECK_OK("symlink-long-target", symlink("some/longer/target", "s2"));
    CHECK_EQ("readlink-truncates", readlink("s2", buf, 4), 4);
    CHECK("readlink-truncated-content", memcmp(buf, "some", 4) == 0);
    CHECK_ERR("readlink-not-link", readlink("f", buf, sizeof buf), EINVAL);
    CHECK_ERR("readlink-enoent", readlink("nosuch", buf, sizeof buf), ENOENT);
    CHECK_ERR("readlink-zero-size", readlink("s", buf, 0), EINVAL);
    CHECK_ERR("symlink-eexist", symlink("x", "s"), EEXIST);
    CHECK_OK("rename", rename("f", "h"));
    CHECK_ERR("rename-old-gone", access("f", F_OK), ENOENT);
    CHECK_OK("rename-new-there", access("h", F_OK));
    close(open("i", O_CREAT | O_WRONLY, 0644));
    CHECK_OK("rename-replace", rename("h", "i"));
    CHECK_OK("rename-dir", rename("a", "a3"));
    CHECK_ERR("rename-file-over-dir", rename("i", "a3"), EISDIR);
    mkdir("e", 0755);
    CHECK_ERR("rename-dir-over-file", rename("e", "i"), ENOTDIR);
    CHECK_ERR("rename-into-self", rename("a3", "a3/sub"), EINVAL);
    CHECK_ERR("rename-enoent", rename("nosuch", "z"), ENOENT);
    CHECK_OK("rename-same", rename("i", "i"));
    CHECK("getcwd", getcwd(buf, sizeof buf) != NULL && strcmp(buf, "/tmp/conf-dirs") == 0);
    CHECK_OK("chdir", chdir("a3"));
    CHECK("getcwd-after-chdir", getcwd(buf, sizeof buf) != NULL && strcmp(buf, "/tmp/conf-dirs/a3") == 0);
    CHECK_OK("chdir-dotdot", chdir(".."));
    CHECK_ERR("chdir-enoent", chdir("nosuch"), ENOENT);
    CHECK_ERR("chdir-enotdir", chdir("i"), ENOTDIR);
    int d = open("a3", O_RDONLY | O_DIRECTORY);
    CHECK_OK("fchdir", fchdir(d));
    CHECK("getcwd-after-fchdir", getcwd(buf, sizeof buf) != NULL && strcmp(buf, "/tmp/conf-dirs/a3") == 0);
    close(d);
    chdir("/tmp/conf-dirs");
    int f = open("i", O_RDONLY);
    CHECK_ERR("fchdir-enotdir", fchdir(f), ENOTDIR);
    close(f);
    CHECK_ERR("fchdir-ebadf", fchdir(-1), EBADF);
    CHECK_ERR("getcwd-erange", syscall(SYS_getcwd, buf, 3), ERANGE);
    CHECK_ERR("getcwd-efault", syscall(SYS_getcwd, BADPTR, 100), EFAULT);
    CHECK_ERR("mkdir-efault", syscall(SYS_mkdirat, AT_FDCWD, BADPTR, 0755), EFAULT);
    CHECK_ERR("unlink-efault", syscall(SYS_unlinkat, AT_FDCWD, BADPTR, 0), EFAULT);
    CHECK_ERR("rename-efault", syscall(SYS_renameat, AT_FDCWD, BADPTR, AT_FDCWD, "z"), EFAULT);
    CHECK_ERR("symlink-efault", syscall(SYS_symlinkat, BADPTR, AT_FDCWD, "z"), EFAULT);
    CHECK_ERR("readlink-efault-buf", syscall(SYS_readlinkat, AT_FDCWD, "s", BADPTR, 10), EFAULT);
    CHECK_ERR("readlink-efault-path", syscall(SYS_readlinkat, AT_FDCWD, KERNPTR, buf, 10), EFAULT);
    CHECK_ERR("link-efault", syscall(SYS_linkat, AT_FDCWD, BADPTR, AT_FDCWD, "z", 0), EFAULT);
    CHECK_ERR("chdir-efault", syscall(SYS_chdir, BADPTR), EFAULT);
    CHECK_ERR("unlinkat-ebadf", unlinkat(-7, "x", 0), EBADF);
    CHECK_ERR("unlinkat-bad-flag", unlinkat(AT_FDCWD, "i", 0x1234), EINVAL);
    CHECK_OK("unlinkat-removedir", unlinkat(AT_FDCWD, "e", AT_REMOVEDIR));
    CHECK_ERR("mkdirat-ebadf", mkdirat(-7, "x", 0755), EBADF);
    return done();
}
