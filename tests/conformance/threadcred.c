/* Credentials belong to the thread, as in Linux: a raw set*id or capset changes the calling thread
 * only; glibc's setuid changes every thread (its SIGSETXID broadcast); clone copies the caller's
 * credentials (threads, forks and CLONE_FS children alike); /proc/PID/status shows the leader's and
 * /proc/PID/task/TID/status each thread's; kill and tgkill check the target task's; no_new_privs
 * is per thread. Run as root. */
#include "check.h"
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }
static long raw_setresuid(uid_t r, uid_t e, uid_t s) { return syscall(SYS_setresuid, r, e, s); }
static uid_t raw_euid(void) { uid_t r, e, s; syscall(SYS_getresuid, &r, &e, &s); return e; }
static uid_t raw_ruid(void) { uid_t r, e, s; syscall(SYS_getresuid, &r, &e, &s); return r; }

/* The real and effective uid on the "Uid:" line of a status file (-1 if unreadable). */
static void status_uids(const char *path, long *real, long *effective) {
    char buf[4096];
    *real = *effective = -1;
    int fd = open(path, O_RDONLY);
    if (fd < 0) return;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return;
    buf[n] = 0;
    char *u = strstr(buf, "\nUid:");
    if (u) sscanf(u + 5, "%ld %ld", real, effective);
}
static long status_field(const char *path, const char *field) {   /* a decimal field, -1 if absent */
    char buf[4096];
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    if (n <= 0) return -1;
    buf[n] = 0;
    char *f = strstr(buf, field);
    return f ? strtol(f + strlen(field), NULL, 10) : -1;
}

/* A worker thread that runs `step` then waits until told to end (so its task stays inspectable). */
static sem_t stepped, finish;
static pid_t worker_tid;
static void (*worker_step)(void);
static void *worker(void *arg) {
    (void)arg;
    worker_tid = gettid_();
    if (worker_step) worker_step();
    sem_post(&stepped);
    sem_wait(&finish);
    return NULL;
}
static pthread_t start_worker(void (*step)(void)) {
    pthread_t t;
    worker_step = step;
    pthread_create(&t, NULL, worker, NULL);
    sem_wait(&stepped);
    return t;
}
static void end_worker(pthread_t t) { sem_post(&finish); pthread_join(t, NULL); }

/* ---- a raw setresuid changes the calling thread only ---- */
static long worker_euid_after;
static void drop_to_1000(void) {
    raw_setresuid(1000, 1000, 1000);
    worker_euid_after = raw_euid();
}
static void raw_setresuid_is_per_thread(void) {
    pthread_t t = start_worker(drop_to_1000);
    CHECK_EQ("raw-setresuid-thread", worker_euid_after, 1000);
    CHECK_EQ("raw-setresuid-main-unchanged", raw_euid(), 0);
    CHECK_EQ("raw-setresuid-main-real", raw_ruid(), 0);
    char path[64];
    long r, e;
    snprintf(path, sizeof path, "/proc/self/task/%d/status", worker_tid);
    status_uids(path, &r, &e);
    CHECK("task-status-thread", r == 1000 && e == 1000);
    snprintf(path, sizeof path, "/proc/self/task/%d/status", getpid());
    status_uids(path, &r, &e);
    CHECK("task-status-leader", r == 0 && e == 0);
    status_uids("/proc/self/status", &r, &e);
    CHECK("proc-status-shows-leader", r == 0 && e == 0);
    snprintf(path, sizeof path, "/proc/self/task/%d/status", worker_tid);
    CHECK_EQ("task-status-pid-is-tid", status_field(path, "\nPid:"), worker_tid);

    /* kill and tgkill check the target task's credentials: a uid-1000 process may signal the
     * thread that became uid 1000, not the root leader nor the process (its leader). */
    pid_t me = getpid(), tid = worker_tid;
    int p[2];
    pipe(p);
    pid_t c = fork();
    if (c == 0) {
        raw_setresuid(1000, 1000, 1000);
        char v[3];
        v[0] = syscall(SYS_tgkill, me, tid, 0) == 0;
        v[1] = syscall(SYS_tgkill, me, me, 0) == -1 && errno == EPERM;
        v[2] = kill(me, 0) == -1 && errno == EPERM;
        write(p[1], v, 3);
        _exit(0);
    }
    char v[3] = {0, 0, 0};
    read(p[0], v, 3);
    waitpid(c, NULL, 0);
    close(p[0]);
    close(p[1]);
    CHECK("tgkill-thread-of-same-user", v[0]);
    CHECK("tgkill-root-leader-eperm", v[1]);
    CHECK("kill-process-of-root-leader-eperm", v[2]);
    end_worker(t);
}

/* ---- clone(CLONE_THREAD) and fork copy the calling thread's credentials ---- */
static long grandchild_euid, forked_euid;
static void *report_euid(void *arg) { (void)arg; grandchild_euid = raw_euid(); return NULL; }
static void effective_1000_then_clone(void) {
    raw_setresuid(-1, 1000, -1);
    pthread_t g;
    grandchild_euid = -1;
    if (pthread_create(&g, NULL, report_euid, NULL) == 0) pthread_join(g, NULL);
    pid_t c = fork();
    if (c == 0) _exit(raw_euid() == 1000 ? 0 : 1);
    int st = 0;
    waitpid(c, &st, 0);
    forked_euid = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 1000 : -1;
    raw_setresuid(-1, 0, -1);                     /* the saved uid is still 0 */
}
static void clone_copies_the_callers(void) {
    pthread_t t = start_worker(effective_1000_then_clone);
    CHECK_EQ("clone-thread-copies-caller", grandchild_euid, 1000);
    CHECK_EQ("fork-from-thread-copies-caller", forked_euid, 1000);
    CHECK_EQ("clone-thread-main-unchanged", raw_euid(), 0);
    end_worker(t);
}

/* ---- capset in one thread: it can no longer chown, the other thread still can ---- */
static const char *chown_file = "/tmp/threadcred-chown";
static long worker_chown_errno;
static void drop_chown(void) {
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct d[2];
    syscall(SYS_capget, &h, d);
    d[0].effective &= ~(1u << CAP_CHOWN);
    worker_chown_errno = syscall(SYS_capset, &h, d) == 0 ? 0 : -errno;
    if (worker_chown_errno == 0) worker_chown_errno = chown(chown_file, 1, 1) == 0 ? 0 : errno;
}
static void capset_is_per_thread(void) {
    int fd = open(chown_file, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    close(fd);
    pthread_t t = start_worker(drop_chown);
    CHECK_EQ("capset-thread-cannot-chown", worker_chown_errno, EPERM);
    CHECK_OK("capset-other-thread-can-chown", chown(chown_file, 2, 2));
    struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, worker_tid};
    struct __user_cap_data_struct d[2];
    CHECK_OK("capget-of-tid", syscall(SYS_capget, &h, d));
    CHECK("capget-of-tid-shows-drop", !(d[0].effective & (1u << CAP_CHOWN)) && (d[0].permitted & (1u << CAP_CHOWN)));
    h.pid = 0;
    syscall(SYS_capget, &h, d);
    CHECK("capget-self-keeps-chown", d[0].effective & (1u << CAP_CHOWN));
    h.pid = worker_tid;
    CHECK_ERR("capset-other-thread-eperm", syscall(SYS_capset, &h, d), EPERM);
    end_worker(t);
    unlink(chown_file);
}

/* ---- no_new_privs is per thread ---- */
static long worker_nnp;
static void set_nnp(void) { prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); worker_nnp = prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); }
static void nnp_in_child(void) {
    pthread_t t = start_worker(set_nnp);
    CHECK_EQ("nnp-thread-set", worker_nnp, 1);
    CHECK_EQ("nnp-main-unset", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/status", worker_tid);
    CHECK_EQ("nnp-task-status", status_field(path, "\nNoNewPrivs:"), 1);
    CHECK_EQ("nnp-proc-status-leader", status_field("/proc/self/status", "\nNoNewPrivs:"), 0);
    end_worker(t);
}

/* ---- glibc's setuid changes every thread (SIGSETXID) ---- */
static void glibc_setuid_in_child(void) {
    pthread_t t = start_worker(NULL);
    CHECK_OK("glibc-setuid", setuid(1000));
    char path[64];
    long r, e;
    snprintf(path, sizeof path, "/proc/self/task/%d/status", worker_tid);
    status_uids(path, &r, &e);
    CHECK("glibc-setuid-changes-other-thread", r == 1000 && e == 1000);
    end_worker(t);
}
static long other_thread_uid;
static void glibc_setuid_from_thread(void) { setuid(1000); }
static void glibc_setuid_from_thread_in_child(void) {
    pthread_t t = start_worker(glibc_setuid_from_thread);
    CHECK_EQ("glibc-setuid-from-thread-changes-main", raw_euid(), 1000);
    CHECK_EQ("glibc-setuid-from-thread-changes-main-real", raw_ruid(), 1000);
    status_uids("/proc/self/status", &other_thread_uid, &other_thread_uid);
    CHECK_EQ("glibc-setuid-proc-status", other_thread_uid, 1000);
    end_worker(t);
}

/* ---- a clone(CLONE_FS) child's setuid leaves its parent alone ---- */
static char clone_stack[65536] __attribute__((aligned(16)));
static int clone_fs_child(void *arg) {
    (void)arg;
    raw_setresuid(1000, 1000, 1000);
    return raw_euid() == 1000 ? 0 : 1;
}
static void clone_fs_setuid(void) {
    pid_t c = clone(clone_fs_child, clone_stack + sizeof clone_stack, CLONE_FS | SIGCHLD, NULL);
    int st = -1;
    CHECK("clone-fs", c > 0 && waitpid(c, &st, 0) == c);
    CHECK("clone-fs-child-changed", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_EQ("clone-fs-parent-unchanged", raw_euid(), 0);
    CHECK_EQ("clone-fs-parent-real-unchanged", raw_ruid(), 0);
}

/* ---- execve from a thread: the new program runs with that thread's credentials ---- */
static void exec_from_thread(void) {
    raw_setresuid(-1, 1000, -1);
    char *argv[] = {"threadcred", "print-euid", NULL};
    execv("/proc/self/exe", argv);
    _exit(99);
}
static void exec_in_child(void) {
    pid_t c = fork();
    if (c == 0) {
        pthread_t t = start_worker(exec_from_thread);
        (void)t;
        for (;;) pause();
    }
    int st = 0;
    waitpid(c, &st, 0);
    CHECK_EQ("execve-from-thread-keeps-its-creds", WIFEXITED(st) ? WEXITSTATUS(st) : -1, 10);
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "print-euid") == 0) return raw_euid() == 1000 && raw_ruid() == 0 ? 10 : 11;
    begin("threadcred");
    sem_init(&stepped, 0, 0);
    sem_init(&finish, 0, 0);
    if (geteuid() != 0) { printf("threadcred: must run as root\n"); return 1; }
    raw_setresuid_is_per_thread();
    clone_copies_the_callers();
    capset_is_per_thread();
    checks_in_child(nnp_in_child);
    checks_in_child(glibc_setuid_in_child);
    checks_in_child(glibc_setuid_from_thread_in_child);
    clone_fs_setuid();
    exec_in_child();
    return done();
}
