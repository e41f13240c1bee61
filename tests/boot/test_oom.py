#!/usr/bin/env python3
"""Memory pressure at -m 256M, on Lichen and on Debian's Linux: tests/oom/oom.c allocates until
memory runs out (the OOM killer must SIGKILL the largest process, log "Out of memory: Killed process",
and let the others go on), with a sleeping holder (chosen over the small allocator) and with
oom_score_adj -1000 (protected); MAP_POPULATE takes its memory at once; overcommit_memory=2 refuses
a mapping larger than CommitLimit allows; a tmpfs fills up to ENOSPC (size, then nr_inodes); and in
a second boot with more memory, a tmpfs directory with 200,000 entries (nr_inodes=0) works. After
each step the shell still runs and MemFree comes back near where it was (no leak).

usage: tests/boot/test_oom.py [IMAGE] [--kernel lichen|linux|both]
"""
import argparse, os, re, subprocess, sys
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "tools"))
import lichen_diff, program_initramfs

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))

PRESSURE = r"""
free() { grep MemFree /proc/meminfo | tr -s ' ' | cut -d' ' -f2; }
ready() { while ! grep -q ready $1 2>/dev/null; do sleep 1; done; }
step() { echo "step $1: shell alive $((6*7)), memfree $(free)"; }
step start
/bin/oom hog 150 > /tmp/hog1 & HOG=$!
ready /tmp/hog1
/bin/oom eat 100
echo "small allocator status $?"
wait $HOG; echo "holder status $?"
step holder
/bin/oom hog 150 > /tmp/hog2 & HOG=$!
ready /tmp/hog2
echo -1000 > /proc/$HOG/oom_score_adj
echo "protected oom_score $(cat /proc/$HOG/oom_score) adj $(cat /proc/$HOG/oom_score_adj)"
/bin/oom eat 100 > /tmp/eat2
echo "allocator beside a protected holder status $?"
kill -9 $HOG; wait $HOG
step protected
/bin/oom eat 0 > /tmp/eat3
echo "unlimited allocator status $?"
step unlimited
/bin/oom populate 64
step populate
echo 2 > /proc/sys/vm/overcommit_memory
/bin/oom strict
echo 0 > /proc/sys/vm/overcommit_memory
echo "overcommit back to $(cat /proc/sys/vm/overcommit_memory)"
step strict
mkdir -p /mnt; mount -t tmpfs none /mnt
/bin/oom fill /mnt
umount /mnt
step fill
mount -t tmpfs -o size=16m none /mnt
/bin/oom inodes /mnt
umount /mnt
step inodes
dmesg 2>/dev/null | grep -c "Out of memory: Killed process" | sed 's/^/oom kills in dmesg: /'
"""

ENTRIES = r"""
mkdir -p /mnt; mount -t tmpfs -o nr_inodes=0 none /mnt
/bin/oom entries /mnt 200000
umount /mnt
echo "shell alive $((6*7))"
"""

def run(kernel, script, memory, binary, timeout):
    spec = ["applets /bin/busybox %s/initramfs/busybox-applets.txt" % ROOT, "dir /mnt 755"]
    initrd = lichen_diff.build_initramfs(script, [("/bin/oom", binary, "755")], spec, compress=False)
    return lichen_diff.run(kernel, initrd=initrd, memory=memory, timeout=timeout, smp=2)

def pressure_checks(kernel, r):
    out, console = r.output.replace("\r", ""), r.boot.output.replace("\r", "")
    def status(label):
        m = re.search(label + r" status (\d+)", out)
        return int(m.group(1)) if m else None
    def number(pattern):
        m = re.search(pattern, out)
        return int(m.group(1)) if m else None
    steps = dict((m.group(1), int(m.group(2))) for m in re.finditer(r"step (\w+): shell alive 42, memfree (\d+)", out))
    start = steps.get("start", 0)
    checks = [
        ("a sleeping 150 MiB holder is killed (SIGKILL) for a 100 MiB allocator, which finishes",
         status("holder") == 137 and status("small allocator") == 0 and "eat done 100" in out),
        ("oom_score_adj -1000 is read back and gives oom_score 0", "protected oom_score 0 adj -1000" in out),
        ("beside a protected holder, the allocator itself is the victim (SIGKILL)", status("allocator beside a protected holder") == 137),
        ("allocating without limit ends in SIGKILL", status("unlimited allocator") == 137),
        ("the kernel logs 'Out of memory: Killed process N (oom)'",
         re.search(r"Out of memory: Killed process \d+ \(oom\) total-vm:\d+kB, anon-rss:\d+kB", console) is not None),
        ("MAP_POPULATE of 64 MiB takes the memory at once (MemFree drops >= 60 MiB) and munmap gives it back",
         (number(r"MemFree dropped (-?\d+) kB for 64 MiB") or 0) >= 60 * 1024
         and (number(r"came back (-?\d+) kB") or 0) >= 60 * 1024),
        ("overcommit_memory=2 refuses a private writable mapping past CommitLimit (ENOMEM)",
         "strict: too large: Cannot allocate memory" in out),
        ("overcommit_memory=2 still grants 1 MiB, and a large read-only mapping",
         "strict: 1 MiB: mapped" in out and "strict: too large read-only: mapped" in out),
        ("overcommit_memory is writable and reads back", "overcommit back to 0" in out),
        ("filling a default tmpfs (half of RAM) ends in ENOSPC",
         re.search(r"fill: stopped after (\d+) files: No space left on device", out) is not None),
        ("creating files in a tmpfs ends in ENOSPC at its default nr_inodes, statfs counting them",
         re.search(r"inodes: stopped after (\d+) files: No space left on device; f_files (\d+) f_ffree 0", out) is not None),
        ("the shell ran after every step", all(s in steps for s in ("holder", "protected", "unlimited", "populate", "strict", "fill", "inodes"))),
        ("MemFree comes back within 8 MiB of where it was after every step",
         all(v >= start - 8 * 1024 for v in steps.values())),
        ("no kernel panic, clean end", "Kernel panic" not in console and r.status == 0 and not r.boot.timed_out),
    ]
    if kernel == "lichen":
        m = re.search(r"strict: 1 MiB: mapped, Committed_AS grew (\d+) kB", out)
        checks.append(("Committed_AS grows by the 1 MiB granted", m is not None and int(m.group(1)) >= 1024))
    return checks, out, console

def main():
    p = argparse.ArgumentParser()
    p.add_argument("image", nargs="?", default=os.path.join(ROOT, "build", "Image"))
    p.add_argument("--kernel", default="lichen", choices=["lichen", "linux", "both"])
    a = p.parse_args()
    lichen_diff.LICHEN = os.path.abspath(a.image)
    workdir = os.path.join(os.path.dirname(os.path.abspath(a.image)), "oom")
    os.makedirs(workdir, exist_ok=True)
    binary = os.path.join(workdir, "oom")
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-o", binary, os.path.join(ROOT, "tests", "oom", "oom.c")])
    failed = 0
    for kernel in (["linux", "lichen"] if a.kernel == "both" else [a.kernel]):
        r = run(kernel, PRESSURE, "256M", binary, 300)
        checks, out, console = pressure_checks(kernel, r)
        for line in out.splitlines():
            print("  %s| %s" % (kernel, line))
        for line in console.splitlines():
            if "Out of memory" in line or "oom-killer" in line:
                print("  %s console| %s" % (kernel, line.strip()))
        e = run(kernel, ENTRIES, "1G", binary, 600)
        out2 = e.output.replace("\r", "")
        print("  %s| %s" % (kernel, out2.strip().replace("\n", "\n  %s| " % kernel)))
        checks.append(("a tmpfs directory with 200,000 entries: made, found, listed and removed",
                       "entries: made 200000, found 201 of 201, listed 200000, removed 200000" in out2
                       and "shell alive 42" in out2 and "Kernel panic" not in e.boot.output))
        failed += program_initramfs.report("oom " + kernel, checks, out + "\n" + console[-3000:])
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
