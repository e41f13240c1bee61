/* execve maps the program instead of copying it. run.py builds this file static (`execmap`) and as a
 * dynamically linked PIE (`execmap-dynamic`). A child exec'd from a copy of the program checks its
 * own /proc/self/maps: the program's PT_LOAD segments are file mappings (its device and inode, offset
 * 0 for the text) with the segments' permissions, in address order, and (dynamic) the ELF interpreter
 * too; bss is zero, including the part of the last file page past p_filesz, whose bytes in the file
 * are not. A writable global changed after fork changes neither the parent nor the file. A running
 * program's file cannot be opened for writing or truncated (ETXTBSY), and a file open for writing
 * cannot be executed (ETXTBSY). */
/* .bss, first of this file's (run.py builds it with -fno-toplevel-reorder): it starts in the last file
 * page of the data segment, where the file has other bytes. */
static char bss_probe[3 * 4096];
#include "check.h"
#include <elf.h>
#include <link.h>
#include <sys/auxv.h>
#include <sys/wait.h>

#define COPY "/tmp/execmap-copy"

int data_value = 12345;                 /* .data: a private file mapping, copied on write */

struct area { unsigned long start, end, offset, inode; char perms[5]; unsigned major, minor; char path[256]; };

static int read_maps(struct area *areas, int max) {
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f) return -1;
    char line[512];
    int n = 0;
    while (n < max && fgets(line, sizeof line, f)) {
        struct area *a = &areas[n];
        a->path[0] = 0;
        if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %255s", &a->start, &a->end, a->perms, &a->offset,
                   &a->major, &a->minor, &a->inode, a->path) < 7) continue;
        n++;
    }
    fclose(f);
    return n;
}

static struct area *area_of(struct area *areas, int n, unsigned long address) {
    for (int i = 0; i < n; i++) if (areas[i].start <= address && address < areas[i].end) return &areas[i];
    return NULL;
}

/* The writable PT_LOAD of this program and its load bias. */
static int data_segment(ElfW(Phdr) *out, unsigned long *bias) {
    ElfW(Phdr) *ph = (ElfW(Phdr) *)getauxval(AT_PHDR);
    unsigned long n = getauxval(AT_PHNUM);
    *bias = 0;
    for (unsigned long i = 0; i < n; i++) if (ph[i].p_type == PT_PHDR) *bias = (unsigned long)ph - ph[i].p_vaddr;
    for (unsigned long i = 0; i < n; i++)
        if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_W)) { *out = ph[i]; return 0; }
    return -1;
}

/* The exec'd child: everything it checks about its own memory. */
static void child_checks(void) {
    static struct area areas[128];
    int n = read_maps(areas, 128);
    CHECK("maps-read", n > 3);
    struct stat self;
    CHECK_OK("stat-exe", stat("/proc/self/exe", &self));
    char exe[256] = {0};
    CHECK("readlink-exe", readlink("/proc/self/exe", exe, sizeof exe - 1) > 0);

    /* The text: a file mapping of the program, offset 0, r-xp, its device and inode. */
    struct area *text = area_of(areas, n, (unsigned long)&child_checks);
    CHECK("text-mapped", text != NULL);
    if (text) {
        CHECK("text-perms", !strcmp(text->perms, "r-xp"));
        CHECK("text-path", !strcmp(text->path, exe));
        CHECK_EQ("text-inode", text->inode, self.st_ino);
        CHECK_EQ("text-major", text->major, major(self.st_dev));
        CHECK_EQ("text-minor", text->minor, minor(self.st_dev));
    }
    /* Every area of the file in address order: first the text at offset 0, the data after it. */
    int first = -1, last = -1, files = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(areas[i].path, exe)) continue;
        if (first < 0) first = i;
        last = i;
        files++;
        printf("# %s %lx %s\n", areas[i].perms, areas[i].offset, areas[i].path);
    }
    CHECK("file-areas", files >= 2);
    if (first >= 0) {
        CHECK_EQ("first-area-offset", areas[first].offset, 0);
        CHECK("first-area-is-headers-or-text", areas[first].perms[0] == 'r' && areas[first].perms[1] == '-');
        CHECK("last-area-writable", !strcmp(areas[last].perms, "rw-p"));
    }
    /* .data: a private writable mapping of the file. */
    struct area *data = area_of(areas, n, (unsigned long)&data_value);
    CHECK("data-mapped", data != NULL);
    if (data) {
        CHECK("data-perms", !strcmp(data->perms, "rw-p"));
        CHECK("data-path", !strcmp(data->path, exe));
        CHECK_EQ("data-inode", data->inode, self.st_ino);
    }
    CHECK_EQ("data-initial", data_value, 12345);

    /* bss: zero, anonymous past the last file page; the part in that page is the file's page with
     * zeros past p_filesz (the file has other bytes there). */
    ElfW(Phdr) ph;
    unsigned long bias;
    CHECK_OK("data-segment", data_segment(&ph, &bias));
    unsigned long file_end = bias + ph.p_vaddr + ph.p_filesz, page_end = (file_end + 4095) & ~4095ul;
    unsigned long probe = (unsigned long)bss_probe;
    CHECK("probe-in-partial-page", probe >= file_end && probe < page_end);
    int zeros = 1;
    for (size_t i = 0; i < sizeof bss_probe; i++) if (bss_probe[i]) zeros = 0;
    CHECK("bss-zero", zeros);
    if (probe >= file_end && probe < page_end) {
        int fd = open("/proc/self/exe", O_RDONLY);
        unsigned char bytes[4096];
        unsigned long count = page_end - probe;
        long got = pread(fd, bytes, count, ph.p_offset + (probe - bias - ph.p_vaddr));
        int nonzero = 0;
        for (long i = 0; i < got; i++) if (bytes[i]) nonzero = 1;
        CHECK("file-has-bytes-past-filesz", nonzero);
        close(fd);
    }
    struct area *bss_end = area_of(areas, n, probe + sizeof bss_probe - 1);
    CHECK("bss-end-mapped", bss_end != NULL);
    if (bss_end) {
        CHECK("bss-end-anonymous", bss_end->inode == 0 && bss_end->path[0] != '/');
        CHECK("bss-end-perms", !strcmp(bss_end->perms, "rw-p"));
    }

    if (getauxval(AT_BASE)) {
        /* Dynamically linked: the ELF interpreter's text, a file mapping of the loader at offset 0. */
        struct stat loader;
        CHECK_OK("stat-loader", stat("/lib/ld-linux-aarch64.so.1", &loader));
        struct area *loader_text = area_of(areas, n, getauxval(AT_BASE));
        CHECK("loader-text-mapped", loader_text != NULL);
        if (loader_text) {
            CHECK("loader-text-perms", !strcmp(loader_text->perms, "r-xp"));
            CHECK_EQ("loader-text-offset", loader_text->offset, 0);
            CHECK_EQ("loader-text-inode", loader_text->inode, loader.st_ino);
        }
    }

    /* The running program's file may not be written. */
    CHECK_ERR("write-exe-etxtbsy", open("/proc/self/exe", O_WRONLY), ETXTBSY);
    CHECK_ERR("rdwr-exe-etxtbsy", open(exe, O_RDWR), ETXTBSY);
    CHECK_ERR("truncate-exe-etxtbsy", truncate(exe, 0), ETXTBSY);
    int ro = open(exe, O_RDONLY);
    CHECK("read-exe-ok", ro >= 0);
    close(ro);
}

/* Copies the running program to COPY; returns the copy's descriptor, still open for writing. */
static int copy_self(void) {
    int in = open("/proc/self/exe", O_RDONLY), out = open(COPY, O_WRONLY | O_CREAT | O_TRUNC, 0755);
    if (in < 0 || out < 0) return -1;
    char buf[65536];
    long n;
    while ((n = read(in, buf, sizeof buf)) > 0) if (write(out, buf, n) != n) return -1;
    close(in);
    return out;
}

int main(int argc, char **argv) {
    if (argc > 1 && !strcmp(argv[1], "--child")) {
        /* Its failures print under the parent's name; the parent counts its exit status. */
        begin(argc > 2 ? argv[2] : "execmap");
        child_checks();
        return failed ? 1 : 0;
    }
    if (argc > 1 && !strcmp(argv[1], "--wait")) {
        char b;
        write(1, "s", 1);                      /* running */
        while (read(0, &b, 1) > 0) {}
        return 0;
    }
    begin(strstr(argv[0], "dynamic") ? "execmap-dynamic" : "execmap");

    /* A file open for writing cannot be executed. */
    int w = copy_self();
    CHECK("copy", w >= 0);
    char *args[] = {COPY, "--child", (char *)prog, NULL}, *env[] = {NULL};
    CHECK_ERR("exec-while-open-for-write", execve(COPY, args, env), ETXTBSY);
    close(w);

    /* The exec'd copy checks itself. */
    pid_t c = fork();
    if (c == 0) {
        execve(COPY, args, env);
        _exit(127);
    }
    int st;
    CHECK_EQ("child-wait", waitpid(c, &st, 0), c);
    CHECK("child-passed", WIFEXITED(st) && WEXITSTATUS(st) == 0);

    /* A running copy keeps its file busy; once it is gone the file can be written again. */
    int q[2], r[2];
    CHECK_OK("pipe", pipe(q));
    CHECK_OK("pipe2", pipe(r));
    c = fork();
    if (c == 0) {
        dup2(q[0], 0);
        dup2(r[1], 1);
        close(q[1]);
        char *wait_args[] = {COPY, "--wait", NULL};
        execve(COPY, wait_args, env);
        _exit(127);
    }
    close(q[0]);
    close(r[1]);
    char b = 0;
    CHECK_EQ("waiter-running", read(r[0], &b, 1), 1);
    CHECK_ERR("write-running-copy", open(COPY, O_WRONLY), ETXTBSY);
    CHECK_ERR("truncate-running-copy", truncate(COPY, 0), ETXTBSY);
    close(q[1]);
    CHECK_EQ("waiter-wait", waitpid(c, &st, 0), c);
    CHECK("waiter-exit", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    int again = open(COPY, O_WRONLY);
    CHECK("write-after-exit", again >= 0);
    close(again);
    close(r[0]);

    /* A writable global changed in a forked child changes neither this process nor the file. */
    c = fork();
    if (c == 0) {
        data_value = 999;
        _exit(data_value == 999 ? 0 : 1);
    }
    CHECK_EQ("fork-wait", waitpid(c, &st, 0), c);
    CHECK("fork-child-wrote", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK_EQ("parent-unchanged", data_value, 12345);
    data_value = 777;                          /* this process's own copy */
    ElfW(Phdr) ph;
    unsigned long bias;
    CHECK_OK("data-segment", data_segment(&ph, &bias));
    int fd = open("/proc/self/exe", O_RDONLY);
    int in_file = 0;
    CHECK_EQ("file-unchanged-read", pread(fd, &in_file, sizeof in_file,
                                          ph.p_offset + ((unsigned long)&data_value - bias - ph.p_vaddr)), sizeof in_file);
    CHECK_EQ("file-unchanged", in_file, 12345);
    close(fd);
    unlink(COPY);
    printf("%s: %d passed, %d failed\n", prog, passed, failed);
    return failed ? 1 : 0;
}
