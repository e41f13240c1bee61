#!/usr/bin/env python3
"""ext2/ext4 read-only: builds images on the host with Debian's mke2fs -d (tests/ext4/make_images.py:
files of many sizes, sparse and fragmented files, a 3000-entry htree directory, fast and slow
symlinks, a hard link, nanosecond mtimes, a file of uid 1000 mode 0640, a static program), boots
Lichen, then Debian's Linux (which loads virtio, crc16, crc32c, mbcache, jbd2 and ext4 modules from
its package) with vda = ext4, vdb = ext2, vdc = ext4 with a damaged inode, runs
tests/ext4/ext4-checks.sh and compares each "== name" section between the kernels.

usage: tests/boot/test_ext4.py [IMAGE]    (run it under flock /tmp/lichen-qemu.lock)
"""
import os, re, shutil, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, HERE)
import lichen_diff, lichen_qemu, test_virtio

WORK = os.path.join(ROOT, "build", "ext4")
SCRIPT = os.path.join(ROOT, "tests", "ext4", "ext4-checks.sh")
MODULES = ["drivers/virtio/virtio_mmio.ko", "drivers/block/virtio_blk.ko", "lib/crc16.ko", "crypto/crc32c_generic.ko",
           "fs/mbcache.ko", "fs/jbd2/jbd2.ko", "fs/ext4/ext4.ko"]
results = []

def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok or not detail else "\n" + detail))

def make_images():
    os.makedirs(WORK, exist_ok=True)
    prog = os.path.join(WORK, "prog")
    with open(prog + ".c", "w") as f:
        f.write('#include <stdio.h>\nint main(int c, char **v) { for (int i = 1; i < c; i++) printf("arg %s\\n", v[i]);'
                ' printf("ran from ext4\\n"); return 0; }\n')
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-o", prog, prog + ".c"])
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-o", os.path.join(WORK, "xattrdump"),
                           os.path.join(ROOT, "tests/ext4/xattrdump.c")])
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tests/ext4/make_images.py"), WORK, "--program", prog])
    # vdc: small.txt's inode with a flipped byte (its checksum no longer matches)
    shutil.copy(os.path.join(WORK, "ext4.img"), os.path.join(WORK, "corrupt.img"))
    out = subprocess.run(["debugfs", "-R", "imap /small.txt", os.path.join(WORK, "ext4.img")], capture_output=True, text=True).stdout
    m = re.search(r"located at block (\d+), offset (0x[0-9a-f]+)", out)
    at = int(m.group(1)) * 4096 + int(m.group(2), 16) + 4
    with open(os.path.join(WORK, "corrupt.img"), "r+b") as f:
        f.seek(at); b = f.read(1); f.seek(at); f.write(bytes([b[0] ^ 0x55]))

def boot(kernel, image=None):
    disks = []
    for name in ("ext4", "ext2", "corrupt"):      # fresh copies: neither kernel may change the originals
        copy = os.path.join(WORK, "%s-%s.img" % (kernel, name))
        shutil.copy(os.path.join(WORK, name + ".img"), copy)
        disks.append((copy, False))
    files = [("/" + os.path.basename(p), p, "644") for p in test_virtio.linux_modules(MODULES)]
    files.append(("/xattrdump", os.path.join(WORK, "xattrdump"), "755"))
    if image:
        lichen_diff.LICHEN = image
    r = lichen_diff.run(kernel, script=open(SCRIPT).read(), files=files, timeout=300, memory="512M",
                        qemu_extra=test_virtio.qemu_disk_list(disks))
    check("%s: the script ran to its end" % kernel, r.status is not None and not r.boot.timed_out, r.boot.output[-3000:])
    if kernel == "lichen":
        check("lichen: no panic", "panic" not in r.boot.output.lower(), r.boot.output[-3000:])
    return r

def main():
    image = sys.argv[1] if len(sys.argv) > 1 else None
    make_images()
    runs = {k: lichen_qemu.console_sections(boot(k, image).output, keep_blank=False) for k in ("lichen", "linux")}
    lichen, linux = runs["lichen"], runs["linux"]
    for name, want in linux.items():
        got = lichen.get(name)
        check("same as Linux: " + name, got == want, "Linux:\n  " + "\n  ".join(want[:80]) + "\nLichen:\n  " + "\n  ".join((got or ["(missing)"])[:80]))
    check("ext4 mounted on Linux", linux.get("mount", [""])[0] == "mounted")
    check("the program ran from ext4", "ran from ext4" in linux.get("exec", []))
    failed = results.count(False)
    print("test_ext4: %d checks, %d failed" % (len(results), failed))
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
