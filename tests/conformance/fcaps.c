/* File capabilities (capabilities(7)): security.capability on copies of this program on tmpfs,
 * run as uid 1000. The copy run with "report" sends its capget() sets back through fd 3. */
#include "check.h"
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/xattr.h>

#define D "/tmp/conf-fcaps"
#define NS "/tmp/conf-fcaps-nosuid"
#define BIT(c) (1ull << (c))
#define RAW_NICE (BIT(CAP_NET_RAW) | BIT(CAP_SYS_NICE))

struct sets { unsigned long long prm, eff, inh, amb; int euid; };

static int report(void) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    struct sets s = {0, 0, 0, 0, (int)geteuid()};
    if (syscall(SYS_capget, &h, d) == 0) {
        s.prm = d[0].permitted | (unsigned long long)d[1].permitted << 32;
        s.eff = d[0].effective | (unsigned long long)d[1].effective << 32;
        s.inh = d[0].inheritable | (unsigned long long)d[1].inheritable << 32;
    }
    for (int c = 0; c <= 40; c++)
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1) s.amb |= BIT(c);
    write(3, &s, sizeof s);
    return 0;
}

/* Writes `src` to `dst` (mode 0755). */
static int copy(const char *src, const char *dst) {
    int in = open(src, O_RDONLY), out = open(dst, O_CREAT | O_TRUNC | O_WRONLY, 0755);
    char buf[65536];
    long n;
    if (in < 0 || out < 0) return -1;
    while ((n = read(in, buf, sizeof buf)) > 0) write(out, buf, n);
    close(in);
    close(out);
    return 0;
}

static void caps_value(unsigned char *v, int rev, unsigned long long prm, unsigned long long inh, int effective, unsigned rootid) {
    unsigned magic = (rev == 3 ? VFS_CAP_REVISION_3 : VFS_CAP_REVISION_2) | (effective ? VFS_CAP_FLAGS_EFFECTIVE : 0);
    unsigned w[6] = {magic, (unsigned)prm, (unsigned)inh, (unsigned)(prm >> 32), (unsigned)(inh >> 32), rootid};
    memcpy(v, w, sizeof w);
}

static int setcaps(const char *path, int rev, unsigned long long prm, unsigned long long inh, int effective, unsigned rootid) {
    unsigned char v[24];
    caps_value(v, rev, prm, inh, effective, rootid);
    return setxattr(path, "security.capability", v, rev == 3 ? 24 : 20, 0);
}

enum { AS_USER = 1, NO_NEW_PRIVS = 2, DROP_BOUNDING_RAW = 4, AMBIENT_KILL = 8 };

/* Runs `path report` in a child set up as `how` says: the sets it reports, or errno of a failed exec
 * in *err. */
static struct sets run(const char *path, int how, int *err) {
    struct sets s = {~0ull, ~0ull, ~0ull, ~0ull, -1};
    int p[2], e[2];
    *err = 0;
    pipe(p);
    pipe(e);
    pid_t c = fork();
    if (c == 0) {
        dup2(p[1], 3);
        if (how & DROP_BOUNDING_RAW) prctl(PR_CAPBSET_DROP, CAP_NET_RAW, 0, 0, 0);
        if (how & AMBIENT_KILL) {
            struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
            struct __user_cap_data_struct d[2] = {{BIT(CAP_KILL), BIT(CAP_KILL), BIT(CAP_KILL)}, {0, 0, 0}};
            prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0);
            if (setgid(1000) || setuid(1000)) _exit(2);
            if (syscall(SYS_capset, &h, d)) _exit(3);
            if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0)) _exit(4);
        } else if (how & AS_USER) {
            if (setgid(1000) || setuid(1000)) _exit(2);
        }
        if (how & NO_NEW_PRIVS) prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
        execl(path, path, "report", (char *)NULL);
        int x = errno;
        write(e[1], &x, sizeof x);
        _exit(1);
    }
    close(p[1]);
    close(e[1]);
    if (read(p[0], &s, sizeof s) != sizeof s) read(e[0], err, sizeof *err);
    close(p[0]);
    close(e[0]);
    waitpid(c, NULL, 0);
    return s;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "report") == 0) return report();
    begin("fcaps");
    mkdir(D, 0755);
    mkdir(NS, 0755);
    if (mount("none", D, "tmpfs", 0, "mode=0755") || mount("none", NS, "tmpfs", MS_NOSUID, "mode=0755")) {
        fail("mount", "errno %d", errno);
        return done();
    }
    int err;
    struct sets s;
    unsigned char v[64];
    copy("/proc/self/exe", D "/plain");
    s = run(D "/plain", AS_USER, &err);
    CHECK_EQ("plain-prm", s.prm, 0);
    CHECK_EQ("plain-eff", s.eff, 0);

    /* +ep */
    copy("/proc/self/exe", D "/ep");
    CHECK_OK("set-ep", setcaps(D "/ep", 2, RAW_NICE, 0, 1, 0));
    CHECK_EQ("get-ep-size", getxattr(D "/ep", "security.capability", v, sizeof v), 20);
    s = run(D "/ep", AS_USER, &err);
    CHECK_EQ("ep-err", err, 0);
    CHECK_EQ("ep-prm", s.prm, RAW_NICE);
    CHECK_EQ("ep-eff", s.eff, RAW_NICE);
    CHECK_EQ("ep-euid", s.euid, 1000);
    s = run(D "/ep", 0, &err);
    CHECK_EQ("ep-root-prm", s.prm, 0x1ffffffffffull);
    /* +p: permitted only */
    copy("/proc/self/exe", D "/p");
    CHECK_OK("set-p", setcaps(D "/p", 2, RAW_NICE, 0, 0, 0));
    s = run(D "/p", AS_USER, &err);
    CHECK_EQ("p-prm", s.prm, RAW_NICE);
    CHECK_EQ("p-eff", s.eff, 0);
    /* Revision 3 for root reads as revision 2 and works; for uid 1000 it is ignored. */
    copy("/proc/self/exe", D "/v3");
    CHECK_OK("set-v3-root0", setcaps(D "/v3", 3, RAW_NICE, 0, 1, 0));
    CHECK_EQ("get-v3-root0-as-v2", getxattr(D "/v3", "security.capability", v, sizeof v), 20);
    CHECK_EQ("get-v3-root0-magic", ((unsigned *)v)[0], VFS_CAP_REVISION_2 | VFS_CAP_FLAGS_EFFECTIVE);
    s = run(D "/v3", AS_USER, &err);
    CHECK_EQ("v3-root0-eff", s.eff, RAW_NICE);
    CHECK_OK("set-v3-root1000", setcaps(D "/v3", 3, RAW_NICE, 0, 1, 1000));
    CHECK_EQ("get-v3-root1000", getxattr(D "/v3", "security.capability", v, sizeof v), 24);
    CHECK_EQ("get-v3-rootid", ((unsigned *)v)[5], 1000);
    s = run(D "/v3", AS_USER, &err);
    CHECK_EQ("v3-root1000-err", err, 0);
    CHECK_EQ("v3-root1000-prm", s.prm, 0);
    CHECK_ERR("set-v3-rootid-minus1", setcaps(D "/v3", 3, RAW_NICE, 0, 1, 0xffffffffu), EINVAL);
    /* Malformed values. */
    caps_value(v, 2, RAW_NICE, 0, 1, 0);
    CHECK_ERR("set-short", setxattr(D "/v3", "security.capability", v, 19, 0), EINVAL);
    CHECK_ERR("set-v2-size24", setxattr(D "/v3", "security.capability", v, 24, 0), EINVAL);
    CHECK_ERR("set-tiny", setxattr(D "/v3", "security.capability", v, 3, 0), EINVAL);
    ((unsigned *)v)[0] = 0x01000000;
    CHECK_ERR("set-v1", setxattr(D "/v3", "security.capability", v, 12, 0), EINVAL);

    /* The bounding set lacks one of an effective file's capabilities: execve fails. */
    s = run(D "/ep", AS_USER | DROP_BOUNDING_RAW, &err);
    CHECK_EQ("bounding-eperm", err, EPERM);
    s = run(D "/p", AS_USER | DROP_BOUNDING_RAW, &err);
    CHECK_EQ("bounding-p-err", err, 0);
    CHECK_EQ("bounding-p-prm", s.prm, BIT(CAP_SYS_NICE));
    /* no_new_privs: nothing gained. */
    s = run(D "/ep", AS_USER | NO_NEW_PRIVS, &err);
    CHECK_EQ("nnp-err", err, 0);
    CHECK_EQ("nnp-prm", s.prm, 0);
    CHECK_EQ("nnp-eff", s.eff, 0);
    /* Ambient capabilities survive a plain exec, and are cleared by file capabilities. */
    s = run(D "/plain", AMBIENT_KILL, &err);
    CHECK_EQ("ambient-plain-amb", s.amb, BIT(CAP_KILL));
    CHECK_EQ("ambient-plain-eff", s.eff, BIT(CAP_KILL));
    s = run(D "/p", AMBIENT_KILL, &err);
    CHECK_EQ("ambient-fcaps-amb", s.amb, 0);
    CHECK_EQ("ambient-fcaps-prm", s.prm, RAW_NICE);
    CHECK_EQ("ambient-fcaps-eff", s.eff, 0);
    /* fI & pI */
    copy("/proc/self/exe", D "/i");
    CHECK_OK("set-i", setcaps(D "/i", 2, 0, BIT(CAP_KILL) | BIT(CAP_CHOWN), 0, 0));
    s = run(D "/i", AMBIENT_KILL, &err);
    CHECK_EQ("inheritable-prm", s.prm, BIT(CAP_KILL));
    CHECK_EQ("inheritable-amb", s.amb, 0);
    /* Set-user-id root with file capabilities run by a user: the file's capabilities only. */
    copy("/proc/self/exe", D "/suid");
    chmod(D "/suid", 04755);
    CHECK_OK("set-suid", setcaps(D "/suid", 2, RAW_NICE, 0, 0, 0));
    s = run(D "/suid", AS_USER, &err);
    CHECK_EQ("suid-euid", s.euid, 0);
    CHECK_EQ("suid-prm", s.prm, RAW_NICE);
    CHECK_EQ("suid-eff", s.eff, 0);

    /* nosuid mount: ignored. */
    copy("/proc/self/exe", NS "/ep");
    CHECK_OK("nosuid-set", setcaps(NS "/ep", 2, RAW_NICE, 0, 1, 0));
    s = run(NS "/ep", AS_USER, &err);
    CHECK_EQ("nosuid-err", err, 0);
    CHECK_EQ("nosuid-prm", s.prm, 0);
    CHECK_EQ("nosuid-eff", s.eff, 0);

    /* Killpriv: a write, a truncate, an O_TRUNC open, a chown remove the attribute. */
    copy("/proc/self/exe", D "/k");
    CHECK_OK("kill-set", setcaps(D "/k", 2, RAW_NICE, 0, 1, 0));
    int fd = open(D "/k", O_WRONLY | O_APPEND);
    CHECK_EQ("kill-write0", write(fd, "", 0), 0);
    CHECK_EQ("kill-write0-kept", getxattr(D "/k", "security.capability", v, sizeof v), 20);
    CHECK_EQ("kill-write", write(fd, "\0", 1), 1);
    close(fd);
    CHECK_ERR("kill-write-gone", getxattr(D "/k", "security.capability", v, sizeof v), ENODATA);
    CHECK_OK("kill-set2", setcaps(D "/k", 2, RAW_NICE, 0, 1, 0));
    CHECK_OK("kill-set-other", setxattr(D "/k", "security.other", "o", 1, 0));
    struct stat st;
    stat(D "/k", &st);
    CHECK_OK("kill-truncate", truncate(D "/k", st.st_size));
    CHECK_ERR("kill-truncate-gone", getxattr(D "/k", "security.capability", v, sizeof v), ENODATA);
    CHECK_EQ("kill-truncate-other-kept", getxattr(D "/k", "security.other", v, sizeof v), 1);
    CHECK_OK("kill-set3", setcaps(D "/k", 2, RAW_NICE, 0, 1, 0));
    CHECK_OK("kill-chown", chown(D "/k", 0, 0));
    CHECK_ERR("kill-chown-gone", getxattr(D "/k", "security.capability", v, sizeof v), ENODATA);
    CHECK_OK("kill-set4", setcaps(D "/k", 2, RAW_NICE, 0, 1, 0));
    fd = open(D "/k", O_WRONLY | O_TRUNC);
    close(fd);
    CHECK_ERR("kill-otrunc-gone", getxattr(D "/k", "security.capability", v, sizeof v), ENODATA);
    CHECK_OK("kill-set5", setcaps(D "/k", 2, RAW_NICE, 0, 1, 0));
    CHECK_OK("kill-chmod-kept", chmod(D "/k", 0700));
    CHECK_EQ("kill-chmod-kept-get", getxattr(D "/k", "security.capability", v, sizeof v), 20);
    CHECK_OK("remove-root", removexattr(D "/k", "security.capability"));
    CHECK_ERR("remove-again", removexattr(D "/k", "security.capability"), ENODATA);

    /* Without CAP_SETFCAP. */
    copy("/proc/self/exe", D "/u");
    chown(D "/u", 1000, 1000);
    pid_t c = fork();
    if (c == 0) {
        if (setgid(1000) || setuid(1000)) _exit(2);
        caps_value(v, 2, RAW_NICE, 0, 1, 0);
        if (setxattr(D "/u", "security.capability", v, 20, 0) != -1 || errno != EPERM) _exit(3);
        if (setxattr(D "/u", "security.capability", v, 19, 0) != -1 || errno != EINVAL) _exit(4);
        _exit(0);
    }
    int status;
    waitpid(c, &status, 0);
    CHECK_EQ("user-set-eperm", status, 0);

    umount(D);
    umount(NS);
    rmdir(D);
    rmdir(NS);
    return done();
}
