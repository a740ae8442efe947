#!/bin/sh
# make install and make uninstall into a scratch DESTDIR: every program,
# page and rule file lands under PREFIX, and uninstall leaves nothing.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
d=$(mktemp -d) || exit 74
trap 'rm -rf "$d"' EXIT
pass=0 fail=0
ok() { if eval "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1"; fi; }
make -s -C "$top" install DESTDIR="$d" PREFIX=/opt/wz >"$d.log" 2>&1
ok "install runs" '[ $? = 0 ]'
for p in "$top"/bin/wz-*.c; do
	[ -e "$p" ] || continue
	n=$(basename "$p" .c)
	ok "$n installed" "[ -x '$d/opt/wz/bin/$n' ]"
done
for m in "$top"/man/*.[1-8]; do
	[ -e "$m" ] || continue
	s=${m##*.}
	ok "$(basename "$m") installed" "[ -f '$d/opt/wz/share/man/man$s/$(basename "$m")' ]"
done
nr=$(ls "$top"/rules/*.yaml | wc -l)
ok "$nr rule files installed" "[ \$(ls '$d/opt/wz/share/wenze/rules/'*.yaml | wc -l) = $nr ]"
make -s -C "$top" uninstall DESTDIR="$d" PREFIX=/opt/wz >>"$d.log" 2>&1
ok "uninstall leaves no files" "[ -z \"\$(find '$d' -type f)\" ]"
rm -f "$d.log"
echo "install: $pass passed, $fail failed"
[ $fail = 0 ]
