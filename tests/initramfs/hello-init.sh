#!/bin/sh
echo "hello from /init (pid $$)"
/bin/busybox uname -sm
/bin/busybox poweroff -f
