#!/usr/bin/env python3
"""Scale benchmarks, Lichen vs Linux (`make bench-scale`, part of `make bench`; not of `make test`).

Builds every tests/bench/scale_*.c statically. Each program follows one protocol:
  scale_X list          the series names, one a line
  scale_X SERIES N      sets up N (processes, threads, descriptors...), runs the timed loop and prints
                        "SCALE SERIES N NS_PER_OP"
Each kernel boots under `-icount shift=0,sleep=off` (guest ns = instructions executed) with -m 2G, runs
every series of every program at each N, and the table gives, per series, Lichen and Linux at each N, the
Lichen/Linux ratio at the largest N and each kernel's growth factor from the smallest N to the largest
(target: Lichen's growth within 1.3x of Linux's). Written to build/bench/scale.txt.
A series that crashes or hangs a kernel shows crashed/hung; the rest runs in a fresh boot.

usage: tests/bench/scale.py [--n 10,10000] [--only REGEX] [--kernel both|lichen|linux] [--memory 2G]
"""
import argparse, glob, os, re, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import lichen_diff

OUT = os.path.join(ROOT, "build/bench")

def build():
    """[(program name, executable, [series])]; the series come from the source's `list`, run in the guest."""
    os.makedirs(OUT, exist_ok=True)
    progs = []
    for src in sorted(glob.glob(os.path.join(HERE, "scale_*.c"))):
        name = os.path.basename(src)[:-2]
        exe = os.path.join(OUT, name)
        if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
            subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-pthread", "-o", exe, src])
        progs.append((name, exe))
    return progs

def run_kernel(kernel, progs, ns, only, memory, results, notes):
    """Runs every (program, series, N) on `kernel`; results[(series, n)][kernel] = ns/op."""
    files = [("/t/" + name, exe, "755") for name, exe in progs]
    done, bad = set(), set()
    while True:
        # The guest lists the series itself (the programs are aarch64).
        script = ""
        for name, _ in progs:
            script += "for s in $(/t/%s list); do\n" % name
            if only:
                script += "  case $s in %s) ;; *) continue ;; esac\n" % only
            for n in ns:
                script += ("  grep -qx \"$s %d\" /t/skip 2>/dev/null && continue\n"
                           "  echo \"SCALESTART $s %d\"; /t/%s $s %d || echo \"SCALEFAIL $s %d status $?\"\n"
                           % (n, n, name, n, n))
            script += "done\n"
        skip = os.path.join(OUT, "scale-skip-%s" % kernel)
        with open(skip, "w") as f:
            f.write("".join("%s %d\n" % k for k in sorted(done | bad)))
        t = time.monotonic()
        r = lichen_diff.run(kernel, script=script, files=files + [("/t/skip", skip, "644")],
                            spec_lines=["dir /t 755"], memory=memory, icount=True, timeout=3600,
                            idle_timeout=600, compress=False)
        last = None
        for line in r.output.splitlines():
            w = line.split()
            if len(w) >= 3 and w[0] == "SCALESTART":
                last = (w[1], int(w[2]))
            elif len(w) == 4 and w[0] == "SCALE":
                results.setdefault((w[1], int(w[2])), {})[kernel] = float(w[3])
                done.add((w[1], int(w[2])))
            elif len(w) >= 3 and w[0] == "SCALEFAIL":
                notes.append("%s %s on %s: failed (%s)" % (w[1], w[2], kernel, " ".join(w[3:])))
                done.add((w[1], int(w[2])))
        print("  %s: %.0f s" % (kernel, time.monotonic() - t), file=sys.stderr)
        if r.status is not None:
            return
        if last is None or last in bad:
            sys.stderr.write(r.boot.output[-3000:])
            notes.append("%s: %s" % (kernel, r.describe()))
            return
        what = "hung" if r.boot.timed_out else "crashed"
        results.setdefault(last, {})[kernel] = what
        notes.append("%s %d on %s: %s (%s)" % (last[0], last[1], kernel, what, r.describe()))
        bad.add(last)

def fmt(v):
    return "%12.0f" % v if isinstance(v, float) else "%12s" % (v or "-")

def div(a, b):
    return "%8.2f" % (a / b) if isinstance(a, float) and isinstance(b, float) and b > 0 else "%8s" % "-"

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", default="10,10000", help="comma-separated N values")
    ap.add_argument("--only", help="shell case pattern of series names (e.g. 'kill0|futex-*')")
    ap.add_argument("--kernel", default="both", choices=["both", "lichen", "linux"])
    ap.add_argument("--memory", default="2G")
    a = ap.parse_args()
    ns = [int(x) for x in a.n.split(",")]
    progs = build()
    kernels = ["lichen", "linux"] if a.kernel == "both" else [a.kernel]
    for k in kernels:
        lichen_diff.kernel_image(k)
    results, notes = {}, []
    started = time.monotonic()
    for k in kernels:
        run_kernel(k, progs, ns, a.only, a.memory, results, notes)
    series = []
    for s, _ in sorted(results, key=lambda x: x[0]):
        if s not in series:
            series.append(s)
    lo, hi = ns[0], ns[-1]
    L = ["Scale: ns per operation in the guest under -icount shift=0,sleep=off (1 ns = 1 instruction), -m %s"
         % a.memory,
         "ratio = Lichen/Linux at N=%d; growth = ns at N=%d / ns at N=%d (target: Lichen's within 1.3x of Linux's)"
         % (hi, hi, lo)]
    head = "%-16s" % "series"
    for n in ns:
        head += " %12s %12s" % ("lichen@%d" % n, "linux@%d" % n)
    head += " %8s %8s %8s" % ("ratio", "growthL", "growthX")
    L.append(head)
    for s in series:
        row = "%-16s" % s
        for n in ns:
            v = results.get((s, n), {})
            row += " %s %s" % (fmt(v.get("lichen")), fmt(v.get("linux")))
        l = results.get((s, hi), {})
        row += " %s %s %s" % (div(l.get("lichen"), l.get("linux")),
                              div(l.get("lichen"), results.get((s, lo), {}).get("lichen")),
                              div(l.get("linux"), results.get((s, lo), {}).get("linux")))
        L.append(row)
    if notes:
        L.append("notes:")
        L += ["  " + n for n in notes]
    text = "\n".join(L) + "\n"
    with open(os.path.join(OUT, "scale.txt"), "w") as f:
        f.write(text)
    print(text, end="")
    print("(bench-scale took %.0f s)" % (time.monotonic() - started), file=sys.stderr)

if __name__ == "__main__":
    main()
