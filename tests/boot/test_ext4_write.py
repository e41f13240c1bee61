#!/usr/bin/env python3
"""ext4 read-write on Lichen: a journal-less ext4 image made by mke2fs (tests/ext4/make_images.py,
ext4-nj.img) is mounted rw, tests/ext4/write-workload.sh runs in /mnt/w with BusyBox, then sync,
umount and power-off. On the host, e2fsck -fn must find the image clean and debugfs rdump of /w must
equal the same workload run by the host's sh in a directory. The same workload then runs on a journaled ext4
(ext4-j.img: mke2fs's default, written through jbd2), on ext2 (ext2.img, mount -t ext2: block-mapped
files, no journal) and on ext3 (ext3.img, mount -t ext3: block-mapped, through jbd2), each judged the
same way after umount. On each, tests/ext4/xattrwork.c sets and removes extended attributes in
/x (its errnos checked against Linux's, the values read back by debugfs ea_get).

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
mkdir /mnt2/x && /xattrwork /mnt2/x
sync
umount /mnt2 && echo unmounted
echo "== ext2"
mount -t ext2 /dev/vdc /mnt2 && echo mounted
grep ' /mnt2 ' /proc/mounts | cut -d' ' -f3,4 | cut -d, -f1
mkdir /mnt2/w && cd /mnt2/w && sh /workload.sh && echo workload done
cd /
mkdir /mnt2/x && /xattrwork /mnt2/x
umount /mnt2 && echo unmounted
echo "== ext3"
mount -t ext3 /dev/vdd /mnt2 && echo mounted
grep ' /mnt2 ' /proc/mounts | cut -d' ' -f3,4 | cut -d, -f1
mkdir /mnt2/w && cd /mnt2/w && sh /workload.sh && echo workload done
cd /
mkdir /mnt2/x && /xattrwork /mnt2/x
umount /mnt2 && echo unmounted
echo "== write"
mount -t ext4 -o rw /dev/vda /mnt && echo mounted
grep ' /mnt ' /proc/mounts
mkdir /mnt/w && cd /mnt/w && sh /workload.sh && echo workload done
cd /
mkdir /mnt/x && /xattrwork /mnt/x
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
    xattrwork = os.path.join(WORK, "xattrwork")
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-o", xattrwork, os.path.join(ROOT, "tests/ext4/xattrwork.c")])
    if image:
        lichen_diff.LICHEN = image
    r = lichen_diff.run("lichen", script=GUEST, files=[("/workload.sh", WORKLOAD, "644"), ("/xattrwork", xattrwork, "755")], timeout=300, memory="512M",
                        qemu_extra=test_virtio.qemu_disk_list([(disk, False), (journaled, False), (ext2, False), (ext3, False)]))
    check("the script ran to its end", r.status is not None and not r.boot.timed_out, r.boot.output[-3000:])
    check("no panic", "panic" not in r.boot.output.lower(), r.boot.output[-3000:])
    s = lichen_qemu.console_sections(r.output, keep_blank=False)
    j = s.get("journaled", [])
    check("journaled: mounted rw, workload ran, unmounted", j[:2] == ["mounted", "rw"] and "workload done" in j
          and "unmounted" in j, str(j))
    for kind in ("journaled", "ext2", "ext3", "write"):
        b = s.get(kind, [])
        check(kind + ": xattr calls answer as Linux's ext4", all(line in b for line in XATTR_ANSWERS), str(b))
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
    for disk, label in ((disk, ""), (journaled, "journaled: "), (ext2, "ext2: "), (ext3, "ext3: ")):
        check_xattrs(disk, label)
    failed = results.count(False)
    print("test_ext4_write: %d checks, %d failed" % (len(results), failed))
    sys.exit(1 if failed else 0)

# What Linux's ext4 answers to xattrwork's calls (errno, 0 for success): EEXIST, ENODATA, ENOSPC.
XATTR_ANSWERS = ["set small 0", "create again 17", "replace missing 61", "replace 0", "set big 0", "set trusted 0",
                 "set huge 28", "set kept 0", "set gone 0", "remove gone 0", "remove again 61",
                 "list trusted.t user.big user.small"]

def check_xattrs(disk, label):
    """The values xattrwork left, read by debugfs ea_get (absent ones absent)."""
    big = bytes((i * 7) & 0xff for i in range(2000))
    want = [("/x/xa", "user.small", b"replaced"), ("/x/xa", "user.big", big), ("/x/xa", "trusted.t", b""),
            ("/x/xa", "user.huge", None), ("/x/xb", "user.kept", big[:1500]), ("/x/xb", "user.gone", None)]
    for path, name, value in want:
        if value is None:           # ea_get -f leaves an empty file for a missing name: ask ea_list
            listing = subprocess.run(["debugfs", "-R", "ea_list " + path, disk], capture_output=True, text=True).stdout
            check(label + "debugfs ea_list %s: no %s" % (path, name), name + " " not in listing and name + "=" not in listing
                  and path.endswith("xa") == ("user.big" in listing), listing)
            continue
        out = os.path.join(WORK, "ea-value")
        if os.path.exists(out):
            os.unlink(out)
        subprocess.run(["debugfs", "-R", "ea_get -f %s %s %s" % (out, path, name), disk], capture_output=True)
        got = open(out, "rb").read() if os.path.exists(out) else None
        check(label + "debugfs ea_get %s %s" % (path, name), got == value, "got %r" % (got[:40] if got else got,))

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
