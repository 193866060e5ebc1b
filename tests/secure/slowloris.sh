#!/bin/sh
# The slowloris of issue 14 against gnomond under the simulator (--speed 1,
# never the real clock): 16 idle connections at 8.7/s on the world-writable
# read-only control socket while gnomonctl asks the read-write socket 40
# times, then 8 idle connections at 4.4/s on the metrics listener while
# /metrics is scraped 40 times. Prints two bench lines:
#   slowloris_rw_success_pct P pct
#   slowloris_scrape_success_pct P pct
# Usage: tests/secure/slowloris.sh BUILD_DIR SCRATCH_DIR
top=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
T=${2:-$(mktemp -d /tmp/gnomon-slowloris.XXXXXX)}
cd "$top" || exit 2
mkdir -p "$T/sl/state" "$T/sl/tools"
cc -std=gnu11 -O2 -D_GNU_SOURCE -I"$top" -o "$T/sl/tools/opsclient" tests/ops/opsclient.c \
	tests/ops/promcheck.c -lm || exit 1
SLOW=$build/tests/tools/slowloris
[ -x "$SLOW" ] || { echo "slowloris: $SLOW missing (make $SLOW)"; exit 1; }
cat > "$T/sl.conf" <<EOC
[global]
state_dir = $T/sl/state
control_socket = $T/sl/ctl.sock
control_socket_ro = $T/sl/ctl.ro.sock
pidfile = $T/sl/gnomond.pid
leapfile = $top/tests/leap/leap-seconds.list
allow_root = yes
metrics_listen = 127.0.0.1:0

[/dev/ptp1]
source = phc:/dev/ptp0
EOC
cat > "$T/sl.scn" <<EOC
start 2016-12-31T18:00:00Z
duration 600s
seed 7
tai_utc 36
system
phc ptp0
	reference
phc ptp1
	offset 300us
EOC
tests/sim/gnomon-sim --quiet --speed 1 --timeout 300 "$T/sl.scn" -- \
	"$build/gnomond" -d -f "$T/sl.conf" > "$T/sl/log" 2>&1 &
runner=$!
i=0
until "$build/gnomonctl" -s "$T/sl/ctl.sock" -t 1 status > /dev/null 2>&1; do
	i=$((i + 1)); [ $i -gt 100 ] && { echo "slowloris: gnomond did not start"; kill $runner; exit 1; }
	sleep 0.1
done
port=$(sed -n 's/.*metrics: serving GET \/metrics on .*, port \([0-9]*\).*/\1/p' "$T/sl/log" | head -n 1)

"$SLOW" unix "$T/sl/ctl.ro.sock" 8.7 16 9 > "$T/sl/attack_ro.txt" &
a=$!
sleep 2		# the attack has filled what it can
ok=0
for n in $(seq 40); do
	"$build/gnomonctl" -s "$T/sl/ctl.sock" -t 2 status > /dev/null 2>&1 && ok=$((ok + 1))
	sleep 0.1
done
wait $a
echo "slowloris_rw_success_pct $((ok * 100 / 40)) pct"

"$SLOW" tcp "${port:-1}" 4.4 8 12 > "$T/sl/attack_http.txt" &
a=$!
sleep 2.5
ok=0
for n in $(seq 40); do
	"$T/sl/tools/opsclient" http "${port:-1}" /metrics 2000 2>/dev/null | head -n 1 | grep -q ' 200 ' &&
		ok=$((ok + 1))
	sleep 0.1
done
wait $a
echo "slowloris_scrape_success_pct $((ok * 100 / 40)) pct"
kill -TERM "$(cat "$T/sl/gnomond.pid" 2>/dev/null)" 2>/dev/null
wait $runner 2>/dev/null
exit 0
