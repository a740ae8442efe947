#!/bin/sh
# Fuzzing with libFuzzer (clang, ASan, UBSan).
#   sh tests/fuzz/run.sh fuzz-smoke   every target ~10 s (CI)
#   sh tests/fuzz/run.sh fuzz         every target $FUZZ_SECONDS (600 s)
# Seed corpora are committed in tests/fuzz/corpus/TARGET/; the working
# corpus grows in tests/fuzz/corpus-work/ (not committed); crashes are
# written to tests/fuzz/crashes/ and kept as regression cases.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
mode=${1:-fuzz-smoke}
case $mode in
fuzz-smoke) secs=${FUZZ_SMOKE_SECONDS:-10}; seed=-seed=1 ;;	# CI: repeatable
*) secs=${FUZZ_SECONDS:-600}; seed= ;;
esac
B=build/fuzz
SAN='-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all'
make --no-print-directory -s B=$B CC=clang OPT=-O1 SAN="$SAN" $B/lib/libwenze.a
# The compiler and linker flags of the Makefile's dependencies, asked of
# make itself so that a library added there is linked here too.
mkvar() {
	printf 'fuzz-print-var:\n\t@echo $(%s)\n' "$1" |
	    make --no-print-directory -s -f Makefile -f - fuzz-print-var
}
PKG_CFLAGS=$(mkvar PKG_CFLAGS)
LIBS=$(mkvar LIBS)
mkdir -p tests/fuzz/crashes
st=0
for src in tests/fuzz/fuzz_*.c; do
	t=$(basename "$src" .c)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Ilib \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	    $PKG_CFLAGS -o $B/$t "$src" $B/lib/libwenze.a $LIBS
	mkdir -p tests/fuzz/corpus/$t tests/fuzz/corpus-work/$t
	# Known crashes first: each must now pass.
	for c in tests/fuzz/crashes/$t-*; do
		[ -f "$c" ] || continue
		$B/$t "$c" >/dev/null 2>&1 || { echo "$t: regression $c"; st=1; }
	done
	echo "$t: ${secs}s"
	$B/$t $seed -max_total_time="$secs" -max_len=65536 -timeout=10 \
	    -rss_limit_mb=2048 -artifact_prefix=tests/fuzz/crashes/$t- \
	    -print_final_stats=1 tests/fuzz/corpus-work/$t \
	    tests/fuzz/corpus/$t 2>$B/$t.log || { st=1; tail -30 $B/$t.log; }
	grep -E 'stat::number_of_executed_units|cov:' $B/$t.log | tail -2
done
exit $st
