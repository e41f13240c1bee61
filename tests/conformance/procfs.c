/* /proc's per-process and system files in Linux 6.1's layouts: status's memory lines and state, stat's
 * priority/nice/rss, exe through /proc/self/exe, mountinfo, smaps, smaps_rollup, pagemap, vmstat and
 * a few /proc/sys/kernel values. */
#include "check.h"
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

static char text[1 << 16];

static const char *slurp(const char *path) {
    int fd = open(path, O_RDONLY);
    size_t n = 0;
    text[0] = 0;
    if (fd < 0) return text;
    for (ssize_t r; n < sizeof text - 1 && (r = read(fd, text + n, sizeof text - 1 - n)) > 0; ) n += r;
    text[n] = 0;
    close(fd);
    return text;
}

/* The value of "Name:\t   N kB" in status (-1: missing or not in that layout). */
static long status_kb(const char *status, const char *name) {
    char key[64];
    snprintf(key, sizeof key, "\n%s:\t", name);
    const char *p = strstr(status, key);
    if (!p) return -1;
    p += strlen(key);
    const char *digits = p;
    while (*digits == ' ') digits++;
    if (digits - p + strspn(digits, "0123456789") != 8 || strncmp(digits + strspn(digits, "0123456789"), " kB\n", 4)) return -1;
    return atol(digits);
}

/* Field `n` (1-based) of /proc/self/stat, as a number. */
static long stat_field(int n) {
    const char *p = strrchr(slurp("/proc/self/stat"), ')');
    if (!p) return -12345;
    p += 2;
    for (int i = 3; i < n && p; i++) { p = strchr(p, ' '); if (p) p++; }
    return p ? atol(p) : -12345;
}

static void status_memory(void) {
    static const char *names[] = {"VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM", "VmRSS", "RssAnon", "RssFile", "RssShmem",
                                  "VmData", "VmStk", "VmExe", "VmLib", "VmPTE", "VmSwap"};
    char status[8192];
    snprintf(status, sizeof status, "%s", slurp("/proc/self/status"));
    int all = 1;
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++)
        if (status_kb(status, names[i]) < 0) { all = 0; printf("  missing %s\n", names[i]); }
    CHECK("status-vm-lines", all);
    CHECK("status-state-running", strstr(status, "\nState:\tR (running)\n") != NULL);
    long rss = status_kb(status, "VmRSS"), size = status_kb(status, "VmSize");
    CHECK("status-rss-positive", rss > 0);
    CHECK("status-rss-within-size", rss <= size && size <= status_kb(status, "VmPeak"));
    CHECK("status-rss-sum", rss == status_kb(status, "RssAnon") + status_kb(status, "RssFile") + status_kb(status, "RssShmem"));
    CHECK("status-stack", status_kb(status, "VmStk") > 0);
    CHECK("status-exe", status_kb(status, "VmExe") > 0);
    CHECK("status-data", status_kb(status, "VmData") > 0);
    /* 1 MiB of private memory (too small for a transparent huge page), all touched. Linux syncs a
     * thread's RSS counts every 64 page faults, so up to 63 pages may not show yet (nor, before, the
     * pages faulted in until then: only the total after is compared). */
    char *m = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(m, 1, 1 << 20);
    snprintf(status, sizeof status, "%s", slurp("/proc/self/status"));
    long rss2 = status_kb(status, "VmRSS"), size2 = status_kb(status, "VmSize");
    CHECK("status-size-grows-by-mapping", size2 - size == 1024);
    CHECK("status-rss-holds-touched", rss2 >= 1024 - 63 * 4 && rss2 <= size2);
    CHECK("status-anon-holds-touched", status_kb(status, "RssAnon") >= 1024 - 63 * 4);
    CHECK("status-data-holds-mapping", status_kb(status, "VmData") >= 1024);
    munmap(m, 1 << 20);
}

static void stat_fields(void) {
    CHECK_EQ("stat-priority-default", stat_field(18), 20);
    CHECK_EQ("stat-nice-default", stat_field(19), 0);
    CHECK_OK("setpriority", setpriority(PRIO_PROCESS, 0, 5));
    CHECK_EQ("stat-priority-follows-nice", stat_field(18), 25);
    CHECK_EQ("stat-nice", stat_field(19), 5);
    long rss_pages = stat_field(24);
    long rss_kb = status_kb(slurp("/proc/self/status"), "VmRSS");
    CHECK("stat-rss-resident-pages", rss_pages > 0 && labs(rss_pages * 4 - rss_kb) <= rss_kb / 10 + 16);
    CHECK("stat-state-running", stat_field(3) == 0 && strchr(slurp("/proc/self/stat"), ')')[2] == 'R');
    struct timespec up;
    clock_gettime(CLOCK_BOOTTIME, &up);
    long start = stat_field(22), now_ticks = up.tv_sec * 100 + up.tv_nsec / 10000000;
    CHECK("stat-starttime", start > 0 && start <= now_ticks);
    pid_t c = fork();
    if (c == 0) _exit(stat_field(22) >= start ? 0 : 1);
    int st = 0;
    waitpid(c, &st, 0);
    CHECK("stat-starttime-child-later", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    long start_brk = stat_field(47);
    CHECK("stat-start-brk", start_brk > 0 && start_brk <= (long)sbrk(0) && start_brk % 4096 == 0);
    CHECK_EQ("stat-rt-priority", stat_field(40), 0);
    CHECK_EQ("stat-policy", stat_field(41), 0);
}

static void exe_through_proc_self_exe(void) {
    char self[512] = {0};
    CHECK("exe-readlink", readlink("/proc/self/exe", self, sizeof self - 1) > 0);
    pid_t p = fork();
    if (p == 0) {
        execl("/proc/self/exe", "procfs", "--exe-child", self, (char *)NULL);
        _exit(127);
    }
    int st = 0;
    waitpid(p, &st, 0);
    CHECK_EQ("exe-names-real-program-after-proc-self-exe", WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0);
}

/* The mountinfo line whose mount point is `point` (fields split), 0 if none. */
struct mountinfo { int id, parent; unsigned major, minor; char root[256], point[256], options[256], type[64], source[256], super[256]; };
static int find_mount(const char *point, struct mountinfo *out) {
    char copy[1 << 16];
    snprintf(copy, sizeof copy, "%s", slurp("/proc/self/mountinfo"));
    int found = 0;
    for (char *save = NULL, *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        struct mountinfo m;
        char *dash = strstr(line, " - ");
        if (!dash) return -1;
        if (sscanf(line, "%d %d %u:%u %255s %255s %255s", &m.id, &m.parent, &m.major, &m.minor, m.root, m.point, m.options) != 7) return -1;
        if (sscanf(dash + 3, "%63s %255s %255s", m.type, m.source, m.super) != 3) return -1;
        if (!strcmp(m.point, point)) { *out = m; found = 1; }
    }
    return found;
}

static void mountinfo(void) {
    struct mountinfo root, proc, t;
    CHECK_EQ("mountinfo-root", find_mount("/", &root), 1);
    CHECK_EQ("mountinfo-proc", find_mount("/proc", &proc), 1);
    struct stat st;
    stat("/proc", &st);
    CHECK("mountinfo-proc-fields", !strcmp(proc.type, "proc") && !strcmp(proc.root, "/") && proc.parent == root.id
          && makedev(proc.major, proc.minor) == st.st_dev && !strncmp(proc.options, "rw", 2) && !strcmp(proc.source, "proc"));
    mkdir("/tmp", 0755);
    mkdir("/tmp/procfs-mnt", 0755);
    CHECK_OK("mountinfo-mount-tmpfs", mount("none", "/tmp/procfs-mnt", "tmpfs", MS_NOSUID | MS_NODEV, "size=1m"));
    CHECK_EQ("mountinfo-new-mount", find_mount("/tmp/procfs-mnt", &t), 1);
    CHECK("mountinfo-new-mount-fields", !strcmp(t.type, "tmpfs") && !strcmp(t.source, "none")
          && !strcmp(t.options, "rw,nosuid,nodev,relatime") && !strncmp(t.super, "rw", 2) && t.id != proc.id);
    umount("/tmp/procfs-mnt");
    CHECK_EQ("mountinfo-umount-gone", find_mount("/tmp/procfs-mnt", &t), 0);
}

/* The value (kB) of `name` in the smaps entry for the area starting at `start`, -1 if none. */
static long smaps_kb(void *start, const char *name) {
    char head[32], key[64];
    snprintf(head, sizeof head, "%lx-", (unsigned long)start);
    const char *s = slurp("/proc/self/smaps");
    const char *p = strstr(s, head);
    while (p && p != s && p[-1] != '\n') p = strstr(p + 1, head);
    if (!p) return -1;
    const char *next = strstr(p + 1, "\nVmFlags:");
    snprintf(key, sizeof key, "\n%-16s", name);
    const char *v = strstr(p, key);
    if (!v || (next && v > next)) return -1;
    return atol(v + strlen(key));
}

static void smaps(void) {
    long page = sysconf(_SC_PAGESIZE);
    char *m = mmap(NULL, 64 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(m, 1, 16 * page);
    long kb = 16 * page / 1024;
    CHECK_EQ("smaps-size", smaps_kb(m, "Size:"), 64 * page / 1024);
    CHECK_EQ("smaps-rss", smaps_kb(m, "Rss:"), kb);
    CHECK_EQ("smaps-pss", smaps_kb(m, "Pss:"), kb);
    CHECK_EQ("smaps-private-dirty", smaps_kb(m, "Private_Dirty:"), kb);
    CHECK_EQ("smaps-anonymous", smaps_kb(m, "Anonymous:"), kb);
    CHECK_EQ("smaps-swap", smaps_kb(m, "Swap:"), 0);
    CHECK_EQ("smaps-kernel-page-size", smaps_kb(m, "KernelPageSize:"), page / 1024);
    CHECK("smaps-vmflags", strstr(slurp("/proc/self/smaps"), "\nVmFlags: rd wr mr mw me ac \n") != NULL);
    const char *r = slurp("/proc/self/smaps_rollup");
    const char *nl = strchr(r, '\n');
    CHECK("smaps-rollup-header", nl && nl - r > 8 && !strncmp(nl - 8, "[rollup]", 8) && strstr(r, " ---p 00000000 00:00 0 "));
    long rollup_rss = -1, anon = -1;
    const char *p = strstr(r, "\nRss:");
    if (p) rollup_rss = atol(p + 5);
    p = strstr(r, "\nAnonymous:");
    if (p) anon = atol(p + 11);
    long vmrss = status_kb(slurp("/proc/self/status"), "VmRSS");
    CHECK("smaps-rollup-rss", rollup_rss > 0 && labs(rollup_rss - vmrss) <= vmrss / 10 + 16);
    CHECK("smaps-rollup-anonymous", anon >= kb);
    /* pagemap: an entry per page; present pages have bit 63 (and, for root, their frame number). */
    int fd = open("/proc/self/pagemap", O_RDONLY);
    CHECK("pagemap-open", fd >= 0);
    uint64_t e[2] = {0, 0};
    CHECK_EQ("pagemap-read-touched", pread(fd, e, 8, (uintptr_t)m / page * 8), 8);
    CHECK("pagemap-present", e[0] >> 63 == 1 && (e[0] & ((1ull << 55) - 1)) != 0);
    CHECK_EQ("pagemap-read-untouched", pread(fd, e + 1, 8, ((uintptr_t)m / page + 40) * 8), 8);
    CHECK("pagemap-absent", e[1] >> 63 == 0);
    CHECK_ERR("pagemap-unaligned", pread(fd, e, 8, (uintptr_t)m / page * 8 + 1), EINVAL);
    CHECK_ERR("pagemap-partial-entry", pread(fd, e, 5, (uintptr_t)m / page * 8), EINVAL);
    close(fd);
    munmap(m, 64 * page);
}

static void system_files(void) {
    CHECK("sys-tainted", !strcmp(slurp("/proc/sys/kernel/tainted"), "0\n"));
    CHECK("sys-core-pattern", !strcmp(slurp("/proc/sys/kernel/core_pattern"), "core\n"));
    CHECK("sys-msg-next-id", !strcmp(slurp("/proc/sys/kernel/msg_next_id"), "-1\n"));
    CHECK("sys-sem-next-id", !strcmp(slurp("/proc/sys/kernel/sem_next_id"), "-1\n"));
    CHECK("sys-shm-next-id", !strcmp(slurp("/proc/sys/kernel/shm_next_id"), "-1\n"));
    const char *v = slurp("/proc/vmstat");
    CHECK("vmstat-starts-with-free-pages", !strncmp(v, "nr_free_pages ", 14) && atol(v + 14) > 0);
    const char *f = strstr(v, "\npgfault ");
    long faults = f ? atol(f + 9) : -1;
    char *m = mmap(NULL, 64 << 12, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < 64; i++) m[i << 12] = 1;
    f = strstr(slurp("/proc/vmstat"), "\npgfault ");
    CHECK("vmstat-pgfault-counts", faults > 0 && f && atol(f + 9) >= faults + 64);
    munmap(m, 64 << 12);
    v = slurp("/proc/vmstat");
    CHECK("vmstat-has-counters", strstr(v, "\npgfault ") && strstr(v, "\npgpgin ") && strstr(v, "\npswpout ") && strstr(v, "\nnr_dirty "));
}

int main(int argc, char **argv) {
    if (argc == 3 && !strcmp(argv[1], "--exe-child")) {
        char now[512] = {0};
        readlink("/proc/self/exe", now, sizeof now - 1);
        if (strcmp(now, argv[2])) { printf("  /proc/self/exe is '%s', expected '%s'\n", now, argv[2]); return 1; }
        return 0;
    }
    begin("procfs");
    status_memory();
    stat_fields();
    exe_through_proc_self_exe();
    mountinfo();
    smaps();
    system_files();
    return done();
}
