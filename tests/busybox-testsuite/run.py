#!/usr/bin/env python3
"""BusyBox's own testsuite/ run inside the guest, on Lichen and on Linux, against Debian's arm64
busybox-static binary.

    tests/busybox-testsuite/run.py [--kernel both|lichen|linux] [--applets awk,sed,...]

The testsuite comes from Debian's busybox source package (`apt-get source busybox` through
tools/fetch-debian-source.sh, cached in build/debian-src/, never committed) and the binary from
busybox-static:arm64 (tools/fetch-debian-arm64.sh busybox): the same version. The guest gets
/bb/busybox, /bb/.config (debian/config/pkg/static: the exact configuration Debian builds
busybox-static with, which the testsuite reads to skip tests of features that are not built) and
/bb/testsuite/, and runs `./runtest` in /bb/testsuite with Debian's test environment from
debian/rules (SKIP_KNOWN_BUGS=y, SKIP_INTERNET_TESTS=y, LANG=LC_ALL=C.UTF-8, SHELL=/bin/sh,
ECHO=/bin/echo) plus VERBOSE=1 (diffs of failures). As in debian/rules, mdev.tests is removed. Two
additions to a copy of runtest: a marker line per applet, and `timeout` around each applet's tests
(--applet-timeout), so that a hung applet ends as a failure instead of stalling the run. A boot that
hangs or dies is recorded against the applet it was in and the run goes on with the next applets
in a fresh boot.

Results: one PASS/FAIL/SKIPPED/UNTESTED line per test case, keyed APPLET/NAME. Report with per-applet
counts side by side and every failure (with the first diff lines): build/busybox-testsuite/report.txt.
"""
import argparse, json, os, re, shutil, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import lichen_diff

OUT = os.path.join(ROOT, "build/busybox-testsuite")
KINDS = ["PASS", "FAIL", "SKIPPED", "UNTESTED", "CRASHED"]

def log(msg):
    print(msg, flush=True)

def prepare():
    src = subprocess.check_output([os.path.join(ROOT, "tools/fetch-debian-source.sh"), "busybox"],
                                  text=True).strip().splitlines()[-1]
    lichen_diff.ensure("busybox")
    tree = os.path.join(OUT, "testsuite")
    if os.path.exists(tree):
        shutil.rmtree(tree)
    shutil.copytree(os.path.join(src, "testsuite"), tree, symlinks=True)
    os.remove(os.path.join(tree, "mdev.tests"))      # as debian/rules does
    runtest = open(os.path.join(tree, "runtest")).read()
    # markers and a timeout per applet (the only changes to the suite's runner)
    runtest = runtest.replace('\tsh -x -e "$testcase"', '\ttimeout "$BBT_TIMEOUT" sh -x -e "$testcase"')
    runtest = runtest.replace('\t\t\t"$tsdir/$applet.tests"\n', '\t\t\ttimeout "$BBT_TIMEOUT" "$tsdir/$applet.tests"\n')
    runtest = runtest.replace('status=0\nfor applet in $applets; do\n',
                              'status=0\necho "@@@APPLETS $applets"\nfor applet in $applets; do\n\techo "@@@APPLET $applet"\n')
    if runtest.count("BBT_TIMEOUT") != 2 or "@@@APPLET $applet" not in runtest:
        raise SystemExit("busybox-testsuite: runtest changed upstream; update the markers in %s" % __file__)
    with open(os.path.join(tree, "runtest"), "w") as f:
        f.write(runtest)
    version = open(os.path.join(src, ".debian-version")).read().strip()
    return src, tree, version

def initramfs(src, tree, applets, timeout):
    # Every applet installed as on a BusyBox system (/bin/gzip, /bin/date, ...): the testsuite runs
    # on a host that has these commands (tar execs gzip, `which` needs a default PATH, ...).
    links = os.path.join(OUT, "applets.txt")
    with open(links, "w") as f:
        f.write("\n".join(l for l in open(os.path.join(ROOT, "initramfs/busybox-applets.txt")).read().split()
                          if l != "bin/sh") + "\n")
    spec = ["dir /bb 755", "dir /etc 755", "applets /bin/busybox %s" % links]
    files = [("/bb/busybox", lichen_diff.BUSYBOX, "755"),
             ("/bb/.config", os.path.join(src, "debian/config/pkg/static"), "644")]
    for dirpath, dirnames, filenames in os.walk(tree):
        rel = os.path.relpath(dirpath, tree)
        guest = "/bb/testsuite" + ("" if rel == "." else "/" + rel)
        spec.append("dir %s 755" % guest)
        for fn in sorted(filenames):
            host = os.path.join(dirpath, fn)
            if os.path.islink(host):
                spec.append("slink %s/%s %s 777" % (guest, fn, os.readlink(host)))
            else:
                mode = "755" if os.access(host, os.X_OK) else "644"
                files.append(("%s/%s" % (guest, fn), host, mode))
    passwd = os.path.join(OUT, "passwd")
    with open(passwd, "w") as f:
        f.write("root:x:0:0:root:/root:/bin/sh\n")
    group = os.path.join(OUT, "group")
    with open(group, "w") as f:
        f.write("root:x:0:\n")
    files += [("/etc/passwd", passwd, "644"), ("/etc/group", group, "644")]
    script = ("cd /bb/testsuite || exit 1\n"
              "export SKIP_KNOWN_BUGS=y SKIP_INTERNET_TESTS=y LANG=C.UTF-8 LC_ALL=C.UTF-8 SHELL=/bin/sh "
              "ECHO=/bin/echo VERBOSE=1 BBT_TIMEOUT=%d bindir=/bb tsdir=/bb/testsuite\n"
              "./runtest %s < /dev/null 2>&1\n"
              "echo \"@@@DONE $?\"\n") % (timeout, " ".join(applets))
    return lichen_diff.build_initramfs(script, files, spec, out=os.path.join(OUT, "run.cpio.gz"))

LINE = re.compile(r"^(PASS|FAIL|SKIPPED|UNTESTED): (.*)$")

def parse(output):
    """(applets announced or None, {applet: {name: [kind, detail lines]}}, last applet, done)"""
    announced, res, applet, current, done = None, {}, None, None, False
    for line in output.split("\n"):
        line = line.rstrip("\r")
        if line.startswith("@@@APPLETS "):
            announced = line.split()[1:]
        elif line.startswith("@@@APPLET "):
            applet = line.split()[1]
            res.setdefault(applet, {})
            current = None
        elif line.startswith("@@@DONE"):
            done = True
        elif applet is not None:
            m = LINE.match(line)
            if m:
                name = m.group(2).strip()
                entries = res[applet]
                key, n = name, 2
                while key in entries:          # a few names repeat within an applet
                    key, n = "%s #%d" % (name, n), n + 1
                entries[key] = [m.group(1), []]
                current = entries[key] if m.group(1) == "FAIL" else None
            elif current is not None and len(current[1]) < 40:
                current[1].append(line)
    return announced, res, applet, done

def run_kernel(kernel, src, tree, a):
    """Runs the applets' tests, booting again when the guest dies: the applet it died in runs again
    first thing in a fresh boot (its results then count, with a note); if the guest dies in it again,
    its missing tests count as one CRASHED entry and the run goes on with the next applet."""
    results, consoles, order, deaths = {}, [], None, []
    # runtest's own list: "busybox" and every applet the binary has (its names, as in busybox-applets.txt)
    everything = ["busybox"] + sorted(set(os.path.basename(l) for l in
                                          open(os.path.join(ROOT, "initramfs/busybox-applets.txt")).read().split())
                                      - {"busybox"})
    remaining = a.applets.split(",") if a.applets else everything
    retried = set()
    t0, boots = time.monotonic(), 0
    while boots < a.max_boots:
        boots += 1
        batch = remaining[:a.batch] if a.batch else remaining
        initrd = initramfs(src, tree, batch, a.applet_timeout)
        r = lichen_diff.run(kernel, initrd=initrd, memory=a.memory, smp=a.smp, timeout=a.boot_timeout,
                            idle_timeout=a.applet_timeout + 60)
        consoles.append(r.boot.output)
        announced, res, last, done = parse(r.boot.output)
        if announced is None:
            log("%s: the testsuite did not start; console tail:\n%s" % (kernel, r.boot.output[-2000:]))
            break
        order = (order or []) + [x for x in announced if x not in (order or [])]
        results.update(res)
        if done:
            remaining = remaining[len(batch):]
            if not remaining:
                break
            continue
        why = "guest hung (no output for %d s)" % (a.applet_timeout + 60) if r.boot.timed_out else "guest stopped"
        cause = re.findall(r"^(?:Kernel panic.*|  cause: .*)$", r.boot.output, re.M)
        if cause:
            why += ": " + " / ".join(c.strip() for c in cause[:2])
        ran = len(announced) if last not in announced else announced.index(last)
        deaths.append("in %s after %d applets (boot %d): %s" % (last, ran, boots, why))
        log("%s: the guest died in applet %s after %d applets (boot %d): %s" % (kernel, last, ran, boots, why))
        if last not in announced:
            break
        rest = remaining[len(batch):]
        if last in retried:
            results.setdefault(last, {})["(boot ended: %s)" % why] = ["CRASHED", r.boot.output[-1500:].split("\n")[-10:]]
            remaining = announced[announced.index(last) + 1:] + rest
        else:
            retried.add(last)
            remaining = announced[announced.index(last):] + rest
        if not remaining:
            break
    with open(os.path.join(OUT, "console-%s.txt" % kernel), "w") as f:
        f.write("\n\n===== next boot =====\n\n".join(consoles))
    log("%s: %d applets in %d boot(s), %.0f s" % (kernel, len(results), boots, time.monotonic() - t0))
    for d in deaths:
        log("  guest died " + d)
    return order or [], results, deaths

def dedupe(results):
    """runtest's applet list names busybox twice ("busybox " + the binary's own list), so busybox.tests
    runs twice in one boot ("NAME #2" entries); keep the first run only, whatever the boots were."""
    for name in [n for n in results.get("busybox", {}) if re.search(r" #\d+$", n)]:
        del results["busybox"][name]
    return results

def summarize(res):
    c = {k: 0 for k in KINDS}
    for kind, _ in res.values():
        c[kind] += 1
    return c

def report(version, runs):
    ks = list(runs)
    applets = []
    for k in ks:
        for ap in runs[k][0] + list(runs[k][1]):
            if ap not in applets:
                applets.append(ap)
    short = {"PASS": "pass", "FAIL": "fail", "SKIPPED": "skip", "UNTESTED": "untst", "CRASHED": "crash"}
    head = "%-22s" % "applet" + "".join("  | %-6s " % k + " ".join("%5s" % short[c] for c in KINDS) for k in ks)
    lines = ["BusyBox testsuite (Debian %s, busybox-static arm64 binary, debian/config/pkg/static) in the guest" % version,
             "counts are test cases (PASS/FAIL/SKIPPED/UNTESTED lines of runtest); crash = a boot that ended in that applet",
             head]
    totals = {k: {c: 0 for c in KINDS} for k in ks}
    rows = []
    for ap in applets:
        if not any(runs[k][1].get(ap) for k in ks):
            continue
        row = "%-22s" % ap
        for k in ks:
            c = summarize(runs[k][1].get(ap, {}))
            for col in KINDS:
                totals[k][col] += c[col]
            row += "  | %-6s " % "" + " ".join("%5d" % c[col] for col in KINDS)
        rows.append(row)
    lines.append("%-22s" % "TOTAL" + "".join("  | %-6s " % "" + " ".join("%5d" % totals[k][c] for c in KINDS) for k in ks))
    lines.append("")
    lines += rows
    lines.append("")
    for k in ks:
        fails = [(ap, name, v) for ap in applets for name, v in sorted(runs[k][1].get(ap, {}).items())
                 if v[0] in ("FAIL", "CRASHED")]
        lines.append("%s: failures (%d):" % (k, len(fails)))
        for ap, name, v in fails:
            lines.append("  %s/%s  [%s]" % (ap, name, v[0]))
            for d in v[1][:12]:
                lines.append("      " + d[:160])
        lines.append("")
    for k in ks:
        if runs[k][2]:
            lines.append("%s: the guest died %d times:" % (k, len(runs[k][2])))
            lines += ["  " + d for d in runs[k][2]]
            lines.append("")
    if len(ks) == 2:
        a, b = ks
        diff = [(ap, n) for ap in applets for n, v in runs[a][1].get(ap, {}).items()
                if v[0] == "PASS" and runs[b][1].get(ap, {}).get(n, ["?"])[0] != "PASS"]
        lines.append("PASS on %s, not on %s (%d):" % (a, b, len(diff)))
        lines += ["  %s/%s: %s" % (ap, n, runs[b][1].get(ap, {}).get(n, ["missing"])[0]) for ap, n in diff]
    return "\n".join(lines) + "\n"

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default="both", choices=["both", "lichen", "linux"])
    ap.add_argument("--applets", help="comma-separated applets (default: every applet the binary has)")
    ap.add_argument("--memory", default="64M", help="guest RAM (the issue's target: the whole suite in 64M)")
    ap.add_argument("--report-only", action="store_true", help="the side-by-side report from the saved results")
    ap.add_argument("--max-boots", type=int, default=100)
    ap.add_argument("--batch", type=int, default=0, help="applets per boot (0: all in one boot)")
    ap.add_argument("--smp", type=int, default=1)
    ap.add_argument("--applet-timeout", type=int, default=180)
    ap.add_argument("--boot-timeout", type=float, default=3600)
    a = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    src, tree, version = prepare()
    runs = {}
    if a.report_only:     # side by side from the saved results of earlier runs
        for k in ("linux", "lichen"):
            path = os.path.join(OUT, "results-%s.json" % k)
            if os.path.exists(path):
                dpath = os.path.join(OUT, "deaths-%s.json" % k)
                runs[k] = ([], dedupe(json.load(open(path))), json.load(open(dpath)) if os.path.exists(dpath) else [])
    for k in (["linux", "lichen"] if a.kernel == "both" else [a.kernel]) if not a.report_only else []:
        runs[k] = run_kernel(k, src, tree, a)
        dedupe(runs[k][1])
        with open(os.path.join(OUT, "results-%s.json" % k), "w") as f:
            json.dump(runs[k][1], f, indent=0, sort_keys=True)
        with open(os.path.join(OUT, "deaths-%s.json" % k), "w") as f:
            json.dump(runs[k][2], f)
    text = report(version, runs)
    with open(os.path.join(OUT, "report.txt"), "w") as f:
        f.write(text)
    sys.stdout.write(text.split("\n\n")[0] + "\n")
    log("full report: build/busybox-testsuite/report.txt")

if __name__ == "__main__":
    main()
