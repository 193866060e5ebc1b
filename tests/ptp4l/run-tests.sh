#!/bin/sh
# gnomond against a real ptp4l (Debian's linuxptp), with no clock touched:
# two network namespaces joined by a veth pair, software time stamping,
# a ptp4l master in one and a ptp4l slave in the other, both free_running
# (they measure and never adjust a clock), and gnomond --dry-run with
# source = ptp4l on the slave's management socket. Prints "ptp4l: N passed,
# N failed"; SKIPs (0 failed) where namespaces cannot be made.
#
# Debian's linuxptp 3.1 never takes a free_running port past UNCALIBRATED
# (clock_no_adjust() reports its servo unlocked), so SLAVE is asserted only
# where the installed ptp4l gets there; what the test then checks is what
# the issue was about: gnomond does not call the clock LOCKED meanwhile.
# Usage: sh tests/ptp4l/run-tests.sh [BUILD]
cd "$(dirname "$0")/../.." || exit 2
build=${1:-build}
G=$build/gnomond
CTL=$build/gnomonctl
PTP4L=${PTP4L:-/usr/sbin/ptp4l}
PMC=${PMC:-/usr/sbin/pmc}
pass=0; fail=0
ok() { pass=$((pass + 1)); echo "ok   $1"; }
bad() { fail=$((fail + 1)); echo "FAIL $1"; }
expect() { n=$1; shift; if "$@"; then ok "$n"; else bad "$n"; fi; }
skip() { echo "SKIP: $1"; echo "ptp4l: 0 passed, 0 failed (skipped)"; exit 0; }

[ -x "$PTP4L" ] && [ -x "$PMC" ] || skip "no ptp4l/pmc (linuxptp, installed by scripts/deps.sh)"
[ -x "$G" ] || { echo "ptp4l: 0 passed, 1 failed (no $G)"; exit 1; }
[ "$(id -u)" = 0 ] || skip "network namespaces need root"
ns=gnm$$
NM=${ns}m NS=${ns}s
tmp=$(mktemp -d /tmp/gnomon-ptp4l.XXXXXX)
gpid= mpid= spid=
cleanup() {
	for p in $gpid $mpid $spid; do kill "$p" 2>/dev/null; done
	sleep 0.2
	ip netns del "$NM" 2>/dev/null; ip netns del "$NS" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
if ! ip netns add "$NM" 2>/dev/null || ! ip netns add "$NS" 2>/dev/null ||
   ! ip link add "${ns}a" type veth peer name "${ns}b" 2>/dev/null; then
	skip "cannot make network namespaces and a veth pair here"
fi
ip link set "${ns}a" netns "$NM" && ip link set "${ns}b" netns "$NS" &&
ip -n "$NM" addr add 10.231.0.1/24 dev "${ns}a" && ip -n "$NS" addr add 10.231.0.2/24 dev "${ns}b" &&
ip -n "$NM" link set "${ns}a" up && ip -n "$NS" link set "${ns}b" up &&
ip -n "$NM" link set lo up && ip -n "$NS" link set lo up || skip "cannot configure the veth pair"

# free_running 1: ptp4l measures and never adjusts a clock
start_master() {
	ip netns exec "$NM" "$PTP4L" -i "${ns}a" -S -m --free_running 1 --priority1 10 \
		--logAnnounceInterval -2 --announceReceiptTimeout 2 \
		--uds_address "$tmp/m.sock" >> "$tmp/m.log" 2>&1 &
	mpid=$!
}
start_slave() {
	ip netns exec "$NS" "$PTP4L" -i "${ns}b" -S -s -m --free_running 1 \
		--logAnnounceInterval -2 --announceReceiptTimeout 2 \
		--uds_address "$tmp/s.sock" >> "$tmp/s.log" 2>&1 &
	spid=$!
}
start_master
mkdir -p "$tmp/state"
cat > "$tmp/g.conf" <<EOF
[global]
state_dir = $tmp/state
control_socket = $tmp/ctl.sock
control_socket_ro = none
pidfile = none
allow_root = yes
log_level = debug

[CLOCK_REALTIME]
source = ptp4l:$tmp/s.sock
EOF
sleep 0.5
"$G" -n -d -f "$tmp/g.conf" > "$tmp/g.log" 2>&1 &
gpid=$!
sleep 1.5	# gnomond first finds no ptp4l (a fault), then the slave's port LISTENING
start_slave

# wait_for SECONDS PATTERN FILE: until a line matches
wait_for() {
	_n=$(( $1 * 10 ))
	while [ $_n -gt 0 ]; do
		grep -q -- "$2" "$3" 2>/dev/null && return 0
		sleep 0.1; _n=$((_n - 1))
	done
	return 1
}
st() { "$CTL" -s "$tmp/ctl.sock" --json status 2>/dev/null; }
# jq-free: the value of "key" in the ptp object of gnomonctl --json status
field() { st | tr ',{}' '\n\n\n' | grep "\"$1\"" | head -n 1 | sed 's/.*: *//; s/"//g; s/ //g'; }

# wait_field SECONDS KEY VALUE: until gnomonctl's status says so
wait_field() {
	_n=$(( $1 * 5 ))
	while [ $_n -gt 0 ]; do
		[ "$(field "$2")" = "$3" ] && return 0
		sleep 0.2; _n=$((_n - 1))
	done
	return 1
}

expect "gnomond answers on its control socket" wait_for 10 "started" "$tmp/g.log"
expect "no ptp4l yet: a source fault" wait_for 10 "reading ptp4l:.* failed" "$tmp/g.log"
expect "ptp4l's port seen LISTENING" wait_for 15 "ptp4l port 1: (none) -> LISTENING" "$tmp/g.log"
expect "port seen UNCALIBRATED" wait_for 30 "ptp4l port 1: LISTENING -> UNCALIBRATED" "$tmp/g.log"
if wait_for 10 "UNCALIBRATED to SLAVE" "$tmp/s.log"; then
	expect "port seen SLAVE" wait_for 10 "ptp4l port 1: UNCALIBRATED -> SLAVE" "$tmp/g.log"
else
	ok "this ptp4l keeps a free_running port UNCALIBRATED ($($PTP4L -v 2>&1)): SLAVE not reachable"
	expect "not LOCKED while the port is UNCALIBRATED" [ "$(field state)" != LOCKED ]
	expect "status says why" [ "$(field state_reason)" = "ptp4lportUNCALIBRATED" ]
fi
gm=$(ip netns exec "$NM" "$PMC" -u -b 0 -s "$tmp/m.sock" 'GET DEFAULT_DATA_SET' 2>/dev/null |
	awk '$1 == "clockIdentity" { print $2 }')
expect "grandmaster identity $gm in status" [ -n "$gm" ] && [ "$(field gm_identity)" = "$gm" ]
expect "gmPresent true" [ "$(field gm_present)" = true ]
expect "currentUtcOffset 37 in status" [ "$(field utc_offset_s)" = 37 ]
expect "gnomonctl status shows the ptp4l lines" sh -c "'$CTL' -s '$tmp/ctl.sock' status | grep -q '^Grandmaster.*present'"

# the JSON of a ptp4l clock is what doc/gnomonctl-v1.schema.json says
if cc -std=gnu11 -O2 -D_GNU_SOURCE $(pkg-config --cflags json-c) -o "$tmp/schema_check" \
	tests/ops/schema_check.c $(pkg-config --libs json-c) -lm 2> "$tmp/cc.err"; then
	st > "$tmp/status.json"
	expect "gnomonctl --json status valid against the v1 schema" \
		"$tmp/schema_check" doc/gnomonctl-v1.schema.json status "$tmp/status.json"
fi

# a leap announced by the grandmaster only
ip netns exec "$NM" "$PMC" -u -b 0 -s "$tmp/m.sock" \
	'SET GRANDMASTER_SETTINGS_NP clockClass 6 clockAccuracy 0x21 offsetScaledLogVariance 0x4e5d currentUtcOffset 37 leap61 1 leap59 0 currentUtcOffsetValid 1 ptpTimescale 1 timeTraceable 1 frequencyTraceable 1 timeSource 0x20' > /dev/null 2>&1
expect "leap61 from the grandmaster reaches gnomond" wait_for 15 "grandmaster announces a leap second insertion" "$tmp/g.log"
expect "status: leap61 set" [ "$(field leap61)" = true ]
expect "status: an insertion announced by ptp" [ "$(field ptp_leap)" = 1 ]
if [ -n "$("$CTL" -s "$tmp/ctl.sock" status 2>/dev/null | grep 'Leap.*grandmaster: insertion announced')" ]; then
	ok "gnomonctl status: the leap with its source"; else bad "gnomonctl status: the leap with its source"; fi

# the master dies: no grandmaster (first back to UNCALIBRATED or SLAVE:
# the GRANDMASTER_SETTINGS_NP change made the slave start over)
wait_field 30 port_state UNCALIBRATED || wait_field 5 port_state SLAVE
kill "$mpid"; mpid=
# ptp4l 3.1 with slaveOnly keeps gmPresent 1 (and the dead GM's identity)
# in LISTENING: then the port state is what says the grandmaster is gone
gm_gone() { [ "$(field gm_present)" = false ] || [ "$(field port_state)" = LISTENING ]; }
wait_gone() { _n=150; while [ $_n -gt 0 ]; do gm_gone && return 0; sleep 0.2; _n=$((_n - 1)); done; return 1; }
expect "killing the master: gmPresent false or the port LISTENING" wait_gone
expect "not LOCKED without a grandmaster" [ "$(field state)" != LOCKED ]

# the slave ptp4l restarts: a fault, then gnomond reconnects
kill "$spid"; spid=
expect "slave ptp4l gone: a source fault" wait_for 10 "ptp4l at .*: \(receiving\|cannot send\|no answer\|cannot connect\)" "$tmp/g.log"
start_slave
expect "gnomond reconnects to the restarted ptp4l" wait_for 15 "answers again" "$tmp/g.log"
expect "gnomond still running" kill -0 "$gpid"
grep -q "runtime error\|AddressSanitizer" "$tmp/g.log" && bad "sanitizer report"
[ "$fail" -ne 0 ] && { echo "--- gnomond log"; grep -v "offset .* freq .* delay\|client fd" "$tmp/g.log" | tail -n 40; tail -n 5 "$tmp/s.log"; }
echo "ptp4l: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
