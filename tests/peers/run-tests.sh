#!/bin/sh
# The peers under the simulator (a `make check` layer): linuxptp's phc2sys
# and chrony's chronyd each run to the scenario's end inside gnomon-sim,
# discipline the simulated system clock from the reference PHC by slewing
# within the cap they were given, behave the same on every run (so the
# bench compares them with gnomond seed for seed), and leave this machine's
# clock and /run alone. A peer that is not installed is skipped, and said so.
# Prints one line "peers: N passed, N failed"; exits non-zero on a failure.
# Usage: sh tests/peers/run-tests.sh [BUILD_DIR] [-v]
cd "$(dirname "$0")/../.." || exit 2
verbose=0
for a in "$@"; do [ "$a" = "-v" ] && verbose=1; done
if ! make --no-print-directory -s sim > /dev/null; then
	echo "peers: 0 passed, 1 failed (build of the simulator)"
	exit 1
fi
. tests/e2e/lib.sh
. tests/peers/lib.sh
SCN=tests/sim/scenarios
LSCN=tests/e2e/scenarios
pass=0
fail=0
tmp=$(mktemp -d /tmp/gnomon-peers-tests.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); [ $verbose = 1 ] && echo "ok $1"; return 0; }
bad() { fail=$((fail + 1)); echo "not ok $1${2:+: $2}"; return 0; }
expect() { name=$1; shift; if "$@"; then ok "$name"; else bad "$name"; fi; }
# abs_lt A B: |A| < B
abs_lt() { awk -v a="$1" -v b="$2" -v re="$NUM" 'BEGIN { if (a < 0) a = -a; exit !(a ~ re && a + 0 < b + 0) }'; }
ge() { awk -v a="$1" -v b="$2" -v re="$NUM" 'BEGIN { exit !(a ~ re && a + 0 >= b + 0) }'; }
pat="^event 0 start.*CLOCK_REALTIME"
lpat="^event [0-9]* leap_insert .*CLOCK_REALTIME"
rt() { sumval "$1" "^clock CLOCK_REALTIME" "$2"; }
same() { cmp -s "$1/summary" "$2/summary"; }

realclock=build/sim/tests/realclock
before=""; [ -x $realclock ] && before=$($realclock)
run_dir_existed=no; [ -e /run/chrony ] && run_dir_existed=yes

# --- phc2sys ---
if have_phc2sys; then
	d=$tmp/ph1; mkdir -p $d
	phc2sys_run $d $SCN/sysclk_offset_1s.scn 100000 --duration 60
	expect phc2sys_runs_to_end ran_to_end $d
	# 1 s at 10 %: the physical limit is 10 s; slewed, so no faster
	expect phc2sys_slews_1s_not_steps ge "$(sumval $d "$pat" recover_1ms_s)" 9.9
	expect phc2sys_recovers_under_1us lt "$(sumval $d "$pat" recover_1us_s)" 30
	expect phc2sys_final_offset_under_1us abs_lt "$(rt $d final_ns)" 1000
	expect phc2sys_never_steps [ "$(rt $d steps)" = 0 ]
	expect phc2sys_reference_phc_untouched [ "$(sumval $d "^clock ptp0" max_ns)" = 0.0 ]
	d2=$tmp/ph2; mkdir -p $d2
	phc2sys_run $d2 $SCN/sysclk_offset_1s.scn 100000 --duration 60
	expect phc2sys_deterministic same $d $d2
	d=$tmp/ph1000; mkdir -p $d
	phc2sys_run $d $SCN/sysclk_offset_1s.scn 1000 --duration 1500
	# max_frequency took effect: 1 s at 0.1 % needs at least 1000 s
	expect phc2sys_cap1000_honoured ge "$(sumval $d "$pat" recover_1ms_s)" 999
	expect phc2sys_cap1000_recovers lt "$(sumval $d "$pat" recover_1us_s)" 1100
	# a bond (the bench's comparison): -s eth0 finds eth0's PHC through
	# ETHTOOL_GET_TS_INFO and keeps following it after the failover
	d=$tmp/phbond; mkdir -p $d
	"$SIM" --quiet --summary $d/summary --csv $d/truth.csv --timeout "$PEER_TIMEOUT" \
		$LSCN/bond_bench.scn -- "$PHC2SYS" -s eth0 -c CLOCK_REALTIME -O -37 -m -q > $d/log 2>&1
	expect phc2sys_bond_runs_to_end ran_to_end $d
	expect phc2sys_bond_follows_eth0_only [ "$(sumval $d "^clock ptp1" reads)" = 0 ]
else
	echo "peers: phc2sys ($PHC2SYS) not installed: its tests skipped"
fi

# --- chronyd ---
if have_chronyd; then
	d=$tmp/ch1; mkdir -p $d; chrony_conf $d 100000
	chronyd_run $d $SCN/sysclk_offset_1s.scn --duration 60
	expect chronyd_runs_to_end ran_to_end $d
	expect chronyd_slews_1s_not_steps ge "$(sumval $d "$pat" recover_1ms_s)" 9.9
	expect chronyd_recovers_under_1us lt "$(sumval $d "$pat" recover_1us_s)" 30
	expect chronyd_final_offset_under_1us abs_lt "$(rt $d final_ns)" 1000
	expect chronyd_reference_phc_untouched [ "$(sumval $d "^clock ptp0" max_ns)" = 0.0 ]
	d2=$tmp/ch2; mkdir -p $d2; chrony_conf $d2 100000
	chronyd_run $d2 $SCN/sysclk_offset_1s.scn --duration 60
	expect chronyd_deterministic same $d $d2
	d=$tmp/ch1000; mkdir -p $d; chrony_conf $d 1000
	chronyd_run $d $SCN/sysclk_offset_1s.scn --duration 1500
	expect chronyd_cap1000_honoured ge "$(sumval $d "$pat" recover_1ms_s)" 999
	expect chronyd_cap1000_recovers lt "$(sumval $d "$pat" recover_1us_s)" 1100
	# leapsecmode slew: the inserted leap is slewed away at the cap (10 s
	# at 10 %), neither stepped by the kernel nor missed
	d=$tmp/chleap; mkdir -p $d; chrony_conf $d 100000 "leapsecmode slew"
	chronyd_run $d $LSCN/leap_ins.scn --duration 700
	expect chronyd_leap_runs_to_end ran_to_end $d
	expect chronyd_leap_slewed ge "$(sumval $d "$lpat" recover_1ms_s)" 9.9
	expect chronyd_leap_recovers_under_1us lt "$(sumval $d "$lpat" recover_1us_s)" 15
	# chronyd as an NTP client of the simulator's played servers
	d=$tmp/chlan; mkdir -p $d; chrony_ntp_conf $d $SCN/ntp_lan.scn
	chronyd_run $d $SCN/ntp_lan.scn --duration 600
	expect chronyd_ntp_lan_runs_to_end ran_to_end $d
	expect chronyd_ntp_lan_polls_all_four [ "$(grep -c '^host ntp[1-4] ntp yes out_sent [1-9]' $d/summary)" = 4 ]
	expect chronyd_ntp_lan_syncs_to_1ms lt "$(sumval $d "$pat" recover_1ms_s)" 30
	expect chronyd_ntp_lan_final_under_20us abs_lt "$(rt $d final_ns)" 20000
	expect chronyd_ntp_lan_never_steps [ "$(rt $d steps)" = 0 ]
	d2=$tmp/chlan2; mkdir -p $d2; chrony_ntp_conf $d2 $SCN/ntp_lan.scn
	chronyd_run $d2 $SCN/ntp_lan.scn --duration 600
	expect chronyd_ntp_deterministic sh -c "cmp -s $d/summary $d2/summary && cmp -s $d/net.csv $d2/net.csv"
	d=$tmp/chwan; mkdir -p $d; chrony_ntp_conf $d $SCN/ntp_wan.scn
	chronyd_run $d $SCN/ntp_wan.scn
	expect chronyd_ntp_wan_runs_to_end ran_to_end $d
	expect chronyd_ntp_wan_syncs_to_1ms lt "$(sumval $d "$pat" recover_1ms_s)" 60
	expect chronyd_ntp_wan_max_under_2ms lt "$(rt $d max_ns)" 2000000
	d=$tmp/chft; mkdir -p $d; chrony_ntp_conf $d $SCN/ntp_falseticker.scn
	chronyd_run $d $SCN/ntp_falseticker.scn
	expect chronyd_ntp_falseticker_rejected lt "$(rt $d max_ns)" 5000000
	# the servers' LI=1 (and one smear) carry it over the leap; the hour
	# without servers does not lose it a millisecond
	d=$tmp/chleapntp; mkdir -p $d; chrony_ntp_conf $d $SCN/ntp_leap.scn
	chronyd_run $d $SCN/ntp_leap.scn
	expect chronyd_ntp_leap_followed lt "$(sumval $d "$lpat" peak_excl_ns)" 1000000
	# interleaved: xleave answers come interleaved and take out the 15 us
	# that the servers' early transmit stamps put into basic mode
	d=$tmp/chx; mkdir -p $d; chrony_ntp_conf $d $SCN/ntp_xleave.scn
	sed -i 's/maxpoll 4$/maxpoll 4 xleave/' $d/chrony.conf
	chronyd_run $d $SCN/ntp_xleave.scn --duration 1200
	expect chronyd_ntp_xleave_interleaved [ "$(sumval $d "^host ntp1" interleaved)" -gt 10 ]
	expect chronyd_ntp_xleave_no_bias abs_lt "$(rt $d mean_ns)" 5000
	d=$tmp/chxb; mkdir -p $d; chrony_ntp_conf $d $SCN/ntp_xleave.scn
	chronyd_run $d $SCN/ntp_xleave.scn --duration 1200
	expect chronyd_ntp_basic_sees_tx_delay lt "$(rt $d mean_ns)" -10000
	d=$tmp/chout; mkdir -p $d; chrony_ntp_conf $d $SCN/ntp_outage.scn
	chronyd_run $d $SCN/ntp_outage.scn
	expect chronyd_ntp_outage_holds_1ms lt "$(sumval $d "^event [0-9]* outage:all .*CLOCK_REALTIME" peak_ns)" 1000000
else
	echo "peers: chronyd ($CHRONYD) or /usr/share/zoneinfo/right/UTC not installed: its tests skipped"
fi

# This machine: chronyd made no /run/chrony (bindcmdaddress /), and the
# real clock is as it was (re-read once in case a net-zero real-kernel test
# of another suite was running at that moment).
[ $run_dir_existed = no ] && expect host_run_chrony_not_created [ ! -e /run/chrony ]
if [ -n "$before" ]; then
	after=$($realclock)
	[ "$before" != "$after" ] && sleep 3 && after=$($realclock)
	expect real_clock_untouched [ "$before" = "$after" ]
fi

echo "peers: $pass passed, $fail failed"
[ $fail -eq 0 ]
