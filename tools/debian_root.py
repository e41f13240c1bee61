#!/usr/bin/env python3
"""Debian bookworm's arm64 userland as a bootable ext4 root image, made on the host (nothing arm64 runs):
mmdebstrap --variant=extract downloads the packages and their dependencies and unpacks them (no
maintainer scripts) into a tree with merged /usr; this adds what an unconfigured tree lacks for a boot
(/etc/passwd, group, hostname, fstab, motd, the alternatives' links, an init script) and mke2fs -d makes
the image. `make run-debian` boots it on Lichen (root=/dev/vda) or Debian's Linux (LINUX=1, through an
initramfs that loads Linux's virtio and ext4 modules and switch_roots); tests/boot/test_debian_root.py
boots the small variant.

usage: tools/debian_root.py image full|mini IMAGE      (kept if it exists: the disk is persistent)
       tools/debian_root.py linux-initramfs OUT        (BusyBox and Debian's modules; switch_root to vda)

The unpacked tree is cached in build/debian-root/<variant>/ (remove it to download again).
"""
import os, shutil, subprocess, sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
WORK = os.path.join(ROOT, "build", "debian-root")

PACKAGES = {
    # What `make run-debian` gives: a usable shell environment, editors, scripting languages.
    "full": ["base-files", "base-passwd", "bash", "bash-completion", "dash", "coreutils", "util-linux", "mount",
             "procps", "findutils", "grep", "sed", "gawk", "less", "vim", "python3", "perl", "diffutils",
             "tar", "gzip", "xz-utils", "file", "hostname", "ncurses-base", "ncurses-bin", "busybox-static"],
    # The boot test's: small and quick to download.
    "mini": ["base-files", "bash", "coreutils", "python3-minimal", "busybox-static"],
}
HEADROOM_MIB = {"full": 512, "mini": 64}

# update-alternatives' links (maintainer scripts do not run in an extracted tree): link -> candidates.
ALTERNATIVES = [("usr/bin/awk", ["gawk", "mawk"]), ("usr/bin/which", ["which.debianutils"]),
                ("usr/bin/vi", ["vim.basic", "vim.tiny"]), ("usr/bin/vim", ["vim.basic"]),
                ("usr/bin/editor", ["vim.basic", "vim.tiny"]), ("usr/bin/pager", ["less"]),
                ("usr/bin/sh", ["dash", "bash"])]

# PID 1 of the image, on Lichen and on Linux: what an init system would mount, a login bash on the
# serial console, and a clean end. `poweroff`/`reboot` (the scripts below) signal this PID 1, which
# stops the other processes, remounts / read-only (the journal is closed: e2fsck finds it clean) and
# powers off; so does the end of the console shell.
INIT = r"""#!/bin/bash
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=linux LANG=C.UTF-8
busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /dev/shm
busybox mount -t devpts -o gid=5,mode=620 devpts /dev/pts
busybox mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /dev/shm
busybox mount -t proc proc /proc
busybox mount -t sysfs sysfs /sys
busybox mount -t tmpfs -o nosuid,nodev,mode=755 tmpfs /run
busybox mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs /tmp
read -r name </etc/hostname && echo "$name" >/proc/sys/kernel/hostname 2>/dev/null
cat /etc/motd
stop() {
    trap '' USR1 USR2 TERM
    kill -TERM -1 2>/dev/null; sleep 0.2; kill -KILL -1 2>/dev/null
    busybox umount /tmp /run /dev/shm 2>/dev/null
    sync
    busybox mount -o remount,ro / || echo "init: / stays read-write (not cleanly unmounted)"
    busybox "$1" -f
}
trap 'stop poweroff' USR1 USR2
trap 'stop reboot' TERM
cd /root
# The console shell: a new session with the serial port as its controlling terminal (job control).
# An asynchronous command starts with SIGINT and SIGQUIT ignored; the subshell restores them.
( trap - INT QUIT; exec busybox setsid -c bash -l </dev/ttyAMA0 >/dev/ttyAMA0 2>&1 ) &
wait $!
stop poweroff
"""

POWEROFF = "#!/bin/sh\n# No init system here: PID 1 (/sbin/init, a script) unmounts and powers off on this signal.\nkill -%s 1\n"

MOTD = """
Debian bookworm's userland on %s.
`poweroff` (or leaving this shell) unmounts / and powers off; `reboot` restarts.

"""


def run(cmd, **kw):
    print("+ " + " ".join(cmd), flush=True)
    subprocess.check_call(cmd, **kw)


def write(tree, path, text, mode=0o644):
    full = os.path.join(tree, path)
    os.makedirs(os.path.dirname(full), exist_ok=True)
    with open(full, "w") as f:
        f.write(text)
    os.chmod(full, mode)


def configure(tree):
    """What dpkg's maintainer scripts and an installer would have left in the tree."""
    for d, mode in (("dev", 0o755), ("proc", 0o555), ("sys", 0o555), ("run", 0o755), ("tmp", 0o1777),
                    ("root", 0o700), ("home", 0o755), ("mnt", 0o755)):
        path = os.path.join(tree, d)
        if os.path.isdir(path) and d == "dev":
            shutil.rmtree(path)                 # devtmpfs is mounted there at boot
        os.makedirs(path, exist_ok=True)
        os.chmod(path, mode)
    master = os.path.join(tree, "usr/share/base-passwd")
    if os.path.exists(os.path.join(master, "passwd.master")):
        shutil.copy(os.path.join(master, "passwd.master"), os.path.join(tree, "etc/passwd"))
        shutil.copy(os.path.join(master, "group.master"), os.path.join(tree, "etc/group"))
    else:
        write(tree, "etc/passwd", "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
        write(tree, "etc/group", "root:x:0:\ntty:x:5:\ndisk:x:6:\nusers:x:100:\nnogroup:x:65534:\n")
    write(tree, "etc/hostname", "debian\n")
    write(tree, "etc/hosts", "127.0.0.1\tlocalhost\n127.0.1.1\tdebian\n")
    write(tree, "etc/fstab", "# <file system> <mount point> <type> <options> <dump> <pass>\n/dev/vda / ext4 rw 0 1\n")
    write(tree, "sbin/init", INIT, 0o755)
    write(tree, "usr/local/sbin/poweroff", POWEROFF % "USR2", 0o755)
    write(tree, "usr/local/sbin/halt", POWEROFF % "USR1", 0o755)
    write(tree, "usr/local/sbin/reboot", POWEROFF % "TERM", 0o755)
    write(tree, "etc/motd", MOTD % "Lichen (or Linux)")
    bashrc = os.path.join(tree, "etc/skel/.bashrc")
    if os.path.exists(bashrc) and not os.path.exists(os.path.join(tree, "root/.bashrc")):
        shutil.copy(bashrc, os.path.join(tree, "root/.bashrc"))
    for link, candidates in ALTERNATIVES:
        path = os.path.join(tree, link)
        if os.path.lexists(path):
            continue
        for c in candidates:
            if os.path.exists(os.path.join(os.path.dirname(path), c)):
                os.symlink(c, path)
                break


def ensure_tree(variant):
    """build/debian-root/<variant>/tree, unpacked once (the download is the slow part)."""
    base = os.path.join(WORK, variant)
    tree = os.path.join(base, "tree")
    done = os.path.join(base, "complete")
    if os.path.exists(done):
        return tree
    subprocess.check_call([os.path.join(ROOT, "tools", "ensure-deps.sh"), "mmdebstrap", "e2fsprogs"])
    shutil.rmtree(base, ignore_errors=True)
    os.makedirs(base)
    run(["mmdebstrap", "--quiet", "--variant=extract", "--architectures=arm64", "--include=" + ",".join(PACKAGES[variant]),
         "--setup-hook=/usr/share/mmdebstrap/hooks/merged-usr/setup00.sh", "bookworm", tree])
    open(done, "w").close()
    return tree


def tree_mib(tree):
    out = subprocess.check_output(["du", "-s", "--block-size=1M", tree], text=True)
    return int(out.split()[0])


def make_image(variant, image, fresh=False):
    """The ext4 image of the variant's tree (mke2fs -d), with headroom; kept if it already exists."""
    if os.path.exists(image) and not fresh:
        return image
    tree = ensure_tree(variant)
    configure(tree)
    size = tree_mib(tree) + HEADROOM_MIB[variant]
    os.makedirs(os.path.dirname(os.path.abspath(image)), exist_ok=True)
    if os.path.exists(image):
        os.unlink(image)
    run(["mke2fs", "-q", "-F", "-t", "ext4", "-L", "debian-root", "-d", tree, image, "%dM" % size])
    return image


# Debian's kernel has virtio_blk and ext4 as modules: an initramfs loads them, mounts vda read-write
# and switch_roots into it (as tests/boot/test_rootdisk.py does, read-only there).
LINUX_MODULES = ["drivers/virtio/virtio_mmio.ko", "drivers/block/virtio_blk.ko", "lib/crc16.ko",
                 "crypto/crc32c_generic.ko", "fs/mbcache.ko", "fs/jbd2/jbd2.ko", "fs/ext4/ext4.ko"]
SWITCH_INIT = r"""#!/bin/busybox sh
export PATH=/bin
mount -t devtmpfs devtmpfs /dev
for m in virtio_mmio virtio_blk crc16 crc32c_generic mbcache jbd2 ext4; do insmod /$m.ko; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
mkdir -p /newroot
mount -t ext4 -o rw /dev/vda /newroot || { echo "initramfs: cannot mount /dev/vda"; poweroff -f; }
umount /dev
exec switch_root /newroot /sbin/init
"""


def linux_initramfs(out):
    sys.path.insert(0, os.path.join(ROOT, "tests", "boot"))
    import lichen_diff, test_virtio   # noqa: E402
    os.makedirs(WORK, exist_ok=True)
    init = os.path.join(WORK, "linux-init.sh")
    with open(init, "w") as f:
        f.write(SWITCH_INIT)
    spec = ["dir /bin 755", "dir /dev 755", "dir /proc 755", "nod /dev/console 600 c 5 1",
            "file /bin/busybox %s 755" % lichen_diff.ensure("busybox"), "file /init %s 755" % init]
    for applet in ("sh", "mount", "umount", "insmod", "mkdir", "sleep", "switch_root", "echo", "poweroff"):
        spec.append("slink /bin/%s busybox 777" % applet)
    for path in test_virtio.linux_modules(LINUX_MODULES):
        spec.append("file /%s %s 644" % (os.path.basename(path), path))
    spec_path = os.path.join(WORK, "linux-initramfs.spec")
    with open(spec_path, "w") as f:
        f.write("\n".join(spec) + "\n")
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tools", "mkinitramfs.py"), spec_path, out, "--gzip"])
    return out


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "image" and sys.argv[2] in PACKAGES:
        make_image(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 3 and sys.argv[1] == "linux-initramfs":
        linux_initramfs(sys.argv[2])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
