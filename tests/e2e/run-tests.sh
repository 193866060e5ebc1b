#!/bin/sh
# End-to-end tests: the unchanged gnomond under the simulator (tests/sim).
# Figures come from the simulator's truth; the daemon never touches the
# real clock. Prints "e2e: N passed, N failed".
#
# Every scenario runs once per seed of E2E_SEEDS (default: the scenario's
# own seed, "scn", and four more), the seeds in parallel (the runs are mostly
# waiting on each other, not on the CPU). Each check's name starts with its
# seed, so a failure says what to replay:
#   gnomon-sim --seed N SCENARIO -- gnomond ...
# E2E_SEED=N runs one seed only.
cd "$(dirname "$0")/../.." || exit 1
if [ -z "${E2E_SEED:-}" ]; then
	all=$(mktemp -d /tmp/gnomon-e2e-seeds.XXXXXX)
	trap 'rm -rf "$all"' EXIT
	for s in ${E2E_SEEDS:-scn 12 13 14 15}; do
		E2E_SEED=$s sh "$0" "$@" > "$all/$s.log" 2>&1 &
	done
	wait
	p=0; f=0
	for s in ${E2E_SEEDS:-scn 12 13 14 15}; do
		cat "$all/$s.log"
		line=$(grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' "$all/$s.log" | tail -n 1)
		if [ -z "$line" ]; then f=$((f + 1)); echo "FAIL seed $s: the run did not finish"; continue; fi
		p=$((p + $(echo "$line" | awk '{print $2}'))); f=$((f + $(echo "$line" | awk '{print $4}')))
	done
	echo "e2e over seeds ${E2E_SEEDS:-scn 12 13 14 15}: $p passed, $f failed"
	[ $f -eq 0 ]; exit
fi
. tests/e2e/lib.sh
tmp=$(mktemp -d /tmp/gnomon-e2e.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
pass=0; fail=0

ok() { pass=$((pass + 1)); echo "ok   seed $E2E_SEED: $1"; }
bad() { fail=$((fail + 1)); echo "FAIL seed $E2E_SEED: $1"; [ -n "$2" ] && sed 's/^/     /' "$2" | tail -n 25; }
check() {	# check NAME LOGFILE CONDITION...
	name=$1 log=$2; shift 2
	if "$@"; then ok "$name"; else bad "$name" "$log"; fi
}
newdir() { d="$tmp/$1"; mkdir -p "$d"; echo "$d"; }

# 1-2. System clock from a reference PHC: 1 s off, 20 ppm fast, no step.
for cap in 100000 1000; do
	d=$(newdir sys$cap)
	mkconf "$d" <<EOF2
[CLOCK_REALTIME]
source = phc:/dev/ptp0
max_slew_ppm = $cap
EOF2
	if [ $cap = 100000 ]; then dur=60; lim1ms=10.5; lim1us=11; else dur=1500; lim1ms=1050; lim1us=1100; fi
	simrun "$d" $SCN/sysclk_offset_1s.scn --duration $dur
	r1ms=$(sumval "$d" "^event 0 start.*CLOCK_REALTIME" recover_1ms_s)
	r1us=$(sumval "$d" "^event 0 start.*CLOCK_REALTIME" recover_1us_s)
	over=$(sumval "$d" "^event 0 start.*CLOCK_REALTIME" overshoot_ns)
	steps=$(sumval "$d" "^clock CLOCK_REALTIME" steps)
	own=$(daemon_recovery "$d" start)
	echo "     cap $cap ppm: <1ms ${r1ms}s <1us ${r1us}s overshoot ${over}ns daemon ${own}s"
	check "sysclk 1 s at $cap ppm: ran to the end" "$d/log" ran_to_end "$d"
	check "sysclk 1 s at $cap ppm: no step" "$d/log" [ "$steps" = 0 ]
	check "sysclk 1 s at $cap ppm: < 1 ms within $lim1ms s" "$d/log" lt "$r1ms" $lim1ms
	check "sysclk 1 s at $cap ppm: < 1 us within $lim1us s" "$d/log" lt "$r1us" $lim1us
	check "sysclk 1 s at $cap ppm: overshoot < 1 us" "$d/log" lt "$over" 1000
	check "sysclk 1 s at $cap ppm: daemon's recovery time = truth within 1 s" "$d/log" near "$own" "$r1us" 1
done

# 3. A PHC from a PHC (-1 ms, -30 ppm, wander), max_adj 500 ppm.
d=$(newdir phc)
mkconf "$d" <<EOF2
[/dev/ptp1]
source = phc:/dev/ptp0
max_slew_ppm = 500
EOF2
simrun "$d" $SCN/phc_from_phc.scn
rms=$(sumval "$d" "^clock ptp1" rms_ns)
r1us=$(sumval "$d" "^event 0 start.*clock ptp1" recover_1us_s)
echo "     ptp1: rms ${rms}ns <1us ${r1us}s"
check "PHC from PHC: ran to the end" "$d/log" ran_to_end "$d"
check "PHC from PHC: converges (< 1 us within 10 s)" "$d/log" lt "$r1us" 10
check "PHC from PHC: steady RMS < 50 ns" "$d/log" lt "$rms" 50
check "PHC from PHC: no step" "$d/log" [ "$(sumval "$d" "^clock ptp1" steps)" = 0 ]

# 3b. Two disciplines at once: the PHC's servo is not thrown by the system
# clock's 10 % slew (CLOCK_MONOTONIC follows CLOCK_REALTIME).
d=$(newdir two)
mkconf "$d" <<EOF2
[CLOCK_REALTIME]
source = phc:/dev/ptp0
max_slew_ppm = 100000

[/dev/ptp1]
source = phc:/dev/ptp0
max_slew_ppm = 500
EOF2
simrun "$d" tests/e2e/scenarios/two_clocks.scn
r1us=$(sumval "$d" "^event 0 start.*clock ptp1" recover_1us_s)
over=$(sumval "$d" "^event 0 start.*clock ptp1" overshoot_ns)
echo "     two clocks: ptp1 <1us ${r1us}s overshoot ${over}ns"
check "two clocks: ran to the end" "$d/log" ran_to_end "$d"
check "two clocks: ptp1 < 1 us within 3 s while the system clock slews" "$d/log" lt "$r1us" 3
check "two clocks: ptp1 overshoot < 100 ns" "$d/log" lt "$over" 100
check "two clocks: system clock (2 ms off, cold start) < 1 us within 3 s" "$d/log" \
	lt "$(sumval "$d" "^event 0 start.*clock CLOCK_REALTIME" recover_1us_s)" 3

# 4. A cap above the driver's max_adj is refused with FILE:LINE.
d=$(newdir phccap)
mkconf "$d" <<EOF2
[/dev/ptp1]
source = phc:/dev/ptp0
max_slew_ppm = 1000
EOF2
simrun "$d" $SCN/phc_from_phc.scn --duration 5
line=$(grep -n max_slew_ppm "$d/gnomon.conf" | cut -d: -f1)
check "PHC cap above max_adj refused at its line" "$d/log" \
	grep -q "gnomon.conf:$line: max_slew_ppm 1000 is above what /dev/ptp1 accepts (500 ppm)" "$d/log"

# 5. Dry run changes nothing.
d=$(newdir dry)
mkconf "$d" <<EOF2
[CLOCK_REALTIME]
source = phc:/dev/ptp0
max_slew_ppm = 100000
EOF2
GNOMOND_ARGS=-n simrun "$d" $SCN/sysclk_offset_1s.scn --duration 30
check "dry run: ran to the end" "$d/log" ran_to_end "$d"
check "dry run: no frequency set, no step, no status change" "$d/log" \
	[ "$(sumval "$d" "^clock CLOCK_REALTIME" freq_sets)/$(sumval "$d" "^clock CLOCK_REALTIME" steps)/$(sumval "$d" "^clock CLOCK_REALTIME" status_sets)" = "0/0/0" ]
check "dry run: still measures (offset logged)" "$d/log" grep -q "would slew +\(0.99\|1.00\)" "$d/log"

# 5b. No usable leap file with tai_offset = auto: a clear error, and the
# clock is left alone rather than disciplined a second (or 37 s) off.
d=$(newdir noleap)
mkconf "$d" "leapfile = $d/missing.list" <<EOF2
[CLOCK_REALTIME]
source = phc:/dev/ptp0
max_slew_ppm = 100000
EOF2
simrun "$d" $SCN/sysclk_offset_1s.scn --duration 10
check "no leap file: says so and goes on without leap knowledge" "$d/log" \
	grep -q "missing.list: cannot open: No such file or directory; going on without leap knowledge" "$d/log"
check "no leap file: the UTC clock is not disciplined from TAI, and says why" "$d/log" \
	sh -c "grep -q 'no usable leap file and tai_offset = auto' '$d/log' &&
	       [ \"\$(awk '/^clock CLOCK_REALTIME/ { for (i = 1; i < NF; i++) if (\$i == \"freq_sets\") print \$(i + 1) }' '$d/summary')\" = 0 ]"

# 6. PHC read faults are logged and survived.
d=$(newdir fault)
mkconf "$d" <<EOF2
[CLOCK_REALTIME]
source = phc:/dev/ptp0
max_slew_ppm = 1000
holdover_timeout = 10
EOF2
simrun "$d" $SCN/phc_faults.scn
check "fault: EIO logged with the source's name" "$d/log" grep -q "reading phc:/dev/ptp0 failed: Input/output error" "$d/log"
check "fault: recovery logged" "$d/log" grep -q "phc:/dev/ptp0 working again" "$d/log"
check "fault: HOLDOVER while the source fails" "$d/log" grep -q "HOLDOVER" "$d/log"
check "fault: FREERUN once holdover_timeout (10 s) is over" "$d/log" grep -q "FREERUN: holdover of 10 s is over" "$d/log"
check "fault: LOCKED again after the source returns" "$d/log" \
	sh -c "sed -n '/working again/,\$p' '$d/log' | grep -q 'LOCKED to phc:/dev/ptp0'"
check "fault: daemon ran to the end" "$d/log" ran_to_end "$d"
r=$(sumval "$d" "^event [0-9]* fault_end:ptp0 .*CLOCK_REALTIME" recover_1us_s)
check "fault: < 1 us within 5 s of the source's return (${r} s)" "$d/log" lt "$r" 5
r=$(sumval "$d" "^event [0-9]* freq_jump:CLOCK_REALTIME .*CLOCK_REALTIME" recover_1us_s)
check "fault: 5 ppm oscillator jump back under 1 us within 15 s (${r} s)" "$d/log" lt "$r" 15

. tests/e2e/leap.sh
. tests/e2e/operator.sh
. tests/e2e/foreign.sh
. tests/e2e/faults.sh
. tests/e2e/refjump.sh
. tests/e2e/safeexit.sh
. tests/e2e/health.sh
. tests/e2e/ptp4l.sh
. tests/e2e/bond.sh
. tests/e2e/ntp.sh
. tests/e2e/ntpserve.sh
. tests/e2e/tracking.sh

echo "e2e: $pass passed, $fail failed (seed $E2E_SEED)"
[ $fail -eq 0 ]
