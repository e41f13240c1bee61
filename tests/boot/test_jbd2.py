#!/usr/bin/env python3
"""ext4 journal recovery at mount: an ext4 image (mke2fs -d) whose journal debugfs's journal writer
left unrecovered (T1 logs a new data block of hello.txt and garbage for kept.txt's block, T2 revokes
kept.txt's block), mounted read-only by Lichen, then by Debian's Linux (which replays it too), each
on its own copy: the same sections (tests/jbd2/jbd2-checks.sh), and on the host after poweroff the
replayed image is e2fsck -fn clean, needs_recovery is gone and hello.txt has its new content.
vdb is the same image on a read-only disk: recovery impossible (EROFS), mountable with noload.

usage: tests/boot/test_jbd2.py [IMAGE]    (run it under flock /tmp/lichen-qemu.lock)
"""
import os, shutil, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, HERE)
import lichen_diff, lichen_qemu, test_virtio

WORK = os.path.join(ROOT, "build", "jbd2")
SCRIPT = os.path.join(ROOT, "tests", "jbd2", "jbd2-checks.sh")
MODULES = ["drivers/virtio/virtio_mmio.ko", "drivers/block/virtio_blk.ko", "lib/crc16.ko", "crypto/crc32c_generic.ko",
           "fs/mbcache.ko", "fs/jbd2/jbd2.ko", "fs/ext4/ext4.ko"]
BEFORE, AFTER, KEPT = b"before replay\n", b"after  replay\n", b"kept as it is\n"
results = []

def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok or not detail else "\n" + detail))

def debugfs(image, commands):
    return subprocess.run(["debugfs", "-w", "-f", "-", image], input="\n".join(commands) + "\n",
                          capture_output=True, text=True, check=True).stdout

def make_image():
    subprocess.check_call([os.path.join(ROOT, "tools", "ensure-deps.sh"), "e2fsprogs"])
    os.makedirs(WORK, exist_ok=True)
    tree = os.path.join(WORK, "tree")
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    for name, data in (("hello.txt", BEFORE), ("kept.txt", KEPT)):
        with open(os.path.join(tree, name), "wb") as f:
            f.write(data)
    image = os.path.join(WORK, "journal.img")
    if os.path.exists(image):
        os.unlink(image)
    subprocess.check_call(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", "-d", tree, image, "32M"],
                          env=dict(os.environ, E2FSPROGS_FAKE_TIME="1700000000"))
    bmap = lambda path: int(subprocess.run(["debugfs", "-R", "bmap %s 0" % path, image], capture_output=True,
                                           text=True, check=True).stdout.split()[0])
    hello, kept = bmap("/hello.txt"), bmap("/kept.txt")
    data = os.path.join(WORK, "t1.data")
    blocks = sorted([(hello, AFTER + bytes(4096 - len(AFTER))), (kept, b"\xee" * 4096)])
    with open(data, "wb") as f:
        for _, d in blocks:
            f.write(d)
    debugfs(image, ["jo -c", "jw -b %s %s" % (",".join(str(b) for b, _ in blocks), data), "jw -r %d" % kept, "jc"])
    features = subprocess.run(["dumpe2fs", "-h", image], capture_output=True, text=True).stdout
    check("the image needs recovery", "needs_recovery" in features)
    return image

def boot(kernel, image, source):
    copy = os.path.join(WORK, "%s.img" % kernel)
    shutil.copy(source, copy)
    ro = os.path.join(WORK, "%s-ro.img" % kernel)
    shutil.copy(source, ro)
    files = [("/" + os.path.basename(p), p, "644") for p in test_virtio.linux_modules(MODULES)]
    if image:
        lichen_diff.LICHEN = image
    r = lichen_diff.run(kernel, script=open(SCRIPT).read(), files=files, timeout=300, memory="512M",
                        qemu_extra=test_virtio.qemu_disk_list([(copy, False), (ro, True)]))
    check("%s: the script ran to its end" % kernel, r.status is not None and not r.boot.timed_out, r.boot.output[-3000:])
    if kernel == "lichen":
        check("lichen: no panic", "panic" not in r.boot.output.lower(), r.boot.output[-3000:])
    return r, copy, ro

def main():
    image = sys.argv[1] if len(sys.argv) > 1 else None
    source = make_image()
    runs = {}
    for kernel in ("lichen", "linux"):
        r, copy, ro = boot(kernel, image, source)
        runs[kernel] = lichen_qemu.console_sections(r.boot.output, keep_blank=False)
        fsck = subprocess.run(["e2fsck", "-fn", copy], capture_output=True, text=True)
        check("%s: e2fsck -fn clean after the replay" % kernel, fsck.returncode == 0, fsck.stdout + fsck.stderr)
        features = subprocess.run(["dumpe2fs", "-h", copy], capture_output=True, text=True).stdout
        check("%s: needs_recovery cleared" % kernel, "needs_recovery" not in features, features)
        hello = subprocess.run(["debugfs", "-R", "cat /hello.txt", copy], capture_output=True).stdout
        check("%s: the replayed block is home" % kernel, hello == AFTER, repr(hello))
        kept = subprocess.run(["debugfs", "-R", "cat /kept.txt", copy], capture_output=True).stdout
        check("%s: the revoked block is not replayed" % kernel, kept == KEPT, repr(kept))
        check("%s: the read-only disk is unchanged" % kernel, open(ro, "rb").read() == open(source, "rb").read())
    lichen, linux = runs["lichen"], runs["linux"]
    for name, want in linux.items():
        got = lichen.get(name)
        check("same as Linux: " + name, got == want, "Linux:\n  " + "\n  ".join(want[:40]) + "\nLichen:\n  " + "\n  ".join((got or ["(missing)"])[:40]))
    check("Linux replayed", linux.get("replay", [""])[:3] == ["mounted", AFTER.decode().strip(), KEPT.decode().strip()], str(linux.get("replay")))
    failed = results.count(False)
    print("test_jbd2: %d checks, %d failed" % (len(results), failed))
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
