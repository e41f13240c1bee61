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

echo "== setup"                 # for the parts below: devpts and /dev/shm, as a Debian system mounts them
$t mkdir -p /dev/pts /dev/shm
$t grep -q ' /dev/pts ' /proc/mounts || $t mount -t devpts -o gid=5,mode=620 devpts /dev/pts
$t grep -q ' /dev/shm ' /proc/mounts || $t mount -t tmpfs -o mode=1777 shm /dev/shm
echo "setup status $?"

echo "== asyncio"              # a unix-socket server and clients, a subprocess (tests/debian/programs.py)
$t timeout 40 /usr/bin/python3 /debian/programs.py asyncio 2>&1
echo "asyncio status $?"

echo "== multiprocessing"      # a Queue, a Lock, a Pool and a shared Value between forked processes
$t timeout 40 /usr/bin/python3 /debian/programs.py multiprocessing 2>&1
echo "multiprocessing status $?"

echo "== pty"                  # os.openpty and pty.fork
$t timeout 20 /usr/bin/python3 /debian/programs.py pty 2>&1
echo "pty status $?"

echo "== tmux"                 # a detached session: its shell runs what send-keys types
unset LC_ALL                   # tmux wants a UTF-8 LC_CTYPE: libc-bin's C.UTF-8 (only its LC_CTYPE is here)
export LC_CTYPE=C.UTF-8 SHELL=/bin/sh PS1='$ '
tm="$t timeout 10 /usr/bin/tmux -S /tmp/tmux.sock"
$tm new-session -d -s demo -x 40 -y 6
echo "new-session status $?"
$tm send-keys -t demo 'echo hello from tmux' Enter
# not by time: until the pane shows the command's output (five seconds at most)
i=0
while [ $i -lt 25 ] && ! $tm capture-pane -p -t demo | $t grep -q '^hello from tmux$'; do $t sleep 0.2; i=$((i+1)); done
$tm capture-pane -p -t demo
# a smaller window: the pane's pty gets the new size (TIOCSWINSZ) and its shell SIGWINCH
$tm resize-window -t demo -x 30 -y 5
$tm send-keys -t demo '/bin/busybox stty size' Enter
i=0
while [ $i -lt 25 ] && ! $tm capture-pane -p -t demo | $t grep -q '^5 30$'; do $t sleep 0.2; i=$((i+1)); done
$tm capture-pane -p -t demo
$tm list-sessions -F '#{session_name} #{window_width}x#{window_height} #{pane_dead}'
$tm kill-server
echo "kill-server status $?"
unset LC_CTYPE SHELL PS1; export LC_ALL=C

echo "== script"               # util-linux's script: the command runs on a pty, its output is copied
$t timeout 10 /usr/bin/script -qc 'echo hi from script; /bin/busybox tty' /dev/null < /dev/null | $t sed 's|/dev/pts/[0-9]*|/dev/pts/N|' | $t od -c
echo "script status $?"
$t timeout 10 /usr/bin/script -qec 'exit 3' /dev/null < /dev/null
echo "script -e status $?"

echo "== socat"                # a unix-socket listener whose connection runs tr, and a client
$t timeout 10 /usr/bin/socat UNIX-LISTEN:/tmp/socat.sock EXEC:'/bin/busybox tr a-z A-Z' &
i=0
while [ $i -lt 50 ] && [ ! -S /tmp/socat.sock ]; do $t sleep 0.1; i=$((i+1)); done
echo hello over socat | $t timeout 10 /usr/bin/socat -t 5 - UNIX-CONNECT:/tmp/socat.sock
echo "client status $?"
wait $!
echo "listener status $?"
# the abstract namespace (no file to wait for: the client retries while the listener starts)
$t timeout 10 /usr/bin/socat ABSTRACT-LISTEN:lichen-socat SYSTEM:'echo abstract reply' &
i=0
until $t timeout 10 /usr/bin/socat -t 5 - ABSTRACT-CONNECT:lichen-socat < /dev/null 2> /dev/null || [ $i -ge 50 ]; do
  $t sleep 0.1; i=$((i+1))
done
wait $!
echo "abstract listener status $?"
# datagrams: the receiver leaves after one second without any
$t timeout 10 /usr/bin/socat -u -T 1 UNIX-RECV:/tmp/socat.dgram - &
i=0
while [ $i -lt 50 ] && [ ! -S /tmp/socat.dgram ]; do $t sleep 0.1; i=$((i+1)); done
echo one datagram | /usr/bin/socat -u - UNIX-SENDTO:/tmp/socat.dgram
wait $!
echo "receiver status $?"

echo "== raw"
$t cat /tmp/vmstat.log
echo "== end"
