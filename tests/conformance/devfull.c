/* /dev/full: reads give zeros, every way of writing to it fails (write, an empty write, writev,
 * pwrite, sendfile, copy_file_range), so copying to it fails as on Linux; a failed sendfile leaves the
 * input's position alone (cp then falls back to read and write). Linux refuses the splice-based paths
 * with EINVAL (/dev/full has no splice_write); ENOSPC says the same. (Lichen has no splice.) */
#include "check.h"
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define WRITE_FAILS(name, expr) do { errno = 0; long _r = (long)(expr); int _e = errno; \
    if (_r == -1 && (_e == ENOSPC || _e == EINVAL)) passed++; \
    else fail(name, "%s = %ld errno %d (%s), expected -1 with ENOSPC or EINVAL", #expr, _r, _e, strerror(_e)); } while (0)

int main(void) {
    begin("devfull");
    int full = open("/dev/full", O_RDWR);
    CHECK("open", full >= 0);
    char buf[64] = "data";
    CHECK_ERR("write", write(full, buf, 4), ENOSPC);
    CHECK_ERR("write-empty", write(full, buf, 0), ENOSPC);
    struct iovec v[2] = {{buf, 2}, {buf + 2, 2}};
    CHECK_ERR("writev", writev(full, v, 2), ENOSPC);
    CHECK_ERR("pwrite", pwrite(full, buf, 4, 0), ENOSPC);
    CHECK_ERR("pwritev", pwritev(full, v, 2, 0), ENOSPC);
    memset(buf, 1, sizeof buf);
    CHECK_EQ("read-zeros", read(full, buf, sizeof buf), sizeof buf);
    CHECK("read-zeros-content", buf[0] == 0 && buf[63] == 0);
    mkdir("/tmp", 0755);
    int src = open("/tmp/devfull-src", O_RDWR | O_CREAT | O_TRUNC, 0644);
    write(src, "hello", 5);
    WRITE_FAILS("sendfile", sendfile(full, src, &(off_t){0}, 5));
    WRITE_FAILS("copy-file-range", copy_file_range(src, &(loff_t){0}, full, NULL, 5, 0));
    int zero = open("/dev/zero", O_RDONLY);
    WRITE_FAILS("sendfile-from-zero", sendfile(full, zero, NULL, 100));
    off_t before = lseek(src, 0, SEEK_SET);
    WRITE_FAILS("sendfile-at-position", sendfile(full, src, NULL, 5));
    CHECK_EQ("sendfile-failure-keeps-position", lseek(src, 0, SEEK_CUR), before);
    close(src);
    /* cp (whatever path it takes) reports the failure. */
    pid_t c = fork();
    if (c == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        execl("/bin/busybox", "cp", "/tmp/devfull-src", "/dev/full", (char *)NULL);
        _exit(99);
    }
    int st = 0;
    waitpid(c, &st, 0);
    CHECK("cp-fails", WIFEXITED(st) && WEXITSTATUS(st) == 1);
    unlink("/tmp/devfull-src");
    return done();
}
