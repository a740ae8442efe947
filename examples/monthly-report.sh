#!/bin/sh
# monthly-report.sh - last month's accountability report (责任追究台账月报),
# for cron (monthly-report.cron).  Usage:
#
#	monthly-report.sh LEDGER ...
#
# Each ledger's hash chain is checked first, and against the head this
# script kept last month, so a ledger that was edited, cut short or
# rewritten since the last report gives no report, only an error (which
# cron mails to the crontab's owner).  Then last month's report is
# written to $WZ_REPORT_DIR/report-YYYY-MM.md, and the same tables as
# one long CSV to report-YYYY-MM.csv for the archive, and mailed.
#
# Environment:
#	WZ_REPORT_DIR	where reports and heads are kept (default: reports)
#	WZ_REPORT_TO	mail the report to this address (unset: do not mail)
#	WZ_ROSTER	a roster from wz-roster, for the ranks of cases whose
#			ledger records none (optional)
#	WZ_MONTH	the month, YYYY-MM (default: last month)
#
# Exit status: 0; 1 if the report was written but some ledger lines
# were skipped; 65 if a check failed; else what wz-report gave.
# The date is worked out here, not in the crontab line, where every % would
# have to be escaped.
set -u
if [ $# -eq 0 ]; then
	echo "usage: $0 LEDGER ..." >&2
	exit 64
fi
dir=${WZ_REPORT_DIR:-reports}
month=${WZ_MONTH:-$(date -d "$(date +%Y-%m-01) -1 month" +%Y-%m)}
mkdir -p "$dir" || exit 73

# The chain, and the head kept last time: nothing may have changed
# in what the ledger held then.
st=0
for l in "$@"; do
	head=$dir/$(basename "$l").head
	if [ -s "$head" ]; then
		wz-ledger verify -q --expect "$(tr ' ' : <"$head")" "$l" || st=65
	else
		wz-ledger verify -q "$l" || st=65
	fi
done
if [ $st -ne 0 ]; then
	echo "$0: a ledger failed its check: no report for $month" >&2
	exit $st
fi

out=$dir/report-$month
if [ -n "${WZ_ROSTER:-}" ]; then
	set -- --roster "$WZ_ROSTER" "$@"
fi
wz-report --month "$month" "$@" >"$out.md.tmp"
st=$?
if [ $st -gt 1 ]; then
	rm -f "$out.md.tmp"
	echo "$0: wz-report failed (status $st): no report for $month" >&2
	exit $st
fi
wz-report --month "$month" --format csv "$@" >"$out.csv.tmp" &&
    mv "$out.md.tmp" "$out.md" && mv "$out.csv.tmp" "$out.csv" || exit 74

# Keep the heads for next month's check.
[ -n "${WZ_ROSTER:-}" ] && shift 2
for l in "$@"; do
	wz-ledger head "$l" >"$dir/$(basename "$l").head" || exit 74
done

if [ -n "${WZ_REPORT_TO:-}" ]; then
	mail -s "责任追究台账月报 $month" "$WZ_REPORT_TO" <"$out.md" || exit 74
fi
exit $st
