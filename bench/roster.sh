#!/bin/sh
# make bench: wz-roster against libcsv's raw parse of the same roster
# (bench/rawcsv), as a ratio of CPU time, and its peak resident memory,
# at 100k and 1M rows.  bench/run.sh calls it with BENCH_ROWS (one size);
# alone it does both: sh bench/roster.sh
#
# The rows come from `bench/gen roster N`, whose ID numbers have random
# last digits: the check digit is recomputed here (GB 11643) so that the
# rows are read, not rejected.  gen's data are random (a person's post,
# township and village are drawn each row), so the single-holder and
# identity checks fire on most rows: the warnings are part of the work.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
RUNS=${RUNS:-3}
SIZES=${BENCH_ROWS:-"100000 1000000"}
data=bench/data
mkdir -p $data
LC_ALL=C.UTF-8
export LC_ALL WENZE_RULES="$top/rules"
[ -x bin/wz-roster ] && [ -x bench/rawcsv ] && [ -x bench/gen ] || {
	echo "roster.sh: run make and make bench/rawcsv bench/gen first" >&2
	exit 1
}

# best CPU time (user + system) and its max RSS over $RUNS runs
best() {
	cmd=$1 b= m=
	i=0
	while [ $i -lt "$RUNS" ]; do
		/usr/bin/time -f '%U %S %M' -o $data/.time.roster \
		    sh -c "exec $cmd" >/dev/null 2>&1 || true
		# the last line: time puts "exited with status 1" above it
		set -- $(tail -n 1 $data/.time.roster)
		t=$(echo "$1 + $2" | bc)
		r=$3
		if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then
			b=$t
			m=$r
		fi
		i=$((i + 1))
	done
	echo "$b $m"
}

# gen's roster with valid check digits in column 2 (身份证号码)
roster() {
	bench/gen roster "$1" | awk -F, 'BEGIN {
		OFS = ","
		split("7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2", w, " ")
		c = "10X98765432"
	}
	NR == 1 { print; next }
	{
		s = 0
		for (i = 1; i <= 17; i++)
			s += substr($2, i, 1) * w[i]
		$2 = substr($2, 1, 17) substr(c, s % 11 + 1, 1)
		print
	}'
}

[ -n "${BENCH_ROWS:-}" ] ||
	printf '%-28s %9s %8s %9s %9s %6s %9s\n' program rows MB raw prog \
	    ratio maxrss
for n in $SIZES; do
	f=$data/roster-$n.csv
	[ -s "$f" ] || roster "$n" > "$f"
	set -- $(best "bench/rawcsv $f")
	raw=$1
	set -- $(best "bin/wz-roster --county 示范县 $f")
	t=$1 rss=$2
	mb=$(echo "scale=1; $(stat -c %s "$f") / 1048576" | bc)
	printf '%-28s %9s %8s %8ss %8ss %6s %9s\n' "wz-roster" "$n" "$mb" \
	    "$raw" "$t" "$(echo "scale=2; $raw / $t" | bc)" \
	    "$((rss / 1024))MB"
	[ -n "${BENCH_ROWS:-}" ] ||
		bin/wz-roster --county 示范县 "$f" 2>&1 >/dev/null | tail -1 |
		    sed 's/^/    /'
done
[ -n "${BENCH_ROWS:-}" ] ||
	echo "target: wz-roster >= 0.50 of raw parse; memory grows with persons and roles"
