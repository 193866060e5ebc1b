# Sourced by tests/e2e/run-tests.sh: exits and restarts never leave a clock
# worse than gnomond found it (issue 8).

# SIGTERM 3 s into a 1 s slew at 10 %: the clock is left at its natural
# frequency (the simulator's truth after the exit), tick back at nominal.
d=$(newdir exit_midslew)
capconf "$d" 100000
simrun "$d" $SCN/sysclk_offset_1s.scn --duration 3
rate=$(sumval "$d" "^exit CLOCK_REALTIME" rate_ppb)
echo "     SIGTERM mid-slew: rate after exit ${rate} ppb"
check "exit mid-slew: the daemon was slewing when SIGTERM came" "$d/log" grep -q "slewing +\(0.99\|1.00\)" "$d/log"
check "exit mid-slew: clock's true rate within 1 ppm after the exit (${rate} ppb)" "$d/log" \
	near "$rate" 0 1000
check "exit mid-slew: tick back at 10000 us" "$d/log" [ "$(sumval "$d" "^exit CLOCK_REALTIME" tick)" = 10000 ]
check "exit mid-slew: what was left is logged" "$d/log" \
	grep -q "leaving the clock at its natural frequency -\(19.9\|20.0\)[0-9]* ppm (measured; tick 10000 us.*it was at -100000.000 ppm)" "$d/log"

# --dry-run claims only what it did: "would", no estimate of time left
# repeated for an offset nothing removes, nothing "left" at the exit.
d=$(newdir dry_claims)
capconf "$d" 100000
GNOMOND_ARGS=-n simrun "$d" $SCN/sysclk_offset_1s.scn --duration 40
check "dry run: 'would set the kernel's TAI offset', never 'set'" "$d/log" \
	sh -c "grep -q \"would set the kernel's TAI offset to 37 s\" '$d/log' &&
	       ! grep -q \"TAI offset set to\\|: set the kernel's TAI\" '$d/log'"
check "dry run: 'would slew'" "$d/log" grep -q "would slew +\(0.99\|1.00\)" "$d/log"
check "dry run: no time-left estimate while nothing is applied" "$d/log" \
	sh -c "grep -q 'recovering from start.*dry run: nothing applied' '$d/log' && ! grep -q ' s left' '$d/log'"
check "dry run: nothing claimed left at the exit" "$d/log" \
	sh -c "grep -q 'dry run: the clock was never adjusted, nothing to leave' '$d/log' &&
	       ! grep -q 'leaving' '$d/log'"
check "dry run: the kernel untouched (no frequency, step or status)" "$d/log" \
	[ "$(sumval "$d" "^clock CLOCK_REALTIME" freq_sets)/$(sumval "$d" "^clock CLOCK_REALTIME" steps)/$(sumval "$d" "^clock CLOCK_REALTIME" status_sets)" = "0/0/0" ]

# A drift file: the SIGTERM above kept the natural frequency in state_dir.
drift="$tmp/exit_midslew/drift.CLOCK_REALTIME"
nat=$(sed -n 's/^natural_ppb //p' "$drift" 2>/dev/null)
check "drift file written at exit with the natural frequency (${nat} ppb)" "$tmp/exit_midslew/log" \
	near "$nat" -20000 100

# kill -9 mid-slew, restart on the same kernel (still at -10 %): the
# restarted daemon starts from the drift file and converges as fast as a
# fresh start with the same drift file, with no overshoot.
restart() {	# restart NAME TICK [drift]: DIR in $d
	d=$(newdir "$1")
	capconf "$d" 100000
	[ -n "$3" ] && cp "$drift" "$d/"
	sed "s/^	tick 9000/	tick $2/" tests/e2e/scenarios/restart_midslew.scn > "$d/scn"
	simrun "$d" "$d/scn"
}
restart fresh 10000 drift; fr=$(sumval "$d" "^event 0 start.*CLOCK_REALTIME" recover_1us_s)
restart killed 9000 drift
kr=$(sumval "$d" "^event 0 start.*CLOCK_REALTIME" recover_1us_s)
ko=$(sumval "$d" "^event 0 start.*CLOCK_REALTIME" overshoot_ns)
echo "     restart after kill -9 mid-slew: <1us ${kr}s (fresh start ${fr}s), overshoot ${ko}ns"
check "restart after kill -9: starts from the drift file, says so" "$d/log" \
	grep -q "far from the drift file's -\(19.9\|20.0\)[0-9]* ppm (a previous run stopped mid-slew?): starting from the drift file" "$d/log"
check "restart after kill -9: < 1 us as fast as a fresh start (${kr} s vs ${fr} s)" "$d/log" \
	lt "$kr" "$(awk -v f="$fr" 'BEGIN { print f + 0.05 }')"
check "restart after kill -9: no overshoot (${ko} ns < 1 us)" "$d/log" lt "$ko" 1000
restart nodrift 9000
check "restart without a drift file: the slew left in the kernel is reported as suspect" "$d/log" \
	grep -q "frequency -100000.000 ppm (tick 9000 us) at start is suspect.*no drift file: starting from 0 ppm" "$d/log"
check "restart without a drift file: still converges (< 1 us within 10 s)" "$d/log" \
	lt "$(sumval "$d" "^event 0 start.*CLOCK_REALTIME" recover_1us_s)" 10

# A broken drift file is named with FILE:LINE and ignored.
d=$(newdir baddrift)
capconf "$d" 100000
printf 'gnomon-drift 1\nnatural_ppb banana\n' > "$d/drift.CLOCK_REALTIME"
simrun "$d" $SCN/sysclk_offset_1s.scn --duration 3
check "broken drift file: FILE:LINE, ignored" "$d/log" \
	grep -q "$d/drift.CLOCK_REALTIME:2: natural_ppb 'banana' is not a frequency within +-500000 ppb; ignoring it" "$d/log"

# Recovery figures that mean what they say: the daemon times each recovery
# from the event's instant, the simulator's truth judges (within 50 ms).
timing() {	# timing NAME DIR DAEMON_EVENT TRUTH_PATTERN
	own=$(daemon_recovery "$2" "$3")
	tru=$(sumval "$2" "$4" recover_1us_s)
	check "recovery from $1 timed from its instant: daemon ${own} s, truth ${tru} s (50 ms)" \
		"$2/log" near "$own" "$tru" 0.05
}
timing "the start (1 s at 100000 ppm)" "$tmp/sys100000" start "^event 0 start.*CLOCK_REALTIME"
timing "the start (1 s at 1000 ppm)" "$tmp/sys1000" start "^event 0 start.*CLOCK_REALTIME"
for k in ins del; do
	timing "a leap ($k, ignore, 100000 ppm)" "$tmp/ignore_${k}_100000" leap \
		"^event [0-9]* leap_[a-z]* .*CLOCK_REALTIME"
	timing "a leap ($k, step)" "$tmp/step_$k" leap "^event [0-9]* leap_[a-z]* .*CLOCK_REALTIME"
	timing "a leap ($k, accept)" "$tmp/accept_$k" leap "^event [0-9]* leap_[a-z]* .*CLOCK_REALTIME"
done
timing "a source fault's end" "$tmp/fault" fault_cleared "^event [0-9]* fault_end:ptp0 .*CLOCK_REALTIME"

# A start a few ns off a clock 20 ppm fast: nothing to slew, so no limit
# and no ratio (not 59447279.9), and its drift is no "overshoot".
d=$(newdir ontime)
capconf "$d" 100000
sed 's/^	offset 1s/	offset 5ns/' $SCN/sysclk_offset_1s.scn > "$d/scn"
simrun "$d" "$d/scn" --duration 30
check "start on time: recovered, overshoot 0, limit absent, no ratio (log)" "$d/log" \
	grep -q "recovered from start in [0-9.]* s (offset at event +0.00000000[0-9] s, peak [0-9.]* s, overshoot 0 ns, limit -)$" "$d/log"
check "start on time: limit_s and ratio null in the history" "$d/log" \
	grep -q '"event":"start".*"limit_s":null,.*"ratio":null' "$d/recovery.jsonl"

# SIGINT takes the same exit path: sent by hand ~3 s into the 10 s slew
# (virtual time paced at real time), the clock is left at its natural rate.
d=$(newdir exit_sigint)
capconf "$d" 100000
"$SIM" $SEED_ARGS --quiet --summary "$d/summary" --timeout 60 --speed 1 --duration 20 \
	$SCN/sysclk_offset_1s.scn -- "$GNOMOND" -d -f "$d/gnomon.conf" > "$d/log" 2>&1 &
sim=$!
i=0; while [ $i -lt 50 ] && ! grep -q "slewing +\(0.99\|1.00\)" "$d/log"; do sleep 0.1; i=$((i + 1)); done
sleep 2
[ -s "$d/gnomond.pid" ] && kill -INT "$(cat "$d/gnomond.pid")"
wait $sim
rate=$(sumval "$d" "^exit CLOCK_REALTIME" rate_ppb)
check "SIGINT mid-slew: clock's true rate within 1 ppm after the exit (${rate} ppb)" "$d/log" \
	sh -c "grep -q 'slewing +\(0.99\|1.00\)' '$d/log' && ! grep -q 'slew done' '$d/log' &&
	       awk -v r='$rate' 'BEGIN { exit !(r != \"\" && r > -1000 && r < 1000) }'"

# A fatal error after a clock was taken over (the next clock cannot be
# opened) on the kernel a kill -9 left at -10 %: that clock is left at the
# drift file's natural frequency, tick back at nominal, not at the slew.
d=$(newdir exit_fatal)
capconf "$d" 100000
printf '\n[/dev/ptp7]\nsource = phc:/dev/ptp0\n' >> "$d/gnomon.conf"
cp "$drift" "$d/"
simrun "$d" tests/e2e/scenarios/restart_midslew.scn
rate=$(sumval "$d" "^exit CLOCK_REALTIME" rate_ppb)
check "fatal error at start: the daemon stopped, saying why" "$d/log" \
	grep -q "cannot open clock /dev/ptp7" "$d/log"
check "fatal error at start: CLOCK_REALTIME left at its natural rate, not the -10 % slew (${rate} ppb)" \
	"$d/log" sh -c "[ '$(sumval "$d" "^exit CLOCK_REALTIME" tick)' = 10000 ] &&
	       awk -v r='$rate' 'BEGIN { exit !(r != \"\" && r > -1000 && r < 1000) }'"

# ... and gnomonctl status does not show a time left for a slew nothing
# applies (asked while the dry run goes on, at 5x real time).
d=$(newdir dry_status)
capconf "$d" 100000
"$SIM" $SEED_ARGS --quiet --summary "$d/summary" --timeout 60 --speed 5 --duration 60 \
	$SCN/sysclk_offset_1s.scn -- "$GNOMOND" -n -d -f "$d/gnomon.conf" > "$d/log" 2>&1 &
sim=$!
i=0; while [ $i -lt 50 ] && ! grep -q "would slew" "$d/log"; do sleep 0.1; i=$((i + 1)); done
sleep 2
"${GNOMONCTL:-build/gnomonctl}" -s "$d/ctl.sock" -t 2 status > "$d/status.txt" 2>&1
"${GNOMONCTL:-build/gnomonctl}" -s "$d/ctl.sock" -t 2 --json status > "$d/status.json" 2>&1
[ -s "$d/gnomond.pid" ] && kill -TERM "$(cat "$d/gnomond.pid")"
wait $sim
check "dry run: gnomonctl status shows no time left for a slew nothing applies" "$d/status.txt" \
	sh -c "grep -q 'Slewing.*would be (dry run: nothing applied)' '$d/status.txt' &&
	       grep -q '\"slew_left_s\": null' '$d/status.json'"
