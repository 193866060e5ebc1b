# Sourced by tests/e2e/run-tests.sh: source = ptp4l against the simulator's
# played ptp4l (tests/sim/ptp4lplay.c, GNOMON_SIM_PTP4L), in virtual time.
# The played ptp4l reports its port's scheduled states and the true offset
# of the PHC as its master offset, so the daemon's reports can be held to
# the truth of the whole chain (CLOCK_REALTIME against true UTC).

PSCN=tests/e2e/scenarios

# 1. The chain of the issue: ptp4l has not locked the PHC (10 us off) when
# gnomond starts; it steps it at 16 s and the port is SLAVE from 17 s.
d=$(newdir ptp4l_chain)
ptp4lconf "$d"
ptp4lrun "$d" $PSCN/ptp4l_chain.scn $PSCN/ptp4l_chain.play
truth=$(awk -v r="$(sumval "$d" "^event 1 time_jump:ptp0 .*CLOCK_REALTIME" recover_1us_s)" \
	'BEGIN { printf "%.3f", 16 + r }')
own=$(daemon_recovery "$d" start)
echo "     ptp4l chain: start recovered: daemon ${own} s, truth (whole chain, < 1 us) ${truth} s"
check "ptp4l chain: ran to the end" "$d/log" ran_to_end "$d"
check "ptp4l chain: the port's states seen" "$d/log" grep -q "ptp4l port 1: UNCALIBRATED -> SLAVE" "$d/log"
check "ptp4l chain: not LOCKED before the port is SLAVE" "$d/log" \
	awk '/LOCKED to/ { t = substr($2, 2) + 0; exit !(t >= 1017) } END { if (!NR) exit 1 }' "$d/log"
check "ptp4l chain: ptp4l's step of the PHC seen" "$d/log" grep -q "master offset jumped from +10000 ns" "$d/log"
check "ptp4l chain: start recovery = the whole chain's truth within 1 s" "$d/log" near "$own" "$truth" 1

# 2. A leap announced only by the grandmaster: no leap file.
for pol in accept step; do
	d=$(newdir ptp4l_leap_$pol)
	PTP4L_GLOBAL="leapfile = $d/none.list" ptp4lconf "$d" "leap_policy = $pol"
	ptp4lrun "$d" $PSCN/leap_ins.scn $PSCN/ptp4l_leap.play --duration 900 --csv-interval 0.05
	peak=$(csvmax "$d" 590 630 600)
	after=$(csvmax "$d" 606 630)
	echo "     ptp4l leap ($pol, grandmaster only): max |offset| ${peak} ns, after the pause ${after} ns"
	check "ptp4l leap $pol: ran to the end" "$d/log" ran_to_end "$d"
	check "ptp4l leap $pol: the grandmaster's leap announced" "$d/log" \
		grep -q "grandmaster announces a leap second insertion" "$d/log"
	check "ptp4l leap $pol: no leap file, the grandmaster's word used" "$d/log" \
		grep -q "no leap file: following the grandmaster" "$d/log"
	if [ $pol = accept ]; then
		check "ptp4l leap accept: the kernel armed, |offset| < 1 us around the leap" "$d/log" lt "$peak" 1000
	else
		check "ptp4l leap step: stepped, |offset| < 1 us after the pause" "$d/log" lt "$after" 1000
	fi
done

# 3. The file has the leap, the grandmaster does not announce it: reported
# once with both values; leap_authority = file follows the file.
d=$(newdir ptp4l_disagree)
ptp4lconf "$d" "leap_authority = file"
PLAY_FLAGS=0x3c ptp4lrun "$d" $PSCN/leap_ins.scn $PSCN/ptp4l_leap.play --duration 900 --csv-interval 0.05
peak=$(csvmax "$d" 590 630 600)
n=$(grep -c "the leap file says +1, the grandmaster +0" "$d/log")
check "ptp4l disagreement: ran to the end" "$d/log" ran_to_end "$d"
check "ptp4l disagreement: logged once with both values ($n)" "$d/log" [ "$n" = 1 ]
check "ptp4l disagreement: leap_authority file follows the file (${peak} ns)" "$d/log" lt "$peak" 1000

# 3b. The same disagreement under leap_authority auto (the grandmaster is
# valid and traceable: its word wins, the clock does not leap, which the
# truth shows as 1 s until the grandmaster's own offset moves, then slewed)
# and both-must-agree (no conversion: a fault, not LOCKED, until they agree
# again after the leap).
d=$(newdir ptp4l_disagree_auto)
ptp4lconf "$d"
PLAY_FLAGS=0x3c ptp4lrun "$d" $PSCN/leap_ins.scn $PSCN/ptp4l_leap.play --duration 700 --csv-interval 0.05
after=$(csvmax "$d" 600.2 600.9)	# before the grandmaster's own offset moves at 601 s
check "ptp4l disagreement, auto: the grandmaster's word followed" "$d/log" \
	grep -q "the leap file says +1, the grandmaster +0; following the grandmaster" "$d/log"
check "ptp4l disagreement, auto: no leap taken (truth 1 s off: ${after} ns)" "$d/log" \
	awk -v a="$after" 'BEGIN { exit !(a > 0.99e9 && a < 1.01e9) }'
d=$(newdir ptp4l_disagree_both)
ptp4lconf "$d" "leap_authority = both-must-agree"
PLAY_FLAGS=0x3c ptp4lrun "$d" $PSCN/leap_ins.scn $PSCN/ptp4l_leap.play --duration 700
check "ptp4l disagreement, both-must-agree: neither followed" "$d/log" \
	grep -q "following neither: both must agree" "$d/log"
check "ptp4l disagreement, both-must-agree: a fault, not LOCKED meanwhile" "$d/log" \
	grep -q "converting TAI/UTC (the leap file and the grandmaster disagree" "$d/log"
check "ptp4l disagreement, both-must-agree: LOCKED only once they agree (after the leap)" "$d/log" \
	awk '/LOCKED to/ { t = substr($2, 2) + 0; exit !(t >= 1600) } END { if (!NR) exit 1 }' "$d/log"

# 4. A grandmaster change: a recovery event, timed on the whole chain.
d=$(newdir ptp4l_gm)
ptp4lconf "$d"
ptp4lrun "$d" $PSCN/ptp4l_gm.scn $PSCN/ptp4l_gm.play
own=$(daemon_recovery "$d" source_change)
check "ptp4l gm change: ran to the end" "$d/log" ran_to_end "$d"
echo "     ptp4l grandmaster change: recovered in ${own} s"
check "ptp4l gm change: logged" "$d/log" grep -q "grandmaster changed from 001b21.fffe.000001 to 001b21.fffe.000002" "$d/log"
check "ptp4l gm change: a recovery reported" "$d/log" lt "$own" 30
