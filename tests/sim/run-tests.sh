#!/bin/sh
# The simulator's own tests: toy daemons and probes run under gnomon-sim,
# determinism, truth bookkeeping, the end of a run, scenario errors, phc2sys
# as a faithfulness check, and the real clock compared before and after.
# Prints one line "sim: N passed, N failed"; exits non-zero on a failure.
# Usage: sh tests/sim/run-tests.sh [-v] (builds what it needs first)
cd "$(dirname "$0")/../.." || exit 2
if ! make --no-print-directory -s sim sim-tests > /dev/null; then
	echo "sim: 0 passed, 1 failed (build)"
	exit 1
fi
SIM=tests/sim/gnomon-sim
T=build/sim/tests
S=tests/sim/tests
verbose=0
[ "$1" = "-v" ] && verbose=1
pass=0
fail=0
tmp=$(mktemp -d /tmp/gnomon-sim-tests.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); [ $verbose = 1 ] && echo "ok $1"; return 0; }
bad() { fail=$((fail + 1)); echo "not ok $1${2:+: $2}"; return 0; }
expect() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }

# awk-checked value from a summary: get FILE 'clock CLOCK_REALTIME' rms_ns
get() {
	awk -v pat="$2" -v key="$3" 'index($0, pat) == 1 {
		for (i = 1; i < NF; i++) if ($i == key) { print $(i + 1); exit } }' "$1"
}
# lt VALUE LIMIT: numerically VALUE < LIMIT ("inf" never is)
lt() { [ -n "$1" ] && [ "$1" != inf ] && awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

# A TAP-style program: every "ok"/"not ok" line counts; it must also exit 0.
run_tap() {
	scn=$1; shift
	name=$(basename "$1")${2:+_$2}
	"$SIM" --quiet --timeout 120 "$S/$scn" -- "$@" > "$tmp/out" 2> "$tmp/err"
	rc=$?
	n_ok=$(grep -c '^ok ' "$tmp/out")
	n_bad=$(grep -c '^not ok ' "$tmp/out")
	pass=$((pass + n_ok))
	fail=$((fail + n_bad))
	grep '^not ok ' "$tmp/out" | sed "s/^/$name: /"
	[ $verbose = 1 ] && sed "s/^/$name: /" "$tmp/out"
	if [ "$n_ok" -eq 0 ] || { [ $rc -ne 0 ] && [ "$n_bad" -eq 0 ]; }; then
		bad "$name exit $rc" "$(tail -n 3 "$tmp/err" | tr '\n' ' ')"
	fi
}

before=$($T/realclock)

run_tap kernel.scn $T/toy_kernel adj
run_tap leap_insert.scn $T/toy_kernel insert
run_tap leap_delete.scn $T/toy_kernel delete
run_tap leap_insert.scn $T/toy_kernel stepleap
# chronyd's ADJ_SETOFFSET probe (a step of 0) and a 1 ms step: the summary
# counts the second in steps, the first in zero_steps.
run_tap kernel.scn $T/toy_kernel probe
"$SIM" --quiet --summary "$tmp/s0" "$S/kernel.scn" -- $T/toy_kernel probe > /dev/null 2>&1
expect zero_step_counted_apart [ "$(get "$tmp/s0" 'clock CLOCK_REALTIME' steps)/$(get "$tmp/s0" 'clock CLOCK_REALTIME' zero_steps)" = 1/1 ]
# The kernel CSV: a row a second, then one at exit; maxerror grows 500 us a
# second from what the program set; the summary's kernel line at the end.
"$SIM" --quiet --kernel-csv "$tmp/k0" --summary "$tmp/sk" "$S/kernel.scn" -- $T/toy_kernel sync \
	> /dev/null 2>&1
expect kernel_csv_header [ "$(head -n 1 "$tmp/k0")" = t_s,state,unsync,maxerror_us,esterror_us,tick,freq_ppb ]
expect kernel_csv_boot_row grep -qx '0.000000,TIME_OK,1,16000000,16000000,10000,0.000' "$tmp/k0"
expect kernel_csv_grows grep -qx '3.000000,TIME_OK,0,2500,10,10000,0.000' "$tmp/k0"
expect kernel_csv_exit_row [ "$(tail -n 1 "$tmp/k0")" = 3.500000,TIME_OK,0,2500,10,10000,0.000 ]
expect kernel_summary_line grep -qx 'kernel state TIME_OK unsync 0 maxerror_us 2500 esterror_us 10' "$tmp/sk"
run_tap phc.scn $T/toy_phc
run_tap vtime.scn $T/toy_vtime
run_tap health.scn $T/toy_health
# a daemon's privilege drop keeping CAP_SYS_TIME (needs root and "nobody")
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	run_tap vtime.scn $T/toy_privdrop nobody
else
	echo "SKIP toy_privdrop: needs root and a user nobody"
fi

# The network (toy_net): sockets, kernel timestamps, resolution, refusals;
# 10^5 exchanges whose delays, asymmetry, jitter and loss match net.scn and
# whose timestamps equal the simulator's per-packet truth to the ns; the
# offset measured equals the truth.
run_tap net.scn $T/toy_net basic
"$SIM" --quiet --net-csv "$tmp/n1" --summary "$tmp/ns1" "$S/net.scn" -- $T/toy_net stats 100000 \
	> "$tmp/out" 2> "$tmp/stamps"
n_ok=$(grep -c '^ok ' "$tmp/out"); n_bad=$(grep -c '^not ok ' "$tmp/out")
pass=$((pass + n_ok)); fail=$((fail + n_bad)); grep '^not ok ' "$tmp/out"
[ "$n_ok" -gt 0 ] || bad net_stats_ran
awk -F, 'NR > 1 && $2 == "stat" { if ($3 == "out") { f = $4; d = $5 }
	else if (f == "ok" && $4 == "ok") print d, $5 }' "$tmp/n1" > "$tmp/truth"
grep '^[0-9]* [0-9]*$' "$tmp/stamps" > "$tmp/meas"
expect net_stamps_are_truth_to_the_ns sh -c "[ \$(wc -l < '$tmp/truth') -gt 90000 ] &&
	paste -d' ' '$tmp/truth' '$tmp/meas' | awk '\$1 != \$3 || \$2 != \$4 { exit 1 }'"
expect net_summary_counts_requests [ "$(get "$tmp/ns1" 'host stat' requests)" = \
	"$(awk -F, '$2 == "stat" && $3 == "out" && $4 == "ok"' "$tmp/n1" | wc -l)" ]
run_tap net_offset.scn $T/toy_net offset srv -7000000
run_tap net_events.scn $T/toy_net events
"$SIM" --quiet --net-csv "$tmp/n2" "$S/net.scn" -- $T/toy_net stats 2000 > /dev/null 2>&1
"$SIM" --quiet --net-csv "$tmp/n3" "$S/net.scn" -- $T/toy_net stats 2000 > /dev/null 2>&1
expect net_determinism cmp -s "$tmp/n2" "$tmp/n3"

# A toy daemon (PI servo, tick+freq split) keeps the system clock on a
# reference PHC; the truth says how well.
"$SIM" --summary "$tmp/s1" --csv "$tmp/c1" --quiet "$S/servo.scn" -- $T/toy_servo 2> "$tmp/err"
expect servo_exit_0 [ $? -eq 0 ]
expect servo_end_reason grep -q '^end_reason duration$' "$tmp/s1"
expect servo_rms_below_100ns lt "$(get "$tmp/s1" 'clock CLOCK_REALTIME' rms_ns)" 100
expect servo_recovers_1us_within_30s lt "$(get "$tmp/s1" 'event 0 start' recover_1us_s)" 30
expect servo_no_steps [ "$(get "$tmp/s1" 'clock CLOCK_REALTIME' steps)" = 0 ]
# the CSV is the same truth as the summary: first row the scenario's 100 us,
# last row the summary's final offset
expect servo_csv_starts_at_scenario_offset [ "$(sed -n 2p "$tmp/c1" | cut -d, -f2)" = 100000.0 ]
expect servo_csv_ends_at_summary_final \
	[ "$(tail -n 1 "$tmp/c1" | cut -d, -f2)" = "$(get "$tmp/s1" 'clock CLOCK_REALTIME' final_ns)" ]

# Same scenario and seed: byte-identical outputs; another seed: different.
"$SIM" --summary "$tmp/s2" --csv "$tmp/c2" --quiet "$S/servo.scn" -- $T/toy_servo 2> /dev/null
expect determinism_summary cmp -s "$tmp/s1" "$tmp/s2"
expect determinism_csv cmp -s "$tmp/c1" "$tmp/c2"
"$SIM" --seed 8 --summary "$tmp/s3" --csv "$tmp/c3" --quiet "$S/servo.scn" -- $T/toy_servo 2> /dev/null
expect other_seed_differs sh -c "! cmp -s '$tmp/c1' '$tmp/c3'"

# A program that ignores leap seconds is 1 s ahead after an inserted one.
"$SIM" --summary "$tmp/s4" --quiet "$S/leap_insert.scn" -- sleep 100 2> /dev/null
expect leap_truth_offset grep -q '^event 1 leap_insert t_s 10.000000 clock CLOCK_REALTIME offset_ns 1000000000.0 recover_1ms_s inf' "$tmp/s4"
expect leap_truth_window_opens_early grep -q '^event 0 start .* until_s 9.000000' "$tmp/s4"

# The leap a kernel applies at the clock's own midnight, 50 ns early: a
# 50 ns spike of 1 s in peak_ns; peak_excl_ns (held >= 1 ms) leaves it out.
"$SIM" --summary "$tmp/s6" --quiet "$S/leap_spike.scn" -- $T/toy_kernel insert > /dev/null 2>&1
expect leap_spike_in_peak [ "$(get "$tmp/s6" 'event 1 leap_insert' peak_ns)" = 999999950.0 ]
expect leap_spike_not_in_peak_excl [ "$(get "$tmp/s6" 'event 1 leap_insert' peak_excl_ns)" = 50.0 ]

# Never on the real kernel. A library that does not load (empty, or not
# ours): refused before COMMAND starts (125). A COMMAND that comes up
# without it (static: ld.so never sees LD_PRELOAD) has no hello: killed.
: > "$tmp/empty.so"
"$SIM" --lib "$tmp/empty.so" "$S/vtime.scn" -- touch "$tmp/ran" > /dev/null 2> "$tmp/err"
expect empty_lib_refused_125 [ $? -eq 125 ]
expect empty_lib_command_not_run [ ! -e "$tmp/ran" ]
expect empty_lib_says_why grep -q 'does not load; refusing' "$tmp/err"
libm=$(ldd $T/toy_servo | awk '$1 ~ /^libm\.so/ { print $3 }')
if [ -n "$libm" ]; then
	"$SIM" --lib "$libm" "$S/vtime.scn" -- touch "$tmp/ran" > /dev/null 2> "$tmp/err"
	expect foreign_lib_refused_125 [ $? -eq 125 ]
	expect foreign_lib_command_not_run [ ! -e "$tmp/ran" ]
fi
if [ -x $T/static_main ]; then
	"$SIM" "$S/vtime.scn" -- $T/static_main exit > "$tmp/out" 2> "$tmp/err"
	expect no_hello_exit_refused_125 [ $? -eq 125 ]
	expect no_hello_says_why grep -q 'did not load in COMMAND; refusing' "$tmp/err"
	expect no_hello_no_summary sh -c "! grep -q '^sim_version' '$tmp/out'"
	"$SIM" "$S/vtime.scn" -- $T/static_main wait > /dev/null 2> "$tmp/err"	# 5 s
	expect no_hello_killed_125 [ $? -eq 125 ]
else
	echo "sim: no static libc: the no-hello tests are skipped"
fi

# The end of a run: SIGTERM, and SIGKILL for a program that ignores it.
"$SIM" --quiet --kill-after 1 "$S/vtime.scn" -- $T/ignore_term 2> "$tmp/err"
expect ignore_term_killed [ $? -eq 137 ]
"$SIM" --quiet --duration 5 "$S/vtime.scn" -- sleep 1 2> "$tmp/err"
expect early_exit_code_0 [ $? -eq 0 ]
expect early_exit_reported grep -q 'exited before the end' "$tmp/err"

# Bonds: the faked NETLINK_ROUTE socket through libnl, and the reference
# that follows the bond (slews the active PHC in; after the failover the
# port is faulted 4 s, then the new active PHC is stepped in).
run_tap bond.scn $T/toy_bond
"$SIM" --quiet --summary "$tmp/sb" "$S/bond_ref.scn" -- sleep 100 > /dev/null 2>&1
expect bond_ref_slews_in lt "$(get "$tmp/sb" 'event 0 start t_s 0.000000 clock ptp0' recover_1us_s)" 15
expect bond_ref_old_runs_free lt 1000 "$(get "$tmp/sb" 'clock ptp0' max_ns)"
expect bond_ref_new_stepped_in lt "$(get "$tmp/sb" 'clock ptp1' max_ns)" 1
printf 'duration 10\ninterface eth0 none\nbond bond0 eth0 eth9\n' > "$tmp/bad.scn"
"$SIM" "$tmp/bad.scn" -- true 2> "$tmp/err"
expect bad_bond_file_line grep -q 'bad.scn:3: bond: member eth9' "$tmp/err"

# Scenario errors name FILE:LINE and stop the run.
printf 'duration 10\nphc ptp0\n\tfreq 12 kHz\n' > "$tmp/bad.scn"
"$SIM" "$tmp/bad.scn" -- true 2> "$tmp/err"
expect bad_scenario_exit_2 [ $? -eq 2 ]
expect bad_scenario_file_line grep -q 'bad.scn:3: freq' "$tmp/err"
for f in tests/sim/scenarios/*.scn; do
	expect "scenario_$(basename "$f" .scn)_parses" "$SIM" --check "$f" > /dev/null
done

# phc2sys from linuxptp under the simulator, as a check of faithfulness.
if command -v phc2sys > /dev/null 2>&1; then
	"$SIM" --summary "$tmp/s5" --quiet "$S/servo.scn" -- \
		phc2sys -s /dev/ptp0 -c CLOCK_REALTIME -O -37 -q > /dev/null 2>&1
	expect phc2sys_runs grep -q '^end_reason duration$' "$tmp/s5"
	expect phc2sys_rms_below_100ns lt "$(get "$tmp/s5" 'clock CLOCK_REALTIME' rms_ns)" 100
fi

# This machine's clock: untouched (re-read once in case a net-zero real
# kernel test of another suite was running at that moment).
after=$($T/realclock)
[ "$before" != "$after" ] && sleep 3 && after=$($T/realclock)
expect real_clock_untouched [ "$before" = "$after" ]

echo "sim: $pass passed, $fail failed"
[ $fail -eq 0 ]
