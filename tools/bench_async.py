#!/usr/bin/env python3
"""`make bench`: boots the kernel with lichen.test=async-bench on 1 and 4 CPUs and prints what async
costs, as ratios to a plain synchronous call measured in the same run (qemu TCG; the host is shared,
so expect noise of tens of percent between runs).

usage: tools/bench_async.py [IMAGE] [--smp N ...]
"""
import os, re, sys
sys.path.insert(0, os.path.dirname(__file__))
from lichen_qemu import boot

def run(image, smp):
    r = boot(image, timeout=300, append="lichen.test=async-bench", memory="512M", smp=smp)
    rows = re.findall(r"bench: ([^:\n]+): (\d+) ns/op, ([0-9.]+)x sync call", r.output)
    if "selftest async-bench: PASS" not in r.output or not rows:
        print(r.output[-3000:])
        sys.exit("bench with -smp %d failed (exit=%s timed_out=%s)" % (smp, r.exit_code, r.timed_out))
    return rows

def main():
    args = sys.argv[1:]
    image = args[0] if args and not args[0].startswith("--") else "build/Image"
    cpus = [int(a.split("=", 1)[1]) for a in args if a.startswith("--smp=")] or [1, 4]
    for smp in cpus:
        print("async runtime benchmark, qemu TCG, -smp %d (best of 3 runs inside the guest)" % smp)
        print("  %-28s %10s %14s" % ("operation", "ns/op", "x sync call"))
        for name, ns, ratio in run(image, smp):
            print("  %-28s %10s %14s" % (name, ns, ratio))
        print()

if __name__ == "__main__":
    main()
