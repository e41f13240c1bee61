/* The crash-test workload (tests/boot/test_crash.py), a static program for Lichen and Linux.

   crash-workload run DIR SEED [OPS]
       creates, appends, rewrites, renames (also over an existing name), links, unlinks files and makes and
       removes directories under DIR, choosing by a PRNG seeded with SEED. After each fsync that makes a
       state durable (the file, then its directory for a new name) it prints one line:
           DURABLE path hash size     the file `path` now has these contents (FNV-1a 64 of the bytes, size)
           DURABLE path/ dir          the directory exists
           GONE path                  the name no longer exists
           UNSTABLE path              the name is about to change: anything goes after a crash
       Paths are relative to DIR. Files in DIR/scratch are written without fsync (noise for recovery).
       "OP i:" starts operation i (the host picks its kill moments by them).
   crash-workload verify DIR
       prints "F path hash size" for every regular file and "D path/" for every directory under DIR.
   The host replays the lines received before it killed qemu and checks the verify output against them. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAXF 256
#define NDIRS 4
static struct file { char path[64]; uint64_t hash; long size; int linked, live; } files[MAXF];
static int nfiles;
static char subdirs[64][32];
static int nsubdirs;
static uint64_t rng;
static int root;

static uint64_t next(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }

static void say(const char *fmt, ...) {
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (write(1, line, n) != n) exit(3);
}

static void die(const char *what, const char *path) {
    say("FAIL %s %s: %s\n", what, path, strerror(errno));
    exit(2);
}

static uint64_t fnv(uint64_t h, const unsigned char *p, long n) {
    for (long i = 0; i < n; i++) { h ^= p[i]; h *= 0x100000001b3ULL; }
    return h;
}
#define FNV0 0xcbf29ce484222325ULL

static void sync_path(const char *path, int dir) {
    int fd = openat(root, path, (dir ? O_RDONLY | O_DIRECTORY : O_WRONLY));
    if (fd < 0) die("open for fsync", path);
    if (fsync(fd) < 0) die("fsync", path);
    close(fd);
}

static void sync_parent(const char *path) {
    char dir[64];
    strcpy(dir, path);
    char *slash = strrchr(dir, '/');
    if (slash) *slash = 0; else strcpy(dir, ".");
    sync_path(dir, 1);
}

/* appends n PRNG bytes to fd, extending the file's running hash */
static void append_bytes(int fd, struct file *f, long n) {
    static unsigned char buf[65536];
    while (n > 0) {
        long chunk = n < (long)sizeof buf ? n : (long)sizeof buf;
        for (long i = 0; i < chunk; i += 8) { uint64_t r = next(); memcpy(buf + i, &r, chunk - i < 8 ? chunk - i : 8); }
        if (write(fd, buf, chunk) != chunk) die("write", f->path);
        f->hash = fnv(f->hash, buf, chunk);
        f->size += chunk;
        n -= chunk;
    }
}

static long random_size(void) {
    switch (next() % 6) {
    case 0: return 0;
    case 1: return next() % 200;
    case 2: case 3: return next() % 16384;
    case 4: return next() % 100000;
    default: return 4096 * (1 + next() % 64);
    }
}

static struct file *pick(int unlinked_only) {
    int live = 0;
    for (int i = 0; i < nfiles; i++) live += files[i].live && !(unlinked_only && files[i].linked);
    if (!live) return 0;
    int k = next() % live;
    for (int i = 0; i < nfiles; i++)
        if (files[i].live && !(unlinked_only && files[i].linked) && k-- == 0) return &files[i];
    return 0;
}

static void durable(struct file *f) { say("DURABLE %s %016llx %ld\n", f->path, (unsigned long long)f->hash, f->size); }

static void new_name(char *out, int i) {
    if (nsubdirs && next() % 3 == 0) sprintf(out, "%s/f%d", subdirs[next() % nsubdirs], i);
    else sprintf(out, "d%d/f%d", (int)(next() % NDIRS), i);
}

static void op_create(int i) {
    if (nfiles == MAXF) return;
    struct file *f = &files[nfiles++];
    new_name(f->path, i);
    f->hash = FNV0; f->size = 0; f->linked = 0; f->live = 1;
    int fd = openat(root, f->path, O_WRONLY | O_CREAT | O_EXCL, 0644);
    if (fd < 0) die("create", f->path);
    append_bytes(fd, f, random_size());
    if (fsync(fd) < 0) die("fsync", f->path);
    close(fd);
    sync_parent(f->path);
    durable(f);
}

static void op_write(int append) {
    struct file *f = pick(1);
    if (!f) return;
    say("UNSTABLE %s\n", f->path);
    int fd = openat(root, f->path, O_WRONLY | (append ? O_APPEND : O_TRUNC));
    if (fd < 0) die("open", f->path);
    if (!append) { f->hash = FNV0; f->size = 0; }
    append_bytes(fd, f, random_size());
    if (fsync(fd) < 0) die("fsync", f->path);
    close(fd);
    durable(f);
}

static void op_rename(int i) {
    struct file *f = pick(0), *target = 0;
    if (!f) return;
    char to[64];
    /* not over another name of the same inode: rename(2) then does nothing */
    if (next() % 3 == 0 && (target = pick(0)) && target != f && !(target->linked && f->linked)) strcpy(to, target->path);
    else { target = 0; new_name(to, i); }
    say("UNSTABLE %s\nUNSTABLE %s\n", f->path, to);
    if (renameat(root, f->path, root, to) < 0) die("rename", f->path);
    sync_parent(to);
    sync_parent(f->path);
    say("GONE %s\n", f->path);
    if (target) target->live = 0;
    /* the other names of a linked inode keep pointing to it: only this name moves */
    strcpy(f->path, to);
    durable(f);
}

static void op_link(int i) {
    struct file *f = pick(0);
    if (!f || nfiles == MAXF) return;
    struct file *g = &files[nfiles++];
    *g = *f;
    new_name(g->path, i);
    if (linkat(root, f->path, root, g->path, 0) < 0) die("link", g->path);
    sync_parent(g->path);
    f->linked = g->linked = 1;
    durable(g);
}

static void op_unlink(void) {
    struct file *f = pick(0);
    if (!f) return;
    say("UNSTABLE %s\n", f->path);
    if (unlinkat(root, f->path, 0) < 0) die("unlink", f->path);
    sync_parent(f->path);
    f->live = 0;
    say("GONE %s\n", f->path);
}

static int subdir_used(const char *d) {
    size_t n = strlen(d);
    for (int i = 0; i < nfiles; i++)
        if (files[i].live && !strncmp(files[i].path, d, n) && files[i].path[n] == '/') return 1;
    return 0;
}

static void op_dir(int i) {
    if (nsubdirs && next() % 2) {
        int k = next() % nsubdirs;
        if (subdir_used(subdirs[k])) return;
        say("UNSTABLE %s/\n", subdirs[k]);
        if (unlinkat(root, subdirs[k], AT_REMOVEDIR) < 0) die("rmdir", subdirs[k]);
        sync_parent(subdirs[k]);
        say("GONE %s/\n", subdirs[k]);
        nsubdirs--;
        if (k != nsubdirs) memcpy(subdirs[k], subdirs[nsubdirs], sizeof subdirs[k]);
    } else if (nsubdirs < 64) {
        sprintf(subdirs[nsubdirs], "d%d/s%d", (int)(next() % NDIRS), i);
        if (mkdirat(root, subdirs[nsubdirs], 0755) < 0) die("mkdir", subdirs[nsubdirs]);
        sync_parent(subdirs[nsubdirs]);
        say("DURABLE %s/ dir\n", subdirs[nsubdirs]);
        nsubdirs++;
    }
}

static void op_scratch(int i) {
    char path[64];
    struct file junk = { .hash = FNV0 };
    if (next() % 3 == 0 && i > 2) {
        sprintf(path, "scratch/x%d", (int)(next() % i));
        unlinkat(root, path, 0);        /* may not exist: noise only */
        return;
    }
    sprintf(path, "scratch/x%d", i);
    int fd = openat(root, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die("create", path);
    append_bytes(fd, &junk, random_size());
    close(fd);
}

static int run(const char *dir, unsigned seed, int ops) {
    rng = 0x9e3779b97f4a7c15ULL ^ ((uint64_t)seed << 17) ^ seed;
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) die("mkdir", dir);
    root = open(dir, O_RDONLY | O_DIRECTORY);
    if (root < 0) die("open", dir);
    char name[16];
    for (int d = 0; d < NDIRS; d++) {
        sprintf(name, "d%d", d);
        if (mkdirat(root, name, 0755) < 0) die("mkdir", name);
    }
    if (mkdirat(root, "scratch", 0755) < 0) die("mkdir", "scratch");
    if (fsync(root) < 0) die("fsync", dir);
    for (int d = 0; d < NDIRS; d++) say("DURABLE d%d/ dir\n", d);
    for (int i = 0; i < ops; i++) {
        say("OP %d:\n", i);              /* progress: the host kills at a chosen operation */
        switch (next() % 12) {
        case 0: case 1: case 2: op_create(i); break;
        case 3: op_write(1); break;
        case 4: op_write(0); break;
        case 5: op_rename(i); break;
        case 6: op_link(i); break;
        case 7: op_unlink(); break;
        case 8: op_dir(i); break;
        default: op_scratch(i); break;
        }
    }
    say("WORKLOAD END\n");
    return 0;
}

static void walk(int dirfd, const char *prefix) {
    DIR *d = fdopendir(dirfd);
    if (!d) die("opendir", prefix);
    struct dirent *e;
    static unsigned char buf[65536];
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
        char path[256];
        snprintf(path, sizeof path, "%s%s", prefix, e->d_name);
        struct stat st;
        if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) die("stat", path);
        if (S_ISDIR(st.st_mode)) {
            say("D %s/\n", path);
            int sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY);
            if (sub < 0) die("open", path);
            strcat(path, "/");
            walk(sub, path);
        } else if (S_ISREG(st.st_mode)) {
            int fd = openat(dirfd, e->d_name, O_RDONLY);
            if (fd < 0) die("open", path);
            uint64_t h = FNV0;
            long size = 0, n;
            while ((n = read(fd, buf, sizeof buf)) > 0) { h = fnv(h, buf, n); size += n; }
            if (n < 0) die("read", path);
            close(fd);
            say("F %s %016llx %ld\n", path, (unsigned long long)h, size);
        }
    }
    closedir(d);
}

int main(int argc, char **argv) {
    if (argc >= 4 && !strcmp(argv[1], "run")) return run(argv[2], strtoul(argv[3], 0, 0), argc > 4 ? atoi(argv[4]) : 300);
    if (argc == 3 && !strcmp(argv[1], "verify")) {
        int fd = open(argv[2], O_RDONLY | O_DIRECTORY);
        if (fd < 0) { say("VERIFY no %s\n", argv[2]); return 0; }
        walk(fd, "");
        say("VERIFY END\n");
        return 0;
    }
    fprintf(stderr, "usage: crash-workload run DIR SEED [OPS] | verify DIR\n");
    return 1;
}
