/* execveat: relative to a directory descriptor, AT_EMPTY_PATH (fexecve, O_PATH descriptors too),
 * AT_SYMLINK_NOFOLLOW, the /dev/fd/N[/path] name a script gets, ENOENT for a script behind a
 * close-on-exec descriptor, and the argument errors. The program re-executes itself to report. */
#include "check.h"
#include <libgen.h>

static char self[512];
extern char **environ;

static int run(int dirfd, const char *path, char *const argv[], int flags) {
    pid_t c = fork();
    if (c == 0) {
        syscall(SYS_execveat, dirfd, path, argv, environ, flags);
        _exit(100 + errno);
    }
    int st;
    waitpid(c, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "exit42") == 0) return 42;
    if (argc >= 3 && strcmp(argv[1], "scriptmode") == 0) {
        /* Run as a script's interpreter: argv[2] is the script's path as the kernel named it. */
        const char *want = getenv("LICHEN_EXPECT");
        return want && strcmp(argv[2], want) == 0 ? 0 : 1;
    }
    begin("execveat");
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) { fail("self", "readlink /proc/self/exe failed"); return done(); }
    self[n] = 0;
    char copy[512], copy2[512];
    strcpy(copy, self);
    strcpy(copy2, self);
    const char *dir = dirname(copy), *base = basename(copy2);
    char *const args[] = { "prog", "exit42", NULL };

    CHECK_EQ("fdcwd-absolute", run(AT_FDCWD, self, args, 0), 42);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY);
    CHECK_EQ("dirfd-relative", run(dfd, base, args, 0), 42);
    CHECK_EQ("badfd-absolute", run(-1, self, args, 0), 42);
    CHECK_ERR("badfd-relative", syscall(SYS_execveat, -1, base, args, environ, 0), EBADF);
    int fd = open(self, O_RDONLY);
    CHECK_EQ("empty-path", run(fd, "", args, AT_EMPTY_PATH), 42);
    int pfd = open(self, O_PATH | O_CLOEXEC);
    CHECK_EQ("empty-path-opath-cloexec", run(pfd, "", args, AT_EMPTY_PATH), 42);
    CHECK_ERR("empty-no-flag", syscall(SYS_execveat, fd, "", args, environ, 0), ENOENT);
    CHECK_ERR("bad-flags", syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH | 1), EINVAL);
    CHECK_ERR("bad-path", syscall(SYS_execveat, AT_FDCWD, BADPTR, args, environ, 0), EFAULT);
    CHECK_ERR("empty-path-dir", syscall(SYS_execveat, dfd, "", args, environ, AT_EMPTY_PATH), EACCES);

    const char *link = "/tmp/lichen-execveat-link";
    unlink(link);
    symlink(self, link);
    CHECK_ERR("nofollow", syscall(SYS_execveat, AT_FDCWD, link, args, environ, AT_SYMLINK_NOFOLLOW), ELOOP);
    CHECK_EQ("follow", run(AT_FDCWD, link, args, 0), 42);
    unlink(link);

    /* Scripts: the interpreter is this program, which checks the path it is given. */
    const char *script = "/tmp/lichen-execveat.sh";
    int s = open(script, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    dprintf(s, "#!%s scriptmode\n", self);
    close(s);
    char want[256];
    char *const sargs[] = { "script", NULL };
    int sfd = open(script, O_RDONLY);
    snprintf(want, sizeof want, "/dev/fd/%d", sfd);
    setenv("LICHEN_EXPECT", want, 1);
    CHECK_EQ("script-fd", run(sfd, "", sargs, AT_EMPTY_PATH), 0);
    int tfd = open("/tmp", O_RDONLY | O_DIRECTORY);
    snprintf(want, sizeof want, "/dev/fd/%d/lichen-execveat.sh", tfd);
    setenv("LICHEN_EXPECT", want, 1);
    CHECK_EQ("script-dirfd", run(tfd, "lichen-execveat.sh", sargs, 0), 0);
    setenv("LICHEN_EXPECT", script, 1);
    CHECK_EQ("script-absolute", run(tfd, script, sargs, 0), 0);
    CHECK_EQ("script-fdcwd", run(AT_FDCWD, script, sargs, 0), 0);
    int cfd = open(script, O_RDONLY | O_CLOEXEC);
    CHECK_EQ("script-cloexec", run(cfd, "", sargs, AT_EMPTY_PATH), 100 + ENOENT);
    int ctfd = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    CHECK_EQ("script-cloexec-dirfd", run(ctfd, "lichen-execveat.sh", sargs, 0), 100 + ENOENT);
    /* An ELF program behind a close-on-exec descriptor runs. */
    int cefd = open(self, O_RDONLY | O_CLOEXEC);
    CHECK_EQ("elf-cloexec", run(cefd, "", args, AT_EMPTY_PATH), 42);
    unlink(script);
    return done();
}
