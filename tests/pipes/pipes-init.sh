#!/bin/sh
# Each check prints "== name" then its output; test_pipes.py compares with the same script on Linux.
export PATH=/bin
/bin/busybox --install -s /bin
[ -e /dev/null ] || mount -t devtmpfs devtmpfs /dev      # Linux does not mount it over an initramfs
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
echo "== seq-sort"; seq 1 10000 | sort -n | tail -1
echo "== yes-head"; yes | head -c 100000 | wc -c
echo "== big-cat"; seq 1 50000 | cat | cat | md5sum
echo "== meminfo"; cat /proc/meminfo | head -2 | sed 's/[0-9][0-9]*/N/'
echo "== fifo"; mkfifo /tmp/f; (echo through-fifo > /tmp/f &); cat /tmp/f
echo "== fifo-type"; ls -l /tmp/f | cut -c1
echo "== pipe-stat"; stat -c %F /proc/self/fd/0 < /dev/null; echo x | stat -L -c %F /proc/self/fd/0
echo "== self"; readlink /proc/self | grep -q '^[0-9][0-9]*$' && echo pid-link-ok
echo "== fdlink"; ls -l /proc/self/fd/ | grep -c pipe
echo "== cmdline"; tr '\0' ' ' < /proc/self/cmdline; echo
echo "== comm"; cat /proc/self/comm
echo "== stat-fields"; cut -d' ' -f1-3 /proc/1/stat
echo "== status"; grep -E '^(Name|Pid|PPid):' /proc/1/status
echo "== ps"; ps | grep -c init
echo "== mount"; mount | grep -E '^(proc|sysfs|tmpfs) '
echo "== df"; df /tmp | tail -1 | cut -d' ' -f1
echo "== stat-f"; stat -f -c %T /proc /tmp /sys
echo "== umount"; umount /sys && mount | grep -c sysfs
echo "== poll-wake"; (sleep 1; echo late) | (read -t 5 x; echo "got $x rc=$?")
echo "== poll-timeout"; read -t 1 x < /dev/console; echo "read -t rc=$?"
echo "== epipe"; (yes | head -1); echo "rc=$?"
echo "== uptime"; cat /proc/uptime | grep -cE '^[0-9]+\.[0-9]{2} [0-9]+\.[0-9]{2}$'
echo "== version"; cut -d' ' -f1,2 /proc/version
echo "== files"; cd /tmp; mkdir -p d/e; echo hello > d/e/f; ln -s e/f d/l; cp -a d d2; mv d2 d3; find d3 | sort
echo "== readlink"; readlink d3/l; cat d3/l
echo "== tar-gzip"; tar cf t.tar d3 && tar tf t.tar | sort; gzip -c t.tar | gunzip -c | cmp - t.tar && echo same
echo "== touch"; touch -d '2020-01-02 03:04:05' d3/e/f; stat -c '%y %s %F' d3/e/f
echo "== dd"; dd if=/dev/zero bs=1k count=100 2>/dev/null | wc -c
echo "== sha"; echo abc | sha256sum; echo abc | md5sum
echo "== free"; free | head -1
echo "== top"; top -n 1 -b | grep -c '^Mem:'
echo "== uptime-cmd"; uptime | grep -c 'load average'
echo "== sort-big"; seq 1 20000 | sort -r | head -1
echo "== xargs"; seq 1 5 | xargs echo
echo "== subshell"; (cd /proc && echo $(ls -d 1) $(cat self/comm))
echo "== exe-fd"; readlink /proc/self/exe; readlink /proc/$$/fd/0; cd /tmp; exec 5< d3/e/f; readlink /proc/$$/fd/5; exec 5<&-
echo "== df-tmp"; df /tmp | tail -1 | tr -s ' ' | cut -d' ' -f1,3,6
echo "== done"
poweroff -f
