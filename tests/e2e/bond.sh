# Sourced by tests/e2e/run-tests.sh: bonded interfaces (daemon/bond/). The
# system clock follows bond:bond0; every member's PHC follows the active
# one from the first second; a failover moves them all to the new active
# PHC at once; a PHC reset to 1970 is stepped back; a member whose PHC
# fails is reported while the others hold; members sharing a PHC are
# disciplined once. Judged by the simulator's truth CSV.

# colmax DIR A B FROM TO: largest |column A - column B| (CSV columns by
# clock name, B "-" for none) between FROM and TO s
colmax() {
	awk -F, -v ca="$2" -v cb="$3" -v a="$4" -v b="$5" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 >= a && $1 <= b { v = $(col[ca]) - (cb == "-" ? 0 : $(col[cb])); if (v < 0) v = -v
			if (v > m) m = v }
		END { printf "%.1f", m }' "$1/truth.csv"
}
# settle DIR A B FROM TO LIMIT: seconds after FROM until |A - B| stays under LIMIT up to TO
settle() {
	awk -F, -v ca="$2" -v cb="$3" -v a="$4" -v b="$5" -v lim="$6" '
		NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$1 >= a && $1 <= b { v = $(col[ca]) - (cb == "-" ? 0 : $(col[cb])); if (v < 0) v = -v
			if (v >= lim) last = $1 - a }
		END { printf "%.1f", last + 0.1 }' "$1/truth.csv"
}

d=$(newdir bond2)
mkconf "$d" <<EOF2
[CLOCK_REALTIME]
source = bond:bond0
EOF2
simrun "$d" tests/e2e/scenarios/bond2.scn
f_lock=$(colmax "$d" ptp1 ptp0 15 40)
a_off=$(colmax "$d" ptp0 - 40 40.1)
sys_pk=$(colmax "$d" CLOCK_REALTIME ptp1 119 200)
sys_set=$(settle "$d" CLOCK_REALTIME ptp1 120 200 100)
echo "     bond of 2: follower-active max ${f_lock} ns (15..40 s, active still ${a_off} ns off);" \
	"failover: system clock - new active max ${sys_pk} ns, within 100 ns after ${sys_set} s"
check "bond of 2: ran to the end" "$d/log" ran_to_end "$d"
check "bond of 2: members found, followers implicit" "$d/log" grep -q "member eth1 (eth1) follows" "$d/log"
check "bond of 2: follower within 100 ns of the active PHC before it locked" "$d/log" lt "$f_lock" 100
check "bond of 2: the active PHC had not locked yet" "$d/log" lt 1000 "$a_off"
check "bond of 2: failover switched every follower" "$d/log" grep -q "bond0: failover eth0->eth1 .*3 clocks switched" "$d/log"
check "bond of 2: failover audited" "$d/log" grep -q "bond_failover from=eth0 to=eth1" "$d/audit.log"
check "bond of 2: failover is a recovery event" "$d/log" grep -q "CLOCK_REALTIME: recovered from failover" "$d/log"
check "bond of 2: system clock excursion < 1 us at the failover" "$d/log" lt "$sys_pk" 1000
check "bond of 2: system clock within 100 ns in < 5 s" "$d/log" lt "$sys_set" 5
check "bond of 2: no step of the system clock" "$d/log" [ "$(sumval "$d" "^clock CLOCK_REALTIME" steps)" = 0 ]
d=$(newdir bond3)
mkconf "$d" <<EOF2
[CLOCK_REALTIME]
source = bond:bond0

[eth2]
source = bond:bond0
update_rate = 4
EOF2
simrun "$d" tests/e2e/scenarios/bond3.scn
f1=$(colmax "$d" ptp1 ptp0 15 40)
f2=$(colmax "$d" ptp2 ptp0 15 40)
sys_pk=$(colmax "$d" CLOCK_REALTIME ptp2 119 159)
reset=$(settle "$d" ptp1 ptp2 160 199 100)
echo "     bond of 3: followers-active max ${f1} / ${f2} ns (15..40 s); failover: system clock" \
	"- new active max ${sys_pk} ns; ptp1 reset to 1970: within 100 ns of its leader after ${reset} s"
check "bond of 3: ran to the end" "$d/log" ran_to_end "$d"
check "bond of 3: a member's own section sets its keys" "$d/log" grep -q "eth2: disciplined from bond:bond0, .* 4 updates/s" "$d/log"
check "bond of 3: the others follow with the defaults" "$d/log" grep -q "member eth1 (eth1) follows the active member, with the defaults" "$d/log"
check "bond of 3: both followers within 100 ns before the active PHC locked" "$d/log" \
	eval 'lt "$f1" 100 && lt "$f2" 100'
check "bond of 3: system clock excursion < 1 us at the failover" "$d/log" lt "$sys_pk" 1000
check "bond of 3: PHC reset stepped back by phc_jump_guard" "$d/log" grep -q "eth1: jumped .*stepped back" "$d/log"
check "bond of 3: PHC reset back within 100 ns of its leader in < 5 s" "$d/log" lt "$reset" 5
check "bond of 3: PHC reset audited" "$d/log" grep -q "reason=phc_jump_guard" "$d/audit.log"

d=$(newdir bondsh)
mkconf "$d" <<EOF2
[CLOCK_REALTIME]
source = bond:bond0
EOF2
simrun "$d" tests/e2e/scenarios/bond_shared.scn
hold=$(colmax "$d" CLOCK_REALTIME ptp0 80 100)
echo "     shared PHC: system clock - active max ${hold} ns while ptp1 failed to read"
check "shared PHC: ran to the end" "$d/log" ran_to_end "$d"
check "shared PHC: disciplined once" "$d/log" grep -q "member eth1: eth0 is disciplined once already" "$d/log"
check "shared PHC: a failover between them moves nothing" "$d/log" grep -q "the same PHC: nothing to move" "$d/log"
check "shared PHC: a member whose PHC fails to read is reported" "$d/log" grep -q "eth2: .*reading" "$d/log"
check "shared PHC: the others hold meanwhile" "$d/log" lt "$hold" 100
check "shared PHC: lost notifications (ENOBUFS) read every link again" "$d/log" grep -q "notifications were lost (ENOBUFS)" "$d/log"
check "shared PHC: the failover whose notifications were lost is found by the dump" "$d/log" grep -q "failover eth1->eth2 (eth0 -> eth2)" "$d/log"

# gnomonctl bonds and the metrics, from a run paced at 40x (the textfile is
# removed at exit, so it is copied once it shows the failover)
d=$(newdir bondctl)
mkconf "$d" "metrics_textfile = $d/gnomon.prom" "metrics_interval = 1" <<EOF2
[CLOCK_REALTIME]
source = bond:bond0
EOF2
simrun "$d" tests/e2e/scenarios/bond2.scn --speed 40 &
simpid=$!
n=0
while [ $n -lt 150 ] && ! grep -qs '^gnomon_bond_failovers_total{bond="bond0"} 1$' "$d/gnomon.prom"; do
	sleep 0.1; n=$((n + 1))
done
cp "$d/gnomon.prom" "$d/seen.prom" 2> /dev/null
build/gnomonctl -s "$d/ctl.sock" bonds > "$d/bonds.txt" 2>&1
build/gnomonctl -s "$d/ctl.sock" --json bonds > "$d/bonds.json" 2>&1
wait $simpid
check "bonds metrics: gnomon_bond_failovers_total 1" "$d/log" \
	grep -qx 'gnomon_bond_failovers_total{bond="bond0"} 1' "$d/seen.prom"
check "bonds metrics: gnomon_bond_active_member names eth1" "$d/log" \
	grep -qx 'gnomon_bond_active_member{bond="bond0",member="eth1"} 1' "$d/seen.prom"
check "bonds metrics: follower offsets in the clock metrics" "$d/log" \
	grep -q '^gnomon_clock_offset_seconds{clock="eth0",source="bond:bond0"}' "$d/seen.prom"
check "gnomonctl bonds: active member and last failover" "$d/bonds.txt" \
	grep -q 'Last failover   : eth0 -> eth1, 3 clocks switched' "$d/bonds.txt"
check "gnomonctl --json bonds: the old active PHC's offset to the new one" "$d/bonds.json" \
	grep -q '"offset_to_active_ns"' "$d/bonds.json"
