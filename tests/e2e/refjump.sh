# Sourced by tests/e2e/run-tests.sh: a reference that jumps far is a fault,
# not a target (ref_reset.scn: the reference PHC reset to 1970 at 60 s).
# Before reference_jump_guard, ptp1 was stepped to 1970 with it by the PHC
# jump guard and CLOCK_REALTIME slewed towards it at the cap.

# rjconf DIR [PTP1-KEY = VALUE...]: ptp1 and CLOCK_REALTIME from ptp0
rjconf() {
	_d=$1; shift
	{ printf '[/dev/ptp1]\nsource = phc:/dev/ptp0\nmax_slew_ppm = 500\n'
	  for kv in "$@"; do echo "$kv"; done
	  printf '[CLOCK_REALTIME]\nsource = phc:/dev/ptp0\nmax_slew_ppm = 500\n'; } | mkconf "$_d"
}
rj() { sumval "$d" "^event 1 .*clock $1" "$2"; }

d=$(newdir refjump)
rjconf "$d"
simrun "$d" tests/e2e/scenarios/ref_reset.scn
echo "     reference reset, refused: peak ptp1 $(rj ptp1 peak_ns) ns, CLOCK_REALTIME $(rj CLOCK_REALTIME peak_ns) ns"
check "reference jump: ran to the end" "$d/log" ran_to_end "$d"
check "reference jump: refused with its size, for both clocks" "$d/log" \
	sh -c "[ \$(grep -c 'reference /dev/ptp0 jumped -1740787297\.[0-9]* s (beyond reference_jump_guard 1 s, a NIC reset?): its samples are refused' '$d/log') = 2 ]"
check "reference jump: both clocks in HOLDOVER" "$d/log" \
	sh -c "grep -q '\[1060\.[0-9]*\] /dev/ptp1: HOLDOVER' '$d/log' && grep -q '\[1060\.[0-9]*\] CLOCK_REALTIME: HOLDOVER' '$d/log'"
check "reference jump: audited" "$d/log" \
	[ "$(grep -c ' reference_jump reference=/dev/ptp0 jump_ns=-17407872970' "$d/audit.log")" = 2 ]
check "reference jump: not accepted alone after reference_jump_accept (60 s)" "$d/log" \
	grep -q '\[1120\.[0-9]*\] /dev/ptp1: reference /dev/ptp0 still -1740787297\.[0-9]* s off after 60 s: not accepted' "$d/log"
check "reference jump: ptp1 held (peak < 1 us, no step)" "$d/log" \
	sh -c "awk -v p=$(rj ptp1 peak_ns) 'BEGIN { exit !(p < 1000) }' && [ $(sumval "$d" "^clock ptp1" steps) = 0 ]"
check "reference jump: CLOCK_REALTIME held (peak < 20 us, no step)" "$d/log" \
	sh -c "awk -v p=$(rj CLOCK_REALTIME peak_ns) 'BEGIN { exit !(p < 20000) }' && [ $(sumval "$d" "^clock CLOCK_REALTIME" steps) = 0 ]"

# ptp4l steps the reference back at 90 s: followed again, LOCKED.
d=$(newdir refjump_back)
sed 's/^at 60 phc_reset ptp0$/&\nat 90 time_jump ptp0 1740787297s/' tests/e2e/scenarios/ref_reset.scn > "$d/back.scn"
rjconf "$d"
simrun "$d" "$d/back.scn"
check "reference back: followed again at 90 s" "$d/log" \
	sh -c "grep -q '\[1090\.[0-9]*\] /dev/ptp1: reference /dev/ptp0 is back where it was expected' '$d/log' &&
	       grep -q '\[1090\.[0-9]*\] /dev/ptp1: phc:/dev/ptp0 working again' '$d/log' &&
	       grep -q '\[109[0-9]\.[0-9]*\] /dev/ptp1: LOCKED' '$d/log'"
check "reference back: ptp1 and CLOCK_REALTIME < 1 us at the end, never stepped" "$d/log" \
	sh -c "awk -v a=$(sumval "$d" "^clock ptp1" final_ns) -v b=$(sumval "$d" "^clock CLOCK_REALTIME" final_ns) 'BEGIN { exit !(a * a < 1e6 && b * b < 1e6) }' &&
	       [ $(sumval "$d" "^clock ptp1" steps) = 0 ] && [ $(sumval "$d" "^clock CLOCK_REALTIME" steps) = 0 ]"

# Accepted alone: after reference_jump_accept the jump is taken as a real
# change of time, and ptp1 is stepped to it (the PHC jump guard).
d=$(newdir refjump_accept)
grep -v '^system\|^	freq 20ppm' tests/e2e/scenarios/ref_reset.scn > "$d/accept.scn"
mkconf "$d" <<EOF2
[/dev/ptp1]
source = phc:/dev/ptp0
max_slew_ppm = 500
reference_jump_accept = 20
reference_jump_accept_alone = yes
EOF2
simrun "$d" "$d/accept.scn"
check "reference jump accepted alone: after 20 s, audited" "$d/log" \
	sh -c "grep -q '\[1080\.[0-9]*\] /dev/ptp1: reference /dev/ptp0 has stayed -1740787297\.[0-9]* s off for 20 s: accepted as a real change of time' '$d/log' &&
	       grep -q ' reference_jump_accepted jump_ns=-17407872970[0-9]* lasted_s=20' '$d/audit.log'"
check "reference jump accepted alone: ptp1 stepped to the reference once" "$d/log" \
	sh -c "[ $(sumval "$d" "^clock ptp1" steps) = 1 ] && grep -q '\[1080\.[0-9]*\] /dev/ptp1: jumped .* stepped back' '$d/log'"

# The disciplined PHC itself reset to 1970 (and its frequency to 0) at
# 60 s: stepped back to its reference at once, whatever step_threshold says
# (0: never step), logged, audited and a recovery event; the frequency
# reset found and set again.
d=$(newdir target_reset)
sed -e 's/^at 60 phc_reset ptp0$/at 60 phc_reset ptp1/' -e '/^system/d' -e '/^	freq 20ppm/d' \
	tests/e2e/scenarios/ref_reset.scn > "$d/target.scn"
mkconf "$d" <<EOF2
[/dev/ptp1]
source = phc:/dev/ptp0
max_slew_ppm = 500
step_threshold = 0
EOF2
simrun "$d" "$d/target.scn"
tr1us=$(sumval "$d" "^event 1 .*clock ptp1" recover_1us_s)
own=$(daemon_recovery "$d" step)
echo "     target reset: < 1 us again in ${tr1us} s (daemon ${own} s)"
check "target reset: stepped back at once, whatever step_threshold" "$d/log" \
	sh -c "[ $(sumval "$d" "^clock ptp1" steps) = 1 ] &&
	       grep -q '\[1060\.[0-9]*\] /dev/ptp1: jumped -1740787297\.[0-9]* s from /dev/ptp0 (beyond phc_jump_guard 1 s, a NIC reset?): stepped back' '$d/log'"
check "target reset: audited" "$d/log" grep -q ' step delta_ns=17407872970[0-9]* reason=phc_jump_guard' "$d/audit.log"
check "target reset: its frequency reset found and set again" "$d/log" \
	grep -q '\[1060\.[0-9]*\] /dev/ptp1: frequency changed behind gnomond.s back to +0.000 ppm' "$d/log"
check "target reset: < 1 us again within 5 s (truth), the daemon's recovery event within 1 s of it" "$d/log" \
	sh -c "awk -v r=$tr1us 'BEGIN { exit !(r < 5) }' && awk -v a=$own -v b=$tr1us 'BEGIN { d = a - b; exit !(d * d <= 1) }'"

# Counted in the metrics, asked while the daemon runs (--speed 40): the
# reference jump (ref_reset.scn, at 60 s) and the two reopens of
# phc_faults.scn (60 and 100 s).
GNOMONCTL=${GNOMONCTL:-build/gnomonctl}
# livemetric DIR SCENARIO PATTERN: run until PATTERN is in the textfile
livemetric() {
	mkconf "$1" "metrics_textfile = $1/gnomon.prom" "metrics_interval = 1" <<EOF2
[/dev/ptp1]
source = phc:/dev/ptp0
max_slew_ppm = 500
EOF2
	"$SIM" --quiet --speed 40 --timeout 60 "$2" -- "$GNOMOND" -d -f "$1/gnomon.conf" \
		> "$1/log" 2>&1 &
	_lp=$!
	_i=0; while [ $_i -lt 200 ] && ! grep -q "$3" "$1/gnomon.prom" 2>/dev/null; do
		sleep 0.1; _i=$((_i + 1)); done
	cp "$1/gnomon.prom" "$1/seen.prom" 2>/dev/null
	kill -TERM $_lp 2>/dev/null; wait $_lp
	grep -q "$3" "$1/seen.prom"
}
d=$(newdir refjump_metric)
check "reference jump: gnomon_clock_reference_jumps_total 1 in the metrics" "$d/log" \
	livemetric "$d" tests/e2e/scenarios/ref_reset.scn '^gnomon_clock_reference_jumps_total{[^}]*} 1$'
d=$(newdir reopen_metric)
check "faults: gnomon_clock_device_reopens_total 2 in the metrics" "$d/log" \
	livemetric "$d" tests/e2e/scenarios/phc_faults.scn '^gnomon_clock_device_reopens_total{[^}]*} 2$'

# A bond's active PHC (the followers' and the system clock's reference)
# reset to 1970 (bond2.scn's members, reset at 100 s): nobody follows it.
d=$(newdir refjump_bond)
grep -v '^at\|^#' tests/e2e/scenarios/bond2.scn | sed 's/^duration .*/duration 200/' > "$d/bond.scn"
echo "at 100 phc_reset ptp0" >> "$d/bond.scn"
mkconf "$d" <<EOF2
[CLOCK_REALTIME]
source = bond:bond0
EOF2
simrun "$d" "$d/bond.scn"
check "bond's active PHC reset: the follower and CLOCK_REALTIME refuse it" "$d/log" \
	sh -c "grep -q '\[1100\.[0-9]*\] eth1: reference eth0 jumped -17[0-9.]* s (beyond reference_jump_guard' '$d/log' &&
	       grep -q '\[1100\.[0-9]*\] CLOCK_REALTIME: reference eth0 jumped -17[0-9.]* s (beyond reference_jump_guard' '$d/log'"
check "bond's active PHC reset: both held (peak < 2 us, no step)" "$d/log" \
	sh -c "awk -v a=$(sumval "$d" '^event 1 .*clock ptp1' peak_ns) -v b=$(sumval "$d" '^event 1 .*clock CLOCK_REALTIME' peak_ns) 'BEGIN { exit !(a < 2000 && b < 2000) }' &&
	       [ $(sumval "$d" '^clock ptp1' steps) = 0 ] && [ $(sumval "$d" '^clock CLOCK_REALTIME' steps) = 0 ]"
