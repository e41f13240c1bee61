#!/usr/bin/env python3
"""Signal delivery tests: builds the static C programs in tests/signals/ with aarch64-linux-gnu-gcc,
packs them with BusyBox into an initramfs, boots Lichen on it (and, with --linux, Debian's Linux
kernel, to validate the tests themselves) and checks that every program reports "0 failed".
Every boot has a timeout.

usage: tests/boot/test_signals.py [IMAGE] [--linux]
"""
import glob, os, re, select, subprocess, sys, time
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from lichen_qemu import boot

args = [a for a in sys.argv[1:] if not a.startswith("--")]
IMAGE = args[0] if args else os.path.join(ROOT, "build", "Image")
LINUX = os.path.join(ROOT, "build", "debian", "linux", "vmlinuz")
OUT = os.path.join(ROOT, "build", "signals")
PROGRAMS = ["sig_handlers", "sig_process"]
TIMEOUT = 120
results = []

def check(name, condition, detail=""):
    results.append((name, condition))
    print(("PASS " if condition else "FAIL ") + name + ("" if condition or not detail else "\n" + detail))

def build_initramfs():
    os.makedirs(OUT, exist_ok=True)
    for source in sorted(glob.glob(os.path.join(ROOT, "tests", "signals", "*.c"))):
        binary = os.path.join(OUT, os.path.basename(source)[:-2])
        subprocess.check_call(["aarch64-linux-gnu-gcc", "-static", "-O2", "-Wall", "-o", binary, source])
    cpio = os.path.join(OUT, "initramfs.cpio")
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tools", "mkinitramfs.py"),
                           os.path.join(ROOT, "tests", "signals", "initramfs.spec"), cpio], cwd=ROOT)
    return cpio

def run(kernel_name, image, cpio, append):
    r = boot(image, timeout=TIMEOUT, memory="512M", append=append, initrd=cpio)
    out = r.output
    for program in PROGRAMS:
        m = re.search(re.escape(program) + r": (\d+) passed, (\d+) failed", out)
        check("%s: %s ran" % (kernel_name, program), m is not None, out[-3000:])
        if m:
            check("%s: %s: %s passed, 0 failed" % (kernel_name, program, m.group(1)),
                  m.group(2) == "0" and int(m.group(1)) > 0,
                  "\n".join(l for l in out.splitlines() if l.startswith("FAIL")))
    check("%s: all programs finished" % kernel_name, "signals: done" in out and not r.timed_out, out[-3000:])
    if kernel_name == "lichen":
        check("lichen: no kernel panic", "Kernel panic" not in out, out[-3000:])

def job_control(image):
    """^C kills a foreground job but not the shell; ^Z stops it, jobs/bg/fg, ^C again. Lichen only:
    under Linux this init has no controlling terminal, so the shell has no job control."""
    cpio = os.path.join(OUT, "jobcontrol.cpio")
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tools", "mkinitramfs.py"),
                           os.path.join(ROOT, "tests", "signals", "jobcontrol.spec"), cpio], cwd=ROOT)
    qemu = ["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a72", "-m", "512M", "-display", "none",
            "-serial", "stdio", "-monitor", "none", "-no-reboot", "-kernel", image, "-initrd", cpio, "-append", ""]
    p = subprocess.Popen(qemu, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""
    def expect(text, timeout=20):
        nonlocal out
        end = time.monotonic() + timeout
        while text.encode() not in out and time.monotonic() < end:
            ready, _, _ = select.select([p.stdout], [], [], 0.2)
            if ready:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk: break
                out += chunk
        found = text.encode() in out
        out = out[out.find(text.encode()) + len(text):] if found else out
        return found
    def send(text):
        time.sleep(0.3)                          # let the shell get back to reading the terminal
        for c in text.encode():                  # typed, not pasted: the UART input path is slow
            p.stdin.write(bytes([c])); p.stdin.flush()
            time.sleep(0.02)
    # A control character sent before the job has exec'd and taken the terminal can reach the shell
    # or the child still running the shell's handlers (a race Linux has too): resend until the
    # expected reaction shows (the console echo of commands is no sign: without ppoll on this branch
    # BusyBox's line editing interleaves it with error messages).
    def control(char, reaction):
        for _ in range(4):
            time.sleep(1.0)
            send(char)
            if expect(reaction, timeout=5):
                return True
        return False
    steps = [("expect", "jobcontrol: ready"), ("expect", "# "), ("send", "/bin/busybox sleep 100\n"),
             ("control", "\x03", "# "), ("send", "echo alive-$?\n"), ("expect", "alive-130"), ("expect", "# "),
             ("send", "/bin/busybox sleep 200\n"), ("control", "\x1a", "Stopped"), ("expect", "# "),
             ("send", "jobs\n"), ("expect", "Stopped"), ("expect", "# "), ("send", "bg\n"), ("expect", "# "),
             ("send", "jobs\n"), ("expect", "Running"), ("expect", "# "), ("send", "fg\n"),
             ("control", "\x03", "# "), ("send", "echo end-$?\n"), ("expect", "end-130"), ("expect", "# "),
             ("send", "/bin/busybox poweroff -f\n"), ("expect", "Powering off")]
    try:
        for step in steps:
            if step[0] == "send":
                send(step[1])
                continue
            ok = expect(step[1]) if step[0] == "expect" else control(step[1], step[2])
            label = step[-1].strip() or step[-1]
            check("job control: %s '%s'" % ("saw" if step[0] == "expect" else "reaction", label), ok,
                  out.decode(errors="replace")[-1500:])
            if not ok: break
    finally:
        p.kill()
        p.wait()

def main():
    start = time.monotonic()
    cpio = build_initramfs()
    if "--linux" in sys.argv:
        run("linux", LINUX, cpio, "console=ttyAMA0 quiet")
    run("lichen", IMAGE, cpio, "")
    job_control(IMAGE)
    failed = [n for n, ok in results if not ok]
    print("%d passed, %d failed (%.1f s)" % (len(results) - len(failed), len(failed), time.monotonic() - start))
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
