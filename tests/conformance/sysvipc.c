/* System V IPC: semaphores (semop all-or-nothing, SEM_UNDO, blocking, EINTR, EIDRM), message queues
 * (type selection, E2BIG, MSG_NOERROR, limits, blocking) and shared memory (shared across fork,
 * nattch, IPC_RMID while attached, SHM_RDONLY), with the permission errors of another uid. */
#include "check.h"
#include <signal.h>
#include <time.h>
#include <sys/ipc.h>
#include <sys/sem.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/mman.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; struct seminfo *__buf; };

static key_t base_key;
static void on_alarm(int s) { (void)s; }

static void sleep_ms(int ms) {
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

/* SA_RESTART handler for SIGALRM: semop and msgrcv still fail with EINTR. */
static void arm_alarm_ms(int ms) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { {0, 0}, {0, ms * 1000} };
    setitimer(ITIMER_REAL, &it, NULL);
}

static int sem_key_id;

static void sem_as_other(void) {
    if (setgid(1000) || setuid(1000)) { fail("sem-setuid", "setuid failed"); return; }
    CHECK_ERR("sem-get-eacces", semget(base_key + 1, 0, 0600), EACCES);
    CHECK_EQ("sem-get-nomode", semget(base_key + 1, 0, 0), sem_key_id);
    CHECK_ERR("sem-getval-eacces", semctl(sem_key_id, 0, GETVAL), EACCES);
    struct sembuf op = {0, 1, IPC_NOWAIT};
    CHECK_ERR("sem-op-eacces", semop(sem_key_id, &op, 1), EACCES);
    CHECK_ERR("sem-rmid-eperm", semctl(sem_key_id, 0, IPC_RMID), EPERM);
    struct semid_ds ds;
    CHECK_ERR("sem-set-eperm", semctl(sem_key_id, 0, IPC_SET, (union semun){ .buf = &ds }), EPERM);
    CHECK_ERR("sem-create-excl", semget(base_key + 1, 1, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
}

static void semaphores(void) {
    CHECK_ERR("semget-negative", semget(IPC_PRIVATE, -1, 0600), EINVAL);
    CHECK_ERR("semget-toomany", semget(IPC_PRIVATE, 32001, 0600), EINVAL);
    CHECK_ERR("semget-zero-new", semget(IPC_PRIVATE, 0, 0600), EINVAL);
    CHECK_ERR("semget-enoent", semget(base_key + 2, 1, 0600), ENOENT);
    int id = semget(base_key + 1, 3, IPC_CREAT | IPC_EXCL | 0600);
    CHECK("semget-create", id >= 0);
    sem_key_id = id;
    CHECK_EQ("semget-same", semget(base_key + 1, 2, 0600), id);
    CHECK_ERR("semget-exists", semget(base_key + 1, 3, IPC_CREAT | IPC_EXCL | 0600), EEXIST);
    CHECK_ERR("semget-bigger", semget(base_key + 1, 4, 0600), EINVAL);

    CHECK_EQ("getval-initial", semctl(id, 1, GETVAL), 0);
    CHECK_OK("setval", semctl(id, 1, SETVAL, (union semun){ .val = 5 }));
    CHECK_EQ("getval", semctl(id, 1, GETVAL), 5);
    CHECK_ERR("setval-negative", semctl(id, 1, SETVAL, (union semun){ .val = -1 }), ERANGE);
    CHECK_ERR("setval-toobig", semctl(id, 1, SETVAL, (union semun){ .val = 32768 }), ERANGE);
    CHECK_ERR("getval-semnum", semctl(id, 3, GETVAL), EINVAL);
    CHECK_EQ("getpid-setval", semctl(id, 1, GETPID), getpid());
    unsigned short all[3] = {1, 2, 3}, got[3] = {0};
    CHECK_OK("setall", semctl(id, 0, SETALL, (union semun){ .array = all }));
    CHECK_OK("getall", semctl(id, 0, GETALL, (union semun){ .array = got }));
    CHECK("getall-values", got[0] == 1 && got[1] == 2 && got[2] == 3);
    CHECK_ERR("getall-efault", syscall(SYS_semctl, id, 0, GETALL, BADPTR), EFAULT);
    CHECK_ERR("semctl-badcmd", semctl(id, 0, 99), EINVAL);
    CHECK_ERR("semctl-badid", semctl(id + 1, 0, GETVAL), EINVAL);

    /* semop is all or nothing. */
    struct sembuf two[2] = {{0, -1, IPC_NOWAIT}, {1, -5, IPC_NOWAIT}};
    CHECK_ERR("semop-nowait", semop(id, two, 2), EAGAIN);
    CHECK_EQ("semop-nothing-done", semctl(id, 0, GETVAL), 1);
    two[1].sem_op = -2;
    CHECK_OK("semop-both", semop(id, two, 2));
    CHECK("semop-both-values", semctl(id, 0, GETVAL) == 0 && semctl(id, 1, GETVAL) == 0);
    CHECK_EQ("semop-getpid", semctl(id, 0, GETPID), getpid());
    CHECK_ERR("semop-zero-ops", semop(id, two, 0), EINVAL);
    CHECK_ERR("semop-e2big", syscall(SYS_semop, id, two, 501), E2BIG);
    struct sembuf far = {7, 1, 0};
    CHECK_ERR("semop-efbig", semop(id, &far, 1), EFBIG);
    CHECK_ERR("semop-efault", syscall(SYS_semop, id, BADPTR, 1), EFAULT);
    struct sembuf range[2] = {{2, 32767, 0}, {2, 1, 0}};
    CHECK_ERR("semop-erange", semop(id, range, 2), ERANGE);
    struct sembuf zero = {2, 0, IPC_NOWAIT};
    CHECK_ERR("semop-waitzero-nowait", semop(id, &zero, 1), EAGAIN);
    struct sembuf down = {0, -1, 0};
    struct timespec ten = {0, 10000000};
    CHECK_ERR("semtimedop-timeout", semtimedop(id, &down, 1, &ten), EAGAIN);
    struct timespec bad = {0, 1000000000};
    CHECK_ERR("semtimedop-einval", semtimedop(id, &down, 1, &bad), EINVAL);

    /* Blocking: a child sees the sleeper in GETNCNT, then wakes it. */
    pid_t c = fork();
    if (c == 0) {
        for (int i = 0; i < 200 && semctl(id, 0, GETNCNT) != 1; i++) sleep_ms(5);
        int n = semctl(id, 0, GETNCNT);
        struct sembuf up = {0, 1, 0};
        semop(id, &up, 1);
        _exit(n == 1 ? 0 : 1);
    }
    CHECK_OK("semop-blocks", semop(id, &down, 1));
    int st;
    waitpid(c, &st, 0);
    CHECK("semop-ncnt", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_EQ("semop-woken-value", semctl(id, 0, GETVAL), 0);

    /* A signal ends the wait with EINTR even with SA_RESTART. */
    arm_alarm_ms(30);
    CHECK_ERR("semop-eintr", semop(id, &down, 1), EINTR);
    CHECK_EQ("semop-ncnt-after", semctl(id, 0, GETNCNT), 0);

    /* SEM_UNDO: a child's operations are undone when it exits. */
    semctl(id, 0, SETVAL, (union semun){ .val = 2 });
    c = fork();
    if (c == 0) {
        struct sembuf ops[2] = {{0, -1, SEM_UNDO}, {1, 3, SEM_UNDO}};
        _exit(semop(id, ops, 2) == 0 && semctl(id, 0, GETVAL) == 1 ? 0 : 1);
    }
    waitpid(c, &st, 0);
    CHECK("undo-child", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_EQ("undo-restored-0", semctl(id, 0, GETVAL), 2);
    CHECK_EQ("undo-restored-1", semctl(id, 1, GETVAL), 0);
    CHECK_EQ("undo-pid", semctl(id, 0, GETPID), c);

    /* IPC_STAT, IPC_SET, IPC_INFO, SEM_STAT. */
    struct semid_ds ds;
    CHECK_OK("sem-stat", semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
    CHECK("sem-stat-fields", ds.sem_nsems == 3 && (ds.sem_perm.mode & 0777) == 0600 && ds.sem_perm.uid == geteuid()
          && ds.sem_perm.cuid == geteuid() && ds.sem_perm.__key == base_key + 1 && ds.sem_otime != 0);
    CHECK_ERR("sem-stat-efault", syscall(SYS_semctl, id, 0, IPC_STAT, BADPTR), EFAULT);
    ds.sem_perm.mode = 0644;
    CHECK_OK("sem-set", semctl(id, 0, IPC_SET, (union semun){ .buf = &ds }));
    CHECK_OK("sem-stat2", semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds }));
    CHECK_EQ("sem-set-mode", ds.sem_perm.mode & 0777, 0644);
    ds.sem_perm.mode = 0600;
    semctl(id, 0, IPC_SET, (union semun){ .buf = &ds });
    struct seminfo si;
    CHECK("sem-info", semctl(0, 0, IPC_INFO, (union semun){ .__buf = &si }) >= 0 && si.semmsl == 32000
          && si.semopm == 500 && si.semvmx == 32767 && si.semmni == 32000);
    CHECK_EQ("sem-stat-index", semctl(id % 32768, 0, SEM_STAT, (union semun){ .buf = &ds }), id);

    checks_in_child(sem_as_other);

    /* IPC_RMID wakes a sleeper with EIDRM. */
    c = fork();
    if (c == 0) {
        struct sembuf d = {0, -5, 0};
        _exit(semop(id, &d, 1) == -1 && errno == EIDRM ? 0 : 1);
    }
    for (int i = 0; i < 200 && semctl(id, 0, GETNCNT) != 1; i++) sleep_ms(5);
    CHECK_OK("sem-rmid", semctl(id, 0, IPC_RMID));
    waitpid(c, &st, 0);
    CHECK("sem-eidrm", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_ERR("sem-gone", semctl(id, 0, GETVAL), EINVAL);
    CHECK_ERR("sem-gone-key", semget(base_key + 1, 0, 0), ENOENT);
}

struct msg { long type; char text[64]; };

static int msg_key_id;
static void msg_as_other(void) {
    if (setgid(1000) || setuid(1000)) { fail("msg-setuid", "setuid failed"); return; }
    struct msg m = {1, "x"};
    CHECK_ERR("msg-snd-eacces", msgsnd(msg_key_id, &m, 1, IPC_NOWAIT), EACCES);
    CHECK_ERR("msg-rcv-eacces", msgrcv(msg_key_id, &m, 64, 0, IPC_NOWAIT), EACCES);
    CHECK_ERR("msg-rmid-eperm", msgctl(msg_key_id, IPC_RMID, NULL), EPERM);
    struct msqid_ds ds;
    CHECK_ERR("msg-stat-eacces", msgctl(msg_key_id, IPC_STAT, &ds), EACCES);
}

static void messages(void) {
    int id = msgget(base_key + 3, IPC_CREAT | 0600);
    CHECK("msgget", id >= 0);
    msg_key_id = id;
    CHECK_EQ("msgget-same", msgget(base_key + 3, 0), id);
    struct msg m = {0, "zero"};
    CHECK_ERR("msgsnd-type0", msgsnd(id, &m, 4, 0), EINVAL);
    m.type = 1;
    CHECK_ERR("msgsnd-toobig", msgsnd(id, &m, 8193, 0), EINVAL);
    CHECK_ERR("msgsnd-efault", syscall(SYS_msgsnd, id, BADPTR, 4, 0), EFAULT);
    CHECK_ERR("msgsnd-badid", msgsnd(id + 1, &m, 4, 0), EINVAL);
    const long types[4] = {3, 1, 2, 1};
    const char *texts[4] = {"three", "one", "two", "uno"};
    for (int i = 0; i < 4; i++) {
        m.type = types[i];
        strcpy(m.text, texts[i]);
        CHECK_OK("msgsnd", msgsnd(id, &m, strlen(texts[i]) + 1, 0));
    }
    struct msqid_ds ds;
    CHECK_OK("msg-stat", msgctl(id, IPC_STAT, &ds));
    CHECK("msg-stat-fields", ds.msg_qnum == 4 && ds.__msg_cbytes == 18 && ds.msg_qbytes == 16384
          && ds.msg_lspid == getpid() && ds.msg_lrpid == 0 && ds.msg_stime != 0 && (ds.msg_perm.mode & 0777) == 0600);
    struct msg r;
    CHECK_EQ("msgrcv-type", msgrcv(id, &r, 64, 2, 0), 4);
    CHECK("msgrcv-type-text", r.type == 2 && strcmp(r.text, "two") == 0);
    CHECK_EQ("msgrcv-lowest", msgrcv(id, &r, 64, -2, 0), 4);
    CHECK("msgrcv-lowest-text", r.type == 1 && strcmp(r.text, "one") == 0);
    CHECK_EQ("msgrcv-except", msgrcv(id, &r, 64, 3, MSG_EXCEPT), 4);
    CHECK("msgrcv-except-text", r.type == 1 && strcmp(r.text, "uno") == 0);
    CHECK_ERR("msgrcv-e2big", msgrcv(id, &r, 3, 0, 0), E2BIG);
    CHECK_ERR("msgrcv-copy-wait", msgrcv(id, &r, 64, 0, MSG_COPY), EINVAL);
    CHECK_EQ("msgrcv-copy", msgrcv(id, &r, 64, 0, MSG_COPY | IPC_NOWAIT), 6);
    CHECK_ERR("msgrcv-copy-none", msgrcv(id, &r, 64, 1, MSG_COPY | IPC_NOWAIT), ENOMSG);
    memset(&r, 0, sizeof r);
    CHECK_EQ("msgrcv-noerror", msgrcv(id, &r, 3, 0, MSG_NOERROR), 3);
    CHECK("msgrcv-noerror-text", r.type == 3 && memcmp(r.text, "thr", 3) == 0 && r.text[3] == 0);
    CHECK_ERR("msgrcv-enomsg", msgrcv(id, &r, 64, 0, IPC_NOWAIT), ENOMSG);
    CHECK_ERR("msgrcv-negative-size", syscall(SYS_msgrcv, id, &r, -1L, 0, IPC_NOWAIT), EINVAL);
    CHECK_OK("msg-stat2", msgctl(id, IPC_STAT, &ds));
    CHECK("msg-stat2-fields", ds.msg_qnum == 0 && ds.__msg_cbytes == 0 && ds.msg_lrpid == getpid());

    /* A full queue: EAGAIN with IPC_NOWAIT. */
    ds.msg_qbytes = 100;
    CHECK_OK("msg-set-qbytes", msgctl(id, IPC_SET, &ds));
    char big[sizeof(long) + 60];
    memset(big, 'a', sizeof big);
    *(long *)big = 5;
    CHECK_OK("msgsnd-60", msgsnd(id, big, 60, IPC_NOWAIT));
    CHECK_ERR("msgsnd-full", msgsnd(id, big, 60, IPC_NOWAIT), EAGAIN);
    CHECK_EQ("msgrcv-60", msgrcv(id, big, 60, 5, 0), 60);

    /* Blocking receive woken by a child's send. */
    pid_t c = fork();
    if (c == 0) {
        sleep_ms(30);
        struct msg w = {9, "wake"};
        _exit(msgsnd(id, &w, 5, 0) == 0 ? 0 : 1);
    }
    CHECK_EQ("msgrcv-blocks", msgrcv(id, &r, 64, 9, 0), 5);
    int st;
    waitpid(c, &st, 0);
    CHECK("msgrcv-blocks-text", strcmp(r.text, "wake") == 0 && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    arm_alarm_ms(30);
    CHECK_ERR("msgrcv-eintr", msgrcv(id, &r, 64, 0, 0), EINTR);

    struct msginfo mi;
    CHECK("msg-info", msgctl(0, IPC_INFO, (struct msqid_ds *)&mi) >= 0 && mi.msgmax == 8192 && mi.msgmnb == 16384
          && mi.msgmni == 32000);
    CHECK_EQ("msg-stat-index", msgctl(id % 32768, MSG_STAT, &ds), id);
    checks_in_child(msg_as_other);

    c = fork();
    if (c == 0) _exit(msgrcv(id, &r, 64, 0, 0) == -1 && errno == EIDRM ? 0 : 1);
    sleep_ms(50);
    CHECK_OK("msg-rmid", msgctl(id, IPC_RMID, NULL));
    waitpid(c, &st, 0);
    CHECK("msg-eidrm", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_ERR("msg-gone", msgsnd(id, &m, 1, 0), EINVAL);
}

static int maps_has_sysv(key_t key) {
    char want[32], line[512];
    snprintf(want, sizeof want, "/SYSV%08x (deleted)", (unsigned)key);
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return 0;
    int found = 0;
    while (fgets(line, sizeof line, f)) if (strstr(line, want)) found = 1;
    fclose(f);
    return found;
}

static int shm_key_id;
static void shm_as_other(void) {
    if (setgid(1000) || setuid(1000)) { fail("shm-setuid", "setuid failed"); return; }
    CHECK_ERR("shmat-eacces", (long)shmat(shm_key_id, NULL, 0), EACCES);
    CHECK_ERR("shmget-eacces", shmget(base_key + 4, 0, 0600), EACCES);
    CHECK_ERR("shm-rmid-eperm", shmctl(shm_key_id, IPC_RMID, NULL), EPERM);
}

static void shared_memory(void) {
    CHECK_ERR("shmget-zero", shmget(IPC_PRIVATE, 0, 0600), EINVAL);
    int id = shmget(base_key + 4, 10000, IPC_CREAT | 0600);
    CHECK("shmget", id >= 0);
    shm_key_id = id;
    CHECK_ERR("shmget-bigger", shmget(base_key + 4, 20000, 0600), EINVAL);
    CHECK_EQ("shmget-smaller", shmget(base_key + 4, 100, 0600), id);
    CHECK_ERR("shmat-remap-null", (long)shmat(id, NULL, SHM_REMAP), EINVAL);
    CHECK_ERR("shmat-unaligned", (long)shmat(id, (void *)0x10001, 0), EINVAL);
    CHECK_ERR("shmat-badid", (long)shmat(id + 1, NULL, 0), EINVAL);
    char *p = shmat(id, NULL, 0);
    CHECK("shmat", p != (char *)-1);
    if (p == (char *)-1) return;
    CHECK("shm-zeroed", p[0] == 0 && p[9999] == 0);
    strcpy(p, "parent");
    CHECK("shm-maps", maps_has_sysv(base_key + 4));
    struct shmid_ds ds;
    CHECK_OK("shm-stat", shmctl(id, IPC_STAT, &ds));
    CHECK("shm-stat-fields", ds.shm_segsz == 10000 && ds.shm_nattch == 1 && ds.shm_cpid == getpid()
          && ds.shm_lpid == getpid() && ds.shm_atime != 0 && (ds.shm_perm.mode & 0777) == 0600);

    pid_t c = fork();
    if (c == 0) {
        struct shmid_ds d;
        int ok = strcmp(p, "parent") == 0 && shmctl(id, IPC_STAT, &d) == 0 && d.shm_nattch == 2;
        strcpy(p, "child");
        char *q = shmat(id, NULL, SHM_RDONLY);
        ok = ok && q != (char *)-1 && strcmp(q, "child") == 0;
        _exit(ok ? 0 : 1);
    }
    int st;
    waitpid(c, &st, 0);
    CHECK("shm-fork", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK("shm-child-wrote", strcmp(p, "child") == 0);
    CHECK_OK("shm-stat-after-exit", shmctl(id, IPC_STAT, &ds));
    CHECK_EQ("shm-nattch-after-exit", ds.shm_nattch, 1);

    /* SHM_RDONLY: writing faults. */
    c = fork();
    if (c == 0) {
        char *q = shmat(id, NULL, SHM_RDONLY);
        if (q == (char *)-1) _exit(2);
        q[0] = 'x';
        _exit(0);
    }
    waitpid(c, &st, 0);
    CHECK("shm-rdonly-segv", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);

    /* SHM_RND and a fixed address; SHM_REMAP over it. */
    char *fixed = mmap(NULL, 4 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_ERR("shmat-occupied", (long)shmat(id, fixed, 0), EINVAL);
    char *q = shmat(id, fixed + 1, SHM_RND | SHM_REMAP);
    CHECK("shmat-rnd-remap", q == fixed && strcmp(q, "child") == 0);
    CHECK_ERR("shmdt-unaligned", shmdt(q + 1), EINVAL);
    CHECK_ERR("shmdt-not-shm", shmdt(fixed + 3 * 4096), EINVAL);
    CHECK_OK("shmdt-fixed", shmdt(q));

    CHECK_ERR("shm-set-efault", syscall(SYS_shmctl, id, IPC_SET, BADPTR), EFAULT);
    struct shminfo info;
    CHECK("shm-info", shmctl(0, IPC_INFO, (struct shmid_ds *)&info) >= 0 && info.shmmni == 4096 && info.shmmin == 1);
    CHECK_EQ("shm-stat-index", shmctl(id % 32768, SHM_STAT, &ds), id);
    checks_in_child(shm_as_other);

    /* IPC_RMID while attached: the segment stays, private and marked, until the last detach. */
    CHECK_OK("shm-rmid", shmctl(id, IPC_RMID, NULL));
    CHECK_OK("shm-stat-dest", shmctl(id, IPC_STAT, &ds));
    CHECK("shm-dest-mode", (ds.shm_perm.mode & 01000) && ds.shm_perm.__key == 0 && ds.shm_nattch == 1);
    CHECK_ERR("shm-key-gone", shmget(base_key + 4, 0, 0), ENOENT);
    CHECK("shm-still-there", strcmp(p, "child") == 0);
    CHECK_OK("shmdt", shmdt(p));
    CHECK_ERR("shm-gone", shmctl(id, IPC_STAT, &ds), EINVAL);
    CHECK_ERR("shmdt-again", shmdt(p), EINVAL);

    /* A segment removed with no attach goes at once. */
    int id2 = shmget(IPC_PRIVATE, 4096, 0600);
    CHECK_OK("shm-rmid-unattached", shmctl(id2, IPC_RMID, NULL));
    CHECK_ERR("shm-rmid-gone", shmctl(id2, IPC_STAT, &ds), EINVAL);
}

static int read_text(const char *path, char *buf, size_t n) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t r = read(fd, buf, n - 1);
    close(fd);
    if (r < 0) return -1;
    buf[r] = 0;
    return (int)r;
}

static int write_text(const char *path, const char *text) {
    int fd = open(path, O_WRONLY);
    if (fd < 0) return -1;
    ssize_t r = write(fd, text, strlen(text));
    close(fd);
    return r < 0 ? -1 : 0;
}

/* The limits in /proc/sys/kernel and the tables in /proc/sysvipc. */
static void proc_files(void) {
    char buf[4096];
    CHECK("proc-sem", read_text("/proc/sys/kernel/sem", buf, sizeof buf) > 0 && strcmp(buf, "32000\t1024000000\t500\t32000\n") == 0);
    CHECK("proc-msgmax", read_text("/proc/sys/kernel/msgmax", buf, sizeof buf) > 0 && strcmp(buf, "8192\n") == 0);
    CHECK("proc-msgmnb", read_text("/proc/sys/kernel/msgmnb", buf, sizeof buf) > 0 && strcmp(buf, "16384\n") == 0);
    CHECK("proc-msgmni", read_text("/proc/sys/kernel/msgmni", buf, sizeof buf) > 0 && strcmp(buf, "32000\n") == 0);
    CHECK("proc-shmmni", read_text("/proc/sys/kernel/shmmni", buf, sizeof buf) > 0 && strcmp(buf, "4096\n") == 0);
    CHECK("proc-shmmax", read_text("/proc/sys/kernel/shmmax", buf, sizeof buf) > 0 && strcmp(buf, "18446744073692774399\n") == 0);
    CHECK("proc-shmall", read_text("/proc/sys/kernel/shmall", buf, sizeof buf) > 0 && strcmp(buf, "18446744073692774399\n") == 0);
    /* A smaller msgmnb is what a new queue gets. */
    CHECK_OK("proc-msgmnb-write", write_text("/proc/sys/kernel/msgmnb", "1000\n"));
    int q = msgget(IPC_PRIVATE, 0600);
    struct msqid_ds ds;
    CHECK("proc-msgmnb-used", q >= 0 && msgctl(q, IPC_STAT, &ds) == 0 && ds.msg_qbytes == 1000);
    CHECK_OK("proc-msgmnb-restore", write_text("/proc/sys/kernel/msgmnb", "16384\n"));
    char line[64];
    snprintf(line, sizeof line, "%10d %10d   600", base_key + 5, q);
    int s = semget(base_key + 5, 2, IPC_CREAT | 0600);
    char want[64];
    snprintf(want, sizeof want, "%10d %10d   600          2 ", base_key + 5, s);
    CHECK("proc-sysvipc-sem", read_text("/proc/sysvipc/sem", buf, sizeof buf) > 0
          && strncmp(buf, "       key      semid perms      nsems   uid   gid  cuid  cgid      otime      ctime\n", 85) == 0
          && strstr(buf, want) != NULL);
    snprintf(want, sizeof want, "%10d %10d   600           0          0 ", 0, q);
    CHECK("proc-sysvipc-msg", read_text("/proc/sysvipc/msg", buf, sizeof buf) > 0 && strstr(buf, want) != NULL);
    CHECK("proc-sysvipc-shm", read_text("/proc/sysvipc/shm", buf, sizeof buf) > 0
          && strncmp(buf, "       key      shmid perms                  size  cpid", 55) == 0);
    semctl(s, 0, IPC_RMID);
    msgctl(q, IPC_RMID, NULL);
    (void)line;
}

int main(void) {
    begin("sysvipc");
    base_key = 0x4c490000 + (getpid() & 0xfff) * 8;
    proc_files();
    semaphores();
    messages();
    shared_memory();
    return done();
}
