#!/usr/bin/env python3
"""User-space benchmarks, Lichen vs Linux in the same qemu (`make bench-user`; not part of `make test`).

Builds tests/bench/bench.c statically, runs every micro-benchmark under Lichen and Linux (same -m, -smp;
Linux with `mitigations=off nokaslr`), once with wall-clock guest time and once with
`-icount shift=0,sleep=off` (guest time = instruction count: repeatable, but it is not real time), and
measures boot time to the first line of /init and to power-off (host time, median of --boots runs).
Prints a table of ns/op and the Lichen/Linux ratio (below 1.0: Lichen is faster).

usage: tests/bench/run.py [--memory 256M] [--smp 1] [--boots 5] [--only REGEX] [--no-icount]
"""
import argparse, os, re, statistics, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import lichen_diff

OUT = os.path.join(ROOT, "build/bench")

def build():
    os.makedirs(OUT, exist_ok=True)
    exe = os.path.join(OUT, "bench")
    src = os.path.join(HERE, "bench.c")
    if not os.path.exists(exe) or os.path.getmtime(exe) < os.path.getmtime(src):
        subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-o", exe, src])
    names = re.findall(r'^\s*\{"([^"]+)", b_', open(src).read(), re.M)
    return exe, names

def run_benches(kernel, exe, names, memory, smp, icount):
    """{name: ns/op or a failure note}; reboots after a benchmark that crashes or hangs the guest."""
    results, remaining = {}, list(names)
    while remaining:
        script = "".join("/t/bench '%s' || echo 'BENCHFAIL %s'\n" % (n, n) for n in remaining)
        r = lichen_diff.run(kernel, script=script, files=[("/t/bench", exe, "755")], spec_lines=["dir /t 755"],
                            memory=memory, smp=smp, icount=icount, timeout=600, idle_timeout=60,
                            compress=False)   # Lichen panics inflating a gzip'd initramfs with a glibc static binary
        for m in re.finditer(r"^BENCH (\S+) ([0-9.]+) (\d+)$", r.output, re.M):
            results[m.group(1)] = float(m.group(2))
        for m in re.finditer(r"^BENCHFAIL (\S+)$", r.output, re.M):
            results.setdefault(m.group(1), "failed")
        left = [n for n in remaining if n not in results]
        if left:
            results[left[0]] = "hung" if r.boot.timed_out else "crashed"
            left = left[1:]
        remaining = left
    return results

def boot_times(kernel, memory, smp, runs):
    first, total = [], []
    for _ in range(runs):
        r = lichen_diff.run(kernel, script="true\n", memory=memory, smp=smp, timeout=120)
        if lichen_diff.INIT_MARK in r.boot.marks and not r.boot.timed_out:
            first.append(r.boot.marks[lichen_diff.INIT_MARK])
            total.append(r.boot.seconds)
    if not first:
        return None, None
    return statistics.median(first), statistics.median(total)

def fmt(v):
    return "%10.0f" % v if isinstance(v, float) else "%10s" % v

def ratio(a, b):
    return "%7.2f" % (a / b) if isinstance(a, float) and isinstance(b, float) and b > 0 else "%7s" % "-"

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--memory", default="256M")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--boots", type=int, default=5)
    ap.add_argument("--only", help="regex: only these benchmarks")
    ap.add_argument("--no-icount", action="store_true")
    a = ap.parse_args()
    exe, names = build()
    if a.only:
        names = [n for n in names if re.search(a.only, n)]
    modes = [False] if a.no_icount else [False, True]
    res = {}
    for icount in modes:
        for kernel in ("lichen", "linux"):
            t = time.monotonic()
            res[(kernel, icount)] = run_benches(kernel, exe, names, a.memory, a.smp, icount)
            print("  %s%s: %.0f s" % (kernel, " (icount)" if icount else "", time.monotonic() - t), file=sys.stderr)
    lines = []
    linux_version = open(os.path.join(ROOT, "build/debian/linux/version")).read().strip()
    lines.append("Lichen vs Linux %s, qemu -M virt -cpu cortex-a72 -m %s -smp %d, Linux booted with `%s`"
                 % (linux_version, a.memory, a.smp, lichen_diff.LINUX_APPEND))
    lines.append("ns/op measured in the guest (CLOCK_MONOTONIC); ratio = Lichen/Linux (below 1.00: Lichen faster)")
    head = "%-26s %10s %10s %7s" % ("benchmark", "lichen", "linux", "ratio")
    if not a.no_icount:
        head += "   %10s %10s %7s" % ("lichen-ic", "linux-ic", "ratio")
    lines.append(head + ("   (-ic: -icount shift=0,sleep=off)" if not a.no_icount else ""))
    for n in names:
        l, x = res[("lichen", False)].get(n, "-"), res[("linux", False)].get(n, "-")
        row = "%-26s %s %s %s" % (n, fmt(l), fmt(x), ratio(l, x))
        if not a.no_icount:
            li, xi = res[("lichen", True)].get(n, "-"), res[("linux", True)].get(n, "-")
            row += "   %s %s %s" % (fmt(li), fmt(xi), ratio(li, xi))
        lines.append(row)
    lines.append("")
    lines.append("boot (host wall time, median of %d): %-10s %-10s" % (a.boots, "lichen", "linux"))
    bt = {k: boot_times(k, a.memory, a.smp, a.boots) for k in ("lichen", "linux")}
    for i, label in enumerate(["qemu start -> first line of /init", "qemu start -> power-off"]):
        vals = [bt[k][i] for k in ("lichen", "linux")]
        lines.append("  %-36s %s %s %s" % (label, *["%8.3f s" % v if v is not None else "%10s" % "-" for v in vals],
                                            ratio(*vals) if None not in vals else ""))
    text = "\n".join(lines) + "\n"
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "table.txt"), "w") as f:
        f.write(text)
    print(text, end="")

if __name__ == "__main__":
    main()
