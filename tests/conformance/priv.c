/* Privilege: Linux's capability model (capget/capset, the bounding and ambient sets, securebits,
 * keep-caps, the uid-change and exec rules, /proc/PID/status Cap* lines), and what a process without
 * a capability may not do. Fixtures of several owners are made by root; the checks run as root, as
 * uid 1000 (a fresh exec of this program, so it is dumpable) and as root without capabilities.
 * (cred.c has the id-change rules, mounts.c nosuid/noexec/nodev.) */
#include "check.h"
#include <dirent.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <linux/capability.h>
#include <sys/auxv.h>
#include <sys/fsuid.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/klog.h>
#include <time.h>

#define D "privd"
#define FULL 0x1ffffffffffull                  /* CAP_LAST_CAP 40 */
#define REBOOT_MAGIC1 0xfee1dead
#define REBOOT_MAGIC2 672274793
#define REBOOT_CAD_OFF 0

static const char *self;                      /* this program, absolute */

static int capget3(int pid, unsigned long long *eff, unsigned long long *prm, unsigned long long *inh) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, pid};
    struct __user_cap_data_struct d[2];
    if (syscall(SYS_capget, &h, d)) return -1;
    *eff = d[0].effective | (unsigned long long)d[1].effective << 32;
    *prm = d[0].permitted | (unsigned long long)d[1].permitted << 32;
    *inh = d[0].inheritable | (unsigned long long)d[1].inheritable << 32;
    return 0;
}

static int capset3(unsigned long long eff, unsigned long long prm, unsigned long long inh) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2] = {{(unsigned)eff, (unsigned)prm, (unsigned)inh},
                                          {(unsigned)(eff >> 32), (unsigned)(prm >> 32), (unsigned)(inh >> 32)}};
    return syscall(SYS_capset, &h, d);
}

static unsigned long long effective(void) {
    unsigned long long e = 0, p, i;
    capget3(0, &e, &p, &i);
    return e;
}

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

static mode_t mode_of(const char *path) {
    struct stat st;
    return stat(path, &st) ? (mode_t)-1 : st.st_mode & 07777;
}

static int make_file(const char *path, mode_t mode, uid_t uid, gid_t gid) {
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, "secret\n", 7) != 7) return -1;
    close(fd);
    if (chown(path, uid, gid)) return -1;
    return chmod(path, mode);
}

static int copy_self(const char *to, mode_t mode) {
    char buf[65536];
    int in = open(self, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0700);
    if (in < 0 || out < 0) return -1;
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0)
        if (write(out, buf, n) != n) return -1;
    close(in);
    close(out);
    return chmod(to, mode);
}

static const char *knobs[4] = {"protected_hardlinks", "protected_symlinks", "protected_fifos", "protected_regular"};

static int read_knob(const char *name) {
    char path[96], buf[16] = {0};
    snprintf(path, sizeof path, "/proc/sys/fs/%s", name);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    int n = read(fd, buf, sizeof buf - 1);
    close(fd);
    return n > 0 ? atoi(buf) : -1;
}

static int write_knob(const char *name, const char *value) {
    char path[96];
    snprintf(path, sizeof path, "/proc/sys/fs/%s", name);
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0) return -1;
    int r = write(fd, value, strlen(value));
    int e = errno;
    close(fd);
    errno = e;
    return r < 0 ? -1 : 0;
}

/* fs.protected_*, as Debian sets them (1, 1, 1, 2); the root phase set them so on Linux too. */
static void user_link_protection(void) {
    CHECK_EQ("user-knob-hardlinks", read_knob("protected_hardlinks"), 1);
    CHECK_EQ("user-knob-symlinks", read_knob("protected_symlinks"), 1);
    CHECK_EQ("user-knob-fifos", read_knob("protected_fifos"), 1);
    CHECK_EQ("user-knob-regular", read_knob("protected_regular"), 2);
    CHECK_ERR("user-knob-write-eacces", write_knob("protected_hardlinks", "0"), EACCES);
    CHECK_ERR("user-hardlink-root600-eperm", link(D "/root600", D "/pub/hl"), EPERM);
    CHECK_ERR("user-hardlink-readonly-eperm", link(D "/public", D "/pub/hl"), EPERM);
    CHECK_ERR("user-hardlink-suid-eperm", link(D "/s4766", D "/pub/hl"), EPERM);     /* readable, writable, set-uid */
    CHECK_OK("user-hardlink-safe-others", link(D "/w2767", D "/pub/hl-safe"));      /* 0767 by now: a safe source */
    CHECK_OK("user-make-link-source", make_file(D "/pub/mine2", 0600, 1000, 1000));
    CHECK_OK("user-hardlink-own", link(D "/pub/mine2", D "/pub/hl-own"));
    CHECK_ERR("user-follow-planted-link-eacces", open(D "/sticky/link3000", O_RDONLY), EACCES);
    CHECK_ERR("user-follow-planted-link-stat-eacces", stat(D "/sticky/link3000", &(struct stat){0}), EACCES);
    char buf[64];
    CHECK("user-readlink-planted-link", readlink(D "/sticky/link3000", buf, sizeof buf) > 0);
    int fd = open(D "/sticky/link2000", O_RDONLY);
    CHECK("user-follow-dir-owner-link", fd >= 0);
    close(fd);
    CHECK_ERR("user-creat-others-regular-eacces", open(D "/sticky/f3000", O_WRONLY | O_CREAT, 0644), EACCES);
    fd = open(D "/sticky/f3000", O_WRONLY);
    CHECK("user-open-others-regular-no-creat", fd >= 0);
    close(fd);
    CHECK_ERR("user-creat-others-fifo-eacces", open(D "/sticky/fifo3000", O_RDONLY | O_CREAT | O_NONBLOCK, 0644), EACCES);
    fd = open(D "/sticky/f2000", O_WRONLY | O_CREAT, 0644);
    CHECK("user-creat-dir-owners-file", fd >= 0);
    close(fd);
}

/* "--want EUID EFFECTIVE SECURE": exit 0 if this exec gave those, else which one differs. */
static int want(char **argv) {
    if ((long)geteuid() != atol(argv[2])) return 1;
    if (effective() != strtoull(argv[3], NULL, 16)) return 2;
    if ((long)getauxval(AT_SECURE) != atol(argv[4])) return 3;
    return 0;
}

/* Runs `prog --want ...` in a child (after `prepare`, if any) and returns its exit status (-1: died). */
static int run_want(const char *prog, void (*prepare)(void), const char *euid, const char *eff, const char *secure) {
    pid_t c = fork();
    if (c == 0) {
        if (prepare) prepare();
        execl(prog, prog, "--want", euid, eff, secure, (char *)NULL);
        _exit(100 + errno);
    }
    int st;
    if (waitpid(c, &st, 0) != c) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void set_nnp(void) { prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); }

/* What no process without the capability may do: the same checks for uid 1000 and for capless root. */
static void refused(const char *who) {
    char name[96];
#define N(s) (snprintf(name, sizeof name, "%s-%s", who, s), name)
    CHECK_ERR(N("reboot-eperm"), syscall(SYS_reboot, REBOOT_MAGIC1, REBOOT_MAGIC2, REBOOT_CAD_OFF, 0), EPERM);
    CHECK_ERR(N("reboot-bad-magic-eperm-first"), syscall(SYS_reboot, 1, 2, REBOOT_CAD_OFF, 0), EPERM);
    CHECK_ERR(N("sethostname-eperm"), sethostname("x", 1), EPERM);
    CHECK_ERR(N("setdomainname-eperm"), setdomainname("x", 1), EPERM);
    struct timeval tv;
    gettimeofday(&tv, NULL);
    CHECK_ERR(N("settimeofday-eperm"), settimeofday(&tv, NULL), EPERM);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    CHECK_ERR(N("clock_settime-eperm"), clock_settime(CLOCK_REALTIME, &ts), EPERM);
    CHECK_ERR(N("mount-eperm"), mount("none", D "/pub", "tmpfs", 0, NULL), EPERM);
    CHECK_ERR(N("umount-eperm"), umount("/proc"), EPERM);
    CHECK_ERR(N("chroot-eperm"), chroot("."), EPERM);
    CHECK_ERR(N("mknod-chr-eperm"), mknod(D "/pub/null", S_IFCHR | 0666, makedev(1, 3)), EPERM);
    CHECK_ERR(N("setgroups-eperm"), setgroups(0, NULL), EPERM);
    CHECK_ERR(N("chown-other-eperm"), chown(D "/u2000", 0, 0), EPERM);
    CHECK_ERR(N("unshare-newns-eperm"), unshare(CLONE_NEWNS), EPERM);
    CHECK_ERR(N("unshare-newuts-eperm"), unshare(CLONE_NEWUTS), EPERM);
    CHECK_ERR(N("pivot_root-eperm"), syscall(SYS_pivot_root, ".", "."), EPERM);
    CHECK_ERR(N("swapon-eperm"), syscall(SYS_swapon, D "/pub/swap", 0), EPERM);
    CHECK_ERR(N("swapoff-eperm"), syscall(SYS_swapoff, D "/pub/swap"), EPERM);
    CHECK_ERR(N("init_module-eperm"), syscall(SYS_init_module, NULL, 0, ""), EPERM);
    CHECK_ERR(N("finit_module-eperm"), syscall(SYS_finit_module, -1, "", 0), EPERM);
    CHECK_ERR(N("delete_module-eperm"), syscall(SYS_delete_module, "nothing", 0), EPERM);
    CHECK_ERR(N("vhangup-eperm"), syscall(SYS_vhangup), EPERM);
    CHECK_ERR(N("acct-eperm"), syscall(SYS_acct, NULL), EPERM);
    CHECK_ERR(N("syslog-read-all-eperm"), syscall(SYS_syslog, 3, NULL, 0), EPERM);
    CHECK_ERR(N("capbset-drop-eperm"), prctl(PR_CAPBSET_DROP, CAP_SYS_BOOT, 0, 0, 0), EPERM);
    CHECK_ERR(N("securebits-eperm"), prctl(PR_SET_SECUREBITS, 1, 0, 0, 0), EPERM);
    CHECK_ERR(N("ambient-raise-eperm"), prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0), EPERM);
    CHECK_ERR(N("capset-raise-eperm"), capset3(1ull << CAP_SYS_BOOT, 1ull << CAP_SYS_BOOT, 0), EPERM);
    CHECK_OK(N("capset-none"), capset3(0, 0, 0));
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_max += 1;
    CHECK_ERR(N("setrlimit-raise-hard-eperm"), setrlimit(RLIMIT_NOFILE, &rl), EPERM);
    struct sched_param sp = {1};
    CHECK_ERR(N("sched-fifo-eperm"), sched_setscheduler(0, SCHED_FIFO, &sp), EPERM);
    CHECK_ERR(N("open-2000-0600-eacces"), open(D "/u2000", O_RDONLY), EACCES);
    CHECK_ERR(N("unlink-sticky-other-eperm"), unlink(D "/sticky/f2000"), EPERM);
    CHECK_ERR(N("rename-sticky-other-eperm"), rename(D "/sticky/f2000", D "/sticky/moved"), EPERM);
    CHECK_ERR(N("noatime-other-eperm"), open(D "/public", O_RDONLY | O_NOATIME), EPERM);
    int fd = open(D "/public", O_RDONLY);
    CHECK(N("open-public"), fd >= 0);
    CHECK_ERR(N("setfl-noatime-other-eperm"), fcntl(fd, F_SETFL, O_NOATIME), EPERM);
    close(fd);
#undef N
}

/* ---- uid 1000 (run as "--user" after the root parent dropped its ids and exec'd this program) */
static void user_proc_checks(void) {
    char buf[256];
    CHECK_EQ("user-dumpable-after-exec", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
    CHECK_ERR("user-proc1-maps-eacces", open("/proc/1/maps", O_RDONLY), EACCES);
    CHECK_ERR("user-proc1-environ-eacces", open("/proc/1/environ", O_RDONLY), EACCES);
    CHECK_ERR("user-proc1-smaps-eacces", open("/proc/1/smaps", O_RDONLY), EACCES);
    CHECK_ERR("user-proc1-cwd-readlink-eacces", readlink("/proc/1/cwd", buf, sizeof buf), EACCES);
    CHECK_ERR("user-proc1-exe-readlink-eacces", readlink("/proc/1/exe", buf, sizeof buf), EACCES);
    CHECK_ERR("user-proc1-root-readlink-eacces", readlink("/proc/1/root", buf, sizeof buf), EACCES);
    CHECK_ERR("user-proc1-root-follow-eacces", open("/proc/1/root/", O_RDONLY | O_DIRECTORY), EACCES);
    CHECK_ERR("user-proc1-cwd-follow-eacces", open("/proc/1/cwd/", O_RDONLY | O_DIRECTORY), EACCES);
    CHECK_ERR("user-proc1-fd-eacces", open("/proc/1/fd", O_RDONLY | O_DIRECTORY), EACCES);
    int fd = open("/proc/1/status", O_RDONLY);
    CHECK("user-proc1-status-readable", fd >= 0 && read(fd, buf, sizeof buf) > 0);
    close(fd);
    fd = open("/proc/1/cmdline", O_RDONLY);
    CHECK("user-proc1-cmdline-readable", fd >= 0);
    close(fd);
    struct stat st;
    CHECK("user-proc1-owned-by-root", stat("/proc/1", &st) == 0 && st.st_uid == 0);
    CHECK("user-proc-self-owned", stat("/proc/self", &st) == 0 && st.st_uid == 1000 && st.st_gid == 1000);
    fd = open("/proc/self/maps", O_RDONLY);
    CHECK("user-own-maps", fd >= 0 && read(fd, buf, sizeof buf) > 0);
    close(fd);
    fd = open("/proc/self/environ", O_RDONLY);
    CHECK("user-own-environ", fd >= 0 && read(fd, buf, sizeof buf) > 0);
    close(fd);
    CHECK("user-own-cwd", readlink("/proc/self/cwd", buf, sizeof buf) > 0);
    CHECK_ERR("user-proc1-auxv-eacces", open("/proc/1/auxv", O_RDONLY), EACCES);
    uint64_t aux[128] = {0};
    fd = open("/proc/self/auxv", O_RDONLY);
    ssize_t an = fd >= 0 ? read(fd, aux, sizeof aux) : -1;
    close(fd);
    int uid_seen = 0, ends = an >= 16 && an % 16 == 0 && aux[an / 8 - 2] == AT_NULL;
    for (ssize_t k = 0; k + 1 < an / 8; k += 2)
        if (aux[k] == AT_UID && aux[k + 1] == 1000 && getauxval(AT_PAGESZ) == 4096) uid_seen = 1;
    CHECK("user-own-auxv-uid", uid_seen);
    CHECK("user-own-auxv-ends-with-at-null", ends);
    DIR *d = opendir("/proc/self/fd");
    CHECK("user-own-fd-dir", d != NULL);
    if (d) closedir(d);

    /* A sibling of the same user: inspectable while dumpable, not once it says PR_SET_DUMPABLE 0. */
    int go[2], ready[2];
    if (pipe(go) || pipe(ready)) { fail("user-sibling-pipes", "pipe"); return; }
    pid_t c = fork();
    if (c == 0) {
        char x;
        read(go[0], &x, 1);                  /* first: stay dumpable */
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        write(ready[1], "r", 1);
        read(go[0], &x, 1);
        _exit(0);
    }
    char path[64], x;
    snprintf(path, sizeof path, "/proc/%d/maps", c);
    fd = open(path, O_RDONLY);
    CHECK("user-sibling-maps-readable", fd >= 0);
    close(fd);
    write(go[1], "g", 1);
    read(ready[0], &x, 1);
    CHECK_ERR("user-sibling-nondumpable-maps-eacces", open(path, O_RDONLY), EACCES);
    CHECK("user-sibling-nondumpable-file-owned-by-root", stat(path, &st) == 0 && st.st_uid == 0);
    snprintf(path, sizeof path, "/proc/%d", c);
    CHECK("user-sibling-nondumpable-dir-still-its-own", stat(path, &st) == 0 && st.st_uid == 1000);
    write(go[1], "g", 1);
    waitpid(c, NULL, 0);
}

static void user_file_checks(void) {
    CHECK_ERR("user-open-root-0600-eacces", open(D "/root600", O_RDONLY), EACCES);
    /* A write by someone without CAP_FSETID clears set-user-ID, and set-group-ID if group-executable. */
    int fd = open(D "/w4777", O_WRONLY);
    CHECK("user-open-w4777", fd >= 0 && write(fd, "x", 1) == 1);
    close(fd);
    CHECK_EQ("user-write-clears-suid", mode_of(D "/w4777"), 0777);
    fd = open(D "/w6777", O_WRONLY);
    CHECK("user-open-w6777", fd >= 0 && write(fd, "x", 1) == 1);
    close(fd);
    CHECK_EQ("user-write-clears-suid-sgid", mode_of(D "/w6777"), 0777);
    fd = open(D "/w2767", O_WRONLY);
    CHECK("user-open-w2767", fd >= 0 && write(fd, "x", 1) == 1);
    close(fd);
    /* Without group execute, set-group-ID stays only for a writer in the file's group (Linux 6.1). */
    CHECK_EQ("user-write-clears-sgid-outside-group", mode_of(D "/w2767"), 0767);
    fd = open(D "/w4777b", O_WRONLY);
    CHECK("user-open-w4777b", fd >= 0 && write(fd, "", 0) == 0);
    CHECK_EQ("user-empty-write-keeps-suid", mode_of(D "/w4777b"), 04777);
    CHECK_OK("user-ftruncate-suid", ftruncate(fd, 1));
    CHECK_EQ("user-ftruncate-clears-suid", mode_of(D "/w4777b"), 0777);
    close(fd);
    CHECK_OK("user-truncate-suid", truncate(D "/w4777c", 2));
    CHECK_EQ("user-truncate-clears-suid", mode_of(D "/w4777c"), 0777);
    /* Own files: chown to one's own group drops set-id bits; O_NOATIME is the owner's. */
    CHECK_OK("user-make-own", make_file(D "/pub/mine", 06755, 1000, 1000));
    CHECK_OK("user-chown-own-same", chown(D "/pub/mine", -1, 1000));
    CHECK_EQ("user-chown-clears-setid", mode_of(D "/pub/mine"), 0755);
    fd = open(D "/pub/mine", O_RDONLY | O_NOATIME);
    CHECK("user-noatime-own", fd >= 0);
    close(fd);
    CHECK_OK("user-mkfifo", mkfifo(D "/pub/fifo", 0600));
    /* A shared mapping of a file opened read-only never becomes writable. */
    fd = open(D "/public", O_RDONLY);
    void *m = fd >= 0 ? mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
    CHECK("user-mmap-shared-readonly", m != MAP_FAILED);
    CHECK_ERR("user-mprotect-shared-readonly-write-eacces", mprotect(m, 4096, PROT_READ | PROT_WRITE), EACCES);
    CHECK_ERR("user-mmap-shared-readonly-write-eacces", mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0, EACCES);
    if (m != MAP_FAILED) munmap(m, 4096);
    close(fd);
    CHECK_ERR("user-setpriority-lower-eacces", setpriority(PRIO_PROCESS, 0, -1), EACCES);
    CHECK_OK("user-setpriority-raise", setpriority(PRIO_PROCESS, 0, 1));
}

static void user_capabilities(void) {
    unsigned long long e = 1, p = 1, i = 1;
    CHECK_OK("user-capget", capget3(0, &e, &p, &i));
    CHECK("user-capget-none", e == 0 && p == 0 && i == 0);
    CHECK("user-status-capeff", status_has("CapEff:\t0000000000000000\n"));
    CHECK("user-status-capprm", status_has("CapPrm:\t0000000000000000\n"));
    CHECK("user-status-capbnd", status_has("CapBnd:\t000001ffffffffff\n"));
    CHECK_EQ("user-capbset-read", prctl(PR_CAPBSET_READ, CAP_SYS_ADMIN, 0, 0, 0), 1);
    CHECK_OK("user-capget-init", capget3(1, &e, &p, &i));
    CHECK("user-capget-init-full", e == FULL && p == FULL);
}

static void user_exec_checks(void) {
    /* The set-user-ID root copy gives euid 0 and every capability, with AT_SECURE. */
    CHECK_EQ("user-exec-suid-root", run_want(D "/suid", NULL, "0", "1ffffffffff", "1"), 0);
    CHECK_EQ("user-exec-plain", run_want(self, NULL, "1000", "0", "0"), 0);
    /* Not under no_new_privs. */
    CHECK_EQ("user-exec-suid-nnp", run_want(D "/suid", set_nnp, "1000", "0", "0"), 0);
    /* Nor from a child sharing its filesystem context (clone(CLONE_FS)): AT_SECURE still says so. */
    pid_t c = syscall(SYS_clone, CLONE_FS | SIGCHLD, 0, 0, 0, 0);
    if (c == 0) {
        execl(D "/suid", D "/suid", "--want", "1000", "0", "1", (char *)NULL);
        _exit(100 + errno);
    }
    int st = -1;
    waitpid(c, &st, 0);
    CHECK_EQ("user-exec-suid-clone-fs", WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
    /* A set-user-ID program checks access() with the real ids, AT_EACCESS with the effective ones. */
    c = fork();
    if (c == 0) {
        execl(D "/suid", D "/suid", "--access", (char *)NULL);
        _exit(100 + errno);
    }
    waitpid(c, &st, 0);
    CHECK_EQ("user-suid-access-rules", WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
}

/* TIOCSTI and TIOCCONS on a terminal that is not the caller's controlling one. */
static void user_tty_checks(int console) {
    if (console < 0) { fail("user-console", "no console descriptor"); return; }
    pid_t c = fork();
    if (c == 0) {
        setsid();
        char ch = 'x';
        _exit(ioctl(console, TIOCSTI, &ch) == -1 && errno == EPERM ? (ioctl(console, TIOCCONS) == -1 && errno == EPERM ? 0 : 2) : 1);
    }
    int st = -1;
    waitpid(c, &st, 0);
    CHECK_EQ("user-tiocsti-tioccons-eperm", WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
}

static int user_main(int report_fd, int console) {
    begin("priv");
    CHECK_EQ("user-uid", getuid(), 1000);
    CHECK_ERR("user-kill-init-eperm", kill(1, 0), EPERM);
    CHECK("user-status-nnp-0", status_has("NoNewPrivs:\t0\n"));
    refused("user");
    user_capabilities();
    user_proc_checks();
    user_file_checks();
    user_exec_checks();
    user_link_protection();
    user_tty_checks(console);
    int v[2] = {passed, failed};
    write(report_fd, v, sizeof v);
    return 0;
}

/* ---- root */
static void root_capabilities(void) {
    unsigned long long e = 0, p = 0, i = 1;
    CHECK_OK("root-capget", capget3(0, &e, &p, &i));
    CHECK("root-capget-full", e == FULL && p == FULL && i == 0);
    CHECK("root-status-capinh", status_has("CapInh:\t0000000000000000\n"));
    CHECK("root-status-capprm", status_has("CapPrm:\t000001ffffffffff\n"));
    CHECK("root-status-capeff", status_has("CapEff:\t000001ffffffffff\n"));
    CHECK("root-status-capbnd", status_has("CapBnd:\t000001ffffffffff\n"));
    CHECK("root-status-capamb", status_has("CapAmb:\t0000000000000000\n"));
    CHECK("root-status-nnp", status_has("NoNewPrivs:\t0\n"));
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_1, 0};
    struct __user_cap_data_struct d[2] = {{0, 0, 0}, {7, 7, 7}};
    CHECK_OK("root-capget-v1", syscall(SYS_capget, &h, d));
    CHECK("root-capget-v1-one-word", d[0].effective == 0xffffffff && d[1].effective == 7);
    h.version = 0x12345678;
    CHECK_OK("root-capget-probe", syscall(SYS_capget, &h, NULL));
    CHECK_EQ("root-capget-probe-version", h.version, _LINUX_CAPABILITY_VERSION_3);
    h.version = 0x12345678;
    CHECK_ERR("root-capget-bad-version", syscall(SYS_capget, &h, d), EINVAL);
    CHECK_EQ("root-capget-bad-version-written", h.version, _LINUX_CAPABILITY_VERSION_3);
    CHECK_ERR("root-capget-negative-pid", capget3(-1, &e, &p, &i), EINVAL);
    CHECK_ERR("root-capget-no-such-pid", capget3(999999, &e, &p, &i), ESRCH);
    CHECK_ERR("root-capget-efault", syscall(SYS_capget, &h, BADPTR), EFAULT);
    struct __user_cap_header_struct other = {_LINUX_CAPABILITY_VERSION_3, 1};
    CHECK_ERR("root-capset-other-eperm", syscall(SYS_capset, &other, d), EPERM);
    other.pid = 0;
    CHECK_ERR("root-capset-efault", syscall(SYS_capset, &other, BADPTR), EFAULT);
    CHECK_EQ("root-capbset-read", prctl(PR_CAPBSET_READ, CAP_SYS_BOOT, 0, 0, 0), 1);
    CHECK_ERR("root-capbset-read-invalid", prctl(PR_CAPBSET_READ, 41, 0, 0, 0), EINVAL);
    CHECK_EQ("root-securebits", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), 0);
    CHECK_EQ("root-keepcaps", prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0), 0);
    CHECK_ERR("root-keepcaps-2-einval", prctl(PR_SET_KEEPCAPS, 2, 0, 0, 0), EINVAL);
    CHECK_EQ("root-ambient-is-set", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0), 0);
    CHECK_ERR("root-ambient-bad-cap", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, 41, 0, 0), EINVAL);
    CHECK_ERR("root-ambient-bad-op", prctl(PR_CAP_AMBIENT, 9, CAP_KILL, 0, 0), EINVAL);
    CHECK_ERR("root-ambient-clear-arg", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 1, 0, 0), EINVAL);
    CHECK_ERR("root-ambient-raise-not-inheritable", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0), EPERM);
    char buf[16] = {0};
    int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY);
    CHECK("root-cap-last-cap", fd >= 0 && read(fd, buf, sizeof buf) > 0 && !strcmp(buf, "40\n"));
    close(fd);
    CHECK_ERR("root-reboot-bad-magic-einval", syscall(SYS_reboot, 1, 2, REBOOT_CAD_OFF, 0), EINVAL);
    char host[65] = {0};
    gethostname(host, 64);
    CHECK_OK("root-sethostname-same", sethostname(host, strlen(host)));
    fd = open(D "/u2000", O_RDONLY);
    CHECK("root-open-other-0600", fd >= 0);
    close(fd);
    fd = open(D "/public", O_RDONLY | O_NOATIME);
    CHECK("root-noatime-other", fd >= 0);
    close(fd);
}

/* Capability sets across uid changes (capabilities(7), "Effect of user ID changes"). */
static void root_seteuid_dance(void) {
    CHECK_OK("dance-seteuid-1000", seteuid(1000));
    unsigned long long e = 1, p = 0, i;
    capget3(0, &e, &p, &i);
    CHECK("dance-euid-1000-caps", e == 0 && p == FULL);
    CHECK_ERR("dance-open-root600-eacces", open(D "/u2000", O_RDONLY), EACCES);
    CHECK_EQ("dance-nondumpable", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    CHECK_OK("dance-seteuid-0", seteuid(0));
    CHECK_EQ("dance-euid-0-effective-back", effective(), FULL);
    CHECK_EQ("dance-setfsuid-1000", setfsuid(1000), 0);
    CHECK_ERR("dance-fsuid-1000-eacces", open(D "/u2000", O_RDONLY), EACCES);
    CHECK_EQ("dance-fsuid-drops-fs-set", effective() & (1ull << CAP_DAC_OVERRIDE | 1ull << CAP_CHOWN | 1ull << CAP_FOWNER), 0);
    CHECK("dance-fsuid-keeps-others", (effective() & (1ull << CAP_SYS_ADMIN)) != 0);
    CHECK_EQ("dance-setfsuid-0", setfsuid(0), 1000);
    CHECK_EQ("dance-fsuid-0-full", effective(), FULL);
    /* keep-caps: losing uid 0 keeps the permitted set, not the effective one. */
    CHECK_OK("dance-keepcaps", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
    CHECK_OK("dance-setresuid-1000", setresuid(1000, 1000, 1000));
    capget3(0, &e, &p, &i);
    CHECK("dance-keepcaps-permitted", e == 0 && p == FULL);
    CHECK_OK("dance-capset-effective", capset3(1ull << CAP_DAC_OVERRIDE, p, 0));
    int fd = open(D "/root600", O_RDONLY);
    CHECK("dance-uid-1000-dac-override", fd >= 0);
    close(fd);
    CHECK_ERR("dance-no-chown", chown(D "/public", 1000, 1000), EPERM);
    /* Ambient: inheritable + permitted, survives an unprivileged exec. */
    CHECK_OK("dance-inheritable", capset3(0, p, 1ull << CAP_KILL));
    CHECK_OK("dance-ambient-raise", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0));
    CHECK_EQ("dance-ambient-is-set", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_KILL, 0, 0), 1);
    CHECK("dance-status-capamb", status_has("CapAmb:\t0000000000000020\n"));
    CHECK_EQ("dance-exec-ambient", run_want(self, NULL, "1000", "20", "0"), 0);
    CHECK_OK("dance-ambient-lower", prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, CAP_KILL, 0, 0));
    CHECK_EQ("dance-exec-no-ambient", run_want(self, NULL, "1000", "0", "0"), 0);
    CHECK_OK("dance-capset-drop-all", capset3(0, 0, 0));
    CHECK_ERR("dance-setuid-0-eperm", setuid(0), EPERM);
}

static void root_setuid_clears(void) {
    CHECK_OK("setuid-1000", setuid(1000));
    CHECK_EQ("setuid-1000-no-caps", effective(), 0);
    CHECK("setuid-1000-status", status_has("CapPrm:\t0000000000000000\n"));
    CHECK_EQ("setuid-nondumpable", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
    CHECK_OK("setuid-set-dumpable", prctl(PR_SET_DUMPABLE, 1, 0, 0, 0));
    CHECK_EQ("setuid-dumpable-again", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 1);
}

static void root_bounding(void) {
    CHECK_OK("bset-drop-boot", prctl(PR_CAPBSET_DROP, CAP_SYS_BOOT, 0, 0, 0));
    CHECK_EQ("bset-read-boot", prctl(PR_CAPBSET_READ, CAP_SYS_BOOT, 0, 0, 0), 0);
    CHECK("bset-still-effective", (effective() & (1ull << CAP_SYS_BOOT)) != 0);
    CHECK("bset-status", status_has("CapBnd:\t000001ffffbfffff\n"));
    CHECK_EQ("bset-exec-loses-it", run_want(self, NULL, "0", "1ffffbfffff", "0"), 0);
    CHECK_ERR("bset-drop-invalid", prctl(PR_CAPBSET_DROP, 41, 0, 0, 0), EINVAL);
    /* Securebits: locks stay. */
    CHECK_OK("securebits-keep-caps-locked", prctl(PR_SET_SECUREBITS, 1 << 5, 0, 0, 0));
    CHECK_ERR("securebits-keepcaps-locked-eperm", prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0), EPERM);
    CHECK_ERR("securebits-unlock-eperm", prctl(PR_SET_SECUREBITS, 0, 0, 0, 0), EPERM);
    CHECK_ERR("securebits-unknown-eperm", prctl(PR_SET_SECUREBITS, (1 << 5) | (1 << 8), 0, 0, 0), EPERM);
    CHECK_EQ("securebits-read", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0), 1 << 5);
    /* SECBIT_NOROOT: root's exec no longer grants capabilities. */
    CHECK_OK("securebits-noroot", prctl(PR_SET_SECUREBITS, (1 << 5) | 1, 0, 0, 0));
    CHECK_EQ("noroot-exec", run_want(self, NULL, "0", "0", "0"), 0);
}

/* Root that dropped every capability with capset: an ordinary process, except for what it owns. */
static void capless_root(void) {
    CHECK_OK("capless-capset", capset3(0, 0, 0));
    CHECK_EQ("capless-getuid", getuid(), 0);
    CHECK("capless-status", status_has("CapEff:\t0000000000000000\n"));
    refused("capless");
    int fd = open(D "/root600", O_RDONLY);
    CHECK("capless-own-file", fd >= 0);
    close(fd);
    CHECK_ERR("capless-setuid-eperm", setuid(1000), EPERM);
    CHECK_ERR("capless-capset-back-eperm", capset3(FULL, FULL, 0), EPERM);
    /* Still uid 0: an exec gives the full set back. */
    CHECK_EQ("capless-exec-regains", run_want(self, NULL, "0", "1ffffffffff", "0"), 0);
    CHECK_EQ("capless-exec-nnp-gains-nothing", run_want(self, set_nnp, "0", "0", "0"), 0);
}

static void root_chown_write(void) {
    CHECK_OK("root-make-suid", make_file(D "/rootsuid", 04755, 0, 0));
    int fd = open(D "/rootsuid", O_WRONLY);
    CHECK("root-write-suid", fd >= 0 && write(fd, "x", 1) == 1);
    close(fd);
    CHECK_EQ("root-write-keeps-suid", mode_of(D "/rootsuid"), 04755);
    CHECK_OK("root-chown-suid", chown(D "/rootsuid", 0, 0));
    CHECK_EQ("root-chown-clears-suid", mode_of(D "/rootsuid") & 04000, 0);
    CHECK_OK("root-chown-other", chown(D "/rootsuid", 2000, 2000));
}

int main(int argc, char **argv) {
    static char path[4096];
    if (argc >= 5 && !strcmp(argv[1], "--want")) return want(argv);
    if (argc >= 2 && !strcmp(argv[1], "--access")) {
        if (getuid() != 1000 || geteuid() != 0) _exit(1);
        if (access(D "/root600", R_OK) != -1 || errno != EACCES) _exit(2);
        if (faccessat(AT_FDCWD, D "/root600", R_OK, AT_EACCESS) != 0) _exit(3);
        if (syscall(SYS_faccessat2, AT_FDCWD, D "/root600", R_OK, AT_EACCESS) != 0) _exit(4);
        _exit(0);
    }
    self = realpath(argv[0], path);
    if (argc >= 4 && !strcmp(argv[1], "--user")) return user_main(atoi(argv[2]), atoi(argv[3]));
    begin("priv");
    if (getuid() != 0) { fail("root", "must start as root"); return done(); }

    CHECK_OK("setup-dir", mkdir(D, 0755));
    CHECK_OK("setup-dir-mode", chmod(D, 0755));
    CHECK_OK("setup-pub", mkdir(D "/pub", 0777));
    CHECK_OK("setup-pub-mode", chmod(D "/pub", 0777));
    CHECK_OK("setup-sticky", mkdir(D "/sticky", 0777));
    CHECK_OK("setup-sticky-mode", chmod(D "/sticky", 01777));
    CHECK_OK("setup-sticky-file", make_file(D "/sticky/f2000", 0666, 2000, 2000));
    CHECK_OK("setup-sticky-owner", chown(D "/sticky", 2000, 2000));     /* so capless root owns neither */
    CHECK_OK("setup-root600", make_file(D "/root600", 0600, 0, 0));
    CHECK_OK("setup-u2000", make_file(D "/u2000", 0600, 2000, 2000));
    CHECK_OK("setup-public", make_file(D "/public", 0644, 2000, 2000));
    CHECK_OK("setup-w4777", make_file(D "/w4777", 04777, 0, 0));
    CHECK_OK("setup-w4777b", make_file(D "/w4777b", 04777, 0, 0));
    CHECK_OK("setup-w4777c", make_file(D "/w4777c", 04777, 0, 0));
    CHECK_OK("setup-w6777", make_file(D "/w6777", 06777, 0, 0));
    CHECK_OK("setup-w2767", make_file(D "/w2767", 02767, 0, 0));
    CHECK_OK("setup-suid", copy_self(D "/suid", 04755));
    CHECK_OK("setup-s4766", make_file(D "/s4766", 04766, 0, 0));

    int saved[4];
    for (int k = 0; k < 4; k++) saved[k] = read_knob(knobs[k]);
    CHECK("knobs-readable", saved[0] >= 0 && saved[1] >= 0 && saved[2] >= 0 && saved[3] >= 0);
    CHECK_ERR("knob-out-of-range", write_knob("protected_hardlinks", "2"), EINVAL);
    CHECK_ERR("knob-not-a-number", write_knob("protected_symlinks", "x"), EINVAL);
    CHECK_OK("knob-set-hardlinks", write_knob("protected_hardlinks", "1\n"));
    CHECK_OK("knob-set-symlinks", write_knob("protected_symlinks", "1"));
    CHECK_OK("knob-set-fifos", write_knob("protected_fifos", "1"));
    CHECK_OK("knob-set-regular", write_knob("protected_regular", "2"));
    CHECK_EQ("knob-read-back", read_knob("protected_regular"), 2);
    CHECK_OK("setup-f3000", make_file(D "/sticky/f3000", 0666, 3000, 3000));
    CHECK_OK("setup-fifo3000", mkfifo(D "/sticky/fifo3000", 0666));
    CHECK_OK("setup-fifo3000-owner", chown(D "/sticky/fifo3000", 3000, 3000));
    CHECK_OK("setup-link3000", symlink("../public", D "/sticky/link3000"));
    CHECK_OK("setup-link3000-owner", lchown(D "/sticky/link3000", 3000, 3000));
    CHECK_OK("setup-link2000", symlink("../public", D "/sticky/link2000"));
    CHECK_OK("setup-link2000-owner", lchown(D "/sticky/link2000", 2000, 2000));
    CHECK_ERR("root-follow-planted-link-eacces", open(D "/sticky/link3000", O_RDONLY), EACCES);
    CHECK_ERR("root-creat-others-regular-eacces", open(D "/sticky/f3000", O_RDWR | O_CREAT, 0644), EACCES);
    int lfd = open(D "/sticky/link2000", O_RDONLY);
    CHECK("root-follow-dir-owner-link", lfd >= 0);
    close(lfd);

    root_capabilities();
    root_chown_write();
    checks_in_child(root_seteuid_dance);
    checks_in_child(root_setuid_clears);
    checks_in_child(root_bounding);
    checks_in_child(capless_root);

    /* The unprivileged half: a fresh exec of this program as uid 1000, with the console open. */
    int console = open("/dev/console", O_RDWR | O_NOCTTY);
    int p[2], v[2] = {0, 0}, st;
    if (pipe(p)) { fail("user-pipe", "pipe"); return done(); }
    pid_t c = fork();
    if (c == 0) {
        char fd[16], cfd[16];
        close(p[0]);
        snprintf(fd, sizeof fd, "%d", p[1]);
        snprintf(cfd, sizeof cfd, "%d", console);
        if (setgroups(0, NULL) || setgid(1000) || setuid(1000)) _exit(1);
        execl(self, self, "--user", fd, cfd, (char *)NULL);
        _exit(2);
    }
    close(p[1]);
    if (read(p[0], v, sizeof v) != sizeof v) fail("user-result", "the unprivileged run died before reporting");
    close(p[0]);
    waitpid(c, &st, 0);
    passed += v[0];
    failed += v[1];
    if (console >= 0) close(console);

    /* The kill rule for root without CAP_KILL is cred.c's; the clock and the host name are unchanged. */
    const char *files[] = {"sticky/f2000", "root600", "u2000", "public", "w4777", "w4777b", "w4777c", "w6777",
                           "w2767", "suid", "rootsuid", "pub/mine", "pub/fifo", "pub/swap", "pub/mine2", "pub/hl-own",
                           "pub/hl", "pub/hl-safe", "s4766", "sticky/f3000", "sticky/fifo3000", "sticky/link3000", "sticky/link2000", "sticky/moved"};
    for (unsigned k = 0; k < sizeof files / sizeof *files; k++) {
        snprintf(path, sizeof path, D "/%s", files[k]);
        unlink(path);
    }
    rmdir(D "/sticky"); rmdir(D "/pub"); rmdir(D);
    for (int k = 0; k < 4; k++) {
        char value[16];
        snprintf(value, sizeof value, "%d", saved[k]);
        if (saved[k] >= 0) write_knob(knobs[k], value);
    }
    return done();
}
