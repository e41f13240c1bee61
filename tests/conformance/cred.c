/* Credentials: get/set of real, effective, saved and filesystem ids, supplementary groups, and what
 * an unprivileged process may no longer do (permission checks, kill, set-user-ID exec). */
#include "check.h"
#include <grp.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/wait.h>

static int status_has(const char *needle) {
    char buf[4096];
    int fd = open("/proc/self/status", O_RDONLY);
    if (fd < 0) return 0;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return 0;
    buf[n] = 0;
    return strstr(buf, needle) != NULL;
}

static int copy_self(const char *to, mode_t mode) {
    char buf[65536];
    int in = open("/proc/self/exe", O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700);
    if (in < 0 || out < 0) return -1;
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, n) != n) return -1;
    close(in);
    close(out);
    return chmod(to, mode);
}

/* The unprivileged half, in a child: uid/gid 1000, no groups. */
static void unprivileged(void) {
    uid_t r, e, s;
    CHECK_OK("drop-groups", setgroups(0, NULL));
    CHECK_OK("setgid-1000", setgid(1000));
    CHECK_OK("setuid-1000", setuid(1000));
    CHECK_EQ("getuid-1000", getuid(), 1000);
    CHECK_EQ("geteuid-1000", geteuid(), 1000);
    CHECK_EQ("getgid-1000", getgid(), 1000);
    CHECK_EQ("getegid-1000", getegid(), 1000);
    CHECK_OK("getresuid-user", getresuid(&r, &e, &s));
    CHECK("getresuid-user-values", r == 1000 && e == 1000 && s == 1000);
    CHECK_ERR("setuid-0-eperm", setuid(0), EPERM);
    CHECK_ERR("setgid-0-eperm", setgid(0), EPERM);
    CHECK_ERR("setresuid-0-eperm", setresuid(-1, 0, -1), EPERM);
    CHECK_ERR("setreuid-0-eperm", setreuid(0, -1), EPERM);
    CHECK_ERR("setresgid-0-eperm", setresgid(0, -1, -1), EPERM);
    CHECK_ERR("setgroups-eperm", setgroups(0, NULL), EPERM);
    CHECK_OK("setresuid-same", setresuid(-1, 1000, -1));
    CHECK_EQ("setfsuid-refused-returns-old", setfsuid(0), 1000);
    CHECK_EQ("setfsuid-unchanged", setfsuid(-1), 1000);
    CHECK("proc-status-uid", status_has("Uid:\t1000\t1000\t1000\t1000\n"));
    CHECK("proc-status-gid", status_has("Gid:\t1000\t1000\t1000\t1000\n"));
    CHECK_ERR("open-root-0600-eacces", open("credf", O_RDONLY), EACCES);
    CHECK_ERR("access-root-0600-eacces", access("credf", R_OK), EACCES);
    CHECK_ERR("create-in-root-0700-dir-eacces", open("credd/x", O_WRONLY | O_CREAT, 0644), EACCES);
    CHECK_ERR("chmod-not-owner-eperm", chmod("credf", 0777), EPERM);
    CHECK_ERR("chown-eperm", chown("credf", 1000, 1000), EPERM);
    CHECK_ERR("exec-root-0700-eacces", execl("credx", "credx", (char *)NULL), EACCES);
    int fd = open("credpub/mine", O_WRONLY | O_CREAT, 0600);
    CHECK("create-in-0777-dir", fd >= 0);
    struct stat st;
    CHECK_OK("stat-own-file", fstat(fd, &st));
    CHECK("own-file-owner", st.st_uid == 1000 && st.st_gid == 1000);
    close(fd);
    CHECK_ERR("kill-init-eperm", kill(1, 0), EPERM);
    CHECK_ERR("kill-root-parent-eperm", kill(getppid(), SIGTERM), EPERM);
    CHECK_OK("kill-self-0", kill(getpid(), 0));
    pid_t sibling = fork();
    if (sibling == 0) { pause(); _exit(0); }
    CHECK_OK("kill-same-uid", kill(sibling, SIGKILL));
    int wst;
    CHECK_EQ("kill-same-uid-reaped", waitpid(sibling, &wst, 0), sibling);
    CHECK("kill-same-uid-killed", WIFSIGNALED(wst) && WTERMSIG(wst) == SIGKILL);
    /* A set-user-ID root copy of this program: it runs with euid 0, uid 1000 and AT_SECURE. */
    pid_t c = fork();
    if (c == 0) { execl("credsuid", "credsuid", "--suid-child", (char *)NULL); _exit(90); }
    CHECK_EQ("setuid-exec-wait", waitpid(c, &wst, 0), c);
    CHECK_EQ("setuid-exec-ids", WIFEXITED(wst) ? WEXITSTATUS(wst) : -1, 0);
}

/* Root may set any combination of ids; once none is 0 any more, there is no way back. */
static void drop_root_with_setresuid(void) {
    uid_t r, e, s;
    CHECK_OK("setresuid-root-any", setresuid(5, 6, 7));
    CHECK_OK("getresuid-after", getresuid(&r, &e, &s));
    CHECK("getresuid-after-values", r == 5 && e == 6 && s == 7);
    CHECK_ERR("setresuid-no-longer-root", setresuid(0, 0, 0), EPERM);
    CHECK_OK("setresuid-to-saved", setresuid(7, 7, 7));
    CHECK_ERR("setresuid-to-0-after-drop", setresuid(0, 0, 0), EPERM);
    CHECK_OK("setreuid-unchanged", setreuid(-1, -1));
}

int main(int argc, char **argv) {
    if (argc >= 2 && !strcmp(argv[1], "--suid-child")) {
        uid_t r, e, s;
        if (getresuid(&r, &e, &s)) _exit(10);
        if (r != 1000 || e != 0 || s != 0) _exit(11);
        if (getauxval(AT_SECURE) != 1) _exit(12);
        if (getauxval(AT_UID) != 1000 || getauxval(AT_EUID) != 0) _exit(13);
        _exit(0);
    }
    begin("cred");
    uid_t r = 1, e = 1, s = 1;
    gid_t g[8];
    CHECK_OK("getresuid", getresuid(&r, &e, &s));
    CHECK("getresuid-root", r == 0 && e == 0 && s == 0);
    CHECK_OK("getresgid", getresgid(&r, &e, &s));
    CHECK("getresgid-root", r == 0 && e == 0 && s == 0);
    CHECK_ERR("getresuid-efault", syscall(SYS_getresuid, BADPTR, &e, &s), EFAULT);
    CHECK_ERR("getresgid-efault", syscall(SYS_getresgid, &r, &e, KERNPTR), EFAULT);
    CHECK_EQ("getgroups-initial-none", getgroups(0, NULL), 0);
    gid_t set[3] = {30, 10, 20};
    CHECK_OK("setgroups", setgroups(3, set));
    CHECK_EQ("getgroups-count", getgroups(0, NULL), 3);
    CHECK_ERR("getgroups-too-small", getgroups(2, g), EINVAL);
    CHECK_ERR("getgroups-negative", syscall(SYS_getgroups, -1, g), EINVAL);
    CHECK_EQ("getgroups-list", getgroups(8, g), 3);
    CHECK("getgroups-sorted", g[0] == 10 && g[1] == 20 && g[2] == 30);
    CHECK_ERR("getgroups-efault", syscall(SYS_getgroups, 3, BADPTR), EFAULT);
    CHECK("proc-status-groups", status_has("Groups:\t10 20 30 \n"));
    CHECK_ERR("setgroups-negative", syscall(SYS_setgroups, -1, set), EINVAL);
    CHECK_ERR("setgroups-huge", syscall(SYS_setgroups, 65537, set), EINVAL);
    CHECK_ERR("setgroups-efault", syscall(SYS_setgroups, 2, BADPTR), EFAULT);
    CHECK_OK("setgroups-empty", setgroups(0, NULL));
    CHECK_EQ("getgroups-empty", getgroups(0, NULL), 0);
    CHECK_EQ("setfsuid-root-returns-old", setfsuid(42), 0);
    CHECK_EQ("setfsuid-root-changed", setfsuid(0), 42);
    checks_in_child(drop_root_with_setresuid);

    /* Files the unprivileged child meets: root's private file and directory, a public directory,
     * a root-only program and a set-user-ID root copy of this program. */
    int fd = open("credf", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK("setup-file", fd >= 0);
    close(fd);
    CHECK_OK("setup-dir", mkdir("credd", 0700));
    CHECK_OK("setup-public-dir", mkdir("credpub", 0777));
    CHECK_OK("setup-public-dir-mode", chmod("credpub", 0777));
    fd = open("credx", O_WRONLY | O_CREAT | O_TRUNC, 0700);
    CHECK("setup-script", fd >= 0 && write(fd, "#!/bin/sh\nexit 0\n", 18) == 18);
    close(fd);
    CHECK_OK("setup-setuid-copy", copy_self("credsuid", 04755));
    checks_in_child(unprivileged);
    unlink("credf"); unlink("credx"); unlink("credsuid"); unlink("credpub/mine");
    rmdir("credd"); rmdir("credpub");
    return done();
}
