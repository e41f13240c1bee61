#!/usr/bin/env python3
"""Fails (exit 1) when architecture-specific code appears outside the architecture folders, which are
kernel/arch/ and the arch modules (Sources/<Module>/ and Tests/<Module>Tests/ whose name names an
architecture: LichenAArch64, ...). Outside them:
  - no Swift `import` of an architecture module (LichenAArch64, AArch64Intrinsics, ...);
  - no inline assembly in C or headers (`__asm__`, `asm volatile`, `asm(`);
  - no system-register access: no AArch64 system register named in C (`cntvct_el0`, `S3_0_C12_C12_0`),
    no call from Swift of an arch intrinsic (the asm-backed functions of kernel/arch/*/include/*.h, and
    their read_/write_ system register accessors; the neutral `arch_*` functions are the contract);
  - no architecture builtin in C (`__builtin_arm_*`, ...);
  - no instruction in an assembly file (directives such as .incbin are fine).
usage: tools/check-arch-boundary.py [ROOT]     check the tree at ROOT (default: this checkout)
       tools/check-arch-boundary.py --selftest  plant each violation in a copy and show it is caught"""
import os, re, shutil, sys, tempfile

HERE = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
SCANNED = ("kernel", "Sources", "Tests", "fuzz")
ARCH_NAME = re.compile(r"(?i)aarch64|arm64|riscv|x86")
IMPORT = re.compile(r"^\s*(?:@\w+(?:\([^)]*\))?\s+)*import\s+(?:(?:struct|class|enum|func|var|let|protocol|typealias)\s+)?(\w+)")
INLINE_ASM = re.compile(r"\b(?:__asm__|__asm|asm)\b\s*(?:volatile|__volatile__|goto|inline)?\s*(?:\(|\{)")
ARCH_BUILTIN = re.compile(r"\b__builtin_(?:arm|aarch64|riscv|ia32|x86)_\w+")
SYSREG = re.compile(r"(?i)\b\w+_el[0-3]\b|\bS[0-3]_[0-7]_C\d+_C\d+_[0-7]\b|\b(?:mrs|msr)\b")
C_SOURCE = (".c", ".h", ".cc", ".cpp")
ASSEMBLY = (".S", ".s")

def is_arch_path(rel):
    parts = rel.split(os.sep)
    if parts[:2] == ["kernel", "arch"]:
        return True
    return parts[0] in ("Sources", "Tests") and len(parts) > 1 and ARCH_NAME.search(parts[1]) is not None

def strip_c(text):
    """Comments out, string literals kept (inline assembly lives in them), line numbers kept."""
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)

def strip_swift(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r'"""(.*?)"""', lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    text = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', text)
    return re.sub(r"//[^\n]*", "", text)

def intrinsics(root):
    """Names of the architecture intrinsics Swift could call: asm-backed functions and system register
    accessors declared in kernel/arch/*/include/*.h (the neutral arch_* contract excluded)."""
    names = set()
    arch = os.path.join(root, "kernel", "arch")
    for dirpath, _, files in os.walk(arch):
        if os.path.basename(dirpath) != "include":
            continue
        for f in files:
            if not f.endswith(".h"):
                continue
            text = open(os.path.join(dirpath, f), errors="replace").read()
            for m in re.finditer(r"^SYSREG_(READ|WRITE|RW)\((\w+),", text, re.M):
                if m.group(1) in ("READ", "RW"):
                    names.add("read_" + m.group(2))
                if m.group(1) in ("WRITE", "RW"):
                    names.add("write_" + m.group(2))
            # Each function runs up to the next `static inline`: an asm-backed one has asm in its chunk.
            chunks = re.split(r"(?=\bstatic\s+inline\b)", text)
            for chunk in chunks:
                m = re.match(r"static\s+inline\s+[\w\s\*]+?\b(\w+)\s*\(", chunk)
                if m and "__asm__" in chunk:
                    names.add(m.group(1))
    return {n for n in names if not n.startswith("arch_")}

def check(root):
    problems = []
    called = intrinsics(root)
    call = re.compile(r"\b(" + "|".join(sorted(map(re.escape, called))) + r")\s*\(") if called else None
    for top in SCANNED:
        for dirpath, dirs, files in os.walk(os.path.join(root, top)):
            dirs.sort()
            for f in sorted(files):
                path = os.path.join(dirpath, f)
                rel = os.path.relpath(path, root)
                if is_arch_path(rel):
                    continue
                ext = os.path.splitext(f)[1]
                if ext not in (".swift",) + C_SOURCE + ASSEMBLY:
                    continue
                text = open(path, errors="replace").read()
                if ext == ".swift":
                    for i, line in enumerate(strip_swift(text).split("\n"), 1):
                        m = IMPORT.match(line)
                        if m and ARCH_NAME.search(m.group(1)):
                            problems.append("%s:%d: imports the architecture module %s" % (rel, i, m.group(1)))
                        c = call.search(line) if call else None
                        if c:
                            problems.append("%s:%d: calls the architecture intrinsic %s" % (rel, i, c.group(1)))
                elif ext in C_SOURCE:
                    for i, line in enumerate(strip_c(text).split("\n"), 1):
                        if INLINE_ASM.search(line):
                            problems.append("%s:%d: inline assembly: %s" % (rel, i, line.strip()))
                        elif SYSREG.search(line):
                            problems.append("%s:%d: system register access: %s" % (rel, i, line.strip()))
                        elif ARCH_BUILTIN.search(line):
                            problems.append("%s:%d: architecture builtin: %s" % (rel, i, line.strip()))
                else:
                    for i, line in enumerate(strip_c(text).split("\n"), 1):
                        code = line.split("@", 1)[0].strip() if ext == ".s" else line.strip()
                        code = re.sub(r"^\w+:\s*", "", code)            # a label
                        if code and not code.startswith((".", "#")):
                            problems.append("%s:%d: instruction in assembly: %s" % (rel, i, code))
    return problems

PLANTS = [
    ("kernel/process/Vdso.swift", "import LichenAArch64\n"),
    ("kernel/fs/Planted.swift", "import AArch64Intrinsics\n"),
    ("kernel/core/KernelMain.swift", "func planted() -> UInt64 { read_cntvct() }\n"),
    ("kernel/concurrency/executor.c", "static void planted(void) { __asm__ volatile(\"isb\" ::: \"memory\"); }\n"),
    ("kernel/concurrency/include/task.h", "static inline void planted(void) { asm volatile(\"wfi\"); }\n"),
    ("kernel/rt/libc.c", "unsigned long planted(void) { return __builtin_arm_rsr64(\"cntvct_el0\"); }\n"),
    ("kernel/vdso/image.S", "    svc #0\n"),
]

def selftest():
    ok = True
    for file, text in PLANTS:
        with tempfile.TemporaryDirectory() as tmp:
            for d in SCANNED:
                if os.path.isdir(os.path.join(HERE, d)):
                    shutil.copytree(os.path.join(HERE, d), os.path.join(tmp, d))
            path = os.path.join(tmp, file)
            with open(path, "a") as out:
                out.write(text)
            problems = check(tmp)
            caught = [p for p in problems if p.startswith(file + ":")]
            print("selftest: planted %-40s %-60s -> %s" % (file, text.strip()[:60],
                  "caught: " + caught[0].split(": ", 1)[1] if caught else "NOT CAUGHT"))
            ok &= bool(caught)
    return ok

def main():
    if "--selftest" in sys.argv:
        clean = check(HERE)
        if clean:
            print("selftest: the tree itself fails the check:\n" + "\n".join(clean))
            sys.exit(1)
        sys.exit(0 if selftest() else 1)
    root = sys.argv[1] if len(sys.argv) > 1 else HERE
    problems = check(root)
    for p in problems:
        print(p)
    if problems:
        print("check-arch-boundary: %d problem(s): architecture code belongs in kernel/arch/<arch> (docs/porting.md)"
              % len(problems))
        sys.exit(1)
    print("check-arch-boundary: no architecture imports, inline assembly or system registers outside kernel/arch "
          "and the arch modules")

if __name__ == "__main__":
    main()
