"""Picks the files of Debian's arm64 userland (build/debian/userland and build/debian/userland-extra,
from tools/fetch-debian-arm64.sh userland userland-extra) that some programs need, as initramfs spec lines: the programs, the glibc loader, every
library in their DT_NEEDED closure (read from the ELF files here, so no cross readelf is needed) and
the listed Python modules. Paths in the guest are the packages' own paths."""
import os, struct

LIB_DIRS = ("lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu")
PYLIB = "usr/lib/python3.11"

def dynamic_needed(path):
    """DT_NEEDED names of a 64-bit little-endian ELF file (the dynamic section, found through PT_DYNAMIC;
    its DT_STRTAB address is turned into a file offset with the PT_LOAD that holds it)."""
    data = open(path, "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2:
        raise SystemExit("userland: %s is not a 64-bit ELF file" % path)
    phoff, = struct.unpack_from("<Q", data, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", data, 0x36)
    loads, dynamic = [], None
    for i in range(phnum):
        ptype, _, offset, vaddr, _, filesz, _, _ = struct.unpack_from("<IIQQQQQQ", data, phoff + i * phentsize)
        if ptype == 1:
            loads.append((vaddr, offset, filesz))
        elif ptype == 2:
            dynamic = (offset, filesz)
    if dynamic is None:
        return []
    entries = [struct.unpack_from("<qQ", data, dynamic[0] + i) for i in range(0, dynamic[1], 16)]
    strtab = next(v for t, v in entries if t == 5)
    base = next(off + strtab - va for va, off, size in loads if va <= strtab < va + size)
    names = []
    for tag, value in entries:
        if tag == 1:
            end = data.index(b"\0", base + value)
            names.append(data[base + value:end].decode())
    return names

def locate(roots, guest):
    """The first of roots (unpacked package trees) that holds the guest path, or None."""
    return next((r for r in roots if os.path.lexists(os.path.join(r, guest))), None)

def find_library(roots, name):
    for d in LIB_DIRS:
        if locate(roots, d + "/" + name):
            return d + "/" + name
    raise SystemExit("userland: library %s not found under %s (add its package to "
                     "tools/fetch-debian-arm64.sh userland-extra)" % (name, " or ".join(roots)))

def spec_lines(roots, programs, python_modules=(), links=(), data=()):
    """roots: one package tree or a list of them, searched in order; programs: guest paths of ELF
    programs (or shared objects); python_modules: names relative to PYLIB (a .py file or a package
    directory, whose .py files are taken); links: (guest link, target) pairs; data: guest paths of
    plain files (terminfo entries...)."""
    roots = [roots] if isinstance(roots, str) else list(roots)
    files, todo = {}, list(programs)
    while todo:
        guest = todo.pop().lstrip("/")
        if guest in files:
            continue
        root = locate(roots, guest)
        host = os.path.realpath(os.path.join(root or roots[0], guest))  # sonames are symlinks: store the file
        if not os.path.isfile(host):
            raise SystemExit("userland: %s is missing from %s" % (guest, " and ".join(roots)))
        files[guest] = host
        todo += [find_library(roots, n) for n in dynamic_needed(host)]
    for guest in data:
        root = locate(roots, guest.lstrip("/"))
        if root is None:
            raise SystemExit("userland: %s is missing from %s" % (guest, " and ".join(roots)))
        files[guest.lstrip("/")] = os.path.realpath(os.path.join(root, guest.lstrip("/")))
    links = [("lib/ld-linux-aarch64.so.1", "aarch64-linux-gnu/ld-linux-aarch64.so.1")] + list(links)
    for module in python_modules:
        root = locate(roots, PYLIB + "/" + module) or locate(roots, PYLIB + "/" + module + ".py") or roots[0]
        path = os.path.join(root, PYLIB, module)
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                if name.endswith(".py"):
                    files["%s/%s/%s" % (PYLIB, module, name)] = os.path.realpath(os.path.join(path, name))
        elif os.path.isfile(path + ".py"):
            files["%s/%s.py" % (PYLIB, module)] = os.path.realpath(path + ".py")
        else:
            raise SystemExit("userland: Python module %s is missing from %s" % (module, " and ".join(roots)))
    data_guests = {g.lstrip("/") for g in data}
    dirs = set()
    for guest in list(files) + [link for link, _ in links]:
        parent = os.path.dirname(guest)
        while parent:
            dirs.add(parent)
            parent = os.path.dirname(parent)
    lines = ["dir /%s 755" % d for d in sorted(dirs)]
    lines += ["file /%s %s %s" % (g, h, "644" if g.endswith(".py") or g in data_guests else "755")
              for g, h in sorted(files.items())]
    lines += ["slink /%s %s" % (link.lstrip("/"), target) for link, target in links]
    return lines
