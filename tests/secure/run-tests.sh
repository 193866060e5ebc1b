#!/bin/sh
# tests/secure: gnomond attacked through what it reads and writes, under
# the simulator (tests/sim), never on the real clock (issue 14): what the
# daemon's user plants in its state directory, files that would block
# (FIFOs), what --check-config must catch, control-socket and metrics
# slot exhaustion (slowloris), full disks and log rotation.
#
# Usage: tests/secure/run-tests.sh [BUILD_DIR]
# Prints "secure: N passed, N failed"; exits non-zero on failure.

top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
cd "$top" || exit 2
pass=0; fail=0
T=$(mktemp -d /tmp/gnomon-secure.XXXXXX)
chmod 755 "$T"
RUNNERS=""
cleanup() {
	for p in $RUNNERS; do kill -TERM "$p" 2>/dev/null; done
	[ -n "$KEEP" ] || rm -rf "$T"
}
trap cleanup EXIT INT TERM

ok() { pass=$((pass + 1)); echo "ok   $*"; }
ko() { fail=$((fail + 1)); echo "FAIL $*"; }
skip() { echo "skip $*"; }
check() { name=$1; shift; if "$@" >/dev/null 2>&1; then ok "$name"; else ko "$name"; fi; }
has() { grep -q -- "$2" "$1"; }
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
LEAP=$top/tests/leap
for f in "$GNOMOND" "$GNOMONCTL" "$SIM"; do
	if [ ! -x "$f" ]; then
		echo "secure: $f is missing: run make first"
		echo "secure: 0 passed, 1 failed"
		exit 1
	fi
done

# conf NAME [EXTRA_GLOBAL_LINES]: $T/NAME.conf, its files in $T/NAME/
conf() {
	d=$T/$1 extra=$(printf '%b' "${2:-allow_root = yes\n}")
	mkdir -p "$d/state"
	{
		echo "[global]"
		{
			echo "state_dir = $d/state"
			echo "control_socket = $d/ctl.sock"
			echo "control_socket_ro = $d/ctl.ro.sock"
			echo "pidfile = $d/gnomond.pid"
			echo "leapfile = $LEAP/leap-seconds.list"
		} | while read -r k eq v; do	# a key in EXTRA replaces its default
			printf '%s\n' "$extra" | grep -q "^$k " || echo "$k $eq $v"
		done
		printf '%s\n' "$extra"
		echo
		echo "[/dev/ptp1]"
		echo "source = phc:/dev/ptp0"
		echo "max_slew_ppm = 10000"
	} > "$T/$1.conf"
}

cat > "$T/world.scn" <<EOS
start 2016-12-31T18:00:00Z
duration 20s
seed 7
tai_utc 36
system
phc ptp0
	reference
phc ptp1
	offset 300us
	freq 20ppm
EOS

# bounded NAME SECONDS CMD...: CMD must finish within SECONDS (real); its
# output in $T/NAME.out. A command that blocks is killed and fails.
bounded() {
	name=$1 lim=$2; shift 2
	"$@" > "$T/$name.out" 2>&1 &
	bp=$!
	i=0
	while kill -0 $bp 2>/dev/null && [ $i -lt $((lim * 10)) ]; do sleep 0.1; i=$((i + 1)); done
	if kill -0 $bp 2>/dev/null; then
		kill -KILL $bp 2>/dev/null; wait $bp 2>/dev/null
		echo "(blocked: killed after $lim s)" >> "$T/$name.out"
		return 124
	fi
	wait $bp
}

echo "=== secure: gnomond attacked (scratch: $T)"

# ---- 1. the state directory: nothing planted is followed -------------------
conf plant
printf 'root only\n' > "$T/secret"
chmod 600 "$T/secret"
ln -s "$T/secret" "$T/plant/state/audit.log"
"$SIM" --quiet --timeout 60 "$T/world.scn" -- "$GNOMOND" -d -f "$T/plant.conf" > "$T/plant/log" 2>&1
rc=$?
if [ $rc -ne 0 ] && has "$T/plant/log" "audit.log: is a symbolic link: refused (O_NOFOLLOW)" &&
   [ "$(cat "$T/secret")" = "root only" ]; then
	ok "state_dir: audit.log planted as a symlink to a root-only file: refused, file untouched"
else
	ko "state_dir symlink (exit $rc)"; tail -3 "$T/plant/log"
fi
rm -f "$T/plant/state/audit.log"
ln "$T/secret" "$T/plant/state/recovery.jsonl"
"$SIM" --quiet --timeout 60 "$T/world.scn" -- "$GNOMOND" -d -f "$T/plant.conf" > "$T/plant/log" 2>&1
rc=$?
if [ $rc -ne 0 ] && has "$T/plant/log" "recovery.jsonl: has 2 hard links" &&
   [ "$(cat "$T/secret")" = "root only" ]; then
	ok "state_dir: recovery.jsonl planted as a hard link: refused, file untouched"
else
	ko "state_dir hard link (exit $rc)"; tail -3 "$T/plant/log"
fi
rm -f "$T/plant/state/recovery.jsonl" "$T/plant/state/audit.log"
mkfifo "$T/plant/state/audit.log"
bounded fifo_state 20 "$SIM" --quiet --timeout 60 "$T/world.scn" -- "$GNOMOND" -d -f "$T/plant.conf"
rc=$?
if [ $rc -ne 0 ] && [ $rc -ne 124 ] && has "$T/fifo_state.out" "audit.log: is a FIFO, not a regular file"; then
	ok "state_dir: audit.log planted as a FIFO: refused at once"
else
	ko "state_dir FIFO (exit $rc)"; tail -3 "$T/fifo_state.out"
fi
rm -f "$T/plant/state/audit.log"

# ---- 2. nothing blocks: FIFOs as the configuration or the leap file --------
mkfifo "$T/fifo.conf"
bounded fifo_check 10 "$GNOMOND" --check-config "$T/fifo.conf"
rc=$?
if [ $rc -eq 1 ] && has "$T/fifo_check.out" "fifo.conf: is a FIFO, not a regular file"; then
	ok "config: a FIFO is refused by --check-config at once"
else
	ko "config FIFO --check-config (exit $rc)"; tail -2 "$T/fifo_check.out"
fi
bounded fifo_start 10 "$GNOMOND" -d -n -f "$T/fifo.conf"
rc=$?
if [ $rc -eq 1 ] && has "$T/fifo_start.out" "is a FIFO"; then
	ok "config: a FIFO is refused at start-up at once"
else
	ko "config FIFO start-up (exit $rc)"; tail -2 "$T/fifo_start.out"
fi
mkfifo "$T/leap.fifo"
conf lfifo "allow_root = yes\nleapfile = $T/leap.fifo\n"
bounded leap_fifo 10 "$GNOMOND" --check-config "$T/lfifo.conf"
rc=$?
if [ $rc -eq 1 ] && has "$T/leap_fifo.out" "lfifo.conf:7: leapfile: $T/leap.fifo: is a FIFO"; then
	ok "leap file: a FIFO is refused by --check-config at once, with FILE:LINE"
else
	ko "leap FIFO (exit $rc)"; tail -2 "$T/leap_fifo.out"
fi

# ---- 3. --check-config catches what start-up refuses ------------------------
cc() {	# cc NAME EXTRA EXPECT_RC REGEX DESCRIPTION
	conf "$1" "$2"
	"$GNOMOND" --check-config "$T/$1.conf" > "$T/$1.out" 2>&1
	rc=$?
	if [ $rc -eq "$3" ] && has "$T/$1.out" "$4"; then ok "check-config: $5"
	else ko "check-config: $5 (exit $rc)"; cat "$T/$1.out"; fi
}
long=$T/$(printf '%0120d' 0).sock
cc sock "allow_root = yes\ncontrol_socket = $long\n" 1 \
	"sock.conf:7: control_socket: [0-9]* bytes, longer than a Unix socket path can be (107 bytes)" \
	"a control socket path over 107 bytes, FILE:LINE"
cc grp "allow_root = yes\ncontrol_group = no-such-group-xyz\n" 1 \
	"grp.conf:8: control_group: no such group 'no-such-group-xyz'" "an unknown control_group, FILE:LINE"
cc lmiss "allow_root = yes\nleapfile = $T/none.list\n" 1 \
	"lmiss.conf:7: leapfile: $T/none.list: cannot open: No such file" "a missing leap file"
cc lhash "allow_root = yes\nleapfile = $LEAP/badhash.list\n" 1 \
	"lhash.conf:7: leapfile: $LEAP/badhash.list:[0-9]*: SHA-1 hash mismatch" "a leap file with a bad hash, its FILE:LINE"
cc lexp "allow_root = yes\nleapfile = $LEAP/expired.list\n" 0 \
	"warning: .*lexp.conf:7: leapfile: $LEAP/expired.list has expired" "an expired leap file: a warning"
cc nobody "user = nobody\n" 0 \
	"warning: .*nobody.conf:[0-9]*: user = nobody is shared with other daemons" "user = nobody: a warning"
conf ww
chmod o+w "$T/ww.conf"
"$GNOMOND" --check-config "$T/ww.conf" > "$T/ww.out" 2>&1
check "check-config: a configuration writable by every user: a warning" \
	has "$T/ww.out" "warning: $T/ww.conf: writable by every user"

# ---- 4. no lock-out: the slowloris of issue 14 -----------------------------
sh tests/secure/slowloris.sh "$build" "$T" > "$T/slowloris.txt" 2>&1
for k in rw scrape; do
	v=$(sed -n "s/^slowloris_${k}_success_pct \([0-9]*\) pct/\1/p" "$T/slowloris.txt")
	if [ "$v" = 100 ]; then
		ok "slowloris: every $k request served while idle connections hold the slots"
	else
		ko "slowloris: $k requests served ${v:-?} %"; tail -3 "$T/slowloris.txt"
	fi
done

# ---- 5. logrotate: mv + SIGUSR1 (or SIGHUP), the next line in a new file ---
conf rot "allow_root = yes\n"
sed 's/^duration .*/duration 3600s/' "$T/world.scn" > "$T/long.scn"
"$SIM" --quiet --speed 5 --timeout 120 "$T/long.scn" -- "$GNOMOND" -d -f "$T/rot.conf" \
	> "$T/rot/log" 2>&1 &
RUNNER=$!; RUNNERS="$RUNNERS $RUNNER"
if wait_for 20 grep -q " start " "$T/rot/state/audit.log"; then
	mv "$T/rot/state/audit.log" "$T/rot/state/audit.log.1"
	kill -USR1 "$(cat "$T/rot/gnomond.pid")"
	wait_for 10 grep -q "audit.log reopened" "$T/rot/log"
	kill -TERM "$(cat "$T/rot/gnomond.pid")"
	wait $RUNNER
	if has "$T/rot/state/audit.log" " stop " && ! has "$T/rot/state/audit.log.1" " stop "; then
		ok "logrotate: after mv audit.log audit.log.1 and SIGUSR1 the next line goes to a new audit.log"
	else
		ko "logrotate reopen"; tail -3 "$T/rot/log"
	fi
else
	ko "logrotate: no start line in audit.log"; tail -3 "$T/rot/log"
fi

# ---- 6. a full disk: lines counted, kept, written when space returns -------
# A real tmpfs of 64 KiB over the state directory, in a mount namespace of
# its own (unshare -m), filled up before gnomond starts.
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	conf full "allow_root = yes\nmetrics_textfile = $T/full/gnomon.prom\nmetrics_interval = 1\n"
	cat > "$T/full.sh" <<EOS
mount -t tmpfs -o size=64k tmpfs "$T/full/state" || exit 3
dd if=/dev/zero of="$T/full/state/filler" bs=1k count=100 2>/dev/null
"$SIM" --quiet --speed 5 --timeout 120 "$T/long.scn" -- "$GNOMOND" -d -f "$T/full.conf" \
	> "$T/full/log" 2>&1 &
r=\$!
i=0; until grep -q 'gnomon_records_lost_total{file="audit"} [1-9]' "$T/full/gnomon.prom" 2>/dev/null; do
	i=\$((i + 1)); [ \$i -gt 200 ] && break; sleep 0.1; done
cp "$T/full/gnomon.prom" "$T/full/lost.prom" 2>/dev/null
rm -f "$T/full/state/filler"
i=0; until grep -q " start " "$T/full/state/audit.log" 2>/dev/null; do
	i=\$((i + 1)); [ \$i -gt 200 ] && break; sleep 0.1; done
kill -TERM "\$(cat "$T/full/gnomond.pid")"
wait \$r
cp "$T/full/state/audit.log" "$T/full/audit.copy" 2>/dev/null
umount "$T/full/state"
EOS
	unshare -m sh "$T/full.sh"
	if has "$T/full/lost.prom" 'gnomon_records_lost_total{file="audit"} [1-9]' &&
	   has "$T/full/lost.prom" 'gnomon_records_pending{file="audit"} [1-9]'; then
		ok "full disk: failed audit lines counted (gnomon_records_lost_total) and kept (pending)"
	else
		ko "full disk: no lost/pending count"; tail -3 "$T/full/log"
	fi
	if has "$T/full/audit.copy" " start " && has "$T/full/audit.copy" " stop " &&
	   awk '/ start /{s=NR} / stop /{t=NR} END{exit !(s && t && s < t)}' "$T/full/audit.copy"; then
		ok "full disk: the kept lines written, in order, once space returned"
	else
		ko "full disk: kept lines not written"; tail -3 "$T/full/log"
	fi
else
	skip "full disk: needs root and unshare -m (the unit test test_recfile simulates ENOSPC with RLIMIT_FSIZE)"
fi

# ---- 7. after the drop to a user, the sockets and the pid file still go ----
if [ "$(id -u)" = 0 ] && id nobody > /dev/null 2>&1; then
	g=$T/exit/gnomon	# named gnomon: handed to the user, like /run/gnomon
	mkdir -p "$g" "$T/exit"
	chmod 755 "$T/exit"
	conf exit "user = nobody\ncontrol_socket = $g/ctl.sock\ncontrol_socket_ro = $g/ctl.ro.sock\npidfile = $g/gnomond.pid\n"
	chmod 1777 "$T/exit/state"
	"$SIM" --quiet --speed 5 --timeout 120 "$T/long.scn" -- "$GNOMOND" -d -f "$T/exit.conf" \
		> "$T/exit/log" 2>&1 &
	RUNNER=$!; RUNNERS="$RUNNERS $RUNNER"
	if wait_for 20 "$GNOMONCTL" -s "$g/ctl.sock" -t 1 status && [ -S "$g/ctl.ro.sock" ] &&
	   [ -f "$g/gnomond.pid" ]; then
		kill -TERM "$(cat "$g/gnomond.pid")"
		wait $RUNNER
		if [ ! -e "$g/ctl.sock" ] && [ ! -e "$g/ctl.ro.sock" ] && [ ! -e "$g/gnomond.pid" ]; then
			ok "exit after the drop to nobody: both sockets and the pid file removed"
		else
			ko "exit after the drop: left $(ls "$g")"
		fi
	else
		ko "exit after the drop: gnomond did not start as nobody"; tail -3 "$T/exit/log"
	fi
else
	skip "exit after the drop: needs root and a user nobody"
fi

echo "secure: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
