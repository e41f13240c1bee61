/* What procps (vmstat, ps) and coreutils (df) read from /proc: /proc/vmstat (libproc2 refuses to
 * start without it), /proc/self/mountinfo (df's table of mounted file systems), and /proc/<pid>/stat's
 * tty_nr and tpgid, which say "no controlling terminal" (0 and -1) exactly when open("/dev/tty") fails:
 * processes of session 0 (the kernel's, where /init runs) never have one. A file read in pieces
 * comes from one version of its text, made by the read at offset 0 (seq_file): a shell reading
 * /proc/uptime byte by byte got "0.00" between "0.99" and "1.00". */
#include "check.h"
#include <sys/prctl.h>
#include <sys/wait.h>

static int has_line(const char *path, const char *prefix) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[512];
    int found = 0;
    while (!found && fgets(line, sizeof line, f)) found = strncmp(line, prefix, strlen(prefix)) == 0;
    fclose(f);
    return found;
}

static void vmstat(void) {
    char first[64] = "";
    FILE *f = fopen("/proc/vmstat", "r");
    CHECK("vmstat-opens", f != NULL);
    if (!f) return;
    CHECK("vmstat-starts-with-free-pages", fscanf(f, "%63s", first) == 1 && strcmp(first, "nr_free_pages") == 0);
    fclose(f);
    const char *names[] = {"pgpgin ", "pgpgout ", "pswpin ", "pswpout ", "pgfault ", "nr_dirty "};
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++)
        if (has_line("/proc/vmstat", names[i]) != 1) fail("vmstat-counters", "no line '%s'", names[i]);
        else passed++;
}

static void mountinfo(void) {
    FILE *f = fopen("/proc/self/mountinfo", "r");
    CHECK("mountinfo-opens", f != NULL);
    if (!f) return;
    char line[512];
    int root = 0, ok = 1;
    while (fgets(line, sizeof line, f)) {
        int id, parent;
        unsigned major, minor;
        char fsroot[256], point[256];
        if (sscanf(line, "%d %d %u:%u %255s %255s", &id, &parent, &major, &minor, fsroot, point) != 6
            || !strstr(line, " - ")) ok = 0;
        else if (strcmp(point, "/") == 0) root = 1;
    }
    fclose(f);
    CHECK("mountinfo-fields", ok);
    CHECK("mountinfo-has-root", root);
}

/* tty_nr and tpgid from /proc/self/stat (after the ")" of comm). */
static void tty_fields(int *tty, int *tpgid) {
    char buf[1024] = "";
    FILE *f = fopen("/proc/self/stat", "r");
    if (f) { fgets(buf, sizeof buf, f); fclose(f); }
    char *p = strrchr(buf, ')');
    *tty = *tpgid = -2;
    if (p) sscanf(p + 2, "%*c %*d %*d %*d %d %d", tty, tpgid);
}

static void controlling_terminal(void) {
    int tty, tpgid;
    tty_fields(&tty, &tpgid);
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY);
    if (fd >= 0) close(fd);
    CHECK("stat-tty-iff-dev-tty-opens", (tty != 0) == (fd >= 0));
    CHECK("stat-tpgid-without-tty", fd >= 0 || tpgid == -1);
    pid_t child = fork();
    if (child == 0) {                       /* a new session has no controlling terminal */
        setsid();
        tty_fields(&tty, &tpgid);
        _exit(tty == 0 && tpgid == -1 ? 0 : 1);
    }
    int st;
    waitpid(child, &st, 0);
    CHECK("stat-new-session-no-tty", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void read_in_pieces(void) {
    char buf[32] = "";
    prctl(PR_SET_NAME, "first");
    int fd = open("/proc/self/comm", O_RDONLY);
    CHECK_EQ("comm-first-byte", read(fd, buf, 1), 1);
    prctl(PR_SET_NAME, "other");
    CHECK_EQ("comm-rest", read(fd, buf + 1, sizeof buf - 2), 5);
    CHECK("comm-one-version", strcmp(buf, "first\n") == 0);
    lseek(fd, 0, SEEK_SET);                /* reading from offset 0 again makes a new version */
    memset(buf, 0, sizeof buf);
    CHECK_EQ("comm-reread", read(fd, buf, sizeof buf - 1), 6);
    CHECK("comm-new-version", strcmp(buf, "other\n") == 0);
    close(fd);
}

int main(void) {
    begin("procps");
    read_in_pieces();
    vmstat();
    mountinfo();
    controlling_terminal();
    return done();
}
