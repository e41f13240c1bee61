#!/usr/bin/env python3
"""ext4 storage benchmarks, Lichen vs Linux in the same qemu (part of `make bench`: bench-storage).
Each kernel boots with a fresh copy of one 256 MiB ext4 image (the host's `mke2fs -t ext4`, journaled) on
virtio-blk and runs tests/bench/storage.c: a 64 MiB sequential write (1 MiB calls, fsync at the end), its
sequential read, 2,000 random 4 KiB preads, creating then deleting 5,000 files of 100 bytes (each phase
ends with sync), BusyBox tar x of a generated tree (3,000 files in 100 directories, 12 MiB; then sync), and
BusyBox find over it. Caches are cold for each read phase on both kernels: the fs is unmounted and mounted
again before it (Linux drops the fs's page cache at umount; Lichen has no file page cache yet).
Linux loads the virtio and ext4 modules of Debian's linux-image (tests/boot/test_jbd2.py). Wall clock
(CLOCK_MONOTONIC, which follows the host under qemu's default clock: a busy host shows up as slowness);
best of --rounds boots per kernel (default 1: Lichen's run lasts 5-7 minutes), alternating. Prints the table (build/bench/storage.txt) with the
Lichen/Linux ratio of the figures (above 1.0: Lichen is faster; for times: Linux's time / Lichen's).

--only create,delete,untar runs only those write phases (delete needs create); --icount runs qemu with
-icount shift=0,sleep=on: the guest's clock counts instructions while it runs (1 ns each, whatever the
host's load) and real time while it is idle (waiting for the disk). Not sleep=off, as the syscall rows
use: there every wait for the disk warps the clock to the next timer deadline (seconds away), so the
5 s commit interval passes after every few files and each commit's own waits push the clock on again
(Lichen's create and delete rows came out at 1 file/s that way).

usage: tests/bench/storage.py [IMAGE] [--rounds 1] [--kernel both|lichen|linux] [--only ROWS] [--icount]
       (run it under flock /tmp/lichen-qemu.lock)
"""
import argparse, io, os, re, subprocess, sys, tarfile
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "boot"))
import lichen_diff, test_jbd2, test_virtio

OUT = os.path.join(ROOT, "build", "bench")
SCRIPT = r"""/bin/busybox --install -s /bin
case $(uname -r) in *lichen*) ;; *) for m in MODULES; do insmod /$m; done; sleep 1 ;; esac
mkdir -p /mnt
m() { umount /mnt 2>/dev/null; mount -t ext4 /dev/vda /mnt || echo "BENCHFAIL mount"; }
m; /s write /mnt/big 64
m; /s read /mnt/big
m; /s randread /mnt/big 2000
m; /s create /mnt/many 5000
/s delete /mnt/many 5000
m; /s time untar /bin/sh -c "tar xf /tree.tar -C /mnt && sync"
m; /s time find /bin/sh -c "find /mnt/tree > /dev/null"
umount /mnt && echo "BENCH DONE"
"""
# --reads: only the cold read phases, on an image whose big file and tree mke2fs -d wrote on the host
# (a few seconds a kernel instead of the write phases' minutes; the files are laid out by mke2fs).
READS_SCRIPT = r"""/bin/busybox --install -s /bin
case $(uname -r) in *lichen*) ;; *) for m in MODULES; do insmod /$m; done; sleep 1 ;; esac
mkdir -p /mnt
m() { umount /mnt 2>/dev/null; mount -t ext4 /dev/vda /mnt || echo "BENCHFAIL mount"; }
m; /s read /mnt/big
m; /s randread /mnt/big 2000
m; /s time find /bin/sh -c "find /mnt/tree > /dev/null"
umount /mnt && echo "BENCH DONE"
"""
ROWS = [("seqwrite", "sequential write 64 MiB + fsync", "MB/s", True),
        ("seqread", "sequential read 64 MiB (cold)", "MB/s", True),
        ("randread", "random 4 KiB reads (cold)", "ops/s", True),
        ("create", "create 5,000 files + sync", "files/s", True),
        ("delete", "delete 5,000 files + sync", "files/s", True),
        ("untar", "tar x 3,000 files, 12 MiB + sync", "s", False),
        ("find", "find over the tree (cold)", "s", False)]

def make_tree(path):
    """A deterministic tar: 100 directories of 30 files, sizes 0..8 KiB (12 MiB in all)."""
    if os.path.exists(path):
        return
    with tarfile.open(path, "w", format=tarfile.USTAR_FORMAT) as tar:
        for d in range(100):
            info = tarfile.TarInfo("tree/d%02d" % d)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o755, 1700000000
            tar.addfile(info)
            for f in range(30):
                size = (d * 7919 + f * 104729) % 8192
                info = tarfile.TarInfo("tree/d%02d/f%02d" % (d, f))
                info.size, info.mode, info.mtime = size, 0o644, 1700000000
                tar.addfile(info, io.BytesIO(bytes((i * 31 + d + f) & 0xff for i in range(size))))

def main():
    p = argparse.ArgumentParser()
    p.add_argument("image", nargs="?", default=os.path.join(ROOT, "build", "Image"))
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--kernel", choices=("both", "lichen", "linux"), default="both")
    p.add_argument("--reads", action="store_true", help="only the read phases, on a prefilled image")
    p.add_argument("--only", help="comma-separated write phases: create, delete, untar (delete needs create)")
    p.add_argument("--icount", action="store_true", help="qemu -icount shift=0,sleep=on: running time counts instructions")
    a = p.parse_args()
    lichen_diff.LICHEN = a.image
    os.makedirs(OUT, exist_ok=True)
    exe = os.path.join(OUT, "storage")
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-o", exe, os.path.join(HERE, "storage.c")])
    tree = os.path.join(OUT, "tree.tar")
    make_tree(tree)
    pristine, disk = os.path.join(OUT, "storage-pristine.img"), os.path.join(OUT, "storage.img")
    if os.path.exists(pristine):
        os.unlink(pristine)
    populate = []
    if a.reads:
        content = os.path.join(OUT, "storage-content")
        if not os.path.exists(os.path.join(content, "big")):
            os.makedirs(content, exist_ok=True)
            with tarfile.open(tree) as t:
                t.extractall(content)
            with open(os.path.join(content, "big"), "wb") as f:
                block = bytes(i & 0xff for i in range(1 << 20))
                for _ in range(64):
                    f.write(block)
        populate = ["-d", content]
    subprocess.check_call(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096"] + populate + [pristine, "256M"])
    modules = test_virtio.linux_modules(test_jbd2.MODULES)
    script = READS_SCRIPT if a.reads else SCRIPT
    if a.only:
        phases = {"write": "seqwrite", "read": "seqread"}     # storage.c's modes that name rows otherwise
        def wanted(line):
            m = re.search(r"/s (?:time )?(\w+)", line)
            return m is None or phases.get(m.group(1), m.group(1)) in a.only.split(",")
        script = "\n".join(l for l in script.splitlines() if wanted(l)) + "\n"
    script = script.replace("MODULES", " ".join(os.path.basename(m) for m in modules))
    files = [("/s", exe, "755"), ("/tree.tar", tree, "644")] + [("/" + os.path.basename(m), m, "644") for m in modules]
    best, notes = {}, []
    for _ in range(a.rounds):
        for kernel in ("lichen", "linux") if a.kernel == "both" else (a.kernel,):
            subprocess.check_call(["cp", "--sparse=always", pristine, disk])
            r = lichen_diff.run(kernel, script=script, files=files, memory="512M", timeout=1800, idle_timeout=900,
                                qemu_extra=(["-icount", "shift=0,sleep=on"] if a.icount else [])
                                + test_virtio.qemu_disk_list([(disk, False)]))
            if "BENCH DONE" not in r.output:
                notes.append("%s: the run did not finish: %s" % (kernel, r.output[-600:].strip().replace("\n", " | ")))
            for name, value, _ in re.findall(r"^RESULT (\S+) ([\d.]+) (\S+)$", r.output, re.M):
                higher = next(row[3] for row in ROWS if row[0] == name)
                old = best.get((kernel, name))
                v = float(value)
                best[(kernel, name)] = v if old is None else (max(old, v) if higher else min(old, v))
    lines = ["%-36s %14s %14s %7s" % ("ext4 on virtio-blk", "Lichen", "Linux", "ratio")]
    for name, label, unit, higher in ROWS:
        if a.reads and name not in ("seqread", "randread", "find"):
            continue
        if a.only and name not in a.only.split(","):
            continue
        l, x = best.get(("lichen", name)), best.get(("linux", name))
        ratio = "" if not l or not x else "%.2f" % ((l / x) if higher else (x / l))
        fmt = lambda v: "n/a" if v is None else ("%.3f %s" % (v, unit) if unit == "s" else "%.1f %s" % (v, unit))
        lines.append("%-36s %14s %14s %7s" % (label, fmt(l), fmt(x), ratio))
    text = "\n".join(lines + notes) + "\n"
    with open(os.path.join(OUT, "storage.txt"), "w") as f:
        f.write(text)
    print(text, end="")

if __name__ == "__main__":
    main()
