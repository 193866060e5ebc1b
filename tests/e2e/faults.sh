# Sourced by tests/e2e/run-tests.sh: the faults a NIC gives
# (phc_faults.scn). Each is reported, puts the clock in HOLDOVER, and is
# recovered from: a dead descriptor (a hot-unplug, a NIC reset: ENODEV on
# every call until the device is opened again) is reopened once the device
# is back, of the target and of the reference; ENODEV and EBUSY windows are
# waited out; a frequency the driver reset to 0 is found and set again.
d=$(newdir faults)
mkconf "$d" <<EOF2
[/dev/ptp1]
source = phc:/dev/ptp0
max_slew_ppm = 500
EOF2
simrun "$d" tests/e2e/scenarios/phc_faults.scn
ev() { sumval "$d" "^event $1 .*clock ptp1" "$2"; }
echo "     faults: peaks unplug ptp1 $(ev 1 peak_ns) ns, ptp0 $(ev 3 peak_ns) ns, ebusy $(ev 5 peak_ns) ns, enodev $(ev 7 peak_ns) ns, freq reset $(ev 9 peak_ns) ns"
check "faults: ran to the end" "$d/log" ran_to_end "$d"
check "faults: each fault reported (unplug x2, ENODEV: No such device; EBUSY)" "$d/log" \
	sh -c "[ \$(grep -c 'failed: No such device' '$d/log') = 3 ] &&
	       [ \$(grep -c 'failed: Device or resource busy' '$d/log') = 1 ]"
check "faults: each fault put the clock in HOLDOVER and it locked again" "$d/log" \
	sh -c "[ \$(grep -c 'ptp1: HOLDOVER' '$d/log') = 4 ] && [ \$(grep -c 'ptp1: LOCKED' '$d/log') = 5 ]"
check "faults: the unplugged target reopened once it was back (63 s)" "$d/log" \
	grep -q '\[1063\.[0-9]*\] /dev/ptp1: /dev/ptp1 reopened: its descriptor had died' "$d/log"
check "faults: the unplugged reference reopened once it was back (102 s)" "$d/log" \
	grep -q '\[1102\.[0-9]*\] /dev/ptp1: /dev/ptp0 reopened: its descriptor had died' "$d/log"
check "faults: a mere ENODEV window reopens nothing" "$d/log" \
	[ "$(grep -c 'reopened' "$d/log")" = 2 ]
check "faults: both reopens audited" "$d/log" \
	sh -c "grep -q ' reopened device=/dev/ptp1 reason=enodev' '$d/audit.log' &&
	       grep -q ' reopened device=/dev/ptp0 reason=enodev' '$d/audit.log'"
check "faults: every fault audited and cleared" "$d/log" \
	sh -c "[ \$(grep -c ' fault what=read' '$d/audit.log') = 4 ] &&
	       [ \$(grep -c ' fault_cleared ' '$d/audit.log') = 4 ]"
for k in 1 3 5 7; do
	check "faults: $(awk -v k=$k '$1 == "event" && $2 == k { print $3; exit }' "$d/summary"): held within 100 ns" \
		"$d/log" lt "$(ev $k peak_ns)" 100
done
check "faults: the frequency reset to 0 found and re-applied (peak < 2 us, < 1 us again within 5 s)" "$d/log" \
	sh -c "grep -q 'ptp1: frequency set to +0.000 ppm' '$d/log' &&
	       awk -v p=$(ev 9 peak_ns) -v r=$(ev 9 recover_1us_s) 'BEGIN { exit !(p < 2000 && r < 5) }'"
check "faults: the final offset < 100 ns" "$d/log" lt "$(sumval "$d" "^clock ptp1" final_ns | tr -d -)" 100
