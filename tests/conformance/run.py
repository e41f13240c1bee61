#!/usr/bin/env python3
"""Syscall conformance suite: builds tests/conformance/*.c as static aarch64 programs
(aarch64-linux-gnu-gcc -static -O2), runs them all in one boot under Linux (where every check must
pass: that proves the checks) and under Lichen, and compares. dynamic.c is built dynamically linked
instead (as a PIE and as an ET_EXEC), big.c both static and as a PIE, and Debian's glibc loader and
libraries go into /lib.

    tests/conformance/run.py [--kernel both|lichen|linux] [--only REGEX]

A Lichen failure must be listed in tests/conformance/known-failures.txt ("PROGRAM/CHECK  reason");
the run fails on unlisted failures and on listed checks that now pass (delete their line), so that
file only shrinks. A program that dies before its summary counts as the failure "PROGRAM/(died)".
"""
import argparse, os, re, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import lichen_diff

OUT = os.path.join(ROOT, "build/conformance")
CC = "aarch64-linux-gnu-gcc"
# Sources built dynamically linked: {source name: [(program, gcc flags)]}.
DYNAMIC = {"dynamic": [("dynamic", ["-fPIE", "-pie"]), ("dynamic-nopie", ["-fno-PIE", "-no-pie"])],
           "big": [("big", ["-static"]), ("big-dynamic", ["-fPIE", "-pie"])],
           "execmap": [("execmap", ["-static", "-fno-toplevel-reorder"]),
                       ("execmap-dynamic", ["-fPIE", "-pie", "-fno-toplevel-reorder"])]}
# What the dynamic programs need at run time (the cross toolchain's glibc, as Debian installs it).
CROSS_LIB = "/usr/aarch64-linux-gnu/lib"
RUNTIME = [("/lib/ld-linux-aarch64.so.1", "ld-linux-aarch64.so.1"),
           ("/lib/aarch64-linux-gnu/libc.so.6", "libc.so.6"), ("/lib/aarch64-linux-gnu/libm.so.6", "libm.so.6")]

def build():
    os.makedirs(OUT, exist_ok=True)
    progs = []
    header = os.path.join(HERE, "check.h")
    for src in sorted(f for f in os.listdir(HERE) if f.endswith(".c")):
        name = src[:-2]
        srcp = os.path.join(HERE, src)
        for prog, flags in DYNAMIC.get(name, [(name, ["-static"])]):
            exe = os.path.join(OUT, prog)
            if not os.path.exists(exe) or os.path.getmtime(exe) < max(os.path.getmtime(srcp), os.path.getmtime(header)):
                subprocess.check_call([CC] + flags + ["-O2", "-Wall", "-Wno-array-bounds", "-o", exe, srcp])
            progs.append(prog)
    return progs

def runtime_files():
    """(initramfs files, spec lines) for the dynamic programs: the loader and libraries in /lib."""
    files = [(guest, os.path.join(CROSS_LIB, host), "755") for guest, host in RUNTIME]
    return files, ["dir /lib 755", "dir /lib/aarch64-linux-gnu 755"]

def script(progs):
    lines = []
    for p in progs:
        lines.append("echo '@@@PROG %s'" % p)
        lines.append("/t/%s < /dev/null 2>&1" % p)
        lines.append("echo \"@@@EXIT %s $?\"" % p)
    return "\n".join(lines) + "\n"

def parse(output, progs):
    """{prog: (passed, failed, [failed check names], exit)}"""
    res = {}
    for p in progs:
        m = re.search(r"@@@PROG %s\n(.*?)@@@EXIT %s (\d+)" % (p, p), output, re.S)
        if not m:
            res[p] = (0, 0, [p + "/(died)"], None)
            continue
        body = m.group(1)
        fails = re.findall(r"^FAIL (%s/[^:]+):" % p, body, re.M)
        s = re.search(r"^%s: (\d+) passed, (\d+) failed$" % p, body, re.M)
        if not s:
            fails.append(p + "/(died)")
            res[p] = (0, len(fails), fails, int(m.group(2)))
        else:
            res[p] = (int(s.group(1)), int(s.group(2)), fails, int(m.group(2)))
    return res

def load_known():
    known = {}
    path = os.path.join(HERE, "known-failures.txt")
    if os.path.exists(path):
        for line in open(path):
            if line.strip() and not line.lstrip().startswith("#"):
                name, _, reason = line.strip().partition(" ")
                known[name] = reason.strip()
    return known

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="both", choices=["both", "lichen", "linux"])
    # 384M: at 256M Linux's rootfs (the unpacked programs, ~60 MB) left readahead's 3 MiB file a
    # short write once the suite grew past 64 programs.
    ap.add_argument("--memory", default="384M")
    ap.add_argument("--timeout", type=float, default=120)
    ap.add_argument("--idle", type=float, default=20, help="seconds without output that count as a hang")
    ap.add_argument("--only", help="regex: only the programs whose names it matches (e.g. '^vdso$')")
    a = ap.parse_args()
    progs = build()
    if a.only: progs = [p for p in progs if re.search(a.only, p)]
    files = [("/t/" + p, os.path.join(OUT, p), "755") for p in progs]
    runtime, runtime_dirs = runtime_files()
    files += runtime
    status = 0
    known = load_known()
    report = []
    for kernel in (["linux", "lichen"] if a.kernel == "both" else [a.kernel]):
        res, remaining, outputs, consoles = {}, list(progs), [], []
        while remaining:
            # a program that hangs or crashes the guest ends that boot: go on with the next one
            # Uncompressed for Lichen, as always (its inflater's old panic on large images is fixed: docs/testing.md).
            # Compressed for Linux: with every program (about 60 MB) its unpacking ran out of memory at
            # 256M ("Initramfs unpacking failed: write error"), holding the archive and its files at once.
            initrd = lichen_diff.build_initramfs(script(remaining), files, ["dir /t 755"] + runtime_dirs,
                                                 compress=kernel == "linux")
            r = lichen_diff.run(kernel, initrd=initrd, memory=a.memory, timeout=a.timeout, idle_timeout=a.idle)
            got = parse(r.output, remaining)
            outputs.append(r.output)
            finished = [p for p in remaining if got[p][3] is not None]
            res.update({p: got[p] for p in finished})
            left = [p for p in remaining if p not in finished]
            if left:
                first = left[0]
                res[first] = got[first]
                why = "hung (no output for %d s)" % a.idle if r.boot.timed_out else "the guest stopped"
                print("%s: %s %s; console tail:\n%s" % (kernel, first, why, r.boot.output[-1500:]))
                consoles.append(r.boot.output)
                left = left[1:]
            remaining = left
        res = {p: res[p] for p in progs}
        r.output = "".join(outputs)
        tp = sum(v[0] for v in res.values())
        tf = sum(v[1] for v in res.values())
        fails = [f for v in res.values() for f in v[2]]
        print("%s: %d passed, %d failed (%s)" % (kernel, tp, tf, ", ".join("%s %d/%d" % (p, v[0], v[0] + v[1]) for p, v in res.items())))
        report.append("===== %s =====\n%s\n" % (kernel, r.output if r.output else r.boot.output[-4000:]))
        if kernel == "linux":
            if fails:
                print("FAIL: checks failing on Linux are wrong checks: fix them: %s" % ", ".join(fails))
                status = 1
        else:
            unexpected = [f for f in fails if f not in known]
            fixed = [k for k in known if k not in fails and k.split("/")[0] in res and res[k.split("/")[0]][3] is not None]
            if unexpected:
                print("FAIL: unexpected Lichen failures (not in tests/conformance/known-failures.txt):")
                for f in unexpected:
                    detail = re.search(r"^FAIL %s: .*$" % re.escape(f), r.output, re.M)
                    print("  " + (detail.group(0) if detail else f))
                status = 1
            if fixed:
                print("FAIL: these known failures now pass: remove them from tests/conformance/known-failures.txt: %s" % ", ".join(fixed))
                status = 1
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "report.txt"), "w") as f:
        f.write("\n".join(report))
    print("conformance: %s (full output: build/conformance/report.txt)" % ("OK" if status == 0 else "FAILED"))
    sys.exit(status)

if __name__ == "__main__":
    main()
