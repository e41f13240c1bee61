#!/usr/bin/env bash
# Host-side fuzzing of LichenCore's parsers with libFuzzer.
#   fuzz/run.sh SECONDS [TARGET...]   (default: every target)
# Builds build/fuzz/lichen-fuzz once, seeds each corpus (build/fuzz/corpus/<target>) with real inputs,
# replays the committed regression inputs (fuzz/regressions/<target>/*), then fuzzes each target for
# SECONDS. A crash is saved to fuzz/regressions/<target>/ (commit it with the fix) and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}; shift || true
targets=("$@"); [ ${#targets[@]} -gt 0 ] || targets=(fdt elf cpio gzip symbols cmdline script virtqueue partitions ext4 ext4write jbd2 fat pci netlink)
out=build/fuzz
mkdir -p "$out/module"
bin="$out/lichen-fuzz"
sources=$(find Sources/LichenCore -name '*.swift' | sort)
if [ ! -x "$bin" ] || [ -n "$(find Sources/LichenCore fuzz -newer "$bin" -name '*.swift' | head -1)" ]; then
  echo "fuzz: building $bin"
  swiftc -sanitize=fuzzer,address -parse-as-library -O -module-name LichenCoreFuzzed -emit-module \
    -emit-module-path "$out/module/LichenCoreFuzzed.swiftmodule" -emit-library -static $sources \
    -o "$out/libLichenCoreFuzzed.a" 2>&1 | grep -v "warning: Cannot export" || true
  swiftc -sanitize=fuzzer,address -parse-as-library -O -I "$out/module" fuzz/FuzzTargets.swift \
    "$out/libLichenCoreFuzzed.a" -o "$bin" 2>&1 | grep -v "warning: Cannot export" || true
fi
seed() {   # target -> corpus directory with a few real inputs
  local dir="$out/corpus/$1"; mkdir -p "$dir"
  case $1 in
    fdt) [ -f "$dir/virt.dtb" ] || qemu-system-aarch64 -M virt,dumpdtb="$dir/virt.dtb" -cpu cortex-a72 -m 256M -display none 2>/dev/null || true ;;
    elf) [ -f build/debian/busybox/bin/busybox ] && head -c 65536 build/debian/busybox/bin/busybox > "$dir/busybox-head" || true
         # a dynamic program (PT_INTERP) and glibc's loader, when built / installed
         [ -f build/conformance/dynamic ] && head -c 65536 build/conformance/dynamic > "$dir/dynamic" || true
         [ -f /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] && head -c 65536 /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 > "$dir/ld-linux" || true ;;
    cpio) [ -f build/hello.cpio.gz ] && gzip -dc build/hello.cpio.gz | tail -c 4096 > "$dir/hello-tail.cpio" || true
          printf '070701%0104d' 0 > "$dir/header" ;;
    gzip) printf 'Welcome to Lichen\n%.0s' 1 2 3 4 5 6 7 8 | gzip -9n > "$dir/text.gz"
          # raw DEFLATE streams (the target also inflates its input as one): dynamic, fixed, stored
          [ -f build/debian/busybox/bin/busybox ] && python3 - "$dir" <<'PY' || true
import sys, zlib
data = open("build/debian/busybox/bin/busybox", "rb").read()[:40000]
def raw(level, strategy=zlib.Z_DEFAULT_STRATEGY, d=data):
    c = zlib.compressobj(level, zlib.DEFLATED, -15, 9, strategy)
    return c.compress(d) + c.flush()
open(sys.argv[1] + "/busybox.deflate", "wb").write(raw(6))
open(sys.argv[1] + "/busybox-fixed.deflate", "wb").write(raw(6, zlib.Z_FIXED, data[:8000]))
open(sys.argv[1] + "/busybox-stored.deflate", "wb").write(raw(0, d=data[:3000]))
PY
          ;;
    cmdline) printf 'console=ttyAMA0 init="/bin/sh -x" loglevel=8 -- a b' > "$dir/line" ;;
    script) printf '#!/bin/sh -e\necho\n' > "$dir/sh" ;;
    pci) python3 - "$dir" <<'PY' || true
import struct, sys
# qemu's virtio-blk-pci capabilities (MSI-X, common, ISR, device, notify, pci-cfg), then virt's ranges and interrupt-map.
space = bytearray(256); space[6] = 0x10; space[0x34] = 0x98
def cap(at, nxt, body): space[at:at + len(body)] = body; space[at + 1] = nxt
cap(0x98, 0x88, bytes([0x11, 0, 2, 0x80]) + bytes(8))
for at, nxt, t, off, extra in ((0x88, 0x78, 1, 0, b""), (0x78, 0x68, 3, 0x1000, b""), (0x68, 0x54, 4, 0x2000, b""), (0x54, 0x40, 2, 0x3000, struct.pack("<I", 4)), (0x40, 0, 5, 0, struct.pack("<I", 0))):
    cap(at, nxt, bytes([9, 0, 16 + len(extra), t, 4 if t != 5 else 0, 0, 0, 0]) + struct.pack("<II", off, 0x1000) + extra)
ranges = struct.pack(">7I7I7I", 0x1000000, 0, 0, 0, 0x3eff0000, 0, 0x10000, 0x2000000, 0, 0x10000000, 0, 0x10000000, 0, 0x2eff0000, 0x3000000, 0x80, 0, 0x80, 0, 0x80, 0)
imap = b"".join(struct.pack(">10I", s << 11, 0, 0, p, 2, 0, 0, 0, 3 + (s + p - 1) % 4, 4) for s in range(4) for p in range(1, 5))
open(sys.argv[1] + "/virtio-blk", "wb").write(bytes(space) + bytes([len(ranges) // 4]) + ranges + imap)
PY
      ;;
    netlink) printf '\x14\x00\x00\x00\x12\x00\x01\x03\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00' > "$dir/getlink-dump"
             printf '\x11\x00\x00\x00\x10\x00\x05\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00' > "$dir/newlink-ack" ;;
    virtqueue) printf '\x03\x01\x00\x04\x03\x00\x00\x00\x02\x01\x00\x03' > "$dir/one-chain" ;;
    partitions) python3 - "$dir" <<'PY' || true
import sys; sys.path.insert(0, "tests/virtio"); import disks
open(sys.argv[1] + "/gpt", "wb").write(disks.gpt_disk(sectors=128, parts=((34, 60), (61, 90))))
open(sys.argv[1] + "/mbr", "wb").write(disks.mbr_disk(scale=32))
PY
    ;;
    ext4) if [ ! -f "$dir/ext4" ]; then       # 64 KiB images (the -max_len) from mke2fs -d: files, a directory, symlinks
            t="$out/ext4-tree"; rm -rf "$t"; mkdir -p "$t/d"; echo hi > "$t/a"; head -c 5000 /dev/zero | tr '\0' 'z' > "$t/d/b"
            ln -s a "$t/l"; ln -s "$(printf 'y%.0s' $(seq 80))" "$t/d/slow"; for i in 1 2 3 4 5 6 7 8; do touch "$t/d/f$i"; done
            for k in ext4 ext2; do
              rm -f "$dir/$k"; truncate -s 64K "$dir/$k"
              mke2fs -q -F -t $k -O ^resize_inode$([ $k = ext4 ] && echo ,^has_journal) -N 32 -I 128 -b 1024 -d "$t" "$dir/$k" >/dev/null 2>&1 || rm -f "$dir/$k"
            done
            # extended attributes: in the (256-byte) inode and in an external block
            x="$dir/ext4-xattr"; rm -f "$x"; truncate -s 64K "$x"
            if mke2fs -q -F -t ext4 -O ^resize_inode,^has_journal -N 32 -I 256 -b 1024 -d "$t" "$x" >/dev/null 2>&1; then
              head -c 600 /dev/zero | tr '\0' 'v' > "$out/xattr-value"
              for c in "ea_set /a user.small s" "ea_set /a security.capability 0" "ea_set -f $out/xattr-value /d/b user.big" \
                       "ea_set /d/b trusted.t t"; do debugfs -w -R "$c" "$x" >/dev/null 2>&1; done
            else rm -f "$x"; fi
          fi
          if [ ! -f "$dir/ext4-htree" ]; then   # an htree directory (120 hard links, indexed by e2fsck -D)
            t="$out/ext4-htree-tree"; rm -rf "$t"; mkdir -p "$t/h"; echo x > "$t/h/target"
            for i in $(seq 120); do ln "$t/h/target" "$t/h/name-$i"; done
            x="$dir/ext4-htree"; rm -f "$x"; truncate -s 64K "$x"
            if mke2fs -q -F -t ext4 -O ^resize_inode,^has_journal -N 32 -I 128 -b 1024 -d "$t" "$x" >/dev/null 2>&1; then
              e2fsck -fyD "$x" >/dev/null 2>&1 || true
            else rm -f "$x"; fi
          fi ;;
    ext4write) seed ext4 >/dev/null; cp -n "$out/corpus/ext4/"* "$dir/" 2>/dev/null || true ;;   # the same images, changed
    jbd2) if [ ! -f "$dir/csum3-1k" ]; then    # the first 64 KiB of journals written by debugfs (tests/jbd2)
            python3 tests/jbd2/make_journals.py "$out/jbd2-images" >/dev/null
            for k in csum3-1k ext3-1k many-1k; do
              debugfs -R "cat <8>" "$out/jbd2-images/$k.img" 2>/dev/null | head -c 65536 > "$dir/$k"
            done
          fi ;;
    fat) if [ ! -f "$dir/fat12" ]; then     # mkfs.fat volumes with files from mtools, cut to the 64 KiB -max_len
           t="$out/fat-images"; python3 tests/fat/make_images.py "$t" >/dev/null 2>&1 || true
           for k in 12 16 32; do [ -f "$t/fat$k.img" ] && head -c 65536 "$t/fat$k.img" > "$dir/fat$k"; done
           rm -f "$dir/small12"; mkfs.fat -C "$dir/small12" 64 >/dev/null 2>&1 && MTOOLS_SKIP_CHECK=1 mcopy -i "$dir/small12" fuzz/run.sh "::/A long name.sh" || true
         fi ;;
    symbols) [ -f build/ksyms.S ] && python3 - "$dir/ksyms" <<'PY' || true
import re, sys
data = bytes(int(b) for line in open("build/ksyms.S") if line.startswith(".byte") for b in line[6:].split(","))
open(sys.argv[1], "wb").write(data[:65536])
PY
    ;;
  esac
  echo "$dir"
}
status=0
for t in "${targets[@]}"; do
  corpus=$(seed "$t")
  regressions="fuzz/regressions/$t"; mkdir -p "$regressions"
  if ls "$regressions"/* >/dev/null 2>&1; then
    LICHEN_FUZZ_TARGET=$t "$bin" "$regressions"/* >/dev/null 2>&1 || { echo "fuzz $t: a regression input crashes again"; status=1; }
  fi
  if LICHEN_FUZZ_TARGET=$t "$bin" -max_total_time="$seconds" -max_len=65536 -artifact_prefix="$regressions/" \
       -print_final_stats=1 "$corpus" > "$out/$t.log" 2>&1; then
    echo "fuzz $t: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$out/$t.log" | awk '{print $2}') runs in ${seconds}s, no crash"
  else
    echo "fuzz $t: CRASH (input saved in $regressions/; log in $out/$t.log)"; tail -20 "$out/$t.log"; status=1
  fi
done
exit $status
