# What the operator sees (issue 8), sourced by tests/e2e/run-tests.sh:
# the severity of each log line, the kernel's sync state, a stalled source,
# HOLDOVER in gnomonctl. Each asserts on the simulator's truth or kernel
# state, or on the daemon's own output.

# Severity: stderr is a file here, not a terminal, so every line carries
# the sd-daemon priority prefix that journald files it under.
d=$(newdir severity)
mkconf "$d" <<EOF2
[CLOCK_REALTIME]
source = phc:/dev/ptp0
max_slew_ppm = 1000
holdover_timeout = 10
EOF2
simrun "$d" $SCN/phc_faults.scn --duration 200
check "severity: every gnomond line starts with <N>" "$d/log" \
	sh -c "! grep 'gnomond\[' '$d/log' | grep -qv '^<[0-7]>gnomond\['"
check "severity: a failed read is <3> (err)" "$d/log" grep -q '^<3>.*reading phc:/dev/ptp0 failed' "$d/log"
check "severity: HOLDOVER is <4> (warning)" "$d/log" grep -q '^<4>.*HOLDOVER:' "$d/log"
check "severity: LOCKED is <5> (notice)" "$d/log" grep -q '^<5>.*LOCKED to phc:/dev/ptp0' "$d/log"

# log_target = syslog is obeyed without -d (the shipped unit passes none):
# nothing of the daemon's goes to stderr.
d=$(newdir syslog)
mkconf "$d" "log_target = syslog" <<EOF2
[CLOCK_REALTIME]
source = phc:/dev/ptp0
EOF2
"$SIM" --quiet --summary "$d/summary" --timeout 60 --duration 20 $SCN/sysclk_offset_1s.scn -- \
	"$GNOMOND" -f "$d/gnomon.conf" > "$d/log" 2>&1
check "syslog: without -d, log_target = syslog keeps stderr quiet" "$d/log" \
	sh -c "ran_to_end() { grep -q '^end_reason duration' '$d/summary'; }; ran_to_end && ! grep -q 'gnomond\[' '$d/log'"
