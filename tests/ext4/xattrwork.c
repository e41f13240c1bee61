/* Guest helper of tests/boot/test_ext4_write.py: sets and removes extended attributes on two new
 * files in the directory named (ext4's inode body, its external block, the flags and limits),
 * printing each call's errno (0: success); the host then reads them back with debugfs. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

static void report(const char *what, int rc) { printf("%s %d\n", what, rc < 0 ? errno : 0); }

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(int argc, char **argv) {
    if (argc != 2 || chdir(argv[1]) != 0) return 1;
    for (int i = 0; i < 2; i++) {
        int fd = open(i ? "xb" : "xa", O_CREAT | O_WRONLY, 0644);
        if (fd < 0 || write(fd, "x\n", 2) != 2) return 1;
        close(fd);
    }
    static char big[2000], huge[8192];
    for (int i = 0; i < (int)sizeof big; i++) big[i] = (char)(i * 7);
    memset(huge, 'h', sizeof huge);
    report("set small", lsetxattr("xa", "user.small", "tiny", 4, 0));
    report("create again", lsetxattr("xa", "user.small", "x", 1, XATTR_CREATE));
    report("replace missing", lsetxattr("xa", "user.none", "x", 1, XATTR_REPLACE));
    report("replace", lsetxattr("xa", "user.small", "replaced", 8, XATTR_REPLACE));
    report("set big", lsetxattr("xa", "user.big", big, sizeof big, 0));
    report("set trusted", lsetxattr("xa", "trusted.t", "", 0, 0));
    report("set huge", lsetxattr("xa", "user.huge", huge, sizeof huge, 0));
    report("set kept", lsetxattr("xb", "user.kept", big, 1500, 0));
    report("set gone", lsetxattr("xb", "user.gone", "bye", 3, 0));
    report("remove gone", lremovexattr("xb", "user.gone"));
    report("remove again", lremovexattr("xb", "user.gone"));
    char list[1024], *names[16];
    ssize_t n = llistxattr("xa", list, sizeof list);
    int count = 0;
    for (char *p = list; n > 0 && p < list + n && count < 16; p += strlen(p) + 1) names[count++] = p;
    qsort(names, count, sizeof names[0], cmp);
    printf("list");
    for (int i = 0; i < count; i++) printf(" %s", names[i]);
    printf("\n");
    return 0;
}
