#!/bin/sh
# tests/docs: what the operator reads before anything runs: the man pages
# lint clean with mandoc (skipped when mandoc is not installed: Debian's
# package "mandoc", scripts/deps.sh) and carry a parseable .TH date, the
# systemd unit claims only what gnomond does and conflicts with every other
# discipline of the system clock, and gnomonctl's --help and --version say
# what is true.
# Usage: tests/docs/run-tests.sh [BUILD_DIR]. Prints "docs: N passed, N failed".
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
cd "$top" || exit 2
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
check() { name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else ko "$name"; fi; }

for m in conf/*.[1-8]; do
	if command -v mandoc >/dev/null 2>&1; then
		out=$(mandoc -Tlint "$m" 2>&1)
		if [ -z "$out" ]; then ok "$m: mandoc -Tlint clean"
		else ko "$m: mandoc -Tlint: $out"; fi
	else
		echo "skip $m: mandoc -Tlint (mandoc not installed)"
	fi
	check "$m: .TH date is YYYY-MM-DD" grep -Eq '^\.TH [^ ]+ [1-8] [0-9]{4}-[0-9]{2}-[0-9]{2} ' "$m"
	check "$m: no control bytes but tab and newline" \
		sh -c "! LC_ALL=C tr -d '\t\n' < '$m' | LC_ALL=C grep -q '[[:cntrl:]]'"
done

u=conf/gnomond.service
desc=$(sed -n 's/^Description=//p' "$u")
# "PTP hardware clock" is what gnomond disciplines; the protocols it does not speak
check "$u: Description claims no PTP or NTP protocol" \
	sh -c "! printf '%s\n' '$desc' | sed 's/PTP hardware clock//g' | grep -Eqw 'PTP|NTP'"
for s in systemd-timesyncd chrony ntp ntpsec openntpd phc2sys; do
	check "$u: Conflicts= $s.service" sh -c "sed -n 's/^Conflicts=//p' '$u' | tr ' ' '\n' | grep -qx '$s.service'"
done
check "$u: ExecStart= without -d (log_target is obeyed)" sh -c "grep '^ExecStart=' '$u' | grep -qv -- ' -d '"

C=$build/gnomonctl
check "gnomonctl --version" sh -c "'$C' --version | grep -Eqx 'gnomonctl [0-9]+\\.[0-9]+\\.[0-9]+'"
check "gnomonctl -V" sh -c "'$C' -V | grep -q '^gnomonctl '"
ro=$(grep -A2 '"control_socket_ro"' daemon/config/config_table.c | sed -n 's/.*\.def = "\([^"]*\)".*/\1/p')
check "gnomonctl --help names the read-only socket $ro" sh -c "'$C' --help | grep -qF '$ro'"
check "gnomon.conf.5 names the same read-only socket" grep -qF "$ro" conf/gnomon.conf.5

echo "docs: $pass passed, $fail failed"
[ $fail -eq 0 ]
