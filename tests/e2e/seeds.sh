# Sourced by tests/e2e/run-tests.sh: the core scenarios again over several
# seeds of the simulator (E2E_SEEDS, default 5 of them; the sections above
# run each scenario's own seed). Every check names its seed, so a failure
# says which seed to replay: gnomon-sim --seed N SCENARIO -- gnomond ...
E2E_SEEDS=${E2E_SEEDS:-"11 12 13 14 15"}
for seed in $E2E_SEEDS; do
	# the system clock 1 s off at a 10 % cap
	d=$(newdir seed$seed-sys)
	capconf "$d" 100000
	simrun "$d" $SCN/sysclk_offset_1s.scn --duration 60 --seed "$seed"
	r1us=$(sumval "$d" "^event 0 start.*CLOCK_REALTIME" recover_1us_s)
	over=$(sumval "$d" "^event 0 start.*CLOCK_REALTIME" overshoot_ns)
	echo "     seed $seed: sysclk 1 s at 100000 ppm: <1us ${r1us}s overshoot ${over}ns"
	check "seed $seed: sysclk 1 s at 100000 ppm: ran to the end" "$d/log" ran_to_end "$d"
	check "seed $seed: sysclk 1 s at 100000 ppm: no step" "$d/log" \
		[ "$(sumval "$d" "^clock CLOCK_REALTIME" steps)" = 0 ]
	check "seed $seed: sysclk 1 s at 100000 ppm: < 1 us within 11 s" "$d/log" lt "$r1us" 11
	check "seed $seed: sysclk 1 s at 100000 ppm: overshoot < 1 us" "$d/log" lt "$over" 1000

	# a PHC from a PHC with wander
	d=$(newdir seed$seed-phc)
	printf '[/dev/ptp1]\nsource = phc:/dev/ptp0\nmax_slew_ppm = 500\n' | mkconf "$d"
	simrun "$d" $SCN/phc_from_phc.scn --seed "$seed"
	rms=$(sumval "$d" "^clock ptp1" rms_ns)
	r1us=$(sumval "$d" "^event 0 start.*clock ptp1" recover_1us_s)
	echo "     seed $seed: ptp1: rms ${rms}ns <1us ${r1us}s"
	check "seed $seed: PHC from PHC: < 1 us within 10 s" "$d/log" lt "$r1us" 10
	check "seed $seed: PHC from PHC: steady RMS < 50 ns" "$d/log" lt "$rms" 50

	# read faults: HOLDOVER, FREERUN, LOCKED again
	d=$(newdir seed$seed-fault)
	printf '[CLOCK_REALTIME]\nsource = phc:/dev/ptp0\nmax_slew_ppm = 1000\nholdover_timeout = 10\n' |
		mkconf "$d"
	simrun "$d" $SCN/phc_faults.scn --seed "$seed"
	check "seed $seed: fault: HOLDOVER, then FREERUN after 10 s" "$d/log" \
		sh -c "grep -q HOLDOVER '$d/log' && grep -q 'FREERUN: holdover of 10 s is over' '$d/log'"
	check "seed $seed: fault: LOCKED again after the source returns" "$d/log" \
		sh -c "sed -n '/working again/,\$p' '$d/log' | grep -q 'LOCKED to phc:/dev/ptp0'"
	r=$(sumval "$d" "^event [0-9]* fault_end:ptp0 .*CLOCK_REALTIME" recover_1us_s)
	check "seed $seed: fault: < 1 us within 5 s of the source's return (${r} s)" "$d/log" lt "$r" 5
done
