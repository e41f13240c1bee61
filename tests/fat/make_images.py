#!/usr/bin/env python3
"""Builds the FAT test images with the host's mkfs.fat (dosfstools) and mtools (host tests,
tests/boot/test_fat.py and the fuzz seeds).

    make_images.py OUTDIR

OUTDIR/tree: the files; OUTDIR/fat12.img, fat16.img, fat32.img: mkfs.fat -F 12/16/32, the tree
copied in with mmd/mcopy (times kept). Fails loudly (exit 2) without dosfstools or mtools.
"""
import os, random, shutil, subprocess, sys

SIZES = {12: 4, 16: 32, 32: 64}          # MiB: FAT32 needs 65525 clusters (mkfs.fat -s 1)

def need(tool):
    for d in ("", "/usr/sbin/", "/sbin/"):
        path = shutil.which(tool) if d == "" else d + tool
        if path and os.path.exists(path):
            return path
    sys.exit("make_images.py: %s not found (tools/ensure-deps.sh dosfstools mtools)" % tool)

def build_tree(tree):
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    rnd = random.Random(4321)
    def write(path, data):
        full = os.path.join(tree, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "wb") as f:
            f.write(data)
        os.utime(full, (1_700_000_000, 1_700_000_000))
    write("hello.txt", b"hello, fat!\n")
    write("README", b"upper-case 8.3 name\n")
    write("MixedCase.Txt", b"mixed\n")
    write("A long file name with spaces.txt", b"long names work\n")
    write("\u00dcn\u00efc\u00f6d\u00e9 name.txt", b"unicode\n")
    write("empty", b"")
    write("big.bin", bytes(rnd.getrandbits(8) for _ in range(300_000)))
    write("dir/sub/deeper/file", b"deep\n")
    for i in range(120):
        write("many/entry-%03d" % i, b"%d\n" % i)

def mkfs(bits, image, tree):
    mkfs_fat, mcopy, mmd = need("mkfs.fat"), need("mcopy"), need("mmd")
    if os.path.exists(image):
        os.unlink(image)
    args = [mkfs_fat, "-F", str(bits), "-i", "12345678", "-n", "LICHEN", "-C", image, str(SIZES[bits] * 1024)]
    if bits == 32:
        args[1:1] = ["-s", "1"]
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    env = dict(os.environ, MTOOLS_SKIP_CHECK="1", MTOOLS_NO_VFAT="0", TZ="UTC")
    for root, dirs, files in sorted(os.walk(tree)):
        rel = os.path.relpath(root, tree)
        for d in sorted(dirs):
            target = "::/" + (d if rel == "." else rel + "/" + d)
            subprocess.run([mmd, "-i", image, target], check=True, env=env)
        for f in sorted(files):
            target = "::/" + (f if rel == "." else rel + "/" + f)
            subprocess.run([mcopy, "-m", "-i", image, os.path.join(root, f), target], check=True, env=env)

def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    tree = os.path.join(out, "tree")
    build_tree(tree)
    for bits in (12, 16, 32):
        mkfs(bits, os.path.join(out, "fat%d.img" % bits), tree)

if __name__ == "__main__":
    main()
