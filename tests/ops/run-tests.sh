#!/bin/sh
# tests/ops: gnomond as operators meet it, under the simulator (tests/sim),
# never on the real clock: gnomonctl for every subcommand (human and JSON,
# the JSON validated against doc/gnomonctl-v1.schema.json), malformed,
# oversized and slow control requests while the clocks keep updating,
# metrics over HTTP and in the textfile, sd_notify READY/STATUS/WATCHDOG/
# RELOADING/STOPPING on a test socket (and the watchdog stopping while a
# simulated PHC ioctl hangs), the capability set after the privilege drop,
# the pid-file lock, SIGHUP with a good and a broken file, SIGTERM, the
# root refusal, and `make install`.
#
# Usage: tests/ops/run-tests.sh [BUILD_DIR]     (from anywhere)
# Prints "ops: N passed, N failed"; exits non-zero on failure.
# Speeds: runs that talk to the daemon use --speed (virtual seconds per
# real second); assertions are on what happened, in order, not on how
# long it took, except one lower bound (the watchdog gap during a hang).

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
build_rel=${build#$top/}	# what make calls BUILD
cd "$top" || exit 2
pass=0; fail=0
T=$(mktemp -d /tmp/gnomon-ops.XXXXXX)
chmod 755 "$T"
RUNNERS=""
cleanup() {
	for p in $RUNNERS; do kill -TERM "$p" 2>/dev/null; done
	[ -n "$KEEP" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM

ok() { pass=$((pass + 1)); echo "ok   $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
check() {	# check NAME COMMAND...: pass if COMMAND succeeds
	name=$1; shift
	if "$@" >/dev/null 2>&1; then ok "$name"; else ko "$name"; fi
}
has() { grep -q -- "$2" "$1"; }	# has FILE REGEX
# mval FILE SERIES: the value of the sample written exactly "SERIES VALUE"
mval() { awk -v s="$2" 'index($0, s " ") == 1 { print $2; exit }' "$1"; }
# in_range V LO HI: LO < V < HI (numbers; an empty V fails)
in_range() { awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v + 0 > lo + 0 && v + 0 < hi + 0) }'; }
skip() { echo "skip $*"; }
# wait_for SECONDS COMMAND...: poll COMMAND every 0.1 s until it succeeds
# (returns 0) or SECONDS of real time pass (returns 1). Conditions, not
# sleeps: a loaded machine only makes the wait longer.
wait_for() {
	lim=$(( $1 * 10 )); shift
	i=0
	while [ $i -lt $lim ]; do
		"$@" > /dev/null 2>&1 && return 0
		sleep 0.1; i=$((i + 1))
	done
	return 1
}

GNOMOND=$build/gnomond
GNOMONCTL=$build/gnomonctl
SIM=$top/tests/sim/gnomon-sim
SCHEMA=$top/doc/gnomonctl-v1.schema.json
OPS=$build/tests/ops
for f in "$GNOMOND" "$GNOMONCTL" "$SIM"; do
	if [ ! -x "$f" ]; then
		echo "ops: $f is missing: run make first"
		echo "ops: 0 passed, 1 failed"
		exit 1
	fi
done

# ---- helpers, built here with the project's warnings ----------------------
mkdir -p "$OPS"
CFLAGS_OPS="-std=gnu11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -D_GNU_SOURCE -I$top"
if ! cc $CFLAGS_OPS -o "$OPS/opsclient" tests/ops/opsclient.c tests/ops/promcheck.c -lm ||
   ! cc $CFLAGS_OPS $(pkg-config --cflags json-c) -o "$OPS/schema_check" tests/ops/schema_check.c \
	$(pkg-config --libs json-c) -lm; then
	echo "ops: cannot build the test helpers"
	echo "ops: 0 passed, 1 failed"
	exit 1
fi
CLIENT=$OPS/opsclient
LEAPFILE=$top/tests/leap/leap-seconds.list

# conf NAME [EXTRA_GLOBAL_LINES]: a configuration in $T/NAME.conf whose paths
# all live in $T/NAME/: two clocks, CLOCK_REALTIME and /dev/ptp1, both
# from the reference ptp0.
conf() {
	d=$T/$1
	mkdir -p "$d/state"
	chmod 1777 "$d" "$d/state"	# writable after a drop to nobody
	{
		echo "[global]"
		echo "state_dir = $d/state"
		echo "control_socket = $d/ctl.sock"
		echo "control_socket_ro = $d/ctl.ro.sock"
		echo "pidfile = $d/gnomond.pid"
		echo "leapfile = $LEAPFILE"
		printf '%b' "${2:-allow_root = yes\n}"
		echo
		echo "[CLOCK_REALTIME]"
		echo "source = phc:/dev/ptp0"
		echo "max_slew_ppm = 100000"
		echo "leap_policy = smear"
		echo "smear = google"
		echo
		echo "[/dev/ptp1]"
		echo "source = phc:/dev/ptp0"
		echo "max_slew_ppm = 10000"
	} > "$T/$1.conf"
}

# The world: 6 h before the leap of 2016-12-31 (in the test leap file), so
# CLOCK_REALTIME's google smear (noon to noon) is in progress; ptp1 is
# 300 us off and 20 ppm fast.
cat > "$T/world.scn" <<EOF
start 2016-12-31T18:00:00Z
duration 3600s
seed 7
tai_utc 36
system
	offset 2ms
	freq 10ppm
phc ptp0
	reference
phc ptp1
	offset 300us
	freq 20ppm
EOF
sed 's/^duration .*/duration 90s/' "$T/world.scn" > "$T/hang.scn"
echo "at 30s fault ptp0 hang 20s" >> "$T/hang.scn"
sed 's/^duration .*/duration 40s/' "$T/world.scn" > "$T/eio.scn"
echo "at 0s fault ptp0 eio 100s" >> "$T/eio.scn"

# start NAME SCENARIO SPEED [ENV...]: gnomond under the simulator in the
# background; waits until its control socket answers. Sets RUNNER.
start() {
	name=$1 scn=$2 speed=$3; shift 3
	d=$T/$name
	env "$@" "$SIM" --quiet ${speed:+--speed $speed} --timeout 300 "$scn" -- \
		"$GNOMOND" -d -f "$T/$name.conf" > "$d/log" 2>&1 &
	RUNNER=$!
	RUNNERS="$RUNNERS $RUNNER"
	i=0
	while [ $i -lt 100 ]; do
		"$GNOMONCTL" -s "$d/ctl.sock" -t 1 status > /dev/null 2>&1 && return 0
		kill -0 $RUNNER 2>/dev/null || break
		sleep 0.1; i=$((i + 1))
	done
	return 1
}
daemon_pid() { cat "$T/$1/gnomond.pid" 2>/dev/null; }
ctl() { n=$1; shift; "$GNOMONCTL" -s "$T/$n/ctl.sock" "$@"; }
jfield() {	# jfield FILE KEY: first "KEY": value in pretty JSON
	sed -n "s/^ *\"$2\": \([^,]*\),\{0,1\}\$/\1/p" "$1" | head -n 1
}
# stop NAME: SIGTERM to gnomond, wait for the runner; RC = gnomond's code
stop() {
	p=$(daemon_pid "$1")
	[ -n "$p" ] && kill -TERM "$p" 2>/dev/null
	wait $RUNNER
	RC=$?
}

echo "=== ops: gnomond operations (scratch: $T)"

# ---- 1. configuration checks ---------------------------------------------
check "config: shipped conf/gnomon.conf passes --check-config" "$GNOMOND" --check-config conf/gnomon.conf
conf cfg "user = no-such-user-xyz\n"
"$GNOMOND" --check-config "$T/cfg.conf" > "$T/cfg.out" 2>&1
check "config: unknown user refused with FILE:LINE" has "$T/cfg.out" "cfg.conf:7: user: no such user 'no-such-user-xyz'"
conf cfg "allow_root = yes\nmetrics_listen = 0.0.0.0:9475\n"
"$GNOMOND" --check-config "$T/cfg.conf" > "$T/cfg.out" 2>&1
check "config: remote metrics_listen refused without metrics_allow_remote" has "$T/cfg.out" "cfg.conf:8: metrics_listen: 0.0.0.0:9475 is not a loopback"
conf cfg "allow_root = yes\nmetrics_textfile = /tmp/x.txt\n"
"$GNOMOND" --check-config "$T/cfg.conf" > "$T/cfg.out" 2>&1
check "config: metrics_textfile must end in .prom" has "$T/cfg.out" "cfg.conf:8: metrics_textfile: must end in .prom"
# --print-config FILE: checked as --check-config, then printed, units converted
printf '[CLOCK_REALTIME]\nsource = phc:/dev/ptp0\nlock_threshold = 1us\nmax_slew_ppm = 10%%\nrecovery_hold = 2min\n' > "$T/units.conf"
"$GNOMOND" --print-config "$T/units.conf" > "$T/units.out" 2>/dev/null
if has "$T/units.out" "^lock_threshold = 1e-06$" && has "$T/units.out" "^max_slew_ppm = 100000$" &&
   has "$T/units.out" "^recovery_hold = 120$"; then
	ok "config: --print-config FILE prints the effective values, units converted"
else
	ko "config: --print-config FILE (got: $(grep -E 'lock_thr|max_slew|recovery_hold' "$T/units.out" | tr '\n' ' '))"
fi
printf '[CLOCK_REALTIME]\nsource = phc:/dev/ptp0\nrecovery_hold = 10 fortnights\n' > "$T/units.conf"
"$GNOMOND" --print-config "$T/units.conf" > "$T/units.out" 2>&1
rc=$?
if [ $rc -eq 1 ] && has "$T/units.out" "units.conf:3: recovery_hold: '10 fortnights' is not a number of s (units accepted: ns, us" &&
   ! has "$T/units.out" "^source ="; then
	ok "config: --print-config FILE refuses a bad unit with FILE:LINE and the units the key takes, prints nothing"
else
	ko "config: --print-config FILE with a bad unit (rc $rc)"
fi

# ---- 2. the root refusal ---------------------------------------------------
if [ "$(id -u)" = 0 ]; then
	conf root "log_level = info\n"
	"$SIM" --quiet "$T/world.scn" -- "$GNOMOND" -d -f "$T/root.conf" > "$T/root/log" 2>&1
	rc=$?
	if [ $rc -eq 1 ] && has "$T/root/log" "refusing to run as root with every capability"; then
		ok "root with every capability and no user/allow_root: refused (exit 1)"
	else
		ko "root refusal (exit $rc)"; tail -3 "$T/root/log"
	fi
else
	skip "root refusal: not root"
fi

# Sections 3 to 12 run gnomond under the simulator, which shows the
# program the CAP_SYS_TIME its runner had: as an ordinary user every
# adjustment would fail, so they need root (CI runs as root).
sim_tests() {
# ---- 3. gnomonctl, every subcommand, human and JSON ----------------------------
conf main "allow_root = yes\nmetrics_listen = 127.0.0.1:0\nmetrics_textfile = $T/main/state/gnomon.prom\nmetrics_interval = 2\n"
rm -f "$T/notify.log"
"$CLIENT" notify-recv "$T/notify.sock" "$T/notify.log" 120 &
RUNNERS="$RUNNERS $!"
sleep 0.2
if start main "$T/world.scn" 20 NOTIFY_SOCKET="$T/notify.sock"; then
	ok "gnomond started under the simulator (--speed 20)"
else
	ko "gnomond did not start"; tail -5 "$T/main/log"
fi
# wait until /dev/ptp1 has locked and its start event has recovered
wait_for 20 sh -c "'$GNOMONCTL' -s '$T/main/ctl.sock' recovery | grep -q '/dev/ptp1 *start .*recovered' &&
	[ -s '$T/main/state/gnomon.prom' ]" || ko "/dev/ptp1 did not recover within 20 s real"
for c in status clocks sources recovery leap health config bonds; do
	if ctl main "$c" > "$T/h_$c.txt" 2> "$T/h_$c.err" && [ -s "$T/h_$c.txt" ]; then
		ok "gnomonctl $c (human)"
	else
		ko "gnomonctl $c (human)"; cat "$T/h_$c.err"
	fi
	if ctl main --json "$c" > "$T/j_$c.json" 2>&1 &&
	   "$OPS/schema_check" "$SCHEMA" "$c" "$T/j_$c.json" > "$T/s_$c.txt" 2>&1; then
		ok "gnomonctl --json $c: valid against the v1 schema"
	else
		ko "gnomonctl --json $c"; head -5 "$T/s_$c.txt"
	fi
done
check "status (human): smear in progress on CLOCK_REALTIME" has "$T/h_status.txt" "Leap policy     : smear (SMEARING: [0-9.]* s of +1 s applied; next leap +1 s at the end of 2016-12-31)"
check "status (human): recovery line" has "$T/h_status.txt" "^Recovering      : "
check "status (human): PHC not leapt" has "$T/h_status.txt" "not applied: the clock keeps its source's timescale"
check "status (human): systemd ready" has "$T/h_status.txt" "^Systemd         : ready"
check "leap (human): next leap announced" has "$T/h_leap.txt" "^Next leap       : +1 s at the end of 2016-12-31"
check "leap (human): per-clock table" has "$T/h_leap.txt" "^CLOCK_REALTIME  smear   yes      SMEARING"
check "recovery (human): start of /dev/ptp1 recovered" has "$T/h_recovery.txt" "/dev/ptp1 *start .*recovered"
check "config (human): running configuration" has "$T/h_config.txt" "^leap_policy = smear"
check "leap (JSON): smearing with the leap date" has "$T/j_leap.json" '"leap_date": "2016-12-31"'
check "schema checker rejects a wrong document" sh -c "! '$OPS/schema_check' '$SCHEMA' clocks '$T/j_status.json'"
"$GNOMONCTL" -s "$T/main/ctl.ro.sock" status > "$T/ro.txt" 2>&1
check "read-only socket answers status" has "$T/ro.txt" "^Clock           : /dev/ptp1"

# ---- 4. bad control clients do not stall the clocks ----------------------
updates() { ctl main --json clocks | grep -m1 '"updates"' | tr -dc 0-9; }
u0=$(updates)
printf '{"command":\n{"command":"clocks"}\n' | "$CLIENT" ctl "$T/main/ctl.sock" 1500 > "$T/bad1.txt"
check "malformed request: error reply, connection still usable" sh -c \
	"grep -q '\"ok\": *false.*malformed JSON' '$T/bad1.txt' && grep -q '\"ok\": *true' '$T/bad1.txt'"
head -c 5000 /dev/zero | tr '\0' 'x' | "$CLIENT" ctl "$T/main/ctl.sock" 3000 > "$T/bad2.txt"
check "oversized request: error reply and closed" sh -c \
	"grep -q 'request longer than 4096 bytes' '$T/bad2.txt' && grep -q '<EOF' '$T/bad2.txt'"
printf '{"command":"status"}\n' | "$CLIENT" ctl "$T/main/ctl.sock" 5000 1 50 > "$T/bad3.txt"
check "slow request (1 byte per virtual second): closed without a reply" sh -c \
	"grep -q '<EOF' '$T/bad3.txt' && ! grep -q '\"ok\"' '$T/bad3.txt'"
"$CLIENT" idle "$T/main/ctl.sock" 17 3000 > "$T/idle.txt"
check "17 idle clients: the 17th refused, the others timed out" sh -c \
	"grep -q '^16 reply: .*too many control clients' '$T/idle.txt' && [ \$(grep -c ' closed\$' '$T/idle.txt') -eq 16 ]"
# a client that asks for 30000 status replies and reads none of them, while
# the clocks are watched: the updates must keep coming
yes '{"command":"status"}' | head -n 30000 > "$T/many.req"
"$CLIENT" hold "$T/main/ctl.sock" 2000 < "$T/many.req" > "$T/hold.txt" &
hp=$!
u1=$(updates)
upd_gt() { [ "$(updates)" -gt "$1" ]; }
wait_for 10 upd_gt $((u1 + 5))
u2=$(updates)
wait $hp
check "a client that reads no replies is not served past its buffer" grep -q "blocked or closed" "$T/hold.txt"
if [ -n "$u0" ] && [ -n "$u2" ] && [ "$u2" -gt $((u1 + 5)) ] && [ "$u1" -gt "$u0" ]; then
	ok "clock updates went on during the bad clients ($u0 -> $u1 -> $u2)"
else
	ko "clock updates stalled ($u0 -> $u1 -> $u2)"
fi

# ---- 5. metrics --------------------------------------------------------------
port=$(sed -n 's/.*metrics: serving GET \/metrics on .*, port \([0-9]*\).*/\1/p' "$T/main/log" | head -n 1)
"$CLIENT" http "${port:-1}" /metrics 3000 > "$T/http.txt" 2>&1
sed -e '1,/^\r$/d' -e '/^<EOF/d' "$T/http.txt" > "$T/http.prom"
check "metrics over HTTP: 200 with the text format's content type" sh -c \
	"head -n 1 '$T/http.txt' | grep -q '200 OK' && grep -q 'Content-Type: text/plain; version=0.0.4' '$T/http.txt'"
check "metrics over HTTP: valid exposition format" "$CLIENT" prom "$T/http.prom"
"$CLIENT" http "${port:-1}" /other 3000 > "$T/http404.txt" 2>&1
check "metrics over HTTP: other paths 404" sh -c "head -n 1 '$T/http404.txt' | grep -q ' 404 '"
cp "$T/main/state/gnomon.prom" "$T/text.prom" 2>/dev/null
check "metrics textfile: written and valid" "$CLIENT" prom "$T/text.prom"
P='clock="/dev/ptp1",source="phc:/dev/ptp0"'
S='clock="CLOCK_REALTIME",source="phc:/dev/ptp0"'
for f in "$T/http.prom" "$T/text.prom"; do
	b=$(basename "$f")
	check "$b: /dev/ptp1 LOCKED" [ "$(mval "$f" "gnomon_clock_state{$P,state=\"LOCKED\"}")" = 1 ]
	check "$b: /dev/ptp1 not FREERUN" [ "$(mval "$f" "gnomon_clock_state{$P,state=\"FREERUN\"}")" = 0 ]
	check "$b: one start event per clock" [ "$(mval "$f" "gnomon_clock_recovery_events_total{$P,event=\"start\"}")" = 1 ]
	check "$b: no step event" [ "$(mval "$f" "gnomon_clock_recovery_events_total{$P,event=\"step\"}")" = 0 ]
	# 300 us at 10000 ppm: the physical limit is 0.03 s
	check "$b: last start recovery limit 0.03 s" in_range \
		"$(mval "$f" "gnomon_clock_last_recovery_limit_seconds{$P,event=\"start\"}")" 0.029 0.031
	check "$b: last start recovery time, 0 to 30 s" in_range \
		"$(mval "$f" "gnomon_clock_last_recovery_seconds{$P,event=\"start\"}")" 0 30
	check "$b: /dev/ptp1 offset within 1 us" in_range "$(mval "$f" "gnomon_clock_offset_seconds{$P}")" -1e-6 1e-6
	check "$b: /dev/ptp1 corrects its 20 ppm" in_range \
		"$(mval "$f" "gnomon_clock_frequency_adjustment_ratio{$P}")" -2.1e-05 -1.9e-05
	check "$b: fresh sample" in_range "$(mval "$f" "gnomon_clock_sample_age_seconds{$P}")" -0.001 2
	check "$b: CLOCK_REALTIME tick near 0.01 s" in_range "$(mval "$f" "gnomon_clock_tick_seconds{$S}")" 0.009 0.011
	check "$b: no tick for a PHC" [ -z "$(mval "$f" "gnomon_clock_tick_seconds{$P}")" ]
	check "$b: leap file expiry 2027-06-28" [ "$(mval "$f" gnomon_leap_file_expiry_timestamp_seconds)" = 1814140800 ]
	check "$b: leap file status ok" [ "$(mval "$f" 'gnomon_leap_file_status{status="ok"}')" = 1 ]
	check "$b: updates counted" in_range "$(mval "$f" "gnomon_clock_updates_total{$P}")" 10 1e9
	check "$b: loop iterations counted" in_range "$(mval "$f" gnomon_loop_iterations_total)" 10 1e12
	check "$b: build info" [ "$(mval "$f" 'gnomon_build_info{version="'"$("$GNOMOND" --version | cut -d' ' -f2)"'"}')" = 1 ]
	check "$b: start time is the scenario's (2016-12-31T18:00Z)" in_range \
		"$(mval "$f" process_start_time_seconds)" 1483207199 1483207201
done

# ---- 6. a second instance ------------------------------------------------------
"$SIM" --quiet "$T/world.scn" -- "$GNOMOND" -d -f "$T/main.conf" > "$T/second.log" 2>&1
rc=$?
p=$(daemon_pid main)
if [ $rc -eq 1 ] && has "$T/second.log" "pid file $T/main/gnomond.pid is locked by pid $p: another gnomond is running"; then
	ok "second instance refused, naming the holder's pid"
else
	ko "second instance (exit $rc)"; tail -3 "$T/second.log"
fi

# ---- 7. SIGHUP: a good file, then a broken one -------------------------------------
cp "$T/main.conf" "$T/main.conf.orig"
sed -i -e 's/^max_slew_ppm = 10000$/max_slew_ppm = 20000/' -e 's/^pidfile = .*/pidfile = \/nonexistent\/x.pid/' "$T/main.conf"
reloads_ge() { ctl main --json status | grep -q "\"reloads\": $1,"; }
kill -HUP "$p"
wait_for 10 reloads_ge 1
ctl main config > "$T/hup1.txt"
check "SIGHUP: the new slew cap is applied at run time" has "$T/hup1.txt" "^max_slew_ppm = 20000$"
check "SIGHUP: a key that needs a restart keeps its running value" has "$T/hup1.txt" "^pidfile = $T/main/gnomond.pid"
check "SIGHUP: the restart-only change is logged with FILE:LINE" has "$T/main/log" "reload: $T/main.conf:5: pidfile changed from .* needs a restart"
echo "max_slew_ppm = banana" >> "$T/main.conf"
kill -HUP "$p"
wait_for 10 reloads_ge 2
ctl main status > "$T/hup2.txt" 2>&1
ln=$(wc -l < "$T/main.conf")
check "SIGHUP with a broken file: daemon running, error logged with FILE:LINE" has "$T/main/log" "reload failed, keeping the running configuration: $T/main.conf:$ln: "
check "SIGHUP with a broken file: gnomonctl shows the failed reload" has "$T/hup2.txt" "last one FAILED: $T/main.conf:$ln"
check "SIGHUP with a broken file: the running cap stays" has "$T/hup2.txt" "^Slew cap        : 20000.000 ppm"
cp "$T/main.conf.orig" "$T/main.conf"

# ---- 8. SIGTERM -------------------------------------------------------------------
stop main
check "SIGTERM: gnomond exits 0" [ "$RC" = 0 ]
check "SIGTERM: clocks left at their natural frequency (logged)" has "$T/main/log" "leaving the clock at its natural frequency"
check "metrics textfile removed at exit" [ ! -e "$T/main/state/gnomon.prom" ]

# ---- 9. what systemd was told ---------------------------------------------------------
n=$T/notify.log
check "sd_notify: READY=1 at start and after each of the 2 reloads" sh -c "[ \$(grep -c ' READY=1\$' '$n') -eq 3 ]"
check "sd_notify: READY=1 after the first update (the first STATUS shows updates)" sh -c \
	"grep -m1 STATUS= '$n' | grep -vq 'no update yet'"
check "sd_notify: STATUS= lines name the clocks" has "$n" "STATUS=.*CLOCK_REALTIME .*; /dev/ptp1 "
check "sd_notify: RELOADING=1 with MONOTONIC_USEC, twice" sh -c "[ \$(grep -c 'RELOADING=1|MONOTONIC_USEC=[0-9]' '$n') -eq 2 ]"
check "sd_notify: failed reload in STATUS" has "$n" "STATUS=reload failed, old configuration kept: $T/main.conf:"
check "sd_notify: STOPPING=1 at the end" has "$n" "STOPPING=1"
check "sd_notify: no WATCHDOG=1 without WATCHDOG_USEC" sh -c "! grep -q WATCHDOG=1 '$n'"

# ---- 10. READY with a clock that never updates -----------------------------------------------
conf eio
rm -f "$T/notify2.log"
"$CLIENT" notify-recv "$T/notify2.sock" "$T/notify2.log" 30 &
rp=$!
RUNNERS="$RUNNERS $rp"
sleep 0.2
NOTIFY_SOCKET=$T/notify2.sock "$SIM" --quiet "$T/eio.scn" -- "$GNOMOND" -d -f "$T/eio.conf" > "$T/eio/log" 2>&1
rc=$?
sleep 0.3
kill $rp 2>/dev/null
check "READY=1 after the bounded wait, STATUS names the clocks not updating" sh -c \
	"grep -q ' READY=1\$' '$T/notify2.log' && grep -q 'STATUS=not updating: CLOCK_REALTIME (Input/output error), /dev/ptp1 (Input/output error)' '$T/notify2.log'"
check "a faulty reference is not fatal (exit 0 at the end)" [ "$rc" = 0 ]

# ---- 11. the watchdog stops while an ioctl hangs, and resumes ----------------------------------
conf hang "allow_root = yes\nmetrics_textfile = $T/hang/state/gnomon.prom\nmetrics_interval = 1\n"
rm -f "$T/notify3.log"
"$CLIENT" notify-recv "$T/notify3.sock" "$T/notify3.log" 60 &
rp=$!
RUNNERS="$RUNNERS $rp"
sleep 0.2
NOTIFY_SOCKET=$T/notify3.sock WATCHDOG_USEC=2000000 "$SIM" --quiet --speed 20 "$T/hang.scn" -- \
	"$GNOMOND" -d -f "$T/hang.conf" > "$T/hang/log" 2>&1 &
hp=$!
RUNNERS="$RUNNERS $hp"
# the stalled read is counted (the textfile goes with the daemon: read it while it runs)
slow_counted() { grep -q '^gnomon_clock_slow_reads_total{clock="[^"]*",source="phc:/dev/ptp0"} 1$' "$T/hang/state/gnomon.prom"; }
wait_for 60 slow_counted; slow=$?
wait $hp
rc=$?
check "slow read: the hung ioctl counted in gnomon_clock_slow_reads_total" [ $slow = 0 ]
check "slow read: logged once with its duration" sh -c \
	"[ \$(grep -c 'took [0-9.]* s (slow_read_threshold' '$T/hang/log') = 1 ]"
sleep 0.3
kill $rp 2>/dev/null
h=$T/notify3.log
# before the hang: pings; after it, one STATUS naming the stale clock (the
# one whose update hung, or the one whose update was due first after it),
# then pings again
awk '
	/ WATCHDOG=1$/ { if (!stale) before++; else after++ }
	/STATUS=clock [^ ]*: last successful read\/adjust 1[0-9]\.[0-9] s ago/ { stale++ }
	END { printf "%d %d %d\n", before, stale, after }' "$h" > "$T/hang.counts"
read before stale after < "$T/hang.counts"
check "watchdog: pings before the hang ($before)" [ "${before:-0}" -ge 20 ]
check "watchdog: the hang is named in STATUS ($stale)" [ "${stale:-0}" -ge 1 ]
check "watchdog: pings resume after the hang ($after)" [ "${after:-0}" -ge 20 ]
check "watchdog: 90 s with a 20 s hang gives fewer pings than 90" [ $((before + after)) -le 72 ]
check "watchdog: log says why and when it is healthy again" sh -c \
	"grep -q 'watchdog: not pinging systemd: clock [^ ]*: last successful read/adjust 19' '$T/hang/log' && grep -q 'watchdog: healthy again' '$T/hang/log'"
# a figure, not an assertion (real time): the longest silence between pings
gap=$(sed -n 's/^[0-9]* \([0-9]*\) WATCHDOG=1$/\1/p' "$h" | awk 'NR > 1 && $1 - p > m { m = $1 - p } { p = $1 } END { print m + 0 }')
echo "info watchdog: longest real gap between pings: $gap ms (20 s hang at speed 20: about 1000 ms expected)"
check "hang run: exit 0" [ "$rc" = 0 ]

# ---- 12. capabilities after the drop to a user -------------------------------------------------------
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	conf drop "user = nobody\n"
	if start drop "$T/world.scn" 20; then
		p=$(daemon_pid drop)
		grep -E '^(Uid|Gid|Groups|Cap|NoNewPrivs)' "/proc/$p/status" > "$T/drop.status"
		ctl drop status > "$T/drop.txt" 2>&1
		# both clocks updated after the drop (they start after it)
		drop_upd() { ctl drop --json clocks > "$T/drop.json" 2>&1 &&
			[ "$(grep -c '"updates": [1-9]' "$T/drop.json")" -eq 2 ]; }
		wait_for 10 drop_upd
		stop drop
		nob=$(id -u nobody)
		check "drop: real, effective, saved uid are nobody" grep -q "^Uid:	$nob	$nob	$nob	$nob$" "$T/drop.status"
		check "drop: supplementary groups reduced to one" sh -c "[ \$(grep '^Groups:' '$T/drop.status' | wc -w) -eq 2 ]"
		# CAP_SYS_TIME is bit 25 (0x2000000); the simulator runs the daemon
		# without it for real and shows it virtually, so the kernel's view
		# must be CAP_SYS_TIME at most, and the daemon's own view exactly it
		check "drop: /proc shows no capability but CAP_SYS_TIME (eff, prm, bnd)" sh -c \
			"for s in CapEff CapPrm CapBnd; do v=\$(sed -n \"s/^\$s:\t//p\" '$T/drop.status'); [ \$((0x\$v & ~0x2000000)) -eq 0 ] || exit 1; done"
		check "drop: inheritable and ambient empty, no_new_privs" sh -c \
			"grep -q '^CapInh:	0000000000000000' '$T/drop.status' && grep -q '^CapAmb:	0000000000000000' '$T/drop.status' && grep -q '^NoNewPrivs:	1' '$T/drop.status'"
		check "drop: the daemon keeps exactly cap_sys_time=ep" has "$T/drop.txt" "^Capabilities    : cap_sys_time=ep$"
		check "drop: both clocks updating after the drop, no error" sh -c \
			"[ \$(grep -c '\"updates\": [1-9]' '$T/drop.json') -eq 2 ] && ! grep -q '\"last_error\": \"' '$T/drop.json'"
		check "drop: exit 0" [ "$RC" = 0 ]
	else
		ko "drop: gnomond did not start as nobody"; tail -5 "$T/drop/log"
	fi
else
	skip "privilege drop: needs root and a user nobody"
fi

}

if [ "$(id -u)" = 0 ]; then
	sim_tests
else
	skip "sections 3-12 (gnomond under the simulator): need root"
fi

# ---- 13. make install ----------------------------------------------------------
D=$T/inst
if make -s --no-print-directory -C "$top" install DESTDIR="$D" PREFIX=/usr BUILD="$build_rel" > "$T/install.log" 2>&1; then
	ok "make install DESTDIR PREFIX=/usr"
else
	ko "make install"; tail -5 "$T/install.log"
fi
for f in usr/sbin/gnomond usr/bin/gnomonctl usr/share/man/man8/gnomond.8 usr/share/man/man1/gnomonctl.1 \
	 usr/share/man/man5/gnomon.conf.5 etc/gnomon/gnomon.conf usr/lib/systemd/system/gnomond.service; do
	check "installed /$f" [ -f "$D/$f" ]
done
check "installed /var/lib/gnomon" [ -d "$D/var/lib/gnomon" ]
check "unit runs /usr/sbin/gnomond" grep -q '^ExecStart=/usr/sbin/gnomond ' "$D/usr/lib/systemd/system/gnomond.service"
check "installed config passes --check-config" "$GNOMOND" --check-config "$D/etc/gnomon/gnomon.conf"
echo "# mine" >> "$D/etc/gnomon/gnomon.conf"
make -s --no-print-directory -C "$top" install DESTDIR="$D" PREFIX=/usr BUILD="$build_rel" > /dev/null 2>&1
check "a second install keeps an edited /etc/gnomon/gnomon.conf" grep -q '^# mine' "$D/etc/gnomon/gnomon.conf"
if command -v man > /dev/null 2>&1; then
	for m in "$D/usr/share/man/man8/gnomond.8" "$D/usr/share/man/man1/gnomonctl.1"; do
		check "man page $(basename "$m") renders without warnings" sh -c \
			"! MANWIDTH=80 man --warnings -l '$m' 2>&1 >/dev/null | grep -q ."
	done
fi

echo
echo "ops: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
