#!/usr/bin/env python3
"""Wake-up stress in qemu (-smp 4): tests/wakeups/wakeups.c runs threads and processes that sleep and
are woken by signals (pause, rt_sigsuspend, pselect6 with a temporary mask), futexes (condition
variables, also after a fork from a multithreaded process), pipes, timers (nanosleep, poll) and wait4,
all at once. It stops by itself: a sleeper that makes no progress for 10 s is reported by name with
where it sleeps, and the run fails. --linux runs the same initramfs on Debian's Linux.

usage: tests/boot/test_wakeups.py [IMAGE] [--seconds N] [--smp N] [--linux]
"""
import argparse, os, re, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
from lichen_qemu import boot
import program_initramfs

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
LINUX = os.path.join(ROOT, "build", "debian", "linux", "vmlinuz")

def main():
    p = argparse.ArgumentParser()
    p.add_argument("image", nargs="?", default=os.path.join(ROOT, "build", "Image"))
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--smp", type=int, default=4)
    p.add_argument("--memory", default="256M")
    p.add_argument("--linux", action="store_true")
    a = p.parse_args()
    init = open(os.path.join(ROOT, "tests", "wakeups", "init")).read().replace("${WAKEUP_SECONDS:-20}", str(a.seconds))
    initrd = program_initramfs.build(os.path.join(os.path.dirname(a.image), "wakeups"), "wakeups",
                                     os.path.join(ROOT, "tests", "wakeups", "wakeups.c"), init,
                                     cflags=["-pthread", "-Wall"], dirs=["/proc"])
    image, append = (LINUX, "console=ttyAMA0 quiet") if a.linux else (a.image, "")
    r = boot(image, timeout=60 + 2 * a.seconds, initrd=initrd, memory=a.memory, smp=a.smp, append=append)
    out = r.output.replace("\r", "")
    for line in out.splitlines():
        if line.startswith("wakeups:"):
            print("  " + line)
    stuck = re.findall(r"wakeups: STUCK .*", out)
    checks = [
        ("every sleeper kept waking" + (": " + "; ".join(stuck) if stuck else ""), "wakeups: PASS" in out),
        ("no kernel panic", "Kernel panic" not in out),
        ("clean power-off, no hang", not r.timed_out and r.exit_code == 0),
    ]
    sys.exit(program_initramfs.report("wakeups", checks, out))

if __name__ == "__main__":
    main()
