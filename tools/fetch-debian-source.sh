#!/usr/bin/env bash
# Fetches and unpacks Debian (bookworm) source packages into build/debian-src/PACKAGE (never committed),
# with Debian's patches applied (`apt-get source` runs dpkg-source -x). The deb-src line lives in a
# private apt configuration under build/apt/ (its own sources.list, lists and cache): the system's apt
# configuration is not touched. Prints the unpacked directory.
# usage: tools/fetch-debian-source.sh PACKAGE
set -euo pipefail
cd "$(dirname "$0")/.."
pkg=${1:?usage: fetch-debian-source.sh PACKAGE}
root=$PWD/build/debian-src
dir=$root/$pkg
if [ -f "$dir/.unpacked" ]; then echo "$dir"; exit 0; fi
tools/ensure-deps.sh dpkg-dev >&2
apt=$PWD/build/apt
mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial" "$apt/etc" "$root"
# The same mirror as the system's bookworm entries (deb.debian.org), sources only.
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
cat > "$apt/etc/sources.list" <<SRC
deb-src $mirror bookworm main
deb-src $mirror bookworm-updates main
deb-src http://deb.debian.org/debian-security bookworm-security main
SRC
opts=(-o "Dir::Etc::SourceList=$apt/etc/sources.list" -o "Dir::Etc::SourceParts=$apt/etc/none"
      -o "Dir::State::Lists=$apt/lists" -o "Dir::Cache=$apt/cache" -o "Dir::State::status=/var/lib/dpkg/status"
      -o "APT::Sandbox::User=root" -o "Debug::NoLocking=1")
if ! ls "$apt"/lists/*Sources* >/dev/null 2>&1 || [ -n "$(find "$apt/lists" -name '*Sources*' -mtime +7)" ]; then
  apt-get "${opts[@]}" update -qq >&2
fi
rm -rf "$dir.tmp"; mkdir -p "$dir.tmp"
(cd "$dir.tmp" && apt-get "${opts[@]}" source -qq "$pkg" >&2)
src=$(find "$dir.tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ -n "$src" ] || { echo "fetch-debian-source: no source tree for $pkg" >&2; exit 1; }
rm -rf "$dir"; mv "$src" "$dir"
ls "$dir.tmp" | sed -n 's/\.dsc$//p' > "$dir/.debian-version"
rm -rf "$dir.tmp"
touch "$dir/.unpacked"
echo "$dir"
