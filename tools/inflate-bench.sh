#!/usr/bin/env bash
# Host micro-benchmark of gzip/inflate/CRC-32 on a real initramfs (default: the one tools/lichen_diff.py
# builds for the differential tests). Compiles LichenCore with -Osize, as the kernel does (OPT=-O to
# compare).   tools/inflate-bench.sh [FILE.gz] [crc32|inflate|gzip|initramfs]
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/inflate-bench
mkdir -p "$out/module"
opt=${OPT:--Osize}
sources=$(find Sources/LichenCore -name '*.swift' | sort)
swiftc -parse-as-library $opt -wmo -module-name LichenCoreBench -emit-module -emit-module-path "$out/module/LichenCoreBench.swiftmodule" \
  -emit-library -static $sources -o "$out/libLichenCoreBench.a" 2>&1 | grep -v "warning: Cannot export" || true
swiftc $opt -I "$out/module" tools/inflate-bench/main.swift "$out/libLichenCoreBench.a" -o "$out/inflate-bench"
"$out/inflate-bench" "$@"
