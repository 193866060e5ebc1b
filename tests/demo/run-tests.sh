#!/bin/sh
# The demos render (issue 15): `make demo` and `make demo-leap` run to the
# end under the simulator, gnuplot exits 0 and each SVG has its series (one
# per daemon / per leap policy, the threshold lines, the physical limit);
# the progress lines are in readable units. The demo runs fast (SPEED=200).
# Usage: tests/demo/run-tests.sh BUILD_DIR [-v]
build=${1:-build}
cd "$(dirname "$0")/../.." || exit 1
. tests/e2e/lib.sh
. tests/peers/lib.sh
. tests/demo/svgseries.sh
pass=0 fail=0
T=$(mktemp -d /tmp/gnomon-demotest.XXXXXX)
trap 'rm -rf "$T"' EXIT
check() {	# check NAME COMMAND...
	_n=$1; shift
	if "$@" > /dev/null 2>&1; then pass=$((pass + 1)); echo "ok   $_n"
	else fail=$((fail + 1)); echo "FAIL $_n"; fi
}
# series SVG TITLE MIN_POINTS: the SVG has a series TITLE with >= MIN_POINTS
series() { svg_series "$1" | awk -v t="$2" -v m="$3" '$0 ~ "^" t " [0-9]+$" && $NF >= m { f = 1 } END { exit !f }'; }

if ! command -v gnuplot > /dev/null 2>&1; then
	echo "gnuplot is not installed (gnuplot-nox, scripts/deps.sh): the demos cannot render"
	echo "demo: 0 passed, 1 failed"; exit 1
fi

OUT=$T/demo SPEED=200 sh tests/demo.sh "$build" > "$T/demo.log" 2>&1
check "make demo: exits 0" [ $? = 0 ]
svg=$T/demo/demo.svg
check "make demo: SVG written" [ -s "$svg" ]
check "make demo: gnomond series (>= 200 points)" series "$svg" gnomond 200
if have_chronyd; then check "make demo: chronyd series, same world" series "$svg" chronyd 200
else check "make demo: says chronyd is absent" grep -q "chronyd is not installed" "$T/demo.log"; fi
if have_phc2sys; then check "make demo: phc2sys series, same world" series "$svg" phc2sys 200
else check "make demo: says phc2sys is absent" grep -q "phc2sys is not installed" "$T/demo.log"; fi
check "make demo: 1 ms line" series "$svg" "1 ms" 1
check "make demo: 1 µs line" series "$svg" "1 µs" 1
check "make demo: physical limit O/C = 10 s marked" grep -q "physical limit O/C = 1 s / 10 % = 10 s" "$svg"
check "make demo: crossings marked (gnomond below 1 ms at 10.0 s)" grep -q ">10.0 s<" "$svg"
check "make demo: steady-state panel (second set of series)" \
	sh -c "[ \$(grep -c 'gnuplot_plot_[0-9]*b' '$svg') -ge 2 ]"
check "make demo: report row per daemon drawn" grep -q "^  gnomond  *[0-9.]* s" "$T/demo.log"
check "make demo: progress in readable units (+0.800 s at t=2 s)" grep -q "t=2s CLOCK_REALTIME +0.800 s" "$T/demo.log"
check "make demo: progress in ns once locked" grep -q "t=120s CLOCK_REALTIME [-+][0-9]* ns$" "$T/demo.log"
check "make demo: no raw decimal progress left" sh -c "! grep -q 't=[0-9]*s .*[0-9]ns' '$T/demo.log'"

OUT=$T/leap sh tests/demo-leap.sh "$build" > "$T/leap.log" 2>&1
check "make demo-leap: exits 0" [ $? = 0 ]
svg=$T/leap/demo-leap.svg
for p in accept ignore step smear; do
	check "make demo-leap: $p series" series "$svg" "$p" 50
done
check "make demo-leap: UTC line in each panel" sh -c "[ \$(grep -c '<text>UTC</text>' '$svg') = 4 ]"
check "make demo-leap: ignore is 1 s off after midnight, slewed away" \
	grep -q "ignore  max |offset| after midnight  *99[0-9]* ns, below 1 us again after 10\." "$T/leap.log"
check "make demo-leap: step steps once" grep -q "^  step .*steps 1$" "$T/leap.log"

if [ "$fail" -ne 0 ] || [ "${2:-}" = -v ]; then
	sed 's/^/    | /' "$T/demo.log" | tail -n 40
	sed 's/^/    | /' "$T/leap.log"
fi
echo "demo: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
