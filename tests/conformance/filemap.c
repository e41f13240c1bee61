/* MAP_SHARED coherence with read(2)/write(2) on any filesystem (the conformance run: tmpfs; the boot
 * test tests/boot/test_filemap.py: ext4 and vfat disks): stores seen by read, writes seen by the
 * mapping, msync/fsync, the partial last page, SIGBUS past EOF after ftruncate, MAP_PRIVATE copies.
 * usage: filemap [DIRECTORY]   (default /tmp) */
#include "check.h"
#include "faults.h"
#include <sys/mman.h>
#include <sys/stat.h>

static long page;

int main(int argc, char **argv) {
    begin("filemap");
    page = sysconf(_SC_PAGESIZE);
    catch_faults();
    char path[256];
    snprintf(path, sizeof path, "%s/filemap.dat", argc > 1 ? argv[1] : "/tmp");
    int fd = open(path, O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK("open", fd >= 0);
    if (fd < 0) return done();
    long size = 3 * page + 100;
    char *data = malloc(size), buf[16];
    for (long i = 0; i < size; i++) data[i] = (char)('a' + i % 23);
    CHECK_EQ("write-initial", write(fd, data, size), size);
    char *m = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK("mmap-shared", m != MAP_FAILED);
    if (m == MAP_FAILED) return done();
    CHECK("mapping-sees-file", memcmp(m, data, size) == 0);
    /* a store is seen by read(2) */
    m[10] = 'X';
    m[2 * page + 1] = 'Y';
    CHECK("read-sees-store", pread(fd, buf, 1, 10) == 1 && buf[0] == 'X');
    CHECK("read-sees-store-page2", pread(fd, buf, 1, 2 * page + 1) == 1 && buf[0] == 'Y');
    /* write(2) is seen by the mapping */
    CHECK_EQ("pwrite", pwrite(fd, "hello", 5, page + 5), 5);
    CHECK("mapping-sees-write", memcmp(m + page + 5, "hello", 5) == 0);
    CHECK_OK("msync-sync", msync(m, 4 * page, MS_SYNC));
    CHECK_OK("fsync", fsync(fd));
    CHECK_OK("fdatasync", fdatasync(fd));
    m[11] = 'Z';
    CHECK_OK("msync-async", msync(m, page, MS_ASYNC));
    CHECK("read-after-msync", pread(fd, buf, 2, 10) == 2 && buf[0] == 'X' && buf[1] == 'Z');
    /* the partial last page: zeros past EOF, stores there never become file data */
    CHECK("tail-zero", m[size] == 0 && m[4 * page - 1] == 0);
    m[size + 10] = 'T';
    CHECK_OK("msync-tail", msync(m, 4 * page, MS_SYNC));
    struct stat st;
    CHECK("size-unchanged", fstat(fd, &st) == 0 && st.st_size == size);
    CHECK_EQ("read-past-eof", pread(fd, buf, 16, size), 0);
    /* MAP_PRIVATE: sees the file until its first write, which stays private */
    char *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK("mmap-private", p != MAP_FAILED);
    if (p != MAP_FAILED) {
        CHECK("private-sees-file", p[10] == 'X' && p[page + 5] == 'h');
        m[12] = 'Q';
        CHECK("private-sees-later-store", p[12] == 'Q');
        p[13] = 'P';
        CHECK("private-write-not-in-file", pread(fd, buf, 1, 13) == 1 && buf[0] == data[13]);
        CHECK("private-write-not-shared", m[13] == data[13]);
        munmap(p, 2 * page);
    }
    /* truncation: SIGBUS wholly past the new end, the partial page reads zeros past it */
    CHECK_OK("ftruncate", ftruncate(fd, page + 50));
    CHECK_EQ("sigbus-past-eof", touch(m + 2 * page, 0), SIGBUS);
    CHECK_EQ("sigbus-bus-adrerr", faultCode, BUS_ADRERR);
    CHECK_EQ("within-file", touch(m + page + 10, 0), 0);
    CHECK("truncated-tail-zero", m[page + 50] == 0 && m[page + 100] == 0);
    CHECK_OK("ftruncate-grow", ftruncate(fd, 3 * page));
    CHECK("grown-reads-zero", m[2 * page + 1] == 0 && pread(fd, buf, 1, 2 * page + 1) == 1 && buf[0] == 0);
    munmap(m, 4 * page);
    close(fd);
    /* what the mapping wrote is the file's, read back through a new descriptor */
    fd = open(path, O_RDONLY);
    CHECK("reopen", fd >= 0 && pread(fd, buf, 4, 10) == 4 && buf[0] == 'X' && buf[1] == 'Z' && buf[2] == 'Q'
          && buf[3] == data[13]);
    CHECK("reopen-write", pread(fd, buf, 5, page + 5) == 5 && memcmp(buf, "hello", 5) == 0);
    close(fd);
    free(data);
    return done();
}
