#!/usr/bin/env python3
"""User-space boot tests: Lichen unpacks an initramfs holding Debian's static BusyBox and runs /init
as PID 1. Every boot has a timeout.

usage: tests/boot/test_userspace.py [IMAGE]
"""
import os, re, subprocess, sys, time
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
from lichen_qemu import boot

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))
IMAGE = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "Image")
BUILD = os.path.dirname(IMAGE)
results = []

def check(name, condition, detail=""):
    results.append((name, condition))
    print(("PASS " if condition else "FAIL ") + name + ("" if condition or not detail else "\n" + detail))

def initramfs(spec, out):
    subprocess.check_call([os.path.join(ROOT, "tools", "fetch-debian-arm64.sh"), "busybox"])
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tools", "mkinitramfs.py"), spec, out, "--gzip"])
    return out

def test_hello():
    initrd = initramfs(os.path.join(ROOT, "tests", "initramfs", "hello.spec"), os.path.join(BUILD, "hello.cpio.gz"))
    for smp in (1, 4):
        r = boot(IMAGE, timeout=60, initrd=initrd, memory="256M", smp=smp)
        name = "hello initramfs smp%d" % smp
        check(name + ": /init script runs as pid 1 under busybox sh", "hello from /init (pid 1)" in r.output, r.output[-2000:])
        check(name + ": a forked child execs uname", "Linux aarch64" in r.output, r.output[-2000:])
        check(name + ": poweroff -f ends qemu through reboot(2)", "reboot: power down" in r.output and not r.timed_out
              and r.exit_code == 0, r.output[-1000:])

def test_busybox_commands():
    # The cases run from a generated /init (non-interactive), over the same BusyBox as `make run`.
    cases = [
        ("echo", "echo hello world", "hello world"),
        ("ls", "ls -1 /bin/busybox /init", "/bin/busybox\n/init"),
        ("mkdir+touch+ls", "mkdir -p /tmp/a/b && touch /tmp/a/b/f && ls /tmp/a/b", "f"),
        ("write+cat", "echo lichen > /tmp/x && cat /tmp/x", "lichen"),
        ("wc", "printf 'a b\\nc\\n' > /tmp/w && wc -l /tmp/w", "2 /tmp/w"),
        ("symlink", "ln -s /tmp/x /tmp/y && readlink /tmp/y && cat /tmp/y", "/tmp/x\nlichen"),
        ("rename", "mv /tmp/x /tmp/z && cat /tmp/z && ls /tmp/x 2>&1", "lichen\nls: /tmp/x: No such file or directory"),
        ("exit status", "false; echo $?", "1"),
        ("uname", "uname -sm", "Linux aarch64"),
        ("sh arithmetic", "echo $((6*7))", "42"),
        ("cp+cmp", "cp /bin/busybox /tmp/bb && cmp /bin/busybox /tmp/bb && echo same", "same"),
        ("rm -r", "rm -r /tmp/a && ls /tmp/a 2>&1", "ls: /tmp/a: No such file or directory"),
        ("subshell cd", "(cd /tmp && pwd); pwd", "/tmp\n/"),
        ("for loop", "for i in 1 2 3; do printf $i; done; echo", "123"),
        # Memory exhaustion (a tmpfs file larger than RAM, then execve with nothing left) must fail
        # the calls (ENOSPC/ENOMEM), not the kernel; the memory comes back with the file.
        ("out of memory", "dd if=/dev/zero of=/tmp/big bs=1M count=400 2>/dev/null; /bin/busybox true 2>/dev/null;"
                          " rm -f /tmp/big; /bin/busybox echo recovered", "recovered"),
    ]
    work = os.path.join(BUILD, "userspace-test")
    os.makedirs(work, exist_ok=True)
    with open(os.path.join(work, "init"), "w") as f:
        f.write("#!/bin/sh\nexport PATH=/bin:/sbin:/usr/bin:/usr/sbin\ncd /\n")
        for n, c, _ in cases:
            f.write("echo '<<%s>>'; %s; echo '<</%s>>'\n" % (n, c, n))
        f.write("poweroff -f\n")
    spec = open(os.path.join(ROOT, "initramfs", "lichen.spec")).read()
    spec = spec.replace("build/debian", os.path.join(ROOT, "build", "debian")).replace("initramfs/busybox-applets.txt",
        os.path.join(ROOT, "initramfs", "busybox-applets.txt")).replace("file  /init init 755", "file  /init init 755")
    spec = spec.replace("file  /etc/motd motd 644", "")
    for name in ("passwd", "group", "profile"):
        spec = spec.replace(" %s 644" % name, " %s 644" % os.path.join(ROOT, "initramfs", name))
    with open(os.path.join(work, "test.spec"), "w") as f:
        f.write(spec)
    initrd = initramfs(os.path.join(work, "test.spec"), os.path.join(work, "test.cpio.gz"))
    r = boot(IMAGE, timeout=90, initrd=initrd, memory="256M")
    # Kernel log lines (timestamps) may interleave with program output on the console.
    lines = r.output.replace("\r", "").split("\n")
    out = "\n".join(l for l in lines if not re.match(r"^\[ *\d+\.\d+\] ", l))
    for name, _, expected in cases:
        start = out.find("<<%s>>\n" % name)
        end = out.find("<</%s>>" % name, start + 1)
        got = out[start + len(name) + 5:end].strip() if start >= 0 and end > start else None
        check("busybox: " + name, got == expected, "expected %r, got %r" % (expected, got))
    check("busybox: powers off at the end", not r.timed_out and r.exit_code == 0, out[-1500:])

def main():
    start = time.monotonic()
    test_hello()
    test_busybox_commands()
    failed = [n for n, ok in results if not ok]
    print("%d passed, %d failed (%.1f s)" % (len(results) - len(failed), len(failed), time.monotonic() - start))
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
