#!/bin/sh
# `make demo`: the unchanged gnomond under the simulator, told as a story.
# A system clock 1 s ahead and 20 ppm fast follows a reference PHC at a
# 10 % slew cap; the 1 s is slewed away (no step), then steady state.
# Writes out/demo.svg (offset against time) and out/demo-truth.csv.
# Usage: tests/demo.sh BUILD_DIR   (SPEED=x virtual s per real s, default 15)
build=${1:-build}
cd "$(dirname "$0")/.." || exit 1
. tests/e2e/lib.sh
GNOMOND=$build/gnomond
out=out
mkdir -p $out
d=$(mktemp -d /tmp/gnomon-demo.XXXXXX)
trap 'rm -rf "$d"' EXIT

cat <<'TXT'
gnomon demo: the real gnomond binary, in a simulated world (tests/sim).
  The system clock starts 1 s AHEAD of true UTC and runs 20 ppm fast.
  /dev/ptp0, a PHC kept on TAI (as ptp4l would), is the reference.
  gnomond may slew at up to 10 % (100000 ppm: tick + frequency) and never steps.
  The physical limit to remove 1 s at 10 % is 10 s.
  Lines "gnomon-sim: t=..." show the TRUE offset (the simulator knows it);
  lines "gnomond[...]" are what the daemon itself logs.

TXT
printf '[CLOCK_REALTIME]\nsource = phc:/dev/ptp0\nmax_slew_ppm = 100000\nservo = linreg\n' | mkconf "$d"
"$SIM" --speed "${SPEED:-15}" --progress 2 --quiet --summary "$d/summary" --csv "$out/demo-truth.csv" \
	tests/sim/scenarios/demo.scn -- "$GNOMOND" -d -f "$d/gnomon.conf" 2>&1 | tee "$d/log" |
	grep -v "leap file read\|running as root\|TAI offset" | sed -e 's/ ptp0 +0.0ns//' -e 's/^<[0-7]>//'
rc=$?

pat="^event 0 start.*CLOCK_REALTIME"
r1ms=$(sumval "$d" "$pat" recover_1ms_s)
r1us=$(sumval "$d" "$pat" recover_1us_s)
over=$(sumval "$d" "$pat" overshoot_ns)
rms=$(sumval "$d" "^clock CLOCK_REALTIME" rms_ns)
max=$(sumval "$d" "^clock CLOCK_REALTIME" max_ns)
steps=$(sumval "$d" "^clock CLOCK_REALTIME" steps)
cat <<TXT

Report (from the simulator's truth)
  offset at start           +1 s, clock 20 ppm fast
  below 1 ms after          $(printf '%.3f' "$r1ms") s   (physical limit at 10 %: 10 s)
  below 1 us after          $(printf '%.3f' "$r1us") s
  overshoot                 $(printf '%.1f' "$over") ns
  steps                     $steps
  steady state (30-120 s)   RMS $rms ns, max $max ns (PHC read noise 50 ns)
  gnomond's own report      recovered in $(daemon_recovery "$d" start) s
  plot                      $out/demo.svg
TXT

if command -v gnuplot >/dev/null 2>&1; then
	gnuplot <<GP
set terminal svg size 900,520 dynamic font "sans,12" background "white"
set output "$out/demo.svg"
set termoption noenhanced
set datafile separator ","
set multiplot layout 2,1 title "gnomond under the simulator: 1 s removed at a 10 % slew cap, then steady state"
set lmargin 12
set ylabel "true offset (s)"
set xrange [0:30]
set grid
plot "$out/demo-truth.csv" every ::1 using 1:(\$2/1e9) with lines lw 2 lc rgb "#1f77b4" title "CLOCK_REALTIME - UTC"
set ylabel "true offset (ns)"
set xlabel "time (s)"
set xrange [0:120]
set yrange [-200:200]
plot "$out/demo-truth.csv" every ::1 using 1:2 with lines lw 1 lc rgb "#d62728" title "zoom: within 200 ns"
unset multiplot
GP
fi
exit $rc
