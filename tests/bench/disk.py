#!/usr/bin/env python3
"""Sequential disk throughput, Lichen vs Linux in the same qemu (not part of `make test` or `make bench`:
timing on a shared host is noisy). Each kernel boots with a fresh 64 MiB raw virtio-blk disk and runs
BusyBox dd: a 64 MiB write (1 MiB blocks, conv=fsync) and then a 64 MiB read, timed by the guest's
/proc/uptime (10 ms steps; qemu's default clock follows the host). Prints MB/s per kernel and the Lichen/Linux ratio (above
1.0: Lichen is faster here). Linux loads virtio_mmio.ko and virtio_blk.ko (tests/boot/test_virtio.py).

usage: tests/bench/disk.py [--rounds 3]     (run it under flock /tmp/lichen-qemu.lock)
"""
import argparse, os, re, sys
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "boot"))
import lichen_diff, test_virtio

SCRIPT = r"""/bin/busybox --install -s /bin
case $(uname -r) in *lichen*) ;; *) insmod /virtio_mmio.ko && insmod /virtio_blk.ko; sleep 1 ;; esac
t() { read up idle < /proc/uptime; echo "${up%.*}${up#*.}"; }     # centiseconds
a=$(t); dd if=/dev/zero of=/dev/vda bs=1M count=64 conv=fsync 2>/dev/null; b=$(t)
echo "write $(( (b - a) * 10000 ))"
a=$(t); dd if=/dev/vda of=/dev/null bs=1M 2>/dev/null; b=$(t)
echo "read $(( (b - a) * 10000 ))"
"""

def main():
    p = argparse.ArgumentParser()
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()
    os.makedirs(test_virtio.WORK, exist_ok=True)
    mmio, blk = test_virtio.linux_modules()
    disk = os.path.join(test_virtio.WORK, "bench.img")
    best = {}
    for _ in range(a.rounds):
        for kernel in ("lichen", "linux"):
            with open(disk, "wb") as f:
                f.truncate(64 << 20)
            r = lichen_diff.run(kernel, script=SCRIPT, files=[("/virtio_mmio.ko", mmio, "644"), ("/virtio_blk.ko", blk, "644")],
                                memory="512M", timeout=300,
                                qemu_extra=["-global", "virtio-mmio.force-legacy=false", "-drive",
                                            "file=%s,if=none,format=raw,id=d0" % disk, "-device", "virtio-blk-device,drive=d0"])
            for op, us in re.findall(r"^(write|read) (\d+)$", r.output, re.M):
                mbs = 64 * 1048576 / (int(us) / 1e6) / 1e6 if int(us) else 0
                best[(kernel, op)] = max(best.get((kernel, op), 0), mbs)
    print("%-28s %10s %10s %7s" % ("case", "Lichen", "Linux", "ratio"))
    for op in ("write", "read"):
        l, x = best.get(("lichen", op), 0), best.get(("linux", op), 0)
        print("%-28s %7.1f MB/s %7.1f MB/s %6.2f" % ("disk sequential " + op + " 64 MiB", l, x, l / x if x else 0))

if __name__ == "__main__":
    main()
