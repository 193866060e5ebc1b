# Sourced by tests/e2e/run-tests.sh: exits and restarts never leave a clock
# worse than gnomond found it (issue 8).

# SIGTERM 3 s into a 1 s slew at 10 %: the clock is left at its natural
# frequency (the simulator's truth after the exit), tick back at nominal.
d=$(newdir exit_midslew)
mkconf "$d" <<EOF2
[CLOCK_REALTIME]
source = phc:/dev/ptp0
max_slew_ppm = 100000
EOF2
simrun "$d" $SCN/sysclk_offset_1s.scn --duration 3
rate=$(sumval "$d" "^exit CLOCK_REALTIME" rate_ppb)
echo "     SIGTERM mid-slew: rate after exit ${rate} ppb"
check "exit mid-slew: the daemon was slewing when SIGTERM came" "$d/log" grep -q "slewing +0.99" "$d/log"
check "exit mid-slew: clock's true rate within 1 ppm after the exit (${rate} ppb)" "$d/log" \
	near "$rate" 0 1000
check "exit mid-slew: tick back at 10000 us" "$d/log" [ "$(sumval "$d" "^exit CLOCK_REALTIME" tick)" = 10000 ]
check "exit mid-slew: what was left is logged" "$d/log" \
	grep -q "leaving the clock at its natural frequency -\(19.9\|20.0\)[0-9]* ppm (measured; tick 10000 us.*it was at -100000.000 ppm)" "$d/log"

# --dry-run claims only what it did: "would", no estimate of time left
# repeated for an offset nothing removes, nothing "left" at the exit.
d=$(newdir dry_claims)
mkconf "$d" <<EOF2
[CLOCK_REALTIME]
source = phc:/dev/ptp0
max_slew_ppm = 100000
EOF2
GNOMOND_ARGS=-n simrun "$d" $SCN/sysclk_offset_1s.scn --duration 40
check "dry run: 'would set the kernel's TAI offset', never 'set'" "$d/log" \
	sh -c "grep -q \"would set the kernel's TAI offset to 37 s\" '$d/log' &&
	       ! grep -q \"TAI offset set to\\|: set the kernel's TAI\" '$d/log'"
check "dry run: 'would slew'" "$d/log" grep -q "would slew +0.99" "$d/log"
check "dry run: no time-left estimate while nothing is applied" "$d/log" \
	sh -c "grep -q 'recovering from start.*dry run: nothing applied' '$d/log' && ! grep -q ' s left' '$d/log'"
check "dry run: nothing claimed left at the exit" "$d/log" \
	sh -c "grep -q 'dry run: the clock was never adjusted, nothing to leave' '$d/log' &&
	       ! grep -q 'leaving' '$d/log'"
check "dry run: the kernel untouched (no frequency, step or status)" "$d/log" \
	[ "$(sumval "$d" "^clock CLOCK_REALTIME" freq_sets)/$(sumval "$d" "^clock CLOCK_REALTIME" steps)/$(sumval "$d" "^clock CLOCK_REALTIME" status_sets)" = "0/0/0" ]
