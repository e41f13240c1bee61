/* /proc/PID/fdinfo/N (proc(5)): pos, flags (octal, with O_CLOEXEC from the descriptor), mnt_id, ino, and
 * the lines eventfd, epoll, inotify, signalfd, timerfd, pidfd and AF_UNIX sockets add, compared with
 * what fstat, F_GETFL and /proc/self/mountinfo say. The directory lists the open descriptors, and other
 * users' processes are refused as for /proc/PID/fd. */
#include "check.h"
#include <dirent.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>

/* The kernel's O_LARGEFILE on arm64 (glibc defines O_LARGEFILE as 0 on 64-bit). */
#define K_O_LARGEFILE 0400000

static char info[4096];

/* fdinfo of `fd` into info (empty on failure). */
static const char *fdinfo(int fd) {
    char p[64];
    snprintf(p, sizeof p, "/proc/self/fdinfo/%d", fd);
    info[0] = 0;
    int f = open(p, O_RDONLY);
    if (f < 0) return info;
    int n = read(f, info, sizeof info - 1);
    close(f);
    info[n > 0 ? n : 0] = 0;
    return info;
}

/* The value after "name" in info (a line start), as text up to the end of the line. */
static const char *field(const char *name) {
    static char v[512];
    v[0] = 0;
    size_t n = strlen(name);
    for (const char *l = info; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
        if (strncmp(l, name, n) == 0) {
            const char *e = strchr(l + n, '\n');
            size_t k = e ? (size_t)(e - l - n) : strlen(l + n);
            if (k >= sizeof v) k = sizeof v - 1;
            memcpy(v, l + n, k);
            v[k] = 0;
            return v;
        }
    }
    return NULL;
}

static long num(const char *name, int base) {
    const char *v = field(name);
    return v ? strtol(v, NULL, base) : -12345;
}

static int has_line(const char *line) {
    size_t n = strlen(line);
    for (const char *l = info; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
        if (strncmp(l, line, n) == 0 && (l[n] == '\n' || l[n] == ' ')) return 1;
    return 0;
}

/* The mount id of the mount at `point` in /proc/self/mountinfo. */
static long mount_id(const char *point) {
    static char b[8192];
    int f = open("/proc/self/mountinfo", O_RDONLY);
    if (f < 0) return -1;
    int n = read(f, b, sizeof b - 1);
    close(f);
    b[n > 0 ? n : 0] = 0;
    long id = -1;
    for (char *l = strtok(b, "\n"); l; l = strtok(NULL, "\n")) {
        long i; char mp[256];
        if (sscanf(l, "%ld %*d %*s %*s %255s", &i, mp) == 2 && strcmp(mp, point) == 0) id = i;
    }
    return id;
}

static unsigned long kdev(dev_t d) { return (unsigned long)major(d) << 20 | minor(d); }

static void common(const char *what, int fd) {
    char name[64];
    struct stat st;
    fstat(fd, &st);
    fdinfo(fd);
    snprintf(name, sizeof name, "%s-ino", what);
    CHECK_EQ(name, num("ino:\t", 10), (long)st.st_ino);
    snprintf(name, sizeof name, "%s-flags", what);
    long want = fcntl(fd, F_GETFL) | (fcntl(fd, F_GETFD) & FD_CLOEXEC ? O_CLOEXEC : 0);
    CHECK_EQ(name, num("flags:\t", 8) & ~K_O_LARGEFILE, want & ~K_O_LARGEFILE);
    snprintf(name, sizeof name, "%s-flags-octal", what);
    CHECK(name, field("flags:\t") && field("flags:\t")[0] == '0');
    snprintf(name, sizeof name, "%s-pos", what);
    CHECK_EQ(name, num("pos:\t", 10), lseek(fd, 0, SEEK_CUR) < 0 ? 0 : lseek(fd, 0, SEEK_CUR));
}

static void as_nobody(void) {
    CHECK_OK("nobody-setuid", setuid(65534));
    char p[64];
    snprintf(p, sizeof p, "/proc/%d/fdinfo/0", getppid());
    CHECK_ERR("nobody-other-fdinfo", open(p, O_RDONLY), EACCES);
    CHECK_OK("nobody-own-fdinfo", open("/proc/self/fdinfo/0", O_RDONLY));
}

int main(void) {
    begin("fdinfo");
    char line[256];

    int f = open("/t/fdinfo", O_RDONLY);
    CHECK_OK("file-open", f);
    lseek(f, 5, SEEK_SET);
    common("file", f);
    CHECK_EQ("file-pos-5", num("pos:\t", 10), 5);
    CHECK_EQ("file-flags-rdonly", num("flags:\t", 8) & ~K_O_LARGEFILE, 0);
    CHECK_EQ("file-mnt-id", num("mnt_id:\t", 10), mount_id("/"));
    CHECK("file-four-lines", field("ino:\t") && strchr(strstr(info, "ino:\t"), '\n')[1] == 0);

    int d = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    common("dir", d);
    CHECK_EQ("dir-flags", num("flags:\t", 8) & ~K_O_LARGEFILE, O_DIRECTORY | O_CLOEXEC);
    fcntl(d, F_SETFD, 0);
    fdinfo(d);
    CHECK_EQ("dir-flags-no-cloexec", num("flags:\t", 8) & ~K_O_LARGEFILE, O_DIRECTORY);

    int e = eventfd(5, EFD_NONBLOCK);
    common("eventfd", e);
    CHECK_EQ("eventfd-flags-value", num("flags:\t", 8), O_RDWR | O_NONBLOCK);
    CHECK_EQ("eventfd-count", num("eventfd-count: ", 16), 5);
    CHECK("eventfd-count-width", field("eventfd-count: ") && strcmp(field("eventfd-count: "), "               5") == 0);
    CHECK("eventfd-id", field("eventfd-id: ") != NULL);
    uint64_t one = 1;
    write(e, &one, 8);
    fdinfo(e);
    CHECK_EQ("eventfd-count-6", num("eventfd-count: ", 16), 6);

    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event ev = {EPOLLIN | EPOLLET, {.u64 = 0x1234}};
    CHECK_OK("epoll-add", epoll_ctl(ep, EPOLL_CTL_ADD, e, &ev));
    common("epoll", ep);
    CHECK_EQ("epoll-flags-value", num("flags:\t", 8), O_RDWR | O_CLOEXEC);
    struct stat est;
    fstat(e, &est);
    snprintf(line, sizeof line, "tfd: %8d events: %8x data: %16llx  pos:0 ino:%lx sdev:%lx", e, 0x80000019u, 0x1234ull,
             (unsigned long)est.st_ino, kdev(est.st_dev));
    CHECK("epoll-tfd-line", has_line(line));
    ev.events = EPOLLOUT | EPOLLONESHOT;
    ev.data.u64 = 7;
    CHECK_OK("epoll-mod", epoll_ctl(ep, EPOLL_CTL_MOD, e, &ev));
    fdinfo(ep);
    snprintf(line, sizeof line, "tfd: %8d events: %8x data: %16llx ", e, 0x4000001cu, 7ull);
    CHECK("epoll-tfd-mod", strstr(info, line) != NULL);
    struct epoll_event out;
    CHECK_EQ("epoll-oneshot-fires", epoll_wait(ep, &out, 1, 0), 1);
    fdinfo(ep);
    snprintf(line, sizeof line, "tfd: %8d events: %8x data: %16llx ", e, 0x40000000u, 7ull);
    CHECK("epoll-tfd-fired", strstr(info, line) != NULL);

    int in = inotify_init1(IN_NONBLOCK);
    int w1 = inotify_add_watch(in, "/t", IN_CREATE | IN_DELETE);
    int w2 = inotify_add_watch(in, "/", IN_ALL_EVENTS | IN_ONESHOT);
    common("inotify", in);
    CHECK_EQ("inotify-flags-value", num("flags:\t", 8), O_RDONLY | O_NONBLOCK);
    struct stat tst, rst;
    stat("/t", &tst);
    stat("/", &rst);
    snprintf(line, sizeof line, "inotify wd:%x ino:%lx sdev:%lx mask:300 ignored_mask:0", w1, (unsigned long)tst.st_ino, kdev(tst.st_dev));
    CHECK("inotify-wd1", has_line(line));
    snprintf(line, sizeof line, "inotify wd:%x ino:%lx sdev:%lx mask:80000fff ignored_mask:0", w2, (unsigned long)rst.st_ino, kdev(rst.st_dev));
    CHECK("inotify-wd2", has_line(line));
    inotify_rm_watch(in, w1);
    fdinfo(in);
    CHECK("inotify-rm", strstr(info, "ino:") && !strstr(info, "mask:300"));

    sigset_t ss;
    sigemptyset(&ss);
    sigaddset(&ss, SIGUSR1);
    sigaddset(&ss, SIGINT);
    int sf = signalfd(-1, &ss, SFD_CLOEXEC);
    common("signalfd", sf);
    CHECK("signalfd-sigmask", field("sigmask:\t") && strcmp(field("sigmask:\t"), "0000000000000202") == 0);

    int tf = timerfd_create(CLOCK_MONOTONIC, 0);
    struct itimerspec its = {{1, 500}, {100, 0}};
    timerfd_settime(tf, 0, &its, NULL);
    common("timerfd", tf);
    CHECK_EQ("timerfd-clockid", num("clockid: ", 10), CLOCK_MONOTONIC);
    CHECK_EQ("timerfd-ticks", num("ticks: ", 10), 0);
    CHECK("timerfd-settime-flags", field("settime flags: ") && strcmp(field("settime flags: "), "00") == 0);
    long sec = -1, ns = -1;
    if (field("it_value: ")) sscanf(field("it_value: "), "(%ld, %ld)", &sec, &ns);
    CHECK("timerfd-it-value", (sec == 99 && ns > 0) || (sec == 100 && ns == 0));
    CHECK("timerfd-it-interval", field("it_interval: ") && strcmp(field("it_interval: "), "(1, 500)") == 0);
    int tr = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
    fdinfo(tr);
    CHECK("timerfd-idle", strstr(info, "clockid: 0\nticks: 0\nsettime flags: 00\nit_value: (0, 0)\nit_interval: (0, 0)\n") != NULL);
    struct itimerspec abs = {{0, 0}, {0, 1}};
    timerfd_settime(tr, TFD_TIMER_ABSTIME, &abs, NULL);
    fdinfo(tr);
    CHECK("timerfd-abstime-flags", field("settime flags: ") && strcmp(field("settime flags: "), "01") == 0);

    int pf = syscall(SYS_pidfd_open, getpid(), 0);
    common("pidfd", pf);
    snprintf(line, sizeof line, "Pid:\t%d\nNSpid:\t%d\n", getpid(), getpid());
    CHECK("pidfd-pid", strstr(info, line) != NULL);
    pid_t c = fork();
    if (c == 0) _exit(0);
    int cf = syscall(SYS_pidfd_open, c, 0);
    waitpid(c, NULL, 0);
    fdinfo(cf);
    CHECK("pidfd-reaped", strstr(info, "Pid:\t-1\nNSpid:\t-1\n") != NULL);

    int pp[2];
    pipe2(pp, O_NONBLOCK);
    common("pipe-r", pp[0]);
    CHECK_EQ("pipe-r-flags", num("flags:\t", 8), O_RDONLY | O_NONBLOCK);
    common("pipe-w", pp[1]);
    CHECK_EQ("pipe-w-flags", num("flags:\t", 8), O_WRONLY | O_NONBLOCK);

    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    common("socket", sv[0]);
    CHECK_EQ("socket-flags", num("flags:\t", 8), O_RDWR);
    CHECK_EQ("socket-scm-fds-0", num("scm_fds: ", 10), 0);
    char cb[CMSG_SPACE(2 * sizeof(int))], x = 'x';
    struct iovec iov = {&x, 1};
    struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb, .msg_controllen = sizeof cb};
    struct cmsghdr *h = CMSG_FIRSTHDR(&m);
    h->cmsg_level = SOL_SOCKET; h->cmsg_type = SCM_RIGHTS; h->cmsg_len = CMSG_LEN(2 * sizeof(int));
    int two[2] = {pp[0], pp[1]};
    memcpy(CMSG_DATA(h), two, sizeof two);
    CHECK_EQ("socket-sendmsg", sendmsg(sv[1], &m, 0), 1);
    fdinfo(sv[0]);
    CHECK_EQ("socket-scm-fds-2", num("scm_fds: ", 10), 2);
    fdinfo(sv[1]);
    CHECK_EQ("socket-scm-fds-sender", num("scm_fds: ", 10), 0);
    char back;
    CHECK_EQ("socket-read-drops", read(sv[0], &back, 1), 1);
    fdinfo(sv[0]);
    CHECK_EQ("socket-scm-fds-read", num("scm_fds: ", 10), 0);

    /* The directory lists exactly the descriptors of /proc/self/fd. */
    char a[2048] = "", b[2048] = "";
    const char *dirs[2] = {"/proc/self/fd", "/proc/self/fdinfo"};
    char *outs[2] = {a, b};
    for (int i = 0; i < 2; i++) {
        DIR *dp = opendir(dirs[i]);
        struct dirent *de;
        int mine = dp ? dirfd(dp) : -1;
        while (dp && (de = readdir(dp))) {
            if (de->d_name[0] == '.' || atoi(de->d_name) == mine) continue;
            strcat(outs[i], de->d_name);
            strcat(outs[i], " ");
        }
        if (dp) closedir(dp);
    }
    CHECK("dir-lists-fds", a[0] && strcmp(a, b) == 0);
    CHECK_ERR("closed-fd", open("/proc/self/fdinfo/999", O_RDONLY), ENOENT);
    struct stat ds;
    CHECK_OK("dir-stat", stat("/proc/self/fdinfo", &ds));
    CHECK("dir-is-dir", S_ISDIR(ds.st_mode));
    CHECK_EQ("dir-mode", ds.st_mode & 07777, 0555);
    CHECK_OK("entry-stat", stat("/proc/self/fdinfo/0", &ds));
    CHECK_EQ("entry-mode", ds.st_mode & 07777, 0444);
    CHECK("entry-regular", S_ISREG(ds.st_mode));
    if (geteuid() == 0) checks_in_child(as_nobody);
    return done();
}
