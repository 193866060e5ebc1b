# Shared helpers for the peer comparison: linuxptp's phc2sys and chrony's
# chronyd run ONLY under the simulator (tests/sim/gnomon-sim), in the same
# scenarios and seeds as gnomond. Sourced by tests/peers/bench-peers.sh and
# tests/peers/run-tests.sh, from the top of the checkout, after
# tests/e2e/lib.sh (sumval, lt, near, csvmax).
#
# Safety: a peer is only ever started as the COMMAND of gnomon-sim, which
# refuses to let it run without the preload library (exit 125), drops
# CAP_SYS_TIME and installs a seccomp wall against clock_settime,
# clock_adjtime, adjtimex and settimeofday. Nothing here runs a peer natively.
PHC2SYS=${PHC2SYS:-/usr/sbin/phc2sys}
CHRONYD=${CHRONYD:-/usr/sbin/chronyd}
PEER_TIMEOUT=${PEER_TIMEOUT:-120}

# have_sim: the runner and its library are built
have_sim() { [ -x "$SIM" ] && [ -f "$(dirname "$SIM")/libgnomonsim.so" ]; }
have_phc2sys() { have_sim && [ -x "$PHC2SYS" ]; }
have_chronyd() { have_sim && [ -x "$CHRONYD" ] && [ -f /usr/share/zoneinfo/right/UTC ]; }

# scn_tai_utc SCENARIO: the scenario's TAI - UTC at the start (default 37)
scn_tai_utc() {
	awk '$1 == "tai_utc" { v = $2 } END { print (v == "" ? 37 : v) }' "$1"
}

# phc2sys_run DIR SCENARIO CAP_PPM [SIM-OPTIONS...]: phc2sys disciplines
# CLOCK_REALTIME from the reference PHC /dev/ptp0 (TAI, hence -O -TAI_UTC),
# slewing only (-S 0: never step once running; -F 0: not at start either),
# its servo clamped to CAP_PPM (max_frequency, ppb; for CLOCK_REALTIME
# linuxptp splits the correction into ADJ_TICK + ADJ_FREQUENCY and allows up
# to 10 %, see clockadj.c sysclk_max_freq()). Extra phc2sys options in
# $PHC2SYS_EXTRA (word-split, e.g. "-E linreg"). Summary in DIR/summary,
# CSV in DIR/truth.csv, phc2sys's -m output and the runner's stderr in DIR/log.
phc2sys_run() {
	_pd=$1 _ps=$2 _pc=$3; shift 3
	_po=$(scn_tai_utc "$_ps")
	"$SIM" --quiet --summary "$_pd/summary" --csv "$_pd/truth.csv" \
		--timeout "$PEER_TIMEOUT" "$@" "$_ps" -- \
		"$PHC2SYS" -s /dev/ptp0 -c CLOCK_REALTIME -O "-$_po" -m -q \
		-S 0 -F 0 --max_frequency "$((_pc * 1000))" ${PHC2SYS_EXTRA:-} \
		> "$_pd/log" 2>&1
}

# chrony_common DIR [LINE...]: the lines every chronyd run here has (no NTP
# server socket, no command sockets, pidfile in DIR), then LINEs
chrony_common() {
	echo "port 0"
	echo "cmdport 0"
	echo "bindcmdaddress /"
	echo "pidfile $1/chronyd.pid"
	shift
	for _pl in "$@"; do echo "$_pl"; done
}

# chrony_conf DIR CAP_PPM [LINE...]: DIR/chrony.conf for chronyd with the
# reference PHC as its only source:
# - `refclock PHC /dev/ptp0 poll 0 dpoll 0 tai`: one PHC sample (of
#   chrony's own PTP_SYS_OFFSET* readings) per second, one clock update per
#   second, as gnomond's update_rate = 1; the PHC keeps TAI and `tai` makes
#   chronyd subtract TAI - UTC from `leapsectz right/UTC` (which is also
#   where chronyd learns of a leap second, with no NTP source announcing it).
#   $CHRONY_REFCLOCK overrides the refclock line's options after the device;
# - `maxslewrate CAP`: chronyd's slew limit (on top of the frequency
#   correction); no `makestep`: chronyd never steps;
# - no NTP: `port 0`; no command sockets: `cmdport 0` (UDP) and
#   `bindcmdaddress /` (the Unix socket, which would otherwise be created
#   in /run/chrony on the host);
# - pidfile in DIR, no driftfile (every run starts cold, as gnomond does).
chrony_conf() {
	_pd=$1 _pc=$2; shift 2
	{
		echo "refclock PHC /dev/ptp0 ${CHRONY_REFCLOCK:-poll 0 dpoll 0 tai}"
		echo "leapsectz right/UTC"
		echo "maxslewrate $_pc"
		chrony_common "$_pd" "$@"
	} > "$_pd/chrony.conf"
}

# (ntp_servers SCENARIO is in tests/e2e/lib.sh: gnomond's NTP runs use it too)

# chrony_ntp_conf DIR SCENARIO [LINE...]: DIR/chrony.conf for chronyd as
# an NTP client of the scenario's played servers, polled as the issue of
# the network scenarios asks: `server ADDR iburst minpoll 0 maxpoll 4`
# (1 to 16 s). No refclock, no leapsectz (the servers announce the leap),
# no makestep (chronyd slews), and as chrony_conf: `port 0` (no NTP
# server socket), no command sockets, pidfile in DIR, no driftfile.
chrony_ntp_conf() {
	_pd=$1 _ps=$2; shift 2
	{
		for _pa in $(ntp_servers "$_ps"); do
			echo "server $_pa iburst minpoll 0 maxpoll 4"
		done
		chrony_common "$_pd" "$@"
	} > "$_pd/chrony.conf"
}

# chronyd_run DIR SCENARIO [SIM-OPTIONS...]: chronyd -d (foreground, log on
# stderr) with DIR/chrony.conf under the simulator. `-u root`: the runner
# starts us as root without the real CAP_SYS_TIME (the simulator shows the
# program the virtual one), and a root user means chronyd drops nothing.
# chronyd's own seccomp filter is off by default (-F 0), which the
# preload's calls need. Summary, CSV and log as phc2sys_run.
chronyd_run() {
	_pd=$1 _ps=$2; shift 2
	"$SIM" --quiet --summary "$_pd/summary" --csv "$_pd/truth.csv" \
		--net-csv "$_pd/net.csv" --timeout "$PEER_TIMEOUT" "$@" "$_ps" -- \
		"$CHRONYD" -d -u root -f "$_pd/chrony.conf" > "$_pd/log" 2>&1
}
