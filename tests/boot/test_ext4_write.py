#!/usr/bin/env python3
"""ext4 read-write on Lichen: a journal-less ext4 image made by mke2fs (tests/ext4/make_images.py,
ext4-nj.img) is mounted rw, tests/ext4/write-workload.sh runs in /mnt/w with BusyBox, then sync,
umount and power-off. On the host, e2fsck -fn must find the image clean and debugfs rdump of /w must
equal the same workload run by the host's sh in a directory. The same workload then runs on a journaled ext4
(ext4-j.img: mke2fs's default, written through jbd2), on ext2 (ext2.img, mount -t ext2: block-mapped
files, no journal) and on ext3 (ext3.img, mount -t ext3: block-mapped, through jbd2), each judged the
same way after umount.

usage: tests/boot/test_ext4_write.py [IMAGE]    (run it under flock /tmp/lichen-qemu.lock)
"""
import filecmp, os, shutil, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, HERE)
import lichen_diff, lichen_qemu, test_virtio

WORK = os.path.join(ROOT, "build", "ext4-write")
WORKLOAD = os.path.join(ROOT, "tests", "ext4", "write-workload.sh")
results = []

def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok or not detail else "\n" + detail))

GUEST = """/bin/busybox --install -s /bin
mkdir -p /mnt /mnt2
echo "== journaled"
mount -t ext4 /dev/vdb /mnt2 && echo mounted
grep ' /mnt2 ' /proc/mounts | cut -d' ' -f4 | cut -d, -f1
mkdir /mnt2/w && cd /mnt2/w && sh /workload.sh && echo workload done
cd /
sync
umount /mnt2 && echo unmounted
echo "== ext2"
mount -t ext2 /dev/vdc /mnt2 && echo mounted
grep ' /mnt2 ' /proc/mounts | cut -d' ' -f3,4 | cut -d, -f1
mkdir /mnt2/w && cd /mnt2/w && sh /workload.sh && echo workload done
cd /
umount /mnt2 && echo unmounted
echo "== ext3"
mount -t ext3 /dev/vdd /mnt2 && echo mounted
grep ' /mnt2 ' /proc/mounts | cut -d' ' -f3,4 | cut -d, -f1
mkdir /mnt2/w && cd /mnt2/w && sh /workload.sh && echo workload done
cd /
umount /mnt2 && echo unmounted
echo "== write"
mount -t ext4 -o rw /dev/vda /mnt && echo mounted
grep ' /mnt ' /proc/mounts
mkdir /mnt/w && cd /mnt/w && sh /workload.sh && echo workload done
cd /
df /mnt | tail -1 | awk '{print ($3 > 0) ? "used" : "empty"}'
sync
umount /mnt && echo unmounted
echo "== reread"
mount -t ext4 -o ro /dev/vda /mnt && echo mounted
cd /mnt/w && find . | sort | md5sum; cd /
umount /mnt
"""

def tree_listing(root):
    out = []
    for dirpath, dirs, files in os.walk(root):
        for name in sorted(dirs + files):
            out.append(os.path.relpath(os.path.join(dirpath, name), root))
    return sorted(out)

def main():
    image = sys.argv[1] if len(sys.argv) > 1 else None
    os.makedirs(WORK, exist_ok=True)
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tests/ext4/make_images.py"), WORK], stdout=subprocess.DEVNULL)
    disk = os.path.join(WORK, "lichen-nj.img")
    shutil.copy(os.path.join(WORK, "ext4-nj.img"), disk)
    journaled = os.path.join(WORK, "lichen-journaled.img")
    shutil.copy(os.path.join(WORK, "ext4-j.img"), journaled)
    ext2 = os.path.join(WORK, "lichen-ext2.img")
    shutil.copy(os.path.join(WORK, "ext2.img"), ext2)
    ext3 = os.path.join(WORK, "lichen-ext3.img")
    shutil.copy(os.path.join(WORK, "ext3.img"), ext3)
    if image:
        lichen_diff.LICHEN = image
    r = lichen_diff.run("lichen", script=GUEST, files=[("/workload.sh", WORKLOAD, "644")], timeout=300, memory="512M",
                        qemu_extra=test_virtio.qemu_disk_list([(disk, False), (journaled, False), (ext2, False), (ext3, False)]))
    check("the script ran to its end", r.status is not None and not r.boot.timed_out, r.boot.output[-3000:])
    check("no panic", "panic" not in r.boot.output.lower(), r.boot.output[-3000:])
    s = lichen_qemu.console_sections(r.output, keep_blank=False)
    j = s.get("journaled", [])
    check("journaled: mounted rw, workload ran, unmounted", j[:2] == ["mounted", "rw"] and "workload done" in j
          and "unmounted" in j, str(j))
    for kind in ("ext2", "ext3"):
        b = s.get(kind, [])
        check(kind + ": mounted rw as " + kind + ", workload ran, unmounted", b[:2] == ["mounted", kind + " rw"]
              and "workload done" in b and "unmounted" in b, str(b))
    check("mounted rw, workload ran, unmounted", s.get("write", [""])[0] == "mounted" and "workload done" in s.get("write", [])
          and "unmounted" in s.get("write", []), str(s.get("write")))
    # the expected tree: the same workload by the host's sh
    want = os.path.join(WORK, "expected")
    shutil.rmtree(want, ignore_errors=True)
    os.makedirs(want)
    subprocess.check_call(["sh", WORKLOAD], cwd=want)
    compare(disk, want, "")
    compare(journaled, want, "journaled: ")
    compare(ext2, want, "ext2: ")
    compare(ext3, want, "ext3: ")
    failed = results.count(False)
    print("test_ext4_write: %d checks, %d failed" % (len(results), failed))
    sys.exit(1 if failed else 0)

def compare(disk, want, label):
    """e2fsck -fn clean and debugfs rdump of /w equal to the host's tree `want`."""
    fsck = subprocess.run(["e2fsck", "-fn", disk], capture_output=True, text=True)
    check(label + "e2fsck -fn clean", fsck.returncode == 0, fsck.stdout + fsck.stderr)
    got = os.path.join(WORK, "dump")
    shutil.rmtree(got, ignore_errors=True)
    os.makedirs(got)
    subprocess.run(["debugfs", "-R", "rdump /w " + got, disk], capture_output=True)
    got = os.path.join(got, "w")
    check(label + "same names as the host's run", tree_listing(got) == tree_listing(want),
          "Lichen: %s\nhost: %s" % (tree_listing(got)[:50], tree_listing(want)[:50]))
    for rel in tree_listing(want):
        a, b = os.path.join(want, rel), os.path.join(got, rel)
        if os.path.islink(a):
            check(label + "symlink " + rel, os.path.islink(b) and os.readlink(a) == os.readlink(b))
        elif os.path.isfile(a):
            check(label + "contents of " + rel, os.path.isfile(b) and filecmp.cmp(a, b, shallow=False))

if __name__ == "__main__":
    main()
