#!/bin/sh
# `make demo`: the unchanged gnomond, chronyd and phc2sys in the same
# simulated world (tests/sim/scenarios/demo.scn, same seed), told as a story.
# A system clock 1 s ahead and 20 ppm fast follows a reference PHC at a
# 10 % slew cap; the 1 s is slewed away (no step), then steady state.
# gnomond runs live (progress lines), the peers beside it as fast as they go.
# Writes $OUT/demo.svg and $OUT/demo-{gnomond,chronyd,phc2sys}.csv.
# Usage: tests/demo.sh BUILD_DIR   (SPEED=x virtual s per real s, default 15;
# OUT=dir, default out)
build=${1:-build}
cd "$(dirname "$0")/.." || exit 1
. tests/e2e/lib.sh
. tests/peers/lib.sh
. tests/demo/plot.sh
GNOMOND=$build/gnomond
out=${OUT:-out}
scn=tests/sim/scenarios/demo.scn
mkdir -p "$out"
d=$(mktemp -d /tmp/gnomon-demo.XXXXXX)
trap 'rm -rf "$d"' EXIT

cat <<'TXT'
gnomon demo: the real gnomond binary, in a simulated world (tests/sim).
  The system clock starts 1 s AHEAD of true UTC and runs 20 ppm fast.
  /dev/ptp0, a PHC kept on TAI (as ptp4l would), is the reference.
  gnomond may slew at up to 10 % (100000 ppm: tick + frequency) and never steps;
  chronyd (maxslewrate 100000) and phc2sys (--max_frequency 100000000, -S 0)
  run in the same world, same seed, beside it.
  The physical limit to remove 1 s at 10 % is 10 s.
  Lines "gnomon-sim: t=..." show the TRUE offset (the simulator knows it);
  lines "gnomond[...]" are what the daemon itself logs.

TXT
# the peers, in the background while gnomond runs live
mkdir -p "$d/chronyd" "$d/phc2sys"
peers=""
if have_chronyd; then
	chrony_conf "$d/chronyd" 100000
	chronyd_run "$d/chronyd" "$scn" & pc=$!
	peers="$peers chronyd"
else
	echo "chronyd is not installed ($CHRONYD, Debian package chrony): not drawn"
fi
if have_phc2sys; then
	phc2sys_run "$d/phc2sys" "$scn" 100000 & pp=$!
	peers="$peers phc2sys"
else
	echo "phc2sys is not installed ($PHC2SYS, Debian package linuxptp): not drawn"
fi

printf '[CLOCK_REALTIME]\nsource = phc:/dev/ptp0\nmax_slew_ppm = 100000\nservo = linreg\n' | mkconf "$d"
"$SIM" --speed "${SPEED:-15}" --progress 2 --quiet --summary "$d/summary" --csv "$out/demo-gnomond.csv" \
	"$scn" -- "$GNOMOND" -d -f "$d/gnomon.conf" 2>&1 | tee "$d/log" |
	grep -v "leap file read\|running as root\|TAI offset" | sed -e 's/ ptp0 [-+]0 ns//' -e 's/^<[0-7]>//'
rc=$?
[ -n "${pc:-}" ] && { wait $pc || { echo "chronyd did not run to the end: $(tail -n 2 "$d/chronyd/log")"; peers=$(echo "$peers" | sed 's/ chronyd//'); }; }
[ -n "${pp:-}" ] && { wait $pp || { echo "phc2sys did not run to the end: $(tail -n 2 "$d/phc2sys/log")"; peers=$(echo "$peers" | sed 's/ phc2sys//'); }; }

pat="^event 0 start.*CLOCK_REALTIME"
row() {	# row NAME SUMMARY_DIR
	printf '  %-9s %10.3f s %10.3f s %10.1f ns %8s %8s ns %6s\n' "$1" \
		"$(sumval "$2" "$pat" recover_1ms_s)" "$(sumval "$2" "$pat" recover_1us_s)" \
		"$(sumval "$2" "$pat" overshoot_ns)" "$(sumval "$2" "^clock CLOCK_REALTIME" rms_ns)" \
		"$(sumval "$2" "^clock CLOCK_REALTIME" max_ns)" "$(sumval "$2" "^clock CLOCK_REALTIME" steps)"
}
cat <<TXT

Report (from the simulator's truth; physical limit to remove 1 s at 10 %: 10 s)
  daemon     below 1 ms   below 1 us     overshoot  steady RMS / max (30-120 s)  steps
TXT
row gnomond "$d"
set -- gnomond "$out/demo-gnomond.csv"
for p in $peers; do
	row "$p" "$d/$p"
	cp "$d/$p/truth.csv" "$out/demo-$p.csv"
	set -- "$@" "$p" "$out/demo-$p.csv"
done
echo "  gnomond's own report: recovered in $(daemon_recovery "$d" start) s"

if command -v gnuplot >/dev/null 2>&1; then
	plot_demo "$out/demo.svg" 1 0.1 "$@" && echo "  plot: $out/demo.svg"
else
	echo "gnuplot is not installed (Debian package gnuplot-nox): no plot"
fi
exit $rc
