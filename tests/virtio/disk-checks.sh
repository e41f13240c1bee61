# Guest side of tests/boot/test_virtio.py: run on Lichen and on Linux with the same two disks
# (vda: GPT, read-write; vdb: MBR with logical partitions, read-only). Each "== name" section is
# compared between the kernels; the host checks the writes in the images afterwards.
/bin/busybox --install -s /bin
case $(uname -r) in
*lichen*) ;;
*) insmod /virtio_mmio.ko && insmod /virtio_blk.ko; sleep 1 ;;
esac
echo "== partitions"
cat /proc/partitions
echo "== nodes"
for d in vda vda1 vda2 vdb vdb1 vdb2 vdb5 vdb6; do ls -l /dev/$d | awk '{print $1, $5, $6, $NF}'; done
echo "== sizes"
for d in vda vda1 vda2 vdb vdb1 vdb2 vdb5 vdb6; do
  echo "$d $(blockdev --getsize64 /dev/$d) $(blockdev --getsz /dev/$d) $(blockdev --getss /dev/$d) $(blockdev --getro /dev/$d) $(blockdev --getbsz /dev/$d)"
done
echo "== sysfs"
mkdir -p /sys; mount -t sysfs sysfs /sys 2>/dev/null
ls /sys/block
for d in vda vdb; do q=/sys/block/$d/queue
  echo "$d $(cat /sys/block/$d/dev) $(cat /sys/block/$d/size) ro=$(cat /sys/block/$d/ro) rm=$(cat /sys/block/$d/removable) $(cat /sys/block/$d/range) $(cat $q/logical_block_size) $(cat $q/physical_block_size) $(cat $q/hw_sector_size) rota=$(cat $q/rotational) $(cat $q/read_ahead_kb)"
  readlink /sys/block/$d; readlink /sys/block/$d/device; ls -d /sys/block/$d/$d*
done
for p in vda1 vda2 vdb1 vdb2 vdb5 vdb6; do c=/sys/class/block/$p
  echo "$p $(cat $c/dev) $(cat $c/size) $(cat $c/start) $(cat $c/partition) ro=$(cat $c/ro) $(readlink $c)"
done
ls /sys/class/block | grep vd
for n in 254:0 254:2 254:16 254:21; do readlink /sys/dev/block/$n; done
echo "== read"
dd if=/dev/vda bs=512 skip=100 count=1 2>/dev/null | head -c 16
dd if=/dev/vda1 bs=512 skip=3 count=1 2>/dev/null | head -c 16
dd if=/dev/vdb5 bs=512 skip=7 count=1 2>/dev/null | head -c 16
dd if=/dev/vdb6 bs=1 skip=1000 count=16 2>/dev/null
dd if=/dev/vda2 bs=4096 skip=511 count=1 2>/dev/null | tail -c 16
dd if=/dev/vda2 bs=4096 skip=512 count=1 2>/dev/null | wc -c
echo "== checksums"
dd if=/dev/vdb bs=64k 2>/dev/null | md5sum
dd if=/dev/vdb1 bs=3000 2>/dev/null | md5sum
echo "== parallel-read"
for i in 0 1 2 3; do dd if=/dev/vdb bs=16k skip=$((i * 32)) count=32 2>/dev/null | md5sum > /tmp/r$i & done
wait
cat /tmp/r0 /tmp/r1 /tmp/r2 /tmp/r3
echo "== write"
i=0; while [ $i -lt 32 ]; do printf 'W%014d\n' $i; i=$((i + 1)); done > /tmp/w
dd if=/tmp/w of=/dev/vda2 bs=512 seek=10 conv=notrunc,fsync 2>/dev/null; echo "dd $?"
printf 'odd-offset-write' | dd of=/dev/vda2 bs=1 seek=12345 conv=notrunc 2>/dev/null; echo "dd $?"
dd if=/dev/vda2 bs=1 skip=12345 count=16 2>/dev/null; echo
sync; echo "sync $?"
echo "== parallel-write"
for i in 0 1 2 3; do dd if=/dev/vdb1 of=/dev/vda1 bs=8k skip=$((i * 16)) seek=$((i * 16)) count=16 conv=notrunc 2>/dev/null & done
wait
dd if=/dev/vda1 bs=64k count=8 2>/dev/null | md5sum
dd if=/dev/vdb1 bs=64k count=8 2>/dev/null | md5sum
echo "== read-only"
dd if=/tmp/w of=/dev/vdb bs=512 count=1 conv=notrunc 2>&1 | sed 's/^dd: //'; echo "dd $?"
dd if=/dev/vdb bs=512 count=1 2>/dev/null | od -A d -t x1 | tail -2
echo "== ends"
dd if=/dev/vda2 bs=512 skip=4095 count=4 2>/dev/null | wc -c
printf 'x' | dd of=/dev/vda2 bs=512 seek=4096 conv=notrunc 2>&1 | sed 's/^dd: //'
echo "== blkio"
/blkio /dev/vda /dev/vdb
echo "== ioctls"
blockdev --flushbufs /dev/vda; echo "flushbufs $?"
blockdev --rereadpt /dev/vda; echo "rereadpt $?"
blockdev --rereadpt /dev/vda1 2>&1 | sed 's/^blockdev: //'
cat /proc/partitions | grep vda
ls /sys/class/block | grep vda; cat /sys/class/block/vda2/size
