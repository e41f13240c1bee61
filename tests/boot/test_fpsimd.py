#!/usr/bin/env python3
"""FP/SIMD registers across CPU migrations: tests/fpsimd/fpmigrate.c (static, threads) loads all 32
vector registers, FPCR and FPSR, moves itself between CPUs with sched_setaffinity, sleeps, and
compares. Lichen on 2 and 4 CPUs must give every thread its own registers back after every move, as
Debian's Linux does on 2 CPUs in the same run (which also proves the program).

usage: tests/boot/test_fpsimd.py [IMAGE] [--threads N] [--iterations N]
"""
import argparse, os, re, subprocess, sys
ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import lichen_diff, program_initramfs

def main():
    p = argparse.ArgumentParser()
    p.add_argument("image", nargs="?", default=os.path.join(ROOT, "build", "Image"))
    p.add_argument("--threads", type=int, default=6)
    p.add_argument("--iterations", type=int, default=150)
    a = p.parse_args()
    lichen_diff.LICHEN = os.path.abspath(a.image)
    subprocess.check_call([os.path.join(ROOT, "tools", "ensure-deps.sh"), "gcc"])
    work = os.path.join(ROOT, "build", "fpsimd")
    os.makedirs(work, exist_ok=True)
    exe = os.path.join(work, "fpmigrate")
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-pthread", "-o", exe,
                           os.path.join(ROOT, "tests", "fpsimd", "fpmigrate.c")])
    script = "/bin/fpmigrate %d %d\n" % (a.threads, a.iterations)
    checks, outputs = [], []
    for kernel, smp in (("linux", 2), ("lichen", 2), ("lichen", 4)):
        r = lichen_diff.run(kernel, script, files=[("/bin/fpmigrate", exe, "755")], smp=smp, timeout=180)
        m = re.search(r"fpmigrate: (\d+) cpus, \d+ threads, (\d+) affinity changes, (\d+) cpu changes, (\d+) mismatches", r.output)
        label = "%s -smp %d" % (kernel, smp)
        print("  %s: %s" % (label, m.group(0) if m else "no report"))
        outputs.append(label + ":\n" + r.output)
        checks.append(("%s: every thread got its registers back after %s CPU changes" % (label, m.group(3) if m else "?"),
                       m is not None and int(m.group(1)) == smp and int(m.group(2)) == a.threads * a.iterations
                       and int(m.group(4)) == 0 and r.status == 0))
        # The threads must really have moved between CPUs, or the check above proves nothing.
        checks.append(("%s: threads changed CPU (at least a third of the iterations)" % label,
                       m is not None and int(m.group(3)) * 3 >= a.threads * a.iterations))
    sys.exit(program_initramfs.report("fpsimd", checks, "\n".join(outputs)))

if __name__ == "__main__":
    main()
