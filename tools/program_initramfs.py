"""A boot test's initramfs: Debian's static BusyBox with its applets linked, one static C program built
with aarch64-linux-gnu-gcc, and a given /init; and the PASS/FAIL report such tests print.
Used by tests/boot/test_forkbomb.py and test_sysfuzz.py."""
import os, subprocess, sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

def build(workdir, name, source, init, cflags=(), dirs=()):
    """Compiles `source` to /bin/NAME, writes `init` (text) as /init, and returns the gzip'd cpio's path.
    `dirs`: extra directories besides /bin, /dev and /tmp."""
    os.makedirs(workdir, exist_ok=True)
    subprocess.check_call([os.path.join(ROOT, "tools", "ensure-deps.sh"), "gcc"])
    subprocess.check_call([os.path.join(ROOT, "tools", "fetch-debian-arm64.sh"), "busybox"])
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", *cflags, "-o", os.path.join(workdir, name), source])
    with open(os.path.join(workdir, "init"), "w") as f:
        f.write(init)
    spec = os.path.join(workdir, name + ".spec")
    with open(spec, "w") as f:
        f.write("dir /bin 755\ndir /dev 755\n" + "".join("dir %s 755\n" % d for d in dirs) +
                "dir /tmp 1777\nnod /dev/console 600 c 5 1\n"
                "file /bin/busybox %s/build/debian/busybox/bin/busybox 755\n"
                "applets /bin/busybox %s/initramfs/busybox-applets.txt\n"
                "file /bin/%s %s 755\nfile /init init 755\n" % (ROOT, ROOT, name, name))
    initrd = os.path.join(workdir, name + ".cpio.gz")
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tools", "mkinitramfs.py"), spec, initrd, "--gzip"])
    return initrd

def report(label, checks, output):
    """Prints every (name, ok) check and the counts (the console's tail after a failure); the exit status."""
    failed = 0
    for name, ok in checks:
        print(("PASS " if ok else "FAIL ") + label + ": " + name)
        failed += not ok
    if failed:
        print(output[-4000:])
    print("%d passed, %d failed" % (len(checks) - failed, failed))
    return 1 if failed else 0
