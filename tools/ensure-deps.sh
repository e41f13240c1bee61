#!/usr/bin/env bash
# Installs what building and testing Lichen needs on a Debian machine, when it is missing.
# usage: tools/ensure-deps.sh [qemu] [dtc] [gcc] [e2fsprogs] [dpkg-dev] [dosfstools] [mtools] [mmdebstrap]
set -euo pipefail
need=()
for what in "$@"; do
  case "$what" in
    qemu) command -v qemu-system-aarch64 >/dev/null || need+=(qemu-system-arm) ;;
    dtc)  command -v dtc >/dev/null || need+=(device-tree-compiler) ;;
    gcc)  command -v aarch64-linux-gnu-gcc >/dev/null && [ -f /usr/aarch64-linux-gnu/lib/libc.a ] \
            || need+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross) ;;   # static test programs
    e2fsprogs) [ -x /usr/sbin/mke2fs ] || command -v mke2fs >/dev/null || need+=(e2fsprogs) ;;   # ext4 test images
    dosfstools) [ -x /usr/sbin/mkfs.fat ] || command -v mkfs.fat >/dev/null || need+=(dosfstools) ;;   # FAT test images
    mtools) command -v mcopy >/dev/null || need+=(mtools) ;;   # FAT images filled and read back
    mmdebstrap) command -v mmdebstrap >/dev/null || need+=(mmdebstrap) ;;   # Debian root images (tools/debian_root.py)
    dpkg-dev) command -v dpkg-source >/dev/null || need+=(dpkg-dev) ;;   # apt-get source (tools/fetch-debian-source.sh)
    *) echo "ensure-deps: unknown dependency '$what'" >&2; exit 2 ;;
  esac
done
[ ${#need[@]} -eq 0 ] && exit 0
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "ensure-deps: need root or sudo to install: ${need[*]}" >&2; exit 1; }
  sudo=sudo
fi
echo "ensure-deps: installing ${need[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
