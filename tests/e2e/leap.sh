# Leap-second end-to-end tests (issue 4), sourced by tests/e2e/run-tests.sh:
# each policy for an inserted and a deleted leap, the system clock following
# a TAI reference PHC; figures from the simulator's truth.
LSCN=tests/e2e/scenarios
NEG="$PWD/tests/leap/negative.list"	# tzdata's file with a 2026-12-31 deletion

# leapconf DIR KIND POLICY CAP [MORE KEY=VALUE LINES]
leapconf() {
	d=$1 kind=$2 pol=$3 cap=$4; shift 4
	lf=""
	[ "$kind" = del ] && lf="leapfile = $NEG"
	{
		echo "[CLOCK_REALTIME]"
		echo "source = phc:/dev/ptp0"
		echo "max_slew_ppm = $cap"
		echo "leap_policy = $pol"
		for kv in "$@"; do echo "$kv"; done
	} | mkconf "$d" "$lf"
}

for kind in ins del; do
	ev=leap_insert; [ $kind = del ] && ev=leap_delete
	pat="^event [0-9]* $ev .*CLOCK_REALTIME"

	# accept: the kernel leaps; no excursion.
	d=$(newdir accept_$kind)
	leapconf "$d" $kind accept 100000
	simrun "$d" $LSCN/leap_$kind.scn --duration 1200 --csv-interval 0.05
	# truth every 50 ms from 10 s before to 30 s after the leap, leaving out
	# the kernel's instant: t = 600 s (23:59:60 begins) for an insertion,
	# 599 s (23:59:59 skipped) for a deletion
	inst=600; [ $kind = del ] && inst=599
	peak=$(csvmax "$d" 590 630 $inst)
	echo "     accept $kind: max |offset| ${peak} ns"
	check "leap accept ($kind): ran to the end" "$d/log" ran_to_end "$d"
	check "leap accept ($kind): max |offset| vs UTC < 1 us around the leap" "$d/log" lt "$peak" 1000
	check "leap accept ($kind): kernel armed on the day" "$d/log" grep -q "armed in the kernel" "$d/log"
	own=$(daemon_recovery "$d" leap)
	check "leap accept ($kind): daemon reports the leap recovered at once (${own} s), as the truth" "$d/log" lt "$own" 1
	check "leap accept ($kind): audit trail has leap_armed and leap_applied" "$d/log" \
		sh -c "grep -q ' leap_armed ' '$d/audit.log' && grep -q ' leap_applied ' '$d/audit.log'"

	# ignore: 1 s off after the leap, slewed away at the cap.
	for cap in 100000 1000; do
		d=$(newdir ignore_${kind}_$cap)
		leapconf "$d" $kind ignore $cap
		simrun "$d" $LSCN/leap_$kind.scn
		r1ms=$(sumval "$d" "$pat" recover_1ms_s)
		r1us=$(sumval "$d" "$pat" recover_1us_s)
		own=$(daemon_recovery "$d" leap)
		lim=$(awk -v c=$cap 'BEGIN { print 1e6 / c }')
		echo "     ignore $kind cap $cap: <1ms ${r1ms}s <1us ${r1us}s daemon ${own}s (limit ${lim}s)"
		check "leap ignore ($kind, $cap ppm): < 1 ms within 1.05 x limit" "$d/log" \
			lt "$r1ms" "$(awk -v l=$lim 'BEGIN { print 1.05 * l }')"
		check "leap ignore ($kind, $cap ppm): < 1 us within 1.1 x limit" "$d/log" \
			lt "$r1us" "$(awk -v l=$lim 'BEGIN { print 1.1 * l }')"
		check "leap ignore ($kind, $cap ppm): no step" "$d/log" \
			[ "$(sumval "$d" "^clock CLOCK_REALTIME" steps)" = 0 ]
		check "leap ignore ($kind, $cap ppm): daemon's recovery time = truth within 1 s" "$d/log" \
			near "$own" "$r1us" 1
	done

	# step: one step by the leap at its instant (as chronyd), the servo
	# held 5 s either side.
	d=$(newdir step_$kind)
	leapconf "$d" $kind step 100000
	simrun "$d" $LSCN/leap_$kind.scn --duration 1200 --csv-interval 0.1
	r1us=$(sumval "$d" "$pat" recover_1us_s)
	own=$(daemon_recovery "$d" leap)
	echo "     step $kind: <1us ${r1us}s daemon ${own}s"
	check "leap step ($kind): one step" "$d/log" [ "$(sumval "$d" "^clock CLOCK_REALTIME" steps)" = 1 ]
	check "leap step ($kind): stepped at the leap's instant (< 1 us within 10 ms)" "$d/log" lt "$r1us" 0.01
	after=$(csvmax "$d" 600.45 600.55)
	check "leap step ($kind): |offset| 0.5 s after the leap < 1 us (${after} ns)" "$d/log" lt "$after" 1000
	check "leap step ($kind): daemon's recovery time = truth within 1 s" "$d/log" near "$own" "$r1us" 1
	check "leap step ($kind): audited with its size" "$d/log" \
		grep -q "step delta_ns=$([ $kind = ins ] && echo -1000000000 || echo 1000000000) reason=leap_policy_step" "$d/audit.log"

	# smear (Google/AWS: 24 h of UTC, noon to noon, linear).
	d=$(newdir smear_$kind)
	leapconf "$d" $kind smear 100000 "smear = google"
	simrun "$d" $LSCN/smear_$kind.scn --csv-interval 1
	delta=1; [ $kind = del ] && delta=-1
	build/tests/tools/smearcheck "$d/truth.csv" CLOCK_REALTIME 43800 $delta -43300 google > "$d/smear" 2>&1
	dev=$(sed -n 's/^max_dev_ns //p' "$d/smear")
	rate=$(sed -n 's/^max_rate_ppm //p' "$d/smear")
	echo "     smear $kind: max deviation from the curve ${dev} ns, max rate ${rate} ppm"
	check "leap smear ($kind): ran to the end" "$d/log" ran_to_end "$d"
	check "leap smear ($kind): never more than 1 us from the smear curve" "$d/log" lt "$dev" 1000
	check "leap smear ($kind): rate within 11.6 ppm (1 s / 86401 s)" "$d/log" lt "$rate" 11.6
	check "leap smear ($kind): log says SMEARING with the offset" "$d/log" grep -q "SMEARING the leap second" "$d/log"
	own=$(daemon_recovery "$d" leap)
	check "leap smear ($kind): daemon reports no excursion from the smear (${own} s)" "$d/log" lt "$own" 1
done

# A short custom smear (1000 s linear, centred), truth every 20 ms: the
# rate steps where the window opens and closes must not leave the clock
# behind the curve even for a moment.
d=$(newdir smear_custom)
leapconf "$d" ins smear 100000 "smear = custom" "smear_window = 1000" "smear_start = -500" \
	"smear_shape = linear"
simrun "$d" $LSCN/leap_ins.scn --duration 1200 --csv-interval 0.02
build/tests/tools/smearcheck "$d/truth.csv" CLOCK_REALTIME 600 1 -300 custom 1000 -500 linear \
	> "$d/smear" 2>&1
dev=$(sed -n 's/^max_dev_ns //p' "$d/smear")
echo "     smear custom 1000 s: max deviation ${dev} ns (20 ms rows)"
check "leap smear (custom 1000 s, linear): within 1 us of the curve at every 20 ms" "$d/log" lt "$dev" 1000

# An armed leap survives a step: 1 s time jump at 23:55, the daemon steps it
# back (step_threshold 0.5 s); the kernel's ntp_clear() dropped the armed
# leap, so the daemon must arm it again, and the leap must still happen.
d=$(newdir rearm)
leapconf "$d" ins accept 100000 "step_threshold = 0.5"
simrun "$d" $LSCN/leap_step_armed.scn --duration 1200 --csv-interval 0.05
peak=$(csvmax "$d" 590 630 600)
echo "     armed leap after a step: max |offset| around the leap ${peak} ns"
check "leap accept after a step: the daemon re-arms the kernel" "$d/log" grep -q "arming it again" "$d/log"
check "leap accept after a step: the leap still happens (max |offset| < 1 us)" "$d/log" lt "$peak" 1000
after=$(csvmax "$d" 301 590)
echo "     after the step for a 1 s time jump: max |offset| ${after} ns"
check "a step for a sudden 1 s jump leaves the servo's frequency alone (< 1 us after it)" "$d/log" lt "$after" 1000
