#!/usr/bin/env python3
"""Builds the kernel's embedded symbol table (see Sources/LichenCore/Debug/SymbolTable.swift).

usage: mksyms.py <kernel.elf> <out.S>
Reads text symbols with llvm-nm, demangles Swift names with swift-demangle, writes an assembly file
that puts the blob in the .ksyms section.
"""
import os, struct, subprocess, sys

def main():
    elf, out = sys.argv[1], sys.argv[2]
    bindir = os.path.dirname(subprocess.check_output(["bash", "-c", "command -v swiftc"], text=True).strip())
    nm = subprocess.check_output([os.path.join(bindir, "llvm-nm"), "-n", "--defined-only", elf], text=True)
    syms = []
    for line in nm.splitlines():
        parts = line.split()
        if len(parts) != 3 or parts[1] not in "tT" or parts[2] in ("$x", "$d") or parts[2].startswith(("$x.", "$d.")):
            continue
        syms.append((int(parts[0], 16), parts[2]))
    mangled = [name for _, name in syms]
    demangled = subprocess.run([os.path.join(bindir, "swift-demangle"), "--simplified", "--compact"],
                               input="\n".join(mangled) + "\n", capture_output=True, text=True).stdout.splitlines()
    if len(demangled) != len(mangled):
        demangled = mangled
    entries, names = b"", b""
    seen = set()
    for (addr, _), name in zip(syms, demangled):
        if addr in seen:
            continue
        seen.add(addr)
        data = name.encode()[:160]
        entries += struct.pack("<QII", addr, len(names), len(data))
        names += data
    blob = struct.pack("<II", 0x4D59534B, len(seen)) + entries + names
    with open(out, "w") as f:
        f.write('.section .ksyms, "a"\n.balign 8\n')
        for i in range(0, len(blob), 32):
            f.write(".byte " + ",".join(str(b) for b in blob[i:i + 32]) + "\n")

if __name__ == "__main__":
    main()
