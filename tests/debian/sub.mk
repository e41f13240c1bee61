out: x y
	cat x y > out
x y:
	sleep 1; echo sub-$@ > $@
