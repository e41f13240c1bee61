#!/bin/sh
# PID 1 for tests/boot/test_interactive.py, the same on Lichen and on Linux: an interactive BusyBox
# sh whose controlling terminal is the serial console (a new session whose leader opens it).
export PATH=/bin:/sbin:/usr/bin:/usr/sbin HOME=/root PS1='PROMPT> '
mount -t proc proc /proc 2>/dev/null
# Linux does not mount devtmpfs for an initramfs; Lichen already has it on /dev.
[ -e /dev/ttyAMA0 ] || mount -t devtmpfs devtmpfs /dev
cd /root
echo "interactive: ready"
# Not exec'd: the shell must not be PID 1, or Linux treats its jobs' process groups as orphaned
# (their parent's parent is init) and discards ^Z's SIGTSTP. Not `&` either: a background command of
# a non-interactive sh starts with SIGINT ignored, and ash keeps signals ignored at entry ignored.
setsid sh -c 'exec sh </dev/ttyAMA0 >/dev/ttyAMA0 2>&1'
poweroff -f
