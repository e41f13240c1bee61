#!/usr/bin/env bash
# Fetches Debian arm64 packages into build/debian (never committed) and unpacks them:
#   busybox  -> build/debian/busybox/bin/busybox        (busybox-static:arm64)
#   linux    -> build/debian/linux/vmlinuz               (linux-image-arm64: the reference kernel)
#   userland -> build/debian/userland/                   (glibc, python3.11, make, procps, coreutils and
#               the libraries they need, all unpacked into one tree: tests/boot/test_debian.py)
#   userland-extra -> build/debian/userland-extra/     (python3.11's full standard library, tmux,
#               script, socat and their libraries: a second tree, so that the first one is never rebuilt
#               under the feet of a running test; tests/debian/userland.py takes files from both)
# Adds the arm64 architecture to dpkg and runs apt-get update when needed (as root or with sudo).
# usage: tools/fetch-debian-arm64.sh busybox|linux|userland ...
set -euo pipefail
cd "$(dirname "$0")/.."
out=build/debian
mkdir -p "$out"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo

ensure_arm64() {
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
    $sudo apt-get update -qq
  fi
  if ! apt-cache show busybox-static:arm64 >/dev/null 2>&1; then
    $sudo apt-get update -qq
  fi
}

download() {   # package -> path of the .deb
  local pkg=$1
  (cd "$out" && apt-get download -qq "$pkg" >/dev/null)
  ls -t "$out"/"${pkg%%:*}"_*.deb | head -n 1       # _arm64.deb, or _all.deb (ncurses-base)
}

for what in "$@"; do
  case "$what" in
    busybox)
      [ -x "$out/busybox/bin/busybox" ] && continue
      ensure_arm64
      deb=$(download busybox-static:arm64)
      rm -rf "$out/busybox"; dpkg-deb -x "$deb" "$out/busybox"
      echo "fetched $(basename "$deb")" ;;
    linux)
      [ -f "$out/linux/vmlinuz" ] && continue
      ensure_arm64
      image=$(apt-cache depends linux-image-arm64:arm64 | awk '/Depends: linux-image-/ {print $2; exit}')
      deb=$(download "$image")
      rm -rf "$out/linux-pkg"; dpkg-deb -x "$deb" "$out/linux-pkg"
      mkdir -p "$out/linux"
      cp "$(ls "$out"/linux-pkg/boot/vmlinuz-* | head -n 1)" "$out/linux/vmlinuz"
      ls "$out"/linux-pkg/boot/ | sed -n 's/^vmlinuz-//p' > "$out/linux/version"
      rm -rf "$out/linux-pkg"
      echo "fetched Linux $(cat "$out/linux/version")" ;;
    userland)
      [ -f "$out/userland/.complete" ] && continue
      ensure_arm64
      rm -rf "$out/userland"
      # vmstat -> libproc2 -> libsystemd -> libcap, libgcrypt (libgpg-error), liblzma, libzstd, liblz4.
      for pkg in libc6 python3.11-minimal libpython3.11-minimal zlib1g libexpat1 make coreutils \
                 procps libproc2-0 libsystemd0 libcap2 libgcrypt20 libgpg-error0 liblzma5 libzstd1 liblz4-1; do
        deb=$(download "$pkg:arm64")
        dpkg-deb -x "$deb" "$out/userland"
      done
      touch "$out/userland/.complete"
      echo "fetched Debian userland into $out/userland" ;;
    userland-extra)
      [ -f "$out/userland-extra/.complete" ] && continue
      ensure_arm64
      rm -rf "$out/userland-extra"
      # asyncio, multiprocessing: libpython3.11-stdlib; tmux -> libevent, libtinfo, libutempter and the
      # terminfo entries of ncurses-base (an arch: all package); script: bsdutils; socat -> libssl, libwrap;
      # ctypes (multiprocessing.Value) -> libffi; the C.UTF-8 locale that tmux wants: libc-bin.
      for pkg in libpython3.11-stdlib:arm64 tmux:arm64 libevent-core-2.1-7:arm64 libtinfo6:arm64 \
                 libutempter0:arm64 ncurses-base bsdutils:arm64 socat:arm64 libssl3:arm64 libwrap0:arm64 \
                 libnsl2:arm64 libtirpc3:arm64 libgssapi-krb5-2:arm64 libkrb5-3:arm64 libk5crypto3:arm64 \
                 libcom-err2:arm64 libkrb5support0:arm64 libkeyutils1:arm64 libffi8:arm64 \
                 libc-bin:arm64; do
        deb=$(download "$pkg")
        dpkg-deb -x "$deb" "$out/userland-extra"
      done
      touch "$out/userland-extra/.complete"
      echo "fetched Debian's extra userland into $out/userland-extra" ;;
    *) echo "fetch-debian-arm64: unknown '$what'" >&2; exit 2 ;;
  esac
done
