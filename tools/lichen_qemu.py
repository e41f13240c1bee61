#!/usr/bin/env python3
"""Boots a kernel image under qemu-system-aarch64 and captures its console.

Used by the boot tests and `make run`-style experiments; always stops by itself (timeout).

    from lichen_qemu import boot
    result = boot("build/Image", memory="512M", append="lichen.test=timer", timeout=30)
    result.output, result.exit_code, result.timed_out

As a command: tools/lichen_qemu.py [--memory 512M] [--gic 2|3] [--el2] [--smp N] [--append ...]
              [--initrd FILE] [--timeout S] [--input TEXT] IMAGE
"""
import argparse, os, select, subprocess, sys, time

class BootResult:
    def __init__(self, output, exit_code, timed_out, seconds, marks=None):
        self.output, self.exit_code, self.timed_out, self.seconds = output, exit_code, timed_out, seconds
        self.marks = marks or {}   # watched text -> seconds since qemu start when it first appeared

def qemu_command(image, memory="512M", gic=2, el2=False, smp=1, append="", initrd=None, cpu="cortex-a72", extra=()):
    machine = "virt,gic-version=%d" % gic + (",virtualization=on" if el2 else "")
    cmd = ["qemu-system-aarch64", "-M", machine, "-cpu", cpu, "-m", memory, "-smp", str(smp),
           "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
           "-kernel", image, "-append", append]
    if initrd:
        cmd += ["-initrd", initrd]
    return cmd + list(extra)

def boot(image, timeout=30, input_script=(), watch=(), stop_after=None, idle_timeout=None, on_output=None, **kwargs):
    """Runs qemu until it exits or `timeout` seconds pass.

    input_script: sequence of (wait_for_text, text_to_send): each text is sent once the output so
    far contains wait_for_text.
    watch: texts whose first appearance time (seconds since qemu start) goes into result.marks.
    stop_after: seconds qemu may keep running once every watched text has appeared (then it is
    killed; not a timeout).
    idle_timeout: seconds without any console output after which qemu is killed (counts as timed out).
    on_output: called with each chunk of console output (bytes) as it arrives (progress reports).
    """
    cmd = qemu_command(image, **kwargs)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output = b""
    pending = list(input_script)
    timed_out = False
    marks = {}
    last_output = start
    watching = [w.encode() for w in watch]
    os.set_blocking(proc.stdout.fileno(), False)
    while True:
        if watching and stop_after is not None and len(marks) == len(watching) \
                and time.monotonic() - start > max(marks.values()) + stop_after:
            proc.kill()
            break
        remaining = timeout - (time.monotonic() - start)
        if idle_timeout is not None and time.monotonic() - last_output > idle_timeout:
            remaining = 0
        if remaining <= 0:
            timed_out = True
            proc.kill()
            break
        ready, _, _ = select.select([proc.stdout], [], [], min(remaining, 0.2))
        if ready:
            chunk = proc.stdout.read()
            if chunk:
                output += chunk
                if on_output:
                    on_output(chunk)
                last_output = time.monotonic()
                now = last_output - start
                for w in watching:
                    if w.decode() not in marks and w in output:
                        marks[w.decode()] = now
            elif proc.poll() is not None:
                break
        elif proc.poll() is not None:
            rest = proc.stdout.read()
            if rest:
                output += rest
            break
        while pending and pending[0][0].encode() in output:
            _, text = pending.pop(0)
            try:
                proc.stdin.write(text.encode())
                proc.stdin.flush()
            except BrokenPipeError:
                pending = []
    proc.wait()
    text = output.decode("utf-8", "replace").replace("\r\n", "\n")
    return BootResult(text, proc.returncode, timed_out, time.monotonic() - start, marks)

def console_sections(console, keep_blank=True):
    """{name: [lines]} from "== name" to the next marker; kernel log lines ("[    1.23] ...") dropped,
    and blank lines too unless `keep_blank`."""
    import re
    out, current = {}, None
    for line in console.replace("\r", "").split("\n"):
        if re.match(r"^\[\s*\d+\.\d+\]", line):
            continue
        m = re.match(r"^== (\S+)$", line)
        if m:
            current = out.setdefault(m.group(1), [])
        elif current is not None and (line or keep_blank):
            current.append(line)
    return out

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("image")
    p.add_argument("--memory", default="512M")
    p.add_argument("--gic", type=int, default=2)
    p.add_argument("--el2", action="store_true")
    p.add_argument("--smp", type=int, default=1)
    p.add_argument("--append", default="")
    p.add_argument("--initrd")
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--input", default=None, help="text sent once the console shows a prompt")
    a = p.parse_args()
    script = [("", a.input.encode().decode("unicode_escape"))] if a.input else []
    r = boot(a.image, timeout=a.timeout, input_script=script, memory=a.memory, gic=a.gic, el2=a.el2,
             smp=a.smp, append=a.append, initrd=a.initrd)
    sys.stdout.write(r.output)
    if r.timed_out:
        print("\n[lichen_qemu: timed out after %.0f s]" % a.timeout, file=sys.stderr)
        sys.exit(124)
    sys.exit(r.exit_code)

if __name__ == "__main__":
    main()
