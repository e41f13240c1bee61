/* openat2: struct open_how size rules (copy_struct_from_user), strict flag and mode checks, and the
 * RESOLVE_* restrictions: NO_SYMLINKS, NO_MAGICLINKS, NO_XDEV, BENEATH, IN_ROOT, CACHED. */
#include "check.h"
#include <linux/openat2.h>

static long o2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve) {
    struct open_how how = {.flags = flags, .mode = mode, .resolve = resolve};
    return syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

static char dir[64];

int main(void) {
    begin("openat2");
    snprintf(dir, sizeof dir, "/tmp/openat2-%d", getpid());
    mkdir(dir, 0755);
    int d = open(dir, O_RDONLY | O_DIRECTORY);
    mkdirat(d, "sub", 0755);
    close(openat(d, "sub/f", O_CREAT | O_WRONLY, 0644));
    symlinkat("sub/f", d, "rel");
    symlinkat("/etc", d, "abs");
    symlinkat("../sub", d, "sub/up");

    struct { struct open_how how; uint64_t extra; } big = {{.flags = O_RDONLY}, 0};
    CHECK_ERR("size-small", syscall(SYS_openat2, d, "sub/f", &big, 23), EINVAL);
    CHECK_ERR("size-zero", syscall(SYS_openat2, d, "sub/f", &big, 0), EINVAL);
    int fd = syscall(SYS_openat2, d, "sub/f", &big, sizeof big);
    CHECK("size-bigger-zero-tail", fd >= 0);
    close(fd);
    big.extra = 1;
    CHECK_ERR("size-bigger-nonzero-tail", syscall(SYS_openat2, d, "sub/f", &big, sizeof big), E2BIG);
    CHECK_ERR("size-huge", syscall(SYS_openat2, d, "sub/f", &big, 8192), E2BIG);
    CHECK_ERR("how-badptr", syscall(SYS_openat2, d, "sub/f", BADPTR, 24), EFAULT);
    CHECK_ERR("path-badptr", o2(d, BADPTR, O_RDONLY, 0, 0), EFAULT);
    CHECK_ERR("badfd", o2(999, "sub/f", O_RDONLY, 0, 0), EBADF);

    CHECK_ERR("flags-unknown", o2(d, "sub/f", 1ull << 40, 0, 0), EINVAL);
    CHECK_ERR("flags-unknown-low", o2(d, "sub/f", 0x40000000, 0, 0), EINVAL);
    CHECK_ERR("resolve-unknown", o2(d, "sub/f", O_RDONLY, 0, 0x40), EINVAL);
    CHECK_ERR("beneath-and-in-root", o2(d, "sub/f", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT), EINVAL);
    CHECK_ERR("mode-without-creat", o2(d, "sub/f", O_RDONLY, 0644, 0), EINVAL);
    CHECK_ERR("mode-bad-bits", o2(d, "sub/g", O_CREAT | O_WRONLY, 0100644, 0), EINVAL);
    CHECK_ERR("path-extra-flags", o2(d, "sub/f", O_PATH | O_RDWR, 0, 0), EINVAL);
    fd = o2(d, "sub/g", O_CREAT | O_WRONLY | O_CLOEXEC, 0600, 0);
    CHECK("create", fd >= 0);
    CHECK_EQ("create-cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
    struct stat st;
    fstat(fd, &st);
    CHECK_EQ("create-mode", st.st_mode & 0777, 0600 & ~022 & 0600);
    close(fd);
    fd = o2(d, "sub/f", O_PATH | O_NOFOLLOW | O_CLOEXEC, 0, 0);
    CHECK("path-allowed-flags", fd >= 0);
    close(fd);

    /* RESOLVE_NO_SYMLINKS / NO_MAGICLINKS */
    fd = o2(d, "rel", O_RDONLY, 0, 0);
    CHECK("symlink-plain", fd >= 0);
    close(fd);
    CHECK_ERR("no-symlinks", o2(d, "rel", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
    CHECK_ERR("no-symlinks-middle", o2(d, "sub/up/f", O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);
    fd = o2(d, "rel", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS);
    CHECK("no-symlinks-nofollow-path", fd >= 0);
    close(fd);
    char magic[64];
    snprintf(magic, sizeof magic, "/proc/self/fd/%d", d);
    fd = o2(AT_FDCWD, magic, O_RDONLY, 0, 0);
    CHECK("magic-plain", fd >= 0);
    close(fd);
    CHECK_ERR("no-magiclinks", o2(AT_FDCWD, magic, O_RDONLY, 0, RESOLVE_NO_MAGICLINKS), ELOOP);
    CHECK_ERR("no-symlinks-magic", o2(AT_FDCWD, magic, O_RDONLY, 0, RESOLVE_NO_SYMLINKS), ELOOP);

    /* RESOLVE_BENEATH */
    fd = o2(d, "sub/up/f", O_RDONLY, 0, RESOLVE_BENEATH);
    CHECK("beneath-inside", fd >= 0);
    close(fd);
    CHECK_ERR("beneath-dotdot", o2(d, "../x", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
    CHECK_ERR("beneath-absolute", o2(d, "/etc", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
    CHECK_ERR("beneath-abs-symlink", o2(d, "abs", O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
    CHECK_ERR("beneath-magic", o2(d, magic, O_RDONLY, 0, RESOLVE_BENEATH), EXDEV);
    fd = o2(d, "sub/..", O_RDONLY, 0, RESOLVE_BENEATH);
    CHECK("beneath-dotdot-inside", fd >= 0);
    close(fd);

    /* RESOLVE_IN_ROOT: "/" and ".." stay at dirfd */
    fd = o2(d, "/sub/f", O_RDONLY, 0, RESOLVE_IN_ROOT);
    CHECK("in-root-absolute", fd >= 0);
    close(fd);
    fd = o2(d, "../../sub/f", O_RDONLY, 0, RESOLVE_IN_ROOT);
    CHECK("in-root-dotdot", fd >= 0);
    close(fd);
    CHECK_ERR("in-root-abs-symlink", o2(d, "abs/passwd", O_RDONLY, 0, RESOLVE_IN_ROOT), ENOENT);

    /* RESOLVE_NO_XDEV: /proc is another mount */
    int root = open("/", O_RDONLY | O_DIRECTORY);
    CHECK_ERR("no-xdev-down", o2(root, "proc/self", O_RDONLY, 0, RESOLVE_NO_XDEV), EXDEV);
    int proc = open("/proc", O_RDONLY | O_DIRECTORY);
    CHECK_ERR("no-xdev-up", o2(proc, "../tmp", O_RDONLY, 0, RESOLVE_NO_XDEV), EXDEV);
    fd = o2(d, "sub/f", O_RDONLY, 0, RESOLVE_NO_XDEV);
    CHECK("no-xdev-same", fd >= 0);
    close(fd);
    close(proc);
    close(root);

    /* RESOLVE_CACHED never creates or truncates */
    CHECK_ERR("cached-creat", o2(d, "sub/h", O_CREAT | O_WRONLY, 0644, RESOLVE_CACHED), EAGAIN);
    CHECK_ERR("cached-trunc", o2(d, "sub/f", O_TRUNC | O_WRONLY, 0, RESOLVE_CACHED), EAGAIN);

    unlinkat(d, "sub/up", 0); unlinkat(d, "abs", 0); unlinkat(d, "rel", 0);
    unlinkat(d, "sub/f", 0); unlinkat(d, "sub/g", 0); unlinkat(d, "sub", AT_REMOVEDIR);
    close(d);
    rmdir(dir);
    return done();
}
