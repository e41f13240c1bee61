/* Dynamically linked programs: run.py builds this file without -static, twice (`dynamic`, a PIE, and
 * `dynamic-nopie`, an ET_EXEC), and puts glibc's ld-linux-aarch64.so.1, libc.so.6 and libm.so.6 in
 * /lib. Checks the auxiliary vector the kernel hands the ELF interpreter (AT_BASE, AT_PHDR, AT_ENTRY,
 * ...), /proc/self/exe and maps, printf, dlopen, threads and TLS, signals, fork+execve of the other
 * build with argv/envp, and execve's errors for bad interpreters (copies of this program with a
 * patched PT_INTERP: missing ENOENT, a directory, an empty path or non-executable EACCES, not ELF or another
 * machine ELIBBAD, an empty file EIO, a PT_INTERP without its NUL ENOEXEC). */
#include "check.h"
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/wait.h>

#define LOADER "/lib/ld-linux-aarch64.so.1"

extern char **environ;
extern void _start(void);

/* The other build: fork+execve'd with these arguments and environment, it exits 42. With
 * --child-direct it was started by running the loader itself, which is then the kernel's program:
 * AT_BASE is 0 (the loader rewrites AT_PHDR, AT_ENTRY and AT_EXECFN to describe this program). */
static int child(int argc, char **argv) {
    int bad = 0, direct = !strcmp(argv[1], "--child-direct");
    bad |= (argc != 4) << 0;
    bad |= (argc == 4 && (strcmp(argv[2], "a b") || strcmp(argv[3], ""))) << 1;
    int n = 0;
    while (environ[n]) n++;
    bad |= (n != 2 || strcmp(environ[0], "A=1") || strcmp(environ[1], "EMPTY=")) << 2;
    bad |= ((getauxval(AT_BASE) == 0) != direct) << 3;
    bad |= (getauxval(AT_ENTRY) != (unsigned long)_start) << 4;
    bad |= (strcmp((const char *)getauxval(AT_EXECFN), argv[0]) != 0) << 5;
    return bad ? 64 + bad : 42;
}

static __thread int tls_value = 7;

static void *thread_main(void *arg) {
    int before = tls_value;
    tls_value = (int)(long)arg;
    char buf[32];
    snprintf(buf, sizeof buf, "%d", tls_value);
    return (void *)(long)(before == 7 && !strcmp(buf, "1234") ? gettid() : -1);
}

static volatile sig_atomic_t got_signal;
static void on_signal(int s) { got_signal = s; }

struct found { const ElfW(Phdr) *phdr; ElfW(Half) phnum; ElfW(Addr) main_addr; ElfW(Addr) loader_addr; int objects; };
static int each_object(struct dl_phdr_info *info, size_t size, void *data) {
    struct found *f = data;
    (void)size;
    if (f->objects++ == 0) { f->phdr = info->dlpi_phdr; f->phnum = info->dlpi_phnum; f->main_addr = info->dlpi_addr; }
    if (info->dlpi_name && strstr(info->dlpi_name, "ld-linux-aarch64")) f->loader_addr = info->dlpi_addr;
    return 0;
}

static char *read_file(const char *path, size_t *len) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return NULL;
    struct stat st;
    fstat(fd, &st);
    char *buf = malloc(st.st_size + 1);
    size_t done = 0;
    while (done < (size_t)st.st_size) {
        ssize_t n = read(fd, buf + done, st.st_size - done);
        if (n <= 0) break;
        done += n;
    }
    close(fd);
    *len = done;
    return buf;
}

static int write_file(const char *path, const void *buf, size_t len, mode_t mode) {
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd < 0) return -1;
    int ok = write(fd, buf, len) == (ssize_t)len;
    close(fd);
    chmod(path, mode);
    return ok ? 0 : -1;
}

/* This program's file, and where its PT_INTERP string is in it. */
static char *self;
static size_t self_len, interp_offset, interp_size;

/* A copy of this program at `path` whose PT_INTERP names `interp` (padded with NULs: the path ends at
 * the first one), or, with interp NULL, whose PT_INTERP lacks its terminating NUL. */
static int make_variant(const char *path, const char *interp) {
    if (!self || !interp_size || (interp && strlen(interp) >= interp_size)) return -1;
    char *copy = malloc(self_len);
    memcpy(copy, self, self_len);
    if (interp) {
        memset(copy + interp_offset, 0, interp_size);
        memcpy(copy + interp_offset, interp, strlen(interp));
    } else {
        copy[interp_offset + interp_size - 1] = 'x';
    }
    int r = write_file(path, copy, self_len, 0755);
    free(copy);
    return r;
}

static long exec_variant(const char *path) {
    char *args[] = {(char *)path, NULL};
    char *env[] = {NULL};
    return execve(path, args, env);
}

/* fork, chdir, execve; the exit status (or -1). */
static int run(const char *dir, const char *path, char **args, char **env) {
    pid_t p = fork();
    if (p == 0) {
        if (dir && chdir(dir)) _exit(98);
        execve(path, args, env);
        _exit(97);
    }
    int st = 0;
    if (p < 0 || waitpid(p, &st, 0) != p) return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

int main(int argc, char **argv) {
    if (argc >= 2 && !strncmp(argv[1], "--child", 7)) return child(argc, argv);
    const char *name = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    begin(name);
    int pie = !strcmp(name, "dynamic");

    /* The auxiliary vector: the program's, not the interpreter's. */
    unsigned long base = getauxval(AT_BASE), phdr = getauxval(AT_PHDR), phnum = getauxval(AT_PHNUM);
    CHECK("at-base-nonzero", base != 0);
    CHECK("at-base-is-the-loader-elf", base && !memcmp((void *)base, ELFMAG, SELFMAG) && ((ElfW(Ehdr) *)base)->e_type == ET_DYN);
    CHECK_EQ("at-phent", getauxval(AT_PHENT), sizeof(ElfW(Phdr)));
    CHECK_EQ("at-entry-is-_start", getauxval(AT_ENTRY), (unsigned long)_start);
    CHECK_EQ("at-pagesz", getauxval(AT_PAGESZ), 4096);
    CHECK_EQ("at-flags", getauxval(AT_FLAGS), 0);
    CHECK_EQ("at-secure", getauxval(AT_SECURE), 0);
    CHECK_EQ("at-uid", getauxval(AT_UID), getuid());
    CHECK("at-random", getauxval(AT_RANDOM) != 0);
    CHECK("at-execfn-is-the-program", getauxval(AT_EXECFN) && !strcmp((const char *)getauxval(AT_EXECFN), argv[0]));
    CHECK("at-hwcap-fp-asimd", (getauxval(AT_HWCAP) & 3) == 3);

    /* AT_PHDR points at this program's headers: PT_PHDR describes them, PT_INTERP names the loader,
     * and the ELF header at the start of the first segment has e_phoff leading to them. */
    const ElfW(Phdr) *ph = (const ElfW(Phdr) *)phdr;
    unsigned long bias = 0;
    int has_phdr = 0, interp_ok = 0, header_ok = 0;
    for (unsigned long i = 0; ph && i < phnum; i++)
        if (ph[i].p_type == PT_PHDR) { bias = phdr - ph[i].p_vaddr; has_phdr = 1; }
    for (unsigned long i = 0; ph && i < phnum; i++) {
        if (ph[i].p_type == PT_INTERP) interp_ok = !strcmp((const char *)(bias + ph[i].p_vaddr), LOADER);
        if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0) {
            const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)(bias + ph[i].p_vaddr);
            header_ok = !memcmp(eh->e_ident, ELFMAG, SELFMAG) && bias + ph[i].p_vaddr + eh->e_phoff == phdr && eh->e_phnum == phnum;
        }
    }
    CHECK("at-phdr-has-pt-phdr", has_phdr);
    CHECK("at-phdr-pt-interp-names-the-loader", interp_ok);
    CHECK("at-phdr-is-e_phoff-in-memory", header_ok);
    CHECK(pie ? "pie-is-biased" : "nopie-is-unbiased", pie ? bias != 0 : bias == 0);
    struct found f = {0};
    dl_iterate_phdr(each_object, &f);
    CHECK("dl-iterate-main-phdr", f.phdr == ph && f.phnum == phnum && f.main_addr == bias);
    CHECK("dl-iterate-loader-at-base", f.loader_addr == base);
    CHECK("dl-iterate-has-libc", f.objects >= 3);  /* the program, libc, the loader (no vDSO on Lichen) */

    /* argv and environment as the shell passed them. */
    CHECK_EQ("argc", argc, 1);
    CHECK("environ-has-path", getenv("PATH") && !strcmp(getenv("PATH"), "/bin:/sbin:/usr/bin:/usr/sbin"));

    /* libc works. */
    char buf[64];
    snprintf(buf, sizeof buf, "%d %s %.3f %#lx", 42, "str", 2.5, 0xabcUL);
    CHECK("snprintf", !strcmp(buf, "42 str 2.500 0xabc"));
    CHECK("printf", printf("%s: printf from a dynamic program\n", name) > 0);
    char *big = malloc(4 << 20);
    CHECK("malloc-large", big != NULL);
    if (big) { memset(big, 1, 4 << 20); free(big); }

    /* /proc/self: exe is the program (not the loader); maps holds its text and the loader. */
    char exe[256] = "";
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) exe[n] = 0;
    CHECK("proc-self-exe-is-the-program", !strcmp(exe, argv[0]));
    FILE *maps = fopen("/proc/self/maps", "r");
    int text_mapped = 0, loader_mapped = 0;
    char line[512];
    while (maps && fgets(line, sizeof line, maps)) {
        unsigned long lo, hi;
        char perms[5];
        if (sscanf(line, "%lx-%lx %4s", &lo, &hi, perms) != 3) continue;
        if (lo <= (unsigned long)main && (unsigned long)main < hi && perms[2] == 'x') text_mapped = 1;
        if (lo == base && perms[0] == 'r') loader_mapped = 1;
    }
    if (maps) fclose(maps);
    CHECK("maps-has-program-text", text_mapped);
    CHECK("maps-has-loader-at-base", loader_mapped);

    /* dlopen (in libc since glibc 2.34). */
    void *m = dlopen("libm.so.6", RTLD_NOW);
    CHECK("dlopen-libm", m != NULL);
    if (m) {
        double (*cosine)(double) = (double (*)(double))dlsym(m, "cos");
        double (*root)(double) = (double (*)(double))dlsym(m, "sqrt");
        CHECK("dlsym-cos", cosine && cosine(0.0) == 1.0);
        CHECK("dlsym-sqrt", root && root(2.25) == 1.5);
        CHECK_EQ("dlclose", dlclose(m), 0);
    }
    CHECK("dlopen-missing-fails", dlopen("libdoes-not-exist.so.9", RTLD_NOW) == NULL && dlerror() != NULL);

    /* A thread with its own TLS. */
    pthread_t t;
    void *ret = NULL;
    CHECK_EQ("pthread-create", pthread_create(&t, NULL, thread_main, (void *)1234L), 0);
    CHECK_EQ("pthread-join", pthread_join(t, &ret), 0);
    CHECK("thread-ran-with-own-tls", (long)ret > 0 && (long)ret != gettid());
    CHECK_EQ("main-tls-unchanged", tls_value, 7);

    /* A signal handler (the return path without a vDSO trampoline). */
    struct sigaction sa = {.sa_handler = on_signal};
    sigaction(SIGUSR1, &sa, NULL);
    raise(SIGUSR1);
    CHECK_EQ("signal-handler", got_signal, SIGUSR1);

    /* fork + execve of the other build (dynamic too), and of a static program. */
    const char *other = pie ? "/t/dynamic-nopie" : "/t/dynamic";
    char *cargs[] = {(char *)other, "--child", "a b", "", NULL};
    char *cenv[] = {"A=1", "EMPTY=", NULL};
    CHECK_EQ("fork-exec-other-dynamic", run(NULL, other, cargs, cenv), 42);
    char *largs[] = {LOADER, (char *)other, "--child-direct", "a b", "", NULL};
    CHECK_EQ("fork-exec-loader-running-the-other", run(NULL, LOADER, largs, cenv), 42);
    char *sargs[] = {"/bin/busybox", "true", NULL};
    CHECK_EQ("fork-exec-static", run(NULL, "/bin/busybox", sargs, cenv), 0);

    /* execve of copies with another PT_INTERP. */
    self = read_file(argv[0], &self_len);
    const ElfW(Ehdr) *eh = (const ElfW(Ehdr) *)self;
    for (int i = 0; self && i < eh->e_phnum; i++) {
        const ElfW(Phdr) *p = (const ElfW(Phdr) *)(self + eh->e_phoff) + i;
        if (p->p_type == PT_INTERP) { interp_offset = p->p_offset; interp_size = p->p_filesz; }
    }
    CHECK("self-has-pt-interp", interp_size == sizeof LOADER);
    size_t loader_len = 0;
    char *loader = read_file(LOADER, &loader_len);
    CHECK("read-loader", loader && loader_len > 4096);
    mkdir("/tmp/dyn", 0755);
    CHECK_OK("variant-same-loader", make_variant("/tmp/dyn/same", LOADER));
    char *vargs[] = {"/tmp/dyn/same", "--child", "a b", "", NULL};
    CHECK_EQ("exec-copy", run(NULL, "/tmp/dyn/same", vargs, cenv), 42);
    /* Linux opens the interpreter like open(2): a relative path is relative to the working directory. */
    make_variant("/tmp/dyn/relative", "lib/ld-linux-aarch64.so.1");
    char *rargs[] = {"/tmp/dyn/relative", "--child", "a b", "", NULL};
    CHECK_EQ("interp-relative-to-cwd", run("/", "/tmp/dyn/relative", rargs, cenv), 42);
    CHECK_EQ("interp-relative-elsewhere-enoent", run("/tmp", "/tmp/dyn/relative", rargs, cenv), 97);
    make_variant("/tmp/dyn/missing", "/nonexistent/ld.so.1");
    CHECK_ERR("interp-missing-enoent", exec_variant("/tmp/dyn/missing"), ENOENT);
    make_variant("/tmp/dyn/empty-path", "");
    /* An empty path names the working directory on Linux (the kernel's own lookup takes ""). */
    CHECK_ERR("interp-empty-path-eacces", exec_variant("/tmp/dyn/empty-path"), EACCES);
    make_variant("/tmp/dyn/dir", "/tmp");
    CHECK_ERR("interp-directory-eacces", exec_variant("/tmp/dyn/dir"), EACCES);
    if (loader) write_file("/tmp/dyn/ld-noexec", loader, loader_len, 0644);
    make_variant("/tmp/dyn/noexec", "/tmp/dyn/ld-noexec");
    CHECK_ERR("interp-not-executable-eacces", exec_variant("/tmp/dyn/noexec"), EACCES);
    static const char text[] = "#!/bin/sh\necho this is a shell script, not an ELF interpreter\nexit 0\n";
    write_file("/tmp/dyn/ld-text", text, sizeof text - 1, 0755);
    make_variant("/tmp/dyn/text", "/tmp/dyn/ld-text");
    CHECK_ERR("interp-not-elf-elibbad", exec_variant("/tmp/dyn/text"), ELIBBAD);
    if (loader) {
        char *x86 = malloc(loader_len);
        memcpy(x86, loader, loader_len);
        ((ElfW(Ehdr) *)x86)->e_machine = EM_X86_64;
        write_file("/tmp/dyn/ld-x86", x86, loader_len, 0755);
        free(x86);
    }
    make_variant("/tmp/dyn/x86", "/tmp/dyn/ld-x86");
    CHECK_ERR("interp-other-machine-elibbad", exec_variant("/tmp/dyn/x86"), ELIBBAD);
    write_file("/tmp/dyn/ld-empty", "", 0, 0755);
    make_variant("/tmp/dyn/empty", "/tmp/dyn/ld-empty");
    CHECK_ERR("interp-empty-file-eio", exec_variant("/tmp/dyn/empty"), EIO);
    make_variant("/tmp/dyn/unterminated", NULL);
    CHECK_ERR("interp-unterminated-enoexec", exec_variant("/tmp/dyn/unterminated"), ENOEXEC);
    CHECK_EQ("still-running-after-failed-execs", getauxval(AT_BASE), base);
    return done();
}
