#!/usr/bin/env python3
"""Crash safety of journaled ext4 (issue 11): qemu is killed (SIGKILL) at random moments while Lichen runs
tests/crash/crash-workload.c on an ext4 image made by the host's `mke2fs -t ext4` (journaled by default),
from the mount to the end of the workload. For each point:
  (c) on a copy of the killed image, e2fsck's own journal replay (-E journal_only) must leave it consistent
      (e2fsck -fn clean: no repair beyond the replay);
  (a) Lichen boots again on the killed image (the read-only mount replays the journal, as Linux's does),
      lists every file with its FNV-1a hash and size (crash-workload verify), and every name the workload
      reported durable before the kill (a `DURABLE` line received by the host) must be there with exactly
      those contents, every name reported `GONE` must be absent;
  (b) that mount is remounted read-write (mount -o remount,rw), a file written, and after the clean
      umount e2fsck -fn must find the image clean (and the file there).
First one run without a kill, judged the same way. Each point runs the workload with its own seed; its
kill moment is chosen by progress (the workload prints "OP i:"), spread from the mount to the umount.

usage: tests/boot/test_crash.py [IMAGE] [--points N] [--seed N|commit] [--ops N]
(run it under flock /tmp/lichen-qemu.lock; `make crash-test` runs 50 points, `make boot-test` a slice of 4
with a seed from the commit: tests/boot/test_sysfuzz.py)
"""
import argparse, os, random, re, shutil, subprocess, sys
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, HERE)
import lichen_diff, test_sysfuzz, test_virtio

WORK = os.path.join(ROOT, "build", "crash")
START, WORKLOAD_END = "CRASH-START", "WORKLOAD END"
RUN = """/bin/busybox --install -s /bin
mkdir -p /mnt
echo START
mount -t ext4 /dev/vda /mnt && echo mounted
/crash-workload run /mnt/c SEED OPS
umount /mnt && echo unmounted
""".replace("START", START)
VERIFY = """/bin/busybox --install -s /bin
mkdir -p /mnt
mount -t ext4 -o ro /dev/vda /mnt && echo mounted
/crash-workload verify /mnt/c
mount -o remount,rw /mnt && echo "remounted rw" && echo after-remount > /mnt/remount-check
umount /mnt && echo unmounted
"""
results = []
totals = {"points": 0, "fsck clean": 0, "e2fsck replay clean": 0, "durable checked": 0, "gone checked": 0}

def check(name, ok, detail=""):
    results.append(ok)
    if not ok:
        print("FAIL " + name + ("\n" + detail if detail else ""), flush=True)
    return ok

def build():
    os.makedirs(WORK, exist_ok=True)
    prog = os.path.join(WORK, "crash-workload")
    subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-o", prog,
                           os.path.join(ROOT, "tests", "crash", "crash-workload.c")])
    pristine = os.path.join(WORK, "pristine.img")
    if os.path.exists(pristine):
        os.unlink(pristine)
    subprocess.check_call(["mke2fs", "-q", "-F", "-t", "ext4", "-b", "4096", pristine, "64M"])
    features = subprocess.run(["dumpe2fs", "-h", pristine], capture_output=True, text=True).stdout
    check("mke2fs made a journal", "has_journal" in features, features)
    return prog, pristine

def expected(console):
    """{name: ("file", hash, size) | ("dir",) | ("gone",) | None (unstable)} from the complete lines
    the host received before the kill."""
    state = {}
    for line in console.replace("\r", "").split("\n")[:-1]:
        w = line.split()
        if len(w) == 4 and w[0] == "DURABLE":
            state[w[1]] = ("file", w[2], int(w[3]))
        elif len(w) == 3 and w[0] == "DURABLE" and w[2] == "dir":
            state[w[1]] = ("dir",)
        elif len(w) == 2 and w[0] == "GONE":
            state[w[1]] = ("gone",)
        elif len(w) == 2 and w[0] == "UNSTABLE":
            state[w[1]] = None
    return state

def judge(label, want, verify):
    """Compares the durable names with Lichen's listing after the replay."""
    have = {}
    for line in verify.replace("\r", "").split("\n"):
        w = line.split()
        if len(w) == 4 and w[0] == "F":
            have[w[1]] = ("file", w[2], int(w[3]))
        elif len(w) == 2 and w[0] == "D":
            have[w[1]] = ("dir",)
    ok = True
    for name, state in sorted(want.items()):
        if state is None:
            continue
        got = have.get(name, ("gone",))
        if state[0] == "gone":
            totals["gone checked"] += 1
        else:
            totals["durable checked"] += 1
        ok &= check("%s: %s" % (label, name), got == state, "want %s, found %s" % (state, got))
    return ok

def boot(script, files, disk, timeout, kill=None):
    """kill: (text, seconds): qemu is killed (SIGKILL) that long after `text` first shows on the console."""
    return lichen_diff.run("lichen", script=script, files=files, timeout=timeout, memory="256M",
                           watch=(kill[0],) if kill else (), stop_after=kill[1] if kill else None,
                           qemu_extra=test_virtio.qemu_disk_list([(disk, False)]))

def kill_moment(i, points, ops, rng):
    """Point i of `points` spread over the whole run, by progress rather than time (a loaded host runs
    the guest slower): the first 6% during the mount (up to 0.5 s after START), the last 4% after the
    workload's end (the umount), the rest at operation k of `ops`, up to 0.2 s into it."""
    u = (i + rng.random()) / points
    if u < 0.06:
        return (START, rng.random() * 0.5)
    if u >= 0.96:
        return (WORKLOAD_END, rng.random() * 0.5)
    return ("OP %d:" % int((u - 0.06) / 0.9 * ops), rng.random() * 0.2)

def point(label, prog, pristine, seed, ops, kill):
    """One workload run killed at `kill` (boot's; None: runs to its end), then judged."""
    disk = os.path.join(WORK, "disk.img")
    shutil.copy(pristine, disk)
    files = [("/crash-workload", prog, "755")]
    r = boot(RUN.replace("SEED", str(seed)).replace("OPS", str(ops)), files, disk, 600, kill)
    out = r.boot.output
    ok = check(label + ": no panic", "panic" not in out.lower() and "FAIL " not in out, out[-3000:])
    if kill is None:
        ok &= check(label + ": the workload ran to its end", WORKLOAD_END in out and "unmounted" in out, out[-3000:])
    want = expected(out)
    copy = os.path.join(WORK, "killed-copy.img")
    shutil.copy(disk, copy)
    # e2fsprogs' own replay of the killed image's journal (nothing else repaired) must leave it consistent
    replay = subprocess.run(["e2fsck", "-y", "-E", "journal_only", copy], capture_output=True, text=True)
    again = subprocess.run(["e2fsck", "-fn", copy], capture_output=True, text=True)
    if check(label + ": the killed image is consistent after e2fsck's journal replay", replay.returncode in (0, 1)
             and again.returncode == 0, replay.stdout[-2000:] + again.stdout[-2000:]):
        totals["e2fsck replay clean"] += 1
    v = boot(VERIFY, files, disk, 300)
    vo = v.boot.output
    ok &= check(label + ": the replay mount and the listing ran", "VERIFY END" in vo or "VERIFY no" in vo, vo[-3000:])
    ok &= check(label + ": no panic after the replay", "panic" not in vo.lower() and "FAIL " not in vo, vo[-3000:])
    ok &= check(label + ": the replayed fs unmounted", "unmounted" in v.output, vo[-3000:])
    ok &= check(label + ": remount,rw of the read-only mount", "remounted rw" in v.output, vo[-3000:])
    ok &= judge(label, want, vo)
    fsck = subprocess.run(["e2fsck", "-fn", disk], capture_output=True, text=True)
    wrote = subprocess.run(["debugfs", "-R", "cat /remount-check", disk], capture_output=True).stdout
    ok &= check(label + ": the file written after remount,rw is on the disk", wrote == b"after-remount\n", repr(wrote))
    if check(label + ": e2fsck -fn clean after Lichen's replay and umount", fsck.returncode == 0, fsck.stdout[-3000:]):
        totals["fsck clean"] += 1
    else:
        ok = False
    durable = sum(1 for s in want.values() if s and s[0] != "gone")
    print("%s %s: kill %s, %d durable names, %d lines of listing" % ("ok  " if ok else "FAIL", label,
          "none" if kill is None else "%.2f s after %s" % (kill[1], kill[0]), durable, vo.count("\nF ") + vo.count("\nD ")),
          flush=True)
    if not ok:
        keep = os.path.join(WORK, "failed-%s.img" % label.replace(" ", "-"))
        shutil.copy(copy, keep)
        print("  console of the killed run:\n" + out[-4000:], flush=True)

def main():
    p = argparse.ArgumentParser()
    p.add_argument("image", nargs="?", default=os.path.join(ROOT, "build", "Image"))
    p.add_argument("--points", type=int, default=50)
    p.add_argument("--seed", default="1")
    p.add_argument("--ops", type=int, default=300)
    a = p.parse_args()
    seed = test_sysfuzz.commit_seed() if a.seed == "commit" else int(a.seed, 0)
    lichen_diff.LICHEN = a.image
    print("test_crash: seed %d, %d kill points, %d operations (reproduce: tests/boot/test_crash.py --seed %d --points %d --ops %d)"
          % (seed, a.points, a.ops, seed, a.points, a.ops), flush=True)
    prog, pristine = build()
    point("full run", prog, pristine, seed, a.ops, None)
    for k in totals:
        totals[k] = 0                       # the figures below are the kill points'
    rng = random.Random(seed)
    for i in range(a.points):
        totals["points"] += 1
        point("point %d" % (i + 1), prog, pristine, seed + i + 1, a.ops, kill_moment(i, a.points, a.ops, rng))
    failed = results.count(False)
    print("test_crash: %d points, e2fsck -fn clean after Lichen's replay at %d, clean after e2fsck's journal replay %d, "
          "%d durable names and %d removed names checked; %d checks, %d failed"
          % (totals["points"], totals["fsck clean"], totals["e2fsck replay clean"], totals["durable checked"],
             totals["gone checked"], len(results), failed))
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
