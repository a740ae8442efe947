#!/bin/sh
# make bench: throughput of each program as a ratio to libcsv's raw parse
# of the same input (bench/rawcsv), and peak resident memory, at 100k and
# 1M rows so growth is visible.  Each figure is the best of $RUNS runs
# (CPU seconds), raw parse and program measured back to back.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
RUNS=${RUNS:-5}
SIZES=${SIZES:-"100000 1000000"}
data=bench/data
mkdir -p $data
LC_ALL=C.UTF-8
export LC_ALL WENZE_RULES="$top/rules"

# best CPU time (user + system, which another process on the machine
# disturbs less than the wall clock) and its RSS, over $RUNS runs
best() {
	b= m=
	i=0
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f '%U %S %M' -o $data/.time sh -c "exec $1" \
		    >/dev/null 2>&1 || true
		read -r u s r < $data/.time
		t=$(echo "$u + $s" | bc)
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; m=$r; fi
		i=$((i + 1))
	done
	echo "$b $m"
}

row() {	# name rows file command
	name=$1 rows=$2 file=$3 cmd=$4
	set -- $(best "bench/rawcsv $file")
	raw=$1
	set -- $(best "$cmd")
	t=$1 rss=$2
	mb=$(echo "scale=1; $(stat -c %s "$file") / 1048576" | bc)
	ratio=$(echo "scale=2; $raw / $t" | bc)
	printf '%-28s %9s %8s %8ss %8ss %6s %9s\n' "$name" "$rows" "$mb" "$raw" \
	    "$t" "$ratio" "$((rss / 1024))MB"
}

printf '%-28s %9s %8s %9s %9s %6s %9s\n' program rows MB raw prog ratio maxrss
for n in $SIZES; do
	f=$data/findings-$n.csv
	[ -s "$f" ] || bench/gen findings "$n" > "$f"
	row "stream passthrough" "$n" "$f" "tests/tools/wz-cat $f"
	if command -v mlr >/dev/null 2>&1; then
		row "mlr --icsv --ocsv cat" "$n" "$f" "mlr --icsv --ocsv cat $f"
	fi
done
echo "target: stream passthrough >= 0.70 of raw parse; memory flat in rows"

# Each program's own bench, at both sizes (each prints its table, the
# same measure: CPU time of raw parse / CPU time of the program, and max
# RSS).  A program below its target is reported, not fatal: every figure
# is still printed.
st=0
for s in match roster tier; do
	for n in $SIZES; do
		echo
		BENCH_ROWS=$n sh "bench/$s.sh" || { st=1; echo "($s: below target)"; }
	done
done
echo
sh bench/ledger.sh "${LEDGER_CASES:-1000000}" || { st=1; echo "(ledger: below target)"; }
exit $st
