#!/usr/bin/env python3
"""Runs a guest shell script on Lichen or on Linux in the same qemu and returns what it printed.

The runner builds an initramfs from a base spec (default tests/initramfs/hello.spec without its /init)
plus extra files, and an /init that prints a begin marker, runs the script with busybox sh, prints an
end marker with the script's exit status, and powers off. Only the console text between the markers is
returned. qemu always stops by itself (timeout). Linux (Debian's linux-image-arm64) and BusyBox are
fetched with tools/fetch-debian-arm64.sh when missing (cached under build/debian, never committed).

    from lichen_diff import run
    r = run("linux", script="echo hi\\n", files=[("/bin/prog", "build/x/prog", "755")])
    r.output, r.status, r.ok, r.boot

As a command:
    tools/lichen_diff.py [--kernel lichen|linux|both] [--memory 256M] [--smp 1] [--timeout 120]
                         [--icount] [--file GUEST=HOST ...] SCRIPT
prints the guest output (per kernel for `both`) and exits with the guest script's status.
"""
import argparse, gzip, os, subprocess, sys, tempfile

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import lichen_qemu, mkinitramfs

INIT_MARK = "<<<LICHEN-INIT>>>"     # the first line of /init (boot-time measurements)
BEGIN = "<<<LICHEN-RUN-BEGIN>>>"
END = "<<<LICHEN-RUN-END status="
LINUX_APPEND = "console=ttyAMA0 quiet mitigations=off nokaslr"
BUSYBOX = os.path.join(ROOT, "build/debian/busybox/bin/busybox")
LINUX = os.path.join(ROOT, "build/debian/linux/vmlinuz")
LICHEN = os.path.join(ROOT, "build/Image")
BASE_SPEC = os.path.join(ROOT, "tests/initramfs/hello.spec")

INIT = """#!/bin/sh
echo "%s"
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/ LANG=C LC_ALL=C TZ=UTC0
unset TERM
cd /
# Linux mounts devtmpfs on /dev only for a disk root; Lichen's root already has it. /proc when there is one.
[ -e /dev/null ] || /bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox mount -t proc proc /proc 2>/dev/null
echo "%s"
/bin/sh /run.sh
echo "%s$?>>>"
/bin/busybox poweroff -f
""" % (INIT_MARK, BEGIN, END)

class RunResult:
    def __init__(self, kernel, boot, output, status):
        self.kernel, self.boot, self.output, self.status = kernel, boot, output, status
        self.ok = status == 0 and not boot.timed_out

    def describe(self):
        b = self.boot
        if b.timed_out:
            return "%s: timed out after %.0f s" % (self.kernel, b.seconds)
        if self.status is None:
            return "%s: the end marker never appeared (qemu exit %s)" % (self.kernel, b.exit_code)
        return "%s: script exit status %d" % (self.kernel, self.status)

def ensure(what):
    path = {"linux": LINUX, "busybox": BUSYBOX}[what]
    if not os.path.exists(path):
        subprocess.check_call([os.path.join(ROOT, "tools/fetch-debian-arm64.sh"), what])
    return path

def kernel_image(kernel):
    if kernel == "linux":
        return ensure("linux"), LINUX_APPEND
    if kernel == "lichen":
        if not os.path.exists(LICHEN):
            raise SystemExit("lichen_diff: %s is missing: run `make kernel`" % LICHEN)
        return LICHEN, ""
    raise SystemExit("lichen_diff: unknown kernel '%s' (lichen or linux)" % kernel)

def build_initramfs(script, files=(), spec_lines=(), base_spec=BASE_SPEC, out=None, compress=True):
    """Writes a gzip'd cpio: base spec entries (without its /init), spec_lines, files (guest, host,
    mode), /init (the marker wrapper) and /run.sh (script). Returns the path."""
    ensure("busybox")
    workdir = os.path.join(ROOT, "build/diff/initramfs")
    os.makedirs(workdir, exist_ok=True)
    out = out or os.path.join(workdir, "run.cpio.gz" if compress else "run.cpio")
    base_dir = os.path.dirname(os.path.abspath(base_spec))
    lines = []
    for line in open(base_spec):
        words = line.split("#", 1)[0].split()
        if not words or (len(words) > 1 and words[1] == "/init"):
            continue
        if words[0] == "file" and not words[2].startswith("build/"):
            words[2] = os.path.join(base_dir, words[2])
        lines.append(" ".join(words))
    lines += list(spec_lines)
    for guest, host, mode in files:
        lines.append("file %s %s %s" % (guest, os.path.abspath(host), mode))
    with open(os.path.join(workdir, "init.sh"), "w") as f:
        f.write(INIT)
    with open(os.path.join(workdir, "run.sh"), "w") as f:
        f.write(script)
    lines.append("file /init %s 755" % os.path.join(workdir, "init.sh"))
    lines.append("file /run.sh %s 755" % os.path.join(workdir, "run.sh"))
    spec = os.path.join(workdir, "run.spec")
    with open(spec, "w") as f:
        f.write("\n".join(lines) + "\n")
    data = mkinitramfs.build(spec)
    if compress:
        data = gzip.compress(data, mtime=0, compresslevel=6)
    with open(out, "wb") as f:
        f.write(data)
    return out

def extract(output):
    """(text between the markers, exit status or None)."""
    start = output.find(BEGIN)
    if start < 0:
        return "", None
    body = output[start + len(BEGIN):]
    if body.startswith("\n"):
        body = body[1:]
    end = body.find(END)
    if end < 0:
        return body, None
    status = body[end + len(END):].split(">>>", 1)[0]
    return body[:end], int(status) if status.isdigit() else None

def run(kernel, script=None, files=(), spec_lines=(), initrd=None, memory="256M", smp=1, timeout=120,
        icount=False, append_extra="", watch=(), stop_after=None, idle_timeout=None, compress=True,
        on_output=None, qemu_extra=()):
    """qemu_extra: more qemu arguments (disks: tests/boot/test_virtio.py)."""
    image, append = kernel_image(kernel)
    if initrd is None:
        initrd = build_initramfs(script, files, spec_lines, compress=compress)
    append = (append + " " + append_extra).strip()
    extra = (["-icount", "shift=0,sleep=off"] if icount else []) + list(qemu_extra)
    b = lichen_qemu.boot(image, timeout=timeout, memory=memory, smp=smp, append=append, initrd=initrd,
                         extra=extra, watch=(INIT_MARK, BEGIN) + tuple(watch), stop_after=stop_after,
                         idle_timeout=idle_timeout, on_output=on_output)
    output, status = extract(b.output)
    return RunResult(kernel, b, output, status)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("script", help="shell script file run as /run.sh in the guest")
    p.add_argument("--kernel", default="lichen", choices=["lichen", "linux", "both"])
    p.add_argument("--memory", default="256M")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--icount", action="store_true", help="-icount shift=0,sleep=off")
    p.add_argument("--file", action="append", default=[], metavar="GUEST=HOST", help="extra file (mode 755)")
    p.add_argument("--console", action="store_true", help="print the whole console, not just the script output")
    p.add_argument("--no-gzip", action="store_true", help="uncompressed initramfs")
    a = p.parse_args()
    files = [(g, h, "755") for g, h in (f.split("=", 1) for f in a.file)]
    script = open(a.script).read()
    initrd = build_initramfs(script, files, compress=not a.no_gzip)
    status = 0
    for kernel in (["lichen", "linux"] if a.kernel == "both" else [a.kernel]):
        r = run(kernel, initrd=initrd, memory=a.memory, smp=a.smp, timeout=a.timeout, icount=a.icount)
        if a.kernel == "both":
            print("===== %s =====" % kernel)
        sys.stdout.write(r.boot.output if a.console else r.output)
        print("[lichen_diff: %s, %.1f s]" % (r.describe(), r.boot.seconds), file=sys.stderr)
        status = status or (124 if r.boot.timed_out else (r.status if r.status is not None else 125))
    sys.exit(status)

if __name__ == "__main__":
    main()
