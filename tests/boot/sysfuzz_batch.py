#!/usr/bin/env python3
"""`make fuzz`'s syscall fuzzing: one boot per seed (tests/boot/test_sysfuzz.py), seeds FIRST..FIRST+N-1,
each CHILDREN x CALLS calls; stops at the first seed that fails (it is printed, with its reproducer).
--lock PATH: take that flock for each boot only, so that other qemu users get the machine in between.

usage: tests/boot/sysfuzz_batch.py [IMAGE] [--first N] [--seeds N] [--children N] [--calls N] [--lock PATH]
"""
import argparse, fcntl, os, re, subprocess, sys, time

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))

def main():
    p = argparse.ArgumentParser()
    p.add_argument("image", nargs="?", default=os.path.join(ROOT, "build", "Image"))
    p.add_argument("--first", type=int, default=1)
    p.add_argument("--seeds", type=int, default=105)
    p.add_argument("--children", type=int, default=48)
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--parallel", type=int, default=2)
    p.add_argument("--lock", default="")
    p.add_argument("--timeout", type=int, default=240, help="per boot (a loaded host needs more)")
    p.add_argument("--console", default="", help="keep each failing seed's console in DIR/seed-N.log")
    a = p.parse_args()
    total, start = 0, time.monotonic()
    for seed in range(a.first, a.first + a.seeds):
        lock = open(a.lock, "w") if a.lock else None
        if lock: fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            r = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "boot", "test_sysfuzz.py"), a.image,
                                "--seed", str(seed), "--children", str(a.children), "--calls", str(a.calls),
                                "--parallel", str(a.parallel), "--timeout", str(a.timeout)]
                               + (["--console", os.path.join(a.console, "seed-%d.log" % seed)] if a.console else []), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        finally:
            if lock: lock.close()
        m = re.search(r"(\d+) calls made", r.stdout)
        total += int(m.group(1)) if m else 0
        print("seed %d: %s, %s calls (total %d in %.0f s)" % (seed, "ok" if r.returncode == 0 else "FAILED",
              m.group(1) if m else "?", total, time.monotonic() - start), flush=True)
        if r.returncode != 0:
            print(r.stdout)
            sys.exit(1)
    print("sysfuzz batch: seeds %d-%d, %d calls, no panic, no hang" % (a.first, a.first + a.seeds - 1, total))

if __name__ == "__main__":
    main()
