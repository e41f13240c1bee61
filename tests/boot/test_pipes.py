#!/usr/bin/env python3
"""Pipes, FIFOs, poll, procfs, mount/statfs under BusyBox: boots Lichen with tests/pipes/ (an /init
that runs pipelines and /proc readers, each check introduced by "== name") and compares every
section with the output of the same initramfs on Linux, recorded in tests/pipes/expected.txt.

usage: tests/boot/test_pipes.py [IMAGE]
       tests/boot/test_pipes.py --record build/debian/linux/vmlinuz   (re-records expected.txt on Linux)
"""
import os, re, subprocess, sys, tempfile, time
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from lichen_qemu import boot, console_sections

SPEC = os.path.join(ROOT, "tests", "pipes", "pipes.spec")
EXPECTED = os.path.join(ROOT, "tests", "pipes", "expected.txt")
TIMEOUT = 120
results = []

def check(name, condition, detail=""):
    results.append((name, condition))
    print(("PASS " if condition else "FAIL ") + name + ("" if condition or not detail else "\n" + detail))

def sections(console):
    return console_sections(console)

def run(image, append=""):
    with tempfile.TemporaryDirectory() as tmp:
        initrd = os.path.join(tmp, "pipes.cpio")
        subprocess.run([sys.executable, os.path.join(ROOT, "tools", "mkinitramfs.py"), SPEC, initrd], check=True)
        return boot(image, timeout=TIMEOUT if not append else 300, initrd=initrd, append=append)

def main():
    start = time.monotonic()
    if len(sys.argv) > 2 and sys.argv[1] == "--record":
        r = run(sys.argv[2], append="console=ttyAMA0 quiet")
        s = sections(r.output)
        with open(EXPECTED, "w") as f:
            for name, lines in s.items():
                f.write("== " + name + "\n" + "".join(l + "\n" for l in lines if name != "done"))
        print("recorded %d sections from Linux into %s" % (len(s), EXPECTED))
        return
    image = sys.argv[1] if len(sys.argv) > 1 else os.path.join(ROOT, "build", "Image")
    expected = sections(open(EXPECTED).read())
    r = run(image)
    got = sections(r.output)
    check("pipes: /init ran to the end", "done" in got, r.output[-3000:])
    check("pipes: powered off, no timeout", not r.timed_out and r.exit_code == 0, "exit=%s timed_out=%s" % (r.exit_code, r.timed_out))
    check("pipes: no kernel panic", "panic" not in r.output.lower(), r.output[-3000:])
    for name, lines in expected.items():
        if name == "done":
            continue
        mine = [l for l in got.get(name, [])]
        while mine and mine[-1] == "":
            mine.pop()
        want = list(lines)
        while want and want[-1] == "":
            want.pop()
        check("pipes: " + name + " as on Linux", mine == want,
              "expected:\n  " + "\n  ".join(want) + "\ngot:\n  " + "\n  ".join(mine))
    failed = [n for n, ok in results if not ok]
    print("%d passed, %d failed (%.1f s)" % (len(results) - len(failed), len(failed), time.monotonic() - start))
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
