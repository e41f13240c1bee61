# Guest side of tests/boot/test_virtio_pci.py, run on Lichen and on Linux with the same disks:
# vda on virtio-mmio (MBR, 4 MiB), vdb on virtio-pci (GPT, 8 MiB), vdc on virtio-pci (ext4 made by the
# host's mke2fs). Each "== name" section is compared between the kernels; the host checks the writes.
/bin/busybox --install -s /bin
case $(uname -r) in
*lichen*) ;;
*) for m in virtio_mmio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci virtio_blk crc16 crc32c_generic mbcache jbd2 ext4; do
     insmod /$m.ko
   done; sleep 1 ;;
esac
echo "== partitions"
cat /proc/partitions
echo "== sizes"
for d in vda vda1 vda5 vdb vdb1 vdb2 vdc; do
  echo "$d $(blockdev --getsize64 /dev/$d) $(blockdev --getss /dev/$d) $(blockdev --getro /dev/$d)"
done
echo "== read"
dd if=/dev/vda bs=512 skip=100 count=1 2>/dev/null | head -c 16
dd if=/dev/vdb bs=512 skip=100 count=1 2>/dev/null | head -c 16
dd if=/dev/vdb2 bs=4096 skip=511 count=1 2>/dev/null | tail -c 16
echo "== checksums"
dd if=/dev/vda bs=64k 2>/dev/null | md5sum
dd if=/dev/vdb1 bs=64k 2>/dev/null | md5sum
echo "== parallel-read"
for i in 0 1 2 3; do dd if=/dev/vdb bs=16k skip=$((i * 64)) count=64 2>/dev/null | md5sum > /tmp/r$i & done
wait
cat /tmp/r0 /tmp/r1 /tmp/r2 /tmp/r3
echo "== write"
i=0; while [ $i -lt 32 ]; do printf 'P%014d\n' $i; i=$((i + 1)); done > /tmp/w
dd if=/tmp/w of=/dev/vdb2 bs=512 seek=10 conv=notrunc,fsync 2>/dev/null; echo "dd $?"
dd if=/dev/vdb2 bs=512 skip=10 count=1 2>/dev/null | md5sum
echo "== ext4"
mkdir -p /mnt
mount -t ext4 /dev/vdc /mnt && echo mounted
cat /mnt/hello.txt
md5sum /mnt/big.bin
i=0; while [ $i -lt 3000 ]; do echo "written through virtio-pci, line $i"; i=$((i + 1)); done > /mnt/written.txt
mkdir /mnt/newdir && echo made > /mnt/newdir/file
ls /mnt
umount /mnt; echo "umount $?"
