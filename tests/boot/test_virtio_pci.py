#!/usr/bin/env python3
"""virtio-pci: boots Lichen, then Debian's Linux, with one disk on virtio-mmio and two on virtio-pci
behind qemu `virt`'s ECAM host bridge (vda: MBR on mmio, vdb: GPT on pci, vdc: ext4 by the host's
mke2fs on pci; qemu's default virtio-net-pci NIC sits at 00:01.0, which Lichen has no driver for),
runs tests/virtio/pci-checks.sh (partitions, sizes, reads, parallel reads, a write, the ext4 image
mounted, read and written), compares each "== name" section between the two kernels, and checks
on the host after power-off: the written sectors in vdb's image, e2fsck -fn on vdc's image and
its new files read back with debugfs. Linux loads virtio_mmio, virtio_pci, virtio_blk and ext4
from its package.

usage: tests/boot/test_virtio_pci.py [IMAGE]    (run it under flock /tmp/lichen-qemu.lock)
"""
import os, re, shutil, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "virtio"))
sys.path.insert(0, HERE)
import lichen_diff, lichen_qemu, disks, test_virtio

WORK = os.path.join(ROOT, "build", "virtio-pci")
SCRIPT = os.path.join(ROOT, "tests", "virtio", "pci-checks.sh")
MODULES = ["drivers/virtio/virtio_mmio.ko", "drivers/virtio/virtio_pci_legacy_dev.ko", "drivers/virtio/virtio_pci_modern_dev.ko",
           "drivers/virtio/virtio_pci.ko", "drivers/block/virtio_blk.ko", "lib/crc16.ko", "crypto/crc32c_generic.ko",
           "fs/mbcache.ko", "fs/jbd2/jbd2.ko", "fs/ext4/ext4.ko"]
MKE2FS = shutil.which("mke2fs") or "/usr/sbin/mke2fs"
E2FSCK = shutil.which("e2fsck") or "/usr/sbin/e2fsck"
DEBUGFS = shutil.which("debugfs") or "/usr/sbin/debugfs"
results = []

def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok or not detail else "\n" + detail))

def ext4_image(path):
    src = os.path.join(WORK, "ext4-src")
    shutil.rmtree(src, ignore_errors=True)
    os.makedirs(src)
    open(os.path.join(src, "hello.txt"), "w").write("hello from the host's mke2fs\n")
    open(os.path.join(src, "big.bin"), "wb").write(bytes((i * 7 + i // 4096) & 0xff for i in range(300 * 1024)))
    if os.path.exists(path):
        os.remove(path)
    subprocess.check_call([MKE2FS, "-q", "-F", "-t", "ext4", "-b", "4096", "-E", "root_owner=0:0", "-d", src, path, "16M"])

def qemu_disks(mmio, pci):
    """vda on virtio-mmio (the last slot, found by both kernels), then the pci disks in slot order
    after qemu's default NIC (00:01.0): 00:02.0 a transitional function (1af4:1001, the device type
    in its subsystem id), 00:03.0 a modern-only one (disable-legacy=on: 1af4:1042)."""
    args = ["-global", "virtio-mmio.force-legacy=false",
            "-drive", "file=%s,if=none,format=raw,id=m0" % mmio, "-device", "virtio-blk-device,drive=m0"]
    for i, path in enumerate(pci):
        args += ["-drive", "file=%s,if=none,format=raw,id=p%d" % (path, i),
                 "-device", "virtio-blk-pci,drive=p%d,addr=%02x.0%s" % (i, i + 2, ",disable-legacy=on" if i else "")]
    return args

def boot(kernel, image=None):
    os.makedirs(WORK, exist_ok=True)
    mbr, gpt, ext4 = (os.path.join(WORK, "%s-%s.img" % (kernel, n)) for n in ("mbr", "gpt", "ext4"))
    open(mbr, "wb").write(disks.mbr_disk())
    open(gpt, "wb").write(disks.gpt_disk())
    ext4_image(ext4)
    files = [("/" + os.path.basename(p), p, "644") for p in test_virtio.linux_modules(MODULES)]
    if image:
        lichen_diff.LICHEN = image
    r = lichen_diff.run(kernel, script=open(SCRIPT).read(), files=files, timeout=240, memory="512M",
                        qemu_extra=qemu_disks(mbr, [gpt, ext4]))
    check("%s: the script ran to its end" % kernel, r.status is not None and not r.boot.timed_out, r.boot.output[-3000:])
    if kernel == "lichen":
        out = r.boot.output
        check("lichen: no panic", "panic" not in out.lower(), out[-3000:])
        check("lichen: the two virtio-blk-pci functions were found and bound",
              len(re.findall(r"virtio-blk: vd[bc]: ", out)) == 2 and "pci: 00:02.0 [1af4:1001]" in out
              and "pci: 00:03.0 [1af4:1042]" in out, "\n".join(l for l in out.splitlines() if "pci" in l or "virtio" in l))
        check("lichen: the NIC at 00:01.0 was seen, left without a driver",
              "virtio-pci: 00:01.0: device type 1 has no driver" in out)
    check_images(kernel, gpt, ext4)
    return r

def check_images(kernel, gpt, ext4):
    S = disks.SECTOR
    a = open(gpt, "rb").read()
    expected = disks.gpt_disk()
    w = b"".join(b"P%014d\n" % i for i in range(32))
    check(kernel + ": the sector written through vdb2 (virtio-pci) is in the image", a[10250 * S:10251 * S] == w)
    check(kernel + ": nothing else changed on vdb", a[:10250 * S] == expected[:10250 * S] and a[10251 * S:] == expected[10251 * S:])
    fsck = subprocess.run([E2FSCK, "-fn", ext4], capture_output=True, text=True)
    check(kernel + ": e2fsck -fn finds the ext4 image clean", fsck.returncode == 0, fsck.stdout + fsck.stderr)
    cat = subprocess.run([DEBUGFS, "-R", "cat /written.txt", ext4], capture_output=True, text=True).stdout
    want = "".join("written through virtio-pci, line %d\n" % i for i in range(3000))
    check(kernel + ": the file written on ext4 reads back on the host", cat == want, cat[:200])
    made = subprocess.run([DEBUGFS, "-R", "cat /newdir/file", ext4], capture_output=True, text=True).stdout
    check(kernel + ": the new directory's file reads back on the host", made == "made\n", made)

def main():
    image = sys.argv[1] if len(sys.argv) > 1 else None
    runs = {k: lichen_qemu.console_sections(boot(k, image).output, keep_blank=False) for k in ("lichen", "linux")}
    lichen, linux = runs["lichen"], runs["linux"]
    print("--- Lichen's output\n" + "\n".join("== %s\n%s" % (k, "\n".join(v)) for k, v in lichen.items()))
    for name, want in linux.items():
        got = lichen.get(name)
        check("same as Linux: " + name, got == want, "Linux:\n  " + "\n  ".join(want) + "\nLichen:\n  " + "\n  ".join(got or ["(missing)"]))
    check("Linux saw three disks", len([l for l in linux.get("partitions", []) if re.search(r"\bvd[abc]$", l)]) == 3,
          "\n".join(linux.get("partitions", [])))
    failed = results.count(False)
    print("test_virtio_pci: %d checks, %d failed" % (len(results), failed))
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
