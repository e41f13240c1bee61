/* fallocate(2) on tmpfs (shmem_fallocate): reserved pages counted in st_blocks, KEEP_SIZE, ENOSPC
 * past the mount's size= with this call's pages given back, PUNCH_HOLE freeing whole pages and
 * zeroing partial ones, ctime (not mtime) on allocation, memfd seals (F_SEAL_GROW even with
 * KEEP_SIZE, F_SEAL_WRITE against punching), and vfs_fallocate's errors in their order. */
#include "check.h"
#include <sys/mman.h>
#include <sys/mount.h>
#include <linux/falloc.h>

static long blocks(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 ? (long)st.st_blocks : -1;
}

static long size_of(int fd) {
    struct stat st;
    return fstat(fd, &st) == 0 ? (long)st.st_size : -1;
}

static void on_tmpfs(void) {
    const char *dir = "/tmp/lichen-falloc";
    mkdir(dir, 0755);
    CHECK_OK("mount", mount("tmpfs", dir, "tmpfs", 0, "size=64k"));
    int fd = open("/tmp/lichen-falloc/f", O_CREAT | O_RDWR, 0644);
    CHECK_OK("allocate", fallocate(fd, 0, 0, 8192));
    CHECK_EQ("allocate-size", size_of(fd), 8192);
    CHECK_EQ("allocate-blocks", blocks(fd), 16);
    CHECK_OK("keep-size", fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 8192));
    CHECK_EQ("keep-size-size", size_of(fd), 8192);
    CHECK_EQ("keep-size-blocks", blocks(fd), 32);
    CHECK_ERR("enospc", fallocate(fd, 0, 0, 1 << 20), ENOSPC);
    CHECK_EQ("enospc-undone", blocks(fd), 32);
    CHECK_EQ("enospc-size", size_of(fd), 8192);

    char buf[4096];
    memset(buf, 'x', sizeof buf);
    pwrite(fd, buf, sizeof buf, 0);
    CHECK_OK("punch-page", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
    CHECK_EQ("punch-page-freed", blocks(fd), 24);
    memset(buf, 1, sizeof buf);
    int zero = pread(fd, buf, sizeof buf, 0) == (ssize_t)sizeof buf;
    for (size_t i = 0; i < sizeof buf; i++) if (buf[i]) zero = 0;
    CHECK("punch-page-zeros", zero);
    memset(buf, 'y', sizeof buf);
    pwrite(fd, buf, sizeof buf, 0);
    CHECK_OK("punch-partial", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 10, 20));
    CHECK_EQ("punch-partial-kept", blocks(fd), 32);
    pread(fd, buf, 40, 0);
    CHECK("punch-partial-bytes", buf[9] == 'y' && buf[10] == 0 && buf[29] == 0 && buf[30] == 'y');
    /* Past the size: the KEEP_SIZE pages go too. */
    CHECK_OK("punch-past-size", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 8192, 8192));
    CHECK_EQ("punch-past-size-freed", blocks(fd), 16);

    /* Allocation inside the size, then growing it: which times change. */
    struct stat before, after;
    fstat(fd, &before);
    usleep(20000);
    fallocate(fd, 0, 0, 4096);
    fstat(fd, &after);
    CHECK("inside-mtime-changed", after.st_mtim.tv_sec != before.st_mtim.tv_sec || after.st_mtim.tv_nsec != before.st_mtim.tv_nsec);
    CHECK("inside-ctime-changed", after.st_ctim.tv_sec != before.st_ctim.tv_sec || after.st_ctim.tv_nsec != before.st_ctim.tv_nsec);
    fstat(fd, &before);
    usleep(20000);
    fallocate(fd, 0, 0, 16384);
    fstat(fd, &after);
    CHECK("grow-mtime-changed", after.st_mtim.tv_sec != before.st_mtim.tv_sec || after.st_mtim.tv_nsec != before.st_mtim.tv_nsec);
    CHECK("grow-ctime-changed", after.st_ctim.tv_sec != before.st_ctim.tv_sec || after.st_ctim.tv_nsec != before.st_ctim.tv_nsec);

    CHECK_OK("punch-everything", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 0x7fffffffffffffffLL));
    CHECK_EQ("punch-everything-freed", blocks(fd), 0);
    CHECK_EQ("punch-everything-size", size_of(fd), 16384);
    CHECK_ERR("punch-without-keep", fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 1), EOPNOTSUPP);
    CHECK_ERR("unknown-mode", fallocate(fd, 0x100, 0, 1), EOPNOTSUPP);
    CHECK_ERR("zero-length", fallocate(fd, 0, 0, 0), EINVAL);
    CHECK_ERR("negative-offset", fallocate(fd, 0, -1, 1), EINVAL);
    CHECK_ERR("too-big", fallocate(fd, 0, 0x7fffffffffffffffLL, 2), EFBIG);
    int ro = open("/tmp/lichen-falloc/f", O_RDONLY);
    CHECK_ERR("read-only", fallocate(ro, 0, 0, 1), EBADF);
    close(ro);
    int d = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK_ERR("directory-ebadf", fallocate(d, 0, 0, 1), EBADF);
    close(d);
    int p[2];
    pipe(p);
    CHECK_ERR("pipe", fallocate(p[1], 0, 0, 1), ESPIPE);
    close(p[0]); close(p[1]);
    close(fd);
    unlink("/tmp/lichen-falloc/f");
    umount(dir);
    rmdir(dir);
}

static void seals(void) {
    int fd = memfd_create("falloc", MFD_ALLOW_SEALING);
    ftruncate(fd, 8192);
    CHECK_OK("seal-grow", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
    CHECK_OK("seal-grow-inside", fallocate(fd, 0, 0, 8192));
    CHECK_ERR("seal-grow-past", fallocate(fd, 0, 4096, 8192), EPERM);
    CHECK_ERR("seal-grow-keep-size", fallocate(fd, FALLOC_FL_KEEP_SIZE, 4096, 8192), EPERM);
    CHECK_OK("seal-write", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    CHECK_ERR("seal-write-punch", fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096), EPERM);
    close(fd);
}

int main(void) {
    begin("fallocate");
    on_tmpfs();
    seals();
    return done();
}
