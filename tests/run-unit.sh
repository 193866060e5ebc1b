#!/bin/sh
# Run unit-test binaries; print each Check summary, then one total line.
# Usage: run-unit.sh BUILD_DIR BIN...
build=$1; shift
pass=0; fail=0; bad=""
for t in "$@"; do
	out=$("$t" 2>&1); rc=$?
	line=$(printf '%s\n' "$out" | grep -E '^[0-9]+%: Checks:' | tail -n 1)
	n=$(printf '%s' "$line" | sed -n 's/.*Checks: \([0-9]*\).*/\1/p')
	f=$(printf '%s' "$line" | sed -n 's/.*Failures: \([0-9]*\), Errors: \([0-9]*\).*/\1 \2/p')
	nf=$(( ${f% *} + ${f#* } )) 2>/dev/null || nf=1
	[ -z "$n" ] && { n=1; nf=1; }
	[ $rc -ne 0 ] && [ "$nf" -eq 0 ] && nf=1
	pass=$((pass + n - nf)); fail=$((fail + nf))
	printf '%-40s %s\n' "$(basename "$t")" "${line:-(no Check summary, exit $rc)}"
	printf '%s\n' "$out" | grep '^SKIP' | sed 's/^/    /'
	[ "$nf" -ne 0 ] && { printf '%s\n' "$out" | grep -v '^[0-9]*%: Checks' | sed 's/^/    /' | tail -n 40; bad="$bad $(basename "$t")"; }
done
echo "unit($build): $pass passed, $fail failed"
[ -n "$bad" ] && echo "failing:$bad"
mkdir -p "$build"; echo "$pass $fail" > "$build/unit-result"
[ "$fail" -eq 0 ]
