#!/bin/sh
# The questions an auditor asks of the ledger, answered with wz-report,
# awk, mlr and sqlite3.  Run examples/pipeline.sh first (it writes
# examples/out/ledger.csv), or name another ledger:
#
#   sh examples/queries.sh [LEDGER] [PERSON] [YEAR]
set -eu
cd "$(dirname "$0")"
: "${WZ_BIN:=../bin}"
PATH=$(cd "$WZ_BIN" && pwd):$PATH
export PATH
L=${1:-out/ledger.csv}
WHO=${2:-梁红福}
YEAR=${3:-2021}
TODAY=${TODAY:-2021-01-31}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# One row per case, with a header: the table every query starts from.
wz-ledger state "$L" > "$tmp/state.csv"

echo "== 1. every case of one person ($WHO), with wz-report"
wz-report query "$L" --person "$WHO"

echo
echo "== 2. open cases past their rectification date ($TODAY), with awk"
# Columns are found by name, so the query survives new columns.
awk -F, -v today="$TODAY" '
NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; print; next }
$col["rectify_by"] != "" && $col["rectify_by"] < today &&
    $col["status"] != "closed" && $col["status"] != "rectified"
' "$tmp/state.csv"

echo
echo "== 3. which articles fired most in $YEAR, with mlr"
# Cases opened in the ledger that year (the ledger's own dates).
mlr --icsv --opprint filter "\$opened =~ \"^$YEAR\"" \
    then count -g article then sort -nr count then head -n 10 "$tmp/state.csv"

echo
echo "== 4. township leaders under a promotion ban on $TODAY, with sqlite3"
sqlite3 -header -column <<SQL
.import --csv $tmp/state.csv state
SELECT liable_name AS 姓名, place AS 单位, no_promotion_until AS 不得提拔至,
       article AS 依据条款
  FROM state
 WHERE no_promotion_until > '$TODAY'
   AND (place LIKE '%镇%' OR place LIKE '%乡%')
 ORDER BY no_promotion_until DESC;
SQL
