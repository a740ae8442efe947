#!/bin/sh
# Golden command-line tests: one folder per case (STYLE.md 10).
#   cmd     shell snippet, run by sh in a fresh temporary folder;
#           $CASE is the case folder, the programs are on PATH
#   in      standard input (optional; else /dev/null)
#   out     expected standard output (optional: empty)
#   err     expected standard error (optional: empty)
#   status  expected exit status (optional: 0)
# WZ_BIN and WZ_TOOLS say where the programs under test are, so the same
# cases run against the sanitizer build (make asan).  Cases run
# $GOLDEN_JOBS at a time (default: the number of processors).  Usage:
#   sh tests/run-golden.sh [CASE_DIR ...]
top=$(cd "$(dirname "$0")/.." && pwd)
: "${WZ_BIN:=bin}"
: "${WZ_TOOLS:=tests/tools}"
case $WZ_BIN in /*) ;; *) WZ_BIN=$top/$WZ_BIN ;; esac
case $WZ_TOOLS in /*) ;; *) WZ_TOOLS=$top/$WZ_TOOLS ;; esac
PATH=$WZ_BIN:$WZ_TOOLS:$PATH
WENZE_RULES=$top/rules
LC_ALL=C.UTF-8
TZ=UTC
export PATH WENZE_RULES LC_ALL TZ WZ_BIN WZ_TOOLS

# One batch of cases: prints "pass NAME" or "FAIL: NAME ..." and a diff.
if [ "${1:-}" = --batch ]; then
	shift
	tmp=$(mktemp -d) || exit 74
	trap 'rm -rf "$tmp"' EXIT
	for dir in "$@"; do
		[ -f "$dir/cmd" ] || continue
		CASE=$(cd "$dir" && pwd)
		name=${CASE#"$top"/tests/}
		work=$tmp/work
		rm -rf "$work" && mkdir "$work"
		input=/dev/null
		[ -f "$CASE/in" ] && input=$CASE/in
		( cd "$work" && CASE=$CASE sh "$CASE/cmd" <"$input" \
		    >"$tmp/out" 2>"$tmp/err"; echo $? >"$tmp/status" )
		want_status=0
		[ -f "$CASE/status" ] && want_status=$(cat "$CASE/status")
		ok=1
		for f in out err; do
			if [ -f "$CASE/$f" ]; then
				diff -u "$CASE/$f" "$tmp/$f" >"$tmp/diff.$f" || ok=0
			else
				diff -u /dev/null "$tmp/$f" >"$tmp/diff.$f" || ok=0
			fi
		done
		got_status=$(cat "$tmp/status")
		[ "$got_status" = "$want_status" ] || ok=0
		if [ $ok = 1 ]; then
			echo "pass $name"
		else
			{
				echo "FAIL: $name (status $got_status, want $want_status)"
				cat "$tmp/diff.out" "$tmp/diff.err" | head -40
			} | sed 's/^/| /'
		fi
	done >"$tmp/report"
	# One write per batch, so that parallel batches do not interleave.
	cat "$tmp/report"
	exit 0
fi

if [ $# -eq 0 ]; then
	set -- "$top"/tests/golden/*/ "$top"/tests/bad-input/*/
fi
jobs=${GOLDEN_JOBS:-$(nproc 2>/dev/null || echo 1)}
log=$(mktemp) || exit 74
trap 'rm -f "$log"' EXIT
# Batches of 4 keep both the start-up cost and the tail small.
printf '%s\n' "$@" | xargs -d '\n' -n 4 -P "$jobs" sh "$0" --batch >"$log"
sed -n 's/^| //p' "$log"
pass=$(grep -c '^pass ' "$log")
fail=$(grep -c '^| FAIL: ' "$log")
echo "golden: $pass passed, $fail failed"
[ "$fail" = 0 ]
