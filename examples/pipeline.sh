#!/bin/sh
# The whole job on the fictional county 示范县 (examples/data/, see
# examples/README.md), as an office would script it:
#
#   roster import -> match -> tier -> penalty -> ledger -> monthly report
#
# Everything is written to $OUT (default examples/out).  The data carry
# deliberate bad rows (a ragged row, an unknown post, a person on no
# roster, an ambiguous village), which the programs report on stderr and
# answer with exit status 1 (DESIGN.md Decision 11): that status is
# accepted, anything else stops the script.
set -eu
cd "$(dirname "$0")"
: "${WZ_BIN:=../bin}"
PATH=$(cd "$WZ_BIN" && pwd):$PATH
: "${WENZE_RULES:=$(cd ../rules && pwd)}"
export PATH WENZE_RULES
OUT=${OUT:-out}
ON=${ON:-2020-12-31}		# the decision date of the run
AT=${AT:-2021-01-04T09:00:00Z}	# the ledger time, fixed for a repeatable demo
mkdir -p "$OUT"
rm -f "$OUT"/ledger.csv

# Run a step; exit status 1 (rows reported) is accepted, nothing else.
ok1() {
	st=0
	"$@" || st=$?
	[ "$st" -le 1 ] || exit "$st"
}

echo "== 1. roster: four sheets into one canonical roster"
ok1 wz-roster --county 示范县 --rejects "$OUT/roster-rejects.csv" \
    --map maps/cadres.yaml data/cadres.csv data/villages.csv \
    --map maps/teams.yaml data/teams-gb18030.csv \
    data/assignments.csv > "$OUT/roster.csv"

echo "== 2. match: findings, media findings (GB18030), grades and reviews"
ok1 wz-match --unmatched "$OUT/unmatched.csv" data/findings.csv \
    > "$OUT/violations-findings.csv"
ok1 wz-match --encoding GB18030 data/findings-media-gb18030.csv \
    > "$OUT/violations-media.csv"
ok1 wz-match data/grades-2018.csv data/grades-2019.csv \
    data/grades-2020.csv > "$OUT/violations-grades.csv"
ok1 wz-match data/democratic-review.csv > "$OUT/violations-review.csv"

echo "== 3-5. tier, penalty, ledger"
for v in findings media grades review; do
	ok1 wz-tier --county 示范县 --roster "$OUT/roster.csv" \
	    "$OUT/violations-$v.csv" > "$OUT/liable-$v.csv"
	# Earlier cases in the ledger drive the step-ups (repetition).
	hist=
	[ -f "$OUT/ledger.csv" ] && hist="--ledger $OUT/ledger.csv"
	ok1 wz-penalty --on "$ON" $hist \
	    "$OUT/liable-$v.csv" > "$OUT/measures-$v.csv"
	ok1 wz-ledger append --at "$AT" --by 示范县纪委监委 \
	    "$OUT/ledger.csv" < "$OUT/measures-$v.csv"
done

echo "== 6. the ledger checks out; the report for the month of the run"
wz-ledger verify "$OUT/ledger.csv"
wz-ledger head "$OUT/ledger.csv"
wz-report "$OUT/ledger.csv" --month "${AT%-*}" \
    > "$OUT/report.md"
cat "$OUT/report.md"
