# Clock health (issue 16), sourced by tests/e2e/run-tests.sh: CPUs that
# disagree on the time, a clocksource change, timers that end early around
# a leap, and healthy worlds that must raise nothing. The daemon's own
# output (log, audit trail, gnomonctl, metrics) against the scenario.

hconf() {	# hconf DIR [GLOBAL-KEY=VALUE...]: CLOCK_REALTIME from ptp0
	dir=$1; shift
	mkconf "$dir" "$@" <<EOF2
[CLOCK_REALTIME]
source = phc:/dev/ptp0
max_slew_ppm = 100000
EOF2
}
# mono_of DIR PATTERN: the daemon's CLOCK_MONOTONIC stamp of the first log line matching
mono_of() { sed -n "s/^<[0-7]>gnomond\[[0-9]*\]: \[\([0-9.]*\)\] .*$2.*/\1/p" "$1/log" | head -n 1; }
UPTIME=1000	# the scenarios' CLOCK_MONOTONIC at the start
# within V LO HI: LO <= V < HI, V a number (not nan, not empty)
within() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v ~ /^-?[0-9.]+$/ && v + 0 >= lo && v + 0 < hi) }'; }

# The KVM guest: 6 CPUs, CPU 0 85 s behind from 1000 s to 2000 s.
d=$(newdir cpu_lag)
hconf "$d" "cpu_check_interval = 600"
simrun "$d" $LSCN/cpu_lag.scn
t=$(mono_of "$d" "cpu alarm: CPU 0 reads -8[45]")
lag=$(awk -v t="$t" -v u=$UPTIME 'BEGIN { if (t == "") print "nan"; else printf "%.3f", t - u - 1000 }')
echo "     cpu lag: alarm $lag s after CPU 0 fell 85 s behind"
check "cpu lag: alarm names CPU 0 and its 85 s" "$d/log" grep -q "cpu alarm: CPU 0 reads -8[45]\.[0-9]* s off the other CPUs" "$d/log"
check "cpu lag: within one cpu_check_interval (600 s) of the lag's start ($lag s)" "$d/log" \
	within "$lag" 0 601
check "cpu lag: audited" "$d/audit.log" grep -q "health_alarm check=cpu reason=\"CPU 0 reads" "$d/audit.log"
t=$(mono_of "$d" "cpu alarm cleared")
check "cpu lag: cleared within one interval once the lag goes" "$d/log" \
	within "${t:-nan}" $((UPTIME + 2000)) $((UPTIME + 2000 + 601))
check "cpu lag: the system clock was not thrown (max |offset| < 1 us from 600 s)" "$d/log" \
	lt "$(sumval "$d" "^clock CLOCK_REALTIME" max_ns)" 1000

# A healthy 6-CPU host for a simulated day raises nothing.
d=$(newdir healthy_day)
hconf "$d"
simrun "$d" $LSCN/healthy_6cpu.scn
check "healthy day: ran to the end" "$d/log" ran_to_end "$d"
check "healthy day: no health alarm in the log" "$d/log" sh -c "! grep -q 'alarm' '$d/log'"
check "healthy day: none in the audit trail" "$d/audit.log" sh -c "! grep -q 'health_' '$d/audit.log'"

# tsc -> hpet with a 30 ppm jump at 1000 s: reported, a recovery event, and
# the clock back within 1 us in under 30 s.
d=$(newdir clocksource)
hconf "$d"
simrun "$d" $LSCN/clocksource.scn
t=$(mono_of "$d" "clocksource changed from tsc to hpet")
det=$(awk -v t="$t" -v u=$UPTIME 'BEGIN { if (t == "") print "nan"; else printf "%.3f", t - u - 1000 }')
r=$(sumval "$d" "^event [0-9]* clocksource:CLOCK_REALTIME .*clock CLOCK_REALTIME" recover_1us_s)
echo "     clocksource: change noticed $det s after it, clock back < 1 us in $r s"
check "clocksource: change from tsc to hpet logged" "$d/log" grep -q "clocksource changed from tsc to hpet" "$d/log"
check "clocksource: noticed from the frequency jump, within 30 s ($det s)" "$d/log" \
	within "$det" 0 30
check "clocksource: audited" "$d/audit.log" grep -q "clocksource_changed from=tsc to=hpet" "$d/audit.log"
check "clocksource: a recovery event in the history" "$d/recovery.jsonl" grep -q '"event": *"clocksource"' "$d/recovery.jsonl"
check "clocksource: back within 1 us in under 30 s ($r s)" "$d/log" lt "$r" 30
check "clocksource: no alarm (hpet is fit for timekeeping)" "$d/log" sh -c "! grep -q 'alarm' '$d/log'"

# A poor clocksource at start is a warning and an alarm.
d=$(newdir poor_clocksource)
hconf "$d"
sed 's/^clocksources .*/clocksources acpi_pm tsc/; /^at /d' $LSCN/clocksource.scn > "$d/poor.scn"
simrun "$d" "$d/poor.scn" --duration 30
check "poor clocksource: acpi_pm at start raises the clocksource alarm" "$d/log" \
	grep -q "clocksource alarm: clocksource acpi_pm keeps time poorly" "$d/log"

# Leaps: waits that end 1 s early (at once) around the leap make the loop
# spin; REALTIME absolute timers firing 1 s early; a healthy leap.
for v in waits rt healthy; do
	d=$(newdir leap_timer_$v)
	hconf "$d"
	scn=$LSCN/leap_timer_$v.scn; [ $v = healthy ] && scn=$LSCN/leap_ins.scn
	simrun "$d" $scn --duration 1200
	check "leap timers ($v): ran to the end" "$d/log" ran_to_end "$d"
	case $v in
	waits)
		check "leap timers (waits 1 s early): the spin raises the timer alarm" "$d/log" \
			grep -q "timer alarm: the loop woke [0-9]* times a second" "$d/log"
		check "leap timers (waits 1 s early): cleared once waits are on time" "$d/log" \
			grep -q "timer alarm cleared" "$d/log";;
	rt)
		check "leap timers (REALTIME 1 s early): the probe raises its alarm" "$d/log" \
			grep -q "realtime_timer alarm: a CLOCK_REALTIME absolute timer .* fired 1.000 s early" "$d/log"
		check "leap timers (REALTIME 1 s early): audited" "$d/audit.log" \
			grep -q "health_alarm check=realtime_timer" "$d/audit.log";;
	healthy)
		check "leap timers (healthy): the REALTIME probe fired on time" "$d/log" \
			grep -q "CLOCK_REALTIME timer across the leap fired on time" "$d/log"
		check "leap timers (healthy): no alarm" "$d/log" sh -c "! grep -q 'alarm' '$d/log'";;
	esac
done

# What the operator sees while CPU 0 lags: gnomonctl and the metrics.
GNOMONCTL=${GNOMONCTL:-build/gnomonctl}
d=$(newdir cpu_lag_ctl)
sed -e 's/^duration .*/duration 600/' -e 's/^at 1000 /at 5 /' -e '/^at 2000 /d' \
	$LSCN/cpu_lag.scn > "$d/lag.scn"
hconf "$d" "cpu_check_interval = 10" "metrics_textfile = $d/gnomon.prom" "metrics_interval = 1"
"$SIM" $SEED_ARGS --quiet --speed 20 --timeout 60 "$d/lag.scn" -- "$GNOMOND" -d -f "$d/gnomon.conf" \
	> "$d/log" 2>&1 &
hp=$!
degraded() { "$GNOMONCTL" -s "$d/ctl.sock" -t 2 health > "$d/health" 2>&1 &&
	grep -q DEGRADED "$d/health"; }
i=0; while [ $i -lt 200 ] && ! degraded; do sleep 0.1; i=$((i + 1)); done
sleep 0.2
"$GNOMONCTL" -s "$d/ctl.sock" -t 2 status > "$d/status" 2>&1
"$GNOMONCTL" -s "$d/ctl.sock" -t 2 --json health > "$d/health.json" 2>&1
cp "$d/gnomon.prom" "$d/metrics" 2>/dev/null
kill -TERM $hp 2>/dev/null; wait $hp
check "gnomonctl health: DEGRADED, naming CPU 0" "$d/health" \
	grep -q "^Clock health *: DEGRADED: cpu: CPU 0 reads -85" "$d/health"
check "gnomonctl health: the skew table lists 6 CPUs" "$d/health" \
	sh -c "[ \$(grep -cE '^ *[0-5] +[-+][0-9]' '$d/health') = 6 ]"
check "gnomonctl status: the clock-health line" "$d/status" grep -q "^Clock health *: DEGRADED" "$d/status"
check "gnomonctl --json health: degraded true, cpu not ok" "$d/health.json" \
	sh -c "grep -q '\"degraded\": true' '$d/health.json' && grep -q '\"reason\": \"CPU 0' '$d/health.json'"
check "metrics: gnomon_health{check=\"cpu\"} 0 and CPU 0's skew" "$d/metrics" \
	sh -c "grep -q '^gnomon_health{check=\"cpu\"} 0' '$d/metrics' &&
	       grep -Eq '^gnomon_cpu_clock_skew_seconds\{cpu=\"0\"\} -8[45]' '$d/metrics'"
check "metrics: the current clocksource" "$d/metrics" grep -q '^gnomon_clocksource{name="tsc"} 1' "$d/metrics"
