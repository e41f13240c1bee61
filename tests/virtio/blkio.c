// Block device calls the BusyBox tools do not make, printed for tests/boot/test_virtio.py to compare
// between Lichen and Linux: the size ioctls, O_DIRECT alignment, lseek limits, fsync, BLKDISCARD,
// BLKRRPART on a partition, the read-only disk. usage: blkio RW-DISK RO-DISK
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

static void result(const char *what, long r) {
    if (r < 0) printf("%s: %s\n", what, strerrorname_np(errno));
    else printf("%s: %ld\n", what, r);
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    int fd = open(argv[1], O_RDWR);
    result("open rw", fd < 0 ? -1 : 0);
    uint64_t size64 = 0; unsigned long sectors = 0; int ssz = 0, ro = -1; unsigned pbsz = 0;
    result("BLKGETSIZE64", ioctl(fd, BLKGETSIZE64, &size64)); printf("  = %llu\n", (unsigned long long)size64);
    result("BLKGETSIZE", ioctl(fd, BLKGETSIZE, &sectors)); printf("  = %lu\n", sectors);
    result("BLKSSZGET", ioctl(fd, BLKSSZGET, &ssz)); printf("  = %d\n", ssz);
    result("BLKPBSZGET", ioctl(fd, BLKPBSZGET, &pbsz)); printf("  = %u\n", pbsz);
    result("BLKROGET", ioctl(fd, BLKROGET, &ro)); printf("  = %d\n", ro);
    result("BLKGETSIZE64 bad pointer", ioctl(fd, BLKGETSIZE64, (void *)16));
    result("lseek end", lseek(fd, 0, SEEK_END));
    result("lseek past end", lseek(fd, 1, SEEK_END));
    result("lseek negative", lseek(fd, -1, SEEK_SET));
    result("fsync", fsync(fd));
    result("fdatasync", fdatasync(fd));
    uint64_t range[2] = {14400 * 512, 8192};     // past vda2, before the backup GPT
    result("BLKDISCARD", ioctl(fd, BLKDISCARD, range));
    uint64_t odd[2] = {100, 512};
    result("BLKDISCARD unaligned", ioctl(fd, BLKDISCARD, odd));
    uint64_t far[2] = {0, size64 + 512};
    result("BLKDISCARD past end", ioctl(fd, BLKDISCARD, far));
    close(fd);

    int rd = open(argv[1], O_RDONLY);
    result("BLKDISCARD read-only fd", ioctl(rd, BLKDISCARD, range));
    close(rd);

    int d = open(argv[1], O_RDONLY | O_DIRECT);
    void *buf = aligned_alloc(4096, 8192);
    result("O_DIRECT aligned pread", pread(d, buf, 4096, 51200));
    printf("  = %.15s\n", (char *)buf);
    result("O_DIRECT unaligned offset", pread(d, buf, 4096, 100));
    result("O_DIRECT unaligned length", pread(d, buf, 1000, 0));
    result("O_DIRECT at the end", pread(d, buf, 4096, (off_t)size64));
    close(d);

    char part[64];
    snprintf(part, sizeof part, "%s1", argv[1]);
    int p = open(part, O_RDONLY);
    result("BLKRRPART on a partition", ioctl(p, BLKRRPART, 0));
    close(p);

    int r = open(argv[2], O_RDWR);
    result("open read-only disk rw", r < 0 ? -1 : 0);
    if (r >= 0) {
        result("write read-only disk", write(r, buf, 512));
        result("pwrite read-only disk", pwrite(r, buf, 512, 4096));
        result("fsync read-only disk", fsync(r));
        close(r);
    }
    int c = open("/dev/console", O_RDWR);
    result("fsync console", fsync(c));
    return 0;
}
