/* Core dumps: a signal whose default action dumps core writes an ELF core file named "core" in the
 * working directory (core_pattern's default) when RLIMIT_CORE allows it, and the wait status has the
 * core bit. Checked: the file's mode, its ELF header, the notes (NT_PRSTATUS of the dumping thread with
 * its registers, NT_PRPSINFO, NT_SIGINFO, NT_PRFPREG), the memory (a heap buffer's bytes), RLIMIT_CORE
 * 0 and a limit too small for the dump (cut short, still the core bit), PR_SET_DUMPABLE 0, a crash in a second thread. */
#include "check.h"
#include <elf.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define MAGIC_X19 0x1122334455667788ull
#define PATTERN 0x5a
static unsigned char *buffer;
#define BUFSIZE (64 * 1024)

static void crash(void) {
    unsigned long long magic = MAGIC_X19;
    __asm__ volatile("mov x19, %0\n\tmov x9, #0\n\tstr xzr, [x9]" :: "r"(magic) : "x19", "x9", "memory");
}

static void set_core_limit(rlim_t limit) {
    struct rlimit r = {limit, RLIM_INFINITY};
    setrlimit(RLIMIT_CORE, &r);
}

static void *crashing_thread(void *arg) { (void)arg; *(volatile long *)arg = syscall(SYS_gettid); crash(); return NULL; }

/* Runs `mode` in a child; returns its wait status. */
static int child(int mode, pid_t *pid_out, long *tid_out) {
    long *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pid_t pid = fork();
    if (pid == 0) {
        buffer = malloc(BUFSIZE);
        memset(buffer, PATTERN, BUFSIZE);
        switch (mode) {
        case 0: set_core_limit(0); abort();
        case 1: set_core_limit(RLIM_INFINITY); crash();
        case 2: set_core_limit(4096); crash();
        case 3: set_core_limit(RLIM_INFINITY); prctl(PR_SET_DUMPABLE, 0); crash();
        case 4: {
            set_core_limit(RLIM_INFINITY);
            pthread_t t;
            pthread_create(&t, NULL, crashing_thread, shared);
            for (;;) pause();
        }
        }
        _exit(99);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (pid_out) *pid_out = pid;
    if (tid_out) *tid_out = shared[0];
    munmap(shared, 4096);
    return status;
}

static unsigned char *read_core(size_t *size) {
    int fd = open("core", O_RDONLY);
    if (fd < 0) return NULL;
    struct stat st;
    fstat(fd, &st);
    unsigned char *data = malloc(st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) { ssize_t n = read(fd, data + got, st.st_size - got); if (n <= 0) break; got += n; }
    close(fd);
    *size = got;
    return data;
}

/* The description of the first note of `type` (and its size), or NULL. */
static unsigned char *find_note(unsigned char *core, size_t size, unsigned type, unsigned *descsz) {
    Elf64_Ehdr *eh = (Elf64_Ehdr *)core;
    for (int i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr *ph = (Elf64_Phdr *)(core + eh->e_phoff + i * eh->e_phentsize);
        if (ph->p_type != PT_NOTE || ph->p_offset + ph->p_filesz > size) continue;
        size_t at = ph->p_offset, end = ph->p_offset + ph->p_filesz;
        while (at + 12 <= end) {
            Elf64_Nhdr *n = (Elf64_Nhdr *)(core + at);
            size_t desc = at + 12 + ((n->n_namesz + 3) & ~3u);
            if (n->n_type == type) { *descsz = n->n_descsz; return core + desc; }
            at = desc + ((n->n_descsz + 3) & ~3u);
        }
    }
    return NULL;
}

/* Whether the core's PT_LOADs hold `len` bytes at `address` equal to PATTERN. */
static int memory_has_pattern(unsigned char *core, size_t size, unsigned long address, size_t len) {
    Elf64_Ehdr *eh = (Elf64_Ehdr *)core;
    for (int i = 0; i < eh->e_phnum; i++) {
        Elf64_Phdr *ph = (Elf64_Phdr *)(core + eh->e_phoff + i * eh->e_phentsize);
        if (ph->p_type != PT_LOAD || address < ph->p_vaddr || address + len > ph->p_vaddr + ph->p_filesz) continue;
        size_t off = ph->p_offset + (address - ph->p_vaddr);
        if (off + len > size) return 0;
        for (size_t k = 0; k < len; k++) if (core[off + k] != PATTERN) return 0;
        return 1;
    }
    return 0;
}

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY | O_TRUNC);
    if (fd < 0) return -1;
    int r = write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
    close(fd);
    return r;
}

static int read_file(const char *path, char *out, size_t size) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    ssize_t n = read(fd, out, size - 1);
    close(fd);
    if (n < 0) return -1;
    out[n] = 0;
    return 0;
}

/* core_pattern with specifiers, core_uses_pid; both put back afterwards. */
static void patterns(void) {
    char text[256], want[256];
    CHECK_OK("pattern-set", write_file("/proc/sys/kernel/core_pattern", "/coredump-test/dump.%p.%s.%e.%%\n"));
    CHECK("pattern-read-back", read_file("/proc/sys/kernel/core_pattern", text, sizeof text) == 0
          && strcmp(text, "/coredump-test/dump.%p.%s.%e.%%\n") == 0);
    pid_t pid;
    int status = child(1, &pid, NULL);
    CHECK("pattern-core-bit", WCOREDUMP(status));
    snprintf(want, sizeof want, "/coredump-test/dump.%d.11.coredump.%%", pid);
    CHECK_OK("pattern-file-named", access(want, F_OK));
    unlink(want);
    CHECK_ERR("pattern-no-plain-core", access("core", F_OK), ENOENT);
    CHECK_OK("uses-pid-set", write_file("/proc/sys/kernel/core_uses_pid", "1\n"));
    CHECK_OK("uses-pid-pattern", write_file("/proc/sys/kernel/core_pattern", "named\n"));
    status = child(1, &pid, NULL);
    snprintf(want, sizeof want, "named.%d", pid);
    CHECK_OK("uses-pid-appended", access(want, F_OK));
    unlink(want);
    CHECK_ERR("uses-pid-not-a-number", write_file("/proc/sys/kernel/core_uses_pid", "x\n"), EINVAL);
    CHECK_OK("uses-pid-restore", write_file("/proc/sys/kernel/core_uses_pid", "0\n"));
    CHECK_OK("pattern-restore", write_file("/proc/sys/kernel/core_pattern", "core\n"));
}

int main(void) {
    begin("coredump");
    mkdir("/coredump-test", 0777);
    CHECK_OK("chdir", chdir("/coredump-test"));
    umask(022);

    unlink("core");
    int status = child(0, NULL, NULL);
    CHECK("limit0-killed-by-abort", WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECK("limit0-no-core-bit", !WCOREDUMP(status));
    CHECK_ERR("limit0-no-file", access("core", F_OK), ENOENT);

    pid_t pid;
    /* An old core file is replaced. */
    int old = open("core", O_CREAT | O_WRONLY, 0644);
    write(old, "old", 3);
    close(old);
    status = child(1, &pid, NULL);
    CHECK("dump-killed-by-segv", WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    CHECK("dump-core-bit", WCOREDUMP(status));
    struct stat st;
    CHECK_OK("dump-file-exists", stat("core", &st));
    CHECK_EQ("dump-file-mode", st.st_mode & 07777, 0600);
    CHECK("dump-file-regular", S_ISREG(st.st_mode));
    CHECK_EQ("dump-file-owner", st.st_uid, getuid());
    size_t size = 0;
    unsigned char *core = read_core(&size);
    CHECK("dump-readable", core != NULL && size > sizeof(Elf64_Ehdr));
    if (core && size > sizeof(Elf64_Ehdr)) {
        Elf64_Ehdr *eh = (Elf64_Ehdr *)core;
        CHECK("elf-magic", memcmp(eh->e_ident, ELFMAG, SELFMAG) == 0);
        CHECK_EQ("elf-class", eh->e_ident[EI_CLASS], ELFCLASS64);
        CHECK_EQ("elf-type-core", eh->e_type, ET_CORE);
        CHECK_EQ("elf-machine", eh->e_machine, EM_AARCH64);
        CHECK_EQ("elf-phentsize", eh->e_phentsize, sizeof(Elf64_Phdr));
        CHECK("elf-phnum", eh->e_phnum >= 4);
        Elf64_Phdr *first = (Elf64_Phdr *)(core + eh->e_phoff);
        CHECK_EQ("elf-first-phdr-note", first->p_type, PT_NOTE);
        unsigned sz = 0;
        unsigned char *prstatus = find_note(core, size, NT_PRSTATUS, &sz);
        CHECK("note-prstatus", prstatus != NULL && sz == 392);
        if (prstatus && sz == 392) {
            CHECK_EQ("prstatus-signo", *(int *)prstatus, SIGSEGV);
            CHECK_EQ("prstatus-cursig", *(short *)(prstatus + 12), SIGSEGV);
            CHECK_EQ("prstatus-pid", *(int *)(prstatus + 32), pid);
            CHECK_EQ("prstatus-ppid", *(int *)(prstatus + 36), getpid());
            unsigned long long *regs = (unsigned long long *)(prstatus + 112);
            CHECK("prstatus-x19", regs[19] == MAGIC_X19);
            CHECK("prstatus-pc", regs[32] != 0);
            CHECK("prstatus-sp", regs[31] != 0 && (regs[31] & 15) == 0);
            CHECK_EQ("prstatus-fpvalid", *(int *)(prstatus + 384), 1);
        }
        unsigned char *psinfo = find_note(core, size, NT_PRPSINFO, &sz);
        CHECK("note-prpsinfo", psinfo != NULL && sz == 136);
        if (psinfo && sz == 136) {
            CHECK_EQ("prpsinfo-pid", *(int *)(psinfo + 24), pid);
            CHECK("prpsinfo-fname", strncmp((char *)psinfo + 40, "coredump", 16) == 0);
            CHECK_EQ("prpsinfo-uid", *(unsigned *)(psinfo + 16), getuid());
        }
        unsigned char *si = find_note(core, size, NT_SIGINFO, &sz);
        CHECK("note-siginfo", si != NULL && sz == 128);
        if (si && sz == 128) {
            CHECK_EQ("siginfo-signo", ((siginfo_t *)si)->si_signo, SIGSEGV);
            CHECK_EQ("siginfo-code", ((siginfo_t *)si)->si_code, SEGV_MAPERR);
            CHECK("siginfo-addr", ((siginfo_t *)si)->si_addr == NULL);
        }
        unsigned char *fp = find_note(core, size, NT_PRFPREG, &sz);
        CHECK("note-fpregs", fp != NULL && sz == 528);
        /* The child's heap buffer (same address as in this process: fork, then malloc of the same size). */
        unsigned char *probe = malloc(BUFSIZE);
        CHECK("memory-heap-buffer", memory_has_pattern(core, size, (unsigned long)probe, BUFSIZE));
        free(probe);
        free(core);
    }

    unlink("core");
    status = child(2, NULL, NULL);
    CHECK("small-limit-killed", WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    CHECK("small-limit-core-bit", WCOREDUMP(status));            /* Linux: the dump started */
    CHECK("small-limit-file-cut", stat("core", &st) != 0 || st.st_size <= 4096);

    unlink("core");
    status = child(3, NULL, NULL);
    CHECK("nondumpable-killed", WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    CHECK("nondumpable-no-core-bit", !WCOREDUMP(status));
    CHECK_ERR("nondumpable-no-file", access("core", F_OK), ENOENT);

    unlink("core");
    long tid = 0;
    status = child(4, &pid, &tid);
    CHECK("thread-killed", WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    CHECK("thread-core-bit", WCOREDUMP(status));
    core = read_core(&size);
    CHECK("thread-core-file", core != NULL);
    if (core) {
        unsigned sz = 0;
        unsigned char *prstatus = find_note(core, size, NT_PRSTATUS, &sz);
        /* The dumping thread's note comes first, with its own id. */
        CHECK("thread-first-prstatus-is-crasher", prstatus != NULL && *(int *)(prstatus + 32) == tid && tid != pid);
        if (prstatus) CHECK("thread-x19", ((unsigned long long *)(prstatus + 112))[19] == MAGIC_X19);
        free(core);
    }
    unlink("core");
    patterns();
    rmdir("/coredump-test");
    return done();
}
