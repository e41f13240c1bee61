#!/usr/bin/env python3
"""Where ext4's create or delete of small files spends its instructions in Lichen's kernel, per file:
tools/bench_profile.py's trace profile over the stretch between the first and the last call of
tests/bench/storage.c's op_create (open O_CREAT, write 100 bytes, close) or op_delete (unlink), on a
fresh 256 MiB ext4 image (the host's mke2fs -t ext4, journaled) mounted at /mnt. Keep N small (100-300:
the qemu log grows by ~15 bytes per instruction). delete creates the N files first (not traced: the
stretch starts at the first unlink).

usage: tools/storage_profile.py create|delete N [--top 40] [--callers FUNCTION] [--build DIR]
"""
import argparse, os, subprocess, sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "boot"))
import bench_profile, lichen_diff, test_virtio

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("mode", choices=("create", "delete"))
    ap.add_argument("n", type=int)
    ap.add_argument("--top", type=int, default=40)
    ap.add_argument("--callers")
    ap.add_argument("--keep-log", action="store_true")
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    a = ap.parse_args()
    out = os.path.join(ROOT, "build/bench")
    os.makedirs(out, exist_ok=True)
    exe = os.path.join(out, "storage-profile")
    # linked away from 0x400000, where the static busybox runs too, so PCs tell the program apart
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-Wl,-Ttext-segment=0x10000000",
                           "-o", exe, os.path.join(ROOT, "tests/bench/storage.c")])
    fn = "op_" + a.mode
    rows = [l.split() for l in subprocess.check_output([bench_profile.NM, "-S", exe], text=True).splitlines()]
    lo, length = [(int(x[0], 16), int(x[1], 16)) for x in rows if len(x) == 4 and x[3] == fn][0]
    disk = os.path.join(out, "storage-profile.img")
    subprocess.check_call(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", disk, "256M"])
    lichen_diff.LICHEN = os.path.join(a.build, "Image")
    syms = bench_profile.symbols(os.path.join(a.build, "kernel.elf"))
    target = None
    if a.callers:
        i = syms[1].index(a.callers)
        target = (syms[0][i], syms[0][i + 1])
    command = "mkdir -p /mnt && mount -t ext4 /dev/vda /mnt && "
    if a.mode == "delete":
        command += "/t/bench create /mnt/many %d && " % a.n
    command += "/t/bench %s /mnt/many %d" % (a.mode, a.n)
    per, ops, callers = bench_profile.profile(exe, a.mode, 0, (lo, lo + length), syms, a.keep_log, target,
                                              command=command, extra=test_virtio.qemu_disk_list([(disk, False)]))
    total = sum(per.values())
    user = per.get("(user space)", 0)
    print("%s N=%d: %d calls of %s profiled, %.0f instructions per file (%.0f in the kernel, %.0f in user space)"
          % (a.mode, a.n, ops, fn, total / ops, (total - user) / ops, user / ops))
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
