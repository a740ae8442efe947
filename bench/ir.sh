#!/bin/sh
# bench/ir.sh - instructions per row of wz-match and of libcsv's raw parse
# (bench/rawcsv), counted with callgrind, which a busy machine does not
# disturb as it does CPU time: each program over 2 x ROWS rows of
# `bench/gen findings`, less the same program over the first ROWS of
# them, divided by ROWS.  The difference of two runs with rows leaves out
# what the first rows pay once (wz-match compiles its patterns with the
# JIT when first needed), which a run of the header alone would count as
# per row.  "start" is wz-match on the header alone: the rules' loading.
#
#   sh bench/ir.sh [ROWS]           (default 20000; IR_ROWS=N make bench
#                                    runs it after the table)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
N=${1:-20000}
D=bench/data
LC_ALL=C.UTF-8
WENZE_RULES=$top/rules
export LC_ALL WENZE_RULES
if ! command -v valgrind >/dev/null 2>&1; then
	echo "bench/ir.sh: valgrind is not installed" >&2
	exit 1
fi
[ -x bench/gen ] && [ -x bench/rawcsv ] && [ -x bin/wz-match ] || {
	echo "bench/ir.sh: run make all bench/gen bench/rawcsv first" >&2
	exit 1
}
mkdir -p $D

ir() {	# file command...: instructions of one run
	f=$1
	shift
	valgrind --tool=callgrind --callgrind-out-file="$D/.cg.match" "$@" \
	    "$f" >/dev/null 2>&1 || true
	sed -n 's/^totals: //p' "$D/.cg.match"
	rm -f "$D/.cg.match"
}
bench/gen findings $((2 * N)) > "$D/.ir2.csv"
head -n $((N + 1)) "$D/.ir2.csv" > "$D/.ir.csv"
head -1 "$D/.ir2.csv" > "$D/.ir0.csv"
r2=$(ir "$D/.ir2.csv" bench/rawcsv)
r1=$(ir "$D/.ir.csv" bench/rawcsv)
m2=$(ir "$D/.ir2.csv" bin/wz-match -q)
m1=$(ir "$D/.ir.csv" bin/wz-match -q)
m0=$(ir "$D/.ir0.csv" bin/wz-match -q)
rm -f "$D/.ir2.csv" "$D/.ir.csv" "$D/.ir0.csv"
rr=$(( (r2 - r1) / N ))
mr=$(( (m2 - m1) / N ))
printf 'instructions per row over %s rows: raw parse %s, wz-match %s' \
    "$N" "$rr" "$mr"
printf ' (ratio %s), wz-match start %s\n' \
    "$(awk -v a="$rr" -v b="$mr" 'BEGIN { printf "%.3f", a / b }')" "$m0"
