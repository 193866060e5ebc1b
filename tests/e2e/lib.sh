# Shared helpers for the end-to-end tests: gnomond under the simulator.
# Sourced by tests/e2e/run-tests.sh and tests/bench.sh.
SIM=${SIM:-tests/sim/gnomon-sim}
GNOMOND=${GNOMOND:-build/gnomond}
SCN=tests/sim/scenarios
# E2E_SEED=N (tests/e2e/run-tests.sh) runs every scenario with seed N;
# "scn" or unset keeps each scenario's own seed. A later --seed wins.
SEED_ARGS=
case ${E2E_SEED:-scn} in scn) ;; *) SEED_ARGS="--seed $E2E_SEED" ;; esac

# mkconf DIR [KEY=VALUE...] < clock-sections: a config with [global] in DIR
mkconf() {
	dir=$1; shift
	{
		echo "[global]"
		echo "state_dir = $dir"
		echo "control_socket = $dir/ctl.sock"
		echo "control_socket_ro = $dir/ctl.ro.sock"
		echo "pidfile = $dir/gnomond.pid"
		# the simulator's runner starts us as root without CAP_SYS_TIME
		echo "allow_root = yes"
		for kv in "$@"; do echo "$kv"; done
		cat
	} > "$dir/gnomon.conf"
}

# capconf DIR CAP [CLOCK-KEY=VALUE...]: CLOCK_REALTIME from the reference
# ptp0 at max_slew_ppm CAP, and these keys
capconf() {
	dir=$1 cap=$2; shift 2
	{ printf '[CLOCK_REALTIME]\nsource = phc:/dev/ptp0\nmax_slew_ppm = %s\n' "$cap"
	  for kv in "$@"; do echo "$kv"; done; } | mkconf "$dir"
}

# ntp_servers SCENARIO: the first address of each host of the scenario
# that plays an NTP server (an `ntp` line or any NTP key), one a line
ntp_servers() {
	awk 'function flush() { if (addr != "" && ntp) print addr }
	$1 == "host" { flush(); addr = ""; ntp = 0; inhost = 1; next }
	$1 == "system" || $1 == "phc" || $1 == "at" { flush(); addr = ""; ntp = 0; inhost = 0 }
	inhost && $1 == "address" && addr == "" { addr = $2 }
	inhost && $1 ~ /^(ntp|offset|freq|wander|stratum|precision|refid|root_delay|root_dispersion|leap|smear|proc_delay|tx_delay)$/ { ntp = 1 }
	END { flush() }' "$1"
}

# ntpconf DIR SCENARIO [CLOCK-KEY=VALUE...]: CLOCK_REALTIME from the
# scenario's played NTP servers, polled as chronyd is in tests/peers
# (`server ADDR iburst minpoll 0 maxpoll 4`; NTP_POLL overrides the
# options), at 83333 ppm (chronyd's default maxslewrate, which tests/peers leaves)
ntpconf() {
	_nd=$1 _ns=$2; shift 2
	{ printf '[CLOCK_REALTIME]\nsource = ntp\nmax_slew_ppm = 83333\n'
	  for _na in $(ntp_servers "$_ns"); do
		echo "server $_na iburst ${NTP_POLL:-minpoll 0 maxpoll 4}"
	  done
	  for kv in "$@"; do echo "$kv"; done; } | mkconf "$_nd"
}

# simrun DIR SCENARIO [SIM-OPTIONS...]: gnomond -f DIR/gnomon.conf under
# the simulator; summary in DIR/summary, log in DIR/log, CSV in DIR/truth.csv
simrun() {
	dir=$1 scn=$2; shift 2
	"$SIM" --quiet --summary "$dir/summary" --csv "$dir/truth.csv" --timeout 120 $SEED_ARGS "$@" \
		"$scn" -- "$GNOMOND" -d ${GNOMOND_ARGS:-} -f "$dir/gnomon.conf" > "$dir/log" 2>&1
}

# sumval DIR PATTERN FIELD: the value after FIELD on the first summary line
# matching PATTERN (an awk regex)
sumval() {
	awk -v pat="$2" -v f="$3" '$0 ~ pat { for (i = 1; i < NF; i++) if ($i == f) { print $(i + 1); exit } }' "$1/summary"
}

# ran_to_end DIR: the daemon lived to the scenario's end
ran_to_end() { [ "$(sumval "$1" "^end_reason" end_reason)" = duration ]; }

# daemon_recovery DIR EVENT: recovery time the daemon logged for EVENT
daemon_recovery() {
	sed -n "s/.*recovered from $2 in \([0-9.]*\) s.*/\1/p" "$1/log" | head -n 1
}

# lt A B: A < B as finite numbers ("inf", "nan" or empty: false, whatever awk)
NUM='^-?[0-9]+([.][0-9]*)?([eE][-+]?[0-9]+)?$'
lt() { awk -v a="$1" -v b="$2" -v re="$NUM" 'BEGIN { exit !(a ~ re && b ~ re && a + 0 < b + 0) }'; }
# near A B TOL: |A - B| <= TOL
near() { awk -v a="$1" -v b="$2" -v t="$3" -v re="$NUM" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a ~ re && b ~ re && d <= t) }'; }
# csvmax DIR FROM TO [SKIP_AROUND]: largest |offset| of the first clock in the
# truth CSV between FROM and TO s, leaving out rows within 1 ms of
# SKIP_AROUND (the instant of a kernel leap, where a clock a few ns off
# midnight shows a true 1 s spike lasting those few ns)
csvmax() {
	awk -F, -v a="$2" -v b="$3" -v s="${4:--1e9}" 'NR > 1 && $1 >= a && $1 <= b &&
		($1 - s > 0.001 || s - $1 > 0.001) { v = $2 < 0 ? -$2 : $2; if (v > m) m = v }
		END { printf "%.1f", m }' "$1/truth.csv"
}

# source = ptp4l against the simulator's played ptp4l (tests/sim/ptp4lplay.c):
# ptp4lrun DIR SCENARIO PLAY [SIM-OPTIONS...]: gnomond from the play's ptp4l
ptp4lrun() {
	_d=$1 _s=$2 _p=$3; shift 3
	sed "s#@DIR@#$_d#; s#@FLAGS@#${PLAY_FLAGS:-0x3d}#" "$_p" > "$_d/play"
	GNOMON_SIM_PTP4L=$_d/play simrun "$_d" "$_s" "$@"
}
# ptp4lconf DIR [KEY = VALUE...]: CLOCK_REALTIME from ptp4l at DIR/ptp4l
ptp4lconf() {
	_d=$1; shift
	{ printf '[CLOCK_REALTIME]\nsource = ptp4l:%s/ptp4l\nmax_slew_ppm = 100000\n' "$_d"
	  for kv in "$@"; do echo "$kv"; done; } | mkconf "$_d" "${PTP4L_GLOBAL:-}"
}
