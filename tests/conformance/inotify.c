/* inotify: inotify_init1 flags, add/rm watch rules (same wd for the same inode, IN_MASK_CREATE,
 * IN_ONLYDIR, IN_DONT_FOLLOW), the events of file and namespace operations with names and rename
 * cookies, IN_ONESHOT, IN_DELETE_SELF/IN_IGNORED, coalescing, short reads (EINVAL), FIONREAD,
 * poll/epoll readiness, queue overflow against /proc/sys/fs/inotify/max_queued_events. */
#include "check.h"
#include <poll.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

static char dir[64], paths[2][128];
static int next_path;
/* dir/name, in one of two buffers (rename takes two at once). */
static const char *at(const char *name) {
    char *p = paths[next_path ^= 1];
    snprintf(p, 128, "%s/%s", dir, name);
    return p;
}

struct ev { int wd; uint32_t mask, cookie; char name[32]; };
static struct ev evs[64];
static char sb[16];
static char *small_buf(void) { return sb; }

/* Reads every queued event (non-blocking fd); returns how many. */
static int drain(int fd) {
    char buf[4096] __attribute__((aligned(8)));
    int n = 0;
    for (;;) {
        ssize_t r = read(fd, buf, sizeof buf);
        if (r <= 0) return n;
        for (char *p = buf; p < buf + r && n < 64;) {
            struct inotify_event *e = (struct inotify_event *)p;
            evs[n].wd = e->wd; evs[n].mask = e->mask; evs[n].cookie = e->cookie;
            snprintf(evs[n].name, sizeof evs[n].name, "%s", e->len ? e->name : "");
            n++;
            p += sizeof *e + e->len;
        }
    }
}

static int is(int i, int wd, uint32_t mask, const char *name) {
    return evs[i].wd == wd && evs[i].mask == mask && strcmp(evs[i].name, name) == 0;
}

static void show(int n) {
    for (int i = 0; i < n; i++) printf("  event %d: wd %d mask %#x cookie %u name '%s'\n", i, evs[i].wd, evs[i].mask, evs[i].cookie, evs[i].name);
}

static void api(void) {
    CHECK_ERR("init-bad-flags", syscall(SYS_inotify_init1, 1), EINVAL);
    int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
    CHECK("init", fd >= 0);
    CHECK_EQ("init-cloexec", fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ("init-flags", fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY | O_NONBLOCK);
    int plain = inotify_init1(0);
    CHECK_EQ("init-flags-plain", fcntl(plain, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDONLY);
    CHECK_EQ("init-nocloexec", fcntl(plain, F_GETFD), 0);
    close(plain);
    CHECK_ERR("add-zero-mask", inotify_add_watch(fd, dir, 0), EINVAL);
    CHECK_ERR("add-add-and-create", inotify_add_watch(fd, dir, IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE), EINVAL);
    CHECK_ERR("add-badfd", inotify_add_watch(999, dir, IN_MODIFY), EBADF);
    CHECK_ERR("add-not-inotify", inotify_add_watch(0, dir, IN_MODIFY), EINVAL);
    CHECK_ERR("add-missing", inotify_add_watch(fd, at("missing"), IN_MODIFY), ENOENT);
    CHECK_ERR("add-badptr", syscall(SYS_inotify_add_watch, fd, BADPTR, IN_MODIFY), EFAULT);
    close(open(at("file"), O_CREAT | O_WRONLY, 0644));
    symlink("file", at("link"));
    CHECK_ERR("add-onlydir", inotify_add_watch(fd, at("file"), IN_MODIFY | IN_ONLYDIR), ENOTDIR);
    int wd = inotify_add_watch(fd, at("file"), IN_MODIFY);
    CHECK("add", wd >= 1);
    CHECK_EQ("add-same-inode", inotify_add_watch(fd, at("link"), IN_ATTRIB), wd);
    CHECK_ERR("add-mask-create", inotify_add_watch(fd, at("file"), IN_ATTRIB | IN_MASK_CREATE), EEXIST);
    int lwd = inotify_add_watch(fd, at("link"), IN_ATTRIB | IN_DONT_FOLLOW);
    CHECK("add-dont-follow", lwd >= 1 && lwd != wd);
    /* The mask was replaced by IN_ATTRIB: a write is not seen, a chmod is. */
    int w = open(at("file"), O_WRONLY);
    write(w, "x", 1);
    CHECK_EQ("mask-replaced-none", drain(fd), 0);
    CHECK_EQ("mask-add", inotify_add_watch(fd, at("file"), IN_MODIFY | IN_MASK_ADD), wd);
    write(w, "x", 1);
    chmod(at("file"), 0600);
    int n = drain(fd);
    CHECK("mask-add-events", n == 2 && is(0, wd, IN_MODIFY, "") && is(1, wd, IN_ATTRIB, ""));
    if (n != 2) show(n);
    close(w);
    CHECK_ERR("rm-badfd", inotify_rm_watch(999, wd), EBADF);
    CHECK_ERR("rm-not-inotify", inotify_rm_watch(0, wd), EINVAL);
    CHECK_ERR("rm-unknown", inotify_rm_watch(fd, 12345), EINVAL);
    CHECK_OK("rm", inotify_rm_watch(fd, wd));
    CHECK_ERR("rm-twice", inotify_rm_watch(fd, wd), EINVAL);
    n = drain(fd);
    CHECK("rm-ignored", n == 1 && is(0, wd, IN_IGNORED, ""));
    CHECK_OK("rm-link", inotify_rm_watch(fd, lwd));
    drain(fd);
    char small[8];
    CHECK_ERR("read-empty-nonblock", read(fd, small, sizeof small), EAGAIN);
    close(fd);
    unlink(at("link"));
    unlink(at("file"));
}

static void events(void) {
    int fd = inotify_init1(IN_NONBLOCK);
    int dwd = inotify_add_watch(fd, dir, IN_ALL_EVENTS);
    CHECK("dir-watch", dwd >= 1);
    int f = open(at("a"), O_CREAT | O_RDWR, 0644);
    write(f, "hello", 5);
    write(f, "hello", 5);               /* coalesced with the previous IN_MODIFY */
    pread(f, small_buf(), 1, 0);
    close(f);
    int n = drain(fd);
    CHECK("create-open-modify-access-close", n == 5 && is(0, dwd, IN_CREATE, "a") && is(1, dwd, IN_OPEN, "a")
          && is(2, dwd, IN_MODIFY, "a") && is(3, dwd, IN_ACCESS, "a") && is(4, dwd, IN_CLOSE_WRITE, "a"));
    if (n != 5) show(n);
    f = open(at("a"), O_RDONLY);
    close(f);
    n = drain(fd);
    CHECK("open-close-nowrite", n == 2 && is(0, dwd, IN_OPEN, "a") && is(1, dwd, IN_CLOSE_NOWRITE, "a"));
    truncate(at("a"), 1);
    n = drain(fd);
    CHECK("truncate-modify", n == 1 && is(0, dwd, IN_MODIFY, "a"));
    mkdir(at("sub"), 0755);
    rmdir(at("sub"));
    n = drain(fd);
    CHECK("mkdir-rmdir-isdir", n == 2 && is(0, dwd, IN_CREATE | IN_ISDIR, "sub") && is(1, dwd, IN_DELETE | IN_ISDIR, "sub"));
    if (n != 2) show(n);
    int fwd = inotify_add_watch(fd, at("a"), IN_ALL_EVENTS);
    rename(at("a"), at("b"));
    n = drain(fd);
    CHECK("rename-events", n == 3 && is(0, dwd, IN_MOVED_FROM, "a") && is(1, dwd, IN_MOVED_TO, "b")
          && is(2, fwd, IN_MOVE_SELF, ""));
    CHECK("rename-cookie", n >= 2 && evs[0].cookie != 0 && evs[0].cookie == evs[1].cookie);
    if (n != 3) show(n);
    unlink(at("b"));
    n = drain(fd);
    CHECK("unlink-events", n == 4 && is(0, fwd, IN_ATTRIB, "") && is(1, fwd, IN_DELETE_SELF, "")
          && is(2, fwd, IN_IGNORED, "") && is(3, dwd, IN_DELETE, "b"));
    if (n != 4) show(n);
    /* IN_ONESHOT: one event, then IN_IGNORED. */
    close(open(at("c"), O_CREAT | O_WRONLY, 0644));
    drain(fd);
    inotify_rm_watch(fd, dwd);
    drain(fd);
    int owd = inotify_add_watch(fd, at("c"), IN_ATTRIB | IN_ONESHOT);
    chmod(at("c"), 0600);
    chmod(at("c"), 0644);
    n = drain(fd);
    CHECK("oneshot", n == 2 && is(0, owd, IN_ATTRIB, "") && is(1, owd, IN_IGNORED, ""));
    unlink(at("c"));
    close(fd);
}




static void reads_and_readiness(void) {
    int fd = inotify_init1(0);
    int wd = inotify_add_watch(fd, dir, IN_CREATE);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    CHECK_EQ("poll-empty", poll(&p, 1, 0), 0);
    int ep = epoll_create1(0);
    struct epoll_event ee = {.events = EPOLLIN}, out;
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ee);
    CHECK_EQ("epoll-empty", epoll_wait(ep, &out, 1, 0), 0);
    close(open(at("name"), O_CREAT | O_WRONLY, 0644));
    CHECK_EQ("poll-ready", poll(&p, 1, 0), 1);
    CHECK_EQ("poll-revents", p.revents, POLLIN);
    CHECK_EQ("epoll-ready", epoll_wait(ep, &out, 1, 0), 1);
    int avail = -1;
    CHECK_OK("fionread", ioctl(fd, FIONREAD, &avail));
    CHECK_EQ("fionread-size", avail, sizeof(struct inotify_event) + 16);
    char buf[64] __attribute__((aligned(8)));
    CHECK_ERR("read-too-small", read(fd, buf, sizeof(struct inotify_event) + 4), EINVAL);
    ssize_t r = read(fd, buf, sizeof buf);
    struct inotify_event *e = (struct inotify_event *)buf;
    CHECK_EQ("read-size", r, sizeof(struct inotify_event) + 16);
    CHECK("read-event", e->wd == wd && e->mask == IN_CREATE && e->len == 16 && strcmp(e->name, "name") == 0);
    CHECK_EQ("poll-drained", poll(&p, 1, 0), 0);
    unlink(at("name"));

    close(ep);
    close(fd);
}

static void overflow(void) {
    char old[32] = {0};
    int k = open("/proc/sys/fs/inotify/max_queued_events", O_RDWR);
    CHECK("knob-open", k >= 0);
    if (k < 0) return;
    CHECK("knob-read", read(k, old, sizeof old - 1) > 0);
    CHECK("knob-default", strcmp(old, "16384\n") == 0);
    CHECK_EQ("knob-write", pwrite(k, "4\n", 2, 0), 2);
    CHECK("user-instances", access("/proc/sys/fs/inotify/max_user_instances", R_OK) == 0
          && access("/proc/sys/fs/inotify/max_user_watches", R_OK) == 0);
    int fd = inotify_init1(IN_NONBLOCK);
    int wd = inotify_add_watch(fd, dir, IN_CREATE | IN_DELETE);
    for (int i = 0; i < 6; i++) {
        char name[8];
        snprintf(name, sizeof name, "o%d", i);
        close(open(at(name), O_CREAT | O_WRONLY, 0644));
        unlink(at(name));
    }
    int n = drain(fd);
    CHECK("overflow", n == 5 && is(3, wd, IN_DELETE, "o1") && evs[4].wd == -1 && evs[4].mask == IN_Q_OVERFLOW);
    if (n != 5) show(n);
    close(fd);
    pwrite(k, old, strlen(old), 0);
    close(k);
}

int main(void) {
    begin("inotify");
    snprintf(dir, sizeof dir, "/tmp/inotify-%d", getpid());
    mkdir(dir, 0755);
    api();
    events();
    reads_and_readiness();
    overflow();
    rmdir(dir);
    return done();
}
