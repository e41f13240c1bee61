/* Guest helper of tests/boot/test_ext4.py: lists and reads the extended attributes of each file
 * named (llistxattr/lgetxattr), "-u" first to do it as uid 1000, "-w" to try changing them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

static void dump(const char *path) {
    char list[4096], value[4096];
    ssize_t n = llistxattr(path, list, sizeof list);
    if (n < 0) { printf("%s: list errno %d\n", path, errno); return; }
    printf("%s: list %zd (size query %zd)\n", path, n, llistxattr(path, NULL, 0));
    for (char *name = list; name < list + n; name += strlen(name) + 1) {
        ssize_t v = lgetxattr(path, name, value, sizeof value);
        if (v < 0) { printf("  %s: errno %d\n", name, errno); continue; }
        unsigned sum = 0;
        for (ssize_t i = 0; i < v; i++) sum = sum * 31 + (unsigned char)value[i];
        printf("  %s (%zd, size query %zd, sum %08x):", name, v, lgetxattr(path, name, NULL, 0), sum);
        for (ssize_t i = 0; i < v && i < 24; i++) printf(" %02x", (unsigned char)value[i]);
        printf("\n");
    }
    printf("  absent: %d\n", lgetxattr(path, "user.absent", value, sizeof value) < 0 ? errno : 0);
    printf("  acl: %d\n", lgetxattr(path, "system.posix_acl_access", value, sizeof value) < 0 ? errno : 0);
}

int main(int argc, char **argv) {
    int i = 1, change = 0;
    if (i < argc && strcmp(argv[i], "-u") == 0) { i++; if (setgid(1000) || setuid(1000)) return 1; }
    if (i < argc && strcmp(argv[i], "-w") == 0) { i++; change = 1; }
    for (; i < argc; i++) {
        if (!change) { dump(argv[i]); continue; }
        printf("%s: set %d", argv[i], lsetxattr(argv[i], "user.new", "v", 1, 0) < 0 ? errno : 0);
        printf(" remove %d\n", lremovexattr(argv[i], "user.comment") < 0 ? errno : 0);
    }
    return 0;
}
