#!/usr/bin/env python3
"""Interactive console tests: boots tests/boot/interactive/ (Debian's static BusyBox, an /init that
starts an interactive `sh` on /dev/ttyAMA0 as its controlling terminal) and drives the shell through
qemu's serial stdio like a person at a terminal: typed commands, control keys, pasted text, vi.

Steps (each with its own timeout, the whole run bounded by DEADLINE; a failed step is followed by an
attempt to get the prompt back, and the run stops when that fails):
  stty -a (default termios: 38400 baud... sane flags, ^C ^\\ ^Z ^D, min 1 time 0, 0x0 window),
  stty rows/cols and `stty size`; canonical editing (DEL, ^W, ^U) read by `read`; ^D ending a partial
  line and then the input of `cat`; the shell's own line editing; ^C and ^\\ on a foreground sleep
  (exit status 130, 131); ^D at an empty prompt ending a subshell; job control (`sleep 100 &`, jobs,
  fg, ^Z, bg, kill %1); VMIN/VTIME in raw mode (`stty -icanon min 0 time 5` read returns nothing,
  min 3 waits for three bytes); an 8 KiB paste into `cat > file` (canonical mode, echo on) and a 16 KiB
  paste into `head -c` in raw mode, each checked by byte count and md5sum; IXOFF (a 5,000-byte paste
  while nobody reads sends ^S, the read sends ^Q); vi creating a file (insert,
  move, delete a word, undo, :wq) and editing an existing one (dd, o, :wq), each compared byte for byte
  with `od -c`; poweroff.

What was compared with Linux: `tests/boot/test_interactive.py --linux` runs the same script, same
initramfs, on Debian's Linux 6.1 (build/debian/linux/vmlinuz) first; every step passes there too, so
the expectations (exit statuses, job-control messages, stty output, vi's results) are Linux's.

usage: tests/boot/test_interactive.py [IMAGE] [--linux] [--only-linux] [--only=TEXT ...] [--smp=N]
  (--only: the steps whose name has TEXT; --smp: CPUs, default 1)
"""
import hashlib, os, random, re, select, subprocess, sys, time
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
from lichen_qemu import qemu_command

args = [a for a in sys.argv[1:] if not a.startswith("--")]
IMAGE = args[0] if args else os.path.join(ROOT, "build", "Image")
LINUX = os.path.join(ROOT, "build", "debian", "linux", "vmlinuz")
OUT = os.path.join(ROOT, "build", "interactive")
PROMPT = "PROMPT> "
DEADLINE = 600          # seconds for one kernel's whole run
SMP = int(next((a[len("--smp="):] for a in sys.argv if a.startswith("--smp=")), "1"))
results = []

def check(name, condition, detail=""):
    results.append((name, condition))
    print(("PASS " if condition else "FAIL ") + name + ("" if condition or not detail else "\n" + detail), flush=True)
    return condition

class StepFailed(Exception):
    pass

class Console:
    """qemu with its serial port on our stdin/stdout pipes."""
    def __init__(self, image, append, cpio):
        self.proc = subprocess.Popen(qemu_command(image, memory="512M", append=append, initrd=cpio, smp=SMP),
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        os.set_blocking(self.proc.stdout.fileno(), False)
        self.buffer = b""       # output not yet matched
        self.log = b""          # everything, for failure reports
        self.deadline = time.monotonic() + DEADLINE

    def expect(self, pattern, timeout=30):
        """Waits for `pattern` (a regex over bytes, str accepted); returns the text before it and
        consumes through the match. `timeout` bounds this step, DEADLINE the whole run."""
        regex = re.compile(pattern.encode() if isinstance(pattern, str) else pattern)
        end = min(time.monotonic() + timeout, self.deadline)
        while True:
            m = regex.search(self.buffer)
            if m:
                before = self.buffer[:m.start()]
                self.buffer = self.buffer[m.end():]
                self.match = m
                return before.decode("utf-8", "replace").replace("\r\n", "\n")
            remaining = end - time.monotonic()
            if remaining <= 0:
                raise StepFailed("timed out waiting for %r" % regex.pattern)
            ready, _, _ = select.select([self.proc.stdout], [], [], min(remaining, 0.2))
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                if not chunk:
                    raise StepFailed("qemu exited while waiting for %r" % regex.pattern)
                self.buffer += chunk
                self.log += chunk

    def send(self, text, typed=True):
        """Typed: one byte at a time, 10 ms apart; otherwise all at once (a paste)."""
        data = text.encode() if isinstance(text, str) else text
        if not typed:
            self.proc.stdin.write(data); self.proc.stdin.flush()
            return
        for b in data:
            self.proc.stdin.write(bytes([b])); self.proc.stdin.flush()
            time.sleep(0.01)

    def command(self, line, timeout=30):
        """Types a command line; returns its output (without the echoed line) up to the next prompt.
        Lines stay short: BusyBox's line editing breaks longer ones at the 80th column."""
        assert len(PROMPT) + len(line) < 79, line
        self.send(line + "\n")
        self.expect(re.escape(line.encode()) + rb"\r\n", timeout)
        return self.expect(PROMPT, timeout)

    def control(self, key, reaction, timeout=5, tries=4):
        """Sends a control key to a job that has just been started. Until the job has taken the
        terminal the key goes to the shell (a race Linux has too), so it is repeated until the
        expected reaction shows."""
        for _ in range(tries):
            time.sleep(0.5)
            self.send(key)
            try:
                return self.expect(reaction, timeout)
            except StepFailed:
                continue
        raise StepFailed("no reaction %r to %r" % (reaction, key))

    def tail(self, n=1500):
        return self.log[-n:].decode("utf-8", "replace")

    def close(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()

def paste_text(size, seed):
    rnd = random.Random(seed)
    lines, n = [], 0
    while n < size:
        line = "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789 ,.-") for _ in range(rnd.randint(1, 78)))
        lines.append(line)
        n += len(line) + 1
    return ("\n".join(lines) + "\n").encode()

def md5_of(console, path):
    out = console.command("wc -c < %s; md5sum %s" % (path, path))
    m = re.search(r"^\s*(\d+)\s*\n([0-9a-f]{32})", out, re.M)
    return (int(m.group(1)), m.group(2)) if m else (None, out)

def file_bytes(console, path):
    """The file's bytes, through `od -An -c` (so control characters survive the terminal)."""
    out = console.command("od -An -c %s" % path)
    return out

def od_of(data):
    """What `od -An -c` prints for `data` (BusyBox's format), to compare with file_bytes."""
    names = {10: "\\n", 9: "\\t", 0: "\\0", 13: "\\r"}
    lines = []
    for i in range(0, len(data), 16):
        cells = []
        for b in data[i:i + 16]:
            cells.append("%4s" % (names.get(b) or (chr(b) if 32 <= b < 127 else "%03o" % b)))
        lines.append("".join(cells))
    return "\n".join(lines) + "\n"

# MARK: - the steps; each raises StepFailed or returns (condition, detail)

def step_stty(c):
    out = c.command("stty -a")
    wanted = ["speed 38400 baud", "intr = ^C", "quit = ^\\", "erase = ^?", "kill = ^U",
              "eof = ^D", "susp = ^Z", "werase = ^W", "min = 1; time = 0", "-parenb", "cs8", "cread",
              "icrnl", "ixon", "opost", "onlcr", "isig", "icanon", "iexten", "echo", "echoe", "echok", "echoctl",
              "echoke", "-echonl", "-noflsh", "-tostop"]
    words = set(re.split(r"[\s;]+", out))
    missing = [w for w in wanted if (w not in out if " " in w else w not in words)]
    return not missing, "missing %s in:\n%s" % (missing, out)

def step_window_size(c):
    before = c.command("stty size").strip()
    c.command("stty rows 24 cols 80")
    after = c.command("stty size").strip()
    # Linux starts a serial line at 0x0, which BusyBox's `stty size` reports as an error.
    return before == "stty: standard input" and after == "24 80", "before %r after %r" % (before, after)

def step_canonical_editing(c):
    # `read` reads the terminal in canonical mode: the kernel does the editing.
    c.send('read v; echo "<$v>"\n')
    c.expect(re.escape(b'read v; echo "<$v>"\r\n'))
    time.sleep(0.5)                                # until `read` runs, keys reach the shell's raw mode
    c.send("junk words\x15")                       # ^U kills the line
    c.send("abcX\x7fd ef\x17gh\n")                 # DEL erases X, ^W erases "ef"
    out = c.expect(PROMPT)
    echo_ok = "\b \b" in out
    return "<abcd gh>" in out and echo_ok, repr(out)

def step_canonical_eof(c):
    # ^D after "abc" hands the partial line to cat; a second ^D on the empty line is end of file.
    c.send("cat > /tmp/eof; echo status=$?\n")
    c.expect(r"status=\$\?\r\n")
    time.sleep(0.5)
    c.send("abc\x04")
    time.sleep(0.3)
    c.send("\x04")
    c.expect(r"status=0\r\n")
    c.expect(PROMPT)
    out = file_bytes(c, "/tmp/eof")
    return out.split() == ["a", "b", "c"], repr(out)

def step_shell_editing(c):
    # BusyBox sh edits in raw mode itself: DEL and ^U there.
    c.send("echo wrong\x15echo abcX\x7fd\n")       # ^U redraws the prompt: wait for the output
    out = c.expect(r"\r\nabcd\r\n", timeout=10)
    c.expect(PROMPT)
    return "\nwrong\n" not in out, repr(out)

def step_interrupt(c):
    c.send("sleep 100\n")
    c.expect(r"sleep 100\r\n")
    c.control("\x03", PROMPT)
    out = c.command("echo rc=$?")
    return "rc=130" in out, repr(out)

def step_quit(c):
    c.send("sleep 101\n")
    c.expect(r"sleep 101\r\n")
    c.control("\x1c", PROMPT)
    out = c.command("echo rc=$?")
    return "rc=131" in out, repr(out)

def step_subshell_eof(c):
    c.command("X=outer")
    c.send("sh\n")
    c.expect(r"sh\r\n")
    c.expect(PROMPT)
    inner = c.command("echo [$X]")
    c.send("\x04")                                  # ^D at an empty prompt: the subshell exits
    c.expect(PROMPT)
    outer = c.command("echo [$X] rc=$?")
    return "[]" in inner and "[outer] rc=0" in outer, "inner %r outer %r" % (inner, outer)

def step_job_control(c):
    out = c.command("sleep 100 &")
    ok = True
    jobs1 = c.command("jobs")
    c.send("fg\n")
    c.expect(r"fg\r\n")
    c.expect(r"sleep 100")                          # fg names the job it resumes
    stopped = c.control("\x1a", PROMPT)
    jobs2 = c.command("jobs")
    bg = c.command("bg")
    jobs3 = c.command("jobs")
    done = c.command("kill %1")                   # "Terminated" comes before a prompt or with jobs
    done += c.command("jobs")
    detail = "\n".join(map(repr, [out, jobs1, stopped, jobs2, bg, jobs3, done]))
    ok = ok and re.search(r"\[1\]\+\s+Running\s+sleep 100", jobs1) is not None
    ok = ok and "Stopped" in stopped + jobs2 and re.search(r"\[1\]\+\s+Stopped\s+sleep 100", jobs2) is not None
    ok = ok and "sleep 100" in bg and re.search(r"\[1\]\+\s+Running\s+sleep 100", jobs3) is not None
    ok = ok and "Terminated" in done and "Running" not in done
    return ok, detail

def step_vmin_vtime(c):
    # min 0 time 5: read waits half a second for input, then returns 0 bytes.
    start = time.monotonic()
    out = c.command("stty -icanon min 0 time 5; dd bs=9 count=1; stty sane")
    waited = time.monotonic() - start
    ok1 = "0+0 records in" in out
    # min 3 time 0: one read returns once three bytes are there.
    c.send("stty -icanon -echo min 3; dd bs=9 count=1 | od -An -c\n")
    c.expect(r"od -An -c\r\n")
    time.sleep(1.0)
    c.send("ab")
    time.sleep(0.5)
    c.send("cd")
    out2 = c.expect(PROMPT)
    ok2 = re.search(r"^\s+a\s+b\s+c(\s+d)?\s*$", out2, re.M) is not None
    c.send("\x15")                                 # 'd' is left over for the shell: clear it
    c.command("stty sane")
    return ok1 and ok2 and waited >= 0.4, "min0/time5 %r (%.2f s); min3 %r" % (out, waited, out2)

def step_paste_canonical(c):
    text = paste_text(8192, 1)
    c.send("cat > /tmp/paste; echo pasted=$?\n")
    c.expect(r"pasted=\$\?\r\n")
    time.sleep(0.5)
    c.send(text, typed=False)
    time.sleep(0.2)
    c.send("\x04")
    c.expect(r"pasted=0\r\n", timeout=120)
    c.expect(PROMPT)
    got = md5_of(c, "/tmp/paste")
    want = (len(text), hashlib.md5(text).hexdigest())
    return got == want, "got %r want %r" % (got, want)

def step_paste_raw(c):
    text = paste_text(16384, 2)[:16384]
    c.send("stty raw -echo; head -c %d > /tmp/raw; stty sane; echo raw=$?\n" % len(text))
    c.expect(r"raw=\$\?\r\n")
    time.sleep(0.5)
    c.send(text, typed=False)
    c.expect(r"raw=0", timeout=120)
    c.expect(PROMPT)
    got = md5_of(c, "/tmp/raw")
    want = (len(text), hashlib.md5(text).hexdigest())
    return got == want, "got %r want %r" % (got, want)

def step_ixoff(c):
    # IXOFF: the terminal sends STOP (^S) when its 4 KiB input buffer is nearly full, START (^Q) once
    # a reader has drained it (n_tty's throttle thresholds, PL011 sends them as x_char).
    text = paste_text(5000, 3)[:5000]
    c.send("stty raw -echo ixoff; sleep 3; head -c %d > /tmp/ixoff; stty sane; echo ixoff=$?\n" % len(text))
    c.expect(r"ixoff=\$\?\r\n")
    time.sleep(0.5)
    c.send(text, typed=False)
    stop = start = True
    try:
        c.expect(rb"\x13", timeout=30)
    except StepFailed:
        stop = False
    try:
        c.expect(rb"\x11", timeout=60)
    except StepFailed:
        start = False
    c.expect(r"ixoff=0", timeout=120)
    c.expect(PROMPT)
    got = md5_of(c, "/tmp/ixoff")
    want = (len(text), hashlib.md5(text).hexdigest())
    return stop and start and got == want, "STOP sent %s, START sent %s, got %r want %r" % (stop, start, got, want)

ESC = "\x1b"

def vi_keys(c, keys):
    """Keys for vi, typed; after ESC a pause so vi does not take what follows as an escape sequence."""
    for part in re.split("(\x1b)", keys):
        if part == ESC:
            c.send(ESC)
            time.sleep(0.3)
        elif part:
            c.send(part)
            time.sleep(0.1)

def step_vi_new(c):
    c.send("vi /tmp/new.txt\n")
    c.expect(r"vi /tmp/new.txt\r\n")
    c.expect(r"new\.txt", timeout=20)             # the status line names the file
    vi_keys(c, "ihello world foo\nsecond line\nthird" + ESC)
    vi_keys(c, ":1\n" + "w" + "dw")               # line 1, next word, delete "world "
    vi_keys(c, "j" + "dw")                        # line 2: delete "second "
    vi_keys(c, "u")                               # undo: "second line" again
    vi_keys(c, "G" + "A!" + ESC)                  # last line: "third!"
    vi_keys(c, ":wq\n")
    c.expect(PROMPT, timeout=20)
    want = b"hello foo\nsecond line\nthird!\n"
    out = file_bytes(c, "/tmp/new.txt")
    return out == od_of(want), "got\n%s\nwant\n%s" % (out, od_of(want))

def step_vi_existing(c):
    c.command("printf 'one\\ntwo\\nthree\\n' > /tmp/old.txt")
    c.send("vi /tmp/old.txt\n")
    c.expect(r"vi /tmp/old.txt\r\n")
    c.expect(r"three", timeout=20)                # the file is on the screen
    vi_keys(c, "j" + "dd")                        # delete "two"
    vi_keys(c, "G" + "ofour" + ESC)               # open a line after the last
    vi_keys(c, "1G" + "x")                        # "ne"
    vi_keys(c, ":wq\n")
    c.expect(PROMPT, timeout=20)
    want = b"ne\nthree\nfour\n"
    out = file_bytes(c, "/tmp/old.txt")
    return out == od_of(want), "got\n%s\nwant\n%s" % (out, od_of(want))

STEPS = [("stty -a shows Linux's defaults", step_stty),
         ("window size 0x0, then stty rows/cols", step_window_size),
         ("canonical editing: DEL, ^W, ^U", step_canonical_editing),
         ("^D ends a partial line, then input", step_canonical_eof),
         ("shell line editing: DEL, ^U", step_shell_editing),
         ("^C interrupts a foreground sleep (130)", step_interrupt),
         ("^\\ quits a foreground sleep (131)", step_quit),
         ("^D at an empty prompt ends a subshell", step_subshell_eof),
         ("job control: &, jobs, fg, ^Z, bg, kill %1", step_job_control),
         ("VMIN/VTIME in raw mode", step_vmin_vtime),
         ("8 KiB paste into cat (canonical)", step_paste_canonical),
         ("16 KiB paste into head -c (raw)", step_paste_raw),
         ("IXOFF: STOP when input is nearly full, START once read", step_ixoff),
         ("vi: new file, insert, dw, u, A, :wq", step_vi_new),
         ("vi: existing file, dd, o, x, :wq", step_vi_existing)]

def build_initramfs():
    os.makedirs(OUT, exist_ok=True)
    cpio = os.path.join(OUT, "initramfs.cpio")
    subprocess.check_call([sys.executable, os.path.join(ROOT, "tools", "mkinitramfs.py"),
                           os.path.join(ROOT, "tests", "boot", "interactive", "interactive.spec"), cpio], cwd=ROOT)
    return cpio

def run(kernel_name, image, cpio, append):
    c = Console(image, append, cpio)
    try:
        try:
            c.expect("interactive: ready", timeout=120)
            c.expect(PROMPT, timeout=60)
            check("%s: boots to the shell prompt" % kernel_name, True)
        except StepFailed as e:
            check("%s: boots to the shell prompt" % kernel_name, False, str(e) + "\n" + c.tail())
            return
        only = [a[len("--only="):] for a in sys.argv if a.startswith("--only=")]
        for name, step in STEPS:
            if only and not any(o in name for o in only):
                continue
            try:
                ok, detail = step(c)
                check("%s: %s" % (kernel_name, name), ok, detail)
            except StepFailed as e:
                check("%s: %s" % (kernel_name, name), False, str(e) + "\n" + c.tail())
                try:                                 # get the prompt back for the next step
                    c.send("\x03" + ESC)
                    time.sleep(0.5)
                    c.send(":q!\n")
                    time.sleep(0.5)
                    c.send("\x15stty sane\n")
                    c.expect(PROMPT, timeout=15)
                    c.command("echo resync", timeout=15)
                except StepFailed:
                    check("%s: the shell answers again" % kernel_name, False, c.tail())
                    return
        try:
            c.send("poweroff -f\n")
            c.expect(r"[Pp]ower(ing)? (off|down)", timeout=30)
            check("%s: poweroff -f" % kernel_name, True)
        except StepFailed as e:
            check("%s: poweroff -f" % kernel_name, False, str(e) + "\n" + c.tail())
        if kernel_name == "lichen":
            check("lichen: no kernel panic", b"Kernel panic" not in c.log and b"PANIC" not in c.log, c.tail())
    finally:
        c.close()

def main():
    start = time.monotonic()
    cpio = build_initramfs()
    if "--linux" in sys.argv or "--only-linux" in sys.argv:
        run("linux", LINUX, cpio, "console=ttyAMA0 quiet")
    if "--only-linux" not in sys.argv:
        run("lichen", IMAGE, cpio, "")
    failed = [n for n, ok in results if not ok]
    print("%d passed, %d failed (%.1f s)" % (len(results) - len(failed), len(failed), time.monotonic() - start))
    sys.exit(1 if failed else 0)

if __name__ == "__main__":
    main()
