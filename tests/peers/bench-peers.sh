#!/bin/sh
# The peers' figures for `make bench`: linuxptp's phc2sys and chrony's
# chronyd, run ONLY under the simulator, in the very scenarios and seeds of
# gnomond's bench lines (tests/bench.sh), measured on the simulator's true
# offsets. One "name value unit" line each, prefixed peer_phc2sys_ /
# peer_chronyd_; "nan" when a peer is missing or did not run to the end
# (then the reason goes to stderr). Usage: tests/peers/bench-peers.sh [BUILD_DIR]
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/peers/lib.sh
tmp=$(mktemp -d /tmp/gnomon-peers-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
SCN=tests/sim/scenarios
LSCN=tests/e2e/scenarios
pat="^event 0 start.*CLOCK_REALTIME"
lpat="^event [0-9]* leap_insert .*CLOCK_REALTIME"

line() { printf '%s %s %s\n' "$1" "${2:-nan}" "$3"; }
ns_to_us() { awk -v v="$1" 'BEGIN { if (v == "") print "nan"; else printf "%.3f", v / 1000 }'; }

# ok DIR: the run reached the scenario's end; if not, its summary is
# removed (so every figure of it reads nan) and the reason goes to stderr
ok() {
	[ -f "$1/summary" ] && ran_to_end "$1" && return 0
	echo "bench-peers: $1: the peer did not run to the end under the simulator:" >&2
	tail -n 5 "$1/log" >&2
	rm -f "$1/summary"
	return 1
}
# get DIR PATTERN FIELD: sumval, empty when there is no summary
get() { [ -f "$1/summary" ] && sumval "$@"; }

# recovery PREFIX DIR: the 1 s offset lines of one run
recovery() {
	line "${1}_to_1ms" "$(get "$2" "$pat" recover_1ms_s)" s
	line "${1}_to_1us" "$(get "$2" "$pat" recover_1us_s)" s
}
overshoot() { line "$1" "$(ns_to_us "$(get "$2" "$pat" overshoot_ns)")" us; }
steady() {
	line "${1}_rms" "$(get "$2" "^clock CLOCK_REALTIME" rms_ns)" ns
	line "${1}_max" "$(get "$2" "^clock CLOCK_REALTIME" max_ns)" ns
}

# --- phc2sys: its default PI servo, and linreg (gnomond's default kind) ---
ph=peer_phc2sys
have_phc2sys || echo "bench-peers: phc2sys ($PHC2SYS) or the simulator missing: nan" >&2
for servo in pi linreg; do
	p=$ph; [ $servo = linreg ] && p=${ph}_linreg
	d=$tmp/ph_${servo}_c100000; mkdir -p "$d"
	have_phc2sys && { PHC2SYS_EXTRA="-E $servo" phc2sys_run "$d" $SCN/sysclk_offset_1s.scn 100000 --duration 60; ok "$d"; }
	recovery ${p}_recovery_1s_cap100000 "$d"
	overshoot ${p}_overshoot_1s_cap100000 "$d"
	d=$tmp/ph_${servo}_c1000; mkdir -p "$d"
	have_phc2sys && { PHC2SYS_EXTRA="-E $servo" phc2sys_run "$d" $SCN/sysclk_offset_1s.scn 1000 --duration 1500; ok "$d"; }
	recovery ${p}_recovery_1s_cap1000 "$d"
	overshoot ${p}_overshoot_1s_cap1000 "$d"
	d=$tmp/ph_${servo}_steady; mkdir -p "$d"
	have_phc2sys && { PHC2SYS_EXTRA="-E $servo" phc2sys_run "$d" $SCN/sysclk_steady.scn 100000 --duration 3600; ok "$d"; }
	steady ${p}_steady "$d"
done
# (no leap line for phc2sys: with a fixed -O and no ptp4l to ask, it never
# learns of a leap second; see tests/peers/README.md)

# --- chronyd: 1 update/s (poll 0 dpoll 0), and the 4 samples/s its
# documentation shows for a PHC (poll 0 dpoll -2) ---
ch=peer_chronyd
have_chronyd || echo "bench-peers: chronyd ($CHRONYD), right/UTC or the simulator missing: nan" >&2
for rc in "poll 0 dpoll 0 tai" "poll 0 dpoll -2 tai"; do
	p=$ch; case $rc in *"dpoll -2"*) p=${ch}_dpollm2 ;; esac
	d=$tmp/$p.c100000; mkdir -p "$d"
	CHRONY_REFCLOCK=$rc chrony_conf "$d" 100000
	have_chronyd && { chronyd_run "$d" $SCN/sysclk_offset_1s.scn --duration 60; ok "$d"; }
	recovery ${p}_recovery_1s_cap100000 "$d"
	overshoot ${p}_overshoot_1s_cap100000 "$d"
	d=$tmp/$p.c1000; mkdir -p "$d"
	CHRONY_REFCLOCK=$rc chrony_conf "$d" 1000
	have_chronyd && { chronyd_run "$d" $SCN/sysclk_offset_1s.scn --duration 1500; ok "$d"; }
	recovery ${p}_recovery_1s_cap1000 "$d"
	overshoot ${p}_overshoot_1s_cap1000 "$d"
	d=$tmp/$p.steady; mkdir -p "$d"
	CHRONY_REFCLOCK=$rc chrony_conf "$d" 100000
	have_chronyd && { chronyd_run "$d" $SCN/sysclk_steady.scn --duration 3600; ok "$d"; }
	steady ${p}_steady "$d"
done

# chronyd's leap handling to compare with gnomond's leap_policy = ignore:
# `leapsecmode slew`, the 2016-12-31 insertion, at 100000 and 1000 ppm.
for cap in 100000 1000; do
	d=$tmp/ch_leap$cap; mkdir -p "$d"
	chrony_conf "$d" $cap "leapsecmode slew"
	have_chronyd && { chronyd_run "$d" $LSCN/leap_ins.scn; ok "$d"; }
	line ${ch}_leap_slew_recovery_cap$cap "$(get "$d" "$lpat" recover_1ms_s)" s
	line ${ch}_leap_slew_recovery_cap${cap}_to_1us "$(get "$d" "$lpat" recover_1us_s)" s
	line ${ch}_leap_slew_overshoot_cap$cap "$(ns_to_us "$(get "$d" "$lpat" overshoot_ns)")" us
done

# chronyd as an NTP client of the simulator's played servers, one run per
# network scenario (tests/sim/scenarios/ntp_*.scn), measured on the truth:
# time to 1 ms from the start offset, RMS and max |offset| over the
# scenario's stats window; whether it kept clear of the falseticker and
# the server that steps (max |offset| from 600 s below 5 ms, a quarter of
# the smaller error); the leap's sustained peak; the outage's max.
rms_us() { ns_to_us "$(get "$1" "^clock CLOCK_REALTIME" rms_ns)"; }
max_us() { ns_to_us "$(get "$1" "^clock CLOCK_REALTIME" max_ns)"; }
for s in lan wan falseticker leap outage; do
	d=$tmp/ch_ntp_$s; mkdir -p "$d"
	chrony_ntp_conf "$d" $SCN/ntp_$s.scn
	have_chronyd && { chronyd_run "$d" $SCN/ntp_$s.scn; ok "$d"; }
	line ${ch}_ntp_${s}_to_1ms "$(get "$d" "$pat" recover_1ms_s)" s
	line ${ch}_ntp_${s}_rms_us "$(rms_us "$d")" us
	line ${ch}_ntp_${s}_max_us "$(max_us "$d")" us
done
m=$(get "$tmp/ch_ntp_falseticker" "^clock CLOCK_REALTIME" max_ns)
printf '%s %s\n' ${ch}_ntp_falseticker_rejected \
	"$(awk -v m="$m" 'BEGIN { if (m == "") print "nan"; else print (m + 0 < 5e6) ? 1 : 0 }')"
line ${ch}_ntp_leap_peak_excl_us "$(ns_to_us "$(get "$tmp/ch_ntp_leap" "$lpat" peak_excl_ns)")" us
# interleaved mode: the same servers, basic and with `xleave`
for x in basic xleave; do
	d=$tmp/ch_ntp_xleave_$x; mkdir -p "$d"
	chrony_ntp_conf "$d" $SCN/ntp_xleave.scn
	[ $x = xleave ] && sed -i 's/maxpoll 4$/maxpoll 4 xleave/' "$d/chrony.conf"
	have_chronyd && { chronyd_run "$d" $SCN/ntp_xleave.scn; ok "$d"; }
	p=${ch}_ntp_xleave; [ $x = basic ] && p=${ch}_ntp_xleave_basic
	line ${p}_mean_us "$(ns_to_us "$(get "$d" "^clock CLOCK_REALTIME" mean_ns)")" us
	line ${p}_rms_us "$(rms_us "$d")" us
done
line ${ch}_ntp_outage_holdover_peak_us \
	"$(ns_to_us "$(get "$tmp/ch_ntp_outage" "^event [0-9]* outage:all .*CLOCK_REALTIME" peak_ns)")" us
exit 0
