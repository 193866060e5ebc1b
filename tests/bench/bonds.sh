# Sourced by tests/bench.sh: bonded interfaces (doc/bonds.md), gnomond and
# phc2sys with a static -s eth0 (Debian linuxptp 3.1's only bond handling)
# in the same world (tests/e2e/scenarios/bond_bench.scn), judged by the
# simulator's truth CSV.

# bcol DIR FROM TO A [B]: per-row |A - B| (B omitted: A's truth) -> "t v" lines
bcol() {
	awk -F, -v a="$2" -v b="$3" -v ca="$4" -v cb="${5:--}" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 >= a && $1 < b { v = $(col[ca]) - (cb == "-" ? 0 : $(col[cb])); print $1, (v < 0 ? -v : v) }' "$1/truth.csv"
}
# settle_s FROM: seconds after FROM until the values stay under 100 ns
settle_s() { awk -v f="$1" '$2 >= 100 { last = $1 - f } END { printf "%.1f", last + 0.1 }'; }
rms_ns() { awk '{ s += $2 * $2; n++ } END { if (n) printf "%.1f", sqrt(s / n); else print "nan" }'; }

d=$tmp/bond; mkdir -p $d
printf '[CLOCK_REALTIME]\nsource = bond:bond0\n' | mkconf $d
simrun $d $LSCN/bond_bench.scn
line bond_follower_lock "$(bcol $d 0 200 ptp1 ptp0 | settle_s 0)" s
line bond_follower_rms "$(bcol $d 60 200 ptp1 ptp0 | rms_ns)" ns
line failover_switch_ms "$(sed -n 's/.*bond0: failover .* switched in \([0-9.]*\) ms.*/\1/p' $d/log | head -n 1)" ms
line failover_sysclk_max_excursion "$(sumval $d "^event 1 failover:eth1 .*clock CLOCK_REALTIME" peak_ns)" ns
line failover_sysclk_recover_100ns "$(bcol $d 200 300 CLOCK_REALTIME | settle_s 200)" s
line phc_reset_recover "$(bcol $d 300 400 ptp0 ptp1 | settle_s 300)" s

# phc2sys -s eth0 -c CLOCK_REALTIME: it keeps following eth0's PHC, which
# runs free from the failover on (nothing disciplines it any more)
d=$tmp/bond_phc2sys; mkdir -p $d
if have_phc2sys; then
	"$SIM" --quiet --summary $d/summary --csv $d/truth.csv --timeout 120 $LSCN/bond_bench.scn -- \
		"$PHC2SYS" -s eth0 -c CLOCK_REALTIME -O -37 -m -q > $d/log 2>&1
fi
line peer_phc2sys_static_failover_sysclk_max_excursion \
	"$( [ -f $d/summary ] && sumval $d "^event 1 failover:eth1 .*clock CLOCK_REALTIME" peak_ns)" ns
