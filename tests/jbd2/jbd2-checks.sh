# Guest side of tests/boot/test_jbd2.py, run on Lichen and on Linux: vda is an ext4 image whose
# journal debugfs left unrecovered (needs_recovery); vdb the same on a read-only disk.
/bin/busybox --install -s /bin
case $(uname -r) in
*lichen*) ;;
*) for m in virtio_mmio virtio_blk crc16 crc32c_generic mbcache jbd2 ext4; do insmod /$m.ko; done; sleep 1 ;;
esac
dmesg -n 1 2>/dev/null
mkdir -p /mnt /mnt2
echo "== readonly"
mount -t ext4 -o ro /dev/vdb /mnt2 2>/dev/null && echo mounted || echo "refused"
echo "== noload"
mount -t ext4 -o ro,noload /dev/vdb /mnt2 && echo mounted
cat /mnt2/hello.txt /mnt2/kept.txt
umount /mnt2
echo "== replay"
mount -t ext4 -o ro /dev/vda /mnt && echo mounted
cat /mnt/hello.txt /mnt/kept.txt
ls /mnt
umount /mnt
echo "== remount"
mount -t ext4 -o ro /dev/vda /mnt && echo mounted
cat /mnt/hello.txt
umount /mnt
sync
echo "== done"
