#!/usr/bin/env python3
"""Fails (exit 1) when the syscall layer is keyed by number instead of by name:
  - a numeric `case` label under kernel/syscalls (syscall numbers, ioctl requests, command codes:
    each gets a name), or a `switch number` / number-keyed table there;
  - two entries of kernel/syscalls/SyscallTable.swift claiming the same syscall, or an entry naming
    a syscall the ABI (Sources/LichenCore/Linux/GenericSyscall.swift) does not have.
usage: tools/check-syscall-table.py [ROOT]     check the tree at ROOT (default: this checkout)
       tools/check-syscall-table.py --selftest  plant each violation in a copy and show it is caught"""
import os, re, shutil, subprocess, sys, tempfile

HERE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
NUMERIC_CASE = re.compile(r"^\s*case\s+[-(]?\s*(0x[0-9A-Fa-f_]+|[0-9][0-9_]*)\b")
NUMBER_KEYED = re.compile(r"switch\s+number\b|[\[,]\s*(0x[0-9A-Fa-f_]+|[0-9]+)\s*:\s*\S")
ADD = re.compile(r"^\s*t\.add\(\.(`?\w+`?)\s*,")

def check(root):
    problems = []
    sysdir = os.path.join(root, "kernel", "syscalls")
    for name in sorted(os.listdir(sysdir)):
        if not name.endswith(".swift"):
            continue
        path = os.path.join(sysdir, name)
        for i, line in enumerate(open(path), 1):
            code = line.split("//", 1)[0]
            if NUMERIC_CASE.search(code):
                problems.append("%s:%d: numeric case label (name the value): %s" % (path, i, line.strip()))
            elif NUMBER_KEYED.search(code):
                problems.append("%s:%d: dispatch or table keyed by number: %s" % (path, i, line.strip()))
    abi = open(os.path.join(root, "Sources", "LichenCore", "Linux", "GenericSyscall.swift")).read()
    known = set(n.strip("`") for n in re.findall(r"^\s*case (`?\w+`?) = \d+", abi, re.M))
    table = os.path.join(sysdir, "SyscallTable.swift")
    seen = {}
    for i, line in enumerate(open(table), 1):
        m = ADD.match(line)
        if not m:
            continue
        name = m.group(1).strip("`")
        if name not in known:
            problems.append("%s:%d: %s is not a syscall of the ABI" % (table, i, name))
        if name in seen:
            problems.append("%s:%d: %s is claimed twice (also line %d)" % (table, i, name, seen[name]))
        seen.setdefault(name, i)
    if not seen:
        problems.append("%s: no entries found" % table)
    return problems, len(seen)

def selftest():
    """Each planted violation must be reported; the untouched tree must pass."""
    plants = [
        ("FileSyscalls.swift", None, "        switch x {\n        case 56: break\n        default: break\n        }\n"),
        ("FileSyscalls.swift", None, "        switch request {\n        case 0x5401: break\n        default: break\n        }\n"),
        ("Syscalls.swift", None, "    static let byNumber = [63: \"read\"]\n"),
        ("SyscallTable.swift", "t.add(", None),
    ]
    ok = True
    for file, dup, text in plants:
        with tempfile.TemporaryDirectory() as tmp:
            for d in ("kernel/syscalls", "Sources/LichenCore/Linux"):
                shutil.copytree(os.path.join(HERE, d), os.path.join(tmp, d))
            path = os.path.join(tmp, "kernel", "syscalls", file)
            lines = open(path).read().splitlines(keepends=True)
            if dup:                                   # repeat the first entry: two handlers claim it
                first = next(i for i, l in enumerate(lines) if ADD.match(l))
                lines.insert(first + 1, lines[first])
            else:
                lines.append("// planted\nfunc planted() {\n" + text + "}\n")
            open(path, "w").writelines(lines)
            problems, _ = check(tmp)
            caught = len(problems) > 0
            print("selftest: planted %-40s -> %s" % (file + (" duplicate entry" if dup else ": " + text.strip().split("\n")[min(1, text.count("\n") - 1)].strip()),
                                                     "caught: " + problems[0].split(": ", 1)[1] if caught else "NOT CAUGHT"))
            ok &= caught
    return ok

def main():
    if "--selftest" in sys.argv:
        clean, _ = check(HERE)
        if clean:
            print("selftest: the tree itself fails the check:\n" + "\n".join(clean))
            sys.exit(1)
        sys.exit(0 if selftest() else 1)
    root = sys.argv[1] if len(sys.argv) > 1 else HERE
    problems, count = check(root)
    for p in problems:
        print(p)
    if problems:
        print("check-syscall-table: %d problem(s)" % len(problems))
        sys.exit(1)
    print("check-syscall-table: %d syscalls named in one table, no numeric cases under kernel/syscalls" % count)

if __name__ == "__main__":
    main()
