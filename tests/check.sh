#!/bin/sh
# `make check`: every test layer, then one closing line "check: N passed, N failed".
# Usage: tests/check.sh BUILD_DIR
build=${1:-build}
total_pass=0; total_fail=0; failed=""

layer() {	# layer NAME COMMAND...: run, parse its "N passed, N failed" line
	name=$1; shift
	echo "=== $name"
	out=$("$@" 2>&1); rc=$?
	printf '%s\n' "$out"
	line=$(printf '%s\n' "$out" | grep -E '[0-9]+ passed, [0-9]+ failed' | tail -n 1)
	p=$(printf '%s' "$line" | sed -n 's/.*[^0-9]\([0-9][0-9]*\) passed.*/\1/p;s/^\([0-9][0-9]*\) passed.*/\1/p' | head -n 1)
	f=$(printf '%s' "$line" | sed -n 's/.* \([0-9][0-9]*\) failed.*/\1/p')
	[ -z "$p" ] && p=0
	[ -z "$f" ] && f=0
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	total_pass=$((total_pass + p)); total_fail=$((total_fail + f))
	[ "$f" -ne 0 ] && failed="$failed $name"
}

layer unit make --no-print-directory unit
layer unit-asan-ubsan make --no-print-directory SAN=1 unit
for t in tests/*/run-tests.sh; do
	[ -f "$t" ] || continue
	layer "$(basename "$(dirname "$t")")" sh "$t" "$build"
done
# tests/system/ changes this machine's real clock: never here, only in
# `make system-check` with GNOMON_REAL_CLOCK_TESTS=1 (see README).
echo
[ -n "$failed" ] && echo "failing layers:$failed"
echo "check: $total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
