/* Calls into subsystems whose files Lichen does not have yet must answer as Linux does for the file
 * at hand: socket calls on a file that is not a socket (ENOTSOCK, EBADF first), extended attributes
 * on a tmpfs file that has none (ENODATA in the namespaces tmpfs supports, EOPNOTSUPP for user.,
 * an empty list). Programs probe these and treat ENOSYS as fatal. O_ASYNC on a pipe must signal
 * its owner (sigio.c has the rest). */
#include "check.h"
#include <sys/socket.h>
#include <sys/xattr.h>
#include <signal.h>

static void socket_calls_on_files(void) {
    int fd = open("/tmp/conf-absent", O_CREAT | O_RDWR, 0644);
    struct sockaddr sa = {0};
    socklen_t len = sizeof sa;
    char buf[8];
    int v = 0;
    CHECK_ERR("bind-file", bind(fd, &sa, sizeof sa), ENOTSOCK);
    CHECK_ERR("listen-file", listen(fd, 1), ENOTSOCK);
    CHECK_ERR("accept-file", accept(fd, &sa, &len), ENOTSOCK);
    CHECK_ERR("accept4-file", accept4(fd, &sa, &len, 0), ENOTSOCK);
    CHECK_ERR("connect-file", connect(fd, &sa, sizeof sa), ENOTSOCK);
    CHECK_ERR("getsockname-file", getsockname(fd, &sa, &len), ENOTSOCK);
    CHECK_ERR("getpeername-file", getpeername(fd, &sa, &len), ENOTSOCK);
    CHECK_ERR("sendto-file", sendto(fd, buf, 1, 0, NULL, 0), ENOTSOCK);
    CHECK_ERR("recvfrom-file", recvfrom(fd, buf, 1, MSG_DONTWAIT, NULL, NULL), ENOTSOCK);
    CHECK_ERR("setsockopt-file", setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v), ENOTSOCK);
    len = sizeof v;
    CHECK_ERR("getsockopt-file", getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len), ENOTSOCK);
    CHECK_ERR("shutdown-file", shutdown(fd, SHUT_RDWR), ENOTSOCK);
    struct msghdr m = {0};
    CHECK_ERR("sendmsg-file", sendmsg(fd, &m, 0), ENOTSOCK);
    CHECK_ERR("recvmsg-file", recvmsg(fd, &m, MSG_DONTWAIT), ENOTSOCK);
    CHECK_ERR("bind-ebadf", bind(-1, &sa, sizeof sa), EBADF);
    CHECK_ERR("shutdown-ebadf", shutdown(12345, SHUT_RDWR), EBADF);
    close(fd);
}

static void xattrs_on_tmpfs(void) {
    const char *f = "/tmp/conf-absent";
    char value[64];
    CHECK_ERR("getxattr-security", getxattr(f, "security.capability", value, sizeof value), ENODATA);
    CHECK_ERR("getxattr-trusted", getxattr(f, "trusted.overlay.opaque", value, sizeof value), ENODATA);
    CHECK_ERR("getxattr-acl", getxattr(f, "system.posix_acl_access", value, sizeof value), ENODATA);
    CHECK_ERR("lgetxattr-security", lgetxattr(f, "security.selinux", value, sizeof value), ENODATA);
    CHECK_ERR("getxattr-user", getxattr(f, "user.comment", value, sizeof value), EOPNOTSUPP);
    CHECK_ERR("getxattr-unknown-namespace", getxattr(f, "bogus.name", value, sizeof value), EOPNOTSUPP);
    CHECK_ERR("getxattr-empty-name", getxattr(f, "", value, sizeof value), ERANGE);
    CHECK_ERR("getxattr-enoent", getxattr("/tmp/conf-absent-missing", "security.x", value, sizeof value), ENOENT);
    int fd = open(f, O_RDONLY);
    CHECK_ERR("fgetxattr-security", fgetxattr(fd, "security.capability", value, sizeof value), ENODATA);
    CHECK_EQ("flistxattr-empty", flistxattr(fd, value, sizeof value), 0);
    CHECK_ERR("fgetxattr-ebadf", fgetxattr(-1, "security.capability", value, sizeof value), EBADF);
    close(fd);
    CHECK_EQ("listxattr-empty", listxattr(f, value, sizeof value), 0);
    CHECK_EQ("llistxattr-empty", llistxattr(f, NULL, 0), 0);
    CHECK_ERR("setxattr-user", setxattr(f, "user.comment", "x", 1, 0), EOPNOTSUPP);
    CHECK_ERR("removexattr-security", removexattr(f, "security.capability"), ENODATA);
    CHECK_ERR("removexattr-user", removexattr(f, "user.comment"), EOPNOTSUPP);
    CHECK_ERR("getxattr-efault-name", syscall(SYS_getxattr, f, BADPTR, value, sizeof value), EFAULT);
    unlink(f);
}

static volatile sig_atomic_t sigio_seen;
static void on_sigio(int sig) { (void)sig; sigio_seen++; }

/* O_ASYNC on a pipe: SIGIO to the owner when data arrives (more in sigio.c). */
static void async_io_signal(void) {
    int p[2];
    if (pipe(p) != 0) return;
    signal(SIGIO, on_sigio);
    fcntl(p[0], F_SETOWN, getpid());
    CHECK_OK("pipe-o-async-set", fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_ASYNC));
    (void)!write(p[1], "x", 1);
    CHECK_EQ("pipe-o-async-sigio", sigio_seen, 1);
    signal(SIGIO, SIG_DFL);
    close(p[0]);
    close(p[1]);
}

int main(void) {
    begin("absent");
    async_io_signal();
    socket_calls_on_files();
    xattrs_on_tmpfs();
    return done();
}
