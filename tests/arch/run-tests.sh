#!/bin/sh
# doc/architecture.md is the map of the tree: every folder its table names
# must exist, and every folder holding C sources must be named there.
# Prints "arch: N passed, N failed".
cd "$(dirname "$0")/../.." || exit 1
doc=doc/architecture.md
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }

named=$(sed -n 's/^| `\([a-z_/]*\)\/` |.*/\1/p' "$doc")
[ -n "$named" ] && ok "$doc has a folder table" || bad "$doc has a folder table"
for d in $named; do
	if [ -d "$d" ]; then ok "folder $d/ exists"; else bad "folder $d/ named in $doc is missing"; fi
done
for d in $(find daemon servo phc util -name '*.c' -exec dirname {} \; | sort -u); do
	if printf '%s\n' $named | grep -qx "$d"; then ok "$d/ is on the map"
	else bad "$d/ holds C sources but $doc does not name it"; fi
done
# The README's figures table is generated from doc/bench.txt, never typed.
if CHECK=1 sh scripts/figures.sh doc/bench.txt doc/figures.spec README.md; then
	ok "README figures table = scripts/figures.sh doc/bench.txt"
else bad "README figures table differs from doc/bench.txt (run make figures)"; fi
for n in $(grep -v '^#' doc/figures.spec | grep -o '{[a-z0-9_.]*' | tr -d '{' | sort -u); do
	v=$(awk -v n="$n" '$1 == n { print $2 }' doc/bench.txt)
	case "$v" in ""|nan|inf|-inf) bad "figure $n has a measured value in doc/bench.txt (got '$v')";;
	*) ok "figure $n = $v";; esac
done
# Each folder's main header says what the folder owns and what it may call.
for h in daemon/daemon.h daemon/config/config.h daemon/discipline/discipline.h \
	 daemon/source/source.h daemon/leap/leap.h daemon/record/recovery.h daemon/ctl/ctl.h \
	 daemon/metrics/metrics.h daemon/ntpserve/ntpserve.h daemon/lifecycle/ops.h servo/servo.h \
	 phc/clock.h util/util.h; do
	d=${h%/*}/
	if grep -q "^ \* $d owns " "$h" && grep -q "^ \* It may call " "$h"; then
		ok "$h says what $d owns and may call"
	else bad "$h lacks the two lines ' * $d owns ...' and ' * It may call ...'"; fi
done
for d in $(find daemon servo phc util -name '*.c' -exec dirname {} \; | sort -u); do
	if grep -qs "^ \* $d/ owns " "$d"/*.h; then ok "$d/ has a main header"
	else bad "$d/ has no header saying what it owns"; fi
done
# Sizes: no production file over 600 lines, no function over 60 (sizes.sh).
sizes=$(sh tests/arch/sizes.sh)
printf '%s\n' "$sizes" | grep -v '^sizes:'
pass=$((pass + $(printf '%s\n' "$sizes" | grep -c '^ok')))
fail=$((fail + $(printf '%s\n' "$sizes" | grep -c '^FAIL')))
echo "arch: $pass passed, $fail failed"
[ $fail -eq 0 ]
