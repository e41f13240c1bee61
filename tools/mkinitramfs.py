#!/usr/bin/env python3
"""Builds an initramfs (cpio newc, optionally gzip-compressed) from a spec file, like Linux's
gen_init_cpio. Needs nothing but Python's standard library.

Spec lines (paths inside the archive are absolute; '#' starts a comment):
    dir   /bin 755
    file  /bin/busybox build/debian/busybox/bin/busybox 755
    slink /bin/sh busybox 777
    nod   /dev/console 600 c 5 1
    applets /bin/busybox initramfs/busybox-applets.txt   (a symlink to /bin/busybox for each listed path)
Relative source paths are relative to the spec file's directory, except those starting with build/,
which are relative to the repository root.

usage: mkinitramfs.py SPEC OUTPUT [--gzip]
"""
import gzip, os, sys

def newc_header(ino, mode, nlink, size, rdev_major, rdev_minor, name):
    # c_ino c_mode c_uid c_gid c_nlink c_mtime c_filesize c_devmajor c_devminor c_rdevmajor c_rdevminor c_namesize c_check
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rdev_major, rdev_minor, len(name) + 1, 0]
    return ("070701" + "".join("%08x" % f for f in fields)).encode()

def pad4(n):
    return b"\0" * ((4 - n % 4) % 4)

def build(spec_path):
    root = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    base = os.path.dirname(os.path.abspath(spec_path))
    out = bytearray()
    ino = 1
    def add(name, mode, data=b"", major=0, minor=0):
        nonlocal ino
        name = name.lstrip("/").encode()
        head = newc_header(ino, mode, 2 if mode & 0o170000 == 0o040000 else 1, len(data), major, minor, name)
        out.extend(head + name + b"\0")
        out.extend(pad4(len(head) + len(name) + 1))
        out.extend(data + pad4(len(data)))
        ino += 1
    for line in open(spec_path):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        kind = words[0]
        if kind == "dir":
            add(words[1], 0o040000 | int(words[2], 8))
        elif kind == "file":
            src = words[2]
            src = os.path.join(root if src.startswith("build/") else base, src)
            add(words[1], 0o100000 | int(words[3], 8), open(src, "rb").read())
        elif kind == "slink":
            add(words[1], 0o120000 | int(words[3] if len(words) > 3 else "777", 8), words[2].encode())
        elif kind == "applets":
            src = words[2]
            src = os.path.join(root if src.startswith(("build/", "initramfs/")) else base, src)
            made = set()
            for applet in open(src).read().split():
                parent = os.path.dirname(applet)
                parts = parent.split("/") if parent else []
                for i in range(1, len(parts) + 1):
                    d = "/".join(parts[:i])
                    if d not in made and d != "bin":
                        add(d, 0o040000 | 0o755)
                    made.add(d)
                if "/" + applet != words[1]:
                    add(applet, 0o120000 | 0o777, words[1].encode())
        elif kind == "nod":
            kind_bits = {"c": 0o020000, "b": 0o060000}[words[3]]
            add(words[1], kind_bits | int(words[2], 8), major=int(words[4]), minor=int(words[5]))
        else:
            raise SystemExit("mkinitramfs: unknown entry '%s'" % kind)
    add("TRAILER!!!", 0)
    return bytes(out)

def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    data = build(sys.argv[1])
    if "--gzip" in sys.argv[3:]:
        data = gzip.compress(data, mtime=0)
    with open(sys.argv[2], "wb") as f:
        f.write(data)

if __name__ == "__main__":
    main()
