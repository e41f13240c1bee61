/* Memory accounting as Linux keeps it: /proc/PID/oom_score_adj (range, EINVAL, read back) and
 * oom_score; /proc/sys/vm/overcommit_*; Committed_AS grows with a private writable mapping and
 * shrinks at munmap, not for MAP_NORESERVE or read-only mappings; RLIMIT_AS and RLIMIT_DATA refuse
 * mmap and brk with ENOMEM; MAP_POPULATE makes every page resident (mincore); a new tmpfs has
 * nr_inodes (statfs f_files, the root using one) unless nr_inodes=0; sysfs's CPU lists agree with
 * sysconf. Runs as root. */
#include "check.h"
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/wait.h>

static long read_long(const char *path) {
    char b[64] = {0};
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -99999;
    ssize_t n = read(fd, b, sizeof b - 1);
    close(fd);
    return n > 0 ? atol(b) : -99999;
}

static int write_text(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0) return -1;
    ssize_t n = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    errno = e;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

static long meminfo(const char *key) {
    FILE *f = fopen("/proc/meminfo", "r");
    char line[128];
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0 && line[strlen(key)] == ':') v = atol(line + strlen(key) + 1);
    if (f) fclose(f);
    return v;
}

static void oom_files(void) {
    CHECK_EQ("oom-score-adj-default", read_long("/proc/self/oom_score_adj"), 0);
    long score = read_long("/proc/self/oom_score");
    CHECK("oom-score-range", score >= 0 && score <= 2000);
    CHECK_OK("oom-score-adj-write", write_text("/proc/self/oom_score_adj", "500\n"));
    CHECK_EQ("oom-score-adj-read-back", read_long("/proc/self/oom_score_adj"), 500);
    CHECK("oom-score-grows-with-adj", read_long("/proc/self/oom_score") > score);
    CHECK_ERR("oom-score-adj-too-large", write_text("/proc/self/oom_score_adj", "1001"), EINVAL);
    CHECK_ERR("oom-score-adj-not-a-number", write_text("/proc/self/oom_score_adj", "12abc"), EINVAL);
    CHECK_OK("oom-score-adj-minimum-as-root", write_text("/proc/self/oom_score_adj", "-1000"));
    CHECK_EQ("oom-score-exempt", read_long("/proc/self/oom_score"), 0);
    CHECK_OK("oom-score-adj-back", write_text("/proc/self/oom_score_adj", "0"));
}

static void tunables(void) {
    CHECK_EQ("overcommit-memory-default", read_long("/proc/sys/vm/overcommit_memory"), 0);
    CHECK_EQ("overcommit-ratio-default", read_long("/proc/sys/vm/overcommit_ratio"), 50);
    CHECK_EQ("overcommit-kbytes-default", read_long("/proc/sys/vm/overcommit_kbytes"), 0);
    CHECK_ERR("overcommit-memory-3", write_text("/proc/sys/vm/overcommit_memory", "3"), EINVAL);
    CHECK_OK("overcommit-ratio-write", write_text("/proc/sys/vm/overcommit_ratio", "60"));
    long total = meminfo("MemTotal");
    CHECK("commit-limit-follows-ratio", labs(meminfo("CommitLimit") - total * 60 / 100) <= 8);
    CHECK_OK("overcommit-ratio-back", write_text("/proc/sys/vm/overcommit_ratio", "50"));
}

static void committed(void) {
    size_t len = 64 << 20;
    long before = meminfo("Committed_AS");
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    long during = meminfo("Committed_AS");
    CHECK("committed-grows", during - before >= 63 * 1024 && during - before <= 66 * 1024);
    munmap(p, len);
    CHECK("committed-released", labs(meminfo("Committed_AS") - before) <= 1024);
    p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    CHECK("noreserve-not-committed", meminfo("Committed_AS") - before < 1024);
    munmap(p, len);
    p = mmap(NULL, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK("read-only-not-committed", meminfo("Committed_AS") - before < 1024);
    munmap(p, len);
    /* MAP_POPULATE: every page present at once. */
    size_t small = 4 << 20;
    p = mmap(NULL, small, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
    unsigned char vec[1024];
    CHECK_OK("mincore", mincore(p, small, vec));
    int resident = 0;
    for (int i = 0; i < 1024; i++) resident += vec[i] & 1;
    CHECK_EQ("populate-resident", resident, 1024);
    munmap(p, small);
}

static void limits(void) {
    pid_t pid = fork();
    if (pid == 0) {
        int bad = 0;
        struct rlimit r = { 256 << 20, 256 << 20 };
        setrlimit(RLIMIT_AS, &r);
        if (mmap(NULL, 512 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED || errno != ENOMEM) bad |= 1;
        if (mmap(NULL, 16 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) bad |= 2;
        struct rlimit d = { 8 << 20, 8 << 20 };
        setrlimit(RLIMIT_DATA, &d);
        if (mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) != MAP_FAILED || errno != ENOMEM) bad |= 4;
        if (mmap(NULL, 16 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) bad |= 8;
        if (mmap(NULL, 16 << 20, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0) == MAP_FAILED) bad |= 16;
        void *start = sbrk(0);
        if (brk((char *)start + (16 << 20)) == 0) bad |= 32;
        _exit(bad);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CHECK_EQ("rlimit-as-and-data", WEXITSTATUS(status), 0);
}

static void tmpfs_inodes(void) {
    mkdir("/tmp/conf-commit", 0755);
    struct statfs s;
    CHECK_OK("mount-tmpfs", mount("none", "/tmp/conf-commit", "tmpfs", 0, NULL));
    CHECK_OK("statfs", statfs("/tmp/conf-commit", &s));
    CHECK("tmpfs-default-nr-inodes", s.f_files > 1000 && s.f_ffree == s.f_files - 1);
    umount("/tmp/conf-commit");
    CHECK_OK("mount-tmpfs-unlimited", mount("none", "/tmp/conf-commit", "tmpfs", 0, "nr_inodes=0"));
    statfs("/tmp/conf-commit", &s);
    CHECK("tmpfs-unlimited-inodes", s.f_files == 0 && s.f_ffree == 0);
    umount("/tmp/conf-commit");
    rmdir("/tmp/conf-commit");
}

static void cpus(void) {
    if (mount("sysfs", "/sys", "sysfs", 0, NULL) != 0 && errno != EBUSY) { fail("mount-sysfs", "errno %d", errno); return; }
    char b[32] = {0};
    int fd = open("/sys/devices/system/cpu/online", O_RDONLY);
    CHECK("sysfs-cpu-online", fd >= 0 && read(fd, b, sizeof b - 1) > 0);
    if (fd >= 0) close(fd);
    long n = strchr(b, '-') ? atol(strchr(b, '-') + 1) + 1 : 1;
    CHECK_EQ("nprocessors-onln", sysconf(_SC_NPROCESSORS_ONLN), n);
    CHECK_EQ("nprocessors-conf", sysconf(_SC_NPROCESSORS_CONF), n);
    CHECK_OK("sysfs-cpu0", access("/sys/devices/system/cpu/cpu0", F_OK));
    CHECK_OK("sysfs-cpu-possible", access("/sys/devices/system/cpu/possible", R_OK));
    umount("/sys");
}

int main(void) {
    begin("memory_commit");
    oom_files();
    tunables();
    committed();
    limits();
    tmpfs_inodes();
    cpus();
    return done();
}
