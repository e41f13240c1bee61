"""Disk images for tests/boot/test_virtio.py, written by Python (no sfdisk needed): every 512-byte
sector holds a known pattern (16-byte lines "<tag><sector, 14 digits>\\n"), then a partition table.
  gpt_disk: 8 MiB, GPT with two partitions (sectors 2048-10239, 10240-14335), CRCs as the spec says.
  mbr_disk: 4 MiB, MBR with a primary (2048-4095) and an extended partition (4096-8191) holding
            two logical ones (4098-5097, 6000-6999)."""
import struct, zlib

SECTOR = 512

def pattern(tag, sector):
    return (b"%s%014d\n" % (tag, sector))[-16:] * 32

def blank(tag, sectors):
    return bytearray(b"".join(pattern(tag, s) for s in range(sectors)))

def mbr_entry(type_, start, count, boot=0):
    return struct.pack("<B3sB3sII", boot, b"\0\0\0", type_, b"\0\0\0", start, count)

def put_mbr(disk, sector, entries):
    at = sector * SECTOR
    disk[at + 446:at + 510] = b"".join(entries + [bytes(16)] * (4 - len(entries)))
    disk[at + 510:at + 512] = b"\x55\xaa"

def gpt_disk(tag=b"A", sectors=8 * 2048, parts=((2048, 10239), (10240, 14335)), uniques=None):
    """uniques: the partitions' unique GUIDs (16 bytes each, as stored), else 11.., 22.., ..."""
    disk = blank(tag, sectors)
    disk[0:SECTOR] = bytes(SECTOR)
    put_mbr(disk, 0, [mbr_entry(0xee, 1, sectors - 1)])
    linux_fs = bytes.fromhex("af3dc60f838472478e793d69d8477de4")
    entries = bytearray(128 * 128)
    for i, (first, last) in enumerate(parts):
        unique = uniques[i] if uniques else bytes([0x11 * (i + 1)] * 16)
        name = ("part%d" % (i + 1)).encode("utf-16-le").ljust(72, b"\0")
        entries[128 * i:128 * (i + 1)] = linux_fs + unique + struct.pack("<QQQ", first, last, 0) + name
    entries_crc = zlib.crc32(entries)
    def header(lba, alternate, entries_lba):
        h = struct.pack("<8sIIIIQQQQ16sQIII", b"EFI PART", 0x10000, 92, 0, 0, lba, alternate, 34, sectors - 34,
                        bytes(range(16)), entries_lba, 128, 128, entries_crc)
        h = h[:16] + struct.pack("<I", zlib.crc32(h)) + h[20:]
        return h.ljust(SECTOR, b"\0")
    disk[SECTOR:2 * SECTOR] = header(1, sectors - 1, 2)
    disk[2 * SECTOR:34 * SECTOR] = entries
    disk[(sectors - 33) * SECTOR:(sectors - 1) * SECTOR] = entries
    disk[(sectors - 1) * SECTOR:] = header(sectors - 1, 1, sectors - 33)
    return disk

def mbr_disk(tag=b"B", scale=1):
    """scale divides every position (scale 32: a 128 KiB disk for the fuzzer's seeds)."""
    sectors = 4 * 2048 // scale
    disk = blank(tag, sectors)
    for s in (0, 4096 // scale, 5998 // scale):
        disk[s * SECTOR:(s + 1) * SECTOR] = bytes(SECTOR)
    put_mbr(disk, 0, [mbr_entry(0x83, 2048 // scale, 2048 // scale), mbr_entry(0x05, 4096 // scale, 4096 // scale)])
    put_mbr(disk, 4096 // scale, [mbr_entry(0x83, 2, 1000 // scale), mbr_entry(0x05, 1902 // scale, 1002 // scale)])
    put_mbr(disk, 5998 // scale, [mbr_entry(0x83, 2, 1000 // scale)])
    return disk
