# Guest side of tests/boot/test_ext4.py, run on Lichen and on Linux with the same disks
# (vda: ext4, vdb: ext2, vdc: ext4 with a damaged inode; all from tests/ext4/make_images.py).
# Each "== name" section is compared between the kernels.
/bin/busybox --install -s /bin
case $(uname -r) in
*lichen*) ;;
*) for m in virtio_mmio virtio_blk crc16 crc32c_generic mbcache jbd2 ext4; do insmod /$m.ko; done; sleep 1 ;;
esac
dmesg -n 1 2>/dev/null
mkdir -p /mnt /mnt2 /mnt3
echo "== mount"
mount -t ext4 -o ro /dev/vda /mnt && echo mounted
grep ' /mnt ' /proc/mounts
echo "== ls"
cd /mnt && ls -lR --full-time . | grep -v '^total' ; cd /
echo "== md5"
cd /mnt && find . -type f | sort | xargs md5sum; cd /
echo "== stat"
cd /mnt
for f in . small.txt empty multi big sparse fragmented dir dir/owned hard link-fast dir/link-slow bigdir bin/prog; do
  stat -c '%n %s %b %B %o %f %u %g %h %i %X %Y %y %F' $f
done
cd /
echo "== readlink"
readlink /mnt/link-fast; readlink /mnt/dir/link-slow
cat /mnt/link-fast /mnt/dir/link-slow
echo "== statfs"
stat -f -c '%t %S %b %f %a %c %d %l' /mnt
df /mnt | tail -1
echo "== exec"
/mnt/bin/prog one two
echo "== xattr"
cd /mnt
/xattrdump xattr/inline xattr/block xattr/caps xattr/dir xattr/none small.txt link-fast
/xattrdump -u xattr/inline xattr/caps
/xattrdump -w xattr/inline xattr/none
cd /
echo "== read-only"
touch /mnt/new 2>&1; echo "touch $?"
mkdir /mnt/dir/new 2>&1; echo "mkdir $?"
echo x 2>&1 > /mnt/small.txt; echo "write $?"
echo "== umount"
umount /mnt && echo unmounted
grep -c ' /mnt ' /proc/mounts
echo "== ext2"
mount -t ext2 -o ro /dev/vdb /mnt2 && echo mounted
grep ' /mnt2 ' /proc/mounts
cd /mnt2 && find . -type f | sort | xargs md5sum | md5sum; ls -lR --full-time . | grep -v '^total' | md5sum; cd /
umount /mnt2 && echo unmounted
echo "== wrong-type"
mount -t ext2 -o ro /dev/vda /mnt2 2>&1 >/dev/null | sed 's/.*: //'; echo "ext4 as ext2 $?"
mount -t ext3 -o ro /dev/vdb /mnt2 2>&1 >/dev/null | sed 's/.*: //'; echo "ext2 as ext3 $?"
echo "== auto"
mount -o ro /dev/vdb /mnt2 && grep ' /mnt2 ' /proc/mounts
umount /mnt2
echo "== corrupted"
mount -t ext4 -o ro /dev/vdc /mnt3 && echo mounted
cat /mnt3/small.txt 2>&1 | sed 's/^cat: //'
md5sum /mnt3/multi
umount /mnt3 && echo unmounted
