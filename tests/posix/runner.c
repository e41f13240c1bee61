/* Guest-side runner for the Open POSIX Test Suite (tests/posix/run.py).
 *
 *   ptsrun TIMEOUT LISTFILE
 *
 * LISTFILE has one test a line: "NAME PATH [TIMEOUT]". Each test runs in a forked child (its own
 * process group, the runner's cwd, stdin /dev/null, stdout+stderr to /tmp/ptsout); the parent polls
 * waitpid(WNOHANG) with short nanosleeps (no alarm(): Lichen has no setitimer yet): a test still
 * running after its timeout gets SIGKILL (with its process group) and counts as HUNG. One line per test on stdout:
 *   @@@START NAME
 *   @@@RESULT NAME CODE MS [signal N|timeout]
 * then, when CODE is not 0, up to 6 lines of the test's output prefixed with "| ". CODE is the exit
 * status (0 PASS, 1 FAIL, 2 UNRESOLVED, 4 UNSUPPORTED, 5 UNTESTED, others: INTERRUPTED), 124 on
 * timeout, 128+N when killed by signal N. "@@@DONE" ends the run.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>


static long now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static void show_output(void) {
    FILE *f = fopen("/tmp/ptsout", "r");
    if (!f) return;
    char line[200];
    int n = 0;
    while (n < 6 && fgets(line, sizeof line, f)) {
        size_t len = strlen(line);
        if (len && line[len - 1] != '\n') {   /* long line: print its start, skip the rest */
            int c;
            while ((c = fgetc(f)) != EOF && c != '\n') {}
            printf("| %s...\n", line);
        } else {
            printf("| %s", line);
        }
        n++;
    }
    fclose(f);
}

static void reap_strays(void) {   /* children of killed tests reparented to us (subreaper) */
    while (waitpid(-1, NULL, WNOHANG) > 0) {}
}

int main(int argc, char **argv) {
    if (argc < 3) { fprintf(stderr, "usage: ptsrun TIMEOUT LISTFILE\n"); return 2; }
    int default_timeout = atoi(argv[1]);
    FILE *list = fopen(argv[2], "r");
    if (!list) { perror(argv[2]); return 2; }
    setvbuf(stdout, NULL, _IOLBF, 0);
    prctl(PR_SET_CHILD_SUBREAPER, 1);   /* may be unsupported: then strays go to init */
    char line[512];
    while (fgets(line, sizeof line, list)) {
        char name[256], path[256];
        int timeout = default_timeout;
        if (sscanf(line, "%255s %255s %d", name, path, &timeout) < 2) continue;
        printf("@@@START %s\n", name);
        long start = now_ms();
        pid_t pid = fork();
        if (pid < 0) { printf("@@@RESULT %s 126 0 fork-failed errno=%d\n", name, errno); continue; }
        if (pid == 0) {
            setpgid(0, 0);
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, NULL);
            int in = open("/dev/null", O_RDONLY);
            int out = open("/tmp/ptsout", O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (in < 0 || out < 0) _exit(126);
            dup2(in, 0); dup2(out, 1); dup2(out, 2);
            if (in > 2) close(in);
            if (out > 2) close(out);
            char *args[] = { path, NULL };
            execv(path, args);
            if (errno == ENOEXEC) {   /* like execvp (the suite's Makefile runs tests through timeout(1)) */
                char *sh[] = { "/bin/sh", path, NULL };
                execv("/bin/sh", sh);
            }
            _exit(127);
        }
        setpgid(pid, pid);
        /* Poll with nanosleep rather than alarm(): a kernel without setitimer (Lichen today) must
         * not turn one hanging test into a hung run. */
        int status = 0, hung = 0;
        pid_t got;
        long nap_us = 1000;
        while ((got = waitpid(pid, &status, WNOHANG)) == 0) {
            long elapsed = now_ms() - start;
            if (!hung && elapsed > timeout * 1000L) {
                hung = 1;
                kill(-pid, SIGKILL);
                kill(pid, SIGKILL);
            } else if (hung && elapsed > (timeout + 10) * 1000L) {
                got = -1;
                errno = ETIMEDOUT;   /* SIGKILL did not end it */
                break;
            }
            struct timespec nap = { 0, nap_us * 1000 };
            nanosleep(&nap, NULL);
            if (nap_us < 20000) nap_us *= 2;
        }
        if (got < 0 && errno == EINTR) got = waitpid(pid, &status, 0);
        long ms = now_ms() - start;
        kill(-pid, SIGKILL);   /* leftovers of the test's process group */
        reap_strays();
        int code;
        char extra[32] = "";
        if (hung) {
            code = 124;
            strcpy(extra, " timeout");
        } else if (got < 0) {
            code = 126;
            snprintf(extra, sizeof extra, " waitpid-errno=%d", errno);
        } else if (WIFEXITED(status)) {
            code = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            code = 128 + WTERMSIG(status);
            snprintf(extra, sizeof extra, " signal %d", WTERMSIG(status));
        } else {
            code = 126;
        }
        printf("@@@RESULT %s %d %ld%s\n", name, code, ms, extra);
        if (code != 0) show_output();
    }
    printf("@@@DONE\n");
    return 0;
}
