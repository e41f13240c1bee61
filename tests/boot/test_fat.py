#!/usr/bin/env python3
"""vfat read-write: a FAT16 image made on the host by mkfs.fat and filled by mtools
(tests/fat/make_images.py), on Lichen and then Debian's Linux (which loads virtio, fat, vfat,
nls_cp437 and nls_ascii from its package). tests/fat/fat-checks.sh reads what mtools wrote, writes
a workload (long names, directories, renames, deletions, truncation, refused chmod/chown/links),
syncs and unmounts; each "== name" section is compared between the kernels. On the host, each
kernel's image must be clean for fsck.fat -n and hold, read by mtools, the same files.

usage: tests/boot/test_fat.py [IMAGE]    (run it under flock /tmp/lichen-qemu.lock)
"""
import os, shutil, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, HERE)
import lichen_diff, lichen_qemu, test_virtio

WORK = os.path.join(ROOT, "build", "fat")
SCRIPT = os.path.join(ROOT, "tests", "fat", "fat-checks.sh")
MODULES = ["drivers/virtio/virtio_mmio.ko", "drivers/block/virtio_blk.ko", "fs/fat/fat.ko", "fs/fat/vfat.ko",
           "fs/nls/nls_cp437.ko", "fs/nls/nls_ascii.ko"]
ENV = dict(os.environ, MTOOLS_SKIP_CHECK="1", TZ="UTC", PATH=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
results = []

def check(name, ok, detail=""):
    results.append(ok)
    print(("PASS " if ok else "FAIL ") + name + ("" if ok or not detail else "\n" + detail))

def boot(kernel, image=None):
    copy = os.path.join(WORK, "%s-fat16.img" % kernel)
    shutil.copy(os.path.join(WORK, "fat16.img"), copy)
    files = [("/" + os.path.basename(p), p, "644") for p in test_virtio.linux_modules(MODULES)]
    if image:
        lichen_diff.LICHEN = image
    r = lichen_diff.run(kernel, script=open(SCRIPT).read(), files=files, timeout=300, memory="512M",
                        qemu_extra=test_virtio.qemu_disk_list([(copy, False)]))
    check("%s: the script ran to its end" % kernel, r.status is not None and not r.boot.timed_out, r.boot.output[-3000:])
    if kernel == "lichen":
        check("lichen: no panic", "panic" not in r.boot.output.lower(), r.boot.output[-3000:])
    return r, copy

def extract(image):
    out = image + ".tree"
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    subprocess.run(["mcopy", "-s", "-n", "-i", image, "::/*", out + "/"], env=ENV, check=True)
    files = {}
    for root, dirs, names in os.walk(out):
        for d in dirs:
            files[os.path.relpath(os.path.join(root, d), out) + "/"] = b""
        for n in names:
            files[os.path.relpath(os.path.join(root, n), out)] = open(os.path.join(root, n), "rb").read()
    return files

def main():
    image = sys.argv[1] if len(sys.argv) > 1 else None
    subprocess.check_call([os.path.join(ROOT, "tools/ensure-deps.sh"), "dosfstools", "mtools"])
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tests/fat/make_images.py"), WORK])
    runs, images = {}, {}
    for k in ("lichen", "linux"):
        r, images[k] = boot(k, image)
        runs[k] = lichen_qemu.console_sections(r.boot.output, keep_blank=False)
    lichen, linux = runs["lichen"], runs["linux"]
    for name, want in linux.items():
        got = lichen.get(name)
        check("same as Linux: " + name, got == want, "Linux:\n  " + "\n  ".join(want[:100]) + "\nLichen:\n  " + "\n  ".join((got or ["(missing)"])[:100]))
    check("vfat mounted on Linux", linux.get("mount", [""])[0] == "mounted")
    trees = {}
    for k, path in images.items():
        r = subprocess.run(["fsck.fat", "-n", path], env=ENV, capture_output=True, text=True)
        check("%s: fsck.fat -n clean" % k, r.returncode == 0 and "Dirty" not in r.stdout, r.stdout + r.stderr)
        trees[k] = extract(path)
    diff = sorted(p for p in set(trees["lichen"]) | set(trees["linux"]) if trees["lichen"].get(p) != trees["linux"].get(p))
    check("mtools reads the same files from both images", not diff, "differ: " + ", ".join(diff[:20]))
    check("the workload is on the disk", trees["lichen"].get("Deep/README") == b"upper-case 8.3 name\nappended\n"
          and trees["lichen"].get("Brand new file.txt") == b"new\n")
    failed = results.count(False)
    print("test_fat: %d checks, %d failed" % (len(results), failed))
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
