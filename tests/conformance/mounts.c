/* Mount options honoured, not accepted and ignored: tmpfs's size=, nr_inodes=, mode=, uid=, gid=;
 * read-only mounts (EROFS for every change, also after MS_REMOUNT); nodev, noexec and nosuid;
 * statfs's f_flags; umount of a relative path; EBUSY for a mount in use.
 * Rearranging mounts: bind mounts (of a subdirectory, of a file, MS_REC, read-only with
 * MS_REMOUNT|MS_BIND), MS_MOVE, umount2(MNT_DETACH), MS_PRIVATE, pivot_root, and
 * /proc/self/mountinfo's root and mount point fields across them; their errnos. */
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


#define B "/tmp/conf-tree"

static void touch(const char *path, const char *text) {
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd >= 0) { if (text) write(fd, text, strlen(text)); close(fd); }
}

static int exists(const char *path) { return access(path, F_OK) == 0; }

/* The mountinfo line whose mount point (5th field) is `point`: its root (4th field) in `root`. */
static int mountinfo_root(const char *point, char *root, size_t size) {
    FILE *f = fopen("/proc/self/mountinfo", "r");
    if (!f) return 0;
    char line[512], r[256], m[256];
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "%*d %*d %*s %255s %255s", r, m) == 2 && strcmp(m, point) == 0) {
            snprintf(root, size, "%s", r);
            found = 1;
        }
    }
    fclose(f);
    return found;
}

static int mounted_at(const char *point) {
    char root[256];
    return mountinfo_root(point, root, sizeof root);
}

static void bind_mounts(void) {
    mkdir(B, 0755);
    mkdir(B "/src", 0755);
    mkdir(B "/dst", 0755);
    CHECK_OK("bind-base-tmpfs", mount("none", B "/src", "tmpfs", 0, NULL));
    mkdir(B "/src/sub", 0755);
    mkdir(B "/src/sub/inner", 0755);
    touch(B "/src/sub/file", "hello");
    CHECK_OK("bind-inner-tmpfs", mount("none", B "/src/sub/inner", "tmpfs", 0, NULL));
    touch(B "/src/sub/inner/deep", NULL);
    CHECK_OK("bind-subdir", mount(B "/src/sub", B "/dst", NULL, MS_BIND, NULL));
    CHECK("bind-sees-file", exists(B "/dst/file"));
    CHECK("bind-hides-submount", !exists(B "/dst/inner/deep") && exists(B "/dst/inner"));
    touch(B "/dst/new", NULL);
    CHECK("bind-same-files", exists(B "/src/sub/new"));
    struct stat a, b;
    stat(B "/src/sub/file", &a);
    stat(B "/dst/file", &b);
    CHECK("bind-same-inode", a.st_dev == b.st_dev && a.st_ino == b.st_ino);
    char root[256] = "";
    CHECK("bind-mountinfo-root", mountinfo_root(B "/dst", root, sizeof root) && strcmp(root, "/sub") == 0);
    CHECK_ERR("bind-link-across-mounts", link(B "/dst/file", B "/src/sub/link"), EXDEV);
    CHECK_OK("umount-bind", umount(B "/dst"));
    CHECK("umount-bind-keeps-source", exists(B "/src/sub/file"));
    CHECK_OK("rbind", mount(B "/src/sub", B "/dst", NULL, MS_BIND | MS_REC, NULL));
    CHECK("rbind-sees-submount", exists(B "/dst/inner/deep"));
    CHECK("rbind-mountinfo", mounted_at(B "/dst/inner"));
    CHECK_ERR("umount-rbind-busy", umount(B "/dst"), EBUSY);
    CHECK_OK("umount-rbind-child", umount(B "/dst/inner"));
    CHECK("umount-rbind-child-keeps-original", exists(B "/src/sub/inner/deep"));
    CHECK_OK("umount-rbind", umount(B "/dst"));
    touch(B "/dstfile", NULL);
    CHECK_OK("bind-file", mount(B "/src/sub/file", B "/dstfile", NULL, MS_BIND, NULL));
    char text[16] = "";
    int fd = open(B "/dstfile", O_RDONLY);
    read(fd, text, sizeof text - 1);
    close(fd);
    CHECK("bind-file-contents", strcmp(text, "hello") == 0);
    CHECK("bind-file-mountinfo-root", mountinfo_root(B "/dstfile", root, sizeof root) && strcmp(root, "/sub/file") == 0);
    CHECK_ERR("bind-file-on-dir", mount(B "/src/sub/file", B "/dst", NULL, MS_BIND, NULL), ENOTDIR);
    CHECK_ERR("bind-dir-on-file", mount(B "/src/sub", B "/dstfile", NULL, MS_BIND, NULL), ENOTDIR);
    CHECK_OK("umount-file-bind", umount(B "/dstfile"));
    CHECK_ERR("bind-null-source", mount(NULL, B "/dst", NULL, MS_BIND, NULL), EINVAL);
    CHECK_ERR("bind-empty-source", mount("", B "/dst", NULL, MS_BIND, NULL), EINVAL);
    CHECK_ERR("bind-missing-source", mount(B "/nope", B "/dst", NULL, MS_BIND, NULL), ENOENT);
    CHECK_ERR("bind-missing-target", mount(B "/src", B "/nope", NULL, MS_BIND, NULL), ENOENT);
    CHECK_OK("bind-for-ro", mount(B "/src/sub", B "/dst", NULL, MS_BIND, NULL));
    CHECK_OK("remount-bind-ro", mount("none", B "/dst", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL));
    CHECK_ERR("ro-bind-erofs", open(B "/dst/x", O_CREAT | O_WRONLY, 0644), EROFS);
    fd = open(B "/src/sub/x", O_CREAT | O_WRONLY, 0644);
    CHECK("ro-bind-source-writable", fd >= 0);
    close(fd);
    CHECK_OK("umount-ro-bind", umount(B "/dst"));
    CHECK_OK("umount-inner", umount(B "/src/sub/inner"));
    CHECK_OK("umount-bind-base", umount(B "/src"));
}

static void move_mounts(void) {
    mkdir(B "/a", 0755);
    mkdir(B "/b", 0755);
    mkdir(B "/plain", 0755);
    CHECK_OK("move-tmpfs", mount("none", B "/a", "tmpfs", 0, NULL));
    touch(B "/a/marker", NULL);
    CHECK_OK("move", mount(B "/a", B "/b", NULL, MS_MOVE, NULL));
    CHECK("move-arrives", exists(B "/b/marker"));
    CHECK("move-leaves", !exists(B "/a/marker"));
    CHECK("move-mountinfo", mounted_at(B "/b") && !mounted_at(B "/a"));
    CHECK_ERR("move-not-a-mount", mount(B "/plain", B "/a", NULL, MS_MOVE, NULL), EINVAL);
    CHECK_ERR("move-rootfs", mount("/", B "/a", NULL, MS_MOVE, NULL), EINVAL);
    mkdir(B "/b/under", 0755);
    CHECK_ERR("move-below-itself", mount(B "/b", B "/b/under", NULL, MS_MOVE, NULL), ELOOP);
    CHECK_ERR("move-missing-source", mount(B "/nope", B "/a", NULL, MS_MOVE, NULL), ENOENT);
    CHECK_ERR("move-null-source", mount(NULL, B "/a", NULL, MS_MOVE, NULL), EINVAL);
    touch(B "/afile", NULL);
    CHECK_ERR("move-dir-on-file", mount(B "/b", B "/afile", NULL, MS_MOVE, NULL), EINVAL);
    CHECK_OK("umount-moved", umount(B "/b"));
    CHECK_OK("make-private", mount(NULL, "/", NULL, MS_PRIVATE, NULL));
    CHECK_OK("make-rprivate", mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL));
    CHECK_ERR("make-private-not-a-mount", mount(NULL, B "/plain", NULL, MS_PRIVATE, NULL), EINVAL);
    CHECK_ERR("two-propagation-types", mount(NULL, "/", NULL, MS_PRIVATE | MS_SLAVE, NULL), EINVAL);
}

static void lazy_unmount(void) {
    CHECK_OK("lazy-tmpfs", mount("none", B "/a", "tmpfs", 0, NULL));
    touch(B "/a/f", "kept");
    mkdir(B "/a/d", 0755);
    CHECK_OK("lazy-child-tmpfs", mount("none", B "/a/d", "tmpfs", 0, NULL));
    CHECK_ERR("umount-with-child-busy", umount(B "/a"), EBUSY);
    int dir = open(B "/a", O_RDONLY | O_DIRECTORY);
    CHECK_ERR("umount-open-dir-busy", umount2(B "/a/d", 0) == 0 ? umount(B "/a") : -1, EBUSY);
    CHECK_OK("lazy-child-again", mount("none", B "/a/d", "tmpfs", 0, NULL));
    CHECK_OK("umount-detach", umount2(B "/a", MNT_DETACH));
    CHECK("detach-gone", !mounted_at(B "/a") && !mounted_at(B "/a/d"));
    CHECK("detach-covered-dir-back", !exists(B "/a/f"));
    int f = openat(dir, "f", O_RDONLY);
    char text[8] = "";
    if (f >= 0) { read(f, text, 4); close(f); }
    CHECK("detach-still-usable-inside", strcmp(text, "kept") == 0);
    close(dir);
    CHECK_ERR("detach-again", umount2(B "/a", MNT_DETACH), EINVAL);
    CHECK_ERR("umount-not-a-mount", umount(B "/plain"), EINVAL);
    CHECK_ERR("umount-bad-flags", umount2(B "/plain", 0x100), EINVAL);
    CHECK_ERR("umount-expire-detach", umount2(B "/plain", MNT_EXPIRE | MNT_DETACH), EINVAL);
}

#define R B "/root"
static void pivot_child(void) {
    /* Linux refuses to pivot the initial rootfs away (not attached to anything). */
    CHECK_ERR("pivot-from-rootfs", syscall(SYS_pivot_root, R "/new", R "/new/old"), EINVAL);
    CHECK_OK("pivot-chroot", chroot(R));
    CHECK_OK("pivot-chdir", chdir("/"));
    CHECK_ERR("pivot-same-mount", syscall(SYS_pivot_root, "/", "/"), EBUSY);
    CHECK_ERR("pivot-put-old-on-root-mount", syscall(SYS_pivot_root, "/new", "/"), EBUSY);
    CHECK_ERR("pivot-new-not-a-mount", syscall(SYS_pivot_root, "/new/sub", "/new/sub"), EINVAL);
    CHECK_ERR("pivot-put-old-not-below", syscall(SYS_pivot_root, "/new", "/other"), EINVAL);
    CHECK_ERR("pivot-not-dir", syscall(SYS_pivot_root, "/new/file", "/new/old"), ENOTDIR);
    CHECK_ERR("pivot-missing", syscall(SYS_pivot_root, "/nope", "/new/old"), ENOENT);
    CHECK_OK("pivot", syscall(SYS_pivot_root, "/new", "/new/old"));
    CHECK("pivot-new-root", exists("/file"));
    CHECK("pivot-old-root-below", exists("/old/marker") && exists("/old/other/x"));
    char cwd[64] = "";
    CHECK("pivot-moves-cwd", getcwd(cwd, sizeof cwd) && strcmp(cwd, "/") == 0);
    CHECK_OK("pivot-mount-proc", mount("proc", "/proc", "proc", 0, NULL));
    char root[256] = "";
    CHECK("pivot-mountinfo-root", mountinfo_root("/", root, sizeof root) && mounted_at("/old") && mounted_at("/old/other")
          && mounted_at("/proc") && !mounted_at(R));
    CHECK_OK("pivot-umount-proc", umount("/proc"));
    CHECK_OK("pivot-detach-old", umount2("/old", MNT_DETACH));
    CHECK("pivot-old-gone", !exists("/old/marker"));
}

static void pivot(void) {
    mkdir(R, 0755);
    CHECK_OK("pivot-tmpfs-root", mount("none", R, "tmpfs", 0, NULL));
    touch(R "/marker", NULL);
    mkdir(R "/new", 0755);
    mkdir(R "/other", 0755);
    CHECK_OK("pivot-tmpfs-new", mount("none", R "/new", "tmpfs", 0, NULL));
    CHECK_OK("pivot-tmpfs-other", mount("none", R "/other", "tmpfs", 0, NULL));
    touch(R "/other/x", NULL);
    mkdir(R "/new/old", 0755);
    mkdir(R "/new/sub", 0755);
    mkdir(R "/new/proc", 0755);
    touch(R "/new/file", NULL);
    checks_in_child(pivot_child);
    /* The child's pivot rearranged the one namespace: the new root sits on R now. */
    CHECK("pivot-seen-outside", exists(R "/file") && !exists(R "/marker"));
    CHECK_OK("pivot-cleanup", umount2(R, MNT_DETACH));
    rmdir(R);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--euid") == 0) return geteuid() == 0 ? 0 : 1;
    begin("mounts");
    tmpfs_options();
    read_only();
    nodev_noexec_nosuid();
    unmounting();
    bind_mounts();
    move_mounts();
    lazy_unmount();
    pivot();
    return done();
}
