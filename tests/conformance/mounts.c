/* Mount options honoured, not accepted and ignored: tmpfs's size=, nr_inodes=, mode=, uid=, gid=;
 * read-only mounts (EROFS for every change, also after MS_REMOUNT); nodev, noexec and nosuid;
 * statfs's f_flags; umount of a relative path; EBUSY for a mount in use. */
#include "check.h"
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/wait.h>

#define M "/tmp/conf-mnt"

static void tmpfs_options(void) {
    mkdir(M, 0755);
    CHECK_OK("mount-tmpfs-options", mount("none", M, "tmpfs", 0, "size=64k,nr_inodes=6,mode=0750,uid=1000,gid=100"));
    struct stat st;
    stat(M, &st);
    CHECK_EQ("tmpfs-mode", st.st_mode & 07777, 0750);
    CHECK_EQ("tmpfs-uid", st.st_uid, 1000);
    CHECK_EQ("tmpfs-gid", st.st_gid, 100);
    struct statfs sf;
    CHECK_OK("statfs", statfs(M, &sf));
    CHECK_EQ("tmpfs-size-blocks", sf.f_blocks * sf.f_bsize, 64 * 1024);
    CHECK_EQ("tmpfs-nr-inodes", sf.f_files, 6);
    int fd = open(M "/big", O_CREAT | O_WRONLY, 0644);
    static char buf[128 * 1024];
    ssize_t n = write(fd, buf, sizeof buf);
    if (!(n > 0 && n <= 64 * 1024)) fail("tmpfs-size-short-write", "write = %zd errno %d", n, errno); else passed++;
    CHECK_ERR("tmpfs-size-enospc", write(fd, buf, sizeof buf), ENOSPC);
    close(fd);
    unlink(M "/big");
    int made = 0, err = 0;
    for (int i = 0; i < 10; i++) {
        char name[64];
        snprintf(name, sizeof name, M "/f%d", i);
        int f = open(name, O_CREAT | O_WRONLY, 0644);
        if (f < 0) { err = errno; break; }
        close(f);
        made++;
    }
    CHECK("tmpfs-nr-inodes-enospc", made >= 4 && made <= 6 && err == ENOSPC);
    CHECK_ERR("tmpfs-bad-option", mount("none", M, "tmpfs", 0, "size=12q"), EINVAL);
    CHECK_ERR("tmpfs-unknown-option", mount("none", M, "tmpfs", 0, "bogus=1"), EINVAL);
    CHECK_OK("umount-tmpfs", umount(M));
}

static void read_only(void) {
    CHECK_OK("mount-rw", mount("none", M, "tmpfs", 0, NULL));
    close(open(M "/file", O_CREAT | O_WRONLY, 0644));
    mkdir(M "/dir", 0755);
    CHECK_OK("remount-ro", mount("none", M, NULL, MS_REMOUNT | MS_RDONLY, NULL));
    struct statfs sf;
    statfs(M, &sf);
    CHECK("statfs-st-rdonly", sf.f_flags & ST_RDONLY);
    CHECK_ERR("ro-open-write", open(M "/file", O_WRONLY), EROFS);
    CHECK_ERR("ro-open-trunc", open(M "/file", O_RDONLY | O_TRUNC), EROFS);
    CHECK_ERR("ro-creat", open(M "/new", O_CREAT | O_WRONLY, 0644), EROFS);
    int fd = open(M "/file", O_RDONLY);
    CHECK("ro-open-read", fd >= 0);
    close(fd);
    CHECK_ERR("ro-mkdir", mkdir(M "/d2", 0755), EROFS);
    CHECK_ERR("ro-rmdir", rmdir(M "/dir"), EROFS);
    CHECK_ERR("ro-unlink", unlink(M "/file"), EROFS);
    CHECK_ERR("ro-rename", rename(M "/file", M "/file2"), EROFS);
    CHECK_ERR("ro-link", link(M "/file", M "/hard"), EROFS);
    CHECK_ERR("ro-symlink", symlink("file", M "/sym"), EROFS);
    CHECK_ERR("ro-mkfifo", mkfifo(M "/fifo", 0644), EROFS);
    CHECK_ERR("ro-chmod", chmod(M "/file", 0600), EROFS);
    CHECK_ERR("ro-chown", chown(M "/file", 1, 1), EROFS);
    CHECK_ERR("ro-truncate", truncate(M "/file", 0), EROFS);
    CHECK_ERR("ro-utimes", utimes(M "/file", NULL), EROFS);
    CHECK_ERR("ro-mkdir-existing", mkdir(M "/dir", 0755), EEXIST);
    CHECK_OK("remount-rw", mount("none", M, NULL, MS_REMOUNT, NULL));
    CHECK_OK("rw-again-unlink", unlink(M "/file"));
    CHECK_OK("umount-ro-test", umount(M));
    CHECK_OK("mount-ro-directly", mount("none", M, "tmpfs", MS_RDONLY, NULL));
    CHECK_ERR("mounted-ro-creat", open(M "/x", O_CREAT | O_WRONLY, 0644), EROFS);
    CHECK_OK("umount-ro", umount(M));
}

static int run_copy(const char *path, int as_user) {
    pid_t p = fork();
    if (p == 0) {
        if (as_user && syscall(SYS_setresuid, 1000, 1000, 1000) != 0) _exit(20);
        char *argv[] = {(char *)path, "--euid", NULL};
        execv(path, argv);
        _exit(errno == EACCES ? 30 : 31);
    }
    int st = -1;
    waitpid(p, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void copy_self(const char *to, mode_t mode) {
    int in = open("/proc/self/exe", O_RDONLY), out = open(to, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    static char buf[65536];
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) (void)!write(out, buf, n);
    close(in);
    close(out);
    chmod(to, mode);
}

static void nodev_noexec_nosuid(void) {
    CHECK_OK("mount-nodev-noexec", mount("none", M, "tmpfs", MS_NODEV | MS_NOEXEC, "mode=755"));
    struct statfs sf;
    statfs(M, &sf);
    CHECK("statfs-st-nodev-noexec", (sf.f_flags & (ST_NODEV | ST_NOEXEC)) == (ST_NODEV | ST_NOEXEC));
    CHECK_OK("nodev-mknod", mknod(M "/null", S_IFCHR | 0666, makedev(1, 3)));
    CHECK_ERR("nodev-open", open(M "/null", O_RDWR), EACCES);
    copy_self(M "/prog", 0755);
    CHECK_EQ("noexec-execve", run_copy(M "/prog", 0), 30);
    int fd = open(M "/prog", O_RDONLY);
    void *m = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    CHECK("noexec-mmap-exec-eperm", m == MAP_FAILED && errno == EPERM);
    m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK("noexec-mmap-read", m != MAP_FAILED);
    munmap(m, 4096);
    close(fd);
    CHECK_OK("umount-nodev", umount(M));

    CHECK_OK("mount-suid", mount("none", M, "tmpfs", 0, "mode=755"));
    copy_self(M "/prog", 04755);
    CHECK_EQ("setuid-program-runs-as-root", run_copy(M "/prog", 1), 0);
    CHECK_OK("remount-nosuid", mount("none", M, NULL, MS_REMOUNT | MS_NOSUID, NULL));
    CHECK_EQ("nosuid-program-keeps-euid", run_copy(M "/prog", 1), 1);
    CHECK_OK("umount-nosuid", umount(M));
}

static void unmounting(void) {
    CHECK_OK("mount-for-umount", mount("none", M, "tmpfs", 0, NULL));
    CHECK_OK("chdir-tmp", chdir("/tmp"));
    CHECK_OK("umount-relative", umount("conf-mnt"));
    CHECK_OK("mount-busy", mount("none", M, "tmpfs", 0, NULL));
    CHECK_OK("chdir-into", chdir(M));
    CHECK_ERR("umount-cwd-busy", umount(M), EBUSY);
    chdir("/");
    int fd = open(M "/held", O_CREAT | O_RDWR, 0644);
    CHECK_ERR("umount-open-file-busy", umount(M), EBUSY);
    close(fd);
    CHECK_OK("umount-after-close", umount(M));
    rmdir(M);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--euid") == 0) return geteuid() == 0 ? 0 : 1;
    begin("mounts");
    tmpfs_options();
    read_only();
    nodev_noexec_nosuid();
    unmounting();
    return done();
}
