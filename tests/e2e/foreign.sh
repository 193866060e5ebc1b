# Sourced by tests/e2e/run-tests.sh: steps made by someone else. Another
# process steps the system clock (the scenario's 'step' event: what
# settimeofday does, ntp_clear() included); gnomond must see it as a step
# (CLOCK_REALTIME moved against CLOCK_MONOTONIC), log and audit it with its
# size, report a recovery event that agrees with the truth, and re-base
# the servo: the slew back at the cap lands without a swing.

# fstep DIR STEP STEP_THRESHOLD [KEY = VALUE...]: the 'step' scenario with
# STEP, at 100000 ppm
fstep() {
	d=$1 st=$2 thr=$3; shift 3
	sed "s/^at 300 step CLOCK_REALTIME .*/at 300 step CLOCK_REALTIME $st/" \
		tests/e2e/scenarios/foreign_step.scn > "$d/foreign.scn"
	{
		echo "[CLOCK_REALTIME]"
		echo "source = phc:/dev/ptp0"
		echo "max_slew_ppm = 100000"
		echo "step_threshold = $thr"
		for kv in "$@"; do echo "$kv"; done
	} | mkconf "$d"
	simrun "$d" "$d/foreign.scn"
}

for step in 0.5s -0.25s; do
	ns=500000000 lim=5; [ $step = -0.25s ] && ns=-250000000 lim=2.5
	pat="^event 1 step:CLOCK_REALTIME .*clock CLOCK_REALTIME"
	d=$(newdir foreign$step)
	fstep "$d" $step 0
	r1us=$(sumval "$d" "$pat" recover_1us_s)
	over=$(sumval "$d" "$pat" overshoot_ns)
	own=$(daemon_recovery "$d" step)
	echo "     foreign step $step, slewed back: <1us ${r1us}s (limit ${lim}s) overshoot ${over}ns daemon ${own}s"
	check "foreign step $step: ran to the end" "$d/log" ran_to_end "$d"
	check "foreign step $step: the simulator made it, not the daemon" "$d/log" \
		[ "$(sumval "$d" "^clock CLOCK_REALTIME" foreign_steps)/$(sumval "$d" "^clock CLOCK_REALTIME" steps)" = 1/0 ]
	check "foreign step $step: logged with its size" "$d/log" \
		grep -q "stepped by $(awk -v n=$ns 'BEGIN { printf "%+.9f", n / 1e9 }') s by someone else" "$d/log"
	check "foreign step $step: audited with its size" "$d/log" \
		grep -q " step delta_ns=$ns reason=foreign" "$d/audit.log"
	check "foreign step $step: a recovery event (step) the daemon saw recover" "$d/log" \
		grep -q "recovered from step in" "$d/log"
	check "foreign step $step: daemon's recovery time = truth within 1 s" "$d/log" near "$own" "$r1us" 1
	check "foreign step $step: slewed back within the limit + 1 s" "$d/log" \
		lt "$r1us" "$(awk -v l=$lim 'BEGIN { print l + 1 }')"
	check "foreign step $step: no swing (overshoot < 1 us)" "$d/log" lt "$over" 1000
done

# With a step threshold the daemon steps back at once; that step belongs to
# the same recovery event.
d=$(newdir foreign_stepback)
fstep "$d" 0.5s 0.1
r1us=$(sumval "$d" "^event 1 step:CLOCK_REALTIME .*clock CLOCK_REALTIME" recover_1us_s)
own=$(daemon_recovery "$d" step)
echo "     foreign step 0.5 s, stepped back: truth ${r1us}s daemon ${own}s"
check "foreign step, stepped back: the daemon stepped once" "$d/log" \
	[ "$(sumval "$d" "^clock CLOCK_REALTIME" steps)" = 1 ]
check "foreign step, stepped back: both steps audited" "$d/log" \
	sh -c "grep -q ' step delta_ns=500000000 reason=foreign' '$d/audit.log' &&
	       grep -q ' step delta_ns=-\\(4999999[0-9][0-9]\\|50000000[0-9]\\) reason=step_threshold' '$d/audit.log'"
check "foreign step, stepped back: one recovery event, as the truth (within 1 s)" "$d/log" \
	sh -c "[ \$(grep -c 'recovered from step' '$d/log') = 1 ] && [ \$(grep -c 'event closed' '$d/log') = 0 ]"
check "foreign step, stepped back: daemon's recovery time = truth within 1 s" "$d/log" near "$own" "$r1us" 1

# A step the tracking servo takes itself (under the planner's engage
# threshold, 4 x lock_threshold: a noisy source's setting): linreg's fit
# must be re-based, or it reads the 10 ms jump as a slope and swings
# (without the re-base: 18.7 s to 1 us, 3.4 ms overshoot).
d=$(newdir foreign_tracked)
fstep "$d" 0.01s 0 "servo = linreg" "lock_threshold = 0.005"
pat="^event 1 step:CLOCK_REALTIME .*clock CLOCK_REALTIME"
r1us=$(sumval "$d" "$pat" recover_1us_s)
over=$(sumval "$d" "$pat" overshoot_ns)
echo "     foreign step 10 ms, linreg tracking: <1us ${r1us}s overshoot ${over}ns"
check "foreign step 10 ms, linreg tracking: re-based, < 1 us within 5 s" "$d/log" lt "$r1us" 5
check "foreign step 10 ms, linreg tracking: re-based, overshoot < 0.5 ms" "$d/log" lt "$over" 500000

# Counted where operators look: gnomonctl --json status (foreign_steps) and
# the metrics textfile (gnomon_clock_foreign_steps_total), asked while the
# daemon runs (--speed 10; the step at 30 s).
GNOMONCTL=${GNOMONCTL:-build/gnomonctl}
d=$(newdir foreign_counted)
sed -e 's/^duration .*/duration 600/' -e 's/^at 300 step/at 30 step/' \
	tests/e2e/scenarios/foreign_step.scn > "$d/foreign.scn"
mkconf "$d" "metrics_textfile = $d/gnomon.prom" "metrics_interval = 1" <<EOF2
[CLOCK_REALTIME]
source = phc:/dev/ptp0
max_slew_ppm = 100000
EOF2
"$SIM" $SEED_ARGS --quiet --speed 10 --timeout 60 "$d/foreign.scn" -- "$GNOMOND" -d -f "$d/gnomon.conf" \
	> "$d/log" 2>&1 &
fp=$!
counted() { grep -q '^gnomon_clock_foreign_steps_total{[^}]*} 1$' "$d/gnomon.prom" 2>/dev/null; }
i=0; while [ $i -lt 200 ] && ! counted; do sleep 0.1; i=$((i + 1)); done
"$GNOMONCTL" -s "$d/ctl.sock" -t 2 --json status > "$d/status.json" 2>&1
cp "$d/gnomon.prom" "$d/seen.prom" 2>/dev/null
kill -TERM $fp 2>/dev/null; wait $fp
check "foreign step: gnomon_clock_foreign_steps_total 1 in the metrics" "$d/log" \
	grep -q '^gnomon_clock_foreign_steps_total{[^}]*} 1$' "$d/seen.prom"
check "foreign step: gnomonctl --json status says foreign_steps 1" "$d/status.json" \
	grep -q '"foreign_steps": 1' "$d/status.json"

# The reference stepped: a PHC from CLOCK_REALTIME hears it from the clock's
# observers, says so, opens a step event, and follows the system clock
# there and back at its cap (truth: at most 500 ppm x the ~5 s the system
# clock was away, and back), the daemon's recovery time as the truth's.
d=$(newdir foreign_ref)
mkconf "$d" <<EOF2
[CLOCK_REALTIME]
source = phc:/dev/ptp0
max_slew_ppm = 100000
[/dev/ptp1]
source = CLOCK_REALTIME
max_slew_ppm = 500
EOF2
simrun "$d" tests/e2e/scenarios/foreign_step_ref.scn
pat="^event 1 step:CLOCK_REALTIME .*clock ptp1"
r1us=$(sumval "$d" "$pat" recover_1us_s)
peak=$(sumval "$d" "$pat" peak_ns)
own=$(sed -n 's|.*/dev/ptp1: recovered from step in \([0-9.]*\) s.*|\1|p' "$d/log" | head -n 1)
echo "     reference stepped: ptp1 <1us ${r1us}s peak ${peak}ns daemon ${own}s"
check "reference stepped: the PHC's discipline hears it with its size" "$d/log" \
	grep -q "/dev/ptp1: reference CLOCK_REALTIME stepped by +0.500000000 s by someone else" "$d/log"
check "reference stepped: ptp1's recovery time = truth within 1 s" "$d/log" near "$own" "$r1us" 1
check "reference stepped: ptp1 followed at its cap, no swing (peak < 5 ms)" "$d/log" lt "$peak" 5000000
