# Guest side of tests/boot/test_fat.py, run on Lichen and on Linux with the same disk (vda: a FAT16
# volume from tests/fat/make_images.py, filled by mtools). Each "== name" section is compared.
/bin/busybox --install -s /bin
case $(uname -r) in
*lichen*) ;;
*) for m in virtio_mmio virtio_blk fat vfat nls_cp437 nls_ascii; do insmod /$m.ko; done; sleep 1 ;;
esac
dmesg -n 1 2>/dev/null
umask 022
mkdir -p /mnt
sums() { find . | sort | while read -r f; do if [ -f "$f" ]; then md5sum "$f"; else echo "dir $f"; fi; done; }
echo "== mount"
mount -t vfat /dev/vda /mnt && echo mounted
awk '$2 == "/mnt" { print $1, $2, $3 }' /proc/mounts
grep vfat /proc/filesystems
echo "== read"
cd /mnt
ls -l --full-time . dir many | grep -v '^total' | head -40
sums
cat HELLO.TXT hello.txt... "a long FILE name with spaces.txt"
echo "== stat"
for f in . hello.txt README big.bin empty dir dir/sub many; do stat -c '%n %s %b %B %o %f %u %g %h %X %Y' "$f"; done
echo "== statfs"
stat -f -c '%t %S %b %f %a %c %d %l' /mnt
echo "== write"
echo new > "Brand new file.txt"
mkdir -p "Deep/Er/Est"
for i in $(seq 1 150); do echo "$i" > "Deep/file number $i"; done
seq 1 60000 > numbers
mv hello.txt "Hello Again.txt"
mv Deep/Er Er-moved
mv README Deep/README
for i in $(seq 1 150); do [ $((i % 3)) = 0 ] && rm "Deep/file number $i"; done
rm -r dir
rm big.bin
truncate -s 1000 numbers
truncate -s 5000 empty
echo appended >> Deep/README
touch -d "2020-01-02 03:04:05" numbers
stat -c '%n %s %Y' numbers; stat -c '%n %s' empty Deep/README
echo "== refused"
chmod 644 numbers; echo "chmod 644: $?"
chmod 555 numbers; echo "chmod 555: $?"; stat -c '%n %f' numbers
chmod 755 numbers; echo "chmod 755: $?"
chown 1:1 numbers; echo "chown: $?"
ln -s numbers link; echo "symlink: $?"
ln numbers hard; echo "link: $?"
touch 'bad:name'; echo "colon: $?"
mkdir Deep; echo "mkdir existing: $?"
rmdir Deep; echo "rmdir non-empty: $?"
echo x > NUMBERS; cat numbers | head -c 2; echo
echo "== after"
ls -l . Deep Er-moved | grep -v '^total' | awk '{ print $1, $2, $5, $9, $10, $11, $12 }'
sums
echo "== sync"
cd /
sync
umount /mnt && echo unmounted
mount -t vfat -o ro /dev/vda /mnt && echo "mounted ro"
cat "/mnt/Brand new file.txt"; echo hi > /mnt/x; echo "write on ro: $?"
umount /mnt && echo unmounted
