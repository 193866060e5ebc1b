#!/bin/sh
# `make demo-leap`: gnomond's four leap policies side by side, the same
# simulated world (tests/e2e/scenarios/leap_ins.scn: a leap second inserted
# at the end of 2016-12-31, the system clock following a TAI reference PHC
# at a 10 % slew cap), the true offset of CLOCK_REALTIME vs UTC around
# midnight. smear is shown with a 1000 s linear window centred on midnight
# (smear = custom) so that it fits the picture; the default, smear = google,
# spreads the second over 24 h from noon to noon.
# Writes $OUT/demo-leap.svg and $OUT/demo-leap-POLICY.csv.
# Usage: tests/demo-leap.sh BUILD_DIR   (OUT=dir, default out)
build=${1:-build}
cd "$(dirname "$0")/.." || exit 1
. tests/e2e/lib.sh
. tests/demo/plot.sh
GNOMOND=$build/gnomond
out=${OUT:-out}
scn=tests/e2e/scenarios/leap_ins.scn
mkdir -p "$out"
d=$(mktemp -d /tmp/gnomon-demo-leap.XXXXXX)
trap 'rm -rf "$d"' EXIT

cat <<'TXT'
gnomon leap demo: the real gnomond binary, in a simulated world (tests/sim).
  A leap second is inserted at the end of 2016-12-31 (23:59:60 UTC).
  The system clock follows /dev/ptp0, a PHC kept on TAI; slew cap 10 %.
  Four runs, one per leap_policy, each in the same world and seed:
    accept  the kernel inserts 23:59:60 itself (armed by gnomond)
    ignore  the clock runs through, is 1 s off and is slewed back at the cap
    step    gnomond steps the clock back 1 s at the leap's instant
    smear   the second is spread over a window (here 1000 s, linear)
TXT
leaprun() {	# leaprun POLICY [KEY=VALUE...]
	_p=$1; shift
	mkdir -p "$d/$_p"
	{
		echo "[CLOCK_REALTIME]"
		echo "source = phc:/dev/ptp0"
		echo "max_slew_ppm = 100000"
		echo "leap_policy = $_p"
		for _kv in "$@"; do echo "$_kv"; done
	} | mkconf "$d/$_p"
	"$SIM" --quiet --summary "$d/$_p/summary" --csv "$out/demo-leap-$_p.csv" --timeout 120 \
		--duration "${LEAP_DURATION:-1200}" --csv-interval 0.1 "$scn" -- \
		"$GNOMOND" -d -f "$d/$_p/gnomon.conf" > "$d/$_p/log" 2>&1 ||
		{ echo "leap_policy = $_p: the run failed: $(tail -n 3 "$d/$_p/log")"; return 1; }
}
rc=0
leaprun accept & a=$!
leaprun ignore & b=$!
wait $a || rc=1; wait $b || rc=1
leaprun step & a=$!
leaprun smear "smear = custom" "smear_window = 1000" "smear_start = -500" "smear_shape = linear" & b=$!
wait $a || rc=1; wait $b || rc=1

pat="^event [0-9]* leap_insert .*CLOCK_REALTIME"
echo
echo "Report (from the simulator's truth, offset of CLOCK_REALTIME vs UTC)"
for p in accept ignore step smear; do
	[ -f "$d/$p/summary" ] || continue
	printf '  %-7s max |offset| after midnight %12s ns, below 1 us again after %.3f s, steps %s\n' "$p" \
		"$(awk -F, 'NR > 1 && $1 > 600 && $1 < 1200 { v = $2 < 0 ? -$2 : $2; if (v > m) m = v } END { printf "%.0f", m }' "$out/demo-leap-$p.csv")" \
		"$(sumval "$d/$p" "$pat" recover_1us_s)" "$(sumval "$d/$p" "^clock CLOCK_REALTIME" steps)"
done
if command -v gnuplot >/dev/null 2>&1; then
	plot_leap "$out/demo-leap.svg" 600 && echo "  plot: $out/demo-leap.svg"
else
	echo "gnuplot is not installed (Debian package gnuplot-nox): no plot"
fi
exit $rc
