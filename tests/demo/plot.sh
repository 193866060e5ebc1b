# The demos' plots (sourced by tests/demo.sh and tests/demo-leap.sh, from the
# top of the checkout): gnuplot renders SVG from the simulator's truth CSVs.

# crossing CSV COLUMN THRESHOLD_NS: first time from which |offset| stays
# below THRESHOLD_NS to the end of the CSV ("" if never)
crossing() {
	awk -F, -v c="$2" -v th="$3" 'NR > 1 { v = $c < 0 ? -$c : $c
		if (v >= th) t = ""; else if (t == "") t = $1 } END { print t }' "$1"
}

# plot_demo SVG O_S CAP LABEL1 CSV1 [LABEL2 CSV2 ...]: |offset| of column 2
# of each CSV on a log scale (1 s to 1 ns) over the recovery, the 1 ms and
# 1 µs lines, each series' crossings and the physical limit O/C; a second
# panel, steady state (from 30 s) in linear ns
plot_demo() {
	_svg=$1 _o=$2 _cap=$3; shift 3
	_lim=$(awk -v o="$_o" -v c="$_cap" 'BEGIN { printf "%g", o / c }')
	_colors="#1f77b4 #d62728 #2ca02c #9467bd"
	_p1="" _p2="" _lab="" _i=0
	while [ $# -ge 2 ]; do
		_i=$((_i + 1))
		_c=$(echo $_colors | cut -d' ' -f$_i)
		_p1="$_p1${_p1:+, }\"$2\" every ::1 using 1:(abs(\$2) < 1 ? 1e-9 : abs(\$2)/1e9) with lines lw 2 lc rgb \"$_c\" title \"$1\""
		_p2="$_p2${_p2:+, }\"$2\" every ::1 using 1:2 with lines lw 1 lc rgb \"$_c\" title \"$1\""
		for _th in 1000000 1000; do
			_t=$(crossing "$2" 2 $_th)
			[ -n "$_t" ] || continue
			_y=$(awk -v t=$_th 'BEGIN { print t / 1e9 }')
			_lab="${_lab}set label \"$(printf '%.1f' "$_t") s\" at $_t,$_y point pt 7 ps 0.8 lc rgb \"$_c\" offset 0.5,$((2 - _i)) textcolor rgb \"$_c\" font \",9\"
"
		done
		shift 2
	done
	gnuplot <<GP
set terminal svg size 900,640 dynamic font "sans,12" background "white"
set output "$_svg"
set encoding utf8
set termoption noenhanced
set datafile separator ","
set multiplot layout 2,1 title "the same simulated world: $(printf '%s' "$_o") s off, slewed at a $(awk -v c="$_cap" 'BEGIN { print c * 100 }') % cap, then steady state"
set lmargin 12
set logscale y
set yrange [1e-9:2]
set format y "%.0e"
set ytics ("1 s" 1, "1 ms" 1e-3, "1 µs" 1e-6, "1 ns" 1e-9, "100 ms" 1e-1, "10 ms" 1e-2, "100 µs" 1e-4, "10 µs" 1e-5, "100 ns" 1e-7, "10 ns" 1e-8)
set ylabel "|true offset|"
set xlabel "time (s)"
set xrange [0:30]
set grid
set key top right
set arrow from $_lim, graph 0 to $_lim, graph 1 nohead dt 2 lw 2 lc rgb "black"
set label "physical limit O/C = $_o s / $(awk -v c="$_cap" 'BEGIN { print c * 100 }') % = $_lim s" at $_lim, graph 0.93 offset 0.5,0 font ",10"
$_lab
plot $_p1, 1e-3 with lines dt 3 lw 1.5 lc rgb "black" title "1 ms", 1e-6 with lines dt 3 lw 1.5 lc rgb "gray40" title "1 µs"
unset logscale y
unset arrow
unset label
set format y "%g"
set ytics autofreq
set ylabel "steady state: true offset (ns)"
set xrange [30:*]
set yrange [*:*]
set key top right horizontal
plot $_p2
unset multiplot
GP
}

# plot_leap SVG MIDNIGHT_S: four panels, $out/demo-leap-POLICY.csv's true
# offset (s) around midnight (MIDNIGHT_S into the run); the smear panel
# over its whole window. The row at the leap's instant itself is left out
# (the kernel inserts the second at the tick after it, as tests/e2e/leap.sh)
plot_leap() {
	_svg=$1 _m=$2
	_one() {	# _one POLICY COLOR XMIN XMAX
		echo "set title \"leap_policy = $1\""
		echo "set xrange [$3:$4]"
		echo "plot \"$out/demo-leap-$1.csv\" every ::1 using (\$1 - $_m):(\$1 == $_m ? NaN : \$2/1e9) with lines lw 2 lc rgb \"$2\" title \"$1\", 0 with lines dt 3 lc rgb \"gray40\" title \"UTC\""
	}
	gnuplot <<GP
set terminal svg size 1000,640 dynamic font "sans,12" background "white"
set output "$_svg"
set encoding utf8
set termoption noenhanced
set datafile separator ","
set multiplot layout 2,2 title "a leap second inserted at 2016-12-31 23:59:60 UTC: CLOCK_REALTIME - UTC under gnomond's four leap policies (10 % slew cap)"
set grid
set key bottom right
set yrange [-1.15:1.15]
set ylabel "true offset vs UTC (s)"
set xlabel "time from midnight (s)"
$(_one accept "#1f77b4" -5 20)
$(_one ignore "#d62728" -5 20)
$(_one step "#2ca02c" -5 20)
$(_one smear "#9467bd" -600 600)
unset multiplot
GP
}
