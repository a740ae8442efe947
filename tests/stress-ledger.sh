#!/bin/sh
# tests/stress-ledger.sh - wz-ledger under concurrent writers, kills and a
# file-size limit.
#
#   sh tests/stress-ledger.sh [-p WRITERS] [-n CASES] [-k KILLS] [-v]
#
# The defaults are the full run of make stress: 8 writers appending 1,000
# cases each at once, 100 appends killed at random points, 100 ledgers
# cut at random bytes.  make check runs a small one (-p 4 -n 100 -k 10)
# from tests/golden/ledger-stress.  The lines on stdout do not depend on
# chance; -v adds the counts that do (how many kills tore a line).
#
# The program is $WZ_BIN/wz-ledger, else wz-ledger on PATH, else the
# tree's bin/wz-ledger.
set -u

P=8 N=1000 K=100 V=0
while getopts p:n:k:v opt; do
	case $opt in
	p) P=$OPTARG ;;
	n) N=$OPTARG ;;
	k) K=$OPTARG ;;
	v) V=1 ;;
	*) echo "usage: $0 [-p WRITERS] [-n CASES] [-k KILLS] [-v]" >&2
	   exit 64 ;;
	esac
done
top=$(cd "$(dirname "$0")/.." && pwd)
if [ -n "${WZ_BIN:-}" ]; then
	PATH=$(cd "$WZ_BIN" && pwd):$PATH
elif ! command -v wz-ledger >/dev/null; then
	PATH=$top/bin:$PATH
fi
export PATH
command -v wz-ledger >/dev/null || { echo "stress-ledger: no wz-ledger" >&2;
    exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stress-ledger.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "stress-ledger: FAIL: $*"; exit 1; }
say() { [ "$V" = 1 ] && echo "stress-ledger: $*"; return 0; }

# A wz-penalty-like stream of COUNT cases whose finding ids start PREFIX.
gen() {
	awk -v p="$1" -v n="$2" 'BEGIN {
		print "id,place,article,values,liable_id,liable_name," \
		    "liable_rank,tier,measures"
		for (i = 1; i <= n; i++)
			printf "%s-%d,通渭县/平襄镇,tongwei2017:5.%d," \
			    "amount=%d;days=9,P%d,干部%d,乡科级,direct," \
			    "\"talk;no_excellent\"\n", p, i, i % 11 + 1,
			    1000 * i, i, i
	}'
}
# A random integer in [0, $1).
rnd() { echo $(( $(od -An -N4 -tu4 /dev/urandom) % $1 )); }
records() { wz-ledger head "$1" | cut -d' ' -f1; }

# --- 1. Concurrent writers -------------------------------------------
i=1
while [ "$i" -le "$P" ]; do
	gen "w$i" "$N" > "$tmp/in$i.csv"
	i=$((i + 1))
done
led=$tmp/concurrent.csv
for round in 1 2; do
	pids=
	i=1
	while [ "$i" -le "$P" ]; do
		wz-ledger append --by "w$i" "$led" < "$tmp/in$i.csv" \
		    2> "$tmp/err$i" &
		pids="$pids $!"
		i=$((i + 1))
	done
	for pid in $pids; do
		wait "$pid" || fail "an append exited $? (round $round)"
	done
	wz-ledger verify -q "$led" || fail "verify after round $round"
	[ "$(records "$led")" -eq $((P * N)) ] ||
	    fail "round $round: $(records "$led") records, not $((P * N))"
done
# Every case once, and each writer's records in one run of lines (the
# lock is held for a whole append).
[ "$(cut -d, -f5 "$led" | sed 1d | sort -u | wc -l)" -eq $((P * N)) ] ||
    fail "some case is missing or recorded twice"
runs=$(sed 1d "$led" | cut -d, -f6 | cut -d- -f1 | uniq | wc -l)
[ "$runs" -eq "$P" ] || fail "writers' records interleave ($runs runs)"
echo "concurrent: $P writers x $N cases, twice: $((P * N)) records," \
    "none lost, none twice, none interleaved"

# --- 2. Appends killed at random points ------------------------------
# Each trial appends M cases to a ledger of 20 records and is killed
# with SIGKILL: odd trials at a random time within the span a whole
# append takes, even ones as soon as the ledger starts to grow.  Afterwards the ledger must verify, or show only a torn last line
# that recover moves aside; the 20 records before must be untouched; and
# appending again must complete the ledger.
M=$((N * 20))
gen base 20 > "$tmp/base.csv"
gen kill "$M" > "$tmp/kill.csv"
wz-ledger append --by base --at 2025-01-01 "$tmp/base.ledger" \
    < "$tmp/base.csv" 2>/dev/null
basesize=$(wc -c < "$tmp/base.ledger")
cp "$tmp/base.ledger" "$tmp/t.ledger"
t0=$(date +%s%N)
wz-ledger append --by x "$tmp/t.ledger" < "$tmp/kill.csv" 2>/dev/null
span=$(( ($(date +%s%N) - t0) / 1000 ))	# microseconds
rm -f "$tmp/t.ledger"
torn=0 whole=0 before=0 done_=0 t=1
while [ "$t" -le "$K" ]; do
	d=$tmp/k$t
	mkdir "$d"
	cp "$tmp/base.ledger" "$d/l.csv"
	us=$(rnd "$span")
	delay=$(printf '0.%06d' "$us")
	wz-ledger append --by k "$d/l.csv" < "$tmp/kill.csv" 2>/dev/null &
	pid=$!
	if [ $((t % 2)) = 1 ]; then
		sleep "$delay"
	else
		# As soon as the ledger grows: mostly in the middle of a
		# write(2), which a random time seldom hits.
		while [ "$(wc -c < "$d/l.csv")" -le "$basesize" ] &&
		    kill -0 "$pid" 2>/dev/null; do
			:
		done
	fi
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	cmp -s -n "$basesize" "$tmp/base.ledger" "$d/l.csv" ||
	    fail "kill $t: the bytes before the append changed"
	if wz-ledger verify -q "$d/l.csv" 2> "$d/err"; then
		case $(records "$d/l.csv") in
		20) before=$((before + 1)) ;;
		$((20 + M))) done_=$((done_ + 1)) ;;
		*) whole=$((whole + 1)) ;;
		esac
	else
		grep -q "torn last line" "$d/err" &&
		    [ "$(wc -l < "$d/err")" -eq 1 ] ||
		    fail "kill $t: $(cat "$d/err")"
		torn=$((torn + 1))
		cp "$d/l.csv" "$d/before"
		wz-ledger append --by k "$d/l.csv" < "$tmp/kill.csv" \
		    2>/dev/null && fail "kill $t: append took a torn ledger"
		wz-ledger recover "$d/l.csv" 2>/dev/null ||
		    fail "kill $t: recover failed"
		cat "$d/l.csv" "$d"/l.csv.torn-* | cmp -s - "$d/before" ||
		    fail "kill $t: recover changed more than the torn line"
		wz-ledger verify -q "$d/l.csv" 2>/dev/null ||
		    fail "kill $t: no verify after recover"
	fi
	wz-ledger append --by k "$d/l.csv" < "$tmp/kill.csv" 2>/dev/null ||
	    fail "kill $t: append after the kill failed"
	wz-ledger verify -q "$d/l.csv" 2>/dev/null &&
	    [ "$(records "$d/l.csv")" -eq $((20 + M)) ] ||
	    fail "kill $t: the ledger is not complete after appending again"
	rm -rf "$d"
	t=$((t + 1))
done
echo "kill: $K appends killed: every ledger whole or torn, recovered," \
    "and complete after appending again"
say "kill: $before killed before writing, $whole between two writes," \
    "$torn torn mid-write, $done_ finished first"

# --- 3. Ledgers cut at random bytes (a write that stopped anywhere) ---
full=$tmp/full.ledger
cp "$tmp/base.ledger" "$full"
gen cut 200 | wz-ledger append --by c "$full" 2>/dev/null
fullsize=$(wc -c < "$full")
t=1 torn=0
while [ "$t" -le "$K" ]; do
	cutat=$((basesize + $(rnd $((fullsize - basesize)))))
	head -c "$cutat" "$full" > "$tmp/cut.csv"
	if ! wz-ledger verify -q "$tmp/cut.csv" 2>/dev/null; then
		torn=$((torn + 1))
		wz-ledger recover "$tmp/cut.csv" 2>/dev/null &&
		    wz-ledger verify -q "$tmp/cut.csv" 2>/dev/null ||
		    fail "cut at $cutat: not recovered"
	fi
	gen cut 200 | wz-ledger append --by c "$tmp/cut.csv" 2>/dev/null &&
	    wz-ledger verify -q "$tmp/cut.csv" 2>/dev/null &&
	    [ "$(records "$tmp/cut.csv")" -eq "$(records "$full")" ] ||
	    fail "cut at $cutat: appending again did not complete it"
	rm -f "$tmp/cut.csv" "$tmp"/cut.csv.torn-*
	t=$((t + 1))
done
echo "cut: $K ledgers cut at random bytes: each recovered and completed"
say "cut: $torn of them torn"

# --- 4. A file-size limit (SIGXFSZ is ignored by wz-ledger) -----------
cp "$tmp/base.ledger" "$tmp/f.csv"
blocks=$(( (basesize + 4096) / 512 ))
(ulimit -f "$blocks"; wz-ledger append --by f "$tmp/f.csv" \
    < "$tmp/kill.csv" 2>/dev/null)
st=$?
[ "$st" -eq 74 ] || fail "file-size limit: exit $st, not 74"
cmp -s "$tmp/f.csv" "$tmp/base.ledger" ||
    fail "file-size limit: the ledger changed"
echo "fsize: an append past the file-size limit exits 74 and leaves the" \
    "ledger as it was"
exit 0
