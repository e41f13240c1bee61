/* Access times as the mount's options say (Linux's atime_needs_update): relatime by default (a read
 * moves atime only when it is not after mtime or ctime), strictatime (every read), noatime,
 * nodiratime (getdents leaves directories alone, file reads still count), read-only mounts,
 * O_NOATIME, readlink, following a symlink and mmap; never ctime. */
#include "check.h"
#include <dirent.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <time.h>

#define M "/tmp/conf-atime"

static void pause_tick(void) {               /* past the coarse clock's granularity (a jiffy on Linux) */
    struct timespec t = {0, 30 * 1000 * 1000};
    nanosleep(&t, NULL);
}

static struct timespec atime_of(const char *path) {
    struct stat st;
    struct timespec z = {0, 0};
    if (lstat(path, &st)) return z;
    return st.st_atim;
}

static int same(struct timespec a, struct timespec b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }

static void read_one(const char *path, int flags) {
    char c;
    int fd = open(path, O_RDONLY | flags);
    if (fd < 0 || read(fd, &c, 1) != 1) fail("read", "%s: errno %d", path, errno);
    close(fd);
}

static void list_dir(const char *path) {
    DIR *d = opendir(path);
    if (!d) { fail("opendir", "%s: errno %d", path, errno); return; }
    while (readdir(d)) {}
    closedir(d);
}

/* A file whose atime lies before its ctime (utimensat sets ctime to now). */
static void make_file(const char *path) {
    int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0 || write(fd, "data", 4) != 4) fail("make-file", "%s: errno %d", path, errno);
    close(fd);
    struct timespec old[2] = {{1000000000, 0}, {1000000000, 0}};
    if (utimensat(AT_FDCWD, path, old, 0)) fail("utimensat", "errno %d", errno);
}

static void mount_with(unsigned long flags) {
    umount(M);
    if (mount("none", M, "tmpfs", flags, "")) fail("mount", "flags %#lx errno %d", flags, errno);
}

int main(void) {
    begin("atime");
    mkdir(M, 0755);

    /* relatime, the default. */
    mount_with(0);
    make_file(M "/f");
    struct stat st0;
    stat(M "/f", &st0);
    pause_tick();
    read_one(M "/f", 0);
    struct timespec a1 = atime_of(M "/f");
    CHECK("relatime-first-read-moves", a1.tv_sec > 1000000000);
    struct stat st1;
    stat(M "/f", &st1);
    CHECK("read-keeps-ctime", same(st1.st_ctim, st0.st_ctim));
    pause_tick();
    read_one(M "/f", 0);
    CHECK("relatime-second-read-keeps", same(atime_of(M "/f"), a1));
    pause_tick();
    int fd = open(M "/f", O_WRONLY | O_APPEND);
    CHECK_EQ("append", write(fd, "x", 1), 1);
    close(fd);
    pause_tick();
    read_one(M "/f", 0);
    struct timespec a2 = atime_of(M "/f");
    CHECK("relatime-read-after-write-moves", !same(a2, a1));
    /* relatime on a directory: getdents after a new entry moves it, a second one does not. */
    mkdir(M "/d", 0755);
    pause_tick();
    list_dir(M "/d");
    struct timespec d1 = atime_of(M "/d");
    pause_tick();
    list_dir(M "/d");
    CHECK("relatime-dir-second-listing-keeps", same(atime_of(M "/d"), d1));

    /* strictatime: every read. */
    mount_with(MS_STRICTATIME);
    make_file(M "/f");
    read_one(M "/f", 0);
    struct timespec s1 = atime_of(M "/f");
    pause_tick();
    read_one(M "/f", 0);
    struct timespec s2 = atime_of(M "/f");
    CHECK("strictatime-every-read", !same(s1, s2));
    /* O_NOATIME (the owner's choice): nothing. */
    pause_tick();
    read_one(M "/f", O_NOATIME);
    CHECK("o-noatime-keeps", same(atime_of(M "/f"), s2));
    /* readlink, and following a symlink, read the link. */
    CHECK_OK("symlink", symlink("f", M "/l"));
    struct timespec l0 = atime_of(M "/l");
    pause_tick();
    char buf[16];
    CHECK_EQ("readlink", readlink(M "/l", buf, sizeof buf), 1);
    struct timespec l1 = atime_of(M "/l");
    CHECK("readlink-moves-link-atime", !same(l0, l1));
    pause_tick();
    read_one(M "/l", 0);
    CHECK("follow-moves-link-atime", !same(atime_of(M "/l"), l1));
    /* mmap of a file is an access (generic_file_mmap's file_accessed). */
    struct timespec m0 = atime_of(M "/f");
    pause_tick();
    int mfd = open(M "/f", O_RDONLY);
    void *map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, mfd, 0);
    CHECK("mmap", map != MAP_FAILED);
    CHECK("mmap-moves-atime", !same(atime_of(M "/f"), m0));
    if (map != MAP_FAILED) munmap(map, 4096);
    close(mfd);
    /* getdents: the directory's atime. */
    mkdir(M "/d", 0755);
    struct timespec e0 = atime_of(M "/d");
    pause_tick();
    list_dir(M "/d");
    CHECK("strictatime-getdents-moves", !same(atime_of(M "/d"), e0));

    /* noatime: nothing, even with atime before ctime. */
    mount_with(MS_NOATIME);
    make_file(M "/f");
    struct timespec n0 = atime_of(M "/f");
    pause_tick();
    read_one(M "/f", 0);
    CHECK("noatime-read-keeps", same(atime_of(M "/f"), n0));
    mkdir(M "/d", 0755);
    struct timespec nd0 = atime_of(M "/d");
    pause_tick();
    list_dir(M "/d");
    CHECK("noatime-getdents-keeps", same(atime_of(M "/d"), nd0));

    /* nodiratime: directories keep theirs, files do not. */
    mount_with(MS_NODIRATIME | MS_STRICTATIME);
    make_file(M "/f");
    mkdir(M "/d", 0755);
    struct timespec dd0 = atime_of(M "/d");
    pause_tick();
    list_dir(M "/d");
    CHECK("nodiratime-getdents-keeps", same(atime_of(M "/d"), dd0));
    struct timespec f0 = atime_of(M "/f");
    read_one(M "/f", 0);
    CHECK("nodiratime-file-read-moves", !same(atime_of(M "/f"), f0));

    /* A read-only remount: nothing. */
    make_file(M "/g");
    struct timespec r0 = atime_of(M "/g");
    CHECK_OK("remount-ro", mount("none", M, NULL, MS_REMOUNT | MS_RDONLY | MS_STRICTATIME, ""));
    pause_tick();
    read_one(M "/g", 0);
    CHECK("readonly-read-keeps", same(atime_of(M "/g"), r0));
    /* Back to read-write with noatime through remount: nothing either. */
    CHECK_OK("remount-noatime", mount("none", M, NULL, MS_REMOUNT | MS_NOATIME, ""));
    read_one(M "/g", 0);
    CHECK("remount-noatime-keeps", same(atime_of(M "/g"), r0));
    CHECK_OK("remount-strict", mount("none", M, NULL, MS_REMOUNT | MS_STRICTATIME, ""));
    read_one(M "/g", 0);
    CHECK("remount-strictatime-moves", !same(atime_of(M "/g"), r0));

    umount(M);
    rmdir(M);
    return done();
}
