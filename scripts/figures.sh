#!/bin/sh
# Regenerate the README's figures table from `make bench` output, so no
# figure in it is ever typed by hand.
# Usage: scripts/figures.sh BENCH_FILE SPEC_FILE README
#   BENCH_FILE  `name value unit` lines (doc/bench.txt, written by make figures)
#   SPEC_FILE   the table's rows (doc/figures.spec): cells separated by " | ",
#               {name} or {name:FORMAT} replaced by the bench value (printf
#               FORMAT, default as printed); a missing or nan value prints "n/a"
#   README      rewritten in place between the lines <!-- figures:begin -->
#               and <!-- figures:end -->
# With CHECK=1 nothing is written: exit 1 when README differs from what the
# bench file gives (tests/arch runs this).
set -eu
bench=$1 spec=$2 readme=$3
table=$(awk -v BENCH="$bench" '
BEGIN {
	while ((getline l < BENCH) > 0) {
		n = split(l, f, " ")
		if (n >= 2 && f[1] ~ /^[a-z0-9_.]+$/) val[f[1]] = f[2]
	}
}
/^#/ || /^[ \t]*$/ { next }
{
	out = ""; s = $0
	while (match(s, /\{[a-z0-9_.]+(:[^}]*)?\}/)) {
		key = substr(s, RSTART + 1, RLENGTH - 2); fmt = ""
		if ((c = index(key, ":")) > 0) { fmt = substr(key, c + 1); key = substr(key, 1, c - 1) }
		v = (key in val) ? val[key] : "nan"
		if (v == "nan" || v == "inf" || v == "-inf" || v == "") v = "n/a"
		else if (fmt != "") v = sprintf(fmt, v + 0)
		out = out substr(s, 1, RSTART - 1) v
		s = substr(s, RSTART + RLENGTH)
	}
	print "| " out s " |"
}' "$spec")
header=$(sed -n 's/^#! //p' "$spec")
new=$(printf '%s\n' "$header" "$table")
old=$(sed -n '/^<!-- figures:begin -->$/,/^<!-- figures:end -->$/p' "$readme" | sed '1d;$d')
if [ "${CHECK:-0}" = 1 ]; then
	[ "$old" = "$new" ] && exit 0
	printf '%s\n' "README figures differ from $bench:" >&2
	printf '%s\n' "$new" > /tmp/figures.$$; printf '%s\n' "$old" | diff - /tmp/figures.$$ >&2 || true
	rm -f /tmp/figures.$$; exit 1
fi
grep -q '^<!-- figures:begin -->$' "$readme" || { echo "$readme: no <!-- figures:begin --> marker" >&2; exit 1; }
tmp=$readme.tmp.$$
awk -v NEW="$new" '
/^<!-- figures:begin -->$/ { print; print NEW; skip = 1; next }
/^<!-- figures:end -->$/ { skip = 0 }
!skip' "$readme" > "$tmp" && mv "$tmp" "$readme"
