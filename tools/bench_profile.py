#!/usr/bin/env python3
"""Where a user-space benchmark spends its instructions in the kernel: runs `bench NAME ITERATIONS`
(tests/bench/bench.c) under Lichen in qemu with `-d exec,nochain,in_asm`, weighs every executed
translation block by its instruction count and prints the executed instructions per kernel function
(symbolized with llvm-nm over build/kernel.elf, demangled with swift-demangle) per operation:
only the stretch of the trace from the first to the last call of the case's b_* function counts. The qemu
log is large (2000 getpid calls: ~100 MB, under build/bench). Lichen only (Debian's vmlinuz has no
symbols here).

usage: tools/bench_profile.py NAME [ITERATIONS] [--top 40] [--keep-log] [--build DIR] [--callers FUNCTION]

--callers FUNCTION (a symbol, e.g. memcpy): also prints, per operation, how often each function called
it and the instructions spent in it per caller (the caller is the function of the block executed just
before FUNCTION's entry).
"""
import argparse, bisect, collections, os, re, subprocess, sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests/bench"))
import lichen_diff, lichen_qemu

NM = os.environ.get("LLVM_NM", "/opt/swift/usr/bin/llvm-nm")
DEMANGLE = os.environ.get("SWIFT_DEMANGLE", "/opt/swift/usr/bin/swift-demangle")

def symbols(elf):
    addrs, names = [], []
    for line in subprocess.check_output([NM, "-n", "--demangle", elf], text=True).splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in "tTwW" and parts[0].startswith("0000ff"):
            addrs.append(int(parts[0], 16))
            names.append(parts[2])
    return addrs, names

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name")
    ap.add_argument("iterations", type=int, nargs="?", default=2000)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--keep-log", action="store_true")
    ap.add_argument("--callers", help="who calls this kernel symbol (mangled or C name), per operation")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"),
                    help="directory with Image and kernel.elf (another checkout's build/ to compare)")
    a = ap.parse_args()
    import run as bench_run
    bench_run.build()
    # linked away from 0x400000, where the static busybox runs too, so PCs tell the bench apart
    exe = os.path.join(bench_run.OUT, "bench-profile")
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-Wl,-Ttext-segment=0x10000000",
                           "-o", exe, os.path.join(ROOT, "tests/bench/bench.c")])
    fn = re.search(r'\{"%s", (b_\w+),' % re.escape(a.name), open(os.path.join(ROOT, "tests/bench/bench.c")).read())
    if not fn:
        raise SystemExit("bench_profile: no benchmark %s in tests/bench/bench.c" % a.name)
    lo, length = [(int(x[0], 16), int(x[1], 16)) for x in
                  (l.split() for l in subprocess.check_output([NM, "-S", exe], text=True).splitlines())
                  if len(x) == 4 and x[3] == fn.group(1)][0]
    lichen_diff.LICHEN = os.path.join(a.build, "Image")
    syms = symbols(os.path.join(a.build, "kernel.elf"))
    target = None
    if a.callers:
        matches = [i for i, n in enumerate(syms[1]) if n == a.callers]
        if not matches:
            raise SystemExit("bench_profile: no kernel symbol %s" % a.callers)
        i = matches[0]
        target = (syms[0][i], syms[0][i + 1] if i + 1 < len(syms[0]) else syms[0][i] + 1)
    per, ops, callers = profile(exe, a.name, a.iterations, (lo, lo + length), syms, a.keep_log, target)
    total = sum(per.values())
    user = per.get("(user space)", 0)
    print("%s: %d calls of %s profiled, %.0f instructions per op (%.0f in the kernel, %.0f in user space)"
          % (a.name, ops, fn.group(1), total / ops, (total - user) / ops, user / ops))
    top = sorted(per.items(), key=lambda kv: -kv[1])[:a.top]
    demangled = demangle([k for k, _ in top])
    for name, insns in top:
        print("%9.1f  %5.1f%%  %s" % (insns / ops, 100.0 * insns / total, demangled.get(name, name)[:140]))
    if target:
        print("callers of %s per op (calls, instructions inside):" % a.callers)
        ranked = sorted(callers.items(), key=lambda kv: -kv[1][1])[:a.top]
        names = demangle([k for k, _ in ranked])
        for name, (n, insns) in ranked:
            print("%9.1f %9.1f  %s" % (n / ops, insns / ops, names.get(name, name)[:140]))

def demangle(names):
    try:
        out = subprocess.run([DEMANGLE, "--simplified"], input="\n".join(names) + "\n", text=True,
                             capture_output=True, check=True).stdout.splitlines()
        return dict(zip(names, out))
    except (OSError, subprocess.CalledProcessError):
        return {}

def profile(exe, name, iterations, fn_range, syms, keep_log, target=None, command=None, extra=()):
    """({function: instructions executed}, calls) over the stretch of the trace from the first to the last
    execution of the benchmark's b_* function (user space, fn_range) while `bench NAME ITERATIONS` runs
    (or `command`, a shell line running /t/bench: tools/scale_profile.py); `extra`: more qemu arguments
    (a disk: tools/storage_profile.py)."""
    import run as bench_run
    addrs, names = syms
    log = os.path.join(bench_run.OUT, "profile.log")
    command = command or "/t/bench '%s' %d" % (name, iterations)
    initrd = lichen_diff.build_initramfs(command + "\n", [("/t/bench", exe, "755")],
                                         ["dir /t 755"], compress=False)
    r = lichen_qemu.boot(lichen_diff.LICHEN, timeout=900, memory="512M", initrd=initrd,
                         extra=["-icount", "shift=0,sleep=off", "-d", "exec,nochain,in_asm", "-D", log] + list(extra))
    out, status = lichen_diff.extract(r.output)
    print(out.strip(), file=sys.stderr)
    # A pc can have several translations at once (with -icount qemu retranslates a block cut short to
    # a few instructions): each executed block is told apart by its host address, and weighed by the
    # translation logged (in_asm) just before its first execution; `size` by pc alone is the fallback.
    size = {}                           # TB start pc -> instructions (last translation)
    tb_size = {}                        # (pc, host TB) -> instructions
    translated = None                   # (pc, instructions) logged, its block not executed yet
    counted = collections.Counter()     # (pc, host TB) -> executions inside the region
    pending = collections.Counter()     # since the last execution inside fn_range
    calls, inside = 0, False
    cur, n = None, 0
    visits = []                         # (caller pc, [target TB pcs]) per entry into target, pending
    counted_visits = []
    prev, in_target = None, None
    trace = re.compile(r"^Trace \d+: (0x[0-9a-f]+) \[[0-9a-f]+/([0-9a-f]+)/")
    with open(log, errors="replace") as f:
        for line in f:
            if line.startswith("Trace"):
                m = trace.match(line)
                if not m:
                    continue
                pc = int(m.group(2), 16)
                tb = (pc, m.group(1))
                if translated is not None and translated[0] == pc:
                    tb_size[tb] = translated[1]
                    translated = None
                if fn_range[0] <= pc < fn_range[1]:
                    if inside:
                        counted.update(pending)
                        counted_visits.extend(visits)
                    pending.clear()
                    visits = []
                    inside = True
                    calls += pc == fn_range[0]
                pending[tb] += 1
                if target:
                    if target[0] <= pc < target[1]:
                        if pc == target[0] and prev is not None and not (target[0] <= prev < target[1]):
                            in_target = (prev, [])
                            visits.append(in_target)
                        if in_target:
                            in_target[1].append(tb)
                    else:
                        in_target = None
                    prev = pc
            elif line.startswith("IN:"):
                cur, n = None, 0
            elif line.startswith("0x"):
                if cur is None:
                    cur = int(line.split(":", 1)[0], 16)
                n += 1
            elif not line.strip() and cur is not None:
                size[cur] = n
                translated = (cur, n)
                cur = None
    if not keep_log:
        os.remove(log)
    def function(pc):
        if pc < 0x0000ff8000000000:
            return "(user space)"
        i = bisect.bisect_right(addrs, pc) - 1
        return names[i] if i >= 0 else "?"
    callers = {}
    for caller, pcs in counted_visits:
        k = function(caller)
        n, insns = callers.get(k, (0, 0))
        callers[k] = (n + 1, insns + sum(tb_size.get(t, size.get(t[0], 1)) for t in pcs))
    per = collections.Counter()
    for tb, c in counted.items():
        pc = tb[0]
        insns = c * tb_size.get(tb, size.get(pc, 1))
        if pc < 0x0000ff8000000000:
            per["(user space)"] += insns
        else:
            i = bisect.bisect_right(addrs, pc) - 1
            per[names[i] if i >= 0 else "?"] += insns
    return per, max(calls - 1, 1), callers

if __name__ == "__main__":
    main()
