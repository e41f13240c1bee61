#!/usr/bin/env python3
"""The Open POSIX Test Suite (Debian's `posixtestsuite` source package) on Lichen and on Linux.

    tests/posix/run.py                 # full run: build everything, boot Linux and Lichen, side-by-side report
    tests/posix/run.py --subset        # `make test`: the tests in subset.txt on Lichen against known-failures.txt
    tests/posix/run.py --kernel linux --areas sigaction,kill   # a part of the suite

The sources come from `apt-get source posixtestsuite` (tools/fetch-debian-source.sh: Debian's patches
applied, cached in build/debian-src/, never committed). Every conformance/interfaces/AREA/N-M.c is
compiled like the suite's Makefile does (`-O2 -Wall -Werror -D_POSIX_C_SOURCE=200112L -std=gnu99
-D_GNU_SOURCE`, with aarch64-linux-gnu-gcc; "build failed" when that fails). A static glibc program is
600 KB, so 1,700 of them would make a 1 GB initramfs: instead each test's object gets its `main`
renamed and its other global symbols made local (objcopy), and the tests of a group of areas are
linked (`-static -lpthread -lrt`) into one multi-call binary that picks the test from argv[0]
("link failed": the link needs a symbol libc does not have). In the guest each test is
/pts/conformance/interfaces/AREA/N-M.test, a symlink to its group's binary, run from /pts like the
suite's Makefile does, by tests/posix/runner.c (one child per test, per-test timeout with alarm(),
process group killed afterwards). The exit status gives the result: 0 PASS, 1 FAIL, 2 UNRESOLVED,
4 UNSUPPORTED, 5 UNTESTED, timeout HUNG, killed by a signal or other status INTERRUPTED. The suite's
N-M.sh tests (all "tested implicitly by ...") run under BusyBox sh.

A test that hangs the guest or crashes it ends that boot: it is recorded as CRASHED and the run goes
on with the next test in a fresh boot. Reports: build/posix/report.txt (side by side per area, every
non-PASS with its first output lines), build/posix/results-KERNEL.json.

--subset: builds only the tests listed in tests/posix/subset.txt (chosen among tests that pass on
Linux, fast and deterministic), boots Lichen, and fails on a failure not in tests/posix/known-failures.txt
and on a listed test that passes (delete its line): that list only shrinks.
"""
import argparse, json, os, re, shutil, subprocess, sys, time
from concurrent.futures import ThreadPoolExecutor

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import lichen_diff, lichen_qemu

OUT = os.path.join(ROOT, "build/posix")
CC, NM, OBJCOPY = "aarch64-linux-gnu-gcc", "aarch64-linux-gnu-nm", "aarch64-linux-gnu-objcopy"
# The suite's Makefile: CFLAGS (minus -g), INCLUDE, and LDFLAGS (which it also passes when compiling).
CFLAGS = ["-O2", "-Wall", "-Werror", "-D_POSIX_C_SOURCE=200112L", "-std=c99", "-std=gnu99", "-Iinclude",
          "-D_GNU_SOURCE"]
LIBS = ["-lpthread", "-lrt"]
GUEST_ROOT = "/pts"
BIN = os.path.join(OUT, "bin")
RESULT_NAMES = {0: "PASS", 1: "FAIL", 2: "UNRESOLVED", 4: "UNSUPPORTED", 5: "UNTESTED", 124: "HUNG"}
COLUMNS = ["PASS", "FAIL", "UNRESOLVED", "UNSUPPORTED", "UNTESTED", "HUNG", "INTERRUPTED", "CRASHED"]

# Areas (interface directories) grouped by subject; one multi-call binary per group.
GROUPS = [
    ("signals", r"^(sig.*|signal|kill|killpg|raise)$"),
    ("pthread", r"^pthread_"),
    ("timers", r"^(timer_.*|clock.*|nanosleep)$"),
    ("time", r"^(asctime|ctime|difftime|gmtime|localtime|mktime|strftime|time)$"),
    ("memory", r"^(mmap|munmap|mlock.*|munlock.*|shm_.*)$"),
    ("mqueue", r"^mq_"),
    ("semaphore", r"^sem_"),
    ("aio", r"^(aio_.*|lio_listio)$"),
    ("sched", r"^sched_"),
    ("process", r"^(fork|getpid|fsync)$"),
]

def group_of(area):
    for g, pattern in GROUPS:
        if re.match(pattern, area):
            return g
    return "other"

def result_name(code, crashed=False):
    if crashed:
        return "CRASHED"
    return RESULT_NAMES.get(code, "INTERRUPTED")

def log(msg):
    print(msg, flush=True)

# ---------------------------------------------------------------------------------------------- build

def fetch_source():
    return subprocess.check_output([os.path.join(ROOT, "tools/fetch-debian-source.sh"), "posixtestsuite"],
                                   text=True).strip().splitlines()[-1]

def discover(src):
    """{test id "AREA/N-M": (kind "c"|"sh"|"buildonly", source path relative to src)}"""
    base = os.path.join(src, "conformance/interfaces")
    tests = {}
    for area in sorted(os.listdir(base)):
        d = os.path.join(base, area)
        if not os.path.isdir(d):
            continue
        for f in sorted(os.listdir(d)):
            rel = os.path.join("conformance/interfaces", area, f)
            if re.match(r"^[0-9]+-[0-9]+\.c$", f):
                tests["%s/%s" % (area, f[:-2])] = ("c", rel)
            elif re.match(r"^[0-9]+-[0-9]+\.sh$", f):
                tests["%s/%s" % (area, f[:-3])] = ("sh", rel)
            elif re.match(r"^[0-9]+-.*\.c$", f):      # N-buildonly.c, N-core-buildonly.c: build only
                tests["%s/%s" % (area, f[:-2])] = ("buildonly", rel)
    return tests

def compile_one(src, tid, rel):
    """-> (tid, "PASS"|"FAILED", message). Cached: build/posix/obj/AREA/N-M.{o,status}."""
    obj = os.path.join(OUT, "obj", tid + ".o")
    status_file = obj[:-2] + ".status"
    srcp = os.path.join(src, rel)
    if os.path.exists(status_file) and os.path.getmtime(status_file) >= os.path.getmtime(srcp):
        st = open(status_file).read().split("\n", 1)
        return tid, st[0], st[1] if len(st) > 1 else ""
    os.makedirs(os.path.dirname(obj), exist_ok=True)
    p = subprocess.run(["nice", CC] + CFLAGS + ["-c", rel, "-o", obj], cwd=src, capture_output=True, text=True)
    status = "PASS" if p.returncode == 0 else "FAILED"
    msg = (p.stdout + p.stderr).strip()
    if status == "PASS":
        # the suite links only objects that define main
        syms = subprocess.run([NM, "-g", "--defined-only", obj], capture_output=True, text=True).stdout.split("\n")
        names = [l.split()[-1] for l in syms if len(l.split()) >= 3]
        if "main" not in names:
            status = "NOMAIN"
        else:
            # main -> ptsmain_<AREA>_<N>_<M>; every other global becomes local (the tests share names)
            entry = "ptsmain_" + re.sub(r"[^A-Za-z0-9]", "_", tid)
            local = [n for n in names if n != "main"]
            lf = obj[:-2] + ".localize"
            with open(lf, "w") as f:
                f.write("\n".join(local) + "\n")
            subprocess.check_call([OBJCOPY, "--redefine-sym", "main=" + entry, "--localize-symbols=" + lf,
                                   obj, obj[:-2] + ".mc.o"])
    with open(status_file, "w") as f:
        f.write(status + "\n" + msg)
    return tid, status, msg

def entry_name(tid):
    return "ptsmain_" + re.sub(r"[^A-Za-z0-9]", "_", tid)

DISPATCH = r"""/* generated by tests/posix/run.py: a multi-call binary of Open POSIX Test Suite tests */
#include <stdio.h>
#include <string.h>
extern char **environ;
%(decls)s
static const struct { const char *name; int (*main)(int, char **, char **); } tests[] = {
%(table)s
};
int main(int argc, char **argv) {
    const char *me = argv[0];
    size_t n = sizeof tests / sizeof tests[0], len = strlen(me);
    /* argv[0] ends with AREA/N-M.test (or AREA/N-M); else its basename N-M.test names a unique test */
    for (int pass = 0; pass < 2; pass++) {
        int found = -1, count = 0;
        for (size_t i = 0; i < n; i++) {
            char want[300];
            const char *name = tests[i].name;
            if (pass == 1) name = strrchr(name, '/') + 1;
            for (int ext = 0; ext < 2; ext++) {
                snprintf(want, sizeof want, "%%s%%s%%s", pass == 0 ? "/" : "", name, ext ? ".test" : "");
                size_t wl = strlen(want);
                int match = pass == 0 ? (len >= wl && strcmp(me + len - wl, want) == 0)
                                      : ((strrchr(me, '/') ? strcmp(strrchr(me, '/') + 1, want) : strcmp(me, want)) == 0);
                if (match) { found = (int)i; count++; }
            }
        }
        if (count == 1) return tests[found].main(argc, argv, environ);
    }
    fprintf(stderr, "posix multi-call binary: no test named by argv[0] '%%s'\n", me);
    return 126;
}
"""

def link_group(group, tids):
    """Links the group's objects into build/posix/bin/GROUP. Returns {tid: linker message} of the
    tests that had to be left out (undefined symbols)."""
    failed = {}
    binary = os.path.join(BIN, group)
    os.makedirs(os.path.dirname(binary), exist_ok=True)
    objs = {tid: os.path.join(OUT, "obj", tid + ".mc.o") for tid in tids}
    stamp = binary + ".inputs"
    want = "\n".join(sorted(tids))
    if os.path.exists(binary) and os.path.exists(stamp) and open(stamp).read().split("\n@@@\n")[0] == want \
            and all(os.path.getmtime(o) <= os.path.getmtime(binary) for o in objs.values()):
        saved = open(stamp).read().split("\n@@@\n")
        return json.loads(saved[1]) if len(saved) > 1 else {}
    current = sorted(tids)
    while True:
        dispatch = os.path.join(BIN, group + "-dispatch.c")
        with open(dispatch, "w") as f:
            f.write(DISPATCH % {
                "decls": "\n".join("int %s(int, char **, char **);" % entry_name(t) for t in current),
                "table": "\n".join('    { "%s", %s },' % (t, entry_name(t)) for t in current)})
        p = subprocess.run(["nice", CC, "-static", "-O2", "-s", "-o", binary, dispatch]
                           + [objs[t] for t in current] + LIBS, capture_output=True, text=True)
        if p.returncode == 0:
            break
        bad, last = set(), None
        for line in (p.stdout + p.stderr).splitlines():
            m = re.search(r"obj/(.+?)\.mc\.o", line)
            if m and m.group(1) in objs:
                last = m.group(1)
            if "undefined reference" in line and last in current:
                bad.add(last)
                failed[last] = failed.get(last, "") + line.split(": ", 1)[-1].strip() + "\n"
        if not bad:
            raise SystemExit("posix: linking %s failed:\n%s" % (group, p.stderr[-3000:]))
        current = [t for t in current if t not in bad]
    with open(stamp, "w") as f:
        f.write(want + "\n@@@\n" + json.dumps(failed))
    return failed

def build(selected=None, jobs=2):
    """Builds the tests (all, or the ids in `selected`). Returns (src, tests, build_status) where
    build_status[tid] is PASS (runnable), "build failed", "link failed", "build only" or "sh"."""
    for tool in (CC, NM, OBJCOPY):
        if not shutil.which(tool):
            subprocess.check_call([os.path.join(ROOT, "tools/ensure-deps.sh"), "gcc"])
            break
    global BIN
    src = fetch_source()
    tests = discover(src)
    if selected is not None:
        BIN = os.path.join(OUT, "bin-selected")      # the full run's binaries stay in build/posix/bin
        missing = [t for t in selected if t not in tests]
        if missing:
            raise SystemExit("posix: not in the suite: %s" % ", ".join(missing))
        tests = {t: tests[t] for t in selected}
    t0 = time.monotonic()
    to_compile = [(t, k[1]) for t, k in tests.items() if k[0] in ("c", "buildonly")]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        compiled = {tid: (st, msg) for tid, st, msg in pool.map(lambda a: compile_one(src, *a), to_compile)}
    status, messages = {}, {}
    for tid, (kind, rel) in tests.items():
        if kind == "sh":
            status[tid] = "sh"
            continue
        st, msg = compiled[tid]
        if st == "FAILED":
            status[tid], messages[tid] = "build failed", msg
        elif kind == "buildonly":
            status[tid] = "build only"
        elif st == "NOMAIN":
            status[tid] = "build only"      # the suite's "link: SKIP"
        else:
            status[tid] = "PASS"
    # buildonly objects with a main are linked too (sigaltstack/9-1 execs 9-buildonly.test)
    linkable = [t for t in tests if compiled.get(t, ("",))[0] == "PASS"]
    groups = {}
    for t in sorted(set(linkable)):
        groups.setdefault(group_of(t.split("/")[0]), []).append(t)
    left_out = set()
    for g, tids in sorted(groups.items()):
        for tid, msg in link_group(g, tids).items():
            left_out.add(tid)
            if status[tid] == "PASS":
                status[tid], messages[tid] = "link failed", msg.strip()
            else:
                status[tid] = "build only"
    linked = {t: g for g, ts in groups.items() for t in ts if t not in left_out}
    n = lambda s: sum(1 for v in status.values() if v == s)
    log("posix: build: %d runnable, %d sh, %d build only, %d build failed, %d link failed (%.0f s)" % (
        n("PASS"), n("sh"), n("build only"), n("build failed"), n("link failed"), time.monotonic() - t0))
    return src, tests, status, messages, linked

# ------------------------------------------------------------------------------------------------ run

def make_initramfs(src, tests, runnable, linked, timeout, name, timeouts=None):
    """An initramfs with the group binaries, one symlink per test, the .sh tests, the runner."""
    runner = os.path.join(OUT, "ptsrun")
    rsrc = os.path.join(HERE, "runner.c")
    if not os.path.exists(runner) or os.path.getmtime(runner) < os.path.getmtime(rsrc):
        subprocess.check_call([CC, "-static", "-O2", "-s", "-Wall", "-o", runner, rsrc])
    spec = ["dir /tmp 1777", "dir %s 755" % GUEST_ROOT, "dir %s/bin 755" % GUEST_ROOT]
    files = [("/bin/ptsrun", runner, "755")]
    made = set()
    def mkdirs(path):
        parts = path.strip("/").split("/")
        for i in range(2, len(parts) + 1):
            d = "/" + "/".join(parts[:i])
            if d not in made:
                made.add(d)
                spec.append("dir %s 755" % d)
    for g in sorted(set(linked.values())):
        files.append(("%s/bin/%s" % (GUEST_ROOT, g), os.path.join(BIN, g), "755"))
    for t, g in sorted(linked.items()):
        path = "%s/conformance/interfaces/%s.test" % (GUEST_ROOT, t)
        mkdirs(os.path.dirname(path))
        spec.append("slink %s %s/bin/%s 777" % (path, GUEST_ROOT, g))
    lines = []
    for t in runnable:
        kind, rel = tests[t]
        if kind == "sh":
            path = "%s/%s" % (GUEST_ROOT, rel)
            mkdirs(os.path.dirname(path))
            files.append((path, os.path.join(src, rel), "755"))
        else:
            path = "%s/conformance/interfaces/%s.test" % (GUEST_ROOT, t)
        lines.append("%s %s %d" % (t, path, (timeouts or {}).get(t, timeout)))
    listfile = os.path.join(OUT, name + ".list")
    with open(listfile, "w") as f:
        f.write("\n".join(lines) + "\n")
    files.append(("/pts.list", listfile, "644"))
    # shm_open and sem_open need a tmpfs on /dev/shm (as on any Linux system)
    script = ("/bin/busybox mkdir -p /dev/shm && /bin/busybox mount -t tmpfs -o mode=1777 shm /dev/shm "
              "|| echo 'posix: no tmpfs on /dev/shm'\n"
              "cd %s && /bin/ptsrun %d /pts.list\n") % (GUEST_ROOT, timeout)
    return lichen_diff.build_initramfs(script, files, spec, out=os.path.join(OUT, name + ".cpio.gz"))

def parse(output):
    """{tid: (code, ms, extra, [output lines])} for finished tests; the last started test or None."""
    res, started, current = {}, None, None
    for line in output.split("\n"):
        if line.startswith("@@@START "):
            started = line.split()[1]
        elif line.startswith("@@@RESULT "):
            w = line.split()
            current = w[1]
            res[current] = (int(w[2]), int(w[3]), " ".join(w[4:]), [])
            started = None
        elif line.startswith("| ") and current in res:
            res[current][3].append(line[2:])
        else:
            current = None if not line.startswith("|") else current
    return res, started

class Progress:
    """Prints a line every `every` finished tests (console chunks arrive as they come)."""
    def __init__(self, kernel, total, done, every):
        self.kernel, self.total, self.done, self.every, self.buf, self.t0 = kernel, total, done, every, b"", time.monotonic()
        self.fails = 0
    def __call__(self, chunk):
        if not self.every:
            return
        self.buf += chunk
        *lines, self.buf = self.buf.split(b"\n")
        for line in lines:
            if line.startswith(b"@@@RESULT "):
                self.done += 1
                self.fails += line.split()[2] != b"0"
                if self.done % self.every == 0:
                    log("  %s: %d/%d tests, %d not PASS in this boot, %.0f s" % (
                        self.kernel, self.done, self.total, self.fails, time.monotonic() - self.t0))

def test_timeouts(a, reference):
    """Per-test timeouts from a Linux run: 3x Linux's time + 5 s, at least --min-timeout, at most
    --test-timeout (a test that never ends on Lichen costs seconds, not half a minute)."""
    if not reference:
        return None
    out = {}
    for t, r in reference.items():
        if r.get("ms") is not None and r["result"] != "HUNG":
            out[t] = max(a.min_timeout, min(a.test_timeout, int(3 * r["ms"] / 1000) + 5))
    return out

def run_kernel(kernel, src, tests, runnable, linked, a, timeouts=None):
    """Runs `runnable` on one kernel, at most --batch tests per boot, booting again after a crash or
    hang. A test during which the guest died is run again first thing in a fresh boot: if it dies
    again it is CRASHED, else its result counts with a note (the guest died after the earlier tests:
    a kernel bug that needs a long run, such as running out of memory). Returns
    {tid: {"result", "code", "ms", "extra", "output"}}."""
    results, remaining, boots, retried = {}, list(runnable), 0, set()
    consoles, deaths = [], []
    t0 = time.monotonic()
    while remaining:
        boots += 1
        batch = remaining[:a.batch] if a.batch else remaining
        initrd = make_initramfs(src, tests, batch, linked, a.test_timeout, "run-" + kernel, timeouts)
        progress = Progress(kernel, len(runnable), len(results), a.progress)
        r = lichen_diff.run(kernel, initrd=initrd, memory=a.memory, smp=a.smp, timeout=a.boot_timeout,
                            idle_timeout=a.test_timeout + 60, on_output=progress)
        consoles.append(r.boot.output)
        got, started = parse(r.boot.output)
        for t, (code, ms, extra, out) in got.items():
            results[t] = {"result": result_name(code), "code": code, "ms": ms, "extra": extra, "output": out}
            if t in retried:
                results[t]["extra"] = (extra + " (the guest died during this test after %d earlier tests; "
                                       "alone in a fresh boot it ran)" % retried_after[t]).strip()
        left = [t for t in batch if t not in got]
        done = "@@@DONE" in r.boot.output
        rest = remaining[len(batch):]
        if left and not done:
            victim = started if started in left else left[0]
            tail = r.boot.output[-1500:]
            why = "guest hung (no output for %d s)" % (a.test_timeout + 60) if r.boot.timed_out else "guest stopped"
            panic = re.search(r"^(Kernel panic.*|  cause: .*)$", r.boot.output, re.M)
            if panic:
                why += ": " + " / ".join(l.strip() for l in re.findall(r"^(?:Kernel panic.*|  cause: .*|  lr .*)$", r.boot.output, re.M)[:3])
            deaths.append("%s after %d tests in boot %d: %s" % (victim, len(got), boots, why))
            log("%s: the guest died in %s after %d tests (boot %d): %s" % (kernel, victim, len(got), boots, why))
            left.remove(victim)
            if victim in retried:
                results[victim] = {"result": "CRASHED", "code": None, "ms": None, "extra": why,
                                   "output": [l for l in tail.split("\n") if l.strip()][-8:]}
            else:
                retried.add(victim)
                retried_after[victim] = len(got)
                left.insert(0, victim)
        elif left:
            for t in left:
                results[t] = {"result": "CRASHED", "code": None, "ms": None, "extra": "not run", "output": []}
            left = []
        remaining = left + rest
    with open(os.path.join(OUT, "console-%s.txt" % kernel), "w") as f:
        f.write("\n\n===== next boot =====\n\n".join(consoles))
    log("%s: %d tests in %d boot(s), %.0f s" % (kernel, len(runnable), boots, time.monotonic() - t0))
    for d in deaths:
        log("  guest died: " + d)
    return results

retried_after = {}

# --------------------------------------------------------------------------------------------- report

def counts(results, tids):
    c = {k: 0 for k in COLUMNS}
    for t in tids:
        if t in results:
            c[results[t]["result"]] += 1
    return c

def report(tests, status, messages, kernels, runnable):
    lines = []
    short = {"PASS": "pass", "FAIL": "fail", "UNRESOLVED": "unres", "UNSUPPORTED": "unsup",
             "UNTESTED": "untst", "HUNG": "hung", "INTERRUPTED": "intr", "CRASHED": "crash"}
    ks = list(kernels)
    head = "%-34s %5s %6s %6s" % ("area", "tests", "bfail", "lfail")
    for k in ks:
        head += "  | %-6s " % k + " ".join("%5s" % short[c] for c in COLUMNS)
    def row(label, tids):
        alltids = [t for t in tests if t in tids]
        s = "%-34s %5d %6d %6d" % (label, sum(1 for t in alltids if status[t] in ("PASS", "sh", "build failed", "link failed")),
                                   sum(1 for t in alltids if status[t] == "build failed"),
                                   sum(1 for t in alltids if status[t] == "link failed"))
        for k in ks:
            c = counts(kernels[k], alltids)
            s += "  | %-6s " % "" + " ".join("%5d" % c[col] for col in COLUMNS)
        return s
    lines.append("Open POSIX Test Suite (Debian posixtestsuite), conformance/interfaces: pass counts per kernel")
    lines.append("tests = runnable + build failed + link failed (build-only files not counted); columns per kernel: " +
                 ", ".join("%s=%s" % (short[c], c) for c in COLUMNS))
    lines.append(head)
    by_group = {}
    for t in tests:
        by_group.setdefault(group_of(t.split("/")[0]), set()).add(t)
    for g, _ in GROUPS + [("other", "")]:
        if g in by_group:
            lines.append(row(g, by_group[g]))
    lines.append(row("TOTAL", set(tests)))
    lines.append("")
    lines.append("per area:")
    lines.append(head)
    by_area = {}
    for t in tests:
        by_area.setdefault(t.split("/")[0], set()).add(t)
    for area in sorted(by_area):
        lines.append(row("  " + area, by_area[area]))
    lines.append("")
    for k in ks:
        res = kernels[k]
        bad = [t for t in runnable if t in res and res[t]["result"] != "PASS"]
        lines.append("%s: not PASS (%d):" % (k, len(bad)))
        for t in bad:
            r = res[t]
            first = next((l for l in r["output"] if l.strip()), "")
            lines.append("  %-40s %-11s %s%s" % (t, r["result"], ("[%s] " % r["extra"]) if r["extra"] else "", first[:150]))
        lines.append("")
    if len(ks) == 2:
        a, b = ks
        diff = [t for t in runnable if t in kernels[a] and t in kernels[b]
                and kernels[a][t]["result"] == "PASS" and kernels[b][t]["result"] != "PASS"]
        lines.append("PASS on %s, not on %s (%d)" % (a, b, len(diff)))
        lines.append("")
    bf = [t for t in tests if status[t] in ("build failed", "link failed")]
    lines.append("build/link failures (%d):" % len(bf))
    for t in bf:
        msg = messages.get(t, "")
        err = next((l for l in msg.split("\n") if "error" in l), msg.split("\n")[0] if msg else "")
        lines.append("  %-40s %-12s %s" % (t, status[t], err.strip()[:160]))
    return "\n".join(lines) + "\n"

# ---------------------------------------------------------------------------------------------- main

def read_list(path):
    items = {}
    if os.path.exists(path):
        for line in open(path):
            if line.strip() and not line.lstrip().startswith("#"):
                name, _, reason = line.strip().partition(" ")
                items[name] = reason.strip()
    return items

def write_subset(per_area, max_ms):
    """Writes tests/posix/subset.txt from the last full runs: tests that PASS on Linux within max_ms
    (twice, when build/posix/results-linux-2.json exists) and did not crash Lichen, at most
    per_area per interface directory; and tests/posix/known-failures.txt: the subset's Lichen failures."""
    runs = [json.load(open(os.path.join(OUT, f))) for f in ("results-linux.json", "results-linux-2.json")
            if os.path.exists(os.path.join(OUT, f))]
    lichen = json.load(open(os.path.join(OUT, "results-lichen.json")))
    kinds = discover(fetch_source())
    by_area = {}
    for t in sorted((t for t in runs[0] if kinds.get(t, ("",))[0] == "c"), key=lambda t: (t.split("/")[0], [int(x) for x in re.findall(r"\d+", t.split("/")[1])])):
        if all(r.get(t, {}).get("result") == "PASS" and (r[t]["ms"] or 0) <= max_ms for r in runs) \
                and t in lichen and lichen[t]["result"] not in ("CRASHED", "HUNG") \
                and "guest died" not in lichen[t]["extra"] and (lichen[t]["ms"] or 0) <= 2000:
            by_area.setdefault(t.split("/")[0], []).append(t)
    chosen = [t for area in sorted(by_area) for t in by_area[area][:per_area]]
    with open(os.path.join(HERE, "subset.txt"), "w") as f:
        f.write("# The Open POSIX Test Suite tests `make test` runs (tests/posix/run.py --subset): C tests that\n"
                "# passed in two Linux runs in qemu within %d ms each and ended within 2 s on Lichen (no hang or\n"
                "# crash), the first %d per interface directory. Regenerate with --write-subset %d after full runs\n"
                "# (`make posix`, twice on Linux: copy build/posix/results-linux.json to results-linux-2.json).\n"
                % (max_ms, per_area, per_area))
        f.write("\n".join(chosen) + "\n")
    known = [t for t in chosen if lichen[t]["result"] != "PASS"]
    with open(os.path.join(HERE, "known-failures.txt"), "w") as f:
        f.write("# Subset tests (subset.txt) that do not PASS on Lichen today: TEST  result: first output line.\n"
                "# `make test` fails on an unlisted failure and on a listed test that passes (delete its line):\n"
                "# this list only shrinks.\n")
        for t in known:
            r = lichen[t]
            first = next((l for l in r["output"] if l.strip()), "").strip()
            f.write("%-40s %s%s%s\n" % (t, r["result"], (" [%s]" % r["extra"]) if r["extra"] else "",
                                        (": " + first[:120]) if first else ""))
    log("posix: wrote %d tests to tests/posix/subset.txt, %d known Lichen failures" % (len(chosen), len(known)))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kernel", default=None, choices=["both", "lichen", "linux"])
    ap.add_argument("--subset", action="store_true", help="the make-test subset (tests/posix/subset.txt) against known-failures.txt")
    ap.add_argument("--areas", help="comma-separated interface directories (default: all)")
    ap.add_argument("--tests", help="comma-separated test ids AREA/N-M")
    ap.add_argument("--memory", default="1G")
    ap.add_argument("--batch", type=int, default=250, help="at most N tests per boot (0: no limit)")
    ap.add_argument("--smp", type=int, default=2)
    ap.add_argument("--test-timeout", type=int, default=None, help="seconds per test (alarm in the runner)")
    ap.add_argument("--min-timeout", type=int, default=10, help="per-test timeout floor when Linux times are known")
    ap.add_argument("--boot-timeout", type=float, default=3600)
    ap.add_argument("--jobs", type=int, default=2, help="parallel compiles")
    ap.add_argument("--progress", type=int, default=100, help="a progress line every N tests (0: none)")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--report-only", action="store_true", help="the side-by-side report from the saved results")
    ap.add_argument("--write-subset", type=int, metavar="PER_AREA", help="write subset.txt and known-failures.txt from the last full runs")
    ap.add_argument("--subset-max-ms", type=int, default=300)
    a = ap.parse_args()
    if a.write_subset:
        return write_subset(a.write_subset, a.subset_max_ms)
    a.kernel = a.kernel or ("lichen" if a.subset else "both")
    a.test_timeout = a.test_timeout or (10 if a.subset else 60)
    os.makedirs(OUT, exist_ok=True)
    selected = None
    subset = read_list(os.path.join(HERE, "subset.txt")) if a.subset else None
    if a.subset:
        selected = list(subset)
    elif a.tests:
        selected = a.tests.split(",")
    src, tests, status, messages, linked = build(selected, a.jobs)
    if a.areas:
        areas = set(a.areas.split(","))
        tests = {t: v for t, v in tests.items() if t.split("/")[0] in areas}
    runnable = [t for t in tests if status[t] in ("PASS", "sh")]
    if a.build_only:
        return
    if a.report_only:     # side by side from the saved results of earlier runs (results-KERNEL.json)
        kernels = {k: json.load(open(os.path.join(OUT, "results-%s.json" % k))) for k in ("linux", "lichen")
                   if os.path.exists(os.path.join(OUT, "results-%s.json" % k))}
        text = report(tests, status, messages, kernels, runnable)
        with open(os.path.join(OUT, "report.txt"), "w") as f:
            f.write(text)
        sys.stdout.write(text.split("\nper area:")[0] + "\n")
        return log("full report: build/posix/report.txt")
    kernels = {}
    reference = os.path.join(OUT, "results-linux.json")
    for k in (["linux", "lichen"] if a.kernel == "both" else [a.kernel]):
        timeouts = None
        if k == "lichen":
            ref = kernels.get("linux") or (json.load(open(reference)) if os.path.exists(reference) else None)
            if a.subset:
                ref = None
            timeouts = test_timeouts(a, ref)
        kernels[k] = run_kernel(k, src, tests, runnable, linked, a, timeouts)
        path = os.path.join(OUT, "results-%s.json" % k)     # merged with earlier (partial) runs
        merged = json.load(open(path)) if os.path.exists(path) and not a.subset else {}
        merged.update(kernels[k])
        with open(path if not a.subset else os.path.join(OUT, "subset-results-%s.json" % k), "w") as f:
            json.dump(merged, f, indent=0, sort_keys=True)
    text = report(tests, status, messages, kernels, runnable)
    with open(os.path.join(OUT, "report.txt" if not a.subset else "subset-report.txt"), "w") as f:
        f.write(text)
    rc = 0
    if a.subset:
        known = read_list(os.path.join(HERE, "known-failures.txt"))
        for k, res in kernels.items():
            fails = [t for t in runnable if res.get(t, {}).get("result") != "PASS"]
            if k == "linux":
                if fails:
                    log("FAIL: subset tests failing on Linux (remove them from tests/posix/subset.txt): " + ", ".join(fails))
                    rc = 1
                continue
            unexpected = [t for t in fails if t not in known]
            fixed = [t for t in known if t in res and res[t]["result"] == "PASS"]
            if unexpected:
                log("FAIL: unexpected Lichen failures (not in tests/posix/known-failures.txt):")
                for t in unexpected:
                    r = res[t]
                    log("  %s %s %s %s" % (t, r["result"], r["extra"], " / ".join(r["output"][:3])))
                rc = 1
            if fixed:
                log("FAIL: these known failures now pass: remove them from tests/posix/known-failures.txt: " + ", ".join(fixed))
                rc = 1
            log("posix subset on %s: %d of %d pass, %d known failures" % (
                k, len(runnable) - len(fails), len(runnable), len([t for t in fails if t in known])))
        log("posix-test: %s (report: build/posix/subset-report.txt)" % ("OK" if rc == 0 else "FAILED"))
    else:
        sys.stdout.write(text.split("\nper area:")[0] + "\n")
        log("full report: build/posix/report.txt")
    sys.exit(rc)

if __name__ == "__main__":
    main()
