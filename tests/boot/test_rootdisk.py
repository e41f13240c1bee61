#!/usr/bin/env python3
"""Booting from a disk: a small ext4 image (static BusyBox, a few files, /sbin/init a script that
prints "== name" sections and powers off) made with mke2fs -d at test time.

- Lichen with root=/dev/vda and no initramfs (the kernel mounts it, as Linux's prepare_namespace).
- Lichen and Debian's Linux with an initramfs whose /init mounts the disk and runs BusyBox's
  switch_root into it; every section of the disk's init must be the same on both. (Debian's kernel
  cannot mount a disk root without an initramfs: virtio_blk and ext4 are modules there.)
- Lichen's root= boot gives the same sections, /dev/root being the source Linux shows for a
  kernel-mounted root.
- Lichen: root=... rw mounts the journaled ext4 read-write; a missing root device ends with
  Linux's "VFS: Unable to mount root fs" and a power-off (no hang); init= picks the program.
- root=PARTUUID= on GPT and MBR copies of the image (as partition 1); root=UUID= fails as on
  Linux (the kernel does not resolve it), ending in the same unknown-block(0,0) panic as Debian's kernel.

usage: tests/boot/test_rootdisk.py [IMAGE]    (run it under flock /tmp/lichen-qemu.lock)
"""
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "boot"))
import lichen_diff   # noqa: E402
import lichen_qemu   # noqa: E402
import test_virtio   # noqa: E402
sys.path.insert(0, os.path.join(ROOT, "tests", "virtio"))
import disks         # noqa: E402

WORK = os.path.join(ROOT, "build", "rootdisk")
MODULES = ["drivers/virtio/virtio_mmio.ko", "drivers/block/virtio_blk.ko", "lib/crc16.ko", "crypto/crc32c_generic.ko",
           "fs/mbcache.ko", "fs/jbd2/jbd2.ko", "fs/ext4/ext4.ko"]
results = []

# The disk's init: what both kernels must show alike.
DISK_INIT = r"""#!/bin/sh
export PATH=/bin HOME=/ LANG=C TZ=UTC0
echo "== init"
echo "pid $$ args $#"
cat /hello.txt
ls /
echo "== dev"
ls /dev
echo "== mountinfo"
mount -t proc proc /proc
# id, parent, device and the filesystem's own options aside (Lichen's numbering differs).
sed -e 's/^[0-9]* [0-9]* [0-9]*:[0-9]* //' -e 's/ - \([^ ]*\) \([^ ]*\) .*/ - \1 \2/' /proc/self/mountinfo
echo "== mounts"
cut -d' ' -f1-4 /proc/mounts
echo "== root"
readlink /proc/1/root
stat -c '%d %i' /
touch /written 2>&1 | sed 's/.*: //'
echo "== end"
poweroff -f
"""

# The initramfs's /init: load Linux's modules (Lichen has no modules: insmod fails, quietly), mount
# the disk read-only and switch_root into it.
SWITCH_INIT = r"""#!/bin/busybox sh
export PATH=/bin
[ -e /dev/null ] || mount -t devtmpfs devtmpfs /dev
for m in virtio_mmio virtio_blk crc16 crc32c_generic mbcache jbd2 ext4; do insmod /$m.ko 2>/dev/null; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
mkdir -p /newroot
mount -t ext4 -o ro /dev/vda /newroot || echo "initramfs: cannot mount /dev/vda"
exec switch_root /newroot /sbin/init
"""


def check(name, ok, detail=""):
    results.append(ok)
    print("%s %s" % ("PASS" if ok else "FAIL", name))
    if not ok and detail:
        print("    " + detail.replace("\n", "\n    "))


def make_image():
    """build/rootdisk/disk.img: ext4, 32 MiB, from a tree with BusyBox and its applet links."""
    tree = os.path.join(WORK, "tree")
    shutil.rmtree(tree, ignore_errors=True)
    for d in ("bin", "sbin", "dev", "proc", "sys", "tmp", "etc"):
        os.makedirs(os.path.join(tree, d))
    shutil.copy(lichen_diff.ensure("busybox"), os.path.join(tree, "bin", "busybox"))
    for applet in ("sh", "cat", "ls", "echo", "mount", "sed", "cut", "readlink", "stat", "touch", "poweroff", "umount"):
        os.symlink("busybox", os.path.join(tree, "bin", applet))
    with open(os.path.join(tree, "sbin", "init"), "w") as f:
        f.write(DISK_INIT)
    os.chmod(os.path.join(tree, "sbin", "init"), 0o755)
    with open(os.path.join(tree, "hello.txt"), "w") as f:
        f.write("hello from the disk\n")
    image = os.path.join(WORK, "disk.img")
    if os.path.exists(image):
        os.unlink(image)
    subprocess.check_call(["mke2fs", "-q", "-F", "-t", "ext4", "-d", tree, "-L", "lichenroot", image, "32M"],
                          env=dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000"))
    return image


# root=PARTUUID=: the ext4 image as partition 1 of a GPT disk (unique GUID below) and of an MBR
# disk (signature 1e2d3c4b, a small partition 2 after it for PARTNROFF=).
GPT_PARTUUID = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"
MBR_SIGNATURE = 0x1e2d3c4b


def partitioned(image, kind):
    fs = open(image, "rb").read()
    count = len(fs) // disks.SECTOR
    if kind == "gpt":
        import uuid
        disk = disks.gpt_disk(tag=b"R", sectors=2048 + count + 34, parts=((2048, 2048 + count - 1),),
                              uniques=[uuid.UUID(GPT_PARTUUID).bytes_le])
    else:
        disk = disks.blank(b"R", 2048 + count + 2048)
        disk[0:disks.SECTOR] = bytes(disks.SECTOR)
        disks.put_mbr(disk, 0, [disks.mbr_entry(0x83, 2048, count), disks.mbr_entry(0x83, 2048 + count, 2048)])
        disk[440:444] = MBR_SIGNATURE.to_bytes(4, "little")
    disk[2048 * disks.SECTOR:(2048 + count) * disks.SECTOR] = fs
    path = os.path.join(WORK, "disk-%s.img" % kind)
    open(path, "wb").write(disk)
    return path


def switch_initramfs():
    """An initramfs with BusyBox, Debian's modules and the switch_root /init."""
    init = os.path.join(WORK, "switch-init.sh")
    with open(init, "w") as f:
        f.write(SWITCH_INIT)
    spec = ["dir /bin 755", "dir /dev 755", "dir /proc 755", "nod /dev/console 600 c 5 1",
            "file /bin/busybox %s 755" % lichen_diff.ensure("busybox"), "file /init %s 755" % init]
    for applet in ("sh", "mount", "insmod", "mkdir", "sleep", "switch_root", "echo"):
        spec.append("slink /bin/%s busybox 777" % applet)
    for path in test_virtio.linux_modules(MODULES):
        spec.append("file /%s %s 644" % (os.path.basename(path), path))
    spec_path = os.path.join(WORK, "switch.spec")
    with open(spec_path, "w") as f:
        f.write("\n".join(spec) + "\n")
    out = os.path.join(WORK, "switch.cpio.gz")
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tools", "mkinitramfs.py"), spec_path, out, "--gzip"])
    return out


def boot(kernel, image, disk, append="", initrd=None, timeout=60):
    copy = os.path.join(WORK, "%s-boot.img" % kernel)
    shutil.copy(disk, copy)                      # each boot gets a fresh disk
    kernel_path, base_append = lichen_diff.kernel_image(kernel)
    if kernel == "lichen" and image:
        kernel_path = image
    return lichen_qemu.boot(kernel_path, timeout=timeout, memory="512M", append=(base_append + " " + append).strip(),
                            initrd=initrd, extra=test_virtio.qemu_disk_list([(copy, False)]))


def main():
    image = sys.argv[1] if len(sys.argv) > 1 else None
    os.makedirs(WORK, exist_ok=True)
    disk = make_image()
    initrd = switch_initramfs()

    linux = boot("linux", image, disk, initrd=initrd, timeout=120)
    linux_sections = lichen_qemu.console_sections(linux.output, keep_blank=False)
    check("linux: switch_root into the disk ran its init to the end", "end" in linux_sections, linux.output[-3000:])

    switched = boot("lichen", image, disk, initrd=initrd)
    sections = lichen_qemu.console_sections(switched.output, keep_blank=False)
    check("lichen: switch_root into the disk ran its init to the end", "end" in sections, switched.output[-3000:])
    for name, want in linux_sections.items():
        got = sections.get(name)
        check("switch_root: same as Linux: " + name, got == want,
              "Linux:\n  " + "\n  ".join(want) + "\nLichen:\n  " + "\n  ".join(got or ["(missing)"]))

    # root= without an initramfs: the kernel mounts the disk as /dev/root.
    direct = boot("lichen", image, disk, append="root=/dev/vda")
    sections = lichen_qemu.console_sections(direct.output, keep_blank=False)
    check("lichen root=/dev/vda: Linux's message", "VFS: Mounted root (ext4 filesystem) readonly on device 254:0." in direct.output,
          direct.output[-3000:])
    for name, want in linux_sections.items():
        want = [line.replace("/dev/vda", "/dev/root") for line in want]
        got = sections.get(name)
        check("root=/dev/vda: same as Linux (source /dev/root): " + name, got == want,
              "Linux:\n  " + "\n  ".join(want) + "\nLichen:\n  " + "\n  ".join(got or ["(missing)"]))

    by_number = boot("lichen", image, disk, append="root=254:0 rootfstype=ext4 init=/bin/sh -- -c 'echo init=sh; poweroff -f'")
    check("lichen root=254:0 rootfstype=ext4 init=/bin/sh", "init=sh" in by_number.output, by_number.output[-2000:])

    rw = boot("lichen", image, disk, append="root=/dev/vda rw")
    check("lichen root= rw: the journaled ext4 root is mounted read-write",
          "VFS: Mounted root (ext4 filesystem) on device 254:0." in rw.output
          and "rw was asked" not in rw.output and "== end" in rw.output, rw.output[-2000:])

    missing = boot("lichen", image, disk, append="root=/dev/vdb")
    check("lichen root=/dev/vdb (no such disk): Linux's messages and a power-off",
          'VFS: Cannot open root device "/dev/vdb" or unknown-block(0,0): error -6' in missing.output
          and "VFS: Unable to mount root fs on unknown-block(0,0)" in missing.output and not missing.timed_out,
          missing.output[-2000:])

    # root=PARTUUID= (init/do_mounts.c's devt_from_partuuid): GPT's unique GUID in any case, MBR's
    # SSSSSSSS-PP, a leading part of it (Linux compares the given length), /PARTNROFF=.
    gpt, mbr = partitioned(disk, "gpt"), partitioned(disk, "mbr")
    quick = " init=/bin/sh -- -c 'echo init=sh; poweroff -f'"
    for name, part_disk, root in (("GPT", gpt, GPT_PARTUUID.upper()), ("MBR", mbr, "%08x-01" % MBR_SIGNATURE),
                                  ("MBR, a leading part", mbr, "%08x-0" % MBR_SIGNATURE),
                                  ("MBR, PARTNROFF=-1", mbr, "%08x-02/PARTNROFF=-1" % MBR_SIGNATURE)):
        r = boot("lichen", image, part_disk, append="root=PARTUUID=" + root + quick)
        check("lichen root=PARTUUID=%s (%s): partition 1 mounted, init ran" % (root, name),
              "VFS: Mounted root (ext4 filesystem) readonly on device 254:1." in r.output and "init=sh" in r.output,
              r.output[-2000:])
    r = boot("lichen", image, mbr, append="root=PARTUUID=%08x-03" % MBR_SIGNATURE)
    check("lichen root=PARTUUID= of no partition: Linux's messages and a power-off",
          'VFS: Cannot open root device "PARTUUID=%08x-03" or unknown-block(0,0): error -6' % MBR_SIGNATURE in r.output
          and "VFS: Unable to mount root fs on unknown-block(0,0)" in r.output and not r.timed_out, r.output[-2000:])

    # root=UUID= is an initramfs's job: Linux's kernel cannot resolve it and fails as for a missing
    # device (its 6.5+ early_lookup_bdev also turns rootwait off for it; 6.1 would wait forever).
    by_uuid = "root=UUID=0e6d2c1a-5b1e-4e8f-9d3b-3c6f0f2a1b7d"
    r = boot("lichen", image, disk, append=by_uuid + " rootwait")
    want = 'VFS: Cannot open root device "UUID=0e6d2c1a-5b1e-4e8f-9d3b-3c6f0f2a1b7d" or unknown-block(0,0): error -6'
    check("lichen root=UUID= rootwait: rootwait disabled, Linux's messages and a power-off",
          "Disabling rootwait; root= is invalid." in r.output and want in r.output
          and "VFS: Unable to mount root fs on unknown-block(0,0)" in r.output and not r.timed_out, r.output[-2000:])
    # Debian's kernel has no disk filesystem built in (ext4 is a module), so it tries no type and
    # never opens the device ("No filesystem could mount root, tried:" with an empty list); the
    # panic that ends it is the one Lichen ends with.
    linux_uuid = boot("linux", image, disk, append=by_uuid + " loglevel=5 panic=-1", timeout=120)
    check("linux root=UUID= without an initramfs: the same unknown-block(0,0) panic",
          "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)" in linux_uuid.output
          and "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)" in r.output, linux_uuid.output[-2000:])

    failed = results.count(False)
    print("test_rootdisk: %d checks, %d failed" % (len(results), failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
