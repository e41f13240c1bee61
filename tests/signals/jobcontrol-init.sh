#!/bin/sh
# An interactive shell with the console as its controlling terminal, driven through the console by
# tests/boot/test_signals.py: as on Linux, job control needs a session leader that opens the real
# terminal device (/dev/console never becomes a controlling terminal).
echo "jobcontrol: ready"
/bin/busybox setsid /bin/sh -c 'exec /bin/sh -i </dev/ttyAMA0 >/dev/ttyAMA0 2>&1'
/bin/busybox poweroff -f
