# The write workload of tests/boot/test_ext4_write.py: run in an empty directory on Lichen's
# read-write ext4 mount (BusyBox) and on the host (POSIX sh, coreutils) to make the expected tree.
mkdir -p a/b c many
i=0; while [ $i -lt 200 ]; do echo "content $i" > many/f$i; i=$((i+1)); done
i=0; while [ $i -lt 200 ]; do rm many/f$i; i=$((i+3)); done
seq 1 300000 > big
dd if=big of=part bs=1000 count=50 skip=3 2>/dev/null
dd if=big of=sparse bs=1 count=5 seek=5000000 2>/dev/null
dd if=/dev/null of=sparse bs=1 seek=8000000 2>/dev/null
k=0; while [ $k -lt 100 ]; do dd if=big of=frag bs=4096 count=1 skip=$k seek=$((2*k)) conv=notrunc 2>/dev/null; k=$((k+1)); done
ln big a/hard
ln -s a/b/../hard fast
ln -s long/long/long/long/long/long/long/long/long/long/long/long/long/long/long/long/long/long/long/long/end slow
mv many/f1 many/r1; mv many/f2 a/m2; mv many/f4 many/f5
mkdir c/e; mv a/b c/b; mkdir d; rmdir d
echo appended >> big
dd if=/dev/null of=big bs=1 seek=1500123 2>/dev/null
rm part
