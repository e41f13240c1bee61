/* Shared file mappings (tmpfs), truncation and SIGBUS, msync, memfd_create and seals, shm_open. */
#include "check.h"
#include "faults.h"
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/wait.h>

#ifndef F_SEAL_FUTURE_WRITE
#define F_SEAL_FUTURE_WRITE 0x0010
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

static long page;

static int mapsHas(const char *needle, const char *flags) {
    char line[512];
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return 0;
    int found = 0;
    while (fgets(line, sizeof line, f)) {
        if (strstr(line, needle) && (!flags || strstr(line, flags))) found = 1;
    }
    fclose(f);
    return found;
}

static void sharedFileMappings(void) {
    mkdir("/tmp/shmap", 0755);
    const char *path = "/tmp/shmap/file";
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK("file-open", fd >= 0);
    char buf[64];
    memset(buf, 'A', sizeof buf);
    CHECK_EQ("file-write", pwrite(fd, buf, sizeof buf, 0), sizeof buf);
    CHECK_OK("file-size", ftruncate(fd, 2 * page));
    char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK("shared-mmap", m != MAP_FAILED);
    if (m == MAP_FAILED) return;
    CHECK("shared-reads-file", m[0] == 'A' && m[63] == 'A' && m[64] == 0);
    memcpy(m + 100, "through the map", 15);
    CHECK_EQ("write-via-map-read-via-pread", pread(fd, buf, 15, 100), 15);
    CHECK("write-via-map-seen", memcmp(buf, "through the map", 15) == 0);
    CHECK_EQ("pwrite", pwrite(fd, "by pwrite", 9, page + 10), 9);
    CHECK("pwrite-seen-via-map", memcmp(m + page + 10, "by pwrite", 9) == 0);
    /* a second mapping of the same file sees the same pages */
    char *m2 = mmap(NULL, 2 * page, PROT_READ, MAP_SHARED, fd, 0);
    CHECK("second-mapping", m2 != MAP_FAILED && memcmp(m2 + 100, "through the map", 15) == 0);
    m[5] = 'x';
    CHECK("second-mapping-coherent", m2 != MAP_FAILED && m2[5] == 'x');
    /* a mapping at an offset */
    char *m3 = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, page);
    CHECK("offset-mapping", m3 != MAP_FAILED && memcmp(m3 + 10, "by pwrite", 9) == 0);
    if (m3 != MAP_FAILED) munmap(m3, page);
    /* write(2) from the mapping itself into the same file */
    CHECK_EQ("write-from-mapping", pwrite(fd, m + 100, 15, 200), 15);
    CHECK("write-from-mapping-seen", memcmp(m + 200, "through the map", 15) == 0);
    /* fork: the child's writes reach the parent and the file */
    pid_t child = fork();
    if (child == 0) {
        m[300] = 'c';
        _exit(m[5] == 'x' ? 0 : 1);
    }
    int status;
    waitpid(child, &status, 0);
    CHECK("fork-child-sees", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK("fork-child-write-seen", m[300] == 'c');
    CHECK("fork-child-write-in-file", pread(fd, buf, 1, 300) == 1 && buf[0] == 'c');
    CHECK("maps-shows-file", mapsHas("/tmp/shmap/file", "rw-s"));
    /* msync */
    CHECK_OK("msync-sync", msync(m, 2 * page, MS_SYNC));
    CHECK_OK("msync-async", msync(m, page, MS_ASYNC));
    CHECK_OK("msync-invalidate", msync(m, page, MS_INVALIDATE));
    CHECK_ERR("msync-both", msync(m, page, MS_SYNC | MS_ASYNC), EINVAL);
    CHECK_ERR("msync-bad-flag", msync(m, page, 8), EINVAL);
    CHECK_ERR("msync-unaligned", msync(m + 1, page, MS_SYNC), EINVAL);
    /* mremap: the moved mapping still writes to the file */
    char *r = mremap(m2, 2 * page, 3 * page, MREMAP_MAYMOVE);
    CHECK("mremap-shared-file", r != MAP_FAILED && r[5] == 'x');
    m[6] = 'y';
    CHECK("mremap-coherent", r != MAP_FAILED && r[6] == 'y');
    /* grown past the end of the file: SIGBUS there */
    CHECK_EQ("mremap-past-eof-sigbus", r != MAP_FAILED ? touch(r + 2 * page, 0) : 0, SIGBUS);
    if (r != MAP_FAILED) munmap(r, 3 * page);
    /* a mapping outlives the name */
    CHECK_OK("unlink-mapped", unlink(path));
    m[7] = 'z';
    CHECK("unlinked-still-mapped", pread(fd, buf, 1, 7) == 1 && buf[0] == 'z');
    munmap(m, 2 * page);
    close(fd);
}

static void privateFileMappings(void) {
    const char *path = "/tmp/shmap/private";
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK_OK("private-size", ftruncate(fd, page));
    CHECK_EQ("private-fill", pwrite(fd, "original", 8, 0), 8);
    char *p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK("private-mmap", p != MAP_FAILED);
    if (p == MAP_FAILED) return;
    CHECK("private-reads-file", memcmp(p, "original", 8) == 0);
    /* until its first write, a private mapping sees the file change (as Linux) */
    CHECK_EQ("private-pwrite", pwrite(fd, "changed!", 8, 0), 8);
    CHECK("private-sees-file-change", memcmp(p, "changed!", 8) == 0);
    p[0] = 'P';
    char buf[8];
    CHECK("private-write-not-in-file", pread(fd, buf, 8, 0) == 8 && memcmp(buf, "changed!", 8) == 0);
    CHECK_EQ("private-pwrite-2", pwrite(fd, "again...", 8, 0), 8);
    CHECK("private-copy-kept", p[0] == 'P' && p[1] == 'h');
    CHECK_OK("private-dontneed", madvise(p, page, MADV_DONTNEED));
    CHECK("private-dontneed-rereads", memcmp(p, "again...", 8) == 0);
    CHECK("maps-shows-private", mapsHas("/tmp/shmap/private", "rw-p"));
    munmap(p, page);
    /* a private mapping of a read-only descriptor may become writable; a shared one may not */
    close(fd);
    fd = open(path, O_RDONLY);
    char *ro = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
    CHECK("shared-ro-mmap", ro != MAP_FAILED);
    CHECK_ERR("mprotect-write-shared-rdonly", mprotect(ro, page, PROT_READ | PROT_WRITE), EACCES);
    if (ro != MAP_FAILED) munmap(ro, page);
    char *rp = mmap(NULL, page, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK_OK("mprotect-write-private-rdonly", mprotect(rp, page, PROT_READ | PROT_WRITE));
    if (rp != MAP_FAILED) { rp[0] = 'q'; munmap(rp, page); }
    close(fd);
    fd = open(path, O_WRONLY);
    CHECK_ERR("mmap-wronly", (long)mmap(NULL, page, PROT_WRITE, MAP_SHARED, fd, 0), EACCES);
    close(fd);
    unlink(path);
}

static void truncation(void) {
    const char *path = "/tmp/shmap/trunc";
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK_OK("trunc-size", ftruncate(fd, 2 * page));
    char *m = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *p = mmap(NULL, 3 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK("trunc-mmap", m != MAP_FAILED && p != MAP_FAILED);
    if (m == MAP_FAILED || p == MAP_FAILED) return;
    CHECK_EQ("within-file", touch(m + page, 1), 0);
    CHECK_EQ("past-eof-sigbus", touch(m + 2 * page, 0), SIGBUS);
    CHECK_EQ("past-eof-bus-adrerr", faultCode, BUS_ADRERR);
    CHECK("past-eof-address", faultAddress == m + 2 * page);
    CHECK_EQ("private-past-eof-sigbus", touch(p + 2 * page + 8, 0), SIGBUS);
    CHECK_EQ("private-copy", touch(p + page, 1), 0);
    /* shrinking unmaps the pages past the end, private copies included */
    CHECK_OK("trunc-shrink", ftruncate(fd, page / 2));
    CHECK_EQ("shrunk-sigbus", touch(m + page, 0), SIGBUS);
    CHECK_EQ("shrunk-private-copy-sigbus", touch(p + page, 0), SIGBUS);
    CHECK_EQ("shrunk-first-page-ok", touch(m + 10, 0), 0);
    CHECK("shrunk-tail-zero", m[page / 2] == 0 && m[page - 1] == 0);
    /* the tail of the last page is beyond EOF but mapped: no signal */
    CHECK_EQ("tail-write-ok", touch(m + page - 1, 1), 0);
    /* growing again: the pages come back, zeroed */
    CHECK_OK("trunc-grow", ftruncate(fd, 2 * page));
    CHECK_EQ("grown-ok", touch(m + page + 5, 0), 0);
    CHECK("grown-zero", m[page + 5] == 0);
    munmap(m, 3 * page);
    munmap(p, 3 * page);
    close(fd);
    unlink(path);
}

static void memfd(void) {
    int fd = memfd_create("shmap-test", MFD_CLOEXEC);
    CHECK("memfd-create", fd >= 0);
    if (fd < 0) return;
    CHECK_EQ("memfd-cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ("memfd-rdwr", fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    char link[64] = {0}, target[128] = {0};
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    CHECK("memfd-proc-name", readlink(link, target, sizeof target - 1) > 0 && strcmp(target, "/memfd:shmap-test (deleted)") == 0);
    struct stat st;
    CHECK("memfd-stat", fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 0 && (st.st_mode & 0777) == 0777);
    CHECK_OK("memfd-truncate", ftruncate(fd, 2 * page));
    char *m = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK("memfd-mmap", m != MAP_FAILED);
    if (m != MAP_FAILED) {
        strcpy(m + page, "memfd data");
        char buf[10];
        CHECK("memfd-pread", pread(fd, buf, 10, page) == 10 && memcmp(buf, "memfd data", 10) == 0);
        pid_t child = fork();
        if (child == 0) { m[0] = 'k'; _exit(0); }
        waitpid(child, NULL, 0);
        CHECK("memfd-fork-shared", m[0] == 'k');
        CHECK("memfd-maps", mapsHas("/memfd:shmap-test (deleted)", "rw-s"));
    }
    CHECK_EQ("no-sealing-get", fcntl(fd, F_GET_SEALS), F_SEAL_SEAL);
    CHECK_ERR("no-sealing-add", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EPERM);
    if (m != MAP_FAILED) munmap(m, 2 * page);
    close(fd);

    /* arguments */
    CHECK_ERR("memfd-bad-flags", memfd_create("x", 0x100), EINVAL);
    char name[260];
    memset(name, 'n', sizeof name);
    name[250] = 0;
    CHECK_ERR("memfd-name-too-long", memfd_create(name, 0), EINVAL);
    name[249] = 0;
    int longest = memfd_create(name, 0);
    CHECK("memfd-name-249", longest >= 0);
    if (longest >= 0) close(longest);
    CHECK_ERR("memfd-name-efault", syscall(SYS_memfd_create, BADPTR, 0), EFAULT);
    CHECK_EQ("memfd-no-cloexec", fcntl(fd = memfd_create("", 0), F_GETFD), 0);
    close(fd);

    /* seals */
    fd = memfd_create("sealed", MFD_ALLOW_SEALING);
    CHECK_EQ("seals-initial", fcntl(fd, F_GET_SEALS), 0);
    CHECK_OK("seals-size", ftruncate(fd, 2 * page));
    CHECK_ERR("seals-unknown", fcntl(fd, F_ADD_SEALS, 0x100), EINVAL);
    CHECK_OK("seal-shrink", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
    CHECK_ERR("sealed-shrink", ftruncate(fd, page), EPERM);
    CHECK_OK("shrink-seal-grow-ok", ftruncate(fd, 3 * page));
    CHECK_OK("seal-grow", fcntl(fd, F_ADD_SEALS, F_SEAL_GROW));
    CHECK_ERR("sealed-grow", ftruncate(fd, 4 * page), EPERM);
    CHECK_OK("sealed-same-size", ftruncate(fd, 3 * page));
    CHECK_ERR("sealed-grow-write", pwrite(fd, "x", 1, 3 * page), EPERM);
    CHECK_EQ("sealed-grow-write-inside", pwrite(fd, "x", 1, 10), 1);
    CHECK_EQ("seals-now", fcntl(fd, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW);
    char *w = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK("seal-write-mapping", w != MAP_FAILED);
    CHECK_ERR("seal-write-busy", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE), EBUSY);
    if (w != MAP_FAILED) munmap(w, page);
    CHECK_OK("seal-write", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
    CHECK_ERR("sealed-write", pwrite(fd, "x", 1, 10), EPERM);
    CHECK_ERR("sealed-mmap-shared-write", (long)mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EPERM);
    char *pv = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK("sealed-mmap-private", pv != MAP_FAILED && pv[10] == 'x');
    if (pv != MAP_FAILED) { pv[10] = 'y'; munmap(pv, page); }
    /* a read-only descriptor may not add seals */
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    int ro = open(link, O_RDONLY);
    CHECK_ERR("seal-readonly-fd", fcntl(ro, F_ADD_SEALS, F_SEAL_SEAL), EPERM);
    CHECK_EQ("seals-via-other-fd", fcntl(ro, F_GET_SEALS), F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE);
    close(ro);
    CHECK_OK("seal-seal", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
    CHECK_ERR("sealed-seal", fcntl(fd, F_ADD_SEALS, 0), EPERM);
    close(fd);

    /* F_SEAL_FUTURE_WRITE: existing mappings keep writing, nothing new may */
    fd = memfd_create("future", MFD_ALLOW_SEALING);
    ftruncate(fd, page);
    w = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK_OK("seal-future-write", fcntl(fd, F_ADD_SEALS, F_SEAL_FUTURE_WRITE));
    if (w != MAP_FAILED) { w[0] = 'f'; munmap(w, page); }
    char c = 0;
    CHECK("future-old-mapping-wrote", pread(fd, &c, 1, 0) == 1 && c == 'f');
    CHECK_ERR("future-write", pwrite(fd, "x", 1, 0), EPERM);
    CHECK_ERR("future-mmap-write", (long)mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0), EPERM);
    char *r = mmap(NULL, page, PROT_READ, MAP_SHARED, fd, 0);
    CHECK("future-mmap-read", r != MAP_FAILED && r[0] == 'f');
    CHECK_ERR("future-mprotect-write", mprotect(r, page, PROT_READ | PROT_WRITE), EACCES);
    if (r != MAP_FAILED) munmap(r, page);
    close(fd);

    int pipes[2];
    pipe(pipes);
    CHECK_ERR("seals-on-pipe", fcntl(pipes[0], F_GET_SEALS), EINVAL);
    close(pipes[0]);
    close(pipes[1]);
}

static void posixShm(void) {
    /* The test initramfs has no /dev/shm (init mounts it in `make run`, as Debian's does) */
    struct statfs sf;
    if (statfs("/dev/shm", &sf) != 0 || sf.f_type != TMPFS_MAGIC) {
        mkdir("/dev/shm", 01777);
        mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777");
    }
    struct stat st;
    CHECK("dev-shm-mode", stat("/dev/shm", &st) == 0 && (st.st_mode & 07777) == 01777);
    CHECK("dev-shm-tmpfs", statfs("/dev/shm", &sf) == 0 && sf.f_type == TMPFS_MAGIC);
    shm_unlink("/shmap-test");
    int fd = shm_open("/shmap-test", O_CREAT | O_EXCL | O_RDWR, 0600);
    CHECK("shm-open", fd >= 0);
    if (fd < 0) return;
    CHECK_OK("shm-size", ftruncate(fd, page));
    int *counter = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK("shm-mmap", counter != MAP_FAILED);
    if (counter != MAP_FAILED) {
        pid_t child = fork();
        if (child == 0) {
            int cfd = shm_open("/shmap-test", O_RDWR, 0);
            int *other = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
            if (other == MAP_FAILED) _exit(1);
            other[0] = 42;
            _exit(0);
        }
        int status;
        waitpid(child, &status, 0);
        CHECK("shm-child", WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CHECK_EQ("shm-shared-value", counter[0], 42);
        munmap(counter, page);
    }
    close(fd);
    CHECK_ERR("shm-exists", shm_open("/shmap-test", O_CREAT | O_EXCL | O_RDWR, 0600), EEXIST);
    CHECK_OK("shm-unlink", shm_unlink("/shmap-test"));
    CHECK_ERR("shm-gone", shm_open("/shmap-test", O_RDWR, 0), ENOENT);
    CHECK_ERR("shm-unlink-gone", shm_unlink("/shmap-test"), ENOENT);
}

int main(void) {
    begin("shmap");
    page = sysconf(_SC_PAGESIZE);
    catch_faults();
    sharedFileMappings();
    privateFileMappings();
    truncation();
    memfd();
    posixShm();
    return done();
}
