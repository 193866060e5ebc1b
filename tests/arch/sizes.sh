#!/bin/sh
# Sizes a reviewer checks: no production C file over 600 lines, no function
# over 60 (counted from its opening '{' at the start of a line to its
# closing '}' at the start of a line: the tree's style, so a brace scan is
# enough). Production = daemon/ servo/ phc/ util/. One line a violation;
# prints "sizes: N passed, N failed" like the other layers.
cd "$(dirname "$0")/../.." || exit 1
MAX_FILE=${MAX_FILE:-600}
MAX_FUNC=${MAX_FUNC:-60}
files=$(find daemon servo phc util -name '*.[ch]' | sort)
out=$(for f in $files; do
	awk -v f="$f" -v maxf="$MAX_FILE" -v maxfn="$MAX_FUNC" '
		/^[A-Za-z_].*\(/ { sig = $0 }
		/^\{/ { start = NR; name = sig; sub(/\(.*/, "", name); sub(/.*[ *]/, "", name) }
		/^\}/ && start { n = NR - start + 1
			if (n > maxfn) printf "FAIL %s:%d: function %s is %d lines (at most %d)\n", f, start, name, n, maxfn
			else nf++
			start = 0 }
		END { if (NR > maxf) printf "FAIL %s: %d lines (at most %d)\n", f, NR, maxf
		      else printf "ok   %s: %d lines, %d functions within %d lines\n", f, NR, nf, maxfn }' "$f"
done)
printf '%s\n' "$out"
pass=$(printf '%s\n' "$out" | grep -c '^ok')
fail=$(printf '%s\n' "$out" | grep -c '^FAIL')
echo "sizes: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
