#!/bin/sh
# An interactive shell that is not pid 1 (a group whose parent is init is orphaned: ^Z would be
# discarded, as on Linux), driven through the console by tests/boot/test_signals.py.
echo "jobcontrol: ready"
/bin/sh -i
/bin/busybox poweroff -f
