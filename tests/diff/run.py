#!/usr/bin/env python3
"""BusyBox applet differential suite: runs every case of tests/diff/cases.txt in one initramfs on Lichen
and compares each case's output and exit status byte for byte with Linux, after the narrow per-case
masks written in cases.txt.

    tests/diff/run.py            boots Lichen only; compares with the committed Linux recording
                                 (tests/diff/expected-linux.json). This is what `make test` runs.
    tests/diff/run.py --live     boots Linux and Lichen (`make diff`); also says where live Linux no
                                 longer matches the recording.
    tests/diff/run.py --record   boots Linux and rewrites tests/diff/expected-linux.json.

Failures listed in tests/diff/known-failures.txt ("NAME  reason") are expected; the run fails on any
other failure and on listed cases that now pass (remove them from the list). A case that hangs or
crashes the guest is reported as such and the remaining cases run in a fresh boot.
Report: build/diff/report.txt (pass/fail per case, unified diff for each failure).
"""
import argparse, difflib, json, os, re, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import lichen_diff

CASES = os.path.join(HERE, "cases.txt")
EXPECTED = os.path.join(HERE, "expected-linux.json")
KNOWN = os.path.join(HERE, "known-failures.txt")
APPLETS = os.path.join(HERE, "applets.txt")
CASE_MARK, STATUS_MARK = "@@@CASE ", "@@@STATUS "

class Case:
    def __init__(self, name):
        self.name, self.lines, self.masks = name, [], []

def parse_cases(path=CASES):
    cases, current = [], None
    for line in open(path):
        line = line.rstrip("\n")
        if line.startswith("## "):
            current = Case(line[3:].strip())
            cases.append(current)
        elif current is None:
            continue
        elif line.startswith("#mask "):
            current.masks.append(re.compile(line[6:], re.M))
        else:
            current.lines.append(line)
    names = [c.name for c in cases]
    dups = {n for n in names if names.count(n) > 1}
    if dups:
        raise SystemExit("cases.txt: duplicate case names: %s" % ", ".join(sorted(dups)))
    return cases

def guest_script(cases):
    """The guest's /run.sh, and the case files it runs: each case body is its own script /c/NAME, so
    shell messages ("/c/NAME: line 1: ...") do not depend on which other cases run."""
    out = [open(os.path.join(HERE, "fixtures.sh")).read()]
    files = []
    casedir = os.path.join(ROOT, "build/diff/cases")
    os.makedirs(casedir, exist_ok=True)
    for i, c in enumerate(cases):
        host = os.path.join(casedir, c.name)
        with open(host, "w") as f:
            f.write("\n".join(c.lines) + "\n")
        files.append(("/c/" + c.name, host, "644"))
        out.append("echo '%s%s'" % (CASE_MARK, c.name))
        out.append("mkdir /w/%s && cp -a /fx/. /w/%s/ && cd /w/%s" % (c.name, c.name, c.name))
        out.append("sh /c/%s </dev/null 2>&1" % c.name)
        out.append('echo "%s$?"' % STATUS_MARK)
        out.append("cd /")
    return "\n".join(out) + "\n", files

def applet_links():
    return ["slink /bin/%s busybox 777" % a.strip() for a in open(APPLETS)
            if a.strip() and a.strip() not in ("busybox", "sh")]

def parse_output(text):
    """{name: (output, status or None)} for every case that started."""
    results, name, buf = {}, None, []
    for line in text.splitlines(keepends=True):
        if line.startswith(CASE_MARK):
            if name is not None:
                results[name] = ("".join(buf), None)
            name, buf = line[len(CASE_MARK):].rstrip("\n"), []
        elif name is not None and line.startswith(STATUS_MARK):
            s = line[len(STATUS_MARK):].strip()
            results[name] = ("".join(buf), int(s) if s.isdigit() else None)
            name = None
        elif name is not None:
            buf.append(line)
        # a STATUS marker can follow output without a final newline
        if name is not None and buf and STATUS_MARK in buf[-1] and not buf[-1].startswith(STATUS_MARK):
            head, _, tail = buf[-1].partition(STATUS_MARK)
            buf[-1] = head
            s = tail.strip()
            results[name] = ("".join(buf), int(s) if s.isdigit() else None)
            name = None
    if name is not None:
        results[name] = ("".join(buf), None)
    return results

def run_kernel(kernel, cases, memory, timeout_total, idle, retry=True):
    """Runs the cases, rebooting after a hang or crash; returns {name: (output, status, note)}."""
    results, remaining, start = {}, list(cases), time.monotonic()
    links = applet_links()
    while remaining:
        budget = timeout_total - (time.monotonic() - start)
        if budget <= 5:
            for c in remaining:
                results[c.name] = ("", None, "not run: time budget exhausted")
            break
        script, files = guest_script(remaining)
        r = lichen_diff.run(kernel, script=script, files=files, spec_lines=links + ["dir /usr 755", "dir /usr/bin 755", "dir /c 755"],
                            memory=memory, timeout=budget, idle_timeout=idle)
        got = parse_output(r.output)
        progressed = False
        for c in remaining:
            if c.name in got and got[c.name][1] is not None:
                results[c.name] = got[c.name] + ("",)
                progressed = True
        left = [c for c in remaining if c.name not in results]
        if not left:
            break
        # the first unfinished case hung or brought the guest down: record it, go on after it
        bad = left[0]
        partial = got.get(bad.name, ("", None))[0]
        why = "hang (no output for %d s)" % idle if r.boot.timed_out else "guest stopped (crash/panic?)"
        tail = r.boot.output[-1500:] if not r.boot.timed_out else ""
        results[bad.name] = (partial, None, why + ("\n--- console tail ---\n" + tail if tail else ""))
        if retry and not r.boot.timed_out:
            # A crash may be a kernel race rather than this case: run the case once more on its own.
            again = run_kernel(kernel, [bad], memory, min(60, budget), idle, retry=False)[bad.name]
            if again[1] is not None:
                results[bad.name] = (again[0], again[1], "FLAKY: the guest crashed on the first try, passed alone: "
                                     + results[bad.name][2])
        remaining = left[1:]
        if r.status is None and not progressed and bad.name not in got and kernel == "linux":
            raise SystemExit("Linux run failed before any case ran:\n" + r.boot.output[-3000:])
    return results

KERNEL_LOG = re.compile(r"^\[ *\d+\.\d+\] .*\n?", re.M)

def kernel_messages(text):
    return KERNEL_LOG.findall(text)

def masked(case, text):
    # Kernel log lines on the console are not the program's output: they are dropped here and listed
    # in the report instead.
    text = KERNEL_LOG.sub("", text)
    for m in case.masks:
        text = m.sub("<MASKED>", text)
    return text

def load_known():
    known = {}
    if os.path.exists(KNOWN):
        for line in open(KNOWN):
            line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
            if not line:
                continue
            name, _, reason = line.partition(" ")
            known[name] = reason.strip()
    return known

def compare(cases, reference, lichen, ref_label):
    rows, diffs = [], {}
    for c in cases:
        if c.name not in reference:
            rows.append((c.name, "NOREF"))
            continue
        ro, rs = reference[c.name][0], reference[c.name][1]
        lo, ls, note = lichen.get(c.name, ("", None, "missing"))
        a = masked(c, ro) + "[exit %s]\n" % rs
        b = masked(c, lo) + ("[exit %s]\n" % ls if ls is not None else "[%s]\n" % (note or "no status"))
        if a == b:
            rows.append((c.name, "PASS"))
        else:
            rows.append((c.name, "FAIL"))
            diffs[c.name] = "".join(difflib.unified_diff(a.splitlines(True), b.splitlines(True),
                                                         ref_label + "/" + c.name, "lichen/" + c.name))
    return rows, diffs

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--record", action="store_true")
    mode.add_argument("--live", action="store_true")
    p.add_argument("--memory", default="256M")
    p.add_argument("--timeout", type=float, default=600, help="total seconds per kernel")
    p.add_argument("--idle", type=float, default=20, help="seconds without output that count as a hang")
    p.add_argument("--only", help="regex: run only matching cases")
    p.add_argument("--no-retry", action="store_true", help="do not rerun unexpected failures in a fresh boot")
    a = p.parse_args()
    cases = parse_cases()
    if a.only:
        cases = [c for c in cases if re.search(a.only, c.name)]
    os.makedirs(os.path.join(ROOT, "build/diff"), exist_ok=True)

    if a.record or a.live:
        t = time.monotonic()
        linux = run_kernel("linux", cases, a.memory, a.timeout, a.idle)
        print("linux: %d cases in %.1f s" % (len(linux), time.monotonic() - t))
        bad = {n: v for n, v in linux.items() if v[1] is None}
        if bad:
            print("linux: cases without a status (fix the case): %s" % ", ".join(bad))
        if a.record:
            version = open(os.path.join(ROOT, "build/debian/linux/version")).read().strip()
            data = {"linux": version, "busybox": os.path.basename(lichen_diff.BUSYBOX),
                    "cases": {n: {"output": v[0], "status": v[1]} for n, v in linux.items()}}
            if a.only and os.path.exists(EXPECTED):
                old = json.load(open(EXPECTED))
                old["cases"].update(data["cases"])
                data["cases"] = old["cases"]
            with open(EXPECTED, "w") as f:
                json.dump(data, f, indent=1, sort_keys=True)
                f.write("\n")
            print("recorded %d Linux outputs (Linux %s) in %s" % (len(linux), version, os.path.relpath(EXPECTED, ROOT)))
            sys.exit(1 if bad else 0)
        reference, ref_label = linux, "linux"
        if os.path.exists(EXPECTED):
            rec = json.load(open(EXPECTED))["cases"]
            stale = [c.name for c in cases if c.name in rec and
                     (masked(c, rec[c.name]["output"]), rec[c.name]["status"]) != (masked(c, linux[c.name][0]), linux[c.name][1])]
            if stale:
                print("note: live Linux differs from the recording for: %s (re-record with --record)" % ", ".join(stale))
    else:
        if not os.path.exists(EXPECTED):
            raise SystemExit("no %s: record it with tests/diff/run.py --record" % EXPECTED)
        rec = json.load(open(EXPECTED))["cases"]
        reference, ref_label = {n: (v["output"], v["status"]) for n, v in rec.items()}, "linux-recorded"

    t = time.monotonic()
    lichen = run_kernel("lichen", cases, a.memory, a.timeout, a.idle)
    lichen_seconds = time.monotonic() - t
    with open(os.path.join(ROOT, "build/diff/lichen-output.json"), "w") as f:
        json.dump({n: {"output": v[0], "status": v[1], "note": v[2]} for n, v in lichen.items()}, f, indent=1)
    rows, diffs = compare(cases, reference, lichen, ref_label)
    known = load_known()
    retry = [c for c in cases if c.name not in known and dict(rows)[c.name] == "FAIL"
             and not lichen[c.name][2].startswith("FLAKY")]
    if retry and not a.no_retry:
        # Failures that only show after many earlier cases (e.g. fork failing with ENOMEM) are kernel
        # bugs too, but not this case's: rerun such cases in a fresh boot; passing ones are reported FLAKY.
        again = run_kernel("lichen", retry, a.memory, 120, a.idle)
        rows2, _ = compare(retry, reference, again, ref_label)
        for n, st in rows2:
            if st == "PASS":
                first = diffs.pop(n)
                lichen[n] = again[n][:2] + ("FLAKY: failed after the earlier cases, passed in a fresh boot; first try:\n" + first,)
        rows = [(n, "PASS" if n in dict(rows2) and dict(rows2)[n] == "PASS" else st) for n, st in rows]
    names = {c.name for c in cases}
    unexpected = [n for n, s in rows if s in ("FAIL", "NOREF") and n not in known]
    fixed = [n for n, s in rows if s == "PASS" and n in known]
    stale_known = [n for n in known if n not in names and not a.only]
    passed = sum(1 for _, s in rows if s == "PASS")

    report = ["BusyBox differential suite: Lichen vs %s" % ref_label,
              "%d cases: %d pass on Lichen, %d fail (%d listed in known-failures.txt); Lichen run %.1f s" %
              (len(rows), passed, len(rows) - passed, sum(1 for n, s in rows if s != "PASS" and n in known), lichen_seconds), ""]
    for n, s in rows:
        tag = s if s == "PASS" else (s + " (known: %s)" % known[n] if n in known else s + " (UNEXPECTED)")
        report.append("%-28s %s" % (n, tag))
    report.append("")
    for n, s in rows:
        if n in diffs:
            report.append(diffs[n])
            note = lichen.get(n, ("", None, ""))[2]
            if note:
                report.append("    lichen: " + note + "\n")
    flaky = [(c.name, lichen[c.name][2]) for c in cases if c.name in lichen and lichen[c.name][2].startswith("FLAKY")]
    report.insert(2, "%d cases crashed the guest or failed after earlier cases, then completed in a fresh boot (kernel bugs, see FLAKY below)" % len(flaky))
    for n, note in flaky:
        report.append("FLAKY %s: %s\n" % (n, note))
    kmsgs = sorted({re.sub(r"^\[ *\d+\.\d+\] ", "", m.strip()) for c in cases for m in kernel_messages(lichen.get(c.name, ("",))[0])})
    if kmsgs:
        report.append("Kernel messages during the cases (not compared):")
        report.extend("  " + m for m in kmsgs)
    path = os.path.join(ROOT, "build/diff/report.txt")
    with open(path, "w") as f:
        f.write("\n".join(report) + "\n")
    print(report[1])
    if flaky:
        print("WARNING: %d cases crashed the Lichen guest (kernel panic) or failed after earlier cases, then completed in a fresh boot: %s"
              % (len(flaky), ", ".join(n for n, _ in flaky)))
    print("report: %s" % os.path.relpath(path, ROOT))
    status = 0
    if unexpected:
        print("FAIL: unexpected failures (not in tests/diff/known-failures.txt): %s" % ", ".join(unexpected))
        for n in unexpected[:5]:
            print(diffs.get(n, "  %s: no Linux reference (re-record)" % n))
        status = 1
    if fixed:
        print("FAIL: these known failures now pass: remove them from tests/diff/known-failures.txt: %s" % ", ".join(fixed))
        status = 1
    if stale_known:
        print("FAIL: known-failures.txt lists cases that do not exist: %s" % ", ".join(stale_known))
        status = 1
    if status == 0:
        print("diff suite: OK")
    sys.exit(status)

if __name__ == "__main__":
    main()
