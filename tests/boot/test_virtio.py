#!/usr/bin/env python3
"""virtio-mmio and virtio-blk: boots Lichen, then Debian's Linux, each with two fresh disks made on
the host (tests/virtio/disks.py: vda GPT read-write, vdb MBR with logical partitions, read-only),
runs tests/virtio/disk-checks.sh (partitions, /dev nodes, blockdev sizes, known patterns, writes,
parallel dd's, the read-only disk refusing writes, O_DIRECT), compares each "== name" section
between the two kernels, and checks on the host, after power-off, that the writes landed in the
image where they should. Linux loads virtio_mmio.ko and virtio_blk.ko from its package first.

usage: tests/boot/test_virtio.py [IMAGE]    (run it under flock /tmp/lichen-qemu.lock)
"""
import hashlib, os, re, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "virtio"))
import lichen_diff, lichen_qemu, disks

WORK = os.path.join(ROOT, "build", "virtio")
SCRIPT = os.path.join(ROOT, "tests", "virtio", "disk-checks.sh")
results = []

def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok or not detail else "\n" + detail))

def linux_modules(wanted=("drivers/virtio/virtio_mmio.ko", "drivers/block/virtio_blk.ko")):
    """Modules of Debian's kernel (paths under lib/modules/VERSION/kernel), extracted once into
    build/virtio/modules: by default virtio_mmio.ko and virtio_blk.ko."""
    version = open(os.path.join(ROOT, "build/debian/linux/version")).read().strip()
    out = os.path.join(WORK, "modules")
    paths = [os.path.join(out, os.path.basename(w)) for w in wanted]
    if all(os.path.exists(p) for p in paths):
        return paths
    debs = [f for f in os.listdir(os.path.join(ROOT, "build/debian")) if f.startswith("linux-image-" + version)]
    if not debs:
        subprocess.check_call(["apt-get", "download", "linux-image-%s:arm64" % version], cwd=os.path.join(ROOT, "build/debian"))
        debs = [f for f in os.listdir(os.path.join(ROOT, "build/debian")) if f.startswith("linux-image-" + version)]
    os.makedirs(out, exist_ok=True)
    members = ["./lib/modules/%s/kernel/%s" % (version, w) for w in wanted]
    tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", os.path.join(ROOT, "build/debian", debs[0])], stdout=subprocess.PIPE)
    subprocess.check_call(["tar", "x", "-C", out, "--strip-components=%d" % 5] + members, stdin=tar.stdout)
    tar.wait()
    for w, p in zip(wanted, paths):
        os.replace(os.path.join(out, w), p)
    return paths

def qemu_disks(a, b):
    """vda read-write, vdb read-only."""
    return qemu_disk_list([(a, False), (b, True)])

def qemu_disk_list(images):
    """[(path, read_only)] as vda, vdb, ...: qemu gives the first -device the last virtio-mmio slot,
    which both kernels find last, so the disks go in reverse order."""
    args = ["-global", "virtio-mmio.force-legacy=false"]
    for i, (path, read_only) in reversed(list(enumerate(images))):
        args += ["-drive", "file=%s,if=none,format=raw,id=d%d%s" % (path, i, ",readonly=on" if read_only else ""),
                 "-device", "virtio-blk-device,drive=d%d" % i]
    return args

def sections(text):
    return lichen_qemu.console_sections(text, keep_blank=False)

def boot(kernel, image=None):
    os.makedirs(WORK, exist_ok=True)
    a, b = os.path.join(WORK, kernel + "-gpt.img"), os.path.join(WORK, kernel + "-mbr.img")
    open(a, "wb").write(disks.gpt_disk())
    open(b, "wb").write(disks.mbr_disk())
    mmio, blk = linux_modules()
    blkio = os.path.join(WORK, "blkio")
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-o", blkio, os.path.join(ROOT, "tests/virtio/blkio.c")])
    files = [("/virtio_mmio.ko", mmio, "644"), ("/virtio_blk.ko", blk, "644"), ("/blkio", blkio, "755")]
    if image:
        lichen_diff.LICHEN = image
    r = lichen_diff.run(kernel, script=open(SCRIPT).read(), files=files, timeout=240, memory="512M",
                        qemu_extra=qemu_disks(a, b))
    check("%s: the script ran to its end" % kernel, r.status is not None and not r.boot.timed_out,
          r.boot.output[-3000:])
    if kernel == "lichen":
        check("lichen: several requests were in flight at once (the parallel dd's)",
              re.search(r"virtio: queue 0: \d+ requests in flight at once", r.boot.output) is not None)
    return r, open(a, "rb").read(), open(b, "rb").read()

def check_image(kernel, a, b):
    S = disks.SECTOR
    expected = disks.gpt_disk()
    w = b"".join(b"W%014d\n" % i for i in range(32))
    check(kernel + ": the sector written through vda2 is in the image", a[10250 * S:10251 * S] == w)
    at = 10240 * S + 12345
    check(kernel + ": the unaligned write is in the image, its neighbours kept",
          a[at:at + 16] == b"odd-offset-write" and a[at - 5:at] == expected[at - 5:at] and a[at + 16:at + 40] == expected[at + 16:at + 40])
    check(kernel + ": the parallel dd's copied vdb1 to vda1", a[2048 * S:(2048 + 1024) * S] == disks.mbr_disk()[2048 * S:(2048 + 1024) * S])
    untouched = [(0, 2048), (3072, 10250), (10251, 10264), (10266, 16384)]
    check(kernel + ": nothing else changed on vda", all(a[s * S:e * S] == expected[s * S:e * S] for s, e in untouched))
    check(kernel + ": the read-only disk is unchanged", b == disks.mbr_disk())

def main():
    image = sys.argv[1] if len(sys.argv) > 1 else None
    runs = {}
    for kernel in ("lichen", "linux"):
        r, a, b = boot(kernel, image)
        runs[kernel] = sections(r.output)
        check_image(kernel, a, b)
    lichen, linux = runs["lichen"], runs["linux"]
    print("--- Lichen's output\n" + "\n".join("== %s\n%s" % (k, "\n".join(v)) for k, v in lichen.items()))
    for name, want in linux.items():
        got = lichen.get(name)
        check("same as Linux: " + name, got == want, "Linux:\n  " + "\n  ".join(want) + "\nLichen:\n  " + "\n  ".join(got or ["(missing)"]))
    # The host's own view of the patterns the guest read.
    sums = lichen.get("checksums", [])
    mbr = disks.mbr_disk()
    check("vdb's checksum is the image's", bool(sums) and sums[0].split()[0] == hashlib.md5(mbr).hexdigest())
    failed = results.count(False)
    print("test_virtio: %d checks, %d failed" % (len(results), failed))
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
