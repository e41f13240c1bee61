#!/usr/bin/env python3
"""Builds ext3/ext4 images whose journal needs recovery, with e2fsprogs' own journal writer
(debugfs: journal_open, journal_write, journal_close), and the reference replay of each
(`debugfs -w -R journal_run`, e2fsprogs' recovery code, the kernel's recovery.c).

    make_journals.py OUTDIR

OUTDIR/NAME.img: the image left unrecovered (needs_recovery); OUTDIR/NAME.ref: the same after
debugfs replayed it; OUTDIR/NAME.blocks: the home blocks the transactions touch, one a line;
OUTDIR/empty-*.img: freshly made images (an empty journal) for the commit writer's tests.
Fails loudly (exit 2) when e2fsprogs is missing.
"""
import os, re, shutil, subprocess, sys

MAGIC = bytes.fromhex("c03b3998")

def tool(name):
    path = shutil.which(name) or "/usr/sbin/" + name
    if not os.path.exists(path):
        print("make_journals.py: %s not found (apt-get install e2fsprogs)" % name, file=sys.stderr)
        sys.exit(2)
    return path

def mkfs(image, kind, block_size, journal_mb, extra=()):
    if os.path.exists(image):
        os.unlink(image)
    env = dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000", MKE2FS_DEVICE_SECTSIZE="512")
    subprocess.run([tool("mke2fs"), "-q", "-F", "-t", kind, "-b", str(block_size), "-J", "size=%d" % journal_mb,
                    "-U", "5a1f6c3e-0c2b-4d0e-9a6b-1e2f3a4b5c6d", "-E", "hash_seed=7b0f1c2d-3e4f-5a6b-7c8d-9e0f1a2b3c4d",
                    *extra, image, "16M"], check=True, env=env)

def pattern(tag, block_size, escaped=False):
    """A block of bytes derived from `tag`; an escaped one starts with the jbd2 magic."""
    data = bytearray((tag * 7 + i * 13) & 0xff for i in range(block_size))
    if escaped:
        data[0:4] = MAGIC
    return bytes(data)

def debugfs(image, commands):
    r = subprocess.run([tool("debugfs"), "-w", "-f", "-", image], input="\n".join(commands) + "\n",
                       capture_output=True, text=True)
    if r.returncode != 0 or "error" in r.stderr.lower() and "Journal" not in r.stderr:
        sys.exit("debugfs failed on %s: %s" % (image, r.stderr))
    return r.stdout

def journal(out, name, kind, block_size, open_flags, transactions, extra=()):
    """transactions: (blocks {home: data}, revokes [home], committed) in order."""
    image = os.path.join(out, name + ".img")
    mkfs(image, kind, block_size, block_size // 1024, extra)     # 1024-block journals (the fuzz seeds fit)
    commands = ["jo " + open_flags]
    touched = set()
    for i, (blocks, revokes, committed) in enumerate(transactions):
        data_file = os.path.join(out, "%s-t%d.data" % (name, i))
        with open(data_file, "wb") as f:
            for home in sorted(blocks):
                f.write(blocks[home])
        touched.update(blocks)
        touched.update(revokes)
        line = "jw"
        if blocks:
            line += " -b " + ",".join(str(b) for b in sorted(blocks))
        if revokes:
            line += " -r " + ",".join(str(b) for b in revokes)
        if not committed:
            line += " -c"
        commands.append(line + " " + data_file)
    commands.append("jc")
    debugfs(image, commands)
    shutil.copy(image, os.path.join(out, name + ".ref"))
    debugfs(os.path.join(out, name + ".ref"), ["jr"])
    with open(os.path.join(out, name + ".blocks"), "w") as f:
        f.write("".join("%d\n" % b for b in sorted(touched)))
    return image

def standard(block_size, base):
    """Three committed transactions: an escaped block, blocks logged twice, a revoke (last:
    debugfs's writer loses the commit block of a revoking transaction that another follows)."""
    b = lambda k, esc=False: pattern(k, block_size, esc)
    return [
        ({base: b(1), base + 1: b(2), base + 2: b(3, True)}, [], True),
        ({base + 3: b(4), base + 1: b(5)}, [], True),
        ({base + 4: b(6)}, [base], True),                   # base revoked: T1's copy not replayed
    ]

def torn(block_size, base):
    """Two committed transactions and a third without its commit block (not replayed)."""
    b = lambda k: pattern(k, block_size)
    return [({base: b(1), base + 1: b(2)}, [], True), ({base + 1: b(3)}, [], True), ({base + 2: b(4), base: b(5)}, [], False)]

def corrupt_last_commit(out, name):
    """Flips a byte of the last commit block's checksum (a torn commit write): the transaction
    is not replayed. The reference is replayed again from the damaged image."""
    image = os.path.join(out, name + ".img")
    dump = subprocess.run([tool("debugfs"), "-R", "logdump", image], capture_output=True, text=True).stdout
    commits = [int(m) for m in re.findall(r"type 2 \(commit block\) at block (\d+)", dump)]
    physical = int(subprocess.run([tool("debugfs"), "-R", "bmap <8> %d" % commits[-1], image],
                                  capture_output=True, text=True).stdout.split()[0])
    block_size = int(re.search(r"Block size:\s+(\d+)", subprocess.run([tool("dumpe2fs"), "-h", image],
                     capture_output=True, text=True).stdout).group(1))
    with open(image, "r+b") as f:
        f.seek(physical * block_size + 0x10)
        byte = f.read(1)
        f.seek(physical * block_size + 0x10)
        f.write(bytes([byte[0] ^ 0xff]))
    shutil.copy(image, os.path.join(out, name + ".ref"))
    debugfs(os.path.join(out, name + ".ref"), ["jr"])

def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    journal(out, "csum3-4k", "ext4", 4096, "-c", standard(4096, 3000))
    journal(out, "csum2-4k", "ext4", 4096, "-c -v 2", standard(4096, 3000))
    journal(out, "plain-4k", "ext4", 4096, "", standard(4096, 3000))
    journal(out, "csum3-1k", "ext4", 1024, "-c", standard(1024, 12000))
    journal(out, "ext3-1k", "ext3", 1024, "", standard(1024, 12000))
    journal(out, "torn-4k", "ext4", 4096, "-c", torn(4096, 3000))
    journal(out, "badcommit-4k", "ext4", 4096, "-c", torn(4096, 3000)[:2])
    corrupt_last_commit(out, "badcommit-4k")
    # Many blocks: descriptor blocks that fill up (more tags than one block holds).
    many = {3000 + k: pattern(k + 20, 1024) for k in range(150)}
    journal(out, "many-1k", "ext4", 1024, "-c", [(many, [], True), ({2990: pattern(99, 1024)}, [3000, 3001], True)])
    for kind, bs in (("ext4", 4096), ("ext4", 1024), ("ext3", 4096)):
        mkfs(os.path.join(out, "empty-%s-%d.img" % (kind, bs)), kind, bs, bs // 1024)
    print(out)

if __name__ == "__main__":
    main()
