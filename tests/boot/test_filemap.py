#!/usr/bin/env python3
"""The disk page cache on Lichen: tests/conformance/filemap (MAP_SHARED coherence with read/write,
msync/fsync, the partial last page, SIGBUS past EOF after ftruncate, MAP_PRIVATE copies) and
tests/conformance/readahead (read(2) through the page cache, fadvise, readahead(2)) run on an
ext4 image (tests/ext4/make_images.py) and a vfat image (tests/fat/make_images.py), then a copy of
the program on the ext4 disk runs from there (exec of a disk file), and after umount and a new
mount the bytes stored through the mapping are read back.

usage: tests/boot/test_filemap.py [IMAGE]    (run it under flock /tmp/lichen-qemu.lock)
"""
import os, shutil, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, HERE)
import lichen_diff, lichen_qemu, test_virtio

WORK = os.path.join(ROOT, "build", "filemap")
PROGRAM = os.path.join(ROOT, "build", "filemap", "filemap")
READER = os.path.join(ROOT, "build", "filemap", "readahead")
ENV = dict(os.environ, PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
results = []

def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok or not detail else "\n" + detail))

GUEST = """/bin/busybox --install -s /bin
mkdir -p /mnt/e /mnt/f
echo "== ext4"
mount -t ext4 /dev/vda /mnt/e && /filemap /mnt/e | tail -1
echo "== ext4-read"
/readahead /mnt/e | tail -3
echo "== exec"
cp /filemap /mnt/e/prog && sync && /mnt/e/prog /mnt/e | tail -1
echo "== ext4-again"
umount /mnt/e && mount -t ext4 /dev/vda /mnt/e && dd if=/mnt/e/filemap.dat bs=1 skip=10 count=3 2>/dev/null; echo
umount /mnt/e
echo "== vfat"
mount -t vfat /dev/vdb /mnt/f && /filemap /mnt/f | tail -1
umount /mnt/f && mount -t vfat /dev/vdb /mnt/f && dd if=/mnt/f/filemap.dat bs=1 skip=10 count=3 2>/dev/null; echo
echo "== vfat-read"
/readahead /mnt/f | tail -3
umount /mnt/f
"""

def main():
    image = sys.argv[1] if len(sys.argv) > 1 else None
    os.makedirs(WORK, exist_ok=True)
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O1", "-o", PROGRAM, os.path.join(ROOT, "tests/conformance/filemap.c")])
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O1", "-o", READER, os.path.join(ROOT, "tests/conformance/readahead.c")])
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tests/ext4/make_images.py"), WORK], stdout=subprocess.DEVNULL)
    subprocess.check_call([os.path.join(ROOT, "tools/ensure-deps.sh"), "dosfstools", "mtools"])
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tests/fat/make_images.py"), WORK], stdout=subprocess.DEVNULL)
    ext4 = os.path.join(WORK, "lichen-ext4.img")
    shutil.copy(os.path.join(WORK, "ext4-j.img"), ext4)
    fat = os.path.join(WORK, "lichen-fat16.img")
    shutil.copy(os.path.join(WORK, "fat16.img"), fat)
    if image:
        lichen_diff.LICHEN = image
    r = lichen_diff.run("lichen", script=GUEST, files=[("/filemap", PROGRAM, "755"), ("/readahead", READER, "755")], timeout=300, memory="512M",
                        qemu_extra=test_virtio.qemu_disk_list([(ext4, False), (fat, False)]))
    check("the script ran to its end", r.status is not None and not r.boot.timed_out, r.boot.output[-3000:])
    check("no panic", "panic" not in r.boot.output.lower(), r.boot.output[-3000:])
    s = lichen_qemu.console_sections(r.output, keep_blank=False)
    for name in ("ext4", "exec", "vfat"):
        lines = s.get(name, [])
        check(name + ": every check passed", any(l.startswith("filemap:") and l.endswith(" 0 failed") for l in lines), str(lines))
    for name in ("ext4-read", "vfat-read"):
        lines = s.get(name, [])
        check(name + ": readahead (read through the page cache, fadvise) every check passed",
              any(l.startswith("readahead:") and l.endswith(" 0 failed") for l in lines), str(lines))
    check("ext4: mapped stores durable across umount", "XZQ" in s.get("ext4-again", []), str(s.get("ext4-again")))
    check("vfat: mapped stores durable across umount", "XZQ" in s.get("vfat", []), str(s.get("vfat")))
    e2 = subprocess.run(["e2fsck", "-fn", ext4], capture_output=True, text=True, env=ENV)
    check("e2fsck -fn clean", e2.returncode == 0, e2.stdout[-2000:])
    fsck = subprocess.run(["fsck.fat", "-n", fat], capture_output=True, text=True, env=ENV)
    check("fsck.fat -n clean", fsck.returncode == 0, fsck.stdout[-2000:])
    print("%d/%d passed" % (sum(results), len(results)))
    sys.exit(0 if all(results) else 1)

if __name__ == "__main__":
    main()
