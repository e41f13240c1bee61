#!/usr/bin/env python3
"""Syscall fuzzing in qemu: tests/sysfuzz/sysfuzz.c (static, aarch64-linux-gnu-gcc) forks children that
issue every syscall Lichen implements (the table tools/gen-sysfuzz-table.py derives from kernel/syscalls/)
with structured and boundary arguments. Lichen must survive: no panic, no hang, and the shell still
works afterwards.

usage: tests/boot/test_sysfuzz.py [IMAGE] [--seed N|commit] [--children N] [--calls N] [--parallel N]
--seed commit: a seed derived from `git rev-parse HEAD` (a different slice for every commit; 1 outside git).
"""
import argparse, hashlib, os, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
from lichen_qemu import boot
import program_initramfs

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))

def commit_seed():
    """A seed from the commit: 31 bits of the hash of HEAD, or 1 outside git."""
    try:
        head = subprocess.check_output(["git", "-C", ROOT, "rev-parse", "HEAD"], stderr=subprocess.DEVNULL).strip()
    except (OSError, subprocess.CalledProcessError):
        return 1
    return int(hashlib.sha256(head).hexdigest()[:8], 16) & 0x7fffffff or 1

def main():
    p = argparse.ArgumentParser()
    p.add_argument("image", nargs="?", default=os.path.join(ROOT, "build", "Image"))
    p.add_argument("--seed", default="1")
    p.add_argument("--children", type=int, default=16)
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--parallel", type=int, default=2, help="children running at once")
    p.add_argument("--smp", type=int, default=2)
    p.add_argument("--timeout", type=int, default=240)
    p.add_argument("--console", help="write the whole console output to this file")
    p.add_argument("--append", default="")
    a = p.parse_args()
    a.seed = commit_seed() if a.seed == "commit" else int(a.seed, 0)
    print("sysfuzz: seed %d, %d children x %d calls (reproduce: tests/boot/test_sysfuzz.py --seed %d --children %d --calls %d --parallel %d)"
          % (a.seed, a.children, a.calls, a.seed, a.children, a.calls, a.parallel), flush=True)
    workdir = os.path.join(os.path.dirname(a.image), "sysfuzz")
    os.makedirs(workdir, exist_ok=True)
    with open(os.path.join(workdir, "syscalls.h"), "w") as f:
        subprocess.check_call([sys.executable, os.path.join(ROOT, "tools", "gen-sysfuzz-table.py")], stdout=f)
    init = (open(os.path.join(ROOT, "tests", "sysfuzz", "init")).read().replace("${SEED:-1}", str(a.seed))
            .replace("${CHILDREN:-16}", str(a.children)).replace("${CALLS:-2000}", str(a.calls)).replace("${PARALLEL:-2}", str(a.parallel)))
    initrd = program_initramfs.build(workdir, "sysfuzz", os.path.join(ROOT, "tests", "sysfuzz", "sysfuzz.c"), init,
                                     cflags=("-I", workdir), dirs=("/proc",))
    r = boot(a.image, timeout=a.timeout, initrd=initrd, memory="512M", smp=a.smp, append=a.append)
    if a.console:
        open(a.console, "w").write(r.output)
    checks = [
        ("sysfuzz ran to the end", "sysfuzz: seed %d" % a.seed in r.output and "sysfuzz: fork" not in r.output),
        ("no kernel panic", "Kernel panic" not in r.output),
        ("the shell works afterwards", "shell alive: 42" in r.output),
        ("no signal reached init", "init: got SIG" not in r.output),
        ("uid 1000 changed nothing of root's", "sysfuzz: unprivileged run changed nothing of root's" in r.output),
        ("clean power-off, no hang", not r.timed_out and r.exit_code == 0),
    ]
    for line in r.output.splitlines():
        if line.startswith("sysfuzz: seed") or "panic" in line.lower() or line.startswith("init: got") or line.startswith("Mem") or "sysfuzz: fork" in line or " stuck 5 s " in line or "unprivileged run" in line:
            print("  " + line)
    sys.exit(program_initramfs.report("sysfuzz", checks, r.output))

if __name__ == "__main__":
    main()
