/* CPU affinity and the CPU count programs see: sched_{set,get}affinity name threads (not only
 * processes), reject bad masks, sizes and pointers as Linux does, and agree with /proc/stat,
 * /proc/cpuinfo and sysconf on how many CPUs are online. */
#include "check.h"
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <sys/wait.h>

static int count_lines(const char *path, const char *prefix, int skip_total) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    char line[512];
    int n = 0;
    size_t len = strlen(prefix);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, prefix, len) != 0) continue;
        if (skip_total && line[len] == ' ') continue;            /* "cpu  " is the total */
        n++;
    }
    fclose(f);
    return n;
}

static void cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CHECK_EQ("getaffinity-size", syscall(SYS_sched_getaffinity, 0, sizeof set, &set), 8);
    int allowed = CPU_COUNT(&set);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    CHECK("getaffinity-some-cpu", allowed >= 1);
    CHECK_EQ("nprocs-matches-affinity", online, allowed);
    CHECK_EQ("proc-stat-cpu-lines", count_lines("/proc/stat", "cpu", 1), online);
    CHECK_EQ("proc-cpuinfo-processors", count_lines("/proc/cpuinfo", "processor", 0), online);
}

static void bad_arguments(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CHECK_ERR("getaffinity-negative-pid", syscall(SYS_sched_getaffinity, -1, sizeof set, &set), ESRCH);
    CHECK_ERR("setaffinity-negative-pid", syscall(SYS_sched_setaffinity, -1, sizeof set, &set), ESRCH);
    CHECK_ERR("getaffinity-small-size", syscall(SYS_sched_getaffinity, 0, 4, &set), EINVAL);
    CHECK_ERR("getaffinity-odd-size", syscall(SYS_sched_getaffinity, 0, 12, &set), EINVAL);
    CHECK_ERR("getaffinity-bad-pointer", syscall(SYS_sched_getaffinity, 0, sizeof set, BADPTR), EFAULT);
    CHECK_ERR("setaffinity-bad-pointer", syscall(SYS_sched_setaffinity, 0, sizeof set, BADPTR), EFAULT);
    CHECK_ERR("setaffinity-empty-mask", syscall(SYS_sched_setaffinity, 0, sizeof set, &set), EINVAL);
    CHECK_ERR("getaffinity-no-such-pid", syscall(SYS_sched_getaffinity, 999999, sizeof set, &set), ESRCH);
}

static sem_t started, finish;
static pid_t worker_tid;

static void *worker(void *arg) {
    (void)arg;
    worker_tid = (pid_t)syscall(SYS_gettid);
    sem_post(&started);
    sem_wait(&finish);
    return NULL;
}

/* Affinity belongs to threads: another thread of this process is named by its tid. */
static void per_thread(void) {
    pthread_t t;
    sem_init(&started, 0, 0);
    sem_init(&finish, 0, 0);
    pthread_create(&t, NULL, worker, NULL);
    sem_wait(&started);
    cpu_set_t one, got;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    CHECK_OK("setaffinity-other-thread", syscall(SYS_sched_setaffinity, worker_tid, sizeof one, &one));
    CPU_ZERO(&got);
    CHECK_EQ("getaffinity-other-thread", syscall(SYS_sched_getaffinity, worker_tid, sizeof got, &got), 8);
    CHECK("other-thread-mask-is-cpu0", CPU_EQUAL(&one, &got));
    CPU_ZERO(&got);
    syscall(SYS_sched_getaffinity, 0, sizeof got, &got);
    CHECK_EQ("caller-mask-unchanged", CPU_COUNT(&got), sysconf(_SC_NPROCESSORS_ONLN));
    sem_post(&finish);
    pthread_join(t, NULL);

    /* Pinned to CPU 0, the caller runs there (getcpu), and a child inherits the mask. */
    CHECK_OK("setaffinity-self", sched_setaffinity(0, sizeof one, &one));
    unsigned cpu = 99;
    CHECK_OK("getcpu", syscall(SYS_getcpu, &cpu, NULL, NULL));
    CHECK_EQ("runs-on-pinned-cpu", cpu, 0);
    pid_t child = fork();
    if (child == 0) {
        cpu_set_t c;
        CPU_ZERO(&c);
        sched_getaffinity(0, sizeof c, &c);
        _exit(CPU_EQUAL(&c, &one) ? 0 : 1);
    }
    int status = -1;
    waitpid(child, &status, 0);
    CHECK("fork-inherits-affinity", WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int main(void) {
    begin("sched");
    cpu_count();
    bad_arguments();
    per_thread();
    return done();
}
