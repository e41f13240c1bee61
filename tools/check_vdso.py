#!/usr/bin/env python3
"""Checks the vDSO shared object before it is embedded in the kernel (Makefile, build/vdso/vdso.so).

The kernel copies the file to the vDSO pages as is and never relocates it, so it must be: an AArch64
ET_DYN with one PT_LOAD at address 0 and file offset 0 whose memory image is the file (filesz ==
memsz), no relocations, nothing it needs from elsewhere, and one page of text at most (Vdso.swift maps
as many pages as the file has, but one keeps it cheap). It must export Linux's four arm64 vDSO symbols
at version LINUX_2.6.39, the version glibc looks them up with.

usage: tools/check_vdso.py vdso.so
"""
import struct, sys

SYMBOLS = ("__kernel_clock_gettime", "__kernel_gettimeofday", "__kernel_clock_getres", "__kernel_rt_sigreturn")
VERSION = "LINUX_2.6.39"

def fail(msg):
    sys.exit("check_vdso: %s: %s" % (sys.argv[1], msg))

def main():
    data = open(sys.argv[1], "rb").read()
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1: fail("not a little-endian ELF64 file")
    (e_type, e_machine, _, _, e_phoff, e_shoff, _, _, e_phentsize, e_phnum, e_shentsize, e_shnum,
     e_shstrndx) = struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
    if e_type != 3 or e_machine != 183: fail("not an AArch64 shared object")
    loads = []
    for i in range(e_phnum):
        p_type, _, p_offset, p_vaddr, _, p_filesz, p_memsz, _ = struct.unpack_from("<IIQQQQQQ", data, e_phoff + i * e_phentsize)
        if p_type == 1: loads.append((p_offset, p_vaddr, p_filesz, p_memsz))
    if len(loads) != 1: fail("%d PT_LOAD segments (one expected)" % len(loads))
    off, vaddr, filesz, memsz = loads[0]
    if off != 0 or vaddr != 0 or filesz != memsz: fail("the PT_LOAD is not the file image at address 0")
    if len(data) > 4096: print("check_vdso: warning: %d bytes, more than one page" % len(data))
    sections = [struct.unpack_from("<IIQQQQIIQQ", data, e_shoff + i * e_shentsize) for i in range(e_shnum)]
    shstr = sections[e_shstrndx]
    def name(table, offset):
        start = table[4] + offset
        return data[start:data.index(b"\0", start)].decode()
    by_name = {name(shstr, s[0]): s for s in sections}
    for n, s in by_name.items():
        if s[1] in (4, 9): fail("relocation section " + n)           # SHT_RELA, SHT_REL
        if n in (".got", ".got.plt", ".plt", ".data", ".bss") and s[5]: fail("unexpected section " + n)
    dynamic = by_name[".dynamic"]
    for i in range(dynamic[5] // 16):
        tag, _ = struct.unpack_from("<qQ", data, dynamic[4] + 16 * i)
        if tag in (1, 7, 17, 22, 23, 0x6ffffff9, 0x6ffffffa): fail("dynamic tag %#x (needs or relocations)" % tag)
    dynsym, dynstr = by_name[".dynsym"], by_name[".dynstr"]
    versym, verdef = by_name[".gnu.version"], by_name[".gnu.version_d"]
    versions, at = {}, verdef[4]
    while True:                                                   # Elf64_Verdef chain
        _, _, ndx, _, _, aux, nxt = struct.unpack_from("<HHHHIII", data, at)
        versions[ndx] = name(dynstr, struct.unpack_from("<I", data, at + aux)[0])
        if not nxt: break
        at += nxt
    found = {}
    for i in range(dynsym[5] // 24):
        st_name, st_info, _, st_shndx, st_value, _ = struct.unpack_from("<IBBHQQ", data, dynsym[4] + 24 * i)
        ver = struct.unpack_from("<H", data, versym[4] + 2 * i)[0] & 0x7fff
        if st_shndx: found[name(dynstr, st_name)] = (st_value, versions.get(ver))
    for s in SYMBOLS:
        if s not in found: fail("no symbol " + s)
        if found[s][1] != VERSION: fail("%s has version %s, not %s" % (s, found[s][1], VERSION))
    rt = found["__kernel_rt_sigreturn"][0]
    if data[rt:rt + 8] != struct.pack("<II", 0xd2801168, 0xd4000001): fail("__kernel_rt_sigreturn is not mov x8, #139; svc #0")

if __name__ == "__main__":
    main()
