/* execve of programs larger than the frame allocator's largest block (4 MiB; Lichen read a program
 * into one buffer, so Debian's 6.6 MB python3 did not start): this program carries 9 MiB of
 * initialized data. It checks its data, then executes itself directly and as the interpreter of a
 * #! script. Built static (big) and dynamically linked (big-dynamic: ld.so with a big program). */
#include "check.h"
#include <sys/wait.h>

#define MIB (1 << 20)
static const unsigned char data[9 * MIB] = {
    [0 ... MIB - 1] = 1, [MIB ... 2 * MIB - 1] = 2, [2 * MIB ... 3 * MIB - 1] = 3,
    [3 * MIB ... 4 * MIB - 1] = 4, [4 * MIB ... 5 * MIB - 1] = 5, [5 * MIB ... 6 * MIB - 1] = 6,
    [6 * MIB ... 7 * MIB - 1] = 7, [7 * MIB ... 8 * MIB - 1] = 8, [8 * MIB ... 9 * MIB - 1] = 9,
};

static int data_intact(void) {
    for (long i = 0; i < 9 * MIB; i += 4095)            /* a stride that reaches every page */
        if (data[i] != i / MIB + 1) return 0;
    return data[9 * MIB - 1] == 9;
}

static int run(const char *path, char *const argv[]) {    /* 1 if path ran and exited 0 */
    pid_t p = fork();
    if (p == 0) { execv(path, argv); _exit(127); }
    int st = 0;
    waitpid(p, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "child") == 0) return !data_intact();
    begin(strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0]);
    struct stat st;
    CHECK("file-larger-than-8mib", stat(argv[0], &st) == 0 && st.st_size > 8 * MIB);
    CHECK("data-intact", data_intact());
    CHECK("execve-big", run(argv[0], (char *[]){argv[0], "child", NULL}));
    mkdir("/tmp/conf-big", 0755);
    char script[64], line[256];
    snprintf(script, sizeof script, "/tmp/conf-big/%s.sh", prog);
    int fd = open(script, O_CREAT | O_WRONLY | O_TRUNC, 0755);
    int n = snprintf(line, sizeof line, "#!%s child\n", argv[0]);
    CHECK("script-written", fd >= 0 && write(fd, line, n) == n);
    close(fd);
    CHECK("script-interpreter-big", run(script, (char *[]){script, NULL}));
    return done();
}
