#!/usr/bin/env python3
"""User-space benchmarks, Lichen vs Linux in the same qemu (`make bench`, `make bench-user`; not part of
`make test`).

Builds tests/bench/bench.c statically and runs every micro-benchmark under Lichen and under Linux (Debian's
linux-image-arm64) with the same qemu flags (-m, -smp; Linux booted with `mitigations=off nokaslr`), in two
modes:
  wall    qemu's default clock: guest CLOCK_MONOTONIC follows the host clock, so a busy host shows up as
          slowness; each figure is the best of --reps runs in each of --rounds boots per kernel, the boots
          alternating between the kernels;
  icount  `-icount shift=0,sleep=off`: guest time = instructions executed (1 ns each), repeatable but not
          real time; median of --reps runs in one boot per kernel.
Each run of a case lasts about --target-ms of guest time (fewer iterations for fork/exec: bench.c caps them).
Also measures boot time (host clock from qemu start to the first line of /init and to qemu's exit, median
of --boots boots per kernel and mode, alternating). Prints the table (also written to
build/bench/table.txt): ns/op and the Lichen/Linux ratio (below 1.0: Lichen is faster). A case a kernel
cannot run shows n/a (reason under the table); a case that crashes or hangs the guest shows crashed/hung
and the run goes on in a fresh boot.

usage: tests/bench/run.py [--memory 512M] [--smp 1] [--rounds 3] [--reps 3] [--target-ms 100]
                          [--boots 7] [--only REGEX] [--no-icount] [--no-boot]
"""
import argparse, datetime, os, re, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import lichen_diff, lichen_qemu

OUT = os.path.join(ROOT, "build/bench")
KERNELS = ("lichen", "linux")

def build():
    os.makedirs(OUT, exist_ok=True)
    exe = os.path.join(OUT, "bench")
    src = os.path.join(HERE, "bench.c")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-o", exe, src])
    names = re.findall(r'^\s*\{"([^"]+)", b_', open(src).read(), re.M)
    return exe, names

class Case:
    def __init__(self):
        self.times, self.notes, self.failures = [], set(), []

def run_boot(kernel, exe, names, reps, target_ms, memory, smp, icount, cases):
    """One or more boots of `kernel` running `reps` x every case (rep-major); results go into cases[name].
    After a case that crashes or hangs the guest, the rest runs in a fresh boot."""
    seq = [(r, n) for r in range(reps) for n in names]
    while seq:
        script = "".join("echo 'BENCHSTART %d %s'; /t/bench '%s' %dms || echo \"BENCHFAIL %s status $?\"\n"
                         % (i, n, n, target_ms, n) for i, (_, n) in enumerate(seq))
        script += "echo \"BENCHMEM $(grep MemFree /proc/meminfo)\"\n"
        r = lichen_diff.run(kernel, script=script, files=[("/t/bench", exe, "755")], spec_lines=["dir /t 755"],
                            memory=memory, smp=smp, icount=icount, timeout=900, idle_timeout=90,
                            compress=False)
        last = -1
        for line in r.output.splitlines():
            w = line.split(" ", 2)
            if w[0] == "BENCHSTART":
                last = int(w[1])
            elif w[0] == "BENCH" and len(w) == 3:
                v = w[2].split()
                cases[w[1]].times.append(float(v[0]))
                cases[w[1]].notes.update(v[2:])
            elif w[0] == "BENCHNA" and len(w) == 3:
                cases[w[1]].failures.append("n/a: " + w[2])
            elif w[0] == "BENCHFAIL" and len(w) == 3 and not any(f.startswith("n/a") for f in cases[w[1]].failures):
                cases[w[1]].failures.append("failed (" + w[2] + ")")
            elif w[0] == "BENCHMEM":
                print("    %s%s: after the run %s" % (kernel, " icount" if icount else "", line[9:]), file=sys.stderr)
        if r.status is not None:
            return
        # the guest died or hung in seq[last]: note it, skip that case from here on, go on in a fresh boot
        if last < 0:
            sys.stderr.write(r.boot.output[-3000:])
            raise SystemExit("bench: %s did not start the benchmarks (%s)" % (kernel, r.describe()))
        bad = seq[last][1]
        what = "hung" if r.boot.timed_out else "crashed the kernel"
        lines = [l.strip() for l in r.boot.output.splitlines() if l.strip()]
        panic = [i for i, l in enumerate(lines) if l.startswith("Kernel panic")]
        tail = [l for l in lines[panic[0]:panic[0] + 8] if l.startswith(("Kernel panic", "cause:", "pc ", "lr ", "#0"))] \
            if panic else lines[-3:]
        cases[bad].failures.append("%s (console: %s)" % (what, " | ".join(tail)[-400:]))
        print("    %s: %s %s; rebooting for the rest" % (kernel, bad, what), file=sys.stderr)
        seq = [(rep, n) for rep, n in seq[last + 1:] if n != bad]

def boot_times(memory, smp, runs, icount):
    """{kernel: (median seconds to /init's first line, median seconds to power-off)}, boots alternating."""
    first, total = {k: [] for k in KERNELS}, {k: [] for k in KERNELS}
    for _ in range(runs):
        for k in KERNELS:
            r = lichen_diff.run(k, script="true\n", memory=memory, smp=smp, timeout=120, icount=icount)
            if lichen_diff.INIT_MARK in r.boot.marks and not r.boot.timed_out:
                first[k].append(r.boot.marks[lichen_diff.INIT_MARK])
                total[k].append(r.boot.seconds)
    return {k: (statistics.median(first[k]) if first[k] else None, statistics.median(total[k]) if total[k] else None)
            for k in KERNELS}

def value(case, icount):
    if case is None:
        return "-"
    if case.times:
        return statistics.median(case.times) if icount else min(case.times)
    if case.failures:
        f = case.failures[0]
        return "n/a" if f.startswith("n/a") else f.split(" ")[0]
    return "-"

def fmt(v):
    return "%11.0f" % v if isinstance(v, float) else "%11s" % v

def ratio(a, b):
    return "%7.2f" % (a / b) if isinstance(a, float) and isinstance(b, float) and b > 0 else "%7s" % "-"

def loadavg():
    try:
        return open("/proc/loadavg").read().split()[0]
    except OSError:
        return "?"

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--memory", default="512M")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--rounds", type=int, default=3, help="wall-clock boots per kernel (alternating)")
    ap.add_argument("--reps", type=int, default=3, help="runs of each case per boot")
    ap.add_argument("--target-ms", type=int, default=100, help="guest time per run of a case")
    ap.add_argument("--boots", type=int, default=7, help="boots per kernel and mode for the boot times")
    ap.add_argument("--only", help="regex: only these benchmarks")
    ap.add_argument("--no-icount", action="store_true")
    ap.add_argument("--no-boot", action="store_true")
    a = ap.parse_args()
    exe, names = build()
    if a.only:
        names = [n for n in names if re.search(a.only, n)]
    lichen_diff.kernel_image("lichen")
    lichen_diff.ensure("linux")
    started, load0 = time.monotonic(), loadavg()
    modes = [False] if a.no_icount else [False, True]
    res = {}
    for icount in modes:
        res.update({(k, icount): {n: Case() for n in names} for k in KERNELS})
        for _ in range(1 if icount else a.rounds):
            for k in KERNELS:
                t = time.monotonic()
                run_boot(k, exe, names, a.reps, a.target_ms, a.memory, a.smp, icount, res[(k, icount)])
                print("  %s%s: %.0f s" % (k, " (icount)" if icount else "", time.monotonic() - t), file=sys.stderr)
    boots = {} if a.no_boot else {icount: boot_times(a.memory, a.smp, a.boots, icount) for icount in modes}

    linux_version = open(os.path.join(ROOT, "build/debian/linux/version")).read().strip()
    qemu = " ".join(lichen_qemu.qemu_command("IMAGE", memory=a.memory, smp=a.smp)[1:9])
    L = []
    L.append("Lichen (%s) vs Linux %s, %s, host load average %s at start, %s at end"
             % (git_rev(), linux_version, datetime.date.today().isoformat(), load0, loadavg()))
    L.append("qemu-system-aarch64 %s for both kernels; Linux -append '%s'" % (qemu, lichen_diff.LINUX_APPEND))
    L.append("ns/op in the guest (CLOCK_MONOTONIC), about %d ms of guest time per run; ratio = Lichen/Linux "
             "(below 1.00: Lichen faster)" % a.target_ms)
    L.append("wall: best of %d runs x %d boots per kernel; ic: -icount shift=0,sleep=off (1 instruction = 1 ns), "
             "median of %d runs" % (a.reps, a.rounds, a.reps))
    head = "%-24s %11s %11s %7s" % ("benchmark", "lichen", "linux", "ratio")
    if not a.no_icount:
        head += "   %11s %11s %7s" % ("lichen-ic", "linux-ic", "ratio")
    L.append(head)
    notes = []
    for n in names:
        row = "%-24s" % n
        for icount in modes:
            l, x = value(res[("lichen", icount)][n], icount), value(res[("linux", icount)][n], icount)
            row += "%s %s %s %s" % ("   " if icount else "", fmt(l), fmt(x), ratio(l, x))
        L.append(row)
        for k in KERNELS:
            fails, paths = set(), set()
            for icount in modes:
                c = res[(k, icount)][n]
                fails.update(f for f in c.failures if not c.times or not f.startswith("n/a"))
                paths.update(c.notes)
            for f in sorted(fails):
                notes.append("  %s on %s: %s" % (n, k, f))
            for p in sorted(paths):
                notes.append("  %s on %s: %s" % (n, k, p))
    if notes:
        L.append("notes:")
        L += notes
    if boots:
        L.append("")
        L.append("boot, host clock from qemu start, median of %d boots per kernel:  %9s %9s %7s"
                 % (a.boots, "lichen", "linux", "ratio"))
        for icount in modes:
            for i, label in enumerate(["to the first line of /init", "to power-off (qemu exit)"]):
                v = [boots[icount][k][i] for k in KERNELS]
                L.append("  %-63s %s %s %s" % (label + (", -icount" if icount else ", wall"),
                                              *["%8.3fs" % x if x is not None else "%9s" % "-" for x in v],
                                              ratio(*v)))
    text = "\n".join(L) + "\n"
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "table.txt"), "w") as f:
        f.write(text)
    print(text, end="")
    print("(bench-user took %.0f s)" % (time.monotonic() - started), file=sys.stderr)

def git_rev():
    try:
        return subprocess.check_output(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"

if __name__ == "__main__":
    main()
