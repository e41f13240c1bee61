#!/usr/bin/env python3
"""Where one scale series (tests/bench/scale_*.c) spends its instructions in Lichen's kernel, per operation:
tools/bench_profile.py's trace profile, over the stretch from the first to the last call of the series'
timed operation, a noinline function `op_<series>` (dashes as underscores) in the scale program.
The set-up (N threads, descriptors, mappings) is traced too, so keep N moderate (1,000-2,000: the qemu
log grows by ~15 bytes per instruction executed).

usage: tools/scale_profile.py PROGRAM SERIES N [--top 40] [--callers FUNCTION] [--build DIR]
  e.g. tools/scale_profile.py scale_proc clone-thread 2000
"""
import argparse, os, subprocess, sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import bench_profile, lichen_diff

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("program")
    ap.add_argument("series")
    ap.add_argument("n", type=int)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--callers")
    ap.add_argument("--keep-log", action="store_true")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    a = ap.parse_args()
    out = os.path.join(ROOT, "build/bench")
    os.makedirs(out, exist_ok=True)
    exe = os.path.join(out, a.program + "-profile")
    # linked away from 0x400000, where the static busybox runs too, so PCs tell the program apart
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-pthread",
                           "-Wl,-Ttext-segment=0x10000000", "-o", exe,
                           os.path.join(ROOT, "tests/bench", a.program + ".c")])
    fn = "op_" + a.series.replace("-", "_")
    rows = [l.split() for l in subprocess.check_output([bench_profile.NM, "-S", exe], text=True).splitlines()]
    found = [(int(x[0], 16), int(x[1], 16)) for x in rows if len(x) == 4 and x[3] == fn]
    if not found:
        raise SystemExit("scale_profile: no function %s in %s (make the timed operation a noinline op_*)" % (fn, a.program))
    lo, length = found[0]
    lichen_diff.LICHEN = os.path.join(a.build, "Image")
    syms = bench_profile.symbols(os.path.join(a.build, "kernel.elf"))
    target = None
    if a.callers:
        i = syms[1].index(a.callers)
        target = (syms[0][i], syms[0][i + 1])
    per, ops, callers = bench_profile.profile(exe, a.series, 0, (lo, lo + length), syms, a.keep_log, target,
                                              command="/t/bench %s %d" % (a.series, a.n))
    total = sum(per.values())
    user = per.get("(user space)", 0)
    print("%s N=%d: %d calls of %s profiled, %.0f instructions per op (%.0f in the kernel, %.0f in user space)"
          % (a.series, a.n, ops, fn, total / ops, (total - user) / ops, user / ops))
    top = sorted(per.items(), key=lambda kv: -kv[1])[:a.top]
    names = bench_profile.demangle([k for k, _ in top])
    for name, insns in top:
        print("%9.1f  %5.1f%%  %s" % (insns / ops, 100.0 * insns / total, names.get(name, name)[:160]))
    if target:
        ranked = sorted(callers.items(), key=lambda kv: -kv[1][1])[:a.top]
        names = bench_profile.demangle([k for k, _ in ranked])
        for name, (n, insns) in ranked:
            print("%9.1f %9.1f  %s" % (n / ops, insns / ops, names.get(name, name)[:160]))

if __name__ == "__main__":
    main()
