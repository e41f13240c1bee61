#!/usr/bin/env python3
"""Syscall fuzzing in qemu: tests/sysfuzz/sysfuzz.c (static, aarch64-linux-gnu-gcc) forks children that
issue random syscalls with random and boundary arguments. Lichen must survive: no panic, no hang,
and the shell still works afterwards.

usage: tests/boot/test_sysfuzz.py [IMAGE] [--seed N] [--children N] [--calls N]
"""
import argparse, os, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
from lichen_qemu import boot

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))

def main():
    p = argparse.ArgumentParser()
    p.add_argument("image", nargs="?", default=os.path.join(ROOT, "build", "Image"))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--children", type=int, default=16)
    p.add_argument("--calls", type=int, default=2000)
    p.add_argument("--smp", type=int, default=2)
    p.add_argument("--append", default="")
    a = p.parse_args()
    build = os.path.join(os.path.dirname(a.image), "sysfuzz")
    os.makedirs(build, exist_ok=True)
    subprocess.check_call([os.path.join(ROOT, "tools", "ensure-deps.sh"), "gcc"])
    subprocess.check_call([os.path.join(ROOT, "tools", "fetch-debian-arm64.sh"), "busybox"])
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-o", os.path.join(build, "sysfuzz"),
                           os.path.join(ROOT, "tests", "sysfuzz", "sysfuzz.c")])
    with open(os.path.join(build, "init"), "w") as f:
        f.write(open(os.path.join(ROOT, "tests", "sysfuzz", "init")).read()
                .replace("${SEED:-1}", str(a.seed)).replace("${CHILDREN:-16}", str(a.children)).replace("${CALLS:-2000}", str(a.calls)))
    with open(os.path.join(build, "sysfuzz.spec"), "w") as f:
        f.write("dir /bin 755\ndir /dev 755\ndir /tmp 1777\nnod /dev/console 600 c 5 1\n"
                "file /bin/busybox %s/build/debian/busybox/bin/busybox 755\n"
                "applets /bin/busybox %s/initramfs/busybox-applets.txt\n"
                "file /bin/sysfuzz sysfuzz 755\nfile /init init 755\n" % (ROOT, ROOT))
    initrd = os.path.join(build, "sysfuzz.cpio.gz")
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tools", "mkinitramfs.py"), os.path.join(build, "sysfuzz.spec"),
                           initrd, "--gzip"])
    r = boot(a.image, timeout=240, initrd=initrd, memory="512M", smp=a.smp, append=a.append)
    checks = [
        ("sysfuzz ran to the end", "sysfuzz: seed %d" % a.seed in r.output),
        ("no kernel panic", "Kernel panic" not in r.output),
        ("the shell works afterwards", "shell alive: 42" in r.output),
        ("clean power-off, no hang", not r.timed_out and r.exit_code == 0),
    ]
    for line in r.output.splitlines():
        if line.startswith("sysfuzz: seed"):
            print("  " + line)
    failed = 0
    for name, ok in checks:
        print(("PASS " if ok else "FAIL ") + "sysfuzz: " + name)
        failed += not ok
    if failed:
        print(r.output[-4000:])
    print("%d passed, %d failed" % (len(checks) - failed, failed))
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
