#!/bin/sh
# Runs in the guest (BusyBox sh) on Linux and on Lichen: each part starts with "== name" and is
# compared between the two kernels by tests/boot/test_debian.py. Every program runs under a timeout.
t=/bin/busybox
echo "== python"
$t timeout 40 /usr/bin/python3 /debian/check.py 2>&1
echo "python status $?"

echo "== sockets"
$t timeout 40 /usr/bin/python3 /debian/sockets.py 2>&1
echo "sockets status $?"

echo "== make"
$t mkdir -p /tmp/mk/sub && $t cp /debian/Makefile /tmp/mk/ && $t cp /debian/sub.mk /tmp/mk/sub/Makefile
cd /tmp/mk
$t timeout 30 /usr/bin/make -j4 > /tmp/make.log 2>&1
echo "make status $?"
# not by the time taken (Lichen stalls now and then on a loaded host): by parts that overlapped
[ "$($t cat *.peers | $t sort -n | $t tail -n 1)" -ge 2 ] && echo "make ran jobs in parallel"
$t sort /tmp/make.log          # the order of parallel recipes varies
cd /

echo "== vmstat"
$t timeout 20 /usr/bin/vmstat 1 2 > /tmp/vmstat.log 2>&1
echo "vmstat status $?"
$t head -n 2 /tmp/vmstat.log
$t awk 'NR > 2 { n = 0; for (i = 1; i <= NF; i++) n += ($i ~ /^[0-9]+$/); print NF " fields, " n " numbers" }' /tmp/vmstat.log
echo "== coreutils"            # and procps' ps, which reads /proc/<pid>/stat
/bin/df / | $t awk '{ print $1, $NF }'
/bin/ps -o tty=,stat=,comm= -p $$
/bin/sleep 5 & /bin/ps -o comm=,tty= --ppid $$; kill $!
/bin/date -u -d @86400 +%F; /usr/bin/nproc; /usr/bin/seq 3 | /usr/bin/tac | /usr/bin/tr '\n' ' '; echo
/usr/bin/timeout 1 /bin/sleep 5; echo "timeout status $?"

echo "== raw"
$t cat /tmp/vmstat.log
echo "== end"
