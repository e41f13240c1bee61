#!/usr/bin/env python3
"""Debian's own arm64 programs on Lichen and on Linux (the same initramfs, qemu -smp 2): python3.11
(arithmetic, str.format, os.listdir, threads, subprocess with pipes, timers), GNU make -j4 with a
recursive make (jobserver pipes, pselect6), procps' vmstat 1 2 and ps (/proc readers) and a few of
coreutils (df reads /proc/self/mountinfo); then, with devpts and /dev/shm mounted, Python's asyncio
(a unix-socket server and clients, a subprocess), multiprocessing (Queue, Lock, Pool, a shared Value,
a forkserver Pool), os.openpty and pty.fork (tests/debian/programs.py), tmux (a detached session,
send-keys, capture-pane, resize-window), util-linux's script -c and socat over unix sockets (path,
abstract, datagram). The glibc loader, the libraries and the programs come from Debian bookworm's
packages (tools/fetch-debian-arm64.sh userland userland-extra); the guest script is
tests/debian/run.sh. Every part but "raw" must print the same on both kernels.

Not compared, because Lichen does not have it yet: /proc/stat's CPU times, interrupts and context
switches (vmstat's us/sy/id/in/cs columns read 0, 100 % idle: only the table's shape is compared) and
the running state in /proc/<pid>/stat (ps sees itself as S, not R: ps's own line is not printed).
glibc's nscd probe finds no /var/run/nscd/socket (connect: ENOENT), which ps shrugs off, as on Linux.

usage: tests/boot/test_debian.py [IMAGE]
"""
import os, re, subprocess, sys, time
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "debian"))
import lichen_diff, lichen_qemu, userland

USERLAND = os.path.join(ROOT, "build", "debian", "userland")
DEBIAN = os.path.join(ROOT, "tests", "debian")
EXTRA = os.path.join(ROOT, "build", "debian", "userland-extra")
DYNLOAD = "/usr/lib/python3.11/lib-dynload/%s.cpython-311-aarch64-linux-gnu.so"
PROGRAMS = ["/usr/bin/python3.11", "/usr/bin/make", "/usr/bin/vmstat",
            "/bin/true", "/bin/false", "/bin/echo", "/bin/cat", "/bin/sleep", "/bin/touch", "/bin/rm", "/bin/ps", "/bin/df", "/bin/date",
            "/usr/bin/nproc", "/usr/bin/seq", "/usr/bin/tac", "/usr/bin/tr", "/usr/bin/timeout"]
# What check.py imports beyond the modules frozen into python3.11 (site, codecs, io, abc, stat...);
# os.py and lib-dynload are the landmarks python3.11 looks for to find its prefix (it warns without).
PYTHON_MODULES = ["os", "encodings/__init__", "encodings/aliases", "encodings/utf_8", "encodings/ascii",
                  "encodings/latin_1", "collections", "contextlib", "copyreg", "enum", "functools",
                  "keyword", "locale", "operator", "re", "reprlib", "selectors", "signal", "struct",
                  "subprocess", "threading", "types", "warnings", "_weakrefset",
                  "socket",                                      # sockets.py
                  # programs.py: asyncio, multiprocessing (and ctypes for its Value), pty
                  "asyncio", "concurrent/__init__", "concurrent/futures", "multiprocessing", "ctypes",
                  "importlib", "logging", "_collections_abc", "_compat_pickle", "abc", "ast", "base64",
                  "bisect", "codecs", "collections/abc", "contextvars", "dis", "fnmatch", "genericpath",
                  "heapq", "inspect", "io", "linecache", "opcode", "pickle", "posixpath", "pty", "queue",
                  "random", "re/_casefix", "re/_compiler", "re/_constants", "re/_parser", "shutil", "stat",
                  "string", "tempfile", "textwrap", "token", "tokenize", "traceback", "tty", "typing",
                  "weakref", "pkgutil"]                            # pkgutil: runpy, for the forkserver
PROGRAMS += [DYNLOAD % m for m in ("_asyncio", "_contextvars", "_ctypes", "_multiprocessing", "_posixshmem",
                                   "_queue", "_typing", "mmap", "termios")]
PROGRAMS += ["/usr/bin/tmux", "/usr/bin/script", "/usr/bin/socat"]
# tmux: its default-terminal's and its own terminfo entries, the character classes of a UTF-8 locale
DATA = ["/lib/terminfo/s/screen", "/lib/terminfo/t/tmux", "/usr/lib/locale/C.utf8/LC_CTYPE"]
# Compared between the kernels, in run.sh's order (setup mounts devpts and /dev/shm for the parts after it)
PARTS = ["python", "sockets", "make", "vmstat", "coreutils", "setup", "asyncio", "multiprocessing", "pty",
         "tmux", "script", "socat"]
TIMEOUT = 150
results = []

def check(name, condition, detail=""):
    results.append((name, condition))
    print(("PASS " if condition else "FAIL ") + name + ("" if condition or not detail else "\n" + detail))

def sections(output):
    return lichen_qemu.console_sections(output, keep_blank=False)

def spec():
    base_dirs = {"bin", "dev", "proc", "sys", "tmp"}     # already in lichen_diff's base spec
    lines = [l for l in userland.spec_lines([USERLAND, EXTRA], PROGRAMS, PYTHON_MODULES,
                                            links=[("usr/bin/python3", "python3.11")], data=DATA)
             if not (l.startswith("dir ") and l.split()[1].lstrip("/") in base_dirs)]
    lines += ["dir /usr/lib/python3.11/lib-dynload 755", "dir /debian 755"]
    for name in ("check.py", "Makefile", "sub.mk", "sockets.py", "programs.py"):
        lines.append("file /debian/%s %s 644" % (name, os.path.join(DEBIAN, name)))
    return lines

def main():
    start = time.monotonic()
    image = sys.argv[1] if len(sys.argv) > 1 else lichen_diff.LICHEN
    for tree, what in ((USERLAND, "userland"), (EXTRA, "userland-extra")):
        if not os.path.exists(os.path.join(tree, ".complete")):
            subprocess.check_call([os.path.join(ROOT, "tools", "fetch-debian-arm64.sh"), what])
    initrd = lichen_diff.build_initramfs(open(os.path.join(DEBIAN, "run.sh")).read(), spec_lines=spec())
    lichen_diff.LICHEN = image
    got = {}
    for kernel in ("linux", "lichen"):
        r = lichen_diff.run(kernel, initrd=initrd, smp=2, memory="512M", timeout=TIMEOUT)
        got[kernel] = sections(r.output)
        print("%s: %.1f s" % (kernel, r.boot.seconds))
        check(kernel + ": the guest script ran to the end", r.ok and "end" in got[kernel],
              r.describe() + "\n" + r.boot.output[-3000:])
    linux, lichen = got["linux"], got["lichen"]
    statuses = {"python": ["python"], "make": ["make"], "vmstat": ["vmstat"], "sockets": ["sockets"],
                "setup": ["setup"], "asyncio": ["asyncio"], "multiprocessing": ["multiprocessing"],
                "pty": ["pty"], "tmux": ["new-session", "kill-server"], "script": ["script"],
                "socat": ["client", "listener"]}
    check("linux: every program exits 0",
          all(("%s status 0" % s) in linux.get(p, []) for p, ss in statuses.items() for s in ss),
          "\n".join("%s: %s" % kv for kv in linux.items()))
    for name in PARTS:
        check("lichen: " + name + " as on Linux", lichen.get(name) == linux.get(name),
              "linux:\n  " + "\n  ".join(linux.get(name, [])) + "\nlichen:\n  " + "\n  ".join(lichen.get(name, []))
              + ("\nlichen's vmstat output:\n  " + "\n  ".join(lichen.get("raw", [])) if name == "vmstat" else ""))
    print("lichen's vmstat 1 2:\n  " + "\n  ".join(lichen.get("raw", [])))
    failed = [n for n, ok in results if not ok]
    print("%d passed, %d failed (%.1f s)" % (len(results) - len(failed), len(failed), time.monotonic() - start))
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
