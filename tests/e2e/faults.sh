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
	sh -c "grep -q 'ptp1: frequency changed behind gnomond.s back to +0.000 ppm (it had set +30.0[0-9]* ppm): the driver reset it, or another process is adjusting /dev/ptp1; setting it again' '$d/log' &&
	       awk -v p=$(ev 9 peak_ns) -v r=$(ev 9 recover_1us_s) 'BEGIN { exit !(p < 2000 && r < 5) }'"
check "faults: the final offset < 100 ns" "$d/log" lt "$(sumval "$d" "^clock ptp1" final_ns | tr -d -)" 100

# Another process adjusts CLOCK_REALTIME's frequency (once at 100 s), then
# keeps at it (3 changes, frequency and tick, 800-840 s): reported once per
# episode with who, set again at the next update, and an alarm while the
# fight goes on (cleared 10 minutes after the last change, at 1440 s).
d=$(newdir foreign_adjust)
mkconf "$d" <<EOF2
[CLOCK_REALTIME]
source = phc:/dev/ptp0
max_slew_ppm = 500
EOF2
simrun "$d" tests/e2e/scenarios/foreign_adjust.scn
fa() { sumval "$d" "^event $1 .*clock CLOCK_REALTIME" "$2"; }
echo "     foreign adjust: peaks $(fa 1 peak_ns) $(fa 2 peak_ns) $(fa 3 peak_ns) $(fa 4 peak_ns) ns, < 1 us again in $(fa 1 recover_1us_s) $(fa 2 recover_1us_s) $(fa 3 recover_1us_s) $(fa 4 recover_1us_s) s"
check "foreign adjust: ran to the end" "$d/log" ran_to_end "$d"
check "foreign adjust: said who (another process is adjusting CLOCK_REALTIME), once per episode" "$d/log" \
	sh -c "[ \$(grep -c 'frequency changed behind gnomond.s back .*another process is adjusting CLOCK_REALTIME; setting it again' '$d/log') = 2 ]"
check "foreign adjust: the first change of each episode audited" "$d/log" \
	[ "$(grep -c ' freq_foreign ' "$d/audit.log")" = 2 ]
check "foreign adjust: a fight is an alarm (after the third change, 840 s), audited" "$d/log" \
	sh -c "grep -q '\[1840\.[0-9]*\] CLOCK_REALTIME: ALARM: another process keeps adjusting CLOCK_REALTIME (3 frequency changes in 40 s)' '$d/log' &&
	       grep -q ' foreign_alarm changes=3 window_s=40' '$d/audit.log'"
check "foreign adjust: one change alone is no alarm" "$d/log" [ "$(grep -c 'ALARM' "$d/log")" = 1 ]
check "foreign adjust: the alarm clears after 10 quiet minutes" "$d/log" \
	sh -c "grep -q '\[24[45][0-9]\.[0-9]*\] CLOCK_REALTIME: alarm cleared: nobody else adjusted CLOCK_REALTIME for 60[0-9] s' '$d/log' &&
	       grep -q ' foreign_clear quiet_s=60' '$d/audit.log'"
# (< 1 us again within 10 s: over the seeds 0.2-5.3 s, the slowest after a
# frequency reset found 2 updates late, 4 us off)
for k in 1 2 3 4; do
	check "foreign adjust: $(awk -v k=$k '$1 == "event" && $2 == k { print $3; exit }' "$d/summary"): set again (< 1 us within 10 s)" \
		"$d/log" lt "$(fa $k recover_1us_s)" 10
done

# The alarm where operators look, while the fight goes on: gnomonctl
# status and the metrics (--speed 20: the third change at 40 s).
d=$(newdir foreign_alarm)
sed -e 's/^at 800 /at 20 /' -e 's/^at 820 /at 30 /' -e 's/^at 840 /at 40 /' -e '/^at 100 /d' \
	tests/e2e/scenarios/foreign_adjust.scn > "$d/fight.scn"
mkconf "$d" "metrics_textfile = $d/gnomon.prom" "metrics_interval = 1" <<EOF2
[CLOCK_REALTIME]
source = phc:/dev/ptp0
max_slew_ppm = 500
EOF2
"$SIM" $SEED_ARGS --quiet --speed 20 --timeout 60 "$d/fight.scn" -- "$GNOMOND" -d -f "$d/gnomon.conf" \
	> "$d/log" 2>&1 &
fp=$!
alarmed() { grep -q '^gnomon_clock_foreign_adjust_alarm{[^}]*} 1$' "$d/gnomon.prom" 2>/dev/null; }
i=0; while [ $i -lt 300 ] && ! alarmed; do sleep 0.1; i=$((i + 1)); done
"${GNOMONCTL:-build/gnomonctl}" -s "$d/ctl.sock" -t 2 status > "$d/status.txt" 2>&1
"${GNOMONCTL:-build/gnomonctl}" -s "$d/ctl.sock" -t 2 --json status > "$d/status.json" 2>&1
cp "$d/gnomon.prom" "$d/seen.prom" 2>/dev/null
kill -TERM $fp 2>/dev/null; wait $fp
check "foreign alarm: gnomon_clock_foreign_adjust_alarm 1 in the metrics" "$d/log" \
	grep -q '^gnomon_clock_foreign_adjust_alarm{[^}]*} 1$' "$d/seen.prom"
check "foreign alarm: gnomonctl status prints the ALARM" "$d/status.txt" \
	grep -q 'ALARM.*another process keeps adjusting this clock' "$d/status.txt"
check "foreign alarm: gnomonctl --json status: foreign_alarm true, foreign_freqs 3" "$d/status.json" \
	sh -c "grep -q '\"foreign_alarm\": true' '$d/status.json' && grep -q '\"foreign_freqs\": 3' '$d/status.json'"
