#!/usr/bin/env python3
"""Builds the ext2/ext4 test images with Debian's mke2fs -d (host tests and tests/boot/test_ext4.py).

    make_images.py OUTDIR [--program PATH]

OUTDIR/tree: the files; OUTDIR/ext4.img (4 KiB blocks, metadata_csum, extents, htree directory),
OUTDIR/ext2.img (4 KiB blocks), OUTDIR/ext2-1k.img (1 KiB blocks: double indirect blocks), OUTDIR/ext3.img and
OUTDIR/ext3-1k.img (journaled, block-mapped), OUTDIR/ext2-extents.img (ext2 + tune2fs -O extents); for the write tests, journal-less ext4
(-O ^has_journal): OUTDIR/ext4-nj.img (4 KiB blocks, 4096 blocks per group: several groups, some
BLOCK_UNINIT) and OUTDIR/ext4-nj-1k.img (1 KiB blocks: deeper extent trees); the same two with
mke2fs's default journal: OUTDIR/ext4-j.img and OUTDIR/ext4-j-1k.img.
Fails loudly (exit 2) when mke2fs is missing: install e2fsprogs.
"""
import os, random, shutil, subprocess, sys

def build_tree(tree, program=None):
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    rnd = random.Random(1234)
    def write(path, data, mode=0o644):
        with open(os.path.join(tree, path), "wb") as f:
            f.write(data)
        os.chmod(os.path.join(tree, path), mode)
    write("small.txt", b"hello, ext4!\n")
    write("empty", b"")
    write("one-block", bytes(rnd.getrandbits(8) for _ in range(4096)))
    write("multi", bytes(rnd.getrandbits(8) for _ in range(100_000)))
    write("big", bytes(rnd.getrandbits(8) for _ in range(300_000)) * 4)
    # sparse: a hole at the start, data in the middle, a hole at the end (size set by truncate)
    with open(os.path.join(tree, "sparse"), "wb") as f:
        f.seek(1 << 20); f.write(b"middle of nowhere\n"); f.truncate(3 << 20)
    # fragmented: 24 separate extents (more than the 4 the inode holds: an extent tree of depth 1)
    with open(os.path.join(tree, "fragmented"), "wb") as f:
        for k in range(24):
            f.seek(k * 8192); f.write(bytes([k + 1]) * 4096)
    os.makedirs(os.path.join(tree, "dir/sub/deeper"))
    write("dir/sub/deeper/file", b"deep\n", 0o600)
    write("dir/owned", b"owned by 1000\n", 0o640)
    os.chown(os.path.join(tree, "dir/owned"), 1000, 1000)
    os.symlink("small.txt", os.path.join(tree, "link-fast"))
    slow = "dir/sub/" + "x" * 70 + "/../deeper/file"
    os.symlink(slow, os.path.join(tree, "dir/link-slow"))
    os.link(os.path.join(tree, "small.txt"), os.path.join(tree, "hard"))
    os.makedirs(os.path.join(tree, "bigdir"))
    for i in range(3000):
        write("bigdir/entry-%04d" % i, b"%d\n" % i if i % 100 == 0 else b"")
    os.utime(os.path.join(tree, "small.txt"), ns=(1_700_000_000_123_456_789, 1_600_000_000_987_654_321))
    os.utime(os.path.join(tree, "multi"), ns=(1_700_000_001_000_000_001, 1_500_000_000_000_000_007))
    os.makedirs(os.path.join(tree, "xattr/dir"))
    for name in ("inline", "block", "caps", "none"):
        write("xattr/" + name, name.encode() + b"\n")
    if program:
        os.makedirs(os.path.join(tree, "bin"))
        shutil.copy(program, os.path.join(tree, "bin/prog"))
        os.chmod(os.path.join(tree, "bin/prog"), 0o755)

def mkfs(kind, image, tree, block_size, size="16M", extra=()):
    if shutil.which("mke2fs") is None and not os.path.exists("/usr/sbin/mke2fs"):
        sys.exit("make_images.py: mke2fs not found (apt-get install e2fsprogs)")
    mke2fs = shutil.which("mke2fs") or "/usr/sbin/mke2fs"
    if os.path.exists(image):
        os.unlink(image)
    env = dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000", MKE2FS_DEVICE_SECTSIZE="512")
    subprocess.run([mke2fs, "-q", "-F", "-t", kind, "-b", str(block_size), "-L", kind + "-test",
                    "-U", "5a1f6c3e-0c2b-4d0e-9a6b-1e2f3a4b5c6d", "-E", "hash_seed=7b0f1c2d-3e4f-5a6b-7c8d-9e0f1a2b3c4d",
                    *extra, "-d", tree, image, size], check=True, env=env)

# Extended attributes (debugfs ea_set): small ones in the inode, large ones in the external
# block, file capabilities (revision 2: cap_net_raw, cap_sys_nice permitted and effective).
XATTRS = [
    ("/xattr/inline", "user.comment", b"hello"),
    ("/xattr/inline", "security.label", b"lbl"),
    ("/xattr/inline", "trusted.t", b"tv"),
    ("/xattr/block", "user.big", bytes(range(256)) * 4),
    ("/xattr/block", "user.second", b"x" * 600),
    ("/xattr/block", "user.small", b"s"),
    ("/xattr/caps", "security.capability", bytes([1, 0, 0, 2, 0, 0x20, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])),
    ("/xattr/dir", "user.d", b""),
]

def set_xattrs(image, out):
    for i, (path, name, value) in enumerate(XATTRS):
        value_file = os.path.join(out, "xattr-value-%d" % i)
        with open(value_file, "wb") as f:
            f.write(value)
        subprocess.run(["debugfs", "-w", "-R", "ea_set -f %s %s %s" % (value_file, path, name), image],
                       check=True, capture_output=True)
        os.unlink(value_file)

def main():
    out = sys.argv[1]
    program = sys.argv[sys.argv.index("--program") + 1] if "--program" in sys.argv else None
    os.makedirs(out, exist_ok=True)
    tree = os.path.join(out, "tree")
    build_tree(tree, program)
    mkfs("ext4", os.path.join(out, "ext4.img"), tree, 4096)
    # mke2fs -d drops nanoseconds: set two mtimes' (ns << 2 in i_mtime_extra) with debugfs
    for path, ns in (("/small.txt", 987_654_321), ("/multi", 7)):
        subprocess.run(["debugfs", "-w", "-R", "set_inode_field %s mtime_extra %d" % (path, ns << 2),
                        os.path.join(out, "ext4.img")], check=True, capture_output=True)
    set_xattrs(os.path.join(out, "ext4.img"), out)
    mkfs("ext2", os.path.join(out, "ext2.img"), tree, 4096)
    mkfs("ext2", os.path.join(out, "ext2-1k.img"), tree, 1024)
    # block-mapped read-write: ext3 (jbd2 journal, no extents) and an ext2 volume given the
    # extents feature by tune2fs (its files stay block-mapped, new ones get extents, as on Linux)
    mkfs("ext3", os.path.join(out, "ext3.img"), tree, 4096, "32M")
    mkfs("ext3", os.path.join(out, "ext3-1k.img"), tree, 1024, "32M")
    mkfs("ext2", os.path.join(out, "ext2-extents.img"), tree, 4096, "32M")
    subprocess.run(["tune2fs", "-O", "extents", os.path.join(out, "ext2-extents.img")], check=True, capture_output=True)
    mkfs("ext4", os.path.join(out, "ext4-nj.img"), tree, 4096, "48M", ("-O", "^has_journal", "-g", "4096"))
    mkfs("ext4", os.path.join(out, "ext4-nj-1k.img"), tree, 1024, "32M", ("-O", "^has_journal"))
    # journaled (mke2fs's default ext4) for the jbd2 write tests: the same geometries
    mkfs("ext4", os.path.join(out, "ext4-j.img"), tree, 4096, "48M", ("-g", "4096"))
    mkfs("ext4", os.path.join(out, "ext4-j-1k.img"), tree, 1024, "32M")

if __name__ == "__main__":
    main()
