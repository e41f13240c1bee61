/* Conformance check harness: every check has a stable name (PROGRAM/NAME, used in known-failures.txt),
 * failures print "FAIL PROGRAM/NAME: detail", the program ends with "PROGRAM: N passed, N failed".
 * Bad pointers go through raw syscall() so that libc never touches them itself. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const char *prog = "?";
static int passed, failed;

/* Unmapped low page, and an address in the upper half of the 48-bit user range (where Lichen's own
 * kernel lives, so it must never be readable or writable from user space). */
#define BADPTR ((void *)8)
#define KERNPTR ((void *)0x0000ff8000000000ull)

static void fail(const char *name, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void fail(const char *name, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    printf("FAIL %s/%s: ", prog, name);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    failed++;
}

#define CHECK(name, cond) do { if (cond) passed++; else fail(name, "%s is false", #cond); } while (0)
/* expr must not return -1 */
#define CHECK_OK(name, expr) do { errno = 0; long _r = (long)(expr); \
    if (_r != -1) passed++; else fail(name, "%s = -1, errno %d (%s)", #expr, errno, strerror(errno)); } while (0)
/* expr must return -1 with errno == err */
#define CHECK_ERR(name, expr, err) do { errno = 0; long _r = (long)(expr); int _e = errno; \
    if (_r == -1 && _e == (err)) passed++; \
    else fail(name, "%s = %ld errno %d (%s), expected -1 errno %d (%s)", #expr, _r, _e, strerror(_e), err, strerror(err)); } while (0)
/* expr must equal want */
#define CHECK_EQ(name, expr, want) do { errno = 0; long _r = (long)(expr); long _w = (long)(want); \
    if (_r == _w) passed++; else fail(name, "%s = %ld (errno %d %s), expected %ld", #expr, _r, errno, strerror(errno), _w); } while (0)

static void begin(const char *name) {
    prog = name;
    setvbuf(stdout, NULL, _IONBF, 0);
}

#include <sys/wait.h>

/* Runs `f` in a forked child: its checks count here, its credentials and other changes do not. */
__attribute__((unused)) static void checks_in_child(void (*f)(void)) {
    int p[2], v[2] = {0, 0}, st;
    if (pipe(p)) { fail("child-pipe", "pipe failed"); return; }
    pid_t c = fork();
    if (c == 0) {
        close(p[0]);
        passed = failed = 0;
        f();
        v[0] = passed; v[1] = failed;
        write(p[1], v, sizeof v);
        _exit(0);
    }
    close(p[1]);
    if (read(p[0], v, sizeof v) != sizeof v) fail("child-result", "the child died before reporting");
    close(p[0]);
    waitpid(c, &st, 0);
    passed += v[0];
    failed += v[1];
}

/* The number after "FIELD:" in a /proc file of "Name: value" lines (/proc/meminfo, /proc/self/status), -1 if absent. */
__attribute__((unused)) static long proc_field(const char *file, const char *field) {
    FILE *f = fopen(file, "r");
    char line[256];
    long v = -1;
    size_t n = strlen(field);
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, field, n) && line[n] == ':') { v = atol(line + n + 1); break; }
    if (f) fclose(f);
    return v;
}

/* A /proc/meminfo field, current: Linux folds its per-CPU counters into it only every second or so,
 * and writing vm.stat_refresh (root) folds them now. Lichen's figures are always current (no such file). */
__attribute__((unused)) static long meminfo_now(const char *field) {
    int fd = open("/proc/sys/vm/stat_refresh", O_WRONLY);
    if (fd >= 0) { (void)!write(fd, "1", 1); close(fd); }
    return proc_field("/proc/meminfo", field);
}

static int done(void) {
    printf("%s: %d passed, %d failed\n", prog, passed, failed);
    return failed != 0;
}
