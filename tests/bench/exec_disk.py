#!/usr/bin/env python3
"""Exec of a program on ext4, cold then again (issue 11: clean disk pages kept after the last unmap).
Boots Lichen with one ext4 image (the host's mke2fs -d, holding static BusyBox), mounts it read-only and
runs `busybox true` from it five times with tests/bench/storage.c's `time` mode (fork + execv + wait).
The first exec reads the program from the disk; the later ones find its pages cached if the cache
kept them after the previous process unmapped them. Prints each exec's wall time (host load shows
up in it: compare runs made back to back) and /proc/meminfo's Cached after it (the disk pages the
kernel kept: deterministic). -icount is no use here: with sleep=off an idle guest waiting for the
disk jumps to qemu's next timer deadline, so guest time measured minutes of nothing.

usage: tests/bench/exec_disk.py [IMAGE]     (run it under flock /tmp/lichen-qemu.lock)
"""
import argparse, os, re, shutil, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "boot"))
import lichen_diff, test_virtio

OUT = os.path.join(ROOT, "build", "bench")
SCRIPT = r"""/bin/busybox --install -s /bin
mkdir -p /mnt
mount -t ext4 -o ro /dev/vda /mnt || echo "BENCHFAIL mount"
mount -t proc proc /proc 2>/dev/null
for i in 1 2 3 4 5; do /s time exec$i /mnt/busybox true; echo "CACHED$i $(grep '^Cached:' /proc/meminfo | tr -s ' ' | cut -d' ' -f2)"; done
umount /mnt && echo "BENCH DONE"
"""


def main():
    p = argparse.ArgumentParser()
    p.add_argument("image", nargs="?", default=os.path.join(ROOT, "build", "Image"))
    a = p.parse_args()
    lichen_diff.LICHEN = a.image
    os.makedirs(OUT, exist_ok=True)
    exe = os.path.join(OUT, "storage")
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-o", exe, os.path.join(HERE, "storage.c")])
    tree = os.path.join(OUT, "exec-disk-tree")
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    shutil.copy(lichen_diff.ensure("busybox"), os.path.join(tree, "busybox"))
    disk = os.path.join(OUT, "exec-disk.img")
    if os.path.exists(disk):
        os.unlink(disk)
    subprocess.check_call(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-d", tree, disk, "32M"])
    r = lichen_diff.run("lichen", script=SCRIPT, files=[("/s", exe, "755")], memory="512M", timeout=600,
                        qemu_extra=test_virtio.qemu_disk_list([(disk, False)]))
    results = re.findall(r"^RESULT exec(\d) ([\d.]+) s$", r.output, re.M)
    if "BENCH DONE" not in r.output or len(results) != 5:
        print("the run did not finish:\n" + r.output[-1500:])
        sys.exit(1)
    cached = dict(re.findall(r"^CACHED(\d) (\d+)$", r.output, re.M))
    print("exec of /mnt/busybox true from ext4 (wall ms, then Cached kB after it):")
    print("  " + "   ".join("#%s %.0f ms %s kB" % (n, float(v) * 1000, cached.get(n, "?")) for n, v in results))


if __name__ == "__main__":
    main()
