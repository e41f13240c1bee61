#!/usr/bin/env python3
"""Syscall fuzzing in qemu: tests/sysfuzz/sysfuzz.c (static, aarch64-linux-gnu-gcc) forks children that
issue random syscalls with random and boundary arguments. Lichen must survive: no panic, no hang,
and the shell still works afterwards.

usage: tests/boot/test_sysfuzz.py [IMAGE] [--seed N] [--children N] [--calls N]
"""
import argparse, os, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
from lichen_qemu import boot
import program_initramfs

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))

def main():
    p = argparse.ArgumentParser()
    p.add_argument("image", nargs="?", default=os.path.join(ROOT, "build", "Image"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--children", type=int, default=16)
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--smp", type=int, default=2)
    p.add_argument("--append", default="")
    a = p.parse_args()
    init = (open(os.path.join(ROOT, "tests", "sysfuzz", "init")).read().replace("${SEED:-1}", str(a.seed))
            .replace("${CHILDREN:-16}", str(a.children)).replace("${CALLS:-2000}", str(a.calls)))
    initrd = program_initramfs.build(os.path.join(os.path.dirname(a.image), "sysfuzz"), "sysfuzz",
                                     os.path.join(ROOT, "tests", "sysfuzz", "sysfuzz.c"), init)
    r = boot(a.image, timeout=240, initrd=initrd, memory="512M", smp=a.smp, append=a.append)
    checks = [
        ("sysfuzz ran to the end", "sysfuzz: seed %d" % a.seed in r.output),
        ("no kernel panic", "Kernel panic" not in r.output),
        ("the shell works afterwards", "shell alive: 42" in r.output),
        ("clean power-off, no hang", not r.timed_out and r.exit_code == 0),
    ]
    for line in r.output.splitlines():
        if line.startswith("sysfuzz: seed"):
            print("  " + line)
    sys.exit(program_initramfs.report("sysfuzz", checks, r.output))

if __name__ == "__main__":
    main()
