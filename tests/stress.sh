#!/bin/sh
# make stress: the full-size long runs (DESIGN.md Decision 13) that
# make check runs only scaled down.  Each tests/stress-*.sh prints its own
# closing "N passed, N failed" line.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
: "${WZ_BIN:=$top/bin}"
export WZ_BIN
st=0
for s in "$top"/tests/stress-*.sh; do
	[ -f "$s" ] || continue
	echo "== $(basename "$s")"
	sh "$s" -v || st=1
done
exit $st
