# Sourced once by the guest script before the cases: builds the read-only fixture tree /fx that each
# case gets a fresh copy of. Uses only builtins, mkdir, touch (no pipes, no command substitution).
mkdir -p /fx/d/sub /w
cd /fx
printf 'apple\nbanana\ncherry\napple\ndate\n' > a.txt
printf '10\n2\n33\n4\n2\n' > nums.txt
printf 'name,age,city\nalice,30,paris\nbob,25,berlin\ncarol,35,rome\n' > csv.txt
printf 'the quick brown fox\njumps over the lazy dog\nThe End\n' > words.txt
printf 'int main(void) { return 0; }\n' > d/x.c
printf '#define Y 1\n' > d/y.h
printf 'int main(void) { return 1; }\n/* z */\n' > d/sub/z.c
i=0
: > bin.dat
while [ $i -lt 256 ]; do
  printf "\\$(( (i / 64) % 8 ))$(( (i / 8) % 8 ))$(( i % 8 ))" >> bin.dat
  i=$((i + 1))
done
chmod 644 a.txt nums.txt csv.txt words.txt bin.dat d/x.c d/y.h d/sub/z.c
chmod 755 d d/sub
touch -d '2020-01-02 03:04:05' a.txt nums.txt csv.txt words.txt bin.dat d/x.c d/y.h d/sub/z.c d/sub d
cd /
